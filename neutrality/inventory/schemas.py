"""API schemas of the GHG inventory."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import INCLUDE, ValidationError, fields, validate

from neutrality.errors import InvalidInput
from neutrality.inventory.importing import ColumnMapping
from neutrality.inventory.metering import DEFAULT_TOLERANCE_PERCENT
from neutrality.inventory.model import (
    ActivityType,
    CalculationMethod,
    DataQualityTier,
    FactorKind,
    Scope1Subtype,
    UncertaintyBasis,
)
from neutrality.inventory.status import AssuranceLevel, CompletenessStatus, InventoryOrigin
from neutrality.inventory.transport import Control, Direction, Payer
from neutrality.messages import Msg
from neutrality.presentation import COUNT, QUANTITY, TONNES
from neutrality.presentation import PERCENT as PERCENTAGE
from neutrality.schemas import (
    PERCENT,
    TCO2E,
    Display,
    Id,
    PagedQuerySchema,
    RowErrorSchema,
    Said,
    StrictSchema,
    Text,
    json_text,
    one_of,
)
from neutrality.schemas import quantity as decimal_field
from neutrality.spreadsheets import MAX_QUANTITY, OFFERED_ENCODINGS

_PERCENT = validate.Range(min=0, max=100, min_inclusive=False, max_inclusive=False)
#: An activity's quantity in its own unit, as a file import reads it.
_ACTIVITY_QUANTITY = validate.Range(min=0, max=int(MAX_QUANTITY))
#: Mass of a gas per unit of activity: even grams per terajoule of a fuel stay below 10**8.
_FACTOR = validate.Range(min=0, max=10**9)
#: Net calorific value, energy per unit of fuel: even joules per kilogram stay below 10**8.
_NCV = validate.Range(min=0, max=10**9, min_inclusive=False)
#: A factor's ± %: as an activity record's (ActivityInSchema), 0 to 1000.
_UNCERTAINTY = validate.Range(min=0, max=1000)


class InventoryCreateSchema(StrictSchema):
    period_id = Id(required=True)
    gwp_set = fields.String(load_default="AR6", validate=validate.OneOf(["AR4", "AR5", "AR6"]))
    origin = one_of(InventoryOrigin, load_default=InventoryOrigin.CALCULATED.value)
    significance_threshold_percent = decimal_field(load_default=Decimal(5), validate=_PERCENT)
    materiality_threshold_percent = decimal_field(load_default=Decimal(1), validate=_PERCENT)


class InventoryQuerySchema(PagedQuerySchema):
    period_id = Id(load_default=None, metadata={"description": "only this period's inventories"})


class InventorySchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    period_id = fields.Integer()
    version = fields.Integer()
    status = fields.String()
    origin = fields.String()
    gwp_set = fields.String()
    factor_library_version = fields.String()
    reason = fields.String()
    significance_threshold_percent = decimal_field()
    materiality_threshold_percent = decimal_field()
    frozen_sha256 = fields.String(allow_none=True)
    activity_count = fields.Integer(metadata={"description": "How many activity records it holds."})
    created_at = fields.DateTime()
    created_by = fields.String()
    verified_at = fields.DateTime(allow_none=True)


class NewVersionSchema(StrictSchema):
    reason = Text(2000, required=True)


class ActivityInSchema(StrictSchema):
    site_id = Id(required=True)
    source = Text(300, required=True)
    scope = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf([1, 2, 3]), metadata={
        "description": "required, except for a transport leg whose ownership (with direction and payer as "
                       "needed) lets the classifier decide it"})
    scope1_subtype = one_of(Scope1Subtype, load_default=None, allow_none=True,
                            metadata={"example": Scope1Subtype.STATIONARY_COMBUSTION.value})
    scope3_category = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 15))
    iso_category = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 6))
    activity_type = one_of(ActivityType, required=True)
    quantity = decimal_field(required=True, validate=_ACTIVITY_QUANTITY, metadata={"example": "10000"})
    unit = Text(20, required=True, metadata={"example": "m3"})
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    factor_key = Text(120, load_default=None, allow_none=True)
    gas = Text(30, load_default=None, allow_none=True)
    method = one_of(CalculationMethod, load_default=CalculationMethod.ACTIVITY_BASED.value)
    data_quality = one_of(DataQualityTier, load_default=DataQualityTier.ESTIMATED.value)
    uncertainty_percent = decimal_field(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1000))
    evidence = Text(500, blank=True, load_default="")
    # transport legs, as a file gives them: who pays the freight and who controls the vehicle
    # decide its scope and category (seed 002), checked by the importer's one classifier
    payer = one_of(Payer, load_default=None, allow_none=True, metadata={
        "description": "transport: who pays the freight (reporter, supplier, customer, other)"})
    ownership = one_of(Control, load_default=None, allow_none=True, metadata={
        "description": "transport: who controls the vehicle (owned, leased, third_party)"})
    direction = one_of(Direction, load_default=None, allow_none=True, metadata={
        "description": "transport: inbound (purchased goods to the company), outbound (sold goods to "
                       "customers) or internal (between the company's sites)"})
    weight = decimal_field(load_default=None, allow_none=True,
                           validate=validate.Range(min=0, max=1_000_000_000, min_inclusive=False),
                           metadata={"description": "transport in km: the weight carried"})
    weight_unit = Text(20, load_default=None, allow_none=True)


class ActivityBatchSchema(StrictSchema):
    activities = fields.List(fields.Nested(ActivityInSchema), required=True,
                             validate=validate.Length(min=1, max=10_000))


class ActivitySchema(StrictSchema):
    id = fields.Integer()
    inventory_id = fields.Integer()
    site_id = fields.Integer()
    import_id = fields.Integer()
    source = fields.String()
    scope = fields.Integer()
    scope1_subtype = fields.String(allow_none=True)
    scope3_category = fields.Integer(allow_none=True)
    iso_category = fields.Integer()
    activity_type = fields.String()
    quantity = decimal_field()
    unit = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    factor_key = fields.String(allow_none=True)
    gas = fields.String(allow_none=True)
    method = fields.String()
    data_quality = fields.String()
    uncertainty_percent = decimal_field(allow_none=True)
    evidence = fields.String()
    fingerprint = fields.String()
    extra = fields.Dict(allow_none=True, metadata={
        "description": "transport: payer, ownership, direction, weight, weight_unit, distance"})
    source_row = fields.Integer(allow_none=True, metadata={
        "description": "the row of its import file it was read from (none when sent as JSON)"})


class CompletenessInSchema(StrictSchema):
    scope = fields.Integer(required=True, validate=validate.OneOf([1, 2, 3]))
    category = Text(100, required=True)
    status = one_of(CompletenessStatus, required=True)
    estimated_share_percent = decimal_field(load_default=None, allow_none=True, validate=PERCENT)
    reason = Text(2000, blank=True, load_default="")


class CompletenessSchema(StrictSchema):
    id = fields.Integer()
    scope = fields.Integer()
    category = fields.String()
    status = fields.String()
    estimated_share_percent = decimal_field(allow_none=True)
    reason = fields.String()


class ExternalTotalInSchema(StrictSchema):
    scope = fields.Integer(required=True, validate=validate.OneOf([1, 2, 3]))
    category = fields.Integer(load_default=0, validate=validate.Range(0, 15))
    gas = Text(30, required=True)
    basis = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["location", "market", "none"]))
    tco2e = decimal_field(required=True, validate=TCO2E)


class ExternalTotalsSchema(StrictSchema):
    totals = fields.List(fields.Nested(ExternalTotalInSchema), required=True, validate=validate.Length(min=1, max=500))


class ExternalTotalSchema(StrictSchema):
    id = fields.Integer()
    scope = fields.Integer()
    category = fields.Integer()
    gas = fields.String()
    basis = fields.String()
    tco2e = decimal_field()


class VerificationInSchema(StrictSchema):
    """Form fields sent with the statement file (multipart/form-data)."""

    body = Text(300, required=True)
    accreditation = Text(300, required=True)
    standard = Text(100, load_default="ISO 14064-3:2019")
    assurance_level = one_of(AssuranceLevel, required=True)
    materiality_percent = decimal_field(required=True, validate=validate.Range(min=0, max=100, min_inclusive=False))
    opinion = Text(5000, required=True)
    verified_on = fields.Date(required=True)


class VerificationSchema(StrictSchema):
    id = fields.Integer()
    inventory_id = fields.Integer()
    body = fields.String()
    accreditation = fields.String()
    standard = fields.String()
    assurance_level = fields.String()
    materiality_percent = decimal_field()
    opinion = fields.String()
    verified_on = fields.Date()
    statement_filename = fields.String()
    statement_sha256 = fields.String()
    recorded_at = fields.DateTime()
    recorded_by = fields.String()
    is_external = fields.Boolean()
    #: "claimed" (recorded by the organisation) until the appointed verifier confirms it
    state = fields.String(metadata={"enum": ["claimed", "confirmed"]})
    confirmed_by = fields.Integer(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)


class MappingField(fields.Field):
    """A column mapping sent as a JSON object in a form field: {"their header": "our field"}."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> ColumnMapping | None:
        if value in (None, ""):
            return None
        raw = json_text(value)
        if not isinstance(raw, dict) or set(raw) - {"columns", "fixed", "sheet"}:
            raise ValidationError(Msg("the mapping is a JSON object {example}",
                                      example='{"columns": {...}, "fixed": {...}, "sheet": "..."}'))
        try:
            return ColumnMapping(columns=raw.get("columns") or {}, fixed=raw.get("fixed") or {},
                                 sheet=raw.get("sheet"))
        except InvalidInput as exc:
            raise ValidationError(exc.details.get("mapping") or exc.message) from None


