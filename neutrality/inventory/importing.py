"""Activity data imports, the pure half: uploaded file bytes → validated activity rows, or every error.

Pure: no Flask, no database.

:func:`parse_activity_file` reads a CSV or XLSX file, maps the customer's columns to our fields,
checks every cell and every row, and returns either **all** rows or **every** error: an import is
atomic, so the service stores nothing while one error remains. A preview (dry run) is the same
call with nothing stored. The database half (resolving sites, storing, skipping activities already
imported) belongs to the service; nothing here touches a database, Flask or the clock.

Errors name the row as the user sees it in the spreadsheet (the header is row 1, the first data
row is 2) and the column by *their* header, so a message can be acted on without our vocabulary.

Files come as factories keep them: headers in English, 简体 or 繁體 are understood
without a mapping (:data:`HEADER_ALIASES`); a title above the header, a totals row (合计, 總計,
小计, Total) and notes below the data are passed over and listed in :attr:`ParsedImport.skipped`
with their rows, for the preview. :func:`site_key` and :func:`closest_site` compare site names
across 简体/繁體 and full-/half-width forms, for the service that resolves sites.

Speed: the benchmark imports 1,000,000 rows (parse + validate + store) in 20 s, so checks work on
whole columns. The CSV header is read first; columns with few distinct values (site, unit, dates,
scope…) are then read by pandas as categoricals, so each distinct value is decoded, parsed and
checked once and spread to the rows through integer codes. Quantities go through one regular
expression and become a ``Decimal`` once each. pandas stays inside this module: callers get
:class:`ActivityRows`, the rows by column, handed out as :class:`ActivityRow` tuples in chunks
ready for ``executemany`` or COPY.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from neutrality.errors import InvalidInput
from neutrality.inventory.model import (
    SCOPE3_CATEGORIES,
    ActivityType,
    CalculationMethod,
    DataQualityTier,
    IsoCategory,
    Scope,
    Scope1Subtype,
    default_iso_category,
)
from neutrality.inventory.transport import (
    Control,
    Direction,
    Energy,
    Goods,
    Leg,
    LegKind,
    Payer,
    classify_leg,
)
from neutrality.messages import Msg
from neutrality.names import name_key
from neutrality.sheet_limits import ACTIVITY_FILE_LIMITS, Deadline, SheetLimits
from neutrality.spreadsheets import (
    PLAIN_NUMBER,
    UNKNOWN_COLUMN,
    WIDE_CONTEXT,
    BadCell,
    ImportRejected,
    Refused,
    RowError,
    Sheet,
    csv_bytes,
    csv_header,
    header_names,
    is_help_row,
    line_cells,
    named_columns,
    norm,
    parse_date,
    parse_number,
    read_csv_frame,
    read_sheet,
    refuse_unnamed_values,
    snake,
    upload_format,
    with_csv_text,
)
from neutrality.units import Dimension, Unit, UnknownUnit, codes_of, unit

#: Our field names, in the order of the templates. Customers' own headers map onto these.
FIELDS: tuple[str, ...] = (
    "site", "source", "scope", "scope1_subtype", "scope3_category", "iso_category",
    "activity_type", "quantity", "unit", "start_date", "end_date", "evidence", "data_quality",
    "uncertainty_percent", "factor_key", "gas", "method", "payer", "ownership", "direction",
    "weight", "weight_unit",
)  # fmt: skip
#: Fields every file must give, as a column or as a fixed value of the mapping.
REQUIRED_FIELDS: tuple[str, ...] = (
    "site", "source", "scope", "activity_type", "quantity", "unit", "start_date", "end_date",
)  # fmt: skip
#: Fields only transport rows may fill (seed 002 §2.10: payer and control classify a leg).
TRANSPORT_FIELDS: tuple[str, ...] = ("payer", "ownership", "direction", "weight", "weight_unit")
#: The fields of a transport leg that the classifier reads; a file that gives the vehicle's
#: ownership may leave the scope to it.
LEG_FIELDS: tuple[str, ...] = ("payer", "ownership", "direction")
#: Fields with about one distinct value per row: read as text, not as categoricals.
_MANY_VALUES = frozenset({"quantity", "evidence"})

#: Longest text per field, as the activity_records and sites columns allow.
TEXT_LIMITS = {"site": 200, "source": 300, "evidence": 500, "factor_key": 120, "gas": 30}
#: Version of the fingerprint recipe: change it only together with a data migration.
FINGERPRINT_VERSION = "activity-v1"

#: Unit dimensions that fit each activity type (electricity must be energy, refrigerant a mass…).
ALLOWED_DIMENSIONS: Mapping[ActivityType, frozenset[Dimension]] = {
    ActivityType.FUEL: frozenset({Dimension.MASS, Dimension.VOLUME, Dimension.ENERGY}),
    ActivityType.ELECTRICITY: frozenset({Dimension.ENERGY}),
    ActivityType.HEAT_STEAM: frozenset({Dimension.ENERGY, Dimension.MASS}),  # steam in GJ or t
    ActivityType.REFRIGERANT: frozenset({Dimension.MASS}),
    ActivityType.PROCESS: frozenset(
        {Dimension.MASS, Dimension.VOLUME, Dimension.ENERGY, Dimension.COUNT}
    ),
    ActivityType.MATERIAL: frozenset(
        {Dimension.MASS, Dimension.VOLUME, Dimension.COUNT, Dimension.CURRENCY}
    ),
    # t·km, or km with the weight carried; a currency when only the freight bill is known
    ActivityType.TRANSPORT: frozenset({Dimension.FREIGHT, Dimension.DISTANCE, Dimension.CURRENCY}),
    ActivityType.WASTE: frozenset({Dimension.MASS, Dimension.VOLUME, Dimension.CURRENCY}),
    ActivityType.TRAVEL: frozenset(
        {Dimension.PASSENGER_DISTANCE, Dimension.DISTANCE, Dimension.COUNT, Dimension.CURRENCY}
    ),
    ActivityType.COMMUTING: frozenset(
        {Dimension.PASSENGER_DISTANCE, Dimension.DISTANCE, Dimension.CURRENCY}
    ),
    ActivityType.SPEND: frozenset({Dimension.CURRENCY}),
    ActivityType.OTHER: frozenset(Dimension),
}
#: What the user should write instead, when a unit does not fit the activity type.
_DIMENSION_HINTS = {
    ActivityType.FUEL: Msg("a mass, volume or energy unit (t, L, m3, GJ…)"),
    ActivityType.ELECTRICITY: Msg("an energy unit (kWh, MWh…)"),
    ActivityType.HEAT_STEAM: Msg("an energy or mass unit (GJ, t…)"),
    ActivityType.REFRIGERANT: Msg("a mass unit (kg, t…)"),
    ActivityType.PROCESS: Msg("a mass, volume, energy or count unit"),
    ActivityType.MATERIAL: Msg("a mass, volume, count or currency unit"),
    ActivityType.TRANSPORT: Msg("t·km, or km with a weight, or a currency for spend-based rows"),
    ActivityType.WASTE: Msg("a mass or volume unit (t, m3…) or a currency"),
    ActivityType.TRAVEL: Msg("p·km, km, a count (nights) or a currency"),
    ActivityType.COMMUTING: Msg("p·km, km or a currency"),
    ActivityType.SPEND: Msg("a currency (CNY, USD…)"),
    ActivityType.OTHER: Msg("a known unit"),
}


#: The units each activity type takes, as an unknown unit's error lists them.
_TAKES = {kind: ", ".join(codes_of(dims)) for kind, dims in ALLOWED_DIMENSIONS.items()}


# --- results -----------------------------------------------------------------------------------


class ActivityRow(NamedTuple):
    """One valid activity, in the column order of ``activity_records``.

    ``site`` is the file's text (a site code or name); the service resolves it. Enum fields hold
    enum members (``str``/``int`` subclasses), dates are ``datetime.date``, quantities exact
    ``Decimal``. ``extra`` holds the transport fields (payer, ownership, weight, weight_unit) as
    text, or None. ``row`` is the spreadsheet row, for errors the service finds (unknown site).
    """

    row: int
    site: str
    source: str
    scope: Scope
    scope1_subtype: Scope1Subtype | None
    scope3_category: int | None
    iso_category: IsoCategory
    activity_type: ActivityType
    quantity: Decimal
    unit: str
    start_date: dt.date
    end_date: dt.date
    factor_key: str | None
    gas: str | None
    method: CalculationMethod
    data_quality: DataQualityTier
    uncertainty_percent: Decimal | None
    evidence: str
    extra: dict[str, str] | None
    fingerprint: str


class ActivityRows(Sequence[ActivityRow]):
    """The valid rows of a file, kept by column, made into :class:`ActivityRow` tuples on demand.

    Iterate, index, or take :meth:`chunks` of rows for an ``executemany`` or a COPY: the store
    then never holds a million tuples at once. The columns are numpy object arrays on purpose:
    the cyclic garbage collector does not traverse them, whereas twenty lists of a million items
    each would be traversed on every full collection (measured: iterating a million rows took
    9 s with the columns as lists, 2 s as arrays). :meth:`column` gives one field's values.
    """

    def __init__(self, columns: Mapping[str, np.ndarray] | None = None):
        if columns is None:
            columns = {name: np.empty(0, dtype=object) for name in ActivityRow._fields}
        self._columns = tuple(columns[name] for name in ActivityRow._fields)
        self._length = len(self._columns[0])

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(
                map(ActivityRow._make, zip(*(c[index] for c in self._columns), strict=True))
            )
        return ActivityRow._make(c[index] for c in self._columns)

    def __iter__(self) -> Iterator[ActivityRow]:
        for chunk in self.chunks():
            yield from chunk

    def chunks(self, size: int = 10_000) -> Iterator[list[ActivityRow]]:
        for start in range(0, self._length, size):
            yield self[start : start + size]

    def take(self, keep: np.ndarray) -> ActivityRows:
        """The rows where the boolean mask ``keep`` is true, in order."""
        return ActivityRows(
            {name: column[keep] for name, column in zip(ActivityRow._fields, self._columns, strict=True)}
        )

    def column(self, name: str) -> Sequence[Any]:
        """One field's values for every row, in row order (read-only)."""
        values = self._columns[ActivityRow._fields.index(name)].view()
        values.flags.writeable = False
        return values


