"""Reduction measures and targets in the browser: the register of measures (ranked by the
organisation's weights), a measure with the calculation of its expected reduction and its
evidence, the lead's forms that add or change a measure, set the weights and keep an evidence
file; the targets with the forms that set one and record a period's output; and a target's
progress, period by period, with the changes explained by activity and by factor and a chart of
the trajectory.

Pages are adapters: each form's values go through the API's schema (shape and bounds) and the
use case the API calls (:mod:`neutrality.reductions.services`,
:mod:`neutrality.reductions.target_services`), which decide what they mean and name the field
they refuse; the refusal is shown next to that field and nothing is written. A write form is
shown only to whom the use case allows (the lead), and a write crafted by anyone else is refused
403 before its values are read.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from marshmallow import ValidationError
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from neutrality.access.model import Permission, authorize
from neutrality.charts import TrajectoryPoints, describe_trajectory, trajectory_chart_svg
from neutrality.commitments import services as commitments
from neutrality.errors import InvalidInput, NeutralityError, NotFound
from neutrality.messages import Msg
from neutrality.organisations import services as organisations
from neutrality.organisations.tables import Organisation
from neutrality.pagination import Page
from neutrality.reductions import achieved_services
from neutrality.reductions import services as measures
from neutrality.reductions import target_services as targets
from neutrality.reductions.changes import ChangeKind, ElectricitySource
from neutrality.reductions.measures import (
    SOURCE_MAX,
    TITLE_MAX,
    Horizon,
    MeasureCategory,
    MeasureStatus,
)
from neutrality.reductions.ranking import Criterion
from neutrality.reductions.schemas import MeasureCreateSchema, WeightsSchema
from neutrality.reductions.target_schemas import OutputSetSchema, TargetCreateSchema
from neutrality.reductions.targets import Scope2Basis, TargetKind, TargetTerm
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.errors import flatten
from neutrality.web.frame import period_name, say
from neutrality.web.organisation_pages import refusal_onto
from neutrality.web.pages import guard_page_ids, storable
from neutrality.web.uploads import uploaded_file

bp = Blueprint("reduction_pages", __name__)
guard_page_ids(bp)

ORG = "/organisations/<int:organisation_id>"

#: The fields of each kind of change, as the change states them (neutrality.reductions.changes);
#: the form names them "<kind>_<field>", so that the same field of two kinds is two inputs.
CHANGE_FIELDS: Mapping[ChangeKind, tuple[str, ...]] = {
    ChangeKind.EFFICIENCY: ("energy_mwh", "efficiency_before", "efficiency_after", "factor_t_per_mwh",
                            "factor_source"),
    ChangeKind.REFRIGERANT_SWAP: ("charge_kg", "refrigerant_before", "refrigerant_after", "leak_rate_percent"),
    ChangeKind.ELECTRICITY_SWITCH: ("energy_mwh", "source", "grid_factor_t_per_mwh", "factor_source"),
    ChangeKind.FUEL_SWITCH: ("quantity_before", "unit_before", "factor_before", "quantity_after", "unit_after",
                             "factor_after"),
}

#: Kinds of change in the reader's words.
CHANGE_KINDS = {
    ChangeKind.EFFICIENCY: _l("Equipment efficiency (a pump, a motor, a boiler)"),
    ChangeKind.REFRIGERANT_SWAP: _l("Refrigerant replaced by one of lower GWP"),
    ChangeKind.ELECTRICITY_SWITCH: _l("Grid electricity replaced by on-site PV or green electricity"),
    ChangeKind.FUEL_SWITCH: _l("One fuel replaced by another"),
}

TARGET_KINDS = {
    TargetKind.ABSOLUTE: _l("Absolute (tCO2e)"),
    TargetKind.INTENSITY: _l("Intensity (tCO2e per unit of output)"),
}
TARGET_TERMS = {
    TargetTerm.NEAR_TERM: _l("Near-term"),
    TargetTerm.LONG_TERM: _l("Long-term (net zero)"),
}
SCOPE2_BASES = {
    Scope2Basis.LOCATION: _l("Location-based"),
    Scope2Basis.MARKET: _l("Market-based"),
}

#: What a value the API's schema refuses should be, in the reader's words (else "not accepted").
_SHAPES = {
    "cost_amount": _l("An amount of 0 or more, such as 120000."),
    "cost_currency": _l("Three letters, e.g. CNY."),
    "base_year": _l("A year, such as 2024."),
    "target_year": _l("A year, such as 2030."),
    "base_value": _l("A number of 0 or more."),
    "base_output": _l("A number of 0 or more."),
    "reduction_percent": _l("A percentage from 0 to 100, such as 42."),
    "quantity": _l("A number of 0 or more."),
    **{f"{c.value}_weight": _l("A number of 0 or more.") for c in Criterion},
    **{f"{c.value}_score": _l("A whole number from 1 to 5.") for c in Criterion},
}
_NOT_ACCEPTED = _l("This value is not accepted.")


class _Date(DateField):
    """A date whose text cannot be read is refused in the reader's words."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("A date, such as 2025-06-30.")) from None


