"""The look-up a retirement import uses to find ledger ranges and held blocks under a row."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from neutrality.registry.matching import _Ranges
from neutrality.registry.model import Block


@st.composite
def disjoint_ranges(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Non-overlapping ranges (as held blocks and retired ranges are), in random order."""
    cuts = sorted(draw(st.sets(st.integers(min_value=0, max_value=400), min_size=0, max_size=30)))
    pairs = [(cuts[i], cuts[i + 1] - 1) for i in range(0, len(cuts) - 1, 2) if cuts[i + 1] - 1 >= cuts[i]]
    return draw(st.permutations(pairs))


@given(ranges=disjoint_ranges(), start=st.integers(min_value=0, max_value=400), length=st.integers(1, 120),
       other_key=st.booleans())
def test_the_ranges_found_are_exactly_those_sharing_a_unit_lowest_first(ranges, start, length, other_key):
    lookup = _Ranges()
    # half of them loaded now, half later (as a file's issuances come in chunks)
    half = len(ranges) // 2
    lookup.add(("VCU", "k1", s, e, i, None) for i, (s, e) in enumerate(ranges[:half]))
    lookup.add(("VCU", "k1", s, e, i + half, None) for i, (s, e) in enumerate(ranges[half:]))
    lookup.add([("VCU", "k2", 0, 10_000, "elsewhere", None)])  # another issuance never matches
    block = Block("VCU", "k3" if other_key else "k1", start, start + length - 1)
    found = [(s, e) for s, e, _, _ in lookup.overlapping(block)]
    expected = [] if other_key else sorted((s, e) for s, e in ranges if s <= block.end and e >= block.start)
    assert found == expected


def test_ranges_touching_the_row_at_one_unit_are_found():
    lookup = _Ranges()
    lookup.add([("VCU", "k", 20, 29, "c", None), ("VCU", "k", 0, 9, "a", None), ("VCU", "k", 10, 19, "b", None)])

    def ids(start: int, end: int) -> list[str]:
        return [first for _, _, first, _ in lookup.overlapping(Block("VCU", "k", start, end))]

    assert ids(9, 20) == ["a", "b", "c"]  # shares unit 9 with a and unit 20 with c
    assert ids(10, 19) == ["b"]
    assert ids(19, 19) == ["b"]
    assert ids(30, 40) == []
