"""The frameworks a commitment's claims are judged by, and the other names of an organisation.

``commitments.frameworks``: the rule-set keys (sbti-near-term, sbti-net-zero, re100) judged
besides the claim's standard. ``organisations.aliases``: names a registry may record the
organisation under as a retirement's beneficiary. Both start empty.

Revision ID: 0015_claim_frameworks
Revises: 0014_column_mappings
Create Date: 2026-12-04 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_claim_frameworks"
down_revision: str | None = "0014_column_mappings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN, not a batch rebuild (a rebuild would lose SQLite's AUTOINCREMENT); nullable
    # with no server default, since PostgreSQL cannot compare a JSON default with the model's.
    # The application always writes a list; the rows of before get an empty one.
    op.add_column("commitments", sa.Column("frameworks", sa.JSON(), nullable=True))
    op.add_column("organisations", sa.Column("aliases", sa.JSON(), nullable=True))
    op.execute("UPDATE commitments SET frameworks = '[]'")
    op.execute("UPDATE organisations SET aliases = '[]'")


def downgrade() -> None:
    op.drop_column("organisations", "aliases")
    op.drop_column("commitments", "frameworks")
