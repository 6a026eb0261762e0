"""The actions and the domain agree: every response an action sends exists in German and English,
and gets every template variable its texts use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.api_client import LANGUAGES, parse_detail, parse_summary
from actions.profession_logic import (
    NEXT_STEPS,
    Aspect,
    Utterance,
    also_reply,
    answer_utterances,
    unknown_mention_reply,
)

DOMAIN_DIR = Path(__file__).parents[2] / "bot" / "domain"
SLOTS = {"language", "profession"}
# Responses an action sends without template variables.
PLAIN_ACTION_RESPONSES = (
    "utter_ask_which_profession",
    "utter_profession_not_found",
    "utter_service_unavailable",
)
_VARIABLE = re.compile(r"(?<!\{)\{([^\n{}]+?)\}(?!\})")


def load_responses() -> dict[str, list[dict[str, Any]]]:
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (data.get("responses") or {}).items():
            assert name not in responses, f"{name} defined twice"
            responses[name] = variations
    return responses


RESPONSES = load_responses()


def variables_used(variation: dict[str, Any]) -> set[str]:
    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    found: set[str] = set()
    for key in ("text", "buttons"):
        for text in strings(variation.get(key)):
            found.update(_VARIABLE.findall(text))
    return found


def language_of(variation: dict[str, Any]) -> str:
    conditions = variation.get("condition") or []
    values = {condition["value"] for condition in conditions if condition.get("name") == "language"}
    return values.pop() if values else "de"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_a_german_default_and_an_english_variation(name: str) -> None:
    variations = RESPONSES[name]
    defaults = [variation for variation in variations if not variation.get("condition")]
    english = [variation for variation in variations if language_of(variation) == "en"]
    assert defaults and english, name
    assert {language_of(variation) for variation in variations} == {"de", "en"}
    # both languages take the same template variables
    assert {frozenset(variables_used(variation)) for variation in variations} == {
        frozenset(variables_used(defaults[0]))
    }, name


def action_utterances(
    profiles: dict[str, dict[str, Any]], search: dict[str, dict[str, Any]]
) -> list[Utterance]:
    variants = {
        **profiles,
        "koch-first-year-only": {
            **profiles["koch"],
            "pay": {**profiles["koch"]["pay"], "minimum": [{"training_year": 1, "eur": 620}]},
        },
        "erzieher-without-note": {
            **profiles["erzieher"],
            "pay": {**profiles["erzieher"]["pay"], "note": None},
        },
    }
    utterances: list[Utterance] = []
    for raw in variants.values():
        for aspect in Aspect:
            for language in LANGUAGES:
                utterances.extend(answer_utterances(aspect, parse_detail(raw), language))
    for query, page in search.items():
        hits = [parse_summary(item) for item in page["items"]]
        utterances.append(unknown_mention_reply(query, hits, "ask_pay", "de"))
    utterances.append(Utterance("utter_profession_choose", {"query": "Mechaniker"}))
    hits = [parse_summary(item) for item in search["mechaniker"]["items"]]
    also = also_reply("Mechaniker", ("industriemechaniker",), hits, "ask_pay", "de")
    assert also is not None
    utterances.append(also)
    return utterances


def test_action_responses_exist_and_get_all_their_variables(
    profiles: dict[str, dict[str, Any]], search_results: dict[str, dict[str, Any]]
) -> None:
    seen: set[str] = set()
    for utterance in action_utterances(profiles, search_results):
        assert utterance.response in RESPONSES, utterance.response
        for variation in RESPONSES[utterance.response]:
            missing = variables_used(variation) - SLOTS - set(utterance.variables)
            assert not missing, (utterance.response, missing)
        seen.add(utterance.response)
    for name in PLAIN_ACTION_RESPONSES:
        assert name in RESPONSES
        assert all(not variables_used(variation) - SLOTS for variation in RESPONSES[name])
    # the titles of the next-step buttons (rendered by the action from the domain, no variables)
    for step in {step for steps in NEXT_STEPS.values() for step in steps}:
        name = f"utter_profession_step_{step}"
        assert name in RESPONSES and all(not variables_used(v) for v in RESPONSES[name]), name
        seen.add(name)
    # the fixtures reach every profession response (so a renamed response cannot slip through)
    profession_responses = {name for name in RESPONSES if name.startswith("utter_profession_")}
    assert profession_responses - seen == {"utter_profession_not_found"}
