"""Writing a table for people's spreadsheets: an XLSX workbook or a CSV file.

A :class:`Table` is its columns (each a key, a header in English, 简体 and 繁體, and a kind:
text, integer, decimal with its places, date) and its rows, one value per column. Both files
carry the same header, in English followed by the reader's Chinese for zh_Hans and zh_Hant
("Quantity 数量"), and the same values:

- numbers stay numbers: a decimal is written with every digit it has (never rounded, never as
  text); in XLSX only the number format rounds what is shown, to the column's places;
- dates are dates (XLSX date cells, ISO 8601 in CSV);
- text goes through :func:`~neutrality.spreadsheets.formula_safe`, so "=HYPERLINK(…)" typed as
  a beneficiary is shown, never run; in XLSX the cell is also typed as a string, which openpyxl
  would otherwise write as a formula.

The XLSX workbook is written in openpyxl's write-only mode, row by row, so a table of any length
streams through a fixed amount of memory (the rows are an iterable, read once); the header row
is frozen and the columns sized to the header and the first rows. A second sheet, "About", says
what the export is, of which organisation and period, when it was made and that its figures are
exact.

Pure: no database, Flask or clock (the export's date is given).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from neutrality.spreadsheets import formula_safe

#: The languages headers are written in; any other locale is written in English.
LOCALES = ("en", "zh_Hans", "zh_Hant")

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")

#: Column widths in characters: never narrower than a short number, never wider than a screen's
#: third (a long purpose text wraps in the cell rather than pushing the figures off screen).
MIN_WIDTH, MAX_WIDTH = 8, 60
#: Rows read ahead to size the columns: enough to see the table's shape, few enough to hold.
SIZING_ROWS = 500


class Kind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"


@dataclass(frozen=True)
class Words:
    """A text in English, Simplified and Traditional Chinese."""

    en: str
    zh_hans: str
    zh_hant: str

    def chinese(self, locale: str) -> str | None:
        return {"zh_Hans": self.zh_hans, "zh_Hant": self.zh_hant}.get(locale)

    def bilingual(self, locale: str) -> str:
        """English, then the reader's Chinese when the reader reads Chinese: "Quantity 数量"."""
        chinese = self.chinese(locale)
        return f"{self.en} {chinese}" if chinese and chinese != self.en else self.en

    def text(self, locale: str) -> str:
        """The reader's language alone (English for en)."""
        return self.chinese(locale) or self.en


@dataclass(frozen=True)
class Column:
    key: str
    header: Words
    kind: Kind = Kind.TEXT
    #: decimal places the XLSX number format shows (the value keeps all of its own)
    places: int = 0

    def number_format(self) -> str | None:
        if self.kind is Kind.DATE:
            return "yyyy-mm-dd"
        if self.kind is Kind.INTEGER:
            return "#,##0"
        if self.kind is Kind.DECIMAL:
            return "#,##0" + ("." + "0" * self.places if self.places else "")
        return None


@dataclass(frozen=True)
class About:
    """What the "About" sheet says of an export."""

    what: Words
    organisation: str
    period: str
    exported_on: dt.date


@dataclass(frozen=True)
class Table:
    """Columns and rows (each row one value per column, in the columns' order; None is an
    empty cell). ``rows`` may be a generator: it is read once."""

    title: Words
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    about: About

    def headers(self, locale: str) -> list[str]:
        return [column.header.bilingual(locale) for column in self.columns]


# --- values -------------------------------------------------------------------------------------


def exact_text(value: Decimal | int) -> str:
    """A number written with every digit it has and no exponent: Decimal("1E+3") is 1000,
    Decimal("0.10") stays 0.10 (the places recorded are part of the figure)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number of a table")
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return format(value, "f")


def _number(value: Any) -> Decimal | int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number of a table")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, str):
        return Decimal(value)
    raise TypeError(f"{type(value).__name__} is not an exact number (give a Decimal or an int)")


def _text(value: Any) -> str:
    return formula_safe(value if isinstance(value, str) else str(value))


def csv_cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind in (Kind.INTEGER, Kind.DECIMAL):
        return exact_text(_number(value))
    if column.kind is Kind.DATE:
        return value.isoformat()
    return _text(value)


# --- CSV ----------------------------------------------------------------------------------------

#: Excel opens a CSV file as UTF-8 only when it starts with the byte-order mark; without it,
#: Chinese text is read in the system's code page and turns to mojibake.
BOM = "\ufeff"


def write_csv(table: Table, locale: str, out: IO[bytes]) -> None:
    """The table as CSV (UTF-8 with a byte-order mark, CRLF line ends, the header row first)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        text.write(BOM)
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([_text(h) for h in table.headers(locale)])
        columns = table.columns
        for row in table.rows:
            writer.writerow([csv_cell(c, v) for c, v in zip(columns, row, strict=True)])
    finally:
        text.detach()  # the caller's stream stays open


