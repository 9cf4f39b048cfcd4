"""Reading a declaration's public record over HTTP for ``neutrality statement verify``: the JSON
address derived from the page's, and every way the address can fail to be a record."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from neutrality.statements.checking import (
    Outcome,
    RecordUnreadable,
    compare,
    fetch_record,
    record_url,
)

RECORD = {"declarations": [{"kind": "iso_14068_1_report", "versions": [
    {"version": 1, "status": "published", "snapshot_sha256": "s" * 64,
     "documents": [{"locale": "en", "sha256": "a" * 64}]}]}]}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    answers = {"/declarations/1/2.json": (200, json.dumps(RECORD).encode()),
               "/declarations/1/3.json": (200, b"<html>not json</html>"),
               "/declarations/1/4.json": (200, b'{"something": "else"}')}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            status, body = answers.get(self.path, (404, b"{}"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/declarations/1/2", "https://example.org/declarations/1/2.json"),
    ("https://example.org/declarations/1/2/", "https://example.org/declarations/1/2.json"),
    ("https://example.org/declarations/1/2?lang=zh_Hans#balance", "https://example.org/declarations/1/2.json"),
    ("http://example.org/declarations/1/2.json", "http://example.org/declarations/1/2.json"),
])
def test_the_record_is_the_pages_json(url: str, expected: str) -> None:
    assert record_url(url) == expected


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "/declarations/1/2", "example.org/x"])
def test_only_http_addresses_are_read(url: str) -> None:
    with pytest.raises(RecordUnreadable, match="is not the http"):
        record_url(url)


def test_a_record_is_read_and_compared(server: str) -> None:
    record = fetch_record(server + "/declarations/1/2")
    assert record == RECORD
    assert compare("A" * 64, record).outcome is Outcome.IN_FORCE
    assert compare("b" * 64, record).outcome is Outcome.NOT_FOUND


@pytest.mark.parametrize(("path", "message"), [
    ("/declarations/1/9", "answered 404"),
    ("/declarations/1/3", "did not answer JSON"),
    ("/declarations/1/4", "did not answer a declaration's record"),
])
def test_an_address_that_is_not_a_record_is_said_so(server: str, path: str, message: str) -> None:
    with pytest.raises(RecordUnreadable, match=message):
        fetch_record(server + path)


def test_an_address_that_does_not_answer_is_said_so() -> None:
    with pytest.raises(RecordUnreadable, match="could not be read"):
        fetch_record("http://127.0.0.1:9/declarations/1/2")  # the discard port: nothing listens
