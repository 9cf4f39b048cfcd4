"""The benchmark scripts still run: each at a tiny size on SQLite, in a subprocess.

Benchmarks measure speed and are not run by the suite at full size (the figures go in the
notes); this only keeps them from rotting when the services they drive change shape. Nothing
here times anything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "args",
    [
        ["bench/inventory.py", "--rows", "2000", "--sites", "3"],
        ["bench/achieved.py", "--rows", "2000", "--sites", "3"],
        ["bench/registry.py", "--blocks", "2000", "--checks", "20"],
        ["bench/metering.py", "--invoices", "200"],
        ["bench/retirements.py", "--blocks", "2000", "--issuances", "20", "--retirements", "10",
         "--period-retirements", "100", "--balance-runs", "2"],
        ["bench/rules.py", "--retirements", "200", "--held", "2000", "--runs", "2"],
        ["bench/pages.py", "--held", "500", "--runs", "2"],
        ["bench/concurrency.py", "--rows", "2000", "--readers", "2", "--workers", "2", "--warm-up", "0.5",
         "--baseline", "0.5", "--max-seconds", "120"],
        ["bench/declarations.py", "--seconds", "1", "--rounds", "1", "--connections", "4"],
    ],
    ids=["inventory", "achieved", "registry", "metering", "retirements", "rules", "pages", "concurrency",
         "declarations"],
)
def test_a_benchmark_runs_to_its_figures(args: list[str]) -> None:
    # the arguments are the fixed lists above, not input
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == 0, done.stderr[-3000:]
    assert "peak memory" in done.stdout
