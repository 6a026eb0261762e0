"""The result chart: the six interest scores as horizontal bars in a 600 x 400 PNG.

Made for a phone: one bar per type in Holland's order R, I, A, S, E, C from top to bottom, the
type's short name (knowledge/check/types.yaml) on the left in large type, the score as a number right
of each bar, so that nothing depends on colour. The colours are from the Okabe-Ito palette,
which stays distinguishable with every common colour-vision deficiency. A type without a score
gets no bar and a dash.

Rendering uses matplotlib's Agg canvas directly (no pyplot, no global backend) behind a lock, and
writes no metadata, so the same scores and labels give the same bytes. matplotlib is imported on
first use: importing this module costs nothing.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
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
GRID_COLOUR = "#BBBBBB"
NO_SCORE = "–"

_render_lock = threading.Lock()


def score_label(score: float | None) -> str:
    """A score as shown on the chart and in its text alternative: a whole number, or a dash."""
    return NO_SCORE if score is None else f"{round_half_up(score, 0):.0f}"


def describe_chart(scores: Mapping[str, float | None], labels: Mapping[str, str]) -> str:
    """The chart as text for screen readers: "Praktisch: 75; Forschend: 40; ..." in RIASEC order."""
    return "; ".join(f"{labels[code]}: {score_label(scores.get(code))}" for code in RIASEC)


def render_chart(scores: Mapping[str, float | None], labels: Mapping[str, str]) -> bytes:
    """The PNG of the six scores (0..100, None for no score) with `labels` (type -> short name)."""
    values = tuple(scores.get(code) for code in RIASEC)
    names = tuple(labels[code] for code in RIASEC)
    return _render_cached(values, names)


@lru_cache(maxsize=128)
def _render_cached(values: tuple[float | None, ...], names: tuple[str, ...]) -> bytes:
    with _render_lock:
        return _render(values, names)


def clear_chart_cache() -> None:
    _render_cached.cache_clear()


def _render(values: Sequence[float | None], names: Sequence[str]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # The constrained layout leaves exactly the room the longest type name needs.
    figure = Figure(
        figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white", layout="constrained"
    )
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(RIASEC)))
    scored = [index for index, value in enumerate(values) if value is not None]
    axes.barh(
        [positions[index] for index in scored],
        [values[index] or 0.0 for index in scored],
        height=0.66,
        color=[TYPE_COLOURS[RIASEC[index]] for index in scored],
        edgecolor=TEXT_COLOUR,
        linewidth=0.8,
        zorder=2,
    )
    for position, value in zip(positions, values, strict=True):
        axes.text(
            (value or 0.0) + 1.5,
            position,
            score_label(value),
            va="center",
            ha="left",
            fontsize=15,
            fontweight="bold",
            color=TEXT_COLOUR,
            zorder=3,
        )
    # Room right of 100 for the number, so it always stands on white.
    axes.set_xlim(0, 115)
    axes.set_ylim(len(RIASEC) - 0.5, -0.5)  # R at the top
    axes.set_yticks(positions, labels=list(names), fontsize=16, color=TEXT_COLOUR)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.tick_params(axis="x", labelsize=12, colors=TEXT_COLOUR)
    axes.tick_params(axis="y", length=0, pad=8)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.8, zorder=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID_COLOUR)
    axes.spines["bottom"].set_bounds(0, 100)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
