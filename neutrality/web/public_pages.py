"""The public declaration pages served straight from memory, ahead of the framework.

A page of a public declaration is the same bytes for every reader (its frame carries nothing of
the reader: :mod:`neutrality.web.declaration_pages`), and it changes only when a version is
published, superseded or withdrawn. When the framework answers such a page with 200 and marks
it as the same for everyone (the header :data:`SAME_FOR_EVERYONE`, taken off here), the whole
answer is kept; for ``fresh`` seconds afterwards this process answers
the same address in the same language from memory, without the framework or the database: a
few dictionary lookups instead of a request's full path. After that the next request goes
through the framework again, which asks the database for the versions' state and renders anew
only if it changed. A withdrawal therefore shows everywhere within ``fresh`` seconds.

Only what is certainly the same page is answered here: a GET or HEAD of a declaration's page
or index, with no query but ``lang=…``; the language from ``lang``, or from Accept-Language when
the request carries no cookie (a signed-in reader's language may be their account's: the
framework decides). Everything else goes on to the framework untouched.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from neutrality.settings import SUPPORTED_LOCALES
from neutrality.web.locale import pick_locale

#: The addresses answered here: an organisation's index and a period's page.
PATH = re.compile(r"/declarations/[1-9][0-9]{0,17}(?:/[1-9][0-9]{0,17})?")
_LANG = re.compile(r"lang=(en|zh_Hans|zh_Hant)")
#: Set by a view on an answer that is the same for every reader of its address and language.
SAME_FOR_EVERYONE = "X-Neutrality-Same-For-Everyone"


@dataclass(frozen=True)
class _Kept:
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    until: float  # time.monotonic() after which the framework answers again


class PublicPages:
    """Answers kept by (path, language), each for ``fresh`` seconds; at most ``size`` of them."""

    def __init__(self, fresh: float, size: int = 512, clock: Callable[[], float] = time.monotonic) -> None:
        self.fresh, self._size, self._clock = fresh, size, clock
        self._kept: dict[tuple[str, str], _Kept] = {}
        self._lock = threading.Lock()

    def keep(self, path: str, locale: str, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        """The framework's 200 answer to ``path`` in ``locale``, to be served again for a while."""
        headers = [(k, v) for k, v in headers if k.lower() != "set-cookie"]
        etag = next((v for k, v in headers if k.lower() == "etag"), "")
        kept = _Kept(headers, body, etag, self._clock() + self.fresh)
        with self._lock:
            if len(self._kept) >= self._size:
                self._kept.clear()  # a rare flood of addresses: start again rather than track age
            self._kept[(path, locale)] = kept

    def _locale(self, environ: dict[str, Any]) -> str | None:
        query = environ.get("QUERY_STRING", "")
        if query:
            found = _LANG.fullmatch(query)
            return found.group(1) if found else None
        if environ.get("HTTP_COOKIE"):
            return None
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return pick_locale(accepted, SUPPORTED_LOCALES)

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """``app`` with the kept pages answered ahead of it."""

        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            method = environ.get("REQUEST_METHOD")
            path = environ.get("PATH_INFO", "")
            if self.fresh <= 0 or method not in ("GET", "HEAD") or not PATH.fullmatch(path):
                return app(environ, start_response)
            locale = self._locale(environ)
            if locale is None:
                return app(environ, start_response)
            kept = self._kept.get((path, locale))
            if kept is not None and self._clock() < kept.until:
                if kept.etag and kept.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
                    start_response("304 NOT MODIFIED", [(k, v) for k, v in kept.headers
                                                        if k.lower() not in ("content-length", "content-type")])
                    return [b""]
                start_response("200 OK", kept.headers)
                return [b"" if method == "HEAD" else kept.body]
            return self._through(app, environ, start_response, path, locale)

        return serve

    def _through(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any],
                 start_response: Callable[..., Any], path: str, locale: str) -> Iterable[bytes]:
        """The framework's answer, kept when it is a 200 marked the same for everyone."""
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered["status"], answered["headers"] = status, headers
            return start_response(status, [(k, v) for k, v in headers if k != SAME_FOR_EVERYONE], exc_info)

        iterable = app(environ, capture)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        headers = answered.get("headers", [])
        if (environ.get("REQUEST_METHOD") == "GET" and answered.get("status", "").startswith("200 ")
                and any(k == SAME_FOR_EVERYONE for k, _ in headers)):
            self.keep(path, locale, [(k, v) for k, v in headers if k != SAME_FOR_EVERYONE], body)
        return [body]
