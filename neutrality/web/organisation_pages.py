"""The lead's forms for the organisation: its particulars, its sites and the subjects of its
claims (a factory, or the organisation over a set of its sites).

Each form checks its fields' shape here (required, length, a NUL) and hands the values to the
use case the API calls (:mod:`neutrality.organisations.services`), which checks their meaning
(a unique name, a unified social credit code's check character, a province of the country, a
grid region). A refusal is shown next to the field it names, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from neutrality.access.model import Permission, authorize
from neutrality.errors import NeutralityError
from neutrality.messages import Msg
from neutrality.organisations import services as organisations
from neutrality.organisations.model import ConsolidationApproach, NatureOfEnterprise, SubjectKind
from neutrality.organisations.schemas import OrganisationUpdateSchema
from neutrality.organisations.tables import Organisation
from neutrality.pagination import Page
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.errors import flatten
from neutrality.web.frame import ButtonForm, say
from neutrality.web.labels import LABELS
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("organisation_pages", __name__)
guard_page_ids(bp)

#: What a field the API's schema refuses should hold, in the reader's words.
_SHAPES = {"contact_email": _l("An e-mail address, such as name@example.com.")}
_COUNTRY = Regexp(r"^[A-Z]{2}$", message=_l("Two capital letters (ISO 3166-1), such as CN."))
_REQUIRED = DataRequired(_l("This field is required."))


def _text(label: Any, size: int, *, required: bool = True) -> StringField:
    return StringField(label, validators=[_REQUIRED if required else Optional(), storable, Length(max=size)])


class ParticularsForm(FlaskForm):
    name = _text(_l("Name"), 200)
    legal_name = _text(_l("Legal name"), 300)
    english_name = _text(_l("English name"), 300, required=False)
    aliases = TextAreaField(_l("Other names registries record the organisation under (one a line)"),
                            validators=[storable, Length(max=6300)])
    unified_social_credit_code = StringField(_l("Unified social credit code"), validators=[
        Optional(), storable, Length(min=18, max=18, message=_l("18 characters."))])
    nature_of_enterprise = SelectField(_l("Nature of enterprise"), choices=[
        SelectChoice(n.value, LABELS["nature"][n.value]) for n in NatureOfEnterprise])
    legal_representative = _text(_l("Legal representative"), 200)
    registered_address = _text(_l("Registered address"), 500)
    production_address = _text(_l("Production address"), 500)
    industry_category = _text(_l("Industry"), 200)
    industry_code = _text(_l("Industry code"), 20, required=False)
    contact_person = _text(_l("Contact person"), 200)
    contact_phone = _text(_l("Contact phone"), 50, required=False)
    # the address itself is checked by the API's schema (below), as a body's would be
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), storable, Length(max=254)])
    country = StringField(_l("Country"), validators=[_REQUIRED, _COUNTRY])

    def changes(self) -> dict[str, Any]:
        """The values as the use case takes them: an empty optional field is none."""
        values = {name: (field.data or "").strip() for name, field in self._fields.items()
                  if name not in ("csrf_token", "aliases")}
        for optional in ("english_name", "unified_social_credit_code", "industry_code", "contact_phone",
                         "contact_email"):
            values[optional] = values[optional] or None
        values["aliases"] = [line.strip() for line in (self.aliases.data or "").splitlines() if line.strip()]
        return values


class ConsolidationForm(FlaskForm):
    approach = SelectField(_l("Consolidation approach"), choices=[
        SelectChoice(a.value, LABELS["approach"][a.value]) for a in ConsolidationApproach])
    justification = TextAreaField(_l("Why this approach"), validators=[_REQUIRED, storable, Length(max=2000)])
    effective_from = DateField(_l("In effect from"), validators=[DataRequired(_l("Give the date it takes effect."))])
    reason = TextAreaField(_l("Reason for the change"), validators=[_REQUIRED, storable, Length(max=2000)])


class ExclusionForm(FlaskForm):
    item = StringField(_l("What is left out of the boundary"), validators=[_REQUIRED, storable, Length(max=300)])
    reason = TextAreaField(_l("Why it is left out"), validators=[_REQUIRED, storable, Length(max=2000)])
    estimated_share_percent = DecimalField(_l("Its estimated share of the subject's emissions (per cent)"),
                                           places=None, validators=[
                                               DataRequired(_l("A percentage from 0 to 100, such as 0.5.")),
                                               NumberRange(min=0, max=100)])


class SiteForm(FlaskForm):
    name = _text(_l("Name"), 200)
    country = StringField(_l("Country"), default="CN", validators=[_REQUIRED, _COUNTRY])
    region = _text(_l("Province or region (code or name, such as CN-JS or 江苏)"), 10, required=False)
    grid_region = _text(_l("Grid region (empty: the province's grid)"), 40, required=False)
    address = _text(_l("Address"), 500)
    description = TextAreaField(_l("Description"), validators=[Optional(), storable, Length(max=5000)])

    def values(self) -> dict[str, Any]:
        return {"name": self.name.data.strip(), "country": self.country.data.strip(),
                "region": (self.region.data or "").strip() or None,
                "grid_region": (self.grid_region.data or "").strip() or None,
                "address": self.address.data.strip(), "description": (self.description.data or "").strip()}


class SubjectForm(FlaskForm):
    name = _text(_l("Name"), 200)
    kind = SelectField(_l("What the claims are about"), choices=[
        SelectChoice(SubjectKind.SITE.value, _l("One factory (a site)")),
        SelectChoice(SubjectKind.ORGANISATION.value, _l("The organisation, over the sites it includes")),
    ])
    site_id = SelectField(_l("The factory (for a site)"), coerce=int)
    site_ids = SelectMultipleField(_l("The sites included (for the organisation)"), coerce=int,
                                   option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    description = TextAreaField(_l("Description"), validators=[Optional(), storable, Length(max=5000)])


class SubjectEditForm(FlaskForm):
    name = _text(_l("Name"), 200)
    site_ids = SelectMultipleField(_l("The sites included"), coerce=int, option_widget=CheckboxInput(),
                                   widget=ListWidget(prefix_label=False))
    description = TextAreaField(_l("Description"), validators=[Optional(), storable, Length(max=5000)])


def refusal_onto(form: FlaskForm, refused: NeutralityError, aliases: Mapping[str, str] | None = None) -> bool:
    """Show a use case's refusal next to the fields its details name (``aliases`` maps a name of
    the use case to the form's, e.g. ``unit`` → ``per_unit``), in the reader's language: the
    detail of the field when it is written to be translated, else the refusal's sentence. False
    when it names none of the form's fields (the page then shows it on top)."""
    placed = False
    details = refused.details if isinstance(refused.details, Mapping) else {}
    for name, notes in details.items():
        field = form._fields.get((aliases or {}).get(name, name))
        if field is None or field.name == "csrf_token":
            continue
        said = [say(note) for note in (notes if isinstance(notes, list) else [notes]) if isinstance(note, Msg)]
        field.errors = [*(field.errors if isinstance(field.errors, list) else []), *(said or [say(refused.message)])]
        placed = True
    return placed


