"""Emissions of activity data: per gas, in tCO2e, by scope, category, gas, site and ISO category.

Pure: standard library, :mod:`neutrality.units` and the inventory model only.

How a figure is made (seed 000 §4.6 F-01–F-03):

    converted  = quantity × ratio            (activity unit → the factor's ``per_unit``; for
                                              combustion of a fuel in mass or volume, × NCV, and
                                              × the fuel's density when the quantity is a volume
                                              and the NCV is per mass, or ÷ it the other way)
    mass_t     = converted × factor value × (factor mass unit → t)      per gas
    tCO2e      = Σ mass_t × GWP(gas)                                    ("CO2e" has GWP 1)

A refrigerant or process record without a factor names the gas it released: its quantity is that
gas's mass (seed 000 F-02).

Exactness. ``ratio`` is fixed once per (factor, unit): ``neutrality.units.convert`` of one unit,
exact except for the few conversions that do not terminate (GJ → MWh, anything → tce, a mass
divided by a density), which it rounds at 50 significant digits. Every product and sum after that runs in :data:`EXACT`, which
traps ``Inexact``: no figure is ever rounded silently. Multiplication distributes exactly, so
:func:`calculate` sums the quantities of alike activities first and multiplies once per group,
and the totals equal the sums of the per-activity figures of :func:`emissions_of` to the last
digit. That is what lets a million activities be calculated in about 0.5–2 s on two cores
(more distinct groups cost more; ``bench_calculate`` in tests/unit/test_calculation.py).

Scope 2 (GHG Protocol Scope 2 Guidance; DOMAIN.md): location-based prices all electricity at the
grid-average factor; market-based counts electricity covered by energy attribute certificates at
zero, electricity bought on a supplier-specific rate (a green tariff) at that rate, and the rest
at the residual mix. Both are always computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from functools import lru_cache
from operator import attrgetter
from typing import Any, Protocol

from neutrality.errors import InvalidInput
from neutrality.inventory.model import (
    SCOPE3_CATEGORIES,
    Activity,
    ActivityType,
    EmissionFactor,
    FactorKind,
    GwpSet,
    IsoCategory,
    Scope,
    default_iso_category,
)
from neutrality.messages import Msg
from neutrality.units import Dimension, Unit, convert, tidy, unit

#: Products and sums: 120 digits hold any realistic quantity × a 50-digit ratio × a factor × a
#: GWP exactly; ``Inexact`` is trapped, so a figure that would need rounding is an error instead.
EXACT = Context(prec=120, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
#: Divisions (a ratio that does not terminate, an activity's share of its site's EAC coverage).
_DIVIDE = Context(prec=50)

ZERO = Decimal(0)
MWH = "MWh"

class TooPrecise(InvalidInput):
    code = "too_precise"


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """Σ values without rounding: Python's default 28-digit context would round long figures."""
    with localcontext(EXACT):
        return sum(values, ZERO)


# --- units ----------------------------------------------------------------------------------


def _resolve(code: str) -> tuple[Unit, Decimal]:
    return unit(code), Decimal(1)


@lru_cache(maxsize=4096)
def _ratio(from_code: str, to_code: str) -> Decimal:
    """How many ``to_code`` one ``from_code`` is, through :func:`neutrality.units.convert`.

    Cached: a pure function of two codes (Decimals are immutable), called once per group.
    """
    (source, source_scale), (target, target_scale) = _resolve(from_code), _resolve(to_code)
    with localcontext(_DIVIDE):
        ratio = convert(Decimal(1), source.code, target.code)  # UnitMismatch across dimensions
        if source_scale != 1 or target_scale != 1:
            ratio = ratio * source_scale / target_scale
    return ratio


def _split_ncv_unit(text: str, factor: EmissionFactor) -> tuple[Unit, Unit, str, str]:
    energy, slash, quantity = text.partition("/")
    if not slash or not energy.strip() or not quantity.strip():
        raise InvalidInput(
            Msg("factor {key}: NCV unit '{unit}' is not '<energy unit>/<quantity unit>'", key=factor.key, unit=text),
            {"ncv_unit": [f"'{text}' should look like 'TJ/Gg' or 'MJ/m3'"]},
        )
    energy, quantity = energy.strip(), quantity.strip()
    energy_unit, quantity_unit = _resolve(energy)[0], _resolve(quantity)[0]
    if energy_unit.dimension is not Dimension.ENERGY or quantity_unit.dimension not in (
        Dimension.MASS,
        Dimension.VOLUME,
    ):
        raise InvalidInput(
            Msg("factor {key}: NCV unit '{unit}' must be energy per mass or per volume", key=factor.key, unit=text),
            {"ncv_unit": [f"'{text}' is {energy_unit.dimension} per {quantity_unit.dimension}"]},
        )
    return energy_unit, quantity_unit, energy, quantity


def _split_density_unit(text: str, factor: EmissionFactor) -> tuple[str, str]:
    mass, slash, volume = text.partition("/")
    mass, volume = mass.strip(), volume.strip()
    if not slash or not mass or not volume:
        raise InvalidInput(
            Msg("factor {key}: density unit '{unit}' is not '<mass unit>/<volume unit>'", key=factor.key, unit=text),
            {"density_unit": [f"'{text}' should look like 't/m3' or 'kg/L'"]},
        )
    mass_unit, volume_unit = _resolve(mass)[0], _resolve(volume)[0]
    if mass_unit.dimension is not Dimension.MASS or volume_unit.dimension is not Dimension.VOLUME:
        raise InvalidInput(
            Msg("factor {key}: density unit '{unit}' must be mass per volume", key=factor.key, unit=text),
            {"density_unit": [f"'{text}' is {mass_unit.dimension} per {volume_unit.dimension}"]},
        )
    return mass, volume


