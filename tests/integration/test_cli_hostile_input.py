"""The command line refuses what it cannot use before anything reaches the database: ids beyond
an INTEGER column or below 1, counts beyond what the services take, files larger than an upload
may be (their size checked before they are read), text that is not JSON, values that are not
among the choices. Each refusal names the argument or the file, exits cleanly (2 for a usage
error, 1 for the application's refusal) and writes nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.factories import World, create_world

TOO_BIG = "99999999999999999999"  # beyond BIGINT too, let alone the INTEGER ids are
ID_RANGE = "1<=x<=2147483647"


def _settings(monkeypatch: pytest.MonkeyPatch, app: Flask, **values: int) -> None:
    settings = dataclasses.replace(app.extensions["neutrality.settings"], **values)
    monkeypatch.setitem(app.extensions, "neutrality.settings", settings)


def _refused(app: Flask, args: list[str], table_counts: Any, exit_code: int, says: str) -> None:
    before = table_counts()
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"Error: {says}\n" in result.output, result.output
    assert "Traceback" not in result.output
    assert table_counts() == before


def _not_read(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Fail the test if ``path`` is opened (the command reads a file through Path.open)."""
    open_path = Path.open

    def not_this_one(self: Path, *args: Any, **kwargs: Any) -> Any:
        assert self != path, "the file was read"
        return open_path(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", not_this_one)


def _purchase_json(tmp_path: Path) -> Path:
    path = tmp_path / "purchase.json"
    path.write_text(json.dumps({"scheme": "VCU", "supplier": "B", "contract_reference": "X",
                                "contract_date": "2026-06-01", "quantity": "10",
                                "unit_price": "7", "currency": "USD",
                                "delivery_account": "Main"}), encoding="utf-8")
    return path


@pytest.fixture
def world(uow) -> World:
    return create_world(uow)


# --- ids and counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["members", "invite", TOO_BIG, "li.wei@factory.cn", "viewer"],
         f"Invalid value for 'ORGANISATION_ID': {TOO_BIG} is not in the range {ID_RANGE}."),
        (["members", "invite", "0", "li.wei@factory.cn", "viewer"],
         f"Invalid value for 'ORGANISATION_ID': 0 is not in the range {ID_RANGE}."),
        # "--" so that -1 is read as the argument, not taken for an option
        (["members", "invite", "--", "-1", "li.wei@factory.cn", "viewer"],
         f"Invalid value for 'ORGANISATION_ID': -1 is not in the range {ID_RANGE}."),
        (["balance", "show", "{org}", TOO_BIG],
         f"Invalid value for 'PERIOD_ID': {TOO_BIG} is not in the range {ID_RANGE}."),
        (["retire", "reverse", "{org}", "0", "--reason", "typed the wrong block"],
         f"Invalid value for 'RETIREMENT_ID': 0 is not in the range {ID_RANGE}."),
        (["retire", "list", "{org}", "--period", "-1"],
         f"Invalid value for '--period': -1 is not in the range {ID_RANGE}."),
        (["registry", "resolve", TOO_BIG, "--keep", "claimant", "--reason", "r", "--evidence",
          "{evidence}"],
         f"Invalid value for 'CONTEST_ID': {TOO_BIG} is not in the range {ID_RANGE}."),
        (["registry", "split", "{org}", "{block}", "0"],
         "Invalid value for 'QUANTITY': 0 is not in the range 1<=x<=1000000000000000."),
        (["commitments", "generate-periods", "{org}", "{commitment}", "--count", "101"],
         "Invalid value for '--count': 101 is not in the range 1<=x<=100."),
        (["users", "token", "nobody@factory.cn", "--days", TOO_BIG],
         f"Invalid value for '--days': {TOO_BIG} is not in the range 1<=x<=3650."),
        (["retire", "plan", "{org}", "{period}", "--tolerance", "-1"],
         "Invalid value for '--tolerance': -1 is not in the range 0<=x<=1000000000000."),
    ],
)
def test_a_number_out_of_range_is_a_usage_error_naming_the_argument(
    app, world, tmp_path, table_counts: Any, args: list[str], says: str
) -> None:
    evidence = tmp_path / "statement.pdf"
    evidence.write_bytes(b"%PDF-1.7 statement")
    values = {"org": world.org_a, "block": world.block_a, "commitment": world.commitment_a,
              "period": world.period_a, "evidence": evidence}
    _refused(app, [arg.format(**values) for arg in args], table_counts, 2, says)


