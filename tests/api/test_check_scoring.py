"""api.check.scoring: answers in, six scores 0..100, top types and Holland code out (pure, no database)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.check.scoring import (
    RIASEC,
    InvalidAnswerError,
    ScoringError,
    UnknownItemsError,
    check_scores,
    holland_code,
    ranked_types,
    rescale,
    round_half_up,
    score_answers,
    top_types,
)
from knowledge.check import bank

# A bank like the real one: eight items per type, ids r01..c08.
ITEM_TYPES = {f"{code.lower()}{number:02d}": code for code in RIASEC for number in range(1, 9)}

answer_value = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
answers_strategy = st.dictionaries(
    st.sampled_from(sorted(ITEM_TYPES)), answer_value, max_size=len(ITEM_TYPES)
)


def answers_for(values: dict[str, list[int | None]]) -> dict[str, int | None]:
    """{"R": [5, 4, None]} -> {"r01": 5, "r02": 4, "r03": None}."""
    return {
        f"{code.lower()}{number:02d}": value
        for code, answers in values.items()
        for number, value in enumerate(answers, start=1)
    }


def test_scores_are_the_rescaled_means_of_the_answered_items() -> None:
    result = score_answers(
        answers_for({"R": [5, 5, 4], "I": [1, 1], "A": [3], "S": [2, 4], "E": [5, None], "C": [None, None]}),
        ITEM_TYPES,
    )
    # R: mean 14/3 -> (14/3 - 1) / 4 * 100 = 91.666.. -> 91.7
    assert result.scores == {"R": 91.7, "I": 0.0, "A": 50.0, "S": 50.0, "E": 100.0, "C": None}
    assert result.answered_per_type == {"R": 3, "I": 2, "A": 1, "S": 2, "E": 1, "C": 0}
    assert result.unscored == ("C",)
    assert (result.answered, result.skipped) == (9, 3)
    assert result.top_types == ("E", "R", "A")  # A and S tie at 50: A comes first in R I A S E C
    assert result.holland_code == "ERA"


def test_a_type_without_answers_is_reported_not_invented() -> None:
    result = score_answers(answers_for({"R": [4, 4], "I": [None]}), ITEM_TYPES)
    assert result.scores["R"] == 75.0
    assert [result.scores[code] for code in "IASEC"] == [None] * 5
    assert result.unscored == ("I", "A", "S", "E", "C")
    assert result.top_types == ("R",)
    assert result.holland_code == "R"


def test_no_answers_at_all_give_no_scores_and_no_top_types() -> None:
    result = score_answers({}, ITEM_TYPES)
    assert set(result.scores.values()) == {None}
    assert result.top_types == ()
    assert result.holland_code == ""


def test_rounding_is_half_up_and_exact() -> None:
    # Eight answers summing to 10: (10/8 - 1) / 4 * 100 = 6.25 exactly; binary round() would give 6.2.
    assert rescale(10, 8) == 6.3
    assert rescale(11, 8) == 9.4  # 9.375
    assert rescale(2, 1) == 25.0
    assert round_half_up(62.5, 0) == 63.0
    assert round_half_up(Fraction(1, 3)) == 0.3


@pytest.mark.parametrize("value", [0, 6, -1, True, False, "4", 4.0, 3.5])
def test_answers_outside_one_to_five_are_refused(value: object) -> None:
    with pytest.raises(InvalidAnswerError) as caught:
        score_answers({"r01": value}, ITEM_TYPES)  # type: ignore[dict-item]
    assert caught.value.item_id == "r01"


def test_answers_to_unknown_items_are_refused_with_all_their_ids() -> None:
    with pytest.raises(UnknownItemsError) as caught:
        score_answers({"r01": 4, "x99": 3, "gender": 1}, ITEM_TYPES)
    assert caught.value.item_ids == ["gender", "x99"]


def test_check_scores_refuses_unknown_types_and_values_out_of_range() -> None:
    assert check_scores({"R": 10}) == {"R": 10.0, "I": None, "A": None, "S": None, "E": None, "C": None}
    for scores in ({"X": 1.0}, {"R": -0.1}, {"R": 100.1}, {"R": float("nan")}):
        with pytest.raises(ScoringError):
            check_scores(scores)


def test_ties_follow_the_fixed_holland_order() -> None:
    scores = dict.fromkeys(RIASEC, 40.0)
    assert ranked_types(scores) == RIASEC
    assert holland_code(scores) == "RIA"
    scores["C"] = 40.1
    assert top_types(scores) == ("C", "R", "I")


def test_the_real_item_bank_is_scored_per_type() -> None:
    items = bank.load_items()
    item_types = {item.id: item.type for item in items.items}
    quick = items.sequence("quick")
    answers: dict[str, int | None] = {item.id: 5 if item.type == "S" else 1 for item in quick}
    result = score_answers(answers, item_types)
    assert result.scores == {"R": 0.0, "I": 0.0, "A": 0.0, "S": 100.0, "E": 0.0, "C": 0.0}
    assert result.answered_per_type == dict.fromkeys(RIASEC, 5)
    assert result.holland_code == "SRI"


# --- properties --------------------------------------------------------------------------------


@given(answers_strategy)
def test_scores_stay_in_range_and_match_the_formula(answers: dict[str, int | None]) -> None:
    result = score_answers(answers, ITEM_TYPES)
    for code in RIASEC:
        given_values = [
            value for item, value in answers.items() if ITEM_TYPES[item] == code and value is not None
        ]
        score = result.scores[code]
        if not given_values:
            assert score is None
            assert code in result.unscored
            continue
        assert score is not None
        assert 0.0 <= score <= 100.0
        exact = (Fraction(sum(given_values), len(given_values)) - 1) * 25
        assert abs(Fraction(score) - exact) <= Fraction(1, 20) + Fraction(1, 10**9)  # one decimal
    assert result.answered + result.skipped == len(answers)


@given(answers_strategy, st.randoms(use_true_random=False))
def test_the_order_of_the_answers_changes_nothing(answers: dict[str, int | None], rng: random.Random) -> None:
    items = list(answers.items())
    rng.shuffle(items)
    assert score_answers(dict(items), ITEM_TYPES) == score_answers(answers, ITEM_TYPES)


@given(answers_strategy)
def test_top_types_are_the_strongest_with_ties_in_holland_order(answers: dict[str, int | None]) -> None:
    result = score_answers(answers, ITEM_TYPES)
    scored = [code for code in RIASEC if result.scores[code] is not None]
    assert len(result.top_types) == min(3, len(scored))
    ranked = ranked_types(result.scores)
    assert result.top_types == ranked[:3]
    assert sorted(ranked) == sorted(scored)
    keys = [(-(result.scores[code] or 0.0), RIASEC.index(code)) for code in ranked]
    assert keys == sorted(keys)  # strictly ordered: every pair decided, the same way every time
    assert len(set(keys)) == len(keys)
