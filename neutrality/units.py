"""Units of measure and the one table that converts between them.

Pure: no Flask, no database.

Every quantity in the application is a ``Decimal`` with an explicit unit. Conversions go through
:data:`UNITS` only; each unit is an exact multiple of its dimension's base unit, so converting
never rounds. A quantity in a unit of another dimension (MWh where a factor wants t·km) is an
error, not a guess. Rounding happens only when presenting (:func:`present`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from neutrality.errors import InvalidInput
from neutrality.messages import Msg


class Dimension(StrEnum):
    ENERGY = "energy"  # base: GJ (electricity and heat included: 1 kWh = 0.0036 GJ)
    MASS = "mass"  # base: t
    VOLUME = "volume"  # base: m³
    DISTANCE = "distance"  # base: km
    FREIGHT = "freight"  # base: t·km (tonne-kilometre)
    PASSENGER_DISTANCE = "passenger_distance"  # base: p·km (passenger-kilometre)
    COUNT = "count"  # base: 1 (nights, units, employees×days)
    CURRENCY = "currency"  # per currency: no fixed conversion between currencies


class UnknownUnit(InvalidInput):
    code = "unknown_unit"


class UnitMismatch(InvalidInput):
    code = "unit_mismatch"


@dataclass(frozen=True)
class Unit:
    code: str  # canonical spelling, as stored
    dimension: Dimension
    to_base: Decimal  # how many base units one of this unit is
    currency: str | None = None  # ISO 4217 code for currency units


def _u(code: str, dimension: Dimension, to_base: str, currency: str | None = None) -> Unit:
    return Unit(code, dimension, Decimal(to_base), currency)


#: The conversion table. Exact factors only (3.6 MJ per kWh by definition; 1 tce = 29.3076 GJ
#: by GB/T 2589). The order is the order units are listed to users (an unknown unit's error lists
#: those its activity type accepts).
UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        _u("kJ", Dimension.ENERGY, "0.000001"),
        _u("MJ", Dimension.ENERGY, "0.001"),
        _u("GJ", Dimension.ENERGY, "1"),
        _u("TJ", Dimension.ENERGY, "1000"),
        _u("kWh", Dimension.ENERGY, "0.0036"),
        _u("MWh", Dimension.ENERGY, "3.6"),
        # 万千瓦时, how Chinese ledgers count electricity: 10,000 kWh = 10 MWh = 36 GJ
        _u("10000 kWh", Dimension.ENERGY, "36"),
        _u("GWh", Dimension.ENERGY, "3600"),
        _u("tce", Dimension.ENERGY, "29.3076"),
        _u("g", Dimension.MASS, "0.000001"),
        _u("kg", Dimension.MASS, "0.001"),
        _u("t", Dimension.MASS, "1"),
        _u("kt", Dimension.MASS, "1000"),
        _u("Gg", Dimension.MASS, "1000"),  # gigagram: IPCC 2006 NCVs are in TJ/Gg
        _u("L", Dimension.VOLUME, "0.001"),
        _u("kL", Dimension.VOLUME, "1"),
        _u("m3", Dimension.VOLUME, "1"),
        _u("1000 m3", Dimension.VOLUME, "1000"),
        _u("10000 m3", Dimension.VOLUME, "10000"),  # 万立方米, the usual unit of Chinese gas bills
        _u("km", Dimension.DISTANCE, "1"),
        _u("m", Dimension.DISTANCE, "0.001"),
        _u("mi", Dimension.DISTANCE, "1.609344"),
        _u("t·km", Dimension.FREIGHT, "1"),
        _u("p·km", Dimension.PASSENGER_DISTANCE, "1"),
        _u("unit", Dimension.COUNT, "1"),
        _u("CNY", Dimension.CURRENCY, "1", "CNY"),
        _u("HKD", Dimension.CURRENCY, "1", "HKD"),
        _u("TWD", Dimension.CURRENCY, "1", "TWD"),
        _u("USD", Dimension.CURRENCY, "1", "USD"),
        _u("EUR", Dimension.CURRENCY, "1", "EUR"),
    )
}

#: Other spellings found in customers' spreadsheets (Chinese and English), mapped to codes.
ALIASES: dict[str, str] = {
    "kj": "kJ", "千焦": "kJ", "gg": "Gg", "mj": "MJ", "gj": "GJ", "tj": "TJ", "kwh": "kWh", "mwh": "MWh", "gwh": "GWh",
    "千瓦时": "kWh", "千瓦時": "kWh", "度": "kWh", "兆瓦时": "MWh", "兆瓦時": "MWh",
    "kw·h": "kWh", "kw.h": "kWh", "千瓦·时": "kWh", "千瓦·時": "kWh", "千瓦小时": "kWh",
    "10000 kwh": "10000 kWh", "万千瓦时": "10000 kWh", "萬千瓦時": "10000 kWh",
    "万kwh": "10000 kWh", "萬kwh": "10000 kWh", "万度": "10000 kWh", "萬度": "10000 kWh",
    "吉焦": "GJ", "太焦": "TJ", "太焦耳": "TJ", "吨标准煤": "tce", "噸標準煤": "tce", "tce": "tce",
    "吨标煤": "tce", "噸標煤": "tce", "标煤": "tce", "標煤": "tce",
    "kg": "kg", "千克": "kg", "公斤": "kg", "t": "t", "tonne": "t", "tonnes": "t", "吨": "t",
    "噸": "t", "公噸": "t", "g": "g", "克": "g", "kt": "kt",
    "l": "L", "litre": "L", "liter": "L", "升": "L", "公升": "L", "kl": "kL",
    "m3": "m3", "m³": "m3", "立方米": "m3", "立方公尺": "m3",
    "1000 m3": "1000 m3", "1000m3": "1000 m3", "1000 m³": "1000 m3", "千立方米": "1000 m3",
    "10000 m3": "10000 m3", "万m3": "10000 m3", "万m³": "10000 m3", "万立方米": "10000 m3",
    "萬立方米": "10000 m3", "万方": "10000 m3", "萬方": "10000 m3", "万立方": "10000 m3",
    "萬立方": "10000 m3", "方": "m3",
    "km": "km", "公里": "km", "千米": "km", "m": "m", "米": "m", "mi": "mi",
    "t·km": "t·km", "tkm": "t·km", "t-km": "t·km", "t.km": "t·km", "吨公里": "t·km", "噸公里": "t·km",
    "p·km": "p·km", "pkm": "p·km", "人公里": "p·km",
    "unit": "unit", "units": "unit", "个": "unit", "個": "unit",
    "cny": "CNY", "rmb": "CNY", "元": "CNY", "人民币": "CNY", "hkd": "HKD", "twd": "TWD",
    "ntd": "TWD", "usd": "USD", "eur": "EUR",
}


def unit(code: str) -> Unit:
    """The unit for a code or a known alias; :class:`UnknownUnit` otherwise."""
    found = UNITS.get(code) or UNITS.get(ALIASES.get(code.strip().lower(), ""))
    if found is None:
        found = UNITS.get(ALIASES.get(code.strip(), ""))
    if found is None:
        raise UnknownUnit(Msg("unknown unit '{code}'", code=code), {"unit": [f"'{code}' is not a known unit"]})
    return found


def codes_of(dimensions: frozenset[Dimension] | set[Dimension]) -> list[str]:
    """The codes of the units of ``dimensions``, in the table's order (to tell a user which units
    fit)."""
    return [u.code for u in UNITS.values() if u.dimension in dimensions]


def compatible(a: Unit, b: Unit) -> bool:
    return a.dimension == b.dimension and a.currency == b.currency


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``, exactly."""
    source, target = unit(from_unit), unit(to_unit)
    if not compatible(source, target):
        raise UnitMismatch(
            Msg("cannot convert {source} ({source_dimension}) to {target} ({target_dimension})", source=source.code,
                source_dimension=str(source.dimension), target=target.code, target_dimension=str(target.dimension)),
            {"unit": [f"{source.code} does not convert to {target.code}"]},
        )
    if source is target:
        return value
    with localcontext() as ctx:
        ctx.prec = 50  # wide enough that no realistic quantity is rounded
        return tidy(value * source.to_base / target.to_base)


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros or an exponent (7.50E+5 → 750000, 1.50 → 1.5).

    Never rounds: the context is wider than any figure the calculation produces (120 digits).
    """
    with localcontext() as ctx:
        ctx.prec = 200
        if value.adjusted() < ctx.prec and value == value.to_integral_value():
            return value.quantize(Decimal(1))
        # 200 digits or more before the point stay in exponent form: written out they would not
        # fit the context. No figure is that large; a row stored before the schemas bounded
        # numbers may be, and must still be read (and repaired) rather than fail every read.
        return value.normalize()


#: Decimal places shown for each presented quantity (DOMAIN: tCO2e and MWh to 3 decimals).
PRESENTATION_PLACES = {"tCO2e": 3, "MWh": 3, "percent": 1}


def present(value: Decimal, kind: str) -> Decimal:
    """Round for display only (half up, as accountants expect); never store the result."""
    places = PRESENTATION_PLACES[kind]
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
