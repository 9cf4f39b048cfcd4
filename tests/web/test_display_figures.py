"""Figures shown to people carry a rounded ``display`` companion beside the exact figure.

The world (tests/factories.py): the draft 2025 inventory holds 1,200 MWh of grid electricity at
a Jiangsu site, priced by the latest published factors: location-based 0.55 t/MWh (MEE East
China grid 2023), market-based 0.6096 t/MWh (national residual mix 2023). Each test adds
1,234.7 MWh more, so that the period has 2,434.7 MWh and figures that need rounding:

- location-based: 1,200 × 0.55 = 660, plus 1,234.7 × 0.55 = 679.085: 1,339.085 t exactly, a
  half of a hundredth: half-up shows 1,339.09 (half-even would show 1,339.08);
- market-based: 731.52 + 1,234.7 × 0.6096 (= 740.82 + 11.85312 = 752.67312) = 1,484.19312 t,
  shown 1,484.19 (the third decimal, 3, rounds down).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world

EXTRA_MWH = "1234.7"


def _org(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _with_more_electricity(client: Any, world: World) -> int:
    """Adds 1,234.7 MWh to the draft inventory; its period's id."""
    inventory = f"{_org(world)}/inventories/{world.inventory_draft}"
    added = client.post(f"{inventory}/activities", headers=world.headers("lead"), json={"activities": [{
        "site_id": world.site_a, "source": "Grid electricity, hall 2", "scope": 2,
        "activity_type": "electricity", "quantity": EXTRA_MWH, "unit": "MWh",
        "start_date": "2025-01-01", "end_date": "2025-12-31", "data_quality": "metered"}]})
    assert added.status_code == 201, added.get_json()
    return client.get(inventory, headers=world.headers("viewer")).get_json()["period_id"]


def _get(client: Any, world: World, path: str) -> dict[str, Any]:
    answer = client.get(f"{_org(world)}{path}", headers=world.headers("viewer"))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_report_carries_rounded_companions_beside_its_exact_figures(client, world) -> None:
    _with_more_electricity(client, world)
    report = _get(client, world, f"/inventories/{world.inventory_draft}/report")
    location, market = report["location_based"], report["market_based"]
    # the exact figures, unchanged by their companions
    assert (location["tco2e"], market["tco2e"]) == ("1339.085", "1484.19312")
    assert location["by_scope"] == {"1": "0", "2": "1339.085", "3": "0"}
    # 1,339.085 is a half: up to .09; 1,484.19312 down to .19; Scope 1 and 3 are 0.00
    assert location["display"] == {
        "tco2e": "1,339.09", "by_scope": {"1": "0.00", "2": "1,339.09", "3": "0.00"},
        "by_scope3_category": {}, "by_site": {str(world.site_a): "1,339.09"}, "by_iso_category": {"2": "1,339.09"}}
    assert market["display"]["tco2e"] == "1,484.19"
    assert market["display"]["by_scope"] == {"1": "0.00", "2": "1,484.19", "3": "0.00"}
    # each gas of a basis is an object of its own, with its own companion (CO2 alone here)
    assert location["by_gas"]["CO2"] == {"mass_t": "1339.085", "tco2e": "1339.085",
                                         "display": {"mass_t": "1,339.09", "tco2e": "1,339.09"}}
    # the site's market-based Scope 2: 2,434.7 MWh shown to the kWh, its tCO2e to the hundredth
    (site,) = report["scope2_market_by_site"]
    assert site["consumption_mwh"] == "2434.7"
    assert site["display"] == {"consumption_mwh": "2,434.700", "supplier_specific_mwh": "0.000",
                               "covered_mwh": "0.000", "excess_mwh": "0.000",
                               "uncovered_mwh": "2,434.700", "tco2e": "1,484.19"}
    # Neither record states an uncertainty: both are metered, so both take the tier's ±3 %; the
    # MEE grid factor is expert judgement, ±20 %. One group (same site, type, tier): Σq = 2,434.7,
    # Σq² = 1,200² + 1,234.7² = 2,964,484.09. Activity: 3 × 0.55 × √2,964,484.09 = 2,840.9 t·%;
    # factor, once for both: 20 × 1,339.085 = 26,781.7 t·%; √(2,840.9² + 26,781.7²) / 1,339.085
    # = 20.112 %, shown 20.1.
    assert report["uncertainty"]["display"] == {
        "percent": "20.1", "by_scope": {"2": "20.1"}, "records_stated": "0", "records_tier_default": "2",
        "records_without_uncertainty": "0", "factors_published": "0", "factors_expert_judgement": "1",
        "factors_without_uncertainty": "0"}
    assert report["uncertainty"]["percent"].startswith("20.11220808544")


def test_the_balance_carries_rounded_companions_beside_its_exact_figures(client, world) -> None:
    period = _with_more_electricity(client, world)
    balance = _get(client, world, f"/periods/{period}/balance")
    assert (balance["gross_location_tco2e"], balance["residual_tco2e"]) == ("1339.085", "1484.19312")
    # nothing is retired for 2025: the residual is the market-based total, the difference its
    # negative (−1,484.19312, shown −1,484.19, the sign kept); 0 % of the electricity covered
    assert balance["difference_tco2e"] == "-1484.19312"
    assert balance["display"] == {
        "gross_location_tco2e": "1,339.09", "gross_market_tco2e": "1,484.19",
        "electricity_mwh": "2,434.700", "eac_retired_mwh_by_market": {}, "retired_by_scheme": {},
        "eac_covered_mwh": "0.000", "eac_unused_mwh_by_market": {}, "electricity_covered_percent": "0.0",
        "residual_tco2e": "1,484.19", "credits_retired_tco2e": "0.00", "difference_tco2e": "-1,484.19"}


