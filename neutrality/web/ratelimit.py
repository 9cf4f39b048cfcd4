"""Rate limits on signing in and on API tokens, per account and per client address.

The ``limits`` library (the one Flask-Limiter is built on) keeps the counts: in this process's
memory, or in Redis when ``NEUTRALITY_RATELIMIT_STORAGE_URL`` is set (every worker then shares
one count). Flask-Limiter itself is not used: no limit applies to every request, and its hooks
would run before and after each one; the counts are taken where they arise. The window
moves, so thirty attempts cannot squeeze in across the edge of a fixed minute. The limits are
settings (``sign_in_limit_per_account`` …), each text parsed once.

What is counted:

* failed sign-ins (a wrong password on the sign-in page, the password page or an invitation), per
  e-mail address whether or not it has an account, and per client address; while either is
  exhausted even the right password is refused;
* API tokens refused as unknown, expired or revoked, with the failed sign-ins of their address;
* every request made with a valid token, per account and per client address.

A refusal is a :class:`TooManyAttempts`: 429 with ``Retry-After`` (seconds).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from neutrality.access.model import email_key
from neutrality.errors import NeutralityError
from neutrality.messages import Msg
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
    # A storage failure surfaces as limits' StorageError, so the fallback below can take over.
    storage = storage_from_string(settings.ratelimit_storage_url or "memory://", wrap_exceptions=True)
    app.extensions[_LIMITER] = MovingWindowRateLimiter(storage)
    app.extensions[_FALLBACK] = MovingWindowRateLimiter(MemoryStorage())


def reset(app: Flask) -> None:
    """Forget every count (tests start from none)."""
    app.extensions[_LIMITER].storage.reset()
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
    return _Count("sign_in_limit_per_account", "sign-in:account", email_key(email),
                  Msg("too many failed sign-ins for this account"))


def _failures_from_address() -> _Count:
    return _Count("sign_in_limit_per_address", "sign-in:address", _address(),
                  Msg("too many failed sign-ins from your address"))


def _address() -> str:
    # The client's address as the WSGI server saw it, or as NEUTRALITY_PROXY_HOPS trusted
    # proxies forwarded it (ProxyFix rewrites remote_addr).
    return request.remote_addr or "unknown"


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
               Msg("too many requests with this account's API tokens")),
        _Count("token_limit_per_address", "token:address", _address(),
               Msg("too many requests with API tokens from your address")),
    )
    if refused:
        _refuse(refused)


# --- the mechanics -----------------------------------------------------------------------------

_Limited = list[tuple[_Count, RateLimitItem]]


def _limits(*counts: _Count) -> _Limited:
    settings: Settings = current_app.extensions["neutrality.settings"]
    return [(count, item) for count in counts for item in _parsed(getattr(settings, count.setting))]


@functools.lru_cache(maxsize=32)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """A setting's limits, parsed once per text (settings were checked at start-up)."""
    return tuple(parse_many(limits))


def _strategy_call(operation: Callable[[RateLimiter], Any]) -> Any:
    """``operation`` on the configured storage or, while it cannot be reached, on this process's
    memory: the limits keep holding (per process) rather than failing every request."""
    try:
        return operation(current_app.extensions[_LIMITER])
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
    wait = Msg("1 second") if retry_after == 1 else Msg("{seconds} seconds", seconds=retry_after)
    raise TooManyAttempts(
        Msg("{refusal} (at most {limit}); try again in {wait}", refusal=count.refusal, limit=str(item), wait=wait),
        retry_after=retry_after,
        limit=str(item),
    )
