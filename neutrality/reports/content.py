"""The periodic GHG emission report as a value (seed 003 §8.3: basis, sources, period, method,
boundary, totals; seed 000 §4.8: summary, boundaries, emissions by scope and source, methodology,
data quality and uncertainty, initiatives, targets and progress, year-on-year change,
verification).

Pure: no Flask, no database. :func:`build_report` takes the figures as the inventory's report
gives them (exact decimals, frozen once verified) and keeps them exact; every figure of the
rendered report is one of these values, rounded only there. Both Scope 2 methods sit side by
side, and the ISO 14064-1 categories beside the scopes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from neutrality.messages import Msg
from neutrality.reductions.measures import Title
from neutrality.reductions.progress import Position


#: The order people read scopes and categories in: 1, 2, 3 (not "1", "10", "2").
def _order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (10**6, key)


def _exact(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Line:
    """One row of a table: a key (scope "1", ISO category "2", a site's name, a gas) and its
    tCO2e location- and market-based (None where the report has no figure on that basis)."""

    key: str
    location_tco2e: Decimal | None
    market_tco2e: Decimal | None
    mass_t: Decimal | None = None  # a gas's own mass


@dataclass(frozen=True)
class Change:
    """A scope's emissions this period against the previous one (location-based, and
    market-based for Scope 2), as a difference and a percentage of the previous figure."""

    key: str
    previous_tco2e: Decimal
    current_tco2e: Decimal

    @property
    def difference_tco2e(self) -> Decimal:
        return self.current_tco2e - self.previous_tco2e

    @property
    def percent(self) -> Decimal | None:
        if self.previous_tco2e == 0:
            return None
        return self.difference_tco2e * 100 / self.previous_tco2e


@dataclass(frozen=True)
class Uncertainty:
    """The inventory's combined ± (location-based) as its report gives it: the total's, each
    scope's, the method and what it rests on. A report frozen before the method was recorded
    has the total's ± alone (the rest None)."""

    percent: Decimal | None
    by_scope: tuple[tuple[str, Decimal | None], ...] = ()
    method: str | None = None  # "error_propagation"
    records_stated: int | None = None  # records whose activity ± is their own
    records_tier_default: int | None = None  # records that took their data-quality tier's default
    records_without_uncertainty: int | None = None  # records whose factor states no ±
    factors_published: int | None = None
    factors_expert_judgement: int | None = None
    factors_without_uncertainty: int | None = None

    @property
    def described(self) -> bool:
        """Whether the method and the bases are known (not a block frozen before they were)."""
        return self.method is not None


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _uncertainty(block: Mapping[str, Any] | None) -> Uncertainty:
    block = block or {}
    by_scope = block.get("by_scope") or {}
    return Uncertainty(
        percent=_exact(block.get("percent")),
        by_scope=tuple((str(k), _exact(by_scope[k])) for k in sorted(by_scope, key=lambda k: _order(str(k)))),
        method=block.get("method"),
        **{name: _count(block.get(name)) for name in (
            "records_stated", "records_tier_default", "records_without_uncertainty", "factors_published",
            "factors_expert_judgement", "factors_without_uncertainty")},
    )


@dataclass(frozen=True)
class Explained:
    """A scope's change against the previous period split exactly into what activity changed
    (Δactivity × old factor, the reduction achieved) and what the factors changed (new activity ×
    Δfactor, never a reduction): change = due_to_activity + due_to_factor."""

    key: str  # the scope, or "total"
    change_tco2e: Decimal
    due_to_activity: Decimal
    due_to_factor: Decimal


@dataclass(frozen=True)
class Verification:
    body: str
    accreditation: str
    standard: str
    assurance_level: str
    materiality_percent: Decimal
    opinion: str
    verified_on: dt.date


@dataclass(frozen=True)
class Initiative:
    """A reduction measure acting on the report's boundary: what it is expected to save a year
    (calculated from what it changes) and what the inventories show it achieved."""

    title: Title
    category: Msg
    status: Msg
    scope: int
    source: str  # the inventory source it acts on; empty: the whole scope
    site: str | None  # None: the whole organisation
    start: dt.date | None
    end: dt.date | None
    expected_tco2e: Decimal | None  # a year; None while its change is not stated
    achieved_tco2e: Decimal | None = None  # read from the inventories; None when not measured
    achieved_note: Msg | None = None  # how the achieved figure was read, or why there is none


@dataclass(frozen=True)
class TargetStanding:
    """A reduction target the period is measured against, and where the period stands on it."""

    kind: str  # absolute, intensity
    scopes: str  # "1+2"
    scope2_basis: str | None
    base_year: int
    base_value: Decimal  # tCO2e, or tCO2e per output_unit
    target_year: int
    reduction_percent: Decimal
    target_value: Decimal
    output_unit: str | None
    position: Position | None  # this period's; None when it cannot be placed (see ``problem``)
    trajectory: tuple[tuple[int, Decimal], ...]  # (year, allowed)
    actuals: tuple[tuple[int, Decimal, bool], ...]  # (year, actual, on track) of every period followed
    problem: Msg | str | None = None

    @property
    def unit(self) -> str:
        """The target's measure: tCO2e, or tCO2e per unit of output."""
        return "tCO2e" if self.output_unit is None else f"tCO2e/{self.output_unit}"


