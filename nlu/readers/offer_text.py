"""What a message says about an offer search, in its words: the kind of offer, the start, the
radius, closer/wider, similar occupations, near me/anywhere ("nur Praktikum ab August in 10 km").

Patterns on folded text (lower case, ä -> ae, ß -> ss); button payloads ("/refine_offers{...}")
carry entities instead and read as nothing. `read_offer_words` returns `OfferWords`; the offer
search (actions/offer_logic.py) combines it with the entities of the message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from knowledge.slugs import fold

# Lower Saxony's summer holidays start in late June or July; offers from 1 July on are "in the summer".
SUMMER_START = (7, 1)


@dataclass(frozen=True)
class OfferWords:
    """What the words of one message say (None / False: nothing about that). `radius_km` is the
    number as typed; the search clamps it to its range."""

    kind: str | None = None
    any_kind: bool = False
    start_from: date | None = None
    any_start: bool = False
    radius_km: int | None = None
    closer: bool = False
    wider: bool = False
    related: bool | None = None
    near_me: bool = False
    anywhere: bool = False
    any_profession: bool = False


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


# Patterns run on folded text (lower case, ä -> ae, ß -> ss).
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "praktikumswoche",
        _rx(
            r"\bpraktikumswoche\w*",
            r"\bschnupper\w*",
            r"\beintages\w*",
            r"\bein(?:en)? tag (?:lang|reinschnuppern|praktikum)\b",
            r"\btaster day\w*",
            r"\bone[- ]day\b",
        ),
    ),
    ("dual_study", _rx(r"\bdual\w* (?:studium|study|studies)\b", r"\bstudium\b", r"\bstudieren\b")),
    # also the usual compounds ("Schülerpraktikum", "Ferienpraktikum"); not "Heilpraktiker"
    (
        "internship",
        _rx(
            r"\b(?:schueler|betriebs|ferien|schul|pflicht|orientierungs|sozial|berufs|sommer)?praktik\w*",
            r"\binternships?\b",
            r"\binterns?\b",
            r"\bwork experience\b",
        ),
    ),
    (
        "apprenticeship",
        _rx(
            r"\b(?:pflege|erzieher|handwerks)?ausbildung\w*",
            r"\blehrstelle\w*",
            r"\blehre\b",
            r"\bazubi\w*",
            r"\bapprentice\w*",
            r"\btraineeships?\b",
        ),
    ),
)
_ANY_KIND = _rx(
    r"\balle (?:arten|angebote|angebotsarten)\b",
    r"\begal (?:ob|welche art)\b",
    r"\bany kind\b",
    r"\ball kinds\b",
    r"\bevery kind\b",
)
_ANY_START = _rx(
    r"\begal wann\b", r"\bab sofort\b", r"\bsofort\b", r"\bany ?time\b", r"\bwhenever\b", r"\bright away\b"
)
_NEXT_YEAR = _rx(r"\bnaechste\w* jahr\b", r"\bnext year\b")
_SUMMER = _rx(
    r"\bsommerferien\b",
    r"\bim sommer\b",
    r"\bin den ferien\b",
    r"\bsummer (?:holidays?|break|vacation)\b",
    r"\bin (?:the )?summer\b",
)
_MONTHS: Mapping[str, int] = {
    "januar": 1, "jan": 1, "january": 1, "februar": 2, "feb": 2, "february": 2, "maerz": 3, "marz": 3,
    "march": 3, "april": 4, "apr": 4, "mai": 5, "may": 5, "juni": 6, "jun": 6, "june": 6, "juli": 7,
    "jul": 7, "july": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "october": 10, "oct": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
    "december": 12, "dec": 12,
}  # fmt: skip
# A month counts after a word that says "when"; alone only in a very short message ("august?").
_MONTH = re.compile(
    r"\b(?P<lead>ab|von|vom|im|in|zum|zu|bis|nach|anfang|beginn|start|starting|from|after|since|seit)?"
    r"\s*(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?(?:\s*(?P<year>20\d\d))?"
)
_RADIUS = re.compile(r"\b(?P<km>\d{1,3})\s*(?:km|kilometer\w*)\b")
_CLOSER = _rx(
    r"\bnaeher\b",
    r"\bnah(?:e)? dran\b",
    r"\bnicht so weit\b",
    r"\bkleiner\w* umkreis\b",
    r"\bcloser\b",
    r"\bnearer\b",
    r"\bnot so far\b",
    r"\bless far\b",
    r"\bsmaller radius\b",
)
_WIDER = _rx(
    r"\bweiter weg\b",
    r"\bweiter entfernt\b",
    r"\bweiter fahren\b",
    r"\bgroesser\w* umkreis\b",
    r"\bumkreis vergroesser\w*",
    r"\bfurther(?: away)?\b",
    r"\bfarther\b",
    r"\bwider\b",
    r"\b(?:bigger|larger) (?:radius|area)\b",
)
_NEAR_ME = _rx(
    r"\bin meiner naehe\b",
    r"\bnah(?:e)? bei mir\b",
    r"\bbei mir (?:in der naehe|um die ecke)\b",
    r"\bin der naehe\b",
    r"\bum mich (?:herum|rum)\b",
    r"\bwo ich wohne\b",
    r"\bin meinem ort\b",
    r"\bnear me\b",
    r"\bnearby\b",
    r"\bclose to me\b",
    r"\baround me\b",
    r"\bnear where i live\b",
    r"\bin my area\b",
)
_ANYWHERE = _rx(
    r"\bueberall\b",
    r"\begal wo\b",
    r"\bganze\w* (?:region|landkreis|kreis)\b",
    r"\banywhere\b",
    r"\beverywhere\b",
    r"\bwhole (?:region|area|district)\b",
)
_RELATED = _rx(r"\baehnlich\w*", r"\bverwandt\w*", r"\bsimilar\b", r"\brelated\b")
_NOT_RELATED = _rx(
    r"\b(?:ohne|keine|nicht|without|no|not)\b(?:\s+\w+){0,2}\s+(?:aehnlich\w*|verwandt\w*|similar|related)",
    r"\bnur (?:noch )?(?:den|die|das|der)? ?(?:beruf|job)\b",
)
_ANY_PROFESSION = _rx(
    r"\balle berufe\b",
    r"\begal welche\w* beruf\w*",
    r"\bjede\w* beruf\w*",
    r"\bbeliebige\w* beruf\w*",
    r"\bany (?:job|jobs|occupation)\b",
    r"\ball (?:jobs|occupations)\b",
)
_SHORT_MESSAGE_WORDS = 2


def find_kind(folded: str) -> str | None:
    """The one kind of offer a message names; None when it names none or several."""
    found: list[str] = []
    rest = folded
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(rest):
            found.append(kind)
            rest = pattern.sub(" ", rest)  # "Praktikumswoche" is not also a "Praktikum"
    return found[0] if len(found) == 1 else None


def next_occurrence(month: int, today: date, year: int | None = None) -> date:
    """The first day of `month` this year, or next year when that month is over."""
    if year is not None:
        return date(year, month, 1)
    candidate = date(today.year, month, 1)
    return candidate if month >= today.month else date(today.year + 1, month, 1)


def find_start(folded: str, today: date) -> date | None:
    """Dates like "ab August", "im September 2027", "in den Sommerferien", "nächstes Jahr" -> a first day."""
    short = len(folded.split()) <= _SHORT_MESSAGE_WORDS
    for match in _MONTH.finditer(folded):
        if match.group("lead") or match.group("year") or short:
            year = int(match.group("year")) if match.group("year") else None
            return next_occurrence(_MONTHS[match.group("month")], today, year)
    if _SUMMER.search(folded):
        return next_occurrence(SUMMER_START[0], today)
    if _NEXT_YEAR.search(folded):
        return date(today.year + 1, 1, 1)
    return None


def find_related(folded: str) -> bool | None:
    if _NOT_RELATED.search(folded):
        return False
    return True if _RELATED.search(folded) else None


def _folded_words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def read_offer_words(text: str, today: date) -> OfferWords:
    """The search facts in the words of a message; nothing for a button payload."""
    if text.lstrip().startswith("/"):
        return OfferWords()
    folded = _folded_words(text)
    radius = _RADIUS.search(folded)
    return OfferWords(
        kind=find_kind(folded),
        any_kind=bool(_ANY_KIND.search(folded)),
        start_from=find_start(folded, today),
        any_start=bool(_ANY_START.search(folded)),
        radius_km=int(radius.group("km")) if radius else None,
        closer=bool(_CLOSER.search(folded)),
        wider=bool(_WIDER.search(folded)),
        related=find_related(folded),
        near_me=bool(_NEAR_ME.search(folded)),
        anywhere=bool(_ANYWHERE.search(folded)),
        any_profession=bool(_ANY_PROFESSION.search(folded)),
    )


def is_anywhere(text: str) -> bool:
    """ "egal", "überall", "ganze Region": no place, search the whole region."""
    folded = _folded_words(text)
    return bool(_ANYWHERE.search(folded)) or folded in {"egal", "whatever", "doesnt matter", "no matter"}
