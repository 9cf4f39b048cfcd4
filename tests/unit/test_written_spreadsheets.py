"""What the application writes as CSV can never run as a formula in a spreadsheet program: every
cell goes through formula_safe (an apostrophe before text starting with =, +, -, @, a tab or a
carriage return; numbers left alone), the templates included."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

import neutrality
from neutrality.inventory.importing import template_csv as activity_template
from neutrality.inventory.model import ActivityType
from neutrality.registry.exports import TEMPLATE_KINDS
from neutrality.registry.exports import template_csv as registry_template
from neutrality.spreadsheets import csv_bytes, formula_safe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        # numbers stay numbers, also when written as text
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        (-12.5, -12.5),
        ("Boiler 1", "Boiler 1"),
        ("a=b", "a=b"),
    ],
)
def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    value: Any, written: Any
) -> None:
    assert formula_safe(value) == written


def test_csv_files_are_written_for_excel_with_every_cell_made_safe() -> None:
    assert csv_bytes([["source", "quantity"], ['=HYPERLINK("http://x")', -3]]) == (
        b'\xef\xbb\xbfsource,quantity\r\n"\'=HYPERLINK(""http://x"")",-3\r\n'
    )


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        *((activity_template, kind) for kind in ActivityType),
        *((registry_template, kind) for kind in TEMPLATE_KINDS),
    ],
)
def test_every_template_is_written_as_shipped_and_holds_no_formula(
    template: Any, kind: Any
) -> None:
    written = template(kind)
    cells = [cell for row in csv.reader(io.StringIO(written.decode("utf-8-sig"))) for cell in row]
    assert all(formula_safe(cell) == cell for cell in cells)
    folder = "inventory" if template is activity_template else "registry"
    shipped = (
        Path(neutrality.__file__).parent
        / folder
        / "templates"
        / f"{getattr(kind, 'value', kind)}.csv"
    )
    assert written == shipped.read_bytes()


def test_a_template_cell_that_would_run_as_a_formula_is_written_as_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from neutrality.inventory import importing

    class Shipped:
        def files(self, package: str) -> Shipped:
            return self

        def joinpath(self, *parts: str) -> Shipped:
            return self

        def read_text(self, encoding: str) -> str:
            return "site,source\r\n=cmd|' /C calc'!A0,Grid\r\n"

    monkeypatch.setattr(importing, "resources", Shipped())
    assert activity_template(ActivityType.ELECTRICITY) == (
        "\ufeffsite,source\r\n'=cmd|' /C calc'!A0,Grid\r\n".encode()
    )
