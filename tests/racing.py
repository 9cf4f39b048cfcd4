"""Firing requests at once, for the concurrency tests on PostgreSQL, against a scratch database
with real commits (the shared test database, a rolled-back transaction per test, cannot show
what two committed writers do)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from neutrality import migrate
from neutrality.db import Database, make_engine
from neutrality.errors import Conflict

PG_URL = os.environ.get("NEUTRALITY_TEST_DATABASE_URL")
#: Marks a module whose tests need PostgreSQL (SQLite serialises every writer).
ON_POSTGRESQL = pytest.mark.skipif(PG_URL is None, reason="concurrency is tested on PostgreSQL")


@contextlib.contextmanager
def scratch_database(name: str, *, connections: int = 30) -> Iterator[Database]:
    """A migrated PostgreSQL database beside the configured one, dropped afterwards, named after
    both (``<configured>_<name>``, so runs against different test databases of one server do not
    share it) and, under pytest-xdist, the worker (so parallel workers do not either)."""
    assert PG_URL is not None
    name = f"{make_url(PG_URL).database}_{name}"
    name += f"_{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else ""
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    db = Database(url, pool_size=connections, max_overflow=5)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def refused(field: str, reason: str) -> str:
    """The outcome of a request refused with a 409 whose details give ``reason`` for ``field``
    (``{field: [reason]}``, or ``{field: reason}`` for a constraint's name)."""
    return f"refused: {field}: {reason}"


#: The refusals of a writer that raced another at the database (neutrality.uow): PostgreSQL
#: found the two transactions waiting for each other, or could not serialise them.
RACED = frozenset({refused("race", "deadlock_detected"), refused("race", "serialization_failure")})


def _outcome_of(conflict: Conflict) -> str:
    if len(conflict.details) == 1:
        ((field, reasons),) = conflict.details.items()
        if isinstance(reasons, str):
            return refused(field, reasons)
        if isinstance(reasons, list) and len(reasons) == 1:
            return refused(field, str(reasons[0]))
    return f"conflict {conflict.details!r}: {conflict.message}"


def race(requests: Sequence[tuple[Any, ...]], attempt: Callable[..., str], *, timeout: float = 120) -> list[str]:
    """Each request in a thread of its own, all released together by a barrier so they really
    contend; the outcome of each, in order: what ``attempt(*request)`` returns, :func:`refused`
    with the field and the reason when it raises a :class:`Conflict` (so a test names the refusal
    it expects, and another conflict fails it), or the repr of any other error (which a test's
    assertion then shows)."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = [""] * len(requests)

    def run(index: int, request: tuple[Any, ...]) -> None:
        barrier.wait()
        try:
            outcomes[index] = attempt(*request)
        except Conflict as conflict:
            outcomes[index] = _outcome_of(conflict)
        except Exception as exc:  # reported through the outcomes
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
