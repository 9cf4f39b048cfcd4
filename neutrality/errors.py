"""One error hierarchy for the whole application.

Pure: no Flask, no database.

Each error has a stable ``code`` (clients may branch on it), an HTTP status and optional
``details``. The web layer maps them to the envelope ``{"error": {"code", "message", "details"}}``
in one place; nothing here knows about Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class NeutralityError(Exception):
    """Base of every error the application raises on purpose."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = dict(details or {})


class SettingsError(NeutralityError):
    code = "invalid_settings"
    http_status = 500


class InvalidInput(NeutralityError):
    """The request is well formed but its content breaks a rule (422)."""

    code = "invalid_input"
    http_status = 422


class NotFound(NeutralityError):
    code = "not_found"
    http_status = 404


class Unauthenticated(NeutralityError):
    code = "unauthenticated"
    http_status = 401


class Forbidden(NeutralityError):
    code = "forbidden"
    http_status = 403


class Conflict(NeutralityError):
    """The request contradicts the current state (409): a duplicate, an overlap, a locked record."""

    code = "conflict"
    http_status = 409


class Busy(NeutralityError):
    """The database is busy with another change (503): nothing was done, and the same request
    may be sent again after ``retry_after`` seconds (the web layer says so in ``Retry-After``)."""

    code = "busy"
    http_status = 503
    retry_after = 5


class PeriodSequenceError(InvalidInput):
    code = "invalid_period_sequence"
