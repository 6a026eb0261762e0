"""The pure decisions of the offer search: reading a message, planning the next search, cards."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from actions.offer_logic import (
    DEFAULT_RADIUS_KM,
    PAGE_SIZE,
    AskPlace,
    ChooseProfession,
    DomainTexts,
    MessageFacts,
    NothingToContinue,
    RunSearch,
    SearchState,
    alternative_buttons,
    alternatives,
    card_utterance,
    closer_radius,
    describe_filters,
    details_utterance,
    facts_from_message,
    footer_buttons,
    footer_utterance,
    format_date,
    interpolate,
    place_in_text,
    plan_more,
    plan_new_search,
    plan_refinement,
    read_text,
    resolve_place,
    resume_with_place,
    wider_radius,
)
from actions.offers_api import OfferCard, Place, parse_card, parse_detail, parse_place
from nlu.readers.offer_text import find_kind, is_anywhere, next_occurrence
from tests.actions.exchange_fakes import PLACES, TODAY, FakeOffer, entity, load_domain

DOMAIN = load_domain()
PLACE_LIST: tuple[Place, ...] = tuple(parse_place(place) for place in PLACES)


def texts(language: str = "de") -> DomainTexts:
    return DomainTexts(DOMAIN, "en" if language == "en" else "de")


def card(distance_km: float | None) -> OfferCard:
    return OfferCard(
        id=1,
        kind="internship",
        title="Praktikum",
        profession="tischler",
        profession_name="Tischler/-in",
        profession_name_en="Joiner",
        company_name="Demo GmbH",
        place="Dissen",
        start_date=None,
        distance_km=distance_km,
        related=False,
        contactable=True,
        is_demo=True,
    )


# --- reading a message ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Ausbildung als Koch in Bramsche", "apprenticeship"),
        ("gibt es Praktikum bei der Polizei in den Sommerferien", "internship"),
        ("nur Praktika bitte", "internship"),
        ("praktikumswoche in den ferien", "praktikumswoche"),
        ("gibt es einen schnuppertag", "praktikumswoche"),
        ("duales studium bwl", "dual_study"),
        ("any apprenticeships near me", "apprenticeship"),
        ("internships only", "internship"),
        ("schülerpraktikum im kindergarten", "internship"),  # the kind at the end of a compound
        ("ferienpraktikum in melle", "internship"),
        ("pflegeausbildung in quakenbrück", "apprenticeship"),
        ("praktisch wäre was in melle", None),
        ("heilpraktiker in der nähe", None),  # an occupation, no internship
        ("ausbildung oder praktikum", None),  # two kinds: no filter
        ("was gibt es in meiner Nähe", None),
    ],
)
def test_the_kind_of_offer_comes_from_the_words(text: str, kind: str | None) -> None:
    assert read_text(text, TODAY).kind == kind


def test_a_praktikumswoche_is_not_also_an_internship() -> None:
    assert find_kind("praktikumswoche im sommer") == "praktikumswoche"


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("ab August", date(2026, 8, 1)),
        ("ab august 2027", date(2027, 8, 1)),
        ("im Februar", date(2027, 2, 1)),  # February is over on 2 March 2026
        ("ab März", date(2026, 3, 1)),  # this month still counts
        ("august?", date(2026, 8, 1)),  # a very short message is about the month
        ("from september", date(2026, 9, 1)),
        ("in den Sommerferien", date(2026, 7, 1)),
        ("erst nächstes Jahr", date(2027, 1, 1)),
        ("may i ask something about jobs", None),  # "may" without "from"/"in" is no month
        ("Ausbildung als Koch in Bramsche", None),
    ],
)
def test_the_start_comes_from_months_and_holidays(text: str, start: date | None) -> None:
    assert read_text(text, TODAY).start_from == start


def test_next_occurrence_rolls_over_to_next_year() -> None:
    assert next_occurrence(8, date(2026, 9, 15)) == date(2027, 8, 1)
    assert next_occurrence(8, date(2026, 8, 20)) == date(2026, 8, 1)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("näher dran", MessageFacts(closer=True)),
        ("nicht so weit weg bitte", MessageFacts(closer=True)),
        ("auch weiter weg", MessageFacts(wider=True)),
        ("im umkreis von 15 km", MessageFacts(radius_km=15)),
        ("auch ähnliche Berufe", MessageFacts(related=True)),
        ("ohne ähnliche berufe", MessageFacts(related=False)),
        ("was gibt es in meiner Nähe", MessageFacts(near_me=True)),
        ("anything near me", MessageFacts(near_me=True)),
        ("egal wo, ganze Region", MessageFacts(anywhere=True)),
        ("egal welcher Beruf", MessageFacts(any_profession=True)),
        ("egal wann", MessageFacts(any_start=True)),
        ("alle arten", MessageFacts(any_kind=True)),
    ],
)
def test_refinements_in_words(text: str, facts: MessageFacts) -> None:
    assert read_text(text, TODAY) == facts


def test_button_payloads_carry_their_refinement_as_an_entity() -> None:
    facts = facts_from_message(
        '/refine_offers{"offer_refinement":"wider"}', [entity("offer_refinement", "wider")], PLACE_LIST, TODAY
    )
    assert facts == MessageFacts(wider=True)


def test_a_button_carries_the_place_as_an_entity() -> None:
    # "Angebote" under a list of occupations asked for near a place (action_explore_professions)
    payload = '/search_offers{"profession": "koch", "place": "Melle"}'
    entities = [entity("profession", "koch"), entity("place", "Melle")]
    assert facts_from_message(payload, entities, PLACE_LIST, TODAY) == MessageFacts(
        profession="koch", place="Melle"
    )
    # a place the region does not have is no place
    unknown = [entity("profession", "koch"), entity("place", "Atlantis")]
    assert facts_from_message(payload, unknown, PLACE_LIST, TODAY) == MessageFacts(profession="koch")


def test_occupation_place_and_kind_from_one_message() -> None:
    facts = facts_from_message(
        "Ausbildung als Koch in Bramshe", [entity("profession", "koch")], PLACE_LIST, TODAY
    )
    assert facts == MessageFacts(profession="koch", place="Bramsche", kind="apprenticeship")


def test_the_place_entity_of_the_nlu_names_the_place() -> None:
    # the entity's value is the name in lower case; the text alone ("dort") names no place
    facts = facts_from_message("und dort?", [entity("place", "georgsmarienhütte")], PLACE_LIST, TODAY)
    assert facts.place == "Georgsmarienhütte"
    two = [entity("place", "melle"), entity("place", "bramsche")]
    assert facts_from_message("melle oder bramsche", two, PLACE_LIST, TODAY).place is None
    unknown = [entity("place", "hamburg")]
    assert facts_from_message("in Bramsche", unknown, PLACE_LIST, TODAY).place == "Bramsche"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("praktikum in 49324", "Melle"),
        ("und in gmhütte?", "Georgsmarienhütte"),  # the everyday short form
        ("ausbildung in georgsmarienhütte", "Georgsmarienhütte"),
        ("in osnabrück oder melle", None),  # two places: the pupil has to say which
        ("nur praktikum", None),
    ],
)
def test_places_in_a_message(text: str, place: str | None) -> None:
    assert place_in_text(text, PLACE_LIST) == place


@pytest.mark.parametrize(
    ("answer", "place"),
    [
        ("Bramsche", "Bramsche"),
        ("bramshe", "Bramsche"),
        ("49565", "Bramsche"),
        ("ich wohne in melle", "Melle"),
    ],
)
def test_the_answer_to_where_do_you_live(answer: str, place: str) -> None:
    assert resolve_place(answer, PLACE_LIST) == place


def test_unknown_places_and_anywhere() -> None:
    assert resolve_place("Hamburg", PLACE_LIST) is None
    assert resolve_place("/refine_offers", PLACE_LIST) is None
    assert is_anywhere("egal") and is_anywhere("überall") and not is_anywhere("Melle")


# --- the state in the slot ------------------------------------------------------------------------


def test_the_state_survives_the_slot() -> None:
    state = SearchState(
        profession="koch",
        kind="internship",
        place="Bramsche",
        radius_km=10,
        start_from=date(2026, 8, 1),
        include_related=True,
        offset=3,
        shown=(4, 5),
        viewed=4,
    )
    assert SearchState.from_slot(state.to_slot()) == state


@pytest.mark.parametrize(
    "value",
    [None, "koch", 3, {"profession": "../admin", "kind": "job", "radius_km": 9999, "start_from": "soon"}],
)
def test_a_broken_slot_is_no_state_or_a_safe_one(value: object) -> None:
    state = SearchState.from_slot(value)
    if state is not None:
        assert state.profession is None and state.kind is None and state.start_from is None
        assert state.radius_km == 100


def test_the_query_sends_the_radius_only_with_a_place() -> None:
    assert SearchState(radius_km=10).query().params() == {"limit": PAGE_SIZE, "offset": 0}
    params = (
        SearchState(profession="koch", place="Melle", radius_km=10, include_related=True).query().params()
    )
    assert params == {
        "profession": "koch",
        "near": "Melle",
        "radius_km": 10.0,
        "include_related": "true",
        "limit": PAGE_SIZE,
        "offset": 0,
    }


# --- planning -------------------------------------------------------------------------------------


def test_a_new_search_with_occupation_and_place() -> None:
    facts = MessageFacts(profession="koch", place="Bramsche", kind="apprenticeship")
    assert plan_new_search(None, facts, None, None) == RunSearch(
        SearchState(profession="koch", place="Bramsche", kind="apprenticeship")
    )


def test_a_new_search_keeps_the_place_and_takes_the_occupation_talked_about() -> None:
    previous = SearchState(profession="baecker", kind="internship", place="Melle", radius_km=10, offset=6)
    step = plan_new_search(previous, MessageFacts(start_from=date(2026, 8, 1)), "koch", None)
    assert step == RunSearch(
        SearchState(profession="koch", place="Melle", radius_km=10, start_from=date(2026, 8, 1))
    )


def test_near_me_uses_the_municipality_the_check_knows() -> None:
    step = plan_new_search(None, MessageFacts(near_me=True), None, "Melle")
    assert step == RunSearch(SearchState(place="Melle"))


def test_near_me_without_a_known_place_asks_for_it() -> None:
    step = plan_new_search(None, MessageFacts(near_me=True, kind="internship"), None, None)
    assert step == AskPlace(SearchState(kind="internship"))


def test_a_word_for_several_occupations_asks_which_one_and_keeps_the_rest() -> None:
    step = plan_new_search(None, MessageFacts(profession_query="Mechaniker", place="Melle"), "koch", None)
    assert step == ChooseProfession("Mechaniker", SearchState(place="Melle"))


def test_follow_ups_change_the_last_search_step_by_step() -> None:
    state = SearchState(profession="koch", kind="apprenticeship", place="Bramsche", offset=3, shown=(1, 2))
    only_internships = plan_refinement(state, MessageFacts(kind="internship"), None, None)
    assert only_internships == RunSearch(SearchState(profession="koch", kind="internship", place="Bramsche"))
    assert isinstance(only_internships, RunSearch)
    closer = plan_refinement(only_internships.state, MessageFacts(closer=True), None, None)
    assert closer == RunSearch(
        SearchState(profession="koch", kind="internship", place="Bramsche", radius_km=10)
    )
    assert isinstance(closer, RunSearch)
    from_august = plan_refinement(closer.state, MessageFacts(start_from=date(2026, 8, 1)), None, None)
    assert isinstance(from_august, RunSearch)
    assert from_august.state.start_from == date(2026, 8, 1)
    related = plan_refinement(from_august.state, MessageFacts(related=True), None, None)
    assert isinstance(related, RunSearch)
    assert related.state == SearchState(
        profession="koch",
        kind="internship",
        place="Bramsche",
        radius_km=10,
        start_from=date(2026, 8, 1),
        include_related=True,
    )
    elsewhere = plan_refinement(related.state, MessageFacts(place="Melle", any_kind=True), None, None)
    assert isinstance(elsewhere, RunSearch)
    assert (elsewhere.state.place, elsewhere.state.kind, elsewhere.state.radius_km) == ("Melle", None, 10)


def test_closer_without_a_place_asks_where_the_pupil_lives() -> None:
    step = plan_refinement(SearchState(profession="koch"), MessageFacts(closer=True), None, None)
    assert step == AskPlace(SearchState(profession="koch", radius_km=10))


def test_a_follow_up_without_a_search_is_a_new_search() -> None:
    assert plan_refinement(None, MessageFacts(kind="internship"), "koch", None) == RunSearch(
        SearchState(profession="koch", kind="internship")
    )


def test_more_pages_on() -> None:
    assert plan_more(SearchState(profession="koch", viewed=3)) == RunSearch(
        SearchState(profession="koch", offset=PAGE_SIZE)
    )
    assert plan_more(None) == NothingToContinue()


def test_resume_with_the_place_or_the_whole_region() -> None:
    pending = SearchState(kind="internship")
    assert resume_with_place(pending, "Bramsche") == RunSearch(
        SearchState(kind="internship", place="Bramsche")
    )
    assert resume_with_place(pending, "") == RunSearch(SearchState(kind="internship"))


def test_radius_steps() -> None:
    assert closer_radius(DEFAULT_RADIUS_KM) == 10 and closer_radius(5) == 5 and closer_radius(15) == 10
    assert wider_radius(DEFAULT_RADIUS_KM) == 50 and wider_radius(100) == 100


def test_alternatives_when_nothing_fits() -> None:
    state = SearchState(profession="koch", kind="internship", place="Melle", start_from=date(2026, 8, 1))
    found = alternatives(state)
    assert [option.refinement for option in found] == [
        "wider",
        "related",
        "any_kind",
        "any_start",
        "anywhere",
        "any_profession",
    ]
    assert found[0].state == SearchState(
        profession="koch", kind="internship", place="Melle", start_from=date(2026, 8, 1), radius_km=50
    )
    buttons = alternative_buttons(list(zip(found, [0, 2, 5, 0, 9, 40], strict=True)), texts())
    assert buttons == (
        {"title": "Mit ähnlichen Berufen (2)", "payload": '/refine_offers{"offer_refinement":"related"}'},
        {"title": "Alle Angebotsarten (5)", "payload": '/refine_offers{"offer_refinement":"any_kind"}'},
        {"title": "Ganze Region (9)", "payload": '/refine_offers{"offer_refinement":"anywhere"}'},
    )


# --- texts ----------------------------------------------------------------------------------------


def test_domain_texts_follow_the_language_and_fill_in_like_rasa() -> None:
    assert texts("de")("utter_offer_alt_wider", radius=50, count=3) == "Bis 50 km (3)"
    assert texts("en")("utter_offer_alt_wider", radius=50, count=3) == "Up to 50 km (3)"
    assert interpolate('/x{{"id":"{offer_id}"}}', {"offer_id": 7}) == '/x{"id":"7"}'
    with pytest.raises(KeyError):
        texts()("utter_offer_does_not_exist")


def test_a_card_marks_demo_offers_and_related_occupations() -> None:
    offer = FakeOffer(9, "internship", "baecker", "Praktikum Backstube", "Muster-Bäckerei", "melle", None)
    card = parse_card(offer.summary(distance=4.26, related=True))
    utterance = card_utterance(card, texts())
    assert utterance.response == "utter_offer_card"
    assert utterance.variables == {
        "offer_id": 9,
        "title": "Praktikum Backstube",
        "company": "Muster-Bäckerei",
        "place": "Melle",
        "distance": " · 4,3 km",
        "kind": "Praktikum",
        "start": "nach Absprache",
        "notice": "\n↪ ähnlicher Beruf: Bäcker/in\n🧪 Demo-Angebot: ausgedacht, kein echter Betrieb",
    }
    english = card_utterance(parse_card(offer.summary(distance=12.0, related=False)), texts("en"))
    assert english.variables["distance"] == " · 12 km"
    assert english.variables["notice"] == "\n🧪 Demo offer: made up, not a real company"


def test_a_real_offer_that_cannot_be_contacted_has_no_contact_button() -> None:
    offer = FakeOffer(
        3,
        "apprenticeship",
        "koch",
        "Koch",
        "Gasthaus",
        "bramsche",
        date(2026, 8, 1),
        contactable=False,
        is_demo=False,
    )
    utterance = card_utterance(parse_card(offer.summary(None, False)), texts("en"))
    assert utterance.response == "utter_offer_card_apply_only"
    assert utterance.variables["notice"] == "" and utterance.variables["distance"] == ""
    assert utterance.variables["start"] == "1 Aug 2026"


def test_dates_are_words_in_the_conversations_language() -> None:
    assert format_date(date(2027, 8, 1), texts()) == "1. Aug. 2027"
    assert format_date(date(2027, 8, 1), texts("en")) == "1 Aug 2027"
    assert format_date(date(2026, 3, 14), texts()) == "14. März 2026"
    assert format_date(date(2026, 12, 24), texts("en")) == "24 Dec 2026"


def test_english_cards_and_details_name_the_job_in_english() -> None:
    offer = FakeOffer(
        1, "apprenticeship", "koch", "Ausbildung Koch/Köchin", "Gasthaus", "bramsche", date(2027, 8, 1)
    )
    card = parse_card(offer.summary(distance=None, related=False))
    english = card_utterance(card, texts("en"))
    assert (english.variables["title"], english.variables["start"]) == ("Cook", "1 Aug 2027")
    german = card_utterance(card, texts())
    assert (german.variables["title"], german.variables["start"]) == (
        "Ausbildung Koch/Köchin",
        "1. Aug. 2027",
    )
    details = details_utterance(parse_detail(offer.public()), texts("en"))
    assert details.variables["title"] == "Cook"
    assert details.variables["original"] == "\n🇩🇪 Ausbildung Koch/Köchin"  # the company's own title
    assert details_utterance(parse_detail(offer.public()), texts()).variables["original"] == ""


def test_filters_in_words() -> None:
    state = SearchState(
        profession="koch", kind="apprenticeship", start_from=date(2026, 8, 1), include_related=True
    )
    assert describe_filters(state, "Koch/Köchin", texts()) == (
        "Koch/Köchin und ähnliche Berufe, Ausbildung, ab 1. Aug. 2026"
    )
    assert describe_filters(SearchState(), None, texts("en")) == "all jobs"


def test_footer_buttons_offer_what_makes_sense() -> None:
    state = SearchState(profession="koch", place="Bramsche")
    assert footer_buttons(state, total=7, texts=texts()) == (
        {"title": "Mehr zeigen", "payload": "/more_offers"},
        {"title": "Näher dran (bis 10 km)", "payload": '/refine_offers{"offer_refinement":"closer"}'},
        {"title": "Auch ähnliche Berufe", "payload": '/refine_offers{"offer_refinement":"related"}'},
    )
    # all found on this page: further away instead of more; the smallest radius has nothing closer
    wider = {"title": "Weiter weg (bis 10 km)", "payload": '/refine_offers{"offer_refinement":"wider"}'}
    assert footer_buttons(SearchState(radius_km=5, place="Melle"), total=2, texts=texts()) == (wider,)
    assert footer_buttons(SearchState(radius_km=100, place="Melle"), total=2, texts=texts())[-1]["title"] == (
        "Näher dran (bis 50 km)"
    )  # no step beyond the largest radius
    assert footer_buttons(SearchState(), total=2, texts=texts()) == ()  # the whole region: neither


def test_closer_is_offered_only_when_it_finds_something() -> None:
    """ "Praktikum als Tischler in Dissen": two offers, the nearest 19 km away; "näher dran (bis 10
    km)" would find none. The cards of the first page come nearest first."""
    state = SearchState(profession="tischler", place="Dissen", kind="internship")
    far = [card(distance_km=19.2), card(distance_km=23.0)]
    titles = [b["title"] for b in footer_utterance(state, 2, texts(), far).buttons]
    assert titles == ["Weiter weg (bis 50 km)", "Auch ähnliche Berufe"]
    near = [card(distance_km=3.5), card(distance_km=23.0)]
    titles = [b["title"] for b in footer_utterance(state, 2, texts(), near).buttons]
    assert titles == ["Näher dran (bis 10 km)", "Weiter weg (bis 50 km)", "Auch ähnliche Berufe"]
    # a later page is not the nearest: closer stays
    later = replace(state, offset=3)
    assert "Näher dran (bis 10 km)" in [b["title"] for b in footer_utterance(later, 9, texts(), far).buttons]


