"""Charts as inline SVG drawn on the server: the same markup on a page and in the PDF report
(WeasyPrint draws SVG but runs no script), no CDN, no JavaScript.

Three kinds: lines over years (optionally with shaded percentile bands), a population pyramid
(two years on the same scale: bars for one, an outline for the other), and stacked bars over
years. Every label is escaped; the caller passes them already translated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f5f99", "#c0392b", "#2e8b57", "#d48a00", "#6c3483", "#16a085", "#7f8c8d",
           "#a04000")
WIDTH, HEIGHT = 720, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 92, 16, 16, 62
FONT = 'font-family="Noto Sans Lao, DejaVu Sans, sans-serif"'
FONT_SIZE = 14


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded area between two series (for example the 5th and 95th percentiles)."""

    label: str
    low: Sequence[float]
    high: Sequence[float]
    opacity: float = 0.18


@dataclass(frozen=True)
class Axis:
    title: str
    show: Callable[[float], str]
    include_zero: bool = True
    extra: tuple[float, ...] = field(default=())


# --- number formats of the axes ----------------------------------------------------------------

def percent(value: float) -> str:
    return f"{100 * value:.0f}%" if abs(value) >= 0.1 or value == 0 else f"{100 * value:.2g}%"


def billions(value: float) -> str:
    return f"{value / 1e9:,.0f}"


def thousands(value: float) -> str:
    return f"{value / 1e3:,.0f}"


def plain(value: float) -> str:
    return f"{value:,.4g}"


# --- scales ------------------------------------------------------------------------------------

def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


class _Frame:
    """Maps years and values to the drawing area."""

    def __init__(self, years: Sequence[int], ticks: list[float], width: int, height: int):
        self.years, self.ticks = list(years), ticks
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM

    def x(self, position: float) -> float:
        span = max(len(self.years) - 1, 1)
        return self.left + (self.right - self.left) * position / span

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (self.bottom - self.top) * (value - low) / ((high - low) or 1.0)


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {FONT} font-size="{FONT_SIZE}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _year_axis(frame: _Frame) -> list[str]:
    body = [f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" '
            f'y2="{frame.bottom}" stroke="#444"/>']
    count = len(frame.years)
    step = max(1, math.ceil(count / 10 / 5) * 5) if count > 12 else 1
    for position, year in enumerate(frame.years):
        if year % step:
            continue
        x = frame.x(position)
        body.append(f'<line x1="{x:.1f}" y1="{frame.bottom}" x2="{x:.1f}" '
                    f'y2="{frame.bottom + 4}" stroke="#444"/>'
                    f'<text x="{x:.1f}" y="{frame.bottom + 18}" text-anchor="middle">{year}</text>')
    return body


def _value_axis(frame: _Frame, axis: Axis) -> list[str]:
    body = []
    for tick in frame.ticks:
        y = frame.y(tick)
        body.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" '
                    f'stroke="#ddd"/><text x="{frame.left - 6}" y="{y + 4:.1f}" '
                    f'text-anchor="end">{escape(axis.show(tick))}</text>')
    middle = (frame.top + frame.bottom) / 2
    body.append(f'<text transform="translate(16 {middle:.1f}) rotate(-90)" '
                f'text-anchor="middle">{escape(axis.title)}</text>')
    return body


def _legend(labels: list[tuple[str, str, str]], width: int, height: int
            ) -> tuple[list[str], int]:
    """Rows of (label, colour, kind) under the chart (kind is line, dash, area or bar), and
    the chart's height with all of them."""
    body, x, y = [], MARGIN_LEFT, height - 14
    for label, colour, kind in labels:
        if kind in ("area", "bar"):
            opacity = "0.35" if kind == "area" else "1"
            body.append(f'<rect x="{x}" y="{y - 8}" width="16" height="9" fill="{colour}" '
                        f'fill-opacity="{opacity}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            body.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" '
                        f'stroke="{colour}" stroke-width="2.5"{dash}/>')
        body.append(f'<text x="{x + 20}" y="{y}">{escape(label)}</text>')
        x += 32 + 7.5 * len(label)
        if x > width - 120:
            x, y = MARGIN_LEFT, y + 16
    return body, (y + 8 if x > MARGIN_LEFT else y - 8)


def _path(frame: _Frame, values: Sequence[float | None]) -> str:
    parts, pen_down = [], False
    for position, value in enumerate(values):
        if value is None or not math.isfinite(float(value)):
            pen_down = False
            continue
        command = "L" if pen_down else "M"
        parts.append(f"{command}{frame.x(position):.1f},{frame.y(float(value)):.1f}")
        pen_down = True
    return " ".join(parts)


