"""Multipart uploads in the API: the file's bytes and the form's other fields."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import ValidationError

from neutrality.errors import InvalidInput
from neutrality.messages import Msg
from neutrality.web.errors import flatten

#: Longest file name kept (filesystems allow 255; the columns that keep names hold 300, which
#: leaves room for what is appended, such as ", row 12" of an export's row).
MAX_FILENAME = 255


def uploaded_file(field: str) -> tuple[bytes, str]:
    """The bytes and name of a multipart upload; the size limit is enforced by Flask (413)."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise InvalidInput(Msg("attach the file in the form field '{field}'", field=field), {field: ["missing file"]})
    if len(upload.filename) > MAX_FILENAME:
        raise InvalidInput(Msg("the file name has {length} characters; the limit is {limit}",
                               length=len(upload.filename), limit=MAX_FILENAME),
                           {field: ["file name too long"]})
    if "\x00" in upload.filename:
        # Kept with the file and shown on every download: PostgreSQL cannot store a NUL.
        raise InvalidInput(Msg("the file name contains a NUL character; rename the file"),
                           {field: ["file name contains a NUL"]})
    return upload.read(), upload.filename


def form_fields(schema: Any) -> dict[str, Any]:
    """Load multipart form fields (all but files) through a schema, like a JSON body."""
    try:
        return schema.load(request.form.to_dict())
    except ValidationError as exc:
        # dotted paths, as a JSON body's errors are named (gases.CO2, not {"gases": {"CO2": …}})
        raise InvalidInput(Msg("the form fields do not match the expected shape"), flatten(exc.messages)) from None