def _guard(organisation_id: int) -> Any:
    """The sign-in page for a visitor, else None; 403 for a member who may not change the
    organisation (these pages are forms: a viewer has nothing to do on them)."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    authorize(actor(), Permission.MANAGE_ORGANISATION, organisation_id)
    return None


def _crumbs(org: Organisation, last: str) -> list[Crumb]:
    return [Crumb(str(_l("Organisations")), url_for("pages.home")),
            Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
            Crumb(str(_l("Particulars")), url_for("dashboard.particulars", organisation_id=org.id)),
            Crumb(last)]


def _back(organisation_id: int, anchor: str = "") -> Any:
    return redirect(url_for("dashboard.particulars", organisation_id=organisation_id) + anchor)


def _render(template: str, form: FlaskForm, problem: NeutralityError | None = None, **context: Any) -> Any:
    """The form again: 422 when its fields (or the use case) refused the values."""
    status = 200
    if request.method == "POST":
        status = problem.http_status if problem is not None and problem.http_status != 422 else 422
    shown = problem if problem is not None and not refusal_onto(form, problem) else None
    return render_template(template, form=form, problem=shown, **context), status


# --- particulars -------------------------------------------------------------------------------


@bp.route("/organisations/<int:organisation_id>/particulars/edit", methods=["GET", "POST"])
def edit_particulars(organisation_id: int) -> Any:
    """The organisation's name and particulars (the consolidation approach changes elsewhere,
    with a date and a reason)."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    form = ParticularsForm(obj=None if request.method == "POST" else org)
    if request.method == "GET":
        form.aliases.data = "\n".join(org.aliases or [])
    context = {"org": org, "crumbs": _crumbs(org, str(_l("Edit the particulars")))}
    if not form.validate_on_submit():
        return _render("organisation/particulars.html", form, **context)
    try:
        changes = OrganisationUpdateSchema(partial=True).load(form.changes())
    except ValidationError as invalid:
        for name in flatten(invalid.messages):
            field = form._fields.get(name.split(".")[0])
            if field is not None:
                field.errors = [*field.errors, str(_SHAPES.get(field.name, _l("This value is not accepted.")))]
        return _render("organisation/particulars.html", form, **context)
    try:
        organisations.update_organisation(uow(), actor(), organisation_id, changes)
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return _render("organisation/particulars.html", form, refused, **context)
    return _back(organisation_id)