def line_chart(title: str, years: Sequence[int], lines: Sequence[Line], axis: Axis,
               bands: Sequence[Band] = (), *, width: int = WIDTH,
               height: int = HEIGHT) -> SafeString:
    values = [v for line in lines for v in _finite(line.values)]
    values += [v for band in bands for v in _finite(band.low) + _finite(band.high)]
    values += list(axis.extra) + ([0.0] if axis.include_zero else [])
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    frame = _Frame(years, ticks, width, height)
    body = _value_axis(frame, axis) + _year_axis(frame)
    legend = []
    for band in bands:
        colour = PALETTE[0]
        upper = [f"{frame.x(i):.1f},{frame.y(float(v)):.1f}" for i, v in enumerate(band.high)]
        lower = [f"{frame.x(i):.1f},{frame.y(float(v)):.1f}"
                 for i, v in reversed(list(enumerate(band.low)))]
        body.append(f'<polygon points="{" ".join(upper + lower)}" fill="{colour}" '
                    f'fill-opacity="{band.opacity}" stroke="none"/>')
        legend.append((band.label, colour, "area"))
    for index, line in enumerate(lines):
        colour = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        body.append(f'<path d="{_path(frame, line.values)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash}><title>{escape(line.label)}</title></path>')
        legend.append((line.label, colour, "dash" if line.dashed else "line"))
    if ticks[0] < 0 < ticks[-1]:
        body.append(f'<line x1="{frame.left}" y1="{frame.y(0):.1f}" x2="{frame.right}" '
                    f'y2="{frame.y(0):.1f}" stroke="#444" stroke-width="0.8"/>')
    legend_body, full_height = _legend(legend, width, height)
    return _svg(width, max(height, full_height), title, body + legend_body)


def stacked_bars(title: str, years: Sequence[int], parts: Sequence[Line], axis: Axis, *,
                 width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    totals = [sum(float(part.values[i] or 0) for part in parts) for i in range(len(years))]
    ticks = nice_ticks(0.0, max(totals, default=1.0))
    frame = _Frame(years, ticks, width, height)
    body = _value_axis(frame, axis)
    slot = (frame.right - frame.left) / max(len(years), 1)
    frame.left += slot / 2  # bars centred on their year, inside the value axis
    frame.right -= slot / 2
    body += _year_axis(frame)
    bar = slot * 0.7
    for position in range(len(years)):
        base = 0.0
        for index, part in enumerate(parts):
            value = float(part.values[position] or 0)
            top, bottom = frame.y(base + value), frame.y(base)
            body.append(f'<rect x="{frame.x(position) - bar / 2:.1f}" y="{top:.1f}" '
                        f'width="{bar:.1f}" height="{max(bottom - top, 0):.1f}" '
                        f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(part.label)} '
                        f'{years[position]}: {escape(axis.show(value))}</title></rect>')
            base += value
    legend = [(part.label, PALETTE[i % len(PALETTE)], "bar") for i, part in enumerate(parts)]
    legend_body, full_height = _legend(legend, width, height)
    return _svg(width, max(height, full_height), title, body + legend_body)


def pyramid(title: str, age_groups: Sequence[str], male: Sequence[float],
            female: Sequence[float], labels: tuple[str, str], *,
            outline: tuple[Sequence[float], Sequence[float], str] | None = None,
            largest: float | None = None, width: int = 480, height: int = 440) -> SafeString:
    """Men to the left, women to the right, youngest at the bottom; `outline` draws a second
    year (no fill); `largest` sets the scale, so two pyramids can be read against each other."""
    largest = largest or max([*male, *female, *(outline[0] if outline else []),
                              *(outline[1] if outline else []), 1.0])
    middle, top, bottom = width / 2, 14, height - 40
    half = width / 2 - 44
    row = (bottom - top) / len(age_groups)
    body = []
    for index, group in enumerate(age_groups):
        y = bottom - (index + 1) * row
        men, women = male[index] / largest * half, female[index] / largest * half
        body.append(f'<rect x="{middle - men:.1f}" y="{y + 0.5:.1f}" width="{men:.1f}" '
                    f'height="{row - 1:.1f}" fill="{PALETTE[0]}"><title>{escape(labels[0])} '
                    f'{escape(group)}: {male[index]:,.0f}</title></rect>'
                    f'<rect x="{middle:.1f}" y="{y + 0.5:.1f}" width="{women:.1f}" '
                    f'height="{row - 1:.1f}" fill="{PALETTE[1]}"><title>{escape(labels[1])} '
                    f'{escape(group)}: {female[index]:,.0f}</title></rect>')
        if outline is not None:
            other_men = outline[0][index] / largest * half
            other_women = outline[1][index] / largest * half
            body.append(f'<rect x="{middle - other_men:.1f}" y="{y + 0.5:.1f}" '
                        f'width="{other_men + other_women:.1f}" height="{row - 1:.1f}" '
                        f'fill="none" stroke="#222" stroke-width="0.8"/>')
        if index % 2 == 0:
            body.append(f'<text x="4" y="{y + row - 2:.1f}" font-size="12">{escape(group)}</text>')
    scale = f"{largest:,.0f}"
    body.append(f'<text x="{middle - half:.1f}" y="{height - 24}" font-size="12">{scale}</text>'
                f'<text x="{middle + half:.1f}" y="{height - 24}" font-size="12" '
                f'text-anchor="end">{scale}</text>'
                f'<text x="{middle - 6:.1f}" y="{height - 8}" text-anchor="end">'
                f'{escape(labels[0])}</text><text x="{middle + 6:.1f}" y="{height - 8}">'
                f'{escape(labels[1])}</text>')
    if outline is not None:
        body.append(f'<text x="{width - 4}" y="{top}" text-anchor="end" font-size="12">'
                    f'▭ {escape(outline[2])}</text>')
    return _svg(width, height, title, body)
