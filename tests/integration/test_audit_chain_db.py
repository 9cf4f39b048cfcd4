"""The audit hash chain in the database: services append to it, tampering is found, and
``neutrality audit verify`` says so. Runs on every configured backend, inside the rolled-back
transaction of each test (so tampering with a row, triggers off, outlives nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from neutrality.access.model import Actor, Role
from neutrality.audit import chain, services
from neutrality.audit.chain import GENESIS_HASH, BreakKind, ChainBreak
from neutrality.audit.tables import AuditEntry
from neutrality.errors import Forbidden, NotFound, Unauthenticated
from neutrality.organisations import services as organisations
from tests.factories import ADMIN, create_user, organisation_payload, site_payload


def _entries(db: sessionmaker) -> list[AuditEntry]:
    with db() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _some_entries(uow: Any) -> list[int]:
    """Four entries by real services, one of them (the user's) without an organisation."""
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload())
    other = organisations.create_organisation(uow(), ADMIN, organisation_payload())
    create_user(uow)
    organisations.create_site(uow(), ADMIN, org.id, site_payload())
    return [org.id, other.id]


@contextmanager
def _triggers_off(session: Session, backend: str) -> Iterator[None]:
    """Let the test change audit rows: the append-only triggers off, then back as 0001 made them."""
    if backend == "postgresql":
        session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        yield
        session.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
        return
    for event in ("update", "delete"):
        session.execute(text(f"DROP TRIGGER audit_entries_no_{event}"))
    yield
    for event in ("update", "delete"):
        session.execute(text(
            f"CREATE TRIGGER audit_entries_no_{event} BEFORE {event.upper()} ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
        ))


def _tamper(db: sessionmaker, backend: str, statement: str, entry_id: int) -> None:
    with db() as session:
        with _triggers_off(session, backend):
            assert session.execute(text(statement), {"id": entry_id}).rowcount == 1
        session.commit()  # after the triggers are back, or their return is rolled back


# --- appending -----------------------------------------------------------------------------------


def test_entries_written_by_services_chain_in_id_order(uow: Any, db: sessionmaker) -> None:
    earlier = _entries(db)
    _some_entries(uow)

    entries = _entries(db)
    new = entries[len(earlier):]
    assert [e.action for e in new] == [
        "organisation.create", "organisation.create", "user.create", "site.create"]
    # Each links to the one before it (the first ever to 64 zeros), and each stored hash is the
    # hash of the row as it reads back (timestamps, Chinese text and JSON survive the trip).
    previous = earlier[-1].entry_hash if earlier else GENESIS_HASH
    for entry in new:
        assert entry.previous_hash == previous
        assert entry.entry_hash == chain.entry_hash(entry, entry.previous_hash)
        previous = entry.entry_hash
    assert entries[0].previous_hash == GENESIS_HASH
    assert [e.id for e in entries] == sorted({e.id for e in entries})

    report = services.verify_chain(uow(), ADMIN)

    assert report.intact
    assert report.checked == len(entries)
    assert report.head_hash == entries[-1].entry_hash


def test_an_entry_amended_after_record_returns_is_hashed_as_stored(
    uow: Any, db: sessionmaker
) -> None:
    # subject.update adds the site ids to the entry's "after" once record() has returned; the
    # hash must cover the amended entry, which is what is stored.
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload())
    site = organisations.create_site(uow(), ADMIN, org.id, site_payload())
    subject = organisations.create_subject(
        uow(), ADMIN, org.id, {"name": "Factory", "kind": "site", "site_id": site.id})

    organisations.update_subject(uow(), ADMIN, org.id, subject.id, {"name": "Renamed"})

    last = _entries(db)[-1]
    assert last.action == "subject.update"
    assert last.after["site_ids"] == [site.id] and last.after["name"] == "Renamed"
    assert services.verify_chain(uow(), ADMIN).intact


