"""A mapping given once with a factory's own ledger is saved for the organisation and the
ledger's layout, and reads next month's file without being sent again.

The ledger (盐城工厂's electricity, one row a month) has headers nobody knows without a mapping:
「用电量（千瓦时）」, 「计量起始」, 「计量截止」 (厂区 is a known header of the site, 备注 is ignored on
purpose). The world's draft inventory is of 2025, for site_a, renamed here 盐城工厂; it already
holds one record (source "Grid electricity"), and organisation A has one other saved mapping
(world.column_mapping, the same headers without 备注).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from neutrality.commitments import services as commitments
from neutrality.inventory import services as inventories
from neutrality.organisations import services as organisations
from neutrality.spreadsheets import UNKNOWN_COLUMN
from tests.factories import ADMIN, World, commitment_payload, site_payload

pytestmark = pytest.mark.shared_world

SITE = "盐城工厂"
JANUARY = (
    "盐城工厂 2025 年 1 月用电台账,,,,\n"
    "厂区,用电量（千瓦时）,计量起始,计量截止,备注\n"
    "盐城工厂,125000,2025-01-01,2025-01-31,一号变压器\n"
)
MAPPING = {
    "columns": {"用电量（千瓦时）": "quantity", "计量起始": "start_date", "计量截止": "end_date", "备注": None},
    "fixed": {"source": "车间用电", "scope": "2", "activity_type": "electricity", "unit": "kWh"},
}
HEADER = ["厂区", "用电量（千瓦时）", "计量起始", "计量截止", "备注"]


def _workbook(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: February, as the factory saves it from Excel: another title (two rows above the header, one
#: blank), half-width brackets, a blank inside a header and other data: the same layout.
FEBRUARY_XLSX = _workbook(
    ["盐城工厂 2025 年 2 月用电台账（修订版）"],
    [],
    ["厂区", "用电量(千瓦时)", "计量 起始", "计量截止", "备注"],
    [SITE, 98000, "2025-02-01", "2025-02-28", ""],
)
FEBRUARY_CSV = (
    "盐城工厂 2025 年 2 月用电台账,,,,\n"
    "厂区,用电量(千瓦时),计量起始,计量截止,备注\n"
    "盐城工厂,98,2025-02-01,2025-02-28,\n"
)


@pytest.fixture(autouse=True)
def _site_named_as_the_ledger_writes_it(client: Any, world: World) -> None:
    renamed = client.patch(f"/api/v1/organisations/{world.org_a}/sites/{world.site_a}",
                           headers=world.headers("lead"), json={"name": SITE})
    assert renamed.status_code == 200, renamed.get_json()


def _send(client: Any, world: World, data: bytes | str, filename: str = "台账.csv", *,
          mapping: dict[str, Any] | None = None, inventory: int | None = None, org: int | None = None,
          who: str = "lead", **form: str) -> Any:
    body = data.encode("utf-8") if isinstance(data, str) else data
    fields = {"file": (io.BytesIO(body), filename), **form}
    if mapping is not None:
        fields["mapping"] = json.dumps(mapping, ensure_ascii=False)
    return client.post(
        f"/api/v1/organisations/{org or world.org_a}/inventories/{inventory or world.inventory_draft}/imports",
        headers=world.headers(who), content_type="multipart/form-data", data=fields)


def _saved(client: Any, world: World, org: int | None = None, who: str = "viewer") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/organisations/{org or world.org_a}/column-mappings", headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return [m for m in response.get_json()["items"] if m["id"] != world.column_mapping]


def _ledger_records(client: Any, world: World) -> list[tuple[str, Decimal, str]]:
    items = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/activities",
                       headers=world.headers("viewer")).get_json()["items"]
    return sorted((a["start_date"], Decimal(a["quantity"]), a["unit"]) for a in items if a["source"] == "车间用电")


def _errors(response: Any) -> list[tuple[int | None, str | None, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in response.get_json()["error"]["details"]["errors"]]


def _audit(client: Any, world: World) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/organisations/{world.org_a}/audit", headers=world.headers("lead")).get_json()["items"]


def _save_january(client: Any, world: World) -> dict[str, Any]:
    first = _send(client, world, JANUARY, mapping=MAPPING)
    assert first.status_code == 201, first.get_json()
    return first.get_json()["mapping"]


def test_a_mapping_given_once_reads_next_months_workbook_of_the_same_layout(client, world) -> None:
    used = _save_january(client, world)
    assert used["source"] == "given" and used["id"] is not None and used["saved_at"] is not None
    [saved] = _saved(client, world)
    assert saved["id"] == used["id"]
    assert saved["header"] == HEADER  # as the January file wrote it
    assert saved["columns"] == MAPPING["columns"] and saved["fixed"] == MAPPING["fixed"]
    entry = _audit(client, world)[0]
    assert entry["action"] == "column_mapping.save" and entry["after"]["header"] == HEADER

    second = _send(client, world, FEBRUARY_XLSX, "台账-2月.xlsx")  # no mapping sent
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["mapping"] == {"source": "saved", "id": used["id"], "saved_at": used["saved_at"]}
    assert second.get_json()["row_count"] == 1
    # January from the CSV, February from the workbook, both by the one mapping, in kWh
    assert _ledger_records(client, world) == [
        ("2025-01-01", Decimal("125000"), "kWh"), ("2025-02-01", Decimal("98000"), "kWh")]
    assert len(_saved(client, world)) == 1  # used, not saved again


def test_a_workbook_saved_with_a_mapping_reads_next_months_csv(client, world) -> None:
    workbook = _workbook(["盐城工厂 2025 年 1 月"], HEADER, [SITE, 125000, "2025-01-01", "2025-01-31", ""])
    first = _send(client, world, workbook, "台账.xlsx", mapping=MAPPING)
    assert first.status_code == 201, first.get_json()
    second = _send(client, world, FEBRUARY_CSV.replace(",98,", ",98000,"))
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["mapping"]["source"] == "saved"
    assert second.get_json()["mapping"]["id"] == first.get_json()["mapping"]["id"]
    assert _ledger_records(client, world) == [
        ("2025-01-01", Decimal("125000"), "kWh"), ("2025-02-01", Decimal("98000"), "kWh")]


def test_another_layout_is_not_read_with_the_saved_mapping(client, world, table_counts) -> None:
    _save_january(client, world)
    before = table_counts()
    # one column more (功率因数): another layout, refused as a file of unknown headers always is
    other = ("厂区,用电量（千瓦时）,计量起始,计量截止,备注,功率因数\n"
             "盐城工厂,98000,2025-02-01,2025-02-28,,0.92\n")
    response = _send(client, world, other)
    assert response.status_code == 422
    unknown = {column for row, column, reason in _errors(response) if reason == UNKNOWN_COLUMN}
    assert unknown == {"用电量（千瓦时）", "计量起始", "计量截止", "备注", "功率因数"}
    assert table_counts() == before
    preview = _send(client, world, other, dry_run="true").get_json()
    assert preview["mapping"] == {"source": "none", "id": None, "saved_at": None}


def test_save_mapping_false_uses_the_mapping_once(client, world, table_counts) -> None:
    before = table_counts()
    response = _send(client, world, JANUARY, mapping=MAPPING, save_mapping="false")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["mapping"] == {"source": "given", "id": None, "saved_at": None}
    assert table_counts()["column_mappings"] == before["column_mappings"]
    assert _saved(client, world) == []
    # so February needs it again
    assert _send(client, world, FEBRUARY_XLSX, "台账-2月.xlsx").status_code == 422


def test_another_organisation_neither_sees_nor_uses_the_mapping(client, world, uow) -> None:
    used = _save_january(client, world)
    site = organisations.create_site(uow(), ADMIN, world.org_b, site_payload(name=SITE))
    subject = organisations.create_subject(uow(), ADMIN, world.org_b,
                                           {"name": "盐城", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, world.org_b, commitment_payload(subject.id))
    period = commitments.generate(uow(), ADMIN, world.org_b, commitment.id, count=2)[1]
    assert (period.start_date, period.end_date) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    inventory = inventories.create_inventory(uow(), ADMIN, world.org_b, period_id=period.id)

    assert _saved(client, world, org=world.org_b, who="outsider") == []
    preview = _send(client, world, FEBRUARY_XLSX, "台账-2月.xlsx", org=world.org_b, inventory=inventory.id,
                    who="outsider", dry_run="true").get_json()
    assert preview["mapping"]["source"] == "none"
    assert preview["preview"]["row_count"] == 0 and preview["preview"]["errors"]
    # nor forgets it: another tenant's mapping is not found
    gone = client.delete(f"/api/v1/organisations/{world.org_b}/column-mappings/{used['id']}",
                         headers=world.headers("outsider"))
    assert gone.status_code == 404
    assert [m["id"] for m in _saved(client, world)] == [used["id"]]


def test_a_dry_run_uses_a_saved_mapping_and_saves_none(client, world, table_counts) -> None:
    before = table_counts()
    preview = _send(client, world, JANUARY, mapping=MAPPING, dry_run="true")
    assert preview.status_code == 201, preview.get_json()
    assert preview.get_json()["mapping"] == {"source": "given", "id": None, "saved_at": None}
    assert preview.get_json()["preview"]["errors"] == []
    assert table_counts() == before

    used = _save_january(client, world)
    [saved] = _saved(client, world)
    after_saving = table_counts()
    preview = _send(client, world, FEBRUARY_XLSX, "台账-2月.xlsx", dry_run="true").get_json()
    assert preview["mapping"] == {"source": "saved", "id": used["id"], "saved_at": used["saved_at"]}
    assert preview["preview"]["errors"] == [] and preview["preview"]["row_count"] == 1
    # 98,000 kWh previewed: the saved mapping's fixed unit
    assert [(r["quantity"], r["unit"]) for r in preview["preview"]["sample"]] == [("98000", "kWh")]
    assert table_counts() == after_saving
    assert _saved(client, world) == [saved]  # not even marked as used


def test_a_refused_import_saves_no_mapping(client, world, table_counts) -> None:
    before = table_counts()
    outside = JANUARY.replace("2025-01-01,2025-01-31", "2026-01-01,2026-01-31")  # after the period
    response = _send(client, world, outside, mapping=MAPPING)
    assert response.status_code == 422
    assert {column for _, column, _ in _errors(response)} == {"计量起始", "计量截止"}
    assert table_counts() == before
    assert _saved(client, world) == []


def test_a_given_mapping_wins_over_the_saved_one_and_replaces_it(client, world) -> None:
    used = _save_january(client, world)
    # February's meter reads MWh: the mapping sent says so, and is read instead of the saved one
    in_mwh = {**MAPPING, "fixed": {**MAPPING["fixed"], "unit": "MWh"}}
    response = _send(client, world, FEBRUARY_CSV, mapping=in_mwh)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["mapping"]["source"] == "given"
    assert response.get_json()["mapping"]["id"] == used["id"]  # saved over the layout's mapping
    assert _ledger_records(client, world) == [
        ("2025-01-01", Decimal("125000"), "kWh"), ("2025-02-01", Decimal("98"), "MWh")]
    [saved] = _saved(client, world)
    assert saved["fixed"]["unit"] == "MWh"
    entry = _audit(client, world)[0]
    assert entry["action"] == "column_mapping.save"
    assert (entry["before"]["fixed"]["unit"], entry["after"]["fixed"]["unit"]) == ("kWh", "MWh")


def test_a_forgotten_mapping_is_gone_and_audited(client, world, table_counts) -> None:
    used = _save_january(client, world)
    path = f"/api/v1/organisations/{world.org_a}/column-mappings/{used['id']}"
    assert client.delete(path, headers=world.headers("lead")).status_code == 204
    assert _saved(client, world) == []
    entry = _audit(client, world)[0]
    assert (entry["action"], entry["entity_id"]) == ("column_mapping.delete", str(used["id"]))
    assert entry["before"]["header"] == HEADER and entry["after"] is None
    before = table_counts()
    assert _send(client, world, FEBRUARY_XLSX, "台账-2月.xlsx").status_code == 422
    assert client.delete(path, headers=world.headers("lead")).status_code == 404
    assert table_counts() == before


def test_a_mapping_to_no_field_is_refused_at_upload_and_nothing_saved(client, world, table_counts) -> None:
    before = table_counts()
    wrong = {**MAPPING, "columns": {**MAPPING["columns"], "用电量（千瓦时）": "kwh"}}
    response = _send(client, world, JANUARY, mapping=wrong)
    assert response.status_code == 422
    assert "'用电量（千瓦时）' maps to 'kwh', which is not a field" in json.dumps(response.get_json(), ensure_ascii=False)
    assert table_counts() == before
    assert _saved(client, world) == []


def _two_sheets(quantity: int, month: int) -> bytes:
    """A workbook whose ledger is on its second sheet, 用电, behind a cover sheet."""
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append([f"盐城工厂 2025 年 {month} 月能源报表"])
    sheet = book.create_sheet("用电")
    sheet.append(HEADER)
    sheet.append([SITE, quantity, f"2025-{month:02}-01", f"2025-{month:02}-28", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_mapping_that_names_a_sheet_reads_that_sheet_of_next_months_workbook(client, world) -> None:
    first = _send(client, world, _two_sheets(125000, 1), "报表-1月.xlsx", mapping={**MAPPING, "sheet": "用电"})
    assert first.status_code == 201, first.get_json()
    second = _send(client, world, _two_sheets(98000, 2), "报表-2月.xlsx")  # no mapping: the cover comes first
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["mapping"]["id"] == first.get_json()["mapping"]["id"]
    assert _ledger_records(client, world) == [
        ("2025-01-01", Decimal("125000"), "kWh"), ("2025-02-01", Decimal("98000"), "kWh")]
    # the same header in a CSV file is another layout: the mapping was given for the sheet
    assert _send(client, world, FEBRUARY_CSV.replace("2025-02", "2025-03")).status_code == 422
