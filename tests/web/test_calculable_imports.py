"""Nothing accepted can break a figure later: every row of an activity file (or of records sent
as JSON) is checked at import by the calculation's own code, and every problem of every row comes
back in one answer, with nothing written.

The world's draft inventory (tests/factories.py) is of 2025, for a site in China (CN-JS), with
one electricity record. The Chinese combustion factors of the library take litres as follows:
diesel and petrol through their density (t/m³) and NCV per tonne, natural gas through its NCV per
10⁴ m³ (a volume, as a litre is); so a fuel row in litres that names no factor fits all three,
and none is chosen for it.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world

HEADER = "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key"
DIESEL = "cnguide2015:gas_diesel_oil:combustion"
LITRE_CHOICES = ("cnguide2015:gas_diesel_oil:combustion, cnguide2015:motor_gasoline:combustion, "
                 "cnguide2015:natural_gas:combustion")

#: (source, quantity, factor key, the column refused, words of the refusal) of each row after
#: the header, which is row 1
ROWS = [
    ("Generator diesel", "100", DIESEL, None, None),
    ("Boiler A", "10", "org:nonexistent", "factor_key", "unknown emission factor 'org:nonexistent'"),
    ("Loader", "10", "ipcc2006:diesel:offroad", "factor_key",
     "unknown emission factor 'ipcc2006:diesel:offroad'"),
    ("Boiler B", "50", "", "factor_key",
     f"a fuel row needs its emission factor: for L at a site in CN the factors that fit are {LITRE_CHOICES}"),
    ("Boiler C", "20", "mee:grid:CN:2023", "factor_key",
     "factor mee:grid:CN:2023 (grid_location) does not price fuel activities"),
]


def _file(world: World) -> bytes:
    lines = [f"{world.site_a},{source},1,stationary_combustion,fuel,{quantity},L,2025-03-01,2025-03-31,{key}"
             for source, quantity, key, _, _ in ROWS]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _expected() -> list[tuple[int, str, str]]:
    return [(row, column, words) for row, (_, _, _, column, words) in enumerate(ROWS, start=2) if column]


def _import(client: Any, world: World, **form: str) -> Any:
    return client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
                       headers=world.headers("lead"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(_file(world)), "boilers.csv"), **form})


def test_every_row_that_could_not_be_calculated_is_refused_in_one_answer(client, world, table_counts) -> None:
    before = table_counts()
    response = _import(client, world)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert error["details"]["error_count"] == 4  # rows 3 to 6; row 2 is sound
    found = [(e["row"], e["column"], e["reason"]) for e in error["details"]["errors"]]
    assert [(row, column) for row, column, _ in found] == [(row, column) for row, column, _ in _expected()]
    for (_, _, reason), (_, _, words) in zip(found, _expected(), strict=True):
        assert words in reason
    assert table_counts() == before


def test_a_dry_run_shows_the_same_problems_and_writes_nothing(client, world, table_counts) -> None:
    before = table_counts()
    response = _import(client, world, dry_run="true")
    assert response.status_code == 201, response.get_json()
    preview = response.get_json()["preview"]
    assert [(e["row"], e["column"]) for e in preview["errors"]] == [(r, c) for r, c, _ in _expected()]
    assert table_counts() == before


def test_records_sent_as_json_are_held_to_the_same_checks(client, world, table_counts) -> None:
    before = table_counts()
    records = [{"site_id": world.site_a, "source": source, "scope": 1, "scope1_subtype": "stationary_combustion",
                "activity_type": "fuel", "quantity": quantity, "unit": "L", "start_date": "2025-03-01",
                "end_date": "2025-03-31", **({"factor_key": key} if key else {})}
               for source, quantity, key, _, _ in ROWS]
    response = client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/activities",
                           headers=world.headers("lead"), json={"activities": records})
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    # records 1 to 4 (0 is sound), each refused on its factor
    assert sorted(details) == [f"activities.{n}.factor_key" for n in (1, 2, 3, 4)]
    assert LITRE_CHOICES in details["activities.3.factor_key"][0]
    assert table_counts() == before


def test_a_sound_file_is_stored_with_the_factor_each_row_names(client, world) -> None:
    data = (f"{HEADER}\n{world.site_a},Generator diesel,1,stationary_combustion,fuel,100,L,2025-03-01,2025-03-31,"
            f"{DIESEL}\n").encode()
    response = client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
                           headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "diesel.csv")})
    assert response.status_code == 201, response.get_json()
    base = f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}"
    listed = client.get(f"{base}/activities", headers=world.headers("lead")).get_json()["items"]
    assert [(a["factor_key"], a["source_row"]) for a in listed if a["source"] == "Generator diesel"] == [(DIESEL, 2)]
    report = client.get(f"{base}/report", headers=world.headers("viewer"))
    assert report.status_code == 200, json.dumps(report.get_json())[:300]
    assert report.get_json()["complete"] is True
    assert DIESEL in report.get_json()["factors"]  # the row is counted, at the factor it names


def test_a_fuel_row_without_a_factor_takes_the_only_one_that_fits() -> None:
    # A site in a country whose only combustion factor taking tonnes is one of the organisation's:
    # the row gets it; a unit no factor takes gets an error saying there is none.
    import datetime as dt
    from decimal import Decimal

    import numpy as np

    from neutrality.inventory import activities, importing
    from neutrality.inventory.model import (
        ActivityType,
        EmissionFactor,
        FactorKind,
        Provenance,
        Scope,
    )
    from neutrality.organisations.tables import Site

    def factor(key: str, geography: str, ncv_unit: str) -> EmissionFactor:
        return EmissionFactor(key=key, name=key, kind=FactorKind.FUEL_COMBUSTION, per_unit="TJ", mass_unit="kg",
                              gases={"CO2": Decimal("74100")}, ncv=Decimal("43"), ncv_unit=ncv_unit,
                              provenance=Provenance("test", "test", 2024, geography, "1"))

    factors = {f.key: f for f in (factor("org:coal", "MN", "GJ/t"), factor("ipcc:gas", "GLOBAL", "GJ/t"))}
    stored = activities._Stored(sites=(Site(id=7, name="Ulaanbaatar", country="MN"),), fingerprints=frozenset(),
                                last_batch=None, factors=factors, gwp_set=None, grid={})
    rows = importing.ActivityRows({
        **{name: np.array([None, None], dtype=object) for name in importing.ActivityRow._fields},
        "row": np.array([2, 3], dtype=object), "activity_type": np.array([ActivityType.FUEL] * 2, dtype=object),
        "unit": np.array(["t", "km"], dtype=object), "scope": np.array([Scope.SCOPE_1] * 2, dtype=object),
        "quantity": np.array([Decimal(1)] * 2, dtype=object),
        "start_date": np.array([dt.date(2025, 1, 1)] * 2, dtype=object),
    })
    keys, errors = activities._fuel_factors(rows, np.array([7, 7], dtype=object), stored)
    assert keys[0] == "org:coal"  # Mongolia's own factor, before the global one
    assert [(e.row, e.column) for e in errors] == [(3, "factor_key")]
    assert "none in the library" in errors[0].reason


def test_stored_records_that_no_longer_calculate_are_named_and_the_rest_is_reported(client, world, db) -> None:
    # A diesel row imported soundly, then its factor made one that does not exist (as data stored
    # before today's checks, or a factor withdrawn since, would be).
    from sqlalchemy import text

    base = f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}"
    sound = client.get(f"{base}/report", headers=world.headers("viewer")).get_json()
    data = (f"{HEADER}\n{world.site_a},Generator diesel,1,stationary_combustion,fuel,100,L,2025-03-01,2025-03-31,"
            f"{DIESEL}\n").encode()
    imported = client.post(f"{base}/imports", headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "diesel.csv")}).get_json()
    with db() as session:
        [record_id] = session.execute(text("SELECT id FROM activity_records WHERE import_id = :i"),
                                      {"i": imported["import_id"]}).scalars().all()
        session.execute(text("UPDATE activity_records SET factor_key = 'org:withdrawn' WHERE id = :r"),
                        {"r": record_id})
        session.commit()

    report = client.get(f"{base}/report", headers=world.headers("viewer"))
    assert report.status_code == 200, report.get_json()
    document = report.get_json()
    assert document["complete"] is False
    assert document["incalculable"] == [{
        "reason": "unknown emission factor 'org:withdrawn'", "record_ids": [record_id], "files": ["diesel.csv"],
        "rows": ["diesel.csv, row 2"]}]  # the file's one row after its header
    # the figures are those of the records that calculate: the report before the diesel row
    assert document["location_based"]["tco2e"] == sound["location_based"]["tco2e"]
    assert sound["complete"] is True and sound["incalculable"] == []

    # nothing that needs the whole inventory takes partial figures: verifying it is refused, naming the record
    verified = client.post(f"{base}/verification", headers=world.headers("verifier"), content_type="multipart/form-data",
                           data={"body": "CQC", "accreditation": "CNAS", "assurance_level": "reasonable",
                                 "materiality_percent": "5", "opinion": "unmodified", "verified_on": "2026-03-01",
                                 "statement": (io.BytesIO(b"%PDF statement"), "statement.pdf")})
    assert verified.status_code == 422, verified.get_json()
    message = verified.get_json()["error"]["message"]
    assert f"record {record_id} (diesel.csv, row 2): unknown emission factor 'org:withdrawn'" in message


def test_a_dry_run_estimates_each_row_and_the_totals_by_scope_exactly(client, world, table_counts) -> None:
    # Row 2: natural gas 10,000 m³ at the Chinese default (389.31 GJ per 10⁴ m³, 55,539 kg CO2/TJ):
    #   0.38931 TJ × 55,539 kg = 21,621.88809 kg = 21.62188809 t (Scope 1).
    # Row 3: 100 MWh of grid electricity at the Jiangsu site, 2025, priced at the latest published
    #   East China factor (2023: 0.5500 t/MWh) = 55 t location-based; market-based, no
    #   certificates, at the national residual mix 2023 (0.6096 t/MWh) = 60.96 t.
    before = table_counts()
    data = (f"{HEADER}\n"
            f"{world.site_a},Boiler,1,stationary_combustion,fuel,10000,m3,2025-03-01,2025-03-31,"
            "cnguide2015:natural_gas:combustion\n"
            f"{world.site_a},Grid,2,,electricity,100,MWh,2025-03-01,2025-03-31,\n").encode()
    response = client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
                           headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "march.csv"), "dry_run": "true"})
    assert response.status_code == 201, response.get_json()
    estimate = response.get_json()["estimate"]
    assert {row: Decimal(t) for row, t in estimate["rows"].items()} == {
        "2": Decimal("21.62188809"), "3": Decimal("55")}
    assert {s: Decimal(t) for s, t in estimate["location_by_scope"].items()} == {
        "1": Decimal("21.62188809"), "2": Decimal("55"), "3": Decimal("0")}
    assert {s: Decimal(t) for s, t in estimate["market_by_scope"].items()} == {
        "1": Decimal("21.62188809"), "2": Decimal("60.96"), "3": Decimal("0")}
    assert Decimal(estimate["location_tco2e"]) == Decimal("76.62188809")
    assert Decimal(estimate["market_tco2e"]) == Decimal("82.58188809")
    assert table_counts() == before


def test_a_file_with_malformed_rows_still_has_its_other_rows_checked_against_the_inventory(
    client, world, table_counts
) -> None:
    # Row 2 is malformed (a negative quantity), row 3 names a site the organisation does not have,
    # row 4 a factor that does not exist, row 5 is sound. Before, the malformed row alone was
    # reported and the other two surfaced only once it was fixed.
    before = table_counts()
    data = (f"{HEADER}\n"
            f"{world.site_a},Generator,1,stationary_combustion,fuel,-5,L,2025-03-01,2025-03-31,{DIESEL}\n"
            f"Atlantis,Generator,1,stationary_combustion,fuel,5,L,2025-03-01,2025-03-31,{DIESEL}\n"
            f"{world.site_a},Boiler,1,stationary_combustion,fuel,5,L,2025-03-01,2025-03-31,org:nonexistent\n"
            f"{world.site_a},Loader,1,stationary_combustion,fuel,5,L,2025-03-01,2025-03-31,{DIESEL}\n").encode()
    for dry_run in ("false", "true"):
        response = client.post(
            f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
            headers=world.headers("lead"), content_type="multipart/form-data",
            data={"file": (io.BytesIO(data), "mixed.csv"), "dry_run": dry_run})
        body = response.get_json()
        errors = body["preview"]["errors"] if dry_run == "true" else body["error"]["details"]["errors"]
        assert [(e["row"], e["column"]) for e in errors] == [(2, "quantity"), (3, "site"), (4, "factor_key")], errors
        assert "Atlantis" in errors[1]["reason"] and "org:nonexistent" in errors[2]["reason"]
        assert table_counts() == before
