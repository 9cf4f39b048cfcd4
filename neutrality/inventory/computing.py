"""Feeding the pure calculation from the database, and the report it produces.

The report is a JSON-ready document with every figure exact (decimal strings, unrounded):
pages and statements round when they present. A verified inventory answers with the report
frozen at verification, so its figures never change afterwards.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from decimal import Context, Decimal, localcontext
from operator import mul
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.errors import InvalidInput, NotFound
from neutrality.inventory import library, metering
from neutrality.inventory.calculation import EXACT, InventoryResult, Totals, calculate, problems
from neutrality.inventory.model import (
    Activity,
    ActivityType,
    CalculationMethod,
    DataQualityTier,
    EmissionFactor,
    FactorKind,
    IsoCategory,
    Provenance,
    Scope,
    Scope1Subtype,
    UncertaintyBasis,
)
from neutrality.inventory.tables import (
    ActivityImport,
    ActivityRecord,
    Inventory,
    OrganisationFactor,
)
from neutrality.inventory.uncertainty import (
    EXPERT_JUDGEMENT_PERCENT,
    Source,
    activity_uncertainty,
    combine,
)
from neutrality.messages import Msg, joined
from neutrality.organisations.tables import Site
from neutrality.units import tidy

#: For the square roots and ratios of the uncertainty (a ± % needs no more digits than this).
EXACT_DIVISION = Context(prec=50)

_COLUMNS = (
    ActivityRecord.id, ActivityRecord.site_id, ActivityRecord.source, ActivityRecord.scope,
    ActivityRecord.activity_type, ActivityRecord.quantity, ActivityRecord.unit,
    ActivityRecord.start_date, ActivityRecord.end_date, ActivityRecord.factor_key,
    ActivityRecord.scope1_subtype, ActivityRecord.scope3_category, ActivityRecord.iso_category,
    ActivityRecord.method, ActivityRecord.data_quality, ActivityRecord.uncertainty_percent,
    ActivityRecord.gas,
)


def load_activities(session: Session, inventory_id: int, site_id: int | None = None) -> list[Activity]:
    """Every record as an :class:`Activity` (for trails: one site's records at a time)."""
    query = select(*_COLUMNS).where(ActivityRecord.inventory_id == inventory_id)
    if site_id is not None:
        query = query.where(ActivityRecord.site_id == site_id)
    rows = session.execute(query.order_by(ActivityRecord.id).execution_options(yield_per=20_000))
    scopes = {s.value: s for s in Scope}
    return [
        Activity(
            id=r[0], site_id=r[1], source=r[2], scope=scopes[r[3]], activity_type=ActivityType(r[4]),
            quantity=r[5], unit=r[6], start=r[7], end=r[8], factor_key=r[9],
            scope1_subtype=Scope1Subtype(r[10]) if r[10] else None, scope3_category=r[11],
            iso_category=IsoCategory(r[12]), method=CalculationMethod(r[13]),
            data_quality=DataQualityTier(r[14]), uncertainty_percent=r[15], gas=r[16],
        )
        for r in rows
    ]


#: What makes records interchangeable for the calculation: same site, classification, factor,
#: unit and gas (and, for the uncertainty, the same stated ± %).
_GROUP_COLUMNS = (
    ActivityRecord.site_id, ActivityRecord.scope, ActivityRecord.scope1_subtype,
    ActivityRecord.scope3_category, ActivityRecord.iso_category, ActivityRecord.activity_type,
    ActivityRecord.factor_key, ActivityRecord.unit, ActivityRecord.gas, ActivityRecord.method,
    ActivityRecord.uncertainty_percent, ActivityRecord.data_quality,
)


@dataclasses.dataclass(frozen=True)
class Group:
    """Records summed: Decimal addition is exact, and a factor distributes over a sum, so the
    totals of the groups equal the totals of the records to the last digit."""

    activity: Activity  # the group as one activity, its quantity the sum
    records: int
    sum_of_squares: Decimal  # Σ qᵢ², for the error propagation over independent records


#: The groups already read within :func:`groups_reused`, by inventory id (None: not reusing).
_REUSED: ContextVar[dict[int, tuple[list[Group], list[Reconciliation]]] | None] = ContextVar("reused_groups",
                                                                                           default=None)


@contextlib.contextmanager
def groups_reused() -> Iterator[None]:
    """Within the block, each inventory's records are read and summed once, however many
    calculations ask for them: one document (a report: the inventory, the year before, the
    target's base year checked with today's factors) reads a million records once, not four
    times. Only for a block in which no record is written: the sums are the block's first read."""
    token = _REUSED.set({})
    try:
        yield
    finally:
        _REUSED.reset(token)


def load_groups(
    session: Session, inventory: Inventory, period: ApplicationPeriodRow
) -> tuple[list[Group], list[Reconciliation]]:
    """The inventory's records summed per group, less the invoices that meters supersede, and
    the reconciliation of every invoice that meters overlap."""
    reused = _REUSED.get()
    if reused is not None:
        if inventory.id not in reused:
            reused[inventory.id] = _load_groups(session, inventory, period)
        return reused[inventory.id]
    return _load_groups(session, inventory, period)


def _load_groups(
    session: Session, inventory: Inventory, period: ApplicationPeriodRow
) -> tuple[list[Group], list[Reconciliation]]:
    sums = (_sums_in_database if session.get_bind().dialect.name == "postgresql" else _sums_in_python)(
        session, inventory.id)
    # The groups say for free whether a site has both invoices and meter readings of one type;
    # only then is there anything to reconcile.
    tiers: dict[tuple[int, str], set[str]] = {}
    for key in sums:
        tiers.setdefault((key[0], key[5]), set()).add(key[-1])
    both = {pair for pair, found in tiers.items() if {_METERED, _INVOICED} <= found}
    reconciliations = reconcile_metering(session, inventory.id, streams=both) if both else []
    for item in reconciliations:
        if not item.superseded:
            continue
        # Subtracting from the sums is exact (in the sums' own exact context), and cheaper than
        # excluding ids in the query.
        key, quantity = item.group_key, item.invoice.quantity
        entry = sums[key]
        with localcontext(EXACT):
            entry[0], entry[1], entry[2] = entry[0] - quantity, entry[1] - quantity * quantity, entry[2] - 1
        if entry[2] == 0:
            del sums[key]
    scopes = {s.value: s for s in Scope}
    groups = []
    for number, (key, (total, squares, count)) in enumerate(sums.items(), start=1):
        site_id, scope, subtype, category, iso, kind, factor_key, unit_code, gas, method, uncertainty, tier = key
        groups.append(Group(
            Activity(
                id=f"group-{number}", site_id=site_id, source=f"{count} record(s)", scope=scopes[scope],
                activity_type=ActivityType(kind), quantity=total, unit=unit_code,
                start=period.start_date, end=period.end_date, factor_key=factor_key,
                scope1_subtype=Scope1Subtype(subtype) if subtype else None, scope3_category=category,
                iso_category=IsoCategory(iso), method=CalculationMethod(method),
                data_quality=DataQualityTier(tier), uncertainty_percent=uncertainty, gas=gas,
            ),
            count,
            squares,
        ))
    return groups, reconciliations


_METERED, _INVOICED = DataQualityTier.METERED.value, DataQualityTier.INVOICED.value


def _sums_in_database(session: Session, inventory_id: int) -> dict[tuple[Any, ...], list[Any]]:
    # PostgreSQL sums NUMERIC exactly.
    quantity = ActivityRecord.__table__.c.quantity
    rows = session.execute(
        select(*_GROUP_COLUMNS, func.sum(quantity), func.sum(quantity * quantity), func.count())
        .where(ActivityRecord.inventory_id == inventory_id)
        .group_by(*_GROUP_COLUMNS)
    )
    return {tuple(row[:-3]): [tidy(row[-3]), tidy(row[-2]), row[-1]] for row in rows}


def _sums_in_python(session: Session, inventory_id: int) -> dict[tuple[Any, ...], list[Any]]:
    # SQLite keeps decimals as text and would sum them as floats: it groups, and hands each
    # group's quantities over as one text (far cheaper than a million row tuples), summed here.
    quantities = func.group_concat(type_coerce(ActivityRecord.quantity, String), ";")
    rows = session.execute(
        select(*_GROUP_COLUMNS, quantities, func.count())
        .where(ActivityRecord.inventory_id == inventory_id)
        .group_by(*_GROUP_COLUMNS)
    )
    sums: dict[tuple[Any, ...], list[Any]] = {}
    with localcontext(EXACT):
        for row in rows:
            values = list(map(Decimal, row[-2].split(";")))
            sums[tuple(row[:-2])] = [sum(values, Decimal(0)), sum(map(mul, values, values), Decimal(0)), row[-1]]
    return sums


@dataclasses.dataclass(frozen=True)
class Reconciliation(metering.Reconciliation):
    """A reconciliation that also knows the group its invoice is summed in."""

    group_key: tuple[Any, ...] = ()


_READING_COLUMNS = (
    ActivityRecord.id, ActivityRecord.site_id, ActivityRecord.activity_type, ActivityRecord.factor_key,
    ActivityRecord.gas, ActivityRecord.quantity, ActivityRecord.unit, ActivityRecord.start_date,
    ActivityRecord.end_date,
)


def _metered_and_invoiced(session: Session, inventory_id: int) -> set[tuple[int, str]]:
    """The (site, activity type) pairs of an inventory with both invoices and meter readings."""
    tiers: dict[tuple[int, str], set[str]] = {}
    for site, kind, quality in session.execute(
        select(ActivityRecord.site_id, ActivityRecord.activity_type, ActivityRecord.data_quality)
        .where(ActivityRecord.inventory_id == inventory_id,
               ActivityRecord.data_quality.in_([_METERED, _INVOICED])).distinct()
    ):
        tiers.setdefault((site, kind), set()).add(quality)
    return {pair for pair, found in tiers.items() if found == {_METERED, _INVOICED}}


def reconcile_metering(
    session: Session, inventory_id: int, tolerance_percent: Decimal = metering.DEFAULT_TOLERANCE_PERCENT,
    streams: set[tuple[int, str]] | None = None,
) -> list[Reconciliation]:
    """Every invoiced record that a metered record of its site and type overlaps, reconciled.

    Only the (site, activity type) pairs that have both invoices and meter readings are read
    (``streams`` when the caller knows them, as :func:`load_groups` does); the overlaps are
    found in memory by :mod:`neutrality.inventory.metering`, which also decides, per stream,
    which invoices the meters supersede. (A correlated "a meter overlaps" sub-query made
    SQLite scan the site once per invoice: 47 s for 20,000 invoices of one site.)
    """
    if streams is None:
        streams = _metered_and_invoiced(session, inventory_id)
    if not streams:
        return []
    rows = session.execute(
        select(*_READING_COLUMNS, *_GROUP_COLUMNS).where(
            ActivityRecord.inventory_id == inventory_id,
            ActivityRecord.data_quality.in_([_METERED, _INVOICED]),
            ActivityRecord.site_id.in_({site for site, _ in streams}),
            ActivityRecord.activity_type.in_({kind for _, kind in streams}),
        ).order_by(ActivityRecord.id)
    ).all()
    width = len(_READING_COLUMNS)
    tier = width + len(_GROUP_COLUMNS) - 1  # data_quality, the last group column
    wanted = [row for row in rows if (row[1], row[2]) in streams]
    invoices = [row for row in wanted if row[tier] == _INVOICED]
    meters = [row[:width] for row in wanted if row[tier] == _METERED]
    if not invoices:
        return []
    width = len(_READING_COLUMNS)
    group_keys = {row[0]: tuple(row[width:]) for row in invoices}
    results = metering.reconcile(
        (metering.Reading(*row[:width]) for row in invoices),
        (metering.Reading(*row) for row in meters),
        tolerance_percent,
    )
    return [
        Reconciliation(**{f.name: getattr(r, f.name) for f in dataclasses.fields(r)},
                       group_key=group_keys[r.invoice.record_id])
        for r in results
    ]


def organisation_factors(session: Session, organisation_id: int) -> dict[str, EmissionFactor]:
    """The organisation's own factors, latest version of each, keyed ``org:<key>``."""
    latest: dict[str, OrganisationFactor] = {}
    for row in session.scalars(
        select(OrganisationFactor).where(OrganisationFactor.organisation_id == organisation_id)
        .order_by(OrganisationFactor.key, OrganisationFactor.version)
    ):
        latest[row.key] = row
    return {f"org:{key}": factor_from_row(row) for key, row in latest.items()}


def factor_from_row(row: OrganisationFactor) -> EmissionFactor:
    return EmissionFactor(
        key=f"org:{row.key}",
        name=row.name,
        kind=FactorKind(row.kind),
        per_unit=row.per_unit,
        mass_unit=row.mass_unit,
        gases={gas: Decimal(value) for gas, value in row.gases.items()},
        provenance=Provenance(
            source=row.source, publisher=row.publisher, year=row.year, geography=row.geography,
            version=f"v{row.version}",
        ),
        ncv=row.ncv,
        ncv_unit=row.ncv_unit,
        uncertainty_percent=row.uncertainty_percent,
        uncertainty_basis=UncertaintyBasis(row.uncertainty_basis) if row.uncertainty_basis else None,
        uncertainty_source=row.uncertainty_source or "",
    )


def factor_document(factor: EmissionFactor) -> dict[str, Any]:
    """A factor as JSON: what a verified inventory freezes and a report lists."""
    data = {f.name: getattr(factor, f.name) for f in dataclasses.fields(factor)}
    data["kind"] = factor.kind.value
    data["gases"] = dict(factor.gases)
    data["provenance"] = {f.name: getattr(factor.provenance, f.name) for f in dataclasses.fields(factor.provenance)}
    return _jsonable(data)


def factor_from_document(document: Mapping[str, Any]) -> EmissionFactor:
    """A factor frozen with a verified inventory, back as a value (the inverse of
    :func:`factor_document`)."""
    values = dict(document)
    values["kind"] = FactorKind(values["kind"])
    values["gases"] = {gas: Decimal(mass) for gas, mass in values["gases"].items()}
    values["provenance"] = Provenance(**values["provenance"])
    # A factor frozen before factors carried an uncertainty has neither basis nor source: the
    # defaults (none) apply, and the report counts the records it prices.
    if values.get("uncertainty_basis"):
        values["uncertainty_basis"] = UncertaintyBasis(values["uncertainty_basis"])
    for name in ("ncv", "density", "uncertainty_percent"):
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    for name in ("valid_from", "valid_to"):
        if values.get(name) is not None:
            values[name] = dt.date.fromisoformat(values[name])
    return EmissionFactor(**values)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(getattr(k, "value", k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _totals(totals: Totals) -> dict[str, Any]:
    return _jsonable({
        "tco2e": totals.tco2e,
        "by_scope": {int(k): v for k, v in totals.by_scope.items()},
        "by_scope3_category": dict(totals.by_scope3_category),
        "by_gas": {gas: {"mass_t": g.mass_t, "tco2e": g.tco2e} for gas, g in totals.by_gas.items()},
        "by_site": dict(totals.by_site),
        "by_iso_category": {int(k): v for k, v in totals.by_iso_category.items()},
    })


class FactorResolver:
    """Grid factors per site for the period's year, with the disclosures of any fall-back."""

    def __init__(
        self, session: Session, period: ApplicationPeriodRow, site_ids: set[int],
        frozen: Mapping[str, EmissionFactor] | None = None,
    ):
        # The period's data year: the year it starts in (application periods are usually
        # calendar years; an extended first period takes its first year).
        self.year = period.start_date.year
        #: a verified inventory's factors: a grid factor chosen by key takes its frozen figures
        self.frozen = frozen or {}
        self.sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(site_ids)))}
        self.disclosures: list[str] = []
        self.used: dict[str, EmissionFactor] = {}
        self._cache: dict[tuple[int, str], EmissionFactor | None] = {}

    def _grid(self, site_id: int, kind: FactorKind) -> EmissionFactor | None:
        key = (site_id, kind.value)
        if key not in self._cache:
            site = self.sites[site_id]
            factor = None
            for geography in [g for g in (site.grid_region, site.country) if g]:
                try:
                    factor, disclosure = library.grid_factor(geography, self.year, kind)
                except NotFound:
                    continue
                if disclosure:
                    self.disclosures.append(Msg("{site}: {disclosure}", site=site.name, disclosure=disclosure))
                break
            if factor is None and kind is FactorKind.GRID_RESIDUAL_MIX:
                # No residual mix published: the grid average stands in (DOMAIN: "residual-mix
                # (or grid)"), disclosed.
                factor = self._grid(site_id, FactorKind.GRID_LOCATION)
                if factor is not None:
                    self.disclosures.append(
                        Msg("{site}: no residual-mix factor is published; market-based Scope 2 "
                            "uses the grid average {key}", site=site.name, key=factor.key)
                    )
            if factor is not None:
                factor = self.frozen.get(factor.key, factor)
                self.used[factor.key] = factor
            self._cache[key] = factor
        return self._cache[key]

    def location(self, site_id: int) -> EmissionFactor | None:
        return self._grid(site_id, FactorKind.GRID_LOCATION)

    def residual(self, site_id: int) -> EmissionFactor | None:
        return self._grid(site_id, FactorKind.GRID_RESIDUAL_MIX)


