"""Registry files as people download them: every file of ../shared/registry-samples/real-world
(its MANIFEST.tsv) is imported as it is, and each import does what the file's class says:
claimed files import whole, with the blocks' quantities those of the file's quantity column;
derived files are read or refused with a message that says why; files of registries this
application does not read are refused by name. Expected values come from the files themselves,
read here with the csv module. Skipped where the folder is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from neutrality.organisations import services as organisations
from neutrality.registry import importing
from neutrality.registry.tables import InstrumentProject, SerialBlock
from neutrality.sheet_limits import REGISTRY_FILE_LIMITS
from neutrality.spreadsheets import ImportRejected
from tests.factories import ADMIN, organisation_payload

REAL_WORLD = Path(__file__).resolve().parents[3] / "shared" / "registry-samples" / "real-world"
AS_OF = dt.date(2026, 12, 4)

pytestmark = pytest.mark.skipif(not REAL_WORLD.is_dir(), reason=f"real-world registry files not found at {REAL_WORLD}")


def _manifest() -> list[tuple[str, str, str]]:
    """(path, class, expected kind) of every file the manifest lists."""
    if not REAL_WORLD.is_dir():
        return []
    entries = []
    for line in (REAL_WORLD / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            path, kind_class, kind, _ = line.split("\t")
            entries.append((path, kind_class, kind))
    return entries


MANIFEST = _manifest()
CLAIMED = [(path, kind) for path, kind_class, kind in MANIFEST if kind_class == "claimed"]

#: What each derived or not-claimed file's import answers (the whole file refused, or read).
RESAVED = (
    "this {label} is not the file the registry published: it was re-saved by a spreadsheet program "
    "such as Excel (or rebuilt by someone else), and {what}. Download it again from the registry "
    "and upload the downloaded file as it is, without opening and saving it in Excel (open a copy "
    "to look at it)"
)
NOT_READ = (
    "this is {registry}, which this application does not read; it reads these registry files as "
    "the registries publish them: Verra transactions export, Verra projects export, Gold Standard "
    "issuances export, Gold Standard retirements export, Gold Standard projects export; and through "
    "its templates: I-REC redemption statement, China GEC account export, CCER registry export"
)
REFUSED = {
    "derived/verra_allprojects_kenya_excel-resaved.csv": RESAVED.format(
        label="Verra projects export",
        what="its text is in a Windows code page (such as Windows-1252), not the UTF-8 the registry writes",
    ),
    # Berkeley's compilation writes the monitoring period month first: 01/01/2019 in row 2
    "derived/gs_issuances_berkeley-vrod-v3_2021-12 (first 3000).csv": RESAVED.format(
        label="Gold Standard issuances export",
        what="the dates in column 'Monitoring Period Start' are written 01/01/2019 (row 2), a form the "
        "registry does not write (it writes YYYY-MM-DD)",
    ),
    "not-claimed/ACR_RetiredCredits (first 1500).txt": NOT_READ.format(
        registry="an American Carbon Registry (ACR) export"
    ),
    "not-claimed/car_retirements_carbonplan-sample_2026-04.csv": NOT_READ.format(
        registry="a Climate Action Reserve (CAR) export"
    ),
    "not-claimed/art-trees_issuances_carbonplan-sample_2026-04.csv": NOT_READ.format(registry="an ART TREES export"),
}
READ = {
    "derived/vcus_singapore_2024-11 (first 34 rows, current serial layout only).csv",
    "derived/verra_transactions_2022_rows-from-carbonplan-fixture.csv",
}
PROJECT = {"verra_transactions": "ID", "verra_projects": "ID", "gs_projects": "GSID"}


@pytest.fixture
def org(uow: Any) -> int:
    return organisations.create_organisation(uow(), ADMIN, organisation_payload()).id


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _import(uow: Any, org: int, path: Path, **kw: Any) -> Any:
    data = path.read_bytes()
    return importing.import_registry_file(uow(), ADMIN, org, data=data, filename=path.name, max_bytes=len(data),
                                         limits=REGISTRY_FILE_LIMITS, as_of=AS_OF, **kw)


def _blocks(uow: Any, org: int) -> list[SerialBlock]:
    with uow() as unit:
        return list(unit.session.scalars(select(SerialBlock).where(SerialBlock.organisation_id == org)))


def _projects(uow: Any, org: int) -> list[InstrumentProject]:
    with uow() as unit:
        return list(unit.session.scalars(select(InstrumentProject).where(InstrumentProject.organisation_id == org)))


def test_every_file_of_the_manifest_has_an_expected_outcome() -> None:
    assert MANIFEST, "MANIFEST.tsv lists no file"
    for path, kind_class, _ in MANIFEST:
        assert (REAL_WORLD / path).is_file(), path
        if kind_class != "claimed":
            assert path in REFUSED or path in READ, f"{path}: no expected outcome"


def _check_transactions(uow: Any, org: int, path: Path) -> None:
    """A Verra transactions export, a public listing, imported for every project it lists: every
    row a block whose serial range is the row's quantity."""
    rows = _rows(path)
    projects = sorted({row["ID"] for row in rows})
    outcome = _import(uow, org, path, project_ids=projects)
    assert (outcome.status, outcome.blocks, outcome.errors) == ("imported", len(rows), ())
    blocks = {b.raw_serial: b for b in _blocks(uow, org)}
    assert len(blocks) == len(rows)
    for row in rows:
        block = blocks[row["Serial Number"]]
        quantity = int(row["Quantity Issued"].replace(",", ""))
        assert (block.quantity, block.serial_end - block.serial_start + 1) == (quantity, quantity), row["Serial Number"]
    total = sum(int(row["Quantity Issued"].replace(",", "")) for row in rows)
    assert dict(outcome.quantity_by_scheme) == {"VCU": total}


