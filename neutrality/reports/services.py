"""The use case of the periodic GHG report: read the period's figures, build the content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor, Permission, authorize
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.errors import InvalidInput, NotFound
from neutrality.inventory import services as inventory
from neutrality.inventory.computing import IncalculableRecords, groups_reused
from neutrality.inventory.status import InventoryOrigin, InventoryStatus
from neutrality.inventory.tables import Inventory
from neutrality.inventory.tables import Verification as VerificationRow
from neutrality.messages import Msg
from neutrality.organisations.tables import Organisation, Site, Subject
from neutrality.reductions import achieved_services, target_services
from neutrality.reductions import services as measures
from neutrality.reductions.achieved import Attribution, compare
from neutrality.reductions.achieved_services import PeriodReductions
from neutrality.reductions.inventory_sources import figures, kind_sources
from neutrality.reductions.measures import MeasureStatus
from neutrality.reports.content import (
    Explained,
    GhgReport,
    Initiative,
    TargetStanding,
    Verification,
    build_report,
)
from neutrality.uow import UnitOfWork


def ghg_report(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *,
               prepared_on: dt.date) -> GhgReport:
    """The GHG report of a period: its inventory (the verified version, else the newest), with
    the verification when there is one and the change against the period before.

    Its figures come from the grouped calculation: each inventory's records are read and summed
    once for the whole report (the inventory, the year before, the targets' base year), and only
    the sources the measures act on are read by name."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with groups_reused():
        return _ghg_report(uow, actor, organisation_id, period_id, prepared_on)


def _ghg_report(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int,
                prepared_on: dt.date) -> GhgReport:
    with uow.reading():
        session = uow.session
        period = get_period_row(session, organisation_id, period_id)
        organisation = session.get(Organisation, organisation_id)
        commitment = session.get(Commitment, period.commitment_id)
        subject = session.get(Subject, commitment.subject_id)
        current = inventory.latest_inventory_of(session, period.id)
        if current is None:
            raise NotFound(Msg("period {period} has no inventory: there is no report to make", period=period.id),
                           {"period_id": ["no inventory"]})
        verification = None
        if current.status == InventoryStatus.VERIFIED:
            row = session.scalar(select(VerificationRow).where(VerificationRow.inventory_id == current.id))
            if row is not None:
                verification = Verification(row.body, row.accreditation, row.standard, row.assurance_level,
                                            row.materiality_percent, row.opinion, row.verified_on)
        before = session.scalar(select(ApplicationPeriodRow).where(
            ApplicationPeriodRow.commitment_id == period.commitment_id,
            ApplicationPeriodRow.sequence == period.sequence - 1))
        earlier = inventory.latest_inventory_of(session, before.id) if before is not None else None
        names = (organisation.name, organisation.legal_name, subject.name)
        site_names = {site.id: site.name for site in session.scalars(
            select(Site).where(Site.organisation_id == organisation_id))}
        boundary_site = subject.site_id
        dates = (period.start_date, period.end_date)
        commitment_id = period.commitment_id
        earlier_dates = (before.start_date, before.end_date) if before is not None else None
    report = inventory.inventory_report(uow, actor, organisation_id, current.id)
    previous: tuple[Any, Any] | None = None
    if earlier is not None and earlier_dates is not None:
        previous = (earlier_dates, inventory.inventory_report(uow, actor, organisation_id, earlier.id))
    achieved = explained = None
    if previous is not None and earlier is not None:
        achieved = _achieved(uow, actor, organisation_id, period_id)
        explained = _explained(uow, earlier, current)
    return build_report(organisation=names[0], legal_name=names[1], subject=names[2], period=dates,
                        report=report, verification=verification, previous=previous, prepared_on=prepared_on,
                        initiatives=_initiatives(uow, actor, organisation_id, boundary_site, site_names, achieved),
                        targets=_standings(uow, actor, organisation_id, period_id, commitment_id),
                        explained=explained or ())


def _achieved(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> PeriodReductions | None:
    """The period against the previous one, read from both inventories; None when they cannot be
    compared (a draft with records that cannot be calculated yet): the report still reads."""
    try:
        return achieved_services.period_reductions(uow, actor, organisation_id, period_id, against_base_year=False,
                                                   measures_only=True)
    except InvalidInput:
        return None


def _explained(uow: UnitOfWork, earlier: Inventory, current: Inventory) -> list[Explained]:
    """Each scope's change against the previous period, location-based, split into activity and
    factors from the two inventories' sources by kind; none when either was made with another
    tool (totals only) or cannot be calculated yet."""
    if InventoryOrigin.EXTERNAL.value in (earlier.origin, current.origin):
        return []
    try:
        with uow.reading():
            session = uow.session
            old = kind_sources(session, session.get(Inventory, earlier.id))
            new = kind_sources(session, session.get(Inventory, current.id))
    except IncalculableRecords:
        return []
    location = compare(figures(old), figures(new))
    lines = [(str(line.scope), line.figures) for line in location.by_scope] + [("total", location.total)]
    return [Explained(key, f.change, f.due_to_activity, f.due_to_factor)
            for key, f in lines if f.due_to_activity is not None and f.due_to_factor is not None]


def _initiatives(uow: UnitOfWork, actor: Actor, organisation_id: int, site_id: int | None,
                 site_names: dict[int, str], achieved: PeriodReductions | None) -> list[Initiative]:
    """The measures of the register acting on the boundary (its site, or the whole organisation;
    every site for an organisation-wide subject), in the register's order; dropped ones left out.
    What each achieved is read against the previous period (the activity part of its sources)."""
    register = measures.list_measures(uow, actor, organisation_id)
    attributions = {m.measure_id: m.against_previous for m in achieved.measures} if achieved is not None else {}
    chosen = []
    for view in register.measures:
        value = view.value
        if value.status is MeasureStatus.DROPPED:
            continue
        if site_id is not None and value.site_id not in (None, site_id):
            continue
        attribution = attributions.get(view.row.id)
        chosen.append(Initiative(
            **_achieved_by(attribution),
            title=value.title, category=value.category.label, status=value.status.label,
            scope=int(value.scope), source=value.source,
            site=site_names.get(value.site_id) if value.site_id is not None else None,
            start=value.start, end=value.end,
            expected_tco2e=view.expected.tco2e if view.expected is not None else None))
    return chosen


def _achieved_by(attribution: Attribution | None) -> dict[str, Any]:
    """The achieved figure of a measure and what to say beside it: its own sources' activity
    part, or the part of a source it shares with another measure (counted once overall)."""
    if attribution is None:
        return {"achieved_tco2e": None, "achieved_note": None}
    figure = attribution.achieved_reduction
    if attribution.shared_reduction is not None:  # its own sources and those it shares (the note says which)
        figure = (figure or 0) + attribution.shared_reduction
    if not attribution.acts:  # planned, dropped, or done before the earlier period: its status says so
        return {"achieved_tco2e": None, "achieved_note": None}
    return {"achieved_tco2e": figure, "achieved_note": attribution.note}


def _standings(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int,
               commitment_id: int) -> list[TargetStanding]:
    """The targets the period is measured against (its commitment's and the organisation's), each
    followed over the inventories and this period placed on it."""
    standings = []
    for row in target_services.list_targets(uow, actor, organisation_id):
        if row.commitment_id not in (None, commitment_id):
            continue
        target = row.value()
        facts: dict[str, Any] = {
            "kind": row.kind, "scopes": row.scopes, "scope2_basis": row.scope2_basis, "base_year": row.base_year,
            "base_value": target.base_value, "target_year": row.target_year,
            "reduction_percent": target.reduction_percent, "target_value": target.target_value,
            "output_unit": row.output_unit}
        try:
            # the report places each period; the changes between periods are the progress page's
            followed = target_services.target_progress(uow, actor, organisation_id, row.id, with_changes=False)
        except InvalidInput as problem:  # e.g. an organisation's target over two periods of one year
            standings.append(TargetStanding(**facts, position=None, trajectory=tuple(target.trajectory()), actuals=(),
                                            problem=problem.message))
            continue
        here = next((p.position for p in followed.periods if period_id in (p.period_ids or (p.period_id,))), None)
        problem = None
        if here is None:
            problem = (Msg("no output is recorded for the period, so its intensity cannot be given")
                       if period_id in followed.missing_output else
                       Msg("the period is before the target's base year, or has no figures to place"))
        standings.append(TargetStanding(
            # the line as followed: moved with the base year when its check required it
            **facts, position=here, trajectory=tuple((p["year"], p["allowed"]) for p in followed.trajectory),
            actuals=tuple((p.year, p.position.actual, p.position.on_track) for p in followed.periods),
            problem=problem))
    return standings
