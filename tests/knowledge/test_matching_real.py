"""The required behaviour of the matchers against the REAL profiles and places in knowledge/.

These tests depend on the profile content (names and synonyms written by the content authors); a
failure here can mean a missing or ambiguous synonym rather than a matcher bug.
"""

from __future__ import annotations

import time

import pytest

from knowledge.matching import (
    FILLER_WORDS,
    NON_DISTINCTIVE_WORDS,
    MunicipalityMatcher,
    OccupationMatcher,
    normalize,
)
from knowledge.schema import Profession

# Words and sentences from ordinary chat that must not be taken for an occupation.
EVERYDAY_WORDS = """
ich du er sie es wir ihr man was wer wie wo wann warum wieso weshalb welche welcher welches
hallo hi hey moin servus tschüss tschau ciao bye danke bitte gerne genau okay ok ja nein nö doch
vielleicht eigentlich halt echt voll mega krass cool geil nice lol haha egal keine ahnung
mache machen macht gemacht arbeit arbeiten arbeite job jobs beruf berufe ausbildung ausbildungen
lehre praktikum studium studieren schule schüler schülerin klasse lehrer lehrerin zeugnis noten
abschluss abitur realschule hauptschule gymnasium gesamtschule oberschule bewerbung bewerben
lebenslauf vorstellungsgespräch firma betrieb chef chefin kollegen team geld lohn gehalt verdienen
verdient verdiene euro monat jahr jahre woche tag stunden zeit lange kurz früh spät heute morgen
gestern bald später immer nie oft manchmal gut schlecht besser beste super toll schön schwer
leicht einfach schwierig interessant langweilig spaß spannend wichtig richtig falsch neu alt
groß klein viel wenig mehr weniger alles nichts etwas jemand niemand hier dort da drinnen draußen
haus wohnung zimmer küche garten auto autos fahrrad bus bahn zug straße stadt dorf land bank
kasse laden geschäft supermarkt internet handy computer laptop spiele zocken sport fußball
musik film serie freunde familie eltern mutter vater bruder schwester oma opa hund katze tiere
essen trinken kochen backen malen singen tanzen lesen schreiben rechnen helfen lernen spielen
mathe deutsch englisch bio chemie physik kunst informatik technik wirtschaft politik geschichte
erdkunde religion sport werken hauswirtschaft praktisch kreativ sozial handwerk technisch
menschen kinder kunden patienten maschinen holz metall farbe computern daten pflanzen blumen
mauer winter malen noch
what how why when where who yes no maybe thanks thank you please hello bye sorry okay sure
work job money school teacher student class exam help want need like love hate good bad
learn learning play game games music friends family house car bike bus train city village
phone computer internet bank shop store food drink water coffee today tomorrow year years
month week hours time long short easy hard interesting boring fun important english german
""".split()  # noqa: SIM905 - one word list reads better as text

EVERYDAY_SENTENCES = [
    "ich weiß noch nicht was ich machen will",
    "was kann ich mit meinem Abschluss machen?",
    "wie lange dauert das eigentlich",
    "wie viel Geld bekomme ich da?",
    "ich mag Mathe und Sport, aber kein Deutsch",
    "Mein Vater arbeitet bei der Bank und meine Mutter im Krankenhaus",
    "hallo! kannst du mir helfen?",
    "danke, das war hilfreich",
    "ich arbeite gern mit Menschen",
    "ich bin gerne draußen in der Natur",
    "ich repariere gern mein Fahrrad",
    "ich will später viel Geld verdienen",
    "ich will meine Noten verbessern",
    "die Gläser stehen im Schrank",
    "mein Praktikum war im Supermarkt",
    "was muss ich für die Bewerbung machen",
    "ich gehe in die 9. Klasse der Oberschule in Bramsche",
    "ich esse gern Pizza und spiele Fußball",
    "wir haben im Winter eine Mauer im Garten gebaut",
    "ich mag Tiere, besonders Hunde und Pferde",
    "ich koche gern und backe Kuchen am Wochenende",
    "kannst du das nochmal erklären?",
    "I don't know what I want to do after school",
    "how long does the training take?",
    "I like working with computers and games",
    "can you help me find a job?",
    "thank you, that was helpful",
    "I want to cook something for my family",
    "what do I need for an application?",
    "my father works at a bank",
]


