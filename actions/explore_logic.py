"""Decisions behind `action_explore_professions`, as pure functions (no Rasa, no I/O).

1. What does the pupil want listed? (`next_query`): the topic and filters of the latest message,
   merged into the last list's when the message refines it ("und welche davon mit
   Hauptschulabschluss", "nur duale"), or the next page ("mehr").
2. Which responses show the list? (`reply`): every text is a response in bot/domain/explore.yml;
   this module picks them and fills in names and numbers from the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from actions.answers import latest_answer
from actions.api_client import ExploreFilters, ExploreItem, ExplorePage, Language, TopicName, is_valid_slug
from actions.offer_logic import KINDS as OFFER_KINDS
from actions.profession_logic import ChannelButton, TemplateValue, Utterance, format_eur, format_years

PAGE_SIZE = 5
# "mehr" after a list: the offers' and the check's intents for it, and the shared name in TAXONOMY.md
MORE_INTENTS = frozenset({"more_offers", "more_matches", "more_results"})

# The values ExploreEntityExtractor produces (docs/contracts.md); anything else is ignored.
CERTIFICATES = ("none", "hauptschule", "realschule", "fachabitur", "abitur")
TRAINING_TYPES = ("dual", "school", "civil_service", "dual_study")
PAY_ORDERS = ("high",)
DURATION_RANGE = (12, 48)
MAX_PLACE_CHARS = 60  # the longest municipality name of the region is 29 characters
_TOPIC_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")


@dataclass(frozen=True)
class ExploreQuery:
    """What the pupil wants listed; kept in the slot `explore_query` for follow-ups."""

    topic: str | None = None
    certificate: str | None = None
    duration: int | None = None
    pay_order: str | None = None
    training_type: str | None = None
    # where the pupil wants to train ("mit Tieren in der Nähe von Melle"): the list stays the same,
    # the offers near the place are shown beside it. A place alone asks for no occupations.
    place: str | None = None
    # the kind of offers counted beside the list ("nur Praktikum" after it); None: every kind
    offer_kind: str | None = None
    offset: int = 0

    @property
    def is_empty(self) -> bool:
        return not any((self.topic, self.certificate, self.duration, self.pay_order, self.training_type))

    def filters(self) -> ExploreFilters:
        return ExploreFilters(
            topic=self.topic,
            reachable_with=self.certificate,
            duration_max=self.duration,
            training_type=self.training_type,
            sort="pay" if self.pay_order == "high" else None,
        )

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: object) -> ExploreQuery | None:
        """The query stored in the slot, or None when there is none or it does not make sense."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if not isinstance(value, Mapping):
            return None
        values = _valid_values(value)
        offset = value.get("offset")
        query = cls(**values, offset=offset if isinstance(offset, int) and 0 <= offset < 1000 else 0)
        return None if query.is_empty else query


def _valid_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The known values among `raw` (entity values arrive as text, the slot may hold numbers)."""
    values: dict[str, Any] = {}
    topic = raw.get("topic")
    if isinstance(topic, str) and 0 < len(topic) <= 40 and set(topic) <= _TOPIC_KEY_CHARS:
        values["topic"] = topic
    if raw.get("certificate") in CERTIFICATES:
        values["certificate"] = raw["certificate"]
    if raw.get("training_type") in TRAINING_TYPES:
        values["training_type"] = raw["training_type"]
    if raw.get("pay_order") in PAY_ORDERS:
        values["pay_order"] = raw["pay_order"]
    duration = raw.get("duration")
    try:
        months = int(duration) if isinstance(duration, (int, str)) else None
    except ValueError:
        months = None
    if months is not None and DURATION_RANGE[0] <= months <= DURATION_RANGE[1]:
        values["duration"] = months
    place = raw.get("place")
    if isinstance(place, str) and 0 < len(place.strip()) <= MAX_PLACE_CHARS:
        values["place"] = place.strip()
    if raw.get("offer_kind") in OFFER_KINDS:
        values["offer_kind"] = raw["offer_kind"]
    return values


def entity_values(entities: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The first value of each explore entity in the latest message."""
    first: dict[str, Any] = {}
    for entity in entities:
        kind = entity.get("entity")
        if isinstance(kind, str) and kind not in first:
            first[kind] = entity.get("value")
    return _valid_values(first)


