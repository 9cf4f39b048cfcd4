"""Factor and activity uncertainty (issue 15, item 4): an organisation's factor states its ± with
a basis and a source (API and form), a record without a ± takes its data-quality tier's default,
and the inventory's report combines them per scope and in total, saying on what it rests.

Expected figures are worked out by hand in the comments (seed 000 §4.7; IPCC 2006 Vol. 1 ch. 3).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.browser import csrf, sign_in
from tests.factories import World

pytestmark = pytest.mark.shared_world

D = Decimal


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _factor(client: Any, world: World, key: str, **fields: Any) -> Any:
    return client.post(f"{_base(world)}/factors", headers=world.headers("lead"), data={
        "key": key, "name": f"Factor {key}", "kind": "generic", "per_unit": "t", "mass_unit": "t",
        "gases": json.dumps({"CO2e": "1"}), "source": "Supplier declaration 2024", "publisher": "Supplier Co.",
        "year": "2024", "geography": "CN", "evidence": (io.BytesIO(b"%PDF declaration"), "declaration.pdf"),
        **fields,
    }, content_type="multipart/form-data")


def _inventory(client: Any, world: World, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A new 2024 inventory holding ``records``; its report's uncertainty block."""
    inventory = client.post(f"{_base(world)}/inventories", json={"period_id": world.period_a},
                            headers=world.headers("lead")).get_json()
    common = {"site_id": world.site_a, "start_date": "2024-01-01", "end_date": "2024-12-31"}
    added = client.post(f"{_base(world)}/inventories/{inventory['id']}/activities", headers=world.headers("lead"),
                        json={"activities": [{**common, **r} for r in records]})
    assert added.status_code == 201, added.get_json()
    report = client.get(f"{_base(world)}/inventories/{inventory['id']}/report", headers=world.headers("lead"))
    assert report.status_code == 200, report.get_json()
    return report.get_json()


def test_a_published_factor_and_stated_activities_combine_per_scope_and_in_total(client, world) -> None:
    assert _factor(client, world, "process-gas", uncertainty_percent="15", uncertainty_basis="published",
                   uncertainty_source="Supplier EPD 2024, table 3").status_code == 201
    for key in ("steel", "cement"):
        assert _factor(client, world, key).status_code == 201  # stating no ±
    report = _inventory(client, world, [
        {"source": "Process vent", "scope": 1, "scope1_subtype": "process", "activity_type": "process",
         "quantity": "50", "unit": "t", "factor_key": "org:process-gas", "uncertainty_percent": "3"},
        {"source": "Steel", "scope": 3, "scope3_category": 1, "activity_type": "material", "quantity": "100",
         "unit": "t", "factor_key": "org:steel", "uncertainty_percent": "10"},
        {"source": "Cement", "scope": 3, "scope3_category": 1, "activity_type": "material", "quantity": "300",
         "unit": "t", "factor_key": "org:cement", "uncertainty_percent": "5"},
    ])
    uncertainty = report["uncertainty"]
    # Scope 1: 50 t, activity ±3 % × factor ±15 % → √(9 + 225) = √234 = 15.297 % (seed 000 §4.7)
    assert D(uncertainty["by_scope"]["1"]).quantize(D("0.001")) == D("15.297")
    # Scope 3: 100 t ±10 % and 300 t ±5 %, factors stating none: √(10² + 15²) / 400 = √325 / 400 = 4.507 %
    assert D(uncertainty["by_scope"]["3"]).quantize(D("0.001")) == D("4.507")
    # Total 450 t: √((3·50)² + (15·50)² + (10·100)² + (5·300)²) = √3,835,000 = 1,958.316 t·% → / 450 = 4.352 %
    assert D(uncertainty["percent"]).quantize(D("0.001")) == D("4.352")
    assert uncertainty["method"] == "error_propagation"
    assert (uncertainty["records_stated"], uncertainty["records_tier_default"]) == (3, 0)
    # the two factors stating no ± leave their part out, and say for how many records
    assert uncertainty["records_without_uncertainty"] == 2
    assert (uncertainty["factors_published"], uncertainty["factors_expert_judgement"],
            uncertainty["factors_without_uncertainty"]) == (1, 0, 2)


def test_a_record_without_a_stated_uncertainty_takes_its_tiers_and_a_stated_one_wins(client, world) -> None:
    report = _inventory(client, world, [
        # estimated (the default tier): ±20 %; R-410A released directly, no factor: expert
        # judgement ±20 % (seed 000 §4.7, a gas without a published factor) → √800 = 28.284 %
        {"source": "Chiller top-up", "scope": 1, "scope1_subtype": "fugitive", "activity_type": "refrigerant",
         "quantity": "10", "unit": "kg", "gas": "R-410A"},
        # metered, whose tier default is ±3 %, states ±1 %: the stated one wins; grid factor
        # (MEE East China 2023) expert judgement ±20 % → √(1 + 400) = √401 = 20.025 % (√409 = 20.224
        # had the tier's 3 % applied)
        {"source": "Grid meter", "scope": 2, "activity_type": "electricity", "quantity": "1000", "unit": "MWh",
         "data_quality": "metered", "uncertainty_percent": "1"},
    ])
    uncertainty = report["uncertainty"]
    assert D(uncertainty["by_scope"]["1"]).quantize(D("0.001")) == D("28.284")
    assert D(uncertainty["by_scope"]["2"]).quantize(D("0.001")) == D("20.025")
    assert (uncertainty["records_stated"], uncertainty["records_tier_default"]) == (1, 1)
    # the grid factor and the gas released directly: both expert judgement
    assert (uncertainty["factors_published"], uncertainty["factors_expert_judgement"]) == (0, 2)
    assert uncertainty["records_without_uncertainty"] == 0
    # Total: 10 kg × 2,255.5 = 22.555 t and 1,000 × 0.55 = 550 t, independent (two factors):
    # √((22.555·√800)² + (550·√401)²) / 572.555 = √(406,986.42 + 121,302,500) / 572.555 = 19.268 %
    assert D(uncertainty["percent"]).quantize(D("0.001")) == D("19.268")