@dataclasses.dataclass(frozen=True)
class Incalculable:
    """Stored records the calculation refuses (records summed alike fail alike), with why, and
    where they came from: their ids and the files they were imported from."""

    reason: str
    record_ids: tuple[int, ...]
    files: tuple[str, ...]  # the import files' names; records sent as JSON have none
    rows: tuple[str, ...] = ()  # "file, row n" of each record read from a file (the first 20)
    activity_id: int | str = ""  # the record, or the group of records, as the calculation saw it

    def describe(self) -> str:
        shown = ", ".join(map(str, self.record_ids[:20])) + (" …" if len(self.record_ids) > 20 else "")
        where: str = ""
        if self.rows:
            where = Msg(" ({rows})", rows=joined(self.rows, "; "))
        elif self.files:
            where = Msg(" (imported from {files})", files=", ".join(self.files))
        if len(self.record_ids) > 1:
            return Msg("records {ids}{where}: {reason}", ids=shown, where=where, reason=self.reason)
        return Msg("record {ids}{where}: {reason}", ids=shown, where=where, reason=self.reason)


class IncalculableRecords(InvalidInput):
    """Records stored earlier that the calculation refuses (a factor withdrawn since, data from
    an older version): every one named, with the files they came from."""

    def __init__(self, failing: Sequence[Incalculable]):
        super().__init__(
            Msg("{count} record(s) of this inventory cannot be calculated; correct or delete them: {records}",
                count=sum(len(f.record_ids) for f in failing),
                records=joined((f.describe() for f in failing), "; ")),
            {"records": [{"record_ids": list(f.record_ids), "files": list(f.files), "reason": f.reason}
                         for f in failing]},
        )
        self.failing = tuple(failing)


