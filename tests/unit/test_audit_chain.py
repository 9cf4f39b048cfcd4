"""The audit hash chain as pure functions: hand-built entries, no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from neutrality.audit import chain
from neutrality.audit.chain import GENESIS_HASH, BreakKind, ChainBreak

ZEROS = "0" * 64


@dataclasses.dataclass(frozen=True)
class Entry:
    id: int
    occurred_at: dt.datetime
    actor_user_id: int | None
    actor_label: str
    organisation_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    previous_hash: str = ""
    entry_hash: str = ""


def _entry(entry_id: int, **overrides: Any) -> Entry:
    fields: dict[str, Any] = {
        "id": entry_id,
        "occurred_at": dt.datetime(2026, 11, 21, 9, 0, entry_id % 60, 123456, tzinfo=dt.UTC),
        "actor_user_id": 3,
        "actor_label": "lead@example.test",
        "organisation_id": 7,
        "action": "site.update",
        "entity_type": "sites",
        "entity_id": str(entry_id),
        "before": {"name": f"Factory {entry_id}"},
        "after": {"name": f"工厂 {entry_id}"},
    }
    return Entry(**{**fields, **overrides})


def _sealed(entry: Entry, previous_hash: str) -> Entry:
    """The entry as record() stores it after the entry whose hash is ``previous_hash``."""
    return dataclasses.replace(
        entry, previous_hash=previous_hash, entry_hash=chain.entry_hash(entry, previous_hash)
    )


def _chain(ids: list[int]) -> list[Entry]:
    entries, previous = [], GENESIS_HASH
    for entry_id in ids:
        sealed = _sealed(_entry(entry_id), previous)
        entries.append(sealed)
        previous = sealed.entry_hash
    return entries


# --- the stored format ---------------------------------------------------------------------------


def test_the_first_previous_hash_is_sixty_four_zeros() -> None:
    assert GENESIS_HASH == ZEROS


def test_canonical_form_is_sorted_compact_utf8_json_of_the_fields_and_the_previous_hash() -> None:
    # Written out by hand: this is a stored format, and every stored hash depends on it.
    entry = Entry(
        id=1, occurred_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), actor_user_id=None,
        actor_label="张三", organisation_id=None, action="user.create", entity_type="users",
        entity_id="12", before=None, after={"name": "旧", "b": 1},
    )
    expected = (
        '{"action":"user.create","actor_label":"张三","actor_user_id":null,'
        '"after":{"b":1,"name":"旧"},"before":null,"entity_id":"12","entity_type":"users",'
        '"id":1,"occurred_at":"2026-01-02T03:04:05.000000+00:00","organisation_id":null,'
        f'"previous_hash":"{ZEROS}"}}'
    ).encode()

    assert chain.canonical(entry, ZEROS) == expected
    assert chain.entry_hash(entry, ZEROS) == hashlib.sha256(expected).hexdigest()


def test_the_same_instant_in_another_zone_hashes_alike_and_a_naive_time_is_refused() -> None:
    utc = _entry(1, occurred_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    beijing = _entry(1, occurred_at=dt.datetime(
        2026, 1, 2, 11, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    naive = _entry(1, occurred_at=dt.datetime(2026, 1, 2, 3, 4, 5))

    assert chain.entry_hash(utc, ZEROS) == chain.entry_hash(beijing, ZEROS)
    with pytest.raises(ValueError, match="timezone-aware"):
        chain.entry_hash(naive, ZEROS)


def test_documents_hash_as_they_read_back_from_a_json_column() -> None:
    # A tuple is stored as a list and an integer key as a string: hashed before the insert and
    # after reading back, the entry must hash alike.
    written = _entry(1, after={"site_ids": (4, 5), "by_site": {4: "a"}})
    read_back = _entry(1, after={"site_ids": [4, 5], "by_site": {"4": "a"}})

    assert chain.entry_hash(written, ZEROS) == chain.entry_hash(read_back, ZEROS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 2),
        ("occurred_at", dt.datetime(2026, 11, 21, 9, 0, 1, 123457, tzinfo=dt.UTC)),
        ("actor_user_id", None),
        ("actor_label", "someone else"),
        ("organisation_id", 8),
        ("action", "site.delete"),
        ("entity_type", "subjects"),
        ("entity_id", "2"),
        ("before", None),
        ("after", {"name": "工厂 2"}),
    ],
)
def test_every_field_is_covered_by_the_hash(field: str, value: Any) -> None:
    entry = _entry(1)
    assert chain.entry_hash(dataclasses.replace(entry, **{field: value}), ZEROS) != (
        chain.entry_hash(entry, ZEROS)
    )


def test_the_previous_hash_is_covered_by_the_hash() -> None:
    assert chain.entry_hash(_entry(1), ZEROS) != chain.entry_hash(_entry(1), "f" * 64)


# --- walking a chain -----------------------------------------------------------------------------


def test_an_intact_chain_reports_every_entry_and_its_head() -> None:
    entries = _chain([1, 2, 3, 4, 5])

    report = chain.walk(entries)

    assert report.intact and report.broken is None
    assert report.checked == 5
    assert report.head_hash == entries[-1].entry_hash
    assert chain.first_break(entries) is None


def test_an_empty_log_is_intact_with_no_head() -> None:
    report = chain.walk([])

    assert (report.checked, report.broken, report.head_hash) == (0, None, None)


def test_an_altered_entry_is_named() -> None:
    entries = _chain([1, 2, 3, 4, 5])
    entries[2] = dataclasses.replace(entries[2], actor_label="someone else")

    report = chain.walk(entries)

    assert report.broken == ChainBreak(3, BreakKind.ALTERED, previous_id=2)
    assert report.checked == 3
    assert report.head_hash is None
    assert "altered" in str(report.broken) and str(report.broken).startswith("entry 3:")


def test_an_altered_entry_given_a_fresh_hash_breaks_the_link_of_the_next() -> None:
    # Whoever re-hashes the entry they changed must also re-hash every entry after it.
    entries = _chain([1, 2, 3, 4, 5])
    entries[2] = _sealed(dataclasses.replace(entries[2], after={"name": "forged"}),
                         entries[1].entry_hash)

    assert chain.first_break(entries) == ChainBreak(4, BreakKind.UNLINKED, previous_id=3)


def test_an_entry_whose_previous_hash_alone_was_changed_counts_as_altered() -> None:
    entries = _chain([1, 2, 3, 4, 5])
    entries[2] = dataclasses.replace(entries[2], previous_hash=entries[0].entry_hash)

    assert chain.first_break(entries) == ChainBreak(3, BreakKind.ALTERED, previous_id=2)


def test_a_removed_entry_is_named_by_the_entry_after_it() -> None:
    entries = _chain([1, 2, 3, 4, 5])
    del entries[2]

    broken = chain.first_break(entries)

    assert broken == ChainBreak(4, BreakKind.UNLINKED, previous_id=2)
    assert "entry 2" in broken.reason and "removed or inserted" in broken.reason


def test_removed_first_entries_are_named_by_the_new_first() -> None:
    entries = _chain([1, 2, 3, 4, 5])[2:]

    broken = chain.first_break(entries)

    assert broken == ChainBreak(3, BreakKind.UNLINKED, previous_id=None)
    assert "the start" in broken.reason


def test_an_inserted_entry_that_links_correctly_is_found_at_the_entry_after_it() -> None:
    # Ids 10, 20, …: a forged entry 25 chained properly onto 20 passes itself, but 30 still links
    # to 20, not to it.
    entries = _chain([10, 20, 30, 40, 50])
    forged = _sealed(_entry(25, actor_label="intruder"), entries[1].entry_hash)
    entries.insert(2, forged)

    assert chain.first_break(entries) == ChainBreak(30, BreakKind.UNLINKED, previous_id=25)


def test_an_inserted_entry_that_does_not_link_is_named() -> None:
    entries = _chain([10, 20, 30, 40, 50])
    entries.insert(2, _sealed(_entry(25), GENESIS_HASH))

    assert chain.first_break(entries) == ChainBreak(25, BreakKind.UNLINKED, previous_id=20)


def test_entries_walked_out_of_order_are_found_at_the_first_one_out_of_place() -> None:
    entries = _chain([10, 20, 30, 40, 50])
    entries[2], entries[3] = entries[3], entries[2]

    # 40 comes right after 20, but it links to 30
    assert chain.first_break(entries) == ChainBreak(40, BreakKind.UNLINKED, previous_id=20)


def test_entries_that_swapped_ids_are_found_because_the_id_is_hashed() -> None:
    # The rows keep their content and hashes but exchange ids, so id order walks them swapped.
    entries = _chain([10, 20, 30, 40, 50])
    third, fourth = entries[2], entries[3]
    entries[2] = dataclasses.replace(fourth, id=30)
    entries[3] = dataclasses.replace(third, id=40)

    assert chain.first_break(entries) == ChainBreak(30, BreakKind.ALTERED, previous_id=20)


def test_the_walk_reads_a_stream_once_and_stops_at_the_first_break() -> None:
    entries = _chain([1, 2, 3, 4, 5])
    entries[1] = dataclasses.replace(entries[1], action="tampered")

    def stream() -> Iterator[Entry]:
        yield from entries[:2]
        raise AssertionError("read past the first broken entry")

    report = chain.walk(stream())

    assert report.broken == ChainBreak(2, BreakKind.ALTERED, previous_id=1)
    assert report.checked == 2


# --- one organisation's view of the chain --------------------------------------------------------


def _mixed(owners: list[int | None]) -> list[Entry]:
    """A chain whose entry i + 1 belongs to organisation owners[i]."""
    entries, previous = [], GENESIS_HASH
    for entry_id, owner in enumerate(owners, start=1):
        sealed = _sealed(_entry(entry_id, organisation_id=owner), previous)
        entries.append(sealed)
        previous = sealed.entry_hash
    return entries


def test_an_intact_chain_vouches_for_every_entry_of_the_organisation() -> None:
    report = chain.walk_for(_mixed([7, 8, 7, None, 7]), 7)
    assert report.intact and report.entries == report.intact_entries == 3
    assert report.last_intact_id == 5 and report.own_break is None and not report.breaks_later


def test_an_altered_own_entry_is_named_with_the_hash_it_keeps_and_the_one_it_has() -> None:
    entries = _mixed([7, 8, 7, 7])
    altered = dataclasses.replace(entries[2], actor_label="someone else")
    entries[2] = altered
    report = chain.walk_for(entries, 7)
    assert not report.intact
    assert report.own_break == chain.OwnBreak(
        3, BreakKind.ALTERED, altered.entry_hash, chain.entry_hash(altered, altered.previous_hash))
    # entry 1 is vouched for; entry 4 after the break is not, and not named as a further break
    assert (report.intact_entries, report.last_intact_id, report.entries) == (1, 1, 3)
    assert report.first_unvouched_id is None


def test_a_break_in_another_organisations_entry_is_shown_by_the_next_own_entry_only() -> None:
    entries = _mixed([7, 8, 8, 7])
    entries[1] = dataclasses.replace(entries[1], action="site.delete")
    report = chain.walk_for(entries, 7)
    assert not report.intact and report.own_break is None
    assert report.first_unvouched_id == 4 and report.intact_entries == 1 and report.last_intact_id == 1


def test_a_break_after_the_organisations_last_entry_leaves_it_intact() -> None:
    entries = _mixed([7, 7, 8])
    entries[2] = dataclasses.replace(entries[2], action="site.delete")
    report = chain.walk_for(entries, 7)
    assert report.intact and report.breaks_later and report.intact_entries == 2


def test_a_removed_entry_before_an_own_entry_breaks_its_link() -> None:
    entries = _mixed([7, 8, 7])
    del entries[1]
    report = chain.walk_for(entries, 7)
    assert report.own_break == chain.OwnBreak(3, BreakKind.UNLINKED, entries[1].previous_hash,
                                              entries[0].entry_hash)
