"""API endpoints of issued statements: issue a version of a period's statement, list and read
them, their stored PDFs, publish and withdraw."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from neutrality.clock import utcnow
from neutrality.statements import versions
from neutrality.statements.schemas import (
    IssueInSchema,
    PdfQuerySchema,
    VersionSchema,
    WithdrawalInSchema,
)
from neutrality.statements.services import public_url
from neutrality.web.api import API_PREFIX, Blueprint
from neutrality.web.context import actor, uow

blp = Blueprint(
    "statements", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Issued statements: versions, their PDFs, publication and withdrawal",
)
VERSION = "/statements/<int:version_id>"


@blp.route("/periods/<int:period_id>/statements", methods=["POST"])
@blp.arguments(IssueInSchema)
@blp.response(201, VersionSchema)
def issue(data: dict[str, Any], organisation_id: int, period_id: int) -> Any:
    """Issue the next version of the period's statement of ``kind`` (manage_commitments): its
    snapshot frozen and its PDFs stored. 409 when nothing changed since the latest version or
    when an achievement is asked for that the rules do not allow."""
    url = public_url(current_app.extensions["neutrality.settings"].public_url, organisation_id, period_id)
    return versions.issue_statement(uow(), actor(), organisation_id, period_id, data["kind"],
                                    issued_on=utcnow().date(), changes=data["changes"],
                                    declaration=data["declaration"], published_at=url)


@blp.route("/periods/<int:period_id>/statements", methods=["GET"])
@blp.response(200, VersionSchema(many=True))
def list_versions(organisation_id: int, period_id: int) -> Any:
    """The period's issued versions, withdrawn and superseded ones included."""
    return versions.list_versions(uow(), actor(), organisation_id, period_id)


@blp.route(VERSION, methods=["GET"])
@blp.response(200, VersionSchema)
def get_version(organisation_id: int, version_id: int) -> Any:
    """One issued version with its status and the hashes of its PDFs."""
    return versions.get_version(uow(), actor(), organisation_id, version_id)


@blp.route(VERSION + ".pdf", methods=["GET"])
@blp.arguments(PdfQuerySchema, location="query")
@blp.response(200)
def version_pdf(query: dict[str, Any], organisation_id: int, version_id: int) -> Response:
    """The PDF stored at issue in ``lang``; 409 if it no longer matches its recorded SHA-256."""
    pdf = versions.version_pdf(uow(), actor(), organisation_id, version_id, query["lang"])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="statement-{version_id}-{query["lang"]}.pdf"'})


@blp.route(VERSION + "/publication", methods=["POST"])
@blp.response(200, VersionSchema)
def publish(organisation_id: int, version_id: int) -> Any:
    """Make the version the period's public declaration; the one public before is superseded."""
    return versions.publish_version(uow(), actor(), organisation_id, version_id)


@blp.route(VERSION + "/withdrawal", methods=["POST"])
@blp.arguments(WithdrawalInSchema)
@blp.response(200, VersionSchema)
def withdraw(data: dict[str, Any], organisation_id: int, version_id: int) -> Any:
    """Withdraw the version, saying why: it stays listed, marked withdrawn."""
    return versions.withdraw_version(uow(), actor(), organisation_id, version_id, reason=data["reason"])
