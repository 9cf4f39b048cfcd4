"""The balance of an application period, from its inventory and the retirement ledger alone."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from neutrality.access.model import Actor, Permission, authorize
from neutrality.claims.balance import PeriodBalance, allocate_eacs
from neutrality.inventory.computing import calculate_activities, grouped_activities
from neutrality.inventory.repository import get_period_row
from neutrality.inventory.services import latest_inventory_of
from neutrality.inventory.status import InventoryStatus
from neutrality.organisations.tables import Site
from neutrality.registry.ledger import in_force, retired_by_scheme, retired_tco2e_and_mwh
from neutrality.uow import UnitOfWork


def period_balance(uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int) -> PeriodBalance:
    """Gross emissions (location- and market-based), electricity covered by EACs, residual,
    credits retired, surplus or shortfall and the verdict, every figure exact."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        session = uow.session
        period = get_period_row(session, organisation_id, period_id)
        entries = in_force(session, period.id)
        credits, mwh_by_market = retired_tco2e_and_mwh(entries)
        ledger = PeriodBalance(
            period_id=period.id, start_date=period.start_date, end_date=period.end_date,
            retirements=tuple(e.id for e in entries), credits_retired_tco2e=Decimal(credits),
            retired_by_scheme=retired_by_scheme(entries),
            eac_retired_mwh_by_market={m: Decimal(q) for m, q in sorted(mwh_by_market.items())},
        )
        inventory = latest_inventory_of(session, period.id)
        if inventory is None:
            return replace(ledger, note="the period has no inventory: nothing to balance yet")
        activities = grouped_activities(session, inventory)  # read once, calculated twice
        gross = calculate_activities(session, inventory, activities)
        sites = {s.id: s.country for s in session.scalars(select(Site).where(Site.id.in_(gross.scope2_market.sites)))}
        grid = {site_id: s.grid_mwh for site_id, s in gross.scope2_market.sites.items()}
        allocation = allocate_eacs(grid, sites, dict(ledger.eac_retired_mwh_by_market))
        covered = calculate_activities(session, inventory, activities, allocation.covered_mwh_by_site)
        return replace(
            ledger, inventory_id=inventory.id, inventory_status=inventory.status,
            inventory_verified=inventory.status == InventoryStatus.VERIFIED,
            gross_location_tco2e=gross.location_based.tco2e, gross_market_tco2e=gross.market_based.tco2e,
            electricity_mwh=sum((s.consumption_mwh for s in gross.scope2_market.sites.values()), Decimal(0)),
            allocation=allocation, residual_tco2e=covered.market_based.tco2e,
        )
