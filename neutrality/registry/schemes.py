"""The schemes this application knows, read from ``data/schemes.csv``.

Pure: no Flask, no database.

Adding a scheme is adding a row (and, for a new serial layout, a parser in
:mod:`neutrality.registry.serials`), not editing branches elsewhere.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from neutrality.errors import InvalidInput
from neutrality.messages import Msg
from neutrality.registry.model import InstrumentKind, Scheme


@functools.cache
def load_schemes() -> dict[str, Scheme]:
    text = resources.files("neutrality.registry").joinpath("data", "schemes.csv").read_text("utf-8")
    return {
        row["code"]: Scheme(
            code=row["code"], name=row["name"], kind=InstrumentKind(row["kind"]),
            registry=row["registry"], serial_format=row["serial_format"],
            unconfirmed=row["unconfirmed"] == "true",
        )
        for row in csv.DictReader(io.StringIO(text))
    }


def scheme(code: str) -> Scheme:
    """The scheme of ``code`` (case-insensitive), or a clear error listing the known ones."""
    schemes = load_schemes()
    found = schemes.get(code.strip().upper())
    if found is None:
        raise InvalidInput(
            Msg("unknown scheme '{code}'; known: {known}", code=code, known=", ".join(sorted(schemes))), {"scheme": [code]}
        )
    return found
