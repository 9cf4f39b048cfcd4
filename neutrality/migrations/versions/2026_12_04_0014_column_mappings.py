"""Column mappings saved per organisation and file layout.

``column_mappings``: the mapping given once with a ledger of the organisation's own headers,
kept under the layout of its header row (``layout``, a SHA-256 of the folded header cells and
the worksheet), so that the next file of that layout is read with it without sending it again.
One mapping per layout and organisation; ``header`` keeps the cells as the file wrote them.

Revision ID: 0014_column_mappings
Revises: 0013_record_rows
Create Date: 2026-12-04 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

from neutrality.db import UTCDateTime

revision: str = "0014_column_mappings"
down_revision: str | None = "0013_record_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns_and_constraints() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(length=64), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("fixed", sa.JSON(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_column_mappings")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_column_mappings_organisation_id_organisations"),
        ),
        sa.UniqueConstraint(
            "organisation_id", "layout", name=op.f("uq_column_mappings_organisation_id_layout")
        ),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table("column_mappings", *_columns_and_constraints())
        return
    # The audit log names mappings by id, so SQLite must never hand a deleted one's id on
    # (AUTOINCREMENT, as 0010 does for invitations), the key keeping its conventional name.
    metadata = sa.MetaData()
    sa.Table("organisations", metadata, sa.Column("id", sa.Integer(), primary_key=True))
    table = sa.Table(
        "column_mappings", metadata, *_columns_and_constraints(), sqlite_autoincrement=True
    )
    create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
    op.execute(
        create.replace(
            _UNNAMED_AUTOINCREMENT_KEY,
            "id INTEGER NOT NULL CONSTRAINT pk_column_mappings PRIMARY KEY AUTOINCREMENT",
        )
    )


def downgrade() -> None:
    op.drop_table("column_mappings")
