"""The result chart: the six interest scores as horizontal bars in a 600 x 400 PNG.

Made for a phone: one bar per type, the strongest at the top (equal scores in Holland's order
R, I, A, S, E, C; a type without a score last, with a dash and no bar), the type's short name
(knowledge/check/types.yaml) on the left, the score as a number right of each bar. The three
strongest types are highlighted: their bars in full colour with a dark outline, their names and
numbers in bold with a star; the others are pale. Nothing depends on colour alone. The colours
are from the Okabe-Ito palette, which stays distinguishable with every common colour-vision
deficiency. Every text is at least `MIN_FONT_PT` points: on a phone that shows the 600 px wide
image 360 px wide, that is still 12 px or more (`smallest_text_px`).

Rendering uses matplotlib's Agg canvas directly (no pyplot, no global backend) behind a lock, and
writes no metadata, so the same scores and labels give the same bytes. matplotlib is imported on
first use: importing this module costs nothing.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from api.check.scoring import RIASEC, round_half_up

WIDTH_PX = 600
HEIGHT_PX = 400
DPI = 100
# Okabe & Ito (2008), "Color Universal Design"; yellow is left out, it is too light on white.
TYPE_COLOURS: Mapping[str, str] = {
    "R": "#D55E00",  # vermillion
    "I": "#0072B2",  # blue
    "A": "#CC79A7",  # reddish purple
    "S": "#009E73",  # bluish green
    "E": "#E69F00",  # orange
    "C": "#56B4E9",  # sky blue
}
TEXT_COLOUR = "#222222"
MUTED_TEXT_COLOUR = "#444444"
GRID_COLOUR = "#BBBBBB"
PALE_ALPHA = 0.35
NO_SCORE = "–"
HIGHLIGHTED = 3
STAR = "★"
# Font sizes in points (at DPI 100 one point is 100/72 px).
NAME_FONT_PT = 18
NUMBER_FONT_PT = 17
MIN_FONT_PT = min(NAME_FONT_PT, NUMBER_FONT_PT)
PHONE_WIDTH_PX = 360

_render_lock = threading.Lock()


def score_label(score: float | None) -> str:
    """A score as shown on the chart and in its text alternative: a whole number, or a dash."""
    return NO_SCORE if score is None else f"{round_half_up(score, 0):.0f}"


def smallest_text_px(display_width_px: int = PHONE_WIDTH_PX) -> float:
    """The height of the chart's smallest text when the image is shown `display_width_px` wide."""
    return MIN_FONT_PT * DPI / 72 * display_width_px / WIDTH_PX


@dataclass(frozen=True)
class ChartRow:
    code: str
    label: str
    score: float | None
    highlighted: bool


def chart_rows(scores: Mapping[str, float | None], labels: Mapping[str, str]) -> list[ChartRow]:
    """The bars from top to bottom: highest score first (ties in RIASEC order, no score last);
    the first three scored types are highlighted."""
    order = sorted(
        RIASEC,
        key=lambda code: (scores.get(code) is None, -(scores.get(code) or 0.0), RIASEC.index(code)),
    )
    rows = []
    for position, code in enumerate(order):
        score = scores.get(code)
        rows.append(ChartRow(code, labels[code], score, score is not None and position < HIGHLIGHTED))
    return rows


def describe_chart(scores: Mapping[str, float | None], labels: Mapping[str, str]) -> str:
    """The chart as text for screen readers, strongest first: "Praktisch: 75; Forschend: 40; ..."."""
    return "; ".join(f"{row.label}: {score_label(row.score)}" for row in chart_rows(scores, labels))


def render_chart(scores: Mapping[str, float | None], labels: Mapping[str, str]) -> bytes:
    """The PNG of the six scores (0..100, None for no score) with `labels` (type -> short name)."""
    return _render_cached(tuple(chart_rows(scores, labels)))


@lru_cache(maxsize=128)
def _render_cached(rows: tuple[ChartRow, ...]) -> bytes:
    with _render_lock:
        return _render(rows)


def clear_chart_cache() -> None:
    _render_cached.cache_clear()


def _render(rows: Sequence[ChartRow]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # The constrained layout leaves exactly the room the longest type name needs.
    figure = Figure(
        figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white", layout="constrained"
    )
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    for position, row in zip(positions, rows, strict=True):
        if row.score is not None:
            axes.barh(
                position,
                row.score,
                height=0.7 if row.highlighted else 0.55,
                color=TYPE_COLOURS[row.code],
                alpha=1.0 if row.highlighted else PALE_ALPHA,
                edgecolor=TEXT_COLOUR if row.highlighted else GRID_COLOUR,
                linewidth=1.6 if row.highlighted else 0.8,
                zorder=2,
            )
        axes.text(
            (row.score or 0.0) + 1.5,
            position,
            score_label(row.score),
            va="center",
            ha="left",
            fontsize=NUMBER_FONT_PT,
            fontweight="bold" if row.highlighted else "normal",
            color=TEXT_COLOUR if row.highlighted else MUTED_TEXT_COLOUR,
            zorder=3,
        )
    # Room right of 100 for the number, so it always stands on white.
    axes.set_xlim(0, 118)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # the strongest at the top
    axes.set_yticks(
        positions, labels=[f"{STAR} {row.label}" if row.highlighted else row.label for row in rows]
    )
    for label, row in zip(axes.get_yticklabels(), rows, strict=True):
        label.set_fontsize(NAME_FONT_PT)
        label.set_fontweight("bold" if row.highlighted else "normal")
        label.set_color(TEXT_COLOUR if row.highlighted else MUTED_TEXT_COLOUR)
    # The numbers stand at the bars; a scale below would only add small print.
    axes.set_xticks([0, 25, 50, 75, 100], labels=[])
    axes.tick_params(axis="x", length=0)
    axes.tick_params(axis="y", length=0, pad=8)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.8, zorder=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID_COLOUR)
    axes.spines["bottom"].set_bounds(0, 100)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
