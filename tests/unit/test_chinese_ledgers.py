"""Spreadsheets the way Chinese factories keep them: headers in 简体 and 繁體 without
a mapping, a title above the header, totals and notes below the data, 万千瓦时 and 万方, GBK
files stated as gb2312 or cp936, a Big5 file stated as GBK, site names across 简体/繁體 and
full-width forms, and the CLI's template with its byte-order mark.

Rows are numbered as the spreadsheet shows them (row 1 is the sheet's first row, whatever it
holds); expected values are worked out in the comments.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import inspect
import io
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from neutrality.inventory.importing import (
    ColumnMapping,
    ParsedImport,
    RowError,
    SkippedRow,
    closest_site,
    parse_activity_file,
    site_key,
    template_csv,
)
from neutrality.inventory.model import ActivityType, DataQualityTier, Scope, Scope1Subtype
from neutrality.names import TRADITIONAL_PAIRS
from neutrality.spreadsheets import OFFERED_ENCODINGS
from neutrality.units import convert, unit

PERIOD = {"period_start": dt.date(2024, 1, 1), "period_end": dt.date(2024, 12, 31)}
HEADER = [
    "site", "source", "scope", "scope1_subtype", "scope3_category", "activity_type", "quantity",
    "unit", "start_date", "end_date",
]  # fmt: skip


def parse(data: bytes, filename: str = "台账.csv", **options) -> ParsedImport:
    return parse_activity_file(data, filename, **PERIOD, max_bytes=1_000_000, **options)


def csv_text(*rows: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # as Excel writes them
    return out.getvalue()


def excel_csv(*rows: list[str]) -> bytes:
    """A CSV file as Excel's "CSV UTF-8" writes it: with a byte-order mark."""
    return codecs.BOM_UTF8 + csv_text(*rows).encode("utf-8")