# School subjects, everyday nouns and verbs that a name starts with or resembles, and the messages
# colleagues saw taken for occupations: never a mention in chat (the search box may still offer a
# name that starts with them).
LOOKALIKE_WORDS = """
physik chemie biologie latein französisch spanisch geografie musik kunst informatik technik
mechanik elektrik elektronik maschine maschinen essen lebensmittel finanzamt labor pflege pflegen
kochen backen bauen verkaufen reparieren programmieren schweißen tischlerei bäckerei metzgerei
küche büro lager werkstatt traumjob nebenjob ferienjob schülerpraktikum traumberuf handwerksberuf
schlechter schulter schreiber frischer schärfer drücker kaminfeuer kumpel logo gta
physics chemistry biology music art food cooking baking painting nursing selling driving farming
person people worker work real estate machine machines apprenticeship
""".split()  # noqa: SIM905 - one word list reads better as text

REPORTED_FALSE_HITS = [
    "wie lange dauert die ausbildung",
    "real person",
    "macht ne",
    "was macht ne maschine",
    "ich mag Physik und Musik",
    "I like music and food",
    "mein Chef nervt",
    "der Chef hat gesagt",
    "mein Kumpel macht eine Ausbildung",
    "logo mach ich",
    "ich zocke gern GTA",
    "ich lese gern Harry Potter",
    "wir wollen das Wasser sauber halten",
    "mein Zeugnis ist schlechter geworden",
    "ich will eine Ausbildung, keinen Traumjob",
]


def test_the_everyday_lists_are_long_enough() -> None:
    assert len(set(EVERYDAY_WORDS)) >= 200 and len(EVERYDAY_SENTENCES) >= 20


@pytest.mark.parametrize(
    "text", sorted(set(EVERYDAY_WORDS) | set(LOOKALIKE_WORDS)) + EVERYDAY_SENTENCES + REPORTED_FALSE_HITS
)
def test_ordinary_chat_is_no_occupation(real_matcher: OccupationMatcher, text: str) -> None:
    assert real_matcher.find_mentions(text) == []


def test_generic_training_words_never_find_an_occupation_in_search(real_matcher: OccupationMatcher) -> None:
    """A multi-word name never matches on its generic words alone ("Ausbildung beim Finanzamt")."""
    for word in sorted(NON_DISTINCTIVE_WORDS):
        assert {m.kind for m in real_matcher.search(word)} <= {"generic"}, word
    assert real_matcher.search("wie lange dauert die ausbildung") == []
    assert real_matcher.search("Ausbildung beim Finanzamt")[0].slug == "finanzwirt"


def test_no_generic_word_of_a_name_is_a_mention_of_it(
    real_matcher: OccupationMatcher, real_professions: list[Profession]
) -> None:
    found = []
    for profession in real_professions:
        for name in (profession.name_masc, profession.name_short, profession.name_en, *profession.synonyms):
            words = normalize(name).split(" ")
            for word in words if len(words) > 1 else ():
                if word in NON_DISTINCTIVE_WORDS | FILLER_WORDS:
                    slugs = {m.slug for m in real_matcher.find_mentions(word)}
                    slugs |= {m.slug for m in real_matcher.search(word) if m.kind != "generic"}
                    if profession.slug in slugs:
                        found.append((profession.slug, name, word))
    assert found == []


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("arzthelferin", "medizinischer-fachangestellter"),
        ("kfz mechaniker", "kraftfahrzeugmechatroniker"),
        ("Kfz-Mechatroniker", "kraftfahrzeugmechatroniker"),
        ("Fachinformatker", "fachinformatiker"),
        ("Tischlerin", "tischler"),
        ("Erzieher*in", "erzieher"),
        ("Erzieher/-in", "erzieher"),
        ("ErzieherIn", "erzieher"),
        ("Erzieher:in", "erzieher"),
        ("Medizinische/r Fachangestellte/r", "medizinischer-fachangestellter"),
        ("Kauffrau im Einzelhandel", "kaufmann-im-einzelhandel"),
        ("Bankkauffrau", "bankkaufmann"),
        ("Köchin", "koch"),
    ],
)
def test_search_puts_the_right_occupation_first(
    real_matcher: OccupationMatcher, query: str, slug: str
) -> None:
    assert real_matcher.search(query)[0].slug == slug


