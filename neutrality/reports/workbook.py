"""The GHG report as a spreadsheet (XLSX or CSV): the same figures as its PDF, exact in the cells,
one row per figure, headers in English and the reader's Chinese.

Pure: no Flask, no database (:mod:`neutrality.workbooks` writes the file).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from neutrality.reports.content import GhgReport
from neutrality.workbooks import About, Column, Kind, Table, Words

TITLE = Words("GHG emission report", "温室气体排放报告", "溫室氣體排放報告")
COLUMNS = (
    Column("section", Words("Section", "部分", "部分")),
    Column("item", Words("Item", "项目", "項目")),
    Column("location_tco2e", Words("Location-based tCO2e", "基于位置 tCO2e", "以地點為基礎 tCO2e"), Kind.DECIMAL, 3),
    Column("market_tco2e", Words("Market-based tCO2e", "基于市场 tCO2e", "以市場為基礎 tCO2e"), Kind.DECIMAL, 3),
    Column("mass_t", Words("Mass of the gas (t)", "气体质量 (t)", "氣體質量 (t)"), Kind.DECIMAL, 3),
    Column("previous_tco2e", Words("Previous period tCO2e", "上一期间 tCO2e", "前一期間 tCO2e"), Kind.DECIMAL, 3),
    Column("change_tco2e", Words("Change tCO2e", "变化 tCO2e", "變化 tCO2e"), Kind.DECIMAL, 3),
    Column("change_percent", Words("Change %", "变化 %", "變化 %"), Kind.DECIMAL, 1),
    # the measures and targets: one figure a row, in the unit beside it
    Column("value", Words("Value", "数值", "數值"), Kind.DECIMAL, 6),
    Column("unit", Words("Unit", "单位", "單位")),
)

_BLANK = (None,) * 6


def _rows(report: GhgReport) -> Iterator[tuple[Any, ...]]:
    yield ("total", "total", report.total.location_tco2e, report.total.market_tco2e, None, None, None, None,
           None, None)
    for section, lines, label in (
        ("scope", report.by_scope, "scope {}"),
        ("iso_category", report.by_iso_category, "ISO 14064-1 category {}"),
        ("scope3_category", report.by_scope3_category, "scope 3 category {}"),
        ("site", report.by_site, "{}"),
    ):
        for line in lines:
            yield (section, label.format(line.key), line.location_tco2e, line.market_tco2e, None, None, None, None,
                   None, None)
    for line in report.by_gas:
        yield ("gas", line.key, line.location_tco2e, line.market_tco2e, line.mass_t, None, None, None, None, None)
    for change in report.changes:
        market = change.key == "2-market"
        item = "scope 2 market-based" if market else f"scope {change.key}"
        yield ("change", item, None if market else change.current_tco2e, change.current_tco2e if market else None,
               None, change.previous_tco2e, change.difference_tco2e, change.percent, None, None)
    yield from _uncertainty(report)
    yield from _initiatives(report)
    yield from _targets(report)


def _uncertainty(report: GhgReport) -> Iterator[tuple[Any, ...]]:
    """The same rows as the PDF's data quality and uncertainty section, one figure a row in the
    value column with its unit (± %, or a count), the method in words."""
    uncertainty = report.uncertainty
    for scope, percent in uncertainty.by_scope:
        yield ("uncertainty", f"combined ± of scope {scope} (location-based)", *_BLANK, percent, "%")
    if uncertainty.percent is not None:
        yield ("uncertainty", "combined ± of the location-based total", *_BLANK, uncertainty.percent, "%")
    if uncertainty.described:
        yield ("uncertainty", "method: error propagation (product √(u₁² + u₂²) per source; sum by absolute "
               "uncertainties; a factor's error once for all its records)", *_BLANK, None, None)
        for name, label, unit in (
            ("records_stated", "records stating their own activity uncertainty", "records"),
            ("records_tier_default", "records taking their data-quality tier's default (metered, invoiced ±3 %; "
             "others ±20 %)", "records"),
            ("records_without_uncertainty", "records whose factor states no uncertainty", "records"),
            ("factors_published", "factors with a published uncertainty", "factors"),
            ("factors_expert_judgement", "factors with an expert-judgement uncertainty (20 % where none is "
             "published)", "factors"),
            ("factors_without_uncertainty", "factors stating no uncertainty", "factors"),
        ):
            yield ("uncertainty", label, *_BLANK, getattr(uncertainty, name), unit)


def _initiatives(report: GhgReport) -> Iterator[tuple[Any, ...]]:
    for measure in report.initiatives:
        name = measure.title.en or measure.title.zh_hans or measure.title.zh_hant
        yield ("initiative", f"{name}: expected a year", *_BLANK, measure.expected_tco2e, "tCO2e/yr")
        if measure.achieved_tco2e is not None:
            yield ("initiative", f"{name}: achieved", *_BLANK, measure.achieved_tco2e, "tCO2e")


def _targets(report: GhgReport) -> Iterator[tuple[Any, ...]]:
    for target in report.targets:
        name = (f"scope {target.scopes} {target.kind} {target.base_year}→{target.target_year} "
                f"−{target.reduction_percent}%")
        unit = "tCO2e" if target.output_unit is None else f"tCO2e/{target.output_unit}"
        yield ("target", f"{name}: base year value", *_BLANK, target.base_value, unit)
        yield ("target", f"{name}: target value", *_BLANK, target.target_value, unit)
        if target.position is not None:
            year = target.position.year
            yield ("target", f"{name}: allowed in {year}", *_BLANK, target.position.allowed, unit)
            yield ("target", f"{name}: actual in {year}", *_BLANK, target.position.actual, unit)
            yield ("target", f"{name}: reduced since the base year", *_BLANK, target.position.reduced_percent, "%")


def ghg_report_table(report: GhgReport) -> Table:
    period = f"{report.period_start.isoformat()} – {report.period_end.isoformat()}"
    what = Words(
        f"GHG emission report of {report.subject}, inventory {report.inventory_id} version {report.version} "
        f"({report.status})",
        f"{report.subject} 温室气体排放报告：清单 {report.inventory_id} 第 {report.version} 版（{report.status}）",
        f"{report.subject} 溫室氣體排放報告：清冊 {report.inventory_id} 第 {report.version} 版（{report.status}）",
    )
    return Table(TITLE, COLUMNS, list(_rows(report)), About(what, report.organisation, period, report.prepared_on))



