"""Commitments and application periods as values, with the rules that keep periods consistent.

Pure: no Flask, no database.

An application period is the span between the baseline date and the first qualification date,
or between consecutive qualification dates (PAS 2060 definitions; seed 003 glossary 应用周期).
Consecutive periods are of equal length, except that the first may be extended to include
historic reductions. Periods never overlap and leave no gap: a gap would break the "maintained"
status of a claim.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from neutrality.errors import Conflict, InvalidInput, PeriodSequenceError
from neutrality.messages import Msg


class Standard(StrEnum):
    ISO_14068_1_2023 = "iso_14068_1_2023"
    PAS_2060_2014 = "pas_2060_2014"


STANDARD_TITLES = {
    Standard.ISO_14068_1_2023: "ISO 14068-1:2023",
    Standard.PAS_2060_2014: "PAS 2060:2014",
}

#: PAS 2060 was withdrawn and superseded by ISO 14068-1; it stays available for historic periods.
PAS_2060_WITHDRAWN_ON = dt.date(2025, 11, 30)


class PeriodStatus(StrEnum):
    OPEN = "open"
    INVENTORY_VERIFIED = "inventory_verified"
    COVERED = "covered"
    DECLARED = "declared"


_STATUS_ORDER = list(PeriodStatus)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: dt.date, end_exclusive: dt.date) -> int | None:
    """Number of calendar months from start to end, or None if it is not a whole number."""
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    return months if add_months(start, months) == end_exclusive else None


@dataclass(frozen=True)
class PeriodSpan:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive

    def __str__(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def overlaps(self, other: PeriodSpan) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class ApplicationPeriod:
    sequence: int  # 1 for the first period of a commitment
    span: PeriodSpan
    status: PeriodStatus = PeriodStatus.OPEN
    includes_historic_reductions: bool = False

    @property
    def start(self) -> dt.date:
        return self.span.start

    @property
    def end(self) -> dt.date:
        return self.span.end


@dataclass(frozen=True)
class PeriodPlan:
    """The dates of a commitment that fix its application periods."""

    baseline_date: dt.date
    first_qualification_date: dt.date
    length_months: int
    first_period_includes_historic_reductions: bool = False

    def first_span(self) -> PeriodSpan:
        return PeriodSpan(self.baseline_date, self.first_qualification_date - dt.timedelta(days=1))

    def span_after(self, previous: PeriodSpan) -> PeriodSpan:
        start = previous.end + dt.timedelta(days=1)
        return PeriodSpan(start, add_months(start, self.length_months) - dt.timedelta(days=1))

    def expected_span(self, sequence: int, previous: PeriodSpan | None) -> PeriodSpan:
        if sequence == 1:
            return self.first_span()
        assert previous is not None
        return self.span_after(previous)


def check_plan(plan: PeriodPlan) -> None:
    """Check a commitment's dates before any period is derived from them."""
    if not 1 <= plan.length_months <= 60:
        raise InvalidInput(
            Msg("an application period lasts between 1 and 60 months"),
            {"period_length_months": ["must be between 1 and 60"]},
        )
    if plan.first_qualification_date <= plan.baseline_date:
        raise InvalidInput(
            Msg("the first qualification date ({qualification}) must come after the baseline date ({baseline})",
                qualification=plan.first_qualification_date.isoformat(), baseline=plan.baseline_date.isoformat()),
            {"first_qualification_date": ["must be after the baseline date"]},
        )
    regular_end = add_months(plan.baseline_date, plan.length_months)
    if plan.first_qualification_date < regular_end:
        raise InvalidInput(
            Msg("the first application period ({span}) is shorter than the period length of {months} months; "
                "the first qualification date must be on or after {earliest}",
                span=str(plan.first_span()), months=plan.length_months, earliest=regular_end.isoformat()),
            {"first_qualification_date": ["first period shorter than the period length"]},
        )
    if plan.first_qualification_date > regular_end and not plan.first_period_includes_historic_reductions:
        raise InvalidInput(
            Msg("the first application period ({span}) is longer than {months} months; only a first period "
                "that includes historic reductions may be extended (set first_period_includes_historic_reductions)",
                span=str(plan.first_span()), months=plan.length_months),
            {"first_qualification_date": ["first period longer than the period length"]},
        )