class SkippedRow(NamedTuple):
    """A row of the file that is not an activity and was passed over: a title above the header,
    the templates' help row, a totals row (合计/總計/小计/Total) or a note below the data. The
    preview lists them, so the user sees what was not read."""

    row: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class ImportTotal:
    scope: Scope
    activity_type: ActivityType
    unit: str
    rows: int
    quantity: Decimal


@dataclass(frozen=True)
class ImportPreview:
    """What an import would store (the dry run): the first rows, totals, and every error."""

    filename: str
    sha256: str
    row_count: int
    sample: list[ActivityRow]
    totals: list[ImportTotal]
    errors: list[RowError]
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ParsedImport:
    """The outcome of one parse: all ``rows`` and no errors, or every error and, in ``rows``,
    the rows that have none (for the service's checks against the inventory; never stored).

    ``sha256`` identifies the file (the service refuses the same file twice per inventory);
    each row's ``fingerprint`` identifies the activity (the same activity imported again, from
    another file or another encoding, is not stored twice).
    """

    filename: str
    sha256: str
    file_format: str | None  # "csv" or "xlsx"; None when refused before reading
    encoding: str | None  # codec the text was read with; "utf-8" for XLSX (its XML is UTF-8)
    rows: ActivityRows = field(default_factory=ActivityRows)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)  # rows that are not activities
    header: tuple[str, ...] = ()  # the header row as found in the file; () when refused before
    layout: str | None = None  # its layout_key, under which a mapping given with it is saved
    saved_mapping: bool = False  # read with the mapping saved for that layout

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            raise ImportRejected(self.filename, self.errors)

    def preview(self, limit: int = 20) -> ImportPreview:
        totals: dict[tuple[Scope, ActivityType, str], tuple[int, Decimal]] = {}
        rows = self.rows if self.ok else ActivityRows()  # with errors, nothing would be stored
        keys = zip(
            rows.column("scope"),
            rows.column("activity_type"),
            rows.column("unit"),
            rows.column("quantity"),
            strict=True,
        )
        for key in keys:
            count, quantity = totals.get(key[:3], (0, Decimal(0)))
            totals[key[:3]] = (count + 1, quantity + key[3])
        return ImportPreview(
            self.filename,
            self.sha256,
            len(rows),
            rows[:limit],
            [ImportTotal(s, t, u, n, q) for (s, t, u), (n, q) in sorted(totals.items())],
            self.errors,
            self.skipped,
        )


# --- column mapping ----------------------------------------------------------------------------


def _header_key(header: str) -> str:
    """Comparison form of a header: full-width folded, no case, no blanks, underscores, hyphens
    or the asterisk that marks a required column (「*站点」)."""
    return re.sub(r"[\s_\-*]+", "", norm(header))


#: Headers understood without a mapping, in English, 简体 and 繁體, for each field: the names
#: ledgers kept in Chinese factories give their columns. A header written with its unit
#: (「用电量（千瓦时）」) still needs a mapping that fixes the unit.
_FIELD_HEADERS: Mapping[str, tuple[str, ...]] = {
    "site": (
        "site name", "site code", "plant", "factory", "facility",
        "站点", "站點", "站点名称", "站點名稱", "工厂", "工廠", "工厂名称", "工廠名稱",
        "厂区", "廠區", "厂区名称", "廠區名稱", "厂别", "廠別", "场所", "場所", "设施", "設施",
    ),
    "source": (
        "emission source", "排放源", "排放源名称", "排放源名稱", "来源", "來源",
        "排放设施", "排放設施", "设备", "設備",
    ),
    "scope": ("范围", "範圍", "范畴", "範疇", "排放范围", "排放範圍", "排放范畴", "排放範疇"),
    "scope1_subtype": (
        "scope 1 subtype", "范围一类型", "范围一类别", "範圍一類別", "範疇一類別", "範疇一類型",
    ),
    "scope3_category": (
        "scope 3 category", "范围三类别", "範圍三類別", "範疇三類別", "范畴三类别",
    ),
    "iso_category": ("iso category", "iso 14064-1 category", "iso类别", "iso類別"),
    "activity_type": (
        "activity type", "type", "活动类型", "活動類型", "活动数据类型", "活動數據類型",
        "活動資料類型", "能源类型", "能源類型", "能源种类", "能源種類",
    ),
    "quantity": (
        "amount", "数量", "數量", "用量", "活动数据", "活動數據", "活動資料", "消耗量",
        "活动量", "活動量", "使用量",
    ),
    "unit": ("units", "单位", "單位", "计量单位", "計量單位"),
    "start_date": (
        "start", "from", "period start", "开始日期", "開始日期", "起始日期", "起始日",
        "开始时间", "開始時間", "起始时间", "起始時間",
    ),
    "end_date": (
        "end", "to", "period end", "结束日期", "結束日期", "截止日期", "截止日", "终止日期",
        "終止日期", "结束时间", "結束時間", "截止时间", "截止時間",
    ),
    "evidence": (
        "evidence reference", "reference", "证据", "證據", "凭证", "憑證", "凭证编号",
        "憑證編號", "证明文件", "證明文件", "单据", "單據", "单据编号", "單據編號",
    ),
    "data_quality": (
        "quality", "数据质量", "數據質量", "數據品質", "資料品質", "数据质量等级",
        "數據質量等級", "数据等级", "數據等級",
    ),
    "uncertainty_percent": (
        "uncertainty", "uncertainty %", "不确定性", "不確定性", "不确定度", "不確定度",
    ),
    "factor_key": (
        "factor", "emission factor", "排放因子", "排放係數", "排放系数", "因子", "係數",
    ),
    "gas": ("气体", "氣體", "温室气体", "溫室氣體"),
    "method": ("calculation method", "计算方法", "計算方法", "核算方法"),
    "payer": ("付款方", "支付方", "运费承担方", "運費承擔方", "运费支付方", "運費支付方"),
    "ownership": (
        "vehicle ownership", "车辆归属", "車輛歸屬", "车辆所有权", "車輛所有權", "所有权", "所有權",
        "车辆性质", "車輛性質", "承运方", "承運方",
    ),
    "direction": (
        "transport direction", "运输方向", "運輸方向", "方向", "流向", "物流方向", "进出方向",
        "進出方向",
    ),
    "weight": ("weight carried", "重量", "货重", "貨重", "货物重量", "貨物重量"),
    "weight_unit": ("重量单位", "重量單位"),
}  # fmt: skip
#: Every header understood without a mapping (its :func:`_header_key`) and its field.
HEADER_ALIASES: Mapping[str, str] = {
    _header_key(header): name
    for name in FIELDS
    for header in (name, name.replace("_", " "), *_FIELD_HEADERS.get(name, ()))
}


@dataclass(frozen=True)
class ColumnMapping:
    """How a customer's own layout maps to our fields.

    ``columns`` maps their header to our field, or to None for a column to ignore on purpose (a
    column nobody mapped is an error, never skipped silently). ``fixed`` gives a field the same
    value on every row (``{"unit": "kWh", "activity_type": "electricity"}``). Headers match after
    folding full-width forms and case, so ``用电量（千瓦时）`` matches ``用电量(千瓦时)``; our own
    field names ("quantity", "Start date") and the usual headers of Chinese ledgers in 简体 and
    繁體 (:data:`HEADER_ALIASES`: 站点, 廠區, 用量, 起始日期…) are always understood. ``sheet``
    names the XLSX worksheet to read (default: the first).
    """

    columns: Mapping[str, str | None] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None

    def recognises(self, cells: list[str]) -> bool:
        """Whether a row is a header: two of its cells (its only one, if it has one) are known
        headers. A ledger's title above the header (「盐城工厂 2025 年能源消耗台账」) is not."""
        named = [cell for cell in cells if cell.strip()]
        needed = min(2, len(named))
        known = 0
        for cell in named:
            known += self.target(cell)[0]
            if known == needed:
                return True
        return False

    def __post_init__(self) -> None:
        problems: list[str] = []
        targets: dict[str, str] = {}
        for header, target in self.columns.items():
            if target is None:
                continue
            if target not in FIELDS:
                problems.append(Msg("'{column}' maps to '{field}', which is not a field", column=header, field=target))
            elif target in targets:
                problems.append(Msg("'{first}' and '{second}' both map to '{field}'", first=targets[target], second=header, field=target))
            targets[target] = header
        for name, value in self.fixed.items():
            if name not in FIELDS:
                problems.append(Msg("a fixed value is given for '{field}', which is not a field", field=name))
            elif name in targets:
                problems.append(Msg("'{field}' is both fixed and mapped from '{column}'", field=name, column=targets[name]))
            elif not isinstance(value, str):
                problems.append(Msg("the fixed value of '{field}' must be text", field=name))
        if problems:
            raise InvalidInput(Msg("invalid column mapping"), {"mapping": problems})

    def matched_to(self, header: Sequence[str]) -> ColumnMapping:
        """This mapping with its columns named as ``header`` writes them. A saved mapping is
        found by :func:`layout_key`, which folds blanks and hyphens that :meth:`target` keeps:
        「用电 量」 in this month's file is the 「用电量」 the mapping was given for."""
        ours = {_header_key(theirs): target for theirs, target in self.columns.items()}
        columns = {cell: ours[key] for cell in header if (key := _header_key(cell)) in ours}
        return ColumnMapping(columns, self.fixed, self.sheet)

    def target(self, header: str) -> tuple[bool, str | None]:
        """(known, field) for a header: known is False for a column nobody said what it is."""
        normal = norm(header)
        for theirs, ours in self.columns.items():
            if norm(theirs) == normal:
                return True, ours
        name = snake(header)
        if name in FIELDS:
            return True, name
        found = HEADER_ALIASES.get(_header_key(header))
        return (True, found) if found is not None else (False, None)


