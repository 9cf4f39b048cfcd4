"""API schemas of the instrument registry (load schemas check shape; services check meaning)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from neutrality.messages import Msg
from neutrality.presentation import COUNT, MONEY, QUANTITY, TONNES
from neutrality.registry.exports import KINDS
from neutrality.registry.model import (
    SETTABLE_STATUSES,
    BlockStatus,
    ContestOutcome,
    ContestStatus,
    InstrumentKind,
    MitigationType,
)
from neutrality.schemas import (
    Display,
    Id,
    PagedQuerySchema,
    RowErrorSchema,
    Said,
    StrictSchema,
    Text,
    id_list,
    json_text,
    one_of,
)
from neutrality.schemas import quantity as decimal_field
from neutrality.spreadsheets import OFFERED_ENCODINGS

_COUNT = validate.Range(min=1, max=10**15)

#: A plant, not a fleet: the largest in the world (Three Gorges) has 22,500 MW.
_CAPACITY_MW = validate.Range(min=0, max=100_000, min_inclusive=False)
#: A price per unit in the purchase's currency: a thousand million is no price of one credit or
#: certificate, even in a currency of ten thousand to the dollar.
_PRICE = validate.Range(min=0, max=10**9)
#: Tolerance of a plan, in units; a block holds at most 10**15 of them.
_TOLERANCE = validate.Range(min=0, max=10**12)


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
    technology = Text(60, blank=True, load_default="", metadata={"description": "the technology's code (wind_onshore, wind_offshore, wind_offshore_deep_sea, solar_pv, csp, hydro, biomass…) or its name as a registry writes it (光伏, 海上风电, Solar PV…), stored as the code"})
    capacity_mw = decimal_field(load_default=None, allow_none=True, validate=_CAPACITY_MW)
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
    technology = Text(60, blank=True, metadata={"description": "the technology's code (wind_onshore, wind_offshore, wind_offshore_deep_sea, solar_pv, csp, hydro, biomass…) or its name as a registry writes it (光伏, 海上风电, Solar PV…), stored as the code"})
    capacity_mw = decimal_field(allow_none=True, validate=_CAPACITY_MW)
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
    technology = fields.String(metadata={"description": "the technology's code, or as written when it is none of them"})
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
    project_id = Id(required=True)
    account = Text(200, blank=True, load_default="")
    purchase_id = Id(load_default=None, allow_none=True)
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


class BlockQuerySchema(PagedQuerySchema):
    scheme = fields.String(load_default=None)
    status = one_of(BlockStatus, load_default=None)
    project_id = Id(load_default=None)
    serial = Text(300, blank=True, load_default=None, metadata={
        "description": "a serial number or range as the registry writes it: the blocks whose range holds it "
                       "(read by the layout of `scheme`, or of every scheme whose layout reads it)"})


class SplitSchema(StrictSchema):
    quantity = fields.Integer(required=True, strict=True, validate=_COUNT)


class SplitResultSchema(StrictSchema):
    part = fields.Nested(BlockSchema)
    remainder = fields.Nested(BlockSchema)


class StatusChangeSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in SETTABLE_STATUSES]))
    reason = Text(1000, required=True)


class PurchaseFormSchema(StrictSchema):
    """The form fields of a purchase (the invoice comes as the file field 'invoice')."""

    scheme = Text(10, required=True)
    supplier = Text(300, required=True)
    contract_reference = Text(200, required=True)
    contract_date = fields.Date(required=True)
    quantity = fields.Integer(required=True, validate=_COUNT)
    unit_price = decimal_field(required=True, validate=_PRICE)
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{3}$"))
    delivery_account = Text(200, required=True)
    note = Text(2000, blank=True, load_default="")
    block_ids = id_list(load_default=list,
                        metadata={"description": "comma-separated block ids delivered"})


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
        mapping = json_text(value)
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise ValidationError(Msg("give an object of texts: {example}", example='{"their header": "our field"}'))
        return mapping


class _CommaSeparated(fields.String):
    """Texts given as one form field, separated by commas (or semicolons), blanks dropped."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[str, ...]:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 4000:
            raise ValidationError(Msg("Give at most 4,000 characters."))
        return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class RegistryImportFormSchema(StrictSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    mapping = MappingField(load_default=None)
    encoding = fields.String(load_default=None, validate=validate.OneOf(OFFERED_ENCODINGS))
    dry_run = fields.Boolean(load_default=False)
    account = Text(200, blank=True, load_default="")
    purchase_id = Id(load_default=None)
    project_ids = _CommaSeparated(load_default=(), metadata={"description": (
        "The registry ids of the organisation's projects, comma-separated: only their rows are "
        "read. Needed to take holdings from a registry's public listing.")})


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
    contested = fields.Integer(metadata={
        "description": "blocks on units another organisation holds: stored contested, for a site "
                       "administrator to decide"})
    skipped = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "rows not read on purpose, by what they are (Gold Standard PER rows, rows of "
                       "projects the import did not name) → how many"})


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
    display = Display(quantity=COUNT, blocks=COUNT, cost=MONEY, units_without_price=COUNT)


