"""Look-ups for inventories, scoped to their organisation, and for their activity records."""

from __future__ import annotations

from sqlalchemy.orm import Session

from neutrality.db import owned_row
from neutrality.inventory.tables import ActivityRecord, Inventory


def get_inventory_row(session: Session, organisation_id: int, inventory_id: int) -> Inventory:
    return owned_row(session, Inventory, organisation_id, inventory_id, what="inventory")


def get_activity_row(session: Session, inventory_id: int, activity_id: int) -> ActivityRecord:
    return owned_row(
        session, ActivityRecord, inventory_id, activity_id, what="activity", owner="inventory"
    )
