"""API schemas of the instrument registry (load schemas check shape; services check meaning)."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import ValidationError, fields, validate

from neutrality.registry.exports import KINDS
from neutrality.registry.model import BlockStatus, InstrumentKind, MitigationType
from neutrality.schemas import RowErrorSchema, StrictSchema, Text, one_of
from neutrality.schemas import quantity as decimal_field

_COUNT = validate.Range(min=1, max=10**15)


class SchemeSchema(StrictSchema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    unit = fields.String()
    registry = fields.String()
    serial_format = fields.String()
    unconfirmed = fields.Boolean(metadata={"description": "the serial layout is inferred, not published"})


class ProjectInSchema(StrictSchema):
    kind = one_of(InstrumentKind, required=True)
    source_registry = Text(40, required=True)
    registry_project_id = Text(60, required=True)
    name = Text(500, required=True)
    proponent = Text(300, blank=True, load_default="")
    country = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    region = Text(100, blank=True, load_default="")
    methodology = Text(200, blank=True, load_default="")
    project_type = Text(300, blank=True, load_default="")
    mitigation = one_of(MitigationType, load_default=MitigationType.UNKNOWN.value)
    crediting_period_start = fields.Date(load_default=None, allow_none=True)
    crediting_period_end = fields.Date(load_default=None, allow_none=True)
    labels = fields.Dict(keys=fields.String(validate=validate.Length(max=60)), load_default=dict)
    technology = Text(60, blank=True, load_default="")
    capacity_mw = decimal_field(load_default=None, allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    commissioning_date = fields.Date(load_default=None, allow_none=True)
    repowering_date = fields.Date(load_default=None, allow_none=True)
    grid_region = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    subsidised = fields.Boolean(load_default=None, allow_none=True)
    gec_tradable = fields.Boolean(load_default=None, allow_none=True)
    gec_project_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{17}$"))


class ProjectPatchSchema(StrictSchema):
    """What may change on a recorded project (its registry and id may not); absent fields stay."""

    name = Text(500)
    proponent = Text(300, blank=True)
    country = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    region = Text(100, blank=True)
    methodology = Text(200, blank=True)
    project_type = Text(300, blank=True)
    mitigation = one_of(MitigationType)
    crediting_period_start = fields.Date(allow_none=True)
    crediting_period_end = fields.Date(allow_none=True)
    labels = fields.Dict(keys=fields.String(validate=validate.Length(max=60)))
    technology = Text(60, blank=True)
    capacity_mw = decimal_field(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    commissioning_date = fields.Date(allow_none=True)
    repowering_date = fields.Date(allow_none=True)
    grid_region = fields.String(allow_none=True, validate=validate.Length(max=20))
    subsidised = fields.Boolean(allow_none=True)
    gec_tradable = fields.Boolean(allow_none=True)
    gec_project_code = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{17}$"))


class ProjectSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    source_registry = fields.String()
    registry_project_id = fields.String()
    name = fields.String()
    proponent = fields.String()
    country = fields.String(allow_none=True)
    region = fields.String()
    methodology = fields.String()
    project_type = fields.String()
    mitigation = fields.String()
    crediting_period_start = fields.Date(allow_none=True)
    crediting_period_end = fields.Date(allow_none=True)
    labels = fields.Dict()
    technology = fields.String()
    capacity_mw = decimal_field(allow_none=True)
    commissioning_date = fields.Date(allow_none=True)
    repowering_date = fields.Date(allow_none=True)
    grid_region = fields.String(allow_none=True)
    subsidised = fields.Boolean(allow_none=True)
    gec_tradable = fields.Boolean(allow_none=True)
    gec_project_code = fields.String(allow_none=True)
    extra = fields.Dict()


class BlockInSchema(StrictSchema):
    scheme = Text(10, required=True)
    serial = Text(300, required=True)
    quantity = fields.Integer(required=True, strict=True, validate=_COUNT)
    unit = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["tCO2e", "MWh"]))
    project_id = fields.Integer(required=True)
    account = Text(200, blank=True, load_default="")
    purchase_id = fields.Integer(load_default=None, allow_none=True)
    vintage_start = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "for serials that carry no vintage (I-REC, CCER): the production period's start"})
    vintage_end = fields.Date(load_default=None, allow_none=True)


class BlockSchema(StrictSchema):
    id = fields.Integer()
    scheme = fields.String()
    project_id = fields.Integer()
    issuance_key = fields.String()
    serial_start = fields.Integer()
    serial_end = fields.Integer()
    quantity = fields.Integer()
    vintage_start = fields.Date(allow_none=True)
    vintage_end = fields.Date(allow_none=True)
    status = fields.String()
    account = fields.String()
    raw_serial = fields.String()
    details = fields.Dict(metadata={"description": "decoded serial parts and the registry's fields"})
    split_from_id = fields.Integer(allow_none=True)
    purchase_id = fields.Integer(allow_none=True)
    import_id = fields.Integer(allow_none=True)


class BlockQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    scheme = fields.String(load_default=None)
    status = one_of(BlockStatus, load_default=None)
    project_id = fields.Integer(load_default=None)


class SplitSchema(StrictSchema):
    quantity = fields.Integer(required=True, strict=True, validate=_COUNT)


class SplitResultSchema(StrictSchema):
    part = fields.Nested(BlockSchema)
    remainder = fields.Nested(BlockSchema)


class StatusChangeSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(
        [BlockStatus.HELD.value, BlockStatus.RESERVED.value, BlockStatus.CANCELLED.value,
         BlockStatus.TRANSFERRED_OUT.value]))
    reason = Text(1000, required=True)


class PurchaseFormSchema(StrictSchema):
    """The form fields of a purchase (the invoice comes as the file field 'invoice')."""

    scheme = Text(10, required=True)
    supplier = Text(300, required=True)
    contract_reference = Text(200, required=True)
    contract_date = fields.Date(required=True)
    quantity = fields.Integer(required=True, validate=_COUNT)
    unit_price = decimal_field(required=True, validate=validate.Range(min=0))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{3}$"))
    delivery_account = Text(200, required=True)
    note = Text(2000, blank=True, load_default="")
    block_ids = fields.String(load_default="", metadata={"description": "comma-separated block ids delivered"})


class PurchaseSchema(StrictSchema):
    id = fields.Integer()
    scheme = fields.String()
    supplier = fields.String()
    contract_reference = fields.String()
    contract_date = fields.Date()
    quantity = fields.Integer()
    unit_price = decimal_field()
    currency = fields.String()
    delivery_account = fields.String()
    note = fields.String()
    invoice_filename = fields.String()
    invoice_sha256 = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


class MappingField(fields.Field):
    """A column mapping sent as a JSON text in a form field: {"their header": "our field"}."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str] | None:
        if value in (None, ""):
            return None
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"not JSON: {exc.msg}") from None
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise ValidationError('give an object of texts: {"their header": "our field"}')
        return mapping