class ImportFormSchema(StrictSchema):
    mapping = MappingField(load_default=None)
    encoding = fields.String(load_default=None, validate=validate.OneOf(OFFERED_ENCODINGS))
    dry_run = fields.Boolean(load_default=False)
    overlap = fields.String(load_default="refuse", validate=validate.OneOf(["refuse", "supersede", "add"]),
                            metadata={"description": (
                                "rows covering what earlier files hold (same source, site, activity type, factor and "
                                "data quality for days in common, or the same evidence reference): refuse them "
                                "(default), supersede the earlier rows, or add them as meant")})
    save_mapping = fields.Boolean(load_default=True, metadata={"description": (
        "save the mapping sent with the file for the organisation and the file's layout (its header row), "
        "once the file is stored: the next file of that layout is read with it without sending it; "
        "false to use it once")})


class ImportSchema(StrictSchema):
    """A batch of records: a file (with its SHA-256) or records sent as JSON (kind "api")."""

    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    sha256 = fields.String(allow_none=True)
    encoding = fields.String()
    row_count = fields.Integer()
    copied_from_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()


class PreviewTotalSchema(StrictSchema):
    scope = fields.Integer()
    activity_type = fields.String()
    unit = fields.String()
    rows = fields.Integer()
    quantity = decimal_field()
    display = Display(rows=COUNT, quantity=QUANTITY)


