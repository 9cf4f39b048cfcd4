"""API endpoints of the verifier's workspace: the periods to verify, review comments, the
verifier's opinion and the evidence pack of a period."""

from __future__ import annotations

from typing import Any

from flask import Response

from neutrality.clock import utcnow
from neutrality.inventory.schemas import VerificationSchema
from neutrality.verification import services
from neutrality.verification.schemas import (
    CloseInSchema,
    CommentInSchema,
    CommentSchema,
    MessageInSchema,
    OpinionInSchema,
    WorkspacePeriodSchema,
)
from neutrality.web.api import API_PREFIX, Blueprint, multipart
from neutrality.web.context import actor, uow
from neutrality.web.uploads import form_fields, uploaded_file

blp = Blueprint(
    "verification", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="The verifier's workspace: review comments, the verifier's opinion, the evidence pack",
)
COMMENT = "/review-comments/<int:comment_id>"


@blp.route("/verification-workspace", methods=["GET"])
@blp.response(200, WorkspacePeriodSchema(many=True))
def workspace(organisation_id: int) -> Any:
    """Every period with its inventory, the state of its verification (none, claimed,
    confirmed) and how many review comments wait."""
    return services.workspace(uow(), actor(), organisation_id)


@blp.route("/periods/<int:period_id>/review-comments", methods=["GET"])
@blp.response(200, CommentSchema(many=True))
def list_comments(organisation_id: int, period_id: int) -> Any:
    """The period's review comments, each with its thread."""
    return services.list_comments(uow(), actor(), organisation_id, period_id)


@blp.route("/periods/<int:period_id>/review-comments", methods=["POST"])
@blp.arguments(CommentInSchema)
@blp.response(201, CommentSchema)
def open_comment(data: dict[str, Any], organisation_id: int, period_id: int) -> Any:
    """Open a review comment on the period's inventory (the appointed verifier), about one
    activity record, retirement or rule finding if named."""
    return services.open_comment(uow(), actor(), organisation_id, period_id, body=data["body"],
                                 activity_id=data["activity_id"], retirement_id=data["retirement_id"],
                                 finding=data["finding"], as_of=utcnow().date())


@blp.route(COMMENT, methods=["GET"])
@blp.response(200, CommentSchema)
def get_comment(organisation_id: int, comment_id: int) -> Any:
    """One review comment with its thread."""
    return services.get_comment(uow(), actor(), organisation_id, comment_id)


@blp.route(COMMENT + "/answers", methods=["POST"])
@blp.arguments(MessageInSchema)
@blp.response(201, CommentSchema)
def answer_comment(data: dict[str, Any], organisation_id: int, comment_id: int) -> Any:
    """The lead's answer (manage_inventory); the comment waits for the verifier again."""
    return services.answer_comment(uow(), actor(), organisation_id, comment_id, body=data["body"])


@blp.route(COMMENT + "/replies", methods=["POST"])
@blp.arguments(MessageInSchema)
@blp.response(201, CommentSchema)
def reply_comment(data: dict[str, Any], organisation_id: int, comment_id: int) -> Any:
    """The verifier asks again in the thread; the comment waits for the lead."""
    return services.reply_comment(uow(), actor(), organisation_id, comment_id, body=data["body"])


@blp.route(COMMENT + "/closure", methods=["POST"])
@blp.arguments(CloseInSchema)
@blp.response(200, CommentSchema)
def close_comment(data: dict[str, Any], organisation_id: int, comment_id: int) -> Any:
    """Close the comment (the verifier); a closed thread takes no more messages."""
    return services.close_comment(uow(), actor(), organisation_id, comment_id, body=data["body"])


@blp.route("/inventories/<int:inventory_id>/verification/confirmation", methods=["POST"])
@blp.response(200, VerificationSchema)
@blp.doc(requestBody=multipart(OpinionInSchema, "statement"))
def confirm(organisation_id: int, inventory_id: int) -> Any:
    """The appointed verifier's opinion (multipart: fields + the signed 'statement' file): it
    confirms the verification recorded for the inventory. Only a verifier may."""
    data = form_fields(OpinionInSchema())
    statement, filename = uploaded_file("statement")
    return services.confirm_verification(
        uow(), actor(), organisation_id, inventory_id, assurance_level=data["assurance_level"],
        conclusion=data["conclusion"], issued_on=data["issued_on"], statement=statement,
        statement_filename=filename)


@blp.route("/periods/<int:period_id>/evidence-pack.zip", methods=["GET"])
def evidence_pack(organisation_id: int, period_id: int) -> Response:
    """A zip of the period's evidence: the verification statement and opinion, every
    retirement's evidence file, retirements.csv and manifest.json (each file's SHA-256). A file
    changed since it was recorded refuses the pack (409, both hashes in details)."""
    data = services.evidence_pack(uow(), actor(), organisation_id, period_id)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="evidence-{organisation_id}-{period_id}.zip"'})
