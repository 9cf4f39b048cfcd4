"""Registry export files: the public Verra and Gold Standard exports read unmodified, our three
templates (I-REC, GEC, CCER) read back, and every bad input refused with its row and column.

Rows are numbered as a spreadsheet shows them (header = row 1, first record = row 2); a record
with a quoted newline is still one row. Expected values below come from reading the sample files
by eye (line numbers quoted), not from the reader under test.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from importlib import resources
from pathlib import Path

import openpyxl
import pytest

from neutrality.inventory.importing import RowError
from neutrality.registry.exports import (
    KINDS,
    TEMPLATE_KINDS,
    InstrumentRow,
    RegistryFile,
    detect_kind,
    read_registry_file,
    template_csv,
)

d = dt.date
LIMIT = 10_000_000
SAMPLES = Path("/work/shared/registry-samples")
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason="the registry samples (/work/shared/registry-samples) are not on this machine",
)

SAMPLE_FILES = {
    # file: (kind, data rows). Hand counts: `wc -l` minus the header, less the quoted newlines
    # (GS retirements: Note cells of records 2, 3, 4, 5 and 41 end in a newline: 106 - 1 - 5;
    # GS projects: 265 lines hold 50 records, the Description cells span several lines).
    "verra/transactions.csv": ("verra_transactions", 200),
    "verra/projects.csv": ("verra_projects", 50),
    "gold-standard/issuances.csv": ("gs_issuances", 100),
    "gold-standard/retirements.csv": ("gs_retirements", 100),
    "gold-standard/projects.csv": ("gs_projects", 50),
}


def sample(name: str) -> RegistryFile:
    path = SAMPLES / name
    return read_registry_file(path.read_bytes(), path.name, max_bytes=LIMIT)


def sample_header(name: str) -> list[str]:
    with open(SAMPLES / name, encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def by_row(result: RegistryFile, row: int) -> InstrumentRow:
    (found,) = [r for r in result.instruments if r.row == row]
    return found


def csv_bytes(*rows: list[str], encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode(encoding)


def errors_of(result: RegistryFile) -> set[tuple[int | None, str | None]]:
    return {(e.row, e.column) for e in result.errors}


def refused(result: RegistryFile) -> str:
    """The reasons of a refused file, one string (for `in` checks); asserts nothing was kept."""
    assert not result.ok
    assert result.instruments == () and result.projects == ()
    return " | ".join(e.reason for e in result.errors)


# --- the public exports, unmodified ------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_every_row_of_each_sample_reads_without_error(name: str) -> None:
    kind, count = SAMPLE_FILES[name]
    result = sample(name)
    assert result.errors == ()
    assert result.kind == kind
    assert result.encoding == "utf-8"
    assert len(result.instruments) + len(result.projects) == count
    rows = [r.row for r in (result.instruments or result.projects)]
    assert rows == list(range(2, count + 2))  # records, not physical lines


@needs_samples
@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_each_sample_is_recognised_by_its_header(name: str) -> None:
    assert detect_kind(sample_header(name)) == SAMPLE_FILES[name][0]


@needs_samples
def test_verra_quantities_match_their_serial_ranges() -> None:
    # block-start-end-VCS-VCU-…: quantity = end - start + 1, checked on all 200 rows; the
    # quantities are written with thousands separators ("28,571")
    result = sample("verra/transactions.csv")
    for r in result.instruments:
        parts = r.serial.split("-")
        assert r.quantity == int(parts[2]) - int(parts[1]) + 1, r.row
        assert r.scheme == "VCU"


@needs_samples
def test_verra_tongxu_biogas_row_field_by_field() -> None:
    # line 4 of transactions.csv: the DOMAIN.md example block of 28,571 VCUs
    r = by_row(sample("verra/transactions.csv"), 4)
    assert r.serial == "19381-941412555-941441125-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"
    assert r.quantity == 28_571  # 941441125 - 941412555 + 1
    assert (r.scheme, r.status) == ("VCU", "retired")
    assert (r.project_id, r.country) == ("3005", "CN")
    assert r.project_name == "Tongxu Biogas Recovery and Utilization Project"
    assert (r.vintage_start, r.vintage_end) == (d(2022, 1, 1), d(2022, 10, 31))
    assert (r.issuance_date, r.retirement_date) == (d(2026, 4, 2), d(2026, 4, 6))
    assert r.beneficiary == "Lindblad Expeditions Family of Companies"
    assert r.reason == "Environmental Benefit"
    assert r.details == (
        "Retired on behalf of the Lindblad Expeditions family of companies 2025 emissions."
    )
    assert r.methodology == "ACM0010"
    assert r.project_type.startswith("Energy industries (renewable/non-renewable sources); ")
    assert r.labels == ()
    assert r.extra == {"total_vintage_quantity": "100897"}


@needs_samples
def test_verra_rows_with_chinese_beneficiaries() -> None:
    result = sample("verra/transactions.csv")
    hengtong = by_row(result, 8)  # line 8, Xinfeng AWMS, 2,608 VCUs
    assert (
        hengtong.beneficiary == "江苏亨通高压海缆有限公司 Hengtong Submarine Power Cable Co., Ltd."
    )
    assert hengtong.reason == "Retirement for Person or Organization"
    assert hengtong.details.endswith("用于江苏亨通高压海缆有限公司碳中和碳排放量抵消")
    assert hengtong.quantity == 2_608
    xtc = by_row(result, 88)  # line 88, Weiyuan composting, 5,000 VCUs
    assert (
        xtc.beneficiary
        == "三明厦钨新能源材料有限公司（XTC New Energy Materials (Sanming) Co. LTD.）"
    )
    assert xtc.details == "该注销将用于验证ISO14068组织运营层面碳中和"
    assert (xtc.quantity, xtc.retirement_date) == (5_000, d(2026, 3, 17))


@needs_samples
def test_verra_statuses_labels_and_sdgs() -> None:
    result = sample("verra/transactions.csv")
    first = by_row(result, 2)  # retired with no beneficiary: Verra does not always name one
    assert (first.status, first.beneficiary, first.retirement_date) == (
        "retired",
        "",
        d(2026, 4, 10),
    )
    assert first.labels == ("CCB-No Distinction",)
    assert first.country == "ET"
    # 100 rows have a Retirement/Cancellation Date (counted with a spreadsheet filter)
    assert sum(r.status == "retired" for r in result.instruments) == 100
    assert sum(r.status == "issued" for r in result.instruments) == 100
    assert {r.status for r in result.instruments} == {"issued", "retired"}  # never "cancelled"
    last = by_row(result, 201)
    assert last.status == "issued" and last.retirement_date is None
    assert last.labels == (
        "Article 6 Authorized – Intl mitigation purposes",
        "Article 6 Authorized – Other purposes",
        "CORSIA - First Phase, 2024-2026 Scope",
    )
    assert last.extra["sdgs"].startswith("01: No Poverty; 03: Good Health and Well-being;")
    assert by_row(result, 5).country == "VN"  # line 5, Hong Phong 4 Solar: "Viet Nam"


@needs_samples
def test_gs_retirement_for_hilti() -> None:
    # records 2 and 3 (lines 2–5): the Note ends in a newline inside its quotes
    result = sample("gold-standard/retirements.csv")
    r = by_row(result, 2)
    assert r.serial == "GS1-1-KE-GS11603-16-2025-30256-110-5463"
    assert r.quantity == 5_354  # 5463 - 110 + 1
    assert (r.scheme, r.status) == ("GS_VER", "retired")
    assert (r.project_id, r.country) == ("11603", "KE")
    assert r.beneficiary == "Hilti Corporation"
    assert r.reason == "Voluntary"
    assert r.details == (
        "Retirement on behalf of Hilti Corporation for the compensation of Scope 1 2 and "
        "business travel emissions of the year 2025."
    )  # the trailing newline is gone
    assert (r.issuance_date, r.retirement_date) == (d(2026, 3, 31), d(2026, 4, 10))
    # vintage 2025 of the monitoring period 2024-03-02..2025-03-10
    assert (r.vintage_start, r.vintage_end) == (d(2025, 1, 1), d(2025, 3, 10))
    assert r.methodology == "GS TPDDTEC v3.1"
    assert r.labels == ("VER", "Emission Reduction")
    assert r.extra["poa_gsid"] == "10789"  # written "10789.0"
    assert r.extra["monitoring_period_start"] == "2024-03-02"
    assert r.extra["vintage"] == "2025"
    assert r.extra["article_six_authorization"] == "Not Applicable"
    second = by_row(result, 3)
    assert (second.quantity, second.vintage_start, second.vintage_end) == (
        12_139,  # 12623 - 485 + 1
        d(2024, 3, 2),
        d(2024, 12, 31),
    )


@needs_samples
def test_gs_retirement_rows_numbered_as_records_and_note_as_beneficiary() -> None:
    result = sample("gold-standard/retirements.csv")
    # physical line 10 is record 6: four quoted newlines come before it
    r = by_row(result, 6)
    assert r.serial == "GS1-1-CR-GS2913-22-2025-30184-3-3"
    assert r.quantity == 1
    assert r.beneficiary == "Gold Standard Marketplace Order GSM31742 for Christin Garlich"
    assert r.details == r.beneficiary
    assert r.reason == ""
    assert r.labels == ("VER", "Emission Removal")
    turkcell = by_row(result, 41)  # lines 45–46
    assert turkcell.country == "TR"  # "Turkey", not pycountry's "Türkiye"
    assert turkcell.beneficiary.startswith("Turkcell İletişim Hizmetleri A.Ş.")


@needs_samples
def test_gs_cancelled_rows_have_no_retirement_date() -> None:
    result = sample("gold-standard/retirements.csv")
    r = by_row(result, 42)  # physical line 47
    assert (r.status, r.retirement_date) == ("cancelled", None)
    assert (r.quantity, r.country) == (41_158, "ZW")
    assert r.beneficiary == ""  # no note, no using entity
    zimbabwe = by_row(result, 92)  # physical line 97
    assert zimbabwe.status == "cancelled"
    assert zimbabwe.details.startswith("Transferred to Zimbabwe Carbon Registry")
    assert zimbabwe.beneficiary == ""  # a transfer out is nobody's retirement
    # six Canceled rows: records 42–44 and 92–94
    assert [x.row for x in result.instruments if x.status == "cancelled"] == [
        42,
        43,
        44,
        92,
        93,
        94,
    ]


@needs_samples
def test_gs_country_names_in_iso_order() -> None:
    retirements = sample("gold-standard/retirements.csv")
    raw = {}
    with open(SAMPLES / "gold-standard/retirements.csv", encoding="utf-8", newline="") as f:
        for number, record in enumerate(csv.DictReader(f), 2):
            raw[number] = record["Country"]
    congo = [
        r for r in retirements.instruments if raw[r.row] == "Congo the Democratic Republic of the"
    ]
    assert congo and {r.country for r in congo} == {"CD"}
    issuances = sample("gold-standard/issuances.csv")
    countries = {r.country for r in issuances.instruments}
    assert "TZ" in countries  # "Tanzania United Republic of"
    assert None not in countries


@needs_samples
def test_gs_issuance_timestamps_float_ids_and_cdm_cers() -> None:
    result = sample("gold-standard/issuances.csv")
    r = by_row(result, 2)
    assert r.issuance_date == d(2026, 4, 13)  # 2026-04-13T12:35:58.842275
    assert r.extra["poa_gsid"] == "11191"  # 11191.0
    assert (r.status, r.quantity, r.country) == ("issued", 19_149, "UG")
    assert (r.vintage_start, r.vintage_end) == (d(2024, 1, 1), d(2024, 12, 8))
    cer = by_row(result, 82)  # Product Type CER: a CDM range, not a GS serial
    assert cer.scheme == "CER"
    assert cer.serial == "RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014"
    assert cer.quantity == 3_657  # 1467609 - 1463953 + 1
    assert cer.labels == ("CER",)
    assert (cer.vintage_start, cer.vintage_end) == (d(2019, 1, 1), d(2019, 8, 16))
    assert sum(x.scheme == "CER" for x in result.instruments) == 3  # records 82–84


@needs_samples
def test_verra_projects() -> None:
    result = sample("verra/projects.csv")
    first = result.projects[0]  # line 2: no crediting period yet
    assert first.project_id == "5962"
    assert first.proponent == "KNOWLEDGE INTEGRATION SERVICES SINGAPORE PTE. LTD."
    assert (first.country, first.region, first.status) == ("ID", "Asia", "Under validation")
    assert (first.crediting_period_start, first.crediting_period_end) == (None, None)
    assert first.extra["estimated_annual_emission_reductions"] == "56373"  # "56,373"
    kenya = result.projects[1]  # line 3
    assert (kenya.project_id, kenya.country, kenya.methodology) == ("5957", "KE", "VM0042")
    assert (kenya.crediting_period_start, kenya.crediting_period_end) == (
        d(2024, 4, 1),
        d(2044, 3, 31),
    )
    assert kenya.extra["afolu_activities"] == "ALM"
    assert result.projects[2].proponent == "Paraná Ambiental Gestão Global de Resíduos Ltda."
    assert {p.registry for p in result.projects} == {"verra"}


@needs_samples
def test_gs_projects() -> None:
    result = sample("gold-standard/projects.csv")
    by_id = {p.project_id: p for p in result.projects}
    assert by_id["23474"].country is None  # "International": a multi-country programme
    assert by_id["23490"].country == "TW"
    assert by_id["23574"].extra["poa_gsid"] == "12856"
    assert by_id["23574"].extra["size"] == "Large Scale"
    assert by_id["23574"].proponent == "Unlocking Communities"
    assert by_id["23560"].country == "MZ"
    assert {p.registry for p in result.projects} == {"gold_standard"}
    assert {p.status for p in result.projects} == {"Listed"}


@needs_samples
def test_a_verra_file_stated_as_gold_standard_is_refused_naming_both() -> None:
    data = (SAMPLES / "verra/transactions.csv").read_bytes()
    result = read_registry_file(data, "t.csv", max_bytes=LIMIT, kind="gs_retirements")
    assert errors_of(result) == {(None, None)}
    assert refused(result) == (
        "this is a Verra transactions export, not a Gold Standard retirements export"
    )
    stated = read_registry_file(data, "t.csv", max_bytes=LIMIT, kind="verra_transactions")
    assert stated.ok and len(stated.instruments) == 200


@needs_samples
def test_gs_retirements_stated_as_issuances_is_refused() -> None:
    # a retirements header has every column an issuances export needs, and more
    data = (SAMPLES / "gold-standard/retirements.csv").read_bytes()
    result = read_registry_file(data, "r.csv", max_bytes=LIMIT, kind="gs_issuances")
    assert (
        "this is a Gold Standard retirements export, not a Gold Standard issuances export"
        in refused(result)
    )


@needs_samples
def test_gs_retirements_resaved_with_bom_and_crlf_read_the_same() -> None:
    # what Excel's "CSV UTF-8" does to a file: a byte-order mark and CRLF, also inside quotes
    data = (SAMPLES / "gold-standard/retirements.csv").read_bytes()
    resaved = codecs.BOM_UTF8 + data.replace(b"\n", b"\r\n")
    result = read_registry_file(resaved, "r.csv", max_bytes=LIMIT)
    assert result.ok, result.errors[:3]
    assert result.encoding == "utf-8-sig"
    assert result.instruments == sample("gold-standard/retirements.csv").instruments


@needs_samples
def test_verra_sample_as_xlsx_reads_like_the_csv() -> None:
    with open(SAMPLES / "verra/transactions.csv", encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    book = openpyxl.Workbook()
    sheet = book.active
    for record in records:
        sheet.append(record)
    out = io.BytesIO()
    book.save(out)
    from_xlsx = read_registry_file(out.getvalue(), "t.xlsx", max_bytes=LIMIT)
    assert from_xlsx.ok, from_xlsx.errors[:3]
    assert from_xlsx.instruments == sample("verra/transactions.csv").instruments


# --- formats and templates ---------------------------------------------------------------------


def formats() -> dict:
    text = (
        resources.files("neutrality.registry").joinpath("data", "formats.json").read_text("utf-8")
    )
    return json.loads(text)["kinds"]


def test_formats_json_lists_every_kind_with_known_schemes() -> None:
    kinds = formats()
    assert tuple(kinds) == KINDS
    schemes_csv = (
        resources.files("neutrality.registry").joinpath("data", "schemes.csv").read_text("utf-8")
    )
    codes = {row["code"] for row in csv.DictReader(io.StringIO(schemes_csv))}
    for spec in kinds.values():
        scheme = spec.get("scheme", {})
        named = {scheme["fixed"]} if "fixed" in scheme else set(scheme.get("values", {}).values())
        assert named <= codes


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_templates_are_utf8_with_bom_our_fields_and_a_help_row(kind: str) -> None:
    data = template_csv(kind)
    assert data.startswith(codecs.BOM_UTF8)
    header, help_row = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert header == [c["header"] for c in formats()[kind]["columns"]]
    assert all(cell.startswith("# ") for cell in help_row)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in cell) for cell in help_row)  # 中文
    assert detect_kind(header) == kind
    # the bare template has no data rows
    assert "no data rows" in refused(read_registry_file(data, f"{kind}.csv", max_bytes=LIMIT))


IREC_ROW = {
    "beneficiary": "示例光伏有限公司 Example PV Co., Ltd.",
    "beneficiary_country": "China",
    "consumption_period_start": "2024-01-01",
    "consumption_period_end": "2024-12-31",
    "purpose": "Scope 2 market-based; RE100",
    "volume_mwh": "1,200",
    "device_name": "Example Wind Farm",
    "device_id": "W-CN-000123",
    "device_technology": "Wind",
    "device_country": "CN",
    "production_period_start": "2024-01-01",
    "production_period_end": "2024-06-30",
    "start_certificate_number": "0000-0001-0000-0001.000001",
    "end_certificate_number": "0000-0001-0000-0001.001200",
    "redemption_date": "2025-03-15",
    "redeeming_participant": "Example Trader Ltd",
}
GEC_START = "3" * 17 + "202405" + "000000001"  # 17 + 15 digits
GEC_END = "3" * 17 + "202405" + "000000500"
GEC_ROW = {
    "start_serial": GEC_START,
    "end_serial": GEC_END,
    "quantity": "500",
    "project_name": "示例光伏电站",
    "project_code": "3" * 17,
    "region": "江苏省",
    "technology": "光伏",
    "production_month": "2024-05",
    "tradable": "是",
    "subsidy": "否",
    "account": "A001",
    "status": "持有",
}
CCER_ROW = {
    "start_serial": "CCER-0001-000001",
    "end_serial": "CCER-0001-002000",
    "quantity": "2000",
    "project_id": "CCER-14-2024-0001",
    "project_name": "示例海上风电项目",
    "methodology": "CCER-14-002-V01",
    "vintage_start": "2024-01-01",
    "vintage_end": "2024-12-31",
    "status": "已注销",
    "account": "ACC-9",
    "cancellation_date": "2025-04-01",
    "cancellation_purpose": "碳中和 carbon neutrality 2024",
}
ROWS = {"irec_redemptions": IREC_ROW, "gec_account": GEC_ROW, "ccer_registry": CCER_ROW}


def filled(kind: str, *changes: dict[str, str], encoding: str = "utf-8") -> bytes:
    """The shipped template (BOM, header, help row) with one data row per change set."""
    row = ROWS[kind]
    body = csv_bytes(*[list({**row, **change}.values()) for change in (changes or ({},))])
    if encoding == "utf-8":
        return template_csv(kind) + body
    return csv_bytes(list(row), encoding=encoding) + body.decode("utf-8").encode(encoding)


def read(data: bytes, name: str = "f.csv", **kwargs) -> RegistryFile:
    return read_registry_file(data, name, max_bytes=LIMIT, **kwargs)


def test_irec_template_reads_back() -> None:
    result = read(filled("irec_redemptions"))
    assert result.ok, result.errors
    assert result.kind == "irec_redemptions"
    (r,) = result.instruments
    assert r.row == 3  # row 2 is the help row
    assert (r.scheme, r.status, r.quantity) == ("IREC", "retired", 1_200)
    assert r.serial == "0000-0001-0000-0001.000001 to 0000-0001-0000-0001.001200"
    assert (r.project_id, r.project_name, r.project_type) == (
        "W-CN-000123",
        "Example Wind Farm",
        "Wind",
    )
    assert r.country == "CN"
    assert (r.vintage_start, r.vintage_end) == (d(2024, 1, 1), d(2024, 6, 30))
    assert (r.issuance_date, r.retirement_date) == (None, d(2025, 3, 15))
    assert r.beneficiary == "示例光伏有限公司 Example PV Co., Ltd."
    assert r.reason == "Scope 2 market-based; RE100"
    assert r.details == "consumption period 2024-01-01 to 2024-12-31"
    assert dict(r.extra) == {
        "beneficiary_country": "CN",
        "consumption_period_start": "2024-01-01",
        "consumption_period_end": "2024-12-31",
        "device_id": "W-CN-000123",
        "device_technology": "Wind",
        "production_period_start": "2024-01-01",
        "production_period_end": "2024-06-30",
        "redeeming_participant": "Example Trader Ltd",
    }


def test_gec_template_reads_back() -> None:
    result = read(filled("gec_account"))
    assert result.ok, result.errors
    (r,) = result.instruments
    assert (r.scheme, r.status, r.quantity, r.country) == ("GEC", "issued", 500, "CN")
    assert r.serial == f"{GEC_START} to {GEC_END}"
    assert (r.vintage_start, r.vintage_end) == (d(2024, 5, 1), d(2024, 5, 31))
    assert (r.project_id, r.project_name, r.project_type) == ("3" * 17, "示例光伏电站", "光伏")
    assert dict(r.extra) == {
        "account": "A001",
        "production_month": "2024-05",
        "project_code": "3" * 17,
        "region": "江苏省",
        "subsidy": "false",
        "technology": "光伏",
        "tradable": "true",
    }


def test_ccer_template_reads_back() -> None:
    result = read(filled("ccer_registry"))
    assert result.ok, result.errors
    (r,) = result.instruments
    assert (r.scheme, r.status, r.quantity, r.country) == ("CCER", "retired", 2_000, "CN")
    assert r.serial == "CCER-0001-000001 to CCER-0001-002000"
    assert (r.vintage_start, r.vintage_end) == (d(2024, 1, 1), d(2024, 12, 31))
    assert r.retirement_date == d(2025, 4, 1)
    assert r.reason == "碳中和 carbon neutrality 2024"
    assert (r.project_id, r.methodology) == ("CCER-14-2024-0001", "CCER-14-002-V01")
    assert dict(r.extra) == {"account": "ACC-9"}


def test_template_status_words_and_yes_no() -> None:
    result = read(
        filled(
            "gec_account",
            {"status": "已核销", "tradable": "no", "subsidy": "TRUE"},
            {"status": "expired", "tradable": "", "subsidy": ""},
            {"status": "Issued"},
        )
    )
    assert result.ok, result.errors
    a, b, c = result.instruments
    assert (a.status, a.extra["tradable"], a.extra["subsidy"]) == ("retired", "false", "true")
    assert b.status == "cancelled" and "tradable" not in b.extra
    assert c.status == "issued"
    assert [r.row for r in result.instruments] == [3, 4, 5]


def test_template_help_row_and_blank_rows_are_skipped_and_full_width_digits_read() -> None:
    body = csv_bytes(list(GEC_ROW), ["# help"] * len(GEC_ROW), [""] * len(GEC_ROW))
    body += csv_bytes(list({**GEC_ROW, "quantity": "５００"}.values()), bom=False)
    result = read(codecs.BOM_UTF8 + body)
    assert result.ok, result.errors
    (r,) = result.instruments
    assert (r.row, r.quantity) == (4, 500)


def test_template_in_gb18030() -> None:
    data = filled("gec_account", encoding="gb18030")
    result = read(data)
    assert result.ok, result.errors
    assert result.encoding == "gb18030"
    (r,) = result.instruments
    assert (r.project_name, r.extra["region"], r.status) == ("示例光伏电站", "江苏省", "issued")
    assert r.row == 2  # no help row in this file


def test_template_in_big5() -> None:
    row = {
        **CCER_ROW,
        "project_name": "離岸風電示範計畫（彰化縣）",
        "status": "已註銷",
        "cancellation_purpose": "臺灣積體電路製造股份有限公司 組織碳中和聲明",
        "account": "帳戶甲",
    }
    data = csv_bytes(list(row), list(row.values()), encoding="big5")
    result = read(data)
    assert result.ok, result.errors
    assert result.encoding == "cp950"
    (r,) = result.instruments
    assert r.project_name == "離岸風電示範計畫（彰化縣）"
    assert (r.status, r.reason) == ("retired", "臺灣積體電路製造股份有限公司 組織碳中和聲明")


def test_stated_encoding_that_does_not_fit_is_refused() -> None:
    data = filled("gec_account", encoding="gb18030")
    result = read(data, encoding="utf-8")
    assert errors_of(result) == {(None, None)}
    assert "not valid UTF-8" in refused(result)
    stated = read(data, encoding="gbk")
    assert stated.ok and stated.encoding == "gb18030"


def test_template_as_xlsx_with_excel_dates_and_numbers() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(CCER_ROW))
    sheet.append(["# 说明 help"] * len(CCER_ROW))
    values: list[object] = list(CCER_ROW.values())
    values[2] = 2000  # a number cell
    values[6], values[7], values[10] = d(2024, 1, 1), d(2024, 12, 31), dt.datetime(2025, 4, 1)
    sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    result = read(out.getvalue(), "ccer.xlsx")
    assert result.ok, result.errors
    assert (result.kind, result.encoding) == ("ccer_registry", "utf-8")
    (r,) = result.instruments
    assert (r.row, r.quantity, r.status) == (3, 2_000, "retired")
    assert (r.vintage_start, r.vintage_end, r.retirement_date) == (
        d(2024, 1, 1),
        d(2024, 12, 31),
        d(2025, 4, 1),
    )
    assert r == read(filled("ccer_registry")).instruments[0]


def test_gec_code_that_a_spreadsheet_made_a_number_is_refused() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(GEC_ROW))
    values: list[object] = list(GEC_ROW.values())
    values[0] = float(GEC_START)  # what Excel does to a 32-digit code typed into a number cell
    sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    result = read(out.getvalue(), "gec.xlsx")
    assert errors_of(result) == {(2, "start_serial")}
    assert "turned into a number" in refused(result)


def test_customer_mapping_reads_their_own_gec_layout() -> None:
    theirs = ["起始编号", "结束编号", "张数", "电站", "项目代码", "生产年月", "状态", "备注"]
    data = csv_bytes(
        theirs,
        [GEC_START, GEC_END, "500", "示例光伏电站", "3" * 17, "2024年5月", "持有", "first lot"],
    )
    mapping = {
        "起始编号": "start_serial",
        "结束编号": "end_serial",
        "张数": "quantity",
        "电站": "project_name",
        "项目代码": "project_code",
        "生产年月": "production_month",
        "状态": "status",
        "备注": None,  # ignored on purpose
    }
    detected = read(data, mapping=mapping)
    assert detected.ok, detected.errors
    assert detected.kind == "gec_account"
    (r,) = detected.instruments
    assert (r.quantity, r.vintage_start, r.project_name) == (500, d(2024, 5, 1), "示例光伏电站")
    assert read(data, mapping=mapping, kind="gec_account").instruments == detected.instruments
    # without the mapping no column is one we know: the file is refused as a whole
    unmapped = read(data)
    assert errors_of(unmapped) == {(None, None)}
    assert "matches no known registry file layout" in refused(unmapped)
    assert "give a column mapping" in refused(unmapped)
    # an unmapped extra column is not skipped silently
    partial = {k: v for k, v in mapping.items() if k != "备注"}
    extra_column = read(data, mapping=partial)
    assert errors_of(extra_column) == {(1, "备注")}
    assert "unknown column" in refused(extra_column)


def test_mapping_to_something_that_is_not_a_field() -> None:
    data = csv_bytes([*GEC_ROW, "Anlage"], [*GEC_ROW.values(), "x"])
    result = read(data, kind="gec_account", mapping={"Anlage": "plant"})
    assert errors_of(result) == {(1, "Anlage")}
    assert "maps to 'plant', which is not a field of a China GEC account export" in refused(result)


@needs_samples
def test_mapping_is_refused_for_a_public_export() -> None:
    data = (SAMPLES / "verra/transactions.csv").read_bytes()
    result = read(data, kind="verra_transactions", mapping={"ID": "project_id"})
    assert "template formats only" in refused(result)


# --- bad inputs: each with its row and column --------------------------------------------------

VERRA_HEADER = [
    "Issuance Date", "Sustainable Development Goals", "Vintage Start", "Vintage End", "ID", "Name",
    "Country/Area", "Project Type", "Methodology", "Total Vintage Quantity", "Quantity Issued",
    "Serial Number", "Additional Certifications", "Retirement/Cancellation Date",
    "Retirement Beneficiary", "Retirement Reason", "Retirement Details",
]  # fmt: skip
VERRA_ROW = {
    "Issuance Date": "2026-04-02",
    "Sustainable Development Goals": "",
    "Vintage Start": "2022-01-01",
    "Vintage End": "2022-10-31",
    "ID": "3005",
    "Name": "Tongxu Biogas Recovery and Utilization Project",
    "Country/Area": "China",
    "Project Type": "Waste handling and disposal",
    "Methodology": "ACM0010",
    "Total Vintage Quantity": "100,897",
    "Quantity Issued": "187",
    "Serial Number": "19380-941382555-941382741-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
    "Additional Certifications": "",
    "Retirement/Cancellation Date": "2026-04-09",
    "Retirement Beneficiary": "",
    "Retirement Reason": "",
    "Retirement Details": "",
}


def verra(*changes: dict[str, str]) -> bytes:
    return csv_bytes(
        VERRA_HEADER, *[[{**VERRA_ROW, **c}[h] for h in VERRA_HEADER] for c in changes]
    )


def test_a_good_synthetic_verra_row_reads() -> None:
    result = read(verra({}))
    assert result.ok, result.errors
    (r,) = result.instruments
    assert (r.quantity, r.status, r.country, r.project_id) == (187, "retired", "CN", "3005")


def test_a_bad_row_rejects_the_whole_file_and_every_problem_is_listed() -> None:
    result = read(
        verra(
            {},  # row 2: fine
            {"Quantity Issued": "abc"},  # row 3
            {"Quantity Issued": "", "Name": ""},  # row 4: two empty required values
            {"Vintage End": "2024-02-30"},  # row 5
        )
    )
    assert errors_of(result) == {
        (3, "Quantity Issued"),
        (4, "Quantity Issued"),
        (4, "Name"),
        (5, "Vintage End"),
    }
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert reasons[(3, "Quantity Issued")] == "'abc' is not a number"
    assert reasons[(4, "Name")] == "is empty"
    assert reasons[(5, "Vintage End")] == "'2024-02-30' is not a real calendar date"
    refused(result)


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ("-5", "'-5' is negative"),
        ("0", "must be more than zero"),
        ("1,000,000,000,001", "is too large"),
        ("12.5", "'12.5' is not a whole number"),
        ("1,5", "a comma may only separate thousands"),
    ],
)
def test_bad_quantities(quantity: str, reason: str) -> None:
    result = read(verra({"Quantity Issued": quantity}))
    assert errors_of(result) == {(2, "Quantity Issued")}
    assert reason in refused(result)


def test_the_largest_quantity_is_ten_to_the_twelfth() -> None:
    result = read(verra({"Quantity Issued": "1,000,000,000,000"}))
    assert result.ok and result.instruments[0].quantity == 10**12


def test_end_before_start_and_retirement_before_issuance() -> None:
    result = read(
        verra(
            {"Vintage Start": "2022-10-31", "Vintage End": "2022-01-01"},
            {"Issuance Date": "2026-04-10", "Retirement/Cancellation Date": "2026-04-09"},
        )
    )
    assert errors_of(result) == {(2, "Vintage End"), (3, "Retirement/Cancellation Date")}
    reasons = {e.row: e.reason for e in result.errors}
    assert reasons[2] == "2022-01-01 is before 'Vintage Start' (2022-10-31)"
    assert reasons[3] == "2026-04-09 is before 'Issuance Date' (2026-04-10)"


def test_template_periods_that_run_backwards() -> None:
    result = read(
        filled(
            "irec_redemptions",
            {"consumption_period_start": "2024-12-31", "consumption_period_end": "2024-01-01"},
            {"production_period_start": "2024-06-30", "production_period_end": "2024-01-01"},
        )
    )
    assert errors_of(result) == {(3, "consumption_period_end"), (4, "production_period_end")}
    ccer = read(filled("ccer_registry", {"vintage_start": "2025-01-01"}))
    assert errors_of(ccer) == {(3, "vintage_end")}


def test_crediting_period_end_before_start() -> None:
    header = [
        "ID", "Name", "Proponent", "Project Type", "AFOLU Activities", "Methodology", "Status",
        "Country/Area", "Estimated Annual Emission Reductions", "Region",
        "Project Registration Date", "Crediting Period Start Date", "Crediting Period End Date",
    ]  # fmt: skip
    row = ["1", "P", "X", "Energy demand", "", "VM0001", "Registered", "Chile", "1,000",
           "Latin America", "", "2030-01-01", "2020-01-01"]  # fmt: skip
    result = read(csv_bytes(header, row))
    assert result.kind == "verra_projects"
    assert errors_of(result) == {(2, "Crediting Period End Date")}


def test_unknown_country_names() -> None:
    result = read(verra({"Country/Area": "Atlantis"}))
    assert errors_of(result) == {(2, "Country/Area")}
    assert "'Atlantis' is not a country name we know" in refused(result)
    irec = read(
        filled("irec_redemptions", {"beneficiary_country": "中国台湾", "device_country": "Narnia"})
    )
    assert errors_of(irec) == {(3, "device_country")}  # 中国台湾 is TW


def test_country_spellings() -> None:
    cases = {
        "Hong Kong": "HK", "香港": "HK", "Taiwan": "TW", "臺灣": "TW", "Japan": "JP",
        "South Korea": "KR", "Korea, Republic of": "KR", "韩国": "KR", "Viet Nam": "VN",
        "Vietnam": "VN", "Türkiye": "TR", "Côte d'Ivoire": "CI", "Cote d'Ivoire": "CI",
        "United States": "US", "中国": "CN", "cn": "CN", "CHN": "CN",
    }  # fmt: skip
    rows = [{"device_country": name} for name in cases]
    result = read(filled("irec_redemptions", *rows))
    assert result.ok, result.errors
    assert [r.country for r in result.instruments] == list(cases.values())


def test_whole_file_problems_have_no_row() -> None:
    empty = read(b"")
    assert errors_of(empty) == {(None, None)} and "empty" in refused(empty)
    blank = read(b" \r\n \r\n")
    assert "empty" in refused(blank)
    header_only = read(csv_bytes(VERRA_HEADER))
    assert "no data rows" in refused(header_only)


def test_size_limit_is_checked_before_reading() -> None:
    data = b"\xff\xfe\x00garbage" * 100  # not text at all: the size is what is reported
    result = read_registry_file(data, "f.csv", max_bytes=100)
    assert errors_of(result) == {(None, None)}
    assert refused(result) == "the file is 1,000 bytes; the limit is 100 bytes"  # 10 × 100
    assert result.sha256 and result.encoding == ""


def test_undecodable_and_mojibake_text_is_refused() -> None:
    broken = csv_bytes(list(GEC_ROW)) + b"\x81\x30\xff\xff\xfe,\x80\x80\r\n"
    assert "not UTF-8, GB18030/GBK or Big5" in refused(read(broken))


def test_xlsx_that_is_not_a_workbook() -> None:
    not_zip = read(b"Issuance Date,ID\r\n", "export.xlsx")
    assert errors_of(not_zip) == {(None, None)}
    assert "is not an XLSX workbook" in refused(not_zip)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "not a readable XLSX workbook" in refused(read(archive.getvalue(), "export.xlsx"))
    assert "is a zip archive" in refused(read(archive.getvalue(), "export.csv"))


def test_unknown_layout_lists_the_missing_columns() -> None:
    # Verra's header without its Serial Number and Quantity Issued columns
    header = [h for h in VERRA_HEADER if h not in ("Serial Number", "Quantity Issued")]
    result = read(csv_bytes(header, ["x"] * len(header)))
    assert result.kind == ""
    assert errors_of(result) == {(None, None), (1, "Quantity Issued"), (1, "Serial Number")}
    assert "the closest is a Verra transactions export" in refused(result)
    stated = read(csv_bytes(header, ["x"] * len(header)), kind="verra_transactions")
    assert errors_of(stated) == {(1, "Quantity Issued"), (1, "Serial Number")}
    assert stated.kind == "verra_transactions"


def test_unknown_kind_is_refused() -> None:
    assert "unknown registry file kind 'acr'" in refused(read(verra({}), kind="acr"))


def test_detect_kind() -> None:
    assert detect_kind(VERRA_HEADER) == "verra_transactions"
    assert detect_kind(list(GEC_ROW)) == "gec_account"
    assert detect_kind([h.upper() for h in CCER_ROW]) == "ccer_registry"  # case is folded
    assert detect_kind(["Start Serial", *list(GEC_ROW)[1:]]) == "gec_account"  # "Start Serial"
    assert detect_kind(["site", "source", "scope", "quantity"]) is None
    assert detect_kind([]) is None


def test_public_exports_ignore_columns_the_registry_adds() -> None:
    data = csv_bytes([*VERRA_HEADER, "New Column"], [*VERRA_ROW.values(), "anything"])
    result = read(data)
    assert result.ok and result.instruments[0].quantity == 187


def test_template_problems() -> None:
    result = read(
        filled(
            "gec_account",
            {"start_serial": "1234"},  # row 3
            {"status": "sold"},  # row 4
            {"production_month": "2024-13", "tradable": "maybe"},  # row 5
        )
    )
    assert errors_of(result) == {
        (3, "start_serial"),
        (4, "status"),
        (5, "production_month"),
        (5, "tradable"),
    }
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert reasons[(3, "start_serial")] == "'1234' is not a 32-digit GEC code"
    assert reasons[(4, "status")].startswith("'sold' is not a known status (issued: ")
    ccer = read(filled("ccer_registry", {"cancellation_date": ""}))
    assert errors_of(ccer) == {(3, "cancellation_date")}
    assert "a retired row needs it" in refused(ccer)
    held = read(filled("ccer_registry", {"cancellation_date": "", "status": "持有"}))
    assert held.ok and held.instruments[0].retirement_date is None


def test_gs_product_type_outside_the_schemes_is_refused() -> None:
    header = [
        "Vintage", "Credit Status", "Quantity", "GSID", "Project Name", "Project Developer",
        "Country", "Project Type", "Methodology", "Programme of Activities", "POA GSID",
        "Product Type", "Issuance Date", "Monitoring Period Start", "Monitoring Period End",
        "Serial Number", "Label", "Article Six Authorization",
    ]  # fmt: skip
    row = ["2024", "Issued", "10", "1", "P", "D", "Kenya", "PV", "", "Standalone", "", "ERU",
           "2026-01-01T00:00:00.000001", "2024-01-01", "2024-12-31",
           "GS1-1-KE-GS1-1-2024-1-1-10", "", "Authorized"]  # fmt: skip
    result = read(csv_bytes(header, row))
    assert result.kind == "gs_issuances"
    assert errors_of(result) == {(2, "Product Type")}
    assert "'ERU' is not a product this application reads (VER, CER)" in refused(result)
    ok = read(csv_bytes(header, row[:11] + ["VER"] + row[12:]))
    assert ok.ok, ok.errors
    assert ok.instruments[0].labels == ("VER", "Article 6 authorised")
    assert ok.instruments[0].issuance_date == d(2026, 1, 1)


def test_duplicate_columns_ragged_rows_and_values_without_header() -> None:
    doubled = read(csv_bytes([*VERRA_HEADER, "ID"], [*VERRA_ROW.values(), "3005"]))
    assert errors_of(doubled) == {(1, "ID")}
    assert "appears twice (columns E and R)" in refused(doubled)
    ragged = read(csv_bytes(VERRA_HEADER, [*VERRA_ROW.values(), "stray"]))
    assert errors_of(ragged) == {(2, None)}
    assert "has 18 cells but the header has 17" in refused(ragged)
    unnamed = read(csv_bytes([*VERRA_HEADER, ""], [*VERRA_ROW.values(), "lost"]))
    assert errors_of(unnamed) == {(1, "column R")}  # the 18th column


def test_row_error_is_the_inventory_importers() -> None:
    result = read(verra({"Quantity Issued": "x"}))
    assert all(isinstance(e, RowError) for e in result.errors)
    assert result.errors[0].as_dict() == {
        "row": 2,
        "column": "Quantity Issued",
        "reason": "'x' is not a number",
    }


# --- files as registries publish them --------------------------------------------

GS_ISSUANCES_HEADER = [
    "Vintage", "Credit Status", "Quantity", "GSID", "Project Name", "Project Developer",
    "Country", "Project Type", "Methodology", "Programme of Activities", "POA GSID",
    "Product Type", "Issuance Date", "Monitoring Period Start", "Monitoring Period End",
    "Serial Number",
]  # fmt: skip
VERRA_HEADER = [
    "Issuance Date", "Sustainable Development Goals", "Vintage Start", "Vintage End", "ID", "Name",
    "Country/Area", "Project Type", "Methodology", "Total Vintage Quantity", "Quantity Issued",
    "Serial Number", "Additional Certifications", "Retirement/Cancellation Date",
    "Retirement Beneficiary", "Retirement Reason", "Retirement Details",
]  # fmt: skip
RESAVED = (
    "is not the file the registry published: it was re-saved by a spreadsheet program such as "
    "Excel (or rebuilt by someone else), and {what}. Download it again from the registry and "
    "upload the downloaded file as it is, without opening and saving it in Excel (open a copy to "
    "look at it)"
)


def gs_issuance(product: str, serial: str, quantity: str, gsid: str = "1020") -> list[str]:
    return ["2012", "Issued", quantity, gsid, "Cambodia stoves", "Dev", "Cambodia", "Cookstoves",
            "", "Standalone", "", product, "2013-05-02", "2012-01-01", "2012-12-31", serial]  # fmt: skip


def test_a_header_cell_with_a_line_break_is_one_column_named_on_one_line() -> None:
    # Berkeley's copy of the GS export adds "Issuance \nYear": the cell is quoted across two lines
    header = GS_ISSUANCES_HEADER[:3] + ["Issuance \nYear"] + GS_ISSUANCES_HEADER[3:]
    row = gs_issuance("VER", "GS1-1-KH-GS1020-16-2012-325-1-22283", "22283")
    result = read(csv_bytes(header, row[:3] + ["2013"] + row[3:]))
    assert result.ok, result.errors
    (r,) = result.instruments
    assert (r.row, r.project_id, r.quantity) == (2, "1020", 22_283)  # the header is one record: row 1
    # a column the export adds is not read, and a value that is not a date fails with its name
    bad = read(csv_bytes(header, row[:3] + ["2013"] + row[3:12] + ["2013-13-02"] + row[13:]))
    assert errors_of(bad) == {(2, "Issuance Date")}


def test_gs_per_rows_of_an_issuances_export_are_skipped_and_counted() -> None:
    rows = [
        gs_issuance("VER", "GS1-1-KH-1020-16-2012-325-1-22283", "22283"),
        gs_issuance("PER", "GS1-1-CN-GS2466-22-2014-4013-1-99", "99", gsid="2466"),
        gs_issuance("PER", "GS1-1-CN-GS2466-22-2014-4013-100-150", "51", gsid="2466"),
    ]
    result = read(csv_bytes(GS_ISSUANCES_HEADER, *rows))
    assert result.ok, result.errors
    assert [r.row for r in result.instruments] == [2]
    assert dict(result.skipped) == {"PER rows (planned emission reductions, which cannot be retired)": 2}
    # a PER row is not read at all: a bad cell in it does not refuse the file
    rows[1][2] = "ninety-nine"
    assert read(csv_bytes(GS_ISSUANCES_HEADER, *rows)).ok


@pytest.mark.parametrize(
    ("written", "code"),
    [("North Macedonia Republic of", "MK"), ("Kosovo Republic of", "XK"), ("Cape Verde", "CV"),
     ("Korea Republic of", "KR")],
)  # fmt: skip
def test_gs_registry_country_spellings(written: str, code: str) -> None:
    header = ["GSID", "Project Name", "Project Developer Name", "Status", "Project Type", "Country",
              "Methodology"]  # fmt: skip
    result = read(csv_bytes(header, ["1", "P", "D", "Listed", "Wind", written, "AMS-I.D."]))
    assert result.ok, result.errors
    assert result.projects[0].country == code


def verra_row(issued: str, start: str, end: str, retired: str = "", serial: str = "") -> list[str]:
    serial = serial or "12629-421604735-421689507-VCS-VCU-576-VER-PY-14-2498-01012020-19112020-0"
    return [issued, "", start, end, "2498", "Caazapa", "Paraguay", "AFOLU", "AR-ACM0003", "99,870",
            "84,773", serial, "", retired, "", "", ""]  # fmt: skip


def test_verra_day_first_dates_are_read_day_first_for_the_whole_file() -> None:
    # Verra's downloads of 2022 wrote DD/MM/YYYY; rows of CarbonPlan's fixture of such a file
    result = read(csv_bytes(VERRA_HEADER, verra_row("08/03/2022", "01/01/2020", "19/11/2020", "09/03/2022")))
    assert result.ok, result.errors
    (r,) = result.instruments
    assert (r.issuance_date, r.vintage_start, r.vintage_end) == (d(2022, 3, 8), d(2020, 1, 1), d(2020, 11, 19))
    assert (r.retirement_date, r.status) == (d(2022, 3, 9), "retired")
    # today's downloads write ISO dates, still read
    assert read(csv_bytes(VERRA_HEADER, verra_row("2022-03-08", "2020-01-01", "2020-11-19"))).ok


def test_verra_dates_written_month_first_refuse_the_whole_file() -> None:
    # row 3's 11/19/2020 cannot be day-first: the file was re-saved month-first, so row 2's
    # 01/03/2022 would be 1 March read day-first but is 3 January: nothing is read
    rows = [verra_row("01/03/2022", "01/01/2020", "11/01/2020"), verra_row("01/03/2022", "01/01/2020", "11/19/2020")]
    result = read(csv_bytes(VERRA_HEADER, *rows))
    what = "the dates in column 'Vintage End' are written month first (row 3: 11/19/2020); the registry writes them day first (DD/MM/YYYY) or as YYYY-MM-DD"
    assert [e.reason for e in result.errors] == ["this Verra transactions export " + RESAVED.format(what=what)]
    assert result.instruments == ()


def test_slashed_dates_in_a_gold_standard_export_refuse_the_whole_file() -> None:
    row = gs_issuance("VER", "GS1-1-KH-1020-16-2012-325-1-22283", "22283")
    row[13] = "12/31/2012"
    result = read(csv_bytes(GS_ISSUANCES_HEADER, row))
    what = ("the dates in column 'Monitoring Period Start' are written 12/31/2012 (row 2), a form the "
            "registry does not write (it writes YYYY-MM-DD)")
    assert [e.reason for e in result.errors] == ["this Gold Standard issuances export " + RESAVED.format(what=what)]


def test_ids_turned_into_dates_refuse_the_whole_file() -> None:
    # the re-saved Kenya export: a column of ids formatted as dates shows project 5142 as day
    # 5,142 of Excel's calendar, 1/28/1914
    header = ["ID", "Name", "Proponent", "Project Type", "Methodology", "Status", "Country/Area",
              "Region", "Crediting Period Start Date", "Crediting Period End Date"]  # fmt: skip
    row = ["1/28/1914", "KUZA MITI", "One Carbon World Ltd.", "AFOLU", "VM0047", "Under development",
           "Kenya", "Africa", "2023-09-19", "2122-09-18"]  # fmt: skip
    result = read(csv_bytes(header, row))
    what = "the ids in column 'ID' became dates (row 2: 1/28/1914)"
    assert [e.reason for e in result.errors] == ["this Verra projects export " + RESAVED.format(what=what)]


def test_a_registry_export_in_a_windows_code_page_is_refused_as_re_saved() -> None:
    # an en dash in Windows-1252 (0x96) is no UTF-8, GB18030 or Big5 text
    data = csv_bytes(VERRA_HEADER, verra_row("2022-03-08", "2020-01-01", "2020-11-19")).replace(b"Caazapa", b"Caazapa \x96 Guaira")
    result = read(data)
    what = "its text is in a Windows code page (such as Windows-1252), not the UTF-8 the registry writes"
    assert [e.reason for e in result.errors] == ["this Verra transactions export " + RESAVED.format(what=what)]


def test_a_registry_export_in_gb18030_is_refused_as_re_saved() -> None:
    # Excel on Chinese Windows saves CSV as GB18030; Verra writes UTF-8
    data = csv_bytes(VERRA_HEADER, verra_row("2022-03-08", "2020-01-01", "2020-11-19")).replace(b"Caazapa", "卡阿萨帕".encode("gb18030"))
    result = read(data)
    what = "its text is gb18030, not the UTF-8 the registry writes"
    assert [e.reason for e in result.errors] == ["this Verra transactions export " + RESAVED.format(what=what)]


READS = (
    "which this application does not read; it reads these registry files as the registries "
    "publish them: Verra transactions export, Verra projects export, Gold Standard issuances "
    "export, Gold Standard retirements export, Gold Standard projects export; and through its "
    "templates: I-REC redemption statement, China GEC account export, CCER registry export"
)


@pytest.mark.parametrize(
    ("header", "registry"),
    [
        (["Credit Serial Numbers", "Date Issued (GMT)", "Vintage", "Quantity of Credits", "Account Holder"],
         "an American Carbon Registry (ACR) export"),
        (["Vintage", "Offset Credit Serial Numbers", "Quantity of Offset Credits", "Status Effective"],
         "a Climate Action Reserve (CAR) export"),
        (["Date Approved", "Program ID", "Program Name", "Crediting Program and Standard", "Vintage"],
         "an ART TREES export"),
    ],
)  # fmt: skip
def test_exports_of_registries_not_read_are_refused_by_name(header: list[str], registry: str) -> None:
    data = csv_bytes(header, ["1"] * len(header))
    for kind in (None, "gs_retirements"):
        result = read(data, kind=kind)
        assert [e.reason for e in result.errors] == [f"this is {registry}, {READS}"]
    # in Latin-1, as ACR writes its export, it is named all the same
    latin = csv_bytes(header, ["Société"] * len(header), encoding="latin-1")
    assert [e.reason for e in read(latin).errors] == [f"this is {registry}, {READS}"]
