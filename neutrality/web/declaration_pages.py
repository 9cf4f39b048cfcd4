"""Public declarations: the pages anyone may read without signing in, their JSON for machines,
the stored PDFs, and the page where a downloaded PDF is checked against the public record.

- ``/declarations/<org>``: the organisation's published declarations (``.json`` too);
- ``/declarations/<org>/<period>``: a period's declarations, each with its history (``.json`` too);
- ``/declarations/<org>/<period>/statements/<version>/<lang>.pdf`` and ``…/balance.svg``;
- ``/declarations/check``: drop a PDF; its SHA-256 is computed in the browser and looked up at
  ``/declarations/documents/<sha256>.json`` (or the file is posted when the browser cannot hash).

A page is rendered once per language and per state of the versions it shows (their publication,
supersession and withdrawal stamps: :mod:`neutrality.statements.public`), then served from this
process's memory while that state holds: one indexed query a request. The frame of these pages
carries nothing of the reader (no form, no token, no name), so the same bytes serve everyone;
``?lang=`` chooses the language, and an ETag lets a browser revalidate cheaply. In front of the
framework, :mod:`neutrality.web.public_pages` serves those bytes again for a second without
asking the database at all.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from neutrality.charts import balance_chart_svg
from neutrality.settings import SUPPORTED_LOCALES
from neutrality.statements import public
from neutrality.statements.rendering import balance_steps_of
from neutrality.web.context import uow
from neutrality.web.pages import guard_page_ids
from neutrality.web.public_pages import SAME_FOR_EVERYONE

bp = Blueprint("declarations", __name__, url_prefix="/declarations")
guard_page_ids(bp)


class _Rendered:
    """Pages rendered, by (page, address, language, state): least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size, self._pages, self._lock = size, OrderedDict[Hashable, str](), threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        page = render()  # outside the lock: two threads may render the same page once each
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


RENDERED = _Rendered(size=256)


def _locale() -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in SUPPORTED_LOCALES else str(get_locale())


def _respond(body: str, state: public.State, locale: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(repr((state, locale, len(body))).encode()).hexdigest()[:32])
    # Revalidated on each visit: a withdrawal shows at once; unchanged, the answer is a 304
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers[SAME_FOR_EVERYONE] = "1"  # kept and served again by neutrality.web.public_pages
    return response.make_conditional(request)


def _pdf_url(version: public.PublicVersion, locale: str) -> str:
    return url_for("declarations.pdf", organisation_id=version.organisation_id, period_id=version.period_id,
                   version_id=version.id, lang=locale, _external=True)


