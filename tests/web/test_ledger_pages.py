"""The ledger of a period in the browser: what the claim counts and the reversal of a mistake.

The world (tests/factories.py): retirement_a, 100 VCUs retired for period_verified for
"Suhui Trading Co.", is in the ledger but not counted by the claim (SANITY-02).
"""

from __future__ import annotations

from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _url(world: World) -> str:
    return f"/organisations/{world.org_a}/periods/{world.period_verified}/ledger"


def _reverse(client: Any, world: World, reason: str) -> Any:
    token = csrf(client.get(_url(world)).text)
    return client.post(f"{_url(world)}/{world.retirement_a}/reverse", data={"csrf_token": token, "reason": reason},
                       headers={"Accept-Language": "en"})


def test_the_ledger_says_which_retirement_the_claim_does_not_count(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert "Suhui Trading Co." in page and "not counted</span> SANITY-02" in page


def test_a_lead_reverses_a_mistaken_retirement_with_its_reason(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    assert _reverse(client, world, "retired for another buyer by mistake").status_code == 302
    assert table_counts()["retirements"] == before["retirements"] + 1  # a compensating entry
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert f"reversal of #{world.retirement_a}" in page


def test_a_reversal_without_a_reason_is_refused_next_to_its_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _reverse(client, world, "  ")
    assert answer.status_code == 422 and "Give the reason of the reversal." in answer.text
    assert table_counts() == before


def test_a_viewer_may_not_reverse(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    before = table_counts()
    assert _reverse(client, world, "mine").status_code == 403
    assert table_counts() == before


@pytest.mark.parametrize(("role", "offered"), [(Role.LEAD, True), (Role.VIEWER, False), (Role.PROCUREMENT, False)])
def test_only_who_may_retire_is_offered_the_reversal(client, uow, world, role, offered) -> None:
    # reversing is retiring's undoing: Permission.RETIRE, the lead's alone among the roles
    sign_in(client, _member(uow, world, role))
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert "Suhui Trading Co." in page  # the entry is there to read for everyone
    assert (f"/ledger/{world.retirement_a}/reverse" in page) is offered
    assert ('>Reverse</button>' in page) is offered
