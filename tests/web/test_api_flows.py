"""The API used as a lead would: set up an organisation, its boundary, a commitment, periods."""

from __future__ import annotations

from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import sign_in
from tests.factories import ADMIN, create_user, organisation_payload

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def test_admin_creates_an_organisation_with_its_first_lead_and_the_change_is_audited(client, uow, world) -> None:
    lead = create_user(uow)
    response = client.post("/api/v1/organisations", headers=world.headers("admin"),
                           json=organisation_payload(name="Sunrise", lead_email=lead.email))
    assert response.status_code == 201, response.get_json()
    org = response.get_json()
    assert org["consolidation_approach"] == "operational_control"

    members = client.get(f"/api/v1/organisations/{org['id']}/members", headers=world.headers("admin")).get_json()
    assert [(m["email"], m["role"]) for m in members["items"]] == [(lead.email, "lead")]

    history = client.get(f"/api/v1/organisations/{org['id']}/consolidation-approach",
                         headers=world.headers("admin")).get_json()["items"]
    assert [(h["approach"], h["reason"]) for h in history] == [("operational_control", "initial choice")]

    audit = client.get(f"/api/v1/organisations/{org['id']}/audit", headers=world.headers("admin")).get_json()
    actions = [e["action"] for e in audit["items"]]
    assert actions == ["membership.create", "organisation.create"]  # newest first
    created = audit["items"][1]
    assert created["before"] is None and created["after"]["name"] == "Sunrise"


def test_updates_record_before_and_after_in_the_audit_log(client, world) -> None:
    path = f"/api/v1/organisations/{world.org_a}/sites/{world.site_a}"
    old = client.get(path, headers=world.headers("lead")).get_json()
    assert client.patch(path, json={"description": "Cell lines 1–4"}, headers=world.headers("lead")).status_code == 200
    entry = client.get(f"/api/v1/organisations/{world.org_a}/audit",
                       headers=world.headers("verifier")).get_json()["items"][0]
    assert entry["action"] == "site.update"
    assert entry["actor_user_id"] == world.users["lead"]
    assert entry["before"]["description"] == old["description"]
    assert entry["after"]["description"] == "Cell lines 1–4"


def test_a_jiangsu_site_defaults_to_the_east_china_grid(client, world) -> None:
    site = client.post(f"/api/v1/organisations/{world.org_a}/sites", headers=world.headers("lead"),
                       json={"name": "Wuxi", "country": "CN", "region": "CN-JS", "address": "无锡"}).get_json()
    assert site["grid_region"] == "CN-EAST"
    # Moving the site to Sichuan re-derives the grid: Sichuan is on the Southwest grid.
    moved = client.patch(f"/api/v1/organisations/{world.org_a}/sites/{site['id']}", headers=world.headers("lead"),
                         json={"region": "CN-SC"}).get_json()
    assert (moved["region"], moved["grid_region"]) == ("CN-SC", "CN-SOUTHWEST")


def test_periods_are_generated_consecutively_from_the_commitment(client, world) -> None:
    base = f"/api/v1/organisations/{world.org_a}/commitments"
    commitment = client.post(base, headers=world.headers("lead"), json={
        "subject_id": world.subject_a, "standard": "iso_14068_1_2023", "statement": "Neutral from 2024.",
        "baseline_date": "2024-01-01", "first_qualification_date": "2025-01-01",
    }).get_json()
    created = client.post(f"{base}/{commitment['id']}/periods/generate", json={"count": 2},
                          headers=world.headers("lead"))
    assert created.status_code == 201
    # Baseline 2024-01-01, first qualification 2025-01-01: period 1 is calendar 2024;
    # period 2 follows the next day and lasts the default 12 months.
    assert [(p["sequence"], p["start_date"], p["end_date"], p["status"]) for p in created.get_json()] == [
        (1, "2024-01-01", "2024-12-31", "open"),
        (2, "2025-01-01", "2025-12-31", "open"),
    ]
    more = client.post(f"{base}/{commitment['id']}/periods/generate", json={"through": "2027-06-30"},
                       headers=world.headers("lead")).get_json()
    # 2026 and 2027 are needed for the periods to reach 2027-06-30.
    assert [(p["start_date"], p["end_date"]) for p in more] == [
        ("2026-01-01", "2026-12-31"), ("2027-01-01", "2027-12-31")]
    listed = client.get(f"{base}/{commitment['id']}/periods?per_page=3", headers=world.headers("viewer")).get_json()
    assert (listed["total"], listed["pages"], len(listed["items"])) == (4, 2, 3)


