"""Use cases for reduction targets, the output of periods and progress read from the inventories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import today, utcnow
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.db import owned_row
from neutrality.errors import Conflict, NotFound
from neutrality.inventory import services as inventory_services
from neutrality.inventory.recalculation import RecalculationCheck
from neutrality.inventory.services import inventory_report
from neutrality.inventory.status import InventoryOrigin, InventoryStatus
from neutrality.inventory.tables import ExternalTotal, Inventory
from neutrality.messages import Msg
from neutrality.organisations.model import SubjectKind
from neutrality.organisations.repository import get_organisation_row
from neutrality.organisations.tables import Subject
from neutrality.reductions.inventory_sources import inventory_figures
from neutrality.reductions.progress import (
    BaseMove,
    Decomposition,
    PeriodActual,
    Progress,
    SourceFigures,
    decompose,
    non_negative,
    progress,
)
from neutrality.reductions.target_tables import EmissionTarget, PeriodOutput
from neutrality.reductions.targets import (
    OUTPUT_DIMENSIONS,
    Scope2Basis,
    Target,
    TargetKind,
    TargetTerm,
    refuse,
)
from neutrality.units import UnknownUnit, convert, tidy, unit
from neutrality.uow import UnitOfWork

TARGET_FIELDS = ("kind", "scope2_basis", "base_year", "base_value", "target_year", "reduction_percent",
                 "output_unit", "base_output")


def _standing(data: Mapping[str, Any]) -> tuple[TargetTerm, dt.date | None, Decimal | None]:
    """The target's term, the day it was set and its coverage, checked: the rules of a standard
    read them (SBTi's timeframe counts from the day it was set, which cannot be in the future)."""
    try:
        term = TargetTerm(data.get("term") or TargetTerm.NEAR_TERM.value)
    except ValueError:
        raise refuse("term", Msg("term: near_term or long_term, not {value}", value=repr(data.get("term")))) from None
    set_on = data.get("set_on")
    if set_on is not None and set_on > today():
        raise refuse("set_on", Msg("the day a target was set ({day}) cannot be after today", day=set_on.isoformat()))
    coverage = data.get("coverage_percent")
    if coverage is not None:
        coverage = non_negative("coverage_percent", coverage)
        if not 0 < coverage <= 100:
            raise refuse("coverage_percent", Msg("the coverage is a percentage above 0 and up to 100, not {value}",
                                                 value=str(coverage)))
    return term, set_on, coverage


def create_target(uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]) -> EmissionTarget:
    """Store a target; the pure :class:`Target` decides first, so a refusal writes nothing."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    target = Target(scopes=frozenset(data.get("scopes") or ()),
                    **{name: data.get(name) for name in TARGET_FIELDS})
    term, set_on, coverage = _standing(data)
    with uow:
        session = uow.session
        get_organisation_row(session, organisation_id)
        commitment_id = data.get("commitment_id")
        if commitment_id is not None:
            owned_row(session, Commitment, organisation_id, commitment_id, what="commitment")
        row = EmissionTarget(
            organisation_id=organisation_id, commitment_id=commitment_id, kind=target.kind.value,
            scopes="+".join(str(int(s)) for s in sorted(target.scopes)),
            scope2_basis=target.scope2_basis.value if target.scope2_basis else None,
            base_year=target.base_year, base_value=target.base_value, target_year=target.target_year,
            reduction_percent=target.reduction_percent, output_unit=target.output_unit,
            base_output=target.base_output, term=term.value, set_on=set_on, coverage_percent=coverage,
            created_at=utcnow(),
        )
        session.add(row)
        uow.flush()
        record(session, actor, "target.create", row, organisation_id=organisation_id)
        uow.commit()
        return row


def list_targets(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[EmissionTarget]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        get_organisation_row(uow.session, organisation_id)
        query = select(EmissionTarget).where(EmissionTarget.organisation_id == organisation_id)
        return list(uow.session.scalars(query.order_by(EmissionTarget.id)))


def get_target(uow: UnitOfWork, actor: Actor, organisation_id: int, target_id: int) -> EmissionTarget:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        return owned_row(uow.session, EmissionTarget, organisation_id, target_id, what="target")


def record_output(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *,
                  quantity: Decimal, unit_code: str) -> PeriodOutput:
    """Set the output of a period (replacing the one recorded before)."""
    authorize(actor, Permission.MANAGE_COMMITMENTS, organisation_id)
    amount = non_negative("quantity", quantity)
    if amount == 0:
        raise refuse("quantity", Msg("the output must be more than zero to give an intensity"))
    try:
        output_unit = unit(unit_code)
    except UnknownUnit:
        raise refuse("unit", Msg("unknown unit '{code}'", code=unit_code)) from None
    if output_unit.dimension not in OUTPUT_DIMENSIONS:
        raise refuse("unit", Msg("{code} is not a unit of output (energy, mass, volume, pieces or money)",
                                 code=output_unit.code))
    with uow:
        session = uow.session
        period = owned_row(session, ApplicationPeriodRow, organisation_id, period_id, what="period")
        row = session.scalar(select(PeriodOutput).where(PeriodOutput.period_id == period.id))
        before = snapshot(row) if row is not None else None
        if row is None:
            row = PeriodOutput(organisation_id=organisation_id, period_id=period.id)
            session.add(row)
        row.quantity, row.unit, row.updated_at = amount, output_unit.code, utcnow()
        uow.flush()
        record(session, actor, "period_output.set", row, before=before, organisation_id=organisation_id)
        uow.commit()
        return row


@dataclass(frozen=True)
class PeriodProgress:
    """A period followed by a target: its inventory, its emissions over the target's scopes, its place."""

    period_id: int
    inventory_id: int
    inventory_status: str
    year: int
    position: Any  # neutrality.reductions.progress.Position
    #: an organisation's target: every period of the year added up (the factories' periods), the
    #: first of them being ``period_id``; a commitment's target: its one period
    period_ids: tuple[int, ...] = ()
    inventory_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class TargetProgress:
    target: EmissionTarget
    followed: Target
    periods: tuple[PeriodProgress, ...]
    missing_output: tuple[int, ...]  # periods with an inventory but no output in the target's measure (intensity)
    without_figures: tuple[int, ...]  # periods whose inventory holds nothing yet (no record, no total)
    trajectory: tuple[dict[str, Any], ...]  # {"year", "allowed"} from the base year to the target year
    changes: tuple[dict[str, Any], ...] = ()  # consecutive calculated inventories: tCO2e change by activity / factor
    base: BaseMove | None = None  # what the base-year check did to the target (None: not checked)


