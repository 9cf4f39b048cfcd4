"""Look-ups that scope every row to its organisation, so one tenant never reaches another's data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.errors import NotFound
from neutrality.organisations.tables import Organisation, Site, Subject


def get_organisation_row(session: Session, organisation_id: int) -> Organisation:
    row = session.get(Organisation, organisation_id)
    if row is None:
        raise NotFound(f"organisation {organisation_id} not found")
    return row


def get_site_row(session: Session, organisation_id: int, site_id: int) -> Site:
    row = session.scalar(
        select(Site).where(Site.id == site_id, Site.organisation_id == organisation_id)
    )
    if row is None:
        raise NotFound(f"site {site_id} not found in organisation {organisation_id}")
    return row


def get_subject_row(session: Session, organisation_id: int, subject_id: int) -> Subject:
    row = session.scalar(
        select(Subject).where(Subject.id == subject_id, Subject.organisation_id == organisation_id)
    )
    if row is None:
        raise NotFound(f"subject {subject_id} not found in organisation {organisation_id}")
    return row
