"""The decisions of action_answer_profession, without Rasa and without I/O."""

from __future__ import annotations

import json
from typing import Any

import pytest

from actions.api_client import ProfessionDetail, ProfessionSummary, parse_detail, parse_summary
from actions.profession_logic import (
    AmbiguousMention,
    Aspect,
    FromContext,
    KnownProfessions,
    NoProfession,
    UnknownMention,
    Utterance,
    abbreviation_like,
    also_reply,
    answer_utterances,
    aspect_for_intent,
    choice_buttons,
    choice_reply,
    close_matches,
    format_eur,
    format_years,
    occupation_like_words,
    question_intent,
    resolve_request,
    unknown_mention_reply,
    with_next_steps,
)


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}


@pytest.fixture
def koch(profiles: dict[str, dict[str, Any]]) -> ProfessionDetail:
    return parse_detail(profiles["koch"])


@pytest.fixture
def erzieher(profiles: dict[str, dict[str, Any]]) -> ProfessionDetail:
    return parse_detail(profiles["erzieher"])


@pytest.fixture
def mechaniker_hits(search_results: dict[str, dict[str, Any]]) -> list[ProfessionSummary]:
    return [parse_summary(item) for item in search_results["mechaniker"]["items"]]


# --- which occupation --------------------------------------------------------------------------------


def test_profession_entity_wins_over_query_words_and_slot() -> None:
    request = resolve_request(
        [entity("profession_query", "Mechaniker"), entity("profession", "koch")],
        "was verdient ein koch oder mechaniker astronaut",
        "tischler",
    )
    assert request == KnownProfessions(("koch",))


def test_several_professions_are_kept_in_order_without_duplicates_up_to_three() -> None:
    slugs = ["koch", "baecker", "koch", "florist", "tischler"]
    request = resolve_request([entity("profession", slug) for slug in slugs], "…", None)
    assert request == KnownProfessions(("koch", "baecker", "florist"))


def test_malformed_slug_from_an_edited_button_is_ignored() -> None:
    request = resolve_request([entity("profession", "../admin")], '/ask_pay{"profession":"../admin"}', "koch")
    assert request == FromContext("koch")


def test_an_everyday_name_is_answered_with_its_first_choice_and_keeps_the_word() -> None:
    """The NLU sends `profession` (the first choice) and `profession_query` on the same span."""
    first = {"entity": "profession", "value": "fachkraft-im-fahrbetrieb", "start": 12, "end": 23}
    word = {"entity": "profession_query", "value": "Busfahrerin", "start": 12, "end": 23}
    request = resolve_request([first, word], "ich will Busfahrerin werden", "koch")
    assert request == KnownProfessions(("fachkraft-im-fahrbetrieb",), also="Busfahrerin")


def test_a_query_elsewhere_in_the_message_is_no_everyday_name() -> None:
    first = {"entity": "profession", "value": "koch", "start": 0, "end": 4}
    word = {"entity": "profession_query", "value": "Mechaniker", "start": 10, "end": 20}
    assert resolve_request([first, word], "Koch oder Mechaniker", None) == KnownProfessions(("koch",))


def test_also_reply_offers_the_other_candidates(search_results: dict[str, dict[str, Any]]) -> None:
    hits = [parse_summary(item) for item in search_results["mechaniker"]["items"]]
    reply = also_reply("Mechaniker", ("industriemechaniker",), hits, "ask_pay", "de")
    assert reply is not None
    assert reply.response == "utter_profession_also"
    assert reply.variables == {"query": "Mechaniker"}
    assert [button["payload"] for button in reply.buttons] == [
        '/ask_pay{"profession":"zerspanungsmechaniker"}',
        '/ask_pay{"profession":"kraftfahrzeugmechatroniker"}',
    ]
    assert also_reply("Mechaniker", tuple(hit.slug for hit in hits), hits, "ask_pay", "de") is None


def test_profession_query_wins_over_unknown_words_and_slot() -> None:
    request = resolve_request([entity("profession_query", "Mechaniker ")], "was macht ein mechaniker", "koch")
    assert request == AmbiguousMention("Mechaniker")


def test_unknown_occupation_word_wins_over_the_slot() -> None:
    request = resolve_request([], "was verdient eigentlich ein astronaut", "koch")
    assert request == UnknownMention("astronaut")


def test_follow_up_without_occupation_uses_the_slot() -> None:
    assert resolve_request([], "und was verdient man da?", "koch") == FromContext("koch")


