"""Certificate rules through the engine: GHG Protocol Scope 2 (2015 and the dormant revision
draft), RE100, GEC, I-REC, CCER and the GEC–CCER linkage, each with the rule file's parameters.

The default facts (tests/rule_facts.py): a 2025 period of a factory in China consuming
9000 MWh of purchased electricity; a GEC of production month 2025-03 from a 2019 solar plant,
retired on 2026-02-10 against CN; a CCER of 2024 offshore wind (CCER-01-002-V01).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from neutrality.rules.engine import Claim, applicable, judge_period, judge_retirement
from neutrality.rules.facts import Instrument, PeriodFacts, Retirement
from neutrality.rules.model import Finding, Outcome, Severity
from tests.rule_facts import (
    CATALOGUE,
    certificate,
    credit,
    findings,
    of_rule,
    one,
    period,
    replace,
    retirement,
)

ISO = "iso_14068_1_2023"
RE100 = Claim(ISO, ("re100",))
D = dt.date


def irec(**overrides: Any) -> Instrument:
    """An I-REC from a Chinese wind device, production December 2024, not subsidised."""
    values: dict[str, Any] = dict(
        scheme="IREC", serial="0000-0001-0000-0000-0000-0001 to 1000", registry="Evident",
        vintage_start=D(2024, 12, 1), vintage_end=D(2024, 12, 31), technology="wind_onshore",
        gec_project_code=None, quantity=1000)
    values.update(overrides)
    return certificate(**values)


def year(y: int, **overrides: Any) -> PeriodFacts:
    return period(start=D(y, 1, 1), end=D(y, 12, 31), as_of=D(y + 1, 3, 1), **overrides)


def outcome(facts: PeriodFacts, rule_id: str, retired: Retirement | None = None,
            claim: Claim | None = None) -> Outcome:
    return one(facts, rule_id, retired, claim).outcome


def absent(facts: PeriodFacts, rule_id: str, claim: Claim | None = None) -> bool:
    """The rule does not judge this period (its set or its own dates do not cover it)."""
    return of_rule(findings(facts, claim), rule_id) == []


def with_params(set_key: str, rule_id: str, **params: Any) -> list:
    """The rule set in force in 2025 with one rule's parameters changed (a standard revising a
    figure), to show the parameter, not a constant, decides."""
    rule_set = CATALOGUE.in_force(set_key, D(2025, 12, 31))
    assert rule_set is not None
    rules = tuple(dataclasses.replace(r, params={**r.params, **params}) if r.id == rule_id else r
                  for r in rule_set.rules)
    return [dataclasses.replace(rule_set, rules=rules)]


def only(found: list[Finding], rule_id: str) -> Finding:
    [finding] = of_rule(found, rule_id)
    return finding


# --- which sets apply ----------------------------------------------------------------------------


def test_scheme_sets_apply_to_every_claim_and_re100_only_when_named() -> None:
    labels = [s.label for s in applicable(CATALOGUE, Claim(ISO), D(2025, 1, 1), D(2025, 12, 31)).sets]
    for label in ("ghg-protocol-scope2/2015", "gec/2024", "irec/2024", "ccer/2023",
                  "gec-ccer-linkage/2024"):
        assert label in labels
    assert "re100/2025" not in labels
    assert "re100/2025" in [s.label for s in applicable(CATALOGUE, RE100, D(2025, 1, 1),
                                                        D(2025, 12, 31)).sets]


def test_the_scope2_revision_draft_is_loaded_but_never_applied() -> None:
    # GHGP-06/07: consultation 20 Oct – 19 Dec 2025, final standard not before end-2027: dormant
    draft = CATALOGUE.get("ghg-protocol-scope2", "revision-draft")
    assert draft is not None and not draft.in_force_on(D(2028, 12, 31))
    for end in (D(2025, 12, 31), D(2028, 12, 31)):
        sets = applicable(CATALOGUE, RE100, D(end.year, 1, 1), end).sets
        assert draft not in sets
        assert CATALOGUE.in_force("ghg-protocol-scope2", end).version == "2015"


# --- certificates cover purchased electricity, never an offset ------------------------------


def test_x01_a_certificate_against_purchased_electricity_passes() -> None:
    # EACs "act only on Scope 2 market-based electricity"; retired against CN, where the
    # period bought 9000 MWh
    found = one(period(), "X-01", retirement(certificate()))
    assert found.outcome is Outcome.PASS and found.blocks is False
    assert found.evidence["electricity_mwh"] == "9000"


def test_x01_a_certificate_retired_against_no_market_is_an_offset_and_fails() -> None:
    # "The engine must never turn MWh of EACs into tCO2e offsets": no market = no Scope 2
    found = one(period(), "X-01", retirement(certificate(), market=None))
    assert found.outcome is Outcome.FAIL and found.blocks


def test_x01_a_certificate_for_a_market_without_purchased_electricity_fails() -> None:
    # the market is named, but the period bought no electricity there: nothing in Scope 2 to cover
    facts = period(electricity_mwh_by_market={"CN": Decimal("0")})
    assert outcome(facts, "X-01", retirement(certificate())) is Outcome.FAIL
    facts = period(electricity_mwh_by_market={})
    assert outcome(facts, "X-01", retirement(certificate())) is Outcome.FAIL


def test_x01_judges_certificates_only() -> None:
    # the rule's instruments = ["eac"]: a carbon credit is not judged by it
    assert of_rule(judge_retirement(applicable(CATALOGUE, Claim(ISO), D(2025, 1, 1), D(2025, 12, 31)).sets,
                                    period(), retirement(credit())), "X-01") == []


# --- GHGP-04 criterion 5 and RE100-04: the market boundary ---------------------------------------


def test_ghgp04_market_a_chinese_certificate_for_chinese_consumption_passes() -> None:
    # criterion 5: "sourced from the same market as the reporting entity's operations": CN = CN
    assert outcome(period(), "GHGP-04-5", retirement(certificate())) is Outcome.PASS


def test_ghgp04_market_a_certificate_from_a_country_the_period_does_not_consume_in_fails() -> None:
    # a US certificate against a factory consuming only in China (markets = ("CN",))
    found = one(period(), "GHGP-04-5", retirement(certificate(country="US"), market="US"))
    assert found.outcome is Outcome.FAIL and found.blocks
    assert found.evidence["certificate_country"] == "US" and found.evidence["markets"] == "CN"


def test_ghgp04_market_a_certificate_retired_against_another_of_the_periods_markets_fails() -> None:
    # the subject consumes in CN and JP; a Chinese certificate cannot cover the Japanese electricity
    facts = period(markets=("CN", "JP"))
    assert outcome(facts, "GHGP-04-5", retirement(certificate(), market="JP")) is Outcome.FAIL
    assert outcome(facts, "GHGP-04-5", retirement(certificate(), market="CN")) is Outcome.PASS


def test_ghgp04_market_a_certificate_of_unknown_country_fails_saying_so() -> None:
    # without the project's country the criterion cannot be shown met: a failure naming what is
    # missing, not a pass
    found = one(period(), "GHGP-04-5", retirement(certificate(country=None)))
    assert found.outcome is Outcome.FAIL and "not recorded" in found.explanation.en


def test_re100_04_china_is_one_national_market() -> None:
    # RE100-04: the default boundary is the country; "Consumption in China can only be matched
    # with Chinese GECs": a certificate from another province of China passes, one from Hong Kong
    # (its own market, HK) does not
    far = certificate(region="CN-GS")
    assert outcome(period(), "RE100-04", retirement(far), RE100) is Outcome.PASS
    found = one(period(), "RE100-04", retirement(certificate(country="HK"), market="CN"), RE100)
    assert found.outcome is Outcome.FAIL and found.blocks and found.confirmed


def test_re100_04_usa_and_canada_are_one_market() -> None:
    # RE100-04: "USA + Canada form one market": a US certificate covers Canadian consumption
    facts = period(markets=("CA",), electricity_mwh_by_market={"CA": Decimal("500")})
    us = retirement(certificate(country="US", scheme="REC", serial="REC-1"), market="CA")
    assert outcome(facts, "RE100-04", us, RE100) is Outcome.PASS
    mexican = retirement(certificate(country="MX", scheme="IREC", serial="MX-1"), market="CA")
    assert outcome(facts, "RE100-04", mexican, RE100) is Outcome.FAIL


# --- GHGP-04 criterion 4 and RE100-07: vintage ---------------------------------------------------


def test_vintage_production_within_the_period_passes() -> None:
    # production March 2025 overlaps the 2025 period. GHGP-04 criterion 4 blocks what it refuses
    # (a verdict no standard would sign is worse than none); RE100-07, "reasonably close", warns.
    # Both sources are [P]/[U]: unconfirmed.
    for rule_id, severity in (("GHGP-04-4", Severity.BLOCKING), ("RE100-07", Severity.WARNING)):
        found = one(period(), rule_id, retirement(certificate()), RE100)
        assert found.outcome is Outcome.PASS
        assert (found.severity, found.confirmed) == (severity, False)


def test_vintage_production_before_the_period_fails() -> None:
    # production December 2024, consumption 2025, tolerance 0 months: 2024-12-31 < 2025-01-01;
    # the GHG Protocol rule blocks, RE100's warns
    old = retirement(certificate(vintage_start=D(2024, 12, 1), vintage_end=D(2024, 12, 31)))
    for rule_id, blocks in (("GHGP-04-4", True), ("RE100-07", False)):
        found = one(period(), rule_id, old, RE100)
        assert found.outcome is Outcome.FAIL and found.blocks is blocks
        assert found.evidence["window"] == "2025-01-01…2025-12-31"


def test_vintage_tolerance_months_come_from_the_rule() -> None:
    # with a 1-month tolerance the window opens on 2024-12-01: December 2024 production passes,
    # November 2024 (ends 2024-11-30) still fails
    sets = with_params("ghg-protocol-scope2", "GHGP-04-4", tolerance_months=1)
    dec = retirement(certificate(vintage_start=D(2024, 12, 1), vintage_end=D(2024, 12, 31)))
    nov = retirement(certificate(vintage_start=D(2024, 11, 1), vintage_end=D(2024, 11, 30)))
    assert only(judge_retirement(sets, period(), dec), "GHGP-04-4").outcome is Outcome.PASS
    assert only(judge_retirement(sets, period(), nov), "GHGP-04-4").outcome is Outcome.FAIL


def test_vintage_unknown_production_fails_saying_what_is_missing() -> None:
    found = one(period(), "GHGP-04-4", retirement(certificate(vintage_start=None, vintage_end=None)))
    assert found.outcome is Outcome.FAIL and "not recorded" in found.explanation.en


# --- RE100-03: 15-year plant age, 15 % exempt ----------------------------------------------------


def _cert(serial: str, mwh: int, commissioned: dt.date | None, **more: Any) -> Instrument:
    return certificate(serial=serial, quantity=mwh, commissioning_date=commissioned, **more)


def _ages(*retired: Retirement, **overrides: Any) -> PeriodFacts:
    return period(retirements=retired, **overrides)


def test_re100_03_old_plants_within_the_15_percent_exemption_pass() -> None:
    # 2025 consumption 9000 MWh → 15 % = 1350 MWh may come from plants older than 15 years.
    # Oldest allowed year 2025 − 15 = 2010: a 2009 plant is old; its 1000 MWh ≤ 1350 → pass
    facts = _ages(retirement(_cert("A", 1000, D(2009, 6, 30))),
                  retirement(_cert("B", 800, D(2019, 6, 30)), id=2))
    found = one(facts, "RE100-03", None, RE100)
    assert found.outcome is Outcome.PASS
    assert (found.evidence["exempt_allowance_mwh"], found.evidence["old_or_unknown_mwh"]) == ("1350.00", "1000")


def test_re100_03_old_plants_beyond_the_exemption_fail() -> None:
    # 1400 MWh from a 2009 plant > 1350 MWh exempt → blocking failure naming the serial
    facts = _ages(retirement(_cert("A", 1400, D(2009, 6, 30))))
    found = one(facts, "RE100-03", None, RE100)
    assert found.outcome is Outcome.FAIL and found.blocks
    assert found.evidence["old_serials"] == "A" and found.evidence["oldest_plant_year"] == "2010"


def test_re100_03_a_plant_of_2010_or_repowered_recently_is_within_the_limit() -> None:
    # 2025 − 2010 = 15 ≤ 15: within the limit (boundary as the research's formula has it);
    # a 1990 plant re-powered in 2015 counts from 2015
    facts = _ages(retirement(_cert("A", 5000, D(2010, 1, 1))),
                  retirement(_cert("B", 3000, D(1990, 1, 1), repowering_date=D(2015, 5, 1)), id=2))
    assert outcome(facts, "RE100-03", None, RE100) is Outcome.PASS


def test_re100_03_unknown_age_counts_as_old_and_exemptions_are_left_out() -> None:
    # 2000 MWh of unknown commissioning > 1350 → fail, saying so
    unknown = retirement(_cert("U", 2000, None))
    found = one(_ages(unknown), "RE100-03", None, RE100)
    assert found.outcome is Outcome.FAIL and "unknown commissioning" in found.explanation.en
    # self-generation is unrestricted, and a contract signed 2023-12-31 (before 2024-01-01) is
    # grandfathered: neither counts, so 2000 + 2000 MWh of 2001 plants pass
    own = retirement(_cert("S", 2000, D(2001, 1, 1)), procurement="self_generation")
    old_contract = retirement(_cert("G", 2000, D(2001, 1, 1)), id=2, procurement="green_tariff",
                              contract_signed_on=D(2023, 12, 31))
    assert outcome(_ages(own, old_contract), "RE100-03", None, RE100) is Outcome.PASS
    # a contract signed on 2024-01-01 is not grandfathered: 2000 > 1350 fails
    new_contract = replace(old_contract, contract_signed_on=D(2024, 1, 1))
    assert outcome(_ages(new_contract), "RE100-03", None, RE100) is Outcome.FAIL


def test_re100_03_parameters_come_from_the_rule() -> None:
    # the same 1400 MWh passes if the exemption were 20 % (1800 MWh)
    sets = with_params("re100", "RE100-03", exempt_share=Decimal("0.20"))
    facts = _ages(retirement(_cert("A", 1400, D(2009, 6, 30))))
    assert only(judge_period(sets, facts), "RE100-03").outcome is Outcome.PASS


def test_re100_03_applies_from_2024_and_not_without_certificates() -> None:
    # "applies to electricity procured from 1 Jan 2024": a 2023 period is not judged by it
    old = retirement(_cert("A", 9000, D(2001, 1, 1)))
    assert absent(year(2023, retirements=(old,)), "RE100-03", RE100)
    assert outcome(year(2024, retirements=(old,)), "RE100-03", None, RE100) is Outcome.FAIL
    assert outcome(period(), "RE100-03", None, RE100) is Outcome.NOT_APPLICABLE


# --- RE100-05, CN-GEC-08, IREC-07: China GEC-only from 2025 production -------------------------


def test_re100_05_a_gec_covers_chinese_consumption() -> None:
    assert outcome(period(), "RE100-05", retirement(certificate()), RE100) is Outcome.PASS


def test_re100_05_an_irec_of_2025_production_for_chinese_consumption_fails() -> None:
    # RE100-05: "for Chinese consumption from 2025 on, accept GEC and reject I-REC"
    late = irec(vintage_start=D(2025, 1, 1), vintage_end=D(2025, 1, 31))
    found = one(period(), "RE100-05", retirement(late), RE100)
    assert found.outcome is Outcome.FAIL and found.blocks
    # 2024 production (December) is before 2025-01-01: still accepted
    assert outcome(year(2024), "RE100-05", retirement(irec()), RE100) is Outcome.PASS
    # consumption outside China is not this rule's
    facts = period(markets=("JP",), electricity_mwh_by_market={"JP": Decimal("10")})
    jp = retirement(irec(country="JP", vintage_start=D(2025, 1, 1), vintage_end=D(2025, 1, 31)),
                    market="JP")
    assert outcome(facts, "RE100-05", jp, RE100) is Outcome.NOT_APPLICABLE


def test_cn_gec_08_and_irec_07_refuse_irecs_for_chinese_production_after_2024() -> None:
    # IREC-07: issuance for Chinese production "up to 31 Dec 2024" only; CN-GEC-08: GEC the only
    # certificate. A January 2025 I-REC fails both; a December 2024 one passes both
    late = retirement(irec(vintage_start=D(2025, 1, 1), vintage_end=D(2025, 1, 31)))
    early = retirement(irec())
    for rule_id in ("CN-GEC-08", "IREC-07"):
        assert outcome(period(), rule_id, late) is Outcome.FAIL
        assert outcome(period(), rule_id, early) is Outcome.PASS
    # a production period running across the cut-off (Dec 2024 – Jan 2025) includes 2025: fails
    across = retirement(irec(vintage_end=D(2025, 1, 31)))
    assert outcome(period(), "IREC-07", across) is Outcome.FAIL
    # a GEC passes CN-GEC-08; an I-REC from India is not its concern
    assert outcome(period(), "CN-GEC-08", retirement(certificate())) is Outcome.PASS
    indian = retirement(irec(country="IN", vintage_start=D(2025, 1, 1), vintage_end=D(2025, 1, 31)))
    assert outcome(period(), "IREC-07", indian) is Outcome.NOT_APPLICABLE
    # the refusal says so in each language, with no English inside the Chinese sentences
    said = one(period(), "CN-GEC-08", late).explanation
    assert said.en == ("the IREC certificate is for production 2025-01-01…2025-01-31: for generation in CN, "
                       "production from 2025-01-01 on is proven by GEC only")
    assert said.zh_Hans == "该 IREC 证书的生产期间为 2025-01-01…2025-01-31：CN 境内的发电自 2025-01-01 起只能以 GEC 证明"
    assert said.zh_Hant == "該 IREC 憑證的生產期間為 2025-01-01…2025-01-31：CN 境內的發電自 2025-01-01 起只能以 GEC 證明"


# --- CN-GEC-04: validity ------------------------------------------------------------------------


def _gec(month: dt.date) -> Instrument:
    return certificate(vintage_start=month, vintage_end=D(month.year, month.month, 28))


@pytest.mark.parametrize(("month", "retired_on", "expected"), [
    # two years "counted from the production month, that month included": 2025-03 + 23 months =
    # 2027-02, valid to 2027-02-28
    (D(2025, 3, 1), D(2027, 2, 28), Outcome.PASS),
    (D(2025, 3, 1), D(2027, 3, 1), Outcome.FAIL),
    # 2024-01 + 23 = 2025-12: valid to 2025-12-31
    (D(2024, 1, 1), D(2025, 12, 31), Outcome.PASS),
    (D(2024, 1, 1), D(2026, 1, 1), Outcome.FAIL),
    # production before 2024: valid until the end of 2025, whatever the month
    (D(2023, 6, 1), D(2025, 12, 31), Outcome.PASS),
    (D(2023, 6, 1), D(2026, 1, 2), Outcome.FAIL),
])
def test_cn_gec_04_validity(month: dt.date, retired_on: dt.date, expected: Outcome) -> None:
    found = one(period(), "CN-GEC-04", retirement(_gec(month), retired_on=retired_on))
    assert found.outcome is expected
    assert found.blocks is (expected is Outcome.FAIL)


def test_cn_gec_04_the_count_of_months_is_a_parameter() -> None:
    # if NEA practice turned out to be + 24 (25 months counted), 2027-03-01 would still be valid
    sets = with_params("gec", "CN-GEC-04", validity_months=25)
    found = only(judge_retirement(sets, period(), retirement(_gec(D(2025, 3, 1)), retired_on=D(2027, 3, 1))),
                 "CN-GEC-04")
    assert found.outcome is Outcome.PASS and found.evidence["valid_until"] == "2027-03-31"


def test_gec_rules_start_with_the_2024_rules() -> None:
    # 国能发新能规〔2024〕67号 signed 2024-08-26: a 2023 period is not judged by the GEC set
    assert absent(year(2023, retirements=(retirement(certificate()),)), "CN-GEC-04")
    assert not absent(year(2024, retirements=(retirement(certificate()),)), "CN-GEC-04")


# --- IREC-06: FiT-subsidised Chinese devices -----------------------------------------------------


def test_irec_06_subsidy() -> None:
    # "FiT-receiving Chinese generators became ineligible from 1 Jan 2023"
    assert outcome(year(2024), "IREC-06", retirement(irec(subsidised=False))) is Outcome.PASS
    fit = one(year(2024), "IREC-06", retirement(irec(subsidised=True)))
    assert fit.outcome is Outcome.FAIL and fit.blocks
    # unknown status: blocking (the rule is [C]), and the explanation says what to record
    unknown = one(year(2024), "IREC-06", retirement(irec(subsidised=None)))
    assert unknown.outcome is Outcome.FAIL and unknown.blocks and "not recorded" in unknown.explanation.en
    # 2022 production (ends 2022-12-31 < 2023-01-01) is not affected; nor is a device outside China
    old = irec(subsidised=True, vintage_start=D(2022, 12, 1), vintage_end=D(2022, 12, 31))
    assert outcome(year(2024), "IREC-06", retirement(old)) is Outcome.NOT_APPLICABLE
    assert outcome(year(2024), "IREC-06", retirement(irec(country="VN", subsidised=True))) is Outcome.NOT_APPLICABLE


# --- CCER: CN-CCER-03, CN-CCER-07 ----------------------------------------------------------------


def test_cn_ccer_03_reductions_after_22_september_2020() -> None:
    # "Emission reductions must occur after 22 Sep 2020": from 2020-09-23 passes, 2020-09-22 fails
    ok = credit(vintage_start=D(2020, 9, 23), vintage_end=D(2020, 12, 31))
    early = credit(vintage_start=D(2020, 9, 22), vintage_end=D(2020, 12, 31))
    assert outcome(period(), "CN-CCER-03", retirement(ok)) is Outcome.PASS
    assert one(period(), "CN-CCER-03", retirement(early)).blocks
    unknown = credit(vintage_start=None, vintage_end=None)
    assert outcome(period(), "CN-CCER-03", retirement(unknown)) is Outcome.FAIL


def test_cn_ccer_07_cancelled_in_the_registry() -> None:
    # a CCER counts only if cancelled (注销) in the national registry: a reference is recorded
    assert outcome(period(), "CN-CCER-07", retirement(credit())) is Outcome.PASS
    found = one(period(), "CN-CCER-07", retirement(credit(), registry_reference=" "))
    assert found.outcome is Outcome.FAIL and "注销" in found.explanation.zh_Hans
    assert "註銷" in found.explanation.zh_Hant


def test_cn_ccer_07_waits_for_a_candidate_to_be_cancelled() -> None:
    # a held CCER the planner weighs (id None, no reference yet) is not refused for lacking the
    # cancellation reference it can only get once retired; a recorded one without it still is
    candidate = retirement(credit(), id=None, registry_reference="")
    assert outcome(period(), "CN-CCER-07", candidate) is Outcome.NOT_APPLICABLE
    assert one(period(), "CN-CCER-07", retirement(credit(), registry_reference="")).blocks


def test_ccer_rules_start_with_the_2023_measures() -> None:
    # the Measures took effect on 2023-10-19: a period ending 2023-06-30 is not judged by them
    facts = period(start=D(2022, 7, 1), end=D(2023, 6, 30), retirements=(retirement(credit()),))
    assert absent(facts, "CN-CCER-07")
    assert not absent(period(retirements=(retirement(credit()),)), "CN-CCER-07")


# --- GEC–CCER linkage: CN-LNK-01/02/03 -----------------------------------------------------------

CODE = "11320922230500012"


def _ccer(**overrides: Any) -> Instrument:
    values: dict[str, Any] = dict(gec_project_code=CODE, vintage_start=D(2025, 1, 1),
                                  vintage_end=D(2025, 6, 30))
    values.update(overrides)
    return credit(**values)


def test_cn_lnk_01_only_deep_sea_offshore_wind_and_solar_thermal_during_the_transition() -> None:
    # "deep-sea offshore wind and CSP may choose GEC or CCER; other wind and solar PV projects
    # will not be newly admitted to CCER"
    assert outcome(period(), "CN-LNK-01", retirement(credit())) is Outcome.PASS  # CCER-01-002-V01
    csp = credit(technology="csp", methodology="")
    assert outcome(period(), "CN-LNK-01", retirement(csp)) is Outcome.PASS
    onshore = credit(technology="wind_onshore", methodology="")
    found = one(period(), "CN-LNK-01", retirement(onshore))
    assert found.outcome is Outcome.FAIL and found.blocks
    # offshore wind not shown deep-sea (no deep-sea methodology): fails
    assert outcome(period(), "CN-LNK-01", retirement(credit(methodology="other"))) is Outcome.FAIL
    forest = credit(technology="afforestation", methodology="CCER-14-001-V01")
    assert outcome(period(), "CN-LNK-01", retirement(forest)) is Outcome.NOT_APPLICABLE


def test_cn_lnk_01_02_switch_at_the_transition_dates() -> None:
    onshore = retirement(credit(technology="wind_onshore", methodology=""))
    # the notice took effect 2024-10-01: a period ending 2024-09-30 is before it
    assert absent(period(start=D(2023, 10, 1), end=D(2024, 9, 30), retirements=(onshore,)), "CN-LNK-01")
    # a 2024 period overlaps 2024-10-01…: judged, and nothing said about a successor
    in_2024 = one(year(2024), "CN-LNK-01", onshore)
    assert in_2024.outcome is Outcome.FAIL and "successor_unknown" not in in_2024.evidence
    # 2026 overlaps the transition's end (2026-09-30) and ends after it: the successor is unknown
    in_2026 = one(year(2026), "CN-LNK-01", onshore)
    assert in_2026.evidence["successor_unknown"] == "true"
    assert "2026-09-30" in in_2026.explanation.en and "過渡期" in in_2026.explanation.zh_Hant
    # 2027 is after the transition: neither transition rule applies; CN-LNK-03 still does
    gec = retirement(certificate(vintage_start=D(2027, 1, 1), vintage_end=D(2027, 1, 31)), id=5)
    facts = year(2027, retirements=(onshore, gec))
    assert absent(facts, "CN-LNK-01") and absent(facts, "CN-LNK-02")
    assert not absent(facts, "CN-LNK-03")


def test_cn_lnk_02_a_gec_for_generation_that_earned_ccers_fails() -> None:
    # the GEC of March 2025 and a CCER of Jan–Jun 2025 from the same project (same 建档立卡编码)
    gec = retirement(certificate())
    ccer = retirement(_ccer(), id=2)
    found = one(period(retirements=(gec, ccer)), "CN-LNK-02", gec)
    assert found.outcome is Outcome.FAIL and found.blocks
    assert found.evidence["counterpart_serials"] == "CCER-2024-000001-001000"
    # a CCER merely held (not retired) for that generation is a double count all the same
    held = period(retirements=(gec,), holdings=(_ccer(),))
    assert outcome(held, "CN-LNK-02", gec) is Outcome.FAIL
    # CCERs of the second half of 2025 do not overlap March 2025
    later = retirement(_ccer(vintage_start=D(2025, 7, 1), vintage_end=D(2025, 12, 31)), id=2)
    assert outcome(period(retirements=(gec, later)), "CN-LNK-02", gec) is Outcome.PASS


def test_cn_lnk_03_a_ccer_for_generation_that_earned_gecs_fails_permanently() -> None:
    ccer = retirement(_ccer(), id=2)
    gec = retirement(certificate())
    found = one(period(retirements=(gec, ccer)), "CN-LNK-03", ccer)
    assert found.outcome is Outcome.FAIL and found.blocks and found.confirmed
    # another project's GEC is no double count
    other = retirement(certificate(gec_project_code="99999999999999999"))
    assert outcome(period(retirements=(other, ccer)), "CN-LNK-03", ccer) is Outcome.PASS
    # after the transition (2027) the rule still holds
    ccer27 = retirement(_ccer(vintage_start=D(2027, 1, 1), vintage_end=D(2027, 6, 30)), id=2)
    gec27 = retirement(certificate(vintage_start=D(2027, 2, 1), vintage_end=D(2027, 2, 28)))
    assert outcome(year(2027, retirements=(gec27, ccer27)), "CN-LNK-03", ccer27) is Outcome.FAIL
    # without the project's GEC code the pair cannot be matched: not applicable here …
    assert outcome(period(), "CN-LNK-03", retirement(credit())) is Outcome.NOT_APPLICABLE


def test_cn_lnk_03_code_a_renewable_ccer_without_its_gec_code_is_a_warning() -> None:
    # … and a warning of its own for a wind/solar CCER, which also earns GECs
    found = one(period(), "CN-LNK-03-CODE", retirement(credit()))
    assert found.outcome is Outcome.FAIL and not found.blocks
    assert outcome(period(), "CN-LNK-03-CODE", retirement(_ccer())) is Outcome.PASS
    forest = credit(technology="afforestation")
    assert outcome(period(), "CN-LNK-03-CODE", retirement(forest)) is Outcome.NOT_APPLICABLE


# --- the revision draft (dormant): judged only when its set is asked for -------------------------


def _draft() -> list:
    draft = CATALOGUE.get("ghg-protocol-scope2", "revision-draft")
    assert draft is not None
    return [draft]


def test_ghgp07_hourly_matching_above_the_exemption_threshold() -> None:
    # draft thresholds 5, 10 or 50 GWh/yr; the file takes 5 GWh = 5000 MWh. 9000 MWh > 5000: the
    # certificates would have to be matched hourly, which monthly GECs cannot show
    found = only(judge_period(_draft(), period()), "GHGP-07-HOURLY")
    assert found.outcome is Outcome.FAIL and found.evidence["exemption_threshold_mwh"] == "5000"
    small = period(electricity_mwh_by_market={"CN": Decimal("4000")})
    assert only(judge_period(_draft(), small), "GHGP-07-HOURLY").outcome is Outcome.PASS


def test_ghgp07_deliverability() -> None:
    # "instruments must come from the consumer's market or grid region": China stays one national
    # market (its boundary under the draft is undefined): CN passes, a Vietnamese certificate fails
    ok = only(judge_retirement(_draft(), period(), retirement(certificate())), "GHGP-07-DELIVER")
    assert ok.outcome is Outcome.PASS
    foreign = retirement(certificate(country="VN"), market="VN")
    assert only(judge_retirement(_draft(), period(), foreign), "GHGP-07-DELIVER").outcome is Outcome.FAIL


# --- the default facts -----------------------------------------------------------------------------


def test_the_default_certificate_and_credit_pass_every_blocking_certificate_rule() -> None:
    facts = period(retirements=(retirement(certificate()), retirement(credit(), id=2)))
    assert [f.rule_id for f in findings(facts, RE100) if f.blocks] == []
    # every explanation is given in three languages, the Traditional one not the Simplified text
    for f in findings(facts, RE100):
        assert f.explanation.en and f.explanation.zh_Hans and f.explanation.zh_Hant
        assert f.explanation.zh_Hant != f.explanation.zh_Hans, f.rule_id
