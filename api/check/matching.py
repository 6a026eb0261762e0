"""Ranking occupations for a pupil: what a good career adviser would suggest after the check.

Pure functions, no I/O. Nothing but the pupil's answers (their six scores and the items they
liked), their certificate and the number of offers near them enters the ranking; the same input
always gives the same list, whatever order the occupations came in.

Method:

1. **Shape.** Every occupation has six interest scores 0..100 (knowledge/interests: derived from
   comparable O*NET occupations, see knowledge/README.md). The shape fit is the Pearson
   correlation r between the pupil's scores and the occupation's, over the types the pupil has a
   score for, mapped to 0..1 as `(r + 1) / 2`: it compares which interests stand out, not how high
   they are overall. Where there is no shape (a pupil who rated everything the same, or only one
   scored type), the level decides instead: how far the occupation stands out on the pupil's
   scored types against its own mean (mapped to 0..1), for a pupil who likes them (mean score 50
   or more), and its complement for one who does not. (An occupation without scores falls back
   to the weights of its code: first letter 3, second 2, third 1, scaled to 0..100.)
2. **Evidence.** Each check item stands for a few occupations (knowledge/check/items.yaml
   `occupations`). An answer counts for them: "mag ich sehr" +1, "eher ja" +0.5, "weiß nicht" 0,
   "eher nicht" -0.5, "gar nicht" -1. An occupation's evidence is the sum over its answered items
   divided by (their number + 1), so one liked item gives 0.5, two give 0.67, and never 1.
3. **Fit.** `fit = 100 * (0.5 * shape + 0.5 * (evidence + 1) / 2)`, minus 4 points for each
   step the occupation's *typical* certificate lies more than one step above the pupil's (a pupil
   with Hauptschule can start as Fachinformatiker/-in, but most trainees have Abitur). Rounded
   half up to one decimal; this is the fit the pupil sees.
4. **Reach.** Occupations the pupil can start with their certificate come first; those that
   formally need a higher one follow (they are offered as "mit einem höheren Abschluss" paths, see
   `higher_certificate_paths`). Without a certificate nothing is set apart.
5. **Order.** Within each part: higher fit first; at the same shown fit, more offers near the
   pupil first (regional supply as the tie-breaker), then the unrounded fit, then the slug (which
   almost never decides: no two occupations share all six scores).
6. **Variety.** In every block of five (one page in the chat), at most two occupations of the same
   occupational field (KldB 2010 Berufshauptgruppe, the first two digits of the code) unless the
   next best occupation of another field fits more than `VARIETY_TOLERANCE` points worse: five
   suggestions come from at least three fields unless the pupil's profile is truly narrow.
7. **Reasons.** Each suggestion gets one reason from the pupil's own answers, never one another
   suggestion on the same screen has. First every suggestion gets a liked item ("eher ja" or "mag
   ich sehr") that stands for it (an item two of them share goes to the first unless the first has
   another of its own). Those left get a liked item of one of their two strongest types that stands
   for an occupation of the same field or a related one ("close to this job"); any other liked item
   is no reason for them. Then a combination of the pupil's liked top types in the code that no
   suggestion before used ((a, b), then (a), (b), ...); the chat adds one of the occupation's own
   tasks to such a sentence, so that it never reads the same twice. Then a liked item of its own
   that explains one before it too ("dieser Beruf hat auch mit ... zu tun", with a task). Without
   any there is none rather than a made-up one. The first page and the higher-certificate paths
   are served first.
8. **Paths.** Occupations that need a higher certificate are offered beside the first page when
   they fit at least as well as its weakest and the answers speak for them (a liked type in the
   code or a liked item of their own).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from api.check.scoring import RIASEC, Scores, check_scores, round_half_up, top_types

CODE_WEIGHTS: tuple[int, ...] = (3, 2, 1)
# A type counts as a reason only when the pupil likes it: its score is above the middle of the
# scale (answer 3, "weiß nicht", is 50).
REASON_MIN_SCORE = 50.0
# An answer as evidence for the occupations its item stands for.
ANSWER_EVIDENCE: Mapping[int, float] = {5: 1.0, 4: 0.5, 3: 0.0, 2: -0.5, 1: -1.0}
# Answers that can be a reason ("eher ja", "mag ich sehr").
LIKED_ANSWER = 4
DIRECT = "direct"
RELATED = "related"
AGAIN = "again"  # an item that stands for this occupation but explains one before it too
SHAPE_WEIGHT = 0.5
EVIDENCE_WEIGHT = 0.5
LIKING_LEVEL = 50.0
TYPICAL_CERTIFICATE_PENALTY = 4.0
VARIETY_BLOCK = 5
MAX_PER_FIELD = 2
VARIETY_TOLERANCE = 5.0


class MatchingError(ValueError):
    """An occupation code or a score that cannot be matched."""


@dataclass(frozen=True)
class Occupation:
    slug: str
    riasec: str
    # The six interest scores 0..100 in RIASEC order; None: fall back to the code's weights.
    interests: tuple[float, ...] | None = None
    # KldB 2010 Berufshauptgruppe (two digits), for variety.
    field: str = ""
    # Ranks of the formally required and the typical certificate (knowledge/vocab.yaml), 0 = none.
    required_certificate_rank: int = 0
    typical_certificate_rank: int = 0
    # Profiles named as related (knowledge/professions `related`): an item of theirs can explain this one.
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """The pupil's answers and what each item stands for."""

    answers: Mapping[str, int | None]  # item id -> 1..5, None when skipped
    item_occupations: Mapping[str, Sequence[str]]  # item id -> slugs
    item_types: Mapping[str, str]  # item id -> type letter
    item_order: Sequence[str] = ()  # presentation order (earlier items win a tie between reasons)


