"""An organisation's own factor carries its uncertainty: a ± %, its basis and its source.

``organisation_factors.uncertainty_percent`` (the ± half-width of the 95 % interval),
``uncertainty_basis`` ('published' or 'expert_judgement', seed 000 §4.7) and
``uncertainty_source`` (the publication, or why an expert chose the figure). The factors of
before state none: their columns stay empty and the report counts the records they price.

The check (none, or a ± % in [0, 1000] with a known basis) is added with the column that closes
it: ADD COLUMN may carry a CHECK on SQLite and PostgreSQL alike, so the table is not rebuilt
(a rebuild would lose SQLite's AUTOINCREMENT, see 0009_audited_ids).

Revision ID: 0022_factor_uncertainty
Revises: 0021_reduction_targets
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import ExactDecimal

revision: str = "0022_factor_uncertainty"
down_revision: str | None = "0021_reduction_targets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As :data:`neutrality.inventory.tables.UNCERTAINTY_CHECK` says it today (a migration keeps its own copy).
_CHECK = (
    "(uncertainty_percent IS NULL AND uncertainty_basis IS NULL) OR "
    "(CAST(uncertainty_percent AS NUMERIC) BETWEEN 0 AND 1000 AND "
    "uncertainty_basis IN ('published', 'expert_judgement'))"
)


def upgrade() -> None:
    op.add_column("organisation_factors", sa.Column("uncertainty_percent", ExactDecimal(), nullable=True))
    op.add_column("organisation_factors", sa.Column(
        "uncertainty_source", sa.String(length=500), nullable=False, server_default=sa.text("''")))
    # Last, with the check that reads all three (both backends take a CHECK in ADD COLUMN).
    column = sa.Column("uncertainty_basis", sa.String(length=20), nullable=True)
    kind = column.type.compile(dialect=op.get_context().dialect)
    name = op.f("ck_organisation_factors_uncertainty_valid")
    op.execute(f"ALTER TABLE organisation_factors ADD COLUMN uncertainty_basis {kind} "
               f"CONSTRAINT {name} CHECK ({_CHECK})")


def downgrade() -> None:
    # The check goes with uncertainty_basis, the column it is declared on (SQLite drops a column
    # whose own CHECK names others; PostgreSQL drops the constraints of a dropped column). Plain
    # DROP COLUMN, not a batch rebuild, for SQLite's AUTOINCREMENT.
    for name in ("uncertainty_basis", "uncertainty_source", "uncertainty_percent"):
        op.execute(f"ALTER TABLE organisation_factors DROP COLUMN {name}")
