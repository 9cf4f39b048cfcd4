"""Rules about organisations, sites and subjects.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from neutrality.errors import InvalidInput
from neutrality.messages import Msg
from neutrality.organisations import geography


class ConsolidationApproach(StrEnum):
    """GHG Protocol / ISO 14064-1 organisational boundary: exactly one applies at a time."""

    OPERATIONAL_CONTROL = "operational_control"
    FINANCIAL_CONTROL = "financial_control"
    EQUITY_SHARE = "equity_share"


class NatureOfEnterprise(StrEnum):
    """企业性质, as a 零碳工厂声明 states it (seed 003 §9.2)."""

    STATE_OWNED = "state_owned"  # 国有企业
    COLLECTIVE = "collective"  # 集体企业
    PRIVATE = "private"  # 民营企业
    FOREIGN_INVESTED = "foreign_invested"  # 外商投资企业
    JOINT_VENTURE = "joint_venture"  # 中外合资企业
    HK_MACAO_TAIWAN_INVESTED = "hk_macao_taiwan_invested"  # 港澳台投资企业
    LISTED = "listed"  # 上市公司
    OTHER = "other"


class SubjectKind(StrEnum):
    """What a claim is about: one factory, or the organisation (a chosen set of its sites)."""

    SITE = "site"
    ORGANISATION = "organisation"


# 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-letter alphabet without I, O, S, V, Z.
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
#: GB 32100-2015 §4.2 / 附录 A: the alphabet in the order of the characters' values (0–30) ...
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: ... and the weight of the first 17 positions, 3^(i−1) mod 31.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015 附录 A): the value
    31 − (Σ value × weight mod 31), where 31 is written 0."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(code: str) -> None:
    if not _USCC.fullmatch(code):
        raise InvalidInput(
            Msg("the unified social credit code must be 18 characters (digits and capital letters "
                "except I, O, S, V, Z)"),
            {"unified_social_credit_code": ["malformed code"]},
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise InvalidInput(
            Msg("the unified social credit code's last character is its check character "
                "(GB 32100-2015) and does not match the first 17: check the code for a typing error"),
            {"unified_social_credit_code": ["wrong check character"]},
        )


@dataclass(frozen=True)
class SiteLocation:
    country: str
    region: str | None
    grid_region: str | None


def resolve_site_location(country: str, region: str | None, grid_region: str | None) -> SiteLocation:
    """Check a site's country, subdivision and grid region, and fill the grid region if omitted."""
    errors: dict[str, list[str]] = {}
    if country not in geography.COUNTRY_CODES:
        errors["country"] = [Msg("'{country}' is not an ISO 3166-1 alpha-2 country code", country=country)]
    subdivisions = geography.SUBDIVISIONS.get(country)
    if region and subdivisions is not None:
        # a province written as its name (广东, 廣東省, Guangdong) is the province
        region = geography.region_code(country, region) or region
    # ISO 3166-2 codes start with their country: a region of another country is a mistake even
    # where no list of subdivisions is kept.
    if region and (
        not region.startswith(f"{country}-")
        or (subdivisions is not None and region not in subdivisions)
    ):
        example = geography.region_example(country, region)
        errors["region"] = [
            Msg("'{region}' is not a subdivision of {country} (e.g. {code} for {name})",
                region=region, country=country, code=example.code, name=example.en)
            if example is not None
            else Msg("'{region}' is not a subdivision of {country} (its codes start with {country}-)",
                     region=region, country=country)
        ]
    if grid_region is None and not errors:
        grid_region = geography.default_grid_region(country, region)
    grids = geography.grid_regions_of(country)
    if grid_region and grids and grid_region not in grids:
        errors["grid_region"] = [
            Msg("'{grid_region}' is not a grid region of {country}; one of: {grids}",
                grid_region=grid_region, country=country, grids=", ".join(sorted(grids)))
        ]
    if errors:
        raise InvalidInput(Msg("the site's location is not valid"), errors)
    return SiteLocation(country, region, grid_region)


def check_exclusion_share(share: Decimal) -> None:
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
        raise InvalidInput(
            Msg("an exclusion's estimated share is a percentage of the subject's emissions (0–100)"),
            {"estimated_share_percent": ["must be between 0 and 100"]},
        )
