"""Racing entries of the same serials by two organisations on PostgreSQL: one holds them, the
other's entry is contested, never both held.

The holdings lock is per organisation, so two organisations entering the same serials at once
would each find them free and both hold them (and each could then retire them for itself, one
of the two refused only at the ledger). New claims on units are serialised across organisations
(:func:`neutrality.registry.cross_holdings.lock_claims`): whichever commits second finds the
first's block and is stored contested. Runs against a scratch database with real commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from neutrality.db import Database
from neutrality.errors import Conflict
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, importing, projects
from neutrality.registry.tables import SerialBlock, SerialContest
from neutrality.sheet_limits import REGISTRY_FILE_LIMITS
from neutrality.uow import UnitOfWork
from tests.factories import ADMIN, HELD_VCU, organisation_payload, verra_project
from tests.racing import ON_POSTGRESQL, race, scratch_database

pytestmark = ON_POSTGRESQL

AS_OF = dt.date(2026, 11, 21)
#: A block of the organisation's own already covers the serials (its second and later entries).
OWN_OVERLAP = "refused: overlaps the organisation's own block"


@pytest.fixture
def database() -> Iterator[Database]:
    with scratch_database("neutrality_contested_race_test", connections=30) as db:
        yield db


def _organisation(uow: Callable[[], UnitOfWork]) -> tuple[int, int]:
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload()).id
    project = projects.create_project(uow(), ADMIN, org, verra_project("3005", "Tongxu Biogas")).id
    return org, project


def _outcome(enter: Callable[[], str]) -> str:
    try:
        return enter()
    except Conflict as conflict:
        if conflict.details.get("serial", [""])[0].startswith("overlaps block"):
            return OWN_OVERLAP
        raise


def _statuses(uow: Callable[[], UnitOfWork]) -> list[tuple[int, str]]:
    with uow() as unit:
        rows = unit.session.execute(select(SerialBlock.organisation_id, SerialBlock.status))
        return sorted((org, status) for org, status in rows)


def test_racing_entries_of_the_same_serials_by_two_organisations_leave_one_holder_and_one_contest(
    database: Database,
) -> None:
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    organisations_ = [_organisation(uow), _organisation(uow)]
    requests = [(i, *organisations_[i % 2]) for i in range(24)]

    def enter(index: int, org: int, project: int) -> str:
        return _outcome(
            lambda: (
                held_blocks.add_block(
                    uow(),
                    ADMIN,
                    org,
                    {
                        "scheme": "VCU",
                        "serial": HELD_VCU,
                        "quantity": 29_813,
                        "project_id": project,
                    },
                    as_of=AS_OF,
                ).status
            )
        )

    outcomes = race(requests, enter)

    # the first entry of each organisation is stored, the other 22 meet their own block
    assert sorted(outcomes) == sorted(["held", "contested"] + [OWN_OVERLAP] * 22), outcomes
    holder = requests[outcomes.index("held")][1]
    claimant = requests[outcomes.index("contested")][1]
    assert _statuses(uow) == sorted([(holder, "held"), (claimant, "contested")])
    with uow() as unit:
        contests = unit.session.scalars(select(SerialContest)).all()
        assert [(c.organisation_id, c.status) for c in contests] == [(claimant, "open")]


def test_a_registry_import_racing_an_entry_of_the_same_serials_leaves_one_holder(
    database: Database,
) -> None:
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    (typing_org, project), (importing_org, _) = _organisation(uow), _organisation(uow)
    export = (
        "Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,Project Type,"
        "Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
        "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details\n"
        "2023-05-10,,2022-01-01,2022-10-31,3005,Tongxu Biogas Recovery,China,Waste handling and disposal,"
        f'ACM0010,"29,913","29,813",{HELD_VCU},,,,,\n'
    ).encode()

    def attempt(kind: str) -> str:
        if kind == "typed":
            return held_blocks.add_block(
                uow(),
                ADMIN,
                typing_org,
                {"scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project},
                as_of=AS_OF,
            ).status
        outcome = importing.import_registry_file(
            uow(),
            ADMIN,
            importing_org,
            data=export,
            filename="verra.csv",
            max_bytes=len(export), limits=REGISTRY_FILE_LIMITS,
            as_of=AS_OF,
        )
        return "contested" if outcome.contested else "held"

    outcomes = race([("typed",), ("imported",)], attempt)

    assert sorted(outcomes) == ["contested", "held"], outcomes
    statuses = [status for _, status in _statuses(uow)]
    assert sorted(statuses) == ["contested", "held"]
    with uow() as unit:
        assert unit.session.scalar(select(func.count()).select_from(SerialContest)) == 1
