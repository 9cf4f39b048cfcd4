"""Reading the rule-set files: one TOML file per standard and version under ``rules/``.

Every file is validated by a schema before anything uses it: an unknown check, a missing or
mistyped parameter, a date that is not a date, a rule id given twice, two versions of one
standard in force on the same day → :class:`RuleSetError` naming the file and the rule, and
the application does not start. The layout of a file::

    [rule_set]
    key = "iso-14068-1"            # the standard; several versions share it
    version = "2023"
    kind = "claim"                 # claim | framework | scheme | general
    status = "in_force"            # in_force | legacy | dormant
    in_force_from = 2023-11-30     # optional, as is in_force_to
    source = "…"
    title = { en = "…", zh_Hans = "…", zh_Hant = "…" }

    [[rules]]
    id = "ISO-21"
    clause = "11.2"
    title = { en = "…", zh_Hans = "…", zh_Hant = "…" }
    check = "retired_within_months_after_period_end"
    params = { months = 12 }
    severity = "blocking"          # blocking | warning
    instruments = ["carbon_credit"]  # schemes or kinds; optional (every instrument)
    in_force_from = 2023-11-30     # optional, as is in_force_to
    source = "…"
    confirmed = false
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from neutrality.rules.checks import CHECKS
from neutrality.rules.checks.registry import Param
from neutrality.rules.model import Catalogue, Rule, RuleSet, SetKind, SetStatus, Severity, Text

#: The rule-set folder shipped beside the package.
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "rules"


class RuleSetError(Exception):
    """A rule-set file that cannot be used, with where and why."""

    def __init__(self, path: str, problems: Sequence[str]):
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


class _Date(fields.Field):
    """A TOML date (tomllib gives a ``datetime.date``), nothing else: "2024-01-01" as a string
    is refused, so a typo cannot pass for a date."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValidationError("must be a TOML date, e.g. 2024-12-31 (no quotes)")
        return value


class _TextSchema(Schema):
    en = fields.String(required=True, validate=validate.Length(min=1))
    zh_Hans = fields.String(required=True, validate=validate.Length(min=1))
    zh_Hant = fields.String(required=True, validate=validate.Length(min=1))


