"""Which held blocks a period's plan may offer: those the rules of its claim would accept.

Each block is judged as the retirement it would be — retired for the claimant on the day the
plan is for (:func:`neutrality.registry.rule_facts.candidate_of`) — by the retirement rules of
the period's rule sets, against the period's facts. A blocking failure refuses it, with the rule
and its explanation as the reason. The rules are the one authority: the planner holds none of
its own.

The findings depend on a block only through its scheme, project and vintage (its serial and
quantity appear only in the evidence), so each distinct (scheme, project, vintage) is judged
once: 200,000 held blocks are a few hundred judgements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from neutrality.messages import Written
from neutrality.registry.planner import Candidate
from neutrality.registry.rule_facts import candidate_of
from neutrality.registry.tables import InstrumentProject, SerialBlock
from neutrality.rules.engine import judge_retirement
from neutrality.rules.facts import PeriodFacts
from neutrality.rules.model import Finding, RuleSet

_Key = tuple[str, int, object, object]


@dataclass
class RulesAcceptance:
    """The retirement rules of ``sets`` judging candidates for the period of ``period``
    (``period.as_of``: the day they would be retired); ``projects`` by id."""

    sets: Sequence[RuleSet]
    period: PeriodFacts
    projects: Mapping[int, InstrumentProject]
    _reasons: dict[_Key, str | None] = field(default_factory=dict, init=False, repr=False)

    def refusal(self, candidate: Candidate) -> str | None:
        key = (candidate.scheme, candidate.project_id, candidate.vintage_start, candidate.vintage_end)
        if key not in self._reasons:
            self._reasons[key] = refusal_of(self.findings(candidate))
        return self._reasons[key]

    def findings(self, candidate: Candidate) -> list[Finding]:
        """Every retirement rule's finding on retiring this block (its serial left out: the
        findings stand for every block of the same scheme, project and vintage)."""
        block = SerialBlock(id=None, scheme=candidate.scheme, quantity=candidate.quantity, raw_serial="",
                            vintage_start=candidate.vintage_start, vintage_end=candidate.vintage_end)
        retirement = candidate_of(block, self.projects[candidate.project_id], self.period.claimant,
                                  self.period.as_of)
        return judge_retirement(self.sets, self.period, retirement)


def refusal_of(findings: Sequence[Finding]) -> str | None:
    """The blocking failures as one reason ("CN-GEC-04: …; GHGP-04-4: …"), None when there is
    none. Explanations name no serial (a finding gives it as evidence), so the reason stands for
    every block of the lot; their words are rejoined by single blanks."""
    blocking = [f for f in findings if f.blocks]
    if not blocking:
        return None
    def written(locale: str) -> str:
        colon, semicolon = (": ", "; ") if locale == "en" else ("：", "；")
        return semicolon.join(f"{f.rule_id}{colon}{' '.join(f.explanation.in_locale(locale).split())}"
                              for f in blocking)

    # English as the string (the grouping key, the API's field); a page says it in its language
    return Written(written("en"), zh_Hans=written("zh_Hans"), zh_Hant=written("zh_Hant"))
