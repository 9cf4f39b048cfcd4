"""An inventory's emission sources as a year-on-year comparison follows them.

One reader for the progress against a target and for the achieved reductions of a period, so
both follow the same sources: a source is the site, the scope, the name the user gives it
("Boiler 2", "Grid electricity") and its kind (Scope 1 subtype or Scope 3 category, activity
type and factor). Names are matched without regard to case or spacing ("Boiler  2" is "boiler
2"), as a measure names the source it acts on.

The figures come from the same calculation as the report: the counted records (less the
invoices meter readings supersede), summed per source, calculated with the inventory's factors
(a verified inventory's frozen ones), Scope 2 on both bases. Market-based Scope 2 is the
inventory's: supplier rates and the residual mix, no certificate applied (certificates belong to
the claim, not to the inventory).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, or_, select, true, type_coerce
from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.inventory.calculation import EXACT
from neutrality.inventory.computing import (
    IncalculableRecords,
    calculate_activities,
    grouped_activities,
    reconcile_metering,
)
from neutrality.inventory.model import (
    Activity,
    ActivityType,
    CalculationMethod,
    IsoCategory,
    Scope,
    Scope1Subtype,
)
from neutrality.inventory.tables import ActivityRecord, Inventory
from neutrality.reductions.progress import SourceFigures
from neutrality.reductions.targets import PRECISION
from neutrality.units import tidy, unit

#: What makes records one source: what the calculation needs to give them one factor, and the name.
_COLUMNS = (
    ActivityRecord.site_id, ActivityRecord.scope, ActivityRecord.scope1_subtype, ActivityRecord.scope3_category,
    ActivityRecord.iso_category, ActivityRecord.activity_type, ActivityRecord.factor_key, ActivityRecord.unit,
    ActivityRecord.gas, ActivityRecord.method, ActivityRecord.source,
)
_CHUNK = 1000  # ids per IN (…): well under SQLite's limit on bound parameters


def source_name(name: str) -> str:
    """A source's name as sources are matched: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class InventorySource:
    """One source of an inventory: its activity and its tCO2e on both Scope 2 bases."""

    site_id: int
    scope: int
    name: str  # as the user writes it (the first spelling, when several differ in case or spacing)
    kind: str  # "stationary_combustion · fuel · cnguide2015:natural_gas:combustion"
    unit: str
    activity: Decimal
    location_tco2e: Decimal
    market_tco2e: Decimal  # Scopes 1 and 3: the same as location-based


def read_sources(session: Session, inventory: Inventory,
                 within: Collection[tuple[int | None, int]] | None = None) -> list[InventorySource]:
    """The inventory's sources (an inventory made with another tool has none: no records);
    only those of the (site, scope) pairs ``within`` when given (a site of None: every site), so
    a reader of a few measures' sources does not read a million records by name."""
    period = session.get(ApplicationPeriodRow, inventory.period_id)
    if within is not None and not within:
        return []
    where = _within(within)
    sums = (_sums_in_database if session.get_bind().dialect.name == "postgresql" else _sums_in_python)(
        session, inventory.id, where)
    _less_superseded(session, inventory.id, sums)
    scopes = {s.value: s for s in Scope}
    activities = []
    for number, (key, total) in enumerate(sorted(sums.items(), key=lambda item: _order(item[0])), start=1):
        site_id, scope, subtype, category, iso, kind, factor_key, unit_code, gas, method, name = key
        activities.append(Activity(
            id=f"source-{number}", site_id=site_id, source=name, scope=scopes[scope],
            activity_type=ActivityType(kind), quantity=total, unit=unit_code, start=period.start_date,
            end=period.end_date, factor_key=factor_key, scope1_subtype=Scope1Subtype(subtype) if subtype else None,
            scope3_category=category, iso_category=IsoCategory(iso), method=CalculationMethod(method), gas=gas,
        ))
    try:
        result = calculate_activities(session, inventory, activities)
    except IncalculableRecords:
        # Named by the calculation's own groups, whose records it can find: the same refusal
        # the report makes.
        calculate_activities(session, inventory, grouped_activities(session, inventory))
        raise
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for activity in activities:
        trail = result.trail(activity)
        kind = " · ".join(str(part) for part in (
            activity.scope1_subtype.value if activity.scope1_subtype else "", activity.scope3_category or "",
            activity.activity_type.value, activity.factor_key or activity.gas or "") if part != "")
        code = unit(activity.unit).code
        key = (activity.site_id, int(activity.scope), source_name(activity.source), kind, code)
        entry = merged.setdefault(key, [" ".join(activity.source.split()), Decimal(0), Decimal(0), Decimal(0)])
        with localcontext(EXACT):
            entry[1] += activity.quantity
            entry[2] += trail.location_tco2e
            entry[3] += trail.market_tco2e
    return [InventorySource(site_id, scope, name, kind, code, tidy(quantity), tidy(location), tidy(market))
            for (site_id, scope, _, kind, code), (name, quantity, location, market) in sorted(merged.items())]


