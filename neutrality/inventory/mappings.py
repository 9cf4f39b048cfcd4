"""Column mappings saved per organisation and file layout.

A ledger of the factory's own headers (「用电量（千瓦时）」, 「厂区」, 「计量起始」) needs a mapping the
first time; the import saves it under the layout of the file's header row
(:func:`~neutrality.inventory.importing.layout_key`), and next month's file of the same layout is
read with it without the mapping being sent again. One mapping per layout and organisation: a
mapping given again for the layout replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.db import owned_row
from neutrality.inventory.importing import ColumnMapping
from neutrality.inventory.tables import SavedMapping
from neutrality.organisations.repository import get_organisation_row
from neutrality.uow import UnitOfWork


@dataclass(frozen=True)
class MappingUse:
    """Which mapping read a file, for the user to see: one sent with it ("given"; with its id
    once saved), the organisation's saved one for the file's layout ("saved"), or none."""

    source: str  # "given", "saved" or "none"
    id: int | None = None
    saved_at: dt.datetime | None = None

    @classmethod
    def of(cls, source: str, row: SavedMapping | None = None) -> MappingUse:
        return cls(source) if row is None else cls(source, row.id, row.created_at)


# --- repository --------------------------------------------------------------------------------


def saved_mappings(session: Session, organisation_id: int) -> dict[str, SavedMapping]:
    """The organisation's saved mappings by layout key."""
    rows = session.scalars(
        select(SavedMapping).where(SavedMapping.organisation_id == organisation_id)
    )
    return {row.layout: row for row in rows}


def as_mapping(row: SavedMapping) -> ColumnMapping:
    return ColumnMapping(columns=dict(row.columns), fixed=dict(row.fixed), sheet=row.sheet)


def save_mapping(
    session: Session,
    actor: Actor,
    organisation_id: int,
    *,
    layout: str,
    header: tuple[str, ...],
    mapping: ColumnMapping,
) -> SavedMapping:
    """Save ``mapping`` for the layout (replacing the one saved for it), in the caller's
    transaction, audited."""
    now = utcnow()
    row = _saved(session, organisation_id, layout)
    if row is None:
        # Another import may save the same new layout at the same moment (PostgreSQL runs both):
        # the insert goes in a savepoint, and losing the race means updating the winner's row.
        try:
            with session.begin_nested():
                session.add(SavedMapping(
                    organisation_id=organisation_id, layout=layout, header=list(header),
                    columns={}, fixed={}, sheet=None, created_at=now, created_by=actor.label,
                    last_used_at=now,
                ))
        except IntegrityError:
            pass
        row = _saved(session, organisation_id, layout)
        before = None
    else:
        before = snapshot(row)
    assert row is not None
    row.header, row.columns, row.fixed, row.sheet = (
        list(header),
        dict(mapping.columns),
        dict(mapping.fixed),
        mapping.sheet,
    )
    row.created_at, row.created_by, row.last_used_at = now, actor.label, now
    record(
        session, actor, "column_mapping.save", row, before=before, organisation_id=organisation_id
    )
    return row


def _saved(session: Session, organisation_id: int, layout: str) -> SavedMapping | None:
    return session.scalar(
        select(SavedMapping).where(
            SavedMapping.organisation_id == organisation_id, SavedMapping.layout == layout
        )
    )


def mark_used(session: Session, mapping_id: int) -> None:
    """Note that a saved mapping read a file now (a mapping forgotten meanwhile is left gone)."""
    session.execute(
        update(SavedMapping).where(SavedMapping.id == mapping_id).values(last_used_at=utcnow())
    )


# --- services ----------------------------------------------------------------------------------


def list_mappings(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[SavedMapping]:
    """The organisation's saved mappings, the most recently used first."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        return list(
            uow.session.scalars(
                select(SavedMapping)
                .where(SavedMapping.organisation_id == organisation_id)
                .order_by(SavedMapping.last_used_at.desc(), SavedMapping.id.desc())
            )
        )


def forget_mapping(uow: UnitOfWork, actor: Actor, organisation_id: int, mapping_id: int) -> None:
    """Delete a saved mapping, audited: the next file of its layout needs a mapping again."""
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    with uow:
        row = owned_row(
            uow.session, SavedMapping, organisation_id, mapping_id, what="column mapping"
        )
        record(
            uow.session,
            actor,
            "column_mapping.delete",
            row,
            before=snapshot(row),
            deleted=True,
            organisation_id=organisation_id,
        )
        uow.session.delete(row)
        uow.commit()
