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
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class EacAllocation:
    """How retired EAC MWh were applied to the sites of each market."""

    covered_mwh_by_site: Mapping[int, Decimal]
    #: MWh retired for a market beyond its sites' grid consumption: reported, never applied.
    unused_mwh_by_market: Mapping[str, Decimal]


def allocate_eacs(
    grid_mwh_by_site: Mapping[int, Decimal],
    market_of_site: Mapping[int, str],
    retired_mwh_by_market: Mapping[str, Decimal],
) -> EacAllocation:
    """Apply each market's retired MWh to its sites' grid electricity, never beyond it.

    Sites are filled in id order (any order gives the same total per market, and the market-based
    total depends only on it when the sites share a residual factor; a stable order makes the
    balance reproducible from the ledger alone).
    """
    covered: dict[int, Decimal] = {}
    unused: dict[str, Decimal] = {}
    for market, retired in sorted(retired_mwh_by_market.items()):
        left = retired
        for site_id in sorted(s for s, m in market_of_site.items() if m == market):
            take = min(left, grid_mwh_by_site.get(site_id, ZERO))
            if take > 0:
                covered[site_id] = covered.get(site_id, ZERO) + take
                left -= take
        if left > 0:
            unused[market] = left
    return EacAllocation(covered, unused)


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
class PeriodBalance:
    """The balance of an application period as a value: what a rule check or a statement reads
    (every figure exact; the inputs named: the inventory and the retirements in force)."""

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
    gross_location_tco2e: Decimal | None = None
    #: market-based, before any certificate
    gross_market_tco2e: Decimal | None = None
    #: all purchased electricity (grid and supplier-specific)
    electricity_mwh: Decimal | None = None
    allocation: EacAllocation = field(default_factory=lambda: EacAllocation({}, {}))
    #: market-based once the certificates cover their electricity
    residual_tco2e: Decimal | None = None
    note: str | None = None

    @property
    def provisional(self) -> bool:
        """True until the inventory is verified: the figures may still move."""
        return not self.inventory_verified

    @property
    def eac_covered_mwh(self) -> Decimal:
        return sum(self.allocation.covered_mwh_by_site.values(), ZERO)

    @property
    def eac_unused_mwh_by_market(self) -> Mapping[str, Decimal]:
        return self.allocation.unused_mwh_by_market

    @property
    def electricity_covered_percent(self) -> Decimal | None:
        """Share of all purchased electricity covered by certificates, in %."""
        if not self.electricity_mwh:
            return None
        return self.eac_covered_mwh * 100 / self.electricity_mwh

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
