"""The pages of an inventory: its report by scope, category, gas and site name, the files
imported into it, and the guided import of an activity file (upload → preview with every row
error and each row's tCO2e → confirm; undo an import).

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
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from neutrality.access.model import Permission, authorize
from neutrality.errors import NeutralityError
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.inventory.importing import ColumnMapping
from neutrality.organisations import services as organisations
from neutrality.sheet_limits import activity_file_limits
from neutrality.spreadsheets import ImportRejected
from neutrality.web import column_mapping, pending_files
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.frame import ButtonForm
from neutrality.web.pages import guard_page_ids

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
    return render_template("inventory/inventory.html", report=report, imports=imports, sites=sites,
                           undo=ButtonForm(), **context)


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
    kept_facts = {name: value for name, value in facts.items() if name != "token"}
    pending_files.keep(PENDING_KEY, data, **{**kept_facts, "sha256": outcome.sha256, "previewed": True,
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
