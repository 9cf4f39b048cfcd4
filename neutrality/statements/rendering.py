"""A statement rendered: HTML from ``templates/documents/statement.html`` through the documents'
Jinja environment (:func:`neutrality.reports.rendering.environment`: the catalogues, the rounding,
autoescape), then PDF (:mod:`neutrality.documents`: nothing fetched).

The balance chart (SVG) and the QR code of the public address (PNG) are written into ``data:``
URIs; the footer of every page carries the snapshot's SHA-256, the version and the public address.
The retirements are summed by scheme in the body and listed one by one in a register at the end
(a landscape appendix, one line each: see statement.css for why it is not a table).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from decimal import Decimal

from jinja2 import Template

from neutrality.charts import BalanceSteps, balance_chart_svg
from neutrality.documents import Asset, render_pdf
from neutrality.reports.rendering import LOCALES, TEMPLATES, environment
from neutrality.statements.content import ABSENCES, Statement

__all__ = ["LOCALES", "statement_html", "statement_pdf"]

TEMPLATE = "statement.html"
STYLESHEETS = ("documents.css", "statement.css")


def balance_steps_of(statement: Statement) -> BalanceSteps | None:
    """The waterfall (without the reductions →) reductions → gross → certificates → residual →
    credits of the statement's balance; None without the figures (an inventory that cannot be
    calculated). The reductions are those achieved against the previous period, when there are
    some: none, or a rise of the activity, leaves the step out."""
    b = statement.balance
    if b.gross_market_tco2e is None or b.residual_tco2e is None or b.certificates_tco2e is None:
        return None
    achieved = statement.achieved_reduction_tco2e
    reductions = achieved if achieved is not None and achieved > 0 else Decimal(0)
    return BalanceSteps(b.gross_market_tco2e, b.certificates_tco2e, b.residual_tco2e, b.credits_counted_tco2e,
                        reductions)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def qr_code(url: str) -> str:
    """The QR code of ``url`` as a PNG ``data:`` URI (error correction M: a printed page survives
    a crease). PNG rather than SVG: it sits in the footer of every page, and a raster image is
    written once into the PDF and shown on each page, where weasyprint would parse and draw the
    SVG's path again on every page (a second of a 50-page statement). Eight pixels a module,
    drawn without smoothing (statement.css), stay sharp at the footer's 18 mm."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=8, border=2)


def statement_html(statement: Statement, locale: str, *, sha256: str, template: str | Template = TEMPLATE) -> str:
    """The statement's HTML; ``template``: the name of a template of the documents' folder, or
    one made by their environment (the tests make one reaching outside)."""
    steps = balance_steps_of(statement)
    chart = _data_uri(balance_chart_svg(steps, locale=locale)) if steps is not None else ""
    if isinstance(template, str):
        template = environment(locale).get_template(template)
    return template.render(
        statement=statement, checklist=statement.checklist(), absence=ABSENCES, sha256=sha256, chart=chart,
        steps=steps,
        qr=qr_code(statement.published_at) if statement.published_at else "")


def statement_pdf(statement: Statement, locale: str, *, sha256: str, template: str | Template = TEMPLATE,
                  assets: Mapping[str, Asset] | None = None) -> bytes:
    """The PDF of the statement in ``locale``; :class:`neutrality.documents.OutsideResource` if
    the template reaches outside itself."""
    stylesheets = tuple((TEMPLATES / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    return render_pdf(statement_html(statement, locale, sha256=sha256, template=template), locale=locale,
                      assets=assets, stylesheets=stylesheets)


def statement_filename(statement: Statement, locale: str) -> str:
    """``statement-<kind>-<period start>-<period end>-<locale>.pdf``: ASCII, whatever the names."""
    return (f"statement-{statement.kind.value}-{statement.period_start.isoformat()}-"
            f"{statement.period_end.isoformat()}-{locale}.pdf")
