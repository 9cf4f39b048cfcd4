"""Procurement's registry import in the browser: a registry export or statement (Verra, Gold
Standard, the GEC platform, I-REC, CCER…) read into held blocks, previewed first (every row
error, or what it would add per scheme), then imported on confirmation — exactly the bytes
previewed (:mod:`neutrality.web.pending_files`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from neutrality.access.model import Permission, authorize
from neutrality.clock import utcnow
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.registry import importing
from neutrality.sheet_limits import registry_file_limits
from neutrality.spreadsheets import ImportRejected
from neutrality.web import pending_files
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.frame import ButtonForm
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("registry_pages", __name__)
guard_page_ids(bp)

PENDING_KEY = "pending_registry_import"


class RegistryImportForm(FlaskForm):
    file = FileField(_l("Registry export or statement (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose the registry's file."))])
    account = StringField(_l("Account the units are held in (optional)"),
                          validators=[Optional(), storable, Length(max=200)])


def _context(organisation_id: int) -> dict[str, Any]:
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    crumbs = [Crumb(str(_l("Organisations")), url_for("pages.home")),
              Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
              Crumb(str(_l("Holdings")), url_for("holdings_pages.holdings_page", organisation_id=org.id)),
              Crumb(str(_l("Registry import")))]
    return {"org": org, "crumbs": crumbs}


def _read(organisation_id: int, data: bytes, filename: str, account: str, *, dry_run: bool) -> Any:
    settings = current_app.extensions["neutrality.settings"]
    return importing.import_registry_file(
        uow(), actor(), organisation_id, data=data, filename=filename, max_bytes=settings.max_upload_bytes,
        limits=registry_file_limits(settings), as_of=utcnow().date(), account=account, dry_run=dry_run)


@bp.route("/organisations/<int:organisation_id>/registry-import", methods=["GET", "POST"])
def registry_import(organisation_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    context = _context(organisation_id)
    form = RegistryImportForm()
    if not form.validate_on_submit():
        return render_template("registry/import.html", form=form, **context), 422 if request.method == "POST" else 200
    upload = form.file.data
    data, filename, account = upload.read(), Path(upload.filename or "registry").name, (form.account.data or "").strip()
    try:
        outcome = _read(organisation_id, data, filename, account, dry_run=True)
    except ImportRejected as rejected:
        return render_template("registry/import.html", form=form, rejected=rejected, filename=filename, **context), 422
    except NeutralityError as refused:
        return render_template("registry/import.html", form=form, refused=refused, **context), refused.http_status
    if outcome.errors:
        return render_template("registry/import.html", form=form, rejected=outcome, filename=filename, **context), 422
    pending_files.keep(PENDING_KEY, data, filename=filename, account=account, organisation_id=organisation_id)
    return render_template("registry/preview.html", outcome=outcome, confirm=ButtonForm(), **context)


@bp.post("/organisations/<int:organisation_id>/registry-import/confirm")
def confirm(organisation_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    # Refused as the import itself would be: someone who may not import never has a preview
    # to confirm, and is told so (403) rather than sent back to a form they may not use.
    authorize(actor(), Permission.MANAGE_INSTRUMENTS, organisation_id)
    back = url_for("registry_pages.registry_import", organisation_id=organisation_id)
    kept = pending_files.pending(PENDING_KEY)
    if not ButtonForm().validate_on_submit() or kept is None or kept[0].get("organisation_id") != organisation_id:
        return redirect(back)
    facts, data = kept
    try:
        _read(organisation_id, data, facts["filename"], facts["account"], dry_run=False)
    except NeutralityError as refused:
        return render_template("registry/import.html", form=RegistryImportForm(), refused=refused,
                               **_context(organisation_id)), refused.http_status
    finally:
        pending_files.discard(PENDING_KEY)
    return redirect(url_for("holdings_pages.holdings_page", organisation_id=organisation_id))
