"""Application periods as pure values: month arithmetic, plans, sequences and status.

Expected dates are worked out by hand in the comments; dates are inclusive, so a period's end is
the day before the next period (or the qualification date) starts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from neutrality.commitments.model import (
    ApplicationPeriod,
    CommitmentDates,
    PeriodPlan,
    PeriodSpan,
    PeriodStatus,
    add_months,
    advance_status,
    check_commitment_dates,
    check_next_period,
    check_plan,
    check_sequence,
    generate_periods,
    whole_months_between,
)
from neutrality.errors import Conflict, InvalidInput, PeriodSequenceError

d = dt.date
ONE_DAY = dt.timedelta(days=1)


def span(start: dt.date, end: dt.date) -> PeriodSpan:
    return PeriodSpan(start, end)


def period(
    sequence: int, start: dt.date, end: dt.date, historic: bool = False
) -> ApplicationPeriod:
    return ApplicationPeriod(sequence, PeriodSpan(start, end), PeriodStatus.OPEN, historic)


# Calendar-year periods: baseline 2024-01-01, first qualification 2025-01-01, 12 months each.
YEARLY = PeriodPlan(d(2024, 1, 1), d(2025, 1, 1), 12)
P1_2024 = period(1, d(2024, 1, 1), d(2024, 12, 31))
P2_2025 = period(2, d(2025, 1, 1), d(2025, 12, 31))
P3_2026 = period(3, d(2026, 1, 1), d(2026, 12, 31))


def spans(periods: list[ApplicationPeriod]) -> list[tuple[dt.date, dt.date]]:
    return [(p.start, p.end) for p in periods]


# --- add_months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        # 2024-01-31 + 1 month → 2024-02-29: February 2024 has 29 days (leap year), 31 is clamped.
        (d(2024, 1, 31), 1, d(2024, 2, 29)),
        # 2023-01-31 + 1 month → 2023-02-28: February 2023 has only 28 days.
        (d(2023, 1, 31), 1, d(2023, 2, 28)),
        # 2023-01-31 + 3 months → 2023-04-30: April has 30 days.
        (d(2023, 1, 31), 3, d(2023, 4, 30)),
        # 2023-11-15 + 2 months → 2024-01-15: crosses the year boundary.
        (d(2023, 11, 15), 2, d(2024, 1, 15)),
        # 2023-12-31 + 1 month → 2024-01-31: December → January of the next year, 31 exists.
        (d(2023, 12, 31), 1, d(2024, 1, 31)),
        # 2024-02-29 + 12 months → 2025-02-28: 2025 is not a leap year.
        (d(2024, 2, 29), 12, d(2025, 2, 28)),
        # 2024-02-29 + 48 months → 2028-02-29: 2028 is a leap year again.
        (d(2024, 2, 29), 48, d(2028, 2, 29)),
        # 2024-03-31 − 1 month → 2024-02-29: negative months go backwards and clamp too.
        (d(2024, 3, 31), -1, d(2024, 2, 29)),
        # 2024-01-15 − 1 month → 2023-12-15: backwards across the year boundary.
        (d(2024, 1, 15), -1, d(2023, 12, 15)),
        # 0 months → the same day.
        (d(2024, 5, 17), 0, d(2024, 5, 17)),
    ],
)
def test_add_months_moves_by_calendar_months_and_clamps_to_the_last_day_of_a_shorter_month(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


# --- whole_months_between ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end_exclusive", "expected"),
    [
        # A calendar year: 2024-01-01 up to (not including) 2025-01-01 is 12 months.
        (d(2024, 1, 1), d(2025, 1, 1), 12),
        # A quarter: 2024-04-01 → 2024-07-01 is 3 months.
        (d(2024, 4, 1), d(2024, 7, 1), 3),
        # 2023-01-31 + 1 month is 2023-02-28 (clamped), so that span is exactly 1 month.
        (d(2023, 1, 31), d(2023, 2, 28), 1),
        # The same day is zero months.
        (d(2024, 6, 10), d(2024, 6, 10), 0),
    ],
)
def test_whole_months_between_counts_calendar_months_of_an_exact_span(
    start: dt.date, end_exclusive: dt.date, expected: int
) -> None:
    assert whole_months_between(start, end_exclusive) == expected


@pytest.mark.parametrize(
    ("start", "end_exclusive"),
    [
        # Half a month: 2024-01-01 → 2024-01-15.
        (d(2024, 1, 1), d(2024, 1, 15)),
        # 2023-02-28 + 1 month is 2023-03-28, so 2023-03-31 is one month and three days later.
        (d(2023, 2, 28), d(2023, 3, 31)),
        # One day short of a year: 2024-01-01 + 12 months is 2025-01-01, not 2024-12-31.
        (d(2024, 1, 1), d(2024, 12, 31)),
    ],
)
def test_whole_months_between_is_none_when_the_span_is_not_a_whole_number_of_months(
    start: dt.date, end_exclusive: dt.date
) -> None:
    assert whole_months_between(start, end_exclusive) is None


# --- PeriodSpan -------------------------------------------------------------------------------


def test_spans_that_share_a_single_day_overlap_because_end_dates_are_inclusive() -> None:
    # 2024 ends on 2024-12-31 (inclusive); a span starting that day shares it.
    assert span(d(2024, 1, 1), d(2024, 12, 31)).overlaps(span(d(2024, 12, 31), d(2025, 6, 30)))


def test_adjacent_spans_do_not_overlap() -> None:
    # 2024-12-31 is the last day of the first; 2025-01-01 the first day of the second.
    first, second = span(d(2024, 1, 1), d(2024, 12, 31)), span(d(2025, 1, 1), d(2025, 12, 31))
    assert not first.overlaps(second)
    assert not second.overlaps(first)


def test_a_span_is_written_as_iso_dates_joined_by_an_en_dash() -> None:
    assert str(span(d(2024, 1, 1), d(2024, 12, 31))) == "2024-01-01 – 2024-12-31"


# --- PeriodPlan -------------------------------------------------------------------------------


def test_the_first_span_runs_from_the_baseline_to_the_day_before_the_first_qualification_date() -> (
    None
):
    # Baseline 2024-01-01, qualification 2025-01-01 → first period is the calendar year 2024.
    assert YEARLY.first_span() == span(d(2024, 1, 1), d(2024, 12, 31))


def test_the_span_after_a_period_starts_the_next_day_and_lasts_the_period_length() -> None:
    # After 2024 (ends 2024-12-31) comes 2025-01-01; + 12 months = 2026-01-01, so it ends 2025-12-31.
    assert YEARLY.span_after(YEARLY.first_span()) == span(d(2025, 1, 1), d(2025, 12, 31))


# --- check_plan -------------------------------------------------------------------------------


def test_accepts_a_plan_whose_first_period_is_exactly_one_period_long() -> None:
    check_plan(YEARLY)  # 2024-01-01 + 12 months = 2025-01-01 = the first qualification date


@pytest.mark.parametrize(
    ("baseline", "first_qualification", "length"),
    [
        # Shortest allowed length: 1 month; 2024-01-01 + 1 month = 2024-02-01.
        (d(2024, 1, 1), d(2024, 2, 1), 1),
        # Longest allowed length: 60 months; 2020-01-01 + 60 months = 2025-01-01.
        (d(2020, 1, 1), d(2025, 1, 1), 60),
    ],
)
def test_accepts_period_lengths_at_the_limits_of_one_and_sixty_months(
    baseline: dt.date, first_qualification: dt.date, length: int
) -> None:
    check_plan(PeriodPlan(baseline, first_qualification, length))


@pytest.mark.parametrize("length", [0, -1, 61])
def test_rejects_a_period_length_outside_one_to_sixty_months(length: int) -> None:
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2024, 1, 1), d(2025, 1, 1), length))
    assert info.value.details == {"period_length_months": ["must be between 1 and 60"]}
    assert "between 1 and 60 months" in info.value.message


@pytest.mark.parametrize(
    "first_qualification",
    # On the baseline date itself, and one day before it: both leave no period at all.
    [d(2024, 1, 1), d(2023, 12, 31)],
)
def test_rejects_a_first_qualification_date_on_or_before_the_baseline_date(
    first_qualification: dt.date,
) -> None:
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2024, 1, 1), first_qualification, 12))
    assert info.value.details == {"first_qualification_date": ["must be after the baseline date"]}
    assert first_qualification.isoformat() in info.value.message
    assert "baseline date (2024-01-01)" in info.value.message


def test_rejects_a_first_period_shorter_than_the_period_length_naming_the_earliest_valid_date() -> (
    None
):
    # 2024-01-01 + 12 months = 2025-01-01, so a qualification date of 2024-12-01 is a month short;
    # the first span would be 2024-01-01 – 2024-11-30.
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2024, 1, 1), d(2024, 12, 1), 12))
    assert info.value.details == {
        "first_qualification_date": ["first period shorter than the period length"]
    }
    assert "on or after 2025-01-01" in info.value.message
    assert "(2024-01-01 – 2024-11-30)" in info.value.message
    assert "12 months" in info.value.message


def test_rejects_a_first_period_shorter_than_the_period_length_even_with_the_historic_flag() -> (
    None
):
    # The historic flag allows extending the first period, never shortening it.
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2024, 1, 1), d(2024, 12, 1), 12, True))
    assert info.value.details == {
        "first_qualification_date": ["first period shorter than the period length"]
    }


def test_rejects_an_extended_first_period_without_the_historic_reductions_flag() -> None:
    # 2023-01-01 + 12 months = 2024-01-01 < 2025-01-01: the first period would last two years.
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2023, 1, 1), d(2025, 1, 1), 12))
    assert info.value.details == {
        "first_qualification_date": ["first period longer than the period length"]
    }
    assert "first_period_includes_historic_reductions" in info.value.message
    assert "(2023-01-01 – 2024-12-31)" in info.value.message


def test_accepts_an_extended_first_period_that_includes_historic_reductions() -> None:
    check_plan(PeriodPlan(d(2023, 1, 1), d(2025, 1, 1), 12, True))


def test_a_first_period_one_day_longer_than_the_length_counts_as_extended() -> None:
    # 2024-01-01 + 12 months = 2025-01-01; 2025-01-02 is one day more.
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2024, 1, 1), d(2025, 1, 2), 12))
    assert info.value.details == {
        "first_qualification_date": ["first period longer than the period length"]
    }


def test_for_a_baseline_on_the_31st_one_month_later_is_the_last_day_of_february() -> None:
    # 2023-01-31 + 1 month = 2023-02-28 (clamped): that is the regular first qualification date.
    check_plan(PeriodPlan(d(2023, 1, 31), d(2023, 2, 28), 1))
    # 2023-02-27 is one day short of a month.
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2023, 1, 31), d(2023, 2, 27), 1))
    assert "on or after 2023-02-28" in info.value.message
    # 2023-03-01 is one day more than a month, so only a historic first period may end there.
    with pytest.raises(InvalidInput) as info:
        check_plan(PeriodPlan(d(2023, 1, 31), d(2023, 3, 1), 1))
    assert info.value.details == {
        "first_qualification_date": ["first period longer than the period length"]
    }


# --- check_next_period ------------------------------------------------------------------------


def test_accepts_the_first_period_from_the_baseline_as_sequence_one() -> None:
    result = check_next_period(YEARLY, [], span(d(2024, 1, 1), d(2024, 12, 31)))
    assert result == ApplicationPeriod(
        1, span(d(2024, 1, 1), d(2024, 12, 31)), PeriodStatus.OPEN, False
    )


def test_accepts_the_period_that_starts_the_day_after_the_previous_one_ends() -> None:
    # After 2024 comes 2025-01-01 – 2025-12-31, numbered 2.
    result = check_next_period(YEARLY, [P1_2024], span(d(2025, 1, 1), d(2025, 12, 31)))
    assert result.sequence == 2
    assert result.span == span(d(2025, 1, 1), d(2025, 12, 31))
    assert result.status is PeriodStatus.OPEN


def test_marks_only_the_first_period_of_a_historic_plan_as_including_historic_reductions() -> None:
    # Extended first period 2023-01-01 – 2024-12-31, then regular 12-month periods.
    plan = PeriodPlan(d(2023, 1, 1), d(2025, 1, 1), 12, True)
    first = check_next_period(plan, [], span(d(2023, 1, 1), d(2024, 12, 31)))
    second = check_next_period(plan, [first], span(d(2025, 1, 1), d(2025, 12, 31)))
    assert first.includes_historic_reductions is True
    assert second.includes_historic_reductions is False


def test_rejects_a_period_that_ends_before_it_starts() -> None:
    with pytest.raises(InvalidInput) as info:
        check_next_period(YEARLY, [], span(d(2024, 12, 31), d(2024, 1, 1)))
    assert not isinstance(info.value, PeriodSequenceError)
    assert info.value.details == {"end_date": ["before start_date"]}
    assert "end (2024-01-01) before it starts (2024-12-31)" in info.value.message


def test_rejects_a_first_period_that_does_not_start_on_the_baseline_date() -> None:
    # The baseline is 2024-01-01; a first period from 2024-02-01 would leave January uncovered.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [], span(d(2024, 2, 1), d(2024, 12, 31)))
    assert info.value.details == {"expected_start_date": "2024-01-01"}
    assert "cannot be period 1" in info.value.message
    assert "starts on the baseline date, 2024-01-01" in info.value.message


def test_rejects_a_first_period_that_does_not_end_the_day_before_the_first_qualification_date() -> (
    None
):
    # First qualification 2025-01-01 → the first period ends 2024-12-31, not 2024-06-30.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [], span(d(2024, 1, 1), d(2024, 6, 30)))
    assert info.value.details == {"expected_end_date": "2024-12-31"}
    assert "the first period ends the day before the first qualification date" in info.value.message
    assert "(2024-01-01 – 2024-12-31)" in info.value.message


def test_rejects_a_period_that_leaves_a_gap_after_the_previous_one() -> None:
    # Period 1 ends 2024-12-31, so period 2 must start 2025-01-01; starting 2025-02-01 skips January.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024], span(d(2025, 2, 1), d(2026, 1, 31)))
    assert info.value.details == {"expected_start_date": "2025-01-01"}
    message = info.value.message
    assert "cannot be period 2" in message
    assert "gap after period 1, which ends 2024-12-31" in message
    assert "the next period starts on 2025-01-01" in message


def test_rejects_a_gap_of_a_single_day() -> None:
    # 2025-01-02 leaves 2025-01-01 uncovered.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024], span(d(2025, 1, 2), d(2026, 1, 1)))
    assert info.value.details == {"expected_start_date": "2025-01-01"}


def test_rejects_a_period_that_overlaps_the_previous_one_naming_its_sequence_number() -> None:
    # 2025-06-01 falls inside period 2 (2025).
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024, P2_2025], span(d(2025, 6, 1), d(2026, 5, 31)))
    assert info.value.details == {"overlaps_period": 2}
    assert "overlaps period 2 (2025-01-01 – 2025-12-31)" in info.value.message
    assert "2025-06-01 – 2026-05-31" in info.value.message


def test_rejects_a_period_that_shares_only_the_last_day_of_the_previous_one() -> None:
    # Period 2 ends 2025-12-31 inclusive; starting that same day overlaps by one day.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024, P2_2025], span(d(2025, 12, 31), d(2026, 12, 30)))
    assert info.value.details == {"overlaps_period": 2}


def test_rejects_a_period_that_repeats_an_earlier_one_naming_that_earlier_period() -> None:
    # The candidate is exactly period 1 (2024), so period 1 is the one overlapped.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024, P2_2025], span(d(2024, 1, 1), d(2024, 12, 31)))
    assert info.value.details == {"overlaps_period": 1}
    assert "overlaps period 1 (2024-01-01 – 2024-12-31)" in info.value.message


def test_rejects_a_period_placed_before_the_existing_ones() -> None:
    # 2022 neither overlaps 2024 nor 2025, but periods are appended in order.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024, P2_2025], span(d(2022, 1, 1), d(2022, 12, 31)))
    assert "comes before period 2 (2025-01-01 – 2025-12-31)" in info.value.message
    assert "added in order" in info.value.message


def test_rejects_a_following_period_of_the_wrong_length_giving_the_expected_end() -> None:
    # 2025-01-01 + 12 months = 2026-01-01, so period 2 ends 2025-12-31, not 2025-06-30.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024], span(d(2025, 1, 1), d(2025, 6, 30)))
    assert info.value.details == {"expected_end_date": "2025-12-31"}
    assert "periods of this commitment last 12 months" in info.value.message
    assert "(2025-01-01 – 2025-12-31)" in info.value.message


def test_rejects_a_following_period_one_day_too_long() -> None:
    # Period 2 must end 2025-12-31; 2026-01-01 is one day too many.
    with pytest.raises(PeriodSequenceError) as info:
        check_next_period(YEARLY, [P1_2024], span(d(2025, 1, 1), d(2026, 1, 1)))
    assert info.value.details == {"expected_end_date": "2025-12-31"}


def test_a_period_sequence_error_is_an_invalid_input_with_its_own_code() -> None:
    assert issubclass(PeriodSequenceError, InvalidInput)
    assert PeriodSequenceError.code == "invalid_period_sequence"
    assert PeriodSequenceError.http_status == 422


# --- generate_periods -------------------------------------------------------------------------


def test_generates_the_requested_number_of_calendar_year_periods_from_the_baseline() -> None:
    created = generate_periods(YEARLY, [], count=3)
    assert [p.sequence for p in created] == [1, 2, 3]
    assert spans(created) == [
        (d(2024, 1, 1), d(2024, 12, 31)),
        (d(2025, 1, 1), d(2025, 12, 31)),
        (d(2026, 1, 1), d(2026, 12, 31)),
    ]
    assert all(p.status is PeriodStatus.OPEN for p in created)
    assert not any(p.includes_historic_reductions for p in created)


def test_generates_only_the_periods_that_follow_the_existing_ones() -> None:
    existing = [P1_2024, P2_2025]
    created = generate_periods(YEARLY, existing, count=1)
    # The next period after 2025 is 2026, numbered 3; existing periods are not returned again.
    assert created == [P3_2026]
    assert existing == [P1_2024, P2_2025]


def test_generates_monthly_periods_from_a_baseline_on_the_31st_without_skipping_days() -> None:
    plan = PeriodPlan(d(2023, 1, 31), d(2023, 2, 28), 1)
    created = generate_periods(plan, [], count=4)
    assert spans(created) == [
        # Baseline to the day before the first qualification date (2023-02-28).
        (d(2023, 1, 31), d(2023, 2, 27)),
        # Starts the next day, 2023-02-28; + 1 month = 2023-03-28, so it ends 2023-03-27.
        (d(2023, 2, 28), d(2023, 3, 27)),
        # 2023-03-28 + 1 month = 2023-04-28 → ends 2023-04-27.
        (d(2023, 3, 28), d(2023, 4, 27)),
        # 2023-04-28 + 1 month = 2023-05-28 → ends 2023-05-27.
        (d(2023, 4, 28), d(2023, 5, 27)),
    ]


def test_generates_a_leap_day_first_period_ending_on_the_28th_of_february() -> None:
    # Baseline 2024-01-31, monthly: 2024-01-31 + 1 month = 2024-02-29 (leap year) is the first
    # qualification date, so period 1 ends 2024-02-28; period 2 starts on the leap day and
    # 2024-02-29 + 1 month = 2024-03-29, so it ends 2024-03-28.
    plan = PeriodPlan(d(2024, 1, 31), d(2024, 2, 29), 1)
    assert spans(generate_periods(plan, [], count=2)) == [
        (d(2024, 1, 31), d(2024, 2, 28)),
        (d(2024, 2, 29), d(2024, 3, 28)),
    ]


def test_generates_yearly_periods_from_a_leap_day_baseline() -> None:
    # 2024-02-29 + 12 months = 2025-02-28 (2025 is not a leap year) → first qualification date.
    plan = PeriodPlan(d(2024, 2, 29), d(2025, 2, 28), 12)
    assert spans(generate_periods(plan, [], count=3)) == [
        (d(2024, 2, 29), d(2025, 2, 27)),
        # 2025-02-28 + 12 months = 2026-02-28 → ends 2026-02-27.
        (d(2025, 2, 28), d(2026, 2, 27)),
        # 2026-02-28 + 12 months = 2027-02-28 → ends 2027-02-27.
        (d(2026, 2, 28), d(2027, 2, 27)),
    ]


def test_a_quarter_ending_in_a_leap_february_ends_on_the_29th() -> None:
    # Quarterly from 2023-12-01: qualification 2024-03-01, so period 1 ends 2024-02-29 (leap day);
    # period 2 runs 2024-03-01 – 2024-05-31.
    plan = PeriodPlan(d(2023, 12, 1), d(2024, 3, 1), 3)
    assert spans(generate_periods(plan, [], count=2)) == [
        (d(2023, 12, 1), d(2024, 2, 29)),
        (d(2024, 3, 1), d(2024, 5, 31)),
    ]


def test_generates_an_extended_first_period_when_it_includes_historic_reductions() -> None:
    # First period 2022-07-01 – 2023-12-31 (18 months, historic), then calendar years.
    plan = PeriodPlan(d(2022, 7, 1), d(2024, 1, 1), 12, True)
    created = generate_periods(plan, [], count=3)
    assert spans(created) == [
        (d(2022, 7, 1), d(2023, 12, 31)),
        (d(2024, 1, 1), d(2024, 12, 31)),
        (d(2025, 1, 1), d(2025, 12, 31)),
    ]
    assert [p.includes_historic_reductions for p in created] == [True, False, False]


def test_refuses_to_generate_an_extended_first_period_without_the_historic_flag() -> None:
    plan = PeriodPlan(d(2022, 7, 1), d(2024, 1, 1), 12)
    with pytest.raises(InvalidInput) as info:
        generate_periods(plan, [], count=3)
    assert info.value.details == {
        "first_qualification_date": ["first period longer than the period length"]
    }


def test_refuses_to_generate_from_a_plan_with_a_shorter_first_period() -> None:
    # 2024-01-01 + 12 months = 2025-01-01; a first qualification on 2024-07-01 is six months short.
    plan = PeriodPlan(d(2024, 1, 1), d(2024, 7, 1), 12)
    with pytest.raises(InvalidInput) as info:
        generate_periods(plan, [], count=1)
    assert info.value.details == {
        "first_qualification_date": ["first period shorter than the period length"]
    }
    assert "on or after 2025-01-01" in info.value.message


def test_refuses_to_generate_from_a_first_qualification_date_on_the_baseline() -> None:
    plan = PeriodPlan(d(2024, 1, 1), d(2024, 1, 1), 12)
    with pytest.raises(InvalidInput) as info:
        generate_periods(plan, [], count=1)
    assert info.value.details == {"first_qualification_date": ["must be after the baseline date"]}


def test_generating_through_the_last_day_of_a_period_stops_at_that_period() -> None:
    # 2026-12-31 is the end of period 3 (2026): nothing of 2027 is needed.
    created = generate_periods(YEARLY, [], through=d(2026, 12, 31))
    assert spans(created)[-1] == (d(2026, 1, 1), d(2026, 12, 31))
    assert len(created) == 3


def test_generating_through_a_date_within_a_period_includes_that_whole_period() -> None:
    # 2026-06-30 lies in 2026, so periods 2024, 2025 and 2026 are needed.
    created = generate_periods(YEARLY, [], through=d(2026, 6, 30))
    assert [p.sequence for p in created] == [1, 2, 3]
    assert created[-1].end == d(2026, 12, 31)


def test_generating_through_the_first_day_of_a_period_includes_that_period() -> None:
    # 2027-01-01 is the first day of period 4 (2027).
    created = generate_periods(YEARLY, [], through=d(2027, 1, 1))
    assert len(created) == 4
    assert created[-1].span == span(d(2027, 1, 1), d(2027, 12, 31))


def test_generating_through_after_existing_periods_continues_from_them() -> None:
    # Existing periods end 2025-12-31; through 2026-01-01 needs only 2026, numbered 3.
    assert generate_periods(YEARLY, [P1_2024, P2_2025], through=d(2026, 1, 1)) == [P3_2026]


@pytest.mark.parametrize(
    "through",
    # The existing periods already run through 2025-12-31: that day and any earlier are covered.
    [d(2025, 12, 31), d(2025, 6, 30), d(2020, 1, 1)],
)
def test_rejects_generating_through_a_date_that_is_not_after_the_last_period(
    through: dt.date,
) -> None:
    with pytest.raises(InvalidInput) as info:
        generate_periods(YEARLY, [P1_2024, P2_2025], through=through)
    assert info.value.details == {"through": ["must be after 2025-12-31"]}
    assert "periods already run through 2025-12-31" in info.value.message


@pytest.mark.parametrize("count", [0, -1, 101])
def test_rejects_a_count_outside_one_to_one_hundred(count: int) -> None:
    with pytest.raises(InvalidInput) as info:
        generate_periods(YEARLY, [], count=count)
    assert info.value.details == {"count": ["1–100"]}
    assert "between 1 and 100" in info.value.message


def test_generates_exactly_one_hundred_periods_when_asked_for_the_maximum_count() -> None:
    plan = PeriodPlan(d(2024, 1, 1), d(2024, 2, 1), 1)
    created = generate_periods(plan, [], count=100)
    # 100 monthly periods from January 2024: the last covers month index 99 = 8 years 3 months
    # later, April 2032.
    assert len(created) == 100
    assert created[-1].span == span(d(2032, 4, 1), d(2032, 4, 30))


def test_generates_through_a_date_that_needs_exactly_one_hundred_periods() -> None:
    # Monthly from 2024-01: period 100 is April 2032, ending 2032-04-30.
    plan = PeriodPlan(d(2024, 1, 1), d(2024, 2, 1), 1)
    assert len(generate_periods(plan, [], through=d(2032, 4, 30))) == 100


def test_refuses_to_generate_through_a_date_that_needs_more_than_one_hundred_periods() -> None:
    # 2032-05-01 falls in period 101 (May 2032).
    plan = PeriodPlan(d(2024, 1, 1), d(2024, 2, 1), 1)
    with pytest.raises(InvalidInput) as info:
        generate_periods(plan, [], through=d(2032, 5, 1))
    assert info.value.details == {"through": ["too far"]}
    assert "more than 100 periods" in info.value.message


def test_rejects_generating_with_both_a_count_and_a_through_date() -> None:
    with pytest.raises(InvalidInput) as info:
        generate_periods(YEARLY, [], count=2, through=d(2026, 12, 31))
    assert "either a number of periods or a date" in info.value.message


def test_rejects_generating_with_neither_a_count_nor_a_through_date() -> None:
    with pytest.raises(InvalidInput) as info:
        generate_periods(YEARLY, [])
    assert "either a number of periods or a date" in info.value.message


# --- check_sequence ---------------------------------------------------------------------------


def test_accepts_an_empty_sequence() -> None:
    check_sequence(YEARLY, [])


def test_accepts_a_consecutive_gap_free_sequence() -> None:
    check_sequence(YEARLY, [P1_2024, P2_2025, P3_2026])


def test_rejects_a_stored_sequence_with_a_gap_naming_the_expected_start() -> None:
    # Period 3 should start 2026-01-01, the day after period 2 ends; 2027 leaves 2026 uncovered.
    with pytest.raises(PeriodSequenceError) as info:
        check_sequence(YEARLY, [P1_2024, P2_2025, period(3, d(2027, 1, 1), d(2027, 12, 31))])
    assert info.value.details == {"expected_start_date": "2026-01-01"}
    assert "gap after period 2, which ends 2025-12-31" in info.value.message


def test_rejects_a_stored_sequence_with_overlapping_periods() -> None:
    # The third entry starts inside 2025 (period 2).
    third = period(3, d(2025, 7, 1), d(2026, 6, 30))
    with pytest.raises(PeriodSequenceError) as info:
        check_sequence(YEARLY, [P1_2024, P2_2025, third])
    assert info.value.details == {"overlaps_period": 2}


def test_rejects_a_stored_sequence_that_does_not_start_on_the_baseline() -> None:
    with pytest.raises(PeriodSequenceError) as info:
        check_sequence(YEARLY, [P2_2025, P3_2026])
    assert info.value.details == {"expected_start_date": "2024-01-01"}


def test_rejects_a_stored_sequence_out_of_order() -> None:
    with pytest.raises(PeriodSequenceError) as info:
        check_sequence(YEARLY, [P1_2024, P3_2026, P2_2025])
    # 2026 after 2024 already leaves 2025 uncovered.
    assert info.value.details == {"expected_start_date": "2025-01-01"}


# --- property: generated periods tile time exactly --------------------------------------------


@st.composite
def plans_and_counts(draw: st.DrawFn) -> tuple[PeriodPlan, int]:
    baseline = draw(st.dates(min_value=d(1990, 1, 1), max_value=d(2100, 12, 31)))
    length = draw(st.integers(min_value=1, max_value=24))
    count = draw(st.integers(min_value=1, max_value=10))
    # Either a regular first period, or one extended by up to 36 months of historic reductions.
    extra_months = draw(st.integers(min_value=0, max_value=36))
    first_qualification = add_months(baseline, length + extra_months)
    # Extending by whole months from a clamped day might not actually lengthen it (e.g. from
    # the 31st); flag whenever the first qualification date lies after the regular one.
    historic = first_qualification > add_months(baseline, length)
    return PeriodPlan(baseline, first_qualification, length, historic), count


@hypothesis_settings(database=None, max_examples=300)
@given(plans_and_counts())
def test_generated_periods_are_consecutive_gap_free_and_of_the_period_length(
    plan_and_count: tuple[PeriodPlan, int],
) -> None:
    plan, count = plan_and_count
    periods = generate_periods(plan, [], count=count)

    assert [p.sequence for p in periods] == list(range(1, count + 1))
    # The first period runs from the baseline to the day before the first qualification date.
    assert periods[0].start == plan.baseline_date
    assert periods[0].end == plan.first_qualification_date - ONE_DAY
    for previous, current in zip(periods, periods[1:], strict=False):
        assert current.start <= current.end
        # No gap and no overlap: each period starts the day after the previous one ends.
        assert current.start == previous.end + ONE_DAY
        assert not previous.span.overlaps(current.span)
        # Every period after the first spans exactly `length` calendar months.
        assert add_months(current.start, plan.length_months) - ONE_DAY == current.end
    check_sequence(plan, periods)


# --- advance_status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (PeriodStatus.OPEN, PeriodStatus.INVENTORY_VERIFIED),
        (PeriodStatus.INVENTORY_VERIFIED, PeriodStatus.COVERED),
        (PeriodStatus.COVERED, PeriodStatus.DECLARED),
    ],
)
def test_a_period_advances_one_step_at_a_time(current: PeriodStatus, target: PeriodStatus) -> None:
    assert advance_status(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        # Skipping a step: open → covered misses the verified inventory.
        (PeriodStatus.OPEN, PeriodStatus.COVERED),
        (PeriodStatus.OPEN, PeriodStatus.DECLARED),
        # Going back.
        (PeriodStatus.DECLARED, PeriodStatus.COVERED),
        (PeriodStatus.COVERED, PeriodStatus.OPEN),
        # Standing still.
        (PeriodStatus.OPEN, PeriodStatus.OPEN),
        # Declared is the last step.
        (PeriodStatus.DECLARED, PeriodStatus.DECLARED),
    ],
)
def test_rejects_a_status_change_that_is_not_the_next_step(
    current: PeriodStatus, target: PeriodStatus
) -> None:
    with pytest.raises(Conflict) as info:
        advance_status(current, target)
    assert info.value.details == {"status": current.value, "requested": target.value}
    assert f"status '{current.value}' cannot move to '{target.value}'" in info.value.message


# --- check_commitment_dates -------------------------------------------------------------------


def test_accepts_commitment_dates_in_order_or_on_the_same_day() -> None:
    # Deadline on the baseline and commitment ending on the first qualification date are allowed.
    check_commitment_dates(
        CommitmentDates(d(2024, 1, 1), d(2025, 1, 1), d(2024, 1, 1), d(2025, 1, 1))
    )
    check_commitment_dates(CommitmentDates(d(2024, 1, 1), d(2025, 1, 1), None, None))


def test_rejects_a_neutrality_deadline_before_the_baseline_date() -> None:
    with pytest.raises(InvalidInput) as info:
        check_commitment_dates(CommitmentDates(d(2024, 1, 1), d(2025, 1, 1), d(2023, 12, 31), None))
    assert info.value.details == {"neutrality_deadline": ["must not be before the baseline date"]}


def test_rejects_a_commitment_ending_before_the_first_qualification_date() -> None:
    with pytest.raises(InvalidInput) as info:
        check_commitment_dates(CommitmentDates(d(2024, 1, 1), d(2025, 1, 1), None, d(2024, 12, 31)))
    assert info.value.details == {
        "commitment_until": ["must not be before the first qualification date"]
    }


def test_reports_every_inconsistent_commitment_date_at_once() -> None:
    with pytest.raises(InvalidInput) as info:
        check_commitment_dates(
            CommitmentDates(d(2024, 1, 1), d(2025, 1, 1), d(2023, 1, 1), d(2024, 6, 30))
        )
    assert set(info.value.details) == {"neutrality_deadline", "commitment_until"}
    assert "inconsistent" in info.value.message
