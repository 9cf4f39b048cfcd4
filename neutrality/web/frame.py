"""What every page shares: the language it is written in, how it writes figures and dates, and
the language switch.

The language of a page is the signed-in user's choice (kept with the account), else the one
chosen in this browser before signing in, else the browser's own preference
(:func:`neutrality.web.locale.pick_locale`), else English.

Figures are exact ``Decimal``s everywhere below the pages; a page shows tCO2e and MWh rounded
half up to 3 decimals, in the locale's digits and separators, with the exact value as the
element's title (on hover) and in the exports.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import format_date, format_decimal, get_locale, gettext
from flask_wtf import FlaskForm
from markupsafe import Markup

from neutrality.access.model import Permission
from neutrality.accounts import services as accounts
from neutrality.errors import NeutralityError
from neutrality.messages import say as _say
from neutrality.settings import SUPPORTED_LOCALES
from neutrality.web.context import actor, uow
from neutrality.web.locale import pick_locale

bp = Blueprint("frame", __name__)


class ButtonForm(FlaskForm):
    """A form whose buttons carry nothing but the CSRF token: sign out, confirm, undo, apply."""

#: The key of the Flask session keeping the language chosen before signing in.
LOCALE_KEY = "locale"

#: The language switch: each locale named in its own language.
LANGUAGES = (("en", "English"), ("zh_Hans", "简体中文"), ("zh_Hant", "繁體中文"))


def choose_locale() -> str:
    """The language of this request's page (see the module's docstring)."""
    chosen = actor().locale or session.get(LOCALE_KEY)
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    return pick_locale(request.accept_languages, SUPPORTED_LOCALES)


def _local(target: str | None) -> str:
    """A path on this site to go back to; the home page for anything else (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("pages.home")
    return target


@bp.post("/language")
def switch_language() -> Any:
    """Choose the page language: for this browser, and for the account when signed in."""
    locale = request.form.get("locale", "")
    if locale in SUPPORTED_LOCALES:
        session[LOCALE_KEY] = locale
        if actor().user_id is not None:
            try:
                accounts.set_own_locale(uow(reading=False), actor(), locale)
            except NeutralityError:
                pass  # the browser keeps the choice; the account keeps its earlier one
    return redirect(_local(request.form.get("next")))


# --- figures and dates -------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def figure(value: Any, places: int = 3) -> Markup:
    """An exact figure as people read it: rounded half up to ``places``, the locale's separators,
    the exact value on hover. Nothing for no value."""
    exact = _decimal(value)
    if exact is None:
        return Markup('<span class="figure none">–</span>')
    step = Decimal(1).scaleb(-places)
    shown = exact.quantize(step, rounding=ROUND_HALF_UP)
    if shown == 0:
        shown = abs(shown)  # never "-0.000"
    pattern = "#,##0" + ("." + "0" * places if places else "")
    text = format_decimal(shown, format=pattern)
    # Markup.format escapes what it is given: the exact value and the text are never markup
    return Markup('<span class="figure{}" title="{}">{}</span>').format(
        " negative" if shown < 0 else "", format(exact, "f"), text)


def percent(value: Any) -> Markup:
    """A percentage to 1 decimal, exact on hover."""
    shown = figure(value, 1)
    return shown if _decimal(value) is None else Markup("{}&nbsp;%").format(shown)


def day(value: dt.date | None) -> str:
    """A date as the locale writes it (2025年12月31日, Dec 31, 2025); nothing for none."""
    if value is None:
        return ""
    return format_date(value, format="medium")


def period_name(period: Any) -> str:
    """An application period as people call it: its year when it is one calendar year (2024,
    2024年), else its first and last days."""
    start, end = period.start_date, period.end_date
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year) if str(get_locale()) == "en" else f"{start.year}年"
    return f"{day(start)} – {day(end)}"


def say(value: Any) -> Any:
    """Words written by pure code (:class:`neutrality.messages.Text`: a sentence, or the lists
    and mappings of an error's details) in this request's language; anything else unchanged."""
    return _say(value, gettext, str(get_locale()))


def may(permission: str, organisation_id: int) -> bool:
    """Whether the visitor may do this in the organisation: pages offer a write action only to
    those who may take it (the services refuse the others whatever the page shows)."""
    return actor().can(Permission(permission), organisation_id)


def _sign_out_form() -> dict[str, Any]:
    """Every page's header offers the signed-in user the sign-out button."""
    # formdata=None: the button only renders, and reads no request body (the error page for a
    # body over the upload limit would otherwise read it again and fail in its turn)
    return {"logout": ButtonForm(formdata=None) if actor().is_authenticated else None}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["figure"] = figure
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["period_name"] = period_name
    app.jinja_env.filters["in_locale"] = lambda text, locale: text.in_locale(locale)
    app.jinja_env.filters["say"] = say
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["may"] = may
    app.context_processor(_sign_out_form)
    app.register_blueprint(bp)