def _text(label: Any, size: int = 40) -> StringField:
    return StringField(label, validators=[Optional(), storable, Length(max=size)])


def _number(label: Any) -> StringField:
    # numbers as text: the schema and the use case read them exactly and say what is wrong
    return StringField(label, validators=[Optional(), storable, Length(max=40)])


_CHANGE_LABELS = {
    "energy_mwh": _l("Energy a year before the change (MWh)"),
    "efficiency_before": _l("Efficiency before (a fraction, such as 0.70)"),
    "efficiency_after": _l("Efficiency after (a fraction, such as 0.85)"),
    "factor_t_per_mwh": _l("Emission factor of the energy saved (tCO2e/MWh)"),
    "factor_source": _l("Where the factor comes from"),
    "charge_kg": _l("Refrigerant charge (kg)"),
    "refrigerant_before": _l("Refrigerant before (such as R-22)"),
    "refrigerant_after": _l("Refrigerant after (such as R-32)"),
    "leak_rate_percent": _l("Leak rate a year (%)"),
    "source": _l("Where the electricity comes from instead"),
    "grid_factor_t_per_mwh": _l("Grid emission factor (tCO2e/MWh)"),
    "quantity_before": _l("Quantity a year before"),
    "unit_before": _l("Unit before (such as t or m3)"),
    "factor_before": _l("Factor before (tCO2e per unit)"),
    "quantity_after": _l("Quantity a year after"),
    "unit_after": _l("Unit after"),
    "factor_after": _l("Factor after (tCO2e per unit)"),
}
_ELECTRICITY_SOURCE_LABELS = {
    ElectricitySource.ON_SITE_PV: _l("On-site PV"),
    ElectricitySource.GREEN_ELECTRICITY: _l("Green electricity"),
}


