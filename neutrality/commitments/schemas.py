"""API schemas for commitments and application periods."""

from __future__ import annotations

from marshmallow import fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from neutrality.commitments.model import STANDARD_TITLES, Standard
from neutrality.messages import Msg
from neutrality.schemas import PERCENT, TCO2E, Id, StrictSchema, Text, one_of, quantity

#: Credit schemes a commitment may plan to use (the registry context knows them in detail).
CREDIT_TYPES = ("CCER", "VCU", "CER", "GS_VER", "ACC")
#: Frameworks a commitment's claims may also be judged by: the rule sets of these keys (the
#: zero-carbon factory guidance follows ``zero_carbon_factory``).
FRAMEWORKS = ("sbti-near-term", "sbti-net-zero", "re100")


class ReductionTargetSchema(StrictSchema):
    scopes = fields.String(required=True, validate=validate.OneOf(["1", "2", "3", "1+2", "1+2+3"]))
    kind = fields.String(load_default="absolute", validate=validate.OneOf(["absolute", "intensity"]))
    base_year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    target_year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    reduction_percent = quantity(required=True, validate=PERCENT)
    description = Text(2000, blank=True, load_default="")


class CommitmentUpdateSchema(StrictSchema):
    standard = one_of(Standard)
    zero_carbon_factory = fields.Boolean()
    statement = Text(5000)
    baseline_date = fields.Date()
    first_qualification_date = fields.Date()
    period_length_months = fields.Integer(validate=validate.Range(min=1, max=60))
    first_period_includes_historic_reductions = fields.Boolean()
    neutrality_deadline = fields.Date(allow_none=True)
    commitment_until = fields.Date(allow_none=True)
    reduction_targets = fields.List(fields.Nested(ReductionTargetSchema))
    planned_measures = fields.List(Text(1000), validate=validate.Length(max=200))
    offset_strategy = Text(5000, blank=True, allow_none=True)
    estimated_offset_tco2e = quantity(allow_none=True, validate=TCO2E)
    intended_credit_types = fields.List(fields.String(validate=validate.OneOf(CREDIT_TYPES)))
    frameworks = fields.List(fields.String(validate=validate.OneOf(FRAMEWORKS)), validate=validate.Length(max=10),
                             metadata={"description": "further rule sets the claims are judged by"})


class CommitmentCreateSchema(CommitmentUpdateSchema):
    subject_id = Id(required=True)
    standard = one_of(Standard, required=True)
    statement = Text(5000, required=True)
    baseline_date = fields.Date(required=True)
    first_qualification_date = fields.Date(required=True)
    period_length_months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=60))


class CommitmentSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    subject_id = fields.Integer()
    standard = fields.String()
    standard_title = fields.Function(lambda c: STANDARD_TITLES[Standard(c.standard)])
    zero_carbon_factory = fields.Boolean()
    statement = fields.String()
    baseline_date = fields.Date()
    first_qualification_date = fields.Date()
    period_length_months = fields.Integer()
    first_period_includes_historic_reductions = fields.Boolean()
    neutrality_deadline = fields.Date(allow_none=True)
    commitment_until = fields.Date(allow_none=True)
    reduction_targets = fields.List(fields.Nested(ReductionTargetSchema))
    planned_measures = fields.List(fields.String())
    offset_strategy = fields.String()
    estimated_offset_tco2e = quantity(allow_none=True)
    intended_credit_types = fields.List(fields.String())
    frameworks = fields.List(fields.String())
    period_count = fields.Function(lambda c: len(c.periods))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PeriodCreateSchema(StrictSchema):
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)


class PeriodGenerateSchema(StrictSchema):
    count = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))
    through = fields.Date(load_default=None)

    @validates_schema(skip_on_field_errors=True)
    def one_of_count_or_through(self, data: dict, **_: object) -> None:
        if (data.get("count") is None) == (data.get("through") is None):
            raise ValidationError(Msg("give either count or through"), "_schema")


class PeriodSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    commitment_id = fields.Integer()
    sequence = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    status = fields.String()
    includes_historic_reductions = fields.Boolean()
    created_at = fields.DateTime()
