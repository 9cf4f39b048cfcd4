"""The organisation's own emission factors in the browser: the list of every version, and the
form that adds a factor (or its next version) with its evidence file, through the use case the
API calls. The evidence is kept as the API keeps it: its file name and SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.inventory import services as inventory
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world

EVIDENCE = b"%PDF-1.4 supplier declaration 2025"


def _member(uow: Any, world: World, role: Role) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _url(world: World, tail: str = "") -> str:
    return f"/organisations/{world.org_a}/factors{tail}"


def _post(client: Any, world: World, headers: dict[str, str] | None = None, **fields: Any) -> Any:
    token = csrf(client.get(_url(world, "/new")).text)
    form = {"csrf_token": token, "key": "green-tariff-2025", "name": "Green tariff of 苏电 2025",
            "kind": "supplier_specific", "per_unit": "MWh", "mass_unit": "t",
            "gases-0-gas": "CO2", "gases-0-amount": "0.0123", "source": "Supplier declaration 2025-02",
            "publisher": "苏电能源", "year": "2025", "geography": "CN-EAST", "change_reason": "",
            "evidence": (io.BytesIO(EVIDENCE), "声明.pdf"), **fields}
    return client.post(_url(world, "/new"), content_type="multipart/form-data", data=form,
                       headers=headers or {"Accept-Language": "en"})


def _factors(uow: Any, world: World) -> list[Any]:
    return inventory.list_organisation_factors(uow(), ADMIN, world.org_a)


def test_the_lead_adds_a_factor_with_its_evidence_and_the_list_shows_it(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world)
    assert answer.status_code == 302, answer.text[-2000:]
    assert answer.headers["Location"].endswith("/factors#factor-green-tariff-2025")
    assert table_counts()["organisation_factors"] == before["organisation_factors"] + 1
    [factor] = [f for f in _factors(uow, world) if f.key == "green-tariff-2025"]
    assert (factor.version, factor.gases, factor.per_unit, factor.mass_unit) == (1, {"CO2": "0.0123"}, "MWh", "t")
    assert factor.evidence_filename == "声明.pdf"
    assert factor.evidence_sha256 == hashlib.sha256(EVIDENCE).hexdigest()
    listing = client.get(_url(world), headers={"Accept-Language": "en"}).text
    assert "org:green-tariff-2025" in listing and "CO2 0.0123 t/MWh" in listing
    assert "Supplier declaration 2025-02" in listing and "2025 · CN-EAST" in listing
    assert factor.evidence_sha256[:16] in listing


def test_a_second_version_needs_its_reason_next_to_the_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    assert _post(client, world).status_code == 302
    before = table_counts()
    refused = _post(client, world, **{"gases-0-amount": "0.0150"})
    assert refused.status_code == 422
    assert re.search(r'id="change_reason-error">[^<]*say why it changes', refused.text)
    assert table_counts() == before
    # the form for the next version starts from the latest one
    again = client.get(_url(world, "/new?key=green-tariff-2025")).text
    assert 'value="Green tariff of 苏电 2025"' in again and 'value="0.0123"' in again
    saved = _post(client, world, **{"gases-0-amount": "0.0150", "change_reason": "the 2025 declaration, revised"})
    assert saved.status_code == 302
    versions = [(f.version, f.gases["CO2"]) for f in _factors(uow, world) if f.key == "green-tariff-2025"]
    assert versions == [(1, "0.0123"), (2, "0.015")]  # kept as the API keeps it, trailing zero dropped


def test_a_factor_without_gases_or_evidence_is_refused_field_by_field(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world, **{"gases-0-gas": "", "gases-0-amount": "", "evidence": None, "key": "Bad Key!"})
    assert answer.status_code == 422
    assert re.search(r'id="evidence-error">Attach the evidence of the factor\.', answer.text)
    assert re.search(r'id="key-error">Lowercase letters, digits', answer.text)
    assert table_counts() == before


def test_an_unknown_unit_is_refused_next_to_the_unit(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world, per_unit="furlongs")
    assert answer.status_code == 422
    assert re.search(r"id=\"per_unit-error\">unknown unit &#39;furlongs&#39;", answer.text), answer.text[-3000:]
    assert table_counts() == before


def test_no_gas_with_an_amount_is_refused_in_chinese(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _post(client, world, headers={"Accept-Language": "zh-CN"}, **{"gases-0-gas": "", "gases-0-amount": ""})
    assert answer.status_code == 422
    assert "请至少填写一种气体，排放量不小于 0。" in answer.text
    assert '<label for="source">来源（出版物、声明或报告）</label>' in answer.text
    assert '<label for="gases-0-gas">' in answer.text and '<label for="evidence">' in answer.text
    assert table_counts() == before


def test_a_viewer_reads_the_factors_but_a_crafted_post_is_refused(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    listing = client.get(_url(world))
    assert listing.status_code == 200 and "/factors/new" not in listing.text
    assert client.get(_url(world, "/new")).status_code == 403
    token = csrf(listing.text)
    before = table_counts()
    answer = client.post(_url(world, "/new"), content_type="multipart/form-data", data={
        "csrf_token": token, "key": "mine", "name": "Mine", "kind": "generic", "per_unit": "t", "mass_unit": "t",
        "gases-0-gas": "CO2", "gases-0-amount": "1", "source": "s", "publisher": "p", "year": "2025",
        "geography": "CN", "evidence": (io.BytesIO(b"x"), "x.pdf")})
    assert answer.status_code == 403
    assert table_counts() == before


def test_markup_in_a_factor_name_shows_as_text(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    assert _post(client, world, name="<img src=x onerror=alert(1)>").status_code == 302
    listing = client.get(_url(world)).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing and "<img src=x" not in listing
