"""The OpenAPI document is valid OpenAPI 3.0 and says what the API does: decimals as the strings
they are, bounds as numbers, the error envelope and the errors of every operation, the files of
every upload, a summary and a description for every operation."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_the_served_document_is_valid_openapi_3_0(document) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in OpenAPIV30SpecValidator(document).iter_errors()]
    assert errors == []
    assert len(operations(document)) > 90


def test_a_decimal_is_documented_as_a_string_with_its_bounds_as_numbers(document) -> None:
    share = document["components"]["schemas"]["ExclusionCreate"]["properties"][
        "estimated_share_percent"]
    assert share["type"] == "string"
    assert share["format"] == "decimal"
    assert share["pattern"]
    assert (share["x-minimum"], share["x-maximum"]) == (0, 100)
    assert "at least 0 and at most 100" in share["description"]
    assert "minimum" not in share and "maximum" not in share


def test_an_exclusive_range_is_documented_as_exclusive(document) -> None:
    ncv = document["components"]["schemas"]["OrganisationFactorInUpload"]["properties"]["ncv"]
    assert ncv["x-exclusiveMinimum"] is True
    assert "more than 0" in ncv["description"]


def test_integer_bounds_are_numbers(document) -> None:
    page = next(p for p in document["paths"]["/api/v1/organisations"]["get"]["parameters"]
                if p["name"] == "per_page")
    assert (page["schema"]["minimum"], page["schema"]["maximum"]) == (1, 200)


def test_the_error_schema_is_the_envelope_every_error_answers_with(document) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    assert schemas["Error"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "details"}


def _documented_errors(operation: dict[str, Any]) -> set[int]:
    found = set()
    for status, response in operation["responses"].items():
        if status.isdigit() and int(status) >= 400:
            assert response["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}, status
            found.add(int(status))
    return found


def test_every_operation_documents_the_errors_it_can_answer(document) -> None:
    for method, path, operation in operations(document):
        errors = _documented_errors(operation)
        public = operation.get("security") == []
        assert (401 in errors) is not public, (method, path)
        if "{organisation_id}" in path:
            assert {403, 404, 422} <= errors, (method, path)
        if method != "get":
            assert {409, 503} <= errors, (method, path)
        if "requestBody" in operation:
            assert {400, 422} <= errors, (method, path)
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
            assert 413 in errors, (method, path)
        assert 429 in errors, (method, path)  # every token counts against the limits


def test_every_documented_error_has_an_example_of_the_envelope(document) -> None:
    codes = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
             409: "conflict", 413: "payload_too_large", 422: "validation_failed",
             429: "too_many_requests", 503: "busy"}
    for method, path, operation in operations(document):
        for status in _documented_errors(operation):
            example = operation["responses"][str(status)]["content"]["application/json"][
                "example"]
            assert set(example) == {"error"}, (method, path, status)
            assert set(example["error"]) == {"code", "message", "details"}
            assert example["error"]["code"] == codes[status], (method, path, status)


def test_the_error_answered_matches_the_documented_envelope(client) -> None:
    body = client.get("/api/v1/organisations").get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}


def test_every_upload_documents_its_file_field_in_a_multipart_body(document) -> None:
    schemas = document["components"]["schemas"]
    uploads = {}
    for method, path, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if "multipart/form-data" in content:
            ref = content["multipart/form-data"]["schema"]["$ref"]
            schema = schemas[ref.rsplit("/", 1)[1]]
            uploads[(method, path)] = sorted(
                name for name, field in schema["properties"].items()
                if field.get("format") == "binary" and name in schema["required"])
    assert len(uploads) == 12
    # the verifier's opinion comes with its signed statement
    assert uploads[("post", "/api/v1/organisations/{organisation_id}/inventories/{inventory_id}"
                            "/verification/confirmation")] == ["statement"]
    assert uploads[("post", "/api/v1/organisations/{organisation_id}/measures/{measure_id}/evidence")] == [
        "evidence"]
    assert uploads[("post", "/api/v1/organisations/{organisation_id}/factors")] == ["evidence"]
    assert uploads[("post", "/api/v1/organisations/{organisation_id}/inventories/{inventory_id}"
                            "/imports")] == ["file"]
    assert all(files for files in uploads.values()), uploads


def test_every_operation_has_a_summary_and_a_description(document) -> None:
    missing = [(method, path) for method, path, operation in operations(document)
               if not operation.get("summary") or not operation.get("description")]
    assert missing == []
    summaries = [operation["summary"] for *_, operation in operations(document)]
    assert all("\n" not in summary for summary in summaries)


def test_every_operation_documents_its_success_and_a_download_is_a_binary_file(document) -> None:
    for method, path, operation in operations(document):
        assert any(status.startswith("2") for status in operation["responses"]), (method, path)
    template = document["paths"]["/api/v1/registry-templates/{kind}.csv"]["get"]["responses"]
    assert template["200"]["content"] == {
        "text/csv": {"schema": {"type": "string", "format": "binary"}}}
    invoice = document["paths"][
        "/api/v1/organisations/{organisation_id}/purchases/{purchase_id}/invoice"]["get"]
    assert "application/octet-stream" in invoice["responses"]["200"]["content"]


def _decimals(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, schema in document["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if prop.get("type") == "object" and isinstance(prop.get("additionalProperties"), dict):
                prop = prop["additionalProperties"]
            if prop.get("format") == "decimal":
                found.append((f"{name}.{field}", prop))
    return found


def test_every_decimal_has_an_example_its_pattern_and_bounds_allow(document) -> None:
    decimals = _decimals(document)
    assert len(decimals) > 50
    for where, prop in decimals:
        example = Decimal(prop["example"])
        assert re.fullmatch(prop["pattern"].strip("^$"), prop["example"]), where
        if "x-minimum" in prop:
            low = Decimal(str(prop["x-minimum"]))
            assert example > low if prop.get("x-exclusiveMinimum") else example >= low, where
        if "x-maximum" in prop:
            high = Decimal(str(prop["x-maximum"]))
            assert example < high if prop.get("x-exclusiveMaximum") else example <= high, where


def _inline(schema: Any, schemas: dict[str, Any]) -> Any:
    """The schema with every reference to a component replaced by the component itself."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas)
        return {key: _inline(value, schemas) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline(value, schemas) for value in schema]
    return schema


