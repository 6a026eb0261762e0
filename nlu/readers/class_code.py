"""Class codes typed in the chat ("K7M4QX", "k7m 4qx", "mein code ist K7M-4QX").

A code has six characters from an alphabet without 0/O and 1/I/L, with at least two digits and
two letters (api/classes/codes.py makes them by the same rules; a test keeps the two in step), so an
everyday word or a number is never read as a code. Pure Python: the Rasa component
(nlu/class_code_extractor.py), the actions and the Telegram bridge share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
DIGITS = "23456789"
ALPHABET = LETTERS + DIGITS
CODE_LENGTH = 6

# Six characters, or three and three with one space or hyphen between (as the projector shows it).
# A lookahead, so that candidates may overlap: in "ist K7M-4QX" both "ist K7M" and "K7M-4QX" are tried.
_CANDIDATE = re.compile(r"(?<!\w)(?=([a-z0-9]{3})([ \-–]?)([a-z0-9]{3})(?!\w))", re.IGNORECASE)
# Words around a code that say nothing else ("mein Klassencode ist: K7M 4QX").
_FILLER = frozenset(
    (
        "code",
        "klassencode",
        "klassen-code",
        "kurscode",
        "der",
        "die",
        "das",
        "mein",
        "meine",
        "unser",
        "unsere",
        "ist",
        "lautet",
        "hier",
        "heißt",
        "heisst",
        "klasse",
        "klassenraum",
        "beitreten",
        "beitritt",
        "rein",
        "join",
        "joining",
        "class",
        "my",
        "our",
        "the",
        "is",
        "here",
        "ok",
        "okay",
        "also",
        "und",
        "and",
        "bitte",
        "please",
        "hi",
        "hallo",
        "hey",
        "moin",
    )
)
_WORD = re.compile(r"[\w:-]+")


def is_well_formed(code: str) -> bool:
    if len(code) != CODE_LENGTH or any(character not in ALPHABET for character in code):
        return False
    digits = sum(character in DIGITS for character in code)
    return digits >= 2 and CODE_LENGTH - digits >= 2


@dataclass(frozen=True)
class CodeMention:
    code: str  # upper case, no separator
    start: int
    end: int


def find_class_code(text: str) -> CodeMention | None:
    """The one class code in `text`; None for none or several different ones."""
    found: dict[str, CodeMention] = {}
    for match in _CANDIDATE.finditer(text):
        code = (match.group(1) + match.group(3)).upper()
        if is_well_formed(code):
            end = match.start() + len(match.group(1)) + len(match.group(2)) + len(match.group(3))
            found.setdefault(code, CodeMention(code=code, start=match.start(), end=end))
    return next(iter(found.values())) if len(found) == 1 else None


def is_only_a_code(text: str) -> bool:
    """The message is a code and at most a few words that only introduce it."""
    mention = find_class_code(text)
    if mention is None:
        return False
    rest = (text[: mention.start] + " " + text[mention.end :]).lower()
    return all(word.strip(":-") in _FILLER or not word.strip(":-") for word in _WORD.findall(rest))