@dataclass(frozen=True)
class Suggestion:
    slug: str
    riasec: str
    fit: float  # 0..100, one decimal
    raw_fit: float
    shape: float  # 0..1
    evidence: float  # -1..1
    reasons: tuple[str, ...]  # type letters, strongest first (fallback reason)
    needs_higher_certificate: bool
    field: str = ""
    supply: int = 0  # offers near the pupil
    reason_item: str | None = None  # item id of the pupil's own answer that is the reason
    reason_answer: int | None = None
    # DIRECT: the item stands for this occupation; RELATED: for one of the same field or related.
    reason_link: str | None = None


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


def occupation_profile(occupation: Occupation) -> tuple[float, ...]:
    """The occupation's six scores 0..100, or its code's weights scaled to 0..100 when it has none."""
    if occupation.interests is not None:
        if len(occupation.interests) != len(RIASEC):
            raise MatchingError(f"{occupation.slug}: six interest scores are needed")
        return tuple(float(value) for value in occupation.interests)
    top = CODE_WEIGHTS[0]
    return tuple(weight * 100.0 / top for weight in code_weights(occupation.riasec))


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


def shape_fit(scores: Scores, profile: Sequence[float], scale: float = 100.0) -> float:
    """How well the shape of the pupil's scores fits the occupation's profile (values 0..scale),
    0..1; the level decides where there is no shape (see the module docstring)."""
    checked = check_scores(scores)
    known = [index for index, letter in enumerate(RIASEC) if checked[letter] is not None]
    if not known:
        raise MatchingError("matching needs at least one score")
    pupil = [checked[RIASEC[index]] or 0.0 for index in known]
    occupation = [profile[index] for index in known]
    r = pearson(pupil, occupation)
    if r is not None:
        return (r + 1) / 2
    # How far the occupation stands out on the pupil's scored types, against its own mean: -1..1.
    own_mean = math.fsum(profile) / len(profile)
    standout = (math.fsum(occupation) / len(occupation) - own_mean) / scale
    level = (standout + 1) / 2
    return level if math.fsum(pupil) / len(pupil) >= LIKING_LEVEL else 1 - level


