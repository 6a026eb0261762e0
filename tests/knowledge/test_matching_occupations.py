"""OccupationMatcher on a small, fixed set of occupations: ranking, mentions, persistence."""

from __future__ import annotations

import json

import pytest

from knowledge.matching import Match, Mention, OccupationMatcher
from tests.knowledge.support import make_profession

PROFESSIONS = [
    make_profession(
        "erzieher",
        "Erzieher",
        "Erzieherin",
        short="Erzieher/-in",
        en="Educator",
        synonyms=["Kindergärtnerin"],
    ),
    make_profession(
        "tischler", "Tischler", "Tischlerin", short="Tischler/-in", en="Joiner", synonyms=["Schreiner"]
    ),
    make_profession("zimmerer", "Zimmerer", "Zimmerin", short="Zimmerer/Zimmerin", en="Carpenter"),
    make_profession("koch", "Koch", "Köchin", short="Koch/Köchin", en="Cook"),
    make_profession(
        "kraftfahrzeugmechatroniker",
        "Kraftfahrzeugmechatroniker",
        "Kraftfahrzeugmechatronikerin",
        short="Kfz-Mechatroniker/-in",
        en="Automotive mechatronics technician",
    ),
    make_profession(
        "industriemechaniker", "Industriemechaniker", "Industriemechanikerin", en="Industrial mechanic"
    ),
    make_profession("werkzeugmechaniker", "Werkzeugmechaniker", "Werkzeugmechanikerin", en="Toolmaker"),
    make_profession(
        "fachinformatiker",
        "Fachinformatiker",
        "Fachinformatikerin",
        short="Fachinformatiker/-in",
        en="IT specialist",
        synonyms=["Fachinformatiker für Anwendungsentwicklung"],
    ),
    make_profession(
        "kaufmann-im-einzelhandel",
        "Kaufmann im Einzelhandel",
        "Kauffrau im Einzelhandel",
        short="Kaufmann/-frau im Einzelhandel",
        en="Retail salesperson",
    ),
    make_profession(
        "bankkaufmann", "Bankkaufmann", "Bankkauffrau", short="Bankkaufmann/-frau", en="Bank clerk"
    ),
    make_profession(
        "kanalbauer-fuer-infrastrukturtechnik",
        "Kanalbauer für Infrastrukturtechnik",
        "Kanalbauerin für Infrastrukturtechnik",
        en="Sewer builder",
    ),
    make_profession(
        "elektroniker-fuer-betriebstechnik",
        "Elektroniker für Betriebstechnik",
        "Elektronikerin für Betriebstechnik",
        en="Industrial electrician",
    ),
    make_profession(
        "elektroniker-fuer-geraete-und-systeme",
        "Elektroniker für Geräte und Systeme",
        "Elektronikerin für Geräte und Systeme",
        en="Electronics technician for devices and systems",
    ),
    make_profession("maler-und-lackierer", "Maler und Lackierer", "Malerin und Lackiererin", en="Painter"),
]


@pytest.fixture(scope="module")
def matcher() -> OccupationMatcher:
    return OccupationMatcher.from_professions(PROFESSIONS)


def best(matcher: OccupationMatcher, query: str) -> Match:
    matches = matcher.search(query)
    assert matches, query
    return matches[0]


@pytest.mark.parametrize(
    "query",
    [
        "Erzieher",
        "erzieherin",
        "Erzieher*in",
        "Erzieher:in",
        "ErzieherIn",
        "Erzieher_in",
        "Erzieher/-in",
        "ERZIEHERINNEN",
        "Erziehers",
        "kindergaertnerin",
    ],
)
def test_every_way_of_writing_a_name_is_an_exact_match(matcher: OccupationMatcher, query: str) -> None:
    match = best(matcher, query)
    assert (match.slug, match.kind, match.score) == ("erzieher", "exact", 1.0)


def test_an_irregular_feminine_form_is_found_without_matching_an_ordinary_word(
    matcher: OccupationMatcher,
) -> None:
    assert best(matcher, "Zimmerin").slug == "zimmerer"
    assert matcher.find_mentions("ich räume mein Zimmer auf") == []


def test_abbreviations_work_both_ways(matcher: OccupationMatcher) -> None:
    for query in (
        "Kfz-Mechatroniker",
        "kfz mechatronikerin",
        "KFZMechatroniker",
        "Kraftfahrzeug-Mechatroniker",
    ):
        assert (best(matcher, query).slug, best(matcher, query).kind) == (
            "kraftfahrzeugmechatroniker",
            "exact",
        )


