"""Statements of demo periods: built from a snapshot of the database, every checklist item
present or its absence stated, and their PDFs in English, 简体 and 繁體 (pages written as PNG
artefacts); user text escaped; the renderer fetches nothing outside the document."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the charts our own code drew
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import select, update

from neutrality.access.cli import cli_actor
from neutrality.commitments import services as commitments
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.documents import OutsideResource
from neutrality.errors import InvalidInput
from neutrality.organisations.tables import Organisation
from neutrality.reports import services as reports
from neutrality.reports.rendering import environment
from neutrality.statements.content import DeclarationType, StatementKind
from neutrality.statements.rendering import balance_steps_of, statement_html, statement_pdf
from neutrality.statements.services import build_statement, public_url
from neutrality.statements.snapshot import snapshot_sha256, statement_from_snapshot
from neutrality.uow import UnitOfWork

ARTEFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "documents"
TODAY = dt.date(2026, 12, 5)
BASE = "https://declarations.example.test"


@pytest.fixture
def demo(app, db):  # type: ignore[no-untyped-def]
    assert app.test_cli_runner().invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        periods = session.scalars(select(ApplicationPeriodRow).order_by(ApplicationPeriodRow.id)).all()
        # Yancheng 2024, Yancheng 2025, Changzhou 2024, Changzhou 2025
        return [(p.organisation_id, p.id) for p in periods]


def _build(app, db, organisation_id: int, period_id: int, kind: StatementKind, **options):  # type: ignore[no-untyped-def]
    with app.app_context():
        return build_statement(UnitOfWork(db), cli_actor(), organisation_id, period_id, kind, prepared_on=TODAY,
                               published_at=public_url(BASE, organisation_id, period_id), **options)


def _under(app, db, organisation_id: int, period_id: int, standard: str) -> None:  # type: ignore[no-untyped-def]
    """The period's commitment switched to ``standard`` (as the lead edits it): a PAS 2060 QES
    is stated only for a claim under PAS 2060."""
    with db() as session:
        commitment_id = session.get(ApplicationPeriodRow, period_id).commitment_id
    with app.app_context():
        commitments.update_commitment(UnitOfWork(db), cli_actor(), organisation_id, commitment_id,
                                      {"standard": standard})


def _fonts(document: pypdfium2.PdfDocument) -> set[str]:
    """The fonts the first page's characters are drawn with, as the PDF embeds them."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = document[0].get_textpage()
    names = set()
    for index in range(textpage.count_chars()):
        buffer = ctypes.create_string_buffer(256)
        if pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(ctypes.c_int())):
            names.add(buffer.value.decode(errors="replace"))
    return names


def _text(pdf: bytes) -> tuple[pypdfium2.PdfDocument, str]:
    document = pypdfium2.PdfDocument(pdf)
    return document, "".join(page.get_textpage().get_text_range() for page in document)


@pytest.mark.parametrize("kind", list(StatementKind))
def test_every_checklist_item_is_present_or_its_absence_stated(app, db, demo, kind: StatementKind) -> None:
    organisation_id, yancheng_2024 = demo[0]
    if kind is StatementKind.PAS_2060_QES:
        _under(app, db, organisation_id, yancheng_2024, "pas_2060_2014")
    built = _build(app, db, organisation_id, yancheng_2024, kind)
    items = built.statement.checklist()
    assert items and all(item.stated for item in items)
    absent = {item.id: item.absence for item in items if not item.present}
    # Yancheng 2024 is the commitment's first period: nothing to compare with, said so
    first = {"iso_14068_1_report": "ISO-10(a)", "pas_2060_qes": "PAS-54.9",
             "cn_zero_carbon_factory": "CN-9.2(c)r"}[kind.value]
    if built.statement.declaration is DeclarationType.ACHIEVEMENT or kind is not StatementKind.PAS_2060_QES:
        assert absent[first] == "This is the first application period: there is no previous period to compare with."
    # the verified inventory names its verifier: the validation item is present
    assert built.statement.validation.body
    assert not any(item.id in {"ISO-32", "PAS-54.3", "PAS-55.3", "CN-9.1(f)"} for item in items if not item.present)


