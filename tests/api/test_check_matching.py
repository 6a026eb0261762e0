"""api.check.matching: occupations ranked for a pupil (pure, no database).

Shape fit from six interest scores, the pupil's liked items as evidence, certificate reach,
variety across fields, regional supply as the tie-breaker, one reason each from the pupil's own
answers.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from api.check.matching import (
    MAX_PER_FIELD,
    REASON_MIN_SCORE,
    VARIETY_BLOCK,
    VARIETY_TOLERANCE,
    Evidence,
    MatchingError,
    Occupation,
    Suggestion,
    code_weights,
    fit_reasons,
    higher_certificate_paths,
    item_evidence,
    pearson,
    rank_occupations,
    raw_fit,
    shape_fit,
    with_variety,
)
from api.check.scoring import RIASEC

ALL_CODES = ["".join(letters) for size in (2, 3) for letters in itertools.permutations(RIASEC, size)]
FIELDS = ("25", "26", "43", "81", "82", "83", "71", "62", "94")

score = st.floats(min_value=0, max_value=100, allow_nan=False)
full_scores = st.fixed_dictionaries({code: score for code in RIASEC})
some_scores = st.fixed_dictionaries({code: st.one_of(st.none(), score) for code in RIASEC}).filter(
    lambda scores: any(value is not None for value in scores.values())
)
interest_vector = st.tuples(*[st.integers(min_value=0, max_value=100)] * 6)
occupation = st.builds(
    Occupation,
    slug=st.text(alphabet="abcdefghij-", min_size=1, max_size=8),
    riasec=st.sampled_from(ALL_CODES),
    interests=interest_vector,
    field=st.sampled_from(FIELDS),
    required_certificate_rank=st.integers(min_value=0, max_value=4),
    typical_certificate_rank=st.integers(min_value=0, max_value=4),
)
catalogue = st.lists(occupation, max_size=30, unique_by=lambda item: item.slug)


def scores_of(**values: float) -> dict[str, float | None]:
    return {code: values.get(code, 0.0) for code in RIASEC}


def job(
    slug: str, interests: tuple[int, ...], field: str = "25", required: int = 0, typical: int = 0
) -> Occupation:
    ranked = sorted(range(6), key=lambda index: (-interests[index], index))
    code = "".join(RIASEC[index] for index in ranked[:3])
    return Occupation(slug, code, interests, field, required, typical)


MECHANIC = job("kfz", (95, 45, 10, 20, 25, 35), "25")
MACHINIST = job("zerspaner", (92, 50, 8, 12, 18, 40), "24")
ELECTRICIAN = job("elektro", (90, 55, 10, 18, 20, 38), "26")
NURSE = job("pflege", (35, 50, 15, 95, 25, 40), "81", required=2, typical=2)
EDUCATOR = job("erzieher", (20, 30, 55, 95, 30, 25), "83", required=2, typical=2)
CLERK = job("buero", (10, 30, 15, 35, 50, 95), "71", typical=2)
DESIGNER = job("grafik", (30, 35, 95, 30, 45, 30), "92", typical=3)
IT = job("fachinformatik", (45, 95, 20, 20, 30, 60), "43", typical=4)
ALL = [MECHANIC, MACHINIST, ELECTRICIAN, NURSE, EDUCATOR, CLERK, DESIGNER, IT]

ITEMS = {
    "r07": ("R", ["kfz"]),
    "r02": ("R", ["zerspaner", "kfz"]),
    "r03": ("R", ["elektro"]),
    "i02": ("I", ["fachinformatik"]),
    "s02": ("S", ["pflege"]),
    "s01": ("S", ["erzieher"]),
    "c02": ("C", ["buero"]),
    "a01": ("A", ["grafik"]),
}


def evidence_of(answers: dict[str, int | None]) -> Evidence:
    return Evidence(
        answers=answers,
        item_occupations={item: slugs for item, (_, slugs) in ITEMS.items()},
        item_types={item: letter for item, (letter, _) in ITEMS.items()},
        item_order=list(ITEMS),
    )


# --- the method --------------------------------------------------------------------------------


def test_code_weights_are_three_two_one_in_riasec_order() -> None:
    assert code_weights("RIC") == (3, 2, 0, 0, 0, 1)
    for bad in ("", "RIAS", "RR", "RX", "r1"):
        with pytest.raises(MatchingError):
            code_weights(bad)


def test_pearson_agrees_with_the_standard_library() -> None:
    xs, ys = [1.0, 5.0, 2.0, 8.0], [2.0, 3.0, 1.0, 9.0]
    assert math.isclose(pearson(xs, ys) or 0, statistics.correlation(xs, ys))
    assert pearson([1.0, 1.0], [1.0, 2.0]) is None
    assert pearson([1.0], [1.0]) is None


def test_shape_fit_compares_the_six_scores_not_only_a_code() -> None:
    pupil = scores_of(R=90, I=60, A=10, S=15, E=20, C=40)
    assert shape_fit(pupil, MACHINIST.interests or ()) > shape_fit(pupil, NURSE.interests or ())
    # Two occupations with the same code but different scores are told apart.
    close = job("a", (90, 60, 10, 15, 20, 40))
    far = job("b", (90, 30, 5, 40, 35, 80))
    assert close.riasec[0] == far.riasec[0] == "R"
    assert shape_fit(pupil, close.interests or ()) > shape_fit(pupil, far.interests or ())


def test_without_a_shape_the_level_decides_and_the_evidence_counts() -> None:
    flat = scores_of(R=50, I=50, A=50, S=50, E=50, C=50)
    # Everything rated the same: every occupation is neutral, only the evidence decides.
    assert shape_fit(flat, MECHANIC.interests or ()) == pytest.approx(0.5)
    only_s = {"R": None, "I": None, "A": None, "S": 80.0, "E": None, "C": None}
    nurse = NURSE.interests or ()
    standout = (95 - sum(nurse) / 6) / 100
    assert shape_fit(only_s, nurse) == pytest.approx((standout + 1) / 2)
    disliked = {"R": None, "I": None, "A": None, "S": 10.0, "E": None, "C": None}
    assert shape_fit(disliked, nurse) == pytest.approx(1 - (standout + 1) / 2)
    ranked = rank_occupations(flat, ALL, evidence=evidence_of({"s01": 5, "s02": 1}))
    assert ranked[0].slug == "erzieher"
    assert ranked[-1].slug == "pflege"


def test_one_scored_type_orders_by_how_much_the_occupation_stands_out_not_by_slug() -> None:
    only_r = {"R": 90.0, "I": None, "A": None, "S": None, "E": None, "C": None}
    # "r5" stands out most on R, "r0" least: the order must follow R, against the alphabet.
    jobs = [job(f"r{5 - index}", (95 - 5 * index, 50, 10, 20, 25, 35)) for index in range(6)]
    ranked = rank_occupations(only_r, jobs)
    assert [s.slug for s in ranked] == ["r5", "r4", "r3", "r2", "r1", "r0"]
    assert len({s.fit for s in ranked}) == len(ranked)


def test_types_without_a_score_are_left_out_not_guessed() -> None:
    partial = {"R": 90.0, "I": 20.0, "A": None, "S": 10.0, "E": None, "C": None}
    full = {"R": 90.0, "I": 20.0, "A": 0.0, "S": 10.0, "E": 0.0, "C": 0.0}
    assert raw_fit(partial, MECHANIC) != raw_fit(full, MECHANIC)
    assert shape_fit(partial, (90, 20, 99, 10, 99, 99)) == shape_fit(partial, (90, 20, 0, 10, 0, 0))


def test_liked_items_count_as_evidence_for_their_occupations() -> None:
    proof = item_evidence(evidence_of({"r07": 5, "r02": 4, "s02": 1, "c02": None}))
    assert proof["kfz"] == pytest.approx((1.0 + 0.5) / 3)
    assert proof["zerspaner"] == pytest.approx(0.5 / 2)
    assert proof["pflege"] == pytest.approx(-1.0 / 2)
    assert "buero" not in proof  # skipped: no evidence either way
    pupil = scores_of(R=80, I=50, A=10, S=20, E=20, C=40)
    without = {s.slug: s.raw_fit for s in rank_occupations(pupil, ALL)}
    with_items = {s.slug: s.raw_fit for s in rank_occupations(pupil, ALL, evidence=evidence_of({"r07": 5}))}
    assert with_items["kfz"] > without["kfz"]
    assert with_items["pflege"] == without["pflege"]


def test_occupations_within_reach_come_first_and_the_others_are_paths_not_hidden() -> None:
    caring = scores_of(R=20, I=40, A=30, S=95, E=30, C=30)
    ranked = rank_occupations(caring, ALL, certificate_rank=1)
    flags = [s.needs_higher_certificate for s in ranked]
    assert flags == sorted(flags)  # every reachable one before every one that needs more
    assert {s.slug for s in ranked if s.needs_higher_certificate} == {"pflege", "erzieher"}
    paths = higher_certificate_paths(ranked, first_page=5)
    assert [p.slug for p in paths] == ["erzieher", "pflege"] or [p.slug for p in paths] == [
        "pflege",
        "erzieher",
    ]
    # Without a certificate nothing is set apart, and the caring occupations lead.
    plain = rank_occupations(caring, ALL)
    assert not any(s.needs_higher_certificate for s in plain)
    assert {plain[0].slug, plain[1].slug} == {"pflege", "erzieher"}


def test_a_typical_certificate_far_above_the_pupils_costs_a_little() -> None:
    it_pupil = scores_of(R=40, I=95, A=20, S=20, E=30, C=60)
    hauptschule = {s.slug: s.raw_fit for s in rank_occupations(it_pupil, ALL, certificate_rank=1)}
    abitur = {s.slug: s.raw_fit for s in rank_occupations(it_pupil, ALL, certificate_rank=4)}
    assert abitur["fachinformatik"] - hauptschule["fachinformatik"] == pytest.approx(8.0)
    assert abitur["kfz"] == hauptschule["kfz"]


def test_regional_supply_breaks_ties_of_the_shown_fit() -> None:
    twins = [job("b-twin", (90, 40, 10, 10, 20, 30), "25"), job("a-twin", (90, 40, 10, 10, 20, 30), "26")]
    pupil = scores_of(R=90, I=40, A=10, S=10, E=20, C=30)
    assert [s.slug for s in rank_occupations(pupil, twins)] == ["a-twin", "b-twin"]
    assert [s.slug for s in rank_occupations(pupil, twins, supply={"b-twin": 3})] == ["b-twin", "a-twin"]


def test_variety_keeps_a_block_of_five_to_two_per_field_unless_narrow() -> None:
    def suggestion(slug: str, fit: float, field: str) -> Suggestion:
        return Suggestion(slug, "RIC", fit, fit, 0.5, 0.0, (), False, field)

    crowded = [suggestion(f"m{i}", 90 - i, "25") for i in range(5)] + [
        suggestion("x", 86.5, "43"),
        suggestion("y", 86.0, "62"),
        suggestion("z", 85.5, "81"),
    ]
    first_block = with_variety(crowded)[:5]
    assert Counter(s.field for s in first_block)["25"] == 2
    assert len({s.field for s in first_block}) >= 3
    # Truly narrow: everything of another field fits far worse, so the best stay together.
    narrow = [suggestion(f"m{i}", 90 - i, "25") for i in range(5)] + [
        suggestion("x", 90 - 4 - VARIETY_TOLERANCE - 5, "43")
    ]
    assert [s.slug for s in with_variety(narrow)[:5]] == [f"m{i}" for i in range(5)]


def test_each_suggestion_gets_its_own_reason_from_the_pupils_answers() -> None:
    pupil_answers: dict[str, int | None] = {"r07": 5, "r02": 5, "r03": 4, "i02": 2, "s02": 1, "c02": 3}
    pupil = scores_of(R=90, I=40, A=10, S=10, E=20, C=40)
    ranked = rank_occupations(pupil, ALL, evidence=evidence_of(pupil_answers))
    by_slug = {s.slug: s for s in ranked}
    assert by_slug["kfz"].reason_item == "r07"  # the item that stands for it, answered "sehr gern"
    assert by_slug["elektro"].reason_item == "r03"
    items = [s.reason_item for s in ranked if s.reason_item]
    assert len(items) == len(set(items))  # never the same reason twice
    assert all(pupil_answers[item] is not None and (pupil_answers[item] or 0) >= 4 for item in items)
    assert by_slug["pflege"].reason_item is None  # nothing the pupil liked speaks for it


def test_slugs_must_be_unique() -> None:
    with pytest.raises(MatchingError):
        rank_occupations(scores_of(R=50), [MECHANIC, MECHANIC])


# --- properties --------------------------------------------------------------------------------


@given(some_scores, catalogue, st.one_of(st.none(), st.integers(min_value=0, max_value=4)))
def test_ranking_is_deterministic_and_hides_nothing(
    scores: dict[str, float | None], occupations: list[Occupation], certificate_rank: int | None
) -> None:
    ranked = rank_occupations(scores, occupations, certificate_rank=certificate_rank)
    assert sorted(s.slug for s in ranked) == sorted(o.slug for o in occupations)
    assert all(0.0 <= s.fit <= 100.0 and s.fit == round(s.fit, 1) for s in ranked)
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


@settings(max_examples=60)
@given(full_scores, st.integers(min_value=0, max_value=10_000))
def test_no_alphabetical_tie_in_the_top_ten(scores: dict[str, float | None], seed: int) -> None:
    # A catalogue like the real one: distinct six scores per occupation.
    rng = random.Random(seed)
    vectors: set[tuple[int, ...]] = set()
    while len(vectors) < 60:
        vectors.add(tuple(rng.randint(0, 100) for _ in range(6)))
    jobs = [job(f"o{index:02d}", vector, rng.choice(FIELDS)) for index, vector in enumerate(sorted(vectors))]
    values = [scores[c] or 0.0 for c in RIASEC]
    assume(max(values) - min(values) > 1.0)
    top = rank_occupations(scores, jobs)[:10]
    decided = [(s.fit, s.supply, s.raw_fit) for s in top]
    assert len(set(decided)) == len(decided), "two of the top ten are told apart only by their slug"


@settings(max_examples=60)
@given(full_scores, st.lists(occupation, min_size=12, max_size=30, unique_by=lambda o: o.slug))
def test_variety_in_every_block_of_five(
    scores: dict[str, float | None], occupations: list[Occupation]
) -> None:
    ranked = rank_occupations(scores, occupations)
    for start in range(0, len(ranked) - VARIETY_BLOCK + 1, VARIETY_BLOCK):
        block = ranked[start : start + VARIETY_BLOCK]
        for field, count in Counter(s.field for s in block).items():
            if count <= MAX_PER_FIELD:
                continue
            # Only a narrow profile keeps more: every occupation left of a field that still has
            # room in this block fits clearly worse (a field already at two has no room either).
            rest = ranked[start:]
            crowded = [s for s in block if s.field == field][MAX_PER_FIELD:]
            in_block = Counter(s.field for s in block)
            others = [
                s for s in rest if s.field != field and s not in block and in_block[s.field] < MAX_PER_FIELD
            ]
            for extra in crowded:
                assert (
                    all(
                        extra.raw_fit - other.raw_fit > VARIETY_TOLERANCE
                        for other in others
                        if other.needs_higher_certificate == extra.needs_higher_certificate
                    )
                    or not others
                )


@given(full_scores, catalogue, st.integers(min_value=0, max_value=4))
def test_certificate_reach_is_a_partition_never_a_filter(
    scores: dict[str, float | None], occupations: list[Occupation], certificate_rank: int
) -> None:
    ranked = rank_occupations(scores, occupations, certificate_rank=certificate_rank)
    flags = [s.needs_higher_certificate for s in ranked]
    assert flags == sorted(flags)
    by_slug = {o.slug: o for o in occupations}
    for s in ranked:
        assert s.needs_higher_certificate == (by_slug[s.slug].required_certificate_rank > certificate_rank)


@given(full_scores, catalogue)
def test_fallback_reasons_are_in_the_code_and_among_the_liked_top_types(
    scores: dict[str, float | None], occupations: list[Occupation]
) -> None:
    for suggestion in rank_occupations(scores, occupations):
        assert set(suggestion.reasons) <= set(suggestion.riasec)
        assert all((scores[code] or 0) > REASON_MIN_SCORE for code in suggestion.reasons)
        assert set(suggestion.reasons) <= set(fit_reasons(scores, suggestion.riasec))


@given(full_scores, interest_vector)
def test_shape_is_the_mapped_correlation_whenever_it_is_defined(
    scores: dict[str, float | None], interests: tuple[int, ...]
) -> None:
    values = [scores[c] or 0.0 for c in RIASEC]
    assume(max(values) - min(values) > 1e-6 and len(set(interests)) > 1)
    r = statistics.correlation(values, [float(v) for v in interests])
    assert math.isclose(shape_fit(scores, interests), (r + 1) / 2, abs_tol=1e-9)
