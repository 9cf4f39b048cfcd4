"""Members join by invitation: the answer to an invitation does not tell whether the address has
an account, shows nobody's name, and adds nobody until the person invited accepts."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from neutrality.clock import utcnow
from tests.browser import PASSWORD, csrf, sign_in
from tests.factories import create_user

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

A = "/api/v1/organisations/{org}"
LINK = re.compile(r"^http://localhost/invitations/([A-Za-z0-9_-]{43})$")


def _invite(client: Any, world: Any, email: str, role: str = "viewer", who: str = "lead") -> Any:
    return client.post(A.format(org=world.org_a) + "/members", headers=world.headers(who),
                       json={"email": email, "role": role})


def _token(response: Any) -> str:
    assert response.status_code == 202, response.get_json()
    match = LINK.match(response.get_json()["link"])
    assert match, response.get_json()["link"]
    return match.group(1)


def _members(client: Any, world: Any) -> list[tuple[str, str]]:
    listed = client.get(A.format(org=world.org_a) + "/members", headers=world.headers("lead"))
    return sorted((m["email"], m["role"]) for m in listed.get_json()["items"])


def _token_of(uow: Any, user: Any) -> dict[str, str]:
    from neutrality.accounts import services as access

    _, plain = access.create_token(uow(), access.load_actor(uow(), user.id), name="test")
    return {"Authorization": f"Bearer {plain}"}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    return error


def test_an_address_with_an_account_and_one_without_get_the_same_answer_apart_from_ids(
    client, uow, world, monkeypatch
) -> None:
    # The outsider (organisation B's lead) has an account; nobody@ has none.
    from neutrality.accounts import invitations

    outsider = client.get("/api/v1/me", headers=world.headers("outsider")).get_json()["label"]
    frozen = utcnow()
    monkeypatch.setattr(invitations, "utcnow", lambda: frozen)

    answers = [_invite(client, world, email) for email in (outsider, "nobody@example.test")]

    def without_ids(response: Any, email: str) -> tuple[int, str, list[str]]:
        body = response.get_data(as_text=True)
        body = body.replace(email, "<email>").replace(_token(response), "<token>")
        body = re.sub(r'"id": ?\d+', '"id": <id>', body)
        headers = sorted(k for k in response.headers.keys() if k != "Content-Length")
        return response.status_code, body, headers

    known, unknown = (without_ids(r, e) for r, e in zip(answers, (outsider, "nobody@example.test"),
                                                        strict=True))
    assert known == unknown
    body = answers[0].get_json()
    assert body["status"] == "pending" and body["role"] == "viewer"
    assert body["message"] == "invitation recorded; give the person this link, which is shown only once"
    assert "display_name" not in body  # the other tenant's lead is not named to this one
    # Nobody was added.
    assert (outsider, "viewer") not in _members(client, world)


def test_a_person_with_an_account_becomes_a_member_only_on_accepting(client, uow, world) -> None:
    candidate = create_user(uow)
    token = _token(_invite(client, world, candidate.email, role="procurement"))
    assert (candidate.email, "procurement") not in _members(client, world)

    accepted = client.post("/api/v1/invitations/accept", headers=_token_of(uow, candidate),
                           json={"token": token})

    assert accepted.status_code == 200, accepted.get_json()
    membership = accepted.get_json()
    assert (membership["organisation_id"], membership["role"]) == (world.org_a, "procurement")
    assert membership["granted_by_user_id"] == world.users["lead"]
    assert (candidate.email, "procurement") in _members(client, world)
    listed = client.get(A.format(org=world.org_a) + "/invitations", headers=world.headers("lead"))
    assert listed.get_json()["items"][0]["status"] == "accepted"


@pytest.mark.parametrize("who", ["admin", "lead", "outsider"])
def test_nobody_but_the_person_invited_accepts_however_powerful(client, world, table_counts, who) -> None:
    before = table_counts()
    response = client.post("/api/v1/invitations/accept", headers=world.headers(who),
                           json={"token": world.invitation_known_token})
    error = _error(response, 403, "forbidden")
    assert error["message"] == ("this invitation is for another e-mail address; "
                                "sign in with the address it was made out to")
    assert table_counts() == before


def test_an_unknown_link_is_refused_as_not_found(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post("/api/v1/invitations/accept", headers=world.headers("viewer"),
                           json={"token": "x" * 43})
    error = _error(response, 404, "not_found")
    assert error["message"] == "this invitation link is unknown; ask the organisation for a new one"
    assert client.get("/invitations/" + "x" * 43).status_code == 404
    assert table_counts() == before


def test_an_invitation_accepted_once_cannot_be_used_again(client, world, table_counts) -> None:
    viewer = world.headers("viewer")
    body = {"token": world.invitation_known_token}
    assert client.post("/api/v1/invitations/accept", headers=viewer, json=body).status_code == 200
    before = table_counts()
    for path in ("accept", "decline"):
        error = _error(client.post(f"/api/v1/invitations/{path}", headers=viewer, json=body),
                       409, "conflict")
        assert error["message"] == "this invitation has been accepted already"
    assert table_counts() == before


def test_an_expired_invitation_is_refused_with_its_expiry_date(client, world, table_counts, monkeypatch) -> None:
    from neutrality.accounts import invitations

    later = utcnow() + dt.timedelta(days=14, minutes=1)  # invitations last 14 days
    monkeypatch.setattr(invitations, "utcnow", lambda: later)
    before = table_counts()
    response = client.post("/api/v1/invitations/accept", headers=world.headers("viewer"),
                           json={"token": world.invitation_known_token})
    error = _error(response, 409, "conflict")
    assert re.fullmatch(r"this invitation expired on \d{4}-\d{2}-\d{2}; ask the organisation for a new one",
                        error["message"])
    assert table_counts() == before


def test_declining_leaves_the_person_outside_and_ends_the_link(client, world) -> None:
    viewer = world.headers("viewer")
    declined = client.post("/api/v1/invitations/decline", headers=viewer,
                           json={"token": world.invitation_known_token})
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    outsider_view = client.get(f"/api/v1/organisations/{world.org_b}/members",
                               headers=world.headers("outsider")).get_json()["items"]
    assert [m["user_id"] for m in outsider_view] == [world.users["outsider"]]
    error = _error(client.post("/api/v1/invitations/accept", headers=viewer,
                               json={"token": world.invitation_known_token}), 409, "conflict")
    assert error["message"] == "this invitation has been declined already"


def test_a_person_without_an_account_creates_it_through_the_link_and_becomes_a_member(client, world) -> None:
    response = client.post("/api/v1/invitations/new-account", json={
        "token": world.invitation_new_token, "display_name": "Newcomer", "password": "long enough pw"})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["email"] == "newcomer@example.test"
    assert ("newcomer@example.test", "viewer") in _members(client, world)
    assert sign_in(client, "newcomer@example.test", "long enough pw").status_code == 302


def test_an_address_that_has_an_account_cannot_get_a_second_one_through_a_link(
    client, world, table_counts
) -> None:
    before = table_counts()
    response = client.post("/api/v1/invitations/new-account", json={
        "token": world.invitation_known_token, "display_name": "Impostor", "password": "long enough pw"})
    error = _error(response, 409, "conflict")
    assert error["message"] == "an account with this address exists already; sign in to accept the invitation"
    assert error["details"] == {"email": ["taken"]}
    assert table_counts() == before


def test_a_new_account_needs_a_password_of_ten_characters(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post("/api/v1/invitations/new-account", json={
        "token": world.invitation_new_token, "display_name": "Newcomer", "password": "short"})
    error = _error(response, 422, "invalid_input")
    assert error["details"] == {"password": ["shorter than 10 characters"]}
    assert table_counts() == before


def test_inviting_the_same_address_again_replaces_the_earlier_link(client, world) -> None:
    first = _token(_invite(client, world, "twice@example.test"))
    second = _token(_invite(client, world, "twice@example.test", role="verifier"))

    stale = client.post("/api/v1/invitations/new-account", json={
        "token": first, "display_name": "Twice", "password": "long enough pw"})
    assert _error(stale, 409, "conflict")["message"] == "this invitation has been withdrawn already"
    fresh = client.post("/api/v1/invitations/new-account", json={
        "token": second, "display_name": "Twice", "password": "long enough pw"})
    assert fresh.status_code == 201 and fresh.get_json()["role"] == "verifier"


def test_a_withdrawn_invitation_cannot_be_accepted(client, world) -> None:
    path = A.format(org=world.org_a) + f"/invitations/{world.invitation_new}"
    assert client.delete(path, headers=world.headers("lead")).status_code == 204
    again = _error(client.delete(path, headers=world.headers("lead")), 409, "conflict")
    assert again["message"] == f"invitation {world.invitation_new} is withdrawn, not pending"
    response = client.post("/api/v1/invitations/new-account", json={
        "token": world.invitation_new_token, "display_name": "Late", "password": "long enough pw"})
    assert _error(response, 409, "conflict")["message"] == "this invitation has been withdrawn already"


def test_inviting_a_member_is_a_conflict_naming_the_role_held(client, uow, world, table_counts) -> None:
    viewer = client.get("/api/v1/me", headers=world.headers("viewer")).get_json()["label"]
    before = table_counts()
    error = _error(_invite(client, world, viewer, role="lead"), 409, "conflict")
    assert error["message"] == f"{viewer} already has the role 'viewer' in this organisation"
    assert error["details"] == {"email": ["already a member"]}
    assert table_counts() == before


def test_another_tenants_invitations_are_not_found(client, world, table_counts) -> None:
    before = table_counts()
    path = f"/api/v1/organisations/{world.org_b}/invitations"
    assert _error(client.get(path, headers=world.headers("lead")), 404, "not_found")["message"] == (
        f"organisation {world.org_b} not found")
    # Organisation A's invitation, asked for through organisation B's path by B's lead.
    response = client.delete(f"{path}/{world.invitation_new}", headers=world.headers("outsider"))
    assert _error(response, 404, "not_found")["message"] == (
        f"invitation {world.invitation_new} not found in organisation {world.org_b}")
    assert table_counts() == before


# --- the pages ---------------------------------------------------------------------------------


def test_a_newcomer_accepts_on_the_invitation_page_and_lands_signed_in_on_the_organisation(
    client, world
) -> None:
    page = client.get(f"/invitations/{world.invitation_new_token}")
    assert page.status_code == 200
    assert "newcomer@example.test is invited to take the role viewer." in page.text

    response = client.post(f"/invitations/{world.invitation_new_token}/new-account", data={
        "display_name": "Newcomer", "password": "long enough pw", "confirm": "long enough pw",
        "csrf_token": csrf(page.text)})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{world.org_a}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_member_of_elsewhere_signs_in_from_the_invitation_page_and_accepts(client, world) -> None:
    viewer = client.get("/api/v1/me", headers=world.headers("viewer")).get_json()["label"]
    path = f"/invitations/{world.invitation_known_token}"
    page = client.get(path)
    assert f'href="/login?next={path}"' in page.text

    signed_in = client.post(f"/login?next={path}", data={
        "email": viewer, "password": PASSWORD, "csrf_token": csrf(client.get("/login").text)})
    assert signed_in.headers["Location"] == path
    page = client.get(path)
    accepted = client.post(f"{path}/accept", data={"csrf_token": csrf(page.text)})

    assert accepted.headers["Location"] == f"/organisations/{world.org_b}"
    assert client.get(f"/organisations/{world.org_b}").status_code == 200


def test_the_invitation_page_refuses_someone_signed_in_as_another_address(client, uow, world) -> None:
    other = create_user(uow)
    sign_in(client, other.email)
    path = f"/invitations/{world.invitation_known_token}"
    page = client.get(path)
    assert f"You are signed in as {other.email}." in page.text
    refused = client.post(f"{path}/accept", data={"csrf_token": csrf(page.text)})
    assert refused.status_code == 403
    assert "this invitation is for another e-mail address" in refused.text


# --- the command line --------------------------------------------------------------------------


def test_the_command_line_prints_the_link_once_and_the_link_works(app, client, world) -> None:
    result = app.test_cli_runner().invoke(
        args=["members", "invite", str(world.org_a), "cli-invitee@example.test", "verifier"])

    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"http://127\.0\.0\.1:5000/invitations/([A-Za-z0-9_-]{43})", link)
    assert match, link
    created = client.post("/api/v1/invitations/new-account", json={
        "token": match.group(1), "display_name": "From CLI", "password": "long enough pw"})
    assert created.status_code == 201 and created.get_json()["role"] == "verifier"
    listed = app.test_cli_runner().invoke(args=["members", "invitations", str(world.org_a), "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(i["email"], i["status"]) for i in json.loads(listed.output)] == [
        ("cli-invitee@example.test", "accepted"), ("newcomer@example.test", "pending")]


def test_declining_needs_the_invited_person_and_a_known_link(client, world, table_counts) -> None:
    before = table_counts()
    unknown = client.post("/api/v1/invitations/decline", headers=world.headers("viewer"), json={"token": "x" * 43})
    assert _error(unknown, 404, "not_found")["message"] == (
        "this invitation link is unknown; ask the organisation for a new one")
    someone_else = client.post("/api/v1/invitations/decline", headers=world.headers("lead"),
                               json={"token": world.invitation_known_token})
    assert _error(someone_else, 403, "forbidden")["message"] == (
        "this invitation is for another e-mail address; sign in with the address it was made out to")
    assert table_counts() == before


@pytest.mark.parametrize(
    ("link", "fields", "status", "code", "details"),
    [
        # an unknown link creates nothing, however right the rest is
        ("unknown", {"display_name": "Newcomer"}, 404, "not_found", {}),
        (None, {"display_name": "Newcomer"}, 422, "validation_failed",
         {"token": ["Missing data for required field."]}),
        ("new", {"display_name": ""}, 422, "validation_failed",
         {"display_name": ["Length must be between 1 and 200."]}),
        ("new", {"display_name": "New\x00comer"}, 422, "validation_failed",
         {"display_name": ["The text contains a NUL character (U+0000), which cannot be stored."]}),
    ],
    ids=["unknown link", "no link", "blank name", "NUL in name"],
)
def test_a_bad_new_account_through_a_link_is_refused_and_nothing_is_written(
    client, world, table_counts, link, fields, status, code, details
) -> None:
    before = table_counts()
    body = {"password": "long enough pw", **fields}
    if link is not None:
        body["token"] = world.invitation_new_token if link == "new" else "x" * 43
    response = client.post("/api/v1/invitations/new-account", json=body)
    assert _error(response, status, code)["details"] == details
    assert table_counts() == before
