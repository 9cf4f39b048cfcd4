"""Writing and reading the audit log. Every service that changes state calls :func:`record`."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.tables import AuditEntry
from neutrality.clock import utcnow
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
    session.add(entry)
    return entry


def list_entries(uow: UnitOfWork, actor: Actor, organisation_id: int, page: Page) -> PageResult:
    authorize(actor, Permission.VIEW_AUDIT, organisation_id)
    with uow:
        where = AuditEntry.organisation_id == organisation_id
        total = uow.session.scalar(select(func.count()).select_from(AuditEntry).where(where))
        items = uow.session.scalars(
            select(AuditEntry).where(where).order_by(AuditEntry.id.desc())
            .offset(page.offset).limit(page.size)
        ).all()
        return PageResult(items, total or 0, page)
