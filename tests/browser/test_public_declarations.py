"""A member of the public, not signed in, reads the demo's published declaration (Yancheng 2024's
zero-carbon factory declaration) from the organisation's index, in English and in 繁體, downloads
its PDF, and checks it on the check page: the genuine file is found, a changed one is not, and
neither is sent to the server (the browser hashes it). In English and in 繁體."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from browsing import follow, translated
from playwright.sync_api import expect


@pytest.mark.parametrize("locale", ["en", "zh_Hant"])
def test_the_public_reads_a_declaration_and_checks_its_pdf(new_page, shoot, tmp_path: Path, locale: str) -> None:
    page = new_page("zh-TW" if locale == "zh_Hant" else "en-GB")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)

    page.goto("/declarations/1")
    expect(page.locator("html")).to_have_attribute("lang", locale.replace("_", "-"))
    shoot(page, "index")
    follow(page, page.locator("main table a").first)
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("Zero-carbon factory declaration", locale))
    expect(page.locator("blockquote.claim")).not_to_be_empty()
    expect(page.get_by_role("heading", name=translated("Retirements", locale))).to_be_visible()
    # the balance chart is drawn (an image served by the site, not blocked by its policy)
    chart = page.locator("img.chart")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) > 0
    shoot(page, "declaration")

    # the PDF of the page's language, and the fingerprint the page lists for it
    link = page.locator("ul.documents").first.locator("a").nth(2 if locale == "zh_Hant" else 0)
    listed = link.locator("xpath=..").locator("code.hash").inner_text()
    pdf = page.request.get(link.get_attribute("href")).body()
    assert hashlib.sha256(pdf).hexdigest() == listed
    genuine, changed = tmp_path / "declaration.pdf", tmp_path / "changed.pdf"
    genuine.write_bytes(pdf)
    changed.write_bytes(pdf + b"\n%changed")

    follow(page, page.get_by_role("link", name=translated("Check a PDF you were given", locale)))
    page.locator("input[type=file]").set_input_files(str(genuine))
    expect(page.locator("#check-verdict")).to_have_class("ok")
    expect(page.locator("#check-sha")).to_have_text(listed)
    expect(page.locator("#check-verdict")).to_contain_text(translated("It is the declaration in force.", locale))
    shoot(page, "genuine")
    page.locator("input[type=file]").set_input_files(str(changed))
    expect(page.locator("#check-verdict")).to_have_class("error")
    expect(page.locator("#check-link")).to_be_hidden()
    assert posted == []  # the files never left the browser
    follow(page, page.get_by_role("link", name=translated("Check a PDF", locale), exact=True))


def test_an_unpublished_period_is_not_there(new_page) -> None:
    page = new_page()
    # Changzhou 2024 (period 3) cannot be declared: nothing of it is public (a page's own 404)
    response = page.goto("/declarations/1/3")
    assert response.status == 404
