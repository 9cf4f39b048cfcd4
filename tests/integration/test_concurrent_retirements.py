"""Racing retirements on PostgreSQL: no unit is ever retired twice, whoever asks.

Two organisations hold the same VCUs (each entered them in its own holdings) and fire 24
retirement requests at once, 12 each. Holdings locks are per organisation, so between the two
organisations only the database's exclusion constraint on retired ranges stands in the way:
exactly one request may succeed. Runs against a scratch database with real commits.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from neutrality import migrate
from neutrality.claims import services as claims
from neutrality.db import Database, make_engine
from neutrality.errors import Conflict
from neutrality.organisations import services as organisations
from neutrality.registry import retirements
from neutrality.registry import services as registry
from neutrality.registry.tables import RetiredRange, Retirement
from neutrality.uow import UnitOfWork
from tests.factories import (
    ADMIN,
    HELD_VCU,
    commitment_payload,
    organisation_payload,
    site_payload,
    verra_project,
)

PG_URL = os.environ.get("NEUTRALITY_TEST_DATABASE_URL")
SCRATCH = "neutrality_retirement_race_test"

pytestmark = pytest.mark.skipif(PG_URL is None, reason="concurrency is tested on PostgreSQL")


@pytest.fixture
def database() -> Iterator[Database]:
    assert PG_URL is not None
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{SCRATCH}"'))
    url = make_url(PG_URL).set(database=SCRATCH).render_as_string(hide_password=False)
    migrate.upgrade(url)
    db = Database(url, pool_size=30, max_overflow=5)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
        admin.dispose()


def _holder(uow: Callable[[], UnitOfWork]) -> tuple[int, int, int]:
    """An organisation with a factory period and the Verra sample's 29,813-unit block."""
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload()).id
    site = organisations.create_site(uow(), ADMIN, org, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, org, {"name": "Factory", "kind": "site", "site_id": site.id})
    commitment = claims.create_commitment(uow(), ADMIN, org, commitment_payload(subject.id))
    period = claims.generate(uow(), ADMIN, org, commitment.id, count=1)[0].id
    project = registry.create_project(uow(), ADMIN, org, verra_project("3005", "Tongxu Biogas")).id
    block = registry.add_block(uow(), ADMIN, org, {
        "scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project}, as_of=dt.date(2026, 11, 21)).id
    return org, period, block


def test_racing_retirements_of_the_same_units_by_two_organisations_let_exactly_one_through(
    database: Database,
) -> None:
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    holders = [_holder(uow), _holder(uow)]
    requests = [holders[i % 2] for i in range(24)]
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = [""] * len(requests)

    def retire(index: int, org: int, period: int, block: int) -> None:
        barrier.wait()
        try:
            retirements.retire(uow(), ADMIN, org, {
                "period_id": period, "block_id": block, "beneficiary_text": f"org {org}",
                "purpose": "neutrality", "retired_on": dt.date(2025, 3, 1), "registry_reference": f"R-{index}"},
                evidence=b"%PDF certificate", evidence_filename="c.pdf", as_of=dt.date(2026, 11, 21))
            outcomes[index] = "retired"
        except Conflict:
            outcomes[index] = "conflict"

    threads = [threading.Thread(target=retire, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes.count("retired") == 1 and outcomes.count("conflict") == 23, outcomes
    with uow() as unit:
        assert unit.session.scalar(select(func.count()).select_from(Retirement)) == 1
        assert unit.session.scalar(select(func.count()).select_from(RetiredRange)) == 1
