"""Signing in and API tokens are rate-limited per account and per client address: a refusal is
429 with Retry-After, and while an account is limited even its right password is refused.

The defaults (neutrality/settings.py): 5 failed sign-ins a minute per account, 20 per address;
tests that need other limits set them on the application's settings for their own duration.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import pytest
from flask import Flask

from tests.browser import PASSWORD, csrf
from tests.factories import create_user

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

ME = "/api/v1/me"


def _attempt(client: Any, email: str, password: str) -> Any:
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _limits(app: Flask, monkeypatch: pytest.MonkeyPatch, **limits: str) -> None:
    settings = app.extensions["neutrality.settings"]
    monkeypatch.setitem(app.extensions, "neutrality.settings", dataclasses.replace(settings, **limits))


def _retry_after(response: Any, longest: int) -> int:
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= longest
    return seconds


@pytest.mark.parametrize("has_account", [True, False], ids=["known address", "unknown address"])
def test_thirty_wrong_passwords_are_refused_with_429_after_the_fifth_and_then_so_is_the_right_one(
    client, uow, world, has_account
) -> None:
    email = create_user(uow).email if has_account else "nobody@example.test"
    started = time.monotonic()
    statuses = [_attempt(client, email, f"guess {n}").status_code for n in range(30)]
    assert time.monotonic() - started < 10  # loosely: the 30 attempts come in a burst
    # The same answers whether or not the address has an account: the limit does not tell.
    assert statuses == [401] * 5 + [429] * 25

    right = _attempt(client, email, PASSWORD)
    assert right.status_code == 429
    seconds = _retry_after(right, 60)
    assert (f"too many failed sign-ins for this account (at most 5 per 1 minute); "
            f"try again in {seconds} seconds") in right.text
    assert client.get(ME).status_code == 401  # not signed in


def test_the_limit_of_one_account_leaves_other_accounts_alone(client, uow, world) -> None:
    locked, other = create_user(uow), create_user(uow)
    for n in range(6):
        _attempt(client, locked.email, f"guess {n}")
    assert _attempt(client, other.email, PASSWORD).status_code == 302


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(client, uow, world) -> None:
    user = create_user(uow)
    # Four accounts, five wrong passwords each: none reaches its own limit, the address does.
    others = [create_user(uow).email for _ in range(4)]
    statuses = [_attempt(client, email, f"guess {n}").status_code for email in others for n in range(5)]
    assert statuses == [401] * 20

    refused = _attempt(client, user.email, PASSWORD)

    assert refused.status_code == 429
    seconds = _retry_after(refused, 60)
    assert (f"too many failed sign-ins from your address (at most 20 per 1 minute); "
            f"try again in {seconds} seconds") in refused.text
    # Another address is not held back by this one's failures.
    elsewhere = _attempt_from(client, "192.0.2.7", user.email, PASSWORD)
    assert elsewhere.status_code == 302


def _attempt_from(client: Any, address: str, email: str, password: str) -> Any:
    environ = {"REMOTE_ADDR": address}
    token = csrf(client.get("/login", environ_base=environ).text)
    return client.post("/login", environ_base=environ,
                       data={"email": email, "password": password, "csrf_token": token})


def test_wrong_current_passwords_on_the_password_change_count_as_failed_sign_ins(
    client, world, table_counts
) -> None:
    before = table_counts()
    attempts = [
        client.post("/api/v1/me/password", headers=world.headers("viewer"),
                    json={"current_password": f"guess {n}", "new_password": "a new passphrase"})
        for n in range(6)
    ]
    assert [a.status_code for a in attempts] == [422] * 5 + [429]
    error = attempts[-1].get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["details"]["limit"] == "5 per 1 minute"
    assert error["details"]["retry_after"] == _retry_after(attempts[-1], 60)
    assert table_counts() == before


def test_token_use_beyond_the_accounts_limit_is_refused_until_its_window_has_passed(
    app, client, world, monkeypatch
) -> None:
    _limits(app, monkeypatch, token_limit_per_account="3 per 1 second")
    statuses = [client.get(ME, headers=world.headers("lead")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(ME, headers=world.headers("lead"))
    assert refused.status_code == 429
    assert _retry_after(refused, 1) == 1
    error = refused.get_json()["error"]
    assert error["message"] == ("too many requests with this account's API tokens "
                                "(at most 3 per 1 second); try again in 1 second")
    # Another account's token is counted on its own.
    assert client.get(ME, headers=world.headers("viewer")).status_code == 200

    time.sleep(1.05)  # the window of the limit passes

    assert client.get(ME, headers=world.headers("lead")).status_code == 200


def test_token_use_from_one_address_is_limited_across_accounts(app, client, world, monkeypatch) -> None:
    _limits(app, monkeypatch, token_limit_per_address="4 per 1 minute")
    statuses = [client.get(ME, headers=world.headers(who)).status_code
                for who in ("lead", "viewer", "verifier", "procurement", "admin")]
    assert statuses == [200, 200, 200, 200, 429]
    error = client.get(ME, headers=world.headers("outsider")).get_json()["error"]
    assert error["message"].startswith(
        "too many requests with API tokens from your address (at most 4 per 1 minute)")


def test_refused_tokens_count_against_the_address_until_even_a_valid_token_waits(client, world) -> None:
    statuses = [client.get(ME, headers={"Authorization": f"Bearer ntr_guess{n}"}).status_code
                for n in range(20)]
    assert statuses == [401] * 20

    refused = client.get(ME, headers=world.headers("lead"))

    assert refused.status_code == 429
    _retry_after(refused, 60)
    assert refused.get_json()["error"]["message"].startswith(
        "too many failed sign-ins from your address (at most 20 per 1 minute)")


def test_limits_keep_holding_in_memory_while_the_configured_storage_is_unreachable(
    caplog: pytest.LogCaptureFixture, tmp_path
) -> None:
    from neutrality.app import create_app
    from neutrality.web import ratelimit

    # Port 9 (discard) on the loopback: nothing listens, so every call to the storage fails.
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'unused.db'}", "testing": True,
                      "secret_key": "x", "instance_path": str(tmp_path),
                      "ratelimit_storage_url": "redis://127.0.0.1:9/0"})
    with app.test_request_context("/login"), caplog.at_level(logging.WARNING):
        for _ in range(5):
            ratelimit.check_sign_in("someone@example.test")
            ratelimit.count_failed_sign_in("someone@example.test")
        with pytest.raises(ratelimit.TooManyAttempts) as refused:
            ratelimit.check_sign_in("someone@example.test")
    assert refused.value.message.startswith("too many failed sign-ins for this account")
    assert "rate limit storage unreachable" in caplog.text
    app.extensions["neutrality.db"].dispose()


def test_a_token_used_after_its_expiry_is_refused_and_counted_against_the_address(
    client, uow, world, monkeypatch
) -> None:
    import datetime as dt

    from neutrality.accounts import services as access
    from neutrality.clock import utcnow

    lead = access.load_actor(uow(), world.users["lead"])
    _, plain = access.create_token(uow(), lead, name="one day", expires_in_days=1)
    expired = {"Authorization": f"Bearer {plain}"}
    assert client.get(ME, headers=expired).status_code == 200
    later = utcnow() + dt.timedelta(days=1, seconds=1)
    monkeypatch.setattr(access, "utcnow", lambda: later)

    refusals = [client.get(ME, headers=expired) for _ in range(21)]

    assert [r.status_code for r in refusals] == [401] * 20 + [429]
    assert refusals[0].get_json()["error"]["message"] == "the API token is unknown, expired or revoked"
    error = client.get(ME, headers=expired).get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["message"].startswith("too many failed sign-ins from your address")


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.skipif(not _redis_answers(REDIS_URL), reason="no Redis answers on 127.0.0.1:6379")
def test_two_processes_sharing_redis_share_one_count(tmp_path) -> None:
    import secrets

    from neutrality.app import create_app
    from neutrality.web import ratelimit

    # Two applications stand for two worker processes with the same storage. An account's five
    # failed sign-ins, three counted by one and two by the other, exhaust its limit on both.
    # The address is fresh, so no other run's counts in the same Redis take part.
    email = f"{secrets.token_hex(8)}@example.test"
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    workers = [create_app({"database_url": f"sqlite:///{tmp_path / f'w{n}.db'}", "testing": True,
                           "secret_key": "x", "instance_path": str(tmp_path),
                           "ratelimit_storage_url": REDIS_URL}) for n in (1, 2)]
    for app, failures in zip(workers, (3, 2), strict=True):
        with app.test_request_context("/login", environ_base={"REMOTE_ADDR": address}):
            for _ in range(failures):
                ratelimit.check_sign_in(email)
                ratelimit.count_failed_sign_in(email)
    for app in workers:
        with app.test_request_context("/login", environ_base={"REMOTE_ADDR": address}), \
                pytest.raises(ratelimit.TooManyAttempts) as refused:
            ratelimit.check_sign_in(email)
        assert refused.value.message.startswith("too many failed sign-ins for this account (at most 5 per 1 minute)")
        app.extensions["neutrality.db"].dispose()
