"""Concurrent writers on PostgreSQL: the checks that guard against double counting hold when
requests race (SQLite serialises every writer with BEGIN IMMEDIATE; PostgreSQL does not).

Runs against a scratch database next to the configured one, with real commits: the shared test
database (a rolled-back transaction per test) cannot show what two committed writers do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from neutrality.db import Database
from neutrality.organisations import services as organisations
from neutrality.registry import blocks as block_math
from neutrality.registry import held_blocks, projects
from neutrality.registry.model import Block
from neutrality.registry.tables import SerialBlock
from neutrality.uow import UnitOfWork
from tests.factories import ADMIN, organisation_payload, verra_project
from tests.racing import ON_POSTGRESQL, race, refused, scratch_database

pytestmark = ON_POSTGRESQL


@pytest.fixture
def database() -> Iterator[Database]:
    with scratch_database("neutrality_concurrency_test", connections=25) as db:
        yield db


def _serial(start: int, end: int) -> str:
    return f"1-{start}-{end}-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"


def test_racing_entries_of_overlapping_serials_leave_exactly_one_held(database: Database) -> None:
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload()).id
    project = projects.create_project(uow(), ADMIN, org, verra_project("3005", "Tongxu Biogas")).id
    # 12 requests for the same 1,000 units (only one may win) and 12 for disjoint blocks (all win)
    same = [(1_000_001, 1_001_000)] * 12
    disjoint = [(2_000_001 + i * 1_000, 2_001_000 + i * 1_000) for i in range(12)]
    requests = same + disjoint

    def enter(start: int, end: int) -> str:
        held_blocks.add_block(uow(), ADMIN, org, {
            "scheme": "VCU", "serial": _serial(start, end), "quantity": end - start + 1,
            "project_id": project}, as_of=dt.date(2026, 11, 21))
        return "held"

    outcomes = race(requests, enter)

    with uow() as unit:
        rows = unit.session.scalars(select(SerialBlock).where(SerialBlock.organisation_id == org)).all()
        held = [Block(b.scheme, b.issuance_key, b.serial_start, b.serial_end) for b in rows]
        winner = next(b.id for b in rows if b.serial_start == 1_000_001)
    # the holdings lock serialises the organisation's writers: each loser finds the winner's block
    assert sorted(outcomes[:12]) == sorted(["held"] + [refused("serial", f"overlaps block {winner}")] * 11)
    assert outcomes[12:] == ["held"] * 12
    assert len(held) == 13 and block_math.find_overlaps(held) == []


def test_racing_writers_append_to_one_audit_chain_without_a_fork(database: Database) -> None:
    # 24 transactions, released together, each commit an audit entry. Every entry must chain
    # onto the one committed before it: two writers that read the same last entry would fork the
    # chain (or, as previous_hash is unique, one of them would fail with a conflict).
    from neutrality.audit import services as audit
    from neutrality.audit.tables import AuditEntry

    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    payloads = [organisation_payload() for _ in range(24)]

    def create(payload: dict) -> str:
        organisations.create_organisation(uow(), ADMIN, payload)
        return "created"

    outcomes = race([(p,) for p in payloads], create)

    assert outcomes == ["created"] * len(payloads)
    with uow() as unit:
        entries = unit.session.execute(
            select(AuditEntry.id, AuditEntry.previous_hash, AuditEntry.entry_hash)
            .order_by(AuditEntry.id)).all()
    # one entry per organisation (a fresh database, an administrator, no lead to add)
    assert len(entries) == len(payloads)
    assert entries[0].previous_hash == "0" * 64
    assert [e.previous_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    report = audit.verify_chain(uow(), ADMIN)
    assert report.intact and report.checked == len(payloads)


def test_racing_additions_to_one_inventory_keep_its_count_of_records(database: Database) -> None:
    # 10 writers add 3 records each to the world's draft inventory (1 record) at once. Each
    # adds its count in the database (activity_count + 3), so none overwrites another's:
    # 1 + 10 × 3 = 31, the count of the rows themselves.
    from neutrality.inventory import activities
    from neutrality.inventory.tables import ActivityRecord, Inventory
    from tests.factories import create_world

    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    world = create_world(uow)

    def add(writer: int) -> str:
        activities.add_activities(uow(), ADMIN, world.org_a, world.inventory_draft, [{
            "site_id": world.site_a, "source": f"Diesel {writer}-{n}", "scope": 1,
            "scope1_subtype": "stationary_combustion", "activity_type": "fuel", "quantity": "10",
            "unit": "L", "start_date": dt.date(2025, 3, 1), "end_date": dt.date(2025, 3, 31),
            "factor_key": "cnguide2015:gas_diesel_oil:combustion"}
            for n in range(3)])
        return "added"

    outcomes = race([(w,) for w in range(10)], add)

    assert outcomes == ["added"] * 10
    with uow() as unit:
        kept = unit.session.scalar(select(Inventory.activity_count).where(Inventory.id == world.inventory_draft))
        counted = unit.session.scalar(select(func.count()).select_from(ActivityRecord)
                                      .where(ActivityRecord.inventory_id == world.inventory_draft))
    assert kept == counted == 31
