"""The balance of an application period as a chart: a waterfall drawn as SVG by matplotlib.

Pure: no Flask, no database; figures in, SVG text out.

The chart walks the core equation from left to right: the market-based gross (a total from
zero), what the retired certificates take off Scope 2 (a bar floating down from the gross), the
residual (a total), the carbon credits retired and counted (a bar floating down from the
residual) and the net: residual − credits, below zero when the credits exceed the residual (a
surplus, written as such). When the period achieved reductions (against the previous period:
the activity part of the change, what was done rather than what the factors moved), the walk
starts two steps earlier, from what the emissions would have been without them (gross +
reductions, a total), the reductions floating down from it to the gross; without reductions
those two bars are not drawn at all (a first period has nothing to reduce against, and a step
of zero would claim a comparison that was not made). Every figure stays exact (:class:`BalanceSteps` holds Decimals); the
numbers written on the chart and in its description are rounded by
:func:`neutrality.presentation.rounded`, the one place anything is rounded.

The SVG is made to be served or inlined under ``Content-Security-Policy: default-src 'self'``
and printed by the PDF statements alike: no ``<style>`` element and no ``style`` attribute (each
declaration becomes the SVG presentation attribute of the same name, which no CSP blocks), no
script, no reference outside the document (every ``href`` is ``#…``), text drawn as glyph paths
(the reader needs no font, Chinese included), ``role="img"`` with a ``<title>`` and a ``<desc>``
that lists the figures in words for screen readers, a ``viewBox`` so that it scales, and the
same bytes for the same figures (fixed id salt, no date).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the SVG matplotlib has just written
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import matplotlib
from matplotlib import ticker
from matplotlib.figure import Figure

from neutrality.presentation import QUANTITY, TONNES, rounded

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# the chart written back as matplotlib wrote it: SVG the default namespace, xlink: for the glyphs
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
MINUS = "\N{MINUS SIGN}"
UNIT = "tCO2e"


@dataclass(frozen=True)
class BalanceSteps:
    """The steps of a period's balance, in tCO2e, exact.

    ``certificates_tco2e`` is what the retired certificates take off market-based Scope 2, so
    ``gross − certificates = residual`` holds exactly (the waterfall lands on the residual);
    ``credits_tco2e`` are the carbon credits retired and counted against the residual.
    ``reductions_tco2e`` are the reductions the period achieved, already inside the gross: the
    walk starts from ``gross + reductions`` (:attr:`before_reductions_tco2e`); zero, the default
    (a first period, no reduction achieved, a caller that does not know), leaves that step out.
    Never negative: emissions that rose are not a reduction to draw."""

    gross_tco2e: Decimal
    certificates_tco2e: Decimal
    residual_tco2e: Decimal
    credits_tco2e: Decimal
    reductions_tco2e: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("gross_tco2e", "certificates_tco2e", "residual_tco2e", "credits_tco2e", "reductions_tco2e"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ValueError(f"{name} must be a finite Decimal, not {value!r}")
        if self.gross_tco2e - self.certificates_tco2e != self.residual_tco2e:
            raise ValueError(
                f"gross {self.gross_tco2e} − certificates {self.certificates_tco2e} is not the "
                f"residual {self.residual_tco2e}")
        if self.reductions_tco2e < 0:
            raise ValueError(f"reductions of {self.reductions_tco2e} tCO2e: a rise is not a reduction")

    @property
    def before_reductions_tco2e(self) -> Decimal:
        """Gross + reductions: what the period would have emitted without what was achieved."""
        return self.gross_tco2e + self.reductions_tco2e

    @property
    def reduced(self) -> bool:
        """Whether the reductions are drawn (and described): only when there are some."""
        return self.reductions_tco2e > 0

    @property
    def net_tco2e(self) -> Decimal:
        """Residual − credits: what is left to offset; negative is a surplus."""
        return self.residual_tco2e - self.credits_tco2e

    @property
    def surplus(self) -> bool:
        return self.net_tco2e < 0


# What balance_steps reads of a neutrality.claims.balance.PeriodBalance. Described here rather
# than imported: this module sits in the kernel layer, beneath the claims it draws.
class _Coverage(Protocol):
    @property
    def gross_market_tco2e(self) -> Decimal: ...
    @property
    def residual_tco2e(self) -> Decimal: ...


class _Claim(Protocol):
    @property
    def credits_counted_tco2e(self) -> Decimal: ...
    @property
    def residual_tco2e(self) -> Decimal | None: ...


class _PeriodBalance(Protocol):
    @property
    def coverage(self) -> _Coverage | None: ...
    @property
    def claim(self) -> _Claim | None: ...
    @property
    def credits_retired_tco2e(self) -> Decimal: ...


def balance_steps(balance: _PeriodBalance) -> BalanceSteps | None:
    """The steps of a :class:`~neutrality.claims.balance.PeriodBalance`; None when the period
    has no inventory (nothing to draw).

    Under the claim of the period's commitment (``balance.claim``) only what no blocking rule
    refuses counts: its credits, and its residual (a refused certificate leaves its electricity
    at the residual mix, so fewer tCO2e come off). Without a claim, the ledger's figures."""
    coverage = balance.coverage
    if coverage is None:
        return None
    gross = coverage.gross_market_tco2e
    claim = balance.claim
    if claim is not None and claim.residual_tco2e is not None:
        residual, credits = claim.residual_tco2e, claim.credits_counted_tco2e
    else:
        residual, credits = coverage.residual_tco2e, balance.credits_retired_tco2e
    # Certificates act only on market-based Scope 2 (the GHG Protocol Scope 2 Guidance's
    # market-based method), so the whole gap between the gross and the residual is theirs:
    # Scope 2 market-based before − after.
    return BalanceSteps(gross, gross - residual, residual, credits)


