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


# --- a ledger of its own layout: its columns mapped on the page ---------------------------------

#: A German plant's diesel ledger: five columns nobody named as we do, two that we know.
OWN_HEADER = "Werk,Quelle,Menge,Von,Bis,scope1_subtype,factor_key"


def _own_ledger(client: Any, world: World, quantity: str, month: str, name: str) -> Any:
    token = csrf(client.get(f"{_page(world)}/import").text)
    data = (f"{OWN_HEADER}\n{world.site_a},Notstromaggregat,{quantity},2025-{month}-01,2025-{month}-28,"
            f"stationary_combustion,{DIESEL}\n").encode()
    return client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "overlap": "refuse", "csrf_token": token})


def _map(client: Any, world: World, **choices: str) -> Any:
    token = csrf(client.get(_page(world)).text)
    return client.post(f"{_page(world)}/import/mapping", data={"csrf_token": token, **choices})


MAPPED = {"column-0": "site", "column-1": "source", "column-2": "quantity", "column-3": "start_date",
          "column-4": "end_date", "fixed-scope": "1", "fixed-activity_type": "fuel", "fixed-unit": "L"}


def test_a_ledger_of_its_own_layout_is_mapped_on_the_page_and_the_mapping_kept_for_the_next(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    refused = _own_ledger(client, world, "1000", "04", "werk-april.csv")
    assert refused.status_code == 422
    # the columns are asked for, each with its header as the label of its choice; the known
    # ones already chosen, the unknown ones not
    assert '<details class="panel" id="mapping" open>' in refused.text
    assert '<label for="column-0">Werk</label>' in refused.text
    assert re.search(r'id="column-5".*?<option value="scope1_subtype" selected>', refused.text, re.S)
    assert re.search(r'id="column-0"[^>]*>\s*<option value="" selected>', refused.text)
    assert table_counts() == before

    preview = _map(client, world, **MAPPED)
    assert preview.status_code == 200, preview.text[-1500:]
    assert "Preview of werk-april.csv" in preview.text and "Notstromaggregat" in preview.text
    assert table_counts() == before  # still a preview
    assert _confirm(client, world).status_code == 302
    after = table_counts()
    assert after["activity_records"] == before["activity_records"] + 1
    assert after["column_mappings"] == before["column_mappings"] + 1

    # May's file of the same layout is read with the mapping saved in April: a preview at once
    may = _own_ledger(client, world, "800", "05", "werk-mai.csv")
    assert may.status_code == 200 and "Preview of werk-mai.csv" in may.text
    assert "Read with the column mapping saved for this layout." in may.text


def test_a_field_chosen_for_two_columns_is_refused_with_both_named_and_nothing_stored(
        client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    _own_ledger(client, world, "1000", "06", "werk-juni.csv")
    answer = _map(client, world, **{**MAPPED, "column-1": "quantity"})
    assert answer.status_code == 422
    assert "&#39;Quelle&#39; and &#39;Menge&#39; both map to &#39;quantity&#39;" in answer.text or \
        "&#39;Menge&#39; and &#39;Quelle&#39; both map to &#39;quantity&#39;" in answer.text
    # the choices made are shown again, to be corrected rather than made again
    assert re.search(r'id="column-1".*?<option value="quantity" selected>', answer.text, re.S)
    assert table_counts() == before
    # and the refused file cannot be confirmed as it is
    assert _confirm(client, world).status_code == 302
    assert table_counts() == before


def test_the_mapping_step_is_in_chinese_for_a_chinese_reader(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    token = csrf(client.get(f"{_page(world)}/import").text)
    data = f"{OWN_HEADER}\n{world.site_a},X,1,2025-07-01,2025-07-28,stationary_combustion,{DIESEL}\n".encode()
    page = client.post(f"{_page(world)}/import", content_type="multipart/form-data",
                       headers={"Accept-Language": "zh-CN"},
                       data={"file": (io.BytesIO(data), "w.csv"), "overlap": "refuse", "csrf_token": token}).text
    assert "忽略此列" in page and "每一行相同的值" in page
