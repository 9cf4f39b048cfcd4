"""The use case of a statement: read the period from the database into a snapshot, and the
statement built from it (a preview: nothing is stored).

The footprint, the measures and the targets are the periodic GHG report's
(:func:`neutrality.reports.services.ghg_report`); the balance is the one under the claim
(:func:`neutrality.claims.services.period_balance`), so the statement shows the figures the
period page shows, with the retirements the rules exclude and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor, Permission, authorize
from neutrality.claims import services as claims
from neutrality.claims.eligibility import period_findings
from neutrality.commitments.model import STANDARD_TITLES, Standard
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import Commitment
from neutrality.errors import InvalidInput
from neutrality.messages import Msg
from neutrality.organisations.tables import Organisation, Site, Subject
from neutrality.registry.ledger import in_force_only
from neutrality.registry.schemes import load_schemes
from neutrality.registry.tables import InstrumentProject, Retirement, SerialBlock
from neutrality.reports import services as reports
from neutrality.reports.content import GhgReport
from neutrality.statements.content import (
    DeclarationType,
    PasOption,
    Statement,
    StatementKind,
    ValidationType,
)
from neutrality.statements.snapshot import snapshot_of, snapshot_sha256, statement_from_snapshot
from neutrality.uow import UnitOfWork


@dataclass(frozen=True)
class BuiltStatement:
    snapshot: dict[str, Any]
    sha256: str  # of the snapshot's canonical JSON
    statement: Statement


def as_commitment(built: BuiltStatement) -> BuiltStatement:
    """The same statement declared as a commitment, which may always be declared: the snapshot
    with its declaration changed (a commitment has no PAS 2060 option), not the period read again."""
    snapshot = {**built.snapshot, "declaration": DeclarationType.COMMITMENT.value, "option": None}
    return BuiltStatement(snapshot, snapshot_sha256(snapshot), statement_from_snapshot(snapshot))


#: The statement each claim standard is declared in.
_STATEMENT_OF_STANDARD = {
    Standard.ISO_14068_1_2023: StatementKind.ISO_14068_1_REPORT,
    Standard.PAS_2060_2014: StatementKind.PAS_2060_QES,
}


def kinds_allowed(standard: Standard | str, zero_carbon_factory: bool) -> tuple[StatementKind, ...]:
    """The statements a claim made under ``standard`` may be declared in: its own standard's
    (the ISO 14068-1 report, the PAS 2060 QES), never another standard's. A commitment that is
    also a zero-carbon factory declaration (``zero_carbon_factory``) makes its claim under two:
    the Chinese guidance (工信部联节〔2026〕13号) sets no claim standard of its own but is
    judged on top of the commitment's (its rule set is a framework, as the rules read it), so
    such a claim may be declared in its standard's statement and in the 零碳工厂声明 alike."""
    own = _STATEMENT_OF_STANDARD[Standard(standard)]
    return (own, StatementKind.CN_ZERO_CARBON_FACTORY) if zero_carbon_factory else (own,)


def require_kind_allowed(kind: StatementKind, commitment: Commitment, period_id: int) -> None:
    """Refuse (422) a statement of ``kind`` the period's claim is not made under."""
    allowed = kinds_allowed(commitment.standard, bool(commitment.zero_carbon_factory))
    if kind in allowed:
        return
    standard = STANDARD_TITLES.get(Standard(commitment.standard), commitment.standard)
    required = (Msg("the zero-carbon factory guidance (MIIT 2026 No. 13)")
                if kind is StatementKind.CN_ZERO_CARBON_FACTORY
                else next(STANDARD_TITLES[s] for s, k in _STATEMENT_OF_STANDARD.items() if k is kind))
    raise InvalidInput(
        Msg("a statement of kind {kind} is made only under {required}: the claim of period {period} is "
            "made under {standard}", kind=kind.value, required=required, period=period_id, standard=standard),
        {"kind": ["not the claim's standard"], "standard": commitment.standard,
         "zero_carbon_factory": bool(commitment.zero_carbon_factory), "allowed": [k.value for k in allowed]})


def public_url(base: str, organisation_id: int, period_id: int) -> str:
    """Where the statement of the period is published: ``<base>/declarations/<org>/<period>``."""
    return f"{base.rstrip('/')}/declarations/{organisation_id}/{period_id}"


