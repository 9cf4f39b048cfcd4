"""Reconciling the ledger with a registry export, pure: every mismatch kind by hand, properties.

Values are built by hand. The claimant throughout is "Suhui PV" / 苏辉光伏科技有限公司; its
retirement 1 is VCU units 1001–1100 (100 units) of issuance KEY, retired on 1 March 2025 for a
2024 ISO 14068-1 period (deadline 31 December 2025).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neutrality.commitments.model import retirement_deadline
from neutrality.registry.reconciliation import (
    LedgerEntry,
    MismatchKind,
    RegistryRetirement,
    RetiredElsewhere,
    names_claimant,
    reconcile,
)

KEY = "VCS-VCU-1311-VER-CN-13-3005-01012022-31102022"
OTHER_KEY = "VCS-VCU-1312-VER-CN-13-3005-01012022-31102022"
NAMES = ("Suhui PV", "苏辉光伏科技有限公司")
OURS = "苏辉光伏科技有限公司 Suhui PV"
MARCH = dt.date(2025, 3, 1)
DEADLINE = dt.date(2025, 12, 31)


def entry(id: int = 1, start: int = 1001, end: int = 1100, retired_on: dt.date = MARCH,
          deadline: dt.date | None = DEADLINE, key: str = KEY, period: int = 7) -> LedgerEntry:
    return LedgerEntry(id, period, "VCU", key, start, end, retired_on, deadline)


def row(number: int = 2, start: int = 1001, end: int = 1100, retired_on: dt.date | None = MARCH,
        beneficiary: str = OURS, key: str = KEY) -> RegistryRetirement:
    return RegistryRetirement(number, "VCU", key, start, end, retired_on, beneficiary)


def kinds(report) -> list[tuple[str, int | None, int | None, int, int]]:
    return [(m.kind.value, m.retirement_id, m.registry_row, m.start, m.end) for m in report.mismatches]


# --- the deadline ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "end", "expected"),
    [
        # ISO 14068-1 §11: 12 calendar months after the end of the period
        ("iso_14068_1_2023", dt.date(2024, 12, 31), dt.date(2025, 12, 31)),
        # a period ending on 29 February: the next year's February has 28 days
        ("iso_14068_1_2023", dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        ("iso_14068_1_2023", dt.date(2025, 6, 30), dt.date(2026, 6, 30)),
        # PAS 2060 counts from the declaration date, unknown before the declaration
        ("pas_2060_2014", dt.date(2024, 12, 31), None),
    ],
)
def test_the_retirement_deadline_is_twelve_months_after_the_period_under_iso_14068(standard, end, expected) -> None:
    assert retirement_deadline(standard, end) == expected


# --- exact match -------------------------------------------------------------------------------


def test_the_same_units_for_us_on_the_same_date_in_time_give_no_mismatch() -> None:
    report = reconcile([entry()], [row()], NAMES)
    assert report.mismatches == ()
    s = report.summary
    assert (s.entries_checked, s.registry_retired_rows, s.entries_matched, s.unrelated_rows) == (1, 1, 1, 0)
    assert set(s.mismatches_by_kind) == {k.value for k in MismatchKind}
    assert sum(s.mismatches_by_kind.values()) == 0


def test_two_registry_rows_that_together_are_exactly_our_units_are_a_match() -> None:
    # 1001–1050 and 1051–1100 joined are 1001–1100, our 100 units
    report = reconcile([entry()], [row(2, 1001, 1050), row(3, 1051, 1100)], NAMES)
    assert report.mismatches == ()
    assert report.summary.entries_matched == 1


# --- each kind ---------------------------------------------------------------------------------


def test_a_retirement_the_export_does_not_show_is_missing_at_the_registry() -> None:
    # the only retired row is of another issuance: no unit in common; it names us, so it is
    # also a retirement the ledger lacks
    report = reconcile([entry()], [row(5, 1001, 1100, key=OTHER_KEY)], NAMES)
    assert kinds(report) == [
        ("missing_at_registry", 1, None, 1001, 1100),
        ("not_recorded_here", None, 5, 1001, 1100),
    ]
    missing = report.mismatches[0]
    assert missing.details["ledger_quantity"] == 100
    assert "none of the units of our retirement 1" in missing.sentence
    assert report.summary.entries_matched == 0


def test_a_larger_registry_range_is_a_quantity_difference_naming_both() -> None:
    # the registry retired 1001–1150: 150 units, of which our 100
    report = reconcile([entry()], [row(2, 1001, 1150)], NAMES)
    assert kinds(report) == [("quantity_differs", 1, 2, 1001, 1100)]
    mismatch = report.mismatches[0]
    assert mismatch.details["ledger_quantity"] == 100
    assert mismatch.details["registry_quantity"] == 150
    assert mismatch.details["units_in_common"] == 100
    assert mismatch.details["registry_ranges"] == ["1001–1150"]
    assert "1001–1100" in mismatch.sentence and "1001–1150" in mismatch.sentence
    assert "150 units" in mismatch.sentence and "100 units" in mismatch.sentence


def test_a_partial_registry_range_is_a_quantity_difference() -> None:
    # rows 1001–1040 (40) and 1061–1100 (40): 80 of our 100 units, a gap 1041–1060
    report = reconcile([entry()], [row(2, 1001, 1040), row(3, 1061, 1100)], NAMES)
    assert kinds(report) == [("quantity_differs", 1, 2, 1001, 1100)]
    details = report.mismatches[0].details
    assert (details["registry_quantity"], details["units_in_common"]) == (80, 80)
    assert details["registry_ranges"] == ["1001–1040", "1061–1100"]
    assert details["registry_rows"] == [2, 3]


def test_our_units_retired_for_someone_else_are_a_beneficiary_mismatch() -> None:
    report = reconcile([entry()], [row(beneficiary="Lindblad Expeditions Family of Companies")], NAMES)
    assert kinds(report) == [("beneficiary_mismatch", 1, 2, 1001, 1100)]
    sentence = report.mismatches[0].sentence
    assert "“Lindblad Expeditions Family of Companies”" in sentence and "someone else" in sentence
    assert "Suhui PV / 苏辉光伏科技有限公司" in sentence


def test_a_row_retired_for_someone_else_over_part_of_our_units_names_those_units() -> None:
    # ours 1001–1100; row 2 (for us) 1001–1060, row 3 (for another company) 1061–1100:
    # the range is exactly ours, only units 1061–1100 (40) are someone else's
    report = reconcile([entry()], [row(2, 1001, 1060), row(3, 1061, 1100, beneficiary="Acme Ltd")], NAMES)
    assert kinds(report) == [("beneficiary_mismatch", 1, 3, 1061, 1100)]
    assert "units 1061–1100 (40)" in report.mismatches[0].sentence


def test_an_empty_beneficiary_is_a_mismatch() -> None:
    report = reconcile([entry()], [row(beneficiary="  ")], NAMES)
    assert kinds(report) == [("beneficiary_mismatch", 1, 2, 1001, 1100)]
    assert "no beneficiary named" in report.mismatches[0].sentence


def test_a_registry_date_after_the_deadline_is_reported_with_the_rule() -> None:
    # both sides say 5 January 2026; the 2024 period's deadline was 31 December 2025
    late = dt.date(2026, 1, 5)
    report = reconcile([entry(retired_on=late)], [row(retired_on=late)], NAMES)
    assert kinds(report) == [("after_deadline", 1, None, 1001, 1100)]
    mismatch = report.mismatches[0]
    assert mismatch.details == {"retired_on": "2026-01-05", "date_source": "the registry", "deadline": "2025-12-31"}
    assert "ISO 14068-1:2023 §11" in mismatch.sentence


def test_the_deadline_day_itself_is_in_time() -> None:
    report = reconcile([entry(retired_on=DEADLINE)], [row(retired_on=DEADLINE)], NAMES)
    assert report.mismatches == ()


def test_the_registry_date_decides_the_deadline_over_ours() -> None:
    # ours says 1 December 2025 (in time), the registry 2 January 2026 (late): both reported
    report = reconcile([entry(retired_on=dt.date(2025, 12, 1))], [row(retired_on=dt.date(2026, 1, 2))], NAMES)
    assert [k for k, *_ in kinds(report)] == ["after_deadline", "date_differs"]
    assert report.mismatches[0].details["date_source"] == "the registry"


def test_our_date_decides_the_deadline_when_the_registry_gives_none() -> None:
    late = dt.date(2026, 2, 1)
    missing = reconcile([entry(retired_on=late)], [], NAMES)
    assert [k for k, *_ in kinds(missing)] == ["missing_at_registry", "after_deadline"]
    assert missing.mismatches[1].details["date_source"] == "our ledger"
    undated = reconcile([entry(retired_on=late)], [row(retired_on=None)], NAMES)
    assert [k for k, *_ in kinds(undated)] == ["after_deadline"]


def test_no_deadline_is_checked_without_one() -> None:
    # a PAS 2060 period: the deadline counts from a declaration not made yet
    late = dt.date(2027, 1, 1)
    assert reconcile([entry(retired_on=late, deadline=None)], [row(retired_on=late)], NAMES).mismatches == ()


def test_a_different_registry_date_is_reported_with_both_dates() -> None:
    report = reconcile([entry()], [row(retired_on=dt.date(2025, 3, 4))], NAMES)
    assert kinds(report) == [("date_differs", 1, 2, 1001, 1100)]
    assert report.mismatches[0].details == {"ledger_date": "2025-03-01", "registry_date": "2025-03-04"}


def test_units_another_organisation_holds_retired_are_reported_without_naming_it() -> None:
    # another tenant holds 1051–1200 retired: units 1051–1100 (50) of ours
    others = [RetiredElsewhere("VCU", KEY, 1051, 1200)]
    report = reconcile([entry()], [row()], NAMES, others)
    assert kinds(report) == [("overlaps_another_organisation", 1, None, 1051, 1100)]
    mismatch = report.mismatches[0]
    assert mismatch.details == {"shared_ranges": ["1051–1100"], "shared_quantity": 50}
    assert "another organisation" in mismatch.sentence


def test_another_tenants_copy_of_a_public_export_retired_for_us_is_not_a_claim() -> None:
    # the other tenant imported the registry's row, which names us: it claims nothing
    copy = [RetiredElsewhere("VCU", KEY, 1001, 1100, beneficiary="SUHUI PV CO., LTD.")]
    assert reconcile([entry()], [row()], NAMES, copy).mismatches == ()
    theirs = [RetiredElsewhere("VCU", KEY, 1001, 1100, beneficiary="Acme Ltd")]
    assert [k for k, *_ in kinds(reconcile([entry()], [row()], NAMES, theirs))] == ["overlaps_another_organisation"]


def test_a_retirement_for_us_that_the_ledger_lacks_is_not_recorded_here() -> None:
    report = reconcile([entry()], [row(), row(9, 5001, 5100, dt.date(2025, 6, 1), "Retired for SUHUI PV")], NAMES)
    assert kinds(report) == [("not_recorded_here", None, 9, 5001, 5100)]
    mismatch = report.mismatches[0]
    assert mismatch.details == {"registry_beneficiary": "Retired for SUHUI PV", "registry_date": "2025-06-01"}
    assert "record it" in mismatch.sentence
    assert report.summary.entries_matched == 1


def test_everyone_elses_retirements_are_counted_and_ignored() -> None:
    public = [row(10 + n, 20_000 + 100 * n, 20_099 + 100 * n, beneficiary=f"Company {n}") for n in range(5)]
    public.append(row(30, 1, 50, beneficiary=""))  # no beneficiary, no unit of ours
    report = reconcile([entry()], [row(), *public], NAMES)
    assert report.mismatches == ()
    # 7 retired rows: ours (matched) and 6 that are none of our business
    assert (report.summary.registry_retired_rows, report.summary.unrelated_rows) == (7, 6)


def test_rows_of_our_other_periods_are_neither_missing_here_nor_unrelated() -> None:
    # checking one period; retirement 2 (5001–5100) is of another period and the export shows it
    other_period = entry(2, 5001, 5100, period=8)
    report = reconcile([entry()], [row(), row(9, 5001, 5100)], NAMES, recorded_elsewhere=[other_period])
    assert report.mismatches == ()
    assert (report.summary.rows_for_other_periods, report.summary.unrelated_rows) == (1, 0)
    # without it the row would be a retirement for us the ledger lacks
    assert [k for k, *_ in kinds(reconcile([entry()], [row(), row(9, 5001, 5100)], NAMES))] == ["not_recorded_here"]


# --- the claimant's name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("beneficiary", "names", "expected"),
    [
        ("苏辉光伏科技有限公司 Suhui PV", ["苏辉光伏"], True),  # Chinese short name inside the legal name
        ("SUHUI  P.V. CO., LTD.", ["Suhui PV"], True),  # case, spaces and dots
        ("Ｓｕｈｕｉ ＰＶ", ["Suhui PV"], True),  # full-width letters (NFKC)
        ("Retired on behalf of Org 1.", ["Org 1"], True),
        ("Org 12 Ltd", ["Org 1"], False),  # "Org 1" is not a name inside "Org 12"
        ("Borg 1", ["Org 1"], False),
        ("测试光伏有限公司 12", ["测试光伏有限公司 1"], False),
        ("Lindblad Expeditions Family of Companies", ["Suhui PV", "苏辉光伏科技有限公司"], False),
        ("", ["Suhui PV"], False),
        ("Suhui PV", ["", "  "], False),  # empty names name nobody
    ],
)
def test_a_beneficiary_names_the_claimant_when_a_whole_name_is_in_it(beneficiary, names, expected) -> None:
    assert names_claimant(beneficiary, names) is expected


# --- order and properties ----------------------------------------------------------------------


def _mixed() -> tuple[list[LedgerEntry], list[RegistryRetirement], list[RetiredElsewhere]]:
    entries = [
        entry(1, 1001, 1100),  # exact
        entry(2, 2001, 2100),  # missing
        entry(3, 3001, 3100, retired_on=dt.date(2026, 1, 10)),  # late, another date at the registry
        entry(4, 1, 100, key=OTHER_KEY),  # for someone else at the registry; another tenant has 51–60
    ]
    rows = [
        row(2, 1001, 1100),
        row(3, 3001, 3100, dt.date(2026, 1, 12)),
        row(4, 1, 100, beneficiary="Acme Ltd", key=OTHER_KEY),
        row(5, 9001, 9010, beneficiary="Suhui PV"),
        row(6, 7001, 7010, beneficiary="Somebody"),
    ]
    return entries, rows, [RetiredElsewhere("VCU", OTHER_KEY, 51, 60)]


def test_mismatches_come_in_one_order_whatever_the_input_order() -> None:
    entries, rows, others = _mixed()
    report = reconcile(entries, rows, NAMES, others)
    # by (scheme, issuance key, first unit, last unit, kind): KEY sorts before OTHER_KEY
    assert kinds(report) == [
        ("missing_at_registry", 2, None, 2001, 2100),
        ("after_deadline", 3, None, 3001, 3100),
        ("date_differs", 3, 3, 3001, 3100),
        ("not_recorded_here", None, 5, 9001, 9010),
        ("beneficiary_mismatch", 4, 4, 1, 100),
        ("overlaps_another_organisation", 4, None, 51, 60),
    ]
    assert report.summary.entries_matched == 1 and report.summary.unrelated_rows == 1
    assert report.summary.mismatches_by_kind["after_deadline"] == 1
    shuffler = random.Random(20251231)
    for _ in range(10):
        shuffler.shuffle(entries)
        shuffler.shuffle(rows)
        assert reconcile(entries, rows, NAMES, others) == report


_KEYS = [KEY, OTHER_KEY]


@st.composite
def ledgers(draw: st.DrawFn) -> list[LedgerEntry]:
    """Retirements that never share a unit (the ledger's guarantee): per issuance, ranges laid
    one after another with random gaps."""
    cursor = {key: 1 for key in _KEYS}
    found = []
    for index, (key, gap, length) in enumerate(draw(st.lists(
            st.tuples(st.sampled_from(_KEYS), st.integers(0, 5), st.integers(1, 30)), max_size=25))):
        start = cursor[key] + gap
        cursor[key] = start + length
        found.append(entry(index + 1, start, start + length - 1, key=key))
    return found


@given(ledgers())
def test_an_export_equal_to_the_ledger_gives_no_mismatch(entries) -> None:
    rows = [row(100 + e.id, e.start, e.end, e.retired_on, OURS, e.issuance_key) for e in entries]
    report = reconcile(entries, rows, NAMES)
    assert report.mismatches == ()
    assert report.summary.entries_matched == len(entries)


@given(ledgers(), st.lists(st.tuples(st.sampled_from(_KEYS), st.integers(1, 400), st.integers(0, 40)), max_size=25))
def test_the_sweep_finds_what_comparing_every_pair_finds(entries, spans) -> None:
    # registry rows anywhere, overlapping each other or not, retired for someone else
    rows = [row(100 + n, start, start + extra, key=key, beneficiary="Acme") for n, (key, start, extra) in enumerate(spans)]
    report = reconcile(entries, rows, NAMES)

    def touching(e: LedgerEntry) -> list[RegistryRetirement]:
        return [r for r in rows if r.issuance_key == e.issuance_key and r.start <= e.end and e.start <= r.end]

    found = {(m.kind.value, m.retirement_id, m.registry_row) for m in report.mismatches}
    expected_missing = {("missing_at_registry", e.id, None) for e in entries if not touching(e)}
    expected_foreign = {("beneficiary_mismatch", e.id, r.row) for e in entries for r in touching(e)}
    assert {f for f in found if f[0] == "missing_at_registry"} == expected_missing
    assert {f for f in found if f[0] == "beneficiary_mismatch"} == expected_foreign
    touched = {r.row for e in entries for r in touching(e)}
    assert report.summary.unrelated_rows == len(rows) - len(touched)
