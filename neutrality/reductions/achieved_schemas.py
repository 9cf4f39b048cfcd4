"""API schemas for a period's achieved reductions (dump only: every figure an exact decimal string)."""

from __future__ import annotations

from marshmallow import fields

from neutrality.presentation import TONNES
from neutrality.reductions.schemas import ExpectedSchema
from neutrality.reductions.target_schemas import SourceChangeSchema
from neutrality.schemas import Display, Said, StrictSchema, quantity


class AchievedFiguresSchema(StrictSchema):
    old_tco2e = quantity()
    new_tco2e = quantity()
    change = quantity(metadata={"description": "tCO2e, later − earlier; due_to_activity + due_to_factor"})
    due_to_activity = quantity(allow_none=True, metadata={
        "description": "(new activity − old activity) × old factor; null: totals only, not split"})
    due_to_factor = quantity(allow_none=True, metadata={"description": "new activity × (new factor − old factor)"})
    reduction = quantity(metadata={"description": "−change: positive when emissions fell"})
    achieved_reduction = quantity(allow_none=True, metadata={
        "description": "−due_to_activity: the reduction achieved (a factor's revision is not one)"})
    factor_reduction = quantity(allow_none=True, metadata={
        "description": "−due_to_factor: what the factors moved, shown apart"})
    display = Display(**dict.fromkeys(("old_tco2e", "new_tco2e", "change", "due_to_activity", "due_to_factor",
                                       "reduction", "achieved_reduction", "factor_reduction"), TONNES))


class AchievedLineSchema(StrictSchema):
    scope = fields.Integer(allow_none=True)
    site_id = fields.Integer(allow_none=True)
    name = fields.String(metadata={"description": "the source as the user names it (by_source only)"})
    figures = fields.Nested(AchievedFiguresSchema)


class AchievedComparisonSchema(StrictSchema):
    basis = fields.String(metadata={"description": "location (every scope) or market (Scope 2)"})
    split = fields.Boolean(metadata={"description": "false: totals by scope only (an inventory made elsewhere)"})
    total = fields.Nested(AchievedFiguresSchema)
    by_scope = fields.List(fields.Nested(AchievedLineSchema))
    by_site = fields.List(fields.Nested(AchievedLineSchema))
    by_source = fields.List(fields.Nested(AchievedLineSchema))
    sources = fields.List(fields.Nested(SourceChangeSchema))


class AchievedAttributionSchema(StrictSchema):
    measure_id = fields.Integer()
    acts = fields.Boolean(metadata={"description": "done or in progress, ended between the two periods' starts"})
    sources = fields.List(fields.String())
    achieved_reduction = quantity(allow_none=True, metadata={
        "description": "−due_to_activity of the sources only this measure acts on (location-based)"})
    shared_reduction = quantity(allow_none=True, metadata={
        "description": "of the sources it shares with shared_with: counted once in attributed_reduction"})
    shared_with = fields.List(fields.Integer())
    factor_reduction = quantity(allow_none=True)
    market_achieved_reduction = quantity(allow_none=True)
    note = Said(allow_none=True)


class AchievedResultSchema(StrictSchema):
    location = fields.Nested(AchievedComparisonSchema)
    scope2_market = fields.Nested(AchievedComparisonSchema)
    measures = fields.List(fields.Nested(AchievedAttributionSchema))
    attributed_reduction = quantity(allow_none=True, metadata={"description": "to measures, each source once"})
    unattributed_reduction = quantity(allow_none=True, metadata={
        "description": "the achieved reduction no measure acts on"})


class AchievedAgainstSchema(StrictSchema):
    from_period_id = fields.Integer()
    from_year = fields.Integer()
    from_inventory_id = fields.Integer()
    to_period_id = fields.Integer()
    to_year = fields.Integer()
    to_inventory_id = fields.Integer()
    result = fields.Nested(AchievedResultSchema)
    notes = fields.List(Said())


class MeasureAchievedSchema(StrictSchema):
    measure_id = fields.Integer()
    title_en = fields.String(attribute="row.title_en")
    title_zh_hans = fields.String(attribute="row.title_zh_hans")
    title_zh_hant = fields.String(attribute="row.title_zh_hant")
    status = fields.String(attribute="row.status")
    scope = fields.Integer(attribute="row.scope")
    site_id = fields.Integer(attribute="row.site_id", allow_none=True)
    source = fields.String(attribute="row.source")
    end_date = fields.Date(attribute="row.end_date", allow_none=True)
    expected = fields.Nested(ExpectedSchema, allow_none=True, metadata={
        "description": "a year's, from the register (null while its change is not stated)"})
    gwp_set = fields.String()
    against_previous = fields.Nested(AchievedAttributionSchema, allow_none=True)
    against_base_year = fields.Nested(AchievedAttributionSchema, allow_none=True)


class AchievedSiteSchema(StrictSchema):
    id = fields.Function(lambda site: site[0])
    name = fields.Function(lambda site: site[1])


class PeriodReductionsSchema(StrictSchema):
    organisation_id = fields.Integer()
    period_id = fields.Integer()
    year = fields.Integer()
    inventory_id = fields.Integer()
    inventory_status = fields.String()
    against_previous = fields.Nested(AchievedAgainstSchema, allow_none=True)
    against_base_year = fields.Nested(AchievedAgainstSchema, allow_none=True)
    measures = fields.List(fields.Nested(MeasureAchievedSchema))
    notes = fields.List(Said())
    sites = fields.List(fields.Nested(AchievedSiteSchema), metadata={"description": "the organisation's, by id"})
