"""Which search to save, and how a saved search reads: pure functions, tested without Rasa."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from actions.alerts_api import SavedSearchInfo, SearchRequest
from actions.offer_logic import DomainTexts, MessageFacts, SearchState, format_date, kind_label

TELEGRAM_PREFIX = "tg-"
DELIVERY_TOKEN_KEY = "delivery_token"


def topic_from_entities(entities: Iterable[Mapping[str, Any]]) -> str | None:
    for entity in entities:
        value = entity.get("value")
        if entity.get("entity") == "topic" and isinstance(value, str) and value:
            return value
    return None


def search_to_save(
    facts: MessageFacts,
    topic: str | None,
    previous: SearchState | None,
    context_profession: str | None,
    home: str | None,
) -> SearchRequest | None:
    """The search the pupil means, or None when we cannot tell what to watch.

    A message that names an occupation or a topic ("sag mir Bescheid bei neuen Stellen als Koch in
    Melle") is a search of its own; its place, radius and kind come from the same message. A bare
    "sag mir Bescheid, wenn es was Neues gibt" keeps the last offer search, with what the message
    changes; without one, the occupation the conversation is about.
    """
    place = facts.place or (home if facts.near_me else None)
    if facts.profession or topic:
        return SearchRequest(
            profession=facts.profession,
            topic=None if facts.profession else topic,
            place=place,
            radius_km=float(facts.radius_km) if facts.radius_km else None,
            kind=facts.kind,
        )
    if previous is not None and previous.profession:
        kind = None if facts.any_kind else facts.kind or previous.kind
        chosen_place = None if facts.anywhere else place or previous.place
        radius = facts.radius_km or (previous.radius_km if chosen_place == previous.place else None)
        return SearchRequest(
            profession=previous.profession,
            place=chosen_place,
            radius_km=float(radius) if chosen_place and radius else None,
            kind=kind,
        )
    if context_profession:
        return SearchRequest(
            profession=context_profession,
            place=place,
            radius_km=float(facts.radius_km) if facts.radius_km else None,
            kind=facts.kind,
        )
    return None


def delivery_token(sender_id: str, metadata: object) -> str | None:
    """The Telegram bridge's token for this chat (only Telegram conversations have one)."""
    if not sender_id.startswith(TELEGRAM_PREFIX) or not isinstance(metadata, Mapping):
        return None
    value = metadata.get(DELIVERY_TOKEN_KEY)
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def format_radius(radius: float, language: str) -> str:
    text = f"{radius:g}"
    return text.replace(".", ",") if language == "de" else text


def search_label(search: SavedSearchInfo, texts: DomainTexts) -> str:
    """ "Tischler/in bis 25 km um Melle, nur Ausbildung" in the conversation's language."""
    label = search.subject(texts.language)
    if search.place:
        radius = format_radius(search.radius_km or 25.0, texts.language)
        label = texts("utter_alert_label_near", search=label, radius=radius, place=search.place)
    if search.kind:
        label = texts("utter_alert_label_kind", search=label, kind=kind_label(search.kind, texts))
    return label


def until_label(search: SavedSearchInfo, texts: DomainTexts) -> str:
    return format_date(search.ends_on, texts) if search.ends_on else "–"
