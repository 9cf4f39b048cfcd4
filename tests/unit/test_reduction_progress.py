"""Progress against a target, base-year recalculation, and achieved reductions split into the part
due to activity and the part due to the factor."""

from __future__ import annotations

from decimal import Decimal

import pytest

from neutrality.errors import InvalidInput
from neutrality.inventory.recalculation import check_base_year
from neutrality.reductions.progress import (
    PeriodActual,
    SourceFigures,
    decompose,
    position,
    progress,
    rebase,
)
from neutrality.reductions.targets import Target
from neutrality.units import UnitMismatch


def absolute(**changes) -> Target:
    # 1,000 t in 2024 → 580 t in 2030 (−42 %): 70 t a year
    values = dict(kind="absolute", scopes={1, 2}, base_year=2024, base_value=Decimal(1000), target_year=2030,
                  reduction_percent=Decimal(42), scope2_basis="location_based")
    values.update(changes)
    return Target(**values)


def intensity(**changes) -> Target:
    # 12.5 t per MWh of modules over 2,000 MWh in 2024 (25,000 t) → −30 % by 2030 (8.75 t/MWh)
    values = dict(kind="intensity", scopes={1}, base_year=2024, base_value=Decimal("12.5"), target_year=2030,
                  reduction_percent=Decimal(30), output_unit="MWh", base_output=Decimal(2000))
    values.update(changes)
    return Target(**values)


def refusal(excinfo: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str]:
    (field,) = excinfo.value.details
    return field, str(excinfo.value)


# --- positions ----------------------------------------------------------------------------------


def test_a_period_above_the_line_is_off_track() -> None:
    # 2026 allows 1,000 − 2 × 70 = 860 t; 870 t is 10 t above; reduced (1,000 − 870) / 1,000 = 13 %
    p = position(absolute(), PeriodActual(2026, Decimal(870)))
    assert (p.actual, p.allowed, p.gap, p.on_track) == (Decimal(870), Decimal(860), Decimal(10), False)
    assert p.reduced_percent == p.absolute_reduced_percent == Decimal(13)
    assert p.output is None and p.output_change_percent is None


def test_a_period_on_or_below_the_line_is_on_track() -> None:
    # 2027 allows 1,000 − 3 × 70 = 790 t; 780 t is 10 t below, reduced 22 %
    p = position(absolute(), PeriodActual(2027, Decimal(780)))
    assert (p.allowed, p.gap, p.on_track, p.reduced_percent) == (Decimal(790), Decimal(-10), True, Decimal(22))
    # exactly on the line (2030: 580 t) counts as on track
    assert position(absolute(), PeriodActual(2030, Decimal(580))).on_track


def test_seed_000_line_upgrade_cuts_intensity_30_percent_but_the_total_only_to_0_805() -> None:
    # Seed 000 §3.3: energy per unit −30 % with output +15 %.
    # Intensity 12.5 × 0.70 = 8.75 t/MWh; output 2,000 × 1.15 = 2,300 MWh;
    # total 8.75 × 2,300 = 20,125 t = 25,000 × 0.70 × 1.15 = 25,000 × 0.805 → −19.5 % absolute.
    p = position(intensity(), PeriodActual(2030, Decimal(20125), Decimal(2300)))
    assert p.actual == Decimal("8.75")
    assert p.reduced_percent == Decimal(30)  # intensity, against 12.5 t/MWh
    assert p.tco2e / intensity().base_tco2e == Decimal("0.805")
    assert p.absolute_reduced_percent == Decimal("19.5")  # absolute, against 25,000 t: computed apart
    assert p.output == Decimal(2300) and p.output_change_percent == Decimal(15)
    # 2030 allows 12.5 × 0.70 = 8.75 t/MWh: exactly on the line
    assert (p.allowed, p.gap, p.on_track) == (Decimal("8.75"), Decimal(0), True)


def test_an_intensity_can_fall_while_the_total_rises() -> None:
    # 2027 allows 12.5 − 3 × (3.75 / 6) = 10.625 t/MWh. Output doubles to 4,000 MWh and emissions
    # reach 40,000 t: 10 t/MWh (on track, −20 %) while the total is +60 % (reduced −60 %).
    p = position(intensity(), PeriodActual(2027, Decimal(40000), Decimal(4000)))
    assert (p.actual, p.allowed, p.on_track, p.reduced_percent) == (
        Decimal(10), Decimal("10.625"), True, Decimal(20))
    assert p.absolute_reduced_percent == Decimal(-60)


def test_the_output_in_another_unit_is_converted_to_the_target_s_unit() -> None:
    # 2,300,000 kWh = 2,300 MWh: the same position as above
    p = position(intensity(), PeriodActual(2030, Decimal(20125), Decimal(2300000), "kWh"))
    assert (p.output, p.actual) == (Decimal(2300), Decimal("8.75"))


