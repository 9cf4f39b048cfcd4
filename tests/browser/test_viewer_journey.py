"""The viewer's journey: every page of a period is there to read, with no field or button to
write (no form to send, no file to choose); a write crafted on the page anyway, with the page's
own CSRF token, is refused with 403 and changes nothing. In English and in 简体.

The pages are reached by their links, from the dashboard: Changzhou 2025 (period 4), whose
inventory is a draft (the lead may import into it) and whose plan offers blocks (the lead may
reserve and record them), and Changzhou 2024 (period 3), whose ledger holds retirements (the
lead may reverse them) and whose plan has blocks the rules refuse (the lead may record them
anyway, with a reason).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import (
    api_get,
    choose_language,
    expect_language,
    follow,
    post_form,
    sign_in_as,
    translated,
)
from playwright.sync_api import expect

#: What a page offers to write with: a form sent by POST (the header's language switch and
#: sign-out are the frame's, outside <main>; the planner's options are a GET), a file to choose.
WRITES = "main form[method=post], main input[type=file], main textarea"


def _reads_only(page, shoot, step: str) -> None:
    expect(page.locator(WRITES)).to_have_count(0)
    shoot(page, step)


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_viewer_reads_every_page_of_a_period_without_a_write_and_a_crafted_one_is_refused(
        page, watch, shoot, locale) -> None:
    sign_in_as(page, "viewer")
    choose_language(page, locale)
    expect_language(page, locale)
    ledger_before = api_get(page, "/api/v1/organisations/1/retirements?per_page=200")
    holdings_before = api_get(page, "/api/v1/organisations/1/holdings?by=scheme,status")

    follow(page, page.locator("main a[href='/organisations/1']"))
    follow(page, page.get_by_role("link", name=translated("Holdings", locale), exact=True))
    expect(page.get_by_role("link", name=translated("Import a registry file", locale))).to_have_count(0)
    _reads_only(page, shoot, "holdings")

    # Changzhou 2025: its draft inventory and its plan.
    page.go_back()
    follow(page, page.locator("main a[href='/organisations/1/periods/4']"))
    _reads_only(page, shoot, "period")
    follow(page, page.locator("#inventory a"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=translated("Import an activity file", locale))).to_have_count(0)
    _reads_only(page, shoot, "inventory")
    page.go_back()
    # the planner is not offered to a reader (no button), but its page reads by its address
    expect(page.get_by_role("link", name=translated("Plan the retirements", locale))).to_have_count(0)
    page.goto(page.url.split("?")[0].split("#")[0] + "/plan")
    plan = api_get(page, "/api/v1/organisations/1/periods/4/retirement-plan")
    offered = [line for market in plan["electricity"] for line in market["lines"]] + plan["credits"]["lines"]
    assert offered, "the plan offers blocks to the lead"
    # the plan is read: each line's quantity written, not offered to change
    first = offered[0]
    group = page.locator("main section[id^=registry-]").filter(
        has=page.get_by_role("cell", name=str(first["block_id"]), exact=True))
    expect(group.get_by_role("row").filter(has=page.get_by_role("cell", name=str(first["block_id"]), exact=True))
           .locator("td").last).to_have_text(f"{first['quantity']:,} {first['unit']}")
    expect(page.get_by_role("button", name=translated("Record the retirements", locale))).to_have_count(0)
    expect(page.get_by_role("button", name=translated("Reserve these units for the period", locale))).to_have_count(0)
    _reads_only(page, shoot, "plan")

    # Crafted anyway: the plan's first line recorded, with the page's CSRF token. Refused for
    # the role (a missing token would be 400, a missing field 422): nothing retired.
    registry = group.get_attribute("id").removeprefix("registry-")
    apply = "/organisations/1/periods/4/plan/apply"
    watch.expect_response(403, apply)
    status = post_form(page, apply, {
        f"quantity-{first['block_id']}": str(first["quantity"]), f"registry-{first['block_id']}": registry,
        f"reference-{registry}": "CRAFTED-1", f"retired_on-{registry}": plan["retire_on"],
        "beneficiary_text": "Viewer", "purpose": "crafted"},
        files={f"evidence-{registry}": ("statement.pdf", "%PDF crafted")})
    assert status == 403

    # Changzhou 2024: the ledger's retirements, and the blocks its rules refuse.
    follow(page, page.locator("nav.crumbs a[href='/organisations/1']"))
    follow(page, page.locator("main a[href='/organisations/1/periods/3']"))
    follow(page, page.locator("#balance").get_by_role("link", name=translated("Retirement ledger", locale)))
    entries = page.locator("main tbody tr")
    expect(entries).not_to_have_count(0)
    expect(page.get_by_role("button", name=translated("Reverse", locale))).to_have_count(0)
    _reads_only(page, shoot, "ledger")
    # ...but it may take the ledger away as a spreadsheet, its headers in the page's language
    with page.expect_download() as download:
        page.locator("main p.exports").get_by_role("link", name=translated("CSV file", locale)).click()
    assert download.value.suggested_filename.startswith("retirements-period-3-")
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert ("数量" in header) is (locale == "zh_Hans"), header  # "Quantity 数量" in 简体
    reverse = f"/organisations/1/periods/3/ledger/{entries.first.locator('td').first.inner_text()}/reverse"
    watch.expect_response(403, reverse)
    assert post_form(page, reverse, {"reason": "crafted by a viewer"}) == 403

    page.go_back()
    # the planner is not offered to a reader (no button), but its page reads by its address
    expect(page.get_by_role("link", name=translated("Plan the retirements", locale))).to_have_count(0)
    page.goto(page.url.split("?")[0].split("#")[0] + "/plan")
    expect(page.locator("#refused tbody tr")).not_to_have_count(0)  # the rules refuse blocks here
    expect(page.locator("#despite-rules")).to_have_count(0)  # the lead's, to record them anyway
    _reads_only(page, shoot, "refused")

    assert api_get(page, "/api/v1/organisations/1/retirements?per_page=200") == ledger_before
    assert api_get(page, "/api/v1/organisations/1/holdings?by=scheme,status") == holdings_before
