"""Achieved reductions through the service and the command line, over real inventories.

A commitment of its own on an organisation subject of both sites, with three yearly periods (tests/factories.py's
world: organisation A, site A in Jiangsu; a site B added, also in Jiangsu):

| year | site A boiler (natural gas) | site A grid | site B grid |
|------|-----------------------------|-------------|-------------|
| 2024 (verified: the base year) | 20,000 m³ "Boiler" | 10,000 MWh | 2,000 MWh |
| 2025 | 16,000 m³ "boiler" | 9,000 MWh | 2,000 MWh |
| 2026 | 16,000 m³ "BOILER " | 8,000 MWh | 2,500 MWh |

Factors: natural gas (cnguide2015, CO2 only) 389.31 GJ per 10⁴ m³ × 55,539 kg/TJ = 0.038931 GJ ×
0.055539 t/GJ = 0.002162188809 t/m³: 20,000 m³ = 43.24377618 t, 16,000 m³ = 34.595020944 t.
Grid (CN-JS) 0.55 t/MWh location-based, residual mix 0.6096 t/MWh market-based, every year.

2026 against 2025 (the previous period): grid A −1,000 × 0.55 = −550, grid B +500 × 0.55 = +275,
the boiler 0: −275 t, all activity. Market-based Scope 2: −1,000 × 0.6096 + 500 × 0.6096 = −304.8.
2026 against 2024 (the base year): grid A −2,000 × 0.55 = −1,100, grid B +275, boiler
34.595020944 − 43.24377618 = −8.648755236: −833.648755236 t, all activity.

Measures: the boiler economiser (done 2024-06-30, Scope 1, "BOILER", site A); LED lighting (done
2025-06-30, Scope 2, organisation-wide); pump VSDs (done 2025-03-31, Scope 2, site A, "grid
electricity"); diesel forklifts (done 2025-05-31, Scope 1, site B), whose source is in no inventory.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from neutrality.commitments import services as commitments
from neutrality.errors import NotFound
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.organisations import services as organisations
from neutrality.reductions import achieved_services
from neutrality.reductions import services as reductions
from tests.factories import ADMIN, VERIFICATION, World, commitment_payload, site_payload

pytestmark = pytest.mark.shared_world

GAS_2024, GAS_LATER = Decimal("43.24377618"), Decimal("34.595020944")


def _records(world: World, site_b: int, year: int, boiler: tuple[str, str], grid_a: str, grid_b: str) -> list[dict]:
    span = {"start_date": dt.date(year, 1, 1), "end_date": dt.date(year, 12, 31), "data_quality": "metered"}
    grid = {"scope": 2, "activity_type": "electricity", "unit": "MWh", **span}
    return [
        {"site_id": world.site_a, "source": boiler[0], "scope": 1, "scope1_subtype": "stationary_combustion",
         "activity_type": "fuel", "quantity": Decimal(boiler[1]), "unit": "m3",
         "factor_key": "cnguide2015:natural_gas:combustion", **span},
        {"site_id": world.site_a, "source": "Grid electricity", "quantity": Decimal(grid_a), **grid},
        {"site_id": site_b, "source": "Grid electricity", "quantity": Decimal(grid_b), **grid},
    ]


def _build(uow: Any, world: World) -> dict[str, Any]:
    site_b = organisations.create_site(uow(), ADMIN, world.org_a, site_payload()).id
    subject = organisations.create_subject(uow(), ADMIN, world.org_a, {
        "name": "Both factories", "kind": "organisation", "site_ids": [world.site_a, site_b]})
    commitment = commitments.create_commitment(uow(), ADMIN, world.org_a, commitment_payload(subject.id))
    periods = commitments.generate(uow(), ADMIN, world.org_a, commitment.id, count=3)
    figures = {2024: (("Boiler", "20000"), "10000", "2000"), 2025: (("boiler", "16000"), "9000", "2000"),
               2026: (("BOILER ", "16000"), "8000", "2500")}
    inventories = {}
    for period, (year, (boiler, grid_a, grid_b)) in zip(periods, figures.items(), strict=True):
        row = inventory.create_inventory(uow(), ADMIN, world.org_a, period_id=period.id)
        activities.add_activities(uow(), ADMIN, world.org_a, row.id,
                                  _records(world, site_b, year, boiler, grid_a, grid_b))
        inventories[year] = row.id
    inventory.verify_inventory(uow(), ADMIN, world.org_a, inventories[2024], details=VERIFICATION,
                               statement=b"%PDF-1.4 statement", statement_filename="statement.pdf")

    def measure(title: str, category: str, end: str, **given: Any) -> int:
        return reductions.create_measure(uow(), ADMIN, world.org_a, {
            "title_en": title, "category": category, "status": "done", "end_date": dt.date.fromisoformat(end),
            **given}).id

    ids = {
        "economiser": measure("Boiler economiser", "energy_efficiency", "2024-06-30", scope=1, source="BOILER",
                              site_id=world.site_a),
        "led": measure("LED lighting", "lighting", "2025-06-30"),
        "pumps": measure("Pump VSDs", "energy_efficiency", "2025-03-31", source="grid electricity",
                         site_id=world.site_a),
        "forklifts": measure("Electric forklifts", "clean_energy_share", "2025-05-31", source="Diesel forklifts",
                             site_id=site_b),
    }
    return {"site_b": site_b, "commitment": commitment.id, "periods": [p.id for p in periods], "inventories": inventories, "measures": ids}


def _attributions(found: Any, which: str) -> dict[int, Any]:
    return {m.measure_id: getattr(m, which) for m in found.measures}


def test_a_period_against_the_previous_period_and_the_base_year(uow, world) -> None:
    built = _build(uow, world)
    found = achieved_services.period_reductions(uow(), ADMIN, world.org_a, built["periods"][2])
    previous, base = found.against_previous, found.against_base_year
    assert (previous.from_year, previous.from_inventory_id, previous.to_year) == (2025, built["inventories"][2025], 2026)
    assert (base.from_year, base.from_inventory_id) == (2024, built["inventories"][2024])

    # against 2025: −275 t, all activity; Scope 1 unchanged
    total = previous.result.location.total
    assert (total.change, total.due_to_activity, total.due_to_factor) == (Decimal(-275), Decimal(-275), Decimal(0))
    assert [(line.scope, line.figures.change) for line in previous.result.location.by_scope] == [
        (1, Decimal(0)), (2, Decimal(-275))]
    assert [(line.site_id, line.figures.change) for line in previous.result.location.by_site] == [
        (world.site_a, Decimal(-550)), (built["site_b"], Decimal(275))]
    # the boiler is one source whatever its spelling; its name as the later inventory writes it
    assert [(line.site_id, line.name) for line in previous.result.location.by_source] == [
        (world.site_a, "BOILER"), (world.site_a, "Grid electricity"), (built["site_b"], "Grid electricity")]
    assert previous.result.scope2_market.total.change == Decimal("-304.8")

    # against 2024: −833.648755236 t, all activity
    total = base.result.location.total
    gas = GAS_LATER - GAS_2024  # −8.648755236
    assert gas == Decimal("-8.648755236")
    assert (total.change, total.due_to_activity, total.due_to_factor) == (
        Decimal(-1100) + Decimal(275) + gas, Decimal(-1100) + Decimal(275) + gas, Decimal(0))
    assert total.old_tco2e == GAS_2024 + Decimal(5500) + Decimal(1100)

    # the sums are the reports': the verified 2024 report and the 2026 draft's
    old = inventory.inventory_report(uow(), ADMIN, world.org_a, built["inventories"][2024])
    new = inventory.inventory_report(uow(), ADMIN, world.org_a, built["inventories"][2026])
    assert total.old_tco2e == Decimal(old["location_based"]["tco2e"])
    assert total.new_tco2e == Decimal(new["location_based"]["tco2e"])
    assert base.result.scope2_market.total.new_tco2e == Decimal(new["market_based"]["by_scope"]["2"])


def test_measures_are_attributed_once_per_source(uow, world) -> None:
    built = _build(uow, world)
    ids = built["measures"]
    found = achieved_services.period_reductions(uow(), ADMIN, world.org_a, built["periods"][2])
    previous = _attributions(found, "against_previous")
    # the economiser ended before 2025 began: it is in both inventories
    assert (previous[ids["economiser"]].acts, previous[ids["economiser"]].note) == (
        False, "it ended on 2024-06-30, before the earlier period began on 2025-01-01: it is in both inventories")
    # site A's grid (550 t less) is shared by the lighting and the pumps; site B's (275 t more) is
    # the lighting's alone
    led, pumps = previous[ids["led"]], previous[ids["pumps"]]
    assert (led.achieved_reduction, led.shared_reduction, led.shared_with) == (
        Decimal(-275), Decimal(550), (ids["pumps"],))
    assert (pumps.achieved_reduction, pumps.shared_reduction, pumps.shared_with) == (
        Decimal(0), Decimal(550), (ids["led"],))
    assert previous[ids["forklifts"]].note == (
        f"no source named 'Diesel forklifts' in Scope 1 at site {built['site_b']} in either inventory")
    # 550 once − 275 = 275: the whole achieved reduction
    assert (found.against_previous.result.attributed_reduction,
            found.against_previous.result.unattributed_reduction) == (Decimal(275), Decimal(0))

    base = _attributions(found, "against_base_year")
    assert base[ids["economiser"]].achieved_reduction == Decimal("8.648755236")
    assert (base[ids["led"]].shared_reduction, base[ids["pumps"]].shared_reduction) == (Decimal(1100), Decimal(1100))
    assert found.against_base_year.result.attributed_reduction == Decimal("833.648755236")
    # the register's expected figures come with them (none stated here)
    assert {m.measure_id: m.expected for m in found.measures}[ids["led"]] is None


def test_the_base_year_and_an_empty_period(uow, world) -> None:
    built = _build(uow, world)
    found = achieved_services.period_reductions(uow(), ADMIN, world.org_a, built["periods"][0])
    assert (found.against_previous, found.against_base_year) == (None, None)
    assert found.notes == ("no earlier period of this commitment has an inventory with figures",
                           "this period is the base year")
    # a fourth period with an inventory begun, nothing in it: 0 t would read as a 100 % cut
    [fourth] = commitments.generate(uow(), ADMIN, world.org_a, built["commitment"], count=1)
    inventory.create_inventory(uow(), ADMIN, world.org_a, period_id=fourth.id)
    found = achieved_services.period_reductions(uow(), ADMIN, world.org_a, fourth.id)
    assert (found.against_previous, found.against_base_year) == (None, None)
    assert found.notes == ("the period's inventory holds no record or total yet: there is nothing to compare",)
    # and a period of another organisation is not found
    with pytest.raises(NotFound):
        achieved_services.period_reductions(uow(), ADMIN, world.org_b, built["periods"][2])


def test_the_command_line_prints_the_comparison(app, uow, world) -> None:
    built = _build(uow, world)
    result = app.test_cli_runner().invoke(args=[
        "reductions", "achieved", str(world.org_a), f"id:{built['periods'][2]}", "--against", "base-year"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (f"2026 (inventory {built['inventories'][2026]}) against 2024 (inventory "
                        f"{built['inventories'][2024]}), tCO2e; achieved reduction = −due_to_activity")
    total = next(line for line in lines if line.startswith("total (location)")).split()
    # old, new, change, activity, factor, achieved: rounded to 2 decimals
    assert total[2:] == ["6,643.24", "5,809.60", "-833.65", "-833.65", "0.00", "833.65"]
    assert any("Boiler economiser" in line and "8.65" in line for line in lines)
    assert lines[-1] == "attributed to measures (each source once): 833.65; not attributed: 0.00"
    as_json = app.test_cli_runner().invoke(args=[
        "reductions", "achieved", str(world.org_a), f"id:{built['periods'][2]}", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert '"attributed_reduction": "275"' in as_json.output


def test_an_invoice_the_meters_supersede_is_not_a_source(uow, world) -> None:
    # 2026: site A's 8,000 metered MWh also billed on an invoice for the same year. The report
    # counts the meters and sets the invoice aside; so do the sources: the comparison is as before
    # (−275 t against 2025) and "Grid invoice" is not among them.
    built = _build(uow, world)
    activities.add_activities(uow(), ADMIN, world.org_a, built["inventories"][2026], [{
        "site_id": world.site_a, "source": "Grid invoice", "scope": 2, "activity_type": "electricity",
        "quantity": Decimal("8000"), "unit": "MWh", "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 12, 31), "data_quality": "invoiced"}])
    report = inventory.inventory_report(uow(), ADMIN, world.org_a, built["inventories"][2026])
    assert report["metering"]["invoices_superseded"] == 1
    found = achieved_services.period_reductions(uow(), ADMIN, world.org_a, built["periods"][2])
    location = found.against_previous.result.location
    assert location.total.change == Decimal(-275)
    assert location.total.new_tco2e == Decimal(report["location_based"]["tco2e"])
    assert "Grid invoice" not in {line.name for line in location.by_source}
