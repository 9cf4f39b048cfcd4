"""Pages of an inventory's activity records that cost the same for 30 records or 300,000.

- An index on ``activity_records (inventory_id, id)``: a page is ordered by id, and without it
  both backends read and sort every record of the inventory for each page (about 100 ms for
  300,000 records, the first page as the last); the calculation reads them in that order too.
- ``inventories.activity_count``: the number of records, kept by the application in the same
  transaction as every change of them, so that a page is not counted row by row (on PostgreSQL a
  count also walks through the rows of an import of the same inventory that is still being
  stored). Counted here for the inventories that exist.

Revision ID: 0012_activity_pages
Revises: 0011_contested_blocks
Create Date: 2026-12-04 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_activity_pages"
down_revision: str | None = "0011_contested_blocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CHECK = "activity_count >= 0"


def upgrade() -> None:
    op.create_index("ix_activity_records_inventory_order", "activity_records", ["inventory_id", "id"])
    # ADD COLUMN, not a batch rebuild: rebuilding the table through reflection on SQLite would
    # lose its AUTOINCREMENT (0009); SQLite takes the CHECK within the ADD COLUMN itself.
    name = op.f("ck_inventories_activity_count_not_negative")
    if op.get_context().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE inventories ADD COLUMN activity_count INTEGER NOT NULL DEFAULT 0"
            f" CONSTRAINT {name} CHECK ({CHECK})"
        )
    else:
        op.add_column("inventories", sa.Column("activity_count", sa.Integer(), nullable=False, server_default="0"))
        op.create_check_constraint(name, "inventories", CHECK)
    op.execute(
        "UPDATE inventories SET activity_count = (SELECT count(*) FROM activity_records"
        " WHERE activity_records.inventory_id = inventories.id)"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":  # SQLite drops a column's own CHECK with it
        op.drop_constraint(op.f("ck_inventories_activity_count_not_negative"), "inventories", type_="check")
    op.drop_column("inventories", "activity_count")
    op.drop_index("ix_activity_records_inventory_order", table_name="activity_records")
