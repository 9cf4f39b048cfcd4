"""What a unit of work makes of the database's refusals, on an SQLite file of its own: a broken
constraint is a conflict (409) wherever the statement ran, and a write lock held by another
connection for longer than the busy timeout is "busy" (503), never a driver error (500).

A reading unit of work reads while another connection holds the write lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neutrality import db as db_module
from neutrality.db import make_engine, make_session_factory
from neutrality.errors import Busy, Conflict
from neutrality.uow import UnitOfWork

BUSY = "the database is busy with another change; nothing was done, try again in a few seconds"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO notes VALUES (1, 'first')"))
    yield engine
    engine.dispose()


@contextlib.contextmanager
def another_writer(engine: Engine) -> Iterator[None]:
    """Another connection in the middle of a write: it holds SQLite's write lock."""
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("INSERT INTO notes VALUES (2, 'second')"))
        yield
        transaction.rollback()


def _bodies(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT body FROM notes ORDER BY id")))


def test_a_constraint_a_bulk_statement_breaks_is_a_conflict_naming_it(engine: Engine) -> None:
    uow = UnitOfWork(make_session_factory(engine))
    with pytest.raises(Conflict) as refused, uow:
        uow.session.execute(text("INSERT INTO notes VALUES (3, 'x'), (4, 'x')"))
    assert (refused.value.message, refused.value.details) == (
        "the change conflicts with data already stored", {"constraint": "notes.body"})
    assert _bodies(engine) == ["first"]


def test_a_writer_kept_waiting_past_the_busy_timeout_is_told_the_database_is_busy(engine: Engine) -> None:
    uow = UnitOfWork(make_session_factory(engine))
    with another_writer(engine), pytest.raises(Busy) as refused, uow:
        uow.session.execute(text("UPDATE notes SET body = 'changed' WHERE id = 1"))
    assert (refused.value.message, refused.value.http_status, refused.value.retry_after) == (BUSY, 503, 5)
    assert _bodies(engine) == ["first"]


def test_a_reading_unit_of_work_reads_the_last_commit_while_another_connection_writes(engine: Engine) -> None:
    uow = UnitOfWork(make_session_factory(engine), reading=True)
    with another_writer(engine), uow:
        assert list(uow.session.scalars(text("SELECT body FROM notes ORDER BY id"))) == ["first"]


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]


def test_a_write_that_may_be_skipped_is_skipped_while_another_connection_writes(engine: Engine) -> None:
    # as a request notes when its token was last used: a reading request need not wait for that
    uow = UnitOfWork(make_session_factory(engine), reading=True)
    with another_writer(engine), uow:
        uow.session.get(Note, 1).body = "seen"
        assert uow.commit_unless_busy() is False
    assert _bodies(engine) == ["first"]
    with uow:
        uow.session.get(Note, 1).body = "seen"
        assert uow.commit_unless_busy() is True
    assert _bodies(engine) == ["seen"]
