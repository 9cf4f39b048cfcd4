"""Field helpers shared by the marshmallow schemas of every context.

What a column can hold is checked here, once, for every schema: a decimal number fits
:class:`neutrality.db.ExactDecimal` (NUMERIC(38, 12)), an id fits an INTEGER column, and no text
carries a character the databases cannot store (NUL; lone surrogates, which are not UTF-8).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from neutrality import presentation
from neutrality.messages import Msg, Written
from neutrality.presentation import Kind
from neutrality.units import tidy

#: ExactDecimal is NUMERIC(38, 12) on PostgreSQL: 12 digits after the point, 26 before it.
#: SQLite keeps the text, but must give back the same number PostgreSQL would.
DECIMAL_PLACES = 12
INTEGER_DIGITS = 26
#: The largest magnitude the column holds: 26 nines, the point, 12 nines (written out: 10**26
#: less 10**-12 would be rounded by Decimal's default 28 digits).
COLUMN_MAX = Decimal("9" * INTEGER_DIGITS + "." + "9" * DECIMAL_PLACES)

#: Ids are INTEGER columns, PostgreSQL's int4 (SQLite's would take 2**63 - 1; the smaller rules).
ID_MAX = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=ID_MAX)

#: Bounds by meaning shared by several contexts; each sits well inside the column.
PERCENT = validate.Range(min=0, max=100)
#: A million million tonnes, some twenty years of the whole world's emissions.
TCO2E = validate.Range(min=0, max=10**12)


class Text(fields.String):
    """A string that is trimmed and, when required, may not be blank."""

    def __init__(self, max_length: int, *, blank: bool = False, **kwargs: Any):
        validators = [validate.Length(min=0 if blank else 1, max=max_length)]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def one_of(enum: type, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in enum]), **kwargs)


class Quantity(fields.Decimal):
    """A Decimal given as a JSON string or number, always returned as a string (no float), that
    fits the column it is stored in.

    Loading refuses more decimal places than the column keeps (the database would round them
    away: ``1e-30`` would be stored as 0) and, through a :class:`~marshmallow.validate.Range`,
    numbers beyond the field's meaning. A field given no range gets the column's own, so nothing
    ever stored is too large to be read back (``1E+250`` was stored on SQLite and then failed
    every read).
    """

    default_error_messages = {
        "places": "Give at most {places} decimal places.",
    }

    def __init__(self, **kwargs: Any):
        given = kwargs.pop("validate", None)
        validators = [given] if callable(given) else list(given or [])
        ranges = [v for v in validators if isinstance(v, validate.Range)]
        if not ranges:  # copy_negate(): a unary minus would round to Decimal's 28 digits
            validators.insert(0, validate.Range(min=COLUMN_MAX.copy_negate(), max=COLUMN_MAX))
        for bounds in ranges:
            limits = [limit for limit in (bounds.min, bounds.max) if limit is not None]
            if len(limits) < 2 or not all(_fits_column(limit) for limit in limits):
                raise ValueError(f"a decimal field needs both bounds within ±{COLUMN_MAX}")
        super().__init__(as_string=True, allow_nan=False, validate=validators, **kwargs)

    def _validated(self, value: Any) -> Decimal:
        number = super()._validated(value)
        if decimal_places(number) > DECIMAL_PLACES:
            raise self.make_error("places", places=DECIMAL_PLACES)
        if number.adjusted() >= INTEGER_DIGITS:
            # Beyond every range: give the range's message, not tidy()'s arithmetic.
            return number
        # The canonical form, as it is read back (2.50 → 2.5, 1E+3 → 1000): a number padded
        # with a million zeros is stored as the few digits that matter.
        return tidy(number)


def _fits_column(limit: Decimal | int) -> bool:
    return COLUMN_MAX.copy_negate() <= limit <= COLUMN_MAX  # comparisons never round


def decimal_places(number: Decimal) -> int:
    """Digits after the point that matter (1.50 has one; 1E-30 has thirty), without rounding
    and without writing out the digits of a number like 1E-999999."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0 or not any(digits):
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing_zeros)


def quantity(**kwargs: Any) -> Quantity:
    """A decimal field: give loading fields their meaning's bounds as ``validate=Range(...)``."""
    return Quantity(**kwargs)


#: What a map of figures is keyed by, for the document's examples (else a market, "CN").
_MAP_KEYS = {"scheme": "VCU", "cost": "CNY", "unit": "MWh", "scope": "2", "category": "1",
             "site": "1", "rows": "2"}