def test_progress_lists_each_period_in_year_order() -> None:
    result = progress(absolute(), [PeriodActual(2027, Decimal(780)), PeriodActual(2025, Decimal(950))])
    # 2025 allows 930 t: 950 t is 20 t above
    assert [(p.year, p.gap, p.on_track) for p in result.positions] == [
        (2025, Decimal(20), False), (2027, Decimal(-10), True)]
    assert result.base is None and not result.base_recalculated


@pytest.mark.parametrize(("target", "actual", "field", "message"), [
    (intensity(), PeriodActual(2027, Decimal(100)), "output",
     "2027: an intensity target needs the period's output"),
    (intensity(), PeriodActual(2027, Decimal(100), Decimal(0)), "output",
     "2027: the output must be more than zero to give an intensity"),
    (intensity(), PeriodActual(2027, Decimal(100), Decimal(-5)), "output", "output cannot be negative (-5)"),
    (absolute(), PeriodActual(2027, Decimal(-1)), "tco2e", "tco2e cannot be negative (-1)"),
    (absolute(), PeriodActual(2027, Decimal("NaN")), "tco2e", "tco2e: NaN is not a number"),
    (absolute(), PeriodActual(2020, Decimal(900)), "year", "2020 comes before the base year (2024) of the target"),
])
def test_a_bad_period_is_refused_naming_the_field(target, actual, field, message) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        position(target, actual)
    assert refusal(excinfo) == (field, message)


def test_an_output_in_a_unit_that_does_not_convert_is_refused() -> None:
    with pytest.raises(UnitMismatch) as excinfo:
        position(intensity(), PeriodActual(2027, Decimal(100), Decimal(5), "t"))
    assert list(excinfo.value.details) == ["unit"]


def test_two_periods_of_one_year_are_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        progress(absolute(), [PeriodActual(2026, Decimal(1)), PeriodActual(2026, Decimal(2))])
    assert refusal(excinfo) == ("year", "two periods for the year 2026")


# --- base-year recalculation --------------------------------------------------------------------


def test_a_significant_base_year_change_moves_the_base_and_says_so() -> None:
    # The base year recalculated: 1,000 → 1,060 t, +6 % ≥ 5 %: recalculate.
    # New base 1,060; target 1,060 × 0.58 = 614.8; 2027 allows 1,060 − (1,060 − 614.8) × 3/6 = 837.4.
    # 800 t is 37.4 t below it (on track), where the old line (790) would have said off track.
    check = check_base_year(Decimal(1000), Decimal(1060), Decimal(5))
    result = progress(absolute(), [PeriodActual(2027, Decimal(800))], check)
    assert result.base_recalculated
    assert (result.base.old_base_value, result.base.new_base_value, result.base.change_percent) == (
        Decimal(1000), Decimal(1060), Decimal(6))
    assert (result.base.old_base_tco2e, result.base.new_base_tco2e) == (Decimal(1000), Decimal(1060))
    assert "requires a recalculation" in result.base.explanation
    assert result.target.base_value == Decimal(1060) and result.target.target_value == Decimal("614.8")
    (p,) = result.positions
    assert (p.allowed, p.gap, p.on_track) == (Decimal("837.4"), Decimal("-37.4"), True)
    # reduced against the new base: (1,060 − 800) / 1,060 = 24.528…%
    assert str(p.reduced_percent).startswith("24.5283018867")


def test_exactly_five_percent_is_significant() -> None:
    # 1,000 → 950 t is −5 %: the threshold is reached (≥), the base moves to 950
    target, move = rebase(absolute(), check_base_year(Decimal(1000), Decimal(950), Decimal(5)))
    assert move.recalculated and target.base_value == Decimal(950)


def test_a_change_below_the_threshold_leaves_the_base_and_says_so() -> None:
    # 1,000 → 1,040 t is +4 % < 5 %: no recalculation; 2027 still allows 790 t
    check = check_base_year(Decimal(1000), Decimal(1040), Decimal(5))
    result = progress(absolute(), [PeriodActual(2027, Decimal(800))], check)
    assert not result.base_recalculated
    assert (result.base.old_base_value, result.base.new_base_value) == (Decimal(1000), Decimal(1000))
    assert "does not require a recalculation" in result.base.explanation
    assert result.positions[0].allowed == Decimal(790)


def test_a_target_over_some_scopes_moves_by_the_same_relative_change() -> None:
    # Scope 1 base 400 t of a 1,000 t inventory that moves +6 %: 400 × 1.06 = 424 t
    target, move = rebase(absolute(scopes={1}, scope2_basis=None, base_value=Decimal(400)),
                          check_base_year(Decimal(1000), Decimal(1060), Decimal(5)))
    assert (move.old_base_value, move.new_base_value, target.base_value) == (Decimal(400), Decimal(424), Decimal(424))


