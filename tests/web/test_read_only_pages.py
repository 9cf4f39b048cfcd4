"""Pages by role: a write action (a form, its button, a link to a form) is offered only to whom
the service behind it allows (neutrality/access/model.py); a viewer and a verifier read every
page without one, and a write crafted by hand is refused 403 with nothing written.

Permissions: new commitment → manage_commitments (lead); activity import and its undo →
manage_inventory (lead); registry import and reserving units → manage_instruments (lead,
procurement); recording and reversing retirements → retire (lead); the planner, where units are
reserved or retired → either of the last two; reduction measures and their weights →
manage_organisation (lead); targets and a period's output → manage_commitments (lead).

The world (tests/factories.py): organisation A with a draft inventory holding one import, block_a
(29,813 VCUs held), and retirement_a (100 VCUs retired for period_verified).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user
from tests.web.test_inventory_pages import DIESEL
from tests.web.test_inventory_pages import HEADER as ACTIVITY_HEADER
from tests.web.test_registry_pages import GEC

pytestmark = pytest.mark.shared_world

RETIRE_ON = "2025-03-20"
READ_ONLY = "Your role in this organisation lets you read, not change."


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _org(w: World) -> str:
    return f"/organisations/{w.org_a}"


def _inventory(w: World) -> str:
    return f"{_org(w)}/inventories/{w.inventory_draft}"


def _plan(w: World) -> str:
    return f"{_org(w)}/periods/{w.period_verified}/plan"


def _ledger(w: World) -> str:
    return f"{_org(w)}/periods/{w.period_verified}/ledger"


def _review(w: World) -> str:
    return f"{_org(w)}/periods/{w.period_verified}/review"


LEAD = {Role.LEAD}
VERIFIER = {Role.VERIFIER}
INSTRUMENTS = {Role.LEAD, Role.PROCUREMENT}

#: (what, the page, the write action's mark in it, the roles offered it)
OFFERS: list[tuple[str, Callable[[World], str], Callable[[World], str], set[Role]]] = [
    ("new commitment link", _org, lambda w: f'href="{_org(w)}/commitments/new"', LEAD),
    ("commitment form", lambda w: f"{_org(w)}/commitments/new",
     lambda w: f'method="post" action="{_org(w)}/commitments/new"', LEAD),
    ("activity import link", _inventory, lambda w: f'href="{_inventory(w)}/import"', LEAD),
    ("undo an import", _inventory, lambda w: f'action="{_inventory(w)}/imports/{w.import_draft}/undo"', LEAD),
    ("activity import form", lambda w: f"{_inventory(w)}/import", lambda w: f'action="{_inventory(w)}/import"', LEAD),
    ("registry import link", lambda w: f"{_org(w)}/holdings", lambda w: f'href="{_org(w)}/registry-import"',
     INSTRUMENTS),
    ("registry import form", lambda w: f"{_org(w)}/registry-import", lambda w: f'action="{_org(w)}/registry-import"',
     INSTRUMENTS),
    ("plan the retirements link", lambda w: f"{_org(w)}/periods/{w.period_verified}",
     lambda w: f'href="{_plan(w)}"', INSTRUMENTS),
    ("record the retirements", lambda w: f"{_plan(w)}?retire_on={RETIRE_ON}",
     lambda w: ">Record the retirements</button>", LEAD),
    ("registry evidence field", lambda w: f"{_plan(w)}?retire_on={RETIRE_ON}",
     lambda w: 'name="evidence-verra-registry"', LEAD),
    ("reserve the units", lambda w: f"{_plan(w)}?retire_on={RETIRE_ON}",
     lambda w: ">Reserve these units for the period</button>", INSTRUMENTS),
    ("reverse a retirement", _ledger, lambda w: f'action="{_ledger(w)}/{w.retirement_a}/reverse"', LEAD),
    ("add a measure link", lambda w: f"{_org(w)}/measures", lambda w: f'href="{_org(w)}/measures/new"', LEAD),
    ("measure weights form", lambda w: f"{_org(w)}/measures", lambda w: f'action="{_org(w)}/measure-weights"', LEAD),
    ("target form", lambda w: f"{_org(w)}/targets", lambda w: f'method="post" novalidate action="{_org(w)}/targets"',
     LEAD),
    ("period output form", lambda w: f"{_org(w)}/targets", lambda w: f'action="{_org(w)}/period-output"', LEAD),
    # the verifier's: a review comment, and the opinion confirming the verification the world claimed
    ("review comment form", _review, lambda w: f'action="{_review(w)}/comments"', VERIFIER),
    ("opinion form", _review, lambda w: f'action="{_review(w)}/opinion"', VERIFIER),
]


@pytest.mark.parametrize("role", [Role.LEAD, Role.PROCUREMENT, Role.VERIFIER, Role.VIEWER], ids=str)
@pytest.mark.parametrize(("what", "page", "mark", "offered_to"), OFFERS, ids=[o[0] for o in OFFERS])
def test_a_write_action_is_offered_only_to_the_roles_allowed_to_take_it(
        client, uow, world, role, what, page, mark, offered_to) -> None:
    sign_in(client, _member(uow, world, role))
    answer = client.get(page(world), headers={"Accept-Language": "en"})
    assert answer.status_code == 200, what  # every role reads every page
    assert (mark(world) in answer.text) is (role in offered_to), f"{what} for {role}"


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.VIEWER], ids=str)
def test_a_form_page_tells_a_reader_that_the_role_reads_only(client, uow, world, role) -> None:
    sign_in(client, _member(uow, world, role))
    for url in (f"{_org(world)}/commitments/new", f"{_inventory(world)}/import", f"{_org(world)}/registry-import"):
        page = client.get(url, headers={"Accept-Language": "en"}).text
        assert READ_ONLY in page and 'type="submit">Preview' not in page, url


def _activity_file(w: World) -> tuple[io.BytesIO, str]:
    """One row of diesel at the draft inventory's site: a valid file, refused for the role alone."""
    row = f"{w.site_a},Diesel,1,stationary_combustion,fuel,10,L,2025-03-01,2025-03-31,{DIESEL}"
    return io.BytesIO(f"{ACTIVITY_HEADER}\n{row}\n".encode()), "diesel.csv"


