"""Everyday and old names pupils type (issue 10): one occupation, or a choice in a sensible order."""

from __future__ import annotations

import pytest

from knowledge.matching import OccupationMatcher


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("ich will programmierer werden", "fachinformatiker"),
        ("was macht eine Programmiererin", "fachinformatiker"),
        ("Grafiker", "mediengestalter-digital-und-print"),
        ("Grafikdesignerin", "mediengestalter-digital-und-print"),
        ("was verdient ein Kassierer", "verkaeufer"),
        ("cashier", "verkaeufer"),
    ],
)
def test_a_name_of_one_occupation(real_matcher: OccupationMatcher, text: str, slug: str) -> None:
    assert [mention.slug for mention in real_matcher.find_mentions(text)] == [slug]


@pytest.mark.parametrize(
    ("text", "first", "also"),
    [
        (
            "was macht ein Kellner",
            "fachmann-fuer-restaurants-und-veranstaltungsgastronomie",
            "fachkraft-fuer-gastronomie",
        ),
        (
            "Kellnerin",
            "fachmann-fuer-restaurants-und-veranstaltungsgastronomie",
            "fachkraft-fuer-gastronomie",
        ),
        ("waiter", "fachmann-fuer-restaurants-und-veranstaltungsgastronomie", "fachkraft-fuer-gastronomie"),
        ("Busfahrer", "fachkraft-im-fahrbetrieb", "berufskraftfahrer"),
        ("bus driver", "fachkraft-im-fahrbetrieb", "berufskraftfahrer"),
        ("Schlosser", "industriemechaniker", "metallbauer"),
        ("Lagerist", "fachlagerist", "fachkraft-fuer-lagerlogistik"),
        ("Installateur", "anlagenmechaniker-fuer-sanitaer-heizungs-und-klimatechnik", "elektroniker"),
        ("Technischer Zeichner", "technischer-produktdesigner", "technischer-systemplaner"),
        ("Zöllner", "zollinspektoranwaerter", "zollsekretaeranwaerter"),
    ],
)
def test_a_name_of_several_occupations_is_a_choice(
    real_matcher: OccupationMatcher, text: str, first: str, also: str
) -> None:
    mentions = real_matcher.find_mentions(text)
    assert len(mentions) == 1
    assert mentions[0].slug is None
    assert mentions[0].candidates[0] == first
    assert also in mentions[0].candidates
