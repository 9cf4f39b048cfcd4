"""Registry exports into holdings: the real samples round-trip; bad files change nothing.

The samples are read unmodified from ../shared/registry-samples (skipped where absent).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from neutrality.errors import Conflict
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, importing
from neutrality.registry.tables import InstrumentProject, SerialBlock
from neutrality.sheet_limits import REGISTRY_FILE_LIMITS
from neutrality.spreadsheets import ImportRejected
from tests.factories import ADMIN, organisation_payload

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "registry-samples"
AS_OF = dt.date(2026, 11, 21)

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"registry samples not found at {SAMPLES}")


@pytest.fixture
def org(uow: Any) -> int:
    return organisations.create_organisation(uow(), ADMIN, organisation_payload()).id


def _import(uow: Any, org: int, path: Path, **kw: Any) -> Any:
    data = path.read_bytes()
    return importing.import_registry_file(uow(), ADMIN, org, data=data, filename=path.name,
                                         max_bytes=len(data), limits=REGISTRY_FILE_LIMITS, as_of=AS_OF, **kw)


def _blocks(uow: Any, org: int) -> list[SerialBlock]:
    with uow() as unit:
        return list(unit.session.scalars(select(SerialBlock).where(SerialBlock.organisation_id == org)
                                         .order_by(SerialBlock.id)))


@pytest.mark.parametrize(
    ("folder", "name", "quantity_column", "project_column"),
    [
        ("verra", "transactions.csv", "Quantity Issued", "ID"),
        ("gold-standard", "issuances.csv", "Quantity", "GSID"),
        ("gold-standard", "retirements.csv", "Quantity", "GSID"),
    ],
)
def test_every_row_of_a_registry_sample_becomes_a_block_of_its_range(
    uow, org, folder, name, quantity_column, project_column
) -> None:
    path = SAMPLES / folder / name
    outcome = _import(uow, org, path)
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert outcome.status == "imported" and outcome.blocks == len(expected)
    blocks = _blocks(uow, org)
    assert len(blocks) == len(expected)
    by_serial = {b.raw_serial: b for b in blocks}
    for _, row in expected.iterrows():
        block = by_serial[row["Serial Number"].strip()]
        # the quantity the registry states is the serial range, end − start + 1
        assert block.quantity == int(row[quantity_column].replace(",", "")), row["Serial Number"]
        assert block.serial_end - block.serial_start + 1 == block.quantity
    # the row's project is recorded and linked (CDM rows of the GS file name their CDM project)
    with uow() as unit:
        projects = {p.id: p.registry_project_id for p in unit.session.scalars(select(InstrumentProject))}
    linked = {projects[b.project_id] for b in blocks}
    assert linked >= {p.replace(".0", "") for p in expected[project_column]} - {""} - {"4823"}


def test_the_verra_sample_keeps_registry_facts_on_each_block(uow, org) -> None:
    _import(uow, org, SAMPLES / "verra" / "transactions.csv")
    block = next(b for b in _blocks(uow, org) if b.raw_serial.startswith("19381-941412555-941441125"))
    # 941,441,125 − 941,412,555 + 1 = 28,571 VCUs of Tongxu Biogas (3005), retired on 6 April 2026
    assert (block.scheme, block.quantity, block.status) == ("VCU", 28_571, "retired")
    assert (block.vintage_start, block.vintage_end) == (dt.date(2022, 1, 1), dt.date(2022, 10, 31))
    assert block.details["beneficiary"] == "Lindblad Expeditions Family of Companies"
    assert block.details["retirement_date"] == "2026-04-06"
    held = [b for b in _blocks(uow, org) if b.status == "held"]
    assert held, "rows without a retirement date are held"


def test_the_same_file_twice_changes_nothing(uow, org, table_counts) -> None:
    path = SAMPLES / "verra" / "transactions.csv"
    first = _import(uow, org, path)
    before = table_counts()
    second = _import(uow, org, path)
    assert (second.status, second.import_id) == ("already_imported", first.import_id)
    assert table_counts() == before


def test_blocks_already_held_are_refused_row_by_row_and_nothing_is_written(uow, org, table_counts, tmp_path) -> None:
    path = SAMPLES / "verra" / "transactions.csv"
    _import(uow, org, path)
    # the same rows in another file (one column more, so another SHA-256): every row overlaps
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["Note"] = "copy"
    copy = tmp_path / "copy.csv"
    frame.to_csv(copy, index=False)
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, copy)
    assert len(rejected.value.errors) == len(frame)
    assert {e.column for e in rejected.value.errors} == {"Serial Number"}  # as the Verra export names it
    assert "already held" in rejected.value.errors[0].reason
    assert table_counts() == before


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        (lambda rows: rows.__setitem__(1, rows[1].replace('"28,571"', '"28,570"')), "Quantity Issued", "28,571"),
        (lambda rows: rows.__setitem__(1, rows[1].replace("-941441125-", "-941412554-")), "Serial Number", "before start"),
        (lambda rows: rows.__setitem__(1, rows[1].replace("01012022-31102022", "01012099-31102099")
                                       .replace("2022-01-01,2022-10-31", "2099-01-01,2099-10-31")), "Serial Number", "future"),
        (lambda rows: rows.append(rows[1]), "Serial Number", "overlaps row"),
    ],
)
def test_a_bad_row_rejects_the_file_naming_row_and_column(uow, org, table_counts, tmp_path, change, column, words) -> None:
    # the header and the Tongxu Biogas 28,571 row (row 2 of the file) of the Verra sample
    lines = (SAMPLES / "verra" / "transactions.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0], next(line for line in lines if "19381-941412555-941441125" in line)]
    change(rows)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, path)
    errors = rejected.value.errors
    assert any(e.column == column and words in e.reason for e in errors), errors
    assert all(e.row is not None for e in errors)
    assert table_counts() == before


def test_a_file_of_another_registry_is_refused(uow, org, table_counts) -> None:
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, SAMPLES / "gold-standard" / "retirements.csv", kind="verra_transactions")
    assert "Gold Standard" in rejected.value.errors[0].reason
    assert table_counts() == before


def test_a_gec_code_with_a_bad_production_month_is_refused(uow, org, table_counts) -> None:
    code = "11320922230500012" + "202413" + "0000001" + "11"
    data = ("start_serial,end_serial,quantity,project_name,project_code,production_month,status\n"
            f"{code},{code},1,Wind,11320922230500012,2024-12,issued\n").encode()
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        importing.import_registry_file(uow(), ADMIN, org, data=data, filename="gec.csv", max_bytes=10_000, limits=REGISTRY_FILE_LIMITS,
                                      as_of=AS_OF, kind="gec_account")
    assert any("202413" in e.reason and e.row == 2 for e in rejected.value.errors), rejected.value.errors
    assert table_counts() == before


def test_a_dry_run_counts_without_writing(uow, org, table_counts) -> None:
    before = table_counts()
    path = SAMPLES / "gold-standard" / "issuances.csv"
    data = path.read_bytes()
    outcome = importing.import_registry_file(uow(), ADMIN, org, data=data, filename=path.name, max_bytes=len(data), limits=REGISTRY_FILE_LIMITS,
                                            as_of=AS_OF, dry_run=True)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert outcome.status == "preview" and outcome.blocks == len(frame)
    # by scheme: the three CER rows are CDM credits, the rest GS VERs
    cer = frame[frame["Product Type"] == "CER"]["Quantity"].astype(int).sum()
    ver = frame[frame["Product Type"] == "VER"]["Quantity"].astype(int).sum()
    assert dict(outcome.quantity_by_scheme) == {"CER": cer, "GS_VER": ver}
    assert table_counts() == before


def test_a_block_typed_in_over_an_imported_one_is_refused(uow, org) -> None:
    _import(uow, org, SAMPLES / "verra" / "transactions.csv")
    with uow() as unit:
        project = unit.session.scalar(select(InstrumentProject.id).where(InstrumentProject.registry_project_id == "3005"))
    with pytest.raises(Conflict):
        held_blocks.add_block(uow(), ADMIN, org, {
            "scheme": "VCU", "project_id": project, "quantity": 10,
            "serial": "1-941412600-941412609-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"}, as_of=AS_OF)
