"""Contested serials in the services, the command line and the migration that brought them.

The world (tests/factories.py): organisation A holds block_a, the Verra sample's 29,813 VCUs of
issuance 1310 (941,382,742 … 941,412,554), and retired 100 VCUs of issuance 1311 for its 2024
period (retirement_a). Organisation B has a lead of its own and nothing yet.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from neutrality import migrate
from neutrality.audit.services import verify_chain
from neutrality.commitments import services as commitments
from neutrality.db import make_engine
from neutrality.errors import Conflict
from neutrality.organisations import services as organisations
from neutrality.pagination import EVERYTHING
from neutrality.registry import contests, held_blocks, projects, retirements
from neutrality.registry.model import SerialsContested
from neutrality.registry.tables import SerialBlock, SerialContest
from neutrality.uow import UnitOfWork
from tests.factories import (
    ADMIN,
    HELD_VCU,
    OTHER_VCU,
    RETIRED_VCU,
    World,
    commitment_payload,
    organisation_payload,
    site_payload,
    verra_project,
)
from tests.racing import PG_URL

AS_OF = dt.date(2026, 11, 1)
CONTESTED = "these serials cannot be retired: they are contested; a site administrator will review the evidence"


def _b_enters(
    uow: Any, world: World, serial: str, quantity: int, project: str = "3005"
) -> SerialBlock:
    project_id = projects.create_project(
        uow(), ADMIN, world.org_b, verra_project(project, "Biogas")
    ).id
    return held_blocks.add_block(
        uow(),
        ADMIN,
        world.org_b,
        {"scheme": "VCU", "serial": serial, "quantity": quantity, "project_id": project_id},
        as_of=AS_OF,
    )


def _period_of_b(uow: Any, world: World) -> int:
    site = organisations.create_site(uow(), ADMIN, world.org_b, site_payload())
    subject = organisations.create_subject(
        uow(), ADMIN, world.org_b, {"name": "B", "kind": "site", "site_id": site.id}
    )
    commitment = commitments.create_commitment(
        uow(), ADMIN, world.org_b, commitment_payload(subject.id)
    )
    return commitments.generate(uow(), ADMIN, world.org_b, commitment.id, count=1)[0].id


def _retire(uow: Any, organisation_id: int, period_id: int, block_id: int) -> Any:
    return retirements.retire(
        uow(),
        ADMIN,
        organisation_id,
        {
            "period_id": period_id,
            "block_id": block_id,
            "beneficiary_text": "Factory A",
            "purpose": "B's claim",
            "retired_on": dt.date(2025, 3, 1),
            "registry_reference": "R-B",
        },
        evidence=b"%PDF certificate",
        evidence_filename="c.pdf",
        as_of=AS_OF,
    )


def test_a_held_block_on_units_another_organisation_retired_is_refused_in_the_contest_words(
    uow, db, world, table_counts
) -> None:
    # B's block was stored held although A retired its units (as blocks entered before contests
    # existed could be): the ledger's probe refuses it, and says nothing of A
    block = _b_enters(uow, world, RETIRED_VCU, 100)
    with db() as session:
        session.execute(text("DELETE FROM serial_contests WHERE block_id = :id"), {"id": block.id})
        session.execute(
            text("UPDATE serial_blocks SET status = 'held' WHERE id = :id"), {"id": block.id}
        )
        session.commit()
    period_b = _period_of_b(uow, world)
    before = table_counts()

    with pytest.raises(SerialsContested) as refused:
        _retire(uow, world.org_b, period_b, block.id)

    assert (refused.value.code, refused.value.message) == ("contested", CONTESTED)
    assert refused.value.details == {"block_id": ["contested"]}
    assert table_counts() == before


def test_a_contested_block_changes_status_only_by_the_resolution(uow, world, table_counts) -> None:
    block = _b_enters(uow, world, HELD_VCU, 29_813)
    before = table_counts()

    with pytest.raises(SerialsContested) as refused:
        held_blocks.set_block_status(uow(), ADMIN, world.org_b, block.id, "cancelled", "withdrawn")

    assert refused.value.message == (
        "these serials cannot change status: they are contested; a site administrator will review the evidence"
    )
    assert table_counts() == before


def test_entering_the_undisputed_units_again_after_losing_a_contest_holds_them(uow, world) -> None:
    # B entered block_a's serials and one more range of its own project 3866; the administrator
    # found A holds block_a's: B's block is void, and B's own block is not held back by it
    block = _b_enters(uow, world, HELD_VCU, 29_813)
    [contest] = contests.list_contests(uow(), ADMIN, EVERYTHING, status="open").items
    contests.resolve(
        uow(),
        ADMIN,
        contest.contest.id,
        {
            "keep": "holders",
            "reason": "The registry statement shows the units in the holder's account.",
        },
        evidence=b"%PDF statement",
        evidence_filename="statement.pdf",
    )
    # the void block no longer counts as B's: a block of the first 100 units is B's again to
    # claim, and it is contested again, as A still holds them
    again = held_blocks.add_block(
        uow(),
        ADMIN,
        world.org_b,
        {
            "scheme": "VCU",
            "serial": HELD_VCU.replace("941412554", "941382841"),
            "quantity": 100,
            "project_id": block.project_id,
        },
        as_of=AS_OF,
    )
    mine = _b_enters(uow, world, OTHER_VCU, 15_000, project="3866")

    assert (again.status, mine.status) == ("contested", "held")
    with uow() as unit:
        assert unit.session.get(SerialBlock, block.id).status == "void"


def test_resolving_a_contest_reserved_for_a_period_keeps_the_reservation_of_what_stays(
    uow, world
) -> None:
    # A reserved block_a for its period; B contests its first 100 units; the administrator finds
    # for B: those 100 are void (no reservation), the other 29,713 stay reserved for the period
    from neutrality.registry import planning

    planning.reserve(
        uow(),
        ADMIN,
        world.org_a,
        world.period_verified,
        [{"block_id": world.block_a, "quantity": None}],
    )
    _b_enters(uow, world, HELD_VCU.replace("941412554", "941382841"), 100)
    [contest] = contests.list_contests(uow(), ADMIN, EVERYTHING, status="open").items

    view = contests.resolve(
        uow(),
        ADMIN,
        contest.contest.id,
        {"keep": "claimant", "reason": "B's account."},
        evidence=b"%PDF statement",
        evidence_filename="statement.pdf",
    )

    assert view.claimant.block.status == "held"
    with uow() as unit:
        rows = unit.session.execute(
            text(
                "SELECT b.serial_start, b.serial_end, b.status, r.period_id FROM serial_blocks b "
                "LEFT JOIN block_reservations r ON r.block_id = b.id WHERE b.organisation_id = :org "
                "AND b.issuance_key = :key ORDER BY b.serial_start"
            ),
            {"org": world.org_a, "key": view.claimant.block.issuance_key},
        ).all()
    assert [tuple(r) for r in rows] == [
        (941382742, 941382841, "void", None),
        (941382842, 941412554, "reserved", world.period_verified),
    ]


def test_two_organisations_contesting_the_same_units_each_have_a_contest(uow, world) -> None:
    # B, then a third organisation C, enter block_a's serials: both contested; A holds them
    b_block = _b_enters(uow, world, HELD_VCU, 29_813)
    org_c = organisations.create_organisation(uow(), ADMIN, organisation_payload()).id
    project = projects.create_project(uow(), ADMIN, org_c, verra_project("3005", "Biogas")).id
    c_block = held_blocks.add_block(
        uow(),
        ADMIN,
        org_c,
        {"scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project},
        as_of=AS_OF,
    )

    views = contests.list_contests(uow(), ADMIN, EVERYTHING).items

    assert [(v.claimant.organisation_id, v.claimant.block.id) for v in views] == [
        (world.org_b, b_block.id),
        (org_c, c_block.id),
    ]
    # the holders of each are A's block only (the other claimant's block is contested, not held)
    assert [[h.block.id for h in v.holders] for v in views] == [[world.block_a], [world.block_a]]


# --- the command line ---------------------------------------------------------------------------


def test_the_command_line_lists_and_resolves_contests(app, uow, world, tmp_path: Path) -> None:
    block = _b_enters(uow, world, HELD_VCU, 29_813)
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["registry", "contests", "--status", "open", "--json"])

    assert listed.exit_code == 0, listed.output
    [contest] = json.loads(listed.output)
    assert (contest["claimant"]["block"]["id"], contest["holders"][0]["block"]["id"]) == (
        block.id,
        world.block_a,
    )
    evidence = tmp_path / "statement.pdf"
    evidence.write_bytes(b"%PDF registry statement")
    resolved = runner.invoke(
        args=[
            "registry",
            "resolve",
            str(contest["id"]),
            "--keep",
            "holders",
            "--reason",
            "The registry statement shows the units in the holder's account.",
            "--evidence",
            str(evidence),
            "--json",
        ]
    )
    assert resolved.exit_code == 0, resolved.output
    assert (json.loads(resolved.output)["status"], json.loads(resolved.output)["outcome"]) == (
        "resolved",
        "holders",
    )
    with uow() as unit:
        assert unit.session.get(SerialBlock, block.id).status == "void"


def test_the_command_line_refuses_an_unknown_outcome_and_writes_nothing(
    app, uow, world, tmp_path, table_counts
) -> None:
    _b_enters(uow, world, HELD_VCU, 29_813)
    [contest] = contests.list_contests(uow(), ADMIN, EVERYTHING).items
    evidence = tmp_path / "statement.pdf"
    evidence.write_bytes(b"%PDF")
    before = table_counts()

    result = app.test_cli_runner().invoke(
        args=[
            "registry",
            "resolve",
            str(contest.contest.id),
            "--keep",
            "both",
            "--reason",
            "x",
            "--evidence",
            str(evidence),
        ]
    )

    assert result.exit_code == 2
    assert "'both' is not one of 'claimant', 'holders'" in result.output
    assert table_counts() == before


@pytest.mark.parametrize(
    ("which", "reason", "evidence", "expected"),
    [
        ("unknown", "the statements agree", b"%PDF", "Error: not_found: contest 999999 not found\n"),
        ("open", "   ", b"%PDF", 'Error: invalid_input: a resolution needs a reason {"reason": ["required"]}\n'),
        ("open", "the statements agree", b"",
         'Error: invalid_input: attach the evidence the contest is decided on {"evidence": ["empty"]}\n'),
    ],
    ids=["unknown contest", "blank reason", "empty evidence"],
)
def test_the_command_line_refuses_a_bad_resolution_and_writes_nothing(
    app, uow, world, tmp_path, table_counts, which, reason, evidence, expected
) -> None:
    _b_enters(uow, world, HELD_VCU, 29_813)
    [contest] = contests.list_contests(uow(), ADMIN, EVERYTHING).items
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(evidence)
    contest_id = "999999" if which == "unknown" else str(contest.contest.id)
    before = table_counts()

    result = app.test_cli_runner().invoke(args=[
        "registry", "resolve", contest_id, "--keep", "holders", "--reason", reason, "--evidence", str(statement)])

    assert result.exit_code == 1, result.output
    assert result.output == expected
    assert table_counts() == before


# --- the migration ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", *(["postgresql"] if PG_URL else [])])
def at_0010(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own migrated to the revision before contests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-contests.db'}"
        migrate.upgrade(url, "0010_sessions_invitations")
        yield url
        return
    name = f"{make_url(PG_URL).database}_contest_migration"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url, "0010_sessions_invitations")
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _insert(conn: Any, table: str, values: dict[str, Any]) -> int:
    columns = ", ".join(values)
    names = ", ".join(f":{column}" for column in values)
    statement = f"INSERT INTO {table} ({columns}) VALUES ({names}) RETURNING id"  # noqa: S608
    return conn.execute(text(statement), values).scalar_one()


_CREATED = {"created_at": "2026-01-01 00:00:00"}


def _insert_holder(conn: Any, name: str) -> tuple[int, int]:
    organisation = _insert(
        conn,
        "organisations",
        {
            "name": name,
            "legal_name": name,
            "nature_of_enterprise": "private",
            "legal_representative": "R",
            "registered_address": "a",
            "production_address": "a",
            "industry_category": "C",
            "contact_person": "P",
            "country": "CN",
            "consolidation_approach": "operational_control",
            "consolidation_justification": "we run it",
            "updated_at": "2026-01-01 00:00:00",
            **_CREATED,
        },
    )
    project = _insert(
        conn,
        "instrument_projects",
        {
            "organisation_id": organisation,
            "kind": "carbon_credit",
            "source_registry": "verra",
            "registry_project_id": "3005",
            "name": "Biogas",
            "proponent": "",
            "region": "",
            "methodology": "",
            "project_type": "",
            "mitigation": "unknown",
            "labels": "{}",
            "technology": "",
            "extra": "{}",
            "created_by": "test",
            **_CREATED,
        },
    )
    return organisation, project


def _insert_block(
    conn: Any, organisation: int, project: int, start: int, end: int, status: str = "held"
) -> int:
    return _insert(
        conn,
        "serial_blocks",
        {
            "organisation_id": organisation,
            "scheme": "VCU",
            "project_id": project,
            "issuance_key": "K",
            "serial_start": start,
            "serial_end": end,
            "quantity": end - start + 1,
            "status": status,
            "account": "",
            "raw_serial": "raw",
            "details": "{}",
            "created_by": "test",
            **_CREATED,
        },
    )


def test_the_migration_makes_the_later_of_two_organisations_blocks_on_the_same_units_contested(
    at_0010: str,
) -> None:

    engine = make_engine(at_0010)
    with engine.begin() as conn:
        first, first_project = _insert_holder(conn, "First")
        second, second_project = _insert_holder(conn, "Second")
        kept = _insert_block(conn, first, first_project, 1, 100)
        later = _insert_block(
            conn, second, second_project, 51, 150, status="retired"
        )  # imported as retired
        apart = _insert_block(conn, second, second_project, 201, 300)
    engine.dispose()

    migrate.upgrade(at_0010)

    engine = make_engine(at_0010)
    try:
        with engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT id, status FROM serial_blocks")).all())
            opened = conn.execute(
                text(
                    "SELECT organisation_id, block_id, claimed_status, status, opened_by FROM serial_contests"
                )
            ).all()
            entries = conn.execute(
                text("SELECT action, organisation_id, entity_type FROM audit_entries ORDER BY id")
            ).all()
        assert statuses == {kept: "held", later: "contested", apart: "held"}
        assert [tuple(c) for c in opened] == [
            (second, later, "retired", "open", "migration 0011_contested_blocks")
        ]
        assert [tuple(e) for e in entries] == [("registry.contest.open", second, "serial_contests")]
        report = verify_chain(UnitOfWork(sessionmaker(bind=engine)), ADMIN)
        assert (report.intact, report.checked) == (True, 1)
    finally:
        engine.dispose()


def test_migration_downgrade_makes_contested_blocks_held_and_void_ones_transferred_out(
    at_0010: str,
) -> None:
    migrate.upgrade(at_0010)
    engine = make_engine(at_0010)
    with engine.begin() as conn:
        organisation, project = _insert_holder(conn, "Org")
        contested = _insert_block(conn, organisation, project, 1, 10, status="contested")
        void = _insert_block(conn, organisation, project, 11, 20, status="void")
    engine.dispose()

    migrate.downgrade(at_0010, "0010_sessions_invitations")

    engine = make_engine(at_0010)
    try:
        with engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT id, status FROM serial_blocks")).all())
        assert statuses == {contested: "held", void: "transferred_out"}
    finally:
        engine.dispose()


def test_contests_are_refused_in_a_conflict_when_resolved_twice(uow, world) -> None:
    _b_enters(uow, world, HELD_VCU, 29_813)
    [contest] = contests.list_contests(uow(), ADMIN, EVERYTHING).items
    contests.resolve(
        uow(),
        ADMIN,
        contest.contest.id,
        {"keep": "holders", "reason": "A."},
        evidence=b"%PDF",
        evidence_filename="s.pdf",
    )
    with pytest.raises(Conflict) as refused:
        contests.resolve(
            uow(),
            ADMIN,
            contest.contest.id,
            {"keep": "claimant", "reason": "B."},
            evidence=b"%PDF",
            evidence_filename="s.pdf",
        )
    assert refused.value.details == {"contest_id": ["resolved"]}
    with uow() as unit:
        stored = unit.session.scalar(
            select(SerialContest).where(SerialContest.id == contest.contest.id)
        )
        assert (stored.outcome, stored.reason) == ("holders", "A.")


def test_a_contest_shows_each_side_its_own_retirements_on_the_disputed_units(uow, world) -> None:
    # B enters units 950,000,051–950,000,150 of issuance 1311: A retired 950,000,001–950,000,100
    # (retirement_a), so B's block is contested with A's retired block as holder. On the
    # disputed units (…051–…100) A has retirement_a in force; B has retired nothing.
    b_serial = "20001-950000051-950000150-VCS-VCU-1311-VER-CN-13-3005-01012022-31102022-0"
    block = _b_enters(uow, world, b_serial, 100)
    [view] = contests.list_contests(uow(), ADMIN, EVERYTHING, status="open").items

    assert view.claimant.block.id == block.id
    assert view.claimant.retirement_ids == ()
    assert [(side.organisation_id, side.retirement_ids) for side in view.holders] == [
        (world.org_a, (world.retirement_a,))]
    one = contests.get_contest(uow(), ADMIN, view.contest.id)
    assert [(s.block.id, s.retirement_ids) for s in one.holders] == [
        (s.block.id, s.retirement_ids) for s in view.holders]