#: (what, the URL, the fields sent beside the CSRF token)
WRITES: list[tuple[str, Callable[[World], str], Callable[[World], dict[str, Any]]]] = [
    ("save a commitment", lambda w: f"{_org(w)}/commitments/new", lambda w: {
        "subject_id": str(w.subject_a), "standard": "iso_14068_1_2023", "statement": "We commit.",
        "baseline_date": "2025-01-01", "first_qualification_date": "2026-01-01", "period_length_months": "12",
        "periods": "1", "action": "save"}),
    ("import an activity file", lambda w: f"{_inventory(w)}/import", lambda w: {
        "overlap": "refuse", "file": _activity_file(w)}),
    ("confirm an activity import", lambda w: f"{_inventory(w)}/import/confirm", lambda w: {}),
    ("undo an activity import", lambda w: f"{_inventory(w)}/imports/{w.import_draft}/undo", lambda w: {}),
    ("import a registry file", lambda w: f"{_org(w)}/registry-import",
     lambda w: {"account": "A", "file": (io.BytesIO(GEC), "gec.csv")}),
    ("confirm a registry import", lambda w: f"{_org(w)}/registry-import/confirm", lambda w: {}),
    ("reserve units", lambda w: f"{_plan(w)}/reserve", lambda w: {
        f"quantity-{w.block_a}": "732", f"registry-{w.block_a}": "verra-registry"}),
    ("record retirements", lambda w: f"{_plan(w)}/apply", lambda w: {
        "retire_on": RETIRE_ON, f"quantity-{w.block_a}": "732", f"registry-{w.block_a}": "verra-registry",
        "reference-verra-registry": "VCS-RET-1", "retired_on-verra-registry": RETIRE_ON,
        "evidence-verra-registry": (io.BytesIO(b"%PDF statement"), "statement.pdf"),
        "beneficiary_text": "Factory A", "purpose": "neutrality 2024"}),
    ("reverse a retirement", lambda w: f"{_ledger(w)}/{w.retirement_a}/reverse", lambda w: {"reason": "mine"}),
    ("add a measure", lambda w: f"{_org(w)}/measures/new", lambda w: {
        "title_en": "LED lighting", "category": "lighting", "status": "planned", "horizon": "quick_win"}),
    ("set the measure weights", lambda w: f"{_org(w)}/measure-weights", lambda w: {
        "feasibility_weight": "2", "impact_weight": "1", "cost_benefit_weight": "1",
        "stakeholder_expectations_weight": "1", "compliance_weight": "1", "innovation_weight": "1"}),
    ("set a target", lambda w: f"{_org(w)}/targets", lambda w: {
        "kind": "absolute", "scopes": "1", "base_year": "2024", "base_value": "100", "target_year": "2030",
        "reduction_percent": "50"}),
    ("record a period's output", lambda w: f"{_org(w)}/period-output", lambda w: {
        "period_id": str(w.period_verified), "quantity": "2400", "unit": "MWh"}),
]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.VERIFIER], ids=str)
@pytest.mark.parametrize(("what", "url", "fields"), WRITES, ids=[w[0] for w in WRITES])
def test_a_write_crafted_by_a_reader_is_refused_and_nothing_is_written(
        client, uow, world, table_counts, role, what, url, fields) -> None:
    sign_in(client, _member(uow, world, role))
    token = csrf(client.get(_org(world)).text)  # the session's token, from the sign-out form
    before = table_counts()
    answer = client.post(url(world), data={"csrf_token": token, **fields(world)},
                         content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert answer.status_code == 403, f"{what}: {answer.status_code}"
    assert table_counts() == before


def test_the_same_crafted_writes_pass_the_role_check_for_the_lead(client, uow, world) -> None:
    # The refusals above are the role's: the lead sending the same requests is not refused
    # (the confirmations, with no preview kept, send the lead back to the form).
    sign_in(client, _member(uow, world, Role.LEAD))
    token = csrf(client.get(_org(world)).text)
    for what, url, fields in WRITES:
        answer = client.post(url(world), data={"csrf_token": token, **fields(world)},
                             content_type="multipart/form-data", headers={"Accept-Language": "en"})
        assert answer.status_code in (200, 302), f"{what}: {answer.status_code}"
