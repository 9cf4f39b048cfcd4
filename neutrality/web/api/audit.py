"""API endpoints for reading an organisation's audit log and checking its hash chain."""

from __future__ import annotations

from typing import Any

from neutrality.audit import services
from neutrality.audit.schemas import AuditEntrySchema, OrganisationChainSchema
from neutrality.pagination import Page
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, page_of, paged
from neutrality.web.context import actor, uow

blp = Blueprint("audit", __name__, url_prefix=API_PREFIX, description="Audit log")


@blp.route("/organisations/<int:organisation_id>/audit", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(AuditEntrySchema))
def list_entries(page: Page, organisation_id: int) -> Any:
    """Audit entries of an organisation, newest first (leads and verifiers)."""
    return paged(services.list_entries(uow(), actor(), organisation_id, page))


@blp.route("/organisations/<int:organisation_id>/audit/chain", methods=["GET"])
@blp.response(200, OrganisationChainSchema)
def check_chain(organisation_id: int) -> Any:
    """Whether the log's hash chain holds up to the organisation's last entry (leads and
    verifiers). The whole chain is walked; only the organisation's own entries are named, and a
    break in an entry of no concern to it is shown by its first entry after the break."""
    return services.verify_organisation_chain(uow(), actor(), organisation_id)