# --- one activity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """How one unit of activity becomes one ``to_unit`` (the factor's ``per_unit``, or t of gas)."""

    from_unit: str
    to_unit: str
    ratio: Decimal  # to_unit per from_unit, NCV (and density) included
    ncv: Decimal | None = None  # the net calorific value used, if any
    ncv_unit: str | None = None
    #: The fuel's density, when one bridged a volume and an NCV per mass (or a mass and an NCV
    #: per volume), with its unit and source as the factor gives them; ``fuel_unit`` is the unit
    #: the NCV is per ("t") and ``fuel_ratio`` how many of it one ``from_unit`` is.
    density: Decimal | None = None
    density_unit: str | None = None
    density_source: str = ""
    fuel_unit: str | None = None
    fuel_ratio: Decimal | None = None


def conversion_for(activity_unit: str, factor: EmissionFactor) -> Conversion:
    """The conversion of an activity unit into ``factor.per_unit``; never a guess.

    A fuel in mass or volume priced by a combustion factor per energy goes through the factor's
    NCV (seed 000 F-03). When the quantity is a volume and the NCV is per mass (litres of diesel,
    GJ/t), the factor's density turns the volume into mass first, exactly; a mass against an NCV
    per volume is divided by the density (rounded once, at 50 digits). Without a density that is
    :class:`InvalidInput` naming the factor. A unit of another dimension is
    :class:`~neutrality.units.UnitMismatch`.
    """
    source = _resolve(activity_unit)[0]
    target = _resolve(factor.per_unit)[0]
    needs_ncv = (
        factor.kind is FactorKind.FUEL_COMBUSTION
        and target.dimension is Dimension.ENERGY
        and source.dimension in (Dimension.MASS, Dimension.VOLUME)
    )
    if not needs_ncv:
        return Conversion(activity_unit, factor.per_unit, _ratio(activity_unit, factor.per_unit))
    if factor.ncv is None or not factor.ncv_unit:
        raise InvalidInput(
            Msg("factor {key} is per {per_unit}: a quantity in {unit} needs "
                "the fuel's net calorific value, which the factor does not give",
                key=factor.key, per_unit=factor.per_unit, unit=activity_unit),
            {"unit": ["record the quantity in energy, or use a factor with an NCV"]},
        )
    if factor.ncv <= 0:
        raise InvalidInput(Msg("factor {key}: the NCV must be positive", key=factor.key), {"ncv": ["> 0"]})
    energy_unit, quantity_unit, energy, quantity = _split_ncv_unit(factor.ncv_unit, factor)
    if quantity_unit.dimension is source.dimension:
        with localcontext(EXACT):
            ratio = _ratio(activity_unit, quantity) * factor.ncv * _ratio(energy, factor.per_unit)
        return Conversion(activity_unit, factor.per_unit, ratio, factor.ncv, factor.ncv_unit)
    if factor.density is None or not factor.density_unit:
        raise InvalidInput(
            Msg("{unit} is a {dimension} but the NCV of factor {key} is per "
                "{quantity} ({quantity_dimension}); converting needs the fuel's density, which "
                "the factor does not give", unit=activity_unit, dimension=source.dimension, key=factor.key,
                quantity=quantity, quantity_dimension=quantity_unit.dimension),
            {"unit": [f"record the quantity in a {quantity_unit.dimension} unit, or use a factor "
                      f"with an NCV per {source.dimension} or a density"]},
        )
    if factor.density <= 0:
        raise InvalidInput(Msg("factor {key}: the density must be positive", key=factor.key), {"density": ["> 0"]})
    mass, volume = _split_density_unit(factor.density_unit, factor)
    if source.dimension is Dimension.VOLUME:  # litres → m3 of the density → its mass → the NCV's
        with localcontext(EXACT):
            fuel_ratio = _ratio(activity_unit, volume) * factor.density * _ratio(mass, quantity)
    else:  # a mass against an NCV per volume: ÷ density, which need not terminate
        with localcontext(_DIVIDE):
            per_mass = Decimal(1) / factor.density
        with localcontext(EXACT):
            fuel_ratio = _ratio(activity_unit, mass) * per_mass * _ratio(volume, quantity)
    with localcontext(EXACT):
        ratio = fuel_ratio * factor.ncv * _ratio(energy, factor.per_unit)
    return Conversion(
        activity_unit, factor.per_unit, tidy(ratio), factor.ncv, factor.ncv_unit,
        density=factor.density, density_unit=factor.density_unit,
        density_source=factor.density_source, fuel_unit=quantity, fuel_ratio=tidy(fuel_ratio),
    )


@dataclass(frozen=True)
class GasEmission:
    gas: str
    factor_value: Decimal | None  # per factor per_unit, in the factor's mass unit; None: released directly
    mass_t: Decimal
    gwp: Decimal
    tco2e: Decimal


@dataclass(frozen=True)
class ActivityResult:
    """One activity's emissions with every step a verifier needs to redo them."""

    activity_id: int | str | None
    factor_key: str | None  # None for a gas released directly
    quantity: Decimal
    unit: str
    conversion: Conversion
    converted_quantity: Decimal  # in conversion.to_unit
    gases: tuple[GasEmission, ...]
    gwp_set: str
    tco2e: Decimal
    mass_unit: str | None = None  # the factor's mass unit (factor values are in it)

    def steps(self) -> tuple[str, ...]:
        """The calculation in words (English), for the audit trail."""
        c = self.conversion
        lines = []
        if c.density is not None and c.fuel_ratio is not None:
            with localcontext(prec=200):  # for display only; the figures are exact already
                fuel = tidy(self.quantity * c.fuel_ratio)
            source = f"; {c.density_source}" if c.density_source else ""
            lines.append(
                f"{self.quantity} {self.unit} × {c.fuel_ratio} {c.fuel_unit}/{c.from_unit} "
                f"(density {c.density} {c.density_unit}{source}) = {fuel} {c.fuel_unit}"
            )
            lines.append(
                f"{fuel} {c.fuel_unit} × NCV {c.ncv} {c.ncv_unit} = {self.converted_quantity} {c.to_unit}"
            )
        elif c.ncv is not None:
            lines.append(
                f"{self.quantity} {self.unit} × {c.ratio} {c.to_unit}/{c.from_unit} "
                f"(NCV {c.ncv} {c.ncv_unit}) = {self.converted_quantity} {c.to_unit}"
            )
        elif c.from_unit != c.to_unit:
            lines.append(
                f"{self.quantity} {self.unit} = {self.converted_quantity} {c.to_unit} "
                f"(× {c.ratio})"
            )
        for g in self.gases:
            if g.factor_value is None:
                lines.append(f"{g.gas}: {g.mass_t} t released × GWP {g.gwp} ({self.gwp_set}) = {g.tco2e} tCO2e")
            else:
                lines.append(
                    f"{g.gas}: {self.converted_quantity} {c.to_unit} × {g.factor_value} "
                    f"{self.mass_unit}/{c.to_unit} = {g.mass_t} t × GWP {g.gwp} ({self.gwp_set}) "
                    f"= {g.tco2e} tCO2e"
                )
        lines.append(f"total {self.tco2e} tCO2e (factor {self.factor_key or 'none: gas released'})")
        return tuple(lines)


