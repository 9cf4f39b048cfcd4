"""Text a database cannot store is refused at the edge, naming the field, whatever the schema:
a NUL character (PostgreSQL refuses it in any text; SQLite used to store it) and a lone surrogate
(not UTF-8, so neither driver can send it)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.factories import site_payload, verra_project

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

A = "/api/v1/organisations/{org}"
NUL = "The text contains a NUL character (U+0000), which cannot be stored."
SURROGATE = "The text contains a lone surrogate (U+D800 to U+DFFF), which is not valid Unicode."


def _refused(response: Any, code: str = "validation_failed") -> dict[str, Any]:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    return error["details"]


def _post_json(client: Any, world: Any, path: str, body: Any) -> Any:
    return client.post(path.format(org=world.org_a), json=body, headers=world.headers("lead"))


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (A + "/sites", lambda w: site_payload(name="Fac\x00tory"), "name"),
        (
            A + "/commitments",
            lambda w: {
                "subject_id": w.subject_a,
                "standard": "iso_14068_1_2023",
                "statement": "We commit.",
                "baseline_date": "2024-01-01",
                "first_qualification_date": "2025-01-01",
                "planned_measures": ["Heat pumps", "Roof solar\x00"],
            },
            "planned_measures.1",
        ),
        (
            A + "/inventories/{draft}/activities",
            lambda w: {
                "activities": [
                    {
                        "site_id": w.site_a,
                        "source": "Grid\x00",
                        "scope": 2,
                        "activity_type": "electricity",
                        "quantity": "1",
                        "unit": "MWh",
                        "start_date": "2025-03-01",
                        "end_date": "2025-03-31",
                    }
                ]
            },
            "activities.0.source",
        ),
        (
            A + "/projects",
            lambda w: {**verra_project("77002", "Labelled"), "labels": {"ccp": "yes\x00"}},
            "labels.ccp",
        ),
        # A key that cannot be stored is named by the object that holds it.
        (
            A + "/projects",
            lambda w: {**verra_project("77003", "Labelled"), "labels": {"c\x00cp": True}},
            "labels",
        ),
    ],
)
def test_a_nul_in_any_text_of_a_json_body_is_refused_naming_the_field(
    client, world, table_counts, path, body, field
) -> None:
    before = table_counts()
    response = _post_json(
        client, world, path.replace("{draft}", str(world.inventory_draft)), body(world)
    )
    assert _refused(response) == {field: [NUL]}
    assert table_counts() == before


def test_a_lone_surrogate_is_refused_as_text_that_is_not_unicode(
    client, world, table_counts
) -> None:
    before = table_counts()
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/sites",
        data=json.dumps(site_payload(address="\ud800 Road")),
        headers={**world.headers("lead"), "Content-Type": "application/json"},
    )
    assert _refused(response) == {"address": [SURROGATE]}
    assert table_counts() == before


def test_a_nul_in_a_query_string_is_refused_naming_the_parameter(client, world) -> None:
    response = client.get(
        f"/api/v1/organisations/{world.org_a}/blocks?scheme=VCU%00", headers=world.headers("viewer")
    )
    assert _refused(response) == {"scheme": [NUL]}


def test_a_nul_in_a_form_field_or_in_the_json_it_carries_is_refused(
    client, world, table_counts
) -> None:
    before = table_counts()
    form = {
        "key": "steam",
        "name": "Steam",
        "kind": "supplier_specific",
        "per_unit": "GJ",
        "mass_unit": "kg",
        "source": "Utility letter",
        "publisher": "Park utility\x00",
        "year": "2024",
        "geography": "CN-JS",
        "gases": json.dumps({"CO2": "95", "N2O": "1\x00"}),
    }
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/factors",
        headers=world.headers("lead"),
        data={**form, "evidence": (io.BytesIO(b"letter"), "letter.pdf")},
        content_type="multipart/form-data",
    )
    # The form's own text is checked before any field is read; then the JSON a field carries.
    assert _refused(response, "invalid_input") == {"publisher": [NUL]}
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/factors",
        headers=world.headers("lead"),
        data={
            **form,
            "publisher": "Park utility",
            "evidence": (io.BytesIO(b"letter"), "letter.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert _refused(response, "invalid_input") == {"gases.N2O": [NUL]}
    assert table_counts() == before


def test_a_nul_in_an_uploaded_file_name_is_refused_naming_the_field(client, world, table_counts) -> None:
    # The name of the evidence file is stored with the factor (and shown again on every
    # download): a NUL there would be stored on SQLite and a server error on PostgreSQL.
    before = table_counts()
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/factors",
        headers=world.headers("lead"),
        data={"key": "steam", "name": "Steam", "kind": "supplier_specific", "per_unit": "GJ",
              "mass_unit": "kg", "source": "Utility letter", "publisher": "Park utility", "year": "2024",
              "geography": "CN-JS", "gases": json.dumps({"CO2": "95"}),
              "evidence": (io.BytesIO(b"letter"), "letter\x00.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["details"]) == ("invalid_input", {"evidence": ["file name contains a NUL"]})
    assert table_counts() == before
