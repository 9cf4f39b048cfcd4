"""Holdings in the browser: grouped as procurement asks, with cost, and what each period still
needs.

The world (tests/factories.py): organisation A holds block_a, 29,813 VCUs of 2022 (Verra project
3005) bought at USD 6.50 each: 29,813 × 6.50 = USD 193,784.50.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.claims import readiness_service
from neutrality.claims import services as claims
from neutrality.commitments import services as commitments
from neutrality.registry import held_blocks, projects
from neutrality.registry import holdings as registry_holdings
from neutrality.web import holdings_pages
from tests.browser import sign_in
from tests.factories import ADMIN, World, create_user, verra_project

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


# --- the blocks, found by a serial number -------------------------------------------------------

#: One VCU inside block_a's range 941,382,742–941,412,554 (issuance 1310 of project 3005).
INSIDE_HELD = "19380-941400000-941400000-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"
#: How the page writes block_a's and the retired block's ranges: issuance · first–last unit (a block
#: split off keeps the serial the registry wrote, in the title, but holds only its own units).
HELD_RANGE = "941382742–941412554"
RETIRED_RANGE = "950000001–950000100"
#: The unit just after block_a's last one: in no block of the world.
AFTER_HELD = "19380-941412555-941412555-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0"


def _blocks(client: Any, world: World, **query: Any) -> Any:
    return client.get(f"/organisations/{world.org_a}/blocks", query_string=query, headers={"Accept-Language": "en"})


def test_a_serial_inside_a_block_finds_that_block_alone(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = _blocks(client, world, serial=INSIDE_HELD).text
    assert HELD_RANGE in page and RETIRED_RANGE not in page
    assert '<span class="figure" title="29813">29,813</span>' in page and "1 block(s)" in page


def test_a_serial_found_without_naming_the_scheme_and_with_it(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert HELD_RANGE in _blocks(client, world, serial=INSIDE_HELD, scheme="VCU").text
    # read by the GEC's layout (32 digits) the same text is no serial: the GEC parser says why
    as_gec = _blocks(client, world, serial=INSIDE_HELD, scheme="GEC").text
    assert 'id="serial-error"' in as_gec and HELD_RANGE not in as_gec


def test_a_serial_just_past_a_block_finds_nothing(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = _blocks(client, world, serial=AFTER_HELD).text
    assert HELD_RANGE not in page and "No block holds this serial." in page


def test_a_range_finds_every_block_it_shares_a_unit_with(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    # 941,412,550–941,412,560 reaches into block_a's last five units (…550 to …554)
    page = _blocks(client, world, serial="19380-941412550-941412560-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0").text
    assert HELD_RANGE in page


def test_a_serial_no_layout_reads_is_explained_next_to_the_search_box(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    answer = _blocks(client, world, serial="no serial at all")
    assert answer.status_code == 200
    assert ('<span class="field-error" id="serial-error">no scheme&#39;s serial layout reads “no serial at all”; '
            "choose the scheme to see what it expects</span>") in answer.text
    assert HELD_RANGE not in answer.text


def test_the_blocks_are_listed_by_status_a_page_at_a_time(client, uow, world, monkeypatch) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    every = _blocks(client, world).text
    assert HELD_RANGE in every and RETIRED_RANGE in every  # block_a held, the world's retired block
    retired = _blocks(client, world, status="retired").text
    assert RETIRED_RANGE in retired and HELD_RANGE not in retired
    monkeypatch.setattr(holdings_pages, "BLOCKS_PER_PAGE", 1)
    first, second = _blocks(client, world).text, _blocks(client, world, page=2).text
    # by id: block_a was added first
    assert HELD_RANGE in first and RETIRED_RANGE not in first and "Page 1 of 2" in first
    assert f'<a rel="next" href="/organisations/{world.org_a}/blocks?page=2' in first
    assert RETIRED_RANGE in second and HELD_RANGE not in second and 'rel="prev"' in second


def test_the_blocks_of_another_organisation_are_not_found(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(f"/organisations/{world.org_b}/blocks", query_string={"serial": INSIDE_HELD}).status_code == 404


def test_the_blocks_page_in_traditional_chinese(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(f"/organisations/{world.org_a}/blocks", headers={"Accept-Language": "zh-TW"}).text
    assert "序號" in page and HELD_RANGE in page


def test_the_holdings_page_offers_the_import_only_to_those_who_manage_instruments(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(f"/organisations/{world.org_a}/holdings", headers={"Accept-Language": "en"}).text
    assert "Import a registry file" not in page and f"/organisations/{world.org_a}/blocks" in page
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    assert "Import a registry file" in client.get(f"/organisations/{world.org_a}/holdings",
                                                  headers={"Accept-Language": "en"}).text


def test_a_serial_in_a_split_block_finds_the_part_that_holds_it(client, uow, world) -> None:
    # block_a split after its first 10,000 units: 941,382,742–941,392,741 and 941,392,742–941,412,554
    held_blocks.split_block(uow(), ADMIN, world.org_a, world.block_a, 10_000)
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = _blocks(client, world, serial=INSIDE_HELD).text  # unit 941,400,000
    assert "941392742–941412554" in page and "941382742–941392741" not in page
    assert '<span class="figure" title="19813">19,813</span>' in page  # 29,813 − 10,000


# --- one reading of the holdings for every period gives what each period's own reading gives ---


def test_the_holdings_page_figures_are_those_of_each_use_case_alone(uow, world) -> None:
    as_of = dt.date(2026, 11, 1)
    period_ids = [p.id for c in commitments.list_commitments(uow(), ADMIN, world.org_a) for p in c.periods]
    assert len(period_ids) > 1
    lines, needs = claims.holdings_and_needs(uow(), ADMIN, world.org_a, ["scheme", "vintage", "account"],
                                             statuses=["held", "retired"], period_ids=period_ids, as_of=as_of)
    assert lines == registry_holdings.holdings(uow(), ADMIN, world.org_a, ["scheme", "vintage", "account"],
                                               statuses=["held", "retired"])
    assert needs == [claims.period_needs(uow(), ADMIN, world.org_a, p, as_of=as_of) for p in period_ids]
    # the world's held VCUs (29,813, vintage 2022) count for every period ending after 2022 began
    assert any(n.credits is not None and n.credits.held_tco2e == 29_813 for n in needs)


def test_the_dashboard_reviews_are_those_of_each_period_alone(uow, world) -> None:
    as_of = dt.date(2026, 11, 1)
    period_ids = [p.id for c in commitments.list_commitments(uow(), ADMIN, world.org_a) for p in c.periods]
    together = readiness_service.periods_reviews(uow(), ADMIN, world.org_a, period_ids, as_of=as_of)
    alone = [readiness_service.period_review(uow(), ADMIN, world.org_a, p, as_of=as_of) for p in period_ids]
    assert [_comparable(r) for r in together] == [_comparable(r) for r in alone]
    assert sum(r.balance.claim is not None for r in together) > 1  # periods with an inventory among them


def _comparable(review: Any) -> Any:
    """The review with its claim's findings (read when looked at) as a tuple of findings."""
    claim = review.balance.claim
    if claim is None:
        return review
    return dataclasses.replace(review, balance=dataclasses.replace(
        review.balance, claim=dataclasses.replace(claim, findings=tuple(claim.findings))))


