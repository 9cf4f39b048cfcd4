"""Use cases for organisations, the consolidation approach, sites and claim subjects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from neutrality.access.model import Actor, Permission, Role, authorize, email_key, require_admin
from neutrality.access.tables import Membership, User
from neutrality.audit.services import record, snapshot
from neutrality.clock import today, utcnow
from neutrality.db import query_page
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.organisations.model import (
    ConsolidationApproach,
    SubjectKind,
    check_credit_code,
    check_exclusion_share,
    resolve_site_location,
)
from neutrality.organisations.repository import get_organisation_row, get_site_row, get_subject_row
from neutrality.organisations.tables import (
    ConsolidationApproachChange,
    Organisation,
    Site,
    Subject,
    SubjectExclusion,
)
from neutrality.pagination import Page, PageResult
from neutrality.uow import UnitOfWork

ORGANISATION_FIELDS = (
    "name",
    "legal_name",
    "english_name",
    "aliases",
    "unified_social_credit_code",
    "nature_of_enterprise",
    "legal_representative",
    "registered_address",
    "production_address",
    "industry_category",
    "industry_code",
    "contact_person",
    "contact_phone",
    "contact_email",
    "country",
)


def _check_country(country: str) -> None:
    resolve_site_location(country, None, None)


def _unique_name(session: Any, model: type, name: str, **scope: Any) -> None:
    query = select(model.id).where(model.name == name)
    for column, value in scope.items():
        query = query.where(getattr(model, column) == value)
    if session.scalar(query) is not None:
        raise Conflict(Msg("the name '{name}' is already used", name=name), {"name": ["already used"]})


# --- organisations -----------------------------------------------------------------------------


def create_organisation(uow: UnitOfWork, actor: Actor, data: Mapping[str, Any]) -> Organisation:
    """Create a tenant with its one consolidation approach; optionally name its first lead."""
    require_admin(actor)
    _check_country(data["country"])
    if data.get("unified_social_credit_code"):
        check_credit_code(data["unified_social_credit_code"])
    approach = ConsolidationApproach(data["consolidation_approach"])
    now = utcnow()
    with uow:
        session = uow.session
        _unique_name(session, Organisation, data["name"])
        org = Organisation(
            **{f: data.get(f) for f in ORGANISATION_FIELDS},
            consolidation_approach=approach.value,
            consolidation_justification=data["consolidation_justification"],
            created_at=now,
            updated_at=now,
        )
        org.aliases = list(data.get("aliases") or [])
        session.add(org)
        uow.flush()
        first = ConsolidationApproachChange(
            organisation_id=org.id,
            approach=approach.value,
            justification=data["consolidation_justification"],
            effective_from=data.get("consolidation_effective_from") or today(),
            reason="initial choice",
            recorded_at=now,
            recorded_by=actor.label,
        )
        session.add(first)
        record(session, actor, "organisation.create", org, organisation_id=org.id)
        if data.get("lead_email"):
            email = email_key(data["lead_email"])
            lead = session.scalar(select(User).where(User.email == email))
            if lead is None:
                raise NotFound(Msg("no user with e-mail {email}", email=email), {"lead_email": ["unknown user"]})
            membership = Membership(
                user_id=lead.id,
                organisation_id=org.id,
                role=Role.LEAD.value,
                granted_by_user_id=actor.user_id,
                created_at=now,
            )
            session.add(membership)
            record(session, actor, "membership.create", membership, organisation_id=org.id)
        uow.commit()
        return org


def list_organisations(uow: UnitOfWork, actor: Actor, page: Page) -> PageResult:
    visible = actor.visible_organisations()
    with uow:
        query = select(Organisation)
        if visible is not None:
            query = query.where(Organisation.id.in_(visible))
        return query_page(uow.session, query.order_by(Organisation.id), page)


def get_organisation(uow: UnitOfWork, actor: Actor, organisation_id: int) -> Organisation:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_organisation_row(uow.session, organisation_id)


def update_organisation(
    uow: UnitOfWork, actor: Actor, organisation_id: int, changes: Mapping[str, Any]
) -> Organisation:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        # The consolidation approach changes only through its own use case, with date and reason.
        raise InvalidInput(
            Msg("these fields cannot be changed here"), {k: [Msg("not changeable here")] for k in sorted(unknown)}
        )
    if "country" in changes:
        _check_country(changes["country"])
    if changes.get("unified_social_credit_code"):
        check_credit_code(changes["unified_social_credit_code"])
    with uow:
        org = get_organisation_row(uow.session, organisation_id)
        if "name" in changes and changes["name"] != org.name:
            _unique_name(uow.session, Organisation, changes["name"])
        before = snapshot(org)
        for key, value in changes.items():
            setattr(org, key, value)
        org.updated_at = utcnow()
        record(uow.session, actor, "organisation.update", org, before=before, organisation_id=org.id)
        uow.commit()
        return org


def list_consolidation_history(
    uow: UnitOfWork, actor: Actor, organisation_id: int
) -> list[ConsolidationApproachChange]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        return list(
            uow.session.scalars(
                select(ConsolidationApproachChange)
                .where(ConsolidationApproachChange.organisation_id == organisation_id)
                .order_by(ConsolidationApproachChange.effective_from)
            )
        )


def change_consolidation_approach(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    *,
    approach: str,
    justification: str,
    effective_from: dt.date,
    reason: str,
) -> ConsolidationApproachChange:
    """Switch to another approach from a date, with a reason.

    A change of approach is a structural change: the base year has to be recalculated, which the
    inventory engine detects from this history.
    """
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    new = ConsolidationApproach(approach)
    with uow:
        org = get_organisation_row(uow.session, organisation_id)
        if org.consolidation_approach == new.value:
            raise Conflict(
                Msg("the organisation already uses the {approach} approach; an organisation has "
                    "exactly one consolidation approach at a time", approach=new.value),
                {"approach": ["unchanged"]},
            )
        latest = uow.session.scalar(
            select(func.max(ConsolidationApproachChange.effective_from)).where(
                ConsolidationApproachChange.organisation_id == organisation_id
            )
        )
        if latest is not None and effective_from <= latest:
            raise InvalidInput(
                Msg("a change must take effect after the current approach did ({latest})",
                    latest=latest.isoformat()),
                {"effective_from": [f"must be after {latest.isoformat()}"]},
            )
        before = snapshot(org)
        change = ConsolidationApproachChange(
            organisation_id=organisation_id,
            approach=new.value,
            justification=justification,
            effective_from=effective_from,
            reason=reason,
            recorded_at=utcnow(),
            recorded_by=actor.label,
        )
        uow.session.add(change)
        org.consolidation_approach = new.value
        org.consolidation_justification = justification
        org.updated_at = utcnow()
        record(uow.session, actor, "organisation.change_consolidation_approach", org,
               before=before, organisation_id=organisation_id)
        uow.commit()
        return change


# --- sites -------------------------------------------------------------------------------------


def create_site(uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]) -> Site:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    location = resolve_site_location(data["country"], data.get("region"), data.get("grid_region"))
    now = utcnow()
    with uow:
        get_organisation_row(uow.session, organisation_id)
        _unique_name(uow.session, Site, data["name"], organisation_id=organisation_id)
        site = Site(
            organisation_id=organisation_id,
            name=data["name"],
            country=location.country,
            region=location.region,
            grid_region=location.grid_region,
            address=data["address"],
            description=data.get("description") or "",
            created_at=now,
            updated_at=now,
        )
        uow.session.add(site)
        record(uow.session, actor, "site.create", site, organisation_id=organisation_id)
        uow.commit()
        return site


def list_sites(uow: UnitOfWork, actor: Actor, organisation_id: int, page: Page) -> PageResult:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        query = select(Site).where(Site.organisation_id == organisation_id)
        return query_page(uow.session, query.order_by(Site.id), page)


def get_site(uow: UnitOfWork, actor: Actor, organisation_id: int, site_id: int) -> Site:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return get_site_row(uow.session, organisation_id, site_id)


def update_site(
    uow: UnitOfWork, actor: Actor, organisation_id: int, site_id: int, changes: Mapping[str, Any]
) -> Site:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    with uow:
        site = get_site_row(uow.session, organisation_id, site_id)
        if "name" in changes and changes["name"] != site.name:
            _unique_name(uow.session, Site, changes["name"], organisation_id=organisation_id)
        if {"country", "region", "grid_region"} & set(changes):
            country = changes.get("country", site.country)
            region = changes["region"] if "region" in changes else site.region
            # A new country or region re-derives the grid unless the caller names one.
            grid = changes.get("grid_region") if "grid_region" in changes else (
                None if {"country", "region"} & set(changes) else site.grid_region
            )
            location = resolve_site_location(country, region, grid)
            changes = {**changes, "country": location.country, "region": location.region,
                       "grid_region": location.grid_region}
        before = snapshot(site)
        for key, value in changes.items():
            setattr(site, key, "" if key == "description" and value is None else value)
        site.updated_at = utcnow()
        record(uow.session, actor, "site.update", site, before=before, organisation_id=organisation_id)
        uow.commit()
        return site


# --- subjects and their boundaries ------------------------------------------------------------


def _load_subject(session: Any, organisation_id: int, subject_id: int) -> Subject:
    subject = get_subject_row(session, organisation_id, subject_id)
    _ = subject.included_sites, subject.exclusions  # load for use after the session closes
    return subject


def _sites_of(session: Any, organisation_id: int, site_ids: Sequence[int]) -> list[Site]:
    if len(set(site_ids)) != len(site_ids):
        raise InvalidInput(Msg("a site is listed twice"), {"site_ids": ["duplicates"]})
    return [get_site_row(session, organisation_id, site_id) for site_id in site_ids]


def create_subject(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any]
) -> Subject:
    """A subject is one site (kind ``site``) or the organisation over the sites it includes."""
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    kind = SubjectKind(data["kind"])
    with uow:
        session = uow.session
        get_organisation_row(session, organisation_id)
        _unique_name(session, Subject, data["name"], organisation_id=organisation_id)
        if kind is SubjectKind.SITE:
            if data.get("site_id") is None or data.get("site_ids"):
                raise InvalidInput(
                    Msg("a site subject names exactly one site in site_id (and no site_ids)"),
                    {"site_id": ["required for a site subject"]},
                )
            sites = [get_site_row(session, organisation_id, data["site_id"])]
        else:
            if data.get("site_id") is not None:
                raise InvalidInput(
                    Msg("an organisation subject lists its sites in site_ids, not site_id"),
                    {"site_id": ["not allowed for an organisation subject"]},
                )
            sites = _sites_of(session, organisation_id, data.get("site_ids") or [])
            if not sites:
                raise InvalidInput(
                    Msg("an organisation subject includes at least one site"),
                    {"site_ids": ["at least one site"]},
                )
        subject = Subject(
            organisation_id=organisation_id,
            name=data["name"],
            kind=kind.value,
            site_id=sites[0].id if kind is SubjectKind.SITE else None,
            description=data.get("description") or "",
            created_at=utcnow(),
        )
        subject.included_sites = sites
        session.add(subject)
        record(session, actor, "subject.create", subject, organisation_id=organisation_id)
        uow.commit()
        return _load_subject(session, organisation_id, subject.id)


def list_subjects(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[Subject]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        return list(
            uow.session.scalars(
                select(Subject)
                .where(Subject.organisation_id == organisation_id)
                .options(selectinload(Subject.included_sites), selectinload(Subject.exclusions))
                .order_by(Subject.id)
            )
        )


def get_subject(uow: UnitOfWork, actor: Actor, organisation_id: int, subject_id: int) -> Subject:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return _load_subject(uow.session, organisation_id, subject_id)


def update_subject(
    uow: UnitOfWork, actor: Actor, organisation_id: int, subject_id: int, changes: Mapping[str, Any]
) -> Subject:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    with uow:
        session = uow.session
        subject = _load_subject(session, organisation_id, subject_id)
        before = {**snapshot(subject), "site_ids": [s.id for s in subject.included_sites]}
        if "name" in changes and changes["name"] != subject.name:
            _unique_name(session, Subject, changes["name"], organisation_id=organisation_id)
            subject.name = changes["name"]
        if "description" in changes:
            subject.description = changes["description"] or ""
        if "site_ids" in changes:
            if subject.kind == SubjectKind.SITE:
                raise InvalidInput(
                    Msg("a site subject always covers its one site"),
                    {"site_ids": ["not changeable for a site subject"]},
                )
            sites = _sites_of(session, organisation_id, changes["site_ids"])
            if not sites:
                raise InvalidInput(Msg("an organisation subject includes at least one site"),
                                   {"site_ids": ["at least one site"]})
            subject.included_sites = sites
        uow.flush()
        entry = record(session, actor, "subject.update", subject, before=before,
                       organisation_id=organisation_id)
        entry.after = {**entry.after, "site_ids": [s.id for s in subject.included_sites]}
        uow.commit()
        return _load_subject(session, organisation_id, subject.id)


def add_exclusion(
    uow: UnitOfWork, actor: Actor, organisation_id: int, subject_id: int, data: Mapping[str, Any]
) -> SubjectExclusion:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    share = Decimal(data["estimated_share_percent"])
    check_exclusion_share(share)
    with uow:
        subject = get_subject_row(uow.session, organisation_id, subject_id)
        exclusion = SubjectExclusion(
            subject_id=subject.id,
            item=data["item"],
            reason=data["reason"],
            estimated_share_percent=share,
            created_at=utcnow(),
        )
        uow.session.add(exclusion)
        record(uow.session, actor, "subject_exclusion.create", exclusion,
               organisation_id=organisation_id)
        uow.commit()
        return exclusion


def remove_exclusion(
    uow: UnitOfWork, actor: Actor, organisation_id: int, subject_id: int, exclusion_id: int
) -> None:
    authorize(actor, Permission.MANAGE_ORGANISATION, organisation_id)
    with uow:
        subject = get_subject_row(uow.session, organisation_id, subject_id)
        exclusion = uow.session.get(SubjectExclusion, exclusion_id)
        if exclusion is None or exclusion.subject_id != subject.id:
            raise NotFound(Msg("exclusion {id} not found on subject {subject}", id=exclusion_id, subject=subject_id))
        record(uow.session, actor, "subject_exclusion.delete", exclusion,
               before=snapshot(exclusion), deleted=True, organisation_id=organisation_id)
        uow.session.delete(exclusion)
        uow.commit()
