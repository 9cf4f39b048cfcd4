"""The header's language switch: the page turns to the language chosen, the choice holds from page
to page, and the account keeps it, so it holds in another browser after signing in again. The
keyboard alone works it."""

from __future__ import annotations

import re

import pytest
from browsing import (
    LANGUAGE_BUTTON,
    api_get,
    choose_language,
    expect_language,
    follow,
    sign_in_as,
    sign_out,
    translated,
)
from playwright.sync_api import expect

#: Any CJK ideograph: text in Chinese has them, English text has none.
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_the_chosen_language_holds_across_pages_and_in_another_browser(page, new_page, shoot, locale) -> None:
    sign_in_as(page, "lead")
    choose_language(page, "en")  # from English, whatever an earlier test left on the account
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")

    choose_language(page, locale)
    expect_language(page, locale)
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("Organisations", locale))
    expect(page.locator(f"header button[value={locale}]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("header button[value=en]")).to_have_attribute("aria-pressed", "false")

    # From page to page: the dashboard, then a period, whose dates are written the Chinese way
    # (CLDR's medium date in both scripts: 2024年1月1日).
    follow(page, page.locator("main table a").first)
    expect_language(page, locale)
    follow(page, page.locator("main table tbody th a").first)
    expect_language(page, locale)
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024年1月1日")
    expect(page.locator("header form[action='/logout'] button")).to_have_text(translated("Sign out", locale))
    shoot(page, "period")

    # The account keeps it: signed out and in again here, then in a browser that never chose.
    assert api_get(page, "/api/v1/me")["locale"] == locale
    sign_out(page)
    sign_in_as(page, "lead")
    expect_language(page, locale)
    elsewhere = new_page(locale="en-GB")  # a browser asking for English
    sign_in_as(elsewhere, "lead")
    expect_language(elsewhere, locale)
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text(translated("Organisations", locale))


def test_the_keyboard_alone_switches_the_language(page) -> None:
    page.goto("/login")
    expect_language(page, "en")
    for locale in ("zh_Hans", "zh_Hant", "en"):
        button = page.locator(f"header button[value={locale}]")
        expect(button).to_have_text(LANGUAGE_BUTTON[locale])
        # Tab from the top of the page to the button, as a keyboard user goes: the skip link and
        # the brand come first; a button out of the tab order would never be reached. Each
        # switch loads a new page, so every round starts from the top.
        for _ in range(10):
            page.keyboard.press("Tab")
            if button.evaluate("(el) => el === document.activeElement"):
                break
        else:
            pytest.fail(f"Tab never reaches the {LANGUAGE_BUTTON[locale]} button")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect_language(page, locale)
        expect(page.get_by_role("heading", level=1)).to_have_text(translated("Sign in", locale))
        if locale != "en":
            assert HAN.search(page.get_by_role("heading", level=1).inner_text())


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_heading_of_the_dashboard_and_a_period_turns_chinese(page, locale) -> None:
    """Each heading, column header and caption the pages write (not the names people entered)
    reads differently once the page is in Chinese, and is written in Chinese characters."""
    sign_in_as(page, "lead")
    chrome = "main h2, main th[scope=col], main caption, main table.facts th[scope=row]"
    seen = {}
    for language in ("en", locale):
        choose_language(page, language)
        page.goto("/organisations/1")
        dashboard = page.locator("main th[scope=col], main caption").all_inner_texts()
        page.goto("/organisations/1/periods/1")
        seen[language] = dashboard + page.locator(chrome).all_inner_texts()
    untranslated = [english for english, chinese in zip(seen["en"], seen[locale], strict=True)
                    if english == chinese or not HAN.search(chinese)]
    assert untranslated == []
