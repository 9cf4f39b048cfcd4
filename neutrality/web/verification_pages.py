"""The verifier's workspace in the browser: an organisation's periods with the state of their
verification and the comments waiting, and a period's review page, where the verifier opens
and closes comments and gives its opinion, and the lead answers.

Each form posts to the use case the API calls (neutrality.verification.services); a form is
offered only to whom the use case allows, and a request crafted by hand is refused 403."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from neutrality.access.model import Permission, authorize
from neutrality.clock import utcnow
from neutrality.errors import NeutralityError
from neutrality.inventory.status import AssuranceLevel
from neutrality.organisations import services as organisations
from neutrality.verification import services
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.pages import guard_page_ids, storable
from neutrality.web.uploads import MAX_FILENAME

bp = Blueprint("verification_pages", __name__)
guard_page_ids(bp)

PERIOD = "/organisations/<int:organisation_id>/periods/<int:period_id>/review"
_ID = Regexp(r"^\s*\d{1,9}\s*$", message=_l("Give the record's number."))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write the comment.")), storable, Length(max=5000)])
    activity_id = StringField(_l("About activity record #"), validators=[Optional(), _ID])
    retirement_id = StringField(_l("About retirement #"), validators=[Optional(), _ID])
    finding = StringField(_l("About the finding of rule"), validators=[Optional(), storable, Length(max=40)])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Write the answer.")), storable, Length(max=5000)])


class CloseForm(FlaskForm):
    body = TextAreaField(_l("Last word (optional)"), validators=[Optional(), storable, Length(max=5000)])


class OpinionForm(FlaskForm):
    assurance_level = SelectField(_l("Assurance level"), choices=[
        SelectChoice(AssuranceLevel.LIMITED.value, _l("limited")),
        SelectChoice(AssuranceLevel.REASONABLE.value, _l("reasonable"))])
    conclusion = TextAreaField(_l("Conclusion"), validators=[DataRequired(_l("Write the conclusion.")), storable,
                                                              Length(max=5000)])
    issued_on = DateField(_l("Date of the opinion"), validators=[DataRequired(_l("Give the date of the opinion."))])
    statement = FileField(_l("Signed statement"), validators=[FileRequired(_l("Attach the signed statement."))])


def _signed_in() -> Any:
    return None if actor().is_authenticated else redirect(url_for("pages.login", next=request.path))


@bp.get("/organisations/<int:organisation_id>/verification")
def workspace(organisation_id: int) -> Any:
    """Every period with its inventory, its verification's state and the comments waiting."""
    if (away := _signed_in()) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    rows = services.workspace(uow(), actor(), organisation_id)
    crumbs = [Crumb(str(_l("Organisations")), url_for("pages.home")),
              Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
              Crumb(str(_l("Verification")))]
    return render_template("verifier/workspace.html", org=org, rows=rows, crumbs=crumbs)


def _review(organisation_id: int, period_id: int, *, forms: dict[str, Any] | None = None,
            refused: NeutralityError | None = None, status: int = 200, failed: str = "", comment_id: int = 0) -> Any:
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    review = services.period_review(uow(), actor(), organisation_id, period_id)
    trail = crumbs_to(org, period_id)
    forms = {"comment": CommentForm(formdata=None), "message": MessageForm(formdata=None),
             "close": CloseForm(formdata=None), "opinion": OpinionForm(formdata=None), **(forms or {})}
    return render_template("verifier/review.html", org=org, period=trail.period, review=review, forms=forms,
                           refused=refused, failed=failed, comment_id=comment_id,
                           crumbs=[*trail.crumbs, Crumb(str(_l("Review")))]), status


@bp.get(PERIOD)
def review(organisation_id: int, period_id: int) -> Any:
    """The period's review: its verification and the verifier's opinion, the comment threads."""
    if (away := _signed_in()) is not None:
        return away
    return _review(organisation_id, period_id)


def _back(organisation_id: int, period_id: int, anchor: str = "") -> Any:
    return redirect(url_for("verification_pages.review", organisation_id=organisation_id, period_id=period_id) + anchor)


