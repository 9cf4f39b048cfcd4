"""Use case of the readiness checklist: what a period still lacks before its declaration."""

from __future__ import annotations

import datetime as dt

from neutrality.access.model import Actor
from neutrality.claims.eligibility import period_findings
from neutrality.claims.readiness import Readiness, RetiredUnits, checklist
from neutrality.claims.services import period_balance, period_needs
from neutrality.registry.ledger import in_force
from neutrality.uow import UnitOfWork


def period_readiness(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date,
) -> Readiness:
    """The checklist of the period on ``as_of``: its findings, balance and needs (each read and
    authorised by its own use case), and the units of each retirement in force, which tell what
    a refused retirement takes off the credits and certificates counted."""
    findings = period_findings(uow, actor, organisation_id, period_id, as_of=as_of)
    balance = period_balance(uow, actor, organisation_id, period_id)
    needs = period_needs(uow, actor, organisation_id, period_id)
    with uow.reading():
        retirements = tuple(RetiredUnits(e.id, e.scheme, e.quantity, e.unit, e.market)
                            for e in in_force(uow.session, balance.period_id))
    return checklist(findings.findings, balance, needs, as_of=as_of, retirements=retirements)
