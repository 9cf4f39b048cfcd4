"""Contested serial blocks: units another organisation holds.

Revision ID: 0011_contested_blocks
Revises: 0010_sessions_invitations
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0011_contested_blocks"
down_revision: str | Sequence[str] | None = "0010_sessions_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
