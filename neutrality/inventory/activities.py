"""Activity data of an inventory: records added as JSON, activity files imported (every row or
none; the same file twice changes nothing), their batches, listing and deletion, and the file
templates. The file is read and checked by :mod:`neutrality.inventory.importing`; this module
resolves its sites and stores it.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize, require_authenticated
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.db import owned_row, query_page
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.inventory import library
from neutrality.inventory.bulk import COLUMNS as RECORD_COLUMNS
from neutrality.inventory.bulk import fingerprint_order, store_records
from neutrality.inventory.calculation import EXACT, calculate, conversion_for, problems
from neutrality.inventory.computing import FactorResolver, organisation_factors
from neutrality.inventory.importing import (
    FIELDS,
    ActivityRow,
    ActivityRows,
    ColumnMapping,
    ImportPreview,
    ImportRejected,
    ParsedImport,
    RowError,
    activity_fingerprint,
    closest_site,
    first_positions,
    parse_activity_file,
    site_key,
    template_csv,
)
from neutrality.inventory.mappings import (
    MappingUse,
    as_mapping,
    mark_used,
    save_mapping,
    saved_mappings,
)
from neutrality.inventory.model import Activity, ActivityType, EmissionFactor, FactorKind, GwpSet
from neutrality.inventory.repository import count_activities, get_activity_row, get_inventory_row
from neutrality.inventory.services import require_draft
from neutrality.inventory.status import BatchKind, InventoryOrigin
from neutrality.inventory.tables import ActivityImport, ActivityRecord, Inventory, SavedMapping
from neutrality.messages import Msg
from neutrality.organisations.tables import Site, Subject
from neutrality.pagination import Page, PageResult
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS, SheetLimits
from neutrality.units import convert, tidy
from neutrality.uow import UnitOfWork


class Overlap(StrEnum):
    """What to do with rows of a file that cover what earlier files already hold."""

    REFUSE = "refuse"  # the default: nothing is stored, both files' rows are named
    SUPERSEDE = "supersede"  # the earlier rows are replaced by the new ones, in one transaction
    ADD = "add"  # both are meant (e.g. two meters of one site, entered as one source each)


def add_activities(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    inventory_id: int,
    activities: Sequence[Mapping[str, Any]],
) -> list[ActivityRecord]:
    """Add records sent as JSON: checked by the same rules as a file import, all or none.

    The records go through the importer's parser as an in-memory CSV, so there is one set of
    rules for every way in; errors name ``activities.<index>.<field>``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_JSON_FIELDS)
    for item in activities:
        values = {**item, "site": item.get("site_id")}
        writer.writerow(["" if values.get(f) is None else _cell(values[f]) for f in _JSON_FIELDS])
    data = buffer.getvalue().encode("utf-8")
    try:
        outcome = import_activities(
            uow,
            actor,
            organisation_id,
            inventory_id,
            data=data,
            filename="activities.csv",
            max_bytes=len(data),
            # at most 10,000 records a request (ActivityBatchSchema): far inside any file limit
            limits=ACTIVITY_FILE_LIMITS,
            encoding="utf-8",
            record_file=False,
        )
    except ImportRejected as rejected:
        details = {}
        for error in rejected.errors:
            where = "activities" if error.row is None else f"activities.{error.row - 2}"
            key = (
                f"{where}.{'site_id' if error.column == 'site' else error.column}"
                if error.column
                else where
            )
            details.setdefault(key, []).append(error.reason)
        raise InvalidInput(
            Msg("{count} problem(s) in the activities; none was added", count=len(rejected.errors)), details
        ) from None
    with uow.reading():
        stored = {
            r.id: r
            for r in uow.session.scalars(
                select(ActivityRecord).where(ActivityRecord.id.in_(outcome.record_ids))
            )
        }
        return [stored[record_id] for record_id in outcome.record_ids]  # in the order sent


#: The importer's fields that a JSON record carries: all of a file's.
_JSON_FIELDS = FIELDS


