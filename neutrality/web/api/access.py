"""API endpoints for the caller's identity, tokens, user accounts and organisation members."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from neutrality.access.model import Role, require_authenticated
from neutrality.accounts import services
from neutrality.accounts.schemas import (
    MembershipCreateSchema,
    MembershipSchema,
    MeSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
)
from neutrality.pagination import Page, paginate_list
from neutrality.web.api import API_PREFIX, PageArgs, page_of, paged
from neutrality.web.context import actor, uow

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
        "roles": [{"organisation_id": o, "role": str(r)} for o, r in sorted(current.roles.items())],
    }


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


@blp.route("/organisations/<int:organisation_id>/members", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MembershipSchema))
def list_members(page: Page, organisation_id: int) -> Any:
    """Members of an organisation with their roles."""
    return paged(paginate_list(services.list_members(uow(), actor(), organisation_id), page))


@blp.route("/organisations/<int:organisation_id>/members", methods=["POST"])
@blp.arguments(MembershipCreateSchema)
@blp.response(201, MembershipSchema)
def add_member(data: dict[str, Any], organisation_id: int) -> Any:
    """Give an existing user a role; a verifier is appointed this way."""
    return services.add_member(uow(), actor(), organisation_id, email=data["email"], role=Role(data["role"]))


@blp.route("/organisations/<int:organisation_id>/members/<int:user_id>", methods=["DELETE"])
@blp.response(204)
def remove_member(organisation_id: int, user_id: int) -> None:
    """Withdraw a user's role (the last lead cannot be removed)."""
    services.remove_member(uow(), actor(), organisation_id, user_id)
