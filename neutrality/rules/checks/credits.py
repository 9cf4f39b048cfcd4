"""Checks of a carbon credit retired to offset a claim's residual emissions: issued ex-post,
verified by a third party, held in a public registry, retired in time and for this claim, of the
types the commitment intends, and its quality labels.

Pure: no database, no clock, no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from neutrality.names import name_key
from neutrality.rules.checks.registry import (
    Param,
    add_months,
    check,
    failed,
    not_applicable,
    passed,
    text,
)
from neutrality.rules.facts import PeriodFacts, Retirement
from neutrality.rules.model import Result, Target, Text


def _schemes(values: Any) -> list[str]:
    return [str(v).upper() for v in values]


@check("credit_issued_ex_post", Target.RETIREMENT)
def credit_issued_ex_post(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The reduction happened before the credit: its vintage ended before the unit was issued
    and before it was retired (no forward crediting)."""
    assert retirement is not None
    unit = retirement.instrument
    evidence = {"vintage_end": unit.vintage_end,
                "issued_on": unit.issued_on, "retired_on": retirement.retired_on}
    if unit.vintage_end is None:
        # Without the vintage's end nothing shows the reduction has happened: the claim must show it.
        return failed(text(
            "the credit's vintage end is not recorded, so it cannot be shown that the reduction "
            "happened before the credit was used: record the vintage from the registry",
            "未记录该碳信用的年份（vintage）截止日，无法证明减排发生在使用之前：请按登记簿补录年份",
            "未記錄該碳信用的年份（vintage）截止日，無法證明減排發生在使用之前：請按登記簿補錄年份",
        ), **evidence)
    end = unit.vintage_end.isoformat()
    if unit.issued_on is not None and unit.issued_on <= unit.vintage_end:
        return failed(text(
            f"issued on {unit.issued_on.isoformat()}, before its vintage ended on {end}: a credit "
            "issued for reductions still to come (forward crediting) cannot offset a claim",
            f"签发日期 {unit.issued_on.isoformat()} 早于年份截止日 {end}：为尚未发生的减排预先签发的碳信用不能用于抵销",
            f"簽發日期 {unit.issued_on.isoformat()} 早於年份截止日 {end}：為尚未發生的減排預先簽發的碳信用不能用於抵銷",
        ), **evidence)
    if retirement.retired_on <= unit.vintage_end:
        return failed(text(
            f"retired on {retirement.retired_on.isoformat()}, before its vintage ended on {end}: "
            "only reductions that have already happened can offset a claim",
            f"注销日期 {retirement.retired_on.isoformat()} 不晚于年份截止日 {end}：只有已经发生的减排才能用于抵销",
            f"註銷日期 {retirement.retired_on.isoformat()} 不晚於年份截止日 {end}：只有已經發生的減排才能用於抵銷",
        ), **evidence)
    return passed(text(
        f"its vintage ended on {end}, before it was issued and retired: the reduction had happened",
        f"年份截止日 {end} 早于签发和注销：减排已经发生",
        f"年份截止日 {end} 早於簽發和註銷：減排已經發生",
    ), **evidence)


