"""Shapes of the verifier's workspace in the API: comments and their threads, the opinion, and
the periods of the workspace."""

from __future__ import annotations

from marshmallow import fields

from neutrality.inventory.status import AssuranceLevel
from neutrality.schemas import Id, StrictSchema, Text, one_of
from neutrality.verification.model import Author, CommentStatus, VerificationState


class CommentInSchema(StrictSchema):
    """A new comment; at most one of the record fields names what it is about."""

    body = Text(5000, required=True)
    activity_id = Id(load_default=None, allow_none=True, metadata={"description": "an activity record of the period's inventory"})
    retirement_id = Id(load_default=None, allow_none=True, metadata={"description": "a retirement of the period"})
    finding = Text(40, load_default=None, allow_none=True,
                   metadata={"description": "the rule id of one of the period's findings (e.g. ISO-21)"})


class MessageInSchema(StrictSchema):
    body = Text(5000, required=True)


class CloseInSchema(StrictSchema):
    body = Text(5000, blank=True, load_default="", metadata={"description": "a last word, if any"})


class MessageSchema(StrictSchema):
    id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    author_label = fields.String()
    author_role = fields.String(metadata={"enum": [a.value for a in Author]})
    body = fields.String()
    created_at = fields.DateTime()


class CommentSchema(StrictSchema):
    id = fields.Integer()
    period_id = fields.Integer()
    inventory_id = fields.Integer()
    activity_id = fields.Integer(allow_none=True)
    retirement_id = fields.Integer(allow_none=True)
    finding = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": [s.value for s in CommentStatus]})
    opened_by = fields.Integer(allow_none=True)
    opened_at = fields.DateTime()
    closed_by = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    messages = fields.List(fields.Nested(MessageSchema))


class OpinionInSchema(StrictSchema):
    """Form fields sent with the signed statement file (multipart/form-data)."""

    assurance_level = one_of(AssuranceLevel, required=True)
    conclusion = Text(5000, required=True)
    issued_on = fields.Date(required=True)


class WorkspacePeriodSchema(StrictSchema):
    period_id = fields.Integer(attribute="period.id")
    start_date = fields.Date(attribute="period.start_date")
    end_date = fields.Date(attribute="period.end_date")
    period_status = fields.String(attribute="period.status")
    subject_name = fields.String()
    inventory_id = fields.Integer(attribute="inventory.id", allow_none=True)
    inventory_status = fields.String(attribute="inventory.status", allow_none=True)
    verification_state = fields.String(attribute="state", metadata={"enum": [s.value for s in VerificationState]})
    open_comments = fields.Integer()