@bp.route("/organisations/<int:organisation_id>/consolidation-approach", methods=["GET", "POST"])
def change_consolidation(organisation_id: int) -> Any:
    """Switch the consolidation approach from a date, with a reason: a structural change, after
    which the base year is recalculated."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    history = organisations.list_consolidation_history(uow(), actor(), organisation_id)
    form = ConsolidationForm()
    context = {"org": org, "history": history, "crumbs": _crumbs(org, str(_l("Consolidation approach")))}
    if not form.validate_on_submit():
        return _render("organisation/consolidation.html", form, **context)
    try:
        organisations.change_consolidation_approach(
            uow(), actor(), organisation_id, approach=form.approach.data,
            justification=form.justification.data.strip(), effective_from=form.effective_from.data,
            reason=form.reason.data.strip())
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return _render("organisation/consolidation.html", form, refused, **context)
    return _back(organisation_id)


# --- sites -------------------------------------------------------------------------------------


@bp.route("/organisations/<int:organisation_id>/sites/new", methods=["GET", "POST"])
def new_site(organisation_id: int) -> Any:
    """Add a factory: its grid region follows from its province unless one is named."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    form = SiteForm()
    context = {"org": org, "site": None, "crumbs": _crumbs(org, str(_l("New site")))}
    if not form.validate_on_submit():
        return _render("organisation/site.html", form, **context)
    try:
        site = organisations.create_site(uow(), actor(), organisation_id, form.values())
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return _render("organisation/site.html", form, refused, **context)
    return _back(organisation_id, f"#site-{site.id}")


@bp.route("/organisations/<int:organisation_id>/sites/<int:site_id>/edit", methods=["GET", "POST"])
def edit_site(organisation_id: int, site_id: int) -> Any:
    """Change a site; a new country or province gives it that province's grid unless one is
    named."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    site = organisations.get_site(uow(), actor(), organisation_id, site_id)
    form = SiteForm(obj=None if request.method == "POST" else site)
    context = {"org": org, "site": site, "crumbs": _crumbs(org, site.name)}
    if not form.validate_on_submit():
        return _render("organisation/site.html", form, **context)
    try:
        # an emptied grid region is the province's grid again (the use case derives it)
        organisations.update_site(uow(), actor(), organisation_id, site_id, form.values())
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return _render("organisation/site.html", form, refused, **context)
    return _back(organisation_id, f"#site-{site_id}")


# --- subjects ----------------------------------------------------------------------------------


def _site_choices(organisation_id: int) -> list[SelectChoice]:
    sites = organisations.list_sites(uow(), actor(), organisation_id, Page(1, 500)).items
    return [SelectChoice(s.id, s.name) for s in sites]


@bp.route("/organisations/<int:organisation_id>/subjects/new", methods=["GET", "POST"])
def new_subject(organisation_id: int) -> Any:
    """A subject of claims: one factory, or the organisation over the sites it includes."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    form = SubjectForm()
    choices = _site_choices(organisation_id)
    form.site_id.choices = [SelectChoice(0, "—"), *choices]
    form.site_ids.choices = choices
    context = {"org": org, "subject": None, "crumbs": _crumbs(org, str(_l("New subject")))}
    if not form.validate_on_submit():
        return _render("organisation/subject.html", form, **context)
    site = SubjectKind(form.kind.data) is SubjectKind.SITE
    data = {"name": form.name.data.strip(), "kind": form.kind.data,
            "site_id": (form.site_id.data or None) if site else None,
            "site_ids": None if site else list(form.site_ids.data or []),
            "description": (form.description.data or "").strip()}
    try:
        subject = organisations.create_subject(uow(), actor(), organisation_id, data)
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return _render("organisation/subject.html", form, refused, **context)
    return _back(organisation_id, f"#subject-{subject.id}")


