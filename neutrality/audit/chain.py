"""The audit log's hash chain: how an entry is serialised and hashed, and how a chain is checked.

Pure: no Flask, no database. Each entry stores ``previous_hash`` (the ``entry_hash`` of the entry
before it in id order; 64 zeros for the first) and ``entry_hash``, the SHA-256 of its canonical
serialisation (:func:`canonical`), which covers its id, its content and ``previous_hash``. So:

* changing any field of an entry (including its id or its ``previous_hash``) breaks its own hash;
* removing, inserting or reordering entries breaks the link of the first entry after the change
  (its ``previous_hash`` no longer names the entry now before it), unless every later entry is
  re-hashed as well.

The chain is not keyed: whoever can write the table and knows this code can rebuild the whole
chain after a change, and dropping or appending entries at the end changes no link. What it
proves is that the log is consistent with its head hash; keep the head hash
(:attr:`ChainReport.head_hash`) outside the database, and a rebuilt or truncated log no longer
ends at it.

The serialisation is a stored format: changing it makes every stored hash wrong. Migration
``0005_audit_chain`` hashes existing entries with this module too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

#: The ``previous_hash`` of the first entry.
GENESIS_HASH = "0" * 64


class EntryFields(Protocol):
    """What is hashed: an audit entry's columns (an ORM row, a result row or a test double)."""

    @property
    def id(self) -> int: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def actor_user_id(self) -> int | None: ...
    @property
    def actor_label(self) -> str: ...
    @property
    def organisation_id(self) -> int | None: ...
    @property
    def action(self) -> str: ...
    @property
    def entity_type(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...


class ChainedEntry(EntryFields, Protocol):
    """An entry as stored, with its place in the chain."""

    @property
    def previous_hash(self) -> str: ...
    @property
    def entry_hash(self) -> str: ...


def _timestamp(value: dt.datetime) -> str:
    # Always UTC and always with microseconds, so the text does not depend on the value
    # (isoformat() drops ".000000" when the microseconds are zero) or on how it was read back.
    if value.tzinfo is None:
        raise ValueError("audit timestamps are timezone-aware")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _as_stored(document: Any) -> Any:
    # The JSON columns give back what json.dumps then json.loads makes of a value: tuples become
    # lists and non-string keys become strings. Hash that form, so an entry hashed before it was
    # written and the same entry read back hash alike.
    return None if document is None else json.loads(json.dumps(document, ensure_ascii=False))


def canonical(entry: EntryFields, previous_hash: str) -> bytes:
    """The bytes that are hashed: JSON with sorted keys and no whitespace, in UTF-8."""
    document = {
        "id": entry.id,
        "occurred_at": _timestamp(entry.occurred_at),
        "actor_user_id": entry.actor_user_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "before": _as_stored(entry.before),
        "after": _as_stored(entry.after),
        "previous_hash": previous_hash,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def entry_hash(entry: EntryFields, previous_hash: str) -> str:
    """The hex SHA-256 an entry must store, given the hash of the entry before it."""
    return hashlib.sha256(canonical(entry, previous_hash)).hexdigest()


class BreakKind(StrEnum):
    ALTERED = "altered"  # the entry's own hash does not match its content
    UNLINKED = "unlinked"  # it does not link to the entry before it


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not hold."""

    entry_id: int
    kind: BreakKind
    previous_id: int | None  # the entry before it in the walk (None: it is the first)

    @property
    def reason(self) -> str:
        if self.kind is BreakKind.ALTERED:
            return "its hash does not match its content: the entry was altered"
        before = f"entry {self.previous_id}" if self.previous_id is not None else "the start"
        return (
            f"its previous hash does not match {before}: an entry between them was removed "
            "or inserted, or entries were reordered"
        )

    def __str__(self) -> str:
        return f"entry {self.entry_id}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    """What a walk found: how many entries it read, and where the chain breaks first."""

    checked: int  # entries read, up to and including the broken one
    broken: ChainBreak | None
    head_hash: str | None  # the last entry's hash when intact; None when broken or empty

    @property
    def intact(self) -> bool:
        return self.broken is None


def _fault(entry: ChainedEntry, expected_previous: str) -> tuple[BreakKind, str, str] | None:
    """What is wrong with one entry: the kind of break, the hash stored and the hash expected."""
    # The entry's own hash first: if it was altered (even only its previous_hash), say so,
    # rather than reporting the link that the alteration happens to break as well.
    computed = entry_hash(entry, entry.previous_hash)
    if computed != entry.entry_hash:
        return BreakKind.ALTERED, entry.entry_hash, computed
    if entry.previous_hash != expected_previous:
        return BreakKind.UNLINKED, entry.previous_hash, expected_previous
    return None


def walk(entries: Iterable[ChainedEntry]) -> ChainReport:
    """Check entries in chain (id) order; stop at the first broken one.

    Iterates once and keeps nothing but the last hash, so a stream of any length fits in memory.
    """
    expected_previous = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    for entry in entries:
        checked += 1
        if (fault := _fault(entry, expected_previous)) is not None:
            return ChainReport(checked, ChainBreak(entry.id, fault[0], previous_id), None)
        expected_previous = entry.entry_hash
        previous_id = entry.id
    return ChainReport(checked, None, expected_previous if checked else None)


@dataclass(frozen=True)
class OwnBreak:
    """The first broken entry, when it is one of the organisation's own: what differs.

    ``altered``: ``stored`` is the hash the entry keeps, ``expected`` the hash of its content now.
    ``unlinked``: ``stored`` is the previous hash the entry keeps, ``expected`` the hash of the
    entry now before it.
    """

    entry_id: int
    kind: BreakKind
    stored: str
    expected: str


@dataclass(frozen=True)
class OrganisationChainReport:
    """The chain as one organisation may see it.

    The chain runs through every organisation's entries, so the walk reads them all, but the
    report names only the organisation's own entries: how many the chain vouches for, and, when
    the chain breaks at or before one of them, where. A break at an entry that is not the
    organisation's is reported by the organisation's first entry after it, never with that
    entry's id or content.
    """

    organisation_id: int
    entries: int  # the organisation's entries in the log
    intact_entries: int  # of them, those before the first break (all of them when intact)
    last_intact_id: int | None  # the last of those
    own_break: OwnBreak | None  # the first broken entry is the organisation's own
    #: the chain breaks at an entry not of this organisation; this is the organisation's first
    #: entry after that break (its content may be sound, but the chain no longer vouches for it)
    first_unvouched_id: int | None
    #: the chain breaks only after the organisation's last entry (not theirs: nothing to show)
    breaks_later: bool

    @property
    def intact(self) -> bool:
        """The organisation's entries are all vouched for by an unbroken chain up to the last."""
        return self.own_break is None and self.first_unvouched_id is None


def walk_for(entries: Iterable[ChainedEntry], organisation_id: int) -> OrganisationChainReport:
    """Check the whole chain in id order, reporting it as the organisation may see it.

    One pass in constant memory: once the chain is broken, entries are only counted, not hashed.
    """
    expected_previous = GENESIS_HASH
    own = intact_own = 0
    last_intact: int | None = None
    own_break: OwnBreak | None = None
    broken = False
    first_unvouched: int | None = None
    for entry in entries:
        mine = entry.organisation_id == organisation_id
        own += mine
        if broken:
            if mine and first_unvouched is None and own_break is None:
                first_unvouched = entry.id
            continue
        if (fault := _fault(entry, expected_previous)) is not None:
            broken = True
            if mine:
                own_break = OwnBreak(entry.id, *fault)
            continue
        expected_previous = entry.entry_hash
        if mine:
            intact_own += 1
            last_intact = entry.id
    return OrganisationChainReport(
        organisation_id, own, intact_own, last_intact, own_break, first_unvouched,
        breaks_later=broken and own_break is None and first_unvouched is None,
    )


def first_break(entries: Iterable[ChainedEntry]) -> ChainBreak | None:
    """The first entry at which the chain does not hold, or None if it holds throughout."""
    return walk(entries).broken
