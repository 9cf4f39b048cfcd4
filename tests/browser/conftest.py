"""Browser tests: Debian's Chromium, driven by Playwright, on the application served for real.

The demo (``neutrality demo load``) is loaded once per session into a SQLite file; each test
module serves its own copy of that file, so a journey that writes (a rename, a language kept on
the account) changes nothing another module sees. The tests run on SQLite only: what they check
is what the browser does with the pages, not the database, so they take no ``database_url`` and
are not repeated per backend.

Every page a test opens is watched (:class:`Watch`): a console error (a Content-Security-Policy
violation is one), an uncaught script error, a subresource answered 4xx or 5xx (a missing
stylesheet), any document answered 5xx, a dialog, a page without exactly one ``<h1>`` or a form
field without an accessible name fails the test at its teardown, after a full-page screenshot
has been written to ``artifacts/screenshots/<test>[-<parameters>]-<lang>.png``.

Chromium missing: the tests are skipped, unless ``CI`` is set, where they fail.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error, sync_playwright
from watching import Watch
from werkzeug.serving import WSGIRequestHandler, make_server

from neutrality import migrate
from neutrality.access.model import Actor
from neutrality.app import create_app
from neutrality.demo import load_demo
from neutrality.uow import UnitOfWork

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

#: How long one Playwright action or expectation may wait, in milliseconds: the pages answer in
#: tens of milliseconds; 10 s leaves room for a loaded 2-core machine without hiding a hang.
TIMEOUT_MS = 10_000

HERE = Path(__file__).resolve().parent

LOCALES = ("en", "zh_Hans", "zh_Hant")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium through a live server "
                            "(tests/browser, SQLite only); -m 'not browser' leaves them out")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # this hook sees the whole session's items: mark only this folder's
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


# --- the server ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and loaded with the demo, as ``neutrality demo load`` loads it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app = create_app({"database_url": url, "testing": True, "secret_key": "browser-tests-" * 3,
                      "instance_path": str(path.parent / "instance")})
    database = app.extensions["neutrality.db"]
    # the command's actor: a site administrator without a user (neutrality.access.cli.cli_actor);
    # Yancheng 2024's declaration published, as the command publishes it
    with app.app_context():
        load_demo(lambda: UnitOfWork(database.session_factory),
                  Actor(user_id=None, label="cli:browser-tests", is_admin=True), declare_at="http://127.0.0.1:5000")
    database.dispose()
    return path


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug logs every request to stderr; the tests report what went wrong themselves."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def _buffered(app: Any) -> Any:
    """The application with each response read whole and its iterable closed before anything is
    written: werkzeug's server closes the iterable only after draining the socket, and skips the
    close when the browser has already hung up (a favicon cancelled as a page closes), which leaves
    a static file open for the garbage collector to warn about in some later test."""

    def buffered(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return buffered


@dataclass(frozen=True)
class LiveServer:
    url: str


@pytest.fixture(scope="module")
def live_server(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The application on a free port of 127.0.0.1, over a copy of the demo database of its own."""
    folder = tmp_path_factory.mktemp("server")
    copy = folder / "demo.db"
    # SQLite's backup API: a consistent copy whatever the journal mode (WAL keeps pages aside)
    source, target = sqlite3.connect(demo_database), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    app = create_app({"database_url": f"sqlite:///{copy}", "testing": True,
                      "secret_key": "browser-tests-" * 3, "instance_path": str(folder / "instance")})
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["neutrality.db"].dispose()


# --- the browser ---------------------------------------------------------------------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (bin/setup installs chromium)")
    pytest.skip(f"{reason}: install Debian's chromium (bin/setup does) to run the browser tests")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        try:
            # Debian's Chromium, never a downloaded one; no sandbox, as in a container
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} does not start ({str(error).splitlines()[0]})")
        yield launched
        launched.close()


# --- pages, watched (watching.py) ----------------------------------------------------------------


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def new_page(browser: Any, live_server: LiveServer, watch: Watch,
             request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Open a page in a browser context of its own (its own cookies: another browser, as far as
    the server can tell), watched. ``locale`` is the language the browser asks for
    (Accept-Language)."""
    contexts: list[Any] = []

    def open_page(locale: str = "en-GB") -> Any:
        context = browser.new_context(base_url=live_server.url, locale=locale,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        watch.attach(context)
        contexts.append(context)
        return context.new_page()

    yield open_page

    if contexts and contexts[-1].pages:
        last = contexts[-1].pages[-1]
        last.evaluate("0")  # every report the page sent has arrived
        screenshot(last, request.node)
    if watch.problems and _call_failed(request.node):
        request.node.add_report_section("teardown", "pages", "\n".join(dict.fromkeys(watch.problems)))
    for context in contexts:
        context.close()
    if watch.problems and not _call_failed(request.node):
        pytest.fail("the pages went wrong:\n  " + "\n  ".join(dict.fromkeys(watch.problems)), pytrace=False)


def _call_failed(item: pytest.Item) -> bool:
    """The test itself failed (or failed as expected, under xfail): it reports its own failure;
    the pages' problems go with it as a section of the report instead of a second error."""
    report = getattr(item, "browser_call_report", None)
    return report is not None and not report.passed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call":
        item.browser_call_report = report
    return report


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def screenshot(page: Any, node: pytest.Item, step: str = "") -> Path:
    """A full-page screenshot: artifacts/screenshots/<test>[-<step>]-<lang>.png, ``lang`` being the
    page's own <html lang>."""
    lang = page.locator("html").get_attribute("lang") or "none"
    # the test's other parameters tell its screenshots apart (the viewer's two writes, the four
    # roles); the locale is the lang suffix already
    callspec = getattr(node, "callspec", None)
    params = "" if callspec is None or callspec.id in LOCALES else callspec.id
    name = "-".join(filter(None, (getattr(node, "originalname", node.name), params, step, lang)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_')}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Take a screenshot of a step of the journey: ``shoot(page, "dashboard")``."""
    return lambda page, step: screenshot(page, request.node, step)