class MeasureForm(FlaskForm):
    title_en = _text(_l("Title in English"), TITLE_MAX)
    title_zh_hans = _text(_l("Title in 简体中文"), TITLE_MAX)
    title_zh_hant = _text(_l("Title in 繁體中文"), TITLE_MAX)
    category = SelectField(_l("Category"))
    scope = SelectField(_l("Scope it acts on"), default="")
    source = _text(_l("Source in the inventory it acts on (optional)"), SOURCE_MAX)
    site_id = SelectField(_l("Site"), default="")
    status = SelectField(_l("Status"), default=MeasureStatus.PLANNED.value)
    horizon = SelectField(_l("Horizon"), default=Horizon.MEDIUM.value)
    start_date = _Date(_l("Start"), validators=[Optional()])
    end_date = _Date(_l("End"), validators=[Optional()])
    cost_amount = _number(_l("Estimated cost"))
    cost_currency = _text(_l("Currency (ISO 4217, e.g. CNY)"), 3)
    feasibility_score = _number(_l("Feasibility"))
    impact_score = _number(_l("Impact on emissions reduction"))
    cost_benefit_score = _number(_l("Cost-benefit ratio"))
    stakeholder_expectations_score = _number(_l("Alignment with stakeholder expectations"))
    compliance_score = _number(_l("Compliance"))
    innovation_score = _number(_l("Innovation potential"))
    change_kind = SelectField(_l("What the measure changes"), default="")
    efficiency_energy_mwh = _number(_CHANGE_LABELS["energy_mwh"])
    efficiency_efficiency_before = _number(_CHANGE_LABELS["efficiency_before"])
    efficiency_efficiency_after = _number(_CHANGE_LABELS["efficiency_after"])
    efficiency_factor_t_per_mwh = _number(_CHANGE_LABELS["factor_t_per_mwh"])
    efficiency_factor_source = _text(_CHANGE_LABELS["factor_source"], 200)
    refrigerant_swap_charge_kg = _number(_CHANGE_LABELS["charge_kg"])
    refrigerant_swap_refrigerant_before = _text(_CHANGE_LABELS["refrigerant_before"])
    refrigerant_swap_refrigerant_after = _text(_CHANGE_LABELS["refrigerant_after"])
    refrigerant_swap_leak_rate_percent = _number(_CHANGE_LABELS["leak_rate_percent"])
    electricity_switch_energy_mwh = _number(_l("Electricity moved off the grid a year (MWh)"))
    electricity_switch_source = SelectField(_CHANGE_LABELS["source"], default=ElectricitySource.ON_SITE_PV.value, choices=[
        SelectChoice(s.value, label) for s, label in _ELECTRICITY_SOURCE_LABELS.items()])
    electricity_switch_grid_factor_t_per_mwh = _number(_CHANGE_LABELS["grid_factor_t_per_mwh"])
    electricity_switch_factor_source = _text(_CHANGE_LABELS["factor_source"], 200)
    fuel_switch_quantity_before = _number(_CHANGE_LABELS["quantity_before"])
    fuel_switch_unit_before = _text(_CHANGE_LABELS["unit_before"], 20)
    fuel_switch_factor_before = _number(_CHANGE_LABELS["factor_before"])
    fuel_switch_quantity_after = _number(_CHANGE_LABELS["quantity_after"])
    fuel_switch_unit_after = _text(_CHANGE_LABELS["unit_after"], 20)
    fuel_switch_factor_after = _number(_CHANGE_LABELS["factor_after"])

    def values(self) -> dict[str, Any]:
        """The values as the API's body gives them (blank: not given)."""
        def text(name: str) -> str:
            return (self[name].data or "").strip()

        data: dict[str, Any] = {name: text(name) for name in ("title_en", "title_zh_hans", "title_zh_hant", "source")}
        data |= {"category": self.category.data, "status": self.status.data, "horizon": self.horizon.data,
                 "scope": _whole(text("scope")) if text("scope") else None,
                 "site_id": _whole(text("site_id")) if text("site_id") else None,
                 "start_date": _iso(self.start_date.data), "end_date": _iso(self.end_date.data),
                 "cost_amount": text("cost_amount") or None, "cost_currency": text("cost_currency").upper() or None}
        scores = {c.value: text(f"{c.value}_score") for c in Criterion}
        # no score at all: not rated yet; some: all six are asked for (the use case names each)
        data["scores"] = {k: _whole(v) for k, v in scores.items()} if any(scores.values()) else None
        data["change"] = None
        if self.change_kind.data:
            kind = ChangeKind(self.change_kind.data)
            given = {name: text(f"{kind.value}_{name}") for name in CHANGE_FIELDS[kind]}
            data["change"] = {"kind": kind.value, **{k: v for k, v in given.items() if v}}
        return data

    def fill(self, view: measures.MeasureView) -> None:
        """The form starts from a stored measure (its edit)."""
        row = view.row
        for name in ("title_en", "title_zh_hans", "title_zh_hant", "source", "category", "status", "horizon"):
            self[name].data = getattr(row, name)
        self.scope.data = str(row.scope)
        self.site_id.data = "" if row.site_id is None else str(row.site_id)
        self.start_date.data, self.end_date.data = row.start_date, row.end_date
        if view.value.cost is not None:
            self.cost_amount.data = str(view.value.cost.amount)
            self.cost_currency.data = view.value.cost.currency
        for criterion, score in (view.scores or {}).items():
            self[f"{criterion}_score"].data = str(score)
        change = row.change or {}
        if change.get("kind") in CHANGE_FIELDS:
            kind = ChangeKind(change["kind"])
            self.change_kind.data = kind.value
            for name in CHANGE_FIELDS[kind]:
                if name in change:
                    self[f"{kind.value}_{name}"].data = change[name]


