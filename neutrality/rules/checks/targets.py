"""Checks on a commitment's reduction targets (SBTi near-term criteria, Corporate Net-Zero
Standard): base year, timeframe, coverage, ambition, recalculation, and what may not count
toward a target's progress (carbon credits; certificates under CNZS 2.0).

Pure: no database, no clock, no Flask.

A target's scopes are written "1+2", "3", "1+2+3" (under CNZS 2.0 also "1" and "2"). Its path
is the straight line from its base-year emissions to the target level in its target year; the
period is placed on it by the year its last day falls in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from neutrality.rules.checks.registry import (
    Param,
    check,
    failed,
    not_applicable,
    passed,
    text,
)
from neutrality.rules.facts import Emissions, PeriodFacts, ReductionTarget, Retirement
from neutrality.rules.model import Result, Target

HUNDRED = Decimal(100)
ANY_TERM = "any"

# --- helpers ---------------------------------------------------------------------------------


def _scopes(target: ReductionTarget) -> frozenset[str]:
    return frozenset(part.strip() for part in target.scopes.split("+") if part.strip())


def _of_term(period: PeriodFacts, term: str) -> list[ReductionTarget]:
    return [t for t in period.targets if term == ANY_TERM or t.term == term]


def _label(target: ReductionTarget) -> str:
    """How a target is named in evidence: "Scope 1+2 absolute 2020→2030 −42%"."""
    return (f"Scope {target.scopes} {target.kind} {target.base_year}→{target.target_year} "
            f"−{format(target.reduction_percent, 'f')}%")


def _listed(lines: Iterable[str]) -> str:
    return "; ".join(lines)


def _emissions_of(scopes: frozenset[str], emissions: Emissions, scope2_method: str) -> Decimal:
    """The period's emissions of the scopes a target covers, Scope 2 counted as ``scope2_method``
    ("location" or "market") says."""
    scope2 = emissions.scope2_location if scope2_method == "location" else emissions.scope2_market
    by_scope = {"1": emissions.scope1, "2": scope2, "3": emissions.scope3}
    return sum((by_scope[s] for s in scopes if s in by_scope), Decimal(0))


def _shown(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def _path(target: ReductionTarget, year: int) -> Decimal | None:
    """The emissions the target's straight-line path allows in ``year`` (the target level once
    the target year is reached); None when it cannot be drawn."""
    base = target.base_year_emissions
    span = target.target_year - target.base_year
    if base is None or span <= 0 or year < target.base_year or target.kind != "absolute":
        return None
    elapsed = min(year - target.base_year, span)
    return base * (1 - target.reduction_percent / HUNDRED * Decimal(elapsed) / Decimal(span))


def _traceable(period: PeriodFacts) -> list[tuple[ReductionTarget, Decimal]]:
    """The targets whose path reaches the period's year, with the level it allows."""
    year = period.end.year
    traced = [(t, _path(t, year)) for t in period.targets]
    return [(t, level) for t, level in traced if level is not None]


# --- base year and timeframe -------------------------------------------------------------------


@check("target_base_year_not_before", Target.PERIOD,
       params={"earliest_base_year": Param.INT, "term": Param.TEXT},
       defaults={"term": "near_term"})
