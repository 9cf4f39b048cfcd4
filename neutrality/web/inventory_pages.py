"""The pages of an inventory: its report by scope, category, gas and site name, the files
imported into it, and the guided import of an activity file (upload → preview with every row
error and each row's tCO2e → confirm; undo an import); the verification (the verifier's
opinion and statement, recorded as the API records it, which freezes the inventory); and the
calculation trail of each figure of the report, down to its records and their factors.

The preview and the import are the use case the API calls (:func:`activities.import_activities`,
with ``dry_run`` for the preview). Between the preview and the confirmation the file waits
(:mod:`neutrality.web.pending_files`); the confirmation imports exactly the bytes previewed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from marshmallow import ValidationError
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange

from neutrality.access.model import Permission, authorize
from neutrality.errors import NeutralityError, NotFound
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.inventory.explanation import Basis, Figure, FigureKind
from neutrality.inventory.importing import ColumnMapping
from neutrality.inventory.schemas import VerificationInSchema
from neutrality.inventory.status import AssuranceLevel
from neutrality.organisations import services as organisations
from neutrality.pagination import Page
from neutrality.sheet_limits import activity_file_limits
from neutrality.spreadsheets import ImportRejected
from neutrality.web import column_mapping, pending_files
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.errors import flatten
from neutrality.web.frame import ButtonForm
from neutrality.web.organisation_pages import refusal_onto
from neutrality.web.pages import guard_page_ids, storable
from neutrality.web.uploads import MAX_FILENAME

bp = Blueprint("inventory_pages", __name__)
guard_page_ids(bp)

#: The session's key for the file previewed and waiting for its confirmation.
PENDING_KEY = "pending_import"


class ImportForm(FlaskForm):
    file = FileField(_l("Activity data file (CSV or XLSX)"), validators=[FileRequired(_l("Choose the file to import."))])
    overlap = SelectField(_l("Rows overlapping records already in the inventory"), choices=[
        SelectChoice("refuse", _l("Refuse the file (the default: nothing is counted twice)")),
        SelectChoice("supersede", _l("Replace the overlapping records (a corrected invoice)")),
        SelectChoice("add", _l("Add them as well (a second meter, a second invoice)")),
    ], default="refuse")


_REQUIRED = DataRequired(_l("This field is required."))


class VerificationForm(FlaskForm):
    body = StringField(_l("Verification body"), validators=[_REQUIRED, storable, Length(max=300)])
    accreditation = StringField(_l("Accreditation (such as CNAS)"), validators=[_REQUIRED, storable, Length(max=300)])
    standard = StringField(_l("Verification standard"), default="ISO 14064-3:2019",
                           validators=[_REQUIRED, storable, Length(max=100)])
    assurance_level = SelectField(_l("Level of assurance"), choices=[
        SelectChoice(AssuranceLevel.REASONABLE.value, _l("Reasonable")),
        SelectChoice(AssuranceLevel.LIMITED.value, _l("Limited"))])
    materiality_percent = DecimalField(_l("Materiality (per cent)"), places=None, validators=[
        DataRequired(_l("A percentage above 0 and at most 100, such as 5.")), NumberRange(min=0, max=100)])
    opinion = TextAreaField(_l("The verifier's opinion"), validators=[_REQUIRED, storable, Length(max=5000)])
    verified_on = DateField(_l("Date of the verification statement"),
                            validators=[DataRequired(_l("Give the date of the statement."))])
    statement = FileField(_l("Verification statement (the signed file, such as a PDF)"),
                          validators=[FileRequired(_l("Attach the verification statement."))])

    def fields_as_sent(self) -> dict[str, str]:
        """The values as the API's multipart form sends them."""
        return {"body": self.body.data.strip(), "accreditation": self.accreditation.data.strip(),
                "standard": self.standard.data.strip(), "assurance_level": self.assurance_level.data,
                "materiality_percent": str(self.materiality_percent.data), "opinion": self.opinion.data.strip(),
                "verified_on": self.verified_on.data.isoformat()}


def _signed_in() -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    return None


def _context(organisation_id: int, inventory_id: int) -> dict[str, Any]:
    """The inventory, its organisation and period, and the breadcrumbs down to it."""
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    row = inventory.get_inventory(uow(), actor(), organisation_id, inventory_id)
    trail = crumbs_to(org, row.period_id)
    return {"org": org, "inventory": row, "period": trail.period, "crumbs": trail.crumbs,
            "locale": str(get_locale())}


