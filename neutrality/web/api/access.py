"""API endpoints for the caller's identity, password and tokens, user accounts, organisation
members and the invitations that make them."""

from __future__ import annotations

from typing import Any

from flask import session, url_for

from neutrality.access.model import Role, require_authenticated
from neutrality.accounts import invitations, services, sessions
from neutrality.accounts.schemas import (
    InvitationAccountSchema,
    InvitationRecordedSchema,
    InvitationSchema,
    InvitationTokenSchema,
    MembershipCreateSchema,
    MembershipSchema,
    MembershipUpdateSchema,
    MePatchSchema,
    MeSchema,
    PasswordChangeSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from neutrality.errors import InvalidInput
from neutrality.pagination import Page, paginate_list
from neutrality.web import ratelimit
from neutrality.web.api import API_PREFIX, Blueprint, PageArgs, page_of, paged
from neutrality.web.context import SESSION_KEY, actor, public, uow

blp = Blueprint("access", __name__, url_prefix=API_PREFIX, description="Identity, tokens, users and members")


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me() -> Any:
    """The caller: user, site-administrator flag and a role per organisation."""
    current = actor()
    require_authenticated(current)
    return {
        "user_id": current.user_id,
        "label": current.label,
        "is_admin": current.is_admin,
        "locale": current.locale,
        "roles": [{"organisation_id": o, "role": str(r)} for o, r in sorted(current.roles.items())],
    }


@blp.route("/me", methods=["PATCH"])
@blp.arguments(MePatchSchema)
@blp.response(200, MeSchema)
def patch_me(data: dict[str, Any]) -> Any:
    """The caller's own settings: the language of the interface (``locale``: en, zh_Hans, zh_Hant)."""
    current = actor()
    user = services.set_own_locale(uow(), current, data["locale"])
    return {"user_id": current.user_id, "label": current.label, "is_admin": current.is_admin,
            "locale": user.locale,
            "roles": [{"organisation_id": o, "role": str(r)} for o, r in sorted(current.roles.items())]}


@blp.route("/tokens", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(TokenSchema))
def list_tokens(page: Page) -> Any:
    """The caller's API tokens (never the tokens themselves)."""
    return paged(paginate_list(services.list_tokens(uow(), actor()), page))


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenCreatedSchema)
def create_token(data: dict[str, Any]) -> Any:
    """Create an API token for scripts; the response carries the token, shown only this once."""
    token, plain = services.create_token(uow(), actor(), **data)
    return {**{name: getattr(token, name) for name in TokenSchema().fields}, "token": plain}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke one of the caller's tokens."""
    services.revoke_token(uow(), actor(), token_id)


@blp.route("/users", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(UserSchema))
def list_users(page: Page) -> Any:
    """All user accounts (site administrators only)."""
    return paged(services.list_users(uow(), actor(), page))


@blp.route("/users", methods=["POST"])
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user(data: dict[str, Any]) -> Any:
    """Create a user account (site administrators only)."""
    return services.create_user(uow(), actor(), **data)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
def update_user(data: dict[str, Any], user_id: int) -> Any:
    """Disable or enable a user account (site administrators only; not one's own)."""
    return services.set_user_active(uow(), actor(), user_id, active=data["is_active"])


@blp.route("/organisations/<int:organisation_id>/members", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MembershipSchema))
def list_members(page: Page, organisation_id: int) -> Any:
    """Members of an organisation with their roles."""
    return paged(paginate_list(services.list_members(uow(), actor(), organisation_id), page))


@blp.route("/organisations/<int:organisation_id>/members", methods=["POST"])
@blp.arguments(MembershipCreateSchema)
@blp.response(202, InvitationRecordedSchema)
def add_member(data: dict[str, Any], organisation_id: int) -> Any:
    """Invite an e-mail address to a role (a verifier is appointed this way). The person becomes
    a member on accepting through the link in the answer, which is shown only this once; the
    answer is the same whether or not the address has an account."""
    invitation, token = invitations.invite(uow(), actor(), organisation_id, email=data["email"],
                                           role=Role(data["role"]))
    return {
        **{name: getattr(invitation, name) for name in InvitationSchema().fields},
        "link": url_for("pages.invitation", token=token, _external=True),
        "message": "invitation recorded; give the person this link, which is shown only once",
    }


@blp.route("/organisations/<int:organisation_id>/invitations", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(InvitationSchema))
def list_invitations(page: Page, organisation_id: int) -> Any:
    """The organisation's invitations, newest first (never their links)."""
    return paged(invitations.list_invitations(uow(), actor(), organisation_id, page))


@blp.route("/organisations/<int:organisation_id>/invitations/<int:invitation_id>",
           methods=["DELETE"])
@blp.response(204)
def withdraw_invitation(organisation_id: int, invitation_id: int) -> None:
    """Withdraw a pending invitation: its link stops working."""
    invitations.withdraw(uow(), actor(), organisation_id, invitation_id)


@blp.route("/invitations/accept", methods=["POST"])
@blp.arguments(InvitationTokenSchema)
@blp.response(200, MembershipSchema)
def accept_invitation(data: dict[str, Any]) -> Any:
    """Accept an invitation, signed in with the address it was made out to."""
    return invitations.accept(uow(), actor(), data["token"])


@blp.route("/invitations/decline", methods=["POST"])
@blp.arguments(InvitationTokenSchema)
@blp.response(200, InvitationSchema)
def decline_invitation(data: dict[str, Any]) -> Any:
    """Decline an invitation, signed in with the address it was made out to."""
    return invitations.decline(uow(), actor(), data["token"])


@blp.route("/invitations/new-account", methods=["POST"])
@public
@blp.doc(security=[])  # the invitation's token is the credential
@blp.arguments(InvitationAccountSchema)
@blp.response(201, MembershipSchema)
def accept_invitation_with_new_account(data: dict[str, Any]) -> Any:
    """Create the account for the address invited and accept: for a person who has none (the
    link is the credential). An address that has an account signs in and accepts instead."""
    return invitations.create_account_and_accept(
        uow(), data["token"], display_name=data["display_name"], password=data["password"])


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data: dict[str, Any]) -> None:
    """Change the caller's password. Every session of the account is signed out; a browser
    that asked stays signed in with a fresh session. API tokens are kept."""
    current = actor()
    require_authenticated(current)
    ratelimit.check_sign_in(current.label)
    try:
        sessions.change_password(uow(), current, current_password=data["current_password"],
                                 new_password=data["new_password"])
    except InvalidInput as refused:
        if "current_password" in refused.details:
            ratelimit.count_failed_sign_in(current.label)
        raise
    if SESSION_KEY in session and current.user_id is not None:
        session[SESSION_KEY] = sessions.open_session(uow(), current.user_id)


@blp.route("/organisations/<int:organisation_id>/members/<int:user_id>", methods=["DELETE"])
@blp.response(204)
def remove_member(organisation_id: int, user_id: int) -> None:
    """Withdraw a user's role (the last lead cannot be removed)."""
    services.remove_member(uow(), actor(), organisation_id, user_id)


@blp.route("/organisations/<int:organisation_id>/members/<int:user_id>", methods=["PATCH"])
@blp.arguments(MembershipUpdateSchema)
@blp.response(200, MembershipSchema)
def change_role(data: dict[str, Any], organisation_id: int, user_id: int) -> Any:
    """Give a member another role (the last lead keeps theirs)."""
    return services.change_role(uow(), actor(), organisation_id, user_id, Role(data["role"]))
