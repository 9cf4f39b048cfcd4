"""Demo data: a PV cell and module manufacturer in Jiangsu with two factories.

Everything is created through the services, so the demo exercises the same rules and audit log
as real use. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import select

from neutrality.access.model import Actor, Role
from neutrality.accounts import services as access
from neutrality.clock import utcnow
from neutrality.commitments import services as commitments
from neutrality.inventory import activities
from neutrality.inventory import services as inventory
from neutrality.organisations import services as organisations
from neutrality.organisations.tables import Organisation
from neutrality.pagination import EVERYTHING
from neutrality.reductions import services as reductions
from neutrality.reductions import target_services as targets
from neutrality.registry import held_blocks, importing, projects, purchases, retirements
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS, REGISTRY_FILE_LIMITS
from neutrality.statements import versions
from neutrality.statements.content import DeclarationType, StatementKind
from neutrality.statements.services import public_url
from neutrality.uow import UnitOfWork
from neutrality.verification import services as verification

DEMO_ORGANISATION = "苏辉光伏"
DEMO_DOMAIN = "demo.neutrality.test"

#: Demo accounts: (role or None for the site administrator, e-mail local part, name, password).
DEMO_USERS = (
    (None, "admin", "Site administrator", "admin-demo-pass"),
    (Role.LEAD, "lead", "李雯 (sustainability lead)", "lead-demo-pass"),
    (Role.PROCUREMENT, "procurement", "陈刚 (procurement)", "procurement-demo-pass"),
    (Role.VERIFIER, "verifier", "Verifier (third party)", "verifier-demo-pass"),
    (Role.VIEWER, "viewer", "Viewer", "viewer-demo-pass"),
)

_FACTORIES = (
    {
        "name": "盐城电池片工厂 Yancheng cell factory",
        "country": "CN",
        "region": "CN-JS",
        "address": "江苏省盐城市经济技术开发区光伏路 18 号",
        "description": "PERC and TOPCon cell lines, 8 GW; diffusion, PECVD and screen printing.",
    },
    {
        "name": "常州组件工厂 Changzhou module factory",
        "country": "CN",
        "region": "CN-JS",
        "address": "江苏省常州市新北区光电大道 66 号",
        "description": "Module assembly, 5 GW: stringing, lamination, framing and testing.",
    },
)


def email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def load_demo(make_uow: Callable[[], UnitOfWork], admin: Actor, *, declare_at: str | None = None) -> str:
    """Load the demo (once: a second call says it is loaded). ``declare_at``: the application's
    public address; given, Yancheng 2024's zero-carbon factory declaration is issued by the lead
    and published, its public page at ``<declare_at>/declarations/<org>/<period>`` (rendering its
    three PDFs takes a few seconds)."""
    with make_uow() as uow:
        if uow.session.scalar(select(Organisation.id).where(Organisation.name == DEMO_ORGANISATION)):
            return "demo already loaded"

    users = {}
    for role, local, name, password in DEMO_USERS:
        users[local] = access.create_user(make_uow(), admin, email=email(local), display_name=name,
                                          password=password, is_admin=role is None).id

    org = organisations.create_organisation(make_uow(), admin, {
        "name": DEMO_ORGANISATION,
        "legal_name": "江苏苏辉光伏科技有限公司",
        "english_name": "Jiangsu Suhui Photovoltaic Technology Co., Ltd.",
        "unified_social_credit_code": "91320900MA1XY40A3B",
        "nature_of_enterprise": "private",
        "legal_representative": "王建国",
        "registered_address": "江苏省盐城市经济技术开发区光伏路 18 号",
        "production_address": "江苏省盐城市经济技术开发区光伏路 18 号；江苏省常州市新北区光电大道 66 号",
        "industry_category": "光伏设备及元器件制造 (PV cells and modules)",
        "industry_code": "C3825",
        "contact_person": "李雯",
        "contact_phone": "+86 515 8888 0000",
        "contact_email": email("lead"),
        "country": "CN",
        "consolidation_approach": "operational_control",
        "consolidation_justification": "The company operates both factories and sets their "
        "operating policies; operational control matches the zero-carbon factory boundary.",
        "consolidation_effective_from": dt.date(2024, 1, 1),
        "lead_email": email("lead"),
    })
    for role, local, *_ in DEMO_USERS:
        if role not in (None, Role.LEAD):
            access.add_member(make_uow(), admin, org.id, email=email(local), role=role)

    for factor in _DEMO_FACTORS:
        inventory.add_organisation_factor(make_uow(), admin, org.id, factor, evidence=_DEMO_EVIDENCE,
                                          evidence_filename="demo-factor-note.txt")

    # the appointed verifier, as it signs in: its opinion confirms the verifications it reviewed
    verifier = access.load_actor(make_uow(), users["verifier"])
    factory_periods, factory_sites, factory_commitments = [], [], []
    for factory, files, confirmed in zip(_FACTORIES, _ACTIVITY_FILES, _CONFIRMED, strict=True):
        site = organisations.create_site(make_uow(), admin, org.id, factory)
        factory_sites.append(site.id)
        subject = organisations.create_subject(make_uow(), admin, org.id, {
            "name": factory["name"], "kind": "site", "site_id": site.id,
            "description": "Zero-carbon factory boundary: the whole site under operational control.",
        })
        organisations.add_exclusion(make_uow(), admin, org.id, subject.id, {
            "item": "Employee commuting (Scope 3 category 7)",
            "reason": "Immaterial: estimated from headcount and average commute, below the 1 % threshold.",
            "estimated_share_percent": Decimal("0.4"),
        })
        commitment = commitments.create_commitment(make_uow(), admin, org.id, {
            "subject_id": subject.id,
            "standard": "iso_14068_1_2023",
            "zero_carbon_factory": True,
            "statement": f"{DEMO_ORGANISATION} commits {factory['name']} to carbon neutrality under "
            "ISO 14068-1:2023 and the zero-carbon factory guidance from 2024 on.",
            "baseline_date": dt.date(2024, 1, 1),
            "first_qualification_date": dt.date(2025, 1, 1),
            "period_length_months": 12,
            "neutrality_deadline": dt.date(2024, 12, 31),
            "commitment_until": dt.date(2030, 12, 31),
            "reduction_targets": [
                {"scopes": "1+2", "kind": "absolute", "base_year": 2024, "target_year": 2030,
                 "reduction_percent": Decimal("42"), "description": "In line with a 1.5 °C pathway."},
            ],
            "planned_measures": [
                "Rooftop PV on all production halls",
                "Heat recovery on diffusion furnaces",
                "Green electricity certificates (GEC) for the remaining grid electricity",
            ],
            "offset_strategy": "Residual emissions offset with CCERs and VCUs from Chinese projects, "
            "retired within 12 months after the end of each period.",
            "estimated_offset_tco2e": Decimal("2500"),
            "intended_credit_types": ["CCER", "VCU"],
        })
        factory_commitments.append(commitment.id)
        periods = commitments.generate(make_uow(), admin, org.id, commitment.id, count=2)
        factory_periods.append(periods)
        for period, filename in zip(periods, files, strict=True):
            verified = _load_inventory(make_uow, admin, org.id, period, filename,
                                       verify=period.start_date.year == 2024)
            if verified is not None and confirmed:
                _confirm(make_uow, verifier, org.id, verified, period, filename)

    _load_instruments(make_uow, admin, org.id)
    _retire_for_periods(make_uow, admin, org.id, factory_periods)
    _buy(make_uow, admin, org.id, *_UNUSED_GECS)
    _load_reductions(make_uow, admin, org.id, factory_sites, factory_commitments, factory_periods)
    declared = None
    if declare_at is not None:
        lead = access.load_actor(make_uow(), users["lead"])
        declared = _declare(make_uow, lead, org.id, factory_periods[0][0].id, declare_at)

    lines = [f"demo loaded: organisation {org.id} ({DEMO_ORGANISATION}), 2 factories, "
             "2 commitments with periods 2024 (inventory verified; Yancheng's confirmed by the verifier) "
             "and 2025 (inventory in progress), "
             "GECs, I-RECs, CCERs and VCUs held through recorded purchases, reduction measures "
             "and targets",
             *([f"published: Yancheng 2024's zero-carbon factory declaration at {declared}"] if declared else []),
             "sign in at http://127.0.0.1:5000 as:"]
    lines += [f"  {email(local):<36} {password:<24} {role or 'site admin'}"
              for role, local, _, password in DEMO_USERS]
    return "\n".join(lines)


def _declare(make_uow: Callable[[], UnitOfWork], lead: Actor, organisation_id: int, period_id: int,
             base: str) -> str:
    """Yancheng 2024, covered under its claim and its verification confirmed: its 零碳工厂声明
    issued as an achievement (the rules allow it) and published. Changzhou 2024 is left
    undeclared: its statements page says why it cannot be (ISO-21, ISO-32)."""
    address = public_url(base, organisation_id, period_id)
    issued = versions.issue_statement(make_uow(), lead, organisation_id, period_id, StatementKind.CN_ZERO_CARBON_FACTORY,
                                      issued_on=utcnow().date(), declaration=DeclarationType.ACHIEVEMENT,
                                      published_at=address)
    versions.publish_version(make_uow(), lead, organisation_id, issued.id)
    return address


#: Per factory: the activity files of 2024 and 2025 (templates' layout, in neutrality/demo_data).
_ACTIVITY_FILES = (
    ("yancheng_2024.csv", "yancheng_2025.csv"),
    ("changzhou_2024.csv", "changzhou_2025.csv"),
)
#: Per factory: whether the appointed verifier confirmed the verification the lead recorded.
#: Yancheng's is confirmed, so its covered 2024 period may be declared an achievement;
#: Changzhou's stays claimed, one of the reasons its 2024 period cannot be declared yet.
_CONFIRMED = (True, False)

_DEMO_EVIDENCE = b"Demo factor note: values chosen for the demonstration, not for real inventories.\n"


def _factor(key: str, name: str, per_unit: str, mass_unit: str, gas: str, value: str, source: str) -> dict:
    return {"key": key, "name": name, "kind": "generic", "per_unit": per_unit, "mass_unit": mass_unit,
            "gases": {gas: value}, "source": source, "publisher": "neutrality demo", "year": 2024,
            "geography": "CN", "change_reason": "",
            # no source publishes a ± for these: expert judgement at seed 000 §4.7's 20 %
            "uncertainty_percent": Decimal("20"), "uncertainty_basis": "expert_judgement",
            "uncertainty_source": "Expert judgement: no published uncertainty for this factor (seed 000 §4.7, 20 %)"}


#: The demo's own factors for Scope 3. Where a seed gives a figure it is used and cited.
_DEMO_FACTORS = (
    _factor("road_freight", "Road freight, 10 t diesel truck", "t·km", "kg", "CO2", "0.0538",
            "Seed 002 worked example: 20 L diesel × 2.69 kg CO2/L over 10 t × 100 km"),
    _factor("landfill", "Industrial waste to landfill", "t", "t", "CO2e", "0.5",
            "FHKI/HKU carbon management guide, case 2 landfill factor (illustrative)"),
    _factor("air_travel", "Air travel, economy, average haul", "p·km", "kg", "CO2e", "0.15", "Demo value"),
    _factor("silver_paste", "Silver paste for cell metallisation", "kg", "kg", "CO2e", "150", "Demo value"),
    _factor("solar_glass", "Tempered solar glass", "t", "t", "CO2e", "1.1", "Demo value"),
    _factor("aluminium_frame", "Aluminium module frames", "t", "t", "CO2e", "16", "Demo value"),
)

#: Scope 3 completeness of every demo inventory (seed 002: exclusions need a reason).
_COMPLETENESS = (
    *[(c, "included", None, "") for c in (1, 4, 5, 6, 9)],
    (7, "excluded_immaterial", Decimal("0.4"), "Employee commuting: estimated from headcount and average "
     "commute at 0.4 % of the inventory, below the 1 % threshold."),
    (8, "not_applicable", None, "No leased assets upstream."),
    (11, "not_applicable", None, "PV cells and modules emit nothing in use."),
    (13, "not_applicable", None, "No assets leased to others."),
    (14, "not_applicable", None, "No franchises."),
    (15, "not_applicable", None, "No investments in other companies."),
)


def _load_inventory(make_uow: Callable[[], UnitOfWork], admin: Actor, organisation_id: int,
                    period: Any, filename: str, *, verify: bool) -> int | None:
    """The period's inventory from its activity file; verified (as the lead records a third
    party's verification) if ``verify``: its id then, else None."""
    created = inventory.create_inventory(make_uow(), admin, organisation_id, period_id=period.id)
    data = resources.files("neutrality.demo_data").joinpath(filename).read_bytes()
    activities.import_activities(make_uow(), admin, organisation_id, created.id, data=data,
                                filename=filename, max_bytes=len(data), limits=ACTIVITY_FILE_LIMITS)
    for category, status, share, reason in _COMPLETENESS:
        inventory.set_completeness(make_uow(), admin, organisation_id, created.id, scope=3,
                                   category=str(category), status=status,
                                   estimated_share_percent=share, reason=reason)
    if verify:
        inventory.verify_inventory(
            make_uow(), admin, organisation_id, created.id,
            details={"body": "示例核查有限公司 Demo Verification Co., Ltd.", "accreditation": "CNAS (demo)",
                     "standard": "ISO 14064-3:2019", "assurance_level": "reasonable",
                     "materiality_percent": Decimal("5"), "opinion": "Unmodified opinion (demo).",
                     "verified_on": dt.date(period.end_date.year + 1, 4, 15)},
            statement=f"Demo verification statement for {filename}\n".encode(),
            statement_filename=filename.replace(".csv", "-verification.txt"),
        )
        return created.id
    return None


