"""API endpoints for reduction targets, the output of periods and progress against a target."""

from __future__ import annotations

from typing import Any

from neutrality.pagination import Page, paginate_list
from neutrality.reductions import target_services as services
from neutrality.reductions.target_schemas import (
    OutputSchema,
    OutputSetSchema,
    ProgressSchema,
    TargetCreateSchema,
    TargetSchema,
)
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, page_of, paged
from neutrality.web.context import actor, uow

blp = Blueprint(
    "targets", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Reduction targets (absolute or intensity), the output of periods and progress",
)
TARGET = "/targets/<int:target_id>"


@blp.route("/targets", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(TargetSchema))
def list_targets(page: Page, organisation_id: int) -> Any:
    """The organisation's reduction targets, a page at a time."""
    return paged(paginate_list(services.list_targets(uow(), actor(), organisation_id), page))


@blp.route("/targets", methods=["POST"])
@blp.arguments(TargetCreateSchema)
@blp.response(201, TargetSchema)
def create_target(data: dict[str, Any], organisation_id: int) -> Any:
    """Set a target: R % less of the scopes' emissions (or intensity) from the base year to the target year."""
    return services.create_target(uow(), actor(), organisation_id, data)


@blp.route(TARGET, methods=["GET"])
@blp.response(200, TargetSchema)
def get_target(organisation_id: int, target_id: int) -> Any:
    """One reduction target of the organisation."""
    return services.get_target(uow(), actor(), organisation_id, target_id)


@blp.route(TARGET + "/progress", methods=["GET"])
@blp.response(200, ProgressSchema)
def target_progress(organisation_id: int, target_id: int) -> Any:
    """Each period with an inventory on the target's linear trajectory: actual, allowed, gap."""
    return services.target_progress(uow(), actor(), organisation_id, target_id)


@blp.route("/periods/<int:period_id>/output", methods=["PUT"])
@blp.arguments(OutputSetSchema)
@blp.response(200, OutputSchema)
def set_output(data: dict[str, Any], organisation_id: int, period_id: int) -> Any:
    """Record the period's output (the divisor of an intensity target), replacing the one before."""
    return services.record_output(uow(), actor(), organisation_id, period_id,
                                  quantity=data["quantity"], unit_code=data["unit"])
