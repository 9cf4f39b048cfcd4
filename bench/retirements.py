"""Benchmark: retirements against a ledger of 1,000,000 retired blocks, the balance of a period
with 10,000 retirements, and (PostgreSQL) 100 racing retirement requests.

Targets on a 2-core machine:

1. one retirement through the real service (overlap probe of the retired ranges, split of the
   held block, ledger entry, guard range, two audit entries, commit), with 1,000,000 retired
   blocks in the database: median ≤ 20 ms (p99 printed), SQLite and PostgreSQL;
2. the balance of a period with 10,000 retirements and a small inventory (grid electricity at
   one site, so that the ledger, not the inventory calculation, is what is measured): ≤ 200 ms;
3. PostgreSQL only: 100 concurrent retirement requests, each with its own unit of work, some
   deliberately for units another request also asks for (the same block twice, or the same
   serials held by a second organisation): nothing fails but with the intended Conflict, no
   unit is retired twice (checked by SQL afterwards) and as many succeed as there are distinct
   targets.

The million retired blocks are bulk-inserted (serial_blocks, retirements, retired_ranges, as
the service would have left them), 1,000 Verra issuances × 1,000 retired ranges each; between
every two retired ranges lies a free gap of the same size, and the blocks retired in the timed
phases are added (through the service) into some of those gaps, so each overlap probe lands in
the middle of a populated index.

    .venv/bin/python bench/retirements.py                     # SQLite in a temporary folder
    .venv/bin/python bench/retirements.py --blocks 20000
    .venv/bin/python bench/retirements.py --evidence-kib 200    # real-sized certificates in the balanced period
    .venv/bin/python bench/retirements.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

(The PostgreSQL database's public schema is dropped first: give one of its own, not the test
suite's.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from common import ADMIN, create_organisation, empty_database, peak_mib
from sqlalchemy import text

from neutrality.bulk import insert_rows, sqlite_datetime
from neutrality.claims import services as claims
from neutrality.clock import utcnow
from neutrality.commitments import services as commitments
from neutrality.db import Database
from neutrality.errors import Conflict
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, projects, retirements
from neutrality.registry.serials import parse_serial
from neutrality.uow import UnitOfWork

SIZE = 100  # units per retired range, and per held block
RETIRE = 40  # units retired of each held block: the other 60 stay held, so every retirement splits
AS_OF = dt.date(2026, 11, 21)
RETIRED_ON = dt.date(2026, 3, 1)
EVIDENCE = b"%PDF-1.4 retirement certificate"
VINTAGE = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
FIRST_SERIAL = 100_000_001


# --- the serial layout -----------------------------------------------------------------------


class Layout:
    """Where every unit lies: ``issuances`` Verra issuances of ``projects`` projects; in each,
    ``per_issuance`` retired ranges of SIZE units, each followed by a free gap of SIZE units."""

    def __init__(self, blocks: int, issuances: int, projects: int):
        self.issuances = min(issuances, blocks)
        self.per_issuance = blocks // self.issuances
        self.blocks = self.per_issuance * self.issuances
        self.projects = min(projects, self.issuances)
        self.span = (2 * self.per_issuance + 2) * SIZE  # serials of one issuance

    def project(self, issuance: int) -> str:
        return str(3000 + issuance * self.projects // self.issuances)

    def slot_start(self, issuance: int, slot: int) -> int:
        """First serial of slot ``slot`` (even: a retired range, odd: a gap) of an issuance."""
        return FIRST_SERIAL + issuance * self.span + slot * SIZE

    def serial(self, block_no: int, issuance: int, start: int) -> str:
        """A 13-part Verra serial (VCS-02): block id, range, VCS, VCU, issuance, VER, country,
        sectoral scope, project, vintage, label flag."""
        return (f"{block_no}-{start}-{start + SIZE - 1}-VCS-VCU-{1000 + issuance}-VER-CN-1-"
                f"{self.project(issuance)}-01012022-31122022-0")

    def gaps(self, count: int, seed: int) -> list[tuple[int, int]]:
        """``count`` distinct free gaps (issuance, slot), spread at random over every issuance."""
        picks = random.Random(seed).sample(range(self.issuances * self.per_issuance), count)
        return [(p // self.per_issuance, 2 * (p % self.per_issuance) + 1) for p in picks]


# --- filling the ledger with a million retirements ---------------------------------------------


_BLOCK_COLUMNS = ("id", "organisation_id", "scheme", "project_id", "issuance_key", "serial_start", "serial_end",
                  "quantity", "vintage_start", "vintage_end", "status", "account", "raw_serial", "details",
                  "created_at", "created_by")
_BLOCK_PG_TYPES = ("int4", "int4", "varchar", "int4", "varchar", "int8", "int8", "int8", "date", "date",
                   "varchar", "varchar", "varchar", "json", "timestamptz", "varchar")
_RETIREMENT_COLUMNS = ("id", "organisation_id", "period_id", "subject_id", "kind", "block_id", "scheme",
                       "issuance_key", "serial_start", "serial_end", "quantity", "unit",
                       "beneficiary_organisation_id", "beneficiary_text", "purpose", "reason", "retired_on",
                       "registry_reference", "registry_link", "evidence_filename", "evidence_sha256", "evidence",
                       "created_at", "created_by")
_RETIREMENT_PG_TYPES = ("int4", "int4", "int4", "int4", "varchar", "int4", "varchar", "varchar", "int8", "int8",
                        "int8", "varchar", "int4", "varchar", "text", "text", "date", "varchar", "varchar",
                        "varchar", "varchar", "bytea", "timestamptz", "varchar")
_RANGE_COLUMNS = ("id", "retirement_id", "scheme", "issuance_key", "serial_start", "serial_end")
_RANGE_PG_TYPES = ("int4", "int4", "varchar", "varchar", "int8", "int8")


def fill_ledger(
    uow: UnitOfWork, layout: Layout, org_id: int, subject_id: int, project_ids: dict[str, int],
    period_of: Callable[[int], int], evidence_of: dict[int, bytes],
) -> dict[str, float]:
    """Insert ``layout.blocks`` retired blocks with their ledger entries and guard ranges, as
    :func:`neutrality.registry.retirements.retire` would have left them (bar the audit entries).
    A retirement of period p keeps ``evidence_of[p]`` as its certificate, or else EVIDENCE.

    The million-fold service call would take hours; :func:`neutrality.bulk.insert_rows` (binary
    COPY, or one executemany) takes seconds. Ids are given explicitly, so each retirement can
    name its block and each range its retirement without reading anything back.
    """
    # The issuance key exactly as the parser computes it, one parse per issuance.
    keys = [parse_serial("VCU", layout.serial(1, i, layout.slot_start(i, 0))).issuance_key
            for i in range(layout.issuances)]
    now = utcnow()
    certificates = {period: (evidence, hashlib.sha256(evidence).hexdigest())
                    for period, evidence in evidence_of.items()}
    certificate = (EVIDENCE, hashlib.sha256(EVIDENCE).hexdigest())
    with uow:
        session = uow.session
        first = {table: session.scalar(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))  # noqa: S608
                 for table in ("serial_blocks", "retirements", "retired_ranges")}

        def ranges() -> Iterator[tuple[int, int, int, int]]:
            """(n, issuance, start, end) of every retired range, n counting from 0."""
            n = 0
            for i in range(layout.issuances):
                for j in range(layout.per_issuance):
                    start = layout.slot_start(i, 2 * j)
                    yield n, i, start, start + SIZE - 1
                    n += 1

        def blocks(dialect: str) -> Iterable[tuple[Any, ...]]:
            sqlite = dialect == "sqlite"
            created = sqlite_datetime(now) if sqlite else now
            vintage = tuple(d.isoformat() for d in VINTAGE) if sqlite else VINTAGE
            for n, i, start, end in ranges():
                details = {"block_id": str(n + 1), "program": "VCS", "unit_type": "VCU",
                           "issuance": str(1000 + i), "sectoral_scope": "1", "label_flag": "0"}
                yield (first["serial_blocks"] + n, org_id, "VCU", project_ids[layout.project(i)], keys[i], start,
                       end, SIZE, *vintage, "retired", "Main", layout.serial(n + 1, i, start),
                       json.dumps(details) if sqlite else details, created, "bench")

        def entries(dialect: str) -> Iterable[tuple[Any, ...]]:
            sqlite = dialect == "sqlite"
            created = sqlite_datetime(now) if sqlite else now
            retired_on = RETIRED_ON.isoformat() if sqlite else RETIRED_ON
            for n, i, start, end in ranges():
                period = period_of(n)
                evidence, sha256 = certificates.get(period, certificate)
                yield (first["retirements"] + n, org_id, period, subject_id, "retirement",
                       first["serial_blocks"] + n, "VCU", keys[i], start, end, SIZE, "tCO2e", org_id, "Bench Co.",
                       "Carbon neutrality of the factory", "", retired_on, f"VCS-BULK-{n}", "", "certificate.pdf",
                       sha256, evidence, created, "bench")

        def guards(dialect: str) -> Iterable[tuple[Any, ...]]:
            for n, i, start, end in ranges():
                yield first["retired_ranges"] + n, first["retirements"] + n, "VCU", keys[i], start, end

        seconds = {}
        for table, columns, rows_for, pg_types in (
            ("serial_blocks", _BLOCK_COLUMNS, blocks, _BLOCK_PG_TYPES),
            ("retirements", _RETIREMENT_COLUMNS, entries, _RETIREMENT_PG_TYPES),
            ("retired_ranges", _RANGE_COLUMNS, guards, _RANGE_PG_TYPES),
        ):
            started = time.perf_counter()
            insert_rows(session, table, columns, rows_for, pg_types)
            seconds[table] = time.perf_counter() - started
        if session.get_bind().dialect.name == "postgresql":
            # COPY with explicit ids leaves the id sequences behind: move them past the rows, or
            # the service's next insert would take an id already used.
            for table in first:
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))  # noqa: S608
            # Autovacuum would analyse three freshly loaded tables within a minute or so; analyse
            # now, so that the plans measured are the ones a running server settles on.
            for table in first:
                session.execute(text(f"ANALYZE {table}"))
        uow.commit()
    return seconds


# --- the organisations ---------------------------------------------------------------------------


def rival_organisation(make_uow: Callable[[], UnitOfWork]) -> int:
    return organisations.create_organisation(make_uow(), ADMIN, {
        "name": "Rival", "legal_name": "Rival Co.", "nature_of_enterprise": "private",
        "legal_representative": "R", "registered_address": "x", "production_address": "x",
        "industry_category": "x", "contact_person": "x", "country": "CN",
        "consolidation_approach": "operational_control", "consolidation_justification": "x"}).id


def holder(make_uow: Callable[[], UnitOfWork], layout: Layout, org_id: int, periods: int,
           legal_name: str = "Bench Co.") -> dict[str, Any]:
    """The organisation with one factory (site and subject), a commitment with ``periods`` yearly
    periods (the first is 2024), and a Verra project record for every project of the layout;
    its retirements name it (``legal_name``) as their beneficiary, as the claim's rules ask."""
    site = organisations.create_site(make_uow(), ADMIN, org_id, {
        "name": "Factory", "country": "CN", "region": "CN-JS", "address": "x"})
    subject = organisations.create_subject(make_uow(), ADMIN, org_id, {
        "name": "Factory", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(make_uow(), ADMIN, org_id, {
        "subject_id": subject.id, "standard": "iso_14068_1_2023", "statement": "x",
        "baseline_date": dt.date(2024, 1, 1), "first_qualification_date": dt.date(2025, 1, 1),
        "period_length_months": 12})
    generated = commitments.generate(make_uow(), ADMIN, org_id, commitment.id, count=periods)
    project_ids = {}
    for p in sorted({layout.project(i) for i in range(layout.issuances)}):
        project_ids[p] = projects.create_project(make_uow(), ADMIN, org_id, {
            "kind": "carbon_credit", "source_registry": "verra", "registry_project_id": p,
            "name": f"Project {p}", "country": "CN", "methodology": "ACM0002", "mitigation": "avoidance"}).id
    return {"org": org_id, "beneficiary": legal_name, "site": site.id, "subject": subject.id,
            "periods": [p.id for p in generated],
            "first_year": generated[0].start_date.year, "projects": project_ids}


def add_held(make_uow: Callable[[], UnitOfWork], layout: Layout, who: dict[str, Any],
             gaps: list[tuple[int, int]], block_no: int) -> list[int]:
    """Blocks held by ``who`` in the given gaps, added through the service (as typed in from a
    registry statement)."""
    ids = []
    for n, (issuance, slot) in enumerate(gaps):
        ids.append(held_blocks.add_block(make_uow(), ADMIN, who["org"], {
            "scheme": "VCU", "serial": layout.serial(block_no + n, issuance, layout.slot_start(issuance, slot)),
            "quantity": SIZE, "project_id": who["projects"][layout.project(issuance)], "account": "Main"},
            as_of=AS_OF).id)
    return ids


def retire(make_uow: Callable[[], UnitOfWork], who: dict[str, Any], period_id: int, block_id: int,
           reference: str) -> None:
    """The first RETIRE units of a held block, through the service."""
    retirements.retire(make_uow(), ADMIN, who["org"], {
        "period_id": period_id, "block_id": block_id, "quantity": RETIRE, "beneficiary_text": who["beneficiary"],
        "purpose": "Carbon neutrality of the factory", "reason": "", "retired_on": RETIRED_ON,
        "registry_reference": reference, "registry_link": ""},
        evidence=EVIDENCE, evidence_filename="certificate.pdf", as_of=AS_OF)


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, max(0, round(len(sorted_values) * p) - 1))]


