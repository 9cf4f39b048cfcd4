"""Refusals written below the web layer reach the reader in the reader's language: the API's
envelope (message and row errors) and the pages say them in 简体 or 繁體 as the browser asks, in
English otherwise, and the command line keeps English.

The Chinese expected here is the catalogue's, written out by hand: a refused import of one bad
row (row 3, the unit "parsec") and a wrong sign-in."""

from __future__ import annotations

import io
from typing import Any

import pytest

from neutrality.access.model import Role
from neutrality.accounts import services as access
from tests.browser import csrf, sign_in
from tests.factories import ADMIN, World, create_user
from tests.web.test_retirement_imports_api import _file, _row, _vcu

# One world per backend for the module, each test rolled back to it (tests/conftest.py).
pytestmark = pytest.mark.shared_world

DIESEL = "cnguide2015:gas_diesel_oil:combustion"


def _diesel_file(world: World) -> bytes:
    """A good row 2 and a row 3 whose unit is no unit (the header is row 1)."""
    return (
        "site,source,scope,scope1_subtype,activity_type,quantity,unit,start_date,end_date,factor_key\n"
        f"{world.site_a},Diesel,1,stationary_combustion,fuel,200,L,2025-01-01,2025-01-31,{DIESEL}\n"
        f"{world.site_a},Diesel,1,stationary_combustion,fuel,300,parsec,2025-02-01,2025-02-28,{DIESEL}\n"
    ).encode()


def _import(client: Any, world: World, language: str, **form: Any) -> Any:
    return client.post(
        f"/api/v1/organisations/{world.org_a}/inventories/{world.inventory_draft}/imports",
        headers={**world.headers("lead"), "Accept-Language": language},
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(_diesel_file(world)), "diesel.csv"), **form},
    )


@pytest.mark.parametrize(
    ("language", "message", "reason"),
    [
        pytest.param("zh-CN", "“diesel.csv”有 1 处错误；未导入任何内容", "“parsec”不是已知单位（活动类型 fuel 可用 ",
                     id="zh-CN"),
        pytest.param("zh-TW", "「diesel.csv」有 1 處錯誤；未匯入任何內容", "「parsec」不是已知單位（活動類型 fuel 可用 ",
                     id="zh-TW"),
        pytest.param("en", "'diesel.csv' has 1 error; nothing was imported",
                     "'parsec' is not a known unit (activity type fuel takes ", id="en"),
    ],
)
def test_a_refused_import_is_explained_in_the_readers_language(
    client, world, table_counts, language, message, reason
) -> None:
    before = table_counts()
    response = _import(client, world, language)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "import_rejected"  # the code stays the same in every language
    assert error["message"] == message
    [row_error] = error["details"]["errors"]
    assert (row_error["row"], row_error["column"]) == (3, "unit")  # the file's own column name
    assert row_error["reason"].startswith(reason)
    assert "kWh" in row_error["reason"]  # the units a fuel takes, as values, in any language
    assert table_counts() == before


def test_a_previews_row_errors_are_in_the_readers_language_too(client, world, table_counts) -> None:
    before = table_counts()
    response = _import(client, world, "zh-TW", dry_run="true")
    assert response.status_code == 201
    [row_error] = response.get_json()["preview"]["errors"]
    assert (row_error["row"], row_error["column"]) == (3, "unit")
    assert row_error["reason"].startswith("「parsec」不是已知單位")
    assert table_counts() == before


@pytest.mark.parametrize(
    ("language", "message"),
    [pytest.param("zh-CN", "找不到组织 {id}", id="zh-CN"), pytest.param("zh-TW", "找不到組織 {id}", id="zh-TW"),
     pytest.param("en", "organisation {id} not found", id="en")],
)
def test_another_tenants_organisation_is_not_found_in_the_readers_language(
    client, world, language, message
) -> None:
    response = client.get(f"/api/v1/organisations/{world.org_b}/commitments",
                          headers={**world.headers("lead"), "Accept-Language": language})
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert (error["code"], error["message"]) == ("not_found", message.format(id=world.org_b))


@pytest.mark.parametrize(
    ("language", "refusal"),
    [pytest.param("zh-CN", "电子邮件或密码错误", id="zh-CN"), pytest.param("zh-TW", "電子郵件或密碼錯誤", id="zh-TW"),
     pytest.param("en", "wrong e-mail or password", id="en")],
)
def test_a_wrong_sign_in_is_refused_on_the_page_in_the_readers_language(client, world, language, refusal) -> None:
    headers = {"Accept-Language": language}
    token = csrf(client.get("/login", headers=headers).text)
    response = client.post("/login", headers=headers, data={
        "email": "nobody@example.test", "password": "not the password", "csrf_token": token})
    assert response.status_code == 401
    assert f'<p class="error" role="alert">{refusal}</p>' in response.text
    assert client.get("/api/v1/me").status_code == 401  # not signed in


