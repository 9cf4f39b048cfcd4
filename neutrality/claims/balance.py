"""The neutrality balance of an application period, as values and decisions.

DOMAIN, the core equation: EACs retired for the period cover its purchased grid electricity in
their market (counted at zero in market-based Scope 2, never beyond the consumption); what is
left is the residual; the period is covered when the tCO2e of carbon credits retired for it are
at least the residual (seed 003 §9.1 note: 「排放量小于等于用以抵消的碳信用数量时，即可判定达成碳中和」).
An EAC is never counted as an offset.

Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from neutrality.inventory.coverage import CoveragePosition, EacAllocation
from neutrality.rules.engine import refusals_by_retirement
from neutrality.rules.model import Finding

ZERO = Decimal(0)


@dataclass(frozen=True)
class Verdict:
    residual_tco2e: Decimal
    credits_retired_tco2e: Decimal

    @property
    def difference_tco2e(self) -> Decimal:
        """Credits retired − residual: a surplus when ≥ 0, a shortfall when negative."""
        return self.credits_retired_tco2e - self.residual_tco2e

    @property
    def covered(self) -> bool:
        return self.credits_retired_tco2e >= self.residual_tco2e


@dataclass(frozen=True)
class Excluded:
    """A retirement in the ledger that the claim does not count: a blocking rule refuses it."""

    retirement_id: int
    scheme: str
    quantity: int
    unit: str  # tCO2e or MWh
    market: str | None
    rules: tuple[str, ...]  # the blocking rules that refuse it
    explanation: str  # the first refusal's explanation, in English (the findings have all three)


@dataclass(frozen=True)
class ClaimBalance:
    """The balance under the claim of the period's commitment: only the retirements that no
    blocking rule of its rule sets refuses count (the arithmetic of the whole ledger stays in
    :class:`PeriodBalance`'s own figures, labelled as such)."""

    standard: str
    rule_sets: tuple[str, ...]
    excluded: tuple[Excluded, ...]
    credits_counted_tco2e: Decimal
    eac_counted_mwh_by_market: Mapping[str, Decimal]
    residual_tco2e: Decimal | None  # market-based, once the counted certificates apply
    #: blocking failures of period rules (an unverified inventory…): the claim cannot be made
    #: while any stands, whatever the figures say
    blocking_period_rules: tuple[str, ...] = ()
    #: the failing findings the claim was judged by (blocking or warning), and the retirements
    #: in force it judged (for the readiness checklist, which reads them rather than judging the
    #: period again; every finding, passes included, is in the period's findings)
    findings: Sequence[Finding] = ()
    retired: tuple[RetiredUnits, ...] = ()
    #: the blocking refusals of each excluded retirement, by its id
    refusals: Mapping[int, Sequence[Finding]] = field(default_factory=dict)

    @property
    def difference_tco2e(self) -> Decimal | None:
        return None if self.residual_tco2e is None else self.credits_counted_tco2e - self.residual_tco2e

    @property
    def verdict(self) -> str | None:
        """"covered" when the credits counted are at least the residual, else "short"."""
        if self.residual_tco2e is None:
            return None
        return "covered" if self.credits_counted_tco2e >= self.residual_tco2e else "short"


def claim_balance(
    standard: str,
    rule_sets: tuple[str, ...],
    findings: Iterable[Finding],
    retirements: Iterable[RetiredUnits],
    credits_retired_tco2e: Decimal,
    eac_retired_mwh_by_market: Mapping[str, Decimal],
    residual_after: Callable[[Mapping[str, Decimal]], Decimal | None],
    *, refusals: Mapping[int, Sequence[Finding]] | None = None,
    period_findings: Iterable[Finding] | None = None,
) -> ClaimBalance:
    """The counted retirements and the verdict under a claim, from its findings.

    ``residual_after(mwh_by_market)`` is the residual with those certificates applied (the
    coverage position, calculated by the caller only when a certificate is excluded).
    ``refusals`` (by retirement id) and ``period_findings``: what the findings say of the
    retirements refused and of the period, when the evaluation has gathered them already (a
    period of 10,000 retirements has some 100,000 findings to walk otherwise)."""
    # the findings are kept as given (an evaluation's failures are made when first looked at)
    findings = findings if isinstance(findings, Sequence) else tuple(findings)
    retirements = tuple(retirements)
    about_period = (f for f in findings if f.subject == "period") if period_findings is None else period_findings
    period_rules = [f.rule_id for f in about_period if f.blocks]
    refusals = refusals_by_retirement(findings) if refusals is None else refusals
    excluded = excluded_of(retirements, refusals)
    credits = credits_retired_tco2e - sum((Decimal(e.quantity) for e in excluded if e.unit == "tCO2e"), ZERO)
    mwh = dict(eac_retired_mwh_by_market)
    for e in excluded:
        if e.unit == "MWh":
            mwh[e.market or ""] = mwh.get(e.market or "", ZERO) - e.quantity
    counted = {m: q for m, q in sorted(mwh.items()) if q}
    return ClaimBalance(standard, rule_sets, excluded, credits, counted, residual_after(counted),
                        tuple(dict.fromkeys(period_rules)), findings, retirements, refusals)


def excluded_of(
    retirements: Iterable[RetiredUnits], refusals: Mapping[int, Sequence[Finding]],
) -> tuple[Excluded, ...]:
    """The retirements the claim does not count, with the rules that refuse each."""
    return tuple(
        Excluded(r.id, r.scheme, r.quantity, r.unit, r.market,
                 tuple(dict.fromkeys(f.rule_id for f in refusals[r.id])), refusals[r.id][0].explanation.en)
        for r in retirements if r.id in refusals
    )


class RetiredUnits(NamedTuple):
    """What the claim balance needs of one retirement in force (a tuple: a period may have tens
    of thousands)."""

    id: int
    scheme: str
    quantity: int
    unit: str  # "tCO2e" (a carbon credit) or "MWh" (a certificate)
    market: str | None = None


@dataclass(frozen=True)
class PeriodBalance:
    """The balance of an application period as a value: what a rule check or a statement reads
    (every figure exact; the inputs named: the inventory and the retirements in force).

    Its figures of electricity and emissions are those of the coverage position with the
    certificates retired for the period applied (:mod:`neutrality.inventory.coverage`)."""

    period_id: int
    start_date: dt.date
    end_date: dt.date
    #: the retirements in force the figures count, by ledger id
    retirements: tuple[int, ...]
    credits_retired_tco2e: Decimal
    eac_retired_mwh_by_market: Mapping[str, Decimal]
    #: units retired per scheme (VCU, CCER… in tCO2e; GEC, IREC… in MWh)
    retired_by_scheme: Mapping[str, int] = field(default_factory=dict)
    inventory_id: int | None = None
    inventory_status: str | None = None
    inventory_verified: bool = False
    #: its verification "claimed" (recorded by the organisation) or "confirmed" (by the appointed
    #: verifier's opinion); None without a verification. A claim needs it confirmed.
    verification_state: str | None = None
    #: the inventory with the retired certificates applied; None without an inventory
    coverage: CoveragePosition | None = None
    note: str | None = None
    #: the balance under the claim of the period's commitment (None without an inventory)
    claim: ClaimBalance | None = None

    @property
    def provisional(self) -> bool:
        """True until the inventory is verified: the figures may still move."""
        return not self.inventory_verified

    @property
    def gross_location_tco2e(self) -> Decimal | None:
        return self.coverage.gross_location_tco2e if self.coverage else None

    @property
    def gross_market_tco2e(self) -> Decimal | None:
        """Market-based, before any certificate."""
        return self.coverage.gross_market_tco2e if self.coverage else None

    @property
    def electricity_mwh(self) -> Decimal | None:
        """All purchased electricity (grid and supplier-specific)."""
        return self.coverage.electricity_mwh if self.coverage else None

    @property
    def residual_tco2e(self) -> Decimal | None:
        """Market-based once the retired certificates cover their electricity."""
        return self.coverage.residual_tco2e if self.coverage else None

    @property
    def allocation(self) -> EacAllocation:
        return self.coverage.allocation if self.coverage else EacAllocation({}, {})

    @property
    def eac_covered_mwh(self) -> Decimal:
        return self.coverage.covered_mwh if self.coverage else ZERO

    @property
    def eac_unused_mwh_by_market(self) -> Mapping[str, Decimal]:
        return self.allocation.unused_mwh_by_market

    @property
    def electricity_covered_percent(self) -> Decimal | None:
        """Share of all purchased electricity covered by certificates, in %."""
        return self.coverage.covered_percent if self.coverage else None

    @property
    def verdict_value(self) -> Verdict | None:
        if self.residual_tco2e is None:
            return None
        return Verdict(self.residual_tco2e, self.credits_retired_tco2e)

    @property
    def difference_tco2e(self) -> Decimal | None:
        verdict = self.verdict_value
        return verdict.difference_tco2e if verdict else None

    @property
    def verdict(self) -> str | None:
        """"covered" when the credits retired are at least the residual, else "short"; None
        without an inventory."""
        verdict = self.verdict_value
        if verdict is None:
            return None
        return "covered" if verdict.covered else "short"