def next_query(
    previous: ExploreQuery | None, entities: Iterable[Mapping[str, Any]], intent: str | None
) -> ExploreQuery:
    """The query to list now. "mehr" pages on; a message without a new topic refines the last list
    (its own values win); a new topic starts afresh with only what this message says."""
    if intent in MORE_INTENTS:
        if previous is None:
            return ExploreQuery()
        return replace(previous, offset=previous.offset + PAGE_SIZE)
    found = entity_values(entities)
    if previous is not None and found.get("topic", previous.topic) == previous.topic:
        return replace(previous, **found, offset=0)
    return ExploreQuery(**found)


# --- 1b. A follow-up about the occupation in context --------------------------------------------

EXPLORE_INTENT = "explore_professions"
# A search of occupations by duration or pay always names its measure ("nur 2 Jahre", "am kürzesten",
# "am besten bezahlt"). The same question without any criterion ("und wie lange dauert die
# ausbildung?") asks about the occupation the conversation is about; these are the questions that
# the classifier can mistake for such a search.
FOLLOW_UP_INTENTS = frozenset({"ask_duration", "ask_pay"})
_NOT_A_QUESTION = frozenset({EXPLORE_INTENT, "nlu_fallback"})


def occupation_is_subject(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the conversation is about one occupation: the latest answer was about it or its
    offers (or there is none yet, or something else came last), not a list or a comparison."""
    return latest_answer(events) not in ("list", "compare")


def follow_up_intent(
    intent: str | None,
    ranking: Iterable[Mapping[str, Any]],
    entities: Iterable[Mapping[str, Any]],
    profession: object,
    subject_is_occupation: bool,
) -> str | None:
    """The ask_* intent to answer instead of an occupation search, or None to search.

    An explore_professions message that names no criterion at all (no topic, certificate, duration,
    pay order, training type or place) while one occupation is the subject of the conversation,
    and whose next-best intent is a duration or pay question, is that question about the
    occupation: a search without a criterion could only ask "what do you like?" back."""
    if intent != EXPLORE_INTENT or not isinstance(profession, str) or not profession:
        return None
    if not subject_is_occupation or entity_values(entities):
        return None
    for entry in ranking:
        name = entry.get("name")
        if name in _NOT_A_QUESTION:
            continue
        return name if name in FOLLOW_UP_INTENTS else None
    return None


def asks_for_offers_of_the_subject(
    intent: str | None,
    entities: Iterable[Mapping[str, Any]],
    profession: object,
    subject_is_occupation: bool,
) -> bool:
    """Whether an explore_professions message that names a place and no other criterion ("und gibts
    in Bramsche was") asks for the offers of the occupation the conversation is about. After an
    answer about one occupation (its pay, say), that occupation is meant, not a list asked for
    earlier: the offer search then takes it from the context."""
    if intent != EXPLORE_INTENT or not isinstance(profession, str) or not profession:
        return False
    return subject_is_occupation and set(entity_values(entities)) == {"place"}


# --- 2. What to answer ----------------------------------------------------------------------------


def profession_button(item: ExploreItem, language: Language) -> ChannelButton:
    """A listed occupation; stays usable after another one was pressed (docs/widget_messages.md)."""
    slug = item.summary.slug if is_valid_slug(item.summary.slug) else ""
    return {
        "title": item.summary.display_name(language),
        "payload": f'/ask_profession{{"profession":"{slug}"}}',
        "keep": True,
    }


def _pay_utterance(item: ExploreItem, language: Language) -> Utterance:
    name = item.summary.display_name(language)
    pay = item.pay
    if pay is not None and pay.basis == "agreed" and pay.eur_per_month is not None and pay.year is not None:
        return Utterance(
            "utter_explore_pay_agreed",
            {
                "name": name,
                "eur": format_eur(pay.eur_per_month, language),
                "year": pay.year,
                "source": pay.source_url or "-",
            },
        )
    if pay is not None and pay.basis == "minimum" and pay.eur_per_month is not None and pay.year is not None:
        return Utterance(
            "utter_explore_pay_minimum",
            {"name": name, "eur": format_eur(pay.eur_per_month, language), "year": pay.year},
        )
    return Utterance("utter_explore_pay_unknown", {"name": name})


def reply(
    query: ExploreQuery, page: ExplorePage, topics: Mapping[str, TopicName], language: Language
) -> list[Utterance]:
    """The answer to one query: notes on the filters, the list with a button per occupation, pay
    lines when sorted by pay, and the way on (more, the check)."""
    if query.is_empty:
        return [Utterance("utter_explore_ask_topic")]
    if not page.items:
        return [Utterance("utter_explore_no_more" if query.offset else "utter_explore_none")]
    topic = topics.get(query.topic) if query.topic else None
    utterances: list[Utterance] = []
    if query.offset == 0:
        if query.certificate:
            utterances.append(Utterance(f"utter_explore_note_certificate_{query.certificate}"))
        if query.training_type:
            utterances.append(Utterance(f"utter_explore_note_training_type_{query.training_type}"))
        if query.duration:
            utterances.append(
                Utterance("utter_explore_note_duration", {"years": format_years(query.duration, language)})
            )
    buttons = tuple(profession_button(item, language) for item in page.items)
    if topic is not None:
        header = Utterance("utter_explore_list_topic", {"topic": topic.name.in_language(language)}, buttons)
    else:
        header = Utterance("utter_explore_list", {}, buttons)
    if query.pay_order == "high":
        utterances.append(Utterance("utter_explore_pay_intro"))
        utterances.extend(_pay_utterance(item, language) for item in page.items)
        utterances.append(Utterance("utter_explore_pay_explained"))
    utterances.append(header)
    shown = query.offset + len(page.items)
    utterances.append(Utterance("utter_explore_more" if page.total > shown else "utter_explore_end"))
    return utterances


# --- 3. Offers near the place -------------------------------------------------------------------


def offers_label_response(kind: str | None) -> str:
    """The response that names the offers beside a list: "Praktika", "Angebote" (every kind)."""
    return f"utter_explore_label_offers_{kind or 'any'}"


def offers_button(
    item: ExploreItem, place: str | None, kind: str | None, language: Language
) -> ChannelButton:
    """Starts the offer search for one listed occupation at the place, of the kind (the offers' own flow)."""
    search: dict[str, str] = {"profession": item.summary.slug}
    if place is not None:
        search["place"] = place
    else:
        search["offer_refinement"] = "anywhere"  # not the place of an earlier search
    if kind is not None:
        search["offer_kind"] = kind
    payload = json.dumps(search, ensure_ascii=False)
    return {"title": item.summary.display_name(language), "payload": f"/search_offers{payload}", "keep": True}


def offers_near_reply(
    query: ExploreQuery, counts: Iterable[tuple[ExploreItem, int]], language: Language, offers: str
) -> list[Utterance]:
    """After a list asked for with a place or a kind of offer: how many offers of that kind the
    exchange has near the place (in the whole region without one) for each listed occupation, with a
    button to each search; or that there are none there now."""
    if query.place is None and query.offer_kind is None:
        return []
    # `offers`: what they are called (the response of offers_label_response, in the pupil's language)
    found = [(item, count) for item, count in counts if count > 0 and is_valid_slug(item.summary.slug)]
    where = "near" if query.place is not None else "region"
    values: dict[str, TemplateValue] = {"offers": offers}
    if query.place is not None:
        values["place"] = query.place
    if not found:
        return [Utterance(f"utter_explore_offers_none_{where}", values)]
    lines = "\n".join(f"• {item.summary.display_name(language)}: {count}" for item, count in found)
    buttons = tuple(offers_button(item, query.place, query.offer_kind, language) for item, _ in found)
    return [Utterance(f"utter_explore_offers_{where}", {**values, "lines": lines}, buttons)]
