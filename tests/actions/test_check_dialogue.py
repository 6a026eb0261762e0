"""The check's actions, its domain, rules and test stories agree with each other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.check_api import Municipality, parse_check_items, parse_match_page, parse_score
from actions.check_logic import (
    CERTIFICATES,
    DETOUR_INTENTS,
    LOOKING_FOR,
    SLOT_CERTIFICATE,
    SLOT_LOOKING_FOR,
    SLOT_MUNICIPALITY,
    SLOT_RADIUS,
    SLOT_VARIANT,
    Answer,
    Command,
    check_answer_payload,
    item_question,
    match_utterances,
    municipality_answer,
    not_understood,
    read_setup_answer,
    read_setup_command,
    result_utterances,
)
from actions.offer_logic import DomainTexts
from actions.profession_logic import Utterance
from knowledge.loader import load_vocab
from nlu.readers.check_answers import parse_check_command, parse_free_text_answer
from tests.actions import check_fake_api as fake
from tests.actions.test_check_logic import COMMAND_LABELS
from tests.actions.test_domain_responses import RESPONSES, SLOTS, variables_used
from tests.bot import make_check_stories

ROOT = Path(__file__).parents[2]
CHECK_DOMAIN = yaml.safe_load((ROOT / "bot" / "domain" / "check.yml").read_text(encoding="utf-8"))
CHECK_RULES = yaml.safe_load((ROOT / "bot" / "data" / "rules" / "check.yml").read_text(encoding="utf-8"))
ACTION_SOURCES = "\n".join(
    (ROOT / "actions" / name).read_text(encoding="utf-8") for name in ("check.py", "check_logic.py")
)
_PAYLOAD_CHOICE = re.compile(r'"check_choice":"([^"]+)"')


def test_the_generated_test_stories_are_up_to_date() -> None:
    committed = make_check_stories.STORIES_PATH.read_text(encoding="utf-8")
    assert committed == make_check_stories.render(), "run: .venv/bin/python -m tests.bot.make_check_stories"


def test_certificates_are_the_vocabulary_codes() -> None:
    assert tuple(term.code for term in load_vocab().certificates) == CERTIFICATES


def button_choices(response: str) -> list[str]:
    choices = []
    for variation in CHECK_DOMAIN["responses"][response]:
        for button in variation["buttons"]:
            match = _PAYLOAD_CHOICE.search(button["payload"].replace("{{", "{").replace("}}", "}"))
            assert match, button
            choices.append(match.group(1))
    return choices


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (SLOT_VARIANT, "utter_ask_check_variant"),
        (SLOT_CERTIFICATE, "utter_ask_check_certificate"),
        (SLOT_RADIUS, "utter_ask_check_radius"),
        (SLOT_LOOKING_FOR, "utter_ask_check_looking_for"),
    ],
)
def test_every_setup_button_is_an_answer_to_its_question(question: str, response: str) -> None:
    for choice in button_choices(response):
        assert isinstance(read_setup_answer(question, None, choice), Answer), (response, choice)
    if question == SLOT_CERTIFICATE:
        assert sorted(set(button_choices(response))) == sorted(CERTIFICATES)
    if question == SLOT_LOOKING_FOR:
        assert sorted(set(button_choices(response))) == sorted(LOOKING_FOR)


def test_the_skip_button_skips_the_place() -> None:
    for choice in button_choices("utter_ask_check_municipality"):
        reading = read_setup_command(
            SLOT_MUNICIPALITY, None, choice, parse_free_text_answer, parse_check_command
        )
        assert reading == Command("skip")


def test_domain_payloads_match_the_actions_payloads() -> None:
    payload = CHECK_DOMAIN["responses"]["utter_ask_check_variant"][1]["buttons"][0]["payload"]
    assert payload.replace("{{", "{").replace("}}", "}") == check_answer_payload("quick")


def test_every_detour_intent_has_a_rule_that_returns_to_the_form() -> None:
    detours: dict[str, list[str]] = {}
    for rule in CHECK_RULES["rules"]:
        if rule.get("condition") != [{"active_loop": "check_form"}]:
            continue
        steps = rule["steps"]
        # rules that end the form (a pausing intent like delete_my_data) are no detours
        if (
            "intent" in steps[0]
            and {"active_loop": "null"} not in steps
            and {"active_loop": None} not in steps
        ):
            detours[steps[0]["intent"]] = [
                step.get("action") or f"loop:{step.get('active_loop')}" for step in steps[1:]
            ]
    assert set(detours) == DETOUR_INTENTS
    for intent, actions in detours.items():
        assert actions[-2:] == ["check_form", "loop:check_form"], intent


def action_utterances() -> list[Utterance]:
    items = parse_check_items({"variant": "quick", "items": fake.ITEMS, "scale": fake.SCALE})
    score = parse_score({"scores": fake.SCORES, "top_types": fake.TOP_TYPES})
    page = parse_match_page(
        {
            "items": [{**match, "places_nearby": 2} for match in fake.MATCHES],
            "total": 9,
            "higher_certificate_paths": fake.MATCHES[3:4],
            "nearby": {"municipality": "melle", "radius_km": 25, "looking_for": "internship"},
        }
    )
    place = Municipality("bramsche", "Bramsche", "stadt", None, ("49565",))
    utterances: list[Utterance] = []
    for language in ("de", "en"):
        question = item_question(items, 0, language, COMMAND_LABELS)
        assert question is not None
        utterances.append(question)
        utterances.extend(result_utterances(score, "alt", "http://x", language, just_finished=True))
        utterances.extend(
            match_utterances(page, 0, language, DomainTexts({"responses": RESPONSES}, language))
        )
    utterances.append(municipality_answer(place).confirmation)  # type: ignore[arg-type]
    utterances.extend(
        not_understood(question) for question in (SLOT_VARIANT, SLOT_MUNICIPALITY, "check_item")
    )
    return utterances


def test_responses_sent_with_variables_get_every_variable() -> None:
    for utterance in action_utterances():
        assert utterance.response in RESPONSES, utterance.response
        for variation in RESPONSES[utterance.response]:
            missing = variables_used(variation) - SLOTS - set(utterance.variables)
            assert not missing, (utterance.response, missing)


def test_every_check_response_is_used_and_every_used_one_exists() -> None:
    rules_and_stories = yaml.safe_dump(CHECK_RULES)
    named_in_code = set(re.findall(r"\"(utter_check_\w+)\"", ACTION_SOURCES))
    in_domain = {name for name in CHECK_DOMAIN["responses"] if name.startswith("utter_check_")}
    assert named_in_code <= in_domain
    unused = {name for name in in_domain - named_in_code if name not in rules_and_stories}
    assert unused == set()
    # the form asks the setup questions with utter_ask_<slot>; the item with action_ask_check_item
    required = CHECK_DOMAIN["forms"]["check_form"]["required_slots"]
    asked: dict[str, Any] = {slot: f"utter_ask_{slot}" in CHECK_DOMAIN["responses"] for slot in required}
    assert asked == {slot: slot != "check_item" for slot in required}
    assert "action_ask_check_item" in CHECK_DOMAIN["actions"]
