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

Which instruments a period accepts is an :class:`Acceptance`'s decision: the rules of the
period's claim, judging each block as the retirement it would be
(:mod:`neutrality.registry.rule_acceptance`). The planner holds no rule of its own.

Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from neutrality.registry.model import InstrumentKind
from neutrality.units import tidy

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


class Acceptance(Protocol):
    def refusal(self, candidate: Candidate) -> str | None:
        """Why the period's rules do not accept this instrument, or None when they do. The
        reason is shared by every block refused alike (the plan groups blocks by it)."""


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


def policy_key(candidate: Candidate, policy: Policy, rank: Mapping[int, int]) -> tuple:
    """What the policy orders by, those reserved for the period first; ties fall back to the
    oldest vintage (then, in :func:`order`, the block id, so that a plan is reproducible).
    ``rank``: the preferred projects' places."""
    c = candidate
    oldest = (c.vintage_start or dt.date.min, c.vintage_end or dt.date.min)
    if policy is Policy.CHEAPEST:
        # Unpriced blocks last; prices in different currencies are compared within a currency
        # only (no exchange rates here): the currency with the lowest code first.
        return (not c.reserved, c.unit_price is None, c.currency or "", c.unit_price or ZERO, *oldest)
    if policy is Policy.PROJECT_PREFERENCE:
        return (not c.reserved, rank.get(c.project_id, len(rank)), *oldest)
    return (not c.reserved, *oldest)


def ranks(preference: Sequence[int]) -> dict[int, int]:
    return {project_id: i for i, project_id in enumerate(preference)}


def order(candidates: Iterable[Candidate], policy: Policy, preference: Sequence[int] = ()) -> list[Candidate]:
    """Candidates in the order the policy takes them (:func:`policy_key`, then the block id)."""
    rank = ranks(preference)
    return sorted(candidates, key=lambda c: (*policy_key(c, policy, rank), c.block_id))


def take(ordered: Iterable[Candidate], need: Decimal, *, tolerance: int = 0) -> Choice:
    """Blocks to retire for ``need`` (exact, in the instruments' unit), taken in the order given
    until it is met: the rest is never read.

    Every block taken is whole except possibly the last: when taking it whole would retire more
    than ``tolerance`` units beyond the need, only its first units are taken.
    """
    if tolerance < 0:
        raise ValueError("the tolerance is a number of units, 0 or more")
    units = units_for(need)
    picks: list[Pick] = []
    remaining = units
    for candidate in ordered:
        if remaining <= 0:
            break
        quantity = candidate.quantity if candidate.quantity <= remaining + tolerance else remaining
        picks.append(Pick(candidate, quantity))
        remaining -= quantity
    return Choice(need, units, tuple(picks))


def choose(
    candidates: Iterable[Candidate], need: Decimal, policy: Policy, *, tolerance: int = 0,
    preference: Sequence[int] = (),
) -> Choice:
    """:func:`take` in the policy's order, with the candidates left held."""
    ordered = order(candidates, policy, preference)
    choice = take(ordered, need, tolerance=tolerance)
    return Choice(choice.need, choice.units_needed, choice.picks, tuple(ordered[len(choice.picks):]))


@dataclass(frozen=True)
class Lot:
    """Held blocks alike in everything acceptance and ordering look at but their ids (scheme,
    project, vintage, price, reservation): judged once and ordered as one, ``sample`` being the
    first of them."""

    sample: Candidate
    blocks: int
    units: int


def tiers(lots: Iterable[Lot], policy: Policy, preference: Sequence[int] = ()) -> list[list[Lot]]:
    """The lots in the policy's order; lots it cannot tell apart share a tier, whose blocks are
    then taken by id (as :func:`order` takes them)."""
    rank = ranks(preference)
    keyed = sorted(((policy_key(lot.sample, policy, rank), lot) for lot in lots), key=lambda pair: pair[0])
    answer: list[list[Lot]] = []
    previous: tuple | None = None
    for key, lot in keyed:
        if answer and key == previous:
            answer[-1].append(lot)
        else:
            answer.append([lot])
        previous = key
    return answer


class Offer(Protocol):
    """The accepted blocks, each need's in the policy's order (read only as far as needed)."""

    def certificates(self, market: str) -> Iterable[Candidate]:
        """The certificates of a market."""

    def credits(self) -> Iterable[Candidate]:
        """The carbon credits."""


