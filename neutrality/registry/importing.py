"""Registry file imports, the database half: a registry export or statement read by
:mod:`neutrality.registry.exports` becomes blocks and projects, every row or none; the templates
of the registry files that have no public export layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize, require_authenticated
from neutrality.audit.services import record
from neutrality.bulk import insert_rows, sqlite_datetime
from neutrality.clock import utcnow
from neutrality.errors import InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.registry import blocks as block_math
from neutrality.registry.cross_holdings import (
    claimed_elsewhere_in,
    lock_claims,
    open_contests_of_import,
)
from neutrality.registry.exports import (
    TEMPLATE_KINDS,
    InstrumentRow,
    ProjectRow,
    read_id,
    read_registry_file,
    template_csv,
)
from neutrality.registry.held_blocks import lock_holdings, parse_block
from neutrality.registry.model import Block, BlockStatus, InstrumentKind, ParsedSerial, Scheme
from neutrality.registry.purchases import check_purchase_quantity, purchase_for
from neutrality.registry.schemes import load_schemes
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.tables import InstrumentProject, RegistryImport, Retirement, SerialBlock
from neutrality.sheet_limits import SheetLimits
from neutrality.spreadsheets import ImportRejected, RowError
from neutrality.technologies import technology_code
from neutrality.uow import UnitOfWork

#: The status a block gets from the registry's word for it.
_STATUS_OF_ROW = {
    "issued": BlockStatus.HELD,
    "retired": BlockStatus.RETIRED,
    "cancelled": BlockStatus.CANCELLED,
}
#: Which registry numbers the projects of each scheme.
_REGISTRY_OF_SCHEME = {
    "VCU": "verra",
    "GS_VER": "gold_standard",
    "GEC": "gec",
    "IREC": "irec",
    "CCER": "ccer",
    "CER": "cdm",
    "ACC": "gcc",
    "GO": "go",
    "REC": "rec",
}


def registry_template(actor: Actor, kind: str) -> bytes:
    """The CSV template of a registry file that has no public export layout (I-REC, GEC, CCER)."""
    require_authenticated(actor)
    if kind not in TEMPLATE_KINDS:
        raise NotFound(Msg("no template for '{kind}'; templates: {templates}", kind=kind, templates=", ".join(TEMPLATE_KINDS)))
    return template_csv(kind)


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
    #: blocks on units another organisation holds, stored contested (cross_holdings)
    contested: int = 0
    #: rows not read on purpose: what they are (Gold Standard PER rows, rows of projects the
    #: import did not name) → how many
    skipped: Mapping[str, int] = dataclasses.field(default_factory=dict)


def import_registry_file(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    *,
    data: bytes,
    filename: str,
    max_bytes: int,
    limits: SheetLimits,
    as_of: dt.date,
    kind: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    account: str = "",
    purchase_id: int | None = None,
    project_ids: Iterable[str] | None = None,
) -> RegistryImportOutcome:
    """Import a registry export or statement: every row or none; the same file twice is a no-op.

    Each instrument row becomes a block (issued → held; retired and cancelled rows keep the
    registry's status and retirement fields, for the retirement ledger to match); each project
    row, or the project an instrument row names, becomes or updates a project record.

    Holdings are the organisation's own: a registry's public listing (:func:`public_listing`) is
    refused, unless ``project_ids`` names the organisation's projects, whose rows alone are then
    read.
    """
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    sha256 = hashlib.sha256(data).hexdigest()
    with uow.reading():
        earlier = _earlier_import(uow.session, organisation_id, sha256)
        if earlier is not None:
            return _already_imported(earlier, sha256)
    # Read and check the file with no transaction open: nobody waits while a long file is read.
    parsed = read_registry_file(
        data, filename, max_bytes=max_bytes, kind=kind, mapping=mapping, encoding=encoding,
        limits=limits,
    )
    errors = list(parsed.errors)
    blocks: list[tuple[InstrumentRow, Scheme, ParsedSerial]] = []
    previewed_contests = 0
    skipped = dict(parsed.skipped)
    if parsed.ok:
        rows, errors = _own_rows(parsed.instruments, project_ids)
        if len(rows) < len(parsed.instruments):
            skipped[OTHER_PROJECTS] = len(parsed.instruments) - len(rows)
        if not errors:
            blocks, errors = parse_instrument_rows(rows, as_of)
            errors += _overlaps_in_file(blocks)
        if (dry_run or errors) and blocks:
            with uow.reading():
                errors += _overlaps_with_held(uow.session, organisation_id, blocks)
                if dry_run:
                    previewed_contests = len(_contested_rows(uow.session, organisation_id, blocks))
        errors = parsed.in_file_terms(_in_order(errors))
    quantities: dict[str, int] = {}
    for _, scheme, serial in blocks:
        quantities[scheme.code] = quantities.get(scheme.code, 0) + serial.quantity
    outcome = RegistryImportOutcome(
        "preview" if dry_run else "imported",
        None,
        parsed.kind,
        filename,
        sha256,
        len(blocks),
        len(parsed.projects),
        dict(sorted(quantities.items())),
        tuple(errors),
        previewed_contests,
        skipped,
    )
    if dry_run:
        return outcome
    if errors:
        raise ImportRejected(filename, errors)
    schemes_in_file = {scheme.code for _, scheme, _ in blocks}
    if purchase_id is not None and len(schemes_in_file) != 1:
        raise InvalidInput(
            Msg("a purchase delivers one scheme; this file holds {schemes}", schemes=", ".join(sorted(schemes_in_file))),
            {"purchase_id": ["several schemes"]},
        )
    with uow:
        session = uow.session
        # The same file may have been imported while this one was read.
        earlier = _earlier_import(session, organisation_id, sha256)
        if earlier is not None:
            return _already_imported(earlier, sha256)
        if blocks:
            # what is held is read with the organisation's writers serialised, so that no other
            # writer can take these units between the check and the insert
            lock_holdings(session, organisation_id)
            held = _overlaps_with_held(session, organisation_id, blocks)
            if held:
                raise ImportRejected(filename, parsed.in_file_terms(_in_order(held)))
        lock_claims(session)
        contested = _contested_rows(session, organisation_id, blocks)
        purchase = None
        if purchase_id is not None:
            purchase = purchase_for(
                session, organisation_id, purchase_id, scheme_of(schemes_in_file.pop())
            )
        batch = _earlier_record(session, organisation_id, sha256)
        if batch is not None:  # the file's record, made when its retirements were matched
            batch.block_count, batch.project_count = len(blocks), len(parsed.projects)
        else:
            batch = RegistryImport(
                organisation_id=organisation_id,
                kind=parsed.kind,
                filename=filename,
                sha256=sha256,
                encoding=parsed.encoding,
                block_count=len(blocks),
                project_count=len(parsed.projects),
                created_at=utcnow(),
                created_by=actor.label,
            )
            session.add(batch)
        uow.flush()
        projects = _upsert_projects(
            session, organisation_id, actor, parsed.projects, [row for row, _, _ in blocks]
        )
        _store_blocks(
            session,
            organisation_id,
            actor,
            blocks,
            projects,
            batch.id,
            purchase.id if purchase else None,
            account,
            contested,
        )
        if purchase is not None:
            check_purchase_quantity(session, purchase)
        record(session, actor, "registry.import", batch, organisation_id=organisation_id)
        claimed = {
            (scheme.code, serial.issuance_key, serial.start): _STATUS_OF_ROW[row.status]
            for row, scheme, serial in (blocks[i] for i in contested)
        }
        open_contests_of_import(session, actor, organisation_id, batch.id, claimed)
        uow.commit()
        return dataclasses.replace(outcome, import_id=batch.id, contested=len(contested))


#: How many different retirement beneficiaries, project developers or accounts make a file a
#: registry's public listing. An organisation's account export names itself, perhaps a subsidiary
#: or two; the public Verra transactions export of one country names dozens.
PUBLIC_LISTING_PARTIES = 5
#: The parties a public listing names many of: the row's field → what they are.
_PARTIES = (
    ("beneficiary", Msg("retirement beneficiaries")),
    ("project_developer", Msg("project developers")),
    ("account", Msg("accounts")),
)
#: What :attr:`RegistryImportOutcome.skipped` calls the rows of projects the import did not name.
OTHER_PROJECTS = "rows of projects the import did not name"


def public_listing(rows: Sequence[InstrumentRow]) -> str | None:
    """Why the rows are evidently a registry's public listing (many beneficiaries, project
    developers or accounts), or None: they may be one organisation's account."""
    for name, what in _PARTIES:
        parties = dict.fromkeys(
            value for row in rows if (value := (getattr(row, name, None) or row.extra.get(name, "")).strip())
        )
        if len(parties) >= PUBLIC_LISTING_PARTIES:
            examples = ", ".join(f"'{party}'" for party in list(parties)[:3])
            return Msg("its rows name {count} different {what} ({examples}, …)", count=len(parties), what=what,
                       examples=examples)
    return None


