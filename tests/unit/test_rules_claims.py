"""The claim standards' rules (ISO 14068-1:2023, PAS 2060:2014) and the zero-carbon factory
guidance, through the engine with the real rule files: each rule passes, fails (or does not
apply) where its clause says, and the sets switch on and off at their dates.

The base facts (tests/rule_facts.py): a 2025 period (sequence 2) of 盐城电池片工厂 under
ISO 14068-1, inventory verified, 6900 tCO2e residual and 7000 tCO2e of credits retired; a CCER
credit of vintage 2024-01-01..2024-12-31 retired on 2026-02-10 for "盐城电池片工厂 2025 年度碳中和".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from neutrality.rules.engine import Claim, applicable, evaluate, judge_retirement
from neutrality.rules.facts import Emissions, PeriodFacts
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

D = Decimal
PASS, FAIL, NA = Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE


def pas_period(**overrides: Any) -> PeriodFacts:
    """The base period under PAS 2060 (its 2025 period ends on the last day PAS still applies)."""
    return period(standard="pas_2060_2014", **overrides)


def factory_period(**overrides: Any) -> PeriodFacts:
    """The factory's 2026 period as a 零碳工厂 declaration under ISO 14068-1."""
    values: dict[str, Any] = dict(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                                  as_of=dt.date(2027, 3, 1), zero_carbon_factory=True)
    values.update(overrides)
    return period(**values)


def sets_applied(facts: PeriodFacts) -> set[str]:
    claim = Claim(facts.standard, zero_carbon_factory=facts.zero_carbon_factory)
    return {s.label for s in applicable(CATALOGUE, claim, facts.start, facts.end).sets}


def judged(facts: PeriodFacts, rule_id: str, retired: Any) -> list[Finding]:
    claim = Claim(facts.standard, zero_carbon_factory=facts.zero_carbon_factory)
    sets = applicable(CATALOGUE, claim, facts.start, facts.end).sets
    return of_rule(judge_retirement(sets, facts, retired), rule_id)


def explained(finding: Finding) -> None:
    """Every finding explains itself in the three languages, the 繁體 text not the 简体 one."""
    text = finding.explanation
    assert text.en and text.zh_Hans and text.zh_Hant
    assert text.zh_Hans != text.zh_Hant or text.zh_Hans.isascii()


# --- the sets and their dates ---------------------------------------------------------------------