def test_nothing_to_go_on() -> None:
    assert resolve_request([], "und wie lange dauert das", None) == NoProfession()
    assert resolve_request([], "wie lange dauert das", "not a slug!") == NoProfession()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("und was verdient man da?", []),
        ("und wie lange?", []),
        ("welche fächer brauche ich dafür in der schule", []),
        ("brauch ich mathe und physik dafür", []),
        ("was macht man da so den ganzen tag", []),
        ("how much do you earn per month", []),
        ("astronaut?", ["astronaut"]),
        ("und pilot", ["pilot"]),
        ("was macht eigentlich eine pilotin so", ["pilotin"]),
        ("wie viel verdient ein youtuber im monat", ["youtuber"]),
        ("what does an astronaut do all day", ["astronaut"]),
        ("Mechatronikr??", ["mechatronikr"]),
        ('/ask_pay{"profession":"koch"}', []),
        ("", []),
    ],
)
def test_occupation_like_words(text: str, expected: list[str]) -> None:
    assert occupation_like_words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kfz", "kfz"),
        ("MFA?", "mfa"),
        ("und?", None),  # a question word
        ("was", None),
        ("kfz mechaniker", None),  # more than one word: occupation_like_words reads it
        ("ja", None),
        ("tischler", None),
        ('/ask_pay{"profession":"koch"}', None),
        ("", None),
    ],
)
def test_abbreviation_like(text: str, expected: str | None) -> None:
    assert abbreviation_like(text) == expected


@pytest.mark.parametrize(
    ("intent", "aspect"),
    [
        ("ask_profession", Aspect.OVERVIEW),
        ("ask_tasks", Aspect.TASKS),
        ("ask_workplaces", Aspect.WORKPLACES),
        ("ask_duration", Aspect.DURATION),
        ("ask_pay", Aspect.PAY),
        ("ask_certificate", Aspect.CERTIFICATE),
        ("ask_subjects", Aspect.SUBJECTS),
        ("ask_related", Aspect.RELATED),
        ("nlu_fallback", Aspect.OVERVIEW),
        (None, Aspect.OVERVIEW),
    ],
)
def test_aspect_for_intent(intent: str | None, aspect: Aspect) -> None:
    assert aspect_for_intent(intent) is aspect


def test_choice_buttons_repeat_the_question_for_each_candidate(
    mechaniker_hits: list[ProfessionSummary],
) -> None:
    assert choice_buttons("ask_pay", mechaniker_hits, "de", limit=2) == (
        {"title": "Industriemechaniker/in", "payload": '/ask_pay{"profession":"industriemechaniker"}'},
        {"title": "Zerspanungsmechaniker/in", "payload": '/ask_pay{"profession":"zerspanungsmechaniker"}'},
    )
    assert choice_buttons("ask_pay", mechaniker_hits, "en")[2]["title"] == "Car mechatronics technician"


def test_choice_reply(mechaniker_hits: list[ProfessionSummary]) -> None:
    reply = choice_reply("Mechaniker", mechaniker_hits, "ask_tasks", "en")
    assert reply.response == "utter_profession_choose"
    assert reply.variables == {"query": "Mechaniker"}
    assert [button["payload"] for button in reply.buttons] == [
        '/ask_tasks{"profession":"industriemechaniker"}',
        '/ask_tasks{"profession":"zerspanungsmechaniker"}',
        '/ask_tasks{"profession":"kraftfahrzeugmechatroniker"}',
    ]
    assert choice_reply("Mechaniker", [], "ask_tasks", "de") == Utterance(
        "utter_profession_unknown", {"query": "Mechaniker"}
    )


def test_buttons_of_a_fallback_question_ask_for_the_overview() -> None:
    assert question_intent("nlu_fallback") == "ask_profession"
    assert question_intent("ask_subjects") == "ask_subjects"


def test_close_matches_drop_far_hits_and_keep_order(search_results: dict[str, dict[str, Any]]) -> None:
    hits = [parse_summary(item) for item in search_results["mechatronikr"]["items"]]
    assert [hit.slug for hit in close_matches(hits)] == ["mechatroniker", "kraftfahrzeugmechatroniker"]
    assert close_matches(hits, limit=1)[0].slug == "mechatroniker"


def test_unknown_mention_offers_close_matches_or_says_so(search_results: dict[str, dict[str, Any]]) -> None:
    typo_hits = [parse_summary(item) for item in search_results["mechatronikr"]["items"]]
    reply = unknown_mention_reply("mechatronikr", typo_hits, "ask_duration", "de")
    assert reply.response == "utter_profession_did_you_mean"
    assert reply.variables == {"query": "mechatronikr"}
    assert reply.buttons[0] == {
        "title": "Mechatroniker/in",
        "payload": '/ask_duration{"profession":"mechatroniker"}',
    }

    far_hits = [parse_summary(item) for item in search_results["astronaut"]["items"]]
    assert unknown_mention_reply("astronaut", far_hits, "ask_pay", "de") == Utterance(
        "utter_profession_unknown", {"query": "astronaut"}
    )


