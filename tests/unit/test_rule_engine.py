"""Which rule sets judge a claim, and how findings come out of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from neutrality.rules.checks.registry import CHECKS, check
from neutrality.rules.engine import Claim, applicable, evaluate, judge_retirement
from neutrality.rules.facts import Claimant, PeriodFacts, Retirement
from neutrality.rules.model import (
    Catalogue,
    Outcome,
    Rule,
    RuleSet,
    SetKind,
    SetStatus,
    Severity,
    Target,
    Text,
)
from tests.rule_facts import certificate, credit, one, period, retirement

T = Text("t", "t", "t")


def _rule(rule_id: str, check_name: str = "retired_on_or_after_vintage_start", **fields: Any) -> Rule:
    values: dict[str, Any] = dict(id=rule_id, clause="1", title=T, check=check_name, params={},
                                  severity=Severity.BLOCKING, target=CHECKS[check_name].target,
                                  source="test", confirmed=True)
    values.update(fields)
    return Rule(**values)


def _set(key: str, version: str, kind: SetKind, *rules: Rule, **fields: Any) -> RuleSet:
    values: dict[str, Any] = dict(key=key, version=version, kind=kind, status=SetStatus.IN_FORCE, title=T,
                                  source="test", rules=rules)
    values.update(fields)
    return RuleSet(**values)


PAS = _set("pas-2060", "2014", SetKind.CLAIM, _rule("PAS-X"), status=SetStatus.LEGACY,
           in_force_from=dt.date(2014, 4, 30), in_force_to=dt.date(2025, 12, 31))
ISO = _set("iso-14068-1", "2023", SetKind.CLAIM, _rule("ISO-X"), in_force_from=dt.date(2023, 11, 30))
RE100 = _set("re100", "2025", SetKind.FRAMEWORK, _rule("RE100-X"))
ZCF = _set("cn-zero-carbon-factory", "2026", SetKind.FRAMEWORK, _rule("ZCF-X"), in_force_from=dt.date(2026, 1, 14))
GEC = _set("gec", "2024", SetKind.SCHEME, _rule("GEC-X", instruments=frozenset({"GEC"})))
CATALOGUE = Catalogue((PAS, ISO, RE100, ZCF, GEC))


def _labels(claim: Claim, start: dt.date, end: dt.date) -> list[str]:
    return [s.label for s in applicable(CATALOGUE, claim, start, end).sets]


def test_a_claim_takes_its_standard_the_schemes_and_only_the_frameworks_it_names() -> None:
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert _labels(Claim("iso_14068_1_2023"), *year) == ["iso-14068-1/2023", "gec/2024"]
    assert _labels(Claim("iso_14068_1_2023", ("re100",), zero_carbon_factory=True), *year) == [
        "iso-14068-1/2023", "gec/2024", "re100/2025", "cn-zero-carbon-factory/2026"]
    # the zero-carbon factory guidance came into force on 2026-01-14: not for a 2025 period
    assert _labels(Claim("iso_14068_1_2023", zero_carbon_factory=True), dt.date(2025, 1, 1),
                   dt.date(2025, 12, 31)) == ["iso-14068-1/2023", "gec/2024"]


def test_a_withdrawn_standard_is_applied_to_a_later_period_with_a_blocking_finding() -> None:
    # PAS 2060 applies to periods ending by 2025-12-31: a 2026 period gets its rules and a finding
    # that the standard is not in force; a 2025 period gets no such finding
    late = applicable(CATALOGUE, Claim("pas_2060_2014"), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [s.label for s in late.sets][0] == "pas-2060/2014"
    [finding] = late.findings
    assert (finding.rule_id, finding.outcome, finding.severity, finding.blocks) == (
        "IN-FORCE", Outcome.FAIL, Severity.BLOCKING, True)
    assert finding.evidence == {"period_end": "2026-12-31", "in_force_to": "2025-12-31"}
    on_time = applicable(CATALOGUE, Claim("pas_2060_2014"), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert on_time.findings == ()


def test_a_rule_applies_when_its_dates_overlap_the_period() -> None:
    rule = _rule("LATE-01", in_force_from=dt.date(2025, 10, 1))
    sets = [_set("general", "x", SetKind.GENERAL, rule)]
    retired = retirement(credit(vintage_start=dt.date(2026, 3, 1)))  # fails the check
    in_2025 = period()
    in_2024 = period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert [f.rule_id for f in judge_retirement(sets, in_2025, retired)] == ["LATE-01"]
    assert judge_retirement(sets, in_2024, retired) == []


def test_a_scheme_rule_judges_only_its_own_instruments() -> None:
    sets = list(applicable(CATALOGUE, Claim("iso_14068_1_2023"), dt.date(2025, 1, 1), dt.date(2025, 12, 31)).sets)
    on_certificate = judge_retirement(sets, period(), retirement(certificate()))
    on_credit = judge_retirement(sets, period(), retirement(credit()))
    assert "GEC-X" in [f.rule_id for f in on_certificate]
    assert "GEC-X" not in [f.rule_id for f in on_credit]


@pytest.fixture
def explodes() -> Iterator[None]:
    """A check that raises, registered for one test only."""

    @check("explodes_for_test", Target.RETIREMENT)
    def _explodes(period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]) -> Any:
        raise KeyError("boom")

    yield
    del CHECKS["explodes_for_test"]


@pytest.mark.usefixtures("explodes")
def test_a_check_that_breaks_is_reported_as_its_rule_failing_not_raised() -> None:
    sets = [_set("general", "x", SetKind.GENERAL, _rule("BROKEN-01", "explodes_for_test"))]
    evaluation = evaluate(applicable(Catalogue(tuple(sets)), Claim("none"), dt.date(2025, 1, 1),
                                     dt.date(2025, 12, 31)), period(retirements=(retirement(),)))
    [finding] = evaluation.findings
    assert finding.outcome is Outcome.FAIL and finding.blocks
    assert finding.explanation.en.startswith("the check explodes_for_test could not be evaluated (KeyError)")
    assert 1 in evaluation.refusals


# --- the general rules, through the shipped files ------------------------------------------------


def test_a_credit_retired_before_its_vintage_begins_is_refused() -> None:
    # vintage 2024-01-01 … 2024-12-31; retired 2023-12-31, a day before the vintage begins
    early = retirement(retired_on=dt.date(2023, 12, 31))
    finding = one(period(), "SANITY-01", early)
    assert (finding.outcome, finding.blocks) == (Outcome.FAIL, True)
    # the engine adds the retirement's serial and its registry reference to the evidence
    assert finding.evidence == {"retired_on": "2023-12-31", "vintage_start": "2024-01-01",
                                "serial": "CCER-2024-000001-001000", "registry_reference": "R-1"}
    # retired on the first day of the vintage: allowed (on or after)
    assert one(period(), "SANITY-01", retirement(retired_on=dt.date(2024, 1, 1))).outcome is Outcome.PASS
    # no vintage known: nothing to compare
    unknown = retirement(credit(vintage_start=None, vintage_end=None))
    assert one(period(), "SANITY-01", unknown).outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(("beneficiary", "outcome"), [
    ("江苏苏辉光伏科技有限公司", Outcome.PASS),  # the legal name
    ("江蘇蘇輝光伏科技有限公司 2025年度碳中和", Outcome.PASS),  # in 繁體, with the purpose after it
    ("On behalf of JIANGSU SUHUI PV TECHNOLOGY CO., LTD.", Outcome.PASS),  # a registered alias, in capitals
    ("苏辉光伏", Outcome.PASS),  # the short name
    ("Someone Else Ltd", Outcome.FAIL),  # another party: retired for them, not for the claimant
    ("", Outcome.FAIL),
])
def test_the_beneficiary_must_name_the_claimant(beneficiary: str, outcome: Outcome) -> None:
    finding = one(period(), "SANITY-02", retirement(beneficiary=beneficiary))
    assert finding.outcome is outcome
    assert finding.blocks is (outcome is Outcome.FAIL)


#: A claimant with names too short to be looked for inside a longer beneficiary: the alias "A"
#: and the short name 中 (one Han character), beside a two-character Chinese alias and a Latin one.
SHORT_NAMED = Claimant(legal_name="中", name="A", aliases=("中能", "Acme Power"), country="CN")


@pytest.mark.parametrize(("beneficiary", "outcome"), [
    # one-character names match only a beneficiary that is exactly that name (folded: width, case)
    ("A", Outcome.PASS),
    ("ａ", Outcome.PASS),  # full-width, lower case: folds to "a"
    ("中", Outcome.PASS),
    ("Bank of America", Outcome.FAIL),  # has an "a" inside words and none as the whole name
    ("A Corp", Outcome.FAIL),  # "A" is a word of it, but a one-letter name is not looked for inside
    ("中国石化", Outcome.FAIL),  # 中 is its first character: someone else
    # two Han characters are distinctive enough to be found inside: 中能 in 中能集团 2025 碳中和
    ("中能集团 2025 碳中和", Outcome.PASS),
    ("能中集团", Outcome.FAIL),  # both characters, in the other order: 中能 is not in it
    # a Latin name is found as whole words only, whatever the case and the punctuation around it
    ("Retired on behalf of ACME POWER, 2025", Outcome.PASS),
    ("Acme Powerhouse Ltd", Outcome.FAIL),  # "Powerhouse" is another word
    ("SuperAcme Power", Outcome.FAIL),  # "SuperAcme" is another word
    ("苏州Acme Power有限公司", Outcome.PASS),  # Han characters next to it are not part of its words
])
def test_a_short_name_does_not_match_any_beneficiary_containing_it(beneficiary: str, outcome: Outcome) -> None:
    finding = one(period(claimant=SHORT_NAMED), "SANITY-02", retirement(beneficiary=beneficiary))
    assert finding.outcome is outcome


def test_a_finding_keeps_the_three_languages_and_the_unconfirmed_flag() -> None:
    finding = one(period(), "SANITY-02", retirement(beneficiary="Someone Else Ltd"))
    assert "为他人注销" in finding.explanation.zh_Hans and "為他人註銷" in finding.explanation.zh_Hant
    assert finding.title.en == "The beneficiary names the claimant" and finding.confirmed is True