def _refused(organisation_id: int, period_id: int, refused: NeutralityError, **kwargs: Any) -> Any:
    if refused.http_status == 403:
        raise refused
    return _review(organisation_id, period_id, refused=refused, status=refused.http_status, **kwargs)


@bp.post(PERIOD + "/comments")
def open_comment(organisation_id: int, period_id: int) -> Any:
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.VERIFY, organisation_id)  # before reading the form
    form = CommentForm()
    if not form.validate_on_submit():
        return _review(organisation_id, period_id, forms={"comment": form}, status=422, failed="comment")
    try:
        services.open_comment(
            uow(), actor(), organisation_id, period_id, body=form.body.data,
            activity_id=int(form.activity_id.data) if form.activity_id.data else None,
            retirement_id=int(form.retirement_id.data) if form.retirement_id.data else None,
            finding=(form.finding.data or "").strip() or None, as_of=utcnow().date())
    except NeutralityError as refused:
        return _refused(organisation_id, period_id, refused, forms={"comment": form}, failed="comment")
    return _back(organisation_id, period_id, "#comments")


def _thread_write(organisation_id: int, period_id: int, comment_id: int, kind: str) -> Any:
    if (away := _signed_in()) is not None:
        return away
    needed = Permission.MANAGE_INVENTORY if kind == "answer" else Permission.VERIFY
    authorize(actor(), needed, organisation_id)
    form = CloseForm() if kind == "close" else MessageForm()
    name = "close" if kind == "close" else "message"
    if not form.validate_on_submit():
        return _review(organisation_id, period_id, forms={name: form}, status=422, failed=name, comment_id=comment_id)
    write = {"answer": services.answer_comment, "reply": services.reply_comment,
             "close": services.close_comment}[kind]
    try:
        write(uow(), actor(), organisation_id, comment_id, body=form.body.data or "")
    except NeutralityError as refused:
        return _refused(organisation_id, period_id, refused, forms={name: form}, failed=name, comment_id=comment_id)
    return _back(organisation_id, period_id, f"#comment-{comment_id}")


@bp.post(PERIOD + "/comments/<int:comment_id>/answer")
def answer_comment(organisation_id: int, period_id: int, comment_id: int) -> Any:
    return _thread_write(organisation_id, period_id, comment_id, "answer")


@bp.post(PERIOD + "/comments/<int:comment_id>/reply")
def reply_comment(organisation_id: int, period_id: int, comment_id: int) -> Any:
    return _thread_write(organisation_id, period_id, comment_id, "reply")


@bp.post(PERIOD + "/comments/<int:comment_id>/close")
def close_comment(organisation_id: int, period_id: int, comment_id: int) -> Any:
    return _thread_write(organisation_id, period_id, comment_id, "close")


@bp.post(PERIOD + "/opinion")
def give_opinion(organisation_id: int, period_id: int) -> Any:
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.VERIFY, organisation_id)
    form = OpinionForm()
    if not form.validate_on_submit():
        return _review(organisation_id, period_id, forms={"opinion": form}, status=422, failed="opinion")
    upload = form.statement.data
    filename = Path(upload.filename or "statement").name
    if len(filename) > MAX_FILENAME or "\x00" in filename:
        form.statement.errors = [str(_l("Rename the file: its name is too long or holds a NUL character."))]
        return _review(organisation_id, period_id, forms={"opinion": form}, status=422, failed="opinion")
    try:
        inventory_id = services.inventory_under_review(uow(), actor(), organisation_id, period_id)
        services.confirm_verification(
            uow(), actor(), organisation_id, inventory_id, assurance_level=form.assurance_level.data,
            conclusion=form.conclusion.data, issued_on=form.issued_on.data, statement=upload.read(),
            statement_filename=filename)
    except NeutralityError as refused:
        return _refused(organisation_id, period_id, refused, forms={"opinion": form}, failed="opinion")
    return _back(organisation_id, period_id, "#verification")