class _RuleSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"))
    clause = fields.String(required=True)
    title = fields.Nested(_TextSchema, required=True)
    check = fields.String(required=True, validate=validate.OneOf(sorted(CHECKS)))
    params = fields.Dict(keys=fields.String(), load_default=dict)
    severity = fields.String(required=True, validate=validate.OneOf([s.value for s in Severity]))
    instruments = fields.List(fields.String(), load_default=list)
    in_force_from = _Date(load_default=None)
    in_force_to = _Date(load_default=None)
    source = fields.String(required=True, validate=validate.Length(min=1))
    confirmed = fields.Boolean(required=True)

    @validates_schema
    def _params_fit_the_check(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        spec = CHECKS.get(data.get("check", ""))
        if spec is None:
            return
        given = dict(data.get("params") or {})
        problems: dict[str, list[str]] = {}
        for name in sorted(set(given) - set(spec.params)):
            problems.setdefault(name, []).append(f"is not a parameter of {spec.name}")
        for name, kind in spec.params.items():
            if name not in given:
                if name not in spec.defaults:
                    problems.setdefault(name, []).append(f"is required by {spec.name} ({kind.value})")
                continue
            if _typed(given[name], kind) is None:
                problems.setdefault(name, []).append(f"must be {kind.value}")
        if problems:
            raise ValidationError({"params": problems})
        _dates_in_order(data)


class _SetSchema(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"))
    version = fields.String(required=True, validate=validate.Length(min=1))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SetKind]))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in SetStatus]))
    title = fields.Nested(_TextSchema, required=True)
    source = fields.String(required=True, validate=validate.Length(min=1))
    in_force_from = _Date(load_default=None)
    in_force_to = _Date(load_default=None)

    @validates_schema
    def _dates(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        _dates_in_order(data)


class _FileSchema(Schema):
    rule_set = fields.Nested(_SetSchema, required=True)
    rules = fields.List(fields.Nested(_RuleSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _ids_once(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        ids = [rule["id"] for rule in data.get("rules", [])]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValidationError({"rules": [f"rule {i} is given twice" for i in twice]})


def _dates_in_order(data: Mapping[str, Any]) -> None:
    start, end = data.get("in_force_from"), data.get("in_force_to")
    if start is not None and end is not None and end < start:
        raise ValidationError({"in_force_to": ["is before in_force_from"]})


def _typed(value: Any, kind: Param) -> Any:
    """``value`` as the parameter's type, or None when it is not of it."""
    if kind is Param.BOOL:
        return value if isinstance(value, bool) else None
    if kind is Param.INT:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind is Param.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return None  # a TOML float (0.15) is inexact: write "0.15"
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if kind is Param.DATE:
        return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None
    if kind is Param.TEXT:
        return value if isinstance(value, str) else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _problems(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages as "where: what" lines."""
    if isinstance(messages, Mapping):
        lines: list[str] = []
        for key, value in messages.items():
            lines += _problems(value, f"{prefix}.{key}" if prefix else str(key))
        return lines
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {m}" if prefix else m for m in messages]
    return [f"{prefix}: {messages}"]


def _name_rules(messages: Any, raw: Mapping[str, Any]) -> Any:
    """Errors under ``rules.<n>`` named by the rule's id as well (``rules.3 (PAS-44)``)."""
    if not isinstance(messages, Mapping) or not isinstance(messages.get("rules"), Mapping):
        return messages
    given = raw.get("rules") if isinstance(raw.get("rules"), list) else []
    named = {}
    for index, value in messages["rules"].items():
        rule = given[index] if isinstance(index, int) and index < len(given) else None
        rule_id = rule.get("id") if isinstance(rule, Mapping) else None
        named[f"{index} ({rule_id})" if rule_id else str(index)] = value
    return {**messages, "rules": named}


def read_rule_set(path: Path, root: Path | None = None) -> RuleSet:
    """One rule-set file, validated; :class:`RuleSetError` when it cannot be used."""
    shown = str(path.relative_to(root)) if root is not None else str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleSetError(shown, [f"not a TOML file: {exc}"]) from None
    try:
        data = _FileSchema().load(raw)
    except ValidationError as exc:
        raise RuleSetError(shown, _problems(_name_rules(exc.messages, raw))) from None
    head = data["rule_set"]
    rules = tuple(_rule(item) for item in data["rules"])
    return RuleSet(
        key=head["key"], version=head["version"], kind=SetKind(head["kind"]),
        status=SetStatus(head["status"]), title=Text(**head["title"]), source=head["source"],
        rules=rules, in_force_from=head["in_force_from"], in_force_to=head["in_force_to"],
        path=shown,
    )


def _rule(item: Mapping[str, Any]) -> Rule:
    spec = CHECKS[item["check"]]
    params = {**spec.defaults, **{k: _typed(v, spec.params[k]) for k, v in item["params"].items()}}
    return Rule(
        id=item["id"], clause=item["clause"], title=Text(**item["title"]), check=item["check"],
        params=params, severity=Severity(item["severity"]), target=spec.target,
        source=item["source"], confirmed=item["confirmed"],
        instruments=frozenset(item["instruments"]), in_force_from=item["in_force_from"],
        in_force_to=item["in_force_to"],
    )


def load_catalogue(root: Path = DEFAULT_PATH) -> Catalogue:
    """Every ``*.toml`` under ``root``; :class:`RuleSetError` for the first file that cannot be
    used, or for two versions of one standard in force on a common day."""
    sets = [read_rule_set(path, root) for path in sorted(root.rglob("*.toml"))]
    _no_overlapping_versions(sets)
    return Catalogue(tuple(sets))


@functools.cache
def shipped_catalogue() -> Catalogue:
    """The rule sets shipped in ``rules/``, read once per process (the application reads them at
    start-up, so a broken file stops it before it serves anything)."""
    return load_catalogue(DEFAULT_PATH)


def _no_overlapping_versions(sets: Iterable[RuleSet]) -> None:
    applied = [s for s in sets if s.status is not SetStatus.DORMANT]
    for i, one in enumerate(applied):
        for other in applied[i + 1:]:
            if one.key != other.key:
                continue
            if one.version == other.version:
                raise RuleSetError(other.path, [f"{one.key} {one.version} is also in {one.path}"])
            low = max(one.in_force_from or dt.date.min, other.in_force_from or dt.date.min)
            high = min(one.in_force_to or dt.date.max, other.in_force_to or dt.date.max)
            if low <= high:
                raise RuleSetError(other.path, [
                    f"{other.key} {other.version} is in force on {low.isoformat()}, as "
                    f"{one.version} in {one.path} is: versions of one standard may not overlap"])