@dataclass(frozen=True)
class _Words:
    before: str  # gross + reductions: the emissions without the reductions
    reductions: str
    gross: str
    certificates: str
    residual: str
    credits: str
    net: str
    surplus: str  # "surplus 0.08": what a negative net is
    balance: str  # the accessible title when none is given
    separator: str  # between the figures of the description
    aside: str  # a figure and a remark on it
    lang: str  # BCP 47, for screen readers' pronunciation

    def surplus_of(self, shown: str) -> str:
        return self.surplus.format(shown)


WORDS = {
    "en": _Words("Without the reductions", "Reductions achieved", "Gross (market-based)", "Certificates", "Residual", "Credits", "Net",
                 "surplus {}", "Balance of the period", "; ", "{} ({})", "en"),
    # 市场法: the market-based method of Scope 2; 绿色电力证书 and 再生能源憑證 are the names the
    # rule texts give certificates in each script; credits 抵销 (offset), certificates 抵减
    # (reduce): a certificate is never an offset. 已实现减排: the reductions achieved (what was
    # done), as the reductions pages call them.
    "zh_Hans": _Words("未计减排的排放量", "已实现减排", "市场法排放总量", "绿色电力证书抵减", "剩余排放", "碳信用抵销", "净排放",
                      "盈余 {}", "期间碳中和平衡", "；", "{}（{}）", "zh-Hans"),
    "zh_Hant": _Words("未計減排的排放量", "已實現減排", "市場法排放總量", "再生能源憑證抵減", "剩餘排放", "碳信用抵銷", "淨排放",
                      "盈餘 {}", "期間碳中和平衡", "；", "{}（{}）", "zh-Hant"),
}

# Each script's own Noto CJK face first (简体 and 繁體 draw some characters differently), then
# DejaVu Sans, which matplotlib ships, for whatever the first lacks; English the other way round,
# so that a Chinese organisation's name in an English title still draws.
FONTS = {
    "en": ["DejaVu Sans", "Noto Sans CJK SC"],
    "zh_Hans": ["Noto Sans CJK SC", "DejaVu Sans"],
    "zh_Hant": ["Noto Sans CJK TC", "DejaVu Sans"],
}

# Okabe–Ito colours (told apart with any colour vision); every bar also carries its words.
TOTAL = "#56606b"
REDUCTIONS = "#56b4e9"  # sky blue: lighter than the certificates' blue
CERTIFICATES = "#0072b2"
CREDITS = "#009e73"
SHORT = "#d55e00"  # a net still to offset
SURPLUS = "#009e73"

