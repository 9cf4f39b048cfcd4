"""Server-rendered pages: signing in and out, the password, invitations, and a first overview per
organisation.

Signing in opens a server-side session (:mod:`neutrality.accounts.sessions`) whose id the cookie
carries; failed attempts are rate-limited per account and per address
(:mod:`neutrality.web.ratelimit`), and a refusal answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import text
from wtforms import EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, StopValidation

from neutrality.accounts import invitations, sessions
from neutrality.accounts.invitations import InvitationView
from neutrality.db import NOUNS
from neutrality.errors import InvalidInput, NeutralityError, NotFound, Unauthenticated
from neutrality.messages import Msg
from neutrality.organisations import services as organisations
from neutrality.pagination import Page
from neutrality.schemas import ID_RANGE, unstorable_text
from neutrality.web import ratelimit
from neutrality.web.context import SESSION_KEY, actor, uow
from neutrality.web.frame import LOCALE_KEY, ButtonForm, say

bp = Blueprint("pages", __name__)


def storable(_form: FlaskForm, field: Field) -> None:
    """Refuse a NUL character, which no browser sends from a form's field and PostgreSQL stores
    in no text (nor compares with one): the same refusal, in the same words, as the API's for a
    body, before anything looks the value up or stores it."""
    if problems := unstorable_text(field.data or ""):
        raise StopValidation(say(problems[0]))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), storable, Length(max=254)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), storable, Length(max=200)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), storable, Length(max=200)])
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(), storable, Length(max=200)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), storable,
        EqualTo("new_password", message=_l("The two new passwords differ."))])


class NewAccountForm(FlaskForm):
    display_name = StringField(_l("Your name"),
                               validators=[DataRequired(), storable, Length(max=200)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), storable, Length(max=200)])
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(), storable, EqualTo("password", message=_l("The two passwords differ."))])


# --- ids in the address ------------------------------------------------------------------------


def set_aside_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Take out of a page's URL values every id outside the range of an id column (0, or 2**63
    and beyond), before the application's check of path ids answers it 422 to anyone
    (:func:`neutrality.web.api.check_path_ids`, which runs before the visitor is known).

    Such an id names nothing, so the page answers as it does for any id that names nothing once
    the visitor is known (:func:`answer_impossible_ids`): the sign-in page for someone
    anonymous, 404 for someone signed in, the order in which the API answers 401 before 422."""
    if not values:
        return
    impossible = [name for name, value in values.items()
                  if isinstance(value, int) and not ID_RANGE.min <= value <= ID_RANGE.max]
    for name in impossible:
        del values[name]
    g.impossible_page_ids = impossible


def answer_impossible_ids() -> Any:
    impossible = g.get("impossible_page_ids")
    if not impossible:
        return None
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    kind = impossible[0].removesuffix("_id").replace("_", " ")
    raise NotFound(Msg("no {kind} has the number in this address; check the link", kind=NOUNS.get(kind, kind)))


def guard_page_ids(blueprint: Blueprint) -> None:
    """Every blueprint of pages answers an impossible id in its address the same way."""
    blueprint.url_value_preprocessor(set_aside_impossible_ids)
    blueprint.before_request(answer_impossible_ids)


guard_page_ids(bp)


