"""Use cases of the GHG inventory: versions, completeness, totals of inventories made elsewhere,
verification and locking, results, the organisation's own factors and the base-year check.

Activity data (records, file imports, batches) is :mod:`neutrality.inventory.activities`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, Role, authorize, require_authenticated
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.model import PeriodStatus, advance_status
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.inventory import library
from neutrality.inventory.computing import (
    compute,
    factor_document,
    reconcile_metering,
    record_trails,
    trail_of,
)
from neutrality.inventory.explanation import Figure, FigureKind, TrailLine, figure_trail, total_of
from neutrality.inventory.metering import DEFAULT_TOLERANCE_PERCENT
from neutrality.inventory.model import EmissionFactor, UncertaintyBasis
from neutrality.inventory.recalculation import BaseYearChange, ChangeKind, check_base_year
from neutrality.inventory.repository import get_activity_row, get_inventory_row
from neutrality.inventory.status import (
    CompletenessStatus,
    InventoryOrigin,
    InventoryStatus,
)
from neutrality.inventory.tables import (
    ActivityImport,
    ActivityRecord,
    CompletenessEntry,
    ExternalTotal,
    Inventory,
    OrganisationFactor,
    Verification,
)
from neutrality.messages import Msg, from_data, to_data
from neutrality.organisations.tables import ConsolidationApproachChange
from neutrality.pagination import Page, PageResult
from neutrality.units import unit as unit_of
from neutrality.uow import UnitOfWork

GWP_SETS = ("AR4", "AR5", "AR6")
DEFAULT_GWP_SET = "AR6"  # seed 003 table 2; fixed per inventory
DEFAULT_SIGNIFICANCE_PERCENT = Decimal(5)  # SBTi base-year recalculation threshold
DEFAULT_MATERIALITY_PERCENT = Decimal(1)  # seed 002: categories below 1 % may be excluded


def _factor_library_version() -> str:
    return library.LIBRARY_VERSION


def require_draft(inventory: Inventory) -> None:
    """A verified inventory is frozen: changes go into a new version, with a reason."""
    if inventory.status != InventoryStatus.DRAFT:
        raise Conflict(
            Msg("inventory {id} (version {version}) is {status} and "
                "frozen; create a new version with a reason to change it",
                id=inventory.id, version=inventory.version, status=inventory.status),
            {"status": inventory.status},
        )


def create_inventory(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    *,
    period_id: int,
    gwp_set: str = DEFAULT_GWP_SET,
    origin: str = InventoryOrigin.CALCULATED.value,
    significance_threshold_percent: Decimal = DEFAULT_SIGNIFICANCE_PERCENT,
    materiality_threshold_percent: Decimal = DEFAULT_MATERIALITY_PERCENT,
) -> Inventory:
    """Start the first version of a period's inventory."""
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    if gwp_set not in GWP_SETS:
        raise InvalidInput(Msg("GWP set must be one of {sets}", sets=", ".join(GWP_SETS)), {"gwp_set": ["unknown"]})
    for name, value in (("significance_threshold_percent", significance_threshold_percent),
                        ("materiality_threshold_percent", materiality_threshold_percent)):
        if not Decimal(0) < value < Decimal(100):
            raise InvalidInput(Msg("{name} is a percentage between 0 and 100", name=name), {name: ["0–100"]})
    with uow:
        session = uow.session
        get_period_row(session, organisation_id, period_id)
        if session.scalar(select(Inventory.id).where(Inventory.period_id == period_id)) is not None:
            raise Conflict(
                Msg("application period {period} already has an inventory; change it through a new version", period=period_id),
                {"period_id": ["has an inventory"]},
            )
        inventory = Inventory(
            organisation_id=organisation_id,
            period_id=period_id,
            version=1,
            status=InventoryStatus.DRAFT.value,
            origin=InventoryOrigin(origin).value,
            gwp_set=gwp_set,
            factor_library_version=_factor_library_version(),
            reason="",
            significance_threshold_percent=significance_threshold_percent,
            materiality_threshold_percent=materiality_threshold_percent,
            created_at=utcnow(),
            created_by=actor.label,
        )
        session.add(inventory)
        record(session, actor, "inventory.create", inventory, organisation_id=organisation_id)
        uow.commit()
        return inventory


