"""Look-ups of the instrument registry's rows (projects, blocks, purchases), scoped to their
organisation."""

from __future__ import annotations

from sqlalchemy.orm import Session

from neutrality.db import owned_row
from neutrality.registry.tables import InstrumentProject, Purchase, SerialBlock


def get_project_row(session: Session, organisation_id: int, project_id: int) -> InstrumentProject:
    return owned_row(session, InstrumentProject, organisation_id, project_id, what="project")


def get_block_row(session: Session, organisation_id: int, block_id: int) -> SerialBlock:
    return owned_row(session, SerialBlock, organisation_id, block_id, what="block")


def get_purchase_row(session: Session, organisation_id: int, purchase_id: int) -> Purchase:
    return owned_row(session, Purchase, organisation_id, purchase_id, what="purchase")
