"""Achieved reductions: one inventory against an earlier one, per scope, site and source, and
what the register's measures achieved.

Pure: no Flask, no database.

Every change is split as :func:`neutrality.reductions.progress.decompose` splits a source's:
``change = due_to_activity + due_to_factor`` (Δactivity × old factor, new activity × Δfactor),
and each group's parts are the sums of its sources' parts, exactly. A *reduction* is −change
(positive when emissions fell). The **achieved reduction** counts only the activity part,
−due_to_activity: less gas burned, fewer MWh drawn. A factor revised by its publisher, a greener
grid or a new residual mix changes the figures without anything done at the factory, so the
factor part is shown beside it (``factor_reduction``), never added to it.

Scope 2 is compared on both bases. Location-based is the physical comparison, and the one the
achieved reduction and the measures are read from. Market-based is shown for Scope 2 with its
own split; a change there from supplier rates, a new residual mix or certificates is a change of
the factor the MWh carry, not of the MWh, so it falls in ``due_to_factor`` and is not an achieved
reduction (GHG Protocol Scope 2 Guidance ch. 7: instruments do not reduce the energy used;
ISO 14068-1 §9 keeps reductions apart from what is bought). The inventories compared here carry
no certificate at all: the claim applies them (:mod:`neutrality.claims`).

Measures: a measure done or in progress whose end date falls before the later period began, and
not before the earlier one began (a measure finished before both is in both inventories), acts
on its sources: its site (every site for an organisation-wide measure), its scope and the
source it names (matched without regard to case or spacing; a measure naming no source acts on
its whole scope). Its achieved reduction is −due_to_activity of those sources. A source two
measures act on is reported once, as *shared* with the others named, and counted once in the
total attributed to measures; the part no measure claims is reported as unattributed (a fall in
output, a measure not in the register).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from neutrality.messages import Msg, joined
from neutrality.reductions.measures import Measure, MeasureStatus
from neutrality.reductions.progress import SourceChange, SourceFigures, decompose
from neutrality.reductions.targets import PRECISION
from neutrality.units import tidy

ACTING = frozenset({MeasureStatus.DONE, MeasureStatus.IN_PROGRESS})
ZERO = Decimal(0)


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Figures:
    """tCO2e before and after, the change and its two parts (None when the inventories give
    totals only and the change cannot be split)."""

    old_tco2e: Decimal
    new_tco2e: Decimal
    change: Decimal  # new − old
    due_to_activity: Decimal | None
    due_to_factor: Decimal | None

    @property
    def reduction(self) -> Decimal:
        """−change: positive when emissions fell."""
        return tidy(-self.change)

    @property
    def achieved_reduction(self) -> Decimal | None:
        """−due_to_activity: what was done, a factor's revision left out."""
        return None if self.due_to_activity is None else tidy(-self.due_to_activity)

    @property
    def factor_reduction(self) -> Decimal | None:
        """−due_to_factor: what the factors moved, shown apart (not a reduction achieved)."""
        return None if self.due_to_factor is None else tidy(-self.due_to_factor)


def _summed(changes: Iterable[SourceChange]) -> Figures:
    parts = [ZERO] * 5
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for c in changes:
            for index, value in enumerate((c.old_tco2e, c.new_tco2e, c.change, c.due_to_activity, c.due_to_factor)):
                parts[index] += value
    return Figures(*(tidy(p) for p in parts))


@dataclass(frozen=True)
class Line:
    """A group of sources: a scope, a site, or one named source of a site and scope."""

    figures: Figures
    scope: int | None = None
    site_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Comparison:
    """One inventory against an earlier one on one basis ("location", or "market" for Scope 2)."""

    basis: str
    split: bool  # False: totals by scope only (an inventory made with another tool)
    total: Figures
    by_scope: tuple[Line, ...]
    by_site: tuple[Line, ...] = ()
    by_source: tuple[Line, ...] = ()  # site · scope · name, its kinds together
    sources: tuple[SourceChange, ...] = ()  # site · scope · name · kind: what the split is made of


def _grouped(changes: Sequence[SourceChange], key: Callable[[SourceChange], Any],
             line: Callable[[Figures, Any], Line]) -> tuple[Line, ...]:
    groups: dict[Any, list[SourceChange]] = {}
    for change in changes:
        groups.setdefault(key(change), []).append(change)
    return tuple(line(_summed(members), k) for k, members in sorted(groups.items(), key=lambda item: str(item[0])))


