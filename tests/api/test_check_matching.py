"""api.check.matching: occupations ranked by the fit of their RIASEC code (pure, no database)."""

from __future__ import annotations

import itertools
import math
import random
import statistics

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from api.check.matching import (
    REASON_MIN_SCORE,
    MatchingError,
    Occupation,
    code_weights,
    fit,
    fit_reasons,
    pearson,
    rank_occupations,
    ranking_key,
    raw_fit,
)
from api.check.scoring import RIASEC, top_types

ALL_CODES = ["".join(letters) for size in (2, 3) for letters in itertools.permutations(RIASEC, size)]

score = st.floats(min_value=0, max_value=100, allow_nan=False)
full_scores = st.fixed_dictionaries({code: score for code in RIASEC})
some_scores = st.fixed_dictionaries({code: st.one_of(st.none(), score) for code in RIASEC}).filter(
    lambda scores: any(value is not None for value in scores.values())
)
occupation = st.builds(
    Occupation,
    slug=st.text(alphabet="abcdefghij-", min_size=1, max_size=8),
    riasec=st.sampled_from(ALL_CODES),
    required_certificate_rank=st.integers(min_value=0, max_value=4),
)
catalogue = st.lists(occupation, max_size=30, unique_by=lambda item: item.slug)


def scores_of(**values: float) -> dict[str, float | None]:
    return {code: values.get(code, 0.0) for code in RIASEC}


# --- the method --------------------------------------------------------------------------------


def test_code_weights_are_three_two_one_in_riasec_order() -> None:
    assert code_weights("RIC") == (3, 2, 0, 0, 0, 1)
    assert code_weights("SE") == (0, 0, 0, 3, 2, 0)
    assert code_weights("cea") == (0, 0, 1, 0, 2, 3)
    for bad in ("", "RR", "RIAS", "RX", "R1"):
        with pytest.raises(MatchingError):
            code_weights(bad)


def test_pearson_agrees_with_the_standard_library() -> None:
    rng = random.Random(7)
    for _ in range(50):
        xs = [rng.uniform(0, 100) for _ in range(6)]
        ys = [float(w) for w in code_weights(rng.choice(ALL_CODES))]
        assert pearson(xs, ys) == pytest.approx(statistics.correlation(xs, ys), abs=1e-12)
    assert pearson([5.0] * 6, [1, 2, 3, 4, 5, 6]) is None
    assert pearson([1.0], [2.0]) is None


def test_fit_maps_the_correlation_to_zero_to_hundred() -> None:
    # A profile shaped exactly like the code's weights correlates perfectly.
    assert fit(scores_of(R=100, I=66.6667, C=33.3333), "RIC") == 100.0
    # The mirror image correlates -1.
    assert fit(scores_of(R=0, I=33.3333, C=66.6667, A=100, S=100, E=100), "RIC") == 0.0
    values = [80.0, 60.0, 10.0, 20.0, 30.0, 50.0]
    scores: dict[str, float | None] = dict(zip(RIASEC, values, strict=True))
    expected = (statistics.correlation(values, [3, 2, 0, 0, 0, 1]) + 1) * 50
    assert fit(scores, "RIC") == pytest.approx(expected, abs=0.05)


def test_a_flat_profile_falls_back_to_the_weighted_mean() -> None:
    flat = dict.fromkeys(RIASEC, 40.0)
    assert fit(flat, "RIC") == 40.0
    assert fit(flat, "SE") == 40.0
    ranked = rank_occupations(flat, [Occupation("b", "SE"), Occupation("a", "RIC"), Occupation("c", "CA")])
    assert [s.slug for s in ranked] == ["a", "b", "c"]
    assert {s.fit for s in ranked} == {40.0}


def test_types_without_a_score_are_left_out_not_guessed() -> None:
    partial: dict[str, float | None] = {"R": 90.0, "I": 10.0, "A": 10.0, "S": 10.0, "E": 10.0, "C": None}
    # Without C the fit of "RC" is the correlation over R I A S E only.
    expected = (statistics.correlation([90.0, 10, 10, 10, 10], [3.0, 0, 0, 0, 0]) + 1) * 50
    assert raw_fit(partial, "RC") == pytest.approx(expected)
    # One scored type: no correlation; its weighted mean, or 0 when the code lacks the type.
    only_r: dict[str, float | None] = {"R": 70.0, "I": None, "A": None, "S": None, "E": None, "C": None}
    assert fit(only_r, "IR") == 70.0
    assert fit(only_r, "SE") == 0.0
    with pytest.raises(MatchingError):
        rank_occupations(dict.fromkeys(RIASEC), [Occupation("a", "RC")])


def test_reasons_are_liked_top_types_in_the_code_strongest_first() -> None:
    scores = scores_of(R=60, I=90, A=55, S=80, E=20, C=30)
    assert top_types(scores) == ("I", "S", "R")
    assert fit_reasons(scores, "RIC") == ("I", "R")
    assert fit_reasons(scores, "SA") == ("S",)  # A is liked but not among the top three
    assert fit_reasons(scores, "EC") == ()
    # A top type the pupil does not like is no reason.
    low = scores_of(R=40, I=30, A=20, S=10, E=0, C=0)
    assert all(score <= REASON_MIN_SCORE for score in low.values() if score is not None)
    assert fit_reasons(low, "RIC") == ()


