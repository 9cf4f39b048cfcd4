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


class OwnBreakSchema(StrictSchema):
    entry_id = fields.Integer(metadata={"description": "the organisation's entry where the chain breaks"})
    kind = fields.String(metadata={"description": "altered: its hash does not match its content; "
                                   "unlinked: its previous hash does not match the entry before it"})
    stored = fields.String(metadata={"description": "the hash the entry keeps (its own, or its previous)"})
    expected = fields.String(metadata={"description": "the hash it should keep"})


class OrganisationChainSchema(StrictSchema):
    organisation_id = fields.Integer()
    intact = fields.Boolean(metadata={
        "description": "the chain holds up to the organisation's last entry"})
    entries = fields.Integer(metadata={"description": "the organisation's entries in the log"})
    intact_entries = fields.Integer(metadata={
        "description": "of them, those the chain vouches for (before the first break)"})
    last_intact_id = fields.Integer(allow_none=True)
    own_break = fields.Nested(OwnBreakSchema, allow_none=True, metadata={
        "description": "the first broken entry, when it is the organisation's own"})
    first_unvouched_id = fields.Integer(allow_none=True, metadata={
        "description": "the chain breaks at an entry of no concern to the organisation before "
                       "this entry of its own; nothing of that entry is shown"})
    breaks_later = fields.Boolean(metadata={
        "description": "the chain breaks only after the organisation's last entry"})
