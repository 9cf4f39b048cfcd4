"""Hostile spreadsheets sent through the API are refused before they are read, with 413 and a
message naming the limit, whoever sends them and wherever: a viewer reconciling, a lead importing
activity data, procurement importing a registry export. A NUL character in a file is refused with
its row and column. Nothing is written either way.

The limits are the settings' (NEUTRALITY_ACTIVITY_FILE_MAX_ROWS and the others), which the
routes hand to the readers.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from neutrality.registry.exports import template_csv as registry_template
from tests.factories import World
from tests.hostile_files import claims_the_whole_sheet, many_rows, shared_strings_bomb

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

A = "/api/v1/organisations/{w.org_a}"
NUL = "contains a NUL character (U+0000), which cannot be stored"
ROWS = "the file declares 1,048,575 rows below its first row; the limit is 1,000,000"
COLUMNS = "the file declares 16,384 columns; the limit is 200"


def _post(
    client: Any, world: World, who: str, path: str, data: bytes, filename: str, **fields: Any
) -> Any:
    form = {key: value.format(w=world) for key, value in fields.items()}
    # Encoded here, in memory: the test client would spool a body of more than 500 KB to a
    # temporary file that nothing closes.
    boundary, body = encode_multipart({**form, "file": FileStorage(io.BytesIO(data), filename)})
    return client.post(
        (A + path).format(w=world),
        headers=world.headers(who),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    return error


ROUTES = {
    "a viewer reconciling": ("viewer", "/retirement-reconciliations", {}),
    "a lead importing activity data": ("lead", "/inventories/{w.inventory_draft}/imports", {}),
    "procurement importing a registry export": ("procurement", "/registry-imports", {}),
    "a lead importing retirements": (
        "lead",
        "/retirement-imports",
        {"period_id": "{w.period_verified}"},
    ),
}


@pytest.mark.parametrize(
    ("route", "message", "details"),
    [
        ("a viewer reconciling", COLUMNS, {"limit": "columns", "maximum": 200, "found": 16_384}),
        (
            "a lead importing activity data",
            ROWS,
            {"limit": "rows", "maximum": 1_000_000, "found": 1_048_575},
        ),
        (
            "procurement importing a registry export",
            COLUMNS,
            {"limit": "columns", "maximum": 200, "found": 16_384},
        ),
        (
            "a lead importing retirements",
            COLUMNS,
            {"limit": "columns", "maximum": 200, "found": 16_384},
        ),
    ],
)
def test_an_xlsx_claiming_the_whole_sheet_is_refused_on_every_route_that_reads_files(
    client, world, table_counts, route: str, message: str, details: dict[str, Any]
) -> None:
    who, path, fields = ROUTES[route]
    before = table_counts()
    response = _post(client, world, who, path, claims_the_whole_sheet(), "claim.xlsx", **fields)
    error = _refused(response, 413, "file_too_large")
    assert (error["message"], error["details"]) == (message, details)
    assert table_counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            lambda: shared_strings_bomb(2 << 30),
            "the workbook unzips to 2,146,438,777 bytes; the limit is 1,073,741,824 bytes",
        ),
        (
            lambda: many_rows(1_000_000, 60, dimension="A1:BH1000000"),
            "the file declares 60,000,000 cells "
            "(rows × columns); the limit is 30,000,000, so split it into smaller files",
        ),
    ],
)
def test_a_zip_bomb_and_a_million_rows_of_sixty_columns_are_refused_under_the_upload_limit(
    client, world, table_counts, data: Any, message: str
) -> None:
    body = data()
    assert len(body) < 20 * 1024 * 1024  # the upload limit lets them through
    before = table_counts()
    response = _post(
        client, world, "lead", "/inventories/{w.inventory_draft}/imports", body, "big.xlsx"
    )
    assert _refused(response, 413, "file_too_large")["message"] == message
    assert table_counts() == before


def _activities(world: World, count: int) -> list[str]:
    return [
        f"{world.site_a},Meter {n},2,electricity,100,MWh,2025-01-01,2025-01-31"
        for n in range(count)
    ]


def _csv(*lines: str) -> bytes:
    header = "site,source,scope,activity_type,quantity,unit,start_date,end_date"
    return ("\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


def test_a_nul_past_the_first_8_kb_of_a_csv_is_refused_naming_its_row_and_column(
    client, world, table_counts
) -> None:
    lines = _activities(world, 600)  # 36 KB
    lines[498] = lines[498].replace("Meter 498", "Meter\x00498")  # spreadsheet row 500
    before = table_counts()
    response = _post(
        client,
        world,
        "lead",
        "/inventories/{w.inventory_draft}/imports",
        _csv(*lines),
        "meters.csv",
    )
    error = _refused(response, 422, "import_rejected")
    assert error["message"] == "'meters.csv' has 1 error; nothing was imported"
    assert error["details"] == {
        "errors": [{"row": 500, "column": "source", "reason": NUL}],
        "error_count": 1,
        "truncated": False,
    }
    assert table_counts() == before


def test_a_nul_in_a_registry_export_is_refused_naming_the_column_as_the_file_does(
    client, world, table_counts
) -> None:
    row = f"{1:032d},{1:032d},1,Sola\x00r park,P1,,,2024-05,,,,issued\r\n"
    before = table_counts()
    response = _post(
        client,
        world,
        "procurement",
        "/registry-imports",
        registry_template("gec_account") + row.encode(),
        "gec.csv",
    )
    error = _refused(response, 422, "import_rejected")
    assert error["details"]["errors"] == [{"row": 3, "column": "project_name", "reason": NUL}]
    assert table_counts() == before


def _settings(monkeypatch: pytest.MonkeyPatch, app: Flask, **limits: int) -> None:
    settings = dataclasses.replace(app.extensions["neutrality.settings"], **limits)
    monkeypatch.setitem(app.extensions, "neutrality.settings", settings)


def test_the_activity_file_limits_are_the_settings(
    client, world, table_counts, app, monkeypatch
) -> None:
    _settings(monkeypatch, app, activity_file_max_rows=2)
    before = table_counts()
    response = _post(
        client,
        world,
        "lead",
        "/inventories/{w.inventory_draft}/imports",
        _csv(*_activities(world, 3)),
        "meters.csv",
    )
    error = _refused(response, 413, "file_too_large")
    assert (error["message"], error["details"]) == (
        "the file has at least 3 rows below its first row; the limit is 2",
        {"limit": "rows", "maximum": 2, "found": 3},
    )
    assert table_counts() == before


def test_the_registry_file_limits_are_the_settings(client, world, app, monkeypatch) -> None:
    _settings(monkeypatch, app, registry_file_max_columns=5)
    export = (
        b"Issuance Date,Vintage Start,Vintage End,ID,Name,Country/Area,Quantity Issued,"
        b"Serial Number,Retirement/Cancellation Date\r\n"
    )  # 9 columns
    response = _post(client, world, "viewer", "/retirement-reconciliations", export, "verra.csv")
    error = _refused(response, 413, "file_too_large")
    assert (error["message"], error["details"]) == (
        "the file has at least 9 columns; the limit is 5",
        {"limit": "columns", "maximum": 5, "found": 9},
    )
