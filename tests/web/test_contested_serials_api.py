"""Contested serials through the API: units another organisation holds are accepted only as
contested, never retired, reserved or planned until a site administrator resolves the contest.

The world (tests/factories.py): organisation A holds block_a, the Verra sample's 29,813 VCUs of
issuance 1310 (941,382,742 … 941,412,554), and retired 100 VCUs of issuance 1311 for its 2024
period (retirement_a, 950,000,001 … 950,000,100). Organisation B is an outsider to A with its
own lead. B typing in A's serials is the case of the issue: the thief (or the mistaken) comes
second; the refusals B gets must read the same whether A holds the units or retired them, and
name no one.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest

from tests.factories import HELD_VCU, OTHER_VCU, RETIRED_VCU, World

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

#: The only words a lead reads about a contest, whoever holds the units and however.
CONTESTED_RETIRING = (
    "these serials cannot be retired: they are contested; "
    "a site administrator will review the evidence"
)
CONTESTED_RESERVING = (
    "these serials cannot be reserved: they are contested; "
    "a site administrator will review the evidence"
)
#: The first 100 units of block_a: 941,382,841 − 941,382,742 + 1 = 100.
FIRST_100_OF_HELD = HELD_VCU.replace("941412554", "941382841")


def _a(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _b(world: World) -> str:
    return f"/api/v1/organisations/{world.org_b}"


def _b_enters(client: Any, world: World, serial: str, quantity: int, project: str = "3005") -> Any:
    """Organisation B's lead types in a Verra block (with a project record of its own)."""
    outsider = world.headers("outsider")
    recorded = client.get(f"{_b(world)}/projects", headers=outsider).get_json()["items"]
    project_id = next((p["id"] for p in recorded if p["registry_project_id"] == project), None)
    if project_id is None:
        project_id = client.post(
            f"{_b(world)}/projects",
            headers=outsider,
            json={
                "kind": "carbon_credit",
                "source_registry": "verra",
                "registry_project_id": project,
                "name": "Biogas",
            },
        ).get_json()["id"]
    return client.post(
        f"{_b(world)}/blocks",
        headers=outsider,
        json={"scheme": "VCU", "serial": serial, "quantity": quantity, "project_id": project_id},
    )


def _retirement_form(period_id: int, block_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "period_id": str(period_id),
        "block_id": str(block_id),
        "beneficiary_text": "Factory A",
        "purpose": "Carbon neutrality, 2024",
        "retired_on": "2025-03-15",
        "registry_reference": "R-1",
        "evidence": (io.BytesIO(b"%PDF-1.4 certificate"), "cert.pdf"),
        **fields,
    }


def _retire(client: Any, base: str, who: str, world: World, period_id: int, block_id: int) -> Any:
    return client.post(
        f"{base}/retirements",
        content_type="multipart/form-data",
        headers=world.headers(who),
        data=_retirement_form(period_id, block_id),
    )


def _period_of_b(client: Any, world: World) -> int:
    """A 2024 application period of organisation B (a site subject and a commitment)."""
    outsider = world.headers("outsider")
    site = client.post(
        f"{_b(world)}/sites",
        headers=outsider,
        json={"name": "B factory", "country": "CN", "region": "CN-JS", "address": "江苏省"},
    ).get_json()
    subject = client.post(
        f"{_b(world)}/subjects",
        headers=outsider,
        json={"name": "B", "kind": "site", "site_id": site["id"]},
    ).get_json()
    commitment = client.post(
        f"{_b(world)}/commitments",
        headers=outsider,
        json={
            "subject_id": subject["id"],
            "standard": "iso_14068_1_2023",
            "statement": "B commits.",
            "baseline_date": "2024-01-01",
            "first_qualification_date": "2025-01-01",
        },
    ).get_json()
    periods = client.post(
        f"{_b(world)}/commitments/{commitment['id']}/periods/generate",
        headers=outsider,
        json={"count": 1},
    )
    assert periods.status_code == 201, periods.get_json()
    return periods.get_json()[0]["id"]


