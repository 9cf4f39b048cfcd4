"""Reading spreadsheets that people send: CSV in the encodings Chinese offices use, and XLSX.

Shared by every importer (activity data, registry exports). It checks an upload's size and
format, decodes UTF-8 with or without a byte-order mark, GB18030/GBK and Big5 (refusing text
that only decodes by accident), finds the header and the delimiter, reads an XLSX worksheet as
text, checks the header (names written twice, values under no name), reads Excel dates and
serial numbers, numbers with thousands separators or full-width digits, and reports problems as
:class:`RowError` values: spreadsheet row (header = 1), the column as the file names it, and
the reason in words for the user.

Every read is held to :class:`~neutrality.sheet_limits.SheetLimits` before it allocates: a CSV
file's size and header are checked before its rows are parsed, which stop at the row limit; an
XLSX workbook is checked by :func:`~neutrality.sheet_limits.check_workbook` before its reader
sees it. A NUL character in any cell is refused with its row and column (no database column can
hold it). Files the application writes go through :func:`csv_bytes`, which keeps a text a
spreadsheet program would run as a formula from being one.

Pure: no database, Flask or clock.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Context, Decimal
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from neutrality.errors import InvalidInput
from neutrality.messages import Msg
from neutrality.sheet_limits import (
    DamagedWorkbook,
    Deadline,
    FileTooLarge,
    NoSuchSheet,
    SheetLimits,
    check_reach,
    check_workbook,
    column_name,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)
from neutrality.units import tidy

T = TypeVar("T")

#: Largest quantity accepted, in its own unit: more is a typing error, not an activity.
MAX_QUANTITY = Decimal("1e15")


#: Quantities are stored as NUMERIC(38, 12) (neutrality.db.ExactDecimal); more decimal places
#: would be rounded silently by the database, so they are refused here.
MAX_DECIMAL_PLACES = 12


class RowError(NamedTuple):
    """One problem: the spreadsheet row (header = 1; None for the whole file), the column as the
    file names it (None for a whole row or file) and the reason, in words for the user."""

    row: int | None
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


#: A file's errors reported at most (the count says how many there are): a million-row file
#: with an error in every row must not make a million-entry answer.
MAX_REPORTED_ERRORS = 1000


class ImportRejected(InvalidInput):
    """A file with at least one error: nothing of it is imported."""

    code = "import_rejected"

    def __init__(self, filename: str, errors: list[RowError]):
        count = len(errors)
        super().__init__(
            Msg("'{filename}' has 1 error; nothing was imported", filename=filename) if count == 1
            else Msg("'{filename}' has {count} errors; nothing was imported", filename=filename, count=count),
            {
                "errors": [e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
                "error_count": count,
                "truncated": count > MAX_REPORTED_ERRORS,
            },
        )
        self.errors = errors


def norm(text: str) -> str:
    """Comparison form of a header or code: full-width forms folded (NFKC), trimmed, no case."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def snake(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", norm(text))


def column_letter(index: int) -> str:
    """A column's letters from its position counted from 0 (0 is A)."""
    return column_name(index + 1)


class Refused(Exception):
    """The file cannot be imported as a whole (or its header is wrong); carries the errors."""

    def __init__(self, *errors: RowError | str):
        self.errors = [e if isinstance(e, RowError) else RowError(None, None, e) for e in errors]
        #: the encoding the text was read with, when the refusal came after decoding (a wrong
        #: header read in a wrong stated encoding says which one was used)
        self.encoding: str | None = None
        super().__init__(self.errors[0].reason)


def is_help_row(cells: list[str]) -> bool:
    """Row 2 of our templates explains each column, every cell starting with "# " (Excel's error
    values, #N/A or #REF!, never have the space); the parser skips it if the user kept it."""
    return all(not c.strip() or c.strip().startswith("# ") for c in cells)


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", Msg("a PDF document")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        Msg("an old Excel 97–2003 (.xls) or other Office file; save it as .xlsx or CSV"),
    ),
    (b"\x89PNG", Msg("a PNG image")),
    (b"\xff\xd8\xff", Msg("a JPEG image")),
    (b"GIF8", Msg("a GIF image")),
    (b"\x1f\x8b", Msg("a gzip archive")),
    (b"Rar!", Msg("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", Msg("a 7-Zip archive")),
    (b"{\\rtf", Msg("an RTF document")),
)