def test_a_period_short_under_its_claim_is_stated_as_a_commitment_with_the_rule_excluding_its_credits(
        app, db, demo) -> None:
    organisation_id, changzhou_2024 = demo[2]
    built = _build(app, db, organisation_id, changzhou_2024, StatementKind.CN_ZERO_CARBON_FACTORY)
    s = built.statement
    # Changzhou 2024: 100 VCUs retired after ISO 14068-1's 12 months (ISO-21), in the ledger but
    # not counted, so the credits counted do not cover the residual
    [vcu] = [r for r in s.retirements if r.scheme == "VCU"]
    assert vcu.quantity == 100 and not vcu.counted
    assert any(x.retirement_id == vcu.id and "ISO-21" in x.rules for x in s.excluded)
    assert s.balance.verdict == "short" and s.declaration is DeclarationType.COMMITMENT
    # its verification was recorded by the lead and never confirmed by the verifier: said so
    assert (s.validation.body, s.validation.state) == ("示例核查有限公司 Demo Verification Co., Ltd.", "claimed")
    assert "Recorded by the organisation, not confirmed by the appointed verifier" in statement_html(
        s, "en", sha256=built.sha256)
    [achieved] = [i for i in s.checklist() if i.id == "CN-9.2(b)n"]
    assert not achieved.present and achieved.absence.startswith("The period is not shown to be carbon neutral")
    # the same period stated as an achievement when asked: the checklist still says it is not shown
    asked = _build(app, db, organisation_id, changzhou_2024, StatementKind.CN_ZERO_CARBON_FACTORY,
                   declaration=DeclarationType.ACHIEVEMENT)
    assert asked.statement.declaration is DeclarationType.ACHIEVEMENT and asked.sha256 != built.sha256


def test_the_snapshot_is_json_and_rebuilds_the_same_statement(app, db, demo) -> None:
    organisation_id, yancheng_2025 = demo[1]
    built = _build(app, db, organisation_id, yancheng_2025, StatementKind.ISO_14068_1_REPORT)
    again = json.loads(json.dumps(built.snapshot))
    assert statement_from_snapshot(again) == built.statement
    assert snapshot_sha256(again) == built.sha256 and len(built.sha256) == 64
    # Yancheng 2025: 2,000 I-RECs of 2025 production retired, which the rules exclude (IREC-07 /
    # CN-GEC-08): in the ledger, listed, and not counted
    [irec] = [r for r in built.statement.retirements if r.scheme == "IREC"]
    assert irec.quantity == 2000 and not irec.counted
    [excluded] = [x for x in built.statement.excluded if x.retirement_id == irec.id]
    assert set(excluded.rules) & {"IREC-07", "CN-GEC-08"}
    assert len(irec.evidence_sha256) == 64


def test_a_pas_2060_statement_of_2025_follows_a_withdrawn_specification(app, db, demo) -> None:
    organisation_id, yancheng_2025 = demo[1]
    _under(app, db, organisation_id, yancheng_2025, "pas_2060_2014")
    built = _build(app, db, organisation_id, yancheng_2025, StatementKind.PAS_2060_QES)
    # the period ends 2025-12-31, after PAS 2060 was withdrawn (2025-11-30)
    assert built.statement.follows_withdrawn_specification
    html = statement_html(built.statement, "en", sha256=built.sha256)
    assert "follows a withdrawn specification" in html
    _under(app, db, organisation_id, yancheng_2025, "iso_14068_1_2023")
    iso = _build(app, db, organisation_id, yancheng_2025, StatementKind.ISO_14068_1_REPORT)
    assert "withdrawn specification" not in statement_html(iso.statement, "en", sha256=iso.sha256)


