"""Decisions behind the offer search in the chat, as pure functions (no Rasa, no I/O).

1. What does a message ask for? (`read_message`: occupation, kind of offer, place, start, radius,
   "auch ähnliche Berufe" ..., from the entities and the words of the message)
2. Which search follows? (`plan_new_search`, `plan_refinement`, `plan_more`, `resume_with_place`:
   a search to run, the pupil's place to ask for, or an occupation to choose)
3. What to show? (`card_utterance`, `results_intro`, `footer_buttons`, `alternative_buttons`)

The last search is kept in the `offer_search` slot (`SearchState.to_slot()`), so follow-ups
("mehr", "nur Praktikum", "näher dran", "ab August", "auch ähnliche Berufe") change it step by step.

Every pupil-facing text is a response in bot/domain/offers.yml. Small pieces (the name of a kind of
offer, a button title with a number) are responses too; `DomainTexts` renders them from the domain
the action server receives with every call, in the conversation's language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from actions.api_client import Language
from actions.offers_api import OfferCard, OfferDetail, OfferQuery, Place, parse_id
from actions.profession_logic import Button, TemplateValue, Utterance, is_valid_slug
from actions.text_utils import fold
from knowledge.matching import MunicipalityMatcher
from knowledge.schema import Municipality

PAGE_SIZE = 3
DEFAULT_RADIUS_KM = 25
RADIUS_STEPS = (5, 10, 25, 50, 100)
MAX_RADIUS_KM = RADIUS_STEPS[-1]
KINDS = ("apprenticeship", "dual_study", "internship", "praktikumswoche")
# Alternatives offered when nothing fits, at most this many (only those that find something).
MAX_ALTERNATIVES = 3
# Lower Saxony's summer holidays start in late June or July; offers from 1 July on are "in the summer".
SUMMER_START = (7, 1)


# --- texts from the domain ------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


def interpolate(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{name}` placeholders the way Rasa does (rasa.core.nlg.interpolator.interpolate_text)."""
    text = _PLACEHOLDER.sub(r"{0[\1]}", template)
    try:
        return text.format(dict(values))
    except (KeyError, IndexError, ValueError):
        return template


class DomainTexts:
    """Renders texts of the domain's responses in one language (for pieces that go inside
    another response or into a button title)."""

    def __init__(self, domain: Mapping[str, Any], language: Language) -> None:
        self._responses: Mapping[str, Any] = domain.get("responses") or {}
        self.language = language

    def __call__(self, response: str, /, **values: TemplateValue) -> str:
        return interpolate(self.template(response), values)

    def template(self, name: str) -> str:
        variations = self._responses.get(name)
        if not variations:
            raise KeyError(f"response {name} is not in the domain")
        default: str | None = None
        for variation in variations:
            conditions = variation.get("condition") or []
            languages = {c.get("value") for c in conditions if c.get("name") == "language"}
            if not conditions and default is None:
                default = str(variation.get("text") or "")
            elif self.language in languages:
                return str(variation.get("text") or "")
        if default is None:
            raise KeyError(f"response {name} has no default text")
        return default


# --- formatting -----------------------------------------------------------------------------------


def format_date(day: date, language: Language) -> str:
    """01.08.2026 in German, 2026-08-01 in English (no month names, so no words in code)."""
    return day.isoformat() if language == "en" else day.strftime("%d.%m.%Y")


def format_km(distance: float, language: Language) -> str:
    """2,4 / 2.4 below 10 km, whole kilometres from there."""
    text = f"{distance:.1f}" if distance < 10 else f"{distance:.0f}"
    return text.replace(".", ",") if language == "de" else text


def distance_suffix(distance: float | None, language: Language) -> str:
    return "" if distance is None else f" · {format_km(distance, language)} km"