@bp.get("/healthz")
def healthz() -> Any:
    with uow() as unit:
        unit.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def _local_target(target: str | None) -> str | None:
    """``next`` only ever leads to a page of this site: a path, not another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target if "\\" not in target else None


def _begin_browser_session(session_id: str) -> None:
    # A fresh cookie on sign-in: no fixation. The language chosen before signing in stays
    # (the account's own choice, when it has one, still comes first).
    locale = session.get(LOCALE_KEY)
    session.clear()
    session[SESSION_KEY] = session_id
    if locale:
        session[LOCALE_KEY] = locale


def _retry_after(refused: ratelimit.TooManyAttempts) -> dict[str, str]:
    return {"Retry-After": str(refused.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    target = _local_target(request.args.get("next"))
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        email = form.email.data
        try:
            # Refused while limited, even with the right password: that is the point.
            ratelimit.check_sign_in(email)
            session_id = sessions.sign_in(uow(), email, form.password.data)
        except ratelimit.TooManyAttempts as refused:
            error, status, headers = say(refused.message), 429, _retry_after(refused)
        except Unauthenticated as refused:
            ratelimit.count_failed_sign_in(email)
            error, status = say(refused.message), 401
        else:
            _begin_browser_session(session_id)
            return redirect(target or url_for("pages.home"))
    page = render_template("pages/login.html", form=form, error=error, target=target)
    return page, status, headers


@bp.post("/logout")
def logout() -> Any:
    session_id = session.get(SESSION_KEY)
    if session_id is not None:
        sessions.sign_out(uow(), session_id)  # every copy of the cookie stops working
    session.clear()
    return redirect(url_for("pages.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Any:
    current = actor()
    if current.user_id is None:
        return redirect(url_for("pages.login", next=request.path))
    form = PasswordForm()
    error, status, headers, changed = None, 200, {}, False
    if form.validate_on_submit():
        try:
            ratelimit.check_sign_in(current.label)
            sessions.change_password(uow(), current, current_password=form.current_password.data,
                                     new_password=form.new_password.data)
        except ratelimit.TooManyAttempts as refused:
            error, status, headers = say(refused.message), 429, _retry_after(refused)
        except InvalidInput as refused:
            if "current_password" in refused.details:
                ratelimit.count_failed_sign_in(current.label)
            error, status = say(refused.message), 422
        else:
            # Every session of the account has ended; this browser keeps a fresh one.
            _begin_browser_session(sessions.open_session(uow(), current.user_id))
            changed = True
    elif form.errors:
        status = 422
    page = render_template("pages/password.html", form=form, error=error, changed=changed)
    return page, status, headers


# --- invitations -------------------------------------------------------------------------------


def _invitation_page(
    token: str, *, error: str | None = None, status: int = 200,
    new_account: NewAccountForm | None = None,
) -> Any:
    view: InvitationView = invitations.show(uow(), token)
    current = actor()
    return render_template(
        "pages/invitation.html",
        token=token,
        invitation=view,
        signed_in_as=current.label if current.user_id is not None else None,
        answer=ButtonForm(),
        new_account=new_account or NewAccountForm(),
        error=error,
    ), status


@bp.get("/invitations/<token>")
def invitation(token: str) -> Any:
    return _invitation_page(token)


@bp.post("/invitations/<token>/accept")
def accept_invitation(token: str) -> Any:
    try:
        membership = invitations.accept(uow(), actor(), token)
    except NeutralityError as refused:
        return _invitation_page(token, error=say(refused.message), status=refused.http_status)
    return redirect(url_for("dashboard.organisation", organisation_id=membership.organisation_id))


@bp.post("/invitations/<token>/decline")
def decline_invitation(token: str) -> Any:
    try:
        invitations.decline(uow(), actor(), token)
    except NeutralityError as refused:
        return _invitation_page(token, error=say(refused.message), status=refused.http_status)
    return redirect(url_for("pages.home"))


@bp.post("/invitations/<token>/new-account")
def accept_invitation_with_new_account(token: str) -> Any:
    form = NewAccountForm()
    if not form.validate_on_submit():
        return _invitation_page(token, new_account=form, status=422)
    try:
        membership = invitations.create_account_and_accept(
            uow(), token, display_name=form.display_name.data, password=form.password.data)
    except NeutralityError as refused:
        return _invitation_page(token, error=say(refused.message), status=refused.http_status,
                                new_account=form)
    _begin_browser_session(sessions.open_session(uow(), membership.user_id))
    return redirect(url_for("dashboard.organisation", organisation_id=membership.organisation_id))


# --- organisations -----------------------------------------------------------------------------


@bp.get("/")
def home() -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    result = organisations.list_organisations(uow(), actor(), Page(1, 200))
    return render_template("pages/home.html", organisations=result.items)
