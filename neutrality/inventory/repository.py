"""Look-ups for inventories, scoped to their organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.errors import NotFound
from neutrality.inventory.tables import Inventory


def get_inventory_row(session: Session, organisation_id: int, inventory_id: int) -> Inventory:
    row = session.scalar(
        select(Inventory).where(Inventory.id == inventory_id, Inventory.organisation_id == organisation_id)
    )
    if row is None:
        raise NotFound(f"inventory {inventory_id} not found in organisation {organisation_id}")
    return row
