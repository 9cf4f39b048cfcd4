"""Contested serial blocks: units another organisation holds.

- ``serial_blocks.status`` takes two more values: ``contested`` (entered on units another
  organisation holds, has reserved or has retired; waits for a site administrator) and ``void``
  (lost a contest). Void blocks no longer count as the organisation's, so the partial index of
  its holdings leaves them out as it leaves out blocks transferred out.
- Two partial indexes across organisations: the blocks holding their units without dispute
  (held, reserved, retired; they never share a unit, whoever holds them) and the contested ones.
- ``serial_contests``: one row per contested block, open until resolved with a reason and the
  evidence.

Blocks already stored that share units with another organisation's (entered before this
revision, when holdings were checked per organisation only) are made contested here, so that the
claims never overlap from now on: in each issuance, units retired in the ledger stay with their
retirement, then the block entered first keeps its units; every later overlapping block becomes
contested, with its contest opened and written in the audit chain (hashed by
:mod:`neutrality.audit.chain`, as the application does). Offline (``--sql``) that pass cannot run;
the script says so in a comment.

The downgrade turns contested blocks back into held ones and void blocks into transferred-out
ones (no longer the organisation's), then removes the contests.

Revision ID: 0011_contested_blocks
Revises: 0010_sessions_invitations
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.schema import CreateTable

# Imported, not copied: an entry must hash exactly as the application verifies it.
from neutrality.audit import chain
from neutrality.db import UTCDateTime

revision: str = "0011_contested_blocks"
down_revision: str | Sequence[str] | None = "0010_sessions_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_STATUSES = ("held", "reserved", "retired", "cancelled", "transferred_out")
_NEW_STATUSES = (*_OLD_STATUSES, "contested", "void")

_HELD_BY_US_BEFORE = "status <> 'transferred_out'"
_HELD_BY_US = "status <> 'transferred_out' AND status <> 'void'"
_CLAIMED = "status = 'held' OR status = 'reserved' OR status = 'retired'"
_CONTESTED = "status = 'contested'"

_ACTOR = "migration 0011_contested_blocks"


def _status_check(statuses: Sequence[str]) -> str:
    # as neutrality.db.enum_values_check(..., bulk=True) writes it
    return "(" + " OR ".join(f"status = '{s}'" for s in statuses) + ")"


def _change_status_check(before: Sequence[str], after: Sequence[str]) -> None:
    """The CHECK on ``serial_blocks.status`` rewritten. PostgreSQL alters it in place. SQLite
    cannot, so the table is rebuilt as 0009_audited_ids rebuilds tables: from its own CREATE
    statement with only the CHECK text changed (AUTOINCREMENT, names and everything else stay as
    they are), the rows copied with their ids, the indexes and triggers written again."""
    name = op.f("ck_serial_blocks_status_known")
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(name, "serial_blocks", type_="check")
        op.create_check_constraint(name, "serial_blocks", _status_check(after))
        return
    if context.is_offline_mode():
        raise NotImplementedError(
            "0011_contested_blocks rebuilds a SQLite table from the database: run it online"
        )
    conn = op.get_bind()
    create = conn.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'serial_blocks'")
    ).scalar_one()
    if create.count(_status_check(before)) != 1:
        raise RuntimeError(f"unexpected status check, not rebuilt: {create[:300]}")
    dependents = (
        conn.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
                " AND tbl_name = 'serial_blocks' AND sql IS NOT NULL ORDER BY type, name"
            )
        )
        .scalars()
        .all()
    )
    rebuilt = create.replace(_status_check(before), _status_check(after))
    op.execute(
        re.sub(
            r'^CREATE TABLE ("?)serial_blocks\1 \(',
            "CREATE TABLE _serial_blocks_0011 (",
            rebuilt,
            count=1,
        )
    )
    op.execute("INSERT INTO _serial_blocks_0011 SELECT * FROM serial_blocks")
    op.execute("DROP TABLE serial_blocks")
    op.execute("ALTER TABLE _serial_blocks_0011 RENAME TO serial_blocks")
    for statement in dependents:
        op.execute(statement)


def _holdings_index(where: str, *, create: bool) -> None:
    clause = sa.text(where)
    if create:
        op.create_index(
            "ix_serial_blocks_issuance_start",
            "serial_blocks",
            ["organisation_id", "scheme", "issuance_key", "serial_start"],
            unique=False,
            postgresql_where=clause,
            sqlite_where=clause,
        )
    else:
        op.drop_index(
            "ix_serial_blocks_issuance_start",
            table_name="serial_blocks",
            postgresql_where=clause,
            sqlite_where=clause,
        )


def _contest_columns_and_constraints() -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("claimed_status", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=254), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence_filename", sa.String(length=300), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("evidence", sa.LargeBinary(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_serial_contests_status_known")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('claimant', 'holders')",
            name=op.f("ck_serial_contests_outcome_known"),
        ),
        sa.CheckConstraint(
            "claimed_status = 'held' OR claimed_status = 'retired'",
            name=op.f("ck_serial_contests_claimed_status_known"),
        ),
        sa.CheckConstraint(
            "(status = 'open' AND outcome IS NULL AND resolved_at IS NULL) OR (status = 'resolved' "
            "AND outcome IS NOT NULL AND resolved_at IS NOT NULL AND evidence_sha256 IS NOT NULL)",
            name=op.f("ck_serial_contests_resolution_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["serial_blocks.id"],
            name=op.f("fk_serial_contests_block_id_serial_blocks"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_serial_contests_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_contests")),
        sa.UniqueConstraint("block_id", name=op.f("uq_serial_contests_block_id")),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"


def _create_contests() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table("serial_contests", *_contest_columns_and_constraints())
        return
    # The audit log names contests by id, so SQLite must never hand one out twice (AUTOINCREMENT,
    # as 0009_audited_ids gives the other audited tables), and the key keeps its conventional
    # name there as in 0009: CONSTRAINT pk_serial_contests PRIMARY KEY AUTOINCREMENT.
    metadata = sa.MetaData()
    for referred in (
        "organisations",
        "serial_blocks",
    ):  # what the foreign keys name, for the compiler
        sa.Table(referred, metadata, sa.Column("id", sa.Integer(), primary_key=True))
    table = sa.Table(
        "serial_contests", metadata, *_contest_columns_and_constraints(), sqlite_autoincrement=True
    )
    create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
    if create.count(_UNNAMED_AUTOINCREMENT_KEY) != 1:
        raise RuntimeError(f"unexpected primary key: {create[:300]}")
    op.execute(
        create.replace(
            _UNNAMED_AUTOINCREMENT_KEY,
            "id INTEGER NOT NULL CONSTRAINT pk_serial_contests PRIMARY KEY AUTOINCREMENT",
        )
    )


def upgrade() -> None:
    _create_contests()
    op.create_index(
        op.f("ix_serial_contests_organisation_id"),
        "serial_contests",
        ["organisation_id"],
        unique=False,
    )
    op.create_index("ix_serial_contests_status", "serial_contests", ["status", "id"], unique=False)

    _holdings_index(_HELD_BY_US_BEFORE, create=False)
    _change_status_check(_OLD_STATUSES, _NEW_STATUSES)
    _holdings_index(_HELD_BY_US, create=True)
    for name, where in (
        ("ix_serial_blocks_claims", _CLAIMED),
        ("ix_serial_blocks_contested", _CONTESTED),
    ):
        op.create_index(
            name,
            "serial_blocks",
            ["scheme", "issuance_key", "serial_start"],
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )

    if context.is_offline_mode():
        op.execute(
            "-- 0011_contested_blocks: blocks of two organisations sharing units are made "
            "contested only when this migration runs online"
        )
    else:
        _contest_overlapping_blocks()


def downgrade() -> None:
    op.execute("UPDATE serial_blocks SET status = 'held' WHERE status = 'contested'")
    op.execute("UPDATE serial_blocks SET status = 'transferred_out' WHERE status = 'void'")
    op.drop_index("ix_serial_contests_status", table_name="serial_contests")
    op.drop_index(op.f("ix_serial_contests_organisation_id"), table_name="serial_contests")
    op.drop_table("serial_contests")
    for name, where in (
        ("ix_serial_blocks_contested", _CONTESTED),
        ("ix_serial_blocks_claims", _CLAIMED),
    ):
        op.drop_index(
            name,
            table_name="serial_blocks",
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )
    _holdings_index(_HELD_BY_US, create=False)
    _change_status_check(_NEW_STATUSES, _OLD_STATUSES)
    _holdings_index(_HELD_BY_US_BEFORE, create=True)


# --- blocks of two organisations sharing units, entered before this revision ---------------------


def _contest_overlapping_blocks() -> None:
    conn = op.get_bind()
    shared = conn.execute(
        sa.text(
            "SELECT scheme, issuance_key FROM serial_blocks"
            " WHERE status IN ('held', 'reserved', 'retired')"
            " GROUP BY scheme, issuance_key HAVING COUNT(DISTINCT organisation_id) > 1"
        )
    ).all()
    for scheme, issuance_key in shared:
        blocks = conn.execute(
            sa.text(
                "SELECT b.id, b.organisation_id, b.serial_start, b.serial_end, b.status,"
                " EXISTS (SELECT 1 FROM retirements r"
                "         JOIN retired_ranges g ON g.retirement_id = r.id"
                "         WHERE r.block_id = b.id) AS in_ledger "
                "FROM serial_blocks b WHERE b.scheme = :scheme AND b.issuance_key = :key"
                " AND b.status IN ('held', 'reserved', 'retired')"
            ),
            {"scheme": scheme, "key": issuance_key},
        ).all()
        # the ledger's units first (they stand retired), then the order the blocks were entered in
        kept: list[Any] = []
        for block in sorted(blocks, key=lambda b: (not b.in_ledger, b.id)):
            if any(
                k.organisation_id != block.organisation_id
                and k.serial_start <= block.serial_end
                and block.serial_start <= k.serial_end
                for k in kept
            ):
                _contest(conn, block)
            else:
                kept.append(block)


def _contest(conn: sa.Connection, block: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        sa.text("UPDATE serial_blocks SET status = 'contested' WHERE id = :id"), {"id": block.id}
    )
    conn.execute(sa.text("DELETE FROM block_reservations WHERE block_id = :id"), {"id": block.id})
    claimed = "retired" if block.status == "retired" else "held"
    contest_id = conn.execute(
        sa.insert(_contests)
        .values(
            organisation_id=block.organisation_id,
            block_id=block.id,
            claimed_status=claimed,
            status="open",
            opened_at=now,
            opened_by=_ACTOR,
            reason="",
        )
        .returning(_contests.c.id)
    ).scalar_one()
    _append_audit_entry(
        conn,
        now,
        block.organisation_id,
        {
            "id": contest_id,
            "organisation_id": block.organisation_id,
            "block_id": block.id,
            "claimed_status": claimed,
            "status": "open",
            "opened_at": now.isoformat(),
            "opened_by": _ACTOR,
            "outcome": None,
            "reason": "",
            "evidence_filename": None,
            "evidence_sha256": None,
            "evidence": None,
            "resolved_at": None,
            "resolved_by": None,
        },
        contest_id,
    )


_contests = sa.table(
    "serial_contests",
    sa.column("id", sa.Integer()),
    sa.column("organisation_id", sa.Integer()),
    sa.column("block_id", sa.Integer()),
    sa.column("claimed_status", sa.String()),
    sa.column("status", sa.String()),
    sa.column("opened_at", UTCDateTime()),
    sa.column("opened_by", sa.String()),
    sa.column("reason", sa.Text()),
)

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


def _append_audit_entry(
    conn: sa.Connection,
    now: dt.datetime,
    organisation_id: int,
    after: dict[str, Any],
    contest_id: int,
) -> None:
    """The contest's "registry.contest.open" entry, appended to the chain as
    :mod:`neutrality.audit.services` appends (the migration is the only writer while it runs)."""
    last = conn.execute(
        sa.select(_entries.c.id, _entries.c.entry_hash).order_by(_entries.c.id.desc()).limit(1)
    ).first()
    previous_hash = last.entry_hash if last is not None else chain.GENESIS_HASH
    if conn.dialect.name == "postgresql":
        entry_id = conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence('audit_entries', 'id'))")
        ).scalar_one()
    else:
        entry_id = (last.id if last is not None else 0) + 1
    entry = SimpleNamespace(
        id=entry_id,
        occurred_at=now,
        actor_user_id=None,
        actor_label=_ACTOR,
        organisation_id=organisation_id,
        action="registry.contest.open",
        entity_type="serial_contests",
        entity_id=str(contest_id),
        before=None,
        after=after,
    )
    conn.execute(
        sa.insert(_entries).values(
            **vars(entry),
            previous_hash=previous_hash,
            entry_hash=chain.entry_hash(entry, previous_hash),
        )
    )
