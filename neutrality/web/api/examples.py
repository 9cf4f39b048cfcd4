"""Examples for the OpenAPI document: every JSON request body and every JSON answer gets one.

An example is built from the schema it illustrates, so that it always fits it: a field's own
``example`` when it has one (decimals have), else the first value of its enum, else a value of
this domain chosen by the field's name (a factory in Suzhou on the East China grid, a Verra
serial, a PAS 2060 commitment…), else a value of its type and format within its bounds. The
examples are checked against their schemas by the tests, so a schema change that an example no
longer fits fails there, not in a reader's client.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

#: Values by field name, for strings that say more than "string" (all fit the fields' limits).
_BY_NAME: dict[str, Any] = {
    "name": "Suzhou module plant",
    "legal_name": "苏州光伏组件有限公司",
    "english_name": "Suzhou PV Modules Co., Ltd.",
    "organisation_name": "Suzhou PV Modules Co., Ltd.",
    "display_name": "Li Wei",
    "email": "lead@factory.example.cn",
    "lead_email": "lead@factory.example.cn",
    "contact_email": "carbon@factory.example.cn",
    "contact_person": "Li Wei",
    "contact_phone": "+86 512 6666 0000",
    "legal_representative": "Wang Fang",
    "registered_address": "88 Xinghu Street, Suzhou Industrial Park, Jiangsu",
    "production_address": "88 Xinghu Street, Suzhou Industrial Park, Jiangsu",
    "address": "88 Xinghu Street, Suzhou Industrial Park, Jiangsu",
    "unified_social_credit_code": "91320900MA1XY40A3B",
    "industry_category": "C3825 photovoltaic equipment and components",
    "industry_code": "C3825",
    "nature_of_enterprise": "private",
    "country": "CN",
    "region": "CN-JS",
    "grid_region": "CN-EAST",
    "geography": "CN",
    "market": "CN",
    "currency": "CNY",
    "locale": "zh_Hans",
    "source": "Boiler natural gas",
    "supplier": "Jiangsu Green Power Trading Co.",
    "publisher": "Ministry of Ecology and Environment",
    "factor_key": "cnguide2015:natural_gas:combustion",
    "key": "resin",
    "unit": "MWh",
    "per_unit": "t",
    "mass_unit": "t",
    "ncv_unit": "GJ/t",
    "serial": "1-1001-2000-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
    "raw_serial": "1-1001-2000-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
    "registry_project_id": "3005",
    "registry": "verra",
    "source_registry": "verra",
    "registry_reference": "VCS-RET-2025-000123",
    "registry_link": "https://registry.verra.org/app/projectDetail/VCS/3005",
    "gec_project_code": "12345678901234567",
    "methodology": "AMS-I.D.",
    "project_type": "renewable energy",
    "technology": "solar PV",
    "proponent": "Tongxu Biogas Co.",
    "beneficiary": "Suzhou PV Modules Co., Ltd.",
    "beneficiary_text": "Suzhou PV Modules Co., Ltd., for its 2025 carbon neutrality",
    "purpose": "carbon neutrality of the 2025 application period",
    "account": "SUZHOU-PV-01",
    "delivery_account": "SUZHOU-PV-01",
    "contract_reference": "PPA-2025-017",
    "statement": "Suzhou PV Modules Co., Ltd. commits to carbon neutrality of its Suzhou plant",
    "reason": "the December electricity bill arrived after verification",
    "justification": "site under operational control since 2019",
    "consolidation_justification": "the company operates every site it reports",
    "explanation": "residual emissions after the measures of the reduction plan",
    "description": "Main production site",
    "note": "checked against the registry's public report",
    "filename": "activities-2025.csv",
    "evidence": "meter-readings-2025.pdf",
    "evidence_filename": "epd.pdf",
    "invoice_filename": "invoice-2025-03.pdf",
    "statement_filename": "verification-statement.pdf",
    "label": "ci-uploads",
    "prefix": "ntk_3f9a",
    "token": "ntk_3f9a1c0e7b5d4a2f9e8c7b6a5d4c3b2a",
    "password": "correct horse battery staple",
    "current_password": "correct horse battery staple",
    "new_password": "a longer passphrase of mine",
    "url": "https://registry.verra.org/app/search/VCS",
    "link": "https://neutrality.example.cn/invitations/8d3f0c",
    "created_by": "lead@factory.example.cn",
    "recorded_by": "procurement@factory.example.cn",
    "opened_by": "procurement@factory.example.cn",
    "resolved_by": "admin@neutrality.example.cn",
    "actor_label": "lead@factory.example.cn",
    "entity_type": "activity_import",
    "entity_id": "17",
    "action": "inventory.import",
    "message": "the same units are claimed by another holder; a site administrator decides",
    "sentence": "Carbon neutrality of the Suzhou plant for 2025 achieved in accordance with ISO 14068-1:2023.",
    "encoding": "utf-8",
    "factor_library_version": "2026.1",
    "version": "1",
    "scheme": "VCU",
    "standard": "iso_14068_1_2023",
    "fingerprint": "9f2c4e1a7b3d5f6081a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
    "sha256": "9f2c4e1a7b3d5f6081a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
}
#: Dates by field name: a 2025 period, its January bill, a 2022 vintage, a 2030 deadline.
_DATES_BY_NAME = {
    "start_date": "2025-01-01", "end_date": "2025-01-31", "baseline_date": "2024-01-01",
    "first_qualification_date": "2025-01-01", "neutrality_deadline": "2030-12-31",
    "commitment_until": "2030-12-31", "vintage_start": "2022-01-01", "vintage_end": "2022-10-31",
    "vintage_from": "2022-01-01", "vintage_to": "2022-12-31", "retired_on": "2026-03-15",
    "verified_on": "2026-04-20", "through": "2027-12-31", "effective_from": "2025-01-01",
    "crediting_period_start": "2019-01-01", "crediting_period_end": "2028-12-31",
    "commissioning_date": "2018-06-30", "contract_date": "2025-02-10",
}
_DATES = {"date": "2025-03-31", "date-time": "2025-04-02T08:30:00Z"}
#: Integers by field name.
_INTEGERS = {
    "year": 2024, "base_year": 2024, "target_year": 2030, "period_length_months": 12,
    "quantity": 1000, "scope": 1, "count": 1, "vintage": 2022, "row": 2,
}
#: How deep an example follows nested schemas (the API's own nest three or four deep).
_DEPTH = 6


def with_examples(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with an example for each JSON request body and JSON answer that has none."""
    schemas = document.get("components", {}).get("schemas", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "schema" in body and "example" not in body:
                body["example"] = example_of(body["schema"], schemas, reading=False)
            for status, response in operation.get("responses", {}).items():
                answer = response.get("content", {}).get("application/json")
                if str(status).startswith("2") and answer and "schema" in answer and "example" not in answer:
                    answer["example"] = example_of(answer["schema"], schemas, reading=True)
    return document


def example_of(schema: Mapping[str, Any], schemas: Mapping[str, Any], *, reading: bool,
               name: str = "", depth: int = 0) -> Any:
    """An example of ``schema`` (``reading``: as answered, with read-only fields; else as sent,
    with write-only fields). ``name`` is the property it is the value of."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if "enum" in schema:
        return schema["enum"][0]
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return example_of(schema[combined][0], schemas, reading=reading, name=name, depth=depth)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object":
        if depth >= _DEPTH:
            return {}
        # An answer shows every field; a request the required ones and those this module
        # knows a telling value for (an optional field given a made-up value could contradict
        # another: a Scope 3 category on a Scope 1 record).
        skipped = "writeOnly" if reading else "readOnly"
        required = set(schema.get("required", ()))
        value = {
            key: example_of(field, schemas, reading=reading, name=key, depth=depth + 1)
            for key, field in schema.get("properties", {}).items()
            if not _resolve(field, schemas).get(skipped)
            and (reading or key in required or _telling(key, _resolve(field, schemas)))
        }
        extra = schema.get("additionalProperties")
        if not schema.get("properties") and isinstance(extra, dict):
            value = {"CO2": example_of(extra, schemas, reading=reading, name="CO2", depth=depth + 1)}
        return value
    if kind == "array":
        item = example_of(schema.get("items", {}), schemas, reading=reading, name=name, depth=depth + 1)
        return [item] * max(1, schema.get("minItems", 1))
    if kind in ("integer", "number"):
        return _integer(schema, name)
    if kind == "boolean":
        return False
    if kind == "string":
        return _string(schema, name)
    return None


def _telling(name: str, schema: Mapping[str, Any]) -> bool:
    # (every decimal has an example of its bounds: that alone does not make an optional one telling)
    given = "example" in schema and schema.get("format") != "decimal"
    return name in _BY_NAME or name in _DATES_BY_NAME or name in _INTEGERS or given


def _resolve(schema: Mapping[str, Any], schemas: Mapping[str, Any]) -> Mapping[str, Any]:
    return schemas[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema


def _integer(schema: Mapping[str, Any], name: str) -> int:
    value = _INTEGERS.get(name, 1)
    if "minimum" in schema:
        low = int(schema["minimum"])
        value = max(value, low + 1 if schema.get("exclusiveMinimum") else low)
    if "maximum" in schema:
        high = int(schema["maximum"])
        value = min(value, high - 1 if schema.get("exclusiveMaximum") else high)
    return value


def _string(schema: Mapping[str, Any], name: str) -> str:
    if schema.get("format") in _DATES and name in _DATES_BY_NAME:
        return _DATES_BY_NAME[name] + ("T08:30:00Z" if schema["format"] == "date-time" else "")
    text = _DATES.get(schema.get("format", "")) or ("lead@factory.example.cn" if schema.get("format") == "email" else None)
    if text is None:
        text = str(_BY_NAME.get(name, name.replace("_", " ") or "text"))
    if "maxLength" in schema:
        text = text[: schema["maxLength"]]
    if len(text) < schema.get("minLength", 0):
        text = text.ljust(schema["minLength"], "x")
    return text