def _records_of(
    session: Session, inventory_id: int, group: Activity
) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
    """The ids of the records summed into ``group`` (:func:`load_groups`), their files, and the
    file and row of the first twenty read from a file."""
    values = (
        group.site_id, group.scope.value, group.scope1_subtype.value if group.scope1_subtype else None,
        group.scope3_category, group.iso_category.value if group.iso_category else None,
        group.activity_type.value, group.factor_key, group.unit, group.gas, group.method.value,
        group.uncertainty_percent, group.data_quality.value,
    )
    conditions = [column.is_(None) if value is None else column == value
                  for column, value in zip(_GROUP_COLUMNS, values, strict=True)]
    rows = session.execute(
        select(ActivityRecord.id, ActivityImport.filename, ActivityRecord.source_row)
        .join(ActivityImport, ActivityImport.id == ActivityRecord.import_id)
        .where(ActivityRecord.inventory_id == inventory_id, *conditions)
        .order_by(ActivityRecord.id)
    ).all()
    where = tuple(Msg("{file}, row {row}", file=r[1], row=r[2]) for r in rows if r[1] and r[2] is not None)[:20]
    return tuple(r[0] for r in rows), tuple(sorted({r[1] for r in rows if r[1]})), where


def _calculate(
    session: Session, inventory: Inventory, activities: list[Activity],
    covered_mwh_by_site: Mapping[int, Decimal] | None, *, todays_factors: bool = False,
    partial: bool = False,
) -> tuple[InventoryResult, FactorResolver, dict[str, EmissionFactor], tuple[Incalculable, ...]]:
    period = session.get(ApplicationPeriodRow, inventory.period_id)
    # A verified inventory is calculated with the factors frozen at its verification: a later
    # revision of the library or of the organisation's own factors never moves its figures
    # (e.g. its balance, which applies certificates to it). The base-year check asks for
    # today's factors on purpose: it measures how far they moved.
    frozen = {} if todays_factors else {
        key: factor_from_document(doc) for key, doc in (inventory.frozen_factors or {}).items()}
    factors = {**library.load_factors(), **organisation_factors(session, inventory.organisation_id), **frozen}
    resolver = FactorResolver(session, period, {a.site_id for a in activities}, frozen)
    gwp_set = library.load_gwp_set(inventory.gwp_set)
    # Every group the calculation would refuse, named by its records (imports check their rows
    # the same way, so only data stored before, or a factor withdrawn since, gets here). A
    # report shows what can be calculated and lists the rest; nothing else takes partial figures.
    failing: tuple[Incalculable, ...] = ()
    found = problems(activities, factors, gwp_set, location_factor_for=resolver.location)
    if found:
        grouped = all(isinstance(a.id, str) for a, _ in found)
        failing = tuple(
            Incalculable(error.message, *(_records_of(session, inventory.id, activity) if grouped
                                          else ((int(activity.id),), (), ())), activity_id=activity.id)
            for activity, error in found
        )
        if not partial:
            raise IncalculableRecords(failing)
        refused = {id(activity) for activity, _ in found}
        activities = [a for a in activities if id(a) not in refused]
    result = calculate(
        activities, factors, gwp_set,
        location_factor_for=resolver.location, residual_factor_for=resolver.residual,
        covered_mwh_by_site=covered_mwh_by_site,
    )
    return result, resolver, factors, failing


