"""Documents are PDFs laid out from HTML with real CJK glyphs, and they fetch nothing."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pypdfium2
import pytest

from neutrality.documents import Asset, OutsideResource, render_pdf

#: A 1×1 transparent PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ff"
    "ff3f0005fe02fea7d6a0a00000000049454e44ae426082")

ARTEFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "documents"


def _text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in document)


def _fonts(pdf: bytes) -> set[str]:
    """The names of the fonts the first page's characters are drawn with, as the PDF embeds them."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    names = set()
    for index in range(textpage.count_chars()):
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
        if size:
            names.add(buffer.value.decode(errors="replace"))
    return names


@pytest.mark.parametrize(("locale", "words", "font"), [
    ("en", "Zero-carbon factory report", "Sans"),
    ("zh_Hans", "零碳工厂报告 盐城电池片工厂 温室气体排放", "Noto-Sans-CJK-SC"),
    ("zh_Hant", "零碳工廠報告 溫室氣體排放 範疇", "Noto-Sans-CJK-TC"),
])
def test_a_document_is_written_with_the_glyphs_of_its_language(locale: str, words: str, font: str) -> None:
    pdf = render_pdf(f"<html lang='{locale.replace('_', '-')}'><body><h1>{words}</h1></body></html>",
                     locale=locale)
    assert pdf.startswith(b"%PDF")
    # the text reads back as written: every character had a glyph (a missing one would come back
    # as nothing or as a replacement)
    assert words.replace(" ", "") in _text(pdf).replace(" ", "").replace("\r\n", "")
    assert any(font in name for name in _fonts(pdf)), _fonts(pdf)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    # the page as a reader sees it, for a look (artifacts/ is not committed)
    pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().save(ARTEFACTS / f"fonts-{locale}.png")


def test_an_inline_image_and_a_named_asset_are_drawn() -> None:
    data = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    pdf = render_pdf(f"<img src='{data}'><img src='asset:logo.png'>", locale="en",
                     assets={"logo.png": Asset(PIXEL, "image/png")})
    images = sum(len([o for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])
                 for page in pypdfium2.PdfDocument(pdf))
    assert images == 2


@pytest.mark.parametrize("address", [
    "http://127.0.0.1:9/x.png", "https://example.com/x.png", "file:///etc/passwd",
    "asset:unknown.png", "ftp://example.com/x",
])
@pytest.mark.parametrize("where", ["img", "css"])
def test_an_address_outside_the_document_stops_it(address: str, where: str) -> None:
    html = (f"<img src='{address}'>" if where == "img"
            else f"<style>body {{ background: url('{address}') }}</style><p>x</p>")
    with pytest.raises(OutsideResource, match="outside itself"):
        render_pdf(html, locale="en")


def test_a_relative_address_reads_no_file_of_the_server(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PIXEL)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        # nothing to resolve it against: either refused or left out, never read
        try:
            pdf = render_pdf("<img src='secret.png'>", locale="en")
        except OutsideResource:
            return
        assert not [o for o in pypdfium2.PdfDocument(pdf)[0].get_objects()
                    if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    finally:
        os.chdir(here)


def test_the_charts_of_the_pages_are_drawn_in_a_document_in_chinese() -> None:
    # the same SVG the period page shows, inlined: its labels are text in the CJK font
    from decimal import Decimal

    from neutrality.charts import BalanceSteps, balance_chart_svg

    steps = BalanceSteps(gross_tco2e=Decimal("219609.661"), certificates_tco2e=Decimal("19202.400"),
                         residual_tco2e=Decimal("200407.261"), credits_tco2e=Decimal("5000"))
    svg = balance_chart_svg(steps, locale="zh_Hans")
    pdf = render_pdf(f"<html lang='zh-Hans'><body><h1>平衡表</h1>{svg}</body></html>", locale="zh_Hans")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().save(ARTEFACTS / "chart-zh_Hans.png")
    page = pypdfium2.PdfDocument(pdf)[0]
    assert len(list(page.get_objects())) > 10  # the bars, axes and labels, not an empty page


def test_starting_the_application_does_not_load_the_pdf_library() -> None:
    # weasyprint takes ~0.4 s to import: a page, an API call or a command that draws no PDF
    # must not pay it at start-up (it is imported by the first document rendered)
    import subprocess
    import sys

    code = "import sys, neutrality.app, neutrality.cli; print('weasyprint' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert run.stdout.strip() == "False"