def _cell(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def list_activities(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, page: Page
) -> PageResult:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        query = select(ActivityRecord).where(ActivityRecord.inventory_id == inventory_id)
        return query_page(
            uow.session, query.order_by(ActivityRecord.id), page, total=inventory.activity_count
        )


def delete_activity(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, activity_id: int
) -> None:
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        require_draft(inventory)
        row = get_activity_row(uow.session, inventory_id, activity_id)
        record(
            uow.session,
            actor,
            "activity.delete",
            row,
            before=snapshot(row),
            deleted=True,
            organisation_id=organisation_id,
        )
        uow.session.delete(row)
        count_activities(uow.session, inventory_id, -1)
        uow.commit()


def undo_import(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, import_id: int
) -> int:
    """Take an import back whole: its records and the batch itself, in one transaction, written
    in the audit log with what the batch was and how many records went with it. Refused once
    the inventory is verified (a new version is made instead). Returns the records removed."""
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    with uow:
        session = uow.session
        inventory = get_inventory_row(session, organisation_id, inventory_id)
        batch = owned_row(session, ActivityImport, inventory_id, import_id, what="import", owner="inventory")
        require_draft(inventory)
        before = snapshot(batch)
        removed = session.execute(
            delete(ActivityRecord).where(
                ActivityRecord.inventory_id == inventory_id, ActivityRecord.import_id == batch.id
            )
        ).rowcount
        count_activities(session, inventory_id, -removed)
        record(session, actor, "inventory.import_undone", batch, before={**before, "records_removed": removed},
               deleted=True, organisation_id=organisation_id)
        session.delete(batch)
        uow.commit()
        return removed


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: stored rows, or (dry run) what it would store, or nothing new."""

    status: str  # "imported", "preview", "already_imported"
    import_id: int | None
    filename: str
    sha256: str
    encoding: str | None
    row_count: int
    preview: ImportPreview | None = None
    record_ids: tuple[int, ...] = ()
    #: (dry run) what the rows would add to the inventory's figures
    estimate: Estimate | None = None
    #: which mapping read the file (None when it was not read again: already imported)
    mapping: MappingUse | None = None
    #: (dry run) the header row as the file writes it, for a page to map its columns; () when
    #: the file was refused before a header was found
    header: tuple[str, ...] = ()


@dataclass(frozen=True)
class Estimate:
    """What a file's rows would add, calculated as the inventory will calculate them: each of
    the previewed rows' tCO2e (Scope 2 electricity location-based, at its site's grid), and
    the totals by scope on both Scope 2 bases. Exact decimals."""

    rows: Mapping[int, Decimal]  # spreadsheet row → tCO2e
    location_by_scope: Mapping[int, Decimal]
    market_by_scope: Mapping[int, Decimal]
    location_tco2e: Decimal
    market_tco2e: Decimal


def _estimate(columns: Mapping[str, Any], stored: _Stored, shown: int = 20) -> Estimate:
    rows = columns["row"]

    def activity(position: int) -> Activity:
        return Activity(
            id=int(rows[position]), site_id=int(columns["site_id"][position]),
            source=columns["source"][position], scope=columns["scope"][position],
            activity_type=columns["activity_type"][position], quantity=columns["quantity"][position],
            unit=columns["unit"][position], start=columns["start_date"][position],
            end=columns["end_date"][position], factor_key=columns["factor_key"][position],
            scope1_subtype=columns["scope1_subtype"][position],
            scope3_category=columns["scope3_category"][position],
            iso_category=columns["iso_category"][position], gas=columns["gas"][position],
        )

    def figures(items: list[Activity]) -> Any:
        # no certificates: market-based Scope 2 at the residual mix, else the grid (DOMAIN)
        return calculate(items, stored.factors, stored.gwp_set, location_factor_for=stored.grid.get,
                         residual_factor_for=stored.residual.get)

    everything = figures([activity(p) for p in range(len(rows))])
    first = sorted(range(len(rows)), key=lambda p: rows[p])[:shown]
    return Estimate(
        rows={int(rows[p]): figures([activity(p)]).location_based.tco2e for p in first},
        location_by_scope={int(k): v for k, v in everything.location_based.by_scope.items()},
        market_by_scope={int(k): v for k, v in everything.market_based.by_scope.items()},
        location_tco2e=everything.location_based.tco2e,
        market_tco2e=everything.market_based.tco2e,
    )


def import_activities(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    inventory_id: int,
    *,
    data: bytes,
    filename: str,
    max_bytes: int,
    limits: SheetLimits,
    mapping: ColumnMapping | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    record_file: bool = True,
    overlap: Overlap = Overlap.REFUSE,
    save_mapping: bool = True,
) -> ImportOutcome:
    """Import an activity data file: every row or none; the same file twice changes nothing.

    ``record_file=False`` is for records sent as JSON: they form a batch of kind "api" with no
    file hash, and the new record ids are returned.

    A file sent without a mapping whose header row is the layout of a mapping the organisation
    saved is read with it; a ``mapping`` sent with the file is saved for its layout when the
    file is stored (unless ``save_mapping`` is false), in the same transaction.

    The file is read and checked against the inventory with no write transaction open (a file
    of a million rows takes seconds, and nobody waits for it); the write lock is taken only to
    store the rows, after checking that nothing they were checked against has changed since.
    """
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    sha256 = hashlib.sha256(data).hexdigest()
    with uow.reading():
        inventory = _open_inventory(uow.session, organisation_id, inventory_id)
        earlier = _earlier_import(uow.session, inventory_id, sha256) if record_file else None
        if earlier is not None:
            return _already_imported(earlier, sha256)
        period = uow.session.get(ApplicationPeriodRow, inventory.period_id)
        # records sent as JSON are written in our own field names: no saved mapping applies
        saved = saved_mappings(uow.session, organisation_id) if mapping is None and record_file else {}
    parsed = parse_activity_file(
        data,
        filename,
        period_start=period.start_date,
        period_end=period.end_date,
        max_bytes=max_bytes,
        limits=limits,
        mapping=mapping,
        encoding=encoding,
        saved={layout: as_mapping(row) for layout, row in saved.items()},
    )
    used = _mapping_use(mapping, parsed.layout if parsed.saved_mapping else None, saved)
    columns: dict[str, Any] = {}
    errors: list[RowError] = []
    stored: _Stored | None = None
    superseded: tuple[int, ...] = ()
    # records sent as JSON are entered one decision at a time: only files are held to overlaps
    checked = overlap if record_file else Overlap.ADD
    # The rows that are well formed are checked against the inventory even when others are not:
    # one answer names every problem of every row.
    if len(parsed.rows):
        with uow.reading():
            # the same file may have been imported while this one was read
            earlier = _earlier_import(uow.session, inventory_id, sha256) if record_file else None
            if earlier is not None:
                return _already_imported(earlier, sha256)
            stored = _Stored.load(uow.session, inventory, period, overlaps=checked is not Overlap.ADD)
        columns, errors, superseded = _resolve_records(inventory.id, stored, parsed.rows, checked)
    count = len(parsed.rows)
    every = sorted([*parsed.errors, *errors], key=lambda e: (e.row or 0, e.column or ""))
    if dry_run:
        preview = dataclasses.replace(parsed.preview(), errors=every)
        estimate = _estimate(columns, stored) if columns and stored is not None and not every else None
        return ImportOutcome("preview", None, filename, sha256, parsed.encoding, count, preview,
                             estimate=estimate, mapping=used, header=parsed.header)
    if every:
        raise ImportRejected(filename, every)
    with uow:
        session = uow.session
        # Read again under the write lock: the inventory may have been verified, the same file
        # imported, or other records or sites added while this one was being read.
        inventory = _open_inventory(session, organisation_id, inventory_id)
        earlier = _earlier_import(session, inventory_id, sha256) if record_file else None
        if earlier is not None:
            return _already_imported(earlier, sha256)
        if stored is None or not stored.unchanged(session, inventory, period):
            columns, errors, superseded = _resolve_records(
                inventory.id, _Stored.load(session, inventory, period, overlaps=checked is not Overlap.ADD),
                parsed.rows,
                checked,
            )
            if errors:
                raise ImportRejected(filename, errors)
        if superseded:
            # the earlier rows this file replaces go in the same transaction as it comes in
            removed = session.execute(
                delete(ActivityRecord).where(
                    ActivityRecord.inventory_id == inventory_id, ActivityRecord.id.in_(superseded)
                )
            ).rowcount
            count_activities(session, inventory_id, -removed)
        batch = ActivityImport(
            inventory_id=inventory_id,
            kind=(BatchKind.FILE if record_file else BatchKind.API).value,
            filename=filename if record_file else "",
            sha256=sha256 if record_file else None,
            encoding=(parsed.encoding or "") if record_file else "",
            row_count=count,
            created_at=utcnow(),
            created_by=actor.label,
        )
        session.add(batch)
        uow.flush()
        columns["import_id"] = batch.id
        # the file's rows, kept for errors and overlaps to name (JSON records have none)
        columns["source_row"] = np.asarray(columns["row"]).astype(np.int64).tolist() if record_file else None
        store_records(session, columns, count)
        count_activities(session, inventory_id, count)
        if not record_file:
            # the new ids, in the order the records were sent (their rows in the in-memory file)
            sent = dict(zip(columns["fingerprint"], columns["row"], strict=True))
            new = session.execute(
                select(ActivityRecord.id, ActivityRecord.fingerprint).where(
                    ActivityRecord.inventory_id == inventory_id,
                    ActivityRecord.fingerprint.in_(list(sent)),
                )
            )
            ids = tuple(record_id for record_id, _ in sorted(new, key=lambda r: sent[r[1]]))
            record(
                session, actor, "inventory.add_activities", batch, organisation_id=organisation_id
            )
            uow.commit()
            return ImportOutcome(
                "imported", batch.id, filename, sha256, parsed.encoding, count, record_ids=ids
            )
        record(session, actor, "inventory.import", batch, organisation_id=organisation_id)
        if superseded:
            record(session, actor, "inventory.records_superseded", batch,
                   before={"superseded_record_ids": list(superseded)}, organisation_id=organisation_id)
        used = _remember_mapping(session, actor, organisation_id, parsed, mapping, save_mapping, used)
        uow.commit()
        return ImportOutcome("imported", batch.id, filename, sha256, parsed.encoding, count,
                             mapping=used)


def _mapping_use(
    given: ColumnMapping | None, saved_layout: str | None, saved: Mapping[str, SavedMapping]
) -> MappingUse:
    if given is not None:
        return MappingUse.of("given")
    if saved_layout is not None:
        return MappingUse.of("saved", saved[saved_layout])
    return MappingUse.of("none")


def _remember_mapping(
    session: Session,
    actor: Actor,
    organisation_id: int,
    parsed: ParsedImport,
    given: ColumnMapping | None,
    save: bool,
    used: MappingUse,
) -> MappingUse:
    """In the import's transaction: save the mapping given with the file for its layout, or
    note that the saved one read it. Only for a stored file (a dry run or a refusal saves
    nothing; records sent as JSON never come here)."""
    if given is None:
        if used.id is not None:
            mark_used(session, used.id)
        return used
    if not save or parsed.layout is None:
        return used
    row = save_mapping(
        session, actor, organisation_id, layout=parsed.layout, header=parsed.header, mapping=given
    )
    return MappingUse.of("given", row)


def _open_inventory(session: Session, organisation_id: int, inventory_id: int) -> Inventory:
    """The inventory, if it still takes activity data: a draft, calculated from activities."""
    inventory = get_inventory_row(session, organisation_id, inventory_id)
    require_draft(inventory)
    if inventory.origin != InventoryOrigin.CALCULATED:
        raise Conflict(Msg("an external inventory takes totals, not activity data"))
    return inventory


def _earlier_import(session: Session, inventory_id: int, sha256: str) -> ActivityImport | None:
    return session.scalar(
        select(ActivityImport).where(
            ActivityImport.inventory_id == inventory_id, ActivityImport.sha256 == sha256
        )
    )


def _already_imported(earlier: ActivityImport, sha256: str) -> ImportOutcome:
    return ImportOutcome(
        "already_imported",
        earlier.id,
        earlier.filename,
        sha256,
        earlier.encoding,
        earlier.row_count,
    )


@dataclass(frozen=True)
class _Stored:
    """What the records of a file are checked against: the sites its rows may name (the
    subject's), the activities the inventory already holds, with the marks that show whether
    they have changed since (the inventory's last batch, the sites' names), and what the
    calculation will price the records with (the factors, the GWP set, each site's grid)."""

    sites: tuple[Site, ...]
    fingerprints: frozenset[str]
    last_batch: int | None
    factors: Mapping[str, EmissionFactor]
    gwp_set: GwpSet
    grid: Mapping[int, EmissionFactor | None]
    residual: Mapping[int, EmissionFactor | None] = dataclasses.field(default_factory=dict)
    #: the inventory's records as an overlap is judged: id, site_id, activity_type, factor_key,
    #: data_quality, start_date, end_date, evidence, filename, source_row (one row per record)
    existing: pd.DataFrame | None = None

    @classmethod
    def load(
        cls, session: Session, inventory: Inventory, period: ApplicationPeriodRow, *, overlaps: bool
    ) -> _Stored:
        """``overlaps``: read the inventory's records whole, for the overlap check (a file held to
        it); otherwise only their fingerprints are read (records sent as JSON, a file added on
        purpose), which for an inventory of a million records is the difference that counts."""
        # the mark first: a batch stored while the rest is read (each statement reads the last
        # commit on PostgreSQL) then shows as a change, never as checked
        last_batch = _last_batch(session, inventory.id)
        sites = tuple(
            session.scalars(
                select(Site)
                .where(Site.id.in_(subject_site_ids(session, period)))
                .order_by(Site.id)
            )
        )
        existing = None
        if overlaps:
            existing = pd.DataFrame(
                session.execute(
                    select(*_OVERLAP_COLUMNS, ActivityImport.filename, ActivityRecord.source_row)
                    .join(ActivityImport, ActivityImport.id == ActivityRecord.import_id)
                    .where(ActivityRecord.inventory_id == inventory.id)
                ).all(),
                columns=[*(c.key for c in _OVERLAP_COLUMNS), "filename", "source_row"],
            )
            fingerprints = frozenset(existing["fingerprint"])
        else:
            fingerprints = frozenset(
                session.scalars(
                    select(ActivityRecord.fingerprint).where(
                        ActivityRecord.inventory_id == inventory.id
                    )
                )
            )
        # the factors and grids the inventory's calculation uses (computing._calculate)
        factors = {
            **library.load_factors(),
            **organisation_factors(session, inventory.organisation_id),
        }
        resolver = FactorResolver(session, period, {site.id for site in sites})
        grid = {site.id: resolver.location(site.id) for site in sites}
        residual = {site.id: resolver.residual(site.id) for site in sites}
        return cls(
            sites, fingerprints, last_batch, factors, library.load_gwp_set(inventory.gwp_set), grid,
            residual, existing,
        )

    def unchanged(
        self, session: Session, inventory: Inventory, period: ApplicationPeriodRow
    ) -> bool:
        """Whether the checks made against this still hold. Records enter an inventory only in
        a batch, so no new batch means no new record (one deleted only lifts a refusal)."""
        if _last_batch(session, inventory.id) != self.last_batch:
            return False
        sites = session.execute(
            select(Site.id, Site.name)
            .where(Site.id.in_(subject_site_ids(session, period)))
            .order_by(Site.id)
        ).all()
        return [tuple(row) for row in sites] == [(site.id, site.name) for site in self.sites]


def _last_batch(session: Session, inventory_id: int) -> int | None:
    return session.scalar(
        select(func.max(ActivityImport.id)).where(ActivityImport.inventory_id == inventory_id)
    )


def _resolve_records(
    inventory_id: int, stored: _Stored, parsed: ActivityRows, overlap: Overlap = Overlap.REFUSE
) -> tuple[dict[str, Any], list[RowError], tuple[int, ...]]:
    """Map the file's site texts to the subject's sites and refuse activities already stored.

    Returns the records as columns for :func:`store_records`, in fingerprint order (``import_id``
    left to the caller). Works column by column: a million rows take about a second.
    """
    sites = stored.sites
    # a site is found by its id or its name, whatever the script (佛山獅山工廠 = 佛山狮山工厂), the
    # width of its characters, case and blanks
    by_key: dict[str, Site] = {}
    for site in sites:
        by_key.setdefault(site_key(site.name), site)
        by_key[str(site.id)] = site
    rows = parsed.column("row")
    codes, spellings = pd.factorize(np.asarray(parsed.column("site"), dtype=object))
    site_of = [by_key.get(site_key(spelling)) for spelling in spellings]
    errors: list[RowError] = []
    known_sites = ", ".join(sorted(s.name for s in sites))
    names = [s.name for s in sites]
    unknown = (
        np.array([site is None for site in site_of], dtype=bool)[codes]
        if len(codes)
        else np.zeros(0, bool)
    )
    guesses: dict[int, str] = {}
    for position in np.flatnonzero(unknown):
        code = int(codes[position])
        if code not in guesses:
            near = closest_site(spellings[code], names)
            guesses[code] = (
                Msg("'{site}' is not a site of this claim's subject; did you mean '{near}'?",
                    site=spellings[code], near=near)
                if near
                else Msg("'{site}' is not a site of this claim's subject (one of: {sites})",
                         site=spellings[code], sites=known_sites)
            )
        errors.append(RowError(int(rows[position]), "site", guesses[code]))
    # The parser's fingerprint is made from the file's spelling of the site; it must be of the
    # site as stored, so that another spelling (an id, other case) is still the same activity.
    # The fingerprint depends on the site only through its text: if the spelling and the stored
    # name agree for one row, they agree for every row of that spelling.
    fingerprints = np.array(parsed.column("fingerprint"), dtype=object)
    firsts = first_positions(codes)
    respelled = False
    for code, first in zip(range(len(spellings)), firsts, strict=True):
        site = site_of[code]
        if site is None or _fingerprint_with(parsed[int(first)], site.name) == fingerprints[first]:
            continue
        respelled = True
        for position in np.flatnonzero(codes == code):
            fingerprints[position] = _fingerprint_with(parsed[int(position)], site.name)
    # superseding replaces earlier records, the same activities among them: those are checked
    # once the records it replaces are known (below)
    known = stored.fingerprints if overlap is not Overlap.SUPERSEDE else frozenset()
    # two spellings of one site in the file (the parser has refused every repeat of its own
    # fingerprints, and passes on only rows without errors: a repeat here needs a fingerprint
    # made again above)
    seen = (
        pd.Series(fingerprints).duplicated().to_numpy().copy()
        if respelled
        else np.zeros(len(fingerprints), dtype=bool)
    )
    if known:
        seen |= np.fromiter(map(known.__contains__, fingerprints), dtype=bool, count=len(fingerprints))
    for position in np.flatnonzero(seen & ~unknown):
        errors.append(
            RowError(int(rows[position]), None, Msg("this activity is already in the inventory"))
        )
    site_ids = np.array([None if site is None else site.id for site in site_of], dtype=object)
    if errors:
        # the other rows still go through the checks below, so that one answer names every
        # problem; nothing is returned to store
        sound = ~unknown & ~seen
        parsed, codes, fingerprints, rows = (
            parsed.take(sound), codes[sound], fingerprints[sound], rows[sound]
        )
    # (after the fingerprints, which are of the rows as written)
    parsed = _in_tonne_kilometres(parsed)
    at_site = site_ids[codes]
    factor_keys, unpriced = _fuel_factors(parsed, at_site, stored)
    errors += unpriced
    refused = {e.row for e in unpriced}  # a fuel row without its factor is refused once, for that
    errors += [e for e in _incalculable(parsed, at_site, factor_keys, stored) if e.row not in refused]
    superseded: tuple[int, ...] = ()
    if overlap is not Overlap.ADD:
        covering = _overlaps(parsed, at_site, factor_keys, stored.existing)
        if overlap is Overlap.REFUSE:
            errors += [_overlap_error(int(rows[position]), earlier) for position, earlier in covering]
        else:
            superseded = tuple(sorted({int(earlier["id"]) for _, earlier in covering}))
            existing = stored.existing
            kept = set() if existing is None or existing.empty else set(
                existing.loc[~existing["id"].isin(superseded), "fingerprint"])
            errors += [RowError(int(rows[p]), None, Msg("this activity is already in the inventory"))
                       for p in np.flatnonzero([f in kept for f in fingerprints])]
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.column or ""))
        return {}, errors, ()
    order = fingerprint_order(fingerprints)
    resolved = {
        "inventory_id": inventory_id,
        "factor_key": factor_keys[order],
        "site_id": at_site[order],
        "import_id": None,
        "fingerprint": fingerprints[order],
        "row": rows[order],  # row: not stored, for the caller
    }
    # (each column put in order once: a million rows in a random order take tens of ms a column)
    columns: dict[str, Any] = {
        name: parsed.column(name)[order]
        for name in RECORD_COLUMNS
        if name in ActivityRow._fields and name not in resolved
    }
    columns.update(resolved)
    return columns, errors, superseded


