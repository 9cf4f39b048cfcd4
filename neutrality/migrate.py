"""Run the Alembic migrations from code: no alembic.ini, the database URL comes from the caller.

The migration scripts live in the package (``neutrality/migrations``), so an installed wheel can
migrate its own database with ``neutrality db upgrade``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from neutrality.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _escape(value: str) -> str:
    # Config options pass through ConfigParser interpolation: a literal "%" (as in a
    # percent-encoded password in a URL) must be doubled or it is read as "%(name)s".
    return value.replace("%", "%%")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url``, built without an ini file."""
    config = Config()
    config.set_main_option("script_location", _escape(str(MIGRATIONS_DIR)))
    # New revisions sort by date in a directory listing: 2026_11_21_<rev>_<slug>.py.
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    # Explicit, so Alembic never falls back to (deprecated) legacy path splitting.
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", _escape(url))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Revert migrations down to ``revision`` (``base`` removes everything they created)."""
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database is at, or None if no migration has been applied."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
