"""Checks of the Chinese instrument schemes' own rules: GEC validity and exclusivity, I-REC's
exit from China, CCER eligibility and cancellation, and the GEC–CCER linkage against double
counting.

Pure: no database, no clock, no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from neutrality.rules.checks.certificates import overlaps, production, production_unknown, shown
from neutrality.rules.checks.registry import (
    Param,
    add_months,
    check,
    end_of_month,
    failed,
    not_applicable,
    passed,
    text,
)
from neutrality.rules.facts import Instrument, PeriodFacts, Retirement
from neutrality.rules.model import Result, Target, Text
from neutrality.technologies import technology_name

# --- CN-GEC-04: two years from the production month ---------------------------------------------


@check("gec_within_validity", Target.RETIREMENT,
       params={"validity_months": Param.INT, "earlier_production_before": Param.DATE,
               "earlier_valid_until": Param.DATE})
def gec_within_validity(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A GEC is retired while valid: ``validity_months`` counted from its production month, that
    month included (so the last valid month is the production month + validity_months − 1);
    production before ``earlier_production_before`` is valid until ``earlier_valid_until``."""
    assert retirement is not None
    instrument = retirement.instrument
    made = instrument.vintage_start
    if made is None:
        return production_unknown(instrument)
    month = made.replace(day=1)
    if made < params["earlier_production_before"]:
        # 国能发新能规〔2024〕67号: GECs for generation before 2024-01-01 valid until end of 2025
        valid_until: dt.date = params["earlier_valid_until"]
    else:
        # "two years counted from the production month, that month included": + 23 months
        valid_until = end_of_month(add_months(month, params["validity_months"] - 1))
    evidence = {"production_month": month.strftime("%Y-%m"),
                "valid_until": valid_until, "retired_on": retirement.retired_on}
    if retirement.retired_on > valid_until:
        return failed(text(
            f"the certificate of production month {month:%Y-%m} expired on "
            f"{valid_until.isoformat()} and was retired on {retirement.retired_on.isoformat()}: an "
            "expired GEC is cancelled by the issuer and cannot back a claim",
            f"该绿证（生产月份 {month:%Y-%m}）已于 {valid_until.isoformat()} 过期，"
            f"而注销日期为 {retirement.retired_on.isoformat()}：过期绿证由核发机构核销，不能用于声明",
            f"該綠證（生產月份 {month:%Y-%m}）已於 {valid_until.isoformat()} 過期，"
            f"而註銷日期為 {retirement.retired_on.isoformat()}：過期綠證由核發機構核銷，不能用於聲明",
        ), **evidence)
    return passed(text(
        f"the certificate of production month {month:%Y-%m} was retired on "
        f"{retirement.retired_on.isoformat()}, within its validity (until {valid_until.isoformat()})",
        f"该绿证（生产月份 {month:%Y-%m}）于 {retirement.retired_on.isoformat()} 注销，"
        f"在有效期内（至 {valid_until.isoformat()}）",
        f"該綠證（生產月份 {month:%Y-%m}）於 {retirement.retired_on.isoformat()} 註銷，"
        f"在有效期內（至 {valid_until.isoformat()}）",
    ), **evidence)


# --- CN-GEC-08, IREC-07, RE100-05: from 2025 production, only GECs in China ---------------------


def _only_schemes(instrument: Instrument, where: Text, schemes: tuple[str, ...],
                  production_from: dt.date, evidence: dict[str, Any]) -> Result:
    """``where``: what the certificates prove (generation in, or consumption in, a country)."""
    named = ", ".join(schemes)
    scheme = instrument.scheme
    since = production_from.isoformat()
    if scheme in schemes:
        return passed(text(
            f"{scheme} certificates are accepted for {where.en}",
            f"{scheme} 证书可用于 {where.zh_Hans}",
            f"{scheme} 憑證可用於 {where.zh_Hant}",
        ), **evidence)
    made = production(instrument)
    if made is None:
        return production_unknown(instrument)
    evidence["production"] = shown(made)
    if made[1] >= production_from:
        return failed(text(
            f"the {scheme} certificate is for production {shown(made)}: for {where.en}, production "
            f"from {since} on is proven by {named} only",
            f"该 {scheme} 证书的生产期间为 {shown(made)}：{where.zh_Hans}自 {since} 起只能以 {named} 证明",
            f"該 {scheme} 憑證的生產期間為 {shown(made)}：{where.zh_Hant}自 {since} 起只能以 {named} 證明",
        ), **evidence)
    return passed(text(
        f"the {scheme} certificate is for production {shown(made)}, before {named} became the only "
        f"certificate for {where.en} on {since}",
        f"该 {scheme} 证书的生产期间为 {shown(made)}，早于 {since}（自该日起 {where.zh_Hans}只能以 {named} 证明）",
        f"該 {scheme} 憑證的生產期間為 {shown(made)}，早於 {since}（自該日起 {where.zh_Hant}只能以 {named} 證明）",
    ), **evidence)