def test_the_old_head_mechaniker_finds_the_renamed_occupation(matcher: OccupationMatcher) -> None:
    match = best(matcher, "Kfz-Mechaniker")
    assert (match.slug, match.kind) == ("kraftfahrzeugmechatroniker", "exact")
    assert match.score < 1.0  # a derived variant, not a name from the profile


def test_a_qualifier_may_be_left_out_when_the_rest_is_unique(matcher: OccupationMatcher) -> None:
    assert best(matcher, "Kanalbauer").slug == "kanalbauer-fuer-infrastrukturtechnik"
    # "Elektroniker" alone fits two occupations here: no variant, both are offered
    assert {m.slug for m in matcher.search("Elektroniker")} >= {
        "elektroniker-fuer-betriebstechnik",
        "elektroniker-fuer-geraete-und-systeme",
    }


def test_tiers_exact_then_prefix_and_compound_then_shared_words_then_typos(
    matcher: OccupationMatcher,
) -> None:
    prefix = best(matcher, "fachinfo")
    assert (prefix.slug, prefix.kind) == ("fachinformatiker", "prefix") and 0.72 <= prefix.score <= 0.9
    compound = best(matcher, "Bankkaufmannausbildung")
    assert (compound.slug, compound.kind) == ("bankkaufmann", "compound")
    words = best(matcher, "Einzelhandel Kauffrau")
    assert (words.slug, words.kind) == ("kaufmann-im-einzelhandel", "tokens") and 0.6 <= words.score <= 0.75
    typo = best(matcher, "Tishler")
    assert (typo.slug, typo.kind) == ("tischler", "fuzzy") and typo.score < 0.6
    assert prefix.score > words.score > typo.score


def test_loose_exact_match_ignores_connecting_words(matcher: OccupationMatcher) -> None:
    match = best(matcher, "Kaufmann Einzelhandel")
    assert (match.slug, match.kind) == ("kaufmann-im-einzelhandel", "exact") and match.score < 1.0


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Tishler", True),  # 7 letters, 1 edit
        ("Tsichler", True),  # swapped letters count as one edit
        ("Tischlar", True),  # 8 letters, 1 edit
        ("Fachinformatker", True),  # 1 edit
        ("Fachinfomatker", True),  # 16 letters, 2 edits
        ("Fchinfomatker", False),  # 3 edits
        ("Kosh", True),  # 4 letters, 1 edit
        ("Kch", False),  # below 4 letters no typo is assumed
    ],
)
def test_typo_budget_depends_on_length(matcher: OccupationMatcher, query: str, found: bool) -> None:
    fuzzy = [m for m in matcher.search(query) if m.kind == "fuzzy"]
    assert bool(fuzzy) is found, matcher.search(query)


def test_results_are_deterministic_with_ties_broken_by_slug(matcher: OccupationMatcher) -> None:
    results = matcher.search("mechaniker", limit=20)
    assert results == matcher.search("mechaniker", limit=20)
    assert results == sorted(results, key=lambda m: (-m.score, m.slug))
    ties = [m.slug for m in matcher.search("für", limit=20) + matcher.search("technik", limit=20)]
    assert ties == [m.slug for m in matcher.search("für", limit=20) + matcher.search("technik", limit=20)]
    assert len(matcher.search("mechaniker", limit=1)) == 1 and matcher.search("", limit=5) == []


def test_find_mentions_gives_offsets_into_the_original_text(matcher: OccupationMatcher) -> None:
    text = "was macht eigentlich ein kfz-mechatroniker??"
    (mention,) = matcher.find_mentions(text)
    assert mention == Mention(
        25,
        42,
        "kfz-mechatroniker",
        "kraftfahrzeugmechatroniker",
        ("kraftfahrzeugmechatroniker",),
        "exact",
        1.0,
    )
    assert text[mention.start : mention.end] == mention.text


def test_find_mentions_prefers_the_longest_match(matcher: OccupationMatcher) -> None:
    text = "wie viel verdient man als Fachinformatiker für Anwendungsentwicklung?"
    (mention,) = matcher.find_mentions(text)
    assert mention.text == "Fachinformatiker für Anwendungsentwicklung" and mention.slug == "fachinformatiker"
    (painter,) = matcher.find_mentions("Maler und Lackierer")
    assert painter.slug == "maler-und-lackierer"


def test_find_mentions_handles_gender_forms_typos_and_several_mentions(matcher: OccupationMatcher) -> None:
    mentions = matcher.find_mentions("Ich will Erzieher*in werden, oder Fachinformatkerin, oder Köchin!")
    assert [(m.text, m.slug, m.kind) for m in mentions] == [
        ("Erzieher*in", "erzieher", "exact"),
        ("Fachinformatkerin", "fachinformatiker", "fuzzy"),
        ("Köchin", "koch", "exact"),
    ]


