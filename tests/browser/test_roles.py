"""Every role of the demo signs in through the form, finds its organisation and signs out: the
first step of each role's journey, which goes on in test_lead_journey.py and
test_lead_retires.py (the lead), test_procurement_journey.py, test_verifier_journey.py, and
test_viewer_journey.py with test_refusals.py (the viewer)."""

from __future__ import annotations

import re

import pytest
from browsing import ACCOUNTS, api_get, follow, sign_in, sign_out
from playwright.sync_api import expect


# Each demo member's address is named after the role it holds in the demo organisation
# (neutrality/demo.py: DEMO_USERS): lead@, procurement@, verifier@, viewer@.
@pytest.mark.parametrize("role", ["lead", "procurement", "verifier", "viewer"])
def test_each_role_signs_in_reaches_its_dashboard_and_signs_out(page, role) -> None:
    address, password = ACCOUNTS[role]
    sign_in(page, address, password)
    me = api_get(page, "/api/v1/me")
    assert [r["role"] for r in me["roles"]] == [role]
    expect(page.locator("header .who")).to_have_text(address)

    organisation = me["roles"][0]["organisation_id"]
    follow(page, page.locator(f"main a[href='/organisations/{organisation}']"))
    expect(page.locator("main section.panel")).to_have_count(2)  # the two factories

    sign_out(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    assert page.request.get("/api/v1/me").status == 401