def _contests(client: Any, world: World, **query: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/contests", query_string=query, headers=world.headers("admin"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _resolve(client: Any, world: World, contest_id: int, **fields: Any) -> Any:
    form = {
        "keep": "holders",
        "reason": "The registry statement shows the units in the holder's account.",
        "evidence": (b"%PDF-1.4 registry statement", "statement.pdf"),
        **fields,
    }
    if form["evidence"] is not None:
        content, name = form["evidence"]
        form["evidence"] = (io.BytesIO(content), name)
    return client.post(
        f"/api/v1/contests/{contest_id}/resolution",
        content_type="multipart/form-data",
        headers=world.headers("admin"),
        data={k: v for k, v in form.items() if v is not None},
    )


def _audit(client: Any, world: World, base: str, who: str) -> list[dict[str, Any]]:
    response = client.get(
        f"{base}/audit", query_string={"per_page": 200}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _block(client: Any, world: World, base: str, block_id: int) -> dict[str, Any]:
    return client.get(f"{base}/blocks/{block_id}", headers=world.headers("admin")).get_json()


# --- entering serials another organisation holds -------------------------------------------------


def test_serials_another_organisation_holds_are_accepted_only_as_contested(client, world) -> None:
    response = _b_enters(client, world, HELD_VCU, 29_813)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "contested"
    # A's own block is untouched: still held, whole
    block_a = _block(client, world, _a(world), world.block_a)
    assert (block_a["status"], block_a["quantity"]) == ("held", 29_813)


def test_serials_nobody_else_holds_are_held_as_before(client, world) -> None:
    response = _b_enters(client, world, OTHER_VCU, 15_000, project="3866")

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "held"
    assert _contests(client, world) == []


def test_a_contested_block_cannot_be_retired_and_the_refusal_names_no_one(
    client, world, table_counts
) -> None:
    block = _b_enters(client, world, HELD_VCU, 29_813).get_json()
    period_b = _period_of_b(client, world)
    before = table_counts()

    response = _retire(client, _b(world), "outsider", world, period_b, block["id"])

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"] == {
        "code": "contested",
        "message": CONTESTED_RETIRING,
        "details": {"block_id": ["contested"]},
    }
    assert table_counts() == before


def test_the_refusal_reads_the_same_whether_the_units_are_held_or_retired_elsewhere(
    client, world
) -> None:
    # A holds HELD_VCU and has retired RETIRED_VCU: B's two blocks of them get the same answer,
    # so a lead cannot probe which serials are retired anywhere
    held_elsewhere = _b_enters(client, world, HELD_VCU, 29_813).get_json()
    retired_elsewhere = _b_enters(client, world, RETIRED_VCU, 100).get_json()
    period_b = _period_of_b(client, world)

    answers = [
        _retire(client, _b(world), "outsider", world, period_b, block["id"])
        for block in (held_elsewhere, retired_elsewhere)
    ]

    assert (held_elsewhere["status"], retired_elsewhere["status"]) == ("contested", "contested")
    assert [a.status_code for a in answers] == [409, 409]
    assert answers[0].get_json() == answers[1].get_json()
    assert answers[0].get_json()["error"]["message"] == CONTESTED_RETIRING


def test_the_holder_cannot_retire_its_units_either_while_they_are_contested(
    client, world, table_counts
) -> None:
    # otherwise whoever entered the serials first could retire them before the contest is heard
    _b_enters(client, world, FIRST_100_OF_HELD, 100)
    before = table_counts()

    response = _retire(client, _a(world), "lead", world, world.period_verified, world.block_a)

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"] == {
        "code": "contested",
        "message": CONTESTED_RETIRING,
        "details": {"block_id": ["contested"]},
    }
    assert table_counts() == before


def test_a_contested_block_cannot_be_reserved(client, world, table_counts) -> None:
    _b_enters(client, world, OTHER_VCU, 15_000, project="3866")  # B holds them first
    mine = client.post(
        f"{_a(world)}/blocks",
        headers=world.headers("procurement"),
        json={
            "scheme": "VCU",
            "serial": OTHER_VCU,
            "quantity": 15_000,
            "project_id": world.project_b,
        },
    ).get_json()
    assert mine["status"] == "contested"
    before = table_counts()

    response = client.post(
        f"{_a(world)}/periods/{world.period_verified}/retirement-plan/reservation",
        headers=world.headers("lead"),
        json={"lines": [{"block_id": mine["id"], "quantity": 10}]},
    )

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "contested"
    assert response.get_json()["error"]["message"] == (
        f"line 1 (block {mine['id']}): {CONTESTED_RESERVING}; nothing was reserved"
    )
    assert response.get_json()["error"]["details"] == {"block_id": ["contested"]}
    assert table_counts() == before


