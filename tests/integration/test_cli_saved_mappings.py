"""The command line saves a mapping given with a ledger, reads next month's ledger with it, lists
the organisation's saved mappings (a table, or JSON) and forgets one, audited."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from neutrality.organisations import services as organisations
from tests.factories import ADMIN

HEADER = "厂区,用电量（千瓦时）,计量起始,计量截止,备注"
MAPPING = {
    "columns": {"用电量（千瓦时）": "quantity", "计量起始": "start_date", "计量截止": "end_date", "备注": None},
    "fixed": {"source": "车间用电", "scope": "2", "activity_type": "electricity", "unit": "kWh"},
}


def _run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_the_command_line_saves_uses_lists_and_forgets_a_mapping(app, uow, world, tmp_path, table_counts) -> None:
    name = organisations.get_organisation(uow(), ADMIN, world.org_a).name  # ORG by its name
    inventory = str(world.inventory_draft)
    january, february, mapping = tmp_path / "1月.csv", tmp_path / "2月.csv", tmp_path / "mapping.json"
    january.write_text(f"盐城工厂 1 月用电台账,,,,\n{HEADER}\n{world.site_a},125000,2025-01-01,2025-01-31,\n")
    february.write_text(f"盐城工厂 2 月用电台账,,,,\n{HEADER}\n{world.site_a},98000,2025-02-01,2025-02-28,\n")
    mapping.write_text(json.dumps(MAPPING, ensure_ascii=False))

    first = _run(app, "inventory", "import", name, inventory, str(january), "--mapping", str(mapping), "--json")
    assert first.exit_code == 0, first.output
    used = json.loads(first.output)["mapping"]
    assert used["source"] == "given"

    listed = _run(app, "inventory", "mappings", name)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["id", "header", "last_used_at", "created_at", "created_by"]
    # the most recently used first: the one just saved, its header as the file wrote it
    assert lines[2].split(None, 1)[0] == str(used["id"])
    assert "厂区, 用电量（千瓦时）, 计量起始, 计量截止, 备注" in lines[2]
    as_json = json.loads(_run(app, "inventory", "mappings", name, "--json").output)
    assert [m["id"] for m in as_json] == [used["id"], world.column_mapping]

    second = _run(app, "inventory", "import", name, inventory, str(february), "--json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.output)["mapping"] == used | {"source": "saved"}

    before = table_counts()
    forgotten = _run(app, "inventory", "forget-mapping", name, str(used["id"]))
    assert forgotten.exit_code == 0, forgotten.output
    assert forgotten.output == f"column mapping {used['id']} forgotten\n"
    after = table_counts()
    assert after["column_mappings"] == before["column_mappings"] - 1
    assert after["audit_entries"] == before["audit_entries"] + 1
    assert [m["id"] for m in json.loads(_run(app, "inventory", "mappings", name, "--json").output)] == [
        world.column_mapping]
    again = _run(app, "inventory", "forget-mapping", name, str(used["id"]))
    assert again.exit_code == 1 and "not_found" in again.output