class PreviewRowSchema(StrictSchema):
    row = fields.Integer()
    site = fields.String()
    source = fields.String()
    scope = fields.Integer()
    scope1_subtype = fields.String(allow_none=True)
    scope3_category = fields.Integer(allow_none=True)
    activity_type = fields.String()
    quantity = decimal_field()
    unit = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    factor_key = fields.String(allow_none=True)
    extra = fields.Dict(allow_none=True, metadata={
        "description": "transport: payer, ownership, direction, weight, weight_unit"})


class SkippedRowSchema(StrictSchema):
    row = fields.Integer()
    reason = Said()


class PreviewSchema(StrictSchema):
    row_count = fields.Integer()
    sample = fields.List(fields.Nested(PreviewRowSchema))
    totals = fields.List(fields.Nested(PreviewTotalSchema))
    errors = fields.List(fields.Nested(RowErrorSchema))
    skipped = fields.List(fields.Nested(SkippedRowSchema), metadata={
        "description": "rows that are not activities and were passed over: a title above the "
                       "header, a help row, a totals row (合计/總計), a note below the data"})


class EstimateSchema(StrictSchema):
    rows = fields.Dict(keys=fields.String(), values=decimal_field(), metadata={
        "description": "tCO2e of each previewed row, by spreadsheet row (electricity location-based)"})
    location_by_scope = fields.Dict(keys=fields.String(), values=decimal_field())
    market_by_scope = fields.Dict(keys=fields.String(), values=decimal_field())
    location_tco2e = decimal_field()
    market_tco2e = decimal_field()
    display = Display(rows=TONNES, location_by_scope=TONNES, market_by_scope=TONNES,
                      location_tco2e=TONNES, market_tco2e=TONNES)


class MappingUseSchema(StrictSchema):
    """Which column mapping read the file."""

    source = fields.String(validate=validate.OneOf(["given", "saved", "none"]), metadata={
        "description": "given: sent with the file; saved: the organisation's mapping for the file's layout; "
                       "none: the file's headers are known without one"})
    id = fields.Integer(allow_none=True, metadata={
        "description": "the saved mapping used, or the one the given mapping was saved as (none in a dry run)"})
    saved_at = fields.DateTime(allow_none=True)


