"""What a verifier checks in the browser: a registry's retirement export reconciled with the
ledger (every mismatch named), and the audit log of the organisation with the check of its hash
chain.

Both are read-only: a reconciliation writes nothing, and the pages carry no write action. The
figures and sentences are those of the use cases the API calls."""

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

from neutrality.audit import services as audit
from neutrality.commitments import services as commitments
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.pagination import Page
from neutrality.registry import reconciling
from neutrality.sheet_limits import registry_file_limits
from neutrality.spreadsheets import ImportRejected
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.frame import period_name
from neutrality.web.pages import guard_page_ids

bp = Blueprint("verifier_pages", __name__)
guard_page_ids(bp)


class ReconcileForm(FlaskForm):
    file = FileField(_l("Registry retirement export (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose the registry's export."))])
    period = SelectField(_l("Compare with the retirements of"), default="")


def _crumbs(org: Any, last: str) -> list[Crumb]:
    return [Crumb(str(_l("Organisations")), url_for("pages.home")),
            Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)), Crumb(last)]


@bp.route("/organisations/<int:organisation_id>/reconciliation", methods=["GET", "POST"])
def reconciliation(organisation_id: int) -> Any:
    """Upload a registry's retirement export and see every mismatch with the ledger."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    subjects = {s.id: s.name for s in organisations.list_subjects(uow(), actor(), organisation_id)}
    form = ReconcileForm()
    form.period.choices = [SelectChoice("", str(_l("every period")))] + [
        SelectChoice(str(p.id), f"{subjects.get(c.subject_id, '')} · {period_name(p)}")
        for c in commitments.list_commitments(uow(), actor(), organisation_id) for p in c.periods]
    context = {"org": org, "form": form, "crumbs": _crumbs(org, str(_l("Reconciliation"))), "locale": str(get_locale())}
    if not form.validate_on_submit():
        return render_template("verifier/reconciliation.html", **context), 422 if request.method == "POST" else 200
    upload = form.file.data
    settings = current_app.extensions["neutrality.settings"]
    try:
        result = reconciling.reconcile_export(
            uow(), actor(), organisation_id, data=upload.read(), filename=Path(upload.filename or "export").name,
            max_bytes=settings.max_upload_bytes, period_id=int(form.period.data) if form.period.data else None,
            limits=registry_file_limits(settings))
    except ImportRejected as rejected:
        return render_template("verifier/reconciliation.html", rejected=rejected, **context), 422
    except NeutralityError as refused:
        return render_template("verifier/reconciliation.html", refused=refused, **context), refused.http_status
    return render_template("verifier/reconciliation.html", result=result, **context)


@bp.get("/organisations/<int:organisation_id>/audit")
def audit_log(organisation_id: int) -> Any:
    """The organisation's audit log, newest first, a page at a time."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    number = max(1, request.args.get("page", 1, type=int) or 1)
    entries = audit.list_entries(uow(), actor(), organisation_id, Page(number, 100))
    # The check walks the whole log (every organisation's entries): on request, not on every view.
    chain = (audit.verify_organisation_chain(uow(), actor(), organisation_id)
             if request.args.get("check") else None)
    return render_template("verifier/audit.html", org=org, entries=entries, page=number, chain=chain,
                           crumbs=_crumbs(org, str(_l("Audit log"))))
