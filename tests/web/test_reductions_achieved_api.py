"""A period's achieved reductions through the API, read from real inventories.

The world (tests/factories.py): commitment B's 2024 period has a verified inventory (the base
year) of 1,200 MWh of grid electricity ("Grid electricity", site A, Jiangsu); its 2025 period a
draft with the same record; its 2026 period an external inventory without totals yet.

Hand calculations, the 2025 draft cut to 1,000 MWh of "grid electricity" (renamed in lower case):
- location-based (0.5500 t/MWh both years): 660 t → 550 t, −110 t; activity −200 × 0.55 = −110,
  factor 1,000 × 0 = 0: 110 t achieved.
- market-based (the national residual mix 0.6096 t/MWh both years): 731.52 → 609.6 t, −121.92 t,
  all activity (−200 × 0.6096).
- The 2024 period is both the previous period and the base year: the two comparisons agree.
- The on-site PV measure (done 2024-09-30, Scope 2, source "GRID  electricity" at site A)
  expects 200 MWh × 0.55 = 110 t a year and achieved the grid source's 110 t (121.92 t
  market-based); "Compressed air" is in neither inventory; a planned measure is not read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _period_of(client: Any, world: World, inventory_id: int) -> int:
    answer = client.get(f"{_base(world)}/inventories/{inventory_id}", headers=world.headers("viewer"))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["period_id"]


def _reductions(client: Any, world: World, period_id: int, who: str = "viewer") -> Any:
    return client.get(f"{_base(world)}/periods/{period_id}/reductions", headers=world.headers(who))


def _measure(client: Any, world: World, payload: dict[str, Any]) -> int:
    answer = client.post(f"{_base(world)}/measures", json=payload, headers=world.headers("lead"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def _cut_2025_to_1000_mwh(client: Any, world: World) -> None:
    inventory = f"{_base(world)}/inventories/{world.inventory_draft}"
    deleted = client.delete(f"{inventory}/activities/{world.activity_draft}", headers=world.headers("lead"))
    assert deleted.status_code == 204, deleted.get_json()
    added = client.post(f"{inventory}/activities", json={"activities": [{
        "site_id": world.site_a, "source": "grid electricity", "scope": 2, "activity_type": "electricity",
        "quantity": "1000", "unit": "MWh", "start_date": "2025-01-01", "end_date": "2025-12-31",
        "data_quality": "metered"}]}, headers=world.headers("lead"))
    assert added.status_code == 201, added.get_json()


def _figures(line: dict[str, Any]) -> tuple[Decimal | None, ...]:
    return tuple(None if line[k] is None else Decimal(line[k]) for k in (
        "old_tco2e", "new_tco2e", "change", "due_to_activity", "due_to_factor", "achieved_reduction",
        "factor_reduction"))


def test_a_period_against_the_previous_period_and_the_base_year(client, world) -> None:
    _cut_2025_to_1000_mwh(client, world)
    pv = _measure(client, world, {
        "title_en": "On-site PV", "category": "on_site_renewables", "status": "done", "end_date": "2024-09-30",
        "scope": 2, "source": "GRID  electricity", "site_id": world.site_a,
        "change": {"kind": "electricity_switch", "energy_mwh": "200", "grid_factor_t_per_mwh": "0.55",
                   "source": "on_site_pv"}})
    air = _measure(client, world, {"title_en": "Compressed air leaks", "category": "general_equipment",
                                   "status": "done", "end_date": "2024-10-01", "source": "Compressed air"})
    planned = _measure(client, world, {"title_en": "Heat pump", "category": "energy_efficiency"})
    period = _period_of(client, world, world.inventory_draft)

    answer = _reductions(client, world, period)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["period_id"], body["year"], body["inventory_id"]) == (period, 2025, world.inventory_draft)
    previous, base = body["against_previous"], body["against_base_year"]
    for against in (previous, base):
        assert (against["from_period_id"], against["from_year"], against["from_inventory_id"], against["to_year"]) == (
            world.period_verified, 2024, world.inventory_verified, 2025)
        location, market = against["result"]["location"], against["result"]["scope2_market"]
        # 660 → 550: −110, all activity; 110 achieved, nothing from the factor
        assert _figures(location["total"]) == (Decimal(660), Decimal(550), Decimal(-110), Decimal(-110),
                                               Decimal(0), Decimal(110), Decimal(0))
        assert [line["scope"] for line in location["by_scope"]] == [2]
        assert [(line["site_id"], line["name"]) for line in location["by_source"]] == [
            (world.site_a, "grid electricity")]
        # 731.52 → 609.6: −121.92, all activity
        assert _figures(market["total"]) == (Decimal("731.52"), Decimal("609.6"), Decimal("-121.92"),
                                             Decimal("-121.92"), Decimal(0), Decimal("121.92"), Decimal(0))
        assert Decimal(against["result"]["attributed_reduction"]) == Decimal(110)
        assert Decimal(against["result"]["unattributed_reduction"]) == Decimal(0)
    by_id = {m["measure_id"]: m for m in body["measures"]}
    assert Decimal(by_id[pv]["expected"]["tco2e"]) == Decimal(110)  # 200 MWh × 0.55
    achieved = by_id[pv]["against_base_year"]
    assert (achieved["acts"], Decimal(achieved["achieved_reduction"]), Decimal(achieved["market_achieved_reduction"]),
            achieved["shared_with"], achieved["note"]) == (True, Decimal(110), Decimal("121.92"), [], None)
    missing = by_id[air]["against_previous"]
    assert (missing["acts"], missing["achieved_reduction"]) == (True, None)
    assert missing["note"] == "no source named 'Compressed air' in Scope 2 in either inventory"
    assert by_id[planned]["against_previous"]["acts"] is False
    assert by_id[planned]["expected"] is None


def test_the_base_year_is_compared_with_nothing(client, world) -> None:
    body = _reductions(client, world, world.period_verified).get_json()
    assert (body["against_previous"], body["against_base_year"]) == (None, None)
    assert body["notes"] == ["no earlier period of this commitment has an inventory with figures",
                             "this period is the base year"]


def test_an_inventory_made_elsewhere_is_compared_by_scope_only(client, world) -> None:
    # 2026 (external): Scope 1 10 t, Scope 2 500 t location-based, 600 t market-based. Against
    # 2025's 660 t / 731.52 t (the draft as built): Scope 1 +10, Scope 2 −160; total −150; market −131.52
    external = f"{_base(world)}/inventories/{world.inventory_external}"
    stored = client.post(f"{external}/external-totals", json={"totals": [
        {"scope": 1, "gas": "CO2", "tco2e": "10"}, {"scope": 2, "gas": "CO2", "basis": "location", "tco2e": "500"},
        {"scope": 2, "gas": "CO2", "basis": "market", "tco2e": "600"}]}, headers=world.headers("lead"))
    assert stored.status_code in (200, 201), stored.get_json()
    body = _reductions(client, world, _period_of(client, world, world.inventory_external)).get_json()
    previous = body["against_previous"]
    assert (previous["from_year"], previous["to_year"], previous["to_inventory_id"]) == (
        2024 + 1, 2026, world.inventory_external)
    location = previous["result"]["location"]
    assert location["split"] is False and location["sources"] == [] and location["by_site"] == []
    assert [(line["scope"], Decimal(line["figures"]["change"])) for line in location["by_scope"]] == [
        (1, Decimal(10)), (2, Decimal(-160)), (3, Decimal(0))]
    assert _figures(location["total"]) == (Decimal(660), Decimal(510), Decimal(-150), None, None, None, None)
    assert Decimal(previous["result"]["scope2_market"]["total"]["change"]) == Decimal("-131.52")
    assert previous["notes"] == [
        f"inventory {world.inventory_external} was made with another tool: only its totals by scope are compared, "
        "the change is not split into activity and factor, and no reduction is counted as achieved"]
    # against the base year, 2024: the same figures (660 t and 731.52 t that year too)
    assert Decimal(body["against_base_year"]["result"]["location"]["total"]["change"]) == Decimal(-150)


def test_a_period_without_an_inventory_answers_404_naming_it(client, world) -> None:
    answer = _reductions(client, world, world.period_a)
    assert answer.status_code == 404
    error = answer.get_json()["error"]
    assert (error["code"], error["message"]) == (
        "not_found", f"period {world.period_a} has no inventory: there are no reductions to read")


def test_another_organisation_is_refused(client, world) -> None:
    # organisation B's lead asks for A's period: 404 (tenants do not learn of each other); asking
    # under B's own id for A's period: not found either
    answer = _reductions(client, world, world.period_verified, who="outsider")
    assert answer.status_code == 404
    answer = client.get(f"/api/v1/organisations/{world.org_b}/periods/{world.period_verified}/reductions",
                        headers=world.headers("outsider"))
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    assert client.get(f"{_base(world)}/periods/{world.period_verified}/reductions").status_code == 401


def test_the_notes_are_said_in_the_readers_language(client, world) -> None:
    # a done measure whose source no inventory names, read in 繁體: the note and its nested
    # "at site" part both translated, the site id and the source name kept as they are
    _measure(client, world, {"title_en": "Forklifts", "category": "clean_energy_share", "status": "done",
                             "end_date": "2024-10-01", "source": "Diesel forklifts", "site_id": world.site_a})
    period = _period_of(client, world, world.inventory_draft)
    answer = client.get(f"{_base(world)}/periods/{period}/reductions",
                        headers={**world.headers("viewer"), "Accept-Language": "zh-TW"})
    [measure] = answer.get_json()["measures"]
    assert measure["against_previous"]["note"] == (
        f"兩份清冊中均沒有範疇 1（廠址 {world.site_a}）名為「Diesel forklifts」的排放源")
