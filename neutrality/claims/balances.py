"""The balance of an application period, from its inventory and the retirement ledger alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor, Permission, authorize
from neutrality.claims.balance import Verdict, allocate_eacs
from neutrality.claims.tables import ApplicationPeriodRow
from neutrality.errors import NotFound
from neutrality.inventory.computing import compute
from neutrality.inventory.services import latest_inventory_of
from neutrality.inventory.status import InventoryStatus
from neutrality.organisations.tables import Site
from neutrality.registry.ledger import in_force, retired_tco2e_and_mwh
from neutrality.uow import UnitOfWork


def period_balance(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> dict[str, Any]:
    """Gross emissions (location- and market-based), electricity covered by EACs, residual,
    credits retired, surplus or shortfall and the verdict, every figure exact."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        session = uow.session
        period = session.get(ApplicationPeriodRow, period_id)
        if period is None or period.organisation_id != organisation_id:
            raise NotFound(f"application period {period_id} not found in organisation {organisation_id}")
        entries = in_force(session, period.id)
        credits, mwh_by_market = retired_tco2e_and_mwh(entries)
        answer: dict[str, Any] = {
            "period_id": period.id, "start_date": period.start_date, "end_date": period.end_date,
            "inventory_id": None, "inventory_status": None, "provisional": True,
            "retirements": [e.id for e in entries], "credits_retired_tco2e": Decimal(credits),
            "eac_retired_mwh_by_market": {m: Decimal(q) for m, q in sorted(mwh_by_market.items())},
        }
        inventory = latest_inventory_of(session, period.id)
        if inventory is None:
            answer["note"] = "the period has no inventory: nothing to balance yet"
            return answer
        gross, _, _ = compute(session, inventory)
        sites = {s.id: s.country for s in session.scalars(select(Site).where(Site.id.in_(gross.scope2_market.sites)))}
        grid = {site_id: s.grid_mwh for site_id, s in gross.scope2_market.sites.items()}
        allocation = allocate_eacs(grid, sites, {m: Decimal(q) for m, q in mwh_by_market.items()})
        covered, _, _ = compute(session, inventory, covered_mwh_by_site=allocation.covered_mwh_by_site)
        verdict = Verdict(residual_tco2e=covered.market_based.tco2e, credits_retired_tco2e=Decimal(credits))
        consumption = sum((s.consumption_mwh for s in gross.scope2_market.sites.values()), Decimal(0))
        covered_mwh = sum(allocation.covered_mwh_by_site.values(), Decimal(0))
        answer.update(
            inventory_id=inventory.id, inventory_status=inventory.status,
            provisional=inventory.status != InventoryStatus.VERIFIED,
            gross_location_tco2e=gross.location_based.tco2e,
            gross_market_tco2e=gross.market_based.tco2e,
            electricity_mwh=consumption,
            eac_covered_mwh=covered_mwh,
            eac_unused_mwh_by_market=dict(allocation.unused_mwh_by_market),
            # share of all purchased electricity covered by certificates, in %
            electricity_covered_percent=(covered_mwh * 100 / consumption) if consumption else None,
            residual_tco2e=verdict.residual_tco2e,
            difference_tco2e=verdict.difference_tco2e,
            verdict="covered" if verdict.covered else "short",
        )
        return answer