def item_evidence(evidence: Evidence | None) -> dict[str, float]:
    """Per occupation slug: the sum of its items' answer values / (number of answered items + 1)."""
    if evidence is None:
        return {}
    totals: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for item_id, value in evidence.answers.items():
        if value is None or value not in ANSWER_EVIDENCE:
            continue
        for slug in evidence.item_occupations.get(item_id, ()):
            totals[slug] = totals.get(slug, 0.0) + ANSWER_EVIDENCE[value]
            counts[slug] += 1
    return {slug: total / (counts[slug] + 1) for slug, total in totals.items()}


def typical_gap(occupation: Occupation, certificate_rank: int | None) -> int:
    """How many steps the typical certificate lies more than one step above the pupil's."""
    if certificate_rank is None:
        return 0
    return max(0, occupation.typical_certificate_rank - certificate_rank - 1)


def combined_fit(shape: float, evidence: float, gap: int) -> float:
    value = 100 * (SHAPE_WEIGHT * shape + EVIDENCE_WEIGHT * (evidence + 1) / 2)
    value -= TYPICAL_CERTIFICATE_PENALTY * gap
    return max(0.0, min(100.0, value))


def fit_reasons(scores: Scores, code: str) -> tuple[str, ...]:
    """The pupil's top types that the code contains and the pupil likes, strongest first."""
    checked = check_scores(scores)
    letters = set(code.upper())
    return tuple(
        letter
        for letter in top_types(checked)
        if letter in letters and (checked[letter] or 0.0) > REASON_MIN_SCORE
    )


def raw_fit(scores: Scores, occupation: Occupation) -> float:
    """The unrounded fit of one occupation from its shape alone (no evidence, no certificate)."""
    return combined_fit(shape_fit(scores, occupation_profile(occupation)), 0.0, 0)


def suggest(
    scores: Scores,
    occupation: Occupation,
    *,
    certificate_rank: int | None = None,
    evidence: Mapping[str, float] | None = None,
    supply: Mapping[str, int] | None = None,
) -> Suggestion:
    shape = shape_fit(scores, occupation_profile(occupation))
    proof = (evidence or {}).get(occupation.slug, 0.0)
    raw = combined_fit(shape, proof, typical_gap(occupation, certificate_rank))
    return Suggestion(
        slug=occupation.slug,
        riasec=occupation.riasec,
        fit=round_half_up(raw),
        raw_fit=raw,
        shape=shape,
        evidence=proof,
        reasons=fit_reasons(scores, occupation.riasec),
        needs_higher_certificate=(
            certificate_rank is not None and occupation.required_certificate_rank > certificate_rank
        ),
        field=occupation.field,
        supply=(supply or {}).get(occupation.slug, 0),
    )


def ranking_key(suggestion: Suggestion) -> tuple[bool, float, int, float, str]:
    """Reachable first, then higher shown fit, more offers nearby, higher unrounded fit, slug."""
    return (
        suggestion.needs_higher_certificate,
        -suggestion.fit,
        -suggestion.supply,
        -suggestion.raw_fit,
        suggestion.slug,
    )


def with_variety(ranked: Sequence[Suggestion]) -> list[Suggestion]:
    """`ranked` re-ordered so that each block of five holds at most two of one field, unless the
    best of another field fits more than VARIETY_TOLERANCE points worse (a truly narrow profile).
    Reachable and higher-certificate occupations are never mixed."""
    remaining = list(ranked)
    result: list[Suggestion] = []
    while remaining:
        block = result[len(result) - len(result) % VARIETY_BLOCK :]
        fields = Counter(suggestion.field for suggestion in block)
        best = remaining[0]
        chosen = best
        if best.field and fields[best.field] >= MAX_PER_FIELD:
            alternative = next(
                (
                    candidate
                    for candidate in remaining
                    if candidate.needs_higher_certificate == best.needs_higher_certificate
                    and fields[candidate.field] < MAX_PER_FIELD
                ),
                None,
            )
            if alternative is not None and best.raw_fit - alternative.raw_fit <= VARIETY_TOLERANCE:
                chosen = alternative
        remaining.remove(chosen)
        result.append(chosen)
    # Within a block the shown fits fall, as a pupil expects; variety only decides which five.
    return [
        suggestion
        for start in range(0, len(result), VARIETY_BLOCK)
        for suggestion in sorted(result[start : start + VARIETY_BLOCK], key=ranking_key)
    ]


