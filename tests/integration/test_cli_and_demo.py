"""The command line drives the same services as the API; the demo loads once."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from neutrality.claims.tables import ApplicationPeriodRow, Commitment
from neutrality.organisations.tables import Organisation, Site


def test_demo_load_creates_the_jiangsu_manufacturer_and_is_idempotent(app, db) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "lead@demo.neutrality.test" in result.output
    with db() as session:
        org = session.scalar(select(Organisation).where(Organisation.name == "苏辉光伏"))
        sites = session.scalars(select(Site).where(Site.organisation_id == org.id)).all()
        periods = session.scalars(
            select(ApplicationPeriodRow).where(ApplicationPeriodRow.organisation_id == org.id)
            .order_by(ApplicationPeriodRow.commitment_id, ApplicationPeriodRow.sequence)).all()
        standards = session.scalars(select(Commitment.standard).where(Commitment.organisation_id == org.id)).all()
    assert [s.region for s in sites] == ["CN-JS", "CN-JS"]
    assert {s.grid_region for s in sites} == {"CN-EAST"}
    assert standards == ["iso_14068_1_2023", "iso_14068_1_2023"]
    # Two factories, each with the 2024 and 2025 application periods.
    assert [(p.start_date.isoformat(), p.end_date.isoformat()) for p in periods] == [
        ("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")] * 2

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "already loaded" in again.output
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_cli_creates_an_organisation_from_a_json_file_with_the_api_schema(app, db, tmp_path) -> None:
    from tests.factories import organisation_payload

    path = tmp_path / "org.json"
    path.write_text(json.dumps(organisation_payload(name="From CLI")), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["name"] == "From CLI"


def test_cli_reports_a_domain_error_cleanly_and_writes_nothing(app, db, tmp_path, table_counts: Any) -> None:
    from tests.factories import organisation_payload

    path = tmp_path / "org.json"
    path.write_text(json.dumps(organisation_payload(country="ZZ")), encoding="utf-8")
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--json", str(path)])
    assert result.exit_code == 1
    assert "invalid_input" in result.output and "country" in result.output
    assert "Traceback" not in result.output
    assert table_counts() == before


def test_cli_rejects_a_json_file_with_unknown_fields(app, db, tmp_path, table_counts: Any) -> None:
    from tests.factories import organisation_payload

    path = tmp_path / "org.json"
    path.write_text(json.dumps(organisation_payload(extra=1)), encoding="utf-8")
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--json", str(path)])
    assert result.exit_code == 1 and "Unknown field" in result.output
    assert table_counts() == before
