"""The register of reduction measures through the API: a measure's expected reduction is
calculated from its change, the register is ranked by the organisation's weights, bad input is
refused with the field named and nothing written, and only the organisation's managers write."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal, localcontext
from typing import Any

import pytest

from tests.factories import World

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

PUMP = {"kind": "efficiency", "energy_mwh": "200", "efficiency_before": "0.70", "efficiency_after": "0.85",
        "factor_t_per_mwh": "0.5", "factor_source": "grid 2024"}


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _create(client: Any, world: World, who: str = "lead", **fields: Any) -> Any:
    body = {"title_en": "Pump VSD", "title_zh_hans": "水泵变频", "category": "energy_efficiency", **fields}
    return client.post(f"{_base(world)}/measures", json=body, headers=world.headers(who))


def _scores(feasibility: int, impact: int, rest: int) -> dict[str, int]:
    return {"feasibility": feasibility, "impact": impact, "cost_benefit": rest,
            "stakeholder_expectations": rest, "compliance": rest, "innovation": rest}


def test_a_pump_measure_answers_its_expected_reduction_exactly(client, world) -> None:
    response = _create(client, world, site_id=world.site_a, change=PUMP, status="planned", horizon="quick_win",
                       cost_amount="120000", cost_currency="cny")
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    # seed 000: 200 − 200 × 0.70 / 0.85 = 35.294117647… MWh saved; × 0.5 t/MWh = 17.647058823… t,
    # rounded only at the end (the guide rounds early and prints 17.7)
    with localcontext() as ctx:
        ctx.prec = 50
        saved = Decimal(200) - Decimal(200) * Decimal("0.70") / Decimal("0.85")
        tonnes = saved * Decimal("0.5")
    expected = answer["expected"]
    assert Decimal(expected["tco2e"]) == tonnes
    assert expected["tco2e"].startswith("17.64705882352941176470588235")
    assert Decimal(expected["mwh"]) == saved
    assert expected["presented_tco2e"] == "17.647"
    assert expected["kind"] == "efficiency" and len(expected["trail"]) == 3
    assert "grid 2024" in expected["basis"]
    assert answer["gwp_set"] == "AR6"  # the world's latest inventory (2026) is in AR6, the default
    assert answer["cost"] == {"amount": "120000", "currency": "CNY"}
    assert answer["scope"] == 2 and answer["site_id"] == world.site_a
    assert answer["change"]["efficiency_after"] == "0.85"
    # and it is stored: read back the same
    again = client.get(f"{_base(world)}/measures/{answer['id']}", headers=world.headers("viewer"))
    assert again.status_code == 200
    assert again.get_json()["expected"]["tco2e"] == expected["tco2e"]


def test_the_register_is_ranked_by_the_organisations_weights(client, world) -> None:
    made = {}
    # A: feasibility 5, the rest 1; B: impact 4, the rest 2; C: 2 everywhere; D: not rated
    for title, scores in (("A", _scores(5, 1, 1)), ("B", _scores(2, 4, 2)), ("C", _scores(2, 2, 2)), ("D", None)):
        response = _create(client, world, title_en=title, title_zh_hans="", scores=scores)
        assert response.status_code == 201, response.get_json()
        made[response.get_json()["id"]] = title
    path = f"{_base(world)}/measures"
    # equal weights: A = 5 + 5 × 1 = 10; B = 2 + 4 + 4 × 2 = 14; C = 6 × 2 = 12 → B, C, A; D last
    register = client.get(path, headers=world.headers("viewer")).get_json()
    assert [(made[m["id"]], m["rank"], m["score"]) for m in register["measures"]] == [
        ("B", 1, "14"), ("C", 2, "12"), ("A", 3, "10"), ("D", None, None)]
    weights = {"feasibility": "3", "impact": "1", "cost_benefit": "1", "stakeholder_expectations": "1",
               "compliance": "1", "innovation": "1"}
    put = client.put(f"{_base(world)}/measure-weights", json=weights, headers=world.headers("lead"))
    assert put.status_code == 200, put.get_json()
    # feasibility × 3: A = 15 + 5 = 20; B = 6 + 4 + 8 = 18; C = 6 + 10 = 16 → A, B, C
    register = client.get(path, headers=world.headers("viewer")).get_json()
    assert [(made[m["id"]], m["rank"], m["score"]) for m in register["measures"]] == [
        ("A", 1, "20"), ("B", 2, "18"), ("C", 3, "16"), ("D", None, None)]
    assert register["weights"]["feasibility"] == "3"


def test_a_measure_is_changed_and_checked_whole_again(client, world) -> None:
    created = _create(client, world, change=PUMP).get_json()
    path = f"{_base(world)}/measures/{created['id']}"
    # done without the date it was completed: refused, nothing changed
    refused = client.patch(path, json={"status": "done"}, headers=world.headers("lead"))
    assert refused.status_code == 422
    assert list(refused.get_json()["error"]["details"]) == ["end_date"]
    done = client.patch(path, json={"status": "done", "end_date": "2025-06-30"}, headers=world.headers("lead"))
    assert done.status_code == 200, done.get_json()
    answer = done.get_json()
    assert (answer["status"], answer["end_date"], answer["title_zh_hans"]) == ("done", "2025-06-30", "水泵变频")
    assert answer["expected"]["presented_tco2e"] == "17.647"  # the change is kept


def test_evidence_is_kept_with_its_fingerprint(client, world) -> None:
    created = _create(client, world).get_json()
    content = b"%PDF meter readings"
    response = client.post(f"{_base(world)}/measures/{created['id']}/evidence", headers=world.headers("lead"),
                           data={"evidence": (io.BytesIO(content), "meter.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.get_json()["size_bytes"] == len(content)
    read = client.get(f"{_base(world)}/measures/{created['id']}", headers=world.headers("viewer")).get_json()
    assert [e["filename"] for e in read["evidence"]] == ["meter.pdf"]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"change": {**PUMP, "efficiency_after": "1.2"}}, "change.efficiency_after", "at most 1"),
        ({"change": {"kind": "refrigerant_swap", "charge_kg": "20000", "refrigerant_before": "R-22",
                     "refrigerant_after": "R-32", "leak_rate_percent": "10"}}, "change.charge_kg", "10000 kg"),
        # 10^30 MWh: no plant's year (and no figure that could be presented)
        ({"change": {**PUMP, "energy_mwh": "1E+30"}}, "change.energy_mwh", "above 1000000000"),
        ({"scores": _scores(6, 3, 3)}, "scores.feasibility", "outside 1 to 5"),
        ({"category": "teleportation"}, "category", "is not one of"),
        ({"title_en": " ", "title_zh_hans": ""}, "title_en", "at least one language"),
        ({"start_date": "2025-06-01", "end_date": "2025-01-31"}, "end_date", "before the start"),
        ({"change": {"kind": "magic"}}, "change.kind", "is not one of"),
        ({"site_id": 999_999}, "site_id", "not found"),
        ({"cost_amount": "100", "cost_currency": "Y1"}, "cost_currency", "three-letter"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(
    client, world, table_counts, fields: dict[str, Any], field: str, words: str,
) -> None:
    before = table_counts()
    response = _create(client, world, **fields)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["details"], error
    assert words in " ".join(error["details"][field])
    assert table_counts() == before


def test_weights_that_add_up_to_zero_are_refused_and_nothing_written(client, world, table_counts) -> None:
    before = table_counts()
    zeros = dict.fromkeys(("feasibility", "impact", "cost_benefit", "stakeholder_expectations", "compliance",
                           "innovation"), "0")
    response = client.put(f"{_base(world)}/measure-weights", json=zeros, headers=world.headers("lead"))
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]) == ["weights"]
    assert table_counts() == before


def test_a_viewer_cannot_add_a_measure(client, world, table_counts) -> None:
    before = table_counts()
    response = _create(client, world, who="viewer")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert table_counts() == before


def test_another_organisations_measure_is_not_found(client, world, table_counts) -> None:
    created = _create(client, world).get_json()
    # B's lead asks for A's measure, through A and through B: not found either way
    through_a = client.get(f"{_base(world)}/measures/{created['id']}", headers=world.headers("outsider"))
    assert through_a.status_code == 404
    before = table_counts()
    through_b = client.patch(f"/api/v1/organisations/{world.org_b}/measures/{created['id']}",
                             json={"status": "dropped"}, headers=world.headers("outsider"))
    assert through_b.status_code == 404
    assert through_b.get_json()["error"]["code"] == "not_found"
    assert table_counts() == before


def test_every_write_is_in_the_audit_log(client, world, table_counts) -> None:
    before = table_counts()["audit_entries"]
    created = _create(client, world).get_json()
    client.patch(f"{_base(world)}/measures/{created['id']}", json={"horizon": "long_term"},
                 headers=world.headers("lead"))
    entries = client.get(f"{_base(world)}/audit", headers=world.headers("lead")).get_json()
    actions = [entry["action"] for entry in entries["items"]]
    assert table_counts()["audit_entries"] == before + 2
    assert {"reduction_measure.create", "reduction_measure.update"} <= set(actions)


def test_a_refusal_and_the_trail_are_said_in_the_readers_language(client, world) -> None:
    zh_hant = {**world.headers("lead"), "Accept-Language": "zh-TW,zh;q=0.9"}
    refused = client.post(f"{_base(world)}/measures", headers=zh_hant, json={
        "title_zh_hant": "水泵變頻", "category": "energy_efficiency", "change": {**PUMP, "efficiency_after": "1.2"}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["change.efficiency_after"] == [
        "效率是大於 0 且不超過 1 的小數（85 % 填 0.85）"]
    created = client.post(f"{_base(world)}/measures", headers=zh_hant, json={
        "title_zh_hant": "水泵變頻", "category": "energy_efficiency", "change": PUMP})
    assert created.status_code == 201
    trail = created.get_json()["expected"]["trail"]
    assert trail[1].startswith("節約能源 = 200 MWh − ") and "35.294" in trail[1]


def test_the_same_evidence_twice_is_a_conflict_and_an_empty_file_is_refused(client, world, table_counts) -> None:
    created = _create(client, world).get_json()
    path = f"{_base(world)}/measures/{created['id']}/evidence"

    def send(content: bytes) -> Any:
        return client.post(path, headers=world.headers("lead"), content_type="multipart/form-data",
                           data={"evidence": (io.BytesIO(content), "meter.pdf")})

    assert send(b"%PDF readings").status_code == 201
    before = table_counts()
    again = send(b"%PDF readings")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    empty = send(b"")
    assert empty.status_code == 422 and list(empty.get_json()["error"]["details"]) == ["evidence"]
    assert table_counts() == before


def test_weights_set_again_replace_the_organisations_one_row(client, world, table_counts) -> None:
    before = table_counts()
    path = f"{_base(world)}/measure-weights"
    for feasibility in ("2", "0.5"):
        weights = {"feasibility": feasibility, "impact": "1", "cost_benefit": "1", "stakeholder_expectations": "1",
                   "compliance": "1", "innovation": "0"}
        assert client.put(path, json=weights, headers=world.headers("lead")).status_code == 200
    after = table_counts()
    assert after["measure_weights"] == before["measure_weights"] + 1
    assert after["audit_entries"] == before["audit_entries"] + 2
    register = client.get(f"{_base(world)}/measures", headers=world.headers("viewer")).get_json()
    assert (register["weights"]["feasibility"], register["weights"]["innovation"]) == ("0.5", "0")