_OVERLAP_COLUMNS = (
    ActivityRecord.id, ActivityRecord.site_id, ActivityRecord.activity_type, ActivityRecord.factor_key,
    ActivityRecord.data_quality, ActivityRecord.start_date, ActivityRecord.end_date, ActivityRecord.evidence,
    ActivityRecord.fingerprint, ActivityRecord.source,
)


def _overlaps(
    parsed: ActivityRows, site_ids: np.ndarray, factor_keys: np.ndarray, existing: pd.DataFrame | None
) -> list[tuple[int, dict[str, Any]]]:
    """(position in the file, the earlier record) for every row that covers what an earlier
    file holds: the same source of the same site, activity type, factor and data quality for
    days in common, or the same evidence reference (an invoice number) at the same site. Within
    one file rows may cover the same days: the file says what it means.

    The source is part of it: two boilers of one site burn diesel in the same months, and are
    two activities; the same invoices exported twice under two names share their numbers."""
    if existing is None or existing.empty or not len(parsed):
        return []
    new = pd.DataFrame({
        "position": np.arange(len(parsed)), "site_id": site_ids.astype(np.int64),
        "activity_type": [_plain_value(v) for v in parsed.column("activity_type")],
        "factor_key": [k or "" for k in factor_keys],
        "data_quality": [_plain_value(v) for v in parsed.column("data_quality")],
        "start_date": pd.to_datetime(pd.Series(parsed.column("start_date"))),
        "end_date": pd.to_datetime(pd.Series(parsed.column("end_date"))),
        "evidence": parsed.column("evidence"),
        "source_key": [" ".join(str(s).split()).casefold() for s in parsed.column("source")],
    })
    old = existing.assign(
        source_key=[" ".join(str(s).split()).casefold() for s in existing["source"]],
        factor_key=existing["factor_key"].fillna(""),
        start_date=pd.to_datetime(existing["start_date"]),
        end_date=pd.to_datetime(existing["end_date"]),
    )
    found: dict[int, dict[str, Any]] = {}
    key = ["site_id", "source_key", "activity_type", "factor_key", "data_quality"]
    earlier_by_key = {k: g.sort_values("start_date") for k, g in old.groupby(key, sort=False)}
    for k, rows in new.groupby(key, sort=False):
        earlier = earlier_by_key.get(k)
        if earlier is None:
            continue
        starts = earlier["start_date"].to_numpy()
        ends = earlier["end_date"].to_numpy()
        # the latest end among the records starting no later than each one, and which it is
        reach = np.maximum.accumulate(ends)
        holder = np.maximum.accumulate(np.where(ends == reach, np.arange(len(ends)), 0))
        last = np.searchsorted(starts, rows["end_date"].to_numpy(), side="right") - 1
        for position, start, index in zip(rows["position"], rows["start_date"].to_numpy(), last, strict=True):
            if index >= 0 and reach[index] >= start:
                found.setdefault(int(position), earlier.iloc[int(holder[index])].to_dict())
    with_evidence = old[old["evidence"].astype(bool)]
    if not with_evidence.empty:
        by_reference = {(r["site_id"], r["evidence"]): r for r in with_evidence.to_dict("records")}
        for position, site, evidence in zip(new["position"], new["site_id"], new["evidence"], strict=True):
            if evidence and (int(site), evidence) in by_reference:
                found.setdefault(int(position), by_reference[(int(site), evidence)])
    return sorted(found.items())


