"""The retirement ledger of a period in the browser: every retirement and reversal, which the
claim counts and which it does not (and why), and the reversal of a mistaken retirement with
its reason. The ledger is append-only: a reversal is a compensating entry, never an edit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from neutrality.claims import services as claims
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.pagination import Page
from neutrality.registry import retirements
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("ledger_pages", __name__)
guard_page_ids(bp)


class ReverseForm(FlaskForm):
    reason = StringField(_l("Why this retirement is reversed"),
                         validators=[DataRequired(_l("Give the reason of the reversal.")), storable, Length(max=2000)])


def _page(organisation_id: int, period_id: int, form: ReverseForm, reversing: int | None = None,
          refused: NeutralityError | None = None, status: int = 200) -> Any:
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    trail = crumbs_to(org, period_id)
    entries = retirements.list_retirements(uow(), actor(), organisation_id, Page(1, 500), period_id=period_id).items
    balance = claims.period_balance(uow(), actor(), organisation_id, period_id)
    excluded = {e.retirement_id: e for e in (balance.claim.excluded if balance.claim else ())}
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    return render_template("ledger/ledger.html", org=org, period=trail.period, entries=entries, excluded=excluded,
                           reversed_ids=reversed_ids, form=form, reversing=reversing, refused=refused,
                           crumbs=[*trail.crumbs, Crumb(str(_l("Retirement ledger")))],
                           locale=str(get_locale())), status


@bp.get("/organisations/<int:organisation_id>/periods/<int:period_id>/ledger")
def ledger(organisation_id: int, period_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    return _page(organisation_id, period_id, ReverseForm())


@bp.post("/organisations/<int:organisation_id>/periods/<int:period_id>/ledger/<int:retirement_id>/reverse")
def reverse(organisation_id: int, period_id: int, retirement_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    form = ReverseForm()
    if not form.validate_on_submit():
        return _page(organisation_id, period_id, form, reversing=retirement_id, status=422)
    try:
        retirements.reverse(uow(), actor(), organisation_id, retirement_id, form.reason.data.strip())
    except NeutralityError as refused:
        return _page(organisation_id, period_id, ReverseForm(), refused=refused, status=refused.http_status)
    return redirect(url_for("ledger_pages.ledger", organisation_id=organisation_id, period_id=period_id))
