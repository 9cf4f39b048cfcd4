"""Racing retirements on PostgreSQL: no unit is ever retired twice, whoever asks.

Two organisations hold the same VCUs and fire 24 retirement requests at once, 12 each. The
service would store the second organisation's block contested (never retired); here both are made
held behind its back, as blocks stored before contests existed (revision 0011) or a bug could
leave them, so that the ledger's own guard is what is tested. Holdings locks are per
organisation, so between the two organisations only the database's exclusion constraint on
retired ranges stands in the way: exactly one request may succeed. Runs against a scratch
database with real commits.

Every other request is refused for the reason the race gives it, named by field and reason: an
unrelated conflict fails the test. Within the winner's organisation, the holdings lock makes the
others wait, and they find their block retired. The other organisation's requests find the units
retired by the winner (the ledger's probe of the retired ranges, which answers as for a contest,
naming no one) or, while the winner's
transaction is still open, are stopped by the exclusion constraint on retired ranges or by
PostgreSQL refusing one of two writers waiting for each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import delete, func, select, update

from neutrality.commitments import services as commitments
from neutrality.db import Database
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, planning, projects, retirements
from neutrality.registry.tables import RetiredRange, Retirement, SerialBlock, SerialContest
from neutrality.uow import UnitOfWork
from tests.factories import (
    ADMIN,
    HELD_VCU,
    OTHER_VCU,
    commitment_payload,
    organisation_payload,
    site_payload,
    verra_project,
)
from tests.racing import ON_POSTGRESQL, RACED, race, refused, scratch_database

pytestmark = ON_POSTGRESQL

#: The winner's organisation: its block is now retired, so only held or reserved units are not.
BLOCK_RETIRED = refused("block_id", "retired")
#: The other organisation, whose own block holds the same units.
UNITS_RETIRED_ELSEWHERE = {
    refused("block_id", "contested"),
    refused("constraint", "ex_retired_ranges_no_overlap"),
    *RACED,
}


def _by_organisation(requests: list[tuple], outcomes: list[str], winner: str) -> tuple[list[str], list[str]]:
    """The outcomes of the winner's organisation other than the winner's, and the other
    organisation's (the organisation is the second field of a request)."""
    won = outcomes.index(winner)
    organisation = requests[won][1]
    same = [o for i, (r, o) in enumerate(zip(requests, outcomes, strict=True)) if r[1] == organisation and i != won]
    other = [o for r, o in zip(requests, outcomes, strict=True) if r[1] != organisation]
    return same, other


@pytest.fixture
def database() -> Iterator[Database]:
    with scratch_database("neutrality_retirement_race_test", connections=30) as db:
        yield db


def _holder(uow: Callable[[], UnitOfWork]) -> tuple[int, int, int]:
    """An organisation with a factory period and the Verra sample's 29,813-unit block."""
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload()).id
    site = organisations.create_site(uow(), ADMIN, org, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, org, {"name": "Factory", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, org, commitment_payload(subject.id))
    period = commitments.generate(uow(), ADMIN, org, commitment.id, count=1)[0].id
    project = projects.create_project(uow(), ADMIN, org, verra_project("3005", "Tongxu Biogas")).id
    block = held_blocks.add_block(uow(), ADMIN, org, {
        "scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project}, as_of=dt.date(2026, 11, 21)).id
    with uow() as unit:  # the second holder's block is contested: held anyway, behind the service
        unit.session.execute(delete(SerialContest).where(SerialContest.block_id == block))
        unit.session.execute(
            update(SerialBlock).where(SerialBlock.id == block).values(status="held"))
        unit.commit()
    return org, period, block


def test_racing_retirements_of_the_same_units_by_two_organisations_let_exactly_one_through(
    database: Database,
) -> None:
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    holders = [_holder(uow), _holder(uow)]
    requests = [(i, *holders[i % 2]) for i in range(24)]

    def retire(index: int, org: int, period: int, block: int) -> str:
        retirements.retire(uow(), ADMIN, org, {
            "period_id": period, "block_id": block, "beneficiary_text": "Factory A",
            "purpose": "neutrality", "retired_on": dt.date(2025, 3, 1), "registry_reference": f"R-{index}"},
            evidence=b"%PDF certificate", evidence_filename="c.pdf", as_of=dt.date(2026, 11, 21))
        return "retired"

    outcomes = race(requests, retire)

    assert outcomes.count("retired") == 1, outcomes
    same, other = _by_organisation(requests, outcomes, "retired")
    assert same == [BLOCK_RETIRED] * 11, same
    assert len(other) == 12 and set(other) <= UNITS_RETIRED_ELSEWHERE, other
    with uow() as unit:
        assert unit.session.scalar(select(func.count()).select_from(Retirement)) == 1
        assert unit.session.scalar(select(func.count()).select_from(RetiredRange)) == 1


def test_racing_plans_sharing_units_apply_whole_or_not_at_all(database: Database) -> None:
    """Each organisation's plan retires 100 units of a block only it holds and 100 of the
    block both hold. 20 plans race, 10 per organisation: the shared units can serve one plan
    only, so exactly one plan applies, both its lines; every other plan is refused whole, and
    the losing organisation's own block stays held (nothing of its plan was written)."""
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    holders = []
    for issuance in ("997", "998"):
        org, period, shared = _holder(uow)
        project = projects.create_project(uow(), ADMIN, org, verra_project("3866", "Another biogas project")).id
        own = held_blocks.add_block(uow(), ADMIN, org, {
            "scheme": "VCU", "serial": OTHER_VCU.replace("-997-", f"-{issuance}-"), "quantity": 15_000,
            "project_id": project}, as_of=dt.date(2026, 11, 21)).id
        holders.append((org, period, own, shared))
    requests = [(i, *holders[i % 2]) for i in range(20)]

    def apply(index: int, org: int, period: int, own: int, shared: int) -> str:
        planning.apply(uow(), ADMIN, org, period, [{"block_id": own, "quantity": 100},
                                                   {"block_id": shared, "quantity": 100}], {
            "beneficiary_text": "Factory A", "purpose": "neutrality", "reason": "",
            "retired_on": dt.date(2025, 3, 1), "registry_reference": f"P-{index}", "registry_link": ""},
            evidence=b"%PDF statement", evidence_filename="s.pdf", as_of=dt.date(2026, 11, 21))
        return "applied"

    outcomes = race(requests, apply)

    assert outcomes.count("applied") == 1, outcomes
    same, other = _by_organisation(requests, outcomes, "applied")
    # the winner's other plans stop at their first line: its own block's first 100 units are
    # the winner's retired ones; the other organisation's stop at the shared block, line 2
    assert same == [BLOCK_RETIRED] * 9, same
    assert len(other) == 10 and set(other) <= UNITS_RETIRED_ELSEWHERE, other
    winner = requests[outcomes.index("applied")][1:]
    loser = holders[1] if winner == holders[0] else holders[0]
    with uow() as unit:
        entries = unit.session.scalars(select(Retirement)).all()
        assert sorted((e.organisation_id, e.block_id, e.quantity) for e in entries) == sorted(
            [(winner[0], winner[2], 100), (winner[0], winner[3], 100)])
        assert unit.session.scalar(select(func.count()).select_from(RetiredRange)) == 2
        assert unit.session.get(SerialBlock, loser[2]).status == "held"
        assert unit.session.get(SerialBlock, loser[2]).quantity == 15_000
