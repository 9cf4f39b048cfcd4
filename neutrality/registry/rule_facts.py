"""The facts the rules engine judges, read from the database.

One place turns rows into :mod:`neutrality.rules.facts` values: a period under its commitment's
claim, with its inventory's figures and its retirements (or a held block as a candidate for a
retirement). Retirement entry, the planner and the balance all read them from here, so every
place that meets an instrument and a period judges the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from neutrality.commitments.tables import ApplicationPeriodRow, Commitment, ReductionTarget
from neutrality.inventory.model import Scope
from neutrality.inventory.positions import CoveragePosition, PeriodCoverage
from neutrality.inventory.status import InventoryStatus
from neutrality.inventory.tables import Inventory, Verification
from neutrality.organisations.tables import Organisation, Subject, SubjectExclusion
from neutrality.reductions.target_tables import EmissionTarget
from neutrality.reductions.targets import TargetKind
from neutrality.registry.ledger import InForce, in_force_only
from neutrality.registry.model import BlockStatus
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.tables import InstrumentProject, SerialBlock
from neutrality.registry.tables import Retirement as RetirementRow
from neutrality.rules import facts
from neutrality.rules.engine import Claim, cycle_collection_paused

ZERO = Decimal(0)


def claim_of(commitment: Commitment) -> Claim:
    """What the commitment's claims are made under."""
    return Claim(commitment.standard, tuple(commitment.frameworks or ()),
                 zero_carbon_factory=bool(commitment.zero_carbon_factory))


def instrument_of(block: SerialBlock, project: InstrumentProject, quantity: int | None = None) -> facts.Instrument:
    return facts.Instrument(
        scheme=block.scheme, kind=scheme_of(block.scheme).kind.value,
        quantity=block.quantity if quantity is None else quantity, serial=block.raw_serial,
        vintage_start=block.vintage_start, vintage_end=block.vintage_end, block_id=block.id,
        **_project_fields(project),
    )


def _project_fields(project: InstrumentProject) -> dict[str, Any]:
    """What an instrument takes from its project (read once for all of a project's blocks, which
    then share one ``labels`` mapping: facts are never changed)."""
    labels: Mapping[str, Any] = project.labels or {}
    return dict(
        registry=project.source_registry, project_id=project.registry_project_id,
        project_name=project.name, country=project.country, region=project.region or "",
        technology=project.technology or "", project_type=project.project_type or "",
        methodology=project.methodology or "", commissioning_date=project.commissioning_date,
        repowering_date=project.repowering_date, subsidised=project.subsidised,
        gec_project_code=project.gec_project_code, labels=dict(labels),
    )


def candidate_of(
    block: SerialBlock, project: InstrumentProject, claimant: facts.Claimant, as_of: dt.date,
    market: str | None = None,
) -> facts.Retirement:
    """What retiring a held block for the claimant today would be (the planner's question)."""
    instrument = instrument_of(block, project)
    if market is None and instrument.kind == "eac":
        market = project.country  # a certificate covers electricity of its own country
    return facts.Retirement(
        instrument=instrument, retired_on=as_of, beneficiary=claimant.legal_name, market=market,
    )


def retirements_in_force(session: Session, period_id: int) -> list[facts.Retirement]:
    """The period's retirements that stand (no reversal undid them), with their instruments.

    Read as columns, with each project once: a period may hold 10,000 retirements of a few
    projects, and loading them as entities took most of the time of judging them."""
    with cycle_collection_paused():  # 10,000 rows and 20,000 values made at once (see the engine)
        return _retirements(session, period_id)


def _retirements(session: Session, period_id: int) -> list[facts.Retirement]:
    rows = session.execute(
        in_force_only(select(
            RetirementRow.id, RetirementRow.quantity, RetirementRow.retired_on, RetirementRow.beneficiary_text,
            RetirementRow.purpose, RetirementRow.reason, RetirementRow.market, RetirementRow.registry_reference,
            SerialBlock.id, SerialBlock.scheme, SerialBlock.raw_serial, SerialBlock.vintage_start,
            SerialBlock.vintage_end, SerialBlock.project_id,
        ), period_id=period_id)
        .join(SerialBlock, SerialBlock.id == RetirementRow.block_id)
        .order_by(RetirementRow.id)
    ).all()
    project_ids = {row[-1] for row in rows}
    # each project's fields once, in an instrument its blocks are copied from
    projects = {p.id: facts.Instrument(
        scheme="", kind="", quantity=0, serial="", vintage_start=None, vintage_end=None, **_project_fields(p),
    ) for p in session.scalars(
        select(InstrumentProject).where(InstrumentProject.id.in_(project_ids)))} if project_ids else {}
    kinds = {code: scheme_of(code).kind.value for code in {row[9] for row in rows}}
    return [
        facts.Retirement(
            instrument=projects[project_id].of_block(
                scheme=scheme, kind=kinds[scheme], quantity=quantity, serial=serial, vintage_start=start,
                vintage_end=end, block_id=block_id),
            retired_on=retired_on, beneficiary=beneficiary,
            purpose=f"{purpose} {reason}" if purpose and reason else purpose or reason or "",
            market=market, registry_reference=reference, id=retirement_id,
        )
        for (retirement_id, quantity, retired_on, beneficiary, purpose, reason, market, reference, block_id,
             scheme, serial, start, end, project_id) in rows
    ]


