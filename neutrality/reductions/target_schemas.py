"""API schemas for reduction targets, the output of periods and progress (shape only: the
services decide what the values mean, a target year before its base year among them)."""

from __future__ import annotations

from marshmallow import fields, validate

from neutrality.reductions.targets import Scope2Basis, TargetKind, TargetTerm
from neutrality.schemas import PERCENT, TCO2E, Id, Said, StrictSchema, one_of, quantity

YEAR = validate.Range(min=1, max=9999)  # a year at all; the service keeps targets to 1990–2100
POSITIVE = validate.Range(min=0, max=10**15)


class TargetCreateSchema(StrictSchema):
    commitment_id = Id(load_default=None, allow_none=True,
                       metadata={"description": "follow this commitment's periods only (else the organisation's)"})
    kind = one_of(TargetKind, required=True)
    scopes = fields.List(fields.Integer(validate=validate.Range(min=1, max=3)), required=True,
                         validate=validate.Length(min=1, max=3), metadata={"example": [1, 2]})
    scope2_basis = one_of(Scope2Basis, load_default=None, allow_none=True)
    base_year = fields.Integer(required=True, validate=YEAR)
    base_value = quantity(required=True, validate=TCO2E,
                          metadata={"description": "tCO2e, or tCO2e per unit of output (intensity)"})
    target_year = fields.Integer(required=True, validate=YEAR)
    reduction_percent = quantity(required=True, validate=PERCENT)
    output_unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20))
    base_output = quantity(load_default=None, allow_none=True, validate=POSITIVE)
    term = one_of(TargetTerm, load_default=TargetTerm.NEAR_TERM.value,
                  metadata={"description": "near_term, or long_term for a net-zero commitment's long-term target"})
    set_on = fields.Date(load_default=None, allow_none=True,
                         metadata={"description": "the day the target was set or submitted for validation"})
    coverage_percent = quantity(load_default=None, allow_none=True, validate=PERCENT,
                                metadata={"description": "share of its scopes' emissions the target covers"})


class TargetSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    commitment_id = fields.Integer(allow_none=True)
    kind = fields.String()
    scopes = fields.List(fields.Integer(), attribute="scope_list")
    scope2_basis = fields.String(allow_none=True)
    base_year = fields.Integer()
    base_value = quantity()
    target_year = fields.Integer()
    reduction_percent = quantity()
    output_unit = fields.String(allow_none=True)
    base_output = quantity(allow_none=True)
    term = fields.String()
    set_on = fields.Date(allow_none=True)
    coverage_percent = quantity(allow_none=True)
    target_value = fields.Function(lambda t: str(t.value().target_value))
    created_at = fields.DateTime()


class OutputSetSchema(StrictSchema):
    quantity = quantity(required=True, validate=POSITIVE)
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={"example": "MWh"})


class OutputSchema(StrictSchema):
    period_id = fields.Integer()
    quantity = quantity()
    unit = fields.String()
    updated_at = fields.DateTime()


class PositionSchema(StrictSchema):
    period_id = fields.Integer()
    inventory_id = fields.Integer()
    period_ids = fields.List(fields.Integer(), metadata={
        "description": "an organisation's target: every period of the year added up (one per factory)"})
    inventory_ids = fields.List(fields.Integer())
    inventory_status = fields.String()
    year = fields.Integer()
    actual = quantity(attribute="position.actual")
    allowed = quantity(attribute="position.allowed")
    gap = quantity(attribute="position.gap", metadata={"description": "actual − allowed: above the line when > 0"})
    on_track = fields.Boolean(attribute="position.on_track")
    reduced_percent = quantity(attribute="position.reduced_percent", allow_none=True)
    tco2e = quantity(attribute="position.tco2e")
    absolute_reduced_percent = quantity(attribute="position.absolute_reduced_percent", allow_none=True)
    output = quantity(attribute="position.output", allow_none=True)
    output_change_percent = quantity(attribute="position.output_change_percent", allow_none=True)


class TrajectoryPointSchema(StrictSchema):
    year = fields.Integer()
    allowed = quantity()


class SourceChangeSchema(StrictSchema):
    source = fields.String(metadata={"description": "site · scope · name · kind of activity · factor"})
    site_id = fields.Integer(allow_none=True)
    scope = fields.Integer(allow_none=True)
    name = fields.String(metadata={"description": "the source as the user names it"})
    kind = fields.String(metadata={"description": "Scope 1 subtype or Scope 3 category · activity type · factor"})
    old_tco2e = quantity()
    new_tco2e = quantity()
    change = quantity()
    due_to_activity = quantity(metadata={"description": "(new activity − old activity) × old factor"})
    due_to_factor = quantity(metadata={"description": "new activity × (new factor − old factor)"})


class ChangeSchema(StrictSchema):
    from_year = fields.Integer()
    to_year = fields.Integer()
    change = quantity(metadata={"description": "tCO2e, later − earlier; due_to_activity + due_to_factor"})
    due_to_activity = quantity()
    due_to_factor = quantity()
    sources = fields.List(fields.Nested(SourceChangeSchema))


class BaseMoveSchema(StrictSchema):
    recalculated = fields.Boolean(metadata={"description": "the base value moved"})
    old_base_value = quantity()
    new_base_value = quantity()
    old_base_tco2e = quantity()
    new_base_tco2e = quantity()
    change_percent = quantity(metadata={"description": "the base year's change found by the check, signed"})
    explanation = Said()


class ProgressSchema(StrictSchema):
    target = fields.Nested(TargetSchema)
    periods = fields.List(fields.Nested(PositionSchema))
    missing_output = fields.List(fields.Integer(), metadata={"description": "periods of an intensity target "
                                                                            "with an inventory but no output"})
    without_figures = fields.List(fields.Integer(), metadata={"description": "periods whose inventory holds no "
                                                                              "record or total yet"})
    trajectory = fields.List(fields.Nested(TrajectoryPointSchema))
    base = fields.Nested(BaseMoveSchema, allow_none=True, metadata={
        "description": "the commitment's base-year check and what it did to the target; null when not checked"})
    changes = fields.List(fields.Nested(ChangeSchema), metadata={
        "description": "between consecutive periods whose inventories are calculated here: the change split "
                       "into activity and factor (a revised factor is not a reduction)"})
