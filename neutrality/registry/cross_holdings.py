"""Units other organisations hold: the probes across organisations, the lock that serialises new
claims on units, and the opening of a contest.

Holdings are per organisation, but a unit is one unit in the whole installation: a block entered
on units another organisation holds, has reserved or has retired (:data:`model.CLAIMS`), or that
another organisation's open contest names, is stored "contested" and opens a contest for a site
administrator (:mod:`neutrality.registry.contests`). So, across the installation, blocks in the
claiming statuses never share a unit; the probes rely on it (one index probe finds the only
candidate, as for one organisation's holdings).

New claims are serialised across organisations by one transaction advisory lock on PostgreSQL
(:func:`lock_claims`): the holdings lock is per organisation, so without it two organisations
entering the same serials at once would both find them free. It is taken after the
organisation's holdings lock and held until the commit, so a large registry import keeps other
organisations' new blocks waiting while it inserts its own (its file is read before, outside any
transaction); SQLite serialises every writer anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from neutrality.access.model import Actor
from neutrality.audit.services import record
from neutrality.bulk import in_chunks
from neutrality.clock import utcnow
from neutrality.registry import blocks as block_math
from neutrality.registry.model import Block, BlockStatus, ContestStatus
from neutrality.registry.tables import CLAIMED, CONTESTED, SerialBlock, SerialContest

#: The partial index's condition as a term of a query (grouped: it is an OR).
_CLAIMED = text(f"({CLAIMED.text})")

#: The PostgreSQL advisory lock that serialises new claims on units, whoever makes them. Two-key
#: form, beside the per-organisation holdings locks (4_000_001, org) and the audit chain's.
_CLAIMS_LOCK = (4_000_003, 0)


def lock_claims(session: Session) -> None:
    """Serialise, until the transaction ends, the writers that may claim units (enter blocks,
    resolve a contest), so that "does anyone else hold these?" and the insert that follows
    cannot interleave with another organisation's. Take it after the holdings lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, :key)"),
            {"kind": _CLAIMS_LOCK[0], "key": _CLAIMS_LOCK[1]},
        )


def claimed_elsewhere(session: Session, organisation_id: int, block: Block) -> bool:
    """Whether another organisation holds, has reserved or has retired a unit of ``block``, or
    claims one in an open contest. The caller has checked that the organisation's own blocks do
    not overlap it.

    Claims never overlap, so among those starting at or before the block's end only the last
    can reach into it (``ix_serial_blocks_claims``); and as none of the organisation's own
    blocks overlaps ``block``, that last one, if it reaches in, is another organisation's.
    """
    last = session.execute(
        select(SerialBlock.organisation_id, SerialBlock.serial_end)
        .where(
            SerialBlock.scheme == block.scheme,
            SerialBlock.issuance_key == block.issuance_key,
            SerialBlock.serial_start <= block.end,
            _CLAIMED,
        )
        .order_by(SerialBlock.serial_start.desc())
        .limit(1)
    ).first()
    if (
        last is not None
        and last.serial_end >= block.start
        and last.organisation_id != organisation_id
    ):
        return True
    return contested_elsewhere(session, organisation_id, block)


def contested_elsewhere(session: Session, organisation_id: int, block: Block) -> bool:
    """Whether another organisation's open contest names a unit of ``block``: then neither side
    retires or reserves those units until a site administrator decides (contested blocks may
    overlap one another, so this is a range probe, over the few contested blocks)."""
    return (
        session.scalar(
            select(SerialBlock.id)
            .where(
                SerialBlock.scheme == block.scheme,
                SerialBlock.issuance_key == block.issuance_key,
                SerialBlock.serial_start <= block.end,
                SerialBlock.serial_end >= block.start,
                CONTESTED,
                SerialBlock.organisation_id != organisation_id,
            )
            .limit(1)
        )
        is not None
    )


