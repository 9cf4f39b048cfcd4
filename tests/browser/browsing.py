"""What a person does in the browser, for the journeys: sign in with the form, switch the language
with the header's buttons, and what a page's script could send (a fetch with the page's CSRF
token). The demo's accounts; figures and texts as a reader expects them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from neutrality.demo import DEMO_USERS, email

#: The demo's accounts by the local part of their e-mail address: (e-mail, password).
ACCOUNTS = {local: (email(local), password) for _role, local, _name, password in DEMO_USERS}

#: The <html lang> of a page in each of the application's locales (BCP 47, as browsers read it).
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}

#: The name of each language on its switch button, written in that language.
LANGUAGE_BUTTON = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}

TRANSLATIONS = Path(__file__).resolve().parents[2] / "neutrality" / "translations"


def sign_in(page: Any, who: str, password: str) -> None:
    """Sign in through the sign-in form, as a person does: type, then press the form's own button
    (the header's language buttons submit a form too)."""
    if not page.url.split("?")[0].endswith("/login"):
        page.goto("/login")
    form = page.locator("main form").filter(has=page.locator("input[name=email]"))
    form.locator("input[name=email]").fill(who)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if page.url.split("?")[0].endswith("/login"):
        refusal = page.locator("main .error").all_inner_texts()
        raise AssertionError(f"{who} could not sign in: {refusal}")


def sign_in_as(page: Any, local: str) -> None:
    """Sign in as one of the demo's accounts (``lead``, ``viewer``, ``admin``, ...)."""
    sign_in(page, *ACCOUNTS[local])


def sign_out(page: Any) -> None:
    with page.expect_navigation():
        page.locator("header form[action='/logout'] button[type=submit]").click()


def choose_language(page: Any, locale: str) -> None:
    """Press the header's button of ``locale`` and wait for the page it leads back to."""
    with page.expect_navigation():
        page.locator(f"header button[name=locale][value={locale}]").click()


def expect_language(page: Any, locale: str) -> None:
    """The page is written in ``locale``: its <html lang> says so (waiting out a navigation)."""
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])


def follow(page: Any, link: Any) -> None:
    """Click a link and wait for the page it leads to."""
    with page.expect_navigation():
        link.click()


def fetch(page: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """What a script on the page could send: ``fetch`` with the browser's cookie and the CSRF
    token of the page's own forms. Answers (status, JSON body)."""
    return tuple(page.evaluate(
        """async ([method, path, body]) => {
             const token = document.querySelector('input[name=csrf_token]').value;
             const answer = await fetch(path, {
               method, credentials: 'same-origin',
               headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
               body: body === null ? undefined : JSON.stringify(body)});
             return [answer.status, await answer.json()];
           }""",
        [method, path, body],
    ))


def api_get(page: Any, path: str) -> Any:
    """GET an API path with the browser's cookie (the signed-in user's view of it)."""
    answer = page.request.get(path)
    assert answer.status == 200, f"GET {path} answered {answer.status}: {answer.text()}"
    return answer.json()


def figure(exact: str | Decimal) -> str:
    """A figure as the pages write it: rounded half up to 3 decimals, thousands grouped with
    commas. CLDR's English and Chinese (简体 and 繁體) number formats both group with "," and
    mark decimals with ".", so this is the text in all three languages."""
    shown = Decimal(exact).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return f"{shown:,.3f}"


@cache
def _catalogue(locale: str) -> dict[str, str]:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return {m.id: m.string for m in read_po(file, locale=locale) if isinstance(m.id, str) and m.string}


def translated(text: str, locale: str) -> str:
    """``text`` as the translators wrote it for ``locale`` (English is the source)."""
    if locale == "en":
        return text
    return _catalogue(locale)[text]


def tab_to(page: Any, target: Any, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user moves through a form; fail
    if it is never reached (out of the tab order, or hidden)."""
    for _ in range(limit):
        if target.evaluate("(el) => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {target}")


def post_form(page: Any, path: str, fields: dict[str, str], files: dict[str, tuple[str, str]] | None = None) -> int:
    """What a script on the page could send as a form: a multipart POST with the browser's
    cookie and the CSRF token of the page's own forms (``files``: name → (file name, text)).
    Answers the status."""
    return page.evaluate(
        """async ([path, fields, files]) => {
             const form = new FormData();
             form.append('csrf_token', document.querySelector('input[name=csrf_token]').value);
             for (const [name, value] of Object.entries(fields)) form.append(name, value);
             for (const [name, [filename, text]] of Object.entries(files))
               form.append(name, new Blob([text]), filename);
             const answer = await fetch(path, {method: 'POST', credentials: 'same-origin', body: form});
             return answer.status;
           }""",
        [path, fields, files or {}],
    )
