"""Issued statements of demo periods: versions numbered per period and kind, frozen when the
period's data change later, refused as an achievement the rules do not allow, their stored PDFs
checked on every read, published (superseding the earlier one) and withdrawn with a reason."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pypdfium2
import pytest
from sqlalchemy import select

from neutrality.access.cli import cli_actor
from neutrality.access.model import Actor, Role
from neutrality.commitments import services as commitments
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.errors import Conflict, Forbidden, InvalidInput, NotFound
from neutrality.inventory.tables import ActivityRecord, Inventory
from neutrality.statements import versions
from neutrality.statements.content import DeclarationType, StatementKind
from neutrality.statements.services import build_statement
from neutrality.statements.tables import StatementDocument, StatementVersion
from neutrality.uow import UnitOfWork

#: Where the statements issued here say they are published (printed in their footers)
ADDRESS = "https://neutrality.example.org/declarations/1/1"

TODAY = dt.date(2026, 12, 5)
ISO = StatementKind.ISO_14068_1_REPORT


@pytest.fixture
def demo(app, db):  # type: ignore[no-untyped-def]
    assert app.test_cli_runner().invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        periods = session.scalars(select(ApplicationPeriodRow).order_by(ApplicationPeriodRow.id)).all()
        # Yancheng 2024, Yancheng 2025, Changzhou 2024, Changzhou 2025
        return [(p.organisation_id, p.id) for p in periods]


def _issue(app, db, organisation_id: int, period_id: int, kind: StatementKind = ISO, **options):  # type: ignore[no-untyped-def]
    with app.app_context():
        return versions.issue_statement(UnitOfWork(db), cli_actor(), organisation_id, period_id, kind,
                                        issued_on=TODAY, published_at=ADDRESS, **options)


def _under(app, db, organisation_id: int, period_id: int, standard: str) -> None:  # type: ignore[no-untyped-def]
    """The period's commitment switched to ``standard``, as the lead edits it."""
    with db() as session:
        commitment_id = session.get(ApplicationPeriodRow, period_id).commitment_id
    with app.app_context():
        commitments.update_commitment(UnitOfWork(db), cli_actor(), organisation_id, commitment_id,
                                      {"standard": standard})


def _pdf(app, db, organisation_id: int, version_id: int, locale: str) -> bytes:  # type: ignore[no-untyped-def]
    with app.app_context():
        return versions.version_pdf(UnitOfWork(db), cli_actor(), organisation_id, version_id, locale)


def _scale_activities(db, period_id: int, factor: Decimal) -> int:  # type: ignore[no-untyped-def]
    """Every activity quantity of the period's inventories times ``factor`` (the data changed
    after issuing); how many records changed."""
    with db() as session:
        records = session.scalars(select(ActivityRecord).join(Inventory, Inventory.id == ActivityRecord.inventory_id)
                                  .where(Inventory.period_id == period_id)).all()
        for r in records:
            r.quantity = r.quantity * factor
        session.commit()
        return len(records)


def _stored(db, version_id: int):  # type: ignore[no-untyped-def]
    """The version's row and its PDFs by locale, as the database holds them."""
    with db() as session:
        row = session.get(StatementVersion, version_id)
        docs = {d.locale: (d.pdf, d.sha256, d.size) for d in session.scalars(
            select(StatementDocument).where(StatementDocument.version_id == version_id))}
        return (row.snapshot, row.snapshot_sha256, row.content_sha256, row.changes), docs


