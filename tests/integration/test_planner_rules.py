"""The planner offers only what the rules of the period's claim accept, and names the rule that
refuses the rest.

The world (tests/factories.py): commitment B (ISO 14068-1:2023) of organisation A has a 2025
period with a draft inventory of 1,200 MWh of Jiangsu grid electricity (market CN),
market-based 1,200 × 0.6096 = 731.52 t without certificates and nothing retired; organisation A
holds block_a, 29,813 VCUs of 2022 (Verra project 3005, China). Plans are made for retirement on
2026-03-01, within ISO-21's 12 months after the period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from neutrality.commitments.tables import Commitment
from neutrality.inventory.tables import Inventory
from neutrality.registry import held_blocks, planning, projects, retirements
from neutrality.registry.planner import Policy
from tests.factories import ADMIN, World

pytestmark = pytest.mark.shared_world

RETIRE_ON = dt.date(2026, 3, 1)
PLANT = "11320922230500012"  # a GEC project filing code (建档立卡编码)


def _period_2025(db: Any, world: World) -> int:
    with db() as session:
        return session.get(Inventory, world.inventory_draft).period_id


def _plan(uow: Any, world: World, period_id: int) -> Any:
    return planning.propose(uow(), ADMIN, world.org_a, period_id, policy=Policy.OLDEST_VINTAGE,
                            retire_on=RETIRE_ON)


def _gec(uow: Any, world: World, plant: int, month: str, units: int) -> int:
    first, last = (f"{PLANT}{month}{n:07d}11" for n in (1, units))
    return held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "GEC", "serial": f"{first} to {last}", "quantity": units, "project_id": plant},
        as_of=RETIRE_ON).id


def test_a_gec_of_2023_is_not_offered_for_2025_and_the_plan_names_the_rules(db, uow, world) -> None:
    period_id = _period_2025(db, world)
    plant = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "NEA GEC platform", "registry_project_id": PLANT,
        "name": "盐城光伏电站", "country": "CN", "technology": "solar_pv", "subsidised": False}).id
    old, current = _gec(uow, world, plant, "202306", 500), _gec(uow, world, plant, "202506", 400)
    plan = _plan(uow, world, period_id)
    # June 2025: 400 MWh of the 1,200 MWh; June 2023 is refused by two blocking rules
    assert [(line.block_id, line.quantity) for line in plan.electricity[0].lines] == [(current, 400)]
    [refused] = plan.not_accepted
    assert (refused.scheme, refused.block_ids, refused.units) == ("GEC", (old,), 500)
    # CN-GEC-04: production before 2024 is valid until 2025-12-31, and the plan retires on
    # 2026-03-01; GHGP-04-4: produced in June 2023, outside the 2025 period (0 months' tolerance)
    assert refused.reason.startswith(
        "CN-GEC-04: the certificate of production month 2023-06 expired on 2025-12-31 and was retired on 2026-03-01")
    assert "; GHGP-04-4: the certificate was produced 2023-06-01…2023-06-30, outside the period of consumption " \
           "2025-01-01…2025-12-31" in refused.reason
    # a page says the same reasons in its reader's language, each rule's own words, joined the
    # Chinese way
    simplified = refused.reason.in_locale("zh_Hans")
    assert simplified.startswith("CN-GEC-04：") and "；GHGP-04-4：" in simplified
    assert "2025-12-31" in simplified and "expired" not in simplified


def test_a_brazilian_vcu_of_2017_is_not_offered_when_the_commitment_intends_only_ccer(db, uow, world) -> None:
    period_id = _period_2025(db, world)
    with db() as session:
        session.get(Commitment, world.commitment_b).intended_credit_types = ["CCER"]
        session.commit()
    brazil = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "carbon_credit", "source_registry": "verra", "registry_project_id": "1234", "name": "Brazil hydro",
        "country": "BR", "methodology": "ACM0002", "mitigation": "avoidance"})
    vcu = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "VCU", "serial": "12345-100000001-100000500-VCS-VCU-263-VER-BR-1-1234-01012017-31122017-0",
        "quantity": 500, "project_id": brazil.id}, as_of=RETIRE_ON).id
    plan = _plan(uow, world, period_id)
    # neither VCU block is offered: ISO-10 keeps to the types the commitment intends (CCER);
    # 731.52 t → 732 units, all short
    assert plan.lines == ()
    assert plan.credits.shortfall == 732
    [refused] = plan.not_accepted
    assert refused.reason == ("ISO-10: VCU is not among the credit types the commitment intends to use (CCER): "
                              "change the offset strategy first, or use one of those")
    assert (refused.blocks, refused.units, set(refused.block_ids)) == (2, 29_813 + 500, {world.block_a, vcu})


def test_a_block_is_judged_as_retired_for_the_claimant_whoever_else_units_were_retired_for(db, uow, world) -> None:
    period_id = _period_2025(db, world)
    # 100 of block_a's units retired for the period for someone else: the period's findings
    # refuse that retirement (SANITY-02), which says nothing about the units still held
    retirements.retire(uow(), ADMIN, world.org_a, {
        "period_id": period_id, "block_id": world.block_a, "quantity": 100, "beneficiary_text": "Other Buyer Ltd",
        "purpose": "Factory A 2025", "reason": "", "retired_on": dt.date(2026, 2, 1),
        "registry_reference": "R-1", "registry_link": "",
        "despite_rules": "retired for another buyer at the registry by mistake"},
        evidence=b"%PDF", evidence_filename="c.pdf", as_of=RETIRE_ON)
    plan = _plan(uow, world, period_id)
    # the 100 retired for Other Buyer Ltd are refused by the claim (SANITY-02), so they cover
    # none of the residual: 731.52 t → 732 units from the 29,713 still held, nothing refused
    assert [(line.quantity, line.whole) for line in plan.lines] == [(732, False)]
    assert plan.not_accepted == ()
    assert plan.retire_on == RETIRE_ON


def test_an_eligible_block_is_planned_exactly_as_before(db, uow, world) -> None:
    period_id = _period_2025(db, world)
    plan = _plan(uow, world, period_id)
    # 1,200 MWh × 0.6096 = 731.52 t, nothing retired → 732 units, the first 732 of block_a,
    # USD 6.50 each = USD 4,758; no certificate held: the electricity stays 1,200 MWh short
    assert [(line.block_id, line.quantity, line.whole) for line in plan.lines] == [(world.block_a, 732, False)]
    assert (plan.credits.units_needed, plan.credits.shortfall) == (732, 0)
    assert plan.cost == {"USD": 4758}
    assert plan.electricity[0].shortfall == 1200
    assert plan.not_accepted == ()
