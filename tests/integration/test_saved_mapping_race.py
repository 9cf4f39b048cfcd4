"""Two imports saving a mapping for the same new layout at once, on PostgreSQL: both are stored
and the organisation keeps one mapping for the layout (the last one saved), not a 409 for the
import that lost the race to insert it. Runs against a scratch database with real commits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from neutrality.db import Database
from neutrality.inventory.importing import ColumnMapping, layout_key
from neutrality.inventory.mappings import save_mapping
from neutrality.inventory.tables import SavedMapping
from neutrality.organisations import services as organisations
from neutrality.uow import UnitOfWork
from tests.factories import ADMIN, organisation_payload
from tests.racing import ON_POSTGRESQL, race, scratch_database

pytestmark = ON_POSTGRESQL

HEADER = ("厂区", "用电量（千瓦时）", "计量起始", "计量截止")


@pytest.fixture
def database() -> Iterator[Database]:
    with scratch_database("neutrality_mapping_race_test", connections=10) as db:
        yield db


def test_two_imports_saving_the_same_new_layout_at_once_both_succeed_and_one_mapping_remains(
    database: Database,
) -> None:
    uow = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload()).id
    units = ["kWh", "MWh"]

    def save(unit: str) -> str:
        mapping = ColumnMapping(
            columns={"用电量（千瓦时）": "quantity", "计量起始": "start_date", "计量截止": "end_date"},
            fixed={"unit": unit},
        )
        with uow() as work:
            save_mapping(work.session, ADMIN, org, layout=layout_key(HEADER), header=HEADER, mapping=mapping)
            work.session.flush()
            time.sleep(0.2)  # hold the inserted row uncommitted while the other transaction tries
            work.commit()
        return "saved"

    assert race([(unit,) for unit in units], save) == ["saved", "saved"]
    with uow() as work:
        rows = work.session.scalars(select(SavedMapping).where(SavedMapping.organisation_id == org)).all()
    # one row for the layout, holding one of the two mappings whole (whichever committed last)
    assert len(rows) == 1 and rows[0].fixed in ({"unit": "kWh"}, {"unit": "MWh"})
    assert rows[0].columns["用电量（千瓦时）"] == "quantity"
