"""The blocks a retirement plan may draw on, read as lots rather than one by one.

An organisation may hold hundreds of thousands of blocks, and a plan retires a few of them. The
holdings are read grouped into lots — blocks alike in everything the rules and the policies look
at (scheme, project, vintage, purchase price, reservation, status) — with one query; the rules
judge each lot once; a need then reads the blocks of the accepted lots in the policy's order, a
page at a time, only as far as it needs (:class:`LotOffer`).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, null, select, true
from sqlalchemy.orm import Session

from neutrality.messages import Msg
from neutrality.registry import planner
from neutrality.registry.cross_holdings import frozen_block_ids
from neutrality.registry.model import BlockStatus, InstrumentKind
from neutrality.registry.schemes import load_schemes
from neutrality.registry.tables import BlockReservation, InstrumentProject, Purchase, SerialBlock

#: what makes blocks alike (ix_serial_blocks_lots): a purchase's price and currency follow its id
_ALIKE = (SerialBlock.status, SerialBlock.scheme, SerialBlock.project_id, SerialBlock.vintage_start,
          SerialBlock.vintage_end, SerialBlock.purchase_id)
#: blocks read per page when a need draws on a lot; pages grow as it goes on
_FIRST_PAGE, _LARGEST_PAGE = 32, 16_384


def _same(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


#: Why a held lot is passed over whatever the rules (the API's ``reason``; pages translate it).
CONTESTED = Msg("contested")
RESERVED_ELSEWHERE = Msg("reserved for another period")


@dataclass
class HeldLots:
    """An organisation's blocks held, reserved or contested, for one period's plan."""

    session: Session
    organisation_id: int
    period_id: int
    projects: dict[int, InstrumentProject]
    prices: dict[int, tuple[Any, str | None]]
    #: the lots a plan may take, if the rules accept them
    free: list[planner.Lot] = field(default_factory=list)
    #: the lots it may not, whatever the rules: contested, reserved for another period
    elsewhere: list[tuple[planner.Lot, str]] = field(default_factory=list)
    _where: dict[planner.Lot, ColumnElement[bool]] = field(default_factory=dict, repr=False)
    _reserved_for: dict[planner.Lot, int] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, session: Session, organisation_id: int, period_id: int) -> HeldLots:
        frozen = frozen_block_ids(session, organisation_id)
        thawed = SerialBlock.id.not_in(frozen) if frozen else true()
        mine = SerialBlock.organisation_id == organisation_id
        counted = (func.count(), func.sum(SerialBlock.quantity), func.min(SerialBlock.id))
        # held and contested blocks from the index alone; reserved ones (few, set aside while
        # being retired) with the period they are reserved for
        rows = [(*row[:6], None, *row[6:]) for row in session.execute(
            select(*_ALIKE, *counted).where(
                mine, SerialBlock.status.in_([BlockStatus.HELD.value, BlockStatus.CONTESTED.value]), thawed)
            .group_by(*_ALIKE))]
        rows += session.execute(
            select(*_ALIKE, BlockReservation.period_id, *counted)
            .outerjoin(BlockReservation, BlockReservation.block_id == SerialBlock.id)
            .where(mine, SerialBlock.status == BlockStatus.RESERVED.value, thawed)
            .group_by(*_ALIKE, BlockReservation.period_id)).all()
        singles = session.execute(
            select(*_ALIKE, BlockReservation.period_id, SerialBlock.quantity, SerialBlock.id)
            .outerjoin(BlockReservation, BlockReservation.block_id == SerialBlock.id)
            .where(mine, SerialBlock.status.in_(_PLANNABLE), SerialBlock.id.in_(frozen))
        ).all() if frozen else []
        project_ids = {row[2] for row in [*rows, *singles]}
        purchase_ids = {row[5] for row in [*rows, *singles]} - {None}
        projects = {p.id: p for p in session.scalars(
            select(InstrumentProject).where(InstrumentProject.id.in_(project_ids)))} if project_ids else {}
        prices = {pid: (price, currency) for pid, price, currency in session.execute(
            select(Purchase.id, Purchase.unit_price, Purchase.currency).where(Purchase.id.in_(purchase_ids)))
        } if purchase_ids else {}
        held = cls(session, organisation_id, period_id, projects, prices)
        for *alike, reserved_for, blocks, units, first in rows:
            lot = planner.Lot(held._candidate(*alike, reserved_for, quantity=units, block_id=first), blocks, units)
            held._where[lot] = and_(*(_same(column, value) for column, value in zip(_ALIKE, alike, strict=True)),
                                    thawed)
            if reserved_for is not None:
                held._reserved_for[lot] = reserved_for
            held._sort(lot, alike[0], reserved_for)
        for *alike, reserved_for, quantity, block_id in singles:
            # held on units another organisation's open contest names
            lot = planner.Lot(held._candidate(*alike, reserved_for, quantity=quantity, block_id=block_id), 1,
                              quantity)
            held._where[lot] = SerialBlock.id == block_id
            if reserved_for is not None:
                held._reserved_for[lot] = reserved_for
            held.elsewhere.append((lot, CONTESTED))
        return held

    def _sort(self, lot: planner.Lot, status: str, reserved_for: int | None) -> None:
        if status == BlockStatus.CONTESTED:
            self.elsewhere.append((lot, CONTESTED))
        elif reserved_for is not None and reserved_for != self.period_id:
            self.elsewhere.append((lot, RESERVED_ELSEWHERE))
        else:
            self.free.append(lot)

    def _candidate(self, status: str, scheme: str, project_id: int, start: Any, end: Any, purchase_id: int | None,
                   reserved_for: int | None, *, quantity: int, block_id: int) -> planner.Candidate:
        price, currency = self.prices.get(purchase_id, (None, None)) if purchase_id is not None else (None, None)
        return planner.Candidate(block_id, scheme, _KINDS[scheme], quantity, project_id,
                                 self.projects[project_id].country, start, end, price, currency,
                                 reserved=reserved_for == self.period_id)

    def _query(self, lot: planner.Lot, columns: Sequence[Any]) -> Select:
        query = select(*columns).where(SerialBlock.organisation_id == self.organisation_id, self._where[lot])
        if lot in self._reserved_for:
            query = query.join(BlockReservation, BlockReservation.block_id == SerialBlock.id).where(
                BlockReservation.period_id == self._reserved_for[lot])
        return query

    def _lot_blocks(self, lot: planner.Lot) -> Iterator[planner.Candidate]:
        """One lot's blocks by id, a page at a time (read along ix_serial_blocks_lots)."""
        reservation = BlockReservation.period_id if lot in self._reserved_for else null().label("period_id")
        after, size = 0, _FIRST_PAGE
        while True:
            page = self.session.execute(
                self._query(lot, (*_ALIKE, reservation, SerialBlock.quantity, SerialBlock.id))
                .where(SerialBlock.id > after).order_by(SerialBlock.id).limit(size)
            ).all()
            for *alike, reserved_for, quantity, block_id in page:
                yield self._candidate(*alike, reserved_for, quantity=quantity, block_id=block_id)
            if len(page) < size:
                return
            after, size = page[-1][-1], min(size * 4, _LARGEST_PAGE)

    def blocks(self, lots: Sequence[planner.Lot]) -> Iterator[planner.Candidate]:
        """The blocks of ``lots`` by id: a need stops reading once it is met."""
        return heapq.merge(*(self._lot_blocks(lot) for lot in lots), key=lambda c: c.block_id)

    def first_ids(self, lots: Sequence[planner.Lot]) -> list[int]:
        """The ids of the first 20 blocks of ``lots``, for a group of refused blocks."""
        firsts = (self.session.scalars(self._query(lot, (SerialBlock.id,)).order_by(SerialBlock.id).limit(20))
                  for lot in lots)
        return list(itertools.islice(heapq.merge(*firsts), 20))


_KINDS = {code: spec.kind for code, spec in load_schemes().items()}
_PLANNABLE = (BlockStatus.HELD.value, BlockStatus.RESERVED.value, BlockStatus.CONTESTED.value)


@dataclass
class LotOffer:
    """The accepted lots' blocks, each need's in the policy's order (:func:`planner.tiers`)."""

    held: HeldLots
    lots: Sequence[planner.Lot]
    policy: planner.Policy
    preference: Sequence[int] = ()

    def certificates(self, market: str) -> Iterator[planner.Candidate]:
        return self._in_order([lot for lot in self.lots
                               if lot.sample.kind is InstrumentKind.EAC and lot.sample.market == market])

    def credits(self) -> Iterator[planner.Candidate]:
        return self._in_order([lot for lot in self.lots if lot.sample.kind is InstrumentKind.CARBON_CREDIT])

    def _in_order(self, lots: list[planner.Lot]) -> Iterator[planner.Candidate]:
        for tier in planner.tiers(lots, self.policy, self.preference):
            yield from self.held.blocks(tier)
