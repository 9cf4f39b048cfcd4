"""Roles, permissions and the decision "may this actor do that in this organisation?".

Pure: no Flask, no database. The services call :func:`authorize` before every read or write, so
the rule holds for the API, the pages and the CLI alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from neutrality.errors import Forbidden, NotFound, Unauthenticated
from neutrality.messages import Msg


class Role(StrEnum):
    """A user's role in one organisation."""

    LEAD = "lead"  # sustainability lead: sets up and runs the organisation's claims
    PROCUREMENT = "procurement"  # buys and records certificates and credits
    VERIFIER = "verifier"  # third party appointed by the organisation: reads and gives opinions
    VIEWER = "viewer"  # reads


class InvitationStatus(StrEnum):
    """Where an invitation to an organisation stands; only a pending one can be answered."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the organisation, or replaced by a newer invitation


class Permission(StrEnum):
    VIEW_ORGANISATION = "view_organisation"
    MANAGE_ORGANISATION = "manage_organisation"  # details, boundary, sites, subjects
    MANAGE_MEMBERS = "manage_members"  # add and remove members, appoint verifiers
    MANAGE_COMMITMENTS = "manage_commitments"  # commitments and application periods
    MANAGE_INVENTORY = "manage_inventory"  # activity data, factors, inventories
    MANAGE_INSTRUMENTS = "manage_instruments"  # purchases, holdings, registry imports
    RETIRE = "retire"  # retire instruments against a period
    VERIFY = "verify"  # record verification opinions
    VIEW_AUDIT = "view_audit"


#: What each role may do inside an organisation. A site administrator may do everything.
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.LEAD: frozenset(
        {
            Permission.VIEW_ORGANISATION,
            Permission.MANAGE_ORGANISATION,
            Permission.MANAGE_MEMBERS,
            Permission.MANAGE_COMMITMENTS,
            Permission.MANAGE_INVENTORY,
            Permission.MANAGE_INSTRUMENTS,
            Permission.RETIRE,
            Permission.VIEW_AUDIT,
        }
    ),
    Role.PROCUREMENT: frozenset({Permission.VIEW_ORGANISATION, Permission.MANAGE_INSTRUMENTS}),
    Role.VERIFIER: frozenset(
        {Permission.VIEW_ORGANISATION, Permission.VERIFY, Permission.VIEW_AUDIT}
    ),
    Role.VIEWER: frozenset({Permission.VIEW_ORGANISATION}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, a script holding a token, or the command line."""

    user_id: int | None
    label: str  # recorded in the audit log
    is_admin: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)  # organisation id -> role
    #: the language the user chose for the interface (en, zh_Hans, zh_Hant); None: not a user
    locale: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.is_admin or self.user_id is not None

    def role_in(self, organisation_id: int) -> Role | None:
        return self.roles.get(organisation_id)

    def can(self, permission: Permission, organisation_id: int) -> bool:
        if self.is_admin:
            return True
        role = self.roles.get(organisation_id)
        return role is not None and permission in ROLE_PERMISSIONS[role]

    def visible_organisations(self) -> frozenset[int] | None:
        """Organisation ids this actor may see; ``None`` means all (site administrator)."""
        return None if self.is_admin else frozenset(self.roles)


ANONYMOUS = Actor(user_id=None, label="anonymous")


def require_authenticated(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated(Msg("sign in or send an API token (Authorization: Bearer …)"))


def require_admin(actor: Actor) -> None:
    require_authenticated(actor)
    if not actor.is_admin:
        raise Forbidden(Msg("only a site administrator may do this"))


def authorize(actor: Actor, permission: Permission, organisation_id: int) -> None:
    """Raise unless ``actor`` holds ``permission`` in the organisation.

    A user with no role at all in the organisation gets "not found", not "forbidden": tenants do
    not learn which other organisations exist.
    """
    require_authenticated(actor)
    if actor.can(permission, organisation_id):
        return
    role = actor.role_in(organisation_id)
    if role is None:
        raise NotFound(Msg("organisation {id} not found", id=organisation_id))
    raise Forbidden(
        Msg("your role '{role}' in organisation {organisation} does not allow '{permission}'",
            role=str(role), organisation=organisation_id, permission=str(permission)),
        {"role": str(role), "permission": str(permission)},
    )


def email_key(email: str) -> str:
    """An e-mail address as accounts are stored and looked up by: without surrounding blanks,
    in lower case (people type Li.Wei@Factory.cn and li.wei@factory.cn for one mailbox)."""
    return email.strip().lower()
