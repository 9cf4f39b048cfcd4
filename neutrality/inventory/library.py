"""The emission-factor library shipped with the application, read from ``data/``.

Everything here is data with provenance: GWP sets (AR4, AR5, AR6; AR6 is the default, seed 003
table 2), refrigerants as mixtures of gases, fuel combustion factors (2006 IPCC Guidelines and
the Chinese national defaults), grid electricity factors (MEE/NBS for mainland China, MOEA for
Taiwan, HK Electric) and, apart from them, the seeds' illustrative numbers for worked examples.

Numbers are parsed from the CSV text as ``Decimal`` and never pass through ``float``. A
refrigerant's GWP is never stored: it is computed from its components in the chosen set. The
files are found next to this module (``data/``) so they ship inside the package.

Pure: standard library, :mod:`neutrality.errors`, :mod:`neutrality.units` and
:mod:`neutrality.inventory.model` only.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from neutrality.errors import InvalidInput, NotFound
from neutrality.inventory.model import (
    EmissionFactor,
    FactorKind,
    GwpSet,
    Provenance,
    UncertaintyBasis,
)
from neutrality.messages import Msg
from neutrality.units import Dimension, tidy, unit

#: Version label of the shipped library; shown with every calculation that uses it.
LIBRARY_VERSION = "2026.11"

#: The GWP set an inventory uses unless it says otherwise (DOMAIN: AR6, seed 003 table 2).
DEFAULT_GWP_SET = "AR6"

DATA_DIR = Path(__file__).parent / "data"

_GAS_COLUMNS = ("CO2", "CH4", "N2O", "CO2e")
_FACTOR_FILES = ("combustion_factors.csv", "grid_factors.csv")
_ILLUSTRATIVE_FILE = "illustrative_factors.csv"
_GRID_SERIES = {FactorKind.GRID_LOCATION: "average", FactorKind.GRID_RESIDUAL_MIX: "residual"}
_GRID_LABEL = {
    FactorKind.GRID_LOCATION: Msg("location-based grid"),
    FactorKind.GRID_RESIDUAL_MIX: Msg("residual-mix"),
}


class FactorNotFound(NotFound):
    code = "factor_not_found"


class LibraryDataError(ValueError):
    """A data file breaks the library's own rules (a packaging bug, never a user error)."""


@dataclass(frozen=True)
class GwpEntry:
    """One row of a GWP set as published, with its source."""

    gas: str
    gwp: Decimal
    source: str
    note: str
    unconfirmed: bool


@dataclass(frozen=True)
class BlendComponent:
    gas: str
    mass_fraction: Decimal


@dataclass(frozen=True)
class Refrigerant:
    """A refrigerant by its ASHRAE code: one gas (an alias such as R-32) or a blend (R-410A)."""

    code: str
    components: tuple[BlendComponent, ...]
    source: str
    note: str

    @property
    def is_blend(self) -> bool:
        return len(self.components) > 1


@dataclass(frozen=True)
class FuelDensity:
    """Mass per volume of a liquid fuel, to turn litres into the mass an NCV per mass needs."""

    fuel: str
    density: Decimal
    unit: str  # "t/m3" (numerically kg/L)
    provenance: Provenance
    note: str


# ---------------------------------------------------------------------------------------------
# Reading the files


