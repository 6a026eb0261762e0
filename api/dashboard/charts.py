"""The dashboard's charts as inline SVG, drawn on the server: no script, no chart library.

Every chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>` (the text
summary), both tied with `aria-labelledby`; the page puts a data table beside each chart, so the
figures never depend on seeing the drawing. Nothing is told by colour alone: the six interest
lines differ in dash pattern and marker and carry their letter at the end; the bars of interest
and of places differ in fill pattern and carry their numbers; the circles of the map carry a
symbol for their class. Colours come from the Okabe-Ito palette (readable with every common
colour-vision deficiency) and every text is dark on white.

The functions are pure: the same figures and labels give the same markup. Every text that a person
reads comes in through `labels` (the pages' string tables); the module holds none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

RIASEC = ("R", "I", "A", "S", "E", "C")
# Okabe & Ito (2008); the same colours as the pupil's result chart (api/check/chart.py).
TYPE_COLOURS: Mapping[str, str] = {
    "R": "#D55E00",
    "I": "#0072B2",
    "A": "#CC79A7",
    "S": "#009E73",
    "E": "#E69F00",
    "C": "#56B4E9",
}
TYPE_DASHES: Mapping[str, str] = {
    "R": "",
    "I": "8 4",
    "A": "2 3",
    "S": "10 3 2 3",
    "E": "4 4",
    "C": "1 2 6 2",
}
TEXT = "#1b1b1b"
GRID = "#8a8a8a"
LABELLED_PLACES = 8  # the map names the places with the most interested pupils
INTEREST_FILL = "#0072B2"
PLACES_FILL = "#E69F00"
# Classes of the supply/demand ratio on the map (the caller's `classify` sorts a ratio into one).
RATIO_CLASSES: tuple[tuple[str, str, str], ...] = (
    # key, colour, symbol
    ("more_interest", "#B35806", "+"),
    ("balanced", "#F0F0F0", "="),
    ("more_places", "#0072B2", "−"),
    ("unknown", "#FFFFFF", "?"),
)


def _text(value: object) -> str:
    return str(escape(str(value)))


def format_number(value: float | None, language: str, digits: int = 0, missing: str = "–") -> str:
    """A number as people of `language` write it (German: 1.234,5); `missing` for None."""
    if value is None:
        return missing
    text = f"{value:,.{digits}f}"
    if language == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _open_svg(chart_id: str, width: int, height: int, title: str, summary: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="DejaVu Sans, sans-serif">',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(summary)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


# --- interest profile over time ------------------------------------------------------------------


@dataclass(frozen=True)
class ProfilePoint:
    month: str  # "2026-09"
    label: str  # as shown on the axis, e.g. "Sep 26"
    means: Mapping[str, float | None]  # type -> mean score 0..100, None: suppressed or no data


def profile_chart(
    points: Sequence[ProfilePoint],
    type_names: Mapping[str, str],
    *,
    title: str,
    summary: str,
    chart_id: str = "chart-profile",
    language: str = "de",
) -> Markup:
    """Six lines (one per interest type) of the mean score by month, 0..100."""
    width, height = 760, 380
    left, right, top, bottom = 48, 215, 20, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = value_range(points)
    parts = _open_svg(chart_id, width, height, title, summary)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * (value - low) / (high - low)

    # grid and y axis every 10 points of the range (the range is written on the axis)
    for tick in range(low, high + 1, 10):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="{1.5 if tick == low else 1}" aria-hidden="true"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{y + 5:.1f}" text-anchor="end" font-size="14" fill="{TEXT}" '
            f'aria-hidden="true">{tick}</text>'
        )
    n = len(points)
    step = plot_w / max(n - 1, 1)

    def x_of(index: int) -> float:
        return left + (index * step if n > 1 else plot_w / 2)

    # x labels: at most 12 shown, evenly spread
    every = max(1, math.ceil(n / 12))
    for index, point in enumerate(points):
        if index % every == 0 or index == n - 1:
            parts.append(
                f'<text x="{x_of(index):.1f}" y="{top + plot_h + 22}" text-anchor="middle" font-size="13" '
                f'fill="{TEXT}" aria-hidden="true">{_text(point.label)}</text>'
            )
    end_labels: list[tuple[float, str, str]] = []
    for code in RIASEC:
        colour, dash = TYPE_COLOURS[code], TYPE_DASHES[code]
        segments: list[list[tuple[float, float]]] = [[]]
        for index, point in enumerate(points):
            value = point.means.get(code)
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((x_of(index), y_of(float(value))))
        group = [f'<g class="series" data-type="{code}" aria-hidden="true">']
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                group.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash_attr}/>'
                )
            for x, y in segment:
                group.append(_marker(code, x, y, colour))
        group.append("</g>")
        parts.extend(group)
        last = next((p for p in reversed(points) if p.means.get(code) is not None), None)
        if last is not None:
            value = float(last.means[code] or 0)
            end_labels.append((y_of(value), code, format_number(value, language)))
    # end labels, pushed apart so they never overlap (18 px apart)
    end_labels.sort()
    placed: list[float] = []
    for y, _, _ in end_labels:
        placed.append(max(y, placed[-1] + 18) if placed else y)
    overflow = (placed[-1] - (top + plot_h)) if placed else 0
    if overflow > 0:
        placed = [y - overflow for y in placed]
    for (_, code, value_text), y in zip(end_labels, placed, strict=True):
        parts.append(
            f'<text x="{left + plot_w + 10}" y="{y + 5:.1f}" font-size="14" fill="{TEXT}" aria-hidden="true">'
            f"{code} {_text(type_names.get(code, code))} {value_text}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def value_range(points: Sequence[ProfilePoint]) -> tuple[int, int]:
    """The y axis: the drawn values with some room, in whole tens, at least 30 points high, within
    0..100 (so that changes of a few points show, and the axis says where it starts)."""
    values = [float(v) for p in points for v in p.means.values() if v is not None]
    if not values:
        return 0, 100
    low = max(0, int((min(values) - 5) // 10 * 10))
    high = min(100, int(-(-(max(values) + 5) // 10) * 10))
    while high - low < 30:
        if low > 0:
            low -= 10
        if high - low < 30 and high < 100:
            high += 10
    return low, high


def _marker(code: str, x: float, y: float, colour: str) -> str:
    """A different shape per type, so the lines are told apart without colour."""
    stroke = f'fill="{colour}" stroke="{TEXT}" stroke-width="1"'
    if code == "R":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {stroke}/>'
    if code == "I":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {stroke}/>'
    corners = {
        "A": ((0, -5.5), (5, 4), (-5, 4)),  # triangle up
        "S": ((0, -5.5), (5.5, 0), (0, 5.5), (-5.5, 0)),  # diamond
        "E": ((0, 5.5), (5, -4), (-5, -4)),  # triangle down
    }.get(code)
    if corners:
        points = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)
        return f'<polygon points="{points}" {stroke}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'


# --- fields: interest next to places ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldBar:
    code: str
    name: str
    interested: int | None  # None: suppressed (fewer than k contributors)
    places: int | None


def fields_chart(
    rows: Sequence[FieldBar],
    *,
    title: str,
    summary: str,
    interested_label: str,
    places_label: str,
    suppressed_label: str,
    chart_id: str = "chart-fields",
    language: str = "de",
) -> Markup:
    """Per field two horizontal bars: pupils interested (solid) and training places (hatched)."""
    width = 720
    label_h, bar_h, gap = 20, 16, 14
    top, left, right = 44, 12, 90
    row_h = label_h + 2 * bar_h + gap
    height = top + row_h * max(len(rows), 1) + 8
    plot_w = width - left - right
    highest = max([1, *(r.interested or 0 for r in rows), *(r.places or 0 for r in rows)])
    parts = _open_svg(chart_id, width, height, title, summary)
    parts.append(
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{PLACES_FILL}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{TEXT}" stroke-width="2"/></pattern></defs>'
    )
    # legend
    parts.append(
        f'<g aria-hidden="true"><rect x="{left}" y="10" width="18" height="14" fill="{INTEREST_FILL}" '
        f'stroke="{TEXT}"/><text x="{left + 24}" y="22" font-size="14" fill="{TEXT}">'
        f"{_text(interested_label)}</text>"
        f'<rect x="{left + 300}" y="10" width="18" height="14" fill="url(#{chart_id}-hatch)" '
        f'stroke="{TEXT}"/><text x="{left + 324}" y="22" font-size="14" fill="{TEXT}">'
        f"{_text(places_label)}</text></g>"
    )
    for index, row in enumerate(rows):
        y = top + index * row_h
        parts.append(f'<g class="field-row" data-field="{_text(row.code)}" aria-hidden="true">')
        parts.append(
            f'<text x="{left}" y="{y + 15}" font-size="14" font-weight="bold" fill="{TEXT}">'
            f"{_text(row.name)}</text>"
        )
        for offset, value, fill in (
            (0, row.interested, INTEREST_FILL),
            (1, row.places, f"url(#{chart_id}-hatch)"),
        ):
            bar_y = y + label_h + offset * bar_h
            if value is None:
                parts.append(
                    f'<text x="{left}" y="{bar_y + 13}" font-size="13" fill="{TEXT}">'
                    f"{_text(suppressed_label)}</text>"
                )
                continue
            bar_w = plot_w * value / highest
            parts.append(
                f'<rect x="{left}" y="{bar_y}" width="{bar_w:.1f}" height="{bar_h - 2}" fill="{fill}" '
                f'stroke="{TEXT}" stroke-width="0.75"/>'
            )
            parts.append(
                f'<text x="{left + bar_w + 6:.1f}" y="{bar_y + 12}" font-size="13" fill="{TEXT}">'
                f"{format_number(value, language)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# --- the map of the municipalities -----------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    slug: str
    name: str
    lat: float
    lon: float
    interested: int | None
    places: int | None
    ratio: float | None


def map_chart(
    points: Sequence[MapPoint],
    *,
    title: str,
    summary: str,
    class_labels: Mapping[str, str],
    size_label: str,
    classify: Callable[[float | None], str],
    chart_id: str = "chart-map",
) -> Markup:
    """The municipalities at their points (north up, distances true to scale), each a circle whose
    area grows with the pupils interested there, filled by the class of its demand/supply ratio and
    marked with the class's symbol. A legend explains both."""
    width, height = 720, 640
    legend_h = 170
    named = {p.slug for p in sorted(points, key=lambda p: -(p.interested or 0))[:LABELLED_PLACES]}
    margin = 40
    located = [p for p in points if p.lat is not None and p.lon is not None]
    parts = _open_svg(chart_id, width, height, title, summary)
    if not located:
        parts.append("</svg>")
        return Markup("".join(parts))
    mid_lat = sum(p.lat for p in located) / len(located)
    x_scale = math.cos(math.radians(mid_lat))
    xs = [p.lon * x_scale for p in located]
    ys = [p.lat for p in located]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    scale = min(width - 2 * margin, height - legend_h - 2 * margin) / span
    offset_x = (width - (max(xs) - min(xs)) * scale) / 2
    biggest = max([1, *(p.interested or 0 for p in located)])
    max_radius = 30.0
    colours = {key: colour for key, colour, _ in RATIO_CLASSES}
    symbols = {key: symbol for key, _, symbol in RATIO_CLASSES}
    # the biggest circles first, so that small ones stay visible on top
    for point in sorted(located, key=lambda p: -(p.interested or 0)):
        x = offset_x + (point.lon * x_scale - min(xs)) * scale
        y = margin + (max(ys) - point.lat) * scale
        radius = 5.0 if not point.interested else max(5.0, max_radius * math.sqrt(point.interested / biggest))
        key = classify(point.ratio)
        parts.append(
            f'<g class="place" data-slug="{_text(point.slug)}" data-class="{key}" aria-hidden="true">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colours[key]}" fill-opacity="0.85" '
            f'stroke="{TEXT}" stroke-width="1.25"/>'
            f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" font-weight="bold" '
            f'fill="{TEXT if key in ("balanced", "unknown") else "#ffffff"}">{symbols[key]}</text>'
            + (
                f'<text x="{x + radius + 4:.1f}" y="{y + 4:.1f}" font-size="12" fill="{TEXT}" '
                f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{_text(point.name)}</text>'
                if point.slug in named
                else ""
            )
            + "</g>"
        )
    # legend: classes, then the size of the circles
    legend_y = height - legend_h + 10
    parts.append('<g class="legend" aria-hidden="true">')
    for index, (key, colour, symbol) in enumerate(RATIO_CLASSES):
        lx = 12
        ly = legend_y + index * 30
        parts.append(
            f'<circle cx="{lx + 11}" cy="{ly + 10}" r="11" fill="{colour}" stroke="{TEXT}"/>'
            f'<text x="{lx + 11}" y="{ly + 15}" text-anchor="middle" font-size="14" font-weight="bold" '
            f'fill="{TEXT if key in ("balanced", "unknown") else "#ffffff"}">{symbol}</text>'
            f'<text x="{lx + 30}" y="{ly + 15}" font-size="14" fill="{TEXT}">'
            f"{_text(class_labels[key])}</text>"
        )
    parts.append(
        f'<text x="12" y="{legend_y + 140}" font-size="14" fill="{TEXT}">{_text(size_label)}</text></g>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
