"""The command line reads spreadsheets from this machine's disk: the upload limit, which is the
web's limit on request bodies, does not apply to them, the spreadsheet limits do (a file's size
is checked before it is read)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.factories import create_world

HEADER = "site,source,scope,activity_type,quantity,unit,start_date,end_date"


def _settings(monkeypatch: pytest.MonkeyPatch, app: Flask, **values: int) -> None:
    settings = dataclasses.replace(app.extensions["neutrality.settings"], **values)
    monkeypatch.setitem(app.extensions, "neutrality.settings", settings)


def _meters(path: Path, site: int, count: int) -> Path:
    lines = [f"{site},Meter {n},2,electricity,100,MWh,2025-01-01,2025-01-31" for n in range(count)]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_an_activity_file_larger_than_the_upload_limit_is_imported(
    app, uow, tmp_path, monkeypatch
) -> None:
    world = create_world(uow)
    _settings(monkeypatch, app, max_upload_bytes=1_024)
    path = _meters(tmp_path / "meters.csv", world.site_a, 40)
    assert path.stat().st_size > 1_024
    result = app.test_cli_runner().invoke(
        args=["inventory", "import", str(world.org_a), str(world.inventory_draft), str(path),
              "--json"]
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert (outcome["status"], outcome["row_count"]) == ("imported", 40)


def test_a_registry_export_larger_than_the_upload_limit_is_imported(
    app, uow, tmp_path, monkeypatch
) -> None:
    world = create_world(uow)
    _settings(monkeypatch, app, max_upload_bytes=1_024)
    project = "11320922230500012"  # GEC codes: filing code, production month, sequence, category
    rows = [
        f"{project}202401{10 * n + 1:07d}11,{project}202401{10 * n + 10:07d}11,10,PV,{project},"
        "2024-01,issued"
        for n in range(20)
    ]
    path = tmp_path / "gec.csv"
    path.write_text(
        "start_serial,end_serial,quantity,project_name,project_code,production_month,status\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    assert path.stat().st_size > 1_024
    result = app.test_cli_runner().invoke(
        args=["registry", "import", str(world.org_a), str(path), "--json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert (outcome["status"], outcome["blocks"], outcome["quantity_by_scheme"]) == (
        "imported",
        20,
        {"GEC": 200},
    )  # 20 rows of 10 certificates


def test_an_activity_file_beyond_the_spreadsheet_limits_is_refused_naming_the_limit(
    app, uow, tmp_path, monkeypatch, table_counts: Any
) -> None:
    world = create_world(uow)
    _settings(monkeypatch, app, activity_file_max_rows=5)
    path = _meters(tmp_path / "meters.csv", world.site_a, 6)
    before = table_counts()
    result = app.test_cli_runner().invoke(
        args=["inventory", "import", str(world.org_a), str(world.inventory_draft), str(path)]
    )
    assert result.exit_code == 1
    assert (
        "file_too_large: the file has at least 6 rows below its first row; the limit is 5 "
        '{"limit": "rows", "maximum": 5, "found": 6}'
    ) in result.output
    assert table_counts() == before


def test_a_file_larger_than_a_spreadsheet_may_be_is_refused_before_it_is_read(
    app, uow, tmp_path, monkeypatch, table_counts: Any
) -> None:
    world = create_world(uow)
    _settings(monkeypatch, app, spreadsheet_max_uncompressed_bytes=100)
    path = _meters(tmp_path / "big.csv", world.site_a, 3)
    size = path.stat().st_size
    read_bytes = Path.read_bytes

    def not_this_one(self: Path) -> bytes:
        assert self != path, "the file was read"
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", not_this_one)
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["retire", "reconcile", str(world.org_a), str(path)])
    assert result.exit_code == 1
    assert (
        f"file_too_large: 'big.csv' is {size:,} bytes; the limit is 100 bytes "
        f'{{"limit": "uncompressed_bytes", "maximum": 100, "found": {size}}}'
    ) in result.output
    assert table_counts() == before
