"""Values of the GHG inventory: scopes, categories, activities, factors and results.

Pure: no Flask, no database. The classification follows ISO 14064-1:2018 (categories 1–6) and
the GHG Protocol (Scopes 1–3, Scope 3 categories 1–15); seed 000 §4.3 and §4.5 describe both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum

from neutrality.errors import InvalidInput
from neutrality.messages import Msg


class Scope(IntEnum):
    SCOPE_1 = 1  # direct emissions from sources the organisation owns or controls
    SCOPE_2 = 2  # indirect emissions from imported electricity, heat and steam
    SCOPE_3 = 3  # other indirect emissions along the value chain


class Scope1Subtype(StrEnum):
    STATIONARY_COMBUSTION = "stationary_combustion"  # 固定燃烧: boilers, furnaces, generators
    MOBILE_COMBUSTION = "mobile_combustion"  # 移动燃烧: owned vehicles, forklifts
    PROCESS = "process"  # 过程排放
    FUGITIVE = "fugitive"  # 逸散排放: refrigerants, SF6, fire extinguishers
    LAND_USE = "land_use"  # direct LULUCF


class IsoCategory(IntEnum):
    """ISO 14064-1:2018 clause 5.2.4 categories."""

    DIRECT = 1
    IMPORTED_ENERGY = 2
    TRANSPORTATION = 3
    PRODUCTS_USED_BY_ORGANISATION = 4
    USE_OF_PRODUCTS_FROM_ORGANISATION = 5
    OTHER = 6


@dataclass(frozen=True)
class Scope3Category:
    number: int
    en: str
    zh_hans: str
    zh_hant: str
    iso_category: IsoCategory  # default mapping to ISO 14064-1; a record may override it


SCOPE3_CATEGORIES: Mapping[int, Scope3Category] = {
    c.number: c
    for c in (
        Scope3Category(1, "Purchased goods and services", "外购商品和服务", "採購的商品和服務", IsoCategory.PRODUCTS_USED_BY_ORGANISATION),
        Scope3Category(2, "Capital goods", "资本货物", "資本貨物", IsoCategory.PRODUCTS_USED_BY_ORGANISATION),
        Scope3Category(3, "Fuel- and energy-related activities", "燃料和能源相关活动", "燃料和能源相關活動", IsoCategory.PRODUCTS_USED_BY_ORGANISATION),
        Scope3Category(4, "Upstream transportation and distribution", "上游运输和配送", "上游運輸和配送", IsoCategory.TRANSPORTATION),
        Scope3Category(5, "Waste generated in operations", "运营中产生的废弃物", "營運中產生的廢棄物", IsoCategory.PRODUCTS_USED_BY_ORGANISATION),
        Scope3Category(6, "Business travel", "商务差旅", "商務差旅", IsoCategory.TRANSPORTATION),
        Scope3Category(7, "Employee commuting", "员工通勤", "員工通勤", IsoCategory.TRANSPORTATION),
        Scope3Category(8, "Upstream leased assets", "上游租赁资产", "上游租賃資產", IsoCategory.PRODUCTS_USED_BY_ORGANISATION),
        Scope3Category(9, "Downstream transportation and distribution", "下游运输和配送", "下游運輸和配送", IsoCategory.TRANSPORTATION),
        Scope3Category(10, "Processing of sold products", "售出产品的加工", "售出產品的加工", IsoCategory.USE_OF_PRODUCTS_FROM_ORGANISATION),
        Scope3Category(11, "Use of sold products", "售出产品的使用", "售出產品的使用", IsoCategory.USE_OF_PRODUCTS_FROM_ORGANISATION),
        Scope3Category(12, "End-of-life treatment of sold products", "售出产品的报废处理", "售出產品的廢棄處理", IsoCategory.USE_OF_PRODUCTS_FROM_ORGANISATION),
        Scope3Category(13, "Downstream leased assets", "下游租赁资产", "下游租賃資產", IsoCategory.USE_OF_PRODUCTS_FROM_ORGANISATION),
        Scope3Category(14, "Franchises", "特许经营", "特許經營", IsoCategory.USE_OF_PRODUCTS_FROM_ORGANISATION),
        Scope3Category(15, "Investments", "投资", "投資", IsoCategory.USE_OF_PRODUCTS_FROM_ORGANISATION),
    )
}


class ActivityType(StrEnum):
    FUEL = "fuel"  # a fuel burned: quantity in mass, volume or energy
    ELECTRICITY = "electricity"
    HEAT_STEAM = "heat_steam"
    REFRIGERANT = "refrigerant"  # charge and leak (top-ups) of a refrigerant or SF6
    PROCESS = "process"
    MATERIAL = "material"
    TRANSPORT = "transport"
    WASTE = "waste"
    TRAVEL = "travel"
    COMMUTING = "commuting"
    SPEND = "spend"  # spend-based Scope 3
    OTHER = "other"


class DataQualityTier(StrEnum):
    METERED = "metered"
    INVOICED = "invoiced"
    SUPPLIER_SPECIFIC = "supplier_specific"
    INDUSTRY_AVERAGE = "industry_average"
    ESTIMATED = "estimated"


class UncertaintyBasis(StrEnum):
    """Where a factor's ± comes from (seed 000 §4.7): its publisher, or an expert's judgement."""

    PUBLISHED = "published"  # the factor's source publishes it; ``uncertainty_source`` cites it
    EXPERT_JUDGEMENT = "expert_judgement"  # nothing published: assessed (seed 000 L1014: 20 %)


class CalculationMethod(StrEnum):
    ACTIVITY_BASED = "activity_based"  # quantity × factor (fuel, electricity, t·km, tonnes)
    SPEND_BASED = "spend_based"  # money spent × factor per currency unit
    SUPPLIER_SPECIFIC = "supplier_specific"  # the supplier's own factor or product footprint


class FactorKind(StrEnum):
    FUEL_COMBUSTION = "fuel_combustion"  # per energy (TJ) with a net calorific value
    GRID_LOCATION = "grid_location"  # average grid factor of a region (location-based)
    GRID_RESIDUAL_MIX = "grid_residual_mix"  # for unbacked electricity (market-based)
    SUPPLIER_SPECIFIC = "supplier_specific"  # a supplier's or a green tariff's rate
    GENERIC = "generic"  # any per-unit factor (materials, t·km, waste, spend)


@dataclass(frozen=True)
class Provenance:
    source: str  # the publication, e.g. "2006 IPCC Guidelines, Vol. 2, Table 2.2"
    publisher: str  # e.g. "IPCC", "MEE/NBS"
    year: int  # year the figures refer to (data year), or of publication for defaults
    geography: str  # "GLOBAL", "CN", "CN-EAST", "HK-CLP"…
    version: str  # version label of the dataset the factor belongs to
    url: str = ""
    unconfirmed: bool = False  # figures not yet checked against the primary publication


@dataclass(frozen=True)
class EmissionFactor:
    """Mass of each gas emitted per unit of activity.

    ``per_unit`` is the activity unit the factor applies to (for combustion: an energy unit,
    and ``ncv`` converts the fuel's quantity to energy). ``gases`` maps a gas code ("CO2",
    "CH4", "N2O", "HFC-32"…) to the mass emitted per ``per_unit``, in ``mass_unit``; a factor
    already expressed in CO2e uses the pseudo-gas "CO2e", which is never multiplied by a GWP.
    """

    key: str  # stable identifier, e.g. "ipcc2006:natural_gas:stationary"
    name: str
    kind: FactorKind
    per_unit: str
    mass_unit: str  # "kg" or "t"
    gases: Mapping[str, Decimal]
    provenance: Provenance
    ncv: Decimal | None = None  # net calorific value: energy per unit of fuel quantity
    ncv_unit: str | None = None  # "<energy unit>/<quantity unit>", e.g. "TJ/Gg"
    #: Mass per volume of the fuel, to bridge a quantity in a volume (litres of diesel) and an
    #: NCV per mass (GJ/t), or the other way round; ``density_unit`` is "<mass unit>/<volume
    #: unit>", e.g. "t/m3" or "kg/L" (the same number). ``density_source`` says where the density
    #: comes from and starts with "unconfirmed:" when it is not checked against its publication:
    #: a plain string rather than a second Provenance, so ``provenance`` stays about the factor's
    #: own figures and the factor's JSON document (frozen with a verified inventory) stays flat.
    density: Decimal | None = None
    density_unit: str | None = None
    density_source: str = ""
    #: ± half-width of the 95 % interval of the factor, in percent (seed 000 §4.7), with its
    #: basis and, in words, where it comes from (the publication, or why an expert chose it).
    #: None for a factor stated without one (an organisation's, or one frozen before factors
    #: carried an uncertainty): the report counts the records it prices.
    uncertainty_percent: Decimal | None = None
    uncertainty_basis: UncertaintyBasis | None = None
    uncertainty_source: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class GwpSet:
    """100-year global warming potentials of one IPCC assessment report."""

    code: str  # "AR4", "AR5", "AR6"
    values: Mapping[str, Decimal]  # gas code -> GWP (CO2 = 1)
    provenance: Provenance

    def gwp(self, gas: str) -> Decimal:
        if gas in ("CO2", "CO2e"):  # the reference gas, whether or not the set lists it
            return Decimal(1)
        try:
            return self.values[gas]
        except KeyError:
            raise InvalidInput(
                Msg("no {set} GWP for gas '{gas}'", set=self.code, gas=gas), {"gas": [f"unknown in {self.code}"]}
            ) from None


@dataclass(frozen=True)
class Activity:
    """One activity data record, as the calculation reads it."""

    id: int | str
    site_id: int
    source: str  # the emission source as the user names it ("Boiler 2", "Diesel forklifts")
    scope: Scope
    activity_type: ActivityType
    quantity: Decimal
    unit: str
    start: dt.date
    end: dt.date
    factor_key: str | None  # the factor that applies (resolved by the library or the user)
    scope1_subtype: Scope1Subtype | None = None
    scope3_category: int | None = None
    iso_category: IsoCategory | None = None  # defaults from scope / Scope 3 category
    method: CalculationMethod = CalculationMethod.ACTIVITY_BASED
    data_quality: DataQualityTier = DataQualityTier.ESTIMATED
    uncertainty_percent: Decimal | None = None  # ± half-width of the 95 % interval
    gas: str | None = None  # for refrigerant and process records: the gas released directly
    evidence: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


def default_iso_category(scope: Scope, scope3_category: int | None) -> IsoCategory:
    if scope is Scope.SCOPE_1:
        return IsoCategory.DIRECT
    if scope is Scope.SCOPE_2:
        return IsoCategory.IMPORTED_ENERGY
    if scope3_category is None or scope3_category not in SCOPE3_CATEGORIES:
        raise ValueError("a Scope 3 record needs a category 1–15")
    return SCOPE3_CATEGORIES[scope3_category].iso_category