def test_the_recalculated_base_value_of_the_target_s_own_scopes_wins() -> None:
    target, move = rebase(absolute(), check_base_year(Decimal(1000), Decimal(1060), Decimal(5)), Decimal(1100))
    assert (move.new_base_value, target.target_value) == (Decimal(1100), Decimal(638))  # 1,100 × 0.58


def test_an_intensity_base_moves_with_the_emissions_over_the_same_output() -> None:
    # 12.5 t/MWh × 1.06 = 13.25 t/MWh; base emissions 13.25 × 2,000 = 26,500 t = 25,000 × 1.06
    target, move = rebase(intensity(), check_base_year(Decimal(25000), Decimal(26500), Decimal(5)))
    assert (target.base_value, target.base_tco2e) == (Decimal("13.25"), Decimal(26500))
    assert (move.old_base_value, move.new_base_value) == (Decimal("12.5"), Decimal("13.25"))
    assert (move.old_base_tco2e, move.new_base_tco2e) == (Decimal(25000), Decimal(26500))


def test_a_restated_output_recalculates_the_intensity() -> None:
    # An acquisition: 25,000 t → 26,500 t (+6 %) and 2,000 → 2,500 MWh of modules.
    # Intensity 26,500 / 2,500 = 10.6 t/MWh (it falls although the emissions rose), whether the
    # caller gives it or lets the check's ratio give it.
    check = check_base_year(Decimal(25000), Decimal(26500), Decimal(5))
    for given in (None, Decimal("10.6")):
        target, move = rebase(intensity(), check, given, Decimal(2500))
        assert (target.base_value, target.base_output, target.base_tco2e) == (
            Decimal("10.6"), Decimal(2500), Decimal(26500))
        assert (move.old_base_value, move.new_base_value) == (Decimal("12.5"), Decimal("10.6"))
    # 2030 allows 10.6 × 0.70 = 7.42 t/MWh
    assert target.target_value == Decimal("7.42")


def test_a_base_of_zero_needs_the_recalculated_value_given() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        rebase(absolute(), check_base_year(Decimal(0), Decimal(10), Decimal(5)))
    assert refusal(excinfo) == ("new_base_value",
                                "the base year was zero: give the recalculated base value of the target")
    with pytest.raises(InvalidInput) as excinfo:
        rebase(absolute(), check_base_year(Decimal(1000), Decimal(1060), Decimal(5)), Decimal(-1))
    assert refusal(excinfo) == ("new_base_value", "new_base_value cannot be negative (-1)")
    with pytest.raises(InvalidInput) as excinfo:
        rebase(intensity(), check_base_year(Decimal(1000), Decimal(1060), Decimal(5)), Decimal(1), Decimal(0))
    assert refusal(excinfo) == ("new_base_output", "the base year's output must be more than zero")
    with pytest.raises(InvalidInput) as excinfo:
        rebase(intensity(), check_base_year(Decimal(1000), Decimal(1060), Decimal(5)), None, Decimal(-2))
    assert refusal(excinfo) == ("new_base_output", "new_base_output cannot be negative (-2)")
    with pytest.raises(InvalidInput) as excinfo:  # an absolute target has no output to restate
        rebase(absolute(), check_base_year(Decimal(1000), Decimal(1060), Decimal(5)), None, Decimal(5))
    assert refusal(excinfo) == ("base_output", "an absolute target has no output data (base_output)")


# --- achieved reductions: activity and factor ---------------------------------------------------


def grid(mwh: str, factor: str, unit: str = "MWh") -> SourceFigures:
    return SourceFigures("site A / grid electricity", Decimal(mwh), unit, Decimal(factor))


def test_a_change_splits_into_activity_and_factor() -> None:
    # 1,000 MWh × 0.58 = 580 t → 900 MWh × 0.55 = 495 t: total −85 t
    # activity (900 − 1,000) × 0.58 = −58 t; factor 900 × (0.55 − 0.58) = −27 t; −58 − 27 = −85
    (change,) = decompose([grid("1000", "0.58")], [grid("900", "0.55")]).sources
    assert (change.old_tco2e, change.new_tco2e, change.change) == (Decimal(580), Decimal(495), Decimal(-85))
    assert (change.due_to_activity, change.due_to_factor) == (Decimal(-58), Decimal(-27))


def test_a_factor_revision_alone_is_not_a_reduction() -> None:
    # Same 1,000 MWh, factor 0.58 → 0.52: −60 t, all of it due to the factor, none to activity
    result = decompose([grid("1000", "0.58")], [grid("1000", "0.52")])
    assert (result.change, result.due_to_activity, result.due_to_factor) == (Decimal(-60), Decimal(0), Decimal(-60))


