"""Block arithmetic: overlap, split, carve, merge. Examples by hand; properties checked unit by unit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neutrality.errors import InvalidInput
from neutrality.registry.blocks import (
    OverlapError,
    carve,
    find_overlaps,
    intersection,
    merge,
    overlaps,
    split,
    total,
)
from neutrality.registry.model import Block

KEY = "VCS-VCU-1310-VER-CN-13-3005-01012022-31102022"


def vcu(start: int, end: int, key: str = KEY) -> Block:
    return Block("VCU", key, start, end)


def units(blocks: list[Block | None]) -> list[tuple[str, str, int]]:
    """Every unit the blocks hold, one entry per unit (duplicates kept, so a double count shows)."""
    return sorted(
        (block.scheme, block.issuance_key, number)
        for block in blocks if block is not None
        for number in range(block.start, block.end + 1)
    )


# --- overlap ----------------------------------------------------------------------------------


def test_blocks_of_one_issuance_sharing_a_unit_overlap():
    assert overlaps(vcu(1, 100), vcu(100, 200))
    assert overlaps(vcu(50, 60), vcu(1, 100))


def test_adjacent_blocks_do_not_overlap():
    assert not overlaps(vcu(1, 100), vcu(101, 200))


def test_the_same_numbers_in_another_issuance_or_scheme_do_not_overlap():
    assert not overlaps(vcu(1, 100), vcu(1, 100, key="other issuance"))
    assert not overlaps(vcu(1, 100), Block("GEC", KEY, 1, 100))


def test_the_intersection_is_the_shared_units():
    assert intersection(vcu(1, 100), vcu(51, 200)) == vcu(51, 100)
    assert intersection(vcu(1, 100), vcu(101, 200)) is None


# --- split ------------------------------------------------------------------------------------


def test_split_takes_the_low_end_and_leaves_the_rest():
    # 28,571 units 941,412,555–941,441,125; take 1,000: 941,412,555–941,413,554, rest from 941,413,555
    taken, rest = split(vcu(941412555, 941441125), 1000)
    assert taken == vcu(941412555, 941413554)
    assert rest == vcu(941413555, 941441125)
    assert rest.quantity == 27_571


def test_split_of_the_whole_block_leaves_nothing():
    assert split(vcu(10, 19), 10) == (vcu(10, 19), None)


@pytest.mark.parametrize("quantity", [0, -1, 11])
def test_split_refuses_a_quantity_outside_the_block_naming_both_numbers(quantity):
    with pytest.raises(InvalidInput, match=f"cannot take {quantity} units from a block of 10; expected 1 to 10"):
        split(vcu(10, 19), quantity)


def test_a_block_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidInput, match=r"ends \(5\) before it starts \(9\)"):
        split(vcu(9, 5), 1)


# --- carve ------------------------------------------------------------------------------------


def test_carve_from_the_middle_leaves_a_block_below_and_above():
    assert carve(vcu(1, 100), 40, 59) == (vcu(1, 39), vcu(40, 59), vcu(60, 100))


def test_carve_at_an_edge_leaves_nothing_on_that_side():
    assert carve(vcu(1, 100), 1, 10) == (None, vcu(1, 10), vcu(11, 100))
    assert carve(vcu(1, 100), 91, 100) == (vcu(1, 90), vcu(91, 100), None)
    assert carve(vcu(1, 100), 1, 100) == (None, vcu(1, 100), None)


def test_carve_refuses_a_range_reaching_outside_the_block():
    with pytest.raises(InvalidInput, match="units 90–110 are not all inside block 1–100; expected a range within"):
        carve(vcu(1, 100), 90, 110)


def test_carve_refuses_a_range_running_backwards():
    with pytest.raises(InvalidInput, match="end 10 is before start 20"):
        carve(vcu(1, 100), 20, 10)


# --- merge, find_overlaps, total ----------------------------------------------------------------


def test_merge_joins_adjacent_blocks_and_sorts_by_scheme_issuance_and_start():
    gec = Block("GEC", "g", 5, 9)
    merged = merge([vcu(201, 300), vcu(1, 100), gec, vcu(101, 150), vcu(1, 10, key="B")])
    # 1–100 and 101–150 touch (100 + 1 = 101); 201 is not 151, so 201–300 stays apart
    assert merged == [gec, vcu(1, 10, key="B"), vcu(1, 150), vcu(201, 300)]


def test_merge_refuses_overlapping_blocks_naming_both():
    with pytest.raises(OverlapError) as caught:
        merge([vcu(1, 100), vcu(101, 150), vcu(140, 160)])
    error = caught.value
    assert (error.first, error.second) == (vcu(101, 150), vcu(140, 160))
    assert error.code == "serial_overlap"
    # 140–150 shared: 11 units
    assert "blocks 101–150 and 140–160" in error.message and "share units 140–150 (11 units)" in error.message
    assert "expected each unit to be in only one block" in error.message


def test_find_overlaps_lists_each_overlapping_pair_once_by_index():
    blocks = [vcu(1, 100), vcu(1, 100, key="B"), vcu(50, 60), vcu(101, 200), vcu(95, 105)]
    # 0∩2 (50–60), 0∩4 (95–100), 3∩4 (101–105); 2 and 4 do not meet (60 < 95); 1 is another issuance
    assert find_overlaps(blocks) == [(0, 2), (0, 4), (3, 4)]


def test_total_counts_units():
    assert total([vcu(1, 100), vcu(201, 250)]) == 150
    assert total([]) == 0


# --- properties -------------------------------------------------------------------------------

small_blocks = st.builds(
    lambda scheme, key, start, length: Block(scheme, key, start, start + length - 1),
    st.sampled_from(["VCU", "GEC"]), st.sampled_from(["a", "b"]),
    st.integers(0, 40), st.integers(1, 15),
)


@st.composite
def block_and_quantity(draw):
    block = draw(small_blocks)
    return block, draw(st.integers(1, block.quantity))


@st.composite
def block_and_range(draw):
    block = draw(small_blocks)
    start = draw(st.integers(block.start, block.end))
    return block, start, draw(st.integers(start, block.end))


@st.composite
def disjoint_blocks(draw):
    """Blocks of a few issuances that never share a unit (gap 0 makes neighbours adjacent), shuffled."""
    blocks = []
    for numbering in draw(st.lists(st.sampled_from([("VCU", "a"), ("VCU", "b"), ("GEC", "a")]), unique=True)):
        position = draw(st.integers(0, 5))
        for gap, length in draw(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 6)), max_size=6)):
            start = position + gap
            blocks.append(Block(*numbering, start, start + length - 1))
            position = start + length
    return draw(st.permutations(blocks))


@given(block_and_quantity())
def test_split_conserves_every_unit_creates_no_overlap_and_merges_back(case):
    block, quantity = case
    taken, rest = split(block, quantity)
    assert taken.quantity == quantity
    assert units([taken, rest]) == units([block])
    pieces = [piece for piece in (taken, rest) if piece is not None]
    assert find_overlaps(pieces) == []
    assert merge(pieces) == [block]


@given(block_and_range())
def test_carve_conserves_every_unit_creates_no_overlap_and_merges_back(case):
    block, start, end = case
    below, taken, above = carve(block, start, end)
    assert (taken.start, taken.end) == (start, end)
    assert units([below, taken, above]) == units([block])
    pieces = [piece for piece in (below, taken, above) if piece is not None]
    assert find_overlaps(pieces) == []
    assert merge(pieces) == [block]


@given(disjoint_blocks())
def test_merge_conserves_units_and_returns_sorted_maximal_blocks_without_overlap(blocks):
    merged = merge(blocks)
    assert total(merged) == total(blocks)
    assert units(merged) == units(blocks)
    assert find_overlaps(merged) == []
    ordering = [(b.scheme, b.issuance_key, b.start) for b in merged]
    assert ordering == sorted(ordering)
    for before, after in zip(merged, merged[1:], strict=False):
        same_numbering = (before.scheme, before.issuance_key) == (after.scheme, after.issuance_key)
        assert not (same_numbering and after.start <= before.end + 1)  # nothing left to join


@given(disjoint_blocks(), small_blocks)
def test_merge_refuses_any_input_in_which_a_unit_appears_twice(blocks, extra):
    duplicated = len(set(units(blocks + [extra]))) < len(units(blocks + [extra]))
    if duplicated:
        with pytest.raises(OverlapError) as caught:
            merge(blocks + [extra])
        assert overlaps(caught.value.first, caught.value.second)
    else:
        assert total(merge(blocks + [extra])) == total(blocks) + extra.quantity


@given(st.lists(small_blocks, max_size=12))
def test_find_overlaps_agrees_with_comparing_every_pair_unit_by_unit(blocks):
    brute_force = [
        (i, j)
        for i in range(len(blocks))
        for j in range(i + 1, len(blocks))
        if set(units([blocks[i]])) & set(units([blocks[j]]))
    ]
    assert find_overlaps(blocks) == brute_force
