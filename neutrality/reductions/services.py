"""Use cases of the register of reduction measures: create, change, list (ranked), read, the
organisation's ranking weights and a measure's evidence files.

Reading needs VIEW_ORGANISATION, writing MANAGE_ORGANISATION; every write is in the audit log.
A measure's expected reduction is calculated, never stored: with the GWP set of the
organisation's latest inventory (AR6, the library's default, while it has none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.inventory.library import DEFAULT_GWP_SET
from neutrality.inventory.tables import Inventory
from neutrality.messages import Msg
from neutrality.organisations.repository import get_organisation_row
from neutrality.organisations.tables import Site
from neutrality.reductions.changes import ExpectedReduction, change_data, change_from_data
from neutrality.reductions.measures import Measure, Title, measure
from neutrality.reductions.ranking import (
    EQUAL_WEIGHTS,
    Criterion,
    Scores,
    Weights,
    rank,
    weighted_score,
)
from neutrality.reductions.tables import MeasureEvidence, MeasureRow, MeasureWeightsRow
from neutrality.uow import UnitOfWork

#: The fields a measure is given by (create) and may be changed by (update).
MEASURE_FIELDS = (
    "site_id", "title_en", "title_zh_hans", "title_zh_hant", "category", "scope", "source", "status",
    "horizon", "start_date", "end_date", "cost_amount", "cost_currency", "scores", "change",
)


@dataclass(frozen=True)
class MeasureView:
    """A stored measure as it is read: its row, its value, its expected reduction (with the GWP
    set used), its weighted score and rank (None while not rated) and its evidence files."""

    row: MeasureRow
    value: Measure
    expected: ExpectedReduction | None
    gwp_set: str
    score: Decimal | None
    rank: int | None
    evidence: Sequence[MeasureEvidence]

    def __getattr__(self, name: str) -> Any:  # the row's columns, for the schema
        return getattr(self.row, name)

    @property
    def change(self) -> dict[str, str] | None:
        return self.row.change

    @property
    def scores(self) -> dict[str, int] | None:
        scores = self.value.scores
        return None if scores is None else {c.value: scores.of(c) for c in Criterion}

    @property
    def cost(self) -> dict[str, Any] | None:
        cost = self.value.cost
        return None if cost is None else {"amount": cost.amount, "currency": cost.currency}


@dataclass(frozen=True)
class Register:
    """The organisation's measures, the rated ones by rank, then the others by title."""

    weights: Weights
    gwp_set: str
    measures: Sequence[MeasureView]


# --- reading -----------------------------------------------------------------------------------


def list_measures(uow: UnitOfWork, actor: Actor, organisation_id: int) -> Register:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        session = uow.session
        get_organisation_row(session, organisation_id)
        weights = _weights(session, organisation_id)
        gwp_set = latest_gwp_set(session, organisation_id)
        rows = session.scalars(select(MeasureRow).where(MeasureRow.organisation_id == organisation_id)
                               .order_by(MeasureRow.id)).all()
        evidence = _evidence_of(session, [row.id for row in rows])
        values = {row.id: measure_value(row) for row in rows}
        row_of = {id(values[row.id]): row for row in rows}  # a ranked value back to its row
        views = []
        for place in rank(values.values(), weights):
            row = row_of[id(place.item)]
            views.append(_view(row, place.item, gwp_set, place.score, place.rank, evidence.get(row.id, [])))
        unrated = sorted((row for row in rows if values[row.id].scores is None),
                         key=lambda row: values[row.id].sort_key())
        views += [_view(row, values[row.id], gwp_set, None, None, evidence.get(row.id, [])) for row in unrated]
        return Register(weights, gwp_set, views)


def get_measure(uow: UnitOfWork, actor: Actor, organisation_id: int, measure_id: int) -> MeasureView:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return _read(uow.session, organisation_id, measure_id)


def get_weights(uow: UnitOfWork, actor: Actor, organisation_id: int) -> Weights:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        return _weights(uow.session, organisation_id)


def latest_gwp_set(session: Session, organisation_id: int) -> str:
    """The GWP set of the organisation's latest inventory (of the period that ends last, its
    latest version); the library's default (AR6) when it has none."""
    found = session.scalar(
        select(Inventory.gwp_set)
        .join(ApplicationPeriodRow, ApplicationPeriodRow.id == Inventory.period_id)
        .where(Inventory.organisation_id == organisation_id)
        .order_by(ApplicationPeriodRow.end_date.desc(), Inventory.version.desc(), Inventory.id.desc())
        .limit(1))
    return found or DEFAULT_GWP_SET


# --- writing -----------------------------------------------------------------------------------


