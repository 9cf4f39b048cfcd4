"""Use cases of the claims layer: the balance of an application period and what it still needs,
from its inventory, the retirement ledger and the holdings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.claims.balance import (
    ClaimBalance,
    PeriodBalance,
    RetiredUnits,
    claim_balance,
    excluded_of,
)
from neutrality.claims.needs import PeriodNeeds, needs_of
from neutrality.clock import utcnow
from neutrality.commitments.model import deadline_rule, retirement_deadline
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.inventory.positions import PeriodCoverage
from neutrality.inventory.status import InventoryStatus
from neutrality.organisations.tables import Organisation, Subject
from neutrality.registry.counted import InForceUnderClaim, in_force_under_claim
from neutrality.registry.holdings import (
    SERVING,
    HeldGroups,
    HeldUnits,
    HoldingLine,
    check_holding_query,
    held_units,
)
from neutrality.registry.ledger import in_force, retired_by_scheme, retired_tco2e_and_mwh
from neutrality.registry.rule_facts import (
    claim_of,
    ledger_entries,
    period_facts,
    retirements_in_force,
)
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.rules.engine import applicable, cycle_collection_paused, evaluate
from neutrality.rules.model import Catalogue, Finding
from neutrality.uow import UnitOfWork


def period_balance(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date | None = None,
    catalogue: Catalogue | None = None,
) -> PeriodBalance:
    """Gross emissions (location- and market-based), electricity covered by EACs, residual,
    credits retired, surplus or shortfall and the verdict, every figure exact: the arithmetic of
    the ledger; and ``claim``, the same under the rules of the commitment's claim, which count
    only the retirements no blocking rule refuses (judged as of ``as_of``, today by default)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    # a period of 10,000 retirements is judged into some 100,000 findings, none in a cycle: the
    # cycle collector, set off by them over and over, would double the time
    with uow.reading(), cycle_collection_paused():
        return balance_in(uow.session, organisation_id, period_id, as_of=as_of or utcnow().date(),
                          catalogue=catalogue or shipped_catalogue())


#: ``coverage=`` not given: the use case reads the period's coverage itself.
UNREAD: Any = object()


def balance_in(
    session: Session, organisation_id: int, period_id: int, *, as_of: dt.date, catalogue: Catalogue,
    coverage: PeriodCoverage | None = UNREAD,
) -> PeriodBalance:
    """:func:`period_balance` in the caller's transaction (authorised by the caller); ``coverage``:
    the period's coverage (None without an inventory), when the caller has read it already."""
    period = get_period_row(session, organisation_id, period_id)
    # the retirements in force, read once: as the ledger's arithmetic reads them, and as facts
    # for the claim's rules
    retired = retirements_in_force(session, period.id)
    entries = ledger_entries(retired)
    credits, mwh_by_market = retired_tco2e_and_mwh(entries)
    ledger = PeriodBalance(
        period_id=period.id, start_date=period.start_date, end_date=period.end_date,
        retirements=tuple(e.id for e in entries), credits_retired_tco2e=Decimal(credits),
        retired_by_scheme=retired_by_scheme(entries),
        eac_retired_mwh_by_market={m: Decimal(q) for m, q in sorted(mwh_by_market.items())},
    )
    if coverage is UNREAD:
        coverage = PeriodCoverage.of_period(session, period.id)
    if coverage is None:
        return replace(ledger, note="the period has no inventory: nothing to balance yet")
    inventory = coverage.inventory
    position = coverage.position(ledger.eac_retired_mwh_by_market)
    claim, verification_state = _claim(session, period, coverage, position, ledger, retired, entries, as_of,
                                       catalogue)
    return replace(
        ledger, inventory_id=inventory.id, inventory_status=inventory.status,
        inventory_verified=inventory.status == InventoryStatus.VERIFIED,
        verification_state=verification_state, coverage=position, claim=claim,
    )


def _claim(
    session: Any, period: Any, coverage: PeriodCoverage, position: Any, ledger: PeriodBalance,
    retired: Sequence[Any], entries: list[Any], as_of: dt.date, catalogue: Catalogue,
) -> tuple[ClaimBalance, str | None]:
    """The balance under the claim: the period judged by its rules, the refused retirements
    left out, the residual recalculated only when a certificate is left out; and the state of
    the inventory's verification the rules read (claimed, confirmed, None without one)."""
    commitment = session.get(Commitment, period.commitment_id)
    facts = period_facts(session, period, as_of=as_of, coverage=coverage, retirements=retired, position=position)
    applied = applicable(catalogue, claim_of(commitment), facts.start, facts.end)
    evaluation = evaluate(applied, facts)

    def residual_after(mwh_by_market: Any) -> Decimal:
        if dict(mwh_by_market) == {m: q for m, q in ledger.eac_retired_mwh_by_market.items() if q}:
            return position.residual_tco2e
        return coverage.position(mwh_by_market).residual_tco2e

    return claim_balance(
        commitment.standard, tuple(s.label for s in applied.sets), evaluation.failures,
        [RetiredUnits(*e) for e in entries],
        ledger.credits_retired_tco2e, ledger.eac_retired_mwh_by_market, residual_after,
        refusals=evaluation.refusals, period_findings=evaluation.period_findings,
    ), facts.verification_state


