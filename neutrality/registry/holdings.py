"""What an organisation holds, summed up: quantities and cost by the dimensions asked for, and
the units that could serve an application period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.errors import InvalidInput
from neutrality.registry.cross_holdings import frozen_block_ids
from neutrality.registry.model import BlockStatus, InstrumentKind
from neutrality.registry.schemes import load_schemes
from neutrality.registry.tables import InstrumentProject, Purchase, SerialBlock
from neutrality.units import tidy
from neutrality.uow import UnitOfWork

#: What holdings can be grouped by, and where each value comes from.
HOLDING_DIMENSIONS = ("scheme", "vintage", "project", "country", "technology", "status", "account")


@dataclass(frozen=True)
class HoldingLine:
    key: Mapping[str, Any]
    unit: str
    quantity: int
    blocks: int
    #: cost of the units bought through recorded purchases, per currency (unit price × units)
    cost: Mapping[str, Decimal]
    units_without_price: int


def holdings(
    uow: UnitOfWork,
    actor: Actor,
    organisation_id: int,
    by: Sequence[str],
    *,
    statuses: Iterable[str] = (BlockStatus.HELD.value, BlockStatus.RESERVED.value),
) -> list[HoldingLine]:
    """Quantities held, grouped by the chosen dimensions, with their cost."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    unknown = [d for d in by if d not in HOLDING_DIMENSIONS]
    if unknown:
        raise InvalidInput(
            f"cannot group by {', '.join(unknown)}; choose from {', '.join(HOLDING_DIMENSIONS)}",
            {"by": unknown},
        )
    wanted = list(statuses)
    bad = [s for s in wanted if s not in BlockStatus._value2member_map_]
    if bad:
        raise InvalidInput(
            f"unknown status {', '.join(bad)}; "
            f"choose from {', '.join(s.value for s in BlockStatus)}",
            {"status": bad},
        )
    with uow:
        session = uow.session
        projects = {
            p.id: p
            for p in session.scalars(
                select(InstrumentProject).where(
                    InstrumentProject.organisation_id == organisation_id
                )
            )
        }
        prices = {
            p.id: (p.unit_price, p.currency)
            for p in session.scalars(
                select(Purchase).where(Purchase.organisation_id == organisation_id)
            )
        }
        rows = session.execute(
            select(
                SerialBlock.scheme,
                SerialBlock.vintage_start,
                SerialBlock.project_id,
                SerialBlock.status,
                SerialBlock.account,
                SerialBlock.purchase_id,
                func.sum(SerialBlock.quantity),
                func.count(),
            )
            .where(SerialBlock.organisation_id == organisation_id, SerialBlock.status.in_(wanted))
            .group_by(
                SerialBlock.scheme,
                SerialBlock.vintage_start,
                SerialBlock.project_id,
                SerialBlock.status,
                SerialBlock.account,
                SerialBlock.purchase_id,
            )
        )
        schemes = load_schemes()
        lines: dict[tuple, dict[str, Any]] = {}
        for scheme, vintage, project_id, status, account, purchase_id, quantity, count in rows:
            project = projects[project_id]
            values = {
                "scheme": scheme,
                "vintage": vintage.year if vintage else None,
                "project": project.id,
                "country": project.country,
                "technology": project.technology or None,
                "status": status,
                "account": account,
            }
            key = tuple(values[d] for d in by) + (schemes[scheme].unit,)
            line = lines.setdefault(key, {"quantity": 0, "blocks": 0, "cost": {}, "unpriced": 0})
            line["quantity"] += int(quantity)
            line["blocks"] += int(count)
            if purchase_id in prices:
                price, currency = prices[purchase_id]
                cost = line["cost"]
                cost[currency] = cost.get(currency, Decimal(0)) + price * int(quantity)
            else:
                line["unpriced"] += int(quantity)
        return [
            HoldingLine(
                dict(zip(by, key[:-1], strict=True)),
                key[-1],
                line["quantity"],
                line["blocks"],
                {c: tidy(v) for c, v in sorted(line["cost"].items())},
                line["unpriced"],
            )
            for key, line in sorted(lines.items(), key=lambda item: tuple(str(v) for v in item[0]))
        ]


# --- what is held for a period ----------------------------------------------------------------


@dataclass(frozen=True)
class HeldForPeriod:
    eac_mwh_by_market: Mapping[str, Decimal]
    credits_tco2e: Decimal


def held_for_period(
    session: Session, organisation_id: int, start: dt.date, end: dt.date
) -> HeldForPeriod:
    """Units held or reserved that could serve the period: EACs by the producing country with a
    vintage inside the period, credits of a vintage that began by the period's end. (The rule
    sets narrow this further.) Blocks frozen by another organisation's open contest are left out:
    nothing of them can be retired until a site administrator has decided."""
    schemes = load_schemes()
    eac: dict[str, int] = {}
    credits = 0
    frozen = frozen_block_ids(session, organisation_id)
    rows = session.execute(
        select(
            SerialBlock.scheme,
            InstrumentProject.country,
            SerialBlock.vintage_start,
            SerialBlock.vintage_end,
            func.sum(SerialBlock.quantity),
        )
        .join(InstrumentProject, InstrumentProject.id == SerialBlock.project_id)
        .where(
            SerialBlock.organisation_id == organisation_id,
            SerialBlock.status.in_([BlockStatus.HELD.value, BlockStatus.RESERVED.value]),
            SerialBlock.id.not_in(frozen),
        )
        .group_by(
            SerialBlock.scheme,
            InstrumentProject.country,
            SerialBlock.vintage_start,
            SerialBlock.vintage_end,
        )
    )
    for scheme, country, vintage_start, vintage_end, quantity in rows:
        if schemes[scheme].kind == InstrumentKind.EAC:
            if (
                vintage_start is not None
                and vintage_start <= end
                and (vintage_end or vintage_start) >= start
            ):
                eac[country] = eac.get(country, 0) + int(quantity)
        elif vintage_start is None or vintage_start <= end:
            credits += int(quantity)
    return HeldForPeriod({m: Decimal(q) for m, q in sorted(eac.items())}, Decimal(credits))
