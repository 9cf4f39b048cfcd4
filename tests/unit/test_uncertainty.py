"""Error propagation (seed 000 §4.7 UNC-02; IPCC 2006 Vol. 1 eq. 3.1 and 3.2).

Expectations are computed by hand in the comments; square roots to the digits shown.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from neutrality.errors import InvalidInput
from neutrality.inventory.model import DataQualityTier
from neutrality.inventory.uncertainty import (
    EXPERT_JUDGEMENT_PERCENT,
    TIER_DEFAULTS,
    Estimate,
    Source,
    activity_uncertainty,
    combine,
    product_uncertainty,
    source_estimate,
    sum_uncertainty,
)
from neutrality.units import present

D = Decimal


def test_waste_weight_and_decomposition_factor_combine_to_the_guides_15_3_percent():
    # √(3² + 15²) = √234 = 15.2970585407783…; the guide prints ±15.3 %.
    combined = product_uncertainty(D(3), D(15))
    assert str(combined).startswith("15.297058540778")
    assert present(combined, "percent") == D("15.3")


def test_product_uncertainty_keeps_fifty_significant_digits():
    combined = product_uncertainty(D(3), D(15))
    assert len(combined.as_tuple().digits) == 50
    with localcontext() as ctx:
        ctx.prec = 50
        assert abs(combined * combined - 234) < D("1E-45")


def test_a_single_uncertainty_is_itself_and_none_is_zero():
    assert product_uncertainty(D(7)) == 7
    assert product_uncertainty() == 0
    # 3-4-5: √(9 + 16) = 5 exactly.
    assert product_uncertainty(D(3), D(4)) == 5


def test_sources_combine_by_their_absolute_uncertainties():
    # 100 t ± 10 % (±10 t) and 300 t ± 20 % (±60 t): √(10² + 60²) = √3,700 = 60.8276253…;
    # / 400 t = 15.2069063 %.
    total = sum_uncertainty([Estimate(D(100), D(10)), Estimate(D(300), D(20))])
    assert total.value == D(400)
    assert str(total.uncertainty_percent).startswith("15.20690632574")
    assert present(total.uncertainty_percent, "percent") == D("15.2")
    assert str(total.absolute).startswith("60.827625302982")


def test_a_source_estimate_combines_activity_and_factor():
    # 50 t with activity ±3 % and factor ±15 % → ±15.297 %, ±7.6485 t.
    estimate = source_estimate(D(50), D(3), D(15))
    assert present(estimate.uncertainty_percent, "percent") == D("15.3")
    assert str(estimate.absolute).startswith("7.6485292703891")


def test_times_multiplies_values_and_combines_relative_uncertainties():
    # 1,000 L ± 3 % × 2.3 kg/L ± 4 % = 2,300 kg ± 5 %.
    product = Estimate(D(1000), D(3)).times(Estimate(D("2.3"), D(4)))
    assert product == Estimate(D("2300.0"), D(5))


def test_certain_sources_summing_to_zero_are_zero_percent_and_uncertain_ones_are_refused():
    assert sum_uncertainty([Estimate(D(5), D(0)), Estimate(D(-5), D(0))]).uncertainty_percent == 0
    with pytest.raises(InvalidInput, match="zero"):
        sum_uncertainty([Estimate(D(5), D(10)), Estimate(D(-5), D(10))])


def test_negative_or_float_uncertainties_are_refused():
    with pytest.raises(InvalidInput):
        product_uncertainty(D(-1))
    with pytest.raises(InvalidInput):
        sum_uncertainty([Estimate(D(1), 0.5)])  # type: ignore[arg-type]


percent = st.decimals(min_value=0, max_value=100, places=2)
value = st.decimals(min_value=D("0.001"), max_value=10**6, places=3)


@hypothesis_settings(database=None, deadline=None)
@given(st.lists(st.tuples(value, percent), min_size=1, max_size=20))
def test_a_sum_of_positive_sources_is_never_less_certain_than_its_worst_source(sources):
    # With positive values, √Σ(xᵢUᵢ)² ≤ Σ xᵢUᵢ ≤ max(U)·Σxᵢ.
    total = sum_uncertainty([Estimate(x, u) for x, u in sources])
    assert total.uncertainty_percent <= max(u for _, u in sources) + D("1E-40")


# --- combining activity and factor uncertainties (issue 15 item 4) ------------------------------


def test_one_source_combines_its_activity_and_factor_as_a_product():
    # 100 t, activity ±3 %, factor ±15 %: √(3² + 15²) = √234 = 15.2970585…%
    total = combine([Source(D(100), D(3), D(1), "factor", D(15))])
    assert total.value == 100
    assert str(total.uncertainty_percent).startswith("15.297058540778")


def test_two_sources_add_up_by_their_absolute_uncertainties():
    # 100 t ±10 % (±10 t) and 300 t ±5 % (±15 t): √(10² + 15²) / 400 = √325 / 400 = 18.0277564 / 400
    # = 4.5069391 %. Once as estimates, once as sources of two factors that state no ±.
    by_estimates = sum_uncertainty([Estimate(D(100), D(10)), Estimate(D(300), D(5))])
    by_sources = combine([Source(D(100), D(10), D(1), "a", None), Source(D(300), D(5), D(1), "b", None)])
    for total in (by_estimates, by_sources):
        assert total.value == 400
        assert str(total.uncertainty_percent).startswith("4.50693909")
        assert present(total.uncertainty_percent, "percent") == D("4.5")


def test_a_factor_error_counts_once_for_all_the_records_it_prices():
    # Two sources of 50 t on one factor ±20 %, activities certain: the factor's error is 20 % of
    # 100 t = 20 t, i.e. 20 % of the total, not √(10² + 10²) / 100 = 14.1 % as independent sources.
    same = combine([Source(D(50), D(0), D(1), "grid", D(20)), Source(D(50), D(0), D(1), "grid", D(20))])
    assert same.uncertainty_percent == 20
    apart = combine([Source(D(50), D(0), D(1), "grid", D(20)), Source(D(50), D(0), D(1), "other", D(20))])
    assert str(apart.uncertainty_percent).startswith("14.142135623730")


def test_records_summed_keep_the_independent_share_of_their_activity_uncertainty():
    # 4 equal records summed: √Σq² / Σq = √4 / 4 = 1/2; ±10 % each → ±5 % on the sum.
    total = combine([Source(D(80), D(10), D("0.5"), "f", None)])
    assert total.uncertainty_percent == 5


def test_a_records_tier_gives_its_uncertainty_unless_the_record_states_one():
    # metered and invoiced: measured, ±3 % (seed 000 L1008); the rest ±20 % (seed 000 L1014)
    assert activity_uncertainty(None, DataQualityTier.METERED) == 3
    assert activity_uncertainty(None, DataQualityTier.INVOICED) == 3
    assert activity_uncertainty(None, DataQualityTier.ESTIMATED) == 20
    assert activity_uncertainty(None, DataQualityTier.INDUSTRY_AVERAGE) == 20
    # a stated uncertainty wins, lower or higher than the tier's
    assert activity_uncertainty(D("1.5"), DataQualityTier.METERED) == D("1.5")
    assert activity_uncertainty(D(40), DataQualityTier.ESTIMATED) == 40
    assert set(TIER_DEFAULTS) == set(DataQualityTier)


def test_an_expert_judges_a_factor_without_a_published_uncertainty_at_20_percent():
    # seed 000 §4.7: a special gas without a published factor, ±20 %; a measured 3 % beside it:
    # √(3² + 20²) = √409 = 20.2237484 %
    assert EXPERT_JUDGEMENT_PERCENT == 20
    total = combine([Source(D(10), D(3), D(1), "gas released:SF6", EXPERT_JUDGEMENT_PERCENT)])
    assert str(total.uncertainty_percent).startswith("20.223748416")


def test_uncertain_sources_adding_up_to_zero_are_refused():
    with pytest.raises(InvalidInput, match="zero"):
        combine([Source(D(5), D(10), D(1), "a", None), Source(D(-5), D(10), D(1), "b", None)])
    with pytest.raises(InvalidInput):
        combine([Source(D(5), D(-1), D(1), "a", None)])