@dataclass(frozen=True)
class GhgReport:
    organisation: str
    legal_name: str
    subject: str
    period_start: dt.date
    period_end: dt.date
    inventory_id: int
    version: int
    status: str
    frozen: bool
    gwp_set: str
    factor_library_version: str
    activity_count: int
    total: Line
    by_scope: tuple[Line, ...]
    by_iso_category: tuple[Line, ...]
    by_scope3_category: tuple[Line, ...]
    by_site: tuple[Line, ...]
    by_gas: tuple[Line, ...]
    uncertainty_percent: Decimal | None
    uncertainty: Uncertainty
    disclosures: tuple[str, ...]
    factors: tuple[str, ...]
    complete: bool
    incalculable: int
    verification: Verification | None
    previous_period: tuple[dt.date, dt.date] | None
    changes: tuple[Change, ...]
    prepared_on: dt.date
    initiatives: tuple[Initiative, ...] = ()
    targets: tuple[TargetStanding, ...] = ()
    explained: tuple[Explained, ...] = ()  # location-based, against the previous period


def _lines(report: Mapping[str, Any], dimension: str, names: Mapping[str, str] | None = None) -> tuple[Line, ...]:
    location = (report.get("location_based") or {}).get(dimension) or {}
    market = (report.get("market_based") or {}).get(dimension) or {}
    keys = sorted({*location, *market}, key=lambda k: _order(str(k)))
    return tuple(Line((names or {}).get(str(k), str(k)), _exact(location.get(k)), _exact(market.get(k)))
                 for k in keys)


def _gases(report: Mapping[str, Any]) -> tuple[Line, ...]:
    location = (report.get("location_based") or {}).get("by_gas") or {}
    market = (report.get("market_based") or {}).get("by_gas") or {}
    lines = []
    for gas in sorted({*location, *market}):
        here, there = location.get(gas) or {}, market.get(gas) or {}
        lines.append(Line(gas, _exact(here.get("tco2e")), _exact(there.get("tco2e")),
                          _exact(here.get("mass_t", there.get("mass_t")))))
    return tuple(lines)


def _changes(current: Sequence[Line], previous: Sequence[Line]) -> tuple[Change, ...]:
    """Location-based per scope; Scope 2 market-based beside it (what certificates change)."""
    before = {line.key: line for line in previous}
    changes = []
    for line in current:
        old = before.get(line.key)
        if old is None:
            continue
        if line.location_tco2e is not None and old.location_tco2e is not None:
            changes.append(Change(line.key, old.location_tco2e, line.location_tco2e))
        if line.key == "2" and line.market_tco2e is not None and old.market_tco2e is not None:
            changes.append(Change("2-market", old.market_tco2e, line.market_tco2e))
    return tuple(changes)


def build_report(
    *, organisation: str, legal_name: str, subject: str, period: tuple[dt.date, dt.date],
    report: Mapping[str, Any], verification: Verification | None,
    previous: tuple[tuple[dt.date, dt.date], Mapping[str, Any]] | None, prepared_on: dt.date,
    initiatives: Sequence[Initiative] = (), targets: Sequence[TargetStanding] = (),
    explained: Sequence[Explained] = (),
) -> GhgReport:
    """The report of one period from its inventory's ``report`` (as
    :func:`neutrality.inventory.services.inventory_report` gives it) and, when the period before
    has an inventory, that one's report for the year-on-year change."""
    location, market = report.get("location_based") or {}, report.get("market_based") or {}
    sites = {str(s["id"]): s["name"] for s in report.get("sites") or () if isinstance(s, Mapping)}
    by_scope = _lines(report, "by_scope")
    uncertainty = _uncertainty(report.get("uncertainty"))
    return GhgReport(
        organisation=organisation, legal_name=legal_name, subject=subject,
        period_start=period[0], period_end=period[1],
        inventory_id=int(report["inventory_id"]), version=int(report.get("version") or 1),
        status=str(report.get("status")), frozen=bool(report.get("frozen")),
        gwp_set=str(report.get("gwp_set") or ""), factor_library_version=str(report.get("factor_library_version") or ""),
        activity_count=int(report.get("activity_count") or 0),
        total=Line("total", _exact(location.get("tco2e")), _exact(market.get("tco2e"))),
        by_scope=by_scope, by_iso_category=_lines(report, "by_iso_category"),
        by_scope3_category=_lines(report, "by_scope3_category"), by_site=_lines(report, "by_site", sites),
        by_gas=_gases(report), uncertainty_percent=uncertainty.percent, uncertainty=uncertainty,
        disclosures=tuple(report.get("disclosures") or ()), factors=tuple(report.get("factors") or ()),
        complete=bool(report.get("complete", True)), incalculable=len(report.get("incalculable") or ()),
        verification=verification,
        previous_period=previous[0] if previous else None,
        changes=_changes(by_scope, _lines(previous[1], "by_scope")) if previous else (),
        prepared_on=prepared_on, initiatives=tuple(initiatives), targets=tuple(targets),
        explained=tuple(explained),
    )
