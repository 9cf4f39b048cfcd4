"""Figures rounded for people: the one place where anything is rounded.

Pure: no Flask, no database, no schema library.

Every figure the application keeps, calculates and answers is exact (a decimal string in JSON:
``"76.62188809"``). Where the API shows a total or a percentage to people, the object that holds
it also carries ``"display": {...}``: the same keys, each the figure rounded here for reading
(``"76.62"``). The exact figure is never replaced or changed; ``display`` is derived from it when
an answer is written (the schemas' :class:`neutrality.schemas.Display` field, for every endpoint
alike) and the command line's tables print it instead of the exact figure (:func:`for_people`).

Rounding is ROUND_HALF_UP (2.345 → 2.35, −2.345 → −2.35): it is what people are taught and what
verification statements, invoices and registry certificates use, so a rounded figure matches
the one a reader works out by hand or finds on paper. (Python's default, half-even, would print
2.345 as 2.34 and look like a mistake.) A figure that rounds to zero is written without a sign:
"-0.00" says nothing a reader can use.

The kinds of figure, by unit:

- :data:`TONNES` — tCO2e and tonnes of a gas: 2 decimals, thousands separators
  ("1,234,567.89"); ten kilograms is below what any inventory claims to know.
- :data:`QUANTITY` — MWh of electricity and of certificates, and activity quantities in their
  own unit (kWh, m³, t, L): 3 decimals, thousands separators ("2,434.568"); a thousandth of a MWh
  is one kWh, the resolution of an electricity bill.
- :data:`PERCENT` — 1 decimal ("12.3"); the "%" is implied by the key (``…_percent``,
  ``percent``), which stays the field's own name.
- :data:`COUNT` — units of credits and certificates, blocks, invoices: whole numbers with
  thousands separators ("3,900,000"). A count given as a decimal is rounded half-up to a whole.
- :data:`MONEY` — a cost in one currency: 2 decimals, thousands separators ("193,784.50").

Where display companions are answered (each object lists its figures in its schema's ``display``
field; a map of figures, such as ``by_scope``, is rounded value by value):

- inventory report (``…/inventories/{id}/report``): ``location_based`` and ``market_based``
  (``tco2e``, ``by_scope``, ``by_scope3_category``, ``by_site``, ``by_iso_category``; each gas
  of ``by_gas``: ``mass_t``, ``tco2e``), each site of ``scope2_market_by_site`` (its MWh and
  tCO2e), ``uncertainty`` (``percent``, ``by_scope`` and its counts of records and factors) and ``metering``
  (its counts and ``superseded_quantity_by_unit``);
- metering reconciliations: ``invoice_quantity``, ``metered_quantity``, ``difference``,
  ``difference_percent`` (the invoice's own quantity is rounded too: it is one side of the
  comparison the reader looks at);
- a dry-run import: each total of the preview (``rows``, ``quantity``) and the estimate
  (``rows``, ``location_by_scope``, ``market_by_scope``, ``location_tco2e``, ``market_tco2e``);
- the base-year check: ``verified_tco2e``, ``recalculated_tco2e``, ``change_percent``;
- the balance: every tCO2e, MWh and percentage, and ``retired_by_scheme`` (counts);
- the needs: each market's MWh and the credits' tCO2e;
- the retirement plan: per market and for credits ``need``, ``units_needed``, ``planned``,
  ``shortfall``, ``over`` and their MWh or tCO2e; the plan's ``cost`` and
  ``units_without_price``;
- holdings: ``quantity``, ``blocks``, ``cost``, ``units_without_price``;
- achieved reductions (``…/periods/{id}/reductions``): each total and line of a comparison
  (its tCO2e before and after, change, parts and reductions).

Machine inputs echoed back have no display: a factor's values and NCV, a record's quantity and
uncertainty, an inventory's thresholds (and the base-year check's ``threshold_percent``), a
block's or a plan line's units and a unit price, an exclusion's estimated share, a verification's
materiality; nor has the trail of one record (its steps are the calculation, exact).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any


@dataclass(frozen=True)
class Kind:
    """How one kind of figure is written for people: ``places`` decimals, thousands separated."""

    name: str
    places: int
    unit: str

    def describe(self) -> str:
        decimals = "a whole number" if self.places == 0 else f"{self.places} decimal{'s' if self.places > 1 else ''}"
        return f"{self.unit}, rounded half-up to {decimals}, with thousands separators"


TONNES = Kind("tonnes", 2, "tonnes (tCO2e)")
QUANTITY = Kind("quantity", 3, "MWh or the quantity's own unit")
PERCENT = Kind("percent", 1, "a percentage")
COUNT = Kind("count", 0, "a count of units")
MONEY = Kind("money", 2, "an amount of money")


def rounded(value: Decimal | int | str | None, kind: Kind) -> str | None:
    """``value`` (an exact figure: a Decimal, an int or the decimal string the API writes) as
    people read it; None stays None.

    >>> rounded("1234567.891", TONNES)
    '1,234,567.89'
    >>> rounded("-0.004", TONNES)
    '0.00'
    """
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a figure")
    step = Decimal(1).scaleb(-kind.places)
    # Enough digits for the figure as large as it is: quantize() signals, rather than rounds,
    # when the result has more digits than the context keeps (28 by default).
    with localcontext() as context:
        context.prec = max(28, number.adjusted() + kind.places + 2)
        context.rounding = ROUND_HALF_UP
        result = number.quantize(step)
        if result.is_zero():
            result = result.copy_abs()  # "-0.00" → "0.00"
        return f"{result:,f}"


def displayed(figures: Mapping[str, Any], kinds: Mapping[str, Kind]) -> dict[str, Any]:
    """The ``display`` companion of an object: each of its ``figures`` named in ``kinds``,
    rounded; a map of figures (``{"1": "12.5", …}``) rounded value by value. A figure the object
    does not have is left out."""
    companion: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name not in figures:
            continue
        value = figures[name]
        if isinstance(value, Mapping):
            companion[name] = {key: rounded(item, kind) for key, item in value.items()}
        else:
            companion[name] = rounded(value, kind)
    return companion


def for_people(data: Any) -> Any:
    """JSON values with every object's figures replaced by their ``display`` companions (and the
    companion itself left out): what a table prints. Maps are merged key by key, so a figure
    without a companion stays as it is."""
    if isinstance(data, list):
        return [for_people(item) for item in data]
    if not isinstance(data, Mapping):
        return data
    shown = {key: for_people(value) for key, value in data.items() if key != "display"}
    companion = data.get("display")
    if isinstance(companion, Mapping):
        for key, value in companion.items():
            if isinstance(value, Mapping) and isinstance(shown.get(key), Mapping):
                shown[key] = {**shown[key], **value}
            elif key in shown:
                shown[key] = value
    return shown
