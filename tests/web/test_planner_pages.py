"""The retirement planner as a page: the plan, the quantities adjusted, each registry's fields
and evidence, then the retirements recorded all or none.

The world (tests/factories.py): period_verified (2024) has 1,200 MWh of Jiangsu grid
electricity, market-based 731.52 t; its 100 VCUs retired for "Suhui Trading Co." are not
counted by the claim, so the plan needs 732 credits, taken from block_a (29,813 VCUs of 2022,
Verra). Plans are made for 2025-03-20, within ISO-21's 12 months after the period.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

RETIRE_ON = "2025-03-20"


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _plan_url(world: World) -> str:
    return f"/organisations/{world.org_a}/periods/{world.period_verified}/plan"


def _apply(client: Any, world: World, **fields: Any) -> Any:
    page = client.get(_plan_url(world), query_string={"retire_on": RETIRE_ON}).text
    form = {"csrf_token": csrf(page), "retire_on": RETIRE_ON, "policy": "oldest_vintage", "tolerance": "0",
            f"quantity-{world.block_a}": "732", f"registry-{world.block_a}": "verra-registry",
            "reference-verra-registry": "VCS-RET-2025-0320", "retired_on-verra-registry": RETIRE_ON,
            "evidence-verra-registry": (io.BytesIO(b"%PDF statement"), "statement.pdf"),
            "beneficiary_text": "Factory A", "purpose": "Factory A, carbon neutrality 2024", **fields}
    form = {k: v for k, v in form.items() if v is not None}
    return client.post(f"{_plan_url(world)}/apply", content_type="multipart/form-data", data=form)


def test_the_plan_page_proposes_the_732_credits_the_claim_needs(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(_plan_url(world), query_string={"retire_on": RETIRE_ON}, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert f'name="quantity-{world.block_a}"' in page.text and 'value="732"' in page.text
    assert '<label for="reference-verra-registry">' in page.text


def test_applying_records_each_line_with_its_registrys_fields_and_the_claim_counts_them(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    answer = _apply(client, world)
    assert answer.status_code == 302, answer.text[-1500:]
    claim = client.get(f"/api/v1/organisations/{world.org_a}/periods/{world.period_verified}/balance").get_json()["claim"]
    # 732 counted against 731.52 t: covered, 0.48 t to spare
    assert (claim["credits_counted_tco2e"], claim["verdict"]) == ("732", "covered")
    ledger = client.get(f"/api/v1/organisations/{world.org_a}/retirements",
                        query_string={"period_id": world.period_verified}).get_json()["items"]
    [new] = [e for e in ledger if e["registry_reference"] == "VCS-RET-2025-0320"]
    assert (new["quantity"], new["retired_on"], new["beneficiary_text"]) == (732, RETIRE_ON, "Factory A")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("reference-verra-registry", "", "Give the registry&#39;s reference of this retirement."),
    ("evidence-verra-registry", None, "Attach the registry&#39;s retirement statement."),
    ("retired_on-verra-registry", "20 March", "Give the date on the registry&#39;s statement."),
    ("beneficiary_text", " ", "Give the beneficiary as the registry records it."),
])
def test_a_missing_field_is_named_next_to_it_and_nothing_is_retired(client, uow, world, table_counts,
                                                                      field, value, message) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _apply(client, world, **{field: value})
    assert answer.status_code == 422
    assert f'<span class="field-error">{message}</span>' in answer.text
    assert table_counts() == before


def test_a_quantity_beyond_the_block_is_refused_whole(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _apply(client, world, **{f"quantity-{world.block_a}": "30000"})  # the block holds 29,813
    assert answer.status_code in (409, 422)
    assert table_counts() == before


def test_a_viewer_who_crafts_the_apply_form_is_refused_and_nothing_is_retired(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    before = table_counts()
    assert _apply(client, world).status_code == 403
    assert table_counts() == before
