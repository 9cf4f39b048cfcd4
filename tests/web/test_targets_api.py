"""Reduction targets through the API: stored, followed along their trajectory over the inventories.

Hand calculations:
- −30 % by 2030 from 1,000 t in 2024: target 1,000 × 0.70 = 700 t; the line falls 300 t over six
  years, 50 t a year, so 2027 allows 1,000 − 3 × 50 = 850 t.
- The world (tests/factories.py): commitment B's 2024 inventory (verified) and 2025 one (draft)
  each hold 1,200 MWh of grid electricity in Jiangsu: location-based 1,200 × 0.5500 = 660 t,
  market-based 1,200 × 0.6096 (national residual mix) = 731.52 t; its 2026 inventory (external)
  holds no total yet.
- Absolute Scope 2 location-based, 660 t in 2024, −30 % by 2030: target 462 t, 198 t off over six
  years, 33 t a year: 2025 allows 627 t; 660 t is 33 t above the line, 0 % reduced.
- Intensity Scope 2 market-based per MWh of output, 2024 output 1,200 MWh: base 731.52 / 1,200 =
  0.6096 t/MWh; −30 % by 2030 → 0.42672, 0.18288 off over six years, 0.03048 a year: 2025 allows
  0.57912. 2025 output 1.5 GWh = 1,500 MWh: 731.52 / 1,500 = 0.48768 t/MWh, 0.09144 below the
  line, (0.6096 − 0.48768) / 0.6096 = 20 % reduced in intensity, 0 % in tCO2e, output +25 %.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


ABSOLUTE = {"kind": "absolute", "scopes": [1, 2], "scope2_basis": "location_based", "base_year": 2024,
            "base_value": "1000", "target_year": 2030, "reduction_percent": "30"}
INTENSITY = {"kind": "intensity", "scopes": [2], "scope2_basis": "market_based", "base_year": 2024,
             "base_value": "0.6096", "target_year": 2030, "reduction_percent": "30", "output_unit": "MWh",
             "base_output": "1200"}


def _create(client: Any, world: World, payload: dict[str, Any], who: str = "lead") -> Any:
    return client.post(f"{_base(world)}/targets", json=payload, headers=world.headers(who))


def _progress(client: Any, world: World, target_id: int) -> dict[str, Any]:
    answer = client.get(f"{_base(world)}/targets/{target_id}/progress", headers=world.headers("viewer"))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _allowed(progress: dict[str, Any], year: int) -> Decimal:
    return next(Decimal(p["allowed"]) for p in progress["trajectory"] if p["year"] == year)


def test_a_target_is_stored_with_its_line_to_the_target_year(client, world) -> None:
    created = _create(client, world, ABSOLUTE)
    assert created.status_code == 201, created.get_json()
    target = created.get_json()
    assert (target["scopes"], target["target_value"], target["commitment_id"]) == ([1, 2], "700", None)
    fetched = client.get(f"{_base(world)}/targets/{target['id']}", headers=world.headers("viewer")).get_json()
    assert fetched == target
    listed = client.get(f"{_base(world)}/targets", headers=world.headers("viewer")).get_json()
    assert [t["id"] for t in listed["items"]] == [target["id"]]
    progress = _progress(client, world, target["id"])
    assert _allowed(progress, 2027) == Decimal("850")  # 1,000 − 3 × 50
    assert [p["year"] for p in progress["trajectory"]] == list(range(2024, 2031))


def test_progress_places_each_inventory_on_the_absolute_line(client, world) -> None:
    target = _create(client, world, {**ABSOLUTE, "scopes": [2], "base_value": "660",
                                     "commitment_id": world.commitment_b}).get_json()
    progress = _progress(client, world, target["id"])
    got = [(p["year"], p["inventory_id"], Decimal(p["actual"]), Decimal(p["allowed"]), Decimal(p["gap"]),
            p["on_track"], Decimal(p["reduced_percent"])) for p in progress["periods"]]
    assert got == [
        (2024, world.inventory_verified, Decimal("660"), Decimal("660"), Decimal("0"), True, Decimal("0")),
        (2025, world.inventory_draft, Decimal("660"), Decimal("627"), Decimal("33"), False, Decimal("0")),
    ]
    # the 2026 inventory holds nothing yet: not read as 0 t (a 100 % cut)
    assert len(progress["without_figures"]) == 1 and progress["missing_output"] == []


def test_an_intensity_target_divides_by_each_period_output(client, world) -> None:
    target = _create(client, world, {**INTENSITY, "commitment_id": world.commitment_b}).get_json()
    outputs = f"{_base(world)}/periods/{{}}/output"
    first = client.get(f"{_base(world)}/commitments/{world.commitment_b}/periods",
                       headers=world.headers("viewer")).get_json()["items"]
    p2024, p2025 = first[0]["id"], first[1]["id"]
    assert p2024 == world.period_verified
    # without the 2024 output that period cannot be placed; it is listed, not guessed
    assert client.put(outputs.format(p2025), json={"quantity": "1.5", "unit": "GWh"},
                      headers=world.headers("lead")).status_code == 200
    assert _progress(client, world, target["id"])["missing_output"] == [p2024]
    # an output in pieces cannot divide a target per MWh: listed as missing too
    assert client.put(outputs.format(p2024), json={"quantity": "5000", "unit": "unit"},
                      headers=world.headers("lead")).status_code == 200
    assert _progress(client, world, target["id"])["missing_output"] == [p2024]
    answer = client.put(outputs.format(p2024), json={"quantity": "1200", "unit": "MWh"}, headers=world.headers("lead"))
    assert answer.status_code == 200 and answer.get_json()["quantity"] == "1200"

    progress = _progress(client, world, target["id"])
    assert progress["missing_output"] == []
    later = progress["periods"][1]
    assert later["year"] == 2025
    assert Decimal(later["actual"]) == Decimal("0.48768")
    assert Decimal(later["allowed"]) == Decimal("0.57912")
    assert Decimal(later["gap"]) == Decimal("-0.09144") and later["on_track"] is True
    assert Decimal(later["reduced_percent"]) == Decimal("20")
    assert Decimal(later["tco2e"]) == Decimal("731.52") and Decimal(later["absolute_reduced_percent"]) == 0
    assert Decimal(later["output"]) == Decimal("1500") and Decimal(later["output_change_percent"]) == 25


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_year": 2020}, "target_year"),  # before the 2024 base year
        ({"target_year": 2024}, "target_year"),  # the base year itself
        ({"base_year": 1800}, "base_year"),
        ({"reduction_percent": "120"}, "reduction_percent"),
        ({"base_value": "-5"}, "base_value"),
        ({"scopes": []}, "scopes"),
        ({"scopes": [4]}, "scopes"),
        ({"scope2_basis": None}, "scope2_basis"),  # Scope 2 covered, basis not said
        ({"scopes": [1], "scope2_basis": "market_based"}, "scope2_basis"),
        ({"kind": "relative"}, "kind"),
        ({"output_unit": "MWh"}, "output_unit"),  # an absolute target has no output
        ({"kind": "intensity"}, "output_unit"),  # an intensity without its output
        ({"kind": "intensity", "output_unit": "MWh"}, "base_output"),
        ({"kind": "intensity", "output_unit": "MWh", "base_output": "0"}, "base_output"),
        ({"kind": "intensity", "output_unit": "furlong", "base_output": "5"}, "output_unit"),
        ({"kind": "intensity", "output_unit": "tCO2e", "base_output": "5"}, "output_unit"),
    ],
)
def test_a_bad_target_is_refused_naming_its_field_and_nothing_is_written(
        client, world, table_counts, change, field) -> None:
    before = table_counts()
    answer = _create(client, world, {**ABSOLUTE, **change})
    assert answer.status_code == 422, answer.get_json()
    details = answer.get_json()["error"]["details"]
    assert any(key == field or key.startswith(field + ".") for key in details), details
    assert table_counts() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"quantity": "0", "unit": "MWh"}, "quantity"),
    ({"quantity": "-1", "unit": "MWh"}, "quantity"),
    ({"quantity": "10", "unit": "furlong"}, "unit"),
    ({"quantity": "10", "unit": "tCO2e"}, "unit"),
    ({"unit": "MWh"}, "quantity"),
])
def test_a_bad_output_is_refused_naming_its_field_and_nothing_is_written(
        client, world, table_counts, body, field) -> None:
    before = table_counts()
    answer = client.put(f"{_base(world)}/periods/{world.period_verified}/output", json=body,
                        headers=world.headers("lead"))
    assert answer.status_code == 422, answer.get_json()
    details = answer.get_json()["error"]["details"]
    assert any(key == field or key.startswith(field + ".") for key in details), details
    assert table_counts() == before


def test_a_viewer_cannot_set_a_target_or_an_output(client, world, table_counts) -> None:
    before = table_counts()
    assert _create(client, world, ABSOLUTE, who="viewer").status_code == 403
    answer = client.put(f"{_base(world)}/periods/{world.period_verified}/output",
                        json={"quantity": "1", "unit": "MWh"}, headers=world.headers("viewer"))
    assert answer.status_code == 403
    assert table_counts() == before


def test_another_organisation_sees_neither_the_targets_nor_their_progress(client, world, table_counts) -> None:
    target = _create(client, world, ABSOLUTE).get_json()
    outsider = world.headers("outsider")
    assert client.get(f"{_base(world)}/targets", headers=outsider).status_code == 404
    assert client.get(f"{_base(world)}/targets/{target['id']}/progress", headers=outsider).status_code == 404
    # nor can a target of organisation B follow A's commitment, or B's output land on A's period
    before = table_counts()
    b = f"/api/v1/organisations/{world.org_b}"
    assert client.get(f"{b}/targets/{target['id']}", headers=outsider).status_code == 404
    answer = client.post(f"{b}/targets", json={**ABSOLUTE, "commitment_id": world.commitment_b}, headers=outsider)
    assert answer.status_code == 404
    answer = client.put(f"{b}/periods/{world.period_verified}/output", json={"quantity": "1", "unit": "MWh"},
                        headers=outsider)
    assert answer.status_code == 404
    assert table_counts() == before


def test_the_achieved_change_is_split_into_activity_and_factor(client, world) -> None:
    # 2025 gets 300 MWh more on the same grid: 1,500 MWh × 0.5500 = 825 t location-based, 165 t
    # more than 2024's 660, all of it activity (300 × 0.55) and none of it factor (0.55 both years)
    added = client.post(f"{_base(world)}/inventories/{world.inventory_draft}/activities", json={"activities": [{
        "site_id": world.site_a, "source": "Grid electricity, annex", "scope": 2, "activity_type": "electricity",
        "quantity": "300", "unit": "MWh", "start_date": "2025-01-01", "end_date": "2025-12-31",
        "data_quality": "estimated"}]}, headers=world.headers("lead"))
    assert added.status_code == 201, added.get_json()
    target = _create(client, world, {**ABSOLUTE, "scopes": [2], "base_value": "660",
                                     "commitment_id": world.commitment_b}).get_json()
    progress = _progress(client, world, target["id"])
    assert Decimal(progress["periods"][1]["actual"]) == Decimal("825")
    [change] = progress["changes"]
    assert (change["from_year"], change["to_year"]) == (2024, 2025)
    assert Decimal(change["change"]) == Decimal("165")
    assert Decimal(change["due_to_activity"]) == Decimal("165") and Decimal(change["due_to_factor"]) == 0
    # the sources as the user names them: "Grid electricity" stays at 660 t; the annex is new, of
    # the same kind (site, Scope 2 grid electricity), so it is valued at 2024's 0.55: 300 × 0.55 =
    # 165 t of activity, 300 × (0.55 − 0.55) = 0 of factor
    grid, annex = change["sources"]  # in key order: "grid electricity · …" before "grid electricity, annex"
    assert (grid["name"], grid["site_id"], grid["scope"]) == ("Grid electricity", world.site_a, 2)
    assert (Decimal(grid["old_tco2e"]), Decimal(grid["new_tco2e"]), Decimal(grid["change"])) == (
        Decimal("660"), Decimal("660"), Decimal(0))
    assert annex["name"] == "Grid electricity, annex"
    assert (Decimal(annex["old_tco2e"]), Decimal(annex["new_tco2e"]), Decimal(annex["due_to_activity"]),
            Decimal(annex["due_to_factor"])) == (Decimal(0), Decimal("165"), Decimal("165"), Decimal(0))
    assert grid["source"] == f"site {world.site_a} · scope 2 · grid electricity · electricity"


# --- the rules of a standard read the stored targets ------------------------------------------------


def _sbti(client: Any, world: World) -> dict[str, dict[str, Any]]:
    chosen = client.patch(f"{_base(world)}/commitments/{world.commitment_b}", headers=world.headers("lead"),
                          json={"frameworks": ["sbti-near-term"]})
    assert chosen.status_code == 200, chosen.get_json()
    answer = client.get(f"{_base(world)}/periods/{world.period_verified}/findings", headers=world.headers("viewer"))
    assert answer.status_code == 200, answer.get_json()
    return {f["rule_id"]: f for f in answer.get_json()["findings"] if f["rule_id"].startswith("SBTI")}


SBTI_TARGET = {"kind": "absolute", "scopes": [1, 2], "scope2_basis": "location_based", "base_year": 2021,
               "base_value": "1000", "target_year": 2030, "reduction_percent": "42", "set_on": "2024-05-01",
               "coverage_percent": "96"}


def test_the_sbti_rules_judge_the_targets_of_the_register(client, world) -> None:
    # without a target, the ambition rule has nothing to compare
    assert _sbti(client, world)["SBTI-04"]["outcome"] == "not_applicable"
    assert _create(client, world, SBTI_TARGET).status_code == 201
    findings = _sbti(client, world)
    # SBTI-04: Scope 1+2 needs 4.2 %/yr × (2030 − 2021) = 37.8 %; 42 % is enough
    assert findings["SBTI-04"]["outcome"] == "pass"
    assert "Scope 1+2 absolute 2021→2030 −42%: needs ≥ 37.8%" in findings["SBTI-04"]["evidence"]["targets"]
    # SBTI-01B: set in 2024, ending 2030: 6 years, within 5–10
    assert findings["SBTI-01B"]["outcome"] == "pass"
    # SBTI-02: the coverage stated, 96 %, is at least 95 %
    assert (findings["SBTI-02"]["outcome"], findings["SBTI-02"]["evidence"]["coverage_percent"]) == ("pass", "96")
    # a second target over the same scopes, −20 % over the same nine years, falls short of 37.8 %
    weak = {**SBTI_TARGET, "reduction_percent": "20"}
    assert _create(client, world, weak).status_code == 201
    ambition = _sbti(client, world)["SBTI-04"]
    assert ambition["outcome"] == "fail"
    assert ambition["evidence"]["targets"] == "Scope 1+2 absolute 2021→2030 −20%: needs ≥ 37.8%"


def test_a_long_term_target_is_judged_as_one(client, world) -> None:
    long_term = {**SBTI_TARGET, "term": "long_term", "target_year": 2050, "reduction_percent": "90",
                 "set_on": None, "coverage_percent": None}
    created = _create(client, world, long_term)
    assert created.status_code == 201, created.get_json()
    assert (created.get_json()["term"], created.get_json()["set_on"]) == ("long_term", None)
    # a near-term rule leaves it out: no near-term target is recorded
    assert _sbti(client, world)["SBTI-04"]["outcome"] == "not_applicable"


@pytest.mark.parametrize(("field", "value"), [
    ("coverage_percent", "0"), ("coverage_percent", "100.5"), ("coverage_percent", "-3"),
    ("set_on", "2999-01-01"), ("term", "mid_term"),
])
def test_a_target_with_a_wrong_term_day_or_coverage_is_refused_by_name(client, world, table_counts, field, value) -> None:
    before = table_counts()
    refused = _create(client, world, {**SBTI_TARGET, field: value})
    assert refused.status_code == 422, refused.get_json()
    assert field in refused.get_json()["error"]["details"]
    assert table_counts() == before