def test_the_needs_carry_rounded_companions_per_market_and_for_credits(client, world) -> None:
    period = _with_more_electricity(client, world)
    needs = _get(client, world, f"/periods/{period}/needs")
    (market,) = needs["markets"]
    # all 2,434.7 MWh still to be covered by certificates, none held
    assert market["eac_to_buy_mwh"] == "2434.7"
    assert market["display"] == {"electricity_mwh": "2,434.700", "eac_retired_mwh": "0.000",
                                 "eac_needed_mwh": "2,434.700", "eac_held_mwh": "0.000",
                                 "eac_to_buy_mwh": "2,434.700"}
    # with all electricity covered nothing is left for credits; the 29,813 VCUs held are counted
    # in tonnes, two decimals like every tCO2e
    assert needs["credits"]["held_tco2e"] == "29813"
    assert needs["credits"]["display"] == {
        "gross_location_tco2e": "1,339.09", "gross_market_tco2e": "1,484.19", "residual_tco2e": "0.00",
        "retired_tco2e": "0.00", "needed_tco2e": "0.00", "held_tco2e": "29,813.00", "to_buy_tco2e": "0.00"}


def test_the_retirement_plan_carries_rounded_companions_of_needs_units_and_cost(client, world) -> None:
    period = _with_more_electricity(client, world)
    plan = _get(client, world, f"/periods/{period}/retirement-plan")
    # no certificates are held: 2,434.7 MWh need 2,435 whole certificates, all short
    (electricity,) = plan["electricity"]
    assert (electricity["need"], electricity["units_needed"]) == ("2434.7", 2435)
    assert electricity["display"] == {"electricity_mwh": "2,434.700", "retired_mwh": "0.000",
                                      "need": "2,434.700", "units_needed": "2,435", "planned": "0",
                                      "shortfall": "2,435", "over": "0"}
    # credits: the residual 1,484.19312 t needs 1,485 VCUs, taken from block_a at USD 6.50:
    # 1,485 × 6.50 = USD 9,652.5, shown as an amount
    assert plan["credits"]["need"] == "1484.19312"
    assert plan["credits"]["display"] == {"residual_tco2e": "1,484.19", "retired_tco2e": "0.00",
                                          "need": "1,484.19", "units_needed": "1,485", "planned": "1,485",
                                          "shortfall": "0", "over": "0"}
    assert plan["cost"] == {"USD": "9652.5"}
    assert plan["display"] == {"cost": {"USD": "9,652.50"}, "units_without_price": "0"}


def test_holdings_carry_rounded_units_and_cost(client, world) -> None:
    # block_a: 29,813 VCUs at USD 6.50 = USD 193,784.5
    (line,) = _get(client, world, "/holdings")
    assert (line["quantity"], line["cost"]) == (29813, {"USD": "193784.5"})
    assert line["display"] == {"quantity": "29,813", "blocks": "1", "cost": {"USD": "193,784.50"},
                               "units_without_price": "0"}


def test_a_dry_run_estimate_and_preview_totals_carry_rounded_companions(client, world) -> None:
    # Row 2: 10,000 m³ of natural gas at the Chinese default = 21.62188809 t (Scope 1); row 3:
    # 100 MWh of grid electricity = 55 t location-, 60.96 t market-based (the arithmetic is in
    # tests/web/test_calculable_imports.py). Totals 76.62188809 and 82.58188809 t.
    header = "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key"
    data = (f"{header}\n"
            f"{world.site_a},Boiler,1,stationary_combustion,fuel,10000,m3,2025-03-01,2025-03-31,"
            "cnguide2015:natural_gas:combustion\n"
            f"{world.site_a},Grid,2,,electricity,100,MWh,2025-03-01,2025-03-31,\n").encode()
    answer = client.post(f"{_org(world)}/inventories/{world.inventory_draft}/imports",
                         headers=world.headers("lead"), content_type="multipart/form-data",
                         data={"file": (io.BytesIO(data), "march.csv"), "dry_run": "true"})
    assert answer.status_code == 201, answer.get_json()
    outcome = answer.get_json()
    estimate = outcome["estimate"]
    assert (estimate["location_tco2e"], estimate["market_tco2e"]) == ("76.62188809", "82.58188809")
    assert estimate["display"] == {
        "rows": {"2": "21.62", "3": "55.00"},
        "location_by_scope": {"1": "21.62", "2": "55.00", "3": "0.00"},
        "market_by_scope": {"1": "21.62", "2": "60.96", "3": "0.00"},
        "location_tco2e": "76.62", "market_tco2e": "82.58"}
    # the preview's totals: one row of each, in its own unit, to three decimals
    totals = {(t["activity_type"], t["unit"]): (Decimal(t["quantity"]), t["display"])
              for t in outcome["preview"]["totals"]}
    assert totals == {("fuel", "m3"): (Decimal(10000), {"rows": "1", "quantity": "10,000.000"}),
                      ("electricity", "MWh"): (Decimal(100), {"rows": "1", "quantity": "100.000"})}


def test_the_openapi_document_describes_each_companion(client) -> None:
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    balance = schemas["Balance"]["properties"]["display"]
    assert balance["readOnly"] is True
    (reference,) = balance["allOf"]
    companion = schemas[reference["$ref"].rsplit("/", 1)[-1]]
    assert companion["properties"]["residual_tco2e"]["type"] == "string"
    assert "2 decimals" in companion["properties"]["residual_tco2e"]["description"]
    assert companion["properties"]["eac_retired_mwh_by_market"]["type"] == "object"
    assert "3 decimals" in companion["properties"]["eac_retired_mwh_by_market"]["description"]
    assert "1 decimal" in companion["properties"]["electricity_covered_percent"]["description"]
