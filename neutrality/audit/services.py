"""Writing and reading the audit log. Every service that changes state calls :func:`record`.

The log is one hash chain over all organisations, in id order (:mod:`neutrality.audit.chain`).
An entry's hash covers its id, so the id is fixed before the row is inserted, and the row is
inserted complete: the append-only triggers refuse the UPDATE that filling it in afterwards
would need.

When: :func:`record` only builds the entry; it joins the chain when the caller's transaction
commits (a ``before_commit`` hook). Callers may still amend an entry after ``record()`` returns
(``subject.update`` adds the site ids to ``after``), and the hash covers what is stored. Entries
of a transaction that rolls back never join the chain.

Serialised: the hook reads the last entry and appends after it, so no two transactions may do
that at once. SQLite is serialised already (every transaction begins with BEGIN IMMEDIATE).
PostgreSQL takes a transaction advisory lock first, held until the commit; in READ COMMITTED
(the default) the read that follows it sees the previous holder's committed entries. The hook
flushes the transaction's own changes before it takes the lock, so a holder writes nothing but
audit rows and never waits for another writer's row locks while others wait for it. A unique
constraint on ``previous_hash`` makes the database refuse a fork should anything append without
the lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from neutrality.access.model import Actor, Permission, authorize, require_admin
from neutrality.audit import chain
from neutrality.audit.chain import ChainReport, OrganisationChainReport
from neutrality.audit.tables import AuditEntry
from neutrality.clock import utcnow
from neutrality.db import query_page
from neutrality.pagination import Page, PageResult
from neutrality.uow import UnitOfWork

#: Columns never copied into the log (secrets stay secret even from auditors).
_SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):  # a stored file: the log keeps its fingerprint, not its content
        return {"bytes": len(value), "sha256": hashlib.sha256(value).hexdigest()}
    return value


def snapshot(row: Any) -> dict[str, Any]:
    """A JSON-ready copy of a row's column values, for the before/after of an audit entry."""
    return {
        column.key: _jsonable(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in _SECRET_COLUMNS
    }


def record(
    session: Session,
    actor: Actor,
    action: str,
    row: Any,
    *,
    before: dict[str, Any] | None = None,
    deleted: bool = False,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction: the change and its record commit together.

    ``after`` is the row as it now stands, unless the action ``deleted`` it.
    """
    session.flush()  # the row needs its id
    # Not added to the session: the entry is inserted, chained, when the transaction commits.
    entry = AuditEntry(
        occurred_at=utcnow(),
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        organisation_id=organisation_id,
        action=action,
        entity_type=row.__tablename__,
        entity_id=str(row.id) if hasattr(row, "id") else repr(row),
        before=before,
        after=None if deleted else snapshot(row),
    )
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


#: Where a session keeps the entries recorded in its transaction, until it commits.
_PENDING = "neutrality.audit.pending"

#: The PostgreSQL advisory lock that serialises appends to the chain: one global lock, as the
#: chain is global. Two-key form, beside the registry's per-organisation (4_000_001, org) locks.
_CHAIN_LOCK = (4_000_002, 0)


@event.listens_for(Session, "before_commit")
def _chain_pending_entries(session: Session) -> None:
    entries = session.info.pop(_PENDING, None)
    if entries:
        _append(session, entries)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending_entries(session: Session, transaction: SessionTransaction) -> None:
    # After a rollback, what was recorded never happened; after a commit the list is gone already.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _append(session: Session, entries: list[AuditEntry]) -> None:
    session.flush()  # the transaction's own changes first, then the lock (see the module doc)
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("SELECT pg_advisory_xact_lock(:kind, :key)"),
                        {"kind": _CHAIN_LOCK[0], "key": _CHAIN_LOCK[1]})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    previous_hash = last.entry_hash if last is not None else chain.GENESIS_HASH
    next_id = last.id + 1 if last is not None else 1
    for entry in entries:
        # The id is hashed, so it is taken now, under the lock, which also makes ids ascend in
        # chain order. PostgreSQL: from the column's own sequence, so later inserts that let the
        # database choose the id never collide with it (a rolled-back transaction leaves a gap
        # in the ids, not in the chain, which links by hash). SQLite: max(id) + 1, which is what
        # SQLite itself would assign.
        if postgresql:
            entry.id = session.execute(
                text("SELECT nextval(pg_get_serial_sequence('audit_entries', 'id'))")
            ).scalar_one()
        else:
            entry.id = next_id
            next_id += 1
        entry.previous_hash = previous_hash
        entry.entry_hash = previous_hash = chain.entry_hash(entry, previous_hash)
        session.add(entry)


def list_entries(uow: UnitOfWork, actor: Actor, organisation_id: int, page: Page) -> PageResult:
    authorize(actor, Permission.VIEW_AUDIT, organisation_id)
    with uow:
        query = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
        return query_page(uow.session, query.order_by(AuditEntry.id.desc()), page)


#: Entries fetched per round trip while verifying: the chain is streamed, never held whole.
_VERIFY_BATCH = 1000


_CHAIN_COLUMNS = (
    AuditEntry.id, AuditEntry.occurred_at, AuditEntry.actor_user_id,
    AuditEntry.actor_label, AuditEntry.organisation_id, AuditEntry.action,
    AuditEntry.entity_type, AuditEntry.entity_id, AuditEntry.before, AuditEntry.after,
    AuditEntry.previous_hash, AuditEntry.entry_hash,
)


def verify_organisation_chain(
    uow: UnitOfWork, actor: Actor, organisation_id: int
) -> OrganisationChainReport:
    """Walk the whole log and say whether the chain holds up to the organisation's entries.

    Whoever may read the organisation's log (leads, verifiers): the walk reads every entry, as
    the chain runs through them all, but the report names only the organisation's own
    (:func:`neutrality.audit.chain.walk_for`).
    """
    authorize(actor, Permission.VIEW_AUDIT, organisation_id)
    with uow:
        rows = uow.session.execute(
            select(*_CHAIN_COLUMNS).order_by(AuditEntry.id)
            .execution_options(yield_per=_VERIFY_BATCH)
        )
        try:
            return chain.walk_for(rows, organisation_id)
        finally:
            rows.close()


def verify_chain(uow: UnitOfWork, actor: Actor) -> ChainReport:
    """Walk the whole log in id order and report the first entry where the chain breaks.

    Site administrators only: the chain spans every organisation.
    """
    require_admin(actor)
    with uow:
        # Rows, not ORM objects: nothing goes through the identity map, and yield_per streams
        # (a server-side cursor on PostgreSQL). On PostgreSQL the cursor reads one snapshot,
        # which holds a prefix of the chain, since appends commit in chain order.
        rows = uow.session.execute(
            select(*_CHAIN_COLUMNS).order_by(AuditEntry.id).execution_options(yield_per=_VERIFY_BATCH)
        )
        try:
            return chain.walk(rows)
        finally:
            rows.close()
