"""A period's statements in the browser: what would be declared, the preview (nothing stored), and
the forms that issue, publish and withdraw versions, offered only to the lead.

The world (tests/factories.py): organisation A's ``period_verified`` (commitment B's 2024 period)
has a verified inventory of 1,200 MWh of grid electricity, and one retirement, retirement_a (100
VCUs), recorded despite the rules: its beneficiary "Suhui Trading Co." is neither the
organisation's legal name nor its alias "Factory A". The general rule SANITY-02 ("the beneficiary
names the claimant", blocking, rules/general/2026.toml) therefore fails, the claim counts no
credit against residual emissions above zero, and the period may only be declared a commitment.
``period_a`` (commitment A's) has no inventory: no statement can be built for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.commitments import services as commitments
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.organisations import services as organisations
from neutrality.statements.tables import StatementDocument, StatementVersion
from neutrality.statements.versions import issue_statement
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user

#: Where the statements issued here say they are published (printed in their footers)
ADDRESS = "https://neutrality.example.org/declarations/1/1"

pytestmark = pytest.mark.shared_world

EN = {"Accept-Language": "en"}


def _member(uow: Any, world: World, role: Role, organisation_id: int | None = None) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, organisation_id or world.org_a, email=user.email, role=role)
    return user.email


def _page(world: World, period_id: int | None = None) -> str:
    return f"/organisations/{world.org_a}/periods/{period_id or world.period_verified}/statements"


def _issue(client: Any, world: World, **fields: str) -> Any:
    token = csrf(client.get(_page(world), headers=EN).text)
    form = {"csrf_token": token, "kind": "iso_14068_1_report", "declaration": "", "changes": "", **fields}
    return client.post(_page(world) + "/issue", data=form, headers=EN)


def _versions(db: Any) -> list[StatementVersion]:
    with db() as session:
        return list(session.scalars(select(StatementVersion).order_by(StatementVersion.id)))


def _issued_by_admin(uow: Any, world: World) -> StatementVersion:
    return issue_statement(uow(), ADMIN, world.org_a, world.period_verified, "iso_14068_1_report",
                           issued_on=dt.date(2026, 12, 1), published_at=ADDRESS)


@pytest.mark.parametrize(("language", "title", "legacy"), [
    ("en", "Statements", "legacy: PAS 2060 was withdrawn on 30 November 2025"),
    ("zh-CN", "声明文件", "旧版：PAS 2060 已于 2025 年 11 月 30 日废止"),
    ("zh-TW", "聲明檔案", "舊版：PAS 2060 已於 2025 年 11 月 30 日廢止"),
])
def test_the_page_in_each_language(client, uow, world, language, title, legacy) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(_page(world), headers={"Accept-Language": language})
    assert page.status_code == 200, page.text[-2000:]
    assert f"<h1>{title} ·" in page.text
    assert page.text.count('method="post" action="/organisations/') == 1  # the issue form, nothing issued yet
    # the world's claim is made under ISO 14068-1 and as a zero-carbon factory: those two
    # statements are offered, never the PAS 2060 QES (its legacy label does not appear)
    assert page.text.count('<option value="iso_14068_1_report"') == 2  # the preview's and the issue's
    assert page.text.count('<option value="cn_zero_carbon_factory"') == 2
    assert 'value="pas_2060_qes"' not in page.text and legacy not in page.text
    if language == "en":  # nor is its wording shown among what would be declared
        assert "PAS 2060 qualifying explanatory statement" not in page.text
    # under PAS 2060 its QES is offered, labelled as legacy
    with uow() as unit:
        commitment_id = unit.session.get(ApplicationPeriodRow, world.period_verified).commitment_id
    commitments.update_commitment(uow(), ADMIN, world.org_a, commitment_id, {"standard": "pas_2060_2014"})
    pas = client.get(_page(world), headers={"Accept-Language": language}).text
    assert legacy in pas and pas.count('<option value="pas_2060_qes"') == 2
    assert 'value="iso_14068_1_report"' not in pas
    # the period's page leads here
    period = client.get(f"/organisations/{world.org_a}/periods/{world.period_verified}",
                        headers={"Accept-Language": language}).text
    assert f'href="{_page(world)}"' in period


def test_what_would_be_declared_is_shown_before_issuing(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(_page(world), headers=EN).text
    prospect = page[page.index('id="prospect"'):page.index('id="kind-iso_14068_1_report"')]
    assert '<span class="badge pending">commitment</span>' in prospect
    assert "<code>SANITY-02</code> · The beneficiary names the claimant" in prospect
    # the commitment's wording, with the legal name of organisation A (tests/factories.py)
    assert "commits to carbon neutrality of Factory subject in accordance with ISO 14068-1:2023" in prospect


def test_a_period_without_inventory_says_why_nothing_can_be_stated(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(_page(world, world.period_a), headers=EN)
    assert page.status_code == 200
    assert "No statement can be built for this period yet:" in page.text and "has no inventory" in page.text


def test_a_preview_is_a_pdf_and_writes_nothing(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))  # a read: every member may preview
    before = table_counts()
    answer = client.get(_page(world) + "/preview.pdf?kind=cn_zero_carbon_factory&lang=zh_Hant", headers=EN)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="statement-cn_zero_carbon_factory-2024-01-01-2024-12-31-zh_Hant-preview.pdf"')
    assert table_counts() == before
    # a kind that does not exist: the page, with the error next to the field
    refused = client.get(_page(world) + "/preview.pdf?kind=gold_standard&lang=en", headers=EN)
    assert refused.status_code == 422 and '<span class="field-error">Not a valid choice.</span>' in refused.text


def test_the_lead_issues_publishes_and_withdraws(client, uow, world, db, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    issued = _issue(client, world)
    assert issued.status_code == 302, issued.text[-2000:]
    [version] = _versions(db)
    assert issued.headers["Location"].endswith(f"{_page(world)}#version-{version.id}")
    # the rules allow a commitment only (see the module): that is what was issued
    assert (version.version, version.declaration, version.published_at, version.withdrawn_at) == (
        1, "commitment", None, None)
    after = table_counts()
    assert after["statement_versions"] == before["statement_versions"] + 1
    assert after["statement_documents"] == before["statement_documents"] + 3  # en, zh_Hans, zh_Hant

    page = client.get(_page(world), headers=EN).text
    assert "Version 1 of the ISO 14068-1 carbon neutrality report is issued" in page  # said once, after the redirect
    assert f'id="version-{version.id}"' in page and version.snapshot_sha256 in page
    assert 'data-status="issued"' in page
    public = f'href="http://127.0.0.1:5000/declarations/{world.org_a}/{world.period_verified}"'
    assert public not in page  # nothing public yet
    # the stored PDF, served as stored: its hash is the one the page shows
    with db() as session:
        recorded = session.scalar(select(StatementDocument.sha256).where(
            StatementDocument.version_id == version.id, StatementDocument.locale == "zh_Hans"))
    assert recorded in page
    pdf = client.get(f"{_page(world)}/{version.id}.pdf?lang=zh_Hans")
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == recorded

    published = client.post(f"{_page(world)}/{version.id}/publication", data={"csrf_token": csrf(page)}, headers=EN)
    assert published.status_code == 302
    [version] = _versions(db)
    assert version.published_at is not None and version.withdrawn_at is None
    page = client.get(_page(world), headers=EN).text
    assert 'data-status="published"' in page and public in page

    # a second version must say what changed: said next to the field, nothing written
    before = table_counts()
    again = _issue(client, world)
    assert again.status_code == 422
    assert '<span class="field-error">say what changed since version 1</span>' in again.text
    assert table_counts() == before

    # a withdrawal says why
    empty = client.post(f"{_page(world)}/{version.id}/withdrawal", data={"csrf_token": csrf(page), "reason": " "},
                        headers=EN)
    assert empty.status_code == 422 and "Say why the statement is withdrawn." in empty.text
    assert table_counts() == before
    withdrawn = client.post(f"{_page(world)}/{version.id}/withdrawal",
                            data={"csrf_token": csrf(page), "reason": "Inventory restated"}, headers=EN)
    assert withdrawn.status_code == 302
    [version] = _versions(db)
    assert version.withdrawn_at is not None and version.withdrawal_reason == "Inventory restated"
    page = client.get(_page(world), headers=EN).text
    assert 'data-status="withdrawn"' in page and "Inventory restated" in page
    # nothing more to do on a withdrawn version
    assert f"/{version.id}/withdrawal" not in page and f"/{version.id}/publication" not in page


def test_an_achievement_the_rules_do_not_allow_is_refused_naming_the_findings(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = _issue(client, world, declaration="achievement")
    assert answer.status_code == 409 and 'role="alert"' in answer.text
    alert = answer.text[answer.text.index('role="alert"'):answer.text.index('id="prospect"')]
    assert "cannot be declared an achievement" in alert
    assert '<li class="blocking"><code>SANITY-02</code> · The beneficiary names the claimant</li>' in alert
    assert table_counts() == before


def test_a_viewer_reads_the_versions_but_is_offered_no_form_and_refused_a_crafted_post(
        client, uow, world, db, table_counts) -> None:
    version = _issued_by_admin(uow, world)
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(_page(world), headers=EN)
    assert page.status_code == 200 and f'id="version-{version.id}"' in page.text
    assert "/issue" not in page.text and "/publication" not in page.text and "/withdrawal" not in page.text
    assert "Your role in this organisation lets you read, not change." in page.text
    before = table_counts()
    token = csrf(page.text)  # the sign-out form's: a valid token
    assert client.post(_page(world) + "/issue", data={"csrf_token": token, "kind": "iso_14068_1_report"}).status_code == 403
    assert client.post(f"{_page(world)}/{version.id}/publication", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{_page(world)}/{version.id}/withdrawal",
                       data={"csrf_token": token, "reason": "no"}).status_code == 403
    assert table_counts() == before
    [stored] = _versions(db)
    assert stored.published_at is None and stored.withdrawn_at is None


def test_a_member_of_another_organisation_finds_nothing(client, uow, world) -> None:
    version = _issued_by_admin(uow, world)
    sign_in(client, _member(uow, world, Role.LEAD, world.org_b))
    assert client.get(_page(world)).status_code == 404
    assert client.get(f"{_page(world)}/{version.id}.pdf?lang=en").status_code == 404
    assert client.get(_page(world) + "/preview.pdf?kind=iso_14068_1_report&lang=en").status_code == 404
    token = csrf(client.get("/").text)
    assert client.post(f"{_page(world)}/{version.id}/publication", data={"csrf_token": token}).status_code == 404


def test_a_version_is_reached_under_its_own_period_only(client, uow, world) -> None:
    version = _issued_by_admin(uow, world)
    sign_in(client, _member(uow, world, Role.LEAD))
    assert client.get(f"{_page(world, world.period_a)}/{version.id}.pdf?lang=en").status_code == 404


def test_a_form_without_its_csrf_token_is_refused(client, uow, world, table_counts) -> None:
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = client.post(_page(world) + "/issue", data={"kind": "iso_14068_1_report"}, headers=EN)
    assert answer.status_code == 400 and "CSRF" in answer.text
    assert table_counts() == before


def test_a_pdf_changed_after_issue_is_refused_naming_both_hashes(client, uow, world, db, forge_statement_pdf) -> None:
    version = _issued_by_admin(uow, world)
    with db() as session:
        recorded = session.scalar(select(StatementDocument.sha256).where(
            StatementDocument.version_id == version.id, StatementDocument.locale == "en"))
    forge_statement_pdf(version.id, "en", b"%PDF forged")
    sign_in(client, _member(uow, world, Role.VIEWER))
    answer = client.get(f"{_page(world)}/{version.id}.pdf?lang=en", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 409 and answer.mimetype == "text/html"
    assert recorded in answer.text and hashlib.sha256(b"%PDF forged").hexdigest() in answer.text
    assert "签发后被改动" in answer.text


def test_an_organisation_name_is_text_not_markup(client, uow, world) -> None:
    organisations.update_organisation(uow(), ADMIN, world.org_a, {"name": "<script>alert(1)</script>"})
    sign_in(client, _member(uow, world, Role.LEAD))
    page = client.get(_page(world), headers=EN).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, world) -> None:
    answer = client.get(_page(world))
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]

