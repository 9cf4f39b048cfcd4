"""Registry exports into holdings: the real samples round-trip; bad files change nothing.

The samples are read unmodified from ../shared/registry-samples (skipped where absent).
"""

from __future__ import annotations

import csv
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


def _projects(path: Path, column: str) -> list[str]:
    """Every project id of a sample, as the file writes it: the samples are public listings, read
    as holdings only for the projects an import names."""
    with open(path, encoding="utf-8", newline="") as f:
        return sorted({row[column].strip() for row in csv.DictReader(f)} - {""})


VERRA = SAMPLES / "verra" / "transactions.csv"


def _import_verra(uow: Any, org: int, path: Path = VERRA, **kw: Any) -> Any:
    return _import(uow, org, path, project_ids=_projects(VERRA, "ID"), **kw)


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
    outcome = _import(uow, org, path, project_ids=_projects(path, project_column))
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
    _import_verra(uow, org)
    block = next(b for b in _blocks(uow, org) if b.raw_serial.startswith("19381-941412555-941441125"))
    # 941,441,125 − 941,412,555 + 1 = 28,571 VCUs of Tongxu Biogas (3005), retired on 6 April 2026
    assert (block.scheme, block.quantity, block.status) == ("VCU", 28_571, "retired")
    assert (block.vintage_start, block.vintage_end) == (dt.date(2022, 1, 1), dt.date(2022, 10, 31))
    assert block.details["beneficiary"] == "Lindblad Expeditions Family of Companies"
    assert block.details["retirement_date"] == "2026-04-06"
    held = [b for b in _blocks(uow, org) if b.status == "held"]
    assert held, "rows without a retirement date are held"


def test_the_same_file_twice_changes_nothing(uow, org, table_counts) -> None:
    first = _import_verra(uow, org)
    before = table_counts()
    second = _import_verra(uow, org)
    assert (second.status, second.import_id) == ("already_imported", first.import_id)
    assert table_counts() == before


def test_blocks_already_held_are_refused_row_by_row_and_nothing_is_written(uow, org, table_counts, tmp_path) -> None:
    path = VERRA
    _import_verra(uow, org)
    # the same rows in another file (one column more, so another SHA-256): every row overlaps
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["Note"] = "copy"
    copy = tmp_path / "copy.csv"
    frame.to_csv(copy, index=False)
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import_verra(uow, org, copy)
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
                                            as_of=AS_OF, dry_run=True, project_ids=_projects(path, "GSID"))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert outcome.status == "preview" and outcome.blocks == len(frame)
    # by scheme: the three CER rows are CDM credits, the rest GS VERs
    cer = frame[frame["Product Type"] == "CER"]["Quantity"].astype(int).sum()
    ver = frame[frame["Product Type"] == "VER"]["Quantity"].astype(int).sum()
    assert dict(outcome.quantity_by_scheme) == {"CER": cer, "GS_VER": ver}
    assert table_counts() == before


def test_a_block_typed_in_over_an_imported_one_is_refused(uow, org) -> None:
    _import_verra(uow, org)
    with uow() as unit:
        project = unit.session.scalar(select(InstrumentProject.id).where(InstrumentProject.registry_project_id == "3005"))
    with pytest.raises(Conflict):
        held_blocks.add_block(uow(), ADMIN, org, {
            "scheme": "VCU", "project_id": project, "quantity": 10,
            "serial": "1-941412600-941412609-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"}, as_of=AS_OF)


# --- holdings are the organisation's own ------------------------------------------

PUBLIC = (
    "this file is a registry's public listing, not the organisation's account: its rows name {n} "
    "different {what} ({examples}, …). Holdings are the organisation's own units: import the "
    "export of its registry account, or name its project ids (project_ids) to read only the rows "
    "of those projects"
)


