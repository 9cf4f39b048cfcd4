"""JSON API infrastructure: the OpenAPI-documented API object, the blueprint every endpoint
module uses (JSON bodies only), ids in paths, pagination and shared schemas."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import request
from flask_babel import get_locale, gettext
from flask_smorest import Api as _SmorestApi
from flask_smorest.fields import Upload
from webargs import core
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from neutrality.messages import Msg, say
from neutrality.pagination import Page, PageResult
from neutrality.schemas import ID_RANGE, NotJson, PagedQuerySchema, read_json
from neutrality.web.api.examples import with_examples

API_PREFIX = "/api/v1"




class JsonBodyParser(FlaskParser):
    """Request bodies are JSON. A body sent as anything else is refused (400), as a body that is
    not valid JSON is, instead of being read as an empty one: a PATCH of a form would otherwise
    answer 200 and change nothing."""

    def _raw_load_json(self, req: Any) -> Any:
        if not core.is_json(req.mimetype):
            raise BadRequest(
                Msg("the request body must be JSON, sent with Content-Type: application/json"))
        body = req.get_data(cache=True)
        if not body.strip():
            raise BadRequest(Msg("the request has no body: send a JSON object"))
        try:
            return read_json(body)
        except NotJson as problem:
            raise BadRequest(Msg("the request body is not valid JSON ({problem})", problem=str(problem))) from None


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint reading bodies with :class:`JsonBodyParser`."""

    ARGUMENTS_PARSER = JsonBodyParser()

    @staticmethod
    def _prepare_response_content(data: Any) -> Any:
        # Words from below the web layer in an answer (a preview's row errors, dumped by
        # neutrality.schemas.Said) in the reader's language; English is what they already say.
        locale = str(get_locale())
        return data if locale == "en" else say(data, gettext, locale)


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: an id. Documented with the range of an id column; a number beyond
    it still matches the route, so that :func:`check_path_ids` can say which one is wrong (after
    the caller is known) instead of a bare 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, *args, **kwargs)
        self.min, self.max = ID_RANGE.min, ID_RANGE.max

    def to_python(self, value: str) -> int:
        digits = value.lstrip("0") or "0"
        if len(digits) > len(str(ID_RANGE.max)):
            # Beyond every id, and perhaps beyond what Python reads (4,300 digits): any number
            # too large names the limit all the same.
            return ID_RANGE.max + 1
        return int(digits)


def check_path_ids() -> None:
    """Refuse an id in the path that no id column can hold (422, the parameter named): SQLite
    cannot even compare a number of 2**63 or more with a column."""
    problems = {}
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int):
            try:
                ID_RANGE(value)
            except ma.ValidationError as error:
                problems[name] = error.messages
    if problems:
        abort(422, messages={"path": problems})


class PageArgs(PagedQuerySchema):
    @ma.post_load
    def to_page(self, data: dict[str, Any], **_: Any) -> Page:
        return Page(data["page"], data["per_page"])


_page_schemas: dict[str, type[ma.Schema]] = {}


def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    """A page envelope for a list: ``{"items", "page", "per_page", "total", "pages"}``."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(
            name,
            (ma.Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item)),
                "page": ma.fields.Integer(),
                "per_page": ma.fields.Integer(),
                "total": ma.fields.Integer(),
                "pages": ma.fields.Integer(),
            },
        )
    return _page_schemas[name]


def paged(result: PageResult) -> dict[str, Any]:
    return {
        "items": result.items,
        "page": result.page.number,
        "per_page": result.page.size,
        "total": result.total,
        "pages": result.pages,
    }


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(
        required=True, metadata={"description": "What went wrong, for programs: validation_failed, "
                                 "not_found, conflict, unauthenticated, forbidden, …"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for people."})
    details = ma.fields.Dict(
        required=True, metadata={"description": "Where it went wrong: the fields (dotted paths) "
                                 "with their messages, or the rows of a file; may be empty."})


class ErrorSchema(ma.Schema):
    """Every error answer: ``{"error": {"code", "message", "details"}}``."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


#: Decimal numbers travel as JSON strings: an optional sign, digits, an optional fraction.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def _number(limit: Any) -> int | float:
    if isinstance(limit, Decimal):
        return int(limit) if limit == limit.to_integral_value() else float(limit)
    return limit


