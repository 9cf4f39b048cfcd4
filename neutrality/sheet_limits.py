"""The limits a spreadsheet is read within, and the check that holds an XLSX workbook to them
before it is read.

An XLSX file is a zip archive of XML parts. Its reader (calamine, through pandas) unzips the
parts it needs and holds the sheet as one rectangle, from A1 to the furthest cell, so a small
file can ask for any amount of memory: a workbook of 1.5 KB with a cell in A1 and one in
XFD1048576 asks for 512 GiB, and the process aborts. :func:`check_workbook` reads the zip's
directory (how many parts, their declared sizes, how they are compressed) and then streams the
sheet's XML once, a few MiB at a time, finding how far its cells reach; what is beyond the
:class:`SheetLimits` is refused before the reader sees it. The declared sizes bound what either
reader unzips: both stop a part at its declared size.

Where a sheet's cells all carry their position as Excel, LibreOffice and openpyxl write it
(``<c r="B7"``), the reach is exact, and the scan reads some 150 MB of XML a second (a million
rows of 21 columns, 770 MB, in 5 s against the reader's 40 s). Any other spelling (positions left
out, namespace prefixes mixed, single quotes) is measured by a scan about as fast whose reach is
an upper bound: a row's cells without a position follow the last one with a position, rows
without a number follow the highest number seen.

Pure: no database, Flask or clock (a monotonic timer bounds how long a read may take).
"""

from __future__ import annotations

import functools
import html
import io
import itertools
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from neutrality.errors import NeutralityError
from neutrality.messages import Msg

if TYPE_CHECKING:
    from neutrality.settings import Settings

GIB = 1 << 30


@dataclass(frozen=True)
class SheetLimits:
    """How much of a spreadsheet is read at most, each limit included.

    ``max_rows`` counts the rows below the file's first row (its header, as a rule);
    ``max_cells`` the rows times the columns of the rectangle a reader holds (from A1 to the
    furthest cell); ``max_uncompressed_bytes`` a CSV file's size or the sum of an XLSX
    workbook's parts once unzipped; ``max_seconds`` how long reading may take.
    """

    max_rows: int
    max_columns: int
    max_cells: int
    max_uncompressed_bytes: int = GIB
    max_seconds: int = 120

    def deadline(self) -> Deadline:
        return Deadline(self.max_seconds)


#: Activity files: a million rows of our 21 fields, with room for a customer's own columns.
ACTIVITY_FILE_LIMITS = SheetLimits(max_rows=1_000_000, max_columns=200, max_cells=30_000_000)
#: Registry exports: two million rows (Verra's transactions export has 17 to 20 columns).
REGISTRY_FILE_LIMITS = SheetLimits(max_rows=2_000_000, max_columns=200, max_cells=40_000_000)


def activity_file_limits(settings: Settings) -> SheetLimits:
    """The limits the settings set for activity data files."""
    return SheetLimits(
        max_rows=settings.activity_file_max_rows,
        max_columns=settings.activity_file_max_columns,
        max_cells=settings.activity_file_max_cells,
        max_uncompressed_bytes=settings.spreadsheet_max_uncompressed_bytes,
        max_seconds=settings.spreadsheet_max_read_seconds,
    )


def registry_file_limits(settings: Settings) -> SheetLimits:
    """The limits the settings set for registry exports (imports, retirements, reconciliation)."""
    return SheetLimits(
        max_rows=settings.registry_file_max_rows,
        max_columns=settings.registry_file_max_columns,
        max_cells=settings.registry_file_max_cells,
        max_uncompressed_bytes=settings.spreadsheet_max_uncompressed_bytes,
        max_seconds=settings.spreadsheet_max_read_seconds,
    )


class FileTooLarge(NeutralityError):
    """A file beyond one of its :class:`SheetLimits` (413); nothing of it is imported.

    ``details`` name the limit (rows, columns, cells, uncompressed_bytes, parts, seconds), its
    maximum and what the file has (at least).
    """

    code = "file_too_large"
    http_status = 413

    def __init__(self, message: str, limit: str, maximum: int, found: int | None = None):
        super().__init__(message, {"limit": limit, "maximum": maximum, "found": found})


