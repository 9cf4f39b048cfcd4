"""Reduction targets: validation (each refusal names its field) and the linear trajectory."""

from __future__ import annotations

from decimal import Decimal

import pytest

from neutrality.errors import InvalidInput
from neutrality.inventory.model import Scope
from neutrality.reductions.targets import Scope2Basis, Target, TargetKind


def absolute(**changes) -> Target:
    values = dict(kind="absolute", scopes={1, 2}, base_year=2024, base_value=Decimal(1000), target_year=2030,
                  reduction_percent=Decimal(42), scope2_basis="market_based")
    values.update(changes)
    return Target(**values)


def intensity(**changes) -> Target:
    values = dict(kind="intensity", scopes={1}, base_year=2024, base_value=Decimal(10), target_year=2030,
                  reduction_percent=Decimal(30), output_unit="unit", base_output=Decimal(100))
    values.update(changes)
    return Target(**values)


def refusal(excinfo: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str]:
    """(the one field named, the message)."""
    (field,) = excinfo.value.details
    return field, str(excinfo.value)


def test_an_absolute_target_keeps_its_values_as_enums_and_decimals() -> None:
    target = absolute()
    assert target.kind is TargetKind.ABSOLUTE
    assert target.scopes == frozenset({Scope.SCOPE_1, Scope.SCOPE_2})
    assert target.scope2_basis is Scope2Basis.MARKET
    assert target.base_tco2e == Decimal(1000)


def test_the_target_value_is_the_base_less_the_reduction() -> None:
    # 1,000 t × (1 − 42/100) = 580 t
    assert absolute().target_value == Decimal(580)
    # 10 t/unit × (1 − 0.30) = 7 t/unit
    assert intensity().target_value == Decimal(7)


def test_the_trajectory_is_linear_from_the_base_year_to_the_target_year() -> None:
    # 1,000 → 580 over 6 years: 420 / 6 = 70 t a year
    assert absolute().trajectory() == [
        (2024, Decimal(1000)), (2025, Decimal(930)), (2026, Decimal(860)), (2027, Decimal(790)),
        (2028, Decimal(720)), (2029, Decimal(650)), (2030, Decimal(580)),
    ]


def test_the_trajectory_is_exact_when_the_yearly_step_does_not_terminate() -> None:
    # 100 → 90 over 3 years: 10/3 a year; 2025 allows 100 − 10/3 = 96.666…, not a rounded figure
    target = absolute(base_value=Decimal(100), reduction_percent=Decimal(10), target_year=2027)
    assert str(target.allowed(2025)).startswith("96.66666666666666666666666666666666666666666666666")
    assert target.allowed(2027) == Decimal(90)


def test_after_the_target_year_the_target_value_holds() -> None:
    assert absolute().allowed(2035) == Decimal(580)


def test_a_zero_reduction_keeps_the_base_and_a_full_one_reaches_zero() -> None:
    assert absolute(reduction_percent=Decimal(0)).allowed(2027) == Decimal(1000)
    # 1,000 → 0 over 6 years: 2027 is half way, 500
    assert absolute(reduction_percent=Decimal(100)).allowed(2027) == Decimal(500)


def test_an_intensity_target_knows_its_base_emissions() -> None:
    # 10 t/unit × 100 units = 1,000 t
    assert intensity().base_tco2e == Decimal(1000)
    assert intensity(output_unit="kWh").output_unit == "kWh"
    assert intensity(output_unit="元").output_unit == "CNY"  # revenue, by alias


def test_a_year_before_the_base_year_has_no_allowed_value() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        absolute().allowed(2023)
    assert refusal(excinfo) == ("year", "2023 comes before the base year (2024) of the target")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"target_year": 2024}, "target_year", "the target year (2024) must come after the base year (2024)"),
    ({"target_year": 2020}, "target_year", "the target year (2020) must come after the base year (2024)"),
    ({"reduction_percent": Decimal("-0.1")}, "reduction_percent",
     "the reduction is a percentage from 0 to 100, not -0.1"),
    ({"reduction_percent": Decimal("100.5")}, "reduction_percent",
     "the reduction is a percentage from 0 to 100, not 100.5"),
    ({"reduction_percent": Decimal("NaN")}, "reduction_percent", "reduction_percent: NaN is not a number"),
    ({"base_value": Decimal(-1)}, "base_value", "base_value cannot be negative (-1)"),
    ({"base_value": Decimal("Infinity")}, "base_value", "base_value: Infinity is not a number"),
    ({"base_value": "lots"}, "base_value", "base_value: 'lots' is not a number"),
    ({"base_year": 1800}, "base_year", "base_year must be a year from 1990 to 2100, not 1800"),
    ({"target_year": "2030"}, "target_year", "target_year must be a year from 1990 to 2100, not '2030'"),
    ({"kind": "relative"}, "kind", "kind: a target is absolute or intensity, not 'relative'"),
    ({"scopes": set()}, "scopes", "a target covers at least one scope"),
    ({"scopes": {4}}, "scopes", "scopes: each scope is 1, 2 or 3"),
    ({"scope2_basis": None}, "scope2_basis",
     "a target covering Scope 2 says whether it counts location-based or market-based emissions"),
    ({"scope2_basis": "dual"}, "scope2_basis", "scope2_basis: location_based or market_based, not 'dual'"),
    ({"scopes": {1}}, "scope2_basis", "a target without Scope 2 has no Scope 2 basis"),
    ({"output_unit": "MWh"}, "output_unit", "an absolute target has no output data (output_unit)"),
    ({"base_output": Decimal(5)}, "base_output", "an absolute target has no output data (base_output)"),
])
def test_a_bad_absolute_target_is_refused_naming_the_field(changes, field, message) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        absolute(**changes)
    assert refusal(excinfo) == (field, message)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"output_unit": None}, "output_unit", "an intensity target needs the unit of output it is counted per"),
    ({"output_unit": "furlongs"}, "output_unit", "unknown unit 'furlongs'"),
    ({"output_unit": "km"}, "output_unit", "km is not a unit of output (energy, mass, volume, pieces or money)"),
    ({"base_output": None}, "base_output", "an intensity target needs the base year's output"),
    ({"base_output": Decimal(0)}, "base_output", "the base year's output must be more than zero"),
    ({"base_output": Decimal(-3)}, "base_output", "base_output cannot be negative (-3)"),
    ({"base_value": Decimal("-0.5")}, "base_value", "base_value cannot be negative (-0.5)"),
])
def test_an_intensity_target_without_output_data_is_refused_naming_the_field(changes, field, message) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        intensity(**changes)
    assert refusal(excinfo) == (field, message)


def test_a_rebased_target_keeps_its_years_and_percentage() -> None:
    moved = absolute().rebased(Decimal(1100))
    # 1,100 × 0.58 = 638
    assert (moved.base_year, moved.target_year, moved.reduction_percent, moved.target_value) == (
        2024, 2030, Decimal(42), Decimal(638))
    with pytest.raises(InvalidInput) as excinfo:
        absolute().rebased(Decimal(-1))
    assert refusal(excinfo)[0] == "base_value"
