"""A statement rendered from its snapshot alone (no database): the balance chart's walk from the
emissions without the reductions achieved, and the register of retirements at the end, every
retirement on its line with all its particulars."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the chart the code under test wrote
from decimal import Decimal

import pypdfium2
import pytest

from neutrality.statements.rendering import balance_steps_of, statement_html, statement_pdf
from neutrality.statements.snapshot import snapshot_sha256, statement_from_snapshot
from tests.unit.test_statement_content import full

D = Decimal


def _desc(html: str) -> str:
    """The <desc> of the balance chart written into the page as a data: URI."""
    [uri] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    root = ET.fromstring(base64.b64decode(uri))  # noqa: S314 - the chart our own code drew
    return root[1].text or ""


def test_the_chart_walks_from_the_emissions_without_the_reductions_achieved() -> None:
    # full(): gross 120 market-based, no certificate, residual 120, 120 counted: net 0. The
    # period's activity fell by what 2.5 t were at the previous factors: without it, 122.5 t.
    statement = statement_from_snapshot(full(achieved_reduction_tco2e="2.5"))
    steps = balance_steps_of(statement)
    assert steps is not None
    assert (steps.reductions_tco2e, steps.before_reductions_tco2e, steps.gross_tco2e, steps.net_tco2e) == (
        D("2.5"), D("122.5"), D(120), D(0))
    html = statement_html(statement, "en", sha256="0" * 64)
    assert _desc(html).startswith("Without the reductions 122.50 tCO2e; Reductions achieved −2.50 tCO2e; "
                                  "Gross (market-based) 120.00 tCO2e;")
    # the table under the chart gives the same two figures
    assert re.search(r"Emissions without the reductions</th><td class=\"num\">122\.500<", html)
    assert re.search(r"Reductions achieved against the previous period</th><td class=\"num\">2\.500<", html)
    assert _desc(statement_html(statement, "zh_Hans", sha256="0" * 64)).startswith(
        "未计减排的排放量 122.50 tCO2e；已实现减排 −2.50 tCO2e；")


@pytest.mark.parametrize("achieved", [None, "0", "-4.2"])
def test_without_reductions_achieved_the_chart_starts_from_the_gross(achieved: str | None) -> None:
    # a first period (none), nothing achieved (0) and a rise of the activity (−4.2) draw no step
    snapshot = full(achieved_reduction_tco2e=achieved)
    if achieved is None:
        del snapshot["achieved_reduction_tco2e"]  # as the snapshots frozen before it was kept
    statement = statement_from_snapshot(snapshot)
    steps = balance_steps_of(statement)
    assert steps is not None and steps.reductions_tco2e == 0 and not steps.reduced
    html = statement_html(statement, "en", sha256="0" * 64)
    assert _desc(html).startswith("Gross (market-based) 120.00 tCO2e;")
    assert "Emissions without the reductions" not in html


def _many(rows: int) -> dict:
    data = full(kind="cn_zero_carbon_factory")
    template = data["retirements"][0]
    data["retirements"] = [
        {**template, "id": n, "project": f"Wind farm {n}", "project_id": f"CCER-{n:04d}", "country": "CN",
         "serial_start": n * 1000 + 1, "serial_end": n * 1000 + 250, "quantity": 250,
         "reference": f"CCER-R-{n:06d}", "evidence_sha256": f"{n:064x}", "counted": n % 7 != 0}
        for n in range(1, rows + 1)]
    return data


def test_every_retirement_is_in_the_register_with_all_its_particulars() -> None:
    data = _many(150)
    statement = statement_from_snapshot(data)
    pdf = statement_pdf(statement, "en", sha256=snapshot_sha256(data))
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[n].get_textpage().get_text_range() for n in range(len(document))]
    # a line too long for the page wraps at a space (pdfium reads the break as a line end)
    text = " ".join(pages).replace("\r\n", " ")
    for r in statement.retirements:
        # scheme, registry, project with its registry id and country, vintage, serials, quantity,
        # date, beneficiary and the evidence's full SHA-256, in the legend's order
        flag = "not counted · " if not r.counted else ""
        assert (f"{r.reference} · CCER · CCER registry · {r.project} ({r.project_id} · CN) · 2024-01-01 – "
                f"2024-12-31 · X {r.serial_start}–{r.serial_end} · 250 tCO2e · 2025-02-01 · Demo Ltd. · {flag}"
                f"{r.evidence_sha256}") in text
    # most fit one line of the landscape register, the hash at its end
    lines = [line for page in pages for line in page.splitlines()]
    assert sum(line.endswith(r.evidence_sha256) and line.startswith(r.reference + " ")
               for r in statement.retirements for line in lines) >= 150 - 150 // 7
    # the register is an appendix of landscape pages, after the portrait body
    first, last = document[0], document[len(document) - 1]
    assert first.get_width() < first.get_height() and last.get_width() > last.get_height()
    # the body sums them by scheme: 150 × 250 = 37,500 tCO2e in 150 retirements
    assert re.search(r"CCER\s*150\s*37,500 tCO2e", text)