class _RetirementFieldsSchema(StrictSchema):
    """What a registry's evidence says of a retirement, shared by every line of a plan."""

    beneficiary_text = Text(500, required=True, metadata={"description": "the beneficiary as the registry shows it"})
    purpose = Text(2000, required=True, metadata={"description": "naming the subject and the period"})
    reason = Text(2000, blank=True, load_default="")
    retired_on = fields.Date(required=True, metadata={"description": "the date on the registry's evidence"})
    registry_reference = Text(200, required=True)
    registry_link = Text(500, blank=True, load_default="")
    despite_rules = Text(2000, blank=True, load_default="", metadata={
        "description": "why to record it although a blocking rule of the claim refuses it (the registry "
                       "retirement has happened): it stays in the ledger and the claim does not count it"})


class RetireFormSchema(_RetirementFieldsSchema):
    """The form fields of a retirement (the registry's evidence comes as the file 'evidence')."""

    period_id = Id(required=True)
    block_id = Id(required=True)
    quantity = fields.Integer(load_default=None, validate=_COUNT, metadata={
        "description": "the first units of the block; the whole block when left out"})


class PlanLineInSchema(StrictSchema):
    block_id = Id(required=True)
    quantity = fields.Integer(load_default=None, validate=_COUNT, metadata={
        "description": "the first units of the block; the whole block when left out"})


class JsonListField(fields.Field):
    """A list of objects sent as a JSON text in a form field, each loaded through a schema."""

    def __init__(self, schema: type[StrictSchema], **kwargs: Any):
        super().__init__(**kwargs)
        self.schema = schema

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[dict[str, Any]]:
        items = json_text(value)
        if not isinstance(items, list):
            raise ValidationError(Msg("give a JSON list of objects"))
        return self.schema(many=True).load(items)


class PlanApplyFormSchema(_RetirementFieldsSchema):
    """The form fields that apply a plan (the registry's evidence comes as the file 'evidence')."""

    lines = JsonListField(PlanLineInSchema, required=True, metadata={
        "description": 'the plan\'s lines as JSON: [{"block_id": 17, "quantity": 300}, …]'})


class ReserveSchema(StrictSchema):
    lines = fields.List(fields.Nested(PlanLineInSchema), required=True, metadata={
        "description": "the plan's lines to set aside for the period"})


class ReservationSchema(StrictSchema):
    block_id = fields.Integer()
    period_id = fields.Integer()
    scheme = fields.String()
    serial_start = fields.Integer()
    serial_end = fields.Integer()
    quantity = fields.Integer()


class PlanQuerySchema(StrictSchema):
    policy = fields.String(load_default="oldest_vintage",
                           validate=validate.OneOf(["oldest_vintage", "cheapest", "project_preference"]))
    tolerance = fields.Integer(load_default=0, validate=_TOLERANCE, metadata={
        "description": "units a whole block may retire beyond the need rather than be split"})
    prefer = id_list(load_default=list, metadata={
        "description": "comma-separated project ids, most preferred first (policy project_preference)"})
    retire_on = fields.Date(load_default=None, metadata={
        "description": "the day the blocks would be retired, as the rules judge them (retirement "
                       "deadlines, vintages ended before retirement); default today"})