def test_the_two_parts_add_up_exactly_with_awkward_figures() -> None:
    # 1,234.567 × 0.5703 = 704.0735601 t → 1,111.111 × 0.5581 = 620.1110491 t: −83.962511 t
    # activity (1,111.111 − 1,234.567) × 0.5703 = −123.456 × 0.5703 = −70.4069568
    # factor 1,111.111 × (0.5581 − 0.5703) = 1,111.111 × −0.0122 = −13.5555542
    (change,) = decompose([grid("1234.567", "0.5703")], [grid("1111.111", "0.5581")]).sources
    assert change.change == Decimal("-83.962511")
    assert (change.due_to_activity, change.due_to_factor) == (Decimal("-70.4069568"), Decimal("-13.5555542"))
    assert change.due_to_activity + change.due_to_factor == change.change


def test_activities_in_convertible_units_are_compared_in_the_old_unit() -> None:
    # 900,000 kWh × 0.00055 t/kWh is 900 MWh × 0.55 t/MWh: the same −58 / −27 split
    (change,) = decompose([grid("1000", "0.58")], [grid("900000", "0.00055", "kWh")]).sources
    assert (change.change, change.due_to_activity, change.due_to_factor) == (Decimal(-85), Decimal(-58), Decimal(-27))


def test_a_source_that_appears_or_disappears_changes_by_activity_alone() -> None:
    # a diesel generator: 10 t × 3.1 t/t = 31 t, new in one inventory, gone from the other
    diesel = SourceFigures("site A / diesel", Decimal(10), "t", Decimal("3.1"))
    (added,) = decompose([], [diesel]).sources
    assert (added.old_tco2e, added.change, added.due_to_activity, added.due_to_factor) == (
        Decimal(0), Decimal(31), Decimal(31), Decimal(0))
    (removed,) = decompose([diesel], []).sources
    assert (removed.new_tco2e, removed.change, removed.due_to_activity, removed.due_to_factor) == (
        Decimal(0), Decimal(-31), Decimal(-31), Decimal(0))


def test_the_totals_are_exact_beyond_the_default_28_digits() -> None:
    # 30 sources of 1 MWh: 29 at 0.1 t/MWh, one at 10^-30 t/MWh, each dropped to zero activity.
    # Total −(29 × 0.1 + 10^-30) = −2.900…0001 (31 decimals): the default context would round
    # the last digit away.
    old = [SourceFigures(f"s{n:02}", Decimal(1), "MWh", Decimal("0.1")) for n in range(29)]
    old.append(SourceFigures("tiny", Decimal(1), "MWh", Decimal("1E-30")))
    result = decompose(old, [SourceFigures(s.source, Decimal(0), "MWh", s.factor) for s in old])
    assert result.change == result.due_to_activity == Decimal("-2.900000000000000000000000000001")


def test_the_totals_add_the_sources() -> None:
    # grid −85 (−58 activity, −27 factor); gas 500 GJ → 600 GJ at 0.056 t/GJ: +5.6 t, all activity
    gas = [SourceFigures("site A / natural gas", Decimal(q), "GJ", Decimal("0.056")) for q in ("500", "600")]
    result = decompose([grid("1000", "0.58"), gas[0]], [grid("900", "0.55"), gas[1]])
    # −85 + 5.6 = −79.4; −58 + 5.6 = −52.4; −27 + 0 = −27
    assert (result.change, result.due_to_activity, result.due_to_factor) == (
        Decimal("-79.4"), Decimal("-52.4"), Decimal(-27))
    assert [s.source for s in result.sources] == ["site A / grid electricity", "site A / natural gas"]


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ([grid("1", "0.5"), grid("2", "0.5")], [], "old",
     "the source site A / grid electricity appears twice in one inventory"),
    ([], [grid("1", "0.5"), grid("2", "0.5")], "new",
     "the source site A / grid electricity appears twice in one inventory"),
    ([grid("-1", "0.5")], [], "activity",
     "the source site A / grid electricity: the activity cannot be negative (-1)"),
    ([], [grid("1", "-0.5")], "factor", "the source site A / grid electricity: the factor cannot be negative (-0.5)"),
    ([], [grid("NaN", "0.5")], "activity", "activity: NaN is not a number"),
    ([grid("1", "0.5", "bushels")], [], "unit", "unknown unit 'bushels'"),
])
def test_bad_source_figures_are_refused_naming_the_field(old, new, field, message) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decompose(old, new)
    assert refusal(excinfo) == (field, message)


def test_a_source_whose_units_do_not_convert_is_refused() -> None:
    with pytest.raises(UnitMismatch) as excinfo:
        decompose([grid("1000", "0.58")], [grid("900", "0.55", "t")])
    assert list(excinfo.value.details) == ["unit"]
