"""Audit log hash chain: ``previous_hash`` and ``entry_hash`` on every audit entry.

Existing entries are chained in id order, hashed by :mod:`neutrality.audit.chain` exactly as the
application hashes new ones. Filling the columns is an UPDATE, which the append-only triggers
refuse: they are dropped for the backfill and re-created as 0001 made them (on PostgreSQL only
the trigger: its function stays). SQLite drops a table's triggers when batch mode rebuilds it,
which is one more reason to drop them first and re-create them last. The downgrade removes the
columns and keeps the triggers.

Offline (``--sql``) the backfill cannot run: it needs the rows and Python's SHA-256 of their
canonical JSON, which SQL does not reproduce. The script says so in a comment; applied to a
database that has audit entries, its SET NOT NULL then fails rather than leave them unchained.

Revision ID: 0005_audit_chain
Revises: 0004_registry
Create Date: 2026-11-21 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

# Imported, not copied: the backfill must hash exactly as the application verifies, and the
# serialisation is a stored format that cannot change without re-chaining the log anyway.
from neutrality.audit import chain
from neutrality.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0005_audit_chain"
down_revision: str | Sequence[str] | None = "0004_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "audit_entries is append-only"

#: Entries hashed and updated per round trip: a large log is never read whole.
_BATCH = 1000

# The columns as the application reads them (UTC datetimes, decoded JSON), so the backfill
# hashes the same values a later verification reads back.
_entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer()),
    sa.column("occurred_at", UTCDateTime()),
    sa.column("actor_user_id", sa.Integer()),
    sa.column("actor_label", sa.String()),
    sa.column("organisation_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("previous_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)


def _dialect() -> str:
    name = op.get_context().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"migrations support PostgreSQL and SQLite, not {name}")
    return name


def upgrade() -> None:
    dialect = _dialect()
    _drop_append_only_triggers(dialect)
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    if context.is_offline_mode():
        op.execute(
            "-- 0005_audit_chain: existing audit entries must be chained by running this "
            "migration online; the SET NOT NULL below fails if audit_entries has rows"
        )
    else:
        _chain_existing_entries()
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_audit_entries_previous_hash"), ["previous_hash"]
        )
    _create_append_only_triggers(dialect)


def _chain_existing_entries() -> None:
    # In id order, a batch at a time (keyset, so no cursor stays open across the updates).
    conn = op.get_bind()
    update = (
        sa.update(_entries)
        .where(_entries.c.id == sa.bindparam("entry_id"))
        .values(previous_hash=sa.bindparam("new_previous"), entry_hash=sa.bindparam("new_hash"))
    )
    previous_hash = chain.GENESIS_HASH
    last_id = None
    while True:
        query = sa.select(_entries).order_by(_entries.c.id).limit(_BATCH)
        if last_id is not None:
            query = query.where(_entries.c.id > last_id)
        rows = conn.execute(query).all()
        if not rows:
            return
        changes = []
        for row in rows:
            entry_hash = chain.entry_hash(row, previous_hash)
            changes.append(
                {"entry_id": row.id, "new_previous": previous_hash, "new_hash": entry_hash}
            )
            previous_hash = entry_hash
        conn.execute(update, changes)
        last_id = rows[-1].id


def downgrade() -> None:
    dialect = _dialect()
    # SQLite rebuilds the table to drop columns, which would drop the triggers with it.
    _drop_append_only_triggers(dialect)
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("uq_audit_entries_previous_hash"), type_="unique")
        batch.drop_column("entry_hash")
        batch.drop_column("previous_hash")
    _create_append_only_triggers(dialect)


# --- the append-only triggers, as 0001_foundation creates them ----------------------------------
# Written out rather than imported from 0001 (whose module name starts with a digit): the same
# SQL, so the triggers are exactly those of the foundation.


def _create_append_only_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        # The function audit_entries_append_only() of 0001 was never dropped.
        op.execute(
            "CREATE TRIGGER audit_entries_append_only "
            "BEFORE UPDATE OR DELETE ON audit_entries "
            "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
        )
    else:
        for event in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER audit_entries_no_{event} BEFORE {event.upper()} ON audit_entries "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_append_only_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_entries_no_{event}")
