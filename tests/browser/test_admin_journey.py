"""The site administrator's pages, reached from the header, in English and 简体; and the verifier,
who reads the organisation's pages without a write action and checks the audit chain. Every page
opened is watched (one <h1>, a name for every field and button, no console error)."""

from __future__ import annotations

import pytest
from browsing import choose_language, follow, sign_in_as
from playwright.sync_api import expect


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_administrator_reaches_organisations_accounts_and_members(page, watch, shoot, locale) -> None:
    page.goto("/login")
    choose_language(page, locale)
    sign_in_as(page, "admin")
    follow(page, page.locator("header a[href='/admin/organisations']"))
    expect(page.locator("main table tbody tr")).to_have_count(1)  # the demo organisation
    shoot(page, "organisations")
    follow(page, page.locator("main a[href='/admin/organisations/1/members']"))
    # the demo's four members, each with a role to change and a button to remove them
    expect(page.locator("main #members tbody tr")).to_have_count(4)
    expect(page.locator("main #members select")).to_have_count(4)
    shoot(page, "members")
    follow(page, page.locator("main nav.admin-nav a[href='/admin/accounts']"))
    expect(page.locator("main table tbody tr")).to_have_count(5)  # the administrator and the four
    # every account but the administrator's own can be disabled
    expect(page.locator("main table tbody form")).to_have_count(4)
    shoot(page, "accounts")
    page.evaluate("0")  # the last report has arrived
    assert watch.checked[-3:] == ["/admin/organisations", "/admin/organisations/1/members", "/admin/accounts"]


def test_the_verifier_reads_without_write_actions_and_checks_the_audit_chain(page, watch, shoot) -> None:
    sign_in_as(page, "verifier")
    page.goto("/organisations/1")
    expect(page.locator("main a[href='/organisations/1/commitments/new']")).to_have_count(0)
    periods = [a.get_attribute("href") for a in page.locator("main table tbody th a").all()]
    page.goto(f"{periods[0]}/ledger")
    expect(page.locator("main form")).to_have_count(0)  # no reversal offered
    page.goto("/organisations/1/holdings")
    expect(page.locator("main a[href='/organisations/1/registry-import']")).to_have_count(0)
    page.goto("/organisations/1/audit")
    follow(page, page.get_by_role("button", name="Check the hash chain"))
    expect(page.locator("main #chain .badge")).to_have_text("intact")
    shoot(page, "audit-chain")
