"""Factory callables that build test data through the services (the same rules as real use)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from neutrality.access.model import Actor, Role
from neutrality.accounts import services as access
from neutrality.commitments import services as commitments
from neutrality.organisations import services as organisations
from neutrality.uow import UnitOfWork

ADMIN = Actor(user_id=None, label="test-admin", is_admin=True)
_seq = itertools.count(1)

MakeUow = Callable[[], UnitOfWork]


def organisation_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    return {
        "name": f"Org {n}",
        "legal_name": f"测试光伏有限公司 {n}",
        "nature_of_enterprise": "private",
        "legal_representative": "张三",
        "registered_address": "江苏省苏州市工业园区 1 号",
        "production_address": "江苏省苏州市工业园区 1 号",
        "industry_category": "光伏设备及元器件制造",
        "contact_person": "李四",
        "country": "CN",
        "consolidation_approach": "operational_control",
        "consolidation_justification": "We operate every site.",
        # the name the test registry files give the beneficiary (a retirement must name the claimant)
        "aliases": ["Factory A"],
        **overrides,
    }


def site_payload(**overrides: Any) -> dict[str, Any]:
    return {"name": f"Factory {next(_seq)}", "country": "CN", "region": "CN-JS",
            "address": "江苏省常州市新北区 2 号", **overrides}


def commitment_payload(subject_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "standard": "iso_14068_1_2023",
        "zero_carbon_factory": True,
        "statement": "We commit this factory to carbon neutrality.",
        "baseline_date": dt.date(2024, 1, 1),
        "first_qualification_date": dt.date(2025, 1, 1),
        "period_length_months": 12,
        **overrides,
    }


def create_user(uow: MakeUow, *, is_admin: bool = False, email: str | None = None) -> Any:
    return access.create_user(
        uow(), ADMIN, email=email or f"user{next(_seq)}@example.test", display_name="Test User",
        password="correct horse battery", is_admin=is_admin,
    )


@dataclass
class World:
    """Two tenants: organisation A with one user per role, organisation B with its own lead."""

    org_a: int
    org_b: int
    site_a: int
    subject_a: int
    commitment_a: int
    period_a: int
    exclusion_a: int
    candidate_email: str
    commitment_b: int = 0
    inventory_verified: int = 0
    import_draft: int = 0
    inventory_draft: int = 0
    inventory_external: int = 0
    activity_draft: int = 0
    period_verified: int = 0  # commitment B's 2024 period, with the verified inventory
    project_a: int = 0  # Verra project 3005 (Tongxu Biogas), holding block_a
    project_b: int = 0  # Verra project 3866, nothing held yet
    block_a: int = 0
    purchase_a: int = 0
    retirement_a: int = 0  # 100 VCUs of issuance 1311 retired for period_verified
    invitation_new: int = 0  # organisation A invites an address that has no account, as viewer
    invitation_new_token: str = ""
    invitation_known_token: str = ""  # organisation B invites A's viewer, as viewer
    column_mapping: int = 0  # a column mapping organisation A saved for a ledger layout
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}


def create_world(uow: MakeUow) -> World:
    org_a = organisations.create_organisation(uow(), ADMIN, organisation_payload())
    org_b = organisations.create_organisation(uow(), ADMIN, organisation_payload())
    users: dict[str, int] = {"admin": create_user(uow, is_admin=True).id}
    for role in Role:
        user = create_user(uow)
        access.add_member(uow(), ADMIN, org_a.id, email=user.email, role=role)
        users[role.value] = user.id
    outsider = create_user(uow)
    access.add_member(uow(), ADMIN, org_b.id, email=outsider.email, role=Role.LEAD)
    users["outsider"] = outsider.id
    site = organisations.create_site(uow(), ADMIN, org_a.id, site_payload())
    subject = organisations.create_subject(
        uow(), ADMIN, org_a.id, {"name": "Factory subject", "kind": "site", "site_id": site.id}
    )
    exclusion = organisations.add_exclusion(
        uow(), ADMIN, org_a.id, subject.id,
        {"item": "Canteen LPG", "reason": "immaterial", "estimated_share_percent": Decimal("0.2")},
    )
    commitment = commitments.create_commitment(uow(), ADMIN, org_a.id, commitment_payload(subject.id))
    period = commitments.generate(uow(), ADMIN, org_a.id, commitment.id, count=1)[0]
    candidate = create_user(uow)
    world = World(org_a.id, org_b.id, site.id, subject.id, commitment.id, period.id, exclusion.id,
                  candidate.email, users=users)
    _add_inventories(uow, world)
    _add_instruments(uow, world)
    for who, user_id in users.items():
        actor = access.load_actor(uow(), user_id)
        token, plain = access.create_token(uow(), actor, name="test")
        world.tokens[who], world.token_ids[who] = plain, token.id
    _add_invitations(uow, world)
    return world


def _add_invitations(uow: MakeUow, world: World) -> None:
    from neutrality.accounts import invitations

    invited, world.invitation_new_token = invitations.invite(
        uow(), ADMIN, world.org_a, email="newcomer@example.test", role=Role.VIEWER)
    world.invitation_new = invited.id
    viewer = access.load_actor(uow(), world.users["viewer"])
    _, world.invitation_known_token = invitations.invite(
        uow(), ADMIN, world.org_b, email=viewer.label, role=Role.VIEWER)


ELECTRICITY_2024 = {
    "source": "Grid electricity", "scope": 2, "activity_type": "electricity",
    "quantity": Decimal("1200"), "unit": "MWh", "start_date": dt.date(2024, 1, 1),
    "end_date": dt.date(2024, 12, 31), "data_quality": "metered",
}

VERIFICATION = {
    "body": "Example Verification Co.", "accreditation": "CNAS", "standard": "ISO 14064-3:2019",
    "assurance_level": "reasonable", "materiality_percent": Decimal("5"),
    "opinion": "Unmodified opinion.", "verified_on": dt.date(2025, 3, 1),
}


def _add_inventories(uow: MakeUow, world: World) -> None:
    """A second commitment of the subject from 2024: a verified 2024 inventory, a draft 2025 one
    with one record, and an external 2026 one (commitment A's own period stays free)."""
    from neutrality.inventory import activities
    from neutrality.inventory import services as inventory

    commitment = commitments.create_commitment(uow(), ADMIN, world.org_a, commitment_payload(world.subject_a))
    periods = commitments.generate(uow(), ADMIN, world.org_a, commitment.id, count=3)
    verified = inventory.create_inventory(uow(), ADMIN, world.org_a, period_id=periods[0].id)
    activities.add_activities(uow(), ADMIN, world.org_a, verified.id, [{**ELECTRICITY_2024, "site_id": world.site_a}])
    inventory.verify_inventory(uow(), ADMIN, world.org_a, verified.id, details=VERIFICATION,
                               statement=b"%PDF-1.4 statement", statement_filename="statement.pdf")
    draft = inventory.create_inventory(uow(), ADMIN, world.org_a, period_id=periods[1].id)
    added = activities.add_activities(uow(), ADMIN, world.org_a, draft.id, [{
        **ELECTRICITY_2024, "site_id": world.site_a,
        "start_date": dt.date(2025, 1, 1), "end_date": dt.date(2025, 12, 31)}])
    external = inventory.create_inventory(uow(), ADMIN, world.org_a, period_id=periods[2].id, origin="external")
    world.commitment_b = commitment.id
    world.inventory_verified, world.inventory_draft = verified.id, draft.id
    world.inventory_external, world.activity_draft = external.id, added[0].id
    world.import_draft = added[0].import_id  # the batch of the draft's one record (sent as JSON)
    world.period_verified = periods[0].id
    world.column_mapping = _save_column_mapping(uow, world.org_a)


def _save_column_mapping(uow: MakeUow, organisation_id: int) -> int:
    """A mapping saved as an import of a ledger of the organisation's own headers saves it."""
    from neutrality.inventory.importing import ColumnMapping, layout_key
    from neutrality.inventory.mappings import save_mapping

    header = ("厂区", "用电量（千瓦时）", "计量起始", "计量截止")
    mapping = ColumnMapping(
        columns={"用电量（千瓦时）": "quantity", "计量起始": "start_date", "计量截止": "end_date"},
        fixed={"source": "车间用电", "scope": "2", "activity_type": "electricity", "unit": "kWh"},
    )
    with uow() as work:
        row = save_mapping(work.session, ADMIN, organisation_id, layout=layout_key(header),
                           header=header, mapping=mapping)
        work.commit()
        return row.id


#: A held block of the Verra sample (Tongxu Biogas, vintage Jan–Oct 2022): 941412554 − 941382742
#: + 1 = 29,813 VCUs.
HELD_VCU = "19380-941382742-941412554-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"
#: 100 VCUs of another issuance (1311) of project 3005, which the world retires: 950,000,100 −
#: 950,000,001 + 1 = 100.
RETIRED_VCU = "20001-950000001-950000100-VCS-VCU-1311-VER-CN-13-3005-01012022-31102022-0"
#: Another held block of the sample (project 3866, 2022): 941916093 − 941901094 + 1 = 15,000.
OTHER_VCU = "19394-941901094-941916093-VCS-VCU-997-VER-CN-13-3866-01012022-31122022-1"


def verra_project(registry_project_id: str, name: str) -> dict[str, Any]:
    return {"kind": "carbon_credit", "source_registry": "verra", "registry_project_id": registry_project_id,
            "name": name, "country": "CN", "methodology": "ACM0010", "mitigation": "avoidance"}


def _add_instruments(uow: MakeUow, world: World) -> None:
    """Organisation A holds one Verra block, bought through one recorded purchase."""
    from neutrality.registry import held_blocks, projects, purchases, retirements

    project = projects.create_project(uow(), ADMIN, world.org_a, verra_project("3005", "Tongxu Biogas Recovery"))
    other = projects.create_project(uow(), ADMIN, world.org_a, verra_project("3866", "Another biogas project"))
    block = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "VCU", "serial": HELD_VCU, "quantity": 29_813, "project_id": project.id, "account": "Main"},
        as_of=dt.date(2026, 11, 1))
    purchase = purchases.record_purchase(uow(), ADMIN, world.org_a, {
        "scheme": "VCU", "supplier": "Carbon Broker Ltd", "contract_reference": "CB-2026-001",
        "contract_date": dt.date(2026, 5, 1), "quantity": 29_813, "unit_price": Decimal("6.50"),
        "currency": "USD", "delivery_account": "Main"}, invoice=b"%PDF invoice", invoice_filename="invoice.pdf",
        block_ids=[block.id])
    world.project_a, world.project_b, world.block_a, world.purchase_a = project.id, other.id, block.id, purchase.id
    retired = held_blocks.add_block(uow(), ADMIN, world.org_a, {
        "scheme": "VCU", "serial": RETIRED_VCU, "quantity": 100, "project_id": project.id},
        as_of=dt.date(2026, 11, 1))
    world.retirement_a = retirements.retire(uow(), ADMIN, world.org_a, {
        "period_id": world.period_verified, "block_id": retired.id, "beneficiary_text": "Suhui Trading Co.",
        # the registry wrote a name the organisation has not registered: the beneficiary rule
        # refuses it, so it is recorded on purpose, uncounted by the claim
        "despite_rules": "the registry shows the beneficiary as Suhui Trading Co.",
        "purpose": "Carbon neutrality of the factory subject, 2024", "retired_on": dt.date(2025, 3, 1),
        "registry_reference": "VCS-RET-1"}, evidence=b"%PDF certificate", evidence_filename="cert.pdf",
        as_of=dt.date(2026, 11, 1)).id


def confirm_verification(uow: MakeUow, world: World, inventory_id: int | None = None) -> None:
    """The appointed verifier (organisation A's ``verifier``) gives its opinion on the
    verification recorded for the inventory (``inventory_verified`` by default), through the use
    case: from then on it is confirmed, and a claim may rest on it."""
    from neutrality.verification import services as verification

    verifier = access.load_actor(uow(), world.users["verifier"])
    verification.confirm_verification(
        uow(), verifier, world.org_a, inventory_id or world.inventory_verified, assurance_level="reasonable",
        conclusion="The inventory is fairly stated.", issued_on=dt.date(2025, 3, 10),
        statement=b"%PDF-1.4 verifier opinion", statement_filename="opinion.pdf")
