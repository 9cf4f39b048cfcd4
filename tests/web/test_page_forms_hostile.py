"""What the pages answer to what no honest browser sends: the password and invitation forms with
fields missing, too long, different or holding a NUL, or without their CSRF token; an id in the
address that no record can have. Each refusal says what is wrong on the page and writes nothing.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from neutrality.access.tables import Invitation, User
from neutrality.schemas import ID_MAX
from neutrality.web.reference import PAGE_POLICY
from tests.browser import PASSWORD, csrf, sign_in
from tests.factories import create_user

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

NEW_PASSWORD = "a brand new passphrase"  # noqa: S105 - a test's password
REQUIRED = "This field is required."
TOO_LONG = "Field cannot be longer than 200 characters."
NUL = "The text contains a NUL character (U+0000), which cannot be stored."
NO_CSRF = "the form's CSRF token is missing or invalid (The CSRF token is missing.)"
BAD_CSRF = "the form's CSRF token is missing or invalid (The CSRF token is invalid.)"
UNKNOWN_LINK = "this invitation link is unknown; ask the organisation for a new one"


def _shown(response: Any) -> list[str]:
    """The messages the page shows as errors, as a reader sees them (markup and escapes gone)."""
    found = re.findall(r'class="error"[^>]*>(.*?)</', response.get_data(as_text=True), re.S)
    return [html.unescape(message).strip() for message in found]


def _state(db: Any, table_counts: Any) -> tuple[dict[str, int], list[str], list[tuple[str, str]]]:
    """What a refused form must leave as it was: the rows of every table, every password and
    every invitation's status."""
    with db() as session:
        hashes = list(session.scalars(select(User.password_hash).order_by(User.id)))
        invitations = [tuple(row) for row in session.execute(
            select(Invitation.email, Invitation.status).order_by(Invitation.id))]
    return table_counts(), hashes, invitations


# --- the password page -------------------------------------------------------------------------


def _password_fields(**changes: str | None) -> dict[str, str]:
    fields = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


@pytest.mark.parametrize(
    ("fields", "status", "messages"),
    [
        ({"current_password": None, "new_password": None, "confirm": None}, 422,
         [REQUIRED, REQUIRED, REQUIRED]),
        ({"current_password": "", "new_password": "", "confirm": ""}, 422,
         [REQUIRED, REQUIRED, REQUIRED]),
        ({"current_password": "c" * 201}, 422, [TOO_LONG]),
        ({"new_password": "n" * 201, "confirm": "n" * 201}, 422, [TOO_LONG]),
        ({"confirm": NEW_PASSWORD + "!"}, 422, ["The two new passwords differ."]),
        ({"current_password": "not my password"}, 422, ["the current password is wrong"]),
        ({"new_password": "short", "confirm": "short"}, 422,
         ["a password has at least 10 characters"]),
        ({"current_password": PASSWORD + "\x00"}, 422, [NUL]),
        ({"new_password": "new\x00password", "confirm": "new\x00password"}, 422, [NUL, NUL]),
    ],
    ids=["fields missing", "fields empty", "current too long", "new too long", "different",
         "wrong current", "new too short", "NUL in current", "NUL in new"],
)
def test_a_bad_password_change_on_its_page_is_refused_and_changes_nothing(
    client, uow, db, world, table_counts, fields, status, messages
) -> None:
    user = create_user(uow)
    sign_in(client, user.email)
    page = client.get("/account/password")
    before = _state(db, table_counts)

    response = client.post("/account/password",
                           data={**_password_fields(**fields), "csrf_token": csrf(page.text)})

    assert response.status_code == status
    assert _shown(response) == messages
    assert "Your password has been changed" not in response.text
    assert _state(db, table_counts) == before
    # Still signed in, with the password of before.
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(("token", "message"), [(None, NO_CSRF), ("forged", BAD_CSRF)],
                         ids=["no token", "forged token"])
def test_a_password_change_without_the_pages_csrf_token_is_refused(
    client, uow, db, world, table_counts, token, message
) -> None:
    user = create_user(uow)
    sign_in(client, user.email)
    client.get("/account/password")  # the session holds the secret of the page's token
    before = _state(db, table_counts)
    data = _password_fields() | ({"csrf_token": token} if token else {})

    response = client.post("/account/password", data=data)

    assert response.status_code == 400
    assert _shown(response) == [message]
    assert _state(db, table_counts) == before