@pytest.mark.parametrize(
    ("language", "cell"),
    [pytest.param("zh-CN", "“-3”为负数", id="zh-CN"), pytest.param("zh-TW", "「-3」為負數", id="zh-TW"),
     pytest.param("en", "&#39;-3&#39; is negative", id="en")],
)
def test_the_import_page_lists_a_refused_files_row_errors_in_the_readers_language(
    client, uow, world, table_counts, language, cell
) -> None:
    lead = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=lead.email, role=Role.LEAD)
    sign_in(client, lead.email)
    headers = {"Accept-Language": language}
    page = f"/organisations/{world.org_a}/inventories/{world.inventory_draft}/import"
    data = _diesel_file(world).replace(b"300,parsec", b"-3,L")
    before = table_counts()
    answer = client.post(page, headers=headers, content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "diesel.csv"), "overlap": "refuse",
        "csrf_token": csrf(client.get(page, headers=headers).text)})
    assert answer.status_code == 422
    # row 3 of the file (the header is row 1), its column as the file names it
    assert f'<td class="num">3</td><td>quantity</td><td>{cell}</td>' in answer.text
    assert table_counts() == before


def test_the_command_line_keeps_english(app, world, table_counts) -> None:
    before = table_counts()
    result = app.test_cli_runner().invoke(args=[
        "users", "password", "nobody@example.test", "--password", "a long enough password"])
    assert result.exit_code == 1
    assert "not_found: no user with e-mail nobody@example.test" in result.output
    assert table_counts() == before


_VERRA_HEADER = ("Issuance Date,Sustainable Development Goals,Vintage Start,Vintage End,ID,Name,Country/Area,"
                 "Project Type,Methodology,Total Vintage Quantity,Quantity Issued,Serial Number,Additional Certifications,"
                 "Retirement/Cancellation Date,Retirement Beneficiary,Retirement Reason,Retirement Details")


@pytest.mark.parametrize(
    ("language", "reason"),
    [pytest.param("zh-TW", "「1-981000001-981000020」不是 Verra 序號：應為以「-」分隔的 13 段", id="zh-TW"),
     pytest.param("en", "'1-981000001-981000020' is not a Verra serial: expected 13 parts separated by '-'", id="en")],
)
def test_a_registry_exports_bad_serial_is_refused_in_the_readers_language(
    client, world, table_counts, language, reason
) -> None:
    # row 2 of a Verra export whose serial lost all but its first three parts
    data = (_VERRA_HEADER + "\n2023-05-01,,2022-01-01,2022-12-31,3867,Wind,China,Energy,ACM0002,500,20,"
            "1-981000001-981000020,,,,,\n").encode()
    before = table_counts()
    response = client.post(f"/api/v1/organisations/{world.org_a}/registry-imports",
                           headers={**world.headers("procurement"), "Accept-Language": language},
                           content_type="multipart/form-data", data={"file": (io.BytesIO(data), "verra.csv")})
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["error"]["details"]["errors"]
    assert (error["row"], error["column"]) == (2, "Serial Number")
    assert error["reason"].startswith(reason), error["reason"]
    assert table_counts() == before


def test_a_retirement_the_rules_refuse_is_explained_with_the_rules_own_words_in_the_readers_language(
    client, world, table_counts
) -> None:
    # the next 10 units of block_a retired on 2026-02-10, after ISO-21's 12 months from the end
    # of the 2024 period (2025-12-31): the rule refuses row 2 (see test_retirement_imports_rules)
    data = _file(_row(_vcu(941382752, 941382761), 10, retired="2026-02-10"))
    before = table_counts()
    response = client.post(
        f"/api/v1/organisations/{world.org_a}/retirement-imports",
        headers={**world.headers("lead"), "Accept-Language": "zh-CN"}, content_type="multipart/form-data",
        data={"period_id": str(world.period_verified), "file": (io.BytesIO(data), "verra-retirements.csv")})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["message"].startswith("“verra-retirements.csv”：声明的规则拒绝了 1 行（ISO-21）；未导入任何内容。")
    [row_error] = error["details"]["errors"]
    assert row_error["row"] == 2
    # the rule's own 简体 words (the rule catalogue's), the date as the registry wrote it
    assert row_error["reason"].startswith("被声明的规则拒绝：ISO-21（") and "2026-02-10" in row_error["reason"]
    assert "retired" not in row_error["reason"]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("language", "message"),
    [pytest.param("zh-CN", "此地址没有任何内容；请检查链接", id="zh-CN"),
     pytest.param("zh-TW", "此網址沒有任何內容；請檢查連結", id="zh-TW"),
     pytest.param("en", "nothing is found at this address; check the link", id="en")],
)
def test_an_address_nothing_answers_at_is_not_found_in_the_readers_language(client, world, language, message) -> None:
    response = client.get("/api/v1/no-such-thing", headers={**world.headers("lead"), "Accept-Language": language})
    assert response.status_code == 404
    assert response.get_json()["error"] == {"code": "not_found", "message": message, "details": {}}
