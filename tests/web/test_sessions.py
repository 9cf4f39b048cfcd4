"""Signed-in sessions live on the server: signing out, changing the password or the session's
age ends them, whatever copies of the cookie exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from neutrality.clock import utcnow
from tests.browser import PASSWORD, csrf, sign_in, sign_out
from tests.factories import create_user

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

NEW_PASSWORD = "a brand new passphrase"  # noqa: S105 - a test's password


def _copy_of(app: Flask, client: Any) -> Any:
    """Another browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 401, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "unauthenticated"
    return error


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, client, uow, world) -> None:
    user = create_user(uow)
    assert sign_in(client, user.email).status_code == 302
    copy = _copy_of(app, client)
    assert copy.get("/api/v1/me").get_json()["user_id"] == user.id

    assert sign_out(client).status_code == 302

    _refused(copy.get("/api/v1/me"))
    _refused(client.get("/api/v1/me"))
    # The pages treat the copy as a visitor who is not signed in.
    assert copy.get("/").headers["Location"].endswith("/login")


def test_a_cookie_naming_only_a_user_id_signs_nobody_in(client, uow, world) -> None:
    # The signed cookie of old: whoever held one stayed signed in for good.
    with client.session_transaction() as cookie:
        cookie["user_id"] = world.users["lead"]
    _refused(client.get("/api/v1/me"))


def test_a_session_cookie_copied_before_a_password_change_is_refused_after_it(
    app, client, uow, world
) -> None:
    user = create_user(uow)
    sign_in(client, user.email)
    copy, copied = _copy_of(app, client), client.get_cookie("session").value
    changed = client.post("/api/v1/me/password", headers={"X-CSRFToken": csrf(client.get("/").text)},
                          json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.get_json()

    _refused(copy.get("/api/v1/me"))
    # The browser that changed it stays signed in, with a fresh session.
    assert client.get("/api/v1/me").get_json()["user_id"] == user.id
    assert client.get_cookie("session").value != copied
    # The old password is gone, the new one signs in.
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_on_its_page_signs_out_every_other_browser(app, client, uow, world) -> None:
    user = create_user(uow)
    sign_in(client, user.email)
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    page = client.get("/account/password")
    assert page.status_code == 200

    changed = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf(page.text)})

    assert changed.status_code == 200 and "Your password has been changed" in changed.text
    _refused(elsewhere.get("/api/v1/me"))
    assert client.get("/api/v1/me").status_code == 200


def test_a_wrong_current_password_changes_nothing(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post("/api/v1/me/password", headers=world.headers("viewer"),
                           json={"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error == {"code": "invalid_input", "message": "the current password is wrong",
                     "details": {"current_password": ["wrong password"]}}
    assert table_counts() == before


def test_a_new_password_shorter_than_ten_characters_is_refused(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post("/api/v1/me/password", headers=world.headers("viewer"),
                           json={"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error == {"code": "invalid_input", "message": "a password has at least 10 characters",
                     "details": {"password": ["shorter than 10 characters"]}}
    assert table_counts() == before


def test_the_password_change_is_in_the_audit_log_without_the_hash(client, db, world) -> None:
    from sqlalchemy import select

    from neutrality.audit.tables import AuditEntry

    client.post("/api/v1/me/password", headers=world.headers("viewer"),
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    with db() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "user.password_change", "users", str(world.users["viewer"]))
    assert entry.actor_user_id == world.users["viewer"]
    assert "password_hash" not in entry.after


def test_an_administrator_sets_a_forgotten_password_and_the_accounts_sessions_end(
    app, client, uow, world
) -> None:
    user = create_user(uow)
    sign_in(client, user.email)

    result = app.test_cli_runner().invoke(
        args=["users", "password", user.email.upper()], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert f"password of {user.email} changed; its sessions are signed out" in result.output
    _refused(client.get("/api/v1/me"))
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_the_command_line_refuses_a_password_for_an_unknown_account(app, world, table_counts) -> None:
    before = table_counts()
    result = app.test_cli_runner().invoke(
        args=["users", "password", "nobody@example.test"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 1
    assert "not_found: no user with e-mail nobody@example.test" in result.output
    assert table_counts() == before


def test_a_session_ends_twelve_hours_after_sign_in_even_if_nobody_signs_out(
    client, uow, world, monkeypatch
) -> None:
    from neutrality.accounts import sessions

    user = create_user(uow)
    sign_in(client, user.email)
    signed_in_at = utcnow()
    monkeypatch.setattr(sessions, "utcnow", lambda: signed_in_at + dt.timedelta(hours=11, minutes=59))
    assert client.get("/api/v1/me").status_code == 200
    monkeypatch.setattr(sessions, "utcnow", lambda: signed_in_at + dt.timedelta(hours=12, seconds=1))
    _refused(client.get("/api/v1/me"))


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, uow, db, world) -> None:
    from sqlalchemy import update

    from neutrality.access.tables import User

    user = create_user(uow)
    sign_in(client, user.email)
    with db() as session:
        session.execute(update(User).where(User.id == user.id).values(is_active=False))
        session.commit()
    _refused(client.get("/api/v1/me"))


def test_signing_in_sends_the_browser_where_it_was_going_but_never_to_another_site(
    client, uow, world
) -> None:
    user = create_user(uow)
    page = client.get("/login?next=/account/password")
    response = client.post("/login?next=/account/password", data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf(page.text)})
    assert response.headers["Location"].endswith("/account/password")
    sign_out(client)
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = client.get("/login", query_string={"next": elsewhere})
        response = client.post("/login", query_string={"next": elsewhere}, data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf(page.text)})
        assert response.headers["Location"] == "/", elsewhere
        sign_out(client)