def kind_sources(session: Session, inventory: Inventory) -> list[InventorySource]:
    """The inventory's sources by kind, names left out: its counted records summed per site,
    scope, kind and unit, from the calculation's own groups (no read by name). Within a kind the
    records share one factor, so the change by activity and by factor of a kind is exactly the
    sum of its named sources' (a new source of a known kind is valued at that kind's old factor):
    the figures by scope, for a million records, at the cost of one calculation."""
    activities = grouped_activities(session, inventory)
    result = calculate_activities(session, inventory, activities)
    merged: dict[tuple[Any, ...], list[Decimal]] = {}
    for activity in activities:
        trail = result.trail(activity)
        kind = " · ".join(str(part) for part in (
            activity.scope1_subtype.value if activity.scope1_subtype else "", activity.scope3_category or "",
            activity.activity_type.value, activity.factor_key or activity.gas or "") if part != "")
        key = (activity.site_id, int(activity.scope), kind, unit(activity.unit).code)
        entry = merged.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
        with localcontext(EXACT):
            entry[0] += activity.quantity
            entry[1] += trail.location_tco2e
            entry[2] += trail.market_tco2e
    return [InventorySource(site_id, scope, "", kind, code, tidy(quantity), tidy(location), tidy(market))
            for (site_id, scope, kind, code), (quantity, location, market) in sorted(merged.items())]


def _order(key: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if part is None else str(part) for part in key)


def _within(pairs: Collection[tuple[int | None, int]] | None) -> ColumnElement[bool]:
    if pairs is None:
        return true()
    return or_(*(and_(ActivityRecord.scope == scope, true() if site is None else ActivityRecord.site_id == site)
                 for site, scope in sorted(pairs, key=lambda pair: (pair[0] or 0, pair[1]))))


def _sums_in_database(session: Session, inventory_id: int,
                      where: ColumnElement[bool]) -> dict[tuple[Any, ...], Decimal]:
    # PostgreSQL sums NUMERIC exactly.
    rows = session.execute(select(*_COLUMNS, func.sum(ActivityRecord.__table__.c.quantity))
                           .where(ActivityRecord.inventory_id == inventory_id, where).group_by(*_COLUMNS))
    return {tuple(row[:-1]): tidy(row[-1]) for row in rows}


def _sums_in_python(session: Session, inventory_id: int,
                    where: ColumnElement[bool]) -> dict[tuple[Any, ...], Decimal]:
    # SQLite keeps decimals as text and would sum them as floats: each group's quantities come
    # as one text, summed here (as the inventory's own reader does).
    quantities = func.group_concat(type_coerce(ActivityRecord.quantity, String), ";")
    rows = session.execute(select(*_COLUMNS, quantities).where(ActivityRecord.inventory_id == inventory_id, where)
                           .group_by(*_COLUMNS))
    with localcontext(EXACT):
        return {tuple(row[:-1]): sum(map(Decimal, row[-1].split(";")), Decimal(0)) for row in rows}


def _less_superseded(session: Session, inventory_id: int, sums: dict[tuple[Any, ...], Decimal]) -> None:
    """Take out the invoices that meter readings supersede, as the report does (their sources
    read by id: only sites with both invoices and meters have any)."""
    superseded = {r.invoice.record_id: r.invoice.quantity for r in reconcile_metering(session, inventory_id)
                  if r.superseded}
    ids = sorted(superseded)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(ActivityRecord.id, *_COLUMNS).where(
            ActivityRecord.inventory_id == inventory_id, ActivityRecord.id.in_(ids[start:start + _CHUNK])))
        for row in rows:
            key = tuple(row[1:])
            if key not in sums:  # a source outside the pairs read
                continue
            with localcontext(EXACT):
                sums[key] -= superseded[row[0]]
            if sums[key] == 0:
                del sums[key]


def source_key(source: InventorySource) -> str:
    """The key that matches a source across inventories: site · scope · name · kind, the name
    as names are matched ("Grid electricity" in 2024 is "grid electricity" in 2025)."""
    return " · ".join(part for part in (f"site {source.site_id}", f"scope {source.scope}", source_name(source.name),
                                        source.kind) if part)


def figures(sources: Iterable[InventorySource], *, market: bool = False,
            scopes: Iterable[int] | None = None) -> list[SourceFigures]:
    """The sources as figures to decompose (:func:`neutrality.reductions.progress.decompose`):
    activity and the factor it implies (tCO2e ÷ activity), Scope 2 location-based, or
    market-based when ``market``; only ``scopes`` when given. A source without activity has no
    factor and is left out (it has no emissions either)."""
    wanted = None if scopes is None else {int(s) for s in scopes}
    chosen = [s for s in sources if (wanted is None or s.scope in wanted) and s.activity != 0]
    keys = [source_key(s) for s in chosen]
    counts = Counter(keys)
    found = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for source, key in zip(chosen, keys, strict=True):
            # the same source in two units (gas in m³ and in GJ) is two figures, told apart
            shown = key if counts[key] == 1 else f"{key} ({source.unit})"
            tco2e = source.market_tco2e if market and source.scope == 2 else source.location_tco2e  # noqa: PLR2004
            found.append(SourceFigures(shown, source.activity, source.unit, tidy(tco2e / source.activity),
                                       site_id=source.site_id, scope=source.scope, name=source.name,
                                       kind=source.kind))
    return sorted(found, key=attrgetter("source"))


def inventory_figures(session: Session, inventory: Inventory, *, market: bool = False,
                      scopes: Sequence[int] | None = None) -> list[SourceFigures]:
    """:func:`read_sources` then :func:`figures`."""
    return figures(read_sources(session, inventory), market=market, scopes=scopes)
