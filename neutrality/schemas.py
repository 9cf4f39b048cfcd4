"""Field helpers shared by the marshmallow schemas of every context."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate


class Text(fields.String):
    """A string that is trimmed and, when required, may not be blank."""

    def __init__(self, max_length: int, *, blank: bool = False, **kwargs: Any):
        validators = [validate.Length(min=0 if blank else 1, max=max_length)]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def one_of(enum: type, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in enum]), **kwargs)


def quantity(**kwargs: Any) -> fields.Decimal:
    """A Decimal given as a JSON string or number and always returned as a string (no float)."""
    return fields.Decimal(as_string=True, allow_nan=False, **kwargs)


class StrictSchema(ma.Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class RowErrorSchema(StrictSchema):
    """One problem of an imported file: spreadsheet row (header = 1), the file's column, reason."""

    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    reason = fields.String()
