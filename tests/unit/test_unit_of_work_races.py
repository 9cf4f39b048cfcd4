"""What a racing writer sees when PostgreSQL refuses its transaction: a conflict, not a 500."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from neutrality.errors import Conflict
from neutrality.uow import _race


class _DriverError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("sqlstate", "name"), [("40P01", "deadlock_detected"), ("40001", "serialization_failure")])
def test_a_deadlock_or_serialisation_failure_is_a_conflict_the_caller_may_retry(sqlstate, name):
    # two inserts into the retired ranges' exclusion constraint can each wait for the other;
    # PostgreSQL then aborts one of them with a deadlock
    refused = _race(OperationalError("INSERT …", {}, _DriverError(sqlstate)))
    assert isinstance(refused, Conflict) and refused.details == {"race": [name]}


def test_any_other_operational_error_stays_what_it_is():
    lost = OperationalError("SELECT 1", {}, _DriverError("08006"))  # connection failure
    assert _race(lost) is lost