class ImportOutcomeSchema(StrictSchema):
    status = fields.String()
    import_id = fields.Integer(allow_none=True)
    filename = fields.String()
    sha256 = fields.String()
    encoding = fields.String(allow_none=True)
    row_count = fields.Integer()
    preview = fields.Nested(PreviewSchema, allow_none=True)
    estimate = fields.Nested(EstimateSchema, allow_none=True, metadata={
        "description": "(dry run) what the rows would add to the inventory's figures, exact"})
    mapping = fields.Nested(MappingUseSchema, allow_none=True, metadata={
        "description": "which column mapping read the file (null when it was imported before and not read again)"})


class SavedMappingSchema(StrictSchema):
    """A column mapping saved for one file layout of the organisation."""

    id = fields.Integer()
    header = fields.List(fields.String(), metadata={
        "description": "the header row of the file it was given with, as written: the layout it reads"})
    sheet = fields.String(allow_none=True)
    columns = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    fixed = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.DateTime()
    created_by = fields.String()
    last_used_at = fields.DateTime()


class MeteringQuerySchema(PagedQuerySchema):
    tolerance_percent = decimal_field(load_default=DEFAULT_TOLERANCE_PERCENT, validate=_PERCENT, metadata={
        "description": "how far (%) an invoice may differ from the meters before it is flagged"})


class ReconciliationSchema(StrictSchema):
    """An invoice against the meter readings over its days, in the invoice's unit."""

    invoice_id = fields.Integer()
    site_id = fields.Integer()
    activity_type = fields.String()
    factor_key = fields.String(allow_none=True)
    gas = fields.String(allow_none=True)
    unit = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    invoice_quantity = decimal_field()
    metered_quantity = decimal_field(metadata={"description": "each meter record shared out by days"})
    difference = decimal_field()
    difference_percent = decimal_field(allow_none=True)
    meter_ids = fields.List(fields.Integer())
    unmetered_days = fields.Integer()
    superseded = fields.Boolean(metadata={"description": "every day metered: the invoice is not counted"})
    within_tolerance = fields.Boolean(allow_none=True)
    finding = Said()
    display = Display(invoice_quantity=QUANTITY, metered_quantity=QUANTITY, difference=QUANTITY,
                      difference_percent=PERCENTAGE)


class TrailSchema(StrictSchema):
    activity_id = fields.Integer()
    counted = fields.Boolean(metadata={"description": "false for an invoice that meter readings supersede"})
    superseded_by = fields.List(fields.Integer(), metadata={"description": "the meter records that do"})
    metering_finding = Said(allow_none=True)
    factor_key = fields.String(allow_none=True)
    iso_category = fields.Integer()
    location_tco2e = fields.String()
    market_tco2e = fields.String()
    steps = fields.List(fields.String())


class IncalculableSchema(StrictSchema):
    reason = Said()
    record_ids = fields.List(fields.Integer())
    files = fields.List(fields.String(), metadata={"description": "the files they were imported from"})
    rows = fields.List(Said(), metadata={
        "description": "file and spreadsheet row of each record read from a file (the first 20)"})


def _tco2e_by(what: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=decimal_field(), metadata={"description": f"tCO2e by {what}"})


class GasTotalSchema(StrictSchema):
    mass_t = decimal_field(metadata={"description": "tonnes of the gas (absent for an inventory made elsewhere)"})
    tco2e = decimal_field()
    display = Display(mass_t=TONNES, tco2e=TONNES)


class TotalsSchema(StrictSchema):
    """The totals of one basis (location- or market-based Scope 2), exact."""

    tco2e = decimal_field()
    by_scope = _tco2e_by("scope (1, 2, 3)")
    by_scope3_category = _tco2e_by("Scope 3 category (1 to 15)")
    by_gas = fields.Dict(keys=fields.String(), values=fields.Nested(GasTotalSchema))
    by_site = _tco2e_by("site id")
    by_iso_category = _tco2e_by("ISO 14064-1 category (1 to 6)")
    display = Display(tco2e=TONNES, by_scope=TONNES, by_scope3_category=TONNES, by_site=TONNES,
                      by_iso_category=TONNES)


