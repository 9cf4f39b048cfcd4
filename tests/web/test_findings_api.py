"""A period judged by the rules of its claim, through the API and the command line.

The world's verified 2024 period has one retirement in force: 100 VCUs of vintage 2022, retired
on 2025-03-01 for the beneficiary "Suhui Trading Co." (tests/factories.py). "Suhui Trading Co." is not a name of
the organisation (测试光伏有限公司 N, short name Org N), so the beneficiary rule (SANITY-02)
fails and blocks; the retirement is dated after its vintage began (2022-01-01), so SANITY-01
passes.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world


def _findings(client, world: World) -> dict:
    response = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/findings",
                          headers=world.headers("viewer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_each_retirement_in_force_is_judged_and_a_foreign_beneficiary_blocks(client, world) -> None:
    document = _findings(client, world)
    assert "general/2026" in document["rule_sets"]
    mine = {f["rule_id"]: f for f in document["findings"] if f["subject"] == f"retirement:{world.retirement_a}"}
    assert (mine["SANITY-01"]["outcome"], mine["SANITY-01"]["evidence"]["retired_on"]) == ("pass", "2025-03-01")
    refused = mine["SANITY-02"]
    assert (refused["outcome"], refused["severity"], refused["blocks"]) == ("fail", "blocking", True)
    assert refused["evidence"]["beneficiary"] == "Suhui Trading Co."
    assert refused["explanation"]["zh_Hans"].startswith("注销受益方「Suhui Trading Co.」未写明 测试光伏有限公司")
    assert document["blocking_count"] >= 1


def test_the_rule_sets_are_listed_with_their_rules(client, world) -> None:
    response = client.get("/api/v1/rule-sets", headers=world.headers("viewer"))
    assert response.status_code == 200
    general = next(s for s in response.get_json() if s["key"] == "general")
    assert [r["id"] for r in general["rules"]] == ["SANITY-01", "SANITY-02"]
    assert general["rules"][1]["title"]["zh_Hant"] == "受益方寫明聲明主體"


def test_the_command_line_checks_a_period_and_exits_1_on_a_blocking_failure(app, world) -> None:
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["rules", "check", str(world.org_a), f"id:{world.period_verified}", "--json"])
    assert checked.exit_code == 1, checked.output
    document = json.loads(checked.stdout)
    assert any(f["rule_id"] == "SANITY-02" and f["blocks"] for f in document["findings"])
    table = runner.invoke(args=["rules", "check", str(world.org_a), f"id:{world.period_verified}", "--lang", "zh_Hant"])
    assert "註銷受益方「Suhui Trading Co.」未寫明" in table.stdout
    listed = runner.invoke(args=["rules", "list"])
    assert listed.exit_code == 0 and "general" in listed.output
    unknown = runner.invoke(args=["rules", "show", "no-such-standard"])
    assert unknown.exit_code == 2 and "no rule set no-such-standard; known: " in unknown.output


def test_an_alias_the_organisation_registers_is_a_name_the_beneficiary_may_give(client, world) -> None:
    # "Suhui Trading Co." is how the registry recorded the beneficiary: once the organisation registers it
    # as one of its names, the beneficiary rule passes for that retirement
    patched = client.patch(f"/api/v1/organisations/{world.org_a}", headers=world.headers("lead"),
                           json={"aliases": ["Suhui Trading Co."]})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["aliases"] == ["Suhui Trading Co."]
    mine = {f["rule_id"]: f for f in _findings(client, world)["findings"]
            if f["subject"] == f"retirement:{world.retirement_a}"}
    assert mine["SANITY-02"]["outcome"] == "pass"
    assert mine["SANITY-02"]["evidence"]["claimant"].endswith(" / Suhui Trading Co.")  # the list given replaces the earlier one


def test_a_commitment_names_the_frameworks_its_claims_are_judged_by(client, world, table_counts) -> None:
    base = f"/api/v1/organisations/{world.org_a}/commitments/{world.commitment_b}"
    before = table_counts()
    wrong = client.patch(base, headers=world.headers("lead"), json={"frameworks": ["sbti"]})
    assert wrong.status_code == 422 and "frameworks" in json.dumps(wrong.get_json()["error"]["details"])
    assert table_counts() == before
    assert "re100/2025" not in _findings(client, world)["rule_sets"]
    chosen = client.patch(base, headers=world.headers("lead"), json={"frameworks": ["re100", "sbti-near-term"]})
    assert chosen.status_code == 200, chosen.get_json()
    assert chosen.get_json()["frameworks"] == ["re100", "sbti-near-term"]
    # the verified period is of 2024 (it belongs to commitment B): RE100 2025 and SBTi near-term apply
    assert {"re100/2025", "sbti-near-term/5.x"} <= set(_findings(client, world)["rule_sets"])


def test_the_balance_under_the_claim_leaves_out_what_a_blocking_rule_refuses(client, world) -> None:
    url = f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/balance"
    balance = client.get(url, headers=world.headers("viewer")).get_json()
    # the ledger's arithmetic counts the 100 VCUs; the claim does not (SANITY-02: "Suhui Trading Co.")
    assert Decimal(balance["credits_retired_tco2e"]) == 100
    claim = balance["claim"]
    assert [(e["retirement_id"], e["rules"], e["quantity"]) for e in claim["excluded"]] == [
        (world.retirement_a, ["SANITY-02"], 100)]
    assert Decimal(claim["credits_counted_tco2e"]) == 0
    # no certificate left out: the residual is the ledger's
    assert claim["residual_tco2e"] == balance["residual_tco2e"] and claim["verdict"] == "short"
    assert Decimal(claim["difference_tco2e"]) == -Decimal(balance["residual_tco2e"])
    # once the organisation registers "Suhui Trading Co." as one of its names, the claim counts them
    client.patch(f"/api/v1/organisations/{world.org_a}", headers=world.headers("lead"), json={"aliases": ["Suhui Trading Co."]})
    counted = client.get(url, headers=world.headers("viewer")).get_json()["claim"]
    assert counted["excluded"] == [] and Decimal(counted["credits_counted_tco2e"]) == 100


def test_the_findings_can_be_narrowed_to_failures_or_to_one_retirement_and_the_counts_stay_whole(client, world) -> None:
    base = f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/findings"
    every = _findings(client, world)
    # the counts are of every finding: as many as listed without a filter, per outcome
    assert sum(every["counts"].values()) == len(every["findings"])
    assert every["counts"]["fail"] == sum(1 for f in every["findings"] if f["outcome"] == "fail") >= 1
    failures = client.get(base, query_string={"outcome": "fail"}, headers=world.headers("viewer")).get_json()
    assert {f["outcome"] for f in failures["findings"]} == {"fail"}
    assert len(failures["findings"]) == every["counts"]["fail"]
    assert (failures["counts"], failures["blocking_count"]) == (every["counts"], every["blocking_count"])
    subject = f"retirement:{world.retirement_a}"
    mine = client.get(base, query_string={"subject": subject, "outcome": "pass,fail"},
                      headers=world.headers("viewer")).get_json()
    assert mine["findings"] and {f["subject"] for f in mine["findings"]} == {subject}
    assert "SANITY-02" in {f["rule_id"] for f in mine["findings"]}  # fails: "Suhui Trading Co."
    assert {f["outcome"] for f in mine["findings"]} <= {"pass", "fail"}


@pytest.mark.parametrize("query", [{"outcome": "failed"}, {"outcome": "fail,maybe"}, {"subject": "block:3"},
                                   {"subject": "retirement:x"}])
def test_a_findings_query_that_means_nothing_is_refused_with_the_field_named(client, world, query) -> None:
    response = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/findings",
                          query_string=query, headers=world.headers("viewer"))
    assert response.status_code == 422, response.get_json()
    [field] = query
    assert [key for key in response.get_json()["error"]["details"] if key.split(".")[0] == field]
