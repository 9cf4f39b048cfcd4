"""``neutrality users`` and ``neutrality members``: user accounts, passwords, API tokens, the
roles of users in organisations and invitations to take one."""

from __future__ import annotations

import click
from flask import current_app, url_for

from neutrality.access.cli import cli_actor
from neutrality.access.model import Role
from neutrality.accounts import invitations, sessions
from neutrality.accounts import services as access
from neutrality.accounts.schemas import (
    InvitationSchema,
    MembershipSchema,
    TokenSchema,
    UserSchema,
)
from neutrality.cli_support import ID, Group, cli_uow, echo
from neutrality.pagination import Page

#: How long a token may last: what the services accept, refused here before anything is done.
TOKEN_DAYS = click.IntRange(1, 3650)


@click.group(cls=Group)
def users() -> None:
    """User accounts and API tokens."""


@users.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", "is_admin", is_flag=True, help="Site administrator.")
def users_create(email: str, display_name: str, password: str, is_admin: bool) -> None:
    user = access.create_user(cli_uow(), cli_actor(), email=email, display_name=display_name,
                              password=password, is_admin=is_admin)
    echo(UserSchema(), user)


@users.command("list")
def users_list() -> None:
    echo(UserSchema(many=True), access.list_users(cli_uow(), cli_actor(), Page(1, 200)).items)


@users.command("password")
@click.argument("email")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def users_password(email: str, password: str) -> None:
    """Set the password of EMAIL (e.g. a forgotten one); every session of the account ends."""
    sessions.set_password(cli_uow(), cli_actor(), email=email, new_password=password)
    click.echo(f"password of {email.strip().lower()} changed; its sessions are signed out")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True)
@click.option("--days", type=TOKEN_DAYS, default=90, show_default=True)
def users_token(email: str, name: str, days: int) -> None:
    """Create an API token for EMAIL and print it (shown once)."""
    everyone = access.list_users(cli_uow(), cli_actor(), Page(1, 10_000)).items
    user_id = next((u.id for u in everyone if u.email == email.lower()), None)
    if user_id is None:
        raise click.ClickException(f"no user with e-mail {email}")
    owner = access.load_actor(cli_uow(), user_id)
    token, plain = access.create_token(cli_uow(), owner, name=name, expires_in_days=days)
    echo(TokenSchema(), token)
    click.echo(plain)


@click.group(cls=Group)
def members() -> None:
    """Roles of users in organisations."""


@members.command("add")
@click.argument("organisation_id", type=ID)
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def members_add(organisation_id: int, email: str, role: str) -> None:
    membership = access.add_member(cli_uow(), cli_actor(), organisation_id, email=email,
                                   role=Role(role))
    echo(MembershipSchema(), membership)


@members.command("invite")
@click.argument("organisation_id", type=ID)
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def members_invite(organisation_id: int, email: str, role: str) -> None:
    """Invite EMAIL to ROLE and print the link the person accepts through (shown once)."""
    invitation, token = invitations.invite(cli_uow(), cli_actor(), organisation_id, email=email,
                                           role=Role(role))
    echo(InvitationSchema(), invitation)
    base_url = current_app.extensions["neutrality.settings"].public_url
    with current_app.test_request_context(base_url=base_url):
        click.echo(url_for("pages.invitation", token=token, _external=True))


@members.command("invitations")
@click.argument("organisation_id", type=ID)
def members_invitations(organisation_id: int) -> None:
    """The organisation's invitations, newest first."""
    echo(InvitationSchema(many=True),
         invitations.list_invitations(cli_uow(), cli_actor(), organisation_id,
                                      Page(1, 10_000)).items)


@members.command("list")
@click.argument("organisation_id", type=ID)
def members_list(organisation_id: int) -> None:
    echo(MembershipSchema(many=True),
         access.list_members(cli_uow(), cli_actor(), organisation_id))
