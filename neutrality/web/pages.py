"""Server-rendered pages: sign-in, sign-out and a first overview per organisation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import text
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from neutrality.accounts import services as access
from neutrality.commitments import services as commitments
from neutrality.errors import Unauthenticated
from neutrality.organisations import services as organisations
from neutrality.pagination import Page
from neutrality.web.context import actor, uow

bp = Blueprint("pages", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


@bp.get("/healthz")
def healthz() -> Any:
    with uow() as unit:
        unit.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user_id = access.authenticate(uow(), form.email.data, form.password.data)
        except Unauthenticated as exc:
            error = exc.message
        else:
            session.clear()  # a fresh session on sign-in: no fixation
            session["user_id"] = user_id
            return redirect(url_for("pages.home"))
    status = 401 if error else 200
    return render_template("pages/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> Any:
    LogoutForm().validate_on_submit()
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/")
def home() -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    result = organisations.list_organisations(uow(), actor(), Page(1, 200))
    return render_template("pages/home.html", organisations=result.items, logout=LogoutForm())


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    sites = organisations.list_sites(uow(), actor(), organisation_id, Page(1, 200)).items
    subjects = organisations.list_subjects(uow(), actor(), organisation_id)
    commitments_ = commitments.list_commitments(uow(), actor(), organisation_id)
    return render_template(
        "pages/organisation.html",
        org=org,
        sites=sites,
        subjects={s.id: s for s in subjects},
        commitments=commitments_,
        logout=LogoutForm(),
    )
