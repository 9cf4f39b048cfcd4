"""The verifier's pages: a registry export reconciled with the ledger, and the audit log.

The world (tests/factories.py): retirement_a is 100 VCUs of issuance 1311 recorded by hand for
period_verified; a Verra retirement export that does not list them shows it "not retired at
the registry" (missing_at_registry).
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user
from tests.web.test_retirement_imports_api import _file, _row, _vcu

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _reconcile(client: Any, world: World, data: bytes, period: str = "") -> Any:
    url = f"/organisations/{world.org_a}/reconciliation"
    token = csrf(client.get(url).text)
    return client.post(url, content_type="multipart/form-data",
                       data={"csrf_token": token, "period": period, "file": (io.BytesIO(data), "verra.csv")})


def test_a_verifier_reconciles_an_export_and_reads_each_mismatch(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    before = table_counts()
    # an export listing other units only: retirement_a (100 VCUs) is not retired there
    answer = _reconcile(client, world, _file(_row(_vcu(941382742, 941382751), 10)), str(world.period_verified))
    assert answer.status_code == 200, answer.text[-1500:]
    assert "Not retired at the registry" in answer.text
    assert f"<td>{world.retirement_a}</td>" in answer.text
    assert table_counts() == before  # a reconciliation writes nothing


def test_a_file_that_is_no_export_is_refused_with_its_rows_named(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    answer = _reconcile(client, world, b"ID,Name\n1,x\n")
    assert answer.status_code == 422 and 'role="alert"' in answer.text
    # the header of two columns is no registry's layout: said, and each missing column named
    assert "<td>the header matches no known registry file layout" in answer.text
    assert '<td class="num">1</td><td>Methodology</td><td>missing required column' in answer.text


def test_the_reconciliation_page_in_chinese_labels_its_fields(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    page = client.get(f"/organisations/{world.org_a}/reconciliation", headers={"Accept-Language": "zh-CN"}).text
    assert '<label for="file">' in page and '<label for="period">' in page and "核对" in page


def test_the_audit_log_is_the_verifiers_and_not_the_viewers(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    page = client.get(f"/organisations/{world.org_a}/audit")
    assert page.status_code == 200 and "registry.retirement.record" in page.text
    client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(f"/organisations/{world.org_a}/audit").status_code == 403