def _confirm(make_uow: Callable[[], UnitOfWork], verifier: Actor, organisation_id: int, inventory_id: int,
             period: Any, filename: str) -> None:
    """The appointed verifier's opinion on the verification the lead recorded, a few days after it."""
    verification.confirm_verification(
        make_uow(), verifier, organisation_id, inventory_id, assurance_level="reasonable",
        conclusion="Reasonable assurance: the inventory is fairly stated, in all material respects (demo).",
        issued_on=dt.date(period.end_date.year + 1, 4, 20),
        statement=f"Demo verifier opinion for {filename}\n".encode(),
        statement_filename=filename.replace(".csv", "-opinion.txt"))


#: Per purchase: what was bought, and the registry file (in neutrality/demo_data) that delivered it.
_PURCHASES = (
    ({"scheme": "GEC", "supplier": "北京电力交易中心 Beijing Power Exchange Center (green-power trading)",
      "contract_reference": "BJPX-GEC-2024-0315", "contract_date": dt.date(2024, 3, 15), "quantity": 312_000,
      "unit_price": Decimal("5.00"), "currency": "CNY", "delivery_account": "苏辉光伏绿证账户"}, "gec_2024.csv"),
    ({"scheme": "GEC", "supplier": "中国绿证交易平台 China GEC trading platform",
      "contract_reference": "GEC-2025-0702", "contract_date": dt.date(2025, 7, 2), "quantity": 108_000,
      "unit_price": Decimal("3.20"), "currency": "CNY", "delivery_account": "苏辉光伏绿证账户"}, "gec_2025.csv"),
    ({"scheme": "CCER", "supplier": "北京绿色交易所 China Beijing Green Exchange",
      "contract_reference": "CBEEX-CCER-2025-118", "contract_date": dt.date(2025, 3, 20), "quantity": 5_000,
      "unit_price": Decimal("85.00"), "currency": "CNY", "delivery_account": "苏辉光伏 CCER 账户"}, "ccer_2024.csv"),
    ({"scheme": "VCU", "supplier": "Demo Carbon Brokers Pte. Ltd.", "contract_reference": "DCB-VCU-2026-07",
      "contract_date": dt.date(2026, 4, 20), "quantity": 54_813, "unit_price": Decimal("4.80"),
      "currency": "USD", "delivery_account": "Verra account 苏辉光伏"}, "verra_held.csv"),
)

