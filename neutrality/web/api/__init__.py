"""JSON API infrastructure: the OpenAPI-documented API object, pagination and shared schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Api as _SmorestApi

from neutrality.pagination import Page, PageResult

API_PREFIX = "/api/v1"


class Api(_SmorestApi):
    """flask-smorest's Api without its own error handlers: ours map every error in one place."""

    def _register_error_handlers(self) -> None:
        return None


api = Api()


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))

    @ma.post_load
    def to_page(self, data: dict[str, Any], **_: Any) -> Page:
        return Page(data["page"], data["per_page"])


_page_schemas: dict[str, type[ma.Schema]] = {}


def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    """A page envelope for a list: ``{"items", "page", "per_page", "total", "pages"}``."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(
            name,
            (ma.Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item)),
                "page": ma.fields.Integer(),
                "per_page": ma.fields.Integer(),
                "total": ma.fields.Integer(),
                "pages": ma.fields.Integer(),
            },
        )
    return _page_schemas[name]


def paged(result: PageResult) -> dict[str, Any]:
    return {
        "items": result.items,
        "page": result.page.number,
        "per_page": result.page.size,
        "total": result.total,
        "pages": result.pages,
    }


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    details = ma.fields.Raw()


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)
