"""Use cases of contests over serials, for site administrators: list them with both sides, decide
one (who keeps the units, with a reason and the evidence), fetch that evidence.

A contest opens when a block is entered on units another organisation holds, has reserved or
has retired (:mod:`neutrality.registry.cross_holdings`); the block is stored "contested". While
the contest is open no side retires, reserves or plans the units. A site administrator sees
both sides (each block with the purchase or registry file it came from, and any retirement of
the units) and decides:

- for the claimant (the organisation whose block is contested): each holder's block loses the
  units in dispute (carved out and void; the rest of the block stays as it was) and the
  contested block takes the status it claimed (held, or retired for a row a registry export
  shows retired). Refused while units in dispute stand retired in the ledger: that retirement
  is reversed first, by its own compensating entry, so that the ledger stays append-only.
- for the holders: the contested block is void, whole (the claimant may enter again any of its
  units no one else holds).

Every step is audited: the contest in the claimant's organisation's log (its reason too, which
is therefore written to name no other organisation), each block voided or restored in its own
organisation's.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, require_admin
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.db import query_page
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.organisations.tables import Organisation
from neutrality.pagination import Page, PageResult
from neutrality.registry import blocks as block_math
from neutrality.registry.cross_holdings import lock_claims
from neutrality.registry.held_blocks import lock_holdings, reservation_of, split_off
from neutrality.registry.model import CLAIMS, Block, BlockStatus, ContestOutcome, ContestStatus
from neutrality.registry.tables import (
    Purchase,
    RegistryImport,
    RetiredRange,
    Retirement,
    SerialBlock,
    SerialContest,
)
from neutrality.uow import UnitOfWork

#: Why a block is void, kept with it (the holder reads it: it names no one).
_VOID_REASON = "a site administrator resolved a contest over these serials"


@dataclass(frozen=True)
class Side:
    """One organisation's block in a contest, with the evidence the system has of it."""

    organisation_id: int
    organisation_name: str
    block: SerialBlock
    purchase: Purchase | None
    registry_import: RegistryImport | None
    #: Retirements in force of the organisation on the units in dispute.
    retirement_ids: tuple[int, ...]


@dataclass(frozen=True)
class ContestView:
    """A contest as a site administrator reads it: the claimant's side and the holders'."""

    contest: SerialContest
    claimant: Side
    #: Other organisations' blocks on the units: while open, those holding, reserving or having
    #: retired them; once resolved, also those the resolution made void.
    holders: tuple[Side, ...]


def list_contests(
    uow: UnitOfWork, actor: Actor, page: Page, *, status: str | None = None
) -> PageResult[ContestView]:
    """Contests, oldest first, of every organisation (site administrators only)."""
    require_admin(actor)
    with uow:
        session = uow.session
        query = select(SerialContest)
        if status:
            query = query.where(SerialContest.status == ContestStatus(status).value)
        result = query_page(session, query.order_by(SerialContest.id), page)
        # the page's claimant blocks in one query: _view then finds them in the identity map
        session.scalars(select(SerialBlock).where(
            SerialBlock.id.in_({contest.block_id for contest in result.items}))).all()
        return dataclasses.replace(
            result, items=[_view(session, contest) for contest in result.items]
        )


def get_contest(uow: UnitOfWork, actor: Actor, contest_id: int) -> ContestView:
    require_admin(actor)
    with uow:
        return _view(uow.session, _contest_row(uow.session, contest_id))


def evidence_of(uow: UnitOfWork, actor: Actor, contest_id: int) -> tuple[SerialContest, bytes]:
    """A resolved contest with the evidence it was decided on (deferred: only this loads it)."""
    require_admin(actor)
    with uow:
        contest = _contest_row(uow.session, contest_id)
        if contest.evidence is None:
            raise NotFound(Msg("contest {id} is open: it has no evidence yet", id=contest.id))
        return contest, contest.evidence


