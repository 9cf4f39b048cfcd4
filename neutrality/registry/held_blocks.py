"""Use cases of the serial blocks an organisation holds: record one from a registry statement,
split it, change its status, list them; the holdings lock and the overlap probe that keep one
unit in one block.

The arithmetic of ranges is pure and lives in :mod:`neutrality.registry.blocks`; this module
applies it to the stored blocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, text, union_all
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize, require_authenticated
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.db import query_page
from neutrality.errors import Conflict, InvalidInput
from neutrality.messages import Msg
from neutrality.pagination import Page, PageResult
from neutrality.registry import blocks as block_math
from neutrality.registry.cross_holdings import (
    claimed_elsewhere,
    contested_elsewhere,
    lock_claims,
    open_contest,
)
from neutrality.registry.model import Block, BlockStatus, ParsedSerial, Scheme, SerialsContested
from neutrality.registry.purchases import check_purchase_quantity, purchase_for
from neutrality.registry.repository import get_block_row, get_project_row
from neutrality.registry.schemes import load_schemes
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.serials import SerialError, parse_serial
from neutrality.registry.tables import BlockReservation, InstrumentProject, SerialBlock
from neutrality.uow import UnitOfWork

#: Which status may follow which (transferred out and cancelled are final here; contested and void
#: change only by a contest's resolution).
_NEXT_STATUS = {
    BlockStatus.HELD: {BlockStatus.RESERVED, BlockStatus.CANCELLED, BlockStatus.TRANSFERRED_OUT},
    BlockStatus.RESERVED: {BlockStatus.HELD, BlockStatus.CANCELLED, BlockStatus.TRANSFERRED_OUT},
}


def list_schemes(actor: Actor) -> list[Scheme]:
    """The schemes a block can be of (any signed-in user may read them)."""
    require_authenticated(actor)
    return list(load_schemes().values())


def parse_block(
    scheme_code: str, serial: str, *, quantity: int | None, unit: str | None, as_of: dt.date
) -> tuple[Scheme, ParsedSerial]:
    """Read a serial and check it against what was said of it: the quantity must be the range,
    the unit the scheme's, the vintage not in the future."""
    scheme = scheme_of(scheme_code)
    if unit is not None and unit != scheme.unit:
        raise InvalidInput(
            Msg("{scheme} instruments are counted in {unit}, not {given}", scheme=scheme.code,
                unit=scheme.unit, given=unit),
            {
                "unit": [
                    f'{scheme.code} is a {scheme.kind.value.replace("_", " ")} scheme: use {scheme.unit}'
                ]
            },
        )
    parsed = parse_serial(scheme, serial)
    if quantity is not None and quantity != parsed.quantity:
        raise InvalidInput(
            Msg("the quantity {quantity} does not match the serial range {start}–{end} ({units} units)",
                quantity=format(quantity, ","), start=parsed.start, end=parsed.end,
                units=format(parsed.quantity, ",")),
            {"quantity": [f'the serial range holds {format(parsed.quantity, ",")}']},
        )
    if parsed.vintage_start is not None and parsed.vintage_start > as_of:
        raise InvalidInput(
            Msg("the vintage starts on {date}, in the future", date=parsed.vintage_start.isoformat()),
            {"serial": ["vintage in the future"]},
        )
    return scheme, parsed


