"""API endpoints of the claims layer: what a period's figures and retirements add up to."""

from __future__ import annotations

from typing import Any

from neutrality.claims import services
from neutrality.claims.schemas import BalanceSchema, NeedsSchema
from neutrality.web.api import API_PREFIX, Blueprint
from neutrality.web.context import actor, uow

blp = Blueprint(
    "claims", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="The balance of an application period and what it still needs",
)


@blp.route("/periods/<int:period_id>/balance", methods=["GET"])
@blp.response(200, BalanceSchema)
def balance(organisation_id: int, period_id: int) -> Any:
    """The period's neutrality balance, from its inventory and the retirement ledger alone."""
    return services.period_balance(uow(), actor(), organisation_id, period_id)


@blp.route("/periods/<int:period_id>/needs", methods=["GET"])
@blp.response(200, NeedsSchema)
def needs(organisation_id: int, period_id: int) -> Any:
    """What the period still needs: MWh of EACs per market and tCO2e of credits (with all grid
    electricity covered by certificates: ``residual_basis``), and the retirement deadline."""
    return services.period_needs(uow(), actor(), organisation_id, period_id)
