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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from actions.api_client import Language
from actions.offers_api import OfferCard, OfferDetail, OfferQuery, Place, parse_id
from actions.profession_logic import Button, TemplateValue, Utterance, is_valid_slug
from nlu.readers.offer_text import read_offer_words
from nlu.readers.places import resolver_for

PAGE_SIZE = 3
DEFAULT_RADIUS_KM = 25
RADIUS_STEPS = (5, 10, 25, 50, 100)
MAX_RADIUS_KM = RADIUS_STEPS[-1]
KINDS = ("apprenticeship", "dual_study", "internship", "praktikumswoche")
# Alternatives offered when nothing fits, at most this many (only those that find something).
MAX_ALTERNATIVES = 3


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
            if any(c.get("name") != "language" for c in conditions):
                continue  # a variation for a setting (easy German): Rasa picks it, not these pieces
            if not conditions and default is None:
                default = str(variation.get("text") or "")
            elif self.language in languages:
                return str(variation.get("text") or "")
        if default is None:
            raise KeyError(f"response {name} has no default text")
        return default


# --- formatting -----------------------------------------------------------------------------------


def format_date(day: date, texts: DomainTexts) -> str:
    """ "1. Aug. 2027" in German, "1 Aug 2027" in English: the pattern and the month names are
    responses (utter_offer_label_date, utter_offer_label_months), so no words live in code."""
    months = [month.strip() for month in texts("utter_offer_label_months").split(",")]
    month = months[day.month - 1] if len(months) == 12 else f"{day.month:02d}"
    return texts("utter_offer_label_date", day=day.day, month=month, year=day.year)


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