_CSV_SUFFIXES = (".csv", ".txt", ".tsv")


_XLSX_SUFFIXES = (".xlsx", ".xlsm")


def sniff_format(data: bytes, filename: str) -> str:
    """ "csv" or "xlsx" from the content; a name that contradicts the content is refused."""
    name = filename.lower()
    if not name.endswith(_CSV_SUFFIXES + _XLSX_SUFFIXES):
        raise Refused(Msg("'{filename}' is not a CSV or XLSX file (accepted: .csv, .txt, .xlsx)", filename=filename))
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise Refused(Msg("'{filename}' is {what}, not a CSV or XLSX file", filename=filename, what=what))
    is_zip = data.startswith(b"PK\x03\x04")
    if name.endswith(_XLSX_SUFFIXES):
        if not is_zip:
            raise Refused(Msg("'{filename}' is not an XLSX workbook (an .xlsx file is a zip archive)", filename=filename))
        return "xlsx"
    if is_zip:
        raise Refused(Msg("'{filename}' is a zip archive (an XLSX workbook?), not a CSV file", filename=filename))
    return "csv"


def upload_format(
    data: bytes, filename: str, *, max_bytes: int, limits: SheetLimits | None = None
) -> str:
    """The format (:func:`sniff_format`) of an uploaded file of at most ``max_bytes`` that is
    not empty; the size is checked before anything is read, a CSV file's against ``limits`` too
    (its text is its uncompressed size)."""
    if len(data) > max_bytes:
        raise Refused(Msg("the file is {size} bytes; the limit is {limit} bytes", size=format(len(data), ","), limit=format(max_bytes, ",")))
    if not data.strip():
        raise Refused(Msg("the file is empty"))
    found = sniff_format(data, filename)
    if found == "csv" and limits is not None and len(data) > limits.max_uncompressed_bytes:
        maximum = limits.max_uncompressed_bytes
        raise FileTooLarge(
            Msg("the file is {size} bytes; the limit is {limit} bytes", size=format(len(data), ","), limit=format(maximum, ",")),
            "uncompressed_bytes",
            maximum,
            len(data),
        )
    return found


#: Encodings a caller may state (by Python's canonical codec name) and the codec read with. GBK
#: (cp936, Windows' "ANSI" code page in mainland China) and GB2312 are subsets of GB18030, so a
#: file stated in either is read as GB18030; Big5 as Windows writes it is cp950, Microsoft's
#: superset.
_STATED = {
    "utf-8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030", "gbk": "gb18030",
    "gb2312": "gb18030", "big5": "cp950", "cp950": "cp950", "big5hkscs": "big5hkscs",
    "utf-16": "utf-16", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be",
}  # fmt: skip
#: What the forms and the command line offer to state (the others are accepted, not advertised).
OFFERED_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "cp936", "big5")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


_SAMPLE_CHARS = 50_000


#: Share of suspicious characters above which a reading is taken for mis-decoded bytes.
_MOJIBAKE_SHARE = 0.05


def _suspicious(char: str) -> bool:
    """A character real spreadsheet text hardly contains but mis-decoded bytes do.

    Big5 bytes read as GB18030 land in GB18030's user-defined areas (Unicode private use), its
    kana and box-drawing rows and rare GBK-extension ideographs outside GB2312 and Big5; a right
    reading of Chinese text has next to none of these.
    """
    code = ord(char)
    if 0xE000 <= code <= 0xF8FF or 0x80 <= code <= 0x9F or 0x3040 <= code <= 0x30FF:
        return True
    if 0x2500 <= code <= 0x257F or 0x3400 <= code <= 0x4DBF or code == 0xFFFD:
        return True
    if 0x4E00 <= code <= 0x9FFF:
        for codec in ("gb2312", "big5"):
            try:
                char.encode(codec)
                return False
            except UnicodeEncodeError:
                continue
        return True
    return False


