"""API endpoint for a period's achieved reductions, read from its inventories."""

from __future__ import annotations

from typing import Any

from neutrality.reductions import achieved_services as services
from neutrality.reductions.achieved_schemas import PeriodReductionsSchema
from neutrality.web.api import API_PREFIX, Blueprint
from neutrality.web.context import actor, uow

blp = Blueprint(
    "achieved", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Achieved reductions of a period, against the previous period and the base year",
)


@blp.route("/periods/<int:period_id>/reductions", methods=["GET"])
@blp.response(200, PeriodReductionsSchema)
def period_reductions(organisation_id: int, period_id: int) -> Any:
    """The period's inventory against the previous period's and the base year's: the change per
    scope, site and source split into activity and factor (only the activity part is an achieved
    reduction), Scope 2 on both bases, and each measure's expected and achieved reduction."""
    return services.period_reductions(uow(), actor(), organisation_id, period_id)
