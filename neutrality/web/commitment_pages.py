"""The lead's commitment form: which factory, under which standard, from when. It explains the
two dates that fix the application periods, and shows the periods they make before anything is
saved (a newcomer who means 2025 and types the dates of 2024 sees it at once)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from neutrality.commitments import services as commitments
from neutrality.commitments.model import STANDARD_TITLES, PeriodPlan, Standard, generate_periods
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("commitment_pages", __name__)
guard_page_ids(bp)

CREDIT_TYPES = ("CCER", "VCU", "GS_VER", "CER", "ACC")


class CommitmentForm(FlaskForm):
    subject_id = SelectField(_l("Factory or subject of the claim"), coerce=int, validators=[DataRequired()])
    standard = SelectField(_l("Standard the claim is made under"), choices=[
        SelectChoice(s.value, STANDARD_TITLES[s]) for s in Standard], default=Standard.ISO_14068_1_2023.value)
    zero_carbon_factory = BooleanField(_l("A zero-carbon factory declaration (工信部联节〔2026〕13号)"), default=True)
    statement = TextAreaField(_l("Commitment statement"), validators=[DataRequired(), storable, Length(max=5000)])
    baseline_date = DateField(_l("Baseline date"), validators=[DataRequired(_l("Give the baseline date."))])
    first_qualification_date = DateField(_l("First qualification date"),
                                         validators=[DataRequired(_l("Give the first qualification date."))])
    period_length_months = IntegerField(_l("Months per later period"), default=12,
                                        validators=[DataRequired(), NumberRange(1, 60)])
    periods = IntegerField(_l("Periods to create now"), default=2, validators=[DataRequired(), NumberRange(1, 10)])
    intended_credit_types = SelectMultipleField(
        _l("Credit types the claim intends to use"), choices=[SelectChoice(c, c) for c in CREDIT_TYPES],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


def _crumbs(org: Any) -> list[Crumb]:
    return [Crumb(str(_l("Organisations")), url_for("pages.home")),
            Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
            Crumb(str(_l("New commitment")))]


@bp.route("/organisations/<int:organisation_id>/commitments/new", methods=["GET", "POST"])
def new_commitment(organisation_id: int) -> Any:
    """The form; "preview" shows the periods the dates make, "save" creates the commitment and
    its first periods."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    form = CommitmentForm()
    form.subject_id.choices = [SelectChoice(s.id, s.name) for s in organisations.list_subjects(uow(), actor(), organisation_id)]
    context = {"org": org, "form": form, "crumbs": _crumbs(org), "preview": None,
               "problem": None}
    if not form.validate_on_submit():
        return render_template("commitments/new.html", **context), 422 if request.method == "POST" else 200
    plan = PeriodPlan(form.baseline_date.data, form.first_qualification_date.data, form.period_length_months.data)
    try:
        preview = generate_periods(plan, [], count=form.periods.data)
    except NeutralityError as problem:
        return render_template("commitments/new.html", **{**context, "problem": problem}), 422
    if request.form.get("action") != "save":
        return render_template("commitments/new.html", **{**context, "preview": preview})
    data = {"subject_id": form.subject_id.data, "standard": form.standard.data,
            "zero_carbon_factory": form.zero_carbon_factory.data, "statement": form.statement.data.strip(),
            "baseline_date": plan.baseline_date, "first_qualification_date": plan.first_qualification_date,
            "period_length_months": plan.length_months,
            "intended_credit_types": list(form.intended_credit_types.data or [])}
    try:
        created = commitments.create_commitment(uow(), actor(), organisation_id, data)
        commitments.generate(uow(), actor(), organisation_id, created.id, count=form.periods.data)
    except NeutralityError as problem:
        return render_template("commitments/new.html", **{**context, "problem": problem, "preview": preview}), \
            problem.http_status
    return redirect(url_for("dashboard.organisation", organisation_id=organisation_id) + f"#commitment-{created.id}")
