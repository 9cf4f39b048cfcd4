"""API endpoints of the instrument registry."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from neutrality.clock import utcnow
from neutrality.pagination import Page, paginate_list
from neutrality.registry import (
    held_blocks,
    importing,
    matching,
    planning,
    projects,
    purchases,
    reconciling,
    retirements,
)
from neutrality.registry import holdings as registry_holdings
from neutrality.registry.planner import Policy
from neutrality.registry.schemas import (
    BlockInSchema,
    BlockQuerySchema,
    BlockSchema,
    HoldingLineSchema,
    HoldingsQuerySchema,
    PlanApplyFormSchema,
    PlanQuerySchema,
    PlanSchema,
    ProjectInSchema,
    ProjectPatchSchema,
    ProjectSchema,
    PurchaseFormSchema,
    PurchaseSchema,
    ReconcileFormSchema,
    RegistryImportFormSchema,
    RegistryImportOutcomeSchema,
    RegistryImportSchema,
    ReservationSchema,
    ReserveSchema,
    RetireFormSchema,
    RetirementImportFormSchema,
    RetirementImportOutcomeSchema,
    RetirementQuerySchema,
    RetirementReconciliationSchema,
    RetirementSchema,
    ReversalSchema,
    SchemeSchema,
    SplitResultSchema,
    SplitSchema,
    StatusChangeSchema,
)
from neutrality.sheet_limits import registry_file_limits
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, multipart, page_of, paged
from neutrality.web.context import actor, uow
from neutrality.web.uploads import form_fields, uploaded_file

blp = Blueprint(
    "registry", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Instruments: projects, serial blocks, purchases, registry imports, holdings",
)
schemes_blp = Blueprint("schemes", __name__, url_prefix=API_PREFIX, description="Instrument schemes")


def _today() -> Any:
    return utcnow().date()


@schemes_blp.route("/schemes", methods=["GET"])
@schemes_blp.response(200, SchemeSchema(many=True))
def list_schemes() -> Any:
    """Carbon-credit and EAC schemes, with their unit and serial format."""
    return held_blocks.list_schemes(actor())


@schemes_blp.route("/registry-templates/<string:kind>.csv", methods=["GET"])
def registry_template(kind: str) -> Response:
    """The CSV template of an I-REC redemption statement, a GEC account export or a CCER registry
    export (UTF-8 with BOM; row 2 explains each column in Chinese and English)."""
    body = importing.registry_template(actor(), kind)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="neutrality-{kind}.csv"'})


@blp.route("/projects", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ProjectSchema))
def list_projects(page: Page, organisation_id: int) -> Any:
    """The organisation's credit and certificate projects, a page at a time."""
    return paged(paginate_list(projects.list_projects(uow(), actor(), organisation_id), page))


@blp.route("/projects", methods=["POST"])
@blp.arguments(ProjectInSchema)
@blp.response(201, ProjectSchema)
def create_project(data: dict[str, Any], organisation_id: int) -> Any:
    """A crediting project or an EAC production device, with the attributes rule checks need."""
    return projects.create_project(uow(), actor(), organisation_id, data)


@blp.route("/projects/<int:project_id>", methods=["GET"])
@blp.response(200, ProjectSchema)
def get_project(organisation_id: int, project_id: int) -> Any:
    """One project of the organisation."""
    return projects.get_project(uow(), actor(), organisation_id, project_id)


@blp.route("/projects/<int:project_id>", methods=["PATCH"])
@blp.arguments(ProjectPatchSchema)
@blp.response(200, ProjectSchema)
def update_project(data: dict[str, Any], organisation_id: int, project_id: int) -> Any:
    """Change a project's details."""
    return projects.update_project(uow(), actor(), organisation_id, project_id, data)


@blp.route("/blocks", methods=["GET"])
@blp.arguments(BlockQuerySchema, location="query")
@blp.response(200, page_of(BlockSchema))
def list_blocks(query: dict[str, Any], organisation_id: int) -> Any:
    """The organisation's blocks of credits or certificates, a page at a time."""
    page = Page(query.pop("page"), query.pop("per_page"))
    return paged(held_blocks.list_blocks(uow(), actor(), organisation_id, page, **query))


@blp.route("/blocks", methods=["POST"])
@blp.arguments(BlockInSchema)
@blp.response(201, BlockSchema)
def add_block(data: dict[str, Any], organisation_id: int) -> Any:
    """A block typed in from a registry statement: its quantity must equal its serial range."""
    return held_blocks.add_block(uow(), actor(), organisation_id, data, as_of=_today())


@blp.route("/blocks/<int:block_id>", methods=["GET"])
@blp.response(200, BlockSchema)
def get_block(organisation_id: int, block_id: int) -> Any:
    """One block of credits or certificates, with its serial range and status."""
    return held_blocks.get_block(uow(), actor(), organisation_id, block_id)


