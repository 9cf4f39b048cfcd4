"""Registry export files, the pure half: file bytes → the instruments or projects they list, or
every error.

Pure: no Flask, no database.

Five layouts are the registries' own public exports, read exactly as downloaded (Verra
transactions and projects; Gold Standard issuances, retirements and projects). Three are our
templates for registries that publish no export (an I-REC redemption statement, a China GEC
account export, a CCER registry export); their headers are our field names and a customer's
own layout is read through a ``mapping`` ``{"their header": "our field"}``, as activity imports
are. Every layout is data: ``registry/data/formats.json`` says, per kind, which column gives
which field, how its cells read, and which columns a file must have (the columns
:func:`detect_kind` recognises a format by).

The registries' files are read as people download them: Verra's day-first dates of 2022
(DD/MM/YYYY, known for that layout, never guessed row by row), Gold Standard header cells
quoted across two lines, and Gold Standard PER rows skipped with a count (a planned emission
reduction cannot be retired). A registry's own export that a spreadsheet program re-saved (ids
turned into dates, month-first dates, a Windows code page) is refused whole, saying so, and so is
the export of a registry this application does not read (ACR, CAR, ART TREES), by name.

A read is atomic: :class:`RegistryFile` holds all rows and no errors, or no rows and every
error, each naming the spreadsheet row (header = row 1; None for the whole file) and the column
as the file names it. Checking a serial range against its quantity, and the serials themselves,
is the caller's business (:mod:`neutrality.registry.serials`); nothing here touches a database,
Flask or the clock.

Encoding detection, CSV/XLSX reading and cell parsing are shared with activity imports
(:mod:`neutrality.spreadsheets`).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any

import pycountry

from neutrality.messages import Msg, joined
from neutrality.sheet_limits import REGISTRY_FILE_LIMITS, Deadline, SheetLimits, too_many_columns
from neutrality.spreadsheets import (
    UNKNOWN_COLUMN,
    BadCell,
    Refused,
    RowError,
    cell_text,
    csv_bytes,
    csv_header,
    delimiter,
    header_line,
    header_names,
    is_help_row,
    named_columns,
    norm,
    parse_date,
    parse_number,
    read_csv_frame,
    read_sheet,
    refuse_unnamed_values,
    snake,
    upload_format,
    with_csv_text,
)

KINDS: tuple[str, ...] = (
    "verra_transactions", "verra_projects", "gs_issuances", "gs_retirements", "gs_projects",
    "irec_redemptions", "gec_account", "ccer_registry",
)  # fmt: skip
#: The kinds whose layout is our template (a customer's own layout maps onto their fields).
TEMPLATE_KINDS: tuple[str, ...] = ("irec_redemptions", "gec_account", "ccer_registry")
#: Largest quantity of one row: more is a typing error, not a block of credits or certificates.
MAX_QUANTITY = 10**12
STATUSES = ("issued", "retired", "cancelled")


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentRow:
    """One block of credits or certificates as a registry file lists it.

    ``serial`` is the registry's serial string as written (for the templates with separate start
    and end numbers: ``"<start> to <end>"``); ``quantity`` is the file's, which the caller checks
    against the serial range. ``extra`` keeps scheme-specific fields as text (dates ISO,
    yes/no as ``true``/``false``, countries ISO 3166-1 alpha-2).
    """

    row: int
    scheme: str
    serial: str
    quantity: int
    status: str  # "issued", "retired" or "cancelled"
    project_id: str
    project_name: str
    country: str | None
    vintage_start: dt.date | None
    vintage_end: dt.date | None
    issuance_date: dt.date | None
    retirement_date: dt.date | None
    beneficiary: str
    reason: str
    details: str
    methodology: str
    project_type: str
    labels: tuple[str, ...]
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ProjectRow:
    """A project as a registry's project list gives it (``status`` as the registry words it)."""

    row: int
    registry: str  # "verra" | "gold_standard"
    project_id: str
    name: str
    proponent: str
    country: str | None
    region: str
    methodology: str
    project_type: str
    status: str
    crediting_period_start: dt.date | None
    crediting_period_end: dt.date | None
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RegistryFile:
    """The outcome of one read: every row and no error, or no row and every error."""

    kind: str  # as stated or detected; "" when neither was possible
    filename: str
    sha256: str  # of the bytes as received
    encoding: str  # codec the text was read with ("utf-8" for XLSX); "" when refused before
    instruments: tuple[InstrumentRow, ...] = ()
    projects: tuple[ProjectRow, ...] = ()
    errors: tuple[RowError, ...] = ()
    #: our field → the header of the column the file gives it in
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: rows left out on purpose (e.g. Gold Standard PER rows): what they are → how many
    skipped: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def in_file_terms(self, errors: Sequence[RowError]) -> list[RowError]:
        """Errors found after reading, with the column as the file names it ("Serial Number",
        not our field "serial"), so the user finds the cell."""
        return [e._replace(column=self.headers.get(e.column, e.column)) if e.column else e for e in errors]