#: How a count was made, and how the messages say it: counted in the file (at least that many,
#: as reading stopped at the limit), declared by the sheet's dimension, or estimated (an upper
#: bound, for cells written without their position).
COUNTED, DECLARED, ESTIMATED = "at least", "declares", "may have up to"

_WHAT = {
    "rows": Msg("rows below its first row"),
    "columns": Msg("columns"),
    "cells": Msg("cells (rows × columns)"),
}

_VERBS = {COUNTED: Msg("has at least"), DECLARED: Msg("declares"), ESTIMATED: Msg("may have up to")}


def _too_many(limit: str, found: int, maximum: int, how: str) -> FileTooLarge:
    advice = Msg(", so split it into smaller files") if limit == "cells" else ""
    return FileTooLarge(
        Msg("the file {verb} {found} {what}; the limit is {maximum}{advice}", verb=_VERBS[how],
            found=format(found, ","), what=_WHAT[limit], maximum=format(maximum, ","), advice=advice),
        limit,
        maximum,
        found,
    )


def too_many_rows(found: int, maximum: int, how: str = COUNTED) -> FileTooLarge:
    return _too_many("rows", found, maximum, how)


def too_many_columns(found: int, maximum: int, how: str = COUNTED) -> FileTooLarge:
    return _too_many("columns", found, maximum, how)


def too_many_cells(found: int, maximum: int, how: str = COUNTED) -> FileTooLarge:
    return _too_many("cells", found, maximum, how)


def check_reach(rows: int, columns: int, limits: SheetLimits, how: str = COUNTED) -> None:
    """Refuse a sheet of ``rows`` rows (its first row included) and ``columns`` columns beyond
    the limits: rows below the first, columns, then the cells of the whole rectangle."""
    if rows - 1 > limits.max_rows:
        raise too_many_rows(rows - 1, limits.max_rows, how)
    if columns > limits.max_columns:
        raise too_many_columns(columns, limits.max_columns, how)
    if rows * columns > limits.max_cells:
        raise too_many_cells(rows * columns, limits.max_cells, how)


class Deadline:
    """The moment a read has to be over by; :meth:`check` refuses the file once it has passed."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() >= self._end:
            raise FileTooLarge(
                Msg("the file could not be read within {seconds} seconds, the limit, "
                    "so split it into smaller files", seconds=format(self.seconds, ",")),
                "seconds",
                self.seconds,
            )


class DamagedWorkbook(Exception):
    """A workbook the reader would fail on, or could be misled by; ``reason`` is for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NoSuchSheet(Exception):
    """The workbook has no sheet of the name asked for."""


@dataclass(frozen=True)
class WorkbookCheck:
    """What the check found: whether a sheet's text may hold NUL characters (raw bytes 0, which
    the reader passes through), so that the cells holding them are looked for once it is read."""

    may_hold_nul: bool


#: Parts of a workbook at most: Excel writes a dozen, a workbook with many sheets and pictures
#: a few hundred.
MAX_PARTS = 10_000
#: Largest list of sheets (xl/workbook.xml) or of their relationships read whole, in bytes.
MAX_LIST_BYTES = 16 << 20
#: XML read at a time when a part is streamed.
CHUNK_BYTES = 4 << 20


