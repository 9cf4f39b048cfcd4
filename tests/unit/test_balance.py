"""The balance of a period as values: EAC allocation per market and the verdict (by hand)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from neutrality.claims.balance import Verdict
from neutrality.inventory.coverage import allocate_eacs

D = Decimal


def test_certificates_fill_the_sites_of_their_market_and_never_beyond_their_consumption():
    # CN: sites 1 (800 MWh) and 2 (500 MWh); 1,000 MWh retired → site 1 800, site 2 200.
    # HK: site 3 (100 MWh); 250 MWh retired → 100 applied, 150 unused.
    allocation = allocate_eacs(
        {1: D(800), 2: D(500), 3: D(100)}, {1: "CN", 2: "CN", 3: "HK"}, {"CN": D(1000), "HK": D(250)})
    assert allocation.covered_mwh_by_site == {1: D(800), 2: D(200), 3: D(100)}
    assert allocation.unused_mwh_by_market == {"HK": D(150)}


def test_certificates_of_a_market_without_sites_are_all_unused():
    allocation = allocate_eacs({1: D(800)}, {1: "CN"}, {"DE": D(40)})
    assert allocation.covered_mwh_by_site == {} and allocation.unused_mwh_by_market == {"DE": D(40)}


def test_credits_at_least_the_residual_cover_the_period():
    # seed 003 §9.1 note: neutral when emissions ≤ the credits used to offset them
    assert Verdict(D("731.52"), D(800)).covered and Verdict(D("731.52"), D(800)).difference_tco2e == D("68.48")
    assert Verdict(D(100), D(100)).covered  # exactly equal counts
    short = Verdict(D("731.52"), D(100))
    assert not short.covered and short.difference_tco2e == D("-631.52")


_mwh = st.decimals(min_value=0, max_value=10**6, places=3)


@given(
    sites=st.dictionaries(st.integers(1, 20), st.tuples(_mwh, st.sampled_from(["CN", "HK", "TW"])), max_size=8),
    retired=st.dictionaries(st.sampled_from(["CN", "HK", "TW", "DE"]), _mwh, max_size=4),
)
def test_allocation_conserves_every_mwh_and_respects_each_site(sites, retired):
    grid = {s: mwh for s, (mwh, _) in sites.items()}
    market = {s: m for s, (_, m) in sites.items()}
    allocation = allocate_eacs(grid, market, retired)
    for site, covered in allocation.covered_mwh_by_site.items():
        assert 0 < covered <= grid[site]
    for m, mwh in retired.items():
        applied = sum((c for s, c in allocation.covered_mwh_by_site.items() if market[s] == m), D(0))
        # what was retired for a market is applied there or reported unused, never lost or moved
        assert applied + allocation.unused_mwh_by_market.get(m, D(0)) == mwh


def test_a_period_balance_value_derives_its_verdict_and_coverage_from_its_inputs():
    import datetime as dt

    from neutrality.claims.balance import PeriodBalance
    from neutrality.inventory.coverage import (
        CoveragePosition,
        EacAllocation,
        MarketCoverage,
        SiteCoverage,
    )

    # 1,200 MWh bought, 1,000 covered by certificates: 83.33…%; residual 121.92 t against 122
    # credits: covered with 0.08 t to spare
    site = SiteCoverage(
        site_id=7, market="CN", electricity_mwh=D(1200), supplier_specific_mwh=D(0), grid_mwh=D(1200),
        covered_mwh=D(1000), uncovered_mwh=D(200), scope2_location_tco2e=D("731.52"),
        scope2_market_before_tco2e=D("731.52"), scope2_market_after_tco2e=D("121.92"),
    )
    coverage = CoveragePosition(
        sites=(site,), markets=(MarketCoverage("CN", D(1200), D(1000), D(1000), D(0), D(200)),),
        allocation=EacAllocation({7: D(1000)}, {}), gross_location_tco2e=D("731.52"),
        gross_market_tco2e=D("731.52"), residual_tco2e=D("121.92"), scope2_location_tco2e=D("731.52"),
        scope2_market_before_tco2e=D("731.52"), scope2_market_after_tco2e=D("121.92"),
    )
    balance = PeriodBalance(
        period_id=1, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31), retirements=(1, 2),
        credits_retired_tco2e=D(122), eac_retired_mwh_by_market={"CN": D(1000)},
        inventory_id=3, inventory_status="verified", inventory_verified=True, coverage=coverage,
    )
    assert (balance.verdict, balance.difference_tco2e, balance.provisional) == ("covered", D("0.08"), False)
    assert balance.eac_covered_mwh == 1000 and balance.electricity_mwh == 1200
    assert str(balance.electricity_covered_percent).startswith("83.3333333")  # 1,000 / 1,200 = 5/6
    short = PeriodBalance(**{**balance.__dict__, "credits_retired_tco2e": D(121)})
    assert (short.verdict, short.difference_tco2e) == ("short", D("-0.92"))
    empty = PeriodBalance(**{**balance.__dict__, "coverage": None})
    assert (empty.verdict, empty.residual_tco2e, empty.eac_covered_mwh) == (None, None, 0)