@pytest.mark.parametrize(
    ("text", "mention_text", "slug"),
    [
        ("was macht eigentlich ein kfz-mechatroniker??", "kfz-mechatroniker", "kraftfahrzeugmechatroniker"),
        ("ich will Erzieherin werden", "Erzieherin", "erzieher"),
        ("ich will Erzieher*in werden", "Erzieher*in", "erzieher"),
        ("meine Schwester ist Arzthelferin", "Arzthelferin", "medizinischer-fachangestellter"),
        ("kann ich als Fachinformatkerin arbeiten?", "Fachinformatkerin", "fachinformatiker"),
        ("Was verdient eine Tischlerin?", "Tischlerin", "tischler"),
        # "to" before an occupation only blocks words that are also English verbs ("to cook")
        ("any alternatives to fachinformatiker", "fachinformatiker", "fachinformatiker"),
        ("jobs similar to hairdresser", "hairdresser", "friseur"),
        ("what do paramedics earn", "paramedics", "notfallsanitaeter"),
        ("die Ausbildung des Tischlers", "Tischlers", "tischler"),
        # plurals
        ("wo arbeiten köche so", "köche", "koch"),
        ("was verdienen Bäcker", "Bäcker", "baecker"),
        ("what do bakers earn", "bakers", "baecker"),
        ("wie viele Physiotherapeuten gibt es", "Physiotherapeuten", "physiotherapeut"),
        ("which companies hire it specialists", "it specialists", "fachinformatiker"),
        (
            "where do pharmacy technicians work",
            "pharmacy technicians",
            "pharmazeutisch-technischer-assistent",
        ),
        (
            "what kind of companies employ medical assistants",
            "medical assistants",
            "medizinischer-fachangestellter",
        ),
        ("jobs similar to joiner", "joiner", "tischler"),
        # "chef" is a cook in English, the boss in German
        ("where can i work as a chef", "chef", "koch"),
        ("subjects for chef", "chef", "koch"),
        ("what does a potter do", "potter", "keramiker"),
        # a name joined with a word for its training
        ("ich suche eine Tischlerlehre", "Tischlerlehre", "tischler"),
        ("wie lang ist die Erzieherausbildung", "Erzieherausbildung", "erzieher"),
        ("wie lange dauert die ausbildung beim finanzamt", "ausbildung beim finanzamt", "finanzwirt"),
        # a hyphenated word is not cut by a longer window ("finanzwirt beim finanzamt")
        ("welcher abschluss für diplom-finanzwirt beim finanzamt", "diplom-finanzwirt", "diplom-finanzwirt"),
        ("infos zur Kfz-Mechatroniker-Ausbildung", "Kfz-Mechatroniker", "kraftfahrzeugmechatroniker"),
        ("Koch/Köchin", "Koch/Köchin", "koch"),
        ("what does a fur dresser do", "fur dresser", "pelzveredler"),
    ],
)
def test_find_mentions_in_messages(
    real_matcher: OccupationMatcher, text: str, mention_text: str, slug: str
) -> None:
    (mention,) = real_matcher.find_mentions(text)
    assert (mention.text, mention.slug) == (mention_text, slug)
    assert text[mention.start : mention.end] == mention.text


def test_an_english_generic_phrase_offers_the_same_choice_as_the_german_word(
    real_matcher: OccupationMatcher,
) -> None:
    (english,) = real_matcher.find_mentions("what do media designers earn")
    (german,) = real_matcher.find_mentions("was verdient ein mediengestalter")
    assert english.text == "media designers"
    assert english.slug is None and english.candidates == german.candidates
    assert len(english.candidates) >= 2


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        # "chef" in a comparison is the English word (after "better", "between", "or", "vs")
        ("what is better chef or baker", ["koch", "baecker"]),
        ("difference between chef and baker", ["koch", "baecker"]),
        ("baker vs chef", ["baecker", "koch"]),
    ],
)
def test_chef_in_an_english_comparison_is_a_cook(
    real_matcher: OccupationMatcher, text: str, slugs: list[str]
) -> None:
    assert [mention.slug for mention in real_matcher.find_mentions(text)] == slugs


@pytest.mark.parametrize("text", ["I want to cook", "mein chef nervt", "i like to paint"])
def test_verbs_and_bosses_are_no_occupation(real_matcher: OccupationMatcher, text: str) -> None:
    assert real_matcher.find_mentions(text) == []


def test_the_longest_name_in_a_message_wins(real_matcher: OccupationMatcher) -> None:
    text = "wie viel verdient man als fachinformatiker für anwendungsentwicklung"
    (mention,) = real_matcher.find_mentions(text)
    assert mention.slug == "fachinformatiker"
    assert mention.text.startswith("fachinformatiker") and mention.end > text.index("fachinformatiker") + 16


@pytest.mark.parametrize(
    "word",
    ["Mechaniker", "Kaufmann", "Kauffrau", "Elektriker", "Techniker", "Pfleger", "mechanic", "salesman"],
)
def test_generic_words_give_a_ranked_choice(
    real_matcher: OccupationMatcher, real_professions: list[Profession], word: str
) -> None:
    (mention,) = real_matcher.find_mentions(f"ich will {word} werden")
    assert mention.text == word and mention.slug is None and mention.kind == "generic"
    assert 2 <= len(mention.candidates) <= 8 and len(set(mention.candidates)) == len(mention.candidates)
    assert set(mention.candidates) <= {profession.slug for profession in real_professions}
    assert mention.candidates == real_matcher.find_mentions(word)[0].candidates  # ranked the same every time


