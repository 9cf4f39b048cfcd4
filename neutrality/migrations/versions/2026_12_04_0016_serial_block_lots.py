"""Held blocks read as lots by the retirement planner.

``ix_serial_blocks_lots``: the organisation's blocks by status and what makes them alike for the
planner (scheme, project, vintage, purchase), then id and quantity, so that grouping 200,000
held blocks into lots reads the index alone, in its order, and a lot's blocks are read by id a
page at a time.

Revision ID: 0016_serial_block_lots
Revises: 0015_claim_frameworks
Create Date: 2026-12-04 23:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_serial_block_lots"
down_revision: str | None = "0015_claim_frameworks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["organisation_id", "status", "scheme", "project_id", "vintage_start", "vintage_end", "purchase_id",
           "id", "quantity"]


def upgrade() -> None:
    op.create_index("ix_serial_blocks_lots", "serial_blocks", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_serial_blocks_lots", table_name="serial_blocks")