def list_inventories(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int | None = None
) -> list[Inventory]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        query = select(Inventory).where(Inventory.organisation_id == organisation_id)
        if period_id is not None:
            query = query.where(Inventory.period_id == period_id)
        return list(uow.session.scalars(query.order_by(Inventory.period_id, Inventory.version)))


def get_inventory(uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int) -> Inventory:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_inventory_row(uow.session, organisation_id, inventory_id)


# --- completeness ------------------------------------------------------------------------------


def set_completeness(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    inventory_id: int,
    *,
    scope: int,
    category: str,
    status: str,
    estimated_share_percent: Decimal | None = None,
    reason: str = "",
) -> CompletenessEntry:
    """Say whether a Scope 3 category (or a Scope 1/2 source) is included, and why not.

    Seed 002: a category may be excluded only as immaterial (below the threshold, with a
    disclosed reason) or as not applicable; missing data means an estimate, never an exclusion.
    """
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    state = CompletenessStatus(status)
    if scope == 3 and (not category.isdigit() or not 1 <= int(category) <= 15):
        raise InvalidInput(Msg("a Scope 3 category is a number from 1 to 15"), {"category": ["1–15"]})
    if state is not CompletenessStatus.INCLUDED and not reason.strip():
        raise InvalidInput(
            Msg("'{status}' needs a reason; it is disclosed in statements", status=state.value),
            {"reason": ["required unless included"]},
        )
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        require_draft(inventory)
        if state is CompletenessStatus.EXCLUDED_IMMATERIAL:
            threshold = inventory.materiality_threshold_percent
            if estimated_share_percent is None or not estimated_share_percent < threshold:
                raise InvalidInput(
                    Msg("an immaterial exclusion needs an estimated share below {share} of the "
                        "inventory; otherwise include or estimate the category", share=str(threshold) + " %"),
                    {"estimated_share_percent": [f"must be below {threshold}"]},
                )
        entry = uow.session.scalar(
            select(CompletenessEntry).where(
                CompletenessEntry.inventory_id == inventory_id,
                CompletenessEntry.scope == scope,
                CompletenessEntry.category == category,
            )
        )
        before = snapshot(entry) if entry else None
        if entry is None:
            entry = CompletenessEntry(inventory_id=inventory_id, scope=scope, category=category)
            uow.session.add(entry)
        entry.status = state.value
        entry.estimated_share_percent = estimated_share_percent
        entry.reason = reason.strip()
        record(uow.session, actor, "inventory.completeness", entry, before=before,
               organisation_id=organisation_id)
        uow.commit()
        return entry


def list_completeness(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int
) -> list[CompletenessEntry]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_inventory_row(uow.session, organisation_id, inventory_id)
        return list(uow.session.scalars(
            select(CompletenessEntry).where(CompletenessEntry.inventory_id == inventory_id)
            .order_by(CompletenessEntry.scope, CompletenessEntry.id)
        ))


# --- inventories made elsewhere ----------------------------------------------------------------


