"""The procurement officer's journey: from the holdings, import a registry's export of the
organisation's account: a file with a wrong row is refused whole with the row named, then the
right file is previewed, confirmed, and the holdings show its units. In English and in 简体.

The files are the Gold Standard registry's issuances export (../shared/registry-samples), cut to
the rows of one project, as an account holding only that project's units exports them (the
whole export is a public listing of many developers, which the import refuses as no account's).
Each language imports another project, so that neither run finds the other's file imported.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from browsing import (
    api_get,
    choose_language,
    expect_language,
    follow,
    sign_in_as,
    tab_to,
    translated,
)
from playwright.sync_api import expect

SAMPLE = Path("/work/shared/registry-samples/gold-standard/issuances.csv")

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason=f"the registry samples are not at {SAMPLE}")


def _project_rows(gsid: str) -> tuple[str, list[dict[str, str]]]:
    """The header and the rows of one project, as the registry writes them (the bytes kept)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines[1:] if next(csv.reader([line]))[3] == gsid]
    return lines[0] + "".join(kept), list(csv.DictReader([lines[0], *kept]))


@pytest.mark.parametrize(("locale", "gsid"), [("en", "7080"), ("zh_Hans", "11544")], ids=["en", "zh_Hans"])
def test_procurement_imports_a_registry_export_after_a_wrong_one_is_refused(page, shoot, tmp_path, locale,
                                                                            gsid) -> None:
    text, rows = _project_rows(gsid)
    assert len(rows) == 3, "the project has three issuances, one per vintage"
    # every unit of an issuance is one block: quantity = the serial range, as the file states it
    expected = {row["Vintage"]: int(row["Quantity"]) for row in rows}
    good = tmp_path / f"gs-{gsid}-issuances.csv"
    good.write_text(text, encoding="utf-8", newline="")
    # the same export with the first issuance's quantity one unit short of its serial range
    first = rows[0]
    short = int(first["Quantity"]) - 1
    wrong = tmp_path / f"gs-{gsid}-edited.csv"
    wrong.write_text(text.replace(f",{first['Quantity']},{gsid},", f",{short},{gsid},", 1), encoding="utf-8",
                     newline="")

    sign_in_as(page, "procurement")
    choose_language(page, locale)
    expect_language(page, locale)
    before = api_get(page, "/api/v1/organisations/1/holdings?by=scheme")
    # what the organisation held of each vintage of Gold Standard VERs before (the other
    # language's run may have imported some)
    held_before = {str(line["key"]["vintage"]): line["quantity"]
                   for line in api_get(page, "/api/v1/organisations/1/holdings?by=scheme,vintage")
                   if line["key"]["scheme"] == "GS_VER"}

    page.goto("/organisations/1/holdings")
    follow(page, page.get_by_role("link", name=translated("Import a registry file", locale)))
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("Import a registry file", locale))

    # The wrong file: refused whole, its row and column named, nothing stored.
    page.get_by_label(translated("Registry export or statement (CSV or XLSX)", locale)).set_input_files(wrong)
    with page.expect_navigation():
        page.get_by_role("button", name=translated("Preview", locale)).click()
    errors = page.locator("#errors")
    expect(errors.get_by_role("heading", level=2)).to_contain_text(wrong.name)
    problem = errors.locator("tbody tr")
    expect(problem).to_have_count(1)
    # row 2: the first row below the header; the file's column as it names it, why in the page's language
    why = translated("the quantity {quantity} does not match the serial range {start}–{end} ({units} units)",
                     locale).format(quantity=f"{short:,}", start=1, end=first["Quantity"],
                                    units=f"{int(first['Quantity']):,}")
    expect(problem.locator("td")).to_have_text(["2", "Quantity", why])
    shoot(page, "refused")
    assert api_get(page, "/api/v1/organisations/1/holdings?by=scheme") == before

    # The right file, chosen again; the account typed and the form sent by keyboard alone.
    file_field = page.get_by_label(translated("Registry export or statement (CSV or XLSX)", locale))
    file_field.set_input_files(good)
    file_field.focus()
    account = page.get_by_label(translated("Account the units are held in (optional)", locale))
    tab_to(page, account)
    page.keyboard.type("GS account 1")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The preview: what would be held, per scheme; nothing stored yet.
    expect(page.get_by_role("heading", level=1)).to_contain_text(good.name)
    total = sum(expected.values())
    expect(page.locator("main table.facts tbody tr")).to_have_count(1)
    expect(page.locator("main table.facts tbody th")).to_have_text("GS_VER")
    expect(page.locator("main table.facts tbody td")).to_have_text(f"{total:,}")
    shoot(page, "preview")
    assert api_get(page, "/api/v1/organisations/1/holdings?by=scheme") == before

    with page.expect_navigation():
        page.get_by_role("button", name=translated("Import the file", locale)).click()

    # Back on the holdings, grouped by scheme and vintage: each issuance of the file added to its
    # vintage's row.
    expect(page).to_have_url(f"{page.url.split('/organisations')[0]}/organisations/1/holdings")
    table = page.locator("main section.panel table").first
    for vintage, quantity in expected.items():
        row = table.locator("tbody tr").filter(has=page.get_by_role("cell", name="GS_VER", exact=True)) \
            .filter(has=page.get_by_role("cell", name=vintage, exact=True))
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(f"{held_before.get(vintage, 0) + quantity:,}")
    after = {line["key"]["scheme"]: line for line in api_get(page, "/api/v1/organisations/1/holdings?by=scheme")}
    was = {line["key"]["scheme"]: line for line in before}
    gs_before = was.get("GS_VER", {"quantity": 0, "blocks": 0})
    assert (after["GS_VER"]["quantity"], after["GS_VER"]["blocks"]) == (gs_before["quantity"] + total,
                                                                         gs_before["blocks"] + 3)
    assert {scheme: line for scheme, line in after.items() if scheme != "GS_VER"} == \
        {scheme: line for scheme, line in was.items() if scheme != "GS_VER"}