def test_a_higher_certificate_marks_but_never_hides() -> None:
    scores = scores_of(S=90, I=40)
    occupations = [
        Occupation("pflege", "SI", required_certificate_rank=2),
        Occupation("mfa", "SI", required_certificate_rank=0),
        Occupation("tischler", "RA", required_certificate_rank=0),
    ]
    ranked = rank_occupations(scores, occupations, certificate_rank=1)
    assert [(s.slug, s.needs_higher_certificate) for s in ranked] == [
        ("mfa", False),  # the same fit as "pflege", but reachable: it comes first
        ("pflege", True),
        ("tischler", False),
    ]
    assert not any(s.needs_higher_certificate for s in rank_occupations(scores, occupations))
    assert not any(
        s.needs_higher_certificate for s in rank_occupations(scores, occupations, certificate_rank=4)
    )


def test_slugs_must_be_unique() -> None:
    with pytest.raises(MatchingError):
        rank_occupations(scores_of(R=10), [Occupation("a", "RC"), Occupation("a", "IC")])


# --- properties --------------------------------------------------------------------------------


@given(some_scores, st.sampled_from(ALL_CODES))
def test_fit_stays_in_range(scores: dict[str, float | None], code: str) -> None:
    value = fit(scores, code)
    assert 0.0 <= value <= 100.0
    assert value == round(value, 1)


@given(some_scores, catalogue, st.one_of(st.none(), st.integers(min_value=0, max_value=4)))
def test_ranking_is_total_and_stable(
    scores: dict[str, float | None], occupations: list[Occupation], certificate_rank: int | None
) -> None:
    ranked = rank_occupations(scores, occupations, certificate_rank=certificate_rank)
    assert sorted(s.slug for s in ranked) == sorted(o.slug for o in occupations)  # nothing hidden
    keys = [ranking_key(s) for s in ranked]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)  # every pair is decided
    assert ranked == rank_occupations(scores, occupations, certificate_rank=certificate_rank)


@given(some_scores, catalogue, st.randoms(use_true_random=False))
def test_the_order_of_the_occupations_changes_nothing(
    scores: dict[str, float | None], occupations: list[Occupation], rng: random.Random
) -> None:
    shuffled = list(occupations)
    rng.shuffle(shuffled)
    assert rank_occupations(scores, shuffled, certificate_rank=2) == rank_occupations(
        scores, occupations, certificate_rank=2
    )


@given(
    some_scores, st.sampled_from(ALL_CODES), st.lists(st.text("abcxyz", min_size=1), min_size=2, unique=True)
)
def test_equal_codes_are_ordered_by_slug(
    scores: dict[str, float | None], code: str, slugs: list[str]
) -> None:
    ranked = rank_occupations(scores, [Occupation(slug, code) for slug in slugs])
    assert [s.slug for s in ranked] == sorted(slugs)
    assert len({s.fit for s in ranked}) == 1


@given(
    st.floats(min_value=0, max_value=50),
    st.floats(min_value=0, max_value=10),
    st.floats(min_value=0, max_value=1),
    st.lists(st.floats(min_value=0, max_value=1), min_size=5, max_size=5),
    catalogue,
    st.sampled_from([code for code in ALL_CODES if code[0] == "R"]),
)
def test_a_clearly_r_heavy_profile_gets_an_r_occupation_first(
    base: float,
    spread: float,
    headroom: float,
    others: list[float],
    occupations: list[Occupation],
    r_code: str,
) -> None:
    # "Clearly R-heavy": R stands out above the other five by at least four times their spread
    # (e.g. R 60 with the others between 0 and 12, or R 90 with the others between 50 and 58).
    floor = base + 5 * spread
    assume(floor < 100)
    r_score = floor + headroom * (100 - floor)
    assume(r_score - (base + spread) >= 1)
    scores: dict[str, float | None] = {"R": r_score}
    scores.update({code: base + share * spread for code, share in zip("IASEC", others, strict=True)})
    catalogue_with_r = [*occupations, Occupation("zz-r-occupation", r_code)]
    top = rank_occupations(scores, catalogue_with_r)[0]
    assert top.riasec[0] == "R", (scores, top)
    if r_score > REASON_MIN_SCORE:
        assert top.reasons[0] == "R"


@given(full_scores, catalogue)
def test_reasons_are_in_the_code_and_among_the_liked_top_types(
    scores: dict[str, float | None], occupations: list[Occupation]
) -> None:
    top = top_types(scores)
    for suggestion in rank_occupations(scores, occupations):
        assert set(suggestion.reasons) <= set(suggestion.riasec)
        assert list(suggestion.reasons) == [code for code in top if code in suggestion.reasons]
        assert all((scores[code] or 0) > REASON_MIN_SCORE for code in suggestion.reasons)


@given(full_scores, st.sampled_from(ALL_CODES))
def test_fit_is_the_mapped_correlation_whenever_it_is_defined(
    scores: dict[str, float | None], code: str
) -> None:
    values = [scores[c] or 0.0 for c in RIASEC]
    assume(max(values) - min(values) > 1e-6)
    r = statistics.correlation(values, [float(w) for w in code_weights(code)])
    assert math.isclose(raw_fit(scores, code), (r + 1) * 50, abs_tol=1e-9)
