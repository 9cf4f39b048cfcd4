"""API schema for audit entries."""

from marshmallow import fields

from neutrality.schemas import StrictSchema


class AuditEntrySchema(StrictSchema):
    id = fields.Integer()
    occurred_at = fields.DateTime()
    actor_user_id = fields.Integer(allow_none=True)
    actor_label = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
