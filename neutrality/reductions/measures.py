"""The register of reduction measures: its vocabulary and the value of one measure.

Pure: no Flask, no database.

The categories are the sections of seed 003 chapters 5–7 (零碳工厂 reference guide: 5 Scope 1,
6 Scope 2, 7 Scope 3), each with its scope and clause; the statuses and horizons (seed 000 §3.4
step 3: quick wins, medium-term systemic change, long-term low-carbon business model) are the
register's. Every name a user sees is a :class:`~neutrality.messages.Msg`, said in the reader's
language at the edge; a measure's own title is written by the user in each language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from neutrality.errors import InvalidInput
from neutrality.inventory.library import DEFAULT_GWP_SET
from neutrality.inventory.model import GwpSet, Scope
from neutrality.messages import Msg
from neutrality.reductions.changes import Change, ExpectedReduction
from neutrality.reductions.ranking import Scores

#: Longest title in one language, and longest source name (the inventory's source names).
TITLE_MAX = 200
SOURCE_MAX = 200


class MeasureCategory(StrEnum):
    """Seed 003 chapters 5–7; the two "buildings" sections are told apart by what they act on."""

    # Chapter 5: Scope 1
    CLEAN_ENERGY_SHARE = "clean_energy_share"  # 5.1 提升清洁能源占比
    PROTECTIVE_GAS_LEAKS = "protective_gas_leaks"  # 5.2 避免保护气泄漏
    REFRIGERANT_CHOICE = "refrigerant_choice"  # 5.3 优化制冷剂的选择
    FIRE_EXTINGUISHERS = "fire_extinguishers"  # 5.4 灭火器的选择和管理
    # Chapter 6: Scope 2
    BUILDINGS_ENERGY = "buildings_energy"  # 6.1 建筑 (passive design, HVAC: energy use)
    GENERAL_EQUIPMENT = "general_equipment"  # 6.2 通用设备
    METERING = "metering"  # 6.3 计量设备
    LIGHTING = "lighting"  # 6.4 照明
    ON_SITE_RENEWABLES = "on_site_renewables"  # 6.5 可再生能源利用
    ENERGY_EFFICIENCY = "energy_efficiency"  # 6.6 能源高效利用
    ENERGY_CARBON_MANAGEMENT = "energy_carbon_management"  # 6.7 能源和碳排放管理系统
    GREEN_ELECTRICITY = "green_electricity"  # 6.8 绿电使用
    POWER_SYSTEM_OPTIMISATION = "power_system_optimisation"  # 6.9 电力系统优化
    # Chapter 7: Scope 3
    BUILDINGS_CONSTRUCTION = "buildings_construction"  # 7.1 建筑 (construction and materials)
    SUPPLIER_CHOICE = "supplier_choice"  # 7.2 供应商选择
    MATERIALS_PACKAGING = "materials_packaging"  # 7.3 原材料及包装材料
    OFFICE_SUPPLIES = "office_supplies"  # 7.4 办公用品
    WATER = "water"  # 7.5 水资源利用
    WASTE = "waste"  # 7.6 废弃物处理
    LOGISTICS = "logistics"  # 7.7 交通出行与物流选择
    ECO_DESIGN = "eco_design"  # 7.8 生产符合生态设计的产品

    @property
    def label(self) -> Msg:
        return _CATEGORIES[self][2]

    @property
    def scope(self) -> Scope:
        """The scope of the chapter the category belongs to."""
        return _CATEGORIES[self][0]

    @property
    def clause(self) -> str:
        """The section of seed 003 that describes the category, e.g. "5.3"."""
        return _CATEGORIES[self][1]


_S1, _S2, _S3 = Scope.SCOPE_1, Scope.SCOPE_2, Scope.SCOPE_3
_CATEGORIES: Mapping[MeasureCategory, tuple[Scope, str, Msg]] = {
    MeasureCategory.CLEAN_ENERGY_SHARE: (_S1, "5.1", Msg("Clean energy share")),
    MeasureCategory.PROTECTIVE_GAS_LEAKS: (_S1, "5.2", Msg("Protective-gas leaks")),
    MeasureCategory.REFRIGERANT_CHOICE: (_S1, "5.3", Msg("Refrigerant choice")),
    MeasureCategory.FIRE_EXTINGUISHERS: (_S1, "5.4", Msg("Fire extinguishers")),
    MeasureCategory.BUILDINGS_ENERGY: (_S2, "6.1", Msg("Buildings: energy use")),
    MeasureCategory.GENERAL_EQUIPMENT: (_S2, "6.2", Msg("General equipment")),
    MeasureCategory.METERING: (_S2, "6.3", Msg("Metering")),
    MeasureCategory.LIGHTING: (_S2, "6.4", Msg("Lighting")),
    MeasureCategory.ON_SITE_RENEWABLES: (_S2, "6.5", Msg("On-site renewable energy")),
    MeasureCategory.ENERGY_EFFICIENCY: (_S2, "6.6", Msg("Energy efficiency")),
    MeasureCategory.ENERGY_CARBON_MANAGEMENT: (_S2, "6.7", Msg("Energy and carbon management system")),
    MeasureCategory.GREEN_ELECTRICITY: (_S2, "6.8", Msg("Green electricity")),
    MeasureCategory.POWER_SYSTEM_OPTIMISATION: (_S2, "6.9", Msg("Power system optimisation")),
    MeasureCategory.BUILDINGS_CONSTRUCTION: (_S3, "7.1", Msg("Buildings: construction and materials")),
    MeasureCategory.SUPPLIER_CHOICE: (_S3, "7.2", Msg("Supplier choice")),
    MeasureCategory.MATERIALS_PACKAGING: (_S3, "7.3", Msg("Raw materials and packaging")),
    MeasureCategory.OFFICE_SUPPLIES: (_S3, "7.4", Msg("Office supplies")),
    MeasureCategory.WATER: (_S3, "7.5", Msg("Water use")),
    MeasureCategory.WASTE: (_S3, "7.6", Msg("Waste treatment")),
    MeasureCategory.LOGISTICS: (_S3, "7.7", Msg("Travel and logistics")),
    MeasureCategory.ECO_DESIGN: (_S3, "7.8", Msg("Eco-design of products")),
}


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> Msg:
        return _STATUS_LABELS[self]


_STATUS_LABELS: Mapping[MeasureStatus, Msg] = {
    MeasureStatus.PLANNED: Msg("Planned"),
    MeasureStatus.IN_PROGRESS: Msg("In progress"),
    MeasureStatus.DONE: Msg("Done"),
    MeasureStatus.DROPPED: Msg("Dropped"),
}


class Horizon(StrEnum):
    """Seed 000 §3.4 step 3 (L471): short-term quick wins (速贏), medium-term systemic change,
    long-term low-carbon business model."""

    QUICK_WIN = "quick_win"
    MEDIUM = "medium"
    LONG_TERM = "long_term"

    @property
    def label(self) -> Msg:
        return _HORIZON_LABELS[self]


_HORIZON_LABELS: Mapping[Horizon, Msg] = {
    Horizon.QUICK_WIN: Msg("Quick win"),
    Horizon.MEDIUM: Msg("Medium term"),
    Horizon.LONG_TERM: Msg("Long term"),
}


@dataclass(frozen=True)
class Title:
    """A measure's title as the user writes it in each language; at least one is given."""

    en: str = ""
    zh_hans: str = ""
    zh_hant: str = ""

    def in_locale(self, locale: str) -> str:
        """The title in the reader's language, else in the other Chinese for a Chinese reader,
        else the first written (English, 简体, 繁體)."""
        fallback = {
            "zh_Hans": (self.zh_hans, self.zh_hant, self.en),
            "zh_Hant": (self.zh_hant, self.zh_hans, self.en),
        }.get(locale, (self.en, self.zh_hans, self.zh_hant))
        return next((text for text in fallback if text), "")

    def sort_key(self) -> tuple[str, ...]:
        return (self.en.casefold(), self.zh_hans, self.zh_hant)


