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

from collections.abc import Callable, Mapping
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

    def say(self, translate: Callable[[str], str]) -> str:
        """The sentence in the language of ``translate`` (a catalogue lookup of a template)."""
        template = translate(self.msgid)
        values = {name: say(value, translate) for name, value in self.params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            # A translation that names a value the template does not have: the English, which
            # is right, rather than an error page about a catalogue entry.
            return str(self)


def _rebuild(msgid: str, params: dict[str, Any]) -> Msg:
    return Msg(msgid, **params)


def say(value: Any, translate: Callable[[str], str]) -> Any:
    """``value`` with every ``Msg`` in it said through ``translate``: a sentence, or the lists
    and mappings of an error's details; anything else unchanged."""
    if isinstance(value, Msg):
        return value.say(translate)
    if isinstance(value, Mapping):
        return {key: say(item, translate) for key, item in value.items()}
    if isinstance(value, list):
        return [say(item, translate) for item in value]
    if isinstance(value, tuple):
        items = [say(item, translate) for item in value]
        # a named tuple (a row error) stays one, so the pages still read its fields by name
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value