def claimed_elsewhere_in(
    session: Session, organisation_id: int, values: Sequence[Block]
) -> set[int]:
    """The indexes of the ``values`` (a registry file's blocks) whose units another organisation
    holds, has reserved or retired, or claims in an open contest.

    One query per slice of the file's issuances loads the other organisations' blocks on them,
    and a sweep finds the overlaps (a probe per block would be a million queries for a
    million-block file)."""
    keys = sorted({(b.scheme, b.issuance_key) for b in values})
    others: list[Block] = []
    for some in in_chunks(keys):
        wanted = set(some)
        # one query per partial index (the claims', the contested ones'), each read by its
        # (scheme, issuance key) prefix
        for condition in (_CLAIMED, CONTESTED):
            rows = session.execute(
                select(
                    SerialBlock.scheme,
                    SerialBlock.issuance_key,
                    SerialBlock.serial_start,
                    SerialBlock.serial_end,
                ).where(
                    SerialBlock.scheme.in_({scheme for scheme, _ in some}),
                    SerialBlock.issuance_key.in_([key for _, key in some]),
                    condition,
                    SerialBlock.organisation_id != organisation_id,
                )
            )
            others.extend(
                Block(scheme, key, start, end)
                for scheme, key, start, end in rows
                if (scheme, key) in wanted
            )
    if not others:
        return set()
    combined = [*values, *others]
    return {i for i, j in block_math.find_overlaps(combined) if i < len(values) <= j}


def open_contest(
    session: Session, actor: Actor, block: SerialBlock, claimed_status: BlockStatus
) -> SerialContest:
    """The contest of a block just stored "contested", audited in its organisation's log."""
    contest = _contest_of(block, actor, claimed_status)
    session.add(contest)
    record(session, actor, "registry.contest.open", contest, organisation_id=block.organisation_id)
    return contest


def _contest_of(block: SerialBlock, actor: Actor, claimed_status: BlockStatus) -> SerialContest:
    return SerialContest(
        organisation_id=block.organisation_id,
        block_id=block.id,
        claimed_status=claimed_status.value,
        status=ContestStatus.OPEN.value,
        opened_at=utcnow(),
        opened_by=actor.label,
        reason="",
    )


def open_contests_of_import(
    session: Session,
    actor: Actor,
    organisation_id: int,
    import_id: int,
    claimed: Mapping[tuple[str, str, int], BlockStatus],
) -> int:
    """A contest for each block a registry import stored "contested", with the status its row
    claimed (keyed by scheme, issuance key and first serial); how many were opened."""
    rows = session.scalars(
        select(SerialBlock)
        .where(
            SerialBlock.organisation_id == organisation_id,
            SerialBlock.import_id == import_id,
            SerialBlock.status == BlockStatus.CONTESTED.value,
        )
        .order_by(SerialBlock.id)
    ).all()
    contests = [
        _contest_of(block, actor, claimed[(block.scheme, block.issuance_key, block.serial_start)])
        for block in rows
    ]
    session.add_all(contests)
    session.flush()  # one round trip for all of them, not one each
    for contest in contests:
        record(session, actor, "registry.contest.open", contest, organisation_id=organisation_id)
    return len(contests)


def frozen_block_ids(session: Session, organisation_id: int) -> set[int]:
    """The organisation's held or reserved blocks on which another organisation's open contest
    names a unit: they are not retired, reserved or planned until it is resolved.

    Driven by the contested blocks, which are few (a join driven by the organisation's holdings
    would probe the contested ones once for each of its blocks, a million for a large holding);
    the organisation's blocks do not overlap one another, so each probe reads a short range of
    its holdings index."""
    contested = session.execute(
        select(
            SerialBlock.scheme,
            SerialBlock.issuance_key,
            SerialBlock.serial_start,
            SerialBlock.serial_end,
        ).where(CONTESTED, SerialBlock.organisation_id != organisation_id)
    ).all()
    frozen: set[int] = set()
    for scheme, key, start, end in contested:
        frozen.update(
            session.scalars(
                select(SerialBlock.id).where(
                    SerialBlock.organisation_id == organisation_id,
                    SerialBlock.scheme == scheme,
                    SerialBlock.issuance_key == key,
                    SerialBlock.serial_start <= end,
                    SerialBlock.serial_end >= start,
                    SerialBlock.status != BlockStatus.TRANSFERRED_OUT.value,
                    SerialBlock.status != BlockStatus.VOID.value,
                    SerialBlock.status.in_([BlockStatus.HELD.value, BlockStatus.RESERVED.value]),
                )
            )
        )
    return frozen
