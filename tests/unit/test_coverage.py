"""The coverage position: one reading of what certificates do to an inventory, and the needs and
the plan that read it.

The inventory of every case here (factors made up for the test, figures worked by hand):

- site 1 (CN): 1,000 MWh of grid electricity;
- site 2 (CN): 400 MWh of grid electricity and 100 MWh on a green tariff at 0.02 t/MWh;
- site 3 (KR): 200 MWh of grid electricity;
- 10 t of CO2 from a boiler (Scope 1) at site 1.

Grid (location) factor 0.5 t/MWh everywhere; residual mix 0.6 t/MWh everywhere.

Location-based Scope 2: (1,000 + 500 + 200) × 0.5 = 850 t (the tariff is market-based only).
Market-based, no certificates: (1,000 + 400 + 200) × 0.6 + 100 × 0.02 = 960 + 2 = 962 t.
Gross: location 10 + 850 = 860 t; market 10 + 962 = 972 t.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from neutrality.claims.needs import RESIDUAL_BASIS, needs_of
from neutrality.inventory.calculation import InventoryResult, calculate
from neutrality.inventory.coverage import allocate_eacs, coverage_position
from neutrality.inventory.model import (
    Activity,
    ActivityType,
    EmissionFactor,
    FactorKind,
    GwpSet,
    Provenance,
    Scope,
)
from neutrality.registry import planner
from neutrality.registry.model import InstrumentKind

D = Decimal
SOURCE = Provenance("unit test", "tests", 2025, "GLOBAL", "test")
AR6 = GwpSet("AR6", {"CO2": D(1)}, SOURCE)
GRID = EmissionFactor("t:grid", "grid", FactorKind.GRID_LOCATION, "MWh", "t", {"CO2e": D("0.5")}, SOURCE)
RESIDUAL = EmissionFactor("t:residual", "residual", FactorKind.GRID_RESIDUAL_MIX, "MWh", "t", {"CO2e": D("0.6")},
                          SOURCE)
TARIFF = EmissionFactor("t:tariff", "green tariff", FactorKind.SUPPLIER_SPECIFIC, "MWh", "t", {"CO2e": D("0.02")},
                        SOURCE)
DIRECT = EmissionFactor("t:direct", "direct CO2", FactorKind.GENERIC, "t", "t", {"CO2": D(1)}, SOURCE)
MARKETS = {1: "CN", 2: "CN", 3: "KR"}


def _activity(number: int, site: int, quantity: str, factor: str | None, *, scope: Scope = Scope.SCOPE_2,
              kind: ActivityType = ActivityType.ELECTRICITY) -> Activity:
    return Activity(number, site, "test", scope, kind, D(quantity), "MWh" if scope is Scope.SCOPE_2 else "t",
                    dt.date(2025, 1, 1), dt.date(2025, 12, 31), factor)


ACTIVITIES = [
    _activity(1, 1, "1000", None),
    _activity(2, 2, "400", None),
    _activity(3, 2, "100", TARIFF.key),
    _activity(4, 3, "200", None),
    _activity(5, 1, "10", DIRECT.key, scope=Scope.SCOPE_1, kind=ActivityType.FUEL),
]


def _calculate(covered: dict[int, Decimal] | None = None) -> InventoryResult:
    return calculate(ACTIVITIES, {f.key: f for f in (TARIFF, DIRECT)}, AR6, location_factor_for=lambda _: GRID,
                     residual_factor_for=lambda _: RESIDUAL, covered_mwh_by_site=covered)


def _position(eacs: dict[str, Decimal]) -> Any:
    gross = _calculate()
    grid = {site: s.grid_mwh for site, s in gross.scope2_market.sites.items()}
    allocation = allocate_eacs(grid, MARKETS, eacs)
    return coverage_position(gross, _calculate(dict(allocation.covered_mwh_by_site)), MARKETS, allocation, eacs)


def test_without_certificates_the_residual_is_the_gross_market_based_total() -> None:
    position = _position({})
    assert (position.gross_location_tco2e, position.gross_market_tco2e, position.residual_tco2e) == (
        D(860), D(972), D(972))
    assert position.scope2_location_tco2e == D(850)
    assert position.scope2_market_before_tco2e == position.scope2_market_after_tco2e == D(962)
    assert position.electricity_mwh == D(1700)  # 1,000 + 500 + 200 bought
    assert position.grid_mwh_by_market == {"CN": D(1400), "KR": D(200)}  # the tariff is not grid
    assert position.covered_percent == 0


def test_certificates_cover_their_market_site_by_site_and_the_rest_is_reported_unused() -> None:
    # 1,200 MWh of CN certificates: site 1 takes 1,000, site 2 the other 200 of its 400 grid MWh.
    # 50 MWh of DE certificates find no DE site: unused, never moved to CN or KR.
    position = _position({"CN": D(1200), "DE": D(50)})
    sites = {s.site_id: s for s in position.sites}
    assert (sites[1].covered_mwh, sites[2].covered_mwh, sites[3].covered_mwh) == (D(1000), D(200), D(0))
    assert sites[2].uncovered_mwh == D(200) and sites[2].supplier_specific_mwh == D(100)
    markets = {m.market: m for m in position.markets}
    assert (markets["CN"].eac_applied_mwh, markets["CN"].covered_mwh, markets["CN"].uncovered_mwh) == (
        D(1200), D(1200), D(200))
    assert (markets["DE"].grid_mwh, markets["DE"].unused_mwh) == (D(0), D(50))
    assert position.unused_mwh_by_market == {"DE": D(50)}
    # Market-based after: site 2 (200 × 0.6 + 100 × 0.02 = 122) + site 3 (200 × 0.6 = 120) = 242;
    # residual 10 + 242 = 252 t. Location-based is untouched: 860 t.
    assert (sites[1].scope2_market_after_tco2e, sites[2].scope2_market_after_tco2e) == (D(0), D(122))
    assert position.scope2_market_after_tco2e == D(242)
    assert (position.residual_tco2e, position.gross_location_tco2e) == (D(252), D(860))
    # 1,200 of 1,700 MWh bought: 70.588…%
    assert str(position.covered_percent).startswith("70.5882352")


def test_the_needs_assume_all_grid_electricity_covered_and_subtract_what_is_retired_and_held() -> None:
    # All 1,600 grid MWh covered: residual 10 + 100 × 0.02 = 12 t. 5 t of credits retired,
    # 4 held: 7 t needed, 3 to buy. CN: 1,400 MWh, 300 retired, 1,500 held → 1,100 needed, none
    # to buy; KR: 200 MWh, nothing retired or held → 200 needed and to buy.
    markets, credits = needs_of(
        _position({"CN": D(1400), "KR": D(200)}), credits_retired_tco2e=D(5),
        eac_retired_mwh_by_market={"CN": D(300)}, eac_held_mwh_by_market={"CN": D(1500)}, credits_held_tco2e=D(4),
    )
    assert [(m.market, m.electricity_mwh, m.eac_needed_mwh, m.eac_to_buy_mwh) for m in markets] == [
        ("CN", D(1400), D(1100), D(0)), ("KR", D(200), D(200), D(200))]
    assert (credits.residual_tco2e, credits.needed_tco2e, credits.to_buy_tco2e) == (D(12), D(7), D(3))
    assert RESIDUAL_BASIS == "all_grid_electricity_covered"


def _candidate(block: int, kind: InstrumentKind, quantity: int, market: str, year: int) -> planner.Candidate:
    return planner.Candidate(block, "GEC" if kind is InstrumentKind.EAC else "CCER", kind, quantity, 1, market,
                             dt.date(year, 1, 1), dt.date(year, 12, 31))


def test_a_plan_covers_electricity_first_then_the_residual_after_its_own_certificates() -> None:
    # Held: 900 CN certificates of 2025, 20,000 credits. CN needs 1,400 MWh: 900 planned, 500 short;
    # KR has no certificate held: 200 short. The residual after the 900 planned certificates
    # (filling site 1 first): site 1 100 × 0.6 = 60 t, site 2 400 × 0.6 + 2 = 242 t, site 3
    # 200 × 0.6 = 120 t: 10 + 60 + 242 + 120 = 432 t → 432 credits. (The needs would say 12 t:
    # they assume all grid electricity covered; the plan counts only the certificates it has.)
    gross = _calculate()
    grid = {site: s.grid_mwh for site, s in gross.scope2_market.sites.items()}

    def residual_after(eacs: dict[str, Decimal]) -> Decimal:
        allocation = allocate_eacs(grid, MARKETS, eacs)
        covered = _calculate(dict(allocation.covered_mwh_by_site))
        return coverage_position(gross, covered, MARKETS, allocation, eacs).residual_tco2e

    held = [_candidate(1, InstrumentKind.EAC, 900, "CN", 2025), _candidate(2, InstrumentKind.CARBON_CREDIT, 20_000, "CN", 2020)]
    plan = planner.plan_period(
        planner.Listed(held, planner.Policy.OLDEST_VINTAGE), (), grid_mwh_by_market={"CN": D(1400), "KR": D(200)},
        retired_mwh_by_market={}, credits_retired_tco2e=D(0), residual_after=residual_after,
    )
    assert [(m.market, m.planned, m.shortfall) for m in plan.electricity] == [("CN", 900, 500), ("KR", 0, 200)]
    assert (plan.credits.residual_tco2e, plan.credits.planned, plan.credits.residual_basis) == (
        D(432), 432, "certificates_retired_and_planned")
    assert [(line.block_id, line.quantity, line.unit, line.whole) for line in plan.lines] == [
        (1, 900, "MWh", True), (2, 432, "tCO2e", False)]
