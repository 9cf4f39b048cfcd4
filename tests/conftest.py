"""Test fixtures: one migrated database per backend, one rolled-back transaction per test.

SQLite always; PostgreSQL too when NEUTRALITY_TEST_DATABASE_URL is set. Database tests are
parametrised over the backends, so one run reports results for each (test ids end in
``[sqlite]`` / ``[postgresql]``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from neutrality import migrate
from neutrality.access import passwords
from neutrality.app import create_app
from neutrality.db import make_engine
from neutrality.uow import UnitOfWork

PG_URL = os.environ.get("NEUTRALITY_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


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
        }
    )
    yield app
    app.extensions["neutrality.db"].dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[sessionmaker]:
    """Bind every session of the test to one outer transaction that is rolled back at the end.

    Services still call commit(); with ``join_transaction_mode="create_savepoint"`` that only
    releases a savepoint, so nothing a test writes outlives it.
    """
    database = app.extensions["neutrality.db"]
    connection = database.engine.connect()
    outer = connection.begin()
    original = database.session_factory
    database.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield database.session_factory
    finally:
        database.session_factory = original
        outer.rollback()
        connection.close()


@pytest.fixture
def uow(db: sessionmaker) -> Any:
    return lambda: UnitOfWork(db)


@pytest.fixture
def client(app: Flask, db: sessionmaker) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def table_counts(db: sessionmaker) -> Any:
    from neutrality.tables import metadata

    def count() -> dict[str, int]:
        with db() as session:
            return {
                name: session.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608
                for name in metadata.tables
            }

    return count