def _plain_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _overlap_error(row: int, earlier: Mapping[str, Any]) -> RowError:
    where: str = f"'{earlier['filename']}'" if earlier["filename"] else Msg("records sent as JSON")
    if earlier["filename"] and earlier.get("source_row") is not None and not pd.isna(earlier["source_row"]):
        where = Msg("'{filename}' row {row}", filename=earlier["filename"], row=int(earlier["source_row"]))
    return RowError(
        row, None,
        Msg("covers what {where} already holds (record {record}: the same source, site, activity "
            "type, factor and data quality for days in common, or the same evidence reference); import with "
            "overlap=supersede (on the command line --overlap supersede) to replace the earlier rows, "
            "or overlap=add if both are meant", where=where, record=int(earlier["id"])),
    )


#: The fields that make rows interchangeable for the calculation (calculation._GROUP_KEY): one
#: row of each such group is checked, and a refusal is reported on every row of its group.
_GROUPED_BY = (
    "site_id", "scope", "scope3_category", "iso_category", "activity_type", "factor_key", "unit", "gas",
)


def _in_tonne_kilometres(parsed: ActivityRows) -> ActivityRows:
    """The rows with each transport leg given in a distance and the weight carried turned into
    tonne-kilometres, as the factors of freight are (seed 002 §3.2: 10 t × 100 km = 1,000 t·km),
    exactly; the distance as written is kept beside the weight (``extra``), so that the record
    shows what the file said."""
    extras = parsed.column("extra")
    types = parsed.column("activity_type")
    # only the rows with extra fields are looked at (a few transport legs among a million rows)
    legs = [p for p in np.flatnonzero(np.not_equal(extras, None)).tolist()
            if extras[p] and extras[p].get("weight") is not None and types[p] == ActivityType.TRANSPORT]
    if not legs:
        return parsed
    columns = {name: parsed.column(name).copy() for name in ActivityRow._fields}
    with localcontext(EXACT):
        for p in legs:
            extra = dict(extras[p])
            distance = convert(columns["quantity"][p], columns["unit"][p], "km")
            weight = convert(Decimal(extra["weight"]), extra.get("weight_unit") or "t", "t")
            extra["distance"] = f"{columns['quantity'][p]} {columns['unit'][p]}"
            columns["quantity"][p] = tidy(weight * distance)
            columns["unit"][p] = "t·km"
            columns["extra"][p] = extra
    return ActivityRows(columns)


