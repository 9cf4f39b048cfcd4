"""What the pages refuse: a viewer's write, however crafted, and any organisation page to someone
who has not signed in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from browsing import ACCOUNTS, api_get, fetch, follow, sign_in, sign_in_as
from playwright.sync_api import expect

#: Writes a script on a page could attempt with the viewer's cookie and the page's CSRF token:
#: (method, path, body, the permission the viewer's role lacks). Renaming the organisation or one
#: of its sites is managing the organisation (neutrality.access.model: only the lead may).
VIEWER_WRITES = [
    pytest.param("PATCH", "/api/v1/organisations/1", {"name": "Renamed by a viewer"},
                 "manage_organisation", id="rename-organisation"),
    pytest.param("PATCH", "/api/v1/organisations/1/sites/1", {"name": "Renamed by a viewer"},
                 "manage_organisation", id="rename-site"),
]


@pytest.mark.parametrize(("method", "path", "body", "permission"), VIEWER_WRITES)
def test_viewer_is_refused_a_write_crafted_on_the_page_and_nothing_changes(
        page, watch, method, path, body, permission) -> None:
    sign_in_as(page, "viewer")
    follow(page, page.locator("main table a").first)  # the organisation's dashboard
    before = api_get(page, path)

    watch.expect_response(403, path)
    status, answer = fetch(page, method, path, body)

    # Refused for the role, not for a missing token: the CSRF token of the page was accepted.
    assert status == 403
    assert answer["error"]["code"] == "forbidden"
    assert answer["error"]["details"] == {"permission": permission, "role": "viewer"}
    assert api_get(page, path) == before
    page.reload()
    expect(page.get_by_text("Renamed by a viewer")).to_have_count(0)


def test_a_write_without_the_pages_csrf_token_is_refused_before_the_role_is_looked_at(page, watch) -> None:
    """The control of the test above: without the token the same request never reaches the
    permission check, so a 403 there proves the crafted request was otherwise complete."""
    sign_in_as(page, "viewer")
    watch.expect_response(400, "/api/v1/organisations/1")
    status, answer = page.evaluate(
        """async () => {
             const answer = await fetch('/api/v1/organisations/1', {method: 'PATCH',
               headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'x'})});
             return [answer.status, await answer.json()];
           }""")
    assert (status, answer["error"]["code"]) == (400, "csrf_failed")


#: Every page of an organisation, and ids that name nothing: a visitor who has not signed in
#: learns nothing from the answer, not even whether the organisation or period exists.
ORGANISATION_PAGES = [
    "/",
    "/organisations/1",
    "/organisations/1/periods/1",
    "/organisations/1/periods/4",
    "/organisations/1/particulars",
    "/organisations/999",
    "/organisations/999/particulars",
    "/organisations/1/periods/999",
]

#: Ids no id column can hold (0; 2**63, one past the largest BIGINT).
IMPOSSIBLE_IDS = ["/organisations/0", "/organisations/9223372036854775808/periods/1",
                  "/organisations/1/periods/0"]


def _sent_to_sign_in(page, path: str) -> None:
    page.goto(path)  # returns once the redirects are followed
    assert urlsplit(page.url).path == "/login", f"{path} led to {page.url}"
    expect(page.locator("main form input[name=email]")).to_be_visible()
    expect(page.get_by_text("苏辉光伏")).to_have_count(0)


def test_a_signed_out_visitor_is_sent_to_sign_in_from_every_organisation_url(page) -> None:
    for path in ORGANISATION_PAGES:
        _sent_to_sign_in(page, path)


@pytest.mark.parametrize("path", IMPOSSIBLE_IDS)
def test_an_impossible_id_sends_a_signed_out_visitor_to_sign_in(page, path) -> None:
    _sent_to_sign_in(page, path)


@pytest.mark.parametrize("path", IMPOSSIBLE_IDS)
def test_an_impossible_id_is_not_found_for_the_lead(page, watch, path) -> None:
    sign_in_as(page, "lead")
    watch.expect_response(404, path)
    answer = page.goto(path)
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("404")


def test_signing_in_from_the_password_page_leads_back_to_it(page) -> None:
    page.goto("/account/password")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount%2Fpassword$|/login\?next=/account/password$"))
    sign_in(page, *ACCOUNTS["lead"])
    expect(page).to_have_url(re.compile(r"/account/password$"))
    expect(page.locator("main input[name=current_password]")).to_be_visible()
