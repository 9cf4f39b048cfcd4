"""The organisation's own emission factors (a supplier's or a site's), with their evidence: the
list of every version (the factor change log) and the form that adds a factor or its next
version.

The form's values go through the API's schema (:class:`OrganisationFactorInSchema`) and the
same use case (:func:`neutrality.inventory.services.add_organisation_factor`), which keeps the
evidence file's name and SHA-256 with the factor, as the API does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from marshmallow import ValidationError
from wtforms import (
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from neutrality.access.model import Permission, authorize
from neutrality.errors import InvalidInput, NeutralityError
from neutrality.inventory import services as inventory
from neutrality.inventory.model import FactorKind, UncertaintyBasis
from neutrality.inventory.schemas import OrganisationFactorInSchema
from neutrality.organisations import services as organisations
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.errors import flatten
from neutrality.web.organisation_pages import refusal_onto
from neutrality.web.pages import guard_page_ids, storable
from neutrality.web.uploads import MAX_FILENAME

bp = Blueprint("factor_pages", __name__)
guard_page_ids(bp)

_REQUIRED = DataRequired(_l("This field is required."))

#: Kinds of factor in the reader's words.
KIND_LABELS = {
    FactorKind.FUEL_COMBUSTION: _l("Fuel combustion (per energy, with a net calorific value)"),
    FactorKind.GRID_LOCATION: _l("Grid average (location-based electricity)"),
    FactorKind.GRID_RESIDUAL_MIX: _l("Residual mix (market-based electricity without certificates)"),
    FactorKind.SUPPLIER_SPECIFIC: _l("Supplier-specific rate (a supplier's or a green tariff's)"),
    FactorKind.GENERIC: _l("Any other factor per unit (materials, t·km, waste, spend)"),
}
#: Bases of a factor's uncertainty in the reader's words (seed 000 §4.7).
BASIS_LABELS = {
    UncertaintyBasis.PUBLISHED: _l("Published with the factor"),
    UncertaintyBasis.EXPERT_JUDGEMENT: _l("Expert judgement (20 % where nothing is published)"),
}
#: Rows of gases the form offers (a factor lists one gas or a few: CO2, CH4, N2O, or CO2e).
GAS_ROWS = 4


class GasForm(Form):
    gas = StringField(_l("Gas"), validators=[Optional(), storable, Length(max=30)])
    amount = DecimalField(_l("Amount per unit, in the mass unit"), places=None,
                          validators=[Optional(), NumberRange(min=0, max=10**9)])


class FactorForm(FlaskForm):
    key = StringField(_l("Key (lowercase letters, digits and _ . : -)"), validators=[
        _REQUIRED, Regexp(r"^[a-z0-9][a-z0-9_.:-]{0,99}$",
                          message=_l("Lowercase letters, digits and _ . : - only, starting with a letter or digit."))])
    name = StringField(_l("Name"), validators=[_REQUIRED, storable, Length(max=300)])
    kind = SelectField(_l("Kind of factor"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
                       default=FactorKind.SUPPLIER_SPECIFIC.value)
    per_unit = StringField(_l("Unit of activity the factor applies to (MWh, TJ, t, t·km…)"),
                           validators=[_REQUIRED, storable, Length(max=20)])
    mass_unit = SelectField(_l("Mass unit of the amounts"), choices=[SelectChoice(u, u) for u in ("kg", "t", "g")])
    gases = FieldList(FormField(GasForm), label=_l("Gases emitted per unit"), min_entries=GAS_ROWS,
                      max_entries=GAS_ROWS)
    ncv = DecimalField(_l("Net calorific value (fuels)"), places=None, validators=[Optional(), NumberRange(min=0)])
    ncv_unit = StringField(_l("Unit of the net calorific value (such as TJ/Gg)"),
                           validators=[Optional(), storable, Length(max=30)])
    source = StringField(_l("Source (the publication, declaration or report)"),
                         validators=[_REQUIRED, storable, Length(max=500)])
    publisher = StringField(_l("Publisher"), validators=[_REQUIRED, storable, Length(max=200)])
    year = IntegerField(_l("Year the figures are valid for"),
                        validators=[DataRequired(_l("A year, such as 2025.")), NumberRange(1990, 2100)])
    geography = StringField(_l("Where the factor applies (CN, CN-EAST, a supplier's grid…)"),
                            validators=[_REQUIRED, storable, Length(max=40)])
    uncertainty_percent = DecimalField(
        _l("Uncertainty of the factor (± %, 95 %)"), places=None,
        validators=[Optional(), NumberRange(min=0, max=1000, message=_l("An uncertainty from 0 to 1000 %%."))])
    uncertainty_basis = SelectField(_l("Basis of the uncertainty"), choices=[
        SelectChoice("", _l("None stated")),
        *(SelectChoice(b.value, label) for b, label in BASIS_LABELS.items())], default="")
    uncertainty_source = StringField(
        _l("Source of the uncertainty (the publication, or why the expert chose it)"),
        validators=[storable, Length(max=500)])
    change_reason = TextAreaField(_l("Why it changes (for a new version of a key)"),
                                  validators=[storable, Length(max=2000)])
    evidence = FileField(_l("Evidence file (a supplier declaration, a test report…)"),
                         validators=[FileRequired(_l("Attach the evidence of the factor."))])

    def fields_as_sent(self) -> dict[str, Any]:
        """The values as the API's multipart form sends them (gases as a JSON object)."""
        gases = {row.gas.data.strip(): str(row.amount.data) for row in self.gases
                 if (row.gas.data or "").strip() and row.amount.data is not None}
        values = {
            "key": self.key.data.strip(), "name": self.name.data.strip(), "kind": self.kind.data,
            "per_unit": self.per_unit.data.strip(), "mass_unit": self.mass_unit.data,
            "gases": json.dumps(gases), "source": self.source.data.strip(), "publisher": self.publisher.data.strip(),
            "year": str(self.year.data), "geography": self.geography.data.strip(),
            "change_reason": (self.change_reason.data or "").strip(),
        }
        if self.ncv.data is not None:
            values["ncv"] = str(self.ncv.data)
        if (self.ncv_unit.data or "").strip():
            values["ncv_unit"] = self.ncv_unit.data.strip()
        if self.uncertainty_percent.data is not None:
            values["uncertainty_percent"] = str(self.uncertainty_percent.data)
        if self.uncertainty_basis.data:
            values["uncertainty_basis"] = self.uncertainty_basis.data
        if (self.uncertainty_source.data or "").strip():
            values["uncertainty_source"] = self.uncertainty_source.data.strip()
        return values


