"""Purchases in the browser: the list with its invoices, and the form that records one with its
invoice file, offered only to those who manage instruments.

The world (tests/factories.py): organisation A bought its 29,813 VCUs of block_a from Carbon
Broker Ltd (CB-2026-001) at USD 6.50, invoice.pdf holding b"%PDF invoice".
"""

from __future__ import annotations

import hashlib
import io
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


def _url(world: World) -> str:
    return f"/organisations/{world.org_a}/purchases"


def _record(client: Any, world: World, invoice: Any = ..., **fields: Any) -> Any:
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    form = {"csrf_token": csrf(page), "scheme": "GEC", "supplier": "苏州绿电交易有限公司",
            "contract_reference": "GEC-2026-07", "contract_date": "2026-07-01", "quantity": "5000",
            "unit_price": "3.20", "currency": "cny", "delivery_account": "绿证账户", "note": "",
            "block_ids": "", **fields}
    form["invoice"] = (io.BytesIO(b"%PDF GEC invoice"), "发票.pdf") if invoice is ... else invoice
    form = {k: v for k, v in form.items() if v is not None}
    return client.post(_url(world), content_type="multipart/form-data", data=form,
                       headers={"Accept-Language": "en"})


def test_the_purchases_are_listed_with_their_invoice(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert "Carbon Broker Ltd" in page and "CB-2026-001" in page
    assert '<span class="figure" title="29813">29,813</span>' in page
    assert 'USD <span class="figure" title="6.5">6.50</span>' in page
    invoice = client.get(f"{_url(world)}/{world.purchase_a}/invoice")
    assert invoice.status_code == 200 and invoice.data == b"%PDF invoice"
    assert invoice.headers["X-Content-SHA256"] == hashlib.sha256(b"%PDF invoice").hexdigest()


def test_a_viewer_is_not_offered_the_form(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert "Record a purchase" not in page and 'name="supplier"' not in page


def test_procurement_records_a_purchase_with_its_invoice(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    answer = _record(client, world)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(_url(world))
    after = table_counts()
    assert after["purchases"] == before["purchases"] + 1
    page = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert "苏州绿电交易有限公司" in page and "GEC-2026-07" in page and "发票.pdf" in page
    # the currency is kept in capitals; 5,000 units at 3.20
    assert 'CNY <span class="figure" title="3.2">3.20</span>' in page
    assert '<span class="figure" title="5000">5,000</span>' in page
    newest = max(int(n) for n in __import__("re").findall(rf"{_url(world)}/(\d+)/invoice", page))
    invoice = client.get(f"{_url(world)}/{newest}/invoice")
    assert invoice.data == b"%PDF GEC invoice"


def test_a_viewer_who_crafts_the_form_is_refused_and_nothing_is_written(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    before = table_counts()
    assert _record(client, world).status_code == 403
    assert table_counts() == before


def test_another_organisations_member_cannot_record_one_here(client, uow, world, table_counts) -> None:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_b, email=user.email, role=Role.PROCUREMENT)
    sign_in(client, user.email)
    before = table_counts()
    page = client.get("/", headers={"Accept-Language": "en"}).text
    answer = client.post(_url(world), content_type="multipart/form-data", data={
        "csrf_token": csrf(page), "scheme": "GEC", "supplier": "x", "contract_reference": "y",
        "contract_date": "2026-07-01", "quantity": "1", "unit_price": "1", "currency": "CNY",
        "delivery_account": "z", "invoice": (io.BytesIO(b"%PDF"), "i.pdf")})
    assert answer.status_code == 404
    assert table_counts() == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("supplier", " ", "Name the supplier."),
    ("contract_date", "1 July", "Give the contract's date."),
    ("quantity", "0", "From 1 to 10¹⁵ units."),
    ("quantity", "many", "Give the number of units bought."),
    ("unit_price", "-1", "From 0 to 1,000,000,000 a unit."),
    ("currency", "yuan", "Three letters, e.g. CNY."),
    ("block_ids", "12; 14", "Write block numbers separated by commas, e.g. 12, 14."),
])
def test_a_wrong_field_is_named_next_to_it_and_nothing_is_written(client, uow, world, table_counts,
                                                                  field, value, message) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    answer = _record(client, world, **{field: value})
    assert answer.status_code == 422
    assert f'<span class="field-error" id="{field}-error">{message}</span>' in answer.text
    assert table_counts() == before


def test_a_purchase_without_its_invoice_is_refused(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    answer = _record(client, world, invoice=None)
    assert answer.status_code == 422
    assert '<span class="field-error" id="invoice-error">Attach the invoice.</span>' in answer.text
    assert table_counts() == before


def test_an_empty_invoice_is_refused_next_to_its_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    answer = _record(client, world, invoice=(io.BytesIO(b""), "empty.pdf"))
    assert answer.status_code == 422
    assert '<span class="field-error" id="invoice-error">the invoice file is empty</span>' in answer.text
    assert table_counts() == before


def test_an_invoice_over_the_upload_limit_is_refused(client, app, uow, world, table_counts, monkeypatch) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    answer = _record(client, world, invoice=(io.BytesIO(b"%PDF" + b"0" * 5000), "large.pdf"))
    assert answer.status_code == 413
    assert table_counts() == before


def test_blocks_of_another_scheme_are_refused_and_the_purchase_is_not_kept(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    before = table_counts()
    # block_a holds VCUs; the purchase is of GECs
    answer = _record(client, world, block_ids=str(world.block_a))
    assert answer.status_code == 422
    assert (f'<span class="field-error" id="block_ids-error">block {world.block_a} is VCU, the purchase GEC</span>'
            in answer.text)
    assert table_counts() == before


def test_the_purchases_page_in_simplified_chinese(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.PROCUREMENT))
    page = client.get(_url(world), headers={"Accept-Language": "zh-CN"}).text
    assert "记录一笔采购" in page and "供应商" in page and "发票" in page