def _strongest_types(occupation: Occupation, count: int = 2) -> tuple[str, ...]:
    profile = occupation_profile(occupation)
    order = sorted(range(len(RIASEC)), key=lambda index: (-profile[index], index))
    return tuple(RIASEC[index] for index in order[:count])


Candidate = tuple[str, int, str]  # item id, answer, DIRECT or RELATED


def _liked(evidence: Evidence) -> list[tuple[str, int]]:
    return [
        (item_id, value)
        for item_id, value in evidence.answers.items()
        if value is not None and value >= LIKED_ANSWER
    ]


def _direct_candidates(
    occupation: Occupation, evidence: Evidence, position: Mapping[str, int]
) -> list[Candidate]:
    """Liked items that stand for this occupation, the best first."""
    ranked = []
    for item_id, value in _liked(evidence):
        linked = list(evidence.item_occupations.get(item_id, ()))
        if occupation.slug in linked:
            key = (-value, linked.index(occupation.slug), position.get(item_id, len(position)))
            ranked.append((key, (item_id, value, DIRECT)))
    return [candidate for _, candidate in sorted(ranked)]


def _related_candidates(
    occupation: Occupation,
    evidence: Evidence,
    position: Mapping[str, int],
    fields: Mapping[str, str],
) -> list[Candidate]:
    """Liked items of the occupation's two strongest types that stand for an occupation of the same
    field or a related one: close enough to say so; any other liked item is no reason for it."""
    strongest = _strongest_types(occupation)
    ranked = []
    for item_id, value in _liked(evidence):
        item_type = evidence.item_types.get(item_id)
        linked = evidence.item_occupations.get(item_id, ())
        if item_type not in strongest or occupation.slug in linked:
            continue
        close = any(
            slug in occupation.related or (occupation.field and fields.get(slug) == occupation.field)
            for slug in linked
        )
        if close:
            key = (-value, strongest.index(item_type), position.get(item_id, len(position)))
            ranked.append((key, (item_id, value, RELATED)))
    return [candidate for _, candidate in sorted(ranked)]


