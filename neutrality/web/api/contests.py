"""API endpoints of contests over serials: site administrators see both sides and decide who
keeps the units (:mod:`neutrality.registry.contests`)."""

from __future__ import annotations

from typing import Any

from flask import Response

from neutrality.pagination import Page
from neutrality.registry import contests
from neutrality.registry.schemas import (
    ContestQuerySchema,
    ContestSchema,
    ResolutionFormSchema,
)
from neutrality.web.api import API_PREFIX, Blueprint, multipart, page_of, paged
from neutrality.web.context import actor, uow
from neutrality.web.uploads import form_fields, uploaded_file

blp = Blueprint(
    "contests",
    __name__,
    url_prefix=API_PREFIX + "/contests",
    description="Contested serials: units entered by two organisations (site administrators)",
)


@blp.route("", methods=["GET"])
@blp.arguments(ContestQuerySchema, location="query")
@blp.response(200, page_of(ContestSchema))
def list_contests(query: dict[str, Any]) -> Any:
    """Contests of every organisation, oldest first, with both sides (``?status=open``)."""
    page = Page(query.pop("page"), query.pop("per_page"))
    return paged(contests.list_contests(uow(), actor(), page, **query))


@blp.route("/<int:contest_id>", methods=["GET"])
@blp.response(200, ContestSchema)
def get_contest(contest_id: int) -> Any:
    """One contest of a serial range claimed twice, with its blocks."""
    return contests.get_contest(uow(), actor(), contest_id)


@blp.route("/<int:contest_id>/resolution", methods=["POST"])
@blp.response(200, ContestSchema)
@blp.doc(requestBody=multipart(ResolutionFormSchema, "evidence"))
def resolve(contest_id: int) -> Any:
    """Decide who keeps the units (``keep``: claimant or holders), with a reason and the
    evidence (file field 'evidence'); the losing side's units become void."""
    data = form_fields(ResolutionFormSchema())
    evidence, filename = uploaded_file("evidence")
    return contests.resolve(
        uow(), actor(), contest_id, data, evidence=evidence, evidence_filename=filename
    )


@blp.route("/<int:contest_id>/evidence", methods=["GET"])
def contest_evidence(contest_id: int) -> Response:
    """The evidence a contest was decided on; its SHA-256 in the X-Content-SHA256 header."""
    contest, evidence = contests.evidence_of(uow(), actor(), contest_id)
    return Response(
        evidence,
        mimetype="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="contest-{contest.id}-evidence"',
            "X-Content-SHA256": contest.evidence_sha256 or "",
        },
    )
