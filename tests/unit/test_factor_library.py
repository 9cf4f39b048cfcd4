"""The shipped emission-factor library: GWP sets, refrigerants, combustion and grid factors.

Expected values are worked out by hand in the comments, independently of the library's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from neutrality.errors import InvalidInput, NotFound
from neutrality.inventory import library
from neutrality.inventory.calculation import emissions_of
from neutrality.inventory.library import (
    DEFAULT_GWP_SET,
    LIBRARY_VERSION,
    FactorNotFound,
    blend_gwp,
    factor,
    fuel_densities,
    grid_factor,
    gwp_sets,
    gwp_table,
    load_factors,
    load_gwp_set,
    load_illustrative_factors,
    refrigerants,
)
from neutrality.inventory.model import (
    Activity,
    ActivityType,
    EmissionFactor,
    FactorKind,
    Scope,
    UncertaintyBasis,
)
from neutrality.organisations.geography import GRID_REGIONS
from neutrality.units import convert, unit

DATA_DIR = Path(library.__file__).parent / "data"

# Seed 003 table 2 (lines 144-176), transcribed by hand: "六类温室气体全球增温潜势值", AR6.
SEED_003_TABLE_2 = {
    "CO2": "1", "CH4": "27.9", "N2O": "273",
    "HFC-23": "14600", "HFC-32": "771", "HFC-41": "135", "HFC-125": "3740", "HFC-134": "1260",
    "HFC-134a": "1530", "HFC-143": "364", "HFC-143a": "5810", "HFC-152": "21.5",
    "HFC-152a": "164", "HFC-161": "4.84", "HFC-227ea": "3600", "HFC-236cb": "1350",
    "HFC-236ea": "1500", "HFC-236fa": "8690", "HFC-245ca": "787", "HFC-245fa": "962",
    "HFC-365mfc": "914", "HFC-43-10mee": "1600",
    "PFC-116": "12400", "PFC-14": "7380", "PFC-218": "9290", "PFC-318": "10200",
    "PFC-31-10": "10000", "PFC-41-12": "9220", "PFC-51-14": "8620",
    "SF6": "25200",
}

# Seed 003 table 5 (lines 344-356), the GWP column.
SEED_003_TABLE_5 = {
    "R-717": "0", "R-22": "1960", "R-134a": "1530", "R-410A": "2255.5", "R-32": "771",
    "R-290": "0.02",
}
SEED_003_PRINTED_R404A = Decimal("1896.08")

ALL_GEOGRAPHIES = {"GLOBAL", "CN", "HK", "TW"} | {
    code for regions in GRID_REGIONS.values() for code in regions
}


def _csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


# --- GWP sets ---------------------------------------------------------------------------------


def test_the_default_gwp_set_is_ar6():
    assert DEFAULT_GWP_SET == "AR6"
    assert load_gwp_set().code == "AR6"


def test_ar4_ar5_and_ar6_are_shipped():
    assert set(gwp_sets()) == {"AR4", "AR5", "AR6"}


@pytest.mark.parametrize("gas, value", sorted(SEED_003_TABLE_2.items()))
def test_every_gwp_in_seed_003_table_2_equals_the_ar6_set(gas, value):
    assert load_gwp_set("AR6").gwp(gas) == Decimal(value)


def test_ar6_adds_nf3_and_the_gases_of_common_refrigerants():
    ar6 = load_gwp_set("AR6")
    assert ar6.gwp("NF3") == Decimal("17400")
    assert ar6.gwp("HCFC-22") == Decimal("1960")  # seed 003 table 5, R22
    assert ar6.gwp("C3H8") == Decimal("0.02")  # propane, R290
    assert ar6.gwp("NH3") == Decimal("0")  # ammonia, R717: 0 by convention


@pytest.mark.parametrize(
    "code, gas, value",
    [
        # AR4 WG1 Table 2.14 (as in 40 CFR 98 Table A-1 and AR4 Table TS.2)
        ("AR4", "CH4", "25"), ("AR4", "N2O", "298"), ("AR4", "SF6", "22800"),
        ("AR4", "HFC-32", "675"), ("AR4", "HFC-125", "3500"), ("AR4", "HFC-134a", "1430"),
        ("AR4", "HFC-143a", "4470"), ("AR4", "NF3", "17200"), ("AR4", "HCFC-22", "1810"),
        # AR5 WG1 Table 8.A.1
        ("AR5", "CH4", "28"), ("AR5", "N2O", "265"), ("AR5", "SF6", "23500"),
        ("AR5", "HFC-32", "677"), ("AR5", "HFC-125", "3170"), ("AR5", "HFC-134a", "1300"),
        ("AR5", "HFC-143a", "4800"), ("AR5", "NF3", "16100"), ("AR5", "HCFC-22", "1760"),
    ],
)
def test_ar4_and_ar5_carry_the_ipcc_values(code, gas, value):
    assert load_gwp_set(code).gwp(gas) == Decimal(value)


def test_seed_000_uses_the_ar4_values_for_co2_ch4_and_n2o():
    # Seed 000 L938-L939: CO2 1, CH4 25, N2O 298 (AR4).
    ar4 = load_gwp_set("AR4")
    assert (ar4.gwp("CO2"), ar4.gwp("CH4"), ar4.gwp("N2O")) == (1, 25, 298)


def test_the_same_kyoto_gases_are_in_every_set():
    kyoto = {"CO2", "CH4", "N2O", "SF6", "NF3", "HFC-32", "HFC-125", "HFC-134a", "HFC-143a", "PFC-14"}
    for gwp_set in gwp_sets().values():
        assert kyoto <= set(gwp_set.values)


def test_an_unknown_gas_raises_invalid_input():
    with pytest.raises(InvalidInput):
        load_gwp_set("AR6").gwp("HFC-9999")


def test_co2e_is_never_multiplied_by_a_gwp():
    assert load_gwp_set("AR4").gwp("CO2e") == 1


def test_an_unknown_gwp_set_raises_invalid_input():
    with pytest.raises(InvalidInput):
        load_gwp_set("AR7")


def test_gwp_sets_are_cached_and_found_case_insensitively():
    assert load_gwp_set("ar6") is load_gwp_set("AR6")


def test_gwp_sets_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        load_gwp_set("AR6").values["CH4"] = Decimal("1")  # type: ignore[index]


def test_every_gwp_set_names_the_ipcc_report_it_comes_from():
    reports = {"AR4": ("Fourth", 2007), "AR5": ("Fifth", 2013), "AR6": ("Sixth", 2021)}
    for code, gwp_set in gwp_sets().items():
        report, year = reports[code]
        assert gwp_set.provenance.publisher == "IPCC"
        assert gwp_set.provenance.version == code
        assert f"IPCC {report} Assessment Report" in gwp_set.provenance.source
        assert gwp_set.provenance.year == year
        assert gwp_set.provenance.url.startswith("https://www.ipcc.ch/")


def test_the_gwp_table_keeps_each_rows_source_and_flags_what_is_unconfirmed():
    ar4 = {entry.gas: entry for entry in gwp_table("AR4")}
    assert ar4["C3H8"].unconfirmed  # propane 3: F-Gas Regulation, not AR4 Table 2.14 itself
    assert not ar4["CH4"].unconfirmed
    assert all(entry.source for code in ("AR4", "AR5", "AR6") for entry in gwp_table(code))
    assert not any(entry.gas.startswith("R-") for entry in gwp_table("AR6"))


# --- Refrigerants -----------------------------------------------------------------------------


def test_r410a_in_ar6_is_half_r32_and_half_r125():
    # 0.5 × 771 + 0.5 × 3740 = 385.5 + 1870 = 2255.5 (seed 003 table 5 prints 2,255.5)
    assert blend_gwp("R-410A", load_gwp_set("AR6")) == Decimal("2255.5")


def test_r410a_in_ar4_uses_the_ar4_components():
    # 0.5 × 675 + 0.5 × 3500 = 337.5 + 1750 = 2087.5
    assert blend_gwp("R-410A", "AR4") == Decimal("2087.5")


def test_r410a_in_ar5_uses_the_ar5_components():
    # 0.5 × 677 + 0.5 × 3170 = 338.5 + 1585 = 1923.5
    assert blend_gwp("R-410A", "AR5") == Decimal("1923.5")


def test_r404a_is_computed_from_its_composition_not_copied_from_seed_003():
    # AR6: 0.44 × 3740 + 0.52 × 5810 + 0.04 × 1530 = 1645.6 + 3021.2 + 61.2 = 4728.0.
    # Seed 003 table 5 (line 349) prints 1,896.08, which no IPCC set gives for this composition
    # (AR4: 1540 + 2324.4 + 57.2 = 3921.6; AR5: 1394.8 + 2496 + 52 = 3942.8).
    computed = {code: blend_gwp("R-404A", code) for code in ("AR4", "AR5", "AR6")}
    assert computed == {"AR4": Decimal("3921.6"), "AR5": Decimal("3942.8"), "AR6": Decimal("4728.0")}
    assert SEED_003_PRINTED_R404A not in computed.values()
    assert load_gwp_set("AR6").gwp("R-404A") == Decimal("4728.0")


def test_the_r404a_discrepancy_is_documented_in_the_data_file():
    text = (DATA_DIR / "refrigerant_blends.csv").read_text(encoding="utf-8")
    assert "1,896.08" in text and "4728.0" in text


def test_r407c_and_r507a_in_ar6():
    # R-407C: 0.23 × 771 + 0.25 × 3740 + 0.52 × 1530 = 177.33 + 935 + 795.6 = 1907.93
    assert blend_gwp("R-407C", "AR6") == Decimal("1907.93")
    # R-507A: 0.5 × 3740 + 0.5 × 5810 = 1870 + 2905 = 4775
    assert blend_gwp("R-507A", "AR6") == Decimal("4775")


@pytest.mark.parametrize("code, value", sorted(SEED_003_TABLE_5.items()))
def test_every_refrigerant_gwp_in_seed_003_table_5_follows_from_ar6(code, value):
    assert load_gwp_set("AR6").gwp(code) == Decimal(value)


def test_single_gas_refrigerants_are_aliases_of_their_gas():
    ar6 = load_gwp_set("AR6")
    assert ar6.gwp("R-32") == ar6.gwp("HFC-32")
    assert ar6.gwp("R-134a") == ar6.gwp("HFC-134a")
    assert ar6.gwp("R-22") == ar6.gwp("HCFC-22")
    assert ar6.gwp("R-744") == 1


def test_the_mass_fractions_of_every_refrigerant_add_up_to_one():
    for refrigerant in refrigerants().values():
        assert sum(c.mass_fraction for c in refrigerant.components) == 1
        assert refrigerant.code.startswith("R-")


def test_the_common_blends_have_their_ashrae_composition():
    compositions = {
        code: {c.gas: c.mass_fraction for c in r.components} for code, r in refrigerants().items()
    }
    assert compositions["R-410A"] == {"HFC-32": Decimal("0.5"), "HFC-125": Decimal("0.5")}
    assert compositions["R-404A"] == {
        "HFC-125": Decimal("0.44"), "HFC-143a": Decimal("0.52"), "HFC-134a": Decimal("0.04")
    }
    assert compositions["R-407C"] == {
        "HFC-32": Decimal("0.23"), "HFC-125": Decimal("0.25"), "HFC-134a": Decimal("0.52")
    }
    assert compositions["R-507A"] == {"HFC-125": Decimal("0.5"), "HFC-143a": Decimal("0.5")}


def test_a_refrigerant_whose_gas_has_no_gwp_in_the_set_is_not_in_that_set():
    # Propane has no AR5 GWP, so R-290 cannot be used with an AR5 inventory.
    with pytest.raises(InvalidInput):
        load_gwp_set("AR5").gwp("R-290")
    with pytest.raises(InvalidInput):
        blend_gwp("R-290", "AR5")


def test_an_unknown_refrigerant_raises_invalid_input():
    with pytest.raises(InvalidInput):
        blend_gwp("R-9999X", "AR6")


def test_refrigerant_codes_are_found_case_insensitively():
    assert blend_gwp("r-410a", "AR6") == Decimal("2255.5")


# --- All factors ------------------------------------------------------------------------------


def _all_factors() -> dict[str, EmissionFactor]:
    return load_factors(include_illustrative=True)


def test_every_factor_has_full_provenance():
    for key, found in _all_factors().items():
        provenance = found.provenance
        assert found.key == key
        assert found.name and provenance.source and provenance.publisher and provenance.version, key
        assert 2000 <= provenance.year <= 2030, key
        assert provenance.geography in ALL_GEOGRAPHIES, key


def test_factor_keys_are_unique_across_all_data_files():
    raw_keys = [
        row["key"]
        for name in ("combustion_factors.csv", "grid_factors.csv", "illustrative_factors.csv")
        for row in _csv_rows(name)
    ]
    assert len(raw_keys) == len(set(raw_keys))
    assert set(raw_keys) == set(_all_factors())


def test_factor_keys_are_readable_source_subject_variant_triples():
    pattern = re.compile(r"^[a-z0-9]+:[a-z0-9_]+:[A-Za-z0-9_-]+(:\d{4})?$")
    for key in _all_factors():
        assert pattern.match(key), key


def test_every_factor_uses_units_the_unit_table_knows():
    for found in _all_factors().values():
        unit(found.per_unit)
        assert unit(found.mass_unit).dimension.value == "mass"
        if found.ncv_unit:
            energy, _, quantity = found.ncv_unit.partition("/")
            assert unit(energy).dimension.value == "energy"
            unit(quantity)
        if found.density_unit:
            mass, _, volume = found.density_unit.partition("/")
            assert (unit(mass).dimension.value, unit(volume).dimension.value) == ("mass", "volume")


def test_factor_values_cannot_be_changed_by_a_caller():
    found = factor("ipcc2006:natural_gas:stationary")
    with pytest.raises(TypeError):
        found.gases["CO2"] = Decimal("0")  # type: ignore[index]


def test_an_unknown_factor_key_is_not_found():
    with pytest.raises(NotFound):
        factor("ipcc2006:unobtainium:stationary")


def test_library_version_is_a_year_and_month():
    assert re.fullmatch(r"\d{4}\.\d{2}", LIBRARY_VERSION)


# --- Exact decimals ---------------------------------------------------------------------------


NUMERIC_COLUMNS = {
    "gwp_ar4.csv": ("gwp",), "gwp_ar5.csv": ("gwp",), "gwp_ar6.csv": ("gwp",),
    "refrigerant_blends.csv": ("mass_fraction",),
    "combustion_factors.csv": ("CO2", "CH4", "N2O", "CO2e", "ncv"),
    "illustrative_factors.csv": ("CO2", "CH4", "N2O", "CO2e", "ncv"),
    "grid_factors.csv": ("value",),
    "fuel_densities.csv": ("density",),
}


@pytest.mark.parametrize("name", sorted(NUMERIC_COLUMNS))
def test_data_files_hold_plain_decimal_numbers(name):
    for row in _csv_rows(name):
        for column in NUMERIC_COLUMNS[name]:
            raw = row[column]
            if raw:
                assert re.fullmatch(r"\d+(\.\d+)?", raw), (name, column, raw)


def test_factor_values_are_the_exact_decimals_written_in_the_files():
    rows = {row["key"]: row for row in _csv_rows("combustion_factors.csv")}
    rows |= {row["key"]: row for row in _csv_rows("illustrative_factors.csv")}
    for key, found in _all_factors().items():
        for gas, value in found.gases.items():
            assert type(value) is Decimal
            raw = rows[key][gas] if key in rows else None
            if raw is not None:
                assert str(value) == raw  # no float round trip: "0.1" stays "0.1"
        if found.ncv is not None:
            assert type(found.ncv) is Decimal and str(found.ncv) == rows[key]["ncv"]
    for row in _csv_rows("grid_factors.csv"):
        assert str(factor(row["key"]).gases[row["gas"]]) == row["value"]


def test_gwps_are_the_exact_decimals_written_in_the_files():
    for code in ("AR4", "AR5", "AR6"):
        written = {row["gas"]: row["gwp"] for row in _csv_rows(f"gwp_{code.lower()}.csv")}
        for gas, raw in written.items():
            value = load_gwp_set(code).values[gas]
            assert type(value) is Decimal and str(value) == raw


# --- Combustion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fuel, co2, ch4, n2o, ncv",
    [
        # 2006 IPCC GL Vol. 2 Table 2.3 (manufacturing) with Table 1.4 CO2 and Table 1.2 NCV
        ("natural_gas", "56100", "1", "0.1", "48.0"),
        ("gas_diesel_oil", "74100", "3", "0.6", "43.0"),
        ("motor_gasoline", "69300", "3", "0.6", "44.3"),
        ("lpg", "63100", "1", "0.1", "47.3"),
        ("residual_fuel_oil", "77400", "3", "0.6", "40.4"),
        ("other_bituminous_coal", "94600", "10", "1.5", "25.8"),
        ("coke_oven_coke", "107000", "10", "1.5", "28.2"),
    ],
)
def test_ipcc_stationary_factors_are_the_table_2_3_defaults(fuel, co2, ch4, n2o, ncv):
    found = factor(f"ipcc2006:{fuel}:stationary")
    assert found.kind is FactorKind.FUEL_COMBUSTION
    assert (found.per_unit, found.mass_unit, found.ncv_unit) == ("TJ", "kg", "GJ/t")
    assert dict(found.gases) == {"CO2": Decimal(co2), "CH4": Decimal(ch4), "N2O": Decimal(n2o)}
    assert found.ncv == Decimal(ncv)
    assert found.provenance.publisher == "IPCC" and "Table 2.3" in found.provenance.source


def test_energy_industries_differ_from_manufacturing_only_for_coal_and_coke():
    for fuel in ("natural_gas", "gas_diesel_oil", "motor_gasoline", "lpg", "residual_fuel_oil",
                 "other_bituminous_coal", "coke_oven_coke"):
        manufacturing = factor(f"ipcc2006:{fuel}:stationary").gases
        energy = factor(f"ipcc2006:{fuel}:stationary_energy_industries").gases
        if fuel in ("other_bituminous_coal", "coke_oven_coke"):
            assert (manufacturing["CH4"], energy["CH4"]) == (10, 1)
            assert manufacturing["N2O"] == energy["N2O"] and manufacturing["CO2"] == energy["CO2"]
        else:
            assert manufacturing == energy


def test_one_tonne_of_natural_gas_emits_2692_8_kg_of_co2_with_ipcc_defaults():
    # 1 t × 48.0 GJ/t = 48 GJ = 0.048 TJ; 0.048 TJ × 56,100 kg/TJ = 2,692.8 kg CO2
    found = factor("ipcc2006:natural_gas:stationary")
    energy_tj = convert(Decimal(1) * found.ncv, "GJ", "TJ")
    assert energy_tj * found.gases["CO2"] == Decimal("2692.8")


def test_ipcc_road_factors_are_the_table_3_2_2_defaults():
    assert factor("ipcc2006:gas_diesel_oil:road").gases == {
        "CO2": Decimal("74100"), "CH4": Decimal("3.9"), "N2O": Decimal("3.9")
    }
    assert factor("ipcc2006:motor_gasoline:road_uncontrolled").gases["CH4"] == Decimal("33")
    assert factor("ipcc2006:motor_gasoline:road_oxidation_catalyst").gases["N2O"] == Decimal("8.0")
    assert factor("ipcc2006:motor_gasoline:road_low_mileage_ldv_1995").gases["CH4"] == Decimal("3.8")
    assert factor("ipcc2006:gas_diesel_oil:offroad_industry").gases["N2O"] == Decimal("28.6")


def test_chinese_defaults_are_co2_from_carbon_content_and_oxidation():
    # CO2 [kg/TJ] = carbon content [tC/TJ] × oxidation × 44/12 × 1000
    #   natural gas: 15.30 × 0.99 × 44/12 = 15.147 × 11/3 = 166.617/3 = 55.539 t → 55,539 kg
    #   gasoline:    18.90 × 0.98 × 44/12 = 18.522 × 11/3 = 203.742/3 = 67.914 t → 67,914 kg
    #   diesel:      20.20 × 0.98 × 44/12 = 19.796 × 11/3 = 217.756/3 = 72.5853… t → 72,585.333 kg
    assert factor("cnguide2015:natural_gas:combustion").gases == {"CO2": Decimal("55539")}
    assert factor("cnguide2015:motor_gasoline:combustion").gases == {"CO2": Decimal("67914")}
    assert factor("cnguide2015:gas_diesel_oil:combustion").gases == {"CO2": Decimal("72585.333")}
    for row in _csv_rows("combustion_factors.csv"):
        if row["carbon_content_tc_per_tj"]:
            derived = (
                Decimal(row["carbon_content_tc_per_tj"]) * Decimal(row["oxidation_fraction"])
                * 44 * 1000 / 12
            )
            assert Decimal(row["CO2"]) == derived.quantize(Decimal("0.001")), row["key"]


def test_chinese_natural_gas_ncv_is_per_volume_as_on_gas_bills():
    # GB/T 2589: 38,931 kJ/m3 = 389.31 GJ per 10,000 m3. 10,000 m3 → 389.31 GJ = 0.38931 TJ;
    # 0.38931 × 55,539 = 22,215.6 − 593.71191 = 21,621.88809 kg CO2
    found = factor("cnguide2015:natural_gas:combustion")
    assert (found.ncv, found.ncv_unit) == (Decimal("389.31"), "GJ/10000 m3")
    energy_tj = convert(convert(Decimal(10000), "m3", "10000 m3") * found.ncv, "GJ", "TJ")
    assert energy_tj * found.gases["CO2"] == Decimal("21621.88809")


def test_ipcc_and_chinese_values_for_the_same_fuel_are_separate_rows():
    ipcc = factor("ipcc2006:natural_gas:stationary")
    national = factor("cnguide2015:natural_gas:combustion")
    assert ipcc.provenance.geography == "GLOBAL" and national.provenance.geography == "CN"
    assert ipcc.ncv_unit == "GJ/t" and national.ncv_unit == "GJ/10000 m3"


def test_liquid_fuel_densities_are_shipped_but_flagged_unconfirmed():
    densities = fuel_densities()
    assert {"gas_diesel_oil", "motor_gasoline"} <= set(densities)
    for density in densities.values():
        assert density.provenance.unconfirmed
        assert density.unit == "t/m3" and Decimal("0.4") < density.density < Decimal("1.1")


# --- Densities on combustion factors ----------------------------------------------------------


def _litres(quantity: str, factor_key: str, unit_code: str = "L") -> Activity:
    return Activity(1, 1, "Generator", Scope.SCOPE_1, ActivityType.FUEL, Decimal(quantity), unit_code,
                    dt.date(2025, 1, 1), dt.date(2025, 12, 31), factor_key)


def test_every_combustion_factor_of_a_fuel_with_a_shipped_density_and_an_ncv_per_mass_carries_it():
    densities = fuel_densities()
    for key, found in load_factors().items():
        fuel = key.split(":")[1]
        per_mass = bool(found.ncv_unit) and unit(found.ncv_unit.partition("/")[2]).dimension.value == "mass"
        if found.kind is FactorKind.FUEL_COMBUSTION and per_mass and fuel in densities:
            assert (found.density, found.density_unit) == (densities[fuel].density, densities[fuel].unit), key
        else:
            assert (found.density, found.density_unit, found.density_source) == (None, None, ""), key


def test_the_diesel_and_petrol_factors_carry_the_densities_written_in_the_file():
    written = {row["fuel"]: row["density"] for row in _csv_rows("fuel_densities.csv")}
    for key, fuel in [
        ("ipcc2006:gas_diesel_oil:stationary", "gas_diesel_oil"),
        ("ipcc2006:gas_diesel_oil:offroad_industry", "gas_diesel_oil"),  # forklifts
        ("ipcc2006:motor_gasoline:road_oxidation_catalyst", "motor_gasoline"),  # cars
        ("cnguide2015:gas_diesel_oil:combustion", "gas_diesel_oil"),
        ("cnguide2015:motor_gasoline:combustion", "motor_gasoline"),
    ]:
        found = factor(key)
        assert type(found.density) is Decimal and str(found.density) == written[fuel], key
        assert found.density_unit == "t/m3"
    assert factor("ipcc2006:gas_diesel_oil:stationary").density == Decimal("0.837")
    assert factor("ipcc2006:motor_gasoline:stationary").density == Decimal("0.741")


def test_a_default_density_keeps_its_source_and_says_it_is_unconfirmed():
    found = factor("ipcc2006:gas_diesel_oil:stationary")
    assert found.density_source.startswith("unconfirmed: ")
    assert "Staffell" in found.density_source and "2011" in found.density_source
    assert fuel_densities()["gas_diesel_oil"].provenance.url in found.density_source
    # the IPCC figures themselves are as confirmed as before: only the density is not
    assert not found.provenance.unconfirmed and found.provenance.publisher == "IPCC"


def test_the_shipped_ipcc_stationary_diesel_factor_accepts_litres():
    # 1,000 L = 1 m³ × 0.837 t/m³ = 0.837 t; × 43.0 GJ/t = 35.991 GJ = 0.035991 TJ
    # CO2 0.035991 × 74,100 = 2,666.9331 kg = 2.6669331 t                      (× 1)
    # CH4 0.035991 × 3 = 0.107973 kg = 0.000107973 t × 27.9 = 0.0030124467 tCO2e
    # N2O 0.035991 × 0.6 = 0.0215946 kg = 0.0000215946 t × 273 = 0.0058953258 tCO2e
    # total 2.6669331 + 0.0030124467 + 0.0058953258 = 2.6758408725 tCO2e (AR6)
    key = "ipcc2006:gas_diesel_oil:stationary"
    result = emissions_of(_litres("1000", key), factor(key), load_gwp_set("AR6"))
    assert result.converted_quantity == Decimal("0.035991")
    assert result.gases[0].mass_t == Decimal("2.6669331")
    assert result.tco2e == Decimal("2.6758408725")
    assert result.conversion.density == Decimal("0.837")
    assert "density 0.837 t/m3; unconfirmed: " in result.steps()[0]


def test_the_chinese_diesel_default_accepts_litres_too():
    # 1,000 L × 0.837 t/m³ = 0.837 t; × 42.652 GJ/t = 35.699724 GJ = 0.035699724 TJ;
    # × 72,585.333 kg/TJ = 2,540.486655 (× 0.035) + 50.789699548092 (× 0.000699724)
    #   = 2,591.276354548092 kg = 2.591276354548092 tCO2 (CO2 only)
    key = "cnguide2015:gas_diesel_oil:combustion"
    result = emissions_of(_litres("1000", key), factor(key), load_gwp_set("AR6"))
    assert result.tco2e == Decimal("2.591276354548092")


@pytest.mark.parametrize("key", sorted(k for k, f in load_factors().items() if f.density is not None))
def test_litres_of_a_liquid_fuel_equal_its_density_in_tonnes(key):
    # 1,000 L = 1 m³ weighs exactly the density in tonnes, so both give the same figure.
    found, ar6 = factor(key), load_gwp_set("AR6")
    in_litres = emissions_of(_litres("1000", key), found, ar6).tco2e
    in_tonnes = emissions_of(_litres(str(found.density), key, "t"), found, ar6).tco2e
    assert in_litres == in_tonnes > 0


def test_natural_gas_in_cubic_metres_against_the_ipcc_ncv_per_mass_is_still_refused():
    # fuel_densities.csv has no sourced natural-gas density: m³ need the Chinese volumetric NCV.
    key = "ipcc2006:natural_gas:stationary"
    assert factor(key).density is None
    with pytest.raises(InvalidInput, match="density") as caught:
        emissions_of(_litres("10000", key, "m3"), factor(key), load_gwp_set("AR6"))
    assert key in caught.value.message
    assert "natural_gas" not in fuel_densities()


# --- Grid factors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, value",
    [
        ("mee:grid:CN:2021", "0.5568"), ("mee:grid:CN:2022", "0.5366"), ("mee:grid:CN:2023", "0.5306"),
        ("mee:grid_residual:CN:2022", "0.5856"), ("mee:grid_residual:CN:2023", "0.6096"),
        ("mee:grid_fossil:CN:2021", "0.8426"), ("mee:grid_fossil:CN:2022", "0.8325"),
        ("mee:grid_fossil:CN:2023", "0.8273"),
        ("mee:grid:CN-NORTH:2022", "0.6776"), ("mee:grid:CN-NORTHWEST:2022", "0.5857"),
        ("mee:grid:CN-EAST:2022", "0.5617"), ("mee:grid:CN-NORTHEAST:2022", "0.5564"),
        ("mee:grid:CN-CENTRAL:2022", "0.5395"), ("mee:grid:CN-SOUTH:2022", "0.3869"),
        ("mee:grid:CN-SOUTHWEST:2022", "0.2268"),
        ("mee:grid:CN-NORTH:2023", "0.6361"), ("mee:grid:CN-NORTHEAST:2023", "0.5122"),
        ("mee:grid:CN-EAST:2023", "0.5500"), ("mee:grid:CN-CENTRAL:2023", "0.5271"),
        ("mee:grid:CN-NORTHWEST:2023", "0.5543"), ("mee:grid:CN-SOUTH:2023", "0.4042"),
        ("mee:grid:CN-SOUTHWEST:2023", "0.2472"),
    ],
)
def test_mee_nbs_grid_factors_are_co2_per_mwh(key, value):
    found = factor(key)
    assert dict(found.gases) == {"CO2": Decimal(value)}
    assert (found.per_unit, found.mass_unit) == ("MWh", "t")
    assert found.provenance.publisher == "MEE/NBS" and not found.provenance.unconfirmed


def test_grid_factor_keys_name_the_geography_and_year_of_their_provenance():
    for key, found in load_factors().items():
        if found.kind in (FactorKind.GRID_LOCATION, FactorKind.GRID_RESIDUAL_MIX):
            *_, geography, year = key.split(":")
            assert (geography, int(year)) == (found.provenance.geography, found.provenance.year)
            assert found.valid_from.year == found.valid_to.year == found.provenance.year


def test_grid_geographies_match_the_organisation_geography_codes():
    grid = [f for f in load_factors().values() if f.kind is not FactorKind.FUEL_COMBUSTION]
    for found in grid:
        geography = found.provenance.geography
        assert geography == "CN" or any(geography in regions for regions in GRID_REGIONS.values())


def test_residual_mix_factors_have_their_own_kind():
    assert factor("mee:grid_residual:CN:2023").kind is FactorKind.GRID_RESIDUAL_MIX
    assert factor("mee:grid:CN:2023").kind is FactorKind.GRID_LOCATION


def test_a_published_year_is_returned_without_a_disclosure():
    found, disclosure = grid_factor("CN-EAST", 2023, FactorKind.GRID_LOCATION)
    assert found.key == "mee:grid:CN-EAST:2023" and disclosure is None


def test_a_later_year_falls_back_to_the_latest_published_year_with_a_disclosure():
    # CN-EAST 2025: not published; 2023 is the latest year ≤ 2025 → 0.5500
    found, disclosure = grid_factor("CN-EAST", 2025, FactorKind.GRID_LOCATION)
    assert found.gases["CO2"] == Decimal("0.5500")
    assert disclosure is not None and "2023" in disclosure and "2025" in disclosure


def test_a_region_without_any_factor_falls_back_to_the_national_factor():
    # Jiangsu (a province) has no factor of its own → national China 2023, 0.5306
    found, disclosure = grid_factor("CN-JS", 2023)
    assert found.key == "mee:grid:CN:2023" and found.gases["CO2"] == Decimal("0.5306")
    assert disclosure is not None and "national" in disclosure and "CN-JS" in disclosure


def test_a_region_before_its_first_published_year_falls_back_to_the_national_factor_of_that_year():
    # Regional averages start with 2022; for 2021 the national 2021 average (0.5568) applies.
    found, disclosure = grid_factor("CN-EAST", 2021)
    assert found.key == "mee:grid:CN:2021" and disclosure is not None


def test_the_residual_mix_falls_back_to_the_national_residual_mix():
    found, disclosure = grid_factor("CN-SOUTH", 2024, "grid_residual_mix")
    assert found.key == "mee:grid_residual:CN:2023" and found.gases["CO2"] == Decimal("0.6096")
    assert disclosure is not None and "2023" in disclosure


def test_fossil_and_compliance_ets_series_are_never_picked_as_the_grid_average():
    found, _ = grid_factor("CN", 2022)
    assert found.gases["CO2"] == Decimal("0.5366")  # not 0.8325 (fossil) nor 0.5703 (ETS)


def test_no_factor_before_the_first_published_year_is_not_found():
    with pytest.raises(FactorNotFound):
        grid_factor("CN", 2020)


def test_hong_kong_never_falls_back_to_the_mainland_factor():
    with pytest.raises(FactorNotFound):
        grid_factor("HK-CLP", 2023)


def test_taiwan_uses_the_moea_factor_in_co2e():
    found, disclosure = grid_factor("TW", 2023)
    assert dict(found.gases) == {"CO2e": Decimal("0.494")} and disclosure is None


def test_a_kind_that_is_not_a_grid_kind_is_invalid_input():
    with pytest.raises(InvalidInput):
        grid_factor("CN", 2023, FactorKind.FUEL_COMBUSTION)
    with pytest.raises(InvalidInput):
        grid_factor("CN", 2023, "grid")


def test_values_marked_unconfirmed_in_the_research_stay_unconfirmed():
    assert factor("mee:grid_ets:CN:2022").provenance.unconfirmed  # CN-EF-03 [U], 0.5703
    assert factor("mee:grid_ets:CN:2022").gases["CO2"] == Decimal("0.5703")
    assert factor("hke:grid:HK-HKE:2019").provenance.unconfirmed
    assert factor("ipcc2006:lpg:road").provenance.unconfirmed
    assert factor("cnguide2015:gas_diesel_oil:combustion").provenance.unconfirmed
    assert not factor("cnguide2015:natural_gas:combustion").provenance.unconfirmed


# --- Illustrative dataset ---------------------------------------------------------------------


def test_illustrative_factors_are_not_defaults():
    assert not any(key.startswith("illustrative:") for key in load_factors())
    illustrative = load_illustrative_factors()
    assert illustrative and all(key.startswith("illustrative:") for key in illustrative)
    assert all(f.provenance.version == "illustrative" for f in illustrative.values())
    assert set(illustrative) <= set(load_factors(include_illustrative=True))


def test_seed_000_petrol_example_is_2300_kg_for_1000_litres():
    # Seed 000 L933: 1,000 L × 2.3 kgCO2e/L = 2,300 kgCO2e
    found = factor("illustrative:petrol:per_litre")
    assert (found.per_unit, found.mass_unit) == ("L", "kg")
    assert Decimal(1000) * found.gases["CO2e"] == Decimal("2300")


def test_seed_000_grid_example_is_50000_kg_for_100000_kwh():
    # Seed 000 L934: 100,000 kWh × 0.5 kgCO2e/kWh = 50,000 kgCO2e
    assert Decimal(100000) * factor("illustrative:grid:per_kwh").gases["CO2e"] == Decimal("50000")


def test_seed_002_diesel_example_is_co2_only():
    # Seed 002 L46-L47: 20 L × 2.69 kg CO2/L = 53.8 kg CO2 (the seed labels it CO2e)
    found = factor("illustrative:diesel:tier1_per_litre")
    assert dict(found.gases) == {"CO2": Decimal("2.69")}
    assert Decimal(20) * found.gases["CO2"] == Decimal("53.8")


def test_seed_000_material_and_waste_examples():
    assert factor("illustrative:plastic_resin:supplier").gases == {"CO2": Decimal("2.4")}
    assert factor("illustrative:plastic_resin:supplier").kind is FactorKind.SUPPLIER_SPECIFIC
    assert factor("illustrative:recycled_plastic:case2").gases == {"CO2e": Decimal("1.5")}
    # Seed 000 L1812: (250 − 50) t × 0.5 tCO2e/t = 100 tCO2e
    assert (250 - 50) * factor("illustrative:landfill:case2").gases["CO2e"] == Decimal("100")


# --- factor uncertainty (seed 000 §4.7) ---------------------------------------------------------


def test_every_shipped_factor_carries_an_uncertainty_with_its_basis_and_source():
    for key, found in load_factors(include_illustrative=True).items():
        assert found.uncertainty_percent is not None, key
        assert found.uncertainty_basis is not None and found.uncertainty_source, key


def test_a_factor_without_a_published_uncertainty_is_expert_judgement_at_20_percent():
    # No source the project holds prints an uncertainty for the IPCC, MEE/NBS, MOEA or HK Electric
    # figures: each is seed 000 §4.7's expert judgement, 20 % (L1014), and says so.
    shipped = load_factors()
    assert {f.uncertainty_basis for f in shipped.values()} == {UncertaintyBasis.EXPERT_JUDGEMENT}
    assert {f.uncertainty_percent for f in shipped.values()} == {Decimal(20)}
    assert all("seed 000 §4.7 L1014" in f.uncertainty_source for f in shipped.values())
    grid, _ = grid_factor("CN-EAST", 2023)
    assert (grid.uncertainty_percent, grid.uncertainty_basis) == (Decimal(20), UncertaintyBasis.EXPERT_JUDGEMENT)


def test_the_seeds_waste_factor_takes_its_published_15_percent():
    # seed 000 §4.7 L1008: a waste-decomposition factor ±15 %, cited as published
    landfill = factor("illustrative:landfill:case2")
    assert (landfill.uncertainty_percent, landfill.uncertainty_basis) == (Decimal(15), UncertaintyBasis.PUBLISHED)
    assert "L1008" in landfill.uncertainty_source


@pytest.mark.parametrize(("row", "problem"), [
    ({"uncertainty_percent": "20", "uncertainty_basis": "", "uncertainty_source": ""}, "go together"),
    ({"uncertainty_percent": "", "uncertainty_basis": "published", "uncertainty_source": "x"}, "go together"),
    ({"uncertainty_percent": "-1", "uncertainty_basis": "published", "uncertainty_source": "x"}, "out of"),
    ({"uncertainty_percent": "NaN", "uncertainty_basis": "published", "uncertainty_source": "x"}, "finite"),
    ({"uncertainty_percent": "5", "uncertainty_basis": "guess", "uncertainty_source": "x"}, "not one of"),
])
def test_a_library_row_with_a_broken_uncertainty_is_a_packaging_error(row, problem):
    with pytest.raises(library.LibraryDataError, match=problem):
        library._uncertainty(row, "test row")
    assert library._uncertainty({"uncertainty_percent": "", "uncertainty_basis": "", "uncertainty_source": ""},
                                "test row") == {}