def _own_rows(
    rows: Sequence[InstrumentRow], project_ids: Iterable[str] | None
) -> tuple[Sequence[InstrumentRow], list[RowError]]:
    """The rows that are the organisation's: all of them, unless the file is a public listing;
    those of the named projects when ``project_ids`` names any."""
    wanted = {read_id(text) for text in project_ids or () if text.strip()}
    if not rows:
        return rows, []  # a project list: the organisation's records of projects, no holdings
    if not wanted:
        why = public_listing(rows)
        if why is None:
            return rows, []
        return rows, [RowError(None, None, (
            Msg("this file is a registry's public listing, not the organisation's account: {why}. "
                "Holdings are the organisation's own units: import the export of its registry account, "
                "or name its project ids (project_ids) to read only the rows of those projects", why=why)
        ))]
    own = [row for row in rows if row.project_id in wanted]
    listed = dict.fromkeys(row.project_id for row in rows)
    missing = sorted(wanted - set(listed))
    if missing:
        some = ", ".join(list(listed)[:20]) + (", …" if len(listed) > 20 else "")
        return own, [RowError(None, None, (
            Msg("no row of the file is of project {missing}; the file lists projects {some}",
                missing=", ".join(missing), some=some)
        ))]
    return own, []


def _contested_rows(session: Session, organisation_id: int, blocks: CheckedRows) -> set[int]:
    """The rows that claim units (issued or retired) another organisation holds: stored
    contested, for a site administrator to decide (cancelled rows claim nothing)."""
    if not blocks:
        return set()
    return {i for i in claimed_elsewhere_in(session, organisation_id, _values(blocks))
            if _STATUS_OF_ROW[blocks[i][0].status] is not BlockStatus.CANCELLED}


