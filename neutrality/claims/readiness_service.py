"""Use case of the readiness checklist: what a period still lacks before its declaration."""

from __future__ import annotations

import datetime as dt

from neutrality.access.model import Actor
from neutrality.claims.balance import RetiredUnits
from neutrality.claims.eligibility import period_findings
from neutrality.claims.readiness import Readiness, checklist
from neutrality.claims.services import period_balance, period_needs
from neutrality.registry.ledger import in_force
from neutrality.uow import UnitOfWork


def period_readiness(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date,
) -> Readiness:
    """The checklist of the period on ``as_of``: its balance under the claim (which carries the
    findings and the retirements it judged) and its needs, each read and authorised by its own
    use case. Without an inventory there is no claim balance: the findings are read alone."""
    balance = period_balance(uow, actor, organisation_id, period_id, as_of=as_of)
    needs = period_needs(uow, actor, organisation_id, period_id)
    if balance.claim is not None:
        return checklist(balance.claim.findings, balance, needs, as_of=as_of, retirements=balance.claim.retired)
    findings = period_findings(uow, actor, organisation_id, period_id, as_of=as_of)
    with uow.reading():
        retirements = tuple(RetiredUnits(e.id, e.scheme, e.quantity, e.unit, e.market)
                            for e in in_force(uow.session, balance.period_id))
    return checklist(findings.findings, balance, needs, as_of=as_of, retirements=retirements)