# matplotlib's rcParams are global: rc_context sets them for the whole process while one chart
# is drawn, and the font family is read when the text is made, the SVG options when it is
# written. One chart at a time, so that a second thread never draws under the first's settings.
_DRAWING = threading.Lock()


def balance_chart_svg(steps: BalanceSteps, *, locale: str, title: str | None = None) -> str:
    """The waterfall of ``steps`` as an SVG document (text, no XML declaration: it can be
    served as ``image/svg+xml`` or inlined in a page as it is).

    ``locale`` is one of ``en``, ``zh_Hans``, ``zh_Hant`` (anything else draws in English);
    ``title`` is drawn above the chart and is its accessible name (without it, the name is
    "Balance of the period" in the locale, and nothing is drawn)."""
    words = WORDS.get(locale, WORDS["en"])
    fonts = FONTS.get(locale, FONTS["en"])
    name = title if title is not None else words.balance
    description = describe(steps, words)
    settings = {
        "svg.fonttype": "path",  # glyphs as paths: no font needed where the SVG is read
        "svg.hashsalt": "neutrality-balance",  # clip-path ids from the figures, not at random
        "font.family": fonts,
        "font.size": 9,
        "axes.unicode_minus": True,
    }
    with _DRAWING, matplotlib.rc_context(settings):
        figure = _draw(steps, words, title)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _for_strict_pages(out.getvalue(), name, description, words.lang)


def describe_steps(steps: BalanceSteps, *, locale: str) -> str:
    """The chart's figures in words in a locale (what its ``<desc>`` says): a page's ``alt``."""
    return describe(steps, WORDS.get(locale, WORDS["en"]))


def describe(steps: BalanceSteps, words: _Words) -> str:
    """The figures in words, in the order of the bars: "Gross (market-based) 731.52 tCO2e;
    Certificates −609.60 tCO2e; …", after "Without the reductions 853.52 tCO2e; Reductions
    achieved −122.00 tCO2e; " when there are reductions."""
    net = f"{words.net} {_shown(steps.net_tco2e)} {UNIT}"
    if steps.surplus:
        net = words.aside.format(net, words.surplus_of(f"{_shown(-steps.net_tco2e)} {UNIT}"))
    before = [f"{words.before} {_shown(steps.before_reductions_tco2e)} {UNIT}",
              f"{words.reductions} {_shown(-steps.reductions_tco2e)} {UNIT}"] if steps.reduced else []
    return words.separator.join([
        *before,
        f"{words.gross} {_shown(steps.gross_tco2e)} {UNIT}",
        f"{words.certificates} {_shown(-steps.certificates_tco2e)} {UNIT}",
        f"{words.residual} {_shown(steps.residual_tco2e)} {UNIT}",
        f"{words.credits} {_shown(-steps.credits_tco2e)} {UNIT}",
        net,
    ])


def _shown(value: Decimal) -> str:
    """Rounded as people read tonnes, with a true minus sign (rounded() writes no sign on a
    figure that rounds to zero)."""
    return (rounded(value, TONNES) or "").replace("-", MINUS)


def _label(text: str, slots: int) -> str:
    """A category's name on two lines when seven bars share the width: English at the space
    nearest its middle (a single word stays whole), Chinese (no spaces) at half its characters."""
    if slots <= 5:  # noqa: PLR2004 - five bars have the width to themselves
        return text
    if " " in text:
        if len(text) <= 12:  # noqa: PLR2004 - fits its slot
            return text
        middle = len(text) // 2
        cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
        return f"{text[:cut]}\n{text[cut + 1:]}"
    if text.isascii() or len(text) <= 5:  # noqa: PLR2004 - five characters fit a slot
        return text
    half = (len(text) + 1) // 2
    return f"{text[:half]}\n{text[half:]}"


