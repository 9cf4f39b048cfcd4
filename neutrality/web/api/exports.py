"""API endpoints answering spreadsheets: the inventory report, the holdings, the retirement
ledger and a period's balance, each as XLSX or CSV (:mod:`neutrality.exports`).

The same callers as the JSON endpoints they mirror: a viewer may export, another organisation's
user is answered 404 as there. Headers are in the language ``lang`` asks for, else the one the
caller's account chose, else the browser's (Accept-Language), else English.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Response
from flask_babel import get_locale
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from neutrality import exports, workbooks
from neutrality.clock import utcnow
from neutrality.registry.holdings import HOLDING_DIMENSIONS
from neutrality.registry.model import BlockStatus
from neutrality.schemas import ID_RANGE, StrictSchema
from neutrality.web.api import API_PREFIX, Blueprint
from neutrality.web.context import actor, uow

blp = Blueprint(
    "exports", __name__, url_prefix=API_PREFIX + "/organisations/<int:organisation_id>",
    description="Spreadsheets (XLSX, CSV) of the inventory report, holdings, ledger and balance",
)

_LANG = fields.String(load_default=None, validate=validate.OneOf(workbooks.LOCALES), metadata={
    "description": "the language of the headers after the English: zh_Hans (简体) or zh_Hant "
                   "(繁體); by default the account's language, else the browser's"})


class ExportQuerySchema(StrictSchema):
    lang = _LANG


class HoldingsExportQuerySchema(StrictSchema):
    lang = _LANG
    by = DelimitedList(fields.String(validate=validate.OneOf(HOLDING_DIMENSIONS)),
                       load_default=lambda: ["scheme"],
                       metadata={"description": "dimensions, comma-separated (scheme by default): "
                                                + ", ".join(HOLDING_DIMENSIONS)})
    status = DelimitedList(fields.String(validate=validate.OneOf([s.value for s in BlockStatus])),
                           load_default=lambda: [BlockStatus.HELD.value, BlockStatus.RESERVED.value],
                           metadata={"description": "block statuses, comma-separated (held,reserved "
                                                    "by default)"})


class LedgerExportQuerySchema(StrictSchema):
    lang = _LANG
    period_id = fields.Integer(load_default=None, validate=ID_RANGE,
                               metadata={"description": "only this period's entries"})


def _documented(file_format: str) -> dict[str, Any]:
    return {"responses": {"200": {
        "description": ("An XLSX workbook (the table, then an About sheet)" if file_format == "xlsx"
                        else "A CSV file, UTF-8 with a byte-order mark") + ", as an attachment.",
        "headers": {"Content-Disposition": {
            "description": "attachment; filename*=UTF-8''… (RFC 5987)", "schema": {"type": "string"}}},
        "content": {workbooks.media_type(file_format).split(";")[0]: {
            "schema": {"type": "string", "format": "binary"}}},
    }}}


def _locale(asked: str | None) -> str:
    """``?lang=``, else the page language: the account's choice, else the browser's."""
    return asked or str(get_locale() or "en")


def content_disposition(filename: str) -> str:
    """An attachment's name for every browser: an ASCII fallback, and the name itself in UTF-8
    as RFC 5987 writes it (an organisation named in Chinese keeps its name)."""
    fallback = "".join(ch if ch.isascii() and ch.isalnum() or ch in "-_." else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _file(table: workbooks.Table, locale: str, file_format: str, stem: str) -> Response:
    out = io.BytesIO()
    workbooks.write(table, locale, file_format, out)
    name = f"{stem}-{table.about.organisation}-{table.about.exported_on.isoformat()}.{file_format}"
    return Response(out.getvalue(), mimetype=workbooks.media_type(file_format).split(";")[0],
                    headers={"Content-Disposition": content_disposition(name)})


def _today() -> Any:
    return utcnow().date()


def _route(rule: str, schema: type[StrictSchema], doc: str,
           build: Callable[..., tuple[workbooks.Table, str]]) -> None:
    """``rule`` + ``.xlsx`` and + ``.csv``, each documented as the file it answers."""
    for file_format in workbooks.FORMATS:
        def view(query: dict[str, Any], file_format: str = file_format, **ids: Any) -> Response:
            locale = _locale(query.pop("lang"))
            table, stem = build(query=query, locale=locale, **ids)
            return _file(table, locale, file_format, stem)

        view.__doc__ = doc
        view.__name__ = f"{build.__name__}_{file_format}"
        blp.route(f"{rule}.{file_format}", methods=["GET"], endpoint=view.__name__)(
            blp.doc(**_documented(file_format))(blp.arguments(schema, location="query")(view)))


def report(query: dict[str, Any], locale: str, organisation_id: int, inventory_id: int) -> tuple[workbooks.Table, str]:
    return exports.inventory_report_table(uow(), actor(), organisation_id, inventory_id,
                                          exported_on=_today()), f"inventory-{inventory_id}-report"


def holdings(query: dict[str, Any], locale: str, organisation_id: int) -> tuple[workbooks.Table, str]:
    return exports.holdings_table(uow(), actor(), organisation_id, query["by"], statuses=query["status"],
                                  exported_on=_today()), "holdings"


def ledger(query: dict[str, Any], locale: str, organisation_id: int) -> tuple[workbooks.Table, str]:
    period_id = query["period_id"]
    stem = "retirements" if period_id is None else f"retirements-period-{period_id}"
    return exports.ledger_table(uow(), actor(), organisation_id, period_id=period_id,
                                exported_on=_today(), locale=locale), stem


def balance(query: dict[str, Any], locale: str, organisation_id: int, period_id: int) -> tuple[workbooks.Table, str]:
    return exports.balance_table(uow(), actor(), organisation_id, period_id, exported_on=_today(),
                                 locale=locale), f"balance-period-{period_id}"


_route("/inventories/<int:inventory_id>/report", ExportQuerySchema,
       "The inventory report as a spreadsheet: tCO2e by scope, Scope 3 category, ISO 14064-1 "
       "category, site and gas, location- and market-based, exact (frozen once verified).", report)
_route("/holdings", HoldingsExportQuerySchema,
       "Holdings as a spreadsheet: quantities grouped by the dimensions ``by`` names, with the "
       "blocks and the cost in each currency of the recorded purchases.", holdings)
_route("/retirements", LedgerExportQuerySchema,
       "The retirement ledger as a spreadsheet: every retirement and reversal (of one period with "
       "``period_id``), whether the claim counts it, the rules that refused it and the reversals.",
       ledger)
_route("/periods/<int:period_id>/balance", ExportQuerySchema,
       "A period's balance as a spreadsheet, one figure a row: the arithmetic of the ledger, then "
       "the balance under the claim's rules, with units.", balance)
