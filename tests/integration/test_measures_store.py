"""The register of reduction measures in the database: the expected reduction takes the GWP set
of the organisation's latest inventory, and the database refuses what Python would (scores
outside 1–5, a negative cost, an unknown status) even when Python is bypassed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from neutrality.commitments import services as commitments
from neutrality.errors import InvalidInput
from neutrality.inventory import services as inventory
from neutrality.reductions import services as reductions
from neutrality.reductions.tables import MeasureRow
from tests.factories import ADMIN, World

pytestmark = pytest.mark.shared_world

SWAP = {"kind": "refrigerant_swap", "charge_kg": "15", "refrigerant_before": "R-22", "refrigerant_after": "R-32",
        "leak_rate_percent": "10"}


def _swap(uow: Any, world: World) -> int:
    return reductions.create_measure(uow(), ADMIN, world.org_a, {
        "title_zh_hant": "冷媒更換", "category": "refrigerant_choice", "change": SWAP}).id


def test_the_expected_reduction_takes_the_gwp_set_of_the_latest_inventory(uow, world) -> None:
    measure_id = _swap(uow, world)
    # leak = 15 kg × 10 % = 1.5 kg a year. AR6 (the world's inventories): R-22 1960, R-32 771 →
    # 1.5 × (1960 − 771) / 1000 = 1.5 × 1.189 = 1.7835 t
    view = reductions.get_measure(uow(), ADMIN, world.org_a, measure_id)
    assert (view.gwp_set, view.expected.tco2e) == ("AR6", Decimal("1.7835"))
    # a later period's inventory in AR5: R-22 1760, R-32 677 → 1.5 × 1083 / 1000 = 1.6245 t
    [later] = commitments.generate(uow(), ADMIN, world.org_a, world.commitment_b, count=1)
    inventory.create_inventory(uow(), ADMIN, world.org_a, period_id=later.id, gwp_set="AR5")
    view = reductions.get_measure(uow(), ADMIN, world.org_a, measure_id)
    assert (view.gwp_set, view.expected.tco2e) == ("AR5", Decimal("1.6245"))
    [listed] = reductions.list_measures(uow(), ADMIN, world.org_a).measures
    assert listed.expected.tco2e == Decimal("1.6245") and listed.rank is None  # not rated: no place


def test_an_update_that_breaks_the_measure_writes_nothing(uow, world, table_counts) -> None:
    measure_id = _swap(uow, world)
    before = table_counts()
    with pytest.raises(InvalidInput) as refused:
        reductions.update_measure(uow(), ADMIN, world.org_a, measure_id, {"change": {**SWAP, "charge_kg": "20000"}})
    assert list(refused.value.details) == ["change.charge_kg"]
    assert table_counts() == before
    assert reductions.get_measure(uow(), ADMIN, world.org_a, measure_id).row.change["charge_kg"] == "15"


@pytest.mark.parametrize(
    ("column", "value"),
    [("impact_score", 6), ("feasibility_score", 0), ("cost_amount", Decimal(-1)), ("status", "abandoned"),
     ("category", "teleportation")],
)
def test_the_database_refuses_what_the_register_would(db, uow, world, column: str, value: Any) -> None:
    measure_id = reductions.create_measure(uow(), ADMIN, world.org_a, {
        "title_en": "Rated", "category": "lighting", "cost_amount": "10", "cost_currency": "CNY",
        "scores": dict.fromkeys(("feasibility", "impact", "cost_benefit", "stakeholder_expectations",
                                 "compliance", "innovation"), 3)}).id
    with pytest.raises(IntegrityError), db() as session, session.begin():
        session.execute(update(MeasureRow).where(MeasureRow.id == measure_id).values({column: value}))