@check("scheme_verified_by_third_party", Target.RETIREMENT, params={"schemes": Param.TEXTS})
def scheme_verified_by_third_party(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The credit comes from a programme whose reductions are verified by accredited, independent
    third parties (the rule lists the schemes)."""
    assert retirement is not None
    scheme = retirement.instrument.scheme
    schemes = _schemes(params["schemes"])
    evidence = {"scheme": scheme, "accepted": schemes}
    if scheme.upper() not in schemes:
        return failed(text(
            f"{scheme} is not among the programmes known to verify reductions by an independent "
            f"third party ({', '.join(schemes)}): provide the verification evidence or use another credit",
            f"{scheme} 不在已知由独立第三方核证减排量的机制之列（{', '.join(schemes)}）：请提供核证证据或改用其他碳信用",
            f"{scheme} 不在已知由獨立第三方查證減排量的機制之列（{', '.join(schemes)}）：請提供查證證據或改用其他碳信用",
        ), **evidence)
    return passed(text(
        f"{scheme} reductions are verified by independent, accredited third parties",
        f"{scheme} 的减排量由经认可的独立第三方核证",
        f"{scheme} 的減排量由經認可的獨立第三方查證",
    ), **evidence)


@check("retired_in_public_registry", Target.RETIREMENT, params={"schemes": Param.TEXTS})
def retired_in_public_registry(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The credit is held and retired in its programme's independent public registry, and a
    recorded retirement carries the registry's reference."""
    assert retirement is not None
    unit = retirement.instrument
    schemes = _schemes(params["schemes"])
    evidence = {"scheme": unit.scheme, "registry": unit.registry or None}
    if not unit.registry.strip():
        return failed(text(
            "the registry holding the credit is not recorded: a credit counts only when it is "
            "retired in an independent public registry",
            "未记录持有该碳信用的登记簿：只有在独立公开登记簿中注销的碳信用才能计入",
            "未記錄持有該碳信用的登記簿：只有在獨立公開登記簿中註銷的碳信用才能計入",
        ), **evidence)
    if unit.scheme.upper() not in schemes:
        return failed(text(
            f"{unit.scheme} is not among the programmes with an independent public registry "
            f"({', '.join(schemes)})",
            f"{unit.scheme} 不在具有独立公开登记簿的机制之列（{', '.join(schemes)}）",
            f"{unit.scheme} 不在具有獨立公開登記簿的機制之列（{', '.join(schemes)}）",
        ), **evidence)
    if retirement.id is not None and not retirement.registry_reference.strip():
        # A candidate has no reference yet; a recorded retirement must show the registry's own.
        return failed(text(
            f"the retirement in {unit.registry} has no registry reference: record the "
            "registry's retirement (cancellation) number as evidence",
            f"在 {unit.registry} 的注销没有登记簿编号：请录入登记簿的注销编号作为证据",
            f"在 {unit.registry} 的註銷沒有登記簿編號：請錄入登記簿的註銷編號作為證據",
        ), **evidence)
    return passed(text(
        f"held and retired in {unit.registry}, the programme's independent public registry",
        f"在该机制的独立公开登记簿 {unit.registry} 中持有并注销",
        f"在該機制的獨立公開登記簿 {unit.registry} 中持有並註銷",
    ), **evidence)


@check("purpose_names_subject_or_period", Target.RETIREMENT)
def purpose_names_subject_or_period(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The retirement's stated purpose names the subject of the claim or the period's year, so
    the retirement cannot be read as made for another claim."""
    assert retirement is not None
    purpose = retirement.purpose
    years = [str(y) for y in range(period.start.year, period.end.year + 1)]
    evidence = {"purpose": purpose or None, "subject": period.subject_name, "years": years}
    key = name_key(purpose)
    subject = name_key(period.subject_name)
    if (subject and subject in key) or any(year in key for year in years):
        return passed(text(
            f"the retirement's purpose '{purpose}' names the subject or the period",
            f"注销用途「{purpose}」写明了声明对象或期间",
            f"註銷用途「{purpose}」寫明了聲明對象或期間",
        ), **evidence)
    shown = purpose or "(none)"
    return failed(text(
        f"the retirement's purpose '{shown}' names neither {period.subject_name} nor "
        f"{' / '.join(years)}: a verifier may ask to see that it was retired for this claim "
        "(registries' fields differ, so this is a warning)",
        f"注销用途「{shown}」未写明 {period.subject_name} 或 {' / '.join(years)}："
        "核查机构可能要求证明其为本声明注销（各登记簿字段不同，故仅作提示）",
        f"註銷用途「{shown}」未寫明 {period.subject_name} 或 {' / '.join(years)}："
        "查證機構可能要求證明其為本聲明註銷（各登記簿欄位不同，故僅作提示）",
    ), **evidence)


def _retired_by(retirement: Retirement, deadline: dt.date, counted: Text, evidence: Mapping[str, Any]) -> Result:
    """Retired no later than ``deadline``; ``counted`` says from what it is counted."""
    on = retirement.retired_on.isoformat()
    if retirement.retired_on > deadline:
        return failed(text(
            f"retired on {on}, after {deadline.isoformat()} ({counted.en})",
            f"注销日期 {on} 晚于 {deadline.isoformat()}（{counted.zh_Hans}）",
            f"註銷日期 {on} 晚於 {deadline.isoformat()}（{counted.zh_Hant}）",
        ), **evidence)
    return passed(text(
        f"retired on {on}, by {deadline.isoformat()} ({counted.en})",
        f"注销日期 {on} 不晚于 {deadline.isoformat()}（{counted.zh_Hans}）",
        f"註銷日期 {on} 不晚於 {deadline.isoformat()}（{counted.zh_Hant}）",
    ), **evidence)


@check("retired_within_months_after_period_end", Target.RETIREMENT, params={"months": Param.INT})
def retired_within_months_after_period_end(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Retired no later than ``months`` calendar months after the end of the period claimed."""
    assert retirement is not None
    months = int(params["months"])
    deadline = add_months(period.end, months)
    end = period.end.isoformat()
    return _retired_by(retirement, deadline, text(
        f"{months} months after the period ended on {end}",
        f"期间结束日 {end} 后 {months} 个月",
        f"期間結束日 {end} 後 {months} 個月",
    ), {"retired_on": retirement.retired_on, "period_end": period.end, "deadline": deadline, "months": months})


@check("retired_within_months_of_declaration", Target.RETIREMENT, params={"months": Param.INT})
def retired_within_months_of_declaration(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Retired no later than ``months`` calendar months after the date of the declaration of
    achievement; not decided until the declaration is dated."""
    assert retirement is not None
    months = int(params["months"])
    declared = period.declaration_date
    if declared is None:
        return not_applicable(text(
            f"the declaration is not dated yet: this {months}-month retirement deadline is checked "
            "once the declaration of achievement is dated",
            f"声明尚未注明日期：{months} 个月的注销期限在达成声明注明日期后检查",
            f"聲明尚未註明日期：{months} 個月的註銷期限在達成聲明註明日期後檢查",
        ), retired_on=retirement.retired_on)
    deadline = add_months(declared, months)
    return _retired_by(retirement, deadline, text(
        f"{months} months after the declaration of {declared.isoformat()}",
        f"声明日期 {declared.isoformat()} 后 {months} 个月",
        f"聲明日期 {declared.isoformat()} 後 {months} 個月",
    ), {"retired_on": retirement.retired_on, "declaration_date": declared, "deadline": deadline,
        "months": months})


#: What each quality label is called, for the explanations.
LABEL_NAMES = {
    "ccp": Text("the ICVCM Core Carbon Principles (CCP) label", "ICVCM 核心碳原则（CCP）标签",
                "ICVCM 核心碳原則（CCP）標籤"),
    "corsia": Text("CORSIA eligibility", "CORSIA 合格资格", "CORSIA 合格資格"),
    "corresponding_adjustment": Text("a corresponding adjustment (host-country authorisation)",
                                     "相应调整（东道国授权）", "相應調整（東道國授權）"),
}


@check("credit_quality_label", Target.RETIREMENT, params={"label": Param.TEXT})
def credit_quality_label(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The credit carries a quality label (``label``: ccp, corsia, corresponding_adjustment…);
    a label not recorded is reported as not known."""
    assert retirement is not None
    label = str(params["label"])
    name = LABEL_NAMES.get(label, Text(label, label, label))
    value = retirement.instrument.labels.get(label)
    evidence = {"label": label, "value": value, "scheme": retirement.instrument.scheme}
    if value is True:
        return passed(text(
            f"the credit has {name.en}", f"该碳信用具有{name.zh_Hans}", f"該碳信用具有{name.zh_Hant}",
        ), **evidence)
    if value is False:
        return failed(text(
            f"the credit does not have {name.en}: disclose it, and weigh it when choosing credits",
            f"该碳信用不具有{name.zh_Hans}：请予披露，并在选择碳信用时考虑",
            f"該碳信用不具有{name.zh_Hant}：請予披露，並在選擇碳信用時考慮",
        ), **evidence)
    return failed(text(
        f"whether the credit has {name.en} is not known: record it from the registry",
        f"未知该碳信用是否具有{name.zh_Hans}：请按登记簿补录",
        f"未知該碳信用是否具有{name.zh_Hant}：請按登記簿補錄",
    ), **evidence)


@check("credit_type_intended", Target.RETIREMENT)
def credit_type_intended(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The credit is of a type the commitment's offset strategy names (none named: any type)."""
    assert retirement is not None
    scheme = retirement.instrument.scheme
    intended = _schemes(period.intended_credit_types)
    evidence = {"scheme": scheme, "intended": intended or None}
    if not intended:
        return passed(text(
            f"the commitment names no credit types, so {scheme} is within its offset strategy",
            f"承诺未限定碳信用类型，{scheme} 符合其抵销策略",
            f"承諾未限定碳信用類型，{scheme} 符合其抵銷策略",
        ), **evidence)
    if scheme.upper() not in intended:
        return failed(text(
            f"{scheme} is not among the credit types the commitment intends to use "
            f"({', '.join(intended)}): change the offset strategy first, or use one of those",
            f"{scheme} 不在承诺拟使用的碳信用类型之列（{', '.join(intended)}）：请先修改抵销策略，或改用所列类型",
            f"{scheme} 不在承諾擬使用的碳信用類型之列（{', '.join(intended)}）：請先修改抵銷策略，或改用所列類型",
        ), **evidence)
    return passed(text(
        f"{scheme} is one of the credit types the commitment intends ({', '.join(intended)})",
        f"{scheme} 属于承诺拟使用的碳信用类型（{', '.join(intended)}）",
        f"{scheme} 屬於承諾擬使用的碳信用類型（{', '.join(intended)}）",
    ), **evidence)


@check("credit_not_used_for_compliance", Target.RETIREMENT, params={"words": Param.TEXTS})
def credit_not_used_for_compliance(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The retirement serves this claim only: a purpose naming a compliance use (ETS surrender,
    履约, 配额清缴…, the rule's ``words``) means the credit was used for something else."""
    assert retirement is not None
    purpose = retirement.purpose
    key = name_key(purpose)
    found = next((w for w in params["words"] if name_key(w) and name_key(w) in key), None)
    evidence = {"purpose": purpose or None, "matched": found}
    if found is not None:
        return failed(text(
            f"the retirement's purpose '{purpose}' says it was used for compliance ('{found}'): "
            "a credit used for an obligation cannot also back this claim",
            f"注销用途「{purpose}」表明其用于履约（「{found}」）：已用于履约义务的碳信用不能再用于本声明",
            f"註銷用途「{purpose}」表明其用於履約（「{found}」）：已用於履約義務的碳信用不能再用於本聲明",
        ), **evidence)
    return passed(text(
        "the retirement's purpose names no other use of the credit",
        "注销用途未表明该碳信用另作他用",
        "註銷用途未表明該碳信用另作他用",
    ), **evidence)
