"""The watch kept on every page a browser test opens: what went wrong there (console and script
errors, failed subresources, dialogs, the structure of each document) and the failures the test
provokes on purpose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Run in every document before its own content (as DevTools injects it, outside the page's
#: Content-Security-Policy): once the document is parsed, report its <h1> count and every form
#: field a screen reader could not name. A field's name comes from a <label> (for= or around it),
#: aria-labelledby or aria-label; a placeholder or title is no label.
_STRUCTURE_PROBE = """
document.addEventListener('DOMContentLoaded', () => {
  if (document.contentType !== 'text/html' || window.top !== window) return;
  const text = (el) => (el.textContent || '').trim();
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (ids.some((id) => document.getElementById(id) && text(document.getElementById(id)))) return true;
    return Array.from(el.labels || []).some((label) => text(label));
  };
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]), select, textarea');
  const unlabelled = Array.from(fields).filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
  const unnamedButtons = Array.from(document.querySelectorAll('button, input[type=submit]'))
    .filter((el) => !text(el) && !(el.value || '').trim() && !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
  window.__neutralityReport({url: location.pathname + location.search,
                             h1: document.querySelectorAll('h1').length,
                             unlabelled: unlabelled.concat(unnamedButtons)});
});
"""


@dataclass
class Watch:
    """What went wrong on the pages of one test, and the failures the test expects."""

    problems: list[str] = field(default_factory=list)
    expected: list[tuple[int, str]] = field(default_factory=list)
    #: The path of every page whose structure was checked, in the order they were opened.
    checked: list[str] = field(default_factory=list)

    def expect_response(self, status: int, path: str) -> None:
        """A response the test provokes on purpose (a refused write): not a problem."""
        self.expected.append((status, path))

    def _is_expected(self, status: int, url: str) -> bool:
        return (status, _path(url)) in self.expected

    def attach(self, context: Any) -> None:
        context.expose_function("__neutralityReport", self._structure)
        context.add_init_script(_STRUCTURE_PROBE)
        context.on("page", self.watch)

    def watch(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        # Chromium writes "Failed to load resource" for every 4xx and 5xx it receives: the
        # response itself is judged in _response (a page's own 404 is no fault of the page)
        if message.text.startswith("Failed to load resource: the server responded"):
            return
        self.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def _response(self, response: Any) -> None:
        status, request = response.status, response.request
        if status < 400 or self._is_expected(status, response.url):
            return
        # A document answering 4xx can be the page's answer (a refused sign-in); a stylesheet,
        # an icon or a script answering 4xx, or anything answering 5xx, is a broken page.
        if request.resource_type != "document" or status >= 500:
            self.problems.append(f"{request.method} {response.url} ({request.resource_type}) answered {status}")

    def _request_failed(self, request: Any) -> None:
        failure = request.failure or ""
        # Cancelled: by the next navigation (an icon still loading), or by Chromium refusing
        # what came back (a stylesheet answered with an HTML error page under nosniff), which
        # it reports as a console error of its own.
        if "ERR_ABORTED" in failure:
            return
        self.problems.append(f"{request.method} {request.url} failed: {failure}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def _structure(self, report: dict[str, Any]) -> None:
        self.checked.append(report["url"])
        if report["h1"] != 1:
            self.problems.append(f"{report['url']} has {report['h1']} <h1> elements, not one")
        for html in report["unlabelled"]:
            self.problems.append(f"{report['url']}: a field or button without an accessible name: {html}")


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("#")[0]
