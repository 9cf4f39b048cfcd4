"""An issued statement is immutable in the database itself (migration 0026): what a version
states and its PDFs cannot be rewritten by a raw UPDATE, nor deleted; only the publication,
supersession and withdrawal stamps are set, each once, and the use cases still set them. The
audit entry of an issue keeps the whole snapshot and each PDF's fingerprint.

The world (tests/factories.py): organisation A's ``period_verified`` has a verified inventory;
its ISO 14068-1 report is issued by the site administrator through the use case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from neutrality.audit.tables import AuditEntry
from neutrality.errors import Conflict
from neutrality.statements import versions
from neutrality.statements.tables import StatementDocument, StatementVersion
from tests.factories import ADMIN, World

#: Where the statements issued here say they are published (printed in their footers)
ADDRESS = "https://neutrality.example.org/declarations/1/1"

pytestmark = pytest.mark.shared_world

VERSION_REFUSED = "an issued statement version never changes"
DOCUMENT_REFUSED = "the documents of an issued statement never change"
TODAY = dt.date(2026, 12, 5)


def _issue(uow: Any, world: World, **options: Any) -> StatementVersion:
    return versions.issue_statement(uow(), ADMIN, world.org_a, world.period_verified, "iso_14068_1_report",
                                    issued_on=TODAY, published_at=ADDRESS, **options)


def _refused(db: Any, statement: str, message: str, **values: Any) -> None:
    with db() as session, pytest.raises(IntegrityError, match=message):
        session.execute(text(statement), values)


def _row(db: Any, version_id: int) -> dict[str, Any]:
    with db() as session:
        return dict(session.execute(text("SELECT * FROM statement_versions WHERE id = :id"),
                                    {"id": version_id}).mappings().one())


@pytest.mark.parametrize("change", [
    "snapshot = '{}'",
    "snapshot_sha256 = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'",
    "content_sha256 = snapshot_sha256",
    "issued_at = '2020-01-01 00:00:00'",
    "declaration = 'achievement'",
    "kind = 'pas_2060_qes'",
    "version = 7",
    "changes = 'rewritten'",
])
def test_what_a_version_states_cannot_be_rewritten(db, uow, world: World, change: str) -> None:
    issued = _issue(uow, world)
    before = _row(db, issued.id)
    _refused(db, f"UPDATE statement_versions SET {change} WHERE id = :id", VERSION_REFUSED, id=issued.id)  # noqa: S608
    assert _row(db, issued.id) == before


@pytest.mark.parametrize("change", ["pdf = :forged", "sha256 = :digest", "size = 1", "locale = 'fr'"])
def test_its_pdfs_cannot_be_rewritten(db, uow, world: World, change: str) -> None:
    issued = _issue(uow, world)
    forged = b"%PDF-1.7 forged"
    _refused(db, f"UPDATE statement_documents SET {change} WHERE version_id = :id",  # noqa: S608
             DOCUMENT_REFUSED, id=issued.id, forged=forged, digest=hashlib.sha256(forged).hexdigest())
    with db() as session:
        stored = session.scalars(select(StatementDocument).where(StatementDocument.version_id == issued.id)).all()
        assert all(hashlib.sha256(d.pdf).hexdigest() == d.sha256 and d.size == len(d.pdf) for d in stored)


def test_neither_a_version_nor_its_pdfs_are_deleted(db, uow, world: World) -> None:
    issued = _issue(uow, world)
    _refused(db, "DELETE FROM statement_documents WHERE version_id = :id", DOCUMENT_REFUSED, id=issued.id)
    # the version's own trigger refuses, before any foreign key would be checked
    _refused(db, "DELETE FROM statement_versions WHERE id = :id", VERSION_REFUSED, id=issued.id)
    with db() as session:
        assert session.scalar(select(StatementVersion.id).where(StatementVersion.id == issued.id)) == issued.id
        assert len(session.scalars(select(StatementDocument).where(
            StatementDocument.version_id == issued.id)).all()) == 3


def test_a_stamp_is_set_once_through_the_use_cases_and_never_again(db, uow, world: World) -> None:
    first = _issue(uow, world)
    # a stamp's other columns are written only with the stamp itself
    _refused(db, "UPDATE statement_versions SET published_by = :user WHERE id = :id", VERSION_REFUSED,
             id=first.id, user=world.users["lead"])
    published = versions.publish_version(uow(), ADMIN, world.org_a, first.id)
    assert published.published_at is not None
    # published: not again, not to another time, not back to unpublished
    _refused(db, "UPDATE statement_versions SET published_at = '2030-01-01 00:00:00' WHERE id = :id",
             VERSION_REFUSED, id=first.id)
    _refused(db, "UPDATE statement_versions SET published_at = NULL WHERE id = :id", VERSION_REFUSED, id=first.id)
    _refused(db, "UPDATE statement_versions SET published_by = :user WHERE id = :id", VERSION_REFUSED,
             id=first.id, user=world.users["lead"])

    # a second version (the organisation's contact changed: a fact the statement states)
    with db() as session:
        session.execute(text("UPDATE organisations SET contact_person = '王五' WHERE id = :id"), {"id": world.org_a})
        session.commit()
    second = _issue(uow, world, changes="New contact person")
    assert second.version == 2
    versions.publish_version(uow(), ADMIN, world.org_a, second.id)
    assert _row(db, first.id)["superseded_by_id"] == second.id  # set by publishing, once
    _refused(db, "UPDATE statement_versions SET superseded_by_id = NULL WHERE id = :id", VERSION_REFUSED, id=first.id)
    _refused(db, "UPDATE statement_versions SET superseded_by_id = :other WHERE id = :id", VERSION_REFUSED,
             id=first.id, other=first.id)

    withdrawn = versions.withdraw_version(uow(), ADMIN, world.org_a, second.id, reason="Inventory restated")
    assert withdrawn.withdrawal_reason == "Inventory restated"
    # withdrawn twice: the use case says so, and the database refuses it anyway
    with pytest.raises(Conflict, match="withdrawn already"):
        versions.withdraw_version(uow(), ADMIN, world.org_a, second.id, reason="Again")
    _refused(db, "UPDATE statement_versions SET withdrawn_at = '2031-01-01 00:00:00', withdrawal_reason = 'Again' "
             "WHERE id = :id", VERSION_REFUSED, id=second.id)
    _refused(db, "UPDATE statement_versions SET withdrawal_reason = 'Softened' WHERE id = :id", VERSION_REFUSED,
             id=second.id)
    _refused(db, "UPDATE statement_versions SET withdrawn_at = NULL, withdrawal_reason = NULL WHERE id = :id",
             VERSION_REFUSED, id=second.id)
    # the superseded first version may still be withdrawn: its withdrawal stamp was never set
    assert versions.withdraw_version(uow(), ADMIN, world.org_a, first.id, reason="Superseded and wrong").withdrawn_at


def test_the_audit_entry_of_an_issue_keeps_the_snapshot_and_the_pdfs_fingerprints(db, uow, world: World) -> None:
    issued = _issue(uow, world)
    with db() as session:
        [entry] = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "statement_version.issue", AuditEntry.entity_id == str(issued.id))).all()
        stored = {d.locale: (d.sha256, d.size, hashlib.sha256(d.pdf).hexdigest()) for d in session.scalars(
            select(StatementDocument).where(StatementDocument.version_id == issued.id))}
    after = entry.after
    assert after["snapshot"] == issued.snapshot and after["snapshot_sha256"] == issued.snapshot_sha256
    assert after["content_sha256"] == issued.content_sha256
    assert {d["locale"]: (d["sha256"], d["size"], d["sha256"]) for d in after["documents"]} == stored