@bp.get("/organisations/<int:organisation_id>/inventories/<int:inventory_id>")
def inventory_page(organisation_id: int, inventory_id: int) -> Any:
    """The report of the inventory and the files imported into it."""
    if (away := _signed_in()) is not None:
        return away
    context = _context(organisation_id, inventory_id)
    report = inventory.inventory_report(uow(), actor(), organisation_id, inventory_id)
    imports = activities.list_imports(uow(), actor(), organisation_id, inventory_id)
    sites = {str(s["id"]): s["name"] for s in report.get("sites", [])}
    context["crumbs"] = [*context["crumbs"], Crumb(str(_l("Inventory")))]
    return _inventory_page(context, report, imports, sites)


def _inventory_page(context: dict[str, Any], report: dict[str, Any], imports: Any, sites: dict[str, str], *,
                    verification_form: VerificationForm | None = None, problem: NeutralityError | None = None,
                    status: int = 200) -> Any:
    organisation_id, row = context["org"].id, context["inventory"]
    try:
        verification = inventory.get_verification(uow(), actor(), organisation_id, row.id)
    except NotFound:
        verification = None
    may_verify = actor().can(Permission.VERIFY, organisation_id) or actor().can(Permission.MANAGE_INVENTORY,
                                                                                organisation_id)
    if verification_form is None and verification is None and row.status == "draft" and may_verify:
        verification_form = VerificationForm()
    return render_template("inventory/inventory.html", report=report, imports=imports, sites=sites,
                           undo=ButtonForm(), verification=verification, verification_form=verification_form,
                           verification_problem=problem, **context), status


@bp.post("/organisations/<int:organisation_id>/inventories/<int:inventory_id>/verification")
def record_verification(organisation_id: int, inventory_id: int) -> Any:
    """Record the verifier's opinion and statement, which freezes the inventory's figures (the
    verifier, or the lead for a verification done outside the application)."""
    if (away := _signed_in()) is not None:
        return away
    if not (actor().can(Permission.VERIFY, organisation_id) or actor().can(Permission.MANAGE_INVENTORY,
                                                                           organisation_id)):
        authorize(actor(), Permission.VERIFY, organisation_id)  # refuses, in the use case's words
    context = _context(organisation_id, inventory_id)
    context["crumbs"] = [*context["crumbs"], Crumb(str(_l("Inventory")))]
    form = VerificationForm()

    def again(problem: NeutralityError | None = None, status: int = 422) -> Any:
        report = inventory.inventory_report(uow(), actor(), organisation_id, inventory_id)
        imports = activities.list_imports(uow(), actor(), organisation_id, inventory_id)
        sites = {str(s["id"]): s["name"] for s in report.get("sites", [])}
        shown = problem if problem is not None and not refusal_onto(form, problem) else None
        return _inventory_page(context, report, imports, sites, verification_form=form, problem=shown, status=status)

    if not form.validate_on_submit():
        return again()
    upload = form.statement.data
    filename = Path(upload.filename or "statement").name
    if len(filename) > MAX_FILENAME or "\x00" in filename:
        form.statement.errors = [str(_l("Rename the file: its name is too long or holds a NUL character."))]
        return again()
    try:
        details = VerificationInSchema().load(form.fields_as_sent())
    except ValidationError as invalid:
        for name in flatten(invalid.messages):
            if name in form:
                form[name].errors = [*form[name].errors, str(_l("This value is not accepted."))]
        return again()
    try:
        inventory.verify_inventory(uow(), actor(), organisation_id, inventory_id, details=details,
                                   statement=upload.read(), statement_filename=filename)
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return again(refused, refused.http_status)
    return redirect(url_for("inventory_pages.inventory_page", organisation_id=organisation_id,
                            inventory_id=inventory_id) + "#verification")


#: Records of a figure's trail shown per page.
TRAIL_PAGE_SIZE = 50


def _figure_value(report: dict[str, Any], figure: Figure) -> Any:
    """The figure as the report states it (what the trail's shares add up to)."""
    totals = report.get(f"{figure.basis.value}_based") or {}
    table = {FigureKind.SCOPE: "by_scope", FigureKind.SCOPE3_CATEGORY: "by_scope3_category",
             FigureKind.SITE: "by_site", FigureKind.GAS: "by_gas"}.get(figure.kind)
    if table is None:
        return totals.get("tco2e")
    value = (totals.get(table) or {}).get(figure.key or "")
    return value.get("tco2e") if isinstance(value, dict) else value


