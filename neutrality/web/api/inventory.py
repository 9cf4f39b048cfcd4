"""API endpoints of the GHG inventory."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from neutrality.inventory import activities, mappings, services
from neutrality.inventory.schemas import (
    ActivityBatchSchema,
    ActivitySchema,
    BaseYearCheckSchema,
    CompletenessInSchema,
    CompletenessSchema,
    ExternalTotalSchema,
    ExternalTotalsSchema,
    FactorQuerySchema,
    ImportFormSchema,
    ImportOutcomeSchema,
    ImportSchema,
    InventoryCreateSchema,
    InventoryQuerySchema,
    InventorySchema,
    LibraryFactorSchema,
    MeteringQuerySchema,
    NewVersionSchema,
    OrganisationFactorInSchema,
    OrganisationFactorSchema,
    ReconciliationSchema,
    ReportSchema,
    SavedMappingSchema,
    TrailSchema,
    VerificationInSchema,
    VerificationSchema,
)
from neutrality.pagination import Page, paginate_list
from neutrality.sheet_limits import activity_file_limits
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, multipart, page_of, paged
from neutrality.web.context import actor, uow
from neutrality.web.uploads import form_fields, uploaded_file

blp = Blueprint(
    "inventory", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="GHG inventories: versions, activity data, completeness, verification",
)
INV = "/inventories/<int:inventory_id>"

factors_blp = Blueprint("factors", __name__, url_prefix=API_PREFIX, description="Emission factors and templates")


@factors_blp.route("/factors", methods=["GET"])
@factors_blp.arguments(FactorQuerySchema, location="query")
@factors_blp.response(200, LibraryFactorSchema(many=True))
def library_factors(query: dict[str, Any]) -> Any:
    """The shipped factor library, with provenance (filter by kind and geography)."""
    return services.library_factors(actor(), **query)


@factors_blp.route("/activity-templates/<string:activity_type>.csv", methods=["GET"])
def activity_template(activity_type: str) -> Response:
    """The CSV template of one activity type (UTF-8 with BOM, opens in Excel)."""
    body = activities.activity_template(actor(), activity_type)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="neutrality-{activity_type}.csv"'})


@blp.route("/factors", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(OrganisationFactorSchema))
def list_organisation_factors(page: Page, organisation_id: int) -> Any:
    """The organisation's own factors, every version (the change log)."""
    return paged(paginate_list(services.list_organisation_factors(uow(), actor(), organisation_id), page))


@blp.route("/factors", methods=["POST"])
@blp.response(201, OrganisationFactorSchema)
@blp.doc(requestBody=multipart(OrganisationFactorInSchema, "evidence"))
def add_organisation_factor(organisation_id: int) -> Any:
    """Add a supplier- or site-specific factor (or its next version) with its evidence file."""
    data = form_fields(OrganisationFactorInSchema())
    evidence, filename = uploaded_file("evidence")
    return services.add_organisation_factor(uow(), actor(), organisation_id, data,
                                            evidence=evidence, evidence_filename=filename)


@blp.route("/inventories", methods=["GET"])
@blp.arguments(InventoryQuerySchema, location="query")
@blp.response(200, page_of(InventorySchema))
def list_inventories(query: dict[str, Any], organisation_id: int) -> Any:
    """The organisation's GHG inventories, a page at a time."""
    page = Page(query["page"], query["per_page"])
    inventories = services.list_inventories(uow(), actor(), organisation_id, query["period_id"])
    return paged(paginate_list(inventories, page))


@blp.route("/inventories", methods=["POST"])
@blp.arguments(InventoryCreateSchema)
@blp.response(201, InventorySchema)
def create_inventory(data: dict[str, Any], organisation_id: int) -> Any:
    """Start a period's inventory, with its GWP set (fixed for the inventory)."""
    return services.create_inventory(uow(), actor(), organisation_id, **data)


@blp.route("/commitments/<int:commitment_id>/base-year-check", methods=["GET"])
@blp.response(200, BaseYearCheckSchema)
def base_year_check(organisation_id: int, commitment_id: int) -> Any:
    """Whether structural, method or factor changes move the base year past the significance
    threshold (default 5 %), so that it must be recalculated."""
    return services.base_year_check(uow(), actor(), organisation_id, commitment_id)


