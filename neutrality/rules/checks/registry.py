"""The checks rules can name, with the parameters each takes.

Pure: no database, no clock, no Flask.

A check is a function ``(period, retirement, params) -> Result``: ``retirement`` is the one being
judged for a :attr:`Target.RETIREMENT` check and None for a :attr:`Target.PERIOD` one. It must
not raise for anything the facts can hold: what it cannot decide is a finding ("not applicable",
or a failure saying what is missing). Register it with :func:`check`, declaring its parameters
so that a rule file naming it is validated before the application starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from neutrality.rules.facts import PeriodFacts, Retirement
from neutrality.rules.model import Outcome, Result, Target, Text


class Param(StrEnum):
    """The type of a check's parameter, as a rule file gives it."""

    INT = "int"
    DECIMAL = "decimal"  # written as a string in TOML ("0.15"), read exactly
    DATE = "date"  # a TOML date: 2024-12-31
    TEXT = "text"
    TEXTS = "texts"  # a list of strings
    BOOL = "bool"


CheckFunction = Callable[[PeriodFacts, Retirement | None, Mapping[str, Any]], Result]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    target: Target
    #: each parameter's type; a parameter with a default may be left out of a rule
    params: Mapping[str, Param]
    defaults: Mapping[str, Any]
    function: CheckFunction
    doc: str


CHECKS: dict[str, CheckSpec] = {}


def check(
    name: str,
    target: Target,
    params: Mapping[str, Param] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name`` (the name rule files use)."""

    def register(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = CheckSpec(
            name, target, dict(params or {}), dict(defaults or {}), function,
            (function.__doc__ or "").strip(),
        )
        return function

    return register


# --- helpers for writing checks ------------------------------------------------------------------


def text(en: str, zh_hans: str, zh_hant: str) -> Text:
    return Text(en, zh_hans, zh_hant)


def passed(explanation: Text, **evidence: Any) -> Result:
    return Result(Outcome.PASS, explanation, _evidence(evidence))


def failed(explanation: Text, **evidence: Any) -> Result:
    return Result(Outcome.FAIL, explanation, _evidence(evidence))


def not_applicable(explanation: Text, **evidence: Any) -> Result:
    return Result(Outcome.NOT_APPLICABLE, explanation, _evidence(evidence))


def _evidence(values: Mapping[str, Any]) -> dict[str, str]:
    """Evidence as text, exact: dates ISO, decimals as written (never rounded), None left out."""
    shown: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, dt.date):
            shown[key] = value.isoformat()
        elif isinstance(value, Decimal):
            shown[key] = format(value, "f")
        elif isinstance(value, (list, tuple, set, frozenset)):
            shown[key] = ", ".join(str(v) for v in value)
        else:
            shown[key] = str(value)
    return shown


def end_of_month(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = end_of_month(dt.date(year, month + 1, 1)).day
    return dt.date(year, month + 1, min(day.day, last))
