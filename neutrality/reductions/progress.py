"""Progress against a target, and achieved reductions explained by activity and by factor.

Pure: no Flask, no database.

* :func:`progress` places each period on the target's trajectory: its actual value beside the
  value allowed for its year, the % reduced against the base year, on or off track. An
  intensity target is followed in intensity *and* in absolute tCO2e, computed apart: seed 000
  §3.3's line upgrade cuts energy per unit by 30 % while output grows 15 %, so the total is
  0.70 × 1.15 = 0.805 of the base, a 19.5 % absolute cut beside the 30 % in intensity.
* :func:`rebase` moves the target's base value when the base-year check of
  :mod:`neutrality.inventory.recalculation` (5 % significance by default) requires a
  recalculation, and says so (seed 000 §2.10 RC-05: adjust the base year, recalculate the
  intensity, document it).
* :func:`decompose` splits the change of each source between two inventories into the part due
  to activity (Δactivity × old factor) and the part due to the factor (new activity × Δfactor).
  The two add up exactly to the total change, and a revised factor is not reported as a reduction.
  A source new in the later inventory is valued at the old factor of its kind when the earlier
  inventory had that kind (a source renamed, or a second boiler on the same gas and site), so a
  factor revision hidden behind a new name is still reported as a factor change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from neutrality.inventory.recalculation import RecalculationCheck
from neutrality.messages import Msg
from neutrality.reductions.targets import (
    PRECISION,
    Target,
    TargetKind,
    finite,
    non_negative,
    refuse,
)
from neutrality.units import convert, tidy, unit

HUNDRED = Decimal(100)


# --- positions on the trajectory -------------------------------------------------------------


@dataclass(frozen=True)
class PeriodActual:
    """A period's emissions over the target's scopes and Scope 2 basis, and its output."""

    year: int
    tco2e: Decimal
    output: Decimal | None = None  # intensity targets: the period's output
    output_unit: str | None = None  # None: the target's output unit


@dataclass(frozen=True)
class BaseMove:
    """What the base-year check did to the target's base."""

    recalculated: bool  # True: the base value moved
    old_base_value: Decimal  # in the target's measure (tCO2e, or tCO2e per unit of output)
    new_base_value: Decimal
    old_base_tco2e: Decimal  # the base year's emissions behind them
    new_base_tco2e: Decimal
    change_percent: Decimal  # of the base year's emissions, signed (the check's figure)
    explanation: str


@dataclass(frozen=True)
class Position:
    """One period on the trajectory. ``actual``, ``allowed`` and ``gap`` are in the target's
    measure (tCO2e, or tCO2e per unit of output); ``tco2e`` is always absolute."""

    year: int
    actual: Decimal
    allowed: Decimal
    gap: Decimal  # actual − allowed: > 0 is above the line
    on_track: bool  # actual ≤ allowed
    reduced_percent: Decimal | None  # (base − actual) / base × 100; None over a base of zero
    tco2e: Decimal
    absolute_reduced_percent: Decimal | None  # of the base year's tCO2e, computed apart
    output: Decimal | None = None  # in the target's output unit
    output_change_percent: Decimal | None = None  # against the base year's output


@dataclass(frozen=True)
class Progress:
    target: Target  # as followed: rebased when the base year was recalculated
    positions: tuple[Position, ...]
    base: BaseMove | None = None  # None: no base-year check was given

    @property
    def base_recalculated(self) -> bool:
        return self.base is not None and self.base.recalculated


def _percent_below(base: Decimal, value: Decimal) -> Decimal | None:
    if base == 0:
        return None
    return tidy((base - value) / base * HUNDRED)


def _output_of(target: Target, actual: PeriodActual) -> Decimal:
    if actual.output is None:
        raise refuse("output", Msg("{year}: an intensity target needs the period's output", year=actual.year))
    output = non_negative("output", actual.output)
    if actual.output_unit is not None and unit(actual.output_unit).code != target.output_unit:
        output = convert(output, actual.output_unit, target.output_unit)
    if output == 0:
        raise refuse("output", Msg("{year}: the output must be more than zero to give an intensity",
                                   year=actual.year))
    return output