def add_block(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any], *, as_of: dt.date
) -> SerialBlock:
    """Record a block the organisation holds, typed in from a registry statement."""
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        scheme, parsed = parse_block(
            data["scheme"],
            data["serial"],
            quantity=data.get("quantity"),
            unit=data.get("unit"),
            as_of=as_of,
        )
        project = get_project_row(session, organisation_id, data["project_id"])
        _check_project_fits(scheme, parsed, project)
        purchase = purchase_for(session, organisation_id, data.get("purchase_id"), scheme)
        vintage_start, vintage_end = _vintage(
            parsed, data.get("vintage_start"), data.get("vintage_end"), as_of
        )
        block = Block(scheme.code, parsed.issuance_key, parsed.start, parsed.end)
        lock_holdings(session, organisation_id)
        clash = find_held_overlap(session, organisation_id, block)
        if clash is not None:
            raise _overlap_conflict(block, clash)
        lock_claims(session)
        # Units another organisation holds are accepted, but only for a site administrator to
        # decide who keeps them; the answer says "contested" and nothing of the other side.
        contested = claimed_elsewhere(session, organisation_id, block)
        row = SerialBlock(
            organisation_id=organisation_id,
            scheme=scheme.code,
            project_id=project.id,
            issuance_key=parsed.issuance_key,
            serial_start=parsed.start,
            serial_end=parsed.end,
            quantity=parsed.quantity,
            vintage_start=vintage_start,
            vintage_end=vintage_end,
            status=(BlockStatus.CONTESTED if contested else BlockStatus.HELD).value,
            account=data.get("account", ""),
            raw_serial=parsed.raw,
            details=dict(parsed.fields),
            purchase_id=purchase.id if purchase else None,
            created_at=utcnow(),
            created_by=actor.label,
        )
        session.add(row)
        uow.flush()
        if purchase is not None:
            check_purchase_quantity(session, purchase)
        record(session, actor, "registry.block.add", row, organisation_id=organisation_id)
        if contested:
            open_contest(session, actor, row, BlockStatus.HELD)
        uow.commit()
        return row


