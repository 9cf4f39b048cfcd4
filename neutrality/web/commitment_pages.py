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
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from neutrality.access.model import Permission, authorize
from neutrality.commitments import services as commitments
from neutrality.commitments.model import STANDARD_TITLES, PeriodPlan, Standard, generate_periods
from neutrality.commitments.schemas import FRAMEWORKS
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.frame import period_name
from neutrality.web.organisation_pages import refusal_onto
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


# --- editing a commitment ----------------------------------------------------------------------

#: The fields that fix the periods: the use case freezes them once a period exists.
PLAN_FIELDS = ("baseline_date", "first_qualification_date", "period_length_months")
#: The periods the preview of an edited commitment shows (it creates none).
PREVIEW_COUNT = 3


class CommitmentEditForm(CommitmentForm):
    """The new-commitment form without what a commitment cannot change (its subject) and what
    only its creation does (the periods to create), with the plan's later dates and measures."""

    subject_id = None
    periods = None
    neutrality_deadline = DateField(_l("Date by which the subject is to be carbon neutral"), validators=[Optional()])
    commitment_until = DateField(_l("Date until which the commitment holds"), validators=[Optional()])
    planned_measures = TextAreaField(_l("Planned reduction measures (one a line)"),
                                     validators=[storable, Length(max=20000)])
    offset_strategy = TextAreaField(_l("Offset strategy"), validators=[storable, Length(max=5000)])
    frameworks = SelectMultipleField(
        _l("Further rule sets the claims are judged by"), choices=[
            SelectChoice("sbti-near-term", _l("SBTi near-term targets")),
            SelectChoice("sbti-net-zero", _l("SBTi net-zero standard")), SelectChoice("re100", "RE100")],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))

    def changes(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "standard": self.standard.data, "zero_carbon_factory": self.zero_carbon_factory.data,
            "statement": self.statement.data.strip(), "neutrality_deadline": self.neutrality_deadline.data,
            "commitment_until": self.commitment_until.data,
            "planned_measures": [line.strip() for line in (self.planned_measures.data or "").splitlines() if line.strip()],
            "offset_strategy": (self.offset_strategy.data or "").strip(),
            "intended_credit_types": list(self.intended_credit_types.data or []),
            "frameworks": [f for f in self.frameworks.data or [] if f in FRAMEWORKS],
        }
        for name in PLAN_FIELDS:
            if name in self:
                values[name] = self[name].data
        return values


@bp.route("/organisations/<int:organisation_id>/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
def edit_commitment(organisation_id: int, commitment_id: int) -> Any:
    """Change a commitment: its standard, statement, dates and plan. The dates that fix the
    periods change only while it has none ("preview" then shows the periods they make); after
    that they are shown, not offered."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    authorize(actor(), Permission.MANAGE_COMMITMENTS, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    commitment = commitments.get_commitment(uow(), actor(), organisation_id, commitment_id)
    subject = organisations.get_subject(uow(), actor(), organisation_id, commitment.subject_id)
    form = CommitmentEditForm(obj=None if request.method == "POST" else commitment)
    if request.method == "GET":
        form.planned_measures.data = "\n".join(commitment.planned_measures or [])
    frozen = bool(commitment.periods)
    if frozen:
        for name in PLAN_FIELDS:
            del form[name]
    crumbs = [*_crumbs(org)[:-1], Crumb(str(_l("Particulars")), url_for("dashboard.particulars", organisation_id=org.id)),
              Crumb(str(_l("Edit the commitment")))]
    context = {"org": org, "form": form, "crumbs": crumbs, "commitment": commitment, "subject": subject,
               "frozen": frozen, "existing": sorted(commitment.periods, key=lambda p: p.sequence),
               "preview": None, "problem": None, "period_name": period_name}
    if not form.validate_on_submit():
        return render_template("commitments/edit.html", **context), 422 if request.method == "POST" else 200
    if not frozen:
        plan = PeriodPlan(form.baseline_date.data, form.first_qualification_date.data, form.period_length_months.data)
        try:
            context["preview"] = generate_periods(plan, [], count=PREVIEW_COUNT)
        except NeutralityError as problem:
            shown = None if refusal_onto(form, problem) else problem
            return render_template("commitments/edit.html", **{**context, "problem": shown}), 422
        if request.form.get("action") != "save":
            return render_template("commitments/edit.html", **context)
    try:
        commitments.update_commitment(uow(), actor(), organisation_id, commitment_id, form.changes())
    except NeutralityError as problem:
        if problem.http_status == 403:
            raise
        shown = None if refusal_onto(form, problem) else problem
        return render_template("commitments/edit.html", **{**context, "problem": shown}), \
            problem.http_status
    return redirect(url_for("dashboard.particulars", organisation_id=organisation_id) + f"#commitment-{commitment_id}")
