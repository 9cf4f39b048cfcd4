"""Use cases for commitments and application periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.model import (
    CommitmentDates,
    PeriodPlan,
    PeriodSpan,
    PeriodStatus,
    Standard,
    check_commitment_dates,
    check_next_period,
    check_plan,
    generate_periods,
)
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment, ReductionTarget
from neutrality.db import owned_row
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.organisations.repository import get_organisation_row, get_subject_row
from neutrality.uow import UnitOfWork

#: Fields that fix the application periods: frozen once a period exists.
PLAN_FIELDS = (
    "baseline_date",
    "first_qualification_date",
    "period_length_months",
    "first_period_includes_historic_reductions",
)
SIMPLE_FIELDS = (
    "standard",
    "zero_carbon_factory",
    "statement",
    "neutrality_deadline",
    "commitment_until",
    "planned_measures",
    "offset_strategy",
    "estimated_offset_tco2e",
    "intended_credit_types",
    "frameworks",
)


def _targets(data: list[Mapping[str, Any]]) -> list[ReductionTarget]:
    targets = []
    for index, item in enumerate(data):
        percent = Decimal(item["reduction_percent"])
        if not Decimal(0) < percent <= Decimal(100):
            raise InvalidInput(
                Msg("a reduction target is a percentage between 0 (exclusive) and 100"),
                {f"reduction_targets.{index}.reduction_percent": ["must be > 0 and ≤ 100"]},
            )
        if item["target_year"] <= item["base_year"]:
            raise InvalidInput(
                Msg("a reduction target's year comes after its base year"),
                {f"reduction_targets.{index}.target_year": ["must be after base_year"]},
            )
        targets.append(
            ReductionTarget(
                scopes=item["scopes"],
                kind=item.get("kind", "absolute"),
                base_year=item["base_year"],
                target_year=item["target_year"],
                reduction_percent=percent,
                description=item.get("description") or "",
            )
        )
    return targets


def _check(values: Mapping[str, Any]) -> None:
    check_plan(
        PeriodPlan(
            values["baseline_date"],
            values["first_qualification_date"],
            values["period_length_months"],
            values["first_period_includes_historic_reductions"],
        )
    )
    check_commitment_dates(
        CommitmentDates(
            values["baseline_date"],
            values["first_qualification_date"],
            values.get("neutrality_deadline"),
            values.get("commitment_until"),
        )
    )


def _commitment_snapshot(commitment: Commitment) -> dict[str, Any]:
    data = snapshot(commitment)
    data["reduction_targets"] = [snapshot(t) for t in commitment.reduction_targets]
    return data


def _get_commitment(session: Session, organisation_id: int, commitment_id: int) -> Commitment:
    return owned_row(
        session, Commitment, organisation_id, commitment_id, what="commitment",
        options=(selectinload(Commitment.reduction_targets), selectinload(Commitment.periods)),
    )


def create_commitment(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]
) -> Commitment:
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    values = {"first_period_includes_historic_reductions": False, **data}
    _check(values)
    Standard(values["standard"])
    now = utcnow()
    with uow:
        session = uow.session
        get_organisation_row(session, organisation_id)
        subject = get_subject_row(session, organisation_id, values["subject_id"])
        commitment = Commitment(
            organisation_id=organisation_id,
            subject_id=subject.id,
            **{f: values[f] for f in PLAN_FIELDS},
            **{f: values.get(f) for f in SIMPLE_FIELDS},
            created_at=now,
            updated_at=now,
        )
        commitment.planned_measures = list(values.get("planned_measures") or [])
        commitment.intended_credit_types = list(values.get("intended_credit_types") or [])
        commitment.frameworks = list(values.get("frameworks") or [])
        commitment.offset_strategy = values.get("offset_strategy") or ""
        commitment.zero_carbon_factory = bool(values.get("zero_carbon_factory"))
        commitment.reduction_targets = _targets(values.get("reduction_targets") or [])
        session.add(commitment)
        uow.flush()
        record(session, actor, "commitment.create", commitment,
               organisation_id=organisation_id).after = _commitment_snapshot(commitment)
        uow.commit()
        return _get_commitment(session, organisation_id, commitment.id)


def list_commitments(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[Commitment]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        return list(
            uow.session.scalars(
                select(Commitment)
                .where(Commitment.organisation_id == organisation_id)
                .options(selectinload(Commitment.reduction_targets), selectinload(Commitment.periods))
                .order_by(Commitment.id)
            )
        )


def get_commitment(uow: UnitOfWork, actor: Actor, organisation_id: int, commitment_id: int) -> Commitment:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return _get_commitment(uow.session, organisation_id, commitment_id)


def update_commitment(
    uow: UnitOfWork, actor: Actor, organisation_id: int, commitment_id: int, changes: Mapping[str, Any]
) -> Commitment:
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    with uow:
        session = uow.session
        commitment = _get_commitment(session, organisation_id, commitment_id)
        touched_plan = [f for f in PLAN_FIELDS if f in changes and changes[f] != getattr(commitment, f)]
        if touched_plan and commitment.periods:
            raise Conflict(
                Msg("the dates that fix the application periods cannot change once periods exist"),
                {f: [Msg("frozen: periods exist")] for f in touched_plan},
            )
        if "subject_id" in changes and changes["subject_id"] != commitment.subject_id:
            raise InvalidInput(Msg("a commitment stays with its subject; make a new commitment"),
                               {"subject_id": ["not changeable"]})
        merged = {f: getattr(commitment, f) for f in PLAN_FIELDS + SIMPLE_FIELDS}
        merged.update({k: v for k, v in changes.items() if k in merged})
        _check(merged)
        before = _commitment_snapshot(commitment)
        for field in PLAN_FIELDS + SIMPLE_FIELDS:
            if field in changes:
                value = changes[field]
                if field in {"planned_measures", "intended_credit_types", "frameworks"}:
                    value = list(value or [])
                elif field == "offset_strategy":
                    value = value or ""
                setattr(commitment, field, value)
        if "reduction_targets" in changes:
            commitment.reduction_targets = _targets(changes["reduction_targets"] or [])
        commitment.updated_at = utcnow()
        uow.flush()
        record(session, actor, "commitment.update", commitment, before=before,
               organisation_id=organisation_id).after = _commitment_snapshot(commitment)
        uow.commit()
        return _get_commitment(session, organisation_id, commitment.id)


# --- application periods ----------------------------------------------------------------------


def _period_rows(session: Session, commitment_id: int) -> list[ApplicationPeriodRow]:
    return list(
        session.scalars(
            select(ApplicationPeriodRow)
            .where(ApplicationPeriodRow.commitment_id == commitment_id)
            .order_by(ApplicationPeriodRow.sequence)
        )
    )


def list_periods(
    uow: UnitOfWork, actor: Actor, organisation_id: int, commitment_id: int
) -> list[ApplicationPeriodRow]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        _get_commitment(uow.session, organisation_id, commitment_id)
        return _period_rows(uow.session, commitment_id)


def _store_periods(
    uow: UnitOfWork, actor: Actor, commitment: Commitment, periods: list[Any]
) -> list[ApplicationPeriodRow]:
    now = utcnow()
    rows = []
    for period in periods:
        row = ApplicationPeriodRow(
            organisation_id=commitment.organisation_id,
            commitment_id=commitment.id,
            sequence=period.sequence,
            start_date=period.start,
            end_date=period.end,
            status=PeriodStatus.OPEN.value,
            includes_historic_reductions=period.includes_historic_reductions,
            created_at=now,
        )
        uow.session.add(row)
        uow.flush()
        record(uow.session, actor, "application_period.create", row,
               organisation_id=commitment.organisation_id)
        rows.append(row)
    uow.commit()
    return rows


def add_period(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    commitment_id: int,
    *,
    start_date: dt.date,
    end_date: dt.date,
) -> ApplicationPeriodRow:
    """Append one period given by its dates; it must continue the sequence exactly."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    with uow:
        commitment = _get_commitment(uow.session, organisation_id, commitment_id)
        existing = [row.value() for row in _period_rows(uow.session, commitment_id)]
        period = check_next_period(commitment.plan(), existing, PeriodSpan(start_date, end_date))
        return _store_periods(uow, actor, commitment, [period])[0]


