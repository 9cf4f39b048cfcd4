"""The GHG report rendered: HTML from ``templates/documents/``, then PDF (:mod:`neutrality.documents`).

The templates are the pages' Jinja with the same catalogues (``_()`` as on the pages), rendered
by an environment of their own so the command line and a background job render exactly what
the web does, without a request. Figures are rounded here and only here: tCO2e to 3 decimals
half up in the reader's separators, as the pages show them.
"""

from __future__ import annotations

import base64
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from neutrality.charts import TrajectoryPoints, trajectory_chart_svg
from neutrality.documents import render_pdf
from neutrality.messages import say
from neutrality.reports.content import GhgReport, TargetStanding

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "documents"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
LOCALES = ("en", "zh_Hans", "zh_Hant")

#: How Babel names each locale's formats (the catalogues use the script subtags).
_BABEL = {"en": "en", "zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW"}


def _figure(locale: str):  # type: ignore[no-untyped-def]
    def figure(value: Any, places: int = 3) -> str:
        if value is None:
            return "–"
        shown = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if shown == 0:
            shown = abs(shown)
        return format_decimal(shown, format="#,##0" + ("." + "0" * places if places else ""),
                              locale=_BABEL[locale])
    return figure


@cache
def environment(locale: str) -> Environment:
    """The Jinja environment of documents in ``locale`` (en, zh_Hans, zh_Hant)."""
    if locale not in LOCALES:
        raise ValueError(f"no documents in {locale!r}")
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    translations: NullTranslations = (NullTranslations() if locale == "en"
                                       else Translations.load(str(TRANSLATIONS), [locale]))
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    figure = _figure(locale)
    env.filters["figure"] = figure
    env.filters["percent"] = lambda value: "–" if value is None else f"{figure(value, 1)} %"
    env.filters["day"] = lambda value, form="long": format_date(value, format=form, locale=_BABEL[locale]) if value else ""
    env.filters["say"] = lambda value: say(value, translations.gettext, locale)
    env.globals["locale"] = locale
    env.globals["trajectory_chart"] = lambda target: _trajectory_chart(target, locale)
    env.globals["html_lang"] = locale.replace("_", "-")
    return env


def _trajectory_chart(target: TargetStanding, locale: str) -> str:
    """The target's line and its periods, drawn as the progress page draws them, as a ``data:``
    URI (the renderer fetches nothing else); empty when the line cannot be drawn."""
    if len(target.trajectory) < 2:  # noqa: PLR2004 - a line needs its two ends
        return ""
    points = TrajectoryPoints(tuple(target.trajectory), tuple(target.actuals), unit=target.unit)
    svg = trajectory_chart_svg(points, locale=locale)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def ghg_report_html(report: GhgReport, locale: str) -> str:
    return environment(locale).get_template("ghg_report.html").render(report=report)


def ghg_report_pdf(report: GhgReport, locale: str) -> bytes:
    stylesheet = (TEMPLATES / "documents.css").read_text(encoding="utf-8")
    return render_pdf(ghg_report_html(report, locale), locale=locale, stylesheets=(stylesheet,))


def report_filename(report: GhgReport, locale: str) -> str:
    """``ghg-report-<period start>-<period end>-<locale>.pdf``: ASCII, whatever the names."""
    return f"ghg-report-{report.period_start.isoformat()}-{report.period_end.isoformat()}-{locale}.pdf"
