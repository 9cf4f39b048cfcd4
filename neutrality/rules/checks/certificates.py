"""Checks on energy attribute certificates (GEC, I-REC, GO, REC) as Scope 2 instruments: what
they may cover (purchased electricity, never tCO2e), in which market, for which production, and
RE100's limit on the age of the plants behind them.

Pure: no database, no clock, no Flask.

A certificate stands for 1 MWh of renewable generation. Its production period is the
instrument's vintage (a GEC: its production month); its country is the host country of the
generating project; the market it is retired against is :attr:`Retirement.market`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from neutrality.rules.checks.registry import (
    Param,
    add_months,
    check,
    failed,
    not_applicable,
    passed,
    text,
)
from neutrality.rules.facts import Instrument, PeriodFacts, Retirement
from neutrality.rules.model import Result, Target

# --- helpers shared with the scheme checks ------------------------------------------------------


def production(instrument: Instrument) -> tuple[dt.date, dt.date] | None:
    """The production period (first and last day), None when neither end is known."""
    start = instrument.vintage_start or instrument.vintage_end
    end = instrument.vintage_end or instrument.vintage_start
    if start is None or end is None:
        return None
    return start, end


def overlaps(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def shown(days: tuple[dt.date, dt.date]) -> str:
    return f"{days[0].isoformat()}…{days[1].isoformat()}"


def production_unknown(instrument: Instrument) -> Result:
    return failed(text(
        "the production period of the certificate is not recorded, so the rule "
        "cannot be shown to be met: record the production dates from the registry",
        "该证书未记录发电（生产）期间，无法证明符合本规则：请按登记簿补录生产日期",
        "該憑證未記錄發電（生產）期間，無法證明符合本規則：請依登記簿補錄生產日期",
    ))


def figure(value: Decimal) -> str:
    """A decimal as a sustainability lead reads it: 1350.00 → 1350, 0.150 → 0.15, never rounded."""
    return format(value.normalize(), "f")


def same_market(a: str, b: str, groups: Iterable[str]) -> bool:
    """Same country, or two countries of one multi-country market ("US+CA")."""
    if a.upper() == b.upper():
        return True
    return any({a.upper(), b.upper()} <= set(g.upper().split("+")) for g in groups)


# --- a certificate covers purchased electricity, nothing else ---------------------------


@check("eac_covers_purchased_electricity", Target.RETIREMENT)
def eac_covers_purchased_electricity(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A certificate is retired against a market where the period has purchased electricity: it
    only changes the Scope 2 market-based figure of that electricity, it is never a tCO2e offset."""
    assert retirement is not None
    market = (retirement.market or "").strip()
    evidence: dict[str, Any] = {}
    if not market:
        # EACs "act only on Scope 2 market-based electricity claims"; without the market
        # of the electricity it covers, a certificate would be counted against nothing (an offset)
        return failed(text(
            "the certificate is not retired against the market of any purchased "
            "electricity: a certificate only covers electricity consumed (Scope 2), it can never "
            "offset emissions in tCO2e",
            "该证书未对应任何市场的外购电力注销：绿色电力证书只能覆盖所消费的电力"
            "（范围二），不能作为以 tCO2e 计的抵消",
            "該憑證未對應任何市場的外購電力註銷：再生能源憑證只能涵蓋所消費的電力"
            "（範疇二），不能作為以 tCO2e 計的抵銷",
        ), **evidence)
    purchased = period.electricity_mwh_by_market.get(market, Decimal(0))
    evidence |= {"market": market, "electricity_mwh": purchased}
    if purchased <= 0:
        return failed(text(
            f"the certificate is retired against {market}, where the period has no "
            "purchased electricity: there is no Scope 2 electricity for it to cover, and a "
            "certificate is never an offset",
            f"该证书对应 {market} 注销，但本期间在该市场没有外购电力：没有可覆盖的"
            "范围二电力，而证书不能作为抵消",
            f"該憑證對應 {market} 註銷，但本期間在該市場沒有外購電力：沒有可涵蓋的"
            "範疇二電力，而憑證不能作為抵銷",
        ), **evidence)
    return passed(text(
        f"the certificate covers purchased electricity in {market} "
        f"({figure(purchased)} MWh in the period)",
        f"该证书覆盖 {market} 的外购电力（本期间 {figure(purchased)} MWh）",
        f"該憑證涵蓋 {market} 的外購電力（本期間 {figure(purchased)} MWh）",
    ), **evidence)


# --- market boundary (GHGP-04 criterion 5, RE100-04, the draft's deliverability) --------------


@check("certificate_in_consumption_market", Target.RETIREMENT,
       params={"market_groups": Param.TEXTS}, defaults={"market_groups": ()})
