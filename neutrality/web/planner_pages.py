"""The retirement planner as a page: the plan of a period (policy, tolerance, the day of
retirement), the blocks the rules do not accept and why, the quantities to adjust, then
reserving the units or applying the plan with each registry's fields and evidence.

A block the rules refuse that the registry has retired anyway (by mistake, or before the rules
were checked) is recorded by hand with the reason (``despite_rules``): it stays in the ledger
with the rules that refuse it, and the claim does not count it.

A plan may span registries (Verra and the GEC platform): each registry's lines are retired in
their own registry transaction, so each group gets its own reference, date and evidence; all
groups are recorded in one transaction of ours (:func:`planning.apply_groups`), all or none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from neutrality.clock import utcnow
from neutrality.errors import NeutralityError
from neutrality.organisations import services as organisations
from neutrality.registry import planning, retirements
from neutrality.registry.planner import PlanLine, Policy, RetirementPlan
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb, crumbs_to
from neutrality.web.frame import ButtonForm
from neutrality.web.pages import guard_page_ids, storable

bp = Blueprint("planner_pages", __name__)
guard_page_ids(bp)


def _iso_date(_form: FlaskForm, field: Field) -> None:
    """The date as the date field sends it (YYYY-MM-DD), kept as a date."""
    try:
        field.data = dt.date.fromisoformat((field.data or "").strip())
    except (TypeError, ValueError):
        raise StopValidation(str(_l("Give the date on the registry's statement."))) from None


class DespiteRulesForm(FlaskForm):
    """A retirement of a block the rules refuse, recorded by hand: the registry has retired the
    units, so the ledger must hold them, with the reason; the claim does not count them."""

    block_id = SelectField(_l("Block the rules refuse"), coerce=int, validate_choice=True,
                           validators=[DataRequired(_l("Choose the block the registry retired."))])
    quantity = IntegerField(_l("Units retired (the whole block when left empty)"),
                            validators=[Optional(), NumberRange(min=1)])
    registry_reference = StringField(_l("Registry reference of the retirement"), validators=[
        DataRequired(_l("Give the registry's reference of this retirement.")), storable, Length(max=200)])
    retired_on = StringField(_l("Date on the registry statement"), validators=[_iso_date])
    evidence = FileField(_l("Registry retirement statement (evidence)"),
                         validators=[FileRequired(_l("Attach the registry's retirement statement."))])
    beneficiary_text = StringField(_l("Beneficiary, as the registry records it"), validators=[
        DataRequired(_l("Give the beneficiary as the registry records it.")), storable, Length(max=500)])
    purpose = StringField(_l("Purpose, as the registry records it"), validators=[
        DataRequired(_l("Give the purpose of the retirement as the registry records it.")), storable,
        Length(max=2000)])
    despite_rules = TextAreaField(_l("Why it is recorded although the rules refuse it"), validators=[
        DataRequired(_l("Give the reason to record this retirement although the rules refuse it.")), storable,
        Length(max=2000)])


def _despite_form(plan: RetirementPlan | None = None) -> DespiteRulesForm:
    """The form, offering the blocks the plan passes over (the first 20 of each refusal)."""
    form = DespiteRulesForm(prefix="despite")
    refused = plan.plan.not_accepted if plan is not None else ()
    # each named by its id, scheme and the rule refusing it (the reason starts "RULE-ID: …")
    form.block_id.choices = [(block_id, f"{block_id} · {group.scheme} · {group.reason.split(':', 1)[0]}")
                             for group in refused for block_id in group.block_ids]
    return form


@dataclass(frozen=True)
class RegistryGroup:
    """The lines one registry retires in one transaction of its own."""

    registry: str  # a key for the form's fields: the registry's name, lower case, hyphenated
    name: str  # the registry as the scheme table names it (Verra Registry…)
    lines: tuple[PlanLine, ...]


def _groups(plan: RetirementPlan) -> list[RegistryGroup]:
    by_registry: dict[str, list[PlanLine]] = defaultdict(list)
    for line in plan.plan.lines:
        by_registry[scheme_of(line.scheme).registry].append(line)
    return [RegistryGroup(re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"), name, tuple(lines))
            for name, lines in by_registry.items()]


def _options() -> dict[str, Any]:
    """The plan's options from the query (or the form): policy, tolerance, day of retirement."""
    values = request.values
    policy = values.get("policy", Policy.OLDEST_VINTAGE.value)
    if policy not in {p.value for p in Policy}:
        policy = Policy.OLDEST_VINTAGE.value
    try:
        tolerance = max(0, int(values.get("tolerance", "0") or 0))
    except ValueError:
        tolerance = 0
    try:
        retire_on = dt.date.fromisoformat(values.get("retire_on", "")) if values.get("retire_on") else utcnow().date()
    except ValueError:
        retire_on = utcnow().date()
    return {"policy": Policy(policy), "tolerance": tolerance, "retire_on": retire_on}