def test_offers_from_the_check_result_take_the_checks_place_radius_and_kind() -> None:
    from actions.offer_logic import CheckProfile, asks_for_check_profile, with_check_profile

    button = [
        {"entity": "profession", "value": "tischler"},
        {"entity": "offer_refinement", "value": "check_profile"},
    ]
    assert asks_for_check_profile(button)
    assert not asks_for_check_profile([{"entity": "profession", "value": "tischler"}])
    profile = CheckProfile(place="Melle", radius_km=10, kind="internship")
    facts = with_check_profile(MessageFacts(profession="tischler"), profile)
    assert (facts.place, facts.radius_km, facts.kind) == ("Melle", 10, "internship")
    step = plan_new_search(None, facts, None, None)
    assert isinstance(step, RunSearch)
    assert (step.state.place, step.state.radius_km, step.state.kind) == ("Melle", 10, "internship")
    # What the message itself says wins.
    typed = with_check_profile(MessageFacts(place="Bramsche", kind="apprenticeship"), profile)
    assert (typed.place, typed.radius_km, typed.kind) == ("Bramsche", 10, "apprenticeship")


@pytest.mark.parametrize("response", ["utter_offer_card", "utter_offer_card_apply_only"])
def test_an_offer_card_has_one_button_and_its_own_line_for_place_and_distance(response: str) -> None:
    for variation in DOMAIN["responses"][response]:
        assert [button["payload"] for button in variation["buttons"]] == [
            '/offer_details{{"offer_id":"{offer_id}"}}'
        ]
        assert "\n📍 {place}{distance}\n" in variation["text"]