def position(target: Target, actual: PeriodActual) -> Position:
    """Where the period of ``actual.year`` stands against ``target``."""
    tco2e = non_negative("tco2e", actual.tco2e)
    allowed = target.allowed(actual.year)  # refuses a year before the base year
    with localcontext() as ctx:
        ctx.prec = PRECISION
        output = output_change = None
        if target.kind is TargetKind.INTENSITY:
            output = _output_of(target, actual)
            value = tidy(tco2e / output)
            output_change = tidy((output - target.base_output) / target.base_output * HUNDRED)
        else:
            value = tco2e
        return Position(
            year=actual.year, actual=value, allowed=allowed, gap=tidy(value - allowed), on_track=value <= allowed,
            reduced_percent=_percent_below(target.base_value, value), tco2e=tco2e,
            absolute_reduced_percent=_percent_below(target.base_tco2e, tco2e),
            output=output, output_change_percent=output_change,
        )


def rebase(target: Target, check: RecalculationCheck, new_base_value: Decimal | None = None,
           new_base_output: Decimal | None = None) -> tuple[Target, BaseMove]:
    """The target over the base year as the check leaves it, and what moved.

    When the check requires a recalculation the base value moves: to ``new_base_value`` when the
    caller recalculated the target's own scopes, otherwise by the check's relative change (the
    same scopes, or a factor revision that moves every scope alike). An intensity's emissions
    move by that ratio over the base output, or over ``new_base_output`` when a structural
    change restated it (seed 000 §2.10 RC-05: recalculate the intensity metrics too). The
    percentage and the years stay; a check that requires nothing leaves the target as it is.
    """
    old, old_tco2e = target.base_value, target.base_tco2e
    if not check.recalculation_required:
        return target, BaseMove(False, old, old, old_tco2e, old_tco2e, check.change_percent, check.explanation)
    if new_base_output is not None:
        new_base_output = non_negative("new_base_output", new_base_output)
        if new_base_output == 0:
            raise refuse("new_base_output", Msg("the base year's output must be more than zero"))
    if new_base_value is None:
        if check.base_total_tco2e == 0:
            raise refuse("new_base_value", Msg("the base year was zero: give the recalculated base value of the "
                                               "target"))
        with localcontext() as ctx:
            ctx.prec = PRECISION
            ratio = check.recalculated_tco2e / check.base_total_tco2e
            if new_base_output is None:
                new_base_value = tidy(old * ratio)
            else:  # the emissions move by the ratio, over the restated output
                new_base_value = tidy(old_tco2e * ratio / new_base_output)
    else:
        new_base_value = non_negative("new_base_value", new_base_value)
    moved = target.rebased(new_base_value, new_base_output)
    return moved, BaseMove(True, old, moved.base_value, old_tco2e, moved.base_tco2e, check.change_percent,
                           check.explanation)


def progress(target: Target, actuals: Iterable[PeriodActual], check: RecalculationCheck | None = None,
             new_base_value: Decimal | None = None, new_base_output: Decimal | None = None) -> Progress:
    """Every period's position, in year order, on the trajectory of the (possibly rebased) target."""
    actuals = sorted(actuals, key=lambda a: a.year)
    years = [a.year for a in actuals]
    for earlier, later in zip(years, years[1:], strict=False):
        if earlier == later:
            raise refuse("year", Msg("two periods for the year {year}", year=later))
    move = None
    if check is not None:
        target, move = rebase(target, check, new_base_value, new_base_output)
    return Progress(target, tuple(position(target, a) for a in actuals), move)


# --- achieved reductions: activity and factor -------------------------------------------------