@dataclass(frozen=True)
class _GasRate:
    gas: str
    factor_value: Decimal | None
    t_per_converted: Decimal  # factor value × (mass unit → t); 1 for a gas released directly
    gwp: Decimal


@dataclass(frozen=True)
class _Rate:
    """Everything about (factor, activity unit, gas) that does not depend on the quantity."""

    factor: EmissionFactor | None
    conversion: Conversion
    gases: tuple[_GasRate, ...]

    def apply(self, quantity: Decimal) -> tuple[Decimal, list[tuple[str, Decimal, Decimal]]]:
        """(converted quantity, [(gas, mass t, tCO2e)]); call inside :data:`EXACT`."""
        converted = quantity * self.conversion.ratio
        lines = []
        for g in self.gases:
            mass = converted * g.t_per_converted
            lines.append((g.gas, mass, mass * g.gwp))
        return converted, lines

    def result(self, activity_id: int | str | None, quantity: Decimal, unit_code: str,
               gwp_set: str) -> ActivityResult:
        with localcontext(EXACT):
            converted, lines = self.apply(quantity)
            total = sum((tco2e for _, _, tco2e in lines), ZERO)
            gases = tuple(
                GasEmission(g.gas, g.factor_value, tidy(mass), g.gwp, tidy(tco2e))
                for g, (_, mass, tco2e) in zip(self.gases, lines, strict=True)
            )
        return ActivityResult(
            activity_id, self.factor.key if self.factor else None, quantity, unit_code,
            self.conversion, tidy(converted), gases, gwp_set, tidy(total),
            self.factor.mass_unit if self.factor else None,
        )


def _rate(activity_unit: str, factor: EmissionFactor | None, gwp_set: GwpSet,
          gas: str | None) -> _Rate:
    if factor is None:
        if not gas:
            raise InvalidInput(
                Msg("an activity needs an emission factor, or the gas it released (refrigerants, process gases)"),
                {"factor_key": ["required unless a gas is given"]},
            )
        ratio = _ratio(activity_unit, "t")  # the quantity IS the mass of the gas
        return _Rate(None, Conversion(activity_unit, "t", ratio),
                     (_GasRate(gas, None, Decimal(1), gwp_set.gwp(gas)),))
    if gas and set(factor.gases) != {gas}:
        raise InvalidInput(
            Msg("the activity names gas {gas} and factor {key}, which emits "
                "{gases}: give either a factor or a gas released", gas=gas, key=factor.key,
                gases=", ".join(factor.gases) or Msg("nothing")),
            {"gas": ["conflicts with the factor"]},
        )
    if not factor.gases:
        raise InvalidInput(Msg("factor {key} lists no gas", key=factor.key), {"factor_key": ["no gases"]})
    conversion = conversion_for(activity_unit, factor)
    to_t = _ratio(factor.mass_unit, "t")  # UnitMismatch unless a mass unit
    with localcontext(EXACT):
        gases = tuple(
            _GasRate(g, value, value * to_t, gwp_set.gwp(g)) for g, value in factor.gases.items()
        )
    return _Rate(factor, conversion, gases)


class _Rates:
    """Rates by (factor, unit, gas), computed once per inventory."""

    def __init__(self, gwp_set: GwpSet):
        self.gwp_set = gwp_set
        self._cache: dict[tuple[int, str, str | None], tuple[EmissionFactor | None, _Rate]] = {}

    def get(self, activity_unit: str, factor: EmissionFactor | None, gas: str | None) -> _Rate:
        key = (id(factor), activity_unit, gas)
        hit = self._cache.get(key)
        if hit is None:
            # the factor is kept in the value, so its id() cannot be reused meanwhile
            hit = self._cache[key] = (factor, _rate(activity_unit, factor, self.gwp_set, gas))
        return hit[1]


def emissions_of(activity: Activity, factor: EmissionFactor | None, gwp_set: GwpSet) -> ActivityResult:
    """One activity's emissions per gas (t) and in tCO2e, with its trail.

    ``factor`` is None for a gas released directly (``activity.gas``: refrigerant top-ups, SF6):
    the quantity is then the gas's mass in a mass unit.
    """
    if not isinstance(activity.quantity, Decimal | int):
        raise _not_decimal(activity)
    try:
        rate = _rate(activity.unit, factor, gwp_set, activity.gas)
        return rate.result(activity.id, activity.quantity, activity.unit, gwp_set.code)
    except InvalidInput as error:
        raise _about(activity, error) from None
    except Inexact:
        raise _too_precise(activity) from None


def _about(record: Any, error: InvalidInput) -> InvalidInput:
    """The same error, naming the activity (imports show it next to the row)."""
    details = dict(error.details)
    activity_id = getattr(record, "id", None)
    label: Msg
    if activity_id is None:  # an ElectricityUse: a sum of a site's records
        label = Msg("site {site}, electricity in {unit}", site=record.site_id, unit=record.unit)
    else:
        label = Msg("activity {id}", id=activity_id)
        if getattr(record, "source", ""):
            label = Msg("activity {id} ({source})", id=activity_id, source=record.source)
        details.setdefault("activity", activity_id)
    return type(error)(Msg("{label}: {message}", label=label, message=error.message), details)


