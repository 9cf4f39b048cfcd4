"""Sites' countries, subdivisions and grid regions; credit codes; exclusion shares."""

from __future__ import annotations

from decimal import Decimal

import pytest

from neutrality.errors import InvalidInput
from neutrality.organisations import geography
from neutrality.organisations.model import (
    SiteLocation,
    check_credit_code,
    check_exclusion_share,
    resolve_site_location,
)

# The seven regional grids of mainland China, in alphabetical order of their codes.
CN_GRIDS_SORTED = (
    "CN-CENTRAL, CN-EAST, CN-NORTH, CN-NORTHEAST, CN-NORTHWEST, CN-SOUTH, CN-SOUTHWEST"
)


# --- default grid regions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "grid"),
    [
        ("CN-BJ", "CN-NORTH"),  # Beijing is on the North China grid
        ("CN-SD", "CN-NORTH"),  # Shandong too
        ("CN-LN", "CN-NORTHEAST"),  # Liaoning: Northeast China grid
        ("CN-HL", "CN-NORTHEAST"),  # Heilongjiang: Northeast
        ("CN-JS", "CN-EAST"),  # Jiangsu: East China grid
        ("CN-SH", "CN-EAST"),  # Shanghai: East
        ("CN-HB", "CN-CENTRAL"),  # Hubei: Central China grid
        ("CN-XJ", "CN-NORTHWEST"),  # Xinjiang: Northwest
        ("CN-GD", "CN-SOUTH"),  # Guangdong: China Southern grid
        ("CN-SC", "CN-SOUTHWEST"),  # Sichuan: Southwest China grid
        ("CN-CQ", "CN-SOUTHWEST"),  # Chongqing: Southwest
    ],
)
def test_a_chinese_site_without_a_grid_region_gets_its_provinces_regional_grid(
    province: str, grid: str
) -> None:
    assert resolve_site_location("CN", province, None) == SiteLocation("CN", province, grid)


def test_inner_mongolia_defaults_to_the_north_china_grid() -> None:
    assert resolve_site_location("CN", "CN-NM", None).grid_region == "CN-NORTH"


def test_a_site_in_inner_mongolia_may_choose_the_northeast_grid() -> None:
    # Eastern Inner Mongolia is on the Northeast grid.
    assert resolve_site_location("CN", "CN-NM", "CN-NORTHEAST") == SiteLocation(
        "CN", "CN-NM", "CN-NORTHEAST"
    )


def test_a_mainland_site_without_a_province_has_no_default_grid_region() -> None:
    # Mainland China has seven regional grids and no national one, so nothing can be assumed.
    assert resolve_site_location("CN", None, None) == SiteLocation("CN", None, None)


def test_an_empty_region_is_treated_as_no_region() -> None:
    assert resolve_site_location("CN", "", None).grid_region is None


def test_a_hong_kong_site_defaults_to_clp_and_may_choose_hk_electric() -> None:
    assert resolve_site_location("HK", None, None).grid_region == "HK-CLP"
    assert resolve_site_location("HK", None, "HK-HKE").grid_region == "HK-HKE"


def test_a_taiwan_site_is_on_the_single_taipower_grid() -> None:
    assert resolve_site_location("TW", None, None).grid_region == "TW"


def test_a_site_in_a_country_without_grid_data_keeps_a_free_form_region_and_no_grid() -> None:
    # No subdivision or grid lists exist for the United States, so nothing is checked or filled.
    assert resolve_site_location("US", "US-CA", None) == SiteLocation("US", "US-CA", None)


def test_a_given_grid_region_is_kept_where_the_country_has_no_grid_list() -> None:
    assert resolve_site_location("DE", None, "DE-50HZ").grid_region == "DE-50HZ"


def test_a_site_never_gets_a_default_grid_region_of_another_country() -> None:
    # A US site cannot be on the East China grid: either the region is rejected, or at least no
    # grid region is filled in from it (the US has no grid list, so None is the only default).
    try:
        location = resolve_site_location("US", "CN-JS", None)
    except InvalidInput:
        return
    assert location.grid_region is None


# --- provinces written as names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["广东", "廣東", "Guangdong", "广东省", "廣東省", "guangdong province", "Ｇｕａｎｇｄｏｎｇ", "cn-gd"],
)
def test_a_province_written_as_its_name_resolves_to_its_code(written: str) -> None:
    # Guangdong is on the China Southern grid
    assert resolve_site_location("CN", written, None) == SiteLocation("CN", "CN-GD", "CN-SOUTH")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("内蒙古", "CN-NM"),  # 内蒙古自治区 without 自治区
        ("內蒙古自治區", "CN-NM"),  # 繁體, with the traditional 內
        ("Inner Mongolia", "CN-NM"),
        ("广西", "CN-GX"),  # 广西壮族自治区 without 壮族自治区
        ("新疆", "CN-XJ"),  # 新疆维吾尔自治区 without 维吾尔自治区
        ("上海", "CN-SH"),  # 上海市 without 市
        ("重慶", "CN-CQ"),
        ("陝西", "CN-SN"),  # Shaanxi, not Shanxi
        ("山西", "CN-SX"),
    ],
)
def test_other_provinces_resolve_by_their_short_and_long_names(written: str, code: str) -> None:
    assert resolve_site_location("CN", written, None).region == code


def test_a_city_is_not_a_province_and_the_example_is_the_countrys_first_region() -> None:
    # 广州 is Guangdong's capital, not a province; no name is as close as difflib's 0.6 (广东:
    # one of two characters in common, 2 × 1 / 4 = 0.5), so the example is CN-BJ, the first
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("CN", "广州", None)
    assert info.value.details == {
        "region": ["'广州' is not a subdivision of CN (e.g. CN-BJ for Beijing)"]
    }