def layout_key(header: Sequence[str], sheet: str | None = None) -> str:
    """The key of a file's layout, under which a mapping given with it is saved for the next
    file: the header cells folded as headers are compared (:func:`_header_key`: full-width
    forms, case, blanks), in column order, unnamed ones left out, and the worksheet of an XLSX
    file if the mapping names one. The same ledger again with another title row, other months,
    as CSV or XLSX, with 全角 or half-width brackets has the same key; another set or order of
    columns has another. A SHA-256, so that any header fits a unique index."""
    cells = [key for cell in header if (key := _header_key(cell))]
    text = json.dumps([cells, None if sheet is None else _header_key(sheet)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _no_header(header: list[str], row: int) -> str:
    shown = _shown(" ".join(cell for cell in header if cell))
    return Msg(
        "no header row found: row {row} reads '{shown}', and no row above the data names a "
        "column this importer knows (site, source, quantity, unit, start_date…, or 站点, 排放源, "
        "数量, 单位, 开始日期…); send a column mapping that names the file's columns (it is saved "
        "for files of this layout), or use the template's headers", row=row, shown=shown
    )


def _resolve_columns(
    header: list[str], row: int, mapping: ColumnMapping
) -> tuple[dict[str, int | str], list[RowError]]:
    """Which column (or fixed value) gives each field; unknown, doubled and missing columns."""
    errors: list[RowError] = []
    sources: dict[str, int | str] = {}
    named = list(named_columns(header, row, errors))
    if named and not mapping.columns and not any(mapping.target(name)[0] for _, name in named):
        # no row near the top reads as a header: a ledger of its own headers, not one wrong column
        return {}, [RowError(row, None, _no_header(header, row))]
    for index, name in named:
        known, target = mapping.target(name)
        if not known:
            errors.append(RowError(row, name, UNKNOWN_COLUMN))
        elif target is None:
            continue  # ignored on purpose by the mapping
        elif target in sources:
            other = header[int(sources[target])]
            errors.append(RowError(row, name, Msg("gives '{field}', like column '{other}'", field=target, other=other)))
        elif target in mapping.fixed:
            errors.append(
                RowError(
                    row,
                    name,
                    Msg("gives '{field}', which the mapping fixes to '{value}'", field=target, value=mapping.fixed[target]),
                )
            )
        else:
            sources[target] = index
    sources.update(mapping.fixed)
    found = header_names(header)
    # a file that says who controls each vehicle may leave a transport leg's scope to the
    # classifier; its rows without a scope that the classifier cannot decide are named then
    required = [n for n in REQUIRED_FIELDS if n != "scope" or "ownership" not in sources]
    errors.extend(
        RowError(row, name, Msg("missing required column '{name}'; the file has: {found}", name=name, found=found))
        for name in required
        if name not in sources
    )
    return sources, errors


# --- reading the file --------------------------------------------------------------------------


@dataclass
class _Cells:
    """One column: its distinct texts and, per row, the index of the row's text among them.

    ``codes`` None means one text per row (high-cardinality columns are not factorised).
    """

    uniques: np.ndarray  # object array of str
    codes: np.ndarray | None = None

    @classmethod
    def of(cls, values: np.ndarray) -> _Cells:
        codes, uniques = pd.factorize(values)
        return cls(np.asarray(uniques, dtype=object), codes)

    @classmethod
    def constant(cls, value: str, n: int) -> _Cells:
        return cls(np.array([value], dtype=object), np.zeros(n, dtype=np.int64))

    @property
    def length(self) -> int:
        return len(self.uniques) if self.codes is None else len(self.codes)

    def take(self, positions: np.ndarray | slice) -> _Cells:
        if self.codes is None:
            return _Cells(self.uniques[positions])
        return _Cells(self.uniques, self.codes[positions])

    def text(self, position: int) -> str:
        return str(self.uniques[position if self.codes is None else self.codes[position]])

    def blank(self, candidates: np.ndarray) -> np.ndarray:
        """Which of the rows at ``candidates`` are blank in this column."""
        if self.codes is None:
            return np.fromiter(
                (not v.strip() for v in self.uniques[candidates]), dtype=bool, count=len(candidates)
            )
        blank = np.fromiter(
            (not u.strip() for u in self.uniques), dtype=bool, count=len(self.uniques)
        )
        return blank[self.codes[candidates]]


@dataclass
class _Table:
    header: list[str]  # header cells as written, trimmed
    header_row: int  # spreadsheet row of the header
    sources: dict[str, int | str]  # field -> column index, or the mapping's fixed value
    cells: dict[int, _Cells]  # the columns in use (mapped, and unnamed ones to check)
    rows: np.ndarray  # spreadsheet row number of each data row
    skipped: list[SkippedRow] = field(default_factory=list)


#: A row's first cell that makes it a totals row: 合计, 總計, 小计, 一月小计, Total, Grand total.
_TOTALS = re.compile(
    r"(?:.{0,12}(?:合计|合計|总计|總計|小计|小計|共计|共計|累计|累計)|(?:grand |sub-?)?totals?|sum)"
    r"\s*[:：]?"
)
#: The start of a note below the data: 注：, 备注:, 说明：, Note:, 制表人：, 审核：…
_NOTE = re.compile(
    r"(?:注|注意|备注|備註|说明|說明|附注|附註|notes?|remarks?|制表人?|製表人?|填表人|填报人|"
    r"填報人|审核人?|審核人?|复核人|複核人|负责人|負責人|数据来源|數據來源|資料來源)"
    r"\s*\d*\s*[:：.、]"
)
#: Longest text of a skipped row shown in the preview.
_SHOWN = 60


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _row_text(marks: Mapping[int, _Cells], position: int) -> list[str]:
    """The non-blank cells of one row, in the order of the file's columns."""
    texts = (marks[i].text(position).strip() for i in sorted(marks))
    return [t for t in texts if t]


def _totals_rows(marks: Mapping[int, _Cells], positions: np.ndarray) -> np.ndarray:
    """Which rows at ``positions`` are totals rows: their first cell with a value, in the file's
    column order, is a totals label (合计, 一月小计, Total…). Only the first: a source called
    "Total" further right is an activity."""
    found = np.zeros(len(positions), dtype=bool)
    open_ = np.ones(len(positions), dtype=bool)  # no value met yet, left to right
    for index in sorted(marks):
        column = marks[index]
        undecided = np.flatnonzero(open_)
        if not len(undecided):
            break
        filled = ~column.blank(positions[undecided])
        if column.codes is not None:  # one text per row (quantity, evidence): never a label
            hits = np.fromiter(
                (_TOTALS.fullmatch(norm(u)) is not None for u in column.uniques),
                dtype=bool,
                count=len(column.uniques),
            )
            found[undecided] = filled & hits[column.codes[positions[undecided]]]
        open_[undecided[filled]] = False
    return found


def _is_note(cells: list[str], width: int) -> bool:
    """A row below the data that is a note: it starts like one (注：, 制表人：) or is one text
    alone in a file of several columns, and is not a number."""
    if not cells:
        return False
    if _NOTE.match(norm(cells[0])):
        return True
    return len(cells) == 1 and width > 1 and PLAIN_NUMBER.fullmatch(norm(cells[0])) is None


def _data_rows(
    cells: dict[int, _Cells], first: int, n: int, marks: Mapping[int, _Cells]
) -> tuple[dict[int, _Cells], np.ndarray, list[SkippedRow]]:
    """Data rows from position ``first`` on: blank rows dropped; the templates' help row, totals
    rows (a first value 合计, 總計, 小计, Total…, anywhere in the data) and notes below the data
    skipped and listed.
    ``marks`` are every named column of the file (ignored ones too), where a totals label or a
    note may stand."""
    positions = np.arange(first, n)
    blank = np.ones(len(positions), dtype=bool)
    # categorical columns first: they decide most rows at the price of their distinct values
    for column in sorted(cells.values(), key=lambda c: c.codes is None):
        candidates = np.flatnonzero(blank)
        if not len(candidates):
            break
        blank[candidates] = column.blank(positions[candidates])
    positions = positions[~blank]
    skipped: list[SkippedRow] = []
    if len(positions) and is_help_row([c.text(positions[0]) for c in cells.values()]):
        skipped.append(SkippedRow(int(positions[0]) + 1, Msg("the template's help row")))
        positions = positions[1:]
    totals = _totals_rows(marks, positions)
    if totals.any():
        skipped.extend(
            SkippedRow(p + 1, Msg("totals row: '{text}'", text=_shown(' '.join(_row_text(marks, p)))))
            for p in positions[totals].tolist()
        )
        positions = positions[~totals]
    end = len(positions)  # notes: the rows at the end that read as notes, not as activities
    while end and _is_note(_row_text(marks, int(positions[end - 1])), len(cells)):
        end -= 1
    skipped.extend(
        SkippedRow(p + 1, Msg("note below the data: '{text}'", text=_shown(' '.join(_row_text(marks, p)))))
        for p in positions[end:].tolist()
    )
    positions = positions[:end]
    skipped.sort()
    if not len(positions):
        raise Refused(Msg("the file has a header row but no data rows"))
    contiguous = positions[-1] - positions[0] + 1 == len(positions)
    rows = slice(int(positions[0]), int(positions[-1]) + 1) if contiguous else positions
    # spreadsheet rows count from 1, and the positions count the rows before the header too
    return {i: c.take(rows) for i, c in cells.items()}, positions + 1, skipped


def _check_unnamed(header: list[str], row: int, cells: dict[int, _Cells], first: int) -> None:
    """A column without a header may hold nothing below the header: its values would be lost."""
    refuse_unnamed_values(
        header, row, lambda i: not cells[i].blank(np.arange(first, cells[i].length)).all()
    )


@dataclass
class _Found:
    """The header a reader found and the mapping it chose for it, noted before anything after
    the header can refuse the file: a refused file still says which mapping it was read with."""

    header: tuple[str, ...] = ()
    layout: str | None = None
    saved: bool = False


def _recogniser(
    mapping: ColumnMapping, saved: Mapping[str, ColumnMapping], sheet: str | None
) -> Callable[[list[str]], bool]:
    """What makes a row the header: the mapping's (known headers), or being the layout of a
    saved mapping: a ledger's own headers (「用电量（千瓦时）」, 「计量起始」) are known by nothing else."""
    if not saved:
        return mapping.recognises
    return lambda cells: mapping.recognises(cells) or layout_key(cells, sheet) in saved


def _chosen(
    header: list[str],
    sheet: str | None,
    mapping: ColumnMapping,
    saved: Mapping[str, ColumnMapping],
    found: _Found,
) -> ColumnMapping:
    """The mapping to read a file with: the one saved for its header's layout, else ``mapping``
    (``saved`` is empty when a mapping was given: a given mapping always wins)."""
    found.header, found.layout = tuple(header), layout_key(header, sheet)
    chosen = saved.get(found.layout)
    found.saved = chosen is not None
    return mapping if chosen is None else chosen.matched_to(header)


def _read_csv(
    body: bytes,
    mapping: ColumnMapping,
    limits: SheetLimits,
    deadline: Deadline,
    saved: Mapping[str, ColumnMapping],
    found: _Found,
) -> _Table:
    header, before, sep = csv_header(body, limits, _recogniser(mapping, saved, None))
    mapping = _chosen(header, None, mapping, saved, found)
    header_row = before + 1
    sources, errors = _resolve_columns(header, header_row, mapping)
    if errors:
        raise Refused(*errors)
    used = {i for i in sources.values() if isinstance(i, int)} | {
        i for i, h in enumerate(header) if not h
    }
    lines = io.BytesIO(body)
    above = (line_cells(lines.readline().decode("utf-8").rstrip("\r\n")) for _ in range(before))
    titles = [
        SkippedRow(number, Msg("title above the header: '{text}'", text=_shown(' '.join(texts))))
        for number, cells_above in enumerate(above, 1)
        if (texts := [t for t in cells_above if t])
    ]
    many = {sources[f] for f in _MANY_VALUES if isinstance(sources.get(f), int)}
    width = len(header)
    dtype = {i: (object if i in many else "category") for i in range(width)}
    frame = read_csv_frame(body, sep, width, dtype, limits, deadline)
    cells: dict[int, _Cells] = {}
    for i in sorted(used | {i for i, h in enumerate(header) if h}):
        column = frame[i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            uniques = np.append(column.cat.categories.to_numpy(dtype=object), "")
            codes = column.cat.codes.to_numpy()
            cells[i] = _Cells(uniques, np.where(codes < 0, len(uniques) - 1, codes))  # -1: missing
        elif i in many:  # with na_filter=False, missing cells are "" already
            cells[i] = _Cells(column.to_numpy(dtype=object))
        else:  # read row by row (see read_ragged)
            cells[i] = _Cells.of(column.to_numpy(dtype=object))
    marks = {i: c for i, c in cells.items() if header[i]}
    cells = {i: c for i, c in cells.items() if i in used}
    _check_unnamed(header, header_row, cells, before + 1)
    taken, rows, skipped = _data_rows(cells, before + 1, len(frame), marks)
    return _Table(header, header_row, sources, taken, rows, titles + skipped)


def _read_xlsx(
    data: bytes,
    mapping: ColumnMapping,
    limits: SheetLimits,
    deadline: Deadline,
    saved: Mapping[str, ColumnMapping],
    found: _Found,
) -> _Table:
    name = mapping.sheet
    sheet = read_sheet(
        data, name, limits=limits, deadline=deadline, recognise=_recogniser(mapping, saved, name)
    )
    if saved and layout_key(sheet.header, name) not in saved:
        sheet, name = _saved_sheet(data, mapping, limits, deadline, saved) or (sheet, name)
    columns, header, head = sheet
    mapping = _chosen(header, name, mapping, saved, found)
    n = len(columns[0])
    sources, errors = _resolve_columns(header, head + 1, mapping)
    if errors:
        raise Refused(*errors)
    used = {i for i in sources.values() if isinstance(i, int)} | {
        i for i, h in enumerate(header) if not h
    }
    titles = [
        SkippedRow(position + 1, Msg("title above the header: '{text}'", text=_shown(' '.join(texts))))
        for position in range(head)
        if (texts := [t for c in columns if (t := str(c[position]).strip())])
    ]
    cells = {i: _Cells.of(columns[i]) for i in sorted(used | {i for i, h in enumerate(header) if h})}
    marks = {i: c for i, c in cells.items() if header[i]}
    cells = {i: c for i, c in cells.items() if i in used}
    _check_unnamed(header, head + 1, cells, head + 1)
    taken, rows, skipped = _data_rows(cells, head + 1, n, marks)
    return _Table(header, head + 1, sources, taken, rows, titles + skipped)


def _saved_sheet(
    data: bytes,
    mapping: ColumnMapping,
    limits: SheetLimits,
    deadline: Deadline,
    saved: Mapping[str, ColumnMapping],
) -> tuple[Sheet, str] | None:
    """The first worksheet named by a saved mapping whose header is that mapping's layout, and
    its name; None if there is none (the first sheet is read, as without saved mappings)."""
    for name in sorted({m.sheet for m in saved.values() if m.sheet is not None}):
        try:
            sheet = read_sheet(
                data, name, limits=limits, deadline=deadline,
                recognise=_recogniser(mapping, saved, name),
            )
        except Refused:
            continue  # no such sheet in this workbook: not that layout
        if layout_key(sheet.header, name) in saved:
            return sheet, name
    return None


# --- cell parsers (one call per distinct value) ------------------------------------------------


def _aliases(pairs: Iterable[tuple[Any, Iterable[str]]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for value, spellings in pairs:
        for s in spellings:
            table[snake(s)] = value
    return table


def _enum_aliases(enum: type[StrEnum], extra: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    return _aliases(
        (member, [member.value, member.name, *extra.get(member.value, ())]) for member in enum
    )


_SCOPES = _aliases(
    (
        scope,
        [
            str(n),
            f"{n}.0",
            f"scope {n}",
            f"scope{n}",
            f"s{n}",
            f"范围{n}",
            f"范围{cn}",
            f"範疇{n}",
            f"範疇{cn}",
            f"范畴{n}",
            f"范畴{cn}",
            f"範圍{n}",
            f"範圍{cn}",
        ],
    )
    for scope, n, cn in (
        (Scope.SCOPE_1, 1, "一"),
        (Scope.SCOPE_2, 2, "二"),
        (Scope.SCOPE_3, 3, "三"),
    )
)
_SUBTYPES = _enum_aliases(
    Scope1Subtype,
    {
        "stationary_combustion": ["固定燃烧", "固定燃燒", "固定源"],
        "mobile_combustion": ["移动燃烧", "移動燃燒", "移动源", "移動源"],
        "process": ["过程排放", "過程排放", "製程排放", "工业过程", "過程"],
        "fugitive": ["逸散排放", "逸散", "无组织排放"],
        "land_use": ["土地利用", "land use"],
    },
)
_ACTIVITY_TYPES = _enum_aliases(
    ActivityType,
    {
        "fuel": ["燃料"],
        "electricity": ["电力", "電力", "用电", "用電", "外购电力", "外購電力"],
        "heat_steam": ["热力", "熱力", "蒸汽", "heat", "steam"],
        "refrigerant": ["冷媒", "制冷剂", "製冷劑"],
        "process": ["过程", "製程"],
        "material": ["原材料", "物料", "材料"],
        "transport": ["运输", "運輸", "物流"],
        "waste": ["废弃物", "廢棄物"],
        "travel": ["差旅", "商务差旅", "商務差旅"],
        "commuting": ["通勤", "员工通勤", "員工通勤"],
        "spend": ["支出", "采购金额", "採購金額"],
        "other": ["其他"],
    },
)
_TIERS = _enum_aliases(
    DataQualityTier,
    {
        "metered": ["实测", "實測", "计量", "計量", "仪表", "儀表"],
        "invoiced": ["发票", "發票", "账单", "帳單", "invoice"],
        "supplier_specific": ["供应商", "供應商", "supplier"],
        "industry_average": ["行业平均", "產業平均", "行業平均", "industry average"],
        "estimated": ["估算", "估计", "估計", "estimate"],
    },
)
_METHODS = _enum_aliases(
    CalculationMethod,
    {
        "activity_based": ["活动数据", "活動數據", "activity"],
        "spend_based": ["支出法", "金额法", "spend"],
        "supplier_specific": ["供应商数据", "供應商數據", "supplier"],
    },
)
_PAYERS = _enum_aliases(
    Payer,
    {
        "reporter": ["本公司", "公司", "企业", "企業", "reporting company", "company"],
        "customer": ["客户", "客戶"],
        "supplier": ["供应商", "供應商"],
        "other": ["其他"],
    },
)
_CONTROLS = _enum_aliases(
    Control,
    {
        "owned": ["自有", "owned or controlled", "controlled"],
        "leased": ["租赁", "租賃"],
        "third_party": ["第三方", "外包", "委托", "委託", "third party", "carrier"],
    },
)
_DIRECTIONS = _enum_aliases(
    Direction,
    {
        "inbound": [
            "in", "upstream", "入厂", "入廠", "进厂", "進廠", "来料", "來料", "采购", "採購",
            "进货", "進貨", "到货", "到貨",
        ],
        "outbound": [
            "out", "downstream", "出厂", "出廠", "销售", "銷售", "发货", "發貨", "送货", "送貨",
            "配送",
        ],
        "internal": [
            "between sites", "inter-site", "厂间", "廠間", "内部", "內部", "调拨", "調撥", "转运",
            "轉運",
        ],
    },
)
_CATEGORY = re.compile(r"(?:category|cat\.?|c|类别|類別|第)?\s*0*(\d{1,2})(?:\.0+)?\s*(?:类|類)?")


def _choice(table: Mapping[str, Any], what: Msg, allowed: str) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        found = table.get(snake(raw))
        if found is None:
            raise BadCell(Msg("'{value}' is not a known {what} (use {allowed})", value=raw.strip(), what=what, allowed=allowed))
        return found

    return parse


def _listing(enum: type[StrEnum]) -> str:
    return ", ".join(m.value for m in enum)


_parse_scope = _choice(_SCOPES, Msg("scope"), Msg("1, 2 or 3"))
_parse_subtype = _choice(_SUBTYPES, Msg("Scope 1 subtype"), _listing(Scope1Subtype))
_parse_type = _choice(_ACTIVITY_TYPES, Msg("activity type"), _listing(ActivityType))
_parse_tier = _choice(_TIERS, Msg("data-quality tier"), _listing(DataQualityTier))
_parse_method = _choice(_METHODS, Msg("calculation method"), _listing(CalculationMethod))
_parse_payer = _choice(_PAYERS, Msg("payer"), _listing(Payer))
_parse_control = _choice(_CONTROLS, Msg("ownership"), _listing(Control))
_parse_direction = _choice(_DIRECTIONS, Msg("direction"), _listing(Direction))


def _parse_category(raw: str) -> int:
    match = _CATEGORY.fullmatch(norm(raw))
    if not match or int(match.group(1)) not in SCOPE3_CATEGORIES:
        raise BadCell(Msg("'{value}' is not a Scope 3 category (1–15)", value=raw.strip()))
    return int(match.group(1))


def _parse_iso(raw: str) -> IsoCategory:
    match = _CATEGORY.fullmatch(norm(raw))
    if not match or not 1 <= int(match.group(1)) <= 6:
        raise BadCell(Msg("'{value}' is not an ISO 14064-1 category (1–6)", value=raw.strip()))
    return IsoCategory(int(match.group(1)))


_UNKNOWN_UNIT = "is not a known unit"


def _parse_unit(raw: str) -> Unit:
    text = raw.strip()
    try:
        return unit(text)
    except UnknownUnit:
        pass
    try:
        return unit(unicodedata.normalize("NFKC", text))
    except UnknownUnit:
        raise BadCell(Msg("'{value}' is not a known unit", value=text)) from None


def _units_taken(atype: _Column) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """An unknown unit's reason, completed with the units its row's activity type takes."""

    def explain(reasons: np.ndarray, bad: np.ndarray) -> np.ndarray:
        kinds, good = atype.values, atype.good
        for p in np.flatnonzero(bad & good).tolist():
            if str(reasons[p]).endswith(_UNKNOWN_UNIT):
                kind = kinds[p]
                reasons[p] = Msg("{reason} (activity type {kind} takes {units})",
                                 reason=reasons[p], kind=kind.value, units=_TAKES[kind])
        return reasons

    return explain


def _parse_percent(raw: str) -> Decimal:
    text = unicodedata.normalize("NFKC", raw).strip()
    return parse_number(text[:-1] if text.endswith("%") else text, limit=Decimal(1000))


def _parse_weight(raw: str) -> Decimal:
    return parse_number(raw, allow_zero=False)


def _quantities(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A ``Decimal`` per text (None where bad) and the reason per text (None where good).

    Plain numbers, nearly all of them, take one regular-expression match and one ``Decimal``;
    the rest (separators, exponents, signs, junk) go through :func:`parse_number`.
    """
    n = len(texts)
    reasons = np.empty(n, dtype=object)
    plain = np.fromiter(
        map(operator.is_not, map(PLAIN_NUMBER.fullmatch, texts), repeat(None)), dtype=bool, count=n
    )
    if plain.all():
        return np.fromiter(map(Decimal, texts), dtype=object, count=n), reasons
    parsed = np.empty(n, dtype=object)
    fast = np.flatnonzero(plain)
    parsed[fast] = np.fromiter(map(Decimal, texts[fast]), dtype=object, count=len(fast))
    for i in np.flatnonzero(~plain):
        try:
            parsed[i] = parse_number(texts[i])
        except BadCell as e:
            reasons[i] = e.reason
    return parsed, reasons


def _texts(limit: int) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Free text, trimmed, at most ``limit`` characters; in bulk (evidence is one text per row)."""

    def parse(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(texts)
        parsed = np.fromiter(map(str.strip, texts), dtype=object, count=n)
        lengths = np.fromiter(map(len, parsed), dtype=np.int64, count=n)
        reasons = np.empty(n, dtype=object)
        reasons[lengths > limit] = Msg("is longer than {limit} characters", limit=limit)
        parsed[lengths == 0] = None
        return parsed, reasons

    return parse


def _one_by_one(
    parser: Callable[[str], Any] | None,
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    assert parser is not None

    def parse(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        parsed = np.empty(len(texts), dtype=object)
        reasons = np.empty(len(texts), dtype=object)
        for i, text in enumerate(texts):
            if text.strip():
                try:
                    parsed[i] = parser(text)
                except BadCell as e:
                    reasons[i] = e.reason
        return parsed, reasons

    return parse


@dataclass
class _Column:
    """One field parsed: each distinct text parsed once, spread to the rows through ``codes``."""

    parsed: np.ndarray  # per distinct text: the value, None when empty or bad
    codes: np.ndarray | None  # per row: index into ``parsed``; None: one text per row
    given: np.ndarray  # per row: the cell is not blank
    ok: np.ndarray  # per row: the cell has no error (a blank optional cell is fine)

    def spread(self, per_unique: np.ndarray) -> np.ndarray:
        return per_unique if self.codes is None else per_unique[self.codes]

    @property
    def values(self) -> np.ndarray:
        return self.spread(self.parsed)

    @property
    def good(self) -> np.ndarray:
        return self.given & self.ok

    def ints(self, key: Callable[[Any], int]) -> np.ndarray:
        """``key(value)`` per row as integers (0 where there is no value), to compare in bulk."""
        keys = (0 if p is None else int(key(p)) for p in self.parsed)
        return self.spread(np.fromiter(keys, dtype=np.int64, count=len(self.parsed)))

    def mapped(self, convert: Callable[[Any], Any], at: np.ndarray | None = None) -> np.ndarray:
        """``convert(value)`` per row (None where there is no value); only at the positions
        ``at`` if given."""
        values = (None if p is None else convert(p) for p in self.parsed)
        converted = np.fromiter(values, dtype=object, count=len(self.parsed))
        if at is None:
            return self.spread(converted)
        return converted[at] if self.codes is None else converted[self.codes[at]]

    def filled(self, default: Any) -> np.ndarray:
        values = self.parsed.copy()
        values[pd.isna(values)] = default
        return self.spread(values)


class _Checks:
    """Column-wise checks over one table; every error kept with its row, column and reason."""

    def __init__(self, table: _Table):
        self.table = table
        self.n = len(table.rows)
        self.errors: list[tuple[int, int, str, str]] = []  # row, column order, label, reason

    def label(self, name: str) -> str:
        source = self.table.sources.get(name)
        if isinstance(source, int):
            return self.table.header[source]
        return Msg("{name} (fixed in the mapping)", name=name) if isinstance(source, str) else name

    def cells(self, name: str) -> _Cells:
        source = self.table.sources.get(name)
        if isinstance(source, int):
            return self.table.cells[source]
        return _Cells.constant(source or "", self.n)

    def fail(self, mask: np.ndarray, name: str, reason: str | np.ndarray) -> None:
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        source = self.table.sources.get(name)
        order = source if isinstance(source, int) else len(self.table.header) + FIELDS.index(name)
        reasons = (
            [reason] * len(positions) if isinstance(reason, str) else reason[positions].tolist()
        )
        label = self.label(name)
        if isinstance(source, str) and len(positions) == self.n and len(set(reasons)) == 1:
            self.errors.append((0, order, label, reasons[0]))  # a bad fixed value: said once
            return
        rows = self.table.rows[positions].tolist()
        self.errors.extend(
            zip(rows, [order] * len(rows), [label] * len(rows), reasons, strict=True)
        )

    def fail_rows(self, positions: np.ndarray, reasons: list[str]) -> None:
        order = len(self.table.header) + len(FIELDS)
        self.errors.extend(
            (row, order, "", why)
            for row, why in zip(self.table.rows[positions].tolist(), reasons, strict=True)
        )

    def parse(
        self,
        name: str,
        parser: Callable[[str], Any] | None = None,
        *,
        required: bool = False,
        bulk: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
        explain: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    ) -> _Column:
        """Parse a field, each distinct text once, by ``parser`` (one text) or ``bulk`` (all);
        ``explain(reasons, bad)`` may add to the per-row reasons of the bad rows."""
        cells = self.cells(name)
        parse_all = bulk if bulk is not None else _one_by_one(parser)
        parsed, reasons = parse_all(cells.uniques)
        count = len(reasons)
        given = np.fromiter(map(bool, map(str.strip, cells.uniques)), dtype=bool, count=count)
        if required and not given.all():
            reasons[~given] = Msg("is empty")
        bad = pd.notna(reasons)
        column = _Column(parsed, cells.codes, given, ~bad)
        if cells.codes is not None:
            column.given, column.ok = given[cells.codes], ~bad[cells.codes]
        if bad.any():
            per_row = column.spread(reasons)
            if explain is not None:
                per_row = explain(per_row.copy(), ~column.ok)
            self.fail(~column.ok, name, per_row)
        return column


def _key_text(value: str) -> str:
    return " ".join(norm(value).split())


_FINGERPRINT_SEPARATOR = "\x1f"
_HEXDIGEST = operator.methodcaller("hexdigest")


def _fingerprint_prefix(*parts: str) -> str:
    return _FINGERPRINT_SEPARATOR.join((FINGERPRINT_VERSION, *parts, ""))


def activity_fingerprint(
    site: str,
    source: str,
    activity_type: str,
    start: dt.date,
    end: dt.date,
    quantity: Decimal,
    unit_code: str,
) -> str:
    """SHA-256 identifying one activity: site, source, type, dates, unit and quantity.

    The same activity gives the same fingerprint whatever the file's encoding, layout, spelling
    of the unit (千瓦时 = kWh) or number format (1,234.50 = 1234.5); site and source compare
    without case, character width or extra spaces. Scope, category, evidence and quality are
    not part of it: a second file that reclassified an activity already stored would otherwise
    count it twice. (The service may call this with a resolved site name to match across
    spellings of one site.)
    """
    prefix = _fingerprint_prefix(
        _key_text(site),
        _key_text(source),
        str(activity_type),
        start.isoformat(),
        end.isoformat(),
        unit(unit_code).code,
    )
    return hashlib.sha256((prefix + str(WIDE_CONTEXT.normalize(quantity))).encode()).hexdigest()


def _group(columns: list[_Column], positions: np.ndarray) -> np.ndarray:
    """A group number per row of ``positions``, equal when all ``columns`` have the same text."""
    group = np.zeros(len(positions), dtype=np.int64)
    radix = 1
    for column in columns:
        if column.codes is None:  # one text per row: its position is its code
            codes, size = positions.astype(np.int64), int(positions.max(initial=0)) + 1
        else:
            codes, size = column.codes[positions].astype(np.int64), len(column.parsed)
        if radix * size >= 2**62:  # keep the mixed-radix number inside int64
            group, _ = pd.factorize(group)
            radix = int(group.max(initial=0)) + 1
        group = group * size + codes
        radix *= size
    return pd.factorize(group)[0]


def first_positions(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in the order they first appear (as
    ``pd.factorize`` numbers them): ``np.unique(codes, return_index=True)[1]`` without sorting
    (a million rows: 60 ms → 4 ms). A code first appears where the highest code so far rises."""
    highest = np.maximum.accumulate(codes)
    return np.flatnonzero(np.r_[True, highest[1:] > highest[:-1]]) if len(codes) else np.zeros(0, np.intp)


def _fingerprints(key: list[_Column], quantity: _Column, positions: np.ndarray) -> np.ndarray:
    """:func:`activity_fingerprint` of the rows at ``positions``, each prefix built once."""
    site, source, atype, start, end, unit_col = key
    group = _group(key, positions)
    first = first_positions(group)
    texts = [
        column.mapped(convert, at=positions[first])
        for column, convert in (
            (site, _key_text),
            (source, _key_text),
            (atype, str),
            (start, dt.date.isoformat),
            (end, dt.date.isoformat),
            (unit_col, operator.attrgetter("code")),
        )
    ]
    # a million rows often make nearly as many groups (one source, one month each): every step
    # below is a builtin mapped over the rows, with no Python call per row (a million rows:
    # 1.6 s → 1.3 s of CPU)
    prefixes = np.fromiter(
        map(_FINGERPRINT_SEPARATOR.join, zip(repeat(FINGERPRINT_VERSION), *texts, repeat(""))),
        dtype=object,
        count=len(first),
    )[group]
    amounts = map(str, map(WIDE_CONTEXT.normalize, quantity.values[positions]))
    messages = map(str.encode, map(operator.add, prefixes, amounts))
    digests = map(_HEXDIGEST, map(hashlib.sha256, messages))
    return np.fromiter(digests, dtype=object, count=len(positions))


@dataclass(frozen=True)
class _Legs:
    """What the transport classifier says of each row (zeros and None where it says nothing)."""

    scope: np.ndarray  # int: 1, 2 or 3; 0 when the row does not describe its leg enough
    category: np.ndarray  # int: the Scope 3 category; 0 for none
    subtype: np.ndarray  # Scope1Subtype or None
    reason: np.ndarray  # the classifier's reason, for errors
    refusal: np.ndarray  # (field, message) where the leg as described cannot be classified

    @property
    def decided(self) -> np.ndarray:
        return self.scope > 0


def _classify(control: Control, payer: Payer | None, direction: Direction | None) -> tuple[Any, Any]:
    """(classification, None), (None, (field, refusal)), or (None, None) when the row leaves
    the leg open (a carrier's leg with neither the direction nor the company paying)."""
    if control is Control.THIRD_PARTY and direction is None and payer is not Payer.REPORTER:
        return None, None
    goods = direction.goods if direction is not None else Goods.OWN
    # a transport row of an owned vehicle counts the fuel it burns: the electricity of an owned
    # electric vehicle is an electricity row
    leg = Leg(LegKind.TRANSPORT, control, goods, payer=payer, energy=Energy.FUEL)
    try:
        return classify_leg(leg), None
    except InvalidInput as refused:
        return None, (next(iter(refused.details), "payer"), refused.message)


def _classify_legs(
    rows: np.ndarray, control: _Column, payer: _Column, direction: _Column
) -> _Legs:
    """:func:`~neutrality.inventory.transport.classify_leg` of the ``rows`` (a mask) that say
    who controls the vehicle, once per distinct (ownership, payer, direction)."""
    n = len(rows)
    legs = _Legs(
        np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.full(n, None, dtype=object),
        np.full(n, None, dtype=object), np.full(n, None, dtype=object),
    )
    positions = np.flatnonzero(rows)
    if not len(positions):
        return legs
    controls, payers, directions = list(Control), list(Payer), list(Direction)
    key = (
        control.ints(lambda v: controls.index(v) + 1)[positions] * 100
        + payer.ints(lambda v: payers.index(v) + 1)[positions] * 10
        + direction.ints(lambda v: directions.index(v) + 1)[positions]
    )
    distinct, inverse = np.unique(key, return_inverse=True)
    for code, where in zip(distinct.tolist(), range(len(distinct)), strict=True):
        c, p, d = code // 100, code // 10 % 10, code % 10
        found, refusal = _classify(
            controls[c - 1], payers[p - 1] if p else None, directions[d - 1] if d else None
        )
        at = positions[inverse == where]
        if refusal is not None:
            legs.refusal[at] = [refusal] * len(at)
        elif found is not None:
            legs.scope[at] = int(found.scope)
            legs.category[at] = found.scope3_category or 0
            legs.subtype[at] = found.scope1_subtype
            legs.reason[at] = found.reason
    return legs


def _category_of_sold_goods_leg(payer: Payer) -> int:
    """The Scope 3 category :func:`classify_leg` gives a carrier's transport of sold goods (what
    a category 9 row describes) paid by ``payer``."""
    leg = Leg(LegKind.TRANSPORT, Control.THIRD_PARTY, Goods.SOLD, payer=payer)
    return classify_leg(leg).scope3_category or 0


def _scopes(numbers: np.ndarray) -> np.ndarray:
    """Scope members for scope numbers (None for 0)."""
    members = np.array([None, Scope.SCOPE_1, Scope.SCOPE_2, Scope.SCOPE_3], dtype=object)
    return members[numbers]


def _contradiction(mask: np.ndarray, legs: _Legs, said: np.ndarray, what: str) -> np.ndarray:
    """Per masked row: the classifier's reason, and what the row says instead."""
    reasons = np.empty(len(mask), dtype=object)
    reasons[mask] = [
        Msg("{reason}; the row says {what} {value}", reason=legs.reason[p], what=what,
            value=getattr(said[p], 'value', said[p]))
        for p in np.flatnonzero(mask).tolist()
    ]
    return reasons


def _reasons(mask: np.ndarray, values: np.ndarray, template: Callable[[Any], Msg]) -> np.ndarray:
    """``template`` filled with each masked row's value, as the per-row reasons of a check."""
    reasons = np.empty(len(mask), dtype=object)
    reasons[mask] = [template(value) for value in values[mask].tolist()]
    return reasons


def _validate(
    table: _Table, period_start: dt.date, period_end: dt.date
) -> tuple[ActivityRows, list[RowError]]:
    c = _Checks(table)
    n = c.n

    site = c.parse("site", bulk=_texts(TEXT_LIMITS["site"]), required=True)
    source = c.parse("source", bulk=_texts(TEXT_LIMITS["source"]), required=True)
    scope = c.parse("scope", _parse_scope)  # required below, unless the transport classifier gives it
    subtype = c.parse("scope1_subtype", _parse_subtype)
    category = c.parse("scope3_category", _parse_category)
    iso = c.parse("iso_category", _parse_iso)
    atype = c.parse("activity_type", _parse_type, required=True)
    quantity = c.parse("quantity", bulk=_quantities)
    unit_col = c.parse("unit", _parse_unit, required=True, explain=_units_taken(atype))
    start = c.parse("start_date", parse_date, required=True)
    end = c.parse("end_date", parse_date, required=True)
    evidence = c.parse("evidence", bulk=_texts(TEXT_LIMITS["evidence"]))
    tier = c.parse("data_quality", _parse_tier)
    uncertainty = c.parse("uncertainty_percent", _parse_percent)
    factor_key = c.parse("factor_key", bulk=_texts(TEXT_LIMITS["factor_key"]))
    gas = c.parse("gas", bulk=_texts(TEXT_LIMITS["gas"]))
    method = c.parse("method", _parse_method)
    payer = c.parse("payer", _parse_payer)
    control = c.parse("ownership", _parse_control)
    direction = c.parse("direction", _parse_direction)
    weight = c.parse("weight", _parse_weight)
    weight_unit = c.parse("weight_unit", _parse_unit)

    types, dims = list(ActivityType), list(Dimension)
    type_i = atype.ints(lambda t: types.index(t) + 1)
    transport = type_i == types.index(ActivityType.TRANSPORT) + 1

    # transport legs: the one classifier (seed 002: an owned vehicle is Scope 1, a leg the company
    # pays for is category 4, sold goods a customer pays to move are category 9) decides the
    # scope and category of every row that says who controls the vehicle; a row that says
    # otherwise is refused, a row that leaves them blank takes the classifier's
    legs = _classify_legs(
        transport & control.good & payer.ok & direction.ok, control, payer, direction
    )
    given_scope = scope.ints(int)
    refused = pd.notna(legs.refusal)  # said once, on the field the classifier needs
    blank = ~scope.given & ~legs.decided & ~refused
    c.fail(blank & ~transport, "scope", Msg("is empty"))
    c.fail(
        blank & transport,
        "scope",
        Msg("is empty: give the scope, or who controls the vehicle (ownership) and which way the leg "
            "goes (direction) for it to be classified"),
    )
    if refused.any():  # one refusal per distinct leg described
        codes, found = pd.factorize(legs.refusal[refused])
        for code, (name, reason) in enumerate(found):
            at = np.zeros(n, dtype=bool)
            at[np.flatnonzero(refused)[codes == code]] = True
            c.fail(at, name, reason)
    other_scope = scope.good & legs.decided & (given_scope != legs.scope)
    c.fail(
        other_scope,
        "scope",
        _contradiction(other_scope, legs, given_scope, Msg("Scope")),
    )
    fill = legs.decided & ~other_scope  # the classifier's word completes the row's
    category_i = np.where(category.given, category.ints(int), legs.category * fill)
    other_category = fill & (legs.scope == 3) & category.good & (category_i != legs.category)
    c.fail(
        other_category,
        "scope3_category",
        _contradiction(other_category, legs, category_i, Msg("category")),
    )
    subtypes = np.where(subtype.given, subtype.values, np.where(fill, legs.subtype, None))
    other_subtype = (
        fill & (legs.scope == 1) & subtype.good & (subtypes != legs.subtype)
    )
    c.fail(
        other_subtype,
        "scope1_subtype",
        _contradiction(other_subtype, legs, subtypes, Msg("subtype")),
    )
    has_subtype = subtype.given | (fill & (legs.scope == 1))
    has_category = category.given | (fill & (legs.scope == 3))

    # classification: GHG Protocol scopes and ISO 14064-1 categories (also the CHECK constraint
    # activity_records.classification_matches_scope)
    scope_i = np.where(scope.given, given_scope, legs.scope)
    s1, s2, s3 = scope_i == 1, scope_i == 2, scope_i == 3
    c.fail(s1 & ~has_subtype, "scope1_subtype", Msg("a Scope 1 row needs a Scope 1 subtype"))
    c.fail((s2 | s3) & subtype.given, "scope1_subtype", Msg("only Scope 1 rows take a Scope 1 subtype"))
    c.fail(s3 & ~has_category, "scope3_category", Msg("a Scope 3 row needs a Scope 3 category (1–15)"))
    c.fail(s1 & category.given, "scope3_category", Msg("a Scope 1 row takes no Scope 3 category"))
    c.fail(s2 & category.given, "scope3_category", Msg("a Scope 2 row takes no Scope 3 category"))
    iso_i = iso.ints(int)
    c.fail(
        s1 & iso.good & (iso_i != 1),
        "iso_category",
        Msg("Scope 1 emissions are direct: ISO 14064-1 category 1"),
    )
    c.fail(
        s2 & iso.good & (iso_i != 2),
        "iso_category",
        Msg("Scope 2 emissions are imported energy: ISO 14064-1 category 2"),
    )
    c.fail(
        s3 & iso.good & (iso_i < 3),
        "iso_category",
        Msg("Scope 3 emissions are in ISO 14064-1 categories 3–6"),
    )

    # units against activity types
    dim_i = unit_col.ints(lambda u: dims.index(u.dimension) + 1)
    fits = np.zeros((len(types) + 1, len(dims) + 1), dtype=bool)
    for activity_type, allowed in ALLOWED_DIMENSIONS.items():
        for dimension in allowed:
            fits[types.index(activity_type) + 1, dims.index(dimension) + 1] = True
    misfit = atype.good & unit_col.good & ~fits[type_i, dim_i]
    if misfit.any():
        reasons = np.empty(n, dtype=object)
        units, kinds = unit_col.values, atype.values
        reasons[misfit] = [
            Msg("{unit} does not fit activity type {kind}: use {hint}", unit=units[p].code,
                kind=kinds[p].value, hint=_DIMENSION_HINTS[kinds[p]])
            for p in np.flatnonzero(misfit)
        ]
        c.fail(misfit, "unit", reasons)
    money = dim_i == dims.index(Dimension.CURRENCY) + 1
    method_i = method.ints(lambda m: 2 if m is CalculationMethod.SPEND_BASED else 1)
    c.fail(
        (method_i == 2) & unit_col.good & ~money & ~misfit,
        "unit",
        Msg("a spend-based row needs a currency unit (CNY, USD…)"),
    )
    c.fail(
        (method_i == 1) & money & ~misfit,
        "method",
        Msg("a quantity of money is spend-based: set the method to spend_based"),
    )

    # transport: t·km, or km with the weight carried (seed 002 §3.2: 10 t × 100 km = 1,000 t·km)
    in_km = dim_i == dims.index(Dimension.DISTANCE) + 1
    c.fail(
        transport & in_km & ~weight.given,
        "weight",
        Msg("a transport row in km needs the weight carried (or give the quantity in t·km)"),
    )
    c.fail(
        transport & unit_col.good & ~in_km & weight.given,
        "weight",
        Msg("only transport rows in km take a weight"),
    )
    not_mass = weight_unit.ints(lambda u: u.dimension is Dimension.MASS) == 0
    c.fail(weight_unit.good & not_mass, "weight_unit", Msg("the weight unit must be a mass (t, kg)"))
    transport_fields = (payer, control, direction, weight, weight_unit)
    for name, column in zip(TRANSPORT_FIELDS, transport_fields, strict=True):
        c.fail(column.given & atype.good & ~transport, name, Msg("only transport rows take this field"))
    # a row that does not say who controls the vehicle but names the payer of a category 9 leg
    # (R-S3-03: a leg the company pays for is category 4, even for goods it sold)
    paid_category = payer.ints(_category_of_sold_goods_leg)
    miscategorised = (
        s3 & ~legs.decided & (category_i == 9) & (paid_category > 0) & (paid_category != 9)
    )
    c.fail(
        miscategorised,
        "scope3_category",
        _reasons(
            miscategorised,
            paid_category,
            lambda category: Msg("transport the company pays for is category {category}, not 9", category=category),
        ),
    )

    # gases: refrigerant rows say what leaked; process rows may name the gas released
    refrigerant = type_i == types.index(ActivityType.REFRIGERANT) + 1
    process = type_i == types.index(ActivityType.PROCESS) + 1
    c.fail(
        refrigerant & ~gas.given, "gas", Msg("a refrigerant row needs the gas (e.g. HFC-134a, R-410A)")
    )
    c.fail(
        gas.given & atype.good & ~(refrigerant | process),
        "gas",
        Msg("only refrigerant and process rows take a gas"),
    )

    # dates: inside the application period, the start no later than the end
    start_o, end_o = start.ints(dt.date.toordinal), end.ints(dt.date.toordinal)
    first_day, last_day = period_start.toordinal(), period_end.toordinal()
    outside = Msg("is outside the application period {start} – {end}",
                  start=period_start.isoformat(), end=period_end.isoformat())
    c.fail(
        start.good & end.good & (start_o > end_o),
        "start_date",
        Msg("is after the end date ('{column}')", column=c.label('end_date')),
    )
    c.fail(start.good & ((start_o < first_day) | (start_o > last_day)), "start_date", outside)
    c.fail(end.good & ((end_o < first_day) | (end_o > last_day)), "end_date", outside)

    # the same activity twice in the file (the fingerprint's fields); the first one is named
    key = [site, source, atype, start, end, unit_col]
    keyed = np.flatnonzero(np.logical_and.reduce([k.good for k in key] + [quantity.good]))
    fingerprints = np.full(n, None, dtype=object)
    fingerprints[keyed] = _fingerprints(key, quantity, keyed)
    if len(set(fingerprints[keyed])) < len(keyed):
        codes, _ = pd.factorize(fingerprints[keyed])
        _, first = np.unique(codes, return_index=True)
        later = np.flatnonzero(first[codes] != np.arange(len(codes)))
        c.fail_rows(
            keyed[later],
            [
                Msg("duplicates row {row} (same site, source, activity type, dates, quantity and unit)", row=row)
                for row in table.rows[keyed[first[codes[later]]]].tolist()
            ],
        )

    errors = [
        RowError(row or None, label or None, reason)
        for row, _, label, reason in sorted(c.errors, key=lambda e: (e[0], e[1], e[3]))
    ]
    # With errors, the rows that have none are still returned: the service checks them against
    # the inventory (sites, factors), so that one answer names every problem of every row.
    bad_rows = {row for row, *_ in c.errors}
    keep = (
        np.zeros(n, dtype=bool) if 0 in bad_rows  # a bad fixed value spoils every row
        else ~np.isin(table.rows, np.fromiter(bad_rows, dtype=np.int64, count=len(bad_rows)))
    )

    # defaults: the ISO category from the scope (and Scope 3 category), the method from the unit
    iso_values = iso.values.copy()
    by_category = np.array(
        [None, *(default_iso_category(Scope.SCOPE_3, k) for k in range(1, 16))], dtype=object
    )
    iso_values[~iso.given & s1] = IsoCategory.DIRECT
    iso_values[~iso.given & s2] = IsoCategory.IMPORTED_ENERGY
    no_iso = ~iso.given & s3
    iso_values[no_iso] = by_category[category_i[no_iso]]
    methods = method.values.copy()
    methods[~method.given & money] = CalculationMethod.SPEND_BASED
    methods[~method.given & ~money] = CalculationMethod.ACTIVITY_BASED
    extra = np.full(n, None, dtype=object)
    payers, controls, directions, weights, weight_units = (
        payer.values,
        control.values,
        direction.values,
        weight.values,
        weight_unit.values,
    )
    for p in np.flatnonzero(payer.given | control.given | direction.given | weight.given):
        item = {}
        if payers[p] is not None:
            item["payer"] = payers[p].value
        if controls[p] is not None:
            item["ownership"] = controls[p].value
        if directions[p] is not None:
            item["direction"] = directions[p].value
        if weights[p] is not None:
            item["weight"] = str(weights[p])
            item["weight_unit"] = weight_units[p].code if weight_units[p] is not None else "t"
        extra[p] = item

    columns = (
        table.rows.astype(object),
        site.values,
        source.values,
        np.where(scope.given, scope.values, _scopes(legs.scope)),
        subtypes,
        np.where(category.given, category.values, np.where(fill & s3, legs.category.astype(object), None)),
        iso_values,
        atype.values,
        quantity.values,
        unit_col.mapped(operator.attrgetter("code")),
        start.values,
        end.values,
        factor_key.values,
        gas.values,
        methods,
        tier.filled(DataQualityTier.ESTIMATED),
        uncertainty.values,
        evidence.filled(""),
        extra,
        fingerprints,
    )
    if errors:
        columns = tuple(column[keep] for column in columns)
    return ActivityRows(dict(zip(ActivityRow._fields, columns, strict=True))), errors


# --- the entry points --------------------------------------------------------------------------


def parse_activity_file(
    data: bytes,
    filename: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    max_bytes: int,
    mapping: ColumnMapping | None = None,
    encoding: str | None = None,
    limits: SheetLimits = ACTIVITY_FILE_LIMITS,
    saved: Mapping[str, ColumnMapping] | None = None,
) -> ParsedImport:
    """Read, map and check an activity data file: all rows, or every error, never a mix.

    ``encoding`` is the caller's statement for a CSV file (read strictly; detected otherwise);
    ``max_bytes`` is checked before anything is read, and the file is read within ``limits``
    (:class:`~neutrality.sheet_limits.FileTooLarge` beyond them); dates must fall inside
    ``period_start``–``period_end`` (the application period, both days included). ``saved``
    holds the organisation's saved mappings by :func:`layout_key`: without a ``mapping``, a file
    whose header row is one of those layouts is read with its mapping.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    saved = {} if mapping is not None or saved is None else saved
    mapping = mapping or ColumnMapping()
    file_format = used = None
    deadline = limits.deadline()
    found = _Found()
    try:
        file_format = upload_format(data, filename, max_bytes=max_bytes, limits=limits)
        if file_format == "xlsx":
            used = "utf-8"
            table = _read_xlsx(data, mapping, limits, deadline, saved, found)
        else:
            table, used = with_csv_text(
                data, encoding, lambda body: _read_csv(body, mapping, limits, deadline, saved, found)
            )
        rows, errors = _validate(table, period_start, period_end)
        skipped = table.skipped
    except Refused as refused:
        rows, errors, used = ActivityRows(), refused.errors, refused.encoding or used
        skipped = []
    return ParsedImport(
        filename, sha256, file_format, used, rows, errors, skipped,
        found.header, found.layout, found.saved,
    )


def template_csv(activity_type: ActivityType | str) -> bytes:
    """The CSV template of one activity type: UTF-8 with a byte-order mark, written (as every
    CSV file the application writes) by :func:`~neutrality.spreadsheets.csv_bytes`.

    Row 1 holds our field names (what the parser reads, the same in every language); row 2
    explains each column in Chinese and English, every cell starting with ``#``, and the parser
    skips it whether or not the user deletes it. The byte-order mark makes Excel on Chinese
    Windows read UTF-8 instead of the ANSI code page (GBK or Big5).
    """
    kind = ActivityType(activity_type)
    shipped = (
        resources.files("neutrality.inventory")
        .joinpath("templates", f"{kind.value}.csv")
        .read_text("utf-8-sig")
    )
    return csv_bytes(csv.reader(io.StringIO(shipped, newline="")))


# --- site names --------------------------------------------------------------------------------

#: How alike two site keys must be (difflib's ratio) for one to be named as the other's closest.
SITE_MATCH_CUTOFF = 0.6


def site_key(name: str) -> str:
    """Comparison form of a site's name (:func:`neutrality.names.name_key`): 佛山獅山工廠, ＦＳ 工厂
    and fs工厂 compare as 佛山狮山工厂 and fs工厂."""
    return name_key(name)


def closest_site(name: str, names: Iterable[str]) -> str | None:
    """The one of ``names`` that ``name`` means: the first with the same :func:`site_key`, else
    the most alike (difflib's ratio of the keys, at least :data:`SITE_MATCH_CUTOFF`; the first
    of equals), else None. For the "did you mean" of an unknown site, and nothing else: a near
    miss is an error, never a match."""
    by_key: dict[str, str] = {}
    for candidate in names:
        by_key.setdefault(site_key(candidate), candidate)
    key = site_key(name)
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=SITE_MATCH_CUTOFF)
    return by_key[close[0]] if close else None
