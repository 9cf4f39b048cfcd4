"""Look-ups that scope every row to its organisation, so one tenant never reaches another's data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from neutrality.db import owned_row
from neutrality.errors import NotFound
from neutrality.messages import Msg
from neutrality.organisations.tables import Organisation, Site, Subject


def get_organisation_row(session: Session, organisation_id: int) -> Organisation:
    row = session.get(Organisation, organisation_id)
    if row is None:
        raise NotFound(Msg("organisation {id} not found", id=organisation_id))
    return row


def get_site_row(session: Session, organisation_id: int, site_id: int) -> Site:
    return owned_row(session, Site, organisation_id, site_id, what="site")


def get_subject_row(session: Session, organisation_id: int, subject_id: int) -> Subject:
    return owned_row(session, Subject, organisation_id, subject_id, what="subject")
