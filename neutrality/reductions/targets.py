"""Reduction targets: absolute or intensity, against a base year, with a linear trajectory.

Pure: no Flask, no database.

A target says "the emissions of these scopes fall by R % from the base year to the target year".
An absolute target counts tCO2e; an intensity target counts tCO2e per unit of output (MWh of
modules, pieces, revenue in a currency), so it needs the output's unit and the base year's
output (without them the absolute emissions behind an intensity cannot be told apart from the
intensity itself: seed 000 §3.3). The allowed value in any year lies on the straight line from
the base value in the base year to the target value in the target year (SBTi's linear
annual reduction), and stays at the target value after it.

Every figure is exact (50 significant digits, :func:`neutrality.units.tidy`); round only to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum

from neutrality.errors import InvalidInput
from neutrality.inventory.model import Scope
from neutrality.messages import Msg
from neutrality.units import Dimension, UnknownUnit, tidy, unit

PRECISION = 50  # digits: wider than any figure an inventory produces, so nothing is rounded

#: Output an intensity may be counted per: MWh of modules (energy), tonnes, pieces, revenue.
OUTPUT_DIMENSIONS = frozenset({Dimension.ENERGY, Dimension.MASS, Dimension.VOLUME, Dimension.COUNT,
                               Dimension.CURRENCY})

EARLIEST_YEAR, LATEST_YEAR = 1990, 2100  # Kyoto's base year; no standard sets targets past 2100


class TargetKind(StrEnum):
    ABSOLUTE = "absolute"  # tCO2e
    INTENSITY = "intensity"  # tCO2e per unit of output


class TargetTerm(StrEnum):
    """SBTi's two horizons: a near-term target (5–10 years from its submission) and the
    long-term target of a net-zero commitment (a deep cut by 2050 at the latest)."""

    NEAR_TERM = "near_term"
    LONG_TERM = "long_term"


class Scope2Basis(StrEnum):
    LOCATION = "location_based"
    MARKET = "market_based"


def refuse(field: str, message: Msg) -> InvalidInput:
    """The refusal of one field, named in the details as the schemas name theirs."""
    return InvalidInput(message, {field: [message]})


def finite(field: str, value: Decimal | int | str) -> Decimal:
    """``value`` as a finite Decimal; a refusal naming ``field`` otherwise (NaN, ∞, text)."""
    shown = str(value) if isinstance(value, Decimal) else repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise refuse(field, Msg("{field}: {value} is not a number", field=field, value=shown)) from None
    if not number.is_finite():
        raise refuse(field, Msg("{field}: {value} is not a number", field=field, value=shown))
    return number


def non_negative(field: str, value: Decimal | int | str) -> Decimal:
    number = finite(field, value)
    if number < 0:
        raise refuse(field, Msg("{field} cannot be negative ({value})", field=field, value=str(number)))
    return number


def _year(field: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not EARLIEST_YEAR <= value <= LATEST_YEAR:
        raise refuse(field, Msg("{field} must be a year from {earliest} to {latest}, not {value}",
                                field=field, earliest=EARLIEST_YEAR, latest=LATEST_YEAR, value=repr(value)))
    return value


def _scopes(value: Iterable[Scope | int]) -> frozenset[Scope]:
    try:
        scopes = frozenset(Scope(s) for s in value)
    except (ValueError, TypeError):
        raise refuse("scopes", Msg("scopes: each scope is 1, 2 or 3")) from None
    if not scopes:
        raise refuse("scopes", Msg("a target covers at least one scope"))
    return scopes


@dataclass(frozen=True)
class Target:
    """A reduction target (validated on construction: a refusal names the field)."""

    kind: TargetKind
    scopes: frozenset[Scope]  # one scope or several combined
    base_year: int
    base_value: Decimal  # tCO2e (absolute) or tCO2e per output_unit (intensity)
    target_year: int
    reduction_percent: Decimal  # 0–100, of the base value
    scope2_basis: Scope2Basis | None = None  # required when Scope 2 is covered, refused otherwise
    output_unit: str | None = None  # intensity only: the unit of output (MWh, unit, CNY…)
    base_output: Decimal | None = None  # intensity only: the base year's output, in output_unit

    def __post_init__(self) -> None:
        try:
            kind = TargetKind(self.kind)
        except ValueError:
            raise refuse("kind", Msg("kind: a target is absolute or intensity, not {value}",
                                     value=repr(self.kind))) from None
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "scopes", _scopes(self.scopes))
        base_year = _year("base_year", self.base_year)
        target_year = _year("target_year", self.target_year)
        if target_year <= base_year:
            raise refuse("target_year", Msg("the target year ({target}) must come after the base year ({base})",
                                            target=target_year, base=base_year))
        object.__setattr__(self, "base_value", non_negative("base_value", self.base_value))
        reduction = finite("reduction_percent", self.reduction_percent)
        if not 0 <= reduction <= 100:
            raise refuse("reduction_percent", Msg("the reduction is a percentage from 0 to 100, not {value}",
                                                  value=str(reduction)))
        object.__setattr__(self, "reduction_percent", reduction)
        self._check_basis()
        self._check_output()

    def _check_basis(self) -> None:
        if Scope.SCOPE_2 in self.scopes:
            if self.scope2_basis is None:
                raise refuse("scope2_basis", Msg("a target covering Scope 2 says whether it counts location-based "
                                                 "or market-based emissions"))
            try:
                object.__setattr__(self, "scope2_basis", Scope2Basis(self.scope2_basis))
            except ValueError:
                raise refuse("scope2_basis", Msg("scope2_basis: location_based or market_based, not {value}",
                                                 value=repr(self.scope2_basis))) from None
        elif self.scope2_basis is not None:
            raise refuse("scope2_basis", Msg("a target without Scope 2 has no Scope 2 basis"))

    def _check_output(self) -> None:
        if self.kind is TargetKind.ABSOLUTE:
            for name in ("output_unit", "base_output"):
                if getattr(self, name) is not None:
                    raise refuse(name, Msg("an absolute target has no output data ({field})", field=name))
            return
        if not self.output_unit:
            raise refuse("output_unit", Msg("an intensity target needs the unit of output it is counted per"))
        try:
            output_unit = unit(self.output_unit)
        except UnknownUnit:
            raise refuse("output_unit", Msg("unknown unit '{code}'", code=self.output_unit)) from None
        if output_unit.dimension not in OUTPUT_DIMENSIONS:
            raise refuse("output_unit", Msg("{code} is not a unit of output (energy, mass, volume, pieces or "
                                            "money)", code=output_unit.code))
        object.__setattr__(self, "output_unit", output_unit.code)
        if self.base_output is None:
            raise refuse("base_output", Msg("an intensity target needs the base year's output"))
        base_output = non_negative("base_output", self.base_output)
        if base_output == 0:
            raise refuse("base_output", Msg("the base year's output must be more than zero"))
        object.__setattr__(self, "base_output", base_output)

    # --- the trajectory ----------------------------------------------------------------------

    @property
    def target_value(self) -> Decimal:
        """The value allowed in the target year: base × (1 − R/100)."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return tidy(self.base_value * (1 - self.reduction_percent / 100))

    @property
    def base_tco2e(self) -> Decimal:
        """The base year's emissions in tCO2e: the base value, or intensity × base output."""
        if self.kind is TargetKind.ABSOLUTE:
            return self.base_value
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return tidy(self.base_value * self.base_output)

    def allowed(self, year: int) -> Decimal:
        """The value allowed in ``year``: linear from the base year to the target year, then flat.

        allowed(y) = base − (base − target) × (y − base_year) / (target_year − base_year).
        """
        year = _year("year", year)
        if year < self.base_year:
            raise refuse("year", Msg("{year} comes before the base year ({base}) of the target",
                                     year=year, base=self.base_year))
        elapsed = min(year, self.target_year) - self.base_year
        with localcontext() as ctx:
            ctx.prec = PRECISION
            cut = self.base_value - self.target_value
            return tidy(self.base_value - cut * elapsed / (self.target_year - self.base_year))

    def trajectory(self) -> list[tuple[int, Decimal]]:
        """(year, allowed value) for every year from the base year to the target year."""
        return [(year, self.allowed(year)) for year in range(self.base_year, self.target_year + 1)]

    def rebased(self, base_value: Decimal, base_output: Decimal | None = None) -> Target:
        """The same target over a recalculated base year (same years and percentage)."""
        changes: dict[str, Decimal] = {"base_value": base_value}
        if base_output is not None:
            changes["base_output"] = base_output
        return replace(self, **changes)
