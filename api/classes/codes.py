"""Class codes: six characters that are easy to read aloud from a projector and to type.

The alphabet leaves out 0/O, 1/I/L (and so never needs a case); every code has at least two digits
and two letters, so a code typed in the chat cannot be mistaken for an everyday word (nlu/readers/
class_code.py reads it with the same rules).
"""

from __future__ import annotations

import re
import secrets

LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
DIGITS = "23456789"
ALPHABET = LETTERS + DIGITS
CODE_LENGTH = 6
MIN_DIGITS = 2
MIN_LETTERS = 2

_SEPARATORS = re.compile(r"[\s\-–.]+")


def is_well_formed(code: str) -> bool:
    if len(code) != CODE_LENGTH or any(character not in ALPHABET for character in code):
        return False
    digits = sum(character in DIGITS for character in code)
    return digits >= MIN_DIGITS and CODE_LENGTH - digits >= MIN_LETTERS


def new_code() -> str:
    """A random well-formed code (from `secrets`: a code must not be guessable from the last one)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if is_well_formed(code):
            return code


def normalize_code(typed: str) -> str | None:
    """The code in `typed` ("k7m 4qx", "K7M-4QX"), upper-case without separators; None when it
    cannot be one."""
    text = _SEPARATORS.sub("", typed.strip()).upper()
    return text if is_well_formed(text) else None


def display_code(code: str) -> str:
    """ "K7M4QX" -> "K7M 4QX": two groups of three are easier to read aloud."""
    return f"{code[:3]} {code[3:]}"
