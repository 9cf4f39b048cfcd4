"""A user's interface language is their choice, or none ("" ): then the browser's applies.

``users.locale`` was "en" for every account made without one, so a reader whose browser asks
for Chinese was answered in English once signed in. The accounts holding "en" get "" (nobody
could choose a language in the pages before this revision: the value was the default, not a
choice); any other language set on an account is kept. The column stays as it is (not null).

Revision ID: 0019_user_locale_chosen
Revises: 0018_technology_codes
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019_user_locale_chosen"
down_revision: str | None = "0018_technology_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE users SET locale = '' WHERE locale = 'en'")


def downgrade() -> None:
    op.execute("UPDATE users SET locale = 'en' WHERE locale = ''")
