"""What every command group of the ``neutrality`` command shares: the unit of work a command runs
with, JSON output, loading a JSON file through a schema, reading a file or a spreadsheet from disk
within its limit, the parameter types and option parsers several groups use, and :class:`Group`,
which turns the application's errors into a clean message.

Resources with many fields are created from a JSON file in the API's shape, checked by the same
schemas. The actor the commands act as is an identity, so it lives with the identities:
:func:`neutrality.access.cli.cli_actor`. This module sits below every context, so it imports
none.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import Schema, ValidationError

from neutrality.errors import NeutralityError
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


def echo(schema: Schema, value: Any) -> None:
    """Print ``value`` as the API would answer it: dumped by ``schema``, as indented JSON."""
    click.echo(json.dumps(schema.dump(value), ensure_ascii=False, indent=2))


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
