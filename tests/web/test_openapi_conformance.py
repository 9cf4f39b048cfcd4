"""The API answers what its OpenAPI document says: schemathesis generates requests for every
operation, as an organisation's lead, as its viewer and with no token, and every answer must be
no server error and must match the response documented for its status.

Bounded so the whole run stays within about a minute: a few examples per operation and caller,
a fixed seed, SQLite only (the document is the same on every backend).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from neutrality.web import ratelimit

EXAMPLES = 3
#: Seconds for the whole run; generation stops early rather than slow the suite down.
BUDGET = 60


def _path_ids(world: Any) -> dict[str, int]:
    """Ids that exist in organisation A, so requests reach the views instead of a 404."""
    return {
        "organisation_id": world.org_a, "site_id": world.site_a, "subject_id": world.subject_a,
        "commitment_id": world.commitment_a, "period_id": world.period_a,
        "exclusion_id": world.exclusion_a, "inventory_id": world.inventory_draft,
        "activity_id": world.activity_draft, "import_id": world.import_draft, "project_id": world.project_a,
        "block_id": world.block_a, "purchase_id": world.purchase_a,
        "retirement_id": world.retirement_a, "invitation_id": world.invitation_new,
        # Not the viewer's: removing the viewer or revoking a token would end the run's callers.
        "user_id": world.users["outsider"], "token_id": world.token_ids["outsider"],
    }


def _run(app: Any, operation: Any, fixed: dict[str, int], who: str, headers: dict[str, str],
         findings: list[str]) -> int:
    """Call one operation as one caller with a few generated requests; the number made."""
    calls = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(path_parameters=fixed))
    def check(case: Any) -> None:
        calls.append(case)
        ratelimit.reset(app)  # the limits are tested elsewhere; here they would answer 429
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance])
        except (AssertionError, FailureGroup) as failure:  # one failure, or several
            findings.append(f"{who} {operation.label}: {str(failure)[:800]}")

    check()
    return len(calls)


def test_every_operation_answers_as_documented_for_a_lead_a_viewer_and_no_token(
        app, client, world, backend) -> None:
    if backend != "sqlite":
        pytest.skip("the document is the same on every backend; one run is enough")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = _path_ids(world)
    callers = {"lead": world.headers("lead"), "viewer": world.headers("viewer"), "nobody": {}}
    findings: list[str] = []
    runs = operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        fixed = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        for who, headers in callers.items():
            if time.monotonic() - started < BUDGET:
                runs += _run(app, operation, fixed, who, headers, findings)
    assert operations > 90
    assert runs >= operations * len(callers)
    assert findings == [], "\n\n".join(findings)
