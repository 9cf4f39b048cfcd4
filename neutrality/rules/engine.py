"""Which rule sets judge a claim, and their findings.

Pure: no database, no clock (the evaluation day is ``PeriodFacts.as_of``), no Flask.

The sets that apply to a period under a claim:

- the claim's standard (ISO 14068-1, PAS 2060): its version in force on the period's last day.
  When none is (PAS 2060 after its withdrawal), the latest earlier version is applied and a
  blocking finding says the standard is not in force for the period;
- every ``general`` and ``scheme`` set in force on the period's last day (a scheme's rules judge
  only its own instruments, by each rule's ``instruments``);
- the frameworks the claim names (SBTi, RE100), and the Chinese zero-carbon factory guidance
  when the commitment is a 零碳工厂 declaration, each in the version in force on that day.

Within a set, a rule applies when its own dates overlap the period. Evaluating never raises
because a rule fails, and a check that breaks is reported as a failure of its rule (so a blocking
rule that cannot be evaluated still blocks), never as an exception.

A period's retirements mostly differ only in which units they are (serial, quantity, block) and
which ledger entry (id, registry reference): each retirement rule judges a group of retirements
alike in everything else (:func:`judgement_key`) once, and each retirement gets that judgement as
its own findings, with its subject and with its serial and registry reference added to the
evidence. Checks therefore never let what they conclude or write depend on those fields, except
whether the retirement is recorded (``id`` given) and whether a reference is.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from neutrality.rules.checks import CHECKS
from neutrality.rules.facts import Instrument, PeriodFacts, Retirement
from neutrality.rules.model import (
    Catalogue,
    Finding,
    Outcome,
    Result,
    Rule,
    RuleSet,
    SetKind,
    SetStatus,
    Severity,
    Target,
    Text,
)

#: The rule set of each claim standard a commitment may name.
CLAIM_SETS = {"iso_14068_1_2023": "iso-14068-1", "pas_2060_2014": "pas-2060"}
#: The framework set of a zero-carbon factory declaration (工信部联节〔2026〕13号).
ZERO_CARBON_FACTORY = "cn-zero-carbon-factory"


@dataclass(frozen=True)
class Claim:
    """What a claim is made under: the commitment's standard and frameworks."""

    standard: str  # a key of CLAIM_SETS
    frameworks: tuple[str, ...] = ()  # rule-set keys: sbti-near-term, sbti-net-zero, re100
    zero_carbon_factory: bool = False


@dataclass(frozen=True)
class Applicable:
    sets: tuple[RuleSet, ...]
    #: findings about the sets themselves (a claim standard not in force for the period)
    findings: tuple[Finding, ...] = ()


def applicable(catalogue: Catalogue, claim: Claim, start: dt.date, end: dt.date) -> Applicable:
    chosen: list[RuleSet] = []
    notes: list[Finding] = []
    key = CLAIM_SETS.get(claim.standard)
    if key is not None:
        found = catalogue.in_force(key, end)
        if found is None:
            found = _latest_before(catalogue.versions(key), end)
            if found is not None:
                notes.append(_not_in_force(found, end))
        if found is not None:
            chosen.append(found)
    for rule_set in catalogue.sets:
        if rule_set.kind in (SetKind.GENERAL, SetKind.SCHEME) and rule_set.in_force_on(end):
            chosen.append(rule_set)
    frameworks = list(claim.frameworks) + ([ZERO_CARBON_FACTORY] if claim.zero_carbon_factory else [])
    for framework in dict.fromkeys(frameworks):
        found = catalogue.in_force(framework, end)
        if found is not None:
            chosen.append(found)
    return Applicable(tuple(chosen), tuple(notes))


def _latest_before(versions: Iterable[RuleSet], day: dt.date) -> RuleSet | None:
    earlier = [
        s for s in versions
        if s.status is not SetStatus.DORMANT and (s.in_force_from or dt.date.min) <= day
    ]
    return max(earlier, key=lambda s: s.in_force_from or dt.date.min, default=None)


