"""The coverage position of an inventory: what energy attribute certificates do to its figures.

One value, computed here and nowhere else, that the balance, the needs of a period, the
retirement planner and the retirement checks all read (and, next, the rules and statements):

- per site and market, the purchased electricity, the part bought on a supplier-specific rate,
  the grid electricity certificates can cover, what the certificates cover and what is left;
- per market, the certificates applied (MWh), what of them covered electricity and what found
  none (reported, never carried elsewhere);
- Scope 2 location-based, market-based before certificates and after, the gross totals on both
  bases and the residual: the market-based total once the certificates cover their electricity.

DOMAIN, the core equation: an EAC of a market covers grid electricity of that market's sites,
counted at zero in market-based Scope 2 and never beyond the consumption; an EAC is never an
offset. Which certificates are applied is the caller's choice — those retired for the period
(the balance), those retired plus those a plan proposes (the planner), or "all grid electricity"
(the needs) — so "residual" always says after which certificates.

Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from neutrality.inventory.calculation import InventoryResult

ZERO = Decimal(0)


@dataclass(frozen=True)
class EacAllocation:
    """How certificate MWh were applied to the sites of each market."""

    covered_mwh_by_site: Mapping[int, Decimal]
    #: MWh applied to a market beyond its sites' grid consumption: reported, never used.
    unused_mwh_by_market: Mapping[str, Decimal]


def allocate_eacs(
    grid_mwh_by_site: Mapping[int, Decimal],
    market_of_site: Mapping[int, str],
    eac_mwh_by_market: Mapping[str, Decimal],
) -> EacAllocation:
    """Apply each market's certificate MWh to its sites' grid electricity, never beyond it.

    Sites are filled in id order (any order gives the same total per market, and the market-based
    total depends only on it when the sites share a residual factor; a stable order makes the
    position reproducible from the ledger alone).
    """
    covered: dict[int, Decimal] = {}
    unused: dict[str, Decimal] = {}
    for market, mwh in sorted(eac_mwh_by_market.items()):
        left = Decimal(mwh)
        for site_id in sorted(s for s, m in market_of_site.items() if m == market):
            take = min(left, grid_mwh_by_site.get(site_id, ZERO))
            if take > 0:
                covered[site_id] = covered.get(site_id, ZERO) + take
                left -= take
        if left > 0:
            unused[market] = left
    return EacAllocation(covered, unused)


@dataclass(frozen=True)
class SiteCoverage:
    """One site's purchased electricity (MWh) and its Scope 2 (tCO2e) before and after the
    certificates."""

    site_id: int
    market: str
    electricity_mwh: Decimal  # all purchased electricity
    supplier_specific_mwh: Decimal  # on a supplier-specific rate: certificates never apply
    grid_mwh: Decimal  # the rest: what certificates can cover
    covered_mwh: Decimal  # covered by the certificates applied
    uncovered_mwh: Decimal  # grid − covered: priced at the residual mix (or grid) factor
    scope2_location_tco2e: Decimal
    scope2_market_before_tco2e: Decimal
    scope2_market_after_tco2e: Decimal


@dataclass(frozen=True)
class MarketCoverage:
    """One market (the country of the sites): its grid electricity and the certificates applied
    to it, in MWh."""

    market: str
    grid_mwh: Decimal
    eac_applied_mwh: Decimal  # certificates of the market given to the position
    covered_mwh: Decimal  # of those, what found grid electricity to cover
    unused_mwh: Decimal  # applied − covered: no electricity left for them
    uncovered_mwh: Decimal  # grid − covered: still to cover


@dataclass(frozen=True)
class CoveragePosition:
    """An inventory's figures with a given set of certificates applied, every figure exact."""

    sites: tuple[SiteCoverage, ...]
    markets: tuple[MarketCoverage, ...]
    allocation: EacAllocation
    gross_location_tco2e: Decimal  # Scope 1 + 2 (location-based) + included Scope 3
    gross_market_tco2e: Decimal  # market-based, before any certificate
    residual_tco2e: Decimal  # market-based, once the certificates cover their electricity
    scope2_location_tco2e: Decimal
    scope2_market_before_tco2e: Decimal
    scope2_market_after_tco2e: Decimal

    @property
    def electricity_mwh(self) -> Decimal:
        """All purchased electricity (grid and supplier-specific)."""
        return sum((s.electricity_mwh for s in self.sites), ZERO)

    @property
    def grid_mwh(self) -> Decimal:
        return sum((s.grid_mwh for s in self.sites), ZERO)

    @property
    def covered_mwh(self) -> Decimal:
        return sum((s.covered_mwh for s in self.sites), ZERO)

    @property
    def covered_percent(self) -> Decimal | None:
        """Share of all purchased electricity covered by certificates, in %."""
        electricity = self.electricity_mwh
        return self.covered_mwh * 100 / electricity if electricity else None

    @property
    def grid_mwh_by_market(self) -> dict[str, Decimal]:
        return {m.market: m.grid_mwh for m in self.markets}

    @property
    def unused_mwh_by_market(self) -> Mapping[str, Decimal]:
        return self.allocation.unused_mwh_by_market


def coverage_position(
    gross: InventoryResult,
    covered: InventoryResult,
    market_of_site: Mapping[int, str],
    allocation: EacAllocation,
    eac_mwh_by_market: Mapping[str, Decimal],
) -> CoveragePosition:
    """The position from the inventory calculated without certificates (``gross``) and with
    ``allocation.covered_mwh_by_site`` counted at zero (``covered``)."""
    location = gross.scope2_location.sites
    before = gross.scope2_market.sites
    after = covered.scope2_market.sites
    sites = []
    for site_id in sorted(set(before) | set(location)):
        site = before.get(site_id)
        grid = site.grid_mwh if site else ZERO
        covered_mwh = allocation.covered_mwh_by_site.get(site_id, ZERO)
        sites.append(SiteCoverage(
            site_id=site_id, market=market_of_site[site_id],
            electricity_mwh=site.consumption_mwh if site else location[site_id].consumption_mwh,
            supplier_specific_mwh=site.supplier_specific_mwh if site else ZERO,
            grid_mwh=grid, covered_mwh=covered_mwh, uncovered_mwh=grid - covered_mwh,
            scope2_location_tco2e=location[site_id].tco2e if site_id in location else ZERO,
            scope2_market_before_tco2e=site.tco2e if site else ZERO,
            scope2_market_after_tco2e=after[site_id].tco2e if site_id in after else ZERO,
        ))
    markets = []
    for market in sorted({s.market for s in sites} | set(eac_mwh_by_market)):
        mine = [s for s in sites if s.market == market]
        grid = sum((s.grid_mwh for s in mine), ZERO)
        covered_mwh = sum((s.covered_mwh for s in mine), ZERO)
        markets.append(MarketCoverage(
            market=market, grid_mwh=grid, eac_applied_mwh=Decimal(eac_mwh_by_market.get(market, ZERO)),
            covered_mwh=covered_mwh, unused_mwh=allocation.unused_mwh_by_market.get(market, ZERO),
            uncovered_mwh=grid - covered_mwh,
        ))
    return CoveragePosition(
        sites=tuple(sites), markets=tuple(markets), allocation=allocation,
        gross_location_tco2e=gross.location_based.tco2e, gross_market_tco2e=gross.market_based.tco2e,
        residual_tco2e=covered.market_based.tco2e,
        scope2_location_tco2e=gross.scope2_location.tco2e,
        scope2_market_before_tco2e=gross.scope2_market.tco2e,
        scope2_market_after_tco2e=covered.scope2_market.tco2e,
    )