def trail_of(session: Session, inventory: Inventory, record: ActivityRecord) -> tuple[Any, Reconciliation | None]:
    """The trail of one record, calculated with the other counted records of its site (Scope 2
    market-based coverage is shared within a site), and its reconciliation if it is an invoice
    that meter readings overlap (a superseded invoice's trail shows what it would be)."""
    reconciliations = {r.invoice.record_id: r for r in reconcile_metering(session, inventory.id)}
    activities = [
        a for a in load_activities(session, inventory.id, site_id=record.site_id)
        if a.id == record.id or not (a.id in reconciliations and reconciliations[a.id].superseded)
    ]
    result, _, _, _ = _calculate(session, inventory, activities, None)
    return result.trail(record.id), reconciliations.get(record.id)


def record_trails(
    session: Session, inventory: Inventory, site_id: int | None = None,
) -> tuple[InventoryResult, dict[str, EmissionFactor]]:
    """The counted records (of one site, or all), calculated one by one as the report counts
    them (less the invoices meters supersede, less the records the calculation refuses), for
    their trails; and every factor by key, grid factors chosen per site included."""
    reconciliations = {r.invoice.record_id: r for r in reconcile_metering(session, inventory.id)}
    activities = [a for a in load_activities(session, inventory.id, site_id=site_id)
                  if not (a.id in reconciliations and reconciliations[a.id].superseded)]
    result, resolver, factors, _ = _calculate(session, inventory, activities, None, partial=True)
    return result, {**factors, **resolver.used}


