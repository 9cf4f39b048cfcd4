"""The retirement planner through the API: propose, then apply all or nothing.

The world (tests/factories.py): period_verified has 1,200 MWh of grid electricity at a Jiangsu
site (market CN), market-based 1,200 × 0.6096 (national residual mix) = 731.52 t without
certificates; 100 VCUs are already retired for it (retirement_a), but for the beneficiary "Suhui
Trading Co.", which is none of the organisation's names: the claim does not count them (SANITY-02),
so a plan covers the whole residual as if they were not there; organisation A holds block_a, 29,813
VCUs of 2022 bought at USD 6.50.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from neutrality.registry import held_blocks, projects
from tests.factories import ADMIN, World

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}"


#: The day plans are made for. The rules judge a block as retired on that day (ISO-21: credits
#: retired within 12 months of the period's end), so a plan for the 2024 period made today would
#: refuse every credit once 2025 is over; plans are made for the day _apply retires on.
RETIRE_ON = "2025-03-20"


def _plan(client: Any, world: World, who: str = "viewer", **query: Any) -> Any:
    query = {"retire_on": RETIRE_ON, **query}
    return client.get(f"{_base(world)}/retirement-plan", query_string=query, headers=world.headers(who))


def _apply(client: Any, world: World, lines: list[dict[str, Any]], who: str = "lead", **fields: Any) -> Any:
    form = {"lines": json.dumps(lines), "beneficiary_text": "Factory A", "purpose": "Factory A, 2024",
            "retired_on": RETIRE_ON, "registry_reference": "BATCH-2025-03-20", **fields}
    return client.post(f"{_base(world)}/retirement-plan", content_type="multipart/form-data",
                       headers=world.headers(who),
                       data={**form, "evidence": (io.BytesIO(b"%PDF registry statement"), "statement.pdf")})


def _irec_2024(uow: Any, world: World, units: int = 1_000) -> int:
    # The device records that it receives no feed-in tariff: from 2023 I-REC issues nothing for
    # subsidised Chinese devices, and an unknown status is refused (IREC-06, blocking).
    device = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "irec", "registry_project_id": "DEV-CN", "name": "Hydro",
        "country": "CN", "technology": "hydro", "subsidised": False})
    return held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "IREC", "serial": f"CN-HYD-0001 to CN-HYD-{units:04d}", "quantity": units,
        "project_id": device.id, "vintage_start": dt.date(2024, 1, 1), "vintage_end": dt.date(2024, 12, 31)},
        as_of=dt.date(2026, 11, 1)).id


def test_a_plan_covers_the_residual_with_the_credits_held(client, world) -> None:
    response = _plan(client, world)
    assert response.status_code == 200, response.get_json()
    plan = response.get_json()
    # no certificates held: the electricity stays uncovered, 1,200 MWh short
    [market] = plan["electricity"]
    assert (market["market"], Decimal(market["need"]), market["planned"], market["shortfall"]) == (
        "CN", Decimal(1200), 0, 1200)
    # credits: 731.52 t, the 100 retired for someone else counting for nothing → 732 whole
    # units, the first 732 of block_a
    credits = plan["credits"]
    assert Decimal(credits["residual_tco2e"]) == Decimal("731.52")
    assert (Decimal(credits["need"]), credits["units_needed"], credits["planned"], credits["shortfall"]) == (
        Decimal("731.52"), 732, 732, 0)
    assert [(line["block_id"], line["quantity"], line["whole"]) for line in plan["lines"]] == [
        (world.block_a, 732, False)]
    # 732 × USD 6.50 = USD 4,758
    assert Decimal(plan["cost"]["USD"]) == Decimal(4758)


def test_certificates_are_planned_first_and_lower_the_residual_the_credits_cover(client, uow, world) -> None:
    irec = _irec_2024(uow, world)
    plan = _plan(client, world).get_json()
    [market] = plan["electricity"]
    assert (market["planned"], market["shortfall"]) == (1000, 200)
    # 200 MWh stay uncovered: 200 × 0.6096 = 121.92 t residual, none of it covered by the 100
    # VCUs the claim does not count → 122 VCUs
    assert Decimal(plan["credits"]["residual_tco2e"]) == Decimal("121.92")
    assert plan["credits"]["units_needed"] == 122
    assert [(line["block_id"], line["quantity"], line["unit"]) for line in plan["lines"]] == [
        (irec, 1000, "MWh"), (world.block_a, 122, "tCO2e")]
    assert plan["units_without_price"] == 1000  # the I-RECs came without a recorded purchase


def test_applying_the_plan_retires_every_line_and_the_period_is_covered(client, uow, world) -> None:
    _irec_2024(uow, world)
    plan = _plan(client, world).get_json()
    response = _apply(client, world, [{"block_id": line["block_id"], "quantity": line["quantity"]}
                                      for line in plan["lines"]])
    assert response.status_code == 201, response.get_json()
    assert [(e["unit"], e["quantity"]) for e in response.get_json()] == [("MWh", 1000), ("tCO2e", 122)]
    claim = client.get(f"{_base(world)}/balance", headers=world.headers("viewer")).get_json()["claim"]
    # under the claim: residual 121.92 t against the 122 credits it counts (the ledger's other
    # 100 are for someone else): covered, 0.08 t to spare
    assert (Decimal(claim["residual_tco2e"]), Decimal(claim["credits_counted_tco2e"])) == (
        Decimal("121.92"), Decimal(122))
    assert (claim["verdict"], Decimal(claim["difference_tco2e"])) == ("covered", Decimal("0.08"))
    # nothing is left to plan for the credits; the electricity stays 200 MWh short
    again = _plan(client, world).get_json()
    assert (again["credits"]["units_needed"], again["lines"]) == (0, [])


def test_a_tolerance_keeps_a_block_whole_when_it_overshoots_by_no_more(client, world) -> None:
    # block_a holds 29,813; the need is 732 units: whole means 29,081 over
    whole = _plan(client, world, tolerance=29_081).get_json()
    assert [(line["quantity"], line["whole"]) for line in whole["lines"]] == [(29_813, True)]
    assert whole["credits"]["over"] == 29_081
    split = _plan(client, world, tolerance=29_080).get_json()
    assert [(line["quantity"], line["whole"]) for line in split["lines"]] == [(732, False)]


def test_certificates_of_another_year_are_refused_by_the_scope2_rule_and_grouped_by_its_explanation(client, uow, world) -> None:
    device = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "irec", "registry_project_id": "DEV-OLD", "name": "Old hydro",
        "country": "CN", "technology": "hydro"})

    def monthly(prefix: str, units: int, month: int) -> int:
        return held_blocks.add_block(uow(), ADMIN, world.org_a, {
            "scheme": "IREC", "serial": f"CN-{prefix}-0001 to CN-{prefix}-{units:04d}", "quantity": units,
            "project_id": device.id, "vintage_start": dt.date(2022, month, 1),
            "vintage_end": dt.date(2022, month, 28)}, as_of=dt.date(2026, 11, 1)).id

    march, june, march_too = monthly("MAR", 500, 3), monthly("JUN", 300, 6), monthly("MAS", 200, 3)
    plan = _plan(client, world).get_json()
    # GHG Protocol Scope 2 (GHGP-04-4, tolerance 0 months) refuses a certificate produced outside
    # the 2024 period. Its explanation names the production month, so the blocks are grouped per
    # rule and month (before the rules engine one group, "produced outside the period", held all
    # three): March's two blocks, 500 + 200 = 700 MWh, and June's 300 MWh
    window = ("outside the period of consumption 2024-01-01…2024-12-31: its generation is not close to "
              "the electricity it covers")
    assert plan["not_accepted"] == [
        {"scheme": "IREC", "reason": f"GHGP-04-4: the certificate was produced 2022-{m}-01…2022-{m}-28, {window}",
         "blocks": len(blocks), "units": units, "block_ids": blocks, "vintage_from": f"2022-{m}-01",
         "vintage_to": f"2022-{m}-28"}
        for m, units, blocks in (("03", 700, [march, march_too]), ("06", 300, [june]))
    ]
    assert all(line["block_id"] not in (march, june, march_too) for line in plan["lines"])


def test_a_plan_with_one_bad_line_retires_nothing(client, uow, world, table_counts) -> None:
    irec = _irec_2024(uow, world)
    before = table_counts()
    # the first line is fine; the second asks for more than block_a holds
    response = _apply(client, world, [{"block_id": irec, "quantity": 1000},
                                      {"block_id": world.block_a, "quantity": 29_814}])
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["message"].startswith(f"line 2 (block {world.block_a}): cannot take 29814 units")
    assert table_counts() == before


@pytest.mark.parametrize(
    ("lines", "fields", "status"),
    [
        ("[]", {}, 422),  # nothing to apply
        ("not json", {}, 422),
        ('[{"block_id": 1, "quantity": 0}]', {}, 422),  # a quantity of 0
        ('[{"block_id": 999999}]', {}, 404),  # no such block (or another organisation's)
        (None, {"retired_on": "2099-01-01"}, 422),  # in the future
        (None, {"purpose": ""}, 422),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_written(client, world, table_counts, lines, fields, status) -> None:
    before = table_counts()
    body = json.loads(lines) if lines not in (None, "not json") else (
        [{"block_id": world.block_a, "quantity": 5}] if lines is None else None)
    if lines == "not json":
        response = client.post(f"{_base(world)}/retirement-plan", content_type="multipart/form-data",
                               headers=world.headers("lead"), data={
                                   "lines": "not json", "beneficiary_text": "A", "purpose": "A", "retired_on": "2025-03-20",
                                   "registry_reference": "R", "evidence": (io.BytesIO(b"%PDF"), "s.pdf")})
    else:
        response = _apply(client, world, body, **fields)
    assert response.status_code == status, response.get_json()
    assert table_counts() == before


def test_the_same_block_twice_in_a_plan_is_refused(client, world, table_counts) -> None:
    before = table_counts()
    response = _apply(client, world, [{"block_id": world.block_a, "quantity": 5},
                                      {"block_id": world.block_a, "quantity": 5}])
    assert response.status_code == 422
    assert "appears twice" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_an_unknown_policy_or_a_negative_tolerance_is_refused(client, world) -> None:
    assert _plan(client, world, policy="random").status_code == 422
    assert _plan(client, world, tolerance=-1).status_code == 422
    assert _plan(client, world, policy="project_preference", prefer="a,b").status_code == 422


def test_a_period_without_an_inventory_has_nothing_to_plan(client, world) -> None:
    response = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_a}/retirement-plan",
                          headers=world.headers("viewer"))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"period_id": ["no inventory"]}


def _reserve(client: Any, world: World, lines: list[dict[str, Any]], who: str = "procurement") -> Any:
    return client.post(f"{_base(world)}/retirement-plan/reservation", json={"lines": lines},
                       headers=world.headers(who))


def _draft_period(client: Any, world: World) -> int:
    """Commitment B's 2025 period: a draft inventory of 1,200 MWh, 731.52 t market-based, no
    retirement, so its plan needs 732 credits."""
    inventory = client.get(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}",
                           headers=world.headers("viewer")).get_json()
    return inventory["period_id"]


def test_units_reserved_for_a_period_are_planned_first_for_it_and_passed_over_by_others(client, world) -> None:
    # the period's plan needs 732 credits (731.52 t: the 100 retired for someone else count for nothing)
    reserved = _reserve(client, world, [{"block_id": world.block_a, "quantity": 732}])
    assert reserved.status_code == 201, reserved.get_json()
    assert [(r["block_id"], r["quantity"]) for r in reserved.get_json()] == [(world.block_a, 732)]
    # the rest of block_a (29,813 − 732 = 29,081) stays held, as a block of its own
    blocks = client.get(f"/api/v1/organisations/{world.org_a}/blocks", headers=world.headers("viewer")).get_json()
    by_status = sorted((b["status"], b["quantity"]) for b in blocks["items"] if b["scheme"] == "VCU")
    assert ("reserved", 732) in by_status and ("held", 29_081) in by_status

    own = _plan(client, world).get_json()
    assert [(line["block_id"], line["quantity"], line["reserved"]) for line in own["lines"]] == [
        (world.block_a, 732, True)]
    other_period = _draft_period(client, world)
    other = client.get(f"/api/v1/organisations/{world.org_a}/periods/{other_period}/retirement-plan",
                       query_string={"retire_on": RETIRE_ON}, headers=world.headers("viewer")).get_json()
    # 732 credits needed there, taken from the held rest, never from the reserved 732
    assert other["credits"]["units_needed"] == 732
    assert all(line["block_id"] != world.block_a for line in other["lines"])
    assert sum(line["quantity"] for line in other["lines"]) == 732
    [passed_over] = [g for g in other["not_accepted"] if g["reason"] == "reserved for another period"]
    assert (passed_over["units"], passed_over["block_ids"]) == (732, [world.block_a])


def test_reserved_units_cannot_be_retired_for_another_period_until_released(client, world, table_counts) -> None:
    _reserve(client, world, [{"block_id": world.block_a, "quantity": 632}])
    other_period = _draft_period(client, world)
    before = table_counts()
    refused = client.post(f"/api/v1/organisations/{world.org_a}/retirements", content_type="multipart/form-data",
                          headers=world.headers("lead"), data={
                              "period_id": str(other_period), "block_id": str(world.block_a),
                              "beneficiary_text": "A", "purpose": "A, 2025", "retired_on": "2026-03-01",
                              "registry_reference": "R", "evidence": (io.BytesIO(b"%PDF"), "c.pdf")})
    assert refused.status_code == 409
    assert f"reserved for period {world.period_verified}" in refused.get_json()["error"]["message"]
    assert table_counts() == before
    released = client.post(f"/api/v1/organisations/{world.org_a}/blocks/{world.block_a}/status",
                           json={"status": "held", "reason": "plan changed"}, headers=world.headers("procurement"))
    assert released.status_code == 200, released.get_json()
    assert table_counts()["block_reservations"] == before["block_reservations"] - 1


def test_applying_the_plan_retires_the_reserved_units_and_ends_the_reservation(client, world, table_counts) -> None:
    _reserve(client, world, [{"block_id": world.block_a, "quantity": 632}])
    before = table_counts()
    applied = _apply(client, world, [{"block_id": world.block_a}])
    assert applied.status_code == 201, applied.get_json()
    assert [e["quantity"] for e in applied.get_json()] == [632]
    assert table_counts()["block_reservations"] == before["block_reservations"] - 1


def test_a_reservation_with_one_bad_line_reserves_nothing(client, uow, world, table_counts) -> None:
    irec = _irec_2024(uow, world)
    _reserve(client, world, [{"block_id": world.block_a, "quantity": 10}])
    before = table_counts()
    # the first line is fine; block_a's first 10 units are already reserved
    response = _reserve(client, world, [{"block_id": irec, "quantity": 100}, {"block_id": world.block_a}])
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["message"].startswith(f"line 2 (block {world.block_a}): block")
    assert table_counts() == before
    # a viewer may read plans but not set units aside
    assert _reserve(client, world, [{"block_id": irec}], who="viewer").status_code == 403


def test_the_rest_of_a_reserved_block_stays_reserved_when_part_of_it_is_retired_or_split(client, world) -> None:
    # block_a reserved whole (29,813) for period_verified; 632 retired for it, then the other
    # 29,181 split in two: every piece still set aside for period_verified alone
    assert _reserve(client, world, [{"block_id": world.block_a}]).status_code == 201
    assert _apply(client, world, [{"block_id": world.block_a, "quantity": 632}]).status_code == 201
    blocks = client.get(f"/api/v1/organisations/{world.org_a}/blocks", headers=world.headers("viewer")).get_json()
    [rest] = [b for b in blocks["items"] if b["split_from_id"] == world.block_a]
    assert (rest["status"], rest["quantity"]) == ("reserved", 29_181)
    split = client.post(f"/api/v1/organisations/{world.org_a}/blocks/{rest['id']}/split", json={"quantity": 1_000},
                        headers=world.headers("procurement"))
    assert split.status_code == 201, split.get_json()
    other = client.get(f"/api/v1/organisations/{world.org_a}/periods/{_draft_period(client, world)}/retirement-plan",
                       query_string={"retire_on": RETIRE_ON}, headers=world.headers("viewer")).get_json()
    [passed_over] = [g for g in other["not_accepted"] if g["reason"] == "reserved for another period"]
    assert (passed_over["blocks"], passed_over["units"]) == (2, 29_181)


@pytest.mark.parametrize(
    ("lines", "period", "status", "says"),
    [
        ([], None, 422, "no line"),
        ([{"block_id": "A", "quantity": 1}, {"block_id": "A", "quantity": 2}], None, 422, "appears twice"),
        ([{"block_id": "A", "quantity": 29_814}], None, 422, "cannot take 29814 units"),
        ([{"block_id": 999_999}], None, 404, "block 999999 not found"),
        ([{"block_id": "A"}], 999_999, 404, "not found"),
    ],
)
def test_a_bad_reservation_is_refused_and_nothing_is_written(client, world, table_counts, lines, period, status,
                                                            says) -> None:
    lines = [{**line, "block_id": world.block_a if line["block_id"] == "A" else line["block_id"]} for line in lines]
    before = table_counts()
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/periods/{period or world.period_verified}/retirement-plan/reservation",
        json={"lines": lines}, headers=world.headers("procurement"))
    assert response.status_code == status, response.get_json()
    assert says in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_a_declared_period_takes_no_reservation(client, db, world, table_counts) -> None:
    from sqlalchemy import text

    with db() as session:
        session.execute(text("UPDATE application_periods SET status = 'declared' WHERE id = :id"),
                        {"id": world.period_verified})
        session.commit()
    before = table_counts()
    response = _reserve(client, world, [{"block_id": world.block_a}])
    assert response.status_code == 409 and response.get_json()["error"]["details"] == {"period_id": ["declared"]}
    assert table_counts() == before
