"""Serial numbers decode into a range of one issuance. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from neutrality.errors import InvalidInput
from neutrality.registry.schemes import scheme
from neutrality.registry.serials import PARSERS, SerialError, parse_serial

SAMPLES = Path("/work/shared/registry-samples")

VERRA_EXAMPLE = "19381-941412555-941441125-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"
GS_EXAMPLE = "GS1-1-KE-GS11603-16-2025-30256-110-5463"

# A made-up GEC code, built from the inferred layout: 17-digit filing code, production month
# 2024-03, sequence, electricity category 1, trade category 2 (17 + 6 + 7 + 1 + 1 = 32 digits).
FILING_CODE = "11010120230001239"


def gec(sequence: int, month: str = "202403", filing_code: str = FILING_CODE, categories: str = "12") -> str:
    return f"{filing_code}{month}{sequence:07d}{categories}"


def read_sample(relative: str) -> pd.DataFrame:
    path = SAMPLES / relative
    if not path.exists():
        pytest.skip(f"registry sample {path} is not available on this machine")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# --- every scheme has a parser ----------------------------------------------------------------


def test_every_shipped_scheme_names_a_serial_format_with_a_parser():
    for code in ("VCU", "GS_VER", "CCER", "CER", "ACC", "GEC", "IREC", "GO", "REC"):
        assert scheme(code).serial_format in PARSERS


def test_an_unknown_scheme_is_refused_with_the_known_ones_listed():
    with pytest.raises(InvalidInput, match="unknown scheme 'XYZ'; known: .*VCU"):
        parse_serial("XYZ", "1-2")


def test_an_empty_serial_is_refused_saying_what_was_expected():
    with pytest.raises(SerialError, match="empty; expected the serial number or range"):
        parse_serial("VCU", "   ")


def test_a_serial_error_is_invalid_input_with_its_own_code():
    with pytest.raises(SerialError) as caught:
        parse_serial("VCU", "nonsense")
    assert caught.value.code == "invalid_serial" and caught.value.http_status == 422
    assert caught.value.details == {"serial": [caught.value.message]}


# --- Verra ------------------------------------------------------------------------------------


def test_a_verra_serial_gives_its_range_project_and_vintage():
    parsed = parse_serial("VCU", f"  {VERRA_EXAMPLE}\n")
    assert parsed.scheme == "VCU"
    assert parsed.raw == VERRA_EXAMPLE  # stripped, otherwise as given
    assert (parsed.start, parsed.end) == (941412555, 941441125)
    assert parsed.quantity == 28_571  # 941,441,125 − 941,412,555 + 1
    assert parsed.project_id == "3005"
    assert parsed.country == "CN"
    assert parsed.vintage_start == dt.date(2022, 1, 1)
    assert parsed.vintage_end == dt.date(2022, 10, 31)
    assert dict(parsed.fields) == {
        "block_id": "19381", "program": "VCS", "unit_type": "VCU", "issuance": "1310",
        "sectoral_scope": "13", "label_flag": "0",
    }


def test_a_verra_issuance_key_leaves_out_block_id_range_and_label_flag():
    parsed = parse_serial("VCU", VERRA_EXAMPLE)
    assert parsed.issuance_key == "VCS-VCU-1310-VER-CN-13-3005-01012022-31102022"
    # The block of 187 units of the same issuance (Verra sample row 2) has another block id.
    other = parse_serial("VCU", "19380-941382555-941382741-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0")
    assert other.issuance_key == parsed.issuance_key
    assert other.quantity == 187  # 941,382,741 − 941,382,555 + 1
    relabelled = parse_serial("VCU", VERRA_EXAMPLE[:-1] + "1")
    assert relabelled.issuance_key == parsed.issuance_key


def test_a_verra_serial_with_a_missing_part_says_which_parts_were_expected():
    without_flag = VERRA_EXAMPLE.rsplit("-", 1)[0]
    with pytest.raises(SerialError) as caught:
        parse_serial("VCU", without_flag)
    # twelve parts, but those of the current layout ("…-VCS-VCU-…"): not read as an early serial
    assert caught.value.message == (
        f"'{without_flag}' is not a Verra serial: expected 13 parts separated by '-' (block id, start, end, "
        "VCS, VCU, issuance, VER, country, sectoral scope, project, vintage start DDMMYYYY, vintage end, "
        "label flag), or 12 in the layout of units issued before 2017 (block id, start, end, VCU, issuance, "
        "registry such as APX or MER, country, sectoral scope, project, vintage start DDMMYYYY, vintage end, "
        "label flag), found 12"
    )


EARLY_VERRA = "4147-176338408-176338907-VCU-016-MER-AU-14-641-16042012-15042013-0"


def test_an_early_verra_serial_without_the_programme_part_is_read():
    # the Australian export's first pre-2017 row: Markit (MER) issuance 016 of project 641
    parsed = parse_serial("VCU", EARLY_VERRA)
    assert (parsed.start, parsed.end, parsed.quantity) == (176338408, 176338907, 500)  # 176,338,907 − 176,338,408 + 1
    assert (parsed.project_id, parsed.country) == ("641", "AU")
    assert (parsed.vintage_start, parsed.vintage_end) == (dt.date(2012, 4, 16), dt.date(2013, 4, 15))
    assert parsed.issuance_key == "VCU-016-MER-AU-14-641-16042012-15042013"
    assert dict(parsed.fields) == {
        "block_id": "4147", "unit_type": "VCU", "issuance": "016", "registry": "MER",
        "sectoral_scope": "14", "label_flag": "0",
    }
    # an APX-era block (CarbonPlan's 2022 fixture, project 101): 7,889,021 − 7,863,589 + 1
    apx = parse_serial("VCU", "240-7863589-7889021-VCU-003-APX-IN-1-101-01042006-18032007-0")
    assert (apx.quantity, apx.project_id, apx.fields["registry"]) == (25_433, "101", "APX")
    assert (apx.vintage_start, apx.vintage_end) == (dt.date(2006, 4, 1), dt.date(2007, 3, 18))
    # another block of the same issuance has the same key, whatever its block id
    assert parse_serial("VCU", "4148-176338908-176344787-VCU-016-MER-AU-14-641-16042012-15042013-0").issuance_key == (
        parsed.issuance_key
    )


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        (EARLY_VERRA.replace("-016-", "-O16-"), "issuance number 'O16' .*expected digits"),
        (EARLY_VERRA.replace("-MER-", "-M3R-"), "registry 'M3R' .*expected capital letters such as APX or MER"),
        (EARLY_VERRA.replace("-AU-", "-AUS-"), "country 'AUS' .*expected a two-letter"),
        (EARLY_VERRA.replace("16042012", "31042012"), r"vintage start 31042012 is not a date \(DDMMYYYY\)"),
        (EARLY_VERRA.replace("-176338907-", "-176338407-"), "end 176338407 is before start 176338408"),
    ],
)
def test_an_early_verra_serial_with_a_malformed_part_names_the_part(serial, message):
    with pytest.raises(SerialError, match=message):
        parse_serial("VCU", serial)


def test_a_verra_serial_whose_end_is_before_its_start_is_refused():
    with pytest.raises(SerialError, match="end 100 is before start 200 .*expected the lower serial first"):
        parse_serial("VCU", "1-200-100-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0")


def test_a_verra_serial_starting_at_zero_is_refused():
    with pytest.raises(SerialError, match="start 0 .* is below 1; expected a number from 1"):
        parse_serial("VCU", "1-0-100-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0")


def test_a_verra_vintage_that_is_not_a_date_is_named():
    with pytest.raises(SerialError, match=r"vintage start 31022022 is not a date \(DDMMYYYY\).*expected a real day"):
        parse_serial("VCU", "1-1-100-VCS-VCU-1310-VER-CN-13-3005-31022022-31102022-0")


def test_a_verra_vintage_ending_before_it_starts_is_refused():
    with pytest.raises(SerialError, match="vintage end 2022-01-31 is before vintage start 2022-10-01.*expected"):
        parse_serial("VCU", "1-1-100-VCS-VCU-1310-VER-CN-13-3005-01102022-31012022-0")


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        ("1-1-100-VCS-VCU-1310-VER-CHN-13-3005-01012022-31102022-0", "country 'CHN' .*expected a two-letter"),
        ("1-1-100-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-2", "label flag '2' .*expected 0 or 1"),
        ("1-1-1x0-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0", "end '1x0' .*expected a whole number"),
        ("1-1-100-VCS-VCU-1310-VER-CN-13-P3005-01012022-31102022-0", "project id 'P3005' .*expected digits"),
    ],
)
def test_a_verra_serial_with_a_malformed_part_names_the_part_and_what_was_expected(serial, message):
    with pytest.raises(SerialError, match=message):
        parse_serial("VCU", serial)


def test_every_serial_of_the_verra_sample_matches_its_row():
    rows = read_sample("verra/transactions.csv")
    mismatches = []
    for number, row in rows.iterrows():
        try:
            parsed = parse_serial("VCU", row["Serial Number"])
        except SerialError as error:
            mismatches.append(f"row {number} {row['Serial Number']}: {error.message}")
            continue
        expected = (
            int(row["Quantity Issued"].replace(",", "")),
            dt.date.fromisoformat(row["Vintage Start"]),
            dt.date.fromisoformat(row["Vintage End"]),
            row["ID"],
        )
        found = (parsed.quantity, parsed.vintage_start, parsed.vintage_end, parsed.project_id)
        if found != expected:
            mismatches.append(f"row {number} {row['Serial Number']}: file {expected}, parsed {found}")
    assert len(rows) == 200
    assert not mismatches, "\n".join(mismatches)


# --- Gold Standard ----------------------------------------------------------------------------


def test_a_gold_standard_serial_gives_its_range_project_and_vintage_year():
    parsed = parse_serial("GS_VER", GS_EXAMPLE)
    assert parsed.scheme == "GS_VER"
    assert (parsed.start, parsed.end) == (110, 5463)
    assert parsed.quantity == 5_354  # 5,463 − 110 + 1
    assert parsed.project_id == "11603"
    assert parsed.country == "KE"
    assert (parsed.vintage_start, parsed.vintage_end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert parsed.issuance_key == "GS1-1-KE-GS11603-16-2025-30256"
    assert dict(parsed.fields) == {
        "prefix": "GS1-1", "project_code": "GS11603", "series": "16", "vintage_year": "2025",
        "batch": "30256",
    }


def test_an_early_gold_standard_serial_without_gs_before_the_project_code_is_read():
    # Berkeley's copy of the GS issuances export, project 1020 (Cambodia), 22,283 VERs of 2012
    parsed = parse_serial("GS_VER", "GS1-1-KH-1020-16-2012-325-1-22283")
    assert (parsed.start, parsed.end, parsed.quantity) == (1, 22283, 22283)
    assert (parsed.project_id, parsed.country) == ("1020", "KH")
    assert (parsed.vintage_start, parsed.vintage_end) == (dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    # written with or without "GS", the same issuance: an overlap between the two is seen
    assert parsed.issuance_key == parse_serial("GS_VER", "GS1-1-KH-GS1020-16-2012-325-1-22283").issuance_key
    assert parsed.issuance_key == "GS1-1-KH-GS1020-16-2012-325"
    assert parsed.raw == "GS1-1-KH-1020-16-2012-325-1-22283"  # kept as written
    with pytest.raises(SerialError, match="project code 'G1020' .*expected the GSID, with or without GS"):
        parse_serial("GS_VER", "GS1-1-KH-G1020-16-2012-325-1-22283")


def test_a_gold_standard_serial_with_too_few_parts_says_what_was_expected():
    with pytest.raises(SerialError, match=r"is not a Gold Standard serial: expected 9 parts .*found 8"):
        parse_serial("GS_VER", "GS1-1-CN-GS7604-3-2020-21289-1")


def test_a_gold_standard_serial_whose_end_is_before_its_start_is_refused():
    with pytest.raises(SerialError, match="end 110 is before start 5463"):
        parse_serial("GS_VER", "GS1-1-KE-GS11603-16-2025-30256-5463-110")


def test_a_kyoto_cer_serial_given_as_a_gold_standard_ver_is_sent_to_scheme_cer():
    serial = "RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014"
    with pytest.raises(SerialError, match="layout of a Kyoto \\(CDM\\) CER serial.*record it under scheme CER"):
        parse_serial("GS_VER", serial)


# The GS issuance sample lists 3 GS-labelled CDM CERs (product type CER) under Kyoto serials.
GS_PRODUCT_SCHEMES = {"VER": "GS_VER", "CER": "CER"}
# Their serials name the CDM project, not the GSID: GS4823 (RDIS, Rwanda) is CDM project 7014.
CDM_PROJECT_OF_GSID = {"4823": "7014"}


@pytest.mark.parametrize("relative", ["gold-standard/issuances.csv", "gold-standard/retirements.csv"])
def test_every_serial_of_the_gold_standard_samples_matches_its_row(relative):
    rows = read_sample(relative)
    mismatches = []
    for number, row in rows.iterrows():
        try:
            parsed = parse_serial(GS_PRODUCT_SCHEMES[row["Product Type"]], row["Serial Number"])
        except (SerialError, KeyError) as error:
            mismatches.append(f"row {number} {row['Serial Number']}: {error!r}")
            continue
        year = int(row["Vintage"])
        if row["Product Type"] == "VER":
            expected = (int(row["Quantity"]), dt.date(year, 1, 1), dt.date(year, 12, 31), row["GSID"])
        else:
            # A Kyoto serial carries no vintage, and its project is the CDM reference, not the GSID.
            expected = (int(row["Quantity"]), None, None, CDM_PROJECT_OF_GSID.get(row["GSID"]))
        found = (parsed.quantity, parsed.vintage_start, parsed.vintage_end, parsed.project_id)
        if found != expected:
            mismatches.append(f"row {number} {row['Serial Number']}: file {expected}, parsed {found}")
    assert len(rows) == 100
    assert not mismatches, "\n".join(mismatches)


# --- CDM CER ----------------------------------------------------------------------------------


def test_a_cer_block_in_the_des_layout_gives_party_project_and_range():
    parsed = parse_serial("CER", "BR-5-100001-100500-1-1-0-1234")
    assert (parsed.start, parsed.end, parsed.quantity) == (100001, 100500, 500)  # 100,500 − 100,001 + 1
    assert parsed.country == "BR" and parsed.project_id == "1234"
    assert parsed.issuance_key == "BR-5-1-1-0-1234"
    assert parsed.vintage_start is None and parsed.vintage_end is None
    assert dict(parsed.fields) == {
        "unit_type": "5", "original_commitment_period": "1", "applicable_commitment_period": "1",
        "lulucf_activity": "0",
    }


def test_a_cer_block_may_end_with_a_track_which_joins_the_issuance_key():
    parsed = parse_serial("CER", "BR-5-100001-100500-1-1-0-1234-1")
    assert parsed.issuance_key == "BR-5-1-1-0-1234-1"
    assert parsed.fields["track"] == "1"


def test_two_cer_unit_serials_as_the_gs_registry_writes_them_give_the_same_issuance_as_a_des_block():
    pair = parse_serial("CER", "RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014")
    assert (pair.start, pair.end, pair.quantity) == (1463953, 1467609, 3657)  # 1,467,609 − 1,463,953 + 1
    assert pair.country == "RW" and pair.project_id == "7014"
    block = parse_serial("CER", "RW-5-1463953-1467609-2-2-0-7014")
    assert block.issuance_key == pair.issuance_key == "RW-5-2-2-0-7014"


def test_two_cer_unit_serials_of_different_projects_are_refused():
    with pytest.raises(SerialError, match=r"differ in their project \(7014 and 7015\); expected two serials"):
        parse_serial("CER", "RW-5-1-2-2-0-7014 - RW-5-9-2-2-0-7015")


def test_a_cer_serial_with_the_wrong_number_of_parts_lists_the_des_layout():
    with pytest.raises(SerialError, match=r"expected 8 or 9 parts separated by '-' \(party, unit type, start"):
        parse_serial("CER", "BR-5-100001-100500")


# --- GEC --------------------------------------------------------------------------------------


def test_a_gec_block_of_two_codes_gives_its_sequence_range_and_production_month():
    parsed = parse_serial("GEC", f"{gec(1)}-{gec(500)}")
    assert (parsed.start, parsed.end, parsed.quantity) == (1, 500, 500)
    assert parsed.project_id == FILING_CODE and parsed.country == "CN"
    assert (parsed.vintage_start, parsed.vintage_end) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert parsed.issuance_key == f"{FILING_CODE}-202403-1-2"
    assert dict(parsed.fields) == {
        "project_code": FILING_CODE, "production_month": "2024-03", "electricity_category": "1",
        "trade_category": "2",
    }


@pytest.mark.parametrize("separator", ["-", " - ", "~", "–", " — ", " to ", ",", ", "])
def test_a_gec_block_may_join_its_codes_with_any_usual_separator(separator):
    parsed = parse_serial("GEC", f"{gec(11)}{separator}{gec(20)}")
    assert (parsed.start, parsed.end) == (11, 20)


def test_a_single_gec_code_is_one_certificate():
    parsed = parse_serial("GEC", gec(42, month="202402"))
    assert (parsed.start, parsed.end, parsed.quantity) == (42, 42, 1)
    assert parsed.vintage_end == dt.date(2024, 2, 29)  # 2024 is a leap year


def test_a_gec_code_with_a_month_that_does_not_exist_is_named():
    with pytest.raises(SerialError, match="GEC production month 202413 is not a month; expected YYYYMM"):
        parse_serial("GEC", gec(1, month="202413"))
    with pytest.raises(SerialError, match="GEC production month 202400 is not a month"):
        parse_serial("GEC", gec(1, month="202400"))


def test_a_gec_code_of_the_wrong_length_names_the_length_found():
    with pytest.raises(SerialError, match="expected 32 digits .*found 31 characters"):
        parse_serial("GEC", gec(1)[:-1])


def test_a_gec_code_with_letters_is_refused():
    with pytest.raises(SerialError, match="expected 32 digits .*found 32 characters, not all digits"):
        parse_serial("GEC", "A" + gec(1)[1:])


def test_gec_codes_of_two_projects_do_not_make_a_block():
    other_project = "11010120230001240"
    expected = f"differ in their project filing code \\({FILING_CODE} and {other_project}\\)"
    with pytest.raises(SerialError, match=expected):
        parse_serial("GEC", f"{gec(1)}-{gec(9, filing_code=other_project)}")


def test_gec_codes_of_two_months_do_not_make_a_block():
    with pytest.raises(SerialError, match=r"differ in their production month \(202403 and 202404\)"):
        parse_serial("GEC", f"{gec(1)}-{gec(9, month='202404')}")


def test_a_gec_sequence_of_zero_is_refused():
    with pytest.raises(SerialError, match="sequence 0000000 .*expected 1 or more"):
        parse_serial("GEC", gec(0))


def test_a_gec_block_running_backwards_is_refused():
    with pytest.raises(SerialError, match="end 5 is before start 9"):
        parse_serial("GEC", f"{gec(9)}~{gec(5)}")


# --- generic range ----------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [" to ", "–", " — ", "~", " - "])
def test_a_range_of_two_serials_gives_the_trailing_numbers(separator):
    parsed = parse_serial("IREC", f"ABC-2024-000001{separator}ABC-2024-000250")
    assert (parsed.start, parsed.end, parsed.quantity) == (1, 250, 250)
    assert parsed.issuance_key == "ABC-2024"


def test_a_compact_range_has_the_same_issuance_key_as_the_two_serial_form():
    parsed = parse_serial("CCER", "ABC-2024-1-250")
    assert (parsed.start, parsed.end) == (1, 250)
    assert parsed.issuance_key == parse_serial("CCER", "ABC-2024-000001 to ABC-2024-000250").issuance_key


def test_a_lone_serial_ending_in_a_number_is_one_unit():
    parsed = parse_serial("GO", "NO-GO-0042")
    assert (parsed.start, parsed.end, parsed.quantity) == (42, 42, 1)
    assert parsed.issuance_key == "NO-GO"


def test_a_range_whose_numbers_differ_in_width_is_refused():
    with pytest.raises(SerialError, match=r"different widths \(3 and 4 digits\); expected numbers of the same width"):
        parse_serial("ACC", "ABC-099 to ABC-1000")


def test_a_range_whose_serials_differ_before_the_number_is_refused():
    with pytest.raises(SerialError, match="different prefixes \\('ABC-' and 'ABD-'\\); expected two serials"):
        parse_serial("REC", "ABC-001 to ABD-010")


def test_a_range_whose_end_is_before_its_start_is_refused():
    with pytest.raises(SerialError, match="end 100 is before start 200"):
        parse_serial("IREC", "ABC-200 to ABC-100")
    with pytest.raises(SerialError, match="end 100 is before start 200"):
        parse_serial("IREC", "ABC-200-100")


def test_a_range_without_a_prefix_or_a_number_says_what_was_expected():
    with pytest.raises(SerialError, match="has no prefix before its number; expected two"):
        parse_serial("IREC", "12345")
    with pytest.raises(SerialError, match="does not end in a number; expected two"):
        parse_serial("IREC", "ABC-XYZ")


# --- every refusal says what was expected -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        ("VCU", "1-2-3"),
        ("VCU", "1-1-100-VCS-VCU-1310-VER-CN-13-3005-32012022-31102022-0"),
        ("VCU", "1-1-100-VCS-VCU-1310-VER-CN-13-3005-01102022-31012022-0"),
        ("GS_VER", "GS1-1-KE-GS11603-16-25-30256-110-5463"),
        ("GS_VER", "XX1-1-KE-GS11603-16-2025-30256-110-5463"),
        ("GEC", gec(1) + "," + gec(2) + "," + gec(3)),
        ("GEC", gec(1) + "-" + gec(2, categories="11")),
        ("CER", "BR-X-1-100-1-1-0-1234"),
        ("CER", "BR-5-1-100"),
        ("IREC", "ABC-1 to ABC-2 to ABC-3"),
        ("IREC", "-0001"),
    ],
)
def test_every_refusal_says_what_was_expected(code, raw):
    with pytest.raises(SerialError) as caught:
        parse_serial(code, raw)
    assert "expected" in caught.value.message
