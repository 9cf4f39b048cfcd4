"""What is missing or failing before a period's declaration can be made, as a checklist.

It reads three answers the claims layer already gives, as values: the rule findings of the
period under its claim, its balance and its needs (with the retirement deadline). Each item says
what is wrong in figures (exact decimal strings), whether it blocks the declaration or is a
warning, the rules it comes from, and the action that fixes it, in English, 简体 and 繁體, with an
action code the web interface links to a page.

A retirement a blocking rule refuses is not counted (:attr:`neutrality.rules.model.Finding.blocks`):
its tCO2e are taken off the credits retired and its MWh off the certificates of its market before
what is still to cover is worked out. The residual itself stays the balance's, which applied
every certificate retired: a refused certificate's emissions are not added back here (that needs
the market's factors), but the refused certificate is a blocking item of its own anyway.

Pure: no database, no clock, no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from neutrality.claims.balance import PeriodBalance, RetiredUnits
from neutrality.claims.needs import PeriodNeeds
from neutrality.presentation import QUANTITY, TONNES, rounded
from neutrality.rules.facts import VERIFICATION_CLAIMED
from neutrality.rules.model import Finding, Outcome, Text

ZERO = Decimal(0)
#: A deadline this close (days, the deadline day counted as 0) is a warning of its own.
DEADLINE_WARNING_DAYS = 60
#: The finding of a claim standard not in force for the period (the engine's, not a rule file's).
NOT_IN_FORCE = "IN-FORCE"

# The checks whose failures an item below already says in its own figures; their findings are
# taken into that item (their rule ids listed) rather than repeated as items of their own.
INVENTORY_CHECKS = frozenset({"inventory_verified_by_third_party"})
RESIDUAL_CHECKS = frozenset({"credits_cover_residual"})
#: Period rules that require grid electricity to be covered by certificates: when one fails and
#: blocks, uncovered electricity blocks too (otherwise it is a warning: a neutrality claim may
#: offset the electricity's emissions with credits instead).
ELECTRICITY_CHECKS = frozenset({"hourly_matching_above_threshold"})

#: What fixes a retirement a rule refuses, by the rule's check (default: reverse it).
_REFUSAL_FIXES: dict[str, tuple[str, Text]] = {
    "beneficiary_names_claimant": ("record_alias", Text(
        "If the registry wrote the organisation's name another way, record that name as an alias; "
        "otherwise reverse the retirement and retire units for this organisation",
        "如登记簿以其他写法记载本组织名称，请登记该别名；否则请撤销此注销记录，并以本组织名义注销单位",
        "如登記簿以其他寫法記載本組織名稱，請登記該別名；否則請撤銷此註銷記錄，並以本組織名義註銷單位",
    )),
}
_REVERSE = ("reverse_retirement", Text(
    "Reverse the retirement in the ledger (it cannot count for this claim) and retire eligible "
    "units instead",
    "在台账中撤销此注销记录（不能用于本声明），改为注销符合条件的单位",
    "在台帳中撤銷此註銷記錄（不能用於本聲明），改為註銷符合條件的單位",
))

#: What fixes a failing period rule or a group of warnings, by check (default: review them).
_RULE_FIXES: dict[str, tuple[str, Text]] = {
    "credit_quality_label": ("record_labels", Text(
        "Record the project's quality labels from the registry, or disclose that they are missing",
        "请按登记簿补录项目的质量标签，或在声明中披露其缺失",
        "請按登記簿補錄項目的品質標籤，或在聲明中揭露其缺失",
    )),
    "footprint_coverage": ("review_inventory", Text(
        "Bring the largest excluded sources into the inventory",
        "请将最大的排除源纳入清单",
        "請將最大的排除源納入清冊",
    )),
    "reduction_after_first_period": ("review_inventory", Text(
        "Show a reduction against the previous period (record its figures or the output)",
        "请证明相对上一期间的减排（录入上一期间排放量或产出）",
        "請證明相對上一期間的減排（錄入上一期間排放量或產出）",
    )),
}
_REVIEW = ("review_findings", Text(
    "Review the findings of the rule and fix or disclose them",
    "请查看该规则的检查结果，予以纠正或披露",
    "請查看該規則的檢查結果，予以糾正或揭露",
))


@dataclass(frozen=True)
class Item:
    """One thing missing or failing."""

    code: str  # what kind of item: no_inventory, retirement_refused, electricity_not_covered…
    subject: str  # period, retirement:<id>, market:<code> or rule:<id>
    blocking: bool
    rules: tuple[str, ...]  # the rule ids it comes from (none when no rule says it)
    figures: Mapping[str, str]  # exact strings
    text: Text
    action: str  # the code of the page that fixes it
    action_text: Text


@dataclass(frozen=True)
class Readiness:
    period_id: int
    as_of: dt.date
    items: tuple[Item, ...] = ()

    @property
    def blocking(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.blocking)

    @property
    def ready(self) -> bool:
        """Nothing blocks the declaration (warnings may remain)."""
        return not self.blocking

    @property
    def summary(self) -> Text:
        blocking, warnings = len(self.blocking), len(self.items) - len(self.blocking)
        if not self.items:
            return Text("Ready: nothing is missing or failing; the declaration can be made",
                        "已就绪：没有缺失或未通过的事项，可以作出声明",
                        "已就緒：沒有缺失或未通過的事項，可以作出聲明")
        if not blocking:
            return Text(f"Ready: the declaration can be made; {warnings} warning(s) to review first",
                        f"已就绪：可以作出声明；另有 {warnings} 项警告请先查看",
                        f"已就緒：可以作出聲明；另有 {warnings} 項警告請先查看")
        return Text(f"Not ready: {blocking} item(s) block the declaration, {warnings} warning(s)",
                    f"尚未就绪：{blocking} 项阻止作出声明，{warnings} 项警告",
                    f"尚未就緒：{blocking} 項阻止作出聲明，{warnings} 項警告")


def _tonnes(value: Decimal | int) -> str:
    """tCO2e in a sentence, rounded for people (``figures`` keeps the exact value)."""
    return rounded(value, TONNES) or ""


def _mwh(value: Decimal | int) -> str:
    """MWh in a sentence, rounded for people (``figures`` keeps the exact value)."""
    return rounded(value, QUANTITY) or ""


def _failing(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.outcome is Outcome.FAIL]


def _rule_ids(findings: Iterable[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.rule_id for f in findings))


@dataclass
class _Taken:
    """The failing findings not yet said by an item."""

    left: list[Finding] = field(default_factory=list)

    def take(self, wanted: Iterable[Finding]) -> list[Finding]:
        wanted = list(wanted)
        self.left = [f for f in self.left if f not in wanted]
        return wanted


def checklist(
    findings: Sequence[Finding], balance: PeriodBalance, needs: PeriodNeeds, *,
    as_of: dt.date, retirements: Sequence[RetiredUnits] = (),
) -> Readiness:
    """Everything missing or failing before the period's declaration: blocking items first
    (in the order they are best fixed), then warnings."""
    taken = _Taken(_failing(findings))
    by_id = {r.id: r for r in retirements}
    blocking: list[Item] = []
    warnings: list[Item] = []

    # 1. The standard: nothing else can be made right under a standard not in force.
    for finding in taken.take(f for f in taken.left if f.rule_id == NOT_IN_FORCE):
        blocking.append(Item(
            "standard_not_in_force", "period", True, (finding.rule_id,),
            {"rule_set": finding.rule_set, **finding.evidence}, finding.explanation, "change_standard",
            Text("Make the claim under the standard in force for the period (ISO 14068-1)",
                 "请依据该期间有效的标准（ISO 14068-1）作出声明",
                 "請依據該期間有效的標準（ISO 14068-1）作出聲明"),
        ))

    # 2. The inventory: every figure below depends on it.
    blocking += _inventory(taken, balance)

    # 3. Retirements a blocking rule refuses: they count for nothing until fixed.
    refused = sorted({_retirement_id(f.subject) for f in taken.left
                      if f.blocks and f.subject.startswith("retirement:")})
    for retirement_id in refused:
        subject = f"retirement:{retirement_id}"
        blocking.append(_refused(retirement_id, taken.take(
            f for f in taken.left if f.blocks and f.subject == subject), by_id.get(retirement_id)))
    refused_units = [by_id[i] for i in refused if i in by_id]

    # 4. Other blocking rules of the period (not those the items below say in figures).
    said_below = RESIDUAL_CHECKS | ELECTRICITY_CHECKS
    for rule_id, group in _grouped(f for f in taken.left if f.blocks and f.check not in said_below).items():
        blocking.append(_rule_failed(rule_id, taken.take(group), by_id))

    # 5. Credits still to retire for the residual.
    to_cover = None
    if balance.residual_tco2e is not None:
        refused_tco2e = Decimal(sum(u.quantity for u in refused_units if u.unit == "tCO2e"))
        counted = balance.credits_retired_tco2e - refused_tco2e
        to_cover = max(ZERO, balance.residual_tco2e - counted)
        if to_cover > 0:
            rules = taken.take(f for f in taken.left if f.check in RESIDUAL_CHECKS)
            blocking.append(_credits_short(balance, needs, refused_tco2e, counted, to_cover, rules))

    # 6. Grid electricity: blocking only where a rule requires certificates for it.
    requiring = [f for f in taken.left if f.check in ELECTRICITY_CHECKS and f.blocks]
    electricity = _electricity(needs, refused_units, requiring)
    if electricity:
        taken.take(requiring)
    blocking += [i for i in electricity if i.blocking]
    warnings += [i for i in electricity if not i.blocking]

    # 7. The retirement deadline, while credits are still to retire (or cannot be counted yet).
    deadline = _deadline(needs, as_of, still_to_retire=to_cover is None or to_cover > 0)
    if deadline is not None:
        (blocking if deadline.blocking else warnings).append(deadline)

    # 8. What is left, grouped by rule ("3 retirements fail ICVCM-02"): warnings, and any
    # blocking failure no item above could say in its figures.
    for rule_id, group in _grouped(taken.left).items():
        item = _rule_failed(rule_id, group, by_id)
        (blocking if item.blocking else warnings).append(item)
    return Readiness(balance.period_id, as_of, tuple(blocking + warnings))


def _retirement_id(subject: str) -> int:
    return int(subject.split(":", 1)[1])


def _grouped(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule_id, []).append(finding)
    return dict(sorted(groups.items()))


def _inventory(taken: _Taken, balance: PeriodBalance) -> list[Item]:
    failed = [f for f in taken.left if f.check in INVENTORY_CHECKS]
    if balance.inventory_id is None:
        # without figures, "the credits do not cover the residual" says the same thing again
        rules = taken.take(failed + [f for f in taken.left if f.check in RESIDUAL_CHECKS])
        return [Item(
            "no_inventory", "period", True, _rule_ids(rules), {},
            Text("The period has no greenhouse gas inventory: nothing can be balanced or declared",
                 "该期间尚无温室气体清单：无法核算平衡，也无法作出声明",
                 "該期間尚無溫室氣體清冊：無法核算平衡，也無法作出聲明"),
            "create_inventory",
            Text("Create the period's inventory and record its activity data",
                 "请建立本期间的清单并录入活动数据",
                 "請建立本期間的清冊並錄入活動數據"),
        )]
    if balance.inventory_verified and not failed:
        return []
    rules = taken.take(failed)
    if balance.inventory_verified and balance.verification_state == VERIFICATION_CLAIMED:
        # verified and frozen, but on the organisation's word only: the appointed verifier's
        # opinion is what a claim rests on
        return [Item(
            "verification_not_confirmed", "period", True, _rule_ids(rules),
            {"inventory_id": str(balance.inventory_id), "verification_state": VERIFICATION_CLAIMED},
            Text("The period's verification was recorded by the organisation, not yet confirmed by the "
                 "appointed verifier: a claim needs the verifier's own opinion",
                 "本期间的核查由组织自行记录，尚未经指定核查机构确认：声明须有核查机构本身的意见",
                 "本期間的查證由組織自行記錄，尚未經指定查證機構確認：聲明須有查證機構本身的意見"),
            "verify_inventory",
            Text("Ask the appointed verifier to review the inventory and give its opinion",
                 "请由指定核查机构审阅清单并出具核查意见",
                 "請由指定查證機構審閱清冊並出具查證意見"),
        )]
    status = balance.inventory_status or ""
    named = _INVENTORY_STATUS.get(status, Text(status, status, status)) if status else _NOT_VERIFIED
    return [Item(
        "inventory_not_verified", "period", True, _rule_ids(rules),
        {"inventory_id": str(balance.inventory_id), "inventory_status": status},
        Text(f"The period's inventory is {named.en}: a claim needs it verified by an independent third party",
             f"本期间的清单{named.zh_Hans}：声明须以经独立第三方核查的清单为准",
             f"本期間的清冊{named.zh_Hant}：聲明須以經獨立第三方查證的清冊為準"),
        "verify_inventory",
        Text("Have the inventory verified and record the verification opinion",
             "请完成清单核查并记录核查意见",
             "請完成清冊查證並記錄查證意見"),
    )]


#: An inventory's status as a sentence says it.
_INVENTORY_STATUS = {
    "draft": Text("a draft, not verified", "仍为草稿，尚未核查", "仍為草稿，尚未查證"),
    "verified": Text("verified", "已核查", "已查證"),
    "superseded": Text("superseded by a newer version", "已被新版本取代", "已被新版本取代"),
}
_NOT_VERIFIED = Text("not verified", "尚未核查", "尚未查證")


def _refused(retirement_id: int, findings: list[Finding], retired: RetiredUnits | None) -> Item:
    figures = {"retirement_id": str(retirement_id)}
    amount = Text("", "", "")
    if retired is not None:
        figures |= {"scheme": retired.scheme, "quantity": str(retired.quantity), "unit": retired.unit}
        units = f"{_tonnes(retired.quantity) if retired.unit == 'tCO2e' else _mwh(retired.quantity)} {retired.unit}"
        amount = Text(f" ({units} of {retired.scheme})", f"（{retired.scheme} {units}）",
                      f"（{retired.scheme} {units}）")
    checks = {f.check for f in findings}
    # an alias fixes the beneficiary rule alone; any other refusal leaves the units uncountable
    action, fix = _REFUSAL_FIXES.get(checks.pop(), _REVERSE) if len(checks) == 1 else _REVERSE
    rules = _rule_ids(findings)
    joined = ", ".join(rules)
    reasons = list(dict.fromkeys(f.explanation for f in findings))  # two rules may say the same
    return Item(
        "retirement_refused", f"retirement:{retirement_id}", True, rules, figures,
        Text(f"Retirement {retirement_id}{amount.en} is refused by {joined}: "
             + "; ".join(r.en for r in reasons),
             f"注销记录 {retirement_id}{amount.zh_Hans}未通过 {joined}："
             + "；".join(r.zh_Hans for r in reasons),
             f"註銷記錄 {retirement_id}{amount.zh_Hant}未通過 {joined}："
             + "；".join(r.zh_Hant for r in reasons)),
        action, fix,
    )


def _rule_failed(rule_id: str, findings: list[Finding], units: Mapping[int, RetiredUnits]) -> Item:
    first = findings[0]
    blocking = any(f.blocks for f in findings)
    action, fix = _RULE_FIXES.get(first.check, _REVIEW)
    subjects = list(dict.fromkeys(f.subject for f in findings))
    retirements = [s for s in subjects if s.startswith("retirement:")]
    title = first.title
    figures: dict[str, str] = {"rule_set": first.rule_set}
    if not retirements:
        return Item("rule_failed" if blocking else "rule_warning", f"rule:{rule_id}", blocking, (rule_id,),
                    figures | {k: v for k, v in first.evidence.items() if v is not None},
                    first.explanation, action, fix)
    figures["retirements"] = str(len(retirements))
    totals: dict[str, int] = {}
    for subject in retirements:
        retired = units.get(_retirement_id(subject))
        if retired is not None:
            totals[retired.unit] = totals.get(retired.unit, 0) + retired.quantity
    figures |= {f"quantity_{unit}": str(q) for unit, q in sorted(totals.items())}
    amount = ", ".join(f"{_tonnes(q) if unit == 'tCO2e' else _mwh(q)} {unit}" for unit, q in sorted(totals.items()))
    n = len(retirements)
    return Item(
        "rule_failed" if blocking else "rule_warning", f"rule:{rule_id}", blocking, (rule_id,), figures,
        Text(f"{n} retirement(s){f' ({amount})' if amount else ''} fail {rule_id}: {title.en}",
             f"{n} 笔注销{f'（{amount}）' if amount else ''}未通过 {rule_id}：{title.zh_Hans}",
             f"{n} 筆註銷{f'（{amount}）' if amount else ''}未通過 {rule_id}：{title.zh_Hant}"),
        action, fix,
    )


def _credits_short(balance: PeriodBalance, needs: PeriodNeeds, refused: Decimal, counted: Decimal,
                   to_cover: Decimal, rules: list[Finding]) -> Item:
    assert balance.residual_tco2e is not None
    figures = {"residual_tco2e": str(balance.residual_tco2e),
               "credits_retired_tco2e": str(balance.credits_retired_tco2e),
               "credits_refused_tco2e": str(refused), "credits_counted_tco2e": str(counted),
               "to_cover_tco2e": str(to_cover)}
    if needs.credits is not None:
        figures["credits_held_tco2e"] = str(needs.credits.held_tco2e)
    short, residual = _tonnes(to_cover), _tonnes(balance.residual_tco2e)
    return Item(
        "credits_short", "period", True, _rule_ids(rules), figures,
        Text(f"{short} tCO2e of the {residual} tCO2e residual emissions are not covered by credits "
             f"counted ({_tonnes(counted)} tCO2e)",
             f"剩余排放 {residual} tCO2e 中尚有 {short} tCO2e 未由计入的碳信用（{_tonnes(counted)} tCO2e）抵销",
             f"剩餘排放 {residual} tCO2e 中尚有 {short} tCO2e 未由計入的碳信用（{_tonnes(counted)} tCO2e）抵銷"),
        "retire_credits",
        Text(f"Retire at least {short} tCO2e of eligible credits for the period",
             f"请为本期间注销至少 {short} tCO2e 符合条件的碳信用",
             f"請為本期間註銷至少 {short} tCO2e 符合條件的碳信用"),
    )


def _electricity(needs: PeriodNeeds, refused: Sequence[RetiredUnits], rules: list[Finding]) -> list[Item]:
    refused_mwh: dict[str, int] = {}
    for retired in refused:
        if retired.unit == "MWh":
            refused_mwh[retired.market or ""] = refused_mwh.get(retired.market or "", 0) + retired.quantity
    items = []
    for market in needs.markets:
        not_counted = Decimal(refused_mwh.get(market.market, 0))
        counted = max(ZERO, market.eac_retired_mwh - not_counted)
        uncovered = max(ZERO, market.electricity_mwh - counted)
        if uncovered <= 0:
            continue
        mwh, name = _mwh(uncovered), market.market
        blocks = bool(rules)
        consequence = (
            Text("a rule of the claim requires it covered", "声明的规则要求其被覆盖", "聲明的規則要求其被涵蓋")
            if blocks else
            Text("its emissions stay in the residual that credits must cover",
                 "其排放计入须由碳信用抵销的剩余排放", "其排放計入須由碳信用抵銷的剩餘排放"))
        items.append(Item(
            "electricity_not_covered", f"market:{name}", blocks, _rule_ids(rules),
            {"market": name, "electricity_mwh": str(market.electricity_mwh),
             "eac_retired_mwh": str(market.eac_retired_mwh), "eac_refused_mwh": str(not_counted),
             "uncovered_mwh": str(uncovered), "eac_held_mwh": str(market.eac_held_mwh)},
            Text(f"{mwh} MWh of grid electricity in {name} is not covered by certificates: {consequence.en}",
                 f"{name} 的外购电网电力中有 {mwh} MWh 未由证书覆盖：{consequence.zh_Hans}",
                 f"{name} 的外購電網電力中有 {mwh} MWh 未由憑證涵蓋：{consequence.zh_Hant}"),
            "retire_certificates",
            Text(f"Retire {mwh} MWh of certificates of the {name} market for the period",
                 f"请为本期间注销 {mwh} MWh {name} 市场的证书",
                 f"請為本期間註銷 {mwh} MWh {name} 市場的憑證"),
        ))
    return items


def _deadline(needs: PeriodNeeds, as_of: dt.date, *, still_to_retire: bool) -> Item | None:
    deadline = needs.retirement_deadline
    if deadline is None or not still_to_retire:
        return None
    days = (deadline - as_of).days  # 0 on the deadline day itself, the last day to retire
    day = deadline.isoformat()
    figures = {"retirement_deadline": day, "deadline_rule": needs.deadline_rule}
    if days < 0:
        return Item(
            "retirement_deadline_passed", "period", True, (), figures | {"days_overdue": str(-days)},
            Text(f"The retirement deadline, {day}, passed {-days} day(s) ago ({needs.deadline_rule}): "
                 "credits retired now cannot count for this period",
                 f"注销截止日 {day} 已过 {-days} 天：现在注销的碳信用不能计入本期间",
                 f"註銷截止日 {day} 已過 {-days} 天：現在註銷的碳信用不能計入本期間"),
            "review_claim",
            Text("Ask the verifier how to proceed, or make the claim for a later period",
                 "请咨询核查机构如何处理，或改为对后续期间作出声明",
                 "請諮詢查證機構如何處理，或改為對後續期間作出聲明"),
        )
    if days > DEADLINE_WARNING_DAYS:
        return None
    return Item(
        "retirement_deadline_near", "period", False, (), figures | {"days_left": str(days)},
        Text(f"{days} day(s) left to the retirement deadline, {day} ({needs.deadline_rule})",
             f"距注销截止日 {day} 还有 {days} 天",
             f"距註銷截止日 {day} 還有 {days} 天"),
        "retire_credits",
        Text(f"Retire the credits still needed by {day}",
             f"请于 {day} 前注销尚需的碳信用",
             f"請於 {day} 前註銷尚需的碳信用"),
    )
