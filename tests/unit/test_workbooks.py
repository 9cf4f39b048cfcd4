"""The table writer: what an XLSX workbook and a CSV file hold, read back as a spreadsheet
program would (openpyxl for XLSX, the bytes for CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from neutrality.workbooks import (
    About,
    Column,
    Kind,
    Table,
    Words,
    csv_bytes,
    exact_text,
    write_xlsx,
    xlsx_bytes,
)

COLUMNS = (
    Column("beneficiary", Words("Beneficiary", "受益方", "受益方")),
    Column("quantity", Words("Quantity", "数量", "數量"), Kind.INTEGER),
    Column("tco2e", Words("tCO2e", "tCO2e", "tCO2e"), Kind.DECIMAL, 2),
    Column("retired_on", Words("Retired on", "注销日期", "註銷日期"), Kind.DATE),
)
ABOUT = About(Words("Retirement ledger", "注销台账", "註銷台帳"), "江苏示例光伏", "2024-01-01 – 2024-12-31",
              dt.date(2026, 12, 5))
HYPERLINK = '=HYPERLINK("http://evil.example/x","click")'


def _table(rows: Any) -> Table:
    return Table(Words("Ledger", "台账", "台帳"), COLUMNS, rows, ABOUT)


def _read(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_numbers_are_number_cells_holding_every_digit() -> None:
    # 4,304.17688809 t is the location-based total of tests/web/test_inventory_api.py; the
    # 22-digit figure is beyond a float, so only the file's text can hold it exactly
    data = xlsx_bytes(_table([("A", 29_813, Decimal("4304.17688809"), None),
                              ("B", 10**17 + 1, Decimal("1234567890.123456789012"), None)]), "en")
    sheet = _read(data).worksheets[0]
    assert [c.data_type for c in sheet[2][1:3]] == ["n", "n"]
    assert sheet["B2"].value == 29_813 and sheet["C2"].value == 4304.17688809
    assert sheet["C2"].number_format == "#,##0.00" and sheet["B2"].number_format == "#,##0"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # openpyxl alone writes "%.16g": 1.000000000000000e+17 and 1234567890.123457
    assert "<v>100000000000000001</v>" in xml and "<v>1234567890.123456789012</v>" in xml


def test_dates_are_date_cells() -> None:
    sheet = _read(xlsx_bytes(_table([("A", 1, Decimal(1), dt.date(2025, 3, 1))]), "en")).worksheets[0]
    assert sheet["D2"].is_date and sheet["D2"].value == dt.datetime(2025, 3, 1)
    assert sheet["D2"].number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("text", [HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"])
def test_a_formula_is_inert_text_in_both_files(text: str) -> None:
    table_rows = [(text, 1, Decimal(1), None)]
    data = xlsx_bytes(_table(table_rows), "en")
    cell = _read(data).worksheets[0]["A2"]
    # the apostrophe as the CSV file writes it (formula_safe), and a string cell, not a formula
    assert (cell.data_type, cell.value) == ("s", "'" + text)
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    [_, row] = list(csv.reader(io.StringIO(csv_bytes(_table(table_rows), "en").decode("utf-8-sig"))))
    assert row[0] == "'" + text


def test_a_negative_number_written_as_a_number_stays_a_number() -> None:
    [_, row] = list(csv.reader(io.StringIO(
        csv_bytes(_table([("x", -5, Decimal("-631.52"), None)]), "en").decode("utf-8-sig"))))
    assert row[1:3] == ["-5", "-631.52"]


@pytest.mark.parametrize(("locale", "header"), [
    ("en", ["Beneficiary", "Quantity", "tCO2e", "Retired on"]),
    ("zh_Hans", ["Beneficiary 受益方", "Quantity 数量", "tCO2e", "Retired on 注销日期"]),
    ("zh_Hant", ["Beneficiary 受益方", "Quantity 數量", "tCO2e", "Retired on 註銷日期"]),
])
def test_headers_are_english_then_the_readers_chinese(locale: str, header: list[str]) -> None:
    book = _read(xlsx_bytes(_table([]), locale))
    assert [c.value for c in book.worksheets[0][1]] == header
    assert csv_bytes(_table([]), locale).decode("utf-8-sig") == ",".join(header) + "\r\n"


def test_the_csv_file_has_a_byte_order_mark_and_exact_decimals() -> None:
    data = csv_bytes(_table([("苏州", 100, Decimal("0.10"), dt.date(2025, 3, 1)),
                             ("x", 1, Decimal("1E+3"), None)]), "zh_Hans")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    # 0.10 keeps the places recorded; 1E+3 is written out (a spreadsheet reads 1000, not text)
    assert lines[1:] == ["苏州,100,0.10,2025-03-01", "x,1,1000,", ""]


def test_exact_text_never_uses_an_exponent() -> None:
    assert [exact_text(v) for v in (Decimal("1E+3"), Decimal("1E-7"), 12)] == ["1000", "0.0000001", "12"]
    with pytest.raises(TypeError):
        exact_text(True)  # type: ignore[arg-type]


def test_the_sheet_is_frozen_below_its_header_and_sized_to_its_content() -> None:
    long = "Carbon neutrality of the factory subject, 2024, as declared under ISO 14068-1:2023" * 2
    sheet = _read(xlsx_bytes(_table([(long, 1, Decimal(1), None)]), "en")).worksheets[0]
    assert sheet.freeze_panes == "A2"
    # the long text is held to 60 characters' width; "Quantity" (8) + 2 is 10
    assert sheet.column_dimensions["A"].width == 60 and sheet.column_dimensions["B"].width == 10


def test_the_about_sheet_says_what_whose_when_and_that_figures_are_exact() -> None:
    book = _read(xlsx_bytes(_table([]), "zh_Hans"))
    assert book.sheetnames == ["Ledger 台账", "About"]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Export 导出内容"] == "Retirement ledger 注销台账"
    assert about["Organisation 组织"] == "江苏示例光伏"
    assert about["Period 期间"] == "2024-01-01 – 2024-12-31"
    assert about["Exported on 导出日期"] == dt.datetime(2026, 12, 5)
    assert about["Figures 数值"].startswith("Exact:")


def _rows(n: int) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        yield (f"Account {i % 7}", 1000 + i, Decimal(1000 + i) * Decimal("6.50"), dt.date(2025, 1, 1))


def _peak(n: int, tmp_path: Any) -> int:
    tracemalloc.start()
    try:
        with (tmp_path / f"{n}.xlsx").open("wb") as out:
            write_xlsx(_table(_rows(n)), "en", out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_long_table_streams_through_memory_that_does_not_grow_with_its_rows(tmp_path) -> None:
    # openpyxl's ordinary mode keeps every cell (some 100 bytes each) until it saves: 10,000
    # rows of 4 cells would hold some 4 MB more than 1,000 rows; write-only mode writes each row
    # as it comes, so ten times the rows may not take even twice the memory (bench/exports.py
    # writes 50,000 rows)
    small, large = _peak(1_000, tmp_path), _peak(10_000, tmp_path)
    assert large < 2 * small and large < 2 * 2**20, (small, large)
    book = openpyxl.load_workbook(tmp_path / "10000.xlsx", read_only=True)
    try:  # a read-only workbook keeps its file open until closed
        rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert rows == 10_001  # the header and every row