def test_an_issued_version_never_changes_and_the_next_one_says_what_changed(app, db, demo) -> None:
    organisation_id, yancheng_2024 = demo[0]
    first = _issue(app, db, organisation_id, yancheng_2024)
    assert first.version == 1 and first.changes is None and first.snapshot["version"] == 1
    frozen, documents = _stored(db, first.id)
    # one PDF per language, each with the SHA-256 of its bytes and its size
    assert set(documents) == {"en", "zh_Hans", "zh_Hant"}
    for pdf, sha256, size in documents.values():
        assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == sha256 and size == len(pdf)
    assert _pdf(app, db, organisation_id, first.id, "zh_Hant") == documents["zh_Hant"][0]
    # its footer says version 1, not a preview
    footer = pypdfium2.PdfDocument(documents["en"][0])[0].get_textpage().get_text_range()
    assert "Version 1" in footer and "Preview" not in footer

    # the same facts again: nothing to issue, and nothing written
    with pytest.raises(Conflict, match="nothing changed since version 1"):
        _issue(app, db, organisation_id, yancheng_2024, changes="again")

    # the period's data change: every activity of the inventory doubled
    assert _scale_activities(db, yancheng_2024, Decimal(2)) > 0
    # version 1 as issued: its snapshot, hashes and PDFs are what they were
    assert _stored(db, first.id) == (frozen, documents)

    # version 2 must say what changed
    with pytest.raises(InvalidInput, match="say what changed since version 1") as refused:
        _issue(app, db, organisation_id, yancheng_2024)
    assert refused.value.details == {"changes": ["required from version 2"]}
    second = _issue(app, db, organisation_id, yancheng_2024, changes="Activity data corrected")
    assert (second.version, second.changes) == (2, "Activity data corrected")
    assert second.snapshot["version"] == 2 and second.content_sha256 != first.content_sha256
    assert _stored(db, first.id) == (frozen, documents)
    with app.app_context():
        listed = versions.list_versions(UnitOfWork(db), cli_actor(), organisation_id, yancheng_2024)
    assert [(v.kind, v.version) for v in listed] == [("iso_14068_1_report", 1), ("iso_14068_1_report", 2)]
    # another kind starts at version 1
    assert _issue(app, db, organisation_id, yancheng_2024, StatementKind.CN_ZERO_CARBON_FACTORY).version == 1


def test_changzhou_2024_cannot_be_issued_as_an_achievement(app, db, demo, table_counts) -> None:
    organisation_id, changzhou_2024 = demo[2]
    before = table_counts()
    # its 100 VCUs are retired after ISO 14068-1's 12 months (ISO-21): not counted, the balance
    # is short, so the rules allow a commitment only
    with pytest.raises(Conflict, match="cannot be declared an achievement") as refused:
        _issue(app, db, organisation_id, changzhou_2024, StatementKind.CN_ZERO_CARBON_FACTORY,
               declaration=DeclarationType.ACHIEVEMENT)
    # the refusal names the blocking finding that excludes the VCUs, and ISO-32: the demo's
    # verifier has not confirmed the verification the lead recorded for Changzhou
    assert refused.value.details == {"declaration": ["not allowed"], "findings": ["ISO-21", "ISO-32"]}
    assert "blocking findings: ISO-21, ISO-32" in refused.value.message
    assert table_counts() == before
    issued = _issue(app, db, organisation_id, changzhou_2024, StatementKind.CN_ZERO_CARBON_FACTORY)
    assert issued.declaration == "commitment" and issued.snapshot["declaration"] == "commitment"


def test_a_stored_pdf_changed_afterwards_is_refused(app, db, demo, forge_statement_pdf) -> None:
    organisation_id, yancheng_2025 = demo[1]
    issued = _issue(app, db, organisation_id, yancheng_2025)
    forge_statement_pdf(issued.id, "en", b"%PDF-1.7 forged")
    with pytest.raises(Conflict, match="was changed after it was issued") as refused:
        _pdf(app, db, organisation_id, issued.id, "en")
    assert refused.value.details["computed_sha256"] == hashlib.sha256(b"%PDF-1.7 forged").hexdigest()
    # the other languages are untouched and still served
    assert _pdf(app, db, organisation_id, issued.id, "zh_Hans").startswith(b"%PDF")


