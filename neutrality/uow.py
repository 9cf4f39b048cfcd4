"""Unit of work: one transaction per use case, rolled back unless the service commits it.

A unit of work writes or only reads. On SQLite a writing one takes the write lock when its
transaction begins (writers are serialised); a reading one reads a snapshot and never waits for
a writer (WAL). A service that reads a long time before it writes, such as an import parsing a
file, reads in one block (:meth:`UnitOfWork.reading`), works outside any transaction, and
writes in another. On PostgreSQL both are ordinary transactions (readers never wait there).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from neutrality.db import READING, is_busy
from neutrality.errors import Busy, Conflict
from neutrality.messages import Msg


class UnitOfWork:
    """Owns a session for the duration of one service call.

    Services write ``with uow: ...; uow.commit()``. Leaving the block without committing (an
    error, or simply forgetting) rolls everything back, so a half-done change is never stored.
    Repositories and views never commit.

    ``reading=True`` makes every block of this unit of work a reading one (the web layer does
    so for GET requests); :meth:`reading` makes the next block one. A reading transaction that
    writes after all takes the write lock then, and is refused at once (:class:`Busy`) if another
    writer holds it or has committed since it began reading, so it never writes from a stale
    snapshot. The database being busy for longer than the busy timeout is :class:`Busy` too.
    """

    def __init__(self, session_factory: sessionmaker, *, reading: bool = False):
        self._session_factory = session_factory
        self._session: Session | None = None
        self._reading = reading
        self._next_reading: bool | None = None
        self._next_snapshot = False
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def reading(self) -> Self:
        """This unit of work, for one ``with`` block that only reads."""
        if self._session is not None:
            raise RuntimeError("unit of work is not re-entrant")
        self._next_reading = True
        return self

    def snapshot(self) -> Self:
        """This unit of work, for one ``with`` block that only reads and sees one state of the
        database throughout, whatever commits meanwhile: for a use case that reads several
        answers which must agree (a checklist from a balance and the needs). SQLite's reading
        transaction is a snapshot already (WAL); PostgreSQL's is made REPEATABLE READ."""
        self.reading()
        self._next_snapshot = True
        return self

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is not re-entrant")
        reading = self._reading if self._next_reading is None else self._next_reading
        snapshot, self._next_reading, self._next_snapshot = self._next_snapshot, None, False
        options = {READING: True} if reading else {}
        self._session = self._session_factory(execution_options=options)
        self.committed = False
        bind = self._session.get_bind()
        if snapshot and bind.dialect.name == "postgresql" and isinstance(bind, Engine):
            # before the transaction's first statement: its isolation is set when it begins (a
            # session bound to a connection already in a transaction, as the test suite's
            # rolled-back tests are, keeps that transaction's)
            self._session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self.committed:
                # Detach first: a rollback expires every loaded object, and read-only use cases
                # hand their loaded objects to the caller after the block.
                self._session.expunge_all()
                self._session.rollback()
        finally:
            self._session.close()
            self._session = None
        # What the database refused outside flush() and commit() (a bulk insert, a statement
        # kept waiting for the write lock) is refused as it would be there, never a 500.
        if isinstance(exc, IntegrityError):
            raise _conflict(exc) from None
        if isinstance(exc, OperationalError):
            refusal = _race(exc)
            if refusal is not exc:
                raise refusal from None

    def commit_unless_busy(self) -> bool:
        """Commit, unless another writer holds the database (SQLite): then roll back and answer
        False. For writes that may be skipped, such as noting when a token was last used: a
        reading request does not wait for, nor fail because of, someone else's import."""
        try:
            self.commit()
        except Busy:
            self.session.rollback()
            return False
        return True

    def flush(self) -> None:
        """Send pending writes; a constraint the database enforces becomes a :class:`Conflict`."""
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise _conflict(exc) from None
        except OperationalError as exc:
            raise _race(exc) from None

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError as exc:
            raise _conflict(exc) from None
        except OperationalError as exc:
            raise _race(exc) from None
        self.committed = True


#: PostgreSQL's answers when two transactions write the same thing at the same moment: a
#: deadlock (two inserts into an exclusion constraint can each wait for the other) or a
#: serialisation failure. One of the racers is refused, as a conflict the caller may retry.
_RACE_CODES = {"40P01": "deadlock_detected", "40001": "serialization_failure"}


def _race(exc: OperationalError) -> Exception:
    if is_busy(exc):
        return Busy(Msg("the database is busy with another change; nothing was done, try again in a "
                        "few seconds"))
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code not in _RACE_CODES:
        return exc
    return Conflict(Msg("another request wrote the same data at the same moment; nothing was written, try again"),
                    {"race": [_RACE_CODES[code]]})


def _conflict(exc: IntegrityError) -> Conflict:
    # Name the constraint (never the SQL or the driver's text): the names are stable and
    # documented by the naming convention in neutrality.db.
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if name is None:
        text = str(exc.orig)
        name = text.split(":", 1)[-1].strip() if "constraint failed" in text else None
    details = {"constraint": name} if name else {}
    return Conflict(Msg("the change conflicts with data already stored"), details)
