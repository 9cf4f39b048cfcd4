"""Retirements read from a registry export and matched to holdings, through the API.

The world (tests/factories.py): organisation A holds block_a, VCUs 941,382,742–941,412,554 of
Verra issuance 1310 of project 3005 (29,813 units), and has retired VCUs 950,000,001–950,000,100
of issuance 1311 for period_verified (retirement_a).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

HEADER = ("Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,"
          "Project Type,Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
          "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details")


def _vcu(start: int, end: int, issuance: int = 1310, block: int = 19380) -> str:
    return f"{block}-{start}-{end}-VCS-VCU-{issuance}-VER-CN-13-3005-01012022-31102022-0"


def _row(serial: str, quantity: int, retired: str = "2025-03-01", beneficiary: str = "Factory A",
         details: str = "Carbon neutrality of Factory A, 2024", project: str = "3005") -> str:
    return (f"2023-05-10,,2022-01-01,2022-10-31,{project},Tongxu Biogas Recovery,China,Waste handling and disposal,"
            f'ACM0010,"29,913","{quantity:,}",{serial},,{retired},{beneficiary},Voluntary,"{details}"')


def _file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _import(client: Any, world: World, data: bytes, who: str = "lead", **fields: Any) -> Any:
    form = {"period_id": str(world.period_verified), **fields}
    return client.post(f"/api/v1/organisations/{world.org_a}/retirement-imports", content_type="multipart/form-data",
                       headers=world.headers(who), data={**form, "file": (io.BytesIO(data), "verra-retirements.csv")})


def _balance(client: Any, world: World) -> dict[str, Any]:
    return client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/balance",
                      headers=world.headers("viewer")).get_json()


def test_a_retired_row_on_held_units_is_recorded_and_the_rest_of_the_block_stays_held(client, world) -> None:
    # row 2: the first 10 units of block_a (941,382,742–941,382,751), retired 1 March 2025;
    # row 3: units of an issuance nobody here holds (someone else's retirement, listed publicly);
    # row 4: an issued row, not a retirement
    data = _file(_row(_vcu(941382742, 941382751), 10),
                 _row(_vcu(1, 500, issuance=77), 500, beneficiary="Someone else"),
                 _row(_vcu(941382752, 941382800), 49, retired=""))
    response = _import(client, world, data)
    assert response.status_code == 201, response.get_json()
    outcome = response.get_json()
    assert (outcome["rows_read"], outcome["retired_rows"], outcome["recorded"]) == (3, 2, 1)
    assert [(r["row"], r["outcome"]) for r in outcome["rows"]] == [(2, "recorded")]
    assert (outcome["not_held"], outcome["not_held_rows"]) == (1, [3])
    [retirement_id] = outcome["rows"][0]["retirement_ids"]
    entry = client.get(f"/api/v1/organisations/{world.org_a}/retirements/{retirement_id}",
                       headers=world.headers("verifier")).get_json()
    assert (entry["serial_start"], entry["serial_end"], entry["quantity"], entry["retired_on"]) == (
        941382742, 941382751, 10, "2025-03-01")
    assert (entry["beneficiary_text"], entry["purpose"], entry["import_id"]) == (
        "Factory A", "Carbon neutrality of Factory A, 2024", outcome["import_id"])
    assert entry["evidence_filename"] == "verra-retirements.csv, row 2"
    evidence = client.get(f"/api/v1/organisations/{world.org_a}/retirements/{retirement_id}/evidence",
                          headers=world.headers("verifier"))
    assert json.loads(evidence.data)["serial"] == _vcu(941382742, 941382751)
    # 100 (retirement_a) + 10 credits now stand retired for the period
    assert Decimal(_balance(client, world)["credits_retired_tco2e"]) == 110
    # the other 29,803 units of block_a are still held
    held = client.get(f"/api/v1/organisations/{world.org_a}/holdings", query_string={"by": "scheme"},
                      headers=world.headers("viewer")).get_json()
    assert [(h["key"]["scheme"], h["quantity"]) for h in held] == [("VCU", 29_803)]


def test_the_same_export_twice_records_nothing_more(client, world, table_counts) -> None:
    data = _file(_row(_vcu(941382742, 941382751), 10))
    assert _import(client, world, data).status_code == 201
    before = table_counts()
    again = _import(client, world, data)
    assert again.status_code == 201, again.get_json()
    assert [(r["row"], r["outcome"]) for r in again.get_json()["rows"]] == [(2, "already_recorded")]
    assert table_counts() == before


def test_a_preview_says_what_would_be_recorded_and_writes_nothing(client, world, table_counts) -> None:
    before = table_counts()
    response = _import(client, world, _file(_row(_vcu(941382742, 941382751), 10)), dry_run="true")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["status"], response.get_json()["recorded"]) == ("preview", 1)
    assert table_counts() == before


def test_only_the_rows_asked_for_are_recorded(client, world) -> None:
    data = _file(_row(_vcu(941382742, 941382751), 10), _row(_vcu(941382752, 941382761), 10))
    outcome = _import(client, world, data, rows="3").get_json()
    assert [(r["row"], r["outcome"]) for r in outcome["rows"]] == [(3, "recorded")]
    assert Decimal(_balance(client, world)["credits_retired_tco2e"]) == 110


@pytest.mark.parametrize(
    ("rows", "row", "column", "says"),
    [
        # half in block_a (from its last unit 941,412,554 on), half not held at all
        ([_row(_vcu(941412545, 941412564), 20)], 2, "Serial Number", "only 10 of its 20 units"),
        # a retirement date in the future
        ([_row(_vcu(941382742, 941382751), 10, retired="2099-01-01")], 2, "Retirement/Cancellation Date", "in the future"),
        # units already in the ledger under another range: 50 of retirement_a's 100 and 50 more
        ([_row(_vcu(950000051, 950000150, issuance=1311), 100)], 2, "Serial Number", "already in the ledger"),
        # two rows of the file sharing units
        ([_row(_vcu(941382742, 941382751), 10), _row(_vcu(941382750, 941382760), 11)], 3, "Serial Number", "overlaps row 2"),
        # a serial that is not Verra's layout
        ([_row("VCS-123", 10)], 2, "Serial Number", "expected"),
        # a negative quantity, an absurd one, and an impossible date: refused by the reader
        ([_row(_vcu(941382742, 941382751), -10)], 2, "Quantity Issued", "is negative"),
        ([_row(_vcu(941382742, 941382751), 10**13)], 2, "Quantity Issued", "is too large"),
        ([_row(_vcu(941382742, 941382751), 10, retired="2025-02-30")], 2, "Retirement/Cancellation Date",
         "not a real calendar date"),
    ],
)
def test_a_row_that_cannot_be_matched_cleanly_rejects_the_file(
    client, world, table_counts, rows, row, column, says
) -> None:
    before = table_counts()
    response = _import(client, world, _file(*rows))
    assert response.status_code == 422, response.get_json()
    [error] = [e for e in response.get_json()["error"]["details"]["errors"] if e["row"] == row]
    assert error["column"] == column
    assert says in error["reason"]
    assert table_counts() == before


def test_rows_asked_for_that_are_not_retired_rows_are_refused(client, world, table_counts) -> None:
    before = table_counts()
    response = _import(client, world, _file(_row(_vcu(941382742, 941382751), 10)), rows="2, 9")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["errors"] == [
        {"row": 9, "column": None, "reason": "is not a retired row of the file"}]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("data", "fields", "status"),
    [
        (b"\xff\xfe\x00garbage", {}, 422),  # not a registry export at all
        (b"ID,Name\n1,x\n", {}, 422),  # wrong columns
        (None, {"period_id": "999999"}, 404),
        (None, {"rows": "one"}, 422),
        (None, {"kind": "gs_retirements"}, 422),  # stated as another registry's layout
    ],
)
def test_a_bad_retirement_import_is_refused_and_nothing_is_written(client, world, table_counts, data, fields,
                                                                   status) -> None:
    before = table_counts()
    response = _import(client, world, data or _file(_row(_vcu(941382742, 941382751), 10)), **fields)
    assert response.status_code == status, response.get_json()
    assert table_counts() == before


def test_an_earlier_holdings_import_of_the_same_export_is_matched_too(client, world) -> None:
    # The organisation's account export lists a block it retired at the registry: imported as
    # holdings, the block is "retired" but in no period; importing it as retirements assigns it.
    data = _file(_row(_vcu(960000001, 960000040, issuance=1312), 40))
    imported = client.post(f"/api/v1/organisations/{world.org_a}/registry-imports", content_type="multipart/form-data",
                           headers=world.headers("lead"), data={"file": (io.BytesIO(data), "account.csv")})
    assert imported.status_code == 201, imported.get_json()
    outcome = _import(client, world, data).get_json()
    assert [(r["row"], r["outcome"]) for r in outcome["rows"]] == [(2, "recorded")]
    assert outcome["import_id"] == imported.get_json()["import_id"]
    assert Decimal(_balance(client, world)["credits_retired_tco2e"]) == 140


def test_a_verifier_reconciles_the_ledger_with_the_export_it_was_read_from(client, uow, world) -> None:
    from neutrality.organisations import services as organisations
    from tests.factories import ADMIN

    legal_name = organisations.get_organisation(uow(), ADMIN, world.org_a).legal_name
    data = _file(_row(_vcu(941382742, 941382751), 10, beneficiary=legal_name))
    assert _import(client, world, data).status_code == 201
    response = client.post(f"/api/v1/organisations/{world.org_a}/retirement-reconciliations",
                           content_type="multipart/form-data", headers=world.headers("verifier"),
                           data={"period_id": str(world.period_verified), "file": (io.BytesIO(data), "export.csv")})
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    # the 10 imported units match the export exactly; retirement_a (recorded by hand, 100 VCUs of
    # issuance 1311) is not in this export: missing at the registry
    assert (report["summary"]["entries_checked"], report["summary"]["entries_matched"]) == (2, 1)
    assert [(m["kind"], m["retirement_id"], m["quantity"]) for m in report["mismatches"]] == [
        ("missing_at_registry", world.retirement_a, 100)]


def test_a_row_spanning_two_held_blocks_is_recorded_from_both(client, uow, world) -> None:
    from neutrality.registry import held_blocks
    from tests.factories import ADMIN

    # block_a split after its first 10 units: 941,382,742–941,382,751 and 941,382,752–941,412,554.
    # A registry row retiring 941,382,747–941,382,756 (10 units) takes the last 5 of the first
    # block and the first 5 of the second: two ledger entries of 5, 10 credits in all.
    first, second = held_blocks.split_block(uow(), ADMIN, world.org_a, world.block_a, 10)
    outcome = _import(client, world, _file(_row(_vcu(941382747, 941382756), 10))).get_json()
    [row] = outcome["rows"]
    assert (row["outcome"], row["blocks"], len(row["retirement_ids"])) == ("recorded", [first.id, second.id], 2)
    quantities = [client.get(f"/api/v1/organisations/{world.org_a}/retirements/{r}",
                             headers=world.headers("viewer")).get_json()["quantity"] for r in row["retirement_ids"]]
    assert quantities == [5, 5]
    assert Decimal(_balance(client, world)["credits_retired_tco2e"]) == 110


def test_reversing_a_registry_retirement_leaves_its_units_retired_not_held(client, world) -> None:
    # The account export shows 40 VCUs retired at the registry; imported as holdings they are a
    # block "retired" in no period, then assigned to the period. Reversing that assignment must
    # not offer them again: the registry retired them. Units that were held go back to held.
    data = _file(_row(_vcu(960000001, 960000040, issuance=1312), 40))
    client.post(f"/api/v1/organisations/{world.org_a}/registry-imports", content_type="multipart/form-data",
                headers=world.headers("lead"), data={"file": (io.BytesIO(data), "account.csv")})
    [row] = _import(client, world, data).get_json()["rows"]
    [entry_id] = row["retirement_ids"]
    entry = client.get(f"/api/v1/organisations/{world.org_a}/retirements/{entry_id}",
                       headers=world.headers("viewer")).get_json()
    assert entry["block_status_before"] == "retired"
    reversal = client.post(f"/api/v1/organisations/{world.org_a}/retirements/{entry_id}/reversal",
                           json={"reason": "belongs to the 2025 period"}, headers=world.headers("lead"))
    assert reversal.status_code == 201, reversal.get_json()
    block = client.get(f"/api/v1/organisations/{world.org_a}/blocks/{entry['block_id']}",
                       headers=world.headers("viewer")).get_json()
    assert block["status"] == "retired"
    plan = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/retirement-plan",
                      headers=world.headers("viewer")).get_json()
    assert all(line["block_id"] != entry["block_id"] for line in plan["lines"])
    # and the same export can assign them again, to a period of the user's choice
    again = _import(client, world, data).get_json()
    assert [r["outcome"] for r in again["rows"]] == ["recorded"]


def test_reversing_a_retirement_read_from_an_export_unassigns_but_does_not_free_the_units(client, world) -> None:
    # 10 held units of block_a, shown retired by the export: after a reversal they are retired
    # for no period (the registry says they are retired), never held again
    [row] = _import(client, world, _file(_row(_vcu(941382742, 941382751), 10))).get_json()["rows"]
    [entry_id] = row["retirement_ids"]
    assert client.post(f"/api/v1/organisations/{world.org_a}/retirements/{entry_id}/reversal",
                       json={"reason": "wrong period"}, headers=world.headers("lead")).status_code == 201
    block = client.get(f"/api/v1/organisations/{world.org_a}/blocks/{world.block_a}",
                       headers=world.headers("viewer")).get_json()
    assert (block["status"], block["quantity"]) == ("retired", 10)
    assert Decimal(_balance(client, world)["credits_retired_tco2e"]) == 100  # retirement_a alone


def test_a_holdings_import_after_a_retirement_import_of_the_same_file_is_not_skipped(client, world,
                                                                                     table_counts) -> None:
    # Row 2 retires 10 held units of block_a; row 3 is 500 issued units of an issuance not yet
    # held. Matched as retirements first, the file is then imported as holdings: it must not be
    # answered "already imported" (row 3 would be lost unseen). Row 2's units are already held
    # (and now retired), so the all-or-nothing import is refused naming that row.
    data = _file(_row(_vcu(941382742, 941382751), 10), _row(_vcu(970000001, 970000500, issuance=1399), 500, retired=""))
    assert _import(client, world, data).get_json()["recorded"] == 1
    before = table_counts()
    response = client.post(f"/api/v1/organisations/{world.org_a}/registry-imports", content_type="multipart/form-data",
                           headers=world.headers("lead"), data={"file": (io.BytesIO(data), "account.csv")})
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["error"]["details"]["errors"]
    assert (error["row"], error["column"]) == (2, "Serial Number") and "already held" in error["reason"]
    assert table_counts() == before


def test_a_file_with_an_error_in_every_row_reports_the_first_thousand_and_the_count(client, world,
                                                                                    table_counts) -> None:
    # 1,001 rows whose serial is not Verra's: 1,001 errors, the first 1,000 carried in the answer
    before = table_counts()
    response = _import(client, world, _file(*[_row("VCS-123", 10)] * 1_001))
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert (details["error_count"], len(details["errors"]), details["truncated"]) == (1_001, 1_000, True)
    assert details["errors"][0]["row"] == 2 and details["errors"][-1]["row"] == 1_001
    assert table_counts() == before


def test_a_verifier_uploading_something_other_than_an_export_gets_a_clear_refusal(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"/api/v1/organisations/{world.org_a}/retirement-reconciliations",
                           content_type="multipart/form-data", headers=world.headers("verifier"),
                           data={"file": (io.BytesIO(b"Serial,Qty\n1-2,2\n"), "notes.csv")})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert error["details"]["errors"][0]["reason"].startswith("the header matches no known registry file layout")
    assert table_counts() == before
