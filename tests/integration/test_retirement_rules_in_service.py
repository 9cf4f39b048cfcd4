"""The rules of a claim judge retirements where they are recorded, on the dates that decide them.

The world (tests/factories.py): commitment B (ISO 14068-1:2023, intended credit types set per
test) of organisation A has a 2024 period (period_verified: 1,200 MWh of Jiangsu grid
electricity, market CN) and a 2025 period with a draft inventory of the same electricity. The
retirement is recorded through the service, as the API and the command line record it: the
rules are asked by the gate (neutrality.registry.retirement_rules), which reads the period's
other retirements only when a rule asks for them.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from freezegun import freeze_time

from neutrality.commitments.tables import Commitment
from neutrality.errors import InvalidInput
from neutrality.inventory.tables import Inventory
from neutrality.registry import held_blocks, projects, retirements
from tests.factories import ADMIN, World

pytestmark = pytest.mark.shared_world

PLANT = "11320922230500012"  # the GEC filing code (建档立卡编码) of one offshore wind farm


def _period_2025(db: Any, world: World) -> int:
    with db() as session:
        session.get(Commitment, world.commitment_b).intended_credit_types = ["CCER"]
        session.commit()
        return session.get(Inventory, world.inventory_draft).period_id


def _plant(uow: Any, world: World, kind: str) -> int:
    """The same deep-sea offshore wind farm, as a GEC device or as a CCER project (a CCER
    project records the farm's GEC filing code so that the two can be matched)."""
    fields: dict[str, Any] = {
        "eac": {"kind": "eac", "source_registry": "NEA GEC platform", "registry_project_id": PLANT},
        "carbon_credit": {"kind": "carbon_credit", "source_registry": "CCER registry",
                          "registry_project_id": "CCER-2025-0032", "methodology": "CCER-01-002-V01",
                          "mitigation": "avoidance"},
    }[kind]
    return projects.create_project(uow(), ADMIN, world.org_a, {
        **fields, "name": "如东 H6 深远海海上风电 Rudong H6 deep-sea offshore wind", "country": "CN",
        "technology": "wind_offshore_deep_sea", "gec_project_code": PLANT, "subsidised": False}).id


def _gec(uow: Any, world: World, plant: int, month: str, units: int, as_of: dt.date, start: int = 1) -> int:
    first, last = (f"{PLANT}{month}{n:07d}11" for n in (start, start + units - 1))
    return held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "GEC", "serial": f"{first} to {last}", "quantity": units, "project_id": plant},
        as_of=as_of).id


def _retire(uow: Any, world: World, period_id: int, block_id: int, retired_on: dt.date, reference: str,
            as_of: dt.date) -> Any:
    return retirements.retire(uow(), ADMIN, world.org_a, {
        "period_id": period_id, "block_id": block_id, "beneficiary_text": "Factory A",  # a registered alias
        "purpose": "Factory A: carbon neutrality of the factory subject",
        "retired_on": retired_on, "registry_reference": reference}, evidence=b"%PDF", evidence_filename="r.pdf",
        as_of=as_of)


def test_a_gec_for_generation_a_retired_ccer_stands_for_is_refused_when_recorded(db, uow, world,
                                                                                table_counts) -> None:
    period_id = _period_2025(db, world)
    as_of = dt.date(2026, 2, 1)
    ccer_project, gec_device = _plant(uow, world, "carbon_credit"), _plant(uow, world, "eac")
    ccer = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "CCER", "serial": "CCER-320000-2025-000000001 to CCER-320000-2025-000000100", "quantity": 100,
        "project_id": ccer_project, "vintage_start": dt.date(2025, 3, 1), "vintage_end": dt.date(2025, 3, 31)},
        as_of=as_of).id
    # The CCER of March 2025 is retired first: no GEC of the farm is retired for the period, and
    # deep-sea offshore wind may take CCERs in the transition (CN-LNK-01).
    _retire(uow, world, period_id, ccer, dt.date(2026, 1, 20), "CCER-ZX-2026-0120", as_of)
    gec = _gec(uow, world, gec_device, "202503", 200, as_of)
    before = table_counts()
    # A GEC of the same farm's March 2025 generation: that MWh earned a CCER already, and one
    # MWh earns a GEC or a CCER, never both (国能综通新能〔2024〕124号: CN-LNK-02, in force from
    # 2024-10-01 to 2026-09-30, which the 2025 period lies within). The gate reads the period's
    # retirements only for this rule, and finds the CCER among them.
    with pytest.raises(InvalidInput) as refused:
        _retire(uow, world, period_id, gec, dt.date(2026, 1, 25), "GEC-HX-2026-0125", as_of)
    assert "CN-LNK-02" in refused.value.message
    [reason] = [r for r in refused.value.details["rules"] if r.startswith("CN-LNK-02")]
    assert f"project {PLANT}" in reason
    assert table_counts() == before


