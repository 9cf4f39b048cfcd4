"""Fixtures of the web tests of public declarations (tests/declaring.py holds their helpers)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.statements import versions
from neutrality.web import declaration_pages
from tests.declaring import issue, publish, stand_in_pdfs


@pytest.fixture
def declarations_demo(app, db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(versions, "_render", stand_in_pdfs)
    declaration_pages.RENDERED.clear()  # pages of another test's rolled-back versions
    assert app.test_cli_runner().invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        periods = session.scalars(select(ApplicationPeriodRow).order_by(ApplicationPeriodRow.id)).all()
        # Yancheng 2024, Yancheng 2025, Changzhou 2024, Changzhou 2025
        return [(p.organisation_id, p.id) for p in periods]


@pytest.fixture
def published(app, db, declarations_demo):  # type: ignore[no-untyped-def]
    """Yancheng 2024's ISO 14068-1 report, issued and published: (organisation, period, version)."""
    organisation_id, period_id = declarations_demo[0]
    version = issue(app, db, organisation_id, period_id)
    publish(app, db, organisation_id, version.id)
    return organisation_id, period_id, version