def _whole(text: str) -> int | str:
    """A whole number as the API's body gives it; anything else as it was typed, for the schema
    or the use case to refuse in its words."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text  # noqa: PLR2004


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


class WeightsForm(FlaskForm):
    feasibility_weight = _number(_l("Feasibility"))
    impact_weight = _number(_l("Impact on emissions reduction"))
    cost_benefit_weight = _number(_l("Cost-benefit ratio"))
    stakeholder_expectations_weight = _number(_l("Alignment with stakeholder expectations"))
    compliance_weight = _number(_l("Compliance"))
    innovation_weight = _number(_l("Innovation potential"))

    def values(self) -> dict[str, str]:
        return {c.value: (self[f"{c.value}_weight"].data or "").strip() for c in Criterion}


class EvidenceForm(FlaskForm):
    evidence = FileField(_l("Evidence file (a quotation, a test report, a photo…)"))


class TargetForm(FlaskForm):
    commitment_id = SelectField(_l("Periods followed"), default="")
    kind = SelectField(_l("Kind of target"), choices=[SelectChoice(k.value, v) for k, v in TARGET_KINDS.items()])
    scopes = SelectMultipleField(_l("Scopes covered"), choices=[SelectChoice(str(s), str(s)) for s in (1, 2, 3)],
                                 option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    scope2_basis = SelectField(_l("Scope 2 counted (when covered)"), default="", choices=[
        SelectChoice("", "—"), *(SelectChoice(b.value, label) for b, label in SCOPE2_BASES.items())])
    base_year = _number(_l("Base year"))
    base_value = _number(_l("Base-year value (tCO2e, or tCO2e per unit of output)"))
    target_year = _number(_l("Target year"))
    reduction_percent = _number(_l("Reduction from the base year (%)"))
    output_unit = _text(_l("Unit of output (intensity: MWh, t, unit, CNY…)"), 20)
    base_output = _number(_l("Base year's output (intensity)"))
    term = SelectField(_l("Term"), default=TargetTerm.NEAR_TERM.value,
                       choices=[SelectChoice(t.value, label) for t, label in TARGET_TERMS.items()])
    set_on = DateField(_l("Set or submitted on (optional)"), validators=[Optional()])
    coverage_percent = _number(_l("Share of the scopes' emissions covered (%, optional)"))

    def values(self) -> dict[str, Any]:
        def text(name: str) -> str:
            return (self[name].data or "").strip()

        return {
            "commitment_id": _whole(text("commitment_id")) if text("commitment_id") else None,
            "kind": self.kind.data, "scopes": [_whole(s) for s in self.scopes.data or []],
            "scope2_basis": text("scope2_basis") or None, "base_year": _whole(text("base_year")),
            "base_value": text("base_value"), "target_year": _whole(text("target_year")),
            "reduction_percent": text("reduction_percent"), "output_unit": text("output_unit") or None,
            "base_output": text("base_output") or None,
            "term": self.term.data, "set_on": self.set_on.data.isoformat() if self.set_on.data else None,
            "coverage_percent": text("coverage_percent") or None,
        }


class OutputForm(FlaskForm):
    period_id = SelectField(_l("Period"))
    quantity = _number(_l("Output of the period"))
    unit = _text(_l("Unit of output (MWh, t, unit, CNY…)"), 20)


# --- shared ------------------------------------------------------------------------------------


def _signed_in() -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path if request.query_string else request.path))
    return None


def _crumbs(org: Organisation, *more: Crumb) -> list[Crumb]:
    return [Crumb(str(_l("Organisations")), url_for("pages.home")),
            Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)), *more]


def _register_crumb(org: Organisation, last: bool = False) -> Crumb:
    return Crumb(str(_l("Reduction measures")),
                 None if last else url_for("reduction_pages.register", organisation_id=org.id))


def _targets_crumb(org: Organisation, last: bool = False) -> Crumb:
    return Crumb(str(_l("Reduction targets")),
                 None if last else url_for("reduction_pages.targets_page", organisation_id=org.id))


def _schema_refusal(form: FlaskForm, invalid: ValidationError, aliases: Mapping[str, str]) -> bool:
    """The API schema's refusal next to each field it names, in the reader's words; False when
    it names none of the form's."""
    placed = False
    for name in flatten(invalid.messages):
        shown = aliases.get(name, name)
        if shown in form._fields and shown != "csrf_token":
            field = form[shown]
            field.errors = [*(field.errors if isinstance(field.errors, list) else []),
                            str(_SHAPES.get(shown, _NOT_ACCEPTED))]
            placed = True
    return placed


def _measure_aliases(kind: str | None) -> dict[str, str]:
    """What the schema and the use case call a field → the form's name for it."""
    aliases = {f"scores.{c.value}": f"{c.value}_score" for c in Criterion}
    aliases |= {"change.kind": "change_kind"}
    if kind in CHANGE_FIELDS:
        aliases |= {f"change.{name}": f"{kind}_{name}" for name in CHANGE_FIELDS[ChangeKind(kind)]}
        # a factor the change refuses is the kind's own factor field
        aliases["change.factor"] = f"{kind}_grid_factor_t_per_mwh" if kind == ChangeKind.ELECTRICITY_SWITCH \
            else f"{kind}_factor_t_per_mwh"
    return aliases


