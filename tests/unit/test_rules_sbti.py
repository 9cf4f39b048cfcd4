"""SBTi rule sets through the engine: the near-term criteria 5.x and the Corporate Net-Zero
Standard 1.x / 2.0, each rule passing and failing (or not applicable) on hand-built facts.

The default period (tests/rule_facts.py) is calendar 2025: Scope 1 900 t, Scope 2 5000 t
location-based / 4000 t market-based, Scope 3 2000 t; 7000 t of credits retired; 1800 MWh of
GEC for China.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from neutrality.rules.engine import Claim
from neutrality.rules.facts import Emissions, ReductionTarget
from neutrality.rules.model import Outcome, Severity
from tests.rule_facts import CATALOGUE, findings, one, period

NEAR = Claim("iso_14068_1_2023", frameworks=("sbti-near-term",))
NET_ZERO = Claim("iso_14068_1_2023", frameworks=("sbti-net-zero",))
PASS, FAIL, NA = Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE


def target(**overrides: Any) -> ReductionTarget:
    """An absolute Scope 1+2 target, 2020 → 2030, −42%, 95% coverage, submitted mid-2024."""
    values: dict[str, Any] = dict(
        scopes="1+2", kind="absolute", base_year=2020, target_year=2030,
        reduction_percent=Decimal("42"), coverage_percent=Decimal("95"),
        set_on=dt.date(2024, 6, 1), base_year_emissions=Decimal("10000"),
    )
    values.update(overrides)
    return ReductionTarget(**values)


def scope3(**overrides: Any) -> ReductionTarget:
    """An absolute Scope 3 target, 2020 → 2030, −25%, 67% coverage."""
    values: dict[str, Any] = dict(scopes="3", reduction_percent=Decimal("25"),
                                  coverage_percent=Decimal("67"), base_year_emissions=None)
    values.update(overrides)
    return target(**values)


def year_2027(**overrides: Any) -> Any:
    """Calendar 2027: the first period whose last day falls under CNZS 2.0 (from 2027-02-01)."""
    values: dict[str, Any] = dict(start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31),
                                  as_of=dt.date(2028, 3, 1))
    values.update(overrides)
    return period(**values)


def outcome(rule_id: str, claim: Claim = NEAR, **facts: Any) -> Outcome:
    return one(period(**facts), rule_id, claim=claim).outcome


# --- which sets apply, and when ---------------------------------------------------------------


def test_the_sbti_files_load_with_their_keys_and_dates() -> None:
    near = CATALOGUE.get("sbti-near-term", "5.x")
    v1, v2 = CATALOGUE.get("sbti-net-zero", "1.x"), CATALOGUE.get("sbti-net-zero", "2.0")
    assert near is not None and v1 is not None and v2 is not None
    assert near.kind.value == v1.kind.value == v2.kind.value == "framework"
    # SBTI2-01: 2.0 "available for target setting from 1 Feb 2027"; 1.x ends the day before.
    assert v1.in_force_to == dt.date(2027, 1, 31) and v2.in_force_from == dt.date(2027, 2, 1)


def test_sbti_rules_apply_only_when_the_claim_names_the_framework() -> None:
    found = findings(period(targets=(target(),)))
    assert not [f for f in found if f.rule_set.startswith("sbti")]


@pytest.mark.parametrize(("start", "end", "version"), [
    # The set is chosen by the period's last day: 2026-12-31 and 2027-01-31 are on or before
    # 1.x's in_force_to (2027-01-31); 2027-02-28 is on or after 2.0's in_force_from (2027-02-01).
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "1.x"),
    (dt.date(2027, 1, 1), dt.date(2027, 1, 31), "1.x"),
    (dt.date(2027, 2, 1), dt.date(2027, 2, 28), "2.0"),
    (dt.date(2027, 1, 1), dt.date(2027, 12, 31), "2.0"),
])
def test_net_zero_switches_from_1x_to_2_0_on_1_february_2027(
    start: dt.date, end: dt.date, version: str
) -> None:
    found = findings(period(start=start, end=end, as_of=end + dt.timedelta(days=60),
                            targets=(target(),)), NET_ZERO)
    sets = {f.rule_set for f in found if f.rule_set.startswith("sbti")}
    assert sets == {f"sbti-net-zero/{version}"}
    ids = {f.rule_id for f in found}
    assert ("SBTI2-06" in ids) == (version == "2.0") and ("SBTI-05" in ids) == (version == "1.x")


# --- SBTI-01: base year and timeframe ---------------------------------------------------------


def test_sbti_01a_base_year_2015_or_later() -> None:
    # "The base year must be no earlier than 2015": 2020 ≥ 2015 passes, 2015 itself passes,
    # 2014 < 2015 fails.
    assert outcome("SBTI-01A", targets=(target(),)) is PASS
    assert outcome("SBTI-01A", targets=(target(base_year=2015),)) is PASS
    found = one(period(targets=(target(base_year=2014),)), "SBTI-01A", claim=NEAR)
    assert found.outcome is FAIL and found.blocks
    assert "2014→2030" in found.evidence["targets"]
    assert outcome("SBTI-01A", targets=()) is NA  # no target: nothing to judge


def test_sbti_01b_five_to_ten_years_from_submission() -> None:
    # "5–10 years from the date of submission": submitted 2024-06-01 → 2030 − 2024 = 6 years
    # (pass); 2029 − 2024 = 5 and 2034 − 2024 = 10 are the edges (pass); 2028 − 2024 = 4 and
    # 2035 − 2024 = 11 fall outside (fail).
    assert outcome("SBTI-01B", targets=(target(),)) is PASS
    assert outcome("SBTI-01B", targets=(target(target_year=2029),)) is PASS
    assert outcome("SBTI-01B", targets=(target(target_year=2034),)) is PASS
    assert outcome("SBTI-01B", targets=(target(target_year=2028),)) is FAIL
    found = one(period(targets=(target(target_year=2035),)), "SBTI-01B", claim=NEAR)
    assert found.outcome is FAIL and "11 years" in found.evidence["targets"]
    # Without a submission date the timeframe cannot be counted.
    assert outcome("SBTI-01B", targets=(target(set_on=None),)) is NA


# --- SBTI-02 / SBTI-03: coverage and the Scope 3 screen ------------------------------------------


def test_sbti_02_scope_1_2_coverage_at_least_95_percent() -> None:
    # "Targets must cover ≥95% of company-wide Scope 1+2": 95 passes, 94.9 fails.
    assert outcome("SBTI-02", targets=(target(),)) is PASS
    found = one(period(targets=(target(coverage_percent=Decimal("94.9")),)), "SBTI-02", claim=NEAR)
    assert found.outcome is FAIL and found.evidence["coverage_percent"] == "94.9"
    # Coverage not stated: not applicable, saying so.
    unstated = one(period(targets=(target(coverage_percent=None),)), "SBTI-02", claim=NEAR)
    assert unstated.outcome is NA and "coverage" in unstated.explanation.en
    # A Scope 1+2 target is required: with only a Scope 3 target the rule fails.
    assert outcome("SBTI-02", targets=(scope3(),)) is FAIL
    # A 1+2+3 target covers Scope 1+2 as well.
    assert outcome("SBTI-02", targets=(target(scopes="1+2+3"),)) is PASS


def test_sbti_03a_scope_3_target_required_at_40_percent() -> None:
    # Default inventory, market-based: 900 + 4000 + 2000 = 6900; Scope 3 2000/6900 = 28.99% < 40%
    # → no Scope 3 target required (not applicable).
    found = one(period(targets=(target(),)), "SBTI-03A", claim=NEAR)
    assert found.outcome is NA and found.evidence["scope3_share_percent"] == "28.99"
    # 1000 + 2000 + 2000 = 5000; Scope 3 2000/5000 = 40% exactly: "required if Scope 3 ≥40%".
    at_40 = Emissions(Decimal("1000"), Decimal("3000"), Decimal("2000"), Decimal("2000"))
    assert outcome("SBTI-03A", emissions=at_40, targets=(target(),)) is FAIL
    assert outcome("SBTI-03A", emissions=at_40, targets=(target(), scope3())) is PASS
    assert outcome("SBTI-03A", emissions=None, targets=(target(),)) is NA


def test_sbti_03b_near_term_scope_3_coverage_at_least_67_percent() -> None:
    # "Near-term Scope 3 targets must cover ≥67% (two-thirds)": 67 passes, 66 fails.
    assert outcome("SBTI-03B", targets=(target(), scope3())) is PASS
    assert outcome("SBTI-03B", targets=(target(), scope3(coverage_percent=Decimal("66")))) is FAIL
    # No Scope 3 target: nothing to judge here (whether one is needed is SBTI-03A).
    assert outcome("SBTI-03B", targets=(target(),)) is NA


# --- SBTI-04: ambition ---------------------------------------------------------------------------


def test_sbti_04_linear_ambition() -> None:
    # Scope 1+2 "4.2%/yr linear": 2020 → 2030 is 10 years, 4.2 × 10 = 42.0% → 42 passes,
    # 41.9 fails.
    assert outcome("SBTI-04", targets=(target(),)) is PASS
    low = one(period(targets=(target(reduction_percent=Decimal("41.9")),)), "SBTI-04", claim=NEAR)
    assert low.outcome is FAIL and "needs ≥ 42.0%" in low.evidence["targets"]
    # Scope 3 "2.5%/yr linear": 2.5 × 10 = 25.0% → 25 passes, 24 fails.
    assert outcome("SBTI-04", targets=(scope3(),)) is PASS
    assert outcome("SBTI-04", targets=(scope3(reduction_percent=Decimal("24")),)) is FAIL
    # A 1+2+3 target is held to the Scope 1+2 rate: 30% < 42% fails.
    assert outcome("SBTI-04", targets=(target(scopes="1+2+3", reduction_percent=Decimal("30")),)) is FAIL
    # 2021 → 2030 is 9 years: 4.2 × 9 = 37.8% → 38 passes.
    assert outcome("SBTI-04", targets=(target(base_year=2021, reduction_percent=Decimal("38")),)) is PASS
    # Intensity targets are not measured by a linear absolute rate.
    assert outcome("SBTI-04", targets=(target(kind="intensity"),)) is NA


# --- SBTI-06 / X-03: credits never count toward targets -----------------------------------------


def test_sbti_06_credits_excluded_from_progress_pass() -> None:
    # Path of a 2020 → 2030 −42% target from 10000 t: in 2025 (5 of 10 years)
    # 10000 × (1 − 0.42 × 5/10) = 7900 t. Scope 1+2 market-based 900 + 4000 = 4900 ≤ 7900: on
    # track without the credits, which are stated apart.
    found = one(period(targets=(target(),)), "SBTI-06", claim=NEAR)
    assert found.outcome is PASS
    assert found.evidence["credits_retired_tco2e"] == "7000"
    assert "emissions 4900, path 7900.00" in found.evidence["progress"]


def test_sbti_06_fails_when_the_target_needs_the_credits() -> None:
    # From 6000 t the 2025 path is 6000 × 0.79 = 4740 t: 4900 > 4740 without credits, and
    # 4900 − 7000 = −2100 ≤ 4740 with them: "credits do not count as reductions" → fail.
    found = one(period(targets=(target(base_year_emissions=Decimal("6000")),)), "SBTI-06", claim=NEAR)
    assert found.outcome is FAIL and found.blocks
    assert "4900 > path 4740.00 ≥ -2100" in found.evidence["needing_credits"]


def test_sbti_06_a_target_behind_either_way_is_not_this_rules_concern() -> None:
    # 100 t of credits: 4900 − 100 = 4800 > 4740 as well; the credits change nothing.
    facts = dict(targets=(target(base_year_emissions=Decimal("6000")),),
                 credits_retired_tco2e=Decimal("100"))
    assert outcome("SBTI-06", **facts) is PASS
    # Without base-year emissions no path can be drawn; without an inventory no progress.
    assert outcome("SBTI-06", targets=(target(base_year_emissions=None),)) is NA
    assert outcome("SBTI-06", emissions=None, targets=(target(),)) is NA


# --- SBTI-10: recalculation ---------------------------------------------------------------------


def test_sbti_10_recalculation_at_5_percent() -> None:
    # "recalculated when triggers change it by a cumulative ≥5%": 6% without recalculation
    # fails; 6% recalculated passes; 4.9% needs none; −5% (a divestment) is a 5% change → fail.
    assert outcome("SBTI-10", targets=(target(base_year_change_percent=Decimal("6")),)) is FAIL
    assert outcome("SBTI-10", targets=(target(base_year_change_percent=Decimal("6"),
                                              base_year_recalculated=True),)) is PASS
    assert outcome("SBTI-10", targets=(target(base_year_change_percent=Decimal("4.9")),)) is PASS
    assert outcome("SBTI-10", targets=(target(base_year_change_percent=Decimal("-5")),)) is FAIL
    assert outcome("SBTI-10", targets=(target(),)) is NA  # no change assessed


# --- Net-Zero 1.x -------------------------------------------------------------------------------


def long_term(**overrides: Any) -> ReductionTarget:
    values: dict[str, Any] = dict(scopes="1+2+3", target_year=2050, reduction_percent=Decimal("90"),
                                  coverage_percent=Decimal("90"), term="long_term", set_on=None)
    values.update(overrides)
    return target(**values)


def test_sbti_05_long_term_target_90_percent_by_2050() -> None:
    # "Cut value-chain emissions by about 90% by 2050 at the latest".
    assert outcome("SBTI-05", NET_ZERO, targets=(target(), long_term())) is PASS
    assert outcome("SBTI-05", NET_ZERO,
                   targets=(target(), long_term(reduction_percent=Decimal("85")))) is FAIL
    assert outcome("SBTI-05", NET_ZERO, targets=(target(), long_term(target_year=2055))) is FAIL
    # A net-zero commitment with near-term targets only has no long-term target: fail.
    assert outcome("SBTI-05", NET_ZERO, targets=(target(),)) is FAIL


def test_sbti_03c_long_term_scope_3_coverage_at_least_90_percent() -> None:
    # "long-term (net-zero) targets must cover ≥90%" of Scope 3: 90 passes, 89 fails.
    assert outcome("SBTI-03C", NET_ZERO, targets=(long_term(),)) is PASS
    assert outcome("SBTI-03C", NET_ZERO,
                   targets=(long_term(coverage_percent=Decimal("89")),)) is FAIL
    # The near-term targets are not long-term ones: nothing to judge.
    assert outcome("SBTI-03C", NET_ZERO, targets=(target(), scope3())) is NA


def test_net_zero_1x_credits_excluded_from_progress() -> None:
    # As under the near-term criteria: the 2025 path from 6000 t is 4740 t; 4900 > 4740 ≥ −2100.
    assert outcome("SBTI-06", NET_ZERO, targets=(target(),)) is PASS
    assert outcome("SBTI-06", NET_ZERO,
                   targets=(target(base_year_emissions=Decimal("6000")),)) is FAIL


# --- Net-Zero 2.0 -------------------------------------------------------------------------------


def v2(rule_id: str, **facts: Any) -> Any:
    return one(year_2027(**facts), rule_id, claim=NET_ZERO)


def test_sbti2_02a_near_term_targets_are_five_year_targets() -> None:
    # "Near-term targets are 5-year targets": submitted 2027-03-01, 2032 − 2027 = 5 (pass);
    # 2035 − 2027 = 8 (fail, a warning: the counting basis is not in the source).
    assert v2("SBTI2-02A", targets=(target(set_on=dt.date(2027, 3, 1), target_year=2032),)).outcome is PASS
    late = v2("SBTI2-02A", targets=(target(set_on=dt.date(2027, 3, 1), target_year=2035),))
    assert late.outcome is FAIL and late.severity is Severity.WARNING and not late.confirmed


def test_sbti2_02b_scope_3_target_for_category_a() -> None:
    # "Scope 3 near-term targets are required for Category A".
    assert v2("SBTI2-02B", sbti_category="A", targets=(target(), scope3())).outcome is PASS
    assert v2("SBTI2-02B", sbti_category="A", targets=(target(),)).outcome is FAIL
    assert v2("SBTI2-02B", sbti_category="B", targets=(target(),)).outcome is NA
    assert v2("SBTI2-02B", targets=(target(),)).outcome is NA  # category not recorded


def scope2_target(base: str) -> ReductionTarget:
    """A Scope 2 target 2025 → 2030, −40%, drawn from ``base`` t location-based."""
    return target(scopes="2", base_year=2025, target_year=2030, reduction_percent=Decimal("40"),
                  set_on=dt.date(2027, 3, 1), base_year_emissions=Decimal(base))


def test_sbti2_06_scope_2_progress_location_based_certificates_apart() -> None:
    # In 2027 (2 of 5 years) the path from 6000 t is 6000 × (1 − 0.40 × 2/5) = 5040 t; Scope 2
    # location-based 5000 ≤ 5040: on track, the 1800 MWh of GEC reported apart.
    found = v2("SBTI2-06", targets=(scope2_target("6000"),))
    assert found.outcome is PASS
    assert found.evidence["scope2_location_tco2e"] == "5000"
    assert found.evidence["eac_mwh_reported_apart"] == "1800"
    assert "emissions 5000, path 5040.00" in found.evidence["progress_location_based"]
    # From 5500 t the path is 5500 × 0.84 = 4620 t: location-based 5000 > 4620, market-based
    # 4000 ≤ 4620, so only the certificates put it on track → fail ("anchored to
    # location-based emissions"; instruments "reported separately").
    needing = v2("SBTI2-06", targets=(scope2_target("5500"),))
    assert needing.outcome is FAIL and needing.blocks
    assert "5000 > path 4620.00 ≥ 4000" in needing.evidence["needing_certificates"]
    # No Scope 2 target with a base-year figure: no path to compare.
    assert v2("SBTI2-06", targets=(scope3(),)).outcome is NA


def test_sbti2_09_no_blended_scope_1_2_targets() -> None:
    # "No blended Scope 1+2 targets": a 1+2 target submitted under 2.0 fails (warning: [P]).
    blended = v2("SBTI2-09", targets=(target(set_on=dt.date(2027, 3, 1)),))
    assert blended.outcome is FAIL and blended.severity is Severity.WARNING
    assert v2("SBTI2-09", targets=(target(set_on=None),)).outcome is FAIL  # date unknown: judged
    separate = (target(scopes="1", set_on=dt.date(2027, 3, 1)), scope2_target("6000"))
    assert v2("SBTI2-09", targets=separate).outcome is PASS
    # Submitted 2024-06-01, before 2027-02-01: validated under the earlier criteria, valid for
    # its cycle (SBTI2-01), so not judged.
    assert v2("SBTI2-09", targets=(target(),)).outcome is NA


def test_x03_under_2_0_counts_scope_2_location_based() -> None:
    # Path of 2020 → 2030 −42% from 7000 t in 2027 (7 of 10 years): 7000 × (1 − 0.42 × 0.7)
    # = 4942 t. Under 2.0, Scope 1+2 location-based 900 + 5000 = 5900 > 4942, and
    # 5900 − 7000 = −1100 ≤ 4942 with credits → fail.
    facts = dict(targets=(target(base_year_emissions=Decimal("7000")),))
    found = v2("X-03", **facts)
    assert found.outcome is FAIL and "5900 > path 4942.00" in found.evidence["needing_credits"]
    # The same facts under the near-term criteria (market-based, SBTI-08): 900 + 4000 = 4900
    # ≤ 4942 → on track without credits.
    assert one(year_2027(**facts), "SBTI-06", claim=NEAR).outcome is PASS
    # No credits retired, nothing to exclude: 5900 > 4942 either way, not this rule's concern.
    assert v2("X-03", credits_retired_tco2e=Decimal(0), **facts).outcome is PASS


@pytest.mark.parametrize("facts", [
    dict(),
    dict(emissions=None, targets=(target(),)),
    dict(targets=(target(set_on=None, coverage_percent=None, base_year_emissions=None),)),
    dict(targets=(target(target_year=2020), target(base_year=2031), long_term(), scope3()),
         sbti_category="A"),
    dict(emissions=Emissions(Decimal(0), Decimal(0), Decimal(0), Decimal(0)),
         targets=(target(scopes="1+2+3", kind="intensity", base_year_change_percent=Decimal("9")),)),
])
@pytest.mark.parametrize("end", [dt.date(2025, 12, 31), dt.date(2027, 12, 31)])
def test_no_sbti_check_breaks_on_odd_facts(facts: dict[str, Any], end: dt.date) -> None:
    # Odd but possible facts (no inventory, a zero inventory, a target ending in its base year,
    # a base year after the period) give findings, never a check that could not be evaluated.
    claim = Claim("iso_14068_1_2023", frameworks=("sbti-near-term", "sbti-net-zero"))
    found = findings(period(start=end.replace(month=1, day=1), end=end,
                            as_of=end + dt.timedelta(days=60), **facts), claim)
    sbti = [f for f in found if f.rule_set.startswith("sbti")]
    assert sbti and not [f for f in sbti if "could not be evaluated" in f.explanation.en]
