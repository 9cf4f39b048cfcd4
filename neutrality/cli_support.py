"""What every command group of the ``neutrality`` command shares: the unit of work a command runs
with, output (a table by default, JSON with ``--json``: :func:`output`), loading a JSON file
through a schema, reading a file or a spreadsheet from disk within its limit (with steps on stderr
for a large one: :func:`steps`), the parameter types and option parsers several groups use
(:class:`NamedId`: an id or a name), and :class:`Group`, which turns the application's errors
into a clean message.

Resources with many fields are created from a JSON file in the API's shape, checked by the same
schemas. The actor the commands act as is an identity, so it lives with the identities:
:func:`neutrality.access.cli.cli_actor`. This module sits below every context, so it imports
none.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import itertools
import json
import re
import stat
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from marshmallow import Schema, ValidationError

from neutrality.errors import NeutralityError
from neutrality.presentation import for_people
from neutrality.schemas import ID_MAX, NotJson, read_json
from neutrality.sheet_limits import (
    FileTooLarge,
    SheetLimits,
    activity_file_limits,
    registry_file_limits,
)
from neutrality.uow import UnitOfWork

#: An existing file given on the command line, e.g. ``--json``, an upload or an evidence file.
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

#: An id given on the command line. Ids are INTEGER columns: a larger number, or one below 1,
#: is refused as a usage error naming the argument before it can reach the database (where
#: PostgreSQL would fail on it as out of range).
ID = click.IntRange(1, ID_MAX)


def cli_uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["neutrality.db"].session_factory)


def activity_limits() -> SheetLimits:
    """The limits activity data files are read within (the settings')."""
    return activity_file_limits(current_app.extensions["neutrality.settings"])


def registry_limits() -> SheetLimits:
    """The limits registry exports are read within (the settings')."""
    return registry_file_limits(current_app.extensions["neutrality.settings"])


def read_file(path: Path, option: str) -> bytes:
    """The bytes of a file given with ``option`` (an evidence file, an invoice, a statement, a
    JSON file), held to the limit an upload is held to through the web, its size checked before
    anything is read. Only a regular file is read: a device or a pipe (``/dev/zero``) has no size
    to check and might never end."""
    limit = current_app.extensions["neutrality.settings"].max_upload_bytes
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise click.BadParameter(f"'{path}' is not a regular file.", param_hint=f"'{option}'")
        if status.st_size > limit:
            raise _too_large(path, option, status.st_size, limit)
        with path.open("rb") as file:
            # The file may have grown since its size was checked: never hold more than the limit.
            data = file.read(limit + 1)
    except OSError as exc:
        raise click.BadParameter(f"'{path}' cannot be read ({exc.strerror}).",
                                 param_hint=f"'{option}'") from None
    if len(data) > limit:
        raise _too_large(path, option, len(data), limit)
    return data


def _too_large(path: Path, option: str, size: int, limit: int) -> click.BadParameter:
    return click.BadParameter(
        f"'{path.name}' is {size:,} bytes; the limit is {limit:,} bytes (NEUTRALITY_MAX_UPLOAD_BYTES).",
        param_hint=f"'{option}'")


def read_text(path: Path, option: str) -> str:
    """The text of a UTF-8 file given with ``option``, read as :func:`read_file` reads."""
    try:
        return read_file(path, option).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"'{path}' is not UTF-8 text (byte {exc.start + 1}).",
                                 param_hint=f"'{option}'") from None


def parse_json(data: bytes, option: str) -> Any:
    """The JSON document of a file given with ``option``, read as the API reads a body; one that
    is not JSON is a usage error naming the option and why (where the text stops being JSON)."""
    try:
        return read_json(data)
    except NotJson as problem:
        raise click.BadParameter(f"the file is not valid JSON ({problem}).",
                                 param_hint=f"'{option}'") from None
    except RecursionError:  # nesting deeper than the interpreter's stack
        raise click.BadParameter("the file is nested too deeply to be read.",
                                 param_hint=f"'{option}'") from None