def _placed(form: FlaskForm, refused: NeutralityError, aliases: Mapping[str, str]) -> NeutralityError | None:
    """The refusal next to its fields; returned when it names none of them (shown on top)."""
    if refused.http_status == 403:  # noqa: PLR2004
        raise refused
    return None if refusal_onto(form, refused, aliases) else refused


# --- the register ------------------------------------------------------------------------------


def _sites(organisation_id: int) -> list[Any]:
    return list(organisations.list_sites(uow(), actor(), organisation_id, Page(1, 200)).items)


def _render_register(org: Organisation, weights_form: WeightsForm | None = None, weights_problem: Any = None,
                     status: int = 200) -> Any:
    register = measures.list_measures(uow(), actor(), org.id)
    sites = _sites(org.id)
    shown_status = request.args.get("status", "")
    shown_site = request.args.get("site", "")
    listed = [view for view in register.measures
              if (not shown_status or view.row.status == shown_status)
              and (not shown_site or str(view.row.site_id or "") == shown_site
                   or (shown_site == "none" and view.row.site_id is None))]
    if weights_form is None and actor().can(Permission.MANAGE_ORGANISATION, org.id):
        weights_form = WeightsForm(formdata=None)
        for criterion in Criterion:
            weights_form[f"{criterion.value}_weight"].data = str(register.weights.of(criterion))
    if not actor().can(Permission.MANAGE_ORGANISATION, org.id):
        weights_form = None
    return render_template(
        "reductions/measures.html", org=org, register=register, listed=listed, locale=str(get_locale()),
        sites={s.id: s for s in sites}, statuses=list(MeasureStatus), shown_status=shown_status,
        shown_site=shown_site, weights_form=weights_form, weights_problem=weights_problem,
        criteria=list(Criterion), crumbs=_crumbs(org, _register_crumb(org, last=True))), status


@bp.get(ORG + "/measures")
def register(organisation_id: int) -> Any:
    """The organisation's measures ranked by its weights (the unrated last), filtered by status
    or site when asked."""
    if (away := _signed_in()) is not None:
        return away
    return _render_register(organisations.get_organisation(uow(), actor(), organisation_id))


@bp.post(ORG + "/measure-weights")
def set_weights(organisation_id: int) -> Any:
    """The weights of the six criteria; refused with the field named when one is not a number
    of 0 or more, or when they add up to zero."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_ORGANISATION, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    form = WeightsForm()
    if not form.validate_on_submit():
        return _render_register(org, form, status=422)
    aliases = {c.value: f"{c.value}_weight" for c in Criterion}
    try:
        data = WeightsSchema().load(form.values())
    except ValidationError as invalid:
        _schema_refusal(form, invalid, aliases)
        return _render_register(org, form, status=422)
    try:
        measures.set_weights(uow(), actor(), organisation_id, data)
    except NeutralityError as refused:
        if refused.http_status == 403:  # noqa: PLR2004
            raise
        problem = None
        if "weights" in (refused.details or {}):  # all zero: the six together
            problem = [say(note) for note in refused.details["weights"]]
        shown = _placed(form, refused, aliases)
        return _render_register(org, form, problem or (None if shown is None else [say(shown.message)]),
                                refused.http_status)
    return redirect(url_for("reduction_pages.register", organisation_id=organisation_id) + "#weights")


def _measure_form(organisation_id: int) -> MeasureForm:
    form = MeasureForm()
    form.category.choices = [SelectChoice(c.value, f"{c.clause} {say(c.label)}") for c in MeasureCategory]
    form.scope.choices = [SelectChoice("", _l("The category's")),
                          *(SelectChoice(str(s), f"{_l('Scope')} {s}") for s in (1, 2, 3))]
    form.site_id.choices = [SelectChoice("", _l("The whole organisation")),
                            *(SelectChoice(str(s.id), s.name) for s in _sites(organisation_id))]
    form.status.choices = [SelectChoice(s.value, say(s.label)) for s in MeasureStatus]
    form.horizon.choices = [SelectChoice(h.value, say(h.label)) for h in Horizon]
    form.change_kind.choices = [SelectChoice("", _l("Not stated yet")),
                                *(SelectChoice(k.value, label) for k, label in CHANGE_KINDS.items())]
    return form


def _render_measure_form(org: Organisation, form: MeasureForm, view: Any = None, problem: Any = None,
                         status: int = 200) -> Any:
    last = str(_l("Edit the measure")) if view else str(_l("New measure"))
    more = [_register_crumb(org)]
    if view is not None:
        more.append(Crumb(view.value.title.in_locale(str(get_locale())),
                          url_for("reduction_pages.measure_page", organisation_id=org.id, measure_id=view.row.id)))
    return render_template("reductions/measure_form.html", org=org, form=form, view=view, problem=problem,
                           change_fields=CHANGE_FIELDS, change_kinds=CHANGE_KINDS, criteria=list(Criterion),
                           crumbs=_crumbs(org, *more, Crumb(last))), status


def _save_measure(org: Organisation, form: MeasureForm, view: Any) -> Any:
    """Create (``view`` None) or change the measure from the form; the form again with its
    problems when refused, nothing written."""
    if not form.validate_on_submit():
        return _render_measure_form(org, form, view, status=422 if request.method == "POST" else 200)
    values = form.values()
    aliases = _measure_aliases(form.change_kind.data)
    try:
        data = MeasureCreateSchema().load(values)
    except ValidationError as invalid:
        placed = _schema_refusal(form, invalid, aliases)
        return _render_measure_form(org, form, view, None if placed else Msg("the measure is not valid"), 422)
    try:
        if view is None:
            saved = measures.create_measure(uow(), actor(), org.id, data)
        else:
            saved = measures.update_measure(uow(), actor(), org.id, view.row.id, data)
    except NeutralityError as refused:
        shown = _placed(form, refused, aliases)
        return _render_measure_form(org, form, view, None if shown is None else shown.message, refused.http_status)
    return redirect(url_for("reduction_pages.measure_page", organisation_id=org.id, measure_id=saved.row.id))


@bp.route(ORG + "/measures/new", methods=["GET", "POST"])
def new_measure(organisation_id: int) -> Any:
    """The form adding a measure: its titles, category, site, status, dates, cost, scores and
    what it changes (the expected reduction is calculated from that)."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_ORGANISATION, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    return _save_measure(org, _measure_form(organisation_id), None)


