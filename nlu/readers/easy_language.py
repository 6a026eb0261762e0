"""A pupil asking for easy German ("einfache Sprache") or for normal German again, in words.

The widget's menu and Telegram's /einfach send `/switch_language{"easy_language":"true"}`; this
reader gives a typed request the same meaning: "kannst du in einfacher sprache schreiben",
"bitte leichte sprache", "erklär das einfacher", "easy german please". It is built for precision:
"ist die ausbildung einfach?" or "was ist einfacher, koch oder bäcker" ask about something else
and are left alone. Pure Python: the Rasa component nlu/easy_language_reader.py uses it.
"""

from __future__ import annotations

import re

# "einfache(r/n) Sprache", "leichte Sprache", "in einfach sprache" (typed without the ending)
# ("einfach deutsch" is left alone: "schreib einfach deutsch" means "just write German")
_EASY_LANGUAGE = re.compile(
    r"\b(?:einfach|leicht)(?:e|er|en)?\s+sprache\b|\b(?:einfach|leicht)(?:es|em|eres|erem)\s+deutsch\b"
)
# "schreib/erklär/sag/formulier ... einfacher", "einfacher schreiben/erklären/sagen/reden"
_VERBS = r"(?:schreib|erklär|erklaer|sag|red|sprich|sprech|formulier|antwort)\w*"
_SIMPLER = re.compile(
    rf"\b{_VERBS}\b(?:\s+\w+){{0,4}}\s+(?:einfacher|leichter|simpler)\b"
    rf"|\b(?:einfacher|leichter|simpler)\s+{_VERBS}\b"
)
_EASY_ENGLISH = re.compile(r"\b(?:easy|easier|simple|simpler|plain)\s+(?:german|language)\b")
_NORMAL = re.compile(
    r"\b(?:normale?n?|wieder\s+normal)\s+(?:deutsch|sprache)\b"
    r"|\bnicht\s+mehr\s+(?:in\s+)?(?:einfach|leicht)(?:e|er|en)?\s*(?:sprache|deutsch)?\b"
    r"|\b(?:normal|standard)\s+german\b"
)


def easy_language_request(text: str) -> bool | None:
    """True: the pupil asks for easy German; False: for normal German again; None: neither."""
    words = " ".join(re.findall(r"\w+", text.lower()))
    if _NORMAL.search(words):
        return False
    if _EASY_LANGUAGE.search(words) or _SIMPLER.search(words) or _EASY_ENGLISH.search(words):
        return True
    return None