def _sample(text: str) -> Counter[str]:
    """The non-ASCII characters of the first part of ``text``, counted."""
    chars: Counter[str] = Counter()
    for match in _NON_ASCII.finditer(text):
        chars.update(match.group())
        if chars.total() >= _SAMPLE_CHARS:
            break
    return chars


def _suspicious_share(text: str) -> float:
    chars = _sample(text)
    total = chars.total()
    return sum(n for c, n in chars.items() if _suspicious(c)) / total if total else 0.0


#: Share of Big5's less-common ideographs (次常用字) above which a Big5 reading is taken for
#: GB18030 bytes: in real text they are rare, but GB2312's second half lands there.
_RARE_BIG5_SHARE = 0.10


def _rare_big5(char: str) -> bool:
    """Big5 orders ideographs by frequency: 常用字 from lead byte 0xA4, 次常用字 from 0xC9.
    GB2312 ideographs (lead bytes 0xB0–0xF7) read as Big5 fall in both halves, so about a third
    of a GB text's ideographs become 次常用字; real traditional text has next to none."""
    if not 0x4E00 <= ord(char) <= 0x9FFF:
        return False
    try:
        return char.encode("cp950")[0] >= 0xC9
    except UnicodeEncodeError:
        return False


def _rare_big5_share(text: str) -> float:
    chars = _sample(text)
    ideographs = sum(n for c, n in chars.items() if 0x4E00 <= ord(c) <= 0x9FFF)
    return sum(n for c, n in chars.items() if _rare_big5(c)) / ideographs if ideographs else 0.0


def _plausible(text: str, codec: str) -> bool:
    """Whether ``text``, read from a file with ``codec``, is text rather than mis-decoded bytes."""
    if _suspicious_share(text) > _MOJIBAKE_SHARE:
        return False
    return codec not in ("cp950", "big5hkscs") or _rare_big5_share(text) <= _RARE_BIG5_SHARE


def _misread(data: bytes, text: str, codec: str) -> bool:
    """Whether ``text``, decoded without error from ``data`` in the encoding the caller stated,
    is mojibake: UTF-8 bytes (valid UTF-8 is nearly never GBK or Big5 text), characters no
    reading of Chinese text gives (as :func:`legacy_text` judges), or a Big5 reading heavy in
    次常用字 of bytes that GB18030 reads cleanly. A real Big5 text with a rare character on
    every row is not refused: GB18030 reads Big5 bytes as mojibake."""
    if data.isascii():
        return False
    if _is_utf8(data) or _suspicious_share(text) > _MOJIBAKE_SHARE:
        return True
    if codec in ("cp950", "big5hkscs") and _rare_big5_share(text) > _RARE_BIG5_SHARE:
        try:
            return _suspicious_share(data.decode("gb18030")) <= _MOJIBAKE_SHARE
        except UnicodeDecodeError:
            return False
    return False


#: How a likely encoding is named to the user, and what to state for it.
_ENCODING_HINTS = {"utf-8": ("UTF-8", "utf-8"), "gb18030": ("GB18030/GBK", "gbk"),
                   "cp950": ("Big5", "big5")}  # fmt: skip


def _likely_encoding(data: bytes, wrong: str) -> str | None:
    """The codec other than ``wrong`` that reads ``data`` as plausible text, if one does."""
    for codec in _ENCODING_HINTS:
        if codec == wrong:
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "utf-8" or _plausible(text, codec):
            return codec
    return None


def _with_hint(refused: Refused, data: bytes, codec: str) -> Refused:
    """``refused`` (the file does not read in the encoding it was stated in) with the encoding it
    looks like, when another one reads it."""
    likely = _likely_encoding(data, codec)
    if likely is not None:
        name, stated = _ENCODING_HINTS[likely]
        reason = refused.errors[0].reason
        refused = Refused(Msg("{reason}; it looks like {name}: state {stated} or leave the encoding out",
                                 reason=reason, name=name, stated=stated))
    return refused


def decode_failure(data: bytes, codec: str, what: str) -> Refused:
    try:
        data.decode(codec)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return Refused(Msg("the file is not valid {what}: the bytes at line {line} cannot be read", what=what, line=line))
    return Refused(Msg("the file is not valid {what}", what=what))


