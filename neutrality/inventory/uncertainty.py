"""Uncertainty of an inventory by error propagation (seed 000 §4.7 UNC-02; IPCC 2006 Vol. 1
ch. 3, approach 1, equations 3.1 and 3.2).

Pure: no Flask, no database.

Uncertainties are the ± half-width of the 95 % confidence interval, in percent of the value,
as :attr:`neutrality.inventory.model.Activity.uncertainty_percent` stores them.

- A product (activity × factor, or any product or quotient of independent quantities) combines
  relative uncertainties: U = √(U₁² + U₂² + …). Seed 000: ±3 % (waste weight) and ±15 %
  (decomposition factor) give √234 = ±15.297 %, printed ±15.3 %.
- A sum of sources combines absolute uncertainties: U = √Σ(Uᵢ·xᵢ)² / |Σxᵢ|.

The approach assumes independent quantities and is reliable while uncertainties stay below
about 60 % (IPCC 2006 Vol. 1 §3.2.3.1); beyond that a Monte Carlo simulation (UNC-01) is the
better tool. Results carry 50 significant digits; :func:`neutrality.units.present` rounds them
(``"percent"``: one decimal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from neutrality.errors import InvalidInput
from neutrality.messages import Msg

_CONTEXT = Context(prec=50)
_SUM = Context(prec=200)  # totals of long calculated figures, not rounded in practice
HUNDRED = Decimal(100)


def _check(percent: Decimal, what: str) -> Decimal:
    if not isinstance(percent, Decimal | int) or percent < 0:
        raise InvalidInput(
            Msg("an uncertainty is a percentage ≥ 0, not {value} ({what})", value=repr(percent), what=what),
            {"uncertainty_percent": ["must be a Decimal ≥ 0"]},
        )
    return Decimal(percent)


def product_uncertainty(*percents: Decimal) -> Decimal:
    """± % of a product of independent quantities: √Σuᵢ² (IPCC 2006 Vol. 1 eq. 3.1)."""
    with localcontext(_CONTEXT):
        return sum((_check(u, "product") ** 2 for u in percents), Decimal(0)).sqrt()


@dataclass(frozen=True)
class Estimate:
    """A quantity with its ± % uncertainty (95 % interval half-width relative to |value|)."""

    value: Decimal
    uncertainty_percent: Decimal

    @property
    def absolute(self) -> Decimal:
        """The ± half-width in the value's own unit."""
        with localcontext(_CONTEXT):
            return abs(self.value) * self.uncertainty_percent / HUNDRED

    def times(self, other: Estimate) -> Estimate:
        """The product of two independent estimates (activity × factor)."""
        with localcontext(_CONTEXT):
            return Estimate(
                self.value * other.value,
                product_uncertainty(self.uncertainty_percent, other.uncertainty_percent),
            )


def source_estimate(emissions: Decimal, activity_percent: Decimal, factor_percent: Decimal) -> Estimate:
    """One source's emissions with the combined uncertainty of its activity data and factor."""
    return Estimate(emissions, product_uncertainty(activity_percent, factor_percent))


def sum_uncertainty(estimates: Iterable[Estimate]) -> Estimate:
    """The total of several sources and its ± %: √Σ(Uᵢ·xᵢ)² / |Σxᵢ| (IPCC 2006 Vol. 1 eq. 3.2).

    A total of zero has no relative uncertainty unless every source is certain; asking for it
    otherwise is an error rather than an infinite percentage.
    """
    total = Decimal(0)
    variance = Decimal(0)
    for estimate in estimates:
        percent = _check(estimate.uncertainty_percent, "sum")
        with localcontext(_SUM):
            total += estimate.value
        with localcontext(_CONTEXT):
            variance += (estimate.value * percent) ** 2  # (xᵢ·Uᵢ)² with Uᵢ in %
    with localcontext(_CONTEXT):
        if variance == 0:
            return Estimate(total, Decimal(0))
        if total == 0:
            raise InvalidInput(
                Msg("the sources add up to zero, so their uncertainty has no percentage"),
                {"uncertainty_percent": ["undefined for a zero total"]},
            )
        return Estimate(total, variance.sqrt() / abs(total))
