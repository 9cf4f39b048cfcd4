"""The Alembic migrations build exactly the models' schema, and take it all down again.

Runs on SQLite always and on PostgreSQL when NEUTRALITY_TEST_DATABASE_URL is set. Every test
starts from an empty database of its own: a temp file for SQLite, and for PostgreSQL a scratch
database created next to the configured one, so the shared test database (which the rest of the
suite migrates and uses) is never touched.

Self-contained on purpose: fixtures here are prefixed ``migr_`` and use nothing from conftest.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url

from neutrality import migrate
from neutrality.db import make_engine
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS
from neutrality.tables import metadata

PG_URL = os.environ.get("NEUTRALITY_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# One scratch database per pytest-xdist worker, so parallel workers never drop each other's.
SCRATCH_DATABASE = "neutrality_migrations_test" + (
    f"_{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
)

HEAD = "0026_statement_immutability"

APPEND_ONLY = "audit_entries is append-only"


# --- fixtures ----------------------------------------------------------------------------------


def _admin_engine() -> Engine:
    # CREATE/DROP DATABASE cannot run inside a transaction block, hence AUTOCOMMIT. The
    # connection goes to the configured database only to reach the server; nothing in it is read
    # or written.
    assert PG_URL is not None
    return make_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _drop_scratch_database(admin: Engine) -> None:
    with admin.connect() as conn:
        # FORCE (PostgreSQL 13+) ends sessions a failed earlier run may have left behind.
        conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def migr_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin = _admin_engine()
    try:
        _drop_scratch_database(admin)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
        yield make_url(PG_URL).set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
        _drop_scratch_database(admin)
    finally:
        admin.dispose()


@pytest.fixture
def migr_engine(migr_url: str) -> Iterator[Engine]:
    engine = make_engine(migr_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migr_pg_engine(migr_engine: Engine) -> Engine:
    if migr_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL-only feature")
    return migr_engine


# --- helpers -----------------------------------------------------------------------------------


def _differences(engine: Engine, target: sa.MetaData = metadata) -> list[Any]:
    """What autogenerate would write to turn the database into ``target``; [] when they agree.

    compare_type is on: the TypeDecorators compare through the type they load for the dialect
    (ExactDecimal is VARCHAR(60) on SQLite and NUMERIC(38, 12) on PostgreSQL; UTCDateTime is
    DATETIME / TIMESTAMP WITH TIME ZONE), which is what the migration must have created.
    Nothing is filtered out: Alembic skips its own alembic_version table, and autogenerate does
    not reflect exclusion constraints or triggers (the tests below check those directly).
    """
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, target)


def _table_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def _final_name(dialect: Dialect, item: sa.Constraint | sa.Index) -> str:
    # The name the database will hold: the naming convention applied, then truncated to the
    # dialect's identifier length (PostgreSQL: 63) exactly as SQLAlchemy does when creating it.
    name = dialect.identifier_preparer.format_constraint(item, _alembic_quote=False)
    assert name is not None
    return name


def _model_names(dialect: Dialect) -> set[tuple[str, str, str]]:
    names = set()
    for table in metadata.tables.values():
        for item in [*table.constraints, *table.indexes]:
            kind = {
                sa.PrimaryKeyConstraint: "pk",
                sa.ForeignKeyConstraint: "fk",
                sa.UniqueConstraint: "uq",
                sa.CheckConstraint: "ck",
                sa.Index: "ix",
            }[type(item)]
            names.add((table.name, kind, _final_name(dialect, item)))
    return names


def _database_names(conn: Connection) -> set[tuple[str, str, str]]:
    inspector = sa.inspect(conn)
    names = set()
    for table in metadata.tables:
        names.add((table, "pk", inspector.get_pk_constraint(table)["name"]))
        names.update((table, "fk", fk["name"]) for fk in inspector.get_foreign_keys(table))
        names.update((table, "uq", uq["name"]) for uq in inspector.get_unique_constraints(table))
        names.update((table, "ck", ck["name"]) for ck in inspector.get_check_constraints(table))
        names.update(
            (table, "ix", ix["name"])
            for ix in inspector.get_indexes(table)
            # PostgreSQL also lists the indexes behind unique constraints; those are the "uq"s.
            if "duplicates_constraint" not in ix
        )
    return names


def _insert_audit_entry(conn: Connection) -> int:
    conn.execute(
        text(
            "INSERT INTO users (email, display_name, password_hash, is_admin, is_active, locale,"
            " created_at) VALUES ('a@example.com', 'A', 'x', false, true, 'en',"
            " '2026-01-01 00:00:00')"
        )
    )
    user_id = conn.execute(text("SELECT id FROM users WHERE email = 'a@example.com'")).scalar_one()
    # The hash columns only need to be filled here (0005_audit_chain): what is tested is that
    # the row cannot be changed, not that it chains.
    conn.execute(
        text(
            "INSERT INTO audit_entries (occurred_at, actor_user_id, actor_label, action,"
            " entity_type, entity_id, previous_hash, entry_hash) VALUES ('2026-01-01 00:00:00',"
            " :user_id, 'a@example.com', 'user.create', 'user', :entity_id, :zeros, :zeros)"
        ),
        {"user_id": user_id, "entity_id": str(user_id), "zeros": "0" * 64},
    )
    return conn.execute(text("SELECT id FROM audit_entries")).scalar_one()


# --- the migration history ---------------------------------------------------------------------


def test_migration_history_has_a_single_head() -> None:
    # Two heads means two branches were merged without a merge revision; upgrade "head" would
    # then refuse to run in production.
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD]


def test_new_revision_files_are_named_by_date_then_revision() -> None:
    config = migrate.alembic_config("sqlite://")
    assert config.get_main_option("file_template") == (
        "%(year)d_%(month).2d_%(day).2d_%(rev)s_%(slug)s"
    )


def test_a_url_with_a_percent_encoded_password_reaches_alembic_unchanged() -> None:
    # Alembic's config goes through ConfigParser interpolation, which would read "%40" as the
    # start of an interpolation and fail (or mangle the password) unless escaped.
    url = "postgresql+psycopg://neutrality:p%40ss@db.invalid/neutrality"
    assert migrate.alembic_config(url).get_main_option("sqlalchemy.url") == url


# --- schema ------------------------------------------------------------------------------------


def test_upgrade_from_empty_builds_exactly_the_schema_of_the_models(
    migr_url: str, migr_engine: Engine
) -> None:
    assert migrate.current(migr_url) is None

    migrate.upgrade(migr_url)

    assert migrate.current(migr_url) == HEAD
    assert _table_names(migr_engine) == set(metadata.tables) | {"alembic_version"}
    assert _differences(migr_engine) == []


def test_schema_comparison_notices_a_column_whose_type_differs(
    migr_url: str, migr_engine: Engine
) -> None:
    # Guards the guard: if type comparison were silently off (e.g. for the TypeDecorator
    # columns), the test above would pass whatever types the migration created.
    migrate.upgrade(migr_url)
    altered = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(altered)
    altered.tables["commitments"].c.estimated_offset_tco2e.type = sa.Numeric(20, 4)

    differences = _differences(migr_engine, altered)

    assert len(differences) == 1
    [(operation, *details)] = differences[0]
    assert operation == "modify_type"
    assert details[1:3] == ["commitments", "estimated_offset_tco2e"]


def test_every_constraint_and_index_of_the_models_exists_under_its_conventional_name(
    migr_url: str, migr_engine: Engine
) -> None:
    # compare_metadata ignores CHECK constraints and most constraint names; later migrations
    # drop constraints by name, so the names must be exactly the naming convention's.
    migrate.upgrade(migr_url)

    with migr_engine.connect() as conn:
        assert _database_names(conn) == _model_names(conn.dialect)


def test_check_constraints_say_what_the_models_say(migr_url: str, migr_engine: Engine) -> None:
    # SQLite keeps the CHECK text verbatim, so it can be compared with the models' (PostgreSQL
    # rewrites it, e.g. IN (...) into = ANY (ARRAY[...])). The migration writes the same text for
    # both backends, so one comparison covers both.
    if migr_engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL normalises CHECK text; SQLite run compares it")
    migrate.upgrade(migr_url)

    with migr_engine.connect() as conn:
        inspector = sa.inspect(conn)
        in_database = {
            (table, ck["name"]): ck["sqltext"]
            for table in metadata.tables
            for ck in inspector.get_check_constraints(table)
        }
        in_models = {
            (table.name, _final_name(conn.dialect, ck)): str(ck.sqltext)
            for table in metadata.tables.values()
            for ck in table.constraints
            if isinstance(ck, sa.CheckConstraint)
        }
    assert in_database == in_models


def test_downgrade_to_base_removes_every_object_the_migrations_created(
    migr_url: str, migr_engine: Engine
) -> None:
    migrate.upgrade(migr_url)

    migrate.downgrade(migr_url, "base")

    assert migrate.current(migr_url) is None
    assert _table_names(migr_engine) <= {"alembic_version"}
    with migr_engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            leftovers = conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')"
                    " AND tbl_name != 'alembic_version'"
                )
            ).all()
        else:
            # Tables take their triggers, indexes and constraints with them; the trigger
            # function is a free-standing object and must be dropped on its own.
            leftovers = conn.execute(
                text("SELECT proname FROM pg_proc WHERE proname = 'audit_entries_append_only'")
            ).all()
    assert leftovers == []


def test_upgrade_after_a_downgrade_rebuilds_the_same_schema(
    migr_url: str, migr_engine: Engine
) -> None:
    # Proves the downgrade leaves nothing behind that would make the next upgrade collide
    # (e.g. a surviving trigger function, or btree_gist, which is kept on purpose).
    migrate.upgrade(migr_url)
    migrate.downgrade(migr_url, "base")

    migrate.upgrade(migr_url)

    assert migrate.current(migr_url) == HEAD
    assert _differences(migr_engine) == []


# --- how env.py can be driven ------------------------------------------------------------------


def test_migrations_run_on_a_connection_handed_in_through_config_attributes(
    migr_url: str, migr_engine: Engine, tmp_path: Path
) -> None:
    # E.g. a test or a tool that already holds a connection. The configured URL points
    # nowhere usable, so the run can only succeed on the connection given.
    config = migrate.alembic_config(f"sqlite:///{tmp_path / 'missing' / 'never.db'}")
    with migr_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    assert migrate.current(migr_url) == HEAD
    assert not (tmp_path / "missing").exists()


def test_offline_mode_renders_the_postgresql_migration_as_sql_without_a_database() -> None:
    # For a DBA who wants to review or apply the DDL by hand (``alembic upgrade --sql``).
    config = migrate.alembic_config("postgresql+psycopg://nobody@offline.invalid/none")
    config.output_buffer = io.StringIO()

    command.upgrade(config, "head", sql=True)

    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE audit_entries" in sql
    assert "NUMERIC(38, 12)" in sql  # ExactDecimal, rendered for PostgreSQL
    assert "EXCLUDE USING gist" in sql
    assert "CREATE TRIGGER audit_entries_append_only" in sql


# --- what only the migration adds --------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET action = 'user.delete' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ],
    ids=["update", "delete"],
)
def test_audit_entries_cannot_be_changed_or_removed_once_written(
    migr_url: str, migr_engine: Engine, statement: str
) -> None:
    migrate.upgrade(migr_url)
    with migr_engine.begin() as conn:
        entry_id = _insert_audit_entry(conn)

    # Both backends report an IntegrityError (PostgreSQL's trigger raises SQLSTATE 23000).
    with pytest.raises(exc.IntegrityError, match=APPEND_ONLY), migr_engine.begin() as conn:
        conn.execute(text(statement), {"id": entry_id})

    with migr_engine.connect() as conn:
        action = conn.execute(
            text("SELECT action FROM audit_entries WHERE id = :id"), {"id": entry_id}
        ).scalar_one()
    assert action == "user.create"


def _insert_commitment(conn: Connection, name: str) -> tuple[int, int]:
    organisation_id = conn.execute(
        text(
            "INSERT INTO organisations (name, legal_name, nature_of_enterprise,"
            " legal_representative, registered_address, production_address, industry_category,"
            " contact_person, country, consolidation_approach, consolidation_justification,"
            " created_at, updated_at)"
            " VALUES (:name, :name, 'private', 'R', 'addr', 'addr', 'C38', 'P', 'CN',"
            " 'operational_control', 'we run it', now(), now()) RETURNING id"
        ),
        {"name": name},
    ).scalar_one()
    subject_id = conn.execute(
        text(
            "INSERT INTO subjects (organisation_id, name, kind, site_id, description, created_at)"
            " VALUES (:org, 'whole company', 'organisation', NULL, '', now()) RETURNING id"
        ),
        {"org": organisation_id},
    ).scalar_one()
    commitment_id = conn.execute(
        text(
            "INSERT INTO commitments (organisation_id, subject_id, standard, zero_carbon_factory,"
            " statement, baseline_date, first_qualification_date, period_length_months,"
            " first_period_includes_historic_reductions, planned_measures, offset_strategy,"
            " intended_credit_types, created_at, updated_at)"
            " VALUES (:org, :subject, 'iso_14068_1_2023', false, 'we commit', '2024-01-01',"
            " '2025-01-01', 12, false, '[]', 'buy credits', '[]', now(), now()) RETURNING id"
        ),
        {"org": organisation_id, "subject": subject_id},
    ).scalar_one()
    return organisation_id, commitment_id


def _insert_period(
    conn: Connection, ids: tuple[int, int], sequence: int, start: str, end: str
) -> None:
    organisation_id, commitment_id = ids
    conn.execute(
        text(
            "INSERT INTO application_periods (organisation_id, commitment_id, sequence,"
            " start_date, end_date, status, includes_historic_reductions, created_at)"
            " VALUES (:org, :commitment, :sequence, :start, :end, 'open', false, now())"
        ),
        {
            "org": organisation_id,
            "commitment": commitment_id,
            "sequence": sequence,
            "start": start,
            "end": end,
        },
    )


def test_postgresql_refuses_overlapping_application_periods_of_one_commitment(
    migr_url: str, migr_pg_engine: Engine
) -> None:
    migrate.upgrade(migr_url)
    with migr_pg_engine.begin() as conn:
        commitment = _insert_commitment(conn, "Acme")
        _insert_period(conn, commitment, 1, "2025-01-01", "2025-12-31")

    # End dates are inclusive ('[]'), so sharing the single day 2025-12-31 is an overlap.
    with pytest.raises(exc.IntegrityError) as refused, migr_pg_engine.begin() as conn:
        _insert_period(conn, commitment, 2, "2025-12-31", "2026-12-30")

    assert refused.value.orig.sqlstate == "23P01"  # exclusion_violation
    assert "ex_application_periods_no_overlap" in str(refused.value)


def test_postgresql_accepts_adjacent_periods_and_the_same_dates_on_another_commitment(
    migr_url: str, migr_pg_engine: Engine
) -> None:
    # The constraint must not over-reach: it is per commitment, and back-to-back periods (the
    # normal case: no gap, no overlap) are fine.
    migrate.upgrade(migr_url)
    with migr_pg_engine.begin() as conn:
        first = _insert_commitment(conn, "Acme")
        other = _insert_commitment(conn, "Other")
        _insert_period(conn, first, 1, "2025-01-01", "2025-12-31")
        _insert_period(conn, first, 2, "2026-01-01", "2026-12-31")
        _insert_period(conn, other, 1, "2025-01-01", "2025-12-31")

    with migr_pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM application_periods")).scalar_one() == 3


# --- data carried through migrations -----------------------------------------------------------


def test_record_batches_migration_gives_every_record_a_batch_of_its_own_inventory(
    migr_url: str, migr_engine: Engine
) -> None:
    # Data made through the services at the head, then taken back to 0002, where records sent as
    # JSON had no batch, plus what 0002's new version did: copy records that keep pointing at the
    # batch of the version they came from. Upgrading must give each record a batch of its own
    # inventory and lose nothing.
    from neutrality.db import Database
    from neutrality.inventory import activities
    from neutrality.uow import UnitOfWork
    from tests.factories import ADMIN, create_world

    migrate.upgrade(migr_url)
    database = Database(migr_url)
    world = create_world(lambda: UnitOfWork(database.session_factory))
    csv = (
        "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key\n"
        f"{world.site_a},Boiler gas,1,stationary_combustion,fuel,100,m3,2025-01-01,2025-01-31,"
        "cnguide2015:natural_gas:combustion\n"
    ).encode()
    activities.import_activities(
        UnitOfWork(database.session_factory), ADMIN, world.org_a, world.inventory_draft,
        data=csv, filename="gas.csv", max_bytes=10_000, limits=ACTIVITY_FILE_LIMITS,
    )
    database.dispose()
    migrate.downgrade(migr_url, "0002_inventory")
    with migr_engine.begin() as conn:
        # the world: one JSON record in the verified and one in the draft inventory, and the file
        assert conn.execute(text("SELECT count(*) FROM activity_imports")).scalar_one() == 1
        assert conn.execute(text(
            "SELECT count(*) FROM activity_records WHERE import_id IS NULL")).scalar_one() == 2
        file_batch = conn.execute(text("SELECT id FROM activity_imports")).scalar_one()
        conn.execute(text(
            "INSERT INTO inventories (organisation_id, period_id, version, status, origin, gwp_set,"
            " factor_library_version, reason, significance_threshold_percent,"
            " materiality_threshold_percent, created_at, created_by)"
            " SELECT organisation_id, period_id, version + 1, 'draft', origin, gwp_set,"
            " factor_library_version, 'copy', significance_threshold_percent,"
            " materiality_threshold_percent, created_at, created_by FROM inventories WHERE id = :id"
        ), {"id": world.inventory_draft})
        copy = conn.execute(text("SELECT max(id) FROM inventories")).scalar_one()
        columns = ", ".join(
            c.name for c in metadata.tables["activity_records"].columns
            if c.name not in ("id", "inventory_id", "source_row")  # source_row: added by 0013
        )
        conn.execute(text(
            f"INSERT INTO activity_records ({columns}, inventory_id)"  # noqa: S608 - test SQL
            f" SELECT {columns}, :copy FROM activity_records WHERE inventory_id = :id"
        ), {"copy": copy, "id": world.inventory_draft})
        records_before = conn.execute(text("SELECT count(*) FROM activity_records")).scalar_one()

    migrate.upgrade(migr_url)

    with migr_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity_records")).scalar_one() == records_before == 5
        assert conn.execute(text(
            "SELECT count(*) FROM activity_records r JOIN activity_imports i"
            " ON i.id = r.import_id AND i.inventory_id = r.inventory_id")).scalar_one() == 5
        batches = conn.execute(text(
            "SELECT inventory_id, kind, filename, row_count, copied_from_id FROM activity_imports"
            " ORDER BY inventory_id, kind")).all()
    # verified: its JSON record; draft: the file and its JSON record; the copy: a copy of the
    # file batch (pointing back at it) and an API batch for its copied JSON record
    assert sorted(map(tuple, batches)) == sorted([
        (world.inventory_verified, "api", "", 1, None),
        (world.inventory_draft, "api", "", 1, None),
        (world.inventory_draft, "file", "gas.csv", 1, None),
        (copy, "api", "", 1, None),
        (copy, "file", "gas.csv", 1, file_batch),
    ])


def test_audit_chain_migration_chains_the_entries_already_written_in_id_order(
    migr_url: str, migr_engine: Engine
) -> None:
    # Entries made through the services at the head, taken back to 0004 (no hash columns), plus
    # one written there by hand (no organisation, no user, Chinese text, a JSON document); the
    # upgrade must chain them all so that they verify, and leave the table append-only again.
    from neutrality.audit import services as audit
    from neutrality.db import Database
    from neutrality.organisations import services as organisations
    from neutrality.uow import UnitOfWork
    from tests.factories import ADMIN, create_world, organisation_payload

    def verify() -> Any:
        database = Database(migr_url)
        try:
            return audit.verify_chain(UnitOfWork(database.session_factory), ADMIN)
        finally:
            database.dispose()

    migrate.upgrade(migr_url)
    database = Database(migr_url)
    create_world(lambda: UnitOfWork(database.session_factory))
    database.dispose()
    migrate.downgrade(migr_url, "0004_registry")
    with migr_engine.begin() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("audit_entries")}
        assert not columns & {"previous_hash", "entry_hash"}
        conn.execute(text(
            "INSERT INTO audit_entries (occurred_at, actor_label, action, entity_type, entity_id,"
            " \"after\") VALUES ('2026-11-21 08:00:00.25', '管理员', 'user.create', 'users', '99',"
            " '{\"display_name\": \"张三\", \"ids\": [2, 1]}')"
        ))
        count = conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    # The downgrade rebuilt the table on SQLite; the triggers came back with it.
    with pytest.raises(exc.IntegrityError, match=APPEND_ONLY), migr_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries"))

    migrate.upgrade(migr_url)

    report = verify()
    assert report.intact and report.checked == count > 1
    with migr_engine.connect() as conn:
        first = conn.execute(
            text("SELECT previous_hash FROM audit_entries ORDER BY id LIMIT 1")).scalar_one()
    assert first == "0" * 64
    with pytest.raises(exc.IntegrityError, match=APPEND_ONLY), migr_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor_label = 'someone else'"))
    # The application goes on from the last backfilled entry.
    database = Database(migr_url)
    organisations.create_organisation(UnitOfWork(database.session_factory), ADMIN,
                                      organisation_payload())
    database.dispose()
    report = verify()
    assert report.intact and report.checked == count + 1


def test_activity_pages_migration_counts_the_records_each_inventory_already_holds(
    migr_url: str, migr_engine: Engine
) -> None:
    # The world made at the head: the verified inventory holds one record (sent as JSON), the
    # draft one record sent as JSON and one imported from a file, the external one none. Back
    # at 0011 the count column is gone; the upgrade must count them again: 1, 2 and 0.
    from neutrality.db import Database
    from neutrality.inventory import activities
    from neutrality.uow import UnitOfWork
    from tests.factories import ADMIN, create_world

    migrate.upgrade(migr_url)
    database = Database(migr_url)
    world = create_world(lambda: UnitOfWork(database.session_factory))
    csv = (
        "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key\n"
        f"{world.site_a},Boiler gas,1,stationary_combustion,fuel,100,m3,2025-01-01,2025-01-31,"
        "cnguide2015:natural_gas:combustion\n"
    ).encode()
    activities.import_activities(
        UnitOfWork(database.session_factory), ADMIN, world.org_a, world.inventory_draft,
        data=csv, filename="gas.csv", max_bytes=10_000, limits=ACTIVITY_FILE_LIMITS,
    )
    database.dispose()
    migrate.downgrade(migr_url, "0011_contested_blocks")
    with migr_engine.connect() as conn:
        assert "activity_count" not in {c["name"] for c in sa.inspect(conn).get_columns("inventories")}

    migrate.upgrade(migr_url)

    with migr_engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT id, activity_count FROM inventories")).all())
    assert counts == {world.inventory_verified: 1, world.inventory_draft: 2, world.inventory_external: 0}


def test_technology_codes_migration_turns_the_names_registries_write_into_codes(
    migr_url: str, migr_engine: Engine
) -> None:
    # Projects stored before the codes, with technologies as GEC lists and users wrote them:
    # 光伏 and 海上風電 (繁體) are solar_pv and wind_offshore, "Onshore Wind" wind_onshore; "nuclear"
    # is none of the technologies and stays as written; a code stays a code, blank stays blank.
    migrate.upgrade(migr_url, "0017_retirements_despite_rules")
    written = ["光伏", "海上風電", "Onshore Wind", "nuclear", "hydro", ""]
    with migr_engine.begin() as conn:
        org = conn.execute(text(
            "INSERT INTO organisations (name, legal_name, nature_of_enterprise, legal_representative, "
            "registered_address, production_address, industry_category, contact_person, country, "
            "consolidation_approach, consolidation_justification, created_at, updated_at) VALUES "
            "('T', 'T Co.', 'private', 'x', 'x', 'x', 'x', 'x', 'CN', 'operational_control', 'x', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id")).scalar_one()
        for n, technology in enumerate(written):
            conn.execute(text(
                "INSERT INTO instrument_projects (organisation_id, kind, source_registry, registry_project_id, "
                "name, proponent, region, methodology, project_type, mitigation, labels, technology, extra, "
                "created_at, created_by) VALUES (:org, 'eac', 'gec', :pid, 'P', '', '', '', '', 'unknown', '{}', "
                ":technology, '{}', CURRENT_TIMESTAMP, 'test')"), {"org": org, "pid": f"P{n}", "technology": technology})

    migrate.upgrade(migr_url)

    with migr_engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT registry_project_id, technology FROM instrument_projects")).all())
    assert [stored[f"P{n}"] for n in range(len(written))] == [
        "solar_pv", "wind_offshore", "wind_onshore", "nuclear", "hydro", ""]


def test_user_locale_migration_forgets_the_default_and_keeps_a_choice(migr_url: str, migr_engine: Engine) -> None:
    # Before 0019 every account made without a language held "en", the default, not a choice:
    # it becomes "" (the browser's language applies); a language set otherwise is kept.
    migrate.upgrade(migr_url, "0018_technology_codes")
    with migr_engine.begin() as conn:
        for email, locale in (("a@example.test", "en"), ("b@example.test", "zh_Hant")):
            conn.execute(text(
                "INSERT INTO users (email, display_name, password_hash, is_admin, is_active, locale, created_at) "
                "VALUES (:email, 'x', 'x', false, true, :locale, CURRENT_TIMESTAMP)"), {"email": email, "locale": locale})

    migrate.upgrade(migr_url)

    with migr_engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT email, locale FROM users")).all())
    assert stored == {"a@example.test": "", "b@example.test": "zh_Hant"}
