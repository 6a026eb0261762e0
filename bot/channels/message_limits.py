"""What a pupil's message may be before Rasa's NLU sees it (stdlib only: it runs inside the Rasa
engine, Python 3.10, for the REST channel and on the services' Python for the Telegram bridge).

NLU time grows with the square of a message's length, and one long message stalls every other
pupil on the same Rasa server; so messages are checked at the edge and a refused one is answered
kindly (texts in `refusals.yml`) without reaching Rasa. Typed `/intent{...}` messages are Rasa's
button syntax: only known intents with short, plain entity values pass; anything else goes to NLU
as ordinary text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from enum import Enum

# A pupil's message: one screen of text is plenty for a question to a career guide.
MAX_MESSAGE_CHARS = 1000
# Entity values in button payloads are slugs, ids and short mentions ("Mechaniker", "r01:4").
MAX_ENTITY_VALUE_CHARS = 100
MAX_PAYLOAD_ENTITIES = 5
# Letters of any script, digits, space and the punctuation slugs, ids and place names use; no
# markup characters, so a value can never become HTML in a client that renders it.
ENTITY_VALUE = re.compile(r"^[\w .,:'()/+-]+$")
PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]{1,64})(?P<entities>\{.*\})?$", re.DOTALL)
# Line breaks and tabs are text; every other control character (and a lone surrogate, which JSON
# can smuggle in as "\ud800") makes a message unreadable.
ALLOWED_CONTROLS = frozenset("\n\r\t")


class Refusal(str, Enum):
    """Why a message is not passed on; the value names its text in `refusals.yml`."""

    TOO_LONG = "message_too_long"
    EMPTY = "message_empty"
    UNREADABLE = "message_unreadable"
    NO_ANSWER = "no_answer"  # not about the message: Rasa had nothing to say (a service is down)


@dataclass(frozen=True)
class PayloadPolicy:
    """What a typed or pressed `/intent{...}` may carry: the domain's intents and entities; an
    entity that fills a categorical slot only with one of that slot's values."""

    intents: Set[str] = frozenset()
    entities: Set[str] = frozenset()
    entity_values: Mapping[str, Set[str]] = field(default_factory=dict)

    def allows(self, message: str) -> bool:
        match = PAYLOAD.match(message)
        if match is None or match["intent"] not in self.intents:
            return False
        if match["entities"] is None:
            return True
        try:
            entities = json.loads(match["entities"])
        except ValueError:
            return False
        if not isinstance(entities, dict) or len(entities) > MAX_PAYLOAD_ENTITIES:
            return False
        return all(self._allows_entity(name, value) for name, value in entities.items())

    def _allows_entity(self, name: str, value: object) -> bool:
        if name not in self.entities or not isinstance(value, str):
            return False
        if not value or len(value) > MAX_ENTITY_VALUE_CHARS or not ENTITY_VALUE.match(value):
            return False
        allowed = self.entity_values.get(name)
        return allowed is None or value in allowed


def refusal_for(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> Refusal | None:
    """Why `text` must not reach NLU, or None when it may."""
    if len(text) > max_chars:
        return Refusal.TOO_LONG
    if not text.strip():
        return Refusal.EMPTY
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in ALLOWED_CONTROLS):
            return Refusal.UNREADABLE
    return None


def as_pupil_text(message: str, policy: PayloadPolicy) -> str:
    """The message as Rasa may see it: a payload the policy allows stays a payload; any other
    leading slash is dropped, so the words go through NLU like typed text ("/hilfe" -> "hilfe");
    the result may be empty ("/")."""
    if message.startswith("/") and not policy.allows(message):
        return message.lstrip("/").lstrip()
    return message
