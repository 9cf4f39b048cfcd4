"""What the organisation holds, grouped as procurement asks (scheme, vintage, project, country,
technology, status, account), with its cost from the recorded purchases; and what each period
still needs. The figures are those of the holdings and needs use cases the API calls. And the
blocks themselves, a page at a time, found by a serial number their range holds."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from neutrality.claims import services as claims
from neutrality.commitments import services as commitments
from neutrality.errors import InvalidInput
from neutrality.organisations import services as organisations
from neutrality.pagination import Page
from neutrality.registry import held_blocks, projects
from neutrality.registry import holdings as registry_holdings
from neutrality.registry.model import BlockStatus
from neutrality.registry.schemes import load_schemes
from neutrality.technologies import technology_name
from neutrality.web.context import actor, uow
from neutrality.web.dashboard import Crumb
from neutrality.web.pages import guard_page_ids

bp = Blueprint("holdings_pages", __name__)
guard_page_ids(bp)

#: The groupings offered, and the statuses a holding may be in.
DIMENSIONS = registry_holdings.HOLDING_DIMENSIONS
STATUSES = tuple(s.value for s in BlockStatus)


@bp.get("/organisations/<int:organisation_id>/holdings")
def holdings_page(organisation_id: int) -> Any:
    """Holdings grouped by the dimensions ticked (scheme and vintage by default)."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path))
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    by = [d for d in request.args.getlist("by") if d in DIMENSIONS] or ["scheme", "vintage"]
    statuses = [s for s in request.args.getlist("status") if s in STATUSES] or ["held", "reserved"]
    periods = [(c, p) for c in commitments.list_commitments(uow(), actor(), organisation_id)
               for p in sorted(c.periods, key=lambda p: p.sequence)]
    lines, period_needs = claims.holdings_and_needs(uow(), actor(), organisation_id, by, statuses=statuses,
                                                    period_ids=[p.id for _, p in periods])
    needs = [(c, p, n) for (c, p), n in zip(periods, period_needs, strict=True)]
    crumbs = [Crumb(str(_l("Organisations")), url_for("pages.home")),
              Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
              Crumb(str(_l("Holdings")))]
    subjects = {s.id: s for s in organisations.list_subjects(uow(), actor(), organisation_id)}
    return render_template("holdings/holdings.html", org=org, lines=lines, by=by, statuses=statuses, subjects=subjects,
                           dimensions=DIMENSIONS, all_statuses=STATUSES, needs=needs, crumbs=crumbs,
                           locale=str(get_locale()), technology_name=technology_name)


#: Blocks shown a page.
BLOCKS_PER_PAGE = 50


@bp.get("/organisations/<int:organisation_id>/blocks")
def blocks_page(organisation_id: int) -> Any:
    """The organisation's blocks, a page at a time, narrowed by scheme and status; a serial
    number (or a range) finds the blocks whose range holds it, read as the registry writes it."""
    if not actor().is_authenticated:
        return redirect(url_for("pages.login", next=request.full_path))
    org = organisations.get_organisation(uow(), actor(), organisation_id)
    schemes = load_schemes()
    serial = request.args.get("serial", "").strip()[:300]
    scheme = request.args.get("scheme", "")
    scheme = scheme if scheme in schemes else ""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    number = max(1, request.args.get("page", 1, type=int) or 1)
    problem = None
    try:
        found = held_blocks.list_blocks(uow(), actor(), organisation_id, Page(number, BLOCKS_PER_PAGE),
                                        scheme=scheme or None, status=status or None, serial=serial or None)
    except InvalidInput as refused:
        problem, found = refused.message, None
    crumbs = [Crumb(str(_l("Organisations")), url_for("pages.home")),
              Crumb(org.name, url_for("dashboard.organisation", organisation_id=org.id)),
              Crumb(str(_l("Holdings")), url_for("holdings_pages.holdings_page", organisation_id=org.id)),
              Crumb(str(_l("Serial blocks")))]
    names = {p.id: p.name for p in projects.list_projects(uow(), actor(), organisation_id)}
    asked = {k: v for k, v in (("serial", serial), ("scheme", scheme), ("status", status)) if v}
    return render_template("holdings/blocks.html", org=org, found=found, problem=problem, serial=serial,
                           scheme=scheme, status=status, schemes=sorted(schemes), all_statuses=STATUSES,
                           projects=names, asked=asked, crumbs=crumbs)
