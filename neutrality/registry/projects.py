"""Use cases of the projects and devices that instruments come from: record, change, list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.errors import Conflict, InvalidInput
from neutrality.messages import Msg
from neutrality.registry.repository import get_project_row
from neutrality.registry.tables import InstrumentProject
from neutrality.technologies import technology_code
from neutrality.uow import UnitOfWork


def create_project(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]
) -> InstrumentProject:
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        existing = _project_by_registry_id(
            session, organisation_id, data["source_registry"], data["registry_project_id"]
        )
        if existing is not None:
            raise Conflict(
                Msg("project {project} of {registry} is already recorded (id {id})",
                    project=data["registry_project_id"], registry=data["source_registry"], id=existing.id),
                {"registry_project_id": [data["registry_project_id"]]},
            )
        row = InstrumentProject(
            organisation_id=organisation_id,
            created_at=utcnow(),
            created_by=actor.label,
            **_project_values(data),
        )
        _check_project(row)
        session.add(row)
        uow.flush()
        record(session, actor, "registry.project.create", row, organisation_id=organisation_id)
        uow.commit()
        return row


def update_project(
    uow: UnitOfWork, actor: Actor, organisation_id: int, project_id: int, changes: Mapping[str, Any]
) -> InstrumentProject:
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    with uow:
        session = uow.session
        row = get_project_row(session, organisation_id, project_id)
        before = snapshot(row)
        for key, value in _project_values(changes).items():
            setattr(row, key, value)
        _check_project(row)
        record(
            session,
            actor,
            "registry.project.update",
            row,
            before=before,
            organisation_id=organisation_id,
        )
        uow.commit()
        return row


def list_projects(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[InstrumentProject]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(
            uow.session.scalars(
                select(InstrumentProject)
                .where(InstrumentProject.organisation_id == organisation_id)
                .order_by(InstrumentProject.id)
            )
        )


def get_project(
    uow: UnitOfWork, actor: Actor, organisation_id: int, project_id: int
) -> InstrumentProject:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_project_row(uow.session, organisation_id, project_id)


_PROJECT_FIELDS = (
    "kind",
    "source_registry",
    "registry_project_id",
    "name",
    "proponent",
    "country",
    "region",
    "methodology",
    "project_type",
    "mitigation",
    "crediting_period_start",
    "crediting_period_end",
    "labels",
    "technology",
    "capacity_mw",
    "commissioning_date",
    "repowering_date",
    "grid_region",
    "subsidised",
    "gec_tradable",
    "gec_project_code",
    "extra",
)


def _project_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: data[key] for key in _PROJECT_FIELDS if key in data}
    for key in ("kind", "mitigation"):
        if key in values and values[key] is not None:
            values[key] = getattr(values[key], "value", values[key])
    if "technology" in values:
        values["technology"] = technology_code(values["technology"])  # 光伏, "Solar PV" → solar_pv
    return values


def _check_project(row: InstrumentProject) -> None:
    if (
        row.crediting_period_start
        and row.crediting_period_end
        and row.crediting_period_end < row.crediting_period_start
    ):
        raise InvalidInput(
            Msg("the crediting period ends before it starts"),
            {"crediting_period_end": ["before the start"]},
        )
    if (
        row.repowering_date
        and row.commissioning_date
        and row.repowering_date < row.commissioning_date
    ):
        raise InvalidInput(
            Msg("re-powering comes after commissioning"), {"repowering_date": ["before commissioning"]}
        )


def _project_by_registry_id(
    session: Session, organisation_id: int, registry: str, project_id: str
) -> InstrumentProject | None:
    return session.scalar(
        select(InstrumentProject).where(
            InstrumentProject.organisation_id == organisation_id,
            InstrumentProject.source_registry == registry,
            InstrumentProject.registry_project_id == project_id,
        )
    )