def record_external_totals(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int,
    totals: Sequence[Mapping[str, Any]],
) -> list[ExternalTotal]:
    """Enter a verified inventory made with another tool, as totals by scope, category and gas."""
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        require_draft(inventory)
        if inventory.origin != InventoryOrigin.EXTERNAL:
            raise Conflict(Msg("totals are entered only into an inventory of origin 'external'"))
        rows = []
        for index, item in enumerate(totals):
            tco2e = Decimal(item["tco2e"])
            if tco2e < 0:
                raise InvalidInput(Msg("emissions are not negative"), {f"totals.{index}.tco2e": ["negative"]})
            scope, category = int(item["scope"]), int(item.get("category") or 0)
            if (scope == 3) != (1 <= category <= 15):
                raise InvalidInput(Msg("Scope 3 totals name a category 1–15; Scope 1 and 2 totals none"),
                                   {f"totals.{index}.category": ["does not match the scope"]})
            basis = item.get("basis") or ("location" if scope == 2 else "none")
            if (scope == 2) == (basis == "none"):
                raise InvalidInput(Msg("Scope 2 totals are location- or market-based; others have no basis"),
                                   {f"totals.{index}.basis": ["does not match the scope"]})
            rows.append(ExternalTotal(inventory_id=inventory_id, scope=scope, category=category,
                                      gas=item["gas"], basis=basis, tco2e=tco2e))
        uow.session.add_all(rows)
        uow.flush()
        for row in rows:
            record(uow.session, actor, "inventory.external_total", row, organisation_id=organisation_id)
        uow.commit()
        return rows


# --- verification and versions -----------------------------------------------------------------


