"""What a measure changes, in activity terms, and the reduction it is expected to give.

Pure: no Flask, no database.

A measure states its change as the user knows it — a pump's efficiency from 0.70 to 0.85 on
200 MWh a year, 15 kg of R-22 replaced by R-32, 2,000 MWh moved to on-site PV — and the
calculation turns it into MWh and tCO2e a year with the factor and the GWP set of the inventory it
is measured against. Figures are exact decimals (divisions in a 50-digit context), rounded only
when presented (:func:`neutrality.units.present`: 3 decimals); each result carries its trail, the
formulas with their numbers, and the factor or GWPs it used.

Bad input is refused with the field named (:class:`InvalidInput`, details ``{field: [...]}``)
before anything is computed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Any

from neutrality.errors import InvalidInput
from neutrality.inventory.library import DEFAULT_GWP_SET, blend_gwp, load_gwp_set, refrigerant
from neutrality.inventory.model import EmissionFactor, GwpSet
from neutrality.messages import Msg
from neutrality.units import Dimension, convert, present, tidy, unit

#: A split unit holding more than 10 t of refrigerant does not exist: such a charge is a typing
#: error (kg typed as g, or t as kg), refused rather than turned into a reduction of thousands of
#: tonnes. The largest split and multi-split (VRF) systems hold tens of kilograms.
MAX_SPLIT_UNIT_CHARGE_KG = Decimal(10_000)

_PRECISION = 50  # digits of the context of a division (200 × 0.70 / 0.85 has no end)


class ChangeKind(StrEnum):
    EFFICIENCY = "efficiency"
    REFRIGERANT_SWAP = "refrigerant_swap"
    ELECTRICITY_SWITCH = "electricity_switch"
    FUEL_SWITCH = "fuel_switch"


class ElectricitySource(StrEnum):
    """Where electricity moved off the grid comes from (seed 003 6.5 and 6.8)."""

    ON_SITE_PV = "on_site_pv"
    GREEN_ELECTRICITY = "green_electricity"

    @property
    def label(self) -> Msg:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    ElectricitySource.ON_SITE_PV: Msg("on-site PV"),
    ElectricitySource.GREEN_ELECTRICITY: Msg("green electricity"),
}


@dataclass(frozen=True)
class ExpectedReduction:
    """A year's expected reduction of one change, exact, with how it was obtained.

    ``tco2e`` is positive for a reduction (negative when the change raises emissions, as a swap
    to a refrigerant of higher GWP does); ``mwh`` is the energy saved or moved off the grid (None
    for a change that is not about energy); ``trail`` the formulas with the numbers, in order;
    ``basis`` the factor or GWPs used.
    """

    kind: ChangeKind
    tco2e: Decimal
    mwh: Decimal | None
    trail: tuple[Msg, ...]
    basis: Msg

    @property
    def presented_tco2e(self) -> Decimal:
        return present(self.tco2e, "tCO2e")

    @property
    def presented_mwh(self) -> Decimal | None:
        return None if self.mwh is None else present(self.mwh, "MWh")


#: The largest number a change may state (MWh, kg, t, a factor): a billion is beyond any plant's
#: year, and keeps every product exact and presentable (10⁹ × 10⁹ has 19 digits; the decimal
#: context has 28). A larger one is a typing error, not a measure.
NUMBER_MAX = Decimal(10**9)


class _Fields:
    """The errors of one change, by field; raised together once every field is read."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Msg]] = {}

    def number(self, value: Any, field: str) -> Decimal:
        """A finite decimal from 0 to :data:`NUMBER_MAX`, read exactly (a float through its text)."""
        number = _decimal(value)
        if number is None:
            self.refuse(field, Msg("the value is not a number"))
        elif number < 0:
            self.refuse(field, Msg("the value is negative"))
        elif number > NUMBER_MAX:
            self.refuse(field, Msg("the value is above {limit}", limit=NUMBER_MAX))
        return number if number is not None else Decimal(0)

    def refuse(self, field: str, message: Msg) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise InvalidInput(Msg("the change cannot be calculated"), self.errors)