def _too_precise(activity: Any) -> InvalidInput:
    return TooPrecise(
        Msg("activity {id}: the quantity has too many significant digits to be calculated exactly", id=activity.id),
        {"quantity": ["too many significant digits"], "activity": activity.id},
    )


def iso_category_of(activity: Activity) -> IsoCategory:
    """The ISO 14064-1 category of a record: its override, else the default of its scope/category.

    Scope 1 is always ISO category 1 and Scope 2 category 2 (ISO 14064-1:2018 5.2.4 a, b); a
    Scope 3 record may be placed in categories 2–6 but never in 1 (direct).
    """
    scope = Scope(activity.scope)
    category = activity.scope3_category
    if scope is not Scope.SCOPE_3 and category is not None:
        raise InvalidInput(
            Msg("a Scope {scope} record cannot have Scope 3 category {category}", scope=scope.value, category=category),
            {"scope3_category": ["only for Scope 3"]},
        )
    if scope is Scope.SCOPE_3 and category not in SCOPE3_CATEGORIES:
        raise InvalidInput(Msg("a Scope 3 record needs a category 1–15"), {"scope3_category": ["1–15"]})
    default = default_iso_category(scope, category)
    if activity.iso_category is None:
        return default
    chosen = IsoCategory(activity.iso_category)
    if scope is not Scope.SCOPE_3 and chosen is not default:
        raise InvalidInput(
            Msg("Scope {scope} is ISO 14064-1 category {default}, not {chosen}", scope=scope.value,
                default=default.value, chosen=chosen.value),
            {"iso_category": [f"must be {default.value}"]},
        )
    if scope is Scope.SCOPE_3 and chosen is IsoCategory.DIRECT:
        raise InvalidInput(
            Msg("a Scope 3 record is indirect: ISO 14064-1 category 1 is for direct emissions"),
            {"iso_category": ["2–6 for Scope 3"]},
        )
    return chosen


def is_scope2_electricity(activity: Any) -> bool:
    return activity.scope == Scope.SCOPE_2 and activity.activity_type == ActivityType.ELECTRICITY


# --- Scope 2 ----------------------------------------------------------------------------------


class ElectricityRecord(Protocol):
    """What the Scope 2 functions read of an electricity record (an :class:`Activity` will do)."""

    @property
    def site_id(self) -> int: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit(self) -> str: ...
    @property
    def factor_key(self) -> str | None: ...


@dataclass(frozen=True)
class ElectricityUse:
    """The electricity of one site in one unit under one factor key (a sum of activities)."""

    site_id: int
    quantity: Decimal
    unit: str
    factor_key: str | None = None


@dataclass(frozen=True)
class GasTotal:
    mass_t: Decimal  # for the pseudo-gas "CO2e", tonnes of CO2e
    tco2e: Decimal


FactorFor = Callable[[int], EmissionFactor | None]


def _lookup(factors: Mapping[str, EmissionFactor], key: str) -> EmissionFactor:
    try:
        return factors[key]
    except KeyError:
        raise InvalidInput(Msg("unknown emission factor '{key}'", key=key), {"factor_key": [f"'{key}' is unknown"]}) from None


def location_factor(factor_key: str | None, site_id: int, factors: Mapping[str, EmissionFactor],
                    location_factor_for: FactorFor) -> EmissionFactor:
    """The grid factor that prices one electricity record location-based.

    The record's own factor when it is a grid (or generic) factor; otherwise — no factor, or a
    supplier-specific rate, which is market-based only — the grid factor of the site.
    """
    if factor_key is not None:
        factor = _electricity_factor(factor_key, factors)
        if factor.kind is not FactorKind.SUPPLIER_SPECIFIC:
            return factor
    found = location_factor_for(site_id)
    if found is None:
        raise InvalidInput(Msg("no grid emission factor for site {site}", site=site_id), {"site_id": [str(site_id)]})
    return found


def _electricity_factor(factor_key: str, factors: Mapping[str, EmissionFactor]) -> EmissionFactor:
    """The factor named on an electricity record: a grid (or generic) or supplier-specific one."""
    factor = _lookup(factors, factor_key)
    if factor.kind not in (FactorKind.GRID_LOCATION, FactorKind.GENERIC, FactorKind.SUPPLIER_SPECIFIC):
        raise InvalidInput(
            Msg("factor {key} ({kind}) cannot price purchased electricity; "
                "name a grid or supplier-specific factor (residual mixes are chosen per site)",
                key=factor_key, kind=factor.kind.value),
            {"factor_key": [f"{factor.kind.value} is not for electricity"]},
        )
    return factor


def _supplier_factor(factor_key: str | None, factors: Mapping[str, EmissionFactor]) -> EmissionFactor | None:
    if factor_key is None:
        return None
    factor = factors.get(factor_key)
    return factor if factor is not None and factor.kind is FactorKind.SUPPLIER_SPECIFIC else None


class _GasSums:
    def __init__(self) -> None:
        self.mass: dict[str, Decimal] = {}
        self.tco2e: dict[str, Decimal] = {}

    def add(self, lines: Iterable[tuple[str, Decimal, Decimal]]) -> Decimal:
        total = ZERO
        for gas, mass, tco2e in lines:
            self.mass[gas] = self.mass.get(gas, ZERO) + mass
            self.tco2e[gas] = self.tco2e.get(gas, ZERO) + tco2e
            total += tco2e
        return total

    def frozen(self) -> dict[str, GasTotal]:
        return {g: GasTotal(tidy(self.mass[g]), tidy(self.tco2e[g])) for g in sorted(self.mass)}


@dataclass(frozen=True)
class SiteLocationBased:
    site_id: int
    consumption_mwh: Decimal
    factor_keys: tuple[str, ...]
    by_gas: Mapping[str, GasTotal]
    tco2e: Decimal


@dataclass(frozen=True)
class Scope2LocationBased:
    sites: Mapping[int, SiteLocationBased]
    by_gas: Mapping[str, GasTotal]
    tco2e: Decimal
    consumption_mwh: Decimal


