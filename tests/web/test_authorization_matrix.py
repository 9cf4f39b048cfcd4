"""Every API endpoint × every kind of caller → allowed, or refused with the right status.

Callers: a site administrator; the lead, procurement, verifier and viewer of organisation A; the
lead of organisation B (an outsider to A); and an anonymous caller. Refusals: 401 for anonymous,
404 for a user with no role in the organisation (tenants do not learn of each other), 403 for a
member whose role lacks the permission or a non-administrator on an administrator endpoint.

Every case starts from the same world (tests/factories.py), built once per backend for the
module; each case's writes are rolled back before the next (the ``shared_world`` mark, see
tests/conftest.py), so an allowed write in one case cannot make another case pass or fail.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.factories import HELD_VCU, OTHER_VCU, World

#: Where the statements issued here say they are published (printed in their footers)
ADDRESS = "https://neutrality.example.org/declarations/1/1"

CALLERS = ("admin", "lead", "procurement", "verifier", "viewer", "outsider", "anonymous")
EVERYONE = frozenset(CALLERS)
SIGNED_IN = EVERYONE - {"anonymous"}
READ = frozenset({"admin", "lead", "procurement", "verifier", "viewer"})
LEAD = frozenset({"admin", "lead"})
AUDIT = frozenset({"admin", "lead", "verifier"})
ADMIN = frozenset({"admin"})
INVITEE = frozenset({"viewer"})

pytestmark = pytest.mark.shared_world

A = "/api/v1/organisations/{w.org_a}"
INV = A + "/inventories/{w.inventory_draft}"
VER = A + "/inventories/{w.inventory_verified}"
Body = Callable[[World], Any] | None
MANAGE_INVENTORY = LEAD
RECORD_VERIFICATION = frozenset({"admin", "lead", "verifier"})
MANAGE_INSTRUMENTS = frozenset({"admin", "lead", "procurement"})
RETIRE = LEAD
VERIFY = frozenset({"admin", "verifier"})  # review comments and opinions: the appointed verifier


class Form(dict):
    """A multipart/form-data body (files as (bytes, filename) tuples)."""


def _csv_file(w: World) -> tuple[Any, str]:
    text = ("site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key\n"
            f"{w.site_a},Diesel,1,stationary_combustion,fuel,100,L,2025-01-01,2025-01-31,"
            "cnguide2015:gas_diesel_oil:combustion\n")
    return io.BytesIO(text.encode()), "diesel.csv"


def _verra_file(w: World) -> tuple[Any, str]:
    # one held row of the Verra transactions export (project 3866, 15,000 VCUs), its header as published
    text = ("Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,"
            "Project Type,Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
            "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details\n"
            "2026-04-01,,2022-01-01,2022-12-31,3866,Another biogas project,China,Waste handling and disposal,"
            f"ACM0010,\"15,000\",\"15,000\",{OTHER_VCU},,,,,\n")
    return io.BytesIO(text.encode()), "verra.csv"


def _verra_retirement_file(w: World) -> tuple[Any, str]:
    # the first 10 units of block_a (HELD_VCU), retired at Verra for organisation A
    serial = HELD_VCU.replace("941412554", "941382751")
    header, _ = _verra_file(w)[0].getvalue().decode().split("\n", 1)
    row = (f"2023-05-10,,2022-01-01,2022-10-31,3005,Tongxu Biogas Recovery,China,Waste handling and disposal,"
           f"ACM0010,\"29,913\",10,{serial},,2025-03-01,Factory A,Voluntary,Factory A 2024\n")
    return io.BytesIO(f"{header}\n{row}".encode()), "verra-retirements.csv"


def _purchase_form(w: World) -> Form:
    return Form({"scheme": "VCU", "supplier": "Broker", "contract_reference": "X-1", "contract_date": "2026-06-01",
                 "quantity": "100", "unit_price": "7", "currency": "USD", "delivery_account": "Main",
                 "invoice": (io.BytesIO(b"%PDF invoice"), "invoice.pdf")})


def _new_record(w: World) -> dict[str, Any]:
    return {"activities": [{"site_id": w.site_a, "source": "Forklift LPG", "scope": 1,
                            "scope1_subtype": "mobile_combustion", "activity_type": "fuel", "quantity": "40",
                            "unit": "kg", "start_date": "2025-02-01", "end_date": "2025-02-28",
                            "factor_key": "ipcc2006:lpg:road"}]}

#: (method, path template, request body, callers allowed, scope of the refusal)
#: scope "org": non-members of organisation A get 404; scope "global": non-admins get 403.
MATRIX: list[tuple[str, str, Body, frozenset[str], str]] = [
    ("GET", "/api/v1/openapi.json", None, EVERYONE, "global"),
    ("GET", "/api/v1/docs/", None, EVERYONE, "global"),
    ("GET", "/api/v1/docs/start.js", None, EVERYONE, "global"),
    ("GET", "/api/v1/docs/assets/swagger-ui.css", None, EVERYONE, "global"),
    ("GET", "/api/v1/me", None, SIGNED_IN, "global"),
    ("PATCH", "/api/v1/me", lambda w: {"locale": "zh_Hant"}, SIGNED_IN, "global"),
    ("GET", "/api/v1/tokens", None, SIGNED_IN, "global"),
    ("POST", "/api/v1/tokens", lambda w: {"name": "script"}, SIGNED_IN, "global"),
    ("DELETE", "/api/v1/tokens/{own_token}", None, SIGNED_IN, "global"),
    ("GET", "/api/v1/users", None, ADMIN, "global"),
    ("POST", "/api/v1/users", lambda w: {"email": "new@example.test", "display_name": "New",
                                         "password": "long enough pw"}, ADMIN, "global"),
    ("PATCH", "/api/v1/users/{viewer_id}", lambda w: {"is_active": False}, ADMIN, "global"),
    ("GET", "/api/v1/organisations", None, SIGNED_IN, "global"),
    ("POST", "/api/v1/organisations", lambda w: {
        "name": "New Org", "legal_name": "新公司", "nature_of_enterprise": "private",
        "legal_representative": "王五", "registered_address": "上海", "production_address": "上海",
        "industry_category": "光伏", "contact_person": "赵六", "country": "CN",
        "consolidation_approach": "equity_share", "consolidation_justification": "Joint ventures."},
        ADMIN, "global"),
    ("GET", A, None, READ, "org"),
    ("PATCH", A, lambda w: {"contact_phone": "+86 21 0000"}, LEAD, "org"),
    ("GET", A + "/consolidation-approach", None, READ, "org"),
    ("POST", A + "/consolidation-approach", lambda w: {
        "approach": "financial_control", "justification": "Acquired a stake.",
        "effective_from": "2030-01-01", "reason": "acquisition"}, LEAD, "org"),
    ("GET", A + "/sites", None, READ, "org"),
    ("POST", A + "/sites", lambda w: {"name": "New site", "country": "CN", "region": "CN-ZJ",
                                      "address": "浙江省"}, LEAD, "org"),
    ("GET", A + "/sites/{w.site_a}", None, READ, "org"),
    ("PATCH", A + "/sites/{w.site_a}", lambda w: {"description": "Updated"}, LEAD, "org"),
    ("GET", A + "/subjects", None, READ, "org"),
    ("POST", A + "/subjects", lambda w: {"name": "Whole company", "kind": "organisation",
                                         "site_ids": [w.site_a]}, LEAD, "org"),
    ("GET", A + "/subjects/{w.subject_a}", None, READ, "org"),
    ("PATCH", A + "/subjects/{w.subject_a}", lambda w: {"description": "Boundary"}, LEAD, "org"),
    ("POST", A + "/subjects/{w.subject_a}/exclusions", lambda w: {
        "item": "Forklift LPG", "reason": "immaterial", "estimated_share_percent": "0.1"}, LEAD, "org"),
    ("DELETE", A + "/subjects/{w.subject_a}/exclusions/{w.exclusion_a}", None, LEAD, "org"),
    ("GET", A + "/members", None, READ, "org"),
    ("POST", A + "/members", lambda w: {"email": w.candidate_email, "role": "viewer"}, LEAD, "org"),
    ("PATCH", A + "/members/{viewer_id}", lambda w: {"role": "verifier"}, LEAD, "org"),
    ("DELETE", A + "/members/{viewer_id}", None, LEAD, "org"),
    ("GET", A + "/invitations", None, LEAD, "org"),
    ("DELETE", A + "/invitations/{w.invitation_new}", None, LEAD, "org"),
    # Only the person invited answers (organisation B invited A's viewer), whatever the caller's
    # powers; the link alone lets someone without an account create it and accept.
    ("POST", "/api/v1/invitations/accept", lambda w: {"token": w.invitation_known_token}, INVITEE, "global"),
    ("POST", "/api/v1/invitations/decline", lambda w: {"token": w.invitation_known_token}, INVITEE, "global"),
    ("POST", "/api/v1/invitations/new-account", lambda w: {
        "token": w.invitation_new_token, "display_name": "New Person", "password": "long enough pw"},
     EVERYONE, "global"),
    ("POST", "/api/v1/me/password", lambda w: {"current_password": "correct horse battery",
                                               "new_password": "another long one"}, SIGNED_IN, "global"),
    ("GET", A + "/audit", None, AUDIT, "org"),
    ("GET", A + "/audit/chain", None, AUDIT, "org"),
    ("GET", A + "/commitments", None, READ, "org"),
    ("POST", A + "/commitments", lambda w: {
        "subject_id": w.subject_a, "standard": "pas_2060_2014", "statement": "Historic claim.",
        "baseline_date": "2022-01-01", "first_qualification_date": "2023-01-01"}, LEAD, "org"),
    ("GET", A + "/commitments/{w.commitment_a}", None, READ, "org"),
    ("PATCH", A + "/commitments/{w.commitment_a}", lambda w: {"offset_strategy": "CCER"}, LEAD, "org"),
    ("GET", A + "/commitments/{w.commitment_a}/periods", None, READ, "org"),
    ("POST", A + "/commitments/{w.commitment_a}/periods", lambda w: {
        "start_date": "2025-01-01", "end_date": "2025-12-31"}, LEAD, "org"),
    ("POST", A + "/commitments/{w.commitment_a}/periods/generate", lambda w: {"count": 1}, LEAD, "org"),
    ("DELETE", A + "/commitments/{w.commitment_a}/periods/{w.period_a}", None, LEAD, "org"),
    ("GET", "/api/v1/factors", None, SIGNED_IN, "global"),
    ("GET", "/api/v1/activity-templates/electricity.csv", None, SIGNED_IN, "global"),
    ("GET", A + "/factors", None, READ, "org"),
    ("POST", A + "/factors", lambda w: Form({
        "key": "steam", "name": "Steam from the park utility", "kind": "supplier_specific", "per_unit": "GJ",
        "mass_unit": "kg", "gases": '{"CO2": "95"}', "source": "Utility letter", "publisher": "Park utility",
        "year": "2024", "geography": "CN-JS", "evidence": (io.BytesIO(b"letter"), "letter.pdf")}),
        MANAGE_INVENTORY, "org"),
    ("GET", A + "/inventories", None, READ, "org"),
    ("POST", A + "/inventories", lambda w: {"period_id": w.period_a}, MANAGE_INVENTORY, "org"),
    ("GET", INV, None, READ, "org"),
    ("POST", VER + "/versions", lambda w: {"reason": "Late invoice"}, MANAGE_INVENTORY, "org"),
    ("GET", INV + "/activities", None, READ, "org"),
    ("POST", INV + "/activities", _new_record, MANAGE_INVENTORY, "org"),
    ("DELETE", INV + "/activities/{w.activity_draft}", None, MANAGE_INVENTORY, "org"),
    ("GET", INV + "/activities/{w.activity_draft}/trail", None, READ, "org"),
    ("GET", INV + "/imports", None, READ, "org"),
    ("GET", A + "/column-mappings", None, READ, "org"),
    ("DELETE", A + "/column-mappings/{w.column_mapping}", None, MANAGE_INVENTORY, "org"),
    ("DELETE", INV + "/imports/{w.import_draft}", None, MANAGE_INVENTORY, "org"),
    ("GET", INV + "/metering", None, READ, "org"),
    ("POST", INV + "/imports", lambda w: Form({"file": _csv_file(w)}), MANAGE_INVENTORY, "org"),
    ("GET", INV + "/report", None, READ, "org"),
    ("GET", INV + "/completeness", None, READ, "org"),
    ("PUT", INV + "/completeness", lambda w: {"scope": 3, "category": "11", "status": "not_applicable",
                                              "reason": "Modules use no energy in use"}, MANAGE_INVENTORY, "org"),
    ("POST", A + "/inventories/{w.inventory_external}/external-totals",
     lambda w: {"totals": [{"scope": 1, "gas": "CO2", "tco2e": "10"}]}, MANAGE_INVENTORY, "org"),
    ("POST", INV + "/verification", lambda w: Form({
        "body": "Verifier Co.", "accreditation": "CNAS", "assurance_level": "limited",
        "materiality_percent": "5", "opinion": "Unmodified.", "verified_on": "2026-03-01",
        "statement": (io.BytesIO(b"%PDF statement"), "statement.pdf")}), RECORD_VERIFICATION, "org"),
    ("GET", A + "/commitments/{w.commitment_b}/base-year-check", None, READ, "org"),
    ("GET", A + "/targets", None, READ, "org"),
    ("POST", A + "/targets", lambda w: {
        "kind": "absolute", "scopes": [1], "base_year": 2024, "base_value": "1000", "target_year": 2030,
        "reduction_percent": "30"}, LEAD, "org"),
    ("GET", A + "/targets/{target_id}", None, READ, "org"),
    ("GET", A + "/targets/{target_id}/progress", None, READ, "org"),
    ("PUT", A + "/periods/{w.period_verified}/output", lambda w: {"quantity": "1200", "unit": "MWh"}, LEAD, "org"),
    ("GET", A + "/periods/{w.period_verified}/reductions", None, READ, "org"),
    ("GET", VER + "/verification", None, READ, "org"),
    ("GET", "/api/v1/schemes", None, SIGNED_IN, "global"),
    ("GET", "/api/v1/registry-templates/gec_account.csv", None, SIGNED_IN, "global"),
    ("GET", A + "/projects", None, READ, "org"),
    ("POST", A + "/projects", lambda w: {"kind": "eac", "source_registry": "gec", "registry_project_id": "P1",
                                         "name": "Wind farm", "country": "CN", "technology": "wind"},
     MANAGE_INSTRUMENTS, "org"),
    ("GET", A + "/projects/{w.project_a}", None, READ, "org"),
    ("PATCH", A + "/projects/{w.project_a}", lambda w: {"labels": {"ccp": False}}, MANAGE_INSTRUMENTS, "org"),
    ("GET", A + "/blocks", None, READ, "org"),
    ("POST", A + "/blocks", lambda w: {"scheme": "VCU", "serial": OTHER_VCU, "quantity": 15_000,
                                       "project_id": w.project_b}, MANAGE_INSTRUMENTS, "org"),
    ("GET", A + "/blocks/{w.block_a}", None, READ, "org"),
    ("POST", A + "/blocks/{w.block_a}/split", lambda w: {"quantity": 100}, MANAGE_INSTRUMENTS, "org"),
    ("POST", A + "/blocks/{w.block_a}/status", lambda w: {"status": "reserved", "reason": "for 2024"},
     MANAGE_INSTRUMENTS, "org"),
    ("GET", A + "/purchases", None, READ, "org"),
    ("POST", A + "/purchases", _purchase_form, MANAGE_INSTRUMENTS, "org"),
    ("GET", A + "/purchases/{w.purchase_a}", None, READ, "org"),
    ("GET", A + "/purchases/{w.purchase_a}/invoice", None, READ, "org"),
    ("GET", A + "/registry-imports", None, READ, "org"),
    ("POST", A + "/registry-imports", lambda w: Form({"file": _verra_file(w)}), MANAGE_INSTRUMENTS, "org"),
    ("GET", A + "/holdings", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/needs", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/balance", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/findings", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/readiness", None, READ, "org"),
    ("GET", "/api/v1/rule-sets", None, SIGNED_IN, "global"),
    ("GET", A + "/retirements", None, READ, "org"),
    # spreadsheets of what the JSON endpoints above answer: the same callers
    ("GET", VER + "/report.xlsx", None, READ, "org"),
    ("GET", VER + "/report.csv", None, READ, "org"),
    ("GET", A + "/holdings.xlsx", None, READ, "org"),
    ("GET", A + "/holdings.csv", None, READ, "org"),
    ("GET", A + "/retirements.xlsx", None, READ, "org"),
    ("GET", A + "/retirements.csv", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/balance.xlsx", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/balance.csv", None, READ, "org"),
    ("POST", A + "/retirements", lambda w: Form({
        "period_id": str(w.period_verified), "block_id": str(w.block_a), "quantity": "10",
        "beneficiary_text": "Factory A", "purpose": "2024 neutrality", "retired_on": "2025-03-01",
        "registry_reference": "R-2", "evidence": (io.BytesIO(b"%PDF cert"), "cert.pdf")}), RETIRE, "org"),
    ("GET", A + "/retirements/{w.retirement_a}", None, READ, "org"),
    ("GET", A + "/retirements/{w.retirement_a}/evidence", None, READ, "org"),
    ("POST", A + "/retirements/{w.retirement_a}/reversal", lambda w: {"reason": "wrong period"}, RETIRE, "org"),
    ("POST", A + "/retirement-imports", lambda w: Form({
        "period_id": str(w.period_verified), "file": _verra_retirement_file(w)}), RETIRE, "org"),
    ("POST", A + "/retirement-reconciliations", lambda w: Form({"file": _verra_retirement_file(w)}), READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/retirement-plan", None, READ, "org"),
    ("POST", A + "/periods/{w.period_verified}/retirement-plan/reservation",
     lambda w: {"lines": [{"block_id": w.block_a, "quantity": 10}]}, MANAGE_INSTRUMENTS, "org"),
    ("POST", A + "/periods/{w.period_verified}/retirement-plan", lambda w: Form({
        "lines": json.dumps([{"block_id": w.block_a, "quantity": 10}]), "beneficiary_text": "Factory A",
        "purpose": "2024 neutrality", "retired_on": "2025-03-01", "registry_reference": "R-3",
        "evidence": (io.BytesIO(b"%PDF statement"), "statement.pdf")}), RETIRE, "org"),
    ("GET", VER + "/verification/statement", None, READ, "org"),
    # contests over serials: site administrators only ({contest_id}: B entered block_a's serials;
    # {resolved_contest_id}: the same, resolved for the holders)
    ("GET", "/api/v1/contests", None, ADMIN, "global"),
    ("GET", "/api/v1/contests/{contest_id}", None, ADMIN, "global"),
    ("POST", "/api/v1/contests/{contest_id}/resolution", lambda w: Form({
        "keep": "holders", "reason": "The registry statement shows the holder's account.",
        "evidence": (io.BytesIO(b"%PDF statement"), "statement.pdf")}), ADMIN, "global"),
    ("GET", "/api/v1/contests/{resolved_contest_id}/evidence", None, ADMIN, "global"),
    # the register of reduction measures ({measure_id}: a measure of A, made for the case)
    ("GET", A + "/measures", None, READ, "org"),
    ("POST", A + "/measures", lambda w: {"title_en": "LED lighting", "category": "lighting"}, LEAD, "org"),
    ("GET", A + "/measures/{measure_id}", None, READ, "org"),
    ("PATCH", A + "/measures/{measure_id}", lambda w: {"status": "in_progress"}, LEAD, "org"),
    ("PUT", A + "/measure-weights", lambda w: {
        "feasibility": "2", "impact": "1", "cost_benefit": "1", "stakeholder_expectations": "1",
        "compliance": "1", "innovation": "1"}, LEAD, "org"),
    ("POST", A + "/measures/{measure_id}/evidence", lambda w: Form({
        "evidence": (io.BytesIO(b"%PDF meter readings"), "meter.pdf")}), LEAD, "org"),
    # the verifier's workspace ({comment_id}: a review comment on period_verified, made for the case)
    ("GET", A + "/verification-workspace", None, READ, "org"),
    ("GET", A + "/periods/{w.period_verified}/review-comments", None, READ, "org"),
    ("POST", A + "/periods/{w.period_verified}/review-comments", lambda w: {"body": "Why?"}, VERIFY, "org"),
    ("GET", A + "/review-comments/{comment_id}", None, READ, "org"),
    ("POST", A + "/review-comments/{comment_id}/answers", lambda w: {"body": "Because."}, MANAGE_INVENTORY, "org"),
    ("POST", A + "/review-comments/{comment_id}/replies", lambda w: {"body": "And?"}, VERIFY, "org"),
    ("POST", A + "/review-comments/{comment_id}/closure", lambda w: {}, VERIFY, "org"),
    ("POST", VER + "/verification/confirmation", lambda w: Form({
        "assurance_level": "limited", "conclusion": "Fairly stated.", "issued_on": "2025-04-01",
        "statement": (io.BytesIO(b"%PDF opinion"), "opinion.pdf")}), VERIFY, "org"),
    ("GET", A + "/periods/{w.period_verified}/evidence-pack.zip", None, READ, "org"),
    # issued statements ({statement_id}: version 1 of period_verified's ISO 14068-1 report, made for the case)
    ("POST", A + "/periods/{w.period_verified}/statements", lambda w: {"kind": "cn_zero_carbon_factory"}, LEAD, "org"),
    ("GET", A + "/periods/{w.period_verified}/statements", None, READ, "org"),
    ("GET", A + "/statements/{statement_id}", None, READ, "org"),
    ("GET", A + "/statements/{statement_id}.pdf", None, READ, "org"),
    ("POST", A + "/statements/{statement_id}/publication", None, LEAD, "org"),
    ("POST", A + "/statements/{statement_id}/withdrawal", lambda w: {"reason": "Restated."}, LEAD, "org"),
]


def _statement(uow: Any, w: World) -> int:
    """Version 1 of period_verified's ISO 14068-1 report, issued by the administrator."""
    import datetime as dt

    from neutrality.statements import versions
    from tests.factories import ADMIN as SITE_ADMIN

    return versions.issue_statement(uow(), SITE_ADMIN, w.org_a, w.period_verified, "iso_14068_1_report",
                                    issued_on=dt.date(2026, 12, 5), published_at=ADDRESS).id