def compare(old: Sequence[SourceFigures], new: Sequence[SourceFigures], basis: str = "location") -> Comparison:
    """``new`` against ``old``, source by source, then per scope, site and named source."""
    sources = decompose(old, new).sources
    shown: dict[tuple[int | None, int | None, str], str] = {}  # each named source as first written
    for c in sources:
        shown.setdefault((c.site_id, c.scope, _name(c.name)), c.name)
    return Comparison(
        basis=basis, split=True, total=_summed(sources),
        by_scope=_grouped(sources, lambda c: c.scope, lambda f, k: Line(f, scope=k)),
        by_site=_grouped(sources, lambda c: c.site_id, lambda f, k: Line(f, site_id=k)),
        by_source=_grouped(sources, lambda c: (c.site_id, c.scope, _name(c.name)),
                           lambda f, k: Line(f, scope=k[1], site_id=k[0], name=shown[k])),
        sources=sources,
    )


def compare_totals(old: Mapping[int, Decimal], new: Mapping[int, Decimal], basis: str = "location",
                   scopes: Iterable[int] = (1, 2, 3)) -> Comparison:
    """Totals by scope only (an inventory made with another tool has no records to split): the
    change, neither its parts nor an achieved reduction."""
    lines = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for scope in scopes:
            was, now = Decimal(old.get(scope, ZERO)), Decimal(new.get(scope, ZERO))
            lines.append(Line(Figures(tidy(was), tidy(now), tidy(now - was), None, None), scope=scope))
        was = sum((line.figures.old_tco2e for line in lines), ZERO)
        now = sum((line.figures.new_tco2e for line in lines), ZERO)
    return Comparison(basis=basis, split=False, total=Figures(tidy(was), tidy(now), tidy(now - was), None, None),
                      by_scope=tuple(lines))


