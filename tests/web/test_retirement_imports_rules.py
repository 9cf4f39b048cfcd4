"""A registry export's retirements judged by the rules of the period's claim: the preview names
the rows a blocking rule refuses, the import refuses them unless told to record them on purpose
(``despite_rules``), and then the claim does not count them.

The world (tests/factories.py): organisation A ("Factory A" among its names) holds block_a, VCUs
941,382,742–941,412,554 of Verra issuance 1310 (29,813 units), and has retired 100 VCUs for
period_verified, the 2024 period (2024-01-01–2024-12-31) of a commitment under ISO 14068-1:2023.
ISO-21 (ISO 14068-1 11.2) accepts credits retired within 12 months after the end of the period,
so by 2025-12-31; SANITY-02 accepts a retirement only for a beneficiary that names the
organisation.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.web.test_retirement_imports_api import _balance, _file, _import, _row, _vcu

pytestmark = pytest.mark.shared_world

# Row 2: the first 10 units of block_a retired on 2025-03-01 for Factory A, inside ISO-21's 12
# months: every rule accepts it. Row 3: the next 10 units, retired on 2026-02-10, 41 days after
# 2025-12-31: ISO-21 refuses it, and it alone.
ACCEPTED = _row(_vcu(941382742, 941382751), 10)
LATE = _row(_vcu(941382752, 941382761), 10, retired="2026-02-10")
REASON = "retired at Verra in February 2026, after the 12 months; the ledger must match the registry"


def _entry(client: Any, world: Any, retirement_id: int) -> dict[str, Any]:
    return client.get(f"/api/v1/organisations/{world.org_a}/retirements/{retirement_id}",
                      headers=world.headers("viewer")).get_json()


def _ledger(client: Any, world: Any) -> list[int]:
    page = client.get(f"/api/v1/organisations/{world.org_a}/retirements",
                      query_string={"period_id": world.period_verified, "per_page": 100},
                      headers=world.headers("viewer")).get_json()
    return [entry["id"] for entry in page["items"]]


@pytest.mark.parametrize(
    ("refused", "rule_set", "rule", "says"),
    [
        # 2026-02-10 is after 2025-12-31, the last day of ISO-21's 12 months after the period:
        # a rule of the claim's standard, ISO 14068-1:2023
        (LATE, "iso-14068-1/2023", "ISO-21", "2025-12-31"),
        # retired for another company: SANITY-02, a rule of every standard (the general set),
        # refuses a beneficiary that does not name the organisation; retired on 2025-03-01,
        # inside ISO-21's months, so that rule alone refuses it
        (_row(_vcu(941382752, 941382761), 10, beneficiary="Someone Else Ltd"), "general/2026", "SANITY-02",
         "Someone Else Ltd"),
    ],
)
def test_a_preview_lists_the_rules_that_refuse_a_row_and_none_for_the_others(
        client, world, table_counts, refused, rule_set, rule, says) -> None:
    before = table_counts()
    response = _import(client, world, _file(ACCEPTED, refused), dry_run="true")
    assert response.status_code == 201, response.get_json()
    outcome = response.get_json()
    # both rows would be recorded (row 3 only with a reason): one refused by the rules
    assert (outcome["status"], outcome["recorded"], outcome["refused_by_rules"]) == ("preview", 2, 1)
    assert outcome["recorded_despite_rules"] == []  # no reason given
    first, second = outcome["rows"]
    assert (first["row"], first["refusals"]) == (2, [])
    [refusal] = second["refusals"]
    assert (second["row"], refusal["rule_set"], refusal["rule_id"]) == (3, rule_set, rule)
    assert set(refusal["explanation"]) == {"en", "zh_Hans", "zh_Hant"}
    assert says in refusal["explanation"]["en"]
    assert table_counts() == before


def test_the_refusal_names_the_rule_set_of_the_claim(client, world) -> None:
    # the commitment is made under ISO 14068-1:2023: ISO-21 comes from that standard's rule set
    outcome = _import(client, world, _file(ACCEPTED, LATE), dry_run="true").get_json()
    [refusal] = outcome["rows"][1]["refusals"]
    assert (refusal["rule_set"], refusal["clause"]) == ("iso-14068-1/2023", "11.2")
    # the same date in each language
    assert all("2026-02-10" in text for text in refusal["explanation"].values())


def test_an_import_with_a_row_the_rules_refuse_is_rejected_and_nothing_is_written(
        client, world, table_counts) -> None:
    ledger = _ledger(client, world)
    before = table_counts()
    response = _import(client, world, _file(ACCEPTED, LATE))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "import_rejected"
    # the row the rule refuses, and it alone (row 2 is accepted)
    [row_error] = error["details"]["errors"]
    assert (row_error["row"], row_error["column"]) == (3, None)
    assert row_error["reason"].startswith("refused by the rules of the claim: ISO-21 (")
    # the message names the rule and the way to record the row on purpose
    assert "refuse 1 row (ISO-21)" in error["message"] and "despite_rules" in error["message"]
    # nothing written: the ledger of the period, the import batches and block_a as they were
    assert table_counts() == before
    assert _ledger(client, world) == ledger
    imports = client.get(f"/api/v1/organisations/{world.org_a}/registry-imports",
                         headers=world.headers("viewer")).get_json()
    assert imports["items"] == []
    block = client.get(f"/api/v1/organisations/{world.org_a}/blocks/{world.block_a}",
                       headers=world.headers("viewer")).get_json()
    assert (block["status"], block["quantity"]) == ("held", 29_813)


def test_with_a_reason_every_row_is_recorded_and_the_claim_does_not_count_the_refused_one(client, world) -> None:
    before = _balance(client, world)
    response = _import(client, world, _file(ACCEPTED, LATE), despite_rules=f"  {REASON}  ")
    assert response.status_code == 201, response.get_json()
    outcome = response.get_json()
    assert (outcome["status"], outcome["recorded"], outcome["refused_by_rules"]) == ("imported", 2, 1)
    assert outcome["recorded_despite_rules"] == [3]
    accepted, late = outcome["rows"]
    [accepted_id], [late_id] = accepted["retirement_ids"], late["retirement_ids"]
    # the row the rules accept is recorded as usual: no reason, no findings
    entry = _entry(client, world, accepted_id)
    assert (entry["quantity"], entry["exclusion_reason"], entry["findings"]) == (10, "", None)
    # the refused one with the reason (trimmed) and ISO-21's finding
    entry = _entry(client, world, late_id)
    assert (entry["quantity"], entry["retired_on"], entry["exclusion_reason"]) == (10, "2026-02-10", REASON)
    assert [(f["rule_id"], f["outcome"], f["severity"]) for f in entry["findings"]] == [
        ("ISO-21", "fail", "blocking")]
    after = _balance(client, world)
    # the ledger's arithmetic counts both rows' 20 units; the claim only row 2's 10
    assert Decimal(after["credits_retired_tco2e"]) == Decimal(before["credits_retired_tco2e"]) + 20
    assert Decimal(after["claim"]["credits_counted_tco2e"]) == Decimal(before["claim"]["credits_counted_tco2e"]) + 10
    excluded = {e["retirement_id"]: e["rules"] for e in after["claim"]["excluded"]}
    assert excluded.get(late_id) == ["ISO-21"] and accepted_id not in excluded


def test_a_preview_with_a_reason_says_which_rows_would_be_recorded_despite_the_rules(
        client, world, table_counts) -> None:
    before = table_counts()
    outcome = _import(client, world, _file(ACCEPTED, LATE), dry_run="true", despite_rules=REASON).get_json()
    assert (outcome["status"], outcome["refused_by_rules"], outcome["recorded_despite_rules"]) == ("preview", 1, [3])
    assert table_counts() == before


def test_a_blank_reason_is_no_reason(client, world, table_counts) -> None:
    before = table_counts()
    without = _import(client, world, _file(ACCEPTED, LATE))
    blank = _import(client, world, _file(ACCEPTED, LATE), despite_rules="   ")
    # refused exactly as without a reason: row 3, ISO-21, nothing written
    assert (blank.status_code, without.status_code) == (422, 422), blank.get_json()
    assert blank.get_json() == without.get_json()
    assert table_counts() == before


def test_a_reason_longer_than_a_hand_recorded_one_may_be_is_refused_naming_the_field(
        client, world, table_counts) -> None:
    # recording by hand takes at most 2,000 characters of reason: one more is refused
    before = table_counts()
    response = _import(client, world, _file(ACCEPTED, LATE), despite_rules="x" * 2_001)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert list(error["details"]) == ["despite_rules"]
    assert table_counts() == before


def test_a_file_the_rules_accept_is_recorded_without_a_reason_even_when_one_is_given(client, world) -> None:
    outcome = _import(client, world, _file(ACCEPTED), despite_rules=REASON).get_json()
    assert (outcome["refused_by_rules"], outcome["recorded_despite_rules"]) == (0, [])
    [entry_id] = outcome["rows"][0]["retirement_ids"]
    assert _entry(client, world, entry_id)["exclusion_reason"] == ""


def test_two_rows_on_one_held_block_are_both_recorded(client, world) -> None:
    # rows 2 and 3 both retire units of block_a (10 each, both inside ISO-21's months): the first
    # row narrows block_a to its own units, the second is found in the rest split off from it
    second = _row(_vcu(941382752, 941382761), 10)
    response = _import(client, world, _file(ACCEPTED, second))
    assert response.status_code == 201, response.get_json()
    rows = response.get_json()["rows"]
    entries = [_entry(client, world, r["retirement_ids"][0]) for r in rows]
    assert [(e["serial_start"], e["serial_end"], e["quantity"]) for e in entries] == [
        (941382742, 941382751, 10), (941382752, 941382761, 10)]
    # 29,813 − 20 = 29,793 units of block_a still held
    held = client.get(f"/api/v1/organisations/{world.org_a}/holdings", query_string={"by": "scheme"},
                      headers=world.headers("viewer")).get_json()
    assert [(h["key"]["scheme"], h["quantity"]) for h in held] == [("VCU", 29_793)]


# --- the command line ---------------------------------------------------------------------------


def test_the_command_line_preview_shows_the_refusal_in_the_row_table(app, world, tmp_path, table_counts) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(_file(ACCEPTED, LATE))
    before = table_counts()
    result = app.test_cli_runner().invoke(args=[
        "retire", "import", str(world.org_a), str(world.period_verified), str(export), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("refused_by_rules") and line.split()[-1] == "1" for line in lines)
    [late] = [line for line in lines if "2026-02-10" in line and "VCS-VCU" in line]
    assert "ISO-21: retired on 2026-02-10, after 2025-12-31" in late
    [accepted] = [line for line in lines if "2025-03-01" in line and "VCS-VCU" in line]
    assert "ISO-21" not in accepted
    assert table_counts() == before


def test_the_command_line_records_the_refused_row_with_despite_rules(app, world, tmp_path, table_counts) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(_file(ACCEPTED, LATE))
    runner = app.test_cli_runner()
    args = ["retire", "import", str(world.org_a), str(world.period_verified), str(export)]
    before = table_counts()
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1
    assert "refuse 1 row (ISO-21)" in refused.output and '"row": 3' in refused.output
    assert table_counts() == before
    recorded = runner.invoke(args=[*args, "--despite-rules", REASON, "--json"])
    assert recorded.exit_code == 0, recorded.output
    outcome = json.loads(recorded.output)
    assert (outcome["recorded"], outcome["recorded_despite_rules"]) == (2, [3])


def test_the_command_line_refuses_a_reason_too_long_naming_the_option(app, world, tmp_path, table_counts) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(_file(ACCEPTED, LATE))
    before = table_counts()
    result = app.test_cli_runner().invoke(args=[
        "retire", "import", str(world.org_a), str(world.period_verified), str(export), "--despite-rules", "x" * 2_001])
    assert result.exit_code == 1
    assert "despite_rules" in result.output and "Traceback" not in result.output
    assert table_counts() == before


def test_a_refused_row_spanning_two_blocks_names_its_rule_once_and_records_both_parts(client, uow, world) -> None:
    from neutrality.registry import held_blocks
    from tests.factories import ADMIN

    # block_a split after its first 10 units; a row retiring 941,382,747–941,382,756 on
    # 2026-02-10 takes 5 units of each block, and ISO-21 refuses both parts (after 2025-12-31):
    # the preview names the rule once for the row
    first, second = held_blocks.split_block(uow(), ADMIN, world.org_a, world.block_a, 10)
    data = _file(_row(_vcu(941382747, 941382756), 10, retired="2026-02-10"))
    [row] = _import(client, world, data, dry_run="true").get_json()["rows"]
    assert (row["blocks"], [r["rule_id"] for r in row["refusals"]]) == ([first.id, second.id], ["ISO-21"])
    # recorded on purpose: two ledger entries of 5, each with the reason and ISO-21's finding
    outcome = _import(client, world, data, despite_rules=REASON).get_json()
    [row] = outcome["rows"]
    entries = [_entry(client, world, r) for r in row["retirement_ids"]]
    assert [(e["quantity"], e["exclusion_reason"], [f["rule_id"] for f in e["findings"]]) for e in entries] == [
        (5, REASON, ["ISO-21"]), (5, REASON, ["ISO-21"])]
