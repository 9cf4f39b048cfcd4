"""Choosing the page language: English, Simplified or Traditional Chinese."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Browsers send regions, not scripts: mainland China and Singapore read Simplified characters,
# Taiwan, Hong Kong and Macao Traditional.
_SCRIPT_BY_TAG = {
    "zh-cn": "zh_Hans", "zh-sg": "zh_Hans", "zh-hans": "zh_Hans", "zh": "zh_Hans",
    "zh-tw": "zh_Hant", "zh-hk": "zh_Hant", "zh-mo": "zh_Hant", "zh-hant": "zh_Hant",
}


def pick_locale(accept_languages: Iterable[tuple[str, float]], supported: Sequence[str]) -> str:
    """The first supported language in the browser's preference order; English otherwise."""
    for tag, _quality in accept_languages:
        tag = tag.lower().replace("_", "-")
        locale = _SCRIPT_BY_TAG.get(tag) or _SCRIPT_BY_TAG.get("-".join(tag.split("-")[:2]))
        if locale is None and tag.split("-")[0] == "en":
            locale = "en"
        if locale in supported:
            return locale
    return "en"