def test_a_generic_head_gives_a_choice(matcher: OccupationMatcher) -> None:
    (mention,) = matcher.find_mentions("ich möchte Mechanikerin werden")
    assert mention.text == "Mechanikerin" and mention.slug is None and mention.kind == "generic"
    assert set(mention.candidates) == {"industriemechaniker", "werkzeugmechaniker"}
    (merchant,) = matcher.find_mentions("oder Kauffrau?")
    assert merchant.slug is None and set(merchant.candidates) == {"kaufmann-im-einzelhandel", "bankkaufmann"}
    assert merchant.candidates[0] == "kaufmann-im-einzelhandel"  # officially named "Kaufmann ..." first
    (electrician,) = matcher.find_mentions("Elektriker")
    assert electrician.slug is None and set(electrician.candidates) == {
        "elektroniker-fuer-betriebstechnik",
        "elektroniker-fuer-geraete-und-systeme",
    }


def test_a_generic_head_inside_a_full_name_is_no_choice(matcher: OccupationMatcher) -> None:
    (mention,) = matcher.find_mentions("Kaufmann im Einzelhandel")
    assert mention.slug == "kaufmann-im-einzelhandel"


def test_words_that_merely_resemble_names_are_no_mentions(matcher: OccupationMatcher) -> None:
    for text in (
        "ich koche gern",
        "noch nicht",
        "doch",
        "die Bank",
        "Tischlerei",
        "Bäckerei",
        "I want to cook",
    ):
        assert matcher.find_mentions(text) == [], text
    (cook,) = matcher.find_mentions("I want to become a cook")
    assert cook.slug == "koch"


def test_known_words_are_never_taken_for_typos() -> None:
    tischler = [make_profession("tischler", "Tischler", "Tischlerin")]
    text = "Tischlar"  # one letter from "Tischler"
    assert [m.slug for m in OccupationMatcher.from_professions(tischler).find_mentions(text)] == ["tischler"]
    careful = OccupationMatcher([("tischler", "name_masc", "Tischler")], known_words=["Tischlar"])
    assert careful.find_mentions(text) == []
    assert careful.search(text)[0].slug == "tischler"  # a search box still forgives the typo
    assert OccupationMatcher.from_dict(careful.to_dict()).find_mentions(text) == []


def test_search_lists_the_choice_for_a_generic_head(matcher: OccupationMatcher) -> None:
    results = matcher.search("Mechaniker")
    assert [m.kind for m in results[:2]] == ["generic", "generic"]
    assert {m.slug for m in results[:2]} == {"industriemechaniker", "werkzeugmechaniker"}


def test_round_trip_through_json_keeps_behaviour(matcher: OccupationMatcher) -> None:
    state = json.loads(json.dumps(matcher.to_dict()))
    restored = OccupationMatcher.from_dict(state)
    assert restored.to_dict() == matcher.to_dict()
    for query in ("Erzieherin", "kfz mechaniker", "Tishler", "Mechaniker", "Einzelhandel"):
        assert restored.search(query) == matcher.search(query)
    text = "Ich will Kfz-Mechatronikerin oder Mechaniker werden"
    assert restored.find_mentions(text) == matcher.find_mentions(text)
    with pytest.raises(ValueError, match="unsupported matcher format"):
        OccupationMatcher.from_dict({"format": 99, "terms": []})


# -- mentions in chat are stricter than search -----------------------------------------------


def test_a_multi_word_name_never_matches_on_a_generic_word_alone() -> None:
    matcher = OccupationMatcher.from_professions(
        [
            make_profession("finanzwirt", "Finanzwirt", synonyms=["Ausbildung Finanzamt"]),
            make_profession("polizist", "Polizeikommissar", synonyms=["Polizeiausbildung"]),
            make_profession("musikfachhaendler", "Musikfachhändler", en="music retailer"),
        ]
    )
    for text in ("wie lange dauert die ausbildung", "Ausbildung", "mein Finanzamt", "music"):
        assert matcher.find_mentions(text) == [], text
    assert matcher.search("ausbildung") == []
    assert matcher.search("wie lange dauert die ausbildung") == []
    # the whole phrase, also with connecting words, still names the occupation
    for text in ("Ausbildung Finanzamt", "eine Ausbildung im Finanzamt", "Ausbildung beim Finanzamt"):
        assert [m.slug for m in matcher.find_mentions(text)] == ["finanzwirt"], text
    # search stays generous with a distinctive word, but a whole word of a name is no prefix of it
    assert [(m.slug, m.kind) for m in matcher.search("Finanzamt")] == [("finanzwirt", "tokens")]
    assert [(m.slug, m.kind) for m in matcher.search("music")] == [("musikfachhaendler", "tokens")]
    assert [(m.slug, m.kind) for m in matcher.search("musi")] == [("musikfachhaendler", "prefix")]