def _draw(steps: BalanceSteps, words: _Words, title: str | None) -> Figure:
    gross = float(steps.gross_tco2e)
    residual = float(steps.residual_tco2e)
    net = float(steps.net_tco2e)
    # (label, bottom, top, colour, value written): the reductions float from the total before
    # them down to the one after; the totals stand on zero (the net below it when a surplus)
    bars = [
        (words.gross, 0.0, gross, TOTAL, _shown(steps.gross_tco2e)),
        (words.certificates, residual, gross, CERTIFICATES, _shown(-steps.certificates_tco2e)),
        (words.residual, 0.0, residual, TOTAL, _shown(steps.residual_tco2e)),
        (words.credits, net, residual, CREDITS, _shown(-steps.credits_tco2e)),
        (words.net, 0.0, net, SURPLUS if steps.surplus else SHORT, _shown(steps.net_tco2e)),
    ]
    if steps.reduced:
        before = float(steps.before_reductions_tco2e)
        bars[:0] = [
            (words.before, 0.0, before, TOTAL, _shown(steps.before_reductions_tco2e)),
            (words.reductions, gross, before, REDUCTIONS, _shown(-steps.reductions_tco2e)),
        ]
    if steps.surplus:
        written = words.surplus_of(_shown(-steps.net_tco2e))
        bars[-1] = (*bars[-1][:4], f"{bars[-1][4]}\n{written}")

    figure = Figure(figsize=(7.2, 3.6), layout="constrained")
    axes = figure.add_subplot()
    positions = range(len(bars))
    axes.bar(positions, [top - bottom for _, bottom, top, _, _ in bars],
             bottom=[bottom for _, bottom, _, _, _ in bars], width=0.6,
             color=[colour for _, _, _, colour, _ in bars])
    # the level each bar leaves, carried to the next: totals and steps alternate, a total's top,
    # a step's foot (where the next total stands)
    for x, (_, bottom, top, _, _) in enumerate(bars[:-1]):
        level = top if x % 2 == 0 else bottom
        axes.plot([x + 0.3, x + 0.7], [level, level], color="#9aa3ab", linewidth=0.8,
                  linestyle=(0, (3, 2)))
    # Every figure above its bar: a surplus's net hangs below zero, its figure stands on the
    # zero line, clear of the categories' names under the axes.
    # A smaller size once a figure is as wide as its bar's slot (hundreds of millions of
    # tonnes with their decimals), so that neighbours do not run into each other.
    widest = 13 if len(bars) == 5 else 12  # noqa: PLR2004 - seven bars have narrower slots
    size = 9 if max(len(line) for *_, written in bars for line in written.split("\n")) <= widest else 7
    for x, (_, bottom, top, _, written) in enumerate(bars):
        axes.annotate(written, (x, max(bottom, top)), xytext=(0, 3), textcoords="offset points",
                      ha="center", va="bottom", fontsize=size)
    # The limits set rather than left to autoscaling, which stops at a bar's foot (a floating
    # bar's foot is the net, so a surplus would sit on the frame): room above for the figures
    # written there and title, and a little below a surplus.
    levels = [0.0, *(edge for _, bottom, top, _, _ in bars for edge in (bottom, top))]
    low, high = min(levels), max(levels)
    if high == low:  # all zero: a unit of height to draw the zero line and the figures in
        high = 1.0
    span = high - low
    axes.set_ylim(low - 0.05 * span if low < 0 else 0.0, high + 0.16 * span)
    axes.axhline(0, color="#30363d", linewidth=0.8)
    axes.set_xticks(list(positions), [_label(label, len(bars)) for label, *_ in bars])
    axes.tick_params(axis="x", length=0)
    axes.set_ylabel("tCO₂e")
    axes.yaxis.set_major_formatter(_Thousands())
    axes.set_xlim(-0.6, len(bars) - 0.4)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if title is not None:
        axes.set_title(title, loc="left")
    return figure


class _Thousands(ticker.Formatter):
    """Tick labels with thousands separators and as many decimals as the step between ticks
    needs (0.025 → 3, 250 → 0): 1,000,000,000 rather than "1e9" at the axis' corner."""

    places = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        found = sorted(loc for loc in locs if math.isfinite(loc))
        step = min((b - a for a, b in zip(found, found[1:], strict=False) if b != a), default=1.0)
        self.places = max(0, -int(Decimal(f"{step:.12g}").normalize().as_tuple().exponent))

    def __call__(self, x: float, pos: int | None = None) -> str:
        shown = f"{x:,.{self.places}f}"
        return "0" if float(shown.replace(",", "")) == 0 else shown.replace("-", MINUS)


