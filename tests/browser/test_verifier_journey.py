"""The verifier's journey: reconcile a registry's retirement export with the organisation's
ledger and read every mismatch, then read the audit log; nothing the verifier does writes a
thing. In English and in 繁體.

The export is Verra's transactions sample (../shared/registry-samples/verra/transactions.csv),
read unmodified: a public listing of other buyers' retirements, so it shows none of the demo's
retirements retired, and each is named "not retired at the registry".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browsing import api_get, choose_language, expect_language, follow, sign_in_as, translated
from playwright.sync_api import expect

EXPORT = Path("/work/shared/registry-samples/verra/transactions.csv")

pytestmark = pytest.mark.skipif(not EXPORT.exists(), reason=f"the registry samples are not at {EXPORT}")


def _in_force(page) -> list[dict]:
    """The ledger's retirements not reversed: what a reconciliation compares."""
    entries = api_get(page, "/api/v1/organisations/1/retirements?per_page=200")["items"]
    reversed_ids = {e["reverses_id"] for e in entries if e["kind"] == "reversal"}
    return [e for e in entries if e["kind"] == "retirement" and e["id"] not in reversed_ids]


@pytest.mark.parametrize("locale", ["en", "zh_Hant"])
def test_verifier_reconciles_a_registry_export_then_reads_the_audit_log(page, shoot, locale) -> None:
    sign_in_as(page, "verifier")
    choose_language(page, locale)
    expect_language(page, locale)
    audit_before = api_get(page, "/api/v1/organisations/1/audit?per_page=20")
    in_force = _in_force(page)

    follow(page, page.locator("main a[href='/organisations/1']"))
    follow(page, page.get_by_role("link", name=translated("Reconciliation", locale), exact=True))
    page.get_by_label(translated("Registry retirement export (CSV or XLSX)", locale)).set_input_files(EXPORT)
    expect(page.get_by_label(translated("Compare with the retirements of", locale))).to_have_value("")  # every period
    with page.expect_navigation():
        page.get_by_role("button", name=translated("Compare", locale)).click()

    summary = page.locator("#summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text(EXPORT.name)
    figures = summary.locator("td")
    # compared: every retirement in force; matched: none of them (the listing is other buyers')
    expect(figures.nth(0)).to_have_text(f"{len(in_force):,}")
    expect(figures.nth(2)).to_have_text("0")

    # One row per mismatch: each retirement not retired at the registry, and the VCUs the demo
    # retired for Changzhou 2024 on 2026-02-10, after ISO 14068-1's 12 months (by 2025-12-31).
    rows = page.locator("#mismatches tbody tr")
    missing = rows.filter(has=page.get_by_role("cell", name=translated("Not retired at the registry", locale),
                                                exact=True))
    expect(missing).to_have_count(len(in_force))
    late = [e for e in in_force if e["scheme"] == "VCU" and e["retired_on"] == "2026-02-10"]
    assert len(late) == 1, "the demo retired 100 VCUs late for Changzhou 2024"
    others = rows.filter(has_not=page.get_by_role("cell", name=translated("Not retired at the registry", locale),
                                                  exact=True))
    expect(others).to_have_count(1)
    expect(others.locator("td").nth(1)).to_have_text(str(late[0]["id"]))
    expect(others.locator("td").nth(5)).to_contain_text("2025-12-31")
    expect(figures.nth(3)).to_have_text(str(len(in_force) + 1))
    shoot(page, "mismatches")

    # The audit log, newest first, as the API gives it; the reconciliation wrote nothing.
    follow(page, page.locator("nav.crumbs a[href='/organisations/1']"))
    follow(page, page.get_by_role("link", name=translated("Audit log", locale), exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(translated("Audit log", locale))
    audit = api_get(page, "/api/v1/organisations/1/audit?per_page=20")
    assert audit == audit_before
    newest = audit["items"][:10]
    rows = page.locator("main tbody tr")
    for row, entry in zip(rows.all()[:10], newest, strict=True):
        expect(row.locator("td").nth(0)).to_have_text(str(entry["id"]))
        expect(row.locator("td").nth(2)).to_have_text(entry["actor_label"])
        expect(row.locator("td").nth(3)).to_have_text(entry["action"])
        expect(row.locator("td").nth(4)).to_have_text(f"{entry['entity_type']} {entry['entity_id']}")
        # each entry's SHA-256 chain hash, its first 12 digits shown and the whole on hover
        code = row.locator("code")
        assert re.fullmatch(r"[0-9a-f]{64}", code.get_attribute("title"))
        expect(code).to_have_text(code.get_attribute("title")[:12])
