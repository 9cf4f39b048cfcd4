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
from neutrality.messages import Msg
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


def check_holding_query(by: Sequence[str], statuses: Iterable[str]) -> list[str]:
    """The statuses asked for, once the dimensions and statuses are known to exist."""
    unknown = [d for d in by if d not in HOLDING_DIMENSIONS]
    if unknown:
        raise InvalidInput(
            Msg("cannot group by {unknown}; choose from {known}", unknown=", ".join(unknown),
                known=", ".join(HOLDING_DIMENSIONS)),
            {"by": unknown},
        )
    wanted = list(statuses)
    bad = [s for s in wanted if s not in BlockStatus._value2member_map_]
    if bad:
        raise InvalidInput(
            Msg("unknown status {bad}; choose from {known}", bad=", ".join(bad),
                known=", ".join(s.value for s in BlockStatus)),
            {"status": bad},
        )
    return wanted


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
    wanted = check_holding_query(by, statuses)
    with uow.reading():
        return HeldGroups.read(uow.session, organisation_id, wanted, by_account="account" in by).lines(by, wanted)


#: The columns blocks are summed by, in the order of ix_serial_blocks_lots, which holds them
#: all with the quantity: the database sums along the index, reading neither the table nor a sort.
_GROUPED = (SerialBlock.status, SerialBlock.scheme, SerialBlock.project_id, SerialBlock.vintage_start,
            SerialBlock.vintage_end, SerialBlock.purchase_id)


@dataclass(frozen=True)
class HeldGroups:
    """An organisation's blocks in some statuses summed by status, scheme, project, vintage and
    purchase (and account, when asked: that sum reads the table), with the projects and the
    purchases' prices: enough for the holdings by any dimension and for :class:`HeldUnits`."""

    #: (status, scheme, project id, vintage start, vintage end, purchase id, account or None,
    #: units, blocks)
    rows: tuple[tuple[Any, ...], ...]
    projects: Mapping[int, InstrumentProject]
    prices: Mapping[int, tuple[Decimal, str]]

    @classmethod
    def read(cls, session: Session, organisation_id: int, statuses: Iterable[str], *,
             by_account: bool = False) -> HeldGroups:
        columns = (*_GROUPED, SerialBlock.account) if by_account else _GROUPED
        rows = session.execute(
            select(*columns, func.sum(SerialBlock.quantity), func.count())
            .where(SerialBlock.organisation_id == organisation_id, SerialBlock.status.in_(list(statuses)))
            .group_by(*columns)
        ).all()
        if not by_account:
            rows = [(*row[:6], None, *row[6:]) for row in rows]
        projects = {p.id: p for p in session.scalars(
            select(InstrumentProject).where(InstrumentProject.organisation_id == organisation_id))}
        prices = {pid: (price, currency) for pid, price, currency in session.execute(
            select(Purchase.id, Purchase.unit_price, Purchase.currency)
            .where(Purchase.organisation_id == organisation_id))}
        return cls(tuple(tuple(row) for row in rows), projects, prices)

    def lines(self, by: Sequence[str], statuses: Iterable[str]) -> list[HoldingLine]:
        """The quantities of blocks in ``statuses`` grouped by the dimensions ``by``, with their cost."""
        wanted = set(statuses)
        schemes = load_schemes()
        lines: dict[tuple, dict[str, Any]] = {}
        for status, scheme, project_id, vintage, _, purchase_id, account, quantity, count in self.rows:
            if status not in wanted:
                continue
            project = self.projects[project_id]
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
            if purchase_id in self.prices:
                price, currency = self.prices[purchase_id]
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

    def held_units(self, session: Session, organisation_id: int) -> HeldUnits:
        """:func:`held_units` from these sums (read with the held and reserved statuses): the
        blocks frozen by another organisation's contest, few, are read one by one and taken off."""
        units: dict[tuple[Any, ...], int] = {}
        for status, scheme, project_id, start, end, _, _, quantity, _ in self.rows:
            if status in SERVING:
                key = (scheme, project_id, start, end)
                units[key] = units.get(key, 0) + int(quantity)
        frozen = frozen_block_ids(session, organisation_id)
        if frozen:
            for scheme, project_id, start, end, quantity in session.execute(
                    select(SerialBlock.scheme, SerialBlock.project_id, SerialBlock.vintage_start,
                           SerialBlock.vintage_end, SerialBlock.quantity)
                    .where(SerialBlock.id.in_(frozen), SerialBlock.status.in_(SERVING))):
                units[(scheme, project_id, start, end)] -= quantity
        return HeldUnits(tuple((scheme, self.projects[project_id].country, start, end, quantity)
                               for (scheme, project_id, start, end), quantity in units.items() if quantity))


#: The statuses of blocks that could still serve a period.
SERVING = (BlockStatus.HELD.value, BlockStatus.RESERVED.value)


# --- what is held for a period ----------------------------------------------------------------


@dataclass(frozen=True)
class HeldForPeriod:
    eac_mwh_by_market: Mapping[str, Decimal]
    credits_tco2e: Decimal


@dataclass(frozen=True)
class HeldUnits:
    """An organisation's units held or reserved, less those frozen by another organisation's
    open contest, summed by scheme, market and vintage: read once, then asked for each period
    (a dashboard of ten periods reads 200,000 blocks once, not ten times)."""

    #: (scheme, country of the project, vintage start, vintage end, units)
    lots: tuple[tuple[str, str | None, dt.date | None, dt.date | None, int], ...]

    def for_period(self, start: dt.date, end: dt.date) -> HeldForPeriod:
        """Units that could serve the period: EACs by the producing country with a vintage
        inside the period, credits of a vintage that began by the period's end. (The rule sets
        narrow this further.)"""
        schemes = load_schemes()
        eac: dict[str, int] = {}
        credits = 0
        for scheme, country, vintage_start, vintage_end, quantity in self.lots:
            if schemes[scheme].kind == InstrumentKind.EAC:
                if vintage_start is not None and vintage_start <= end and (vintage_end or vintage_start) >= start:
                    eac[country] = eac.get(country, 0) + quantity
            elif vintage_start is None or vintage_start <= end:
                credits += quantity
        return HeldForPeriod({m: Decimal(q) for m, q in sorted(eac.items())}, Decimal(credits))


def held_units(session: Session, organisation_id: int) -> HeldUnits:
    """The organisation's :class:`HeldUnits`. Blocks frozen by another organisation's open
    contest are left out: nothing of them can be retired until a site administrator has decided."""
    return HeldGroups.read(session, organisation_id, SERVING).held_units(session, organisation_id)


def held_for_period(
    session: Session, organisation_id: int, start: dt.date, end: dt.date
) -> HeldForPeriod:
    """Units held or reserved that could serve the period (:meth:`HeldUnits.for_period`)."""
    return held_units(session, organisation_id).for_period(start, end)