def _not_in_force(rule_set: RuleSet, end: dt.date) -> Finding:
    until = rule_set.in_force_to.isoformat() if rule_set.in_force_to else "?"
    title = rule_set.title
    return Finding(
        rule_set=rule_set.label, rule_id="IN-FORCE", clause="",
        title=Text("The standard is in force for the period", "标准在该期间有效", "標準在該期間有效"),
        severity=Severity.BLOCKING, confirmed=True, outcome=Outcome.FAIL,
        explanation=Text(
            f"{title.en} applies to periods ending by {until}; this period ends on "
            f"{end.isoformat()}. Make the claim under the standard that replaced it.",
            f"{title.zh_Hans}适用于 {until} 之前结束的期间；本期间于 {end.isoformat()} 结束。"
            "请依据取代它的标准作出声明。",
            f"{title.zh_Hant}適用於 {until} 之前結束的期間；本期間於 {end.isoformat()} 結束。"
            "請依據取代它的標準作出聲明。",
        ),
        evidence={"period_end": end.isoformat(), "in_force_to": until},
        subject="period",
    )


def _rules(sets: Sequence[RuleSet], target: Target, period: PeriodFacts) -> list[tuple[RuleSet, Rule]]:
    return [
        (rule_set, rule)
        for rule_set in sets
        for rule in rule_set.rules
        if rule.target is target
        and (rule.in_force_from or dt.date.min) <= period.end
        and period.start <= (rule.in_force_to or dt.date.max)
    ]


def _finding(rule_set: RuleSet, rule: Rule, result: Result, subject: str) -> Finding:
    return Finding(
        rule_set=rule_set.label, rule_id=rule.id, clause=rule.clause, title=rule.title,
        severity=rule.severity, confirmed=rule.confirmed, outcome=result.outcome,
        explanation=result.explanation, evidence=dict(result.evidence), subject=subject,
        check=rule.check,
    )


def _run(rule: Rule, period: PeriodFacts, retirement: Retirement | None) -> Result:
    try:
        return CHECKS[rule.check].function(period, retirement, rule.params)
    except Exception as exc:  # a broken check is a failure of its rule, not a crash
        return Result(Outcome.FAIL, Text(
            f"the check {rule.check} could not be evaluated ({type(exc).__name__}): the rule is "
            "treated as failed until this is fixed",
            f"检查 {rule.check} 无法执行（{type(exc).__name__}）：在修复之前按未通过处理",
            f"檢查 {rule.check} 無法執行（{type(exc).__name__}）：在修復之前按未通過處理",
        ))


def judge_retirement(
    sets: Sequence[RuleSet], period: PeriodFacts, retirement: Retirement,
    rules: Sequence[tuple[RuleSet, Rule]] | None = None,
) -> list[Finding]:
    """The findings of every retirement rule that judges this instrument (``rules``: the sets'
    retirement rules for the period, when already chosen for its other retirements)."""
    if rules is None:
        rules = _rules(sets, Target.RETIREMENT, period)
    return _for_retirement(_judged(rules, period, retirement), retirement)


#: What tells one retirement from another without changing how a rule judges it: which units
#: (serial, quantity, block) and which ledger entry. A retirement check reads these only as
#: "recorded or candidate" (``id is None``) and "registry reference given or not", which the
#: judgement key keeps; the engine adds the serial and the reference to each finding's evidence.
_INSTRUMENT_IDENTITY = frozenset({"serial", "quantity", "block_id"})
_RETIREMENT_IDENTITY = frozenset({"instrument", "id", "registry_reference"})
#: The evidence the engine gives each retirement's findings itself.
IDENTITY_EVIDENCE = frozenset({"serial", "registry_reference"})
# Every other field is part of the key, so that a field added to the facts is judged apart by
# default (``labels``, a mapping, is added to the key apart).
_instrument_key = attrgetter(*(
    f.name for f in fields(Instrument) if f.name not in _INSTRUMENT_IDENTITY | {"labels"}))
_retirement_key = attrgetter(*(
    f.name for f in fields(Retirement) if f.name not in _RETIREMENT_IDENTITY))