def test_the_details_make_contacting_the_company_the_main_button() -> None:
    for variation in DOMAIN["responses"]["utter_offer_details"]:
        [button] = variation["buttons"]
        assert button["style"] == "primary" and button["payload"].startswith("/request_contact")


def test_domain_texts_leave_the_easy_german_variation_to_rasa() -> None:
    # utter_offer_results_region has an easy-German variation (slot easy_language); the pieces an
    # action renders itself are plain German or English.
    assert texts()("utter_offer_results_region", total=2, filters="x").startswith("Gefunden: 2")
    assert texts("en")("utter_offer_results_region", total=2, filters="x").startswith("Found: 2")


def test_a_button_beside_a_fields_list_names_the_kind_and_the_whole_region() -> None:
    """/search_offers{"profession": ..., "offer_refinement": "anywhere", "offer_kind": "internship"}:
    internships in the whole region, whatever place an earlier search had."""
    buttons = [
        entity("profession", "koch"),
        entity("offer_refinement", "anywhere"),
        entity("offer_kind", "internship"),
    ]
    facts = facts_from_message("", buttons, PLACE_LIST, TODAY)
    assert (facts.profession, facts.kind, facts.anywhere) == ("koch", "internship", True)
    step = plan_new_search(SearchState(profession="tischler", place="Melle"), facts, None, None)
    assert isinstance(step, RunSearch)
    assert (step.state.profession, step.state.kind, step.state.place) == ("koch", "internship", None)
    assert facts_from_message("", [entity("offer_kind", "holidays")], PLACE_LIST, TODAY).kind is None