@bp.get("/organisations/<int:organisation_id>/inventories/<int:inventory_id>/trail")
def figure_trail(organisation_id: int, inventory_id: int) -> Any:
    """How one figure of the report is made: its records, each with its quantity, conversion,
    factor (value, unit, source), gases and GWPs, and its share of the figure."""
    if (away := _signed_in()) is not None:
        return away
    figure = Figure.parse(request.args.get("figure", "total"), request.args.get("key"),
                          request.args.get("basis", Basis.LOCATION.value))
    number = request.args.get("page", "1")
    page = Page(int(number) if number.isdigit() and 0 < int(number) < 10**6 else 1, TRAIL_PAGE_SIZE)
    context = _context(organisation_id, inventory_id)
    here = url_for("inventory_pages.inventory_page", organisation_id=organisation_id, inventory_id=inventory_id)
    context["crumbs"] = [*context["crumbs"], Crumb(str(_l("Inventory")), here), Crumb(str(_l("Calculation trail")))]
    report = inventory.inventory_report(uow(), actor(), organisation_id, inventory_id)
    trail = inventory.explain_figure(uow(), actor(), organisation_id, inventory_id, figure, page)
    sites = {str(s["id"]): s["name"] for s in report.get("sites", [])}
    return render_template("inventory/trail.html", figure=figure, trail=trail, stated=_figure_value(report, figure),
                           sites=sites, report=report, **context)


@bp.route("/organisations/<int:organisation_id>/inventories/<int:inventory_id>/import", methods=["GET", "POST"])
def import_file(organisation_id: int, inventory_id: int) -> Any:
    """Upload an activity file and see what it would add before anything is stored."""
    if (away := _signed_in()) is not None:
        return away
    context = _context(organisation_id, inventory_id)
    page = url_for("inventory_pages.inventory_page", organisation_id=organisation_id, inventory_id=inventory_id)
    context["crumbs"] = [*context["crumbs"], Crumb(str(_l("Inventory")), page), Crumb(str(_l("Import a file")))]
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("inventory/import.html", form=form, **context), status
    upload = form.file.data
    data, filename = upload.read(), Path(upload.filename or "upload").name
    try:
        outcome = activities.import_activities(
            uow(), actor(), organisation_id, inventory_id, data=data, filename=filename,
            max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes,
            limits=activity_file_limits(current_app.extensions["neutrality.settings"]),
            overlap=activities.Overlap(form.overlap.data), dry_run=True)
    except ImportRejected as rejected:
        return render_template("inventory/import.html", form=form, rejected=rejected, filename=filename,
                               **context), 422
    except NeutralityError as refused:
        return render_template("inventory/import.html", form=form, refused=refused, **context), refused.http_status
    if outcome.preview is not None and outcome.preview.errors:
        # Every problem of every row. A file with a header waits for its columns to be mapped
        # on the page (it cannot be confirmed as it is); otherwise it is corrected and chosen again.
        mapping = None
        if outcome.header:
            pending_files.keep(PENDING_KEY, data, filename=filename, inventory_id=inventory_id,
                               organisation_id=organisation_id, overlap=form.overlap.data,
                               header=list(outcome.header), previewed=False)
            mapping = column_mapping.proposed(outcome.header)
        return render_template("inventory/import.html", form=form, rejected=outcome.preview, filename=filename,
                               mapping=mapping, mapping_needed=column_mapping.concerns_columns(outcome.preview.errors),
                               mapping_form=ButtonForm(), **context), 422
    pending_files.keep(PENDING_KEY, data, filename=filename, inventory_id=inventory_id,
                       organisation_id=organisation_id, overlap=form.overlap.data, sha256=outcome.sha256,
                       header=list(outcome.header), previewed=True)
    return render_template("inventory/preview.html", outcome=outcome, confirm=ButtonForm(), **context)


def _kept_for(organisation_id: int, inventory_id: int) -> tuple[dict[str, Any], bytes] | None:
    """The file this session previewed for this inventory, if it still waits."""
    kept = pending_files.pending(PENDING_KEY)
    if kept is None or (kept[0].get("organisation_id"), kept[0].get("inventory_id")) != (organisation_id, inventory_id):
        return None
    return kept


