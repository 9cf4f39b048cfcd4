"""Benchmark: the public declaration page under load, beside /healthz in the same run.

Targets on a 2-core machine, with wrk's 50 connections on loopback against gunicorn as
gunicorn.conf.py sets it up (the production server): the page serves ≥ 300 requests/s with a
median latency ≤ 20 ms, and ≥ 50 % of the requests/s of /healthz.

The database is the demo's, on SQLite, with Yancheng 2024's zero-carbon factory declaration
published (as ``neutrality demo load`` publishes it). Each address is loaded
``--rounds`` times, alternately, and the best round of each is kept: wrk shares the two cores
with the server, and a round that met a burst of the machine's other work says nothing of
the page.

    .venv/bin/python bench/declarations.py
    .venv/bin/python bench/declarations.py --seconds 5 --rounds 1
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ADMIN, peak_mib
from concurrency import server
from sqlalchemy import select

from neutrality import migrate
from neutrality.app import create_app
from neutrality.demo import load_demo
from neutrality.statements.tables import StatementVersion
from neutrality.uow import UnitOfWork

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def prepare(url: str, instance: Path) -> str:
    """The demo loaded, and the path of a published declaration's page."""
    migrate.upgrade(url)
    app = create_app({"database_url": url, "testing": True, "secret_key": "bench-" * 8,
                      "instance_path": str(instance)})
    database = app.extensions["neutrality.db"]

    def unit() -> UnitOfWork:
        return UnitOfWork(database.session_factory)

    with app.app_context():
        load_demo(unit, ADMIN, declare_at="http://127.0.0.1:5000")
        with database.session_factory() as session:
            published = session.scalar(select(StatementVersion).where(StatementVersion.published_at.is_not(None)))
            path = f"/declarations/{published.organisation_id}/{published.period_id}"
    database.dispose()
    return path + "?lang=zh_Hans"


def wrk(port: int, path: str, seconds: int, connections: int) -> tuple[float, float, int]:
    """Requests/s, median latency in ms, and non-2xx/3xx answers of one wrk run."""
    done = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [shutil.which("wrk") or "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True)
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out).groups()
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, float(value) * _UNITS[unit], int(errors.group(1)) if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each address, alternately")
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: bin/setup installs it (Debian package wrk)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        page = prepare(url, Path(tmp) / "prepare")
        print(f"demo loaded, declaration published: {time.perf_counter() - started:.1f} s; page {page}")
        results: dict[str, list[tuple[float, float, int]]] = {"/healthz": [], page: []}
        with server(url, [], 20 * 2**20, Path(tmp) / "gunicorn.log", time.monotonic() + 600) as port:
            for path in results:  # warm: the page rendered once, the workers' pools open
                wrk(port, path, 2, args.connections)
            for _ in range(args.rounds):
                for path in results:
                    results[path].append(wrk(port, path, args.seconds, args.connections))
    best = {path: max(runs) for path, runs in results.items()}
    health, declared = best["/healthz"], best[page]
    for name, (rate, median, errors) in (("/healthz", health), ("declaration page", declared)):
        print(f"{name:<18} {rate:8.0f} requests/s, median {median:6.2f} ms, {errors} errors "
              f"(best of {args.rounds} × {args.seconds} s, {args.connections} connections)")
    share = declared[0] / health[0] * 100
    print(f"declaration page: {declared[0]:.0f} requests/s (target ≥ 300), median {declared[1]:.2f} ms "
          f"(target ≤ 20), {share:.0f} % of /healthz (target ≥ 50 %)")
    print(f"peak memory: {peak_mib():.0f} MiB")
    return 0 if declared[2] == 0 and health[2] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