def _vintage(
    parsed: ParsedSerial, start: dt.date | None, end: dt.date | None, as_of: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """The vintage (production period) from the serial, or as stated for serials that carry
    none (I-REC, CCER ranges); stated and decoded must agree."""
    if parsed.vintage_start is not None:
        if (start and start != parsed.vintage_start) or (end and end != parsed.vintage_end):
            raise InvalidInput(
                Msg("the serial says the vintage is {start} – {end}", start=parsed.vintage_start.isoformat(),
                    end=parsed.vintage_end.isoformat()),
                {"vintage_start": ["differs from the serial"]},
            )
        return parsed.vintage_start, parsed.vintage_end
    if start and end and end < start:
        raise InvalidInput(
            Msg("the vintage ends before it starts"), {"vintage_end": ["before the start"]}
        )
    if start and start > as_of:
        raise InvalidInput(
            Msg("the vintage starts on {date}, in the future", date=start.isoformat()),
            {"vintage_start": ["future"]},
        )
    return start, end or start


#: First key of the PostgreSQL advisory locks that serialise writers of one organisation's blocks.
_HOLDINGS_LOCK = 4_000_001


def lock_holdings(session: Session, organisation_id: int) -> None:
    """Serialise the writers of one organisation's blocks until the transaction ends, so that
    "is this range free?" and the insert that follows cannot interleave with another writer.
    SQLite needs nothing: every transaction there takes the write lock when it begins."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, :organisation)"),
            {"kind": _HOLDINGS_LOCK, "organisation": organisation_id},
        )


def find_held_overlap(session: Session, organisation_id: int, block: Block) -> SerialBlock | None:
    """The held block that shares a unit with ``block``, if any: one index probe.

    Held blocks of one issuance never overlap each other, so among those starting at or before
    the new block's end only the last one can reach into it (``ix_serial_blocks_issuance_start``,
    a partial index over the blocks neither transferred out nor void).
    """
    candidate = session.scalar(
        select(SerialBlock)
        .where(
            SerialBlock.organisation_id == organisation_id,
            SerialBlock.scheme == block.scheme,
            SerialBlock.issuance_key == block.issuance_key,
            SerialBlock.serial_start <= block.end,
            SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value,
            SerialBlock.status != BlockStatus.VOID.value,
        )
        .order_by(SerialBlock.serial_start.desc())
        .limit(1)
    )
    if candidate is not None and candidate.serial_end >= block.start:
        return candidate
    return None


def _overlap_conflict(block: Block, clash: SerialBlock) -> Conflict:
    return Conflict(
        Msg("serials {start}–{end} overlap block {id} ({serial}), already held ({status})",
            start=block.start, end=block.end, id=clash.id, serial=clash.raw_serial, status=clash.status),
        {"serial": [f"overlaps block {clash.id}"]},
    )


def _check_project_fits(scheme: Scheme, parsed: ParsedSerial, project: InstrumentProject) -> None:
    if project.kind != scheme.kind.value:
        raise InvalidInput(
            Msg("project {id} is a {kind} project; {scheme} is a {scheme_kind} scheme", id=project.id,
                kind=project.kind.replace("_", " "), scheme=scheme.code,
                scheme_kind=scheme.kind.value.replace("_", " ")),
            {"project_id": ["kind mismatch"]},
        )
    if parsed.project_id and parsed.project_id != project.registry_project_id:
        raise InvalidInput(
            Msg("the serial names project {named}, not {project}", named=parsed.project_id,
                project=project.registry_project_id),
            {"project_id": [f"the serial is of project {parsed.project_id}"]},
        )


def split_block(
    uow: UnitOfWork, actor: Actor, organisation_id: int, block_id: int, quantity: int
) -> tuple[SerialBlock, SerialBlock]:
    """Split a held block: it keeps the first ``quantity`` units, a new block the rest."""
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        row = get_block_row(session, organisation_id, block_id)
        if row.status not in (BlockStatus.HELD, BlockStatus.RESERVED):
            raise Conflict(
                Msg("block {id} is {status}: only held or reserved blocks are split", id=row.id, status=row.status)
            )
        part, rest = block_math.split(_value(row), quantity)
        if rest is None:
            raise InvalidInput(
                Msg("block {id} holds exactly {quantity}: nothing to split", id=row.id, quantity=format(quantity, ",")),
                {"quantity": ["the whole block"]},
            )
        before = snapshot(row)
        row.serial_end, row.quantity = part.end, part.quantity
        uow.flush()  # the shortened block first: the two never overlap, even for a moment
        reservation = reservation_of(session, row.id)
        remainder = split_off(
            session, actor, row, rest, reservation.period_id if reservation else None
        )
        uow.flush()
        record(
            session,
            actor,
            "registry.block.split",
            row,
            before=before,
            organisation_id=organisation_id,
        )
        uow.commit()
        return row, remainder


def split_off(
    session: Session,
    actor: Actor,
    block: SerialBlock,
    piece: Block,
    reserved_for: int | None,
) -> SerialBlock:
    """A new block of units ``piece`` taken from ``block`` (which the caller has already
    narrowed): same issuance, project, vintage, status, account, purchase and registry details,
    and reserved for the same period as the block, if it is (``reserved_for``, which the
    caller has looked up). Audited as an added block, whatever split it (a split, a retirement
    of part of a block, a reservation)."""
    row = SerialBlock(
        organisation_id=block.organisation_id,
        scheme=block.scheme,
        project_id=block.project_id,
        issuance_key=block.issuance_key,
        serial_start=piece.start,
        serial_end=piece.end,
        quantity=piece.quantity,
        vintage_start=block.vintage_start,
        vintage_end=block.vintage_end,
        status=block.status,
        account=block.account,
        raw_serial=block.raw_serial,
        details=dict(block.details),
        split_from_id=block.id,
        purchase_id=block.purchase_id,
        import_id=block.import_id,
        created_at=utcnow(),
        created_by=actor.label,
    )
    session.add(row)
    session.flush()
    if reserved_for is not None:
        session.add(
            BlockReservation(
                organisation_id=block.organisation_id,
                block_id=row.id,
                period_id=reserved_for,
                created_at=utcnow(),
                created_by=actor.label,
            )
        )
    record(session, actor, "registry.block.add", row, organisation_id=block.organisation_id)
    return row


def reservation_of(session: Session, block_id: int) -> BlockReservation | None:
    return session.scalar(select(BlockReservation).where(BlockReservation.block_id == block_id))


def set_block_status(
    uow: UnitOfWork, actor: Actor, organisation_id: int, block_id: int, status: str, reason: str
) -> SerialBlock:
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        row = get_block_row(session, organisation_id, block_id)
        new = BlockStatus(status)
        if new == BlockStatus.RETIRED:
            raise InvalidInput(
                Msg("blocks are retired through a retirement, with its evidence"),
                {"status": ["retired"]},
            )
        if row.status == BlockStatus.CONTESTED:
            raise SerialsContested("change status")
        if new not in _NEXT_STATUS.get(BlockStatus(row.status), set()):
            raise Conflict(Msg("block {id} is {status}; it cannot become {new}", id=row.id, status=row.status, new=new.value))
        if not reason.strip():
            raise InvalidInput(Msg("a status change needs a reason"), {"reason": ["required"]})
        if new == BlockStatus.RESERVED and contested_elsewhere(
            session, organisation_id, _value(row)
        ):
            raise SerialsContested("be reserved")
        before = snapshot(row)
        row.status = new.value
        row.details = {**row.details, "status_reason": reason.strip()}
        reservation = reservation_of(session, row.id)
        if reservation is not None and new != BlockStatus.RESERVED:  # released, cancelled or gone
            session.delete(reservation)
        record(
            session,
            actor,
            "registry.block.status",
            row,
            before=before,
            organisation_id=organisation_id,
        )
        uow.commit()
        return row


def list_blocks(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    page: Page,
    *,
    scheme: str | None = None,
    status: str | None = None,
    project_id: int | None = None,
    serial: str | None = None,
) -> PageResult[SerialBlock]:
    """The organisation's blocks by id; with ``serial``, only the blocks whose range holds that
    serial (or shares a unit with that range), read as :func:`serials_sought` reads it."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    sought = serials_sought(serial, scheme) if serial and serial.strip() else None
    with uow:
        query = select(SerialBlock).where(SerialBlock.organisation_id == organisation_id)
        if sought is not None:
            query = query.where(SerialBlock.id.in_(_holding(organisation_id, sought)))
        if scheme:
            query = query.where(SerialBlock.scheme == scheme_of(scheme).code)
        if status:
            query = query.where(SerialBlock.status == BlockStatus(status).value)
        if project_id:
            query = query.where(SerialBlock.project_id == project_id)
        return query_page(uow.session, query.order_by(SerialBlock.id), page)