def workbook(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def electricity(site: str = "Plant A", quantity: str = "100", month: int = 1) -> list[str]:
    end = {1: "2024-01-31", 2: "2024-02-29", 3: "2024-03-31"}[month]
    return [site, "Grid", "2", "", "", "electricity", quantity, "kWh", f"2024-0{month}-01", end]


# --- a 简体 ledger: title, Chinese headers, 万千瓦时 and 万方, totals and a note ---------------

YANCHENG = excel_csv(
    ["盐城工厂 2024 年能源消耗台账", "", "", "", "", "", "", "", "", ""],
    ["站点", "排放源", "范围", "范围一类型", "范围三类别", "活动类型", "用量", "单位", "起始日期",
     "截止日期"],
    ["盐城工厂", "外购电力", "2", "", "", "电力", "3.5", "万千瓦时", "2024-01-01", "2024-01-31"],
    ["盐城工厂", "天然气锅炉", "1", "固定燃烧", "", "燃料", "1.2", "万方", "2024-01-01",
     "2024-01-31"],
    ["合计", "", "", "", "", "", "4.7", "", "", ""],
    ["注：数据来源于电费单和燃气账单", "", "", "", "", "", "", "", "", ""],
)  # fmt: skip


def test_a_simplified_chinese_ledger_imports_without_a_mapping():
    result = parse(YANCHENG)

    assert result.ok, result.errors
    assert [
        (r.row, r.site, r.source, r.scope, r.scope1_subtype, r.activity_type, r.quantity, r.unit)
        for r in result.rows
    ] == [
        # row 1 is the title, row 2 the header: the data rows are 3 and 4
        (3, "盐城工厂", "外购电力", Scope.SCOPE_2, None, ActivityType.ELECTRICITY,
         Decimal("3.5"), "10000 kWh"),
        (4, "盐城工厂", "天然气锅炉", Scope.SCOPE_1, Scope1Subtype.STATIONARY_COMBUSTION,
         ActivityType.FUEL, Decimal("1.2"), "10000 m3"),
    ]  # fmt: skip


def test_the_title_the_totals_row_and_the_note_are_skipped_and_the_preview_says_so():
    preview = parse(YANCHENG).preview()

    assert preview.row_count == 2
    assert preview.skipped == [
        SkippedRow(1, "title above the header: '盐城工厂 2024 年能源消耗台账'"),
        SkippedRow(5, "totals row: '合计 4.7'"),
        SkippedRow(6, "note below the data: '注：数据来源于电费单和燃气账单'"),
    ]
    assert preview.skipped[0].as_dict() == {
        "row": 1,
        "reason": "title above the header: '盐城工厂 2024 年能源消耗台账'",
    }


def test_a_title_line_without_delimiters_is_skipped_too():
    # a title typed into a text editor: one cell, no trailing commas
    data = ("盐城工厂能源台账\r\n" + csv_text(HEADER, electricity())).encode("utf-8")

    result = parse(data)

    assert result.ok and [r.row for r in result.rows] == [3]
    assert result.skipped == [SkippedRow(1, "title above the header: '盐城工厂能源台账'")]


# --- a 繁體 workbook: two title rows, 萬千瓦時 and 度, 總計 and who drew it up ---------------


def test_a_traditional_chinese_workbook_imports_without_a_mapping():
    data = workbook(
        ["台北廠 2024 年能源使用紀錄"],  # merged across the columns: the value is in A1
        ["填表日期：2025-01-10"],
        ["廠區", "來源", "範疇", "範疇一類別", "範疇三類別", "活動類型", "數量", "單位",
         "開始日期", "結束日期", "憑證", "數據品質"],
        ["台北廠", "外購電力", "2", "", "", "電力", "1.25", "萬千瓦時", "2024-01-01", "2024-01-31",
         "電費單 2024-01", "發票"],
        ["台北廠", "外購電力", "2", "", "", "電力", "9800", "度", "2024-02-01", "2024-02-29",
         "電費單 2024-02", "發票"],
        ["總計", "", "", "", "", "", "9801.25"],
        [],
        ["製表人：王小明"],
    )  # fmt: skip

    result = parse(data, filename="能源.xlsx")

    assert result.ok, result.errors
    assert [(r.row, r.site, r.quantity, r.unit, r.evidence, r.data_quality) for r in result.rows] == [
        (4, "台北廠", Decimal("1.25"), "10000 kWh", "電費單 2024-01", DataQualityTier.INVOICED),
        (5, "台北廠", Decimal("9800"), "kWh", "電費單 2024-02", DataQualityTier.INVOICED),
    ]
    assert result.preview().skipped == [
        SkippedRow(1, "title above the header: '台北廠 2024 年能源使用紀錄'"),
        SkippedRow(2, "title above the header: '填表日期：2025-01-10'"),
        SkippedRow(6, "totals row: '總計 9801.25'"),
        SkippedRow(8, "note below the data: '製表人：王小明'"),
    ]


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        (("站点", "站點", "工厂", "工廠", "厂区", "廠區", "Site name", "*站点"), "site"),
        (("数量", "數量", "用量", "Amount"), "quantity"),
        (("单位", "單位", "计量单位", "Units"), "unit"),
        (("开始日期", "開始日期", "起始日期", "Start date", "start_date"), "start_date"),
        (("结束日期", "結束日期", "截止日期", "End date"), "end_date"),
        (("排放源", "来源", "來源", "Emission source"), "source"),
        (("范围", "範圍", "範疇", "Scope"), "scope"),
        (("活动类型", "活動類型", "Activity type"), "activity_type"),
        (("数据质量", "數據品質", "資料品質", "Data quality"), "data_quality"),
        (("证据", "凭证", "憑證", "證據", "Evidence"), "evidence"),
    ],
)
def test_common_headers_are_understood_in_english_simplified_and_traditional(headers, field):
    mapping = ColumnMapping()
    for header in headers:
        assert mapping.target(header) == (True, field), header
        assert mapping.target(header.replace("期", "期 ")) == (True, field)  # blanks do not count


def test_a_header_nobody_named_is_still_an_unknown_column():
    data = excel_csv([*HEADER, "备注"], [*electricity(), "一月"])

    assert parse(data).errors == [
        RowError(1, "备注", "unknown column: map it to a field or mark it as ignored")
    ]


# --- totals and notes -----------------------------------------------------------------------


def test_subtotals_between_months_and_a_grand_total_are_skipped_wherever_they_are():
    data = excel_csv(
        HEADER,
        electricity(quantity="100", month=1),
        ["一月小计", "", "", "", "", "", "100", "", "", ""],
        electricity(quantity="200", month=2),
        ["小計", "", "", "", "", "", "200", "", "", ""],
        ["Grand total", "", "", "", "", "", "300", "", "", ""],
    )

    result = parse(data)

    assert result.ok and [(r.row, r.quantity) for r in result.rows] == [
        (2, Decimal("100")),
        (4, Decimal("200")),
    ]
    assert result.skipped == [
        SkippedRow(3, "totals row: '一月小计 100'"),
        SkippedRow(5, "totals row: '小計 200'"),
        SkippedRow(6, "totals row: 'Grand total 300'"),
    ]