@blp.route("/blocks/<int:block_id>/split", methods=["POST"])
@blp.arguments(SplitSchema)
@blp.response(201, SplitResultSchema)
def split_block(data: dict[str, Any], organisation_id: int, block_id: int) -> Any:
    """Keep the first ``quantity`` units in this block; the rest becomes a new block."""
    part, remainder = held_blocks.split_block(uow(), actor(), organisation_id, block_id, data["quantity"])
    return {"part": part, "remainder": remainder}


@blp.route("/blocks/<int:block_id>/status", methods=["POST"])
@blp.arguments(StatusChangeSchema)
@blp.response(200, BlockSchema)
def change_status(data: dict[str, Any], organisation_id: int, block_id: int) -> Any:
    """Reserve, release, cancel or transfer out a block (retiring goes through a retirement)."""
    return held_blocks.set_block_status(uow(), actor(), organisation_id, block_id, data["status"], data["reason"])


@blp.route("/purchases", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(PurchaseSchema))
def list_purchases(page: Page, organisation_id: int) -> Any:
    """The organisation's purchases of credits or certificates, a page at a time."""
    return paged(paginate_list(purchases.list_purchases(uow(), actor(), organisation_id), page))


@blp.route("/purchases", methods=["POST"])
@blp.response(201, PurchaseSchema)
@blp.doc(requestBody=multipart(PurchaseFormSchema, "invoice"))
def record_purchase(organisation_id: int) -> Any:
    """A purchase with its invoice (file field 'invoice'), linked to the blocks it delivered."""
    data = form_fields(PurchaseFormSchema())
    invoice, filename = uploaded_file("invoice")
    block_ids = data.pop("block_ids")
    return purchases.record_purchase(uow(), actor(), organisation_id, data, invoice=invoice,
                                    invoice_filename=filename, block_ids=block_ids)


@blp.route("/purchases/<int:purchase_id>", methods=["GET"])
@blp.response(200, PurchaseSchema)
def get_purchase(organisation_id: int, purchase_id: int) -> Any:
    """One purchase of the organisation."""
    return purchases.get_purchase(uow(), actor(), organisation_id, purchase_id)


@blp.route("/purchases/<int:purchase_id>/invoice", methods=["GET"])
def purchase_invoice(organisation_id: int, purchase_id: int) -> Response:
    """The invoice file as recorded; its SHA-256 in the X-Content-SHA256 header."""
    purchase, invoice = purchases.invoice_of(uow(), actor(), organisation_id, purchase_id)
    return Response(invoice, mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="invoice-{purchase.id}"',
        "X-Content-SHA256": purchase.invoice_sha256,
    })


@blp.route("/registry-imports", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(RegistryImportSchema))
def list_imports(page: Page, organisation_id: int) -> Any:
    """The registry files imported by the organisation, a page at a time."""
    return paged(paginate_list(importing.list_registry_imports(uow(), actor(), organisation_id), page))


@blp.route("/registry-imports", methods=["POST"])
@blp.response(201, RegistryImportOutcomeSchema)
@blp.doc(requestBody=multipart(RegistryImportFormSchema, "file"))
def import_registry_file(organisation_id: int) -> Any:
    """Import a registry export or statement ('file'): Verra and Gold Standard exports as the
    registries publish them, I-REC/GEC/CCER through the templates. All rows or none;
    ``dry_run=true`` previews. A registry's public listing is refused as holdings unless
    ``project_ids`` (comma-separated) names the organisation's projects, whose rows alone are read."""
    options = form_fields(RegistryImportFormSchema())
    project_ids = list(options.pop("project_ids"))
    data, filename = uploaded_file("file")
    return importing.import_registry_file(
        uow(), actor(), organisation_id, data=data, filename=filename,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, as_of=_today(), **options,
        limits=registry_file_limits(current_app.extensions["neutrality.settings"]),
        project_ids=project_ids,
    )


@blp.route("/holdings", methods=["GET"])
@blp.arguments(HoldingsQuerySchema, location="query")
@blp.response(200, HoldingLineSchema(many=True))
def holdings(query: dict[str, Any], organisation_id: int) -> Any:
    """Quantities held, grouped by scheme, vintage, project, country, technology, status or
    account, with their cost from the recorded purchases."""
    by = [part.strip() for part in query["by"].split(",") if part.strip()]
    statuses = [part.strip() for part in query["status"].split(",") if part.strip()]
    return registry_holdings.holdings(uow(), actor(), organisation_id, by, statuses=statuses)


@blp.route("/retirements", methods=["GET"])
@blp.arguments(RetirementQuerySchema, location="query")
@blp.response(200, page_of(RetirementSchema))
def list_retirements(query: dict[str, Any], organisation_id: int) -> Any:
    """The retirement ledger: retirements and their reversals, oldest first."""
    page = Page(query.pop("page"), query.pop("per_page"))
    return paged(retirements.list_retirements(uow(), actor(), organisation_id, page, **query))


@blp.route("/retirements", methods=["POST"])
@blp.response(201, RetirementSchema)
@blp.doc(requestBody=multipart(RetireFormSchema, "evidence"))
def retire(organisation_id: int) -> Any:
    """Retire a held block, or its first ``quantity`` units, for an application period, with the
    registry's evidence (file field 'evidence'). No unit is ever retired twice."""
    data = form_fields(RetireFormSchema())
    evidence, filename = uploaded_file("evidence")
    return retirements.retire(uow(), actor(), organisation_id, data, evidence=evidence,
                              evidence_filename=filename, as_of=_today())