def _set(change: object, **values: Any) -> None:
    """Store the checked, exact values in a frozen change (``Decimal`` whatever was given)."""
    for name, value in values.items():
        object.__setattr__(change, name, value)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _shown(value: Decimal) -> str:
    """A figure in a trail: exact when it has at most 3 decimals, else to 3 decimals with "≈"."""
    exact = tidy(value)
    rounded = present(value, "tCO2e")
    return str(exact) if exact == rounded else f"≈{rounded}"


# ---------------------------------------------------------------------------------------------
# Efficiency (seed 000 F-09, L1716–L1724)


@dataclass(frozen=True)
class EfficiencyChange:
    """Equipment that does the same work with a better efficiency: new energy = E × before / after;
    saving = E − new; tCO2e = saving × factor (seed 000 F-09).

    ``energy_mwh`` is the equipment's energy a year before the change; efficiencies are fractions
    in (0, 1] and ``after`` must exceed ``before``; ``factor_t_per_mwh`` is the emission factor of
    the energy saved (the grid's for electricity), ``factor_source`` names it in the trail.
    """

    energy_mwh: Decimal
    efficiency_before: Decimal
    efficiency_after: Decimal
    factor_t_per_mwh: Decimal
    factor_source: str = ""

    def __post_init__(self) -> None:
        fields = _Fields()
        energy = fields.number(self.energy_mwh, "energy_mwh")
        factor = fields.number(self.factor_t_per_mwh, "factor")
        before = _efficiency(fields, self.efficiency_before, "efficiency_before")
        after = _efficiency(fields, self.efficiency_after, "efficiency_after")
        if before is not None and after is not None and after <= before:
            fields.refuse("efficiency_after", Msg("the efficiency after the change is not above the one before"))
        fields.check()
        _set(self, energy_mwh=energy, factor_t_per_mwh=factor, efficiency_before=before, efficiency_after=after)

    def expected(self, gwp_set: GwpSet | str = DEFAULT_GWP_SET) -> ExpectedReduction:
        """The reduction a year (the GWP set plays no part: the factor is in CO2e already)."""
        energy, before, after = self.energy_mwh, self.efficiency_before, self.efficiency_after
        factor = self.factor_t_per_mwh
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            new = energy * before / after
            saving = energy - new
            tonnes = saving * factor
        return ExpectedReduction(
            kind=ChangeKind.EFFICIENCY,
            tco2e=tidy(tonnes),
            mwh=tidy(saving),
            trail=(
                Msg("new energy = {energy} MWh × {before} / {after} = {new} MWh",
                    energy=tidy(energy), before=tidy(before), after=tidy(after), new=_shown(new)),
                Msg("energy saved = {energy} MWh − {new} MWh = {saving} MWh",
                    energy=tidy(energy), new=_shown(new), saving=_shown(saving)),
                Msg("reduction = {saving} MWh × {factor} tCO2e/MWh = {tonnes} tCO2e",
                    saving=_shown(saving), factor=tidy(factor), tonnes=_shown(tonnes)),
            ),
            basis=_factor_basis(factor, self.factor_source),
        )


def _efficiency(fields: _Fields, value: Any, field: str) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        fields.refuse(field, Msg("the value is not a number"))
    elif not Decimal(0) < number <= Decimal(1):
        fields.refuse(field, Msg("an efficiency is a fraction above 0 and at most 1 (0.85 for 85 %)"))
    else:
        return number
    return None


def _factor_basis(factor: Decimal, source: str) -> Msg:
    if source:
        return Msg("emission factor {factor} tCO2e/MWh ({source})", factor=tidy(factor), source=source)
    return Msg("emission factor {factor} tCO2e/MWh", factor=tidy(factor))


# ---------------------------------------------------------------------------------------------
# Refrigerant swap (seed 003 5.3)