def read_spreadsheet(path: Path, limits: SheetLimits) -> bytes:
    """The bytes of a spreadsheet on this machine. The upload limit is the web's, on request
    bodies: a file read from disk is held to the spreadsheet limits only, its size (against the
    uncompressed size a file may have, which a workbook is larger than once unzipped) before it
    is read."""
    size = path.stat().st_size
    if size > limits.max_uncompressed_bytes:
        raise FileTooLarge(
            f"'{path.name}' is {size:,} bytes; the limit is {limits.max_uncompressed_bytes:,} bytes",
            "uncompressed_bytes", limits.max_uncompressed_bytes, size,
        )  # fmt: skip
    return path.read_bytes()


# --- output: a table by default, JSON with --json -------------------------------------------------

#: The choices of ``-o/--output``.
OUTPUT_FORMATS = ("table", "json")


def printing(*, json_flag: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a command that prints records, which then receives ``as_json``: ``--json``
    (a flag; left out where the command reads its request body with ``--json FILE``) and
    ``-o/--output table|json``, which every such command takes. Put it right above the ``def``."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, output_format: str = "table", json_output: bool = False,
                    **kwargs: Any) -> Any:
            return command(*args, as_json=json_output or output_format == "json", **kwargs)

        wrapper = click.option(
            "-o", "--output", "output_format", type=click.Choice(OUTPUT_FORMATS),
            default="table", show_default=True,
            help="A table to read (totals rounded), or JSON as the API answers it (exact figures, each with its rounded 'display').",
        )(wrapper)
        if json_flag:
            wrapper = click.option("--json", "json_output", is_flag=True,
                                   help="Print JSON as the API answers it (--output json).")(wrapper)
        return wrapper

    return decorate


def output(schema: Schema | None, value: Any, as_json: bool,
           columns: tuple[str, ...] | None = None) -> None:
    """Print ``value`` dumped by ``schema`` (or as it is, without one): as indented JSON, as the
    API would answer it, with ``as_json``; else as a table (:func:`table`). ``columns`` are the
    fields a list shows in its table (a record's main fields, where all of them would not fit
    a screen); the JSON has every field."""
    data = schema.dump(value) if schema is not None else value
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        # dates and times as the JSON writes them; each figure that has a rounded companion
        # ("display") printed as that, the others as their exact strings
        click.echo(table(for_people(json.loads(json.dumps(data, default=str))), columns=columns))


def table(data: Any, columns: tuple[str, ...] | None = None) -> str:
    """``data`` (JSON values) as text to read.

    - A list of objects is a table: a column per field (nested objects as dotted fields,
      ``cost.CNY``), in the order the fields first appear, a column empty in every row left out,
      a header underlined with dashes, numbers right-aligned; an empty list is ``(none)``.
    - An object is a field/value list: its nested objects as dotted fields, lists of values
      joined by ", ", an empty list or object ``(none)``; each list of objects comes after it,
      under its field's name, as a table.
    - A list of objects in a row of a table comes after the table, a table of its own under
      the field's name and the row's number (``electricity[1].lines``).
    - Within a cell: null is empty, true/false are yes/no, line breaks become spaces, lists of
      values are joined by ", ", and anything else is compact JSON.
    - ``columns``: the fields a list shows (fields it does not have are left out).

    Columns are aligned by display width: CJK and other wide characters count two.
    """
    if isinstance(data, list):
        return _grid(data, columns=columns)
    if isinstance(data, dict):
        return _record(data)
    return _cell(data)


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: wide and full-width characters (CJK) two,
    combining marks none, others one."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


#: A number as a cell shows it: exact ("1234.5") or rounded, thousands separated ("1,234.50").
_NUMBER = re.compile(r"-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?")


def _flat(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            yield from _flat(item, f"{name}.")
        else:
            yield name, item


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return " ".join(value.splitlines()).replace("\t", " ")
    if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, (list, dict)):
        if not value:
            return ""
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


#: Columns holding a count of units, MWh or tCO2e: whole numbers there get thousands separators as
#: the figures beside them do (12,000 units), unlike ids and serial numbers.
_QUANTITY_COLUMN = re.compile(r"(?:^|[._])(?:quantity|units(?:_\w+)?|\w+_(?:tco2e|mwh|units))$")