def compute(
    session: Session, inventory: Inventory, covered_mwh_by_site: Mapping[int, Decimal] | None = None, *,
    todays_factors: bool = False, partial: bool = False,
) -> tuple[InventoryResult, dict[str, Any], dict[str, EmissionFactor]]:
    """Calculate an inventory from its records: the result, its report document and every
    factor it used (what a verification freezes). A verified inventory is calculated with its
    frozen factors unless ``todays_factors``. Records the calculation refuses raise
    :class:`IncalculableRecords`, unless ``partial``: then the figures are those of the other
    records, and the report lists the refused ones under ``incalculable``."""
    period = session.get(ApplicationPeriodRow, inventory.period_id)
    groups, reconciliations = load_groups(session, inventory, period)
    superseded = [r for r in reconciliations if r.superseded]
    result, resolver, factors, failing = _calculate(
        session, inventory, [g.activity for g in groups], covered_mwh_by_site,
        todays_factors=todays_factors, partial=partial)
    refused = {f.activity_id for f in failing}
    groups = [g for g in groups if g.activity.id not in refused]
    used = {key: factors[key] for key in result.factor_keys if key in factors}
    used.update(resolver.used)
    report = {
        "inventory_id": inventory.id,
        "version": inventory.version,
        "gwp_set": inventory.gwp_set,
        "factor_library_version": inventory.factor_library_version,
        "activity_count": sum(g.records for g in groups),
        "metering": _jsonable({
            "invoices_superseded": len(superseded),
            "superseded_quantity_by_unit": _by_unit(superseded),
            "invoices_partly_metered": len(reconciliations) - len(superseded),
            "invoices_outside_tolerance": sum(1 for r in superseded if r.within_tolerance is False),
        }),
        "location_based": _totals(result.location_based),
        "market_based": _totals(result.market_based),
        # the sites by id and name: the figures by site are keyed by id
        "sites": [{"id": site.id, "name": site.name} for site in sorted(resolver.sites.values(), key=lambda s: s.id)],
        "scope2_market_by_site": [
            _jsonable({
                "site_id": s.site_id, "site_name": resolver.sites[s.site_id].name if s.site_id in resolver.sites else None,
                "consumption_mwh": s.consumption_mwh,
                "supplier_specific_mwh": s.supplier_specific_mwh, "covered_mwh": s.covered_mwh,
                "excess_mwh": s.excess_mwh, "uncovered_mwh": s.uncovered_mwh,
                "residual_factor_key": s.residual_factor_key, "tco2e": s.tco2e,
            })
            for s in result.scope2_market.sites.values()
        ],
        "uncertainty": _uncertainty(result, groups, used),
        "disclosures": sorted(set(resolver.disclosures)),
        "factors": sorted(used),
        # complete only when every record is counted; otherwise the figures leave these out
        "complete": not failing,
        "incalculable": [
            {"reason": f.reason, "record_ids": list(f.record_ids), "files": list(f.files), "rows": list(f.rows)}
            for f in failing
        ],
    }
    return result, report, used


