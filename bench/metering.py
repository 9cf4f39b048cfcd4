"""Benchmark: the balance of a period whose site has many invoices and a meter of the same
electricity (every invoice is reconciled against the meter readings on each calculation).

No target in an issue; printed so a regression shows. A correlated "a meter overlaps" sub-query
once made SQLite scan the site for every invoice: 43 s for 20,000 invoices, now well under 1 s.

    .venv/bin/python bench/metering.py [--invoices 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal

from common import ADMIN, create_organisation, empty_database, peak_mib

from neutrality.claims import services as claims
from neutrality.commitments import services as commitments
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.organisations import services as organisations


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with empty_database(args.database_url) as (url, _, uow):
        org = create_organisation(uow)
        site = organisations.create_site(uow(), ADMIN, org, {
            "name": "Plant", "country": "CN", "region": "CN-JS", "address": "x"})
        subject = organisations.create_subject(uow(), ADMIN, org, {"name": "Plant", "kind": "site",
                                                                  "site_id": site.id})
        commitment = commitments.create_commitment(uow(), ADMIN, org, {
            "subject_id": subject.id, "standard": "iso_14068_1_2023", "statement": "x",
            "baseline_date": dt.date(2024, 1, 1), "first_qualification_date": dt.date(2025, 1, 1),
            "period_length_months": 12})
        period = commitments.generate(uow(), ADMIN, org, commitment.id, count=1)[0]
        created = inventory.create_inventory(uow(), ADMIN, org, period_id=period.id)
        grid = {"site_id": site.id, "scope": 2, "activity_type": "electricity", "unit": "MWh"}
        # one invoice a day, round the year, and a meter reading of the first month
        records = [{**grid, "source": f"invoice {i}", "quantity": Decimal(1), "data_quality": "invoiced",
                    "start_date": period.start_date + dt.timedelta(days=i % 365),
                    "end_date": period.start_date + dt.timedelta(days=i % 365)} for i in range(args.invoices)]
        records.append({**grid, "source": "meter", "quantity": Decimal(100), "data_quality": "metered",
                        "start_date": period.start_date, "end_date": period.start_date + dt.timedelta(days=30)})
        activities.add_activities(uow(), ADMIN, org, created.id, records)
        print(f"backend: {url.split(':')[0]}  invoices: {args.invoices:,} and one meter reading, one site")

        started = time.perf_counter()
        balance = claims.period_balance(uow(), ADMIN, org, period.id)
        print(f"period balance:  {time.perf_counter() - started:6.2f} s  (residual {balance.residual_tco2e:.3f} tCO2e)")
        print(f"peak memory:     {peak_mib():6.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
