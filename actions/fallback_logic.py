"""What to say when no intent is sure: what the knowledge search found, the help menu, or, after
two misunderstandings in a row, a way out instead of the same question again. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from actions.api_client import KnowledgeHit, Language
from actions.profession_logic import Button, Utterance, question_payload
from knowledge.rules.catalogue import RULE_KEYS

# Messages that were not understood: the FallbackClassifier's intent and keyboard mash.
NOT_UNDERSTOOD_INTENTS: frozenset[str] = frozenset({"nlu_fallback", "nonsense"})
MISUNDERSTANDINGS_BEFORE_WAY_OUT = 2
MAX_HITS = 3


def _payload(intent: str, entities: Mapping[str, str]) -> str:
    return "/" + intent + json.dumps(dict(entities), ensure_ascii=False, separators=(",", ":"))


# The entity a rule-of-training button carries. A button payload cannot name the ResponseSelector's
# choice (`rules/<key>`), so it names the intent `rules` with the key as this entity, and
# `action_show_rule` says the same answer `utter_rules/<key>` that the ResponseSelector would pick.
RULE_ENTITY = "rule"

# The button each kind of document leads to; a kind without an entry is not offered as a button.
HIT_PAYLOADS: Mapping[str, Callable[[str], str]] = {
    "profession": lambda key: question_payload("ask_profession", key),
    "topic": lambda key: _payload("explore_professions", {"topic": key}),
    "rule": lambda key: _payload("rules", {RULE_ENTITY: key}),
}


def misunderstandings_in_a_row(events: Sequence[Mapping[str, Any]]) -> int:
    """How many of the latest user messages, counting back from the newest, were not understood.
    The open question stays the same as long as the pupil is not understood; any understood
    message (or a button) ends the row."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in NOT_UNDERSTOOD_INTENTS:
            break
        count += 1
    return count


def hit_buttons(hits: Iterable[KnowledgeHit], language: Language) -> tuple[Button, ...]:
    buttons: list[Button] = []
    for hit in hits:
        payload = HIT_PAYLOADS.get(hit.kind)
        if payload is not None and len(buttons) < MAX_HITS:
            buttons.append({"title": hit.title.in_language(language), "payload": payload(hit.key)})
    return tuple(buttons)


def fallback_reply(hits: Sequence[KnowledgeHit], misunderstandings: int, language: Language) -> Utterance:
    """The way out after two misunderstandings; else what was found; else the help menu."""
    if misunderstandings >= MISUNDERSTANDINGS_BEFORE_WAY_OUT:
        return Utterance("utter_fallback_way_out")
    buttons = hit_buttons(hits, language)
    if buttons:
        return Utterance("utter_fallback_found", buttons=buttons)
    return Utterance("utter_fallback")


def rule_reply(key: object) -> Utterance:
    """The answer to a rule-of-training button: the rule's own response; the help menu for a key
    that is not (or no longer) a rule, e.g. an old button or a typed payload."""
    if isinstance(key, str) and key in RULE_KEYS:
        return Utterance(f"utter_rules/{key}")
    return Utterance("utter_fallback")
