"""The calculation trail of a figure of the report: the records it adds up, each with its share.

The factors are made here (not the shipped library's); each expected figure is worked out by
hand in a comment, and checked against the totals the calculation itself reports.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from neutrality.errors import InvalidInput
from neutrality.inventory.calculation import InventoryResult, calculate
from neutrality.inventory.explanation import Basis, Figure, FigureKind, figure_trail, total_of
from neutrality.inventory.model import (
    Activity,
    ActivityType,
    EmissionFactor,
    FactorKind,
    GwpSet,
    Provenance,
    Scope,
)

D = Decimal
SOURCE = Provenance("unit test", "tests", 2025, "GLOBAL", "test")
AR6 = GwpSet("AR6", {"CO2": D(1), "CH4": D("27.9"), "N2O": D(273)}, SOURCE)

DIESEL = EmissionFactor("t:diesel", "Diesel", FactorKind.FUEL_COMBUSTION, "L", "kg",
                        {"CO2": D("2.69"), "CH4": D("0.1")}, SOURCE)
STEEL = EmissionFactor("t:steel", "Steel", FactorKind.GENERIC, "t", "t", {"CO2": D(2)}, SOURCE)
GRID = EmissionFactor("t:grid", "Grid", FactorKind.GRID_LOCATION, "MWh", "t", {"CO2": D("0.5")}, SOURCE)
RESIDUAL = EmissionFactor("t:residual", "Residual mix", FactorKind.GRID_RESIDUAL_MIX, "MWh", "t",
                          {"CO2": D("0.6")}, SOURCE)


def _activity(id_: int, site: int, scope: Scope, kind: ActivityType, quantity: str, unit: str,
              factor_key: str | None, **extra: Any) -> Activity:
    return Activity(id_, site, f"record {id_}", scope, kind, D(quantity), unit, dt.date(2025, 1, 1),
                    dt.date(2025, 12, 31), factor_key, **extra)


def _result() -> InventoryResult:
    records = [
        _activity(1, 1, Scope.SCOPE_1, ActivityType.FUEL, "100", "L", DIESEL.key),
        _activity(2, 1, Scope.SCOPE_2, ActivityType.ELECTRICITY, "1000", "MWh", None),
        _activity(3, 2, Scope.SCOPE_2, ActivityType.ELECTRICITY, "200", "MWh", None),
        _activity(4, 2, Scope.SCOPE_3, ActivityType.MATERIAL, "10", "t", STEEL.key, scope3_category=1),
    ]
    return calculate(records, {f.key: f for f in (DIESEL, STEEL)}, AR6,
                     location_factor_for=lambda site: GRID, residual_factor_for=lambda site: RESIDUAL,
                     covered_mwh_by_site={1: D(400)})


def _ids_and_total(kind: FigureKind, key: str | None, basis: Basis) -> tuple[list[Any], Decimal]:
    lines = list(figure_trail(_result().trails(), Figure(kind, key, basis)))
    return [line.trail.activity.id for line in lines], total_of(lines)


def test_scope_1_is_the_diesel_alone_with_both_its_gases() -> None:
    # 100 L × 2.69 kg/L = 269 kg = 0.269 tCO2; 100 L × 0.1 kg/L = 10 kg CH4 = 0.01 t × 27.9 = 0.279
    assert _ids_and_total(FigureKind.SCOPE, "1", Basis.LOCATION) == ([1], D("0.548"))


def test_scope_2_on_each_basis() -> None:
    # location: (1000 + 200) MWh × 0.5 = 600; market: site 1 has 400 MWh of certificates, so
    # (1000 − 400) × 0.6 = 360, and site 2 none, 200 × 0.6 = 120: 480
    assert _ids_and_total(FigureKind.SCOPE, "2", Basis.LOCATION) == ([2, 3], D(600))
    assert _ids_and_total(FigureKind.SCOPE, "2", Basis.MARKET) == ([2, 3], D(480))
    assert _result().market_based.by_scope[Scope.SCOPE_2] == D(480)


def test_a_site_a_category_and_a_gas() -> None:
    # site 2, market-based: its electricity (120) and its steel (10 t × 2 = 20)
    assert _ids_and_total(FigureKind.SITE, "2", Basis.MARKET) == ([3, 4], D(140))
    assert _ids_and_total(FigureKind.SCOPE3_CATEGORY, "1", Basis.LOCATION) == ([4], D(20))
    # CH4 only from the diesel, and only its CH4 (0.279), not its CO2
    assert _ids_and_total(FigureKind.GAS, "CH4", Basis.LOCATION) == ([1], D("0.279"))


def test_every_total_is_what_the_calculation_reports() -> None:
    result = _result()
    # location: 0.548 + 600 + 20 = 620.548; market: 0.548 + 480 + 20 = 500.548
    assert _ids_and_total(FigureKind.TOTAL, None, Basis.LOCATION) == ([1, 2, 3, 4], D("620.548"))
    assert _ids_and_total(FigureKind.TOTAL, None, Basis.MARKET)[1] == D("500.548") == result.market_based.tco2e
    assert result.location_based.tco2e == D("620.548")
    assert _ids_and_total(FigureKind.GAS, "CO2", Basis.LOCATION)[1] == result.location_based.by_gas["CO2"].tco2e


def test_electricity_wholly_covered_is_listed_with_nothing_counted() -> None:
    records = [_activity(9, 1, Scope.SCOPE_2, ActivityType.ELECTRICITY, "100", "MWh", None)]
    result = calculate(records, {}, AR6, location_factor_for=lambda site: GRID,
                       residual_factor_for=lambda site: RESIDUAL, covered_mwh_by_site={1: D(100)})
    [line] = figure_trail(result.trails(), Figure(FigureKind.SCOPE, "2", Basis.MARKET))
    assert (line.result, line.tco2e, line.trail.market.covered_mwh) == (None, 0, 100)


@pytest.mark.parametrize(("kind", "key", "basis"), [
    ("scope", "4", "location"), ("scope", None, "location"), ("category", "16", "market"),
    ("site", "Yancheng", "location"), ("scope", "1", "sideways"), ("intensity", "1", "location"),
    ("site", str(2**63), "location"), ("site", "0", "market"), ("scope", "²", "location"), ("site", "١", "location"),
])
def test_a_figure_the_report_does_not_have_is_refused(kind: str, key: str | None, basis: str) -> None:
    with pytest.raises(InvalidInput):
        Figure.parse(kind, key, basis)


def test_a_figure_named_by_a_page() -> None:
    assert Figure.parse("total", "ignored", "market") == Figure(FigureKind.TOTAL, None, Basis.MARKET)
    assert Figure.parse("gas", " CH4 ", "location") == Figure(FigureKind.GAS, "CH4", Basis.LOCATION)