class PlanLineSchema(StrictSchema):
    block_id = fields.Integer()
    scheme = fields.String()
    quantity = fields.Integer()
    whole = fields.Boolean()
    block_quantity = fields.Integer()
    unit = fields.String()
    market = fields.String(allow_none=True)
    project_id = fields.Integer()
    vintage_start = fields.Date(allow_none=True)
    vintage_end = fields.Date(allow_none=True)
    unit_price = decimal_field(allow_none=True)
    currency = fields.String(allow_none=True)
    reserved = fields.Boolean(metadata={"description": "set aside for this period by an earlier reservation"})


class _ChoiceSchema(StrictSchema):
    need = decimal_field(metadata={"description": "exact, in the instruments' unit"})
    units_needed = fields.Integer(metadata={"description": "the need in whole units"})
    planned = fields.Integer()
    shortfall = fields.Integer()
    over = fields.Integer(metadata={"description": "units beyond the need, within the tolerance"})
    lines = fields.List(fields.Nested(PlanLineSchema))


class PlanMarketSchema(_ChoiceSchema):
    market = fields.String()
    electricity_mwh = decimal_field()
    retired_mwh = decimal_field()
    display = Display(electricity_mwh=QUANTITY, retired_mwh=QUANTITY, need=QUANTITY, units_needed=COUNT,
                      planned=COUNT, shortfall=COUNT, over=COUNT)


class PlanCreditsSchema(_ChoiceSchema):
    residual_tco2e = decimal_field(metadata={"description": "with the retired and planned EACs applied"})
    residual_basis = fields.String(metadata={
        "description": "certificates_retired_and_planned: a period's needs assume all grid electricity covered"})
    retired_tco2e = decimal_field()
    display = Display(residual_tco2e=TONNES, retired_tco2e=TONNES, need=TONNES, units_needed=COUNT,
                      planned=COUNT, shortfall=COUNT, over=COUNT)


class NotAcceptedSchema(StrictSchema):
    scheme = fields.String()
    reason = fields.String()
    blocks = fields.Integer()
    units = fields.Integer()
    block_ids = fields.List(fields.Integer(), metadata={"description": "the first 20"})
    vintage_from = fields.Date(allow_none=True, metadata={"description": "the earliest vintage start in the group"})
    vintage_to = fields.Date(allow_none=True, metadata={"description": "the latest vintage end in the group"})


class PlanSchema(StrictSchema):
    period_id = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    inventory_id = fields.Integer()
    inventory_status = fields.String()
    policy = fields.String()
    tolerance = fields.Integer()
    preference = fields.List(fields.Integer())
    retire_on = fields.Date(metadata={"description": "the day the rules judged the blocks as retired on"})
    electricity = fields.List(fields.Nested(PlanMarketSchema))
    credits = fields.Nested(PlanCreditsSchema)
    lines = fields.List(fields.Nested(PlanLineSchema), metadata={"description": "in the order they apply"})
    cost = fields.Dict(keys=fields.String(), values=decimal_field())
    units_without_price = fields.Integer()
    not_accepted = fields.List(fields.Nested(NotAcceptedSchema))
    display = Display(cost=MONEY, units_without_price=COUNT)