def create_measure(uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]) -> MeasureView:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    _known_fields(data)
    with uow:
        session = uow.session
        get_organisation_row(session, organisation_id)
        value = _decide(session, organisation_id, data)
        now = utcnow()
        row = MeasureRow(organisation_id=organisation_id, created_at=now, created_by=actor.label, updated_at=now)
        _store(row, value)
        session.add(row)
        record(session, actor, "reduction_measure.create", row, organisation_id=organisation_id)
        view = _view(row, value, latest_gwp_set(session, organisation_id), *_place(session, organisation_id, row, value),
                     [])
        uow.commit()
        return view


def update_measure(
    uow: UnitOfWork, actor: Actor, organisation_id: int, measure_id: int, changes: Mapping[str, Any]
) -> MeasureView:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    _known_fields(changes)
    with uow:
        session = uow.session
        row = _row(session, organisation_id, measure_id)
        value = _decide(session, organisation_id, {**_given(row), **changes})
        before = snapshot(row)
        _store(row, value)
        row.updated_at = utcnow()
        record(session, actor, "reduction_measure.update", row, before=before, organisation_id=organisation_id)
        view = _read(session, organisation_id, measure_id)
        uow.commit()
        return view


def set_weights(uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]) -> Weights:
    """The organisation's weights for ranking; each ≥ 0, not all zero (InvalidInput names them)."""
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    given = {c.value: data[c.value] for c in Criterion if c.value in data}
    weights = Weights(**given)
    with uow:
        session = uow.session
        get_organisation_row(session, organisation_id)
        row = session.scalar(select(MeasureWeightsRow).where(MeasureWeightsRow.organisation_id == organisation_id))
        before = None if row is None else snapshot(row)
        if row is None:
            row = MeasureWeightsRow(organisation_id=organisation_id)
            session.add(row)
        for criterion in Criterion:
            setattr(row, criterion.value, weights.of(criterion))
        row.updated_at, row.updated_by = utcnow(), actor.label
        record(session, actor, "measure_weights.update" if before else "measure_weights.create", row,
               before=before, organisation_id=organisation_id)
        uow.commit()
        return weights


def add_evidence(
    uow: UnitOfWork, actor: Actor, organisation_id: int, measure_id: int, *, content: bytes, filename: str
) -> MeasureEvidence:
    """Keep a file that shows the measure (its bytes, name and SHA-256); the same file twice is a
    conflict."""
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    if not content:
        raise InvalidInput(Msg("the file is empty"), {"evidence": [Msg("the file is empty")]})
    digest = hashlib.sha256(content).hexdigest()
    with uow:
        session = uow.session
        _row(session, organisation_id, measure_id)
        if session.scalar(select(MeasureEvidence.id).where(
                MeasureEvidence.measure_id == measure_id, MeasureEvidence.sha256 == digest)) is not None:
            raise Conflict(Msg("this file is already kept with the measure"), {"evidence": [digest]})
        evidence = MeasureEvidence(
            organisation_id=organisation_id, measure_id=measure_id, filename=filename, sha256=digest,
            size_bytes=len(content), content=content, recorded_at=utcnow(), recorded_by=actor.label)
        session.add(evidence)
        record(session, actor, "measure_evidence.create", evidence, organisation_id=organisation_id)
        uow.commit()
        return evidence


# --- helpers -----------------------------------------------------------------------------------


def _known_fields(data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(MEASURE_FIELDS))
    if unknown:
        raise InvalidInput(Msg("these fields cannot be changed here"), {k: [Msg("not changeable here")] for k in unknown})


def _decide(session: Session, organisation_id: int, data: Mapping[str, Any]) -> Measure:
    """The measure the data gives, every field checked (InvalidInput names each wrong one,
    ``scores.<criterion>`` and ``change.<field>`` inside them) before anything is written."""
    errors: dict[str, list[Any]] = {}
    scores = change = None
    if data.get("scores") is not None:
        try:
            scores = Scores(**{c.value: data["scores"].get(c.value) for c in Criterion})
        except InvalidInput as problem:
            errors.update({f"scores.{key}": value for key, value in problem.details.items()})
    if data.get("change") is not None:
        try:
            change = change_from_data(data["change"])
        except InvalidInput as problem:
            errors.update({f"change.{key}": value for key, value in problem.details.items()})
    site_id = data.get("site_id")
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.organisation_id != organisation_id:
            errors["site_id"] = [Msg("site {id} not found in organisation {org}", id=site_id, org=organisation_id)]
    try:
        value = measure(
            title=Title(data.get("title_en") or "", data.get("title_zh_hans") or "", data.get("title_zh_hant") or ""),
            category=data.get("category"), status=data.get("status") or "planned",
            horizon=data.get("horizon") or "medium", scope=data.get("scope"), source=data.get("source") or "",
            start=data.get("start_date"), end=data.get("end_date"), cost_amount=data.get("cost_amount"),
            cost_currency=data.get("cost_currency") or "", scores=scores, site_id=site_id, change=change)
    except InvalidInput as problem:
        # the value names its dates start and end; the caller gave start_date and end_date
        named = {_GIVEN_AS.get(key, key): value for key, value in problem.details.items()}
        raise InvalidInput(Msg("the measure is not valid"), {**named, **errors}) from None
    if errors:
        raise InvalidInput(Msg("the measure is not valid"), errors)
    return value