def _rows(name: str) -> list[dict[str, str]]:
    """The data rows of a CSV file; lines starting with ``#`` are comments."""
    path = DATA_DIR / name
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    return [
        {key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(lines)
    ]


def _decimal(raw: str, where: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise LibraryDataError(f"{where}: '{raw}' is not a decimal number") from None
    if not value.is_finite():
        raise LibraryDataError(f"{where}: '{raw}' is not a finite number")
    return value


def _optional_decimal(raw: str, where: str) -> Decimal | None:
    return _decimal(raw, where) if raw else None


def _bool(raw: str, where: str) -> bool:
    if raw not in ("true", "false"):
        raise LibraryDataError(f"{where}: unconfirmed must be 'true' or 'false', not '{raw}'")
    return raw == "true"


def _year(raw: str, where: str) -> int:
    if not raw.isdigit():
        raise LibraryDataError(f"{where}: '{raw}' is not a year")
    return int(raw)


# ---------------------------------------------------------------------------------------------
# GWP sets and refrigerants


@cache
def _gwp_set_index() -> Mapping[str, dict[str, str]]:
    return MappingProxyType({row["code"]: row for row in _rows("gwp_sets.csv")})


def _gwp_code(code: str) -> str:
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised not in _gwp_set_index():
        known = ", ".join(_gwp_set_index())
        raise InvalidInput(
            Msg("unknown GWP set '{code}'", code=code), {"gwp_set": [f"'{code}' is not one of {known}"]}
        )
    return normalised


@cache
def _gwp_entries(code: str) -> tuple[GwpEntry, ...]:
    file = _gwp_set_index()[code]["file"]
    entries = []
    seen: set[str] = set()
    for number, row in enumerate(_rows(file), start=1):
        where = f"{file} row {number}"
        gas = row["gas"]
        if not gas or gas in seen:
            raise LibraryDataError(f"{where}: missing or repeated gas '{gas}'")
        seen.add(gas)
        entries.append(
            GwpEntry(
                gas=gas,
                gwp=_decimal(row["gwp"], where),
                source=row["source"],
                note=row["note"],
                unconfirmed=_bool(row["unconfirmed"], where),
            )
        )
    return tuple(entries)


def gwp_table(code: str = DEFAULT_GWP_SET) -> tuple[GwpEntry, ...]:
    """The rows of a GWP set as published (gases only, no refrigerant codes), with sources."""
    return _gwp_entries(_gwp_code(code))


def _gwp_provenance(code: str) -> Provenance:
    row = _gwp_set_index()[code]
    return Provenance(
        source=row["source"],
        publisher=row["publisher"],
        year=_year(row["year"], f"gwp_sets.csv {code}"),
        geography="GLOBAL",
        version=code,
        url=row["url"],
    )


@cache
def _load_gwp_set(code: str) -> GwpSet:
    provenance = _gwp_provenance(code)
    gases = {entry.gas: entry.gwp for entry in _gwp_entries(code)}
    base = GwpSet(code, MappingProxyType(dict(gases)), provenance)
    values = dict(gases)
    for known in _refrigerants().values():
        if known.code in values:
            raise LibraryDataError(f"refrigerant code {known.code} clashes with a gas code")
        try:
            values[known.code] = blend_gwp(known.code, base)
        except InvalidInput:
            continue  # a component has no GWP in this set (e.g. propane in AR5)
    return GwpSet(code, MappingProxyType(values), provenance)


def load_gwp_set(code: str = DEFAULT_GWP_SET) -> GwpSet:
    """A GWP set by code ("AR4", "AR5", "AR6"), including refrigerants under their "R-…" codes.

    A refrigerant is present only when every component has a GWP in the set.
    """
    return _load_gwp_set(_gwp_code(code))


def gwp_sets() -> dict[str, GwpSet]:
    """Every shipped GWP set, by code."""
    return {code: _load_gwp_set(code) for code in _gwp_set_index()}


@cache
def _refrigerants() -> Mapping[str, Refrigerant]:
    file = "refrigerant_blends.csv"
    parts: dict[str, list[BlendComponent]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for number, row in enumerate(_rows(file), start=1):
        where = f"{file} row {number}"
        code = row["code"]
        if not code.startswith("R-"):
            raise LibraryDataError(f"{where}: refrigerant code '{code}' must start with 'R-'")
        fraction = _decimal(row["mass_fraction"], where)
        if not Decimal(0) < fraction <= Decimal(1):
            raise LibraryDataError(f"{where}: mass fraction {fraction} out of (0, 1]")
        components = parts.setdefault(code, [])
        if any(c.gas == row["component"] for c in components):
            raise LibraryDataError(f"{where}: {row['component']} repeated in {code}")
        components.append(BlendComponent(row["component"], fraction))
        source, note = meta.get(code, (row["source"], row["note"]))
        meta[code] = (source, note or row["note"])
    refrigerants = {}
    for code, components in parts.items():
        total = sum((c.mass_fraction for c in components), Decimal(0))
        if total != 1:
            raise LibraryDataError(f"{file}: mass fractions of {code} add up to {total}, not 1")
        source, note = meta[code]
        refrigerants[code] = Refrigerant(code, tuple(components), source, note)
    return MappingProxyType(refrigerants)


def refrigerants() -> dict[str, Refrigerant]:
    """Every known refrigerant code (blends and single-gas aliases) with its composition."""
    return dict(_refrigerants())


def refrigerant(code: str) -> Refrigerant:
    """A refrigerant by code, case-insensitively ("r-410a" finds "R-410A")."""
    wanted = code.strip().upper() if isinstance(code, str) else ""
    for known, found in _refrigerants().items():
        if known.upper() == wanted:
            return found
    raise InvalidInput(
        Msg("unknown refrigerant '{code}'", code=code), {"refrigerant": [f"'{code}' is not a known refrigerant"]}
    )


def blend_gwp(blend_code: str, gwp_set: GwpSet | str) -> Decimal:
    """The GWP of a refrigerant: Σ mass fraction × GWP of the component, exactly.

    ``gwp_set`` is a :class:`GwpSet` or a set code. :class:`InvalidInput` when the refrigerant is
    unknown or one of its components has no GWP in the set.
    """
    found = refrigerant(blend_code)
    gwps = load_gwp_set(gwp_set) if isinstance(gwp_set, str) else gwp_set
    with localcontext() as ctx:
        ctx.prec = 50  # far wider than any fraction × GWP product: the sum is exact
        total = sum((c.mass_fraction * gwps.gwp(c.gas) for c in found.components), Decimal(0))
    return tidy(total)


# ---------------------------------------------------------------------------------------------
# Emission factors


def _check_unit(text: str, where: str) -> None:
    try:
        unit(text)
    except InvalidInput:
        raise LibraryDataError(f"{where}: '{text}' is not a known unit") from None


def _check_ratio_unit(text: str, where: str) -> None:
    numerator, slash, denominator = text.partition("/")
    if not slash:
        raise LibraryDataError(f"{where}: '{text}' is not '<unit>/<unit>'")
    _check_unit(numerator, where)
    _check_unit(denominator, where)


def _provenance(row: Mapping[str, str], where: str, year: int) -> Provenance:
    return Provenance(
        source=row["source"],
        publisher=row["publisher"],
        year=year,
        geography=row["geography"],
        version=row["version"],
        url=row["url"],
        unconfirmed=_bool(row["unconfirmed"], where),
    )


def _uncertainty(row: Mapping[str, str], where: str) -> dict[str, Any]:
    """A factor's ± % with its basis and source (columns ``uncertainty_percent``,
    ``uncertainty_basis``, ``uncertainty_source``): all three, or none."""
    raw = (row.get("uncertainty_percent") or "", row.get("uncertainty_basis") or "", row.get("uncertainty_source") or "")
    if not any(raw):
        return {}
    if not all(raw):
        raise LibraryDataError(f"{where}: uncertainty_percent, uncertainty_basis and uncertainty_source go together")
    percent = _decimal(raw[0], f"{where} uncertainty_percent")
    if not Decimal(0) <= percent <= Decimal(1000):
        raise LibraryDataError(f"{where}: uncertainty {percent} % out of [0, 1000]")
    try:
        basis = UncertaintyBasis(raw[1])
    except ValueError:
        raise LibraryDataError(f"{where}: uncertainty_basis '{raw[1]}' is not one of "
                               f"{', '.join(b.value for b in UncertaintyBasis)}") from None
    return {"uncertainty_percent": percent, "uncertainty_basis": basis, "uncertainty_source": raw[2]}


def _factor_from_row(row: Mapping[str, str], where: str) -> EmissionFactor:
    gases = {}
    for gas in _GAS_COLUMNS:
        value = _optional_decimal(row[gas], f"{where} {gas}")
        if value is not None:
            gases[gas] = value
    if not gases:
        raise LibraryDataError(f"{where}: no gas value")
    ncv = _optional_decimal(row["ncv"], f"{where} ncv")
    ncv_unit = row["ncv_unit"] or None
    if (ncv is None) != (ncv_unit is None):
        raise LibraryDataError(f"{where}: ncv and ncv_unit go together")
    if ncv_unit:
        _check_ratio_unit(ncv_unit, where)
    _check_unit(row["per_unit"], where)
    _check_unit(row["mass_unit"], where)
    return EmissionFactor(
        key=row["key"],
        name=row["name"],
        kind=FactorKind(row["kind"]),
        per_unit=row["per_unit"],
        mass_unit=row["mass_unit"],
        gases=MappingProxyType(gases),
        provenance=_provenance(row, where, _year(row["year"], where)),
        ncv=ncv,
        ncv_unit=ncv_unit,
        **_uncertainty(row, where),
    )


def _grid_factor_from_row(row: Mapping[str, str], where: str) -> EmissionFactor:
    year = _year(row["year"], where)
    _check_unit(row["per_unit"], where)
    _check_unit(row["mass_unit"], where)
    return EmissionFactor(
        key=row["key"],
        name=row["name"],
        kind=FactorKind(row["kind"]),
        per_unit=row["per_unit"],
        mass_unit=row["mass_unit"],
        gases=MappingProxyType({row["gas"]: _decimal(row["value"], where)}),
        provenance=_provenance(row, where, year),
        valid_from=dt.date(year, 1, 1),
        valid_to=dt.date(year, 12, 31),
        **_uncertainty(row, where),
    )


@cache
def _grid_rows() -> tuple[tuple[str, EmissionFactor], ...]:
    file = "grid_factors.csv"
    return tuple(
        (row["series"], _grid_factor_from_row(row, f"{file} row {number}"))
        for number, row in enumerate(_rows(file), start=1)
    )


@cache
def _generic_factors(file: str) -> tuple[EmissionFactor, ...]:
    return tuple(
        _factor_from_row(row, f"{file} row {number}")
        for number, row in enumerate(_rows(file), start=1)
    )


def _keyed(factors: list[EmissionFactor]) -> dict[str, EmissionFactor]:
    keyed: dict[str, EmissionFactor] = {}
    for factor in factors:
        if factor.key in keyed:
            raise LibraryDataError(f"factor key '{factor.key}' appears twice")
        keyed[factor.key] = factor
    return keyed


def _fuel_of(key: str) -> str:
    """The fuel a combustion factor's key names: "ipcc2006:gas_diesel_oil:road" → "gas_diesel_oil"."""
    parts = key.split(":")
    return parts[1] if len(parts) >= 3 else ""


def _density_source(density: FuelDensity) -> str:
    """Where a default density comes from, in one line; "unconfirmed: …" when it is."""
    provenance = density.provenance
    text = f"{provenance.source} ({provenance.publisher}, {provenance.year})"
    if provenance.url:
        text += f", {provenance.url}"
    if density.note:
        text += f"; {density.note}"
    return f"unconfirmed: {text}" if provenance.unconfirmed else text


def _with_density(found: EmissionFactor) -> EmissionFactor:
    """A combustion factor whose NCV is per mass, with its fuel's default density if one is shipped.

    The density lets a quantity in litres or m3 reach the NCV per mass. Only fuels listed in
    ``fuel_densities.csv`` get one (liquid fuels); natural gas has no sourced density, so the
    IPCC natural-gas factors (NCV per tonne) keep refusing cubic metres: for those there is the
    Chinese factor with a volumetric NCV. The factor's own provenance is left as it is (the
    emission figures are as confirmed as before); the density's source and whether it is
    unconfirmed go into ``density_source``.
    """
    if found.kind is not FactorKind.FUEL_COMBUSTION or not found.ncv_unit or found.density is not None:
        return found
    if unit(found.ncv_unit.partition("/")[2]).dimension is not Dimension.MASS:
        return found  # a volumetric NCV takes volumes directly
    density = _fuel_densities().get(_fuel_of(found.key))
    if density is None:
        return found
    return dataclasses.replace(
        found, density=density.density, density_unit=density.unit,
        density_source=_density_source(density),
    )


@cache
def _all_factors() -> Mapping[str, EmissionFactor]:
    factors = [_with_density(found) for found in _generic_factors("combustion_factors.csv")]
    factors += [factor for _, factor in _grid_rows()]
    return MappingProxyType(_keyed(factors))


@cache
def _illustrative_factors() -> Mapping[str, EmissionFactor]:
    factors = _keyed(list(_generic_factors(_ILLUSTRATIVE_FILE)))
    for key in factors:
        if not key.startswith("illustrative:"):
            raise LibraryDataError(f"illustrative factor '{key}' lacks the 'illustrative:' prefix")
    return MappingProxyType(factors)


def load_factors(*, include_illustrative: bool = False) -> dict[str, EmissionFactor]:
    """Every shipped factor by key ("ipcc2006:natural_gas:stationary", "mee:grid:CN-EAST:2022"…).

    The seeds' illustrative numbers are left out unless ``include_illustrative`` is true.
    """
    factors = dict(_all_factors())
    if include_illustrative:
        for key, factor in _illustrative_factors().items():
            if key in factors:
                raise LibraryDataError(f"factor key '{key}' appears twice")
            factors[key] = factor
    return factors


def load_illustrative_factors() -> dict[str, EmissionFactor]:
    """The seeds' worked-example numbers (petrol 2.3 kgCO2e/L, grid 0.5 kgCO2e/kWh…): not defaults."""
    return dict(_illustrative_factors())


def factor(key: str) -> EmissionFactor:
    """One factor by key, illustrative ones included; :class:`FactorNotFound` otherwise."""
    found = _all_factors().get(key) or _illustrative_factors().get(key)
    if found is None:
        raise FactorNotFound(Msg("no emission factor '{key}'", key=key), {"factor_key": [f"unknown: '{key}'"]})
    return found


@cache
def _fuel_densities() -> Mapping[str, FuelDensity]:
    file = "fuel_densities.csv"
    densities = {}
    for number, row in enumerate(_rows(file), start=1):
        where = f"{file} row {number}"
        _check_ratio_unit(row["unit"], where)
        mass, _, volume = row["unit"].partition("/")
        if (unit(mass).dimension, unit(volume).dimension) != (Dimension.MASS, Dimension.VOLUME):
            raise LibraryDataError(f"{where}: density unit '{row['unit']}' is not mass per volume")
        if not row["fuel"] or row["fuel"] in densities:
            raise LibraryDataError(f"{where}: missing or repeated fuel '{row['fuel']}'")
        value = _decimal(row["density"], where)
        if value <= 0:
            raise LibraryDataError(f"{where}: density {value} is not positive")
        densities[row["fuel"]] = FuelDensity(
            fuel=row["fuel"],
            density=value,
            unit=row["unit"],
            provenance=Provenance(
                source=row["source"],
                publisher=row["publisher"],
                year=_year(row["year"], where),
                geography=row["geography"],
                version=LIBRARY_VERSION,
                url=row["url"],
                unconfirmed=_bool(row["unconfirmed"], where),
            ),
            note=row["note"],
        )
    return MappingProxyType(densities)


def fuel_densities() -> dict[str, FuelDensity]:
    """Default densities of liquid fuels by fuel name ("gas_diesel_oil"…); all unconfirmed.

    The combustion factors of these fuels whose NCV is per mass carry the density (see
    :func:`_with_density`), so a quantity in litres can be calculated.
    """
    return dict(_fuel_densities())


# ---------------------------------------------------------------------------------------------
# Grid factors with fall-back


@cache
def _grid_index() -> Mapping[tuple[str, str], Mapping[int, EmissionFactor]]:
    index: dict[tuple[str, str], dict[int, EmissionFactor]] = {}
    for series, found in _grid_rows():
        if series not in _GRID_SERIES.values():
            continue  # fossil-power and compliance-ETS series are not looked up by geography
        by_year = index.setdefault((series, found.provenance.geography), {})
        if found.provenance.year in by_year:
            raise LibraryDataError(
                f"two {series} grid factors for {found.provenance.geography} {found.provenance.year}"
            )
        by_year[found.provenance.year] = found
    return MappingProxyType({key: MappingProxyType(value) for key, value in index.items()})


def _latest(by_year: Mapping[int, EmissionFactor] | None, year: int) -> EmissionFactor | None:
    if not by_year:
        return None
    years = [published for published in by_year if published <= year]
    return by_year[max(years)] if years else None


def grid_factor(
    geography: str, year: int, kind: FactorKind | str = FactorKind.GRID_LOCATION
) -> tuple[EmissionFactor, str | None]:
    """The grid factor for a geography ("CN-EAST", "CN", "TW", "HK-HKE"…) and data year.

    ``kind`` is ``grid_location`` (location-based average) or ``grid_residual_mix``. When the
    year itself is not published, the latest published year before it is used; when the region
    has no factor for any year up to the requested one, the national factor ("CN" for "CN-…") is
    used. The second element is ``None`` for an exact match, otherwise a sentence disclosing the
    fall-back, to be shown with the result. :class:`FactorNotFound` when nothing applies.
    """
    try:
        grid_kind: FactorKind | None = FactorKind(kind)
    except ValueError:
        grid_kind = None
    if grid_kind is None or grid_kind not in _GRID_SERIES:
        raise InvalidInput(
            Msg("'{kind}' is not a grid factor kind", kind=kind),
            {"kind": ["must be grid_location or grid_residual_mix"]},
        )
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInput(Msg("year must be an integer, not {value}", value=repr(year)), {"year": ["not an integer"]})
    geography = geography.strip().upper() if isinstance(geography, str) else ""
    series, label = _GRID_SERIES[grid_kind], _GRID_LABEL[grid_kind]
    index = _grid_index()

    own = _latest(index.get((series, geography)), year)
    if own is not None:
        if own.provenance.year == year:
            return own, None
        return own, (
            Msg("No {label} factor has been published for {geography} for {year}; the latest "
                "published year, {latest}, is used ({key}).", label=label, geography=geography,
                year=year, latest=own.provenance.year, key=own.key)
        )

    national = geography.split("-", 1)[0]
    if national != geography:
        fallback = _latest(index.get((series, national)), year)
        if fallback is not None:
            used: str = str(fallback.provenance.year)
            if fallback.provenance.year != year:
                used = Msg("{year} (the latest published year)", year=fallback.provenance.year)
            return fallback, (
                Msg("No {label} factor is published for {geography} for {year} or any earlier year; "
                    "the national {national} factor for {used} is used ({key}).", label=label,
                    geography=geography, year=year, national=national, used=used, key=fallback.key)
            )
    raise FactorNotFound(
        Msg("no {label} factor for {geography} for {year} or any earlier year", label=label,
            geography=geography, year=year),
        {"geography": [f"no {label} factor for '{geography}' up to {year}"]},
    )
