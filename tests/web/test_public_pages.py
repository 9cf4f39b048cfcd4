"""Public declaration pages answered from memory ahead of the framework (neutrality.web.public_pages):
the same bytes as the framework's, for ``fresh`` seconds only, never for what may differ per reader.

The application's own front (``public_page_fresh_ms`` is 0 in the tests) lets every request
through; each test here puts a front of its own, with a clock it moves, before it.
"""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from neutrality.statements import public
from neutrality.web.public_pages import SAME_FOR_EVERYONE, PublicPages
from tests.declaring import withdraw


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def front(app, monkeypatch):  # type: ignore[no-untyped-def]
    """(client, clock, count of state queries): pages kept 1 s by a front of the test's own."""
    clock = Clock()
    pages = PublicPages(fresh=1.0, clock=clock)
    asked = {"state": 0}
    original = public.period_state

    def counted(*args: Any, **kwargs: Any) -> Any:
        asked["state"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(public, "period_state", counted)
    return Client(pages.wrap(app.wsgi_app)), clock, asked


def test_a_page_is_answered_again_from_memory_with_the_same_bytes(front, published) -> None:
    client, clock, asked = front
    organisation_id, period_id, _ = published
    path = f"/declarations/{organisation_id}/{period_id}?lang=zh_Hans"
    first = client.get(path)
    assert first.status_code == 200 and asked["state"] == 1
    assert SAME_FOR_EVERYONE not in first.headers  # the mark stays inside the server
    again = client.get(path)
    # no request reached the framework: the database was not asked
    assert asked["state"] == 1
    assert again.data == first.data and dict(again.headers) == dict(first.headers)
    head = client.head(path)
    assert head.status_code == 200 and head.data == b"" and asked["state"] == 1
    revalidated = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and asked["state"] == 1
    # a second later the framework answers again, and asks the database
    clock.now += 1.01
    client.get(path)
    assert asked["state"] == 2


def test_a_withdrawal_shows_once_the_kept_page_is_stale(app, db, front, published) -> None:
    client, clock, _ = front
    organisation_id, period_id, version = published
    path = f"/declarations/{organisation_id}/{period_id}?lang=en"
    assert "was withdrawn" not in client.get(path).get_data(as_text=True)
    withdraw(app, db, organisation_id, version.id, "restated")
    clock.now += 0.5  # still within the second the page is kept
    assert "was withdrawn" not in client.get(path).get_data(as_text=True)
    clock.now += 0.6
    assert "This declaration was withdrawn on" in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("variant", ["cookie", "other query", "post"])
def test_what_may_differ_per_reader_always_reaches_the_framework(front, published, variant) -> None:
    client, _, asked = front
    organisation_id, period_id, _ = published
    path = f"/declarations/{organisation_id}/{period_id}"
    client.get(path, headers={"Accept-Language": "en"})
    assert asked["state"] == 1
    if variant == "cookie":
        # a signed-in reader's language may be their account's: not chosen here
        client.set_cookie("session", "anything", domain="localhost")
        client.get(path, headers={"Accept-Language": "en"})
    elif variant == "other query":
        client.get(path + "?lang=en&print=1")
    else:
        # the framework refuses it (the page takes GET only, and a form without its token);
        # the page kept from the GET is not the answer
        refused = client.post(path, headers={"Accept-Language": "en"})
        assert refused.status_code in (400, 405)
        return
    assert asked["state"] == 2


def test_answers_other_than_a_pages_200_are_not_kept(front, declarations_demo) -> None:
    client, _, asked = front
    organisation_id, unpublished = declarations_demo[2]
    for _ in range(2):
        assert client.get(f"/declarations/{organisation_id}/{unpublished}?lang=en").status_code == 404
    assert asked["state"] == 2
    # addresses that are not a declaration's page pass by untouched
    assert client.get("/healthz").status_code == 200


def test_the_language_comes_from_lang_or_accept_language(front, published) -> None:
    client, _, _ = front
    organisation_id, period_id, _ = published
    path = f"/declarations/{organisation_id}/{period_id}"
    hant = client.get(path, headers={"Accept-Language": "zh-HK,zh;q=0.8"}).get_data(as_text=True)
    hans = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    english = client.get(path + "?lang=en", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-Hant">' in hant and '<html lang="zh-Hans">' in hans and '<html lang="en">' in english