# --- the search state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchState:
    """The filters of the last search and what was shown (kept in the `offer_search` slot)."""

    profession: str | None = None
    kind: str | None = None
    place: str | None = None  # a municipality's name, sent as `near`
    radius_km: int = DEFAULT_RADIUS_KM
    start_from: date | None = None
    include_related: bool = False
    offset: int = 0
    shown: tuple[int, ...] = ()
    viewed: int | None = None  # the offer whose details were shown last

    def to_slot(self) -> dict[str, Any]:
        return {
            "profession": self.profession,
            "kind": self.kind,
            "place": self.place,
            "radius_km": self.radius_km,
            "start_from": self.start_from.isoformat() if self.start_from else None,
            "include_related": self.include_related,
            "offset": self.offset,
            "shown": list(self.shown),
            "viewed": self.viewed,
        }

    @classmethod
    def from_slot(cls, value: object) -> SearchState | None:
        """The state from the slot; None when there is none (or it cannot be read)."""
        if not isinstance(value, Mapping):
            return None
        profession = value.get("profession")
        kind = value.get("kind")
        place = value.get("place")
        radius = value.get("radius_km")
        start = value.get("start_from")
        offset = value.get("offset")
        try:
            start_from = date.fromisoformat(start) if isinstance(start, str) else None
        except ValueError:
            start_from = None
        shown = [parse_id(item) for item in value.get("shown") or ()]
        return cls(
            profession=profession if is_valid_slug(profession) else None,
            kind=kind if kind in KINDS else None,
            place=place if isinstance(place, str) and place else None,
            radius_km=clamp_radius(radius) if isinstance(radius, int | float) else DEFAULT_RADIUS_KM,
            start_from=start_from,
            include_related=value.get("include_related") is True,
            offset=max(0, int(offset)) if isinstance(offset, int | float) else 0,
            shown=tuple(item for item in shown if item is not None),
            viewed=parse_id(value.get("viewed")),
        )

    def query(self, limit: int = PAGE_SIZE) -> OfferQuery:
        return OfferQuery(
            profession=self.profession,
            kind=self.kind,
            near=self.place,
            radius_km=float(self.radius_km) if self.place else None,
            start_from=self.start_from,
            include_related=self.include_related and self.profession is not None,
            limit=limit,
            offset=self.offset,
        )


def clamp_radius(value: float) -> int:
    return max(1, min(MAX_RADIUS_KM, round(value)))


def closer_radius(radius: int) -> int:
    smaller = [step for step in RADIUS_STEPS if step < radius]
    return smaller[-1] if smaller else radius


def wider_radius(radius: int) -> int:
    larger = [step for step in RADIUS_STEPS if step > radius]
    return larger[0] if larger else radius


# --- 1. What does a message ask for? ---------------------------------------------------------------


