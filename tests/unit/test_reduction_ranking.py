"""The register's vocabulary, the six 1–5 scores of seed 000 §3.4, their weights and the ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from neutrality.errors import InvalidInput
from neutrality.inventory.model import Scope
from neutrality.reductions.changes import RefrigerantSwap
from neutrality.reductions.measures import (
    Cost,
    Horizon,
    Measure,
    MeasureCategory,
    MeasureStatus,
    Title,
    measure,
)
from neutrality.reductions.ranking import Criterion, Scores, Weights, rank, weighted_score


def scores(*values: int) -> Scores:
    return Scores(*values)


def rated(title: str, *values: int) -> Measure:
    return measure(title=Title(en=title), category=MeasureCategory.LIGHTING, scores=Scores(*values))


# --- scores and weights -----------------------------------------------------------------------


def test_equal_weights_give_the_guides_total() -> None:
    # seed 000 §3.4: prioritise by total score; 5 + 4 + 3 + 2 + 1 + 5 = 20 (range 6–30)
    assert weighted_score(scores(5, 4, 3, 2, 1, 5)) == Decimal(20)
    assert scores(5, 4, 3, 2, 1, 5).total == 20
    assert weighted_score(scores(1, 1, 1, 1, 1, 1)) == 6
    assert weighted_score(scores(5, 5, 5, 5, 5, 5)) == 30


def test_settable_weights_give_an_exact_weighted_score() -> None:
    # feasibility 5 × 2 + impact 4 × 3 + cost-benefit 3 × 0.5 + stakeholders 2 × 0.5
    # + compliance 1 × 0 + innovation 5 × 0.25 = 10 + 12 + 1.5 + 1 + 0 + 1.25 = 25.75
    weights = Weights(Decimal(2), Decimal(3), Decimal("0.5"), "0.5", 0, "0.25")  # type: ignore[arg-type]

    assert weighted_score(scores(5, 4, 3, 2, 1, 5), weights) == Decimal("25.75")
    assert weights.of(Criterion.STAKEHOLDER_EXPECTATIONS) == Decimal("0.5")  # read from its text


def test_a_float_weight_is_read_as_written() -> None:
    # 0.3 as a float is 0.29999999999999998889…; read from its text it is 0.3:
    # 5 × 0.3 + (4 + 3 + 2 + 1 + 5) × 1 = 1.5 + 15 = 16.5
    weights = Weights(feasibility=0.3)  # type: ignore[arg-type]
    assert weights.feasibility == Decimal("0.3")
    assert weighted_score(scores(5, 4, 3, 2, 1, 5), weights) == Decimal("16.5")


def test_one_weight_above_zero_is_enough() -> None:
    # only impact counts: 4 × 1 = 4
    weights = Weights(0, 1, 0, 0, 0, 0)  # type: ignore[arg-type]
    assert weighted_score(scores(5, 4, 3, 2, 1, 5), weights) == 4


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ((0, 3, 3, 3, 3, 3), "feasibility", "the score 0 is outside 1 to 5"),
        ((3, 6, 3, 3, 3, 3), "impact", "the score 6 is outside 1 to 5"),
        ((3, 3, -1, 3, 3, 3), "cost_benefit", "the score -1 is outside 1 to 5"),
        ((3, 3, 3, 3.5, 3, 3), "stakeholder_expectations", "a score is a whole number from 1 to 5"),
        ((3, 3, 3, 3, "4", 3), "compliance", "a score is a whole number from 1 to 5"),
        ((3, 3, 3, 3, 3, True), "innovation", "a score is a whole number from 1 to 5"),
        ((3, 3, 3, 3, 3, None), "innovation", "a score is a whole number from 1 to 5"),
    ],
)
def test_a_score_outside_1_to_5_is_refused_naming_the_criterion(
    values: tuple[object, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Scores(*values)  # type: ignore[arg-type]

    assert refused.value.code == "invalid_input"
    assert refused.value.details == {field: [message]}


def test_weights_summing_to_zero_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        Weights(0, 0, 0, 0, 0, 0)  # type: ignore[arg-type]

    assert refused.value.details == {"weights": ["the weights add up to zero: at least one must be above 0"]}


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"impact": Decimal(-1)}, "impact_weight"),
        ({"compliance": "heavy"}, "compliance_weight"),
        ({"innovation": [1]}, "innovation_weight"),
        ({"cost_benefit": True}, "cost_benefit_weight"),
        ({"feasibility": Decimal("Infinity")}, "feasibility_weight"),
    ],
)
def test_a_weight_that_is_not_a_number_of_zero_or_more_is_refused(weights: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Weights(**weights)  # type: ignore[arg-type]

    assert refused.value.details == {field: ["a weight is a number of 0 or more"]}


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_puts_the_highest_weighted_score_first_and_shares_ranks_on_ties() -> None:
    lighting = rated("LED lighting", 5, 4, 5, 3, 3, 2)  # 22
    pump = rated("Pump efficiency", 4, 4, 4, 3, 3, 3)  # 21
    chiller = rated("Chiller refrigerant", 3, 5, 3, 4, 5, 2)  # 22
    metering = rated("Sub-metering", 2, 2, 3, 2, 2, 1)  # 12

    ranked = rank([metering, pump, lighting, chiller])

    # 22, 22 (by title: Chiller before LED), then 21 third (two share first), 12 fourth
    assert [(r.rank, r.score, r.item.title.en) for r in ranked] == [
        (1, Decimal(22), "Chiller refrigerant"),
        (1, Decimal(22), "LED lighting"),
        (3, Decimal(21), "Pump efficiency"),
        (4, Decimal(12), "Sub-metering"),
    ]
    # the order given plays no part
    assert rank([chiller, lighting, metering, pump]) == ranked


def test_weights_change_the_ranking() -> None:
    lighting = rated("LED lighting", 5, 2, 5, 3, 3, 2)  # equal weights 20; impact × 5: 20 + 4 × 2 = 28
    chiller = rated("Chiller refrigerant", 2, 5, 2, 3, 3, 2)  # equal weights 17; impact × 5: 17 + 4 × 5 = 37

    assert [r.item.title.en for r in rank([chiller, lighting])] == ["LED lighting", "Chiller refrigerant"]
    heavy_impact = Weights(impact=Decimal(5))
    ranked = rank([lighting, chiller], heavy_impact)
    assert [(r.item.title.en, r.score) for r in ranked] == [("Chiller refrigerant", 37), ("LED lighting", 28)]


def test_measures_not_rated_yet_have_no_place() -> None:
    unrated = measure(title=Title(en="Solar carport"), category=MeasureCategory.ON_SITE_RENEWABLES)

    lighting = rated("LED lighting", 3, 3, 3, 3, 3, 3)

    assert [(r.rank, r.item) for r in rank([unrated, lighting])] == [(1, lighting)]
    assert rank([unrated]) == []


# --- the register's vocabulary and a measure --------------------------------------------------


def test_categories_follow_seed_003_chapters_5_to_7() -> None:
    by_scope = {scope: [c.clause for c in MeasureCategory if c.scope is scope] for scope in Scope}

    assert by_scope == {
        Scope.SCOPE_1: ["5.1", "5.2", "5.3", "5.4"],
        Scope.SCOPE_2: ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9"],
        Scope.SCOPE_3: ["7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8"],
    }
    assert MeasureCategory.REFRIGERANT_CHOICE.label == "Refrigerant choice"
    assert MeasureCategory.REFRIGERANT_CHOICE.label.msgid == "Refrigerant choice"  # translated at the edge
    assert [s.label for s in MeasureStatus] == ["Planned", "In progress", "Done", "Dropped"]
    assert [h.label for h in Horizon] == ["Quick win", "Medium term", "Long term"]
    assert [c.label for c in Criterion][0] == "Feasibility"


def test_a_measure_takes_the_scope_of_its_category_unless_told() -> None:
    chiller = measure(title=Title(en=" Chiller swap ", zh_hans="冷水机组换冷媒"), category="refrigerant_choice",
                      status="done", horizon="quick_win", source="Chiller 1",
                      start=dt.date(2024, 3, 1), end=dt.date(2024, 6, 30),
                      cost_amount="120000.50", cost_currency="cny", scores=scores(4, 3, 3, 3, 5, 2))
    boiler = measure(title=Title(zh_hant="鍋爐效率"), category=MeasureCategory.ENERGY_EFFICIENCY, scope=1)

    assert (chiller.category, chiller.scope, chiller.status, chiller.horizon) == (
        MeasureCategory.REFRIGERANT_CHOICE, Scope.SCOPE_1, MeasureStatus.DONE, Horizon.QUICK_WIN)
    assert chiller.title.en == "Chiller swap"
    assert chiller.cost == Cost(Decimal("120000.50"), "CNY")
    assert boiler.scope is Scope.SCOPE_1  # energy efficiency is Scope 2 by chapter; the boiler burns fuel
    assert boiler.cost is None
    # the title in the reader's language, else another one written
    assert chiller.title.in_locale("zh_Hans") == "冷水机组换冷媒"
    assert chiller.title.in_locale("zh_Hant") == "冷水机组换冷媒"  # the other Chinese before English
    assert chiller.title.in_locale("en") == "Chiller swap"
    assert boiler.title.in_locale("en") == "鍋爐效率"
    assert Title(en="Chiller swap", zh_hant="冰水主機換冷媒").in_locale("zh_Hans") == "冰水主機換冷媒"


def test_a_measure_states_its_change_and_gives_its_expected_reduction() -> None:
    # R-22 → R-32 on 15 kg at 10 %: 1.5 kg × (1960 − 771) / 1000 = 1.7835 t in AR6 (see test_reduction_changes)
    swap = measure(title=Title(en="Chiller refrigerant"), category=MeasureCategory.REFRIGERANT_CHOICE,
                   change=RefrigerantSwap(15, "R-22", "R-32", 10))  # type: ignore[arg-type]
    unstated = measure(title=Title(en="Sub-metering"), category=MeasureCategory.METERING)

    expected = swap.expected("AR6")
    assert expected is not None and expected.tco2e == Decimal("1.7835")
    assert unstated.expected() is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": Title()}, "title_en", "give the measure a title in at least one language"),
        ({"title": Title(en="  ")}, "title_en", "give the measure a title in at least one language"),
        ({"title": Title(zh_hans="灯" * 201)}, "title_zh_hans", "the title is longer than 200 characters"),
        ({"category": "solar"}, "category", "'solar' is not one of " + ", ".join(MeasureCategory)),
        ({"status": "finished"}, "status", "'finished' is not one of planned, in_progress, done, dropped"),
        ({"horizon": "soon"}, "horizon", "'soon' is not one of quick_win, medium, long_term"),
        ({"scope": 4}, "scope", "the scope is 1, 2 or 3"),
        ({"start": dt.date(2025, 1, 2), "end": dt.date(2025, 1, 1)}, "end", "the end date is before the start date"),
        ({"status": "done"}, "end", "a done measure has the date it was completed"),
        ({"cost_amount": "-5", "cost_currency": "CNY"}, "cost_amount", "the cost is an amount of 0 or more"),
        ({"cost_amount": "5"}, "cost_currency", "the currency is a three-letter code such as CNY or HKD"),
        ({"cost_amount": "5", "cost_currency": "yuan"}, "cost_currency",
         "the currency is a three-letter code such as CNY or HKD"),
    ],
)
def test_a_measure_with_a_wrong_field_is_refused_naming_it(changes: dict[str, object], field: str, message: str) -> None:
    given: dict[str, object] = {"title": Title(en="LED lighting"), "category": "lighting"} | changes

    with pytest.raises(InvalidInput) as refused:
        measure(**given)  # type: ignore[arg-type]

    assert refused.value.details == {field: [message]}
