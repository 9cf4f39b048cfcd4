"""Reconciling the ledger with a registry export, through the service: mismatches, refusals,
access, and the real Verra sample.

The world (tests/factories.py): organisation A ("Org N", legal name "测试光伏有限公司 N") has
retired 100 VCUs of issuance 1311, units 950,000,001–950,000,100 (retirement_a), on 1 March
2025 for period_verified, commitment B's 2024 period under ISO 14068-1: its retirement deadline
is 31 December 2025. Organisation A also holds block_a, 29,813 VCUs of issuance 1310.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from neutrality.accounts import services as access
from neutrality.commitments import services as commitments
from neutrality.errors import NotFound
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, importing, projects, retirements
from neutrality.registry.reconciling import reconcile_export
from neutrality.sheet_limits import REGISTRY_FILE_LIMITS
from neutrality.spreadsheets import ImportRejected
from tests.factories import (
    ADMIN,
    World,
    commitment_payload,
    organisation_payload,
    site_payload,
    verra_project,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "registry-samples"
AS_OF = dt.date(2026, 11, 1)

#: The header of the Verra transactions export, as the registry writes it (registry-samples).
VERRA_HEADER = [
    "Issuance Date", "Sustainable Development Goals", "Vintage Start", "Vintage End", "ID", "Name",
    "Country/Area", "Project Type", "Methodology", "Total Vintage Quantity", "Quantity Issued", "Serial Number",
    "Additional Certifications", "Retirement/Cancellation Date", "Retirement Beneficiary", "Retirement Reason",
    "Retirement Details",
]


def vcu(block_id: int, start: int, end: int, issuance: int = 1311) -> str:
    return f"{block_id}-{start}-{end}-VCS-VCU-{issuance}-VER-CN-13-3005-01012022-31102022-0"


def verra_csv(*rows: tuple[str, int, str, str]) -> bytes:
    """A Verra transactions export of Tongxu Biogas (3005) rows: (serial, quantity, retirement
    date or "" for issued units, beneficiary)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(VERRA_HEADER)
    for serial, quantity, retired, beneficiary in rows:
        writer.writerow([
            "2024-06-01", "", "2022-01-01", "2022-10-31", "3005", "Tongxu Biogas Recovery and Utilization Project",
            "China", "Livestock, enteric fermentation, and manure management", "ACM0010", "500,000",
            f"{quantity:,}", serial, "", retired, beneficiary, "Environmental Benefit" if retired else "", "",
        ])
    return out.getvalue().encode()


# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _org(uow: Any, organisation_id: int) -> Any:
    return organisations.get_organisation(uow(), ADMIN, organisation_id)


def _reconcile(uow: Any, organisation_id: int, data: bytes, actor: Any = ADMIN, **kw: Any) -> dict[str, Any]:
    return reconcile_export(uow(), actor, organisation_id, data=data, filename="transactions.csv",
                            max_bytes=1_000_000, limits=REGISTRY_FILE_LIMITS, **kw)


def _retire_new_block(uow: Any, organisation_id: int, project_id: int, period_id: int, serial: str, quantity: int,
                      retired_on: dt.date, despite_rules: str = "") -> int:
    """Record a block of ``serial`` and retire all of it for the period; the retirement's id."""
    block = held_blocks.add_block(uow(), ADMIN, organisation_id, {
        "scheme": "VCU", "serial": serial, "quantity": quantity, "project_id": project_id}, as_of=AS_OF)
    return retirements.retire(uow(), ADMIN, organisation_id, {
        "period_id": period_id, "block_id": block.id, "beneficiary_text": "Factory A",
        "purpose": "Carbon neutrality of the factory subject, 2024", "retired_on": retired_on,
        "registry_reference": f"VCS-{block.id}", "despite_rules": despite_rules},
        evidence=b"%PDF certificate", evidence_filename="cert.pdf",
        as_of=AS_OF).id


