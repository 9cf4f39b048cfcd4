"""Benchmark: import 1,000,000 serial blocks, then check new blocks for overlap against them.

Targets on a 2-core machine, SQLite and PostgreSQL: the import of 1,000,000 blocks ≤ 60 s; the
overlap check of one new block against all of them ≤ 5 ms (from an index, not a scan).

The blocks arrive as a Verra transactions export (the registry's own layout), 1,000 projects ×
1,000 issued blocks each.

    .venv/bin/python bench/registry.py                     # SQLite in a temporary folder
    .venv/bin/python bench/registry.py --blocks 100000
    .venv/bin/python bench/registry.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import time

from common import ADMIN, create_organisation, empty_database, peak_mib
from sqlalchemy import text

from neutrality.registry import held_blocks, importing
from neutrality.registry.model import Block
from neutrality.sheet_limits import REGISTRY_FILE_LIMITS

HEADER = (
    "Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,Project Type,"
    "Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
    "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details\n"
)
SIZE = 1_000  # units per block


def generate(blocks: int, projects: int) -> bytes:
    """A Verra export: per project one issuance (2022 vintage) cut into blocks of 1,000 units."""
    out = io.StringIO()
    out.write(HEADER)
    per_project = max(1, blocks // projects)
    serial = 100_000_000
    n = 0
    for p in range(projects):
        project = 10_000 + p
        for _ in range(per_project):
            start, end = serial + 1, serial + SIZE
            serial = end
            out.write(
                f"2026-04-01,,2022-01-01,2022-12-31,{project},Project {project},China,Energy industries,ACM0002,"
                f"\"{per_project * SIZE:,}\",\"{SIZE:,}\",{n + 1}-{start}-{end}-VCS-VCU-{project}-VER-CN-1-{project}"
                f"-01012022-31122022-0,,,,,\n"
            )
            n += 1
            if n >= blocks:
                return out.getvalue().encode()
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--checks", type=int, default=1_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with empty_database(args.database_url) as (url, _, uow):
        org_id = create_organisation(uow)

        data = generate(args.blocks, args.projects)
        print(f"backend: {url.split(':')[0]}  blocks: {args.blocks:,}  file: {len(data) / 2**20:.1f} MiB")
        started = time.perf_counter()
        outcome = importing.import_registry_file(
            uow(), ADMIN, org_id, data=data, filename="verra.csv", max_bytes=len(data) + 1,
            limits=REGISTRY_FILE_LIMITS, as_of=dt.date(2026, 11, 1), kind="verra_transactions")
        import_s = time.perf_counter() - started
        print(f"import:         {import_s:7.2f} s  ({outcome.blocks:,} blocks, "
              f"{outcome.blocks / import_s:,.0f} blocks/s)  target ≤ 60 s")

        # New blocks, half of them overlapping a held one, half in free ranges of the same issuances.
        rng = random.Random(20261121)
        timings = []
        found = 0
        with uow() as unit:
            keys = [key for (key,) in unit.session.execute(text(
                "SELECT DISTINCT issuance_key FROM serial_blocks LIMIT 1000"))]
            for i in range(args.checks):
                key = rng.choice(keys)
                start = rng.randrange(100_000_000, 100_000_000 + args.blocks * SIZE) if i % 2 else 50_000_000 + i * SIZE
                block = Block("VCU", key, start, start + SIZE - 1)
                t = time.perf_counter()
                clash = held_blocks.find_held_overlap(unit.session, org_id, block)
                timings.append((time.perf_counter() - t) * 1000)
                found += clash is not None
        timings.sort()
        print(f"overlap check:  median {statistics.median(timings):.3f} ms, "
              f"p99 {timings[int(len(timings) * 0.99) - 1]:.3f} ms over {len(timings):,} checks "
              f"({found} overlapping)  target ≤ 5 ms")
        print(f"peak memory:    {peak_mib():7.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
