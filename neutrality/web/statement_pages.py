"""A period's statements in the browser: what the statement would declare today, a preview PDF
(nothing stored), the issued versions of each kind with their hashes and PDFs, and the forms
that issue, publish and withdraw them.

Every form posts to the use case the API and the command line call
(:mod:`neutrality.statements.versions`); the pages hold no rule of their own. The write forms are
offered only to whom the use cases allow (``manage_commitments``), and a request crafted by hand
is refused 403 before its form is read. A preview and the stored PDFs are for every member.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from neutrality.access.model import Permission, authorize
from neutrality.accounts import services as accounts
from neutrality.clock import utcnow
from neutrality.errors import Conflict, NeutralityError, NotFound
from neutrality.messages import Msg
from neutrality.organisations import services as organisations
from neutrality.statements import versions
from neutrality.statements.content import (
    DeclarationType,
    FindingLine,
    Statement,
    StatementKind,
    declaration_wording,
)
from neutrality.statements.rendering import statement_filename, statement_pdf
from neutrality.statements.services import build_statement, kinds_allowed, public_url
from neutrality.statements.tables import StatementVersion
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.frame import LANGUAGES, ButtonForm
from neutrality.web.organisation_pages import refusal_onto
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("statement_pages", __name__)
guard_page_ids(bp)

PAGE = "/organisations/<int:organisation_id>/periods/<int:period_id>/statements"
VERSION = PAGE + "/<int:version_id>"

#: The kinds in the order the page shows them; PAS 2060 is kept for the periods claimed under it.
KINDS = (StatementKind.ISO_14068_1_REPORT, StatementKind.PAS_2060_QES, StatementKind.CN_ZERO_CARBON_FACTORY)
KIND_TITLES = {
    StatementKind.ISO_14068_1_REPORT: _l("ISO 14068-1 carbon neutrality report"),
    StatementKind.PAS_2060_QES: _l("PAS 2060 qualifying explanatory statement"),
    StatementKind.CN_ZERO_CARBON_FACTORY: _l("Zero-carbon factory declaration (零碳工厂声明)"),
}
LEGACY = {StatementKind.PAS_2060_QES: _l("legacy: PAS 2060 was withdrawn on 30 November 2025")}
DECLARATIONS = {DeclarationType.COMMITMENT.value: _l("commitment"), DeclarationType.ACHIEVEMENT.value: _l("achievement")}
STATUSES = {
    versions.VersionStatus.ISSUED: _l("issued, not public"),
    versions.VersionStatus.PUBLISHED: _l("published"),
    versions.VersionStatus.SUPERSEDED: _l("superseded"),
    versions.VersionStatus.WITHDRAWN: _l("withdrawn"),
}


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(k.value, KIND_TITLES[k]) for k in KINDS]


class PreviewForm(FlaskForm):
    """Read from the address (a GET): it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Statement"), choices=_kind_choices)
    lang = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES])