def test_iso_applies_from_its_publication_day() -> None:
    # ISO-00: published 2023-11-30. A period ending 2023-06-30 has no ISO version in force, and
    # none earlier: no ISO rule judges it. A period ending 2023-12-31 is judged by the 2023 edition.
    early = period(start=dt.date(2022, 7, 1), end=dt.date(2023, 6, 30), as_of=dt.date(2023, 9, 1))
    assert "iso-14068-1/2023" not in sets_applied(early)
    assert not [f for f in findings(early) if f.rule_set == "iso-14068-1/2023"]
    later = period(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    assert "iso-14068-1/2023" in sets_applied(later)


def test_pas_2060_applies_to_periods_ending_by_2025_12_31() -> None:
    # X-02 / PAS-00: withdrawn 2025-11-30; new declarations refused for periods ending after
    # 2025-12-31. The 2025 period ends on 2025-12-31: PAS applies, no "not in force" finding.
    found = findings(pas_period())
    assert not of_rule(found, "IN-FORCE")
    assert of_rule(found, "PAS-11")
    assert CATALOGUE.get("pas-2060", "2014").status.value == "legacy"


def test_pas_2060_is_not_in_force_for_a_period_ending_in_2026() -> None:
    # A 2026 period ends 2026-12-31 > 2025-12-31: the engine applies PAS 2060 still (its latest
    # version) and adds a blocking "not in force" finding naming 2025-12-31.
    facts = pas_period(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    [note] = of_rule(findings(facts), "IN-FORCE")
    assert note.blocks
    assert note.evidence == {"period_end": "2026-12-31", "in_force_to": "2025-12-31"}
    # A period that ends one day after the cut-off is refused as well.
    facts = pas_period(start=dt.date(2025, 1, 2), end=dt.date(2026, 1, 1))
    assert of_rule(findings(facts), "IN-FORCE")


def test_pas_2060_2014_does_not_judge_periods_before_it_came_into_effect() -> None:
    # PAS-00: the 2014 version came into effect on 2014-04-30; a period ending 2013-12-31 falls
    # before it, and no earlier version is catalogued.
    facts = pas_period(start=dt.date(2013, 1, 1), end=dt.date(2013, 12, 31))
    assert "pas-2060/2014" not in sets_applied(facts)


def test_zero_carbon_factory_rules_apply_from_2026_01_14() -> None:
    # CN-ZCF-04: 工信部联节〔2026〕13号 issued and in force on 2026-01-14. The 2025 period (ends
    # 2025-12-31) is before it; a 2026 period, or one ending 2026-06-30, is judged by it.
    assert "cn-zero-carbon-factory/2026" not in sets_applied(period(zero_carbon_factory=True))
    assert "cn-zero-carbon-factory/2026" in sets_applied(factory_period())
    straddling = factory_period(start=dt.date(2025, 7, 1), end=dt.date(2026, 6, 30))
    assert "cn-zero-carbon-factory/2026" in sets_applied(straddling)
    # Without a 零碳工厂 declaration the guidance does not judge the period.
    assert "cn-zero-carbon-factory/2026" not in sets_applied(factory_period(zero_carbon_factory=False))


def test_a_clean_iso_period_has_no_blocking_finding() -> None:
    # Everything in the base facts satisfies ISO 14068-1: only the quality flags warn (a CCER has
    # no recorded CCP, CORSIA or corresponding-adjustment label), and the GEC–CCER linkage set
    # warns that this offshore-wind CCER has no GEC project code recorded to check double benefit.
    facts = period(retirements=(retirement(),))
    applied = applicable(CATALOGUE, Claim(facts.standard), facts.start, facts.end)
    result = evaluate(applied, facts)
    assert result.blocking() == ()
    warned = {f.rule_id for f in result.findings if f.outcome is FAIL}
    assert warned == {"ICVCM-02", "CORSIA-02", "ICVCM-06", "CN-LNK-03-CODE"}
    for finding in result.findings:
        explained(finding)


# --- ex-post (ISO-20, PAS-43) ---------------------------------------------------------------------


@pytest.mark.parametrize(("facts", "rule_id"), [(period(), "ISO-20"), (pas_period(), "PAS-43")])
def test_ex_post_credit_passes(facts: PeriodFacts, rule_id: str) -> None:
    # PAS 9.1.2(d) "issued only after the reduction has taken place"; ISO §11.1 ex-post only.
    # Vintage ends 2024-12-31, issued 2025-04-15, retired 2026-02-10: both after the vintage.
    retired = retirement(credit(issued_on=dt.date(2025, 4, 15)))
    finding = one(facts, rule_id, retired)
    assert finding.outcome is PASS
    assert finding.evidence["vintage_end"] == "2024-12-31"
    explained(finding)


@pytest.mark.parametrize(("facts", "rule_id"), [(period(), "ISO-20"), (pas_period(), "PAS-43")])
def test_forward_crediting_fails(facts: PeriodFacts, rule_id: str) -> None:
    # Issued 2024-06-30, before the vintage ends on 2024-12-31: issued for reductions to come.
    retired = retirement(credit(issued_on=dt.date(2024, 6, 30)))
    finding = one(facts, rule_id, retired)
    assert finding.blocks
    assert finding.evidence["issued_on"] == "2024-06-30"


def test_retired_before_its_vintage_ended_fails() -> None:
    # Retired on 2024-12-31, the vintage's last day: the reduction was not over when it was used.
    finding = one(period(), "ISO-20", retirement(retired_on=dt.date(2024, 12, 31)))
    assert finding.blocks
    assert finding.evidence["retired_on"] == "2024-12-31"


def test_a_credit_without_a_vintage_end_fails_saying_it_is_missing() -> None:
    # Nothing shows the reduction happened before the credit: the claim cannot rely on it.
    finding = one(period(), "ISO-20", retirement(credit(vintage_end=None)))
    assert finding.blocks
    assert "not recorded" in finding.explanation.en


def test_credit_rules_do_not_judge_certificates() -> None:
    # instruments = ["carbon_credit"]: a GEC (an EAC, MWh) is no offset.
    gec = retirement(certificate())
    for rule_id in ("ISO-20", "ISO-21", "ISO-22", "ISO-24", "ISO-10", "ICVCM-02"):
        assert judged(period(), rule_id, gec) == []
    for rule_id in ("PAS-43", "PAS-44", "PAS-46"):
        assert judged(pas_period(), rule_id, gec) == []
    assert judged(factory_period(), "CN-ZCF-09", replace(gec, purpose="配额清缴")) == []


# --- third-party verification (ISO-22, PAS-42) and the registry (PAS-46) --------------------------


@pytest.mark.parametrize(("facts", "rule_id"), [(period(), "ISO-22"), (pas_period(), "PAS-42")])
def test_a_scheme_verified_by_third_parties_passes(facts: PeriodFacts, rule_id: str) -> None:
    # PAS 9.1.2(c) / ISO §11.3(f): CCER and VCU are verified by accredited third parties
    # (schemes listed in the rule: VCU, GS_VER, CER, CCER, ACC).
    assert one(facts, rule_id, retirement()).outcome is PASS
    assert one(facts, rule_id, retirement(credit(scheme="VCU"))).outcome is PASS


@pytest.mark.parametrize(("facts", "rule_id"), [(period(), "ISO-22"), (pas_period(), "PAS-42")])
def test_a_scheme_not_known_to_verify_fails(facts: PeriodFacts, rule_id: str) -> None:
    # An in-house scheme is not among the listed programmes: no independent verifier is shown.
    finding = one(facts, rule_id, retirement(credit(scheme="INHOUSE")))
    assert finding.blocks
    assert finding.evidence["accepted"] == "VCU, GS_VER, CER, CCER, ACC"


def test_retired_in_a_public_registry_passes() -> None:
    # PAS 9.1.2(g): held in the CCER national registry, retirement reference R-1 recorded.
    finding = one(pas_period(), "PAS-46", retirement())
    assert finding.outcome is PASS
    assert finding.evidence["registry_reference"] == "R-1"


def test_no_registry_recorded_fails() -> None:
    finding = one(pas_period(), "PAS-46", retirement(credit(registry="")))
    assert finding.blocks


def test_a_recorded_retirement_without_the_registrys_reference_fails() -> None:
    # The registry's retirement number is the evidence it was retired there (9.1.2(g)).
    assert one(pas_period(), "PAS-46", retirement(registry_reference="")).blocks


def test_a_candidate_has_no_reference_yet_and_passes() -> None:
    # A candidate (not yet retired, id None) cannot carry the registry's reference.
    candidate = retirement(credit(block_id=5), id=None, registry_reference="")
    assert one(pas_period(), "PAS-46", candidate).outcome is PASS


def test_a_scheme_without_a_listed_registry_fails() -> None:
    assert one(pas_period(), "PAS-46", retirement(credit(scheme="INHOUSE"))).blocks


# --- the retirement names the subject or the period (ISO-24, PAS-46-PURPOSE) -----------------------


@pytest.mark.parametrize(("facts", "rule_id"), [(period(), "ISO-24"), (pas_period(), "PAS-46-PURPOSE")])
@pytest.mark.parametrize("purpose", [
    "盐城电池片工厂 2025 年度碳中和",  # names both
    "FY2025 carbon neutrality",  # the period's year
    "鹽城電池片工廠碳中和",  # the subject in 繁體: compared as 盐城电池片工厂
])
def test_a_purpose_naming_the_subject_or_year_passes(facts: PeriodFacts, rule_id: str, purpose: str) -> None:
    assert one(facts, rule_id, retirement(purpose=purpose)).outcome is PASS


@pytest.mark.parametrize(("facts", "rule_id"), [(period(), "ISO-24"), (pas_period(), "PAS-46-PURPOSE")])
def test_a_purpose_naming_neither_warns(facts: PeriodFacts, rule_id: str) -> None:
    # Registries' fields vary, so this is a warning: it fails but blocks nothing.
    finding = one(facts, rule_id, retirement(purpose="voluntary cancellation"))
    assert finding.outcome is FAIL and finding.severity is Severity.WARNING and not finding.blocks
    assert finding.evidence["years"] == "2025"
    explained(finding)


# --- retirement deadlines (ISO-21, PAS-44) --------------------------------------------------------


def test_iso_retired_on_the_last_day_passes() -> None:
    # ISO §11.2: retired no later than 12 months after the end of the reporting period:
    # 2025-12-31 + 12 months = 2026-12-31. Retired on 2026-12-31 → in time.
    finding = one(period(), "ISO-21", retirement(retired_on=dt.date(2026, 12, 31)))
    assert finding.outcome is PASS
    assert finding.evidence["deadline"] == "2026-12-31"


def test_iso_retired_a_day_late_fails() -> None:
    assert one(period(), "ISO-21", retirement(retired_on=dt.date(2027, 1, 1))).blocks


def test_iso_deadline_follows_the_period_end() -> None:
    # A period ending 2025-06-30: deadline 2026-06-30; retired 2026-07-01 is a day late.
    facts = period(start=dt.date(2024, 7, 1), end=dt.date(2025, 6, 30))
    finding = one(facts, "ISO-21", retirement(retired_on=dt.date(2026, 7, 1)))
    assert finding.blocks and finding.evidence["deadline"] == "2026-06-30"


def test_pas_deadline_waits_for_a_dated_declaration() -> None:
    # PAS 9.1.2(e) counts 12 months from the declaration of achievement: undated → not decided.
    finding = one(pas_period(), "PAS-44", retirement())
    assert finding.outcome is NA
    assert "once the declaration" in finding.explanation.en


def test_pas_retired_within_12_months_of_the_declaration_passes() -> None:
    # Declared 2026-03-31: deadline 2027-03-31; retired 2027-03-31 → in time.
    facts = pas_period(declaration_date=dt.date(2026, 3, 31))
    finding = one(facts, "PAS-44", retirement(retired_on=dt.date(2027, 3, 31)))
    assert finding.outcome is PASS and finding.evidence["deadline"] == "2027-03-31"


def test_pas_retired_more_than_12_months_after_the_declaration_fails() -> None:
    facts = pas_period(declaration_date=dt.date(2026, 3, 31))
    assert one(facts, "PAS-44", retirement(retired_on=dt.date(2027, 4, 1))).blocks


# --- the credit types intended (ISO-10, PAS-20) ---------------------------------------------------


@pytest.mark.parametrize(("standard", "rule_id"), [("iso_14068_1_2023", "ISO-10"), ("pas_2060_2014", "PAS-20")])
def test_intended_credit_types(standard: str, rule_id: str) -> None:
    # PAS 7(e): the offset strategy names the type of credits; ISO CNMP: the types of offset.
    # No types named → any credit; CCER named → a CCER passes.
    assert one(period(standard=standard), rule_id, retirement()).outcome is PASS
    named = period(standard=standard, intended_credit_types=("CCER", "VCU"))
    assert one(named, rule_id, retirement()).outcome is PASS
    # Only VCU and GS_VER intended → the CCER is outside the strategy: blocking, the types named.
    other = period(standard=standard, intended_credit_types=("VCU", "GS_VER"))
    finding = one(other, rule_id, retirement())
    assert finding.blocks
    assert "VCU, GS_VER" in finding.explanation.en


# --- quality labels, warnings (ICVCM-02, CORSIA-02, ICVCM-06) --------------------------------------


@pytest.mark.parametrize("standard", ["iso_14068_1_2023", "pas_2060_2014"])
@pytest.mark.parametrize(("rule_id", "label"), [
    ("ICVCM-02", "ccp"), ("CORSIA-02", "corsia"), ("ICVCM-06", "corresponding_adjustment"),
])
def test_quality_labels_warn(standard: str, rule_id: str, label: str) -> None:
    facts = period(standard=standard)
    # Labelled True → passes.
    assert one(facts, rule_id, retirement(credit(labels={label: True}))).outcome is PASS
    # Labelled False (a legacy renewable-energy credit gets no CCP, ICVCM-05) → a warning.
    without = one(facts, rule_id, retirement(credit(labels={label: False})))
    assert without.outcome is FAIL and without.severity is Severity.WARNING and not without.blocks
    # Not recorded (a CCER's CCP status is unknown, ICVCM-07) → a warning saying so.
    unknown = one(facts, rule_id, retirement())
    assert unknown.outcome is FAIL and not unknown.blocks
    assert "not known" in unknown.explanation.en
    explained(unknown)


# --- period rules: verification (ISO-32, CN-ZCF-07) ------------------------------------------------


@pytest.mark.parametrize(("maker", "rule_id"), [(period, "ISO-32"), (factory_period, "CN-ZCF-07")])
def test_inventory_verification(maker: Any, rule_id: str) -> None:
    # ISO-32: verification required to use the claim; 指南 §9.1 应委托具备资质的第三方机构开展碳排放核查.
    verified = one(maker(verification={"body": "SGS"}), rule_id)
    assert verified.outcome is PASS and verified.evidence["body"] == "SGS"
    unverified = one(maker(inventory_verified=False), rule_id)
    assert unverified.blocks
    explained(unverified)


@pytest.mark.parametrize(("maker", "rule_id"), [(period, "ISO-32"), (factory_period, "CN-ZCF-07")])
def test_a_verification_only_claimed_by_the_organisation_blocks(maker: Any, rule_id: str) -> None:
    # The lead recorded the verification (inventory frozen, status verified) but the appointed
    # verifier has not given its opinion: the claim rests on the organisation's word alone.
    claimed = one(maker(verification={"body": "SGS"}, verification_state="claimed"), rule_id)
    assert claimed.blocks
    assert claimed.evidence["state"] == "claimed" and claimed.evidence["inventory_verified"] == "True"
    assert "not yet confirmed by the appointed verifier" in claimed.explanation.en
    assert "尚未经指定核查机构确认" in claimed.explanation.zh_Hans
    assert "尚未經指定查證機構確認" in claimed.explanation.zh_Hant
    explained(claimed)
    # a verification whose state is not known is not taken as confirmed either
    assert one(maker(verification={"body": "SGS"}, verification_state=None), rule_id).blocks
    confirmed = one(maker(verification={"body": "SGS"}, verification_state="confirmed"), rule_id)
    assert confirmed.outcome is PASS and confirmed.evidence["state"] == "confirmed"


# --- PAS footprint coverage (PAS-11) and reductions (PAS-30) ---------------------------------------


def test_pas_exclusions_up_to_5_percent_pass() -> None:
    # ≥ 95 % coverage: exclusions of exactly 5 % leave 95 % covered → passes.
    finding = one(pas_period(excluded_share_percent=D("5")), "PAS-11")
    assert finding.outcome is PASS and finding.evidence["max_excluded_percent"] == "5"


def test_pas_exclusions_above_5_percent_fail() -> None:
    # 5.01 % excluded → 94.99 % covered < 95 %.
    finding = one(pas_period(excluded_share_percent=D("5.01")), "PAS-11")
    assert finding.blocks and finding.evidence["excluded_percent"] == "5.01"


def test_pas_coverage_without_an_inventory_fails() -> None:
    assert one(pas_period(emissions=None), "PAS-11").blocks


def test_pas_first_period_may_offset_only() -> None:
    # PAS-30: "offsetting alone ... only for the first application period" → not applicable.
    assert one(pas_period(sequence=1), "PAS-30").outcome is NA


def test_pas_absolute_reduction_passes() -> None:
    # Market-based totals: previous 1000 + 4500 + 2100 = 7600; now 900 + 4000 + 2000 = 6900 < 7600.
    previous = Emissions(D("1000"), D("5200"), D("4500"), D("2100"))
    finding = one(pas_period(earlier=(previous,)), "PAS-30")
    assert finding.outcome is PASS
    assert (finding.evidence["previous_tco2e"], finding.evidence["emissions_tco2e"]) == ("7600", "6900")


def test_pas_intensity_reduction_passes() -> None:
    # Previous 800 + 3500 + 1700 = 6000 tCO2e for 900 units = 6.67 t/unit; now 6900 for 1150
    # units = 6.00 t/unit: the total rose, the intensity fell → a reduction in intensity.
    previous = Emissions(D("800"), D("4000"), D("3500"), D("1700"), output=D("900"))
    now = Emissions(D("900"), D("5000"), D("4000"), D("2000"), output=D("1150"))
    finding = one(pas_period(emissions=now, earlier=(previous,)), "PAS-30")
    assert finding.outcome is PASS
    assert finding.evidence["intensity"] == "6"


def test_pas_no_reduction_fails() -> None:
    # The same 6900 tCO2e as the previous period, no output figures: no reduction is evident.
    same = Emissions(D("900"), D("5000"), D("4000"), D("2000"))
    finding = one(pas_period(earlier=(same,)), "PAS-30")
    assert finding.blocks
    explained(finding)


def test_pas_later_period_without_the_previous_figures_fails() -> None:
    # The base period is the second (sequence 2) and records no earlier figures.
    finding = one(pas_period(), "PAS-30")
    assert finding.blocks and "previous period" in finding.explanation.en


# --- zero-carbon factory: credits cover the residual (CN-ZCF-08), no other use (CN-ZCF-09) ---------


def test_factory_credits_covering_the_residual_pass() -> None:
    # 指南 §9.1 注: 排放量小于等于用以抵消的碳信用数量 → 7000 ≥ 6900, and 6900 ≥ 6900.
    assert one(factory_period(), "CN-ZCF-08").outcome is PASS
    assert one(factory_period(credits_retired_tco2e=D("6900")), "CN-ZCF-08").outcome is PASS


def test_factory_credits_short_of_the_residual_fail() -> None:
    # 6899.5 < 6900: 0.5 tCO2e short.
    finding = one(factory_period(credits_retired_tco2e=D("6899.5")), "CN-ZCF-08")
    assert finding.blocks and finding.evidence["shortfall_tco2e"] == "0.5"


def test_factory_residual_not_known_fails() -> None:
    assert one(factory_period(residual_tco2e=None), "CN-ZCF-08").blocks


def test_factory_credit_for_this_claim_passes() -> None:
    assert one(factory_period(), "CN-ZCF-09", retirement()).outcome is PASS


@pytest.mark.parametrize("purpose", ["2025年度配额清缴", "履約", "ETS Compliance surrender"])
def test_factory_credit_used_for_compliance_fails(purpose: str) -> None:
    # 指南 §9.1 注: 用于碳中和的碳信用……不作为任何其他用途使用 — a compliance retirement is another use.
    finding = one(factory_period(), "CN-ZCF-09", retirement(purpose=purpose))
    assert finding.blocks
    explained(finding)
