"""topics.yaml and explore.yaml: the validator's rules and the matcher that reads messages with them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.explore import ExploreMatcher
from knowledge.loader import KnowledgeError, load_explore_vocab, load_professions, load_topics
from knowledge.schema import TOPIC_KEYS
from knowledge.validate import check_topics


@pytest.fixture(scope="module")
def matcher() -> ExploreMatcher:
    return ExploreMatcher.from_knowledge(load_topics(), load_explore_vocab())


def _cues(matcher: ExploreMatcher, text: str) -> list[tuple[str, str]]:
    return [(cue.kind, cue.value) for cue in matcher.find(text)]


def _topics(**extra: Any) -> dict[str, Any]:
    topics = {
        key: {
            "names": {"de": key, "en": key},
            "words": {"de": [key], "en": [f"{key}-en"]},
            "occupations": ["a"],
        }
        for key in TOPIC_KEYS
    }
    topics.update(extra)
    return topics


def test_every_real_profile_has_a_topic_and_every_topic_key_exists() -> None:
    slugs = [profession.slug for profession in load_professions(allow_todo=True)]
    topics = load_topics(profile_slugs=slugs)
    assert [topic.key for topic in topics] == list(TOPIC_KEYS)
    assert set(slugs) <= {slug for topic in topics for slug in topic.occupations}
    first = {topic.key: topic.occupations[0] for topic in topics}
    assert first["animals"] == "tierpfleger"
    assert first["computers_it"] == "fachinformatiker"
    assert first["beauty_hair"] == "friseur"


def test_a_profile_without_topic_is_reported() -> None:
    problems = check_topics(Path("topics.yaml"), _topics(), frozenset({"a", "b"}))
    assert [problem.message for problem in problems] == ["the profile 'b' belongs to no topic"]


def test_unknown_occupation_missing_topic_and_shared_word_are_reported() -> None:
    topics = _topics()
    del topics["animals"]
    topics["wood"]["occupations"] = ["a", "ghost"]
    topics["metal"]["words"]["de"] = ["metal", "wood"]
    messages = [problem.message for problem in check_topics(Path("t.yaml"), topics, frozenset({"a"}))]
    assert "topics missing: animals" in messages
    assert "wood: 'ghost' is not an existing profile" in messages
    assert "metal: the word 'wood' is also a word of wood" in messages


def test_the_loader_refuses_a_broken_topics_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump({"animals": {"names": {"de": "Tiere"}}}), encoding="utf-8")
    with pytest.raises(KnowledgeError):
        load_topics(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("welche berufe gibt es mit tieren", [("topic", "animals")]),
        ("ich mag Haustiere", [("topic", "animals")]),
        ("Tierheim wäre cool", [("topic", "animals")]),
        ("ich mag computer und zocken", [("topic", "computers_it"), ("topic", "gaming_apps")]),
        ("ich bin gern draußen", [("topic", "outdoors_nature")]),
        ("what jobs are there with animals", [("topic", "animals")]),
        ("ich hab nen Hauptschulabschluss was kann ich werden", [("certificate", "hauptschule")]),
        ("ohne abschluss was geht", [("certificate", "none")]),
        ("mit abi aber nicht studieren", [("certificate", "abitur")]),
        ("mit mittlerer Reife", [("certificate", "realschule")]),
        ("was ist die best bezahlte ausbildung", [("pay_order", "high")]),
        ("which apprenticeship is the highest paid", [("pay_order", "high")]),
        ("welche ausbildungen dauern nur 2 jahre", [("duration", "24")]),
        ("eine zweijährige Ausbildung", [("duration", "24")]),
        ("3,5 Jahre", [("duration", "42")]),
        # superlatives, slang and typos pupils use for short training and high pay (issue 10)
        ("welche lehre ist am schnellsten vorbei", [("duration", "24")]),
        ("gibts was das nicht so lange dauert", [("duration", "24")]),
        ("ausbildung 2jahre", [("duration", "24")]),
        ("nur 2 jahr", [("duration", "24")]),
        ("the shortest apprenticeship", [("duration", "24")]),
        ("something that takes less than 3 years", [("duration", "24")]),
        ("welcher job zahlt am meisten", [("pay_order", "high")]),
        ("wo gibts das meiste Geld", [("pay_order", "high")]),
        ("höchstes Ausbildungsgehalt", [("pay_order", "high")]),
        ("which training pays most", [("pay_order", "high")]),
        ("best paying apprenticeships", [("pay_order", "high")]),
        # a pay word and a superlative with other words between them
        ("wo verdient man als azubi am besten", [("pay_order", "high")]),
        ("bei welchem beruf verdient man in der ausbildung am meisten", [("pay_order", "high")]),
        ("in which job do trainees earn the most", [("pay_order", "high")]),
        ("nur duale", [("training_type", "dual")]),
        ("schulische Ausbildung in der Pflege", [("training_type", "school"), ("topic", "care_elderly")]),
        ("duales Studium", [("training_type", "dual_study")]),
        # the town or municipality as an employer, not as a place
        ("ich will bei der stadt arbeiten", [("topic", "public_service")]),
        ("jobs bei der Gemeinde", [("topic", "public_service")]),
        ("was mit Stadtverwaltung", [("topic", "public_service")]),
    ],
)
def test_cues_in_messages(matcher: ExploreMatcher, text: str, expected: list[tuple[str, str]]) -> None:
    assert _cues(matcher, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ich hab kein abi",
        "kann ich das herunterladen",
        "ich will zur berufsberatung",
        "hallo",
        "lösch meine daten",
        "kann ich die ausbildung verkürzen",
        "was verdient man als tischler",
        "und wie viel verdient man?",
        "welcher beruf passt am besten zu mir",
        "wie lange dauert die ausbildung am meisten",
        "nur in osnabrück stadt",  # a place
        "praktikum in der stadt",
        "ich wohne in der gemeinde bissendorf",
    ],
)
def test_no_cue_where_there_is_none(matcher: ExploreMatcher, text: str) -> None:
    assert _cues(matcher, text) == []


def test_spans_point_at_the_words_as_typed(matcher: ExploreMatcher) -> None:
    text = "Berufe mit TIEREN ohne Abschluss"
    cues = matcher.find(text)
    assert [(cue.text, text[cue.start : cue.end]) for cue in cues] == [
        ("TIEREN", "TIEREN"),
        ("ohne Abschluss", "ohne Abschluss"),
    ]


def test_the_state_survives_a_round_trip(matcher: ExploreMatcher) -> None:
    again = ExploreMatcher.from_dict(matcher.to_dict())
    text = "berufe mit tieren mit hauptschulabschluss, nur 2 jahre, best bezahlt, nur duale"
    assert _cues(again, text) == _cues(matcher, text)
