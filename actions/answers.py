"""What the assistant's latest answer was about, read from the conversation's events.

Follow-ups ("und in Melle?", "nur Praktikum", "mehr", "und was verdient man da") mean the thing the
pupil saw last. The action that ran is not always what answered: action_search_offers hands a
search for a field over to the field's list (action_explore_professions), and that action hands a
place asked about one occupation over to its offers. Which answer it was shows in the slots the
action set: the list sets `explore_query`, the offers `offer_search`. One function reads it, for
every follow-up rule in actions/offers.py and actions/explore.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

Answer = Literal["offers", "list", "profession", "compare", "other"]

OFFERS_ACTION = "action_search_offers"
LIST_ACTION = "action_explore_professions"
OFFER_SLOT = "offer_search"
LIST_SLOT = "explore_query"
# answers that do not change what the conversation is about: a thank-you, a rule of training, the
# place form asking, small talk (any response), listening, switching the language, "I did not
# understand" with its suggestions, the details of one offer shown
_NEUTRAL_PREFIXES = ("utter_", "action_listen", "action_session_start", "action_extract_slots")
_NEUTRAL = frozenset(
    {
        "action_show_rule",
        "offer_place_form",
        "validate_offer_place_form",
        "action_cancel_offer_place",
        "action_switch_language",
        "action_fallback_search",
        "action_default_fallback",
        "action_show_offer",
    }
)


def _is_neutral(name: str) -> bool:
    return name in _NEUTRAL or name.startswith(_NEUTRAL_PREFIXES)


def _classify(name: str, slots: Mapping[str, Any]) -> Answer:
    if name == OFFERS_ACTION:
        return "list" if LIST_SLOT in slots else "offers"
    if name == LIST_ACTION:
        if OFFER_SLOT in slots:
            return "offers"
        return "list" if LIST_SLOT in slots else "profession"  # a follow-up answered about one occupation
    if name == "action_answer_profession":
        return "profession"
    if name == "action_compare_professions":
        return "compare"
    return "other"


def latest_answer(events: Sequence[Mapping[str, Any]]) -> Answer | None:
    """The kind of the latest answer before the latest message that was not neutral (a response,
    a rule, the place form), or None when there is none. "other": anything else (the check, the
    hand-off, ...), which ends the context of an earlier list or search."""
    before_latest = _before_latest_message(events)
    slots: dict[str, Any] = {}  # the slots set after the action looked at, up to the next action
    for event in reversed(before_latest):
        kind = event.get("event")
        if kind == "slot":
            slots.setdefault(str(event.get("name")), event.get("value"))
        elif kind == "action":
            name = str(event.get("name") or "")
            if not _is_neutral(name):
                return _classify(name, slots)
            slots = {}
        elif kind == "user":
            slots = {}
    return None


def _before_latest_message(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return list(events[:index])
    return list(events)


def topic_of(query: object) -> str | None:
    """The field of a list's query as kept in the slot `explore_query`."""
    if isinstance(query, Mapping) and isinstance(query.get("topic"), str) and query["topic"]:
        return str(query["topic"])
    return None


def listed_field(events: Sequence[Mapping[str, Any]], query: object) -> bool:
    """Whether the latest answer was the list for a field (whichever action made it)."""
    return latest_answer(events) == "list" and topic_of(query) is not None
