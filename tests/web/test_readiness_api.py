"""What a period still lacks before its declaration, through the API and the command line.

The world (tests/factories.py): commitment B's 2024 period (ISO 14068-1) has a verified
inventory (its verification confirmed by the appointed verifier: the ``confirmed`` fixture) of 1,200 MWh of grid electricity in China and nothing else, so its residual with no
certificate retired is 1,200 × 0.6096 (national residual mix 2023) = 731.52 tCO2e. Its one
retirement in force, 100 VCUs for the beneficiary "Suhui Trading Co.", is refused by SANITY-02 ("Factory
A" is not a name of 测试光伏有限公司 N), so no credit counts: 731.52 tCO2e are still to cover. The
VCUs' project has no quality label recorded, so CORSIA-02, ICVCM-02 and ICVCM-06 fail as
warnings. The retirement deadline is 12 months after 2024-12-31: 2025-12-31.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from freezegun import freeze_time

from tests.factories import World, confirm_verification

pytestmark = pytest.mark.shared_world


@pytest.fixture
def confirmed(uow: Any, world: World) -> None:
    """The verifier's opinion on the verification the lead recorded: the claim may rest on it."""
    confirm_verification(uow, world)


def _readiness(client: Any, world: World) -> dict[str, Any]:
    response = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/readiness",
                          headers=world.headers("viewer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_refused_retirement_and_the_credits_still_to_cover_block_the_declaration(client, world, confirmed) -> None:
    # 2025-11-01 is 29 days before the end of November and 31 more to 2025-12-31: 60 days left,
    # the first day the deadline is a warning of its own.
    with freeze_time("2025-11-01"):
        document = _readiness(client, world)
    assert (document["as_of"], document["ready"], document["blocking_count"]) == ("2025-11-01", False, 2)
    assert [(i["code"], i["blocking"], i["rules"], i["action"]) for i in document["items"]] == [
        ("retirement_refused", True, ["SANITY-02"], "record_alias"),
        ("credits_short", True, [], "retire_credits"),
        ("electricity_not_covered", False, [], "retire_certificates"),
        ("retirement_deadline_near", False, [], "retire_credits"),
        ("rule_warning", False, ["CORSIA-02"], "record_labels"),
        ("rule_warning", False, ["ICVCM-02"], "record_labels"),
        ("rule_warning", False, ["ICVCM-06"], "record_labels"),
    ]
    refused, short, electricity, deadline, labels = document["items"][:5]
    assert refused["subject"] == f"retirement:{world.retirement_a}"
    assert refused["figures"] == {"retirement_id": str(world.retirement_a), "scheme": "VCU", "quantity": "100",
                                  "unit": "tCO2e"}
    assert "未通过 SANITY-02：注销受益方「Suhui Trading Co.」未写明" in refused["text"]["zh_Hans"]
    # 100 retired − 100 refused = 0 counted; 731.52 − 0 = 731.52 still to cover
    assert {k: short["figures"][k] for k in ("residual_tco2e", "credits_refused_tco2e", "credits_counted_tco2e",
                                              "to_cover_tco2e")} == {
        "residual_tco2e": "731.52", "credits_refused_tco2e": "100", "credits_counted_tco2e": "0",
        "to_cover_tco2e": "731.52"}
    assert short["action_text"]["en"] == "Retire at least 731.52 tCO2e of eligible credits for the period"
    assert (electricity["subject"], electricity["figures"]["uncovered_mwh"]) == ("market:CN", "1200")
    assert deadline["figures"]["days_left"] == "60" and deadline["figures"]["retirement_deadline"] == "2025-12-31"
    assert labels["text"]["en"] == "1 retirement(s) (100.00 tCO2e) fail CORSIA-02: The credit is CORSIA-eligible"
    assert document["summary"]["zh_Hant"] == "尚未就緒：2 項阻止作出聲明，5 項警告"


def test_the_deadline_item_turns_from_near_to_passed_on_the_day_after_the_deadline(client, world, confirmed) -> None:
    # 2025-10-31 is 61 days before 2025-12-31: not yet an item.
    with freeze_time("2025-10-31"):
        assert not [i for i in _readiness(client, world)["items"] if i["code"].startswith("retirement_deadline")]
    # The deadline day itself is the last day to retire: 0 days left, still a warning.
    with freeze_time("2025-12-31"):
        near = [i for i in _readiness(client, world)["items"] if i["code"].startswith("retirement_deadline")]
    assert [(i["code"], i["blocking"], i["figures"]["days_left"]) for i in near] == [
        ("retirement_deadline_near", False, "0")]
    # The next day the credits still to cover can no longer be retired in time: it blocks.
    with freeze_time("2026-01-01"):
        document = _readiness(client, world)
    passed = [i for i in document["items"] if i["code"].startswith("retirement_deadline")]
    assert [(i["code"], i["blocking"], i["figures"]["days_overdue"], i["action"]) for i in passed] == [
        ("retirement_deadline_passed", True, "1", "review_claim")]
    assert document["blocking_count"] == 3  # the refused retirement, the credits short, the deadline


def test_a_covered_period_is_ready_with_its_warnings(app, client, world, confirmed) -> None:
    # Undo the refused retirement, then retire 732 VCUs of block_a in the organisation's legal
    # name: 732 ≥ 731.52, so the credits cover the residual and nothing is left to retire, so no
    # deadline item either. What remains are warnings: the electricity not covered by
    # certificates and the three labels not recorded (now for the 732 VCUs).
    base = f"/api/v1/organisations/{world.org_a}"
    reversed_ = client.post(f"{base}/retirements/{world.retirement_a}/reversal",
                            json={"reason": "retired for another beneficiary"}, headers=world.headers("lead"))
    assert reversed_.status_code == 201, reversed_.get_json()
    legal_name = client.get(base, headers=world.headers("viewer")).get_json()["legal_name"]
    retired = client.post(f"{base}/retirements", content_type="multipart/form-data", headers=world.headers("lead"),
                          data={"period_id": str(world.period_verified), "block_id": str(world.block_a),
                                "quantity": "732", "beneficiary_text": legal_name,
                                "purpose": "Carbon neutrality of the factory subject, 2024",
                                "retired_on": "2025-03-15", "registry_reference": "VCS-RET-2025-0315",
                                "evidence": (io.BytesIO(b"%PDF-1.4 certificate"), "cert.pdf")})
    assert retired.status_code == 201, retired.get_json()
    with freeze_time("2025-11-01"):
        document = _readiness(client, world)
    assert (document["ready"], document["blocking_count"]) == (True, 0)
    assert [i["code"] for i in document["items"]] == ["electricity_not_covered"] + ["rule_warning"] * 3
    assert document["items"][1]["figures"]["quantity_tCO2e"] == "732"
    assert document["summary"]["en"] == "Ready: the declaration can be made; 4 warning(s) to review first"
    # and the command line says so with exit code 0
    with freeze_time("2025-11-01"):
        shown = app.test_cli_runner().invoke(args=["rules", "readiness", str(world.org_a),
                                                   f"id:{world.period_verified}"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("Ready: the declaration can be made; 4 warning(s) to review first")


def test_the_command_line_lists_the_checklist_and_exits_1_while_anything_blocks(app, world, confirmed) -> None:
    runner = app.test_cli_runner()
    args = ["rules", "readiness", str(world.org_a), f"id:{world.period_verified}"]
    with freeze_time("2025-11-01"):
        checked = runner.invoke(args=[*args, "--json"])
        table = runner.invoke(args=[*args, "--lang", "zh_Hans"])
    assert checked.exit_code == 1, checked.output
    document = json.loads(checked.stdout)
    assert [i["code"] for i in document["items"]][:2] == ["retirement_refused", "credits_short"]
    assert table.exit_code == 1
    assert table.stdout.startswith("尚未就绪：2 项阻止作出声明，5 项警告")
    assert "请为本期间注销至少 731.52 tCO2e 符合条件的碳信用" in table.stdout
    assert "record_alias" in table.stdout


def test_a_verification_only_the_lead_recorded_blocks_until_the_verifier_confirms_it(client, uow, world) -> None:
    # the same period before the verifier's opinion: one more blocking item, ISO-32's, which says so
    with freeze_time("2025-11-01"):
        claimed = _readiness(client, world)
    assert claimed["blocking_count"] == 3
    [item] = [i for i in claimed["items"] if i["code"] == "verification_not_confirmed"]
    assert (item["blocking"], item["rules"], item["action"]) == (True, ["ISO-32"], "verify_inventory")
    assert item["figures"] == {"inventory_id": str(world.inventory_verified), "verification_state": "claimed"}
    assert "not yet confirmed by the appointed verifier" in item["text"]["en"]
    confirm_verification(uow, world)
    with freeze_time("2025-11-01"):
        confirmed = _readiness(client, world)
    assert confirmed["blocking_count"] == 2
    assert "verification_not_confirmed" not in [i["code"] for i in confirmed["items"]]
