"""Coverage positions of a period's inventory, fed from the database.

:class:`PeriodCoverage` reads the inventory's records once and calculates them once without
certificates; each :meth:`PeriodCoverage.position` then calculates once more with the
certificates it is given (reading and summing a million records is most of a calculation's
time, pricing the summed groups little). :class:`PeriodCoverages` keeps one per period for a
transaction that retires many certificate blocks (a plan, a registry export).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.inventory.calculation import InventoryResult
from neutrality.inventory.computing import calculate_activities, grouped_activities
from neutrality.inventory.coverage import (
    CoveragePosition,
    EacAllocation,
    allocate_eacs,
    coverage_position,
)
from neutrality.inventory.services import latest_inventory_of
from neutrality.inventory.tables import Inventory
from neutrality.organisations.tables import Site


class PeriodCoverage:
    """One inventory, ready to be positioned against several sets of certificates."""

    def __init__(self, session: Session, inventory: Inventory):
        self.inventory = inventory
        self._session = session
        self._activities = grouped_activities(session, inventory)
        self.gross: InventoryResult = calculate_activities(session, inventory, self._activities)
        self.market_of_site: dict[int, str] = {
            s.id: s.country for s in session.scalars(select(Site).where(Site.id.in_(self.gross.scope2_market.sites)))
        }

    @classmethod
    def of_period(cls, session: Session, period_id: int) -> PeriodCoverage | None:
        """The period's latest inventory (the verified one if any); None without an inventory."""
        inventory = latest_inventory_of(session, period_id)
        return None if inventory is None else cls(session, inventory)

    @property
    def grid_mwh_by_site(self) -> dict[int, Decimal]:
        return {site_id: s.grid_mwh for site_id, s in self.gross.scope2_market.sites.items()}

    def position(self, eac_mwh_by_market: Mapping[str, Decimal]) -> CoveragePosition:
        """The inventory with these certificates (MWh per market) applied to its grid electricity."""
        applied = {market: Decimal(mwh) for market, mwh in eac_mwh_by_market.items() if mwh}
        allocation = allocate_eacs(self.grid_mwh_by_site, self.market_of_site, applied)
        if allocation.covered_mwh_by_site:
            covered = calculate_activities(self._session, self.inventory, self._activities,
                                           allocation.covered_mwh_by_site)
        else:
            covered = self.gross  # nothing covered: the same calculation, not a second one
        return coverage_position(self.gross, covered, self.market_of_site, allocation, applied)

    @cached_property
    def grid_mwh_by_market(self) -> dict[str, Decimal]:
        """Grid electricity per market (every market with a site, 0 included): what certificates
        of each market can cover. Asked for every certificate a plan or an export retires."""
        grid: dict[str, Decimal] = {}
        for site_id, mwh in self.grid_mwh_by_site.items():
            market = self.market_of_site[site_id]
            grid[market] = grid.get(market, Decimal(0)) + mwh
        return grid

    def all_grid_covered(self) -> CoveragePosition:
        """As if certificates covered every MWh of grid electricity in every market."""
        return self.position(self.grid_mwh_by_market)


class PeriodCoverages:
    """The coverage of each period's inventory, calculated at most once per transaction."""

    def __init__(self, session: Session):
        self._session = session
        self._cache: dict[int, PeriodCoverage | None] = {}

    def of(self, period: ApplicationPeriodRow) -> PeriodCoverage | None:
        if period.id not in self._cache:
            self._cache[period.id] = PeriodCoverage.of_period(self._session, period.id)
        return self._cache[period.id]

    def grid_mwh(self, period: ApplicationPeriodRow, market: str | None) -> Decimal:
        """The period's grid electricity in one market: what its certificates can cover."""
        coverage = self.of(period)
        if coverage is None:
            return Decimal(0)
        return coverage.grid_mwh_by_market.get(market, Decimal(0))


__all__ = ["CoveragePosition", "EacAllocation", "PeriodCoverage", "PeriodCoverages"]
