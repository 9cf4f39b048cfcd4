"""Checks that hold under every standard: a retirement's date and beneficiary.

Pure: no database, no clock, no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from neutrality.names import name_key
from neutrality.rules.checks.registry import check, failed, not_applicable, passed, text
from neutrality.rules.facts import PeriodFacts, Retirement
from neutrality.rules.model import Result, Target


@check("retired_on_or_after_vintage_start", Target.RETIREMENT)
def retired_on_or_after_vintage_start(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A unit cannot be retired before the reduction or the generation it stands for began."""
    assert retirement is not None
    start = retirement.instrument.vintage_start
    if start is None:
        return not_applicable(text(
            "the instrument's vintage is not known, so its retirement date cannot be compared with it",
            "未知该单位的年份（vintage），无法与注销日期比较",
            "未知該單位的年份（vintage），無法與註銷日期比較",
        ))
    evidence = {"retired_on": retirement.retired_on, "vintage_start": start}
    if retirement.retired_on < start:
        return failed(text(
            f"retired on {retirement.retired_on.isoformat()}, before its vintage begins on "
            f"{start.isoformat()}: a unit cannot be retired before what it stands for happened",
            f"注销日期 {retirement.retired_on.isoformat()} 早于其年份起始日 {start.isoformat()}："
            "减排或发电发生之前不能注销",
            f"註銷日期 {retirement.retired_on.isoformat()} 早於其年份起始日 {start.isoformat()}："
            "減排或發電發生之前不能註銷",
        ), **evidence)
    return passed(text(
        f"retired on {retirement.retired_on.isoformat()}, on or after its vintage start {start.isoformat()}",
        f"注销日期 {retirement.retired_on.isoformat()} 不早于年份起始日 {start.isoformat()}",
        f"註銷日期 {retirement.retired_on.isoformat()} 不早於年份起始日 {start.isoformat()}",
    ), **evidence)


#: Han characters (CJK ideographs and their extensions A and B, compatibility ideographs).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df"
_IS_HAN = re.compile(f"[{_HAN}]")
#: A letter or digit of a word (any script's but Han: Chinese is written without blanks, so a Han
#: character next to a Latin name does not make it part of a longer word).
_WORD = f"[^\\W{_HAN}]"


def names_in(name: str, beneficiary: str) -> bool:
    """Whether ``beneficiary`` names ``name`` (compared as :func:`name_key` compares them).

    A name found inside a longer beneficiary must be distinctive: a Chinese name of at least two
    Han characters (苏辉光伏 in 苏辉光伏 2025 年度碳中和), a Latin-script name as whole words
    ("Suhui PV" in "On behalf of Suhui PV Co.", not in "Suhui PVC"). A short name or alias of one
    character ("A", "中") would be found in almost any beneficiary: it only matches one that is
    that name and nothing else."""
    key = name_key(name)
    if not key:
        return False
    if key == name_key(beneficiary):
        return True
    han = len(_IS_HAN.findall(key))
    if han:
        return han >= 2 and key in name_key(beneficiary)
    if len(key) < 2:
        return False
    # the name's words in order, the blanks between them optional (name_key drops blanks)
    words = "\\s*".join(re.escape(name_key(word)) for word in name.split())
    folded = " ".join(name_key(word) for word in beneficiary.split())
    return re.search(f"(?<!{_WORD}){words}(?!{_WORD})", folded) is not None


@check("beneficiary_names_claimant", Target.RETIREMENT)
def beneficiary_names_claimant(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The registry's beneficiary names the organisation making the claim: its legal name, its
    short name or a registered alias (compared across 简体/繁體, width, case and blanks)."""
    assert retirement is not None
    claimant = period.claimant
    names = [n for n in (claimant.legal_name, claimant.name, *claimant.aliases) if n.strip()]
    beneficiary = retirement.beneficiary
    evidence = {"beneficiary": beneficiary, "claimant": " / ".join(names)}
    found = next((n for n in names if names_in(n, beneficiary)), None)
    if found is None:
        return failed(text(
            f"the retirement's beneficiary '{beneficiary}' does not name {claimant.legal_name}: units "
            "retired for someone else cannot back this organisation's claim (register an alias "
            "if the registry writes its name another way)",
            f"注销受益方「{beneficiary}」未写明 {claimant.legal_name}：为他人注销的单位不能用于本组织的声明"
            "（如登记簿以其他写法记载名称，请登记别名）",
            f"註銷受益方「{beneficiary}」未寫明 {claimant.legal_name}：為他人註銷的單位不能用於本組織的聲明"
            "（如登記簿以其他寫法記載名稱，請登記別名）",
        ), **evidence)
    return passed(text(
        f"the beneficiary '{beneficiary}' names the claimant ({found})",
        f"受益方「{beneficiary}」写明了声明主体（{found}）",
        f"受益方「{beneficiary}」寫明了聲明主體（{found}）",
    ), **evidence)
