"""Activity data imports, the pure half: file bytes → every valid row, or every error.

Rows are numbered as the spreadsheet shows them (header = row 1, first data row = 2); columns are
named by the file's own headers. Fixtures in tests/data/imports are described in its README.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from neutrality.errors import InvalidInput
from neutrality.inventory.importing import (
    ActivityRow,
    ColumnMapping,
    ImportRejected,
    ParsedImport,
    RowError,
    activity_fingerprint,
    first_positions,
    parse_activity_file,
    template_csv,
)
from neutrality.inventory.model import (
    ActivityType,
    CalculationMethod,
    DataQualityTier,
    IsoCategory,
    Scope,
    Scope1Subtype,
)

FIXTURES = Path(__file__).parent.parent / "data" / "imports"
#: The energy units of neutrality.units, in the table's order (electricity takes energy only).
ELECTRICITY_UNITS = "kJ, MJ, GJ, TJ, kWh, MWh, 10000 kWh, GWh, tce"
d = dt.date
PERIOD = {"period_start": d(2024, 1, 1), "period_end": d(2024, 12, 31)}
LIMIT = 1_000_000

HEADER = [
    "site",
    "source",
    "scope",
    "scope1_subtype",
    "scope3_category",
    "activity_type",
    "quantity",
    "unit",
    "start_date",
    "end_date",
]


def parse(data: bytes, filename: str = "activities.csv", **options) -> ParsedImport:
    options = {**PERIOD, "max_bytes": LIMIT, **options}
    return parse_activity_file(data, filename, **options)


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # as Excel writes them
    return out.getvalue().encode("utf-8")


def electricity(
    quantity: str = "100",
    unit: str = "kWh",
    start: str = "2024-01-01",
    end: str = "2024-01-31",
    site: str = "Plant A",
    source: str = "Grid",
) -> list[str]:
    return [site, source, "2", "", "", "electricity", quantity, unit, start, end]


def one_row(**overrides: str) -> bytes:
    """A file of one activity row with the given cells replaced (by field name)."""
    row = dict(zip(HEADER, electricity(), strict=True)) | overrides
    header = list(row)
    return csv_bytes(header, [row[h] for h in header])


def errors_of(data: bytes, **options) -> list[RowError]:
    result = parse(data, **options)
    assert not result.ok and result.preview().row_count == 0  # nothing would be stored
    # the rows handed on to the inventory checks are those no error names
    assert not {r.row for r in result.rows} & {e.row for e in result.errors}
    return result.errors


def workbook(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GB_MAPPING = ColumnMapping(
    columns={
        "站点": "site",
        "排放源": "source",
        "用电量(千瓦时)": "quantity",
        "开始日期": "start_date",
        "结束日期": "end_date",
        "凭证": "evidence",
        "备注": None,
    },
    fixed={"scope": "2", "activity_type": "electricity", "unit": "kWh"},
)
BIG5_MAPPING = ColumnMapping(
    columns={
        "站點": "site",
        "排放源": "source",
        "用電量(千瓦時)": "quantity",
        "開始日期": "start_date",
        "結束日期": "end_date",
        "憑證": "evidence",
        "備註": None,
    },
    fixed={"scope": "2", "activity_type": "electricity", "unit": "千瓦時"},
)


# --- good files ----------------------------------------------------------------------------------


def test_utf8_bom_file_gives_exact_decimals_units_and_dates_from_spreadsheet_spellings():
    result = parse((FIXTURES / "activities_utf8_bom.csv").read_bytes())

    assert result.ok and result.encoding == "utf-8-sig" and result.file_format == "csv"
    rows = list(result.rows)
    assert [(r.row, r.quantity, r.unit, r.start_date, r.end_date) for r in rows] == [
        (2, Decimal("1234.5"), "kWh", d(2024, 1, 1), d(2024, 1, 31)),  # "1,234.5" 千瓦时 2024/1/31
        (3, Decimal("12345.67"), "kWh", d(2024, 2, 1), d(2024, 2, 29)),  # full-width digits, 年月日
        (4, Decimal("3.5"), "10000 m3", d(2024, 3, 1), d(2024, 3, 31)),  # 万立方米, 20240301
        (5, Decimal("12.25"), "kg", d(2024, 4, 1), d(2024, 4, 30)),  # Excel serials 45383, 45412
    ]
    assert [(r.scope, r.scope1_subtype, r.iso_category, r.data_quality) for r in rows] == [
        (Scope.SCOPE_2, None, IsoCategory.IMPORTED_ENERGY, DataQualityTier.INVOICED),
        (Scope.SCOPE_2, None, IsoCategory.IMPORTED_ENERGY, DataQualityTier.INVOICED),
        (
            Scope.SCOPE_1,
            Scope1Subtype.STATIONARY_COMBUSTION,
            IsoCategory.DIRECT,
            DataQualityTier.METERED,
        ),
        (Scope.SCOPE_1, Scope1Subtype.FUGITIVE, IsoCategory.DIRECT, DataQualityTier.ESTIMATED),
    ]
    assert rows[3].gas == "R-410A" and rows[0].evidence == "电费单 2024-01"


def test_gb18030_file_with_chinese_headers_reads_through_the_mapping():
    result = parse((FIXTURES / "electricity_gb18030.csv").read_bytes(), mapping=GB_MAPPING)

    assert result.ok and result.encoding == "gb18030"
    assert [(r.site, r.source, r.quantity, r.unit, r.evidence) for r in result.rows] == [
        ("上海工厂", "外购电力", Decimal("1234.5"), "kWh", "电费单 2024-01"),
        ("上海工厂", "外购电力", Decimal("12345.67"), "kWh", "电费单 2024-02"),
    ]


def test_big5_file_is_recognised_without_being_told_its_encoding():
    result = parse((FIXTURES / "electricity_big5.csv").read_bytes(), mapping=BIG5_MAPPING)

    assert result.ok and result.encoding == "cp950"  # Big5 as Windows writes it
    assert [(r.site, r.quantity, r.unit) for r in result.rows] == [
        ("台北廠", Decimal("1234.5"), "kWh"),
        ("台北廠", Decimal("12345.67"), "kWh"),
    ]


def test_stated_encoding_is_used_and_a_wrong_one_is_refused_not_misread():
    data = (FIXTURES / "electricity_big5.csv").read_bytes()
    misread = parse(data, mapping=BIG5_MAPPING, encoding="gb18030")  # the caller said so

    assert parse(data, mapping=BIG5_MAPPING, encoding="big5").encoding == "cp950"
    # GB18030 reads these Big5 bytes without an error, as mojibake: refused, with the hint
    assert misread.encoding is None and misread.errors == [
        RowError(
            None,
            None,
            "the file's text does not read as gb18030: it comes out garbled; it looks like "
            "Big5: state big5 or leave the encoding out",
        )
    ]


def test_the_same_activity_has_the_same_fingerprint_whatever_the_file_encoding_or_layout():
    utf8 = list(parse((FIXTURES / "activities_utf8_bom.csv").read_bytes()).rows)
    gb = list(parse((FIXTURES / "electricity_gb18030.csv").read_bytes(), mapping=GB_MAPPING).rows)
    big5_bytes = (FIXTURES / "electricity_big5.csv").read_bytes()
    big5 = list(parse(big5_bytes, mapping=BIG5_MAPPING).rows)
    big5_as_utf8 = list(
        parse(big5_bytes.decode("cp950").encode("utf-8"), mapping=BIG5_MAPPING).rows
    )

    assert [r.fingerprint for r in gb] == [r.fingerprint for r in utf8[:2]]
    assert [r.fingerprint for r in big5] == [r.fingerprint for r in big5_as_utf8]
    assert utf8[0].fingerprint == activity_fingerprint(
        "上海工厂",
        "外购电力",
        "electricity",
        d(2024, 1, 1),
        d(2024, 1, 31),
        Decimal("1234.50"),
        "千瓦时",
    )


def test_fingerprint_ignores_case_width_spacing_and_number_format_but_not_the_quantity():
    base = activity_fingerprint(
        "Plant A", "Grid", "electricity", d(2024, 1, 1), d(2024, 1, 31), Decimal("1000"), "kWh"
    )

    assert base == activity_fingerprint(
        " ｐｌａｎｔ  a ",
        "GRID",
        "electricity",
        d(2024, 1, 1),
        d(2024, 1, 31),
        Decimal("1.000E+3"),
        "kwh",
    )
    assert base != activity_fingerprint(
        "Plant A", "Grid", "electricity", d(2024, 1, 1), d(2024, 1, 31), Decimal("1000.1"), "kWh"
    )
    assert base != activity_fingerprint(
        "Plant A", "Grid", "electricity", d(2024, 1, 1), d(2024, 1, 31), Decimal("1000"), "MWh"
    )


def test_file_sha256_identifies_the_bytes_so_the_same_file_can_be_refused_twice():
    data = (FIXTURES / "activities_utf8_bom.csv").read_bytes()

    assert parse(data).sha256 == hashlib.sha256(data).hexdigest()
    assert parse(b"%PDF-1.7", "x.csv").sha256 == hashlib.sha256(b"%PDF-1.7").hexdigest()


def test_xlsx_reads_real_date_cells_serial_numbers_and_numbers_as_excel_shows_them():
    data = workbook(
        HEADER,
        [
            "Plant A",
            "Grid",
            2,
            None,
            None,
            "electricity",
            1234.5,
            "kWh",
            dt.datetime(2024, 1, 1),
            dt.datetime(2024, 1, 31),
        ],
        [
            "Plant A",
            "Grid",
            2,
            None,
            None,
            "electricity",
            0.1 + 0.2,
            "kWh",
            45323,
            45351,
        ],  # 2024-02-01, 02-29
        [
            "Plant A",
            "Boiler",
            1,
            "stationary_combustion",
            None,
            "fuel",
            "1,000",
            "t",
            "2024-03-01",
            d(2024, 3, 31),
        ],
    )
    result = parse(data, "activities.xlsx")

    assert result.ok and result.file_format == "xlsx"
    assert [(r.row, r.quantity, r.start_date, r.end_date) for r in result.rows] == [
        (2, Decimal("1234.5"), d(2024, 1, 1), d(2024, 1, 31)),
        (3, Decimal("0.3"), d(2024, 2, 1), d(2024, 2, 29)),  # 0.30000000000000004 is float noise
        (4, Decimal("1000"), d(2024, 3, 1), d(2024, 3, 31)),
    ]


def test_xlsx_row_numbers_are_the_sheets_even_when_the_table_starts_lower_and_further_right():
    book = openpyxl.Workbook()
    sheet = book.active
    for offset, row in enumerate([HEADER, electricity("1"), electricity("-1")]):
        for column, value in enumerate(row):
            sheet.cell(row=3 + offset, column=2 + column, value=value)  # header at B3
    buffer = io.BytesIO()
    book.save(buffer)

    assert errors_of(buffer.getvalue(), filename="a.xlsx") == [
        RowError(5, "quantity", "'-1' is negative")
    ]


def test_xlsx_reads_the_sheet_the_mapping_names():
    book = openpyxl.Workbook()
    book.active.append(["notes"])
    data_sheet = book.create_sheet("活动数据")
    data_sheet.append(HEADER)
    data_sheet.append(electricity())
    buffer = io.BytesIO()
    book.save(buffer)

    result = parse(buffer.getvalue(), "a.xlsx", mapping=ColumnMapping(sheet="活动数据"))
    assert result.ok and len(result.rows) == 1
    assert errors_of(buffer.getvalue(), filename="a.xlsx", mapping=ColumnMapping(sheet="Data")) == [
        RowError(None, None, "the workbook has no sheet named 'Data'"),
    ]


def test_defaults_fill_iso_category_method_and_data_quality():
    data = csv_bytes(
        HEADER + ["method"],
        ["Plant A", "Steel", "3", "", "1", "material", "10", "t", "2024-01-01", "2024-01-31", ""],
        [
            "Plant A",
            "Freight bill",
            "3",
            "",
            "4",
            "transport",
            "5000",
            "CNY",
            "2024-01-01",
            "2024-01-31",
            "",
        ],
        [
            "Plant A",
            "Office paper",
            "3",
            "",
            "1",
            "spend",
            "800",
            "CNY",
            "2024-01-01",
            "2024-01-31",
            "spend_based",
        ],
    )
    rows = list(parse(data).rows)

    assert {type(r.iso_category) for r in rows} == {IsoCategory}  # enum members, not bare values
    assert {type(r.method) for r in rows} == {CalculationMethod}
    assert {type(r.data_quality) for r in rows} == {DataQualityTier}
    assert [(r.iso_category, r.method, r.data_quality) for r in rows] == [
        (
            IsoCategory.PRODUCTS_USED_BY_ORGANISATION,
            CalculationMethod.ACTIVITY_BASED,
            DataQualityTier.ESTIMATED,
        ),
        (IsoCategory.TRANSPORTATION, CalculationMethod.SPEND_BASED, DataQualityTier.ESTIMATED),
        (
            IsoCategory.PRODUCTS_USED_BY_ORGANISATION,
            CalculationMethod.SPEND_BASED,
            DataQualityTier.ESTIMATED,
        ),
    ]


def test_transport_rows_keep_payer_ownership_and_weight_in_extra():
    data = csv_bytes(
        HEADER + ["payer", "ownership", "weight", "weight_unit"],
        [
            "Plant A",
            "Port leg",
            "3",
            "",
            "4",
            "transport",
            "100",
            "km",
            "2024-01-01",
            "2024-01-31",
            "company",
            "第三方",
            "10",
            "",
        ],
        [
            "Plant A",
            "Sea leg",
            "3",
            "",
            "9",
            "transport",
            "1,000",
            "t·km",
            "2024-01-01",
            "2024-01-31",
            "客户",
            "",
            "",
            "",
        ],
    )
    rows = list(parse(data).rows)

    assert [r.extra for r in rows] == [
        {"payer": "reporter", "ownership": "third_party", "weight": "10", "weight_unit": "t"},
        {"payer": "customer"},
    ]
    assert rows[1].quantity == Decimal("1000") and rows[1].unit == "t·km"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet():
    data = csv_bytes(HEADER, electricity("1"), [""] * 10, [], electricity("2"))

    assert [(r.row, r.quantity) for r in parse(data).rows] == [(2, Decimal("1")), (5, Decimal("2"))]


def test_empty_rows_above_the_header_move_the_row_numbers_with_them():
    data = csv_bytes([""] * len(HEADER), HEADER, electricity("-1"))

    assert errors_of(data) == [RowError(3, "quantity", "'-1' is negative")]


def test_tab_and_semicolon_separated_files_are_read():
    for sep in ("\t", ";"):
        text = "\r\n".join(sep.join(row) for row in (HEADER, electricity("7.5")))
        assert [r.quantity for r in parse(text.encode(), "a.txt").rows] == [Decimal("7.5")]


def test_preview_shows_what_would_be_imported():
    preview = parse((FIXTURES / "activities_utf8_bom.csv").read_bytes()).preview(limit=1)

    assert preview.ok and preview.row_count == 4 and [r.row for r in preview.sample] == [2]
    assert [(t.scope, t.activity_type, t.unit, t.rows, t.quantity) for t in preview.totals] == [
        (Scope.SCOPE_1, ActivityType.FUEL, "10000 m3", 1, Decimal("3.5")),
        (Scope.SCOPE_1, ActivityType.REFRIGERANT, "kg", 1, Decimal("12.25")),
        (Scope.SCOPE_2, ActivityType.ELECTRICITY, "kWh", 2, Decimal("13580.17")),
    ]


def test_rows_come_in_chunks_of_activity_rows_for_bulk_insert():
    data = csv_bytes(HEADER, *(electricity(str(n)) for n in range(1, 6)))
    rows = parse(data).rows

    assert [len(chunk) for chunk in rows.chunks(2)] == [2, 2, 1]
    assert isinstance(rows[0], ActivityRow) and rows[-1].quantity == Decimal("5")
    assert list(rows.column("quantity")) == [Decimal(n) for n in range(1, 6)]


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("999999999999999"), places=3))
def test_any_quantity_written_with_thousands_separators_reads_back_exactly(quantity: Decimal):
    assert [r.quantity for r in parse(one_row(quantity=f"{quantity:,}")).rows] == [quantity]


# --- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ActivityType))
def test_each_template_opens_in_excel_as_utf8_and_parses_once_filled_in(kind: ActivityType):
    template = template_csv(kind)
    assert template.startswith(
        b"\xef\xbb\xbf"
    )  # Excel on Chinese Windows would read GBK without it
    assert errors_of(template) == [
        RowError(None, None, "the file has a header row but no data rows")
    ]

    header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    row = dict(zip(HEADER, electricity(), strict=True)) | {"activity_type": kind.value}
    row |= {
        ActivityType.FUEL: {"scope": "1", "scope1_subtype": "stationary_combustion", "unit": "t"},
        ActivityType.REFRIGERANT: {
            "scope": "1",
            "scope1_subtype": "fugitive",
            "unit": "kg",
            "gas": "HFC-134a",
        },
        ActivityType.PROCESS: {"scope": "1", "scope1_subtype": "process", "unit": "t"},
        ActivityType.MATERIAL: {"scope": "3", "scope3_category": "1", "unit": "t"},
        ActivityType.TRANSPORT: {"scope": "3", "scope3_category": "4", "unit": "t·km"},
        ActivityType.WASTE: {"scope": "3", "scope3_category": "5", "unit": "t"},
        ActivityType.TRAVEL: {"scope": "3", "scope3_category": "6", "unit": "p·km"},
        ActivityType.COMMUTING: {"scope": "3", "scope3_category": "7", "unit": "p·km"},
        ActivityType.SPEND: {"scope": "3", "scope3_category": "1", "unit": "CNY"},
    }.get(kind, {})
    filled = template + csv_bytes([row.get(column, "") for column in header])

    result = parse(filled)
    assert result.errors == [] and [r.row for r in result.rows] == [3]  # row 2 explains the columns


# --- the file as a whole -----------------------------------------------------------------------


def test_empty_file_is_refused():
    assert errors_of(b"") == [RowError(None, None, "the file is empty")]
    assert errors_of(b"\xef\xbb\xbf\r\n\r\n") == [RowError(None, None, "the file is empty")]
    assert errors_of(workbook(), filename="a.xlsx") == [RowError(None, None, "the file is empty")]


def test_header_without_rows_is_refused():
    assert errors_of(csv_bytes(HEADER, [""] * len(HEADER))) == [
        RowError(None, None, "the file has a header row but no data rows"),
    ]


def test_file_over_the_size_limit_is_refused_before_it_is_read():
    assert errors_of(b"%PDF" + b"x" * 2000, max_bytes=1000) == [
        RowError(None, None, "the file is 2,004 bytes; the limit is 1,000 bytes"),
    ]


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
            "activities.csv",
            "'activities.csv' is a PDF document, not a CSV or XLSX file",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "old.xlsx",
            "'old.xlsx' is an old Excel 97–2003 (.xls) or other Office file; save it as .xlsx or CSV, not a CSV or XLSX file",
        ),
        (
            b"PK\x03\x04rest",
            "activities.csv",
            "'activities.csv' is a zip archive (an XLSX workbook?), not a CSV file",
        ),
        (
            b"site,source\n",
            "activities.xlsx",
            "'activities.xlsx' is not an XLSX workbook (an .xlsx file is a zip archive)",
        ),
        (
            b"PK\x03\x04not really a zip",
            "activities.xlsx",
            "the file is not a readable XLSX workbook",
        ),
        (
            b"site,source\n",
            "activities.pdf",
            "'activities.pdf' is not a CSV or XLSX file (accepted: .csv, .txt, .xlsx)",
        ),
        (b"site\x00source\x00", "activities.csv", "the file is binary, not CSV text"),
    ],
)
def test_file_of_the_wrong_format_is_refused(data: bytes, filename: str, reason: str):
    assert errors_of(data, filename=filename) == [RowError(None, None, reason)]


def test_bytes_no_encoding_can_read_are_refused_not_replaced():
    data = (
        csv_bytes(HEADER) + b"Plant \x80\xff,Grid,2,,,electricity,1,kWh,2024-01-01,2024-01-31\r\n"
    )

    assert errors_of(data) == [
        RowError(
            None,
            None,
            "the file is not UTF-8, GB18030/GBK or Big5 text; save it as CSV UTF-8 or state its encoding",
        )
    ]


def test_a_file_that_is_not_in_the_stated_encoding_is_refused_with_the_line():
    data = (FIXTURES / "electricity_gb18030.csv").read_bytes()

    assert errors_of(data, mapping=GB_MAPPING, encoding="utf-8") == [
        RowError(
            None,
            None,
            "the file is not valid UTF-8: the bytes at line 1 cannot be read; it looks like "
            "GB18030/GBK: state gbk or leave the encoding out",
        ),
    ]
    assert errors_of(data, mapping=GB_MAPPING, encoding="latin-1") == [
        RowError(
            None, None, "encoding 'latin-1' is not supported (use UTF-8, GB18030/GBK or Big5)"
        ),
    ]
    assert errors_of(b"\xef\xbb\xbf" + data, mapping=GB_MAPPING, encoding="gbk") == [
        RowError(None, None, "the file starts with a UTF-8 byte-order mark but was declared gbk"),
    ]


def test_mojibake_is_refused_rather_than_imported():
    # Big5 bytes whose GB18030 reading is full of private-use characters, and which cp950
    # cannot read either (0xC87E is undefined in it)
    text = "台北廠,冷氣機".encode("cp950") * 5 + b"\xc8\x7e"
    data = csv_bytes(HEADER) + text + b",Grid,2,,,electricity,1,kWh,2024-01-01,2024-01-31\r\n"

    assert errors_of(data) == [
        RowError(
            None,
            None,
            "the file's text does not read cleanly as UTF-8, GB18030 or Big5; state its encoding",
        )
    ]


# --- columns -------------------------------------------------------------------------------------


def test_missing_required_column_is_named_with_the_columns_found():
    data = csv_bytes(
        ["site", "source", "scope", "activity_type", "quantity", "unit", "start_date"], ["A"] * 7
    )

    assert errors_of(data) == [
        RowError(
            1,
            "end_date",
            "missing required column 'end_date'; the file has: site, source, scope, activity_type, quantity, unit, start_date",
        )
    ]


def test_unknown_column_is_reported_unless_the_mapping_ignores_it():
    data = csv_bytes(HEADER + ["备注"], electricity() + ["note"])

    assert errors_of(data) == [
        RowError(1, "备注", "unknown column: map it to a field or mark it as ignored")
    ]
    assert parse(data, mapping=ColumnMapping(columns={"备注": None})).ok


def test_headers_twice_or_values_without_a_header_are_refused():
    twice = csv_bytes(HEADER + ["Quantity"], electricity() + ["1"])
    unnamed = csv_bytes(HEADER + [""], electricity() + ["lost"])

    assert errors_of(twice) == [RowError(1, "Quantity", "appears twice (columns G and K)")]
    assert errors_of(unnamed) == [RowError(1, "column K", "has values but no header")]


def test_row_longer_than_the_header_is_refused():
    data = csv_bytes(HEADER, electricity(), electricity() + ["stray"], electricity() + [""])

    assert errors_of(data) == [RowError(3, None, "has 11 cells but the header has 10")]


def test_a_bad_fixed_value_is_reported_once():
    without_unit = [h for h in HEADER if h != "unit"]
    rows = [
        [cell for h, cell in zip(HEADER, electricity(q), strict=True) if h != "unit"] for q in "12"
    ]
    data = csv_bytes(without_unit, *rows)

    assert errors_of(data, mapping=ColumnMapping(fixed={"unit": "kWhh"})) == [
        RowError(
            None,
            "unit (fixed in the mapping)",
            f"'kWhh' is not a known unit (activity type electricity takes {ELECTRICITY_UNITS})",
        )
    ]


def test_mapping_that_names_no_field_is_invalid():
    with pytest.raises(InvalidInput) as raised:
        ColumnMapping(
            columns={"用电量": "consumption", "电量": "quantity"}, fixed={"quantity": "1"}
        )
    assert raised.value.details == {
        "mapping": [
            "'用电量' maps to 'consumption', which is not a field",
            "'quantity' is both fixed and mapped from '电量'",
        ]
    }


# --- cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ("", "is empty"),
        ("abc", "'abc' is not a number"),
        ("12kg", "'12kg' is not a number"),
        ("-5", "'-5' is negative"),
        ("(5)", "'(5)' is negative"),
        ("1e16", "'1e16' is too large (more than 1,000,000,000,000,000)"),
        (
            "1000000000000000.5",
            "'1000000000000000.5' is too large (more than 1,000,000,000,000,000)",
        ),
        ("NaN", "'NaN' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
        ("#DIV/0!", "'#DIV/0!' is not a finite number"),
        ("1,5", "'1,5' is not a number (a comma may only separate thousands: 1,234.5)"),
        ("0.0000000000001", "'0.0000000000001' has more than 12 decimal places"),
    ],
)
def test_bad_quantity_is_reported_with_row_column_and_reason(quantity: str, reason: str):
    assert errors_of(one_row(quantity=quantity)) == [RowError(2, "quantity", reason)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.891", Decimal("1234567.891")),
        ("１，２３４．５", Decimal("1234.5")),
        (" 42 ", Decimal("42")),
        ("1.5E+3", Decimal("1500")),
        ("1000000000000000", Decimal("1E+15")),
        ("0", Decimal("0")),
    ],
)
def test_quantity_spellings_read_exactly(text: str, expected: Decimal):
    assert [r.quantity for r in parse(one_row(quantity=text)).rows] == [expected]


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        (
            {"unit": "kWhh"},
            "unit",
            f"'kWhh' is not a known unit (activity type electricity takes {ELECTRICITY_UNITS})",
        ),
        (
            {"unit": "kg"},
            "unit",
            "kg does not fit activity type electricity: use an energy unit (kWh, MWh…)",
        ),
        (
            {
                "activity_type": "fuel",
                "scope": "1",
                "scope1_subtype": "stationary_combustion",
                "unit": "t·km",
            },
            "unit",
            "t·km does not fit activity type fuel: use a mass, volume or energy unit (t, L, m3, GJ…)",
        ),
        (
            {
                "activity_type": "refrigerant",
                "scope": "1",
                "scope1_subtype": "fugitive",
                "unit": "L",
                "gas": "R-32",
            },
            "unit",
            "L does not fit activity type refrigerant: use a mass unit (kg, t…)",
        ),
        (
            {"activity_type": "transport", "scope": "3", "scope3_category": "4", "unit": "kWh"},
            "unit",
            "kWh does not fit activity type transport: use t·km, or km with a weight, or a currency for spend-based rows",
        ),
        (
            {"activity_type": "transport", "scope": "3", "scope3_category": "4", "unit": "km"},
            "weight",
            "a transport row in km needs the weight carried (or give the quantity in t·km)",
        ),
        (
            {
                "activity_type": "refrigerant",
                "scope": "1",
                "scope1_subtype": "fugitive",
                "unit": "kg",
            },
            "gas",
            "a refrigerant row needs the gas (e.g. HFC-134a, R-410A)",
        ),
        ({"gas": "CO2"}, "gas", "only refrigerant and process rows take a gas"),
        ({"payer": "customer"}, "payer", "only transport rows take this field"),
        (
            {"unit": "CNY"},
            "unit",
            "CNY does not fit activity type electricity: use an energy unit (kWh, MWh…)",
        ),
        ({"method": "spend_based"}, "unit", "a spend-based row needs a currency unit (CNY, USD…)"),
        (
            {
                "activity_type": "spend",
                "scope": "3",
                "scope3_category": "1",
                "unit": "CNY",
                "method": "activity_based",
            },
            "method",
            "a quantity of money is spend-based: set the method to spend_based",
        ),
        (
            {"activity_type": "electricity!"},
            "activity_type",
            "'electricity!' is not a known activity type (use fuel, electricity, heat_steam, refrigerant, process, material, transport, waste, travel, commuting, spend, other)",
        ),
        ({"site": ""}, "site", "is empty"),
        ({"source": "x" * 301}, "source", "is longer than 300 characters"),
        (
            {"data_quality": "guess"},
            "data_quality",
            "'guess' is not a known data-quality tier (use metered, invoiced, supplier_specific, industry_average, estimated)",
        ),
        (
            {"uncertainty_percent": "5000"},
            "uncertainty_percent",
            "'5000' is too large (more than 1,000)",
        ),
    ],
)
def test_bad_cell_is_reported_with_row_column_and_reason(
    overrides: dict[str, str], column: str, reason: str
):
    assert errors_of(one_row(**overrides)) == [RowError(2, column, reason)]


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"scope": "4"}, "scope", "'4' is not a known scope (use 1, 2 or 3)"),
        ({"scope": "1"}, "scope1_subtype", "a Scope 1 row needs a Scope 1 subtype"),
        (
            {"scope": "1", "scope1_subtype": "stationary_combustion", "scope3_category": "4"},
            "scope3_category",
            "a Scope 1 row takes no Scope 3 category",
        ),
        (
            {"scope1_subtype": "fugitive"},
            "scope1_subtype",
            "only Scope 1 rows take a Scope 1 subtype",
        ),
        ({"scope3_category": "3"}, "scope3_category", "a Scope 2 row takes no Scope 3 category"),
        ({"scope": "3"}, "scope3_category", "a Scope 3 row needs a Scope 3 category (1–15)"),
        (
            {"scope": "3", "scope3_category": "16"},
            "scope3_category",
            "'16' is not a Scope 3 category (1–15)",
        ),
        (
            {"iso_category": "3"},
            "iso_category",
            "Scope 2 emissions are imported energy: ISO 14064-1 category 2",
        ),
        (
            {
                "activity_type": "transport",
                "scope": "3",
                "scope3_category": "4",
                "unit": "t·km",
                "ownership": "owned",
            },
            "scope",
            # seed 002 R-S3-06: an owned vehicle's fuel is a direct emission
            "the company owns or controls the vehicle, so the fuel it burns is a direct (mobile "
            "combustion) emission: Scope 1; the row says Scope 3",
        ),
        (
            {
                "activity_type": "transport",
                "scope": "3",
                "scope3_category": "9",
                "unit": "t·km",
                "payer": "本公司",
            },
            "scope3_category",
            "transport the company pays for is category 4, not 9",
        ),
    ],
)
def test_classification_that_does_not_fit_the_scope_is_reported(
    overrides: dict[str, str], column: str, reason: str
):
    assert errors_of(one_row(**overrides)) == [RowError(2, column, reason)]


def test_scope_and_category_spellings_from_chinese_sheets_are_understood():
    rows = list(
        parse(
            one_row(scope="范围三", scope3_category="类别4", activity_type="运输", unit="吨公里")
        ).rows
    )

    assert [(r.scope, r.scope3_category, r.activity_type, r.unit) for r in rows] == [
        (Scope.SCOPE_3, 4, ActivityType.TRANSPORT, "t·km"),
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"start_date": "2024-02-01", "end_date": "2024-01-31"},
            [RowError(2, "start_date", "is after the end date ('end_date')")],
        ),
        (
            {"start_date": "2023-12-01"},
            [
                RowError(
                    2, "start_date", "is outside the application period 2024-01-01 – 2024-12-31"
                )
            ],
        ),
        (
            {"start_date": "2024-12-01", "end_date": "2025-01-31"},
            [RowError(2, "end_date", "is outside the application period 2024-01-01 – 2024-12-31")],
        ),
        (
            {"start_date": "31/01/2024"},
            [
                RowError(
                    2,
                    "start_date",
                    "'31/01/2024' is not a date (write it as YYYY-MM-DD, e.g. 2024-01-31)",
                )
            ],
        ),
        (
            {"end_date": "2024-02-30"},
            [RowError(2, "end_date", "'2024-02-30' is not a real calendar date")],
        ),
        (
            {"end_date": "2024-01-31 13:30"},
            [RowError(2, "end_date", "'2024-01-31 13:30' has a time of day; give the date only")],
        ),
        ({"end_date": ""}, [RowError(2, "end_date", "is empty")]),
    ],
)
def test_dates_out_of_order_or_outside_the_period_are_reported(
    overrides: dict[str, str], expected: list[RowError]
):
    assert errors_of(one_row(**overrides)) == expected


def test_duplicate_rows_name_the_first_occurrence():
    data = csv_bytes(
        HEADER,
        electricity("100"),
        electricity("200"),
        electricity("100.0"),
        electricity("100", unit="千瓦时", site=" plant a"),
    )

    reason = "duplicates row 2 (same site, source, activity type, dates, quantity and unit)"
    assert errors_of(data) == [RowError(4, None, reason), RowError(5, None, reason)]


def test_every_error_is_reported_and_only_the_sound_rows_go_on_to_the_inventory_checks():
    data = csv_bytes(
        HEADER,
        electricity("1"),
        electricity("-1"),
        electricity("2"),
        electricity("x", unit="kg"),
    )
    result = parse(data)

    # rows 3 and 5 have errors; rows 2 and 4 are sound, and are still checked against the
    # inventory (sites, factors) so that one answer names every problem; none is stored
    assert not result.ok and [r.row for r in result.rows] == [2, 4]
    assert result.preview().row_count == 0 and result.preview().sample == []
    assert result.errors == [
        RowError(3, "quantity", "'-1' is negative"),
        RowError(5, "quantity", "'x' is not a number"),
        RowError(
            5, "unit", "kg does not fit activity type electricity: use an energy unit (kWh, MWh…)"
        ),
    ]


def test_errors_name_the_columns_of_the_customers_file():
    data = (FIXTURES / "electricity_gb18030.csv").read_bytes().replace(b"12345.67", b"-1")

    assert errors_of(data, mapping=GB_MAPPING) == [
        RowError(3, "用电量（千瓦时）", "'-1' is negative")
    ]


def test_import_rejected_carries_every_error_for_the_error_envelope():
    result = parse(csv_bytes(HEADER, electricity("-1"), electricity("-2")))

    with pytest.raises(ImportRejected) as raised:
        result.raise_for_errors()
    assert raised.value.code == "import_rejected" and raised.value.http_status == 422
    assert raised.value.message == "'activities.csv' has 2 errors; nothing was imported"
    assert raised.value.details == {
        "errors": [
            {"row": 2, "column": "quantity", "reason": "'-1' is negative"},
            {"row": 3, "column": "quantity", "reason": "'-2' is negative"},
        ],
        "error_count": 2,
        "truncated": False,
    }


# --- transport legs classified by ownership, direction and payer --------------------------------

#: A logistics ledger as a factory keeps it: no scope column; who runs the truck (车辆性质), which way
#: the goods go (运输方向) and who pays the freight (付款方) say it all (seed 002).
LEDGER_HEADER = ["站点", "排放源", "活动类型", "数量", "单位", "开始日期", "结束日期", "车辆性质", "运输方向", "付款方"]


def _leg_row(source: str, vehicle: str, direction: str, payer: str) -> list[str]:
    return ["Plant A", source, "运输", "1000", "吨公里", "2024-01-01", "2024-01-31", vehicle, direction, payer]


def test_transport_legs_without_a_scope_take_the_classifiers_scope_and_category():
    data = csv_bytes(
        LEDGER_HEADER,
        _leg_row("Own truck", "自有", "出厂", ""),  # owned: its fuel is Scope 1, mobile combustion
        _leg_row("Customer delivery", "第三方", "出厂", "客户"),  # sold goods, customer pays: cat 9
        _leg_row("Paid delivery", "第三方", "出厂", "本公司"),  # the company pays the carrier: cat 4
        _leg_row("Steel in", "第三方", "入厂", "供应商"),  # tier-1 supplier delivers: cat 4
        _leg_row("Leased van", "租赁", "调拨", ""),  # leased and operated: cat 8
    )
    result = parse(data)

    assert result.errors == []
    assert [(r.source, int(r.scope), r.scope1_subtype, r.scope3_category, int(r.iso_category))
            for r in result.rows] == [
        ("Own truck", 1, Scope1Subtype.MOBILE_COMBUSTION, None, 1),
        # ISO 14064-1: transport of Scope 3 categories 4 and 9 is category 3 (indirect, transport)
        ("Customer delivery", 3, None, 9, 3),
        ("Paid delivery", 3, None, 4, 3),
        ("Steel in", 3, None, 4, 3),
        # category 8 (upstream leased assets) is ISO 14064-1 category 4 (products used)
        ("Leased van", 3, None, 8, 4),
    ]
    assert [r.extra for r in result.rows][:2] == [
        {"ownership": "owned", "direction": "outbound"},
        {"payer": "customer", "ownership": "third_party", "direction": "outbound"},
    ]


def test_a_leg_whose_scope_contradicts_its_description_is_refused_with_the_classifiers_reason():
    header = [*LEDGER_HEADER, "scope", "scope3_category"]
    data = csv_bytes(header, [*_leg_row("Customer delivery", "第三方", "出厂", "本公司"), "3", "9"])

    assert errors_of(data) == [RowError(
        2, "scope3_category",
        "a third party's transport service bought by the company is upstream because it is a purchased "
        "service, whichever way the goods go: Scope 3 category 4; the row says category 9",
    )]


def test_a_leg_the_classifier_cannot_decide_names_what_is_missing():
    data = csv_bytes(
        LEDGER_HEADER,
        _leg_row("Customer delivery", "第三方", "出厂", ""),  # sold goods: who pays decides 4 or 9
        _leg_row("Carrier", "第三方", "", "客户"),  # no direction: the goods are unknown
    )

    errors = errors_of(data)

    assert [(e.row, e.column) for e in errors] == [(2, "付款方"), (3, "scope")]
    assert errors[0].reason.startswith("say who pays for this transport of sold goods by a third party")
    assert errors[1].reason.startswith("is empty: give the scope, or who controls the vehicle")


def test_a_file_without_a_scope_column_is_refused_unless_it_says_who_controls_the_vehicles():
    data = csv_bytes(LEDGER_HEADER[:7], _leg_row("Truck", "", "", "")[:7])

    [error] = errors_of(data)
    assert (error.row, error.column) == (1, "scope")
    assert error.reason.startswith("missing required column 'scope'")


def test_first_positions_are_where_each_code_first_appears():
    # b a b c a are numbered as they first appear: 0 1 0 2 1; b, a and c first stand at 0, 1, 3
    codes, _ = pd.factorize(np.array(["b", "a", "b", "c", "a"], dtype=object))
    assert codes.tolist() == [0, 1, 0, 2, 1]
    assert first_positions(codes).tolist() == [0, 1, 3]
    assert first_positions(np.zeros(0, dtype=np.int64)).tolist() == []


@given(st.lists(st.integers(0, 5), max_size=40))
def test_first_positions_agree_with_sorting_the_codes(values):
    codes, _ = pd.factorize(np.array(values, dtype=np.int64))
    assert first_positions(codes).tolist() == np.unique(codes, return_index=True)[1].tolist()