def _earlier_record(session: Session, organisation_id: int, sha256: str) -> RegistryImport | None:
    return session.scalar(
        select(RegistryImport).where(
            RegistryImport.organisation_id == organisation_id, RegistryImport.sha256 == sha256
        )
    )


def _earlier_import(session: Session, organisation_id: int, sha256: str) -> RegistryImport | None:
    """The earlier import of the same file, unless it only matched the file's retirements
    (then its holdings are still to import)."""
    earlier = _earlier_record(session, organisation_id, sha256)
    if earlier is None or _matched_retirements_only(session, earlier):
        return None
    return earlier


def _already_imported(earlier: RegistryImport, sha256: str) -> RegistryImportOutcome:
    return RegistryImportOutcome(
        "already_imported",
        earlier.id,
        earlier.kind,
        earlier.filename,
        sha256,
        earlier.block_count,
        earlier.project_count,
        {},
    )


def _in_order(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.row or 0, e.column or ""))


def _matched_retirements_only(session: Session, batch: RegistryImport) -> bool:
    """Whether the earlier import of a file only matched its retirements to the ledger
    (:mod:`neutrality.registry.matching`): its holdings are still to import."""
    return (
        batch.block_count == 0
        and batch.project_count == 0
        and session.scalar(select(Retirement.id).where(Retirement.import_id == batch.id).limit(1))
        is not None
    )


_BLOCK_COLUMNS = (
    "organisation_id",
    "scheme",
    "project_id",
    "issuance_key",
    "serial_start",
    "serial_end",
    "quantity",
    "vintage_start",
    "vintage_end",
    "status",
    "account",
    "raw_serial",
    "details",
    "purchase_id",
    "import_id",
    "created_at",
    "created_by",
)
_BLOCK_PG_TYPES = (
    "int4",
    "varchar",
    "int4",
    "varchar",
    "int8",
    "int8",
    "int8",
    "date",
    "date",
    "varchar",
    "varchar",
    "varchar",
    "json",
    "int4",
    "int4",
    "timestamptz",
    "varchar",
)


