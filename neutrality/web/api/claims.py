"""API endpoints of the claims layer: what a period's figures and retirements add up to."""

from __future__ import annotations

from typing import Any

from neutrality.claims import eligibility, readiness_service, services
from neutrality.claims.schemas import (
    BalanceSchema,
    FindingsQuerySchema,
    NeedsSchema,
    PeriodFindingsSchema,
    ReadinessSchema,
    RuleSetSchema,
)
from neutrality.clock import utcnow
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.web.api import API_PREFIX, Blueprint
from neutrality.web.context import actor, uow

rules_blp = Blueprint("rules", __name__, url_prefix=API_PREFIX, description="Rule sets of the standards")
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


@blp.route("/periods/<int:period_id>/findings", methods=["GET"])
@blp.arguments(FindingsQuerySchema, location="query")
@blp.response(200, PeriodFindingsSchema)
def findings(query: dict[str, Any], organisation_id: int, period_id: int) -> Any:
    """The period judged by the rules of its claim: every finding (pass, fail, not applicable)
    for each retirement in force and for the period, with its evidence and an explanation in
    English, 简体 and 繁體 (``outcome=fail`` lists only the failures, ``subject=retirement:12``
    only one retirement's); ``counts`` and ``blocking_count`` are of all the findings."""
    found = eligibility.period_findings(uow(), actor(), organisation_id, period_id, as_of=utcnow().date())
    return found.only(query["outcome"], query["subject"])


@blp.route("/periods/<int:period_id>/readiness", methods=["GET"])
@blp.response(200, ReadinessSchema)
def readiness(organisation_id: int, period_id: int) -> Any:
    """What is missing or failing before the period's declaration can be made, blocking items
    first: each with its figures (exact strings), the rules it comes from, a text and the action
    that fixes it in English, 简体 and 繁體, and an ``action`` code; ``ready`` when nothing blocks."""
    return readiness_service.period_readiness(uow(), actor(), organisation_id, period_id,
                                              as_of=utcnow().date())


@rules_blp.route("/rule-sets", methods=["GET"])
@rules_blp.response(200, RuleSetSchema(many=True))
def rule_sets() -> Any:
    """Every rule set shipped, each with its rules: standard, version, status, the dates it is in
    force, and for each rule its clause, check, parameters, severity and source."""
    return list(shipped_catalogue().sets)
