"""Use cases of the instrument registry: projects, serial blocks, purchases, registry imports,
holdings and what each application period still needs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize, require_authenticated
from neutrality.audit.services import record, snapshot
from neutrality.bulk import insert_rows, sqlite_datetime
from neutrality.clock import utcnow
from neutrality.db import query_page
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.pagination import Page, PageResult
from neutrality.registry import blocks as block_math
from neutrality.registry.exports import (
    TEMPLATE_KINDS,
    InstrumentRow,
    ProjectRow,
    read_registry_file,
    template_csv,
)
from neutrality.registry.model import Block, BlockStatus, InstrumentKind, ParsedSerial, Scheme
from neutrality.registry.schemes import load_schemes
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.serials import parse_serial
from neutrality.registry.tables import (
    BlockReservation,
    InstrumentProject,
    Purchase,
    RegistryImport,
    Retirement,
    SerialBlock,
)
from neutrality.spreadsheets import ImportRejected, RowError
from neutrality.units import tidy
from neutrality.uow import UnitOfWork

#: Which status may follow which (transferred out and cancelled are final here).
_NEXT_STATUS = {
    BlockStatus.HELD: {BlockStatus.RESERVED, BlockStatus.CANCELLED, BlockStatus.TRANSFERRED_OUT},
    BlockStatus.RESERVED: {BlockStatus.HELD, BlockStatus.CANCELLED, BlockStatus.TRANSFERRED_OUT},
}


def list_schemes(actor: Actor) -> list[Scheme]:
    require_authenticated(actor)
    return list(load_schemes().values())


def registry_template(actor: Actor, kind: str) -> bytes:
    """The CSV template of a registry file that has no public export layout (I-REC, GEC, CCER)."""
    require_authenticated(actor)
    if kind not in TEMPLATE_KINDS:
        raise NotFound(f"no template for '{kind}'; templates: {', '.join(TEMPLATE_KINDS)}")
    return template_csv(kind)


# --- projects and devices ----------------------------------------------------------------------


def _owned(session: Session, model: type[Any], what: str, organisation_id: int, row_id: int) -> Any:
    """A row of the organisation; another organisation's row is "not found", as a missing one
    is (tenants do not learn of each other)."""
    row = session.get(model, row_id)
    if row is None or row.organisation_id != organisation_id:
        raise NotFound(f"{what} {row_id} not found in organisation {organisation_id}")
    return row


def get_project_row(session: Session, organisation_id: int, project_id: int) -> InstrumentProject:
    return _owned(session, InstrumentProject, "project", organisation_id, project_id)


def create_project(uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]) -> InstrumentProject:
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        existing = _project_by_registry_id(session, organisation_id, data["source_registry"], data["registry_project_id"])
        if existing is not None:
            raise Conflict(
                f"project {data['registry_project_id']} of {data['source_registry']} is already recorded "
                f"(id {existing.id})", {"registry_project_id": [data["registry_project_id"]]},
            )
        row = InstrumentProject(organisation_id=organisation_id, created_at=utcnow(), created_by=actor.label,
                                **_project_values(data))
        _check_project(row)
        session.add(row)
        uow.flush()
        record(session, actor, "registry.project.create", row, organisation_id=organisation_id)
        uow.commit()
        return row


def update_project(
    uow: UnitOfWork, actor: Actor, organisation_id: int, project_id: int, changes: Mapping[str, Any]
) -> InstrumentProject:
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        row = get_project_row(session, organisation_id, project_id)
        before = snapshot(row)
        for key, value in _project_values(changes).items():
            setattr(row, key, value)
        _check_project(row)
        record(session, actor, "registry.project.update", row, before=before, organisation_id=organisation_id)
        uow.commit()
        return row


def list_projects(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[InstrumentProject]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(uow.session.scalars(select(InstrumentProject).where(
            InstrumentProject.organisation_id == organisation_id).order_by(InstrumentProject.id)))


def get_project(uow: UnitOfWork, actor: Actor, organisation_id: int, project_id: int) -> InstrumentProject:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_project_row(uow.session, organisation_id, project_id)


_PROJECT_FIELDS = (
    "kind", "source_registry", "registry_project_id", "name", "proponent", "country", "region", "methodology",
    "project_type", "mitigation", "crediting_period_start", "crediting_period_end", "labels", "technology",
    "capacity_mw", "commissioning_date", "repowering_date", "grid_region", "subsidised", "gec_tradable",
    "gec_project_code", "extra",
)


def _project_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: data[key] for key in _PROJECT_FIELDS if key in data}
    for key in ("kind", "mitigation"):
        if key in values and values[key] is not None:
            values[key] = getattr(values[key], "value", values[key])
    return values


def _check_project(row: InstrumentProject) -> None:
    if row.crediting_period_start and row.crediting_period_end and row.crediting_period_end < row.crediting_period_start:
        raise InvalidInput("the crediting period ends before it starts", {"crediting_period_end": ["before the start"]})
    if row.repowering_date and row.commissioning_date and row.repowering_date < row.commissioning_date:
        raise InvalidInput("re-powering comes after commissioning", {"repowering_date": ["before commissioning"]})


def _project_by_registry_id(session: Session, organisation_id: int, registry: str, project_id: str) -> InstrumentProject | None:
    return session.scalar(select(InstrumentProject).where(
        InstrumentProject.organisation_id == organisation_id, InstrumentProject.source_registry == registry,
        InstrumentProject.registry_project_id == project_id))


# --- serial blocks -----------------------------------------------------------------------------


def get_block_row(session: Session, organisation_id: int, block_id: int) -> SerialBlock:
    return _owned(session, SerialBlock, "block", organisation_id, block_id)


def parse_block(
    scheme_code: str, serial: str, *, quantity: int | None, unit: str | None, as_of: dt.date
) -> tuple[Scheme, ParsedSerial]:
    """Read a serial and check it against what was said of it: the quantity must be the range,
    the unit the scheme's, the vintage not in the future."""
    scheme = scheme_of(scheme_code)
    if unit is not None and unit != scheme.unit:
        raise InvalidInput(
            f"{scheme.code} instruments are counted in {scheme.unit}, not {unit}",
            {"unit": [f"{scheme.code} is a {scheme.kind.value.replace('_', ' ')} scheme: use {scheme.unit}"]},
        )
    parsed = parse_serial(scheme, serial)
    if quantity is not None and quantity != parsed.quantity:
        raise InvalidInput(
            f"the quantity {quantity:,} does not match the serial range {parsed.start}–{parsed.end} "
            f"({parsed.quantity:,} units)", {"quantity": [f"the serial range holds {parsed.quantity:,}"]},
        )
    if parsed.vintage_start is not None and parsed.vintage_start > as_of:
        raise InvalidInput(
            f"the vintage starts on {parsed.vintage_start.isoformat()}, in the future",
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
        scheme, parsed = parse_block(data["scheme"], data["serial"], quantity=data.get("quantity"),
                                     unit=data.get("unit"), as_of=as_of)
        project = get_project_row(session, organisation_id, data["project_id"])
        _check_project_fits(scheme, parsed, project)
        purchase = _purchase_for(session, organisation_id, data.get("purchase_id"), scheme)
        vintage_start, vintage_end = _vintage(parsed, data.get("vintage_start"), data.get("vintage_end"), as_of)
        block = Block(scheme.code, parsed.issuance_key, parsed.start, parsed.end)
        lock_holdings(session, organisation_id)
        clash = find_held_overlap(session, organisation_id, block)
        if clash is not None:
            raise _overlap_conflict(block, clash)
        row = SerialBlock(
            organisation_id=organisation_id, scheme=scheme.code, project_id=project.id,
            issuance_key=parsed.issuance_key, serial_start=parsed.start, serial_end=parsed.end,
            quantity=parsed.quantity, vintage_start=vintage_start, vintage_end=vintage_end,
            status=BlockStatus.HELD.value, account=data.get("account", ""), raw_serial=parsed.raw,
            details=dict(parsed.fields), purchase_id=purchase.id if purchase else None,
            created_at=utcnow(), created_by=actor.label,
        )
        session.add(row)
        uow.flush()
        if purchase is not None:
            _check_purchase_quantity(session, purchase)
        record(session, actor, "registry.block.add", row, organisation_id=organisation_id)
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
                f"the serial says the vintage is {parsed.vintage_start.isoformat()} – {parsed.vintage_end.isoformat()}",
                {"vintage_start": ["differs from the serial"]},
            )
        return parsed.vintage_start, parsed.vintage_end
    if start and end and end < start:
        raise InvalidInput("the vintage ends before it starts", {"vintage_end": ["before the start"]})
    if start and start > as_of:
        raise InvalidInput(f"the vintage starts on {start.isoformat()}, in the future", {"vintage_start": ["future"]})
    return start, end or start