def read_text(text: str, today: date) -> MessageFacts:
    """The search facts in the words of a message (button payloads carry entities instead), read
    by nlu.readers.offer_text."""
    words = read_offer_words(text, today)
    return MessageFacts(
        kind=words.kind,
        any_kind=words.any_kind,
        start_from=words.start_from,
        any_start=words.any_start,
        radius_km=clamp_radius(words.radius_km) if words.radius_km is not None else None,
        closer=words.closer,
        wider=words.wider,
        related=words.related,
        near_me=words.near_me,
        anywhere=words.anywhere,
        any_profession=words.any_profession,
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


def place_in_text(text: str, places: tuple[Place, ...]) -> str | None:
    """The one municipality a message names (names with typos, postcodes), as its name."""
    found = resolver_for(places).named(text)
    return found.name if found else None


def resolve_place(text: str, places: tuple[Place, ...]) -> str | None:
    """What the pupil answered to "where do you live?" (a name, a typo, a postcode, a sentence)."""
    found = resolver_for(places).answer(text)
    return found.name if found else None


def place_from_entities(entities: Iterable[Mapping[str, Any]], places: tuple[Place, ...]) -> str | None:
    """The one municipality the `place` entities of nlu.place_extractor name, as its name; None when
    there is none, or several."""
    found = resolver_for(places).from_entities(entities)
    return found.name if found else None


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


@dataclass(frozen=True)
class ListTheField:
    """The message asks about a field of occupations, not one occupation ("Ausbildung Kfz in Melle";
    "und in Bramsche?" right after the list for a field): action_explore_professions lists the
    field's occupations with their offers near the place. The exchange is searched by occupation;
    a search without one would show every offer near the place."""

    kind: str | None = None  # "Praktikum im Büro in Melle", "nur Praktikum": the kind of offers counted


SearchStep = RunSearch | AskPlace | ChooseProfession | NothingToContinue


def facts_from_message(
    text: str,
    entities: Iterable[Mapping[str, Any]],
    places: tuple[Place, ...],
    today: date,
) -> MessageFacts:
    """Entities (occupation, place, refinements from buttons) and the words of one message, combined."""
    entities = list(entities)
    facts = read_text(text, today)
    profession: str | None = None
    query: str | None = None
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name == "profession" and is_valid_slug(value) and profession is None:
            profession = str(value)
        elif name == "profession_query" and isinstance(value, str) and value.strip() and query is None:
            query = value.strip()
        elif name == "offer_refinement" and isinstance(value, str) and value in REFINEMENTS:
            facts = merge_facts(facts, REFINEMENTS[value])
        elif name == "offer_kind" and value in KINDS:
            facts = merge_facts(facts, MessageFacts(kind=str(value)))
    return replace(
        facts,
        profession=profession,
        profession_query=None if profession else query,
        place=place_from_entities(entities, places) or place_in_text(text, places),
    )


def names_only_a_field(entities: Iterable[Mapping[str, Any]]) -> bool:
    """Whether a message names a field ("was mit Autos", "Kfz", "im Büro": the entity `topic`) and
    no occupation."""
    entities = list(entities)
    names_field = any(
        e.get("entity") == "topic" and isinstance(e.get("value"), str) and e["value"] for e in entities
    )
    return names_field and not any(e.get("entity") in ("profession", "profession_query") for e in entities)


def lists_the_field(
    facts: MessageFacts, entities: Iterable[Mapping[str, Any]], field_listed_last: bool
) -> ListTheField | None:
    """A search that names a field and no occupation, or a message that names only a place or a
    kind of offer while the last answer was the list for a field (`field_listed_last`): that
    field's list, with the offers of the kind named."""
    if names_only_a_field(entities):
        return ListTheField(facts.kind)
    only_place_or_kind = replace(facts, place=None, kind=None) == MessageFacts()
    if field_listed_last and (facts.place or facts.kind) and only_place_or_kind:
        return ListTheField(facts.kind)
    return None


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


def notice(card: OfferCard, texts: DomainTexts, *, demo: bool = True) -> str:
    """Marks under a card: demo data (unless a list says it once for all), an offer of a related
    occupation."""
    lines: list[str] = []
    if card.related:
        lines.append(
            texts("utter_offer_label_related_offer", name=card.profession_display_name(texts.language))
        )
    if card.is_demo and demo:
        lines.append(texts("utter_offer_label_demo"))
    return "".join(f"\n{line}" for line in lines)


def start_text(card: OfferCard, texts: DomainTexts) -> str:
    if card.start_date is None:
        return texts("utter_offer_label_start_open")
    return format_date(card.start_date, texts)


def card_title(card: OfferCard, language: Language) -> str:
    """The offer's own title in German; in English the occupation's English name (the offers'
    titles are written in German by the companies)."""
    if language == "en" and card.profession_name_en:
        return card.profession_name_en
    return card.title


def card_values(card: OfferCard, texts: DomainTexts, *, demo: bool = True) -> dict[str, TemplateValue]:
    return {
        "offer_id": card.id,
        "title": card_title(card, texts.language),
        "company": card.company_name,
        "place": card.place,
        "distance": distance_suffix(card.distance_km, texts.language),
        "kind": kind_label(card.kind, texts),
        "start": start_text(card, texts),
        "notice": notice(card, texts, demo=demo),
    }


def card_utterance(card: OfferCard, texts: DomainTexts, *, demo: bool = True) -> Utterance:
    """One offer of a list; `demo=False` when the list says once that its offers are demo data."""
    response = "utter_offer_card" if card.contactable else "utter_offer_card_apply_only"
    return Utterance(response, card_values(card, texts, demo=demo))


def demo_note(cards: Sequence[OfferCard]) -> Utterance | None:
    """Under a list with demo offers: said once, not on every card."""
    return Utterance("utter_offer_list_demo") if any(card.is_demo for card in cards) else None


def details_utterance(offer: OfferDetail, texts: DomainTexts) -> Utterance:
    how = " · ".join(part for part in (offer.apply_url, offer.apply_contact) if part)
    title = card_title(offer.card, texts.language)
    original = ""
    if title != offer.card.title:
        original = texts("utter_offer_label_original_title", title=offer.card.title)
    values = {
        **card_values(offer.card, texts),
        "original": f"\n{original}" if original else "",
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
        parts.append(texts("utter_offer_label_start_from", date=format_date(state.start_from, texts)))
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


def footer_buttons(
    state: SearchState, total: int, texts: DomainTexts, nearest_km: float | None = None
) -> tuple[Button, ...]:
    """What the pupil can do next: more, closer, further away, similar occupations. `nearest_km`:
    the distance of the nearest offer found (the first page lists the nearest first). Closer is
    offered only when it finds something; further away when everything found fits on this page."""
    buttons: list[Button] = []
    last_page = state.offset + PAGE_SIZE >= total
    if not last_page:
        buttons.append({"title": texts("utter_offer_button_more"), "payload": "/more_offers"})
    closer = closer_radius(state.radius_km)
    if state.place and closer < state.radius_km and (nearest_km is None or nearest_km <= closer):
        buttons.append(
            {"title": texts("utter_offer_button_closer", radius=closer), "payload": refine_payload("closer")}
        )
    wider = wider_radius(state.radius_km)
    if state.place and last_page and wider > state.radius_km:
        buttons.append(
            {"title": texts("utter_offer_button_wider", radius=wider), "payload": refine_payload("wider")}
        )
    if state.profession and not state.include_related:
        buttons.append({"title": texts("utter_offer_button_related"), "payload": refine_payload("related")})
    return tuple(buttons)


def footer_utterance(
    state: SearchState, total: int, texts: DomainTexts, cards: Sequence[OfferCard] = ()
) -> Utterance:
    """The way on below a page of results (`cards`: the page shown)."""
    response = "utter_offer_footer" if state.offset + PAGE_SIZE < total else "utter_offer_footer_last"
    distances = [card.distance_km for card in cards if card.distance_km is not None]
    nearest = min(distances) if state.offset == 0 and distances else None
    return Utterance(response, {}, footer_buttons(state, total, texts, nearest))


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