_SCHEME_PARAMS = {"country": Param.TEXT, "schemes": Param.TEXTS, "production_from": Param.DATE}


@check("certificate_scheme_for_production_country", Target.RETIREMENT, params=_SCHEME_PARAMS)
def certificate_scheme_for_production_country(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A certificate for generation in ``country`` from ``production_from`` on is one of
    ``schemes`` (China: GEC only from 2025 production)."""
    assert retirement is not None
    instrument = retirement.instrument
    country: str = params["country"]
    evidence: dict[str, Any] = {"scheme": instrument.scheme,
                                "certificate_country": instrument.country}
    if (instrument.country or "").upper() != country.upper():
        return not_applicable(text(
            f"the certificate is not for generation in {country}",
            f"该证书并非 {country} 境内的发电",
            f"該憑證並非 {country} 境內的發電",
        ), **evidence)
    where = text(f"generation in {country}", f"{country} 境内的发电", f"{country} 境內的發電")
    return _only_schemes(instrument, where, params["schemes"], params["production_from"], evidence)


@check("certificate_scheme_for_consumption_market", Target.RETIREMENT, params=_SCHEME_PARAMS)
def certificate_scheme_for_consumption_market(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A certificate covering consumption in ``country`` for production from ``production_from``
    on is one of ``schemes`` (RE100: Chinese consumption from 2025 by GECs)."""
    assert retirement is not None
    instrument = retirement.instrument
    country: str = params["country"]
    market = (retirement.market or "").strip()
    evidence: dict[str, Any] = {"scheme": instrument.scheme,
                                "retired_for_market": market or None}
    if market.upper() != country.upper():
        return not_applicable(text(
            f"the certificate does not cover consumption in {country}",
            f"该证书并非覆盖 {country} 境内的用电",
            f"該憑證並非涵蓋 {country} 境內的用電",
        ), **evidence)
    where = text(f"consumption in {country}", f"{country} 境内的用电", f"{country} 境內的用電")
    return _only_schemes(instrument, where, params["schemes"], params["production_from"], evidence)


# --- IREC-06: FiT-subsidised Chinese devices ---------------------------------------------------


@check("subsidised_device_ineligible", Target.RETIREMENT,
       params={"country": Param.TEXT, "production_from": Param.DATE})
def subsidised_device_ineligible(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A device in ``country`` receiving a feed-in tariff earns no certificates for production
    from ``production_from`` on; an unknown subsidy status cannot be shown eligible."""
    assert retirement is not None
    instrument = retirement.instrument
    country: str = params["country"]
    start: dt.date = params["production_from"]
    evidence: dict[str, Any] = {"certificate_country": instrument.country,
                                "subsidised": instrument.subsidised}
    if (instrument.country or "").upper() != country.upper():
        return not_applicable(text(
            f"the certificate is not from a device in {country}",
            f"该证书并非来自 {country} 境内的设备",
            f"該憑證並非來自 {country} 境內的設備",
        ), **evidence)
    made = production(instrument)
    if made is None:
        return production_unknown(instrument)
    evidence["production"] = shown(made)
    if made[1] < start:
        return not_applicable(text(
            f"the certificate is for production {shown(made)}, before subsidised "
            f"devices became ineligible on {start.isoformat()}",
            f"该证书的生产期间 {shown(made)} 早于 {start.isoformat()} 补贴设备不再合格之时",
            f"該憑證的生產期間 {shown(made)} 早於 {start.isoformat()} 補貼設備不再合格之時",
        ), **evidence)
    if instrument.subsidised is None:
        # IREC-06 is confirmed [C]: ineligibility is certain for subsidised devices, so a device
        # of unknown status cannot be shown eligible; the rule file makes this blocking
        return failed(text(
            f"whether the device behind the certificate receives a feed-in tariff "
            f"is not recorded: from {start.isoformat()} a subsidised device in {country} earns no "
            "certificates, so record its subsidy status from the registry's device record",
            f"该证书对应设备是否享受上网电价补贴未记录：自 {start.isoformat()} 起 "
            f"{country} 境内享受补贴的设备不再获得证书，请依登记簿设备记录补录补贴状态",
            f"該憑證對應設備是否享有躉購費率補貼未記錄：自 {start.isoformat()} 起 "
            f"{country} 境內享有補貼的設備不再取得憑證，請依登記簿設備紀錄補錄補貼狀態",
        ), **evidence)
    if instrument.subsidised:
        return failed(text(
            f"the certificate comes from a feed-in-tariff device in {country} for "
            f"production {shown(made)}: such devices earn no certificates from {start.isoformat()}",
            f"该证书来自 {country} 境内享受上网电价补贴的设备（生产期间 {shown(made)}）："
            f"此类设备自 {start.isoformat()} 起不再获得证书",
            f"該憑證來自 {country} 境內享有躉購費率補貼的設備（生產期間 {shown(made)}）："
            f"此類設備自 {start.isoformat()} 起不再取得憑證",
        ), **evidence)
    return passed(text(
        "the device behind the certificate receives no feed-in tariff",
        "该证书对应设备未享受上网电价补贴",
        "該憑證對應設備未享有躉購費率補貼",
    ), **evidence)


# --- CN-CCER-03, CN-CCER-07 --------------------------------------------------------------------


@check("reductions_after", Target.RETIREMENT, params={"after": Param.DATE})
def reductions_after(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The reductions a credit stands for began after ``after``."""
    assert retirement is not None
    instrument = retirement.instrument
    after: dt.date = params["after"]
    start = instrument.vintage_start
    if start is None:
        return production_unknown(instrument)
    evidence = {"vintage_start": start, "reductions_after": after}
    if start <= after:
        return failed(text(
            f"the credit stands for reductions from {start.isoformat()}: only "
            f"reductions after {after.isoformat()} are eligible",
            f"该碳信用对应 {start.isoformat()} 起的减排量：只有 {after.isoformat()} 之后的减排量合格",
            f"該碳信用對應 {start.isoformat()} 起的減排量：只有 {after.isoformat()} 之後的減排量合格",
        ), **evidence)
    return passed(text(
        f"the credit stands for reductions from {start.isoformat()}, after "
        f"{after.isoformat()}",
        f"该碳信用对应 {start.isoformat()} 起的减排量，晚于 {after.isoformat()}",
        f"該碳信用對應 {start.isoformat()} 起的減排量，晚於 {after.isoformat()}",
    ), **evidence)


@check("cancelled_in_registry", Target.RETIREMENT)
def cancelled_in_registry(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """The unit is cancelled (注销) in its registry: the cancellation's reference is recorded."""
    assert retirement is not None
    instrument = retirement.instrument
    reference = retirement.registry_reference.strip()
    evidence = {"registry": instrument.registry or None}
    if retirement.id is None:
        # A candidate (a held block the planner weighs) is not cancelled yet: its reference is
        # asked for once it is retired, as retired_in_public_registry does.
        return not_applicable(text(
            "the credit is not retired yet: its cancellation reference is checked "
            "once it is cancelled in the national registry",
            "该碳信用尚未注销：注销后检查其注销证明编号",
            "該碳信用尚未註銷：註銷後檢查其註銷證明編號",
        ), **evidence)
    if not reference:
        return failed(text(
            "no cancellation reference is recorded for the credit: a CCER counts "
            "only once it is cancelled (注销) in the national registry; record the cancellation "
            "certificate's reference",
            "该碳信用未记录注销凭证编号：CCER 须在全国登记簿注销后方可计入；请录入注销证明编号",
            "該碳信用未記錄註銷憑證編號：CCER 須在全國登記簿註銷後方可計入；請錄入註銷證明編號",
        ), **evidence)
    return passed(text(
        "the credit is cancelled in the registry, and the cancellation's reference is recorded",
        "该碳信用已在登记簿注销，并已记录注销证明编号",
        "該碳信用已在登記簿註銷，並已記錄註銷證明編號",
    ), **evidence)


# --- GEC–CCER linkage (CN-LNK-01/02/03) --------------------------------------------------------


def _successor_note(period: PeriodFacts, params: Mapping[str, Any]) -> Text | None:
    """After the transition ended, say that what replaced it is not known."""
    until: dt.date | None = params.get("transition_to")
    if until is None or not params.get("successor_unknown") or period.end <= until:
        return None
    return text(
        f" (the transition period ended on {until.isoformat()}; the rules that follow it are not "
        "known, so this period is judged by the transition rules)",
        f"（过渡期已于 {until.isoformat()} 结束；后续安排尚不明确，本期间仍按过渡期规则判断）",
        f"（過渡期已於 {until.isoformat()} 結束；後續安排尚不明確，本期間仍按過渡期規則判斷）",
    )


def _with_note(result: Result, note: Text | None) -> Result:
    if note is None:
        return result
    e = result.explanation
    return Result(result.outcome, text(e.en + note.en, e.zh_Hans + note.zh_Hans,
                                       e.zh_Hant + note.zh_Hant),
                  {**result.evidence, "successor_unknown": "true"})


def _counterparts(period: PeriodFacts, instrument: Instrument, schemes: tuple[str, ...]
                  ) -> list[Instrument]:
    """The other scheme's instruments, retired for the period or held, for the same project's
    generation and overlapping production (unknown production cannot be shown apart)."""
    code = (instrument.gec_project_code or "").strip()
    made = production(instrument)
    found = []
    for other in [r.instrument for r in period.retirements] + list(period.holdings):
        if other.scheme not in schemes or (other.gec_project_code or "").strip() != code:
            continue
        theirs = production(other)
        if made is None or theirs is None or overlaps(made, theirs):
            found.append(other)
    return found


@check("no_double_benefit_gec_ccer", Target.RETIREMENT,
       params={"counterparts": Param.TEXTS, "transition_to": Param.DATE,
               "successor_unknown": Param.BOOL},
       defaults={"transition_to": None, "successor_unknown": False})
def no_double_benefit_gec_ccer(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """No instrument of ``counterparts`` (retired for the period or held) stands for the same
    project's generation in an overlapping production period, matched by the GEC project code
    (建档立卡编码)."""
    assert retirement is not None
    instrument = retirement.instrument
    note = _successor_note(period, params)
    code = (instrument.gec_project_code or "").strip()
    if not code:
        return _with_note(not_applicable(text(
            f"this {instrument.scheme} records no GEC project code, so it cannot be matched with "
            "certificates of the same generation",
            f"该 {instrument.scheme} 未记录绿证项目编码（建档立卡编码），无法与同一发电的证书比对",
            f"該 {instrument.scheme} 未記錄綠證項目編碼（建檔立卡編碼），無法與同一發電的憑證比對",
        )), note)
    others = _counterparts(period, instrument, tuple(params["counterparts"]))
    evidence = {"gec_project_code": code,
                "counterpart_serials": [o.serial for o in others] or None}
    if others:
        named = ", ".join(f"{o.scheme} {o.serial}" for o in others)
        return _with_note(failed(text(
            f"this {instrument.scheme} and {named} stand for the same generation of project "
            f"{code}: one MWh may earn a GEC or a CCER, never both",
            f"该 {instrument.scheme} 与 {named} 对应项目 {code} 的同一发电量："
            "同一电量只能获得绿证或 CCER 其中之一",
            f"該 {instrument.scheme} 與 {named} 對應項目 {code} 的同一發電量："
            "同一電量只能取得綠證或 CCER 其中之一",
        ), **evidence), note)
    return _with_note(passed(text(
        f"no {', '.join(params['counterparts'])} retired or held stands for the same generation of "
        f"project {code}",
        f"没有已注销或持有的 {'、'.join(params['counterparts'])} 对应项目 {code} 的同一发电量",
        f"沒有已註銷或持有的 {'、'.join(params['counterparts'])} 對應項目 {code} 的同一發電量",
    ), **evidence), note)


def _named(code: str) -> Text:
    """A technology's name in each language (a code no table knows, as written)."""
    return text(*(technology_name(code, locale) for locale in ("en", "zh_Hans", "zh_Hant")))


@check("gec_code_recorded_for_renewable_credit", Target.RETIREMENT,
       params={"technologies": Param.TEXTS})
def gec_code_recorded_for_renewable_credit(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """A credit from a technology that also earns GECs records the project's GEC code, so that a
    GEC for the same generation can be found."""
    assert retirement is not None
    instrument = retirement.instrument
    evidence = {"technology": instrument.technology or None}
    if instrument.technology not in params["technologies"]:
        return not_applicable(text(
            "the credit is not from a technology that earns GECs",
            "该碳信用并非来自可获得绿证的技术类型",
            "該碳信用並非來自可取得綠證的技術類型",
        ), **evidence)
    code = (instrument.gec_project_code or "").strip()
    if not code:
        return failed(text(
            f"the credit is from a {_named(instrument.technology).en} project, which also earns "
            "GECs, but its GEC project code (建档立卡编码) is not recorded: a GEC for the same "
            "generation cannot be ruled out",
            f"该碳信用来自同样可获得绿证的{_named(instrument.technology).zh_Hans}项目，但未记录其建档立卡编码："
            "无法排除同一发电量另有绿证",
            f"該碳信用來自同樣可取得綠證的{_named(instrument.technology).zh_Hant}項目，但未記錄其建檔立卡編碼："
            "無法排除同一發電量另有綠證",
        ), **evidence)
    return passed(text(
        f"the credit records its project's GEC code {code}",
        f"该碳信用已记录项目建档立卡编码 {code}",
        f"該碳信用已記錄項目建檔立卡編碼 {code}",
    ), gec_project_code=code, **evidence)


@check("credit_technology_admitted", Target.RETIREMENT,
       params={"wind_solar": Param.TEXTS, "admitted_technologies": Param.TEXTS,
               "admitted_methodologies": Param.TEXTS, "transition_to": Param.DATE,
               "successor_unknown": Param.BOOL})
def credit_technology_admitted(
    period: PeriodFacts, retirement: Retirement | None, params: Mapping[str, Any]
) -> Result:
    """Among wind and solar, only the admitted technologies (deep-sea offshore wind, solar
    thermal: by technology or by their methodologies) may be CCERs."""
    assert retirement is not None
    instrument = retirement.instrument
    note = _successor_note(period, params)
    technology, methodology = instrument.technology, instrument.methodology
    evidence = {"technology": technology or None,
                "methodology": methodology or None}
    if not technology and not methodology:
        return _with_note(failed(text(
            "neither the technology nor the methodology of the credit is "
            "recorded, so it cannot be shown not to be a wind or solar project the transition "
            "rules keep out of CCER",
            "该碳信用未记录技术类型和方法学，无法证明其不属于过渡期内不再纳入 CCER 的风电或光伏项目",
            "該碳信用未記錄技術類型和方法學，無法證明其不屬於過渡期內不再納入 CCER 的風電或光電項目",
        ), **evidence), note)
    if methodology in params["admitted_methodologies"] or technology in params["admitted_technologies"]:
        return _with_note(passed(text(
            f"the credit ({_named(technology).en if technology else methodology}) is of a technology "
            "the transition admits to CCER (deep-sea offshore wind or solar thermal)",
            f"该碳信用（{_named(technology).zh_Hans if technology else methodology}）属于过渡期可纳入 CCER "
            "的类型（深远海海上风电或光热）",
            f"該碳信用（{_named(technology).zh_Hant if technology else methodology}）屬於過渡期可納入 CCER "
            "的類型（深遠海離岸風電或光熱）",
        ), **evidence), note)
    if technology in params["wind_solar"]:
        return _with_note(failed(text(
            f"the credit is from a {_named(technology).en} project: during the transition only "
            "deep-sea offshore wind and solar thermal may choose CCER among wind and solar projects; "
            "others earn GECs",
            f"该碳信用来自{_named(technology).zh_Hans}项目：过渡期内风电、光伏项目中只有深远海海上风电和光热"
            "可选择 CCER，其余只能获得绿证",
            f"該碳信用來自{_named(technology).zh_Hant}項目：過渡期內風電、光電項目中只有深遠海離岸風電和光熱"
            "可選擇 CCER，其餘只能取得綠證",
        ), **evidence), note)
    return _with_note(not_applicable(text(
        "the credit is not from a wind or solar project",
        "该碳信用并非来自风电或光伏项目",
        "該碳信用並非來自風電或光電項目",
    ), **evidence), note)
