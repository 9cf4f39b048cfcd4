"""Look-ups for inventories, scoped to their organisation, and for their activity records."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from neutrality.db import owned_row
from neutrality.inventory.tables import ActivityRecord, Inventory


def get_inventory_row(session: Session, organisation_id: int, inventory_id: int) -> Inventory:
    return owned_row(session, Inventory, organisation_id, inventory_id, what="inventory")


def get_activity_row(session: Session, inventory_id: int, activity_id: int) -> ActivityRecord:
    return owned_row(
        session, ActivityRecord, inventory_id, activity_id, what="activity", owner="inventory"
    )


def count_activities(session: Session, inventory_id: int, added: int) -> None:
    """Keep :attr:`Inventory.activity_count` true after ``added`` records were stored (negative:
    removed). One UPDATE computed by the database, so that concurrent writers of the same
    inventory add up instead of overwriting each other's count."""
    session.execute(
        update(Inventory)
        .where(Inventory.id == inventory_id)
        .values(activity_count=Inventory.activity_count + added)
    )
