"""Checks of a period under a neutrality claim: its inventory verified and complete, reductions
after the first period, and enough credits retired for the residual emissions.

Pure: no database, no clock, no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from neutrality.rules.checks.registry import Param, check, failed, not_applicable, passed, text
from neutrality.rules.facts import (
    VERIFICATION_CLAIMED,
    VERIFICATION_CONFIRMED,
    Emissions,
    PeriodFacts,
    Retirement,
)
from neutrality.rules.model import Result, Target

_NO_INVENTORY = text(
    "the period has no inventory yet, so this cannot be shown: quantify the period's emissions first",
    "该期间尚无温室气体清单，无法证明：请先核算本期间排放",
    "該期間尚無溫室氣體清冊，無法證明：請先盤查本期間排放",
)


@check("inventory_verified_by_third_party", Target.PERIOD)
def inventory_verified_by_third_party(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The period's inventory has been verified by an independent third party before the claim,
    and that verifier has confirmed it: a verification the organisation records itself is only
    claimed until the appointed verifier gives its own opinion on it."""
    evidence = {key: period.verification.get(key) for key in ("body", "accreditation", "opinion")}
    evidence["state"] = period.verification_state
    if not period.inventory_verified:
        return failed(text(
            "the period's inventory has not been verified by an independent third party: the claim "
            "can be made only once a verification opinion is recorded",
            "本期间的温室气体清单尚未经独立第三方核查：记录核查意见后方可作出声明",
            "本期間的溫室氣體清冊尚未經獨立第三方查證：記錄查證意見後方可作出聲明",
        ), inventory_verified=False, **evidence)
    if period.verification_state != VERIFICATION_CONFIRMED:
        evidence["state"] = period.verification_state or VERIFICATION_CLAIMED
        return failed(text(
            "the period's verification was recorded by the organisation, not yet confirmed by the "
            "appointed verifier: the claim can be made once the verifier gives its opinion on it",
            "本期间的核查由组织自行记录，尚未经指定核查机构确认：核查机构出具意见后方可作出声明",
            "本期間的查證由組織自行記錄，尚未經指定查證機構確認：查證機構出具意見後方可作出聲明",
        ), inventory_verified=True, **evidence)
    body = period.verification.get("body") or "a third party"
    return passed(text(
        f"the period's inventory was verified by {body}, confirmed by the appointed verifier",
        f"本期间的温室气体清单已由{period.verification.get('body') or '第三方'}核查，并经指定核查机构确认",
        f"本期間的溫室氣體清冊已由{period.verification.get('body') or '第三方'}查證，並經指定查證機構確認",
    ), inventory_verified=True, **evidence)


