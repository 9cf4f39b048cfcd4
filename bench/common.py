"""What every benchmark needs: an empty migrated database, an organisation, peak memory."""

from __future__ import annotations

import contextlib
import datetime as dt
import resource
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text

from neutrality import migrate
from neutrality.access.model import Actor
from neutrality.commitments import services as commitments
from neutrality.db import Database, make_engine
from neutrality.organisations import services as organisations
from neutrality.uow import UnitOfWork

ADMIN = Actor(user_id=None, label="bench", is_admin=True)


@contextlib.contextmanager
def empty_database(url: str | None) -> Iterator[tuple[str, Database, Callable[[], UnitOfWork]]]:
    """A freshly migrated database: SQLite in a temporary folder, or the PostgreSQL one given
    (its public schema dropped first)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql"):
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        migrate.upgrade(url)
        database = Database(url)
        try:
            yield url, database, lambda: UnitOfWork(database.session_factory)
        finally:
            database.dispose()


def create_organisation(uow: Callable[[], UnitOfWork]) -> int:
    return organisations.create_organisation(uow(), ADMIN, {
        "name": "Bench", "legal_name": "Bench Co.", "nature_of_enterprise": "private",
        "legal_representative": "B", "registered_address": "x", "production_address": "x",
        "industry_category": "x", "contact_person": "x", "country": "CN",
        "consolidation_approach": "operational_control", "consolidation_justification": "x"}).id


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sites_under_one_commitment(uow: Callable[[], UnitOfWork], organisation_id: int, sites: int,
                               periods: int) -> tuple[list[Any], list[Any]]:
    """``sites`` sites under one organisation-wide subject and ISO 14068-1 commitment from 2024,
    with its first ``periods`` yearly periods: (the sites, the periods)."""
    site_rows = [organisations.create_site(uow(), ADMIN, organisation_id, {
        "name": f"Site {i:03d}", "country": "CN", "region": "CN-JS", "address": "x"}) for i in range(sites)]
    subject = organisations.create_subject(uow(), ADMIN, organisation_id, {
        "name": "All sites", "kind": "organisation", "site_ids": [s.id for s in site_rows]})
    commitment = commitments.create_commitment(uow(), ADMIN, organisation_id, {
        "subject_id": subject.id, "standard": "iso_14068_1_2023", "statement": "x",
        "baseline_date": dt.date(2024, 1, 1), "first_qualification_date": dt.date(2025, 1, 1),
        "period_length_months": 12})
    return site_rows, commitments.generate(uow(), ADMIN, organisation_id, commitment.id, count=periods)