def scope2_location(electricity: Iterable[ElectricityRecord], location_factor_for: FactorFor,
                    factors: Mapping[str, EmissionFactor], gwp_set: GwpSet) -> Scope2LocationBased:
    """Location-based Scope 2: all purchased electricity at the grid-average factor."""
    return _scope2_location(electricity, location_factor_for, factors, _Rates(gwp_set))


def _scope2_location(electricity: Iterable[ElectricityRecord], location_factor_for: FactorFor,
                     factors: Mapping[str, EmissionFactor], rates: _Rates) -> Scope2LocationBased:
    per_site: dict[int, tuple[_GasSums, list[Decimal], set[str]]] = {}
    grid_cache: dict[int, EmissionFactor] = {}

    def grid(site_id: int) -> EmissionFactor | None:
        if site_id not in grid_cache:
            found = location_factor_for(site_id)
            if found is not None:
                grid_cache[site_id] = found
            return found
        return grid_cache[site_id]

    with localcontext(EXACT):
        for record in electricity:
            try:
                factor = location_factor(record.factor_key, record.site_id, factors, grid)
                rate = rates.get(record.unit, factor, None)
                mwh = record.quantity * _ratio(record.unit, MWH)
            except InvalidInput as error:
                raise _about(record, error) from None
            sums, mwhs, keys = per_site.setdefault(record.site_id, (_GasSums(), [], set()))
            sums.add(rate.apply(record.quantity)[1])
            mwhs.append(mwh)
            keys.add(factor.key)
        sites = {}
        all_gases = _GasSums()
        for site_id in sorted(per_site):
            sums, mwhs, keys = per_site[site_id]
            by_gas = sums.frozen()
            all_gases.add((g, t.mass_t, t.tco2e) for g, t in by_gas.items())
            sites[site_id] = SiteLocationBased(
                site_id, tidy(sum(mwhs, ZERO)), tuple(sorted(keys)), by_gas,
                tidy(sum((t.tco2e for t in by_gas.values()), ZERO)),
            )
        return Scope2LocationBased(
            sites, all_gases.frozen(), tidy(sum((s.tco2e for s in sites.values()), ZERO)),
            tidy(sum((s.consumption_mwh for s in sites.values()), ZERO)),
        )


@dataclass(frozen=True)
class SiteMarketBased:
    """Market-based Scope 2 of one site, with the EAC coverage as applied."""

    site_id: int
    consumption_mwh: Decimal  # all purchased electricity of the site
    supplier_specific_mwh: Decimal  # bought on a supplier-specific rate (green tariff)
    grid_mwh: Decimal  # the rest: what certificates can cover
    claimed_mwh: Decimal  # EAC MWh supplied for the site
    covered_mwh: Decimal  # applied: never more than grid_mwh
    excess_mwh: Decimal  # claimed − covered: reported, never used
    uncovered_mwh: Decimal  # grid − covered, priced at the residual mix
    residual_factor_key: str | None  # None when nothing is left to price
    supplier_factor_keys: tuple[str, ...]
    supplier_tco2e: Decimal
    residual_tco2e: Decimal
    by_gas: Mapping[str, GasTotal]

    @property
    def tco2e(self) -> Decimal:
        with localcontext(EXACT):
            return self.supplier_tco2e + self.residual_tco2e


@dataclass(frozen=True)
class Scope2MarketBased:
    sites: Mapping[int, SiteMarketBased]
    by_gas: Mapping[str, GasTotal]
    tco2e: Decimal
    covered_mwh: Decimal
    excess_mwh: Decimal


def scope2_market(
    electricity: Iterable[ElectricityRecord],
    covered_mwh_by_site: Mapping[int, Decimal] | None,
    residual_factor_for: FactorFor,
    supplier_factors: Mapping[str, EmissionFactor],
    gwp_set: GwpSet,
) -> Scope2MarketBased:
    """Market-based Scope 2 (GHG Protocol Scope 2 Guidance, ch. 6; DOMAIN core equation).

    Per site: records whose factor (looked up in ``supplier_factors``) is supplier-specific count
    at that rate; the rest is grid electricity, of which ``covered_mwh_by_site`` (MWh of retired
    EACs, supplied by the retirement ledger) counts at zero and the remainder at
    ``residual_factor_for(site)``. Coverage is capped at the grid electricity of the site; the
    excess is reported, never carried elsewhere. Certificates are not applied to supplier-rate
    electricity: the supplier's rate already carries its own attributes (no double claim).
    """
    return _scope2_market(electricity, covered_mwh_by_site, residual_factor_for,
                          supplier_factors, _Rates(gwp_set))


