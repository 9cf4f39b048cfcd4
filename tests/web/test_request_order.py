"""What a request is told first: who is calling (401) before what the path or the body should
have been (422), and a body that is not JSON is refused (400) by every endpoint that reads one,
a PATCH as much as a POST."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import World

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

UNAUTHENTICATED = "sign in or send an API token (Authorization: Bearer …)"
NOT_JSON = "the request body must be JSON, sent with Content-Type: application/json"


def _api_endpoints(app: Any) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every API endpoint, as registered: a new one is covered the
    day it is added."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule, rule.endpoint))
    return found


def _is_public(app: Any, endpoint: str) -> bool:
    view = app.view_functions[endpoint]
    return endpoint.startswith("api-docs.") or getattr(view, "neutrality_public", False)


def _with_ids(rule: str, value: int) -> str:
    return re.sub(r"<int:[a-z_]+>", str(value), re.sub(r"<(?:string:)?[a-z_]+>", "x", rule))


def test_every_api_endpoint_needs_a_caller_except_the_public_ones(app) -> None:
    endpoints = _api_endpoints(app)
    assert len(endpoints) > 60  # the whole API, not a routing accident
    public = sorted({endpoint for _, _, endpoint in endpoints if _is_public(app, endpoint)})
    assert "api-docs.openapi_json" in public


def test_an_anonymous_request_is_answered_401_before_its_query_or_body_is_read(
    client, app, table_counts
) -> None:
    # A bad query string, a body of the wrong shape, and an id no column holds: each would be a
    # 422 for a signed-in caller, and used to be one for anyone.
    before = table_counts()
    answers = {}
    for method, rule, endpoint in _api_endpoints(app):
        if _is_public(app, endpoint):
            continue
        for path in (_with_ids(rule, 1), _with_ids(rule, 2**63)):
            response = client.open(
                path + "?page=0&per_page=100000", method=method, json={"no such field": "\x00"}
            )
            body = response.get_json() or {}
            answers[(method, path)] = (
                response.status_code,
                body.get("error", {}).get("code"),
                body.get("error", {}).get("message"),
            )
    assert {
        key: answer
        for key, answer in answers.items()
        if answer != (401, "unauthenticated", UNAUTHENTICATED)
    } == {}
    assert table_counts() == before


def test_the_openapi_document_is_public(client) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200


def _patches(world: World) -> list[tuple[str, str, str]]:
    """(path, the field a form would change, how to read it back) of every PATCH endpoint."""
    a = f"/api/v1/organisations/{world.org_a}"
    return [
        (a, "name", a),
        (f"{a}/sites/{world.site_a}", "name", f"{a}/sites/{world.site_a}"),
        (f"{a}/subjects/{world.subject_a}", "name", f"{a}/subjects/{world.subject_a}"),
        (
            f"{a}/commitments/{world.commitment_a}",
            "statement",
            f"{a}/commitments/{world.commitment_a}",
        ),
        (f"{a}/projects/{world.project_a}", "name", f"{a}/projects/{world.project_a}"),
    ]


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/x-www-form-urlencoded", "{field}=Renamed", NOT_JSON),
        ("text/plain", '{{"{field}": "Renamed"}}', NOT_JSON),
        (None, "{field}=Renamed", NOT_JSON),
        ("application/json", "", "the request has no body: send a JSON object"),
        (
            "application/json",
            "{field}=Renamed",
            "the request body is not valid JSON (Expecting value at line 1, column 1)",
        ),
    ],
    ids=["form", "text", "no content type", "empty", "not json"],
)
def test_a_patch_whose_body_is_not_json_is_refused_and_changes_nothing(
    client, world, table_counts, index, content_type, body, message
) -> None:
    path, field, read_back = _patches(world)[index]
    headers = {**world.headers("admin")}
    if content_type:
        headers["Content-Type"] = content_type
    shown = client.get(read_back, headers=world.headers("admin")).get_json()
    before = table_counts()

    response = client.patch(path, data=body.format(field=field), headers=headers)

    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == {
        "code": "bad_request",
        "message": message,
        "details": {},
    }
    assert table_counts() == before
    assert client.get(read_back, headers=world.headers("admin")).get_json() == shown


def test_a_post_of_a_form_to_a_json_endpoint_is_refused_as_a_patch_is(
    client, world, table_counts
) -> None:
    before = table_counts()
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/sites",
        headers=world.headers("lead"),
        data={"name": "Factory", "country": "CN", "address": "Road 1"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "bad_request",
        "message": NOT_JSON,
        "details": {},
    }
    assert table_counts() == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_and_are_refused_before_a_json_column_stores_them(
    client, world, table_counts, constant
) -> None:
    before = table_counts()
    body = (
        '{"kind": "carbon_credit", "source_registry": "verra", "registry_project_id": "77010",'
        f' "name": "Labels", "labels": {{"ccp": {constant}}}}}'
    )
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/projects",
        data=body,
        headers={**world.headers("lead"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == {
        "code": "bad_request",
        "details": {},
        "message": f"the request body is not valid JSON ({constant} is not a JSON number)",
    }
    assert table_counts() == before


def test_a_number_too_long_for_python_to_read_is_a_bad_body_not_a_crash(
    client, world, table_counts
) -> None:
    # Python refuses to read an integer of more than 4,300 digits, with a ValueError that is not
    # a JSON decoding error.
    before = table_counts()
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/inventories",
        data='{"period_id": 1' + "0" * 5000 + "}",
        headers={**world.headers("lead"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "bad_request",
        "details": {},
        "message": "the request body is not valid JSON (a number in it has more than 4300 digits)",
    }
    assert table_counts() == before


def test_every_api_blueprint_reads_bodies_as_json_only(app) -> None:
    # The refusals above live in one parser; a blueprint made from flask-smorest's own class
    # would read a form sent to a JSON endpoint as an empty body again.
    import flask_smorest

    from neutrality.web.api import Blueprint

    smorest = {
        name: type(blueprint).__module__
        for name, blueprint in app.blueprints.items()
        if isinstance(blueprint, flask_smorest.Blueprint)
    }
    assert len(smorest) >= 9
    assert {
        name: module
        for name, module in smorest.items()
        if not isinstance(app.blueprints[name], Blueprint)
    } == {}