def test_a_totals_label_in_a_column_the_mapping_ignores_still_marks_the_totals_row():
    data = excel_csv(
        ["序号", *HEADER],
        ["1", *electricity()],
        ["合計", "", "", "", "", "", "", "100", "", "", ""],
    )

    result = parse(data, mapping=ColumnMapping(columns={"序号": None}))

    assert result.ok and [r.row for r in result.rows] == [2]
    assert result.skipped == [SkippedRow(3, "totals row: '合計 100'")]


def test_a_totals_word_further_right_than_the_first_value_is_an_activity():
    # the fuel station brand "Total" as a source: only a row's first value marks a totals row
    data = excel_csv(HEADER, electricity(), ["Plant A", "Total", *electricity(month=2)[2:]])

    result = parse(data)

    assert result.ok and [(r.row, r.source) for r in result.rows] == [(2, "Grid"), (3, "Total")]
    assert result.skipped == []


def test_a_note_between_activities_is_not_skipped_and_the_file_is_refused():
    # only rows below the last activity can be notes: in between, a row is an activity with
    # errors, and one bad row rejects the whole file
    data = excel_csv(HEADER, electricity(month=1), ["注：见附件"] + [""] * 9, electricity(month=2))

    result = parse(data)

    # the note row is refused as an activity; the two activities around it are sound
    assert [r.row for r in result.rows] == [2, 4] and result.skipped == []
    assert result.errors == [
        RowError(3, name, "is empty")
        for name in ("source", "scope", "activity_type", "quantity", "unit", "start_date",
                     "end_date")
    ]  # fmt: skip


def test_a_number_alone_below_the_data_is_not_taken_for_a_note():
    data = excel_csv(HEADER, electricity(), ["12345"] + [""] * 9)

    assert parse(data).errors[:2] == [RowError(3, "source", "is empty"), RowError(3, "scope", "is empty")]


# --- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "written", "target", "expected"),
    [
        ("3.5", "万千瓦时", "MWh", "35"),  # 3.5 × 10,000 kWh = 35,000 kWh = 35 MWh
        ("3.5", "萬千瓦時", "kWh", "35000"),
        ("0.0001", "万千瓦时", "kWh", "1"),  # 0.0001 × 10,000 = 1
        ("1", "万千瓦时", "GJ", "36"),  # 10,000 kWh × 3.6 MJ/kWh = 36,000 MJ = 36 GJ
        ("1.2", "万方", "m3", "12000"),  # 1.2 × 10,000 m³
        ("1.2", "萬方", "m3", "12000"),
        ("2", "万立方米", "m3", "20000"),
        ("2", "吨标煤", "GJ", "58.6152"),  # 2 × 29.3076 GJ (GB/T 2589)
        ("2", "tce", "GJ", "58.6152"),
        ("1500", "千克", "t", "1.5"),  # 1,500 kg = 1.5 t
        ("1500", "公斤", "t", "1.5"),
        ("9800", "度", "MWh", "9.8"),  # 度 is the kWh of electricity bills: 9,800 kWh = 9.8 MWh
    ],
)
def test_chinese_ledger_units_convert_exactly(quantity, written, target, expected):
    assert convert(Decimal(quantity), written, target) == Decimal(expected)


def test_ten_thousand_kwh_is_its_own_unit_so_the_quantity_stays_as_written():
    assert unit("万千瓦时").code == "10000 kWh" and unit("万度").code == "10000 kWh"
    assert unit("万方").code == "10000 m3" and unit("吨标煤").code == "tce"


def test_an_unknown_unit_lists_the_units_the_rows_activity_type_takes():
    data = excel_csv(
        HEADER,
        ["Plant A", "Boiler", "1", "stationary_combustion", "", "fuel", "3", "万吨", "2024-01-01",
         "2024-01-31"],
        ["Plant A", "Trucks", "3", "", "4", "transport", "3", "万吨公里", "2024-01-01",
         "2024-01-31"],
    )  # fmt: skip

    assert parse(data).errors == [
        # fuel: energy, mass and volume units, in the order of the unit table
        RowError(
            2,
            "unit",
            "'万吨' is not a known unit (activity type fuel takes kJ, MJ, GJ, TJ, kWh, MWh, "
            "10000 kWh, GWh, tce, g, kg, t, kt, Gg, L, kL, m3, 1000 m3, 10000 m3)",
        ),
        # transport: distances (with a weight), t·km, or money for spend-based rows
        RowError(
            3,
            "unit",
            "'万吨公里' is not a known unit (activity type transport takes km, m, mi, t·km, CNY, "
            "HKD, TWD, USD, EUR)",
        ),
    ]


