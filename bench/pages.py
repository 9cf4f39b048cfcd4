"""Benchmark: the pages of an organisation under gunicorn on SQLite.

Targets on a 2-core machine (median of the runs, beside /healthz measured in the same run):

1. the dashboard of an organisation with 2 factories and 10 periods: ≤ 100 ms;
2. the holdings page of an organisation holding 200,000 blocks: ≤ 100 ms;
3. its blocks page searched by a serial number (one of the demo's Verra blocks): ≤ 100 ms.

The organisation is the demo's (2 factories, each with a verified 2024 and a draft 2025
inventory, instruments bought and retired), with further periods generated so that there are
10 (the later ones without an inventory), and held VCU blocks bulk-inserted up to ``--held``
(as bench/rules.py fills them). The lead signs in through the sign-in form, as a browser does.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --held 20000 --runs 5
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ADMIN, peak_mib
from concurrency import Client, server
from sqlalchemy import select

from neutrality import migrate
from neutrality.commitments import services as commitments
from neutrality.commitments.tables import Commitment
from neutrality.db import Database
from neutrality.demo import load_demo
from neutrality.organisations.tables import Organisation
from neutrality.registry.tables import InstrumentProject, SerialBlock
from neutrality.uow import UnitOfWork
from rules import fill_held


def prepare(url: str, held: int, periods: int) -> tuple[int, str]:
    """The demo, its commitments given ``periods`` periods in all, and ``held`` held blocks; the
    organisation and the serial of one of its held Verra blocks."""
    migrate.upgrade(url)
    database = Database(url)
    make_uow: Callable[[], UnitOfWork] = lambda: UnitOfWork(database.session_factory)  # noqa: E731
    load_demo(make_uow, ADMIN)
    with make_uow() as unit:
        org = unit.session.scalar(select(Organisation.id).order_by(Organisation.id))
        commitment_ids = list(unit.session.scalars(select(Commitment.id).where(Commitment.organisation_id == org)))
        projects = list(unit.session.scalars(select(InstrumentProject.id).where(
            InstrumentProject.organisation_id == org, InstrumentProject.source_registry.ilike("%verra%"))))
        serial = unit.session.scalar(select(SerialBlock.raw_serial).where(
            SerialBlock.organisation_id == org, SerialBlock.scheme == "VCU", SerialBlock.status == "held",
            SerialBlock.raw_serial.contains("-VCS-")).order_by(SerialBlock.id))
    per_commitment = periods // len(commitment_ids)
    for commitment_id in commitment_ids:
        have = len(commitments.list_periods(make_uow(), ADMIN, org, commitment_id))
        if per_commitment > have:
            commitments.generate(make_uow(), ADMIN, org, commitment_id, count=per_commitment - have)
    if held:
        fill_held(make_uow(), org, projects or [1], held)
    database.dispose()
    return org, serial or ""


def sign_in(client: Client) -> None:
    page = client.get("/login")[1].decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"email": "lead@demo.neutrality.test", "password": "lead-demo-pass",
                                   "csrf_token": token}).encode()
    status, _ = client.request("POST", "/login", body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise SystemExit(f"signing in answered {status}")


def timed(client: Client, path: str, runs: int) -> tuple[float, int, int]:
    """Median milliseconds of ``runs`` GETs after one warm-up, the status and the page's size."""
    status, body = client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status, body = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), status, len(body)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--held", type=int, default=200_000, help="held blocks the holdings page groups")
    parser.add_argument("--periods", type=int, default=10, help="periods of the organisation in all")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pages.db'}"
        started = time.perf_counter()
        org, serial = prepare(url, args.held, args.periods)
        print(f"backend: sqlite  periods: {args.periods}  held blocks added: {args.held:,}  "
              f"(prepared in {time.perf_counter() - started:.1f} s)")
        with server(url, ["--workers", "2"], 20 * 2**20, Path(tmp) / "gunicorn.log", time.monotonic() + 120) as port:
            client = Client(port)
            sign_in(client)
            figures: dict[str, Any] = {}
            for name, path in (("healthz", "/healthz"), ("dashboard", f"/organisations/{org}"),
                               ("holdings", f"/organisations/{org}/holdings"),
                               ("blocks", f"/organisations/{org}/blocks?" + urllib.parse.urlencode({"serial": serial}))):
                figures[name] = timed(client, path, args.runs)
            health = figures["healthz"][0]
            for name, target in (("dashboard", 100), ("holdings", 100), ("blocks", 100)):
                median, status, size = figures[name]
                print(f"{name + ':':<12} median {median:7.1f} ms  (status {status}, {size:,} bytes; /healthz "
                      f"{health:.1f} ms in the same run)  target ≤ {target} ms")
    print(f"peak memory:       {peak_mib():7.0f} MiB (this process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
