"""Retirements alike but for which units they are are judged alike: what lets the engine judge a
period's 10,000 retirements once per group (neutrality.rules.engine.judgement_key)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from neutrality.rules.checks import CHECKS
from neutrality.rules.engine import (
    IDENTITY_EVIDENCE,
    Claim,
    applicable,
    evaluate,
    judge_retirement,
    judgement_key,
    refusals_by_retirement,
)
from neutrality.rules.facts import Instrument, PeriodFacts, Retirement
from neutrality.rules.model import Outcome, Result, Target
from tests.rule_facts import CATALOGUE, certificate, credit, period, replace, retirement

# --- every retirement check, over varied facts ----------------------------------------------------

#: The retirement checks, each with the parameters of every shipped rule that names it.
RULE_PARAMS = sorted(
    {(rule.check, repr(sorted(rule.params.items()))): (rule.check, rule.params)
     for rule_set in CATALOGUE.sets for rule in rule_set.rules if rule.target is Target.RETIREMENT}.values(),
    key=lambda pair: pair[0],
)

CCER_HELD = credit(serial="CCER-HELD-1", technology="solar_pv", gec_project_code="11320922230500012",
                   vintage_start=dt.date(2025, 3, 1), vintage_end=dt.date(2025, 3, 31))

#: Periods that lead the checks down their different paths: the base 2025 period; one with a
#: dated declaration, a commitment naming credit types and a held CCER of the certificate's
#: generation; one after the linkage's transition (2026-09-30) with electricity in two markets.
PERIODS = {
    "2025": period(),
    "declared": period(declaration_date=dt.date(2026, 1, 20), intended_credit_types=("VCU",),
                       holdings=(CCER_HELD,)),
    "2027": period(start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31), as_of=dt.date(2028, 2, 1),
                   markets=("CN", "US"), electricity_mwh_by_market={"CN": Decimal("10"), "US": Decimal("5")}),
}

#: Retirements that pass and fail the checks in their different ways.
RETIREMENTS = {
    "credit": retirement(),
    "credit, candidate": retirement(id=None, registry_reference=""),
    "credit, no reference": retirement(registry_reference=""),
    "credit, labelled": retirement(credit(labels={"ccp": True, "corsia": False, "corresponding_adjustment": True},
                                          issued_on=dt.date(2024, 6, 1))),
    "credit, labelled otherwise": retirement(credit(labels={"ccp": False, "corsia": True,
                                                            "corresponding_adjustment": False})),
    "credit, no vintage": retirement(credit(vintage_start=None, vintage_end=None)),
    "credit, early": retirement(credit(vintage_start=dt.date(2019, 1, 1)), retired_on=dt.date(2018, 5, 1)),
    "credit, late, for someone else": retirement(retired_on=dt.date(2027, 6, 1), beneficiary="Other Co.",
                                                 purpose="ETS compliance 履约"),
    "credit, solar without GEC code": retirement(credit(technology="solar_pv", methodology="")),
    "credit, nothing recorded": retirement(credit(technology="", methodology="", registry="", scheme="VCU")),
    "credit, hydro": retirement(credit(technology="hydro", methodology="CCER-01-001-V01")),
    "certificate": retirement(certificate()),
    "certificate, candidate": retirement(certificate(), id=None, registry_reference=""),
    "certificate, no market": retirement(certificate(), market=None),
    "certificate, other market": retirement(certificate(), market="US"),
    "certificate, expired": retirement(certificate(vintage_start=dt.date(2023, 6, 1),
                                                   vintage_end=dt.date(2023, 6, 30))),
    "certificate, no production": retirement(certificate(vintage_start=None, vintage_end=None)),
    "certificate, from abroad": retirement(certificate(country="US")),
    "I-REC, subsidised": retirement(certificate(scheme="IREC", subsidised=True)),
    "I-REC, subsidy unknown": retirement(certificate(scheme="IREC", subsidised=None)),
    "I-REC of 2022": retirement(certificate(scheme="IREC", vintage_start=dt.date(2022, 5, 1),
                                            vintage_end=dt.date(2022, 5, 31))),
    "certificate, country unknown": retirement(certificate(country=None)),
    "certificate, no project code": retirement(certificate(gec_project_code=None)),
}


def twin(retired: Retirement) -> Retirement:
    """The same retirement of other units: another serial, quantity, block and ledger entry (a
    candidate stays one), and another reference when it has one."""
    unit = retired.instrument
    return replace(
        retired,
        instrument=replace(unit, serial=f"OTHER-{unit.serial}-9", quantity=unit.quantity + 7,
                           block_id=(unit.block_id or 0) + 100),
        id=None if retired.id is None else retired.id + 100,
        registry_reference="R-OTHER-77" if retired.registry_reference.strip() else retired.registry_reference,
    )


def _judged(name: str, params: Mapping[str, Any], facts: PeriodFacts, retired: Retirement) -> Result:
    return CHECKS[name].function(facts, retired, params)


@pytest.mark.parametrize("facts", PERIODS.values(), ids=PERIODS.keys())
@pytest.mark.parametrize("retired", RETIREMENTS.values(), ids=RETIREMENTS.keys())
def test_every_retirement_check_judges_other_units_of_the_same_retirement_alike(
    facts: PeriodFacts, retired: Retirement,
) -> None:
    # The twin differs in every identity field; a check that wrote the serial, the quantity or
    # the reference into its explanation, or decided by them, would answer it differently.
    other = twin(retired)
    facts = replace(facts, retirements=(retired, other))
    for name, params in RULE_PARAMS:
        one, two = _judged(name, params, facts, retired), _judged(name, params, facts, other)
        assert (two.outcome, two.explanation) == (one.outcome, one.explanation), name
        assert dict(two.evidence) == dict(one.evidence), name
        # the engine gives each finding its retirement's serial and reference itself
        assert IDENTITY_EVIDENCE.isdisjoint(one.evidence), name


def test_the_varied_facts_lead_every_retirement_check_to_more_than_one_answer() -> None:
    # Otherwise the contract above would hold trivially for a check: each check meets at least
    # two different (outcome, explanation) among the cases (its fail and its pass, at least).
    for name, params in RULE_PARAMS:
        answers = {
            (result.outcome, result.explanation)
            for facts in PERIODS.values() for retired in RETIREMENTS.values()
            for result in [_judged(name, params, replace(facts, retirements=(retired,)), retired)]
        }
        assert len(answers) >= 2, name
        assert any(outcome is Outcome.FAIL for outcome, _ in answers), name


def test_every_registered_retirement_check_is_covered_by_a_shipped_rule() -> None:
    # the contract test takes its checks from the shipped rules: a check no rule names is missed
    registered = {name for name, spec in CHECKS.items() if spec.target is Target.RETIREMENT}
    assert registered == {name for name, _ in RULE_PARAMS}


# --- the judgement key ----------------------------------------------------------------------------

#: Another value for every field a rule may judge by. A field added to the facts must be added
#: here, so that the key is shown to tell it apart.
OTHER_VALUES: dict[str, Any] = {
    "scheme": "VCU", "kind": "eac", "vintage_start": dt.date(2023, 1, 1), "vintage_end": dt.date(2023, 12, 31),
    "registry": "Verra", "project_id": "P-2", "project_name": "Other plant", "country": "IN", "region": "IN-GJ",
    "technology": "solar_pv", "project_type": "renewable", "methodology": "ACM0002",
    "commissioning_date": dt.date(2001, 1, 1), "repowering_date": dt.date(2020, 1, 1), "subsidised": True,
    "gec_project_code": "999", "labels": {"ccp": True}, "issued_on": dt.date(2025, 2, 1),
    "retired_on": dt.date(2026, 1, 1), "beneficiary": "Other Co.", "purpose": "something else",
    "market": "US", "procurement": "green_tariff", "contract_signed_on": dt.date(2020, 1, 1),
}
IDENTITY = {"serial", "quantity", "block_id", "instrument", "id", "registry_reference"}


def test_the_judgement_key_covers_every_field_but_the_identity_ones() -> None:
    judged = {f.name for cls in (Instrument, Retirement) for f in dataclasses.fields(cls)} - IDENTITY
    assert judged == set(OTHER_VALUES)


@pytest.mark.parametrize("field", sorted(OTHER_VALUES))
def test_retirements_that_differ_in_any_other_field_are_judged_apart(field: str) -> None:
    base = retirement()
    instrument_fields = {f.name for f in dataclasses.fields(Instrument)}
    if field in instrument_fields:
        changed = replace(base, instrument=replace(base.instrument, **{field: OTHER_VALUES[field]}))
    else:
        changed = replace(base, **{field: OTHER_VALUES[field]})
    assert judgement_key(changed) != judgement_key(base)


def test_labels_are_judged_by_their_content_not_their_order() -> None:
    one = retirement(credit(labels={"ccp": True, "corsia": False}))
    two = retirement(credit(labels={"corsia": False, "ccp": True}))
    other = retirement(credit(labels={"corsia": True, "ccp": True}))
    assert judgement_key(one) == judgement_key(two) != judgement_key(other)


def test_identity_counts_only_as_recorded_or_candidate_and_reference_or_none() -> None:
    base = retirement()
    assert judgement_key(twin(base)) == judgement_key(base)
    assert judgement_key(replace(base, id=None)) != judgement_key(base)
    # a blank reference is no reference
    assert judgement_key(replace(base, registry_reference="  ")) == judgement_key(replace(base, registry_reference=""))
    assert judgement_key(replace(base, registry_reference="")) != judgement_key(base)


# --- evaluate gives each retirement what judging it alone gives -----------------------------------


def test_evaluate_gives_every_retirement_the_findings_it_gets_judged_alone() -> None:
    # Retirements of each kind with their twins, numbered apart (ids 1…, candidates by block),
    # among them pairs alike but for one judged field: the beneficiary (SANITY-02 passes the
    # claimant's legal name, fails "Other Co."), the purpose, the retirement day, the reference.
    cases = [*RETIREMENTS.values(),
             retirement(beneficiary="Other Co."), retirement(purpose="for someone"),
             retirement(retired_on=dt.date(2027, 3, 1)), retirement(registry_reference="")]
    retired: list[Retirement] = []
    for n, case in enumerate(cases + [twin(c) for c in cases], start=1):
        unit = replace(case.instrument, block_id=n)
        retired.append(replace(case, instrument=unit, id=None if case.id is None else n))
    facts = period(retirements=tuple(retired), holdings=(CCER_HELD,))
    claim = Claim(facts.standard, frameworks=("re100",))
    applied = applicable(CATALOGUE, claim, facts.start, facts.end)
    evaluation = evaluate(applied, facts)
    for one in retired:
        alone = judge_retirement(applied.sets, facts, one)
        assert alone, one.subject
        assert [f for f in evaluation.findings if f.subject == one.subject] == alone
        assert all(f.evidence["serial"] == one.instrument.serial for f in alone)
        reference = one.registry_reference.strip()
        assert all(f.evidence.get("registry_reference") == (reference or None) for f in alone)


def test_the_failures_refusals_and_counts_are_those_of_every_finding_made() -> None:
    # The balance reads only the failures and the refusals, the findings API the counts: each is
    # made without making every finding, and must say what the full list says. The same varied
    # retirements as above, with their twins.
    cases = [*RETIREMENTS.values(), retirement(beneficiary="Other Co."), retirement(retired_on=dt.date(2027, 3, 1))]
    retired = [replace(case, instrument=replace(case.instrument, block_id=n), id=None if case.id is None else n)
               for n, case in enumerate(cases + [twin(c) for c in cases], start=1)]
    facts = period(retirements=tuple(retired), holdings=(CCER_HELD,))
    applied = applicable(CATALOGUE, Claim(facts.standard, frameworks=("re100",)), facts.start, facts.end)
    every = evaluate(applied, facts).findings
    assert evaluate(applied, facts).failing() == tuple(f for f in every if f.outcome is Outcome.FAIL)
    refusals = evaluate(applied, facts).refusals
    assert refusals == {key: tuple(found) for key, found in refusals_by_retirement(every).items()}
    assert refusals  # "Other Co." is refused by SANITY-02, at least
    assert evaluate(applied, facts).counts() == Counter((f.outcome, f.severity) for f in every)
    judged = evaluate(applied, facts)
    assert judged.period_findings == tuple(f for f in every if f.subject == "period")
    assert judged.blocking() == tuple(f for f in every if f.blocks)  # candidates' too


def test_two_retirements_alike_but_for_their_beneficiary_are_judged_apart() -> None:
    # SANITY-02: the claimant's legal name passes; "Other Co." names someone else and fails
    ours = retirement(id=1)
    theirs = retirement(id=2, beneficiary="Other Co.")
    facts = period(retirements=(ours, theirs))
    evaluation = evaluate(applicable(CATALOGUE, Claim(facts.standard), facts.start, facts.end), facts)
    outcome = {f.subject: f.outcome for f in evaluation.findings if f.rule_id == "SANITY-02"}
    assert outcome == {"retirement:1": Outcome.PASS, "retirement:2": Outcome.FAIL}


# --- the copies that make 100,000 findings cheap --------------------------------------------------


def test_a_finding_for_another_subject_is_the_finding_with_that_subject_and_evidence() -> None:
    [finding, *_] = judge_retirement(applicable(CATALOGUE, Claim("iso_14068_1_2023"), dt.date(2025, 1, 1),
                                                dt.date(2025, 12, 31)).sets, period(), retirement())
    copy = finding.for_subject("retirement:9", {"serial": "X-9"})
    assert copy == replace(finding, subject="retirement:9", evidence={"serial": "X-9"})
    assert finding.subject == "retirement:1"  # the judged finding is left as it was


def test_another_block_of_a_project_is_the_instrument_made_with_the_blocks_fields() -> None:
    block = dict(scheme="GEC", kind="eac", quantity=5, serial="GEC-9", vintage_start=dt.date(2025, 4, 1),
                 vintage_end=dt.date(2025, 4, 30), block_id=9)
    project = certificate()
    assert project.of_block(**block) == replace(project, **block)
    assert project.serial == "GEC 11320922230500012202503"  # the project's instrument is left as it was