def period_needs(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, as_of: dt.date | None = None,
    catalogue: Catalogue | None = None,
) -> PeriodNeeds:
    """MWh of EACs per market and tCO2e of credits a period still needs, from its inventory.

    Electricity: the period's purchased grid electricity per market (the sites' country), less
    what supplier-specific green tariffs already cover. Credits: the residual with all that
    electricity covered by certificates (:data:`neutrality.claims.needs.RESIDUAL_BASIS`). What
    the ledger holds retired for the period and the claim counts (no blocking rule refuses it,
    judged as of ``as_of``, today by default) is subtracted from both; the retirements it does
    not count are listed apart.
    """
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading(), cycle_collection_paused():
        return needs_in(uow.session, organisation_id, period_id, as_of=as_of or utcnow().date(),
                        catalogue=catalogue or shipped_catalogue())


def holdings_and_needs(
    uow: UnitOfWork, actor: Actor, organisation_id: int, by: Sequence[str], *, statuses: Iterable[str],
    period_ids: Sequence[int], as_of: dt.date | None = None, catalogue: Catalogue | None = None,
) -> tuple[list[HoldingLine], list[PeriodNeeds]]:
    """What the organisation holds, grouped by ``by`` (:func:`neutrality.registry.holdings.holdings`),
    and what each of ``period_ids`` still needs (:func:`period_needs`), in one snapshot: the
    blocks are summed once for both (200,000 blocks read once, not once a period)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    wanted = check_holding_query(by, statuses)
    as_of, catalogue = as_of or utcnow().date(), catalogue or shipped_catalogue()
    with uow.snapshot(), cycle_collection_paused():
        session = uow.session
        loaded = keep_loaded(session, organisation_id, period_ids)  # noqa: F841 - held while the periods are read
        groups = HeldGroups.read(session, organisation_id, {*wanted, *SERVING}, by_account="account" in by)
        held = groups.held_units(session, organisation_id)
        needs = [needs_in(session, organisation_id, period_id, as_of=as_of, catalogue=catalogue, held=held)
                 for period_id in period_ids]
        return groups.lines(by, wanted), needs


def keep_loaded(session: Session, organisation_id: int, period_ids: Sequence[int]) -> list[Any]:
    """The periods, their commitments and factories and the organisation, loaded at once, for the caller to hold while it works
    through them: the session keeps a row in its identity map only while something refers to it,
    and each period's use cases look its period and commitment up several times (a dashboard of
    ten periods made some 60 look-ups where 2 queries do)."""
    periods = list(session.scalars(select(ApplicationPeriodRow).where(
        ApplicationPeriodRow.organisation_id == organisation_id, ApplicationPeriodRow.id.in_(period_ids))))
    commitments = list(session.scalars(select(Commitment).where(
        Commitment.id.in_({p.commitment_id for p in periods})))) if periods else []
    subjects = list(session.scalars(select(Subject).where(
        Subject.id.in_({c.subject_id for c in commitments})))) if commitments else []
    return [*periods, *commitments, *subjects, session.get(Organisation, organisation_id)]


def needs_in(
    session: Session, organisation_id: int, period_id: int, *, as_of: dt.date, catalogue: Catalogue,
    refusals: Mapping[int, Sequence[Finding]] | None = None, held: HeldUnits | None = None,
    coverage: PeriodCoverage | None = UNREAD,
) -> PeriodNeeds:
    """:func:`period_needs` in the caller's transaction (authorised by the caller); ``refusals``:
    the blocking refusals of the period's retirements, when the caller has judged them already;
    ``held``: the organisation's holdings, when the caller has read them already (for several
    periods); ``coverage``: the period's, likewise (None without an inventory)."""
    period = get_period_row(session, organisation_id, period_id)
    commitment = session.get(Commitment, period.commitment_id)
    needs = PeriodNeeds(
        period_id=period.id, start_date=period.start_date, end_date=period.end_date,
        standard=commitment.standard, retirement_deadline=retirement_deadline(commitment.standard, period.end_date),
        deadline_rule=deadline_rule(commitment.standard),
    )
    if coverage is UNREAD:
        coverage = PeriodCoverage.of_period(session, period.id)
    if coverage is None:
        return replace(needs, note="the period has no inventory yet: nothing to measure the needs against")
    inventory = coverage.inventory
    all_covered = coverage.all_grid_covered()
    note = None
    frozen = (inventory.frozen_result or {}).get("location_based", {}).get("tco2e")
    if frozen is not None and Decimal(frozen) != all_covered.gross_location_tco2e:
        # Calculated with the frozen factors this should never differ; if the library
        # changed which factor applies, say so: the frozen report stays the reference.
        note = (f"calculated {all_covered.gross_location_tco2e} tCO2e location-based against the verified "
                f"{frozen}; the verified figures are the reference")
    if refusals is None:
        judged = in_force_under_claim(session, period, as_of=as_of, coverage=coverage, catalogue=catalogue)
    else:
        judged = InForceUnderClaim(tuple(in_force(session, period.id)), refusals)
    credits_retired, mwh_retired = retired_tco2e_and_mwh(judged.counted)
    not_counted = excluded_of([RetiredUnits(*e) for e in judged.not_counted], judged.refusals)
    held = (held or held_units(session, organisation_id)).for_period(period.start_date, period.end_date)
    markets, credits = needs_of(
        all_covered, credits_retired_tco2e=Decimal(credits_retired),
        eac_retired_mwh_by_market={m: Decimal(q) for m, q in mwh_retired.items()},
        eac_held_mwh_by_market=held.eac_mwh_by_market, credits_held_tco2e=held.credits_tco2e,
    )
    return replace(needs, inventory_id=inventory.id, inventory_status=inventory.status,
                   markets=markets, credits=credits, not_counted=not_counted, note=note)