def build_statement(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, kind: StatementKind | str, *,
    prepared_on: dt.date, published_at: str = "", declaration: DeclarationType | None = None, version: int = 0,
) -> BuiltStatement:
    """The statement of ``kind`` for the period as of ``prepared_on``, with its snapshot and the
    snapshot's SHA-256. ``declaration``: an achievement when the balance under the claim is
    covered with no blocking rule failing, else a commitment, unless named. A kind the
    period's claim is not made under is refused (:func:`kinds_allowed`), before anything is read."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    kind = StatementKind(kind)
    with uow.reading():
        period = get_period_row(uow.session, organisation_id, period_id)
        require_kind_allowed(kind, uow.session.get(Commitment, period.commitment_id), period_id)
    report = reports.ghg_report(uow, actor, organisation_id, period_id, prepared_on=prepared_on)
    balance = claims.period_balance(uow, actor, organisation_id, period_id, as_of=prepared_on)
    findings = period_findings(uow, actor, organisation_id, period_id, as_of=prepared_on)
    with uow.reading():
        session = uow.session
        period = get_period_row(session, organisation_id, period_id)
        organisation = session.get(Organisation, organisation_id)
        commitment = session.get(Commitment, period.commitment_id)
        subject = session.get(Subject, commitment.subject_id)
        entity = _entity(organisation)
        boundary = _boundary(session, subject)
        retirements = _retirements(session, period.id)
        commitment_data = {
            "statement": commitment.statement, "baseline_date": commitment.baseline_date.isoformat(),
            "first_qualification_date": commitment.first_qualification_date.isoformat(),
            "neutrality_deadline": _iso(commitment.neutrality_deadline),
            "commitment_until": _iso(commitment.commitment_until),
            "planned_measures": [str(m) for m in commitment.planned_measures or ()],
            "offset_strategy": commitment.offset_strategy or "",
            "intended_credit_types": [str(t) for t in commitment.intended_credit_types or ()]}
        period_data = {"id": period.id, "sequence": period.sequence, "start": period.start_date.isoformat(),
                       "end": period.end_date.isoformat(), "status": period.status}
        includes_historic = period.includes_historic_reductions
    claim = balance.claim
    achieved = (claim is not None and claim.verdict == "covered" and not claim.blocking_period_rules)
    if declaration is None:
        declaration = DeclarationType.ACHIEVEMENT if achieved else DeclarationType.COMMITMENT
    snapshot = snapshot_of(
        kind=kind, declaration=declaration,
        option=_option(kind, declaration, period_data["sequence"], includes_historic, report),
        entity=entity, boundary=boundary,
        standard=STANDARD_TITLES.get(Standard(commitment.standard), commitment.standard),
        validation=_validation(report, balance.verification_state), commitment=commitment_data, period=period_data, report=report,
        balance=balance, retirements=retirements, findings=findings.findings, published_at=published_at,
        prepared_on=prepared_on, version=version)
    return BuiltStatement(snapshot, snapshot_sha256(snapshot), statement_from_snapshot(snapshot))


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _entity(organisation: Organisation) -> dict[str, str]:
    return {
        "name": organisation.name, "legal_name": organisation.legal_name,
        "english_name": organisation.english_name or "",
        "unified_social_credit_code": organisation.unified_social_credit_code or "",
        "nature": organisation.nature_of_enterprise, "legal_representative": organisation.legal_representative,
        "registered_address": organisation.registered_address, "production_address": organisation.production_address,
        "industry_category": organisation.industry_category, "industry_code": organisation.industry_code or "",
        "contact_person": organisation.contact_person, "contact_phone": organisation.contact_phone or "",
        "contact_email": organisation.contact_email or ""}


def _boundary(session: Any, subject: Subject) -> dict[str, Any]:
    if subject.kind == "site":
        sites = [session.get(Site, subject.site_id)]
    else:
        sites = list(subject.included_sites)
    return {
        "subject": subject.name, "kind": subject.kind, "description": subject.description or "",
        "sites": [{"name": s.name, "address": s.address} for s in sites],
        "exclusions": [{"item": x.item, "reason": x.reason, "share_percent": str(x.estimated_share_percent)}
                       for x in subject.exclusions]}


def _validation(report: GhgReport, state: str | None) -> dict[str, Any]:
    """PAS-51: the inventory's third-party verification when it has one, with its state (claimed
    by the organisation, or confirmed by the appointed verifier's own opinion), else self-validation."""
    v = report.verification
    if v is None:
        return {"type": ValidationType.SELF.value}
    return {"type": ValidationType.THIRD_PARTY.value, "body": v.body, "accreditation": v.accreditation,
            "standard": v.standard, "assurance_level": v.assurance_level, "opinion": v.opinion,
            "verified_on": v.verified_on.isoformat(), "state": state or "claimed"}


def _option(kind: StatementKind, declaration: DeclarationType, sequence: int, includes_historic: bool,
            report: GhgReport) -> PasOption | None:
    """PAS 2060 Table A.1 (PAS-50): with historical reductions when the period says so; the
    first period without reductions to show, by offsetting only; otherwise reductions and offsets."""
    if kind is not StatementKind.PAS_2060_QES or declaration is not DeclarationType.ACHIEVEMENT:
        return None
    if includes_historic:
        return PasOption.HISTORIC_REDUCTIONS
    if sequence == 1 and not report.changes:
        return PasOption.FIRST_PERIOD_OFFSETS
    return PasOption.STANDARD


def _retirements(session: Any, period_id: int) -> list[dict[str, Any]]:
    """The retirements in force for the period, each with its block's project and vintage and its
    registry (the scheme's), in the ledger's order."""
    schemes = load_schemes()
    rows = session.execute(in_force_only(
        select(Retirement, SerialBlock.vintage_start, SerialBlock.vintage_end, InstrumentProject.name,
               InstrumentProject.registry_project_id, InstrumentProject.country)
        .join(SerialBlock, SerialBlock.id == Retirement.block_id)
        .join(InstrumentProject, InstrumentProject.id == SerialBlock.project_id),
        period_id=period_id).order_by(Retirement.id))
    result = []
    for r, vintage_start, vintage_end, project, project_id, country in rows:
        scheme = schemes.get(r.scheme)
        result.append({
            "id": r.id, "scheme": r.scheme, "unit": r.unit, "market": r.market, "project": project,
            "project_id": project_id, "country": country or "", "vintage_start": _iso(vintage_start),
            "vintage_end": _iso(vintage_end), "issuance": r.issuance_key, "serial_start": r.serial_start,
            "serial_end": r.serial_end, "quantity": r.quantity,
            "registry": scheme.registry if scheme is not None else "", "retired_on": r.retired_on.isoformat(),
            "reference": r.registry_reference, "link": r.registry_link or "", "beneficiary": r.beneficiary_text,
            "evidence_sha256": r.evidence_sha256})
    return result