def target_base_year_not_before(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """No target's base year is earlier than the standard allows."""
    earliest = params["earliest_base_year"]
    targets = _of_term(period, params["term"])
    if not targets:
        return _no_targets()
    early = [_label(t) for t in targets if t.base_year < earliest]
    if early:
        return failed(text(
            f"a target's base year is before {earliest}: a base year that old is not accepted, "
            "so the target must be restated from a later base year",
            f"有目标的基准年早于 {earliest} 年：不接受这么早的基准年，需以较晚的基准年重新设定目标",
            f"有目標的基準年早於 {earliest} 年：不接受這麼早的基準年，需以較晚的基準年重新設定目標",
        ), earliest_base_year=earliest, targets=_listed(early))
    return passed(text(
        f"every target's base year is {earliest} or later",
        f"所有目标的基准年均不早于 {earliest} 年",
        f"所有目標的基準年均不早於 {earliest} 年",
    ), earliest_base_year=earliest, targets=_listed(_label(t) for t in targets))


def _no_targets() -> Result:
    return not_applicable(text(
        "no reduction target of this kind is recorded for the commitment",
        "该承诺未记录此类减排目标",
        "該承諾未記錄此類減排目標",
    ))


@check("target_timeframe_from_submission", Target.PERIOD,
       params={"min_years": Param.INT, "max_years": Param.INT, "term": Param.TEXT},
       defaults={"term": "near_term"})
def target_timeframe_from_submission(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Each target with a known submission date ends between ``min_years`` and ``max_years``
    after the year it was submitted in (target year minus submission year: a target submitted
    in 2024 may end 2029–2034 for 5–10 years)."""
    low, high = params["min_years"], params["max_years"]
    targets = _of_term(period, params["term"])
    dated = [(t, t.set_on) for t in targets if t.set_on is not None]
    if not dated:
        return not_applicable(text(
            "no target has a known submission date, so its timeframe cannot be counted",
            "没有目标记录提交日期，无法计算其时间跨度",
            "沒有目標記錄提交日期，無法計算其時間跨度",
        ), targets=_listed(_label(t) for t in targets))
    years = [(t, f"{_label(t)} submitted {on.isoformat()}: {t.target_year - on.year} years",
              t.target_year - on.year) for t, on in dated]
    lines = [line for _, line, _ in years]
    outside = [line for _, line, span in years if not low <= span <= high]
    evidence = {"min_years": low, "max_years": high}
    if outside:
        return failed(text(
            f"a target does not end {low}–{high} years after it was submitted: a target must "
            f"cover {low} to {high} years from its submission",
            f"有目标的目标年不在提交后 {low}–{high} 年之内：目标须覆盖自提交起 {low} 至 {high} 年",
            f"有目標的目標年不在提交後 {low}–{high} 年之內：目標須涵蓋自提交起 {low} 至 {high} 年",
        ), **evidence, targets=_listed(outside))
    return passed(text(
        f"every dated target ends {low}–{high} years after its submission",
        f"所有已知提交日期的目标均在提交后 {low}–{high} 年内到期",
        f"所有已知提交日期的目標均在提交後 {low}–{high} 年內到期",
    ), **evidence, targets=_listed(lines))


# --- which targets, and how much of the emissions they cover -----------------------------------


@check("scope3_target_when_material", Target.PERIOD,
       params={"share_percent": Param.DECIMAL, "scope2_method": Param.TEXT})
def scope3_target_when_material(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """When Scope 3 is at least ``share_percent`` of Scope 1+2+3 in the period's inventory, a
    near-term target covers Scope 3."""
    threshold: Decimal = params["share_percent"]
    emissions = period.emissions
    if emissions is None:
        return _no_inventory()
    total = _emissions_of(frozenset("123"), emissions, params["scope2_method"])
    if total <= 0:
        return _no_inventory()
    share = emissions.scope3 / total * HUNDRED
    evidence = {"scope3_tco2e": emissions.scope3, "scope1_2_3_tco2e": total,
                "scope3_share_percent": _shown(share), "threshold_percent": threshold,
                "scope2_method": params["scope2_method"]}
    if share < threshold:
        return not_applicable(text(
            f"Scope 3 is {_shown(share)}% of Scope 1+2+3, under {threshold}%: no Scope 3 target "
            "is required",
            f"范围三占范围一、二、三合计的 {_shown(share)}%，低于 {threshold}%：无须设定范围三目标",
            f"範圍三佔範圍一、二、三合計的 {_shown(share)}%，低於 {threshold}%：無須設定範圍三目標",
        ), **evidence)
    covering = [_label(t) for t in _of_term(period, "near_term") if "3" in _scopes(t)]
    if not covering:
        return failed(text(
            f"Scope 3 is {_shown(share)}% of Scope 1+2+3 (at least {threshold}%), and no near-term "
            "target covers Scope 3: one is required",
            f"范围三占合计的 {_shown(share)}%（不低于 {threshold}%），但没有覆盖范围三的近期目标：必须设定",
            f"範圍三佔合計的 {_shown(share)}%（不低於 {threshold}%），但沒有涵蓋範圍三的近期目標：必須設定",
        ), **evidence)
    return passed(text(
        f"Scope 3 is {_shown(share)}% of Scope 1+2+3 and a near-term target covers it",
        f"范围三占合计的 {_shown(share)}%，已有覆盖范围三的近期目标",
        f"範圍三佔合計的 {_shown(share)}%，已有涵蓋範圍三的近期目標",
    ), **evidence, targets=_listed(covering))


def _no_inventory() -> Result:
    return not_applicable(text(
        "the period has no inventory, so the share of each scope is not known",
        "该期间没有排放清单，无法得知各范围的占比",
        "該期間沒有排放清冊，無法得知各範圍的佔比",
    ))


@check("scope3_target_for_category", Target.PERIOD, params={"categories": Param.TEXTS})
def scope3_target_for_category(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A company in one of ``categories`` sets a near-term Scope 3 target."""
    categories = tuple(params["categories"])
    category = period.sbti_category
    if category is None:
        return not_applicable(text(
            "the company's SBTi category (A or B) is not recorded, so whether a Scope 3 target is "
            "required is not known",
            "未记录公司的 SBTi 类别（A 或 B），无法判断是否须设定范围三目标",
            "未記錄公司的 SBTi 類別（A 或 B），無法判斷是否須設定範圍三目標",
        ))
    evidence = {"category": category, "required_for": categories}
    if category not in categories:
        return not_applicable(text(
            f"a Category {category} company is not required to set a near-term Scope 3 target",
            f"{category} 类公司无须设定近期范围三目标",
            f"{category} 類公司無須設定近期範圍三目標",
        ), **evidence)
    covering = [_label(t) for t in _of_term(period, "near_term") if "3" in _scopes(t)]
    if not covering:
        return failed(text(
            f"a Category {category} company must set a near-term Scope 3 target, and none is recorded",
            f"{category} 类公司必须设定近期范围三目标，但未记录任何此类目标",
            f"{category} 類公司必須設定近期範圍三目標，但未記錄任何此類目標",
        ), **evidence)
    return passed(text(
        f"a Category {category} company, with a near-term Scope 3 target",
        f"{category} 类公司，已设定近期范围三目标",
        f"{category} 類公司，已設定近期範圍三目標",
    ), **evidence, targets=_listed(covering))


@check("target_coverage", Target.PERIOD,
       params={"scopes": Param.TEXT, "min_percent": Param.DECIMAL, "required": Param.BOOL,
               "term": Param.TEXT},
       defaults={"term": "near_term"})
def target_coverage(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A target covering ``scopes`` covers at least ``min_percent`` of their emissions. Several
    such targets may overlap, so the widest one is judged (their shares are not added)."""
    wanted = frozenset(params["scopes"].split("+"))
    threshold: Decimal = params["min_percent"]
    covering = [t for t in _of_term(period, params["term"]) if wanted <= _scopes(t)]
    evidence: dict[str, Any] = {"scopes": params["scopes"], "min_percent": threshold}
    if not covering:
        return _no_covering_target(params["scopes"], params["required"], evidence)
    stated = [t for t in covering if t.coverage_percent is not None]
    if not stated:
        return not_applicable(text(
            f"the Scope {params['scopes']} target does not state its coverage, so it cannot be "
            f"compared with the {threshold}% required",
            f"范围{params['scopes']}目标未注明覆盖率，无法与要求的 {threshold}% 比较",
            f"範圍{params['scopes']}目標未註明覆蓋率，無法與要求的 {threshold}% 比較",
        ), **evidence, targets=_listed(_label(t) for t in covering))
    widest = max(stated, key=lambda t: t.coverage_percent or Decimal(0))
    coverage = widest.coverage_percent or Decimal(0)
    evidence.update(target=_label(widest), coverage_percent=coverage)
    if coverage < threshold:
        return failed(text(
            f"the Scope {params['scopes']} target covers {coverage}% of those emissions, less than "
            f"the {threshold}% required",
            f"范围{params['scopes']}目标覆盖 {coverage}% 的排放，低于要求的 {threshold}%",
            f"範圍{params['scopes']}目標涵蓋 {coverage}% 的排放，低於要求的 {threshold}%",
        ), **evidence)
    return passed(text(
        f"the Scope {params['scopes']} target covers {coverage}% of those emissions "
        f"(at least {threshold}%)",
        f"范围{params['scopes']}目标覆盖 {coverage}% 的排放（不低于 {threshold}%）",
        f"範圍{params['scopes']}目標涵蓋 {coverage}% 的排放（不低於 {threshold}%）",
    ), **evidence)


def _no_covering_target(scopes: str, required: bool, evidence: Mapping[str, Any]) -> Result:
    if required:
        return failed(text(
            f"no target covers Scope {scopes}: one is required",
            f"没有覆盖范围{scopes}的目标：必须设定",
            f"沒有涵蓋範圍{scopes}的目標：必須設定",
        ), **evidence)
    return not_applicable(text(
        f"no target covers Scope {scopes}, so there is no coverage to judge",
        f"没有覆盖范围{scopes}的目标，无覆盖率可判断",
        f"沒有涵蓋範圍{scopes}的目標，無覆蓋率可判斷",
    ), **evidence)


# --- ambition ------------------------------------------------------------------------------------


def _required_reduction(target: ReductionTarget, rates: Mapping[str, Decimal]) -> Decimal:
    """The reduction a linear annual rate asks over the target's years. A target over several
    scopes is held to the steepest of their rates: its Scope 1+2 part must be 1.5 °C-aligned
    whatever Scope 3 is joined to it."""
    rate = max(rates[s] for s in _scopes(target) if s in rates)
    return rate * (target.target_year - target.base_year)


@check("absolute_target_ambition", Target.PERIOD,
       params={"scope12_rate_percent": Param.DECIMAL, "scope3_rate_percent": Param.DECIMAL,
               "term": Param.TEXT},
       defaults={"term": "near_term"})
def absolute_target_ambition(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Each absolute target reduces at least the linear annual rate of its scopes times its
    years (reduction_percent ≥ rate × (target_year − base_year)). Intensity targets are judged
    by sector pathways, not by a linear rate, and are left out."""
    rates = {"1": params["scope12_rate_percent"], "2": params["scope12_rate_percent"],
             "3": params["scope3_rate_percent"]}
    judged = [t for t in _of_term(period, params["term"])
              if t.kind == "absolute" and _scopes(t) & set(rates)]
    if not judged:
        return not_applicable(text(
            "no absolute target is recorded, so no linear reduction rate can be compared",
            "未记录绝对减排目标，无法比较线性年减排率",
            "未記錄絕對減排目標，無法比較線性年減排率",
        ))
    lines, short = [], []
    for target in judged:
        needed = _required_reduction(target, rates)
        line = f"{_label(target)}: needs ≥ {format(needed, 'f')}%"
        lines.append(line)
        if target.target_year <= target.base_year or target.reduction_percent < needed:
            short.append(line)
    evidence = {"scope12_rate_percent": rates["1"], "scope3_rate_percent": rates["3"]}
    if short:
        return failed(text(
            "a target reduces less than the minimum linear rate over its years (Scope 1+2 "
            f"{rates['1']}%/yr, Scope 3 {rates['3']}%/yr)",
            f"有目标的减排幅度低于其年数对应的最低线性减排率（范围一、二每年 {rates['1']}%，"
            f"范围三每年 {rates['3']}%）",
            f"有目標的減排幅度低於其年數對應的最低線性減排率（範圍一、二每年 {rates['1']}%，"
            f"範圍三每年 {rates['3']}%）",
        ), **evidence, targets=_listed(short))
    return passed(text(
        "every absolute target reduces at least the minimum linear rate over its years",
        "所有绝对目标的减排幅度均达到其年数对应的最低线性减排率",
        "所有絕對目標的減排幅度均達到其年數對應的最低線性減排率",
    ), **evidence, targets=_listed(lines))


@check("long_term_target_depth", Target.PERIOD,
       params={"min_reduction_percent": Param.DECIMAL, "latest_target_year": Param.INT})
def long_term_target_depth(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A net-zero commitment has a long-term target cutting at least ``min_reduction_percent``
    by ``latest_target_year`` at the latest; every long-term target does."""
    depth: Decimal = params["min_reduction_percent"]
    latest: int = params["latest_target_year"]
    targets = _of_term(period, "long_term")
    evidence = {"min_reduction_percent": depth, "latest_target_year": latest}
    if not targets:
        return failed(text(
            "no long-term target is recorded: a net-zero commitment needs one",
            "未记录长期目标：净零承诺必须设定长期目标",
            "未記錄長期目標：淨零承諾必須設定長期目標",
        ), **evidence)
    short = [_label(t) for t in targets
             if t.reduction_percent < depth or t.target_year > latest]
    if short:
        return failed(text(
            f"a long-term target cuts less than {depth}% or ends after {latest}",
            f"有长期目标的减排幅度低于 {depth}% 或目标年晚于 {latest} 年",
            f"有長期目標的減排幅度低於 {depth}% 或目標年晚於 {latest} 年",
        ), **evidence, targets=_listed(short))
    return passed(text(
        f"every long-term target cuts at least {depth}% by {latest} at the latest",
        f"所有长期目标均在 {latest} 年前减排至少 {depth}%",
        f"所有長期目標均在 {latest} 年前減排至少 {depth}%",
    ), **evidence, targets=_listed(_label(t) for t in targets))


# --- recalculation -------------------------------------------------------------------------------


@check("base_year_recalculated_on_change", Target.PERIOD, params={"threshold_percent": Param.DECIMAL})
def base_year_recalculated_on_change(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A target whose base year changed by ``threshold_percent`` or more (cumulatively, up or
    down) has been recalculated."""
    threshold: Decimal = params["threshold_percent"]
    assessed = [t for t in period.targets if t.base_year_change_percent is not None]
    if not assessed:
        return not_applicable(text(
            "no change to a target's base-year emissions is recorded",
            "未记录目标基准年排放的任何变动",
            "未記錄目標基準年排放的任何變動",
        ), threshold_percent=threshold)
    lines = [f"{_label(t)}: base year changed {format(t.base_year_change_percent or 0, 'f')}%"
             f"{', recalculated' if t.base_year_recalculated else ''}" for t in assessed]
    # The size of the change matters, not its sign: a divestment lowers the base year as a
    # boundary error raises it, and either misstates the target.
    stale = [line for t, line in zip(assessed, lines, strict=True)
             if abs(t.base_year_change_percent or 0) >= threshold and not t.base_year_recalculated]
    if stale:
        return failed(text(
            f"a target's base year changed by {threshold}% or more and was not recalculated",
            f"有目标的基准年排放变动达 {threshold}% 或以上，但未重新计算",
            f"有目標的基準年排放變動達 {threshold}% 或以上，但未重新計算",
        ), threshold_percent=threshold, targets=_listed(stale))
    return passed(text(
        f"every base-year change of {threshold}% or more has been recalculated",
        f"所有达 {threshold}% 或以上的基准年变动均已重新计算",
        f"所有達 {threshold}% 或以上的基準年變動均已重新計算",
    ), threshold_percent=threshold, targets=_listed(lines))


# --- what may not count toward progress ---------------------------------------------------------


def _needed(
    traced: Sequence[tuple[ReductionTarget, Decimal]], counted: Sequence[Decimal],
    relieved: Sequence[Decimal],
) -> list[str]:
    """The targets above their path on what counts, and on or below it only with the relief."""
    return [
        f"{_label(t)}: {format(c, 'f')} > path {_shown(level)} ≥ {format(r, 'f')}"
        for (t, level), c, r in zip(traced, counted, relieved, strict=True)
        if c > level >= r
    ]


@check("credits_excluded_from_target_progress", Target.PERIOD, params={"scope2_method": Param.TEXT})
def credits_excluded_from_target_progress(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Progress toward a target is the inventory's emissions of its scopes, never less the
    carbon credits retired.

    What the facts can show is the progress itself, so that is what is judged: for each
    absolute target whose path can be drawn (base-year emissions known), the period's emissions
    of its scopes are compared with the level its straight line allows in the period's year,
    with and without the credits retired for the period. The rule fails only where the credits
    would make the difference (above the path without them, on or below it with them): that
    target is not on track, and saying it is would count credits as reductions. A target behind
    its path either way, or on it without credits, is not this rule's concern.
    """
    emissions = period.emissions
    if emissions is None:
        return _no_inventory()
    credits = period.credits_retired_tco2e
    traced = _traceable(period)
    counted = [_emissions_of(_scopes(t), emissions, params["scope2_method"]) for t, _ in traced]
    evidence: dict[str, Any] = {
        "credits_retired_tco2e": credits, "scope2_method": params["scope2_method"],
        "year": period.end.year,
        "progress": _listed(f"{_label(t)}: emissions {format(c, 'f')}, path {_shown(level)}"
                            for (t, level), c in zip(traced, counted, strict=True)),
    }
    if not traced:
        return not_applicable(text(
            "no absolute target states its base-year emissions, so its path cannot be drawn; "
            "credits are in any case never counted toward a target",
            "没有绝对目标注明基准年排放，无法绘出减排路径；无论如何碳信用都不计入目标进展",
            "沒有絕對目標註明基準年排放，無法繪出減排路徑；無論如何碳信用都不計入目標進展",
        ), credits_retired_tco2e=credits)
    needing = _needed(traced, counted, [c - credits for c in counted])
    if needing:
        return failed(text(
            f"a target is on its path only if the {format(credits, 'f')} t of credits retired are "
            "subtracted: credits are not reductions, so the target is not on track",
            f"有目标只有扣除已注销的 {format(credits, 'f')} 吨碳信用才能达到路径：碳信用不是减排，"
            "该目标并未按计划推进",
            f"有目標只有扣除已註銷的 {format(credits, 'f')} 噸碳信用才能達到路徑：碳信用不是減排，"
            "該目標並未按計畫推進",
        ), **evidence, needing_credits=_listed(needing))
    return passed(text(
        "target progress is measured on the inventory alone, without the credits retired, and "
        "no target depends on them",
        "目标进展仅按排放清单计算，不扣除已注销的碳信用，且没有目标依赖碳信用",
        "目標進展僅按排放清冊計算，不扣除已註銷的碳信用，且沒有目標依賴碳信用",
    ), **evidence)


@check("eacs_apart_from_scope2_progress", Target.PERIOD)
def eacs_apart_from_scope2_progress(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Progress toward a target covering Scope 2 is measured on location-based Scope 2; the
    certificates (EACs) retired are reported apart, and never lower it.

    Judged like credits: a target above its path on location-based emissions but on or below
    it on market-based emissions (where the certificates lowered Scope 2) would be on track only
    by counting the certificates, and fails.
    """
    emissions = period.emissions
    if emissions is None:
        return _no_inventory()
    eac_mwh = sum(period.eac_mwh_by_market.values(), Decimal(0))
    traced = [(t, level) for t, level in _traceable(period) if "2" in _scopes(t)]
    location = [_emissions_of(_scopes(t), emissions, "location") for t, _ in traced]
    market = [_emissions_of(_scopes(t), emissions, "market") for t, _ in traced]
    evidence: dict[str, Any] = {
        "scope2_location_tco2e": emissions.scope2_location,
        "scope2_market_tco2e": emissions.scope2_market,
        "eac_mwh_reported_apart": eac_mwh,
        "eac_mwh_by_market": _listed(f"{m} {format(q, 'f')}"
                                     for m, q in sorted(period.eac_mwh_by_market.items())),
        "year": period.end.year,
        "progress_location_based": _listed(
            f"{_label(t)}: emissions {format(c, 'f')}, path {_shown(level)}"
            for (t, level), c in zip(traced, location, strict=True)),
    }
    if not traced:
        return not_applicable(text(
            "no absolute target covering Scope 2 states its base-year emissions, so its path "
            "cannot be drawn; certificates are in any case reported apart from target progress",
            "没有覆盖范围二的绝对目标注明基准年排放，无法绘出路径；无论如何证书都与目标进展分开报告",
            "沒有涵蓋範圍二的絕對目標註明基準年排放，無法繪出路徑；無論如何憑證都與目標進展分開報告",
        ), scope2_location_tco2e=emissions.scope2_location, eac_mwh_reported_apart=eac_mwh)
    needing = _needed(traced, location, market)
    if needing:
        return failed(text(
            "a Scope 2 target is on its path only on market-based emissions, that is by counting "
            "certificates: its progress is measured location-based, so it is not on track",
            "有范围二目标只有按基于市场的排放（即计入证书）才能达到路径：其进展须按基于位置的排放衡量，"
            "因此并未按计划推进",
            "有範圍二目標只有按基於市場的排放（即計入憑證）才能達到路徑：其進展須按基於位置的排放衡量，"
            "因此並未按計畫推進",
        ), **evidence, needing_certificates=_listed(needing))
    return passed(text(
        "Scope 2 target progress is measured on location-based emissions, and the certificates "
        "are reported apart from it",
        "范围二目标进展按基于位置的排放衡量，证书与之分开报告",
        "範圍二目標進展按基於位置的排放衡量，憑證與之分開報告",
    ), **evidence)


# --- target structure under CNZS 2.0 ------------------------------------------------------------


@check("no_blended_scope_targets", Target.PERIOD,
       params={"scopes": Param.TEXT, "targets_set_from": Param.DATE})
def no_blended_scope_targets(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """No target set from ``targets_set_from`` blends the ``scopes`` (e.g. Scope 1 and 2 in one
    "1+2" target). A target submitted earlier was validated under the version then in force and
    stays valid for its cycle; one without a submission date is judged."""
    blended = frozenset(params["scopes"].split("+"))
    since: dt.date = params["targets_set_from"]
    judged = [t for t in period.targets if t.set_on is None or t.set_on >= since]
    earlier = [_label(t) for t in period.targets if t not in judged]
    evidence = {"targets_set_from": since, "earlier_targets": _listed(earlier) or None}
    mixing = [_label(t) for t in judged if blended <= _scopes(t)]
    if not judged:
        return not_applicable(text(
            f"no target was set on or after {since.isoformat()}",
            f"没有在 {since.isoformat()} 或之后设定的目标",
            f"沒有在 {since.isoformat()} 或之後設定的目標",
        ), **evidence)
    if mixing:
        return failed(text(
            f"a target blends Scope {params['scopes']}: each of these scopes needs its own target",
            f"有目标将范围{params['scopes']}合并设定：这些范围须分别设定目标",
            f"有目標將範圍{params['scopes']}合併設定：這些範圍須分別設定目標",
        ), **evidence, targets=_listed(mixing))
    return passed(text(
        f"no target blends Scope {params['scopes']}",
        f"没有将范围{params['scopes']}合并设定的目标",
        f"沒有將範圍{params['scopes']}合併設定的目標",
    ), **evidence, targets=_listed(_label(t) for t in judged))