@bp.post("/organisations/<int:organisation_id>/inventories/<int:inventory_id>/import/mapping")
def map_columns(organisation_id: int, inventory_id: int) -> Any:
    """Read the waiting file again with the columns mapped as the user chose, and preview it."""
    if (away := _signed_in()) is not None:
        return away
    back = url_for("inventory_pages.import_file", organisation_id=organisation_id, inventory_id=inventory_id)
    kept = _kept_for(organisation_id, inventory_id)
    if not ButtonForm().validate_on_submit() or kept is None:
        return redirect(back)
    facts, data = kept
    context = _context(organisation_id, inventory_id)
    context["crumbs"] = [*context["crumbs"], Crumb(str(_l("Import a file")), back), Crumb(str(_l("Columns")))]
    chosen = column_mapping.submitted(facts["header"], request.form)
    again = {"form": ImportForm(overlap=facts["overlap"]), "filename": facts["filename"], "mapping": chosen,
             "mapping_needed": True, "mapping_form": ButtonForm(), **context}
    try:
        outcome = activities.import_activities(
            uow(), actor(), organisation_id, inventory_id, data=data, filename=facts["filename"],
            max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes,
            limits=activity_file_limits(current_app.extensions["neutrality.settings"]),
            mapping=chosen.as_mapping(), overlap=activities.Overlap(facts["overlap"]), dry_run=True)
    except NeutralityError as refused:
        return render_template("inventory/import.html", refused=refused, **again), refused.http_status
    if outcome.preview is not None and outcome.preview.errors:
        return render_template("inventory/import.html", rejected=outcome.preview, **again), 422
    pending_files.keep(PENDING_KEY, data, **{**facts, "sha256": outcome.sha256, "previewed": True,
                                             "mapping": chosen.stored()})
    return render_template("inventory/preview.html", outcome=outcome, confirm=ButtonForm(), **context)


@bp.post("/organisations/<int:organisation_id>/inventories/<int:inventory_id>/import/confirm")
def confirm_import(organisation_id: int, inventory_id: int) -> Any:
    """Import the file that was previewed, exactly those bytes."""
    if (away := _signed_in()) is not None:
        return away
    # Refused as the import itself would be: someone who may not import never has a preview
    # to confirm, and is told so (403) rather than sent back to a form they may not use.
    authorize(actor(), Permission.MANAGE_INVENTORY, organisation_id)
    form = ButtonForm()
    back = url_for("inventory_pages.import_file", organisation_id=organisation_id, inventory_id=inventory_id)
    kept = _kept_for(organisation_id, inventory_id)
    if not form.validate_on_submit() or kept is None or not kept[0].get("previewed"):
        return redirect(back)
    facts, data = kept
    mapping = ColumnMapping(**facts["mapping"]) if facts.get("mapping") else None
    try:
        # a mapping chosen on the page is saved for the file's layout with the import
        activities.import_activities(
            uow(), actor(), organisation_id, inventory_id, data=data, filename=facts["filename"],
            max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes,
            limits=activity_file_limits(current_app.extensions["neutrality.settings"]),
            mapping=mapping, overlap=activities.Overlap(facts["overlap"]))
    except NeutralityError as refused:
        context = _context(organisation_id, inventory_id)
        return render_template("inventory/import.html", form=ImportForm(), refused=refused, **context), refused.http_status
    finally:
        pending_files.discard(PENDING_KEY)
    return redirect(url_for("inventory_pages.inventory_page", organisation_id=organisation_id,
                            inventory_id=inventory_id) + "#imports")


@bp.post("/organisations/<int:organisation_id>/inventories/<int:inventory_id>/imports/<int:import_id>/undo")
def undo_import(organisation_id: int, inventory_id: int, import_id: int) -> Any:
    """Take an import back whole (refused once the inventory is verified)."""
    if (away := _signed_in()) is not None:
        return away
    if ButtonForm().validate_on_submit():
        activities.undo_import(uow(), actor(), organisation_id, inventory_id, import_id)
    return redirect(url_for("inventory_pages.inventory_page", organisation_id=organisation_id,
                            inventory_id=inventory_id) + "#imports")
