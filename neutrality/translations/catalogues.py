"""Keeping the 简体 and 繁體 catalogues (``bin/translations``): extract, list what is missing,
fill from TSV, compile. A maintenance tool; the application only reads the compiled catalogues.

The marks: ``_``/``gettext`` and ``_l``/``lazy_gettext`` in the web layer and the templates,
``Msg`` (:mod:`neutrality.messages`) in pure code.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("zh_Hans", "zh_Hant")
KEYWORDS = ("_l", "lazy_gettext", "Msg")


def catalogue_path(locale: str) -> Path:
    return ROOT / "neutrality" / "translations" / locale / "LC_MESSAGES" / "messages.po"


def extract(template: Path) -> None:
    # No source locations: they change with every edit and would make every merge conflict.
    arguments = ["pybabel", "-q", "extract", "--no-location", "-F", str(ROOT / "babel.cfg")]
    for keyword in KEYWORDS:
        arguments += ["-k", keyword]
    CommandLineInterface().run([*arguments, "-o", str(template), str(ROOT)])


def update() -> None:
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "messages.pot"
        extract(template)
        CommandLineInterface().run(["pybabel", "-q", "update", "-i", str(template), "-d",
                                    str(ROOT / "neutrality" / "translations"),
                                    "--no-fuzzy-matching", "--ignore-obsolete"])


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def missing() -> None:
    update()
    catalogues = {}
    for locale in LOCALES:
        with catalogue_path(locale).open("rb") as file:
            catalogues[locale] = read_po(file, locale=locale)
    ids = []
    for message in catalogues[LOCALES[0]]:
        if message.id and not isinstance(message.id, tuple):
            if any(not (catalogues[loc].get(message.id) and catalogues[loc][message.id].string)
                   for loc in LOCALES):
                ids.append(message.id)
    for msgid in ids:
        row = [msgid] + [catalogues[loc][msgid].string or "" for loc in LOCALES]
        print("\t".join(_escape(cell) for cell in row))


def fill(paths: list[str]) -> None:
    translations: dict[str, tuple[str, str]] = {}
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            cells = line.split("\t")
            if len(cells) != 3:
                sys.exit(f"{path}:{number}: expected msgid, 简体 and 繁體 separated by tabs")
            msgid, hans, hant = (_unescape(cell) for cell in cells)
            translations[msgid] = (hans, hant)
    update()
    for index, locale in enumerate(LOCALES):
        path = catalogue_path(locale)
        with path.open("rb") as file:
            catalogue = read_po(file, locale=locale)
        for message in catalogue:
            if message.id in translations and translations[message.id][index]:
                message.string = translations[message.id][index]
                message.flags.discard("fuzzy")
        with path.open("wb") as file:
            write_po(file, catalogue, width=100)
    compile_catalogues()


def compile_catalogues() -> None:
    CommandLineInterface().run(["pybabel", "-q", "compile", "-d",
                                str(ROOT / "neutrality" / "translations")])


def main(arguments: list[str]) -> None:
    command, rest = (arguments[0], arguments[1:]) if arguments else ("update", [])
    if command == "update":
        update()
        compile_catalogues()
    elif command == "missing":
        missing()
    elif command == "fill":
        fill(rest)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