#: A 2024 I-REC block for a Chinese hydro plant, typed in from its registry statement (I-RECs
#: for Chinese plants end with the 2024 vintage: anchors IREC-07).
_IREC_DEVICE = {"kind": "eac", "source_registry": "irec", "registry_project_id": "CNYNHYD0042",
                "name": "云南澜沧江 Lancang river hydro plant (demo device)", "country": "CN", "region": "CN-YN",
                "technology": "hydro", "capacity_mw": Decimal("120"), "commissioning_date": dt.date(2016, 6, 30),
                "grid_region": "CN-SOUTHWEST", "subsidised": False}
_IREC_SERIAL = "0000-0042-2024-000000001 to 0000-0042-2024-000020000"
#: I-RECs of the same plant for 2025 production, as a trader might still offer them: no standard
#: accepts them for Chinese consumption (IREC-07, CN-GEC-08: from 2025 only GECs).
_IREC_2025_SERIAL = "0000-0042-2025-000000001 to 0000-0042-2025-000002000"


#: 2,000 GECs of January 2024 production bought in mid-2025 and never retired: a GEC is valid for
#: two years counted from its production month, so these expired on 2025-12-31 (CN-GEC-04), and
#: the planner of Changzhou 2024, short of certificates, names that rule as it passes them over.
_UNUSED_GECS = (
    {"scheme": "GEC", "supplier": "中国绿证交易平台 China GEC trading platform",
     "contract_reference": "GEC-2025-0610", "contract_date": dt.date(2025, 6, 10), "quantity": 2_000,
     "unit_price": Decimal("4.00"), "currency": "CNY", "delivery_account": "苏辉光伏绿证账户"},
    "gec_2024_unused.csv",
)