def test_publishing_supersedes_the_earlier_version_and_withdrawal_needs_a_reason(app, db, demo, table_counts) -> None:
    organisation_id, yancheng_2024 = demo[0]
    first = _issue(app, db, organisation_id, yancheng_2024)
    assert _scale_activities(db, yancheng_2024, Decimal("1.5")) > 0
    second = _issue(app, db, organisation_id, yancheng_2024, changes="one more unit of each activity")
    with app.app_context():
        uow, actor = UnitOfWork(db), cli_actor()
        versions.publish_version(uow, actor, organisation_id, first.id)
        versions.publish_version(uow, actor, organisation_id, second.id)
        # version 1 stays as history, superseded by version 2, the public one
        one, two = (versions.get_version(uow, actor, organisation_id, v.id) for v in (first, second))
        assert (versions.status_of(one), versions.status_of(two)) == ("superseded", "published")
        assert one.superseded_by_id == second.id and one.published_at is not None
        with pytest.raises(Conflict, match="only an issued version is published"):
            versions.publish_version(uow, actor, organisation_id, first.id)

        before = table_counts()
        with pytest.raises(InvalidInput, match="say why the statement is withdrawn"):
            versions.withdraw_version(uow, actor, organisation_id, second.id, reason="  ")
        assert table_counts() == before
        withdrawn = versions.withdraw_version(uow, actor, organisation_id, second.id, reason="Inventory restated")
        assert versions.status_of(withdrawn) == "withdrawn" and withdrawn.withdrawal_reason == "Inventory restated"
        # still listed, still readable
        assert [v.version for v in versions.list_versions(uow, actor, organisation_id, yancheng_2024)] == [1, 2]
        assert versions.version_pdf(uow, actor, organisation_id, second.id, "en").startswith(b"%PDF")
        with pytest.raises(Conflict, match="withdrawn already"):
            versions.withdraw_version(uow, actor, organisation_id, second.id, reason="again")


def test_a_viewer_reads_but_cannot_issue_and_another_organisation_sees_nothing(app, db, demo, table_counts) -> None:
    organisation_id, yancheng_2024 = demo[0]
    issued = _issue(app, db, organisation_id, yancheng_2024)
    viewer = Actor(user_id=1, label="viewer", roles={organisation_id: Role.VIEWER})
    stranger = Actor(user_id=2, label="stranger", roles={organisation_id + 1: Role.LEAD})
    uow = UnitOfWork(db)
    before = table_counts()
    with app.app_context():
        assert versions.get_version(uow, viewer, organisation_id, issued.id).id == issued.id
        with pytest.raises(Forbidden):
            versions.issue_statement(uow, viewer, organisation_id, yancheng_2024, ISO, issued_on=TODAY, published_at=ADDRESS)
        with pytest.raises(Forbidden):
            versions.publish_version(uow, viewer, organisation_id, issued.id)
        with pytest.raises(Forbidden):
            versions.withdraw_version(uow, viewer, organisation_id, issued.id, reason="no")
        # a lead of another organisation: neither the organisation nor the version exist for them
        with pytest.raises(NotFound):
            versions.get_version(uow, stranger, organisation_id, issued.id)
        # the version asked for under an organisation it is not of
        with pytest.raises(NotFound):
            versions.get_version(uow, Actor(user_id=2, label="lead", roles={organisation_id + 1: Role.LEAD}),
                                 organisation_id + 1, issued.id)
    assert table_counts() == before


