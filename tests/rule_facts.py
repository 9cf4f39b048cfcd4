"""Facts for rule tests, built by hand: a 2025 period of a Chinese factory under ISO 14068-1,
a credit and a certificate retired for it. Override what a case is about, nothing else."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from neutrality.rules.catalogue import load_catalogue
from neutrality.rules.engine import Claim, applicable, evaluate, judge_period, judge_retirement
from neutrality.rules.facts import Claimant, Emissions, Instrument, PeriodFacts, Retirement
from neutrality.rules.model import Finding

CATALOGUE = load_catalogue()

CLAIMANT = Claimant(legal_name="江苏苏辉光伏科技有限公司", name="苏辉光伏",
                    aliases=("Jiangsu Suhui PV Technology Co., Ltd.",), country="CN")


def period(**overrides: Any) -> PeriodFacts:
    values: dict[str, Any] = dict(
        period_id=2, sequence=2, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
        as_of=dt.date(2026, 3, 1), claimant=CLAIMANT, subject_name="盐城电池片工厂",
        standard="iso_14068_1_2023", markets=("CN",), inventory_verified=True, verification_state="confirmed",
        emissions=Emissions(Decimal("900"), Decimal("5000"), Decimal("4000"), Decimal("2000")),
        residual_tco2e=Decimal("6900"), credits_retired_tco2e=Decimal("7000"),
        electricity_mwh_by_market={"CN": Decimal("9000")}, eac_mwh_by_market={"CN": Decimal("1800")},
    )
    values.update(overrides)
    return PeriodFacts(**values)


def credit(**overrides: Any) -> Instrument:
    values: dict[str, Any] = dict(
        scheme="CCER", kind="carbon_credit", quantity=1000, serial="CCER-2024-000001-001000",
        vintage_start=dt.date(2024, 1, 1), vintage_end=dt.date(2024, 12, 31),
        registry="National GHG Voluntary Emission Reduction Registry", project_id="100000000000000001",
        project_name="江苏如东海上风电", country="CN", region="CN-JS", technology="wind_offshore",
        methodology="CCER-01-002-V01",
    )
    values.update(overrides)
    return Instrument(**values)


def certificate(**overrides: Any) -> Instrument:
    values: dict[str, Any] = dict(
        scheme="GEC", kind="eac", quantity=1800, serial="GEC 11320922230500012202503",
        vintage_start=dt.date(2025, 3, 1), vintage_end=dt.date(2025, 3, 31),
        registry="NEA GEC platform", project_id="11320922230500012", project_name="盐城光伏电站",
        country="CN", region="CN-JS", technology="solar_pv", commissioning_date=dt.date(2019, 6, 30),
        subsidised=False, gec_project_code="11320922230500012",
    )
    values.update(overrides)
    return Instrument(**values)


def retirement(instrument: Instrument | None = None, **overrides: Any) -> Retirement:
    instrument = instrument or credit()
    values: dict[str, Any] = dict(
        instrument=instrument, retired_on=dt.date(2026, 2, 10), beneficiary="江苏苏辉光伏科技有限公司",
        purpose="盐城电池片工厂 2025 年度碳中和", market="CN" if instrument.kind == "eac" else None,
        registry_reference="R-1", id=1,
    )
    values.update(overrides)
    return Retirement(**values)


def replace(value: Any, **changes: Any) -> Any:
    return dataclasses.replace(value, **changes)


def findings(facts: PeriodFacts, claim: Claim | None = None) -> list[Finding]:
    """Every finding for the period under ``claim`` (its standard by default)."""
    claim = claim or Claim(facts.standard, zero_carbon_factory=facts.zero_carbon_factory)
    return list(evaluate(applicable(CATALOGUE, claim, facts.start, facts.end), facts).findings)


def of_rule(found: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in found if f.rule_id == rule_id]


def one(facts: PeriodFacts, rule_id: str, retired: Retirement | None = None,
        claim: Claim | None = None) -> Finding:
    """The one finding of ``rule_id``: for ``retired`` (a retirement rule) or for the period."""
    claim = claim or Claim(facts.standard, zero_carbon_factory=facts.zero_carbon_factory)
    sets = applicable(CATALOGUE, claim, facts.start, facts.end).sets
    found = judge_retirement(sets, facts, retired) if retired is not None else judge_period(sets, facts)
    [finding] = of_rule(found, rule_id)
    return finding
