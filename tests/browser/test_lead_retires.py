"""The sustainability lead plans and records a period's retirements on the planner page: chooses
the policy, reserves the units, then records the retirements with each registry's reference,
date and statement (the GEC platform's and Verra's, one transaction of their own each). The
ledger lists them; the dashboard's residual falls by what the certificates now cover. In
English (Changzhou 2025) and in 简体 (Yancheng 2025).

Both 2025 periods draw on the same held blocks: whichever runs second plans with what the first
left, so every figure expected is read from the API before the page is used.
"""

from __future__ import annotations

import re

import pytest
from browsing import (
    api_get,
    choose_language,
    expect_language,
    figure,
    follow,
    sign_in_as,
    tab_to,
    translated,
)
from playwright.sync_api import expect

#: The demo's 2025 periods (neutrality/demo.py): Yancheng's is period 2, Changzhou's period 4.
PERIODS = [pytest.param("en", 4, "Changzhou", id="en"), pytest.param("zh_Hans", 2, "Yancheng", id="zh_Hans")]


def _dashboard_residual(page, subject: str, period_id: int):
    """The residual column of the period's row on the organisation's dashboard."""
    section = page.locator("section.panel").filter(has=page.get_by_role("heading", level=2, name=re.compile(subject)))
    row = section.get_by_role("row").filter(has=page.locator(f"a[href='/organisations/1/periods/{period_id}']"))
    return row.locator(".figure").nth(3)  # gross location, gross market, covered %, residual, credits


def _reserved(page) -> int:
    """Units the organisation holds reserved (for any period)."""
    return sum(line["quantity"] for line in api_get(page, "/api/v1/organisations/1/holdings?by=status")
               if line["key"]["status"] == "reserved")


@pytest.mark.parametrize(("locale", "period_id", "subject"), PERIODS)
def test_lead_reserves_then_records_a_plan_per_registry_and_the_residual_falls(page, shoot, tmp_path, locale,
                                                                              period_id, subject) -> None:
    sign_in_as(page, "lead")
    choose_language(page, locale)
    expect_language(page, locale)
    period = f"/organisations/1/periods/{period_id}"
    balance_before = api_get(page, f"/api/v1{period}/balance")["claim"]

    # The dashboard shows the residual the balance gives, exact on hover.
    follow(page, page.locator("main a[href='/organisations/1']"))
    residual = _dashboard_residual(page, subject, period_id)
    expect(residual).to_have_attribute("title", balance_before["residual_tco2e"])

    follow(page, page.locator(f"main a[href='{period}']"))
    follow(page, page.get_by_role("link", name=translated("Plan the retirements", locale)))

    # The cheapest blocks first: the page plans again with that policy.
    page.get_by_label(translated("Which blocks first", locale)).select_option("cheapest")
    with page.expect_navigation():
        page.get_by_role("button", name=translated("Plan again", locale)).click()
    expect(page).to_have_url(re.compile(r"[?&]policy=cheapest(&|$)"))
    plan = api_get(page, f"/api/v1{period}/retirement-plan?policy=cheapest")
    certificates = [line for market in plan["electricity"] for line in market["lines"]]
    credits = plan["credits"]["lines"]
    assert certificates and credits, "the demo's plans span two registries, the GEC platform and Verra"
    for line in certificates + credits:
        expect(page.locator(f"#quantity-{line['block_id']}")).to_have_value(str(line["quantity"]))
    shoot(page, "plan")

    # The plan edited: every certificate, but of the credits only the first line, the rest of
    # the VCUs left for the other period (each run of this journey leaves the other some).
    for line in credits[1:]:
        page.locator(f"#quantity-{line['block_id']}").fill("0")
    kept = certificates + credits[:1]

    # Reserve them: set aside for this period, then offered again, reserved.
    reserved_before = _reserved(page)
    with page.expect_navigation():
        page.get_by_role("button", name=translated("Reserve these units for the period", locale)).click()
    expect(page).to_have_url(re.compile(rf"{period}/plan\?.*policy=cheapest"))
    assert _reserved(page) - reserved_before == sum(line["quantity"] for line in kept)
    plan = api_get(page, f"/api/v1{period}/retirement-plan?policy=cheapest")
    replanned = [line for market in plan["electricity"] for line in market["lines"]] + plan["credits"]["lines"]
    assert sorted((line["block_id"], line["quantity"]) for line in replanned if line["reserved"]) == \
        sorted((line["block_id"], line["quantity"]) for line in kept)
    expect(page.locator("main .badge", has_text=translated("reserved", locale))).to_have_count(len(kept))
    # what the plan offers beyond the reservation (the rest of the credits) is left out again
    for line in replanned:
        if not line["reserved"]:
            page.locator(f"#quantity-{line['block_id']}").fill("0")
    lines = kept

    # Record them: each registry's reference typed, its statement attached, the date left at
    # today's; the form sent with Enter from the last reference.
    groups = page.locator("main section[id^=registry-]")
    expect(groups).to_have_count(2)
    references = {}
    for index, group in enumerate(groups.all()):
        key = group.get_attribute("id").removeprefix("registry-")
        statement = tmp_path / f"{key}-statement.pdf"
        statement.write_bytes(b"%PDF-1.4 retirement statement of " + key.encode())
        group.get_by_label(translated("Registry retirement statement (evidence)", locale)).set_input_files(statement)
        references[key] = f"{key.split('-')[0].upper()}-RET-{period_id}-{index + 1}"
    for key, reference in references.items():
        field = page.locator(f"#reference-{key}")
        if key == next(iter(references)):
            field.focus()
        else:
            tab_to(page, field)  # past the date, the statement and the next registry's quantities
        page.keyboard.type(reference)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{period}#balance$"))

    # The ledger lists every line, with its registry's reference.
    follow(page, page.locator("#balance").get_by_role("link", name=translated("Retirement ledger", locale)))
    rows = page.locator("main tbody tr")
    recorded = rows.filter(has=page.get_by_role("cell", name=re.compile("|".join(map(re.escape, references.values())))))
    expect(recorded).to_have_count(len(lines))
    ledger = api_get(page, f"/api/v1/organisations/1/retirements?period_id={period_id}&per_page=200")["items"]
    new = [entry for entry in ledger if entry["registry_reference"] in references.values()]
    assert sorted((e["block_id"], e["quantity"]) for e in new) == sorted((line["block_id"], line["quantity"])
                                                                         for line in lines)
    # each registry's lines carry that registry's reference: one per scheme here, two in all
    by_scheme = {(e["scheme"], e["registry_reference"]) for e in new}
    assert len(by_scheme) == 2 and {reference for _, reference in by_scheme} == set(references.values())
    shoot(page, "ledger")

    # The dashboard's residual: the certificates now cover their electricity, as the plan said.
    follow(page, page.locator("nav.crumbs a[href='/organisations/1']"))
    residual = _dashboard_residual(page, subject, period_id)
    expect(residual).to_have_attribute("title", plan["credits"]["residual_tco2e"])
    expect(residual).to_have_text(figure(plan["credits"]["residual_tco2e"]))
    assert float(plan["credits"]["residual_tco2e"]) < float(balance_before["residual_tco2e"])