def _signed_in() -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.path))
    return None


def _crumbs(org: Any, *more: Crumb) -> list[Crumb]:
    return [Crumb(str(_l("Organisations")), url_for("pages.home")),
            Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
            Crumb(str(_l("Particulars")), url_for("dashboard.particulars", organisation_id=org.id)), *more]


@bp.get("/organisations/<int:organisation_id>/factors")
def factors(organisation_id: int) -> Any:
    """Every version of the organisation's own factors, newest version of each key last."""
    if (away := _signed_in()) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    rows = inventory.list_organisation_factors(uow(), actor(), organisation_id)
    return render_template("factors/list.html", org=org, factors=rows, kinds=KIND_LABELS, bases=BASIS_LABELS,
                           crumbs=_crumbs(org, Crumb(str(_l("Emission factors")))))


def _gases_problem(form: FactorForm, message: str) -> None:
    first = form.gases[0].amount
    first.errors = [*first.errors, message] if isinstance(first.errors, list) else [message]


@bp.route("/organisations/<int:organisation_id>/factors/new", methods=["GET", "POST"])
def new_factor(organisation_id: int) -> Any:
    """Add a factor, or the next version of a key (``?key=``: the form starts from its latest)."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_INVENTORY, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    listing = url_for("factor_pages.factors", organisation_id=organisation_id)
    context = {"org": org, "problem": None,
               "crumbs": _crumbs(org, Crumb(str(_l("Emission factors")), listing), Crumb(str(_l("New factor"))))}
    form = FactorForm()
    if request.method == "GET" and (key := request.args.get("key")):
        _start_from_latest(form, organisation_id, key)
    if not form.validate_on_submit():
        return render_template("factors/new.html", form=form, **context), 422 if request.method == "POST" else 200
    upload = form.evidence.data
    filename = Path(upload.filename or "evidence").name
    if len(filename) > MAX_FILENAME or "\x00" in filename:
        form.evidence.errors = [str(_l("Rename the file: its name is too long or holds a NUL character."))]
        return render_template("factors/new.html", form=form, **context), 422
    try:
        data = OrganisationFactorInSchema().load(form.fields_as_sent())
    except ValidationError as invalid:
        for name in flatten(invalid.messages):
            if name.split(".")[0] == "gases":
                _gases_problem(form, str(_l("Give at least one gas with an amount of 0 or more.")))
            elif name in form:
                form[name].errors = [*form[name].errors, str(_l("This value is not accepted."))]
        return render_template("factors/new.html", form=form, **context), 422
    try:
        inventory.add_organisation_factor(uow(), actor(), organisation_id, data, evidence=upload.read(),
                                          evidence_filename=filename)
    except NeutralityError as refused:
        if refused.http_status == 403:
            raise
        if isinstance(refused, InvalidInput) and "gases" in refused.details:
            _gases_problem(form, str(_l("Give at least one gas with an amount of 0 or more.")))
            shown = None
        else:
            shown = None if refusal_onto(form, refused, {"unit": "per_unit"}) else refused
        return render_template("factors/new.html", form=form, **{**context, "problem": shown}), \
            refused.http_status
    return redirect(listing + "#factor-" + data["key"])


def _start_from_latest(form: FactorForm, organisation_id: int, key: str) -> None:
    versions = [f for f in inventory.list_organisation_factors(uow(), actor(), organisation_id) if f.key == key]
    if not versions:
        form.key.data = key
        return
    latest = versions[-1]
    for name in ("key", "name", "kind", "per_unit", "mass_unit", "ncv", "ncv_unit", "source", "publisher", "year",
                 "geography", "uncertainty_percent", "uncertainty_basis", "uncertainty_source"):
        form[name].data = getattr(latest, name)
    form.uncertainty_basis.data = latest.uncertainty_basis or ""
    for row, (gas, amount) in zip(form.gases, latest.gases.items(), strict=False):
        row.gas.data, row.amount.data = gas, amount
