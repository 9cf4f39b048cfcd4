"""Alembic environment: runs the migrations against a URL or against a connection handed in.

Two ways in:

* ``sqlalchemy.url`` in the config (what :mod:`neutrality.migrate` and the CLI use): an engine is
  made with :func:`neutrality.db.make_engine`, so SQLite gets the same pragmas and
  ``BEGIN IMMEDIATE`` transactions as the application, except that foreign keys are off while
  tables are rebuilt and checked with ``PRAGMA foreign_key_check`` before the commit.
* ``config.attributes["connection"]``: a live connection (e.g. a test's) is used as it is. If it
  is already inside a transaction, Alembic joins it and the caller decides to commit.

Offline mode (``--sql``) renders the SQL for the dialect of ``sqlalchemy.url`` without
connecting.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection, make_url

from neutrality.db import make_engine
from neutrality.tables import metadata

config = context.config
target_metadata = metadata


def _configure_options(dialect_name: str) -> dict:
    return {
        "target_metadata": target_metadata,
        # SQLite cannot ALTER most things in place; batch mode recreates the table instead.
        # (Recreating a table drops its triggers: a later batch migration of audit_entries must
        # re-create the append-only triggers.)
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
        "compare_server_default": True,
    }


def _run_online(connection: Connection) -> None:
    context.configure(connection=connection, **_configure_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            _check_foreign_keys(connection)


def _check_foreign_keys(connection: Connection) -> None:
    # Migrations on SQLite run with foreign keys off (see run_migrations_online); before the
    # transaction commits, every row must still point at an existing row.
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows with broken foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_online(connection)
        return

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: set sqlalchemy.url or attributes['connection']")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite's way to change a table is to build a new one and drop the old (batch
                # mode). With foreign keys on, dropping a table that other rows point at deletes
                # or refuses; SQLite's own procedure turns them off first. The pragma only works
                # outside a transaction, hence on the driver's connection, before BEGIN.
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
            try:
                _run_online(connection)
            finally:
                if sqlite:
                    connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("offline mode needs sqlalchemy.url to know the dialect")
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_configure_options(make_url(url).get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