def _scope2_market(
    electricity: Iterable[ElectricityRecord],
    covered_mwh_by_site: Mapping[int, Decimal] | None,
    residual_factor_for: FactorFor,
    supplier_factors: Mapping[str, EmissionFactor],
    rates: _Rates,
) -> Scope2MarketBased:
    claimed_by_site = dict(covered_mwh_by_site or {})
    for site_id, claimed in claimed_by_site.items():
        if not isinstance(claimed, Decimal | int) or claimed < 0:
            raise InvalidInput(
                Msg("covered MWh of site {site} must be a Decimal ≥ 0, not {value}", site=site_id, value=repr(claimed)),
                {"covered_mwh": [str(site_id)]},
            )
    supplier: dict[int, _GasSums] = {}
    supplier_mwh: dict[int, Decimal] = {}
    supplier_keys: dict[int, set[str]] = {}
    grid_mwh: dict[int, Decimal] = {}
    with localcontext(EXACT):
        for record in electricity:
            site_id = record.site_id
            try:
                mwh = record.quantity * _ratio(record.unit, MWH)  # UnitMismatch unless energy
                factor = _supplier_factor(record.factor_key, supplier_factors)
                if factor is not None:
                    lines = rates.get(record.unit, factor, None).apply(record.quantity)[1]
            except InvalidInput as error:
                raise _about(record, error) from None
            if factor is not None:
                supplier.setdefault(site_id, _GasSums()).add(lines)
                supplier_mwh[site_id] = supplier_mwh.get(site_id, ZERO) + mwh
                supplier_keys.setdefault(site_id, set()).add(factor.key)
            else:
                grid_mwh[site_id] = grid_mwh.get(site_id, ZERO) + mwh

        sites: dict[int, SiteMarketBased] = {}
        everything = _GasSums()
        for site_id in sorted(set(supplier_mwh) | set(grid_mwh) | set(claimed_by_site)):
            grid = grid_mwh.get(site_id, ZERO)
            claimed = Decimal(claimed_by_site.get(site_id, ZERO))
            covered = max(ZERO, min(claimed, grid))
            uncovered = grid - covered
            residual_sums = _GasSums()
            residual_key = None
            if uncovered != 0:
                residual = residual_factor_for(site_id)
                if residual is None:
                    raise InvalidInput(
                        Msg("no residual-mix (or grid) factor for site {site}, which has "
                            "{uncovered} MWh not covered by certificates", site=site_id, uncovered=uncovered),
                        {"site_id": [str(site_id)]},
                    )
                residual_key = residual.key
                try:
                    lines = rates.get(MWH, residual, None).apply(uncovered)[1]
                except InvalidInput as error:
                    raise type(error)(Msg("site {site}: {message}", site=site_id, message=error.message), error.details) from None
                residual_sums.add(lines)
            supplier_sums = supplier.get(site_id, _GasSums())
            site_gases = _GasSums()
            supplier_tco2e = site_gases.add(_lines(supplier_sums))
            residual_tco2e = site_gases.add(_lines(residual_sums))
            everything.add(_lines(site_gases))
            sites[site_id] = SiteMarketBased(
                site_id=site_id,
                consumption_mwh=tidy(grid + supplier_mwh.get(site_id, ZERO)),
                supplier_specific_mwh=tidy(supplier_mwh.get(site_id, ZERO)),
                grid_mwh=tidy(grid),
                claimed_mwh=tidy(claimed),
                covered_mwh=tidy(covered),
                excess_mwh=tidy(claimed - covered),
                uncovered_mwh=tidy(uncovered),
                residual_factor_key=residual_key,
                supplier_factor_keys=tuple(sorted(supplier_keys.get(site_id, ()))),
                supplier_tco2e=tidy(supplier_tco2e),
                residual_tco2e=tidy(residual_tco2e),
                by_gas=site_gases.frozen(),
            )
        return Scope2MarketBased(
            sites,
            everything.frozen(),
            tidy(sum((s.supplier_tco2e + s.residual_tco2e for s in sites.values()), ZERO)),
            tidy(sum((s.covered_mwh for s in sites.values()), ZERO)),
            tidy(sum((s.excess_mwh for s in sites.values()), ZERO)),
        )


def _lines(sums: _GasSums) -> list[tuple[str, Decimal, Decimal]]:
    return [(g, sums.mass[g], sums.tco2e[g]) for g in sums.mass]


# --- the whole inventory ----------------------------------------------------------------------


class Scope2Basis(StrEnum):
    LOCATION = "location"
    MARKET = "market"


@dataclass(frozen=True)
class Totals:
    """An inventory's totals with Scope 2 on one basis (Scopes 1 and 3 are the same in both)."""

    scope2_basis: Scope2Basis
    tco2e: Decimal
    by_scope: Mapping[Scope, Decimal]  # all three scopes, zero when empty
    by_scope3_category: Mapping[int, Decimal]
    by_gas: Mapping[str, GasTotal]
    by_site: Mapping[int, Decimal]
    by_iso_category: Mapping[IsoCategory, Decimal]


class _Tally:
    def __init__(self) -> None:
        self.by_scope: dict[Scope, Decimal] = {s: ZERO for s in Scope}
        self.by_category: dict[int, Decimal] = {}
        self.gases = _GasSums()
        self.by_site: dict[int, Decimal] = {}
        self.by_iso: dict[IsoCategory, Decimal] = {}

    def add(self, scope: Scope, category: int | None, iso: IsoCategory, site_id: int,
            lines: Iterable[tuple[str, Decimal, Decimal]]) -> None:
        total = self.gases.add(lines)
        self.by_scope[scope] += total
        if category is not None:
            self.by_category[category] = self.by_category.get(category, ZERO) + total
        self.by_site[site_id] = self.by_site.get(site_id, ZERO) + total
        self.by_iso[iso] = self.by_iso.get(iso, ZERO) + total

    def copy(self) -> _Tally:
        other = _Tally()
        other.by_scope = dict(self.by_scope)
        other.by_category = dict(self.by_category)
        other.gases.mass, other.gases.tco2e = dict(self.gases.mass), dict(self.gases.tco2e)
        other.by_site = dict(self.by_site)
        other.by_iso = dict(self.by_iso)
        return other

    def totals(self, basis: Scope2Basis) -> Totals:
        def tidied(values: Mapping[Any, Decimal]) -> dict[Any, Decimal]:
            return {k: tidy(v) for k, v in sorted(values.items())}

        with localcontext(EXACT):
            return Totals(
                basis,
                tidy(sum(self.by_scope.values(), ZERO)),
                tidied(self.by_scope),
                tidied(self.by_category),
                self.gases.frozen(),
                tidied(self.by_site),
                tidied(self.by_iso),
            )


@dataclass(frozen=True)
class MarketShare:
    """The market-based figure of one Scope 2 electricity activity."""

    mwh: Decimal
    supplier_specific: bool
    covered_mwh: Decimal  # its pro-rata share of the site's EAC coverage (divided at 50 digits)
    result: ActivityResult | None  # the supplier-rate or residual-mix part; None when fully covered

    @property
    def tco2e(self) -> Decimal:
        return self.result.tco2e if self.result is not None else ZERO


@dataclass(frozen=True)
class ActivityTrail:
    """How one activity contributes: the figure, its factor, conversion, gases and GWPs."""

    activity: Activity
    iso_category: IsoCategory
    result: ActivityResult  # for Scope 2 electricity: the location-based figure
    market: MarketShare | None = None  # Scope 2 electricity only

    @property
    def location_tco2e(self) -> Decimal:
        return self.result.tco2e

    @property
    def market_tco2e(self) -> Decimal:
        return self.market.tco2e if self.market is not None else self.result.tco2e


