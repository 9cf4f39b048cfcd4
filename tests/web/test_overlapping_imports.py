"""The same activity twice: a second file covering what an earlier one holds (same source, site,
activity type, factor and data quality for days in common, or the same evidence reference) is refused
with both files' rows named, unless it says it supersedes the earlier rows (replaced in one
transaction) or adds to them on purpose.

The world's draft inventory is of 2025 and holds one record, sent as JSON: 2025's electricity
of site_a (metered). The files below are the months January to March of one invoice series.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world

HEADER = "site,source,scope,activity_type,quantity,unit,start_date,end_date,data_quality,evidence"
MONTHS = (("01-01", "01-31"), ("02-01", "02-28"), ("03-01", "03-31"))


def _kwh(world: World) -> bytes:
    # 120,000 kWh a month, the invoices numbered INV-1 to INV-3
    lines = [f"{world.site_a},Grid,2,electricity,120000,kWh,2025-{a},2025-{b},invoiced,INV-{n}"
             for n, (a, b) in enumerate(MONTHS, start=1)]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _mwh(world: World) -> bytes:
    # the same three invoices in MWh, as another export of the same ledger would give them
    lines = [f"{world.site_a},Electricity,2,electricity,120,MWh,2025-{a},2025-{b},invoiced,INV-{n}"
             for n, (a, b) in enumerate(MONTHS, start=1)]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _send(client: Any, world: World, data: bytes, name: str, **form: str) -> Any:
    return client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
                       headers=world.headers("lead"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), **form})


def _invoiced_mwh(client: Any, world: World) -> Decimal:
    items = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/activities"
                       "?per_page=200", headers=world.headers("lead")).get_json()["items"]
    per_mwh = {"kWh": Decimal("0.001"), "MWh": Decimal(1)}
    return sum((Decimal(i["quantity"]) * per_mwh[i["unit"]] for i in items if i["data_quality"] == "invoiced"),
               Decimal(0))


def test_the_same_months_in_another_file_are_refused_naming_both_files_rows(client, world, table_counts) -> None:
    assert _send(client, world, _kwh(world), "電費-kWh.csv").status_code == 201
    before = table_counts()
    refused = _send(client, world, _mwh(world), "電費-MWh.csv")
    assert refused.status_code == 422
    errors = refused.get_json()["error"]["details"]["errors"]
    # each of rows 2–4 covers the same row of the first file (its months and its invoice)
    assert [e["row"] for e in errors] == [2, 3, 4]
    for error, row in zip(errors, (2, 3, 4), strict=True):
        assert f"covers what '電費-kWh.csv' row {row} already holds" in error["reason"]
    assert table_counts() == before
    assert _invoiced_mwh(client, world) == Decimal(360)  # 3 × 120,000 kWh, counted once


def test_a_file_that_supersedes_replaces_the_earlier_rows_in_one_transaction(client, world, table_counts) -> None:
    first = _send(client, world, _kwh(world), "電費-kWh.csv").get_json()
    before = table_counts()
    second = _send(client, world, _mwh(world), "電費-MWh.csv", overlap="supersede")
    assert second.status_code == 201, second.get_json()
    after = table_counts()
    assert after["activity_records"] == before["activity_records"]  # three out, three in
    assert after["activity_imports"] == before["activity_imports"] + 1
    assert _invoiced_mwh(client, world) == Decimal(360)  # 3 × 120 MWh, not 720
    base = f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}"
    assert client.get(base, headers=world.headers("lead")).get_json()["activity_count"] == 4  # + the world's
    listed = client.get(f"{base}/activities?per_page=200", headers=world.headers("lead")).get_json()["items"]
    assert not [i for i in listed if i["import_id"] == first["import_id"]]


def test_a_file_that_adds_on_purpose_is_stored_beside_the_earlier_one(client, world) -> None:
    _send(client, world, _kwh(world), "电表一.csv")
    added = _send(client, world, _mwh(world), "电表二.csv", overlap="add")
    assert added.status_code == 201, added.get_json()
    assert _invoiced_mwh(client, world) == Decimal(720)  # both, as the user says they are meant


def test_an_unknown_overlap_choice_is_refused_and_nothing_is_written(client, world, table_counts) -> None:
    before = table_counts()
    response = _send(client, world, _kwh(world), "电费.csv", overlap="merge")
    assert response.status_code == 422
    assert "overlap" in response.get_json()["error"]["details"]
    assert table_counts() == before


def test_two_sources_of_one_site_in_the_same_months_are_two_activities(client, world) -> None:
    # Boiler 1 and Boiler 2 burn diesel in the same months: not an overlap (no evidence shared)
    diesel = "cnguide2015:gas_diesel_oil:combustion"
    header = "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key"

    def boiler(n: int) -> bytes:
        return (f"{header}\n{world.site_a},Boiler {n},1,stationary_combustion,fuel,100,L,2025-01-01,2025-01-31,"
                f"{diesel}\n").encode()

    assert _send(client, world, boiler(1), "boiler-1.csv").status_code == 201
    second = _send(client, world, boiler(2), "boiler-2.csv")
    assert second.status_code == 201, second.get_json()
