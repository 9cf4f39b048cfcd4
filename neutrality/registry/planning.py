"""Use cases of the retirement planner: propose which held blocks to retire for a period, set
a plan's units aside for it (reserve), and apply a plan (all of it or nothing).

The proposal is read-only; it offers only the blocks the rules of the period's claim accept
(:mod:`neutrality.registry.rule_acceptance`), and names the rule that refuses each other one. Applying takes the plan's lines as the user confirmed them (a plan
may be edited before it is applied) and records every retirement in one transaction, with one
registry evidence for all of them (the registry's retirement statement of the batch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from neutrality.access.model import Actor, Permission, authorize
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.commitments.tables import Commitment
from neutrality.errors import Conflict, InvalidInput, NeutralityError
from neutrality.inventory.positions import PeriodCoverage, PeriodCoverages
from neutrality.messages import Msg
from neutrality.registry import blocks as block_math
from neutrality.registry import planner
from neutrality.registry.counted import in_force_under_claim
from neutrality.registry.cross_holdings import contested_elsewhere
from neutrality.registry.held_blocks import lock_holdings, split_off
from neutrality.registry.held_lots import HeldLots, LotOffer
from neutrality.registry.ledger import retired_tco2e_and_mwh
from neutrality.registry.model import Block, BlockStatus, SerialsContested
from neutrality.registry.repository import get_block_row
from neutrality.registry.retirement_rules import RetirementRules
from neutrality.registry.retirements import (
    period_open_for_retirement,
    require_evidence,
    retire_units,
)
from neutrality.registry.rule_acceptance import RulesAcceptance
from neutrality.registry.rule_facts import claim_of, period_facts
from neutrality.registry.tables import (
    BlockReservation,
    Retirement,
    SerialBlock,
)
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.rules.engine import applicable
from neutrality.rules.model import Catalogue
from neutrality.uow import UnitOfWork


def propose(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, policy: planner.Policy,
    retire_on: dt.date, tolerance: int = 0, preference: Sequence[int] = (), catalogue: Catalogue | None = None,
) -> planner.RetirementPlan:
    """A plan covering the period's electricity (EACs per market) and then its residual (credits),
    from the blocks held that the rules of the period's claim accept if retired on ``retire_on``,
    with the shortfall where they are not enough."""
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    if tolerance < 0:
        raise InvalidInput(Msg("the tolerance is a number of units, 0 or more"), {"tolerance": ["negative"]})
    catalogue = catalogue or shipped_catalogue()
    with uow:
        session = uow.session
        period = period_open_for_retirement(session, organisation_id, period_id)
        coverage = PeriodCoverage.of_period(session, period.id)
        if coverage is None:
            raise InvalidInput(Msg("period {id} has no inventory: there is nothing to plan for", id=period.id),
                               {"period_id": ["no inventory"]})
        held = HeldLots.read(session, organisation_id, period.id)
        facts = period_facts(session, period, as_of=retire_on, coverage=coverage)
        # what is retired already covers the period only where its claim counts it
        judged = in_force_under_claim(session, period, as_of=retire_on, coverage=coverage, catalogue=catalogue,
                                      facts=facts)
        credits_retired, mwh_retired = retired_tco2e_and_mwh(judged.counted)
        commitment = session.get(Commitment, period.commitment_id)
        acceptance = RulesAcceptance(applicable(catalogue, claim_of(commitment), facts.start, facts.end).sets,
                                     facts, held.projects)
        offered: list[planner.Lot] = []
        refused: list[tuple[planner.Lot, str]] = []
        for lot in held.free:
            reason = acceptance.refusal(lot.sample)
            if reason is None:
                offered.append(lot)
            else:
                refused.append((lot, reason))
        plan = planner.plan_period(
            LotOffer(held, offered, policy, preference),
            planner.group_refused_lots([*refused, *held.elsewhere], held.first_ids),
            grid_mwh_by_market=coverage.grid_mwh_by_market,
            retired_mwh_by_market={m: Decimal(q) for m, q in mwh_retired.items()},
            credits_retired_tco2e=Decimal(credits_retired),
            residual_after=lambda mwh_by_market: coverage.position(mwh_by_market).residual_tco2e,
            tolerance=tolerance,
        )
        return planner.RetirementPlan(
            period_id=period.id, start_date=period.start_date, end_date=period.end_date,
            inventory_id=coverage.inventory.id, inventory_status=coverage.inventory.status,
            policy=policy, tolerance=tolerance, preference=tuple(preference), retire_on=retire_on, plan=plan,
        )


def apply(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, lines: Sequence[Mapping[str, Any]],
    data: Mapping[str, Any], *, evidence: bytes, evidence_filename: str, as_of: dt.date,
) -> list[Retirement]:
    """Retire every line of a plan (``block_id`` and ``quantity``: the block's first units) for
    the period, with the same registry evidence and fields: all of them, or none."""
    return apply_groups(uow, actor, organisation_id, period_id,
                        [ApplyGroup(tuple(lines), data, evidence, evidence_filename)], as_of=as_of)


@dataclass(frozen=True)
class ApplyGroup:
    """The lines of a plan retired in one registry transaction: its fields (reference, date,
    beneficiary, purpose…) and its evidence (the registry's statement)."""

    lines: Sequence[Mapping[str, Any]]
    data: Mapping[str, Any]
    evidence: bytes
    evidence_filename: str


def apply_groups(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, groups: Sequence[ApplyGroup], *,
    as_of: dt.date,
) -> list[Retirement]:
    """Retire the lines of a plan that spans registries (Verra and the GEC platform, say), each
    group with its own registry fields and evidence: every line of every group, or none."""
    authorize(actor, Permission.RETIRE, organisation_id)
    for group in groups:
        require_evidence(group.evidence)
    _check_lines([line for group in groups for line in group.lines])
    with uow:
        session = uow.session
        lock_holdings(session, organisation_id)
        period = period_open_for_retirement(session, organisation_id, period_id)
        markets = PeriodCoverages(session)
        judge = RetirementRules(session, markets, as_of)  # the claim's rules, gathered once
        entries = []
        number = 0
        for group in groups:
            for line in group.lines:
                number += 1
                try:
                    block = get_block_row(session, organisation_id, line["block_id"])
                    part, _ = block_math.split(_value(block), line.get("quantity") or block.quantity)
                    entries.append(retire_units(uow, actor, period, block, part.start, part.end, group.data,
                                                evidence=group.evidence, evidence_filename=group.evidence_filename,
                                                as_of=as_of, markets=markets, judge=judge))
                except NeutralityError as problem:
                    # Name the line; the transaction is rolled back by the unit of work.
                    problem.message = Msg("line {number} (block {block}): {message}; nothing was retired",
                                          number=number, block=line["block_id"], message=problem.message)
                    raise
        uow.commit()
        return entries


def reserve(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, lines: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Set aside the units of a plan's lines for the period (the block's first ``quantity``
    units; the rest stays held): other periods' plans pass them over and no other period can
    retire them until they are released (status back to held). All lines or none."""
    authorize(actor, Permission.MANAGE_INSTRUMENTS, organisation_id)
    _check_lines(lines)
    with uow:
        session = uow.session
        lock_holdings(session, organisation_id)
        period = period_open_for_retirement(session, organisation_id, period_id)
        reserved = []
        for number, line in enumerate(lines, start=1):
            try:
                block = get_block_row(session, organisation_id, line["block_id"])
                if block.status == BlockStatus.CONTESTED:
                    raise SerialsContested("be reserved")
                if block.status != BlockStatus.HELD.value:
                    raise Conflict(Msg("block {id} is {status}: only held units are reserved", id=block.id, status=block.status),
                                   {"block_id": [block.status]})
                before = snapshot(block)
                part, rest = block_math.split(_value(block), line.get("quantity") or block.quantity)
                if contested_elsewhere(session, organisation_id, part):
                    raise SerialsContested("be reserved")
                block.serial_end, block.quantity = part.end, part.quantity
                session.flush()
                if rest is not None:
                    split_off(session, actor, block, rest, None)  # a held block: no reservation
                block.status = BlockStatus.RESERVED.value
                session.add(BlockReservation(organisation_id=organisation_id, block_id=block.id, period_id=period.id,
                                             created_at=utcnow(), created_by=actor.label))
                uow.flush()
            except NeutralityError as problem:
                problem.message = Msg("line {number} (block {block}): {message}; nothing was reserved",
                                      number=number, block=line["block_id"], message=problem.message)
                raise
            record(session, actor, "registry.block.reserve", block, before=before, organisation_id=organisation_id)
            reserved.append({"block_id": block.id, "period_id": period.id, "scheme": block.scheme,
                             "serial_start": block.serial_start, "serial_end": block.serial_end,
                             "quantity": block.quantity})
        uow.commit()
        return reserved


def _check_lines(lines: Sequence[Mapping[str, Any]]) -> None:
    if not lines:
        raise InvalidInput(Msg("the plan has no line to apply"), {"lines": ["empty"]})
    seen: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if line["block_id"] in seen:
            raise InvalidInput(Msg("line {number}: block {block} appears twice in the plan", number=number, block=line["block_id"]),
                               {"lines": [f'line {number}: block {line["block_id"]} twice']})
        seen.add(line["block_id"])


def _value(block: SerialBlock) -> Block:
    return Block(block.scheme, block.issuance_key, block.serial_start, block.serial_end)
