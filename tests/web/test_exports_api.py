"""Spreadsheets of the report, the holdings, the ledger and the balance through the API.

Figures of the world (tests/factories.py), reasoned by hand:
- holdings: one held Verra block, 941,412,554 − 941,382,742 + 1 = 29,813 VCUs, bought at USD
  6.50: 29,813 × 6.50 = USD 193,784.50 (the 100 retired VCUs are not held);
- the verified 2024 inventory: 1,200 MWh at the East China grid's 2023 factor 0.5500 t/MWh =
  660 tCO2e location-based, all Scope 2, all at the world's one site; market-based, no EACs, the
  national residual mix 2023 0.6096 t/MWh: 1,200 × 0.6096 = 731.52 tCO2e;
- the ledger: one retirement of 100 VCUs (950,000,001–950,000,100) for that period, recorded
  despite the beneficiary rule SANITY-02 ("Suhui Trading Co." is not the organisation);
- its balance: the ledger counts the 100 t against the residual of 731.52 t: 100 − 731.52 =
  −631.52, short; the claim leaves the 100 out: 0 − 731.52 = −731.52.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HYPERLINK = '=HYPERLINK("http://evil.example/x","click")'


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _sheet(response: Any) -> tuple[list[Any], list[dict[str, Any]], Any]:
    """The header, the rows by header and the workbook of an XLSX answer."""
    assert response.status_code == 200, response.get_data()[:500]
    assert response.mimetype == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = list(book.worksheets[0].iter_rows())
    header = [c.value for c in cells[0]]
    return header, [dict(zip(header, row, strict=True)) for row in cells[1:]], book


def _value(cell: Any) -> Decimal:
    """A number cell's value, read back exactly as the file writes it (a float's shortest repr)."""
    assert cell.data_type == "n" and isinstance(cell.value, int | float), (cell.value, cell.data_type)
    return Decimal(repr(cell.value))


def _retire(client: Any, world: World, **fields: Any) -> Any:
    form = {"period_id": str(world.period_verified), "block_id": str(world.block_a), "quantity": "10",
            "beneficiary_text": "Factory A", "purpose": "Carbon neutrality of Factory A, 2024",
            "retired_on": "2025-03-15", "registry_reference": "VCS-RET-2025-0315", **fields}
    response = client.post(f"{_base(world)}/retirements", content_type="multipart/form-data",
                           headers=world.headers("lead"),
                           data={**form, "evidence": (io.BytesIO(b"%PDF-1.4 cert"), "cert.pdf")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_viewer_exports_holdings_with_numbers_as_numbers_and_the_cost_exact(client, world) -> None:
    response = client.get(f"{_base(world)}/holdings.xlsx?by=scheme,project", headers=world.headers("viewer"))
    header, rows, book = _sheet(response)
    assert header == ["Scheme", "Project", "Unit", "Quantity", "Serial blocks", "Cost USD",
                      "Units without a price"]
    [line] = list(book.worksheets[0].iter_rows(min_row=2))
    by = dict(zip(header, line, strict=True))
    assert (by["Scheme"].value, by["Project"].value, by["Unit"].value) == ("VCU", world.project_a, "tCO2e")
    assert _value(by["Quantity"]) == 29_813
    assert _value(by["Cost USD"]) == Decimal("193784.50")  # 29,813 × 6.50
    assert by["Cost USD"].number_format == "#,##0.00"
    assert _value(by["Units without a price"]) == 0
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and "filename*=UTF-8''holdings-" in disposition
    assert book.sheetnames == ["Holdings", "About"]
    assert book.worksheets[0].freeze_panes == "A2"


def test_headers_are_bilingual_in_the_language_asked_for_or_the_browsers(client, world) -> None:
    base = f"{_base(world)}/holdings.csv"
    simplified = client.get(f"{base}?lang=zh_Hans", headers=world.headers("viewer")).data
    traditional = client.get(base, headers={**world.headers("viewer"), "Accept-Language": "zh-TW"}).data
    english = client.get(base, headers=world.headers("viewer")).data
    first = [data.decode("utf-8-sig").splitlines()[0] for data in (simplified, traditional, english)]
    assert first[0].startswith("Scheme 类型,Unit 单位,Quantity 数量,")
    assert first[1].startswith("Scheme 類型,Unit 單位,Quantity 數量,")
    assert first[2].startswith("Scheme,Unit,Quantity,")


def test_an_unknown_language_or_dimension_is_refused_by_name(client, world) -> None:
    response = client.get(f"{_base(world)}/holdings.xlsx?by=colour&lang=fr", headers=world.headers("viewer"))
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "validation_failed"
    assert set(body["details"]) == {"by.0", "lang"}, body  # the first value of by is wrong


def test_the_report_of_the_verified_inventory_is_exact_by_scope_site_and_basis(client, world) -> None:
    url = f"{_base(world)}/inventories/{world.inventory_verified}/report.xlsx?lang=zh_Hant"
    header, rows, book = _sheet(client.get(url, headers=world.headers("viewer")))
    assert header[:4] == ["Dimension 維度", "Item 項目", "Location-based tCO2e 基於位置 tCO2e",
                          "Market-based tCO2e 基於市場 tCO2e"]
    cells = {(r["Dimension 維度"].value, r["Item 項目"].value): r for r in
             (dict(zip(header, row, strict=True)) for row in book.worksheets[0].iter_rows(min_row=2))}
    total = cells[("total", "total")]
    assert _value(total[header[2]]) == 660 and _value(total[header[3]]) == Decimal("731.52")
    scope2 = cells[("scope", "scope 2")]
    assert _value(scope2[header[2]]) == 660 and _value(scope2[header[3]]) == Decimal("731.52")
    [site] = [key for key in cells if key[0] == "site"]
    assert _value(cells[site][header[2]]) == 660
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Period 期間"] == "2024-01-01 – 2024-12-31"
    assert about["Exported on 匯出日期"].year >= 2026


def test_a_formula_in_a_purpose_stays_inert_text_in_xlsx_and_csv(client, world) -> None:
    entry = _retire(client, world, purpose=HYPERLINK)
    response = client.get(f"{_base(world)}/retirements.xlsx?period_id={world.period_verified}",
                          headers=world.headers("viewer"))
    header, rows, book = _sheet(response)
    [ours] = [r for r in rows if r["Entry"].value == entry["id"]]
    assert ours["Purpose"].data_type == "s" and ours["Purpose"].value == "'" + HYPERLINK
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no cell is a formula
    text = client.get(f"{_base(world)}/retirements.csv", headers=world.headers("viewer")).data
    assert text.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    # the csv module doubles the quotes inside a quoted cell; the apostrophe keeps it text
    assert b'"\'=HYPERLINK(""http://evil.example/x"",""click"")"' in text


def test_the_ledger_says_what_the_claim_excludes_and_links_reversals(client, world) -> None:
    entry = _retire(client, world)
    reversal = client.post(f"{_base(world)}/retirements/{entry['id']}/reversal",
                           json={"reason": "wrong period"}, headers=world.headers("lead")).get_json()
    header, rows, _ = _sheet(client.get(f"{_base(world)}/retirements.xlsx", headers=world.headers("viewer")))
    by_id = {r["Entry"].value: r for r in rows}
    world_entry = by_id[world.retirement_a]
    assert (world_entry["Under the claim"].value, world_entry["Refusing rules"].value) == ("excluded", "SANITY-02")
    assert world_entry["Serial range"].value == "950000001-950000100"
    assert _value(world_entry["Quantity"]) == 100
    assert world_entry["Retired on"].is_date and world_entry["Retired on"].value.date().isoformat() == "2025-03-01"
    assert world_entry["Beneficiary"].value == "Suhui Trading Co."
    # reversed: no longer in force, so neither the ledger's arithmetic nor the claim counts it
    assert by_id[entry["id"]]["Under the claim"].value == "reversed"
    assert by_id[entry["id"]]["Reversed by entry"].value == reversal["id"]
    assert by_id[reversal["id"]]["Reverses entry"].value == entry["id"]
    assert by_id[reversal["id"]]["Reason of the reversal"].value == "wrong period"


def test_the_balance_lists_each_figure_of_the_ledger_and_of_the_claim_exactly(client, world) -> None:
    response = client.get(f"{_base(world)}/periods/{world.period_verified}/balance.csv?lang=zh_Hans",
                          headers=world.headers("viewer"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, *lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header == ["Basis 口径", "Figure 指标", "Description 说明", "Market, scheme or entry 市场、类型或条目",
                      "Value 数值", "Unit 单位", "Remark 备注"]
    rows = {(line[0], line[1]): line[2:] for line in lines}
    assert rows[("ledger", "credits_retired_tco2e")][:4] == [
        "Credits retired 已注销的碳信用", "", "100", "tCO2e"]
    assert rows[("ledger", "residual_tco2e")][2] == "731.52"
    # decimals written as they are, not rounded to the 2 places a sheet shows
    assert rows[("ledger", "difference_tco2e")][2:] == ["-631.52", "tCO2e", "short"]
    assert rows[("claim", "difference_tco2e")][2:] == ["-731.52", "tCO2e", "short"]
    assert rows[("claim", "credits_counted_tco2e")][2] == "0"
    excluded = rows[("claim", "excluded_retirement")]
    assert excluded[1:] == [f"{world.retirement_a} VCU", "100", "tCO2e", "SANITY-02"]


def test_the_headers_follow_the_language_of_the_callers_account(client, world, db) -> None:
    from sqlalchemy import update

    from neutrality.access.tables import User

    with db() as session:
        session.execute(update(User).where(User.id == world.users["viewer"]).values(locale="zh_Hant"))
        session.commit()
    # the account's language wins over the browser's; ?lang= over both
    headers = {**world.headers("viewer"), "Accept-Language": "zh-CN"}
    chosen = client.get(f"{_base(world)}/retirements.csv", headers=headers).data.decode("utf-8-sig")
    asked = client.get(f"{_base(world)}/retirements.csv?lang=en", headers=headers).data.decode("utf-8-sig")
    assert chosen.startswith("Entry 條目,Kind 類別,")
    assert asked.startswith("Entry,Kind,")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{_base(world)}/retirements.xlsx", headers=headers).data))
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Period 期間"] == "All periods 全部期間"


def test_a_chinese_organisation_name_travels_in_the_filename_as_rfc_5987(client, world, uow) -> None:
    from neutrality.organisations import services as organisations
    from tests.factories import ADMIN

    organisations.update_organisation(uow(), ADMIN, world.org_a, {"name": "江苏示例光伏"})
    response = client.get(f"{_base(world)}/holdings.csv", headers=world.headers("viewer"))
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''holdings-{quote('江苏示例光伏')}-" in disposition
    assert disposition.encode("latin-1")  # a header is Latin-1: the UTF-8 name is percent-encoded


@pytest.mark.parametrize("path", [
    "/holdings.xlsx", "/retirements.csv", "/inventories/{inventory}/report.xlsx", "/periods/{period}/balance.csv"])
def test_another_organisations_user_is_refused_as_the_json_endpoint_refuses(client, world, path) -> None:
    url = _base(world) + path.format(inventory=world.inventory_verified, period=world.period_verified)
    json_url = url.rsplit(".", 1)[0]
    exported = client.get(url, headers=world.headers("outsider"))
    answered = client.get(json_url, headers=world.headers("outsider"))
    assert answered.status_code in (403, 404)
    assert (exported.status_code, exported.get_json()["error"]["code"]) == (
        answered.status_code, answered.get_json()["error"]["code"])


def test_no_token_is_refused(client, world) -> None:
    response = client.get(f"{_base(world)}/holdings.xlsx")
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "unauthenticated")


def test_the_command_line_writes_the_same_files(app, world, tmp_path) -> None:
    path = tmp_path / "holdings.xlsx"
    result = app.test_cli_runner().invoke(args=[
        "export", "holdings", str(world.org_a), "--by", "scheme", "--format", "xlsx", "--output", str(path),
        "--lang", "zh_Hans"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Scheme 类型", "Unit 单位", "Quantity 数量"]
    assert sheet.cell(row=2, column=3).value == 29_813
    ledger = tmp_path / "ledger.csv"
    result = app.test_cli_runner().invoke(args=[
        "export", "ledger", str(world.org_a), "--format", "csv", "--output", str(ledger)])
    assert result.exit_code == 0, result.output
    assert ledger.read_bytes().startswith(b"\xef\xbb\xbfEntry,Kind,Period,")


def test_the_command_line_exports_the_report_and_the_balance(app, world, tmp_path) -> None:
    report, balance = tmp_path / "report.xlsx", tmp_path / "balance.csv"
    runner = app.test_cli_runner()
    done = runner.invoke(args=["export", "report", str(world.org_a), str(world.inventory_verified),
                               "--output", str(report)])  # XLSX by default
    assert done.exit_code == 0, done.output
    total = openpyxl.load_workbook(report).worksheets[0][2]
    assert [c.value for c in total[:4]] == ["total", "total", 660, 731.52]  # 1,200 × 0.55; × 0.6096
    done = runner.invoke(args=["export", "balance", str(world.org_a), str(world.period_verified),
                               "--format", "csv", "--output", str(balance), "--lang", "zh_Hant"])
    assert done.exit_code == 0, done.output
    lines = list(csv.reader(io.StringIO(balance.read_text(encoding="utf-8-sig"))))
    assert lines[0][:3] == ["Basis 口徑", "Figure 指標", "Description 說明"]
    assert ["ledger", "credits_retired_tco2e", "Credits retired 已註銷的碳權", "", "100", "tCO2e", ""] in lines