def _fuel_factors(
    parsed: ActivityRows, site_ids: np.ndarray, stored: _Stored
) -> tuple[np.ndarray, list[RowError]]:
    """The rows' factor keys, with the library's factor filled in for a fuel row that names
    none when exactly one combustion factor fits it: of the site's country (else a global one),
    taking the row's unit. Where several fit, the row is refused with the choices named; the
    stored record always names the factor its figures come from."""
    keys = parsed.column("factor_key").copy()
    types = parsed.column("activity_type")
    # compared in bulk (numpy compares object arrays item by item, without a Python call each)
    missing = np.flatnonzero(np.equal(keys, None) & np.equal(types, ActivityType.FUEL))
    if not len(missing):
        return keys, []
    country = {site.id: site.country for site in stored.sites}
    units = parsed.column("unit")
    rows = parsed.column("row")
    choices: dict[tuple[str, str], list[str]] = {}
    errors = []
    for position in missing:
        where = (country[site_ids[position]], units[position])
        if where not in choices:
            choices[where] = _fuel_choices(stored.factors, *where)
        found = choices[where]
        if len(found) == 1:
            keys[position] = found[0]
        else:
            named = ", ".join(found) if found else Msg("none in the library (add one of your own)")
            errors.append(RowError(
                int(rows[position]), "factor_key",
                Msg("a fuel row needs its emission factor: for {unit} at a site in {country} "
                    "the factors that fit are {named}", unit=where[1], country=where[0], named=named),
            ))
    return keys, errors