def claimant_of(organisation: Organisation) -> facts.Claimant:
    aliases = tuple(a for a in (organisation.english_name, *(organisation.aliases or ())) if a)
    return facts.Claimant(organisation.legal_name, organisation.name, aliases, organisation.country)


def _emissions(by_scope_location: Mapping[Any, Decimal], by_scope_market: Mapping[Any, Decimal]) -> facts.Emissions:
    def get(totals: Mapping[Any, Decimal], scope: Scope) -> Decimal:
        return Decimal(totals.get(scope, totals.get(str(int(scope)), ZERO)))

    return facts.Emissions(
        scope1=get(by_scope_location, Scope.SCOPE_1), scope2_location=get(by_scope_location, Scope.SCOPE_2),
        scope2_market=get(by_scope_market, Scope.SCOPE_2), scope3=get(by_scope_location, Scope.SCOPE_3),
    )


def _earlier(session: Session, period: ApplicationPeriodRow) -> tuple[facts.Emissions, ...]:
    """The figures of the commitment's earlier periods, from their verified (frozen) reports."""
    rows = session.execute(
        select(Inventory.frozen_result)
        .join(ApplicationPeriodRow, ApplicationPeriodRow.id == Inventory.period_id)
        .where(ApplicationPeriodRow.commitment_id == period.commitment_id,
               ApplicationPeriodRow.sequence < period.sequence,
               Inventory.status == InventoryStatus.VERIFIED)
        .order_by(ApplicationPeriodRow.sequence)
    ).scalars()
    earlier = []
    for frozen in rows:
        if frozen and "location_based" in frozen and "market_based" in frozen:
            earlier.append(_emissions(frozen["location_based"]["by_scope"], frozen["market_based"]["by_scope"]))
    return tuple(earlier)


def _targets(targets: Iterable[ReductionTarget]) -> tuple[facts.ReductionTarget, ...]:
    return tuple(
        facts.ReductionTarget(scopes=t.scopes, kind=t.kind, base_year=t.base_year, target_year=t.target_year,
                              reduction_percent=Decimal(t.reduction_percent))
        for t in targets
    )


def stored_targets(session: Session, period: ApplicationPeriodRow) -> tuple[facts.ReductionTarget, ...]:
    """The reduction targets of the register that follow the period: those of its commitment and
    those of the whole organisation, oldest first.

    An absolute target's base value is its base year's emissions, from which the rules draw its
    path; an intensity's (tCO2e per unit of output) is not, so its path is left undrawn."""
    rows = session.scalars(select(EmissionTarget).where(
        EmissionTarget.organisation_id == period.organisation_id,
        or_(EmissionTarget.commitment_id == period.commitment_id, EmissionTarget.commitment_id.is_(None)),
    ).order_by(EmissionTarget.id))
    return tuple(
        facts.ReductionTarget(
            scopes=row.scopes, kind=row.kind, base_year=row.base_year, target_year=row.target_year,
            reduction_percent=Decimal(row.reduction_percent),
            coverage_percent=Decimal(row.coverage_percent) if row.coverage_percent is not None else None,
            set_on=row.set_on, term=row.term,
            base_year_emissions=Decimal(row.base_value) if row.kind == TargetKind.ABSOLUTE.value else None,
        )
        for row in rows
    )


def ledger_entries(retired: Sequence[facts.Retirement]) -> list[InForce]:
    """What the ledger's arithmetic reads of retirements in force, from their facts (a balance
    reads the period's retirements once, for both)."""
    return [InForce(r.id, r.instrument.scheme, r.instrument.quantity,
                    "tCO2e" if r.instrument.kind == "carbon_credit" else "MWh", r.market)
            for r in retired if r.id is not None]