def _load_instruments(make_uow: Callable[[], UnitOfWork], admin: Actor, organisation_id: int) -> None:
    """GECs of 2024 and 2025 production (Jiangsu PV, Inner Mongolia wind), 2024 I-RECs of a
    Yunnan hydro plant, CCERs and VCUs of the Verra sample, each bought through a purchase."""
    for purchase, filename in _PURCHASES:
        _buy(make_uow, admin, organisation_id, purchase, filename)
    device = projects.create_project(make_uow(), admin, organisation_id, _IREC_DEVICE)
    purchase = purchases.record_purchase(make_uow(), admin, organisation_id, {
        "scheme": "IREC", "supplier": "Demo Energy Traders Ltd.", "contract_reference": "DET-IREC-2024-11",
        "contract_date": dt.date(2024, 11, 5), "quantity": 20_000, "unit_price": Decimal("0.45"), "currency": "USD",
        "delivery_account": "I-REC trade account"}, invoice=b"Demo invoice: I-REC 2024\n",
        invoice_filename="DET-IREC-2024-11.txt")
    held_blocks.add_block(make_uow(), admin, organisation_id, {
        "scheme": "IREC", "serial": _IREC_SERIAL, "quantity": 20_000, "unit": "MWh", "project_id": device.id,
        "account": "I-REC trade account", "purchase_id": purchase.id, "vintage_start": dt.date(2024, 1, 1),
        "vintage_end": dt.date(2024, 12, 31)}, as_of=dt.date(2026, 11, 1))
    late = purchases.record_purchase(make_uow(), admin, organisation_id, {
        "scheme": "IREC", "supplier": "Demo Energy Traders Ltd.", "contract_reference": "DET-IREC-2025-03",
        "contract_date": dt.date(2025, 4, 8), "quantity": 2_000, "unit_price": Decimal("0.40"), "currency": "USD",
        "delivery_account": "I-REC trade account"}, invoice=b"Demo invoice: I-REC 2025\n",
        invoice_filename="DET-IREC-2025-03.txt")
    held_blocks.add_block(make_uow(), admin, organisation_id, {
        "scheme": "IREC", "serial": _IREC_2025_SERIAL, "quantity": 2_000, "unit": "MWh", "project_id": device.id,
        "account": "I-REC trade account", "purchase_id": late.id, "vintage_start": dt.date(2025, 1, 1),
        "vintage_end": dt.date(2025, 3, 31)}, as_of=dt.date(2026, 11, 1))


