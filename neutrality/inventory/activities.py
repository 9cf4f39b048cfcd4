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
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize, require_authenticated
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.db import query_page
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.inventory.bulk import COLUMNS as RECORD_COLUMNS
from neutrality.inventory.bulk import fingerprint_order, store_records
from neutrality.inventory.importing import (
    FIELDS,
    TRANSPORT_FIELDS,
    ActivityRow,
    ActivityRows,
    ColumnMapping,
    ImportPreview,
    ImportRejected,
    RowError,
    activity_fingerprint,
    parse_activity_file,
    template_csv,
)
from neutrality.inventory.model import ActivityType
from neutrality.inventory.repository import count_activities, get_activity_row, get_inventory_row
from neutrality.inventory.services import require_draft
from neutrality.inventory.status import BatchKind, InventoryOrigin
from neutrality.inventory.tables import ActivityImport, ActivityRecord, Inventory
from neutrality.organisations.tables import Site, Subject
from neutrality.pagination import Page, PageResult
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS, SheetLimits
from neutrality.uow import UnitOfWork


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
            f"{len(rejected.errors)} problem(s) in the activities; none was added", details
        ) from None
    with uow.reading():
        stored = {
            r.id: r
            for r in uow.session.scalars(
                select(ActivityRecord).where(ActivityRecord.id.in_(outcome.record_ids))
            )
        }
        return [stored[record_id] for record_id in outcome.record_ids]  # in the order sent


