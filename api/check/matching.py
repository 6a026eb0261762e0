"""Ranking occupations by how well their RIASEC code fits a pupil's six interest scores.

Pure functions, no I/O. Method:

1. **Code weights.** An occupation's code of up to three letters, strongest first, becomes six
   weights in the order R, I, A, S, E, C: first letter 3, second 2, third 1, every other type 0
   ("RIC" -> R 3, I 2, C 1, A/S/E 0).
2. **Fit.** The Pearson correlation r between the pupil's scores and these weights, over the
   types the pupil has a score for (a type without answered items is left out, never guessed),
   mapped from -1..1 to 0..100: `fit = (r + 1) / 2 * 100`. The correlation compares the *shape*
   of the two profiles: which interests stand out, not how high they are overall.
3. **Fallback.** When the correlation is undefined because one side is flat (a pupil who rated
   everything the same, or fewer than two scored types, or weights that are equal on the scored
   types), the fit is the weights' mean of the pupil's scores, `sum(w * s) / sum(w)`: for a flat
   profile, that is the pupil's own level. When the occupation's code has no scored type at all,
   nothing speaks for it and the fit is 0.
4. **Order.** Fits are rounded half up to one decimal, and the order follows what is shown:
   higher fit first; at an equal fit an occupation the pupil can start with their certificate comes
   before one that formally needs a higher certificate; then by slug. The order is total, so the
   same scores always give the same list, whatever order the occupations came in.
5. **Certificate.** Occupations that formally need more than the pupil's certificate are never
   hidden, only marked `needs_higher_certificate`.
6. **Reasons.** The pupil's top three types (`scoring.top_types`) that appear in the occupation's
   code and that the pupil actually likes (score above 50, i.e. a mean answer above "weiß nicht"),
   strongest first. The sentence "why it fits" is composed elsewhere from the phrases of these
   types in knowledge/check/types.yaml; an occupation without such a type gets no reason rather
   than a made-up one.

Only the six scores and the pupil's certificate enter the ranking.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from api.check.scoring import RIASEC, Scores, check_scores, round_half_up, top_types

CODE_WEIGHTS: tuple[int, ...] = (3, 2, 1)
# A type counts as a reason only when the pupil likes it: its score is above the middle of the
# scale (answer 3, "weiß nicht", is 50).
REASON_MIN_SCORE = 50.0


class MatchingError(ValueError):
    """An occupation code or a score that cannot be matched."""


@dataclass(frozen=True)
class Occupation:
    slug: str
    riasec: str
    # Rank of the formally required certificate (knowledge/vocab.yaml), 0 = none.
    required_certificate_rank: int = 0


@dataclass(frozen=True)
class Suggestion:
    slug: str
    riasec: str
    fit: float  # 0..100, one decimal
    reasons: tuple[str, ...]  # type letters, strongest first
    needs_higher_certificate: bool


def code_weights(code: str) -> tuple[int, ...]:
    """Six weights in RIASEC order for a code of one to three distinct letters ("RIC" -> 3,2,0,0,0,1)."""
    letters = code.upper()
    if not 1 <= len(letters) <= len(CODE_WEIGHTS) or len(set(letters)) != len(letters):
        raise MatchingError(f"an interest code has one to three distinct letters, not {code!r}")
    if any(letter not in RIASEC for letter in letters):
        raise MatchingError(f"an interest code uses only the letters {''.join(RIASEC)}, not {code!r}")
    weights = dict.fromkeys(RIASEC, 0)
    for letter, weight in zip(letters, CODE_WEIGHTS, strict=False):
        weights[letter] = weight
    return tuple(weights[code_letter] for code_letter in RIASEC)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The correlation of two equally long sequences; None when it is undefined (a flat side or
    fewer than two values)."""
    if len(xs) != len(ys):
        raise ValueError("pearson needs sequences of equal length")
    if len(xs) < 2:
        return None
    mean_x = math.fsum(xs) / len(xs)
    mean_y = math.fsum(ys) / len(ys)
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def raw_fit(scores: Scores, code: str) -> float:
    """The fit 0..100 of one occupation code to the scores, unrounded (see the module docstring)."""
    checked = check_scores(scores)
    weights = code_weights(code)
    known = [index for index, letter in enumerate(RIASEC) if checked[letter] is not None]
    if not known:
        raise MatchingError("matching needs at least one score")
    pupil = [checked[RIASEC[index]] or 0.0 for index in known]
    occupation = [float(weights[index]) for index in known]
    r = pearson(pupil, occupation)
    if r is not None:
        return (r + 1) / 2 * 100
    weight_sum = math.fsum(occupation)
    if weight_sum == 0:
        return 0.0
    level = math.fsum(w * s for w, s in zip(occupation, pupil, strict=True)) / weight_sum
    return max(0.0, min(100.0, level))


def fit(scores: Scores, code: str) -> float:
    """The fit shown to the pupil: `raw_fit` rounded half up to one decimal."""
    return round_half_up(raw_fit(scores, code))


def fit_reasons(scores: Scores, code: str) -> tuple[str, ...]:
    """The pupil's top types that the code contains and the pupil likes, strongest first."""
    checked = check_scores(scores)
    letters = set(code.upper())
    return tuple(
        letter
        for letter in top_types(checked)
        if letter in letters and (checked[letter] or 0.0) > REASON_MIN_SCORE
    )


def suggest(scores: Scores, occupation: Occupation, certificate_rank: int | None = None) -> Suggestion:
    return Suggestion(
        slug=occupation.slug,
        riasec=occupation.riasec,
        fit=fit(scores, occupation.riasec),
        reasons=fit_reasons(scores, occupation.riasec),
        needs_higher_certificate=(
            certificate_rank is not None and occupation.required_certificate_rank > certificate_rank
        ),
    )


def ranking_key(suggestion: Suggestion) -> tuple[float, bool, str]:
    """Higher fit first, then reachable before "needs a higher certificate", then by slug."""
    return (-suggestion.fit, suggestion.needs_higher_certificate, suggestion.slug)


def rank_occupations(
    scores: Scores, occupations: Iterable[Occupation], *, certificate_rank: int | None = None
) -> list[Suggestion]:
    """Every occupation as a suggestion, best fit first (see the module docstring for the method).

    `certificate_rank` is the rank of the pupil's (expected) certificate; None marks nothing.
    Raises `MatchingError` for scores outside 0..100, no score at all, a malformed code or a slug
    given twice.
    """
    checked = check_scores(scores)
    suggestions = [suggest(checked, occupation, certificate_rank) for occupation in occupations]
    slugs = [suggestion.slug for suggestion in suggestions]
    if len(set(slugs)) != len(slugs):
        raise MatchingError("every occupation must have its own slug")
    return sorted(suggestions, key=ranking_key)