@dataclass(frozen=True)
class SourceFigures:
    """One emission source of an inventory: its activity and its factor (tCO2e per unit)."""

    source: str  # the key that matches a source across inventories (site, activity type, fuel…)
    activity: Decimal
    unit: str
    factor: Decimal  # tCO2e per ``unit`` of activity
    # What the source is, when the caller knows it (neutrality.reductions.inventory_sources):
    # the site, the scope, the name the user gives it and its kind (classification, activity
    # type and factor). Sources of one site, scope and kind share a factor.
    site_id: int | None = None
    scope: int | None = None
    name: str = ""
    kind: str = ""

    @property
    def tco2e(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return tidy(self.activity * self.factor)


@dataclass(frozen=True)
class SourceChange:
    source: str
    old_tco2e: Decimal
    new_tco2e: Decimal
    change: Decimal  # new − old
    due_to_activity: Decimal  # (new activity − old activity) × old factor
    due_to_factor: Decimal  # new activity × (new factor − old factor)
    site_id: int | None = None
    scope: int | None = None
    name: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Decomposition:
    sources: tuple[SourceChange, ...]  # in source order

    def _total(self, part: str) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return tidy(sum((getattr(s, part) for s in self.sources), Decimal(0)))

    @property
    def change(self) -> Decimal:
        return self._total("change")

    @property
    def due_to_activity(self) -> Decimal:
        return self._total("due_to_activity")

    @property
    def due_to_factor(self) -> Decimal:
        return self._total("due_to_factor")


def _by_source(figures: Sequence[SourceFigures], side: str) -> dict[str, SourceFigures]:
    found: dict[str, SourceFigures] = {}
    for f in figures:
        if f.source in found:
            raise refuse(side, Msg("the source {source} appears twice in one inventory", source=f.source))
        for name in ("activity", "factor"):
            value = finite(name, getattr(f, name))
            if value < 0:
                raise refuse(name, Msg("the source {source}: the {field} cannot be negative ({value})",
                                       source=f.source, field=name, value=str(value)))
        unit(f.unit)
        found[f.source] = f
    return found


def _in_unit(figures: SourceFigures, to_unit: str) -> tuple[Decimal, Decimal]:
    """(activity, factor) of ``figures`` expressed per ``to_unit`` (the product is unchanged)."""
    if unit(figures.unit).code == unit(to_unit).code:
        return figures.activity, figures.factor
    per = convert(Decimal(1), to_unit, figures.unit)  # how many of figures.unit one to_unit is
    return convert(figures.activity, figures.unit, to_unit), figures.factor * per


def _kind_factors(figures: Sequence[SourceFigures]) -> dict[tuple[int | None, int | None, str, str], Decimal]:
    """The factor of each (site, scope, kind, unit) of an inventory: Σ tCO2e ÷ Σ activity of its
    sources (one factor whatever the source's name)."""
    sums: dict[tuple[int | None, int | None, str, str], list[Decimal]] = {}
    for f in figures:
        if f.kind and f.activity:
            total = sums.setdefault((f.site_id, f.scope, f.kind, unit(f.unit).code), [Decimal(0), Decimal(0)])
            total[0] += f.activity
            total[1] += f.tco2e
    return {key: tco2e / activity for key, (activity, tco2e) in sums.items()}


def decompose(old: Sequence[SourceFigures], new: Sequence[SourceFigures]) -> Decomposition:
    """The change of each source from ``old`` to ``new``, due to activity and due to factor.

    change = A₁F₁ − A₀F₀ = (A₁ − A₀)·F₀ + A₁·(F₁ − F₀), exactly. A source gone from the later
    inventory changed by activity alone (to nothing). A source new in it changed by activity
    alone too, unless the earlier inventory had sources of its kind (same site, scope, kind and
    unit): then F₀ is their factor and A₀ is zero, so A₁·F₀ is activity and A₁·(F₁ − F₀) factor,
    as it would be under its old name. Activities in two convertible units are compared in the
    old unit, the factor restated per that unit.
    """
    before, after = _by_source(old, "old"), _by_source(new, "new")
    changes = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        kinds = _kind_factors(old)
        for source in sorted(before.keys() | after.keys()):
            was, now = before.get(source), after.get(source)
            if was is None:
                old_factor = kinds.get((now.site_id, now.scope, now.kind, unit(now.unit).code)) if now.kind else None
                if old_factor is None:
                    activity_part, factor_part = now.tco2e, Decimal(0)
                else:  # A₀ = 0: (A₁ − 0)·F₀ + A₁·(F₁ − F₀)
                    activity_part, factor_part = now.activity * old_factor, now.activity * (now.factor - old_factor)
                old_tco2e, new_tco2e = Decimal(0), now.tco2e
            elif now is None:
                activity_part, factor_part = -was.tco2e, Decimal(0)
                old_tco2e, new_tco2e = was.tco2e, Decimal(0)
            else:
                new_activity, new_factor = _in_unit(now, was.unit)
                activity_part = (new_activity - was.activity) * was.factor
                factor_part = new_activity * (new_factor - was.factor)
                old_tco2e, new_tco2e = was.tco2e, now.tco2e
            known = now if now is not None else was
            changes.append(SourceChange(source, old_tco2e, new_tco2e, tidy(new_tco2e - old_tco2e),
                                        tidy(activity_part), tidy(factor_part), known.site_id, known.scope,
                                        known.name, known.kind))
    return Decomposition(tuple(changes))