def judgement_key(retirement: Retirement) -> Hashable:
    """Equal for two retirements every retirement rule judges alike: all their fields but the
    identity ones (``labels``, a mapping, as its sorted items)."""
    instrument = retirement.instrument
    labels = instrument.labels
    return (
        _instrument_key(instrument),
        tuple(sorted((k, _hashable(v)) for k, v in labels.items())) if labels else (),
        _retirement_key(retirement),
        retirement.id is None,
        bool(retirement.registry_reference.strip()),
    )


def _hashable(value: Any) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_hashable(v) for v in value)
    return value


def _judged(rules: Sequence[tuple[RuleSet, Rule]], period: PeriodFacts, retirement: Retirement
            ) -> list[Finding]:
    """The findings for any retirement of this one's judgement key, without subject or identity."""
    instrument = retirement.instrument
    judged = []
    for rule_set, rule in rules:
        if rule.judges(instrument.scheme, instrument.kind):
            finding = _finding(rule_set, rule, _run(rule, period, retirement), "")
            # this retirement's own serial and reference would be wrong for the others
            evidence = {k: v for k, v in finding.evidence.items() if k not in IDENTITY_EVIDENCE}
            judged.append(finding.for_subject("", evidence))
    return judged


def _for_retirement(judged: Sequence[Finding], retirement: Retirement) -> list[Finding]:
    """The judged findings given to this retirement: its subject, and its serial and registry
    reference first in their evidence."""
    subject = retirement.subject
    identity = {"serial": retirement.instrument.serial}
    reference = retirement.registry_reference.strip()
    if reference:
        identity["registry_reference"] = reference
    return [finding.for_subject(subject, {**identity, **finding.evidence}) for finding in judged]


def judge_period(sets: Sequence[RuleSet], period: PeriodFacts) -> list[Finding]:
    """The findings of every period rule."""
    return [
        _finding(rule_set, rule, _run(rule, period, None), "period")
        for rule_set, rule in _rules(sets, Target.PERIOD, period)
    ]


class _WhenLookedAt(Sequence[Finding]):
    """Findings made by ``make`` the first time they are looked at."""

    def __init__(self, make: Callable[[], tuple[Finding, ...]]):
        self._make = make

    def __getitem__(self, index: Any) -> Any:
        return self._make()[index]

    def __len__(self) -> int:
        return len(self._make())


@dataclass(frozen=True)
class _Alike:
    """One judgement of a group of alike retirements: the findings without subject or identity,
    and which of them fail and which block."""

    findings: tuple[Finding, ...]
    failing: tuple[int, ...]
    blocking: tuple[int, ...]