@pytest.mark.parametrize(("name", "kind"), CLAIMED, ids=[name for name, _ in CLAIMED])
def test_every_claimed_file_imports_whole(uow, org, name: str, kind: str) -> None:
    path = REAL_WORLD / name
    if kind == "verra_transactions":
        _check_transactions(uow, org, path)
        return
    rows = _rows(path)
    outcome = _import(uow, org, path)
    assert (outcome.status, outcome.kind, outcome.errors) == ("imported", kind, ())
    assert (outcome.blocks, outcome.projects) == (0, len(rows))
    countries = {p.registry_project_id: p.country for p in _projects(uow, org)}
    assert set(countries) == {row[PROJECT[kind]].strip() for row in rows}
    if kind == "gs_projects":
        # the Gold Standard registry's own spellings, as ISO 3166 codes (Kosovo: XK, by convention)
        spelled = {"North Macedonia Republic of": "MK", "Kosovo Republic of": "XK", "Cape Verde": "CV",
                   "Korea Republic of": "KR"}
        found = {(row["Country"], countries[row["GSID"]]) for row in rows if row["Country"] in spelled}
        assert found == set(spelled.items())


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_that_cannot_be_read_as_published_are_refused_saying_why(uow, org, table_counts, name: str) -> None:
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, REAL_WORLD / name)
    assert [(e.row, e.column, e.reason) for e in rejected.value.errors] == [(None, None, REFUSED[name])]
    assert table_counts() == before


def test_the_first_34_singapore_rows_import_for_their_projects(uow, org) -> None:
    _check_transactions(uow, org, REAL_WORLD / "derived/vcus_singapore_2024-11 (first 34 rows, current serial layout only).csv")


def test_verra_rows_of_2022_with_day_first_dates_import_with_their_days(uow, org) -> None:
    path = REAL_WORLD / "derived/verra_transactions_2022_rows-from-carbonplan-fixture.csv"
    rows = _rows(path)
    # three beneficiaries: not evidently a public listing, so read whole without naming projects
    outcome = _import(uow, org, path)
    assert (outcome.status, outcome.blocks) == ("imported", len(rows))
    blocks = {b.raw_serial: b for b in _blocks(uow, org)}
    for row in rows:
        block = blocks[row["Serial Number"]]
        day, month, year = row["Issuance Date"].split("/")
        assert block.details["issuance_date"] == f"{year}-{month}-{day}"
        assert block.quantity == int(row["Quantity Issued"].replace(",", ""))
        assert block.status == ("retired" if row["Retirement/Cancellation Date"] else "held")
    # row 2 of the file: issued 8 March 2022 (day first), not 3 August
    first = blocks[rows[0]["Serial Number"]]
    assert first.details["issuance_date"] == "2022-03-08"


def test_a_public_transactions_export_is_not_taken_as_holdings(uow, org, table_counts) -> None:
    path = REAL_WORLD / "verra/vcus_australia_2023-12.csv"
    beneficiaries = list(dict.fromkeys(b for row in _rows(path) if (b := row["Retirement Beneficiary"].strip())))
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        _import(uow, org, path)
    [error] = rejected.value.errors
    assert error.reason.startswith(
        "this file is a registry's public listing, not the organisation's account: its rows name "
        f"{len(beneficiaries)} different retirement beneficiaries ('{beneficiaries[0]}', "
    )
    assert table_counts() == before