@bp.route(ORG + "/measures/<int:measure_id>/edit", methods=["GET", "POST"])
def edit_measure(organisation_id: int, measure_id: int) -> Any:
    """The measure's form, starting from what it holds; the whole measure is checked again."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_ORGANISATION, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    view = measures.get_measure(uow(), actor(), organisation_id, measure_id)
    form = _measure_form(organisation_id)
    if request.method == "GET":
        form.fill(view)
    return _save_measure(org, form, view)


def _render_measure(org: Organisation, view: Any, evidence_form: EvidenceForm | None = None,
                    problem: Any = None, status: int = 200) -> Any:
    sites = {s.id: s for s in _sites(org.id)}
    if evidence_form is None and actor().can(Permission.MANAGE_ORGANISATION, org.id):
        evidence_form = EvidenceForm(formdata=None)
    if not actor().can(Permission.MANAGE_ORGANISATION, org.id):
        evidence_form = None
    title = view.value.title.in_locale(str(get_locale()))
    return render_template(
        "reductions/measure.html", org=org, view=view, title=title, sites=sites, locale=str(get_locale()),
        change_kinds=CHANGE_KINDS, change_fields=CHANGE_FIELDS, change_labels=_CHANGE_LABELS,
        electricity_sources=_ELECTRICITY_SOURCE_LABELS, criteria=list(Criterion), evidence_form=evidence_form,
        problem=problem, crumbs=_crumbs(org, _register_crumb(org), Crumb(title))), status


@bp.get(ORG + "/measures/<int:measure_id>")
def measure_page(organisation_id: int, measure_id: int) -> Any:
    """One measure: every field, its expected reduction with the calculation, its evidence."""
    if (away := _signed_in()) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    return _render_measure(org, measures.get_measure(uow(), actor(), organisation_id, measure_id))


@bp.post(ORG + "/measures/<int:measure_id>/evidence")
def add_evidence(organisation_id: int, measure_id: int) -> Any:
    """Keep a file that shows the measure, with its SHA-256 (the same file twice is refused)."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_ORGANISATION, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    view = measures.get_measure(uow(), actor(), organisation_id, measure_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _render_measure(org, view, form, status=422)
    try:
        content, filename = uploaded_file("evidence")
        measures.add_evidence(uow(), actor(), organisation_id, measure_id, content=content, filename=filename)
    except NeutralityError as refused:
        if refused.http_status == 403:  # noqa: PLR2004
            raise
        # the field's own note is the API's (a digest, "missing file"): the sentence says it
        form.evidence.errors = [say(refused.message)]
        return _render_measure(org, view, form, status=refused.http_status)
    return redirect(url_for("reduction_pages.measure_page", organisation_id=organisation_id,
                            measure_id=measure_id) + "#evidence-kept")


