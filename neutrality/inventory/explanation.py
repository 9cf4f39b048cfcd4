"""The calculation trail of one figure of an inventory report: from a total by scope, Scope 3
category, gas or site down to the activity records it sums, each with the factor and the GWPs
that made its share of the figure.

Each record's share is read from its own trail (:meth:`InventoryResult.trail`), the same rates
the totals are made of, so the shares add up to the figure (Scope 2 market-based shares of a
site's certificate coverage are divided at 50 digits: their sum may differ in the last of them).

Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from neutrality.errors import InvalidInput
from neutrality.inventory.calculation import (
    EXACT,
    ActivityResult,
    ActivityTrail,
    GasEmission,
    is_scope2_electricity,
)
from neutrality.inventory.model import Scope
from neutrality.messages import Msg
from neutrality.units import tidy

ZERO = Decimal(0)


class FigureKind(StrEnum):
    """Which total of the report a figure is (the report's ``by_…`` tables, and the total)."""

    TOTAL = "total"
    SCOPE = "scope"
    SCOPE3_CATEGORY = "category"
    GAS = "gas"
    SITE = "site"


class Basis(StrEnum):
    """Scope 2 electricity on the grid's average (location) or on contracts and certificates
    (market); Scopes 1 and 3 are the same on both."""

    LOCATION = "location"
    MARKET = "market"


@dataclass(frozen=True)
class Figure:
    """One figure of the report: ``kind`` and its key (the scope 1–3, the category 1–15, the gas
    code, the site id; none for the total), on one basis."""

    kind: FigureKind
    key: str | None
    basis: Basis

    @classmethod
    def parse(cls, kind: str, key: str | None, basis: str) -> Figure:
        """The figure a page names, refused in words when it names none of the report's."""
        try:
            figure_kind, figure_basis = FigureKind(kind), Basis(basis)
        except ValueError:
            raise InvalidInput(Msg("no such figure of the inventory report: {kind}, {basis}", kind=kind, basis=basis),
                               {"figure": ["unknown"]}) from None
        key = (key or "").strip() or None
        if figure_kind is FigureKind.TOTAL:
            return cls(figure_kind, None, figure_basis)
        if key is None:
            raise InvalidInput(Msg("say which {kind} the figure is of", kind=kind), {"key": ["missing"]})
        # scopes 1–3, Scope 3 categories 1–15, and sites by an id a database column can hold
        numbers = {FigureKind.SCOPE: range(1, 4), FigureKind.SCOPE3_CATEGORY: range(1, 16),
                   FigureKind.SITE: range(1, 2**63)}
        if figure_kind in numbers and not (
                key.isascii() and key.isdigit() and len(key) < 20 and int(key) in numbers[figure_kind]):
            raise InvalidInput(Msg("no such figure of the inventory report: {kind} {key}", kind=kind, key=key),
                               {"key": ["unknown"]})
        return cls(figure_kind, key, figure_basis)


@dataclass(frozen=True)
class TrailLine:
    """One record's part in a figure: the calculation counted on the figure's basis (None for
    electricity that certificates cover entirely, market-based), the gases of it the figure
    holds, and their tCO2e."""

    trail: ActivityTrail
    result: ActivityResult | None
    gases: tuple[GasEmission, ...]
    tco2e: Decimal


def _counted(trail: ActivityTrail, basis: Basis) -> ActivityResult | None:
    if basis is Basis.MARKET and is_scope2_electricity(trail.activity):
        return trail.market.result if trail.market is not None else trail.result
    return trail.result


def _in(figure: Figure, trail: ActivityTrail) -> bool:
    activity = trail.activity
    match figure.kind:
        case FigureKind.SCOPE:
            return Scope(activity.scope).value == int(figure.key or 0)
        case FigureKind.SCOPE3_CATEGORY:
            return Scope(activity.scope) is Scope.SCOPE_3 and activity.scope3_category == int(figure.key or 0)
        case FigureKind.SITE:
            return activity.site_id == int(figure.key or 0)
        case _:
            return True


def figure_trail(trails: Iterable[ActivityTrail], figure: Figure) -> Iterator[TrailLine]:
    """The records that make ``figure``, each with its share of it, in the order given. A gas's
    figure takes only that gas of each record, and leaves out the records without it."""
    for trail in trails:
        if not _in(figure, trail):
            continue
        result = _counted(trail, figure.basis)
        gases = result.gases if result is not None else ()
        if figure.kind is FigureKind.GAS:
            gases = tuple(g for g in gases if g.gas == figure.key)
            if not gases:
                continue
        with localcontext(EXACT):
            share = sum((g.tco2e for g in gases), ZERO)
        yield TrailLine(trail, result, gases, tidy(share))


def total_of(shares: Iterable[TrailLine | Decimal]) -> Decimal:
    """The shares (of lines, or the figures themselves) added up, exactly."""
    with localcontext(EXACT):
        return tidy(sum((s.tco2e if isinstance(s, TrailLine) else s for s in shares), ZERO))