def test_ids_in_a_list_are_held_to_the_same_range(app, world, tmp_path, table_counts: Any) -> None:
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.7 invoice")
    args = ["registry", "purchase", str(world.org_a), "--json", str(_purchase_json(tmp_path)),
            "--invoice", str(invoice), "--blocks"]
    _refused(app, [*args, f"{world.block_a},{TOO_BIG}"], table_counts, 2,
             f"Invalid value for '--blocks': {TOO_BIG} is not in the range {ID_RANGE}.")
    _refused(app, [*args, "0"], table_counts, 2,
             f"Invalid value for '--blocks': 0 is not in the range {ID_RANGE}.")


# --- files ---------------------------------------------------------------------------------------


def test_a_statement_larger_than_an_upload_may_be_is_refused_before_it_is_read(
    app, world, tmp_path, monkeypatch, table_counts: Any
) -> None:
    _settings(monkeypatch, app, max_upload_bytes=300)
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(b"%PDF-1.7 " + b"x" * 292)  # 301 bytes, one over the limit
    details = tmp_path / "verification.json"
    details.write_text(json.dumps({
        "body": "China Quality Certification Centre", "accreditation": "CNAS",
        "assurance_level": "reasonable", "materiality_percent": "5",
        "opinion": "Fairly stated.", "verified_on": "2025-03-31"}), encoding="utf-8")
    assert details.stat().st_size < 300  # the JSON file is held to the same limit
    _not_read(monkeypatch, statement)
    _refused(
        app,
        ["inventory", "verify", str(world.org_a), str(world.inventory_draft),
         "--statement", str(statement), "--json", str(details)],
        table_counts, 2,
        "Invalid value for '--statement': 'statement.pdf' is 301 bytes; the limit is 300 bytes "
        "(NEUTRALITY_MAX_UPLOAD_BYTES).",
    )


def test_an_invoice_larger_than_an_upload_may_be_is_refused_before_it_is_read(
    app, world, tmp_path, monkeypatch, table_counts: Any
) -> None:
    _settings(monkeypatch, app, max_upload_bytes=1_000)
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"x" * 1_500)
    _not_read(monkeypatch, invoice)
    _refused(
        app,
        ["registry", "purchase", str(world.org_a), "--json", str(_purchase_json(tmp_path)),
         "--invoice", str(invoice)],
        table_counts, 2,
        "Invalid value for '--invoice': 'invoice.pdf' is 1,500 bytes; the limit is 1,000 bytes "
        "(NEUTRALITY_MAX_UPLOAD_BYTES).",
    )


def test_a_json_file_larger_than_an_upload_may_be_is_refused_before_it_is_read(
    app, db, tmp_path, monkeypatch, table_counts: Any
) -> None:
    _settings(monkeypatch, app, max_upload_bytes=10)
    path = tmp_path / "org.json"
    path.write_text('{"name": "Suzhou Solar"}', encoding="utf-8")  # 24 bytes
    _not_read(monkeypatch, path)
    _refused(app, ["orgs", "create", "--json", str(path)], table_counts, 2,
             "Invalid value for '--json': 'org.json' is 24 bytes; the limit is 10 bytes "
             "(NEUTRALITY_MAX_UPLOAD_BYTES).")


