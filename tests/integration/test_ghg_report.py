"""The periodic GHG emission report of a demo period: its content from the inventory, exact, and
its PDF in English, 简体 and 繁體 with real CJK glyphs (pages written as PNG artefacts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import select

from neutrality.access.cli import cli_actor
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.reports import services as reports
from neutrality.reports.rendering import ghg_report_pdf
from neutrality.uow import UnitOfWork

ARTEFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "documents"
TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def demo(app, db):  # type: ignore[no-untyped-def]
    assert app.test_cli_runner().invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        periods = session.scalars(select(ApplicationPeriodRow).order_by(ApplicationPeriodRow.id)).all()
        # the first factory (Yancheng): 2024, then 2025
        return [(p.organisation_id, p.id) for p in periods[:2]]


def _report(app, db, organisation_id: int, period_id: int):  # type: ignore[no-untyped-def]
    with app.app_context():
        return reports.ghg_report(UnitOfWork(db), cli_actor(), organisation_id, period_id, prepared_on=TODAY)


def test_the_report_of_2024_gives_the_verified_inventorys_figures(app, db, demo) -> None:
    organisation_id, period_2024 = demo[0]
    report = _report(app, db, organisation_id, period_2024)
    scope = {line.key: line for line in report.by_scope}
    # Yancheng 2024: 300,500 MWh of grid electricity × 0.55 t/MWh (East China 2023, the latest
    # published) = 165,275 t location-based
    assert scope["2"].location_tco2e == Decimal("165275")
    # the total is the sum of the scopes, on each basis
    assert report.total.location_tco2e == sum(line.location_tco2e for line in report.by_scope)
    assert report.total.market_tco2e == sum(line.market_tco2e for line in report.by_scope)
    assert report.verification is not None and report.frozen
    assert report.changes == ()  # 2024 is the commitment's first period


def test_the_report_of_2025_compares_each_scope_with_2024(app, db, demo) -> None:
    organisation_id, period_2025 = demo[1]
    report = _report(app, db, organisation_id, period_2025)
    change = {c.key: c for c in report.changes}
    assert change["2"].previous_tco2e == Decimal("165275")  # the 2024 figure above
    current = {line.key: line for line in report.by_scope}
    assert change["2"].current_tco2e == current["2"].location_tco2e
    assert change["2"].difference_tco2e == current["2"].location_tco2e - Decimal("165275")
    assert report.verification is None  # 2025 is still a draft


@pytest.mark.parametrize(("locale", "heading"), [
    ("en", "GHG emission report"), ("zh_Hans", "温室气体排放报告"), ("zh_Hant", "溫室氣體排放報告")])
def test_the_report_pdf_reads_in_each_language(app, db, demo, locale: str, heading: str) -> None:
    organisation_id, period_2025 = demo[1]
    pdf = ghg_report_pdf(_report(app, db, organisation_id, period_2025), locale)
    document = pypdfium2.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert heading in text
    assert "165,275.000" in text  # 2024's Scope 2 in the year-on-year table, rounded at the end
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(document, start=1):
        page.render(scale=1.4).to_pil().save(ARTEFACTS / f"ghg-report-yancheng-2025-{locale}-p{number}.png")


def test_the_command_line_writes_the_report(app, db, demo, tmp_path) -> None:
    organisation_id, period_2024 = demo[0]
    output = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(args=["report", "ghg", str(organisation_id), str(period_2024),
                                                "--lang", "zh_Hans", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "温室气体排放报告" in "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(output.read_bytes()))


def test_the_report_as_a_workbook_holds_the_same_figures_exact(app, db, demo, tmp_path) -> None:
    import openpyxl

    organisation_id, period_2025 = demo[1]
    output = tmp_path / "report.xlsx"
    result = app.test_cli_runner().invoke(args=["report", "ghg", str(organisation_id), str(period_2025),
                                                "--format", "xlsx", "--lang", "zh_Hans", "--output", str(output)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(output).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Section 部分", "Item 项目"]
    [change] = [row for row in rows if row[:2] == ["change", "scope 2"]]
    # 2024's Scope 2 (300,500 MWh × 0.55 = 165,275 t), a number in its cell, not text
    assert change[5] == 165275
    report = _report(app, db, organisation_id, period_2025)
    [scope_2] = [line for line in report.by_scope if line.key == "2"]
    assert Decimal(str(change[2])) == scope_2.location_tco2e
    assert Decimal(str(change[6])) == scope_2.location_tco2e - 165275
    # the measures and the target, one figure a row: the heat recovery's 41.056224 t a year, and
    # 2025's place on the target's line (the figures the PDF rounds)
    [heat] = [row for row in rows if row[1] == "Heat recovery on the diffusion furnaces: expected a year"]
    assert (round(Decimal(str(heat[8])), 6), heat[9]) == (Decimal("41.056224"), "tCO2e/yr")
    [target] = report.targets
    [allowed] = [row for row in rows if row[0] == "target" and row[1].endswith("allowed in 2025")]
    # a spreadsheet cell holds a binary float: 15 significant digits, so 154,631.8211… to the 6 places shown
    assert round(Decimal(str(allowed[8])), 6) == round(target.position.allowed, 6) and allowed[9] == "tCO2e"


def test_the_report_lists_the_boundarys_measures_with_their_expected_reductions(app, db, demo) -> None:
    organisation_id, period_2025 = demo[1]
    report = _report(app, db, organisation_id, period_2025)
    expected = {m.title.en: m.expected_tco2e for m in report.initiatives}
    # Yancheng's three measures; Changzhou's variable-speed drives act on the other site
    assert set(expected) == {"Heat recovery on the diffusion furnaces", "Ammonia chiller replaces the R-134a chiller",
                             "Rooftop PV on the production halls"}
    # 4,574 MWh of gas × (1 − 0.86 / 0.90) = 4,574 × 2/45 = 203.2888… MWh, × 0.20196 t/MWh = 41.056224 t
    assert expected["Heat recovery on the diffusion furnaces"].quantize(Decimal("0.000001")) == Decimal("41.056224")
    # 120 kg × 10 % = 12 kg a year of R-134a (GWP 1530, AR6) no longer leaking; ammonia's GWP is 0
    assert expected["Ammonia chiller replaces the R-134a chiller"] == Decimal("18.36")
    # 2,000 MWh moved from the grid (0.55 t/MWh) to rooftop PV
    assert expected["Rooftop PV on the production halls"] == Decimal("1100")


def test_the_report_places_the_period_on_its_commitments_target(app, db, demo) -> None:
    organisation_id, period_2024 = demo[0]
    _, period_2025 = demo[1]
    base = _report(app, db, organisation_id, period_2024)
    report = _report(app, db, organisation_id, period_2025)
    # Yancheng's absolute target only: Changzhou's intensity target belongs to the other commitment
    [target] = report.targets
    assert (target.kind, target.scopes, target.base_year, target.target_year) == ("absolute", "1+2", 2024, 2030)

    def scope_1_2(r):  # type: ignore[no-untyped-def]
        return sum(line.location_tco2e for line in r.by_scope if line.key in ("1", "2"))

    # its base is 2024's Scope 1+2 location-based; −42 % over six years is −7 % a year on the
    # line, so 2025 may emit base × 0.93
    assert target.base_value == scope_1_2(base)
    position = target.position
    assert position.actual == scope_1_2(report)
    assert position.allowed == scope_1_2(base) * Decimal("0.93")
    assert position.on_track is (position.actual <= position.allowed)
    assert [year for year, *_ in target.actuals] == [2024, 2025]


def test_the_report_draws_each_targets_line_from_the_charting_library(app, db, demo) -> None:
    from neutrality.reports.rendering import ghg_report_html

    organisation_id, period_2025 = demo[1]
    html = ghg_report_html(_report(app, db, organisation_id, period_2025), "zh_Hant")
    # one chart for Yancheng's one target, embedded (the renderer fetches nothing), its text in 繁體
    assert html.count('src="data:image/svg+xml;base64,') == 1
    [encoded] = [part.split('"')[0] for part in html.split('src="data:image/svg+xml;base64,')[1:]]
    import base64

    svg = base64.b64decode(encoded).decode("utf-8")
    assert "2030" in svg and "偏離軌跡" in svg  # 2025 lies above its line


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))


def test_the_report_gives_the_combined_uncertainty_per_scope_its_method_and_bases(app, db, demo) -> None:
    organisation_id, period_2025 = demo[1]
    report = _report(app, db, organisation_id, period_2025)
    uncertainty = report.uncertainty
    assert uncertainty.described and uncertainty.method == "error_propagation"
    assert [scope for scope, _ in uncertainty.by_scope] == [line.key for line in report.by_scope
                                                            if line.location_tco2e]
    # each record's activity ± is its own or its tier's, every one counted once
    assert uncertainty.records_stated + uncertainty.records_tier_default == report.activity_count
    # the demo's own factors and the library's state an expert-judgement ±: none is published, and
    # no record's factor goes without one
    assert uncertainty.factors_expert_judgement >= 1 and uncertainty.factors_published == 0
    assert uncertainty.factors_without_uncertainty == uncertainty.records_without_uncertainty == 0
    text = _pdf_text(ghg_report_pdf(report, "en"))
    assert "Method: a source combines the uncertainties of its activity data and of its factor" in text
    assert (f"Activity data: {uncertainty.records_stated:,} record(s) state their own uncertainty; "
            f"{uncertainty.records_tier_default:,} take the default") in text
    assert "use a factor that states no uncertainty" not in text
    [(_, scope_2)] = [item for item in uncertainty.by_scope if item[0] == "2"]
    assert f"±{scope_2.quantize(Decimal('0.1'))} %" in text


def test_the_workbook_has_the_uncertainty_rows_of_the_pdf(app, db, demo) -> None:
    from neutrality.reports.workbook import ghg_report_table

    organisation_id, period_2025 = demo[1]
    report = _report(app, db, organisation_id, period_2025)
    # one figure a row, in the value column, with its unit beside it
    rows = {row[1]: row[8] for row in ghg_report_table(report).rows if row[0] == "uncertainty"}
    units = {row[1]: row[9] for row in ghg_report_table(report).rows if row[0] == "uncertainty"}
    assert rows["combined ± of the location-based total"] == report.uncertainty.percent
    assert units["combined ± of the location-based total"] == "%"
    for scope, percent in report.uncertainty.by_scope:
        assert rows[f"combined ± of scope {scope} (location-based)"] == percent
    assert units["records stating their own activity uncertainty"] == "records"
    assert rows["records stating their own activity uncertainty"] == report.uncertainty.records_stated
    assert rows["records whose factor states no uncertainty"] == report.uncertainty.records_without_uncertainty
    assert rows["factors with a published uncertainty"] == 0
    assert any(item.startswith("method: error propagation") for item in rows)


def test_a_report_frozen_before_the_uncertainty_had_a_method_still_reads(app, db, demo) -> None:
    # A verified inventory froze its report and factors before this change: its uncertainty block
    # holds the percent and records_without_uncertainty only, its factors no basis or source.
    from neutrality.inventory.computing import factor_from_document
    from neutrality.inventory.tables import Inventory

    organisation_id, period_2024 = demo[0]
    with db() as session:
        inventory = session.scalars(select(Inventory).where(Inventory.period_id == period_2024,
                                                            Inventory.status == "verified")).one()
        inventory.frozen_result = {**inventory.frozen_result,
                                   "uncertainty": {"percent": "1.25", "records_without_uncertainty": 3}}
        inventory.frozen_factors = {
            key: {k: v for k, v in doc.items() if k not in ("uncertainty_basis", "uncertainty_source")}
            | {"uncertainty_percent": None} for key, doc in inventory.frozen_factors.items()}
        session.commit()
        old_factors = dict(inventory.frozen_factors)
    for document in old_factors.values():
        factor = factor_from_document(document)
        assert (factor.uncertainty_percent, factor.uncertainty_basis, factor.uncertainty_source) == (None, None, "")
    report = _report(app, db, organisation_id, period_2024)
    assert report.uncertainty_percent == Decimal("1.25")
    assert not report.uncertainty.described and report.uncertainty.by_scope == ()
    text = _pdf_text(ghg_report_pdf(report, "en"))
    assert "±1.3 %" in text and "Method:" not in text  # 1.25 is a half: half-up shows 1.3
    from neutrality.reports.workbook import ghg_report_table

    rows = [row for row in ghg_report_table(report).rows if row[0] == "uncertainty"]
    assert rows == [("uncertainty", "combined ± of the location-based total", None, None, None, None, None, None,
                     Decimal("1.25"), "%")]


def test_the_report_reads_what_the_done_measures_achieved_from_the_inventories(app, db, demo) -> None:
    organisation_id, period_2025 = demo[1]
    report = _report(app, db, organisation_id, period_2025)
    initiative = {m.title.en: m for m in report.initiatives}
    # the R-134a chiller topped up 12 kg in 2024 and is gone in 2025: 12 kg × 1530 (AR6) = 18.36 t
    assert initiative["Ammonia chiller replaces the R-134a chiller"].achieved_tco2e == Decimal("18.36")
    # the boilers burnt 423,000 m3 of gas in 2024 and 401,500 in 2025, at the same factor (the
    # Chinese guide's: 0.038931 GJ/m3 × 15.3 tC/TJ × 99 % × 44/12 ≈ 0.002162 t/m3): 21,500 m3 ≈ 46.5 t
    heat = initiative["Heat recovery on the diffusion furnaces"].achieved_tco2e
    assert abs(heat - Decimal(21500) * Decimal("0.002162")) < Decimal("0.5")
    # planned: nothing to read yet, and nothing said beside it (its status says why)
    pv = initiative["Rooftop PV on the production halls"]
    assert (pv.achieved_tco2e, pv.achieved_note) == (None, None)
    # the scopes' change split into activity and factors, adding up exactly to the change of the
    # year-on-year table; the grid factor is 2023's in both years, so the factors moved nothing
    explained = {line.key: line for line in report.explained}
    change = {c.key: c for c in report.changes}
    for scope in ("1", "2", "3"):
        line = explained[scope]
        assert line.due_to_activity + line.due_to_factor == line.change_tco2e == change[scope].difference_tco2e
    assert explained["2"].due_to_factor == 0
    # 2024 has no period before it: no split, no achieved figures
    _, period_2024 = demo[0]
    first = _report(app, db, organisation_id, period_2024)
    assert first.explained == () and all(m.achieved_tco2e is None for m in first.initiatives)


def test_the_reports_split_by_kind_is_the_split_of_the_named_sources(app, db, demo) -> None:
    # Within a kind every record has one factor, so the activity and factor parts summed over a
    # scope's kinds are the sums over its named sources (the page of reductions achieved)
    from neutrality.reductions import achieved_services

    organisation_id, period_2025 = demo[1]
    report = _report(app, db, organisation_id, period_2025)
    with app.app_context():
        named = achieved_services.period_reductions(UnitOfWork(db), cli_actor(), organisation_id, period_2025)
    by_scope = {str(line.scope): line.figures for line in named.against_previous.result.location.by_scope}
    for line in report.explained:
        if line.key == "total":
            continue
        figures = by_scope[line.key]
        assert (line.change_tco2e, line.due_to_activity, line.due_to_factor) == (
            figures.change, figures.due_to_activity, figures.due_to_factor)
