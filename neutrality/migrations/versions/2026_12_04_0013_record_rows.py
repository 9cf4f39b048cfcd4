"""Each activity record keeps the spreadsheet row it was read from.

``activity_records.source_row``: the row of the import file (as the spreadsheet numbers it), so
that an error about a stored record, or an overlap with a later file, names the file and the row
a person can open. Records sent as JSON, and those stored before this revision, have none.

Revision ID: 0013_record_rows
Revises: 0012_activity_pages
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_record_rows"
down_revision: str | None = "0012_activity_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN, not a batch rebuild: a rebuild through reflection would lose SQLite's
    # AUTOINCREMENT (0009), and the table may hold millions of rows.
    op.add_column("activity_records", sa.Column("source_row", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("activity_records", "source_row")
