"""Benchmark: readers while one user imports 300,000 activity rows, against a real server.

gunicorn (gunicorn.conf.py, on 127.0.0.1 only) is started on an empty migrated database; one
user uploads an activity file of ``--rows`` rows through the API while ``--readers`` clients read
pages and API lists for as long as the import lasts, and one more client adds a site now and then
(a write that has to wait for the import's write lock on SQLite). Prints the import's time, and
for the readers the requests, the errors (any answer but 200) and the median and p99 latency;
for the writer, its answers. The same readers' figures for a few seconds before the import show
what the machine gives them without it.

Target on a 2-core machine: readers 0 errors and p99 ≤ 100 ms, on SQLite and on PostgreSQL.

Each reader pauses ``--pause`` seconds between requests, as a person or a polling script does
(0 makes 20 clients a load test of the machine, which the import shares, instead). The file
is larger than the default upload limit (20 MiB for 300,000 rows of this mix), so the server
is started with NEUTRALITY_MAX_UPLOAD_BYTES raised to fit it; API-token rate limits are raised
likewise (every client calls from 127.0.0.1).

    .venv/bin/python bench/concurrency.py                     # SQLite in a temporary folder
    .venv/bin/python bench/concurrency.py --rows 50000 --readers 5
    .venv/bin/python bench/concurrency.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

(The PostgreSQL database's public schema is dropped first: give one of its own, not the test
suite's.) The server is stopped at the end, and at the latest after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from common import ADMIN, create_organisation, empty_database
from inventory import generate

from neutrality.access.model import Role
from neutrality.accounts import services as accounts
from neutrality.commitments import services as commitments
from neutrality.inventory import services as inventory
from neutrality.organisations import services as organisations
from neutrality.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench reader password"  # noqa: S105 - a throwaway account of a throwaway database
#: How long the server may take to answer its first request.
START_SECONDS = 60


@dataclass
class World:
    org: int
    inventory: int
    importer_token: str
    writer_token: str
    readers: list[tuple[str, str | None]]  # (e-mail, API token or None to sign in as a browser)


@dataclass
class Timings:
    kinds: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, seconds: float, status: int | str) -> None:
        self.kinds.setdefault(kind, []).append(seconds)
        if status != 200:
            key = f"{kind}: {status}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def all(self) -> list[float]:
        return [t for times in self.kinds.values() for t in times]


def build_world(uow, readers: int, sites: int) -> World:  # noqa: ANN001 - bench/common's factory
    org = create_organisation(uow)
    site_rows = [organisations.create_site(uow(), ADMIN, org, {
        "name": f"Site {i:03d}", "country": "CN", "region": "CN-JS", "address": "x"}) for i in range(sites)]
    subject = organisations.create_subject(uow(), ADMIN, org, {
        "name": "All sites", "kind": "organisation", "site_ids": [s.id for s in site_rows]})
    commitment = commitments.create_commitment(uow(), ADMIN, org, {
        "subject_id": subject.id, "standard": "iso_14068_1_2023", "statement": "x",
        "baseline_date": dt.date(2024, 1, 1), "first_qualification_date": dt.date(2025, 1, 1),
        "period_length_months": 12})
    period = commitments.generate(uow(), ADMIN, org, commitment.id, count=1)[0]
    for key, unit, value in (("steel", "t", "1.9"), ("road_freight", "t·km", "0.0538")):
        inventory.add_organisation_factor(uow(), ADMIN, org, {
            "key": key, "name": key, "kind": "generic", "per_unit": unit, "mass_unit": "t" if unit == "t" else "kg",
            "gases": {"CO2e": Decimal(value)}, "source": "bench", "publisher": "bench", "year": 2024,
            "geography": "CN"}, evidence=b"bench", evidence_filename="bench.txt")
    created = inventory.create_inventory(uow(), ADMIN, org, period_id=period.id)

    def member(name: str, role: Role) -> tuple[str, str]:
        email = f"{name}@bench.test"
        user = accounts.create_user(uow(), ADMIN, email=email, display_name=name, password=PASSWORD)
        accounts.add_member(uow(), ADMIN, org, email=email, role=role)
        _, plain = accounts.create_token(uow(), accounts.load_actor(uow(), user.id), name="bench")
        return email, plain

    _, importer = member("importer", Role.LEAD)
    _, writer = member("writer", Role.LEAD)
    clients = []
    for n in range(readers):
        email, token = member(f"reader{n}", Role.VIEWER)
        # half the readers call with an API token, half sign in and browse with a session cookie
        clients.append((email, token if n % 2 == 0 else None))
    return World(org, created.id, importer, writer, clients)


class Client:
    """One HTTP/1.1 connection kept alive, with the cookies the server sets (the standard library
    only: a reader is a thread with a connection of its own)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.headers: dict[str, str] = {}
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed a kept-alive connection (its keep-alive time, a worker
                # replaced after max_requests): open another and send again, as a browser does
                self.connection.close()
                self.connection = None
                if reused and attempt == 1:
                    continue
                raise
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return response.status, content
        raise AssertionError("unreachable")

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, value: object) -> tuple[int, bytes]:
        return self.request("POST", path, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def post_file(self, path: str, field_name: str, filename: str, data: bytes) -> tuple[int, bytes]:
        boundary = secrets.token_hex(16)
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
                "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(url: str, options: list[str], upload_bytes: int, log: Path, deadline: float) -> Iterator[int]:
    """gunicorn serving the application on a free loopback port (given), stopped on the way out."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEUTRALITY_")}
    instance = log.parent / "instance"
    environ.update({
        "NEUTRALITY_DATABASE_URL": url, "NEUTRALITY_SECRET_KEY": secrets.token_hex(32),
        "NEUTRALITY_INSTANCE_PATH": str(instance), "NEUTRALITY_MAX_UPLOAD_BYTES": str(upload_bytes),
    })
    names = {f.upper() for f in Settings.__dataclass_fields__}
    for name in ("TOKEN_LIMIT_PER_ACCOUNT", "TOKEN_LIMIT_PER_ADDRESS"):
        if name in names:  # every client calls from 127.0.0.1
            environ[f"NEUTRALITY_{name}"] = "1000000 per minute"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", *options]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        started = time.monotonic()
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {process.returncode}):\n{log.read_text()[-3000:]}")
            if time.monotonic() - started > min(START_SECONDS, deadline - time.monotonic()):
                raise SystemExit(f"gunicorn did not answer within {START_SECONDS} s:\n{log.read_text()[-3000:]}")
            try:
                if Client(port, timeout=2).get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield port
    finally:
        print(f"server peak memory:        {server_peak_mib(process.pid):6.0f} MiB (largest process)")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_peak_mib(master: int) -> float:
    """The largest peak resident size among gunicorn's master and its workers (Linux /proc)."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == master or fields.get("PPid", "").strip() == str(master):
            peaks.append(int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
    return max(peaks, default=0.0)


def csrf(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


#: What a reader is doing, in a value all reader processes share: not counted yet, measuring
#: the machine without an import, measuring during the import, or stopping.
WARM_UP, BASELINE, IMPORTING, STOPPING = range(4)


def reader(port: int, world: World, who: tuple[str, str | None], phase: Any, pause: float,
           results: Any, deadline: float) -> None:
    """One reader, in a process of its own: in one process the readers' threads would wait for
    each other's turn at the interpreter, and that wait would be measured as the server's."""
    measured: list[tuple[int, str, float, int | str]] = []
    try:
        email, token = who
        client = Client(port)
        api = f"/api/v1/organisations/{world.org}"
        reads = [
            ("health", "/healthz"),
            ("api me", "/api/v1/me"),
            ("api organisations", "/api/v1/organisations"),
            ("api sites", f"{api}/sites"),
            ("api activities", f"{api}/inventories/{world.inventory}/activities?per_page=50"),
            ("api imports", f"{api}/inventories/{world.inventory}/imports"),
        ]
        if token:
            client.headers["Authorization"] = f"Bearer {token}"
        else:
            _, page = client.get("/login")
            status, _ = client.post_form("/login", {"email": email, "password": PASSWORD,
                                                    "csrf_token": csrf(page.decode())})
            if status != 302:
                raise SystemExit(f"{email} could not sign in: {status}")
            reads += [("page home", "/"), ("page organisation", f"/organisations/{world.org}")]
        n = 0
        while (now := phase.value) != STOPPING and time.monotonic() < deadline:
            kind, path = reads[n % len(reads)]
            n += 1
            started = time.perf_counter()
            try:
                status: int | str = client.get(path)[0]
            except OSError as exc:
                status = type(exc).__name__
            measured.append((now, kind, time.perf_counter() - started, status))
            time.sleep(pause)
    finally:
        results.put(measured)  # what it measured, even if it could not go on


def writer(port: int, world: World, stop: threading.Event, every: float, answers: list[tuple[int | str, float]],
           deadline: float) -> None:
    """Adds a site every ``every`` seconds while the import runs: a write that waits for it."""
    client = Client(port, timeout=60)
    client.headers["Authorization"] = f"Bearer {world.writer_token}"
    n = 0
    while not stop.wait(every) and time.monotonic() < deadline:
        n += 1
        started = time.perf_counter()
        try:
            status: int | str = client.post_json(f"/api/v1/organisations/{world.org}/sites", {
                "name": f"Added {n}", "country": "CN", "region": "CN-JS", "address": "x"})[0]
        except OSError as exc:
            status = type(exc).__name__
        answers.append((status, time.perf_counter() - started))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds a reader waits between requests")
    parser.add_argument("--write-every", type=float, default=1.0, help="seconds between the writer's requests")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds of reading before anything counts")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of reading measured before the import")
    parser.add_argument("--max-seconds", type=float, default=600, help="the whole run stops after this")
    parser.add_argument("--database-url", default=None)
    # gunicorn.conf.py's values unless given
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--worker-class", default=None)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    deadline = time.monotonic() + args.max_seconds
    options = [*(["--workers", str(args.workers)] if args.workers else []),
               *(["--threads", str(args.threads)] if args.threads else []),
               *(["--worker-class", args.worker_class] if args.worker_class else [])]
    with empty_database(args.database_url) as (url, database, uow):
        world = build_world(uow, args.readers, args.sites)
        database.dispose()  # the server has its own connections
        data = generate(args.rows, [f"Site {i:03d}" for i in range(args.sites)])
        print(f"backend: {url.split(':')[0]}  rows: {args.rows:,}  file: {len(data) / 2**20:.1f} MiB  "
              f"readers: {args.readers} (pause {args.pause * 1000:.0f} ms)  "
              f"gunicorn: {' '.join(options) or 'gunicorn.conf.py'}")
        with tempfile.TemporaryDirectory() as tmp, \
                server(url, options, len(data) + (1 << 20), Path(tmp) / "gunicorn.log", deadline) as port:
            return run(port, world, data, args, deadline)


def run(port: int, world: World, data: bytes, args: argparse.Namespace, deadline: float) -> int:
    context = multiprocessing.get_context("fork")
    phase, results = context.Value("i", WARM_UP), context.Queue()
    readers = [context.Process(target=reader, args=(port, world, who, phase, args.pause, results, deadline))
               for who in world.readers]
    stop, writes = threading.Event(), []
    writing = threading.Thread(target=writer, args=(port, world, stop, args.write_every, writes, deadline))
    for process in readers:
        process.start()
    # the readers sign in, and every worker answers some requests, before anything counts; then
    # the same reading without an import, for comparison on the same machine at the same time
    time.sleep(args.warm_up)
    phase.value = BASELINE
    time.sleep(args.baseline)
    phase.value = IMPORTING
    writing.start()
    started = time.perf_counter()
    importer = Client(port, timeout=max(1.0, deadline - time.monotonic()))
    importer.headers["Authorization"] = f"Bearer {world.importer_token}"
    status, body = importer.post_file(f"/api/v1/organisations/{world.org}/inventories/{world.inventory}/imports",
                                      "file", "activities.csv", data)
    import_s = time.perf_counter() - started
    phase.value = STOPPING  # the requests still in flight when the import answers count too
    stop.set()
    measured = [item for _ in readers for item in results.get(timeout=60)]
    for process in readers:
        process.join(timeout=60)
    writing.join(timeout=60)
    before, timings = Timings(), Timings()
    for when, kind, seconds, answered in measured:
        if when == BASELINE:
            before.add(kind, seconds, answered)
        elif when == IMPORTING:
            timings.add(kind, seconds, answered)

    answer = json.loads(body)
    print(f"import through HTTP:       {import_s:6.2f} s  ({status} {answer.get('status')}, "
          f"{answer.get('row_count', 0):,} rows)")
    if baseline := before.all():
        print(f"readers, no import:        {len(baseline):6d} requests, {sum(before.errors.values())} errors  "
              f"median {statistics.median(baseline) * 1000:5.1f} ms  "
              f"p99 {percentile(baseline, 0.99) * 1000:5.1f} ms  "
              f"(the {args.baseline:g} s before it)")
    latencies = timings.all()
    print(f"readers' requests:         {len(latencies):6d}  (during the import)")
    print(f"readers' errors:           {sum(timings.errors.values()):6d}  target 0"
          + "".join(f"\n    {key}: {count}" for key, count in sorted(timings.errors.items())))
    if latencies:
        print(f"readers' latency:          median {statistics.median(latencies) * 1000:5.1f} ms  "
              f"p99 {percentile(latencies, 0.99) * 1000:5.1f} ms  max {max(latencies) * 1000:5.1f} ms  "
              "target p99 ≤ 100 ms")
    for kind, values in sorted(timings.kinds.items()):
        print(f"    {kind:<20} {len(values):6d} requests  median {statistics.median(values) * 1000:5.1f} ms  "
              f"p99 {percentile(values, 0.99) * 1000:5.1f} ms")
    statuses: dict[int | str, int] = {}
    for answered, _ in writes:
        statuses[answered] = statuses.get(answered, 0) + 1
    longest = f"  longest {max(seconds for _, seconds in writes):.2f} s" if writes else ""
    print(f"writer's answers:          {dict(sorted(statuses.items(), key=str))}{longest}")
    if status != 201:
        print(f"the import was refused: {answer}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
