"""Small text helpers shared by the actions."""

from __future__ import annotations

import unicodedata

_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)


def fold(text: str) -> str:
    """Lower-case ASCII form of German text ("Bäckerin" -> "baeckerin"), for comparing words."""
    text = text.translate(_TRANSLITERATION).lower()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
