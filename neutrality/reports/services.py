"""The use case of the periodic GHG report: read the period's figures, build the content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor, Permission, authorize
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.errors import NotFound
from neutrality.inventory import services as inventory
from neutrality.inventory.status import InventoryStatus
from neutrality.inventory.tables import Verification as VerificationRow
from neutrality.messages import Msg
from neutrality.organisations.tables import Organisation, Subject
from neutrality.reports.content import GhgReport, Verification, build_report
from neutrality.uow import UnitOfWork


def ghg_report(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *,
               prepared_on: dt.date) -> GhgReport:
    """The GHG report of a period: its inventory (the verified version, else the newest), with
    the verification when there is one and the change against the period before."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
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
        dates = (period.start_date, period.end_date)
        earlier_dates = (before.start_date, before.end_date) if before is not None else None
    report = inventory.inventory_report(uow, actor, organisation_id, current.id)
    previous: tuple[Any, Any] | None = None
    if earlier is not None and earlier_dates is not None:
        previous = (earlier_dates, inventory.inventory_report(uow, actor, organisation_id, earlier.id))
    return build_report(organisation=names[0], legal_name=names[1], subject=names[2], period=dates,
                        report=report, verification=verification, previous=previous, prepared_on=prepared_on)
