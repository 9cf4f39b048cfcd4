"""The browsable API reference: Swagger UI from the packaged `swagger-ui-bundle` assets.

Nothing comes from a CDN and nothing runs inline: the page loads the bundle's script and style
sheet from this application and a small start-up script of ours that points Swagger UI at
``/api/v1/openapi.json``, so the strict Content-Security-Policy (``default-src 'self'``) holds,
with one addition on this page only: images written into the bundle as ``data:`` URLs (its logo,
the icons of its style sheet).
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Response, abort, make_response, render_template, url_for

from neutrality.web.api import API_PREFIX
from neutrality.web.context import public

ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
#: The bundle's files the page needs; nothing else of the package folder is served.
SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png", "favicon-16x16.png"})
_TYPES = {"css": "text/css", "js": "text/javascript", "png": "image/png"}

#: The application's policy (neutrality.app) and the ``data:`` images of Swagger UI: the logo of
#: its top bar and the icons of swagger-ui.css are written into the bundle as ``data:`` URLs, which
#: ``default-src 'self'`` blocks. Images cannot run anything, so scripts and the rest stay 'self'.
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

bp = Blueprint("reference", __name__, url_prefix=API_PREFIX + "/docs")


@bp.get("/")
@public
def page() -> Response:
    response = make_response(render_template("reference/swagger.html"))
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


@bp.get("/assets/<name>")
@public
def asset(name: str) -> Response:
    if name not in SERVED:
        abort(404)
    # Read whole (at most ~1 MB, cached by the browser a day) rather than streamed from disk.
    response = Response((ASSETS / name).read_bytes(), mimetype=_TYPES[name.rsplit(".", 1)[-1]])
    response.cache_control.max_age = 86400
    return response


@bp.get("/start.js")
@public
def start() -> Response:
    spec = url_for("api-docs.openapi_json")
    script = (
        "window.addEventListener('load', function () {\n"
        f"  window.ui = SwaggerUIBundle({{url: '{spec}', dom_id: '#swagger-ui', deepLinking: true,\n"
        "    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n"
        "    layout: 'StandaloneLayout'});\n"
        "});\n"
    )
    return Response(script, mimetype="text/javascript")
