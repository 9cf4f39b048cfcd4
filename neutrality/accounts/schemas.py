"""API schemas for users, tokens, passwords, memberships and invitations (load schemas check
shape only)."""

from __future__ import annotations

from marshmallow import fields, validate

from neutrality.access.model import Role
from neutrality.schemas import StrictSchema, Text, one_of
from neutrality.settings import SUPPORTED_LOCALES


class UserCreateSchema(StrictSchema):
    email = fields.Email(required=True)
    display_name = Text(200, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    is_admin = fields.Boolean(load_default=False)
    locale = fields.String(load_default="", validate=validate.OneOf(("", *SUPPORTED_LOCALES)),
                           metadata={"description": "the interface language; empty: the browser's"})


class UserSchema(StrictSchema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    is_admin = fields.Boolean()
    is_active = fields.Boolean()
    locale = fields.String(metadata={"description": "the interface language chosen; empty: the browser's"})
    created_at = fields.DateTime()


class MeRoleSchema(StrictSchema):
    organisation_id = fields.Integer()
    role = fields.String()


class MeSchema(StrictSchema):
    user_id = fields.Integer(allow_none=True)
    label = fields.String()
    is_admin = fields.Boolean()
    locale = fields.String(allow_none=True, metadata={"description": "the language of the interface the user chose"})
    roles = fields.List(fields.Nested(MeRoleSchema))


class MePatchSchema(StrictSchema):
    locale = fields.String(required=True, validate=validate.OneOf(SUPPORTED_LOCALES))


class TokenCreateSchema(StrictSchema):
    name = Text(100, required=True)
    expires_in_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))


class TokenSchema(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class TokenCreatedSchema(TokenSchema):
    #: The token itself, shown this once: only its hash is stored.
    token = fields.String()


class MembershipCreateSchema(StrictSchema):
    email = fields.Email(required=True)
    role = one_of(Role, required=True)


class MembershipUpdateSchema(StrictSchema):
    role = one_of(Role, required=True)


class UserUpdateSchema(StrictSchema):
    is_active = fields.Boolean(required=True, metadata={
        "description": "false disables the account: it cannot sign in, its sessions end and its "
                       "API tokens stop working; true enables it again"})


class MembershipSchema(StrictSchema):
    id = fields.Integer()
    user_id = fields.Integer()
    email = fields.Function(lambda m: m.user.email)
    display_name = fields.Function(lambda m: m.user.display_name)
    organisation_id = fields.Integer()
    role = fields.String()
    granted_by_user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, load_only=True,
                                     validate=validate.Length(max=200))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class InvitationSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    email = fields.String()
    role = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True)


class InvitationRecordedSchema(InvitationSchema):
    """The answer to an invitation: the same whether or not the address has an account."""

    #: The link the person accepts through, shown this once: only its token's hash is stored.
    link = fields.String()
    message = fields.String()


class InvitationTokenSchema(StrictSchema):
    #: The token at the end of the invitation's link.
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class InvitationAccountSchema(InvitationTokenSchema):
    display_name = Text(200, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