def test_a_misspelt_province_is_answered_with_the_closest_one() -> None:
    # guangdongg against guangdong: 9 letters in common, 2 × 9 / (10 + 9) = 0.95
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("CN", "Guangdongg", None)
    assert info.value.details == {
        "region": ["'Guangdongg' is not a subdivision of CN (e.g. CN-GD for Guangdong)"]
    }


def test_a_region_of_another_country_is_refused_with_the_countrys_prefix() -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("US", "CN-JS", None)
    assert info.value.details == {
        "region": ["'CN-JS' is not a subdivision of US (its codes start with US-)"]
    }


# --- rejected locations -----------------------------------------------------------------------


@pytest.mark.parametrize("country", ["XX", "cn", "CHN", ""])
def test_rejects_a_country_that_is_not_an_iso_alpha_2_code(country: str) -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_site_location(country, None, None)
    assert info.value.details == {
        "country": [f"'{country}' is not an ISO 3166-1 alpha-2 country code"]
    }


def test_rejects_a_region_that_is_not_a_subdivision_of_china() -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("CN", "CN-XX", None)
    assert list(info.value.details) == ["region"]
    assert "'CN-XX' is not a subdivision of CN" in info.value.details["region"][0]


def test_rejects_a_grid_region_that_is_not_one_of_the_countrys_grids_listing_the_valid_ones() -> (
    None
):
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("CN", "CN-JS", "CN-WEST")
    assert info.value.details == {
        "grid_region": [f"'CN-WEST' is not a grid region of CN; one of: {CN_GRIDS_SORTED}"]
    }


def test_rejects_a_mainland_grid_for_a_hong_kong_site() -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("HK", None, "CN-SOUTH")
    assert info.value.details == {
        "grid_region": ["'CN-SOUTH' is not a grid region of HK; one of: HK-CLP, HK-HKE"]
    }


def test_reports_a_bad_region_and_a_bad_grid_region_together() -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_site_location("CN", "CN-XX", "CN-WEST")
    assert set(info.value.details) == {"region", "grid_region"}
    assert info.value.message == "the site's location is not valid"


# --- geography tables -------------------------------------------------------------------------


def test_every_mainland_provincial_level_division_has_a_subdivision_entry() -> None:
    # 23 provinces counted by China minus Taiwan (22 here) + 5 autonomous regions
    # + 4 municipalities = 31 provincial-level divisions of mainland China.
    assert len(geography.SUBDIVISIONS["CN"]) == 31


def test_mainland_china_has_seven_regional_grids() -> None:
    assert len(geography.grid_regions_of("CN")) == 7


def test_every_default_grid_region_is_a_grid_of_the_same_country() -> None:
    for code, grid in geography.DEFAULT_GRID_REGION.items():
        country = code.split("-")[0]
        assert grid in geography.grid_regions_of(country), (code, grid)


def test_country_codes_are_the_249_officially_assigned_iso_3166_1_codes() -> None:
    codes = geography.COUNTRY_CODES
    assert len(codes) == 249
    assert {"CN", "HK", "MO", "TW", "US", "DE", "GB", "JP"} <= codes
    assert all(len(c) == 2 and c.isupper() for c in codes)
    # "UK" and "EU" are reserved, not assigned.
    assert "UK" not in codes and "EU" not in codes


def test_a_country_without_grid_data_has_no_grid_regions() -> None:
    assert geography.grid_regions_of("US") == {}


# --- unified social credit code ---------------------------------------------------------------

VALID_CODE = "91350100M000100Y43"  # 18 characters: "91", six digits "350100", then "M000100Y43"


def test_accepts_a_well_formed_unified_social_credit_code() -> None:
    check_credit_code(VALID_CODE)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y431",  # 19 characters
        "",
        "91350100m000100y43",  # lower-case letters
        "91350100O000100Y43",  # O is not in the alphabet (looks like 0)
        "91350100I000100Y43",  # I is not in the alphabet (looks like 1)
        "91350100S000100Y43",  # S excluded
        "91350100V000100Y43",  # V excluded
        "91350100Z000100Y43",  # Z excluded
        "91A50100M000100Y43",  # characters 3–8 are the administrative division: digits only
        "91350100M000100Y4-",  # punctuation
        " 91350100M000100Y4",  # leading space
    ],
)
def test_rejects_a_malformed_unified_social_credit_code(code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_credit_code(code)
    assert info.value.details == {"unified_social_credit_code": ["malformed code"]}
    assert "18 characters" in info.value.message
    assert "except I, O, S, V, Z" in info.value.message


def test_rejects_a_credit_code_with_a_trailing_newline() -> None:
    # 19 characters: not a valid 18-character code.
    with pytest.raises(InvalidInput):
        check_credit_code(VALID_CODE + "\n")


# --- exclusion share --------------------------------------------------------------------------


@pytest.mark.parametrize("share", ["0", "0.4", "50", "100", "100.00"])
def test_accepts_an_exclusion_share_from_zero_to_one_hundred_percent(share: str) -> None:
    check_exclusion_share(Decimal(share))


@pytest.mark.parametrize("share", ["-0.01", "-1", "100.01", "150"])
def test_rejects_an_exclusion_share_outside_zero_to_one_hundred_percent(share: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_exclusion_share(Decimal(share))
    assert info.value.details == {"estimated_share_percent": ["must be between 0 and 100"]}
    assert "(0–100)" in info.value.message