def _type_reason_options(reasons: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The type reasons a suggestion can have, the fullest first: (a, b), (a), (b), (c), ..."""
    options: list[tuple[str, ...]] = [reasons[:2]] if len(reasons) >= 2 else []
    options.extend((letter,) for letter in reasons)
    return options


def _assign_direct(
    ranked: Sequence[Suggestion], candidates: Mapping[str, list[Candidate]]
) -> dict[str, Candidate]:
    """Each suggestion's own item, in order; an item taken before is moved to the suggestion that
    took it first only when that one has another item of its own left (one step of augmenting)."""
    holder: dict[str, str] = {}  # item id -> slug
    chosen: dict[str, Candidate] = {}
    for suggestion in ranked:
        own = candidates.get(suggestion.slug, [])
        free = next((candidate for candidate in own if candidate[0] not in holder), None)
        if free is None:
            for candidate in own:
                other = holder[candidate[0]]
                spare = next((c for c in candidates.get(other, []) if c[0] not in holder), None)
                if spare is not None:
                    holder[spare[0]] = other
                    chosen[other] = spare
                    free = candidate
                    break
        if free is not None:
            holder[free[0]] = suggestion.slug
            chosen[suggestion.slug] = free
    return chosen


def assign_reasons(
    ranked: Sequence[Suggestion], occupations: Mapping[str, Occupation], evidence: Evidence | None
) -> list[Suggestion]:
    """Give each suggestion a reason no suggestion before it has: first every suggestion's own
    liked item (the items that stand for it), then, for those left, a liked item of a close
    occupation, then a combination of its liked types not used yet (else the usual one)."""
    chosen: dict[str, Candidate] = {}
    direct: dict[str, list[Candidate]] = {}
    if evidence is not None:
        position = {item_id: index for index, item_id in enumerate(evidence.item_order)}
        direct = {s.slug: _direct_candidates(occupations[s.slug], evidence, position) for s in ranked}
        chosen = _assign_direct(ranked, direct)
        used = {candidate[0] for candidate in chosen.values()}
        fields = {slug: occupation.field for slug, occupation in occupations.items()}
        for suggestion in ranked:
            if suggestion.slug in chosen:
                continue
            related = _related_candidates(occupations[suggestion.slug], evidence, position, fields)
            fresh = next((candidate for candidate in related if candidate[0] not in used), None)
            if fresh is not None:
                used.add(fresh[0])
                chosen[suggestion.slug] = fresh
    used_types: set[tuple[str, ...]] = set()
    result: list[Suggestion] = []
    for suggestion in ranked:
        if suggestion.slug in chosen:
            item_id, value, link = chosen[suggestion.slug]
            result.append(replace(suggestion, reason_item=item_id, reason_answer=value, reason_link=link))
            continue
        options = _type_reason_options(suggestion.reasons)
        fresh_types = next((option for option in options if option not in used_types), None)
        own = direct.get(suggestion.slug) if evidence is not None else None
        if fresh_types is not None:
            used_types.add(fresh_types)
            result.append(replace(suggestion, reasons=fresh_types))
        elif own:
            # The pupil's answer speaks for this one too; said with one of its own tasks.
            item_id, value, _ = own[0]
            result.append(replace(suggestion, reason_item=item_id, reason_answer=value, reason_link=AGAIN))
        else:
            result.append(suggestion)
    return result


def rank_occupations(
    scores: Scores,
    occupations: Iterable[Occupation],
    *,
    certificate_rank: int | None = None,
    evidence: Evidence | None = None,
    supply: Mapping[str, int] | None = None,
) -> list[Suggestion]:
    """Every occupation as a suggestion, in the order the pupil sees them (see the module docstring).

    `certificate_rank` is the rank of the pupil's (expected) certificate; None sets nothing apart.
    `supply` is the number of offers near the pupil per slug. Raises `MatchingError` for scores
    outside 0..100, no score at all, a malformed code or a slug given twice.
    """
    checked = check_scores(scores)
    by_slug: dict[str, Occupation] = {}
    for occupation in occupations:
        if occupation.slug in by_slug:
            raise MatchingError("every occupation must have its own slug")
        by_slug[occupation.slug] = occupation
    proof = item_evidence(evidence)
    suggestions = [
        suggest(checked, occupation, certificate_rank=certificate_rank, evidence=proof, supply=supply)
        for occupation in by_slug.values()
    ]
    ordered = with_variety(sorted(suggestions, key=ranking_key))
    # Reasons are handed out over what a pupil sees together: the first page and the paths that
    # need a higher certificate first, then the rest in order.
    first = ordered[:VARIETY_BLOCK] + higher_certificate_paths(ordered, VARIETY_BLOCK)
    rest = [suggestion for suggestion in ordered if suggestion not in first]
    with_reasons = {s.slug: s for s in assign_reasons(first + rest, by_slug, evidence)}
    return [with_reasons[suggestion.slug] for suggestion in ordered]


def higher_certificate_paths(
    ranked: Sequence[Suggestion], first_page: int, count: int = 2
) -> list[Suggestion]:
    """Occupations that need a higher certificate and fit at least as well as the weakest of the
    first page: shown as "mit einem höheren Abschluss" paths, never as warnings."""
    page = [suggestion for suggestion in ranked if not suggestion.needs_higher_certificate][:first_page]
    if not page:
        return [suggestion for suggestion in ranked if suggestion.needs_higher_certificate][:count]
    weakest = min(suggestion.raw_fit for suggestion in page)
    # Only what the pupil's answers speak for: a liked type in its code or a liked item of its own.
    return [
        suggestion
        for suggestion in ranked
        if suggestion.needs_higher_certificate
        and suggestion.raw_fit >= weakest
        and (suggestion.reasons or suggestion.evidence > 0)
    ][:count]