def _quantity(column: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and _QUANTITY_COLUMN.search(column):
        return f"{value:,}"
    return _cell(value)


def _objects(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _record(value: dict[str, Any]) -> str:
    pairs: list[list[str]] = []
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    for name, item in _flat(value):
        if _objects(item):
            sections.append((name, item))
        else:
            pairs.append([name, "(none)" if item in ([], {}) else _cell(item)])
    parts = [_align(pairs, right=set())] if pairs else []
    parts += [f"{name}:\n{_grid(items, title=name)}" for name, items in sections]
    return "\n\n".join(parts)


def _grid(items: list[Any], *, title: str = "", columns: tuple[str, ...] | None = None) -> str:
    if not items:
        return "(none)"
    if not all(isinstance(item, dict) for item in items):
        return "\n".join(_cell(item) for item in items)
    rows = [dict(_flat(item)) for item in items]
    nested = [(f"{title}[{n}].{name}", value) for n, row in enumerate(rows, start=1)
              for name, value in row.items() if _objects(value)]
    known = list(dict.fromkeys(itertools.chain.from_iterable(rows)))
    columns = [c for c in (columns or known) if c in known
               and not any(_objects(row.get(c)) for row in rows)]
    cells = [[_quantity(column, row.get(column)) for column in columns] for row in rows]
    kept = [i for i in range(len(columns)) if any(line[i] for line in cells)]
    columns = [columns[i] for i in kept]
    cells = [[line[i] for i in kept] for line in cells]
    right = {i for i in range(len(columns))
             if all(_NUMBER.fullmatch(line[i]) for line in cells if line[i])}
    widths = [max(display_width(text) for text in [column, *(line[i] for line in cells)])
              for i, column in enumerate(columns)]
    parts = [_align([columns, ["-" * width for width in widths], *cells], right=right)]
    parts += [f"{name}:\n{_grid(value, title=name)}" for name, value in nested]
    return "\n\n".join(parts)


def _align(lines: list[list[str]], *, right: set[int]) -> str:
    widths = [max(display_width(line[i]) for line in lines) for i in range(len(lines[0]))]

    def pad(i: int, text: str) -> str:
        gap = " " * (widths[i] - display_width(text))
        return gap + text if i in right else text + gap

    return "\n".join("  ".join(pad(i, text) for i, text in enumerate(line)).rstrip()
                     for line in lines)


# --- names for ids -------------------------------------------------------------------------------


def app_context(ctx: click.Context | None) -> None:
    """Make sure an application context is active while a parameter is converted (Flask's own
    ``neutrality`` command pushes one; a group run by itself, as the tests run it, does not)."""
    if ctx is not None and not current_app:
        app = ctx.ensure_object(ScriptInfo).load_app()
        # On the outermost context, which is closed however the command ends: a subcommand's
        # context is never entered, so never closed, when one of its parameters is refused.
        ctx.find_root().with_resource(app.app_context())


def name_key(text: str) -> str:
    """A name as names are compared: NFKC (full- and half-width forms alike), case folded,
    surrounding blanks dropped."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


class NamedId(click.ParamType):
    """An id, or the name of the record meant. A whole number (ASCII digits) is an id, held to
    :data:`ID`'s range as before; anything else is a name, compared by :func:`name_key` (case
    and width do not matter, the rest must match exactly). A name no record has, or several
    have, is a usage error listing the records it could mean, by id and name.

    ``records`` lists every (id, name) and runs in the application context.
    """

    name = "id or name"

    def __init__(self, what: str, records: Callable[[], Iterable[tuple[int, str]]],
                 listing: str) -> None:
        self.what = what
        self.records = records
        self.listing = listing

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if re.fullmatch(r"[+-]?\d+", text, flags=re.ASCII):
            return ID.convert(text, param, ctx)
        if not text:
            self.fail(f"an {self.what}'s id or name, not an empty text.", param, ctx)
        app_context(ctx)
        records = [(int(i), str(n)) for i, n in self.records()]
        key = name_key(text)
        same = [(i, n) for i, n in records if name_key(n) == key]
        if len(same) == 1:
            return same[0][0]
        if same:
            self.fail(f"{len(same)} {self.what}s are named '{text}': {_listed(same)}; "
                      "give the id.", param, ctx)
        keys = {name_key(n): (i, n) for i, n in records}
        near = [keys[k] for k in difflib.get_close_matches(key, list(keys), n=5, cutoff=0.6)]
        near += [(i, n) for k, (i, n) in keys.items()
                 if (key in k or k in key) and (i, n) not in near]
        if near:
            self.fail(f"no {self.what} is named '{text}'; did you mean "
                      f"{_listed(sorted(near[:5]))}?", param, ctx)
        self.fail(f"no {self.what} is named '{text}' ('{self.listing}' lists them).", param, ctx)


def _listed(records: Iterable[tuple[int, str]]) -> str:
    return ", ".join(f"{i} ({n})" for i, n in records)


# --- steps of a long import ----------------------------------------------------------------------

#: A file larger than this shows the steps of its import on stderr (:func:`steps`).
LARGE_FILE_BYTES = 1024 * 1024


@contextlib.contextmanager
def steps(label: str, size: int) -> Iterator[None]:
    """While the block runs, for a file of ``size`` bytes larger than :data:`LARGE_FILE_BYTES`:
    ``label…`` on stderr, with a spinner and the seconds taken on a terminal, and the time it
    took once done. A small file shows nothing, so output to a pipe or a test stays clean."""
    if size <= LARGE_FILE_BYTES:
        yield
        return
    stream = sys.stderr
    start = time.monotonic()
    done = threading.Event()
    spinner: threading.Thread | None = None
    if stream.isatty():
        def spin() -> None:
            for mark in itertools.cycle("|/-\\"):
                stream.write(f"\r{label}… {mark} {time.monotonic() - start:.0f} s")
                stream.flush()
                if done.wait(0.2):
                    return

        spinner = threading.Thread(target=spin, daemon=True)
        spinner.start()
    else:
        click.echo(f"{label}…", err=True)
    try:
        yield
    finally:
        done.set()
        if spinner is not None:
            spinner.join()
            stream.write("\r\x1b[K")
    click.echo(f"{label}: done in {time.monotonic() - start:.1f} s", err=True)


def load(schema: Schema, path: Path, option: str = "--json") -> dict[str, Any]:
    """The JSON file at ``path`` (given with ``option``) loaded by ``schema``, read as
    :func:`read_file` reads; a bad file is a clean error naming it."""
    data = read_file(path, option)
    try:
        return schema.load(read_json(data))
    except NotJson as problem:
        raise click.ClickException(f"{path}: not valid JSON ({problem})") from None
    except RecursionError:  # nesting deeper than the interpreter's stack
        raise click.ClickException(f"{path}: nested too deeply to be read") from None
    except ValidationError as exc:
        raise click.ClickException(f"{path}: {exc.messages}") from None


def names(text: str) -> list[str]:
    """The non-empty items of a comma-separated option, stripped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def ids(text: str, *, message: str, param_hint: str) -> list[int]:
    """The ids of a comma-separated option (empty items skipped); anything else is a usage
    error saying ``message`` about the option ``param_hint``, and an id out of :data:`ID`'s
    range one saying so."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(message, param_hint=param_hint) from None
    for value in values:
        if not 1 <= value <= ID_MAX:
            raise click.BadParameter(f"{value} is not in the range 1<=x<={ID_MAX}.",
                                     param_hint=param_hint)
    return values


class Group(AppGroup):
    """Runs in the application context and turns the application's own errors, and options
    that do not pass their schema, into a clean message and exit status 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NeutralityError as exc:
            detail = f" {json.dumps(exc.details, ensure_ascii=False)}" if exc.details else ""
            raise click.ClickException(f"{exc.code}: {exc.message}{detail}") from None
        except ValidationError as exc:
            raise click.ClickException(
                f"invalid_input: {json.dumps(exc.messages, ensure_ascii=False)}") from None