# --- formats (registry/data/formats.json) ------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """One column of a format."""

    header: str
    to: tuple[str, ...]
    type: str
    need: str  # "value", "column" or "optional"
    separator: str | None = None

    @property
    def required(self) -> bool:
        return self.need != "optional"


@dataclass(frozen=True)
class _Format:
    kind: str
    label: str
    registry: str
    record: str  # "instrument" or "project"
    template: bool
    columns: tuple[_Spec, ...]
    scheme: Mapping[str, Any]
    status: Mapping[str, Any]
    country: str | None
    order: tuple[tuple[str, str], ...]
    derive: tuple[str, ...]
    #: how the layout writes a date with slashes ("day_first"), or None: it writes none
    slashed_dates: str | None = None

    @functools.cached_property
    def skip_words(self) -> dict[str, str]:
        """The scheme words whose rows are left out (counted, not refused) → what they are."""
        return {norm(word): what for word, what in self.scheme.get("skip", {}).items()}

    @functools.cached_property
    def required(self) -> frozenset[str]:
        return frozenset(norm(c.header) for c in self.columns if c.required)

    @functools.cached_property
    def status_words(self) -> dict[str, str]:
        return {norm(w): s for s, words in self.status.get("values", {}).items() for w in words}

    @functools.cached_property
    def extra_keys(self) -> tuple[str, ...]:
        """Every ``extra.*`` field a row of this format can carry (columns and derivations), in
        order: a row's extra mapping is built from these instead of scanning all its values."""
        keys = {target for c in self.columns for target in c.to if target.startswith("extra.")}
        keys |= _DERIVED_EXTRA_KEYS
        return tuple(sorted(keys))

    @property
    def named(self) -> str:
        if self.label[:1] in "AEIOU":
            return Msg("an {label}", label=self.label)
        return Msg("a {label}", label=self.label)


@functools.cache
def _data() -> dict[str, Any]:
    text = (
        resources.files("neutrality.registry").joinpath("data", "formats.json").read_text("utf-8")
    )
    return json.loads(text)


@functools.cache
def _formats() -> dict[str, _Format]:
    formats = {}
    for kind, spec in _data()["kinds"].items():
        formats[kind] = _Format(
            kind=kind,
            label=spec["label"],
            registry=spec["registry"],
            record=spec["record"],
            template=spec["template"],
            columns=tuple(
                _Spec(c["header"], tuple(c["to"]), c["type"], c["need"], c.get("separator"))
                for c in spec["columns"]
            ),
            scheme=spec.get("scheme", {}),
            status=spec.get("status", {}),
            country=spec.get("country"),
            order=tuple((a, b) for a, b in spec.get("order", ())),
            derive=tuple(spec.get("derive", ())),
            slashed_dates=spec.get("slashed_dates"),
        )
    assert tuple(formats) == KINDS, "formats.json and KINDS list different kinds"
    return formats


