"""The instrument registry through the API: blocks, splits, purchases, holdings and needs.

The world (tests/factories.py) gives organisation A one held Verra block of the registry sample:
19380-941382742-941412554-…-3005-01012022-31102022-0, 941,412,554 − 941,382,742 + 1 = 29,813
VCUs, bought at USD 6.50 each.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import HELD_VCU, OTHER_VCU, World

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _add(client: Any, world: World, **overrides: Any) -> Any:
    body = {"scheme": "VCU", "serial": OTHER_VCU, "quantity": 15_000, "project_id": world.project_b, **overrides}
    return client.post(f"{_base(world)}/blocks", json=body, headers=world.headers("procurement"))


def test_a_block_is_recorded_with_its_decoded_serial(client, world) -> None:
    response = _add(client, world, account="Trading")
    assert response.status_code == 201, response.get_json()
    block = response.get_json()
    # 941,916,093 − 941,901,094 + 1 = 15,000; vintage 1 Jan – 31 Dec 2022 from the serial
    assert (block["serial_start"], block["serial_end"], block["quantity"]) == (941901094, 941916093, 15000)
    assert (block["vintage_start"], block["vintage_end"]) == ("2022-01-01", "2022-12-31")
    assert block["status"] == "held" and block["account"] == "Trading"
    assert block["details"]["issuance"] == "997"


@pytest.mark.parametrize(
    ("overrides", "status", "field", "words"),
    [
        ({"quantity": 14_999}, 422, "quantity", "15,000"),  # not the serial range
        ({"unit": "MWh"}, 422, "unit", "tCO2e"),  # MWh on a credit scheme
        ({"scheme": "IREC", "serial": "CN-0042-000001 to CN-0042-000010", "quantity": 10, "unit": "tCO2e"},
         422, "unit", "MWh"),  # tCO2e on an energy attribute certificate
        ({"scheme": "XYZ"}, 422, "scheme", "unknown scheme"),
        ({"serial": "19394-941916093-941901094-VCS-VCU-997-VER-CN-13-3866-01012022-31122022-1"}, 422, "serial",
         "before start"),  # end before start
        ({"serial": "not-a-serial"}, 422, "serial", "expected"),
        ({"serial": HELD_VCU, "quantity": 29_813}, 422, "project_id", "3005"),  # the serial is of another project
    ],
)
def test_a_bad_block_is_refused_with_its_field_and_nothing_is_written(
    client, world, table_counts, overrides, status, field, words
) -> None:
    before = table_counts()
    response = _add(client, world, **overrides)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert field in error["details"], error
    assert words in error["message"] + str(error["details"])
    assert table_counts() == before


def test_a_vintage_in_the_future_is_refused(client, world, table_counts) -> None:
    before = table_counts()
    future = "19394-941901094-941916093-VCS-VCU-997-VER-CN-13-3866-01012099-31122099-1"
    response = _add(client, world, serial=future)
    assert response.status_code == 422 and "future" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_serials_already_held_are_refused_naming_the_block(client, world, table_counts) -> None:
    # the world holds …941382742–941412554 of issuance 1310; a block of 1,000 inside it overlaps
    before = table_counts()
    inside = "19999-941400000-941400999-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"
    response = _add(client, world, serial=inside, quantity=1_000, project_id=world.project_a)
    assert response.status_code == 409, response.get_json()
    assert f"block {world.block_a}" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_the_same_serials_in_another_issuance_do_not_overlap(client, world) -> None:
    # same numbers, issuance 1311: another numbering, so not the same units
    other_issuance = "19999-941400000-941400999-VCS-VCU-1311-VER-CN-13-3005-01012022-31102022-0"
    response = _add(client, world, serial=other_issuance, quantity=1_000, project_id=world.project_a)
    assert response.status_code == 201, response.get_json()


def test_splitting_keeps_every_unit_in_two_adjacent_blocks(client, world) -> None:
    response = client.post(f"{_base(world)}/blocks/{world.block_a}/split", json={"quantity": 10_000},
                           headers=world.headers("procurement"))
    assert response.status_code == 201, response.get_json()
    part, rest = response.get_json()["part"], response.get_json()["remainder"]
    # 941,382,742 + 10,000 − 1 = 941,392,741; the rest 941,392,742 … 941,412,554 = 19,813 units
    assert (part["serial_start"], part["serial_end"], part["quantity"]) == (941382742, 941392741, 10000)
    assert (rest["serial_start"], rest["serial_end"], rest["quantity"]) == (941392742, 941412554, 19813)
    assert rest["split_from_id"] == world.block_a and rest["purchase_id"] == part["purchase_id"]
    # and the split-off units are still guarded against a second entry
    again = _add(client, world, serial="19999-941400000-941400999-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
                 quantity=1_000, project_id=world.project_a)
    assert again.status_code == 409


def test_a_split_beyond_the_block_is_refused(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/blocks/{world.block_a}/split", json={"quantity": 29_814},
                           headers=world.headers("procurement"))
    assert response.status_code == 422, response.get_json()
    assert table_counts() == before


def test_retiring_is_not_a_status_change(client, world) -> None:
    response = client.post(f"{_base(world)}/blocks/{world.block_a}/status", json={"status": "retired", "reason": "x"},
                           headers=world.headers("procurement"))
    assert response.status_code == 422


def test_a_block_transferred_out_frees_its_serials_for_a_later_entry(client, world) -> None:
    # sold and bought back later: the old row stays, transferred out; the new one is held
    client.post(f"{_base(world)}/blocks/{world.block_a}/status", json={"status": "transferred_out",
                                                                       "reason": "sold to a customer"},
                headers=world.headers("procurement"))
    response = _add(client, world, serial=HELD_VCU, quantity=29_813, project_id=world.project_a)
    assert response.status_code == 201, response.get_json()


def test_a_purchase_keeps_its_invoice_and_its_hash(client, world) -> None:
    invoice = b"%PDF-1.4 invoice 42"
    response = client.post(f"{_base(world)}/purchases", headers=world.headers("procurement"), data={
        "scheme": "VCU", "supplier": "Broker", "contract_reference": "X-1", "contract_date": "2026-06-01",
        "quantity": "20000", "unit_price": "7.25", "currency": "usd", "delivery_account": "Main",
        "invoice": (io.BytesIO(invoice), "invoice.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    purchase = response.get_json()
    assert purchase["invoice_sha256"] == hashlib.sha256(invoice).hexdigest()
    assert purchase["currency"] == "USD" and purchase["unit_price"] == "7.25"
    download = client.get(f"{_base(world)}/purchases/{purchase['id']}/invoice", headers=world.headers("verifier"))
    assert download.data == invoice


def test_a_purchase_cannot_deliver_more_than_it_bought(client, world, table_counts) -> None:
    added = _add(client, world).get_json()  # 15,000 units
    before = table_counts()
    response = client.post(f"{_base(world)}/purchases", headers=world.headers("procurement"), data={
        "scheme": "VCU", "supplier": "Broker", "contract_reference": "X-2", "contract_date": "2026-06-01",
        "quantity": "10000", "unit_price": "7", "currency": "USD", "delivery_account": "Main",
        "block_ids": str(added["id"]), "invoice": (io.BytesIO(b"inv"), "i.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert "15,000" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_holdings_by_scheme_and_vintage_carry_the_cost(client, world) -> None:
    _add(client, world)  # 15,000 VCUs of 2022 with no purchase
    lines = client.get(f"{_base(world)}/holdings?by=scheme,vintage", headers=world.headers("viewer")).get_json()
    # 29,813 + 15,000 = 44,813 VCUs of vintage 2022; cost 29,813 × 6.50 = 193,784.50 USD, 15,000 unpriced
    [line] = lines
    assert Decimal(line.pop("cost")["USD"]) == Decimal("193784.50")
    assert line == {"key": {"scheme": "VCU", "vintage": 2022}, "unit": "tCO2e", "quantity": 44_813, "blocks": 2,
                    "units_without_price": 15_000,
                    "display": {"quantity": "44,813", "blocks": "2", "cost": {"USD": "193,784.50"},
                                "units_without_price": "15,000"}}


def test_holdings_refuse_an_unknown_grouping(client, world) -> None:
    response = client.get(f"{_base(world)}/holdings?by=colour", headers=world.headers("viewer"))
    assert response.status_code == 422 and "colour" in response.get_json()["error"]["message"]


def test_needs_of_a_period_come_from_its_inventory(client, world) -> None:
    # Commitment B's 2024 period: the verified inventory holds 1,200 MWh of grid electricity at a
    # Chinese site and nothing else. EACs: 1,200 MWh needed in market CN, none held or retired.
    # Credits: once the electricity is covered the market-based total is 0 t, so no credit is
    # needed; the 29,813 VCUs (vintage 2022, before the period's end) are held. The world's 100
    # retired VCUs name "Suhui Trading Co." as beneficiary, none of the organisation's names: the
    # claim does not count them (SANITY-02), so the needs list them apart and retire nothing.
    needs = client.get(f"{_base(world)}/periods/{world.period_verified}/needs", headers=world.headers("viewer"))
    assert needs.status_code == 200, needs.get_json()
    body = needs.get_json()
    assert body["inventory_status"] == "verified"
    assert body["markets"] == [{"market": "CN", "electricity_mwh": "1200", "eac_retired_mwh": "0",
                                "eac_needed_mwh": "1200", "eac_held_mwh": "0", "eac_to_buy_mwh": "1200",
                                "display": {"electricity_mwh": "1,200.000", "eac_retired_mwh": "0.000",
                                            "eac_needed_mwh": "1,200.000", "eac_held_mwh": "0.000",
                                            "eac_to_buy_mwh": "1,200.000"}}]
    assert Decimal(body["credits"]["gross_location_tco2e"]) == Decimal("660")  # 1,200 × 0.55
    assert Decimal(body["credits"]["residual_tco2e"]) == 0
    assert body["credits"]["held_tco2e"] == "29813"
    assert body["credits"]["retired_tco2e"] == "0" and Decimal(body["credits"]["needed_tco2e"]) == 0
    [excluded] = body["not_counted"]
    assert (excluded["retirement_id"], excluded["quantity"], excluded["unit"], excluded["rules"]) == (
        world.retirement_a, 100, "tCO2e", ["SANITY-02"])
    # ISO 14068-1: 12 months after the period's end (31 Dec 2024)
    assert body["retirement_deadline"] == "2025-12-31"


def test_needs_count_a_retirement_once_the_claim_does(client, world) -> None:
    # The 100 VCUs retired for "Suhui Trading Co." are refused by SANITY-02 until the organisation
    # registers that name as one of its own (an alias); then the claim counts them, and so do the
    # needs: credits retired 0 → 100, nothing listed apart.
    url = f"{_base(world)}/periods/{world.period_verified}/needs"
    before = client.get(url, headers=world.headers("viewer")).get_json()
    assert before["credits"]["retired_tco2e"] == "0" and len(before["not_counted"]) == 1
    named = client.patch(f"{_base(world)}", json={"aliases": ["Suhui Trading Co."]}, headers=world.headers("lead"))
    assert named.status_code == 200, named.get_json()
    after = client.get(url, headers=world.headers("viewer")).get_json()
    assert after["credits"]["retired_tco2e"] == "100" and after["not_counted"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"crediting_period_start": "2024-01-01", "crediting_period_end": "2023-12-31"}, "crediting_period_end"),
        ({"country": "China"}, "country"),  # ISO 3166 alpha-2 wanted
        ({"gec_project_code": "123"}, "gec_project_code"),  # 17 digits
        ({"capacity_mw": "-5"}, "capacity_mw"),
        ({"kind": "bond"}, "kind"),
        ({"mitigation": "magic"}, "mitigation"),
        ({"commissioning_date": "2020-01-01", "repowering_date": "2019-01-01"}, "repowering_date"),
    ],
)
def test_a_bad_project_is_refused_and_nothing_is_written(client, world, table_counts, body, field) -> None:
    before = table_counts()
    good = {"kind": "eac", "source_registry": "gec", "registry_project_id": "P-77", "name": "PV plant"}
    response = client.post(f"{_base(world)}/projects", json={**good, **body}, headers=world.headers("procurement"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]
    assert table_counts() == before


def test_a_project_recorded_twice_is_a_conflict(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/projects", headers=world.headers("procurement"), json={
        "kind": "carbon_credit", "source_registry": "verra", "registry_project_id": "3005", "name": "Again"})
    assert response.status_code == 409 and f"id {world.project_a}" in response.get_json()["error"]["message"]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"unit_price": "-1"}, 422, "unit_price"),
        ({"currency": "US"}, 422, "currency"),
        ({"quantity": "0"}, 422, "quantity"),
        ({"contract_date": "2026-02-30"}, 422, "contract_date"),
        ({"scheme": "XYZ"}, 422, "scheme"),
        ({"scheme": "GEC", "block_ids": "{block}"}, 422, "block_ids"),  # a VCU block for a GEC purchase
        ({"block_ids": "{block}"}, 409, None),  # the block came with the world's purchase already
        ({"block_ids": "1,x"}, 422, "block_ids.1"),  # the second id of the list
    ],
)
def test_a_bad_purchase_is_refused_and_nothing_is_written(client, world, table_counts, fields, status, field) -> None:
    before = table_counts()
    form = {"scheme": "VCU", "supplier": "Broker", "contract_reference": "X-9", "contract_date": "2026-06-01",
            "quantity": "40000", "unit_price": "7", "currency": "USD", "delivery_account": "Main",
            **{k: v.replace("{block}", str(world.block_a)) for k, v in fields.items()},
            "invoice": (io.BytesIO(b"%PDF invoice"), "invoice.pdf")}
    response = client.post(f"{_base(world)}/purchases", data=form, content_type="multipart/form-data",
                           headers=world.headers("procurement"))
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["details"]
    assert table_counts() == before


def test_a_purchase_without_an_invoice_is_refused(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/purchases", content_type="multipart/form-data",
                           headers=world.headers("procurement"), data={
                               "scheme": "VCU", "supplier": "B", "contract_reference": "X", "quantity": "1",
                               "contract_date": "2026-06-01", "unit_price": "1", "currency": "USD",
                               "delivery_account": "Main", "invoice": (io.BytesIO(b""), "empty.pdf")})
    assert response.status_code == 422 and "invoice" in response.get_json()["error"]["details"]
    assert table_counts() == before


def test_a_block_transferred_out_cannot_come_back_by_a_status_change(client, world, table_counts) -> None:
    status = f"{_base(world)}/blocks/{world.block_a}/status"
    client.post(status, json={"status": "transferred_out", "reason": "sold"}, headers=world.headers("procurement"))
    before = table_counts()
    response = client.post(status, json={"status": "held", "reason": "oops"}, headers=world.headers("procurement"))
    assert response.status_code == 409 and "transferred_out" in response.get_json()["error"]["message"]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "carbon_offsets_pdf"}, "kind"),
        ({"mapping": "{not json"}, "mapping"),
        ({"mapping": '["a"]'}, "mapping"),
        ({"encoding": "latin-1"}, "encoding"),
    ],
)
def test_registry_import_options_are_checked(client, world, table_counts, form, field) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/registry-imports", content_type="multipart/form-data",
                           headers=world.headers("procurement"),
                           data={**form, "file": (io.BytesIO(b"Serial Number\n1\n"), "x.csv")})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]
    assert table_counts() == before


def test_the_gec_template_reads_back_once_filled_in(client, world) -> None:
    from neutrality.registry.exports import read_registry_file

    template = client.get("/api/v1/registry-templates/gec_account.csv", headers=world.headers("viewer"))
    assert template.status_code == 200 and template.data.startswith("\ufeff".encode())
    first = "11320922230500012" + "202403" + "0000001" + "11"
    last = "11320922230500012" + "202403" + "0000500" + "11"
    filled = template.data + f"{first},{last},500,PV,11320922230500012,江苏省,光伏,2024-03,是,否,A,issued\n".encode()
    parsed = read_registry_file(filled, "gec.csv", max_bytes=100_000)
    assert parsed.ok, parsed.errors
    assert [(r.scheme, r.quantity) for r in parsed.instruments] == [("GEC", 500)]


def test_an_unknown_template_is_not_found(client, world) -> None:
    assert client.get("/api/v1/registry-templates/verra_transactions.csv", headers=world.headers("viewer")).status_code == 404


def test_blocks_and_the_ledger_are_paged_in_the_database(client, world) -> None:
    # the world holds two blocks (block_a, and the 100 VCUs retired for period_verified) and
    # one ledger entry (retirement_a); page 2 of size 1 is the second block, by id
    base = f"/api/v1/organisations/{world.org_a}"
    blocks = client.get(f"{base}/blocks", query_string={"page": 2, "per_page": 1},
                        headers=world.headers("viewer")).get_json()
    assert (blocks["total"], len(blocks["items"])) == (2, 1)
    assert blocks["items"][0]["id"] != world.block_a and blocks["items"][0]["status"] == "retired"
    retired_only = client.get(f"{base}/blocks", query_string={"status": "retired"},
                              headers=world.headers("viewer")).get_json()
    assert retired_only["total"] == 1
    ledger = client.get(f"{base}/retirements", query_string={"page": 2, "per_page": 1},
                        headers=world.headers("viewer")).get_json()
    assert (ledger["total"], ledger["items"]) == (1, [])


# --- holdings are the organisation's own ------------------------------------------

_VERRA_HEADER = ("Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,"
                 "Project Type,Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
                 "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details")


def _public_listing() -> bytes:
    """Five blocks of project 3866 retired for five different companies, and one block of
    project 3867 still issued: a registry's public listing, not one organisation's account."""
    rows = [
        f"2023-05-01,,2022-01-01,2022-12-31,3866,Biogas,China,Waste,ACM0010,500,10,"
        f"1-98000{n}001-98000{n}010-VCS-VCU-2000-VER-CN-13-3866-01012022-31122022-0,,2024-01-0{n},Company {n},,"
        for n in range(1, 6)
    ]
    rows.append("2023-05-01,,2022-01-01,2022-12-31,3867,Wind,China,Energy,ACM0002,500,20,"
                "1-981000001-981000020-VCS-VCU-2001-VER-CN-1-3867-01012022-31122022-0,,,,,")
    return "\n".join([_VERRA_HEADER, *rows, ""]).encode()


def test_a_public_listing_is_refused_as_holdings_unless_the_projects_are_named(client, world, table_counts) -> None:
    url = f"{_base(world)}/registry-imports"
    before = table_counts()
    refused = client.post(url, content_type="multipart/form-data", headers=world.headers("procurement"),
                          data={"file": (io.BytesIO(_public_listing()), "public.csv")})
    assert refused.status_code == 422, refused.get_json()
    [error] = refused.get_json()["error"]["details"]["errors"]
    assert error["reason"] == (
        "this file is a registry's public listing, not the organisation's account: its rows name 5 different "
        "retirement beneficiaries ('Company 1', 'Company 2', 'Company 3', …). Holdings are the organisation's "
        "own units: import the export of its registry account, or name its project ids (project_ids) to read "
        "only the rows of those projects")
    assert table_counts() == before
    # named, only the organisation's project is read: its one block of 20 VCUs (981,000,020 − 981,000,001 + 1)
    imported = client.post(url, content_type="multipart/form-data", headers=world.headers("procurement"),
                           data={"file": (io.BytesIO(_public_listing()), "public.csv"), "project_ids": "3867"})
    assert imported.status_code == 201, imported.get_json()
    answer = imported.get_json()
    assert (answer["blocks"], answer["quantity_by_scheme"]) == (1, {"VCU": 20})


def test_project_ids_longer_than_the_form_allows_are_refused(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/registry-imports", content_type="multipart/form-data",
                           headers=world.headers("procurement"),
                           data={"file": (io.BytesIO(_public_listing()), "public.csv"), "project_ids": "1," * 2001})
    assert response.status_code == 422, response.get_json()
    assert "project_ids" in response.get_json()["error"]["details"]
    assert table_counts() == before
