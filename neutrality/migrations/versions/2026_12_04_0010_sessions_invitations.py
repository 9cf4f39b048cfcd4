"""Revocable sessions and invitations to organisations.

Revision ID: 0010_sessions_invitations
Revises: 0009_audited_ids
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0010_sessions_invitations"
down_revision: str | Sequence[str] | None = "0009_audited_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