def ranges2properties(_converter: Any, field: ma.fields.Field, ret: dict[str, Any],
                      **_: Any) -> dict[str, Any]:
    """Document a field's bounds as what is sent: numbers for integers and floats, with
    ``exclusiveMinimum``/``exclusiveMaximum`` (OpenAPI 3.0's booleans) for exclusive ranges; a
    decimal is a string (``format: decimal``), its bounds written out in the description and given
    as ``x-minimum``/``x-maximum``."""
    ranges = [v for v in field.validators if isinstance(v, ma.validate.Range)]
    low = max((r for r in ranges if r.min is not None), key=lambda r: r.min, default=None)
    high = min((r for r in ranges if r.max is not None), key=lambda r: r.max, default=None)
    for key in ("minimum", "maximum", "x-minimum", "x-maximum"):
        ret.pop(key, None)
    decimal = isinstance(field, ma.fields.Decimal)
    prefix = "x-" if decimal else ""
    if low is not None:
        ret[prefix + "minimum"] = _number(low.min)
        if not low.min_inclusive:
            ret[prefix + "exclusiveMinimum"] = True
    if high is not None:
        ret[prefix + "maximum"] = _number(high.max)
        if not high.max_inclusive:
            ret[prefix + "exclusiveMaximum"] = True
    if decimal:
        ret.update(type="string", format="decimal", pattern=DECIMAL_PATTERN)
        if ret.get("default") is not None:
            ret["default"] = str(ret["default"])
        ret.setdefault("example", _decimal_example(low, high))
        bounds = []
        if low is not None:
            bounds.append(f"{'at least' if low.min_inclusive else 'more than'} {low.min}")
        if high is not None:
            bounds.append(f"{'at most' if high.max_inclusive else 'less than'} {high.max}")
        text = "A decimal number written as a JSON string (a JSON number is also accepted)"
        text += (", " + " and ".join(bounds) + ".") if bounds else "."
        ret["description"] = f"{ret['description']} ({text})" if ret.get("description") else text
    return ret


def _decimal_example(low: Any, high: Any) -> str:
    """A number the range allows, written as it is sent: 12.5 when it may be, else a bound."""
    candidate = Decimal("12.5")
    if low is not None and (candidate < low.min or (candidate == low.min and not low.min_inclusive)):
        candidate = Decimal(low.min) + 1 if low.min_inclusive else Decimal(low.min) + Decimal("0.5")
    if high is not None and candidate >= high.max:
        candidate = Decimal(high.max) if high.max_inclusive else Decimal(high.max) - Decimal("0.5")
    return str(candidate)


_multipart_schemas: dict[tuple[type[ma.Schema], tuple[str, ...]], type[ma.Schema]] = {}


def multipart(schema: type[ma.Schema], *files: str) -> dict[str, Any]:
    """A ``multipart/form-data`` request body: the form's fields and its required files
    (documentation only: the views read them through :mod:`neutrality.web.uploads`)."""
    key = (schema, files)
    if key not in _multipart_schemas:
        name = schema.__name__.removesuffix("Schema") + "UploadSchema"
        _multipart_schemas[key] = type(name, (schema,), {
            file: Upload(required=True, metadata={"description": "The file."}) for file in files})
    return {"required": True,
            "content": {"multipart/form-data": {"schema": _multipart_schemas[key]}}}


_ERROR_STATUSES = {
    400: "The request body is not JSON, or not valid JSON.",
    401: "The caller is not signed in: send an API token (Authorization: Bearer …).",
    403: "The caller's role does not allow this (a viewer changing data, or what only a site "
         "administrator may do).",
    404: "Nothing with this id exists for the caller (an organisation the caller is not a "
         "member of is not found either).",
    409: "The request conflicts with the current state (a duplicate, a frozen inventory, a "
         "change made meanwhile).",
    413: "The upload is larger than the limit.",
    422: "The input does not match the expected shape or bounds; details name the fields.",
    429: "Too many attempts (failed passwords, refused API tokens from this address, or calls "
         "with one token): wait the seconds given by Retry-After.",
    503: "The database is busy with another change; nothing was done: send the same request "
         "again after the seconds given by Retry-After.",
}
#: What each error looks like: the codes are those of :mod:`neutrality.web.errors`.
_ERROR_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"code": "bad_request", "details": {},
          "message": "the request body is not valid JSON (Expecting value at line 1, column 1)"},
    401: {"code": "unauthenticated", "details": {},
          "message": "the API token is unknown, expired or revoked"},
    403: {"code": "forbidden", "details": {"role": "viewer", "permission": "manage_inventory"},
          "message": "your role 'viewer' in organisation 1 does not allow 'manage_inventory'"},
    404: {"code": "not_found", "details": {}, "message": "organisation 7 not found"},
    409: {"code": "conflict", "details": {},
          "message": "the inventory is verified and frozen: create a new version to change it"},
    413: {"code": "payload_too_large", "details": {},
          "message": "the request body is larger than the upload limit"},
    422: {"code": "validation_failed", "message": "the request does not match the expected shape",
          "details": {"name": ["Missing data for required field."]}},
    429: {"code": "too_many_requests", "details": {"retry_after": 60, "limit": "10 per minute"},
          "message": "too many failed attempts (at most 10 per minute); try again in 60 seconds"},
    503: {"code": "busy", "details": {},
          "message": "the database is busy with another change; send the request again"},
}
#: Downloads whose files are hashed again and refused (409) when changed since recorded.
_HASH_CHECKED = ("/retirements/{retirement_id}/evidence", "/evidence-pack.zip")
#: Operations that need no organisation role (the caller's own account and invitations).
_PERSONAL = ("/me", "/tokens", "/invitations/")


