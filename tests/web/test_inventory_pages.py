"""The guided import of an activity file in the browser: upload → preview (every row error, or
each row's tCO2e) → confirm; the report of the inventory; undo an import.

The world (tests/factories.py): inventory_draft is commitment B's 2025 inventory, a draft with
one electricity record at site_a; a lead may import into it, a viewer may not.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.web.inventory_pages import PENDING_KEY
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

DIESEL = "cnguide2015:gas_diesel_oil:combustion"
HEADER = "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key"


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _page(world: World) -> str:
    return f"/organisations/{world.org_a}/inventories/{world.inventory_draft}"


def _upload(client: Any, world: World, rows: list[str], name: str = "diesel.csv") -> Any:
    token = csrf(client.get(f"{_page(world)}/import").text)
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    return client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "overlap": "refuse", "csrf_token": token})


def _confirm(client: Any, world: World) -> Any:
    token = csrf(client.get(_page(world)).text)
    return client.post(f"{_page(world)}/import/confirm", data={"csrf_token": token})


def _pending(app: Flask) -> list[Path]:
    return sorted((Path(app.instance_path) / "pending-imports").glob("*.upload"))


def test_a_file_with_errors_is_refused_row_by_row_and_nothing_is_stored(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,200,L,2025-01-01,2025-01-31,{DIESEL}",
                                     f"{world.site_a},Diesel,1,stationary_combustion,fuel,-3,L,2025-02-01,2025-02-28,{DIESEL}"])
    assert answer.status_code == 422
    # row 3 of the file (the header is row 1) has a negative quantity
    assert '<td class="num">3</td><td>quantity</td><td>&#39;-3&#39; is negative</td>' in answer.text
    assert table_counts() == before


def test_a_preview_shows_each_rows_tco2e_and_the_confirmation_stores_exactly_that_file(
        app, client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before, waiting_before = table_counts(), set(_pending(app))
    answer = _upload(client, world, [f"{world.site_a},Diesel generator,1,stationary_combustion,fuel,1000,L,2025-01-01,2025-01-31,{DIESEL}"])
    assert answer.status_code == 200, answer.text[-2000:]
    assert "Preview of diesel.csv" in answer.text and "Diesel generator" in answer.text
    # one row: its tCO2e is what the file adds in all (exact values in the titles)
    exact = re.findall(r'class="figure" title="([0-9.]+)"', answer.text)
    total, row = exact[0], exact[-1]
    assert Decimal(total) == Decimal(row) > 0
    assert table_counts() == before  # a preview stores nothing
    [waiting] = set(_pending(app)) - waiting_before
    stored = _confirm(client, world)
    assert (stored.status_code, stored.headers["Location"]) == (302, f"{_page(world)}#imports")
    assert table_counts()["activity_records"] == before["activity_records"] + 1
    assert not waiting.exists()
    page = client.get(_page(world)).text
    assert "diesel.csv" in page and "Undo this import" in page
    # confirming again imports nothing more: the waiting file is gone with its confirmation
    _confirm(client, world)
    assert table_counts()["activity_records"] == before["activity_records"] + 1


def test_an_import_is_undone_from_the_inventory_page(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"])
    _confirm(client, world)
    imports = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports").get_json()
    newest = max(imports["items"], key=lambda i: i["id"])["id"]
    token = csrf(client.get(_page(world)).text)
    undone = client.post(f"{_page(world)}/imports/{newest}/undo", data={"csrf_token": token})
    assert undone.status_code == 302
    assert table_counts()["activity_records"] == before["activity_records"]


def test_a_viewer_may_read_the_inventory_but_not_import(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(_page(world)).status_code == 200
    before = table_counts()
    answer = _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"])
    assert answer.status_code == 403
    assert table_counts() == before


def test_the_import_page_in_chinese_labels_every_field(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(f"{_page(world)}/import", headers={"Accept-Language": "zh-CN"}).text
    assert '<label for="file">' in page and '<label for="overlap">' in page


def test_a_confirmation_without_a_preview_stores_nothing(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _confirm(client, world)
    assert answer.headers["Location"] == f"{_page(world)}/import"
    assert table_counts() == before


def test_a_preview_of_one_inventory_cannot_be_confirmed_into_another(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    _upload(client, world, [f"{world.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"])
    with client.session_transaction() as session:
        assert session[PENDING_KEY]["inventory_id"] == world.inventory_draft
    before = table_counts()
    other = f"/organisations/{world.org_a}/inventories/{world.inventory_verified}/import/confirm"
    token = csrf(client.get(_page(world)).text)
    assert client.post(other, data={"csrf_token": token}).status_code == 302
    assert table_counts() == before


def test_an_upload_without_a_file_is_refused_next_to_its_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    token = csrf(client.get(f"{_page(world)}/import").text)
    answer = client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                         data={"csrf_token": token, "overlap": "refuse"})
    assert answer.status_code == 422
    assert '<span class="field-error">Choose the file to import.</span>' in answer.text
    assert table_counts() == before
