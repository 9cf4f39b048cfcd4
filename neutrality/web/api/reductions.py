"""API endpoints of the register of reduction measures: measures (ranked), the organisation's
ranking weights and a measure's evidence files."""

from __future__ import annotations

from typing import Any

from neutrality.reductions import services
from neutrality.reductions.schemas import (
    EvidenceInSchema,
    EvidenceSchema,
    MeasureCreateSchema,
    MeasureSchema,
    MeasureUpdateSchema,
    RegisterSchema,
    WeightsSchema,
)
from neutrality.web.api import API_PREFIX, Blueprint, multipart
from neutrality.web.context import actor, uow
from neutrality.web.uploads import uploaded_file

blp = Blueprint(
    "reductions", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Reduction measures: the register, its ranking and the expected reductions",
)
MEASURE = "/measures/<int:measure_id>"


@blp.route("/measures", methods=["GET"])
@blp.response(200, RegisterSchema)
def list_measures(organisation_id: int) -> Any:
    """The organisation's measures, ranked by its weights (the unrated ones last), each with its
    expected reduction in the GWP set of the latest inventory."""
    return services.list_measures(uow(), actor(), organisation_id)


@blp.route("/measures", methods=["POST"])
@blp.arguments(MeasureCreateSchema)
@blp.response(201, MeasureSchema)
def create_measure(data: dict[str, Any], organisation_id: int) -> Any:
    """Add a measure; its change (e.g. a pump's efficiency 0.70 → 0.85 on 200 MWh) gives its
    expected reduction."""
    return services.create_measure(uow(), actor(), organisation_id, data)


@blp.route(MEASURE, methods=["GET"])
@blp.response(200, MeasureSchema)
def get_measure(organisation_id: int, measure_id: int) -> Any:
    """One measure, with its rank, expected reduction and evidence files."""
    return services.get_measure(uow(), actor(), organisation_id, measure_id)


@blp.route(MEASURE, methods=["PATCH"])
@blp.arguments(MeasureUpdateSchema(partial=True))
@blp.response(200, MeasureSchema)
def update_measure(data: dict[str, Any], organisation_id: int, measure_id: int) -> Any:
    """Change a measure (its status, dates, scores, change…); the whole measure is checked again."""
    return services.update_measure(uow(), actor(), organisation_id, measure_id, data)


@blp.route("/measure-weights", methods=["PUT"])
@blp.arguments(WeightsSchema)
@blp.response(200, WeightsSchema)
def set_weights(data: dict[str, Any], organisation_id: int) -> Any:
    """The weights of the six criteria the measures are ranked by (each ≥ 0, not all zero)."""
    return services.set_weights(uow(), actor(), organisation_id, data)


@blp.route(MEASURE + "/evidence", methods=["POST"])
@blp.response(201, EvidenceSchema)
@blp.doc(requestBody=multipart(EvidenceInSchema, "evidence"))
def add_evidence(organisation_id: int, measure_id: int) -> Any:
    """Keep a file that shows the measure (multipart: 'evidence'), with its SHA-256."""
    content, filename = uploaded_file("evidence")
    return services.add_evidence(uow(), actor(), organisation_id, measure_id, content=content, filename=filename)