def test_lead_records_an_expired_certificate_the_registry_retired_anyway_with_the_reason(page, shoot, tmp_path) -> None:
    """In 繁體. Changzhou 2024's plan passes over the GECs of January 2024 production, expired
    after their two years (CN-GEC-04); the registry retired them on 2026-01-15 all the same, so
    the lead records them with the reason: in the ledger, not counted by the claim."""
    locale = "zh_Hant"
    sign_in_as(page, "lead")
    choose_language(page, locale)
    period = "/organisations/1/periods/3"
    claim_before = api_get(page, f"/api/v1{period}/balance")["claim"]
    [expired] = [group for group in api_get(page, f"/api/v1{period}/retirement-plan")["not_accepted"]
                 if group["reason"].startswith("CN-GEC-04")]

    follow(page, page.locator("main a[href='/organisations/1']"))
    follow(page, page.locator(f"main a[href='{period}']"))
    follow(page, page.get_by_role("link", name=translated("Plan the retirements", locale)))
    refused = page.locator("#refused")
    expect(refused.locator("tbody tr").filter(has_text="CN-GEC-04")).to_have_count(1)

    # The form is folded under the refusals: opened, it asks the registry's fields and the reason.
    form = refused.locator("#despite-rules")
    form.locator("summary").click()
    form.get_by_label(translated("Block the rules refuse", locale)).select_option(str(expired["block_ids"][0]))
    form.get_by_label(translated("Registry reference of the retirement", locale)).fill("GEC-LATE-2026-0115")
    form.get_by_label(translated("Date on the registry statement", locale)).fill("2026-01-15")
    statement = tmp_path / "gec-statement.pdf"
    statement.write_bytes(b"%PDF-1.4 GEC platform retirement statement")
    form.get_by_label(translated("Registry retirement statement (evidence)", locale)).set_input_files(statement)

    # Without the reason the browser does not send it (the field is required; the server
    # refuses it too, tests/web/test_planner_pages.py); with it, the retirement is recorded.
    reason = form.get_by_label(translated("Why it is recorded although the rules refuse it", locale))
    record = form.get_by_role("button", name=translated("Record it, not counted by the claim", locale))
    record.click()
    assert reason.evaluate("(el) => el.validity.valueMissing")
    expect(page).to_have_url(re.compile(rf"{period}/plan$"))
    reason.fill("平台於 2026 年 1 月 15 日已註銷，台帳須與登記簿一致")
    shoot(page, "despite-rules")
    with page.expect_navigation():
        record.click()

    expect(page).to_have_url(re.compile(rf"{period}/ledger$"))
    row = page.locator("main tbody tr").filter(has=page.get_by_role("cell", name="GEC-LATE-2026-0115", exact=True))
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text(translated("not counted", locale))
    expect(row).to_contain_text("CN-GEC-04")
    shoot(page, "ledger")
    [entry] = [e for e in api_get(page, "/api/v1/organisations/1/retirements?period_id=3&per_page=200")["items"]
               if e["registry_reference"] == "GEC-LATE-2026-0115"]
    assert (entry["block_id"], entry["quantity"]) == (expected := (expired["block_ids"][0], expired["units"])), expected
    assert entry["exclusion_reason"] == "平台於 2026 年 1 月 15 日已註銷，台帳須與登記簿一致"
    # the claim counts it not at all: its figures are those from before, the retirement listed
    # among those it excludes, for CN-GEC-04
    claim = api_get(page, f"/api/v1{period}/balance")["claim"]
    excluded = claim.pop("excluded")
    assert [e for e in excluded if e["retirement_id"] != entry["id"]] == claim_before.pop("excluded")
    assert [e["rules"] for e in excluded if e["retirement_id"] == entry["id"]] == [["CN-GEC-04"]]
    assert claim == claim_before
