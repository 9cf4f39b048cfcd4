"""Words for the user written by pure code, marked for translation without Flask.

A service, an import or a rule explains a refusal in an English sentence. Written as
``Msg("row {row}: the date is not a date", row=4)`` the sentence is still a plain ``str`` (logs,
the CLI, every ``in``/``==`` in the code and the tests read it unchanged), and it also remembers
its template and its values. The edge that knows the reader's language (the pages and the API
envelope: :func:`neutrality.web.frame.say`) looks the template up in the catalogue
(``pybabel extract -k Msg``) and fills in the values, translating those that are ``Msg`` too.

Values are written with ``str.format``: braces in a template name a value, ``{{`` is a brace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any


class Msg(str):
    """An English sentence that can be said again in another language (see the module)."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.msgid, dict(self.params)))

    def say(self, translate: Callable[[str], str], locale: str = "en") -> str:
        """The sentence in the language of ``translate`` (a catalogue lookup of a template);
        values written in each language (:class:`Written`) in ``locale``."""
        template = translate(self.msgid)
        values = {name: say(value, translate, locale) for name, value in self.params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            # A translation that names a value the template does not have: the English, which
            # is right, rather than an error page about a catalogue entry.
            return str(self)


def joined(items: Iterable[Any], separator: str = ", ") -> str:
    """``separator.join(items)`` that keeps each item that is a ``Msg`` (or ``Written``) sayable:
    a list of refusals, each said in the reader's language. Its template is not in the catalogue
    (it is only the items and the separator), so it is said as it is, with its items said."""
    items = list(items)
    if not any(isinstance(item, Msg | Written) for item in items):
        return separator.join(map(str, items))
    names = {f"item{n}": item for n, item in enumerate(items)}
    between = separator.replace("{", "{{").replace("}", "}}")
    return Msg(between.join("{" + name + "}" for name in names), **names)


def _rebuild(msgid: str, params: dict[str, Any]) -> Msg:
    return Msg(msgid, **params)


class Written(str):
    """A sentence already written in each language (a rule's explanation, from the rule
    catalogue): its English as a ``str``, the others said by locale."""

    by_locale: Mapping[str, str]

    def __new__(cls, en: str, /, **by_locale: str) -> Written:
        self = super().__new__(cls, en)
        self.by_locale = by_locale
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_written, (str(self), dict(self.by_locale)))

    def in_locale(self, locale: str) -> str:
        return self.by_locale.get(locale) or str(self)


def _written(en: str, by_locale: dict[str, str]) -> Written:
    return Written(en, **by_locale)


def say(value: Any, translate: Callable[[str], str], locale: str = "en") -> Any:
    """``value`` with every ``Msg`` in it said through ``translate`` and every ``Written`` in
    ``locale``: a sentence, or the lists and mappings of an error's details; anything else
    unchanged."""
    if isinstance(value, Written):
        return value.in_locale(locale)
    if isinstance(value, Msg):
        return value.say(translate, locale)
    if isinstance(value, Mapping):
        return {key: say(item, translate, locale) for key, item in value.items()}
    if isinstance(value, list):
        return [say(item, translate, locale) for item in value]
    if isinstance(value, tuple):
        items = [say(item, translate, locale) for item in value]
        # a named tuple (a row error) stays one, so the pages still read its fields by name
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value


# --- kept in a document ---------------------------------------------------------------------------
#
# A verified inventory keeps its figures as a JSON document, frozen: its sentences (the
# disclosures) must still be said in each reader's language years later, so they are kept as
# their templates and values, not as the English they read as.


def to_data(value: Any) -> Any:
    """``value`` (a sentence, or plain data) as JSON data from which :func:`from_data` makes the
    same sentence again."""
    if isinstance(value, Written):
        return {"written": str(value), "by_locale": dict(value.by_locale)}
    if isinstance(value, Msg):
        return {"msgid": value.msgid, "params": {name: to_data(item) for name, item in value.params.items()}}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def from_data(data: Any) -> Any:
    """The sentence (or value) :func:`to_data` kept."""
    if isinstance(data, dict):
        if "msgid" in data:
            return Msg(data["msgid"], **{name: from_data(item) for name, item in data.get("params", {}).items()})
        if "written" in data:
            return Written(data["written"], **data.get("by_locale", {}))
        if "decimal" in data:
            return Decimal(data["decimal"])
        if "date" in data:
            return dt.date.fromisoformat(data["date"])
    return data