def legacy_text(data: bytes) -> tuple[str, str]:
    """Text of a file that is not UTF-8: GB18030, else Big5 (cp950), whichever reads cleanly
    first; undecodable bytes are refused, never replaced, and so is mojibake."""
    readable = False
    for codec in ("gb18030", "cp950"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readable = True
        if _suspicious_share(text) <= _MOJIBAKE_SHARE:
            return text, codec
    if not readable:
        raise Refused(
            Msg("the file is not UTF-8, GB18030/GBK or Big5 text; save it as CSV UTF-8 or state its encoding")
        )
    raise Refused(
        Msg("the file's text does not read cleanly as UTF-8, GB18030 or Big5; state its encoding")
    )


def utf8_body(data: bytes, stated: str | None) -> tuple[bytes, str, bool]:
    """UTF-8 bytes for the CSV parser, the encoding the file was read with, and whether the file
    is only presumed UTF-8 (then a decoding error means: try GB18030 and Big5).

    pandas decodes UTF-8 strictly while it parses, so a UTF-8 file is not decoded twice.
    """
    bom = data.startswith(codecs.BOM_UTF8)
    if stated:
        try:
            name = codecs.lookup(stated).name
        except LookupError:
            raise Refused(Msg("unknown encoding '{encoding}'", encoding=stated)) from None
        codec = _STATED.get(name)
        if codec is None:
            raise Refused(Msg("encoding '{encoding}' is not supported (use UTF-8, GB18030/GBK or Big5)", encoding=stated))
        if bom and codec != "utf-8":
            raise Refused(
                Msg("the file starts with a UTF-8 byte-order mark but was declared {encoding}", encoding=stated)
            )
        if codec == "utf-8":
            return (data[3:], "utf-8-sig", False) if bom else (data, "utf-8", False)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise _with_hint(decode_failure(data, codec, stated), data, codec) from None
        if _misread(data, text, codec):
            # a Big5 file stated as GBK reads without error, as mojibake: refused, not imported
            raise _with_hint(
                Refused(Msg("the file's text does not read as {encoding}: it comes out garbled", encoding=stated)),
                data,
                codec,
            )
        return text.encode("utf-8"), codec, False
    if bom:
        return data[3:], "utf-8-sig", False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16", False
        except UnicodeDecodeError:
            raise decode_failure(data, "utf-16", "UTF-16") from None
    sample = data[:8192]
    # NUL bytes throughout the start: UTF-16 text without a byte-order mark, or no text at all.
    # A few are a text file's NUL characters, refused later with their row and column.
    if sample.count(b"\x00") * 16 > len(sample):
        raise Refused(Msg("the file is binary, not CSV text"))
    if data.isascii():
        return data, "utf-8", False
    try:  # a GBK or Big5 file nearly always shows it in its first bytes: skip a wasted parse
        codecs.getincrementaldecoder("utf-8")().decode(data[:65536], final=False)
    except UnicodeDecodeError:
        text, codec = legacy_text(data)
        return text.encode("utf-8"), codec, False
    return data, "utf-8", True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def with_csv_text(data: bytes, stated: str | None, read: Callable[[bytes], T]) -> tuple[T, str]:
    """``read`` applied to a CSV file as UTF-8 bytes, and the encoding the file was read with.
    A file only presumed UTF-8 (:func:`utf8_body`) whose bytes turn out not to be is read again
    as GB18030 or Big5."""
    body, used, presumed = utf8_body(data, stated)
    try:
        try:
            refuse_nul(body)
            return read(body), used
        except UnicodeDecodeError:
            if not presumed:
                raise _with_hint(decode_failure(data, "utf-8", "UTF-8"), data, "utf-8") from None
            text, used = legacy_text(data)
            body = text.encode("utf-8")
            refuse_nul(body)
            return read(body), used
    except Refused as refused:
        refused.encoding = refused.encoding or used
        raise


#: The reason given for a cell that holds a NUL character.
NUL_CELL = Msg("contains a NUL character (U+0000), which cannot be stored")


def refuse_nul(body: bytes) -> None:
    """Refuse CSV text (UTF-8) with a NUL character anywhere, naming each cell that holds one:
    PostgreSQL stores no NUL in any text, and no spreadsheet program writes one."""
    if b"\x00" not in body:
        return
    try:
        header, before, sep = csv_header(body.replace(b"\x00", b""))
    except Refused:  # nothing but NULs on the first lines: name the cells by their letters
        header, before, sep = [], -1, ","
    records = csv.reader(io.StringIO(body.decode("utf-8"), newline=""), delimiter=sep)
    try:
        errors = [
            RowError(number, _column_name(header, index, number == before + 1), NUL_CELL)
            for number, record in enumerate(records, 1)
            for index, cell in enumerate(record)
            if "\x00" in cell
        ]
    except csv.Error:  # a cell longer than the csv module reads: no cell named, still refused
        errors = []
    raise Refused(*errors or [RowError(None, None, Msg("the file contains a NUL character (U+0000), which cannot be stored"))])


def _column_name(header: Sequence[str], index: int, in_header: bool) -> str:
    """A column as the file names it, or by its letter where the header gives no name (or the
    cell is the header's own)."""
    name = header[index] if index < len(header) and not in_header else ""
    return name if name and "\x00" not in name else Msg("column {letter}", letter=column_letter(index))


#: Rows with a value above the header (a ledger's title, who filled it in) passed over at most
#: while looking for a header the caller recognises.
MAX_TITLE_ROWS = 10


def csv_header(
    body: bytes,
    limits: SheetLimits | None = None,
    recognise: Callable[[list[str]], bool] | None = None,
) -> tuple[list[str], int, str]:
    """The header cells (trimmed), how many lines come before the header, and the delimiter; a
    header wider than ``limits`` allow is refused before any row is read. With ``recognise``,
    the header is the first of the first lines with a value that it recognises (a title above
    the header is passed over), else the first line with a value."""
    if recognise is not None and limits is not None:
        # a line wider than the limits is taken for the header, and refused below at once
        widest, inner = limits.max_columns, recognise
        recognise = lambda cells: len(cells) > widest or inner(cells)  # noqa: E731
    line, before = header_line(body, recognise)
    sep = delimiter(line)
    try:
        header = [cell.strip() for cell in next(csv.reader([line], delimiter=sep))]
    except csv.Error:
        raise Refused(Msg("the header row cannot be read as CSV")) from None
    if limits is not None and len(header) > limits.max_columns:
        raise too_many_columns(len(header), limits.max_columns)
    return header, before, sep


def header_line(
    body: bytes, recognise: Callable[[list[str]], bool] | None = None
) -> tuple[str, int]:
    """The first line with a value (decoded) and how many lines come before it; Excel writes an
    empty row as a line of delimiters. With ``recognise``: the first of the first
    :data:`MAX_TITLE_ROWS` + 1 lines with a value whose cells it recognises, else the first."""
    first: tuple[str, int] | None = None
    seen = 0
    for index, raw in enumerate(io.BytesIO(body)):
        line = raw.decode("utf-8")
        if not line.strip(' \t\r\n,;"'):
            continue
        line = line.rstrip("\r\n")
        if recognise is None or recognise(line_cells(line)):
            return line, index
        first = first or (line, index)
        seen += 1
        if seen > MAX_TITLE_ROWS:
            break
    if first is None:
        raise Refused(Msg("the file is empty"))
    return first


def line_cells(line: str) -> list[str]:
    """One line of CSV text as its cells (trimmed), by the delimiter the line itself suggests."""
    try:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter(line)))]
    except (csv.Error, StopIteration):
        return []


