"""The sustainability lead's journey: sign in, read the organisation's dashboard, open a period
and follow what its checklist says to do next. In English and in 简体."""

from __future__ import annotations

import re

import pytest
from browsing import api_get, choose_language, expect_language, figure, follow, sign_in_as
from playwright.sync_api import expect


def _stylesheet_colour(css: str, variable: str) -> str:
    """The colour a custom property of the stylesheet names (``--frame: #1f4d3a``), written as
    getComputedStyle writes colours (``rgb(31, 77, 58)``)."""
    match = re.search(rf"{re.escape(variable)}\s*:\s*#([0-9a-fA-F]{{6}})\s*;", css)
    assert match, f"the stylesheet defines no {variable}"
    red, green, blue = (int(match[1][i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_lead_reads_the_dashboard_opens_a_period_and_follows_its_first_fix(page, shoot, locale) -> None:
    sign_in_as(page, "lead")
    choose_language(page, locale)  # the account may keep another test's choice
    expect_language(page, locale)

    organisation = api_get(page, "/api/v1/organisations?per_page=10")["items"][0]
    follow(page, page.get_by_role("link", name=organisation["name"], exact=True))
    expect(page).to_have_url(re.compile(rf"/organisations/{organisation['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(organisation["name"])

    # The frame is drawn by the stylesheet: the header's background is the colour app.css gives
    # it, not the browser's default (transparent).
    css = page.request.get("/static/css/app.css").text()
    assert re.search(r"\.site-header\s*\{[^}]*background:\s*var\(--frame\)", css)
    header_background = page.locator("header.site-header").evaluate(
        "(el) => getComputedStyle(el).backgroundColor")
    assert header_background == _stylesheet_colour(css, "--frame")

    # Both factories, each with its 2024 and 2025 periods; a calendar-year period is named by its
    # year, in Chinese with 年 after it.
    subjects = api_get(page, f"/api/v1/organisations/{organisation['id']}/subjects")["items"]
    names = sorted(s["name"] for s in subjects)
    assert len(names) == 2 and any("Yancheng" in n for n in names) and any("Changzhou" in n for n in names)
    years = [f"{year}{'' if locale == 'en' else '年'}" for year in (2024, 2025)]
    for name in names:
        section = page.locator("section.panel").filter(has=page.get_by_role("heading", level=2, name=name))
        expect(section.get_by_role("rowheader")).to_have_text(years)
    shoot(page, "dashboard")

    # Yancheng 2024: its figures are the balance's, as the API gives it exactly, rounded to 3
    # decimals with the exact value on hover.
    yancheng = next(n for n in names if "Yancheng" in n)
    row = (page.locator("section.panel").filter(has=page.get_by_role("heading", level=2, name=yancheng))
           .get_by_role("row").filter(has=page.get_by_role("rowheader", name=years[0])))
    link = row.get_by_role("link", name=years[0])
    period_path = link.get_attribute("href")
    balance = api_get(page, f"/api/v1{period_path}/balance")
    figures = row.locator(".figure")
    # columns: gross location-based, gross market-based, electricity covered (%), residual,
    # credits counted
    for index, exact in ((0, balance["gross_location_tco2e"]), (1, balance["gross_market_tco2e"]),
                         (3, balance["claim"]["residual_tco2e"]),
                         (4, balance["claim"]["credits_counted_tco2e"])):
        expect(figures.nth(index)).to_have_text(figure(exact))
        expect(figures.nth(index)).to_have_attribute("title", exact)

    # The period's page, opened from its row: its checklist is the readiness the API gives.
    follow(page, link)
    expect(page).to_have_url(re.compile(rf"{re.escape(period_path)}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(yancheng)
    readiness = api_get(page, f"/api/v1{period_path}/readiness")
    items = page.locator("#checklist ul.checklist > li")
    expect(items).to_have_count(len(readiness["items"]))
    assert readiness["items"], "the demo's Yancheng 2024 has warnings to review"
    for item, expected in zip(items.all(), readiness["items"], strict=True):
        expect(item).to_contain_text(expected["text"][locale])
        expect(item.locator("a.fix")).to_have_text(expected["action_text"][locale])

    # Its first "fix" link leads to the part of this same page that explains it.
    fix = items.first.locator("a.fix")
    target = fix.get_attribute("href")
    assert target.startswith(period_path + "#"), target
    fix.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(target)}$"))
    expect(page.locator(f"#{target.split('#')[1]}")).to_be_in_viewport()