def _country_key(text: str) -> str:
    """Comparison form of a country name: no case, accents, punctuation or leading 'the'."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = " ".join(
        re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", folded).casefold()).split()
    )
    return folded[4:] if folded.startswith("the ") else folded


@functools.cache
def _countries() -> dict[str, str | None]:
    """ISO 3166-1 names and codes (pycountry) and our aliases → alpha-2 (None: no one country)."""
    table: dict[str, str | None] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                table[_country_key(name)] = country.alpha_2
    for name, code in _data()["countries"]["aliases"].items():
        table[_country_key(name)] = code
    return table


# --- cell readers ------------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_FLOAT_ID = re.compile(r"(\d+)\.0+")
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?")
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")
_DIGITS = re.compile(r"\d{32}")


def _read_text(raw: str) -> str:
    return raw.strip()


def read_id(raw: str) -> str:
    """A registry id as text: "10789.0" (a spreadsheet's float) is "10789"."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _FLOAT_ID.fullmatch(text)
    return match.group(1) if match else text


def _read_date(raw: str) -> dt.date:
    """A date as the activity importer reads it; a registry timestamp
    (2026-04-13T12:35:58.842275) gives its date."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _TIMESTAMP.fullmatch(text)
    return parse_date(match.group(1) if match else raw)


_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _read_day_first_date(raw: str) -> dt.date:
    """A date of a layout that writes DD/MM/YYYY (Verra's downloads of 2022), or any form
    :func:`_read_date` reads. Whether a file's slashed dates really are day-first is settled for
    the whole file before any row is read (:func:`_refuse_resaved`)."""
    match = _SLASHED_DATE.fullmatch(unicodedata.normalize("NFKC", raw).strip())
    if match is None:
        return _read_date(raw)
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadCell(Msg("'{value}' is not a real day (this layout writes DD/MM/YYYY)", value=raw.strip())) from None


def _read_year(raw: str) -> int:
    match = _YEAR.fullmatch(unicodedata.normalize("NFKC", raw).strip())
    if not match or not 1900 <= int(match.group(1)) <= 2999:
        raise BadCell(Msg("'{value}' is not a year", value=raw.strip()))
    return int(match.group(1))


def _read_month(raw: str) -> dt.date:
    """A production month: 2024-05, 2024/5, 2024年5月, 202405, or any date of the month (an Excel
    date cell typed as 2024-05 reads 2024-05-01); its first day."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _MONTH.fullmatch(text) or _COMPACT_MONTH.fullmatch(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise BadCell(Msg("'{value}' is not a real month", value=raw.strip()))
        return dt.date(year, month, 1)
    try:
        day = _read_date(raw)
    except BadCell:
        raise BadCell(Msg("'{value}' is not a month (write it as YYYY-MM, e.g. 2024-05)", value=raw.strip())) from None
    return day.replace(day=1)


def _read_quantity(raw: str) -> int:
    value = parse_number(raw, limit=Decimal(MAX_QUANTITY), allow_zero=False)
    if value != value.to_integral_value():
        raise BadCell(Msg("'{value}' is not a whole number", value=raw.strip()))
    return int(value)


def _read_count(raw: str) -> str:
    value = parse_number(raw, limit=Decimal(10**15))
    if value != value.to_integral_value():
        raise BadCell(Msg("'{value}' is not a whole number", value=raw.strip()))
    return str(int(value))


def _read_country(raw: str) -> str | None:
    key = _country_key(raw)
    countries = _countries()
    if key not in countries:
        raise BadCell(Msg("'{value}' is not a country name we know (e.g. China, Viet Nam or CN)", value=raw.strip()))
    return countries[key]


def _read_gec_code(raw: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    if _DIGITS.fullmatch(text):
        return text
    if re.fullmatch(r"[\d.]+e\+?\d+", text, re.IGNORECASE):
        raise BadCell(
            Msg("'{value}' is a 32-digit GEC code that a spreadsheet turned into a number; "
                "format the column as text and paste the codes again", value=raw.strip())
        )
    raise BadCell(Msg("'{value}' is not a 32-digit GEC code", value=raw.strip()))


@functools.cache
def _yes_no() -> dict[str, str]:
    return {norm(w): value for value, words in _data()["yes_no"].items() for w in words}


def _read_yes_no(raw: str) -> str:
    found = _yes_no().get(norm(raw))
    if found is None:
        raise BadCell(Msg("'{value}' is not yes or no (是/否, yes/no, true/false)", value=raw.strip()))
    return found


def _read_labels(separator: str) -> Callable[[str], tuple[str, ...]]:
    def read(raw: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in raw.split(separator) if part.strip())

    return read


def _article6_label(value: str) -> str | None:
    spec = _data()["article6"]
    text = " ".join(norm(value).split())
    return spec["label"] if text.startswith(tuple(spec["authorised_prefixes"])) else None


def _reader(spec: _Spec, fmt: _Format) -> Callable[[str], Any]:
    if spec.type == "status":
        words = fmt.status_words

        def read_status(raw: str) -> str:
            found = words.get(norm(raw))
            if found is None:
                allowed = "; ".join(
                    f"{status}: {', '.join(fmt.status['values'][status])}"
                    for status in STATUSES
                    if status in fmt.status["values"]
                )
                raise BadCell(Msg("'{value}' is not a known status ({allowed})", value=raw.strip(), allowed=allowed))
            return found

        return read_status
    if spec.type == "labels":
        return _read_labels(spec.separator or ";")
    readers: dict[str, Callable[[str], Any]] = {
        "text": _read_text,
        "serial": _read_text,
        "article6": _read_text,
        "id": read_id,
        "date": _read_day_first_date if fmt.slashed_dates == "day_first" else _read_date,
        "year": _read_year,
        "month": _read_month,
        "quantity": _read_quantity,
        "count": _read_count,
        "country": _read_country,
        "gec_code": _read_gec_code,
        "yes_no": _read_yes_no,
    }
    return readers[spec.type]


# --- reading the file into rows of text --------------------------------------------------------


@dataclass
class _Grid:
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]  # (spreadsheet row, cells), blank rows and help row dropped


def _csv_frame(
    body: bytes, limits: SheetLimits, deadline: Deadline
) -> tuple[list[str], int, list[list[str]]]:
    header, before, sep = csv_header(body, limits)
    line, _ = header_line(body)
    if line.count('"') % 2:
        header = _quoted_header(body, before, sep, limits)
    frame = read_csv_frame(body, sep, len(header), str, limits, deadline)
    records = frame.fillna("").astype(str).to_numpy().tolist()
    return header, before, records


def _quoted_header(body: bytes, before: int, sep: str, limits: SheetLimits) -> list[str]:
    """The header when a quoted cell of it holds a line break (Gold Standard's "Issuance
    ⏎Year"): the whole record, read by the csv module from the header's first line."""
    stream = io.StringIO(body.decode("utf-8"), newline="")
    for _ in range(before):
        stream.readline()
    try:
        header = next(csv.reader(stream, delimiter=sep))
    except (csv.Error, StopIteration):
        raise Refused(Msg("the header row cannot be read as CSV")) from None
    if len(header) > limits.max_columns:
        raise too_many_columns(len(header), limits.max_columns)
    return header


def _one_line(header: list[str]) -> list[str]:
    """Header cells with their line breaks and runs of spaces made one space, as a user reads them
    and as error messages name them."""
    return [" ".join(cell.split()) for cell in header]


def _xlsx_text(value: Any) -> str:
    """A workbook cell as the user sees it. A number of 16 digits or more is shown as Excel
    shows it (3.33333333333333e+31): Excel keeps 15 significant digits, so the digits the reader
    returns beyond them (a 32-digit GEC code typed into a number cell) are not the user's."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
        return format(float(value), ".15g")
    return cell_text(value)


def _xlsx_frame(
    data: bytes, limits: SheetLimits, deadline: Deadline
) -> tuple[list[str], int, list[list[str]]]:
    columns, header, before = read_sheet(data, text=_xlsx_text, limits=limits, deadline=deadline)
    return header, before, [list(cells) for cells in zip(*columns, strict=True)]


def _grid(records: list[list[str]], header: list[str], before: int) -> _Grid:
    """Rows after the header, numbered as the spreadsheet shows them (position + 1)."""
    rows = [
        (position + 1, cells)
        for position, cells in enumerate(records)
        if position > before and any(c.strip() for c in cells)
    ]
    if rows and is_help_row(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise Refused(Msg("the file has a header row but no data rows"))
    return _Grid(header, before + 1, rows)


# --- layouts -----------------------------------------------------------------------------------


def _names(header: Sequence[str]) -> set[str]:
    return {norm(h) for h in header if h.strip()} | {snake(h) for h in header if h.strip()}


def _candidates(header: Sequence[str]) -> list[_Format]:
    names = _names(header)
    found = [f for f in _formats().values() if f.required <= names]
    # the most specific: a retirements header also has every column an issuances export needs
    return [f for f in found if not any(f.required < g.required for g in found)]


def detect_kind(header: list[str]) -> str | None:
    """The kind whose required columns the header has (the most specific one), or None."""
    found = _candidates(header)
    return found[0].kind if len(found) == 1 else None


def _closest(header: Sequence[str]) -> _Format:
    names = _names(header)
    return max(_formats().values(), key=lambda f: len(f.required & names) / len(f.required))


@dataclass
class _Layout:
    fmt: _Format
    columns: list[tuple[int, _Spec, str]]  # (cell index, spec, header as the file writes it)
    labels: dict[str, str]  # target → the header of the column giving it


def _translate(header: list[str], mapping: Mapping[str, str | None]) -> list[str | None]:
    """The header with a customer's columns renamed to our fields (None: ignored on purpose)."""
    wanted = {norm(theirs): ours for theirs, ours in mapping.items()}
    translated: list[str | None] = []
    for name in header:
        if name and norm(name) in wanted:
            ours = wanted[norm(name)]
            translated.append(ours.strip() if ours and ours.strip() else None)
        else:
            translated.append(name)
    return translated


@functools.cache
def _not_read() -> dict[str, frozenset[str]]:
    """Registries whose exports are refused by name → the columns that tell their exports."""
    registries = _data()["not_read"]["registries"]
    return {name: frozenset(norm(h) for h in headers) for name, headers in registries.items()}


def _refuse_not_read(header: Sequence[str]) -> None:
    """Refuse the export of a registry this application does not read, naming it: matched to the
    closest layout it would be refused for missing columns, which says nothing useful."""
    names = _names(header)
    found = next((name for name, needs in _not_read().items() if needs <= names), None)
    if found is None:
        return
    formats = _formats().values()
    published = ", ".join(f.label for f in formats if not f.template)
    templates = ", ".join(f.label for f in formats if f.template)
    raise Refused(
        Msg("this is {found}, which this application does not read; it reads these registry files "
            "as the registries publish them: {published}; and through its templates: {templates}",
            found=found, published=published, templates=templates)
    )


def _layout(grid: _Grid, kind: str | None, mapping: Mapping[str, str | None] | None) -> _Layout:
    formats = _formats()
    row = grid.header_row
    _refuse_not_read(grid.header)
    if mapping and kind is not None and not formats[kind].template:
        raise Refused(
            Msg("a column mapping applies to the template formats only ({kinds}); "
                "{named} is read as the registry publishes it", kinds=", ".join(TEMPLATE_KINDS),
                named=formats[kind].named)
        )
    translated = _translate(grid.header, mapping or {})
    present = [t for t in translated if t]
    found = _candidates(present)
    detected = found[0] if len(found) == 1 else None
    if kind is not None:
        fmt = formats[kind]
        if detected is not None and detected.kind != kind:
            raise Refused(Msg("this is {found}, not {expected}", found=detected.named, expected=fmt.named))
    elif len(found) > 1:
        names = joined((f.named for f in found), " / ")
        raise Refused(Msg("the header matches more than one layout ({names}); state the kind", names=names))
    elif detected is None:
        fmt = _closest(present)
        if not fmt.required & _names(present):
            known = "; ".join(f.label for f in formats.values())
            raise Refused(
                Msg("the header matches no known registry file layout (known: {known}); "
                    "for your own layout of a template, give a column mapping", known=known)
            )
        raise Refused(
            RowError(
                None,
                None,
                Msg("the header matches no known registry file layout; the closest is {named}", named=fmt.named),
            ),
            *_missing(fmt, translated, grid.header, row),
        )
    else:
        fmt = detected
    if mapping and not fmt.template:
        raise Refused(Msg("a column mapping applies to the template formats only, not to {named}", named=fmt.named))

    errors: list[RowError] = []
    by_name = {norm(c.header): c for c in fmt.columns}
    columns: list[tuple[int, _Spec, str]] = []
    taken: dict[str, str] = {}
    for index, name in named_columns(grid.header, row, errors):
        ours = translated[index]
        if ours is None:
            continue  # ignored on purpose by the mapping
        spec = by_name.get(norm(ours)) or (by_name.get(snake(ours)) if fmt.template else None)
        if spec is None:
            if ours != name:
                fields = ", ".join(c.header for c in fmt.columns)
                errors.append(
                    RowError(
                        row,
                        name,
                        Msg("maps to '{field}', which is not a field of {named} ({fields})", field=ours,
                            named=fmt.named, fields=fields),
                    )
                )
            elif fmt.template:
                errors.append(RowError(row, name, UNKNOWN_COLUMN))
            continue  # a column the registry added to its export: not ours to read
        if spec.header in taken:
            errors.append(
                RowError(row, name, Msg("gives '{field}', like column '{other}'", field=spec.header, other=taken[spec.header]))
            )
            continue
        taken[spec.header] = name
        columns.append((index, spec, name))
    errors.extend(_missing(fmt, translated, grid.header, row))
    if errors:
        raise Refused(*errors)
    refuse_unnamed_values(
        grid.header,
        row,
        lambda i: any(i < len(cells) and cells[i].strip() for _, cells in grid.rows),
    )
    labels: dict[str, str] = {}
    for _, spec, name in columns:
        for target in spec.to:
            labels.setdefault(target, name)
    for spec in fmt.columns:  # targets of absent optional columns: named as our field
        for target in spec.to:
            labels.setdefault(target, spec.header)
    return _Layout(fmt, columns, labels)


def _missing(
    fmt: _Format, translated: list[str | None], header: list[str], row: int
) -> list[RowError]:
    names = _names([t for t in translated if t])
    found = header_names(header)
    return [
        RowError(
            row,
            spec.header,
            Msg("missing required column '{name}' of {named}; the file has: {found}", name=spec.header,
                named=fmt.named, found=found),
        )
        for spec in fmt.columns
        if spec.required
        and norm(spec.header) not in names
        and not (fmt.template and spec.header in names)
    ]


# --- files changed by a spreadsheet program ---------------------------------------------------


def _resaved(fmt: _Format, what: str) -> Refused:
    return Refused(Msg(
        "this {label} is not the file the registry published: it was re-saved by a "
        "spreadsheet program such as Excel (or rebuilt by someone else), and {what}. Download it "
        "again from the registry and upload the downloaded file as it is, without opening and "
        "saving it in Excel (open a copy to look at it)", label=fmt.label, what=what
    ))


def _refuse_resaved(grid: _Grid, layout: _Layout) -> None:
    """Refuse a registry's own export that a spreadsheet program has re-saved, for the whole file
    before any row is read: ids turned into dates, or dates written month first. Read row by
    row, such a file would fail on every row, or worse, be read with days and months swapped."""
    fmt = layout.fmt
    if fmt.template:
        return  # our templates are filled in spreadsheets: their cells are read as they come
    for index, spec, name in layout.columns:
        if spec.type not in ("id", "date"):
            continue
        for row, cells in grid.rows:
            raw = cells[index].strip() if index < len(cells) else ""
            match = _SLASHED_DATE.fullmatch(raw) if "/" in raw else None
            if match is None:
                continue
            if spec.type == "id":
                raise _resaved(fmt, Msg("the ids in column '{column}' became dates (row {row}: {value})", column=name, row=row, value=raw))
            if fmt.slashed_dates != "day_first":
                raise _resaved(
                    fmt,
                    Msg("the dates in column '{column}' are written {value} (row {row}), a form the "
                        "registry does not write (it writes YYYY-MM-DD)", column=name, value=raw, row=row),
                )
            if int(match.group(2)) > 12:
                raise _resaved(
                    fmt,
                    Msg("the dates in column '{column}' are written month first (row {row}: {value}); "
                        "the registry writes them day first (DD/MM/YYYY) or as YYYY-MM-DD", column=name,
                        row=row, value=raw),
                )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refuse_recoded(data: bytes, stated: str | None) -> None:
    """Called when a CSV file cannot be read in any encoding offered: a registry's own export in
    a Windows code page was re-saved by a spreadsheet program, and an export of a registry this
    application does not read is named. Otherwise the caller's refusal stands."""
    if stated or _is_utf8(data):
        return
    # Windows-1252 reads any byte: enough to find the header, which is all that is looked at.
    text = data.decode("cp1252", errors="replace")
    line = next((line for line in text.splitlines() if line.strip(' \t,;"')), "")
    try:
        header = _one_line(next(csv.reader([line], delimiter=delimiter(line))))
    except (csv.Error, StopIteration):
        return
    _refuse_not_read(header)
    found = _candidates(header)
    if len(found) == 1 and not found[0].template:
        raise _resaved(
            found[0], Msg("its text is in a Windows code page (such as Windows-1252), not the UTF-8 "
                          "the registry writes"),
        )


# --- rows --------------------------------------------------------------------------------------


def _rows(
    grid: _Grid, layout: _Layout
) -> tuple[list[InstrumentRow | ProjectRow], list[RowError], dict[str, int]]:
    """Every row read, or every error; and the rows left out on purpose (what → how many)."""
    fmt = layout.fmt
    readers = [(index, spec, name, _reader(spec, fmt), {}) for index, spec, name in layout.columns]
    results: list[InstrumentRow | ProjectRow] = []
    errors: list[RowError] = []
    skipped: dict[str, int] = {}
    skip_at = next(
        (index for index, spec, _ in layout.columns if "scheme" in spec.to and fmt.skip_words), None
    )
    for row, cells in grid.rows:
        if skip_at is not None and skip_at < len(cells):
            what = fmt.skip_words.get(norm(cells[skip_at]))
            if what is not None:
                skipped[what] = skipped.get(what, 0) + 1
                continue
        values: dict[str, Any] = {}
        labels: list[str] = []
        bad: list[RowError] = []
        for index, spec, name, read, cache in readers:
            raw = cells[index] if index < len(cells) else ""
            if not raw.strip():
                if spec.need == "value":
                    bad.append(RowError(row, name, Msg("is empty")))
                continue
            if raw not in cache:
                try:
                    cache[raw] = (read(raw), None)
                except BadCell as e:
                    cache[raw] = (None, e.reason)
            value, reason = cache[raw]
            if reason is not None:
                bad.append(RowError(row, name, reason))
                continue
            for target in spec.to:
                if target == "labels":
                    if isinstance(value, tuple):
                        labels.extend(value)
                    elif spec.type == "article6":
                        if label := _article6_label(value):
                            labels.append(label)
                    else:
                        labels.append(value)
                else:
                    values[target] = value
        values["labels"] = tuple(dict.fromkeys(labels))
        bad.extend(_derive(fmt, values, row, layout.labels))
        for first, then in fmt.order:
            start, end = values.get(first), values.get(then)
            if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
                bad.append(
                    RowError(
                        row,
                        layout.labels[then],
                        Msg("{end} is before '{column}' ({start})", end=end.isoformat(),
                            column=layout.labels[first], start=start.isoformat()),
                    )
                )
        if bad:
            errors.extend(bad)
        elif not errors:
            results.append(_build(fmt, row, values))
    return results, errors, skipped


def _derive(
    fmt: _Format, values: dict[str, Any], row: int, labels: Mapping[str, str]
) -> list[RowError]:
    """Scheme, status, country and the derivations formats.json names; the problems found."""
    problems: list[RowError] = []
    if fmt.country is not None:
        values["country"] = fmt.country
    if fmt.record == "project":
        return problems
    if "fixed" in fmt.scheme:
        values["scheme"] = fmt.scheme["fixed"]
    elif values.get("scheme") is not None:
        schemes = {norm(k): v for k, v in fmt.scheme["values"].items()}
        given = values["scheme"]
        values["scheme"] = schemes.get(norm(given))
        if values["scheme"] is None:
            known = ", ".join(fmt.scheme["values"])
            problems.append(
                RowError(
                    row,
                    labels["scheme"],
                    Msg("'{value}' is not a product this application reads ({known})", value=given, known=known),
                )
            )
    status = fmt.status
    if "fixed" in status:
        values["status"] = status["fixed"]
    elif "retired_when" in status:
        values["status"] = "retired" if values.get(status["retired_when"]) else status["otherwise"]
    if values.get("status") == "retired":
        problems.extend(
            RowError(row, labels[target], Msg("is empty; a retired row needs it"))
            for target in status.get("retired_needs", ())
            if values.get(target) is None
        )
    for step in fmt.derive:
        _DERIVATIONS[step](values)
    return problems


def _vintage_from_year(values: dict[str, Any]) -> None:
    """Gold Standard gives the vintage year; the vintage is that year, narrowed to the monitoring
    period when it overlaps it (vintage 2025 of 2024-03-02..2025-03-10 is 2025-01-01..03-10)."""
    year = values.get("vintage_year")
    if year is None:
        return
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    first, last = (
        values.get("extra.monitoring_period_start"),
        values.get("extra.monitoring_period_end"),
    )
    if first is not None and last is not None and first <= end and last >= start and first <= last:
        start, end = max(start, first), min(end, last)
    values["vintage_start"], values["vintage_end"] = start, end


def _vintage_from_month(values: dict[str, Any]) -> None:
    month = values.get("production_month")
    if month is None:
        return
    last = calendar.monthrange(month.year, month.month)[1]
    values["vintage_start"], values["vintage_end"] = month, month.replace(day=last)
    values["extra.production_month"] = f"{month.year:04d}-{month.month:02d}"


def _serial_from_range(values: dict[str, Any]) -> None:
    if values.get("start_serial") and values.get("end_serial"):
        values["serial"] = f"{values['start_serial']} to {values['end_serial']}"


def _details_from_consumption_period(values: dict[str, Any]) -> None:
    start, end = (
        values.get("extra.consumption_period_start"),
        values.get("extra.consumption_period_end"),
    )
    if start is not None and end is not None:
        values["details"] = f"consumption period {start.isoformat()} to {end.isoformat()}"


def _beneficiary_from_details(values: dict[str, Any]) -> None:
    """Gold Standard's Using Entity is optional; a retirement without one names its beneficiary
    in the note ("Gold Standard Marketplace Order GSM31742 for …"). Cancelled rows keep none."""
    if (
        values.get("status") == "retired"
        and not values.get("beneficiary")
        and values.get("details")
    ):
        values["beneficiary"] = values["details"]


_DERIVATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "vintage_from_year": _vintage_from_year,
    "vintage_from_month": _vintage_from_month,
    "serial_from_range": _serial_from_range,
    "details_from_consumption_period": _details_from_consumption_period,
    "beneficiary_from_details": _beneficiary_from_details,
}


def _as_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


#: ``extra.*`` fields the derivations write.
_DERIVED_EXTRA_KEYS = frozenset({"extra.production_month"})


def _build(fmt: _Format, row: int, values: dict[str, Any]) -> InstrumentRow | ProjectRow:
    extra = MappingProxyType(
        {
            key[6:]: _as_text(value)
            for key in fmt.extra_keys
            if (value := values.get(key)) is not None and value != ""
        }
    )

    def text(name: str) -> str:
        return values.get(name) or ""

    if fmt.record == "project":
        return ProjectRow(
            row=row,
            registry=fmt.registry,
            project_id=text("project_id"),
            name=text("name"),
            proponent=text("proponent"),
            country=values.get("country"),
            region=text("region"),
            methodology=text("methodology"),
            project_type=text("project_type"),
            status=text("status"),
            crediting_period_start=values.get("crediting_period_start"),
            crediting_period_end=values.get("crediting_period_end"),
            extra=extra,
        )
    return InstrumentRow(
        row=row,
        scheme=values["scheme"],
        serial=values["serial"],
        quantity=values["quantity"],
        status=values["status"],
        project_id=text("project_id"),
        project_name=text("project_name"),
        country=values.get("country"),
        vintage_start=values.get("vintage_start"),
        vintage_end=values.get("vintage_end"),
        issuance_date=values.get("issuance_date"),
        retirement_date=values.get("retirement_date"),
        beneficiary=text("beneficiary"),
        reason=text("reason"),
        details=text("details"),
        methodology=text("methodology"),
        project_type=text("project_type"),
        labels=values["labels"],
        extra=extra,
    )


# --- the entry point ---------------------------------------------------------------------------


def read_registry_file(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    kind: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    encoding: str | None = None,
    limits: SheetLimits = REGISTRY_FILE_LIMITS,
) -> RegistryFile:
    """Read a registry export or one of our templates: every row, or every error.

    ``kind`` None detects the layout from the header; a stated kind whose header is another
    known layout is refused, naming both. ``mapping`` ({"their header": "our field"}, None to
    ignore a column) reads a customer's own layout of a template kind. ``encoding`` is the
    caller's statement for a CSV file (detected otherwise: UTF-8 with or without BOM, GB18030,
    Big5); ``max_bytes`` is checked before anything is read, and the file is read within
    ``limits`` (:class:`~neutrality.sheet_limits.FileTooLarge` beyond them).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    used = ""
    read_kind = kind or ""
    skipped: dict[str, int] = {}
    deadline = limits.deadline()
    try:
        if kind is not None and kind not in KINDS:
            raise Refused(Msg("unknown registry file kind '{kind}'; known: {known}", kind=kind, known=", ".join(KINDS)))
        if upload_format(data, filename, max_bytes=max_bytes, limits=limits) == "xlsx":
            used = "utf-8"  # the XML inside a workbook is UTF-8
            header, before, records = _xlsx_frame(data, limits, deadline)
        else:
            try:
                (header, before, records), used = with_csv_text(
                    data, encoding, lambda body: _csv_frame(body, limits, deadline)
                )
            except Refused:
                _refuse_recoded(data, encoding)
                raise
        grid = _grid(records, _one_line(header), before)
        layout = _layout(grid, kind, mapping)
        read_kind = layout.fmt.kind
        if not layout.fmt.template and used not in ("utf-8", "utf-8-sig") and not _is_utf8(data):
            raise _resaved(layout.fmt, Msg("its text is {encoding}, not the UTF-8 the registry writes", encoding=used))
        _refuse_resaved(grid, layout)
        rows, errors, skipped = _rows(grid, layout)
        headers = layout.labels
        if "serial" not in headers and "start_serial" in headers:  # templates give the range in two columns
            headers = {**headers, "serial": f"{headers['start_serial']}, {headers['end_serial']}"}
    except Refused as refused:
        rows, errors, used = [], refused.errors, refused.encoding or used
    if errors:
        return RegistryFile(read_kind, filename, sha256, used, errors=tuple(errors))
    return RegistryFile(
        read_kind,
        filename,
        sha256,
        used,
        instruments=tuple(r for r in rows if isinstance(r, InstrumentRow)),
        projects=tuple(r for r in rows if isinstance(r, ProjectRow)),
        headers=MappingProxyType(dict(headers)),
        skipped=MappingProxyType(skipped),
    )


def template_csv(kind: str) -> bytes:
    """The CSV template of a template kind (UTF-8 with a byte-order mark), written (as every CSV
    file the application writes) by :func:`~neutrality.spreadsheets.csv_bytes`."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"'{kind}' has no template; templates: {', '.join(TEMPLATE_KINDS)}")
    shipped = (
        resources.files("neutrality.registry").joinpath("templates", f"{kind}.csv").read_text("utf-8-sig")
    )
    return csv_bytes(csv.reader(io.StringIO(shipped, newline="")))
