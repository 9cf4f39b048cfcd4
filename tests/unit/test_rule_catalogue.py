"""Rule-set files are validated before anything uses them: a broken file is refused naming the
file and the rule, and the shipped catalogue loads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from neutrality.rules.catalogue import RuleSetError, load_catalogue, read_rule_set
from neutrality.rules.model import SetStatus, Severity, Target

HEAD = """
[rule_set]
key = "demo-standard"
version = "{version}"
kind = "claim"
status = "{status}"
source = "a test"
title = {{ en = "Demo", zh_Hans = "示例", zh_Hant = "示例" }}
{dates}
"""

RULE = """
[[rules]]
id = "{id}"
clause = "11.2"
title = {{ en = "Retired in time", zh_Hans = "按时注销", zh_Hant = "按時註銷" }}
check = "{check}"
params = {params}
severity = "blocking"
source = "a test"
confirmed = false
{extra}
"""


def _file(tmp_path: Path, name: str = "demo/2023.toml", *, version: str = "2023", status: str = "in_force",
          dates: str = "", rules: list[dict[str, str]] | None = None) -> Path:
    rules = rules if rules is not None else [{}]
    text = HEAD.format(version=version, status=status, dates=dates) + "".join(
        RULE.format(**{"id": "DEMO-01", "check": "retired_on_or_after_vintage_start", "params": "{}",
                       "extra": "", **rule}) for rule in rules)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> RuleSetError:
    with pytest.raises(RuleSetError) as refused:
        read_rule_set(path, path.parents[1])
    return refused.value


def test_a_sound_file_is_read_into_a_rule_set(tmp_path: Path) -> None:
    rule_set = read_rule_set(_file(tmp_path, dates="in_force_from = 2023-11-30"), tmp_path)
    [rule] = rule_set.rules
    assert (rule_set.label, rule_set.status, rule_set.in_force_from) == (
        "demo-standard/2023", SetStatus.IN_FORCE, dt.date(2023, 11, 30))
    assert (rule.id, rule.severity, rule.target, rule.confirmed) == (
        "DEMO-01", Severity.BLOCKING, Target.RETIREMENT, False)
    assert rule.title.zh_Hant == "按時註銷"


def test_an_unknown_check_is_refused_naming_the_file_and_the_rule(tmp_path: Path) -> None:
    refusal = _refusal(_file(tmp_path, rules=[{"check": "retired_whenever"}]))
    assert refusal.path == "demo/2023.toml"
    assert len(refusal.problems) == 1 and refusal.problems[0].startswith("rules.0 (DEMO-01).check: ")


def test_a_parameter_the_check_does_not_take_is_refused(tmp_path: Path) -> None:
    refusal = _refusal(_file(tmp_path, rules=[{"params": "{ months = 12 }"}]))
    assert refusal.problems == [
        "rules.0 (DEMO-01).params.months: is not a parameter of retired_on_or_after_vintage_start"]


def test_a_date_written_as_text_is_refused(tmp_path: Path) -> None:
    # "2023-11-30" in quotes is a string in TOML: a typo there must not pass for a date
    refusal = _refusal(_file(tmp_path, rules=[{"extra": 'in_force_from = "2023-11-30"'}]))
    assert refusal.problems == ["rules.0 (DEMO-01).in_force_from: must be a TOML date, e.g. 2024-12-31 (no quotes)"]


def test_a_rule_id_given_twice_and_a_missing_field_are_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, rules=[{}, {}])
    assert _refusal(path).problems == ["rules: rule DEMO-01 is given twice"]
    path.write_text(path.read_text(encoding="utf-8").replace('severity = "blocking"\n', "", 1), encoding="utf-8")
    assert "rules.0 (DEMO-01).severity: Missing data for required field." in _refusal(path).problems


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo" / "broken.toml"
    path.parent.mkdir()
    path.write_text("[rule_set\nkey = 1", encoding="utf-8")
    assert _refusal(path).problems[0].startswith("not a TOML file: ")


def test_two_versions_of_one_standard_in_force_on_a_common_day_are_refused(tmp_path: Path) -> None:
    # 2023 in force from 2023-11-30 with no end; 2026 from 2026-06-01: both on 2026-06-01
    _file(tmp_path, dates="in_force_from = 2023-11-30")
    _file(tmp_path, "demo/2026.toml", version="2026", dates="in_force_from = 2026-06-01")
    with pytest.raises(RuleSetError) as refused:
        load_catalogue(tmp_path)
    assert refused.value.path == "demo/2026.toml"
    assert "is in force on 2026-06-01" in refused.value.problems[0]


def test_versions_that_follow_each_other_and_a_dormant_draft_are_accepted(tmp_path: Path) -> None:
    _file(tmp_path, dates="in_force_from = 2023-11-30\nin_force_to = 2026-05-31")
    _file(tmp_path, "demo/2026.toml", version="2026", dates="in_force_from = 2026-06-01")
    _file(tmp_path, "demo/draft.toml", version="draft", status="dormant")  # never applied
    catalogue = load_catalogue(tmp_path)
    assert catalogue.in_force("demo-standard", dt.date(2026, 5, 31)).version == "2023"
    assert catalogue.in_force("demo-standard", dt.date(2026, 6, 1)).version == "2026"
    assert catalogue.in_force("demo-standard", dt.date(2023, 11, 29)) is None


def test_the_shipped_rule_sets_load_and_every_rule_names_a_source() -> None:
    catalogue = load_catalogue()
    assert catalogue.sets, "no rule set shipped"
    for rule_set in catalogue.sets:
        assert all(rule.source.strip() for rule in rule_set.rules), rule_set.path


def test_the_application_does_not_start_on_a_broken_rule_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from neutrality import app as application
    from neutrality.rules import catalogue

    _file(tmp_path, rules=[{"check": "no_such_check"}])
    monkeypatch.setattr(catalogue, "DEFAULT_PATH", tmp_path)
    catalogue.shipped_catalogue.cache_clear()
    try:
        with pytest.raises(RuleSetError):
            application.create_app({"testing": True, "database_url": "sqlite://"})
    finally:
        catalogue.shipped_catalogue.cache_clear()
