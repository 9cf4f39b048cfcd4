"""The content of a statement as a value, and the checklist of what its kind must state.

A statement is built from a snapshot of the period (:mod:`neutrality.statements.snapshot`), never
from the template: the template only lays out what this value holds, so an issued statement can
be rebuilt from its frozen snapshot years later and say exactly the same.

Three kinds, each with the item list of its source as the checklist (:func:`checklist`): the
ISO 14068-1 carbon neutrality report (ISO-31/32/23/10 of ``anchors-standards.md``), the PAS 2060
qualifying explanatory statement (PAS-54 for an achievement, PAS-55 for a commitment; legacy:
PAS 2060 was withdrawn on 2025-11-30) and the 零碳工厂声明 (seed 003 §9.1–9.2). Every item is
present, or the statement says in one sentence that it is absent and why.

Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from neutrality.commitments.model import PAS_2060_WITHDRAWN_ON
from neutrality.messages import Msg, Written
from neutrality.reports.content import Change, Line


class StatementKind(StrEnum):
    ISO_14068_1_REPORT = "iso_14068_1_report"
    PAS_2060_QES = "pas_2060_qes"
    CN_ZERO_CARBON_FACTORY = "cn_zero_carbon_factory"


class DeclarationType(StrEnum):
    COMMITMENT = "commitment"
    ACHIEVEMENT = "achievement"


class PasOption(StrEnum):
    """PAS 2060 Table A.1: the option a declaration of achievement is made under (PAS-50)."""

    STANDARD = "standard"  # reductions and offsets
    HISTORIC_REDUCTIONS = "historic_reductions"  # with the reductions achieved since the baseline
    FIRST_PERIOD_OFFSETS = "first_period_offsets"  # the first period, by offsetting only


class ValidationType(StrEnum):
    """PAS-51: who vouches for the declaration."""

    THIRD_PARTY = "third_party"  # independent third-party certification
    OTHER_PARTY = "other_party"  # other-party validation
    SELF = "self"  # self-validation


STANDARD_OF_KIND = {
    StatementKind.ISO_14068_1_REPORT: "ISO 14068-1:2023",
    StatementKind.PAS_2060_QES: "PAS 2060:2014",
    # seed 003 §9.1: the factory commits and achieves neutrality following PAS 2060's method
    StatementKind.CN_ZERO_CARBON_FACTORY: "光伏电池、组件生产企业零碳工厂建设参考指南",
}


@dataclass(frozen=True)
class Entity:
    """The organisation making the declaration (seed 003 §9.2 (a), PAS-54.1)."""

    name: str
    legal_name: str
    english_name: str
    unified_social_credit_code: str
    nature: str
    legal_representative: str
    registered_address: str
    production_address: str
    industry_category: str
    industry_code: str
    contact_person: str
    contact_phone: str
    contact_email: str


@dataclass(frozen=True)
class Facility:
    name: str
    address: str


@dataclass(frozen=True)
class Exclusion:
    item: str
    reason: str
    share_percent: Decimal | None  # estimated share of the subject's emissions


@dataclass(frozen=True)
class Boundary:
    subject: str
    kind: str  # site, organisation
    description: str
    sites: tuple[Facility, ...]
    exclusions: tuple[Exclusion, ...]


@dataclass(frozen=True)
class Validation:
    type: ValidationType
    body: str  # "" when self-validated
    accreditation: str
    standard: str
    assurance_level: str
    opinion: str
    verified_on: dt.date | None
    #: "confirmed": the appointed verifier gave its own opinion; "claimed": recorded by the
    #: organisation only; "" for a self-validation (and in snapshots written before it was stated)
    state: str = ""


@dataclass(frozen=True)
class Method:
    """How the footprint was quantified (PAS-54.6)."""

    standards: tuple[str, ...]
    gwp_set: str
    factor_library_version: str
    factor_sources: tuple[str, ...]
    gases: tuple[str, ...]
    scope2_methods: tuple[str, ...]  # location_based, market_based


@dataclass(frozen=True)
class EacApplied:
    scheme: str
    market: str
    mwh: int


@dataclass(frozen=True)
class Footprint:
    total: Line
    by_scope: tuple[Line, ...]
    by_category: tuple[Line, ...]  # ISO 14064-1 categories
    by_scope3_category: tuple[Line, ...]
    by_gas: tuple[Line, ...]
    uncertainty_percent: Decimal | None
    uncertainty_by_scope: tuple[tuple[str, Decimal | None], ...]
    complete: bool
    inventory_version: int
    inventory_status: str


@dataclass(frozen=True)
class Balance:
    """The balance under the claim: gross market-based → certificates → residual → credits."""

    gross_location_tco2e: Decimal | None
    gross_market_tco2e: Decimal | None
    certificates_tco2e: Decimal | None  # what the counted certificates take off market-based Scope 2
    residual_tco2e: Decimal | None
    credits_counted_tco2e: Decimal
    credits_retired_tco2e: Decimal
    verdict: str | None  # covered, short
    blocking_rules: tuple[str, ...]
    provisional: bool

    @property
    def net_tco2e(self) -> Decimal | None:
        return None if self.residual_tco2e is None else self.residual_tco2e - self.credits_counted_tco2e


@dataclass(frozen=True)
class TargetProgress:
    kind: str
    scopes: str
    base_year: int
    base_value: Decimal
    target_year: int
    reduction_percent: Decimal
    target_value: Decimal
    unit: str
    actual: Decimal | None  # this period's, in the target's measure
    allowed: Decimal | None
    reduced_percent: Decimal | None  # against the base year
    on_track: bool | None
    problem: Msg | str | None


@dataclass(frozen=True)
class Measure:
    title: Written
    status: Msg | str
    scope: int
    site: str | None
    expected_tco2e: Decimal | None
    achieved_tco2e: Decimal | None


@dataclass(frozen=True)
class Plan:
    """The carbon (neutrality) management plan (PAS-20, ISO-10, seed 003 §9.1)."""

    statement: str
    neutrality_deadline: dt.date | None
    commitment_until: dt.date | None
    planned_measures: tuple[str, ...]
    offset_strategy: str
    intended_credit_types: tuple[str, ...]
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class RetirementLine:
    id: int
    scheme: str
    unit: str  # tCO2e, MWh
    project: str
    project_id: str
    country: str
    vintage_start: dt.date | None
    vintage_end: dt.date | None
    issuance: str
    serial_start: int
    serial_end: int
    quantity: int
    registry: str
    retired_on: dt.date
    reference: str
    link: str
    beneficiary: str
    evidence_sha256: str
    counted: bool  # False: a blocking rule of the claim refuses it (see the excluded)

    @property
    def serials(self) -> str:
        return f"{self.issuance} {self.serial_start}–{self.serial_end}".strip()


@dataclass(frozen=True)
class ExcludedLine:
    retirement_id: int
    scheme: str
    quantity: int
    unit: str
    rules: tuple[str, ...]
    explanation: Written


@dataclass(frozen=True)
class FindingLine:
    rule_set: str
    rule_id: str
    clause: str
    title: Written
    severity: str
    outcome: str
    explanation: Written
    subject: str


@dataclass(frozen=True)
class Statement:
    kind: StatementKind
    declaration: DeclarationType
    option: PasOption | None  # PAS 2060 only
    entity: Entity
    boundary: Boundary
    standard: str  # the commitment's standard, as titled
    validation: Validation
    baseline_date: dt.date
    first_qualification_date: dt.date
    period_start: dt.date
    period_end: dt.date
    period_sequence: int
    method: Method
    eacs: tuple[EacApplied, ...]
    footprint: Footprint
    balance: Balance
    previous_period: tuple[dt.date, dt.date] | None
    changes: tuple[Change, ...]  # against the previous period
    targets: tuple[TargetProgress, ...]  # each with this period against its base year
    plan: Plan
    retirements: tuple[RetirementLine, ...]
    excluded: tuple[ExcludedLine, ...]
    findings: tuple[FindingLine, ...]
    published_at: str  # the public address of the statement
    prepared_on: dt.date
    version: int = 0  # 0: a preview, not issued; 1, 2…: the issued version
    # The reductions achieved against the previous period: −(the activity part of the change of
    # the location-based total, neutrality.reductions.achieved), what was done and not what the
    # factors moved; None for a first period or inventories that cannot be split. Negative when
    # the activity rose.
    achieved_reduction_tco2e: Decimal | None = None

    @property
    def follows_withdrawn_specification(self) -> bool:
        """PAS 2060 was withdrawn on 2025-11-30 (X-02): a QES for a period ending after it follows
        a withdrawn specification and says so."""
        return self.kind is StatementKind.PAS_2060_QES and self.period_end > PAS_2060_WITHDRAWN_ON

    @property
    def withdrawn_label(self) -> Msg | None:
        if not self.follows_withdrawn_specification:
            return None
        return Msg("This statement follows a withdrawn specification: PAS 2060:2014 was withdrawn on "
                   "30 November 2025 and superseded by ISO 14068-1:2023.")

    @property
    def credits(self) -> tuple[RetirementLine, ...]:
        return tuple(r for r in self.retirements if r.unit == "tCO2e")

    @property
    def wording(self) -> Written:
        return declaration_wording(self)

    def checklist(self) -> tuple[ChecklistItem, ...]:
        return checklist(self)


# --- the declaration's wording (PAS-56, ISO-31, seed 003 §9.1 note) --------------------------------

_VALIDATED = {
    ValidationType.THIRD_PARTY: ("independently certified by {body}", "经{body}独立第三方核证", "經{body}獨立第三方查證"),
    ValidationType.OTHER_PARTY: ("validated by {body}", "经{body}确认", "經{body}確認"),
    ValidationType.SELF: ("self-validated", "经自我确认", "經自我確認"),
}

#: (kind, type) → the wording in English, 简体, 繁體; the values are filled in each language.
_WORDING = {
    (StatementKind.PAS_2060_QES, DeclarationType.ACHIEVEMENT): (
        "Carbon neutrality of {subject} achieved by {entity} in accordance with PAS 2060:2014 for the period "
        "{start} to {end}, {validated}.",
        "{entity}依据 PAS 2060:2014，在 {start} 至 {end} 期间实现了{subject}的碳中和，{validated}。",
        "{entity}依據 PAS 2060:2014，在 {start} 至 {end} 期間實現了{subject}的碳中和，{validated}。"),
    (StatementKind.PAS_2060_QES, DeclarationType.COMMITMENT): (
        "{entity} commits to be carbon neutral for {subject} in accordance with PAS 2060:2014 by {deadline}.",
        "{entity}承诺依据 PAS 2060:2014，于 {deadline} 前实现{subject}的碳中和。",
        "{entity}承諾依據 PAS 2060:2014，於 {deadline} 前實現{subject}的碳中和。"),
    (StatementKind.ISO_14068_1_REPORT, DeclarationType.ACHIEVEMENT): (
        "{entity} claims carbon neutrality of {subject} for the period {start} to {end} in accordance with "
        "ISO 14068-1:2023, {validated}.",
        "{entity}依据 ISO 14068-1:2023 声明{subject}在 {start} 至 {end} 期间实现碳中和，{validated}。",
        "{entity}依據 ISO 14068-1:2023 聲明{subject}在 {start} 至 {end} 期間實現碳中和，{validated}。"),
    (StatementKind.ISO_14068_1_REPORT, DeclarationType.COMMITMENT): (
        "{entity} commits to carbon neutrality of {subject} in accordance with ISO 14068-1:2023 by {deadline}.",
        "{entity}承诺依据 ISO 14068-1:2023，于 {deadline} 前实现{subject}的碳中和。",
        "{entity}承諾依據 ISO 14068-1:2023，於 {deadline} 前實現{subject}的碳中和。"),
    (StatementKind.CN_ZERO_CARBON_FACTORY, DeclarationType.ACHIEVEMENT): (
        "{entity} declares {subject} a zero-carbon factory for the period {start} to {end}: the greenhouse gas "
        "emissions within its boundary are offset by carbon credits retired for it, which serve no other "
        "purpose; {validated}.",
        "{entity}声明：{subject}在 {start} 至 {end} 期间为零碳工厂，核算边界内的温室气体排放已由为其注销的碳信用抵消，"
        "所用碳信用不作任何其他用途；{validated}。",
        "{entity}聲明：{subject}在 {start} 至 {end} 期間為零碳工廠，核算邊界內的溫室氣體排放已由為其註銷的碳信用抵銷，"
        "所用碳信用不作任何其他用途；{validated}。"),
    (StatementKind.CN_ZERO_CARBON_FACTORY, DeclarationType.COMMITMENT): (
        "{entity} commits to make {subject} a zero-carbon factory by {deadline}.",
        "{entity}承诺于 {deadline} 前将{subject}建成零碳工厂。",
        "{entity}承諾於 {deadline} 前將{subject}建成零碳工廠。"),
}

_NO_DEADLINE = ("a date yet to be set", "待定日期", "待定日期")


def declaration_wording(statement: Statement) -> Written:
    """The declaration in the three languages. Dates are written as ISO 8601 (2025-12-31) in
    each: the same in every script, and what the registries print."""
    templates = _WORDING[(statement.kind, statement.declaration)]
    validated = _VALIDATED[statement.validation.type]
    deadline = statement.plan.neutrality_deadline
    texts = []
    for n, template in enumerate(templates):
        texts.append(template.format(
            entity=statement.entity.legal_name, subject=statement.boundary.subject,
            start=statement.period_start.isoformat(), end=statement.period_end.isoformat(),
            deadline=deadline.isoformat() if deadline else _NO_DEADLINE[n],
            validated=validated[n].format(body=statement.validation.body)))
    # a name ending in a full stop ("Co., Ltd.") ends the English sentence once
    return Written(texts[0].replace("..", "."), zh_Hans=texts[1], zh_Hant=texts[2])


# --- the checklist ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    id: str  # PAS-54.3, CN-9.2(a), ISO-32…
    title: Msg
    present: bool
    absence: Msg | None  # the sentence the statement prints when the item is absent

    @property
    def stated(self) -> bool:
        """Present, or its absence stated: what every item of a statement must be."""
        return self.present or bool(self.absence)


Check = Callable[[Statement], bool]


def _entity(s: Statement) -> bool:
    e = s.entity
    return all((e.legal_name, e.legal_representative, e.registered_address, e.contact_person))


def _entity_cn(s: Statement) -> bool:
    e = s.entity
    return _entity(s) and all((e.nature, e.production_address, e.industry_category))


def _contact(s: Statement) -> bool:
    return bool(s.entity.contact_phone or s.entity.contact_email)


def _has_verifier(s: Statement) -> bool:
    return s.validation.type is not ValidationType.SELF and bool(s.validation.body)


def _method(s: Statement) -> bool:
    return bool(s.method.gwp_set and s.method.factor_sources)


def _footprint(s: Statement) -> bool:
    return s.footprint.total.location_tco2e is not None and s.footprint.complete


def _plan(s: Statement) -> bool:
    return bool(s.plan.planned_measures or s.plan.measures)


def _counted_credits(s: Statement) -> bool:
    return any(r.counted for r in s.credits)


def _achieved(s: Statement) -> bool:
    return s.balance.verdict == "covered" and not s.balance.blocking_rules


@dataclass(frozen=True)
class _Item:
    id: str
    title: Msg
    check: Check
    absence: Msg | None


_ENTITY = Msg("No legal representative, registered address or contact person is recorded for the organisation.")
_NO_SITE = Msg("The boundary names no site.")
_NO_EXCLUSION = Msg("Nothing is excluded from the boundary: every emission source of its sites is included.")
_SELF = Msg("The statement is self-validated: no certifier or validator is named.")
_NO_METHOD = Msg("The inventory names no emission factor: its method cannot be stated.")
_NO_EAC = Msg("No energy attribute certificate is applied: market-based Scope 2 counts all grid electricity at the residual mix or grid factor.")
_INCOMPLETE = Msg("The inventory holds records that cannot be calculated: the footprint is incomplete.")
_NO_UNCERTAINTY = Msg("No combined uncertainty can be given: no record of the inventory states an uncertainty.")
_NO_PLAN = Msg("The management plan lists no reduction measure.")
_FIRST = Msg("This is the first application period: there is no previous period to compare with.")
_NO_TARGET = Msg("No reduction target is set: progress against a target cannot be given.")
_NO_CREDIT = Msg("No carbon credit retired for the period is counted under the claim.")
_NO_EXCLUDED = Msg("The rules exclude no retirement of the period.")


def _ALWAYS(statement: Statement) -> bool:  # noqa: N802 - read as a constant check
    """An item the statement always gives: an empty list stated as such (nothing excluded by
    the rules) is the item, not its absence."""
    return True
_NO_FINDING = Msg("No rule set applies to the period: there are no findings.")
_NOT_PUBLISHED = Msg("The statement is not published yet.")
_NO_DEADLINE_SET = Msg("The commitment sets no date by which neutrality is to be reached.")
_NO_STRATEGY = Msg("The commitment states no offset strategy.")
_NOT_ACHIEVED = Msg("The period is not shown to be carbon neutral: the credits counted do not cover the residual emissions, or a blocking rule fails.")
_NO_OPTION = Msg("No Table A.1 option applies: this is a declaration of commitment.")

_WORDING_PRESENT = Msg("The declaration's wording")


def _common_iso() -> tuple[_Item, ...]:
    return (
        _Item("ISO-31(a)", Msg("Entity making the claim and its representative"), _entity, _ENTITY),
        _Item("ISO-31(b)", Msg("Subject, boundary and sites"), lambda s: bool(s.boundary.sites), _NO_SITE),
        _Item("ISO-31(c)", Msg("Exclusions from the boundary, with reasons"), lambda s: bool(s.boundary.exclusions),
              _NO_EXCLUSION),
        _Item("ISO-31(d)", Msg("Standard, type of claim and period"), lambda s: True, None),
        _Item("ISO-32", Msg("Verification, with the verifier"), _has_verifier, _SELF),
        _Item("ISO-31(e)", Msg("Quantification method, GWP set and emission factor sources"), _method, _NO_METHOD),
        _Item("ISO-33", Msg("Scope 2 method and energy attribute certificates applied"), lambda s: bool(s.eacs), _NO_EAC),
        _Item("ISO-31(f)", Msg("Footprint by scope, category and gas"), _footprint, _INCOMPLETE),
        _Item("ISO-31(g)", Msg("Uncertainty"), lambda s: s.footprint.uncertainty_percent is not None, _NO_UNCERTAINTY),
        _Item("ISO-10", Msg("Carbon neutrality management plan"), _plan, _NO_PLAN),
        _Item("ISO-10(a)", Msg("Reductions against the previous period"), lambda s: bool(s.changes), _FIRST),
        _Item("ISO-10(b)", Msg("Progress on reduction targets against the base year"), lambda s: bool(s.targets), _NO_TARGET),
        _Item("ISO-23", Msg("Carbon credits retired, with their documentation"), _counted_credits, _NO_CREDIT),
        _Item("ISO-21", Msg("Instruments excluded by the rules"), _ALWAYS, _NO_EXCLUDED),
        _Item("ISO-21(f)", Msg("Rule findings"), lambda s: bool(s.findings), _NO_FINDING),
        _Item("ISO-31(h)", _WORDING_PRESENT, lambda s: True, None),
        _Item("ISO-31(i)", Msg("Where the report is published"), lambda s: bool(s.published_at), _NOT_PUBLISHED),
    )


def _pas_achievement() -> tuple[_Item, ...]:
    return (
        _Item("PAS-54.1", Msg("Entity making the declaration and its senior representative"), _entity, _ENTITY),
        _Item("PAS-54.2", Msg("Subject, boundary and sites"), lambda s: bool(s.boundary.sites), _NO_SITE),
        _Item("PAS-54.2(x)", Msg("Exclusions from the boundary, with reasons"), lambda s: bool(s.boundary.exclusions),
              _NO_EXCLUSION),
        _Item("PAS-54.3", Msg("Type of conformity assessment, with the certifier or validator"), _has_verifier, _SELF),
        _Item("PAS-54.4", Msg("Declaration option (Table A.1)"), lambda s: s.option is not None, _NO_OPTION),
        _Item("PAS-54.5", Msg("Baseline date, first qualification date and application period"), lambda s: True, None),
        _Item("PAS-54.6", Msg("Quantification method, GWP set and emission factor sources"), _method, _NO_METHOD),
        _Item("PAS-54.6(s2)", Msg("Scope 2 method and energy attribute certificates applied"), lambda s: bool(s.eacs),
              _NO_EAC),
        _Item("PAS-54.7", Msg("Footprint by scope, category and gas"), _footprint, _INCOMPLETE),
        _Item("PAS-54.7(u)", Msg("Uncertainty"), lambda s: s.footprint.uncertainty_percent is not None, _NO_UNCERTAINTY),
        _Item("PAS-54.8", Msg("Carbon management plan: targets and measures"), _plan, _NO_PLAN),
        _Item("PAS-54.9", Msg("Reductions against the previous period"), lambda s: bool(s.changes), _FIRST),
        _Item("PAS-54.9(t)", Msg("Progress on reduction targets against the base year"), lambda s: bool(s.targets),
              _NO_TARGET),
        _Item("PAS-54.10", Msg("Carbon credits retired: scheme, project, country, vintage, serials, registry, date"),
              _counted_credits, _NO_CREDIT),
        _Item("PAS-54.10(x)", Msg("Instruments excluded by the rules"), _ALWAYS, _NO_EXCLUDED),
        _Item("PAS-54.10(a-g)", Msg("Rule findings"), lambda s: bool(s.findings), _NO_FINDING),
        _Item("PAS-54.11", _WORDING_PRESENT, lambda s: True, None),
        _Item("PAS-54.12", Msg("Where the statement is published"), lambda s: bool(s.published_at), _NOT_PUBLISHED),
    )


def _pas_commitment() -> tuple[_Item, ...]:
    # PAS-55: items 1–3 and 5–8 of PAS-54, the offset strategy and the date of neutrality
    kept = {"PAS-54.1", "PAS-54.2", "PAS-54.2(x)", "PAS-54.3", "PAS-54.5", "PAS-54.6", "PAS-54.6(s2)",
            "PAS-54.7", "PAS-54.7(u)", "PAS-54.8"}
    items = tuple(
        _Item(i.id.replace("PAS-54", "PAS-55"), i.title, i.check, i.absence) for i in _pas_achievement() if i.id in kept)
    return (*items,
            _Item("PAS-55(e)", Msg("Offset strategy"), lambda s: bool(s.plan.offset_strategy), _NO_STRATEGY),
            _Item("PAS-55(d)", Msg("Date by which neutrality is to be reached"),
                  lambda s: s.plan.neutrality_deadline is not None, _NO_DEADLINE_SET),
            _Item("PAS-55.11", _WORDING_PRESENT, lambda s: True, None),
            _Item("PAS-55.12", Msg("Where the statement is published"), lambda s: bool(s.published_at), _NOT_PUBLISHED))


def _zero_carbon_factory() -> tuple[_Item, ...]:
    return (
        # §9.1: the implementation plan of the factory
        _Item("CN-9.1(a)", Msg("Statement of the factory's carbon neutrality commitment"),
              lambda s: bool(s.plan.statement), Msg("The commitment states no carbon neutrality commitment.")),
        _Item("CN-9.1(b)", Msg("Timetable: neutrality deadline, baseline date, first qualification date"),
              lambda s: s.plan.neutrality_deadline is not None, _NO_DEADLINE_SET),
        _Item("CN-9.1(c)", Msg("Reduction targets matching the timetable"), lambda s: bool(s.targets), _NO_TARGET),
        _Item("CN-9.1(d)", Msg("Measures to reach and keep the reductions"), _plan, _NO_PLAN),
        _Item("CN-9.1(e)", Msg("Offset strategy"), lambda s: bool(s.plan.offset_strategy), _NO_STRATEGY),
        _Item("CN-9.1(f)", Msg("Verification by a qualified third party"), _has_verifier, _SELF),
        _Item("CN-9.1(g)", Msg("Carbon credits retired, serving no other purpose"), _counted_credits, _NO_CREDIT),
        _Item("CN-9.1(g)x", Msg("Instruments excluded by the rules"), _ALWAYS, _NO_EXCLUDED),
        _Item("CN-9.1(h)", Msg("Rule findings"), lambda s: bool(s.findings), _NO_FINDING),
        # §9.2: the declaration
        _Item("CN-9.2(a)", Msg("Factory name, nature of enterprise, legal representative, registered and production "
                               "addresses, industry, contact person"), _entity_cn, _ENTITY),
        _Item("CN-9.2(a)c", Msg("Contact details"), _contact, Msg("No telephone number or e-mail address is recorded for the contact person.")),
        _Item("CN-9.2(b)", Msg("Application period and boundary"), lambda s: bool(s.boundary.sites), _NO_SITE),
        _Item("CN-9.2(b)x", Msg("Exclusions from the boundary, with reasons"), lambda s: bool(s.boundary.exclusions),
              _NO_EXCLUSION),
        _Item("CN-9.2(b)m", Msg("Accounting standard and method"), _method, _NO_METHOD),
        _Item("CN-9.2(b)s2", Msg("Scope 2 method and energy attribute certificates applied"), lambda s: bool(s.eacs),
              _NO_EAC),
        _Item("CN-9.2(b)e", Msg("Emissions by scope, category and gas"), _footprint, _INCOMPLETE),
        _Item("CN-9.2(b)u", Msg("Uncertainty"), lambda s: s.footprint.uncertainty_percent is not None, _NO_UNCERTAINTY),
        _Item("CN-9.2(b)n", Msg("Carbon neutrality achieved"), _achieved, _NOT_ACHIEVED),
        _Item("CN-9.2(c)", Msg("Reduction measures implemented"), lambda s: bool(s.plan.measures), _NO_PLAN),
        _Item("CN-9.2(c)r", Msg("Reductions against the previous period"), lambda s: bool(s.changes), _FIRST),
        _Item("CN-9.2(c)t", Msg("Completion of the reduction targets"), lambda s: bool(s.targets), _NO_TARGET),
        _Item("CN-9.2(d)", _WORDING_PRESENT, lambda s: True, None),
        _Item("CN-9.2(e)", Msg("Where the declaration is published"), lambda s: bool(s.published_at), _NOT_PUBLISHED),
    )


def _items(statement: Statement) -> tuple[_Item, ...]:
    if statement.kind is StatementKind.PAS_2060_QES:
        return _pas_achievement() if statement.declaration is DeclarationType.ACHIEVEMENT else _pas_commitment()
    if statement.kind is StatementKind.CN_ZERO_CARBON_FACTORY:
        return _zero_carbon_factory()
    return _common_iso()


def checklist(statement: Statement) -> tuple[ChecklistItem, ...]:
    """Each item the kind requires, present or not; an absent one carries the sentence the
    statement prints in its place."""
    result = []
    for item in _items(statement):
        present = item.check(statement)
        result.append(ChecklistItem(item.id, item.title, present, None if present else item.absence))
    return tuple(result)


#: The sentences a statement prints where a section has nothing to show (the same as its
#: checklist's), by section.
ABSENCES = {
    "excl": _NO_EXCLUSION, "eac": _NO_EAC, "uncertainty": _NO_UNCERTAINTY, "footprint": _INCOMPLETE,
    "previous": _FIRST, "target": _NO_TARGET, "excluded": _NO_EXCLUDED, "finding": _NO_FINDING,
    "published": _NOT_PUBLISHED,
}