#: First key of the PostgreSQL advisory locks that serialise writers of one organisation's blocks.
_HOLDINGS_LOCK = 4_000_001


def lock_holdings(session: Session, organisation_id: int) -> None:
    """Serialise the writers of one organisation's blocks until the transaction ends, so that
    "is this range free?" and the insert that follows cannot interleave with another writer.
    SQLite needs nothing: every transaction there takes the write lock when it begins."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:kind, :organisation)"),
                        {"kind": _HOLDINGS_LOCK, "organisation": organisation_id})


def find_held_overlap(session: Session, organisation_id: int, block: Block) -> SerialBlock | None:
    """The held block that shares a unit with ``block``, if any: one index probe.

    Held blocks of one issuance never overlap each other, so among those starting at or before
    the new block's end only the last one can reach into it (``ix_serial_blocks_issuance_start``,
    a partial index over the blocks not transferred out).
    """
    candidate = session.scalar(
        select(SerialBlock)
        .where(
            SerialBlock.organisation_id == organisation_id, SerialBlock.scheme == block.scheme,
            SerialBlock.issuance_key == block.issuance_key, SerialBlock.serial_start <= block.end,
            SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value,
        )
        .order_by(SerialBlock.serial_start.desc())
        .limit(1)
    )
    if candidate is not None and candidate.serial_end >= block.start:
        return candidate
    return None


def _overlap_conflict(block: Block, clash: SerialBlock) -> Conflict:
    return Conflict(
        f"serials {block.start}–{block.end} overlap block {clash.id} ({clash.raw_serial}), "
        f"already held ({clash.status})",
        {"serial": [f"overlaps block {clash.id}"]},
    )


def _check_project_fits(scheme: Scheme, parsed: ParsedSerial, project: InstrumentProject) -> None:
    if project.kind != scheme.kind.value:
        raise InvalidInput(
            f"project {project.id} is a {project.kind.replace('_', ' ')} project; {scheme.code} is "
            f"a {scheme.kind.value.replace('_', ' ')} scheme", {"project_id": ["kind mismatch"]},
        )
    if parsed.project_id and parsed.project_id != project.registry_project_id:
        raise InvalidInput(
            f"the serial names project {parsed.project_id}, not {project.registry_project_id}",
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
            raise Conflict(f"block {row.id} is {row.status}: only held or reserved blocks are split")
        part, rest = block_math.split(_value(row), quantity)
        if rest is None:
            raise InvalidInput(f"block {row.id} holds exactly {quantity:,}: nothing to split",
                               {"quantity": ["the whole block"]})
        before = snapshot(row)
        row.serial_end, row.quantity = part.end, part.quantity
        uow.flush()  # the shortened block first: the two never overlap, even for a moment
        reservation = reservation_of(session, row.id)
        remainder = split_off(session, actor, row, rest, reservation.period_id if reservation else None)
        uow.flush()
        record(session, actor, "registry.block.split", row, before=before, organisation_id=organisation_id)
        uow.commit()
        return row, remainder


def split_off(
    session: Session, actor: Actor, block: SerialBlock, piece: Block, reserved_for: int | None,
) -> SerialBlock:
    """A new block of units ``piece`` taken from ``block`` (which the caller has already
    narrowed): same issuance, project, vintage, status, account, purchase and registry details,
    and reserved for the same period as the block, if it is (``reserved_for``, which the
    caller has looked up). Audited as an added block, whatever split it (a split, a retirement
    of part of a block, a reservation)."""
    row = SerialBlock(
        organisation_id=block.organisation_id, scheme=block.scheme, project_id=block.project_id,
        issuance_key=block.issuance_key, serial_start=piece.start, serial_end=piece.end, quantity=piece.quantity,
        vintage_start=block.vintage_start, vintage_end=block.vintage_end, status=block.status, account=block.account,
        raw_serial=block.raw_serial, details=dict(block.details), split_from_id=block.id,
        purchase_id=block.purchase_id, import_id=block.import_id, created_at=utcnow(), created_by=actor.label,
    )
    session.add(row)
    session.flush()
    if reserved_for is not None:
        session.add(BlockReservation(organisation_id=block.organisation_id, block_id=row.id,
                                     period_id=reserved_for, created_at=utcnow(), created_by=actor.label))
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
            raise InvalidInput("blocks are retired through a retirement, with its evidence", {"status": ["retired"]})
        if new not in _NEXT_STATUS.get(BlockStatus(row.status), set()):
            raise Conflict(f"block {row.id} is {row.status}; it cannot become {new.value}")
        if not reason.strip():
            raise InvalidInput("a status change needs a reason", {"reason": ["required"]})
        before = snapshot(row)
        row.status = new.value
        row.details = {**row.details, "status_reason": reason.strip()}
        reservation = reservation_of(session, row.id)
        if reservation is not None and new != BlockStatus.RESERVED:  # released, cancelled or gone
            session.delete(reservation)
        record(session, actor, "registry.block.status", row, before=before, organisation_id=organisation_id)
        uow.commit()
        return row


def list_blocks(
    uow: UnitOfWork, actor: Actor, organisation_id: int, page: Page, *, scheme: str | None = None,
    status: str | None = None, project_id: int | None = None,
) -> PageResult[SerialBlock]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        query = select(SerialBlock).where(SerialBlock.organisation_id == organisation_id)
        if scheme:
            query = query.where(SerialBlock.scheme == scheme_of(scheme).code)
        if status:
            query = query.where(SerialBlock.status == BlockStatus(status).value)
        if project_id:
            query = query.where(SerialBlock.project_id == project_id)
        return query_page(uow.session, query.order_by(SerialBlock.id), page)


def get_block(uow: UnitOfWork, actor: Actor, organisation_id: int, block_id: int) -> SerialBlock:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_block_row(uow.session, organisation_id, block_id)


def _value(row: SerialBlock) -> Block:
    return Block(row.scheme, row.issuance_key, row.serial_start, row.serial_end)


# --- purchases ---------------------------------------------------------------------------------


def record_purchase(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any], *,
    invoice: bytes, invoice_filename: str, block_ids: Sequence[int] = (),
) -> Purchase:
    """A purchase with its invoice (kept with its SHA-256), linked to the blocks it delivered."""
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    if not invoice:
        raise InvalidInput("the invoice file is empty", {"invoice": ["empty"]})
    with uow:
        session = uow.session
        scheme = scheme_of(data["scheme"])
        purchase = Purchase(
            organisation_id=organisation_id, scheme=scheme.code, supplier=data["supplier"],
            contract_reference=data["contract_reference"], contract_date=data["contract_date"],
            quantity=data["quantity"], unit_price=data["unit_price"], currency=data["currency"].upper(),
            delivery_account=data["delivery_account"], note=data.get("note", ""),
            invoice_filename=invoice_filename, invoice_sha256=hashlib.sha256(invoice).hexdigest(),
            invoice=invoice, created_at=utcnow(), created_by=actor.label,
        )
        session.add(purchase)
        uow.flush()
        for block_id in block_ids:
            block = get_block_row(session, organisation_id, block_id)
            if block.scheme != scheme.code:
                raise InvalidInput(f"block {block_id} is {block.scheme}, the purchase {scheme.code}",
                                   {"block_ids": [f"block {block_id}: another scheme"]})
            if block.purchase_id is not None:
                raise Conflict(f"block {block_id} was delivered by purchase {block.purchase_id}")
            block.purchase_id = purchase.id
        uow.flush()
        _check_purchase_quantity(session, purchase)
        record(session, actor, "registry.purchase.record", purchase, organisation_id=organisation_id)
        uow.commit()
        return purchase


def _check_purchase_quantity(session: Session, purchase: Purchase) -> None:
    delivered = session.scalar(select(func.coalesce(func.sum(SerialBlock.quantity), 0)).where(
        SerialBlock.purchase_id == purchase.id))
    if delivered > purchase.quantity:
        raise InvalidInput(
            f"the blocks delivered hold {delivered:,} units, more than the {purchase.quantity:,} bought",
            {"block_ids": ["more than the purchase"]},
        )


def _purchase_for(session: Session, organisation_id: int, purchase_id: int | None, scheme: Scheme) -> Purchase | None:
    if purchase_id is None:
        return None
    purchase = _owned(session, Purchase, "purchase", organisation_id, purchase_id)
    if purchase.scheme != scheme.code:
        raise InvalidInput(f"purchase {purchase_id} is of {purchase.scheme}, not {scheme.code}",
                           {"purchase_id": ["another scheme"]})
    return purchase


def list_purchases(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[Purchase]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(uow.session.scalars(select(Purchase).where(
            Purchase.organisation_id == organisation_id).order_by(Purchase.id)))


def invoice_of(uow: UnitOfWork, actor: Actor, organisation_id: int, purchase_id: int) -> tuple[Purchase, bytes]:
    """A purchase with its invoice file (deferred: only this use case loads it)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        purchase = _owned(uow.session, Purchase, "purchase", organisation_id, purchase_id)
        return purchase, purchase.invoice