# --- 3. racing requests (PostgreSQL) ---------------------------------------------------------------


def race_targets(requests: int) -> int:
    return requests * 3 // 5


def race(layout: Layout, database: Database, make_uow: Callable[[], UnitOfWork], a: dict[str, Any],
         b: dict[str, Any], requests: int, gaps: list[tuple[int, int]]) -> None:
    """``requests`` retirements at once: 60 % for distinct targets (the ``gaps``), 20 % for the
    same block again (refused under the organisation's holdings lock), 20 % by a second
    organisation for the same serials, which it also holds (only the exclusion constraint on
    retired ranges stands between those two: holdings locks are per organisation). Which guard
    refuses a cross-organisation duplicate depends on timing: the probe if the other's retirement
    has committed, the exclusion constraint if it is still in flight."""
    distinct = race_targets(requests)
    same_block = (requests - distinct) // 2
    other_org = requests - distinct - same_block
    a_blocks = add_held(make_uow, layout, a, gaps, block_no=3_000_000)
    b_blocks = add_held(make_uow, layout, b, gaps[same_block:same_block + other_org], block_no=4_000_000)
    # The service stores B's entry of serials A holds as a contest (both blocks frozen); made held
    # behind its back, as blocks stored before contests existed or a bug could leave them, so
    # that the ledger's own guards, not the contest, are what the race measures.
    with make_uow() as unit:
        unit.session.execute(text("DELETE FROM serial_contests"))
        unit.session.execute(text("UPDATE serial_blocks SET status = 'held' WHERE status = 'contested'"))
        unit.commit()
    jobs = ([(a, a["periods"][2], block) for block in a_blocks]
            + [(a, a["periods"][2], block) for block in a_blocks[:same_block]]
            + [(b, b["periods"][1], block) for block in b_blocks])
    random.Random(3).shuffle(jobs)

    # One connection per request, all open at once; the server allows max_connections in all
    # (superusers may take the reserved ones), so take what is free if some are used elsewhere.
    with make_uow() as unit:
        free = unit.session.scalar(text(
            "SELECT current_setting('max_connections')::int - count(*) + 1 FROM pg_stat_activity "
            "WHERE backend_type = 'client backend'"))
    database.dispose()  # the main pool's idle connections count against max_connections too
    pool = min(len(jobs), free)
    racing = Database(database.url, pool_size=pool, max_overflow=0, pool_timeout=300)
    outcomes: list[str] = [""] * len(jobs)
    errors: list[str] = []
    refused_by: dict[str, int] = {}  # which guard said no
    barrier = threading.Barrier(len(jobs) + 1)

    def request(index: int, who: dict[str, Any], period_id: int, block_id: int) -> None:
        barrier.wait()
        try:
            retire(lambda: UnitOfWork(racing.session_factory), who, period_id, block_id, f"RACE-{index}")
            outcomes[index] = "succeeded"
        except Conflict as conflict:
            outcomes[index] = "conflict"
            if "constraint" in conflict.details:
                guard = f"constraint {conflict.details['constraint']}"
            elif conflict.details.get("block_id") == ["already retired"]:
                guard = "retired-range probe"
            else:
                guard = "block no longer held"
            refused_by[guard] = refused_by.get(guard, 0) + 1
        except Exception as error:  # noqa: BLE001 - counted and shown: the target is none of these
            outcomes[index] = "other"
            errors.append(repr(error)[:300])

    threads = [threading.Thread(target=request, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    wall_s = time.perf_counter() - started
    racing.dispose()

    succeeded, conflicts, other = (outcomes.count(o) for o in ("succeeded", "conflict", "other"))
    with make_uow() as unit:
        session = unit.session
        # No unit retired twice, anywhere in the ledger: within each issuance, ordered by start,
        # no range begins before the previous one ends.
        overlapping = session.scalar(text(
            "SELECT count(*) FROM (SELECT serial_start, lag(serial_end) OVER (PARTITION BY scheme, issuance_key "
            "ORDER BY serial_start) AS previous_end FROM retired_ranges) AS r WHERE previous_end >= serial_start"))
        stored, stored_targets = session.execute(text(
            "SELECT count(*), count(DISTINCT (r.issuance_key, r.serial_start)) FROM retirements e "
            "JOIN retired_ranges r ON r.retirement_id = e.id WHERE e.registry_reference LIKE 'RACE-%'")).one()
    ok = other == 0 and overlapping == 0 and succeeded == distinct == stored == stored_targets
    print(f"3. concurrency:    {len(jobs)} requests on {pool} connections, {distinct} distinct targets: "
          f"{succeeded} succeeded, {conflicts} conflicts, {other} other errors in {wall_s:.2f} s wall")
    print(f"                   by SQL: {overlapping} overlapping retired ranges, {stored} race retirements "
          f"stored over {stored_targets} distinct ranges  {'OK' if ok else 'FAILED'}  "
          "target: no error but Conflict, no unit twice, successes = distinct targets")
    print("                   conflicts from: " + ", ".join(f"{n} {guard}" for guard, n in sorted(refused_by.items())))
    for error in errors[:5]:
        print(f"                   other error: {error}")


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=1_000_000, help="retired blocks already in the ledger")
    parser.add_argument("--issuances", type=int, default=1_000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--retirements", type=int, default=200, help="timed retirements (target 1)")
    parser.add_argument("--period-retirements", type=int, default=10_000, help="retirements of the balanced period")
    parser.add_argument("--balance-runs", type=int, default=7)
    parser.add_argument("--evidence-kib", type=int, default=0,
                        help="size of the certificate stored with each retirement of the balanced period "
                             "(default: a 31-byte stand-in; a registry's PDF is some 100-300 KiB)")
    parser.add_argument("--concurrent", type=int, default=100, help="racing requests (PostgreSQL only)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.period_retirements > args.blocks:
        parser.error("--period-retirements cannot exceed --blocks")
    layout = Layout(args.blocks, args.issuances, args.projects)
    warm_up = 3

    with empty_database(args.database_url) as (url, database, make_uow):
        backend = url.split(":")[0].split("+")[0]
        print(f"backend: {backend}  retired blocks: {layout.blocks:,} ({layout.issuances:,} issuances × "
              f"{layout.per_issuance:,})")
        a = holder(make_uow, layout, create_organisation(make_uow), periods=4)
        balanced, timed_period = a["periods"][0], a["periods"][1]

        # The balanced period: a year of grid electricity at the factory, twelve records.
        year = a["first_year"]
        created = inventory.create_inventory(make_uow(), ADMIN, a["org"], period_id=balanced)
        activities.add_activities(make_uow(), ADMIN, a["org"], created.id, [{
            "source": "Grid electricity", "scope": 2, "activity_type": "electricity", "site_id": a["site"],
            "quantity": Decimal("1000"), "unit": "MWh", "start_date": dt.date(year, month, 1),
            "end_date": dt.date(year, month, 28), "data_quality": "metered"} for month in range(1, 13)])

        # Every stride-th bulk retirement goes to the balanced period (exactly
        # --period-retirements of them, spread over the issuances); the rest to the other three.
        stride = layout.blocks // args.period_retirements
        others = a["periods"][1:]

        def period_of(n: int) -> int:
            if n % stride == 0 and n // stride < args.period_retirements:
                return balanced
            return others[n % len(others)]

        started = time.perf_counter()
        seconds = fill_ledger(make_uow(), layout, a["org"], a["subject"], a["projects"], period_of,
                              {balanced: EVIDENCE + bytes(args.evidence_kib * 1024)} if args.evidence_kib else {})
        print(f"bulk fill:         {time.perf_counter() - started:7.2f} s  ({layout.blocks:,} retired blocks, "
              "ledger entries and guard ranges: " + ", ".join(f"{t} {s:.1f} s" for t, s in seconds.items()) + ")")

        # 1. Retirements, each of the first RETIRE units of a held block in a gap between retired
        # ranges (gaps for the race's targets are picked with them, so that none is taken twice).
        # The first few warm SQLAlchemy's statement caches and are not counted: a server is warm.
        timed = args.retirements + warm_up
        gaps = layout.gaps(timed + (race_targets(args.concurrent) if backend == "postgresql" else 0), seed=1)
        started = time.perf_counter()
        held = add_held(make_uow, layout, a, gaps[:timed], block_no=2_000_000)
        print(f"held blocks added: {time.perf_counter() - started:7.2f} s  ({len(held)} through the service)")
        timings = []
        for n, block_id in enumerate(held):
            t = time.perf_counter()
            retire(make_uow, a, timed_period, block_id, f"VCS-TIMED-{n}")
            if n >= warm_up:
                timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        with make_uow() as unit:
            splits = unit.session.scalar(text(
                "SELECT count(*) FROM serial_blocks WHERE split_from_id IS NOT NULL AND status = 'held'"))
        print(f"1. retirement:     median {statistics.median(timings):6.2f} ms, p99 {percentile(timings, 0.99):6.2f} ms, "
              f"max {timings[-1]:6.2f} ms over {len(timings)} ({splits} splits)  target median ≤ 20 ms")

        # 2. The balance of the period with --period-retirements retirements.
        runs = []
        for _ in range(args.balance_runs):
            t = time.perf_counter()
            answer = claims.period_balance(make_uow(), ADMIN, a["org"], balanced)
            runs.append((time.perf_counter() - t) * 1000)
        print(f"2. period balance: median {statistics.median(runs):6.1f} ms (min {min(runs):.1f}, max {max(runs):.1f}) "
              f"over {len(runs)} runs; {len(answer.retirements):,} retirements, "
              f"{answer.credits_retired_tco2e:,} tCO2e credits, verdict {answer.verdict}  target ≤ 200 ms")

        # 3. Racing requests: PostgreSQL only (SQLite serialises every writer with BEGIN IMMEDIATE).
        if backend == "postgresql":
            # B retires for its 2025 period: on RETIRED_ON, within ISO 14068-1's 12 months after it
            b = holder(make_uow, layout, rival_organisation(make_uow), periods=2, legal_name="Rival Co.")
            race(layout, database, make_uow, a, b, args.concurrent, gaps[timed:])
        else:
            print("3. concurrency:    n/a on SQLite (writers are serialised); run with a PostgreSQL --database-url")
        print(f"peak memory:       {peak_mib():7.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
