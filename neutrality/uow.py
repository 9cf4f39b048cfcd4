"""Unit of work: one transaction per use case, rolled back unless the service commits it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from neutrality.errors import Conflict


class UnitOfWork:
    """Owns a session for the duration of one service call.

    Services write ``with uow: ...; uow.commit()``. Leaving the block without committing (an
    error, or simply forgetting) rolls everything back, so a half-done change is never stored.
    Repositories and views never commit.
    """

    def __init__(self, session_factory: sessionmaker):
        self._session_factory = session_factory
        self._session: Session | None = None
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is not re-entrant")
        self._session = self._session_factory()
        self.committed = False
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
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code not in _RACE_CODES:
        return exc
    return Conflict("another request wrote the same data at the same moment; nothing was written, try again",
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
    return Conflict("the change conflicts with data already stored", details)