@dataclass(frozen=True)
class RefrigerantSwap:
    """Equipment refilled with another refrigerant: the same annual leak, another GWP.

    leak (kg/yr) = charge × leak rate; tCO2e = leak × (GWP before − GWP after) / 1000. The GWPs
    are those of the inventory's GWP set, a blend's computed from its components exactly as the
    inventory computes it (:func:`neutrality.inventory.library.blend_gwp`). A swap to a gas of
    higher GWP (R-22 to R-410A, made for the ozone layer) gives a negative figure: an increase.
    """

    charge_kg: Decimal
    refrigerant_before: str
    refrigerant_after: str
    leak_rate_percent: Decimal

    def __post_init__(self) -> None:
        fields = _Fields()
        charge = fields.number(self.charge_kg, "charge_kg")
        if charge > MAX_SPLIT_UNIT_CHARGE_KG:
            fields.refuse("charge_kg", Msg("a charge above {limit} kg is not a split unit's: check the unit",
                                           limit=MAX_SPLIT_UNIT_CHARGE_KG))
        rate = fields.number(self.leak_rate_percent, "leak_rate_percent")
        if rate > 100:
            fields.refuse("leak_rate_percent", Msg("a leak rate is between 0 and 100 %"))
        codes = {}
        for field in ("refrigerant_before", "refrigerant_after"):
            code = getattr(self, field)
            try:
                codes[field] = refrigerant(code).code
            except InvalidInput:
                fields.refuse(field, Msg("'{code}' is not a known refrigerant", code=code))
        if len(codes) == 2 and codes["refrigerant_before"] == codes["refrigerant_after"]:
            fields.refuse("refrigerant_after", Msg("the refrigerant after the change is the one before"))
        fields.check()
        _set(self, charge_kg=charge, leak_rate_percent=rate, **codes)

    def expected(self, gwp_set: GwpSet | str = DEFAULT_GWP_SET) -> ExpectedReduction:
        """The reduction a year with the GWPs of ``gwp_set`` (the inventory's: a set or its code)."""
        fields = _Fields()
        try:
            gwps = load_gwp_set(gwp_set) if isinstance(gwp_set, str) else gwp_set
        except InvalidInput:
            fields.refuse("gwp_set", Msg("'{code}' is not a GWP set", code=gwp_set))
            fields.check()
        gwp: dict[str, Decimal] = {}
        for field in ("refrigerant_before", "refrigerant_after"):
            code = getattr(self, field)
            try:
                gwp[field] = blend_gwp(code, gwps)
            except InvalidInput:
                fields.refuse(field, Msg("{code} has no GWP in {set}", code=code, set=gwps.code))
        fields.check()
        old, new = self.refrigerant_before, self.refrigerant_after
        gwp_old, gwp_new = gwp["refrigerant_before"], gwp["refrigerant_after"]
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            leak = self.charge_kg * self.leak_rate_percent / 100
            tonnes = leak * (gwp_old - gwp_new) / 1000
        return ExpectedReduction(
            kind=ChangeKind.REFRIGERANT_SWAP,
            tco2e=tidy(tonnes),
            mwh=None,
            trail=(
                Msg("leak = {charge} kg × {rate} % = {leak} kg a year", charge=tidy(self.charge_kg),
                    rate=tidy(self.leak_rate_percent), leak=_shown(leak)),
                Msg("reduction = {leak} kg × ({gwp_old} − {gwp_new}) / 1000 = {tonnes} tCO2e",
                    leak=_shown(leak), gwp_old=tidy(gwp_old), gwp_new=tidy(gwp_new), tonnes=_shown(tonnes)),
            ),
            basis=Msg("{set} GWP: {old} {gwp_old}, {new} {gwp_new}", set=gwps.code, old=old,
                      gwp_old=tidy(gwp_old), new=new, gwp_new=tidy(gwp_new)),
        )


# ---------------------------------------------------------------------------------------------
# Electricity moved off the grid (seed 003 6.5 and 6.8; seed 000 F-13)


