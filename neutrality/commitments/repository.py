"""Look-ups of commitments and application periods, scoped to their organisation."""

from __future__ import annotations

from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.db import owned_row


def get_period_row(session: Session, organisation_id: int, period_id: int) -> ApplicationPeriodRow:
    """The organisation's application period, or not found (also for another tenant's period)."""
    return owned_row(session, ApplicationPeriodRow, organisation_id, period_id,
                     what="application period", details={"period_id": ["not found"]})