def _buy(make_uow: Callable[[], UnitOfWork], admin: Actor, organisation_id: int, purchase: dict[str, Any],
         filename: str) -> None:
    """One purchase, and the registry file (in neutrality/demo_data) that delivered it."""
    invoice = "Demo invoice: {supplier}, {contract_reference}\n"
    recorded = purchases.record_purchase(
        make_uow(), admin, organisation_id, purchase,
        invoice=invoice.format(**purchase).encode(), invoice_filename=f"{purchase['contract_reference']}.txt")
    data = resources.files("neutrality.demo_data").joinpath(filename).read_bytes()
    importing.import_registry_file(
        make_uow(), admin, organisation_id, data=data, filename=filename, max_bytes=len(data),
        limits=REGISTRY_FILE_LIMITS, as_of=dt.date(2026, 11, 1), purchase_id=recorded.id,
        account=purchase["delivery_account"])


def _retire_for_periods(make_uow: Callable[[], UnitOfWork], admin: Actor, organisation_id: int,
                        factory_periods: list[list[Any]]) -> None:
    """Yancheng 2024 fully covered: GECs for its 300,500 MWh and 3,243 VCUs for its residual of
    3,242.69 t. Changzhou 2024 short: the GECs left and the I-RECs cover 31,500 of its 49,900 MWh
    and 5,000 CCERs go against a residual of about 200,000 t. 2025 in progress: some GECs.

    Two retirements no claim counts, as users meet them: 100 VCUs retired for Changzhou 2024 on
    2026-02-10, after ISO 14068-1's 12 months (ISO-21: by 2025-12-31), and 2,000 I-RECs of 2025
    production retired for Yancheng 2025 (IREC-07, CN-GEC-08: only GECs from 2025). They stay in
    the ledger; the balance under the claim lists them as excluded, and readiness says so."""
    (yancheng_2024, yancheng_2025), (changzhou_2024, _) = factory_periods
    blocks = held_blocks.list_blocks(make_uow(), admin, organisation_id, EVERYTHING).items

    def held(scheme: str, year: int | None = None) -> list[Any]:
        return [b for b in blocks if b.scheme == scheme and b.status == "held"
                and (year is None or b.vintage_start.year == year)]

    def retire(period: Any, candidates: list[Any], units: int, reference: str,
               retired_on: dt.date | None = None, despite_rules: str = "") -> None:
        for block in sorted(candidates, key=lambda b: (b.vintage_start, b.id)):
            if units <= 0:
                return
            take = min(units, block.quantity)
            retirements.retire(make_uow(), admin, organisation_id, {
                "period_id": period.id, "block_id": block.id, "quantity": take,
                "beneficiary_text": "江苏苏辉光伏科技有限公司 Jiangsu Suhui Photovoltaic Technology Co., Ltd.",
                "purpose": f"{DEMO_ORGANISATION}: carbon neutrality of the factory, application period "
                           f"{period.start_date.isoformat()} – {period.end_date.isoformat()}",
                "retired_on": retired_on or dt.date(period.end_date.year + 1, 3, 20),
                "registry_reference": reference, "despite_rules": despite_rules},
                evidence=f"Demo registry statement {reference}\n".encode(), evidence_filename=f"{reference}.txt",
                as_of=dt.date(2026, 11, 1))
            block.status = "retired"
            units -= take

    retire(yancheng_2024, held("GEC", 2024), 300_500, "GEC-HX-2025-0320")
    retire(yancheng_2024, held("VCU"), 3_243, "VCS-RET-2025-0320")
    blocks = held_blocks.list_blocks(make_uow(), admin, organisation_id, EVERYTHING).items  # the remainders of the splits
    retire(changzhou_2024, held("GEC", 2024), 11_500, "GEC-HX-2025-0321")
    retire(changzhou_2024, held("IREC", 2024), 20_000, "IREC-RED-2025-0321")
    retire(changzhou_2024, held("CCER"), 5_000, "CCER-ZX-2025-0321")
    retire(yancheng_2025, held("GEC", 2025), 36_000, "GEC-HX-2026-0115")
    blocks = held_blocks.list_blocks(make_uow(), admin, organisation_id, EVERYTHING).items
    retire(changzhou_2024, held("VCU"), 100, "VCS-RET-2026-0210", retired_on=dt.date(2026, 2, 10),
           despite_rules="retired at Verra late, by mistake; recorded so the ledger matches the registry")
    retire(yancheng_2025, held("IREC", 2025), 2_000, "IREC-RED-2026-0115",
           despite_rules="redeemed by the trader before the purchase was checked; kept for the record")


