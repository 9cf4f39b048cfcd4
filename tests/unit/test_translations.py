"""Every text the pages show is translated into 简体 and 繁體: the catalogues hold a translation
for each message the source marks for translation (extracted afresh, as ``pybabel extract``
does), so a new label cannot reach a Chinese reader in English unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    template = tmp_path_factory.mktemp("babel") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-k", "_l", "-o", str(template), str(ROOT)])
    with template.open("rb") as file:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_marked_text_has_a_translation(marked: set[str], locale: str) -> None:
    with (ROOT / "neutrality" / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file, locale=locale)
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.id and m.string}
    assert sorted(marked - translated) == []
    assert len(marked) > 60  # the pages' labels, messages and choices
