"""Use cases of the rules engine for a period: its findings under the claim of its commitment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.claims.services import UNREAD
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import Commitment
from neutrality.inventory.positions import PeriodCoverage
from neutrality.registry.rule_facts import claim_of, period_facts
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.rules.engine import Evaluation, applicable, cycle_collection_paused, evaluate
from neutrality.rules.model import Catalogue, Finding, Outcome, Severity
from neutrality.uow import UnitOfWork


@dataclass(frozen=True)
class PeriodFindings:
    period_id: int
    standard: str
    as_of: dt.date
    rule_sets: tuple[str, ...]  # key/version of every set applied
    findings: tuple[Finding, ...]
    #: of every finding, whatever :meth:`only` keeps: how many per outcome, and how many block
    counts: Mapping[str, int] = field(default_factory=dict)
    blocking_count: int = 0

    def only(self, outcomes: Collection[str] = (), subject: str | None = None) -> PeriodFindings:
        """The findings of these outcomes (all when none is named) about this subject (all when
        None): a period with 10,000 retirements has some 100,000 findings, of which a reader
        mostly wants the failures, or those of one retirement. The counts stay those of all."""
        kept = tuple(f for f in self.findings
                     if (not outcomes or f.outcome.value in outcomes) and (subject is None or f.subject == subject))
        return replace(self, findings=kept)


def _judged(period_id: int, standard: str, as_of: dt.date, rule_sets: tuple[str, ...],
            evaluation: Evaluation) -> PeriodFindings:
    pairs = evaluation.counts()  # counted per group of alike retirements, not per finding
    counts = {o.value: sum(n for (outcome, _), n in pairs.items() if outcome is o) for o in Outcome}
    return PeriodFindings(period_id, standard, as_of, rule_sets, evaluation.findings, counts,
                          pairs.get((Outcome.FAIL, Severity.BLOCKING), 0))


def period_findings(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date,
    catalogue: Catalogue | None = None,
) -> PeriodFindings:
    """Every rule of every set that applies to the period's claim, judged against its inventory
    and its retirements in force."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading(), cycle_collection_paused():  # 100,000 findings, none in a cycle
        return findings_in(uow.session, organisation_id, period_id, as_of=as_of,
                           catalogue=catalogue or shipped_catalogue())


def findings_in(
    session: Session, organisation_id: int, period_id: int, *, as_of: dt.date, catalogue: Catalogue,
    coverage: PeriodCoverage | None = UNREAD,
) -> PeriodFindings:
    """:func:`period_findings` in the caller's transaction (authorised by the caller); ``coverage``:
    the period's coverage (None without an inventory), when the caller has read it already."""
    period = get_period_row(session, organisation_id, period_id)
    commitment = session.get(Commitment, period.commitment_id)
    if coverage is UNREAD:
        coverage = PeriodCoverage.of_period(session, period.id)
    facts = period_facts(session, period, as_of=as_of, coverage=coverage)
    applied = applicable(catalogue, claim_of(commitment), facts.start, facts.end)
    evaluation = evaluate(applied, facts)
    return _judged(period.id, commitment.standard, as_of, tuple(s.label for s in applied.sets), evaluation)
