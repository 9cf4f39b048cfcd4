"""The pages of an organisation: its dashboard (each application period with its figures, its
verdict under the claim and what it still lacks), a period's page, and its particulars.

Every figure comes from the use cases the API and the command line call (the balance under the
claim, the needs, the readiness checklist): the pages hold no rule and no arithmetic of their own.
Navigation goes organisation → factory (subject) → commitment → period, by name, with
breadcrumbs; nobody types an id.
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from neutrality.access.model import Permission
from neutrality.charts import BalanceSteps, balance_chart_svg, balance_steps, describe_steps
from neutrality.claims import readiness_service, services
from neutrality.claims.readiness_service import PeriodReview
from neutrality.clock import utcnow
from neutrality.commitments import services as commitments
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.errors import InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.organisations import services as organisations
from neutrality.organisations.tables import Organisation, Subject
from neutrality.pagination import Page
from neutrality.reports import services as reports
from neutrality.reports.rendering import LOCALES as REPORT_LOCALES
from neutrality.reports.rendering import ghg_report_pdf, report_filename
from neutrality.reports.workbook import ghg_report_table
from neutrality.web.context import actor, uow
from neutrality.web.frame import period_name
from neutrality.web.labels import label
from neutrality.web.pages import guard_page_ids
from neutrality.workbooks import media_type, write

bp = Blueprint("dashboard", __name__)
guard_page_ids(bp)


@dataclass(frozen=True)
class Crumb:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class PeriodRow:
    """One period on the dashboard: where it stands, from the use cases."""

    period: ApplicationPeriodRow
    review: PeriodReview


@dataclass(frozen=True)
class CommitmentBlock:
    commitment: Commitment
    subject: Subject
    periods: tuple[PeriodRow, ...]


def _signed_in() -> Any:
    """A redirect to the sign-in page for a visitor who is not signed in, else None."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login"))
    return None


def _organisation(organisation_id: int) -> Organisation:
    return organisations.get_organisation(uow(), actor(), organisation_id)


def _crumbs(org: Organisation, *more: Crumb) -> list[Crumb]:
    return [Crumb(str(_l("Organisations")), url_for("pages.home")),
            Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)), *more]


def _review(organisation_id: int, period_id: int) -> PeriodReview:
    return readiness_service.period_review(uow(), actor(), organisation_id, period_id, as_of=utcnow().date())


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int) -> Any:
    """The dashboard: each commitment's periods with their figures, verdict and next steps."""
    if (away := _signed_in()) is not None:
        return away
    org = _organisation(organisation_id)
    subjects = {s.id: s for s in organisations.list_subjects(uow(), actor(), organisation_id)}
    listed = [(c, sorted(c.periods, key=lambda p: p.sequence))
              for c in commitments.list_commitments(uow(), actor(), organisation_id)]
    # every period reviewed in one snapshot, the holdings read once for them all
    reviews = iter(readiness_service.periods_reviews(
        uow(), actor(), organisation_id, [p.id for _, periods in listed for p in periods], as_of=utcnow().date()))
    blocks = [CommitmentBlock(c, subjects[c.subject_id], tuple(PeriodRow(p, next(reviews)) for p in periods))
              for c, periods in listed]
    return render_template("dashboard/organisation.html", org=org, blocks=blocks, crumbs=_crumbs(org)[:-1],
                           locale=str(get_locale()), action_url=_action_url(org.id),
                           chart_description=chart_description)


@dataclass(frozen=True)
class Trail:
    """Where a period sits: its commitment and factory, and the breadcrumbs down to it."""

    commitment: Commitment
    subject: Subject
    period: ApplicationPeriodRow
    crumbs: list[Crumb]


def crumbs_to(org: Organisation, period_id: int) -> Trail:
    """The breadcrumbs organisation → factory → commitment → period (the period's page)."""
    found = next(((c, p) for c in commitments.list_commitments(uow(), actor(), org.id)
                  for p in c.periods if p.id == period_id), None)
    if found is None:
        raise NotFound(Msg("period {id} not found", id=period_id))
    commitment, row = found
    subject = next(s for s in organisations.list_subjects(uow(), actor(), org.id) if s.id == commitment.subject_id)
    dashboard = url_for("dashboard.organisation", organisation_id=org.id)
    return Trail(commitment, subject, row, _crumbs(
        org, Crumb(subject.name, f"{dashboard}#subject-{subject.id}"),
        Crumb(label(commitment.standard, "standard"), f"{dashboard}#commitment-{commitment.id}"),
        Crumb(period_name(row), url_for("dashboard.period", organisation_id=org.id, period_id=row.id))))


@bp.get("/organisations/<int:organisation_id>/periods/<int:period_id>")
def period(organisation_id: int, period_id: int) -> Any:
    """One period: its balance under the claim and without rules, what the claim does not count
    and why, and the checklist before its declaration."""
    if (away := _signed_in()) is not None:
        return away
    org = _organisation(organisation_id)
    review = _review(organisation_id, period_id)
    trail = crumbs_to(org, period_id)
    return render_template("dashboard/period.html", org=org, commitment=trail.commitment, subject=trail.subject,
                           period=trail.period, review=review, crumbs=trail.crumbs, locale=str(get_locale()), action_url=_action_url(org.id), chart_description=chart_description)