@dataclass(frozen=True)
class Cost:
    """The estimated cost of a measure: an amount ≥ 0 in an ISO 4217 currency ("CNY", "HKD")."""

    amount: Decimal
    currency: str


_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Measure:
    """One reduction measure of the register.

    ``scope`` and ``source`` say what it acts on in the inventory (the source as the inventory
    names it; empty when it acts on a whole scope); ``start`` and ``end`` are the planned or
    actual dates of its implementation. Built through :func:`measure`, which checks every field.
    """

    title: Title
    category: MeasureCategory
    scope: Scope
    source: str
    status: MeasureStatus
    horizon: Horizon
    start: dt.date | None = None
    end: dt.date | None = None
    cost: Cost | None = None
    scores: Scores | None = None
    site_id: int | None = None  # None: the whole organisation
    change: Change | None = None  # what it changes, in activity terms (None: not stated yet)

    def sort_key(self) -> tuple[str, ...]:
        return self.title.sort_key()

    def expected(self, gwp_set: GwpSet | str = DEFAULT_GWP_SET) -> ExpectedReduction | None:
        """The reduction a year its change is expected to give, with the inventory's GWP set;
        None while the change is not stated."""
        return None if self.change is None else self.change.expected(gwp_set)


def measure(
    *,
    title: Title,
    category: Any,
    status: Any = MeasureStatus.PLANNED,
    horizon: Any = Horizon.MEDIUM,
    scope: Any = None,
    source: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    cost_amount: Any = None,
    cost_currency: str = "",
    scores: Scores | None = None,
    site_id: int | None = None,
    change: Change | None = None,
) -> Measure:
    """A measure from what the user gave, or :class:`InvalidInput` naming every wrong field.

    ``scope`` defaults to the category's (a boiler's efficiency, filed under energy efficiency,
    acts on Scope 1: the user says so). A cost is an amount with its currency, or neither.
    """
    errors: dict[str, list[Msg]] = {}
    texts = {"title_en": title.en, "title_zh_hans": title.zh_hans, "title_zh_hant": title.zh_hant}
    for name, text in texts.items():
        if not isinstance(text, str):
            errors[name] = [Msg("the title is text")]
        elif len(text.strip()) > TITLE_MAX:
            errors[name] = [Msg("the title is longer than {limit} characters", limit=TITLE_MAX)]
    if not errors and not any(text.strip() for text in texts.values()):
        errors["title_en"] = [Msg("give the measure a title in at least one language")]
    chosen_category = _choice(MeasureCategory, category, "category", errors)
    chosen_status = _choice(MeasureStatus, status, "status", errors)
    chosen_horizon = _choice(Horizon, horizon, "horizon", errors)
    chosen_scope = None
    if scope is None:
        chosen_scope = chosen_category.scope if chosen_category else None
    else:
        try:
            chosen_scope = Scope(int(scope))
        except (TypeError, ValueError):
            errors["scope"] = [Msg("the scope is 1, 2 or 3")]
    if not isinstance(source, str) or len(source.strip()) > SOURCE_MAX:
        errors["source"] = [Msg("the source is a name of at most {limit} characters", limit=SOURCE_MAX)]
    if start is not None and end is not None and end < start:
        errors["end"] = [Msg("the end date is before the start date")]
    if chosen_status is MeasureStatus.DONE and end is None:
        # a done measure is measured against the periods after it ended
        errors["end"] = [Msg("a done measure has the date it was completed")]
    cost = _cost(cost_amount, cost_currency, errors)
    if errors:
        raise InvalidInput(Msg("the measure is not valid"), errors)
    assert chosen_category and chosen_status and chosen_horizon and chosen_scope  # no errors: all chosen
    return Measure(
        title=Title(title.en.strip(), title.zh_hans.strip(), title.zh_hant.strip()),
        category=chosen_category,
        scope=chosen_scope,
        source=source.strip(),
        status=chosen_status,
        horizon=chosen_horizon,
        start=start,
        end=end,
        cost=cost,
        scores=scores,
        site_id=site_id,
        change=change,
    )


E = TypeVar("E", bound=StrEnum)


def _choice(kind: type[E], value: Any, field: str, errors: dict[str, list[Msg]]) -> E | None:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(str(member) for member in kind)
        errors[field] = [Msg("'{value}' is not one of {known}", value=value, known=known)]
        return None


def _cost(amount: Any, currency: Any, errors: dict[str, list[Msg]]) -> Cost | None:
    if amount in (None, "") and not currency:
        return None
    number = None
    if isinstance(amount, int | str | Decimal) and not isinstance(amount, bool):
        try:
            number = Decimal(amount.strip() if isinstance(amount, str) else amount)
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number < 0:
        errors["cost_amount"] = [Msg("the cost is an amount of 0 or more")]
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if not _CURRENCY.fullmatch(code):
        errors["cost_currency"] = [Msg("the currency is a three-letter code such as CNY or HKD")]
    if number is None or "cost_amount" in errors or "cost_currency" in errors:
        return None
    return Cost(number, code)
