"""Stable, URL-safe identifiers for occupations and municipalities."""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)


def fold(text: str) -> str:
    """Lower-case ASCII form of German text: umlauts become ae/oe/ue, ß becomes ss, accents drop."""
    text = text.translate(_TRANSLITERATION).lower()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
