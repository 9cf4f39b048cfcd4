"""API schemas for organisations, sites and subjects."""

from __future__ import annotations

from marshmallow import fields, validate

from neutrality.organisations.model import ConsolidationApproach, NatureOfEnterprise, SubjectKind
from neutrality.schemas import PERCENT, Id, StrictSchema, Text, one_of, quantity

_COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="an ISO 3166-1 alpha-2 code such as CN")


class OrganisationUpdateSchema(StrictSchema):
    name = Text(200)
    legal_name = Text(300)
    english_name = Text(300, allow_none=True)
    aliases = fields.List(Text(300), validate=validate.Length(max=20), metadata={
        "description": "other names registries record the organisation under (retirement beneficiaries)"})
    unified_social_credit_code = fields.String(allow_none=True, validate=validate.Length(equal=18))
    nature_of_enterprise = one_of(NatureOfEnterprise)
    legal_representative = Text(200)
    registered_address = Text(500)
    production_address = Text(500)
    industry_category = Text(200)
    industry_code = Text(20, allow_none=True)
    contact_person = Text(200)
    contact_phone = Text(50, allow_none=True)
    contact_email = fields.Email(allow_none=True)
    country = fields.String(validate=_COUNTRY)


class OrganisationCreateSchema(OrganisationUpdateSchema):
    name = Text(200, required=True)
    legal_name = Text(300, required=True)
    nature_of_enterprise = one_of(NatureOfEnterprise, required=True)
    legal_representative = Text(200, required=True)
    registered_address = Text(500, required=True)
    production_address = Text(500, required=True)
    industry_category = Text(200, required=True)
    contact_person = Text(200, required=True)
    country = fields.String(required=True, validate=_COUNTRY)
    # Exactly one approach: a single value, never a list.
    consolidation_approach = one_of(ConsolidationApproach, required=True)
    consolidation_justification = Text(2000, required=True)
    consolidation_effective_from = fields.Date(load_default=None)
    lead_email = fields.Email(load_default=None)


class OrganisationSchema(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    legal_name = fields.String()
    english_name = fields.String(allow_none=True)
    aliases = fields.List(fields.String())
    unified_social_credit_code = fields.String(allow_none=True)
    nature_of_enterprise = fields.String()
    legal_representative = fields.String()
    registered_address = fields.String()
    production_address = fields.String()
    industry_category = fields.String()
    industry_code = fields.String(allow_none=True)
    contact_person = fields.String()
    contact_phone = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    country = fields.String()
    consolidation_approach = fields.String()
    consolidation_justification = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ConsolidationChangeCreateSchema(StrictSchema):
    approach = one_of(ConsolidationApproach, required=True)
    justification = Text(2000, required=True)
    effective_from = fields.Date(required=True)
    reason = Text(2000, required=True)


class ConsolidationChangeSchema(StrictSchema):
    id = fields.Integer()
    approach = fields.String()
    justification = fields.String()
    effective_from = fields.Date()
    reason = fields.String()
    recorded_at = fields.DateTime()
    recorded_by = fields.String()


class SiteUpdateSchema(StrictSchema):
    name = Text(200)
    country = fields.String(validate=_COUNTRY)
    region = fields.String(allow_none=True, validate=validate.Length(max=10))
    grid_region = fields.String(allow_none=True, validate=validate.Length(max=40))
    address = Text(500)
    description = Text(5000, blank=True, allow_none=True)


class SiteCreateSchema(SiteUpdateSchema):
    name = Text(200, required=True)
    country = fields.String(required=True, validate=_COUNTRY)
    address = Text(500, required=True)


class SiteSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    name = fields.String()
    country = fields.String()
    region = fields.String(allow_none=True)
    grid_region = fields.String(allow_none=True)
    address = fields.String()
    description = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ExclusionCreateSchema(StrictSchema):
    item = Text(300, required=True)
    reason = Text(2000, required=True)
    estimated_share_percent = quantity(required=True, validate=PERCENT)


class ExclusionSchema(StrictSchema):
    id = fields.Integer()
    item = fields.String()
    reason = fields.String()
    estimated_share_percent = quantity()
    created_at = fields.DateTime()


class SubjectCreateSchema(StrictSchema):
    name = Text(200, required=True)
    kind = one_of(SubjectKind, required=True)
    site_id = Id(load_default=None, allow_none=True)
    site_ids = fields.List(Id(), load_default=None)
    description = Text(5000, blank=True, load_default="")


class SubjectUpdateSchema(StrictSchema):
    name = Text(200)
    site_ids = fields.List(Id())
    description = Text(5000, blank=True, allow_none=True)


class SubjectSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    site_id = fields.Integer(allow_none=True)
    site_ids = fields.Function(lambda s: [site.id for site in s.included_sites])
    description = fields.String()
    exclusions = fields.List(fields.Nested(ExclusionSchema))
    created_at = fields.DateTime()
