"""Roles, permissions and the authorize decision, without any web layer or database."""

from __future__ import annotations

import pytest

from neutrality.access.model import (
    ANONYMOUS,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    authorize,
    require_admin,
    require_authenticated,
)
from neutrality.errors import Forbidden, NotFound, Unauthenticated

P = Permission
ORG = 7
OTHER_ORG = 8

# What each role may do, from the role descriptions: the lead runs everything except giving
# verification opinions (the verifier is independent); procurement buys and records instruments
# but does not retire them; the verifier reads, sees the audit log and records opinions; a viewer
# only reads.
EXPECTED = {
    Role.LEAD: set(P) - {P.VERIFY},
    Role.PROCUREMENT: {P.VIEW_ORGANISATION, P.MANAGE_INSTRUMENTS},
    Role.VERIFIER: {P.VIEW_ORGANISATION, P.VERIFY, P.VIEW_AUDIT},
    Role.VIEWER: {P.VIEW_ORGANISATION},
}


def member(role: Role, organisation_id: int = ORG) -> Actor:
    return Actor(user_id=1, label="user 1", roles={organisation_id: role})


def test_every_role_has_a_permission_set() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_a_member_can_exactly_what_their_role_allows(role: Role, permission: Permission) -> None:
    assert member(role).can(permission, ORG) is (permission in EXPECTED[role])


def test_every_role_may_view_the_organisation() -> None:
    assert all(member(role).can(P.VIEW_ORGANISATION, ORG) for role in Role)


def test_a_role_applies_only_in_its_own_organisation() -> None:
    lead = member(Role.LEAD, ORG)
    assert lead.can(P.MANAGE_COMMITMENTS, ORG)
    assert not lead.can(P.VIEW_ORGANISATION, OTHER_ORG)


def test_an_actor_may_hold_different_roles_in_different_organisations() -> None:
    actor = Actor(user_id=1, label="user 1", roles={ORG: Role.LEAD, OTHER_ORG: Role.VIEWER})
    assert actor.can(P.MANAGE_COMMITMENTS, ORG)
    assert not actor.can(P.MANAGE_COMMITMENTS, OTHER_ORG)
    assert actor.role_in(OTHER_ORG) is Role.VIEWER
    assert actor.role_in(99) is None


def test_a_site_administrator_can_do_everything_in_any_organisation() -> None:
    admin = Actor(user_id=1, label="admin", is_admin=True)
    assert all(admin.can(permission, 12345) for permission in Permission)


def test_the_anonymous_actor_can_do_nothing() -> None:
    assert not any(ANONYMOUS.can(permission, ORG) for permission in Permission)


def test_authentication_needs_a_user_or_administrator_status() -> None:
    assert not ANONYMOUS.is_authenticated
    assert member(Role.VIEWER).is_authenticated
    # The command line acts as an administrator without a user account.
    assert Actor(user_id=None, label="cli", is_admin=True).is_authenticated


def test_an_administrator_sees_all_organisations_and_a_member_only_their_own() -> None:
    assert Actor(user_id=1, label="admin", is_admin=True).visible_organisations() is None
    actor = Actor(user_id=1, label="user", roles={ORG: Role.LEAD, OTHER_ORG: Role.VIEWER})
    assert actor.visible_organisations() == frozenset({ORG, OTHER_ORG})
    assert ANONYMOUS.visible_organisations() == frozenset()


# --- authorize --------------------------------------------------------------------------------


def test_authorize_lets_a_member_with_the_permission_through() -> None:
    assert authorize(member(Role.LEAD), P.MANAGE_COMMITMENTS, ORG) is None


def test_authorize_lets_an_administrator_through_without_membership() -> None:
    authorize(Actor(user_id=None, label="cli", is_admin=True), P.RETIRE, ORG)


def test_authorize_rejects_an_anonymous_actor_as_unauthenticated() -> None:
    with pytest.raises(Unauthenticated) as info:
        authorize(ANONYMOUS, P.VIEW_ORGANISATION, ORG)
    assert info.value.http_status == 401
    assert "sign in" in info.value.message


def test_authorize_rejects_roles_without_an_identity_as_unauthenticated() -> None:
    # A role mapping alone (no user, not admin) must not grant anything.
    ghost = Actor(user_id=None, label="ghost", roles={ORG: Role.LEAD})
    with pytest.raises(Unauthenticated):
        authorize(ghost, P.VIEW_ORGANISATION, ORG)


def test_authorize_hides_an_organisation_from_a_non_member_as_not_found() -> None:
    # A lead of another organisation must not learn that organisation 7 exists.
    with pytest.raises(NotFound) as info:
        authorize(member(Role.LEAD, OTHER_ORG), P.VIEW_ORGANISATION, ORG)
    assert not isinstance(info.value, Forbidden)
    assert info.value.http_status == 404
    assert info.value.message == "organisation 7 not found"


def test_authorize_forbids_a_member_whose_role_lacks_the_permission() -> None:
    with pytest.raises(Forbidden) as info:
        authorize(member(Role.VIEWER), P.MANAGE_COMMITMENTS, ORG)
    assert info.value.http_status == 403
    assert info.value.details == {"role": "viewer", "permission": "manage_commitments"}
    assert (
        "role 'viewer' in organisation 7 does not allow 'manage_commitments'" in info.value.message
    )


def test_authorize_forbids_the_lead_from_recording_verification_opinions() -> None:
    with pytest.raises(Forbidden) as info:
        authorize(member(Role.LEAD), P.VERIFY, ORG)
    assert info.value.details == {"role": "lead", "permission": "verify"}


def test_authorize_forbids_a_verifier_from_retiring_instruments() -> None:
    with pytest.raises(Forbidden) as info:
        authorize(member(Role.VERIFIER), P.RETIRE, ORG)
    assert info.value.details == {"role": "verifier", "permission": "retire"}


# --- require_authenticated / require_admin ----------------------------------------------------


def test_require_authenticated_accepts_a_user_and_rejects_anonymous() -> None:
    require_authenticated(member(Role.VIEWER))
    with pytest.raises(Unauthenticated):
        require_authenticated(ANONYMOUS)


def test_require_admin_rejects_anonymous_as_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        require_admin(ANONYMOUS)


def test_require_admin_forbids_a_signed_in_user_who_is_not_an_administrator() -> None:
    # Even the lead of an organisation is not a site administrator.
    with pytest.raises(Forbidden) as info:
        require_admin(member(Role.LEAD))
    assert "site administrator" in info.value.message


def test_require_admin_accepts_an_administrator() -> None:
    require_admin(Actor(user_id=1, label="admin", is_admin=True))