def _period_of_b(uow: Any, world: World) -> int:
    site = organisations.create_site(uow(), ADMIN, world.org_b, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, world.org_b, {"name": "B", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, world.org_b, commitment_payload(subject.id))
    return commitments.generate(uow(), ADMIN, world.org_b, commitment.id, count=1)[0].id


def _kinds(answer: dict[str, Any]) -> list[tuple[str, int | None, int | None, int, int]]:
    return [(m["kind"], m["retirement_id"], m["registry_row"], m["serial_start"], m["serial_end"])
            for m in answer["mismatches"]]


def test_an_export_showing_our_retirement_for_us_matches_it(uow, world) -> None:
    org = _org(uow, world.org_a)
    # the registry splits blocks under a new block id (30001): the issuance and range are what count
    data = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", f"{org.legal_name} ({org.name})"))
    answer = _reconcile(uow, world.org_a, data)
    assert answer["mismatches"] == []
    assert answer["summary"] == {
        "entries_checked": 1, "registry_rows": 1, "registry_retired_rows": 1, "entries_matched": 1,
        "unrelated_rows": 0, "rows_for_other_periods": 0, "mismatches": 0,
        "mismatches_by_kind": {kind: 0 for kind in (
            "missing_at_registry", "quantity_differs", "beneficiary_mismatch", "after_deadline", "date_differs",
            "overlaps_another_organisation", "not_recorded_here")},
    }
    assert answer["kind"] == "verra_transactions" and len(answer["sha256"]) == 64
    assert answer["claimant_names"] == [org.name, org.legal_name]


def test_every_difference_between_the_ledger_and_the_export_is_listed(uow, world, table_counts) -> None:
    org = _org(uow, world.org_a)
    # three more retirements of ours for period_verified (issuances 1312–1314 of project 3005):
    # 500 units on 1 April 2025, 200 on 1 May 2025 and 50 on 15 January 2026 (after the deadline)
    r500 = _retire_new_block(uow, world.org_a, world.project_a, world.period_verified,
                             vcu(20002, 960000001, 960000500, 1312), 500, dt.date(2025, 4, 1))
    r200 = _retire_new_block(uow, world.org_a, world.project_a, world.period_verified,
                             vcu(20003, 970000001, 970000200, 1313), 200, dt.date(2025, 5, 1))
    r50 = _retire_new_block(uow, world.org_a, world.project_a, world.period_verified,
                            vcu(20004, 980000001, 980000050, 1314), 50, dt.date(2026, 1, 15),
                            despite_rules="retired late at the registry; recorded as it stands")
    data = verra_csv(
        # row 2: retirement_a exactly, for us, same date: a match
        (vcu(30001, 950000001, 950000100), 100, "2025-03-01", org.legal_name),
        # row 3: our 500 units, but for another company and a day later
        (vcu(30002, 960000001, 960000500, 1312), 500, "2025-04-02", "Lindblad Expeditions Family of Companies"),
        # row 4: only the first 100 of our 200 units
        (vcu(30003, 970000001, 970000100, 1313), 100, "2025-05-01", f"Retired for {org.name}"),
        # (our 50 units of issuance 1314 appear nowhere)
        # row 5: 50 units retired for us that no retirement of ours covers
        (vcu(30005, 950000101, 950000150), 50, "2025-06-01", org.legal_name),
        # row 6: issued, not retired (ignored, even though it is our units)
        (vcu(30006, 980000001, 980000050, 1314), 50, "", ""),
        # row 7: someone else's retirement of other units (ignored, counted)
        (vcu(30007, 990000001, 990000010, 1315), 10, "2025-02-01", "Coca-Cola"),
    )
    before = table_counts()
    answer = _reconcile(uow, world.org_a, data)
    assert table_counts() == before  # read-only
    # in order of scheme, issuance key (1311 < 1312 < 1313 < 1314), first unit, kind
    assert _kinds(answer) == [
        ("not_recorded_here", None, 5, 950000101, 950000150),
        ("beneficiary_mismatch", r500, 3, 960000001, 960000500),
        ("date_differs", r500, 3, 960000001, 960000500),
        ("quantity_differs", r200, 4, 970000001, 970000200),
        ("missing_at_registry", r50, None, 980000001, 980000050),
        ("after_deadline", r50, None, 980000001, 980000050),
    ]
    by_kind = {m["kind"]: m for m in answer["mismatches"]}
    assert by_kind["quantity_differs"]["details"]["registry_quantity"] == 100
    assert by_kind["quantity_differs"]["details"]["ledger_quantity"] == 200
    assert by_kind["date_differs"]["details"] == {"ledger_date": "2025-04-01", "registry_date": "2025-04-02"}
    # the registry has nothing for r50: the deadline is judged on our own date
    assert by_kind["after_deadline"]["details"] == {
        "retired_on": "2026-01-15", "date_source": "our ledger", "deadline": "2025-12-31"}
    assert "Lindblad Expeditions Family of Companies" in by_kind["beneficiary_mismatch"]["sentence"]
    assert by_kind["not_recorded_here"]["quantity"] == 50
    summary = answer["summary"]
    # 4 retirements checked, 1 matched; 6 rows, 5 retired, 1 (Coca-Cola) unrelated
    assert (summary["entries_checked"], summary["entries_matched"]) == (4, 1)
    assert (summary["registry_rows"], summary["registry_retired_rows"], summary["unrelated_rows"]) == (6, 5, 1)
    assert summary["mismatches"] == 6 and summary["mismatches_by_kind"]["after_deadline"] == 1


def test_a_reversed_retirement_is_no_longer_in_the_ledger(uow, world) -> None:
    org = _org(uow, world.org_a)
    retirements.reverse(uow(), ADMIN, world.org_a, world.retirement_a, "recorded against the wrong block")
    data = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", org.legal_name))
    answer = _reconcile(uow, world.org_a, data)
    # nothing of ours is in force; the registry still shows the units retired for A
    assert answer["summary"]["entries_checked"] == 0
    assert _kinds(answer) == [("not_recorded_here", None, 2, 950000001, 950000100)]


def test_one_period_is_checked_alone_and_rows_of_other_periods_are_only_counted(uow, world) -> None:
    org = _org(uow, world.org_a)
    # a retirement for commitment A's own period beside retirement_a (period_verified)
    _retire_new_block(uow, world.org_a, world.project_a, world.period_a,
                              vcu(20002, 960000001, 960000500, 1312), 500, dt.date(2025, 4, 1))
    data = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", org.legal_name),
                     (vcu(30002, 960000001, 960000500, 1312), 500, "2025-04-01", org.legal_name))
    answer = _reconcile(uow, world.org_a, data, period_id=world.period_verified)
    assert answer["period_id"] == world.period_verified
    # only retirement_a is checked (matched); row 3 is the other period's, not "not recorded here"
    assert answer["mismatches"] == []
    assert (answer["summary"]["entries_checked"], answer["summary"]["entries_matched"]) == (1, 1)
    assert answer["summary"]["rows_for_other_periods"] == 1
    # without the period, both retirements are checked and both match
    everything = _reconcile(uow, world.org_a, data)
    assert everything["mismatches"] == []
    assert (everything["summary"]["entries_checked"], everything["summary"]["entries_matched"]) == (2, 2)


