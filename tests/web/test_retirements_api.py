"""The retirement ledger and the balance of a period, through the API.

The world (tests/factories.py): commitment B's 2024 period has a verified inventory of 1,200 MWh
of grid electricity at a Jiangsu site and nothing else. Location-based: 1,200 × 0.5500 (East
China 2023) = 660 t. Market-based without certificates: 1,200 × 0.6096 (national residual mix
2023) = 731.52 t. Organisation A holds block_a, 29,813 VCUs, and has already retired 100 VCUs
of another issuance for the period (retirement_a).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from neutrality.commitments import services as commitments
from neutrality.organisations import services as organisations
from neutrality.registry import held_blocks, projects
from tests.factories import (
    ADMIN,
    OTHER_VCU,
    World,
    commitment_payload,
    site_payload,
)

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world


def _base(world: World) -> str:
    return f"/api/v1/organisations/{world.org_a}"


def _retire(client: Any, world: World, who: str = "lead", **fields: Any) -> Any:
    form = {"period_id": str(world.period_verified), "block_id": str(world.block_a),
            "beneficiary_text": "江苏示例工厂 Factory A", "purpose": "Carbon neutrality of Factory A, 2024",
            "retired_on": "2025-03-15", "registry_reference": "VCS-RET-2025-0315", **fields}
    evidence = fields.pop("evidence", b"%PDF-1.4 Verra retirement certificate")
    form.pop("evidence", None)
    return client.post(f"{_base(world)}/retirements", content_type="multipart/form-data",
                       headers=world.headers(who), data={**form, "evidence": (io.BytesIO(evidence), "cert.pdf")})


def _balance(client: Any, world: World) -> dict[str, Any]:
    response = client.get(f"{_base(world)}/periods/{world.period_verified}/balance", headers=world.headers("viewer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _period_of_b(uow: Any, world: World) -> int:
    """An application period of organisation B (a factory subject, one commitment)."""
    site = organisations.create_site(uow(), ADMIN, world.org_b, site_payload())
    subject = organisations.create_subject(uow(), ADMIN, world.org_b, {"name": "B", "kind": "site", "site_id": site.id})
    commitment = commitments.create_commitment(uow(), ADMIN, world.org_b, commitment_payload(subject.id))
    return commitments.generate(uow(), ADMIN, world.org_b, commitment.id, count=1)[0].id


def _eac_block(uow: Any, world: World, country: str = "CN", units: int = 1_000) -> int:
    device = projects.create_project(uow(), ADMIN, world.org_a, {
        "kind": "eac", "source_registry": "irec", "registry_project_id": f"DEV-{country}", "name": "Hydro",
        "country": country, "technology": "hydro", "subsidised": False})
    return held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "IREC", "serial": f"{country}-HYD-0001 to {country}-HYD-{units:04d}", "quantity": units,
        "project_id": device.id, "vintage_start": dt.date(2024, 1, 1), "vintage_end": dt.date(2024, 12, 31)},
        as_of=dt.date(2026, 11, 1)).id


def test_part_of_a_block_is_retired_and_the_rest_stays_held(client, world) -> None:
    evidence = b"%PDF-1.4 Verra retirement certificate"
    response = _retire(client, world, quantity="800")
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    # the first 800 units: 941,382,742 … 941,383,541
    assert (entry["serial_start"], entry["serial_end"], entry["quantity"], entry["unit"]) == (
        941382742, 941383541, 800, "tCO2e")
    assert entry["evidence_sha256"] == hashlib.sha256(evidence).hexdigest()
    assert entry["retired_on"] == "2025-03-15" and entry["beneficiary_organisation_id"] == world.org_a
    blocks = client.get(f"{_base(world)}/blocks?scheme=VCU", headers=world.headers("viewer")).get_json()["items"]
    by_start = {b["serial_start"]: b for b in blocks}
    assert by_start[941382742]["status"] == "retired" and by_start[941382742]["quantity"] == 800
    # the remainder 941,383,542 … 941,412,554 = 29,013 units, still held
    assert (by_start[941383542]["status"], by_start[941383542]["quantity"]) == ("held", 29_013)
    # the audit log shows the remainder coming into being, beside the retirement
    audit = client.get(f"{_base(world)}/audit", headers=world.headers("admin")).get_json()["items"]
    added = [e for e in audit if e["action"] == "registry.block.add" and e["entity_id"] == str(by_start[941383542]["id"])]
    assert len(added) == 1 and added[0]["after"]["quantity"] == 29_013


def test_the_balance_counts_credits_against_the_residual(client, world) -> None:
    before = _balance(client, world)
    # the world's 100 VCUs against 731.52 t: short by 631.52 t
    assert (before["verdict"], Decimal(before["difference_tco2e"])) == ("short", Decimal("-631.52"))
    _retire(client, world, quantity="700")
    after = _balance(client, world)
    # 100 + 700 = 800 t ≥ 731.52 t: covered with 68.48 t to spare
    assert Decimal(after["credits_retired_tco2e"]) == 800
    assert Decimal(after["residual_tco2e"]) == Decimal("731.52")
    assert (after["verdict"], Decimal(after["difference_tco2e"])) == ("covered", Decimal("68.48"))
    assert Decimal(after["gross_location_tco2e"]) == Decimal("660") and after["provisional"] is False


def test_certificates_cover_electricity_and_never_count_as_offsets(client, uow, world) -> None:
    block = _eac_block(uow, world)
    response = _retire(client, world, block_id=str(block), quantity="500")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["unit"], response.get_json()["market"]) == ("MWh", "CN")
    balance = _balance(client, world)
    # 500 of 1,200 MWh covered (41.67 %); the other 700 MWh × 0.6096 = 426.72 t residual; the
    # certificates add nothing to the 100 t of credits
    assert Decimal(balance["eac_covered_mwh"]) == 500
    assert str(balance["electricity_covered_percent"]).startswith("41.666")
    assert Decimal(balance["residual_tco2e"]) == Decimal("426.72")
    assert Decimal(balance["credits_retired_tco2e"]) == 100
    # by scheme: the world's 100 VCUs (tCO2e) and the 500 I-RECs (MWh), never added together
    assert balance["retired_by_scheme"] == {"IREC": 500, "VCU": 100}


def test_certificates_beyond_the_consumption_are_reported_not_applied(client, uow, world) -> None:
    block = _eac_block(uow, world, units=1_500)
    _retire(client, world, block_id=str(block))
    balance = _balance(client, world)
    # 1,500 MWh retired for 1,200 MWh: 1,200 covered, 300 unused; the residual is 0 t
    assert Decimal(balance["eac_covered_mwh"]) == 1_200
    assert {k: Decimal(v) for k, v in balance["eac_unused_mwh_by_market"].items()} == {"CN": Decimal(300)}
    assert Decimal(balance["residual_tco2e"]) == 0 and balance["verdict"] == "covered"


def test_a_reversal_compensates_and_frees_the_units(client, world) -> None:
    retired = _retire(client, world, quantity="700").get_json()
    response = client.post(f"{_base(world)}/retirements/{retired['id']}/reversal",
                           json={"reason": "retired for the wrong period"}, headers=world.headers("lead"))
    assert response.status_code == 201, response.get_json()
    reversal = response.get_json()
    assert (reversal["kind"], reversal["reverses_id"], reversal["quantity"]) == ("reversal", retired["id"], 700)
    assert Decimal(_balance(client, world)["credits_retired_tco2e"]) == 100  # back to the world's 100
    # the ledger keeps both entries; the units can be retired again
    ledger = client.get(f"{_base(world)}/retirements", headers=world.headers("verifier")).get_json()
    assert [e["kind"] for e in ledger["items"]] == ["retirement", "retirement", "reversal"]
    assert _retire(client, world, block_id=str(retired["block_id"])).status_code == 201


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"quantity": "29814"}, 422, "quantity"),  # more than the block holds
        ({"retired_on": "2099-01-01"}, 422, "retired_on"),  # in the future
        ({"period_id": "999999"}, 404, None),
        ({"block_id": "999999"}, 404, None),
        ({"evidence": b""}, 422, "evidence"),
        ({"purpose": ""}, 422, "purpose"),
    ],
)
def test_a_bad_retirement_is_refused_and_nothing_is_written(client, world, table_counts, fields, status, field) -> None:
    before = table_counts()
    response = _retire(client, world, **fields)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["details"], response.get_json()
    assert table_counts() == before


def test_units_already_retired_are_refused(client, world, table_counts) -> None:
    _retire(client, world)  # the whole block
    before = table_counts()
    again = _retire(client, world)
    # refused by the block's state: its units are retired (the ledger's own guard, shared by
    # every organisation, is tested below and on PostgreSQL by its exclusion constraint)
    assert again.status_code == 409 and again.get_json()["error"]["details"] == {"block_id": ["retired"]}
    assert table_counts() == before


def test_units_another_organisation_retired_are_refused(client, uow, world, table_counts) -> None:
    # organisation B enters serials nobody here holds and retires them first (for its own claim)
    outsider = {"Authorization": world.headers("outsider")["Authorization"]}
    b = f"/api/v1/organisations/{world.org_b}"
    project = client.post(f"{b}/projects", headers=outsider, json={
        "kind": "carbon_credit", "source_registry": "verra", "registry_project_id": "3866",
        "name": "Biogas"}).get_json()
    block = client.post(f"{b}/blocks", headers=outsider, json={
        "scheme": "VCU", "serial": OTHER_VCU, "quantity": 15_000,
        "project_id": project["id"]}).get_json()
    period_b = _period_of_b(uow, world)
    retired_by_b = client.post(f"{b}/retirements", headers=outsider, content_type="multipart/form-data", data={
        "period_id": str(period_b), "block_id": str(block["id"]), "beneficiary_text": "Factory A",
        "purpose": "B's claim", "retired_on": "2025-01-10", "registry_reference": "R-B",
        "evidence": (io.BytesIO(b"%PDF B"), "b.pdf")})
    assert retired_by_b.status_code == 201, retired_by_b.get_json()
    # A enters the same serials: accepted only as contested, and its retirement refused in words
    # that name no one (tests/web/test_contested_serials_api.py)
    mine = client.post(f"{_base(world)}/blocks", headers=world.headers("procurement"), json={
        "scheme": "VCU", "serial": OTHER_VCU, "quantity": 15_000,
        "project_id": world.project_b}).get_json()
    assert mine["status"] == "contested"
    before = table_counts()
    response = _retire(client, world, block_id=str(mine["id"]))
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        "these serials cannot be retired: they are contested; "
        "a site administrator will review the evidence")
    assert table_counts() == before


def test_a_period_of_another_organisation_is_not_found(client, uow, world, table_counts) -> None:
    period_b = _period_of_b(uow, world)
    before = table_counts()
    assert _retire(client, world, period_id=str(period_b)).status_code == 404
    assert table_counts() == before


def test_a_block_held_by_another_organisation_is_not_found(client, world, table_counts) -> None:
    # organisation B records the other sample block; A's lead cannot retire it for A's period
    outsider = {"Authorization": world.headers("outsider")["Authorization"]}
    b = f"/api/v1/organisations/{world.org_b}"
    project = client.post(f"{b}/projects", headers=outsider, json={
        "kind": "carbon_credit", "source_registry": "verra", "registry_project_id": "3866", "name": "Biogas"}).get_json()
    block_of_b = client.post(f"{b}/blocks", headers=outsider, json={
        "scheme": "VCU", "serial": OTHER_VCU, "quantity": 15_000, "project_id": project["id"]}).get_json()
    before = table_counts()
    response = _retire(client, world, block_id=str(block_of_b["id"]))
    assert response.status_code == 404
    assert f"block {block_of_b['id']} not found in organisation {world.org_a}" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_a_declared_period_takes_no_more_retirements(client, db, world, table_counts) -> None:
    with db() as session:
        session.execute(text("UPDATE application_periods SET status = 'declared' WHERE id = :id"),
                        {"id": world.period_verified})
        session.commit()
    before = table_counts()
    response = _retire(client, world)
    assert response.status_code == 409 and "declared" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_certificates_of_a_market_without_consumption_are_refused(client, uow, world, table_counts) -> None:
    block = _eac_block(uow, world, country="DE")
    before = table_counts()
    response = _retire(client, world, block_id=str(block))
    assert response.status_code == 422 and "DE" in response.get_json()["error"]["message"]
    assert table_counts() == before


def test_a_reversal_is_never_reversed_and_a_retirement_only_once(client, world, table_counts) -> None:
    base = f"{_base(world)}/retirements/{world.retirement_a}/reversal"
    reversal = client.post(base, json={"reason": "mistake"}, headers=world.headers("lead")).get_json()
    before = table_counts()
    twice = client.post(base, json={"reason": "again"}, headers=world.headers("lead"))
    assert twice.status_code == 409
    of_reversal = client.post(f"{_base(world)}/retirements/{reversal['id']}/reversal", json={"reason": "undo"},
                              headers=world.headers("lead"))
    assert of_reversal.status_code == 422 and "reversal" in of_reversal.get_json()["error"]["message"]
    assert table_counts() == before


def test_the_ledger_refuses_updates_and_deletes(db, world) -> None:
    from sqlalchemy.exc import IntegrityError

    for statement in ("UPDATE retirements SET quantity = 1", "DELETE FROM retirements"):
        with db() as session, pytest.raises(IntegrityError):
            session.execute(text(statement))


def test_postgresql_itself_refuses_two_retired_ranges_sharing_a_unit(client, db, world, backend) -> None:
    # the guard behind the service: even a writer that skipped the check cannot retire a unit twice
    if backend != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite serialises writers instead")
    from sqlalchemy.exc import IntegrityError

    other = _retire(client, world, quantity="10").get_json()["id"]
    with db() as session, pytest.raises(IntegrityError, match="ex_retired_ranges_no_overlap"):
        # move the second retirement's guard onto the units of retirement_a
        session.execute(text("DELETE FROM retired_ranges WHERE retirement_id = :id"), {"id": other})
        session.execute(text(
            "INSERT INTO retired_ranges (retirement_id, scheme, issuance_key, serial_start, serial_end) "
            "SELECT :other, scheme, issuance_key, serial_end, serial_end + 5 FROM retirements WHERE id = :id"
        ), {"id": world.retirement_a, "other": other})


def test_a_period_without_an_inventory_has_a_ledger_but_no_verdict(client, world) -> None:
    # period_a (commitment A, 2024) has no inventory and no retirement
    response = client.get(f"{_base(world)}/periods/{world.period_a}/balance", headers=world.headers("viewer"))
    assert response.status_code == 200, response.get_json()
    balance = response.get_json()
    assert (balance["verdict"], balance["residual_tco2e"], balance["provisional"]) == (None, None, True)
    assert (balance["retirements"], Decimal(balance["credits_retired_tco2e"])) == ([], 0)
    assert balance["note"] == "the period has no inventory: nothing to balance yet"


@pytest.mark.parametrize(
    ("target", "body", "status"),
    [
        ("missing", {"reason": "mistake"}, 404),  # no such entry (or another organisation's)
        ("world", {"reason": "   "}, 422),  # a blank reason
        ("world", {}, 422),  # no reason at all
    ],
)
def test_a_bad_reversal_is_refused_and_nothing_is_written(client, world, table_counts, target, body, status) -> None:
    entry = 999_999 if target == "missing" else world.retirement_a
    before = table_counts()
    response = client.post(f"{_base(world)}/retirements/{entry}/reversal", json=body, headers=world.headers("lead"))
    assert response.status_code == status, response.get_json()
    assert table_counts() == before


def test_a_retirement_of_a_declared_period_is_not_reversed(client, db, world, table_counts) -> None:
    with db() as session:
        session.execute(text("UPDATE application_periods SET status = 'declared' WHERE id = :id"),
                        {"id": world.period_verified})
        session.commit()
    before = table_counts()
    response = client.post(f"{_base(world)}/retirements/{world.retirement_a}/reversal", json={"reason": "late"},
                           headers=world.headers("lead"))
    assert response.status_code == 409 and response.get_json()["error"]["details"] == {"period_id": ["declared"]}
    assert table_counts() == before


# --- the rules of the claim, at recording -------------------------------------------------------


def test_a_retirement_a_blocking_rule_refuses_is_refused_and_nothing_is_written(client, world, table_counts) -> None:
    # retired for someone else: the beneficiary rule (SANITY-02) refuses it; and on 2026-02-10,
    # after ISO 14068-1's 12 months from the 2024 period's end (ISO-21: by 2025-12-31)
    before = table_counts()
    response = _retire(client, world, quantity="10", beneficiary_text="Someone Else Ltd", retired_on="2026-02-10")
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["message"].startswith("the rules of the claim refuse this retirement (")
    rules = sorted(line.split(":")[0] for line in error["details"]["rules"])
    assert rules == ["ISO-21", "SANITY-02"]
    assert table_counts() == before


def test_a_refused_retirement_recorded_on_purpose_stays_in_the_ledger_and_the_claim_does_not_count_it(
        client, world) -> None:
    before = _balance(client, world)
    response = _retire(client, world, quantity="10", beneficiary_text="Someone Else Ltd",
                       despite_rules="already retired at Verra for the wrong beneficiary")
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    assert entry["exclusion_reason"] == "already retired at Verra for the wrong beneficiary"
    assert [f["rule_id"] for f in entry["findings"]] == ["SANITY-02"]
    after = _balance(client, world)
    # the ledger's arithmetic counts the 10 units; the claim leaves them out with the rule
    assert Decimal(after["credits_retired_tco2e"]) == Decimal(before["credits_retired_tco2e"]) + 10
    assert Decimal(after["claim"]["credits_counted_tco2e"]) == Decimal(before["claim"]["credits_counted_tco2e"])
    assert (entry["id"], ["SANITY-02"]) in [(e["retirement_id"], e["rules"]) for e in after["claim"]["excluded"]]


def test_a_retirement_the_rules_accept_ignores_a_reason_given_for_recording_it_anyway(client, world) -> None:
    response = _retire(client, world, quantity="10", despite_rules="just in case")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["exclusion_reason"], response.get_json()["findings"]) == ("", None)