def delimiter(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_ragged(text: str, sep: str, width: int, max_records: int | None = None) -> pd.DataFrame:
    """Row by row, for files with rows longer than the header: each such row is an error,
    unless its extra cells are all blank (a stray delimiter at the end of a line). Reading stops
    after ``max_records`` records, and a file cut short there is not refused for its rows: the
    caller refuses its length."""
    records: list[list[str]] = []
    errors: list[RowError] = []
    reader = enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep), 1)
    try:
        for number, record in reader:
            if max_records is not None and number > max_records:
                return pd.DataFrame(records, columns=range(width), dtype=object)
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                errors.append(
                    RowError(number, None, Msg("has {cells} cells but the header has {width}", cells=len(record), width=width))
                )
            records.append(record[:width] + [""] * (width - len(record)))
    except csv.Error:  # the csv module reads no cell longer than its field size limit
        limit = csv.field_size_limit()
        raise Refused(
            *errors, RowError(len(records) + 1, None, Msg("has a cell longer than {limit} characters", limit=format(limit, ",")))
        ) from None
    if errors:
        raise Refused(*errors)
    return pd.DataFrame(records, columns=range(width), dtype=object)


def read_csv_frame(
    body: bytes, sep: str, width: int, dtype: Any, limits: SheetLimits, deadline: Deadline
) -> pd.DataFrame:
    """A CSV file (UTF-8) as a frame of ``width`` columns, one row per line from the first, read
    no further than ``limits`` allow: the header's width is checked first, and parsing stops one
    row past the most rows (or cells) allowed, so a longer file is refused without being read
    whole."""
    if width > limits.max_columns:
        raise too_many_columns(width, limits.max_columns)
    allowed = min(limits.max_rows + 1, limits.max_cells // max(width, 1))
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            sep=sep,
            header=None,
            names=range(width),
            encoding="utf-8",
            dtype=dtype,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            nrows=allowed + 1,
        )
    except pd.errors.ParserError:
        deadline.check()
        frame = read_ragged(body.decode("utf-8"), sep, width, max_records=allowed + 1)
    deadline.check()
    if len(frame) > allowed:
        if len(frame) - 1 > limits.max_rows:
            raise too_many_rows(len(frame) - 1, limits.max_rows)
        raise too_many_cells(len(frame) * width, limits.max_cells)
    return frame