class RowListField(fields.Field):
    """Spreadsheet row numbers as a comma-separated text ("12, 14")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[int] | None:
        if value in (None, ""):
            return None
        try:
            rows = [int(part) for part in str(value).split(",") if part.strip()]
        except ValueError:
            raise ValidationError(Msg("give row numbers separated by commas, e.g. 12, 14")) from None
        if any(row < 2 for row in rows):
            raise ValidationError(Msg("row numbers start at 2 (row 1 is the header)"))
        return rows


class RetirementImportFormSchema(StrictSchema):
    period_id = Id(required=True)
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    mapping = MappingField(load_default=None)
    encoding = fields.String(load_default=None, validate=validate.OneOf(OFFERED_ENCODINGS))
    rows = RowListField(load_default=None, metadata={"description": "only these rows of the file"})
    dry_run = fields.Boolean(load_default=False)
    # the same limits as recording one retirement by hand (RetireFormSchema)
    despite_rules = Text(2000, blank=True, load_default="", metadata={
        "description": "why to record the rows a blocking rule of the claim refuses (the registry has "
                       "retired them): they stay in the ledger with the rules' findings and the claim does "
                       "not count them; without it, such a row rejects the file"})


class RuleTextSchema(StrictSchema):
    """One text in the three languages of the interface."""

    en = fields.String()
    zh_Hans = fields.String()
    zh_Hant = fields.String()


class RuleRefusalSchema(StrictSchema):
    rule_set = fields.String(metadata={"description": "key/version of the rule set"})
    rule_id = fields.String(metadata={"description": "ISO-21, PAS-44, CN-GEC-04…"})
    clause = fields.String()
    explanation = fields.Nested(RuleTextSchema, metadata={"description": "why the rule refuses the row"})


class RowMatchSchema(StrictSchema):
    row = fields.Integer()
    scheme = fields.String()
    serial = fields.String()
    quantity = fields.Integer()
    retired_on = fields.Date(allow_none=True)
    beneficiary = fields.String()
    outcome = fields.String(metadata={"description": "recorded (to be, in a preview) or already_recorded"})
    blocks = fields.List(fields.Integer())
    retirement_ids = fields.List(fields.Integer())
    refusals = fields.List(fields.Nested(RuleRefusalSchema), metadata={
        "description": "the blocking rules of the claim that refuse the row (none: the rules accept it)"})


class RetirementImportOutcomeSchema(StrictSchema):
    status = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    kind = fields.String()
    period_id = fields.Integer()
    import_id = fields.Integer(allow_none=True)
    rows_read = fields.Integer()
    retired_rows = fields.Integer()
    recorded = fields.Integer()
    refused_by_rules = fields.Integer(metadata={
        "description": "rows to record that a blocking rule of the claim refuses (their refusals in rows)"})
    recorded_despite_rules = fields.List(fields.Integer(), metadata={
        "description": "the rows recorded (in a preview: to be recorded) despite the rules, with despite_rules"})
    rows = fields.List(fields.Nested(RowMatchSchema), metadata={
        "description": "the retired rows on units the organisation holds: recorded or already recorded"})
    not_held = fields.Integer(metadata={"description": "retired rows on units the organisation never held"})
    not_held_rows = fields.List(fields.Integer(), metadata={"description": "the first 50 of them"})


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
    import_id = fields.Integer(allow_none=True)
    block_status_before = fields.String(metadata={"description": "restored by a reversal"})
    exclusion_reason = fields.String(metadata={
        "description": "why it was recorded although a blocking rule refuses it (empty: the rules accept it)"})
    findings = fields.List(fields.Dict(), allow_none=True, metadata={
        "description": "the blocking findings when it was recorded"})
    created_at = fields.DateTime()
    created_by = fields.String()


class ReversalSchema(StrictSchema):
    reason = Text(2000, required=True)


class RetirementQuerySchema(PagedQuerySchema):
    period_id = Id(load_default=None)


class ReconcileFormSchema(StrictSchema):
    period_id = Id(load_default=None, metadata={"description": "only this period's retirements"})
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    encoding = fields.String(load_default=None, validate=validate.OneOf(OFFERED_ENCODINGS))


class RetirementReconciliationSummarySchema(StrictSchema):
    entries_checked = fields.Integer(metadata={"description": "our retirements in force compared"})
    registry_rows = fields.Integer()
    registry_retired_rows = fields.Integer()
    entries_matched = fields.Integer(metadata={"description": "shown retired at the registry exactly as recorded"})
    unrelated_rows = fields.Integer(metadata={"description": "others' retirements in a public export"})
    rows_for_other_periods = fields.Integer()
    mismatches = fields.Integer()
    mismatches_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class RetirementMismatchSchema(StrictSchema):
    kind = fields.String(metadata={"description": (
        "missing_at_registry, quantity_differs, beneficiary_mismatch, after_deadline, date_differs, "
        "overlaps_another_organisation or not_recorded_here")})
    sentence = Said()
    retirement_id = fields.Integer(allow_none=True)
    registry_row = fields.Integer(allow_none=True)
    scheme = fields.String()
    issuance_key = fields.String()
    serial_start = fields.Integer()
    serial_end = fields.Integer()
    quantity = fields.Integer()
    details = fields.Dict()


class RetirementReconciliationSchema(StrictSchema):
    organisation_id = fields.Integer()
    period_id = fields.Integer(allow_none=True)
    filename = fields.String()
    sha256 = fields.String()
    kind = fields.String()
    encoding = fields.String()
    claimant_names = fields.List(fields.String())
    summary = fields.Nested(RetirementReconciliationSummarySchema)
    mismatches = fields.List(fields.Nested(RetirementMismatchSchema))


# --- contests over serials (site administrators) ---------------------------------------------


class ContestPurchaseSchema(StrictSchema):
    id = fields.Integer()
    supplier = fields.String()
    contract_reference = fields.String()
    contract_date = fields.Date()
    delivery_account = fields.String()
    invoice_filename = fields.String()
    invoice_sha256 = fields.String()


class ContestImportSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    created_at = fields.DateTime()


class ContestBlockSchema(StrictSchema):
    id = fields.Integer()
    scheme = fields.String()
    raw_serial = fields.String()
    issuance_key = fields.String()
    serial_start = fields.Integer()
    serial_end = fields.Integer()
    quantity = fields.Integer()
    status = fields.String()
    account = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


class ContestSideSchema(StrictSchema):
    organisation_id = fields.Integer()
    organisation_name = fields.String()
    block = fields.Nested(ContestBlockSchema,
                          metadata={"description": "the block as it now stands"})
    purchase = fields.Nested(ContestPurchaseSchema, allow_none=True, metadata={
        "description": "the purchase that delivered the block, if recorded"})
    registry_import = fields.Nested(ContestImportSchema, allow_none=True, metadata={
        "description": "the registry file the block was read from"})
    retirement_ids = fields.List(fields.Integer(), metadata={
        "description": "the organisation's retirements in force on the units in dispute"})


class ContestSchema(StrictSchema):
    id = fields.Integer(attribute="contest.id")
    status = fields.String(attribute="contest.status")
    claimed_status = fields.String(attribute="contest.claimed_status", metadata={
        "description": "what the claimant's block becomes if the claimant keeps the units"})
    opened_at = fields.DateTime(attribute="contest.opened_at")
    opened_by = fields.String(attribute="contest.opened_by")
    claimant = fields.Nested(ContestSideSchema)
    holders = fields.List(fields.Nested(ContestSideSchema), metadata={
        "description": "other organisations' blocks on the units (once resolved, also those made "
                       "void)"})
    outcome = fields.String(attribute="contest.outcome", allow_none=True)
    reason = fields.String(attribute="contest.reason")
    evidence_filename = fields.String(attribute="contest.evidence_filename", allow_none=True)
    evidence_sha256 = fields.String(attribute="contest.evidence_sha256", allow_none=True)
    resolved_at = fields.DateTime(attribute="contest.resolved_at", allow_none=True)
    resolved_by = fields.String(attribute="contest.resolved_by", allow_none=True)


class ContestQuerySchema(PagedQuerySchema):
    status = one_of(ContestStatus, load_default=None)


class ResolutionFormSchema(StrictSchema):
    """The form fields of a resolution (the evidence comes as the file 'evidence')."""

    keep = one_of(ContestOutcome, required=True, metadata={
        "description": "claimant: the contested block's organisation keeps the units and the "
                       "holders' are void; holders: the contested block is void"})
    reason = Text(2000, required=True, metadata={
        "description": "kept with the contest, which the claimant's audit log shows: name no other "
                       "organisation"})