class _Explainer:
    """Builds per-activity trails on demand, from the same rates as the totals."""

    def __init__(self, activities: Sequence[Activity], factors: Mapping[str, EmissionFactor],
                 rates: _Rates, location_factor_for: FactorFor, residual_factor_for: FactorFor,
                 market: Scope2MarketBased):
        self.activities = activities
        self.factors = factors
        self.rates = rates
        self.location_factor_for = location_factor_for
        self.residual_factor_for = residual_factor_for
        self.market = market
        self._index: dict[int | str, Activity] | None = None

    def find(self, activity_id: int | str) -> Activity:
        if self._index is None:
            index = {a.id: a for a in self.activities}
            if len(index) != len(self.activities):
                raise InvalidInput(Msg("activity ids are not unique: trails cannot be found by id"), {})
            self._index = index
        try:
            return self._index[activity_id]
        except KeyError:
            raise InvalidInput(Msg("no activity {id} in this result", id=activity_id), {"activity": activity_id}) from None

    def trail(self, activity: Activity) -> ActivityTrail:
        try:
            return self._trail(activity)
        except InvalidInput as error:
            raise _about(activity, error) from None

    def _trail(self, activity: Activity) -> ActivityTrail:
        iso = iso_category_of(activity)
        code = self.rates.gwp_set.code
        if not is_scope2_electricity(activity):
            factor = _lookup(self.factors, activity.factor_key) if activity.factor_key else None
            rate = self.rates.get(activity.unit, factor, activity.gas)
            return ActivityTrail(activity, iso, rate.result(activity.id, activity.quantity, activity.unit, code))
        grid = location_factor(activity.factor_key, activity.site_id, self.factors, self.location_factor_for)
        location = self.rates.get(activity.unit, grid, None).result(
            activity.id, activity.quantity, activity.unit, code)
        with localcontext(EXACT):
            mwh = activity.quantity * _ratio(activity.unit, MWH)
        supplier = _supplier_factor(activity.factor_key, self.factors)
        if supplier is not None:
            result = self.rates.get(activity.unit, supplier, None).result(
                activity.id, activity.quantity, activity.unit, code)
            return ActivityTrail(activity, iso, location, MarketShare(mwh, True, ZERO, result))
        site = self.market.sites[activity.site_id]
        with localcontext(_DIVIDE):
            covered = mwh * site.covered_mwh / site.grid_mwh if site.grid_mwh else ZERO
        with localcontext(EXACT):
            uncovered = mwh - covered
        residual = None
        if uncovered != 0:
            factor = self.residual_factor_for(activity.site_id)
            if factor is None:  # pragma: no cover - calculate() raised already
                raise InvalidInput(Msg("no residual-mix factor for site {site}", site=activity.site_id), {})
            residual = self.rates.get(MWH, factor, None).result(activity.id, uncovered, MWH, code)
        return ActivityTrail(activity, iso, location, MarketShare(mwh, False, covered, residual))


@dataclass(frozen=True)
class InventoryResult:
    """Totals of an inventory on both Scope 2 bases, with per-activity trails on demand."""

    gwp_set: str
    activity_count: int
    group_count: int  # distinct (site, scope, category, factor, unit, gas…) sums multiplied
    location_based: Totals
    market_based: Totals  # gross emissions for the neutrality balance (DOMAIN core equation)
    scope2_location: Scope2LocationBased
    scope2_market: Scope2MarketBased
    factor_keys: tuple[str, ...]  # every factor used, for freezing with a verified inventory
    _explainer: _Explainer = field(repr=False, compare=False)

    def trail(self, activity: int | str | Activity) -> ActivityTrail:
        """The trail of one activity (by id, or the record itself)."""
        if not isinstance(activity, Activity):
            activity = self._explainer.find(activity)
        return self._explainer.trail(activity)

    def trails(self) -> Iterator[ActivityTrail]:
        """Every activity's trail, one at a time (never a million objects at once)."""
        for activity in self._explainer.activities:
            yield self._explainer.trail(activity)


_GROUP_KEY = attrgetter(
    "site_id", "scope", "scope3_category", "iso_category", "activity_type", "factor_key", "unit", "gas"
)