def cell_text(value: Any) -> str:
    """A workbook cell as the text the user sees (numbers to Excel's 15 significant digits)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel shows 15 significant digits: 0.30000000000000004 is binary noise for 0.3.
        return (
            str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
        )
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class Sheet(NamedTuple):
    """A worksheet as text: every column from the sheet's first row (position + 1 is the sheet's
    row number), the header (the first row with a value, its cells trimmed) and the number of
    rows before the header."""

    columns: list[np.ndarray]  # object arrays of str, one per column
    header: list[str]
    before: int


def read_sheet(
    data: bytes,
    sheet: str | None = None,
    text: Callable[[Any], str] = cell_text,
    *,
    limits: SheetLimits,
    deadline: Deadline,
    recognise: Callable[[list[str]], bool] | None = None,
) -> Sheet:
    """A worksheet of an XLSX workbook (``sheet`` by name; the first by default), each cell as
    ``text`` shows it, once :func:`~neutrality.sheet_limits.check_workbook` has found it within
    ``limits``. The header is the first row with a value, or with ``recognise`` the first of the
    first :data:`MAX_TITLE_ROWS` + 1 such rows that it recognises (a title above is passed over)."""
    try:
        checked = check_workbook(data, sheet, limits, deadline)
    except DamagedWorkbook as damaged:
        raise Refused(damaged.reason) from None
    except NoSuchSheet:
        raise Refused(Msg("the workbook has no sheet named '{sheet}'", sheet=sheet)) from None
    try:
        # calamine (Rust) reads a workbook about 9× faster than openpyxl (50,000 rows: 0.46 s
        # against 4.0 s) and gives the same Python values: numbers, text and datetimes.
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=sheet if sheet is not None else 0,
            header=None,
            dtype=object,
            engine="calamine",
        )
    except ValueError as e:
        if sheet is not None and "not found" in str(e):
            raise Refused(Msg("the workbook has no sheet named '{sheet}'", sheet=sheet)) from None
        raise Refused(Msg("the file is not a readable XLSX workbook")) from None
    except Exception:  # zipfile.BadZipFile, KeyError, XML errors: a damaged workbook
        raise Refused(Msg("the file is not a readable XLSX workbook")) from None
    deadline.check()
    n = len(frame)
    check_reach(n, len(frame.columns), limits)  # what the check found, as read
    columns = []
    for c in frame.columns:
        columns.append(np.fromiter((text(v) for v in frame[c]), dtype=object, count=n))
        deadline.check()
    # pandas keeps leading empty rows and columns, so position + 1 is the sheet's row number.
    filled = np.zeros(n, dtype=bool)
    for column in columns:
        filled |= np.fromiter((bool(v.strip()) for v in column), dtype=bool, count=n)
    if not filled.any():
        raise Refused(Msg("the file is empty"))
    candidates = np.flatnonzero(filled)[: MAX_TITLE_ROWS + 1]
    head = int(candidates[0])
    if recognise is not None:
        for position in candidates.tolist():
            if recognise([str(column[position]).strip() for column in columns]):
                head = position
                break
    header = [str(column[head]).strip() for column in columns]
    if checked.may_hold_nul:
        errors = [
            RowError(int(position) + 1, _column_name(header, index, position == head), NUL_CELL)
            for index, column in enumerate(columns)
            for position in np.flatnonzero([("\x00" in value) for value in column])
        ]
        if errors:
            raise Refused(*sorted(errors, key=lambda e: e.row or 0))
    return Sheet(columns, header, head)


# --- writing -----------------------------------------------------------------------------------

#: What a spreadsheet program takes a cell's text to be a formula by (=, +, -, @), or strips
#: before it does (a tab or a carriage return): "=cmd|' /C calc'!A0" runs a program.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def formula_safe(value: Any) -> Any:
    """A cell's value as the application may write it to a CSV or XLSX file: text that a
    spreadsheet program would take for a formula gets an apostrophe in front, which the program
    shows as text (OWASP's advice for CSV injection). Numbers are left alone, also as text
    ("-12.5")."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if not _NUMBER_TEXT.fullmatch(value):
            return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[Any]], *, byte_order_mark: bool = True) -> bytes:
    """Rows as a CSV file the way Excel reads it (UTF-8 with a byte-order mark, CRLF), every cell
    through :func:`formula_safe`: how the application writes a CSV file for people to open."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([formula_safe(value) for value in row])
    text = out.getvalue()
    return (codecs.BOM_UTF8 if byte_order_mark else b"") + text.encode("utf-8")


# --- header checks -----------------------------------------------------------------------------

#: The reason given for a header that is neither a field nor mapped to one.
UNKNOWN_COLUMN = Msg("unknown column: map it to a field or mark it as ignored")


def named_columns(
    header: Sequence[str], row: int, errors: list[RowError]
) -> Iterator[tuple[int, str]]:
    """The header's named columns with their positions, each name once: a name written twice
    (compared as :func:`norm` does) is added to ``errors`` as it is met, and skipped."""
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            continue  # a column without a header must be empty (refuse_unnamed_values)
        normal = norm(name)
        if normal in seen:
            errors.append(
                RowError(
                    row,
                    name,
                    Msg("appears twice (columns {first} and {second})",
                        first=column_letter(seen[normal]), second=column_letter(index)),
                )
            )
            continue
        seen[normal] = index
        yield index, name


def refuse_unnamed_values(
    header: Sequence[str], row: int, has_values: Callable[[int], bool]
) -> None:
    """Refuse the file when a column without a header holds a value below the header (row
    ``row``): its values would be lost. ``has_values(i)`` says whether column ``i`` does."""
    errors = [
        RowError(row, Msg("column {letter}", letter=column_letter(i)), Msg("has values but no header"))
        for i, name in enumerate(header)
        if not name and has_values(i)
    ]
    if errors:
        raise Refused(*errors)


def header_names(header: Sequence[str]) -> str:
    """The header's column names, for a message that says what the file has."""
    return ", ".join(h for h in header if h) or Msg("none")


