"""The pages link to their tables as spreadsheets (the exports of the API), in the page's language.

The world (tests/factories.py): organisation A's verified 2024 inventory and its period
(period_verified), its held Verra block and the ledger's one retirement. A viewer may export:
the links are there for them too and answer the file.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(client: Any, uow: Any, world: World) -> None:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=Role.VIEWER)
    sign_in(client, user.email)


def _links(html: str) -> list[str]:
    """The hrefs of the page's export paragraph, as the browser reads them."""
    [paragraph] = re.findall(r'<p class="exports[^"]*">(.*?)</p>', html, flags=re.S)
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', paragraph)]


def _pages(world: World) -> dict[str, tuple[str, str]]:
    """Each page, and the path of the export it links to (without the extension)."""
    org = f"/organisations/{world.org_a}"
    api = f"/api/v1{org}"
    return {
        "inventory": (f"{org}/inventories/{world.inventory_verified}",
                      f"{api}/inventories/{world.inventory_verified}/report"),
        "holdings": (f"{org}/holdings", f"{api}/holdings"),
        "ledger": (f"{org}/periods/{world.period_verified}/ledger", f"{api}/retirements"),
        "period": (f"{org}/periods/{world.period_verified}", f"{api}/periods/{world.period_verified}/balance"),
    }


@pytest.mark.parametrize("page", ["inventory", "holdings", "ledger", "period"])
@pytest.mark.parametrize(("accept", "lang", "quantity"), [
    ("en", "en", None), ("zh-CN", "zh_Hans", "数量"), ("zh-TW", "zh_Hant", "數量")])
def test_each_page_links_its_spreadsheets_in_the_pages_language(client, uow, world, page, accept, lang,
                                                                 quantity) -> None:
    _viewer(client, uow, world)
    path, export = _pages(world)[page]
    html = client.get(path, headers={"Accept-Language": accept})
    assert html.status_code == 200
    links = _links(html.text)
    assert [link.split("?")[0] for link in links] == [f"{export}.xlsx", f"{export}.csv"]
    for link in links:
        assert f"lang={lang}" in link.split("?")[1].split("&")
        # the link answers the file whatever language the browser asks for: ?lang= decides
        answer = client.get(link, headers={"Accept-Language": "en"})
        assert answer.status_code == 200, answer.get_data()[:300]
        assert answer.mimetype == (XLSX if link.split("?")[0].endswith(".xlsx") else "text/csv")
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        if link.split("?")[0].endswith(".csv"):
            header = answer.data.decode("utf-8-sig").splitlines()[0]
            # Headers are English followed by the page's Chinese ("Quantity 数量"); the report has
            # no quantity column but every export names its rows in the language
            if quantity is None:
                assert not re.search(r"[\u4e00-\u9fff]", header), header
            else:
                assert re.search(r"[\u4e00-\u9fff]", header), header


def test_the_holdings_link_keeps_the_grouping_and_statuses_on_the_page(client, uow, world) -> None:
    _viewer(client, uow, world)
    html = client.get(f"/organisations/{world.org_a}/holdings",
                      query_string=[("by", "scheme"), ("by", "project"), ("status", "held")],
                      headers={"Accept-Language": "en"}).text
    csv_link = _links(html)[1]
    assert parse_qs(urlsplit(csv_link).query) == {"by": ["scheme,project"], "status": ["held"], "lang": ["en"]}
    rows = client.get(csv_link).data.decode("utf-8-sig").splitlines()
    # one held block of 29,813 VCUs (941,412,554 − 941,382,742 + 1), grouped by scheme and project
    assert rows[0].startswith("Scheme,Project")
    assert len(rows) == 2 and "29813" in rows[1]
