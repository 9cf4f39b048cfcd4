"""The period's GHG emission report downloaded as a PDF from the period page, in the language
asked for; readers of the organisation may have it, nobody else."""

from __future__ import annotations

from typing import Any

import pypdfium2
import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import sign_in
from tests.factories import ADMIN, World, create_user

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role, organisation: int | None = None) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, organisation or world.org_a, email=user.email, role=role)
    return user.email


def _url(world: World) -> str:
    return f"/organisations/{world.org_a}/periods/{world.period_verified}/ghg-report.pdf"


def _text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))


@pytest.mark.parametrize(("lang", "heading"), [("en", "GHG emission report"), ("zh_Hant", "溫室氣體排放報告")])
def test_a_viewer_downloads_the_report_in_the_language_asked_for(client, uow, world, lang, heading) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    answer = client.get(_url(world), query_string={"lang": lang})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].endswith(f'-{lang}.pdf"')
    assert heading in _text(answer.data)


def test_the_period_page_links_the_report_in_each_language(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    page = client.get(f"/organisations/{world.org_a}/periods/{world.period_verified}").text
    for lang in ("en", "zh_Hans", "zh_Hant"):
        assert f'{_url(world)}?lang={lang}' in page


def test_an_unknown_language_is_refused(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(_url(world), query_string={"lang": "fr"}).status_code == 422


def test_another_organisations_member_gets_nothing(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.LEAD, world.org_b))
    assert client.get(_url(world)).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, world) -> None:
    answer = client.get(_url(world))
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize(("file_format", "mimetype"), [
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("csv", "text/csv")])
def test_the_report_as_a_spreadsheet(client, uow, world, file_format, mimetype) -> None:
    sign_in(client, _member(uow, world, Role.VERIFIER))
    answer = client.get(_url(world).replace(".pdf", f".{file_format}"), query_string={"lang": "zh_Hans"})
    assert answer.status_code == 200 and answer.mimetype == mimetype
    assert answer.headers["Content-Disposition"].endswith(f'-zh_Hans.{file_format}"')
    if file_format == "csv":
        assert "Section 部分" in answer.data.decode("utf-8-sig").splitlines()[0]


def test_a_period_without_an_inventory_has_no_report(client, uow, world, table_counts) -> None:
    # commitment A's period has no inventory yet: nothing to report, and nothing written by asking
    sign_in(client, _member(uow, world, Role.LEAD))
    before = table_counts()
    answer = client.get(f"/organisations/{world.org_a}/periods/{world.period_a}/ghg-report.pdf",
                        headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.get_json()["error"]["message"] == f"period {world.period_a} has no inventory: there is no report to make"
    assert table_counts() == before
