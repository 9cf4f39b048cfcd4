"""The one place where errors become responses.

API paths get the envelope ``{"error": {"code", "message", "details"}}``; pages get an HTML
page. Unexpected exceptions are logged with an id and answered with a generic message: no stack
trace or driver text ever reaches the client.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from neutrality.errors import NeutralityError
from neutrality.messages import Msg
from neutrality.web.frame import say

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
}


#: What a refusal of the HTTP layer itself says (an address nothing answers at, a method it does
#: not take), instead of werkzeug's English sentences.
_SAID = {
    400: Msg("the request could not be understood"),
    404: Msg("nothing is found at this address; check the link"),
    405: Msg("this address does not take this method"),
}


def _wants_json() -> bool:
    return (request.path.startswith("/api/") or request.path.endswith(".json")
            or request.accept_mimetypes.best == "application/json")


def error_response(status: int, code: str, message: str, details: Any = None) -> Any:
    # Words from below the web layer are said in the reader's language here, for the API's
    # envelope as for the error page (the code stays the same in every language).
    message, details = say(message), say(details)
    if _wants_json():
        response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, code=code, message=message), status


def flatten(messages: Any, prefix: str = "") -> Any:
    """Nested marshmallow messages as dotted paths ({"activities": {"1": {"quantity": [...]}}}
    → {"activities.1.quantity": [...]}), the same shape the services use."""
    if not isinstance(messages, dict):
        return {prefix: messages} if prefix else messages
    flat: dict[str, Any] = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def _handle_domain(error: NeutralityError) -> Any:
    response = make_response(error_response(error.http_status, error.code, error.message, error.details))
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _handle_csrf(error: CSRFError) -> Any:
    return error_response(400, "csrf_failed", Msg("the form's CSRF token is missing or invalid ({reason})",
                                                  reason=error.description))


def _handle_http(error: HTTPException) -> Any:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        # webargs/marshmallow: messages by location ("json", "query") then by field.
        messages = data["messages"]
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))
        return error_response(422, "validation_failed", Msg("the request does not match the expected shape"),
                              flatten(messages))
    if status == 413:
        return error_response(413, "payload_too_large", Msg("the request body is larger than the upload limit"))
    description = error.description
    if description == type(error).description and status in _SAID:
        description = _SAID[status]  # werkzeug's own English sentence: ours, in the reader's language
    return error_response(status, _HTTP_CODES.get(status, "http_error"), description or error.name)


def _handle_unexpected(error: Exception) -> Any:
    incident = uuid.uuid4().hex[:12]
    log.exception("unexpected error %s", incident)
    return error_response(500, "internal_error", Msg("something went wrong on our side (incident {incident})",
                                                         incident=incident))


def register(app: Flask) -> None:
    app.register_error_handler(NeutralityError, _handle_domain)
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    if not app.testing:
        app.register_error_handler(Exception, _handle_unexpected)