# --- targets -----------------------------------------------------------------------------------


def _periods(organisation_id: int) -> dict[int, tuple[Any, str]]:
    """Each period of the organisation with the name of its subject, by id."""
    subjects = {s.id: s.name for s in organisations.list_subjects(uow(), actor(), organisation_id)}
    return {p.id: (p, subjects.get(c.subject_id, "")) for c in commitments.list_commitments(uow(), actor(), organisation_id)
            for p in sorted(c.periods, key=lambda p: p.sequence)}


def _target_forms(organisation_id: int, target_form: TargetForm | None = None,
                  output_form: OutputForm | None = None) -> tuple[TargetForm | None, OutputForm | None]:
    if not actor().can(Permission.MANAGE_COMMITMENTS, organisation_id):
        return None, None
    target_form = target_form or TargetForm(formdata=None)
    output_form = output_form or OutputForm(formdata=None)
    subjects = {s.id: s.name for s in organisations.list_subjects(uow(), actor(), organisation_id)}
    target_form.scopes.choices = [SelectChoice(str(s), f"{_l('Scope')} {s}") for s in (1, 2, 3)]
    target_form.commitment_id.choices = [SelectChoice("", _l("Every period of the organisation")), *(
        SelectChoice(str(c.id), f"{subjects.get(c.subject_id, '')} · {c.standard}")
        for c in commitments.list_commitments(uow(), actor(), organisation_id))]
    output_form.period_id.choices = [SelectChoice(str(pid), f"{subject} · {period_name(period)}")
                                     for pid, (period, subject) in _periods(organisation_id).items()]
    return target_form, output_form


def _render_targets(org: Organisation, target_form: TargetForm | None = None, output_form: OutputForm | None = None,
                    problem: Any = None, status: int = 200) -> Any:
    listed = targets.list_targets(uow(), actor(), org.id)
    target_form, output_form = _target_forms(org.id, target_form, output_form)
    return render_template("reductions/targets.html", org=org, targets=listed, target_form=target_form,
                           output_form=output_form, problem=problem, kinds=TARGET_KINDS, bases=SCOPE2_BASES, terms=TARGET_TERMS,
                           crumbs=_crumbs(org, _targets_crumb(org, last=True))), status


@bp.get(ORG + "/targets")
def targets_page(organisation_id: int) -> Any:
    """The organisation's targets, with the lead's forms: a new target, a period's output."""
    if (away := _signed_in()) is not None:
        return away
    return _render_targets(organisations.get_organisation(uow(), actor(), organisation_id))