def test_the_holder_cannot_reserve_its_units_either_while_they_are_contested(
    client, world, table_counts
) -> None:
    _b_enters(client, world, FIRST_100_OF_HELD, 100)
    before = table_counts()

    by_plan = client.post(
        f"{_a(world)}/periods/{world.period_verified}/retirement-plan/reservation",
        headers=world.headers("lead"),
        json={"lines": [{"block_id": world.block_a}]},
    )
    by_status = client.post(
        f"{_a(world)}/blocks/{world.block_a}/status",
        headers=world.headers("lead"),
        json={"status": "reserved", "reason": "for 2024"},
    )

    assert (by_plan.status_code, by_status.status_code) == (409, 409)
    assert by_plan.get_json()["error"]["message"] == (
        f"line 1 (block {world.block_a}): {CONTESTED_RESERVING}; nothing was reserved"
    )
    assert by_status.get_json()["error"] == {
        "code": "contested",
        "message": CONTESTED_RESERVING,
        "details": {"block_id": ["contested"]},
    }
    assert table_counts() == before


def test_the_plan_passes_contested_blocks_over_with_the_reason(client, world) -> None:
    # B holds OTHER_VCU first, so A's entry of it is contested; B then contests block_a's first
    # 100 units, so block_a is frozen too. The period needs 731.52 t, 732 credits (its 100 VCUs
    # retired for "Suhui Trading Co." are not counted by the claim): with both blocks passed
    # over, nothing is left to plan.
    _b_enters(client, world, OTHER_VCU, 15_000, project="3866")
    mine = client.post(
        f"{_a(world)}/blocks",
        headers=world.headers("procurement"),
        json={
            "scheme": "VCU",
            "serial": OTHER_VCU,
            "quantity": 15_000,
            "project_id": world.project_b,
        },
    ).get_json()
    _b_enters(client, world, FIRST_100_OF_HELD, 100)

    response = client.get(
        f"{_a(world)}/periods/{world.period_verified}/retirement-plan",
        headers=world.headers("viewer"),
    )

    assert response.status_code == 200, response.get_json()
    plan = response.get_json()
    assert plan["lines"] == []
    assert plan["credits"]["shortfall"] == 732
    contested = [group for group in plan["not_accepted"] if group["reason"] == "contested"]
    assert len(contested) == 1
    assert sorted(contested[0]["block_ids"]) == sorted([world.block_a, mine["id"]])
    assert (contested[0]["blocks"], contested[0]["units"]) == (2, 29_813 + 15_000)


def test_a_contest_is_in_the_claimants_audit_log_without_the_other_side(client, world) -> None:
    block = _b_enters(client, world, HELD_VCU, 29_813).get_json()

    entries = [
        e
        for e in _audit(client, world, _b(world), "outsider")
        if e["action"] == "registry.contest.open"
    ]

    assert len(entries) == 1
    after = entries[0]["after"]
    assert (after["block_id"], after["organisation_id"], after["status"]) == (
        block["id"],
        world.org_b,
        "open",
    )
    assert after["claimed_status"] == "held" and after["opened_by"] == entries[0]["actor_label"]
    # nothing of organisation A in what B's lead reads: the entry holds the claimant's side only
    assert set(after) == {
        "id",
        "organisation_id",
        "block_id",
        "claimed_status",
        "status",
        "opened_at",
        "opened_by",
        "outcome",
        "reason",
        "evidence_filename",
        "evidence_sha256",
        "evidence",
        "resolved_at",
        "resolved_by",
    }


# --- the site administrator ---------------------------------------------------------------------


def test_the_site_administrator_sees_both_sides_of_a_contest(client, world) -> None:
    block = _b_enters(client, world, FIRST_100_OF_HELD, 100).get_json()

    [contest] = _contests(client, world, status="open")

    assert contest["status"] == "open" and contest["outcome"] is None
    assert contest["claimant"]["organisation_id"] == world.org_b
    assert contest["claimant"]["block"]["id"] == block["id"]
    assert (
        contest["claimant"]["block"]["serial_start"],
        contest["claimant"]["block"]["serial_end"],
    ) == (941382742, 941382841)
    [holder] = contest["holders"]
    assert holder["organisation_id"] == world.org_a
    assert (holder["block"]["id"], holder["block"]["status"]) == (world.block_a, "held")
    # A's evidence: the purchase that delivered block_a
    assert holder["purchase"]["id"] == world.purchase_a
    assert holder["purchase"]["invoice_sha256"] == hashlib.sha256(b"%PDF invoice").hexdigest()
    assert (holder["registry_import"], holder["retirement_ids"]) == (None, [])
    detail = client.get(f"/api/v1/contests/{contest['id']}", headers=world.headers("admin"))
    assert detail.status_code == 200 and detail.get_json() == contest


