"""Achieved reductions of a period, read from its inventory against the previous period's and
the base year's, with each measure's expected and achieved reduction.

The inventories compared: the period's latest version; the previous period of the same
commitment (so the same subject) that has an inventory holding figures, its latest version; the
base year, as :func:`neutrality.inventory.services.base_year_check` defines it, the commitment's
first period with a verified inventory, that verified version. What is compared and how is
decided in :mod:`neutrality.reductions.achieved`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.db import owned_row
from neutrality.errors import InvalidInput, NotFound
from neutrality.inventory.services import external_report, verified_inventory_of
from neutrality.inventory.status import InventoryOrigin
from neutrality.inventory.tables import ExternalTotal, Inventory
from neutrality.messages import Msg
from neutrality.organisations.tables import Site
from neutrality.reductions.achieved import Achieved, Attribution, achieved, achieved_from_totals
from neutrality.reductions.changes import ExpectedReduction
from neutrality.reductions.inventory_sources import InventorySource, figures, read_sources
from neutrality.reductions.measures import Measure, MeasureStatus
from neutrality.reductions.services import measure_value
from neutrality.reductions.tables import MeasureRow
from neutrality.uow import UnitOfWork


@dataclass(frozen=True)
class Against:
    """The period's inventory against an earlier one."""

    from_period_id: int
    from_year: int
    from_inventory_id: int
    to_period_id: int
    to_year: int
    to_inventory_id: int
    result: Achieved
    notes: tuple[Msg, ...] = ()


@dataclass(frozen=True)
class MeasureReductions:
    """A measure of the register: what it was expected to reduce a year, what it achieved."""

    measure_id: int
    row: MeasureRow
    value: Measure
    expected: ExpectedReduction | None  # None while its change is not stated
    gwp_set: str  # the period inventory's, for the expected reduction
    against_previous: Attribution | None
    against_base_year: Attribution | None


@dataclass(frozen=True)
class PeriodReductions:
    organisation_id: int
    period_id: int
    year: int
    inventory_id: int
    inventory_status: str
    against_previous: Against | None  # None: no earlier period of the commitment with figures
    against_base_year: Against | None  # None: no base year, or this period is the base year
    measures: tuple[MeasureReductions, ...]
    notes: tuple[Msg, ...]
    sites: tuple[tuple[int, str], ...] = ()  # (id, name) of the organisation's sites, for the lines by site


def _latest(session: Session, period_id: int) -> Inventory | None:
    return session.scalar(select(Inventory).where(Inventory.period_id == period_id)
                          .order_by(Inventory.version.desc()).limit(1))


def _external(inventory: Inventory) -> bool:
    return inventory.origin == InventoryOrigin.EXTERNAL


def _empty(session: Session, inventory: Inventory) -> bool:
    """An inventory begun, not a period without emissions: 0 t would read as a 100 % cut."""
    if _external(inventory):
        return session.scalar(select(ExternalTotal.id).where(ExternalTotal.inventory_id == inventory.id)
                              .limit(1)) is None
    return inventory.activity_count == 0


class _Reader:
    """Each inventory read once, whichever comparisons it is in."""

    def __init__(self, session: Session, within: Collection[tuple[int | None, int]] | None = None):
        self.session = session
        self.within = within  # only these (site, scope) pairs; None: every source
        self._sources: dict[int, list[InventorySource]] = {}

    def sources(self, inventory: Inventory) -> list[InventorySource]:
        if inventory.id not in self._sources:
            self._sources[inventory.id] = read_sources(self.session, inventory, self.within)
        return self._sources[inventory.id]

    def totals(self, inventory: Inventory) -> dict[str, dict[int, Decimal]]:
        """tCO2e by scope on both bases: a report's for an inventory made elsewhere (frozen once
        verified), the sources' sums for one calculated here."""
        if _external(inventory):
            report = inventory.frozen_result or external_report(self.session, inventory)
            return {basis: {int(scope): Decimal(str(value))
                            for scope, value in report[f"{basis}_based"]["by_scope"].items()}
                    for basis in ("location", "market")}
        found: dict[str, dict[int, Decimal]] = {"location": {}, "market": {}}
        for source in self.sources(inventory):
            found["location"][source.scope] = found["location"].get(source.scope, Decimal(0)) + source.location_tco2e
            found["market"][source.scope] = found["market"].get(source.scope, Decimal(0)) + source.market_tco2e
        return found