_GIVEN_AS = {"start": "start_date", "end": "end_date"}


def _store(row: MeasureRow, value: Measure) -> None:
    row.site_id = value.site_id
    row.title_en, row.title_zh_hans, row.title_zh_hant = value.title.en, value.title.zh_hans, value.title.zh_hant
    row.category, row.scope, row.source = value.category.value, int(value.scope), value.source
    row.status, row.horizon = value.status.value, value.horizon.value
    row.start_date, row.end_date = value.start, value.end
    row.cost_amount = None if value.cost is None else value.cost.amount
    row.cost_currency = None if value.cost is None else value.cost.currency
    for criterion in Criterion:
        setattr(row, f"{criterion.value}_score", None if value.scores is None else value.scores.of(criterion))
    row.change = None if value.change is None else change_data(value.change)


def _given(row: MeasureRow) -> dict[str, Any]:
    """What a stored measure was given, as a caller would give it (an update changes some)."""
    scores = None
    if row.feasibility_score is not None:
        scores = {c.value: getattr(row, f"{c.value}_score") for c in Criterion}
    return {
        "site_id": row.site_id, "title_en": row.title_en, "title_zh_hans": row.title_zh_hans,
        "title_zh_hant": row.title_zh_hant, "category": row.category, "scope": row.scope, "source": row.source,
        "status": row.status, "horizon": row.horizon, "start_date": row.start_date, "end_date": row.end_date,
        "cost_amount": row.cost_amount, "cost_currency": row.cost_currency or "", "scores": scores,
        "change": row.change,
    }


def measure_value(row: MeasureRow) -> Measure:
    """A stored measure as a value (what the pure code reads)."""
    given = _given(row)
    scores = None if given["scores"] is None else Scores(**given["scores"])
    return measure(
        title=Title(row.title_en, row.title_zh_hans, row.title_zh_hant), category=row.category,
        status=row.status, horizon=row.horizon, scope=row.scope, source=row.source, start=row.start_date,
        end=row.end_date, cost_amount=row.cost_amount, cost_currency=row.cost_currency or "", scores=scores,
        site_id=row.site_id, change=None if row.change is None else change_from_data(row.change))


def _row(session: Session, organisation_id: int, measure_id: int) -> MeasureRow:
    get_organisation_row(session, organisation_id)
    row = session.get(MeasureRow, measure_id)
    if row is None or row.organisation_id != organisation_id:  # another tenant's: not found either
        raise NotFound(Msg("measure {id} not found in organisation {org}", id=measure_id, org=organisation_id))
    return row


def _weights(session: Session, organisation_id: int) -> Weights:
    row = session.scalar(select(MeasureWeightsRow).where(MeasureWeightsRow.organisation_id == organisation_id))
    if row is None:
        return EQUAL_WEIGHTS
    return Weights(**{c.value: getattr(row, c.value) for c in Criterion})


def _evidence_of(session: Session, measure_ids: Sequence[int]) -> dict[int, list[MeasureEvidence]]:
    found: dict[int, list[MeasureEvidence]] = {}
    if measure_ids:
        for evidence in session.scalars(select(MeasureEvidence).where(MeasureEvidence.measure_id.in_(measure_ids))
                                        .order_by(MeasureEvidence.id)):
            found.setdefault(evidence.measure_id, []).append(evidence)
    return found


def _place(session: Session, organisation_id: int, row: MeasureRow, value: Measure) -> tuple[Decimal | None, int | None]:
    """The measure's weighted score and rank among the organisation's rated measures."""
    if value.scores is None:
        return None, None
    weights = _weights(session, organisation_id)
    rows = session.scalars(select(MeasureRow).where(MeasureRow.organisation_id == organisation_id)).all()
    values = {r.id: (value if r.id == row.id else measure_value(r)) for r in rows}
    for place in rank(values.values(), weights):
        if place.item is value:
            return place.score, place.rank
    return weighted_score(value.scores, weights), None


def _read(session: Session, organisation_id: int, measure_id: int) -> MeasureView:
    row = _row(session, organisation_id, measure_id)
    value = measure_value(row)
    return _view(row, value, latest_gwp_set(session, organisation_id), *_place(session, organisation_id, row, value),
                 _evidence_of(session, [row.id]).get(row.id, []))


def _view(row: MeasureRow, value: Measure, gwp_set: str, score: Decimal | None, place: int | None,
          evidence: Sequence[MeasureEvidence]) -> MeasureView:
    try:
        expected = value.expected(gwp_set)
    except InvalidInput:  # a refrigerant the inventory's GWP set does not list: no figure
        expected = None
    return MeasureView(row, value, expected, gwp_set, score, place, evidence)

