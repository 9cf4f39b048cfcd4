"""The balance of a period as values: EAC allocation per market and the verdict (by hand)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from neutrality.claims.balance import Verdict, allocate_eacs

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

    from neutrality.claims.balance import EacAllocation, PeriodBalance

    # 1,200 MWh bought, 1,000 covered by certificates: 83.33…%; residual 121.92 t against 122
    # credits: covered with 0.08 t to spare
    balance = PeriodBalance(
        period_id=1, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31), retirements=(1, 2),
        credits_retired_tco2e=Decimal(122), eac_retired_mwh_by_market={"CN": Decimal(1000)},
        inventory_id=3, inventory_status="verified", inventory_verified=True, electricity_mwh=Decimal(1200),
        allocation=EacAllocation({7: Decimal(1000)}, {}), residual_tco2e=Decimal("121.92"),
    )
    assert (balance.verdict, balance.difference_tco2e, balance.provisional) == ("covered", Decimal("0.08"), False)
    assert balance.eac_covered_mwh == 1000
    assert str(balance.electricity_covered_percent).startswith("83.3333333")  # 1,000 / 1,200 = 5/6
    short = PeriodBalance(**{**balance.__dict__, "credits_retired_tco2e": Decimal(121)})
    assert (short.verdict, short.difference_tco2e) == ("short", Decimal("-0.92"))