#: The importer's fields that a JSON record carries (transport payer/ownership come by file).
_JSON_FIELDS = tuple(f for f in FIELDS if f not in TRANSPORT_FIELDS)


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
) -> ImportOutcome:
    """Import an activity data file: every row or none; the same file twice changes nothing.

    ``record_file=False`` is for records sent as JSON: they form a batch of kind "api" with no
    file hash, and the new record ids are returned.

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
    parsed = parse_activity_file(
        data,
        filename,
        period_start=period.start_date,
        period_end=period.end_date,
        max_bytes=max_bytes,
        limits=limits,
        mapping=mapping,
        encoding=encoding,
    )
    columns: dict[str, Any] = {}
    errors: list[RowError] = []
    stored: _Stored | None = None
    if parsed.ok:
        with uow.reading():
            # the same file may have been imported while this one was read
            earlier = _earlier_import(uow.session, inventory_id, sha256) if record_file else None
            if earlier is not None:
                return _already_imported(earlier, sha256)
            stored = _Stored.load(uow.session, inventory, period)
        columns, errors = _resolve_records(inventory.id, stored, parsed.rows)
    count = len(parsed.rows)
    if dry_run:
        preview = dataclasses.replace(parsed.preview(), errors=parsed.errors + errors)
        return ImportOutcome("preview", None, filename, sha256, parsed.encoding, count, preview)
    parsed.raise_for_errors()
    if errors:
        raise ImportRejected(filename, errors)
    with uow:
        session = uow.session
        # Read again under the write lock: the inventory may have been verified, the same file
        # imported, or other records or sites added while this one was being read.
        inventory = _open_inventory(session, organisation_id, inventory_id)
        earlier = _earlier_import(session, inventory_id, sha256) if record_file else None
        if earlier is not None:
            return _already_imported(earlier, sha256)
        if stored is None or not stored.unchanged(session, inventory, period):
            columns, errors = _resolve_records(
                inventory.id, _Stored.load(session, inventory, period), parsed.rows
            )
            if errors:
                raise ImportRejected(filename, errors)
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
        uow.commit()
        return ImportOutcome("imported", batch.id, filename, sha256, parsed.encoding, count)


def _open_inventory(session: Session, organisation_id: int, inventory_id: int) -> Inventory:
    """The inventory, if it still takes activity data: a draft, calculated from activities."""
    inventory = get_inventory_row(session, organisation_id, inventory_id)
    require_draft(inventory)
    if inventory.origin != InventoryOrigin.CALCULATED:
        raise Conflict("an external inventory takes totals, not activity data")
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
    subject's) and the activities the inventory already holds, with the marks that show whether
    they have changed since (the inventory's last batch, the sites' names)."""

    sites: tuple[Site, ...]
    fingerprints: frozenset[str]
    last_batch: int | None

    @classmethod
    def load(cls, session: Session, inventory: Inventory, period: ApplicationPeriodRow) -> _Stored:
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
        fingerprints = frozenset(
            session.scalars(
                select(ActivityRecord.fingerprint).where(
                    ActivityRecord.inventory_id == inventory.id
                )
            )
        )
        return cls(sites, fingerprints, last_batch)

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
    inventory_id: int, stored: _Stored, parsed: ActivityRows
) -> tuple[dict[str, Any], list[RowError]]:
    """Map the file's site texts to the subject's sites and refuse activities already stored.

    Returns the records as columns for :func:`store_records`, in fingerprint order (``import_id``
    left to the caller). Works column by column: a million rows take about a second.
    """
    sites = stored.sites
    by_key: dict[str, Site] = {}
    for site in sites:
        by_key[site.name.casefold()] = site
        by_key[str(site.id)] = site
    rows = parsed.column("row")
    codes, spellings = pd.factorize(np.asarray(parsed.column("site"), dtype=object))
    site_of = [by_key.get(spelling.strip().casefold()) for spelling in spellings]
    errors: list[RowError] = []
    known_sites = ", ".join(sorted(s.name for s in sites))
    unknown = (
        np.array([site is None for site in site_of], dtype=bool)[codes]
        if len(codes)
        else np.zeros(0, bool)
    )
    for position in np.flatnonzero(unknown):
        errors.append(
            RowError(
                int(rows[position]),
                "site",
                f"'{spellings[codes[position]]}' is not a site of "
                f"this claim's subject (one of: {known_sites})",
            )
        )
    # The parser's fingerprint is made from the file's spelling of the site; it must be of the
    # site as stored, so that another spelling (an id, other case) is still the same activity.
    # The fingerprint depends on the site only through its text: if the spelling and the stored
    # name agree for one row, they agree for every row of that spelling.
    fingerprints = np.array(parsed.column("fingerprint"), dtype=object)
    _, firsts = np.unique(codes, return_index=True)
    for code, first in zip(range(len(spellings)), firsts, strict=True):
        site = site_of[code]
        if site is None or _fingerprint_with(parsed[int(first)], site.name) == fingerprints[first]:
            continue
        for position in np.flatnonzero(codes == code):
            fingerprints[position] = _fingerprint_with(parsed[int(position)], site.name)
    known = stored.fingerprints
    # two spellings of one site in the file
    seen = pd.Series(fingerprints).duplicated().to_numpy().copy()
    if known:
        seen |= np.fromiter((f in known for f in fingerprints), dtype=bool, count=len(fingerprints))
    for position in np.flatnonzero(seen & ~unknown):
        errors.append(
            RowError(int(rows[position]), None, "this activity is already in the inventory")
        )
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.column or ""))
        return {}, errors
    order = fingerprint_order(fingerprints)
    site_ids = np.array([site.id for site in site_of], dtype=object)
    columns: dict[str, Any] = {
        name: parsed.column(name)[order] for name in RECORD_COLUMNS if name in ActivityRow._fields
    }
    columns.update(
        inventory_id=inventory_id,
        site_id=site_ids[codes[order]],
        import_id=None,
        fingerprint=fingerprints[order],
        row=rows[order],  # row: not stored, for the caller
    )
    return columns, errors


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
        raise NotFound(f"no template for activity type '{activity_type}'") from None
    return template_csv(kind)


def subject_site_ids(session: Session, period: ApplicationPeriodRow) -> set[int]:
    """The sites of the period's subject: the only sites its activities may name."""
    commitment = session.get(Commitment, period.commitment_id)
    subject = session.get(Subject, commitment.subject_id)
    return {site.id for site in subject.included_sites}
