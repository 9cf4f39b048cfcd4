"""Storing many activity records fast (:func:`neutrality.bulk.insert_rows`).

The records arrive validated (the importer's parser) as columns, and are written row by row
from those columns, each column's values converted once per distinct value where few differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from neutrality.bulk import insert_rows

#: The columns :func:`store_records` writes.
COLUMNS = (
    "inventory_id", "site_id", "import_id", "source", "scope", "scope1_subtype", "scope3_category",
    "iso_category", "activity_type", "quantity", "unit", "start_date", "end_date", "factor_key",
    "gas", "method", "data_quality", "uncertainty_percent", "evidence", "fingerprint", "extra",
    "source_row",
)  # fmt: skip

#: PostgreSQL types of :data:`COLUMNS`, for the binary COPY.
_PG_TYPES = (
    "int4", "int4", "int4", "varchar", "int4", "varchar", "int4",
    "int4", "varchar", "numeric", "varchar", "date", "date", "varchar",
    "varchar", "varchar", "varchar", "numeric", "varchar", "varchar", "json",
    "int4",
)  # fmt: skip

#: A column's values: one per record, or one value for every record.
Values = Sequence[Any] | np.ndarray | int | str | None


def fingerprint_order(fingerprints: np.ndarray) -> np.ndarray:
    """Positions that sort the records by fingerprint.

    Stored in this order, the unique index on (inventory, fingerprint) grows at its end instead
    of splitting pages at random (several times faster for a million rows). The fingerprints are
    hexadecimal, so sorting their bytes is sorting the text.
    """
    return np.argsort(np.asarray(fingerprints, dtype=object).astype("S64"), kind="stable")


def store_records(session: Session, columns: Mapping[str, Values], count: int) -> None:
    """Insert ``count`` records given by column (every name of :data:`COLUMNS`).

    A column is a sequence of ``count`` values, or one value (a scalar) shared by every record.
    """
    if count == 0:
        return

    def rows_for(dialect: str) -> Iterator[tuple[Any, ...]]:
        conversions = _BOTH if dialect == "postgresql" else _SQLITE
        return zip(*(_column(columns[name], count, conversions.get(name)) for name in COLUMNS), strict=True)

    insert_rows(session, "activity_records", COLUMNS, rows_for, _PG_TYPES)


def _column(values: Values, count: int, conversion: tuple[Any, bool] | None) -> Iterable[Any]:
    convert, few = conversion or (None, False)
    if values is None or isinstance(values, int | str):
        return repeat(convert(values) if convert else values, count)
    if len(values) != count:
        raise ValueError(f"a column has {len(values)} values for {count} records")
    if convert is None:
        return iter(values)
    if not few:
        return map(convert, values)
    # Few distinct values (enum members, dates): convert each distinct value once.
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    converted = np.empty(len(uniques) + 1, dtype=object)
    converted[: len(uniques)] = [convert(u) for u in uniques]
    converted[-1] = None  # factorize codes None as -1, which picks this last item
    return iter(converted[codes])


def _plain(value: Any) -> Any:
    """An enum member as its plain value (the drivers want ``str`` and ``int``)."""
    return getattr(value, "value", value)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _text(value: Any) -> str | None:
    # SQLite keeps decimals as their exact text (neutrality.db.ExactDecimal).
    return None if value is None else str(value)


def _date_text(value: Any) -> str | None:
    return None if value is None else value.isoformat()


_ENUMS = ("scope", "scope1_subtype", "iso_category", "activity_type", "method", "data_quality")
_BOTH: dict[str, tuple[Any, bool]] = {name: (_plain, True) for name in _ENUMS}
_SQLITE = {
    **_BOTH,
    "extra": (_json, False),
    "quantity": (_text, False),
    "uncertainty_percent": (_text, False),
    "start_date": (_date_text, True),
    "end_date": (_date_text, True),
}