def test_generic_choices_fit_the_word(real_matcher: OccupationMatcher) -> None:
    (mechanic,) = real_matcher.find_mentions("Mechaniker")
    assert "kraftfahrzeugmechatroniker" in mechanic.candidates  # called "Kfz-Mechaniker" by many
    (merchant,) = real_matcher.find_mentions("Kauffrau")
    assert "kaufmann-im-einzelhandel" in merchant.candidates
    (electrician,) = real_matcher.find_mentions("Elektriker")
    assert "elektroniker" in electrician.candidates
    (carer,) = real_matcher.find_mentions("was macht ein pfleger so")
    assert {"tierpfleger", "pflegefachmann", "heilerziehungspfleger"} <= set(carer.candidates)
    for english, german in (
        ("mechanic", "Mechaniker"),
        ("mechanics", "Mechaniker"),
        ("salesmen", "salesman"),
    ):
        (mention,) = real_matcher.find_mentions(english)
        assert mention.candidates == real_matcher.find_mentions(german)[0].candidates, english


def test_find_mentions_is_fast(real_matcher: OccupationMatcher) -> None:
    """Prints the time for a 15-word message (not asserted: machines differ)."""
    text = (
        "hallo ich bin fünfzehn und möchte später als Fachinformatikerin "
        "oder Kfz-Mechatroniker in Melle arbeiten, danke"
    )
    assert len(text.split()) == 15
    runs = 200
    started = time.process_time()
    for _ in range(runs):
        mentions = real_matcher.find_mentions(text)
    elapsed_ms = (time.process_time() - started) / runs * 1000
    print(f"find_mentions on 15 words with {len(real_matcher.slugs)} occupations: {elapsed_ms:.2f} ms")
    assert [m.slug for m in mentions] == ["fachinformatiker", "kraftfahrzeugmechatroniker"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("bramsche", "bramsche"),
        ("Bramshe", "bramsche"),
        ("49565", "bramsche"),
        ("Georgsmarienhuette", "georgsmarienhuette"),
        ("Georgsmarienhütte", "georgsmarienhuette"),
        ("GMHütte", "georgsmarienhuette"),
        ("Osnabrück", "osnabrueck"),
        ("osnabrueck", "osnabrueck"),
        ("49074", "osnabrueck"),
        ("Quakenbrük", "quakenbrueck"),
        ("Hagen a.T.W.", "hagen-am-teutoburger-wald"),
        ("Artland", "samtgemeinde-artland"),
        ("Fürstenau", "fuerstenau"),  # the town, not the Samtgemeinde of the same name
        ("Samtgemeinde Fürstenau", "samtgemeinde-fuerstenau"),
        ("49577", "samtgemeinde-bersenbrueck"),  # shared by three members of one Samtgemeinde
        ("ich wohne in Melle", "melle"),
    ],
)
def test_resolve_places(place_matcher: MunicipalityMatcher, text: str, slug: str) -> None:
    place = place_matcher.resolve(text)
    assert place is not None and place.slug == slug


@pytest.mark.parametrize("text", ["Berlin", "Hamburg", "12345", "xyz", "", "Schule", "ich weiß nicht"])
def test_unknown_places_resolve_to_none(place_matcher: MunicipalityMatcher, text: str) -> None:
    assert place_matcher.resolve(text) is None


def test_place_mentions_in_a_message(place_matcher: MunicipalityMatcher) -> None:
    text = "Ich wohne in Bramshe, gehe in Osnabrück zur Schule und mache ein Praktikum in GM-Hütte (49124)."
    mentions = place_matcher.find_mentions(text)
    assert [(m.text, m.slug, m.kind) for m in mentions] == [
        ("Bramshe", "bramsche", "fuzzy"),
        ("Osnabrück", "osnabrueck", "exact"),
        ("GM-Hütte", "georgsmarienhuette", "exact"),
        ("49124", "georgsmarienhuette", "exact"),
    ]
    assert all(text[m.start : m.end] == m.text for m in mentions)
    (hilter,) = place_matcher.find_mentions("Hilter am Teutoburger Wald")
    assert hilter.slug == "hilter-am-teutoburger-wald"
    assert place_matcher.find_mentions("der Landkreis Osnabrück") == []


@pytest.mark.parametrize("text", sorted(set(EVERYDAY_WORDS)) + EVERYDAY_SENTENCES[:18])
def test_ordinary_chat_is_no_place(place_matcher: MunicipalityMatcher, text: str) -> None:
    found = [m for m in place_matcher.find_mentions(text) if m.text.lower() != "bramsche"]
    assert found == []
