"""A name someone typed is text, wherever a page shows it: markup in the organisation's or a site's
name is written out, never run. This module's server has a database of its own, so the rename
reaches no other test."""

from __future__ import annotations

import pytest
from browsing import api_get, choose_language, fetch, follow, sign_in_as
from playwright.sync_api import expect

HOSTILE = "<script>alert(1)</script>工厂"
HOSTILE_SITE = '<img src=x onerror="alert(2)">盐城'


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_markup_in_entered_names_is_shown_as_text_and_never_runs(page, shoot, locale) -> None:
    sign_in_as(page, "admin")
    choose_language(page, locale)
    organisation = api_get(page, "/api/v1/organisations?per_page=10")["items"][0]["id"]
    site = api_get(page, f"/api/v1/organisations/{organisation}/sites")["items"][0]["id"]
    for path, name in ((f"/api/v1/organisations/{organisation}", HOSTILE),
                       (f"/api/v1/organisations/{organisation}/sites/{site}", HOSTILE_SITE)):
        status, answer = fetch(page, "PATCH", path, {"name": name})
        assert (status, answer["name"]) == (200, name)

    # The home page's list, the dashboard's heading and breadcrumbs, the window's title, a
    # period's breadcrumbs, the particulars' heading and table of sites.
    page.reload()
    expect(page.get_by_role("link", name=HOSTILE, exact=True)).to_be_visible()
    follow(page, page.get_by_role("link", name=HOSTILE, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    expect(page).to_have_title(f"{HOSTILE} · neutrality")
    follow(page, page.locator("main table tbody th a").first)
    expect(page.locator("nav.crumbs").get_by_role("link", name=HOSTILE, exact=True)).to_be_visible()
    page.goto(f"/organisations/{organisation}/particulars")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    # the site's row, and the subject's row, which names the site it covers
    expect(page.locator(f"#site-{site}").get_by_role("cell", name=HOSTILE_SITE, exact=True)).to_be_visible()
    expect(page.locator("main tr[id^=subject-]").get_by_role("cell", name=HOSTILE_SITE, exact=True)).to_have_count(1)
    shoot(page, "particulars")

    # Nothing of the names became an element: the pages carry no script and no image of their
    # own. (The Content-Security-Policy would block an inline script even so; a dialog would
    # fail the test through the watch.)
    assert page.locator("script, img").count() == 0
