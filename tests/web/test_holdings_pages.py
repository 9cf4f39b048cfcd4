"""Holdings in the browser: grouped as procurement asks, with cost, and what each period still
needs.

The world (tests/factories.py): organisation A holds block_a, 29,813 VCUs of 2022 (Verra project
3005) bought at USD 6.50 each: 29,813 × 6.50 = USD 193,784.50.
"""

from __future__ import annotations

from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def test_holdings_are_grouped_by_the_dimensions_ticked_with_their_cost(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    page = client.get(f"/organisations/{world.org_a}/holdings", query_string={"by": ["scheme", "vintage"]},
                      headers={"Accept-Language": "en"}).text
    assert "<td>VCU</td><td>2022</td>" in page
    assert '<span class="figure" title="29813">29,813</span>' in page
    assert 'USD <span class="figure" title="193784.5">193,784.50</span>' in page


def test_an_unknown_grouping_is_left_out_not_an_error(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    answer = client.get(f"/organisations/{world.org_a}/holdings", query_string={"by": ["colour", "scheme"]})
    assert answer.status_code == 200 and "<td>VCU</td>" in answer.text


def test_the_holdings_of_another_organisation_are_not_found(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(f"/organisations/{world.org_b}/holdings").status_code == 404


def test_the_holdings_page_in_chinese(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(f"/organisations/{world.org_a}/holdings", headers={"Accept-Language": "zh-CN"}).text
    assert "持有情况" in page and "各期间尚需的数量" in page
