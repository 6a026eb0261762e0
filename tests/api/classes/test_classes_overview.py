"""k-anonymity of the class overview: the pure aggregates, and the overview built from a class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from api.classes import service
from api.classes.overview import (
    build_overview,
    class_profile,
    strongest_type,
    suppress_small_counts,
    top_items,
)
from api.classes.schemas import ClassTopic
from api.core.models import utc_now
from knowledge import schema
from tests.api.accounts.support import AccountFactory
from tests.api.classes.conftest import ResultFactory, SessionFactory, join_many

K = 5


def scores(**values: float) -> dict[str, float | None]:
    return {"R": 10.0, "I": 10.0, "A": 10.0, "S": 10.0, "E": 10.0, "C": 10.0, **values}


def test_small_counts_are_left_out() -> None:
    assert suppress_small_counts({"a": 5, "b": 4, "c": 0, "d": 12}, K) == {"a": 5, "d": 12}


@pytest.mark.parametrize("group", [0, 1, 4])
def test_no_profile_for_fewer_than_k(group: int) -> None:
    assert class_profile([scores(R=90)] * group, K) is None


def test_profile_means_and_top_counts_hide_small_cells() -> None:
    results = [scores(R=90.0)] * 5 + [scores(S=80.0)] * 2
    profile = class_profile(results, K)
    assert profile is not None
    by_code = {share.code: share for share in profile}
    assert by_code["R"].top_count == 5
    assert by_code["S"].top_count is None  # 2 pupils: fewer than k, never shown
    assert by_code["I"].top_count is None  # 0 is also fewer than k: no cell tells "nobody"
    assert by_code["R"].mean_score == pytest.approx((5 * 90 + 2 * 10) / 7, abs=0.1)


def test_strongest_type_breaks_ties_in_riasec_order() -> None:
    assert strongest_type(scores(I=50, S=50)) == "I"
    assert strongest_type(dict.fromkeys("RIASEC")) is None


def test_top_items_count_each_pupil_once_and_only_groups_of_k() -> None:
    per_pupil = [["koch", "koch", "baecker"]] * 5 + [["tischler"]] * 4
    assert top_items(per_pupil, 9, K) == [("koch", 5), ("baecker", 5)] or top_items(per_pupil, 9, K) == [
        ("baecker", 5),
        ("koch", 5),
    ]
    assert top_items(per_pupil[:4], 4, K) is None
    assert top_items([["tischler"]] * 4 + [[]], 5, K) == []


@pytest.fixture
def names() -> dict[str, str]:
    return {topic.value: topic.value for topic in ClassTopic}


def overview(session: Session, row, names: dict[str, str], k: int = K):  # type: ignore[no-untyped-def]
    return build_overview(
        session,
        row,
        k=k,
        now=utc_now(),
        language="de",
        topic_names=names,
        summary_template="{joined} beigetreten, {in_check} im Check, {finished} fertig.",
        hidden_text="Ab {k}.",
    )


def test_a_class_under_k_shows_counts_but_no_aggregate(
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
    make_result: ResultFactory,
    loaded_catalogue: list[schema.Profession],
    names: dict[str, str],
) -> None:
    row = make_class(make_account("advisor"))
    refs = join_many(session, row, 6)
    for ref in refs[:4]:
        make_result(ref, R=90.0)
        service.record_activity(session, ref, ClassTopic.CHECK, utc_now())
    service.record_activity(session, refs[4], ClassTopic.CHECK, utc_now())
    seen = overview(session, row, names)
    assert (seen.joined, seen.in_check, seen.finished) == (6, 1, 4)
    assert seen.profile is None and seen.occupations is None and seen.fields is None
    # 6 joined: topics may show, but only those of at least 5 pupils (5 started the check)
    assert seen.topics is not None and [(item.key, item.count) for item in seen.topics] == [("check", 5)]
    assert seen.summary == "6 beigetreten, 1 im Check, 4 fertig. Ab 5."


def test_a_class_of_k_shows_the_aggregates(
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
    make_result: ResultFactory,
    loaded_catalogue: list[schema.Profession],
    names: dict[str, str],
) -> None:
    row = make_class(make_account("advisor"))
    refs = join_many(session, row, 7)
    for ref in refs[:5]:
        make_result(ref, R=90.0, I=70.0)
        service.record_activity(session, ref, ClassTopic.CHECK, utc_now())
        service.record_activity(session, ref, ClassTopic.PAY, utc_now())
    make_result(refs[5], S=95.0)
    # an old result from before the pupil joined does not count for this class
    make_result(refs[6], completed_on=date.today() - timedelta(days=3), A=99.0)
    seen = overview(session, row, names)
    assert (seen.joined, seen.in_check, seen.finished) == (7, 0, 6)
    assert seen.profile is not None
    by_code = {share.code: share for share in seen.profile}
    assert by_code["R"].top_count == 5 and by_code["S"].top_count is None
    assert seen.topics is not None and [(item.key, item.count) for item in seen.topics] == [
        ("check", 5),
        ("pay", 5),
    ]
    assert seen.occupations is not None and seen.occupations, "the five R/I pupils share suggestions"
    assert all(item.count >= K for item in seen.occupations)
    assert seen.fields is not None and all(item.count >= K for item in seen.fields)
    # a larger k hides everything again
    stricter = overview(session, row, names, k=8)
    assert stricter.profile is None and stricter.occupations is None and stricter.topics is None


def test_the_overview_never_carries_a_pupil_ref_or_answers(
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
    make_result: ResultFactory,
    loaded_catalogue: list[schema.Profession],
    names: dict[str, str],
) -> None:
    row = make_class(make_account("advisor"))
    refs = join_many(session, row, 5, prefix="secret-ref")
    for ref in refs:
        make_result(ref, E=88.0)
    text = overview(session, row, names).model_dump_json()
    assert "secret-ref" not in text and "answers" not in text


@pytest.fixture
def ranking_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The calls of the check's ranking from now on (each ranks one result)."""
    from api.check import matching

    calls: list[object] = []
    rank = matching.rank_occupations

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return rank(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(matching, "rank_occupations", counting)
    return calls


def test_each_result_is_ranked_once(
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
    make_result: ResultFactory,
    loaded_catalogue: list[schema.Profession],
    names: dict[str, str],
    ranking_calls: list[object],
) -> None:
    calls = ranking_calls
    row = make_class(make_account("advisor"))
    for number, ref in enumerate(join_many(session, row, 5)):
        make_result(ref, R=90.0 - number)
    first = overview(session, row, names)
    assert len(calls) == 5
    again = overview(session, row, names)
    assert len(calls) == 5 and again.occupations == first.occupations


def test_results_are_ranked_again_when_the_occupations_are_loaded_anew(
    session: Session,
    make_account: AccountFactory,
    make_class: SessionFactory,
    make_result: ResultFactory,
    loaded_catalogue: list[schema.Profession],
    load: Callable[..., object],
    names: dict[str, str],
    ranking_calls: list[object],
) -> None:
    calls = ranking_calls
    row = make_class(make_account("advisor"))
    for number, ref in enumerate(join_many(session, row, 5)):
        make_result(ref, R=90.0 - number)
    overview(session, row, names)
    assert len(calls) == 5
    # the same knowledge files (the same knowledge_hash), other rows: the loader's code changed
    changed = [replace(loaded_catalogue[0], riasec="SE"), *loaded_catalogue[1:]]
    load(professions=changed)
    overview(session, row, names)
    assert len(calls) == 10
