"""The lead's reduction measures and targets in the browser, in English and in 简体: from the
dashboard to the register, a pump's efficiency measure added through the form (its expected
reduction calculated on its page: 200 − 200 × 0.70 / 0.85 = 35.294… MWh × 0.5 = 17.647 t), then
a target for one factory set on the targets page and its progress opened, with the chart of
the trajectory. Every page is watched (one <h1>, a name for every field, no console error, no
failed subresource: the chart among them)."""

from __future__ import annotations

import re

import pytest
from browsing import choose_language, follow, sign_in_as, translated
from playwright.sync_api import expect


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_lead_adds_a_pump_measure_and_a_target_and_reads_its_progress(page, shoot, locale) -> None:
    sign_in_as(page, "lead")
    choose_language(page, locale)
    page.goto("/organisations/1")
    follow(page, page.locator("main a[href='/organisations/1/measures']"))
    expect(page.locator("main h1")).to_contain_text(translated("Reduction measures", locale))
    follow(page, page.locator("main a[href='/organisations/1/measures/new']"))

    form = page.locator("main form.stacked")
    title = f"水泵变频改造 {locale}"
    form.locator("#title_zh_hans").fill(title)
    form.locator("#category").select_option("energy_efficiency")
    form.locator("#site_id").select_option(index=1)  # the first factory
    form.locator("#horizon").select_option("quick_win")
    form.locator("#cost_amount").fill("120000")
    form.locator("#cost_currency").fill("CNY")
    for criterion, score in (("feasibility", "4"), ("impact", "5"), ("cost_benefit", "3"),
                             ("stakeholder_expectations", "3"), ("compliance", "4"), ("innovation", "2")):
        form.locator(f"#{criterion}_score").fill(score)
    form.locator("#change_kind").select_option("efficiency")
    form.locator("#efficiency_energy_mwh").fill("200")
    form.locator("#efficiency_efficiency_before").fill("0.70")
    form.locator("#efficiency_efficiency_after").fill("0.85")
    form.locator("#efficiency_factor_t_per_mwh").fill("0.5")
    with page.expect_navigation():
        form.locator("button.primary").click()
    assert re.search(r"/organisations/1/measures/\d+$", page.url), page.url
    # the title written in 简体 stands for the measure in every language (the only one given)
    expect(page.locator("main h1")).to_have_text(title)
    expected = page.locator("main #expected")
    expect(expected).to_contain_text("17.647")
    expect(expected).to_contain_text("35.294")
    expect(expected.locator("ol.trail-steps li")).to_have_count(3)
    shoot(page, "measure")

    page.goto("/organisations/1/measures")
    expect(page.locator("main table.measures")).to_contain_text(title)
    follow(page, page.locator("main p.muted a[href='/organisations/1/targets']"))
    target = page.locator("main #new-target form")
    # one factory's commitment: the organisation's two factories share their years
    target.locator("#commitment_id").select_option(index=1)
    target.locator("#kind").select_option("absolute")
    target.locator("#scopes-0").check()
    target.locator("#scopes-1").check()
    target.locator("#scope2_basis").select_option("market_based")
    target.locator("#base_year").fill("2024")
    target.locator("#base_value").fill("1000")
    target.locator("#target_year").fill("2030")
    target.locator("#reduction_percent").fill("42")
    with page.expect_navigation():
        target.locator("button.primary").click()
    assert re.search(r"/organisations/1/targets/\d+$", page.url), page.url
    periods = page.locator("main #periods table tbody")
    expect(periods.get_by_role("rowheader").first).to_have_text("2024")
    # 1,000 t in 2024, 42 % less by 2030: 2024 allows the base itself
    expect(periods.locator("tr").first).to_contain_text("1,000.000")
    chart = page.locator("main #periods img.chart")
    expect(chart).to_have_attribute("alt", re.compile("2030"))
    assert chart.evaluate("(img) => img.complete && img.naturalWidth > 0")
    shoot(page, "progress")
