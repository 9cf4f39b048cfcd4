"""Audited tables never reuse an id (SQLite AUTOINCREMENT).

The audit log names a row by its table and id. Without AUTOINCREMENT, SQLite gives a new row
the largest id in the table plus one, so after the last row is deleted (a membership withdrawn,
a period removed, an activity record deleted) the next row takes its id, and two objects share
one ``entity_id`` in the log. With AUTOINCREMENT the largest id ever handed out is kept in
``sqlite_sequence`` and never handed out again. PostgreSQL's sequences never reuse an id: the
migration does nothing there.

SQLite sets AUTOINCREMENT only when a table is created, so each table is rebuilt as SQLite's
documentation describes (a new table, the rows copied with their ids, the old table dropped, the
new one renamed), from the table's own CREATE statement with only its primary key changed:
``CONSTRAINT pk_<table> PRIMARY KEY (id)`` becomes the id column's
``CONSTRAINT pk_<table> PRIMARY KEY AUTOINCREMENT``, its name kept. Everything else (CHECK
texts, partial indexes, defaults) stays exactly as it was, which rebuilding through reflection
would not promise. Dropping a table drops its indexes and triggers, so they are written again
from their saved statements: among them the append-only triggers of the retirement ledger
(0006). Copying the rows into the new table records their largest id in ``sqlite_sequence``.

The downgrade rebuilds the tables back to a table-level primary key. Offline (``--sql``) the
SQLite rebuild cannot be rendered: it reads each table's statement from the database.

Revision ID: 0009_audited_ids
Revises: 0008_block_reservations
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0009_audited_ids"
down_revision: str | Sequence[str] | None = "0008_block_reservations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Every table whose rows the audit log names by id (``entity_type``) at this revision.
AUDITED_TABLES = (
    "users",
    "memberships",
    "api_tokens",
    "organisations",
    "sites",
    "subjects",
    "subject_exclusions",
    "commitments",
    "application_periods",
    "inventories",
    "activity_imports",
    "activity_records",
    "organisation_factors",
    "inventory_completeness",
    "external_totals",
    "verifications",
    "instrument_projects",
    "registry_imports",
    "purchases",
    "serial_blocks",
    "retirements",
)

# The primary key as SQLAlchemy writes it for these tables: a table constraint after the columns
# (the comma before it included), and the id column it covers.
_TABLE_PRIMARY_KEY = re.compile(r",\s*CONSTRAINT (\w+) PRIMARY KEY \(id\)")
_ID_COLUMN = re.compile(r"^(\s*)id INTEGER NOT NULL(?=,)", re.MULTILINE)
# The same key written on the column, with AUTOINCREMENT.
_COLUMN_PRIMARY_KEY = re.compile(
    r"^(\s*)id INTEGER NOT NULL CONSTRAINT (\w+) PRIMARY KEY AUTOINCREMENT", re.MULTILINE
)
_FIRST_TABLE_CONSTRAINT = re.compile(r",(\s*)CONSTRAINT ")
_CREATE_TABLE = re.compile(r'^CREATE TABLE ("?)(\w+)\1 \(')


def upgrade() -> None:
    _rebuild_on_sqlite(_with_autoincrement)


def downgrade() -> None:
    _rebuild_on_sqlite(_without_autoincrement)


def _with_autoincrement(create: str) -> str:
    key = _TABLE_PRIMARY_KEY.search(create)
    if key is None or len(_ID_COLUMN.findall(create)) != 1:
        raise RuntimeError(f"unexpected primary key, not rebuilt: {create[:200]}")
    create = create[: key.start()] + create[key.end() :]
    column = rf"\1id INTEGER NOT NULL CONSTRAINT {key.group(1)} PRIMARY KEY AUTOINCREMENT"
    return _ID_COLUMN.sub(column, create)


def _without_autoincrement(create: str) -> str:
    column = _COLUMN_PRIMARY_KEY.search(create)
    if column is None:
        raise RuntimeError(f"unexpected primary key, not rebuilt: {create[:200]}")
    indent, name = column.groups()
    create = create[: column.start()] + f"{indent}id INTEGER NOT NULL" + create[column.end() :]
    key = f"CONSTRAINT {name} PRIMARY KEY (id)"
    first = _FIRST_TABLE_CONSTRAINT.search(create)
    if first is not None:  # table constraints follow every column
        return create[: first.start()] + f",{first.group(1)}{key}" + create[first.start() :]
    closing = create.rstrip().rindex(")")
    return create[:closing].rstrip() + f",\n{indent}{key}\n)"


def _rebuild_on_sqlite(rewrite: Callable[[str], str]) -> None:
    if op.get_context().dialect.name != "sqlite":
        return  # PostgreSQL's sequences never hand out an id twice
    if context.is_offline_mode():
        raise NotImplementedError(
            "0009_audited_ids rebuilds SQLite tables from their statements in the database: "
            "run it online"
        )
    conn = op.get_bind()
    for table in AUDITED_TABLES:
        create = conn.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
            {"table": table},
        ).scalar_one()
        # Indexes and triggers go with the table; the indexes SQLite makes for UNIQUE
        # constraints have no statement and come back with the constraints.
        dependents = conn.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
                    " AND tbl_name = :table AND sql IS NOT NULL ORDER BY type, name"),
            {"table": table},
        ).scalars().all()
        rebuilt = f"_{table}_0009"
        op.execute(_CREATE_TABLE.sub(f"CREATE TABLE {rebuilt} (", rewrite(create), count=1))
        op.execute(f'INSERT INTO {rebuilt} SELECT * FROM "{table}"')  # noqa: S608 - our names
        op.execute(f'DROP TABLE "{table}"')
        op.execute(f'ALTER TABLE {rebuilt} RENAME TO "{table}"')
        for statement in dependents:
            op.execute(statement)
