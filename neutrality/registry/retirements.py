"""Use cases of the retirement ledger: retire units against a subject's application period,
reverse a mistaken retirement, list the ledger.

No unit is ever retired twice, by anyone: the service probes the retired ranges (one index
probe, as for holdings) with the organisation's writers serialised, and on PostgreSQL an
exclusion constraint over the ranges refuses what a race would let through. Units in an open
contest (:mod:`neutrality.registry.contests`) are retired by no side until a site administrator
decides; the refusal reads the same whoever else holds or retired the units.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.model import PeriodStatus
from neutrality.commitments.repository import get_period_row
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.db import owned_row, query_page
from neutrality.errors import Conflict, InvalidInput
from neutrality.inventory.positions import PeriodCoverages
from neutrality.messages import Msg
from neutrality.pagination import Page, PageResult
from neutrality.registry import blocks as block_math
from neutrality.registry.cross_holdings import contested_elsewhere
from neutrality.registry.held_blocks import lock_holdings, reservation_of, split_off
from neutrality.registry.ledger import RETIREMENT, REVERSAL
from neutrality.registry.model import Block, BlockStatus, InstrumentKind, SerialsContested
from neutrality.registry.repository import get_block_row
from neutrality.registry.retirement_rules import RetirementRules, as_documents, refused
from neutrality.registry.schemes import scheme as scheme_of
from neutrality.registry.tables import InstrumentProject, RetiredRange, Retirement, SerialBlock
from neutrality.uow import UnitOfWork


def retire(
    uow: UnitOfWork, actor: Actor, organisation_id: int, data: Mapping[str, Any], *,
    evidence: bytes, evidence_filename: str, as_of: dt.date,
) -> Retirement:
    """Retire a whole block, or its first ``quantity`` units (the rest stays held), for one
    application period of the organisation. All or nothing."""
    authorize(actor, Permission.RETIRE, organisation_id)
    require_evidence(evidence)
    with uow:
        session = uow.session
        lock_holdings(session, organisation_id)
        period = period_open_for_retirement(session, organisation_id, data["period_id"])
        block = get_block_row(session, organisation_id, data["block_id"])
        quantity = data.get("quantity") or block.quantity
        part, _ = block_math.split(_value(block), quantity)
        entry = retire_units(
            uow, actor, period, block, part.start, part.end, data,
            evidence=evidence, evidence_filename=evidence_filename, as_of=as_of, markets=PeriodCoverages(session),
        )
        uow.commit()
        return entry


def require_evidence(evidence: bytes) -> None:
    if not evidence:
        raise InvalidInput(Msg("attach the registry's retirement certificate or statement"), {"evidence": ["empty"]})


def retire_units(
    uow: UnitOfWork, actor: Actor, period: ApplicationPeriodRow, block: SerialBlock, start: int, end: int,
    data: Mapping[str, Any], *, evidence: bytes, evidence_filename: str, as_of: dt.date,
    markets: PeriodCoverages, import_id: int | None = None, judge: RetirementRules | None = None,
) -> Retirement:
    """Units ``start..end`` of a held block retired for ``period``: the block is carved (the
    units below and above keep its status, as new blocks), the ledger entry and its guard range
    written and both audited. Inside the caller's transaction, with the organisation's holdings
    locked (:func:`lock_holdings`); the caller commits.

    A block imported as already retired at the registry (from the organisation's account
    export) is accepted too when ``import_id`` names the registry export being matched: its
    units enter the ledger for the period, still at most once (the guard ranges).
    """
    session = uow.session
    organisation_id = block.organisation_id
    allowed = (BlockStatus.HELD.value, BlockStatus.RESERVED.value) + (
        (BlockStatus.RETIRED.value,) if import_id is not None else ())
    if block.status == BlockStatus.CONTESTED:
        raise SerialsContested("be retired")
    if block.status not in allowed:
        raise Conflict(Msg("block {id} is {status}: only held or reserved units are retired", id=block.id, status=block.status),
                       {"block_id": [block.status]})
    reservation = reservation_of(session, block.id)
    if reservation is not None and reservation.period_id != period.id:
        raise Conflict(Msg("block {id} is reserved for period {period}; release it first", id=block.id,
                           period=reservation.period_id),
                       {"block_id": [f"reserved for period {reservation.period_id}"]})
    retired_on = data["retired_on"]
    if retired_on > as_of:
        raise InvalidInput(Msg("the retirement date {date} is in the future; give the date "
                               "on the registry's evidence", date=retired_on.isoformat()),
                           {"retired_on": ["in the future"]})
    below, part, above = block_math.carve(_value(block), start, end)
    scheme = scheme_of(block.scheme)
    market = None
    if scheme.kind is InstrumentKind.EAC:
        market = session.get(InstrumentProject, block.project_id).country
        if markets.grid_mwh(period, market) <= 0:
            raise InvalidInput(
                Msg("the period has no grid electricity in market {market} for these certificates to cover",
                    market=market),
                {"block_id": [f"no consumption in {market}"]},
            )
    # the claim's rules, before anything is written (refused, or recorded on purpose with a reason)
    rules = RetirementRules(session, markets, as_of) if judge is None else judge
    refusals = rules.refusals(period, block, part.quantity, data, market, scheme.kind is InstrumentKind.EAC)
    despite = (data.get("despite_rules") or "").strip()
    if refusals and not despite:
        raise refused(refusals)
    clash = _retired_overlap(session, part)
    if clash is not None and clash.organisation_id == organisation_id:
        raise Conflict(
            Msg("serials {start}–{end} of {scheme} are already retired (retirement {id})",
                start=part.start, end=part.end, scheme=part.scheme, id=clash.id),
            {"block_id": ["already retired"]},
        )
    # Another organisation's retirement of these units (or its contest of them): the same words
    # as for a contested block, which say nothing of who, nor whether held or retired.
    if clash is not None or contested_elsewhere(session, organisation_id, part):
        raise SerialsContested("be retired")
    before = snapshot(block)
    status_before = block.status
    block.serial_start, block.serial_end, block.quantity = part.start, part.end, part.quantity
    session.flush()
    for piece in (below, above):
        if piece is not None:
            split_off(session, actor, block, piece, reservation.period_id if reservation else None)
    if reservation is not None:  # set aside for this period: now retired for it
        session.delete(reservation)
    block.status = BlockStatus.RETIRED.value
    commitment = session.get(Commitment, period.commitment_id)
    entry = Retirement(
        organisation_id=organisation_id, period_id=period.id, subject_id=commitment.subject_id,
        kind=RETIREMENT, block_id=block.id, scheme=block.scheme, issuance_key=block.issuance_key,
        serial_start=part.start, serial_end=part.end, quantity=part.quantity, unit=scheme.unit, market=market,
        beneficiary_organisation_id=organisation_id, beneficiary_text=data["beneficiary_text"],
        purpose=data["purpose"], reason=data.get("reason", ""), retired_on=retired_on,
        registry_reference=data["registry_reference"], registry_link=data.get("registry_link", ""),
        evidence_filename=evidence_filename, evidence_sha256=hashlib.sha256(evidence).hexdigest(),
        evidence=evidence, import_id=import_id, block_status_before=status_before, created_at=utcnow(),
        created_by=actor.label, exclusion_reason=despite if refusals else "",
        findings=as_documents(refusals) if refusals else None,
    )
    session.add(entry)
    session.flush()
    session.add(RetiredRange(retirement_id=entry.id, scheme=entry.scheme, issuance_key=entry.issuance_key,
                             serial_start=entry.serial_start, serial_end=entry.serial_end))
    # On PostgreSQL a racing writer that slipped past the probe meets the exclusion
    # constraint here; the unit of work turns that into a conflict.
    uow.flush()
    record(session, actor, "registry.block.retire", block, before=before, organisation_id=organisation_id)
    record(session, actor, "registry.retirement.record", entry, organisation_id=organisation_id)
    return entry


def _value(block: SerialBlock) -> Block:
    return Block(block.scheme, block.issuance_key, block.serial_start, block.serial_end)


def reverse(uow: UnitOfWork, actor: Actor, organisation_id: int, retirement_id: int, reason: str) -> Retirement:
    """Reverse a mistaken retirement with a compensating entry. Units recorded by hand are held
    again; units a registry export shows retired stay retired, for no period, until assigned
    again (by importing the export for the right period)."""
    authorize(actor, Permission.RETIRE, organisation_id)
    if not reason.strip():
        raise InvalidInput(Msg("a reversal needs a reason"), {"reason": ["required"]})
    with uow:
        session = uow.session
        lock_holdings(session, organisation_id)
        original = _entry(session, organisation_id, retirement_id)
        if original.kind == REVERSAL:
            raise InvalidInput(Msg("entry {id} is itself a reversal; a reversal is not reversed", id=original.id),
                               {"retirement_id": ["a reversal"]})
        done = session.scalar(select(Retirement.id).where(Retirement.reverses_id == original.id))
        if done is not None:
            raise Conflict(Msg("retirement {id} was already reversed by entry {entry}", id=original.id, entry=done))
        period_open_for_retirement(session, organisation_id, original.period_id)  # refuses a declared period
        block = get_block_row(session, organisation_id, original.block_id)
        before = snapshot(block)
        # Units a registry export shows retired (matched from it, or imported as retired before
        # they were recorded here) stay retired: they are only unassigned from the period. A
        # retirement recorded by hand may have named the wrong block: its units are held again.
        at_registry = original.import_id is not None or original.block_status_before == BlockStatus.RETIRED
        block.status = (BlockStatus.RETIRED if at_registry else BlockStatus.HELD).value
        entry = Retirement(**{
            **{c.key: getattr(original, c.key) for c in Retirement.__table__.columns
               if c.key not in ("id", "kind", "reverses_id", "reason", "created_at", "created_by")},
            "kind": REVERSAL, "reverses_id": original.id, "reason": reason.strip(),
            "created_at": utcnow(), "created_by": actor.label,
        })
        session.add(entry)
        guard = session.scalar(select(RetiredRange).where(RetiredRange.retirement_id == original.id))
        session.delete(guard)
        session.flush()
        record(session, actor, "registry.block.unretire", block, before=before, organisation_id=organisation_id)
        record(session, actor, "registry.retirement.reverse", entry, organisation_id=organisation_id)
        uow.commit()
        return entry


def list_retirements(
    uow: UnitOfWork, actor: Actor, organisation_id: int, page: Page, period_id: int | None = None
) -> PageResult[Retirement]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        query = select(Retirement).where(Retirement.organisation_id == organisation_id)
        if period_id is not None:
            query = query.where(Retirement.period_id == period_id)
        return query_page(uow.session, query.order_by(Retirement.id), page)


def get_retirement(uow: UnitOfWork, actor: Actor, organisation_id: int, retirement_id: int) -> Retirement:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        return _entry(uow.session, organisation_id, retirement_id)


def evidence_of(uow: UnitOfWork, actor: Actor, organisation_id: int, retirement_id: int) -> tuple[Retirement, bytes]:
    """A ledger entry with its evidence file (deferred: only this use case loads it), refused
    when the file no longer hashes to the SHA-256 recorded with it."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        entry = _entry(uow.session, organisation_id, retirement_id)
        return entry, checked_evidence(entry)