@bp.post(ORG + "/targets")
def create_target(organisation_id: int) -> Any:
    """Set a target; refused with the field named (a target year before the base year, an
    intensity without its unit of output…), nothing written."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_COMMITMENTS, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    form, _ = _target_forms(organisation_id, TargetForm())
    if not form.validate_on_submit():
        return _render_targets(org, form, status=422)
    try:
        data = TargetCreateSchema().load(form.values())
    except ValidationError as invalid:
        placed = _schema_refusal(form, invalid, {f"scopes.{i}": "scopes" for i in range(3)})
        return _render_targets(org, form, problem=None if placed else Msg("the target is not valid"), status=422)
    try:
        created = targets.create_target(uow(), actor(), organisation_id, data)
    except NeutralityError as refused:
        shown = _placed(form, refused, {"commitment": "commitment_id"})
        return _render_targets(org, form, problem=None if shown is None else shown.message,
                               status=refused.http_status)
    return redirect(url_for("reduction_pages.progress_page", organisation_id=organisation_id, target_id=created.id))


@bp.post(ORG + "/period-output")
def record_output(organisation_id: int) -> Any:
    """Record a period's output (an intensity target's divisor), replacing the one before."""
    if (away := _signed_in()) is not None:
        return away
    authorize(actor(), Permission.MANAGE_COMMITMENTS, organisation_id)
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    _, form = _target_forms(organisation_id, output_form=OutputForm())
    if not form.validate_on_submit():
        return _render_targets(org, output_form=form, status=422)
    values = {"quantity": (form.quantity.data or "").strip(), "unit": (form.unit.data or "").strip()}
    try:
        data = OutputSetSchema().load(values)
    except ValidationError as invalid:
        placed = _schema_refusal(form, invalid, {})
        return _render_targets(org, output_form=form, problem=None if placed else Msg("the output is not valid"),
                               status=422)
    try:
        targets.record_output(uow(), actor(), organisation_id, int(form.period_id.data),
                              quantity=data["quantity"], unit_code=data["unit"])
    except NeutralityError as refused:
        shown = _placed(form, refused, {"period": "period_id"})
        return _render_targets(org, output_form=form, problem=None if shown is None else shown.message,
                               status=refused.http_status)
    return redirect(url_for("reduction_pages.targets_page", organisation_id=organisation_id) + "#output")


def _unit_of(target: Any) -> str:
    return "tCO2e" if target.kind == TargetKind.ABSOLUTE else f"tCO2e/{target.output_unit}"


def _points(followed: targets.TargetProgress) -> TrajectoryPoints:
    return TrajectoryPoints(
        tuple((point["year"], point["allowed"]) for point in followed.trajectory),
        tuple((p.year, p.position.actual, p.position.on_track) for p in followed.periods),
        unit=_unit_of(followed.target))


@bp.get(ORG + "/targets/<int:target_id>")
def progress_page(organisation_id: int, target_id: int) -> Any:
    """A target's progress: each period on the trajectory, the periods not followed and why,
    the changes between periods by activity and by factor, and the chart."""
    if (away := _signed_in()) is not None:
        return away
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    followed = targets.target_progress(uow(), actor(), organisation_id, target_id)
    periods = _periods(organisation_id)
    name = str(_l("Target %(number)s", number=target_id))
    return render_template(
        "reductions/progress.html", org=org, followed=followed, target=followed.target, periods=periods,
        kinds=TARGET_KINDS, bases=SCOPE2_BASES, unit=_unit_of(followed.target), name=name,
        chart_description=describe_trajectory(_points(followed), locale=str(get_locale())),
        crumbs=_crumbs(org, _targets_crumb(org), Crumb(name)))


@bp.get(ORG + "/targets/<int:target_id>/progress.svg")
def progress_chart(organisation_id: int, target_id: int) -> Any:
    """The trajectory from the base year to the target year with each period's actual value, in
    the reader's language."""
    if not actor().is_authenticated:
        raise NotFound(Msg("sign in to see the chart"))
    followed = targets.target_progress(uow(), actor(), organisation_id, target_id)
    svg = _chart(_points(followed), str(get_locale()))
    response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(svg.encode()).hexdigest())
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response.make_conditional(request)


@functools.lru_cache(maxsize=64)
def _chart(points: TrajectoryPoints, locale: str) -> str:
    """Drawn once per figures and language (the same figures draw the same bytes)."""
    return trajectory_chart_svg(points, locale=locale)


#: What a period can be compared with, in the reader's words.
AGAINST = {"previous": _l("the previous period"), "base-year": _l("the base year")}


@bp.get(ORG + "/periods/<int:period_id>/reductions")
def achieved_page(organisation_id: int, period_id: int) -> Any:
    """What the period's inventory shows was reduced, against the previous period or the base
    year: per scope and source, split into activity and emission factors, and per measure."""
    if (away := _signed_in()) is not None:
        return away
    against = request.args.get("against", "previous")
    if against not in AGAINST:
        raise InvalidInput(Msg("against: previous or base-year, not {value}", value=repr(against)),
                           {"against": [Msg("unknown")]})
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    found = achieved_services.period_reductions(uow(), actor(), organisation_id, period_id)
    trail = crumbs_to(org, period_id)
    chosen = found.against_previous if against == "previous" else found.against_base_year
    site = trail.subject.site_id  # a factory's period: its measures and the organisation's
    acting_here = [m for m in found.measures if site is None or m.value.site_id in (None, site)]
    return render_template(
        "reductions/achieved.html", org=org, subject=trail.subject, period=trail.period, found=found,
        measures=acting_here,
        chosen=chosen, against=against, choices=[(key, str(label)) for key, label in AGAINST.items()],
        sites=dict(found.sites), locale=str(get_locale()),
        crumbs=[*trail.crumbs[:-1], Crumb(trail.crumbs[-1].text, url_for("dashboard.period", organisation_id=org.id,
                                                                          period_id=period_id)),
                Crumb(str(_l("Reductions achieved")))])