def test_a_service_that_fails_after_recording_adds_nothing_to_the_chain(
    uow: Any, db: sessionmaker
) -> None:
    # create_organisation records the organisation, then finds the lead unknown: all rolls back.
    _some_entries(uow)
    before = _entries(db)

    with pytest.raises(NotFound):
        organisations.create_organisation(
            uow(), ADMIN, organisation_payload(lead_email="nobody@example.test"))
    organisations.create_organisation(uow(), ADMIN, organisation_payload())

    after = _entries(db)
    assert len(after) == len(before) + 1
    assert after[-1].previous_hash == before[-1].entry_hash
    assert services.verify_chain(uow(), ADMIN).intact


def test_the_database_refuses_two_entries_chained_onto_the_same_one(
    uow: Any, db: sessionmaker
) -> None:
    # A fork, as two unserialised writers would make it.
    _some_entries(uow)
    last = _entries(db)[-1]

    with pytest.raises(IntegrityError, match="previous_hash"), db() as session:
        session.execute(text(
            "INSERT INTO audit_entries (occurred_at, actor_label, action, entity_type, entity_id,"
            " previous_hash, entry_hash) VALUES (:at, 'x', 'x', 'x', 'x', :previous, :hash)"),
            {"at": last.occurred_at, "previous": last.previous_hash, "hash": "f" * 64})


# --- verifying -----------------------------------------------------------------------------------


def test_verify_names_an_altered_entry(uow: Any, db: sessionmaker, backend: str) -> None:
    _some_entries(uow)
    entries = _entries(db)
    target = entries[-2]

    _tamper(db, backend, "UPDATE audit_entries SET actor_label = 'someone else' WHERE id = :id",
            target.id)
    report = services.verify_chain(uow(), ADMIN)

    assert report.broken == ChainBreak(target.id, BreakKind.ALTERED, previous_id=entries[-3].id)
    assert report.checked == len(entries) - 1
    assert report.head_hash is None


def test_verify_names_the_entry_after_a_removed_one(
    uow: Any, db: sessionmaker, backend: str
) -> None:
    _some_entries(uow)
    entries = _entries(db)

    _tamper(db, backend, "DELETE FROM audit_entries WHERE id = :id", entries[-3].id)
    report = services.verify_chain(uow(), ADMIN)

    assert report.broken == ChainBreak(entries[-2].id, BreakKind.UNLINKED,
                                       previous_id=entries[-4].id)
    assert report.checked == len(entries) - 2


def test_the_triggers_are_back_after_tampering(uow: Any, db: sessionmaker, backend: str) -> None:
    # Guards the helper above: the tests after it must still run against an append-only table.
    _some_entries(uow)
    entry_id = _entries(db)[-1].id
    _tamper(db, backend, "UPDATE audit_entries SET action = 'x' WHERE id = :id", entry_id)

    with pytest.raises(IntegrityError, match="append-only"), db() as session:
        session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entry_id})


def test_only_a_site_administrator_may_verify_the_chain(uow: Any) -> None:
    [org, _] = _some_entries(uow)
    lead = Actor(user_id=1, label="lead@example.test", roles={org: Role.LEAD})

    with pytest.raises(Forbidden):
        services.verify_chain(uow(), lead)
    with pytest.raises(Unauthenticated):
        services.verify_chain(uow(), Actor(user_id=None, label="anonymous"))


# --- neutrality audit verify ---------------------------------------------------------------------


def test_cli_reports_an_intact_chain_with_exit_status_0(app: Any, uow: Any, db: sessionmaker) -> None:
    _some_entries(uow)
    entries = _entries(db)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"audit chain intact: {len(entries)} entries",
        f"head hash: {entries[-1].entry_hash}",
    ]


def test_cli_names_the_first_broken_entry_with_exit_status_1(
    app: Any, uow: Any, db: sessionmaker, backend: str
) -> None:
    _some_entries(uow)
    target = _entries(db)[-2]
    _tamper(db, backend, 'UPDATE audit_entries SET "after" = NULL WHERE id = :id', target.id)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"audit chain broken at entry {target.id}:" in result.output
    assert "altered" in result.output
    assert "Traceback" not in result.output