def test_units_another_organisation_holds_retired_are_reported_without_naming_it(uow, world) -> None:
    org_a, org_b = _org(uow, world.org_a), _org(uow, world.org_b)
    # organisation B imports an account export where units 950,000,051–950,000,150 stand retired
    # for itself: 50 of them are units of retirement_a
    theirs = verra_csv((vcu(40001, 950000051, 950000150), 100, "2025-02-01", org_b.legal_name))
    importing.import_registry_file(uow(), ADMIN, world.org_b, data=theirs, filename="b.csv", max_bytes=10_000, limits=REGISTRY_FILE_LIMITS,
                                  as_of=AS_OF)
    data = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", org_a.legal_name))
    answer = _reconcile(uow, world.org_a, data)
    assert _kinds(answer) == [("overlaps_another_organisation", world.retirement_a, None, 950000051, 950000100)]
    mismatch = answer["mismatches"][0]
    assert mismatch["details"]["shared_quantity"] == 50
    text = str(mismatch)
    assert org_b.name not in text and org_b.legal_name not in text and f"organisation {world.org_b}" not in text


def test_another_organisations_copy_of_a_retirement_for_us_is_not_a_competing_claim(uow, world) -> None:
    org_a = _org(uow, world.org_a)
    # B imported the public export, where retirement_a's units stand retired for A
    public = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", org_a.legal_name))
    importing.import_registry_file(uow(), ADMIN, world.org_b, data=public, filename="public.csv", max_bytes=10_000, limits=REGISTRY_FILE_LIMITS,
                                  as_of=AS_OF)
    assert _reconcile(uow, world.org_a, public)["mismatches"] == []


def test_a_file_that_is_not_a_registry_export_is_refused_and_nothing_changes(uow, world, table_counts) -> None:
    before = table_counts()
    with pytest.raises(ImportRejected) as refused:
        _reconcile(uow, world.org_a, b"Serial,Qty,Owner\n950000001-950000100,100,A\n")
    [error] = refused.value.errors
    assert error.reason.startswith("the header matches no known registry file layout")
    assert table_counts() == before


def test_a_retired_row_whose_quantity_is_not_its_range_is_refused_with_its_row(uow, world, table_counts) -> None:
    org = _org(uow, world.org_a)
    # row 3 says 99 units for the range 950,000,001–950,000,100 (100 units)
    data = verra_csv((vcu(30006, 980000001, 980000050, 1314), 50, "", ""),
                     (vcu(30001, 950000001, 950000100), 99, "2025-03-01", org.legal_name))
    before = table_counts()
    with pytest.raises(ImportRejected) as refused:
        _reconcile(uow, world.org_a, data)
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "Quantity Issued")]  # the column as the Verra export names it
    assert table_counts() == before