def grouped_activities(session: Session, inventory: Inventory) -> list[Activity]:
    """The inventory's counted records summed per group, read once for several calculations
    (:func:`calculate_activities`): reading and summing a million records is most of a
    calculation's time, the calculation of the groups little."""
    period = session.get(ApplicationPeriodRow, inventory.period_id)
    groups, _ = load_groups(session, inventory, period)
    return [g.activity for g in groups]


def calculate_activities(
    session: Session, inventory: Inventory, activities: list[Activity],
    covered_mwh_by_site: Mapping[int, Decimal] | None = None,
) -> InventoryResult:
    """The result of :func:`grouped_activities`, with the grid electricity certificates cover
    (MWh per site) counted at zero in market-based Scope 2."""
    result, _, _, _ = _calculate(session, inventory, activities, covered_mwh_by_site)
    return result


def _by_unit(items: Sequence[Reconciliation]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for item in items:
        totals[item.invoice.unit] = totals.get(item.invoice.unit, Decimal(0)) + item.invoice.quantity
    return dict(sorted(totals.items()))


#: How the report combines uncertainties, said once for pages and documents.
UNCERTAINTY_METHOD = "error_propagation"
#: The factor key of a gas released directly (a refrigerant top-up): its GWP is the only factor,
#: and without a published ± it is expert judgement (seed 000 §4.7 L1014, "a special industrial gas").
_RELEASED = "gas released:"


def _uncertainty(result: InventoryResult, groups: list[Group], factors: Mapping[str, EmissionFactor]) -> dict[str, Any]:
    """Combined ± of the location-based total and of each scope, by error propagation (seed 000
    §4.7 UNC-02; :func:`neutrality.inventory.uncertainty.combine`), and what it rests on.

    A record's activity ± is the one it states, else its data-quality tier's default. A group of
    n records with emissions Eᵢ = r·qᵢ has the activity spread u·r·√Σqᵢ² (records independent);
    a factor's ± is one error over all its records. A factor stating no ± leaves its part out
    and its records are counted in ``records_without_uncertainty``; a gas released directly
    (no factor) takes the expert-judgement 20 %.

    Counts: ``records_stated`` / ``records_tier_default`` (whose activity ± is which), and the
    factors used by basis (``factors_published``, ``factors_expert_judgement``,
    ``factors_without_uncertainty``; a gas released directly counts as one factor per gas).
    One pass over the groups (a few thousand for a million records), never over the rows.
    """
    sources: list[Source] = []
    by_scope: dict[int, list[Source]] = {}
    stated = defaulted = missing = 0
    bases: dict[str, str] = {}  # factor key → basis, or "" when it states no ±
    with localcontext(EXACT_DIVISION):
        for group in groups:
            activity = group.activity
            trail = result.trail(activity)
            key = trail.result.factor_key
            if key is None:
                key, factor_pct = _RELEASED + (activity.gas or ""), EXPERT_JUDGEMENT_PERCENT
                bases[key] = "expert_judgement"
            else:
                factor = factors.get(key)
                factor_pct = factor.uncertainty_percent if factor is not None else None
                basis = factor.uncertainty_basis if factor is not None else None
                bases[key] = basis.value if basis is not None and factor_pct is not None else ""
            if activity.uncertainty_percent is None:
                defaulted += group.records
            else:
                stated += group.records
            if factor_pct is None:
                missing += group.records
            quantity = activity.quantity
            source = Source(
                tco2e=trail.location_tco2e,
                activity_percent=activity_uncertainty(activity.uncertainty_percent, activity.data_quality),
                # √Σq² / |Σq|: n independent records keep 1/√n of one record's activity ±
                activity_share=group.sum_of_squares.sqrt() / abs(quantity) if quantity else Decimal(0),
                factor_key=key, factor_percent=factor_pct,
            )
            sources.append(source)
            by_scope.setdefault(int(activity.scope), []).append(source)
    counts = {
        "method": UNCERTAINTY_METHOD,
        "records_stated": stated,
        "records_tier_default": defaulted,
        "records_without_uncertainty": missing,
        "factors_published": sum(1 for b in bases.values() if b == "published"),
        "factors_expert_judgement": sum(1 for b in bases.values() if b == "expert_judgement"),
        "factors_without_uncertainty": sum(1 for b in bases.values() if not b),
    }
    if not sources:
        return {"percent": None, "by_scope": {}, **counts, "note": "no record to combine"}
    return _jsonable({
        "percent": _percent(sources),
        "by_scope": {scope: _percent(items) for scope, items in sorted(by_scope.items())},
        **counts,
    })


def _percent(sources: list[Source]) -> Decimal | None:
    """The combined ± % of ``sources``; None for a total of zero that is not certain."""
    try:
        return combine(sources).uncertainty_percent
    except InvalidInput:
        return None