def _review_comment(uow: Any, w: World) -> int:
    """A review comment of A's verifier on period_verified."""
    import datetime as dt

    from neutrality.accounts import services as access
    from neutrality.verification import services as verification

    verifier = access.load_actor(uow(), w.users["verifier"])
    return verification.open_comment(uow(), verifier, w.org_a, w.period_verified, body="Meter of March?",
                                     as_of=dt.date(2026, 12, 5)).id


def _measure(uow: Any, w: World) -> int:
    """A measure of organisation A (a pump's efficiency)."""
    from neutrality.reductions import services as reductions
    from tests.factories import ADMIN as SITE_ADMIN

    return reductions.create_measure(uow(), SITE_ADMIN, w.org_a, {
        "title_en": "Pump VSD", "category": "energy_efficiency"}).id
def _target(uow: Any, w: World) -> int:
    """A reduction target of organisation A over commitment B's inventories."""
    from neutrality.reductions import target_services
    from tests.factories import ADMIN as SITE_ADMIN

    return target_services.create_target(uow(), SITE_ADMIN, w.org_a, {
        "commitment_id": w.commitment_b, "kind": "absolute", "scopes": [2], "scope2_basis": "location_based",
        "base_year": 2024, "base_value": "660", "target_year": 2030, "reduction_percent": "30"}).id