class SiteMarketSchema(StrictSchema):
    """Market-based Scope 2 of one site."""

    site_id = fields.Integer()
    site_name = fields.String(allow_none=True)
    consumption_mwh = decimal_field()
    supplier_specific_mwh = decimal_field()
    covered_mwh = decimal_field()
    excess_mwh = decimal_field()
    uncovered_mwh = decimal_field()
    residual_factor_key = fields.String(allow_none=True)
    tco2e = decimal_field()
    display = Display(consumption_mwh=QUANTITY, supplier_specific_mwh=QUANTITY, covered_mwh=QUANTITY,
                      excess_mwh=QUANTITY, uncovered_mwh=QUANTITY, tco2e=TONNES)


class UncertaintySchema(StrictSchema):
    """Combined ± of the location-based total and of each scope (error propagation: a source's
    activity and factor ± as a product, sources summed by their absolute ±, a factor's error
    common to all its records), with what it rests on. A verified inventory answers with the
    block it froze: one frozen before factors carried an uncertainty has ``percent`` and
    ``records_without_uncertainty`` only."""

    percent = decimal_field(allow_none=True)
    by_scope = fields.Dict(keys=fields.String(), values=decimal_field(allow_none=True), metadata={
        "description": "the combined ± % of each scope's location-based emissions"})
    method = fields.String(metadata={"description": "error_propagation (seed 000 §4.7; IPCC 2006 Vol. 1 ch. 3)"})
    records_stated = fields.Integer(metadata={"description": "records whose activity ± is the one they state"})
    records_tier_default = fields.Integer(metadata={
        "description": "records stating no ±: their data-quality tier's default applies"})
    records_without_uncertainty = fields.Integer(metadata={
        "description": "records whose factor states no ± (its part is left out)"})
    factors_published = fields.Integer(metadata={"description": "factors used whose ± is published"})
    factors_expert_judgement = fields.Integer(metadata={
        "description": "factors used (and gases released directly) whose ± is expert judgement"})
    factors_without_uncertainty = fields.Integer(metadata={"description": "factors used that state no ±"})
    note = fields.String()
    display = Display(percent=PERCENTAGE, by_scope=PERCENTAGE, records_stated=COUNT, records_tier_default=COUNT,
                      records_without_uncertainty=COUNT, factors_published=COUNT,
                      factors_expert_judgement=COUNT, factors_without_uncertainty=COUNT)


class MeteringSummarySchema(StrictSchema):
    """Invoices superseded by meter readings, or partly metered."""

    invoices_superseded = fields.Integer()
    superseded_quantity_by_unit = fields.Dict(keys=fields.String(), values=decimal_field())
    invoices_partly_metered = fields.Integer()
    invoices_outside_tolerance = fields.Integer()
    display = Display(invoices_superseded=COUNT, superseded_quantity_by_unit=QUANTITY,
                      invoices_partly_metered=COUNT, invoices_outside_tolerance=COUNT)


class ReportSchema(StrictSchema):
    """Figures are exact decimal strings, each object's rounded for people in its ``display``."""

    class Meta:
        unknown = INCLUDE

    inventory_id = fields.Integer()
    version = fields.Integer()
    status = fields.String()
    frozen = fields.Boolean()
    gwp_set = fields.String()
    factor_library_version = fields.String(metadata={"description": "the shipped factor library's version"})
    activity_count = fields.Integer(metadata={"description": "the records the figures are of"})
    location_based = fields.Nested(TotalsSchema)
    market_based = fields.Nested(TotalsSchema)
    uncertainty = fields.Nested(UncertaintySchema)
    metering = fields.Nested(MeteringSummarySchema, metadata={
        "description": "invoices superseded by meter readings, or partly metered"})
    disclosures = fields.List(Said())
    factors = fields.List(fields.String())
    sites = fields.List(fields.Dict(), metadata={
        "description": "the sites the figures by site are of: id and name"})
    scope2_market_by_site = fields.List(fields.Nested(SiteMarketSchema), metadata={
        "description": "market-based Scope 2 per site (MWh consumed, supplier-specific, covered, "
                       "excess and uncovered, residual factor, tCO2e)"})
    complete = fields.Boolean(metadata={
        "description": "false when some records cannot be calculated: the figures leave them out"})
    incalculable = fields.List(fields.Nested(IncalculableSchema), metadata={
        "description": "records the calculation refuses (stored before the checks of today, or a "
                       "factor withdrawn since), with why and their files"})


