"""Which language a "switch language" request asks for (pure functions, tested without Rasa)."""

from __future__ import annotations

import re

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