def held_for_linkage(session: Session, organisation_id: int) -> list[facts.Instrument]:
    """The instruments the organisation holds (held or reserved) of projects with a GEC filing
    code: a GEC or a CCER it holds stands for its generation as much as one it retired, so the
    GEC–CCER linkage rules read them (no other rule does).

    Read project by project (an organisation's blocks are of its own projects): each read
    follows ix_serial_blocks_project to that project's blocks, where one query for all would
    walk every block held (200,000 credits of other projects) to find the few with a code."""
    coded = session.scalars(select(InstrumentProject).where(
        InstrumentProject.organisation_id == organisation_id, InstrumentProject.gec_project_code.is_not(None)))
    rows = [(block, project) for project in coded for block in session.scalars(
        select(SerialBlock).where(
            SerialBlock.organisation_id == organisation_id, SerialBlock.project_id == project.id,
            SerialBlock.status.in_((BlockStatus.HELD.value, BlockStatus.RESERVED.value))))]
    return [instrument_of(block, project) for block, project in sorted(rows, key=lambda row: row[0].id)]


class _ReadWhenAsked(Sequence[facts.Retirement]):
    """A period's retirements, read from the database the first time they are looked at."""

    def __init__(self, read: Callable[[], Sequence[facts.Retirement]]):
        self._read = read
        self._items: tuple[facts.Retirement, ...] | None = None

    def _all(self) -> tuple[facts.Retirement, ...]:
        if self._items is None:
            self._items = tuple(self._read())
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def period_facts(
    session: Session,
    period: ApplicationPeriodRow,
    *,
    as_of: dt.date,
    coverage: PeriodCoverage | None,
    retirements: Sequence[facts.Retirement] | None = None,
    position: CoveragePosition | None = None,
    for_one_retirement: bool = False,
) -> facts.PeriodFacts:
    """The period under its commitment's claim, with its inventory's figures (``coverage``: None
    without an inventory) and ``retirements`` (those in force by default).

    ``for_one_retirement``: the facts a retirement's own rules read, when one is recorded. They
    read neither the residual nor the period's totals of credits and certificates (left at
    zero), and only the linkage rules read the period's other retirements, so those are read
    the first time a rule asks: recording one retirement does not read the period's ledger."""
    commitment = session.get(Commitment, period.commitment_id)
    subject = session.get(Subject, commitment.subject_id)
    organisation = session.get(Organisation, period.organisation_id)
    eac_by_market: dict[str, Decimal] = {}
    credits = ZERO
    retired: Sequence[facts.Retirement]
    if for_one_retirement and retirements is None:
        retired = _ReadWhenAsked(lambda: retirements_in_force(session, period.id))
    else:
        retired = tuple(retirements) if retirements is not None else tuple(retirements_in_force(session, period.id))
        credits = sum((Decimal(r.instrument.quantity) for r in retired if r.instrument.kind == "carbon_credit"), ZERO)
        for r in retired:
            if r.instrument.kind == "eac":
                eac_by_market[r.market or ""] = eac_by_market.get(r.market or "", ZERO) + r.instrument.quantity
    excluded = sum((Decimal(e.estimated_share_percent) for e in session.scalars(
        select(SubjectExclusion).where(SubjectExclusion.subject_id == subject.id))), ZERO)
    values: dict[str, Any] = dict(
        period_id=period.id, sequence=period.sequence, start=period.start_date, end=period.end_date,
        as_of=as_of, claimant=claimant_of(organisation), subject_name=subject.name,
        standard=commitment.standard, zero_carbon_factory=bool(commitment.zero_carbon_factory),
        intended_credit_types=tuple(commitment.intended_credit_types or ()),
        earlier=_earlier(session, period), credits_retired_tco2e=credits,
        eac_mwh_by_market=eac_by_market, excluded_share_percent=excluded,
        # the commitment's own targets (as written with it) and those of the targets register
        targets=_targets(commitment.reduction_targets) + stored_targets(session, period), retirements=retired,
        holdings=_ReadWhenAsked(lambda: held_for_linkage(session, organisation.id)),
    )
    if coverage is not None:
        inventory = coverage.inventory
        gross = coverage.gross
        # the caller's position when it has one with these certificates (the balance does); a
        # retirement's own rules need no residual, and are spared the calculation
        if position is None and not for_one_retirement:
            position = coverage.position(eac_by_market)
        verification = session.scalar(select(Verification).where(Verification.inventory_id == inventory.id))
        values.update(
            markets=tuple(sorted(set(coverage.market_of_site.values()))),
            inventory_verified=inventory.status == InventoryStatus.VERIFIED,
            verification={} if verification is None else {
                "body": verification.body, "accreditation": verification.accreditation,
                "assurance_level": verification.assurance_level, "opinion": verification.opinion,
                "verified_on": verification.verified_on.isoformat()},
            verification_state=None if verification is None else verification.state,
            emissions=_emissions(gross.location_based.by_scope, gross.market_based.by_scope),
            electricity_mwh_by_market=dict(coverage.grid_mwh_by_market),
            residual_tco2e=position.residual_tco2e if position is not None else None,
        )
    return facts.PeriodFacts(**values)