def _base_year_check(uow: UnitOfWork, actor: Actor, organisation_id: int, row: EmissionTarget,
                     target: Target) -> RecalculationCheck | None:
    """The commitment's base-year check (ISO 14064-1 §6.4.1, 5 % by default), when the target
    belongs to a commitment whose base year (its first verified period) is the target's. An
    organisation's target spans commitments, each with a base year of its own: not checked."""
    if row.commitment_id is None:
        return None
    try:
        found = inventory_services.base_year_check(uow, actor, organisation_id, row.commitment_id)
    except (Conflict, NotFound):  # no verified period yet: no base year to check
        return None
    if int(found["base_period"]["start"][:4]) != target.base_year:
        return None
    return RecalculationCheck(
        base_total_tco2e=Decimal(found["verified_tco2e"]), recalculated_tco2e=Decimal(found["recalculated_tco2e"]),
        change_percent=Decimal(found["change_percent"]), threshold_percent=Decimal(found["threshold_percent"]),
        recalculation_required=bool(found["recalculation_required"]), changes=())


def _emissions(report: Mapping[str, Any], target: Target) -> Decimal | None:
    """tCO2e of the target's scopes in the report: Scope 2 on the target's basis (Scopes 1 and 3
    are the same on both bases). None when the report gives no figures (an external inventory
    without its totals)."""
    total = Decimal(0)
    for scope in sorted(target.scopes):
        basis = target.scope2_basis if int(scope) == 2 else Scope2Basis.LOCATION  # noqa: PLR2004
        by_scope = (report.get(basis.value) or {}).get("by_scope")
        if by_scope is None:
            return None
        value = by_scope.get(str(int(scope)), by_scope.get(int(scope), "0"))
        total += Decimal(str(value))
    return tidy(total)


def _source_figures(uow: UnitOfWork, inventory_id: int, target: Target) -> list[SourceFigures]:
    """The inventory's sources over the target's scopes, Scope 2 on the target's basis (the
    shared reader: :mod:`neutrality.reductions.inventory_sources`)."""
    with uow.reading():
        inventory = uow.session.get(Inventory, inventory_id)
        return inventory_figures(uow.session, inventory, market=target.scope2_basis is Scope2Basis.MARKET,
                                 scopes=[int(s) for s in target.scopes])


def _change(before: tuple[int, list[SourceFigures]], after: tuple[int, list[SourceFigures]]) -> dict[str, Any]:
    split: Decomposition = decompose(before[1], after[1])
    return {"from_year": before[0], "to_year": after[0], "change": split.change,
            "due_to_activity": split.due_to_activity, "due_to_factor": split.due_to_factor,
            "sources": [vars(c) for c in split.sources]}


@dataclass(frozen=True)
class _Found:
    """A period with figures, as a target reads it."""

    period_id: int
    year: int
    inventory_id: int
    output: tuple[Decimal, str] | None
    subject_id: int
    whole_organisation: bool  # its subject is the organisation (every site), not one site


def _one_boundary(items: list[_Found], year: int) -> list[_Found]:
    """The periods of one year that together make the organisation, each emission counted once:
    the period of a subject covering the whole organisation when there is one, else every site's.
    Two periods of one subject in a year (two commitments over the same factory) would count the
    same emissions twice: refused, naming the year."""
    whole = [item for item in items if item.whole_organisation]
    chosen = whole or items
    subjects = [item.subject_id for item in chosen]
    if len(set(subjects)) != len(subjects):
        raise refuse("year", Msg("two periods of the same boundary in {year}: an organisation's target cannot tell "
                                 "which to count; set the target on one commitment", year=year))
    return chosen