class BadCell(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_ISO_DATE = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
)


_CJK_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")


_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


_SERIAL_DATE = re.compile(r"(\d{1,7})(?:\.(\d+))?")


_EXCEL_EPOCH = dt.date(
    1899, 12, 30
)  # serial 1 = 1900-01-01 once Excel's phantom 1900-02-29 is skipped


_MAX_SERIAL = 2_958_465  # 9999-12-31


def parse_date(raw: str) -> dt.date:
    """ISO dates (also 2024/1/31, 2024.1.31), 2024年1月31日, 20240131 and Excel serial numbers.

    Day-first or month-first forms (31/01/2024, 01/31/2024) are refused: they cannot be told
    apart, and guessing would move activity between months.
    """
    text = norm(raw)
    parts: tuple[str, str, str] | None = None
    if match := _ISO_DATE.fullmatch(text):
        if any(int(g or 0) for g in match.groups()[3:]):
            raise BadCell(Msg("'{value}' has a time of day; give the date only", value=raw.strip()))
        parts = match.group(1, 2, 3)
    elif (match := _CJK_DATE.fullmatch(text)) or (match := _COMPACT_DATE.fullmatch(text)):
        parts = match.group(1, 2, 3)
    elif match := _SERIAL_DATE.fullmatch(text):
        serial = int(match.group(1))
        if match.group(2) and int(match.group(2)):
            raise BadCell(Msg("'{value}' has a time of day; give the date only", value=raw.strip()))
        if serial == 60:
            raise BadCell(Msg("Excel serial 60 is 1900-02-29, a day that does not exist"))
        if not 1 <= serial <= _MAX_SERIAL:
            raise BadCell(Msg("'{value}' is not a date", value=raw.strip()))
        return _EXCEL_EPOCH + dt.timedelta(days=serial + (1 if serial < 60 else 0))
    if parts is None:
        raise BadCell(Msg("'{value}' is not a date (write it as YYYY-MM-DD, e.g. 2024-01-31)", value=raw.strip()))
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise BadCell(Msg("'{value}' is not a real calendar date", value=raw.strip())) from None


