"""Procurement's registry import in the browser: preview, then confirm.

A GEC account statement of 500 certificates of March 2024 from the GEC template (the platform
has no public export layout): the preview says 500 MWh of GEC would be held and stores nothing;
the confirmation stores one block.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

HEADER = "start_serial,end_serial,quantity,project_name,project_code,region,technology,production_month,tradable,subsidy,account,status"
FIRST, LAST = ("11320922230500012" + "202403" + f"{n:07d}" + "11" for n in (1, 500))
GEC = f"{HEADER}\n{FIRST},{LAST},500,PV,11320922230500012,江苏省,光伏,2024-03,是,否,A,issued\n".encode()


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _upload(client: Any, world: World, data: bytes) -> Any:
    url = f"/organisations/{world.org_a}/registry-import"
    token = csrf(client.get(url).text)
    return client.post(url, content_type="multipart/form-data",
                       data={"csrf_token": token, "account": "绿证账户", "file": (io.BytesIO(data), "gec.csv")})


def test_procurement_previews_a_gec_statement_then_imports_it(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    preview = _upload(client, world, GEC)
    assert preview.status_code == 200, preview.text[-1500:]
    assert "<th scope=\"row\">GEC</th>" in preview.text and '<span class="figure" title="500">500</span>' in preview.text
    assert table_counts() == before
    token = csrf(preview.text)
    done = client.post(f"/organisations/{world.org_a}/registry-import/confirm", data={"csrf_token": token})
    assert done.status_code == 302
    assert table_counts()["serial_blocks"] == before["serial_blocks"] + 1
    # technology 光伏 is stored as its code
    projects = client.get(f"/api/v1/organisations/{world.org_a}/projects").get_json()["items"]
    assert [p["technology"] for p in projects if p["registry_project_id"] == "11320922230500012"] == ["solar_pv"]


def test_a_statement_with_an_error_is_refused_with_the_row_named(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    bad = GEC.replace(b",500,PV", b",499,PV")  # the quantity does not match the serial range
    answer = _upload(client, world, bad)
    assert answer.status_code == 422
    assert ('<td class="num">2</td><td>quantity</td><td>the quantity 499 does not match the serial range '
            '1–500 (500 units)</td>') in answer.text
    assert table_counts() == before


def test_a_viewer_may_not_import(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    before = table_counts()
    assert _upload(client, world, GEC).status_code == 403
    assert table_counts() == before
