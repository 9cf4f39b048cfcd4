"""The rules of a period's claim, asked of every retirement before it is recorded.

Recording by hand, applying a plan and reading a registry export all go through
:func:`neutrality.registry.retirements.retire_units`, which asks :class:`RetirementRules` here:
the same engine, sets and facts as the planner and the balance. A retirement a blocking rule
refuses is refused, unless the user records it on purpose with a reason (the registry retirement
has happened): it then stays in the ledger, with the findings, and the claim does not count it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.errors import InvalidInput
from neutrality.inventory.positions import PeriodCoverages
from neutrality.messages import Msg, Written
from neutrality.registry.rule_facts import claim_of, instrument_of, period_facts
from neutrality.registry.tables import InstrumentProject, SerialBlock
from neutrality.rules import facts
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.rules.engine import applicable, judge_retirement
from neutrality.rules.model import Catalogue, Finding, RuleSet


class RetirementRules:
    """The rules of each period's claim, for the retirements one transaction records (each
    period's sets and facts are gathered once)."""

    def __init__(self, session: Session, coverages: PeriodCoverages, as_of: dt.date,
                 catalogue: Catalogue | None = None):
        self._session = session
        self._coverages = coverages
        self._as_of = as_of
        self._catalogue = catalogue or shipped_catalogue()
        self._periods: dict[tuple[int, bool], tuple[tuple[RuleSet, ...], facts.PeriodFacts]] = {}

    def _of(self, period: ApplicationPeriodRow, certificates: bool) -> tuple[tuple[RuleSet, ...], facts.PeriodFacts]:
        key = (period.id, certificates)
        if key not in self._periods:
            commitment = self._session.get(Commitment, period.commitment_id)
            sets = applicable(self._catalogue, claim_of(commitment), period.start_date, period.end_date).sets
            # certificates are judged against the period's electricity (markets, MWh): read the
            # inventory for them only (a credit's rules read none of it)
            coverage = self._coverages.of(period) if certificates else None
            self._periods[key] = (sets, period_facts(self._session, period, as_of=self._as_of,
                                                      coverage=coverage, for_one_retirement=True))
        return self._periods[key]

    def refusals(
        self, period: ApplicationPeriodRow, block: SerialBlock, quantity: int, data: dict[str, Any] | Any,
        market: str | None, certificate: bool,
    ) -> list[Finding]:
        """The blocking failures of retiring ``quantity`` units of ``block`` as ``data`` says."""
        sets, period_facts_ = self._of(period, certificate)
        project = self._session.get(InstrumentProject, block.project_id)
        retirement = facts.Retirement(
            instrument=instrument_of(block, project, quantity), retired_on=data["retired_on"],
            beneficiary=data["beneficiary_text"],
            purpose=" ".join(p for p in (data["purpose"], data.get("reason", "")) if p),
            market=market, registry_reference=data["registry_reference"],
        )
        return [f for f in judge_retirement(sets, period_facts_, retirement) if f.blocks]


def refused(findings: list[Finding]) -> InvalidInput:
    """The refusal of a retirement by the rules, naming each rule and why."""
    rules = ", ".join(dict.fromkeys(f.rule_id for f in findings))
    return InvalidInput(
        Msg("the rules of the claim refuse this retirement ({rules}); if the units are already retired "
            "at the registry, record it with despite_rules (the reason): it stays in the ledger and the "
            "claim does not count it", rules=rules),
        {"rules": [Written(f"{f.rule_id}: {f.explanation.en}", zh_Hans=f"{f.rule_id}：{f.explanation.zh_Hans}",
                           zh_Hant=f"{f.rule_id}：{f.explanation.zh_Hant}") for f in findings]},
    )


def as_documents(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as kept with a retirement recorded despite them."""
    return [{"rule_set": f.rule_set, "rule_id": f.rule_id, "clause": f.clause, "outcome": f.outcome.value,
             "severity": f.severity.value, "explanation": f.explanation.as_dict(), "evidence": dict(f.evidence)}
            for f in findings]