def _fuel_choices(factors: Mapping[str, EmissionFactor], country: str, unit: str) -> list[str]:
    combustion = [f for f in factors.values() if f.kind is FactorKind.FUEL_COMBUSTION]
    for geography in (country, "GLOBAL"):
        fitting = []
        for factor in combustion:
            if factor.provenance.geography != geography:
                continue
            try:
                conversion_for(unit, factor)
            except InvalidInput:
                continue
            fitting.append(factor.key)
        if fitting:
            return sorted(fitting)
    return []


def _incalculable(
    parsed: ActivityRows, site_ids: np.ndarray, factor_keys: np.ndarray, stored: _Stored
) -> list[RowError]:
    """Every row the inventory's calculation would refuse (an unknown factor, a factor of
    another kind of activity, a unit the factor cannot take, a gas that conflicts with it, a
    site without a grid factor…), checked by the calculation's own code (calculation.problems)
    before anything is stored: a stored record must never make a figure fail later."""
    if not len(parsed):
        return []
    given = {"site_id": site_ids, "factor_key": factor_keys}
    # each field as integer codes (None is a code of its own): grouping integers is several times
    # faster than grouping the objects themselves
    keys = np.zeros(len(parsed), dtype=np.int64)
    for name in _GROUPED_BY:
        codes, uniques = pd.factorize(
            np.asarray(given[name] if name in given else parsed.column(name), dtype=object)
        )
        # one number per combination (codes + 1: None's -1 becomes 0); renumbered before it
        # could outgrow int64
        if (int(keys.max(initial=0)) + 1) * (len(uniques) + 1) >= 2**62:
            keys = pd.factorize(keys)[0]
        keys = keys * (len(uniques) + 1) + (codes + 1)
    keys = pd.factorize(keys)[0]
    firsts = first_positions(keys)
    groups = [
        _as_activity(parsed[int(first)], int(site_ids[first]), factor_keys[first]) for first in firsts
    ]
    found = problems(groups, stored.factors, stored.gwp_set, location_factor_for=stored.grid.get)
    if not found:
        return []
    rows = parsed.column("row")
    errors = []
    first_of = {activity.id: index for index, activity in enumerate(groups)}
    for activity, error in found:
        column = next(iter(error.details), None) if error.details else None
        for position in np.flatnonzero(keys == keys[firsts[first_of[activity.id]]]):
            errors.append(RowError(int(rows[position]), column, error.message))
    errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    return errors


