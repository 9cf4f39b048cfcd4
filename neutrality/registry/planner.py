"""Which held blocks to retire for a period: acceptance, ordering by policy, and picking.

A plan answers two needs separately, because they are met by different instruments (DOMAIN:
an EAC is never an offset):

- electricity, per market: whole MWh of EACs produced in that market, up to the period's
  uncovered grid electricity there;
- the residual, in tCO2e: carbon credits, once the electricity the planned EACs cover is
  counted at zero (the caller recalculates the residual between the two steps).

Needs are exact decimals; instruments come in whole units, so a need of 3,242.69 t takes
3,243 credits (a part of a unit cannot be retired). Blocks are taken in the policy's order;
the last one is split so that the plan retires exactly what is needed, unless retiring it
whole over-retires by no more than the stated tolerance (sparing a registry split).

Which instruments a period accepts is the rule sets' decision (the rules issue fills
:class:`Acceptance`); until then :class:`VintageAndMarket` applies the filters every standard
shares.

Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from neutrality.registry.model import InstrumentKind

ZERO = Decimal(0)


class Policy(StrEnum):
    OLDEST_VINTAGE = "oldest_vintage"  # use up the oldest vintages first
    CHEAPEST = "cheapest"  # lowest unit price first (per currency: prices are not converted)
    PROJECT_PREFERENCE = "project_preference"  # the projects named, in that order, then oldest


@dataclass(frozen=True)
class Candidate:
    """A held block that could be retired, with what ordering and acceptance look at."""

    block_id: int
    scheme: str
    kind: InstrumentKind
    quantity: int
    project_id: int
    market: str | None  # the producing or host country
    vintage_start: dt.date | None
    vintage_end: dt.date | None
    unit_price: Decimal | None = None
    currency: str | None = None
    #: set aside for this period by an earlier plan: taken before anything else
    reserved: bool = False


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


class Acceptance(Protocol):
    def refusal(self, candidate: Candidate, period: Period) -> str | None:
        """Why the period's rules do not accept this instrument, or None when they do."""


@dataclass(frozen=True)
class VintageAndMarket:
    """The filters every standard shares, until the rule sets narrow them.

    EACs must be produced during the period (GHG Protocol Scope 2 quality criteria: vintage
    matched to the consumption); their market is checked by the caller, which only asks for
    EACs where there is electricity to cover. Credits must be of a vintage that began by the
    end of the period (a reduction not yet achieved offsets nothing).
    """

    def refusal(self, candidate: Candidate, period: Period) -> str | None:
        # Reasons are short and general (the plan groups blocks by them and shows each group's
        # vintages), not one sentence per block.
        start, end = candidate.vintage_start, candidate.vintage_end or candidate.vintage_start
        if candidate.kind is InstrumentKind.EAC:
            if start is None or end is None:
                return "production period not known"
            if start > period.end or end < period.start:
                return "produced outside the period"
            return None
        if start is not None and start > period.end:
            return "vintage begins after the period"
        return None


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    quantity: int  # the block's first units; the whole block when equal to its quantity

    @property
    def whole(self) -> bool:
        return self.quantity == self.candidate.quantity


@dataclass(frozen=True)
class Choice:
    """What was picked for one need."""

    need: Decimal  # exact, in the instruments' unit
    units_needed: int  # the need in whole units
    picks: tuple[Pick, ...]
    #: the other acceptable candidates, left held
    left: tuple[Candidate, ...] = field(default=())

    @property
    def planned(self) -> int:
        return sum(p.quantity for p in self.picks)

    @property
    def shortfall(self) -> int:
        """Units still missing when the holdings are not enough."""
        return max(0, self.units_needed - self.planned)

    @property
    def over(self) -> int:
        """Units beyond the need, within the tolerance (whole blocks kept whole)."""
        return max(0, self.planned - self.units_needed)


def units_for(need: Decimal) -> int:
    """Whole units covering an exact need: a part of a unit cannot be retired."""
    if need <= 0:
        return 0
    return math.ceil(need)


def order(candidates: Iterable[Candidate], policy: Policy, preference: Sequence[int] = ()) -> list[Candidate]:
    """Candidates in the order the policy takes them, those reserved for the period first; ties
    fall back to the oldest vintage, then the block id, so a plan is reproducible."""

    def oldest(c: Candidate) -> tuple:
        return (c.vintage_start or dt.date.min, c.vintage_end or dt.date.min, c.block_id)

    if policy is Policy.CHEAPEST:
        # Unpriced blocks last; prices in different currencies are compared within a currency
        # only (no exchange rates here): the currency with the lowest code first.
        def key(c: Candidate) -> tuple:
            return (c.unit_price is None, c.currency or "", c.unit_price or ZERO, *oldest(c))
    elif policy is Policy.PROJECT_PREFERENCE:
        rank = {project_id: i for i, project_id in enumerate(preference)}

        def key(c: Candidate) -> tuple:
            return (rank.get(c.project_id, len(rank)), *oldest(c))
    else:
        key = oldest
    return sorted(candidates, key=lambda c: (not c.reserved, *key(c)))


def choose(
    candidates: Iterable[Candidate], need: Decimal, policy: Policy, *, tolerance: int = 0,
    preference: Sequence[int] = (),
) -> Choice:
    """Blocks to retire for ``need`` (exact, in the instruments' unit), in the policy's order.

    Every block taken is whole except possibly the last: when taking it whole would retire more
    than ``tolerance`` units beyond the need, only its first units are taken.
    """
    if tolerance < 0:
        raise ValueError("the tolerance is a number of units, 0 or more")
    units = units_for(need)
    picks: list[Pick] = []
    left: list[Candidate] = []
    remaining = units
    for candidate in order(candidates, policy, preference):
        if remaining <= 0:
            left.append(candidate)
            continue
        if candidate.quantity <= remaining + tolerance:
            take = candidate.quantity
        else:
            take = remaining
        picks.append(Pick(candidate, take))
        remaining -= take
    return Choice(need, units, tuple(picks), tuple(left))


def accepted(
    candidates: Iterable[Candidate], period: Period, acceptance: Acceptance
) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """The candidates the period accepts, and the others with the reason."""
    keep: list[Candidate] = []
    refused: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        reason = acceptance.refusal(candidate, period)
        if reason is None:
            keep.append(candidate)
        else:
            refused.append((candidate, reason))
    return keep, refused
