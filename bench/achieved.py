"""Benchmark: the achieved reductions of a period, two inventories of N activity rows each
(200 sites × 12 months × sources), against the time the report's own calculation takes.

No target of its own: the comparison reads each inventory once, per named source (more groups
than the report's calculation, which does not keep the name), so it should stay within a few
times one calculation.

    .venv/bin/python bench/achieved.py                     # SQLite, 200,000 rows a year
    .venv/bin/python bench/achieved.py --rows 1000000
    .venv/bin/python bench/achieved.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from decimal import Decimal

from common import ADMIN, create_organisation, empty_database, peak_mib, sites_under_one_commitment

from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.inventory.computing import compute
from neutrality.inventory.tables import Inventory
from neutrality.reductions import achieved_services
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS

HEADER = "site,source,scope,scope1_subtype,scope3_category,activity_type,quantity,unit,start_date,end_date,factor_key,gas\n"
KINDS = (
    ("2", "", "", "electricity", "MWh", "", ""),
    ("1", "stationary_combustion", "", "fuel", "m3", "cnguide2015:natural_gas:combustion", ""),
    ("1", "fugitive", "", "refrigerant", "kg", "", "R-410A"),
    ("3", "", "1", "material", "t", "org:steel", ""),
)


def months(year: int) -> list[tuple[dt.date, dt.date]]:
    return [(dt.date(year, m, 1), (dt.date(year, m + 1, 1) if m < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1))
            for m in range(1, 13)]


def generate(rows: int, sites: list[str], year: int, scale: Decimal) -> bytes:
    spans = months(year)
    sources = max(1, rows // (len(sites) * len(spans)))
    out = io.StringIO()
    out.write(HEADER)
    n = 0
    for site in sites:
        for start, end in spans:
            for s in range(sources):
                scope, subtype, category, kind, unit, factor, gas = KINDS[s % len(KINDS)]
                quantity = Decimal(f"{(n % 9973) + 1}.{n % 1000:03d}") * scale
                out.write(f"{site},Source {s},{scope},{subtype},{category},{kind},{quantity},{unit},"
                          f"{start.isoformat()},{end.isoformat()},{factor},{gas}\n")
                n += 1
                if n >= rows:
                    return out.getvalue().encode()
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000, help="activity rows in each of the two inventories")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with empty_database(args.database_url) as (url, _, uow):
        org_id = create_organisation(uow)
        site_rows, periods = sites_under_one_commitment(uow, org_id, args.sites, 2)
        inventory.add_organisation_factor(uow(), ADMIN, org_id, {
            "key": "steel", "name": "steel", "kind": "generic", "per_unit": "t", "mass_unit": "t",
            "gases": {"CO2e": Decimal("1.9")}, "source": "bench", "publisher": "bench", "year": 2024,
            "geography": "CN"}, evidence=b"bench", evidence_filename="bench.txt")
        names = [s.name for s in site_rows]
        created = []
        for period, year, scale in ((periods[0], 2024, Decimal(1)), (periods[1], 2025, Decimal("0.9"))):
            row = inventory.create_inventory(uow(), ADMIN, org_id, period_id=period.id)
            data = generate(args.rows, names, year, scale)
            activities.import_activities(uow(), ADMIN, org_id, row.id, data=data, filename="bench.csv",
                                         max_bytes=len(data) + 1, limits=ACTIVITY_FILE_LIMITS)
            created.append(row.id)
        print(f"backend: {url.split(':')[0]}  rows: {args.rows:,} a year, {args.sites} sites")

        started = time.perf_counter()
        with uow() as unit:
            compute(unit.session, unit.session.get(Inventory, created[1]))
        calc_s = time.perf_counter() - started
        print(f"one inventory's calculation:  {calc_s:6.2f} s")

        started = time.perf_counter()
        found = achieved_services.period_reductions(uow(), ADMIN, org_id, periods[1].id)
        achieved_s = time.perf_counter() - started
        result = found.against_previous.result
        print(f"achieved reductions:          {achieved_s:6.2f} s  ({len(result.location.sources):,} sources, "
              f"{result.location.total.change:.3f} tCO2e change, {achieved_s / calc_s:.1f}× one calculation)")
        print(f"peak memory:                  {peak_mib():6.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
