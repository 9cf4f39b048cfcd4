"""Benchmark: import and calculate 1,000,000 activity rows (200 sites × 12 months × ~420 sources).

Targets on a 2-core machine: import ≤ 20 s, calculation ≤ 5 s, the period's GHG report as a PDF
≤ 10 s, peak memory ≤ 2 GiB, on SQLite and on PostgreSQL. Prints plain pandas.read_csv on the same file for comparison.

    .venv/bin/python bench/inventory.py                     # SQLite in a temporary folder
    .venv/bin/python bench/inventory.py --rows 100000
    .venv/bin/python bench/inventory.py --previous          # the report of a second year, against the first
    .venv/bin/python bench/inventory.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from decimal import Decimal

import pandas as pd
from common import ADMIN, create_organisation, empty_database, peak_mib, sites_under_one_commitment

from neutrality.claims import services as claims
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.inventory.computing import compute
from neutrality.inventory.tables import Inventory
from neutrality.reductions import target_services
from neutrality.reports import services as reports
from neutrality.reports.rendering import ghg_report_pdf
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS


def months(year: int) -> list[tuple[dt.date, dt.date]]:
    return [(dt.date(year, m, 1), (dt.date(year, m + 1, 1) if m < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1))
            for m in range(1, 13)]


MONTHS = months(2024)
HEADER = "site,source,scope,scope1_subtype,scope3_category,activity_type,quantity,unit,start_date,end_date,factor_key,gas\n"
# A mix like a real factory's: electricity, gas, refrigerants, materials, freight.
KINDS = (
    ("2", "", "", "electricity", "MWh", "", ""),
    ("1", "stationary_combustion", "", "fuel", "m3", "cnguide2015:natural_gas:combustion", ""),
    ("1", "fugitive", "", "refrigerant", "kg", "", "R-410A"),
    ("3", "", "1", "material", "t", "org:steel", ""),
    ("3", "", "4", "transport", "t·km", "org:road_freight", ""),
)


def generate(rows: int, sites: list[str], year: int = 2024, shift: int = 0) -> bytes:
    """``rows`` records of ``year``; ``shift`` moves every quantity (another year's activity)."""
    sources = max(1, rows // (len(sites) * len(MONTHS)))
    out = io.StringIO()
    out.write(HEADER)
    n = 0
    for site in sites:
        for start, end in months(year):
            for s in range(sources):
                scope, subtype, category, kind, unit, factor, gas = KINDS[s % len(KINDS)]
                quantity = f"{((n + shift) % 9973) + 1}.{n % 1000:03d}"
                out.write(f"{site},Source {s},{scope},{subtype},{category},{kind},{quantity},{unit},"
                          f"{start.isoformat()},{end.isoformat()},{factor},{gas}\n")
                n += 1
                if n >= rows:
                    return out.getvalue().encode()
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--previous", action="store_true",
                        help="a verified 2024 period first, and an absolute target from it: the 2025 report then "
                             "compares the two (year on year, reductions achieved) and places 2025 on the target")
    args = parser.parse_args()

    with empty_database(args.database_url) as (url, _, uow):
        org_id = create_organisation(uow)
        site_rows, periods = sites_under_one_commitment(uow, org_id, args.sites, 2 if args.previous else 1)
        period = periods[-1]
        for key, unit, value in (("steel", "t", "1.9"), ("road_freight", "t·km", "0.0538")):
            inventory.add_organisation_factor(uow(), ADMIN, org_id, {
                "key": key, "name": key, "kind": "generic", "per_unit": unit, "mass_unit": "t" if unit == "t" else "kg",
                "gases": {"CO2e": Decimal(value)}, "source": "bench", "publisher": "bench", "year": 2024,
                "geography": "CN"}, evidence=b"bench", evidence_filename="bench.txt")
        created = inventory.create_inventory(uow(), ADMIN, org_id, period_id=period.id)

        year = period.start_date.year
        if args.previous:
            earlier = inventory.create_inventory(uow(), ADMIN, org_id, period_id=periods[0].id)
            started = time.perf_counter()
            before = generate(args.rows, [s.name for s in site_rows], year - 1, shift=17)
            activities.import_activities(uow(), ADMIN, org_id, earlier.id, data=before, filename="before.csv",
                                         max_bytes=len(before) + 1, limits=ACTIVITY_FILE_LIMITS)
            inventory.verify_inventory(uow(), ADMIN, org_id, earlier.id, details={
                "body": "bench", "accreditation": "bench", "standard": "ISO 14064-3:2019",
                "assurance_level": "limited", "materiality_percent": Decimal(5), "opinion": "bench",
                "verified_on": dt.date(year, 3, 1)}, statement=b"bench", statement_filename="bench.txt")
            base = inventory.inventory_report(uow(), ADMIN, org_id, earlier.id)["location_based"]["by_scope"]
            target_services.create_target(uow(), ADMIN, org_id, {
                "commitment_id": period.commitment_id, "kind": "absolute", "scopes": [1, 2],
                "scope2_basis": "location_based", "base_year": year - 1, "target_year": 2030,
                "reduction_percent": Decimal(42),
                "base_value": Decimal(str(base.get("1", 0))) + Decimal(str(base.get("2", 0)))})
            print(f"previous period (verified) and target: {time.perf_counter() - started:6.2f} s")
        data = generate(args.rows, [s.name for s in site_rows], year)
        print(f"backend: {url.split(':')[0]}  rows: {args.rows:,}  file: {len(data) / 2**20:.1f} MiB")

        started = time.perf_counter()
        frame = pd.read_csv(io.BytesIO(data), dtype=str)
        read_csv_s = time.perf_counter() - started
        del frame
        print(f"pandas.read_csv alone:     {read_csv_s:6.2f} s")

        started = time.perf_counter()
        outcome = activities.import_activities(uow(), ADMIN, org_id, created.id, data=data,
                                              filename="bench.csv", max_bytes=len(data) + 1,
                                              limits=ACTIVITY_FILE_LIMITS)
        import_s = time.perf_counter() - started
        print(f"import (parse+check+store): {import_s:6.2f} s  ({outcome.row_count:,} rows, "
              f"{import_s / read_csv_s:.1f}× read_csv)  target ≤ 20 s")

        started = time.perf_counter()
        with uow() as unit:
            result, report, _ = compute(unit.session, unit.session.get(Inventory, created.id))
        calc_s = time.perf_counter() - started
        print(f"calculation:               {calc_s:6.2f} s  ({report['activity_count']:,} records, "
              f"{result.location_based.tco2e:.3f} tCO2e location-based)  target ≤ 5 s")

        # The balance of the period reads the records once and calculates them twice (as they
        # stand, then with certificates applied): no target, printed so a regression shows.
        started = time.perf_counter()
        balance = claims.period_balance(uow(), ADMIN, org_id, period.id)
        print(f"period balance:            {time.perf_counter() - started:6.2f} s  "
              f"(residual {balance.residual_tco2e:.3f} tCO2e)")

        # The periodic GHG report: its figures come from the grouped calculation, then the PDF
        # (200 sites in its tables).
        started = time.perf_counter()
        content = reports.ghg_report(uow(), ADMIN, org_id, period.id, prepared_on=dt.date(2026, 1, 31))
        content_s = time.perf_counter() - started
        pdf = ghg_report_pdf(content, "zh_Hans")
        report_s = time.perf_counter() - started
        print(f"GHG report PDF (简体):      {report_s:6.2f} s  (content {content_s:.2f} s, "
              f"{len(pdf) / 1024:.0f} KiB)  target ≤ 10 s")
        print(f"peak memory:               {peak_mib():6.0f} MiB  target ≤ 2048 MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