def _store_blocks(
    session: Session,
    organisation_id: int,
    actor: Actor,
    blocks: Sequence[tuple[InstrumentRow, Scheme, ParsedSerial]],
    projects: Mapping[tuple[str, str], int],
    import_id: int,
    purchase_id: int | None,
    account: str,
    contested: set[int],
) -> None:
    now = utcnow()

    def rows_for(dialect: str) -> Iterable[tuple[Any, ...]]:
        on_sqlite = dialect == "sqlite"
        created = sqlite_datetime(now) if on_sqlite else now
        for index, (row, scheme, serial) in enumerate(blocks):
            vintage_start = serial.vintage_start or row.vintage_start
            vintage_end = serial.vintage_end or row.vintage_end
            if on_sqlite:
                vintage_start = vintage_start and vintage_start.isoformat()
                vintage_end = vintage_end and vintage_end.isoformat()
            yield (
                organisation_id,
                scheme.code,
                projects[(_REGISTRY_OF_SCHEME[scheme.code], row.project_id)],
                serial.issuance_key,
                serial.start,
                serial.end,
                serial.quantity,
                vintage_start,
                vintage_end,
                (BlockStatus.CONTESTED if index in contested else _STATUS_OF_ROW[row.status]).value,
                row.extra.get("account") or account,
                serial.raw,
                json.dumps(_block_details(row, serial), ensure_ascii=False)
                if on_sqlite
                else _block_details(row, serial),
                purchase_id,
                import_id,
                created,
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
            scheme, serial = parse_block(
                row.scheme, row.serial, quantity=row.quantity, unit=None, as_of=as_of
            )
        except InvalidInput as problem:
            column = next(iter(problem.details), "serial") if problem.details else "serial"
            errors.append(RowError(row.row, column, problem.message))
            continue
        good.append((row, scheme, serial))
    return good, errors


#: A registry file's rows, each with its scheme and its serial read (:func:`parse_instrument_rows`).
CheckedRows = Sequence[tuple[InstrumentRow, Scheme, ParsedSerial]]


def _values(blocks: CheckedRows) -> list[Block]:
    return [
        Block(scheme.code, serial.issuance_key, serial.start, serial.end)
        for _, scheme, serial in blocks
    ]


def _overlaps_in_file(blocks: CheckedRows) -> list[RowError]:
    """Rows of the file that share units with an earlier row of it."""
    values = _values(blocks)
    return [
        RowError(
            blocks[j][0].row,
            "serial",
            Msg("overlaps row {row} ({scheme} {start}–{end})", row=blocks[i][0].row, scheme=blocks[i][1].code,
                start=values[i].start, end=values[i].end),
        )
        for i, j in block_math.find_overlaps(values)
    ]


def _overlaps_with_held(
    session: Session, organisation_id: int, blocks: CheckedRows
) -> list[RowError]:
    """Rows of the file that share units with blocks the organisation holds.

    One query loads the held blocks of the issuances in the file; a sweep finds the overlaps
    (a probe per block would be a million queries for a million-block file)."""
    values = _values(blocks)
    keys = {(b.scheme, b.issuance_key) for b in values}
    held: list[tuple[int, str, Block]] = []
    schemes = {scheme for scheme, _ in keys}
    for row_id, raw, scheme, key, start, end in session.execute(
        select(
            SerialBlock.id,
            SerialBlock.raw_serial,
            SerialBlock.scheme,
            SerialBlock.issuance_key,
            SerialBlock.serial_start,
            SerialBlock.serial_end,
        ).where(
            SerialBlock.organisation_id == organisation_id,
            SerialBlock.scheme.in_(schemes),
            SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value,
            SerialBlock.status != BlockStatus.VOID.value,
        )
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
            reason = Msg("overlaps block {id} ({serial}), already held", id=row_id, serial=raw)
            found.append(RowError(blocks[i][0].row, "serial", reason))
    return found


def _upsert_projects(
    session: Session,
    organisation_id: int,
    actor: Actor,
    project_rows: Sequence[ProjectRow],
    instrument_rows: Sequence[InstrumentRow],
) -> dict[tuple[str, str], int]:
    """Project ids by (registry, registry project id): project-list rows update or create the
    full record; instrument rows create a project they name if it is not recorded yet."""
    existing = {
        (p.source_registry, p.registry_project_id): p
        for p in session.scalars(
            select(InstrumentProject).where(InstrumentProject.organisation_id == organisation_id)
        )
    }
    schemes = load_schemes()
    now = utcnow()
    for row in project_rows:
        values = {
            "name": row.name,
            "proponent": row.proponent,
            "country": row.country,
            "region": row.region,
            "methodology": row.methodology,
            "project_type": row.project_type,
            "crediting_period_start": row.crediting_period_start,
            "crediting_period_end": row.crediting_period_end,
            "extra": {**dict(row.extra), "status": row.status},
        }
        project = existing.get((row.registry, row.project_id))
        if project is None:
            project = InstrumentProject(
                organisation_id=organisation_id,
                kind=InstrumentKind.CARBON_CREDIT.value,
                source_registry=row.registry,
                registry_project_id=row.project_id,
                mitigation="unknown",
                labels={},
                technology="",
                created_at=now,
                created_by=actor.label,
                **values,
            )
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
            organisation_id=organisation_id,
            kind=schemes[row.scheme].kind.value,
            source_registry=registry,
            registry_project_id=row.project_id,
            name=row.project_name,
            proponent="",
            country=row.country,
            region=extra.get("region", ""),
            methodology=row.methodology,
            project_type=row.project_type,
            mitigation="unknown",
            labels={label: True for label in row.labels},
            technology=technology_code(extra.get("technology")),  # 光伏 → solar_pv
            gec_project_code=extra.get("project_code") if row.scheme == "GEC" else None,
            gec_tradable=_flag(extra.get("tradable")) if row.scheme == "GEC" else None,
            subsidised=_flag(extra.get("subsidy")),
            extra={},
            created_at=now,
            created_by=actor.label,
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


def list_registry_imports(
    uow: UnitOfWork, actor: Actor, organisation_id: int
) -> list[RegistryImport]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(
            uow.session.scalars(
                select(RegistryImport)
                .where(RegistryImport.organisation_id == organisation_id)
                .order_by(RegistryImport.id)
            )
        )