class ProvenanceSchema(StrictSchema):
    source = fields.String()
    publisher = fields.String()
    year = fields.Integer()
    geography = fields.String()
    version = fields.String()
    url = fields.String()
    unconfirmed = fields.Boolean()


class LibraryFactorSchema(StrictSchema):
    key = fields.String()
    name = fields.String()
    kind = fields.Function(lambda f: f.kind.value)
    per_unit = fields.String()
    mass_unit = fields.String()
    gases = fields.Dict(keys=fields.String(), values=decimal_field())
    ncv = decimal_field(allow_none=True)
    ncv_unit = fields.String(allow_none=True)
    provenance = fields.Nested(ProvenanceSchema)
    uncertainty_percent = decimal_field(allow_none=True)
    uncertainty_basis = fields.Function(lambda f: f.uncertainty_basis.value if f.uncertainty_basis else None)
    uncertainty_source = fields.String()


class FactorQuerySchema(StrictSchema):
    kind = one_of(FactorKind, load_default=None)
    geography = fields.String(load_default=None)


class GasesField(fields.Dict):
    """The gases of a factor, a JSON object sent as the text of a form field."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        gases = json_text(value)
        if not isinstance(gases, dict):
            raise ValidationError(Msg("Give a JSON object such as {example}.", example='{"CO2": "0.35"}'))
        return super()._deserialize(gases, attr, data, **kwargs)


class OrganisationFactorInSchema(StrictSchema):
    """Form fields sent with the evidence file; ``gases`` is a JSON object {"CO2": "0.35"}."""

    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9_.:-]{0,99}$"))
    name = Text(300, required=True)
    kind = one_of(FactorKind, required=True)
    per_unit = Text(20, required=True)
    mass_unit = fields.String(required=True, validate=validate.OneOf(["kg", "t", "g"]))
    gases = GasesField(
        keys=Text(30), values=decimal_field(validate=_FACTOR), required=True,
        metadata={"description": 'the amount of each gas per unit as JSON, e.g. {"CO2": "0.35"}'},
    )
    ncv = decimal_field(load_default=None, allow_none=True, validate=_NCV)
    ncv_unit = Text(30, load_default=None, allow_none=True)
    source = Text(500, required=True)
    publisher = Text(200, required=True)
    year = fields.Integer(required=True, validate=validate.Range(1990, 2100))
    geography = Text(40, required=True)
    uncertainty_percent = decimal_field(load_default=None, allow_none=True, validate=_UNCERTAINTY, metadata={
        "description": "± half-width of the 95 % interval, in percent (0 to 1000)"})
    uncertainty_basis = one_of(UncertaintyBasis, load_default=None, allow_none=True, metadata={
        "description": "published (cite it in uncertainty_source) or expert_judgement (say why)"})
    uncertainty_source = Text(500, blank=True, load_default="", metadata={
        "description": "the publication that gives the ±, or the expert's reasoning"})
    change_reason = Text(2000, blank=True, load_default="")




class OrganisationFactorSchema(StrictSchema):
    id = fields.Integer()
    key = fields.Function(lambda f: f"org:{f.key}")
    version = fields.Integer()
    name = fields.String()
    kind = fields.String()
    per_unit = fields.String()
    mass_unit = fields.String()
    gases = fields.Dict()
    ncv = decimal_field(allow_none=True)
    ncv_unit = fields.String(allow_none=True)
    source = fields.String()
    publisher = fields.String()
    year = fields.Integer()
    geography = fields.String()
    uncertainty_percent = decimal_field(allow_none=True)
    uncertainty_basis = fields.String(allow_none=True)
    uncertainty_source = fields.String()
    evidence_filename = fields.String()
    evidence_sha256 = fields.String()
    change_reason = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


class BaseYearChangeSchema(StrictSchema):
    kind = fields.String()
    description = Said()
    on = fields.String(allow_none=True)


class BaseYearCheckSchema(StrictSchema):
    base_inventory_id = fields.Integer()
    base_period = fields.Dict()
    verified_tco2e = fields.String()
    recalculated_tco2e = fields.String()
    change_percent = fields.String()
    threshold_percent = fields.String()
    recalculation_required = fields.Boolean()
    explanation = Said()
    changes = fields.List(fields.Nested(BaseYearChangeSchema))
    display = Display(verified_tco2e=TONNES, recalculated_tco2e=TONNES, change_percent=PERCENTAGE)