@dataclass(frozen=True)
class ElectricitySwitch:
    """Grid electricity replaced by on-site PV or green electricity: the MWh moved, × the grid
    factor (seed 000 F-13). The MWh are not saved, they come from elsewhere: ``mwh`` of the result
    is the grid electricity avoided. Green electricity counts in the market-based Scope 2 only
    with its certificates retired (the coverage position reads them); this is the expected figure.
    """

    energy_mwh: Decimal
    grid_factor_t_per_mwh: Decimal
    source: ElectricitySource = ElectricitySource.ON_SITE_PV
    factor_source: str = ""

    def __post_init__(self) -> None:
        fields = _Fields()
        energy = fields.number(self.energy_mwh, "energy_mwh")
        factor = fields.number(self.grid_factor_t_per_mwh, "factor")
        moved_to = None
        try:
            moved_to = ElectricitySource(self.source)
        except ValueError:
            fields.refuse("source", Msg("'{value}' is not one of {known}", value=self.source,
                                        known=", ".join(ElectricitySource)))
        fields.check()
        _set(self, energy_mwh=energy, grid_factor_t_per_mwh=factor, source=moved_to)

    def expected(self, gwp_set: GwpSet | str = DEFAULT_GWP_SET) -> ExpectedReduction:
        """The reduction a year (the GWP set plays no part: the factor is in CO2e already)."""
        energy, factor = self.energy_mwh, self.grid_factor_t_per_mwh
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            tonnes = energy * factor
        return ExpectedReduction(
            kind=ChangeKind.ELECTRICITY_SWITCH,
            tco2e=tidy(tonnes),
            mwh=energy,
            trail=(
                Msg("reduction = {energy} MWh moved to {source} × {factor} tCO2e/MWh = {tonnes} tCO2e",
                    energy=tidy(energy), source=self.source.label, factor=tidy(factor), tonnes=_shown(tonnes)),
            ),
            basis=_factor_basis(factor, self.factor_source),
        )


# ---------------------------------------------------------------------------------------------
# Fuel switch (seed 003 5.1: a larger share of clean energy)


@dataclass(frozen=True)
class FuelSwitch:
    """One fuel replaced by another for the same service: tCO2e = Q₁ × f₁ − Q₂ × f₂.

    Each factor is in tCO2e per unit of its own quantity (per t of coal, per m3 of natural gas,
    per MWh of electricity for an electric boiler); when both quantities are energies, the
    result's ``mwh`` is the energy saved (their difference in MWh), else None.
    """

    quantity_before: Decimal
    unit_before: str
    factor_before: Decimal
    quantity_after: Decimal
    unit_after: str
    factor_after: Decimal

    def __post_init__(self) -> None:
        fields = _Fields()
        numbers = {name: fields.number(getattr(self, name), name)
                   for name in ("quantity_before", "factor_before", "quantity_after", "factor_after")}
        units = {}
        for field in ("unit_before", "unit_after"):
            code = getattr(self, field)
            try:
                units[field] = unit(code).code
            except (InvalidInput, TypeError, AttributeError):
                fields.refuse(field, Msg("'{code}' is not a unit", code=code))
        fields.check()
        _set(self, **numbers, **units)

    def expected(self, gwp_set: GwpSet | str = DEFAULT_GWP_SET) -> ExpectedReduction:
        """The reduction a year (the GWP set plays no part: the factors are in CO2e already)."""
        q_old, f_old, u_old = self.quantity_before, self.factor_before, self.unit_before
        q_new, f_new, u_new = self.quantity_after, self.factor_after, self.unit_after
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            emitted_old = q_old * f_old
            emitted_new = q_new * f_new
            tonnes = emitted_old - emitted_new
        energies = unit(u_old).dimension == unit(u_new).dimension == Dimension.ENERGY
        saved = convert(q_old, u_old, "MWh") - convert(q_new, u_new, "MWh") if energies else None
        return ExpectedReduction(
            kind=ChangeKind.FUEL_SWITCH,
            tco2e=tidy(tonnes),
            mwh=None if saved is None else tidy(saved),
            trail=(
                Msg("before = {quantity} {unit} × {factor} tCO2e/{unit} = {tonnes} tCO2e", quantity=tidy(q_old),
                    unit=u_old, factor=tidy(f_old), tonnes=_shown(emitted_old)),
                Msg("after = {quantity} {unit} × {factor} tCO2e/{unit} = {tonnes} tCO2e", quantity=tidy(q_new),
                    unit=u_new, factor=tidy(f_new), tonnes=_shown(emitted_new)),
                Msg("reduction = {before} − {after} = {tonnes} tCO2e", before=_shown(emitted_old),
                    after=_shown(emitted_new), tonnes=_shown(tonnes)),
            ),
            basis=Msg("factors {before} tCO2e/{unit_before} and {after} tCO2e/{unit_after}", before=tidy(f_old),
                      unit_before=u_old, after=tidy(f_new), unit_after=u_new),
        )