class IssueForm(FlaskForm):
    kind = SelectField(_l("Statement"), choices=_kind_choices)
    declaration = SelectField(_l("Declaration"), choices=[
        SelectChoice("", _l("the statement's own (what the rules allow)")),
        SelectChoice(DeclarationType.COMMITMENT.value, _l("a commitment")),
        SelectChoice(DeclarationType.ACHIEVEMENT.value, _l("an achievement"))], default="")
    changes = TextAreaField(_l("What changed since the previous version (required from version 2)"),
                            validators=[Optional(), storable, Length(max=5000)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why it is withdrawn"),
                           validators=[DataRequired(_l("Say why the statement is withdrawn.")), storable,
                                       Length(max=5000)])


# --- what the page shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Prospect:
    """What a statement issued today would declare: the statement's own declaration, the
    blocking findings that keep it from an achievement, and its wording for each kind."""

    declaration: DeclarationType
    blocking: tuple[FindingLine, ...]
    wording: Mapping[StatementKind, str]


@dataclass(frozen=True)
class VersionRow:
    version: StatementVersion
    status: versions.VersionStatus
    issued_by: str
    published_by: str
    withdrawn_by: str


@dataclass(frozen=True)
class KindBlock:
    kind: StatementKind
    rows: tuple[VersionRow, ...]


def _prospect(organisation_id: int, period_id: int,
              allowed: tuple[StatementKind, ...]) -> tuple[Prospect | None, NeutralityError | None]:
    """The statement built now (as the preview builds it, nothing stored) in the first kind the
    claim allows; the refusal instead when the period cannot be stated yet (no inventory, say)."""
    try:
        built = build_statement(uow(), actor(), organisation_id, period_id, allowed[0],
                                prepared_on=utcnow().date())
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return None, refused
    statement = built.statement
    return Prospect(statement.declaration, _blocking_lines(statement), _wordings(statement, allowed)), None


def _blocking_lines(statement: Statement) -> tuple[FindingLine, ...]:
    """One line per blocking rule (:func:`versions.blocking_findings`), its first finding."""
    first: dict[str, FindingLine] = {}
    for f in statement.findings:
        first.setdefault(f.rule_id, f)
    return tuple(first[rule_id] for rule_id in versions.blocking_findings(statement))


def _wordings(statement: Statement, kinds: tuple[StatementKind, ...]) -> dict[StatementKind, str]:
    """The declaration's wording in each kind the claim allows: the findings and the balance do
    not depend on the kind, only the sentence does."""
    locale = str(get_locale())
    return {k: declaration_wording(dataclasses.replace(statement, kind=k)).in_locale(locale) for k in kinds}


def _names(organisation_id: int) -> dict[int, str]:
    """Who issued, published or withdrew: the members by name."""
    return {m.user_id: m.user.display_name for m in accounts.list_members(uow(), actor(), organisation_id)}


def _blocks(organisation_id: int, period_id: int, allowed: tuple[StatementKind, ...]) -> list[KindBlock]:
    """A block per kind the claim allows, and per kind issued before (a commitment's standard
    may have changed since)."""
    issued = versions.list_versions(uow(), actor(), organisation_id, period_id)
    names = _names(organisation_id)

    def who(user_id: int | None) -> str:
        return "" if user_id is None else names.get(user_id, f"#{user_id}")

    return [KindBlock(k, tuple(VersionRow(v, versions.status_of(v), who(v.issued_by), who(v.published_by),
                                          who(v.withdrawn_by))
                               for v in sorted(issued, key=lambda v: -v.version) if v.kind == k.value))
            for k in KINDS if k in allowed or any(v.kind == k.value for v in issued)]


def _public_url(organisation_id: int, period_id: int) -> str:
    return public_url(current_app.extensions["neutrality.settings"].public_url, organisation_id, period_id)


def _page(organisation_id: int, period_id: int, *, forms: dict[str, Any] | None = None,
          refused: NeutralityError | None = None, failed: str = "", version_id: int = 0, status: int = 200) -> Any:
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    trail = crumbs_to(org, period_id)
    allowed = kinds_allowed(trail.commitment.standard, bool(trail.commitment.zero_carbon_factory))
    blocks = _blocks(organisation_id, period_id, allowed)
    prospect, unstated = _prospect(organisation_id, period_id, allowed)
    forms = {"preview": PreviewForm(formdata=None), "issue": IssueForm(formdata=None),
             "withdraw": WithdrawForm(formdata=None), "button": ButtonForm(formdata=None), **(forms or {})}
    for name in ("preview", "issue"):  # only the statements the claim may be declared in are offered
        forms[name].kind.choices = [SelectChoice(k.value, KIND_TITLES[k]) for k in allowed]
    refused_findings = _refused_findings(refused, prospect)
    published = any(r.status is versions.VersionStatus.PUBLISHED for b in blocks for r in b.rows)
    return render_template(
        "statements/statements.html", org=org, period=trail.period, subject=trail.subject,
        commitment=trail.commitment, blocks=blocks, prospect=prospect, unstated=unstated, forms=forms,
        refused=refused, refused_findings=refused_findings, failed=failed, version_id=version_id,
        public=_public_url(organisation_id, period_id), published=published, kind_titles=KIND_TITLES,
        legacy=LEGACY, declarations=DECLARATIONS, statuses=STATUSES, languages=dict(LANGUAGES),
        notices=get_flashed_messages(), crumbs=[*trail.crumbs, Crumb(str(_l("Statements")))]), status


def _refused_findings(refused: NeutralityError | None, prospect: Prospect | None) -> list[tuple[str, Any]]:
    """The blocking findings a refused achievement names, each with its title when the page's
    own reading of the period has it (it is read again after the refusal: the same facts)."""
    details = refused.details if refused is not None and isinstance(refused.details, Mapping) else {}
    ids = details.get("findings") or []
    titles = {f.rule_id: f.title for f in prospect.blocking} if prospect is not None else {}
    return [(rule_id, titles.get(rule_id)) for rule_id in ids if isinstance(rule_id, str)]


def _signed_in() -> Any:
    return None if actor().is_authenticated else redirect(url_for("pages.login", next=request.path))


@bp.get(PAGE)
def statements(organisation_id: int, period_id: int) -> Any:
    """The period's statements: what would be declared, the versions issued, the forms."""
    if (away := _signed_in()) is not None:
        return away
    return _page(organisation_id, period_id)


@bp.get(PAGE + "/preview.pdf")
def preview(organisation_id: int, period_id: int) -> Any:
    """The statement of the chosen kind as it would be issued today, as PDF in the chosen
    language: built, rendered and sent; nothing is stored."""
    if (away := _signed_in()) is not None:
        return away
    form = PreviewForm(formdata=request.args)
    if not form.validate():
        return _page(organisation_id, period_id, forms={"preview": form}, failed="preview", status=422)
    try:
        built = build_statement(uow(), actor(), organisation_id, period_id, form.kind.data,
                                prepared_on=utcnow().date(), published_at=_public_url(organisation_id, period_id))
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        # said on the page, above the form: the period cannot be stated yet (no inventory, say)
        return _page(organisation_id, period_id, refused=refused, forms={"preview": form}, failed="preview",
                     status=refused.http_status)
    lang = form.lang.data
    name = statement_filename(built.statement, lang).removesuffix(".pdf") + "-preview.pdf"
    return _pdf(statement_pdf(built.statement, lang, sha256=built.sha256), name)


def _pdf(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _of_period(organisation_id: int, period_id: int, version_id: int) -> StatementVersion:
    """The version, when it is one of this period's (the address names both)."""
    version = versions.get_version(uow(), actor(), organisation_id, version_id)
    if version.period_id != period_id:
        raise NotFound(Msg("statement {id} not found", id=version_id))
    return version


@bp.get(VERSION + ".pdf")
def version_pdf(organisation_id: int, period_id: int, version_id: int) -> Any:
    """The PDF stored when the version was issued, in ``?lang=``; a file that no longer matches
    its recorded SHA-256 is refused on a page naming both hashes, never served."""
    if (away := _signed_in()) is not None:
        return away
    version = _of_period(organisation_id, period_id, version_id)
    lang = request.args.get("lang", "en")
    try:
        content = versions.version_pdf(uow(), actor(), organisation_id, version_id, lang)
    except Conflict as refused:
        details = refused.details if isinstance(refused.details, Mapping) else {}
        if "recorded_sha256" not in details:
            raise
        org = organisations.get_organisation(uow(), actor(), organisation_id)
        trail = crumbs_to(org, period_id)
        crumbs = [*trail.crumbs, Crumb(str(_l("Statements")), url_for(
            "statement_pages.statements", organisation_id=organisation_id, period_id=period_id)),
            Crumb(str(_l("Changed PDF")))]
        return render_template("statements/tampered.html", org=org, version=version, details=details,
                               kind_titles=KIND_TITLES, languages=dict(LANGUAGES), crumbs=crumbs), 409
    snap = version.snapshot.get("period", {})
    name = f"statement-{version.kind}-{snap.get('start', '')}-{snap.get('end', '')}-v{version.version}-{lang}.pdf"
    return _pdf(content, name)


# --- writing ---------------------------------------------------------------------------------


def _back(organisation_id: int, period_id: int, anchor: str = "") -> Any:
    return redirect(url_for("statement_pages.statements", organisation_id=organisation_id, period_id=period_id)
                    + anchor)


def _refused(organisation_id: int, period_id: int, refused: NeutralityError, **kwargs: Any) -> Any:
    if refused.http_status in (403, 404):
        raise refused
    return _page(organisation_id, period_id, refused=refused, status=refused.http_status, **kwargs)


@bp.post(PAGE + "/issue")
def issue(organisation_id: int, period_id: int) -> Any:
    """Issue the next version of the chosen kind: its snapshot frozen, its three PDFs stored."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_COMMITMENTS, organisation_id)  # before reading the form
    form = IssueForm()
    if not form.validate_on_submit():
        return _page(organisation_id, period_id, forms={"issue": form}, failed="issue", status=422)
    try:
        version = versions.issue_statement(
            uow(), actor(), organisation_id, period_id, form.kind.data, issued_on=utcnow().date(),
            changes=form.changes.data, declaration=form.declaration.data or None,
            published_at=_public_url(organisation_id, period_id))
    except NeutralityError as refused:
        shown = refused
        if refused.http_status == 422 and refusal_onto(form, refused):
            shown = None  # said next to its field
        if shown is None:
            return _page(organisation_id, period_id, forms={"issue": form}, failed="issue", status=422)
        return _refused(organisation_id, period_id, shown, forms={"issue": form}, failed="issue")
    flash(_("Version %(version)s of the %(kind)s is issued: its three PDFs are stored.", version=version.version,
            kind=KIND_TITLES[StatementKind(version.kind)]))
    return _back(organisation_id, period_id, f"#version-{version.id}")


@bp.post(VERSION + "/publication")
def publish(organisation_id: int, period_id: int, version_id: int) -> Any:
    """Make the version the period's public declaration of its kind."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_COMMITMENTS, organisation_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return _page(organisation_id, period_id, failed="publish", version_id=version_id, status=422)
    _of_period(organisation_id, period_id, version_id)
    try:
        version = versions.publish_version(uow(), actor(), organisation_id, version_id)
    except NeutralityError as refused:
        return _refused(organisation_id, period_id, refused, failed="publish", version_id=version_id)
    flash(_("Version %(version)s of the %(kind)s is published.", version=version.version,
            kind=KIND_TITLES[StatementKind(version.kind)]))
    return _back(organisation_id, period_id, f"#version-{version.id}")


@bp.post(VERSION + "/withdrawal")
def withdraw(organisation_id: int, period_id: int, version_id: int) -> Any:
    """Withdraw the version, saying why: it stays listed, marked withdrawn with its reason."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_COMMITMENTS, organisation_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _page(organisation_id, period_id, forms={"withdraw": form}, failed="withdraw", version_id=version_id,
                     status=422)
    _of_period(organisation_id, period_id, version_id)
    try:
        version = versions.withdraw_version(uow(), actor(), organisation_id, version_id, reason=form.reason.data)
    except NeutralityError as refused:
        if refused.http_status == 422 and refusal_onto(form, refused):
            return _page(organisation_id, period_id, forms={"withdraw": form}, failed="withdraw",
                         version_id=version_id, status=422)
        return _refused(organisation_id, period_id, refused, forms={"withdraw": form}, failed="withdraw",
                        version_id=version_id)
    flash(_("Version %(version)s of the %(kind)s is withdrawn.", version=version.version,
            kind=KIND_TITLES[StatementKind(version.kind)]))
    return _back(organisation_id, period_id, f"#version-{version.id}")
