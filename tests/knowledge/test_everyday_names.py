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
        ("ich will Informatikerin werden", "fachinformatiker"),
        ("ITler", "fachinformatiker"),
        ("Webdesignerin", "mediengestalter-digital-und-print"),
        # the fire brigade's only recognised training; its profile says that a city's fire brigade
        # mostly takes people after another training
        ("ich will feuerwehrmann werden", "werkfeuerwehrmann"),
        ("Feuerwehrfrau", "werkfeuerwehrmann"),
        ("feuerwehrman", "werkfeuerwehrmann"),
        ("was macht ein müllmann", "umwelttechnologe-fuer-kreislauf-und-abfallwirtschaft"),
        ("Muellfrau", "umwelttechnologe-fuer-kreislauf-und-abfallwirtschaft"),
        ("garbage collector", "umwelttechnologe-fuer-kreislauf-und-abfallwirtschaft"),
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
        ("ich will Busfahrerin werden", "fachkraft-im-fahrbetrieb", "berufskraftfahrer"),
        (
            "als Kellner jobben",
            "fachmann-fuer-restaurants-und-veranstaltungsgastronomie",
            "fachkraft-fuer-gastronomie",
        ),
        (
            "Kellnerinnen",
            "fachmann-fuer-restaurants-und-veranstaltungsgastronomie",
            "fachkraft-fuer-gastronomie",
        ),
        ("Technische Zeichnerin", "technischer-produktdesigner", "technischer-systemplaner"),
        ("Lageristen", "fachlagerist", "fachkraft-fuer-lagerlogistik"),
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
    # a name with a clear first choice: the NLU answers about it and offers the others
    assert mentions[0].first_choice == first


@pytest.mark.parametrize(
    "text",
    ["Mechaniker", "Kauffrau", "Elektriker", "Zeichner", "Monteur", "mechanics", "Mediengestalter"],
)
def test_a_generic_head_has_no_first_choice(real_matcher: OccupationMatcher, text: str) -> None:
    mentions = real_matcher.find_mentions(text)
    assert len(mentions) == 1
    assert (mentions[0].slug, mentions[0].first_choice) == (None, None)
    assert len(mentions[0].candidates) >= 2


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("ich will OTA werden", "operationstechnischer-assistent"),
        ("was macht eine ota", "operationstechnischer-assistent"),
        ("OP-Assistentin", "operationstechnischer-assistent"),
        ("ausbildung zur ATA", "anaesthesietechnischer-assistent"),
        ("Anästhesietechnische Assistentin", "anaesthesietechnischer-assistent"),
        ("bta ausbildung", "biologisch-technischer-assistent"),
        ("biologisch-technische Assistentin", "biologisch-technischer-assistent"),
        ("wie lange dauert cta", "chemisch-technischer-assistent"),
        ("Chemisch technischer Assistent", "chemisch-technischer-assistent"),
        ("Fußpflegerin", "podologe"),
        ("was verdient ein Podologe", "podologe"),
        ("Podologin", "podologe"),
        ("ich will masseurin werden", "masseur-und-medizinischer-bademeister"),
        ("Masseur", "masseur-und-medizinischer-bademeister"),
        ("medizinische Bademeisterin", "masseur-und-medizinischer-bademeister"),
        ("massage therapist", "masseur-und-medizinischer-bademeister"),
        # the pool attendant stays the pool attendant
        ("Bademeister", "fachangestellter-fuer-baederbetriebe"),
        # the two-year training ended on 31.07.2021 (§§ 50, 51 MalerLackAusbV): Maler und Lackierer
        ("Bauten- und Objektbeschichter", "maler-und-lackierer"),
        ("Objektbeschichterin", "maler-und-lackierer"),
    ],
)
def test_trainings_pupils_ask_for(real_matcher: OccupationMatcher, text: str, slug: str) -> None:
    assert [mention.slug for mention in real_matcher.find_mentions(text)] == [slug]


@pytest.mark.parametrize(
    "text",
    ["we met at a cafe", "look at a map", "da ist o ta", "c ta", "ich war at a concert"],
)
def test_an_abbreviation_is_never_spelt_across_words(real_matcher: OccupationMatcher, text: str) -> None:
    assert real_matcher.find_mentions(text) == []


@pytest.mark.parametrize("text", ["irgendwas mit feuerwehr", "ich will zur feuerwehr", "mülltrennung"])
def test_a_field_is_no_occupation(real_matcher: OccupationMatcher, text: str) -> None:
    """ "Feuerwehr" and "Müll" alone are topics to explore, not the everyday names above."""
    assert real_matcher.find_mentions(text) == []


def test_an_abbreviation_is_found_as_one_word(real_matcher: OccupationMatcher) -> None:
    mentions = real_matcher.find_mentions("geht ata auch mit hauptschule?")
    assert [(mention.text, mention.slug) for mention in mentions] == [
        ("ata", "anaesthesietechnischer-assistent")
    ]