def test_an_unknown_unit_of_a_row_without_a_known_activity_type_lists_nothing():
    data = excel_csv(HEADER, ["Plant A", "Grid", "2", "", "", "电", "3", "万吨", "2024-01-01",
                              "2024-01-31"])  # fmt: skip

    assert [e for e in parse(data).errors if e.column == "unit"] == [
        RowError(2, "unit", "'万吨' is not a known unit")
    ]


# --- encodings ------------------------------------------------------------------------------

GB_ROWS = csv_text(HEADER, electricity(site="上海工厂"))


@pytest.mark.parametrize("stated", ["gbk", "gb2312", "cp936", "GBK", "gb18030"])
def test_gbk_gb2312_and_cp936_are_read_as_gb18030(stated):
    result = parse(GB_ROWS.encode("gbk"), encoding=stated)

    assert result.ok and result.encoding == "gb18030"
    assert [r.site for r in result.rows] == ["上海工厂"]


def test_the_forms_offer_gb2312_and_cp936():
    assert {"gbk", "gb2312", "cp936", "gb18030", "big5"} <= set(OFFERED_ENCODINGS)


def test_a_big5_file_stated_as_gbk_is_refused_with_a_hint_not_imported_as_mojibake():
    # 台北廠 in Big5 is A5 78 A5 5F BC74: GB18030 reads those bytes without an error, as
    # characters that are not Chinese text
    data = csv_text(HEADER, electricity(site="台北廠")).replace("Grid", "台灣電力").encode("cp950")

    assert parse(data, encoding="gbk").errors == [
        RowError(
            None,
            None,
            "the file's text does not read as gbk: it comes out garbled; it looks like Big5: "
            "state big5 or leave the encoding out",
        )
    ]


def test_a_gbk_file_stated_as_big5_is_refused_with_a_hint():
    # GB2312 上海工厂 外购电力 is C9CF BAA3 B9A4 B3A7 CDE2 B9BA B5E7 C1A6: valid Big5 bytes, so
    # the reading does not fail, but two of its eight ideographs (lead bytes C9 and CD) are
    # Big5's less-common ones (次常用字, from C940): 25 %, where real text has next to none
    data = csv_text(HEADER, electricity(site="上海工厂")).replace("Grid", "外购电力")

    assert parse(data.encode("gb2312"), encoding="big5").errors == [
        RowError(
            None,
            None,
            "the file's text does not read as big5: it comes out garbled; it looks like "
            "GB18030/GBK: state gbk or leave the encoding out",
        )
    ]


def test_a_gbk_file_that_big5_cannot_decode_is_refused_with_the_line_and_the_hint():
    # 天然气 in GB2312 is CCEC C8BB C6F8: C8BB is no Big5 character, on line 2
    data = csv_text(HEADER, electricity(site="天然气站")).encode("gb2312")

    assert parse(data, encoding="big5").errors == [
        RowError(
            None,
            None,
            "the file is not valid big5: the bytes at line 2 cannot be read; it looks like "
            "GB18030/GBK: state gbk or leave the encoding out",
        )
    ]


def test_a_big5_file_with_a_less_common_character_on_every_row_is_read_as_stated():
    # 鑫 (Big5 F8CA) and 淼 (D9E7) are 次常用字, 廠 (BC74), 電 (B971) and 力 (A44F) are not:
    # two of each row's five ideographs (40 %), far above a tenth; yet the file is Big5, and
    # GB18030 does not read its bytes cleanly, so the stated encoding is believed
    rows = [electricity(site="鑫淼廠", month=m) for m in (1, 2, 3)]
    data = csv_text(HEADER, *rows).replace("Grid", "電力").encode("cp950")

    result = parse(data, encoding="big5")

    assert result.ok and result.encoding == "cp950"
    assert [r.site for r in result.rows] == ["鑫淼廠"] * 3