# <metadata> names matplotlib's version and an outside vocabulary: nothing a reader needs
_DROPPED = {f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}metadata"}
_STYLE_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+?)\s*(?:;|$)")


def _for_strict_pages(svg: str, title: str, description: str, lang: str) -> str:
    """matplotlib's SVG made fit for a page under a strict CSP and for screen readers."""
    root = ET.fromstring(svg)  # noqa: S314 - the SVG matplotlib has just written, no outside input
    _remove(root, lambda e: e.tag in _DROPPED)
    _remove(root, lambda e: e.tag == f"{{{SVG_NS}}}defs" and len(e) == 0)  # held only the style
    referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
    for element in root.iter():
        style = element.attrib.pop("style", None)
        for prop, value in _STYLE_DECLARATION.findall(style or ""):
            element.set(prop, value)
        for attribute in ("href", f"{{{XLINK_NS}}}href"):
            target = element.get(attribute)
            if target is not None and not target.startswith("#"):
                raise ValueError(f"the chart refers outside itself: {target!r}")
        # matplotlib names every group (figure_1, patch_3…): the same names in two charts of
        # one page would clash, and nothing refers to them
        if element.get("id") is not None and element.get("id") not in referenced:
            del element.attrib["id"]
    # The removed <style> said "*{stroke-linejoin: round; stroke-linecap: butt}": inherited
    # from the root, the elements that set neither get the same.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    # ids of this chart's title and description, from what they say: two charts on one page
    # do not share them, and the same chart keeps them
    key = hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:10]
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-{key}-title")
    root.set("aria-describedby", f"chart-{key}-desc")
    root.set("lang", lang)
    root.set(f"{{{XML_NS}}}lang", lang)
    if root.get("viewBox") is None:
        raise ValueError("the chart has no viewBox")
    heading = ET.Element(f"{{{SVG_NS}}}title", {"id": f"chart-{key}-title"})
    heading.text = title
    desc = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"chart-{key}-desc"})
    desc.text = description
    root.insert(0, desc)
    root.insert(0, heading)  # the first child: what assistive technology reads as the name
    # Registered again each time: a library imported later (weasyprint registers its PDF metadata
    # namespaces, some under the empty prefix) may have taken the prefixes since, and the SVG
    # would come out as ns0:svg, which an HTML page or document cannot inline.
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode")


def _remove(root: ET.Element, unwanted: Callable[[ET.Element], bool]) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if unwanted(child):
                parent.remove(child)


# --- the trajectory of a reduction target --------------------------------------------------------


@dataclass(frozen=True)
class TrajectoryPoints:
    """A target's trajectory and the periods placed on it, exact.

    ``allowed`` holds (year, value allowed) from the base year to the target year (a straight
    line: :meth:`neutrality.reductions.targets.Target.trajectory`); ``actuals`` holds (year,
    actual value, on track) of each period followed; ``unit`` is the target's measure, "tCO2e"
    or "tCO2e/MWh" for an intensity."""

    allowed: tuple[tuple[int, Decimal], ...]
    actuals: tuple[tuple[int, Decimal, bool], ...]
    unit: str = UNIT

    def __post_init__(self) -> None:
        if len(self.allowed) < 2:  # noqa: PLR2004 - a line needs its two ends
            raise ValueError("a trajectory runs from the base year to the target year: two points at least")
        for _, value in self.allowed:
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ValueError(f"an allowed value must be a finite Decimal, not {value!r}")
        for _, value, _ in self.actuals:
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ValueError(f"an actual value must be a finite Decimal, not {value!r}")


@dataclass(frozen=True)
class _TrajectoryWords:
    trajectory: str  # the line
    on_track: str
    off_track: str
    year: str
    name: str  # the accessible title when none is given
    base: str  # "base year {year}: {value}"
    target: str  # "target year {year}: {value}"
    actual: str  # "{year}: {value}, {state}"
    separator: str
    lang: str


