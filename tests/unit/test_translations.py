"""Every text the pages show is translated into 简体 and 繁體: the catalogues hold a translation
for each message the source marks for translation (extracted afresh, as ``pybabel extract``
does), so a new label cannot reach a Chinese reader in English unnoticed."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from neutrality.translations.catalogues import catalogue_path, extract


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    template = tmp_path_factory.mktemp("babel") / "messages.pot"
    extract(template)
    with template.open("rb") as file:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_marked_text_has_a_translation(marked: set[str], locale: str) -> None:
    with catalogue_path(locale).open("rb") as file:
        catalogue = read_po(file, locale=locale)
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.id and m.string}
    assert sorted(marked - translated) == []
    assert len(marked) > 60  # the pages' labels, messages and choices


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"(?<!{){(\w*)}(?!})", text)) + sorted(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_translation_names_the_values_of_its_english(locale: str) -> None:
    """A translation that drops {row} or adds {rows} would show the English instead (or a wrong
    sentence): each names exactly the values its English does."""
    with catalogue_path(locale).open("rb") as file:
        catalogue = read_po(file, locale=locale)
    wrong = [m.id for m in catalogue if m.id and isinstance(m.id, str) and m.string
             and _placeholders(m.id) != _placeholders(m.string)]
    assert wrong == []
