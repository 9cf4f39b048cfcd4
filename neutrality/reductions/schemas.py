"""API schemas of the register of reduction measures: a measure given and answered, the
ranking weights, an evidence file. Shapes only; the service checks the meaning (scores 1–5,
efficiencies, charges, weights not all zero) and names the field."""

from __future__ import annotations

from marshmallow import fields, validate

from neutrality.reductions.changes import ChangeKind
from neutrality.reductions.measures import (
    SOURCE_MAX,
    TITLE_MAX,
    Horizon,
    MeasureCategory,
    MeasureStatus,
)
from neutrality.schemas import Id, Said, StrictSchema, Text, quantity

_COST = validate.Range(min=0, max=10**15)
_WEIGHT = validate.Range(min=0, max=10**6)


def _choice(enum: type, **kwargs: object) -> fields.String:
    # a string, listed in the document; the service says which values are known
    known = ", ".join(member.value for member in enum)
    return fields.String(validate=validate.Length(max=40), metadata={"description": f"one of: {known}"}, **kwargs)


class ScoresSchema(StrictSchema):
    """The six scores of seed 000 §3.4, each a whole number from 1 to 5."""

    feasibility = fields.Integer(required=True, strict=True)
    impact = fields.Integer(required=True, strict=True)
    cost_benefit = fields.Integer(required=True, strict=True)
    stakeholder_expectations = fields.Integer(required=True, strict=True)
    compliance = fields.Integer(required=True, strict=True)
    innovation = fields.Integer(required=True, strict=True)


_CHANGE = fields.Dict(
    keys=fields.String(validate=validate.Length(max=40)), values=fields.Raw(), allow_none=True,
    metadata={"description": (
        "what the measure changes, with its 'kind' (" + ", ".join(ChangeKind) + ") and that kind's "
        "fields: efficiency: energy_mwh, efficiency_before, efficiency_after, factor_t_per_mwh, "
        "factor_source; refrigerant_swap: charge_kg, refrigerant_before, refrigerant_after, "
        "leak_rate_percent; electricity_switch: energy_mwh, grid_factor_t_per_mwh, source, factor_source; "
        "fuel_switch: quantity_before, unit_before, factor_before, quantity_after, unit_after, "
        "factor_after. Numbers as decimal strings (or JSON numbers).")})


class MeasureUpdateSchema(StrictSchema):
    site_id = Id(allow_none=True, metadata={"description": "the site it acts on; null: the whole organisation"})
    title_en = Text(TITLE_MAX, blank=True)
    title_zh_hans = Text(TITLE_MAX, blank=True)
    title_zh_hant = Text(TITLE_MAX, blank=True)
    category = _choice(MeasureCategory)
    scope = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=3),
                           metadata={"description": "1, 2 or 3; default: the category's"})
    source = Text(SOURCE_MAX, blank=True, metadata={"description": "the inventory source it acts on"})
    status = _choice(MeasureStatus)
    horizon = _choice(Horizon)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    cost_amount = quantity(allow_none=True, validate=_COST)
    cost_currency = fields.String(allow_none=True, validate=validate.Length(max=3),
                                  metadata={"description": "ISO 4217, e.g. CNY"})
    scores = fields.Nested(ScoresSchema, allow_none=True)
    change = _CHANGE


class MeasureCreateSchema(MeasureUpdateSchema):
    category = _choice(MeasureCategory, required=True)


class CostSchema(StrictSchema):
    amount = quantity()
    currency = fields.String()


class ExpectedSchema(StrictSchema):
    """A year's expected reduction, exact, with its trail and the GWP set it used."""

    kind = fields.String()
    tco2e = quantity(metadata={"description": "exact; positive for a reduction"})
    mwh = quantity(allow_none=True)
    presented_tco2e = quantity(metadata={"description": "tCO2e to 3 decimals"})
    presented_mwh = quantity(allow_none=True)
    trail = fields.List(Said())
    basis = Said()


class EvidenceInSchema(StrictSchema):
    """An evidence file has no fields besides the file ('evidence')."""


class EvidenceSchema(StrictSchema):
    id = fields.Integer()
    measure_id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size_bytes = fields.Integer()
    recorded_at = fields.DateTime()
    recorded_by = fields.String()


class MeasureSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    title_en = fields.String()
    title_zh_hans = fields.String()
    title_zh_hant = fields.String()
    category = fields.String()
    scope = fields.Integer()
    source = fields.String()
    status = fields.String()
    horizon = fields.String()
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    cost = fields.Nested(CostSchema, allow_none=True)
    scores = fields.Nested(ScoresSchema, allow_none=True)
    score = quantity(allow_none=True, metadata={"description": "Σ weight × score (null: not rated)"})
    rank = fields.Integer(allow_none=True, metadata={"description": "1 is the best; equal scores share a rank"})
    change = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    expected = fields.Nested(ExpectedSchema, allow_none=True)
    gwp_set = fields.String(metadata={"description": "of the organisation's latest inventory (AR6 when none)"})
    evidence = fields.List(fields.Nested(EvidenceSchema))
    created_at = fields.DateTime()
    created_by = fields.String()
    updated_at = fields.DateTime()


class WeightsSchema(StrictSchema):
    """The weight of each criterion: numbers ≥ 0, not all zero (equal, 1 each, by default)."""

    feasibility = quantity(required=True, validate=_WEIGHT)
    impact = quantity(required=True, validate=_WEIGHT)
    cost_benefit = quantity(required=True, validate=_WEIGHT)
    stakeholder_expectations = quantity(required=True, validate=_WEIGHT)
    compliance = quantity(required=True, validate=_WEIGHT)
    innovation = quantity(required=True, validate=_WEIGHT)


class RegisterSchema(StrictSchema):
    """The organisation's measures: the rated ones by rank, then the others by title."""

    weights = fields.Nested(WeightsSchema)
    gwp_set = fields.String()
    measures = fields.List(fields.Nested(MeasureSchema))