@check("footprint_coverage", Target.PERIOD, params={"max_excluded_percent": Param.DECIMAL})
def footprint_coverage(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The footprint leaves out at most ``max_excluded_percent`` of the subject's emissions."""
    if period.emissions is None:
        return failed(_NO_INVENTORY)
    limit = Decimal(params["max_excluded_percent"])
    excluded = period.excluded_share_percent
    evidence = {"excluded_percent": excluded, "max_excluded_percent": limit}
    if excluded > limit:
        return failed(text(
            f"the exclusions are estimated at {excluded} % of the emissions, more than the {limit} % "
            "allowed: bring the largest excluded sources into the footprint",
            f"排除的排放源估计占排放量的 {excluded} %，超过允许的 {limit} %：请将最大的排除源纳入碳足迹",
            f"排除的排放源估計占排放量的 {excluded} %，超過允許的 {limit} %：請將最大的排除源納入碳足跡",
        ), **evidence)
    return passed(text(
        f"the exclusions are estimated at {excluded} % of the emissions, within the {limit} % allowed",
        f"排除的排放源估计占排放量的 {excluded} %，在允许的 {limit} % 以内",
        f"排除的排放源估計占排放量的 {excluded} %，在允許的 {limit} % 以內",
    ), **evidence)


def _total(emissions: Emissions, scope2: str) -> Decimal:
    totals = {"market": emissions.market_total, "location": emissions.location_total}
    if scope2 not in totals:  # a rule file's mistake, reported as the rule failing
        raise ValueError(f"scope2 must be market or location, not {scope2!r}")
    return totals[scope2]


@check("reduction_after_first_period", Target.PERIOD, params={"scope2": Param.TEXT},
       defaults={"scope2": "market"})
def reduction_after_first_period(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """From the second period on, the emissions fell against the previous period, in absolute
    terms or per unit of output (totals with Scope 2 as ``scope2``: market or location)."""
    if period.sequence < 2:
        return not_applicable(text(
            "the first period of a commitment may rely on offsetting alone",
            "承诺的第一个期间可仅依靠抵销",
            "承諾的第一個期間可僅依靠抵銷",
        ), sequence=period.sequence)
    if period.emissions is None:
        return failed(_NO_INVENTORY, sequence=period.sequence)
    if not period.earlier:
        return failed(text(
            "the previous period's emissions are not recorded, so no reduction can be shown: "
            "a later period must show one against the period before it",
            "未记录上一期间的排放量，无法证明减排：后续期间须证明相对上一期间有所减排",
            "未記錄上一期間的排放量，無法證明減排：後續期間須證明相對上一期間有所減排",
        ), sequence=period.sequence)
    scope2 = str(params["scope2"])
    now, before = _total(period.emissions, scope2), _total(period.earlier[-1], scope2)
    evidence: dict[str, Any] = {"sequence": period.sequence, "scope2": scope2,
                                "emissions_tco2e": now, "previous_tco2e": before}
    if now < before:
        return passed(text(
            f"emissions fell from {before} to {now} tCO2e against the previous period",
            f"排放量较上一期间由 {before} 降至 {now} tCO2e",
            f"排放量較上一期間由 {before} 降至 {now} tCO2e",
        ), **evidence)
    out_now, out_before = period.emissions.output, period.earlier[-1].output
    if out_now and out_before:
        intensity, previous = now / out_now, before / out_before
        evidence.update(intensity=intensity, previous_intensity=previous,
                        output=out_now, previous_output=out_before)
        if intensity < previous:
            return passed(text(
                f"emissions per unit of output fell from {previous:.6f} to {intensity:.6f} "
                f"tCO2e (total {before} → {now} tCO2e)",
                f"单位产出排放量由 {previous:.6f} 降至 {intensity:.6f} tCO2e（总量 {before} → {now} tCO2e）",
                f"單位產出排放量由 {previous:.6f} 降至 {intensity:.6f} tCO2e（總量 {before} → {now} tCO2e）",
            ), **evidence)
    return failed(text(
        f"emissions did not fall against the previous period ({before} → {now} tCO2e), in total "
        "or per unit of output: after the first period a reduction must be shown",
        f"排放量较上一期间未下降（{before} → {now} tCO2e），总量和单位产出均未下降：第一个期间之后须证明减排",
        f"排放量較上一期間未下降（{before} → {now} tCO2e），總量和單位產出均未下降：第一個期間之後須證明減排",
    ), **evidence)


@check("credits_cover_residual", Target.PERIOD)
def credits_cover_residual(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The credits retired for the period are at least its residual emissions."""
    residual, retired = period.residual_tco2e, period.credits_retired_tco2e
    if residual is None:
        return failed(text(
            "the period's residual emissions are not known yet, so it cannot be shown that the "
            "credits retired cover them: complete the inventory first",
            "尚不知该期间的剩余排放量，无法证明已注销的碳信用足以抵销：请先完成清单",
            "尚不知該期間的剩餘排放量，無法證明已註銷的碳信用足以抵銷：請先完成清冊",
        ), credits_retired_tco2e=retired)
    evidence = {"residual_tco2e": residual, "credits_retired_tco2e": retired}
    if retired < residual:
        short = residual - retired
        return failed(text(
            f"{retired} tCO2e of credits retired for {residual} tCO2e of residual emissions: "
            f"{short} tCO2e short",
            f"已注销碳信用 {retired} tCO2e，剩余排放 {residual} tCO2e：尚缺 {short} tCO2e",
            f"已註銷碳信用 {retired} tCO2e，剩餘排放 {residual} tCO2e：尚缺 {short} tCO2e",
        ), shortfall_tco2e=short, **evidence)
    return passed(text(
        f"{retired} tCO2e of credits retired cover the {residual} tCO2e of residual emissions",
        f"已注销碳信用 {retired} tCO2e，足以抵销剩余排放 {residual} tCO2e",
        f"已註銷碳信用 {retired} tCO2e，足以抵銷剩餘排放 {residual} tCO2e",
    ), **evidence)
