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
    """A migrated PostgreSQL database ``name`` beside the configured one, dropped afterwards
    (a worker's suffix added under pytest-xdist, so parallel workers do not share it)."""
    assert PG_URL is not None
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


def race(requests: Sequence[tuple[Any, ...]], attempt: Callable[..., str], *, timeout: float = 120) -> list[str]:
    """Each request in a thread of its own, all released together by a barrier so they really
    contend; the outcome of each, in order: what ``attempt(*request)`` returns, "conflict" when it
    raises the intended :class:`Conflict`, or the repr of any other error (which a test's
    assertion then shows)."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = [""] * len(requests)

    def run(index: int, request: tuple[Any, ...]) -> None:
        barrier.wait()
        try:
            outcomes[index] = attempt(*request)
        except Conflict:
            outcomes[index] = "conflict"
        except Exception as exc:  # reported through the outcomes
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
