"""Which of a period's retirements in force the rules of its claim count.

The ledger keeps every retirement that stands, including those recorded on purpose despite a
blocking rule (the registry retirement had happened); the claim counts only those no blocking
retirement rule of its rule sets refuses. What a period still needs, and what a plan still has
to cover, is measured against the counted ones: a retirement the claim refuses covers nothing.
The balance under the claim judges the same way (:func:`neutrality.claims.services.period_balance`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.inventory.positions import PeriodCoverage
from neutrality.registry.ledger import InForce, in_force
from neutrality.registry.rule_facts import claim_of, period_facts, retirements_in_force
from neutrality.rules.engine import applicable, judge_retirements
from neutrality.rules.facts import PeriodFacts
from neutrality.rules.model import Catalogue, Finding


@dataclass(frozen=True)
class InForceUnderClaim:
    """The period's retirements in force, and the blocking refusals of those the claim does not
    count (by retirement id)."""

    entries: tuple[InForce, ...]
    refusals: Mapping[int, Sequence[Finding]]

    @property
    def counted(self) -> list[InForce]:
        return [e for e in self.entries if e.id not in self.refusals]

    @property
    def not_counted(self) -> list[InForce]:
        return [e for e in self.entries if e.id in self.refusals]


def in_force_under_claim(
    session: Session, period: ApplicationPeriodRow, *, as_of: dt.date, coverage: PeriodCoverage | None,
    catalogue: Catalogue, facts: PeriodFacts | None = None,
) -> InForceUnderClaim:
    """The period's retirements in force, judged by the retirement rules of its claim (``facts``:
    the period's facts with its retirements in force, when the caller already has them)."""
    entries = tuple(in_force(session, period.id))
    if facts is None:
        # A retirement's rules read neither the residual nor the period's totals: the facts
        # recording one retirement reads, with every retirement in force to judge.
        facts = dataclasses.replace(
            period_facts(session, period, as_of=as_of, coverage=coverage, for_one_retirement=True),
            retirements=tuple(retirements_in_force(session, period.id)))
    commitment = session.get(Commitment, period.commitment_id)
    sets = applicable(catalogue, claim_of(commitment), facts.start, facts.end).sets
    return InForceUnderClaim(entries, judge_retirements(sets, facts).refusals)
