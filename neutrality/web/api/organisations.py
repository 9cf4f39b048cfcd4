"""API endpoints for organisations, their consolidation approach, sites and subjects."""

from __future__ import annotations

from typing import Any

from neutrality.access.model import require_authenticated
from neutrality.organisations import services
from neutrality.organisations.schemas import (
    ConsolidationChangeCreateSchema,
    ConsolidationChangeSchema,
    ExclusionCreateSchema,
    ExclusionSchema,
    OrganisationCreateSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
    SiteCreateSchema,
    SiteSchema,
    SiteUpdateSchema,
    SubjectCreateSchema,
    SubjectSchema,
    SubjectUpdateSchema,
)
from neutrality.pagination import Page, paginate_list
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, page_of, paged
from neutrality.web.context import actor, uow

blp = Blueprint(
    "organisations", __name__, url_prefix=API_PREFIX + "/organisations",
    description="Organisations, consolidation approach, sites and claim subjects",
)
ORG = "/<int:organisation_id>"


@blp.route("", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(OrganisationSchema))
def list_organisations(page: Page) -> Any:
    """Organisations the caller has a role in (all of them for a site administrator)."""
    require_authenticated(actor())
    return paged(services.list_organisations(uow(), actor(), page))


@blp.route("", methods=["POST"])
@blp.arguments(OrganisationCreateSchema)
@blp.response(201, OrganisationSchema)
def create_organisation(data: dict[str, Any]) -> Any:
    """Create an organisation with its consolidation approach (site administrators)."""
    return services.create_organisation(uow(), actor(), data)


@blp.route(ORG, methods=["GET"])
@blp.response(200, OrganisationSchema)
def get_organisation(organisation_id: int) -> Any:
    """One organisation the caller is a member of."""
    return services.get_organisation(uow(), actor(), organisation_id)


@blp.route(ORG, methods=["PATCH"])
@blp.arguments(OrganisationUpdateSchema(partial=True))
@blp.response(200, OrganisationSchema)
def update_organisation(data: dict[str, Any], organisation_id: int) -> Any:
    """Change the organisation's particulars (not its consolidation approach)."""
    return services.update_organisation(uow(), actor(), organisation_id, data)


@blp.route(ORG + "/consolidation-approach", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ConsolidationChangeSchema))
def consolidation_history(page: Page, organisation_id: int) -> Any:
    """Every consolidation approach used, oldest first."""
    history = services.list_consolidation_history(uow(), actor(), organisation_id)
    return paged(paginate_list(history, page))


@blp.route(ORG + "/consolidation-approach", methods=["POST"])
@blp.arguments(ConsolidationChangeCreateSchema)
@blp.response(201, ConsolidationChangeSchema)
def change_consolidation_approach(data: dict[str, Any], organisation_id: int) -> Any:
    """Switch approach from a date, with a reason (forces a base-year recalculation)."""
    return services.change_consolidation_approach(uow(), actor(), organisation_id, **data)


@blp.route(ORG + "/sites", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(SiteSchema))
def list_sites(page: Page, organisation_id: int) -> Any:
    """The organisation's sites, a page at a time."""
    return paged(services.list_sites(uow(), actor(), organisation_id, page))


@blp.route(ORG + "/sites", methods=["POST"])
@blp.arguments(SiteCreateSchema)
@blp.response(201, SiteSchema)
def create_site(data: dict[str, Any], organisation_id: int) -> Any:
    """Add a factory; the grid region defaults from the province (e.g. CN-JS → CN-EAST)."""
    return services.create_site(uow(), actor(), organisation_id, data)


@blp.route(ORG + "/sites/<int:site_id>", methods=["GET"])
@blp.response(200, SiteSchema)
def get_site(organisation_id: int, site_id: int) -> Any:
    """One site of the organisation."""
    return services.get_site(uow(), actor(), organisation_id, site_id)


@blp.route(ORG + "/sites/<int:site_id>", methods=["PATCH"])
@blp.arguments(SiteUpdateSchema(partial=True))
@blp.response(200, SiteSchema)
def update_site(data: dict[str, Any], organisation_id: int, site_id: int) -> Any:
    """Change a site's name, address or other details."""
    return services.update_site(uow(), actor(), organisation_id, site_id, data)


@blp.route(ORG + "/subjects", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(SubjectSchema))
def list_subjects(page: Page, organisation_id: int) -> Any:
    """The subjects of the organisation's claims (the organisation, a site, a product), a page at
    a time."""
    return paged(paginate_list(services.list_subjects(uow(), actor(), organisation_id), page))


@blp.route(ORG + "/subjects", methods=["POST"])
@blp.arguments(SubjectCreateSchema)
@blp.response(201, SubjectSchema)
def create_subject(data: dict[str, Any], organisation_id: int) -> Any:
    """A claim subject: one site, or the organisation over the sites it includes."""
    return services.create_subject(uow(), actor(), organisation_id, data)


@blp.route(ORG + "/subjects/<int:subject_id>", methods=["GET"])
@blp.response(200, SubjectSchema)
def get_subject(organisation_id: int, subject_id: int) -> Any:
    """One subject of a claim, with its exclusions."""
    return services.get_subject(uow(), actor(), organisation_id, subject_id)


@blp.route(ORG + "/subjects/<int:subject_id>", methods=["PATCH"])
@blp.arguments(SubjectUpdateSchema(partial=True))
@blp.response(200, SubjectSchema)
def update_subject(data: dict[str, Any], organisation_id: int, subject_id: int) -> Any:
    """Change a subject of a claim."""
    return services.update_subject(uow(), actor(), organisation_id, subject_id, data)


@blp.route(ORG + "/subjects/<int:subject_id>/exclusions", methods=["POST"])
@blp.arguments(ExclusionCreateSchema)
@blp.response(201, ExclusionSchema)
def add_exclusion(data: dict[str, Any], organisation_id: int, subject_id: int) -> Any:
    """Exclude something from the subject's boundary, with a reason and its estimated share."""
    return services.add_exclusion(uow(), actor(), organisation_id, subject_id, data)


@blp.route(ORG + "/subjects/<int:subject_id>/exclusions/<int:exclusion_id>", methods=["DELETE"])
@blp.response(204)
def remove_exclusion(organisation_id: int, subject_id: int, exclusion_id: int) -> None:
    """Remove an exclusion from a subject's boundary."""
    services.remove_exclusion(uow(), actor(), organisation_id, subject_id, exclusion_id)