def test_a_device_or_a_directory_is_not_taken_for_a_file(
    app, world, tmp_path, table_counts: Any
) -> None:
    args = ["registry", "purchase", str(world.org_a), "--json", str(_purchase_json(tmp_path)),
            "--invoice"]
    # /dev/zero has no size to check and would never end
    _refused(app, [*args, "/dev/zero"], table_counts, 2,
             "Invalid value for '--invoice': '/dev/zero' is not a regular file.")
    _refused(app, [*args, str(tmp_path)], table_counts, 2,
             f"Invalid value for '--invoice': File '{tmp_path}' is a directory.")


# --- JSON ----------------------------------------------------------------------------------------


def test_retirement_fields_that_are_not_json_are_refused_naming_the_option_and_the_place(
    app, world, tmp_path, table_counts: Any
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([{"block_id": world.block_a, "quantity": 10}]), encoding="utf-8")
    fields = tmp_path / "fields.json"
    fields.write_text("{\n  \"purpose\": 'offsetting'\n}\n", encoding="utf-8")  # single quotes
    evidence = tmp_path / "statement.pdf"
    evidence.write_bytes(b"%PDF-1.7 statement")
    # line 2 is `  "purpose": 'offsetting'`: the quote JSON does not know is its 14th character
    _refused(
        app,
        ["retire", "apply", str(world.org_a), str(world.period_verified), "--plan", str(plan),
         "--json", str(fields), "--evidence", str(evidence)],
        table_counts, 2, "Invalid value for '--json': the file is not valid JSON (Expecting value at line 2, "
        "column 14).",
    )


def test_a_plan_that_is_not_json_is_refused_naming_the_option_and_the_place(
    app, world, tmp_path, table_counts: Any
) -> None:
    plan = tmp_path / "plan.json"
    # no comma between the fields: the 17th character, '"', is where one is expected
    plan.write_text('[{"block_id": 1 "quantity": 2}]', encoding="utf-8")
    _refused(
        app,
        ["retire", "reserve", str(world.org_a), str(world.period_verified), "--plan", str(plan)],
        table_counts, 2, "Invalid value for '--plan': the file is not valid JSON (Expecting ',' delimiter at "
        "line 1, column 17).",
    )


def test_a_plan_with_a_number_json_does_not_have_is_refused(
    app, world, tmp_path, table_counts: Any
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('[{"block_id": 1, "quantity": NaN}]', encoding="utf-8")
    _refused(
        app,
        ["retire", "reserve", str(world.org_a), str(world.period_verified), "--plan", str(plan)],
        table_counts, 2,
        "Invalid value for '--plan': the file is not valid JSON (NaN is not a JSON number).",
    )


def test_a_resource_file_that_is_not_json_is_refused_naming_the_file_and_the_place(
    app, db, tmp_path, table_counts: Any
) -> None:
    path = tmp_path / "org.json"
    path.write_text('{"name": ', encoding="utf-8")  # the value is missing at the 10th character
    _refused(app, ["orgs", "create", "--json", str(path)], table_counts, 1,
             f"{path}: not valid JSON (Expecting value at line 1, column 10)")


# --- the application's own refusals ---------------------------------------------------------------


def test_an_invitation_to_what_is_not_an_e_mail_address_is_refused(
    app, world, table_counts: Any
) -> None:
    _refused(app, ["members", "invite", str(world.org_a), "li.wei.factory.cn", "viewer"],
             table_counts, 1,
             "invalid_input: 'li.wei.factory.cn' is not an e-mail address "
             '{"email": ["not an e-mail address"]}')


def test_an_invitation_to_an_organisation_that_does_not_exist_is_refused(
    app, world, table_counts: Any
) -> None:
    # the largest id the command takes reaches the database and is simply not found there
    _refused(app, ["members", "invite", "2147483647", "li.wei@factory.cn", "viewer"],
             table_counts, 1, "not_found: organisation 2147483647 not found")


def test_contests_listed_by_an_unknown_status_name_the_statuses(
    app, world, table_counts: Any
) -> None:
    _refused(app, ["registry", "contests", "--status", "bogus"], table_counts, 2,
             "Invalid value for '--status': 'bogus' is not one of 'open', 'resolved'.")
