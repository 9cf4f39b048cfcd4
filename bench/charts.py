"""Benchmark: one balance chart rendered as SVG, in English and in 简体 Chinese.

Target: ≤ 150 ms per chart (the median of 20 renders, after a first one that warms matplotlib's
font loading and glyph caches). Also printed, each in a fresh interpreter: what importing
neutrality.charts costs (matplotlib's import), and the first chart of a process whose matplotlib
has no font cache yet (MPLCONFIGDIR pointed at an empty folder: a server whose home cannot be
written rebuilds it on every start, which matplotlib warns of in its log).

    PYTHONPATH=$PWD .venv/bin/python bench/charts.py [--renders 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from neutrality.charts import BalanceSteps, balance_chart_svg

# the figures of tests/unit/test_charts.py: a surplus of 0.08 t
STEPS = BalanceSteps(Decimal("731.52"), Decimal("609.60"), Decimal("121.92"), Decimal(122))
TITLES = {"en": "Suzhou plant, 2025", "zh_Hans": "苏州工厂 2025 年度"}

FIRST_CHART = """
import time
started = time.perf_counter()
from decimal import Decimal
from neutrality.charts import BalanceSteps, balance_chart_svg
imported = time.perf_counter()
balance_chart_svg(BalanceSteps(Decimal("731.52"), Decimal("609.60"), Decimal("121.92"), Decimal(122)),
                  locale="zh_Hans", title="苏州工厂")
print(f"{(imported - started) * 1000:.0f} {(time.perf_counter() - imported) * 1000:.0f}")
"""


def _first_chart(config_dir: str | None) -> tuple[str, str]:
    env = dict(os.environ)
    if config_dir is not None:
        env["MPLCONFIGDIR"] = config_dir
    done = subprocess.run([sys.executable, "-c", FIRST_CHART], env=env, capture_output=True,  # noqa: S603
                          text=True, check=True)
    imported, drawn = done.stdout.split()
    return imported, drawn


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()

    failed = False
    for locale, title in TITLES.items():
        balance_chart_svg(STEPS, locale=locale, title=title)  # warm
        times = []
        for _ in range(args.renders):
            started = time.perf_counter()
            svg = balance_chart_svg(STEPS, locale=locale, title=title)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        failed |= median > 150
        print(f"{locale:8} median {median:6.1f} ms  (min {min(times):.1f}, max {max(times):.1f}) "
              f"over {args.renders} renders, {len(svg.encode()):,} bytes of SVG")

    imported, drawn = _first_chart(None)
    print(f"fresh process, font cache built: import {imported} ms, first chart {drawn} ms")
    with tempfile.TemporaryDirectory() as empty:
        imported, drawn = _first_chart(empty)
    print(f"fresh process, no font cache:    import {imported} ms (the cache built), first chart {drawn} ms")
    print("target ≤ 150 ms per chart:", "missed" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