def test_the_command_line_issues_lists_publishes_and_withdraws(app, db, demo) -> None:
    organisation_id, yancheng_2025 = demo[1]
    runner = app.test_cli_runner()
    ids = [str(organisation_id), str(yancheng_2025)]
    issued = runner.invoke(args=["statement", "issue", *ids, "--kind", "iso_14068_1_report"])
    assert issued.exit_code == 0, issued.output
    with db() as session:
        [(version_id, declaration)] = session.execute(select(StatementVersion.id, StatementVersion.declaration)
                                                      .where(StatementVersion.period_id == yancheng_2025)).all()
    assert f"issued statement {version_id}: iso_14068_1_report version 1" in issued.output
    # nothing changed: refused, and no second version
    again = runner.invoke(args=["statement", "issue", *ids, "--kind", "iso_14068_1_report", "--changes", "x"])
    assert again.exit_code != 0 and "nothing changed since version 1" in again.output
    assert runner.invoke(args=["statement", "publish", str(organisation_id), str(version_id)]).exit_code == 0
    without = runner.invoke(args=["statement", "withdraw", str(organisation_id), str(version_id), "--reason", " "])
    assert without.exit_code != 0 and "say why the statement is withdrawn" in without.output
    done = runner.invoke(args=["statement", "withdraw", str(organisation_id), str(version_id), "--reason", "Restated"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(args=["statement", "list", *ids])
    assert listed.output.splitlines()[0].split("\t")[:5] == [
        str(version_id), "iso_14068_1_report", "1", declaration, "withdrawn"]


def test_a_period_the_rules_would_declare_achieved_may_be_issued_as_a_commitment(app, db, demo) -> None:
    # Yancheng 2024 is covered under its claim: its statement is an achievement unless the lead
    # declares a commitment, which is then the snapshot's declaration, with its wording and no
    # PAS 2060 option (an option belongs to an achievement)
    organisation_id, yancheng_2024 = demo[0]
    # a PAS 2060 QES is issued for a claim under PAS 2060 only: the lead switches the commitment
    _under(app, db, organisation_id, yancheng_2024, "pas_2060_2014")
    with app.app_context():
        preview = build_statement(UnitOfWork(db), cli_actor(), organisation_id, yancheng_2024,
                                  StatementKind.PAS_2060_QES, prepared_on=TODAY)
    assert (preview.snapshot["declaration"], preview.snapshot["option"]) == ("achievement", "first_period_offsets")
    issued = _issue(app, db, organisation_id, yancheng_2024, StatementKind.PAS_2060_QES,
                    declaration=DeclarationType.COMMITMENT)
    assert (issued.declaration, issued.snapshot["declaration"], issued.snapshot["option"]) == (
        "commitment", "commitment", None)
    _under(app, db, organisation_id, yancheng_2024, "iso_14068_1_2023")
    achieved = _issue(app, db, organisation_id, yancheng_2024, StatementKind.ISO_14068_1_REPORT)
    assert achieved.declaration == "achievement"


def test_a_statement_of_another_standard_than_the_claims_is_not_issued(app, db, demo, table_counts) -> None:
    # Yancheng's claim is made under ISO 14068-1:2023 as a zero-carbon factory: no PAS 2060 QES
    organisation_id, yancheng_2024 = demo[0]
    before = table_counts()
    with pytest.raises(InvalidInput) as refused:
        _issue(app, db, organisation_id, yancheng_2024, StatementKind.PAS_2060_QES)
    assert str(refused.value) == (f"a statement of kind pas_2060_qes is made only under PAS 2060:2014: the claim "
                                  f"of period {yancheng_2024} is made under ISO 14068-1:2023")
    assert refused.value.details["standard"] == "iso_14068_1_2023"
    # refused before anything else is asked of the request (a declaration, the changes)
    with pytest.raises(InvalidInput, match="made only under PAS 2060:2014"):
        _issue(app, db, organisation_id, yancheng_2024, StatementKind.PAS_2060_QES,
               declaration=DeclarationType.ACHIEVEMENT, changes="x")
    # the command line says the same, with nothing issued
    refused_cli = app.test_cli_runner().invoke(args=[
        "statement", "issue", str(organisation_id), str(yancheng_2024), "--kind", "pas_2060_qes"])
    assert refused_cli.exit_code != 0 and "pas_2060_qes is made only under PAS 2060:2014" in refused_cli.output
    assert table_counts() == before
    # under PAS 2060, the ISO report is refused in turn; the zero-carbon factory declaration
    # still is not (the commitment still declares the factory)
    _under(app, db, organisation_id, yancheng_2024, "pas_2060_2014")
    after_edit = table_counts()
    with pytest.raises(InvalidInput, match="iso_14068_1_report is made only under ISO 14068-1:2023"):
        _issue(app, db, organisation_id, yancheng_2024, StatementKind.ISO_14068_1_REPORT)
    assert table_counts() == after_edit
    assert _issue(app, db, organisation_id, yancheng_2024, StatementKind.CN_ZERO_CARBON_FACTORY).version == 1


def test_an_issued_statement_must_say_where_it_is_published(app, db, demo, table_counts) -> None:
    organisation_id, yancheng_2024 = demo[0]
    before = table_counts()
    for address in ("", "/declarations/1/1", "file:///etc/passwd"):
        with app.app_context(), pytest.raises(ValueError, match="needs its public address"):
            versions.issue_statement(UnitOfWork(db), cli_actor(), organisation_id, yancheng_2024, ISO,
                                     issued_on=TODAY, published_at=address)
    assert table_counts() == before
