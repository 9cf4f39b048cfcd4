"""Spreadsheets are read within limits, the pure half (neutrality.sheet_limits and the readers of
activity files and registry exports).

What a hostile file asks of the reader is refused before the reader allocates it, quickly and in
bounded memory, with a message naming the limit: the files of the report are an XLSX of 1.5 KB
claiming the whole sheet, a zip bomb disguised as XLSX, a CSV whose header has a million columns
and an XLSX of a million rows and sixty columns. Each is read in a child process whose address
space is capped (tests/hostile_files.py), so that a reader trying to allocate 512 GiB fails its
test instead of killing the run; time and memory are asserted loosely (< 5 s, < 500 MiB).

A NUL character anywhere in a file is refused naming its row and column (PostgreSQL stores none).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from neutrality.errors import SettingsError
from neutrality.inventory.importing import ColumnMapping, ParsedImport, parse_activity_file
from neutrality.registry.exports import RegistryFile, read_registry_file
from neutrality.registry.exports import template_csv as registry_template
from neutrality.settings import load_settings
from neutrality.sheet_limits import (
    ACTIVITY_FILE_LIMITS,
    REGISTRY_FILE_LIMITS,
    FileTooLarge,
    SheetLimits,
    activity_file_limits,
    registry_file_limits,
)
from neutrality.spreadsheets import RowError, column_letter
from tests.hostile_files import (
    claims_the_whole_sheet,
    isolated,
    many_rows,
    shared_strings_bomb,
    sheet_xml,
    workbook,
    zip_archive,
)

PERIOD = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}
#: No upload limit in the way: the limits under test are the spreadsheet's.
NO_UPLOAD_LIMIT = 1 << 31
HEADER = ["site", "source", "scope", "activity_type", "quantity", "unit", "start_date", "end_date"]
NUL = "contains a NUL character (U+0000), which cannot be stored"
GIB = 1_073_741_824


def activities(data: bytes, filename: str = "activities.xlsx", **options: Any) -> ParsedImport:
    return parse_activity_file(data, filename, **PERIOD, max_bytes=NO_UPLOAD_LIMIT, **options)


def registry(data: bytes, filename: str = "export.xlsx", **options: Any) -> RegistryFile:
    return read_registry_file(data, filename, max_bytes=NO_UPLOAD_LIMIT, **options)


def electricity(number: int) -> list[str]:
    return f"Plant A,Meter {number},2,electricity,100,MWh,2025-01-01,2025-01-31".split(",")


def csv_file(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def sheet_rows(*rows: list[str]) -> str:
    """Rows of text cells as Excel writes them, each cell with its position (A1, B1…)."""
    return "".join(
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column_letter(index)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
            for index, text in enumerate(cells)
        )
        + "</row>"
        for number, cells in enumerate(rows, 1)
    )


def refusal(error: FileTooLarge) -> tuple[str, dict[str, Any]]:
    return error.message, error.details


# --- the hostile files of the report, with the default limits ----------------------------------

READERS: dict[str, Callable[[bytes, str], Any]] = {
    "activity file": lambda data, name: activities(data, name),
    "registry export": lambda data, name: registry(data, name),
}


def refused_quickly_in_bounded_memory(read: Callable[[], Any]) -> tuple[str, dict[str, Any]]:
    outcome = isolated(read)
    assert outcome.error == "FileTooLarge", outcome
    assert outcome.seconds < 5, outcome
    assert outcome.peak_mib < 500, outcome
    return outcome.message, outcome.details


@pytest.mark.parametrize(
    ("reader", "message", "details"),
    [
        (
            "activity file",
            "the file declares 1,048,575 rows below its first row; the limit is 1,000,000",
            {"limit": "rows", "maximum": 1_000_000, "found": 1_048_575},
        ),
        # two million rows are allowed in a registry export: its columns are refused instead
        (
            "registry export",
            "the file declares 16,384 columns; the limit is 200",
            {"limit": "columns", "maximum": 200, "found": 16_384},
        ),
    ],
)
def test_an_xlsx_claiming_the_whole_sheet_is_refused_before_it_is_read(
    reader: str, message: str, details: dict[str, Any]
) -> None:
    data = claims_the_whole_sheet()  # A1:XFD1048576, a cell at each end: 512 GiB to the reader
    assert len(data) < 2_000
    read = READERS[reader]
    assert refused_quickly_in_bounded_memory(lambda: read(data, "claim.xlsx")) == (message, details)


@pytest.mark.parametrize("reader", READERS)
def test_a_zip_bomb_disguised_as_xlsx_is_refused_by_the_sizes_its_parts_declare(
    reader: str,
) -> None:
    data = shared_strings_bomb(2 * GIB)  # 126 million one-letter texts, 5 MB zipped
    declared = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 6_000_000 and declared > 2_000_000_000
    read = READERS[reader]
    assert refused_quickly_in_bounded_memory(lambda: read(data, "bomb.xlsx")) == (
        f"the workbook unzips to {declared:,} bytes; the limit is 1,073,741,824 bytes",
        {"limit": "uncompressed_bytes", "maximum": GIB, "found": declared},
    )


@pytest.mark.parametrize("reader", READERS)
def test_a_csv_whose_header_has_a_million_columns_is_refused_before_its_rows_are_read(
    reader: str,
) -> None:
    data = csv_file([f"c{n}" for n in range(1_000_000)], ["1"] * 1_000_000)
    read = READERS[reader]
    assert refused_quickly_in_bounded_memory(lambda: read(data, "wide.csv")) == (
        "the file has at least 1,000,000 columns; the limit is 200",
        {"limit": "columns", "maximum": 200, "found": 1_000_000},
    )


def test_an_xlsx_of_a_million_rows_and_sixty_columns_is_refused_before_its_rows_are_read() -> None:
    data = many_rows(1_000_000, 60, dimension="A1:BH1000000")  # 911 MB of XML, 2.8 MB zipped
    assert refused_quickly_in_bounded_memory(lambda: activities(data, "big.xlsx")) == (
        "the file declares 60,000,000 cells (rows × columns); the limit is 30,000,000, "
        "so split it into smaller files",
        {"limit": "cells", "maximum": 30_000_000, "found": 60_000_000},
    )


def test_rows_beyond_a_dimension_that_says_less_are_counted_as_the_sheet_streams() -> None:
    limits = SheetLimits(max_rows=1_000_000, max_columns=200, max_cells=3_000_000)
    data = many_rows(1_000_000, 60, dimension="A1:BH10")  # says 10 rows, has a million
    outcome = isolated(lambda: activities(data, "big.xlsx", limits=limits))
    assert outcome.error == "FileTooLarge", outcome
    # The cells have no position, so the count is an upper bound; reading stopped within a piece
    # (4 MiB of XML, 4,600 rows of 60 cells) of the limit.
    found = outcome.details["found"]
    assert 3_000_000 < found <= 3_000_000 + 4_700 * 60
    assert (outcome.message, outcome.details) == (
        f"the file may have up to {found:,} cells (rows × columns); the limit is 3,000,000, "
        "so split it into smaller files",
        {"limit": "cells", "maximum": 3_000_000, "found": found},
    )
    assert outcome.seconds < 5 and outcome.peak_mib < 500, outcome


SMALL = SheetLimits(max_rows=100, max_columns=10, max_cells=500)


@pytest.mark.parametrize(
    ("rows", "message", "details"),
    [
        # Excel's spelling: the furthest cell is found wherever it is, even in an early row
        (
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A500"><v>1</v></c></row>',
            "the file has at least 499 rows below its first row; the limit is 100",
            {"limit": "rows", "maximum": 100, "found": 499},
        ),
        (
            '<row r="1"><c r="A1"><v>1</v></c><c r="B300"><v>1</v></c></row>'
            '<row r="2"><c r="A2"><v>1</v></c></row>',
            "the file has at least 299 rows below its first row; the limit is 100",
            {"limit": "rows", "maximum": 100, "found": 299},
        ),
        (
            '<row r="1"><c r="A1"><v>1</v></c><c r="k1"><v>1</v></c></row>',  # column K, lower case
            "the file has at least 11 columns; the limit is 10",
            {"limit": "columns", "maximum": 10, "found": 11},
        ),
        # other spellings the reader understands as well: single quotes, spaces around '='
        (
            "<row r='1'><c r = 'A200'><v>1</v></c></row>",
            "the file may have up to 200 rows below its first row; the limit is 100",
            {"limit": "rows", "maximum": 100, "found": 200},
        ),
        # a cell with another namespace prefix
        (
            '<row r="1"><c r="A1"><v>1</v></c>'
            '<y:c r="A400" xmlns:y="urn:y"><y:v>1</y:v></y:c></row>',
            "the file may have up to 399 rows below its first row; the limit is 100",
            {"limit": "rows", "maximum": 100, "found": 399},
        ),
        # cells without a position follow the last one with a position: I, J, K
        (
            '<row r="1"><c r="I1"><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>',
            "the file may have up to 12 columns; the limit is 10",
            {"limit": "columns", "maximum": 10, "found": 12},
        ),
        # rows without a number follow the highest number
        (
            '<row r="90"><c><v>1</v></c></row>' + "<row><c><v>1</v></c></row>" * 20,
            "the file may have up to 109 rows below its first row; the limit is 100",
            {"limit": "rows", "maximum": 100, "found": 109},
        ),
    ],
)
def test_cells_placed_beyond_the_limits_are_found_however_they_are_written(
    rows: str, message: str, details: dict[str, Any]
) -> None:
    data = workbook(sheet_xml(rows, dimension="A1:B2"))  # the dimension says less
    outcome = isolated(lambda: activities(data, limits=SMALL))
    assert (outcome.error, outcome.message, outcome.details) == ("FileTooLarge", message, details)


def test_a_sheet_written_with_a_namespace_prefix_is_measured_exactly() -> None:
    rows = (
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A300"><x:v>1</x:v></x:c></x:row>'
    )
    xml = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="urn:main"><x:sheetData>{rows}'
        "</x:sheetData></x:worksheet>"
    ).encode()
    with pytest.raises(FileTooLarge) as refused:
        activities(workbook(xml), limits=SMALL)
    assert refusal(refused.value) == (
        "the file has at least 299 rows below its first row; the limit is 100",
        {"limit": "rows", "maximum": 100, "found": 299},
    )


def test_the_sheet_checked_is_the_sheet_read() -> None:
    hostile = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    rows = sheet_rows(HEADER, electricity(1), electricity(2))
    data = workbook(hostile, more_sheets={"Data": sheet_xml(rows)})
    parsed = activities(data, mapping=ColumnMapping(sheet="Data"))
    assert parsed.ok and len(parsed.rows) == 2
    outcome = isolated(lambda: activities(data))  # the first sheet, the hostile one
    assert (outcome.error, outcome.details) == (
        "FileTooLarge",
        {"limit": "rows", "maximum": 1_000_000, "found": 1_048_575},
    )


# --- workbooks the reader would misread --------------------------------------------------------


def _read_all(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: archive.read(info) for info in archive.infolist()}


def _bzip2_sheet() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in _read_all(workbook(sheet_xml(""))).items():
            method = zipfile.ZIP_BZIP2 if name.endswith("sheet1.xml") else zipfile.ZIP_DEFLATED
            archive.writestr(name, part, compress_type=method)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            zip_archive({**_read_all(workbook(sheet_xml(""))), "XL/Workbook.xml": b"<workbook/>"}),
            "the workbook holds two parts named 'XL/Workbook.xml'",
        ),
        (
            _bzip2_sheet(),
            "the workbook is compressed in a way spreadsheet programs do not use; "
            "save it again as .xlsx",
        ),
        (
            zip_archive(
                {
                    **_read_all(workbook(sheet_xml(""))),
                    "xl/worksheets/sheet1.xml": sheet_xml(
                        "<row r='1'><!-- </row> --><c><v>1</v></c></row>"
                    ),
                }
            ),
            "the sheet holds XML comments, which spreadsheet programs do not write; "
            "save it again as .xlsx",
        ),
        (
            zip_archive(
                {
                    name: part
                    for name, part in _read_all(workbook(sheet_xml(""))).items()
                    if name != "xl/worksheets/sheet1.xml"
                }
            ),
            "the workbook lists a sheet whose part is missing",
        ),
        (  # calamine reads a UTF-16 sheet as empty; a reader that decodes it would see cells
            zip_archive(
                {
                    **_read_all(workbook(sheet_xml(""))),
                    "xl/worksheets/sheet1.xml": b"\xff\xfe"
                    + sheet_xml(sheet_rows(HEADER)).decode().encode("utf-16-le"),
                }
            ),
            "the workbook's part 'xl/worksheets/sheet1.xml' is not written in UTF-8; "
            "save it again as .xlsx",
        ),
    ],
)
def test_a_workbook_the_reader_could_misread_is_refused(data: bytes, reason: str) -> None:
    assert activities(data).errors == [RowError(None, None, reason)]


def test_a_workbook_of_more_parts_than_a_workbook_has_is_refused_before_they_are_listed() -> None:
    parts = {
        **_read_all(workbook(sheet_xml(""))),
        **{f"xl/media/{n}.png": b"" for n in range(10_001)},
    }
    with pytest.raises(FileTooLarge) as refused:
        activities(zip_archive(parts))
    assert refusal(refused.value) == (
        "the workbook has at least 10,006 parts; the limit is 10,000",
        {"limit": "parts", "maximum": 10_000, "found": 10_006},
    )


# --- the limits, as set ------------------------------------------------------------------------

ROWS_3 = SheetLimits(max_rows=3, max_columns=8, max_cells=1_000)


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        (None, "the file has at least 4 rows below its first row; the limit is 3"),
        ("A1:H5", "the file declares 4 rows below its first row; the limit is 3"),
    ],
)
def test_an_xlsx_with_more_rows_than_the_limit_is_refused_naming_it(
    dimension: str | None, message: str
) -> None:
    data = workbook(sheet_xml(sheet_rows(HEADER, *map(electricity, range(4))), dimension))
    with pytest.raises(FileTooLarge) as refused:
        activities(data, limits=ROWS_3)
    assert refusal(refused.value) == (message, {"limit": "rows", "maximum": 3, "found": 4})


def test_an_xlsx_at_the_limits_is_read() -> None:
    data = workbook(sheet_xml(sheet_rows(HEADER, *map(electricity, range(3))), "A1:H4"))
    parsed = activities(data, limits=SheetLimits(max_rows=3, max_columns=8, max_cells=32))
    assert parsed.errors == [] and len(parsed.rows) == 3


def test_a_csv_with_more_rows_than_the_limit_is_refused_without_reading_past_it() -> None:
    data = csv_file(HEADER, *map(electricity, range(4)))
    with pytest.raises(FileTooLarge) as refused:
        activities(data, "rows.csv", limits=ROWS_3)
    assert refusal(refused.value) == (
        "the file has at least 4 rows below its first row; the limit is 3",
        {"limit": "rows", "maximum": 3, "found": 4},
    )


def test_a_csv_with_more_cells_than_the_limit_is_refused() -> None:
    # 8 columns and 20 cells: 2 rows at most, the header included
    data = csv_file(HEADER, electricity(1), electricity(2))
    with pytest.raises(FileTooLarge) as refused:
        activities(data, "cells.csv", limits=SheetLimits(max_rows=10, max_columns=8, max_cells=20))
    assert refusal(refused.value) == (
        "the file has at least 24 cells (rows × columns); the limit is 20, "
        "so split it into smaller files",
        {"limit": "cells", "maximum": 20, "found": 24},
    )


def test_a_csv_at_the_limits_is_read() -> None:
    data = csv_file(HEADER, *map(electricity, range(3)))
    parsed = activities(
        data, "rows.csv", limits=SheetLimits(max_rows=3, max_columns=8, max_cells=32)
    )
    assert parsed.errors == [] and len(parsed.rows) == 3


def test_a_csv_row_longer_than_the_header_counts_towards_the_limit_too() -> None:
    data = csv_file(HEADER, [*electricity(9), "extra"], *map(electricity, range(4)))
    with pytest.raises(FileTooLarge) as refused:
        activities(data, "ragged.csv", limits=ROWS_3)
    assert refused.value.details == {"limit": "rows", "maximum": 3, "found": 4}


def test_a_csv_row_longer_than_the_header_with_a_cell_the_csv_module_cannot_read_is_named() -> None:
    # rows longer than the header are read row by row by the csv module, which reads no cell
    # longer than its field size limit (131,072 characters)
    data = csv_file(HEADER, ["Plant A", "x" * 200_000, *electricity(1)[2:], "extra"])
    assert activities(data, "long.csv").errors == [
        RowError(2, None, "has a cell longer than 131,072 characters")
    ]


def test_a_registry_export_is_held_to_its_own_limits() -> None:
    data = registry_template("gec_account") + csv_file(
        *[
            [f"{n:032d}", f"{n:032d}", "1", "Solar", "P1", "", "", "2024-05", "", "", "", "issued"]
            for n in range(1, 4)
        ]
    )
    limits = SheetLimits(max_rows=2, max_columns=200, max_cells=1_000)
    with pytest.raises(FileTooLarge) as refused:
        registry(data, "gec.csv", limits=limits)
    # the help row of the template is a row below the header like any other
    assert refusal(refused.value) == (
        "the file has at least 3 rows below its first row; the limit is 2",
        {"limit": "rows", "maximum": 2, "found": 3},
    )


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (csv_file(HEADER, electricity(1)), "late.csv"),
        (workbook(sheet_xml(sheet_rows(HEADER, electricity(1)))), "late.xlsx"),
    ],
)
def test_a_file_that_takes_longer_to_read_than_the_limit_is_refused(
    data: bytes, filename: str
) -> None:
    limits = SheetLimits(max_rows=10, max_columns=10, max_cells=100, max_seconds=0)
    with pytest.raises(FileTooLarge) as refused:
        activities(data, filename, limits=limits)
    assert refusal(refused.value) == (
        "the file could not be read within 0 seconds, the limit, so split it into smaller files",
        {"limit": "seconds", "maximum": 0, "found": None},
    )


def test_a_csv_larger_than_a_spreadsheet_may_be_is_refused_before_it_is_decoded() -> None:
    data = csv_file(HEADER, electricity(1))
    limits = SheetLimits(max_rows=10, max_columns=10, max_cells=100, max_uncompressed_bytes=100)
    with pytest.raises(FileTooLarge) as refused:
        activities(data, "big.csv", limits=limits)
    assert refusal(refused.value) == (
        f"the file is {len(data):,} bytes; the limit is 100 bytes",
        {"limit": "uncompressed_bytes", "maximum": 100, "found": len(data)},
    )


def test_the_default_settings_are_the_readers_defaults() -> None:
    settings = load_settings(environ={})
    assert (
        activity_file_limits(settings)
        == ACTIVITY_FILE_LIMITS
        == SheetLimits(
            max_rows=1_000_000,
            max_columns=200,
            max_cells=30_000_000,
            max_uncompressed_bytes=GIB,
            max_seconds=120,
        )
    )
    assert (
        registry_file_limits(settings)
        == REGISTRY_FILE_LIMITS
        == SheetLimits(
            max_rows=2_000_000,
            max_columns=200,
            max_cells=40_000_000,
            max_uncompressed_bytes=GIB,
            max_seconds=120,
        )
    )


def test_the_limits_are_read_from_the_environment() -> None:
    settings = load_settings(
        environ={
            "NEUTRALITY_ACTIVITY_FILE_MAX_ROWS": "300000",
            "NEUTRALITY_SPREADSHEET_MAX_UNCOMPRESSED_BYTES": "1000",
        }
    )
    limits = activity_file_limits(settings)
    assert (limits.max_rows, limits.max_uncompressed_bytes) == (300_000, 1_000)
    assert registry_file_limits(settings).max_uncompressed_bytes == 1_000


@pytest.mark.parametrize("value", [0, -1])
def test_a_limit_that_is_not_positive_stops_the_application(value: int) -> None:
    with pytest.raises(SettingsError) as stopped:
        load_settings({"registry_file_max_cells": value}, environ={})
    assert stopped.value.message == "registry_file_max_cells must be a positive whole number"


# --- NUL characters ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", [2, 500])  # inside the first 8 KB, and far past them
def test_a_nul_in_a_csv_is_refused_naming_its_row_and_column(row: int) -> None:
    rows = [electricity(n) for n in range(2, 601)]
    rows[row - 2][1] = "Boil\x00er"
    parsed = activities(csv_file(HEADER, *rows), "nul.csv")
    assert parsed.errors == [RowError(row, "source", NUL)] and len(parsed.rows) == 0


def test_a_nul_in_a_csv_header_is_named_by_the_column_letter() -> None:
    parsed = activities(csv_file(["site", "sou\x00rce", *HEADER[2:]], electricity(1)), "nul.csv")
    assert parsed.errors == [RowError(1, "column B", NUL)]


def test_a_nul_in_an_xlsx_cell_is_refused_naming_its_row_and_column() -> None:
    rows = [HEADER, electricity(1), electricity(2)]
    rows[2][0] = "Plant\x00A"
    parsed = activities(workbook(sheet_xml(sheet_rows(*rows))), "nul.xlsx")
    assert parsed.errors == [RowError(3, "site", NUL)]


def test_a_nul_in_a_registry_export_is_refused_naming_the_column_as_the_file_does() -> None:
    data = registry_template("gec_account") + csv_file(
        [f"{1:032d}", f"{1:032d}", "1", "Sola\x00r", "P1", "", "", "2024-05", "", "", "", "issued"]
    )
    assert registry(data, "gec.csv").errors == (RowError(3, "project_name", NUL),)


def test_a_file_of_nul_bytes_throughout_is_still_binary_not_text() -> None:
    data = "site,source\r\nPlant A,Grid\r\n".encode("utf-16-le")  # UTF-16 without its mark
    assert activities(data, "utf16.csv").errors == [
        RowError(None, None, "the file is binary, not CSV text")
    ]
