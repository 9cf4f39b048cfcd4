"""Database foundations: declarative base, column types and engine set-up for SQLite and PostgreSQL."""

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


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the connection settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite opens transactions lazily and not for every statement; take control so that
    # (1) foreign keys are enforced, (2) SAVEPOINTs work, and (3) every transaction starts with
    # BEGIN IMMEDIATE, which takes the write lock up front: two writers never interleave, so a
    # check followed by a write (e.g. "is this serial range free?") cannot race.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        # 256 MiB of page cache: a bulk import rewrites index pages far less often.
        cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


def query_page(session: Session, query: Select[Any], page: Page) -> PageResult[Any]:
    """One page of a query's rows, counted and cut in the database (a ledger or a holding may
    have a million rows: only the page's are loaded). ``query`` must be ordered."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return PageResult(session.scalars(query.offset(page.offset).limit(page.size)).all(), total, page)


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
        raise NotFound(f"{what} {row_id} not found in {owner} {owner_id}", details)
    return row