def get_purchase(uow: UnitOfWork, actor: Actor, organisation_id: int, purchase_id: int) -> Purchase:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return _owned(uow.session, Purchase, "purchase", organisation_id, purchase_id)


# --- holdings ----------------------------------------------------------------------------------

#: What holdings can be grouped by, and where each value comes from.
HOLDING_DIMENSIONS = ("scheme", "vintage", "project", "country", "technology", "status", "account")


@dataclass(frozen=True)
class HoldingLine:
    key: Mapping[str, Any]
    unit: str
    quantity: int
    blocks: int
    #: cost of the units bought through recorded purchases, per currency (unit price × units)
    cost: Mapping[str, Decimal]
    units_without_price: int


def holdings(
    uow: UnitOfWork, actor: Actor, organisation_id: int, by: Sequence[str], *,
    statuses: Iterable[str] = (BlockStatus.HELD.value, BlockStatus.RESERVED.value),
) -> list[HoldingLine]:
    """Quantities held, grouped by the chosen dimensions, with their cost."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    unknown = [d for d in by if d not in HOLDING_DIMENSIONS]
    if unknown:
        raise InvalidInput(f"cannot group by {', '.join(unknown)}; choose from {', '.join(HOLDING_DIMENSIONS)}",
                           {"by": unknown})
    wanted = list(statuses)
    bad = [s for s in wanted if s not in BlockStatus._value2member_map_]
    if bad:
        raise InvalidInput(f"unknown status {', '.join(bad)}; choose from {', '.join(s.value for s in BlockStatus)}",
                           {"status": bad})
    with uow:
        session = uow.session
        projects = {p.id: p for p in session.scalars(select(InstrumentProject).where(
            InstrumentProject.organisation_id == organisation_id))}
        prices = {p.id: (p.unit_price, p.currency) for p in session.scalars(select(Purchase).where(
            Purchase.organisation_id == organisation_id))}
        rows = session.execute(
            select(SerialBlock.scheme, SerialBlock.vintage_start, SerialBlock.project_id, SerialBlock.status,
                   SerialBlock.account, SerialBlock.purchase_id, func.sum(SerialBlock.quantity), func.count())
            .where(SerialBlock.organisation_id == organisation_id, SerialBlock.status.in_(wanted))
            .group_by(SerialBlock.scheme, SerialBlock.vintage_start, SerialBlock.project_id, SerialBlock.status,
                      SerialBlock.account, SerialBlock.purchase_id)
        )
        schemes = load_schemes()
        lines: dict[tuple, dict[str, Any]] = {}
        for scheme, vintage, project_id, status, account, purchase_id, quantity, count in rows:
            project = projects[project_id]
            values = {
                "scheme": scheme, "vintage": vintage.year if vintage else None, "project": project.id,
                "country": project.country, "technology": project.technology or None, "status": status,
                "account": account,
            }
            key = tuple(values[d] for d in by) + (schemes[scheme].unit,)
            line = lines.setdefault(key, {"quantity": 0, "blocks": 0, "cost": {}, "unpriced": 0})
            line["quantity"] += int(quantity)
            line["blocks"] += int(count)
            if purchase_id in prices:
                price, currency = prices[purchase_id]
                line["cost"][currency] = line["cost"].get(currency, Decimal(0)) + price * int(quantity)
            else:
                line["unpriced"] += int(quantity)
        return [
            HoldingLine(dict(zip(by, key[:-1], strict=True)), key[-1], line["quantity"], line["blocks"],
                        {c: tidy(v) for c, v in sorted(line["cost"].items())}, line["unpriced"])
            for key, line in sorted(lines.items(), key=lambda item: tuple(str(v) for v in item[0]))
        ]

# --- what is held for a period ----------------------------------------------------------------

@dataclass(frozen=True)
class HeldForPeriod:
    eac_mwh_by_market: Mapping[str, Decimal]
    credits_tco2e: Decimal


def held_for_period(session: Session, organisation_id: int, start: dt.date, end: dt.date) -> HeldForPeriod:
    """Units held or reserved that could serve the period: EACs by the producing country with a
    vintage inside the period, credits of a vintage that began by the period's end. (The rule
    sets narrow this further.)"""
    schemes = load_schemes()
    eac: dict[str, int] = {}
    credits = 0
    rows = session.execute(
        select(SerialBlock.scheme, InstrumentProject.country, SerialBlock.vintage_start, SerialBlock.vintage_end,
               func.sum(SerialBlock.quantity))
        .join(InstrumentProject, InstrumentProject.id == SerialBlock.project_id)
        .where(SerialBlock.organisation_id == organisation_id,
               SerialBlock.status.in_([BlockStatus.HELD.value, BlockStatus.RESERVED.value]))
        .group_by(SerialBlock.scheme, InstrumentProject.country, SerialBlock.vintage_start, SerialBlock.vintage_end)
    )
    for scheme, country, vintage_start, vintage_end, quantity in rows:
        if schemes[scheme].kind == InstrumentKind.EAC:
            if vintage_start is not None and vintage_start <= end and (vintage_end or vintage_start) >= start:
                eac[country] = eac.get(country, 0) + int(quantity)
        elif vintage_start is None or vintage_start <= end:
            credits += int(quantity)
    return HeldForPeriod({m: Decimal(q) for m, q in sorted(eac.items())}, Decimal(credits))


# --- registry imports --------------------------------------------------------------------------

#: The status a block gets from the registry's word for it.
_STATUS_OF_ROW = {"issued": BlockStatus.HELD, "retired": BlockStatus.RETIRED, "cancelled": BlockStatus.CANCELLED}
#: Which registry numbers the projects of each scheme.
_REGISTRY_OF_SCHEME = {"VCU": "verra", "GS_VER": "gold_standard", "GEC": "gec", "IREC": "irec", "CCER": "ccer",
                       "CER": "cdm", "ACC": "gcc", "GO": "go", "REC": "rec"}


@dataclass(frozen=True)
class RegistryImportOutcome:
    status: str  # "imported", "preview", "already_imported"
    import_id: int | None
    kind: str | None
    filename: str
    sha256: str
    blocks: int
    projects: int
    quantity_by_scheme: Mapping[str, int]
    errors: Sequence[RowError] = ()


def import_registry_file(
    uow: UnitOfWork, actor: Actor, organisation_id: int, *, data: bytes, filename: str, max_bytes: int,
    as_of: dt.date, kind: str | None = None, mapping: Mapping[str, str] | None = None,
    encoding: str | None = None, dry_run: bool = False, account: str = "", purchase_id: int | None = None,
) -> RegistryImportOutcome:
    """Import a registry export or statement: every row or none; the same file twice is a no-op.

    Each instrument row becomes a block (issued → held; retired and cancelled rows keep the
    registry's status and retirement fields, for the retirement ledger to match); each project
    row, or the project an instrument row names, becomes or updates a project record.
    """
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        sha256 = hashlib.sha256(data).hexdigest()
        earlier = session.scalar(select(RegistryImport).where(
            RegistryImport.organisation_id == organisation_id, RegistryImport.sha256 == sha256))
        if earlier is not None and not _matched_retirements_only(session, earlier):
            return RegistryImportOutcome("already_imported", earlier.id, earlier.kind, earlier.filename, sha256,
                                         earlier.block_count, earlier.project_count, {})
        parsed = read_registry_file(data, filename, max_bytes=max_bytes, kind=kind, mapping=mapping,
                                    encoding=encoding)
        errors = list(parsed.errors)
        blocks: list[tuple[InstrumentRow, Scheme, ParsedSerial]] = []
        if parsed.ok:
            blocks, errors = _check_instrument_rows(session, organisation_id, parsed.instruments, as_of,
                                                    lock=not dry_run)
            errors = parsed.in_file_terms(errors)
        quantities: dict[str, int] = {}
        for _, scheme, serial in blocks:
            quantities[scheme.code] = quantities.get(scheme.code, 0) + serial.quantity
        outcome = RegistryImportOutcome(
            "preview" if dry_run else "imported", None, parsed.kind, filename, sha256, len(blocks),
            len(parsed.projects), dict(sorted(quantities.items())), tuple(errors),
        )
        if dry_run:
            return outcome
        if errors:
            raise ImportRejected(filename, errors)
        purchase = None
        if purchase_id is not None:
            schemes_in_file = {scheme.code for _, scheme, _ in blocks}
            if len(schemes_in_file) != 1:
                raise InvalidInput("a purchase delivers one scheme; this file holds " + ", ".join(sorted(schemes_in_file)),
                                   {"purchase_id": ["several schemes"]})
            purchase = _purchase_for(session, organisation_id, purchase_id, scheme_of(schemes_in_file.pop()))
        if earlier is not None:  # the file's record, made when its retirements were matched
            batch = earlier
            batch.block_count, batch.project_count = len(blocks), len(parsed.projects)
        else:
            batch = RegistryImport(
                organisation_id=organisation_id, kind=parsed.kind, filename=filename, sha256=sha256,
                encoding=parsed.encoding, block_count=len(blocks), project_count=len(parsed.projects),
                created_at=utcnow(), created_by=actor.label,
            )
            session.add(batch)
        uow.flush()
        projects = _upsert_projects(session, organisation_id, actor, parsed.projects, [row for row, _, _ in blocks])
        _store_blocks(session, organisation_id, actor, blocks, projects, batch.id,
                      purchase.id if purchase else None, account)
        if purchase is not None:
            _check_purchase_quantity(session, purchase)
        record(session, actor, "registry.import", batch, organisation_id=organisation_id)
        uow.commit()
        return dataclasses.replace(outcome, import_id=batch.id)


def _matched_retirements_only(session: Session, batch: RegistryImport) -> bool:
    """Whether the earlier import of a file only matched its retirements to the ledger
    (:mod:`neutrality.registry.matching`): its holdings are still to import."""
    return batch.block_count == 0 and batch.project_count == 0 and session.scalar(
        select(Retirement.id).where(Retirement.import_id == batch.id).limit(1)) is not None


_BLOCK_COLUMNS = (
    "organisation_id", "scheme", "project_id", "issuance_key", "serial_start", "serial_end", "quantity",
    "vintage_start", "vintage_end", "status", "account", "raw_serial", "details", "purchase_id", "import_id",
    "created_at", "created_by",
)
_BLOCK_PG_TYPES = (
    "int4", "varchar", "int4", "varchar", "int8", "int8", "int8", "date", "date", "varchar", "varchar", "varchar",
    "json", "int4", "int4", "timestamptz", "varchar",
)


def _store_blocks(
    session: Session, organisation_id: int, actor: Actor, blocks: Sequence[tuple[InstrumentRow, Scheme, ParsedSerial]],
    projects: Mapping[tuple[str, str], int], import_id: int, purchase_id: int | None, account: str,
) -> None:
    now = utcnow()

    def rows_for(dialect: str) -> Iterable[tuple[Any, ...]]:
        on_sqlite = dialect == "sqlite"
        created = sqlite_datetime(now) if on_sqlite else now
        for row, scheme, serial in blocks:
            vintage_start = serial.vintage_start or row.vintage_start
            vintage_end = serial.vintage_end or row.vintage_end
            if on_sqlite:
                vintage_start = vintage_start and vintage_start.isoformat()
                vintage_end = vintage_end and vintage_end.isoformat()
            yield (
                organisation_id, scheme.code, projects[(_REGISTRY_OF_SCHEME[scheme.code], row.project_id)],
                serial.issuance_key, serial.start, serial.end, serial.quantity, vintage_start, vintage_end,
                _STATUS_OF_ROW[row.status].value, row.extra.get("account") or account, serial.raw,
                json.dumps(_block_details(row, serial), ensure_ascii=False) if on_sqlite else _block_details(row, serial),
                purchase_id, import_id, created,
                actor.label,
            )

    insert_rows(session, "serial_blocks", _BLOCK_COLUMNS, rows_for, _BLOCK_PG_TYPES)


def parse_instrument_rows(
    rows: Iterable[InstrumentRow], as_of: dt.date
) -> tuple[list[tuple[InstrumentRow, Scheme, ParsedSerial]], list[RowError]]:
    """Every row's serial read and checked against its quantity and the date (:func:`parse_block`),
    with each problem as a row error."""
    good: list[tuple[InstrumentRow, Scheme, ParsedSerial]] = []
    errors: list[RowError] = []
    for row in rows:
        try:
            scheme, serial = parse_block(row.scheme, row.serial, quantity=row.quantity, unit=None, as_of=as_of)
        except InvalidInput as problem:
            column = next(iter(problem.details), "serial") if problem.details else "serial"
            errors.append(RowError(row.row, column, problem.message))
            continue
        good.append((row, scheme, serial))
    return good, errors


def _check_instrument_rows(
    session: Session, organisation_id: int, rows: Sequence[InstrumentRow], as_of: dt.date, *, lock: bool,
) -> tuple[list[tuple[InstrumentRow, Scheme, ParsedSerial]], list[RowError]]:
    """Parse every serial, check quantity, vintage and overlaps (in the file and with what is
    held); every problem is reported with its row. With ``lock``, the organisation's holdings
    are locked before reading what is held (and stay so until the import commits); parsing, the
    long part, happens before, so other writers are not kept waiting for it."""
    good, errors = parse_instrument_rows(rows, as_of)
    values = [Block(scheme.code, serial.issuance_key, serial.start, serial.end) for _, scheme, serial in good]
    for i, j in block_math.find_overlaps(values):
        errors.append(RowError(good[j][0].row, "serial",
                               f"overlaps row {good[i][0].row} ({good[i][1].code} {values[i].start}–{values[i].end})"))
    if good:
        if lock:
            lock_holdings(session, organisation_id)
        for index, clash in _overlaps_with_held(session, organisation_id, values):
            errors.append(RowError(good[index][0].row, "serial",
                                   f"overlaps block {clash[0]} ({clash[1]}), already held"))
    errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    return good, errors


def _overlaps_with_held(session: Session, organisation_id: int, values: Sequence[Block]) -> list[tuple[int, tuple]]:
    """Blocks of the file that share units with blocks the organisation holds.

    One query loads the held blocks of the issuances in the file; a sweep finds the overlaps
    (a probe per block would be a million queries for a million-block file)."""
    keys = {(b.scheme, b.issuance_key) for b in values}
    held: list[tuple[int, str, Block]] = []
    schemes = {scheme for scheme, _ in keys}
    for row_id, raw, scheme, key, start, end in session.execute(
        select(SerialBlock.id, SerialBlock.raw_serial, SerialBlock.scheme, SerialBlock.issuance_key,
               SerialBlock.serial_start, SerialBlock.serial_end)
        .where(SerialBlock.organisation_id == organisation_id, SerialBlock.scheme.in_(schemes),
               SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value)
    ):
        if (scheme, key) in keys:
            held.append((row_id, raw, Block(scheme, key, start, end)))
    if not held:
        return []
    combined = list(values) + [block for _, _, block in held]
    found = []
    for i, j in block_math.find_overlaps(combined):
        if i < len(values) <= j:
            row_id, raw, _ = held[j - len(values)]
            found.append((i, (row_id, raw)))
    return found


def _upsert_projects(
    session: Session, organisation_id: int, actor: Actor, project_rows: Sequence[ProjectRow],
    instrument_rows: Sequence[InstrumentRow],
) -> dict[tuple[str, str], int]:
    """Project ids by (registry, registry project id): project-list rows update or create the
    full record; instrument rows create a project they name if it is not recorded yet."""
    existing = {(p.source_registry, p.registry_project_id): p for p in session.scalars(
        select(InstrumentProject).where(InstrumentProject.organisation_id == organisation_id))}
    schemes = load_schemes()
    now = utcnow()
    for row in project_rows:
        values = {
            "name": row.name, "proponent": row.proponent, "country": row.country, "region": row.region,
            "methodology": row.methodology, "project_type": row.project_type,
            "crediting_period_start": row.crediting_period_start, "crediting_period_end": row.crediting_period_end,
            "extra": {**dict(row.extra), "status": row.status},
        }
        project = existing.get((row.registry, row.project_id))
        if project is None:
            project = InstrumentProject(
                organisation_id=organisation_id, kind=InstrumentKind.CARBON_CREDIT.value, source_registry=row.registry,
                registry_project_id=row.project_id, mitigation="unknown", labels={}, technology="",
                created_at=now, created_by=actor.label, **values)
            session.add(project)
            existing[(row.registry, row.project_id)] = project
        else:
            for key, value in values.items():
                setattr(project, key, value)
    for row in instrument_rows:
        registry = _REGISTRY_OF_SCHEME[row.scheme]
        if (registry, row.project_id) in existing:
            continue
        extra = dict(row.extra)
        project = InstrumentProject(
            organisation_id=organisation_id, kind=schemes[row.scheme].kind.value, source_registry=registry,
            registry_project_id=row.project_id, name=row.project_name, proponent="", country=row.country,
            region=extra.get("region", ""), methodology=row.methodology, project_type=row.project_type,
            mitigation="unknown", labels={label: True for label in row.labels}, technology=extra.get("technology", ""),
            gec_project_code=extra.get("project_code") if row.scheme == "GEC" else None,
            gec_tradable=_flag(extra.get("tradable")) if row.scheme == "GEC" else None,
            subsidised=_flag(extra.get("subsidy")), extra={}, created_at=now, created_by=actor.label,
        )
        session.add(project)
        existing[(registry, row.project_id)] = project
    session.flush()
    return {key: project.id for key, project in existing.items()}


def _flag(text: str | None) -> bool | None:
    return None if text in (None, "") else text == "true"


def _block_details(row: InstrumentRow, serial: ParsedSerial) -> dict[str, Any]:
    fields: dict[str, Any] = {**serial.fields, **{k: v for k, v in row.extra.items() if v}}
    for name in ("beneficiary", "reason", "details"):
        value = getattr(row, name)
        if value:
            fields[name] = value
    for name in ("issuance_date", "retirement_date"):
        value = getattr(row, name)
        if value is not None:
            fields[name] = value.isoformat()
    if row.labels:
        fields["labels"] = list(row.labels)
    return fields


def list_registry_imports(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[RegistryImport]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(uow.session.scalars(select(RegistryImport).where(
            RegistryImport.organisation_id == organisation_id).order_by(RegistryImport.id)))