def calculate(
    activities: Iterable[Activity],
    factors: Mapping[str, EmissionFactor],
    gwp_set: GwpSet,
    *,
    location_factor_for: FactorFor,
    residual_factor_for: FactorFor,
    covered_mwh_by_site: Mapping[int, Decimal] | None = None,
) -> InventoryResult:
    """The inventory's emissions by scope, Scope 3 category, gas, site and ISO category.

    ``factors`` resolves ``activity.factor_key``. Scope 2 electricity is priced location-based by
    ``location_factor_for(site_id)`` (or its own grid factor) and market-based by supplier rates,
    ``covered_mwh_by_site`` (EACs, MWh) and ``residual_factor_for(site_id)``; where no residual
    mix is published the caller passes the grid factor (DOMAIN: "residual-mix (or grid)").
    """
    records: Sequence[Activity] = activities if isinstance(activities, Sequence) else list(activities)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    key_of = _GROUP_KEY
    try:
        with localcontext(EXACT):
            for activity in records:
                key = key_of(activity)
                group = groups.get(key)
                if group is None:
                    groups[key] = [activity.quantity, activity]
                else:
                    group[0] += activity.quantity
    except Inexact:
        raise TooPrecise(Msg("a quantity has too many significant digits to be summed exactly"),
                         {"quantity": ["too many significant digits"]}) from None
    except TypeError:
        bad = next((a for a in records if not isinstance(a.quantity, Decimal | int)), None)
        if bad is None:
            raise
        raise _not_decimal(bad) from None

    rates = _Rates(gwp_set)
    common = _Tally()
    electricity: list[ElectricityUse] = []
    used: set[str] = set()
    with localcontext(EXACT):
        for (site_id, scope, category, _iso, _type, factor_key, unit_code, gas), (total, first) in groups.items():
            if not isinstance(total, Decimal | int):
                raise _not_decimal(first)
            try:
                iso = iso_category_of(first)
                if is_scope2_electricity(first):
                    _check_electricity(first, factors)
                    electricity.append(ElectricityUse(site_id, total, unit_code, factor_key))
                    continue
                factor = _factor_of(first, factors)
                lines = rates.get(unit_code, factor, gas).apply(total)[1]
            except InvalidInput as error:
                raise _about(first, error) from None
            except Inexact:
                raise _too_precise(first) from None
            if factor is not None:
                used.add(factor.key)
            common.add(Scope(scope), category, iso, site_id, lines)

    try:
        location = _scope2_location(electricity, location_factor_for, factors, rates)
        market = _scope2_market(electricity, covered_mwh_by_site, residual_factor_for, factors, rates)
    except Inexact:
        raise TooPrecise(Msg("an electricity quantity has too many significant digits"), {}) from None
    scope2_iso = IsoCategory.IMPORTED_ENERGY  # iso_category_of allows no other for Scope 2
    with localcontext(EXACT):
        location_tally, market_tally = common.copy(), common.copy()
        for site in location.sites.values():
            location_tally.add(Scope.SCOPE_2, None, scope2_iso, site.site_id, _gas_lines(site.by_gas))
            used.update(site.factor_keys)
        for market_site in market.sites.values():
            if market_site.consumption_mwh == 0 and not market_site.by_gas:
                continue  # certificates for a site without electricity: only an excess to report
            market_tally.add(Scope.SCOPE_2, None, scope2_iso, market_site.site_id, _gas_lines(market_site.by_gas))
            used.update(market_site.supplier_factor_keys)
            if market_site.residual_factor_key:
                used.add(market_site.residual_factor_key)

    return InventoryResult(
        gwp_set=gwp_set.code,
        activity_count=len(records),
        group_count=len(groups),
        location_based=location_tally.totals(Scope2Basis.LOCATION),
        market_based=market_tally.totals(Scope2Basis.MARKET),
        scope2_location=location,
        scope2_market=market,
        factor_keys=tuple(sorted(used)),
        _explainer=_Explainer(records, factors, rates, location_factor_for, residual_factor_for, market),
    )


def problems(
    groups: Iterable[Activity],
    factors: Mapping[str, EmissionFactor],
    gwp_set: GwpSet,
    *,
    location_factor_for: FactorFor,
) -> list[tuple[Activity, InvalidInput]]:
    """Every record (or group of records summed as :func:`calculate` sums them) that the
    calculation would refuse, each with the refusal it would give: all of them, where
    :func:`calculate` stops at the first. An import checks its rows with this before storing
    them, so that nothing stored can make a figure fail later."""
    rates = _Rates(gwp_set)
    found: list[tuple[Activity, InvalidInput]] = []
    with localcontext(EXACT):
        for activity in groups:
            try:
                iso_category_of(activity)
                if is_scope2_electricity(activity):
                    _check_electricity(activity, factors)
                    # priced location-based at its own grid factor or its site's (as
                    # _scope2_location does); market-based needs no more than that
                    grid = location_factor(activity.factor_key, activity.site_id, factors,
                                           location_factor_for)
                    rates.get(activity.unit, grid, None).apply(activity.quantity)
                else:
                    rates.get(activity.unit, _factor_of(activity, factors), activity.gas).apply(activity.quantity)
            except InvalidInput as error:
                found.append((activity, error))
            except Inexact:
                found.append((activity, TooPrecise(
                    Msg("the quantity has too many significant digits to be calculated exactly"),
                    {"quantity": ["too many significant digits"]})))
    return found


#: The kinds of factor that price each kind of activity other than purchased electricity (whose
#: factors :func:`_electricity_factor` checks): a grid factor prices electricity only, a fuel's
#: combustion factor fuel only.
_KINDS_FOR_OTHER_ACTIVITIES = {
    ActivityType.FUEL: (FactorKind.FUEL_COMBUSTION, FactorKind.GENERIC, FactorKind.SUPPLIER_SPECIFIC),
}
_KINDS_FOR_THE_REST = (FactorKind.GENERIC, FactorKind.SUPPLIER_SPECIFIC)


def _factor_of(activity: Activity, factors: Mapping[str, EmissionFactor]) -> EmissionFactor | None:
    """The factor named by a record that is not purchased electricity, if it fits the record."""
    if activity.factor_key is None:
        return None
    factor = _lookup(factors, activity.factor_key)
    kind = ActivityType(activity.activity_type)
    allowed = _KINDS_FOR_OTHER_ACTIVITIES.get(kind, _KINDS_FOR_THE_REST)
    if kind is ActivityType.ELECTRICITY or kind is ActivityType.HEAT_STEAM:
        allowed = (*allowed, FactorKind.GRID_LOCATION)  # electricity outside Scope 2, heat networks
    if factor.kind not in allowed:
        raise InvalidInput(
            Msg("factor {key} ({kind}) does not price {activity} activities; "
                "name a factor of kind {allowed}", key=factor.key, kind=factor.kind.value, activity=kind.value,
                allowed=" / ".join(k.value for k in allowed)),
            {"factor_key": [f"{factor.kind.value} is not for {kind.value}"]},
        )
    return factor


def _gas_lines(by_gas: Mapping[str, GasTotal]) -> list[tuple[str, Decimal, Decimal]]:
    return [(g, t.mass_t, t.tco2e) for g, t in by_gas.items()]


def _not_decimal(activity: Any) -> InvalidInput:
    return InvalidInput(
        Msg("activity {id}: quantity {value} is not a Decimal", id=activity.id, value=repr(activity.quantity)),
        {"quantity": ["must be a Decimal"], "activity": activity.id},
    )


def _check_electricity(activity: Activity, factors: Mapping[str, EmissionFactor]) -> None:
    """What can be said of a Scope 2 electricity record before its site is priced."""
    if activity.gas:
        raise InvalidInput(Msg("purchased electricity releases no gas on site"), {"gas": ["not for electricity"]})
    _ratio(activity.unit, MWH)  # UnitMismatch unless an energy unit
    if activity.factor_key is not None:
        _electricity_factor(activity.factor_key, factors)
