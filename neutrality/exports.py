"""Exports for spreadsheets: the inventory report, the holdings, the retirement ledger and the
balance of a period, each as a :class:`~neutrality.workbooks.Table` written as XLSX or CSV.

Each export calls the use case the JSON API calls (which authorises the caller: a viewer may
export, another organisation's user is refused as the JSON endpoint refuses them) and lays its
answer out in rows; the figures are the use case's own, exact. Headers are in English followed by
the reader's Chinese (:mod:`neutrality.workbooks`); codes (scope numbers, schemes, verdicts)
stay codes, as the JSON API writes them, so a sheet can be filtered the same way in any language.

This module assembles: it reads the inventory, the registry and the claims, so it sits in a
layer of its own between the web layer (which serves the files) and the claims.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor
from neutrality.claims import services as claims
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.inventory import services as inventory
from neutrality.inventory.tables import Inventory
from neutrality.organisations.tables import Organisation, Site
from neutrality.pagination import EVERYTHING
from neutrality.registry import holdings as registry_holdings
from neutrality.registry import retirements
from neutrality.registry.model import BlockStatus
from neutrality.uow import UnitOfWork
from neutrality.workbooks import About, Column, Kind, Table, Words

#: tCO2e are shown to 2 places and MWh to 3, as everywhere people read them
#: (neutrality.presentation TONNES and QUANTITY); the cells hold every digit.
TONNE_PLACES, MWH_PLACES, MONEY_PLACES = 2, 3, 2


def _about_names(uow: UnitOfWork, organisation_id: int, period_id: int | None) -> tuple[str, str]:
    """The organisation's name and the period's dates, read once the use case has authorised."""
    with uow.reading():
        session = uow.session
        organisation = session.get(Organisation, organisation_id)
        name = organisation.name if organisation is not None else str(organisation_id)
        if period_id is None:
            return name, ""
        period = session.get(ApplicationPeriodRow, period_id)
        if period is None or period.organisation_id != organisation_id:
            return name, ""
        return name, f"{period.start_date.isoformat()} – {period.end_date.isoformat()}"


ALL_PERIODS = Words("All periods", "全部期间", "全部期間")


# --- the inventory report -----------------------------------------------------------------------

REPORT_TITLE = Words("Inventory report", "温室气体清单报告", "溫室氣體盤查報告")
REPORT_COLUMNS = (
    Column("dimension", Words("Dimension", "维度", "維度")),
    Column("item", Words("Item", "项目", "項目")),
    Column("location_tco2e", Words("Location-based tCO2e", "基于位置 tCO2e", "基於位置 tCO2e"),
           Kind.DECIMAL, TONNE_PLACES),
    Column("market_tco2e", Words("Market-based tCO2e", "基于市场 tCO2e", "基於市場 tCO2e"),
           Kind.DECIMAL, TONNE_PLACES),
    Column("mass_t", Words("Mass of the gas (t)", "气体质量 (t)", "氣體質量 (t)"),
           Kind.DECIMAL, TONNE_PLACES),
)


def _exact(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _report_rows(report: Mapping[str, Any], site_names: Mapping[str, str]) -> list[tuple[Any, ...]]:
    location, market = report.get("location_based") or {}, report.get("market_based") or {}
    rows: list[tuple[Any, ...]] = [
        ("total", "total", _exact(location.get("tco2e")), _exact(market.get("tco2e")), None)]

    def by(dimension: str, label: Any) -> None:
        here, there = location.get(dimension) or {}, market.get(dimension) or {}
        for key in sorted({*here, *there}, key=lambda k: (len(str(k)), str(k))):
            rows.append((dimension.removeprefix("by_"), label(str(key)),
                         _exact(here.get(key)), _exact(there.get(key)), None))

    by("by_scope", lambda k: f"scope {k}")
    by("by_scope3_category", lambda k: f"scope 3 category {k}")
    by("by_iso_category", lambda k: f"ISO 14064-1 category {k}")
    by("by_site", lambda k: site_names.get(k, f"site {k}"))
    here, there = location.get("by_gas") or {}, market.get("by_gas") or {}
    for gas in sorted({*here, *there}):
        ours, theirs = here.get(gas) or {}, there.get(gas) or {}
        rows.append(("gas", gas, _exact(ours.get("tco2e")), _exact(theirs.get("tco2e")),
                     _exact(ours.get("mass_t", theirs.get("mass_t")))))
    return rows


def inventory_report_table(
    uow: UnitOfWork, actor: Actor, organisation_id: int, inventory_id: int, *, exported_on: dt.date,
) -> Table:
    """The inventory's figures (frozen once verified) by scope, Scope 3 category, ISO 14064-1
    category, site and gas, location- and market-based side by side, in tCO2e."""
    report = inventory.inventory_report(uow, actor, organisation_id, inventory_id)
    with uow.reading():
        row = uow.session.get(Inventory, inventory_id)
        period_id = row.period_id if row is not None else None
        sites = {str(s.id): s.name for s in uow.session.scalars(
            select(Site).where(Site.organisation_id == organisation_id))}
    for site in report.get("sites") or ():
        if isinstance(site, Mapping) and site.get("name"):
            sites[str(site.get("id"))] = site["name"]
    name, period = _about_names(uow, organisation_id, period_id)
    version = report.get("version")
    what = Words(
        f"Inventory report, inventory {inventory_id} version {version} ({report.get('status')})",
        f"温室气体清单报告：清单 {inventory_id} 第 {version} 版（{report.get('status')}）",
        f"溫室氣體盤查報告：清冊 {inventory_id} 第 {version} 版（{report.get('status')}）",
    )
    return Table(REPORT_TITLE, REPORT_COLUMNS, _report_rows(report, sites),
                 About(what, name, period, exported_on))


# --- holdings -----------------------------------------------------------------------------------

HOLDINGS_TITLE = Words("Holdings", "持有量", "持有量")
DIMENSION_HEADERS = {
    "scheme": Words("Scheme", "类型", "類型"),
    "vintage": Words("Vintage", "年份", "年份"),
    "project": Words("Project", "项目", "專案"),
    "country": Words("Country", "国家/地区", "國家/地區"),
    "technology": Words("Technology", "技术", "技術"),
    "status": Words("Status", "状态", "狀態"),
    "account": Words("Account", "账户", "帳戶"),
}
#: Dimensions whose values are whole numbers (a project by its id, a vintage by its year).
_NUMBER_DIMENSIONS = ("vintage", "project")


def holdings_table(
    uow: UnitOfWork, actor: Actor, organisation_id: int, by: Sequence[str], *,
    statuses: Sequence[str] = (BlockStatus.HELD.value, BlockStatus.RESERVED.value),
    exported_on: dt.date,
) -> Table:
    """Quantities held grouped by ``by``, with the blocks, the cost in each currency of the
    recorded purchases and the units bought without a recorded price."""
    lines = registry_holdings.holdings(uow, actor, organisation_id, list(by), statuses=statuses)
    currencies = sorted({currency for line in lines for currency in line.cost})
    columns = [
        Column(d, DIMENSION_HEADERS[d], Kind.INTEGER if d in _NUMBER_DIMENSIONS else Kind.TEXT)
        for d in by
    ]
    columns += [
        Column("unit", Words("Unit", "单位", "單位")),
        Column("quantity", Words("Quantity", "数量", "數量"), Kind.INTEGER),
        Column("blocks", Words("Serial blocks", "序列号段", "序號段"), Kind.INTEGER),
        *(Column(f"cost_{c}", Words(f"Cost {c}", f"成本 {c}", f"成本 {c}"), Kind.DECIMAL, MONEY_PLACES)
          for c in currencies),
        Column("units_without_price", Words("Units without a price", "无价格的单位", "無價格的單位"),
               Kind.INTEGER),
    ]
    rows = [
        (*(line.key[d] for d in by), line.unit, line.quantity, line.blocks,
         *(line.cost.get(c) for c in currencies), line.units_without_price)
        for line in lines
    ]
    name, _ = _about_names(uow, organisation_id, None)
    grouping = ", ".join(by) or "-"
    what = Words(f"Holdings by {grouping} ({', '.join(statuses)})",
                 f"持有量，按 {grouping} 分组（{', '.join(statuses)}）",
                 f"持有量，依 {grouping} 分組（{', '.join(statuses)}）")
    return Table(HOLDINGS_TITLE, columns, rows, About(what, name, "", exported_on))


# --- the retirement ledger ----------------------------------------------------------------------

LEDGER_TITLE = Words("Retirement ledger", "注销台账", "註銷台帳")
LEDGER_COLUMNS = (
    Column("id", Words("Entry", "条目", "條目"), Kind.INTEGER),
    Column("kind", Words("Kind", "类别", "類別")),
    Column("period_id", Words("Period", "期间", "期間"), Kind.INTEGER),
    Column("scheme", Words("Scheme", "类型", "類型")),
    Column("issuance", Words("Issuance", "签发批次", "簽發批次")),
    Column("serials", Words("Serial range", "序列号范围", "序號範圍")),
    Column("quantity", Words("Quantity", "数量", "數量"), Kind.INTEGER),
    Column("unit", Words("Unit", "单位", "單位")),
    Column("market", Words("Market", "市场", "市場")),
    Column("retired_on", Words("Retired on", "注销日期", "註銷日期"), Kind.DATE),
    Column("beneficiary", Words("Beneficiary", "受益方", "受益方")),
    Column("purpose", Words("Purpose", "用途", "用途")),
    Column("registry_reference", Words("Registry reference", "登记簿编号", "登記簿編號")),
    Column("claim", Words("Under the claim", "声明中", "聲明中")),
    Column("rules", Words("Refusing rules", "拒绝的规则", "拒絕的規則")),
    Column("exclusion_reason", Words("Recorded despite the rules because", "违反规则仍记录的原因",
                                     "違反規則仍記錄的原因")),
    Column("reverses", Words("Reverses entry", "撤销的条目", "撤銷的條目"), Kind.INTEGER),
    Column("reversed_by", Words("Reversed by entry", "被条目撤销", "被條目撤銷"), Kind.INTEGER),
    Column("reason", Words("Reason of the reversal", "撤销原因", "撤銷原因")),
)


def _ledger_rows(entries: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    reversed_by = {e.reverses_id: e.id for e in entries if e.reverses_id is not None}
    for e in entries:
        rules = sorted({f.get("rule_id", "") for f in e.findings or () if isinstance(f, Mapping)} - {""})
        if e.kind == "reversal":
            claim = "reversal"
        elif e.id in reversed_by:
            claim = "reversed"  # no longer in force: neither the ledger nor the claim counts it
        else:
            # recorded although a blocking rule refused it: the claim does not count it
            claim = "excluded" if e.exclusion_reason else "counted"
        yield (
            e.id, e.kind, e.period_id, e.scheme, e.issuance_key,
            f"{e.serial_start}-{e.serial_end}", e.quantity, e.unit, e.market, e.retired_on,
            e.beneficiary_text, e.purpose, e.registry_reference, claim, ", ".join(rules),
            e.exclusion_reason or None, e.reverses_id, reversed_by.get(e.id),
            e.reason if e.kind == "reversal" else None,
        )


def ledger_table(
    uow: UnitOfWork, actor: Actor, organisation_id: int, *, period_id: int | None = None,
    exported_on: dt.date, locale: str = "en",
) -> Table:
    """Every retirement and reversal of the organisation, or of one period, oldest first: what
    was retired, for whom and why, whether the claim counts it (with the rules that refused it
    when it was recorded despite them) and which entry reverses which."""
    entries = retirements.list_retirements(uow, actor, organisation_id, EVERYTHING, period_id=period_id).items
    name, period = _about_names(uow, organisation_id, period_id)
    what = Words("Retirement ledger: retirements and their reversals", "注销台账：注销及其撤销",
                 "註銷台帳：註銷及其撤銷")
    about = About(what, name, period if period_id is not None else ALL_PERIODS.bilingual(locale),
                  exported_on)
    return Table(LEDGER_TITLE, LEDGER_COLUMNS, list(_ledger_rows(entries)), about)


# --- the balance --------------------------------------------------------------------------------

BALANCE_TITLE = Words("Balance", "碳中和平衡", "碳中和平衡")
BALANCE_COLUMNS = (
    Column("basis", Words("Basis", "口径", "口徑")),
    Column("figure", Words("Figure", "指标", "指標")),
    Column("description", Words("Description", "说明", "說明")),
    Column("detail", Words("Market, scheme or entry", "市场、类型或条目", "市場、類型或條目")),
    Column("value", Words("Value", "数值", "數值"), Kind.DECIMAL, TONNE_PLACES),
    Column("unit", Words("Unit", "单位", "單位")),
    Column("remark", Words("Remark", "备注", "備註")),
)
LEDGER_BASIS, CLAIM_BASIS = "ledger", "claim"
#: What each figure of the balance is, for the reader (the figure's code stays for filtering).
FIGURES = {
    "gross_location_tco2e": Words("Gross emissions, location-based", "总排放量（基于位置）", "總排放量（基於位置）"),
    "gross_market_tco2e": Words("Gross emissions, market-based, before certificates",
                                "总排放量（基于市场，未计证书）", "總排放量（基於市場，未計憑證）"),
    "electricity_mwh": Words("Purchased electricity", "外购电力", "外購電力"),
    "eac_retired_mwh": Words("Certificates retired", "已注销的绿证", "已註銷的綠證"),
    "retired_units": Words("Units retired", "已注销单位", "已註銷單位"),
    "eac_covered_mwh": Words("Electricity covered by certificates", "绿证覆盖的电力", "綠證涵蓋的電力"),
    "eac_unused_mwh": Words("Certificates beyond the consumption", "超出用电量的绿证", "超出用電量的綠證"),
    "electricity_covered_percent": Words("Share of electricity covered", "电力覆盖比例", "電力涵蓋比例"),
    "residual_tco2e": Words("Residual emissions", "剩余排放量", "剩餘排放量"),
    "credits_retired_tco2e": Words("Credits retired", "已注销的碳信用", "已註銷的碳權"),
    "difference_tco2e": Words("Credits less the residual", "碳信用减剩余排放量", "碳權減剩餘排放量"),
    "note": Words("Note", "注意", "注意"),
    "credits_counted_tco2e": Words("Credits the claim counts", "声明计入的碳信用", "聲明計入的碳權"),
    "eac_counted_mwh": Words("Certificates the claim counts", "声明计入的绿证", "聲明計入的綠證"),
    "excluded_retirement": Words("Retirement the claim excludes", "声明排除的注销", "聲明排除的註銷"),
    "blocking_period_rules": Words("Period rules that block the claim", "阻止声明的期间规则",
                                   "阻止聲明的期間規則"),
}


def _balance_rows(balance: Any, locale: str) -> Iterator[tuple[Any, ...]]:
    def figure(basis: str, name: str, value: Any, unit: str, detail: Any = None,
               remark: Any = None) -> tuple[Any, ...]:
        return (basis, name, FIGURES[name].bilingual(locale), detail,
                None if value is None else Decimal(value), unit, remark)

    ledger = LEDGER_BASIS
    yield figure(ledger, "gross_location_tco2e", balance.gross_location_tco2e, "tCO2e")
    yield figure(ledger, "gross_market_tco2e", balance.gross_market_tco2e, "tCO2e")
    yield figure(ledger, "electricity_mwh", balance.electricity_mwh, "MWh")
    for market, mwh in balance.eac_retired_mwh_by_market.items():
        yield figure(ledger, "eac_retired_mwh", mwh, "MWh", market)
    for scheme, units in sorted(balance.retired_by_scheme.items()):
        yield figure(ledger, "retired_units", units, "units", scheme)
    yield figure(ledger, "eac_covered_mwh", balance.eac_covered_mwh, "MWh")
    for market, mwh in balance.eac_unused_mwh_by_market.items():
        yield figure(ledger, "eac_unused_mwh", mwh, "MWh", market)
    yield figure(ledger, "electricity_covered_percent", balance.electricity_covered_percent, "%")
    yield figure(ledger, "residual_tco2e", balance.residual_tco2e, "tCO2e")
    yield figure(ledger, "credits_retired_tco2e", balance.credits_retired_tco2e, "tCO2e")
    yield figure(ledger, "difference_tco2e", balance.difference_tco2e, "tCO2e",
                 remark=balance.verdict)
    if balance.note:
        yield figure(ledger, "note", None, "", remark=balance.note)
    claim = balance.claim
    if claim is None:
        return
    rule_sets = ", ".join(claim.rule_sets)
    yield figure(CLAIM_BASIS, "credits_counted_tco2e", claim.credits_counted_tco2e, "tCO2e",
                 remark=f"{claim.standard}: {rule_sets}")
    for market, mwh in sorted(claim.eac_counted_mwh_by_market.items()):
        yield figure(CLAIM_BASIS, "eac_counted_mwh", mwh, "MWh", market)
    yield figure(CLAIM_BASIS, "residual_tco2e", claim.residual_tco2e, "tCO2e")
    yield figure(CLAIM_BASIS, "difference_tco2e", claim.difference_tco2e, "tCO2e", remark=claim.verdict)
    for excluded in claim.excluded:
        yield figure(CLAIM_BASIS, "excluded_retirement", excluded.quantity, excluded.unit,
                     f"{excluded.retirement_id} {excluded.scheme}", ", ".join(excluded.rules))
    if claim.blocking_period_rules:
        yield figure(CLAIM_BASIS, "blocking_period_rules", None, "",
                     remark=", ".join(claim.blocking_period_rules))


def balance_table(
    uow: UnitOfWork, actor: Actor, organisation_id: int, period_id: int, *, exported_on: dt.date,
    locale: str = "en",
) -> Table:
    """The period's balance, one figure a row: the arithmetic of the whole ledger, then the
    balance under the claim's rules (the retirements they exclude, each with its rules)."""
    balance = claims.period_balance(uow, actor, organisation_id, period_id, as_of=exported_on)
    name, period = _about_names(uow, organisation_id, period_id)
    state = "provisional" if balance.provisional else "verified inventory"
    what = Words(f"Neutrality balance of period {period_id} ({state})",
                 f"期间 {period_id} 的碳中和平衡（{state}）", f"期間 {period_id} 的碳中和平衡（{state}）")
    return Table(BALANCE_TITLE, BALANCE_COLUMNS, list(_balance_rows(balance, locale)),
                 About(what, name, period, exported_on))
