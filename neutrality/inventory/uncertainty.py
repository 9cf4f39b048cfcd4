"""Uncertainty of an inventory by error propagation (seed 000 §4.7 UNC-02; IPCC 2006 Vol. 1
ch. 3, approach 1, equations 3.1 and 3.2).

Pure: no Flask, no database.

Uncertainties are the ± half-width of the 95 % confidence interval, in percent of the value,
as :attr:`neutrality.inventory.model.Activity.uncertainty_percent` stores them.

- A product (activity × factor, or any product or quotient of independent quantities) combines
  relative uncertainties: U = √(U₁² + U₂² + …). Seed 000: ±3 % (waste weight) and ±15 %
  (decomposition factor) give √234 = ±15.297 %, printed ±15.3 %.
- A sum of sources combines absolute uncertainties: U = √Σ(Uᵢ·xᵢ)² / |Σxᵢ|.

A factor's error is the same for every record it prices (a grid factor 5 % too high is 5 % too
high for every kWh), so the records of one factor are not independent sources: :func:`combine`
adds each factor's share as one absolute ± (its emissions summed first), and the records'
activity errors as independent ones. Counting a factor's ± per record would shrink it by √n.

A record without a stated uncertainty takes its data-quality tier's default
(:data:`TIER_DEFAULTS`); a factor without a published one is expert judgement, 20 % (seed 000
§4.7, L1014: "a special industrial gas whose factor is not widely published").

The approach assumes independent quantities and is reliable while uncertainties stay below
about 60 % (IPCC 2006 Vol. 1 §3.2.3.1); beyond that a Monte Carlo simulation (UNC-01) is the
better tool. Results carry 50 significant digits; :func:`neutrality.units.present` rounds them
(``"percent"``: one decimal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from neutrality.errors import InvalidInput
from neutrality.inventory.model import DataQualityTier
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
    return _estimate(total, variance)


def _estimate(total: Decimal, variance: Decimal) -> Estimate:
    """A total and its ± % from its variance in (value·%)²."""
    with localcontext(_CONTEXT):
        if variance == 0:
            return Estimate(total, Decimal(0))
        if total == 0:
            raise InvalidInput(
                Msg("the sources add up to zero, so their uncertainty has no percentage"),
                {"uncertainty_percent": ["undefined for a zero total"]},
            )
        return Estimate(total, variance.sqrt() / abs(total))


#: Seed 000 §4.7 (L1012–L1014): an expert, judging from similar gases, gives a factor that is not
#: widely published a 20 % uncertainty. The library uses it for every factor whose source gives
#: no uncertainty, and for a gas released directly (its GWP is the only "factor").
EXPERT_JUDGEMENT_PERCENT = Decimal(20)
#: Seed 000 §4.7 (L1008): a measured quantity (the weight of the waste) known to ±3 %.
MEASURED_PERCENT = Decimal(3)

#: ± % of a record's activity data by its data-quality tier, when the record states none (a
#: stated uncertainty always wins). The project's sources give two figures only, so the table
#: uses those two: metered and invoiced quantities are measurements (an invoice reads the
#: supplier's billing meter; seed 000 L667 puts one's own meter first for its timing, not its
#: accuracy), ±3 % as seed 000's weighed waste; supplier-specific data, industry averages and
#: estimates are not measurements of this activity and no source the project holds gives a ±
#: for them, so they take the expert-judgement 20 %. An estimate may well be worse: the report
#: says how many records took a tier default, and a record that knows better states its own.
TIER_DEFAULTS: Mapping[DataQualityTier, Decimal] = {
    DataQualityTier.METERED: MEASURED_PERCENT,
    DataQualityTier.INVOICED: MEASURED_PERCENT,
    DataQualityTier.SUPPLIER_SPECIFIC: EXPERT_JUDGEMENT_PERCENT,
    DataQualityTier.INDUSTRY_AVERAGE: EXPERT_JUDGEMENT_PERCENT,
    DataQualityTier.ESTIMATED: EXPERT_JUDGEMENT_PERCENT,
}


def activity_uncertainty(stated: Decimal | None, tier: DataQualityTier) -> Decimal:
    """A record's activity ± %: the one it states, else its tier's default."""
    return _check(stated, "activity") if stated is not None else TIER_DEFAULTS[tier]


@dataclass(frozen=True)
class Source:
    """The emissions of records summed alike (one or many), and what their ± is made of."""

    tco2e: Decimal
    activity_percent: Decimal
    #: √Σqᵢ² / |Σqᵢ| of the records' quantities: the share of the activity ± that survives summing
    #: independent records (1 for one record, 1/√n for n equal ones).
    activity_share: Decimal
    factor_key: str | None
    factor_percent: Decimal | None  # None: the factor states no uncertainty (left out)


def combine(sources: Iterable[Source]) -> Estimate:
    """The total of ``sources`` and its ± %: each record's activity error independent, each
    factor's error common to every record it prices (IPCC 2006 Vol. 1 eq. 3.1 for a source,
    eq. 3.2 for the sum):

        U = √( Σᵢ (uₐᵢ·sᵢ·Eᵢ)² + Σ_f (u_f·Σ_{i∈f} Eᵢ)² ) / |Σ Eᵢ|

    For one record, or records of different factors, this is the rule of the guide: the
    product √(uₐ² + u_f²) per source, then the sum by absolute uncertainties. A total of zero
    with some uncertainty is refused, as in :func:`sum_uncertainty`.
    """
    total = Decimal(0)
    variance = Decimal(0)
    by_factor: dict[str, tuple[Decimal, Decimal]] = {}  # key → (Σ E, u_f)
    for source in sources:
        with localcontext(_SUM):
            total += source.tco2e
        with localcontext(_CONTEXT):
            variance += (_check(source.activity_percent, "activity") * source.activity_share * source.tco2e) ** 2
        if source.factor_percent is not None:
            key = source.factor_key or ""
            emitted, _ = by_factor.get(key, (Decimal(0), Decimal(0)))
            with localcontext(_SUM):
                by_factor[key] = (emitted + source.tco2e, _check(source.factor_percent, "factor"))
    with localcontext(_CONTEXT):
        for emitted, percent in by_factor.values():
            variance += (percent * emitted) ** 2
    return _estimate(total, variance)