def test_a_utf8_file_stated_as_gbk_is_refused_with_a_hint():
    # Excel's "CSV UTF-8" without its byte-order mark, stated as GBK by habit: 上海工厂 in UTF-8
    # is E4B88A E6B5B7 E5B7A5 E58E82, which GB18030 reads as six other characters
    data = GB_ROWS.encode("utf-8")

    assert parse(data, encoding="gbk").errors == [
        RowError(
            None,
            None,
            "the file's text does not read as gbk: it comes out garbled; it looks like UTF-8: "
            "state utf-8 or leave the encoding out",
        )
    ]


def test_an_ascii_file_reads_in_any_stated_encoding():
    data = csv_text(HEADER, electricity()).encode("ascii")

    assert parse(data, encoding="big5").ok and parse(data, encoding="gbk").ok


# --- site names -----------------------------------------------------------------------------


def test_site_names_compare_across_simplified_and_traditional_and_full_width_forms():
    assert site_key("佛山獅山工廠") == site_key("佛山狮山工厂") == "佛山狮山工厂"
    assert site_key("ＳＨ　Ｐｌａｎｔ　１") == site_key("sh plant 1") == "shplant1"
    assert site_key("台北廠（二期）") == site_key("臺北厂(二期)") == "台北厂(二期)"


def test_a_site_name_matches_its_other_spelling_and_a_near_miss_names_the_closest_site():
    sites = ["盐城工厂", "佛山狮山工厂", "Plant A"]

    assert closest_site("佛山獅山工廠", sites) == "佛山狮山工厂"
    assert closest_site("ＰＬＡＮＴ Ａ", sites) == "Plant A"
    # 佛山狮山厂 against 佛山狮山工厂: five characters in common, 2 × 5 / (5 + 6) = 0.91
    assert closest_site("佛山狮山厂", sites) == "佛山狮山工厂"
    # 上海工厂 against 盐城工厂: 工厂 in common, 2 × 2 / (4 + 4) = 0.5, below 0.6: no site
    assert closest_site("上海工厂", sites) is None
    assert closest_site("anything", []) is None


def test_of_two_sites_with_one_spelling_the_first_is_named():
    assert closest_site("plant a", ["Plant A", "PLANT A"]) == "Plant A"


def test_the_traditional_table_maps_each_character_to_another_gb2312_character():
    pairs = TRADITIONAL_PAIRS.split()
    assert all(len(p) == 2 and p[0] != p[1] for p in pairs)
    for pair in pairs:
        pair[1].encode("gb2312")  # the simplified character is one of the GB2312 set
    assert len({p[0] for p in pairs}) == len(pairs)  # each traditional character once


# --- the CLI's template ----------------------------------------------------------------------


def test_the_cli_template_carries_the_byte_order_mark_like_the_apis():
    from neutrality.inventory.cli import inventory_template

    # the command itself, without the Flask application context its group adds (no app here)
    command = inspect.unwrap(inventory_template.callback)
    with CliRunner().isolation() as (stdout, *_):
        command("electricity")
        written = stdout.getvalue()

    assert written.startswith(codecs.BOM_UTF8)
    assert written == template_csv(ActivityType.ELECTRICITY)


def test_a_ledger_of_its_own_headers_sent_without_a_mapping_gets_one_error_saying_to_map_it():
    # a title, then headers none of which the importer knows: the title row is not "nine
    # missing columns and one unknown one", it is a file whose columns need naming
    data = excel_csv(
        ["常州组件工厂 2025 年 11 月用电台账"],
        ["厂区名称", "用电量（千瓦时）", "计量起始", "计量截止"],
        ["常州组件工厂", "125,000", "2025-11-01", "2025-11-30"],
    )

    result = parse(data)

    assert [(e.row, e.column) for e in result.errors] == [(1, None)]
    reason = result.errors[0].reason
    assert reason.startswith("no header row found: row 1 reads '常州组件工厂 2025 年 11 月用电台账'")
    assert "send a column mapping" in reason
    assert len(result.rows) == 0


def test_a_header_with_one_known_column_still_names_each_unknown_and_missing_one():
    # 站点 is known: this is a header with wrong columns, and each is named
    data = excel_csv(["站点", "用电量（千瓦时）"], ["常州组件工厂", "125,000"])

    errors = parse(data).errors

    assert (1, "用电量（千瓦时）") in [(e.row, e.column) for e in errors]
    assert any(e.reason.startswith("missing required column 'quantity'") for e in errors)
