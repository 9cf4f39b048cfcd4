"""Public declarations for the web tests: the demo loaded with stand-in PDFs (rendering is the
statement renderer's business, tested with it), and the use cases that issue, publish and
withdraw, called as the command line calls them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from neutrality.access.cli import cli_actor
from neutrality.statements import versions
from neutrality.statements.services import public_url
from neutrality.statements.tables import StatementDocument, StatementVersion
from neutrality.uow import UnitOfWork

TODAY = dt.date(2026, 12, 5)
ISO = "iso_14068_1_report"
CN = "cn_zero_carbon_factory"


def stand_in_pdfs(built: Any) -> dict[str, bytes]:
    # one per language, naming the snapshot it stands for: a new version has new bytes
    return {locale: f"%PDF-1.7 stand-in {locale} {built.sha256}".encode() for locale in ("en", "zh_Hans", "zh_Hant")}


def issue(app, db, organisation_id: int, period_id: int, kind: str = ISO, **options: Any) -> StatementVersion:  # type: ignore[no-untyped-def]
    with app.app_context():
        return versions.issue_statement(UnitOfWork(db), cli_actor(), organisation_id, period_id, kind,
                                        issued_on=TODAY,
                                        published_at=public_url("http://localhost", organisation_id, period_id), **options)


def publish(app, db, organisation_id: int, version_id: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        versions.publish_version(UnitOfWork(db), cli_actor(), organisation_id, version_id)


def withdraw(app, db, organisation_id: int, version_id: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        versions.withdraw_version(UnitOfWork(db), cli_actor(), organisation_id, version_id, reason=reason)


def documents(db, version_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db() as session:
        return {d.locale: d.sha256 for d in session.scalars(
            select(StatementDocument).where(StatementDocument.version_id == version_id))}