class ErrorResponsesPlugin(BasePlugin):
    """Documents, in one place, the errors each operation can answer, all with the envelope."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **_: Any) -> None:
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            statuses = _errors_of(path or "", method, operation)
            if not any(str(status).startswith("2") for status in responses):
                responses["200"] = _file_response(path or "")
            _describe(operation, statuses)
            for status in sorted(statuses):
                responses.setdefault(str(status), {
                    "description": _ERROR_STATUSES[status],
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"},
                        "example": {"error": _ERROR_EXAMPLES[status]},
                    }},
                })


def _file_response(path: str) -> dict[str, Any]:
    """A view answering a file (a template, a stored document) as an attachment."""
    media_type = ("text/csv" if path.endswith(".csv") else "application/zip" if path.endswith(".zip")
                  else "application/octet-stream")
    return {
        "description": "The file, as an attachment.",
        "headers": {"Content-Disposition": {
            "description": "attachment; filename=… (the file's name)",
            "schema": {"type": "string"}}},
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def _describe(operation: dict[str, Any], statuses: set[int]) -> None:
    """The view's docstring as summary (its first sentence) and description (the whole of it),
    followed by who may call the operation."""
    text = " ".join(operation.get("summary", "").split())
    first, *rest = _SENTENCE_END.split(text, maxsplit=1)
    operation["summary"] = first
    if 401 not in statuses:
        who = "No API token is needed."
    elif 403 in statuses:
        who = ("Needs an API token (Authorization: Bearer …) of an account allowed to do this in "
               "the organisation.")
    else:
        who = "Needs an API token (Authorization: Bearer …)."
    described = operation.get("description") or (text if rest else "")
    operation["description"] = f"{described}\n\n{who}" if described else who


def _errors_of(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses: set[int] = set()
    public = operation.get("security") == []
    content = operation.get("requestBody", {}).get("content", {})
    if not public:
        statuses.add(401)
        if not path.removeprefix(API_PREFIX).startswith(_PERSONAL):
            statuses.add(403)
    if "{" in path:
        statuses |= {404, 422}
    if method in ("post", "put", "patch", "delete"):
        statuses |= {409, 503}
    if path.endswith(_HASH_CHECKED):
        statuses.add(409)  # a stored file that no longer hashes to what was recorded
    if operation.get("parameters") or content:
        statuses.add(422)
    if "application/json" in content:
        statuses.add(400)
    if "multipart/form-data" in content:
        statuses |= {400, 413}
    # Every request with a token counts against the limits (refused tokens, calls per token).
    statuses.add(429)
    return statuses


class Api(_SmorestApi):
    """flask-smorest's Api without its own error handlers (ours map every error in one place),
    documenting the error envelope they answer with, and decimals as the strings they are."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None

    def _init_spec(self, *, extra_plugins: Any = None, **kwargs: Any) -> None:
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), ErrorResponsesPlugin()],
                           **kwargs)
        self.ma_plugin.converter.add_attribute_function(ranges2properties)
        # Examples are made from the finished document: an operation's schemas are complete
        # only once every operation has registered its own (apispec has no hook for that).
        built = self.spec.to_dict
        self.spec.to_dict = lambda: with_examples(built())  # type: ignore[method-assign]


api = Api()
