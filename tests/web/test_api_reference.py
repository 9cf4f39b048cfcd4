"""The browsable API reference is served from packaged assets under the strict CSP."""

from __future__ import annotations

import re


def test_the_reference_page_loads_swagger_ui_from_this_application_only(client) -> None:
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/api/v1/docs/") for s in sources), sources  # no CDN
    assert "<script>" not in html  # nothing inline: the CSP allows only 'self'
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    for source in sources:
        assert client.get(source).status_code == 200, source
    start = client.get("/api/v1/docs/start.js").get_data(as_text=True)
    assert "/api/v1/openapi.json" in start


def test_only_the_bundle_files_the_page_needs_are_served(client) -> None:
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2F..%2F__init__.py").status_code == 404
