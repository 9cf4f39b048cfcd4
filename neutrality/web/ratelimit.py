"""Rate limits on signing in and on API tokens, per account and per client address.

Flask-Limiter keeps the counts: in this process's memory, or in Redis when
``NEUTRALITY_RATELIMIT_STORAGE_URL`` is set (every worker then shares one count). The window
moves, so thirty attempts cannot squeeze in across the edge of a fixed minute. The limits are
settings (``sign_in_limit_per_account`` …), read on every check.

What is counted:

* failed sign-ins (a wrong password on the sign-in page, the password page or an invitation), per
  e-mail address whether or not it has an account, and per client address; while either is
  exhausted even the right password is refused;
* API tokens refused as unknown, expired or revoked, with the failed sign-ins of their address;
* every request made with a valid token, per account and per client address.

A refusal is a :class:`TooManyAttempts`: 429 with ``Retry-After`` (seconds).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from neutrality.errors import NeutralityError
from neutrality.settings import Settings

log = logging.getLogger(__name__)

_LIMITER = "neutrality.limiter"
_FALLBACK = "neutrality.limiter.fallback"
#: The first part of every key, so a Redis shared with other applications keeps them apart.
_NAMESPACE = "neutrality"


class TooManyAttempts(NeutralityError):
    code = "too_many_requests"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int, limit: str):
        super().__init__(message, {"retry_after": retry_after, "limit": limit})
        self.retry_after = retry_after


def init_app(app: Flask, settings: Settings) -> None:
    limiter = Limiter(
        get_remote_address,
        storage_uri=settings.ratelimit_storage_url or "memory://",
        # A storage failure surfaces as limits' StorageError, so the fallback below can take over.
        storage_options={"wrap_exceptions": True},
        strategy="moving-window",
        key_prefix=_NAMESPACE,
    )
    limiter.init_app(app)
    app.extensions[_LIMITER] = limiter
    app.extensions[_FALLBACK] = MovingWindowRateLimiter(MemoryStorage())


def reset(app: Flask) -> None:
    """Forget every count (tests start from none)."""
    app.extensions[_LIMITER].reset()
    app.extensions[_FALLBACK].storage.reset()


# --- what is counted ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Count:
    setting: str  # the field of Settings holding the limits
    scope: str
    key: str
    refusal: str  # the sentence a refusal starts with


def _failures_of_account(email: str) -> _Count:
    # Keyed by the address typed, whether or not it has an account: the limit must not tell.
    return _Count("sign_in_limit_per_account", "sign-in:account", email.strip().lower(),
                  "too many failed sign-ins for this account")


def _failures_from_address() -> _Count:
    return _Count("sign_in_limit_per_address", "sign-in:address", _address(),
                  "too many failed sign-ins from your address")


def _address() -> str:
    return get_remote_address() or "unknown"


def check_sign_in(email: str) -> None:
    """Refuse a sign-in attempt while the account or the address has failed too often."""
    _refuse_if_exhausted(_failures_of_account(email), _failures_from_address())


def count_failed_sign_in(email: str) -> None:
    _hit(_failures_of_account(email), _failures_from_address())


def check_token_address() -> None:
    """Refuse a token from an address that has failed too often (tokens or sign-ins)."""
    _refuse_if_exhausted(_failures_from_address())


def count_refused_token() -> None:
    _hit(_failures_from_address())


def count_token_use(user_id: int) -> None:
    """Count one request made with a token; refuse it beyond the account's or address's limit."""
    refused = _hit(
        _Count("token_limit_per_account", "token:account", str(user_id),
               "too many requests with this account's API tokens"),
        _Count("token_limit_per_address", "token:address", _address(),
               "too many requests with API tokens from your address"),
    )
    if refused:
        _refuse(refused)


# --- the mechanics -----------------------------------------------------------------------------

_Limited = list[tuple[_Count, RateLimitItem]]


def _limits(*counts: _Count) -> _Limited:
    settings: Settings = current_app.extensions["neutrality.settings"]
    return [(count, item) for count in counts for item in parse_many(getattr(settings, count.setting))]


def _strategy_call(operation: Callable[[RateLimiter], Any]) -> Any:
    """``operation`` on the configured storage or, while it cannot be reached, on this process's
    memory: the limits keep holding (per process) rather than failing every request."""
    limiter: Limiter = current_app.extensions[_LIMITER]
    try:
        return operation(limiter.limiter)
    except StorageError:
        log.warning("rate limit storage unreachable: counting in this process's memory meanwhile")
        return operation(current_app.extensions[_FALLBACK])


def _refuse_if_exhausted(*counts: _Count) -> None:
    exhausted = _strategy_call(lambda strategy: [
        (count, item) for count, item in _limits(*counts)
        if not strategy.test(item, _NAMESPACE, count.scope, count.key)
    ])
    if exhausted:
        _refuse(exhausted)


def _hit(*counts: _Count) -> _Limited:
    """Count one attempt against every limit; those already reached (not counted) are returned."""
    return _strategy_call(lambda strategy: [
        (count, item) for count, item in _limits(*counts)
        if not strategy.hit(item, _NAMESPACE, count.scope, count.key)
    ])


def _refuse(exhausted: _Limited) -> None:
    now = time.time()
    stats = _strategy_call(lambda strategy: [
        strategy.get_window_stats(item, _NAMESPACE, count.scope, count.key) for count, item in exhausted
    ])
    # The longest wait: retrying sooner would only be refused again.
    retry_after, (count, item) = max(
        ((max(1, math.ceil(window.reset_time - now)), limited)
         for window, limited in zip(stats, exhausted, strict=True)),
        key=lambda wait: wait[0],
    )
    wait = "1 second" if retry_after == 1 else f"{retry_after} seconds"
    raise TooManyAttempts(
        f"{count.refusal} (at most {item}); try again in {wait}",
        retry_after=retry_after,
        limit=str(item),
    )