# --- what to answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "de", "en"), [(24, "2", "2"), (36, "3", "3"), (42, "3,5", "3.5"), (18, "1,5", "1.5")]
)
def test_format_years(months: int, de: str, en: str) -> None:
    assert format_years(months, "de") == de
    assert format_years(months, "en") == en


def test_format_eur() -> None:
    assert format_eur(724, "de") == "724"
    assert format_eur(1014, "de") == "1.014"
    assert format_eur(1014, "en") == "1,014"


def test_overview_in_german_then_follow_up_buttons(koch: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.OVERVIEW, koch, "de") == [
        Utterance(
            "utter_profession_overview",
            {
                "name": "Koch/Köchin",
                "description": "Du kochst Gerichte in Restaurants und Kantinen.",
                "duration": "3",
                "training_type": "duale Ausbildung",
            },
        ),
        Utterance("utter_profession_next_steps", {"name": "Koch/Köchin", "slug": "koch"}),
    ]


def test_overview_in_english_uses_english_name_and_texts(koch: ProfessionDetail) -> None:
    overview = answer_utterances(Aspect.OVERVIEW, koch, "en")[0]
    assert overview.variables["name"] == "Cook"
    assert overview.variables["description"] == "You cook meals in restaurants and canteens."
    assert overview.variables["training_type"] == "dual apprenticeship"


def test_tasks_and_workplaces_as_bullet_lists(koch: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.TASKS, koch, "en") == [
        Utterance(
            "utter_profession_tasks",
            {"name": "Cook", "tasks": "• cut vegetables\n• cook sauces\n• plate dishes"},
        )
    ]
    assert answer_utterances(Aspect.WORKPLACES, koch, "de") == [
        Utterance(
            "utter_profession_workplaces", {"name": "Koch/Köchin", "workplaces": "• Restaurants\n• Kantinen"}
        )
    ]


def test_a_long_list_folds_behind_more_in_the_widget() -> None:
    from actions.profession_logic import _list_or_missing

    short = _list_or_missing("utter_profession_tasks", "tasks", "Koch", ["a", "b", "c", "d"])
    assert short.custom is None
    long = _list_or_missing("utter_profession_tasks", "tasks", "Koch", ["a", "b", "c", "d", "e"])
    assert long.custom == {"berufslotse": "card", "card": "answer", "fold": 4}
    assert long.variables["tasks"] == "• a\n• b\n• c\n• d\n• e"


def test_missing_profile_details_are_admitted(erzieher: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.TASKS, erzieher, "de") == [
        Utterance("utter_profession_no_details", {"name": "Erzieher/in"})
    ]
    assert answer_utterances(Aspect.SUBJECTS, erzieher, "de") == [
        Utterance("utter_profession_no_details", {"name": "Erzieher/in"})
    ]


def test_duration(erzieher: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.DURATION, erzieher, "de") == [
        Utterance(
            "utter_profession_duration",
            {
                "name": "Erzieher/in",
                "duration": "3,5",
                "months": 42,
                "training_type": "schulische Ausbildung",
            },
        )
    ]


def test_pay_shows_minimum_of_this_trainings_years_and_latest_agreed_pay(koch: ProfessionDetail) -> None:
    # 36 months: the row for a 4th training year does not apply
    assert answer_utterances(Aspect.PAY, koch, "de") == [
        Utterance(
            "utter_profession_pay_minimum",
            {
                "name": "Koch/Köchin",
                "start_year": 2026,
                "pay_first": "724",
                "pay_last": "977",
                "last_year": 3,
            },
        ),
        Utterance(
            "utter_profession_pay_agreed",
            {
                "name": "Koch/Köchin",
                "agreed_year": 2023,
                "agreed_pay": "1.012",
                "region": "in Westdeutschland",
                "source": "-",
            },
        ),
    ]


