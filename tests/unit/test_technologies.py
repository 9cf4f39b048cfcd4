"""Technologies as registries and people write them, stored and compared as codes."""

from __future__ import annotations

import pytest

from neutrality.names import name_key
from neutrality.technologies import TECHNOLOGIES, technology_code, technology_name


@pytest.mark.parametrize(("written", "code"), [
    ("光伏", "solar_pv"),  # a GEC list's 项目类型
    ("光电", "solar_pv"), ("光電", "solar_pv"),  # Taiwan writes solar PV 光電
    ("Solar PV", "solar_pv"), ("PHOTOVOLTAIC", "solar_pv"), ("solar_pv", "solar_pv"),
    ("风电", "wind"), ("風電", "wind"),
    ("海上风电", "wind_offshore"), ("離岸風電", "wind_offshore"), ("海上風電", "wind_offshore"),
    ("深远海海上风电", "wind_offshore_deep_sea"), ("光热", "csp"), ("Concentrated Solar Power", "csp"),
    ("水电", "hydro"), ("Hydropower", "hydro"), ("  hydro  ", "hydro"), ("ｈｙｄｒｏ", "hydro"),  # full width
])
def test_a_technology_written_any_way_is_its_code(written: str, code: str) -> None:
    assert technology_code(written) == code


@pytest.mark.parametrize("written", ["nuclear", "燃气发电", "Solar PV farm"])
def test_a_technology_none_names_is_kept_as_written(written: str) -> None:
    # not one of the codes, so no rule comparing codes mistakes it for one
    assert technology_code(f" {written} ") == written


def test_blank_stays_blank() -> None:
    assert technology_code("") == technology_code(None) == technology_code("   ") == ""


def test_no_spelling_names_two_technologies() -> None:
    seen: dict[str, str] = {}
    for known in TECHNOLOGIES:
        for written in (known.code, known.en, known.zh_Hans, known.zh_Hant, *known.aliases):
            assert seen.setdefault(name_key(written), known.code) == known.code, written


def test_a_code_is_named_in_each_language_and_an_unknown_one_as_written() -> None:
    assert [technology_name("wind_offshore", locale) for locale in ("en", "zh_Hans", "zh_Hant")] == [
        "offshore wind", "海上风电", "離岸風電"]
    assert technology_name("nuclear", "zh_Hans") == "nuclear"