def test_resolving_for_the_holders_voids_the_claimants_block_and_frees_the_holders(
    client, world
) -> None:
    block = _b_enters(client, world, FIRST_100_OF_HELD, 100).get_json()
    [contest] = _contests(client, world)

    response = _resolve(client, world, contest["id"], keep="holders")

    assert response.status_code == 200, response.get_json()
    resolved = response.get_json()
    assert (resolved["status"], resolved["outcome"]) == ("resolved", "holders")
    assert resolved["reason"] == "The registry statement shows the units in the holder's account."
    assert resolved["evidence_sha256"] == hashlib.sha256(b"%PDF-1.4 registry statement").hexdigest()
    assert _block(client, world, _b(world), block["id"])["status"] == "void"
    # A may retire its units again
    retired = _retire(client, _a(world), "lead", world, world.period_verified, world.block_a)
    assert retired.status_code == 201, retired.get_json()
    actions = [e["action"] for e in _audit(client, world, _b(world), "outsider")]
    assert {"registry.contest.resolve", "registry.block.void"} <= set(actions)
    assert _contests(client, world, status="open") == []


def test_resolving_for_the_claimant_voids_only_the_holders_units_in_dispute(client, world) -> None:
    block = _b_enters(client, world, FIRST_100_OF_HELD, 100).get_json()
    [contest] = _contests(client, world)

    response = _resolve(client, world, contest["id"], keep="claimant")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outcome"] == "claimant"
    assert _block(client, world, _b(world), block["id"])["status"] == "held"
    # block_a keeps its id for the 100 units it lost; the other 29,713 are held in a new block:
    # 941,412,554 − 941,382,842 + 1 = 29,713
    lost = _block(client, world, _a(world), world.block_a)
    assert (lost["status"], lost["serial_start"], lost["serial_end"]) == (
        "void",
        941382742,
        941382841,
    )
    blocks = client.get(
        f"{_a(world)}/blocks", query_string={"status": "held"}, headers=world.headers("lead")
    )
    rest = [b for b in blocks.get_json()["items"] if b["issuance_key"] == lost["issuance_key"]]
    assert [(b["serial_start"], b["serial_end"], b["quantity"]) for b in rest] == [
        (941382842, 941412554, 29_713)
    ]
    void_entries = [
        e for e in _audit(client, world, _a(world), "lead") if e["action"] == "registry.block.void"
    ]
    assert [e["entity_id"] for e in void_entries] == [str(world.block_a)]
    # B may now retire them
    retired = _retire(
        client, _b(world), "outsider", world, _period_of_b(client, world), block["id"]
    )
    assert retired.status_code == 201, retired.get_json()


def test_resolving_for_the_claimant_is_refused_while_the_holders_units_stand_retired(
    client, world, table_counts
) -> None:
    _b_enters(client, world, RETIRED_VCU, 100)
    [contest] = _contests(client, world)
    before = table_counts()

    response = _resolve(client, world, contest["id"], keep="claimant")

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["message"] == (
        f"units 950000001–950000100 are retired in the ledger of organisation {world.org_a} "
        f"(retirement {world.retirement_a}); reverse that retirement first"
    )
    assert response.get_json()["error"]["details"] == {"keep": ["retired by the holders"]}
    assert table_counts() == before


#: The answer to form fields that fail their schema.
SHAPE = "the form fields do not match the expected shape"


@pytest.mark.parametrize(
    ("fields", "message", "details"),
    [
        ({"keep": None}, SHAPE, {"keep": ["Missing data for required field."]}),
        ({"keep": "both"}, SHAPE, {"keep": ["Must be one of: claimant, holders."]}),
        # blank once stripped: no reason given
        ({"reason": "   "}, SHAPE, {"reason": ["Length must be between 1 and 2000."]}),
        ({"evidence": (b"", "empty.pdf")}, "attach the evidence the contest is decided on", {"evidence": ["empty"]}),
        ({"evidence": None}, "attach the file in the form field 'evidence'", {"evidence": ["missing file"]}),
    ],
    ids=["keep missing", "keep unknown", "reason blank", "evidence empty", "evidence missing"],
)
def test_a_bad_resolution_is_refused_and_nothing_is_written(
    client, world, table_counts, fields, message, details
) -> None:
    _b_enters(client, world, FIRST_100_OF_HELD, 100)
    [contest] = _contests(client, world)
    before = table_counts()

    response = _resolve(client, world, contest["id"], **fields)

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == {"code": "invalid_input", "message": message, "details": details}
    assert table_counts() == before