def test_english_plurals_are_found_on_the_last_word(matcher: OccupationMatcher) -> None:
    (specialists,) = matcher.find_mentions("which companies hire IT specialists")
    assert (specialists.text, specialists.slug, specialists.kind) == (
        "IT specialists",
        "fachinformatiker",
        "exact",
    )
    (cooks,) = matcher.find_mentions("what do cooks earn")
    assert (cooks.text, cooks.slug) == ("cooks", "koch")
    assert matcher.find_mentions("Köche und Köchinnen")[0].slug == "koch"


def test_english_generic_words_give_the_same_choice_as_german_ones(matcher: OccupationMatcher) -> None:
    (german,) = matcher.find_mentions("Mechaniker")
    for text in ("what is a mechanic", "mechanics", "Mechanics?"):
        (mention,) = matcher.find_mentions(text)
        assert (mention.slug, mention.kind, mention.candidates) == (None, "generic", german.candidates), text
    (salesman,) = matcher.find_mentions("I want to be a salesman")
    assert salesman.slug is None and "kaufmann-im-einzelhandel" in salesman.candidates
    assert matcher.find_mentions("salesmen")[0].candidates == salesman.candidates


def test_a_name_joined_with_a_word_for_its_training_is_a_mention(matcher: OccupationMatcher) -> None:
    for text, slug in (
        ("ich mache eine Tischlerlehre", "tischler"),
        ("Bankkaufmannsausbildung", "bankkaufmann"),
        ("wie finde ich einen Erzieherausbildungsplatz", "erzieher"),
        ("Köchinjob", "koch"),
    ):
        (mention,) = matcher.find_mentions(text)
        assert (mention.slug, mention.kind) == (slug, "compound"), text
    # other compounds stay ordinary words; a generic word stays a choice, not one occupation
    for text in ("Tischlerei", "mein Traumjob", "Schülerpraktikum", "Mechanikerausbildung", "Kochbuch"):
        assert [m for m in matcher.find_mentions(text) if m.slug] == [], text


def test_a_typo_in_several_words_must_lie_inside_one_word() -> None:
    matcher = OccupationMatcher.from_professions(
        [
            make_profession("wasserbauer", "Wasserbauer"),
            make_profession("kaufmann-im-einzelhandel", "Kaufmann im Einzelhandel"),
        ]
    )
    assert matcher.find_mentions("ich will Wasserbaur werden")[0].slug == "wasserbauer"
    assert matcher.find_mentions("Kaufmann im Einzelhandl")[0].slug == "kaufmann-im-einzelhandel"
    assert matcher.find_mentions("Kaufman Einzelhandel")[0].slug == "kaufmann-im-einzelhandel"
    assert matcher.find_mentions("das wasser sauber halten") == []  # "wassersauber" is one letter off
    assert [m.slug for m in matcher.find_mentions("Kaufmann im Einzelhandelsverband")] == [None]


def test_a_typo_is_measured_against_names_not_against_listed_misspellings() -> None:
    butcher = [make_profession("fleischer", "Fleischer", synonyms=["Fleicher", "Metzger"])]
    matcher = OccupationMatcher.from_professions(butcher)
    assert matcher.find_mentions("Fleicher")[0].slug == "fleischer"  # the misspelling itself is known
    assert matcher.find_mentions("Fleischr")[0].slug == "fleischer"  # one letter from the name
    assert matcher.find_mentions("Fletcher") == []  # one letter from the misspelling, two from the name
    assert matcher.search("Fletcher")[0].slug == "fleischer"  # the search box is more forgiving


def test_english_only_words_need_english_around_them() -> None:
    matcher = OccupationMatcher.from_professions(
        [make_profession("koch", "Koch", "Köchin", en="Cook", synonyms=["chef"])]
    )
    for text in ("I want to become a chef", "subjects for chef", "what else is like chef", "the chefs"):
        assert [m.slug for m in matcher.find_mentions(text)] == ["koch"], text
    for text in ("mein Chef nervt", "Chef", "der Chef ist nett", "I want to be a. Chef", "ein Chefjob"):
        assert matcher.find_mentions(text) == [], text
    assert matcher.search("Chef")[0].slug == "koch"
