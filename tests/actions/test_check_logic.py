"""The check's decisions as pure functions: reading answers, moving on, what the pupil sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.api_client import LocalizedText
from actions.check_api import ChartBar, Municipality, parse_check_items, parse_match_page, parse_score
from actions.check_logic import (
    FINISHED,
    NO_MUNICIPALITY,
    PAUSED,
    RUNNING,
    SLOT_ANSWERS,
    SLOT_CERTIFICATE,
    SLOT_ITEM,
    SLOT_LOOKING_FOR,
    SLOT_MUNICIPALITY,
    SLOT_RADIUS,
    SLOT_STATUS,
    SLOT_VARIANT,
    STOPPED,
    Answer,
    CheckState,
    Command,
    Reading,
    StaleButton,
    advance,
    check_answer_payload,
    item_question,
    match_utterances,
    next_question,
    previous_question,
    read_item_answer,
    read_setup_answer,
    read_setup_command,
    resolve_municipality,
    result_utterances,
    slot_changes,
    unreadable_outcome,
)
from actions.offer_logic import DomainTexts
from actions.profession_logic import Utterance
from knowledge.check.bank import load_answer_scale
from knowledge.loader import load_municipalities
from nlu.readers.check_answers import parse_check_command, parse_free_text_answer
from nlu.readers.check_setup import read_certificate, read_looking_for, read_radius, read_variant
from tests.actions import check_fake_api as fake

DOMAIN: dict[str, Any] = {
    "responses": yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "bot" / "domain" / "check.yml").read_text(encoding="utf-8")
    )["responses"]
}
TEXTS_EN = DomainTexts(DOMAIN, "en")

ITEM_IDS = ("r01", "i01", "a01")
SETUP_DONE = CheckState(
    variant="quick",
    certificate="realschule",
    municipality="bramsche",
    radius_km=25,
    looking_for="apprenticeship",
    status=RUNNING,
)


def read_item(text: str | None, choice: Any = None, current: str = "i01") -> object:
    return read_item_answer(text, choice, current, parse_free_text_answer, parse_check_command)


def read_command(question: str, text: str | None, choice: Any = None) -> object:
    return read_setup_command(question, text, choice, parse_free_text_answer, parse_check_command)


# --- state in slots ---------------------------------------------------------------------------


def test_state_round_trips_through_slots() -> None:
    state = CheckState(
        variant="full",
        certificate="abitur",
        municipality=NO_MUNICIPALITY,
        radius_km=None,
        looking_for="internship",
        answers=(("r01", 4), ("i01", None)),
        status=PAUSED,
        match_offset=5,
    )
    values = state.slot_values()
    assert values[SLOT_ANSWERS] == [["r01", 4], ["i01", None]]
    assert CheckState.from_slots(values.get) == state


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (SLOT_VARIANT, "medium"),
        (SLOT_CERTIFICATE, "diploma"),
        (SLOT_RADIUS, "far"),
        (SLOT_ANSWERS, [["r01", 7]]),
        (SLOT_ANSWERS, "r01=4"),
        (SLOT_STATUS, "dancing"),
    ],
)
def test_values_that_do_not_fit_count_as_not_given(name: str, value: object) -> None:
    state = CheckState.from_slots({name: value}.get)
    assert state == CheckState()


def test_slot_changes_lists_only_what_changed() -> None:
    after = CheckState(variant="quick", answers=(("r01", 5),))
    assert slot_changes(CheckState(variant="quick"), after) == {SLOT_ANSWERS: [["r01", 5]]}


def test_in_progress_and_pending() -> None:
    assert not CheckState(status=RUNNING).in_progress  # nothing answered yet
    assert CheckState(variant="quick", status=PAUSED).in_progress
    assert not CheckState(variant="quick", status=STOPPED).in_progress
    assert CheckState(answers=(("r01", 3),), status=FINISHED).result_pending
    assert not CheckState(status=FINISHED).result_pending


# --- which question next ----------------------------------------------------------------------


def test_questions_come_in_order_and_the_distance_only_with_a_place() -> None:
    state = CheckState()
    asked = []
    for question, value in (
        (SLOT_VARIANT, "quick"),
        (SLOT_CERTIFICATE, "none"),
        (SLOT_MUNICIPALITY, NO_MUNICIPALITY),
        (SLOT_LOOKING_FOR, "internship"),
    ):
        asked.append(next_question(state, 3))
        state = state.with_answer(question, value)
    assert asked == [SLOT_VARIANT, SLOT_CERTIFICATE, SLOT_MUNICIPALITY, SLOT_LOOKING_FOR]
    assert next_question(state, 3) == SLOT_ITEM
    assert next_question(state.with_answer(SLOT_MUNICIPALITY, "melle"), 3) == SLOT_RADIUS


def test_items_end_when_every_item_is_answered() -> None:
    done = CheckState(**{**SETUP_DONE.__dict__, "answers": (("r01", 1), ("i01", 2), ("a01", None))})
    assert next_question(done, 3) is None
    assert next_question(done, None) == SLOT_ITEM  # unknown item count: not finished


def test_previous_question_skips_the_distance_without_a_place() -> None:
    assert previous_question(SETUP_DONE, SLOT_ITEM) == SLOT_LOOKING_FOR
    assert previous_question(SETUP_DONE, SLOT_LOOKING_FOR) == SLOT_RADIUS
    skipped = SETUP_DONE.with_answer(SLOT_MUNICIPALITY, NO_MUNICIPALITY)
    assert previous_question(skipped, SLOT_LOOKING_FOR) == SLOT_MUNICIPALITY
    assert previous_question(SETUP_DONE, SLOT_VARIANT) is None


# --- reading answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ja voll", Answer(5)),
        ("eher nicht", Answer(2)),
        ("weiß nicht", Answer(3)),
        ("👍", Answer(4)),
        ("4", Answer(4)),
        ("yes", Answer(4)),
        ("8 von 10", Answer(4)),
        ("überspringen", Command("skip")),
        ("zurück", Command("back")),
        ("später weiter", Command("pause")),
        ("aufhören", Command("stop")),
        ("neu starten", Command("restart")),
        ("was macht ein Mechatroniker?", None),
        ("weiter mit dem test", None),
        ("", None),
        (None, None),
    ],
)
def test_typed_item_answers_follow_the_answer_rules_of_knowledge(text: str | None, expected: object) -> None:
    assert read_item(text) == expected


def test_item_buttons_carry_their_item() -> None:
    assert read_item(None, "i01:5") == Answer(5)
    assert read_item(None, "i01:skip") == Command("skip")
    assert read_item(None, "i01:pause") == Command("pause")
    assert read_item(None, "r01:4") == StaleButton()  # a button under an earlier item
    assert read_item(None, "realschule") == StaleButton()  # a button of a setup question
    assert read_item(None, "i01:9") == StaleButton()
    assert read_item("/check_answer", "4") == Answer(4)  # a button without item id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("den kurzen bitte", "quick"),
        ("lieber den langen", "full"),
        ("ausführlich", "full"),
        ("the short one", "quick"),
        ("48", "full"),
        ("kurz oder lang", None),
        ("hm", None),
    ],
)
def test_read_variant(text: str, expected: str | None) -> None:
    assert read_variant(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Realschulabschluss", "realschule"),
        ("ich mache gerade MSA", "realschule"),
        ("mittlere reife", "realschule"),
        ("hauptschule", "hauptschule"),
        ("fachabi", "fachabitur"),
        ("Abi 2027", "abitur"),
        ("hab realschule und mach jetzt abi", "abitur"),
        ("noch keinen", "none"),
        ("kein abi", "none"),
        ("ich mache noch realschule", "realschule"),
        ("weiß ich nicht", None),
    ],
)
def test_read_certificate(text: str, expected: str | None) -> None:
    assert read_certificate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("25", 25), ("bis 30 km", 30), ("10km", 10), ("so 20 bis 30 km", None), ("weit", None), ("999", None)],
)
def test_read_radius(text: str, expected: int | None) -> None:
    assert read_radius(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eine Ausbildung", "apprenticeship"),
        ("duale ausbildung", "apprenticeship"),
        ("duales Studium", "dual_study"),
        ("erstmal ein praktikum", "internship"),
        ("an internship", "internship"),
        ("ausbildung oder praktikum", None),
    ],
)
def test_read_looking_for(text: str, expected: str | None) -> None:
    assert read_looking_for(text) == expected


def test_setup_buttons_and_buttons_of_other_questions() -> None:
    assert read_setup_answer(SLOT_CERTIFICATE, None, "fachabitur") == Answer("fachabitur")
    assert read_setup_answer(SLOT_RADIUS, None, "25") == Answer(25)
    assert read_setup_answer(SLOT_CERTIFICATE, None, "quick") == StaleButton()
    assert read_setup_answer(SLOT_CERTIFICATE, None, "r01:4") == StaleButton()
    assert read_setup_answer(SLOT_VARIANT, "den kurzen", None) == Answer("quick")


def test_commands_to_setup_questions() -> None:
    assert read_command(SLOT_MUNICIPALITY, None, "skip") == Command("skip")
    assert read_command(SLOT_MUNICIPALITY, "überspringen") == Command("skip")
    assert read_command(SLOT_MUNICIPALITY, "nee lieber nicht") == Command("skip")
    assert read_command(SLOT_CERTIFICATE, None, "skip") == StaleButton()  # only the place is optional
    assert read_command(SLOT_CERTIFICATE, "überspringen") is None
    assert read_command(SLOT_CERTIFICATE, "zurück") == Command("back")
    assert read_command(SLOT_VARIANT, "pause") == Command("pause")
    assert read_command(SLOT_VARIANT, None, "quick") is None


# --- municipalities (the district's real list) --------------------------------------------------


def real_places() -> list[Municipality]:
    return [
        Municipality(
            slug=place.slug,
            name=place.name,
            kind=place.kind,
            samtgemeinde=place.samtgemeinde,
            postcodes=tuple(place.postcodes),
        )
        for place in load_municipalities()
    ]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Bramsche", "bramsche"),
        ("bramschee", "bramsche"),
        ("ich wohne in melle", "melle"),
        ("osnabrük", "osnabrueck"),
        ("Georgsmarienhuette", "georgsmarienhuette"),
        ("49565", "bramsche"),
        ("49326 Melle", "melle"),
        ("49577", "samtgemeinde-bersenbrueck"),  # shared by members of one Samtgemeinde
        ("Dissen", "dissen-am-teutoburger-wald"),
        ("SG Artland", "samtgemeinde-artland"),
        ("Fürstenau", "fuerstenau"),  # the town, not the Samtgemeinde of the same name
        ("Bad Iburg", "bad-iburg"),
    ],
)
def test_resolve_municipality(text: str, slug: str) -> None:
    place = resolve_municipality(text, real_places())
    assert place is not None and place.slug == slug


@pytest.mark.parametrize("text", ["Hamburg", "12345", "ich", "keine ahnung", "49565 oder 49324"])
def test_unknown_places_are_not_guessed(text: str) -> None:
    assert resolve_municipality(text, real_places()) is None


# --- moving on --------------------------------------------------------------------------------


def test_an_item_answer_is_recorded_and_the_next_item_asked() -> None:
    step = advance(SETUP_DONE, SLOT_ITEM, Answer(4), ITEM_IDS)
    assert step.state.answers == (("r01", 4),)
    assert step.ask == SLOT_ITEM and step.say == ()


def test_the_last_answer_finishes_the_check() -> None:
    state = CheckState(**{**SETUP_DONE.__dict__, "answers": (("r01", 4), ("i01", 2))})
    step = advance(state, SLOT_ITEM, Command("skip"), ITEM_IDS)
    assert step.state.answers[-1] == ("a01", None)
    assert step.state.status == FINISHED and step.ask is None


def test_back_changes_the_last_answer_and_goes_into_the_setup_at_the_first_item() -> None:
    state = CheckState(**{**SETUP_DONE.__dict__, "answers": (("r01", 4), ("i01", 2))})
    step = advance(state, SLOT_ITEM, Command("back"), ITEM_IDS)
    assert step.state.answers == (("r01", 4),) and step.ask == SLOT_ITEM
    step = advance(SETUP_DONE, SLOT_ITEM, Command("back"), ITEM_IDS)
    assert step.state.looking_for is None and step.ask == SLOT_LOOKING_FOR
    step = advance(SETUP_DONE.with_answer(SLOT_RADIUS, None), SLOT_RADIUS, Command("back"), ITEM_IDS)
    assert step.state.municipality is None and step.ask == SLOT_MUNICIPALITY


def test_back_at_the_first_question_says_so() -> None:
    step = advance(CheckState(status=RUNNING), SLOT_VARIANT, Command("back"), None)
    assert step.ask == SLOT_VARIANT
    assert step.say == (Utterance("utter_check_cannot_go_back"),)


def test_skipping_the_place_skips_the_distance() -> None:
    state = CheckState(variant="quick", certificate="hauptschule", status=RUNNING)
    step = advance(state, SLOT_MUNICIPALITY, Command("skip"), ITEM_IDS)
    assert step.state.municipality == NO_MUNICIPALITY and step.ask == SLOT_LOOKING_FOR


def test_a_new_variant_drops_answers_of_the_old_one() -> None:
    state = CheckState(variant="quick", answers=(("r01", 4),), status=RUNNING)
    step = advance(state, SLOT_VARIANT, Answer("full"), None)
    assert step.state.variant == "full" and step.state.answers == ()


def test_pause_stop_restart() -> None:
    state = CheckState(**{**SETUP_DONE.__dict__, "answers": (("r01", 4),)})
    paused = advance(state, SLOT_ITEM, Command("pause"), ITEM_IDS)
    assert paused.ask is None and paused.state == CheckState(**{**state.__dict__, "status": PAUSED})
    stopped = advance(state, SLOT_ITEM, Command("stop"), ITEM_IDS)
    assert stopped.ask is None and stopped.state == CheckState(status=STOPPED)
    restarted = advance(state, SLOT_ITEM, Command("restart"), ITEM_IDS)
    assert restarted.state == CheckState(status=RUNNING) and restarted.ask == SLOT_VARIANT
    assert restarted.say == (Utterance("utter_check_restarted"),)


def test_a_stale_button_asks_the_open_question_again() -> None:
    step = advance(SETUP_DONE, SLOT_ITEM, StaleButton(), ITEM_IDS)
    assert step.state == SETUP_DONE and step.ask == SLOT_ITEM
    assert step.say == (Utterance("utter_check_stale_button"),)


@pytest.mark.parametrize(
    ("intent", "outcome"),
    [
        ("ask_profession", "detour"),
        ("ask_pay", "detour"),
        ("help", "detour"),
        ("switch_language", "detour"),
        ("start_check", "reask"),
        ("goodbye", "pause"),
        ("greet", "reask"),
        ("thank", "reask"),
        ("smalltalk", "not_understood"),
        ("nlu_fallback", "not_understood"),
        (None, "not_understood"),
    ],
)
def test_messages_that_are_no_answer(intent: str | None, outcome: str) -> None:
    assert unreadable_outcome(intent) == outcome


def test_same_answers_same_state_whatever_else() -> None:
    """Deterministic: the state after a sequence of readings depends on nothing but the readings."""
    readings: list[Reading] = [Answer(5), Command("skip"), Command("back"), Answer(1), Answer(3), Answer(2)]

    def run() -> CheckState:
        state = SETUP_DONE
        for reading in readings:
            state = advance(state, next_question(state, 3) or SLOT_ITEM, reading, ITEM_IDS).state
        return state

    assert run() == run()
    assert run().answers == (("r01", 5), ("i01", 1), ("a01", 3))


# --- what the pupil sees ----------------------------------------------------------------------

COMMAND_LABELS: dict[str, LocalizedText] = {
    command.name: LocalizedText(command.button.de, command.button.en)
    for command in load_answer_scale().commands
}


def test_item_question_shows_progress_answers_and_commands() -> None:
    items = parse_check_items({"variant": "quick", "items": fake.ITEMS, "scale": fake.SCALE})
    question = item_question(items, 1, "en", COMMAND_LABELS)
    assert question is not None
    assert question.response == "utter_check_item"
    assert dict(question.variables) == {"position": 2, "total": 3, "item": "Test milk samples"}
    assert [button["title"] for button in question.buttons] == [
        "😖 not at all",
        "🙁 not really",
        "😐 not sure",
        "🙂 quite like",
        "😍 love it",
        "⏭️ skip",
        "↩️ back",
        "⏸️ pause",
    ]
    assert question.buttons[4]["payload"] == '/check_answer{"check_choice":"i01:5"}'
    assert question.buttons[6]["payload"] == '/check_answer{"check_choice":"i01:back"}'
    # the channels show it as one card: faces in a row, the commands as small links
    assert [button["style"] for button in question.buttons] == ["scale"] * 5 + ["link"] * 3
    assert question.custom == {"berufslotse": "card", "card": "check_item", "position": 2, "total": 3}
    assert item_question(items, 3, "de", COMMAND_LABELS) is None


def test_button_payloads_read_back_as_the_same_answer() -> None:
    payload = check_answer_payload("r01:4")
    assert payload == '/check_answer{"check_choice":"r01:4"}'


def test_result_shows_top_types_and_the_chart() -> None:
    score = parse_score({"scores": fake.SCORES, "top_types": fake.TOP_TYPES})
    utterances = result_utterances(
        score, "Praktisch: 100", "http://x/chart.png?R=100", "de", just_finished=True
    )
    assert utterances == [
        Utterance("utter_check_result_intro"),
        Utterance(
            "utter_check_top_types",
            {
                "top_types": "🔧 Praktisch-technisch: Du packst gern mit an.\n"
                "🔬 Forschend: Du willst wissen, wie Dinge funktionieren."
            },
        ),
        Utterance("utter_check_chart", {"scores": "Praktisch: 100", "chart_url": "http://x/chart.png?R=100"}),
    ]
    again = result_utterances(score, "", "u", "en", just_finished=False)
    assert again[0] == Utterance("utter_check_result_again")


def test_the_chart_goes_to_the_channels_as_bars_too() -> None:
    score = parse_score({"scores": fake.SCORES, "top_types": fake.TOP_TYPES})
    bars = (
        ChartBar("Praktisch", 100.0, True),
        ChartBar("Forschend", 62.5, True),
        ChartBar("Sozial", None, False),
    )
    chart = result_utterances(score, "alt", "u", "de", just_finished=True, bars=bars)[-1]
    assert chart.response == "utter_check_chart"
    # a type without a score has no bar; the widget draws these instead of the points line and PNG
    assert chart.custom == {
        "berufslotse": "chart",
        "bars": [{"label": "Praktisch", "value": 100}, {"label": "Forschend", "value": 62}],
        "alt": "alt",
        "replaces": True,
    }


def test_matches_are_numbered_marked_and_offer_more() -> None:
    page = parse_match_page({"items": fake.MATCHES[2:7], "total": 7})
    utterances = match_utterances(page, 2, "en", TEXTS_EN)
    # every occupation shown (7 of 7): no "more?" at the end
    assert [(utterance.response, utterance.variables["rank"]) for utterance in utterances] == [
        ("utter_check_match", 3),
        ("utter_check_match_higher_certificate", 4),
        ("utter_check_match", 5),
        ("utter_check_match_plain", 6),
        ("utter_check_match_plain_higher_certificate", 7),
    ]
    assert dict(utterances[0].variables) == {
        "rank": 3,
        "name": "Joiner",
        "slug": "tischler",
        "reason": "A good fit, because you like tools.",
        "nearby": "",
    }
    first = match_utterances(parse_match_page({"items": fake.MATCHES[:5], "total": 7}), 0, "de", TEXTS_EN)
    assert first[-1] == Utterance("utter_check_more_matches")


def test_places_near_the_pupil_and_paths_with_a_higher_certificate() -> None:
    page = parse_match_page(
        {
            "items": [{**fake.MATCHES[0], "places_nearby": 12}, {**fake.MATCHES[1], "places_nearby": 0}],
            "total": 2,
            "higher_certificate_paths": [fake.MATCHES[3]],
            "nearby": {"municipality": "melle", "radius_km": 10, "looking_for": "apprenticeship"},
        }
    )
    german = match_utterances(page, 0, "de", DomainTexts(DOMAIN, "de"))
    assert german[0].variables["nearby"] == "\n📍 Ausbildungsplätze in deiner Nähe (bis 10 km): 12"
    assert german[1].variables["nearby"] == ""  # nothing near: nothing said
    assert [u.response for u in german[2:]] == ["utter_check_higher_paths_intro", "utter_check_higher_path"]
    assert german[3].variables["slug"] == "physiotherapeut"
    english = match_utterances(page, 0, "en", DomainTexts(DOMAIN, "en"))
    assert english[0].variables["nearby"] == "\n📍 Apprenticeship places near you (up to 10 km): 12"