def _machine(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, read by anyone's scripts
    return response


# --- an organisation's declarations ---------------------------------------------------------------


@bp.get("/<int:organisation_id>")
def index(organisation_id: int) -> Any:
    state = public.organisation_state(uow(), organisation_id)
    if not state:
        abort(404)
    locale = _locale()

    def render() -> str:
        periods = public.public_index(uow(), organisation_id)
        with force_locale(locale):
            return render_template("declarations/index.html", periods=periods,
                                   entity=periods[0].current.snapshot["entity"], locale=locale,
                                   organisation_id=organisation_id)

    body = RENDERED.get(("index", organisation_id, locale, state), render)
    return _respond(body, state, locale, "text/html")


@bp.get("/<int:organisation_id>.json")
def index_json(organisation_id: int) -> Any:
    periods = public.public_index(uow(), organisation_id)
    return _machine({"organisation_id": organisation_id, "periods": [
        {"period_id": p.period_id, "url": url_for("declarations.period", organisation_id=organisation_id,
                                                  period_id=p.period_id, _external=True),
         "start": p.current.snapshot["period"]["start"], "end": p.current.snapshot["period"]["end"],
         "subject": p.current.snapshot["boundary"]["subject"],
         "declarations": [{"kind": k.kind.value, "version": k.current.version, "status": k.current.status.value,
                           "declaration": k.current.declaration} for k in p.kinds]}
        for p in periods]})


# --- a period's declarations ----------------------------------------------------------------------


@bp.get("/<int:organisation_id>/<int:period_id>")
def period(organisation_id: int, period_id: int) -> Any:
    state = public.period_state(uow(), organisation_id, period_id)
    if not state:
        abort(404)
    locale = _locale()

    def render() -> str:
        found = public.public_period(uow(), organisation_id, period_id)
        statements = {v.id: v.statement for k in found.kinds for v in k.versions}
        with force_locale(locale):
            return render_template("declarations/period.html", found=found, statements=statements,
                                   lead=found.current, s=statements[found.current.id], locale=locale)

    body = RENDERED.get(("period", organisation_id, period_id, locale, state), render)
    return _respond(body, state, locale, "text/html")


@bp.get("/<int:organisation_id>/<int:period_id>.json")
def period_json(organisation_id: int, period_id: int) -> Any:
    found = public.public_period(uow(), organisation_id, period_id)
    return _machine({**public.period_json(found, _pdf_url),
                     "url": url_for("declarations.period", organisation_id=organisation_id, period_id=period_id,
                                    _external=True)})


@bp.get("/<int:organisation_id>/<int:period_id>/statements/<int:version_id>/<lang>.pdf")
def pdf(organisation_id: int, period_id: int, version_id: int, lang: str) -> Any:
    content = public.public_pdf(uow(), organisation_id, period_id, version_id, lang)
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="declaration-{organisation_id}-{period_id}-{version_id}-{lang}.pdf"')
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"  # an issued PDF never changes
    return response


@bp.get("/<int:organisation_id>/<int:period_id>/statements/<int:version_id>/balance.svg")
def balance_chart(organisation_id: int, period_id: int, version_id: int) -> Any:
    svg = _chart(_locale(), public.public_version(uow(), organisation_id, period_id, version_id))
    if svg is None:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@functools.lru_cache(maxsize=128)
def _drawn(steps: Any, locale: str) -> str:
    return balance_chart_svg(steps, locale=locale)


def _chart(locale: str, version: public.PublicVersion) -> str | None:
    """A version's chart: its figures never change, so it is drawn once per language."""
    steps = balance_steps_of(version.statement)
    return None if steps is None else _drawn(steps, locale)


# --- checking a PDF -------------------------------------------------------------------------------


class CheckForm(FlaskForm):
    document = FileField(_l("The PDF you downloaded or were given"), validators=[FileRequired()])


def _match_json(match: public.Match | None, sha256: str) -> dict[str, Any]:
    if match is None:
        return {"sha256": sha256, "found": False}
    v = match.version
    return {"sha256": sha256, "found": True, "locale": match.locale, "kind": v.kind.value, "version": v.version,
            "status": v.status.value, "declaration": v.declaration,
            "withdrawal_reason": v.withdrawal_reason, "superseded_by_version": v.superseded_by,
            "url": url_for("declarations.period", organisation_id=v.organisation_id, period_id=v.period_id,
                           _external=True)}


@bp.get("/documents/<sha256>.json")
def document(sha256: str) -> Any:
    """Which published declaration a PDF with this SHA-256 belongs to, if any."""
    sha256 = sha256.lower()
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        abort(404)
    return _machine(_match_json(public.find_document(uow(), sha256), sha256))


@bp.route("/check", methods=["GET", "POST"])
def check() -> Any:
    """The page where a PDF is checked: hashed in the browser by its script; posted and hashed
    here (then forgotten) when the browser cannot. The upload is bounded by the application's
    request limit (``max_upload_bytes``: 413 beyond it), far above any statement's size."""
    form = CheckForm()
    result = None
    if form.validate_on_submit():
        stream = form.document.data.stream
        digest = hashlib.sha256()
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
        sha256 = digest.hexdigest()
        result = _match_json(public.find_document(uow(), sha256), sha256)
    locale = _locale()
    with force_locale(locale):
        return render_template("declarations/check.html", form=form, result=result, locale=locale)