class RegistryImportFormSchema(StrictSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    mapping = MappingField(load_default=None)
    encoding = fields.String(load_default=None, validate=validate.OneOf(["utf-8", "utf-8-sig", "gb18030", "gbk", "big5"]))
    dry_run = fields.Boolean(load_default=False)
    account = Text(200, blank=True, load_default="")
    purchase_id = fields.Integer(load_default=None)


class RegistryImportOutcomeSchema(StrictSchema):
    status = fields.String()
    import_id = fields.Integer(allow_none=True)
    kind = fields.String(allow_none=True)
    filename = fields.String()
    sha256 = fields.String()
    blocks = fields.Integer()
    projects = fields.Integer()
    quantity_by_scheme = fields.Dict(keys=fields.String(), values=fields.Integer())
    errors = fields.List(fields.Nested(RowErrorSchema))


class RegistryImportSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    encoding = fields.String()
    block_count = fields.Integer()
    project_count = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String()


class HoldingsQuerySchema(StrictSchema):
    by = fields.String(load_default="scheme", metadata={
        "description": "comma-separated: scheme, vintage, project, country, technology, status, account"})
    status = fields.String(load_default="held,reserved", metadata={"description": "comma-separated statuses"})


class HoldingLineSchema(StrictSchema):
    key = fields.Dict()
    unit = fields.String()
    quantity = fields.Integer()
    blocks = fields.Integer()
    cost = fields.Dict(keys=fields.String(), values=decimal_field())
    units_without_price = fields.Integer()


class MarketNeedSchema(StrictSchema):
    market = fields.String()
    electricity_mwh = decimal_field()
    eac_retired_mwh = decimal_field()
    eac_needed_mwh = decimal_field()
    eac_held_mwh = decimal_field()
    eac_to_buy_mwh = decimal_field()


class CreditNeedSchema(StrictSchema):
    gross_location_tco2e = decimal_field()
    gross_market_tco2e = decimal_field()
    residual_tco2e = decimal_field()
    retired_tco2e = decimal_field()
    needed_tco2e = decimal_field()
    held_tco2e = decimal_field()
    to_buy_tco2e = decimal_field()


class NeedsSchema(StrictSchema):
    period_id = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    standard = fields.String()
    retirement_deadline = fields.Date(allow_none=True)
    deadline_rule = fields.String()
    inventory_id = fields.Integer(allow_none=True)
    inventory_status = fields.String(allow_none=True)
    markets = fields.List(fields.Nested(MarketNeedSchema))
    credits = fields.Nested(CreditNeedSchema, allow_none=True)
    note = fields.String()


class RetireFormSchema(StrictSchema):
    """The form fields of a retirement (the registry's evidence comes as the file 'evidence')."""

    period_id = fields.Integer(required=True)
    block_id = fields.Integer(required=True)
    quantity = fields.Integer(load_default=None, validate=_COUNT, metadata={
        "description": "the first units of the block; the whole block when left out"})
    beneficiary_text = Text(500, required=True, metadata={"description": "the beneficiary as the registry shows it"})
    purpose = Text(2000, required=True, metadata={"description": "naming the subject and the period"})
    reason = Text(2000, blank=True, load_default="")
    retired_on = fields.Date(required=True, metadata={"description": "the date on the registry's evidence"})
    registry_reference = Text(200, required=True)
    registry_link = Text(500, blank=True, load_default="")


class RetirementSchema(StrictSchema):
    id = fields.Integer()
    period_id = fields.Integer()
    subject_id = fields.Integer()
    kind = fields.String()
    reverses_id = fields.Integer(allow_none=True)
    block_id = fields.Integer()
    scheme = fields.String()
    issuance_key = fields.String()
    serial_start = fields.Integer()
    serial_end = fields.Integer()
    quantity = fields.Integer()
    unit = fields.String()
    market = fields.String(allow_none=True)
    beneficiary_organisation_id = fields.Integer()
    beneficiary_text = fields.String()
    purpose = fields.String()
    reason = fields.String()
    retired_on = fields.Date()
    registry_reference = fields.String()
    registry_link = fields.String()
    evidence_filename = fields.String()
    evidence_sha256 = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


class ReversalSchema(StrictSchema):
    reason = Text(2000, required=True)


class RetirementQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    period_id = fields.Integer(load_default=None)
