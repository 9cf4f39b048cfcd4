"""Shapes of issued statements in the API: what issuing and withdrawing take, and a version as
listed (its snapshot is not repeated: the PDFs state it)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from neutrality.schemas import StrictSchema, Text, one_of
from neutrality.statements.content import DeclarationType, StatementKind
from neutrality.statements.rendering import LOCALES


class IssueInSchema(StrictSchema):
    kind = one_of(StatementKind, required=True)
    declaration = one_of(DeclarationType, load_default=None, allow_none=True, metadata={
        "description": "the statement's own unless named; an achievement the rules do not allow is refused (409)"})
    changes = Text(5000, load_default=None, allow_none=True,
                   metadata={"description": "what changed since the previous version: required from version 2"})


class WithdrawalInSchema(StrictSchema):
    reason = Text(5000, required=True)


class PdfQuerySchema(StrictSchema):
    lang = fields.String(load_default="en", validate=validate.OneOf(LOCALES),
                         metadata={"description": "en, zh_Hans (简体) or zh_Hant (繁體)"})


class DocumentSchema(StrictSchema):
    locale = fields.String()
    sha256 = fields.String()
    size = fields.Integer()


class VersionSchema(StrictSchema):
    id = fields.Integer()
    period_id = fields.Integer()
    kind = fields.String(metadata={"enum": [k.value for k in StatementKind]})
    version = fields.Integer()
    declaration = fields.String(metadata={"enum": [d.value for d in DeclarationType]})
    status = fields.Method("_status", metadata={"enum": ["issued", "published", "superseded", "withdrawn"]})
    snapshot_sha256 = fields.String()
    issued_at = fields.DateTime()
    issued_by = fields.Integer(allow_none=True)
    changes = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.Integer(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_by = fields.Integer(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(DocumentSchema))

    def _status(self, version: Any) -> str:
        from neutrality.statements.versions import status_of

        return status_of(version).value