# --- reduction measures and targets ----------------------------------------------------------------

#: Natural gas burnt in Yancheng's boilers in 2024: 423,000 m3 × 0.038931 GJ/m3 (the Chinese
#: guide's NCV, 389.31 GJ per 10⁴ Nm3) = 16,467.8 GJ = 4,574 MWh; 56,100 kg CO2/TJ (IPCC 2006
#: Vol. 2 Table 2.2) is 0.20196 t/MWh. The inventory's Jiangsu grid factor is 0.55 t/MWh.
_GRID_T_PER_MWH = "0.55"

#: Per factory (Yancheng, Changzhou): the measures of the register, as the lead entered them.
_MEASURES: tuple[tuple[dict[str, Any], ...], ...] = (
    (
        {"title_en": "Heat recovery on the diffusion furnaces", "title_zh_hans": "扩散炉余热回收",
         "title_zh_hant": "擴散爐餘熱回收", "category": "energy_efficiency", "scope": 1,
         "source": "Boiler natural gas", "status": "done", "horizon": "medium",
         "start_date": dt.date(2024, 6, 1), "end_date": dt.date(2024, 12, 20),
         "cost_amount": Decimal("1850000"), "cost_currency": "CNY",
         "scores": {"feasibility": 4, "impact": 3, "cost_benefit": 4, "stakeholder_expectations": 3,
                    "compliance": 3, "innovation": 3},
         # the boilers' feed water preheated by the furnaces' exhaust: 86 % → 90 %
         "change": {"kind": "efficiency", "energy_mwh": "4574", "efficiency_before": "0.86",
                    "efficiency_after": "0.90", "factor_t_per_mwh": "0.20196",
                    "factor_source": "IPCC 2006 natural gas, 56,100 kg CO2/TJ"}},
        {"title_en": "Ammonia chiller replaces the R-134a chiller", "title_zh_hans": "以氨制冷机组替换 R-134a 冷水机组",
         "title_zh_hant": "以氨製冷機組替換 R-134a 冷水機組", "category": "refrigerant_choice", "scope": 1,
         "source": "Chiller R-134a top-up", "status": "done", "horizon": "quick_win",
         "start_date": dt.date(2024, 10, 1), "end_date": dt.date(2024, 12, 31),
         "cost_amount": Decimal("620000"), "cost_currency": "CNY",
         "scores": {"feasibility": 5, "impact": 2, "cost_benefit": 3, "stakeholder_expectations": 3,
                    "compliance": 5, "innovation": 2},
         # 120 kg charge leaking 10 % a year: the 12 kg topped up in 2024
         "change": {"kind": "refrigerant_swap", "charge_kg": "120", "refrigerant_before": "R-134a",
                    "refrigerant_after": "R-717", "leak_rate_percent": "10"}},
        {"title_en": "Rooftop PV on the production halls", "title_zh_hans": "生产厂房屋顶光伏",
         "title_zh_hant": "生產廠房屋頂光伏", "category": "on_site_renewables", "scope": 2,
         "source": "Grid electricity (State Grid Jiangsu)", "status": "planned", "horizon": "medium",
         "start_date": dt.date(2026, 3, 1), "end_date": dt.date(2026, 10, 31),
         "cost_amount": Decimal("9600000"), "cost_currency": "CNY",
         "scores": {"feasibility": 4, "impact": 5, "cost_benefit": 4, "stakeholder_expectations": 5,
                    "compliance": 4, "innovation": 3},
         "change": {"kind": "electricity_switch", "energy_mwh": "2000", "grid_factor_t_per_mwh": _GRID_T_PER_MWH,
                    "source": "on_site_pv", "factor_source": "the inventory's Jiangsu grid factor"}},
    ),
    (
        {"title_en": "Variable-speed drives on compressed-air and cooling-water pumps",
         "title_zh_hans": "空压机与冷却水泵变频改造", "title_zh_hant": "空壓機與冷卻水泵變頻改造",
         "category": "general_equipment", "scope": 2, "source": "Grid electricity (State Grid Jiangsu)",
         "status": "in_progress", "horizon": "quick_win",
         "start_date": dt.date(2025, 9, 1), "end_date": dt.date(2026, 3, 31),
         "cost_amount": Decimal("780000"), "cost_currency": "CNY",
         "scores": {"feasibility": 5, "impact": 3, "cost_benefit": 5, "stakeholder_expectations": 3,
                    "compliance": 3, "innovation": 2},
         "change": {"kind": "efficiency", "energy_mwh": "2400", "efficiency_before": "0.70",
                    "efficiency_after": "0.85", "factor_t_per_mwh": _GRID_T_PER_MWH,
                    "factor_source": "the inventory's Jiangsu grid factor"}},
    ),
)

