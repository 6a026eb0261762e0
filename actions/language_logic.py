"""Which language a "switch language" request asks for (pure functions, tested without Rasa)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from actions.api_client import Language
from actions.text_utils import fold

# Folded words that name a language, in German, English and the usual typos.
_LANGUAGE_WORDS: dict[Language, frozenset[str]] = {
    "en": frozenset({"english", "englisch", "englsh", "engl", "englich", "inglish", "en", "eng"}),
    "de": frozenset({"deutsch", "german", "germen", "dt", "de", "deutch", "duetsch", "dtsch"}),
}
_WORD = re.compile(r"[a-z]+")


def other_language(language: Language) -> Language:
    return "de" if language == "en" else "en"


def requested_language(text: str | None, current: Language) -> Language:
    """The language named in the message; when it names none ("sprache wechseln") or both, the other one."""
    words = set(_WORD.findall(fold(text or "")))
    named = [language for language, names in _LANGUAGE_WORDS.items() if words & names]
    if len(named) == 1:
        return named[0]
    return other_language(current)


def language_from_metadata(metadata: object) -> Language | None:
    """The language a channel reports for the pupil: the web widget's page language (`language`)
    or Telegram's app language (`language_code`, e.g. "en-GB"). None for anything but German or
    English, so those pupils start in German, the default."""
    if not isinstance(metadata, Mapping):
        return None
    for key in ("language", "language_code"):
        value = metadata.get(key)
        if isinstance(value, str):
            primary = value.strip().lower().replace("_", "-").split("-")[0]
            if primary in ("de", "en"):
                return cast(Language, primary)
    return None


EASY_LANGUAGE_ENTITY = "easy_language"
_TRUE = frozenset({"1", "true", "on", "yes"})


def easy_language_from_metadata(metadata: object) -> bool:
    """Whether the channel asks for easy German (the widget's setting: metadata easy_language "1")."""
    if not isinstance(metadata, Mapping):
        return False
    value = metadata.get(EASY_LANGUAGE_ENTITY)
    return isinstance(value, str) and value.strip().lower() in _TRUE


def easy_language_request(entities: Sequence[Mapping[str, Any]]) -> bool | None:
    """The widget's menu switch: /switch_language{"easy_language":"true"|"false"}; None when the
    message does not set it (then the pupil asked for another language)."""
    for entity in entities:
        if entity.get("entity") == EASY_LANGUAGE_ENTITY:
            return str(entity.get("value")).strip().lower() in _TRUE
    return None


def is_first_session(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the conversation has had no session before the one now starting."""
    return not any(event.get("event") == "session_started" for event in events)