TRAJECTORY_WORDS = {
    "en": _TrajectoryWords("Trajectory (allowed)", "on track", "off track", "Year", "Progress against the target",
                           "base year {}: {}", "target year {}: {}", "{}: {}, {}", "; ", "en"),
    # 轨迹 (the allowed path), 达标/未达标 as targets are said to be met or not on track
    "zh_Hans": _TrajectoryWords("减排轨迹（允许值）", "符合轨迹", "偏离轨迹", "年份", "目标进展",
                                "基准年 {}：{}", "目标年 {}：{}", "{}：{}，{}", "；", "zh-Hans"),
    "zh_Hant": _TrajectoryWords("減排軌跡（允許值）", "符合軌跡", "偏離軌跡", "年份", "目標進展",
                                "基準年 {}：{}", "目標年 {}：{}", "{}：{}，{}", "；", "zh-Hant"),
}


def _per_unit(value: Decimal, unit: str) -> str:
    # tonnes to 2 decimals; an intensity (tCO2e per MWh, per piece) is small: 3 decimals, as
    # quantities are shown
    kind = TONNES if unit == UNIT else QUANTITY
    return f"{(rounded(value, kind) or '').replace('-', MINUS)} {unit}"


def describe_trajectory(points: TrajectoryPoints, *, locale: str) -> str:
    """The chart's figures in words (its ``<desc>``, a page's ``alt``): the line's two ends, then
    each period's actual value and whether it is on the line or above it."""
    words = TRAJECTORY_WORDS.get(locale, TRAJECTORY_WORDS["en"])
    (first_year, first), (last_year, last) = points.allowed[0], points.allowed[-1]
    parts = [words.base.format(first_year, _per_unit(first, points.unit)),
             words.target.format(last_year, _per_unit(last, points.unit))]
    parts += [words.actual.format(year, _per_unit(value, points.unit), words.on_track if kept else words.off_track)
              for year, value, kept in points.actuals]
    return words.separator.join(parts)


def trajectory_chart_svg(points: TrajectoryPoints, *, locale: str, title: str | None = None) -> str:
    """The target's trajectory as a line from the base year to the target year, each period's
    actual value a point on or off it, as an SVG document fit for a strict page (as
    :func:`balance_chart_svg`). ``locale`` as there; ``title`` drawn above and the accessible
    name (else "Progress against the target" in the locale)."""
    words = TRAJECTORY_WORDS.get(locale, TRAJECTORY_WORDS["en"])
    fonts = FONTS.get(locale, FONTS["en"])
    name = title if title is not None else words.name
    settings = {
        "svg.fonttype": "path",
        "svg.hashsalt": "neutrality-trajectory",
        "font.family": fonts,
        "font.size": 9,
        "axes.unicode_minus": True,
    }
    with _DRAWING, matplotlib.rc_context(settings):
        figure = _draw_trajectory(points, words, title)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _for_strict_pages(out.getvalue(), name, describe_trajectory(points, locale=locale), words.lang)


def _draw_trajectory(points: TrajectoryPoints, words: _TrajectoryWords, title: str | None) -> Figure:
    figure = Figure(figsize=(7.2, 3.6), layout="constrained")
    axes = figure.add_subplot()
    years = [year for year, _ in points.allowed]
    axes.plot(years, [float(value) for _, value in points.allowed], color=TOTAL, linewidth=1.5,
              label=words.trajectory)
    # on track a green circle, off track an orange triangle: told apart by shape as by colour
    for kept, colour, marker, said in ((True, CREDITS, "o", words.on_track), (False, SHORT, "^", words.off_track)):
        chosen = [(year, value) for year, value, on in points.actuals if on is kept]
        if chosen:
            axes.scatter([year for year, _ in chosen], [float(value) for _, value in chosen], color=colour,
                         marker=marker, s=36, zorder=3, label=said)
    levels = [0.0, *(float(v) for _, v in points.allowed), *(float(v) for _, v, _ in points.actuals)]
    high = max(levels) or 1.0
    axes.set_ylim(min(0.0, min(levels)), high * 1.12)
    shown_years = sorted({*years, *(year for year, _, _ in points.actuals)})
    axes.set_xlim(shown_years[0] - 0.5, shown_years[-1] + 0.5)
    axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _pos: f"{x:.0f}"))
    axes.set_xlabel(words.year)
    axes.set_ylabel(points.unit.replace("CO2", "CO₂"))
    axes.yaxis.set_major_formatter(_Thousands())
    axes.legend(loc="best", frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if title is not None:
        axes.set_title(title, loc="left")
    return figure