@pytest.mark.skipif(not (SAMPLES / "verra" / "projects.csv").is_file(), reason="registry samples absent")
def test_a_project_list_is_refused(uow, world) -> None:
    data = (SAMPLES / "verra" / "projects.csv").read_bytes()
    with pytest.raises(ImportRejected) as refused:
        _reconcile(uow, world.org_a, data)
    assert [e.row for e in refused.value.errors] == [None]
    assert "project list (verra_projects)" in refused.value.errors[0].reason


def test_a_period_of_another_organisation_is_not_found(uow, world) -> None:
    period_b = _period_of_b(uow, world)
    data = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", "x"))
    with pytest.raises(NotFound):
        _reconcile(uow, world.org_a, data, period_id=period_b)


def test_a_verifier_may_reconcile_and_a_user_of_another_organisation_may_not(uow, world) -> None:
    org = _org(uow, world.org_a)
    data = verra_csv((vcu(30001, 950000001, 950000100), 100, "2025-03-01", org.legal_name))
    verifier = access.load_actor(uow(), world.users["verifier"])
    assert _reconcile(uow, world.org_a, data, actor=verifier)["summary"]["entries_matched"] == 1
    outsider = access.load_actor(uow(), world.users["outsider"])
    # a user with no role in organisation A does not even learn that it exists
    with pytest.raises(NotFound):
        _reconcile(uow, world.org_a, data, actor=outsider)


# --- the real Verra sample (read unmodified; skipped where absent) -----------------------------

_SAMPLE = SAMPLES / "verra" / "transactions.csv"
needs_sample = pytest.mark.skipif(not _SAMPLE.is_file(), reason=f"registry samples not found at {SAMPLES}")


def _organisation_with_a_2025_period(uow: Any, **names: Any) -> tuple[int, int]:
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload(**names)).id
    site = organisations.create_site(uow(), ADMIN, org, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, org, {"name": "Ship", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, org, commitment_payload(
        subject.id, baseline_date=dt.date(2025, 1, 1), first_qualification_date=dt.date(2026, 1, 1)))
    return org, commitments.generate(uow(), ADMIN, org, commitment.id, count=1)[0].id


@needs_sample
def test_the_verra_sample_matches_a_retirement_recorded_from_it(uow) -> None:
    # Row 4 of the sample: 28,571 VCUs of Tongxu Biogas (941,441,125 − 941,412,555 + 1), retired
    # on 6 April 2026 for "Lindblad Expeditions Family of Companies". Recorded here for a 2025
    # ISO 14068-1 period (deadline 31 December 2026), same date: no mismatch. The sample's other
    # 99 retired rows (100 of its 200 rows have a retirement date) name other companies.
    org, period = _organisation_with_a_2025_period(uow, name="Lindblad Expeditions",
                                                   legal_name="Lindblad Expeditions, Inc.")
    project = projects.create_project(uow(), ADMIN, org, verra_project("3005", "Tongxu Biogas Recovery")).id
    retirement = _retire_new_block(uow, org, project, period,
                                   "19381-941412555-941441125-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
                                   28_571, dt.date(2026, 4, 6))
    data = _SAMPLE.read_bytes()
    answer = reconcile_export(uow(), ADMIN, org, data=data, filename=_SAMPLE.name, max_bytes=len(data),
                             limits=REGISTRY_FILE_LIMITS)
    assert answer["mismatches"] == [] and retirement
    summary = answer["summary"]
    assert (summary["registry_rows"], summary["registry_retired_rows"]) == (200, 100)
    assert (summary["entries_checked"], summary["entries_matched"], summary["unrelated_rows"]) == (1, 1, 99)


@needs_sample
def test_the_verra_sample_shows_a_retirement_for_a_chinese_company_the_ledger_lacks(uow) -> None:
    # Row 8 of the sample retires 2,608 VCUs (940,008,531 − 940,005,924 + 1) of project 3880 on
    # 13 April 2026 for "江苏亨通高压海缆有限公司 Hengtong Submarine Power Cable Co., Ltd.": the
    # Chinese short name 亨通高压海缆 is inside it. Nothing is recorded here.
    org, _ = _organisation_with_a_2025_period(uow, name="亨通高压海缆", legal_name="江苏亨通高压海缆有限公司")
    data = _SAMPLE.read_bytes()
    answer = reconcile_export(uow(), ADMIN, org, data=data, filename=_SAMPLE.name, max_bytes=len(data),
                             limits=REGISTRY_FILE_LIMITS)
    assert _kinds(answer) == [("not_recorded_here", None, 8, 940005924, 940008531)]
    assert answer["mismatches"][0]["quantity"] == 2_608
    assert answer["mismatches"][0]["details"]["registry_date"] == "2026-04-13"
    assert (answer["summary"]["entries_checked"], answer["summary"]["unrelated_rows"]) == (0, 99)
