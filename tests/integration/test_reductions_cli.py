"""The register of measures and the targets' progress from the command line, on the demo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.reductions.target_tables import EmissionTarget


@dataclass(frozen=True)
class Demo:
    organisation: int
    periods: list[int]  # Yancheng 2024, 2025, Changzhou 2024, 2025
    targets: list[int]  # Yancheng's absolute, Changzhou's intensity


@pytest.fixture
def demo(app, db) -> Demo:  # type: ignore[no-untyped-def]
    # loaded inside the test's own transaction (``db``), rolled back at its end like every write;
    # ids read back, as PostgreSQL's sequences do not go back with a rollback
    assert app.test_cli_runner().invoke(args=["demo", "load", "--without-declaration"]).exit_code == 0
    with db() as session:
        periods = session.scalars(select(ApplicationPeriodRow).order_by(ApplicationPeriodRow.id)).all()
        targets = session.scalars(select(EmissionTarget.id).order_by(EmissionTarget.id)).all()
        return Demo(periods[0].organisation_id, [p.id for p in periods], list(targets))


def test_the_register_lists_the_demo_measures_ranked_with_their_expected_reductions(app, demo) -> None:
    runner = app.test_cli_runner()
    org = str(demo.organisation)
    listed = runner.invoke(args=["reductions", "measures", org])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    # equal weights: the rooftop PV scores 4+5+4+5+4+3 = 25, the drives 5+3+5+3+3+2 = 21
    [pv] = [line for line in lines if "Rooftop PV" in line]
    assert pv.split()[0] == "1" and "1,100.00" in pv and pv.rstrip().endswith("25.000")
    data = json.loads(runner.invoke(args=["reductions", "measures", org, "--json"]).output)
    assert [m["title_en"] for m in data["measures"]][0] == "Rooftop PV on the production halls"


def test_a_targets_progress_places_each_period_on_its_line(app, demo) -> None:
    runner = app.test_cli_runner()
    org, target = str(demo.organisation), str(demo.targets[0])
    data = json.loads(runner.invoke(args=["reductions", "progress", org, target, "--json"]).output)
    [base, later] = data["periods"]
    # −42 % over 2024–2030, a straight line: 2025 allows the base × (1 − 0.42 / 6) = × 0.93
    assert Decimal(later["allowed"]) == Decimal(base["actual"]) * Decimal("0.93")
    assert later["on_track"] is (Decimal(later["actual"]) <= Decimal(later["allowed"]))
    table = runner.invoke(args=["reductions", "progress", org, target])
    assert f"target {target}: absolute, scope 1+2, 2024→2030 −42%" in table.output
    unknown = str(demo.targets[-1] + 1000)
    missing = runner.invoke(args=["reductions", "progress", org, unknown])
    assert missing.exit_code != 0 and f"target {unknown} not found in organisation {org}" in missing.output


def test_an_organisations_target_adds_up_its_factories_periods_of_each_year(app, db, demo) -> None:
    import datetime as dt

    from neutrality.access.cli import cli_actor
    from neutrality.reductions import target_services
    from neutrality.reports import services as reports
    from neutrality.uow import UnitOfWork

    org = demo.organisation
    yancheng_2024, yancheng_2025, changzhou_2024, changzhou_2025 = demo.periods

    def scope_1_2(period_id: int) -> Decimal:
        with app.app_context():
            report = reports.ghg_report(UnitOfWork(db), cli_actor(), org, period_id, prepared_on=dt.date(2026, 12, 5))
        return sum((line.location_tco2e for line in report.by_scope if line.key in ("1", "2")), Decimal(0))

    base = scope_1_2(yancheng_2024) + scope_1_2(changzhou_2024)
    with app.app_context():
        stored = target_services.create_target(UnitOfWork(db), cli_actor(), org, {
            "kind": "absolute", "scopes": [1, 2], "scope2_basis": "location_based", "base_year": 2024,
            "base_value": base, "target_year": 2030, "reduction_percent": Decimal("42")})
        followed = target_services.target_progress(UnitOfWork(db), cli_actor(), org, stored.id)
    [first, second] = followed.periods
    # each year is both factories' periods added up, not two points of one year
    assert (first.year, first.period_ids, second.year, second.period_ids) == (
        2024, (yancheng_2024, changzhou_2024), 2025, (yancheng_2025, changzhou_2025))
    assert first.position.actual == base
    assert second.position.actual == scope_1_2(yancheng_2025) + scope_1_2(changzhou_2025)
    # the line falls 42 % / 6 = 7 % of the base a year
    assert second.position.allowed == base * Decimal("0.93")
    # the report of either factory places its period on the organisation's line
    with app.app_context():
        report = reports.ghg_report(UnitOfWork(db), cli_actor(), org, changzhou_2025, prepared_on=dt.date(2026, 12, 5))
    [organisation_target] = [t for t in report.targets if t.base_value == base]
    assert organisation_target.position.actual == second.position.actual


def test_the_period_page_links_to_what_its_measures_achieved(app, client, demo) -> None:
    from tests.browser import sign_in

    sign_in(client, "verifier@demo.neutrality.test", "verifier-demo-pass")
    url = f"/organisations/{demo.organisation}/periods/{demo.periods[1]}"  # Yancheng 2025
    assert f"{url}/reductions" in client.get(url).get_data(as_text=True)
    page = client.get(f"{url}/reductions", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # Yancheng 2025 against 2024: the R-134a chiller's 12 kg × 1530 = 18.36 t, in its row
    row = page[page.index("Ammonia chiller replaces the R-134a chiller"):]
    row = row[:row.index("</tr>")]
    assert "18.360" in row
    # only Yancheng's measures: Changzhou's drives act on the other factory
    assert "Variable-speed drives" not in page