def certificate_in_consumption_market(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The certificate comes from the same market as the electricity it covers: a country, or a
    multi-country market of ``market_groups`` ("US+CA")."""
    assert retirement is not None
    instrument = retirement.instrument
    groups: Sequence[str] = params["market_groups"]
    country = (instrument.country or "").strip()
    evidence: dict[str, Any] = {"markets": period.markets,
                                "retired_for_market": retirement.market}
    if not country:
        return failed(text(
            "the country of the project behind the certificate is not recorded, so "
            "it cannot be shown to come from the market where the electricity is consumed",
            "该证书的发电项目所在国家未记录，无法证明其来自用电所在的市场",
            "該憑證的發電項目所在國家未記錄，無法證明其來自用電所在的市場",
        ), **evidence)
    evidence["certificate_country"] = country
    if not any(same_market(country, m, groups) for m in period.markets):
        return failed(text(
            f"the certificate comes from {country}, but the period's electricity is "
            f"consumed in {', '.join(period.markets) or 'no recorded market'}: a certificate only "
            "covers consumption in its own market",
            f"该证书来自 {country}，而本期间的用电市场为 "
            f"{'、'.join(period.markets) or '（未记录）'}：证书只能覆盖其本市场内的用电",
            f"該憑證來自 {country}，而本期間的用電市場為 "
            f"{'、'.join(period.markets) or '（未記錄）'}：憑證只能涵蓋其本市場內的用電",
        ), **evidence)
    market = (retirement.market or "").strip()
    if market and not same_market(country, market, groups):
        return failed(text(
            f"the certificate comes from {country} but is retired against "
            f"electricity consumed in {market}: it only covers consumption in its own market",
            f"该证书来自 {country}，却对应 {market} 的用电注销：证书只能覆盖其本市场内的用电",
            f"該憑證來自 {country}，卻對應 {market} 的用電註銷：憑證只能涵蓋其本市場內的用電",
        ), **evidence)
    return passed(text(
        f"the certificate comes from {country}, a market where the period's "
        "electricity is consumed",
        f"该证书来自 {country}，与本期间的用电市场一致",
        f"該憑證來自 {country}，與本期間的用電市場一致",
    ), **evidence)


# --- vintage (GHGP-04 criterion 4, RE100-07) ---------------------------------------------------


@check("certificate_vintage_near_period", Target.RETIREMENT,
       params={"tolerance_months": Param.INT}, defaults={"tolerance_months": 0})
def certificate_vintage_near_period(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The certificate's production overlaps the period of consumption, widened by
    ``tolerance_months`` on either side (0: the same period)."""
    assert retirement is not None
    instrument = retirement.instrument
    made = production(instrument)
    if made is None:
        return production_unknown(instrument)
    months: int = params["tolerance_months"]
    window = (add_months(period.start, -months), add_months(period.end, months))
    evidence = {"production": shown(made), "window": shown(window),
                "tolerance_months": months}
    if not overlaps(made, window):
        return failed(text(
            f"the certificate was produced {shown(made)}, outside the period of "
            f"consumption {shown(window)}: its generation is not close to the electricity it covers",
            f"该证书的生产期间为 {shown(made)}，不在用电期间 {shown(window)} 之内："
            "其发电与所覆盖的用电时间不相近",
            f"該憑證的生產期間為 {shown(made)}，不在用電期間 {shown(window)} 之內："
            "其發電與所涵蓋的用電時間不相近",
        ), **evidence)
    return passed(text(
        f"the certificate was produced {shown(made)}, within the period of "
        f"consumption {shown(window)}",
        f"该证书的生产期间 {shown(made)} 在用电期间 {shown(window)} 之内",
        f"該憑證的生產期間 {shown(made)} 在用電期間 {shown(window)} 之內",
    ), **evidence)


# --- RE100-03: plants commissioned or re-powered within 15 years, 15 % exempt -------------------


def _plant_date(instrument: Instrument) -> dt.date | None:
    """The later of commissioning and re-powering: a re-powered plant counts from re-powering."""
    known = [d for d in (instrument.commissioning_date, instrument.repowering_date) if d is not None]
    return max(known, default=None)


@check("plant_age_within_limit", Target.PERIOD,
       params={"years": Param.INT, "exempt_share": Param.DECIMAL, "procured_from": Param.DATE,
               "unrestricted_procurement": Param.TEXTS})
def plant_age_within_limit(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Certificates from plants commissioned or re-powered more than ``years`` before the
    consumption year cover at most ``exempt_share`` of the period's electricity consumption.
    Self-generation and direct procurement (``unrestricted_procurement``) and contracts signed
    before ``procured_from`` are not limited; a plant of unknown age counts as an old one."""
    years: int = params["years"]
    share: Decimal = params["exempt_share"]
    unrestricted = {p.lower() for p in params["unrestricted_procurement"]}
    # RE100-03 "consumption_year − commissioning_or_repowering_year ≤ 15": the boundary (≤ or <,
    # year or date) is unconfirmed in the sources; the year arithmetic of the research is used
    oldest_year = period.end.year - years
    certificates = [r for r in period.retirements if r.instrument.kind == "eac"]
    if not certificates:
        return not_applicable(text(
            "no certificates are retired for the period, so the plant-age limit has nothing to judge",
            "本期间未注销证书，电厂投产年限规则无需判断",
            "本期間未註銷憑證，電廠投產年限規則無需判斷",
        ))
    old: list[Retirement] = []
    unknown: list[Retirement] = []
    for r in certificates:
        if r.procurement.lower() in unrestricted:
            continue  # RE100-03: self-generation and direct procurement are unrestricted
        if r.contract_signed_on is not None and r.contract_signed_on < params["procured_from"]:
            continue  # RE100-03: contracts signed before the limit applied are grandfathered
        built = _plant_date(r.instrument)
        if built is None:
            unknown.append(r)
        elif built.year < oldest_year:
            old.append(r)
    total = sum(period.electricity_mwh_by_market.values(), Decimal(0))
    allowance = total * share
    beyond = Decimal(sum(r.instrument.quantity for r in old + unknown))
    evidence = {"consumption_mwh": total, "exempt_share": share, "exempt_allowance_mwh": allowance,
                "old_or_unknown_mwh": beyond, "oldest_plant_year": oldest_year,
                "old_serials": [r.instrument.serial for r in old] or None,
                "unknown_age_serials": [r.instrument.serial for r in unknown] or None}
    if beyond > allowance:
        missing = (
            f" ({len(unknown)} of them of unknown commissioning date: record it to count them "
            "as recent)" if unknown else "")
        missing_hans = f"（其中 {len(unknown)} 份投产日期未知：补录后方可计为新电厂）" if unknown else ""
        missing_hant = f"（其中 {len(unknown)} 份投產日期未知：補錄後方可計為新電廠）" if unknown else ""
        return failed(text(
            f"{figure(beyond)} MWh of certificates come from plants commissioned or re-powered "
            f"before {oldest_year}{missing}, more than the {figure(share * 100)} % of "
            f"consumption ({figure(allowance)} MWh) that RE100 exempts from its "
            f"{years}-year limit",
            f"有 {figure(beyond)} MWh 证书来自 {oldest_year} 年之前投产或改造的电厂{missing_hans}，"
            f"超过 RE100 {years} 年限制所豁免的用电量 {figure(share * 100)} %"
            f"（{figure(allowance)} MWh）",
            f"有 {figure(beyond)} MWh 憑證來自 {oldest_year} 年之前投產或改造的電廠{missing_hant}，"
            f"超過 RE100 {years} 年限制所豁免的用電量 {figure(share * 100)} %"
            f"（{figure(allowance)} MWh）",
        ), **evidence)
    return passed(text(
        f"{figure(beyond)} MWh of certificates come from plants older than the {years}-year "
        f"limit, within the {figure(share * 100)} % exemption ({figure(allowance)} MWh)",
        f"来自超过 {years} 年限制电厂的证书为 {figure(beyond)} MWh，在 "
        f"{figure(share * 100)} % 豁免额度（{figure(allowance)} MWh）之内",
        f"來自超過 {years} 年限制電廠的憑證為 {figure(beyond)} MWh，在 "
        f"{figure(share * 100)} % 豁免額度（{figure(allowance)} MWh）之內",
    ), **evidence)


# --- GHGP-07 (draft): hourly matching above an exemption threshold ------------------------------


@check("hourly_matching_above_threshold", Target.PERIOD,
       params={"exemption_threshold_mwh": Param.DECIMAL})
def hourly_matching_above_threshold(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Above the exemption threshold of annual consumption, certificates must be matched to the
    hour of consumption; the facts hold no hourly production, so the matching cannot be shown."""
    threshold: Decimal = params["exemption_threshold_mwh"]
    total = sum(period.electricity_mwh_by_market.values(), Decimal(0))
    evidence = {"consumption_mwh": total, "exemption_threshold_mwh": threshold}
    if total <= threshold:
        return passed(text(
            f"consumption of {figure(total)} MWh is within the {figure(threshold)} MWh "
            "exemption: annual matching of certificates remains allowed",
            f"用电量 {figure(total)} MWh 未超过 {figure(threshold)} MWh 的豁免阈值：仍可按年匹配证书",
            f"用電量 {figure(total)} MWh 未超過 {figure(threshold)} MWh 的豁免門檻：仍可按年匹配憑證",
        ), **evidence)
    return failed(text(
        f"consumption of {figure(total)} MWh is above the {figure(threshold)} MWh "
        "exemption: the draft requires certificates issued and redeemed for the same hour as the "
        "consumption, and no hourly production is recorded (GECs are issued monthly)",
        f"用电量 {figure(total)} MWh 超过 {figure(threshold)} MWh 的豁免阈值：草案要求证书与用电"
        "按同一小时签发和注销，而未记录逐时发电数据（绿证按月核发）",
        f"用電量 {figure(total)} MWh 超過 {figure(threshold)} MWh 的豁免門檻：草案要求憑證與用電"
        "按同一小時簽發和註銷，而未記錄逐時發電資料（綠證按月核發）",
    ), **evidence)