def _distinct(path: Path, column: str) -> list[str]:
    """The column's different values in the order the file first gives them, blanks left out."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(dict.fromkeys(value for row in csv.DictReader(f) if (value := row[column].strip())))


def test_a_public_listing_is_refused_as_holdings_and_nothing_is_written(uow, org, table_counts) -> None:
    beneficiaries = _distinct(VERRA, "Retirement Beneficiary")
    examples = ", ".join(f"'{b}'" for b in beneficiaries[:3])
    expected = PUBLIC.format(n=len(beneficiaries), what="retirement beneficiaries", examples=examples)
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, VERRA)
    assert [(e.row, e.column, e.reason) for e in rejected.value.errors] == [(None, None, expected)]
    # the dry run says the same, and writes nothing either
    preview = _import(uow, org, VERRA, dry_run=True)
    assert [e.reason for e in preview.errors] == [expected] and preview.blocks == 0
    assert table_counts() == before


def test_a_gold_standard_issuances_listing_is_refused_for_its_many_developers(uow, org, table_counts) -> None:
    path = SAMPLES / "gold-standard" / "issuances.csv"
    developers = _distinct(path, "Project Developer")
    examples = ", ".join(f"'{d}'" for d in developers[:3])
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, path)
    assert [e.reason for e in rejected.value.errors] == [
        PUBLIC.format(n=len(developers), what="project developers", examples=examples)
    ]
    assert table_counts() == before


def test_naming_project_ids_reads_only_their_rows(uow, org) -> None:
    with open(VERRA, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    tongxu = [row for row in rows if row["ID"] == "3005"]
    outcome = _import(uow, org, VERRA, project_ids=[" 3005 "])
    assert outcome.status == "imported" and outcome.blocks == len(tongxu)
    assert dict(outcome.skipped) == {"rows of projects the import did not name": len(rows) - len(tongxu)}
    blocks = _blocks(uow, org)
    assert sorted(b.raw_serial for b in blocks) == sorted(row["Serial Number"] for row in tongxu)
    assert sum(b.quantity for b in blocks) == sum(int(row["Quantity Issued"].replace(",", "")) for row in tongxu)


def test_the_command_line_refuses_a_public_listing_and_reads_the_projects_it_is_told(
    app, uow, org, table_counts
) -> None:
    import json

    with open(VERRA, encoding="utf-8", newline="") as f:
        tongxu = [row for row in csv.DictReader(f) if row["ID"] == "3005"]
    runner = app.test_cli_runner()
    before = table_counts()
    refused = runner.invoke(args=["registry", "import", str(org), str(VERRA), "--json"])
    assert refused.exit_code == 1, refused.output
    assert "this file is a registry's public listing" in refused.stderr
    assert table_counts() == before
    imported = runner.invoke(args=["registry", "import", str(org), str(VERRA), "--project-id", "3005", "--json"])
    assert imported.exit_code == 0, imported.output
    outcome = json.loads(imported.stdout)
    assert (outcome["status"], outcome["blocks"]) == ("imported", len(tongxu))
    held = sum(b.quantity for b in _blocks(uow, org))
    assert held == sum(int(row["Quantity Issued"].replace(",", "")) for row in tongxu)


def test_a_named_project_the_file_does_not_list_is_refused(uow, org, table_counts) -> None:
    listed = _distinct(VERRA, "ID")
    assert len(listed) > 20  # the message names the first 20
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, VERRA, project_ids=["3005", "99999"])
    assert [e.reason for e in rejected.value.errors] == [
        f"no row of the file is of project 99999; the file lists projects {', '.join(listed[:20])}, …"
    ]
    assert table_counts() == before


def test_per_rows_are_skipped_with_a_count_and_the_rest_imported(uow, org) -> None:
    header = ("Vintage,Credit Status,Quantity,GSID,Project Name,Project Developer,Country,Project Type,"
              "Methodology,Programme of Activities,POA GSID,Product Type,Issuance Date,"
              "Monitoring Period Start,Monitoring Period End,Serial Number")
    rows = [
        "2012,Issued,22283,1020,Cambodia stoves,Dev,Cambodia,Cookstoves,,Standalone,,VER,2013-05-02,"
        "2012-01-01,2012-12-31,GS1-1-KH-1020-16-2012-325-1-22283",
        "2014,Issued,99,2466,Biogas,Dev,China,Biogas,,Standalone,,PER,2015-01-05,2014-01-01,2014-12-31,"
        "GS1-1-CN-GS2466-22-2014-4013-1-99",
    ]
    data = "\n".join([header, *rows]).encode()
    outcome = importing.import_registry_file(uow(), ADMIN, org, data=data, filename="gs.csv", max_bytes=len(data),
                                            limits=REGISTRY_FILE_LIMITS, as_of=AS_OF)
    assert (outcome.status, outcome.blocks, dict(outcome.quantity_by_scheme)) == ("imported", 1, {"GS_VER": 22_283})
    assert dict(outcome.skipped) == {"PER rows (planned emission reductions, which cannot be retired)": 1}
    [block] = _blocks(uow, org)
    assert (block.serial_start, block.serial_end, block.issuance_key) == (1, 22_283, "GS1-1-KH-GS1020-16-2012-325")


# --- re-saved registry files are refused whole ------------------------------------

_RESAVED = (
    "this {label} is not the file the registry published: it was re-saved by a spreadsheet program such as "
    "Excel (or rebuilt by someone else), and {what}. Download it again from the registry and upload the "
    "downloaded file as it is, without opening and saving it in Excel (open a copy to look at it)"
)
_VERRA_ROW = ("{issued},,{start},{end},2498,Caazapa,Paraguay,AFOLU,AR-ACM0003,\"99,870\",\"84,773\","
              "12629-421604735-421689507-VCS-VCU-576-VER-PY-14-2498-01012020-19112020-0,,,,,")


def _verra_file(*rows: str, encoding: str = "utf-8") -> bytes:
    # read while the module is collected: where the samples are absent (the module is skipped)
    # the collection must not fail
    header = VERRA.read_text(encoding="utf-8").splitlines()[0] if VERRA.is_file() else ""
    return "\n".join([header, *rows, ""]).encode(encoding)


@pytest.mark.parametrize(
    ("data", "label", "what"),
    [
        (_verra_file(_VERRA_ROW.format(issued="12/23/2022", start="01/01/2020", end="11/19/2020")),
         "Verra transactions export",
         "the dates in column 'Issuance Date' are written month first (row 2: 12/23/2022); the registry writes "
         "them day first (DD/MM/YYYY) or as YYYY-MM-DD"),
        (_verra_file(_VERRA_ROW.format(issued="2022-03-08", start="2020-01-01", end="2020-11-19")
                     .replace("Caazapa", "卡阿萨帕"), encoding="gb18030"),
         "Verra transactions export", "its text is gb18030, not the UTF-8 the registry writes"),
        (b"ID,Name,Proponent,Project Type,Methodology,Status,Country/Area,Region,Crediting Period Start Date,"
         b"Crediting Period End Date\n1/28/1914,KUZA MITI,One Carbon World Ltd.,AFOLU,VM0047,Under development,"
         b"Kenya,Africa,2023-09-19,2122-09-18\n",
         "Verra projects export", "the ids in column 'ID' became dates (row 2: 1/28/1914)"),
    ],
    ids=["month-first dates", "gb18030", "ids as dates"],
)
def test_a_re_saved_registry_export_is_refused_saying_what_happened(uow, org, table_counts, tmp_path, data, label,
                                                                    what) -> None:
    path = tmp_path / "resaved.csv"
    path.write_bytes(data)
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, path)
    assert [(e.row, e.column, e.reason) for e in rejected.value.errors] == [
        (None, None, _RESAVED.format(label=label, what=what))
    ]
    assert table_counts() == before