def test_an_extended_first_period_needs_the_historic_reductions_flag(client, world) -> None:
    payload = {"subject_id": world.subject_a, "standard": "pas_2060_2014", "statement": "x",
               "baseline_date": "2022-07-01", "first_qualification_date": "2024-01-01"}
    base = f"/api/v1/organisations/{world.org_a}/commitments"
    refused = client.post(base, json=payload, headers=world.headers("lead"))
    assert refused.status_code == 422
    assert "longer than 12 months" in refused.get_json()["error"]["message"]
    accepted = client.post(base, json={**payload, "first_period_includes_historic_reductions": True},
                           headers=world.headers("lead"))
    assert accepted.status_code == 201
    periods = client.post(f"{base}/{accepted.get_json()['id']}/periods/generate", json={"count": 2},
                          headers=world.headers("lead")).get_json()
    # 18-month first period (2022-07-01 – 2023-12-31), then a regular 12-month one.
    assert [(p["start_date"], p["end_date"], p["includes_historic_reductions"]) for p in periods] == [
        ("2022-07-01", "2023-12-31", True), ("2024-01-01", "2024-12-31", False)]


def test_a_consolidation_change_is_kept_in_the_history(client, world) -> None:
    path = f"/api/v1/organisations/{world.org_a}/consolidation-approach"
    response = client.post(path, headers=world.headers("lead"), json={
        "approach": "equity_share", "justification": "Joint venture with a 60 % stake.",
        "effective_from": "2030-01-01", "reason": "Merger of the module business into a JV."})
    assert response.status_code == 201
    org = client.get(f"/api/v1/organisations/{world.org_a}", headers=world.headers("viewer")).get_json()
    assert org["consolidation_approach"] == "equity_share"
    history = client.get(path, headers=world.headers("viewer")).get_json()["items"]
    assert [h["approach"] for h in history] == ["operational_control", "equity_share"]
    earlier = client.post(path, headers=world.headers("lead"), json={
        "approach": "financial_control", "justification": "x", "effective_from": "2025-06-01", "reason": "y"})
    assert earlier.status_code == 422  # before the 2030 change: must take effect after it


def test_an_organisation_subject_lists_its_sites_and_exclusions(client, world) -> None:
    base = f"/api/v1/organisations/{world.org_a}/subjects"
    subject = client.post(base, headers=world.headers("lead"), json={
        "name": "Group", "kind": "organisation", "site_ids": [world.site_a]}).get_json()
    assert (subject["kind"], subject["site_id"], subject["site_ids"]) == ("organisation", None, [world.site_a])
    exclusion = client.post(f"{base}/{subject['id']}/exclusions", headers=world.headers("lead"), json={
        "item": "Company cars", "reason": "Leased, under 1 %", "estimated_share_percent": "0.75"}).get_json()
    assert exclusion["estimated_share_percent"] == "0.75"  # exact, as a string
    fetched = client.get(f"{base}/{subject['id']}", headers=world.headers("viewer")).get_json()
    assert [e["item"] for e in fetched["exclusions"]] == ["Company cars"]