def test_the_balance_chart_of_a_second_period_starts_from_the_emissions_without_its_reductions(
        app, db, demo) -> None:
    organisation_id, yancheng_2025 = demo[1]
    built = _build(app, db, organisation_id, yancheng_2025, StatementKind.ISO_14068_1_REPORT)
    with app.app_context():
        report = reports.ghg_report(UnitOfWork(db), cli_actor(), organisation_id, yancheng_2025, prepared_on=TODAY)
    # the reductions achieved are the activity part of the change against 2024, every scope's
    # together (the chiller gone, less gas in the boilers: the GHG report's explanation)
    explained = {line.key: line for line in report.explained}
    achieved = -sum(explained[scope].due_to_activity for scope in ("1", "2", "3"))
    assert achieved > 0 and built.statement.achieved_reduction_tco2e == achieved
    steps = balance_steps_of(built.statement)
    assert steps is not None and steps.reductions_tco2e == achieved
    assert steps.before_reductions_tco2e == built.statement.balance.gross_market_tco2e + achieved
    [uri] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"',
                       statement_html(built.statement, "en", sha256=built.sha256))
    desc = ET.fromstring(base64.b64decode(uri))[1].text  # noqa: S314
    assert desc.startswith("Without the reductions ") and "; Reductions achieved −" in desc
    # 2024, the first period: nothing to reduce against, the walk starts from the gross
    _, yancheng_2024 = demo[0]
    first = _build(app, db, organisation_id, yancheng_2024, StatementKind.ISO_14068_1_REPORT)
    assert first.statement.achieved_reduction_tco2e is None and "achieved_reduction_tco2e" not in first.snapshot
    [uri] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"',
                       statement_html(first.statement, "en", sha256=first.sha256))
    assert ET.fromstring(base64.b64decode(uri))[1].text.startswith("Gross (market-based) ")  # noqa: S314


@pytest.mark.parametrize(("locale", "font", "words"), [
    ("en", "Noto-Sans-CJK-SC", ("Carbon neutrality report (ISO 14068-1)", "Qualifying explanatory statement (PAS 2060)",
            "Zero-carbon factory declaration", "Legal representative", "Checklist")),
    ("zh_Hans", "Noto-Sans-CJK-SC", ("碳中和报告（ISO 14068-1）", "合格解释性声明（PAS 2060）", "零碳工厂声明", "法定代表人", "核对清单")),
    ("zh_Hant", "Noto-Sans-CJK-TC", ("碳中和報告（ISO 14068-1）", "合格解釋性聲明（PAS 2060）", "零碳工廠聲明", "法定代表人", "核對清單")),
])
def test_the_statement_pdfs_read_in_each_language(app, db, demo, locale: str, font: str,
                                                  words: tuple[str, ...]) -> None:
    organisation_id, yancheng_2024 = demo[0]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for n, kind in enumerate(StatementKind):
        # a PAS 2060 QES is stated for a claim under PAS 2060 only
        _under(app, db, organisation_id, yancheng_2024,
               "pas_2060_2014" if kind is StatementKind.PAS_2060_QES else "iso_14068_1_2023")
        built = _build(app, db, organisation_id, yancheng_2024, kind)
        document, text = _text(statement_pdf(built.statement, locale, sha256=built.sha256))
        assert words[n] in text and words[3] in text and words[4] in text
        s = built.statement
        # the key items: the entity, the period's dates, the footer's hash and address, a
        # retirement's registry reference and evidence hash, the declaration's wording
        assert s.entity.legal_name in text
        # narrow columns break long words (a hyphen at a break reads as U+FFFE)
        flat = text.replace("\r\n", "").replace("\n", "").replace("\ufffe", "-")
        assert built.sha256 in flat
        assert public_url(BASE, organisation_id, yancheng_2024) in text
        for r in s.retirements:
            assert r.reference in flat and r.evidence_sha256 in flat
        assert s.wording.in_locale(locale)[:12] in text
        assert len(document) >= 3
        # real glyphs: the CJK font of the script (Noto Sans CJK SC or TC) draws the Chinese names
        assert any(font in name for name in _fonts(document)), _fonts(document)
        for number, page in enumerate(document, start=1):
            page.render(scale=1.2).to_pil().save(ARTEFACTS / f"statement-{kind.value}-{locale}-p{number}.png")


def test_an_organisation_name_with_markup_reads_as_text(app, db, demo) -> None:
    organisation_id, yancheng_2024 = demo[0]
    name = "<script>alert(1)</script>苏辉"
    with db() as session:
        session.execute(update(Organisation).where(Organisation.id == organisation_id).values(legal_name=name))
        session.commit()
    built = _build(app, db, organisation_id, yancheng_2024, StatementKind.CN_ZERO_CARBON_FACTORY)
    html = statement_html(built.statement, "zh_Hans", sha256=built.sha256)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;苏辉" in html
    _, text = _text(statement_pdf(built.statement, "zh_Hans", sha256=built.sha256))
    assert name in text