@bp.route("/organisations/<int:organisation_id>/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
def edit_subject(organisation_id: int, subject_id: int) -> Any:
    """Rename a subject, describe it, or change the sites the organisation includes."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    subject = organisations.get_subject(uow(), actor(), organisation_id, subject_id)
    form = SubjectEditForm(obj=None if request.method == "POST" else subject)
    form.site_ids.choices = _site_choices(organisation_id)
    if request.method == "GET":
        form.site_ids.data = [s.id for s in subject.included_sites]
    context = {"org": org, "subject": subject, "crumbs": _crumbs(org, subject.name),
               "exclusion": ExclusionForm(prefix="exclusion"), "remove": ButtonForm()}
    if not form.validate_on_submit():
        return _render("organisation/subject_edit.html", form, **context)
    changes: dict[str, Any] = {"name": form.name.data.strip(), "description": (form.description.data or "").strip()}
    if subject.kind != SubjectKind.SITE.value:
        changes["site_ids"] = list(form.site_ids.data or [])
    try:
        organisations.update_subject(uow(), actor(), organisation_id, subject_id, changes)
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return _render("organisation/subject_edit.html", form, refused, **context)
    return _back(organisation_id, f"#subject-{subject_id}")


# --- what a subject's boundary leaves out ------------------------------------------------------


@bp.post("/organisations/<int:organisation_id>/subjects/<int:subject_id>/exclusions")
def add_exclusion(organisation_id: int, subject_id: int) -> Any:
    """Leave something out of the subject's boundary, with the reason and its estimated share."""
    if (away := _guard(organisation_id)) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    subject = organisations.get_subject(uow(), actor(), organisation_id, subject_id)
    exclusion = ExclusionForm(prefix="exclusion")
    form = SubjectEditForm(obj=subject, formdata=None)
    form.site_ids.choices = _site_choices(organisation_id)
    form.site_ids.data = [s.id for s in subject.included_sites]
    context = {"org": org, "subject": subject, "crumbs": _crumbs(org, subject.name), "remove": ButtonForm()}

    def again(problem: NeutralityError | None = None, status: int = 422) -> Any:
        shown = problem if problem is not None and not refusal_onto(exclusion, problem) else None
        return render_template("organisation/subject_edit.html", form=form, exclusion=exclusion,
                               exclusion_problem=shown, problem=None, **context), status

    if not exclusion.validate_on_submit():
        return again()
    try:
        organisations.add_exclusion(uow(), actor(), organisation_id, subject_id, {
            "item": exclusion.item.data.strip(), "reason": exclusion.reason.data.strip(),
            "estimated_share_percent": exclusion.estimated_share_percent.data})
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        return again(refused, refused.http_status)
    return redirect(url_for("organisation_pages.edit_subject", organisation_id=organisation_id,
                            subject_id=subject_id) + "#exclusions")


@bp.post("/organisations/<int:organisation_id>/subjects/<int:subject_id>/exclusions/<int:exclusion_id>/remove")
def remove_exclusion(organisation_id: int, subject_id: int, exclusion_id: int) -> Any:
    """Bring an excluded item back into the subject's boundary."""
    if (away := _guard(organisation_id)) is not None:
        return away
    if ButtonForm().validate_on_submit():
        organisations.remove_exclusion(uow(), actor(), organisation_id, subject_id, exclusion_id)
    return redirect(url_for("organisation_pages.edit_subject", organisation_id=organisation_id,
                            subject_id=subject_id) + "#exclusions")