def _propose(organisation_id: int, period_id: int) -> RetirementPlan:
    options = _options()
    return planning.propose(uow(), actor(), organisation_id, period_id, policy=options["policy"],
                            retire_on=options["retire_on"], tolerance=options["tolerance"])


def _render(organisation_id: int, period_id: int, *, errors: dict[str, str] | None = None,
            refused: NeutralityError | None = None, status: int = 200, despite: DespiteRulesForm | None = None,
            despite_refused: NeutralityError | None = None) -> Any:
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    trail = crumbs_to(org, period_id)
    options = _options()
    plan = _propose(organisation_id, period_id)
    if despite is None:
        despite = _despite_form(plan)
        despite.retired_on.data = utcnow().date().isoformat()
    purpose = f"{org.legal_name}: {trail.subject.name}, {trail.period.start_date.isoformat()} – {trail.period.end_date.isoformat()}"
    return render_template(
        "planner/plan.html", org=org, period=trail.period, subject=trail.subject,
        crumbs=[*trail.crumbs, Crumb(str(_l("Retirement plan")))], plan=plan, groups=_groups(plan),
        options=options, policies=[p.value for p in Policy], form=ButtonForm(),
        locale=str(get_locale()), errors=errors or {}, refused=refused, values=request.form,
        default_purpose=purpose, today=utcnow().date(), despite=despite, despite_refused=despite_refused,
    ), status


@bp.get("/organisations/<int:organisation_id>/periods/<int:period_id>/plan")
def plan_page(organisation_id: int, period_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path))
    try:
        return _render(organisation_id, period_id)
    except NeutralityError as refused:
        if refused.http_status in (403, 404):
            raise
        org = organisations.get_organisation(uow(), actor(), organisation_id)
        trail = crumbs_to(org, period_id)
        return render_template("planner/unavailable.html", org=org, period=trail.period, refused=refused,
                               crumbs=[*trail.crumbs, Crumb(str(_l("Retirement plan")))]), refused.http_status


def _lines(form: Any, registry: str | None = None) -> list[dict[str, int]]:
    """The lines sent: ``quantity-<block id>`` for each block kept (0 or blank leaves it out)."""
    lines = []
    for key, value in form.items():
        if not key.startswith("quantity-") or not value.strip():
            continue
        block_id = int(key.removeprefix("quantity-"))
        if registry is not None and form.get(f"registry-{block_id}") != registry:
            continue
        quantity = int(value)
        if quantity > 0:
            lines.append({"block_id": block_id, "quantity": quantity})
    return lines


