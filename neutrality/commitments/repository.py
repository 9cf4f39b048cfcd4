"""Look-ups of commitments and application periods, scoped to their organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.errors import NotFound


def get_period_row(session: Session, organisation_id: int, period_id: int) -> ApplicationPeriodRow:
    """The organisation's application period, or not found (also for another tenant's period)."""
    row = session.scalar(
        select(ApplicationPeriodRow).where(
            ApplicationPeriodRow.id == period_id, ApplicationPeriodRow.organisation_id == organisation_id
        )
    )
    if row is None:
        raise NotFound(f"application period {period_id} not found in organisation {organisation_id}",
                       {"period_id": ["not found"]})
    return row
