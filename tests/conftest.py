"""Test fixtures: one migrated database per backend, one rolled-back transaction per test.

SQLite always; PostgreSQL too when NEUTRALITY_TEST_DATABASE_URL is set. Database tests are
parametrised over the backends, so one run reports results for each (test ids end in
``[sqlite]`` / ``[postgresql]``).

A module marked ``shared_world`` builds the two-tenant world of tests/factories.py once per
backend, inside one transaction that lasts the module; each of its tests runs in a SAVEPOINT
rolled back at its end, so every test starts from the world exactly as built and no test's
writes reach another. Modules without the mark get a transaction of their own per test.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, text
from sqlalchemy.orm import sessionmaker

from neutrality import migrate
from neutrality.access import passwords
from neutrality.app import create_app
from neutrality.db import make_engine
from neutrality.uow import UnitOfWork
from neutrality.web import ratelimit
from tests.factories import World, create_world

PG_URL = os.environ.get("NEUTRALITY_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

SHARED_WORLD = "shared_world"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{SHARED_WORLD}: the module's tests share one world built once per backend, "
        "each test rolled back to it by a SAVEPOINT",
    )


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    # Production parameters cost ~50 ms a hash; tests create hundreds of users.
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = PG_URL
        _reset_postgres(url)
    migrate.upgrade(url)  # every run also proves the migrations build the schema
    return url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "database_url": database_url,
            "testing": True,
            "secret_key": "test-secret",
            "instance_path": str(tmp_path_factory.mktemp("instance")),
            # every request of a test reaches the views: a page withdrawn a line earlier shows
            # at once (tests/web/test_public_pages.py serves pages from memory on purpose)
            "public_page_fresh_ms": 0,
        }
    )
    yield app
    app.extensions["neutrality.db"].dispose()


@contextlib.contextmanager
def _one_transaction(app: Flask) -> Iterator[tuple[Connection, sessionmaker]]:
    """Bind every session of the application to one outer transaction, rolled back at the end.

    Services still call commit(); with ``join_transaction_mode="create_savepoint"`` that only
    releases a savepoint, so nothing written inside outlives the transaction.
    """
    database = app.extensions["neutrality.db"]
    connection = database.engine.connect()
    outer = connection.begin()
    original = database.session_factory
    database.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield connection, database.session_factory
    finally:
        database.session_factory = original
        outer.rollback()
        connection.close()


def _shares_the_world(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker(SHARED_WORLD) is not None


@pytest.fixture(scope="module")
def module_transaction(app: Flask) -> Iterator[tuple[Connection, sessionmaker]]:
    """The transaction of a ``shared_world`` module, on one backend: everything the module's tests
    share is written inside it, and all of it is rolled back when the module ends.

    While it lasts it holds SQLite's write lock (every transaction there begins IMMEDIATE), so
    every database test of such a module must go through it: ``db`` sees to that.
    """
    with _one_transaction(app) as bound:
        yield bound


@pytest.fixture
def db(request: pytest.FixtureRequest, app: Flask) -> Iterator[sessionmaker]:
    """Sessions whose writes end with the test.

    In a ``shared_world`` module: a SAVEPOINT in the module's transaction, rolled back at the end,
    which undoes the test's writes and leaves the world as built for the next test. Elsewhere: an
    outer transaction of the test's own, rolled back at the end.
    """
    if not _shares_the_world(request):
        with _one_transaction(app) as (_, session_factory):
            yield session_factory
        return
    connection, session_factory = request.getfixturevalue("module_transaction")
    # The world is built before the first SAVEPOINT opens, or that test's rollback would undo it.
    request.getfixturevalue("module_world")
    savepoint = connection.begin_nested()
    try:
        yield session_factory
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture(scope="module")
def module_world(module_transaction: tuple[Connection, sessionmaker]) -> Iterator[World]:
    _, session_factory = module_transaction
    world = create_world(lambda: UnitOfWork(session_factory))
    as_built = _row_counts(session_factory)
    yield world
    # Every test's SAVEPOINT has been rolled back by now; a row more or less than the world was
    # built with means some test's writes escaped it and may have decided another test's outcome.
    assert _row_counts(session_factory) == as_built, "a test's writes outlived it"


@pytest.fixture
def world(request: pytest.FixtureRequest, db: sessionmaker) -> World:
    """Two tenants and a ledger (tests/factories.py): the module's shared world in a
    ``shared_world`` module, else one built for the test.

    The shared world is handed out as a copy, so a test that changes its ids or tokens changes
    them for itself only; its rows are the world's, restored by ``db``'s SAVEPOINT.
    """
    if _shares_the_world(request):
        return copy.deepcopy(request.getfixturevalue("module_world"))
    return create_world(lambda: UnitOfWork(db))


@pytest.fixture
def uow(db: sessionmaker) -> Any:
    return lambda: UnitOfWork(db)


@pytest.fixture
def client(app: Flask, db: sessionmaker) -> FlaskClient:
    ratelimit.reset(app)  # no sign-in or token use counted yet: the world's users are in every test
    return app.test_client()


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def _row_counts(session_factory: sessionmaker) -> dict[str, int]:
    from neutrality.tables import metadata

    with session_factory() as session:
        return {
            name: session.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608
            for name in metadata.tables
        }


@pytest.fixture
def table_counts(db: sessionmaker) -> Any:
    return lambda: _row_counts(db)


@pytest.fixture
def forge_statement_pdf(db: sessionmaker, backend: str) -> Any:
    """``forge(version_id, locale, pdf)``: a stored statement PDF replaced behind the application's
    back, as only someone who can switch the database's triggers off could (migration 0026 refuses
    the UPDATE otherwise); the trigger is back in place afterwards, and all of it is rolled back
    with the test."""

    def forge(version_id: int, locale: str, pdf: bytes) -> None:
        with db() as session:
            if backend == "postgresql":
                session.execute(text("ALTER TABLE statement_documents DISABLE TRIGGER statement_documents_immutable"))
            else:
                created = session.execute(text(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'statement_documents_no_update'"
                )).scalar_one()
                session.execute(text("DROP TRIGGER statement_documents_no_update"))
            session.execute(text("UPDATE statement_documents SET pdf = :pdf WHERE version_id = :id AND locale = :locale"),
                            {"pdf": pdf, "id": version_id, "locale": locale})
            if backend == "postgresql":
                session.execute(text("ALTER TABLE statement_documents ENABLE TRIGGER statement_documents_immutable"))
            else:
                session.execute(text(created))
            session.commit()

    return forge