def generate(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    commitment_id: int,
    *,
    count: int | None = None,
    through: dt.date | None = None,
) -> list[ApplicationPeriodRow]:
    """Append the next ``count`` periods, or as many as needed to reach ``through``."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    with uow:
        commitment = _get_commitment(uow.session, organisation_id, commitment_id)
        existing = [row.value() for row in _period_rows(uow.session, commitment_id)]
        periods = generate_periods(commitment.plan(), existing, count=count, through=through)
        return _store_periods(uow, actor, commitment, periods)


def delete_last_period(
    uow: UnitOfWork, actor: Actor, organisation_id: int, commitment_id: int, period_id: int
) -> None:
    """Remove a mistaken period: only the last one, and only while nothing has happened in it."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    with uow:
        _get_commitment(uow.session, organisation_id, commitment_id)
        rows = _period_rows(uow.session, commitment_id)
        target = next((r for r in rows if r.id == period_id), None)
        if target is None:
            raise NotFound(Msg("application period {period} not found in commitment {commitment}", period=period_id, commitment=commitment_id))
        if target is not rows[-1]:
            raise Conflict(Msg("only the last period can be removed; periods leave no gaps"))
        if target.status != PeriodStatus.OPEN:
            raise Conflict(Msg("period {sequence} is '{status}'; only an open period can be removed", sequence=target.sequence, status=str(target.status)))
        record(uow.session, actor, "application_period.delete", target, before=snapshot(target),
               deleted=True, organisation_id=organisation_id)
        uow.session.delete(target)
        uow.commit()