def _as_activity(row: ActivityRow, site_id: int, factor_key: str | None) -> Activity:
    return Activity(
        id=row.row, site_id=site_id, source=row.source, scope=row.scope,
        activity_type=row.activity_type, quantity=row.quantity, unit=row.unit,
        start=row.start_date, end=row.end_date, factor_key=factor_key,
        scope1_subtype=row.scope1_subtype, scope3_category=row.scope3_category,
        iso_category=row.iso_category, gas=row.gas,
    )


def _fingerprint_with(row: ActivityRow, site_name: str) -> str:
    return activity_fingerprint(
        site_name,
        row.source,
        row.activity_type,
        row.start_date,
        row.end_date,
        row.quantity,
        row.unit,
    )


def list_imports(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int
) -> list[ActivityImport]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_inventory_row(uow.session, organisation_id, inventory_id)
        return list(
            uow.session.scalars(
                select(ActivityImport)
                .where(ActivityImport.inventory_id == inventory_id)
                .order_by(ActivityImport.id)
            )
        )


def activity_template(actor: Actor, activity_type: str) -> bytes:
    """The CSV template of one activity type (any signed-in user may download it)."""
    require_authenticated(actor)
    try:
        kind = ActivityType(activity_type)
    except ValueError:
        raise NotFound(Msg("no template for activity type '{kind}'", kind=activity_type)) from None
    return template_csv(kind)


def subject_site_ids(session: Session, period: ApplicationPeriodRow) -> set[int]:
    """The sites of the period's subject: the only sites its activities may name."""
    commitment = session.get(Commitment, period.commitment_id)
    subject = session.get(Subject, commitment.subject_id)
    return {site.id for site in subject.included_sites}