def test_the_password_page_says_what_is_missing_or_too_long_in_chinese(
    client, uow, db, world, table_counts
) -> None:
    user = create_user(uow)
    sign_in(client, user.email)
    chinese = {"Accept-Language": "zh-CN"}
    page = client.get("/account/password", headers=chinese)
    assert "修改密码" in page.text  # the page itself is in Chinese
    before = _state(db, table_counts)

    response = client.post("/account/password", headers=chinese, data={
        **_password_fields(current_password="", new_password="n" * 201, confirm="n" * 201),
        "csrf_token": csrf(page.text)})

    assert response.status_code == 422
    assert _shown(response) == ["该字段是必填字段。", "字段长度不能超过 200 个字符。"]
    assert _state(db, table_counts) == before


def test_the_password_page_sends_a_visitor_who_is_not_signed_in_to_sign_in(client, world) -> None:
    response = client.get("/account/password")
    assert response.headers["Location"] == "/login?next=/account/password"


@pytest.mark.parametrize("field", ["email", "password"])
def test_a_nul_in_the_sign_in_form_is_refused_before_any_account_is_looked_up(
    client, uow, db, world, table_counts, field
) -> None:
    # PostgreSQL compares no text holding a NUL: looking the address up would fail outright.
    user = create_user(uow)
    page = client.get("/login")
    before = _state(db, table_counts)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf(page.text)}
    data[field] = data[field][:3] + "\x00" + data[field][3:]

    response = client.post("/login", data=data)

    assert "Location" not in response.headers
    assert _shown(response) == [NUL]
    assert _state(db, table_counts) == before
    assert client.get("/api/v1/me").status_code == 401


# --- the invitation pages ----------------------------------------------------------------------


