"""Achieved reductions read from two inventories: per scope, site and source, split into activity
and factor, and attributed to the register's measures.

The hand-worked example (site 1, 2024 → 2025):
- "Boiler" (Scope 1, natural gas): 1,000 MWh × 0.2 = 200 t → 800 MWh × 0.2 = 160 t: −40 t, all
  activity (−200 × 0.2), none factor (800 × 0); 40 t achieved.
- "Grid electricity" (Scope 2, location-based): 10,000 MWh × 0.58 = 5,800 t → 9,000 MWh × 0.55 =
  4,950 t: −850 t; activity (9,000 − 10,000) × 0.58 = −580, factor 9,000 × (0.55 − 0.58) = −270.
  580 t achieved; the grid's 270 t reported apart.
- Totals: −890 t = −620 activity − 270 factor: 890 t less, 620 t achieved.
- Market-based Scope 2 at the residual mix 0.6096 both years: 6,096 → 5,486.4 t, −609.6 t, all
  activity (−1,000 × 0.6096).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from neutrality.reductions.achieved import achieved, achieved_from_totals, compare
from neutrality.reductions.measures import Title, measure
from neutrality.reductions.progress import SourceFigures, decompose

EARLIER, LATER = dt.date(2024, 1, 1), dt.date(2025, 1, 1)
GAS = "stationary_combustion · fuel · natural_gas"


def source(name: str, scope: int, activity: str, factor: str, kind: str = "", site: int = 1) -> SourceFigures:
    kind = kind or (GAS if scope == 1 else "electricity")
    return SourceFigures(f"site {site} · scope {scope} · {name} · {kind}", Decimal(activity), "MWh",
                         Decimal(factor), site_id=site, scope=scope, name=name, kind=kind)


OLD = [source("Boiler", 1, "1000", "0.2"), source("Grid electricity", 2, "10000", "0.58")]
NEW = [source("Boiler", 1, "800", "0.2"), source("Grid electricity", 2, "9000", "0.55")]
OLD_MARKET = [source("Grid electricity", 2, "10000", "0.6096")]
NEW_MARKET = [source("Grid electricity", 2, "9000", "0.6096")]


def a_measure(scope: int, source_name: str = "", *, status: str = "done", end: dt.date | None = dt.date(2024, 6, 30),
              site_id: int | None = 1, title: str = "measure"):
    category = {1: "clean_energy_share", 2: "energy_efficiency", 3: "logistics"}[scope]
    return measure(title=Title(en=title), category=category, status=status, scope=scope, source=source_name,
                   end=end, site_id=site_id)


def test_the_hand_worked_example_per_scope_and_in_total() -> None:
    result = compare(OLD, NEW)
    total = result.total
    assert (total.old_tco2e, total.new_tco2e, total.change) == (Decimal(6000), Decimal(5110), Decimal(-890))
    assert (total.due_to_activity, total.due_to_factor) == (Decimal(-620), Decimal(-270))
    assert (total.reduction, total.achieved_reduction, total.factor_reduction) == (
        Decimal(890), Decimal(620), Decimal(270))
    scope1, scope2 = result.by_scope
    assert (scope1.scope, scope1.figures.change, scope1.figures.achieved_reduction,
            scope1.figures.factor_reduction) == (1, Decimal(-40), Decimal(40), Decimal(0))
    assert (scope2.scope, scope2.figures.change, scope2.figures.achieved_reduction,
            scope2.figures.factor_reduction) == (2, Decimal(-850), Decimal(580), Decimal(270))
    [site] = result.by_site
    assert (site.site_id, site.figures) == (1, total)
    assert [(line.name, line.figures.achieved_reduction) for line in result.by_source] == [
        ("Boiler", Decimal(40)), ("Grid electricity", Decimal(580))]


def test_the_parts_of_every_group_add_up_to_its_change() -> None:
    result = compare(OLD, NEW)
    for line in (*result.by_scope, *result.by_site, *result.by_source):
        assert line.figures.due_to_activity + line.figures.due_to_factor == line.figures.change


def test_two_sites_are_reported_apart() -> None:
    # site 2's boiler: 500 → 600 MWh at 0.2: +20 t, all activity; site 1 stays at −890
    result = compare([*OLD, source("Boiler", 1, "500", "0.2", site=2)], [*NEW, source("Boiler", 1, "600", "0.2", site=2)])
    assert [(line.site_id, line.figures.change) for line in result.by_site] == [(1, Decimal(-890)), (2, Decimal(20))]
    # Scope 1: −40 + 20 = −20
    assert result.by_scope[0].figures.change == Decimal(-20)
    assert result.total.achieved_reduction == Decimal(600)  # 620 − 20


def test_market_based_scope2_is_split_on_its_own_factors() -> None:
    result = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, [], EARLIER, LATER)
    market = result.scope2_market.total
    assert (market.old_tco2e, market.new_tco2e, market.change) == (Decimal(6096), Decimal("5486.4"),
                                                                   Decimal("-609.6"))
    assert (market.due_to_activity, market.due_to_factor) == (Decimal("-609.6"), Decimal(0))


def test_a_cheaper_residual_mix_is_a_factor_change_not_a_reduction() -> None:
    # the same 10,000 MWh, residual mix 0.6096 → 0.5: 1,096 t less, all of it factor
    result = achieved(OLD, OLD, OLD_MARKET, [source("Grid electricity", 2, "10000", "0.5")], [], EARLIER, LATER)
    market = result.scope2_market.total
    assert (market.reduction, market.achieved_reduction, market.factor_reduction) == (
        Decimal(1096), Decimal(0), Decimal(1096))


def test_a_renamed_source_keeps_its_factor_revision_apart() -> None:
    # "Boiler 1" 1,000 MWh × 0.2 = 200 t becomes "Boiler #1" 1,000 MWh × 0.21 = 210 t (same site,
    # scope and kind). The old name goes: −200 t of activity. The new one is valued at the kind's
    # old 0.2: 1,000 × 0.2 = 200 t activity, 1,000 × 0.01 = 10 t factor. Net: 0 activity, +10 factor.
    result = decompose([source("Boiler 1", 1, "1000", "0.2")], [source("Boiler #1", 1, "1000", "0.21")])
    assert (result.change, result.due_to_activity, result.due_to_factor) == (Decimal(10), Decimal(0), Decimal(10))
    # without a kind (the old keys), the new name would count as 210 t of activity
    bare = decompose([SourceFigures("a", Decimal(1000), "MWh", Decimal("0.2"))],
                     [SourceFigures("b", Decimal(1000), "MWh", Decimal("0.21"))])
    assert (bare.due_to_activity, bare.due_to_factor) == (Decimal(10), Decimal(0))


def test_measures_are_attributed_their_sources_activity_part() -> None:
    boiler = a_measure(1, "  BOILER ")  # case and spaces ignored
    result = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, [(1, boiler)], EARLIER, LATER)
    [got] = result.measures
    assert (got.acts, got.achieved_reduction, got.shared_reduction, got.factor_reduction, got.note) == (
        True, Decimal(40), None, Decimal(0), None)
    assert got.sources == (f"site 1 · scope 1 · Boiler · {GAS}",)
    # 620 achieved, 40 of it by the boiler measure, 580 (the grid's MWh) by no registered measure
    assert (result.attributed_reduction, result.unattributed_reduction) == (Decimal(40), Decimal(580))


def test_a_scope2_measure_shows_the_market_basis_too() -> None:
    result = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, [(1, a_measure(2, "Grid electricity"))], EARLIER, LATER)
    [got] = result.measures
    # 580 t location-based (−1,000 × 0.58), 609.6 t market-based (−1,000 × 0.6096); the grid's
    # 270 t shown apart as the factor's
    assert (got.achieved_reduction, got.market_achieved_reduction, got.factor_reduction) == (
        Decimal(580), Decimal("609.6"), Decimal(270))


def test_two_measures_on_one_source_share_it_and_it_counts_once() -> None:
    lighting = a_measure(2, site_id=None, title="LED lighting")  # the whole of Scope 2, every site
    pumps = a_measure(2, "grid electricity", title="Pump VSDs")
    boiler = a_measure(1, "Boiler")
    result = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, [(7, lighting), (8, pumps), (9, boiler)], EARLIER, LATER)
    first, second, third = result.measures
    for got, other in ((first, 8), (second, 7)):
        # the grid's 580 t is shared: no part of it is either measure's alone
        assert (got.achieved_reduction, got.shared_reduction, got.shared_with) == (Decimal(0), Decimal(580), (other,))
        assert got.note == (f"it shares Grid electricity with measure(s) {other}: that reduction is "
                                     "reported once, as shared, and counted once in the total")
    assert third.achieved_reduction == Decimal(40)
    # 580 once + 40 = 620: all of the achieved reduction, none unattributed
    assert (result.attributed_reduction, result.unattributed_reduction) == (Decimal(620), Decimal(0))


def test_a_measure_whose_source_is_not_in_either_inventory_says_why() -> None:
    forklifts = a_measure(1, "Diesel forklifts")
    elsewhere = a_measure(2, site_id=2)  # site 2 has no Scope 2 source
    result = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, [(1, forklifts), (2, elsewhere)], EARLIER, LATER)
    named, whole = result.measures
    assert (named.acts, named.achieved_reduction, named.sources) == (True, None, ())
    assert named.note == "no source named 'Diesel forklifts' in Scope 1 at site 1 in either inventory"
    assert whole.note == "no Scope 2 source at site 2 in either inventory"
    assert result.attributed_reduction == Decimal(0)


def test_only_a_measure_done_or_in_progress_between_the_two_periods_acts() -> None:
    cases = [
        (a_measure(1, "Boiler", status="planned", end=None),
         "it is Planned: only a measure done or in progress is read from the inventories"),
        (a_measure(1, "Boiler", status="in_progress", end=None), "it has no end date: it cannot be placed before "
                                                                  "the period"),
        (a_measure(1, "Boiler", status="in_progress", end=dt.date(2025, 1, 1)),
         "it ends on 2025-01-01, not before the period began on 2025-01-01"),
        (a_measure(1, "Boiler", end=dt.date(2023, 12, 31)),
         "it ended on 2023-12-31, before the earlier period began on 2024-01-01: it is in both inventories"),
    ]
    result = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, list(enumerate(m for m, _ in cases)), EARLIER, LATER)
    assert [(got.acts, got.achieved_reduction, got.note) for got in result.measures] == [
        (False, None, reason) for _, reason in cases]
    assert (result.attributed_reduction, result.unattributed_reduction) == (Decimal(0), Decimal(620))
    # in progress and ended the day before the period began: it acts
    [got] = achieved(OLD, NEW, OLD_MARKET, NEW_MARKET, [(1, a_measure(1, "Boiler", status="in_progress",
                                                                      end=dt.date(2024, 12, 31)))],
                     EARLIER, LATER).measures
    assert (got.acts, got.achieved_reduction) == (True, Decimal(40))


def test_totals_by_scope_are_compared_without_a_split() -> None:
    # an inventory made with another tool: Scope 1 100 → 90 (−10), Scope 2 500 → 520 (+20); total +10
    old = {"location": {1: Decimal(100), 2: Decimal(500)}, "market": {2: Decimal(600)}}
    new = {"location": {1: Decimal(90), 2: Decimal(520)}, "market": {2: Decimal(550)}}
    planned = a_measure(1, "Boiler", status="planned", end=None)
    result = achieved_from_totals(old, new, [(1, a_measure(1, "Boiler")), (2, planned)], EARLIER, LATER)
    assert not result.location.split
    assert [(line.scope, line.figures.change) for line in result.location.by_scope] == [
        (1, Decimal(-10)), (2, Decimal(20)), (3, Decimal(0))]
    assert (result.location.total.change, result.location.total.due_to_activity,
            result.location.total.achieved_reduction) == (Decimal(10), None, None)
    assert result.scope2_market.total.reduction == Decimal(50)
    got, not_acting = result.measures
    assert (got.acts, got.achieved_reduction) == (True, None)
    assert got.note == "an inventory made with another tool gives totals only: no source to read a measure from"
    # a measure that does not act says why, as it would over records
    assert (not_acting.acts, not_acting.note) == (
        False, "it is Planned: only a measure done or in progress is read from the inventories")
    assert (result.attributed_reduction, result.unattributed_reduction) == (None, None)
