"""The readiness checklist from hand-built findings, balance and needs: which items, in which
order, with which figures and actions.

The period of every test: 2024 under ISO 14068-1 (retirement deadline 2025-12-31), 1,200 MWh of
grid electricity in CN. The residual with the certificates retired applied is 121.92 tCO2e (as in
tests/unit/test_balance.py: 200 MWh left uncovered × 0.6096).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from neutrality.claims.balance import PeriodBalance, RetiredUnits
from neutrality.claims.needs import CreditNeed, MarketNeed, PeriodNeeds
from neutrality.claims.readiness import Readiness, checklist
from neutrality.inventory.coverage import CoveragePosition, EacAllocation
from neutrality.rules.engine import Claim, applicable, evaluate
from neutrality.rules.model import Finding, Outcome, Severity, Text
from tests.rule_facts import CATALOGUE, credit, period, retirement

D = Decimal
DEADLINE = dt.date(2025, 12, 31)


def finding(rule_id: str, check: str, subject: str = "period", *, severity: Severity = Severity.BLOCKING,
            outcome: Outcome = Outcome.FAIL, **evidence: str) -> Finding:
    return Finding(
        rule_set="iso-14068-1/2023", rule_id=rule_id, clause="", severity=severity, confirmed=True,
        title=Text(f"title of {rule_id}", f"{rule_id} 的标题", f"{rule_id} 的標題"), outcome=outcome,
        explanation=Text(f"why {rule_id} fails", f"{rule_id} 未通过的原因", f"{rule_id} 未通過的原因"),
        evidence=evidence, subject=subject, check=check,
    )


def balance(*, residual: str | None = "121.92", credits: int = 122, verified: bool = True,
            eac_mwh: int = 1000) -> PeriodBalance:
    coverage = None if residual is None else CoveragePosition(
        sites=(), markets=(), allocation=EacAllocation({}, {}), gross_location_tco2e=D("660"),
        gross_market_tco2e=D("731.52"), residual_tco2e=D(residual), scope2_location_tco2e=D("660"),
        scope2_market_before_tco2e=D("731.52"), scope2_market_after_tco2e=D(residual))
    return PeriodBalance(
        period_id=9, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31), retirements=(),
        credits_retired_tco2e=D(credits), eac_retired_mwh_by_market={"CN": D(eac_mwh)},
        inventory_id=None if residual is None else 3,
        inventory_status=None if residual is None else ("verified" if verified else "draft"),
        inventory_verified=verified and residual is not None, coverage=coverage,
    )


def needs(*, eac_mwh: int = 1000, deadline: dt.date | None = DEADLINE, inventory: bool = True) -> PeriodNeeds:
    return PeriodNeeds(
        period_id=9, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31), standard="iso_14068_1_2023",
        retirement_deadline=deadline, deadline_rule="ISO 14068-1 §11",
        markets=(MarketNeed("CN", D(1200), D(eac_mwh), D(50)),) if inventory else (),
        credits=CreditNeed(D(660), D("731.52"), D(0), D(122), D(500)) if inventory else None,
    )


def codes(ready: Readiness) -> list[tuple[str, str, bool, tuple[str, ...], str]]:
    return [(i.code, i.subject, i.blocking, i.rules, i.action) for i in ready.items]


# Retirements in force: 5 and 7 are VCUs, 6 a CCER, 8 a GEC covering 1,000 MWh in CN;
# 100 + 10 + 12 = 122 tCO2e of credits retired.
RETIRED = (RetiredUnits(5, "VCU", 100, "tCO2e"), RetiredUnits(6, "CCER", 10, "tCO2e"),
           RetiredUnits(7, "VCU", 12, "tCO2e"), RetiredUnits(8, "GEC", 1000, "MWh", "CN"))


def test_everything_missing_or_failing_blocking_first_each_with_its_fix() -> None:
    found = [
        finding("ISO-20", "credit_issued_ex_post", "retirement:6"),
        finding("SANITY-01", "retired_on_or_after_vintage_start", "retirement:6"),
        finding("SANITY-02", "beneficiary_names_claimant", "retirement:5"),
        finding("SANITY-02", "beneficiary_names_claimant", "retirement:7", outcome=Outcome.PASS),
        finding("ICVCM-02", "credit_quality_label", "retirement:5", severity=Severity.WARNING),
        finding("ICVCM-02", "credit_quality_label", "retirement:7", severity=Severity.WARNING),
        finding("ISO-32", "inventory_verified_by_third_party"),
        finding("CN-ZCF-08", "credits_cover_residual"),
        finding("IN-FORCE", "", in_force_to="2025-11-30"),
    ]
    ready = checklist(found, balance(verified=False), needs(), as_of=dt.date(2025, 11, 15), retirements=RETIRED)
    # Blocking, in the order they are best fixed: the standard (IN-FORCE), the inventory (ISO-32,
    # a draft, not verified), the refused retirements by id (5: the beneficiary alone, which an
    # alias may fix; 6: two rules, so it is reversed), then the credits still to cover (CN-ZCF-08
    # says the same). Warnings: 200 MWh uncovered in CN, the deadline 46 days away (15 days to
    # the end of November + 31), and ICVCM-02 on retirements 5 and 7 together. SANITY-02 passing
    # for retirement 7 is no item.
    assert codes(ready) == [
        ("standard_not_in_force", "period", True, ("IN-FORCE",), "change_standard"),
        ("inventory_not_verified", "period", True, ("ISO-32",), "verify_inventory"),
        ("retirement_refused", "retirement:5", True, ("SANITY-02",), "record_alias"),
        ("retirement_refused", "retirement:6", True, ("ISO-20", "SANITY-01"), "reverse_retirement"),
        ("credits_short", "period", True, ("CN-ZCF-08",), "retire_credits"),
        ("electricity_not_covered", "market:CN", False, (), "retire_certificates"),
        ("retirement_deadline_near", "period", False, (), "retire_credits"),
        ("rule_warning", "rule:ICVCM-02", False, ("ICVCM-02",), "record_labels"),
    ]
    assert not ready.ready and len(ready.blocking) == 5
    # the inventory's status in words of each language, not its code
    inventory = ready.items[1].text
    assert inventory.en.startswith("The period's inventory is a draft, not verified: ")
    assert inventory.zh_Hans.startswith("本期间的清单仍为草稿，尚未核查：")
    assert inventory.zh_Hant.startswith("本期間的清冊仍為草稿，尚未查證：")
    items = {i.subject if i.code != "credits_short" else i.code: i for i in ready.items}
    # The refused retirements' credits do not count: 122 − (100 + 10) = 12 tCO2e counted, so
    # 121.92 − 12 = 109.92 tCO2e are still to cover.
    assert dict(items["credits_short"].figures) == {
        "residual_tco2e": "121.92", "credits_retired_tco2e": "122", "credits_refused_tco2e": "110",
        "credits_counted_tco2e": "12", "to_cover_tco2e": "109.92", "credits_held_tco2e": "500"}
    assert items["credits_short"].text.en == (
        # the sentence rounds for people (2 decimals, half up); the figures above stay exact
        "109.92 tCO2e of the 121.92 tCO2e residual emissions are not covered by credits counted (12.00 tCO2e)")
    # 1,200 MWh − 1,000 MWh of GEC (not refused) = 200 MWh
    assert items["market:CN"].figures["uncovered_mwh"] == "200"
    assert dict(items["retirement:6"].figures) == {"retirement_id": "6", "scheme": "CCER", "quantity": "10",
                                                   "unit": "tCO2e"}
    assert items["retirement:6"].text.en == (
        "Retirement 6 (10.00 tCO2e of CCER) is refused by ISO-20, SANITY-01: why ISO-20 fails; why SANITY-01 fails")
    # 5 and 7: 100 + 12 = 112 tCO2e in two retirements, shown to 2 decimals as every tCO2e in a sentence
    assert dict(items["rule:ICVCM-02"].figures) == {"rule_set": "iso-14068-1/2023", "retirements": "2",
                                                    "quantity_tCO2e": "112"}
    assert items["rule:ICVCM-02"].text.zh_Hant == "2 筆註銷（112.00 tCO2e）未通過 ICVCM-02：ICVCM-02 的標題"
    deadline = next(i for i in ready.items if i.code == "retirement_deadline_near")
    assert deadline.figures["days_left"] == "46"
    # Every text and every fix in the three languages, each its own.
    for item in ready.items:
        for said in (item.text, item.action_text):
            assert all((said.en, said.zh_Hans, said.zh_Hant)), item.code
            assert len({said.en, said.zh_Hans, said.zh_Hant}) == 3, (item.code, said)
    assert len({ready.summary.en, ready.summary.zh_Hans, ready.summary.zh_Hant}) == 3


def test_a_covered_verified_period_with_nothing_left_says_it_is_ready() -> None:
    # 122 tCO2e counted ≥ 121.92 residual; 1,200 MWh of certificates for 1,200 MWh: nothing to
    # cover, so no deadline item even though it is 15 days away; every finding passes.
    found = [finding("SANITY-02", "beneficiary_names_claimant", "retirement:5", outcome=Outcome.PASS),
             finding("ISO-32", "inventory_verified_by_third_party", outcome=Outcome.PASS)]
    ready = checklist(found, balance(eac_mwh=1200), needs(eac_mwh=1200), as_of=dt.date(2025, 12, 16),
                      retirements=RETIRED)
    assert (ready.items, ready.ready) == ((), True)
    assert ready.summary == Text("Ready: nothing is missing or failing; the declaration can be made",
                                 "已就绪：没有缺失或未通过的事项，可以作出声明",
                                 "已就緒：沒有缺失或未通過的事項，可以作出聲明")


def test_a_verification_the_verifier_has_not_confirmed_asks_for_its_opinion() -> None:
    # Covered (122 ≥ 121.92 tCO2e, 1,200 MWh of certificates) and the inventory verified, but the
    # verification is the organisation's own record: ISO-32 fails, and the one item says why and
    # that the appointed verifier's opinion fixes it (not "verify the inventory" again).
    found = [finding("ISO-32", "inventory_verified_by_third_party", state="claimed")]
    claimed = replace(balance(eac_mwh=1200), verification_state="claimed")
    ready = checklist(found, claimed, needs(eac_mwh=1200), as_of=dt.date(2025, 12, 16), retirements=RETIRED)
    assert codes(ready) == [("verification_not_confirmed", "period", True, ("ISO-32",), "verify_inventory")]
    item = ready.items[0]
    assert item.figures == {"inventory_id": "3", "verification_state": "claimed"}
    assert "not yet confirmed by the appointed verifier" in item.text.en
    assert "指定核查机构" in item.action_text.zh_Hans and "指定查證機構" in item.action_text.zh_Hant
    assert not ready.ready


def test_without_an_inventory_the_inventory_comes_first_and_the_deadline_still_counts() -> None:
    # No inventory: ISO-32 and CN-ZCF-08 (residual unknown) both say it, in one item (the
    # inventory's rule first, whatever the order of the findings); the credits
    # cannot be measured, so they may still be needed and the deadline (passed 10 days ago:
    # 2026-01-10 − 2025-12-31) blocks. No market is known, so no electricity item.
    found = [finding("CN-ZCF-08", "credits_cover_residual"), finding("ISO-32", "inventory_verified_by_third_party")]
    ready = checklist(found, balance(residual=None, credits=0), needs(inventory=False),
                      as_of=dt.date(2026, 1, 10))
    assert codes(ready) == [
        ("no_inventory", "period", True, ("ISO-32", "CN-ZCF-08"), "create_inventory"),
        ("retirement_deadline_passed", "period", True, (), "review_claim"),
    ]
    assert ready.items[1].figures["days_overdue"] == "10"


def test_the_deadline_is_a_warning_to_its_day_and_blocks_the_day_after() -> None:
    def deadline_items(day: dt.date) -> list[tuple[str, bool, dict[str, Any]]]:
        ready = checklist([], balance(credits=0), needs(), as_of=day)
        return [(i.code, i.blocking, dict(i.figures)) for i in ready.items if "deadline" in i.code]

    common = {"retirement_deadline": "2025-12-31", "deadline_rule": "ISO 14068-1 §11"}
    assert deadline_items(dt.date(2025, 11, 1)) == [("retirement_deadline_near", False, common | {"days_left": "60"})]
    assert deadline_items(dt.date(2025, 10, 31)) == []  # 61 days
    assert deadline_items(DEADLINE) == [("retirement_deadline_near", False, common | {"days_left": "0"})]
    assert deadline_items(dt.date(2026, 1, 1)) == [("retirement_deadline_passed", True, common | {"days_overdue": "1"})]
    # PAS 2060 counts from the declaration, not known yet: no deadline item
    assert not [i for i in checklist([], balance(credits=0), needs(deadline=None), as_of=dt.date(2027, 1, 1)).items
                if "deadline" in i.code]


def test_a_rule_requiring_certificates_makes_the_electricity_block_and_a_refused_certificate_is_not_counted() -> None:
    # The GEC of retirement 8 is refused (CN-GEC-04), so its 1,000 MWh do not count: all 1,200 MWh
    # of CN are uncovered, and a failing blocking rule that requires certificates (hourly
    # matching) makes that block, said in the electricity item rather than apart. PAS-11 (a
    # period rule with no item of its own) blocks as itself, before the electricity; the credits
    # (122 ≥ 121.92) are covered, so neither a credits nor a deadline item.
    found = [finding("CN-GEC-04", "gec_within_validity", "retirement:8"),
             finding("GHGP-07-HOURLY", "hourly_matching_above_threshold", matched_percent="40"),
             finding("PAS-11", "footprint_coverage", excluded_percent="7", max_excluded_percent="5")]
    ready = checklist(found, balance(), needs(), as_of=dt.date(2025, 12, 1), retirements=RETIRED)
    assert codes(ready) == [
        ("retirement_refused", "retirement:8", True, ("CN-GEC-04",), "reverse_retirement"),
        ("rule_failed", "rule:PAS-11", True, ("PAS-11",), "review_inventory"),
        ("electricity_not_covered", "market:CN", True, ("GHGP-07-HOURLY",), "retire_certificates"),
    ]
    assert ready.items[1].figures["excluded_percent"] == "7"
    assert (ready.items[2].figures["eac_refused_mwh"], ready.items[2].figures["uncovered_mwh"]) == ("1000", "1200")


def test_the_engine_names_the_check_of_each_finding() -> None:
    # The checklist tells fixes apart by check, whatever the rule's id: the engine records it.
    facts = period(retirements=())
    applied = applicable(CATALOGUE, Claim("iso_14068_1_2023"), facts.start, facts.end)
    judged = evaluate(applied, period(retirements=(retirement(credit()),)))
    sanity = next(f for f in judged.findings if f.rule_id == "SANITY-02")
    assert sanity.check == "beneficiary_names_claimant"
