"""Arithmetic over serial blocks: overlap, split, carve, merge.

Pure: no Flask, no database.

A block holds units ``start..end`` (both included) of one issuance of one scheme. Units of
different schemes or issuance keys never coincide, so every operation works per
``(scheme, issuance_key)`` and, within it, on integer intervals. Pure, so services, importers and
property tests share one definition. The services keep held blocks from overlapping with the
organisation's writers serialised (an exclusion constraint was measured too slow for holdings:
migration 0004); retired units are guarded by the database itself (migration 0006).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import replace

from neutrality.errors import InvalidInput
from neutrality.messages import Msg
from neutrality.registry.model import Block


class OverlapError(InvalidInput):
    """Two blocks claim the same units: one unit held or retired twice is a double count."""

    code = "serial_overlap"

    def __init__(self, first: Block, second: Block):
        self.first = first
        self.second = second
        shared = intersection(first, second)
        shared_text = (
            Msg("units {start}–{end} ({quantity} units)", start=shared.start, end=shared.end,
                quantity=format(shared.quantity, ",")) if shared else Msg("units")
        )
        super().__init__(
            Msg("{scheme} blocks {first} and {second} of issuance {issuance} share {shared}; expected each "
                "unit to be in only one block", scheme=first.scheme, first=f"{first.start}–{first.end}",
                second=f"{second.start}–{second.end}", issuance=first.issuance_key, shared=shared_text),
            {"blocks": [describe(first), describe(second)]},
        )


def describe(block: Block) -> str:
    """A block for people: scheme, issuance and range."""
    return f"{block.scheme} {block.issuance_key} {block.start}–{block.end}"


def _numbering(block: Block) -> tuple[str, str]:
    return block.scheme, block.issuance_key


def _check(block: Block) -> Block:
    if block.end < block.start:
        raise InvalidInput(
            Msg("block {block} ends ({end}) before it starts ({start}); expected start ≤ end",
                block=describe(block), end=block.end, start=block.start),
            {"end": ["before start"]},
        )
    return block


def overlaps(a: Block, b: Block) -> bool:
    """True when ``a`` and ``b`` share at least one unit."""
    return _numbering(a) == _numbering(b) and a.start <= b.end and b.start <= a.end


def intersection(a: Block, b: Block) -> Block | None:
    """The units ``a`` and ``b`` share, or None."""
    if not overlaps(a, b):
        return None
    return replace(a, start=max(a.start, b.start), end=min(a.end, b.end))


def split(block: Block, quantity: int) -> tuple[Block, Block | None]:
    """The first ``quantity`` units (the low end: registries retire and transfer from the
    lowest serial) and what remains (None when the whole block is taken)."""
    _check(block)
    if not 1 <= quantity <= block.quantity:
        raise InvalidInput(
            Msg("cannot take {quantity} units from a block of {size}; expected 1 to {size}", quantity=quantity,
                size=block.quantity),
            {"quantity": [f"1–{block.quantity}"]},
        )
    taken = replace(block, end=block.start + quantity - 1)
    rest = replace(block, start=taken.end + 1) if taken.end < block.end else None
    return taken, rest


def carve(block: Block, start: int, end: int) -> tuple[Block | None, Block, Block | None]:
    """Units ``start..end`` taken out of ``block``, with what is left below and above them."""
    _check(block)
    if end < start:
        raise InvalidInput(
            Msg("end {end} is before start {start}; expected the lower serial first", end=end, start=start),
            {"end": ["before start"]}
        )
    if start < block.start or end > block.end:
        raise InvalidInput(
            Msg("units {start}–{end} are not all inside block {block}; expected a range within the block",
                start=start, end=end, block=f"{block.start}–{block.end}"),
            {"range": [f"{block.start}–{block.end}"]},
        )
    below = replace(block, end=start - 1) if start > block.start else None
    above = replace(block, start=end + 1) if end < block.end else None
    return below, replace(block, start=start, end=end), above


def _in_order(blocks: Iterable[Block]) -> list[Block]:
    return sorted((_check(block) for block in blocks), key=lambda b: (b.scheme, b.issuance_key, b.start, b.end))


def merge(blocks: Iterable[Block]) -> list[Block]:
    """Adjacent blocks of one issuance joined, sorted by (scheme, issuance_key, start).

    Raises :class:`OverlapError` on overlapping input: joining them would silently drop the
    units counted twice.
    """
    merged: list[Block] = []
    last_input: Block | None = None  # the input block reaching furthest in the current run
    for block in _in_order(blocks):
        current = merged[-1] if merged else None
        if current is None or _numbering(current) != _numbering(block) or block.start > current.end + 1:
            merged.append(block)
        elif block.start <= current.end:
            # Sorted by start, so the last block joined ends at current.end and contains block.start.
            assert last_input is not None
            raise OverlapError(last_input, block)
        else:
            merged[-1] = replace(current, end=block.end)
        last_input = block
    return merged


def find_overlaps(blocks: Sequence[Block]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, i < j, of every two blocks that share units.

    Sweep per numbering in start order, keeping the blocks still open (a heap by end): a new
    block overlaps exactly those open blocks. O(n log n + pairs found), not O(n²).
    """
    order = sorted(
        range(len(blocks)),
        key=lambda i: (blocks[i].scheme, blocks[i].issuance_key, _check(blocks[i]).start, blocks[i].end),
    )
    pairs: list[tuple[int, int]] = []
    open_blocks: list[tuple[int, int]] = []  # (end, index), smallest end first
    numbering: tuple[str, str] | None = None
    for index in order:
        block = blocks[index]
        if _numbering(block) != numbering:
            numbering, open_blocks = _numbering(block), []
        while open_blocks and open_blocks[0][0] < block.start:
            heapq.heappop(open_blocks)
        pairs.extend((min(index, other), max(index, other)) for _, other in open_blocks)
        heapq.heappush(open_blocks, (block.end, index))
    return sorted(pairs)


def total(blocks: Iterable[Block]) -> int:
    """Units in ``blocks`` (tCO2e for credits, MWh for EACs)."""
    return sum(_check(block).quantity for block in blocks)