def test_agreed_pay_below_todays_minimum_is_not_shown_as_current(
    profiles: dict[str, dict[str, Any]],
) -> None:
    raw = json.loads(json.dumps(profiles["koch"]))
    # reported for 2019, below the 2026 minimum averaged over the three years (852 EUR)
    raw["pay"]["agreed"] = [
        {"year": 2019, "eur_per_month": 850, "scope": "Beruf (Ost)", "source_url": "https://x.test"}
    ]
    answers = answer_utterances(Aspect.PAY, parse_detail(raw), "de")
    assert [u.response for u in answers] == ["utter_profession_pay_minimum"]
    raw["pay"]["agreed"][0]["eur_per_month"] = 900
    answers = answer_utterances(Aspect.PAY, parse_detail(raw), "en")
    assert answers[-1] == Utterance(
        "utter_profession_pay_agreed",
        {
            "name": "Cook",
            "agreed_year": 2019,
            "agreed_pay": "900",
            "region": "in eastern Germany",
            "source": "https://x.test",
        },
    )


def test_pay_of_a_three_and_a_half_year_training_includes_year_four(
    profiles: dict[str, dict[str, Any]],
) -> None:
    mechanic = parse_detail(profiles["industriemechaniker"])
    [minimum] = answer_utterances(Aspect.PAY, mechanic, "en")
    assert minimum.variables == {
        "name": "Industrial mechanic",
        "start_year": 2026,
        "pay_first": "724",
        "pay_last": "1,014",
        "last_year": 4,
    }


def test_pay_with_only_a_first_year_minimum(profiles: dict[str, dict[str, Any]]) -> None:
    raw = profiles["koch"]
    raw["pay"] = {
        **raw["pay"],
        "start_year": 2023,
        "minimum": [{"training_year": 1, "eur": 620}],
        "agreed": [],
    }
    assert answer_utterances(Aspect.PAY, parse_detail(raw), "de") == [
        Utterance(
            "utter_profession_pay_minimum_single",
            {"name": "Koch/Köchin", "start_year": 2023, "pay_first": "620"},
        )
    ]


def test_pay_of_a_school_training_is_the_profiles_note(erzieher: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.PAY, erzieher, "en") == [
        Utterance(
            "utter_profession_pay_note",
            {"name": "Nursery teacher", "note": "There is usually no pay while at school."},
        )
    ]


def test_pay_without_any_facts(profiles: dict[str, dict[str, Any]]) -> None:
    raw = profiles["erzieher"]
    raw["pay"] = {**raw["pay"], "note": None}
    assert answer_utterances(Aspect.PAY, parse_detail(raw), "de") == [
        Utterance("utter_profession_pay_unknown", {"name": "Erzieher/in"})
    ]


def test_certificate_when_the_law_requires_none(koch: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.CERTIFICATE, koch, "de") == [
        Utterance(
            "utter_profession_certificate_open", {"name": "Koch/Köchin", "typical": "Hauptschulabschluss"}
        )
    ]


def test_certificate_typical_and_required(erzieher: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.CERTIFICATE, erzieher, "en") == [
        Utterance(
            "utter_profession_certificate",
            {"name": "Nursery teacher", "typical": "Abitur", "required": "intermediate certificate"},
        )
    ]


def test_subjects(koch: ProfessionDetail) -> None:
    assert answer_utterances(Aspect.SUBJECTS, koch, "de") == [
        Utterance(
            "utter_profession_subjects", {"name": "Koch/Köchin", "subjects": "Hauswirtschaft, Biologie"}
        )
    ]


def test_related_as_buttons_asking_for_the_overview(
    koch: ProfessionDetail, erzieher: ProfessionDetail
) -> None:
    assert answer_utterances(Aspect.RELATED, koch, "en") == [
        Utterance(
            "utter_profession_related",
            {"name": "Cook"},
            (
                {"title": "Baker", "payload": '/ask_profession{"profession":"baecker"}'},
                {"title": "Pastry chef", "payload": '/ask_profession{"profession":"konditor"}'},
            ),
        )
    ]
    assert answer_utterances(Aspect.RELATED, erzieher, "de") == [
        Utterance("utter_profession_no_related", {"name": "Erzieher/in"})
    ]


def test_next_steps_go_on_the_last_message_and_never_replace_buttons() -> None:
    def title(response: str) -> str:
        return response.removeprefix("utter_profession_step_")

    answer = [Utterance("utter_profession_pay_minimum"), Utterance("utter_profession_pay_note")]
    first, last = with_next_steps(answer, Aspect.PAY, "koch", title)
    assert first.buttons == ()
    assert [button["title"] for button in last.buttons] == ["offers", "tasks"]
    own = (Utterance("utter_profession_related", buttons=({"title": "Bäcker/in", "payload": "/x"},)),)
    assert with_next_steps(own, Aspect.RELATED, "koch", title) == list(own)
    overview = [Utterance("utter_profession_overview"), Utterance("utter_profession_next_steps")]
    assert with_next_steps(overview, Aspect.OVERVIEW, "koch", title) == overview
