"""Expected reductions calculated from what a measure changes: exact, with their trail, and
every bad input refused with its field named before anything is computed."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from babel.messages.pofile import read_po

from neutrality.errors import InvalidInput
from neutrality.inventory.library import factor, load_gwp_set
from neutrality.messages import say
from neutrality.reductions.changes import (
    MAX_SPLIT_UNIT_CHARGE_KG,
    Change,
    ChangeKind,
    EfficiencyChange,
    ElectricitySource,
    ElectricitySwitch,
    FuelSwitch,
    RefrigerantSwap,
    change_data,
    change_from_data,
    energy_factor,
)
from neutrality.translations.catalogues import catalogue_path

# --- efficiency (seed 000 F-09) --------------------------------------------------------------


def test_pump_efficiency_gives_17_647_t_when_rounded_only_at_the_end() -> None:
    # Seed 000 L1716–L1724: a pump on 200 MWh a year, efficiency 0.70 → 0.85, grid 0.5 t/MWh.
    # new = 200 × 0.70 / 0.85 = 200 × 14/17 = 2800/17 = 164.70588… MWh
    # saving = 200 − 2800/17 = 600/17 = 35.294117647… MWh
    # tCO2e = 600/17 × 0.5 = 300/17 = 17.647058823… → 17.647 (the guide rounds 35.3 first and prints 17.7)
    result = EfficiencyChange(Decimal(200), Decimal("0.70"), Decimal("0.85"), Decimal("0.5")).expected()

    assert result.kind is ChangeKind.EFFICIENCY
    assert abs(Fraction(result.mwh) - Fraction(600, 17)) < Fraction(1, 10**40)
    assert abs(Fraction(result.tco2e) - Fraction(300, 17)) < Fraction(1, 10**40)
    assert result.presented_mwh == Decimal("35.294")
    assert result.presented_tco2e == Decimal("17.647")
    assert result.presented_tco2e != Decimal("17.7")


def test_efficiency_trail_shows_the_formula_with_its_numbers_and_the_factor() -> None:
    result = EfficiencyChange(200, "0.70", "0.85", "0.5", factor_source="seed 000 illustrative grid").expected()

    assert list(result.trail) == [
        "new energy = 200 MWh × 0.7 / 0.85 = ≈164.706 MWh",
        "energy saved = 200 MWh − ≈164.706 MWh = ≈35.294 MWh",
        "reduction = ≈35.294 MWh × 0.5 tCO2e/MWh = ≈17.647 tCO2e",
    ]
    assert result.basis == "emission factor 0.5 tCO2e/MWh (seed 000 illustrative grid)"
    # each step is a Msg: its template is translated, its numbers kept
    assert result.trail[0].msgid == "new energy = {energy} MWh × {before} / {after} = {new} MWh"


def test_efficiency_with_an_exact_result_shows_it_without_approximation() -> None:
    # 100 MWh, 0.5 → 0.8: new = 100 × 0.5 / 0.8 = 62.5; saving 37.5 MWh; × 0.4 = 15 t
    result = EfficiencyChange(100, "0.5", "0.8", "0.4").expected()

    assert (result.mwh, result.tco2e) == (Decimal("37.5"), Decimal(15))
    assert result.trail[2] == "reduction = 37.5 MWh × 0.4 tCO2e/MWh = 15 tCO2e"


def test_efficiency_of_one_is_allowed() -> None:
    # 0.9 → 1 on 10 MWh: new = 9 MWh, saving 1 MWh, × 0.5 = 0.5 t
    assert EfficiencyChange(10, "0.9", "1", "0.5").expected().tco2e == Decimal("0.5")


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ((-200, "0.70", "0.85", "0.5"), "energy_mwh", "the value is negative"),
        ((200, "0.70", "0.85", "-0.5"), "factor", "the value is negative"),
        ((200, "0", "0.85", "0.5"), "efficiency_before",
         "an efficiency is a fraction above 0 and at most 1 (0.85 for 85 %)"),
        ((200, "-0.1", "0.85", "0.5"), "efficiency_before",
         "an efficiency is a fraction above 0 and at most 1 (0.85 for 85 %)"),
        ((200, "0.70", "1.2", "0.5"), "efficiency_after",
         "an efficiency is a fraction above 0 and at most 1 (0.85 for 85 %)"),
        ((200, "0.70", "85", "0.5"), "efficiency_after",  # a percentage typed where a fraction goes
         "an efficiency is a fraction above 0 and at most 1 (0.85 for 85 %)"),
        ((200, "0.85", "0.85", "0.5"), "efficiency_after",
         "the efficiency after the change is not above the one before"),
        ((200, "0.85", "0.70", "0.5"), "efficiency_after",
         "the efficiency after the change is not above the one before"),
        (("lots", "0.70", "0.85", "0.5"), "energy_mwh", "the value is not a number"),
        ((200, "0.70", "NaN", "0.5"), "efficiency_after", "the value is not a number"),
        ((200, "0.70", "0.85", None), "factor", "the value is not a number"),
        # a billion MWh and one: beyond any plant's year, a typing error
        (("1000000001", "0.70", "0.85", "0.5"), "energy_mwh", "the value is above 1000000000"),
    ],
)
def test_efficiency_change_refuses_bad_input_naming_the_field(
    arguments: tuple[object, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        EfficiencyChange(*arguments)  # type: ignore[arg-type]

    assert refused.value.code == "invalid_input"
    assert refused.value.details == {field: [message]}


def test_efficiency_change_names_every_wrong_field_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        EfficiencyChange(-1, "2", "0.5", "-1")  # type: ignore[arg-type]

    assert sorted(refused.value.details) == ["efficiency_before", "energy_mwh", "factor"]


# --- refrigerant swap (seed 003 5.3) -----------------------------------------------------------


def test_r22_to_r32_on_15_kg_at_10_percent_uses_the_inventorys_ar6_gwps() -> None:
    # AR6 (neutrality/inventory/data/gwp_ar6.csv, IPCC AR6 WG1 Table 7.SM.7): HCFC-22 1960,
    # HFC-32 771. Leak = 15 kg × 10 % = 1.5 kg a year;
    # 1.5 × (1960 − 771) / 1000 = 1.5 × 1189 / 1000 = 1783.5 / 1000 = 1.7835 tCO2e a year.
    result = RefrigerantSwap(Decimal(15), "R-22", "R-32", Decimal(10)).expected()

    assert result.kind is ChangeKind.REFRIGERANT_SWAP
    assert result.tco2e == Decimal("1.7835")
    assert result.presented_tco2e == Decimal("1.784")  # half up at presentation only
    assert result.mwh is None
    assert list(result.trail) == [
        "leak = 15 kg × 10 % = 1.5 kg a year",
        "reduction = 1.5 kg × (1960 − 771) / 1000 = ≈1.784 tCO2e",
    ]
    assert result.basis == "AR6 GWP: R-22 1960, R-32 771"


def test_refrigerant_swap_reads_the_gwp_set_of_the_inventory_it_is_measured_against() -> None:
    # AR5 (gwp_ar5.csv, IPCC AR5 WG1 Table 8.A.1): HCFC-22 1760, HFC-32 677.
    # 1.5 × (1760 − 677) / 1000 = 1.5 × 1083 / 1000 = 1.6245 tCO2e
    swap = RefrigerantSwap(15, "r-22", "r-32", 10)  # type: ignore[arg-type]

    assert swap.expected("AR5").tco2e == Decimal("1.6245")
    assert swap.expected(load_gwp_set("AR5")).tco2e == Decimal("1.6245")
    assert (swap.refrigerant_before, swap.refrigerant_after) == ("R-22", "R-32")  # the library's spelling


def test_swap_to_a_blend_of_higher_gwp_is_an_increase() -> None:
    # AR6 R-410A = 0.5 × 771 (HFC-32) + 0.5 × 3740 (HFC-125) = 2255.5 (seed 003 table 5 prints it).
    # 1.5 × (1960 − 2255.5) / 1000 = 1.5 × −295.5 / 1000 = −0.44325 tCO2e: emissions go up.
    assert RefrigerantSwap(15, "R-22", "R-410A", 10).expected().tco2e == Decimal("-0.44325")  # type: ignore[arg-type]


def test_a_charge_of_exactly_10_t_is_still_accepted() -> None:
    # 10,000 kg × 1 % = 100 kg; 100 × (1530 − 771) / 1000 = 75.9 t (AR6 HFC-134a 1530)
    result = RefrigerantSwap(MAX_SPLIT_UNIT_CHARGE_KG, "R-134a", "R-32", 1).expected()  # type: ignore[arg-type]
    assert result.tco2e == Decimal("75.9")


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ((-15, "R-22", "R-32", 10), "charge_kg", "the value is negative"),
        ((10_001, "R-22", "R-32", 10), "charge_kg",
         "a charge above 10000 kg is not a split unit's: check the unit"),
        ((15, "R-99", "R-32", 10), "refrigerant_before", "'R-99' is not a known refrigerant"),
        ((15, "R-22", "HFO-1234yf", 10), "refrigerant_after", "'HFO-1234yf' is not a known refrigerant"),
        ((15, "R-22", None, 10), "refrigerant_after", "'None' is not a known refrigerant"),
        ((15, "R-22", "r-22", 10), "refrigerant_after", "the refrigerant after the change is the one before"),
        ((15, "R-22", "R-32", 101), "leak_rate_percent", "a leak rate is between 0 and 100 %"),
        ((15, "R-22", "R-32", -1), "leak_rate_percent", "the value is negative"),
    ],
)
def test_refrigerant_swap_refuses_bad_input_naming_the_field(
    arguments: tuple[object, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        RefrigerantSwap(*arguments)  # type: ignore[arg-type]

    assert refused.value.details == {field: [message]}


def test_refrigerant_without_a_gwp_in_the_chosen_set_is_refused_when_calculated() -> None:
    # propane has no AR5 GWP (gwp_ar5.csv); in AR6 it has 0.02
    swap = RefrigerantSwap(15, "R-22", "R-290", 10)  # type: ignore[arg-type]

    with pytest.raises(InvalidInput) as refused:
        swap.expected("AR5")
    assert refused.value.details == {"refrigerant_after": ["R-290 has no GWP in AR5"]}
    # AR6: 1.5 × (1960 − 0.02) / 1000 = 1.5 × 1959.98 / 1000 = 2.93997 t
    assert swap.expected("AR6").tco2e == Decimal("2.93997")


def test_unknown_gwp_set_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        RefrigerantSwap(15, "R-22", "R-32", 10).expected("AR9")  # type: ignore[arg-type]
    assert refused.value.details == {"gwp_set": ["'AR9' is not a GWP set"]}


# --- electricity moved off the grid (seed 000 F-13) --------------------------------------------


def test_2000_mwh_moved_to_on_site_pv() -> None:
    # 2,000 MWh × 0.5703 t/MWh = 1,140.6 tCO2e (1 × 0.5703 × 2000 = 1140.6); the MWh are avoided, not saved
    result = ElectricitySwitch(Decimal(2000), Decimal("0.5703")).expected()

    assert (result.kind, result.mwh, result.tco2e) == (ChangeKind.ELECTRICITY_SWITCH, Decimal(2000), Decimal("1140.6"))
    assert result.trail[0] == "reduction = 2000 MWh moved to on-site PV × 0.5703 tCO2e/MWh = 1140.6 tCO2e"


def test_green_electricity_names_its_source_in_the_trail() -> None:
    # seed 000 F-13: 1 MW of PV at 0.5 t/MWh gives 600 t a year, i.e. 1,200 MWh × 0.5 = 600
    result = ElectricitySwitch(1200, "0.5", ElectricitySource.GREEN_ELECTRICITY).expected()  # type: ignore[arg-type]

    assert result.tco2e == Decimal(600)
    assert "green electricity" in result.trail[0]


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ((-2000, "0.5"), "energy_mwh", "the value is negative"),
        ((2000, "-0.5"), "factor", "the value is negative"),
        ((2000, "0.5", "wind_farm"), "source", "'wind_farm' is not one of on_site_pv, green_electricity"),
    ],
)
def test_electricity_switch_refuses_bad_input_naming_the_field(
    arguments: tuple[object, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ElectricitySwitch(*arguments)  # type: ignore[arg-type]
    assert refused.value.details == {field: [message]}


# --- fuel switch (seed 003 5.1) ----------------------------------------------------------------


def test_coal_replaced_by_electricity() -> None:
    # before 1,000 t × 2.66 = 2,660 t; after 800 MWh × 0.5 = 400 t; reduction 2,660 − 400 = 2,260 t.
    # t and MWh are not both energies: no MWh saved is stated
    result = FuelSwitch(1000, "t", "2.66", 800, "MWh", "0.5").expected()  # type: ignore[arg-type]

    assert (result.tco2e, result.mwh) == (Decimal(2260), None)
    assert result.trail[2] == "reduction = 2660 − 400 = 2260 tCO2e"


def test_fuel_switch_between_energies_states_the_mwh_saved_across_units() -> None:
    # 3,600 GJ of gas = 1,000 MWh (3.6 GJ per MWh), × 0.0561 t/GJ = 201.96 t;
    # 950 MWh of green electricity at 0 t/MWh = 0 t; reduction 201.96 t; saved 1,000 − 950 = 50 MWh
    result = FuelSwitch(3600, "GJ", "0.0561", 950, "MWh", 0).expected()  # type: ignore[arg-type]

    assert (result.tco2e, result.mwh) == (Decimal("201.96"), Decimal(50))


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ((-1, "t", "2.66", 800, "MWh", "0.5"), "quantity_before", "the value is negative"),
        ((1000, "t", "2.66", -800, "MWh", "0.5"), "quantity_after", "the value is negative"),
        ((1000, "t", "-2.66", 800, "MWh", "0.5"), "factor_before", "the value is negative"),
        ((1000, "barrel", "2.66", 800, "MWh", "0.5"), "unit_before", "'barrel' is not a unit"),
        ((1000, "t", "2.66", 800, None, "0.5"), "unit_after", "'None' is not a unit"),
    ],
)
def test_fuel_switch_refuses_bad_input_naming_the_field(
    arguments: tuple[object, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        FuelSwitch(*arguments)  # type: ignore[arg-type]
    assert refused.value.details == {field: [message]}


# --- the inventory's factors and stored changes -----------------------------------------------


def test_energy_factor_of_a_grid_factor_is_its_co2_per_mwh() -> None:
    # grid_factors.csv: China national average 2022, 0.5366 t CO2/MWh (MEE/NBS); CO2's GWP is 1
    found = energy_factor(factor("mee:grid:CN:2022"))

    assert found.t_per_mwh == Decimal("0.5366")
    assert "MEE/NBS" in found.source


def test_energy_factor_of_a_fuel_factor_weighs_each_gas_by_the_gwp_set() -> None:
    # 2006 IPCC natural gas, stationary: CO2 56,100 + CH4 1 + N2O 0.1 kg/TJ; AR6 CH4 27.9, N2O 273:
    # 56,100 + 27.9 + 27.3 = 56,155.2 kg CO2e/TJ; 1 MWh = 0.0036 TJ → 202.15872 kg = 0.20215872 t/MWh
    # AR5 (CH4 28, N2O 265): 56,100 + 28 + 26.5 = 56,154.5 × 0.0036 = 202.1562 kg = 0.2021562 t/MWh
    gas = factor("ipcc2006:natural_gas:stationary")

    assert energy_factor(gas).t_per_mwh == Decimal("0.20215872")
    assert energy_factor(gas, "AR5").t_per_mwh == Decimal("0.2021562")
    # a boiler's efficiency 0.80 → 0.90 on 900 MWh of gas: saving 900 − 800 = 100 MWh × 0.20215872 = 20.215872 t
    change = EfficiencyChange(900, "0.80", "0.90", energy_factor(gas).t_per_mwh)  # type: ignore[arg-type]
    assert change.expected().tco2e == Decimal("20.215872")


def test_a_factor_not_per_unit_of_energy_is_refused() -> None:
    # a material factor per tonne (F-05: steel 2.4 tCO2/t) has no MWh to multiply
    per_tonne = dataclasses.replace(factor("mee:grid:CN:2022"), key="steel", per_unit="t", gases={"CO2": Decimal("2.4")})

    with pytest.raises(InvalidInput) as refused:
        energy_factor(per_tonne)
    assert refused.value.details == {"factor": [f"factor {per_tonne.key} is not per unit of energy"]}


@pytest.mark.parametrize(
    "change",
    [
        EfficiencyChange(200, "0.70", "0.85", "0.5", "grid"),  # type: ignore[arg-type]
        RefrigerantSwap(15, "r-22", "R-32", "10"),  # type: ignore[arg-type]
        ElectricitySwitch(2000, "0.5703", ElectricitySource.GREEN_ELECTRICITY),  # type: ignore[arg-type]
        FuelSwitch(3600, "GJ", "0.0561", 950, "MWh", 0),  # type: ignore[arg-type]
    ],
)
def test_a_change_is_stored_as_text_and_read_back_unchanged(change: Change) -> None:
    data = change_data(change)

    assert all(isinstance(value, str) for value in data.values())
    assert change_from_data(data) == change
    assert change_from_data(data).expected() == change.expected()


def test_stored_change_of_unknown_kind_or_missing_field_is_refused() -> None:
    with pytest.raises(InvalidInput) as unknown:
        change_from_data({"kind": "magic"})
    with pytest.raises(InvalidInput) as missing:
        change_from_data({"kind": "refrigerant_swap", "charge_kg": "15", "refrigerant_before": "R-22"})

    assert list(unknown.value.details) == ["kind"]
    assert missing.value.details == {"refrigerant_after": ["required"], "leak_rate_percent": ["required"]}


def test_trail_is_said_in_traditional_chinese_with_its_numbers() -> None:
    with catalogue_path("zh_Hant").open("rb") as file:
        catalogue = {m.id: m.string for m in read_po(file, locale="zh_Hant") if isinstance(m.id, str) and m.string}

    def translate(msgid: str) -> str:
        return catalogue.get(msgid, msgid)

    result = RefrigerantSwap(15, "R-22", "R-32", 10).expected()  # type: ignore[arg-type]

    assert say(list(result.trail), translate, "zh_Hant") == [
        "洩漏量 = 15 kg × 10 % = 每年 1.5 kg",
        "減排量 = 1.5 kg × (1960 − 771) / 1000 = ≈1.784 tCO2e",
    ]
    switch = ElectricitySwitch(2000, "0.5", ElectricitySource.ON_SITE_PV).expected()  # type: ignore[arg-type]
    assert say(switch.trail[0], translate, "zh_Hant") == (
        "減排量 = 改用廠內太陽光電的 2000 MWh × 0.5 tCO2e/MWh = 1000 tCO2e")
