"""PDF documents (the periodic GHG report, the statements) from HTML, with nothing fetched.

weasyprint lays the HTML out; fonts come from the system (fontconfig: Noto CJK, installed by
``bin/setup``), so Chinese text has its real glyphs. A document fetches nothing: every image is
inline (the charts are SVG written into the HTML) or a ``data:`` URI, or one of the ``assets``
the caller passes by name (``asset:logo.png``). Any other address, ``http:``, ``file:`` or a
relative path, stops the rendering with :class:`OutsideResource`: a template that reaches out is
a defect to fix, never a request sent from the server (nor a file of the server read into a
document handed to the public).

No Flask and no database: the callers render their templates and pass the HTML.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes

#: How a template names an asset given to :func:`render_pdf`.
ASSET_SCHEME = "asset:"

#: The fonts of each language, first choice first: Noto CJK in its mainland (SC) and Taiwan (TC)
#: forms; a page holds Latin text too, which the CJK fonts also cover.
FONTS = {
    "en": '"Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif',
    "zh_Hans": '"Noto Sans CJK SC", "Noto Sans", sans-serif',
    "zh_Hant": '"Noto Sans CJK TC", "Noto Sans", sans-serif',
}


class OutsideResource(Exception):
    """A document asked for something outside itself (see the module)."""


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


@cache
def _weasyprint() -> tuple[Any, Any, type, type]:
    """weasyprint, imported when the first document is rendered: it takes about 0.4 s to import
    (Pango, fonts), which no page, API call or command that draws no PDF should pay at start-up.
    Returns HTML, CSS, the fetcher class and the refusal it raises."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        def __init__(self, url: str):
            super().__init__(url)
            self.url = url

    class Fetcher(URLFetcher):
        """Answers ``data:`` URIs and named assets; refuses everything else, stopping the render."""

        def __init__(self, assets: Mapping[str, Asset]):
            super().__init__(allowed_protocols=())
            self._assets = assets

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            if url.startswith("data:"):
                media_type, body = _data_uri(url)
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            if url.startswith(ASSET_SCHEME) and (asset := self._assets.get(url[len(ASSET_SCHEME):])):
                return URLFetcherResponse(url, asset.body, {"Content-Type": asset.media_type})
            raise Refused(url)

    return HTML, CSS, Fetcher, Refused


def _data_uri(url: str) -> tuple[str, bytes]:
    header, _, data = url[len("data:"):].partition(",")
    parts = header.split(";")
    media_type = parts[0] or "text/plain"
    body = base64.b64decode(data) if "base64" in parts[1:] else unquote_to_bytes(data)
    return media_type, body


def page_css(locale: str) -> str:
    """The base style of every document in ``locale``: A4, its fonts, figures in tabular digits."""
    return (f"@page {{ size: A4; margin: 18mm 16mm 20mm; }}"
            f"html {{ font-family: {FONTS.get(locale, FONTS['en'])}; font-size: 10pt; }}"
            "td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }")


def render_pdf(html: str, *, locale: str, assets: Mapping[str, Asset] | None = None,
               stylesheets: tuple[str, ...] = ()) -> bytes:
    """The PDF of ``html`` in ``locale`` (its fonts), with :func:`page_css` and ``stylesheets``
    (CSS text) applied; raises :class:`OutsideResource` naming the first address it refused."""
    HTML, CSS, Fetcher, Refused = _weasyprint()  # noqa: N806 - the library's classes
    fetcher = Fetcher(assets or {})
    document = HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
    styles = [CSS(string=page_css(locale), url_fetcher=fetcher),
              *(CSS(string=text, url_fetcher=fetcher) for text in stylesheets)]
    output = io.BytesIO()
    try:
        document.write_pdf(output, stylesheets=styles)
    except Refused as refused:
        raise OutsideResource(f"the document refers to {refused.url!r}, outside itself; "
                              f"inline it or pass it as an asset") from None
    return output.getvalue()