def check_next_period(
    plan: PeriodPlan, existing: Sequence[ApplicationPeriod], candidate: PeriodSpan
) -> ApplicationPeriod:
    """Validate a period to append after ``existing`` and return it with its sequence number."""
    if candidate.end < candidate.start:
        raise InvalidInput(
            Msg("a period cannot end ({end}) before it starts ({start})",
                end=candidate.end.isoformat(), start=candidate.start.isoformat()),
            {"end_date": ["before start_date"]},
        )
    for period in existing:
        if period.span.overlaps(candidate):
            raise PeriodSequenceError(
                Msg("period {candidate} overlaps period {sequence} ({span})", candidate=str(candidate),
                    sequence=period.sequence, span=str(period.span)),
                {"overlaps_period": period.sequence},
            )
    previous = existing[-1].span if existing else None
    if previous is not None and candidate.start < previous.start:
        raise PeriodSequenceError(
            Msg("period {candidate} comes before period {sequence} ({previous}); "
                "periods are added in order", candidate=str(candidate),
                sequence=existing[-1].sequence, previous=str(previous)),
        )
    sequence = len(existing) + 1
    expected = plan.expected_span(sequence, previous)
    if candidate.start != expected.start:
        if previous is None:
            reason = Msg("the first period starts on the baseline date, {date}", date=expected.start.isoformat())
        else:
            reason = Msg(
                "it would leave a gap after period {sequence}, which ends "
                "{end}; the next period starts on {start}", sequence=existing[-1].sequence,
                end=previous.end.isoformat(), start=expected.start.isoformat()
            )
        raise PeriodSequenceError(
            Msg("period {candidate} cannot be period {sequence}: {reason}", candidate=str(candidate),
                sequence=sequence, reason=reason),
            {"expected_start_date": expected.start.isoformat()},
        )
    if candidate.end != expected.end:
        if sequence == 1:
            rule = Msg("the first period ends the day before the first qualification date")
        else:
            rule = Msg("periods of this commitment last {months} months", months=plan.length_months)
        raise PeriodSequenceError(
            Msg("period {candidate} has the wrong length: {rule} ({expected})", candidate=str(candidate),
                rule=rule, expected=str(expected)),
            {"expected_end_date": expected.end.isoformat()},
        )
    historic = sequence == 1 and plan.first_period_includes_historic_reductions
    return ApplicationPeriod(sequence, candidate, PeriodStatus.OPEN, historic)


def generate_periods(
    plan: PeriodPlan,
    existing: Sequence[ApplicationPeriod],
    *,
    count: int | None = None,
    through: dt.date | None = None,
) -> list[ApplicationPeriod]:
    """Periods that follow ``existing``: ``count`` of them, or as many as reach ``through``."""
    if (count is None) == (through is None):
        raise InvalidInput(Msg("give either a number of periods or a date to generate through"))
    if count is not None and not 1 <= count <= 100:
        raise InvalidInput(Msg("generate between 1 and 100 periods at a time"), {"count": ["1–100"]})
    if through is not None:
        last_end = existing[-1].end if existing else None
        if last_end is not None and through <= last_end:
            raise InvalidInput(
                Msg("periods already run through {date}", date=last_end.isoformat()),
                {"through": [f"must be after {last_end.isoformat()}"]},
            )
    check_plan(plan)
    periods = list(existing)
    created: list[ApplicationPeriod] = []
    while True:
        previous = periods[-1].span if periods else None
        span = plan.expected_span(len(periods) + 1, previous)
        period = check_next_period(plan, periods, span)
        periods.append(period)
        created.append(period)
        if count is not None and len(created) == count:
            return created
        if through is not None and span.end >= through:
            return created
        if len(created) >= 100:
            raise InvalidInput(Msg("that would generate more than 100 periods"), {"through": ["too far"]})


def check_sequence(plan: PeriodPlan, periods: Sequence[ApplicationPeriod]) -> None:
    """Check a whole stored sequence: the invariant that every write must keep."""
    for index, period in enumerate(periods):
        check_next_period(plan, periods[:index], period.span)


def advance_status(current: PeriodStatus, target: PeriodStatus) -> PeriodStatus:
    """Periods move forward one step at a time: open → inventory verified → covered → declared."""
    if _STATUS_ORDER.index(target) != _STATUS_ORDER.index(current) + 1:
        raise Conflict(
            Msg("a period in status '{current}' cannot move to '{target}'", current=str(current), target=str(target)),
            {"status": str(current), "requested": str(target)},
        )
    return target


@dataclass(frozen=True)
class CommitmentDates:
    baseline_date: dt.date
    first_qualification_date: dt.date
    neutrality_deadline: dt.date | None
    commitment_until: dt.date | None


def check_commitment_dates(dates: CommitmentDates) -> None:
    errors: dict[str, list[str]] = {}
    if dates.neutrality_deadline and dates.neutrality_deadline < dates.baseline_date:
        errors["neutrality_deadline"] = [Msg("must not be before the baseline date")]
    if dates.commitment_until and dates.commitment_until < dates.first_qualification_date:
        errors["commitment_until"] = [Msg("must not be before the first qualification date")]
    if errors:
        raise InvalidInput(Msg("the commitment's dates are inconsistent"), errors)


# --- retirement deadlines --------------------------------------------------------------------

#: ISO 14068-1:2023 §11: credits are retired within 12 months after the end of the period.
RETIREMENT_WINDOW_MONTHS = 12


def retirement_deadline(standard: str, period_end: dt.date) -> dt.date | None:
    """The last day on which units may be retired for a period ending on ``period_end``.

    ISO 14068-1:2023 §11: within 12 months after the end of the period, so a period ending on
    31 December 2024 has until 31 December 2025 (calendar months; the 31st becomes the last day
    of a shorter month). PAS 2060:2014 9.1.2(e) counts 12 months from the *declaration* date,
    which is not known before the declaration: None (no deadline to check yet).
    """
    if Standard(standard) is Standard.ISO_14068_1_2023:
        return add_months(period_end, RETIREMENT_WINDOW_MONTHS)
    return None


def deadline_rule(standard: str) -> str:
    """The rule behind :func:`retirement_deadline`, as a user reads it."""
    if Standard(standard) is Standard.ISO_14068_1_2023:
        return "ISO 14068-1 §11: within 12 months after the end of the period"
    return "PAS 2060 9.1.2(e): within 12 months of the declaration date"
