"""The balance chart: its steps from a period's balance, and an SVG fit for a strict page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the SVG the code under test wrote
from decimal import Decimal

import pytest

from neutrality.charts import (
    TRAJECTORY_WORDS,
    BalanceSteps,
    TrajectoryPoints,
    balance_chart_svg,
    balance_steps,
    describe_trajectory,
    trajectory_chart_svg,
)
from neutrality.claims.balance import ClaimBalance, PeriodBalance
from neutrality.inventory.coverage import (
    CoveragePosition,
    EacAllocation,
    MarketCoverage,
    SiteCoverage,
)

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# One site in CN buying 1,200 MWh at 0.6096 t/MWh: Scope 2 market-based 731.52 t before any
# certificate, and it is the whole gross. 1,000 MWh of certificates retired cover 1,000 × 0.6096
# = 609.60 t, leaving 200 × 0.6096 = 121.92 t; 122 t of credits retired: net 121.92 − 122 =
# −0.08, a surplus of 0.08 t.
SITE = SiteCoverage(
    site_id=7, market="CN", electricity_mwh=D(1200), supplier_specific_mwh=D(0), grid_mwh=D(1200),
    covered_mwh=D(1000), uncovered_mwh=D(200), scope2_location_tco2e=D("731.52"),
    scope2_market_before_tco2e=D("731.52"), scope2_market_after_tco2e=D("121.92"),
)
COVERAGE = CoveragePosition(
    sites=(SITE,), markets=(MarketCoverage("CN", D(1200), D(1000), D(1000), D(0), D(200)),),
    allocation=EacAllocation({7: D(1000)}, {}), gross_location_tco2e=D("731.52"),
    gross_market_tco2e=D("731.52"), residual_tco2e=D("121.92"), scope2_location_tco2e=D("731.52"),
    scope2_market_before_tco2e=D("731.52"), scope2_market_after_tco2e=D("121.92"),
)
LEDGER = PeriodBalance(
    period_id=1, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31), retirements=(1, 2),
    credits_retired_tco2e=D(122), eac_retired_mwh_by_market={"CN": D(1000)},
    inventory_id=3, inventory_status="verified", inventory_verified=True, coverage=COVERAGE,
)
STEPS = BalanceSteps(D("731.52"), D("609.60"), D("121.92"), D(122))


def _parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the chart under test, written by our own code


def test_the_ledger_balance_steps_from_the_gross_to_a_surplus() -> None:
    steps = balance_steps(LEDGER)
    assert steps is not None
    # 731.52 − 609.60 = 121.92 residual; 121.92 − 122 = −0.08
    assert (steps.gross_tco2e, steps.certificates_tco2e, steps.residual_tco2e, steps.credits_tco2e) == (
        D("731.52"), D("609.60"), D("121.92"), D(122))
    assert steps.net_tco2e == D("-0.08") and steps.surplus


def test_under_the_claim_only_the_counted_certificates_and_credits_step_down() -> None:
    # The claim refuses 500 of the 1,000 MWh of certificates: their electricity stays at 0.6096
    # t/MWh, 500 × 0.6096 = 304.80 t back on the residual: 121.92 + 304.80 = 426.72. Of the 200 t
    # of credits in the ledger it refuses a block of 78: 122 counted. The certificates under the
    # claim take off 731.52 − 426.72 = 304.80 t (the 500 MWh counted × 0.6096); net 426.72 − 122
    # = 304.72 still to offset.
    claim = ClaimBalance(standard="iso_14068_1_2023", rule_sets=("iso-14068-1/2023",), excluded=(),
                         credits_counted_tco2e=D(122), eac_counted_mwh_by_market={"CN": D(500)},
                         residual_tco2e=D("426.72"))
    balance = PeriodBalance(**{**LEDGER.__dict__, "credits_retired_tco2e": D(200), "claim": claim})
    steps = balance_steps(balance)
    assert steps == BalanceSteps(D("731.52"), D("304.80"), D("426.72"), D(122))
    assert steps.net_tco2e == D("304.72") and not steps.surplus


def test_a_period_without_an_inventory_has_no_chart() -> None:
    assert balance_steps(PeriodBalance(**{**LEDGER.__dict__, "coverage": None})) is None


def test_steps_that_do_not_land_on_the_residual_are_refused() -> None:
    # 731.52 − 600 = 131.52, not 121.92: the waterfall would not close
    with pytest.raises(ValueError, match="is not the residual"):
        BalanceSteps(D("731.52"), D(600), D("121.92"), D(122))


def test_the_svg_carries_no_style_script_or_outside_reference() -> None:
    svg = balance_chart_svg(STEPS, locale="zh_Hans", title="苏州工厂 2025")
    root = _parsed(svg)
    tags = {element.tag for element in root.iter()}
    assert f"{SVG}style" not in tags and f"{SVG}script" not in tags
    # an inline style attribute is blocked by style-src as a <style> element is
    assert not [e.tag for e in root.iter() if "style" in e.attrib]
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]
    hrefs = [e.get(XLINK_HREF) or e.get("href") for e in root.iter() if e.get(XLINK_HREF) or e.get("href")]
    assert hrefs and all(h.startswith("#") for h in hrefs)  # glyphs drawn by <use href="#…">
    assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", svg))
    # the only URLs left are the namespace names (no DOCTYPE, no metadata vocabulary)
    assert set(re.findall(r"https?://[^\"' ]+", svg)) == {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_the_colours_survive_as_presentation_attributes() -> None:
    root = _parsed(balance_chart_svg(STEPS, locale="en"))
    fills = {e.get("fill") for e in root.iter()}
    # the certificates' blue, the credits' and a surplus's green, the totals' grey
    assert {"#0072b2", "#009e73", "#56606b"} <= fills
    # the <style> matplotlib writes set round joins on every element: the root passes them on
    assert root.get("stroke-linejoin") == "round"


def test_the_svg_is_an_image_with_its_title_first_and_scales() -> None:
    root = _parsed(balance_chart_svg(STEPS, locale="en", title="Suzhou plant, 2025"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root[0], root[1]
    assert (title.tag, title.text) == (f"{SVG}title", "Suzhou plant, 2025")
    assert root.get("aria-labelledby") == title.get("id") and root.get("aria-describedby") == desc.get("id")
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
    assert root.get("lang") == "en"


def test_without_a_title_the_chart_is_named_in_its_locale() -> None:
    assert _parsed(balance_chart_svg(STEPS, locale="zh_Hant"))[0].text == "期間碳中和平衡"
    assert _parsed(balance_chart_svg(STEPS, locale="en"))[0].text == "Balance of the period"


@pytest.mark.parametrize(("locale", "words"), [
    ("en", "Gross (market-based) 731.52 tCO2e; Certificates −609.60 tCO2e; Residual 121.92 tCO2e; "
           "Credits −122.00 tCO2e; Net −0.08 tCO2e (surplus 0.08 tCO2e)"),
    ("zh_Hans", "市场法排放总量 731.52 tCO2e；绿色电力证书抵减 −609.60 tCO2e；剩余排放 121.92 tCO2e；"
                "碳信用抵销 −122.00 tCO2e；净排放 −0.08 tCO2e（盈余 0.08 tCO2e）"),
    ("zh_Hant", "市場法排放總量 731.52 tCO2e；再生能源憑證抵減 −609.60 tCO2e；剩餘排放 121.92 tCO2e；"
                "碳信用抵銷 −122.00 tCO2e；淨排放 −0.08 tCO2e（盈餘 0.08 tCO2e）"),
])
def test_the_description_reads_the_figures_in_the_locale(locale: str, words: str) -> None:
    # text is drawn as glyph paths: the figures a reader can find as text are in <desc>
    root = _parsed(balance_chart_svg(STEPS, locale=locale))
    assert root[1].tag == f"{SVG}desc" and root[1].text == words


def test_a_net_still_to_offset_is_not_called_a_surplus() -> None:
    # 731.52 − 300 = 431.52 residual, 122 credits: 309.52 left
    steps = BalanceSteps(D("731.52"), D(300), D("431.52"), D(122))
    desc = _parsed(balance_chart_svg(steps, locale="en"))[1].text
    assert desc.endswith("; Net 309.52 tCO2e")


@pytest.mark.parametrize(("locale", "face"), [
    ("zh_Hans", "NotoSansCJKsc"), ("zh_Hant", "NotoSansCJKtc"),
])
def test_chinese_is_drawn_from_its_script_s_noto_face(locale: str, face: str) -> None:
    # matplotlib names each glyph it defines after its font; a glyph missing from every font of
    # the family would warn (an error under this suite's warning filter)
    glyphs = re.findall(r'<path id="([A-Za-z-]+)-[0-9a-f]+"', balance_chart_svg(STEPS, locale=locale))
    assert any(g.startswith(face) for g in glyphs)


def test_an_english_chart_falls_back_to_cjk_for_a_chinese_title() -> None:
    plain = balance_chart_svg(STEPS, locale="en", title="Suzhou")
    named = balance_chart_svg(STEPS, locale="en", title="苏州工厂")
    assert "NotoSansCJK" not in plain and "NotoSansCJKsc" in named


def test_the_same_figures_give_the_same_bytes() -> None:
    first = balance_chart_svg(STEPS, locale="zh_Hans", title="2025")
    assert balance_chart_svg(STEPS, locale="zh_Hans", title="2025") == first
    other = balance_chart_svg(BalanceSteps(D("731.52"), D("609.60"), D("121.92"), D(121)),
                              locale="zh_Hans", title="2025")
    assert other != first


def test_two_charts_on_one_page_do_not_share_ids() -> None:
    def ids(svg: str) -> set[str]:
        return {e.get("id") for e in _parsed(svg).iter() if e.get("id")}

    other = BalanceSteps(D(1000), D(0), D(1000), D(1000))
    title_ids = {i for i in ids(balance_chart_svg(STEPS, locale="en")) if i.startswith("chart-")}
    assert len(title_ids) == 2
    assert not title_ids & ids(balance_chart_svg(other, locale="en"))


def test_zero_figures_draw_a_chart() -> None:
    zero = BalanceSteps(D(0), D(0), D(0), D(0))
    desc = _parsed(balance_chart_svg(zero, locale="zh_Hans"))[1].text
    # nothing to take off is written 0.00, without a minus
    assert desc == "市场法排放总量 0.00 tCO2e；绿色电力证书抵减 0.00 tCO2e；剩余排放 0.00 tCO2e；碳信用抵销 0.00 tCO2e；净排放 0.00 tCO2e"


def test_a_billion_tonnes_draw_with_every_digit() -> None:
    # 1,000,000,000 − 400,000,000.5 = 599,999,999.5 residual; 700,000,000 credits: a surplus of
    # 100,000,000.5
    steps = BalanceSteps(D("1e9"), D("400000000.5"), D("599999999.5"), D(700_000_000))
    desc = _parsed(balance_chart_svg(steps, locale="en"))[1].text
    assert desc == ("Gross (market-based) 1,000,000,000.00 tCO2e; Certificates −400,000,000.50 tCO2e; "
                    "Residual 599,999,999.50 tCO2e; Credits −700,000,000.00 tCO2e; "
                    "Net −100,000,000.50 tCO2e (surplus 100,000,000.50 tCO2e)")


def test_a_library_taking_the_svg_prefix_afterwards_does_not_change_the_chart() -> None:
    # weasyprint, imported after the charts, registers its PDF metadata namespaces, one under the
    # empty prefix: a chart must still be plain <svg>, which pages and documents can inline
    import xml.etree.ElementTree as ET  # noqa: S405

    ET.register_namespace("", "http://example.com/another-default")
    svg = balance_chart_svg(STEPS, locale="en")
    assert svg.startswith("<svg") and "ns0:" not in svg


# --- the trajectory of a target ----------------------------------------------------------------

# 1,000 t in 2024, 30 % less by 2030: 700 t allowed in 2030, 50 t less a year (1,000 − 300 × 1/6
# each year); 2025 allows 950 t: 940 t is on track, 2026 allows 900 t: 912.5 t is above the line.
LINE = tuple((year, D(1000) - D(50) * (year - 2024)) for year in range(2024, 2031))
POINTS = TrajectoryPoints(LINE, ((2025, D(940), True), (2026, D("912.5"), False)))


@pytest.mark.parametrize(("locale", "words"), [
    ("en", "base year 2024: 1,000.00 tCO2e; target year 2030: 700.00 tCO2e; 2025: 940.00 tCO2e, on track; "
           "2026: 912.50 tCO2e, off track"),
    ("zh_Hans", "基准年 2024：1,000.00 tCO2e；目标年 2030：700.00 tCO2e；2025：940.00 tCO2e，符合轨迹；"
                "2026：912.50 tCO2e，偏离轨迹"),
    ("zh_Hant", "基準年 2024：1,000.00 tCO2e；目標年 2030：700.00 tCO2e；2025：940.00 tCO2e，符合軌跡；"
                "2026：912.50 tCO2e，偏離軌跡"),
])
def test_the_trajectory_chart_says_its_line_and_points_in_the_locale(locale: str, words: str) -> None:
    root = _parsed(trajectory_chart_svg(POINTS, locale=locale))
    assert root[1].tag == f"{SVG}desc" and root[1].text == words
    assert root[0].text == TRAJECTORY_WORDS[locale].name and root.get("role") == "img"


def test_the_trajectory_chart_is_fit_for_a_strict_page() -> None:
    svg = trajectory_chart_svg(POINTS, locale="zh_Hant", title="目標 1")
    root = _parsed(svg)
    assert root[0].text == "目標 1"
    assert not [e.tag for e in root.iter() if "style" in e.attrib or e.tag in (f"{SVG}style", f"{SVG}script")]
    hrefs = [e.get(XLINK_HREF) or e.get("href") for e in root.iter() if e.get(XLINK_HREF) or e.get("href")]
    assert hrefs and all(h.startswith("#") for h in hrefs)
    # the line grey, a point on track green and one off track orange
    colours = {e.get("fill") for e in root.iter()} | {e.get("stroke") for e in root.iter()}
    assert {"#56606b", "#009e73", "#d55e00"} <= colours
    assert trajectory_chart_svg(POINTS, locale="zh_Hant", title="目標 1") == svg  # the same bytes


def test_an_intensity_is_described_per_its_unit_to_three_decimals() -> None:
    # 0.5 t/MWh less 40 % by 2027: 0.3 allowed; 2025 allows 0.5 − 0.2 × 1/3 = 0.4333…, and 0.4321
    # is below it (on track); written to 3 decimals, 0.432
    points = TrajectoryPoints(((2024, D("0.5")), (2027, D("0.3"))), ((2025, D("0.4321"), True),),
                              unit="tCO2e/MWh")
    assert describe_trajectory(points, locale="en") == (
        "base year 2024: 0.500 tCO2e/MWh; target year 2027: 0.300 tCO2e/MWh; 2025: 0.432 tCO2e/MWh, on track")


def test_a_trajectory_needs_two_points_and_exact_figures() -> None:
    with pytest.raises(ValueError, match="two points"):
        TrajectoryPoints(((2024, D(1)),), ())
    with pytest.raises(ValueError, match="finite Decimal"):
        TrajectoryPoints(LINE, ((2025, 940.0, True),))  # type: ignore[arg-type]


# --- the reductions achieved, the first step of the walk ---------------------------------------------

# The same site drew 1,450 MWh the year before and 1,200 MWh this year at the same grid factor:
# the activity part of the change is (1,200 − 1,450) × 0.6096 = −152.40 t, a reduction achieved of
# 152.40 t. Without it the period would have emitted 731.52 + 152.40 = 883.92 t; the rest of the
# walk is STEPS': −609.60 to 121.92, −122 to a surplus of 0.08.
REDUCED = BalanceSteps(D("731.52"), D("609.60"), D("121.92"), D(122), D("152.40"))


def _bars(svg: str) -> list[tuple[str, float, float, float]]:
    """(fill, left, top, bottom) of each bar, left to right: the coloured rectangles matplotlib
    writes as paths of four corners, the white of the figure and axes left out (SVG y grows
    downwards: top < bottom)."""
    bars = []
    for element in _parsed(svg).iter(f"{SVG}path"):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", element.get("d", ""))]
        fill = element.get("fill")
        if fill and fill.startswith("#") and fill != "#ffffff" and len(numbers) == 8 and element.get("d", "").rstrip().endswith("z"):
            xs, ys = numbers[0::2], numbers[1::2]
            if min(xs) != max(xs) and min(ys) != max(ys):
                bars.append((fill, min(xs), min(ys), max(ys)))
    return sorted(bars, key=lambda bar: bar[1])


def test_the_walk_starts_from_the_emissions_without_the_reductions() -> None:
    assert REDUCED.before_reductions_tco2e == D("883.92") and REDUCED.reduced
    assert REDUCED.net_tco2e == D("-0.08")
    bars = _bars(balance_chart_svg(REDUCED, locale="en"))
    # seven bars: without the reductions (grey), reductions (sky blue), gross (grey),
    # certificates (blue), residual (grey), credits (green), net (green: a surplus)
    assert [fill for fill, *_ in bars] == ["#56606b", "#56b4e9", "#56606b", "#0072b2", "#56606b", "#009e73",
                                           "#009e73"]
    (_, _, before_top, zero), (_, _, cut_top, cut_foot), (_, _, gross_top, gross_foot) = bars[:3]
    # the reductions hang from the top of the first total down to the top of the gross
    assert abs(cut_top - before_top) < 0.01 and abs(cut_foot - gross_top) < 0.01 and abs(gross_foot - zero) < 0.01
    # their height is to the gross's as 152.40 to 731.52
    assert abs((cut_foot - cut_top) / (gross_foot - gross_top) - 152.40 / 731.52) < 1e-3


@pytest.mark.parametrize(("locale", "words"), [
    ("en", "Without the reductions 883.92 tCO2e; Reductions achieved −152.40 tCO2e; Gross (market-based) "
           "731.52 tCO2e; Certificates −609.60 tCO2e; Residual 121.92 tCO2e; Credits −122.00 tCO2e; "
           "Net −0.08 tCO2e (surplus 0.08 tCO2e)"),
    ("zh_Hans", "未计减排的排放量 883.92 tCO2e；已实现减排 −152.40 tCO2e；市场法排放总量 731.52 tCO2e；"
                "绿色电力证书抵减 −609.60 tCO2e；剩余排放 121.92 tCO2e；碳信用抵销 −122.00 tCO2e；"
                "净排放 −0.08 tCO2e（盈余 0.08 tCO2e）"),
    ("zh_Hant", "未計減排的排放量 883.92 tCO2e；已實現減排 −152.40 tCO2e；市場法排放總量 731.52 tCO2e；"
                "再生能源憑證抵減 −609.60 tCO2e；剩餘排放 121.92 tCO2e；碳信用抵銷 −122.00 tCO2e；"
                "淨排放 −0.08 tCO2e（盈餘 0.08 tCO2e）"),
])
def test_the_description_names_the_reductions_first(locale: str, words: str) -> None:
    assert _parsed(balance_chart_svg(REDUCED, locale=locale))[1].text == words


def test_without_reductions_the_step_is_left_out_not_drawn_as_zero() -> None:
    # a first period (no reductions given) and a period that achieved none draw the same chart:
    # five bars from the gross, nothing sky blue, nothing said of reductions
    none = balance_chart_svg(STEPS, locale="en")
    zero = balance_chart_svg(BalanceSteps(D("731.52"), D("609.60"), D("121.92"), D(122), D(0)), locale="en")
    assert none == zero
    assert [fill for fill, *_ in _bars(none)] == ["#56606b", "#0072b2", "#56606b", "#009e73", "#009e73"]
    assert _parsed(none)[1].text.startswith("Gross (market-based) 731.52 tCO2e;")
    assert "Reductions" not in _parsed(none)[1].text and not STEPS.reduced


def test_a_rise_is_not_a_reduction() -> None:
    with pytest.raises(ValueError, match="not a reduction"):
        BalanceSteps(D("731.52"), D("609.60"), D("121.92"), D(122), D("-1"))


def test_the_chart_with_reductions_keeps_its_strict_and_steady_form() -> None:
    svg = balance_chart_svg(REDUCED, locale="zh_Hant", title="鹽城工廠 2025")
    root = _parsed(svg)
    assert not [e.tag for e in root.iter() if "style" in e.attrib or e.tag in (f"{SVG}style", f"{SVG}script")]
    assert "<text" not in svg  # the words are glyph paths
    assert balance_chart_svg(REDUCED, locale="zh_Hant", title="鹽城工廠 2025") == svg
    assert balance_chart_svg(BalanceSteps(D("731.52"), D("609.60"), D("121.92"), D(122), D("152.41")),
                             locale="zh_Hant", title="鹽城工廠 2025") != svg
