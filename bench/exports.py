"""Benchmark: writing a holdings-shaped table of many rows as XLSX and as CSV
(neutrality.workbooks), the rows made as they are written, as the export use cases hand them.

No target in an issue; printed so a regression shows. The XLSX workbook is written in openpyxl's
write-only mode: the memory the writer holds does not grow with the rows (tracemalloc's peak is
printed for a tenth of the rows and for all of them).

    .venv/bin/python bench/exports.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from common import peak_mib

from neutrality.workbooks import About, Column, Kind, Table, Words, write

COLUMNS = (
    Column("scheme", Words("Scheme", "类型", "類型")),
    Column("vintage", Words("Vintage", "年份", "年份"), Kind.INTEGER),
    Column("project", Words("Project", "项目", "專案"), Kind.INTEGER),
    Column("account", Words("Account", "账户", "帳戶")),
    Column("unit", Words("Unit", "单位", "單位")),
    Column("quantity", Words("Quantity", "数量", "數量"), Kind.INTEGER),
    Column("blocks", Words("Serial blocks", "序列号段", "序號段"), Kind.INTEGER),
    Column("cost_USD", Words("Cost USD", "成本 USD", "成本 USD"), Kind.DECIMAL, 2),
)


def _rows(n: int) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        yield ("VCU", 2018 + i % 7, i + 1, f"账户 {i % 13}", "tCO2e", 1_000 + i, 1 + i % 3,
               Decimal(1_000 + i) * Decimal("6.50"))


def _table(n: int) -> Table:
    return Table(Words("Holdings", "持有量", "持有量"), COLUMNS, _rows(n),
                 About(Words("Holdings", "持有量", "持有量"), "Bench", "", dt.date(2026, 12, 5)))


def _write(n: int, file_format: str) -> tuple[float, int]:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        write(_table(n), "zh_Hans", file_format, out)
        return time.perf_counter() - started, out.tell()


def _traced_peak(n: int, file_format: str) -> int:
    tracemalloc.start()
    try:
        _write(n, file_format)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    for file_format in ("xlsx", "csv"):
        seconds, size = _write(args.rows, file_format)
        print(f"{file_format}: {args.rows:,} rows in {seconds:.2f} s "
              f"({seconds / max(args.rows, 1) * 1e6:.0f} µs a row), {size / 2**20:.1f} MiB")
    tenth = max(args.rows // 10, 1)
    small, large = _traced_peak(tenth, "xlsx"), _traced_peak(args.rows, "xlsx")
    print(f"xlsx writer's traced peak: {small / 2**20:.2f} MiB at {tenth:,} rows, "
          f"{large / 2**20:.2f} MiB at {args.rows:,} rows")
    print(f"peak memory {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