def test_every_json_body_and_json_answer_has_an_example_that_fits_its_schema(document) -> None:
    from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

    schemas = document["components"]["schemas"]
    missing, misfits, checked = [], [], 0
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        contents = [("request", OAS30WriteValidator,
                     operation.get("requestBody", {}).get("content", {}).get("application/json"))]
        contents += [(status, OAS30ReadValidator, response.get("content", {}).get("application/json"))
                     for status, response in operation["responses"].items()]
        for what, validator, content in contents:
            if content is None or "schema" not in content:
                continue
            if "example" not in content:
                missing.append(f"{where} {what}")
                continue
            checked += 1
            errors = validator(_inline(content["schema"], schemas)).iter_errors(content["example"])
            misfits += [f"{where} {what}: {list(e.absolute_path)} {e.message}" for e in errors]
    assert missing == []
    assert misfits == []
    # every operation answers something in JSON, and about 40 take a JSON body: well over 100
    assert checked > 150


def test_an_example_speaks_of_this_domain_and_a_request_example_is_accepted(client, world, document) -> None:
    site_path = document["paths"]["/api/v1/organisations/{organisation_id}/sites"]
    example = site_path["post"]["requestBody"]["content"]["application/json"]["example"]
    assert (example["country"], example["region"], example["grid_region"]) == ("CN", "CN-JS", "CN-EAST")
    created = client.post(f"/api/v1/organisations/{world.org_a}/sites", json=example,
                          headers=world.headers("lead"))
    assert created.status_code == 201, created.get_json()
    answer = site_path["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert set(answer) == {"items", "page", "per_page", "total", "pages"}
    assert set(answer["items"][0]) == set(created.get_json())


def test_the_activity_example_is_a_record_the_api_takes(client, world, document) -> None:
    path = document["paths"]["/api/v1/organisations/{organisation_id}/inventories/{inventory_id}/activities"]
    example = path["post"]["requestBody"]["content"]["application/json"]["example"]
    record = example["activities"][0]
    # 10,000 m³ of natural gas burnt in a boiler in January 2025 (the world's draft is 2025's)
    assert (record["scope"], record["scope1_subtype"], record["quantity"], record["unit"]) == (
        1, "stationary_combustion", "10000", "m3")
    sent = {"activities": [{**record, "site_id": world.site_a}]}
    added = client.post(f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/activities",
                        json=sent, headers=world.headers("lead"))
    assert added.status_code == 201, added.get_json()