def checked_evidence(entry: Retirement) -> bytes:
    """The entry's evidence file after recomputing its SHA-256: a file changed after it was
    recorded (the ledger refuses UPDATE, but not someone with the database's keys) is reported,
    never handed to a verifier as the registry's evidence."""
    evidence = entry.evidence
    computed = hashlib.sha256(evidence).hexdigest()
    if computed != entry.evidence_sha256:
        raise Conflict(
            Msg("the evidence file of retirement {id} was changed after it was recorded: its SHA-256 "
                "is {computed}, the ledger recorded {recorded}", id=entry.id, computed=computed,
                recorded=entry.evidence_sha256),
            {"recorded_sha256": entry.evidence_sha256, "computed_sha256": computed})
    return evidence


def _entry(session: Session, organisation_id: int, retirement_id: int) -> Retirement:
    return owned_row(session, Retirement, organisation_id, retirement_id, what="retirement")


def period_open_for_retirement(session: Session, organisation_id: int, period_id: int) -> ApplicationPeriodRow:
    period = get_period_row(session, organisation_id, period_id)
    if period.status == PeriodStatus.DECLARED.value:
        raise Conflict(Msg("period {id} is declared: its retirements are final", id=period.id), {"period_id": ["declared"]})
    return period


def _retired_overlap(session: Session, block: Block) -> Retirement | None:
    """The retirement in force that shares a unit with ``block``, if any: one index probe
    (retired ranges never overlap, so only the last one starting at or before the end can)."""
    candidate = session.scalar(
        select(RetiredRange)
        .where(RetiredRange.scheme == block.scheme, RetiredRange.issuance_key == block.issuance_key,
               RetiredRange.serial_start <= block.end)
        .order_by(RetiredRange.serial_start.desc()).limit(1)
    )
    if candidate is not None and candidate.serial_end >= block.start:
        return session.get(Retirement, candidate.retirement_id)
    return None
