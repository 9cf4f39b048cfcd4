"""What an application period still needs, as values: MWh of certificates per market and tCO2e
of credits, against what is retired for it and what is held.

Which residual: the needs answer the question "what must still be bought and retired to cover
the period", so they assume certificates will cover *all* its grid electricity, the cheapest
way to a covered claim: the residual they show is the market-based total with every MWh of grid
electricity covered (:meth:`PeriodCoverage.all_grid_covered`). A retirement plan shows the
residual after the certificates retired *and those the plan proposes*: where the certificates
held are not enough for all the electricity, the plan's residual is higher, and so are the
credits it plans. The balance shows the residual after the certificates retired so far. All
three read one coverage position (:mod:`neutrality.inventory.coverage`), with different
certificates applied.

Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from neutrality.claims.balance import Excluded
from neutrality.inventory.coverage import CoveragePosition

ZERO = Decimal(0)

#: The residual the needs show, and why a plan's may differ (said in every needs answer).
RESIDUAL_BASIS = "all_grid_electricity_covered"
RESIDUAL_EXPLANATION = (
    "residual if certificates cover all grid electricity; a retirement plan shows the residual "
    "after the certificates retired and planned, which is higher where the certificates held do "
    "not cover all the electricity, and the balance the residual after the certificates retired so far"
)


@dataclass(frozen=True)
class MarketNeed:
    """Certificates (MWh) one market still needs."""

    market: str
    electricity_mwh: Decimal  # grid electricity of the market's sites: what certificates can cover
    eac_retired_mwh: Decimal  # retired for the period and counted under its claim
    eac_held_mwh: Decimal

    @property
    def eac_needed_mwh(self) -> Decimal:
        return max(ZERO, self.electricity_mwh - self.eac_retired_mwh)

    @property
    def eac_to_buy_mwh(self) -> Decimal:
        return max(ZERO, self.eac_needed_mwh - self.eac_held_mwh)


@dataclass(frozen=True)
class CreditNeed:
    """Credits (tCO2e) the period still needs."""

    gross_location_tco2e: Decimal
    gross_market_tco2e: Decimal
    residual_tco2e: Decimal  # with all grid electricity covered (RESIDUAL_BASIS)
    retired_tco2e: Decimal  # retired for the period and counted under its claim
    held_tco2e: Decimal

    @property
    def needed_tco2e(self) -> Decimal:
        return max(ZERO, self.residual_tco2e - self.retired_tco2e)

    @property
    def to_buy_tco2e(self) -> Decimal:
        return max(ZERO, self.needed_tco2e - self.held_tco2e)


@dataclass(frozen=True)
class PeriodNeeds:
    period_id: int
    start_date: dt.date
    end_date: dt.date
    standard: str
    retirement_deadline: dt.date | None
    deadline_rule: str
    inventory_id: int | None = None
    inventory_status: str | None = None
    markets: tuple[MarketNeed, ...] = ()
    credits: CreditNeed | None = None
    #: retirements in force the claim does not count (a blocking rule refuses them): the needs
    #: are measured without them
    not_counted: tuple[Excluded, ...] = ()
    residual_basis: str = RESIDUAL_BASIS
    residual_explanation: str = RESIDUAL_EXPLANATION
    note: str | None = None


def needs_of(
    all_covered: CoveragePosition, *, credits_retired_tco2e: Decimal,
    eac_retired_mwh_by_market: Mapping[str, Decimal], eac_held_mwh_by_market: Mapping[str, Decimal],
    credits_held_tco2e: Decimal,
) -> tuple[tuple[MarketNeed, ...], CreditNeed]:
    """The needs per market and in credits from the position with all grid electricity covered."""
    markets = tuple(
        MarketNeed(
            market=m.market, electricity_mwh=m.grid_mwh,
            eac_retired_mwh=Decimal(eac_retired_mwh_by_market.get(m.market, 0)),
            eac_held_mwh=Decimal(eac_held_mwh_by_market.get(m.market, 0)),
        )
        for m in all_covered.markets
    )
    credits = CreditNeed(
        gross_location_tco2e=all_covered.gross_location_tco2e,
        gross_market_tco2e=all_covered.gross_market_tco2e,
        residual_tco2e=all_covered.residual_tco2e,
        retired_tco2e=Decimal(credits_retired_tco2e),
        held_tco2e=Decimal(credits_held_tco2e),
    )
    return markets, credits