#: The statuses the holdings index of an issuance leaves out (ix_serial_blocks_issuance_start).
_GONE = (BlockStatus.TRANSFERRED_OUT.value, BlockStatus.VOID.value)


def _holding(organisation_id: int, sought: list[ParsedSerial]) -> Any:
    """The ids of the organisation's blocks sharing a unit with one of ``sought``: for each, the
    blocks of its issuance along ix_serial_blocks_issuance_start, and the few transferred out or
    void beside them (the index leaves them out) — an index probe each, not a walk through every
    block held."""
    probes = []
    for found in sought:
        overlaps = (SerialBlock.organisation_id == organisation_id, SerialBlock.scheme == found.scheme,
                    SerialBlock.issuance_key == found.issuance_key, SerialBlock.serial_start <= found.end,
                    SerialBlock.serial_end >= found.start)
        probes.append(select(SerialBlock.id).where(
            *overlaps, SerialBlock.status != _GONE[0], SerialBlock.status != _GONE[1]))
        probes.append(select(SerialBlock.id).where(*overlaps, SerialBlock.status.in_(_GONE)))
    return union_all(*probes)


def serials_sought(serial: str, scheme: str | None = None) -> list[ParsedSerial]:
    """``serial`` (a serial or a range) decoded as a registry writes it: by the layout of
    ``scheme``, or without one by every scheme's layout that reads it (a bare prefix and number
    fits several). A serial no layout reads is refused in the words of the scheme's parser, or,
    without a scheme, with the layouts' names."""
    if scheme:
        return [parse_serial(scheme_of(scheme), serial)]
    found = []
    for candidate in load_schemes().values():
        try:
            found.append(parse_serial(candidate, serial))
        except SerialError:
            continue
    if not found:
        message = Msg("no scheme's serial layout reads “{serial}”; choose the scheme to see what it expects",
                      serial=serial.strip())
        raise SerialError(message)
    return found


def get_block(uow: UnitOfWork, actor: Actor, organisation_id: int, block_id: int) -> SerialBlock:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_block_row(uow.session, organisation_id, block_id)


def _value(row: SerialBlock) -> Block:
    return Block(row.scheme, row.issuance_key, row.serial_start, row.serial_end)
