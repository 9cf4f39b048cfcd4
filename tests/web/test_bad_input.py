"""Malformed or meaningless input gets a precise 4xx in the error envelope and writes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.factories import World, organisation_payload

A = "/api/v1/organisations/{org}"


# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def _post(client: Any, world: World, path: str, body: Any, who: str = "lead") -> Any:
    return client.post(path.format(org=world.org_a), json=body, headers=world.headers(who))


def test_rejects_unknown_fields_and_names_them(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, "/api/v1/organisations",
                         organisation_payload(colour="green"), who="admin"), 422, "validation_failed")
    assert error["details"] == {"colour": ["Unknown field."]}
    assert table_counts() == before


def test_rejects_missing_required_fields_and_names_each(client, world, table_counts) -> None:
    before = table_counts()
    payload = organisation_payload()
    del payload["legal_name"], payload["consolidation_justification"]
    error = _error(_post(client, world, "/api/v1/organisations", payload, who="admin"),
                   422, "validation_failed")
    assert set(error["details"]) == {"legal_name", "consolidation_justification"}
    assert table_counts() == before


def test_rejects_wrong_types(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + "/commitments", {
        "subject_id": "first", "standard": "iso_14068_1_2023", "statement": "x",
        "baseline_date": "01/01/2024", "first_qualification_date": "2025-01-01",
        "period_length_months": "twelve"}), 422, "validation_failed")
    assert set(error["details"]) == {"subject_id", "baseline_date", "period_length_months"}
    assert table_counts() == before


def test_rejects_a_blank_required_text(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + "/sites", {"name": "   ", "country": "CN", "address": "x"}),
                   422, "validation_failed")
    assert "name" in error["details"]
    assert table_counts() == before


def test_rejects_a_body_that_is_not_json(client, world, table_counts) -> None:
    before = table_counts()
    response = client.post(f"/api/v1/organisations/{world.org_a}/sites", data="name=x",
                           headers={**world.headers("lead"), "Content-Type": "application/json"})
    error = _error(response, 400, "bad_request")
    assert error["details"] == {}
    assert table_counts() == before


def test_rejects_a_period_that_overlaps_an_existing_one(client, world, table_counts) -> None:
    # The world's commitment already has period 1 = 2024-01-01 – 2024-12-31.
    before = table_counts()
    error = _error(_post(client, world, A + f"/commitments/{world.commitment_a}/periods",
                         {"start_date": "2024-07-01", "end_date": "2025-06-30"}),
                   422, "invalid_period_sequence")
    assert "overlaps period 1" in error["message"]
    assert error["details"] == {"overlaps_period": 1}
    assert table_counts() == before


def test_rejects_a_period_that_leaves_a_gap(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + f"/commitments/{world.commitment_a}/periods",
                         {"start_date": "2025-02-01", "end_date": "2026-01-31"}),
                   422, "invalid_period_sequence")
    assert "gap" in error["message"]
    # Period 1 ends 2024-12-31, so the next one must start the day after.
    assert error["details"] == {"expected_start_date": "2025-01-01"}
    assert table_counts() == before


def test_rejects_a_period_of_the_wrong_length(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + f"/commitments/{world.commitment_a}/periods",
                         {"start_date": "2025-01-01", "end_date": "2025-06-30"}),
                   422, "invalid_period_sequence")
    # 12-month periods: 2025-01-01 + 12 months − 1 day = 2025-12-31.
    assert error["details"] == {"expected_end_date": "2025-12-31"}
    assert table_counts() == before


def test_rejects_a_first_qualification_date_before_the_baseline(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + "/commitments", {
        "subject_id": world.subject_a, "standard": "iso_14068_1_2023", "statement": "x",
        "baseline_date": "2024-01-01", "first_qualification_date": "2023-12-31"}),
        422, "invalid_input")
    assert "first_qualification_date" in error["details"]
    assert "after the baseline date" in error["message"]
    assert table_counts() == before


def test_rejects_two_consolidation_approaches_at_once(client, world, table_counts) -> None:
    before = table_counts()
    payload = organisation_payload(consolidation_approach=["operational_control", "equity_share"])
    error = _error(_post(client, world, "/api/v1/organisations", payload, who="admin"),
                   422, "validation_failed")
    assert "consolidation_approach" in error["details"]
    assert table_counts() == before


def test_rejects_a_change_to_the_approach_already_in_use(client, world, table_counts) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + "/consolidation-approach", {
        "approach": "operational_control", "justification": "same", "effective_from": "2030-01-01",
        "reason": "none"}), 409, "conflict")
    assert "exactly one consolidation approach" in error["message"]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/v1/organisations/{other}", {"contact_phone": "1"}),
        ("POST", "/api/v1/organisations/{other}/sites", {"name": "x", "country": "CN", "address": "x"}),
        ("GET", "/api/v1/organisations/{other}/commitments", None),
        ("POST", "/api/v1/organisations/{other}/members", {"email": "x@example.test", "role": "lead"}),
    ],
)
def test_refuses_an_organisation_another_tenant_owns(client, world, table_counts, method, path, body) -> None:
    before = table_counts()
    response = client.open(path.format(other=world.org_b), method=method, json=body,
                           headers=world.headers("lead"))
    error = _error(response, 404, "not_found")
    assert error["message"] == f"organisation {world.org_b} not found"
    assert table_counts() == before


def test_refuses_a_subject_built_from_another_tenants_site(client, uow, world, table_counts) -> None:
    # The lead of organisation B tries to include organisation A's site in one of B's subjects.
    before = table_counts()
    response = client.post(f"/api/v1/organisations/{world.org_b}/subjects",
                           json={"name": "Sneaky", "kind": "site", "site_id": world.site_a},
                           headers=world.headers("outsider"))
    error = _error(response, 404, "not_found")
    assert f"site {world.site_a} not found in organisation {world.org_b}" == error["message"]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "country": "XX", "address": "x"}, "country"),
        ({"name": "x", "country": "CN", "region": "CN-ZZ", "address": "x"}, "region"),
        ({"name": "x", "country": "CN", "region": "CN-JS", "grid_region": "HK-CLP", "address": "x"}, "grid_region"),
    ],
)
def test_rejects_an_impossible_site_location(client, world, table_counts, body, field) -> None:
    before = table_counts()
    error = _error(_post(client, world, A + "/sites", body), 422, "invalid_input")
    assert field in error["details"]
    assert table_counts() == before


@pytest.mark.parametrize("share", ["-1", "100.5", "1e400"])
def test_rejects_an_exclusion_share_outside_0_to_100(client, world, table_counts, share) -> None:
    before = table_counts()
    response = _post(client, world, A + f"/subjects/{world.subject_a}/exclusions",
                     {"item": "x", "reason": "y", "estimated_share_percent": share})
    assert response.status_code == 422
    assert "estimated_share_percent" in response.get_json()["error"]["details"]
    assert table_counts() == before


def test_refuses_a_body_larger_than_the_upload_limit(client, world, table_counts) -> None:
    before = table_counts()
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.post(f"/api/v1/organisations/{world.org_a}/sites", data=b"x" * (limit + 1),
                           headers={**world.headers("lead"), "Content-Type": "application/json"})
    _error(response, 413, "payload_too_large")
    assert table_counts() == before


def test_refuses_changing_period_dates_once_periods_exist(client, world, table_counts) -> None:
    before = table_counts()
    response = client.patch(f"/api/v1/organisations/{world.org_a}/commitments/{world.commitment_a}",
                            json={"period_length_months": 6}, headers=world.headers("lead"))
    error = _error(response, 409, "conflict")
    assert error["details"] == {"period_length_months": ["frozen: periods exist"]}
    assert table_counts() == before


def test_refuses_to_remove_the_last_lead(client, world, table_counts) -> None:
    before = table_counts()
    response = client.delete(f"/api/v1/organisations/{world.org_a}/members/{world.users['lead']}",
                             headers=world.headers("admin"))
    error = _error(response, 409, "conflict")
    assert error["message"] == "an organisation keeps at least one lead; appoint another first"
    assert error["details"] == {}
    assert table_counts() == before


def test_refuses_an_unknown_or_malformed_token(client, world) -> None:
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer ntr_nope"}), 401, "unauthenticated")
    _error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthenticated")


@pytest.mark.parametrize("path", ["registry-imports", "retirement-imports", "retirement-reconciliations"])
def test_rejects_an_upload_whose_file_name_is_too_long(client, world, table_counts, path) -> None:
    # 256 characters: one more than filesystems allow (past 300 the name would not fit the columns
    # that keep it, and PostgreSQL would refuse the row)
    before = table_counts()
    response = client.post(f"/api/v1/organisations/{world.org_a}/{path}", headers=world.headers("lead"),
                           content_type="multipart/form-data",
                           data={**({} if path == "registry-imports" else {"period_id": str(world.period_verified)}),
                                 "file": (io.BytesIO(b"ID,Name\n1,x\n"), "x" * 252 + ".csv")})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"] == {"file": ["file name too long"]}
    assert table_counts() == before
