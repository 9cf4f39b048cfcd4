"""The balance of a period as the service assembles it from the ledger, the holdings and the
inventory (``neutrality.claims.services.period_balance``, behind GET …/periods/{id}/balance).

The world (tests/factories.py): commitment B's 2024 period (period_verified) has a verified
inventory of 1,200 MWh of grid electricity at a Jiangsu site and nothing else:

    location-based   1,200 MWh × 0.5500 t/MWh (East China grid, 2023)          = 660 t
    market-based     1,200 MWh × 0.6096 t/MWh (China without market-traded
                     non-fossil electricity, 2023), no certificate retired     = 731.52 t

Organisation A has retired 100 VCUs of issuance 1311 for the period (retirement_a) and holds
block_a: 29,813 VCUs of issuance 1310, units 941,382,742 … 941,412,554.

Every figure below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from neutrality.claims.services import period_balance
from neutrality.commitments import services as commitments
from neutrality.errors import Conflict
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, projects, retirements
from tests.factories import (
    ADMIN,
    ELECTRICITY_2024,
    HELD_VCU,
    World,
    commitment_payload,
    create_world,
    site_payload,
    verra_project,
)

AS_OF = dt.date(2026, 11, 1)
RESIDUAL_WITHOUT_CERTIFICATES = Decimal("731.52")  # 1,200 MWh × 0.6096 t/MWh


@pytest.fixture
def world(uow: Any) -> World:
    return create_world(uow)


def _retire(uow: Any, organisation: int, period: int, block: int, quantity: int | None = None) -> Any:
    return retirements.retire(uow(), ADMIN, organisation, {
        "period_id": period, "block_id": block, "beneficiary_text": "Factory A", "purpose": "Carbon neutrality, 2024",
        "retired_on": dt.date(2025, 3, 15), "registry_reference": f"RET-{organisation}-{block}",
        **({"quantity": quantity} if quantity is not None else {})},
        evidence=b"%PDF-1.4 retirement certificate", evidence_filename="certificate.pdf", as_of=AS_OF)


def _balance(uow: Any, organisation: int, period: int) -> Any:
    return period_balance(uow(), ADMIN, organisation, period)


def _certificates(uow: Any, world: World, units: int) -> int:
    """A block of ``units`` I-RECs of a Chinese hydro plant, held by organisation A (a device
    without a feed-in tariff: IREC-06 refuses subsidised Chinese devices, and an unknown status)."""
    device = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "irec", "registry_project_id": "DEV-CN", "name": "Hydro",
        "country": "CN", "technology": "hydro", "subsidised": False})
    return held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "IREC", "serial": f"CN-HYD-0001 to CN-HYD-{units:04d}", "quantity": units,
        "project_id": device.id, "vintage_start": dt.date(2024, 1, 1), "vintage_end": dt.date(2024, 12, 31)},
        as_of=AS_OF).id


def _period_of_b_with_the_same_inventory(uow: Any, world: World) -> int:
    """Organisation B's 2024 period, its inventory 1,200 MWh of grid electricity at a Jiangsu
    site as well (so 731.52 t market-based), nothing retired for it yet."""
    site = organisations.create_site(uow(), ADMIN, world.org_b, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, world.org_b, {"name": "B", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, world.org_b, commitment_payload(subject.id))
    period = commitments.generate(uow(), ADMIN, world.org_b, commitment.id, count=1)[0].id
    draft = inventory.create_inventory(uow(), ADMIN, world.org_b, period_id=period)
    activities.add_activities(uow(), ADMIN, world.org_b, draft.id, [{**ELECTRICITY_2024, "site_id": site.id}])
    return period


def test_a_reversed_retirement_no_longer_counts_in_the_balance(uow, world) -> None:
    retired = _retire(uow, world.org_a, world.period_verified, world.block_a, quantity=700)
    counted = _balance(uow, world.org_a, world.period_verified)
    # 100 + 700 = 800 t retired against 731.52 t: covered, 800 − 731.52 = 68.48 t to spare
    assert counted.retirements == (world.retirement_a, retired.id)
    assert counted.credits_retired_tco2e == Decimal(800)
    assert (counted.verdict, counted.difference_tco2e) == ("covered", Decimal("68.48"))

    retirements.reverse(uow(), ADMIN, world.org_a, retired.id, "retired for the wrong period")

    balance = _balance(uow, world.org_a, world.period_verified)
    # only the world's 100 t stand: 100 − 731.52 = −631.52 t, short
    assert balance.retirements == (world.retirement_a,)
    assert balance.credits_retired_tco2e == Decimal(100)
    assert balance.retired_by_scheme == {"VCU": 100}
    assert balance.residual_tco2e == RESIDUAL_WITHOUT_CERTIFICATES
    assert (balance.verdict, balance.difference_tco2e) == ("short", Decimal("-631.52"))


def test_reversed_certificates_no_longer_cover_the_electricity(uow, world) -> None:
    certificates = _retire(uow, world.org_a, world.period_verified, _certificates(uow, world, 1_000), quantity=500)
    covering = _balance(uow, world.org_a, world.period_verified)
    # 500 of 1,200 MWh covered; the other 700 MWh × 0.6096 t/MWh = 426.72 t residual, against the
    # world's 100 t of credits: 100 − 426.72 = −326.72 t
    assert covering.eac_covered_mwh == Decimal(500)
    assert covering.residual_tco2e == Decimal("426.72")
    assert (covering.verdict, covering.difference_tco2e) == ("short", Decimal("-326.72"))

    retirements.reverse(uow(), ADMIN, world.org_a, certificates.id, "retired for the wrong period")

    balance = _balance(uow, world.org_a, world.period_verified)
    # nothing covered: the whole 1,200 MWh × 0.6096 = 731.52 t; 100 − 731.52 = −631.52 t
    assert balance.eac_retired_mwh_by_market == {}
    assert balance.eac_covered_mwh == 0
    assert balance.retired_by_scheme == {"VCU": 100}
    assert balance.residual_tco2e == RESIDUAL_WITHOUT_CERTIFICATES
    assert (balance.verdict, balance.difference_tco2e) == ("short", Decimal("-631.52"))


def test_units_retired_for_one_period_are_refused_for_another_and_not_counted_in_its_balance(
    uow, world
) -> None:
    # A retires the first 800 units of block_a for its period: 941,382,742 … 941,383,541
    _retire(uow, world.org_a, world.period_verified, world.block_a, quantity=800)
    # B enters the same serials in its own holdings (from its own registry account), so they are
    # contested, and asks for its first 1,000 units, 941,382,742 … 941,383,741, for its own
    # period: 800 of them are A's
    period_b = _period_of_b_with_the_same_inventory(uow, world)
    project = projects.create_project(uow(), ADMIN, world.org_b, verra_project("3005", "Tongxu Biogas Recovery"))
    block_b = held_blocks.add_block(uow(), ADMIN, world.org_b, {
        "scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project.id}, as_of=AS_OF).id

    with pytest.raises(Conflict) as refused:
        _retire(uow, world.org_b, period_b, block_b, quantity=1_000)

    assert refused.value.details == {"block_id": ["contested"]}
    assert refused.value.message == (
        "these serials cannot be retired: they are contested; "
        "a site administrator will review the evidence")
    balance_b = _balance(uow, world.org_b, period_b)
    # nothing retired for B's period: 0 − 731.52 = −731.52 t
    assert balance_b.retirements == ()
    assert balance_b.credits_retired_tco2e == 0 and balance_b.retired_by_scheme == {}
    assert balance_b.residual_tco2e == RESIDUAL_WITHOUT_CERTIFICATES
    assert (balance_b.verdict, balance_b.difference_tco2e) == ("short", Decimal("-731.52"))
    balance_a = _balance(uow, world.org_a, world.period_verified)
    # A's period counts them once: 100 + 800 = 900 t; 900 − 731.52 = 168.48 t to spare
    assert balance_a.credits_retired_tco2e == Decimal(900)
    assert (balance_a.verdict, balance_a.difference_tco2e) == ("covered", Decimal("168.48"))
