"""Scoring the career-choice check: answers in, six interest scores and the top types out.

Pure functions, no I/O: the item bank comes in as a mapping item id -> type letter.

Method (Holland's RIASEC model, rated like the O*NET Interest Profiler on a five-step scale):

- An answer is 1 ("mag ich gar nicht") .. 5 ("mag ich sehr"), or `None` when the pupil skipped the
  item. Items that were never shown are simply absent.
- The score of a type is the mean of its answered items, rescaled from 1..5 to 0..100:
  `(mean - 1) / 4 * 100`, rounded half up to one decimal (computed exactly with fractions, so no
  binary rounding surprises: 6.25 becomes 6.3 on every machine).
- A type without any answered item has no score (`None`) and is listed in `unscored`; nothing is
  made up for it.
- The top types are the (at most three) scored types with the highest scores. Equal scores are
  ordered by Holland's fixed order R, I, A, S, E, C, so the same answers always give the same
  order. The Holland code is their letters in that order ("RIC").

Nothing but the answers enters the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

RIASEC: tuple[str, ...] = ("R", "I", "A", "S", "E", "C")
ANSWER_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5)
TOP_TYPES = 3
SCORE_MIN = 0.0
SCORE_MAX = 100.0

Scores = Mapping[str, float | None]


class ScoringError(ValueError):
    """The answers do not fit the item bank."""


class UnknownItemsError(ScoringError):
    def __init__(self, item_ids: list[str]) -> None:
        self.item_ids = sorted(item_ids)
        super().__init__(f"unknown items: {', '.join(self.item_ids)}")


class InvalidAnswerError(ScoringError):
    def __init__(self, item_id: str, value: object) -> None:
        self.item_id = item_id
        self.value = value
        super().__init__(f"answer to {item_id} must be one of {ANSWER_VALUES} or None, not {value!r}")


@dataclass(frozen=True)
class ScoreResult:
    scores: dict[str, float | None]  # every type, in RIASEC order
    answered_per_type: dict[str, int]  # every type, in RIASEC order
    top_types: tuple[str, ...]  # at most three, strongest first
    unscored: tuple[str, ...]  # types without an answered item, in RIASEC order
    answered: int
    skipped: int

    @property
    def holland_code(self) -> str:
        return "".join(self.top_types)


def round_half_up(value: Fraction | float, places: int = 1) -> float:
    """`value` rounded half up to `places` decimals (a float is taken at its exact binary value)."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def rescale(total: int, count: int) -> float:
    """The mean `total / count` of answers 1..5, as a score 0..100 with one decimal."""
    if count <= 0:
        raise ValueError("rescale needs at least one answer")
    mean = Fraction(total, count)
    return round_half_up((mean - 1) / 4 * 100)


def _check_answer(item_id: str, value: object) -> int | None:
    # bool is an int in Python; True must not count as "mag ich gar nicht".
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in ANSWER_VALUES:
        raise InvalidAnswerError(item_id, value)
    return value


def score_answers(answers: Mapping[str, int | None], item_types: Mapping[str, str]) -> ScoreResult:
    """Scores per type from `answers` (item id -> 1..5, or None for a skipped item).

    `item_types` is the item bank (item id -> type letter). Raises `UnknownItemsError` for answers
    to items the bank does not have and `InvalidAnswerError` for values outside 1..5.
    """
    unknown = [item_id for item_id in answers if item_id not in item_types]
    if unknown:
        raise UnknownItemsError(unknown)
    totals = dict.fromkeys(RIASEC, 0)
    counts = dict.fromkeys(RIASEC, 0)
    skipped = 0
    for item_id, raw in answers.items():
        value = _check_answer(item_id, raw)
        item_type = item_types[item_id]
        if item_type not in totals:
            raise ScoringError(f"item {item_id} has the unknown type {item_type!r}")
        if value is None:
            skipped += 1
            continue
        totals[item_type] += value
        counts[item_type] += 1
    scores: dict[str, float | None] = {
        code: rescale(totals[code], counts[code]) if counts[code] else None for code in RIASEC
    }
    return ScoreResult(
        scores=scores,
        answered_per_type=counts,
        top_types=top_types(scores),
        unscored=tuple(code for code in RIASEC if scores[code] is None),
        answered=sum(counts.values()),
        skipped=skipped,
    )


def check_scores(scores: Scores) -> dict[str, float | None]:
    """`scores` in RIASEC order with every type present; refuses unknown types and values outside
    0..100 (NaN included)."""
    unknown = sorted(set(scores) - set(RIASEC))
    if unknown:
        raise ScoringError(f"unknown interest types: {', '.join(unknown)}")
    checked: dict[str, float | None] = {}
    for code in RIASEC:
        value = scores.get(code)
        if value is not None and not SCORE_MIN <= value <= SCORE_MAX:  # NaN fails both comparisons
            raise ScoringError(f"score of {code} must be within 0..100, not {value!r}")
        checked[code] = None if value is None else float(value)
    return checked


def ranked_types(scores: Scores) -> tuple[str, ...]:
    """Every scored type, highest score first; equal scores in the fixed order R, I, A, S, E, C."""
    checked = check_scores(scores)
    known = [code for code in RIASEC if checked[code] is not None]
    return tuple(sorted(known, key=lambda code: (-(checked[code] or 0.0), RIASEC.index(code))))


def top_types(scores: Scores, count: int = TOP_TYPES) -> tuple[str, ...]:
    """The `count` strongest scored types (see `ranked_types` for the tie-break)."""
    return ranked_types(scores)[:count]


def holland_code(scores: Scores) -> str:
    return "".join(top_types(scores))