@pytest.mark.parametrize("address", ["file:///etc/passwd", "https://example.com/logo.png"])
def test_a_template_reaching_outside_the_document_fails_closed(app, db, demo, address: str) -> None:
    organisation_id, yancheng_2024 = demo[0]
    built = _build(app, db, organisation_id, yancheng_2024, StatementKind.ISO_14068_1_REPORT)
    env = environment("en")
    source = env.loader.get_source(env, "statement.html")[0]
    hostile = env.from_string(source.replace("<h1>", f'<img src="{address}"><h1>', 1))
    with pytest.raises(OutsideResource, match="outside itself"):
        statement_pdf(built.statement, "en", sha256=built.sha256, template=hostile)


def test_the_command_line_writes_a_preview(app, db, demo, tmp_path) -> None:
    organisation_id, yancheng_2024 = demo[0]
    output = tmp_path / "statement.pdf"
    result = app.test_cli_runner().invoke(args=[
        "statement", "build", str(organisation_id), str(yancheng_2024), "--kind", "cn_zero_carbon_factory",
        "--lang", "zh_Hant", "--output", str(output)])
    assert result.exit_code == 0, result.output
    _, text = _text(output.read_bytes())
    assert "零碳工廠聲明" in text
    assert f"/declarations/{organisation_id}/{yancheng_2024}" in text
    assert "預覽，未簽發" in text  # a preview says so in its footer, and carries no version number


def test_a_statement_of_another_standard_than_the_claims_is_refused(app, db, demo, table_counts) -> None:
    # Yancheng's commitment: ISO 14068-1:2023 and a zero-carbon factory declaration. Its claim is
    # stated in the ISO 14068-1 report or the 零碳工厂声明, never in a PAS 2060 QES.
    organisation_id, yancheng_2024 = demo[0]
    before = table_counts()
    with pytest.raises(InvalidInput) as refused:
        _build(app, db, organisation_id, yancheng_2024, StatementKind.PAS_2060_QES)
    assert str(refused.value) == (f"a statement of kind pas_2060_qes is made only under PAS 2060:2014: the claim "
                                  f"of period {yancheng_2024} is made under ISO 14068-1:2023")
    assert refused.value.details["kind"] == ["not the claim's standard"]
    assert refused.value.details["allowed"] == ["iso_14068_1_report", "cn_zero_carbon_factory"]
    # under PAS 2060 the ISO report is refused in turn, and the PAS QES is built
    _under(app, db, organisation_id, yancheng_2024, "pas_2060_2014")
    with pytest.raises(InvalidInput, match="iso_14068_1_report is made only under ISO 14068-1:2023: .* under "
                                           "PAS 2060:2014"):
        _build(app, db, organisation_id, yancheng_2024, StatementKind.ISO_14068_1_REPORT)
    assert _build(app, db, organisation_id, yancheng_2024, StatementKind.PAS_2060_QES).snapshot["kind"] == "pas_2060_qes"
    # without the zero-carbon factory declaration, no 零碳工厂声明
    with db() as session:
        commitment_id = session.get(ApplicationPeriodRow, yancheng_2024).commitment_id
    with app.app_context():
        commitments.update_commitment(UnitOfWork(db), cli_actor(), organisation_id, commitment_id,
                                      {"standard": "iso_14068_1_2023", "zero_carbon_factory": False})
    with pytest.raises(InvalidInput) as refused:
        _build(app, db, organisation_id, yancheng_2024, StatementKind.CN_ZERO_CARBON_FACTORY)
    assert "cn_zero_carbon_factory is made only under the zero-carbon factory guidance (MIIT 2026 No. 13)" in str(
        refused.value)
    assert refused.value.details["allowed"] == ["iso_14068_1_report"]
    assert _build(app, db, organisation_id, yancheng_2024, StatementKind.ISO_14068_1_REPORT).snapshot["kind"] == (
        "iso_14068_1_report")
    # the refusals wrote nothing: only the commitment's two edits, each audited once
    after = table_counts()
    assert {t: n - before[t] for t, n in after.items() if n != before[t]} == {"audit_entries": 2}


def test_the_command_line_preview_refuses_a_kind_of_another_standard(app, db, demo, tmp_path) -> None:
    organisation_id, yancheng_2024 = demo[0]
    output = tmp_path / "statement.pdf"
    result = app.test_cli_runner().invoke(args=[
        "statement", "build", str(organisation_id), str(yancheng_2024), "--kind", "pas_2060_qes",
        "--output", str(output)])
    assert result.exit_code != 0
    assert "pas_2060_qes is made only under PAS 2060:2014" in result.output
    assert "ISO 14068-1:2023" in result.output and not output.exists()
