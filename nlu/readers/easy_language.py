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
# a pupil whose German is weak, about themselves: "ich versteh nicht so gut deutsch", "ich kann kaum
# deutsch", "mein deutsch ist nicht so gut". A request only when the message asks nothing else (a few
# words, no question word) or asks for simpler words ("... geht das leichter?"): "kann ich mit
# wenig deutsch eine ausbildung machen" and "ich spreche kaum deutsch, welche berufe gehen da" are
# questions to answer
_WEAK_GERMAN = re.compile(
    r"\b(?:versteh|sprech|sprich|kann|lese|les)\w*\b(?:\s+\w+){0,2}\s+"
    r"(?:nicht\s+(?:so\s+|sehr\s+)?(?:gut|viel)|kaum|wenig|schlecht|kein\w*)\s+(?:gutes\s+)?deutsch\b"
    r"|\bmein\s+deutsch\s+ist\s+(?:noch\s+)?(?:nicht\s+(?:so\s+|sehr\s+)?gut|schlecht)\b"
)
_ABOUT_ONESELF = re.compile(r"\b(?:ich|mein)\b")
_QUESTION = re.compile(
    r"\b(?:was|welche\w*|wie|wo|wann|warum|wieso|gibt|gibts)\b|\b(?:kann|darf|muss|soll)\s+(?:ich|man)\b"
)
_ASKS_SIMPLE = re.compile(r"\b(?:einfach|leicht)\w*\b")
_WEAK_GERMAN_ALONE_WORDS = 8
# "kannst du einfach schreiben?" (the message ends with it; "schreib einfach deutsch", "kannst du mir
# das nicht einfach sagen" and "das kann man leicht sagen" mean "just" or "easily")
_SIMPLY = re.compile(r"(?<!nicht )\b(?:einfach|leicht)\s+(?:schreiben|erklären|erklaeren)$")
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
    if any(pattern.search(words) for pattern in (_EASY_LANGUAGE, _SIMPLER, _EASY_ENGLISH, _SIMPLY)):
        return True
    if (
        _WEAK_GERMAN.search(words)
        and _ABOUT_ONESELF.search(words)
        and (
            _ASKS_SIMPLE.search(words)
            or (len(words.split()) <= _WEAK_GERMAN_ALONE_WORDS and not _QUESTION.search(words))
        )
    ):
        return True
    return None
