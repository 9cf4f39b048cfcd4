"""Meter readings take precedence over invoices; both may be kept and are reconciled.

A site often has both for the same energy: the utility's invoice and its own meter. Counting
both would double the emissions. The rule, applied per *stream* (one site, activity type,
factor, gas and kind of unit):

* an invoiced record whose every day is covered by metered records of its stream is
  **superseded**: it is kept, shown, reconciled, but not counted;
* an invoiced record that meters cover only in part stays **counted** (the conservative
  choice: the overlapping days are counted twice rather than not at all) and is flagged, so the
  user splits the invoice or completes the meter readings;
* the reconciliation compares each invoice with the metered quantity attributed to its days
  (a meter record's quantity shared out by days) and flags a difference above the tolerance.

Pure: no database, exact Decimal for the coverage decision (the pro-rata attribution is for the
reconciliation figures only, never for emissions).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from neutrality.messages import Msg
from neutrality.units import Dimension, convert, unit

#: An invoice and the meters over its days may differ by this much before it is flagged (%).
DEFAULT_TOLERANCE_PERCENT = Decimal(2)

#: The pro-rata share of a meter record is a ratio of days: 40 digits are plenty for a figure
#: that is shown, never multiplied into emissions.
_RATIO = Context(prec=40)


@dataclass(frozen=True)
class Reading:
    """One record that may be an invoice or a meter reading of a stream."""

    record_id: int
    site_id: int
    activity_type: str
    factor_key: str | None
    gas: str | None
    quantity: Decimal
    unit: str
    start: dt.date
    end: dt.date

    @property
    def stream(self) -> tuple[int, str, str | None, str | None, Dimension]:
        return (self.site_id, self.activity_type, self.factor_key, self.gas, unit(self.unit).dimension)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Reconciliation:
    """An invoice against the meter readings over its days (quantities in the invoice's unit)."""

    invoice: Reading
    meter_ids: tuple[int, ...]
    metered_quantity: Decimal
    unmetered_days: int
    tolerance_percent: Decimal

    @property
    def superseded(self) -> bool:
        """Every day of the invoice is metered: the meters count, the invoice does not."""
        return self.unmetered_days == 0

    @property
    def difference(self) -> Decimal:
        return self.invoice.quantity - self.metered_quantity

    @property
    def difference_percent(self) -> Decimal | None:
        """(invoice − metered) / metered, for a superseded invoice; None otherwise."""
        if not self.superseded or self.metered_quantity == 0:
            return None
        with localcontext(_RATIO):
            return self.difference * 100 / self.metered_quantity

    @property
    def within_tolerance(self) -> bool | None:
        percent = self.difference_percent
        return None if percent is None else abs(percent) <= self.tolerance_percent

    @property
    def finding(self) -> str:
        if not self.superseded:
            return Msg(
                "{unmetered} of {days} days are not metered: the invoice "
                "stays counted, the metered days twice; split the invoice or add meter readings",
                unmetered=self.unmetered_days, days=self.invoice.days,
            )
        if self.within_tolerance is False:
            return Msg(
                "the invoice differs from the meters by {difference}, more than the tolerance of {tolerance}",
                difference=format(self.difference_percent, ".2f") + " %", tolerance=f"{self.tolerance_percent} %",
            )
        return Msg("superseded by the meter readings")


def reconcile(
    invoices: Iterable[Reading],
    meters: Iterable[Reading],
    tolerance_percent: Decimal = DEFAULT_TOLERANCE_PERCENT,
) -> list[Reconciliation]:
    """Every invoice that a meter reading of its stream overlaps, reconciled (others: none)."""
    by_stream: dict[tuple, list[Reading]] = defaultdict(list)
    for meter in meters:
        by_stream[meter.stream].append(meter)
    for readings in by_stream.values():
        readings.sort(key=lambda r: (r.start, r.end))
    results = []
    for invoice in invoices:
        overlapping = [
            m for m in by_stream.get(invoice.stream, ())
            if m.start <= invoice.end and m.end >= invoice.start
        ]
        if not overlapping:
            continue
        results.append(Reconciliation(
            invoice=invoice,
            meter_ids=tuple(m.record_id for m in overlapping),
            metered_quantity=_attributed(invoice, overlapping),
            unmetered_days=_unmetered_days(invoice, overlapping),
            tolerance_percent=tolerance_percent,
        ))
    return results


def _unmetered_days(invoice: Reading, meters: Sequence[Reading]) -> int:
    """Days of the invoice that no meter record covers (meters sorted by start)."""
    missing, cursor = 0, invoice.start  # the first day not yet known to be covered
    for meter in meters:
        if meter.start > cursor:
            missing += (min(meter.start, invoice.end + dt.timedelta(days=1)) - cursor).days
        cursor = max(cursor, meter.end + dt.timedelta(days=1))
        if cursor > invoice.end:
            break
    if cursor <= invoice.end:
        missing += (invoice.end - cursor).days + 1
    return missing


def _attributed(invoice: Reading, meters: Sequence[Reading]) -> Decimal:
    """The metered quantity of the invoice's days: each meter record shared out by its days."""
    total = Decimal(0)
    with localcontext(_RATIO):
        for meter in meters:
            overlap = (min(meter.end, invoice.end) - max(meter.start, invoice.start)).days + 1
            quantity = convert(meter.quantity, meter.unit, invoice.unit)
            total += quantity * overlap / meter.days
    return total