@dataclass(frozen=True)
class Listed:
    """An :class:`Offer` of candidates in hand."""

    candidates: Sequence[Candidate]
    policy: Policy
    preference: Sequence[int] = ()

    def certificates(self, market: str) -> Iterable[Candidate]:
        return order([c for c in self.candidates if c.kind is InstrumentKind.EAC and c.market == market],
                     self.policy, self.preference)

    def credits(self) -> Iterable[Candidate]:
        return order([c for c in self.candidates if c.kind is InstrumentKind.CARBON_CREDIT],
                     self.policy, self.preference)


def accepted(
    candidates: Iterable[Candidate], acceptance: Acceptance
) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """The candidates the period accepts, and the others with the reason."""
    keep: list[Candidate] = []
    refused: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        reason = acceptance.refusal(candidate)
        if reason is None:
            keep.append(candidate)
        else:
            refused.append((candidate, reason))
    return keep, refused


# --- the plan of a period, as a value ---------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """One block (or its first units) to retire."""

    block_id: int
    scheme: str
    quantity: int
    whole: bool
    block_quantity: int
    unit: str  # MWh for certificates, tCO2e for credits
    market: str | None
    project_id: int
    vintage_start: dt.date | None
    vintage_end: dt.date | None
    unit_price: Decimal | None
    currency: str | None
    reserved: bool  # set aside for this period by an earlier reservation

    @classmethod
    def of(cls, pick: Pick) -> PlanLine:
        c = pick.candidate
        return cls(
            block_id=c.block_id, scheme=c.scheme, quantity=pick.quantity, whole=pick.whole,
            block_quantity=c.quantity, unit="MWh" if c.kind is InstrumentKind.EAC else "tCO2e",
            market=c.market, project_id=c.project_id, vintage_start=c.vintage_start, vintage_end=c.vintage_end,
            unit_price=c.unit_price, currency=c.currency, reserved=c.reserved,
        )


@dataclass(frozen=True)
class PlannedNeed:
    """What was picked for one need (a market's electricity, or the residual)."""

    choice: Choice

    @property
    def need(self) -> Decimal:
        return self.choice.need

    @property
    def units_needed(self) -> int:
        return self.choice.units_needed

    @property
    def planned(self) -> int:
        return self.choice.planned

    @property
    def shortfall(self) -> int:
        return self.choice.shortfall

    @property
    def over(self) -> int:
        return self.choice.over

    @property
    def lines(self) -> tuple[PlanLine, ...]:
        return tuple(PlanLine.of(p) for p in self.choice.picks)


@dataclass(frozen=True)
class MarketPlan(PlannedNeed):
    market: str = ""
    electricity_mwh: Decimal = ZERO  # grid electricity of the market: what EACs can cover
    retired_mwh: Decimal = ZERO  # EACs already retired for the period there


@dataclass(frozen=True)
class CreditPlan(PlannedNeed):
    residual_tco2e: Decimal = ZERO  # after the certificates retired and planned
    residual_basis: str = "certificates_retired_and_planned"
    retired_tco2e: Decimal = ZERO  # credits already retired for the period


@dataclass(frozen=True)
class NotAccepted:
    """Blocks refused for one reason, grouped (a holding of a million blocks must not make a
    million lines), with the vintages the group spans."""

    scheme: str
    reason: str
    blocks: int
    units: int
    block_ids: tuple[int, ...]  # the first 20
    vintage_from: dt.date | None
    vintage_to: dt.date | None


@dataclass(frozen=True)
class Plan:
    electricity: tuple[MarketPlan, ...]
    credits: CreditPlan
    not_accepted: tuple[NotAccepted, ...]

    @property
    def lines(self) -> tuple[PlanLine, ...]:
        """Every line, in the order they apply: certificates first, then credits."""
        return tuple(line for need in (*self.electricity, self.credits) for line in need.lines)

    @property
    def cost(self) -> dict[str, Decimal]:
        """Cost per currency of the priced lines (prices are never converted)."""
        cost: dict[str, Decimal] = {}
        for line in self.lines:
            if line.unit_price is not None:
                currency = line.currency or ""
                cost[currency] = cost.get(currency, ZERO) + line.unit_price * line.quantity
        return {currency: tidy(value) for currency, value in sorted(cost.items())}

    @property
    def units_without_price(self) -> int:
        return sum(line.quantity for line in self.lines if line.unit_price is None)