def _against(reader: _Reader, earlier: tuple[ApplicationPeriodRow, Inventory],
             later: tuple[ApplicationPeriodRow, Inventory], measures: Sequence[tuple[int, Measure]]) -> Against:
    (old_period, old), (new_period, new) = earlier, later
    spans = (old_period.start_date, new_period.start_date)
    notes: tuple[Msg, ...] = ()
    if _external(old) or _external(new):
        result = achieved_from_totals(reader.totals(old), reader.totals(new), measures, *spans)
        notes = (Msg("inventory {inventory} was made with another tool: only its totals by scope are compared, "
                     "the change is not split into activity and factor, and no reduction is counted as achieved",
                     inventory=old.id if _external(old) else new.id),)
    else:
        before, after = reader.sources(old), reader.sources(new)
        result = achieved(figures(before), figures(after), figures(before, market=True, scopes=[2]),
                          figures(after, market=True, scopes=[2]), measures, *spans)
    return Against(old_period.id, old_period.start_date.year, old.id, new_period.id, new_period.start_date.year,
                   new.id, result, notes)


def _expected(value: Measure, gwp_set: str) -> ExpectedReduction | None:
    try:
        return value.expected(gwp_set)
    except InvalidInput:  # a refrigerant the inventory's GWP set does not list: no figure
        return None


def period_reductions(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *,
                      against_base_year: bool = True, measures_only: bool = False) -> PeriodReductions:
    """The period's reductions against the previous period and against the base year (left out
    with ``against_base_year=False``, for a reader that shows the previous period only).

    ``measures_only``: for a reader of what the measures achieved, and nothing else: only the
    sources of the sites and scopes a measure done or in progress acts on are read (a measure's
    figures are the same), so the comparisons cover those sources alone, not the inventories."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        session = uow.session
        period = owned_row(session, ApplicationPeriodRow, organisation_id, period_id, what="period")
        inventory = _latest(session, period.id)
        if inventory is None:
            raise NotFound(Msg("period {period} has no inventory: there are no reductions to read", period=period.id))
        sites = tuple((row.id, row.name) for row in session.execute(
            select(Site.id, Site.name).where(Site.organisation_id == organisation_id).order_by(Site.id)))
        rows = list(session.scalars(select(MeasureRow).where(MeasureRow.organisation_id == organisation_id)
                                    .order_by(MeasureRow.id)))
        measures = [(row.id, measure_value(row)) for row in rows]
        notes: list[Msg] = []
        previous = base = None
        if _empty(session, inventory):
            notes.append(Msg("the period's inventory holds no record or total yet: there is nothing to compare"))
        else:
            periods = list(session.scalars(select(ApplicationPeriodRow).where(
                ApplicationPeriodRow.organisation_id == organisation_id,
                ApplicationPeriodRow.commitment_id == period.commitment_id).order_by(ApplicationPeriodRow.sequence)))
            previous, base = _earlier(session, period, periods, notes)
        reader = _Reader(session, _acting_pairs(measures) if measures_only else None)
        later = (period, inventory)
        against_previous = None if previous is None else _against(reader, previous, later, measures)
        against_base = None if base is None or not against_base_year else _against(reader, base, later, measures)
    by_id: dict[str, dict[int, Attribution]] = {
        name: {} if against is None else {a.measure_id: a for a in against.result.measures}
        for name, against in (("previous", against_previous), ("base", against_base))}
    return PeriodReductions(
        organisation_id=organisation_id, period_id=period.id, year=period.start_date.year,
        inventory_id=inventory.id, inventory_status=inventory.status,
        against_previous=against_previous, against_base_year=against_base,
        measures=tuple(MeasureReductions(row.id, row, value, _expected(value, inventory.gwp_set), inventory.gwp_set,
                                         by_id["previous"].get(row.id), by_id["base"].get(row.id))
                       for row, (_, value) in zip(rows, measures, strict=True)),
        notes=tuple(notes), sites=sites,
    )


def _acting_pairs(measures: Sequence[tuple[int, Measure]]) -> set[tuple[int | None, int]]:
    """The (site, scope) pairs of the measures that may act (done or in progress)."""
    return {(m.site_id, int(m.scope)) for _, m in measures
            if m.status in (MeasureStatus.DONE, MeasureStatus.IN_PROGRESS)}


def _earlier(session: Session, period: ApplicationPeriodRow, periods: Sequence[ApplicationPeriodRow],
             notes: list[Msg]) -> tuple[Any, Any]:
    """(period, inventory) of the previous period with figures and of the base year, or None."""
    previous = None
    for earlier in reversed([p for p in periods if p.sequence < period.sequence]):
        found = _latest(session, earlier.id)
        if found is not None and not _empty(session, found):
            previous = (earlier, found)
            break
    if previous is None:
        notes.append(Msg("no earlier period of this commitment has an inventory with figures"))
    base = None
    for candidate in periods:
        verified = verified_inventory_of(session, candidate.id)
        if verified is not None:
            base = (candidate, verified)
            break
    if base is None:
        notes.append(Msg("no period of this commitment has a verified inventory yet: there is no base year"))
    elif base[0].id == period.id:
        notes.append(Msg("this period is the base year"))
        base = None
    elif base[0].sequence > period.sequence:
        notes.append(Msg("the base year, {year}, comes after this period", year=base[0].start_date.year))
        base = None
    return previous, base

