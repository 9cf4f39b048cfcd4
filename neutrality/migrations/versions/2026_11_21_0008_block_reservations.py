"""Reservations: held units set aside for one application period by a retirement plan.

Revision ID: 0008_block_reservations
Revises: 0007_retirement_imports
Create Date: 2026-11-21 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import UTCDateTime

revision: str = "0008_block_reservations"
down_revision: str | Sequence[str] | None = "0007_retirement_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "block_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["block_id"], ["serial_blocks.id"],
                                name=op.f("fk_block_reservations_block_id_serial_blocks")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_block_reservations_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["period_id"], ["application_periods.id"],
                                name=op.f("fk_block_reservations_period_id_application_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_block_reservations")),
        sa.UniqueConstraint("block_id", name=op.f("uq_block_reservations_block_id")),
    )
    with op.batch_alter_table("block_reservations") as batch_op:
        batch_op.create_index(batch_op.f("ix_block_reservations_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_block_reservations_period_id"), ["period_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("block_reservations") as batch_op:
        batch_op.drop_index(batch_op.f("ix_block_reservations_period_id"))
        batch_op.drop_index(batch_op.f("ix_block_reservations_organisation_id"))
    op.drop_table("block_reservations")