def group_refused_lots(
    refused: Iterable[tuple[Lot, str]], first_ids: Callable[[Sequence[Lot]], Sequence[int]],
) -> tuple[NotAccepted, ...]:
    """Refused lots grouped by scheme and reason; ``first_ids(lots)``: the ids of their first
    blocks (20 are shown), in block order."""
    groups: dict[tuple[str, str], list[Lot]] = {}
    for lot, reason in refused:
        groups.setdefault((lot.sample.scheme, reason), []).append(lot)
    answer = []
    for (scheme, reason), lots in sorted(groups.items()):
        members = [lot.sample for lot in lots]
        starts = [c.vintage_start for c in members if c.vintage_start is not None]
        ends = [c.vintage_end or c.vintage_start for c in members if (c.vintage_end or c.vintage_start) is not None]
        lots.sort(key=lambda lot: lot.sample.block_id)
        answer.append(NotAccepted(
            scheme=scheme, reason=reason, blocks=sum(lot.blocks for lot in lots),
            units=sum(lot.units for lot in lots), block_ids=tuple(first_ids(lots))[:20],
            vintage_from=min(starts) if starts else None, vintage_to=max(ends) if ends else None,
        ))
    return tuple(answer)


def plan_period(
    offer: Offer, not_accepted: Sequence[NotAccepted], *,
    grid_mwh_by_market: Mapping[str, Decimal], retired_mwh_by_market: Mapping[str, Decimal],
    credits_retired_tco2e: Decimal, residual_after: Callable[[Mapping[str, Decimal]], Decimal],
    tolerance: int = 0,
) -> Plan:
    """Certificates per market up to the grid electricity not yet covered, then credits for the
    residual once the retired and planned certificates cover their electricity.

    ``offer`` holds the blocks the period accepts, in the policy's order (a certificate of a
    market without grid electricity is refused by the rules, X-01, and never offered);
    ``residual_after(mwh_by_market)`` is the residual with those certificates applied (the
    coverage position, calculated by the caller).
    """
    markets = []
    planned_mwh: dict[str, Decimal] = {}
    for market, mwh in sorted(grid_mwh_by_market.items()):
        retired = Decimal(retired_mwh_by_market.get(market, 0))
        choice = take(offer.certificates(market), max(ZERO, mwh - retired), tolerance=tolerance)
        planned_mwh[market] = Decimal(choice.planned)
        markets.append(MarketPlan(choice, market=market, electricity_mwh=mwh, retired_mwh=retired))
    retired_and_planned = {m: Decimal(retired_mwh_by_market.get(m, 0)) + planned_mwh.get(m, ZERO)
                           for m in set(retired_mwh_by_market) | set(planned_mwh)}
    residual = residual_after(retired_and_planned)
    choice = take(offer.credits(), max(ZERO, residual - credits_retired_tco2e), tolerance=tolerance)
    return Plan(
        electricity=tuple(markets),
        credits=CreditPlan(choice, residual_tco2e=residual, retired_tco2e=Decimal(credits_retired_tco2e)),
        not_accepted=tuple(not_accepted),
    )


@dataclass(frozen=True)
class RetirementPlan:
    """A period's plan with what it was made for and how."""

    period_id: int
    start_date: dt.date
    end_date: dt.date
    inventory_id: int
    inventory_status: str
    policy: Policy
    tolerance: int
    preference: tuple[int, ...]
    retire_on: dt.date  # the day the rules judged the blocks as retired on
    plan: Plan

    @property
    def electricity(self) -> tuple[MarketPlan, ...]:
        return self.plan.electricity

    @property
    def credits(self) -> CreditPlan:
        return self.plan.credits

    @property
    def lines(self) -> tuple[PlanLine, ...]:
        return self.plan.lines

    @property
    def cost(self) -> dict[str, Decimal]:
        return self.plan.cost

    @property
    def units_without_price(self) -> int:
        return self.plan.units_without_price

    @property
    def not_accepted(self) -> tuple[NotAccepted, ...]:
        return self.plan.not_accepted