@dataclass(frozen=True)
class MessageFacts:
    """What one message says about the search (None / False: it says nothing about that)."""

    profession: str | None = None
    profession_query: str | None = None
    place: str | None = None
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
    ("internship", _rx(r"\bpraktik\w*", r"\binternships?\b", r"\binterns?\b", r"\bwork experience\b")),
    (
        "apprenticeship",
        _rx(
            r"\bausbildung\w*",
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

# Refinements sent by buttons: /refine_offers{"offer_refinement": "<value>"}
REFINEMENTS: Mapping[str, MessageFacts] = {
    "closer": MessageFacts(closer=True),
    "wider": MessageFacts(wider=True),
    "related": MessageFacts(related=True),
    "unrelated": MessageFacts(related=False),
    "any_kind": MessageFacts(any_kind=True),
    "any_start": MessageFacts(any_start=True),
    "anywhere": MessageFacts(anywhere=True),
    "near_me": MessageFacts(near_me=True),
    "any_profession": MessageFacts(any_profession=True),
    **{kind: MessageFacts(kind=kind) for kind in KINDS},
}


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


def read_text(text: str, today: date) -> MessageFacts:
    """The search facts in the words of a message (button payloads carry entities instead)."""
    if text.lstrip().startswith("/"):
        return MessageFacts()
    folded = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
    radius = _RADIUS.search(folded)
    return MessageFacts(
        kind=find_kind(folded),
        any_kind=bool(_ANY_KIND.search(folded)),
        start_from=find_start(folded, today),
        any_start=bool(_ANY_START.search(folded)),
        radius_km=clamp_radius(int(radius.group("km"))) if radius else None,
        closer=bool(_CLOSER.search(folded)),
        wider=bool(_WIDER.search(folded)),
        related=find_related(folded),
        near_me=bool(_NEAR_ME.search(folded)),
        anywhere=bool(_ANYWHERE.search(folded)),
        any_profession=bool(_ANY_PROFESSION.search(folded)),
    )


def merge_facts(base: MessageFacts, extra: MessageFacts) -> MessageFacts:
    """`base` with everything `extra` says on top."""
    changes = {
        name: getattr(extra, name)
        for name in MessageFacts.__dataclass_fields__
        if getattr(extra, name) not in (None, False)
    }
    if extra.related is False:
        changes["related"] = False
    return replace(base, **changes)


# --- places ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _matcher(places: tuple[Place, ...]) -> MunicipalityMatcher:
    return MunicipalityMatcher(
        Municipality(
            slug=place.slug,
            name=place.name,
            kind=place.kind,
            samtgemeinde=place.samtgemeinde,
            postcodes=place.postcodes,
            lat=place.lat or 0.0,
            lon=place.lon or 0.0,
        )
        for place in places
    )


def place_in_text(text: str, places: tuple[Place, ...]) -> str | None:
    """The one municipality a message names (names with typos, postcodes), as its name."""
    if not places or text.lstrip().startswith("/"):
        return None
    matcher = _matcher(places)
    named = {mention.slug for mention in matcher.find_mentions(text) if mention.slug}
    if len(named) != 1:
        return None
    found = matcher.get(named.pop())
    return found.name if found else None


def resolve_place(text: str, places: tuple[Place, ...]) -> str | None:
    """What the pupil answered to "where do you live?" (a name, a typo, a postcode, a sentence)."""
    if not places or not text.strip() or text.lstrip().startswith("/"):
        return None
    found = _matcher(places).resolve(text)
    return found.name if found else place_in_text(text, places)


def is_anywhere(text: str) -> bool:
    """ "egal", "überall", "ganze Region": no place, search the whole region."""
    folded = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
    return bool(_ANYWHERE.search(folded)) or folded in {"egal", "whatever", "doesnt matter", "no matter"}


# --- 2. Which search follows? ---------------------------------------------------------------------


@dataclass(frozen=True)
class RunSearch:
    state: SearchState


@dataclass(frozen=True)
class AskPlace:
    """The pupil asked for offers near them and we do not know where they live."""

    state: SearchState  # everything but the place


@dataclass(frozen=True)
class ChooseProfession:
    """A word that fits several occupations ("Mechaniker"): the pupil chooses, the rest is kept."""

    query: str
    state: SearchState


@dataclass(frozen=True)
class NothingToContinue:
    """ "mehr" without a search before it."""


SearchStep = RunSearch | AskPlace | ChooseProfession | NothingToContinue


def facts_from_message(
    text: str,
    entities: Iterable[Mapping[str, Any]],
    places: tuple[Place, ...],
    today: date,
) -> MessageFacts:
    """Entities (occupation, refinements from buttons) and the words of one message, combined."""
    facts = read_text(text, today)
    profession: str | None = None
    query: str | None = None
    place: str | None = None
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name == "profession" and is_valid_slug(value) and profession is None:
            profession = str(value)
        elif name == "profession_query" and isinstance(value, str) and value.strip() and query is None:
            query = value.strip()
        elif name == "offer_refinement" and isinstance(value, str) and value in REFINEMENTS:
            facts = merge_facts(facts, REFINEMENTS[value])
        elif name == "place" and isinstance(value, str) and place is None:
            # a button's place ("Angebote" under a list asked for near a place)
            place = resolve_place(value, places)
    return replace(
        facts,
        profession=profession,
        profession_query=None if profession else query,
        place=place_in_text(text, places) or place,
    )


# The entity value of the check result's "Angebote dazu" button.
CHECK_PROFILE = "check_profile"


@dataclass(frozen=True)
class CheckProfile:
    """Where and what the pupil looks for, as given in the career-choice check."""

    place: str | None = None  # the municipality's name
    radius_km: int | None = None
    kind: str | None = None


def asks_for_check_profile(entities: Iterable[Mapping[str, Any]]) -> bool:
    return any(e.get("entity") == "offer_refinement" and e.get("value") == CHECK_PROFILE for e in entities)


def with_check_profile(facts: MessageFacts, profile: CheckProfile) -> MessageFacts:
    """ "Angebote dazu" from the check's result: the place, radius and kind from the check,
    wherever the message itself says nothing about them."""
    return replace(
        facts,
        place=facts.place or profile.place,
        radius_km=facts.radius_km if facts.radius_km is not None else profile.radius_km,
        kind=facts.kind or (None if facts.any_kind else profile.kind),
    )


def _with_place(state: SearchState, facts: MessageFacts, home: str | None) -> SearchStep:
    """Apply what the message says about the place and the radius."""
    radius = state.radius_km
    if facts.radius_km is not None:
        radius = facts.radius_km
    elif facts.closer:
        radius = closer_radius(radius)
    elif facts.wider:
        radius = wider_radius(radius)
    state = replace(state, radius_km=radius)
    if facts.place:
        return RunSearch(replace(state, place=facts.place))
    if facts.anywhere:
        return RunSearch(replace(state, place=None))
    if facts.near_me or facts.closer or (facts.radius_km is not None and not state.place):
        place = state.place or home
        if place is None:
            return AskPlace(replace(state, place=None))
        return RunSearch(replace(state, place=place))
    return RunSearch(state)


def _combine(state: SearchState, facts: MessageFacts, fallback: str | None, home: str | None) -> SearchStep:
    """Apply what the message says about the occupation, the place and the radius."""
    ambiguous = facts.profession_query if not facts.profession else None
    if facts.profession:
        state = replace(state, profession=facts.profession)
    elif ambiguous or facts.any_profession:
        state = replace(state, profession=None, include_related=False)
    elif fallback:
        state = replace(state, profession=fallback)
    step = _with_place(state, facts, home)
    if ambiguous and isinstance(step, RunSearch | AskPlace):
        return ChooseProfession(ambiguous, step.state)
    return step


def plan_new_search(
    previous: SearchState | None,
    facts: MessageFacts,
    profession_context: str | None,
    home: str | None,
) -> SearchStep:
    """A new search ("Ausbildung als Koch in Bramsche"): the place and radius carry over from
    the last search, everything else comes from this message. Without an occupation in the
    message, the one talked about before (the `profession` slot) is meant."""
    base = SearchState(
        place=previous.place if previous else None,
        radius_km=previous.radius_km if previous else DEFAULT_RADIUS_KM,
        kind=None if facts.any_kind else facts.kind,
        start_from=None if facts.any_start else facts.start_from,
        include_related=bool(facts.related),
    )
    context = profession_context if is_valid_slug(profession_context) else None
    return _combine(base, facts, context, home)


def plan_refinement(
    previous: SearchState | None,
    facts: MessageFacts,
    profession_context: str | None,
    home: str | None,
) -> SearchStep:
    """A follow-up ("nur Praktikum", "näher dran", "ab August", "auch ähnliche Berufe", "in
    Melle"): the last search with this message's changes, from the first page."""
    if previous is None:
        return plan_new_search(None, facts, profession_context, home)
    state = replace(previous, offset=0, shown=(), viewed=None)
    if facts.kind:
        state = replace(state, kind=facts.kind)
    elif facts.any_kind:
        state = replace(state, kind=None)
    if facts.start_from:
        state = replace(state, start_from=facts.start_from)
    elif facts.any_start:
        state = replace(state, start_from=None)
    if facts.related is not None:
        state = replace(state, include_related=facts.related)
    return _combine(state, facts, None, home)


def plan_more(previous: SearchState | None) -> SearchStep:
    if previous is None:
        return NothingToContinue()
    return RunSearch(replace(previous, offset=previous.offset + PAGE_SIZE, viewed=None))


def resume_with_place(pending: SearchState | None, place: str | None) -> SearchStep:
    """The pupil told us where they live (None: "egal", the whole region)."""
    state = replace(pending or SearchState(), offset=0, shown=())
    return RunSearch(replace(state, place=place or None))


# --- 3. What to show ------------------------------------------------------------------------------


def kind_label(kind: str, texts: DomainTexts) -> str:
    return texts(f"utter_offer_label_kind_{kind}")


def notice(card: OfferCard, texts: DomainTexts) -> str:
    """Marks under a card: demo data, an offer of a related occupation."""
    lines: list[str] = []
    if card.related:
        lines.append(
            texts("utter_offer_label_related_offer", name=card.profession_display_name(texts.language))
        )
    if card.is_demo:
        lines.append(texts("utter_offer_label_demo"))
    return "".join(f"\n{line}" for line in lines)


def start_text(card: OfferCard, texts: DomainTexts) -> str:
    if card.start_date is None:
        return texts("utter_offer_label_start_open")
    return format_date(card.start_date, texts.language)


def card_values(card: OfferCard, texts: DomainTexts) -> dict[str, TemplateValue]:
    return {
        "offer_id": card.id,
        "title": card.title,
        "company": card.company_name,
        "place": card.place,
        "distance": distance_suffix(card.distance_km, texts.language),
        "kind": kind_label(card.kind, texts),
        "start": start_text(card, texts),
        "notice": notice(card, texts),
    }


def card_utterance(card: OfferCard, texts: DomainTexts) -> Utterance:
    response = "utter_offer_card" if card.contactable else "utter_offer_card_apply_only"
    return Utterance(response, card_values(card, texts))


def details_utterance(offer: OfferDetail, texts: DomainTexts) -> Utterance:
    how = " · ".join(part for part in (offer.apply_url, offer.apply_contact) if part)
    values = {
        **card_values(offer.card, texts),
        "description": offer.description,
        "apply": how or offer.company_website or texts("utter_offer_label_apply_unknown"),
    }
    response = "utter_offer_details" if offer.card.contactable else "utter_offer_details_apply_only"
    return Utterance(response, values)


def describe_filters(state: SearchState, profession_name: str | None, texts: DomainTexts) -> str:
    """ "Koch/Köchin und ähnliche Berufe, Ausbildung, ab 01.08.2026" in the conversation's language."""
    parts: list[str] = []
    if state.profession and profession_name:
        if state.include_related:
            parts.append(texts("utter_offer_label_with_related", name=profession_name))
        else:
            parts.append(profession_name)
    else:
        parts.append(texts("utter_offer_label_all_professions"))
    if state.kind:
        parts.append(kind_label(state.kind, texts))
    if state.start_from:
        parts.append(
            texts("utter_offer_label_start_from", date=format_date(state.start_from, texts.language))
        )
    return ", ".join(parts)


def results_intro(state: SearchState, total: int, shown: int, filters: str) -> Utterance:
    if state.offset > 0:
        return Utterance(
            "utter_offer_results_page",
            {"first": state.offset + 1, "last": state.offset + shown, "total": total},
        )
    if state.place:
        return Utterance(
            "utter_offer_results_near",
            {"total": total, "filters": filters, "place": state.place, "radius": state.radius_km},
        )
    return Utterance("utter_offer_results_region", {"total": total, "filters": filters})


def refine_payload(refinement: str) -> str:
    return f'/refine_offers{{"offer_refinement":"{refinement}"}}'


def footer_buttons(state: SearchState, total: int, texts: DomainTexts) -> tuple[Button, ...]:
    """What the pupil can do next: more, closer, similar occupations."""
    buttons: list[Button] = []
    if state.offset + PAGE_SIZE < total:
        buttons.append({"title": texts("utter_offer_button_more"), "payload": "/more_offers"})
    if state.place and closer_radius(state.radius_km) < state.radius_km:
        buttons.append(
            {
                "title": texts("utter_offer_button_closer", radius=closer_radius(state.radius_km)),
                "payload": refine_payload("closer"),
            }
        )
    if state.profession and not state.include_related:
        buttons.append({"title": texts("utter_offer_button_related"), "payload": refine_payload("related")})
    return tuple(buttons)


def footer_utterance(state: SearchState, total: int, texts: DomainTexts) -> Utterance:
    response = "utter_offer_footer" if state.offset + PAGE_SIZE < total else "utter_offer_footer_last"
    return Utterance(response, {}, footer_buttons(state, total, texts))


@dataclass(frozen=True)
class Alternative:
    """A changed search that may find something when the pupil's does not."""

    refinement: str  # the button's offer_refinement
    state: SearchState
    label: str  # the response that names it in a button
    values: Mapping[str, TemplateValue] = field(default_factory=dict)


def alternatives(state: SearchState) -> list[Alternative]:
    """Searches to try when nothing fits, most helpful first."""
    base = replace(state, offset=0, shown=(), viewed=None)
    found: list[Alternative] = []
    if state.place and wider_radius(state.radius_km) > state.radius_km:
        wider = wider_radius(state.radius_km)
        found.append(
            Alternative("wider", replace(base, radius_km=wider), "utter_offer_alt_wider", {"radius": wider})
        )
    if state.profession and not state.include_related:
        found.append(Alternative("related", replace(base, include_related=True), "utter_offer_alt_related"))
    if state.kind:
        found.append(Alternative("any_kind", replace(base, kind=None), "utter_offer_alt_any_kind"))
    if state.start_from:
        found.append(Alternative("any_start", replace(base, start_from=None), "utter_offer_alt_any_start"))
    if state.place:
        found.append(Alternative("anywhere", replace(base, place=None), "utter_offer_alt_anywhere"))
    if state.profession:
        found.append(
            Alternative(
                "any_profession",
                replace(base, profession=None, include_related=False),
                "utter_offer_alt_any_profession",
            )
        )
    return found


def alternative_buttons(counted: Sequence[tuple[Alternative, int]], texts: DomainTexts) -> tuple[Button, ...]:
    """Buttons for the alternatives that find something, with how many they find."""
    return tuple(
        {
            "title": texts(alternative.label, count=count, **alternative.values),
            "payload": refine_payload(alternative.refinement),
        }
        for alternative, count in counted
        if count > 0
    )[:MAX_ALTERNATIVES]


def profession_choice_buttons(
    candidates: Sequence[tuple[str, str]],
) -> tuple[Button, ...]:
    """(slug, display name) -> buttons that continue the same search with that occupation."""
    return tuple(
        {"title": name, "payload": f'/refine_offers{{"profession":"{slug}"}}'} for slug, name in candidates
    )


def offer_payload(intent: str, offer_id: int) -> str:
    return f'/{intent}{{"offer_id":"{offer_id}"}}'


def offer_from_entities(entities: Iterable[Mapping[str, Any]]) -> int | None:
    for entity in entities:
        if entity.get("entity") == "offer_id":
            found = parse_id(entity.get("value"))
            if found is not None:
                return found
    return None


def offer_in_context(state: SearchState | None) -> int | None:
    """The offer a typed "Details bitte" / "kontaktier die" means: the one looked at last, or the
    only one shown."""
    if state is None:
        return None
    if state.viewed is not None:
        return state.viewed
    return state.shown[0] if len(state.shown) == 1 else None