def canonical_sha256(document: Any) -> str:
    """SHA-256 of a JSON document in canonical form (sorted keys, no spaces)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def verify_inventory(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    inventory_id: int,
    *,
    details: Mapping[str, Any],
    statement: bytes,
    statement_filename: str,
) -> Verification:
    """Record a third party's verification and freeze the inventory: the factors it used and
    its figures are stored with their SHA-256, so they never change afterwards."""
    if not (actor.can(Permission.VERIFY, organisation_id) or actor.can(Permission.MANAGE_INVENTORY, organisation_id)):
        authorize(actor, Permission.VERIFY, organisation_id)  # raises the right error
    if not statement:
        raise InvalidInput(Msg("the verification statement file is empty"), {"statement": ["empty"]})
    verified_on: dt.date = details["verified_on"]
    if verified_on > utcnow().date():
        raise InvalidInput(Msg("a verification date cannot be in the future"), {"verified_on": ["in the future"]})
    with uow:
        session = uow.session
        inventory = get_inventory_row(session, organisation_id, inventory_id)
        require_draft(inventory)
        period = session.get(ApplicationPeriodRow, inventory.period_id)
        if verified_on < period.start_date:
            raise InvalidInput(Msg("the verification date is before the period began"),
                               {"verified_on": ["before the period"]})
        factors, result = freeze_figures(session, inventory)
        before = snapshot(inventory)
        now = utcnow()
        verification = Verification(
            inventory_id=inventory.id,
            body=details["body"],
            accreditation=details["accreditation"],
            standard=details.get("standard") or "ISO 14064-3:2019",
            assurance_level=details["assurance_level"],
            materiality_percent=details["materiality_percent"],
            opinion=details["opinion"],
            verified_on=verified_on,
            statement_filename=statement_filename,
            statement_sha256=hashlib.sha256(statement).hexdigest(),
            statement=statement,
            recorded_at=now,
            recorded_by=actor.label,
            is_external=inventory.origin == InventoryOrigin.EXTERNAL,
        )
        if actor.role_in(organisation_id) is Role.VERIFIER:
            # the appointed verifier recording its own verification gives its opinion with it;
            # one the organisation records stays claimed until the verifier confirms it
            verification.confirmed_by, verification.confirmed_at = actor.user_id, now
        session.add(verification)
        # its sentences kept as templates and values, to be said in each reader's language
        result = {**result, "disclosure_messages": [to_data(d) for d in result.get("disclosures", [])]}
        inventory.frozen_factors = factors
        inventory.frozen_result = result
        inventory.frozen_sha256 = canonical_sha256({"factors": factors, "result": result})
        inventory.status = InventoryStatus.VERIFIED.value
        inventory.verified_at = now
        # The previous verified version, if any, is superseded by this one.
        for older in session.scalars(select(Inventory).where(
            Inventory.period_id == inventory.period_id, Inventory.id != inventory.id,
            Inventory.status == InventoryStatus.VERIFIED,
        )):
            older_before = snapshot(older)
            older.status = InventoryStatus.SUPERSEDED.value
            record(session, actor, "inventory.supersede", older, before=older_before,
                   organisation_id=organisation_id)
        if period.status == PeriodStatus.OPEN:
            period_before = snapshot(period)
            period.status = advance_status(PeriodStatus(period.status), PeriodStatus.INVENTORY_VERIFIED).value
            record(session, actor, "application_period.inventory_verified", period,
                   before=period_before, organisation_id=organisation_id)
        uow.flush()
        record(session, actor, "inventory.verify", inventory, before=before, organisation_id=organisation_id)
        record(session, actor, "verification.create", verification, organisation_id=organisation_id)
        uow.commit()
        return verification


def new_version(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, *, reason: str
) -> Inventory:
    """Open version n+1 of a verified inventory, copying its data; the reason is mandatory."""
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    if not reason.strip():
        raise InvalidInput(Msg("a new version needs a reason"), {"reason": ["required"]})
    with uow:
        session = uow.session
        current = get_inventory_row(session, organisation_id, inventory_id)
        if current.status != InventoryStatus.VERIFIED:
            raise Conflict(Msg("only a verified inventory gets a new version; a draft is edited directly"))
        latest = session.scalar(select(func.max(Inventory.version)).where(Inventory.period_id == current.period_id))
        if latest != current.version:
            raise Conflict(Msg("version {version} of this period's inventory already exists", version=latest))
        copy = Inventory(
            organisation_id=organisation_id,
            period_id=current.period_id,
            version=current.version + 1,
            status=InventoryStatus.DRAFT.value,
            origin=current.origin,
            gwp_set=current.gwp_set,
            factor_library_version=_factor_library_version(),
            reason=reason.strip(),
            significance_threshold_percent=current.significance_threshold_percent,
            materiality_threshold_percent=current.materiality_threshold_percent,
            activity_count=current.activity_count,  # _copy_records copies every record
            created_at=utcnow(),
            created_by=actor.label,
        )
        session.add(copy)
        uow.flush()
        _copy_records(session, current.id, copy.id)
        _copy_rows(session, CompletenessEntry, current.id, copy.id, exclude={"id", "inventory_id"})
        _copy_rows(session, ExternalTotal, current.id, copy.id, exclude={"id", "inventory_id"})
        record(session, actor, "inventory.new_version", copy, organisation_id=organisation_id)
        uow.commit()
        return copy


def _copy_records(session: Session, from_id: int, to_id: int) -> None:
    """Copy an inventory's batches, then its records into the copies of their batches."""
    batches = ActivityImport.__table__
    copied = [c for c in batches.columns if c.key not in {"id", "inventory_id", "copied_from_id"}]
    session.execute(insert(batches).from_select(
        [c.key for c in copied] + ["inventory_id", "copied_from_id"],
        select(*copied, func.cast(to_id, batches.c.inventory_id.type), batches.c.id)
        .where(batches.c.inventory_id == from_id),
    ))
    records, new_batch = ActivityRecord.__table__, batches.alias("new_batch")
    kept = [c for c in records.columns if c.key not in {"id", "inventory_id", "import_id"}]
    session.execute(insert(records).from_select(
        [c.key for c in kept] + ["inventory_id", "import_id"],
        select(*kept, new_batch.c.inventory_id, new_batch.c.id)
        .join(new_batch, (new_batch.c.copied_from_id == records.c.import_id) & (new_batch.c.inventory_id == to_id))
        .where(records.c.inventory_id == from_id),
    ))


def _copy_rows(session: Session, model: type, from_id: int, to_id: int, exclude: set[str]) -> None:
    # INSERT … SELECT: the database copies the rows (an inventory may hold a million records).
    columns = [c for c in model.__table__.columns if c.key not in exclude]
    source = select(
        *[c for c in columns], func.cast(to_id, model.__table__.c.inventory_id.type).label("inventory_id")
    ).where(model.__table__.c.inventory_id == from_id)
    session.execute(
        insert(model.__table__).from_select([c.key for c in columns] + ["inventory_id"], source)
    )