def csv_bytes(table: Table, locale: str) -> bytes:
    out = io.BytesIO()
    write_csv(table, locale, out)
    return out.getvalue()


# --- XLSX ---------------------------------------------------------------------------------------

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str) -> str:
    """A worksheet's name as Excel accepts it: at most 31 characters, none of []:*?/\\."""
    return _SHEET_TITLE_FORBIDDEN.sub(" ", text).strip()[:31] or "Sheet"


def _width(value: Any, column: Column) -> int:
    if value is None:
        return 0
    if column.kind is Kind.DECIMAL:
        # what the number format shows: grouped integer part and the column's places
        number = _number(value)
        return len(f"{int(number):,}") + (column.places + 1 if column.places else 0) + 1
    if column.kind is Kind.INTEGER:
        return len(f"{int(value):,}")
    if column.kind is Kind.DATE:
        return 10
    text = str(value)
    # a CJK character takes two columns' width
    return max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.splitlines()),
               default=0)


def _widths(headers: Sequence[str], columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = []
    for index, (header, column) in enumerate(zip(headers, columns, strict=True)):
        longest = max([_width(header, Column("", Words("", "", ""))),
                       *(_width(row[index], column) for row in rows)])
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, longest + 2)))
    return widths


def _cell(sheet: Any, column: Column, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    if value is None:
        return cell
    if column.kind in (Kind.INTEGER, Kind.DECIMAL):
        # openpyxl writes a number through "%.16g", which rounds past 16 significant digits (and
        # an int above 10¹⁶): the cell is given its exact text, typed as a number.
        cell.value = 0
        cell._value = exact_text(_number(value))
        cell.data_type = "n"
        cell.number_format = column.number_format()
    elif column.kind is Kind.DATE:
        cell.value = value
        cell.number_format = column.number_format()
    else:
        # typed as a string after the value is set: openpyxl takes any text starting with "="
        # for a formula and writes it as one
        cell.value = _text(value)
        cell.data_type = "s"
    return cell


_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _header_cells(sheet: Any, headers: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = _text(header)
        cell.data_type = "s"
        cell.font = _BOLD
        cells.append(cell)
    return cells


def _about_rows(table: Table, locale: str) -> list[tuple[Words, Any]]:
    about = table.about
    return [
        (Words("Export", "导出内容", "匯出內容"), about.what.bilingual(locale)),
        (Words("Organisation", "组织", "組織"), about.organisation),
        (Words("Period", "期间", "期間"), about.period),
        (Words("Exported on", "导出日期", "匯出日期"), about.exported_on),
        (Words("Figures", "数值", "數值"), Words(
            "Exact: each number cell holds the figure as recorded, unrounded; the number format "
            "rounds only what is shown.",
            "精确值：每个数字单元格保存记录的原值，未经四舍五入；数字格式仅影响显示。",
            "精確值：每個數字儲存格保存記錄的原值，未經四捨五入；數字格式僅影響顯示。",
        ).bilingual(locale)),
    ]


def write_xlsx(table: Table, locale: str, out: IO[bytes]) -> None:
    """The table as an XLSX workbook: the table's sheet (frozen bilingual header, typed cells,
    sized columns) and the "About" sheet. Rows stream: memory does not grow with their number."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(table.title.bilingual(locale)))
    headers = table.headers(locale)
    rows: Iterator[Sequence[Any]] = iter(table.rows)
    ahead = list(itertools.islice(rows, SIZING_ROWS))
    for index, width in enumerate(_widths(headers, table.columns, ahead), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet, headers))
    columns = table.columns
    for row in itertools.chain(ahead, rows):
        sheet.append([_cell(sheet, c, v) for c, v in zip(columns, row, strict=True)])

    about = book.create_sheet("About")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    for label, value in _about_rows(table, locale):
        name = WriteOnlyCell(about)
        name.value = label.bilingual(locale)
        name.data_type = "s"
        name.font = _BOLD
        shown = _cell(about, Column("", label, Kind.DATE if isinstance(value, dt.date) else Kind.TEXT),
                      value)
        shown.alignment = _WRAP
        about.append([name, shown])
    book.save(out)


def xlsx_bytes(table: Table, locale: str) -> bytes:
    out = io.BytesIO()
    write_xlsx(table, locale, out)
    return out.getvalue()


def write(table: Table, locale: str, file_format: str, out: IO[bytes]) -> None:
    if file_format == "xlsx":
        write_xlsx(table, locale, out)
    elif file_format == "csv":
        write_csv(table, locale, out)
    else:
        raise ValueError(f"unknown format {file_format!r}; choose from {', '.join(FORMATS)}")


def media_type(file_format: str) -> str:
    return XLSX_MEDIA_TYPE if file_format == "xlsx" else CSV_MEDIA_TYPE