# --- measures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """What one measure achieved between the two inventories, or why nothing is read for it.

    ``achieved_reduction`` is −due_to_activity (location-based) of the sources only this measure
    acts on; ``shared_reduction`` that of the sources it shares with ``shared_with`` (counted
    once in :attr:`Achieved.attributed_reduction`); ``factor_reduction`` what the factors of all
    its sources moved, shown apart. ``market_achieved_reduction``: a Scope 2 measure's sources of
    its own on the market basis.
    """

    measure_id: int
    acts: bool  # done or in progress, and ended between the two periods' starts
    sources: tuple[str, ...] = ()  # the keys of the sources it acts on
    achieved_reduction: Decimal | None = None
    shared_reduction: Decimal | None = None
    shared_with: tuple[int, ...] = ()
    factor_reduction: Decimal | None = None
    market_achieved_reduction: Decimal | None = None
    note: Msg | None = None  # why it does not act, its sources were not found, or what it shares


def _acts(measure: Measure, earlier_start: dt.date, later_start: dt.date) -> Msg | None:
    """None when the measure acts between the two periods, else why not."""
    if measure.status not in ACTING:
        return Msg("it is {status}: only a measure done or in progress is read from the inventories",
                   status=measure.status.label)
    if measure.end is None:
        return Msg("it has no end date: it cannot be placed before the period")
    if measure.end >= later_start:
        return Msg("it ends on {end}, not before the period began on {start}", end=measure.end.isoformat(),
                   start=later_start.isoformat())
    if measure.end < earlier_start:
        return Msg("it ended on {end}, before the earlier period began on {start}: it is in both inventories",
                   end=measure.end.isoformat(), start=earlier_start.isoformat())
    return None


def _matches(measure: Measure, change: SourceChange) -> bool:
    return (change.scope == int(measure.scope)
            and (measure.site_id is None or change.site_id == measure.site_id)
            and (not measure.source or _name(change.name) == _name(measure.source)))


def _not_found(measure: Measure) -> Msg:
    where = Msg(" at site {site}", site=measure.site_id) if measure.site_id is not None else ""
    if measure.source:
        return Msg("no source named '{source}' in Scope {scope}{where} in either inventory",
                   source=measure.source, scope=int(measure.scope), where=where)
    return Msg("no Scope {scope} source{where} in either inventory", scope=int(measure.scope), where=where)


def _reduction(changes: Iterable[SourceChange], part: str = "due_to_activity") -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return tidy(-sum((getattr(c, part) for c in changes), ZERO))


def attribute(measures: Sequence[tuple[int, Measure]], location: Comparison, market: Comparison | None,
              earlier_start: dt.date, later_start: dt.date) -> tuple[tuple[Attribution, ...], Decimal | None]:
    """Each measure's attribution, in the order given, and the reduction attributed to measures
    (each source once). On a comparison of totals only, nothing can be attributed."""
    if not location.split:
        totals_only = Msg("an inventory made with another tool gives totals only: no source to read a measure from")
        reasons = [(mid, _acts(m, earlier_start, later_start)) for mid, m in measures]
        return tuple(Attribution(mid, reason is None, note=reason or totals_only) for mid, reason in reasons), None
    acting: dict[int, tuple[Measure, list[SourceChange]]] = {}
    refused: dict[int, Msg] = {}
    for mid, m in measures:
        reason = _acts(m, earlier_start, later_start)
        if reason is not None:
            refused[mid] = reason
        else:
            acting[mid] = (m, [c for c in location.sources if _matches(m, c)])
    owners: dict[str, list[int]] = {}
    for mid, (_, found) in acting.items():
        for change in found:
            owners.setdefault(change.source, []).append(mid)
    market_by_key = {c.source: c for c in (market.sources if market is not None and market.split else ())}
    results = []
    for mid, m in measures:
        if mid in refused:
            results.append(Attribution(mid, False, note=refused[mid]))
            continue
        found = acting[mid][1]
        if not found:
            results.append(Attribution(mid, True, note=_not_found(m)))
            continue
        own = [c for c in found if len(owners[c.source]) == 1]
        shared = [c for c in found if len(owners[c.source]) > 1]
        others = tuple(sorted({o for c in shared for o in owners[c.source] if o != mid}))
        note = None
        if shared:
            note = Msg("it shares {sources} with measure(s) {measures}: that reduction is reported once, as "
                       "shared, and counted once in the total", sources=joined((c.name for c in shared), ", "),
                       measures=", ".join(map(str, others)))
        market_own = [market_by_key[c.source] for c in own if c.source in market_by_key]
        results.append(Attribution(
            mid, True, tuple(c.source for c in found), _reduction(own), _reduction(shared) if shared else None,
            others, _reduction(found, "due_to_factor"),
            _reduction(market_own) if int(m.scope) == 2 and market_own else None, note,  # noqa: PLR2004
        ))
    claimed = [c for c in location.sources if c.source in owners]
    return tuple(results), _reduction(claimed)


@dataclass(frozen=True)
class Achieved:
    """A period against an earlier one: the comparisons and what the measures achieved."""

    location: Comparison  # every scope, Scope 2 location-based
    scope2_market: Comparison  # Scope 2 market-based
    measures: tuple[Attribution, ...]
    attributed_reduction: Decimal | None  # to measures, each source once (None: totals only)

    @property
    def unattributed_reduction(self) -> Decimal | None:
        """The achieved reduction no measure acts on (output fell, a measure not registered)."""
        achieved = self.location.total.achieved_reduction
        if achieved is None or self.attributed_reduction is None:
            return None
        return tidy(achieved - self.attributed_reduction)


def achieved(old: Sequence[SourceFigures], new: Sequence[SourceFigures],
             old_market: Sequence[SourceFigures], new_market: Sequence[SourceFigures],
             measures: Sequence[tuple[int, Measure]], earlier_start: dt.date, later_start: dt.date) -> Achieved:
    """``old``/``new``: every scope, location-based; ``old_market``/``new_market``: Scope 2
    market-based (figures of :mod:`neutrality.reductions.inventory_sources`)."""
    location = compare(old, new)
    market = compare(old_market, new_market, "market")
    attributions, attributed = attribute(measures, location, market, earlier_start, later_start)
    return Achieved(location, market, attributions, attributed)


def achieved_from_totals(old: Mapping[str, Mapping[int, Decimal]], new: Mapping[str, Mapping[int, Decimal]],
                         measures: Sequence[tuple[int, Measure]], earlier_start: dt.date,
                         later_start: dt.date) -> Achieved:
    """The same from totals by scope (``{"location": {scope: tCO2e}, "market": {…}}``): no split,
    nothing attributed."""
    location = compare_totals(old["location"], new["location"])
    market = compare_totals(old["market"], new["market"], "market", scopes=(2,))
    attributions, attributed = attribute(measures, location, market, earlier_start, later_start)
    return Achieved(location, market, attributions, attributed)
