"""A row the audit log names by id keeps its id to itself: an id deleted is never given to the
next row (SQLite AUTOINCREMENT; PostgreSQL's sequences never reuse one), so no two objects share
an ``entity_id`` in the log. Migration 0009 makes it so for databases made before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc, select, text
from sqlalchemy.orm import sessionmaker

from neutrality import migrate
from neutrality.audit.tables import AuditEntry
from neutrality.commitments import services as commitments
from neutrality.db import Database, make_engine
from neutrality.inventory import activities
from neutrality.tables import metadata
from neutrality.uow import UnitOfWork
from tests.factories import ADMIN, ELECTRICITY_2024, create_world

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _logged(db: sessionmaker, table: str) -> list[tuple[str, str]]:
    with db() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.entity_id)
            .where(AuditEntry.entity_type == table)
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


def test_the_id_of_a_deleted_period_is_never_given_to_the_next_one(world, uow, db) -> None:
    before = _logged(db, "application_periods")
    removed = commitments.generate(uow(), ADMIN, world.org_a, world.commitment_a, count=1)[0]
    commitments.delete_last_period(uow(), ADMIN, world.org_a, world.commitment_a, removed.id)

    added = commitments.generate(uow(), ADMIN, world.org_a, world.commitment_a, count=1)[0]

    assert added.id > removed.id
    assert _logged(db, "application_periods")[len(before) :] == [
        ("application_period.create", str(removed.id)),
        ("application_period.delete", str(removed.id)),
        ("application_period.create", str(added.id)),
    ]


def test_the_id_of_a_deleted_activity_record_is_never_given_to_the_next_one(world, uow, db) -> None:
    # Records are written many at a time (an executemany, a COPY on PostgreSQL), not by the ORM.
    record = {
        **ELECTRICITY_2024,
        "site_id": world.site_a,
        "quantity": Decimal("5"),
        "start_date": dt.date(2025, 6, 1),
        "end_date": dt.date(2025, 6, 30),
    }
    removed = activities.add_activities(uow(), ADMIN, world.org_a, world.inventory_draft, [record])[
        0
    ]
    activities.delete_activity(uow(), ADMIN, world.org_a, world.inventory_draft, removed.id)

    added = activities.add_activities(
        uow(), ADMIN, world.org_a, world.inventory_draft, [{**record, "quantity": Decimal("6")}]
    )[0]

    assert added.id > removed.id
    assert ("activity.delete", str(removed.id)) in _logged(db, "activity_records")


def _autoincrement_tables(connection: sa.Connection) -> set[str]:
    return set(
        connection.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
            )
        ).scalars()
    )


def test_every_table_the_audit_log_names_never_reuses_an_id(db, backend) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL's sequences never reuse an id")
    with db() as session:
        named = set(session.scalars(select(AuditEntry.entity_type).distinct()))
        in_database = _autoincrement_tables(session.connection())
    declared = {
        t.name for t in metadata.tables.values() if t.dialect_options["sqlite"]["autoincrement"]
    }
    # The world (tests/factories.py) writes through most services; each table its log names is
    # one whose ids are never reused, and the migrations made every table the models declare so.
    assert len(named) > 12
    assert named <= declared
    assert declared <= in_database


# --- the migration on a database made before it ----------------------------------------------

BEFORE = "0008_block_reservations"


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()  # noqa: S608
            for t in sa.inspect(conn).get_table_names()
        }


def _primary_key_names(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        return {t: inspector.get_pk_constraint(t)["name"] for t in inspector.get_table_names()}


def test_the_migration_rebuilds_sqlite_tables_keeping_rows_names_indexes_and_triggers(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'audited.db'}"
    migrate.upgrade(url)
    database = Database(url)
    create_world(lambda: UnitOfWork(database.session_factory))
    database.dispose()
    engine = make_engine(url)
    try:
        migrate.downgrade(url, BEFORE)
        with engine.connect() as conn:
            assert _autoincrement_tables(conn) == set()
            indexes = set(
                conn.execute(
                    text(
                        "SELECT type, name, sql FROM sqlite_master"
                        " WHERE type IN ('index', 'trigger')"
                    )
                ).all()
            )
            # An id deleted before the migration is the one case it cannot help: the last rows.
            highest = {
                t: conn.execute(text(f'SELECT max(id) FROM "{t}"')).scalar_one()  # noqa: S608
                for t in ("application_periods", "retirements")
            }
        rows, names = _counts(engine), _primary_key_names(engine)

        migrate.upgrade(url, "0009_audited_ids")

        with engine.connect() as conn:
            assert len(_autoincrement_tables(conn)) == 21
            assert (
                set(
                    conn.execute(
                        text(
                            "SELECT type, name, sql FROM sqlite_master"
                            " WHERE type IN ('index', 'trigger')"
                        )
                    ).all()
                )
                == indexes
            )
            sequence = dict(conn.execute(text("SELECT name, seq FROM sqlite_sequence")).all())
        assert _counts(engine) == rows and _primary_key_names(engine) == names
        assert {t: sequence[t] for t in highest} == highest
        # The ledger's append-only triggers (0006) came back with the table.
        with (
            pytest.raises(exc.IntegrityError, match="retirements is append-only"),
            engine.begin() as conn,
        ):
            conn.execute(text("DELETE FROM retirements"))
    finally:
        engine.dispose()