@bp.post("/organisations/<int:organisation_id>/periods/<int:period_id>/plan/reserve")
def reserve(organisation_id: int, period_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    if not ButtonForm().validate_on_submit():
        return _render(organisation_id, period_id, status=400)
    try:
        lines = _lines(request.form)
        planning.reserve(uow(), actor(), organisation_id, period_id, lines)
    except ValueError:
        return _render(organisation_id, period_id, errors={"lines": str(_l("Give each quantity as a whole number."))},
                       status=422)
    except NeutralityError as refused:
        return _render(organisation_id, period_id, refused=refused, status=refused.http_status)
    return redirect(url_for("planner_pages.plan_page", organisation_id=organisation_id, period_id=period_id,
                            **{k: request.form[k] for k in ("policy", "tolerance", "retire_on") if request.form.get(k)}))


@bp.post("/organisations/<int:organisation_id>/periods/<int:period_id>/plan/apply")
def apply(organisation_id: int, period_id: int) -> Any:
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    if not ButtonForm().validate_on_submit():
        return _render(organisation_id, period_id, status=400)
    form = request.form
    errors: dict[str, str] = {}
    beneficiary, purpose = form.get("beneficiary_text", "").strip(), form.get("purpose", "").strip()
    if not beneficiary:
        errors["beneficiary_text"] = str(_l("Give the beneficiary as the registry records it."))
    if not purpose:
        errors["purpose"] = str(_l("Give the purpose of the retirement as the registry records it."))
    groups = []
    try:
        registries = sorted({form[k] for k in form if k.startswith("registry-")})
        for registry in registries:
            lines = _lines(form, registry)
            if not lines:
                continue
            reference = form.get(f"reference-{registry}", "").strip()
            retired_on_text = form.get(f"retired_on-{registry}", "")
            upload = request.files.get(f"evidence-{registry}")
            if not reference:
                errors[f"reference-{registry}"] = str(_l("Give the registry's reference of this retirement."))
            try:
                retired_on = dt.date.fromisoformat(retired_on_text)
            except ValueError:
                errors[f"retired_on-{registry}"] = str(_l("Give the date on the registry's statement."))
                continue
            if upload is None or not upload.filename:
                errors[f"evidence-{registry}"] = str(_l("Attach the registry's retirement statement."))
                continue
            groups.append(planning.ApplyGroup(tuple(lines), {
                "beneficiary_text": beneficiary, "purpose": purpose, "reason": "", "retired_on": retired_on,
                "registry_reference": reference, "registry_link": ""}, upload.read(), Path(upload.filename).name))
    except ValueError:
        errors["lines"] = str(_l("Give each quantity as a whole number."))
    if not groups and not errors:
        errors["lines"] = str(_l("Keep at least one line of the plan."))
    if errors:
        return _render(organisation_id, period_id, errors=errors, status=422)
    try:
        planning.apply_groups(uow(), actor(), organisation_id, period_id, groups, as_of=utcnow().date())
    except NeutralityError as refused:
        return _render(organisation_id, period_id, refused=refused, status=refused.http_status)
    return redirect(url_for("dashboard.period", organisation_id=organisation_id, period_id=period_id) + "#balance")


@bp.post("/organisations/<int:organisation_id>/periods/<int:period_id>/plan/despite-rules")
def despite_rules(organisation_id: int, period_id: int) -> Any:
    """Record a retirement the rules refuse, with the reason: the registry's fields and evidence
    as for a plan, the rules' findings kept with it, the claim not counting it."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    form = _despite_form(_propose(organisation_id, period_id))
    if not form.validate_on_submit():
        return _render(organisation_id, period_id, despite=form, status=422)
    upload = form.evidence.data
    data = {"period_id": period_id, "block_id": form.block_id.data, "quantity": form.quantity.data,
            "beneficiary_text": form.beneficiary_text.data.strip(), "purpose": form.purpose.data.strip(),
            "reason": "", "retired_on": form.retired_on.data, "registry_reference": form.registry_reference.data.strip(),
            "registry_link": "", "despite_rules": form.despite_rules.data.strip()}
    try:
        retirements.retire(uow(), actor(), organisation_id, data, evidence=upload.read(),
                           evidence_filename=Path(upload.filename or "evidence").name, as_of=utcnow().date())
    except NeutralityError as refused:
        return _render(organisation_id, period_id, despite=form, despite_refused=refused, status=refused.http_status)
    return redirect(url_for("ledger_pages.ledger", organisation_id=organisation_id, period_id=period_id))
