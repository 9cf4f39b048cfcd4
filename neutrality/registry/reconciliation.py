"""Reconciliation, the pure half: our retirement ledger against a registry's retirement export.

A verifier checks that what the ledger says was retired for a claim is what the registry shows
retired, for the claiming entity, in time (ISO 14068-1:2023 §11: credits retired within 12
months after the end of the period), and that no unit of it serves another claim (seed 003
§9.1 note: credits used must never serve any other purpose). :func:`reconcile` lists every
difference as a :class:`Mismatch` with a sentence a verifier can paste into a finding; the
service (:mod:`neutrality.registry.reconciling`) reads the file and the database.

Units of one scheme and issuance key are integers (:mod:`neutrality.registry.blocks`), so
"which registry rows touch which retirement" is an interval problem: a sweep per
``(scheme, issuance_key)`` in start order finds every overlapping pair in
O((n + m) log(n + m) + pairs), where comparing every retirement with every row would be
O(n × m) for a public export of hundreds of thousands of rows.

Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import heapq
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from neutrality.commitments.model import RETIREMENT_WINDOW_MONTHS
from neutrality.messages import Msg

# --- values ------------------------------------------------------------------------------------


class MismatchKind(StrEnum):
    """What can differ between the ledger and the registry; the order is the report's order
    for mismatches about the same units."""

    MISSING_AT_REGISTRY = "missing_at_registry"
    QUANTITY_DIFFERS = "quantity_differs"
    BENEFICIARY_MISMATCH = "beneficiary_mismatch"
    AFTER_DEADLINE = "after_deadline"
    DATE_DIFFERS = "date_differs"
    OVERLAPS_ANOTHER_ORGANISATION = "overlaps_another_organisation"
    NOT_RECORDED_HERE = "not_recorded_here"


_KIND_ORDER = {kind: index for index, kind in enumerate(MismatchKind)}


@dataclass(frozen=True)
class LedgerEntry:
    """A retirement in force in our ledger, with the deadline of its period (None: none known)."""

    id: int
    period_id: int
    scheme: str
    issuance_key: str
    start: int
    end: int
    retired_on: dt.date
    deadline: dt.date | None

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class RegistryRetirement:
    """A retired row of a registry export, its serial decoded (the caller checked that the
    row's quantity is the serial range). ``row`` is the spreadsheet row (header = 1)."""

    row: int
    scheme: str
    issuance_key: str
    start: int
    end: int
    retired_on: dt.date | None
    beneficiary: str

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class RetiredElsewhere:
    """Units another organisation of this system holds retired. Which one is never said.

    ``beneficiary`` is None for a retirement in that organisation's ledger (a claim in itself).
    For a block it imported with the status "retired", it is the registry's beneficiary: a block
    retired for *our* claimant is that organisation's copy of a public export, not a claim.
    """

    scheme: str
    issuance_key: str
    start: int
    end: int
    beneficiary: str | None = None


@dataclass(frozen=True)
class Mismatch:
    """One difference. ``start``..``end`` are the units it is about; ``details`` holds the
    figures the sentence gives, as plain values (ints, ISO dates, strings, lists of them)."""

    kind: MismatchKind
    sentence: str
    retirement_id: int | None
    registry_row: int | None
    scheme: str
    issuance_key: str
    start: int
    end: int
    details: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1

    def sort_key(self) -> tuple:
        return (self.scheme, self.issuance_key, self.start, self.end, _KIND_ORDER[self.kind],
                self.retirement_id or 0, self.registry_row or 0)


@dataclass(frozen=True)
class Summary:
    #: retirements of ours checked (those in force, of the period when one is chosen)
    entries_checked: int
    #: retired rows of the export (issued and cancelled rows are not read)
    registry_retired_rows: int
    #: retirements of ours with no mismatch at all: same units, our claimant, same date, in time
    entries_matched: int
    #: retired rows that touch no retirement of ours and do not name us (everyone else's)
    unrelated_rows: int
    #: retired rows that touch only retirements of ours for other periods than the one checked
    rows_for_other_periods: int
    #: every kind, zero included
    mismatches_by_kind: Mapping[str, int]


@dataclass(frozen=True)
class Report:
    summary: Summary
    mismatches: tuple[Mismatch, ...]


# --- who the claimant is -----------------------------------------------------------------------


def _ignored(char: str) -> bool:
    """Whitespace, punctuation, symbols and invisible characters: not part of a name."""
    return char.isspace() or unicodedata.category(char)[0] in "PZSC"


def _unspaced(char: str) -> bool:
    """Characters of scripts written without spaces between words (Chinese, Japanese, Korean
    blocks are wide): a name ends or starts anywhere next to one."""
    return unicodedata.east_asian_width(char) in ("W", "F")


@dataclass(frozen=True)
class _Compact:
    """A text folded for comparison (NFKC, case-folded), without whitespace and punctuation;
    ``breaks[i]`` says whether something was dropped before character i (or i is the start);
    ``breaks[len(text)]`` is the end."""

    text: str
    breaks: tuple[bool, ...]


def _compact(raw: str) -> _Compact:
    # NFKC folds full-width letters and compatibility forms; case-folding can leave text that
    # NFKC changes again, so the fold is normalised once more (Unicode's NFKC_Casefold idea).
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
    chars: list[str] = []
    breaks: list[bool] = []
    pending = True
    for char in folded:
        if _ignored(char):
            pending = True
            continue
        chars.append(char)
        breaks.append(pending)
        pending = False
    breaks.append(True)
    return _Compact("".join(chars), tuple(breaks))


def _edge(text: _Compact, index: int) -> bool:
    """May a name begin or end at ``index`` of ``text``? At a dropped separator, at either end,
    or beside a character of an unspaced script: "Org 1" is not in "Org 12 Ltd", while 苏辉光伏
    is in 苏辉光伏科技有限公司."""
    if text.breaks[index]:
        return True
    return _unspaced(text.text[index - 1]) or _unspaced(text.text[index])


class ClaimantNames:
    """The names of the claiming entity (short name, legal name, English name…), folded once.

    A beneficiary text names the claimant when one of the names appears in it, whole, ignoring
    case, width, whitespace and punctuation: registries write the beneficiary as free text
    ("苏辉光伏科技有限公司 Suhui PV", "SUHUI PV CO., LTD.").
    """

    def __init__(self, names: Iterable[str]):
        self.names = tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))
        self._folded = tuple(f for f in (_compact(n) for n in self.names) if f.text)

    def named_in(self, beneficiary: str) -> bool:
        text = _compact(beneficiary)
        for name in self._folded:
            at = text.text.find(name.text)
            while at >= 0:
                if _edge(text, at) and _edge(text, at + len(name.text)):
                    return True
                at = text.text.find(name.text, at + 1)
        return False

    def __str__(self) -> str:
        return " / ".join(self.names) or "(no name)"