def _contest(uow: Any, w: World, *, resolved: bool) -> int:
    """Organisation B enters block_a's serials: a contest (resolved for A when asked)."""
    import datetime as dt

    from neutrality.pagination import Page
    from neutrality.registry import contests, held_blocks, projects
    from tests.factories import ADMIN as SITE_ADMIN
    from tests.factories import verra_project

    project = projects.create_project(uow(), SITE_ADMIN, w.org_b, verra_project("3005", "Biogas"))
    block = held_blocks.add_block(uow(), SITE_ADMIN, w.org_b, {
        "scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project.id},
        as_of=dt.date(2026, 11, 1))
    assert block.status == "contested"
    [contest] = contests.list_contests(uow(), SITE_ADMIN, Page(1, 50), status="open").items
    if resolved:
        reason = "The registry statement shows the holder's account."
        contests.resolve(uow(), SITE_ADMIN, contest.contest.id, {"keep": "holders", "reason": reason},
                         evidence=b"%PDF statement", evidence_filename="statement.pdf")
    return contest.contest.id


#: The reference's page and files, which the OpenAPI document does not describe (it describes
#: itself neither): each answers 200.
_UNDOCUMENTED = ("/api/v1/openapi.json", "/api/v1/docs/")


@pytest.fixture(scope="module")
def declared_success(app: Flask) -> dict[tuple[str, str], int]:
    """(method, route) → the one success status the OpenAPI document declares for it."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    declared = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            [success] = [int(status) for status in operation["responses"] if status.startswith("2")]
            declared[(method.upper(), path)] = success
    return declared


def _expected_success(declared: dict[tuple[str, str], int], method: str, template: str) -> int:
    if template.startswith(_UNDOCUMENTED):
        return 200
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", _rule(template))
    return declared[(method, path)]


def _expected_refusal(caller: str, scope: str) -> int:
    if caller == "anonymous":
        return 401
    if scope == "org" and caller == "outsider":
        return 404
    return 403


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("method", "template", "body", "allowed", "scope"),
    MATRIX,
    ids=[f"{m} {t}" for m, t, *_ in MATRIX],
)
def test_endpoint_allows_exactly_the_roles_in_the_matrix(
    client: Any, uow: Any, world: World, caller: str, method: str, template: str, body: Body,
    allowed: frozenset[str], scope: str, declared_success: dict[tuple[str, str], int],
) -> None:
    contests = {name: _contest(uow, world, resolved=name.startswith("resolved"))
                for name in ("contest_id", "resolved_contest_id") if f"{{{name}}}" in template}
    measures = {"measure_id": _measure(uow, world)} if "{measure_id}" in template else {}
    if "{target_id}" in template:
        contests["target_id"] = _target(uow, world)
    if "{comment_id}" in template:
        contests["comment_id"] = _review_comment(uow, world)
    if "{statement_id}" in template:
        contests["statement_id"] = _statement(uow, world)
    path = template.format(
        w=world,
        own_token=world.token_ids.get(caller, 1),
        viewer_id=world.users["viewer"],
        **contests,
        **measures,
    )
    payload = body(world) if body else None
    if isinstance(payload, Form):
        response = client.open(path, method=method, data=dict(payload), content_type="multipart/form-data",
                               headers=world.headers(caller))
    else:
        response = client.open(path, method=method, json=payload, headers=world.headers(caller))
    if caller in allowed:
        expected = _expected_success(declared_success, method, template)
        assert response.status_code == expected, (response.status_code, response.get_json())
    else:
        assert response.status_code == _expected_refusal(caller, scope), response.get_json()
        assert response.get_json()["error"]["code"] in {"unauthenticated", "forbidden", "not_found"}


#: The world's values in the matrix's paths, and the part of the route each stands for.
_PLACEHOLDERS = (
    ("{w.org_a}", "<int:organisation_id>"),
    ("{w.site_a}", "<int:site_id>"), ("{w.subject_a}", "<int:subject_id>"),
    ("{w.exclusion_a}", "<int:exclusion_id>"), ("{viewer_id}", "<int:user_id>"),
    ("{w.commitment_a}", "<int:commitment_id>"), ("{w.commitment_b}", "<int:commitment_id>"), ("{w.period_a}", "<int:period_id>"),
    ("{own_token}", "<int:token_id>"),
    ("{w.inventory_draft}", "<int:inventory_id>"), ("{w.inventory_verified}", "<int:inventory_id>"),
    ("{w.inventory_external}", "<int:inventory_id>"), ("{w.activity_draft}", "<int:activity_id>"),
    ("{w.import_draft}", "<int:import_id>"), ("{w.column_mapping}", "<int:mapping_id>"),
    ("electricity.csv", "<string:activity_type>.csv"), ("gec_account.csv", "<string:kind>.csv"),
    ("{w.project_a}", "<int:project_id>"), ("{w.block_a}", "<int:block_id>"),
    ("{w.purchase_a}", "<int:purchase_id>"), ("{w.period_verified}", "<int:period_id>"),
    ("{w.retirement_a}", "<int:retirement_id>"), ("{w.invitation_new}", "<int:invitation_id>"),
    ("swagger-ui.css", "<name>"),
    ("{contest_id}", "<int:contest_id>"), ("{resolved_contest_id}", "<int:contest_id>"),
    ("{measure_id}", "<int:measure_id>"),
    ("{target_id}", "<int:target_id>"),
    ("{comment_id}", "<int:comment_id>"),
    ("{statement_id}", "<int:version_id>"),
)


def _rule(template: str) -> str:
    """The route a matrix path calls, as Flask writes it (``<int:organisation_id>``)."""
    for placeholder, converter in _PLACEHOLDERS:
        template = template.replace(placeholder, converter)
    return template


def test_matrix_covers_every_api_endpoint(app: Flask) -> None:
    normalised = {(method, _rule(template)) for method, template, *_ in MATRIX}
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - normalised == set(), "endpoints missing from the authorisation matrix"
    assert normalised - routes == set(), "matrix rows for endpoints that do not exist"


def test_outsider_sees_only_its_own_organisations_in_the_list(client: Any, world: World) -> None:
    listed = client.get("/api/v1/organisations", headers=world.headers("outsider")).get_json()
    assert [o["id"] for o in listed["items"]] == [world.org_b]
    assert listed["total"] == 1