def test_tokens_can_be_listed_and_revoked_and_a_revoked_token_stops_working(client, world) -> None:
    created = client.post("/api/v1/tokens", json={"name": "nightly import", "expires_in_days": 30},
                          headers=world.headers("procurement")).get_json()
    assert created["token"].startswith("ntr_") and created["prefix"] == created["token"][:8]
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["user_id"] == world.users["procurement"]
    listed = client.get("/api/v1/tokens", headers=headers).get_json()["items"]
    assert all("token" not in t for t in listed)
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=world.headers("procurement")).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_openapi_document_describes_every_endpoint_with_schemas(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/organisations/{organisation_id}/commitments/{commitment_id}/periods/generate" in spec["paths"]
    assert {"OrganisationCreate", "CommitmentCreate", "Period"} <= set(spec["components"]["schemas"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_an_unknown_api_path_answers_in_the_error_envelope(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_pages_sign_in_with_csrf_and_show_the_organisation(client, uow, world) -> None:
    user = create_user(uow, email="pagelead@example.test")
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=Role.LEAD)
    page = client.get("/login")
    assert page.status_code == 200
    no_token = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert no_token.status_code == 400  # CSRF token missing
    wrong = client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": _csrf(page.text)})
    assert wrong.status_code == 401 and "wrong e-mail or password" in wrong.text
    signed_in = client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                            "csrf_token": _csrf(client.get("/login").text)})
    assert signed_in.status_code == 302
    home = client.get("/")
    assert "Org" in home.text and f"/organisations/{world.org_a}" in home.text
    # the dashboard links each period to its page; the particulars list the periods' dates
    dashboard = client.get(f"/organisations/{world.org_a}")
    assert f"/organisations/{world.org_a}/periods/{world.period_a}" in dashboard.text
    particulars = client.get(f"/organisations/{world.org_a}/particulars")
    assert "2024-01-01" in particulars.text and "2024-12-31" in particulars.text

    # The same session on the API: reads work, writes need the CSRF token in a header.
    api = f"/api/v1/organisations/{world.org_a}/sites"
    assert client.get(api).status_code == 200
    refused = client.post(api, json={"name": "x", "country": "CN", "address": "x"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.post(api, json={"name": "x", "country": "CN", "address": "x"},
                           headers={"X-CSRFToken": _csrf(client.get("/login").text)})
    assert accepted.status_code == 201


def test_pages_send_anonymous_visitors_to_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/login").headers["X-Frame-Options"] == "DENY"


def test_pages_speak_the_browsers_chinese_script(client) -> None:
    # Taiwan and Hong Kong browsers read Traditional characters, mainland ones Simplified.
    assert "登入" in client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"}).text
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "fr-FR,en;q=0.5"}).text


def test_the_organisation_page_names_codes_in_the_readers_language(client, uow, world) -> None:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=Role.VIEWER)
    sign_in(client, user.email)
    page = client.get(f"/organisations/{world.org_a}/particulars", headers={"Accept-Language": "zh-CN"}).text
    # The world's factory is in Jiangsu (CN-JS) on the East China grid; its organisation is a
    # private enterprise under operational control; its first period is open.
    for text in ("江苏省 (CN-JS)", "华东电网 (CN-EAST)", "民营企业", "运营控制权法", "进行中"):
        assert text in page
    hant = client.get(f"/organisations/{world.org_a}/particulars", headers={"Accept-Language": "zh-HK"}).text
    assert "江蘇省 (CN-JS)" in hant and "營運控制權法" in hant


def test_json_answers_carry_chinese_text_as_text(client, world) -> None:
    created = client.post(f"/api/v1/organisations/{world.org_a}/sites", headers=world.headers("lead"),
                          json={"name": "盐城工厂", "country": "CN", "region": "CN-JS", "address": "盐城市"})
    assert created.status_code == 201, created.get_json()
    # the bytes of the answer hold the UTF-8 of 盐城工厂, not the escapes \u76d0\u57ce…
    assert "盐城工厂".encode() in created.data
    assert b"\\u76d0" not in created.data
    assert created.content_type == "application/json"
