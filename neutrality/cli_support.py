"""What every command group of the ``neutrality`` command shares: the unit of work a command runs
with, JSON output, loading a JSON file through a schema, reading a spreadsheet file from disk, the
option parsers several groups use, and :class:`Group`, which turns the application's errors into
a clean message.

Resources with many fields are created from a JSON file in the API's shape, checked by the same
schemas. The actor the commands act as is an identity, so it lives with the identities:
:func:`neutrality.access.cli.cli_actor`. This module sits below every context, so it imports
none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import Schema, ValidationError

from neutrality.errors import NeutralityError
from neutrality.sheet_limits import (
    FileTooLarge,
    SheetLimits,
    activity_file_limits,
    registry_file_limits,
)
from neutrality.uow import UnitOfWork

#: An existing file given on the command line, e.g. ``--json``, an upload or an evidence file.
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def cli_uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["neutrality.db"].session_factory)


def activity_limits() -> SheetLimits:
    """The limits activity data files are read within (the settings')."""
    return activity_file_limits(current_app.extensions["neutrality.settings"])


def registry_limits() -> SheetLimits:
    """The limits registry exports are read within (the settings')."""
    return registry_file_limits(current_app.extensions["neutrality.settings"])


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


def load(schema: Schema, path: Path) -> dict[str, Any]:
    """The JSON file at ``path`` loaded by ``schema``; a bad file is a clean error naming it."""
    try:
        return schema.load(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else str(exc)
        raise click.ClickException(f"{path}: {messages}") from None


def names(text: str) -> list[str]:
    """The non-empty items of a comma-separated option, stripped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def ids(text: str, *, message: str, param_hint: str) -> list[int]:
    """The integers of a comma-separated option (empty items skipped); anything else is a usage
    error saying ``message`` about the option ``param_hint``."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(message, param_hint=param_hint) from None


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