def latest_inventory_of(session: Session, period_id: int) -> Inventory | None:
    """The verified inventory of the period if there is one, else its newest version."""
    verified = verified_inventory_of(session, period_id)
    if verified is not None:
        return verified
    return session.scalar(select(Inventory).where(Inventory.period_id == period_id)
                          .order_by(Inventory.version.desc()).limit(1))


def verified_inventory_of(session: Session, period_id: int) -> Inventory | None:
    """The inventory a claim stands on: the verified version of the period, if any."""
    return session.scalar(select(Inventory).where(
        Inventory.period_id == period_id, Inventory.status == InventoryStatus.VERIFIED
    ))


# --- results -----------------------------------------------------------------------------------


def metering_reconciliation(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int,
    tolerance_percent: Decimal = DEFAULT_TOLERANCE_PERCENT,
) -> list[dict[str, Any]]:
    """Each invoice that meter readings overlap: superseded (not counted) or partly metered
    (counted, flagged), and how far it is from the meters (for verifiers)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        return [
            {
                "invoice_id": r.invoice.record_id, "site_id": r.invoice.site_id,
                "activity_type": r.invoice.activity_type, "factor_key": r.invoice.factor_key,
                "gas": r.invoice.gas, "unit": r.invoice.unit, "start_date": r.invoice.start,
                "end_date": r.invoice.end, "invoice_quantity": r.invoice.quantity,
                "metered_quantity": r.metered_quantity, "difference": r.difference,
                "difference_percent": r.difference_percent, "meter_ids": list(r.meter_ids),
                "unmetered_days": r.unmetered_days, "superseded": r.superseded,
                "within_tolerance": r.within_tolerance, "finding": r.finding,
            }
            for r in reconcile_metering(uow.session, inventory.id, tolerance_percent)
        ]


def inventory_report(uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int) -> dict[str, Any]:
    """The inventory's figures: frozen for a verified inventory, calculated for a draft."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        if inventory.frozen_result is not None:
            frozen = dict(inventory.frozen_result)
            if "disclosure_messages" in frozen:
                frozen["disclosures"] = [from_data(d) for d in frozen.pop("disclosure_messages")]
            return {**frozen, "status": inventory.status, "frozen": True,
                    "frozen_sha256": inventory.frozen_sha256}
        if inventory.origin == InventoryOrigin.EXTERNAL:
            report = external_report(uow.session, inventory)
        else:
            # every figure that can be calculated, the records that cannot listed with them
            _, report, _ = compute(uow.session, inventory, partial=True)
        return {**report, "status": inventory.status, "frozen": False}


def activity_trail(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, activity_id: int
) -> dict[str, Any]:
    """How one record becomes tCO2e: conversion, factor, gases, GWPs (the calculation trail)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        row = get_activity_row(uow.session, inventory.id, activity_id)
        trail, reconciliation = trail_of(uow.session, inventory, row)
        superseded = reconciliation is not None and reconciliation.superseded
        return {
            "activity_id": activity_id,
            "counted": not superseded,
            "superseded_by": list(reconciliation.meter_ids) if superseded else [],
            "metering_finding": reconciliation.finding if reconciliation else None,
            "factor_key": trail.result.factor_key,
            "iso_category": int(trail.iso_category),
            "location_tco2e": str(trail.location_tco2e),
            "market_tco2e": str(trail.market_tco2e),
            "steps": list(trail.result.steps()),
        }


@dataclass(frozen=True)
class FigureTrail:
    """A figure of the report and a page of the records it sums, with the factors they used."""

    figure: Figure
    lines: PageResult[TrailLine]
    #: the shares of every record (not only this page's): the figure, calculated again
    tco2e: Decimal
    factors: Mapping[str, EmissionFactor]
    #: False for an inventory made with another tool: its figures have no records under them
    has_records: bool


def explain_figure(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, figure: Figure, page: Page,
) -> FigureTrail:
    """The calculation trail of one figure of the inventory report: the records it sums, each
    with its quantity, conversion, factor, gases, GWPs and share of the figure. A verified
    inventory is calculated with the factors it froze, so the shares add up to its report."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        inventory = get_inventory_row(uow.session, organisation_id, inventory_id)
        if inventory.origin == InventoryOrigin.EXTERNAL:
            return FigureTrail(figure, PageResult([], 0, page), Decimal(0), {}, has_records=False)
        site_id = int(figure.key) if figure.kind is FigureKind.SITE and figure.key else None
        result, factors = record_trails(uow.session, inventory, site_id)
        # every record's share goes into the total; only the page's records are kept
        shown, shares, count = [], [], 0
        for line in figure_trail(result.trails(), figure):
            if page.offset <= count < page.offset + page.size:
                shown.append(line)
            shares.append(line.tco2e)
            count += 1
        keys = {line.result.factor_key for line in shown if line.result is not None}
        return FigureTrail(figure, PageResult(shown, count, page), total_of(shares),
                           {key: factors[key] for key in sorted(k for k in keys if k and k in factors)},
                           has_records=True)