@blp.route("/retirements/<int:retirement_id>", methods=["GET"])
@blp.response(200, RetirementSchema)
def get_retirement(organisation_id: int, retirement_id: int) -> Any:
    """One retirement of the organisation, with the blocks it retired."""
    return retirements.get_retirement(uow(), actor(), organisation_id, retirement_id)


@blp.route("/retirements/<int:retirement_id>/evidence", methods=["GET"])
def retirement_evidence(organisation_id: int, retirement_id: int) -> Response:
    """The registry's evidence as recorded; its SHA-256 in the X-Content-SHA256 header."""
    entry, evidence = retirements.evidence_of(uow(), actor(), organisation_id, retirement_id)
    return Response(evidence, mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="retirement-{entry.id}-evidence"',
        "X-Content-SHA256": entry.evidence_sha256,
    })


@blp.route("/retirement-imports", methods=["POST"])
@blp.response(201, RetirementImportOutcomeSchema)
@blp.doc(requestBody=multipart(RetirementImportFormSchema, "file"))
def import_retirements(organisation_id: int) -> Any:
    """Record for a period the retirements a registry export ('file') shows on units the
    organisation holds: all rows or none; ``dry_run=true`` previews; rows already in the ledger
    are skipped. Each row is judged by the rules of the period's claim (a preview lists each
    row's refusals): a row a blocking rule refuses rejects the file, unless ``despite_rules``
    gives the reason to record it anyway (the claim then does not count it)."""
    options = form_fields(RetirementImportFormSchema())
    data, filename = uploaded_file("file")
    return matching.import_retirements(
        uow(), actor(), organisation_id, options.pop("period_id"), data=data, filename=filename,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, as_of=_today(), **options,
        limits=registry_file_limits(current_app.extensions["neutrality.settings"]),
    )


@blp.route("/periods/<int:period_id>/retirement-plan/reservation", methods=["POST"])
@blp.arguments(ReserveSchema)
@blp.response(201, ReservationSchema(many=True))
def reserve_plan(data: dict[str, Any], organisation_id: int, period_id: int) -> Any:
    """Set aside the units of a plan's lines for the period while they are retired at the
    registry: other periods' plans pass them over; release a block by setting it held again."""
    return planning.reserve(uow(), actor(), organisation_id, period_id, data["lines"])


@blp.route("/retirement-reconciliations", methods=["POST"])
@blp.response(200, RetirementReconciliationSchema)
@blp.doc(requestBody=multipart(ReconcileFormSchema, "file"))
def reconcile(organisation_id: int) -> Any:
    """Compare the ledger (one period's retirements, or all) with a registry retirement export
    ('file') and list every mismatch; writes nothing."""
    options = form_fields(ReconcileFormSchema())
    data, filename = uploaded_file("file")
    return reconciling.reconcile_export(
        uow(), actor(), organisation_id, data=data, filename=filename,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, **options,
        limits=registry_file_limits(current_app.extensions["neutrality.settings"]),
    )


@blp.route("/periods/<int:period_id>/retirement-plan", methods=["GET"])
@blp.arguments(PlanQuerySchema, location="query")
@blp.response(200, PlanSchema)
def propose_plan(query: dict[str, Any], organisation_id: int, period_id: int) -> Any:
    """Which held blocks to retire to cover the period's electricity (EACs) and then its
    residual (credits), by the policy given, among those the rules of the period's claim accept
    (the others grouped with the rule that refuses them); the shortfall when holdings are not
    enough."""
    return planning.propose(uow(), actor(), organisation_id, period_id, policy=Policy(query["policy"]),
                            retire_on=query["retire_on"] or _today(), tolerance=query["tolerance"],
                            preference=query["prefer"])


@blp.route("/periods/<int:period_id>/retirement-plan", methods=["POST"])
@blp.response(201, RetirementSchema(many=True))
@blp.doc(requestBody=multipart(PlanApplyFormSchema, "evidence"))
def apply_plan(organisation_id: int, period_id: int) -> Any:
    """Retire every line of a plan for the period with the registry's evidence ('evidence'):
    all of them or none."""
    data = form_fields(PlanApplyFormSchema())
    evidence, filename = uploaded_file("evidence")
    lines = data.pop("lines")
    return planning.apply(uow(), actor(), organisation_id, period_id, lines, data, evidence=evidence,
                          evidence_filename=filename, as_of=_today())


@blp.route("/retirements/<int:retirement_id>/reversal", methods=["POST"])
@blp.arguments(ReversalSchema)
@blp.response(201, RetirementSchema)
def reverse_retirement(data: dict[str, Any], organisation_id: int, retirement_id: int) -> Any:
    """Reverse a mistaken retirement by a compensating entry with a reason (never an edit)."""
    return retirements.reverse(uow(), actor(), organisation_id, retirement_id, data["reason"])