#: Fast path: plain non-negative numbers below 1e15 with at most 12 decimal places.
PLAIN_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{0,12})?")


_NUMBER = re.compile(r"([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:e([+-]?[0-9]+))?")


_GROUPED = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+)(\.[0-9]*)?")


_NOT_FINITE = {
    "nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity",
    "#num!", "#div/0!", "#value!", "#n/a",  # Excel's error values
}  # fmt: skip


WIDE_CONTEXT = Context(prec=60)


def parse_number(raw: str, limit: Decimal = MAX_QUANTITY, allow_zero: bool = True) -> Decimal:
    """A number as written, exactly: thousands separators and full-width digits allowed."""
    shown = raw.strip()
    text = unicodedata.normalize("NFKC", shown).replace("\u2212", "-")  # U+2212 minus sign
    if not text:
        raise BadCell(Msg("is empty"))
    if text.casefold() in _NOT_FINITE:
        raise BadCell(Msg("'{value}' is not a finite number", value=shown))
    if text.startswith("(") and text.endswith(")"):  # accountants' notation for a negative
        raise BadCell(Msg("'{value}' is negative", value=shown))
    if grouped := _GROUPED.fullmatch(text):
        text = grouped.group(1) + grouped.group(2).replace(",", "") + (grouped.group(3) or "")
    elif "," in text:  # 1,5 may be a decimal comma: refuse rather than read fifteen
        raise BadCell(Msg("'{value}' is not a number (a comma may only separate thousands: 1,234.5)", value=shown))
    if not _NUMBER.fullmatch(text.casefold()):
        raise BadCell(Msg("'{value}' is not a number", value=shown))
    value = Decimal(text)
    if value < 0:
        raise BadCell(Msg("'{value}' is negative", value=shown))
    if value == 0 and not allow_zero:
        raise BadCell(Msg("must be more than zero"))
    if value > limit:
        raise BadCell(Msg("'{value}' is too large (more than {limit})", value=shown, limit=format(limit, ",.0f")))
    if "e" in text.casefold() or -int(value.as_tuple().exponent) > MAX_DECIMAL_PLACES:
        value = tidy(value)  # 1.5E+3 is 1500 (Excel writes it); 1.50000000000000 is 1.5
    if -int(value.as_tuple().exponent) > MAX_DECIMAL_PLACES:
        raise BadCell(Msg("'{value}' has more than {places} decimal places", value=shown, places=MAX_DECIMAL_PLACES))
    return value