@blp.route(INV, methods=["GET"])
@blp.response(200, InventorySchema)
def get_inventory(organisation_id: int, inventory_id: int) -> Any:
    """One GHG inventory, with its state and totals."""
    return services.get_inventory(uow(), actor(), organisation_id, inventory_id)


@blp.route(INV + "/versions", methods=["POST"])
@blp.arguments(NewVersionSchema)
@blp.response(201, InventorySchema)
def new_version(data: dict[str, Any], organisation_id: int, inventory_id: int) -> Any:
    """Open a new version of a verified inventory (its data copied), with a reason."""
    return services.new_version(uow(), actor(), organisation_id, inventory_id, reason=data["reason"])


@blp.route(INV + "/activities", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ActivitySchema))
def list_activities(page: Page, organisation_id: int, inventory_id: int) -> Any:
    """The activities of an inventory, a page at a time."""
    return paged(activities.list_activities(uow(), actor(), organisation_id, inventory_id, page))


@blp.route(INV + "/activities", methods=["POST"])
@blp.arguments(ActivityBatchSchema)
@blp.response(201, ActivitySchema(many=True))
def add_activities(data: dict[str, Any], organisation_id: int, inventory_id: int) -> Any:
    """Add activity records (all or none)."""
    return activities.add_activities(uow(), actor(), organisation_id, inventory_id, data["activities"])


@blp.route(INV + "/activities/<int:activity_id>/trail", methods=["GET"])
@blp.response(200, TrailSchema)
def activity_trail(organisation_id: int, inventory_id: int, activity_id: int) -> Any:
    """How one record becomes tCO2e: unit conversion, factor, gases and GWPs."""
    return services.activity_trail(uow(), actor(), organisation_id, inventory_id, activity_id)


@blp.route(INV + "/metering", methods=["GET"])
@blp.arguments(MeteringQuerySchema, location="query")
@blp.response(200, page_of(ReconciliationSchema))
def metering(query: dict[str, Any], organisation_id: int, inventory_id: int) -> Any:
    """Invoices against meter readings: meters take precedence; an invoice whose every day is
    metered is superseded (not counted), one metered in part stays counted and is flagged."""
    items = services.metering_reconciliation(uow(), actor(), organisation_id, inventory_id,
                                             tolerance_percent=query["tolerance_percent"])
    return paged(paginate_list(items, Page(query["page"], query["per_page"])))


@blp.route(INV + "/imports", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ImportSchema))
def list_imports(page: Page, organisation_id: int, inventory_id: int) -> Any:
    """The activity files imported into an inventory, a page at a time."""
    return paged(paginate_list(activities.list_imports(uow(), actor(), organisation_id, inventory_id), page))


@blp.route(INV + "/imports", methods=["POST"])
@blp.response(201, ImportOutcomeSchema)
@blp.doc(requestBody=multipart(ImportFormSchema, "file"))
def import_activities(organisation_id: int, inventory_id: int) -> Any:
    """Import a CSV/XLSX file ('file'); all rows or none. ``dry_run=true`` previews it."""
    options = form_fields(ImportFormSchema())
    data, filename = uploaded_file("file")
    outcome = activities.import_activities(
        uow(), actor(), organisation_id, inventory_id, data=data, filename=filename,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes,
        limits=activity_file_limits(current_app.extensions["neutrality.settings"]),
        mapping=options["mapping"], encoding=options["encoding"], dry_run=options["dry_run"],
        overlap=activities.Overlap(options["overlap"]), save_mapping=options["save_mapping"],
    )
    return outcome


@blp.route("/column-mappings", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(SavedMappingSchema))
def list_column_mappings(page: Page, organisation_id: int) -> Any:
    """The column mappings saved for the organisation's file layouts, the most recently used
    first: a file whose header row is one of them is read with it when sent without a mapping."""
    return paged(paginate_list(mappings.list_mappings(uow(), actor(), organisation_id), page))


