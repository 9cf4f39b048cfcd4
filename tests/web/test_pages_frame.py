"""The frame every page shares: the language switch, figures as people read them, the dashboard
of an organisation and a period's page, read with the browser's session.

The world (tests/factories.py): commitment B's 2024 period (period_verified) has 1,200 MWh of
Jiangsu grid electricity, market-based 1,200 × 0.6096 = 731.52 t, location-based
1,200 × 0.55 = 660 t, no certificate; its 100 VCUs are retired for "Suhui Trading Co.", which the
claim does not count (SANITY-02).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from neutrality.access.model import Role
from neutrality.accounts import services as access
from neutrality.web.frame import figure
from tests.browser import csrf, sign_in, sign_out
from tests.factories import ADMIN, World, confirm_verification, create_user

pytestmark = pytest.mark.shared_world


def _member(uow: Any, world: World, role: Role = Role.LEAD) -> str:
    user = create_user(uow)
    access.add_member(uow(), ADMIN, world.org_a, email=user.email, role=role)
    return user.email


def _switch(client: Any, locale: str, next_page: str = "/") -> Any:
    token = csrf(client.get("/login").text)
    return client.post("/language", data={"locale": locale, "next": next_page, "csrf_token": token})


def test_a_visitor_chooses_the_language_before_signing_in(client) -> None:
    # the browser asks for English; the visitor chooses 繁體 and the sign-in page follows
    answer = _switch(client, "zh_Hant", "/login")
    assert (answer.status_code, answer.headers["Location"]) == (302, "/login")
    page = client.get("/login", headers={"Accept-Language": "en"}).text
    assert '<html lang="zh-Hant">' in page and "登入" in page


def test_a_users_choice_is_kept_with_the_account_and_outlives_the_session(client, uow, world) -> None:
    email = _member(uow, world)
    sign_in(client, email)
    # never chosen: the browser's language
    assert "外购电网电力" not in client.get(f"/organisations/{world.org_a}/periods/{world.period_verified}",
                                        headers={"Accept-Language": "en"}).text
    _switch(client, "zh_Hans")
    assert client.get("/api/v1/me").get_json()["locale"] == "zh_Hans"
    sign_out(client)
    client.delete_cookie("session")  # another browser: nothing kept but the account
    sign_in(client, email)
    page = client.get(f"/organisations/{world.org_a}/periods/{world.period_verified}",
                      headers={"Accept-Language": "en-GB"}).text
    assert '<html lang="zh-Hans">' in page and "外购电网电力" in page


def test_a_user_who_never_chose_reads_the_browsers_language(client, uow, world) -> None:
    sign_in(client, _member(uow, world))
    assert client.get("/api/v1/me").get_json()["locale"] is None
    page = client.get(f"/organisations/{world.org_a}", headers={"Accept-Language": "zh-TW"}).text
    assert '<html lang="zh-Hant">' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_language_switch_goes_back_only_to_a_page_of_this_site(client, target) -> None:
    answer = _switch(client, "zh_Hans", target)
    assert answer.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client, uow, world) -> None:
    sign_in(client, _member(uow, world))
    _switch(client, "fr")
    assert client.get("/api/v1/me").get_json()["locale"] is None


def test_the_language_switch_needs_the_pages_csrf_token(client) -> None:
    assert client.post("/language", data={"locale": "zh_Hans", "next": "/"}).status_code == 400


def test_the_dashboard_shows_each_periods_figures_rounded_with_the_exact_value_on_hover(client, uow, world) -> None:
    confirm_verification(uow, world)  # the claim rests on the verifier's opinion, not on the lead's record
    sign_in(client, _member(uow, world))
    page = client.get(f"/organisations/{world.org_a}", headers={"Accept-Language": "en"}).text
    # market-based 731.52 t shown to 3 decimals, exact on hover; location-based 660 t
    assert '<span class="figure" title="731.52">731.520</span>' in page
    assert '<span class="figure" title="660">660.000</span>' in page
    # the claim counts none of the 100 VCUs: short, and the first blocking item is linked
    assert f'href="/organisations/{world.org_a}/periods/{world.period_verified}#excluded"' in page
    assert '<link rel="stylesheet" href="/static/css/app.css">' in page


def test_a_periods_page_says_what_the_claim_does_not_count_and_why_in_the_readers_language(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    url = f"/organisations/{world.org_a}/periods/{world.period_verified}"
    english = client.get(url, headers={"Accept-Language": "en"}).text
    assert "Retirements the claim does not count" in english and "SANITY-02" in english
    assert "the retirement&#39;s beneficiary &#39;Suhui Trading Co.&#39; does not name" in english
    chinese = client.get(url, headers={"Accept-Language": "zh-CN"}).text
    assert "声明不计入的注销" in chinese and "注销受益方「Suhui Trading Co.」未写明" in chinese


def test_a_signed_out_visitor_is_sent_to_sign_in_from_an_organisations_pages(client, world) -> None:
    for path in (f"/organisations/{world.org_a}", f"/organisations/{world.org_a}/periods/{world.period_verified}",
                 f"/organisations/{world.org_a}/particulars"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["Location"]) == (302, "/login")


def test_another_organisations_pages_are_not_found(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(f"/organisations/{world.org_b}").status_code == 404


@pytest.mark.parametrize(("locale", "value", "places", "shown"), [
    # half up, never to even: 0.0005 → 0.001, 2.5 → 3; "-0.0001" shows no minus sign
    ("en", Decimal("0.0005"), 3, "0.001"), ("en", Decimal("2.5"), 0, "3"), ("en", Decimal("-0.0001"), 3, "0.000"),
    ("en", Decimal("1234567.8915"), 3, "1,234,567.892"), ("zh_Hans", Decimal("1234567.8915"), 3, "1,234,567.892"),
    ("en", "158412.41", 2, "158,412.41"),
])
def test_a_figure_is_rounded_half_up_in_the_locale_with_the_exact_value_kept(
        app: Flask, locale: str, value: Any, places: int, shown: str) -> None:
    with app.test_request_context(headers={"Accept-Language": {"zh_Hans": "zh-CN"}.get(locale, "en")}):
        written = str(figure(value, places))
    assert f">{shown}</span>" in written and f'title="{Decimal(str(value)):f}"' in written


def test_a_figure_escapes_what_it_is_given(app: Flask) -> None:
    with app.test_request_context():
        assert str(figure('1"><script>', 3)) == '<span class="figure none">–</span>'
        assert str(figure(None)) == '<span class="figure none">–</span>'


def test_dates_follow_the_locale(app: Flask) -> None:
    from neutrality.web.frame import day

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert day(dt.date(2025, 12, 31)) == "2025年12月31日"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert day(dt.date(2025, 12, 31)) == "Dec 31, 2025"


def test_the_balance_chart_is_an_svg_in_the_readers_language_revalidated_by_its_etag(client, uow, world) -> None:
    sign_in(client, _member(uow, world, Role.VIEWER))
    url = f"/organisations/{world.org_a}/periods/{world.period_verified}/balance.svg"
    chart = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert (chart.status_code, chart.mimetype) == (200, "image/svg+xml")
    svg = chart.text
    # under the claim: gross 731.52 t, no certificate, residual 731.52, the 100 VCUs not counted
    assert "731.52" in svg and "<script" not in svg and "<style" not in svg
    again = client.get(url, headers={"Accept-Language": "zh-CN", "If-None-Match": chart.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(url, headers={"Accept-Language": "en"}).headers["ETag"] != chart.headers["ETag"]


def test_there_is_no_chart_without_an_inventory_nor_for_someone_signed_out(client, uow, world) -> None:
    url = f"/organisations/{world.org_a}/periods/{world.period_a}/balance.svg"
    assert client.get(url).status_code == 404  # signed out: nothing to learn
    sign_in(client, _member(uow, world, Role.VIEWER))
    assert client.get(url).status_code == 404  # period_a has no inventory


def test_the_language_chosen_before_signing_in_stays_after_it(client, uow, world) -> None:
    # the account has chosen nothing; the visitor chose 简体 on the sign-in page, and signing in
    # (a fresh session, against fixation) keeps that choice
    email = _member(uow, world)
    _switch(client, "zh_Hans", "/login")
    sign_in(client, email)
    page = client.get(f"/organisations/{world.org_a}", headers={"Accept-Language": "en"}).text
    assert '<html lang="zh-Hans">' in page
