"""The rating of reduction measures: six scores from 1 to 5, weights, and the ranking they give.

Pure: no Flask, no database.

Seed 000 §3.4 (L459–L493) scores each initiative 1–5 on six criteria — feasibility, impact on
emissions, cost-benefit ratio, alignment with stakeholder expectations, compliance and innovation
potential — and prioritises by the total score. It gives no weights, so the default weights are
equal (1 each) and the weighted score of the default is the guide's total, from 6 to 30. Weights
are settable (each ≥ 0, not all zero); the weighted score is Σ weight × score, exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from neutrality.errors import InvalidInput
from neutrality.messages import Msg

LOWEST_SCORE = 1
HIGHEST_SCORE = 5


class Criterion(StrEnum):
    """The six criteria of seed 000 §3.4, in the guide's order."""

    FEASIBILITY = "feasibility"  # 可行性
    IMPACT = "impact"  # 對減排的影響
    COST_BENEFIT = "cost_benefit"  # 成本效益比
    STAKEHOLDER_EXPECTATIONS = "stakeholder_expectations"  # 符合持份者期望
    COMPLIANCE = "compliance"  # 合規性
    INNOVATION = "innovation"  # 創新潛力

    @property
    def label(self) -> Msg:
        return _CRITERION_LABELS[self]


_CRITERION_LABELS: Mapping[Criterion, Msg] = {
    Criterion.FEASIBILITY: Msg("Feasibility"),
    Criterion.IMPACT: Msg("Impact on emissions reduction"),
    Criterion.COST_BENEFIT: Msg("Cost-benefit ratio"),
    Criterion.STAKEHOLDER_EXPECTATIONS: Msg("Alignment with stakeholder expectations"),
    Criterion.COMPLIANCE: Msg("Compliance"),
    Criterion.INNOVATION: Msg("Innovation potential"),
}


@dataclass(frozen=True)
class Scores:
    """A measure's six scores, each a whole number from 1 to 5 (seed 000 §3.4).

    :class:`InvalidInput` names each criterion whose score is missing, not whole or outside 1–5.
    """

    feasibility: int
    impact: int
    cost_benefit: int
    stakeholder_expectations: int
    compliance: int
    innovation: int

    def __post_init__(self) -> None:
        errors: dict[str, list[Msg]] = {}
        for criterion in Criterion:
            value = getattr(self, criterion.value)
            # bool is an int to Python, never a score
            if isinstance(value, bool) or not isinstance(value, int):
                errors[criterion.value] = [Msg("a score is a whole number from 1 to 5")]
            elif not LOWEST_SCORE <= value <= HIGHEST_SCORE:
                errors[criterion.value] = [Msg("the score {score} is outside 1 to 5", score=value)]
        if errors:
            raise InvalidInput(Msg("the scores are not valid"), errors)

    def of(self, criterion: Criterion) -> int:
        return int(getattr(self, criterion.value))

    @property
    def total(self) -> int:
        """The unweighted total of seed 000 §3.4 (6–30)."""
        return sum(self.of(criterion) for criterion in Criterion)


@dataclass(frozen=True)
class Weights:
    """The weight of each criterion: each a finite decimal ≥ 0, not all zero; equal (1) by default.

    Given as numbers, decimal strings or ``Decimal`` (a float read from its text); :class:`InvalidInput`
    names ``<criterion>_weight`` for a weight that is not a number ≥ 0 and ``weights`` when they sum
    to zero.
    """

    feasibility: Decimal = Decimal(1)
    impact: Decimal = Decimal(1)
    cost_benefit: Decimal = Decimal(1)
    stakeholder_expectations: Decimal = Decimal(1)
    compliance: Decimal = Decimal(1)
    innovation: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        errors: dict[str, list[Msg]] = {}
        for item in fields(self):
            value = _weight(getattr(self, item.name))
            if value is None:
                errors[f"{item.name}_weight"] = [Msg("a weight is a number of 0 or more")]
            else:
                object.__setattr__(self, item.name, value)
        if not errors and sum(self.of(criterion) for criterion in Criterion) == 0:
            errors["weights"] = [Msg("the weights add up to zero: at least one must be above 0")]
        if errors:
            raise InvalidInput(Msg("the weights are not valid"), errors)

    def of(self, criterion: Criterion) -> Decimal:
        return Decimal(getattr(self, criterion.value))


def _weight(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        # a float through its shortest text (0.3, not 0.299999…), as the user wrote it
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


EQUAL_WEIGHTS = Weights()


def weighted_score(scores: Scores, weights: Weights = EQUAL_WEIGHTS) -> Decimal:
    """Σ weight × score over the six criteria, exact (the guide's total with equal weights)."""
    return sum((weights.of(criterion) * scores.of(criterion) for criterion in Criterion), Decimal(0))


class Rateable(Protocol):
    """What the ranking reads of a measure: its scores (None: not rated yet) and a title."""

    @property
    def scores(self) -> Scores | None: ...

    def sort_key(self) -> tuple[str, ...]: ...


T = TypeVar("T", bound=Rateable)


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """A measure's place: ``rank`` 1 is the best; equal scores share a rank (1, 1, 3)."""

    rank: int
    score: Decimal
    item: T


def rank(items: Iterable[T], weights: Weights = EQUAL_WEIGHTS) -> list[Ranked[T]]:
    """The rated measures from the highest weighted score down; measures not rated yet are left
    out (they have no place). Equal scores are listed by title (``sort_key``) and share a rank, so
    the order never depends on the order the measures were given in."""
    scored = [(weighted_score(item.scores, weights), item) for item in items if item.scores is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1].sort_key()))
    ranked: list[Ranked[T]] = []
    for position, (score, item) in enumerate(scored, start=1):
        shared = ranked and ranked[-1].score == score
        ranked.append(Ranked(ranked[-1].rank if shared else position, score, item))
    return ranked
