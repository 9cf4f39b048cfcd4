"""A retirement recorded although a blocking rule of the claim refuses it.

``retirements.exclusion_reason``: why the user recorded it all the same (the registry retirement
had already happened); empty for a retirement the rules accepted. ``retirements.findings``: the
blocking findings at the time it was recorded. Such a retirement stays in the ledger (its units
are retired, once) and the balance under the claim does not count it.

Revision ID: 0017_retirements_despite_rules
Revises: 0016_serial_block_lots
Create Date: 2026-12-04 23:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_retirements_despite_rules"
down_revision: str | None = "0016_serial_block_lots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN: the ledger is append-only (its triggers refuse UPDATE), and a rebuild would lose
    # SQLite's AUTOINCREMENT
    op.add_column("retirements", sa.Column("exclusion_reason", sa.Text(), nullable=False, server_default=sa.text("''")))
    op.add_column("retirements", sa.Column("findings", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("retirements", "findings")
    op.drop_column("retirements", "exclusion_reason")