#: Every kind of change a measure may state.
Change = EfficiencyChange | RefrigerantSwap | ElectricitySwitch | FuelSwitch

_KINDS: dict[ChangeKind, type[Change]] = {
    ChangeKind.EFFICIENCY: EfficiencyChange,
    ChangeKind.REFRIGERANT_SWAP: RefrigerantSwap,
    ChangeKind.ELECTRICITY_SWITCH: ElectricitySwitch,
    ChangeKind.FUEL_SWITCH: FuelSwitch,
}


def change_data(change: Change) -> dict[str, str]:
    """A change as JSON-ready text (numbers as exact decimal strings), with its ``kind``: what a
    register stores and an API returns; :func:`change_from_data` reads it back."""
    kind = next(kind for kind, cls in _KINDS.items() if isinstance(change, cls))
    data = {"kind": str(kind)}
    for item in dataclasses.fields(change):
        value = getattr(change, item.name)
        data[item.name] = str(tidy(value)) if isinstance(value, Decimal) else str(value)
    return data


def change_from_data(data: Mapping[str, Any]) -> Change:
    """A change from what :func:`change_data` wrote (or a form or an API request gave):
    :class:`InvalidInput` naming ``kind`` when it is unknown, a field when it is missing or wrong."""
    try:
        kind = ChangeKind(data.get("kind"))
    except ValueError:
        raise InvalidInput(
            Msg("the change cannot be calculated"),
            {"kind": [Msg("'{value}' is not one of {known}", value=data.get("kind"), known=", ".join(ChangeKind))]},
        ) from None
    cls = _KINDS[kind]
    names = [item.name for item in dataclasses.fields(cls)]
    required = [item.name for item in dataclasses.fields(cls)
                if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING]
    missing = {name: [Msg("required")] for name in required if data.get(name) in (None, "")}
    if missing:
        raise InvalidInput(Msg("the change cannot be calculated"), missing)
    return cls(**{name: data[name] for name in names if name in data})


# ---------------------------------------------------------------------------------------------
# The inventory's factors


@dataclass(frozen=True)
class EnergyFactor:
    """An energy factor of the inventory in tCO2e per MWh (its gases × the GWP set), and where it
    comes from: what an efficiency change or an electricity switch multiplies."""

    t_per_mwh: Decimal
    source: str


def energy_factor(factor: EmissionFactor, gwp_set: GwpSet | str = DEFAULT_GWP_SET) -> EnergyFactor:
    """tCO2e per MWh of an inventory factor per unit of energy (a grid factor per MWh or kWh, a
    fuel factor per TJ): Σ gas × GWP, converted exactly. :class:`InvalidInput` naming ``factor``
    when the factor is not per unit of energy (per t, per m3: there is no MWh to multiply)."""
    gwps = load_gwp_set(gwp_set) if isinstance(gwp_set, str) else gwp_set
    try:
        per_mwh = convert(Decimal(1), "MWh", factor.per_unit)  # UnitMismatch unless an energy
        to_t = convert(Decimal(1), factor.mass_unit, "t")
    except InvalidInput:
        raise InvalidInput(
            Msg("the change cannot be calculated"),
            {"factor": [Msg("factor {key} is not per unit of energy", key=factor.key)]},
        ) from None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        total = sum((value * gwps.gwp(gas) for gas, value in factor.gases.items()), Decimal(0))
        rate = total * to_t * per_mwh
    return EnergyFactor(tidy(rate), f"{factor.name}, {factor.provenance.source} ({gwps.code})")
