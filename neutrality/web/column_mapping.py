"""Mapping a file's own columns to our fields on the page, as the API's ``mapping`` does.

A ledger whose headers the import does not know (「耗电量（度）」, "Werk") is refused with one
error per unknown or missing column. Instead of writing a JSON mapping, the user picks, for each
header of the file, the field it holds or "ignore", and may give a field the same value on every
row (the unit "kWh", the site). The choice is sent back with the file waiting for confirmation
and read by :class:`~neutrality.inventory.importing.ColumnMapping`, which checks it (a field
given twice, a fixed field also mapped) exactly as for the API; the import saves it for the
file's layout, so next month's file of the same layout is read without asking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from neutrality.inventory.importing import FIELDS, REQUIRED_FIELDS, ColumnMapping
from neutrality.spreadsheets import UNKNOWN_COLUMN, RowError

#: The choice "this column is not data" in a column's list.
IGNORE = "-"

#: Our fields as the mapping form names them.
FIELD_LABELS: Mapping[str, Any] = {
    "site": _l("Site"), "source": _l("Source"), "scope": _l("Scope"),
    "scope1_subtype": _l("Scope 1 kind (stationary, mobile, process, fugitive)"),
    "scope3_category": _l("Scope 3 category"), "iso_category": _l("ISO 14064-1 category"),
    "activity_type": _l("Activity type"), "quantity": _l("Quantity"), "unit": _l("Unit"),
    "start_date": _l("Start date"), "end_date": _l("End date"), "evidence": _l("Evidence"),
    "data_quality": _l("Data quality"), "uncertainty_percent": _l("Uncertainty (± %)"),
    "factor_key": _l("Emission factor key"), "gas": _l("Gas"), "method": _l("Method"),
    "payer": _l("Who pays the transport"), "ownership": _l("Who controls the vehicle"),
    "direction": _l("Direction (upstream or downstream)"), "weight": _l("Weight carried"),
    "weight_unit": _l("Unit of the weight"),
}


@dataclass(frozen=True)
class ColumnChoice:
    """One header of the file and what it is read as: a field, :data:`IGNORE`, or "" when
    nobody has said (an unknown column)."""

    index: int
    header: str
    chosen: str


@dataclass(frozen=True)
class MappingForm:
    """What the mapping step shows: each column's choice and the fixed values given."""

    columns: tuple[ColumnChoice, ...]
    fixed: Mapping[str, str]
    fields: Sequence[str] = FIELDS
    fixable: Sequence[str] = REQUIRED_FIELDS

    @property
    def labels(self) -> Mapping[str, Any]:
        return FIELD_LABELS

    def as_mapping(self) -> ColumnMapping:
        """The mapping the choices make (raises InvalidInput, naming the problem, for a field
        chosen twice or both fixed and mapped)."""
        columns = {c.header: (None if c.chosen == IGNORE else c.chosen) for c in self.columns if c.chosen}
        return ColumnMapping(columns, {k: v for k, v in self.fixed.items() if v})

    def stored(self) -> dict[str, Any]:
        """The choices as the session keeps them until the confirmation."""
        mapping = self.as_mapping()
        return {"columns": dict(mapping.columns), "fixed": dict(mapping.fixed)}


def concerns_columns(errors: Iterable[RowError]) -> bool:
    """Whether a refusal is about the file's columns (unknown or missing), which the mapping
    step fixes, rather than about the values of its rows."""
    return any(str(e.reason) == UNKNOWN_COLUMN or str(e.reason).startswith("missing required column")
               for e in errors)


def proposed(header: Sequence[str], mapping: ColumnMapping | None = None) -> MappingForm:
    """Each header as the import reads it now (with ``mapping``, or our own and the usual
    Chinese headers): the starting point of the user's choices."""
    reader = mapping or ColumnMapping()
    columns = []
    for index, name in enumerate(header):
        if not name.strip():
            continue
        known, target = reader.target(name)
        columns.append(ColumnChoice(index, name, (target or IGNORE) if known else ""))
    return MappingForm(tuple(columns), dict(reader.fixed))


def submitted(header: Sequence[str], form: Mapping[str, str]) -> MappingForm:
    """The user's choices from the posted form (``column-<index>``, ``fixed-<field>``); a
    value that is not one of the choices counts as not chosen (the import then names the
    column as unknown, as it would for any file)."""
    columns = []
    for index, name in enumerate(header):
        if not name.strip():
            continue
        value = form.get(f"column-{index}", "")
        columns.append(ColumnChoice(index, name, value if value in FIELDS or value == IGNORE else ""))
    fixed = {name: form.get(f"fixed-{name}", "").strip()[:200] for name in REQUIRED_FIELDS}
    return MappingForm(tuple(columns), {k: v for k, v in fixed.items() if v})
