"""Procurement's pages in the browser, in English and 简体: from the holdings to the blocks, a
serial number typed into the search finds the block that holds it; then the purchases, and a
purchase recorded with its invoice attached. Every page is watched (one <h1>, a name for every
field, no console error)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import choose_language, follow, sign_in_as
from playwright.sync_api import expect

#: One unit of the demo's held Verra block 938,126,116–938,136,115 (project 4338, 2022).
DEMO_SERIAL = "19313-938126120-938126120-VCS-VCU-1310-VER-CN-13-4338-01012022-31122022-0"


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_procurement_finds_a_block_by_serial_and_records_a_purchase(page, shoot, locale, tmp_path: Path) -> None:
    page.goto("/login")
    sign_in_as(page, "procurement")
    choose_language(page, locale)
    page.goto("/organisations/1/holdings")
    follow(page, page.locator("main a[href='/organisations/1/blocks']"))
    page.locator("main input#serial").fill(DEMO_SERIAL)
    with page.expect_navigation():
        page.locator("main input#serial").press("Enter")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("938126116–938136115")
    shoot(page, "blocks")

    page.goto("/organisations/1/holdings")
    follow(page, page.locator("main a[href='/organisations/1/purchases']"))
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    form = page.locator("main form[enctype='multipart/form-data']")
    supplier = f"Browser Supplier {locale}"
    form.locator("select#scheme").select_option("GEC")
    form.locator("#supplier").fill(supplier)
    form.locator("#contract_reference").fill(f"BR-{locale}")
    form.locator("#contract_date").fill("2026-07-01")
    form.locator("#quantity").fill("1200")
    form.locator("#unit_price").fill("3.5")
    form.locator("#currency").fill("CNY")
    form.locator("#delivery_account").fill("苏辉光伏绿证账户")
    form.locator("#invoice").set_input_files(str(invoice))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/organisations/1/purchases")
    expect(page.locator("main table tbody")).to_contain_text(supplier)
    shoot(page, "purchases")
