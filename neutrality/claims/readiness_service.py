"""Use case of the readiness checklist: what a period still lacks before its declaration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.claims.balance import PeriodBalance, RetiredUnits
from neutrality.claims.eligibility import findings_in
from neutrality.claims.needs import PeriodNeeds
from neutrality.claims.readiness import Readiness, checklist
from neutrality.claims.services import balance_in, keep_loaded, needs_in
from neutrality.commitments.repository import get_period_row
from neutrality.inventory.positions import PeriodCoverage
from neutrality.registry.holdings import HeldUnits, held_units
from neutrality.registry.ledger import in_force
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.rules.engine import cycle_collection_paused
from neutrality.rules.model import Catalogue
from neutrality.uow import UnitOfWork


@dataclass(frozen=True)
class PeriodReview:
    """A period's balance (with the balance under its claim), its needs and its checklist, read
    together: what a dashboard shows of each period."""

    balance: PeriodBalance
    needs: PeriodNeeds
    readiness: Readiness


def period_readiness(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date,
    catalogue: Catalogue | None = None,
) -> Readiness:
    """The checklist of the period on ``as_of`` (:func:`period_review`)."""
    return period_review(uow, actor, organisation_id, period_id, as_of=as_of, catalogue=catalogue).readiness


def periods_reviews(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_ids: Sequence[int], *, as_of: dt.date,
    catalogue: Catalogue | None = None,
) -> list[PeriodReview]:
    """:func:`period_review` of several periods of the organisation (a dashboard's), in the
    order given, all read in one snapshot with the holdings read once for them all."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    catalogue = catalogue or shipped_catalogue()
    with uow.snapshot(), cycle_collection_paused():
        loaded = keep_loaded(uow.session, organisation_id, period_ids)  # noqa: F841 - held while the periods are read
        held = held_units(uow.session, organisation_id)
        return [review_in(uow.session, organisation_id, period_id, as_of=as_of, catalogue=catalogue, held=held)
                for period_id in period_ids]


def period_review(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date,
    catalogue: Catalogue | None = None,
) -> PeriodReview:
    """The period on ``as_of``: its balance under the claim (which carries the findings and the
    retirements it judged), its needs and its checklist, read in one snapshot of the database
    so that they agree (a retirement recorded meanwhile is in all or in none), the needs
    counting the retirements the balance's findings count. Without an inventory there is no
    claim balance: the findings are read alone."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    catalogue = catalogue or shipped_catalogue()
    with uow.snapshot(), cycle_collection_paused():  # 100,000 findings, none in a cycle
        return review_in(uow.session, organisation_id, period_id, as_of=as_of, catalogue=catalogue)


def review_in(
    session: Session, organisation_id: int, period_id: int, *, as_of: dt.date, catalogue: Catalogue,
    held: HeldUnits | None = None,
) -> PeriodReview:
    """:func:`period_review` in the caller's snapshot (authorised by the caller); ``held``: the
    organisation's holdings, when the caller has read them already."""
    # the inventory's calculation, done once for the balance, the needs and the findings
    coverage = PeriodCoverage.of_period(session, get_period_row(session, organisation_id, period_id).id)
    balance = balance_in(session, organisation_id, period_id, as_of=as_of, catalogue=catalogue, coverage=coverage)
    if balance.claim is not None:
        needs = needs_in(session, organisation_id, period_id, as_of=as_of, catalogue=catalogue,
                         refusals=balance.claim.refusals, held=held, coverage=coverage)
        ready = checklist(balance.claim.findings, balance, needs, as_of=as_of,
                          retirements=balance.claim.retired)
        return PeriodReview(balance, needs, ready)
    needs = needs_in(session, organisation_id, period_id, as_of=as_of, catalogue=catalogue, held=held,
                     coverage=coverage)
    findings = findings_in(session, organisation_id, period_id, as_of=as_of, catalogue=catalogue,
                           coverage=coverage)
    retirements = tuple(RetiredUnits(e.id, e.scheme, e.quantity, e.unit, e.market)
                        for e in in_force(session, balance.period_id))
    ready = checklist(findings.findings, balance, needs, as_of=as_of, retirements=retirements)
    return PeriodReview(balance, needs, ready)
