"""The lead's commitment form: the periods the two dates make are shown before anything is saved.

A claim on 2025: baseline 2025-01-01 and first qualification 2026-01-01 make the first period
2025-01-01 – 2025-12-31, then 12-month periods: 2026-01-01 – 2026-12-31. The dates of 2024
typed by mistake (2024-01-01 / 2025-01-01) show 2024 as the first period instead.
"""

from __future__ import annotations

from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _post(client: Any, world: World, action: str, **fields: Any) -> Any:
    url = f"/organisations/{world.org_a}/commitments/new"
    form = {"csrf_token": csrf(client.get(url).text), "subject_id": str(world.subject_a),
            "standard": "iso_14068_1_2023", "zero_carbon_factory": "y", "statement": "We commit to neutrality.",
            "baseline_date": "2025-01-01", "first_qualification_date": "2026-01-01",
            "period_length_months": "12", "periods": "2", "intended_credit_types": ["CCER"], "action": action,
            **fields}
    return client.post(url, data=form, headers={"Accept-Language": "en"})


def test_the_periods_are_shown_before_anything_is_saved(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world, "preview")
    assert answer.status_code == 200
    assert "<td>Jan 1, 2025</td><td>Dec 31, 2025</td>" in answer.text
    assert "<td>Jan 1, 2026</td><td>Dec 31, 2026</td>" in answer.text
    assert table_counts() == before


def test_saving_creates_the_commitment_and_its_periods(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world, "save")
    assert answer.status_code == 302
    after = table_counts()
    assert (after["commitments"], after["application_periods"]) == (
        before["commitments"] + 1, before["application_periods"] + 2)


def test_impossible_dates_are_refused_with_the_reason_and_nothing_is_saved(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world, "save", first_qualification_date="2024-06-01")  # before the baseline
    assert answer.status_code == 422 and 'role="alert"' in answer.text
    assert table_counts() == before


def test_a_missing_date_is_named_next_to_its_field_in_chinese(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    url = f"/organisations/{world.org_a}/commitments/new"
    answer = client.post(url, data={"csrf_token": csrf(client.get(url).text), "subject_id": str(world.subject_a),
                                    "standard": "iso_14068_1_2023", "statement": "x", "baseline_date": "",
                                    "first_qualification_date": "2026-01-01", "period_length_months": "12",
                                    "periods": "1", "action": "save"}, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422 and '<span class="field-error">请填写基准日期。</span>' in answer.text
    assert table_counts() == before


def test_a_viewer_may_not_save_a_commitment(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    before = table_counts()
    assert _post(client, world, "save").status_code == 403
    assert table_counts() == before