def external_report(session: Session, inventory: Inventory) -> dict[str, Any]:
    """Totals of an inventory made elsewhere, in the shape of a calculated report."""
    rows = list(session.scalars(select(ExternalTotal).where(ExternalTotal.inventory_id == inventory.id)))
    report: dict[str, Any] = {"inventory_id": inventory.id, "version": inventory.version,
                              "gwp_set": inventory.gwp_set, "origin": InventoryOrigin.EXTERNAL.value}
    for basis in ("location", "market"):
        by_scope = {1: Decimal(0), 2: Decimal(0), 3: Decimal(0)}
        by_category: dict[int, Decimal] = {}
        by_gas: dict[str, Decimal] = {}
        for row in rows:
            if row.scope == 2 and row.basis != basis:
                continue
            by_scope[row.scope] += row.tco2e
            if row.scope == 3:
                by_category[row.category] = by_category.get(row.category, Decimal(0)) + row.tco2e
            by_gas[row.gas] = by_gas.get(row.gas, Decimal(0)) + row.tco2e
        report[f"{basis}_based"] = {
            "tco2e": str(sum(by_scope.values(), Decimal(0))),
            "by_scope": {k: str(v) for k, v in by_scope.items()},
            "by_scope3_category": {k: str(v) for k, v in sorted(by_category.items())},
            "by_gas": {g: {"tco2e": str(v)} for g, v in sorted(by_gas.items())},
        }
    return report


