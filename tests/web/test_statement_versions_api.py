"""Issued statements through the API (issue 16, item 3): issue, list, read, the stored PDF
(checked against its SHA-256), publication and withdrawal, and what is refused with nothing
written.

The world (tests/factories.py): organisation A's ``period_verified`` (commitment B's 2024 period)
has a verified inventory; its statements are issued by A's lead.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.factories import World

pytestmark = pytest.mark.shared_world

A = "/api/v1/organisations/{w.org_a}"
KIND = {"kind": "iso_14068_1_report"}


def _api(w: World, path: str) -> str:
    return A.format(w=w) + path


def _issue(client, w: World, **body):  # type: ignore[no-untyped-def]
    return client.post(_api(w, f"/periods/{w.period_verified}/statements"), json=KIND | body,
                       headers=w.headers("lead"))


def test_a_version_is_issued_listed_and_its_pdf_served(client, world: World, table_counts) -> None:
    issued = _issue(client, world)
    assert issued.status_code == 201, issued.get_json()
    version = issued.get_json()
    assert (version["version"], version["status"], version["changes"]) == (1, "issued", None)
    # one PDF per language, each with its hash and size
    assert sorted(d["locale"] for d in version["documents"]) == ["en", "zh_Hans", "zh_Hant"]
    listed = client.get(_api(world, f"/periods/{world.period_verified}/statements"), headers=world.headers("viewer"))
    assert [v["id"] for v in listed.get_json()] == [version["id"]]
    pdf = client.get(_api(world, f"/statements/{version['id']}.pdf?lang=zh_Hans"), headers=world.headers("viewer"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    [recorded] = [d for d in version["documents"] if d["locale"] == "zh_Hans"]
    assert hashlib.sha256(pdf.data).hexdigest() == recorded["sha256"] and len(pdf.data) == recorded["size"]

    # the same facts again (with a note of changes): nothing changed, nothing written
    before = table_counts()
    again = _issue(client, world, changes="Nothing really")
    assert again.status_code == 409 and "nothing changed since version 1" in again.get_json()["error"]["message"]
    assert table_counts() == before


def test_a_tampered_pdf_is_refused(client, world: World, forge_statement_pdf) -> None:
    version = _issue(client, world).get_json()
    forge_statement_pdf(version["id"], "en", b"%PDF forged")
    refused = client.get(_api(world, f"/statements/{version['id']}.pdf?lang=en"), headers=world.headers("lead"))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["details"]["computed_sha256"] == hashlib.sha256(b"%PDF forged").hexdigest()


def test_publication_and_withdrawal(client, world: World, table_counts) -> None:
    version = _issue(client, world).get_json()
    path = _api(world, f"/statements/{version['id']}")
    published = client.post(path + "/publication", headers=world.headers("lead"))
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    before = table_counts()
    # a reason is required: 422, nothing written
    assert client.post(path + "/withdrawal", json={"reason": " "}, headers=world.headers("lead")).status_code == 422
    assert client.post(path + "/withdrawal", json={}, headers=world.headers("lead")).status_code == 422
    assert table_counts() == before
    withdrawn = client.post(path + "/withdrawal", json={"reason": "Inventory restated"}, headers=world.headers("lead"))
    body = withdrawn.get_json()
    assert (body["status"], body["withdrawal_reason"]) == ("withdrawn", "Inventory restated")
    # still there to read
    assert client.get(path, headers=world.headers("viewer")).get_json()["status"] == "withdrawn"


def test_a_viewer_cannot_issue_and_an_outsider_sees_nothing(client, world: World, table_counts) -> None:
    before = table_counts()
    refused = client.post(_api(world, f"/periods/{world.period_verified}/statements"), json=KIND,
                          headers=world.headers("viewer"))
    assert refused.status_code == 403
    assert table_counts() == before
    version = _issue(client, world).get_json()
    outsider = client.get(_api(world, f"/statements/{version['id']}"), headers=world.headers("outsider"))
    assert outsider.status_code == 404
    # the version asked for under the outsider's own organisation: not found there either
    own = client.get(f"/api/v1/organisations/{world.org_b}/statements/{version['id']}",
                     headers=world.headers("outsider"))
    assert own.status_code == 404


def test_a_kind_of_another_standard_is_refused_in_the_readers_language(client, world: World, table_counts) -> None:
    # period_verified's commitment: ISO 14068-1:2023 and a zero-carbon factory declaration
    before = table_counts()
    refused = client.post(_api(world, f"/periods/{world.period_verified}/statements"), json={"kind": "pas_2060_qes"},
                          headers=world.headers("lead") | {"Accept-Language": "en"})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["message"] == (f"a statement of kind pas_2060_qes is made only under PAS 2060:2014: the claim of "
                                f"period {world.period_verified} is made under ISO 14068-1:2023")
    assert error["details"]["allowed"] == ["iso_14068_1_report", "cn_zero_carbon_factory"]
    simplified = client.post(_api(world, f"/periods/{world.period_verified}/statements"),
                             json={"kind": "pas_2060_qes"}, headers=world.headers("lead") | {"Accept-Language": "zh-CN"})
    assert simplified.status_code == 422
    assert simplified.get_json()["error"]["message"] == (
        f"pas_2060_qes 类声明只能依据PAS 2060:2014作出：期间 {world.period_verified} 的声明依据的是ISO 14068-1:2023")
    assert table_counts() == before