def test_a_gec_of_another_farm_is_recorded_beside_the_ccer(db, uow, world) -> None:
    # The same months, but another farm's filing code: nothing links the two, both count.
    period_id = _period_2025(db, world)
    as_of = dt.date(2026, 2, 1)
    ccer_project = _plant(uow, world, "carbon_credit")
    ccer = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "CCER", "serial": "CCER-320000-2025-000000001 to CCER-320000-2025-000000100", "quantity": 100,
        "project_id": ccer_project, "vintage_start": dt.date(2025, 3, 1), "vintage_end": dt.date(2025, 3, 31)},
        as_of=as_of).id
    _retire(uow, world, period_id, ccer, dt.date(2026, 1, 20), "CCER-ZX-2026-0120", as_of)
    other = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "NEA GEC platform", "registry_project_id": "11320922230500099",
        "name": "Another farm", "country": "CN", "technology": "solar_pv", "gec_project_code": "11320922230500099",
        "subsidised": False}).id
    first, last = (f"11320922230500099202503{n:07d}11" for n in (1, 200))
    gec = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "GEC", "serial": f"{first} to {last}", "quantity": 200, "project_id": other}, as_of=as_of).id
    entry = _retire(uow, world, period_id, gec, dt.date(2026, 1, 25), "GEC-HX-2026-0125", as_of)
    assert (entry.scheme, entry.quantity, entry.exclusion_reason) == ("GEC", 200, "")


# --- rules decided by today's date, as the API judges them ---------------------------------------


def _jan_2024_gecs(uow: Any, world: World, blocks: int = 1) -> list[int]:
    """Blocks of 200 GECs of January 2024 production: valid two years counted from the production
    month, that month included, so the last valid month is 2024-01 + 23 months = 2025-12, to
    2025-12-31 (CN-GEC-04)."""
    device = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "NEA GEC platform", "registry_project_id": PLANT,
        "name": "盐城光伏电站", "country": "CN", "technology": "solar_pv", "subsidised": False})
    return [_gec(uow, world, device.id, "202401", 200, dt.date(2025, 6, 1), start=1 + 200 * n) for n in range(blocks)]