def freeze_figures(session: Session, inventory: Inventory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The factors used and the report, as frozen into a verified inventory."""
    if inventory.origin == InventoryOrigin.EXTERNAL:
        return {}, external_report(session, inventory)
    _, report, used = compute(session, inventory)
    return {key: factor_document(factor) for key, factor in used.items()}, report


def get_verification(uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int) -> Verification:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return _verification_row(uow.session, organisation_id, inventory_id)


def statement_of(uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int) -> tuple[Verification, bytes]:
    """A verification with its statement file (deferred: only this use case loads it)."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        verification = _verification_row(uow.session, organisation_id, inventory_id)
        return verification, verification.statement


def _verification_row(session: Session, organisation_id: int, inventory_id: int) -> Verification:
    get_inventory_row(session, organisation_id, inventory_id)
    verification = session.scalar(select(Verification).where(Verification.inventory_id == inventory_id))
    if verification is None:
        raise NotFound(Msg("inventory {id} has no verification", id=inventory_id))
    return verification


# --- factors -----------------------------------------------------------------------------------


def library_factors(actor: Actor, *, kind: str | None = None, geography: str | None = None) -> list[EmissionFactor]:
    """The shipped factor library (any signed-in user may read it)."""
    require_authenticated(actor)
    factors = library.load_factors().values()
    return sorted(
        (f for f in factors
         if (kind is None or f.kind.value == kind) and (geography is None or f.provenance.geography == geography)),
        key=lambda f: f.key,
    )


def add_organisation_factor(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any], *,
    evidence: bytes, evidence_filename: str,
) -> OrganisationFactor:
    """Add a supplier- or site-specific factor, or a new version of one, with its evidence.

    Verified inventories froze the values they used, so a new version changes only drafts; the
    versions themselves are the change log (when, by whom, why).
    """
    authorize(actor, Permission.MANAGE_INVENTORY, organisation_id)
    if not evidence:
        raise InvalidInput(Msg("attach the evidence of the factor (a supplier declaration, a test report…)"),
                           {"evidence": ["missing"]})
    gases = {gas: Decimal(str(value)) for gas, value in data["gases"].items()}
    if not gases or any(not v.is_finite() or v < 0 for v in gases.values()):
        raise InvalidInput(Msg("a factor lists at least one gas with an amount ≥ 0"), {"gases": ["invalid"]})
    for name in ("per_unit", "mass_unit"):
        unit_of(data[name])  # raises UnknownUnit
    uncertainty = factor_uncertainty(data.get("uncertainty_percent"), data.get("uncertainty_basis"),
                                     data.get("uncertainty_source") or "")
    with uow:
        session = uow.session
        latest = session.scalar(select(func.max(OrganisationFactor.version)).where(
            OrganisationFactor.organisation_id == organisation_id, OrganisationFactor.key == data["key"]))
        if latest is not None and not data.get("change_reason", "").strip():
            raise InvalidInput(Msg("factor '{key}' exists (version {version}); say why it changes", key=data["key"], version=latest),
                               {"change_reason": ["required for a new version"]})
        row = OrganisationFactor(
            organisation_id=organisation_id, key=data["key"], version=(latest or 0) + 1,
            name=data["name"], kind=data["kind"], per_unit=unit_of(data["per_unit"]).code,
            mass_unit=unit_of(data["mass_unit"]).code, gases={g: str(v) for g, v in gases.items()},
            ncv=data.get("ncv"), ncv_unit=data.get("ncv_unit"), source=data["source"], **uncertainty,
            publisher=data["publisher"], year=data["year"], geography=data["geography"],
            evidence_filename=evidence_filename, evidence_sha256=hashlib.sha256(evidence).hexdigest(),
            change_reason=data.get("change_reason") or "first version", created_at=utcnow(),
            created_by=actor.label,
        )
        session.add(row)
        record(session, actor, "factor.create", row, organisation_id=organisation_id)
        uow.commit()
        return row


def factor_uncertainty(percent: Any, basis: str | None, source: str) -> dict[str, Any]:
    """A factor's ± %, basis and source as stored: all or none (seed 000 §4.7). A published ±
    cites its publication; an expert's says why. Refused with the field named."""
    if percent is None and not basis:
        if source.strip():
            raise InvalidInput(Msg("a source of the uncertainty is given without the uncertainty (± %)"),
                               {"uncertainty_percent": ["required with a source"]})
        return {"uncertainty_percent": None, "uncertainty_basis": None, "uncertainty_source": ""}
    if percent is None:
        raise InvalidInput(Msg("give the uncertainty (± %) its basis is for"), {"uncertainty_percent": ["missing"]})
    value = Decimal(str(percent))
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1000):
        raise InvalidInput(Msg("an uncertainty is a percentage from 0 to 1000, not {value}", value=str(percent)),
                           {"uncertainty_percent": ["must be between 0 and 1000"]})
    if basis not in {b.value for b in UncertaintyBasis}:
        raise InvalidInput(Msg("say whether the uncertainty is published or an expert's judgement"),
                           {"uncertainty_basis": ["published or expert_judgement"]})
    if not source.strip():
        raise InvalidInput(
            Msg("cite the publication that gives the uncertainty") if basis == UncertaintyBasis.PUBLISHED
            else Msg("say on what the expert's judgement of the uncertainty rests"),
            {"uncertainty_source": ["required"]})
    return {"uncertainty_percent": value, "uncertainty_basis": basis, "uncertainty_source": source.strip()}