def resolve(
    uow: UnitOfWork,
    actor: Actor,
    contest_id: int,
    data: Mapping[str, Any],
    *,
    evidence: bytes,
    evidence_filename: str,
) -> ContestView:
    """Decide who keeps the units of a contest (``data["keep"]``: "claimant" or "holders"), with
    the reason and the evidence (a registry statement of the account holding them, say)."""
    require_admin(actor)
    keep = _outcome(data.get("keep"))
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise InvalidInput(Msg("a resolution needs a reason"), {"reason": ["required"]})
    if not evidence:
        raise InvalidInput(Msg("attach the evidence the contest is decided on"), {"evidence": ["empty"]})
    with uow:
        session = uow.session
        contest = _contest_row(session, contest_id)
        claimant = session.get(SerialBlock, contest.block_id)
        # Every side's writers are serialised (lowest organisation first, then the claims, the
        # order every writer takes them in), then everything is read again as it now stands.
        parties = sorted(
            {claimant.organisation_id, *(b.organisation_id for b in _holders(session, claimant))}
        )
        for organisation_id in parties:
            lock_holdings(session, organisation_id)
        lock_claims(session)
        session.expire_all()
        contest = _contest_row(session, contest_id)
        if contest.status != ContestStatus.OPEN:
            raise Conflict(
                Msg("contest {id} is resolved already", id=contest.id), {"contest_id": ["resolved"]}
            )
        claimant = session.get(SerialBlock, contest.block_id)
        holders = _holders(session, claimant)
        if any(b.organisation_id not in parties for b in holders):
            raise Conflict(
                Msg("the holdings changed while the contest was being resolved; try again"),
                {"contest_id": ["changed"]},
            )
        before = snapshot(contest)
        if keep is ContestOutcome.CLAIMANT:
            _refuse_if_retired(session, claimant)
            for block in holders:
                _void(session, actor, block, _value(claimant))
            restored = snapshot(claimant)
            claimant.status = contest.claimed_status
            record(
                session,
                actor,
                "registry.block.status",
                claimant,
                before=restored,
                organisation_id=claimant.organisation_id,
            )
        else:
            _void(session, actor, claimant, _value(claimant))
        contest.status, contest.outcome, contest.reason = (
            ContestStatus.RESOLVED.value,
            keep.value,
            reason,
        )
        contest.evidence, contest.evidence_filename = evidence, evidence_filename
        contest.evidence_sha256 = hashlib.sha256(evidence).hexdigest()
        contest.resolved_at, contest.resolved_by = utcnow(), actor.label
        session.flush()
        record(
            session,
            actor,
            "registry.contest.resolve",
            contest,
            before=before,
            organisation_id=contest.organisation_id,
        )
        view = _view(session, contest)
        uow.commit()
        return view


def _outcome(value: Any) -> ContestOutcome:
    try:
        return ContestOutcome(value)
    except ValueError:
        choices = " / ".join(f'"{o.value}"' for o in ContestOutcome)
        raise InvalidInput(
            Msg("say who keeps the units: {choices}", choices=choices), {"keep": [f"one of {choices}"]}
        ) from None


def _contest_row(session: Session, contest_id: int) -> SerialContest:
    contest = session.get(SerialContest, contest_id)
    if contest is None:
        raise NotFound(Msg("contest {id} not found", id=contest_id))
    return contest


def _holders(
    session: Session, claimant: SerialBlock, *, statuses: Sequence[str] | None = None
) -> list[SerialBlock]:
    """Other organisations' blocks on the claimant's units, in the given statuses (by default
    those that hold the units without dispute)."""
    wanted = statuses or [s.value for s in CLAIMS]
    return list(
        session.scalars(
            select(SerialBlock)
            .where(
                SerialBlock.scheme == claimant.scheme,
                SerialBlock.issuance_key == claimant.issuance_key,
                SerialBlock.serial_start <= claimant.serial_end,
                SerialBlock.serial_end >= claimant.serial_start,
                SerialBlock.organisation_id != claimant.organisation_id,
                SerialBlock.status.in_(wanted),
            )
            .order_by(SerialBlock.organisation_id, SerialBlock.serial_start)
        )
    )


