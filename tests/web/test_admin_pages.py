"""The site administrator's pages: organisations, accounts and members, through the same services
as the API; everyone else is refused before anything is read or written.

The world (tests/factories.py): organisation A with one member per role, organisation B whose
only member is its lead ("outsider"), and an account with no membership (candidate_email).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import PASSWORD, csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

EN = {"Accept-Language": "en"}


def _admin(client: Any, uow: Any) -> Any:
    user = create_user(uow, is_admin=True)
    sign_in(client, user.email)
    return user


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _post(client: Any, url: str, **fields: Any) -> Any:
    token = csrf(client.get("/admin/accounts").text)
    return client.post(url, data={"csrf_token": token, **fields}, headers=EN)


def _org_form(**overrides: str) -> dict[str, str]:
    return {"name": "新能源工厂", "legal_name": "新能源科技有限公司", "nature_of_enterprise": "private",
            "legal_representative": "王五", "registered_address": "上海市", "production_address": "上海市",
            "industry_category": "光伏设备", "contact_person": "赵六", "country": "CN",
            "consolidation_approach": "operational_control", "consolidation_justification": "We run it.",
            **overrides}


def _role(db: Any, organisation_id: int, user_id: int) -> str | None:
    with db() as session:
        return session.scalar(text("SELECT role FROM memberships WHERE organisation_id = :o AND user_id = :u"),
                              {"o": organisation_id, "u": user_id})


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER, Role.VERIFIER], ids=str)
def test_the_administration_is_refused_to_everyone_but_administrators(
        client, uow, world, table_counts, role) -> None:
    sign_in(client, _member(uow, world, role))
    for url in ("/admin/organisations", "/admin/accounts", f"/admin/organisations/{world.org_a}/members"):
        assert client.get(url).status_code == 403, url
    home = client.get("/", headers=EN).text
    assert "/admin/organisations" not in home  # no link in the header nor on the home page
    token = csrf(home)
    before = table_counts()
    crafted = [("/admin/organisations", _org_form()),
               ("/admin/accounts", {"email": "new@example.test", "display_name": "N", "password": PASSWORD}),
               (f"/admin/accounts/{world.users['viewer']}/disable", {}),
               (f"/admin/organisations/{world.org_a}/members", {"member-email": world.candidate_email,
                                                                "member-role": "lead"}),
               (f"/admin/organisations/{world.org_a}/members/{world.users['viewer']}/role", {"role": "lead"}),
               (f"/admin/organisations/{world.org_a}/members/{world.users['viewer']}/remove", {})]
    for url, fields in crafted:
        assert client.post(url, data={"csrf_token": token, **fields}).status_code == 403, url
    assert table_counts() == before


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client) -> None:
    answer = client.get("/admin/accounts")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_an_administrator_finds_the_administration_from_the_header_and_the_home_page(client, uow) -> None:
    _admin(client, uow)
    home = client.get("/", headers=EN).text
    assert home.count('href="/admin/organisations"') == 2


# --- organisations ------------------------------------------------------------------------------


def test_an_administrator_creates_an_organisation_and_is_taken_to_its_members(client, uow, table_counts) -> None:
    _admin(client, uow)
    before = table_counts()
    answer = _post(client, "/admin/organisations", **_org_form())
    assert answer.status_code == 302
    after = table_counts()
    assert after["organisations"] == before["organisations"] + 1
    assert after["consolidation_approach_changes"] == before["consolidation_approach_changes"] + 1
    page = client.get(answer.headers["Location"], headers=EN)
    assert page.status_code == 200 and "<h1>Members · 新能源工厂</h1>" in page.text and "No member yet." in page.text
    listing = client.get("/admin/organisations", headers=EN).text
    assert ">新能源工厂</a>" in listing and "Operational control" in listing


def test_an_organisation_with_an_unknown_first_lead_is_refused_next_to_the_field(client, uow, table_counts) -> None:
    _admin(client, uow)
    before = table_counts()
    answer = _post(client, "/admin/organisations", **_org_form(lead_email="nobody@example.test"))
    assert answer.status_code == 404
    assert "no user with e-mail nobody@example.test" in answer.text
    assert '<span class="field-error">unknown user</span>' in answer.text
    assert 'value="新能源工厂"' in answer.text  # what was typed stays
    assert table_counts() == before


def test_a_missing_field_and_a_wrong_country_are_named_and_nothing_is_written(client, uow, table_counts) -> None:
    _admin(client, uow)
    before = table_counts()
    missing = _post(client, "/admin/organisations", **_org_form(legal_name=""))
    assert missing.status_code == 422 and "This field is required." in missing.text
    country = _post(client, "/admin/organisations", **_org_form(country="XX"))
    assert country.status_code == 422
    assert "&#39;XX&#39; is not an ISO 3166-1 alpha-2 country code" in country.text
    assert table_counts() == before


def test_an_organisation_is_created_with_its_first_lead(client, uow, world, db) -> None:
    _admin(client, uow)
    answer = _post(client, "/admin/organisations", **_org_form(name="Lead Org", lead_email=world.candidate_email))
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"], headers=EN).text
    assert f"<td>{world.candidate_email}</td>" in page and '<option value="lead" selected>Lead</option>' in page


# --- accounts -----------------------------------------------------------------------------------


def test_an_administrator_creates_an_account_that_can_sign_in(client, app, uow, table_counts) -> None:
    _admin(client, uow)
    before = table_counts()
    answer = _post(client, "/admin/accounts", email="Li.Wei@Factory.test", display_name="李伟", password=PASSWORD)
    assert answer.status_code == 302
    assert table_counts()["users"] == before["users"] + 1
    assert "<td>li.wei@factory.test</td><td>李伟</td>" in client.get("/admin/accounts", headers=EN).text
    other = app.test_client()
    assert sign_in(other, "li.wei@factory.test").status_code == 302


def test_an_address_taken_is_refused_next_to_its_field(client, uow, world, table_counts) -> None:
    _admin(client, uow)
    before = table_counts()
    answer = _post(client, "/admin/accounts", email=world.candidate_email, display_name="Again", password=PASSWORD)
    assert answer.status_code == 409
    assert f"a user with e-mail {world.candidate_email} already exists" in answer.text
    assert '<span class="field-error">taken</span>' in answer.text
    assert table_counts() == before


def test_a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled(client, app, uow, world) -> None:
    user = create_user(uow)
    theirs = app.test_client()
    sign_in(theirs, user.email)
    assert theirs.get("/").status_code == 200
    _admin(client, uow)
    assert _post(client, f"/admin/accounts/{user.id}/disable").status_code == 302
    page = client.get("/admin/accounts", headers=EN).text
    assert f"Enable {user.email}</button>" in page
    assert theirs.get("/").headers["Location"] == "/login"  # the open session has ended
    assert sign_in(app.test_client(), user.email).status_code == 401
    assert _post(client, f"/admin/accounts/{user.id}/enable").status_code == 302
    assert sign_in(app.test_client(), user.email).status_code == 302


def test_an_administrator_cannot_disable_their_own_account(client, uow, db) -> None:
    me = _admin(client, uow)
    page = client.get("/admin/accounts", headers=EN).text
    assert f"Disable {me.email}" not in page  # not offered
    answer = _post(client, f"/admin/accounts/{me.id}/disable")
    assert answer.status_code == 409 and "you cannot disable your own account" in answer.text
    with db() as session:
        assert session.scalar(text("SELECT is_active FROM users WHERE id = :i"), {"i": me.id})


# --- members ------------------------------------------------------------------------------------


def test_an_account_is_added_given_another_role_and_removed(client, uow, world, db) -> None:
    _admin(client, uow)
    base = f"/admin/organisations/{world.org_b}/members"
    assert _post(client, base, **{"member-email": world.candidate_email, "member-role": "verifier"}).status_code == 302
    user_id = access.list_members(uow(), ADMIN, world.org_b)[-1].user_id
    assert _role(db, world.org_b, user_id) == "verifier"
    assert _post(client, f"{base}/{user_id}/role", role="viewer").status_code == 302
    assert _role(db, world.org_b, user_id) == "viewer"
    assert _post(client, f"{base}/{user_id}/remove").status_code == 302
    assert _role(db, world.org_b, user_id) is None


def test_an_address_without_an_account_cannot_be_added_and_is_invited_instead(
        client, uow, world, table_counts) -> None:
    _admin(client, uow)
    base = f"/admin/organisations/{world.org_b}"
    before = table_counts()
    refused = _post(client, f"{base}/members", **{"member-email": "new.person@example.test", "member-role": "viewer"})
    assert refused.status_code == 404
    assert "no user with e-mail new.person@example.test; a site administrator creates accounts" in refused.text
    assert table_counts() == before
    invited = _post(client, f"{base}/invitations", **{"invite-email": "new.person@example.test",
                                                      "invite-role": "viewer"})
    assert invited.status_code == 201 and "it is shown only once" in invited.text
    assert "http://localhost/invitations/" in invited.text
    assert table_counts()["invitations"] == before["invitations"] + 1
    assert "<td>new.person@example.test</td><td>Viewer</td><td>Pending</td>" in invited.text


def test_the_last_lead_is_neither_demoted_nor_removed(client, uow, world, db, table_counts) -> None:
    _admin(client, uow)
    base = f"/admin/organisations/{world.org_b}/members/{world.users['outsider']}"  # B's only lead
    before = table_counts()
    demoted = _post(client, f"{base}/role", role="viewer")
    assert demoted.status_code == 409
    assert "an organisation keeps at least one lead; appoint another first" in demoted.text
    assert _post(client, f"{base}/remove").status_code == 409
    assert _role(db, world.org_b, world.users["outsider"]) == "lead"
    assert table_counts() == before


def test_the_members_page_in_chinese_labels_every_field(client, uow, world) -> None:
    _admin(client, uow)
    page = client.get(f"/admin/organisations/{world.org_a}/members", headers={"Accept-Language": "zh-CN"}).text
    assert "成员" in page
    for field in ("member-email", "member-role", "invite-email", "invite-role", f"role-{world.users['lead']}"):
        assert f'<label for="{field}">' in page or f'for="{field}"' in page, field


# --- the API beside the pages -------------------------------------------------------------------


def test_a_lead_changes_a_role_through_the_api_but_not_the_last_lead(client, world, db) -> None:
    url = f"/api/v1/organisations/{world.org_a}/members"
    answer = client.patch(f"{url}/{world.users['viewer']}", json={"role": "verifier"}, headers=world.headers("lead"))
    assert answer.status_code == 200 and answer.json["role"] == "verifier"
    refused = client.patch(f"{url}/{world.users['lead']}", json={"role": "viewer"}, headers=world.headers("lead"))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert _role(db, world.org_a, world.users["lead"]) == "lead"


def test_a_disabled_accounts_api_token_stops_working(client, world) -> None:
    assert client.get("/api/v1/me", headers=world.headers("viewer")).status_code == 200
    answer = client.patch(f"/api/v1/users/{world.users['viewer']}", json={"is_active": False},
                          headers=world.headers("admin"))
    assert answer.status_code == 200 and answer.json["is_active"] is False
    assert client.get("/api/v1/me", headers=world.headers("viewer")).status_code == 401
