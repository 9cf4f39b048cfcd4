"""The data layer keeps quantities exact, times in UTC and writes all-or-nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from neutrality.access.tables import User
from neutrality.errors import Conflict
from neutrality.organisations.tables import SubjectExclusion
from tests.factories import create_world


@pytest.mark.parametrize(
    "value",
    [
        Decimal("0.000000000001"),  # the smallest step NUMERIC(38, 12) holds
        Decimal("12345678901234567890123456.123456789012"),  # 26 + 12 digits: the full width
        Decimal("0.1"),  # not representable in binary floating point
        Decimal("42"),
    ],
)
def test_exact_decimal_comes_back_exactly_as_stored(uow, value: Decimal) -> None:
    world = create_world(uow)
    with uow() as unit:
        row = SubjectExclusion(subject_id=world.subject_a, item="x", reason="y",
                               estimated_share_percent=value, created_at=dt.datetime.now(dt.UTC))
        unit.session.add(row)
        unit.commit()
        row_id = row.id
    with uow() as unit:
        stored = unit.session.get(SubjectExclusion, row_id).estimated_share_percent
    assert stored == value and isinstance(stored, Decimal)
    assert str(stored) == str(value)


def test_exact_decimal_refuses_a_float(uow) -> None:
    world = create_world(uow)
    with uow() as unit, pytest.raises(Exception, match="takes Decimal"):
        unit.session.add(SubjectExclusion(subject_id=world.subject_a, item="x", reason="y",
                                          estimated_share_percent=0.1, created_at=dt.datetime.now(dt.UTC)))
        unit.flush()


def test_timestamps_come_back_as_utc_whatever_zone_they_were_given_in(uow) -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    given = dt.datetime(2025, 3, 1, 9, 30, tzinfo=shanghai)
    with uow() as unit:
        user = User(email="tz@example.test", display_name="tz", password_hash="x",
                    is_admin=False, is_active=True, locale="en", created_at=given)
        unit.session.add(user)
        unit.commit()
    with uow() as unit:
        stored = unit.session.scalar(select(User.created_at).where(User.email == "tz@example.test"))
    # 09:30 in Shanghai (UTC+8) is 01:30 UTC.
    assert stored == dt.datetime(2025, 3, 1, 1, 30, tzinfo=dt.UTC)
    assert stored.utcoffset() == dt.timedelta(0)


def test_a_unit_of_work_left_without_commit_stores_nothing(uow) -> None:
    with uow() as unit:
        unit.session.add(User(email="ghost@example.test", display_name="g", password_hash="x",
                              is_admin=False, is_active=True, locale="en",
                              created_at=dt.datetime.now(dt.UTC)))
        unit.flush()
    with uow() as unit:
        assert unit.session.scalar(select(User).where(User.email == "ghost@example.test")) is None


def test_a_database_constraint_becomes_a_conflict_naming_the_constraint(uow) -> None:
    world = create_world(uow)
    with uow() as unit:
        lead_email = unit.session.get(User, world.users["lead"]).email
    with uow() as unit, pytest.raises(Conflict) as raised:
        unit.session.add(User(email=lead_email, display_name="dup", password_hash="x",
                              is_admin=False, is_active=True, locale="en",
                              created_at=dt.datetime.now(dt.UTC)))
        unit.commit()
    # PostgreSQL reports the constraint's name; SQLite names the column it guards.
    assert raised.value.details["constraint"] in {"uq_users_email", "users.email"}