class Evaluation:
    """The findings of a period, each retirement's made when first asked for.

    A period of 10,000 retirements has some 100,000 findings, mostly passes: the balance needs
    only the refusals and the failures, the findings API all of them. Each retirement's findings
    are its group's judgement (:func:`judgement_key`) copied with its subject and identity, in
    the order: the rule sets' own findings, each retirement's, the period rules'."""

    def __init__(self, about_sets: Sequence[Finding], judged: Sequence[tuple[Retirement, _Alike]],
                 period_rules: Sequence[Finding] = ()):
        self._about_sets = tuple(about_sets)
        self._judged = judged
        self._period_rules = tuple(period_rules)
        self._findings: tuple[Finding, ...] | None = None
        self._failing: tuple[Finding, ...] | None = None
        self._refusals: dict[int, tuple[Finding, ...]] | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        if self._findings is None:
            with cycle_collection_paused():
                every = list(self._about_sets)
                for retirement, alike in self._judged:
                    every += _for_retirement(alike.findings, retirement)
                self._findings = (*every, *self._period_rules)
        return self._findings

    @property
    def refusals(self) -> Mapping[int, tuple[Finding, ...]]:
        """The blocking failures of each recorded retirement they refuse, by retirement id: what
        the claim does not count."""
        if self._refusals is None:
            with cycle_collection_paused():
                self._refusals = self._refused()
        return self._refusals

    def _refused(self) -> dict[int, tuple[Finding, ...]]:
        return {
            retirement.id: tuple(_for_retirement([alike.findings[i] for i in alike.blocking], retirement))
            for retirement, alike in self._judged if alike.blocking and retirement.id is not None
        }

    @property
    def period_findings(self) -> tuple[Finding, ...]:
        """The findings about the period itself: the rule sets' own and the period rules'."""
        return (*self._about_sets, *self._period_rules)

    def counts(self) -> dict[tuple[Outcome, Severity], int]:
        """How many findings of each outcome and severity, without making them."""
        per_group: dict[int, Counter[tuple[Outcome, Severity]]] = {}
        totals: Counter[tuple[Outcome, Severity]] = Counter(
            (f.outcome, f.severity) for f in (*self._about_sets, *self._period_rules))
        for _, alike in self._judged:
            found = per_group.get(id(alike))
            if found is None:
                found = per_group[id(alike)] = Counter((f.outcome, f.severity) for f in alike.findings)
            totals.update(found)
        return dict(totals)

    def failing(self) -> tuple[Finding, ...]:
        """The failures alone (blocking or warning), in the same order."""
        if self._failing is None:
            self._failing = self._only(lambda alike: alike.failing, lambda f: f.outcome is Outcome.FAIL)
        return self._failing

    @property
    def failures(self) -> Sequence[Finding]:
        """:meth:`failing`, made only when first looked at (a balance keeps them for a checklist
        that may never be asked for: 40,000 failing warnings of 10,000 retirements take longer to
        make than the rest of the balance)."""
        return _WhenLookedAt(self.failing)

    def blocking(self) -> tuple[Finding, ...]:
        """The blocking failures alone (of candidates too), in the same order."""
        return self._only(lambda alike: alike.blocking, lambda f: f.blocks)

    def _only(self, chosen: Callable[[_Alike], tuple[int, ...]], keep: Callable[[Finding], bool]
              ) -> tuple[Finding, ...]:
        kept = [f for f in self._about_sets if keep(f)]
        with cycle_collection_paused():
            for retirement, alike in self._judged:
                if indices := chosen(alike):
                    kept += _for_retirement([alike.findings[i] for i in indices], retirement)
        return (*kept, *(f for f in self._period_rules if keep(f)))


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Findings and facts hold no reference cycles, but making 100,000 of them sets off the cycle
    collector again and again over everything the process holds: half the time of a period's
    evaluation. Paused while they are made, and left as it was found (a caller may have paused
    it already)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate(applied: Applicable, period: PeriodFacts) -> Evaluation:
    """Every finding for the period: the sets', each retirement's, the period's own."""
    with cycle_collection_paused():
        return _evaluate(applied, period)


def _evaluate(applied: Applicable, period: PeriodFacts) -> Evaluation:
    return Evaluation(applied.findings, _judge_retirements(applied.sets, period),
                      judge_period(applied.sets, period))


def judge_retirements(sets: Sequence[RuleSet], period: PeriodFacts) -> Evaluation:
    """The retirement rules alone, on each of the period's retirements: what decides which of them
    a claim counts (no period rule, so no residual, is needed)."""
    with cycle_collection_paused():
        return Evaluation((), _judge_retirements(sets, period))


def _judge_retirements(sets: Sequence[RuleSet], period: PeriodFacts) -> list[tuple[Retirement, _Alike]]:
    rules = _rules(sets, Target.RETIREMENT, period)
    # Most of a period's retirements differ only in their units: each rule judges a group of
    # alike retirements once (10,000 retirements of one period: ~1 s judged one by one).
    groups: dict[Hashable, _Alike] = {}
    judged = []
    for retirement in period.retirements:
        key = judgement_key(retirement)
        alike = groups.get(key)
        if alike is None:
            findings = tuple(_judged(rules, period, retirement))
            alike = groups[key] = _Alike(
                findings, tuple(i for i, f in enumerate(findings) if f.outcome is Outcome.FAIL),
                tuple(i for i, f in enumerate(findings) if f.blocks))
        judged.append((retirement, alike))
    return judged


def refusals_by_retirement(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """The blocking failures of each recorded retirement, by its id: a retirement listed here is
    not counted toward the claim."""
    refused: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.blocks and finding.subject.startswith("retirement:"):
            refused.setdefault(int(finding.subject.split(":", 1)[1]), []).append(finding)
    return refused
