"""Benchmark: the rules engine on a period with 10,000 retirements, and the retirement planner
over 200,000 held blocks judged by those rules.

Targets on a 2-core machine:

1. every rule set of the commitment's claim (ISO 14068-1:2023 and the general and scheme sets)
   evaluated for a period with 10,000 retirements: the pure engine over facts built once, and
   the service ``period_findings`` end to end (facts read from the database, then judged):
   ≤ 200 ms;
2. ``propose`` for a period over 200,000 held blocks (10 projects × 10 vintages, 2017 to 2026:
   the 2026 vintage is refused as not yet ended when retired): ≤ 300 ms.

The engine judges each group of alike retirements once (neutrality.rules.engine.judgement_key:
the period's 10,000 retirements of 10 projects are 10 groups) and copies the findings to each
retirement with its own serial and reference; the facts read each project once. The planner
reads the holdings as lots (neutrality.registry.held_lots): one grouped query, one judgement per
lot, then only as many blocks as the needs take. The retirements and the held
blocks are bulk-inserted (as the services would have left them,
bar the audit entries), so that the database, not the filling, is what is measured.

    .venv/bin/python bench/rules.py                     # SQLite in a temporary folder
    .venv/bin/python bench/rules.py --held 20000
    .venv/bin/python bench/rules.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_rules

(The PostgreSQL database's public schema is dropped first: give one of its own, not the test
suite's.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from common import ADMIN, create_organisation, empty_database, peak_mib
from retirements import _BLOCK_COLUMNS, _BLOCK_PG_TYPES, Layout, fill_ledger, holder
from sqlalchemy import text

from neutrality.bulk import insert_rows, sqlite_datetime
from neutrality.claims.eligibility import period_findings
from neutrality.clock import utcnow
from neutrality.commitments.tables import ApplicationPeriodRow, Commitment
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.inventory.positions import PeriodCoverage
from neutrality.registry import planning
from neutrality.registry.planner import Policy
from neutrality.registry.rule_facts import claim_of, period_facts
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.rules.engine import applicable, evaluate
from neutrality.uow import UnitOfWork

AS_OF = dt.date(2026, 3, 1)  # findings and plans as of this day (within 12 months of 2025's end)
HELD_SIZE = 100
VINTAGES = range(2017, 2027)


def electricity(make_uow: Callable[[], UnitOfWork], who: dict[str, Any], period_id: int, year: int) -> None:
    """A year of grid electricity at the factory, twelve records of 1,000 MWh."""
    created = inventory.create_inventory(make_uow(), ADMIN, who["org"], period_id=period_id)
    activities.add_activities(make_uow(), ADMIN, who["org"], created.id, [{
        "source": "Grid electricity", "scope": 2, "activity_type": "electricity", "site_id": who["site"],
        "quantity": Decimal("1000"), "unit": "MWh", "start_date": dt.date(year, month, 1),
        "end_date": dt.date(year, month, 28), "data_quality": "metered"} for month in range(1, 13)])


def fill_held(uow: UnitOfWork, org_id: int, project_ids: list[int], blocks: int) -> None:
    """``blocks`` held VCU blocks of HELD_SIZE units, spread over the projects and VINTAGES."""
    now = utcnow()
    with uow:
        session = uow.session
        first = session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM serial_blocks"))

        def rows(dialect: str) -> Iterable[tuple[Any, ...]]:
            sqlite = dialect == "sqlite"
            created = sqlite_datetime(now) if sqlite else now
            for n in range(blocks):
                project = project_ids[n % len(project_ids)]
                year = VINTAGES[(n // len(project_ids)) % len(VINTAGES)]
                vintage = (dt.date(year, 1, 1), dt.date(year, 12, 31))
                start = 5_000_000_000 + n * HELD_SIZE
                details = {"program": "VCS", "unit_type": "VCU"}
                yield (first + n, org_id, "VCU", project, f"HELD-{project}-{year}", start, start + HELD_SIZE - 1,
                       HELD_SIZE, *(tuple(d.isoformat() for d in vintage) if sqlite else vintage), "held", "Main",
                       f"HELD-{project}-{year}-{start}", json.dumps(details) if sqlite else details, created,
                       "bench")

        insert_rows(session, "serial_blocks", _BLOCK_COLUMNS, rows, _BLOCK_PG_TYPES)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(
                "SELECT setval(pg_get_serial_sequence('serial_blocks', 'id'), (SELECT max(id) FROM serial_blocks))"))
            session.execute(text("ANALYZE serial_blocks"))
        uow.commit()


def timed(runs: int, call: Callable[[], Any]) -> tuple[list[float], Any]:
    """Milliseconds of each of ``runs`` calls after one warm-up call, and the last answer."""
    answer = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, answer


def shown(times: list[float]) -> str:
    return f"median {statistics.median(times):6.1f} ms (min {min(times):.1f}, max {max(times):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--retirements", type=int, default=10_000, help="retirements of the judged period")
    parser.add_argument("--held", type=int, default=200_000, help="held blocks the planner weighs")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    layout = Layout(args.retirements, issuances=min(100, args.retirements), projects=10)

    with empty_database(args.database_url) as (url, _database, make_uow):
        backend = url.split(":")[0].split("+")[0]
        print(f"backend: {backend}  retirements: {layout.blocks:,}  held blocks: {args.held:,}")
        who = holder(make_uow, layout, create_organisation(make_uow), periods=2)
        judged, planned = who["periods"]
        electricity(make_uow, who, judged, who["first_year"])
        electricity(make_uow, who, planned, who["first_year"] + 1)
        started = time.perf_counter()
        fill_ledger(make_uow(), layout, who["org"], who["subject"], who["projects"], lambda n: judged, {})
        fill_held(make_uow(), who["org"], sorted(who["projects"].values()), args.held)
        print(f"bulk fill:          {time.perf_counter() - started:7.2f} s")

        # 1. Every rule set of the claim for the period with its retirements.
        catalogue = shipped_catalogue()
        with make_uow().reading() as unit:
            session = unit.session
            period = session.get(ApplicationPeriodRow, judged)
            claim = claim_of(session.get(Commitment, period.commitment_id))
            started = time.perf_counter()
            facts = period_facts(session, period, as_of=AS_OF, coverage=PeriodCoverage.of_period(session, judged))
            built_ms = (time.perf_counter() - started) * 1000

        def engine() -> Any:
            # every finding made, as the findings API lists them (the evaluation makes each
            # retirement's findings when first asked for)
            evaluation = evaluate(applicable(catalogue, claim, facts.start, facts.end), facts)
            evaluation.findings  # noqa: B018 - made here, inside the timing
            return evaluation

        def refusals() -> Any:
            # what the balance under the claim asks: the refusals and the failures
            evaluation = evaluate(applicable(catalogue, claim, facts.start, facts.end), facts)
            return evaluation.refusals, evaluation.failing()

        times, evaluation = timed(args.runs, engine)
        print(f"1a. rules (engine): {shown(times)} over {len(times)} runs; {len(facts.retirements):,} "
              f"retirements, {len(evaluation.findings):,} findings, {len(evaluation.blocking()):,} blocking "
              f"(facts built once in {built_ms:.0f} ms)  target ≤ 200 ms")
        times, (refused, failing) = timed(args.runs, refusals)
        print(f"    refusals only:  {shown(times)}; {len(refused):,} retirements refused, {len(failing):,} "
              "failures (what the balance under the claim reads)")
        times, answer = timed(args.runs, lambda: period_findings(
            make_uow(), ADMIN, who["org"], judged, as_of=AS_OF, catalogue=catalogue))
        print(f"1b. period_findings: {shown(times)} over {len(times)} runs, end to end; "
              f"{len(answer.findings):,} findings  target ≤ 200 ms")

        # 2. The plan of the next period over every held block.
        times, plan = timed(args.runs, lambda: planning.propose(
            make_uow(), ADMIN, who["org"], planned, policy=Policy.OLDEST_VINTAGE, retire_on=AS_OF,
            catalogue=catalogue))
        refused = sum(group.blocks for group in plan.not_accepted)
        print(f"2. propose:         {shown(times)} over {len(times)} runs; {args.held:,} held blocks, "
              f"{len(plan.lines)} lines ({plan.credits.planned:,} credits), {refused:,} blocks in "
              f"{len(plan.not_accepted)} refused groups  target ≤ 300 ms")
        print(f"peak memory:        {peak_mib():7.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