#: Modules made in Changzhou (pieces), the divisor of its intensity target.
_CHANGZHOU_OUTPUT = (Decimal("2100000"), Decimal("2260000"))


def _scope12_location(make_uow: Callable[[], UnitOfWork], admin: Actor, organisation_id: int,
                      period_id: int) -> Decimal:
    """Scopes 1 and 2 (location-based) of the period's inventory: the base a target starts from."""
    with make_uow() as uow:
        current = inventory.latest_inventory_of(uow.session, period_id)
        assert current is not None
        inventory_id = current.id
    by_scope = inventory.inventory_report(make_uow(), admin, organisation_id, inventory_id)["location_based"]["by_scope"]
    return Decimal(str(by_scope.get("1", "0"))) + Decimal(str(by_scope.get("2", "0")))


def _load_reductions(make_uow: Callable[[], UnitOfWork], admin: Actor, organisation_id: int,
                     sites: list[int], commitment_ids: list[int], factory_periods: list[Any]) -> None:
    """Each factory's measures; Yancheng's absolute and Changzhou's intensity target (Scopes 1 and
    2, location-based, 2024 → 2030, set in March 2025), from their 2024 inventories."""
    for site_id, measures in zip(sites, _MEASURES, strict=True):
        for data in measures:
            reductions.create_measure(make_uow(), admin, organisation_id, {**data, "site_id": site_id})
    (yancheng_2024, _), (changzhou_2024, changzhou_2025) = factory_periods
    common = {"scopes": [1, 2], "scope2_basis": "location_based", "base_year": 2024, "target_year": 2030,
              "term": "near_term", "set_on": dt.date(2025, 3, 1), "coverage_percent": Decimal("100")}
    targets.create_target(make_uow(), admin, organisation_id, {
        **common, "commitment_id": commitment_ids[0], "kind": "absolute", "reduction_percent": Decimal("42"),
        "base_value": _scope12_location(make_uow, admin, organisation_id, yancheng_2024.id)})
    for period, quantity in zip((changzhou_2024, changzhou_2025), _CHANGZHOU_OUTPUT, strict=True):
        targets.record_output(make_uow(), admin, organisation_id, period.id, quantity=quantity, unit_code="unit")
    base = _scope12_location(make_uow, admin, organisation_id, changzhou_2024.id)
    targets.create_target(make_uow(), admin, organisation_id, {
        **common, "commitment_id": commitment_ids[1], "kind": "intensity", "reduction_percent": Decimal("30"),
        # tCO2e per module to the gram, as a lead would type it
        "base_value": (base / _CHANGZHOU_OUTPUT[0]).quantize(Decimal("0.000001")), "output_unit": "unit", "base_output": _CHANGZHOU_OUTPUT[0]})
