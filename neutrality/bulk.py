"""Writing many rows fast: binary COPY on PostgreSQL, one executemany on SQLite.

A registry export or an activity file may hold a million rows; the ORM, or SQLAlchemy's per-row
parameter processing, would take minutes. Rows are written inside the caller's transaction,
straight from an iterator, so a million tuples never sit in memory at once. The caller hands
over values each driver takes as they are (see :func:`sqlite_datetime`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session


def insert_rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows_for: Callable[[str], Iterable[tuple[Any, ...]]],
    pg_types: Sequence[str],
) -> None:
    """Insert the rows ``rows_for(dialect_name)`` yields into ``table``'s ``columns``.

    Values as each driver takes them: on SQLite dates and timestamps as text, decimals as text
    (:class:`neutrality.db.ExactDecimal`), JSON as text; on PostgreSQL Python objects.

    ``pg_types`` are the PostgreSQL types of the columns, for a binary COPY: the server then
    parses no text (measured on a million activity records: 15.7 s → 11.7 s).
    """
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        from psycopg.types.json import Json

        # JSON columns take Python objects (dicts, lists) here; psycopg writes them as JSON.
        json_at = [i for i, kind in enumerate(pg_types) if kind in ("json", "jsonb")]
        with dbapi.cursor() as cursor, cursor.copy(
            f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"  # noqa: S608 - names are ours
        ) as copy:
            copy.set_types(list(pg_types))
            for row in rows_for("postgresql"):
                if json_at:
                    row = list(row)  # noqa: PLW2901 - wrapped copy of the row
                    for i in json_at:
                        if row[i] is not None:
                            row[i] = Json(row[i])
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    cursor = dbapi.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608 - names are ours
            rows_for("sqlite"),
        )
    finally:
        cursor.close()


#: Values per ``IN (…)`` list: well below SQLite's and PostgreSQL's bound-parameter limits.
IN_LIST_SIZE = 500


def in_chunks(values: Sequence[Any], size: int = IN_LIST_SIZE) -> Iterable[Sequence[Any]]:
    """``values`` in slices for ``IN (…)`` lists (a file's thousands of issuances in one list
    would pass the databases' parameter limits)."""
    for index in range(0, len(values), size):
        yield values[index:index + size]


def sqlite_datetime(value: dt.datetime) -> str:
    """A UTC timestamp as :class:`neutrality.db.UTCDateTime` keeps it on SQLite (naive text)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