def check_workbook(
    data: bytes, sheet: str | None, limits: SheetLimits, deadline: Deadline
) -> WorkbookCheck:
    """Refuse an XLSX workbook whose parts, or whose sheet ``sheet`` (the first by default),
    reach beyond ``limits``: :class:`FileTooLarge`, or :class:`DamagedWorkbook` for one the
    reader would misread; :class:`NoSuchSheet` when the sheet named is not there."""
    archive, parts = _parts(data, limits)
    path = _sheet_path(archive, parts, sheet)
    info = parts.get(_folded(path))
    if info is None:
        raise DamagedWorkbook(Msg("the workbook lists a sheet whose part is missing"))
    try:
        reach = _canonical_reach(archive, info, limits, deadline)
        if reach is None:
            reach = _general_reach(archive, info, limits, deadline)
        nul = reach.nul
        strings = parts.get("xl/sharedstrings.xml")
        if strings is not None:
            nul |= _count_shared_strings(archive, strings, limits, deadline)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise DamagedWorkbook(Msg("the file is not a readable XLSX workbook")) from None
    return WorkbookCheck(nul)


# --- the archive -------------------------------------------------------------------------------

_END_OF_DIRECTORY = b"PK\x05\x06"


def _folded(name: str) -> str:
    """A part name as the reader compares it: ASCII letters in either case are the same."""
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _parts(data: bytes, limits: SheetLimits) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """The archive and its parts by folded name, once the directory's own count, the parts'
    names, compression and declared sizes have been checked."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise DamagedWorkbook(Msg("the file is not a readable XLSX workbook"))
    # The count is read from the end record before the directory is: a directory of a million
    # entries would take hundreds of MiB to list. 0xFFFF means more (ZIP64).
    count = struct.unpack_from("<H", data, end + 10)[0]
    if count > MAX_PARTS:
        raise FileTooLarge(
            Msg("the workbook has at least {count} parts; the limit is {limit}", count=format(count, ","), limit=format(MAX_PARTS, ",")),
            "parts",
            MAX_PARTS,
            count,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise DamagedWorkbook(Msg("the file is not a readable XLSX workbook")) from None
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise FileTooLarge(
            Msg("the workbook has {count} parts; the limit is {limit}", count=format(len(infos), ","), limit=format(MAX_PARTS, ",")),
            "parts",
            MAX_PARTS,
            len(infos),
        )
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = _folded(info.filename)
        if name in parts:  # the two readers might each take another one
            raise DamagedWorkbook(Msg("the workbook holds two parts named '{part}'", part=info.filename))
        if info.flag_bits & 0x1:
            raise DamagedWorkbook(Msg("the workbook is encrypted; save it without a password"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DamagedWorkbook(
                Msg("the workbook is compressed in a way spreadsheet programs do not use; "
                    "save it again as .xlsx")
            )
        parts[name] = info
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise FileTooLarge(
            Msg("the workbook unzips to {size} bytes; the limit is {limit} bytes",
                size=format(total, ","), limit=format(limits.max_uncompressed_bytes, ",")),
            "uncompressed_bytes",
            limits.max_uncompressed_bytes,
            total,
        )
    return archive, parts


def _small_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_LIST_BYTES:
        raise DamagedWorkbook(Msg("the workbook's part '{part}' is too large to be a list", part=info.filename))
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise DamagedWorkbook(Msg("the file is not a readable XLSX workbook")) from None


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RELATIONSHIP = re.compile(rb"<(?:[^\s/>!?:]+:)?Relationship(?=[\s/>])([^>]*)>")
_SHEET = re.compile(rb"<(?:[^\s/>!?:]+:)?sheet(?=[\s/>])([^>]*)>")


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3) or b""
        for m in _ATTRIBUTE.finditer(text)
    }


def _sheet_path(
    archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], sheet: str | None
) -> str:
    """The part of the sheet the reader would read, found as it finds it: the first sheet of
    xl/workbook.xml (or the first of that name) and its target in the workbook's relationships,
    a later relationship of the same id replacing an earlier one."""
    rels, book = parts.get("xl/_rels/workbook.xml.rels"), parts.get("xl/workbook.xml")
    if rels is None or book is None:
        raise DamagedWorkbook(Msg("the file is not a readable XLSX workbook"))
    targets: dict[bytes, bytes] = {}
    for match in _RELATIONSHIP.finditer(_COMMENT.sub(b"", _small_part(archive, rels))):
        attributes = _attributes(match.group(1))
        targets[attributes.get(b"Id", b"")] = attributes.get(b"Target", b"")
    for match in _SHEET.finditer(_COMMENT.sub(b"", _small_part(archive, book))):
        attributes = _attributes(match.group(1))
        name = html.unescape(attributes.get(b"name", b"").decode("utf-8", "replace"))
        if sheet is not None and name != sheet:
            continue
        rid = attributes.get(b"r:id", attributes.get(b"relationships:id"))
        if rid is None or rid not in targets:
            raise DamagedWorkbook(Msg("the file is not a readable XLSX workbook"))
        target = targets[rid].decode("utf-8", "replace")
        if target.startswith("/xl/"):
            return target[1:]
        return target if target.startswith("xl/") else f"xl/{target}"
    if sheet is not None:
        raise NoSuchSheet(sheet)
    raise DamagedWorkbook(Msg("the workbook has no sheet"))


def _pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, deadline: Deadline) -> Iterator[bytes]:
    """A part's XML in pieces of about :data:`CHUNK_BYTES`, each ending after a ``>`` so that
    no tag is cut in two (a piece without one keeps its last 256 bytes for the next).

    The XML must be UTF-8 (or another encoding that writes tags in ASCII), as spreadsheet
    programs write it: the counts look for tags byte by byte, and UTF-16 would hide them.
    """
    with archive.open(info) as stream:
        tail, first = b"", True
        while chunk := stream.read(CHUNK_BYTES):
            deadline.check()
            if first and b"\x00" in chunk[:64]:  # UTF-16 or UTF-32, with a mark or without
                raise DamagedWorkbook(
                    Msg("the workbook's part '{part}' is not written in UTF-8; "
                        "save it again as .xlsx", part=info.filename)
                )
            buffer = tail + chunk
            cut = buffer.rfind(b">") + 1 or max(0, len(buffer) - 256)
            tail, first = buffer[cut:], False
            yield buffer[:cut]
        if tail:
            yield tail


# --- how far the cells reach -------------------------------------------------------------------


@dataclass
class _Reach:
    rows: int = 0  # the furthest row a cell may be in, counted from 1
    columns: int = 0  # the furthest column, counted from 1 (A = 1)
    nul: bool = False


_HUGE = 10**15


def _column_number(letters: bytes) -> int:
    if len(letters) > 8:
        return _HUGE
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _row_number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 15 else _HUGE


_DIMENSION = re.compile(
    rb"""<(?:[^\s/>!?:]+:)?dimension\s[^>]*?(?<=\s)ref\s*=\s*["'][^"':]*:?([A-Za-z]+)([0-9]+)["']"""
)


def _check_dimension(piece: bytes, limits: SheetLimits) -> None:
    """Refuse at once a sheet whose dimension (the range it says it uses, written before its
    cells) is beyond the limits: a sheet of a million rows is then refused without being read."""
    match = _DIMENSION.search(piece, 0, 1 << 16)
    if match:
        rows, columns = _row_number(match.group(2)), _column_number(match.group(1))
        check_reach(rows, columns, limits, DECLARED)


_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_ROOT = re.compile(rb"<([^\s/>!?:]+:)?worksheet[\s/>]")


def _greater(limit: int, letters: bool = False) -> str:
    """A regular expression for the numbers greater than ``limit``: decimal (no leading zero),
    or column letters in either case (A = 1, Z = 26, AA = 27)."""
    text = column_name(limit) if letters else str(limit)

    def span(low: str, high: str) -> str:
        return f"[{low}-{high}{low.lower()}-{high.lower()}]" if letters else f"[{low}-{high}]"

    def same(char: str) -> str:
        return f"[{char}{char.lower()}]" if letters else char

    first, last = ("A", "Z") if letters else ("0", "9")
    options = [
        (span(first, last) if letters else "[1-9]") + span(first, last) + f"{{{len(text)},}}"
    ]
    for position, char in enumerate(text):
        if char != last:
            rest = len(text) - position - 1
            options.append(
                "".join(map(same, text[:position]))
                + span(chr(ord(char) + 1), last)
                + span(first, last)
                + f"{{{rest}}}"
            )
    return "(?:" + "|".join(options) + ")"


def column_name(column: int) -> str:
    """A spreadsheet column's letters from its number: 1 is A, 27 is AA, 16,384 is XFD."""
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


@dataclass(frozen=True)
class _Spelling:
    """The patterns of a sheet whose cells are all written ``<c r="...`` (``<x:c r="...`` where
    the sheet's elements have the prefix ``x:``)."""

    prefix: bytes

    @functools.cached_property
    def cell(self) -> re.Pattern[bytes]:
        return re.compile(b"<" + re.escape(self.prefix) + rb'c r="([A-Za-z]+)0*([0-9]+)"')

    @functools.cached_property
    def start(self) -> bytes:
        return b"<" + self.prefix + b'c r="'

    @functools.cached_property
    def other_cell(self) -> re.Pattern[bytes]:
        """A cell written any other way: with another prefix (or none), or without its
        position as the first attribute."""
        if not self.prefix:
            return re.compile(rb'<c(?:[\t\n\r/>]| (?!r="))|:c[\s/>]')
        mine = re.escape(self.prefix[:-1])
        return re.compile(
            rb"<c[\s/>]|(?<!<"
            + mine
            + rb")(?<!</"
            + mine
            + rb"):c[\s/>]|<"
            + mine
            + rb':c(?:[\t\n\r/>]| (?!r="))'
        )

    def right_of(self, columns: int) -> re.Pattern[bytes]:
        return _pattern(self.start + f"{_greater(columns, letters=True)}[0-9]".encode())

    def below(self, rows: int) -> re.Pattern[bytes]:
        return _pattern(self.start + f'[A-Za-z]+0*{_greater(rows)}"'.encode())


@functools.lru_cache(maxsize=64)
def _pattern(text: bytes) -> re.Pattern[bytes]:
    return re.compile(text)


def _within(rows: int, columns: int, limits: SheetLimits) -> bool:
    return (
        rows - 1 <= limits.max_rows
        and columns <= limits.max_columns
        and rows * columns <= limits.max_cells
    )


def _canonical_reach(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: SheetLimits, deadline: Deadline
) -> _Reach | None:
    """The exact reach of a sheet whose cells are all written ``<c r="..."`` (with the prefix of
    the sheet's root element, if it has one); None for another.

    Rows come in order, so the last cell of a piece is as a rule the furthest down, and the
    cheap tests below find no cell beyond it: none written with more digits, and (where the
    limits could be passed within as many digits) none further down. A piece is read cell by
    cell only when a test finds one, or a cell further right than any before.
    """
    reach, spelling = _Reach(), None
    for number, piece in enumerate(_pieces(archive, info, deadline)):
        if number == 0:
            _check_dimension(piece, limits)
            root = _ROOT.search(piece)
            spelling = _Spelling(root.group(1) or b"" if root else b"")
        assert spelling is not None
        reach.nul = reach.nul or b"\x00" in piece
        if spelling.other_cell.search(piece):
            return None
        last = spelling.cell.match(piece, max(0, piece.rfind(spelling.start)))
        if last:
            reach.rows = max(reach.rows, _row_number(last.group(2)))
        digits = len(str(reach.rows))
        if (
            spelling.right_of(reach.columns).search(piece)
            or piece.translate(_DIGITS).find(b"0" * (digits + 1) + b'"') >= 0
            or not _within(10**digits - 1, reach.columns, limits)
            and spelling.below(reach.rows).search(piece)
        ):
            for letters, row in spelling.cell.findall(piece):
                reach.rows = max(reach.rows, _row_number(row))
                reach.columns = max(reach.columns, _column_number(letters))
        check_reach(reach.rows, reach.columns, limits)
    return reach


# Any other spelling: positions anywhere in a tag, in either quotes, elements with any prefix.
# (Where a piece has no tab or line break, attributes are separated by spaces: a faster pattern.)
_POSITION = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)0*([0-9]+)""")
_SPACED_POSITION = re.compile(rb""" r *= *["']([A-Za-z]*)0*([0-9]+)""")
_PREFIXED_ROW_END = re.compile(rb"</[^\s/>!?:]+:row>")
_PREFIXED_NUMBERED_ROW = re.compile(rb'<[^\s/>!?:]+:row r="')


def _general_reach(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: SheetLimits, deadline: Deadline
) -> _Reach:
    """An upper bound of the reach of any sheet, as the reader places cells: a cell without a
    position comes right of the cell before it in its row, a row without a number below the row
    before it. So no cell lies below the highest number written plus the rows without one, nor
    right of the furthest column written plus the most cells between two row ends.

    Rows are told apart by their end tags as written by spreadsheet programs (``</row>``); an
    end written otherwise only joins two rows into one, which counts more cells, never fewer.
    XML comments could hide tags from the reader but not from these counts, so a sheet that has
    any is refused (spreadsheet programs write none).
    """
    reach = _Reach()
    numbered = highest_row = highest_column = rows = widest = open_row = 0
    for number, piece in enumerate(_pieces(archive, info, deadline)):
        if number == 0:
            _check_dimension(piece, limits)
        if b"<!--" in piece or b"<![CDATA[" in piece:
            raise DamagedWorkbook(
                Msg("the sheet holds XML comments, which spreadsheet programs do not write; "
                    "save it again as .xlsx")
            )
        reach.nul = reach.nul or b"\x00" in piece
        spaced = b"\t" not in piece and b"\n" not in piece and b"\r" not in piece
        for letters, digits in (_SPACED_POSITION if spaced else _POSITION).findall(piece):
            highest_row = max(highest_row, _row_number(digits))
            if letters:
                highest_column = max(highest_column, _column_number(letters))
        rows += piece.count(b"<row") + piece.count(b":row")
        numbered += piece.count(b'<row r="')
        if b':row r="' in piece:
            numbered += len(_PREFIXED_NUMBERED_ROW.findall(piece))
        # every element named c, with a prefix or without: more than the cells, never fewer
        marks = [mark for mark in (b"<c", b":c") if mark in piece]
        if marks:
            ends = piece.split(b"</row>")
            if b":row>" in piece:
                ends = [part for end in ends for part in _PREFIXED_ROW_END.split(end)]
            widths = list(map(bytes.count, ends, itertools.repeat(marks[0])))
            if len(marks) == 2:
                widths = list(
                    map(int.__add__, widths, map(bytes.count, ends, itertools.repeat(b":c")))
                )
            widths[0] += open_row  # the row the last piece ended in
            open_row = widths[-1]
            widest = max(widest, *widths)
        reach.rows = highest_row + rows - numbered
        reach.columns = highest_column + widest
        check_reach(reach.rows, reach.columns, limits, ESTIMATED)
    return reach


_SHARED_STRING = re.compile(rb"<(?:[^\s/>!?:]+:)?si[\s/>]")


def _count_shared_strings(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: SheetLimits, deadline: Deadline
) -> bool:
    """Refuse a table of shared texts longer than the cells a sheet may have (each takes memory
    however short, and the reader reads them all); whether it may hold NUL characters."""
    count, nul = 0, False
    for piece in _pieces(archive, info, deadline):
        nul = nul or b"\x00" in piece
        count += piece.count(b"<si") if b":si" not in piece else len(_SHARED_STRING.findall(piece))
        if count > limits.max_cells:
            raise FileTooLarge(
                Msg("the workbook holds at least {count} texts; the limit is {limit}", count=format(count, ","), limit=format(limits.max_cells, ",")),
                "cells",
                limits.max_cells,
                count,
            )
    return nul