@bp.get("/organisations/<int:organisation_id>/periods/<int:period_id>/balance.svg")
def balance_chart(organisation_id: int, period_id: int) -> Any:
    """The period's balance as a chart (gross → certificates → residual → credits → net), under
    the claim, in the reader's language; 404 while the period has no inventory."""
    if not actor().is_authenticated:
        raise NotFound(Msg("sign in to see the chart"))
    steps = balance_steps(services.period_balance(uow(), actor(), organisation_id, period_id))
    if steps is None:
        raise NotFound(Msg("period {id} has no inventory yet: there is no balance to draw", id=period_id))
    svg = _chart(steps, str(get_locale()))
    # the same figures draw the same bytes: the browser revalidates and is told nothing changed
    response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(svg.encode()).hexdigest())
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response.make_conditional(request)


@bp.get("/organisations/<int:organisation_id>/periods/<int:period_id>/ghg-report.<any(pdf, xlsx, csv):file_format>")
def ghg_report(organisation_id: int, period_id: int, file_format: str) -> Any:
    """The period's GHG emission report: the PDF, or its figures as a spreadsheet (exact in their
    cells, headers in English and the Chinese of ``lang``), in ``?lang=`` (en, zh_Hans, zh_Hant)
    or the page's language; 404 while the period has no inventory."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path))
    lang = request.args.get("lang") or str(get_locale())
    if lang not in REPORT_LOCALES:
        raise InvalidInput(Msg("a report is written in en, zh_Hans or zh_Hant, not {lang}", lang=lang[:20]),
                           {"lang": ["unknown"]})
    content = reports.ghg_report(uow(), actor(), organisation_id, period_id, prepared_on=utcnow().date())
    if file_format == "pdf":
        response = Response(ghg_report_pdf(content, lang), mimetype="application/pdf")
    else:
        out = io.BytesIO()
        write(ghg_report_table(content), lang, file_format, out)
        response = Response(out.getvalue(), mimetype=media_type(file_format))
    name = report_filename(content, lang).removesuffix(".pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@functools.lru_cache(maxsize=256)
def _chart(steps: BalanceSteps, locale: str) -> str:
    """A chart drawn once per figures and language (drawing takes ~0.1 s; the same figures
    draw the same bytes)."""
    return balance_chart_svg(steps, locale=locale)


def chart_description(review: PeriodReview) -> str:
    """The chart's figures in words, for its ``alt`` text."""
    steps = balance_steps(review.balance)
    return "" if steps is None else describe_steps(steps, locale=str(get_locale()))


@bp.get("/organisations/<int:organisation_id>/particulars")
def particulars(organisation_id: int) -> Any:
    """The organisation's particulars, sites, commitments and periods."""
    if (away := _signed_in()) is not None:
        return away
    org = _organisation(organisation_id)
    sites = organisations.list_sites(uow(), actor(), organisation_id, Page(1, 200)).items
    subjects = organisations.list_subjects(uow(), actor(), organisation_id)
    return render_template(
        "pages/organisation.html", org=org, sites=sites, subjects={s.id: s for s in subjects},
        commitments=commitments.list_commitments(uow(), actor(), organisation_id),
        crumbs=_crumbs(org, Crumb(str(_l("Particulars")))),
    )


#: Where each readiness action is done. The pages that fix most of them are the next to come;
#: until then an action leads to the part of the period's page that explains it.
_ACTION_ANCHORS = {
    "verify_inventory": "inventory", "create_inventory": "inventory", "reverse_retirement": "excluded", "record_alias": "excluded",
    "record_labels": "checklist", "review_claim": "checklist", "change_standard": "checklist",
    "review_findings": "checklist",
}


#: The actions done on a page of their own.
_ACTION_PAGES = {"retire_credits": "planner_pages.plan_page", "retire_certificates": "planner_pages.plan_page"}

#: Who is led to that page: a role that may act there (reserve or retire units). Anyone else
#: reads what the action is about on the period's page.
_ACTION_PAGE_PERMISSIONS = {"planner_pages.plan_page": (Permission.RETIRE, Permission.MANAGE_INSTRUMENTS)}
_READER_ANCHORS = {"retire_credits": "balance", "retire_certificates": "balance"}


def _action_url(organisation_id: int) -> Callable[[str, int], str]:
    def url(action: str, period_id: int) -> str:
        target = _ACTION_PAGES.get(action)
        if target is not None and any(actor().can(p, organisation_id) for p in _ACTION_PAGE_PERMISSIONS[target]):
            return url_for(target, organisation_id=organisation_id, period_id=period_id)
        page = url_for("dashboard.period", organisation_id=organisation_id, period_id=period_id)
        return f"{page}#{_ACTION_ANCHORS.get(action) or _READER_ANCHORS.get(action, 'checklist')}"

    return url