def _retirements_on(session: Session, block: Block) -> list[tuple[int, int, int, int]]:
    """(retirement id, organisation id, first, last unit) of the retirements in force on units
    of ``block``."""
    rows = session.execute(
        select(
            Retirement.id,
            Retirement.organisation_id,
            RetiredRange.serial_start,
            RetiredRange.serial_end,
        )
        .join(Retirement, Retirement.id == RetiredRange.retirement_id)
        .where(
            RetiredRange.scheme == block.scheme,
            RetiredRange.issuance_key == block.issuance_key,
            RetiredRange.serial_start <= block.end,
            RetiredRange.serial_end >= block.start,
        )
        .order_by(RetiredRange.serial_start)
    )
    return [
        (entry, organisation, max(start, block.start), min(end, block.end))
        for entry, organisation, start, end in rows
    ]


def _refuse_if_retired(session: Session, claimant: SerialBlock) -> None:
    retired = _retirements_on(session, _value(claimant))
    if retired:
        entry, organisation_id, start, end = retired[0]
        raise Conflict(
            Msg("units {start}–{end} are retired in the ledger of organisation {organisation} "
                "(retirement {entry}); reverse that retirement first", start=start, end=end,
                organisation=organisation_id, entry=entry),
            {"keep": ["retired by the holders"]},
        )


def _void(session: Session, actor: Actor, block: SerialBlock, units: Block) -> None:
    """The units of ``block`` within ``units`` made void: carved out of it (the block keeps its
    id for them; what lies below and above stays as it was, in new blocks), audited in the
    block's organisation's log."""
    before = snapshot(block)
    below, part, above = block_math.carve(
        _value(block), max(block.serial_start, units.start), min(block.serial_end, units.end)
    )
    reservation = reservation_of(session, block.id)
    block.serial_start, block.serial_end, block.quantity = part.start, part.end, part.quantity
    session.flush()  # narrowed first: the pieces never overlap it, even for a moment
    for piece in (below, above):
        if piece is not None:
            split_off(session, actor, block, piece, reservation.period_id if reservation else None)
    if reservation is not None:
        session.delete(reservation)
    block.status = BlockStatus.VOID.value
    block.details = {**block.details, "status_reason": _VOID_REASON}
    record(
        session,
        actor,
        "registry.block.void",
        block,
        before=before,
        organisation_id=block.organisation_id,
    )


def _view(session: Session, contest: SerialContest) -> ContestView:
    claimant = session.get(SerialBlock, contest.block_id)
    statuses = [s.value for s in CLAIMS]
    if contest.status == ContestStatus.RESOLVED:
        statuses.append(BlockStatus.VOID.value)
    holders = _holders(session, claimant, statuses=statuses)
    # Every side's disputed units lie within the claimant's: one look-up of the retirements on
    # those serves all sides.
    retirements = _retirements_on(session, _value(claimant))
    return ContestView(
        contest,
        _side(session, claimant, claimant, retirements),
        tuple(_side(session, block, claimant, retirements) for block in holders),
    )


def _side(
    session: Session,
    block: SerialBlock,
    claimant: SerialBlock,
    retirements: Sequence[tuple[int, int, int, int]],
) -> Side:
    first = max(block.serial_start, claimant.serial_start)
    last = min(block.serial_end, claimant.serial_end)
    organisation = session.get(Organisation, block.organisation_id)
    return Side(
        organisation_id=block.organisation_id,
        organisation_name=organisation.name,
        block=block,
        purchase=session.get(Purchase, block.purchase_id) if block.purchase_id else None,
        registry_import=session.get(RegistryImport, block.import_id) if block.import_id else None,
        retirement_ids=tuple(
            entry
            for entry, organisation_id, start, end in retirements
            if organisation_id == block.organisation_id and start <= last and end >= first
        ),
    )


def _value(block: SerialBlock) -> Block:
    return Block(block.scheme, block.issuance_key, block.serial_start, block.serial_end)