def _new_account_fields(**changes: str | None) -> dict[str, str]:
    fields = {"display_name": "Newcomer", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


@pytest.mark.parametrize(
    ("fields", "status", "messages"),
    [
        ({"display_name": None, "password": None, "confirm": None}, 422,
         [REQUIRED, REQUIRED, REQUIRED]),
        ({"display_name": "   "}, 422, [REQUIRED]),
        ({"display_name": "N" * 201}, 422, [TOO_LONG]),
        ({"password": "p" * 201, "confirm": "p" * 201}, 422, [TOO_LONG]),
        ({"confirm": NEW_PASSWORD.upper()}, 422, ["The two passwords differ."]),
        ({"password": "short", "confirm": "short"}, 422,
         ["a password has at least 10 characters"]),
        ({"display_name": "New\x00comer"}, 422, [NUL]),
        ({"password": "long\x00enough pw", "confirm": "long\x00enough pw"}, 422, [NUL, NUL]),
    ],
    ids=["fields missing", "blank name", "name too long", "password too long", "different",
         "password too short", "NUL in name", "NUL in password"],
)
def test_a_bad_new_account_on_the_invitation_page_is_refused_and_writes_nothing(
    client, db, world, table_counts, fields, status, messages
) -> None:
    path = f"/invitations/{world.invitation_new_token}"
    page = client.get(path)
    before = _state(db, table_counts)

    response = client.post(f"{path}/new-account",
                           data={**_new_account_fields(**fields), "csrf_token": csrf(page.text)})

    assert response.status_code == status
    assert _shown(response) == messages
    # The page is shown again, the form still offered.
    assert "newcomer@example.test is invited to take the role viewer." in response.text
    assert _state(db, table_counts) == before
    assert client.get("/api/v1/me").status_code == 401  # nobody signed in


@pytest.mark.parametrize(("token", "message"), [(None, NO_CSRF), ("forged", BAD_CSRF)],
                         ids=["no token", "forged token"])
@pytest.mark.parametrize("answer", ["new-account", "accept"])
def test_an_answer_to_an_invitation_without_the_pages_csrf_token_is_refused(
    client, db, world, table_counts, token, message, answer
) -> None:
    if answer == "accept":
        viewer = client.get("/api/v1/me", headers=world.headers("viewer")).get_json()["label"]
        sign_in(client, viewer)
        link = world.invitation_known_token
    else:
        link = world.invitation_new_token
    client.get(f"/invitations/{link}")  # the session holds the secret of the page's token
    before = _state(db, table_counts)
    data = _new_account_fields() | ({"csrf_token": token} if token else {})

    response = client.post(f"/invitations/{link}/{answer}", data=data)

    assert response.status_code == 400
    assert _shown(response) == [message]
    assert _state(db, table_counts) == before


@pytest.mark.parametrize("link", ["x" * 43, "x" * 5000, "x\x00y"], ids=["unknown", "long", "NUL"])
@pytest.mark.parametrize("answer", ["new-account", "accept"])
def test_an_answer_to_an_unknown_link_is_not_found_and_writes_nothing(
    client, db, world, table_counts, link, answer
) -> None:
    viewer = client.get("/api/v1/me", headers=world.headers("viewer")).get_json()["label"]
    if answer == "accept":
        sign_in(client, viewer)
    form = client.get(f"/invitations/{world.invitation_known_token}"
                      if answer == "accept" else f"/invitations/{world.invitation_new_token}")
    before = _state(db, table_counts)

    response = client.post(f"/invitations/{link}/{answer}",
                           data={**_new_account_fields(), "csrf_token": csrf(form.text)})

    assert response.status_code == 404
    assert _shown(response) == [UNKNOWN_LINK]
    assert _state(db, table_counts) == before


# --- ids in the address ------------------------------------------------------------------------

#: Ids no id column holds: zero, one past the largest (2**63, beyond a BIGINT), and more digits
#: than any number Python reads from text by default.
IMPOSSIBLE = ["0", str(ID_MAX + 1), "9" * 20, "9" * 5000]


@pytest.mark.parametrize("number", IMPOSSIBLE, ids=["zero", "2**63", "20 digits", "5000 digits"])
def test_an_impossible_id_sends_a_visitor_to_sign_in_as_any_other_id_does(client, world, number) -> None:
    possible = client.get(f"/organisations/{world.org_a}")
    response = client.get(f"/organisations/{number}")

    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert (possible.status_code, possible.headers["Location"]) == (302, "/login")


@pytest.mark.parametrize("number", IMPOSSIBLE, ids=["zero", "2**63", "20 digits", "5000 digits"])
def test_an_impossible_id_is_not_found_for_someone_signed_in(client, world, number) -> None:
    viewer = client.get("/api/v1/me", headers=world.headers("viewer")).get_json()["label"]
    sign_in(client, viewer)

    response = client.get(f"/organisations/{number}")

    assert response.status_code == 404
    assert _shown(response) == ["no organisation has the number in this address; check the link"]
    # The largest possible id is looked up as any other, and names no organisation either.
    largest = client.get(f"/organisations/{ID_MAX}")
    assert (largest.status_code, _shown(largest)) == (404, [f"organisation {ID_MAX} not found"])
    assert client.get(f"/organisations/{world.org_a}").status_code == 200


# --- the API reference page --------------------------------------------------------------------


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def _allows(policy: dict[str, list[str]], directive: str, source: str) -> bool:
    """Whether ``source`` may load under ``directive``, which falls back on default-src."""
    return source in policy.get(directive, policy.get("default-src", []))


def test_the_api_reference_allows_the_data_images_of_swagger_ui_and_nothing_more(client) -> None:
    page = client.get("/api/v1/docs/")
    policy = _policy(page.headers["Content-Security-Policy"])
    assert page.headers["Content-Security-Policy"] == PAGE_POLICY
    # What the page loads: the bundle's files (data: images in its style sheet and its logo).
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    uses_data_images = any(
        "data:image/" in client.get(source).get_data(as_text=True)
        for source in sources if source.endswith((".css", ".js")))
    assert uses_data_images
    assert _allows(policy, "img-src", "data:")
    assert all(_allows(policy, directive, "'self'") for directive in ("img-src", "script-src", "style-src"))
    for directive in ("script-src", "style-src", "connect-src", "font-src"):
        assert not _allows(policy, directive, "data:"), directive
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", ["/login", "/api/v1/docs/start.js", "/api/v1/openapi.json"])
def test_every_other_answer_keeps_the_strict_policy(client, path) -> None:
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