def list_organisation_factors(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[OrganisationFactor]:
    """Every version of the organisation's own factors: the factor change log."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return list(uow.session.scalars(
            select(OrganisationFactor).where(OrganisationFactor.organisation_id == organisation_id)
            .order_by(OrganisationFactor.key, OrganisationFactor.version)))


# --- base year ---------------------------------------------------------------------------------


def base_year_check(uow: UnitOfWork, actor: Actor, organisation_id: int, commitment_id: int) -> dict[str, Any]:
    """Does the base year need recalculating? (ISO 14064-1 §6.4.1; SBTi 5 % significance.)

    The base year is the commitment's first period with a verified inventory. Its records are
    calculated again with today's factors and compared with the verified total; structural
    changes (a new consolidation approach since the base year began) and method changes (later
    inventories on another GWP set) are listed whatever the figures say.
    """
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        session = uow.session
        periods = list(session.scalars(select(ApplicationPeriodRow).where(
            ApplicationPeriodRow.commitment_id == commitment_id,
            ApplicationPeriodRow.organisation_id == organisation_id).order_by(ApplicationPeriodRow.sequence)))
        if not periods:
            raise NotFound(Msg("commitment {commitment} has no application periods in organisation {organisation}",
                               commitment=commitment_id, organisation=organisation_id))
        base = next((inv for p in periods if (inv := verified_inventory_of(session, p.id)) is not None), None)
        if base is None:
            raise Conflict(Msg("no period of this commitment has a verified inventory yet: there is no base year"))
        base_period = session.get(ApplicationPeriodRow, base.period_id)
        verified_total = Decimal(base.frozen_result["location_based"]["tco2e"])
        if base.origin == InventoryOrigin.EXTERNAL:
            recalculated = verified_total  # no records to recalculate
        else:
            _, report, _ = compute(session, base, todays_factors=True)
            recalculated = Decimal(report["location_based"]["tco2e"])
        history = list(session.scalars(select(ConsolidationApproachChange).where(
            ConsolidationApproachChange.organisation_id == organisation_id)
            .order_by(ConsolidationApproachChange.effective_from)))
        changes = [  # the first entry is the initial choice, not a change
            BaseYearChange(ChangeKind.STRUCTURAL, Msg("consolidation approach changed to {approach}: {reason}",
                                                     approach=c.approach, reason=c.reason),
                           c.effective_from)
            for c in history[1:] if c.effective_from > base_period.start_date
        ]
        later_sets = set(session.scalars(select(Inventory.gwp_set).where(
            Inventory.period_id.in_([p.id for p in periods if p.sequence > base_period.sequence]))))
        for gwp_set in sorted(later_sets - {base.gwp_set}):
            changes.append(BaseYearChange(ChangeKind.METHOD, Msg("later inventories use {later}, the base year {base}",
                                                                later=gwp_set, base=base.gwp_set)))
        if recalculated != verified_total:
            changes.append(BaseYearChange(ChangeKind.FACTOR, Msg("emission factors changed since verification")))
        check = check_base_year(verified_total, recalculated, base.significance_threshold_percent, changes)
        structural = any(c.kind in (ChangeKind.STRUCTURAL, ChangeKind.METHOD) for c in changes)
        return {
            "base_inventory_id": base.id,
            "base_period": {"start": base_period.start_date.isoformat(), "end": base_period.end_date.isoformat()},
            "verified_tco2e": str(check.base_total_tco2e),
            "recalculated_tco2e": str(check.recalculated_tco2e),
            "change_percent": str(check.change_percent),
            "threshold_percent": str(check.threshold_percent),
            "recalculation_required": check.recalculation_required or structural,
            "explanation": check.explanation,
            "changes": [{"kind": c.kind.value, "description": c.description,
                         "on": c.on.isoformat() if c.on else None} for c in changes],
        }