def names_claimant(beneficiary: str, claimant_names: Iterable[str]) -> bool:
    """True when ``beneficiary`` names one of ``claimant_names`` (see :class:`ClaimantNames`)."""
    return ClaimantNames(claimant_names).named_in(beneficiary)


# --- overlaps ----------------------------------------------------------------------------------


class _Range(Protocol):
    @property
    def scheme(self) -> str: ...
    @property
    def issuance_key(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def _cross_overlaps(left: Sequence[_Range], right: Sequence[_Range]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)`` of ``left[i]`` and ``right[j]`` sharing a unit, sorted.

    One sweep per numbering in start order with the open ranges of each side in a heap by end:
    a range overlaps exactly the open ranges of the other side. Unlike
    :func:`neutrality.registry.blocks.find_overlaps` it never pairs two ranges of one side
    (two tenants' copies of one public export overlap each other by the thousand).
    """
    events = sorted(
        [(r.scheme, r.issuance_key, r.start, 0, i) for i, r in enumerate(left)]
        + [(r.scheme, r.issuance_key, r.start, 1, j) for j, r in enumerate(right)]
    )
    pairs: list[tuple[int, int]] = []
    open_ranges: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    numbering: tuple[str, str] | None = None
    for scheme, key, start, side, index in events:
        if (scheme, key) != numbering:
            numbering, open_ranges = (scheme, key), ([], [])
        other = open_ranges[1 - side]
        while other and other[0][0] < start:
            heapq.heappop(other)
        if side == 0:
            pairs.extend((index, j) for _, j in other)
            heapq.heappush(open_ranges[0], (left[index].end, index))
        else:
            pairs.extend((i, index) for _, i in other)
            heapq.heappush(open_ranges[1], (right[index].end, index))
    return sorted(pairs)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans joined where they overlap or touch, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _units(spans: Iterable[tuple[int, int]]) -> int:
    return sum(end - start + 1 for start, end in spans)


def _span_text(spans: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in spans)


# --- the reconciliation ------------------------------------------------------------------------


def reconcile(
    entries: Iterable[LedgerEntry],
    registry_rows: Iterable[RegistryRetirement],
    claimant_names: Iterable[str],
    other_org_ranges: Iterable[RetiredElsewhere] = (),
    *,
    recorded_elsewhere: Iterable[LedgerEntry] = (),
) -> Report:
    """Every difference between our retirements ``entries`` and the retired ``registry_rows``.

    Per retirement of ours, with the registry rows sharing units with it:

    - none: ``missing_at_registry``;
    - rows whose ranges, joined, are not exactly ours: ``quantity_differs``;
    - each row whose beneficiary does not name the claimant (or names nobody):
      ``beneficiary_mismatch``;
    - the latest registry date (ours when the registry gives none) after the period's
      deadline: ``after_deadline``;
    - each row whose date is not our ``retired_on``: ``date_differs``;
    - units also retired by another organisation of this system (``other_org_ranges``):
      ``overlaps_another_organisation``, without saying which.

    Retired rows sharing no unit with any retirement of ours (``entries`` or
    ``recorded_elsewhere``, the organisation's retirements for other periods when only one
    period is checked) are ``not_recorded_here`` when they name the claimant, and otherwise
    only counted: a public export lists everyone's retirements. A row that shares some units
    with ours and has more shows as ``quantity_differs`` on our retirement, not twice.
    """
    checked = sorted(entries, key=lambda e: e.id)
    elsewhere = sorted(recorded_elsewhere, key=lambda e: e.id)
    rows = sorted(registry_rows, key=lambda r: r.row)
    others = list(other_org_ranges)
    claimant = ClaimantNames(claimant_names)
    ours = claimant.named_in  # one fold per row; rows are looked at once or twice

    rows_of: list[list[RegistryRetirement]] = [[] for _ in checked]
    touched_by_checked: set[int] = set()
    touched_by_elsewhere: set[int] = set()
    for i, j in _cross_overlaps(checked + elsewhere, rows):
        if i < len(checked):
            rows_of[i].append(rows[j])
            touched_by_checked.add(j)
        else:
            touched_by_elsewhere.add(j)
    others_of: list[list[RetiredElsewhere]] = [[] for _ in checked]
    for i, j in _cross_overlaps(checked, others):
        if others[j].beneficiary is None or not ours(others[j].beneficiary):
            others_of[i].append(others[j])

    found: list[Mismatch] = []
    matched = 0
    for entry, its_rows, its_others in zip(checked, rows_of, others_of, strict=True):
        problems = _entry_mismatches(entry, its_rows, its_others, claimant)
        matched += not problems
        found.extend(problems)

    unrelated = other_periods = 0
    for j, row in enumerate(rows):
        if j in touched_by_checked:
            continue
        if j in touched_by_elsewhere:
            other_periods += 1
        elif ours(row.beneficiary):
            found.append(_not_recorded(row, claimant))
        else:
            unrelated += 1

    found.sort(key=Mismatch.sort_key)
    by_kind = {kind.value: 0 for kind in MismatchKind}
    for mismatch in found:
        by_kind[mismatch.kind.value] += 1
    summary = Summary(len(checked), len(rows), matched, unrelated, other_periods, by_kind)
    return Report(summary, tuple(found))


def _entry_mismatches(
    entry: LedgerEntry, rows: Sequence[RegistryRetirement], others: Sequence[RetiredElsewhere],
    claimant: ClaimantNames,
) -> list[Mismatch]:
    ours = _span_text([(entry.start, entry.end)])
    facts = {"id": entry.id, "scheme": entry.scheme, "span": ours, "units": format(entry.quantity, ",")}
    what = Msg("our retirement {id} ({scheme} {span}, {units} units)", **facts)
    What = Msg("Our retirement {id} ({scheme} {span}, {units} units)", **facts)  # noqa: N806 - a sentence's start

    def mismatch(kind: MismatchKind, sentence: str, start: int, end: int, row: int | None = None,
                 **details: object) -> Mismatch:
        return Mismatch(kind, sentence, entry.id, row, entry.scheme, entry.issuance_key, start, end, details)

    found: list[Mismatch] = []
    if not rows:
        found.append(mismatch(
            MismatchKind.MISSING_AT_REGISTRY,
            Msg("The registry export shows none of the units of {what} retired.", what=what),
            entry.start, entry.end, ledger_quantity=entry.quantity))
    else:
        spans = _merged((r.start, r.end) for r in rows)
        if spans != [(entry.start, entry.end)]:
            shown = _merged((max(r.start, entry.start), min(r.end, entry.end)) for r in rows)
            row_numbers = [r.row for r in rows]
            rows_text = ", ".join(str(n) for n in row_numbers)
            found.append(mismatch(
                MismatchKind.QUANTITY_DIFFERS,
                Msg("{what} differs from the registry, which shows units {spans} ({units} units) retired in "
                    "rows {rows}; {common} of our {ours} units are among them.", what=What, spans=_span_text(spans),
                    units=format(_units(spans), ","), rows=rows_text, common=format(_units(shown), ","),
                    ours=format(entry.quantity, ","))
                if len(rows) > 1 else
                Msg("{what} differs from the registry, which shows units {spans} ({units} units) retired in "
                    "row {rows}; {common} of our {ours} units are among them.", what=What, spans=_span_text(spans),
                    units=format(_units(spans), ","), rows=rows_text, common=format(_units(shown), ","),
                    ours=format(entry.quantity, ",")),
                entry.start, entry.end, row_numbers[0],
                ledger_quantity=entry.quantity, registry_quantity=_units(spans),
                registry_ranges=[f"{s}–{e}" for s, e in spans], units_in_common=_units(shown),
                registry_rows=row_numbers))
        for row in rows:
            if claimant.named_in(row.beneficiary):
                continue
            start, end = max(row.start, entry.start), min(row.end, entry.end)
            units = Msg("units {start}–{end} ({count})", start=start, end=end, count=format(end - start + 1, ","))
            sentence = (
                Msg("Registry row {row} retires {units} of {what} with no beneficiary named, so "
                    "the registry does not show them retired for {claimant}.", row=row.row, units=units,
                    what=what, claimant=str(claimant))
                if not row.beneficiary.strip() else
                Msg("Registry row {row} retires {units} of {what} for “{beneficiary}”, "
                    "which does not name {claimant}: the registry shows them retired for someone else.",
                    row=row.row, units=units, what=what, beneficiary=row.beneficiary.strip(),
                    claimant=str(claimant))
            )
            found.append(mismatch(MismatchKind.BENEFICIARY_MISMATCH, sentence, start, end, row.row,
                                  registry_beneficiary=row.beneficiary.strip()))
    if entry.deadline is not None:
        dates = [r.retired_on for r in rows if r.retired_on is not None]
        used, source = (max(dates), "the registry") if dates else (entry.retired_on, "our ledger")
        said_by = Msg("the registry") if dates else Msg("our ledger")
        if used > entry.deadline:
            found.append(mismatch(
                MismatchKind.AFTER_DEADLINE,
                Msg("{what} was retired on {date} according to {source}, "
                    "after the period's deadline of {deadline} (ISO 14068-1:2023 §11: "
                    "within {months} months after the end of the period).", what=What, date=used.isoformat(),
                    source=said_by, deadline=entry.deadline.isoformat(), months=RETIREMENT_WINDOW_MONTHS),
                entry.start, entry.end, retired_on=used.isoformat(), date_source=source,
                deadline=entry.deadline.isoformat()))
    for row in rows:
        if row.retired_on is not None and row.retired_on != entry.retired_on:
            start, end = max(row.start, entry.start), min(row.end, entry.end)
            found.append(mismatch(
                MismatchKind.DATE_DIFFERS,
                Msg("Registry row {row} retired units {start}–{end} on {date}; {what} records {ours}.",
                    row=row.row, start=start, end=end, date=row.retired_on.isoformat(), what=what,
                    ours=entry.retired_on.isoformat()),
                start, end, row.row, ledger_date=entry.retired_on.isoformat(),
                registry_date=row.retired_on.isoformat()))
    if others:
        shared = _merged((max(o.start, entry.start), min(o.end, entry.end)) for o in others)
        found.append(mismatch(
            MismatchKind.OVERLAPS_ANOTHER_ORGANISATION,
            Msg("Units {spans} ({units}) of {what} are also recorded as retired by "
                "another organisation: the same credits must never serve two claims.", spans=_span_text(shared),
                units=format(_units(shared), ","), what=what),
            shared[0][0], shared[-1][1], shared_ranges=[f"{s}–{e}" for s, e in shared],
            shared_quantity=_units(shared)))
    return found


def _not_recorded(row: RegistryRetirement, claimant: ClaimantNames) -> Mismatch:
    date = Msg(" on {date}", date=row.retired_on.isoformat()) if row.retired_on else ""
    return Mismatch(
        MismatchKind.NOT_RECORDED_HERE,
        Msg("Registry row {row} retires {scheme} units {start}–{end} ({quantity}){date} "
            "for “{beneficiary}”, which names {claimant}, but no retirement in our ledger "
            "covers them: record it so the ledger is complete.", row=row.row, scheme=row.scheme, start=row.start,
            end=row.end, quantity=format(row.quantity, ","), date=date, beneficiary=row.beneficiary.strip(),
            claimant=str(claimant)),
        None, row.row, row.scheme, row.issuance_key, row.start, row.end,
        {"registry_beneficiary": row.beneficiary.strip(),
         "registry_date": row.retired_on.isoformat() if row.retired_on else None},
    )
