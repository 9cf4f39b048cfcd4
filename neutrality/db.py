"""Database foundations: declarative base, column types and engine set-up for SQLite and PostgreSQL.

On SQLite (a WAL journal) a reading transaction never waits for a writer and writers are
serialised; a driver error that says the database was busy is recognised here (:func:`is_busy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    DateTime,
    MetaData,
    Numeric,
    Select,
    String,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from neutrality.errors import NotFound
from neutrality.messages import Msg
from neutrality.pagination import Page, PageResult
from neutrality.units import tidy

R = TypeVar("R")

# Deterministic constraint names, so Alembic migrations name and drop the same objects on every
# database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class ExactDecimal(TypeDecorator):
    """A Decimal kept exactly: NUMERIC on PostgreSQL, text on SQLite.

    SQLite has no decimal type and would round through a binary float; quantities of tCO2e and
    MWh must come back exactly as they went in, so SQLite keeps their canonical text.
    """

    impl = Numeric(38, 12)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(60))
        return dialect.type_descriptor(Numeric(38, 12))

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"ExactDecimal takes Decimal, not {type(value).__name__}")
        if not value.is_finite():
            raise ValueError("ExactDecimal takes finite values only")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        # PostgreSQL pads NUMERIC(38, 12) with zeros; give back the value, not the column scale.
        return tidy(Decimal(value) if not isinstance(value, Decimal) else value)


def enum_values_check(column: str, enum: type, *, bulk: bool = False) -> str:
    """SQL for a CHECK constraint that keeps ``column`` within an enum's values.

    ``bulk=True`` (tables that take a million rows in one import) writes the check as
    ``column = 'a' OR column = 'b' …`` instead of ``column IN ('a', 'b' …)``: SQLite builds a
    temporary table for an IN list each time it checks a row, which made each such constraint
    cost about 2 µs per inserted row (measured: a million-row import spent 8 s in five of them);
    the OR chain costs next to nothing, on PostgreSQL as well.
    """
    if bulk:
        return "(" + " OR ".join(f"{column} = {m.value!r}" for m in enum) + ")"
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


#: JSON column (JSONB is not needed: nothing queries inside these documents).
JSONDocument = JSON

#: Table options of every table whose rows the audit log names by id. SQLite otherwise hands
#: the id of a deleted last row to the next row, and two objects would share one entity_id in
#: the log; AUTOINCREMENT never reuses one (PostgreSQL's sequences never do).
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the connection settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


#: Execution option of a session (or connection) whose transactions only read: see
#: :func:`_configure_sqlite`. The unit of work sets it (:class:`neutrality.uow.UnitOfWork`).
READING = "neutrality_reading"

#: How long a writer waits for SQLite's write lock before giving up (ms), and what the
#: write-ahead log may keep on disk once checkpointed (bytes: the log of a large import holds
#: every page it wrote, and would otherwise keep that size).
SQLITE_BUSY_TIMEOUT_MS = 10_000
_SQLITE_WAL_KEPT_BYTES = 64 * 1024 * 1024


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite opens transactions lazily and not for every statement; take control so that
    # (1) foreign keys are enforced, (2) SAVEPOINTs work, and (3) every transaction that may write
    # starts with BEGIN IMMEDIATE, which takes the write lock up front: two writers never
    # interleave, so a check followed by a write (e.g. "is this serial range free?") cannot race.
    # A transaction that only reads (the READING option) starts DEFERRED instead: in WAL mode it
    # reads a snapshot of the last commit and never waits for a writer, nor a writer for it.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # WAL is a property of the file, kept once set (an in-memory database stays "memory").
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA journal_size_limit = {_SQLITE_WAL_KEPT_BYTES}")
        # 256 MiB of page cache: a bulk import rewrites index pages far less often.
        cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READING, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


#: SQLite's answers when the write lock could not be had: another writer held it for longer
#: than the busy timeout, or a reading transaction tried to write while another writer held it
#: or after one had committed.
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


def is_busy(error: BaseException) -> bool:
    """Whether a driver error says the database was busy with another writer (SQLite's
    "database is locked"): nothing was written, and the same request may succeed later."""
    orig = getattr(error, "orig", error)
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(_SQLITE_BUSY)
    return "database is locked" in str(orig) or "database table is locked" in str(orig)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class Database:
    """The engine and session factory of one application instance."""

    def __init__(self, url: str, **engine_kwargs: Any):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.session_factory = make_session_factory(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def query_page(
    session: Session, query: Select[Any], page: Page, *, total: int | None = None
) -> PageResult[Any]:
    """One page of a query's rows, counted and cut in the database (a ledger or a holding may
    have a million rows: only the page's are loaded). ``query`` must be ordered.

    ``total`` is the number of rows when the caller keeps it (a count column): then nothing is
    counted, and the page asks for no more rows than there are past its offset, so that an index
    scan stops at the last row it needs instead of looking further, through rows that other
    transactions have written and not yet committed.
    """
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    wanted = min(page.size, total - page.offset)
    rows = session.scalars(query.offset(page.offset).limit(wanted)).all() if wanted > 0 else []
    return PageResult(rows, total, page)


#: What :func:`owned_row` finds, as its refusal names it.
NOUNS = {
    "activity": Msg("activity"), "application period": Msg("application period"),
    "block": Msg("block"), "column mapping": Msg("column mapping"),
    "commitment": Msg("commitment"), "import": Msg("import"), "inventory": Msg("inventory"),
    "invitation": Msg("invitation"), "organisation": Msg("organisation"), "period": Msg("period"),
    "project": Msg("project"), "purchase": Msg("purchase"), "retirement": Msg("retirement"),
    "site": Msg("site"), "subject": Msg("subject"),
}


def owned_row(
    session: Session,
    model: type[R],
    owner_id: int,
    row_id: int,
    *,
    what: str,
    owner: str = "organisation",
    details: Mapping[str, Any] | None = None,
    options: Sequence[Any] = (),
) -> R:
    """The row ``row_id`` of ``model`` if it belongs to ``owner`` ``owner_id`` (its column
    ``<owner>_id``), else :class:`NotFound` "<what> <row id> not found in <owner> <owner id>".

    Another tenant's row is "not found", as a missing one is: tenants do not learn of each other.
    ``options`` (eager loads) make a fresh query, as the identity map would hand back a row
    without them.
    """
    row = session.get(model, row_id, options=options or None, populate_existing=bool(options))
    if row is None or getattr(row, f"{owner}_id") != owner_id:
        raise NotFound(Msg("{what} {id} not found in {owner} {owner_id}", what=NOUNS.get(what, what),
                           id=row_id, owner=NOUNS.get(owner, owner), owner_id=owner_id), details)
    return row
