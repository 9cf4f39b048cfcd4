"""A Guangdong factory's own ledger through the API: a title above the header, 简体 headers and no
mapping, electricity in 万千瓦时, a 合计 row, the site written in 繁體; and a near miss of a site
name answered with the site meant.

The world's draft inventory is of 2025, for site_a, renamed here 佛山狮山工厂 (a site in CN-JS;
the ledger's grid electricity is priced at that site's grid).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world

SITE = "佛山狮山工厂"
LEDGER = (
    "佛山狮山工厂 2025 年能源消耗台账,,,,,,\n"
    "站点,排放源,范围,活动类型,数量,单位,开始日期,结束日期\n"
    "佛山獅山工廠,一号车间用电,2,electricity,12.5,万千瓦时,2025-01-01,2025-01-31\n"
    "佛山獅山工廠,一号车间用电,2,electricity,11,万千瓦时,2025-02-01,2025-02-28\n"
    "合计,,,,23.5,,,\n"
)


def _rename_site(client: Any, world: World) -> None:
    renamed = client.patch(f"/api/v1/organisations/{world.org_a}/sites/{world.site_a}",
                           headers=world.headers("lead"), json={"name": SITE})
    assert renamed.status_code == 200, renamed.get_json()


def _send(client: Any, world: World, data: bytes, **form: str) -> Any:
    return client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
                       headers=world.headers("lead"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "台账.csv"), **form})


def test_a_chinese_ledger_with_a_title_and_a_totals_row_imports_without_a_mapping(client, world) -> None:
    _rename_site(client, world)
    preview = _send(client, world, LEDGER.encode("utf-8"), dry_run="true").get_json()["preview"]
    assert preview["errors"] == []
    # row 1 is the title, row 5 the totals: both passed over and listed
    assert [s["row"] for s in preview["skipped"]] == [1, 5]

    imported = _send(client, world, LEDGER.encode("utf-8"))
    assert imported.status_code == 201, imported.get_json()
    assert imported.get_json()["row_count"] == 2
    listed = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/activities",
                        headers=world.headers("lead")).get_json()["items"]
    mine = [a for a in listed if a["source"] == "一号车间用电"]
    # both rows on the site written in 简体, their quantities as written, in 万千瓦时
    assert {a["site_id"] for a in mine} == {world.site_a}
    assert sorted(Decimal(a["quantity"]) for a in mine) == [Decimal("11"), Decimal("12.5")]


def test_a_ledger_in_gbk_stated_as_gb2312_is_read(client, world) -> None:
    _rename_site(client, world)
    response = _send(client, world, LEDGER.encode("gbk"), encoding="gb2312", dry_run="true")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["preview"]["errors"] == []
    assert response.get_json()["preview"]["row_count"] == 2


def test_a_near_miss_of_a_site_name_names_the_site_meant_and_nothing_is_written(
    client, world, table_counts
) -> None:
    _rename_site(client, world)
    before = table_counts()
    typo = LEDGER.replace("佛山獅山工廠", "佛山狮山工场")  # 场 for 厂
    response = _send(client, world, typo.encode("utf-8"))
    assert response.status_code == 422
    errors = response.get_json()["error"]["details"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "site"), (4, "site")]
    assert errors[0]["reason"] == f"'佛山狮山工场' is not a site of this claim's subject; did you mean '{SITE}'?"
    assert table_counts() == before


def test_the_report_names_its_sites(client, world) -> None:
    _rename_site(client, world)
    report = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/report",
                        headers=world.headers("viewer")).get_json()
    # the draft's one record is at site_a: the figures by site are keyed by its id, named here
    assert {"id": world.site_a, "name": SITE} in report["sites"]
    assert [(s["site_id"], s["site_name"]) for s in report["scope2_market_by_site"]] == [(world.site_a, SITE)]
    assert str(world.site_a) in report["location_based"]["by_site"]
