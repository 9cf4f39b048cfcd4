"""The retirement planner: acceptance by the claim's rules, ordering, picking, tolerance, shortfall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neutrality.registry.model import InstrumentKind
from neutrality.registry.planner import (
    Candidate,
    Policy,
    accepted,
    choose,
    order,
    units_for,
)
from neutrality.registry.rule_acceptance import RulesAcceptance
from neutrality.registry.tables import InstrumentProject
from neutrality.rules.engine import Claim, applicable
from neutrality.rules.model import Finding
from tests.rule_facts import CATALOGUE, period

CREDIT, EAC = InstrumentKind.CARBON_CREDIT, InstrumentKind.EAC


def credit(block_id: int, quantity: int, vintage: int, price: str | None = None, project: int = 1,
           currency: str = "USD") -> Candidate:
    return Candidate(block_id, "VCU", CREDIT, quantity, project, "CN", dt.date(vintage, 1, 1),
                     dt.date(vintage, 12, 31), Decimal(price) if price else None, currency if price else None)


def eac(block_id: int, quantity: int, start: dt.date, end: dt.date | None) -> Candidate:
    return Candidate(block_id, "GEC", EAC, quantity, 9, "CN", start, end)


def test_a_need_in_decimals_takes_whole_units():
    # a part of a unit cannot be retired: 3,242.69 t needs 3,243 credits; exactly 10 needs 10
    assert units_for(Decimal("3242.693384301")) == 3243
    assert units_for(Decimal("10")) == 10
    assert units_for(Decimal("0")) == 0
    assert units_for(Decimal("-5")) == 0


def test_oldest_vintage_first_splits_the_last_block_to_the_exact_need():
    # need 250: block 2 (2019, 100) whole, block 3 (2020, 100) whole, then 50 of block 1 (2021)
    blocks = [credit(1, 500, 2021), credit(2, 100, 2019), credit(3, 100, 2020)]
    choice = choose(blocks, Decimal("250"), Policy.OLDEST_VINTAGE)
    assert [(p.candidate.block_id, p.quantity, p.whole) for p in choice.picks] == [
        (2, 100, True), (3, 100, True), (1, 50, False)]
    assert (choice.planned, choice.shortfall, choice.over) == (250, 0, 0)
    assert choice.left == ()


def test_a_block_within_the_tolerance_is_retired_whole():
    # need 250 with tolerance 10: after 200 from blocks 2 and 3, block 1 holds 55 > the 50 left,
    # 5 over ≤ 10, so it is taken whole; with tolerance 4 it is split to 50
    blocks = [credit(1, 55, 2021), credit(2, 100, 2019), credit(3, 100, 2020)]
    whole = choose(blocks, Decimal("250"), Policy.OLDEST_VINTAGE, tolerance=10)
    assert [(p.candidate.block_id, p.quantity) for p in whole.picks] == [(2, 100), (3, 100), (1, 55)]
    assert whole.over == 5
    split = choose(blocks, Decimal("250"), Policy.OLDEST_VINTAGE, tolerance=4)
    assert [(p.candidate.block_id, p.quantity) for p in split.picks] == [(2, 100), (3, 100), (1, 50)]
    assert split.over == 0


def test_holdings_short_of_the_need_show_the_shortfall():
    # 120 held against 731.52 t → 732 units needed, 612 missing
    choice = choose([credit(1, 100, 2020), credit(2, 20, 2021)], Decimal("731.52"), Policy.OLDEST_VINTAGE)
    assert (choice.units_needed, choice.planned, choice.shortfall) == (732, 120, 612)


def test_cheapest_first_puts_unpriced_blocks_last_and_compares_within_a_currency():
    blocks = [credit(1, 10, 2020, "9.00"), credit(2, 10, 2022, "4.50"), credit(3, 10, 2018),
              credit(4, 10, 2021, "4.50"), credit(5, 10, 2019, "30", currency="CNY")]
    # CNY sorts before USD (no exchange rates: currencies are not compared with each other);
    # within USD 4.50 (2021 before 2022, the older vintage breaks the tie), then 9.00; unpriced last
    assert [c.block_id for c in order(blocks, Policy.CHEAPEST)] == [5, 4, 2, 1, 3]


def test_project_preference_takes_the_named_projects_in_order_then_the_oldest():
    blocks = [credit(1, 10, 2018, project=7), credit(2, 10, 2022, project=3), credit(3, 10, 2019, project=8),
              credit(4, 10, 2020, project=3)]
    # project 3 first (its blocks oldest first: 4 then 2), then project 7; 8 unnamed goes after,
    # and unnamed projects are ordered by vintage among themselves
    assert [c.block_id for c in order(blocks, Policy.PROJECT_PREFERENCE, preference=[3, 7])] == [4, 2, 1, 3]


def test_units_reserved_for_the_period_come_first_whatever_the_policy():
    reserved = Candidate(9, "VCU", CREDIT, 10, 1, "CN", dt.date(2023, 1, 1), dt.date(2023, 12, 31),
                         Decimal("50"), "USD", reserved=True)
    blocks = [credit(1, 10, 2018, "1.00"), reserved, credit(2, 10, 2019, "2.00")]
    for policy in Policy:
        assert order(blocks, policy, preference=[1])[0] is reserved


class Counting(RulesAcceptance):
    judged = 0

    def findings(self, candidate: Candidate) -> list[Finding]:
        Counting.judged += 1
        return super().findings(candidate)


def test_the_claims_rules_decide_acceptance_once_per_project_and_vintage():
    # the 2025 period of tests/rule_facts.py (ISO 14068-1, blocks judged as retired on
    # 2026-03-01): a GEC of June 2023 expired on 2025-12-31 (CN-GEC-04: production before 2024
    # is valid to the end of 2025) and lies outside the period (GHGP-04-4); one of June 2025 passes
    facts = period()
    sets = applicable(CATALOGUE, Claim("iso_14068_1_2023"), facts.start, facts.end).sets
    plant = InstrumentProject(id=9, country="CN", source_registry="NEA GEC platform", registry_project_id="1132",
                              name="盐城光伏电站", subsidised=False, labels={})
    june_2023 = [eac(1, 10, dt.date(2023, 6, 1), dt.date(2023, 6, 30)),
                 eac(2, 20, dt.date(2023, 6, 1), dt.date(2023, 6, 30))]
    june_2025 = eac(3, 10, dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    Counting.judged = 0
    keep, refused = accepted([*june_2023, june_2025], Counting(sets, facts, {9: plant}))
    assert keep == [june_2025]
    reasons = {c.block_id: reason for c, reason in refused}
    assert reasons[1] == reasons[2]
    assert reasons[1].startswith("CN-GEC-04: the certificate of production month 2023-06 expired on 2025-12-31")
    assert "; GHGP-04-4: the certificate was produced 2023-06-01…2023-06-30, outside the period" in reasons[1]
    # three blocks, two distinct (scheme, project, vintage): two judgements
    assert Counting.judged == 2


def test_a_negative_tolerance_is_a_programming_error():
    with pytest.raises(ValueError, match="tolerance"):
        choose([], Decimal(1), Policy.OLDEST_VINTAGE, tolerance=-1)


@given(
    quantities=st.lists(st.integers(min_value=1, max_value=1_000), min_size=0, max_size=12),
    need=st.decimals(min_value=0, max_value=10_000, places=3),
    tolerance=st.integers(min_value=0, max_value=300),
    policy=st.sampled_from(list(Policy)),
)
def test_a_plan_never_overshoots_the_tolerance_and_only_falls_short_when_holdings_run_out(
    quantities, need, tolerance, policy
):
    blocks = [credit(i, q, 2015 + i % 8, price=str(i % 5) if i % 3 else None) for i, q in enumerate(quantities)]
    choice = choose(blocks, need, policy, tolerance=tolerance)
    held = sum(quantities)
    assert choice.planned <= choice.units_needed + tolerance
    assert choice.shortfall == max(0, choice.units_needed - held)
    # every pick takes a block's first units, at most the whole block; only the last may be partial
    assert all(1 <= p.quantity <= p.candidate.quantity for p in choice.picks)
    assert all(p.whole for p in choice.picks[:-1])
    assert len({p.candidate.block_id for p in choice.picks}) == len(choice.picks)
    # every block is either picked or left held
    assert len(choice.picks) + len(choice.left) == len(blocks)
