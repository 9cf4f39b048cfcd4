"""API endpoints for commitments and their application periods."""

from __future__ import annotations

from typing import Any

from neutrality.commitments import services
from neutrality.commitments.schemas import (
    CommitmentCreateSchema,
    CommitmentSchema,
    CommitmentUpdateSchema,
    PeriodCreateSchema,
    PeriodGenerateSchema,
    PeriodSchema,
)
from neutrality.pagination import Page, paginate_list
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, page_of, paged
from neutrality.web.context import actor, uow

blp = Blueprint(
    "commitments", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Commitments (carbon neutrality management plans) and application periods",
)
COMMITMENT = "/commitments/<int:commitment_id>"


@blp.route("/commitments", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(CommitmentSchema))
def list_commitments(page: Page, organisation_id: int) -> Any:
    """The organisation's carbon-neutrality commitments, a page at a time."""
    return paged(paginate_list(services.list_commitments(uow(), actor(), organisation_id), page))


@blp.route("/commitments", methods=["POST"])
@blp.arguments(CommitmentCreateSchema)
@blp.response(201, CommitmentSchema)
def create_commitment(data: dict[str, Any], organisation_id: int) -> Any:
    """Commit a subject to carbon neutrality under ISO 14068-1 or PAS 2060, with its plan."""
    return services.create_commitment(uow(), actor(), organisation_id, data)


@blp.route(COMMITMENT, methods=["GET"])
@blp.response(200, CommitmentSchema)
def get_commitment(organisation_id: int, commitment_id: int) -> Any:
    """One commitment of the organisation."""
    return services.get_commitment(uow(), actor(), organisation_id, commitment_id)


@blp.route(COMMITMENT, methods=["PATCH"])
@blp.arguments(CommitmentUpdateSchema(partial=True))
@blp.response(200, CommitmentSchema)
def update_commitment(data: dict[str, Any], organisation_id: int, commitment_id: int) -> Any:
    """Update the plan; the dates that fix the periods freeze once a period exists."""
    return services.update_commitment(uow(), actor(), organisation_id, commitment_id, data)


@blp.route(COMMITMENT + "/periods", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(PeriodSchema))
def list_periods(page: Page, organisation_id: int, commitment_id: int) -> Any:
    """The periods of a commitment, a page at a time."""
    periods = services.list_periods(uow(), actor(), organisation_id, commitment_id)
    return paged(paginate_list(periods, page))


@blp.route(COMMITMENT + "/periods", methods=["POST"])
@blp.arguments(PeriodCreateSchema)
@blp.response(201, PeriodSchema)
def add_period(data: dict[str, Any], organisation_id: int, commitment_id: int) -> Any:
    """Append one period by its dates; it must continue the sequence with no gap or overlap."""
    return services.add_period(uow(), actor(), organisation_id, commitment_id, **data)


@blp.route(COMMITMENT + "/periods/generate", methods=["POST"])
@blp.arguments(PeriodGenerateSchema)
@blp.response(201, PeriodSchema(many=True))
def generate_periods(data: dict[str, Any], organisation_id: int, commitment_id: int) -> Any:
    """Append the next ``count`` periods, or enough to reach the date ``through``."""
    return services.generate(uow(), actor(), organisation_id, commitment_id, **data)


@blp.route(COMMITMENT + "/periods/<int:period_id>", methods=["DELETE"])
@blp.response(204)
def delete_period(organisation_id: int, commitment_id: int, period_id: int) -> None:
    """Remove the last period while it is still open."""
    services.delete_last_period(uow(), actor(), organisation_id, commitment_id, period_id)