def test_units_frozen_by_another_organisations_contest_are_not_counted_as_held(uow, world) -> None:
    as_of = dt.date(2026, 11, 1)
    before = claims.period_needs(uow(), ADMIN, world.org_a, world.period_verified, as_of=as_of).credits
    # organisation B enters 1,000 units of block_a: they are contested, and A's block is frozen
    other = projects.create_project(uow(), ADMIN, world.org_b, verra_project("3005", "Tongxu Biogas Recovery"))
    held_blocks.add_block(uow(), ADMIN, world.org_b, {
        "scheme": "VCU", "serial": "19380-941382742-941383741-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
        "quantity": 1_000, "project_id": other.id}, as_of=as_of)
    _, needs = claims.holdings_and_needs(uow(), ADMIN, world.org_a, ["scheme"], statuses=["held"],
                                         period_ids=[world.period_verified], as_of=as_of)
    assert before is not None and before.held_tco2e == 29_813
    # the whole frozen block leaves what is held for the period: nothing of it can be retired
    assert needs[0].credits is not None and needs[0].credits.held_tco2e == 0
    assert needs == [claims.period_needs(uow(), ADMIN, world.org_a, world.period_verified, as_of=as_of)]


def test_the_api_finds_a_block_by_a_serial_as_the_page_does(client, world) -> None:
    answer = client.get(f"/api/v1/organisations/{world.org_a}/blocks", query_string={"serial": INSIDE_HELD},
                        headers=world.headers("viewer"))
    assert answer.status_code == 200
    assert [b["id"] for b in answer.get_json()["items"]] == [world.block_a]
    refused = client.get(f"/api/v1/organisations/{world.org_a}/blocks",
                         query_string={"serial": INSIDE_HELD, "scheme": "GEC"}, headers=world.headers("viewer"))
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "invalid_serial"
