"""Every page the lead can reach, in each language: one <h1>, a name for every form field and
button, no console error, no failed subresource (the watch of conftest.py checks each page as it
opens). And the watch itself: a page that breaks those rules is caught."""

from __future__ import annotations

import pytest
from browsing import choose_language, follow, sign_in_as
from playwright.sync_api import expect
from watching import Watch


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_every_page_has_one_h1_and_names_every_field(page, watch, shoot, locale) -> None:
    page.goto("/login")
    choose_language(page, locale)  # the sign-in page in the language, before signing in
    sign_in_as(page, "lead")
    choose_language(page, locale)
    follow(page, page.locator("main table a").first)
    dashboard = page.url
    periods = [a.get_attribute("href") for a in page.locator("main table tbody th a").all()]
    assert len(periods) == 4  # two factories, 2024 and 2025 each
    for path in periods:
        page.goto(path)
    page.goto(dashboard)
    # the organisation's other pages: particulars, holdings, the verifier's workspace,
    # reconciliation, audit log, reduction measures and targets, new commitment; the lead's forms: the particulars, a new site, the
    # emission factors; and the edit form of each of the two commitments
    pages = [a.get_attribute("href") for a in page.locator("main p.muted a").all()]
    assert pages[0] == "/organisations/1/particulars" and len(pages) == 13
    assert {"/organisations/1/particulars/edit", "/organisations/1/sites/new", "/organisations/1/factors",
            "/organisations/1/verification",
            "/organisations/1/measures", "/organisations/1/targets",
            "/organisations/1/commitments/1/edit", "/organisations/1/commitments/2/edit"} <= set(pages)
    for path in pages:
        page.goto(path)
    expect(page.locator("main h1")).to_have_count(1)
    # a period's own pages: its inventory, the import of a file into it, its retirement plan
    page.goto(periods[1])
    inventory = page.locator("main #inventory a").get_attribute("href")
    more = [inventory, f"{inventory}/import", f"{periods[1]}/plan", f"{periods[1]}/ledger",
            "/organisations/1/registry-import", "/organisations/1/factors/new", "/organisations/1/subjects/new",
            f"{inventory}/trail?figure=scope&key=2&basis=market", "/organisations/1/consolidation-approach",
            "/organisations/1/subjects/1/edit", "/organisations/1/measures/new", f"{periods[1]}/reductions",
            f"{periods[1]}/review"]
    for path in more:
        page.goto(path)
        if path.endswith("/plan"):
            # the planner: one panel per registry with its quantities, reference, date, statement
            expect(page.locator("main input[type=file]")).not_to_have_count(0)
            shoot(page, "planner")
    page.goto("/account/password")
    expect(page.locator("main input[type=password]")).to_have_count(3)

    # Pages that answer "not found" are pages too.
    for missing in ("/organisations/1/periods/999", "/organisations/999"):
        watch.expect_response(404, missing)
        assert page.goto(missing).status == 404

    page.evaluate("0")  # the last report has arrived
    assert watch.checked == ["/login", "/login", "/", "/", "/organisations/1", *periods,
                             "/organisations/1", *pages, periods[1], *more, "/account/password",
                             "/organisations/1/periods/999", "/organisations/999"]


BROKEN_PAGE = """<!doctype html><html lang="en"><head>
<link rel="stylesheet" href="/static/css/missing.css"></head>
<body><h1>One</h1><h1>Two</h1>
<form><input name="nameless"><label>Orphan <input name="wrapped"></label>
<select name="chosen"><option>a</option></select><button></button></form>
<script>throw new Error("broken on purpose")</script>
<p style="color: red">inline style</p></body></html>"""


def test_the_watch_catches_a_broken_page(browser, live_server) -> None:
    """A page served from the application's origin under its Content-Security-Policy, with two
    <h1>, a field without a label, a button without a name, a stylesheet that is not there, an
    inline script and an inline style: each is reported."""
    watch = Watch()
    context = browser.new_context(base_url=live_server.url)
    try:
        watch.attach(context)
        context.route("**/broken", lambda route: route.fulfill(
            status=200, content_type="text/html", body=BROKEN_PAGE,
            headers={"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"}))
        page = context.new_page()
        page.goto("/broken")
        page.evaluate("0")  # the reports have arrived
    finally:
        context.close()
    problems = "\n".join(watch.problems)
    assert "/broken has 2 <h1> elements, not one" in problems
    assert 'without an accessible name: <input name="nameless">' in problems
    assert 'without an accessible name: <select name="chosen">' in problems
    assert "without an accessible name: <button></button>" in problems
    assert 'name="wrapped"' not in problems  # a label around a field names it
    assert "Refused to apply style from '" + live_server.url + "/static/css/missing.css'" in problems
    assert "console error: Executing inline script violates" in problems
    assert "console error: Applying inline style violates" in problems
