"""The register of measures and the targets' progress from the command line, on the demo."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest


@pytest.fixture
def demo(app):  # type: ignore[no-untyped-def]
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0


def test_the_register_lists_the_demo_measures_ranked_with_their_expected_reductions(app, demo) -> None:
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["reductions", "measures", "1"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    # equal weights: the rooftop PV scores 4+5+4+5+4+3 = 25, the drives 5+3+5+3+3+2 = 21
    [pv] = [line for line in lines if "Rooftop PV" in line]
    assert pv.split()[0] == "1" and "1,100.00" in pv and pv.rstrip().endswith("25.000")
    data = json.loads(runner.invoke(args=["reductions", "measures", "1", "--json"]).output)
    assert [m["title_en"] for m in data["measures"]][0] == "Rooftop PV on the production halls"


def test_a_targets_progress_places_each_period_on_its_line(app, demo) -> None:
    runner = app.test_cli_runner()
    data = json.loads(runner.invoke(args=["reductions", "progress", "1", "1", "--json"]).output)
    [base, later] = data["periods"]
    # −42 % over 2024–2030, a straight line: 2025 allows the base × (1 − 0.42 / 6) = × 0.93
    assert Decimal(later["allowed"]) == Decimal(base["actual"]) * Decimal("0.93")
    assert later["on_track"] is (Decimal(later["actual"]) <= Decimal(later["allowed"]))
    table = runner.invoke(args=["reductions", "progress", "1", "1"])
    assert "target 1: absolute, scope 1+2, 2024→2030 −42%" in table.output
    missing = runner.invoke(args=["reductions", "progress", "1", "99"])
    assert missing.exit_code != 0 and "target 99 not found in organisation 1" in missing.output