def test_an_unknown_contest_is_not_found(client, world, table_counts) -> None:
    before = table_counts()
    response = _resolve(client, world, 999_999)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert response.get_json()["error"]["message"] == "contest 999999 not found"
    assert table_counts() == before


def test_a_contest_is_resolved_once(client, world, table_counts) -> None:
    _b_enters(client, world, FIRST_100_OF_HELD, 100)
    [contest] = _contests(client, world)
    assert _resolve(client, world, contest["id"]).status_code == 200
    before = table_counts()

    again = _resolve(client, world, contest["id"], keep="claimant")

    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert again.get_json()["error"]["message"] == f"contest {contest['id']} is resolved already"
    assert table_counts() == before


# --- registry files -----------------------------------------------------------------------------

_VERRA_HEADER = (
    "Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,Project Type,"
    "Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
    "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details\n"
)


def _verra_row(serial: str, quantity: int, retired_on: str = "", beneficiary: str = "") -> str:
    return (
        f"2023-05-10,,2022-01-01,2022-10-31,3005,Tongxu Biogas Recovery,China,Waste handling and disposal,"
        f'ACM0010,"29,913","{quantity:,}",{serial},,{retired_on},{beneficiary},,\n'
    )


def test_a_registry_file_row_on_units_another_organisation_holds_is_imported_as_contested(
    client, world
) -> None:
    data = (_VERRA_HEADER + _verra_row(HELD_VCU, 29_813)).encode()

    def send(**fields: str) -> Any:
        return client.post(
            f"{_b(world)}/registry-imports",
            content_type="multipart/form-data",
            headers=world.headers("outsider"),
            data={"file": (io.BytesIO(data), "verra.csv"), **fields},
        )

    preview = send(dry_run="true")
    response = send()

    assert preview.status_code == 201, preview.get_json()
    assert (preview.get_json()["status"], preview.get_json()["contested"]) == ("preview", 1)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["blocks"], response.get_json()["contested"]) == (1, 1)
    blocks = client.get(f"{_b(world)}/blocks", headers=world.headers("outsider")).get_json()[
        "items"
    ]
    assert [(b["serial_start"], b["status"]) for b in blocks] == [(941382742, "contested")]
    [contest] = _contests(client, world)
    assert contest["claimant"]["block"]["id"] == blocks[0]["id"]
    assert [h["block"]["id"] for h in contest["holders"]] == [world.block_a]
    opened = [
        e
        for e in _audit(client, world, _b(world), "outsider")
        if e["action"] == "registry.contest.open"
    ]
    assert [e["after"]["block_id"] for e in opened] == [blocks[0]["id"]]


def test_a_public_export_row_on_units_another_organisation_retired_tells_nothing(
    client, world
) -> None:
    # A's retirement of RETIRED_VCU is on a public export too; B never held those units, so the
    # row is one of everyone's retirements: counted as not held, not refused (a refusal would say
    # that someone here retired them)
    data = (_VERRA_HEADER + _verra_row(RETIRED_VCU, 100, "2025-03-01", "Factory A")).encode()
    period_b = _period_of_b(client, world)

    response = client.post(
        f"{_b(world)}/retirement-imports",
        content_type="multipart/form-data",
        headers=world.headers("outsider"),
        data={"period_id": str(period_b), "file": (io.BytesIO(data), "public.csv")},
    )

    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert (answer["recorded"], answer["not_held"], answer["not_held_rows"]) == (0, 1, [2])


def test_units_frozen_by_a_contest_are_not_counted_as_held_for_a_periods_needs(client, world) -> None:
    # Organisation A holds block_a: 29,813 VCUs of vintage 2022, the only credits its verified
    # 2024 period could use, so its needs count 29,813 t held. Once B claims the first 100 of
    # them, the whole block is frozen until a site administrator decides: nothing of it can be
    # retired, so none of it may be offered as held for the period.
    needs = f"{_a(world)}/periods/{world.period_verified}/needs"
    assert client.get(needs, headers=world.headers("viewer")).get_json()["credits"]["held_tco2e"] == "29813"
    assert _b_enters(client, world, FIRST_100_OF_HELD, 100).status_code == 201
    held = client.get(needs, headers=world.headers("viewer")).get_json()["credits"]["held_tco2e"]
    assert held == "0"