@blp.route("/column-mappings/<int:mapping_id>", methods=["DELETE"])
@blp.response(204)
def forget_column_mapping(organisation_id: int, mapping_id: int) -> None:
    """Forget a saved column mapping (audited): the next file of its layout needs one again."""
    mappings.forget_mapping(uow(), actor(), organisation_id, mapping_id)


@blp.route(INV + "/imports/<int:import_id>", methods=["DELETE"])
@blp.response(204)
def undo_import(organisation_id: int, inventory_id: int, import_id: int) -> None:
    """Take an import back whole: its records and the batch, audited. Refused (409) once the
    inventory is verified; a new version is made instead."""
    activities.undo_import(uow(), actor(), organisation_id, inventory_id, import_id)


@blp.route(INV + "/report", methods=["GET"])
@blp.response(200, ReportSchema)
def report(organisation_id: int, inventory_id: int) -> Any:
    """Totals by scope (Scope 2 location- and market-based), category, gas, site and ISO
    14064-1 category, with uncertainty, disclosures and the factors used. Exact figures."""
    return services.inventory_report(uow(), actor(), organisation_id, inventory_id)


@blp.route(INV + "/activities/<int:activity_id>", methods=["DELETE"])
@blp.response(204)
def delete_activity(organisation_id: int, inventory_id: int, activity_id: int) -> None:
    """Delete an activity from an inventory that is not frozen."""
    activities.delete_activity(uow(), actor(), organisation_id, inventory_id, activity_id)


@blp.route(INV + "/completeness", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(CompletenessSchema))
def list_completeness(page: Page, organisation_id: int, inventory_id: int) -> Any:
    """How complete the inventory is, source category by source category."""
    return paged(paginate_list(services.list_completeness(uow(), actor(), organisation_id, inventory_id), page))


@blp.route(INV + "/completeness", methods=["PUT"])
@blp.arguments(CompletenessInSchema)
@blp.response(200, CompletenessSchema)
def set_completeness(data: dict[str, Any], organisation_id: int, inventory_id: int) -> Any:
    """Include, estimate, or exclude (immaterial / not applicable, with a reason) a category."""
    return services.set_completeness(uow(), actor(), organisation_id, inventory_id, **data)


@blp.route(INV + "/external-totals", methods=["POST"])
@blp.arguments(ExternalTotalsSchema)
@blp.response(201, ExternalTotalSchema(many=True))
def record_external_totals(data: dict[str, Any], organisation_id: int, inventory_id: int) -> Any:
    """Totals of an inventory made with another tool (origin 'external')."""
    return services.record_external_totals(uow(), actor(), organisation_id, inventory_id, data["totals"])


@blp.route(INV + "/verification", methods=["POST"])
@blp.response(201, VerificationSchema)
@blp.doc(requestBody=multipart(VerificationInSchema, "statement"))
def verify(organisation_id: int, inventory_id: int) -> Any:
    """Record the verification (multipart: fields + 'statement' file) and freeze the inventory."""
    details = form_fields(VerificationInSchema())
    statement, filename = uploaded_file("statement")
    return services.verify_inventory(
        uow(), actor(), organisation_id, inventory_id, details=details, statement=statement,
        statement_filename=filename,
    )


@blp.route(INV + "/verification", methods=["GET"])
@blp.response(200, VerificationSchema)
def get_verification(organisation_id: int, inventory_id: int) -> Any:
    """The verification recorded for an inventory."""
    return services.get_verification(uow(), actor(), organisation_id, inventory_id)


@blp.route(INV + "/verification/statement", methods=["GET"])
def get_statement(organisation_id: int, inventory_id: int) -> Response:
    """The verification statement file as uploaded (its SHA-256 is in the verification)."""
    verification, statement = services.statement_of(uow(), actor(), organisation_id, inventory_id)
    return Response(
        statement,
        mimetype="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename=\"{_ascii(verification.statement_filename)}\"",
            "X-Content-SHA256": verification.statement_sha256,
        },
    )


def _ascii(name: str) -> str:
    cleaned = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)
    return cleaned or "statement"