def test_an_organisation_factor_states_its_uncertainty_and_the_api_answers_it(client, world) -> None:
    made = _factor(client, world, "judged", uncertainty_percent="20", uncertainty_basis="expert_judgement",
                   uncertainty_source="No published factor; judged from similar gases")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["uncertainty_percent"], body["uncertainty_basis"]) == ("20", "expert_judgement")
    assert body["uncertainty_source"] == "No published factor; judged from similar gases"
    library = client.get("/api/v1/factors?geography=CN-EAST", headers=world.headers("viewer")).get_json()
    assert {(f["uncertainty_percent"], f["uncertainty_basis"]) for f in library} == {("20", "expert_judgement")}


@pytest.mark.parametrize(("fields", "field"), [
    ({"uncertainty_percent": "-1", "uncertainty_basis": "published", "uncertainty_source": "EPD"}, "uncertainty_percent"),
    ({"uncertainty_percent": "1000.5", "uncertainty_basis": "published", "uncertainty_source": "EPD"}, "uncertainty_percent"),
    ({"uncertainty_percent": "NaN", "uncertainty_basis": "published", "uncertainty_source": "EPD"}, "uncertainty_percent"),
    ({"uncertainty_percent": "Infinity", "uncertainty_basis": "published", "uncertainty_source": "EPD"}, "uncertainty_percent"),
    ({"uncertainty_percent": "5", "uncertainty_basis": "guessed", "uncertainty_source": "EPD"}, "uncertainty_basis"),
    ({"uncertainty_percent": "5"}, "uncertainty_basis"),
    ({"uncertainty_basis": "published", "uncertainty_source": "EPD"}, "uncertainty_percent"),
    ({"uncertainty_percent": "5", "uncertainty_basis": "published"}, "uncertainty_source"),
    ({"uncertainty_source": "EPD"}, "uncertainty_percent"),
])
def test_a_bad_factor_uncertainty_is_refused_naming_the_field_and_nothing_is_written(
        client, world, table_counts, fields, field) -> None:
    before = table_counts()
    refused = _factor(client, world, "bad", **fields)
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] in ("validation_failed", "invalid_input")
    assert field in error["details"], error
    assert table_counts() == before


# --- the form -----------------------------------------------------------------------------------


def _page(world: World) -> str:
    return f"/organisations/{world.org_a}/factors/new"


def _post_form(client: Any, world: World, **fields: Any) -> Any:
    token = csrf(client.get(_page(world)).text)
    return client.post(_page(world), content_type="multipart/form-data", headers={"Accept-Language": "en"}, data={
        "csrf_token": token, "key": "epd-resin", "name": "Resin (EPD)", "kind": "supplier_specific",
        "per_unit": "t", "mass_unit": "t", "gases-0-gas": "CO2e", "gases-0-amount": "2.4",
        "source": "EPD 2024", "publisher": "Resin Co.", "year": "2024", "geography": "CN",
        "evidence": (io.BytesIO(b"%PDF epd"), "epd.pdf"), **fields})


def _lead(client: Any, uow: Any, world: World) -> None:
    from neutrality.access.model import Role
    from neutrality.accounts import services as access
    from tests.factories import ADMIN, create_user

    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=Role.LEAD)
    sign_in(client, user.email)


def test_the_form_adds_a_factor_with_its_uncertainty_and_the_list_shows_it(client, uow, world) -> None:
    _lead(client, uow, world)
    saved = _post_form(client, world, uncertainty_percent="7.5", uncertainty_basis="published",
                       uncertainty_source="EPD 2024 §5")
    assert saved.status_code == 302, saved.text[-1500:]
    listing = client.get(f"/organisations/{world.org_a}/factors", headers={"Accept-Language": "en"}).text
    assert "± 7.5 % · Published with the factor" in listing and "EPD 2024 §5" in listing
    # the next version starts from it
    again = client.get(_page(world) + "?key=epd-resin", headers={"Accept-Language": "en"}).text
    assert 'name="uncertainty_percent" step="any" type="number" value="7.5"' in again
    assert '<option selected value="published">' in again


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"uncertainty_percent": "NaN", "uncertainty_basis": "published", "uncertainty_source": "EPD"},
     "uncertainty_percent", "An uncertainty from 0 to 1000 %."),
    ({"uncertainty_percent": "-2", "uncertainty_basis": "published", "uncertainty_source": "EPD"},
     "uncertainty_percent", "An uncertainty from 0 to 1000 %."),
    ({"uncertainty_percent": "1001", "uncertainty_basis": "published", "uncertainty_source": "EPD"},
     "uncertainty_percent", "An uncertainty from 0 to 1000 %."),
    ({"uncertainty_percent": "5", "uncertainty_basis": "published"},
     "uncertainty_source", "cite the publication that gives the uncertainty"),
    ({"uncertainty_percent": "5"}, "uncertainty_basis", "say whether the uncertainty is published"),
])
def test_the_form_refuses_a_bad_uncertainty_next_to_its_field_and_writes_nothing(
        client, uow, world, table_counts, fields, field, message) -> None:
    _lead(client, uow, world)
    before = table_counts()
    refused = _post_form(client, world, **fields)
    assert refused.status_code == 422
    assert f'id="{field}-error">{message}' in refused.text
    assert table_counts() == before
