"""Retirements read from a registry export point at the import they came from, and remember
the status their block had (which a reversal restores).

``retirements.import_id`` (nullable): a retirement recorded by hand has none.
``retirements.block_status_before``: "held" for every retirement recorded before (the only
kind there was). SQLite adds a
named foreign key only by rebuilding the table, which takes the ledger's append-only triggers
(0006) with it: they are written again afterwards, both ways.

Revision ID: 0007_retirement_imports
Revises: 0006_retirements
Create Date: 2026-11-21 22:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_retirement_imports"
down_revision: str | Sequence[str] | None = "0006_retirements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_retirements_import_id_registry_imports"
APPEND_ONLY_MESSAGE = "retirements is append-only"


def upgrade() -> None:
    status_before = sa.Column("block_status_before", sa.String(length=20), nullable=False,
                              server_default=sa.text("'held'"))
    if op.get_context().dialect.name != "sqlite":
        op.add_column("retirements", sa.Column("import_id", sa.Integer(), nullable=True))
        op.add_column("retirements", status_before)
        op.create_foreign_key(FOREIGN_KEY, "retirements", "registry_imports", ["import_id"], ["id"])
        return
    with op.batch_alter_table("retirements") as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.add_column(status_before)
        batch_op.create_foreign_key(FOREIGN_KEY, "registry_imports", ["import_id"], ["id"])
    _sqlite_ledger_triggers()


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(FOREIGN_KEY, "retirements", type_="foreignkey")
        op.drop_column("retirements", "block_status_before")
        op.drop_column("retirements", "import_id")
        return
    with op.batch_alter_table("retirements") as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_column("block_status_before")
        batch_op.drop_column("import_id")
    _sqlite_ledger_triggers()


def _sqlite_ledger_triggers() -> None:
    for event in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS retirements_no_{event} BEFORE {event.upper()} ON retirements "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )
