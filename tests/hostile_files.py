"""Spreadsheets built to hurt a reader, made in milliseconds, and a way to read one safely.

A workbook is a zip archive: :func:`zip_archive` writes one whose parts may be a block of XML
repeated any number of times (:class:`Repeated`), deflated once and its compressed bytes
repeated, so a part of a gigabyte costs a few kilobytes and no time to build (its CRC-32 is
combined, as zlib's ``crc32_combine`` does, instead of computed over the gigabyte).

:func:`isolated` reads a file in a forked child whose address space is capped, and reports how
long it took, how much memory it used and how it ended: a reader that tries to allocate 512 GiB
aborts the child, not the test run.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import struct
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# --- parts and archives ------------------------------------------------------------------------


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(first: int, second: int, second_length: int) -> int:
    """The CRC-32 of two byte strings one after the other, from theirs (zlib's algorithm)."""
    if second_length <= 0:
        return first
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if second_length & 1:
            first = _gf2_times(even, first)
        second_length >>= 1
        if not second_length:
            break
        odd = _gf2_square(even)
        if second_length & 1:
            first = _gf2_times(odd, first)
        second_length >>= 1
        if not second_length:
            break
    return first ^ second


def _deflate(data: bytes, mode: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(mode)


@dataclass(frozen=True)
class Repeated:
    """A part's text: ``head``, then ``block`` ``times`` over, then ``tail``."""

    head: bytes
    block: bytes
    times: int
    tail: bytes

    @property
    def size(self) -> int:
        return len(self.head) + len(self.block) * self.times + len(self.tail)

    def deflated(self) -> tuple[bytes, int]:
        """The raw deflate stream and the CRC-32 of the text. Each piece ends with a full flush,
        so the block's compressed bytes depend on nothing before them and can be repeated."""
        block = _deflate(self.block, zlib.Z_FULL_FLUSH)
        stream = (
            _deflate(self.head, zlib.Z_FULL_FLUSH)
            + block * self.times
            + _deflate(self.tail, zlib.Z_FINISH)
        )
        crc, unit, length, times = 0, zlib.crc32(self.block), len(self.block), self.times
        while times:  # the block's CRC doubled up, as a number is written in binary
            if times & 1:
                crc = crc32_combine(crc, unit, length)
            unit, length, times = crc32_combine(unit, unit, length), length * 2, times >> 1
        crc = crc32_combine(zlib.crc32(self.head), crc, len(self.block) * self.times)
        return stream, crc32_combine(crc, zlib.crc32(self.tail), len(self.tail))


def zip_archive(parts: Mapping[str, bytes | Repeated]) -> bytes:
    """A zip archive of the parts, deflated, with their true sizes and CRCs."""
    out, directory = bytearray(), bytearray()
    for name, content in parts.items():
        if isinstance(content, Repeated):
            (stream, crc), size = content.deflated(), content.size
        else:
            stream, crc, size = _deflate(content, zlib.Z_FINISH), zlib.crc32(content), len(content)
        encoded, offset = name.encode(), len(out)
        out += (
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(stream),
                size,
                len(encoded),
                0,
            )
            + encoded
            + stream
        )
        directory += (
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(stream),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(out), 0
    )
    return bytes(out + directory + end)


# --- workbooks ---------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def sheet_xml(rows: str, dimension: str | None = None) -> bytes:
    """A worksheet's XML around ``rows`` (the content of sheetData)."""
    claimed = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{_DECLARATION}<worksheet xmlns="{MAIN}">{claimed}<sheetData>{rows}</sheetData>'
        "</worksheet>"
    ).encode()


def workbook(
    sheet: bytes | Repeated,
    shared_strings: bytes | Repeated | None = None,
    more_sheets: Mapping[str, bytes] | None = None,
) -> bytes:
    """An XLSX workbook of a sheet named Sheet1 (and ``more_sheets`` by name, after it), as
    small as Excel reads it."""
    shared = (
        (
            f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        if shared_strings is not None
        else ""
    )
    others = dict(enumerate((more_sheets or {}).items(), start=2))
    listed = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="rIdS{n}"/>' for n, (name, _) in others.items()
    )
    targets = "".join(
        f'<Relationship Id="rIdS{n}" Type="{_RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in others
    )
    parts: dict[str, bytes | Repeated] = {
        "[Content_Types].xml": (
            f'{_DECLARATION}<Types xmlns="{_CONTENT_TYPES}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'{_DECLARATION}<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
            f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'{_DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
            f'<sheet name="Sheet1" sheetId="1" r:id="rId1"/>{listed}</sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'{_DECLARATION}<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
            f'Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>{shared}'
            f"{targets}</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
        **{f"xl/worksheets/sheet{n}.xml": xml for n, (_, xml) in others.items()},
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return zip_archive(parts)


def claims_the_whole_sheet() -> bytes:
    """The 1.5 KB workbook of the report: its dimension claims A1:XFD1048576 and it has a cell
    at each end, so the reader's rectangle is 1,048,576 × 16,384 cells (512 GiB)."""
    return workbook(
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>site</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            dimension="A1:XFD1048576",
        )
    )


def many_rows(rows: int, columns: int, dimension: str | None) -> bytes:
    """A workbook of ``rows`` rows (a multiple of 1,000) of ``columns`` numbers each, the cells
    written without their position (Excel reads them left to right, row after row)."""
    thousand_rows = ("<row>" + "<c><v>1</v></c>" * columns + "</row>").encode() * 1000
    head, tail = sheet_xml("", dimension).split(b"<sheetData>")
    return workbook(Repeated(head + b"<sheetData>", thousand_rows, rows // 1000, tail))


def shared_strings_bomb(size: int) -> bytes:
    """A workbook whose table of shared texts unzips to about ``size`` bytes of one-letter
    texts (``<si><t>x</t></si>``, 17 bytes each: 2 GiB hold 126 million)."""
    mebibyte = b"<si><t>x</t></si>" * 61_681
    head = f'{_DECLARATION}<sst xmlns="{MAIN}">'.encode()
    strings = Repeated(head, mebibyte, size // len(mebibyte), b"</sst>")
    return workbook(sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings)


# --- reading in a child process ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How a read in :func:`isolated` ended: the error it raised (its class name, message and
    details), or None; its time; the memory it added to the process, in MiB; the signal that
    killed it, if one did."""

    error: str | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    peak_mib: float = 0.0
    signal: int | None = None


def _kib(field_name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name):
                return int(line.split()[1])
    raise LookupError(field_name)


def isolated(call: Callable[[], Any], *, memory_gib: int = 2, timeout: float = 120) -> Outcome:
    """Run ``call`` in a forked child allowed ``memory_gib`` GiB of address space more than the
    test process has, and report how it ended (the child is killed after ``timeout`` seconds)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test run
        try:
            os.close(read_end)
            limit = _kib("VmSize") * 1024 + (memory_gib << 30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            start, began = _kib("VmRSS"), time.perf_counter()
            try:
                call()
                outcome = Outcome()
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, whatever it is
                outcome = Outcome(type(exc).__name__, str(exc), dict(getattr(exc, "details", {})))
            seconds = time.perf_counter() - began
            peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024
            report = Outcome(outcome.error, outcome.message, outcome.details, seconds, peak)
            os.write(write_end, pickle.dumps(report))
        finally:
            os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                break
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if chunks:
        return pickle.loads(b"".join(chunks))  # noqa: S301 - written by our own child
    killed = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return Outcome("died", f"the reader died (status {status})", signal=killed)
