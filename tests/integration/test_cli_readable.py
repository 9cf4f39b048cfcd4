"""A command line people can read: an organisation named by its name or its id, a
period by the year it starts in or its id, tables by default (JSON with --json), and the steps of
a long import on stderr. Expected output is written out by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from flask import Flask, has_app_context
from sqlalchemy import update

from neutrality import cli_support
from neutrality.cli_support import display_width, steps, table
from neutrality.commitments import services as commitments
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.organisations import services as organisations
from tests.factories import ADMIN, commitment_payload, organisation_payload, site_payload

# --- tables --------------------------------------------------------------------------------------


def test_display_width_counts_wide_characters_twice_and_combining_marks_not_at_all() -> None:
    assert display_width("盐城工厂") == 8
    assert display_width("Ａ1") == 3  # a full-width letter, a digit
    assert display_width("e\u0301") == 1  # e and a combining acute accent
    assert display_width("盐城 Yancheng") == 13


def test_a_list_is_a_table_aligned_by_display_width_with_numbers_on_the_right() -> None:
    rows = [
        {"id": 1, "name": "盐城工厂", "quantity": "1200.5", "note": None, "cost": {"CNY": "5"},
         "active": True},
        {"id": 12, "name": "Changzhou", "quantity": "-3", "note": None, "cost": {"USD": "4.80"},
         "active": False},
    ]
    # columns in the order they first appear, cost.USD last; "note" is empty in every row and
    # left out; id, quantity and both costs are numbers (right); 盐城工厂 is 8 columns wide, as
    # wide as "Changzhou" less one
    assert table(rows) == "\n".join([
        "id  name       quantity  cost.CNY  active  cost.USD",
        "--  ---------  --------  --------  ------  --------",
        " 1  盐城工厂     1200.5         5  yes",
        "12  Changzhou        -3            no          4.80",
    ])


def test_a_table_shows_the_columns_asked_for_in_their_order() -> None:
    rows = [{"id": 3, "name": "A", "country": "CN", "created_at": "2026-01-01"}]
    assert table(rows, columns=("name", "id", "missing")) == "\n".join([
        "name  id",
        "----  --",
        "A      3",
    ])


def test_whole_quantities_get_thousands_separators_and_ids_and_serials_do_not() -> None:
    # 12000 units, 1500 tCO2e retired: counts, written as the figures beside them are; the id
    # 12345 and the serial 100000 are names, not amounts.
    lines = table([{"id": 12345, "serial_start": 100000, "quantity": 12000,
                    "retired_tco2e": 1500}]).splitlines()
    assert lines[2].split() == ["12345", "100000", "12,000", "1,500"]


def test_a_record_is_a_field_list_with_its_lists_of_records_as_tables_after_it() -> None:
    record = {
        "period_id": 7, "verdict": "covered", "provisional": False, "retirements": [3, 4],
        "by_scheme": {"GEC": "300500", "VCU": "3243"}, "unused": {}, "note": "two\nlines",
        "lines": [{"block_id": 40, "quantity": 29813}], "none": [],
    }
    # the widest field name is by_scheme.GEC (13): every value starts in column 16
    assert table(record) == "\n".join([
        "period_id      7",
        "verdict        covered",
        "provisional    no",
        "retirements    3, 4",
        "by_scheme.GEC  300500",
        "by_scheme.VCU  3243",
        "unused         (none)",
        "note           two lines",
        "none           (none)",
        "",
        "lines:",
        "block_id  quantity",
        "--------  --------",
        "      40    29,813",
    ])


def test_records_inside_a_row_follow_the_table_under_the_rows_number() -> None:
    plan = {"electricity": [{"market": "CN", "lines": [{"block_id": 27}, {"block_id": 33}]}]}
    assert table(plan) == "\n".join([
        "electricity:",
        "market",
        "------",
        "CN",
        "",
        "electricity[1].lines:",
        "block_id",
        "--------",
        "      27",
        "      33",
    ])
    assert table([]) == "(none)"


# --- the command line, on a database -----------------------------------------------------------


@dataclass
class Two:
    """盐城工厂 with a commitment of 2024 and 2025 periods; Acme Solar with one of a 2024
    period."""

    yancheng: int
    acme: int
    commitment: int
    period_2024: int
    period_2025: int
    acme_commitment: int
    acme_2024: int


def _organisation(uow: Any, **fields: Any) -> tuple[int, int, int]:
    """An organisation with a site, its subject and a commitment from 2024: (ids of the
    organisation, the subject, the commitment)."""
    org = organisations.create_organisation(uow(), ADMIN, organisation_payload(**fields))
    site = organisations.create_site(uow(), ADMIN, org.id, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, org.id,
                                           {"name": "Factory", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, org.id, commitment_payload(subject.id))
    return org.id, subject.id, commitment.id


@pytest.fixture
def two(uow) -> Two:
    yancheng, _, commitment = _organisation(uow, name="盐城工厂", legal_name="盐城光伏有限公司")
    acme, _, acme_commitment = _organisation(uow, name="Acme Solar", legal_name="Acme Solar Ltd.")
    p2024, p2025 = commitments.generate(uow(), ADMIN, yancheng, commitment, count=2)
    [a2024] = commitments.generate(uow(), ADMIN, acme, acme_commitment, count=1)
    return Two(yancheng, acme, commitment, p2024.id, p2025.id, acme_commitment, a2024.id)


def _run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _usage_error(app: Flask, table_counts: Any, args: list[str], says: str) -> None:
    before = table_counts()
    result = _run(app, *args)
    assert result.exit_code == 2, result.output
    assert f"Error: Invalid value for {says}\n" in result.output, result.output
    assert table_counts() == before


def test_an_organisation_is_named_by_its_name_in_any_case_or_by_its_id(app, two) -> None:
    by_id = _run(app, "commitments", "periods", str(two.yancheng), str(two.commitment), "--json")
    assert by_id.exit_code == 0, by_id.output
    assert [p["id"] for p in json.loads(by_id.output)] == [two.period_2024, two.period_2025]
    for name in ("盐城工厂", " 盐城工厂 "):
        by_name = _run(app, "commitments", "periods", name, str(two.commitment), "--json")
        assert by_name.output == by_id.output
    acme = _run(app, "commitments", "list", "acme SOLAR", "--json")
    assert [c["id"] for c in json.loads(acme.output)] == [two.acme_commitment]


def test_a_name_no_organisation_has_is_a_usage_error_naming_the_nearest(app, two,
                                                                          table_counts) -> None:
    _usage_error(app, table_counts, ["commitments", "list", "Acme Sola"],
                 f"'ORGANISATION_ID': no organisation is named 'Acme Sola'; did you mean "
                 f"{two.acme} (Acme Solar)?")
    _usage_error(app, table_counts, ["members", "list", "Nowhere"],
                 "'ORGANISATION_ID': no organisation is named 'Nowhere' ('neutrality orgs list' "
                 "lists them).")
    # the application context the look-up needed ended with the command, refused as it was
    # (a context left behind would serve the next command with this application's database)
    assert not has_app_context()


def test_a_name_two_organisations_share_but_for_case_is_a_usage_error_listing_both(
    app, two, uow, table_counts
) -> None:
    other = organisations.create_organisation(uow(), ADMIN, organisation_payload(name="ACME SOLAR"))
    _usage_error(app, table_counts, ["commitments", "list", "acme solar"],
                 f"'ORGANISATION_ID': 2 organisations are named 'acme solar': {two.acme} "
                 f"(Acme Solar), {other.id} (ACME SOLAR); give the id.")
    exact = _run(app, "commitments", "list", str(other.id), "--json")
    assert exact.exit_code == 0 and json.loads(exact.output) == []


def _created_for(app: Flask, organisation: str, period: str) -> int:
    result = _run(app, "inventory", "create", organisation, period, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["period_id"]


def _span(period_id: int, year: int, commitment: int) -> str:
    return f"{period_id} ({year}-01-01 to {year}-12-31, commitment {commitment})"


def test_a_period_is_named_by_its_year_or_by_its_id(app, two) -> None:
    if {two.period_2024, two.period_2025} & set(range(1900, 2201)):
        pytest.skip("a period's id is itself a year here; the rule for that is tested below")
    assert _created_for(app, "盐城工厂", "y2025") == two.period_2025
    assert _created_for(app, "盐城工厂", "2024") == two.period_2024  # no period has id 2024
    assert _created_for(app, str(two.acme), f"id:{two.acme_2024}") == two.acme_2024


def test_a_year_no_period_or_two_periods_start_in_is_a_usage_error_listing_them(
    app, two, uow, table_counts
) -> None:
    if {two.period_2024, two.period_2025} & set(range(1900, 2201)):
        pytest.skip("a period's id is itself a year here")
    periods = f"{_span(two.period_2024, 2024, two.commitment)}, " \
              f"{_span(two.period_2025, 2025, two.commitment)}"
    _usage_error(app, table_counts, ["inventory", "create", "盐城工厂", "y2030"],
                 f"'PERIOD_ID': organisation {two.yancheng} has no period starting in 2030; "
                 f"its periods: {periods}.")
    _usage_error(app, table_counts, ["balance", "show", "盐城工厂", "2030"],
                 f"'PERIOD_ID': organisation {two.yancheng} has no period with id 2030 or "
                 f"starting in 2030; its periods: {periods}.")
    # a second factory's commitment, with its own 2024 period
    site = organisations.create_site(uow(), ADMIN, two.yancheng, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, two.yancheng,
                                           {"name": "Factory 2", "kind": "site", "site_id": site.id})
    second = commitments.create_commitment(uow(), ADMIN, two.yancheng, commitment_payload(subject.id))
    [again] = commitments.generate(uow(), ADMIN, two.yancheng, second.id, count=1)
    _usage_error(app, table_counts, ["registry", "needs", str(two.yancheng), "y2024"],
                 f"'PERIOD_ID': 2 periods of organisation {two.yancheng} start in 2024: "
                 f"{_span(two.period_2024, 2024, two.commitment)}, "
                 f"{_span(again.id, 2024, second.id)}; give the id (id:N).")
    assert _created_for(app, "盐城工厂", f"id:{again.id}") == again.id


def test_a_number_that_is_both_an_id_and_a_year_is_never_taken_for_either_silently(
    app, two, db, table_counts
) -> None:
    # Acme's 2024 period gets the id 2025, which is also the year 盐城工厂's second period
    # starts in.
    with db() as session:
        session.execute(update(ApplicationPeriodRow).where(ApplicationPeriodRow.id == two.acme_2024)
                        .values(id=2025))
        session.commit()
    _usage_error(app, table_counts, ["inventory", "create", "盐城工厂", "2025"],
                 f"'PERIOD_ID': 2025 is the id of period {_span(2025, 2024, two.acme_commitment)}, "
                 f"and {_span(two.period_2025, 2025, two.commitment)} starts in 2025: "
                 "write id:2025 or y2025.")
    assert _created_for(app, "盐城工厂", "y2025") == two.period_2025
    # for Acme, 2025 can only be its period with that id: no period of Acme starts in 2025
    assert _created_for(app, "Acme Solar", "2025") == 2025
    # and id:2025 for 盐城工厂 is Acme's period: refused by the service, as any other tenant's id
    before = table_counts()
    refused = _run(app, "inventory", "create", "盐城工厂", "id:2025")
    assert refused.exit_code == 1 and "not_found" in refused.output, refused.output
    assert table_counts() == before


def test_a_period_that_is_neither_an_id_nor_a_year_is_a_usage_error(app, two, table_counts) -> None:
    _usage_error(app, table_counts, ["retire", "list", "盐城工厂", "--period", "last"],
                 "'--period': 'last' is neither a period's id (17, id:17) nor the year it starts "
                 "in (y2025, 2025).")
    _usage_error(app, table_counts, ["retire", "plan", "盐城工厂", "id:0"],
                 "'PERIOD_ID': 0 is not in the range 1<=x<=2147483647.")


def test_a_period_option_given_before_the_organisation_is_still_found_within_it(app, two) -> None:
    result = _run(app, "retire", "list", "--period", "y2025", "盐城工厂", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def test_lists_print_a_table_by_default_and_json_with_json(app, two) -> None:
    width = max(2, len(str(two.acme)))
    result = _run(app, "orgs", "list")
    assert result.exit_code == 0, result.output
    # unified_social_credit_code is empty for both and left out; 盐城光伏有限公司 is 16 columns
    assert result.output == "\n".join([
        f"{'id':>{width}}  name        legal_name        country  consolidation_approach",
        f"{'-' * width}  ----------  ----------------  -------  ----------------------",
        f"{two.yancheng:>{width}}  盐城工厂    盐城光伏有限公司  CN       operational_control",
        f"{two.acme:>{width}}  Acme Solar  Acme Solar Ltd.   CN       operational_control",
    ]) + "\n"
    as_json = json.loads(_run(app, "orgs", "list", "--json").output)
    assert [o["name"] for o in as_json] == ["盐城工厂", "Acme Solar"]
    assert _run(app, "orgs", "list", "-o", "json").output == _run(app, "orgs", "list", "--json").output


def test_a_command_reading_its_body_with_json_prints_json_with_output_json(app, two,
                                                                            tmp_path: Path) -> None:
    body = tmp_path / "site.json"
    body.write_text(json.dumps(site_payload(name="佛山狮山工厂")), encoding="utf-8")
    shown = _run(app, "orgs", "add-site", "Acme Solar", "--json", str(body))
    assert shown.exit_code == 0, shown.output
    assert "name" in shown.output and "佛山狮山工厂" in shown.output and "{" not in shown.output
    body.write_text(json.dumps(site_payload(name="佛山獅山工廠")), encoding="utf-8")
    answered = _run(app, "orgs", "add-site", "Acme Solar", "--json", str(body), "--output", "json")
    assert answered.exit_code == 0, answered.output
    assert json.loads(answered.output)["name"] == "佛山獅山工廠"


def test_a_period_listing_prints_dates_as_written(app, two) -> None:
    result = _run(app, "commitments", "periods", "Acme Solar", str(two.acme_commitment))
    assert result.exit_code == 0, result.output
    header, dashes, row = result.output.splitlines()
    assert header.split() == ["id", "organisation_id", "commitment_id", "sequence", "start_date",
                              "end_date", "status", "includes_historic_reductions", "created_at"]
    assert row.split()[:7] == [str(two.acme_2024), str(two.acme), str(two.acme_commitment), "1",
                               "2024-01-01", "2024-12-31", row.split()[6]]
    assert row.split()[7] == "no"


# --- steps of a long import ----------------------------------------------------------------------


def _stepping(size: int) -> Any:
    @click.command()
    def command() -> None:
        with steps("reading big.csv", size):
            pass
        click.echo("stored")

    return CliRunner().invoke(command)


def test_a_large_file_shows_its_steps_on_stderr_and_a_small_one_nothing() -> None:
    large = _stepping(cli_support.LARGE_FILE_BYTES + 1)
    assert large.stdout == "stored\n"
    first, done = large.stderr.splitlines()
    assert first == "reading big.csv…"
    assert done.startswith("reading big.csv: done in ") and done.endswith(" s")
    small = _stepping(cli_support.LARGE_FILE_BYTES)
    assert (small.stdout, small.stderr) == ("stored\n", "")


def test_a_registry_import_of_a_large_file_shows_its_steps_and_prints_clean_json(
    app, two, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(cli_support, "LARGE_FILE_BYTES", 10)  # this file is "large"
    first, last = ("11320922230500012" + "202401" + serial + "11" for serial in ("0000001", "0000100"))
    path = tmp_path / "gec.csv"
    path.write_text("start_serial,end_serial,quantity,project_name,project_code,production_month,"
                    f"status\n{first},{last},100,PV,11320922230500012,2024-01,issued\n",
                    encoding="utf-8")
    size = path.stat().st_size
    result = _run(app, "registry", "import", "Acme Solar", str(path), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "preview"
    lines = result.stderr.splitlines()
    assert lines[0] == f"reading gec.csv ({size:,} bytes)…"
    assert lines[1].startswith("reading gec.csv") and "done in" in lines[1]
    assert lines[2] == "checking the rows…"
    assert lines[3].startswith("checking the rows: done in ")



def test_the_command_line_import_supersedes_earlier_rows_when_told(app, uow, world, tmp_path) -> None:
    # the same month of one source in kWh, then in MWh: refused, then superseding
    from sqlalchemy import select

    from neutrality.inventory.tables import ActivityRecord

    header = "site,source,scope,activity_type,quantity,unit,start_date,end_date\n"
    first, second = tmp_path / "kwh.csv", tmp_path / "mwh.csv"
    first.write_text(header + f"{world.site_a},Workshop 3,2,electricity,125000,kWh,2025-03-01,2025-03-31\n")
    second.write_text(header + f"{world.site_a},Workshop 3,2,electricity,125,MWh,2025-03-01,2025-03-31\n")
    args = ["inventory", "import", str(world.org_a), str(world.inventory_draft)]
    imported = _run(app, *args, str(first))
    assert imported.exit_code == 0, imported.output
    refused = _run(app, *args, str(second))
    assert refused.exit_code == 1 and "covers what 'kwh.csv' row 2 already holds" in refused.output
    done = _run(app, *args, str(second), "--overlap", "supersede")
    assert done.exit_code == 0, done.output
    with uow() as unit:
        units = unit.session.scalars(select(ActivityRecord.unit).where(ActivityRecord.source == "Workshop 3")).all()
    assert units == ["MWh"]  # the kWh row replaced


def test_the_command_line_takes_an_import_back(app, uow, world, tmp_path, table_counts) -> None:
    # two months imported, then taken back: the records and the batch go, one audit entry more
    header = "site,source,scope,activity_type,quantity,unit,start_date,end_date\n"
    path = tmp_path / "two.csv"
    path.write_text(header + f"{world.site_a},Workshop 5,2,electricity,10,MWh,2025-05-01,2025-05-31\n"
                    f"{world.site_a},Workshop 5,2,electricity,11,MWh,2025-06-01,2025-06-30\n")
    before = table_counts()
    imported = _run(app, "inventory", "import", str(world.org_a), str(world.inventory_draft), str(path), "--json")
    assert imported.exit_code == 0, imported.output
    import_id = json.loads(imported.output)["import_id"]
    undone = _run(app, "inventory", "undo-import", str(world.org_a), str(world.inventory_draft), str(import_id))
    assert undone.exit_code == 0, undone.output
    assert undone.output == f"import {import_id} taken back: 2 record(s) removed\n"
    after = table_counts()
    assert {k: v for k, v in after.items() if k != "audit_entries"} == {
        k: v for k, v in before.items() if k != "audit_entries"}
    assert after["audit_entries"] == before["audit_entries"] + 2  # the import, then its undoing


def test_the_schemes_print_as_a_table_and_as_the_apis_json(app, client, world) -> None:
    listed = _run(app, "registry", "schemes")
    assert listed.exit_code == 0, listed.output
    header, rule, *rows = listed.output.splitlines()
    assert header.split() == ["code", "unit", "kind", "registry", "name"] and set(rule) == {"-", " "}
    as_json = json.loads(_run(app, "registry", "schemes", "--json").output)
    assert as_json == client.get("/api/v1/schemes", headers=world.headers("viewer")).get_json()
    # the table has a row per scheme, each starting with its code
    assert [row.split()[0] for row in rows] == [s["code"] for s in as_json]


def test_the_sites_an_import_may_name_are_listed(app, world) -> None:
    listed = _run(app, "orgs", "sites", str(world.org_a), "--json")
    assert listed.exit_code == 0, listed.output
    assert [s["id"] for s in json.loads(listed.output)] == [world.site_a]  # the world gives org A one site


def test_a_dry_run_that_finds_problems_exits_with_1_and_writes_nothing(app, world, tmp_path, table_counts) -> None:
    header = "site,source,scope,activity_type,quantity,unit,start_date,end_date\n"
    path = tmp_path / "bad.csv"
    path.write_text(header + f"{world.site_a},Workshop 7,2,electricity,-10,MWh,2025-05-01,2025-05-31\n")
    before = table_counts()
    result = _run(app, "inventory", "import", str(world.org_a), str(world.inventory_draft), str(path),
                  "--dry-run", "--json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["preview"]["errors"] == [
        {"row": 2, "column": "quantity", "reason": "'-10' is negative"}]
    assert table_counts() == before


def test_a_table_prints_rounded_totals_and_the_json_keeps_the_exact_ones(app, world) -> None:
    # block_a: 29,813 VCUs bought at USD 6.50 = USD 193,784.5; the table shows the companions
    # (units whole and thousands separated, the cost as an amount), right-aligned as numbers
    org = str(world.org_a)
    shown = _run(app, "registry", "holdings", org)
    assert shown.exit_code == 0, shown.output
    assert shown.output == "\n".join([
        "key.scheme  key.vintage  unit   quantity  blocks    cost.USD  units_without_price",
        "----------  -----------  -----  --------  ------  ----------  -------------------",
        "VCU                2022  tCO2e    29,813       1  193,784.50                    0",
    ]) + "\n"
    [line] = json.loads(_run(app, "registry", "holdings", org, "--json").output)
    assert (line["quantity"], line["cost"]) == (29813, {"USD": "193784.5"})
    assert line["display"]["cost"] == {"USD": "193,784.50"}
    # the verified 2024 inventory: 1,200 MWh × 0.6096 = 731.52 t market-based, 1,200 × 0.55 =
    # 660 t location-based, printed with two decimals; the JSON is the API's, companions and all
    report = _run(app, "inventory", "report", org, str(world.inventory_verified))
    assert report.exit_code == 0, report.output
    fields = dict(line.split(maxsplit=1) for line in report.output.splitlines() if line.count(" ") and "  " in line)
    assert fields["location_based.tco2e"] == "660.00"
    assert fields["market_based.tco2e"] == "731.52"
    assert fields["market_based.by_scope.1"] == "0.00"
    assert "display" not in report.output
    as_json = json.loads(_run(app, "inventory", "report", org, str(world.inventory_verified), "--json").output)
    assert as_json["location_based"]["tco2e"] == "660"
    assert as_json["location_based"]["display"]["tco2e"] == "660.00"