def _output(items: list[_Found], target: Target) -> Decimal | None:
    """The year's output in the target's unit: the periods' outputs added up; None when one has
    none, or one in another measure."""
    total = Decimal(0)
    for item in items:
        if item.output is None or unit(item.output[1]).dimension != unit(target.output_unit).dimension:
            return None
        total += convert(item.output[0], item.output[1], target.output_unit)
    return tidy(total)


def _least_status(reports: list[Mapping[str, Any]]) -> str:
    """A year of several inventories is only as final as the least final of them."""
    statuses = [str(report["status"]) for report in reports]
    return next((status for status in (InventoryStatus.DRAFT.value, InventoryStatus.VERIFIED.value)
                 if status in statuses), statuses[0])


def target_progress(uow: UnitOfWork, actor: Actor, organisation_id: int, target_id: int, *,
                    with_changes: bool = True) -> TargetProgress:
    """Each period with an inventory (the latest version), of the target's commitment or of the
    organisation, placed on the target's trajectory by the year its period starts; and, unless
    ``with_changes`` is False (a reader placing the periods only), the change between
    consecutive years by activity and by factor, which reads every source of both inventories."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow.reading():
        session = uow.session
        row = owned_row(session, EmissionTarget, organisation_id, target_id, what="target")
        periods = select(ApplicationPeriodRow).where(ApplicationPeriodRow.organisation_id == organisation_id)
        if row.commitment_id is not None:
            periods = periods.where(ApplicationPeriodRow.commitment_id == row.commitment_id)
        found, blank = [], []
        for period in session.scalars(periods.order_by(ApplicationPeriodRow.start_date, ApplicationPeriodRow.id)):
            inventory = session.scalar(select(Inventory).where(Inventory.period_id == period.id)
                                       .order_by(Inventory.version.desc()).limit(1))
            if inventory is None:
                continue
            if inventory.origin == InventoryOrigin.EXTERNAL:
                empty = session.scalar(select(ExternalTotal.id).where(ExternalTotal.inventory_id == inventory.id)
                                       .limit(1)) is None
            else:
                empty = inventory.activity_count == 0
            if empty:  # an inventory begun, not a period without emissions: 0 t would read as −100 %
                blank.append(period.id)
                continue
            output = session.scalar(select(PeriodOutput).where(PeriodOutput.period_id == period.id))
            subject = session.get(Subject, session.get(Commitment, period.commitment_id).subject_id)
            found.append(_Found(period.id, period.start_date.year, inventory.id,
                                (output.quantity, output.unit) if output is not None else None,
                                subject.id, subject.kind == SubjectKind.ORGANISATION.value))
    target = row.value()
    years: dict[int, list[_Found]] = {}
    for item in found:
        if item.year >= target.base_year:  # before the base year: not on the trajectory
            years.setdefault(item.year, []).append(item)
    actuals, kept, missing, calculated = [], [], [], []
    for year, items in sorted(years.items()):
        chosen = _one_boundary(items, year) if row.commitment_id is None else items
        reports = [inventory_report(uow, actor, organisation_id, item.inventory_id) for item in chosen]
        amounts = [_emissions(report, target) for report in reports]
        if any(amount is None for amount in amounts):
            continue
        output = None
        if target.kind is TargetKind.INTENSITY:
            output = _output(chosen, target)
            if output is None:  # no output, or one in another measure (pieces against MWh)
                missing.extend(item.period_id for item in chosen)
                continue
        actuals.append(PeriodActual(year=year, tco2e=tidy(sum(amounts, Decimal(0))), output=output,
                                    output_unit=target.output_unit if output is not None else None))
        kept.append((chosen, reports[0]["status"] if len(reports) == 1 else _least_status(reports), year))
        calculated.append(all(report.get("origin") != InventoryOrigin.EXTERNAL.value for report in reports))
    followed: Progress = progress(target, actuals, _base_year_check(uow, actor, organisation_id, row, target))
    # achieved reductions between consecutive years, where every inventory is calculated here (a
    # year of several factories: their sources side by side, each named with its site)
    figures = [(year, [f for item in chosen for f in _source_figures(uow, item.inventory_id, target)])
               if mine and with_changes else None
               for (chosen, _, year), mine in zip(kept, calculated, strict=True)]
    changes = tuple(_change(a, b) for a, b in zip(figures, figures[1:], strict=False) if a and b)
    by_year = {p.year: p for p in followed.positions}
    return TargetProgress(
        target=row, followed=followed.target,
        periods=tuple(PeriodProgress(chosen[0].period_id, chosen[0].inventory_id, status, year, by_year[year],
                                     tuple(item.period_id for item in chosen), tuple(item.inventory_id for item in chosen))
                      for chosen, status, year in kept),
        missing_output=tuple(missing), without_figures=tuple(blank),
        trajectory=tuple({"year": year, "allowed": allowed} for year, allowed in followed.target.trajectory()),
        changes=changes, base=followed.base,
    )
