"""What the rules of a standard read of a stored reduction target, beside its trajectory.

``emission_targets.term``: near_term (every target stored so far) or long_term (a net-zero
commitment's long-term target); ``set_on``: the day the target was set or submitted for
validation, when known; ``coverage_percent``: the share of its scopes' emissions it covers, when
stated. The SBTi rules (timeframe from submission, coverage, long-term depth) read them.

Added as columns (no rebuild, which would lose SQLite's AUTOINCREMENT); the service checks the
values, as the rows written before had none of them.

Revision ID: 0023_target_terms
Revises: 0022_factor_uncertainty
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import ExactDecimal

revision: str = "0023_target_terms"
down_revision: str | None = "0022_factor_uncertainty"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("emission_targets", sa.Column("term", sa.String(length=10), nullable=False,
                                                server_default="near_term"))
    op.add_column("emission_targets", sa.Column("set_on", sa.Date(), nullable=True))
    op.add_column("emission_targets", sa.Column("coverage_percent", ExactDecimal(), nullable=True))


def downgrade() -> None:
    op.drop_column("emission_targets", "coverage_percent")
    op.drop_column("emission_targets", "set_on")
    op.drop_column("emission_targets", "term")