def _plan_today(client: Any, world: World) -> dict[str, Any]:
    response = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/retirement-plan",
                          headers=world.headers("viewer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_plan_made_today_offers_a_gec_on_its_last_valid_day_and_refuses_it_the_next(client, uow, world) -> None:
    [gec] = _jan_2024_gecs(uow, world)
    # 2024 period, 1,200 MWh of Chinese grid electricity and no certificate retired: the 200
    # GECs of January 2024 serve while valid
    with freeze_time("2025-12-31"):
        valid = _plan_today(client, world)
    assert [(line["block_id"], line["quantity"]) for line in valid["electricity"][0]["lines"]] == [(gec, 200)]
    with freeze_time("2026-01-01"):
        expired = _plan_today(client, world)
    assert expired["electricity"][0]["lines"] == []
    [refused] = [g for g in expired["not_accepted"] if gec in g["block_ids"]]
    assert refused["reason"].startswith("CN-GEC-04: ") and "expired on 2025-12-31" in refused["reason"]


def _retire_today(client: Any, world: World, block_id: int, today: str) -> Any:
    return client.post(f"/api/v1/organisations/{world.org_a}/retirements", content_type="multipart/form-data",
                       headers=world.headers("lead"), data={
                           "period_id": str(world.period_verified), "block_id": str(block_id), "quantity": "100",
                           "beneficiary_text": "Factory A", "purpose": "Factory A, 2024", "retired_on": today,
                           "registry_reference": f"GEC-{today}",
                           "evidence": (io.BytesIO(b"%PDF"), "r.pdf")})


def test_a_gec_retired_on_its_last_valid_day_is_recorded_and_one_retired_the_next_day_is_refused(
        client, uow, world, table_counts) -> None:
    on_time, late = _jan_2024_gecs(uow, world, blocks=2)
    with freeze_time("2025-12-31"):
        recorded = _retire_today(client, world, on_time, "2025-12-31")
    assert recorded.status_code == 201, recorded.get_json()
    before = table_counts()
    with freeze_time("2026-01-01"):
        refused = _retire_today(client, world, late, "2026-01-01")
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert [r for r in error["details"]["rules"] if r.startswith("CN-GEC-04: ")]
    assert table_counts() == before


def test_a_gec_is_refused_while_a_ccer_for_the_same_generation_is_held(db, uow, world, table_counts) -> None:
    # Nothing retired yet, but the organisation holds the farm's CCERs of March 2025: the
    # generation they stand for cannot also back a GEC (CN-LNK-02: "retired or held"). Once the
    # CCERs leave the account (transferred out), the GEC is accepted.
    period_id = _period_2025(db, world)
    as_of = dt.date(2026, 2, 1)
    ccer_project, gec_device = _plant(uow, world, "carbon_credit"), _plant(uow, world, "eac")
    ccer = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "CCER", "serial": "CCER-320000-2025-000000001 to CCER-320000-2025-000000100", "quantity": 100,
        "project_id": ccer_project, "vintage_start": dt.date(2025, 3, 1), "vintage_end": dt.date(2025, 3, 31)},
        as_of=as_of).id
    gec = _gec(uow, world, gec_device, "202503", 200, as_of)
    before = table_counts()
    with pytest.raises(InvalidInput) as refused:
        _retire(uow, world, period_id, gec, dt.date(2026, 1, 25), "GEC-HX-2026-0125", as_of)
    assert [r for r in refused.value.details["rules"] if r.startswith("CN-LNK-02: ")]
    assert table_counts() == before
    held_blocks.set_block_status(uow(), ADMIN, world.org_a, ccer, "transferred_out", "sold to another buyer")
    entry = _retire(uow, world, period_id, gec, dt.date(2026, 1, 25), "GEC-HX-2026-0125", as_of)
    assert (entry.scheme, entry.quantity) == ("GEC", 200)


def test_a_ccer_of_a_solar_farm_entered_as_光伏_is_refused_during_the_transition(db, uow, world, table_counts) -> None:
    # The technology is stored as its code, whatever the registry wrote: 光伏 is solar PV, which
    # the transition (2024-10-01…2026-09-30) keeps out of CCER among wind and solar projects
    # (CN-LNK-01: only deep-sea offshore wind and solar thermal may choose CCER).
    period_id = _period_2025(db, world)
    as_of = dt.date(2026, 2, 1)
    project = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "carbon_credit", "source_registry": "CCER registry", "registry_project_id": "CCER-2025-0077",
        "name": "某光伏电站", "country": "CN", "technology": "光伏", "gec_project_code": "11320922230500077",
        "mitigation": "avoidance"})
    assert project.technology == "solar_pv"
    ccer = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "CCER", "serial": "CCER-320000-2025-000000001 to CCER-320000-2025-000000100", "quantity": 100,
        "project_id": project.id, "vintage_start": dt.date(2025, 3, 1), "vintage_end": dt.date(2025, 3, 31)},
        as_of=as_of).id
    before = table_counts()
    with pytest.raises(InvalidInput) as refused:
        _retire(uow, world, period_id, ccer, dt.date(2026, 1, 20), "CCER-ZX-2026-0120", as_of)
    [reason] = [r for r in refused.value.details["rules"] if r.startswith("CN-LNK-01: ")]
    assert "solar PV project" in reason
    assert table_counts() == before