class Display(fields.Nested):
    """The ``display`` companion of an object: its figures named here, rounded for people by
    :mod:`neutrality.presentation` from the exact values the object's own fields write
    (``Display(residual_tco2e=TONNES, electricity_covered_percent=PERCENT)``).

    Answered only, never read. The OpenAPI document names it ``<Object>Display``, with a string
    per figure (a map of strings for a map of figures), described by its kind of rounding.
    """

    #: One schema class per object, so the document names each once.
    _schemas: dict[str, type[ma.Schema]] = {}

    def __init__(self, **kinds: Kind):
        self.kinds = kinds
        #: The schema class that declares it (set by :class:`StrictSchema`'s metaclass): the
        #: document reads the class's fields before any instance binds them.
        self.owner: type[ma.Schema] | None = None
        super().__init__(self._companion_schema, dump_only=True, metadata={
            "description": "the figures above rounded for people (half-up); the exact figures "
                           "stay as they are"})

    def _companion_schema(self) -> type[ma.Schema]:
        owner = self.owner
        assert owner is not None, "Display is a field of a StrictSchema"
        name = owner.__name__.removesuffix("Schema") + "DisplaySchema"
        if name not in self._schemas:
            self._schemas[name] = type(name, (ma.Schema,), {
                figure: self._companion_field(figure, owner._declared_fields[figure], kind)
                for figure, kind in self.kinds.items()})
        return self._schemas[name]

    @staticmethod
    def _companion_field(figure: str, exact: fields.Field, kind: Kind) -> fields.Field:
        example = {0: "3,900,000", 1: "12.3", 2: "1,234,567.89", 3: "2,434.568"}[kind.places]
        if isinstance(exact, fields.Dict):
            key = next((key for word, key in _MAP_KEYS.items() if word in figure), "CN")
            return fields.Dict(keys=fields.String(), values=fields.String(), metadata={
                "description": f"each figure: {kind.describe()}", "example": {key: example}})
        return fields.String(allow_none=True, metadata={
            "description": kind.describe(), "example": example})

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        owner = self.parent
        assert isinstance(owner, ma.Schema)
        exact = {}
        for figure in self.kinds:
            field = owner.fields.get(figure)
            value = ma.missing if field is None else field.serialize(figure, obj, accessor)
            if value is not ma.missing:
                exact[figure] = value
        return presentation.displayed(exact, self.kinds)


class Id(fields.Integer):
    """The id of a row: 1 to the largest an INTEGER column holds."""

    def __init__(self, **kwargs: Any):
        super().__init__(validate=ID_RANGE, **kwargs)


def id_list(**kwargs: Any) -> DelimitedList:
    """Ids separated by commas, as a query string or a form sends them ("12,14")."""
    return DelimitedList(Id(), **kwargs)


#: What a database cannot store in a text, with the sentence that says so.
_UNSTORABLE = Msg("The text contains a NUL character (U+0000), which cannot be stored.")
_NOT_UTF8 = Msg("The text contains a lone surrogate (U+D800 to U+DFFF), which is not valid Unicode.")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return _UNSTORABLE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _NOT_UTF8
    return None


def unstorable_text(data: Any) -> dict[Any, Any] | list[str]:
    """Where ``data`` (a loaded JSON document, form or query string) holds text no database can
    store, as marshmallow error messages: ``{"activities": {0: {"source": [...]}}}``.

    A key that cannot be stored is reported at the object that holds it. Empty when all is well.
    """
    if isinstance(data, str):
        problem = _text_problem(data)
        return [problem] if problem else []
    if isinstance(data, Mapping):
        found: dict[Any, Any] = {}
        for key, value in data.items():
            if isinstance(key, str) and (problem := _text_problem(key)):
                return [problem]
            if inner := unstorable_text(value):
                found[key] = inner
        return found
    if isinstance(data, list | tuple):
        return {index: inner for index, item in enumerate(data) if (inner := unstorable_text(item))}
    return []


def json_text(value: Any) -> Any:
    """A JSON document sent as the text of a form field (a JSON file may give the document
    itself), held to the same rules as a JSON body: no NaN or Infinity, no unstorable text."""
    if isinstance(value, str):
        try:
            value = read_json(value)
        except NotJson as problem:
            raise ma.ValidationError(Msg("The text is not valid JSON ({problem}).", problem=str(problem))) from None
    if problems := unstorable_text(value):
        raise ma.ValidationError(problems)
    return value


class NotJson(ValueError):
    """Why a text is not JSON (the message is the reason, for a sentence around it)."""


def read_json(text: str | bytes) -> Any:
    """A JSON document, held to JSON's own rules where Python is lenient: no NaN or Infinity
    (PostgreSQL's json refuses them too), UTF-8 bytes only. :class:`NotJson` says what is wrong."""
    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text,
                          parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise NotJson("it is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise NotJson(f"{error.msg} at line {error.lineno}, column {error.colno}") from None
    except NotJson:
        raise
    except ValueError:
        # Python reads no integer of more than sys.get_int_max_str_digits() digits.
        raise NotJson(f"a number in it has more than {sys.get_int_max_str_digits()} digits") from None


def _refuse_constant(name: str) -> Any:
    raise NotJson(f"{name} is not a JSON number")


class _DisplayOwner(ma.schema.SchemaMeta):
    """Tells each :class:`Display` field the schema class that declares it."""

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        super().__init__(name, bases, attrs)
        for field in cls._declared_fields.values():  # type: ignore[attr-defined]
            if isinstance(field, Display) and field.owner is None:
                field.owner = cls  # type: ignore[assignment]


class StrictSchema(ma.Schema, metaclass=_DisplayOwner):
    """Unknown fields are an error, not silently dropped; no text may hold what a database
    cannot store (PostgreSQL refuses NUL in any text, so it is refused for every backend)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_unstorable_text(self, data: Any, **_: Any) -> Any:
        if problems := unstorable_text(data):
            where = problems if isinstance(problems, dict) else {"_schema": problems}
            raise ma.ValidationError(where)
        return data


#: Rows on one page of a list.
PAGE_SIZE_MAX = 200


class PagedQuerySchema(StrictSchema):
    """``?page=&per_page=`` of a list. No table numbers more rows than an id column can, so no
    page lies beyond ID_MAX (and its offset stays well inside a BIGINT)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=ID_MAX))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))


class Said(fields.String):
    """Words for the user written by pure code (a :class:`~neutrality.messages.Msg`), dumped as
    they are so that the API says them in the reader's language (a plain ``String`` would keep
    the English only)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, Msg | Written):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class RowErrorSchema(StrictSchema):
    """One problem of an imported file: spreadsheet row (header = 1), the file's column, reason."""

    row = fields.Integer(allow_none=True)
    column = Said(allow_none=True)
    reason = Said()
