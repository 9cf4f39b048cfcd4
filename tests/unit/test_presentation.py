"""Figures rounded for people: worked examples of the rules of neutrality.presentation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from neutrality.presentation import (
    COUNT,
    MONEY,
    PERCENT,
    QUANTITY,
    TONNES,
    displayed,
    for_people,
    rounded,
)


@pytest.mark.parametrize(("exact", "shown"), [
    # the third decimal is 5 with nothing after it: half-up goes away from zero (half-even,
    # Python's default, would keep 2.34 because 4 is even)
    ("2.345", "2.35"),
    # below the half: down
    ("2.344", "2.34"),
    # −0.004 is nearer 0.00 than −0.01; the sign of a zero says nothing, so none is written
    ("-0.004", "0.00"),
    # a negative half goes away from zero too: −2.345 → −2.35, the sign kept
    ("-2.345", "-2.35"),
    # thousands separated, .891 → .89
    ("1234567.891", "1,234,567.89"),
    # an exact whole number is written with its two decimals
    ("660", "660.00"),
    # the digits past the second never count twice: .994999 is below the half, so .99
    ("0.994999", "0.99"),
    # ...and .995 carries into the units and the thousands: 999,999.995 → 1,000,000.00
    ("999999.995", "1,000,000.00"),
])
def test_tonnes_have_two_decimals_half_up_with_thousands_separated(exact: str, shown: str) -> None:
    assert rounded(exact, TONNES) == shown
    assert rounded(Decimal(exact), TONNES) == shown


@pytest.mark.parametrize(("exact", "shown"), [
    # 12.25: the second decimal is exactly a half, up to 12.3 (half-even would give 12.2)
    ("12.25", "12.3"),
    # 0.05: a half of the first decimal, up to 0.1 (half-even: 0.0)
    ("0.05", "0.1"),
    # 0.04999 is below the half
    ("0.04999", "0.0"),
    # 100 % is written with its decimal
    ("100", "100.0"),
])
def test_percentages_have_one_decimal_half_up(exact: str, shown: str) -> None:
    assert rounded(exact, PERCENT) == shown


def test_counts_are_whole_numbers_with_thousands_separated() -> None:
    # 3,900,000 units of a GEC issuance; an int as the API answers a count
    assert rounded(3_900_000, COUNT) == "3,900,000"
    # a count given as a decimal (units needed from a need of 631.5 t): a half goes up
    assert rounded("631.5", COUNT) == "632"
    assert rounded(0, COUNT) == "0"


def test_quantities_and_mwh_have_three_decimals() -> None:
    # 1,234.5678 MWh: the fourth decimal 8 rounds the third up (kWh resolution)
    assert rounded("2434.5678", QUANTITY) == "2,434.568"
    # 0.0005 MWh is half a kWh: up
    assert rounded("0.0005", QUANTITY) == "0.001"
    assert rounded("-0.0004", QUANTITY) == "0.000"


def test_money_has_two_decimals() -> None:
    # 29,813 VCUs at 6.50 USD = 193,784.5 USD, written as an amount
    assert rounded("193784.5", MONEY) == "193,784.50"


def test_nothing_stays_nothing_and_a_figure_must_be_finite() -> None:
    assert rounded(None, TONNES) is None
    with pytest.raises(ValueError, match="not a figure"):
        rounded("NaN", TONNES)


def test_a_figure_as_large_as_a_column_holds_is_rounded_not_refused() -> None:
    # 26 nines before the point and 12 after, the largest NUMERIC(38, 12): the twelve nines
    # round up into a 27-digit whole number, more digits than Decimal's default 28 allow with
    # two decimals — the rounding widens its precision instead of failing
    largest = "9" * 26 + "." + "9" * 12
    assert rounded(largest, TONNES) == "100,000,000,000,000,000,000,000,000.00"
    # a sum beyond any column (1E+30, from adding many such figures) all the same
    assert rounded("1E+30", TONNES) == "1,000,000,000,000,000,000,000,000,000,000.00"


def test_a_companion_has_the_figures_it_names_and_rounds_maps_value_by_value() -> None:
    figures = {"residual_tco2e": "731.5249", "by_scope": {"1": "0.005", "2": "-0.001"},
               "electricity_covered_percent": None, "verdict": "short"}
    companion = displayed(figures, {"residual_tco2e": TONNES, "by_scope": TONNES,
                                    "electricity_covered_percent": PERCENT, "difference_tco2e": TONNES})
    # 731.5249 → .52 (the 4 decides); 0.005 → 0.01 (half-up); −0.001 → 0.00 (no sign); a null
    # figure has a null companion; a figure the object does not have is left out
    assert companion == {"residual_tco2e": "731.52", "by_scope": {"1": "0.01", "2": "0.00"},
                         "electricity_covered_percent": None}
    assert figures["residual_tco2e"] == "731.5249"  # the exact figure is not touched


def test_a_table_prints_the_companions_in_place_of_the_figures() -> None:
    answer = {
        "period_id": 3,
        "residual_tco2e": "731.5249",
        "cost": {"USD": "193784.5", "CNY": "12"},
        "markets": [{"market": "CN", "electricity_mwh": "1200.0004",
                     "display": {"electricity_mwh": "1,200.000"}}],
        "display": {"residual_tco2e": "731.52", "cost": {"USD": "193,784.50"}},
    }
    assert for_people(answer) == {
        "period_id": 3,
        "residual_tco2e": "731.52",
        # a map is merged key by key: CNY had no companion and stays exact
        "cost": {"USD": "193,784.50", "CNY": "12"},
        "markets": [{"market": "CN", "electricity_mwh": "1,200.000"}],
    }
    assert answer["residual_tco2e"] == "731.5249"
