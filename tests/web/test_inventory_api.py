"""The inventory through the API: records in, exact figures out, verification freezes them.

Hand calculation for the inventory built in the first test (period 2024, a Jiangsu factory on
the East China grid, AR6):
- natural gas 10,000 m³ with the Chinese default (389.31 GJ per 10⁴ m³, 55,539 kg CO2/TJ):
  1 × 389.31 GJ = 0.38931 TJ × 55,539 kg = 21,621.88809 kg = 21.62188809 t CO2 (Scope 1)
- electricity 1,200 MWh: location-based, East China grid, latest published year 2023 = 0.5500
  t/MWh → 660 t; market-based, no EACs, national residual mix 2023 = 0.6096 → 731.52 t
- R-410A top-up 10 kg: GWP AR6 = 0.5 × 771 + 0.5 × 3,740 = 2,255.5 → 0.01 t × 2,255.5 = 22.555 t
- resin 1,500 t × the supplier's 2.4 t CO2/t = 3,600 t (Scope 3 category 1)
Location-based total 21.62188809 + 22.555 + 660 + 3,600 = 4,304.17688809 t;
market-based total 21.62188809 + 22.555 + 731.52 + 3,600 = 4,375.69688809 t.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _records(world: World) -> list[dict[str, Any]]:
    common = {"site_id": world.site_a, "start_date": "2024-01-01", "end_date": "2024-12-31"}
    return [
        {**common, "source": "Boiler natural gas", "scope": 1, "scope1_subtype": "stationary_combustion",
         "activity_type": "fuel", "quantity": "10000", "unit": "m3",
         "factor_key": "cnguide2015:natural_gas:combustion", "data_quality": "metered"},
        {**common, "source": "Grid electricity", "scope": 2, "activity_type": "electricity",
         "quantity": "1200", "unit": "MWh", "data_quality": "metered", "uncertainty_percent": "2"},
        {**common, "source": "Chiller R-410A top-up", "scope": 1, "scope1_subtype": "fugitive",
         "activity_type": "refrigerant", "quantity": "10", "unit": "kg", "gas": "R-410A"},
        {**common, "source": "PC resin", "scope": 3, "scope3_category": 1, "activity_type": "material",
         "quantity": "1500", "unit": "t", "factor_key": "org:resin", "method": "supplier_specific"},
    ]


def _add_resin_factor(client: Any, world: World) -> None:
    response = client.post(f"{_base(world)}/factors", headers=world.headers("lead"), data={
        "key": "resin", "name": "PC resin (supplier declaration)", "kind": "supplier_specific",
        "per_unit": "t", "mass_unit": "t", "gases": json.dumps({"CO2": "2.4"}),
        "source": "Supplier EPD 2024", "publisher": "Resin Co.", "year": "2024", "geography": "CN",
        "evidence": (io.BytesIO(b"%PDF supplier declaration"), "epd.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def _add_freight_factor(client: Any, world: World) -> None:
    response = client.post(f"{_base(world)}/factors", headers=world.headers("lead"), data={
        "key": "road_freight", "name": "Road freight (carrier's rate)", "kind": "generic",
        "per_unit": "t·km", "mass_unit": "kg", "gases": json.dumps({"CO2e": "0.0538"}),
        "source": "Carrier declaration 2025", "publisher": "Carrier Co.", "year": "2025", "geography": "CN",
        "evidence": (io.BytesIO(b"%PDF carrier declaration"), "carrier.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def test_an_inventory_calculates_exactly_by_scope_and_basis(client, world) -> None:
    _add_resin_factor(client, world)
    period = world.period_a  # calendar 2024 of commitment A
    created = client.post(f"{_base(world)}/inventories", json={"period_id": period},
                          headers=world.headers("lead")).get_json()
    assert (created["gwp_set"], created["status"], created["version"]) == ("AR6", "draft", 1)
    added = client.post(f"{_base(world)}/inventories/{created['id']}/activities",
                        json={"activities": _records(world)}, headers=world.headers("lead"))
    assert added.status_code == 201, added.get_json()
    assert [r["quantity"] for r in added.get_json()] == ["10000", "1200", "10", "1500"]

    report = client.get(f"{_base(world)}/inventories/{created['id']}/report",
                        headers=world.headers("viewer")).get_json()
    location, market = report["location_based"], report["market_based"]
    assert Decimal(location["by_scope"]["1"]) == Decimal("44.17688809")  # 21.62188809 + 22.555
    assert Decimal(location["by_scope"]["2"]) == Decimal("660")
    assert Decimal(market["by_scope"]["2"]) == Decimal("731.52")
    assert Decimal(location["by_scope"]["3"]) == Decimal("3600")
    assert Decimal(location["tco2e"]) == Decimal("4304.17688809")
    assert Decimal(market["tco2e"]) == Decimal("4375.69688809")
    assert Decimal(location["by_scope3_category"]["1"]) == Decimal("3600")
    # ISO 14064-1: category 1 direct, 2 imported energy, 4 products used by the organisation.
    assert {k: Decimal(v) for k, v in location["by_iso_category"].items() if Decimal(v)} == {
        "1": Decimal("44.17688809"), "2": Decimal("660"), "4": Decimal("3600")}
    # 2024 factors are not published yet: both fall-backs are disclosed.
    assert any("2023" in d for d in report["disclosures"])
    assert "org:resin" in report["factors"] and "mee:grid:CN-EAST:2023" in report["factors"]


def test_a_trail_explains_one_record(client, world) -> None:
    _add_resin_factor(client, world)
    inventory = client.post(f"{_base(world)}/inventories", json={"period_id": world.period_a},
                            headers=world.headers("lead")).get_json()
    records = client.post(f"{_base(world)}/inventories/{inventory['id']}/activities",
                          json={"activities": _records(world)[:1]}, headers=world.headers("lead")).get_json()
    trail = client.get(f"{_base(world)}/inventories/{inventory['id']}/activities/{records[0]['id']}/trail",
                       headers=world.headers("verifier")).get_json()
    assert Decimal(trail["location_tco2e"]) == Decimal("21.62188809")
    assert trail["factor_key"] == "cnguide2015:natural_gas:combustion"
    assert trail["steps"], "the trail lists its steps"


def test_verification_freezes_the_figures_and_later_changes_need_a_new_version(client, world, table_counts) -> None:
    base = f"{_base(world)}/inventories/{world.inventory_verified}"
    report = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    assert report["frozen"] is True and report["status"] == "verified"
    # The verified 2024 inventory holds 1,200 MWh at the 2023 East China factor: 660 t.
    assert Decimal(report["location_based"]["tco2e"]) == Decimal("660")
    verification = client.get(f"{base}/verification", headers=world.headers("verifier")).get_json()
    statement = client.get(f"{base}/verification/statement", headers=world.headers("verifier"))
    assert statement.data == b"%PDF-1.4 statement"
    assert statement.headers["X-Content-SHA256"] == verification["statement_sha256"]

    before = table_counts()
    refused = client.post(f"{base}/activities", headers=world.headers("lead"), json={"activities": [
        {"site_id": world.site_a, "source": "Late bill", "scope": 2, "activity_type": "electricity",
         "quantity": "1", "unit": "MWh", "start_date": "2024-12-01", "end_date": "2024-12-31"}]})
    assert refused.status_code == 409 and "new version" in refused.get_json()["error"]["message"]
    assert table_counts() == before

    version = client.post(f"{base}/versions", json={"reason": "December bill arrived late"},
                          headers=world.headers("lead")).get_json()
    assert (version["version"], version["status"], version["reason"]) == (2, "draft", "December bill arrived late")
    copied = client.get(f"{_base(world)}/inventories/{version['id']}/activities", headers=world.headers("lead")).get_json()
    assert copied["total"] == 1  # the verified version's record came along
    # ... in a copy of its batch, which belongs to the new version and names the one it copies
    old_batches = client.get(f"{base}/imports", headers=world.headers("lead")).get_json()["items"]
    new_batches = client.get(f"{_base(world)}/inventories/{version['id']}/imports",
                             headers=world.headers("lead")).get_json()["items"]
    assert [(b["kind"], b["copied_from_id"]) for b in new_batches] == [("api", old_batches[0]["id"])]
    assert copied["items"][0]["import_id"] == new_batches[0]["id"]


@pytest.mark.parametrize(
    ("record", "field", "reason_part"),
    [
        ({"quantity": "-5"}, "quantity", "greater than or equal to 0"),
        ({"quantity": "abc"}, "quantity", ""),
        ({"unit": "furlong"}, "unit", "furlong"),
        ({"unit": "t·km"}, "unit", ""),  # electricity in tonne-kilometres
        ({"start_date": "2023-12-01"}, "start_date", ""),  # before the 2025 period
        ({"start_date": "2025-12-31", "end_date": "2025-01-01"}, "", ""),  # ends before it starts
        ({"scope": 3}, "", ""),  # Scope 3 without a category
    ],
)
def test_a_bad_record_is_refused_with_its_field_and_nothing_is_added(client, world, table_counts, record, field, reason_part) -> None:
    before = table_counts()
    good = {"site_id": world.site_a, "source": "Grid", "scope": 2, "activity_type": "electricity",
            "quantity": "5", "unit": "MWh", "start_date": "2025-01-01", "end_date": "2025-12-31"}
    response = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/activities",
                           json={"activities": [good, {**good, "source": "Second", **record}]},
                           headers=world.headers("lead"))
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    # The second record (index 1) is named; the good first one is not stored either.
    assert any(key.startswith("activities.1") and key.endswith(field) for key in details), details
    assert reason_part in json.dumps(details, ensure_ascii=False)
    assert table_counts() == before


def test_a_site_outside_the_subject_is_refused(client, uow, world, table_counts) -> None:
    other = client.post(f"{_base(world)}/sites", headers=world.headers("lead"),
                        json={"name": "Not in the boundary", "country": "CN", "address": "x"}).get_json()
    before = table_counts()
    response = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/activities", json={"activities": [
        {"site_id": other["id"], "source": "Grid", "scope": 2, "activity_type": "electricity",
         "quantity": "5", "unit": "MWh", "start_date": "2025-01-01", "end_date": "2025-12-31"}]},
        headers=world.headers("lead"))
    assert response.status_code == 422
    assert "activities.0.site_id" in response.get_json()["error"]["details"]
    assert table_counts() == before


#: The factor of the diesel rows below: the activity file names it (with litres of fuel at a
#: Chinese site, diesel, petrol and natural gas would all fit, so none is chosen for the row).
DIESEL = "cnguide2015:gas_diesel_oil:combustion"


def _csv(rows: list[str]) -> bytes:
    """An activity file of diesel rows (each given without its factor, which is added)."""
    header = "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key"
    return ("\n".join([header, *(f"{row},{DIESEL}" for row in rows)]) + "\n").encode("utf-8")


def test_importing_the_same_file_twice_stores_it_once(client, world) -> None:
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    data = _csv([f"{world.site_a},Diesel generator,1,stationary_combustion,fuel,\"1,500\",L,2025-01-01,2025-06-30"])
    first = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(data), "diesel.csv")})
    assert first.status_code == 201 and first.get_json()["status"] == "imported"
    again = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(data), "diesel-copy.csv")})
    assert again.get_json()["status"] == "already_imported"
    listed = client.get(f"{base}/activities", headers=world.headers("lead")).get_json()
    assert listed["total"] == 2  # the world's electricity record and the one diesel row


def test_a_transport_rows_payer_and_ownership_are_stored_with_it(client, world) -> None:
    # 12 t carried 350 km by a hired truck the company pays for: Scope 3 category 4 (seed 002),
    # entered as 12 t × 350 km = 4,200 t·km at the carrier's own rate
    _add_freight_factor(client, world)
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    data = ("site,source,scope,scope3_category,activity_type,quantity,unit,start_date,end_date,factor_key,"
            "payer,ownership,weight,weight_unit\n"
            f"{world.site_a},Wafer delivery,3,4,transport,4200,t·km,2025-03-01,2025-03-01,org:road_freight,"
            "reporter,third_party,,\n").encode()
    response = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "freight.csv")})
    assert response.status_code == 201, response.get_json()
    listed = client.get(f"{base}/activities", headers=world.headers("lead")).get_json()["items"]
    [freight] = [a for a in listed if a["source"] == "Wafer delivery"]
    # (a weight goes with a leg in km; a leg in t·km carries its weight already)
    assert (freight["extra"]["payer"], freight["extra"]["ownership"]) == ("reporter", "third_party")


def test_a_dry_run_previews_without_writing(client, world, table_counts) -> None:
    before = table_counts()
    data = _csv([f"{world.site_a},Diesel,1,stationary_combustion,fuel,200,L,2025-01-01,2025-01-31",
                 f"{world.site_a},Diesel,1,stationary_combustion,fuel,-3,L,2025-02-01,2025-02-28"])
    response = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/imports",
                           headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "diesel.csv"), "dry_run": "true"})
    preview = response.get_json()["preview"]
    assert response.get_json()["status"] == "preview"
    assert [(e["row"], e["column"]) for e in preview["errors"]] == [(3, "quantity")]  # header is row 1
    assert table_counts() == before


def test_an_import_with_one_bad_row_is_rejected_whole_naming_row_and_column(client, world, table_counts) -> None:
    before = table_counts()
    data = _csv([f"{world.site_a},Diesel,1,stationary_combustion,fuel,200,L,2025-01-01,2025-01-31",
                 f"{world.site_a},Diesel,1,stationary_combustion,fuel,300,parsec,2025-02-01,2025-02-28"])
    response = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/imports",
                           headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "diesel.csv")})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert [(e["row"], e["column"]) for e in error["details"]["errors"]] == [(3, "unit")]
    assert table_counts() == before


def test_an_immaterial_exclusion_needs_a_share_below_the_threshold_and_a_reason(client, world) -> None:
    path = f"{_base(world)}/inventories/{world.inventory_draft}/completeness"
    too_big = client.put(path, headers=world.headers("lead"), json={
        "scope": 3, "category": "7", "status": "excluded_immaterial", "estimated_share_percent": "1",
        "reason": "small"})
    assert too_big.status_code == 422  # 1 % is not below the 1 % threshold (seed 002)
    no_reason = client.put(path, headers=world.headers("lead"), json={
        "scope": 3, "category": "7", "status": "excluded_immaterial", "estimated_share_percent": "0.99"})
    assert no_reason.status_code == 422
    ok = client.put(path, headers=world.headers("lead"), json={
        "scope": 3, "category": "7", "status": "excluded_immaterial", "estimated_share_percent": "0.99",
        "reason": "Commuting estimated at 0.99 % from headcount"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "excluded_immaterial"


def test_an_inventory_made_elsewhere_is_entered_as_totals(client, world) -> None:
    base = f"{_base(world)}/inventories/{world.inventory_external}"
    response = client.post(f"{base}/external-totals", headers=world.headers("lead"), json={"totals": [
        {"scope": 1, "gas": "CO2", "tco2e": "120.5"},
        {"scope": 2, "gas": "CO2", "basis": "location", "tco2e": "800"},
        {"scope": 2, "gas": "CO2", "basis": "market", "tco2e": "300"},
        {"scope": 3, "category": 4, "gas": "CO2e", "tco2e": "50.25"},
    ]})
    assert response.status_code == 201, response.get_json()
    report = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    # location: 120.5 + 800 + 50.25 = 970.75; market: 120.5 + 300 + 50.25 = 470.75
    assert Decimal(report["location_based"]["tco2e"]) == Decimal("970.75")
    assert Decimal(report["market_based"]["tco2e"]) == Decimal("470.75")


def test_the_combined_uncertainty_propagates_independent_records(client, world) -> None:
    # Two 600 MWh records at ±2 % each: each is 330 t ± 6.6 t, independent, so their activity
    # spread is √(6.6² + 6.6²) = 6.6·√2 t. The grid factor's ±20 % (expert judgement) is one
    # error for both: 20 % × 660 t = 132 t. Total ± √(87.12 + 17,424) = √17,511.12 t, i.e.
    # √(2²/2 + 20²) = √402 % = 20.0499 %. (Counted per record, the factor's ± would shrink to
    # √(404/2) = √202 = 14.2 %: the error that is common would be averaged away.)
    inventory = client.post(f"{_base(world)}/inventories", json={"period_id": world.period_a},
                            headers=world.headers("lead")).get_json()
    common = {"site_id": world.site_a, "scope": 2, "activity_type": "electricity", "quantity": "600",
              "unit": "MWh", "uncertainty_percent": "2", "end_date": "2024-12-31"}
    client.post(f"{_base(world)}/inventories/{inventory['id']}/activities", headers=world.headers("lead"),
                json={"activities": [{**common, "source": "Meter A", "start_date": "2024-01-01"},
                                     {**common, "source": "Meter B", "start_date": "2024-01-02"}]})
    report = client.get(f"{_base(world)}/inventories/{inventory['id']}/report", headers=world.headers("lead")).get_json()
    assert Decimal(report["location_based"]["tco2e"]) == Decimal("660")
    assert abs(Decimal(report["uncertainty"]["percent"]) - Decimal(402).sqrt()) < Decimal("1e-20")
    assert report["uncertainty"]["records_stated"] == 2 and report["uncertainty"]["records_tier_default"] == 0


def _verify(client: Any, world: World, inventory_id: int) -> None:
    response = client.post(f"{_base(world)}/inventories/{inventory_id}/verification",
                           headers=world.headers("verifier"), content_type="multipart/form-data", data={
                               "body": "Verifier Co.", "accreditation": "CNAS", "assurance_level": "limited",
                               "materiality_percent": "5", "opinion": "Unmodified.", "verified_on": "2025-03-01",
                               "statement": (io.BytesIO(b"%PDF statement"), "statement.pdf")})
    assert response.status_code == 201, response.get_json()


def _resin_version(client: Any, world: World, value: str) -> None:
    response = client.post(f"{_base(world)}/factors", headers=world.headers("lead"), data={
        "key": "resin", "name": "PC resin", "kind": "supplier_specific", "per_unit": "t", "mass_unit": "t",
        "gases": json.dumps({"CO2": value}), "source": "Supplier EPD 2025", "publisher": "Resin Co.",
        "year": "2025", "geography": "CN", "change_reason": "The supplier revised its declaration",
        "evidence": (io.BytesIO(b"%PDF new declaration"), "epd-2025.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(("new_factor", "required"), [("2.52", True), ("2.5", False)])
def test_a_factor_change_of_5_percent_or_more_requires_a_base_year_recalculation(client, world, new_factor, required) -> None:
    # Base year: 1,500 t resin × 2.4 = 3,600 t. A new version at 2.52 gives 3,780 t: +5 %, which
    # reaches the 5 % threshold; at 2.5 it gives 3,750 t: +4.1667 %, below it.
    _add_resin_factor(client, world)
    inventory = client.post(f"{_base(world)}/inventories", json={"period_id": world.period_a},
                            headers=world.headers("lead")).get_json()
    client.post(f"{_base(world)}/inventories/{inventory['id']}/activities", headers=world.headers("lead"),
                json={"activities": [_records(world)[3]]})
    _verify(client, world, inventory["id"])
    path = f"{_base(world)}/commitments/{world.commitment_a}/base-year-check"
    unchanged = client.get(path, headers=world.headers("viewer")).get_json()
    assert (unchanged["verified_tco2e"], unchanged["recalculation_required"]) == ("3600", False)

    _resin_version(client, world, new_factor)
    check = client.get(path, headers=world.headers("viewer")).get_json()
    assert check["recalculation_required"] is required
    assert Decimal(check["recalculated_tco2e"]) == Decimal(1500) * Decimal(new_factor)
    assert [c["kind"] for c in check["changes"]] == ["factor"]
    # The verified inventory itself never changes: its report is frozen.
    frozen = client.get(f"{_base(world)}/inventories/{inventory['id']}/report", headers=world.headers("viewer")).get_json()
    assert Decimal(frozen["location_based"]["tco2e"]) == Decimal("3600")


@pytest.mark.parametrize(("new_factor", "moved_base"), [("2.52", "3780"), ("2.5", "3600")])
def test_a_target_follows_its_base_year_when_the_check_requires_a_recalculation(
        client, world, new_factor, moved_base) -> None:
    # The base year as above: 3,600 t of Scope 3 (resin). A Scope 3 target of the commitment,
    # −30 % from 2024 to 2030. The factor revised to 2.52 moves the base year +5 %: the target's
    # base moves by the same ratio, 3,600 × 3,780 / 3,600 = 3,780 t, and its 2030 level to
    # 3,780 × 0.7 = 2,646 t. Revised to 2.5 (+4.17 %) it stays at 3,600 (2,520 t in 2030).
    _add_resin_factor(client, world)
    inventory = client.post(f"{_base(world)}/inventories", json={"period_id": world.period_a},
                            headers=world.headers("lead")).get_json()
    client.post(f"{_base(world)}/inventories/{inventory['id']}/activities", headers=world.headers("lead"),
                json={"activities": [_records(world)[3]]})
    _verify(client, world, inventory["id"])
    target = client.post(f"{_base(world)}/targets", headers=world.headers("lead"), json={
        "commitment_id": world.commitment_a, "kind": "absolute", "scopes": [3], "base_year": 2024,
        "base_value": "3600", "target_year": 2030, "reduction_percent": "30"}).get_json()
    _resin_version(client, world, new_factor)
    progress = client.get(f"{_base(world)}/targets/{target['id']}/progress", headers=world.headers("viewer")).get_json()
    base = progress["base"]
    assert (base["recalculated"], Decimal(base["old_base_value"]), Decimal(base["new_base_value"])) == (
        new_factor == "2.52", Decimal(3600), Decimal(moved_base))
    trajectory = {point["year"]: Decimal(point["allowed"]) for point in progress["trajectory"]}
    assert (trajectory[2024], trajectory[2030]) == (Decimal(moved_base), Decimal(moved_base) * Decimal("0.7"))
    # the period is placed on the line as it now stands: 3,600 t against the allowed 2024 level
    [period] = progress["periods"]
    assert Decimal(period["allowed"]) == Decimal(moved_base)


def test_a_new_consolidation_approach_requires_a_base_year_recalculation(client, world) -> None:
    client.post(f"{_base(world)}/consolidation-approach", headers=world.headers("lead"), json={
        "approach": "equity_share", "justification": "JV", "effective_from": "2030-01-01", "reason": "Merger"})
    check = client.get(f"{_base(world)}/commitments/{world.commitment_b}/base-year-check",
                       headers=world.headers("lead")).get_json()
    assert check["recalculation_required"] is True
    assert [c["kind"] for c in check["changes"]] == ["structural"]
    assert check["change_percent"] == "0"  # the figures alone would not have required it


def _factor_form(**overrides: Any) -> dict[str, Any]:
    form = {"key": "steam", "name": "Steam", "kind": "supplier_specific", "per_unit": "GJ", "mass_unit": "kg",
            "gases": json.dumps({"CO2": "95"}), "source": "Utility letter", "publisher": "Park utility",
            "year": "2024", "geography": "CN-JS", "evidence": (b"letter", "letter.pdf")}
    form.update(overrides)
    return _multipart(form)


def _multipart(form: dict[str, Any]) -> dict[str, Any]:
    """Drop None fields and give each file a fresh stream (parameters are shared between runs)."""
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in form.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence": None}, "evidence"),  # no evidence file
        ({"evidence": (b"", "empty.pdf")}, "evidence"),  # an empty one
        ({"gases": "{not json"}, "gases"),
        ({"gases": json.dumps({"CO2": "-1"})}, "gases"),  # a negative amount
        ({"gases": json.dumps({})}, "gases"),
        ({"per_unit": "furlong"}, "unit"),
        ({"kind": "magic"}, "kind"),
        ({"year": "1800"}, "year"),
    ],
)
def test_a_bad_organisation_factor_is_refused_and_nothing_is_stored(client, world, table_counts, overrides, field) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/factors", headers=world.headers("lead"),
                           data=_factor_form(**overrides), content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert field in json.dumps(response.get_json()["error"]["details"])
    assert table_counts() == before


def test_a_new_factor_version_needs_a_reason(client, world, table_counts) -> None:
    assert client.post(f"{_base(world)}/factors", headers=world.headers("lead"), data=_factor_form(),
                       content_type="multipart/form-data").status_code == 201
    before = table_counts()
    again = client.post(f"{_base(world)}/factors", headers=world.headers("lead"), data=_factor_form(),
                        content_type="multipart/form-data")
    assert again.status_code == 422
    assert "change_reason" in again.get_json()["error"]["details"]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("total", "field"),
    [
        ({"scope": 1, "gas": "CO2", "tco2e": "-5"}, "tco2e"),
        ({"scope": 3, "gas": "CO2", "tco2e": "5"}, "category"),  # Scope 3 without a category
        ({"scope": 1, "category": 4, "gas": "CO2", "tco2e": "5"}, "category"),
        ({"scope": 2, "gas": "CO2", "basis": "none", "tco2e": "5"}, "basis"),
        ({"scope": 1, "gas": "CO2", "tco2e": "many"}, "tco2e"),
    ],
)
def test_bad_external_totals_are_refused_and_none_is_stored(client, world, table_counts, total, field) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/inventories/{world.inventory_external}/external-totals",
                           headers=world.headers("lead"),
                           json={"totals": [{"scope": 1, "gas": "CH4", "tco2e": "2"}, total]})
    assert response.status_code == 422, response.get_json()
    assert any(key.startswith("totals.1") and field in key for key in response.get_json()["error"]["details"])
    assert table_counts() == before


def test_totals_go_only_into_an_external_inventory(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/external-totals",
                           headers=world.headers("lead"), json={"totals": [{"scope": 1, "gas": "CO2", "tco2e": "1"}]})
    assert response.status_code == 409
    assert table_counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"statement": None}, "statement"),
        ({"statement": (b"", "empty.pdf")}, "statement"),
        ({"verified_on": "2999-01-01"}, "verified_on"),  # in the future
        ({"verified_on": "2020-01-01"}, "verified_on"),  # before the 2025 period began
        ({"assurance_level": "absolute"}, "assurance_level"),
        ({"materiality_percent": "0"}, "materiality_percent"),
        ({"body": None}, "body"),
    ],
)
def test_a_bad_verification_is_refused_and_the_inventory_stays_a_draft(client, world, table_counts, overrides, field) -> None:
    form = {"body": "Verifier Co.", "accreditation": "CNAS", "assurance_level": "limited",
            "materiality_percent": "5", "opinion": "Unmodified.", "verified_on": "2026-03-01",
            "statement": (b"%PDF statement", "statement.pdf"), **overrides}
    before = table_counts()
    response = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/verification",
                           headers=world.headers("verifier"), content_type="multipart/form-data",
                           data=_multipart(form))
    assert response.status_code == 422, response.get_json()
    assert field in json.dumps(response.get_json()["error"]["details"])
    assert table_counts() == before
    status = client.get(f"{_base(world)}/inventories/{world.inventory_draft}", headers=world.headers("lead")).get_json()
    assert status["status"] == "draft"


def test_a_verified_inventory_cannot_be_verified_again(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"{_base(world)}/inventories/{world.inventory_verified}/verification",
                           headers=world.headers("verifier"), content_type="multipart/form-data", data={
                               "body": "B", "accreditation": "A", "assurance_level": "limited",
                               "materiality_percent": "5", "opinion": "O", "verified_on": "2025-03-01",
                               "statement": (io.BytesIO(b"x"), "s.pdf")})
    assert response.status_code == 409
    assert table_counts() == before


def test_deleting_a_record_of_another_inventory_is_not_found_and_deletes_nothing(client, world, table_counts) -> None:
    before = table_counts()
    response = client.delete(
        f"{_base(world)}/inventories/{world.inventory_external}/activities/{world.activity_draft}",
        headers=world.headers("lead"))
    assert response.status_code == 404
    assert table_counts() == before


def test_meter_readings_supersede_an_invoice_of_the_same_days(client, world) -> None:
    # The draft 2025 inventory holds a metered 1,200 MWh for the whole year (location-based:
    # 1,200 × 0.55 = 660 t). March's invoice of 100 MWh is covered by that meter on every day,
    # so it is kept but not counted: still 660 t. Reconciliation: the meter's share of March is
    # 1,200 × 31/365 = 101.9178082… MWh; the invoice is 1.9178… MWh (−1.882 %) below it, within
    # the default 2 % tolerance.
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    added = client.post(f"{base}/activities", headers=world.headers("lead"), json={"activities": [{
        "site_id": world.site_a, "source": "State Grid invoice March", "scope": 2,
        "activity_type": "electricity", "quantity": "100", "unit": "MWh", "data_quality": "invoiced",
        "start_date": "2025-03-01", "end_date": "2025-03-31"}]})
    assert added.status_code == 201, added.get_json()
    invoice_id = added.get_json()[0]["id"]

    report = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    assert Decimal(report["location_based"]["tco2e"]) == Decimal("660")
    assert report["metering"]["invoices_superseded"] == 1
    assert report["metering"]["superseded_quantity_by_unit"] == {"MWh": "100"}

    listing = client.get(f"{base}/metering", headers=world.headers("verifier")).get_json()
    [item] = listing["items"]
    assert (item["invoice_id"], item["superseded"], item["meter_ids"]) == (invoice_id, True, [world.activity_draft])
    assert item["metered_quantity"].startswith("101.917808219")
    assert item["difference_percent"].startswith("-1.8817")
    assert item["within_tolerance"] is True
    strict = client.get(f"{base}/metering?tolerance_percent=1", headers=world.headers("verifier")).get_json()
    assert strict["items"][0]["within_tolerance"] is False

    trail = client.get(f"{base}/activities/{invoice_id}/trail", headers=world.headers("verifier")).get_json()
    assert trail["counted"] is False and trail["superseded_by"] == [world.activity_draft]


def test_an_invoice_metered_in_part_is_counted_and_flagged(client, world) -> None:
    # Gas for January: the invoice says 10,000 m³ for 1–31 January; a meter fitted on 16 January
    # read 5,000 m³ for 16–31. Fifteen days have no meter reading, so the invoice stays counted
    # (conservative: 16–31 January twice) and is flagged. 10,000 m³ is 21.62188809 t (see the
    # module docstring), so 15,000 m³ is 32.432832135 t; with the year's 660 t of electricity the
    # location-based total is 692.432832135 t.
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    gas = {"site_id": world.site_a, "scope": 1, "scope1_subtype": "stationary_combustion",
           "activity_type": "fuel", "unit": "m3", "factor_key": "cnguide2015:natural_gas:combustion"}
    response = client.post(f"{base}/activities", headers=world.headers("lead"), json={"activities": [
        {**gas, "source": "Gas invoice January", "quantity": "10000", "data_quality": "invoiced",
         "start_date": "2025-01-01", "end_date": "2025-01-31"},
        {**gas, "source": "Gas meter", "quantity": "5000", "data_quality": "metered",
         "start_date": "2025-01-16", "end_date": "2025-01-31"}]})
    assert response.status_code == 201, response.get_json()
    invoice_id = response.get_json()[0]["id"]

    report = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    assert Decimal(report["location_based"]["tco2e"]) == Decimal("692.432832135")
    assert report["metering"]["invoices_superseded"] == 0
    assert report["metering"]["invoices_partly_metered"] == 1
    [item] = client.get(f"{base}/metering", headers=world.headers("verifier")).get_json()["items"]
    assert (item["invoice_id"], item["superseded"], item["unmetered_days"]) == (invoice_id, False, 15)
    assert "15 of 31 days are not metered" in item["finding"]
    trail = client.get(f"{base}/activities/{invoice_id}/trail", headers=world.headers("verifier")).get_json()
    assert trail["counted"] is True and "not metered" in trail["metering_finding"]


def test_a_verified_inventory_keeps_its_frozen_factors_in_the_balance_after_a_factor_changes(client, world) -> None:
    # 1,500 t resin × 2.4 = 3,600 t verified. The supplier then revises the factor to 2.52
    # (which would give 3,780 t): the period's balance still starts from 3,600 t.
    _add_resin_factor(client, world)
    inventory = client.post(f"{_base(world)}/inventories", json={"period_id": world.period_a},
                            headers=world.headers("lead")).get_json()
    client.post(f"{_base(world)}/inventories/{inventory['id']}/activities", headers=world.headers("lead"),
                json={"activities": [_records(world)[3]]})
    _verify(client, world, inventory["id"])
    _resin_version(client, world, "2.52")
    balance = client.get(f"{_base(world)}/periods/{world.period_a}/balance", headers=world.headers("viewer")).get_json()
    assert (Decimal(balance["gross_location_tco2e"]), Decimal(balance["residual_tco2e"])) == (Decimal(3600), Decimal(3600))
    needs = client.get(f"{_base(world)}/periods/{world.period_a}/needs", headers=world.headers("viewer")).get_json()
    assert Decimal(needs["credits"]["residual_tco2e"]) == Decimal(3600)
    assert "note" not in needs


def test_an_activity_already_in_the_inventory_is_refused_by_file_or_json_and_nothing_is_written(
    client, world, table_counts
) -> None:
    # The diesel row is imported with the site's id; a second file spells the site by name and
    # adds one new row: the same activity under another spelling is still the same, so row 2 is
    # refused and the new row 3 is not stored either (all or nothing).
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    row = "Diesel generator,1,stationary_combustion,fuel,\"1,500\",L,2025-01-01,2025-06-30"
    first = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(_csv([f"{world.site_a},{row}"])), "diesel.csv")})
    assert first.status_code == 201, first.get_json()
    site = client.get(f"/api/v1/organisations/{world.org_a}/sites/{world.site_a}", headers=world.headers("lead"))
    name = site.get_json()["name"]
    before = table_counts()
    again = _csv([f"{name},{row}", f"{name},Diesel generator,1,stationary_combustion,fuel,20,L,2025-07-01,2025-07-31"])
    refused = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                          data={"file": (io.BytesIO(again), "diesel-by-name.csv")})
    assert refused.status_code == 422, refused.get_json()
    assert [(e["row"], e["reason"]) for e in refused.get_json()["error"]["details"]["errors"]] == [
        (2, "this activity is already in the inventory")]
    # the same activity sent as JSON (the site by id)
    listed = client.get(f"{base}/activities", headers=world.headers("lead")).get_json()["items"]
    [diesel] = [a for a in listed if a["source"] == "Diesel generator"]
    record = {k: diesel[k] for k in ("site_id", "source", "scope", "scope1_subtype", "activity_type", "quantity",
                                     "unit", "start_date", "end_date")}
    json_refused = client.post(f"{base}/activities", json={"activities": [record]}, headers=world.headers("lead"))
    assert json_refused.status_code == 422, json_refused.get_json()
    assert "already in the inventory" in json.dumps(json_refused.get_json()["error"]["details"])
    assert table_counts() == before


def test_one_activity_twice_in_a_file_under_two_spellings_of_its_site_is_refused(
    client, world, table_counts
) -> None:
    # Row 2 names the site by its id, row 3 by its name: the same diesel for the same days, so
    # the same activity. The file's own check compares the rows as written (they differ); once
    # both spellings are the one site, row 3 repeats row 2 and is refused, and nothing is
    # written. Row 4 is another month at the same site, and is not named.
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    site = client.get(f"/api/v1/organisations/{world.org_a}/sites/{world.site_a}", headers=world.headers("lead"))
    name = site.get_json()["name"]
    row = "Diesel generator,1,stationary_combustion,fuel,\"1,500\",L,2025-01-01,2025-06-30"
    data = _csv([f"{world.site_a},{row}", f"{name},{row}",
                 f"{name},Diesel generator,1,stationary_combustion,fuel,20,L,2025-07-01,2025-07-31"])
    before = table_counts()
    refused = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                          data={"file": (io.BytesIO(data), "diesel-twice.csv")})
    assert refused.status_code == 422, refused.get_json()
    assert [(e["row"], e["reason"]) for e in refused.get_json()["error"]["details"]["errors"]] == [
        (3, "this activity is already in the inventory")]
    assert table_counts() == before


def _stored_counts(db: Any) -> dict[int, tuple[int, int]]:
    """Per inventory: the count it keeps, and its records counted one by one."""
    from sqlalchemy import text

    with db() as session:
        return {
            inventory: (kept, counted)
            for inventory, kept, counted in session.execute(text(
                "SELECT i.id, i.activity_count, (SELECT count(*) FROM activity_records r"
                " WHERE r.inventory_id = i.id) FROM inventories i"))
        }


def test_pages_of_records_and_the_inventorys_count_follow_every_change(client, world, db) -> None:
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    lead = world.headers("lead")
    # the world's draft holds one electricity record; a file of four diesel months adds four
    months = [f"{world.site_a},Diesel {m},1,stationary_combustion,fuel,10,L,2025-{m:02d}-01,2025-{m:02d}-28"
              for m in range(1, 5)]
    imported = client.post(f"{base}/imports", headers=lead, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_csv(months)), "diesel.csv")})
    assert imported.status_code == 201, imported.get_json()
    assert all(kept == counted for kept, counted in _stored_counts(db).values())
    assert _stored_counts(db)[world.inventory_draft] == (5, 5)

    # 5 records, 2 a page: pages of 2, 2 and 1, then nothing; every page says 5 in all
    pages = [client.get(f"{base}/activities?per_page=2&page={n}", headers=lead).get_json() for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert {p["total"] for p in pages} == {5}
    ids = [item["id"] for p in pages for item in p["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 5

    # a file refused whole changes neither the records nor their count
    bad = _csv([f"{world.site_a},Diesel May,1,stationary_combustion,fuel,-10,L,2025-05-01,2025-05-31"])
    refused = client.post(f"{base}/imports", headers=lead, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(bad), "bad.csv")})
    assert refused.status_code == 422
    assert _stored_counts(db)[world.inventory_draft] == (5, 5)

    assert client.delete(f"{base}/activities/{ids[0]}", headers=lead).status_code == 204
    assert _stored_counts(db)[world.inventory_draft] == (4, 4)
    listed = client.get(f"{base}/activities?per_page=2&page=2", headers=lead).get_json()
    assert (listed["total"], [i["id"] for i in listed["items"]]) == (4, ids[3:5])
    inventory = client.get(base, headers=lead).get_json()
    assert inventory["activity_count"] == 4

    # a new version of the verified inventory copies its one record, and its count with it
    verified = f"{_base(world)}/inventories/{world.inventory_verified}"
    version = client.post(f"{verified}/versions", json={"reason": "late bill"}, headers=lead).get_json()
    assert version["activity_count"] == 1
    assert all(kept == counted for kept, counted in _stored_counts(db).values())


def test_an_import_is_taken_back_whole_audited_and_not_once_verified(client, world, table_counts) -> None:
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    lead = world.headers("lead")
    # a file of three diesel months, taken back: the draft keeps only its world record
    months = [f"{world.site_a},Diesel {m},1,stationary_combustion,fuel,10,L,2025-{m:02d}-01,2025-{m:02d}-28"
              for m in (1, 2, 3)]
    before = table_counts()
    imported = client.post(f"{base}/imports", headers=lead, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_csv(months)), "diesel.csv")}).get_json()
    assert client.get(base, headers=lead).get_json()["activity_count"] == 4
    # a viewer may not; another inventory's import is not found there
    assert client.delete(f"{base}/imports/{imported['import_id']}", headers=world.headers("viewer")).status_code == 403
    verified = f"{_base(world)}/inventories/{world.inventory_verified}"
    assert client.delete(f"{verified}/imports/{imported['import_id']}", headers=lead).status_code == 404

    assert client.delete(f"{base}/imports/{imported['import_id']}", headers=lead).status_code == 204
    after = table_counts()
    # the three records and their batch are gone; the audit log gained one entry
    assert after["activity_records"] == before["activity_records"]
    assert after["activity_imports"] == before["activity_imports"]
    assert after["audit_entries"] == before["audit_entries"] + 2  # the import, then its undoing
    assert client.get(base, headers=lead).get_json()["activity_count"] == 1
    audit = client.get(f"{_base(world)}/audit?per_page=200", headers=world.headers("admin")).get_json()
    [undone] = [e for e in audit["items"] if e["action"] == "inventory.import_undone"]
    assert (undone["entity_type"], undone["entity_id"]) == ("activity_imports", str(imported["import_id"]))
    # the same file may now be imported again
    again = client.post(f"{base}/imports", headers=lead, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(_csv(months)), "diesel.csv")})
    assert again.get_json()["status"] == "imported"

    # a verified inventory's imports stay
    [old] = client.get(f"{verified}/imports", headers=lead).get_json()["items"]
    frozen = table_counts()
    refused = client.delete(f"{verified}/imports/{old['id']}", headers=lead)
    assert refused.status_code == 409
    assert table_counts() == frozen


def test_a_transport_leg_in_km_with_its_weight_is_calculated_in_tonne_kilometres(client, world) -> None:
    # 12 t carried 350 km: 12 × 350 = 4,200 t·km; at the carrier's 0.0538 kg CO2e per t·km,
    # 4,200 × 0.0538 = 225.96 kg = 0.22596 t CO2e, Scope 3 category 4 (the reporter pays, a third
    # party's truck: seed 002)
    _add_freight_factor(client, world)
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    before = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    data = ("site,source,scope,scope3_category,activity_type,quantity,unit,start_date,end_date,factor_key,"
            "payer,ownership,weight,weight_unit\n"
            f"{world.site_a},Wafer delivery,3,4,transport,350,km,2025-03-01,2025-03-01,org:road_freight,"
            "reporter,third_party,12000,kg\n").encode()
    response = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "freight.csv")})
    assert response.status_code == 201, response.get_json()
    [leg] = [a for a in client.get(f"{base}/activities", headers=world.headers("lead")).get_json()["items"]
             if a["source"] == "Wafer delivery"]
    assert (Decimal(leg["quantity"]), leg["unit"]) == (Decimal(4200), "t·km")
    assert (leg["extra"]["distance"], leg["extra"]["weight"], leg["extra"]["weight_unit"]) == ("350 km", "12000", "kg")
    after = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    added = Decimal(after["location_based"]["by_scope3_category"]["4"]) - Decimal(
        before["location_based"]["by_scope3_category"].get("4", "0"))
    assert added == Decimal("0.22596")


def _leg(world: World, **overrides: Any) -> dict[str, Any]:
    return {"site_id": world.site_a, "source": "Module delivery", "scope": 3, "scope3_category": 4,
            "activity_type": "transport", "quantity": "350", "unit": "km", "start_date": "2025-03-02",
            "end_date": "2025-03-02", "factor_key": "org:road_freight", "payer": "reporter",
            "ownership": "third_party", "weight": "12", "weight_unit": "t", **overrides}


def test_a_transport_leg_sent_as_json_carries_payer_ownership_and_weight(client, world, table_counts) -> None:
    # as by file: 12 t × 350 km = 4,200 t·km, the payer and the carrier kept with it
    _add_freight_factor(client, world)
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    added = client.post(f"{base}/activities", headers=world.headers("lead"), json={"activities": [_leg(world)]})
    assert added.status_code == 201, added.get_json()
    [leg] = added.get_json()
    assert (Decimal(leg["quantity"]), leg["unit"]) == (Decimal(4200), "t·km")
    assert (leg["extra"]["payer"], leg["extra"]["ownership"], leg["extra"]["distance"]) == (
        "reporter", "third_party", "350 km")

    # the one classifier decides: a vehicle the company owns is a Scope 1 source, not Scope 3
    before = table_counts()
    owned = client.post(f"{base}/activities", headers=world.headers("lead"),
                        json={"activities": [_leg(world, source="Own truck", ownership="owned")]})
    assert owned.status_code == 422
    details = owned.get_json()["error"]["details"]
    assert details == {"activities.0.scope": [
        "the company owns or controls the vehicle, so the fuel it burns is a direct (mobile combustion) emission: "
        "Scope 1; the row says Scope 3"]}
    assert table_counts() == before


@pytest.mark.parametrize(("ownership", "direction", "payer", "expected"), [
    # seed 002: the company's own truck burns its fuel → Scope 1, mobile combustion
    ("owned", "outbound", None, (1, "mobile_combustion", None)),
    # a carrier moving sold goods the customer pays for → category 9
    ("third_party", "outbound", "customer", (3, None, 9)),
    # the company pays the carrier, whichever way the goods go → category 4
    ("third_party", "outbound", "reporter", (3, None, 4)),
    # purchased goods brought in by the tier-1 supplier's carrier, the supplier paying → category 4
    ("third_party", "inbound", "supplier", (3, None, 4)),
])
def test_a_leg_sent_as_json_without_a_scope_is_classified_by_ownership_direction_and_payer(
        client, world, ownership, direction, payer, expected) -> None:
    _add_freight_factor(client, world)
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    leg = {**_leg(world, ownership=ownership, direction=direction, payer=payer), "scope": None,
           "scope3_category": None}
    added = client.post(f"{base}/activities", headers=world.headers("lead"), json={"activities": [leg]})
    assert added.status_code == 201, added.get_json()
    [stored] = added.get_json()
    assert (stored["scope"], stored["scope1_subtype"], stored["scope3_category"]) == expected
    assert stored["extra"]["direction"] == direction


def test_a_leg_that_cannot_be_classified_is_refused_naming_what_is_missing(client, world, table_counts) -> None:
    # a carrier moving sold goods: who pays decides category 4 or 9, and nobody said
    _add_freight_factor(client, world)
    base = f"{_base(world)}/inventories/{world.inventory_draft}"
    before = table_counts()
    leg = {**_leg(world, direction="outbound", payer=None), "scope": None, "scope3_category": None}
    refused = client.post(f"{base}/activities", headers=world.headers("lead"), json={"activities": [leg]})
    assert refused.status_code == 422, refused.get_json()
    [reason] = refused.get_json()["error"]["details"]["activities.0.payer"]
    assert reason.startswith("say who pays for this transport of sold goods by a third party")
    assert table_counts() == before
