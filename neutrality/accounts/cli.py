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
from neutrality.cli_support import Group, cli_uow, output, printing
from neutrality.organisations.cli import ORGANISATION_HELP, organisation_argument
from neutrality.pagination import EVERYTHING, Page

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
@printing()
def users_create(email: str, display_name: str, password: str, is_admin: bool,
                 as_json: bool) -> None:
    user = access.create_user(cli_uow(), cli_actor(), email=email, display_name=display_name,
                              password=password, is_admin=is_admin)
    output(UserSchema(), user, as_json)


@users.command("list")
@printing()
def users_list(as_json: bool) -> None:
    output(UserSchema(many=True), access.list_users(cli_uow(), cli_actor(), EVERYTHING).items,
           as_json)


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
@printing()
def users_token(email: str, name: str, days: int, as_json: bool) -> None:
    """Create an API token for EMAIL and print it (shown once, on the last line)."""
    everyone = access.list_users(cli_uow(), cli_actor(), Page(1, 10_000)).items
    user_id = next((u.id for u in everyone if u.email == email.lower()), None)
    if user_id is None:
        raise click.ClickException(f"no user with e-mail {email}")
    owner = access.load_actor(cli_uow(), user_id)
    token, plain = access.create_token(cli_uow(), owner, name=name, expires_in_days=days)
    output(TokenSchema(), token, as_json)
    click.echo(plain)


@click.group(cls=Group)
def members() -> None:
    """Roles of users in organisations."""


@members.command("add", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@printing()
def members_add(organisation_id: int, email: str, role: str, as_json: bool) -> None:
    membership = access.add_member(cli_uow(), cli_actor(), organisation_id, email=email,
                                   role=Role(role))
    output(MembershipSchema(), membership, as_json)


@members.command("invite", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@printing()
def members_invite(organisation_id: int, email: str, role: str, as_json: bool) -> None:
    """Invite EMAIL to ROLE and print the link the person accepts through (shown once)."""
    invitation, token = invitations.invite(cli_uow(), cli_actor(), organisation_id, email=email,
                                           role=Role(role))
    output(InvitationSchema(), invitation, as_json)
    base_url = current_app.extensions["neutrality.settings"].public_url
    with current_app.test_request_context(base_url=base_url):
        click.echo(url_for("pages.invitation", token=token, _external=True))


@members.command("invitations", epilog=ORGANISATION_HELP)
@organisation_argument
@printing()
def members_invitations(organisation_id: int, as_json: bool) -> None:
    """The organisation's invitations, newest first."""
    output(InvitationSchema(many=True),
           invitations.list_invitations(cli_uow(), cli_actor(), organisation_id,
                                        Page(1, 10_000)).items, as_json)


@members.command("list", epilog=ORGANISATION_HELP)
@organisation_argument
@printing()
def members_list(organisation_id: int, as_json: bool) -> None:
    output(MembershipSchema(many=True),
           access.list_members(cli_uow(), cli_actor(), organisation_id), as_json)
