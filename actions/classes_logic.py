"""Pure rules of the class actions: the code a message carries (from its entities, never its text),
the advisor page's address, and which topic an action or intent counts as in the class overview."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from nlu.readers.class_code import is_well_formed

PUBLIC_URL_ENV = "BERUFSLOTSE_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
ADVISOR_PATH = "/advisor"

# What a class member's turn counts as in the overview: by the action that ran, else by the intent
# of the message. Only these keys (api/classes/schemas.py ClassTopic), never the pupil's words.
TOPIC_OF_ACTION: Mapping[str, str] = {
    "action_check_start": "check",
    "action_explore_professions": "explore",
    "action_compare_professions": "compare",
    "action_search_offers": "offers",
    "action_show_offer": "offers",
    "action_prepare_contact": "contact",
    "action_show_rule": "training_rules",
}
TOPIC_OF_INTENT: Mapping[str, str] = {
    "ask_profession": "occupation",
    "ask_tasks": "occupation",
    "ask_workplaces": "occupation",
    "ask_subjects": "occupation",
    "ask_related": "occupation",
    "ask_pay": "pay",
    "ask_duration": "duration",
    "ask_certificate": "certificate",
    "explore_professions": "explore",
    "compare_professions": "compare",
    "search_offers": "offers",
    "rules": "training_rules",
    "handoff": "advice",
}


def class_code_from_entities(entities: Iterable[Mapping[str, Any]]) -> str | None:
    """The one well-formed class code among the message's entities (from nlu/ or a payload)."""
    codes = {
        str(entity.get("value", "")).strip().upper().replace(" ", "")
        for entity in entities
        if entity.get("entity") == "class_code"
    }
    codes = {code for code in codes if is_well_formed(code)}
    return codes.pop() if len(codes) == 1 else None


def advisor_page_url(environ: Mapping[str, str] = os.environ) -> str:
    """Where teachers sign in: the API's public address (BERUFSLOTSE_PUBLIC_URL) + /advisor."""
    base = (environ.get(PUBLIC_URL_ENV) or DEFAULT_PUBLIC_URL).rstrip("/")
    return f"{base}{ADVISOR_PATH}"


def topic_of_turn(action_name: str, intent_name: str | None) -> str | None:
    """The overview topic of an action run for a class member; None when it counts as nothing."""
    if action_name in TOPIC_OF_ACTION:
        return TOPIC_OF_ACTION[action_name]
    if intent_name is None:
        return None
    return TOPIC_OF_INTENT.get(intent_name.split("/", 1)[0])
