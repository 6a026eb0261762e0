"""Decisions behind `action_answer_profession`, as pure functions (no Rasa, no I/O).

Two questions are answered here:
1. Which occupation does the pupil mean? (`resolve_request`)
2. Which responses, with which template variables, answer the aspect asked? (`answer_utterances`)

Every pupil-facing text is a response in bot/domain/professions.yml; this module only picks the
response and fills in facts (names, numbers, profile texts from the API).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from actions.api_client import (
    AgreedPay,
    Language,
    MinimumPay,
    ProfessionDetail,
    ProfessionSummary,
    is_valid_slug,
)
from actions.text_utils import fold

MAX_CHOICES = 6
MAX_SUGGESTIONS = 3
MAX_PROFESSIONS_PER_MESSAGE = 3
MAX_RELATED_BUTTONS = 6
# Search hits below this score are too far away to offer as "did you mean".
SUGGESTION_MIN_SCORE = 0.35
# A minimum pay table row for year 4 is irrelevant to a 3-year training.
MONTHS_PER_TRAINING_YEAR = 12

TemplateValue = str | int
Button = dict[str, str]
# A button as the channels get it: title and payload, optionally the keys of
# docs/widget_messages.md (echo, style: strings; keep: true).
ChannelButton = Mapping[str, str | bool]


class Aspect(Enum):
    OVERVIEW = "overview"
    TASKS = "tasks"
    WORKPLACES = "workplaces"
    DURATION = "duration"
    PAY = "pay"
    CERTIFICATE = "certificate"
    SUBJECTS = "subjects"
    RELATED = "related"


ASPECT_BY_INTENT: Mapping[str, Aspect] = {
    "ask_profession": Aspect.OVERVIEW,
    "ask_tasks": Aspect.TASKS,
    "ask_workplaces": Aspect.WORKPLACES,
    "ask_duration": Aspect.DURATION,
    "ask_pay": Aspect.PAY,
    "ask_certificate": Aspect.CERTIFICATE,
    "ask_subjects": Aspect.SUBJECTS,
    "ask_related": Aspect.RELATED,
}
DEFAULT_INTENT = "ask_profession"


def aspect_for_intent(intent: str | None) -> Aspect:
    return ASPECT_BY_INTENT.get(intent or "", Aspect.OVERVIEW)


def question_intent(intent: str | None) -> str:
    """The ask_* intent to repeat in choice buttons (falls back to the overview question)."""
    return intent if intent is not None and intent in ASPECT_BY_INTENT else DEFAULT_INTENT


def normalize_language(value: object) -> Language:
    return "en" if value == "en" else "de"


@dataclass(frozen=True)
class Utterance:
    """One `dispatcher.utter_message(response=..., buttons=..., json_message=custom, **variables)`
    call; `custom` is a structure for the channels (docs/widget_messages.md)."""

    response: str
    variables: Mapping[str, TemplateValue] = field(default_factory=dict)
    buttons: tuple[ChannelButton, ...] = ()
    custom: Mapping[str, Any] | None = None


# --- 1. Which occupation? -------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownProfessions:
    """The latest message named one or more occupations unambiguously.

    `also` is the word of an everyday name that means the first occupation first but fits others
    too ("Kellner"): the NLU sends `profession` and `profession_query` on the same span, the answer
    is about the first one and offers the others.
    """

    slugs: tuple[str, ...]
    also: str | None = None


@dataclass(frozen=True)
class AmbiguousMention:
    """The latest message used a word that fits several occupations ("Mechaniker")."""

    query: str


@dataclass(frozen=True)
class UnknownMention:
    """The latest message contains words that look like an occupation we did not recognise."""

    query: str


@dataclass(frozen=True)
class FromContext:
    """No occupation in the latest message: a follow-up about the one talked about before."""

    slug: str


@dataclass(frozen=True)
class NoProfession:
    pass


ProfessionRequest = KnownProfessions | AmbiguousMention | UnknownMention | FromContext | NoProfession


def resolve_request(
    entities: Iterable[Mapping[str, object]], text: str | None, profession_slot: object
) -> ProfessionRequest:
    """Decide which occupation a question is about, in this order:

    1. `profession` entities in the latest message (slugs, first three, in order);
    2. a `profession_query` entity (a generic word: the pupil chooses);
    3. words in the message that look like an occupation we do not know (search the API);
    4. the `profession` slot (a follow-up such as "und was verdient man da?");
    5. nothing: ask which occupation.
    """
    entity_list = list(entities)
    slugs: list[str] = []
    for entity in entity_list:
        value = entity.get("value")
        if entity.get("entity") == "profession" and is_valid_slug(value) and value not in slugs:
            slugs.append(str(value))
    if slugs:
        return KnownProfessions(tuple(slugs[:MAX_PROFESSIONS_PER_MESSAGE]), _everyday_word(entity_list))

    for entity in entity_list:
        value = entity.get("value")
        if entity.get("entity") == "profession_query" and isinstance(value, str) and value.strip():
            return AmbiguousMention(value.strip())

    words = occupation_like_words(text or "")
    if words:
        return UnknownMention(" ".join(words))

    if is_valid_slug(profession_slot):
        return FromContext(str(profession_slot))
    return NoProfession()


def pending_choice(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The word the pupil was asked to choose an occupation for, when the message before the latest
    named only such a word ("mediengestalter": Bild und Ton, or Digital und Print?) and the pupil
    typed on instead of tapping ("und was verdient man da"): the choice is offered again."""
    users = (event for event in reversed(events) if event.get("event") == "user")
    next(users, None)  # the latest message
    before = next(users, None)
    if before is None:
        return None
    entities = (before.get("parse_data") or {}).get("entities") or []
    if any(entity.get("entity") == "profession" for entity in entities):
        return None
    for entity in entities:
        value = entity.get("value")
        if entity.get("entity") == "profession_query" and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _everyday_word(entities: Sequence[Mapping[str, object]]) -> str | None:
    """The `profession_query` that lies on the same span as a `profession` (an everyday name with a
    first choice), else None."""
    spans = {
        (entity.get("start"), entity.get("end"))
        for entity in entities
        if entity.get("entity") == "profession" and entity.get("start") is not None
    }
    for entity in entities:
        value = entity.get("value")
        if (
            entity.get("entity") == "profession_query"
            and isinstance(value, str)
            and value.strip()
            and (entity.get("start"), entity.get("end")) in spans
        ):
            return value.strip()
    return None


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

QUESTION_WORDS_FILE = Path(__file__).parent / "data" / "question_words.txt"


@functools.cache
def question_words() -> frozenset[str]:
    """Words that never name an occupation (read once, on first use)."""
    lines = QUESTION_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


# Endings of German and English occupation names (folded). Used only for longer messages, where
# other words could be mistaken for occupations.
_OCCUPATION_ENDINGS = (
    "er",
    "erin",
    "eur",
    "eurin",
    "euse",
    "ist",
    "istin",
    "ant",
    "antin",
    "ent",
    "entin",
    "mann",
    "frau",
    "kraft",
    "loge",
    "login",
    "naut",
    "nautin",
    "tin",
    "gin",
    "or",
    "orin",
    "ian",
    "man",
    "woman",
    "eer",
)
# A message this short ("astronaut?", "und pilotin") is about the word it contains.
_SHORT_MESSAGE_WORDS = 3
_ABBREVIATION_LETTERS = 3


def occupation_like_words(text: str) -> list[str]:
    """Words of a typed message that may name an occupation the extractor did not recognise.

    Button payloads ("/ask_pay{...}") carry their own entities and are skipped.
    """
    if text.lstrip().startswith("/"):
        return []
    words = _WORD.findall(text)
    short_message = len(words) <= _SHORT_MESSAGE_WORDS
    found: list[str] = []
    for word in words:
        folded = fold(word)
        if folded in question_words() or len(folded) < 4:
            continue
        if short_message or (len(folded) >= 5 and folded.endswith(_OCCUPATION_ENDINGS)):
            found.append(word.lower())
    return found


def abbreviation_like(text: str) -> str | None:
    """A message of one three-letter word ("kfz", "MFA?") that may abbreviate occupations: the
    action searches it and offers only close matches (longer words go through
    `occupation_like_words`)."""
    if text.lstrip().startswith("/"):
        return None
    words = _WORD.findall(text)
    if len(words) != 1:
        return None
    folded = fold(words[0])
    if len(folded) != _ABBREVIATION_LETTERS or folded in question_words():
        return None
    return words[0].lower()


def choice_buttons(
    intent: str, candidates: Sequence[ProfessionSummary], language: Language, limit: int = MAX_CHOICES
) -> tuple[Button, ...]:
    """Buttons that repeat the same question for each candidate occupation."""
    return tuple(
        {"title": candidate.display_name(language), "payload": question_payload(intent, candidate.slug)}
        for candidate in candidates[:limit]
    )


def question_payload(intent: str, slug: str) -> str:
    return f"/{intent}{json.dumps({'profession': slug}, separators=(',', ':'))}"


def close_matches(
    hits: Sequence[ProfessionSummary], min_score: float = SUGGESTION_MIN_SCORE, limit: int = MAX_SUGGESTIONS
) -> list[ProfessionSummary]:
    """Search hits good enough to offer as "did you mean ...?" (the API returns them best first)."""
    return [hit for hit in hits if hit.score is not None and hit.score >= min_score][:limit]


def also_reply(
    query: str,
    answered: Sequence[str],
    candidates: Sequence[ProfessionSummary],
    intent: str,
    language: Language,
) -> Utterance | None:
    """After the answer about an everyday name's first choice: the other occupations it may mean."""
    others = [candidate for candidate in candidates if candidate.slug not in answered]
    if not others:
        return None
    return Utterance("utter_profession_also", {"query": query}, choice_buttons(intent, others, language))


def choice_reply(
    query: str, candidates: Sequence[ProfessionSummary], intent: str, language: Language
) -> Utterance:
    """A word that fits several occupations: let the pupil choose (or admit there is none)."""
    if not candidates:
        return Utterance("utter_profession_unknown", {"query": query})
    return Utterance(
        "utter_profession_choose", {"query": query}, choice_buttons(intent, candidates, language)
    )


def unknown_mention_reply(
    query: str, hits: Sequence[ProfessionSummary], intent: str, language: Language
) -> Utterance:
    suggestions = close_matches(hits)
    if suggestions:
        return Utterance(
            "utter_profession_did_you_mean",
            {"query": query},
            choice_buttons(intent, suggestions, language),
        )
    return Utterance("utter_profession_unknown", {"query": query})


# --- 2. What to answer ----------------------------------------------------------------------------


def format_years(months: int, language: Language) -> str:
    """36 -> "3", 42 -> "3,5" (German) or "3.5" (English)."""
    years = months / MONTHS_PER_TRAINING_YEAR
    text = f"{years:.0f}" if months % MONTHS_PER_TRAINING_YEAR == 0 else f"{years:.1f}"
    return text.replace(".", ",") if language == "de" else text


def format_eur(amount: int, language: Language) -> str:
    """1014 -> "1.014" (German) or "1,014" (English)."""
    text = f"{amount:,}"
    return text.replace(",", ".") if language == "de" else text


def bullet_list(items: Iterable[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def training_years(duration_months: int) -> int:
    return max(1, math.ceil(duration_months / MONTHS_PER_TRAINING_YEAR))


# A list answer (tasks, workplaces) shows its first lines; the rest waits behind "mehr" in the widget.
LIST_FOLD_LINES = 4


def answer_utterances(aspect: Aspect, profession: ProfessionDetail, language: Language) -> list[Utterance]:
    name = profession.display_name(language)
    text = profession.text_in(language)
    if aspect is Aspect.OVERVIEW:
        return [
            Utterance(
                "utter_profession_overview",
                {
                    "name": name,
                    "description": text.description,
                    "duration": format_years(profession.summary.duration_months, language),
                    "training_type": profession.training_type_label.in_language(language),
                },
            ),
            Utterance("utter_profession_next_steps", {"name": name, "slug": profession.slug}),
        ]
    if aspect is Aspect.TASKS:
        return [_list_or_missing("utter_profession_tasks", "tasks", name, text.tasks)]
    if aspect is Aspect.WORKPLACES:
        return [_list_or_missing("utter_profession_workplaces", "workplaces", name, text.workplaces)]
    if aspect is Aspect.DURATION:
        return [
            Utterance(
                "utter_profession_duration",
                {
                    "name": name,
                    "duration": format_years(profession.summary.duration_months, language),
                    "months": profession.summary.duration_months,
                    "training_type": profession.training_type_label.in_language(language),
                },
            )
        ]
    if aspect is Aspect.PAY:
        return pay_utterances(profession, language)
    if aspect is Aspect.CERTIFICATE:
        return [certificate_utterance(profession, language)]
    if aspect is Aspect.SUBJECTS:
        subjects = [subject.in_language(language) for subject in profession.subjects]
        if not subjects:
            return [Utterance("utter_profession_no_details", {"name": name})]
        return [Utterance("utter_profession_subjects", {"name": name, "subjects": ", ".join(subjects)})]
    return [related_utterance(profession, language)]


# --- next steps -----------------------------------------------------------------------------------

# Every aspect answer ends with two buttons that lead on (the overview has its own question with
# buttons, related occupations are buttons already). A step is an intent of the domain; its title is
# the response utter_profession_step_<step> (bot/domain/next_steps.yml).
NEXT_STEPS: Mapping[Aspect, tuple[str, str]] = {
    Aspect.TASKS: ("pay", "offers"),
    Aspect.WORKPLACES: ("tasks", "offers"),
    Aspect.DURATION: ("pay", "certificate"),
    Aspect.PAY: ("offers", "tasks"),
    Aspect.CERTIFICATE: ("subjects", "offers"),
    Aspect.SUBJECTS: ("certificate", "offers"),
}
STEP_INTENTS: Mapping[str, str] = {
    "tasks": "ask_tasks",
    "pay": "ask_pay",
    "certificate": "ask_certificate",
    "subjects": "ask_subjects",
}


def step_payload(step: str, slug: str) -> str:
    if step == "offers":  # offers of this occupation near the pupil (asks where they live if unknown)
        data = {"profession": slug, "offer_refinement": "near_me"}
        return f"/search_offers{json.dumps(data, separators=(',', ':'))}"
    return question_payload(STEP_INTENTS[step], slug)


def next_step_buttons(aspect: Aspect, slug: str, title: Callable[[str], str]) -> tuple[Button, ...]:
    """The buttons that end an answer about `aspect`; `title(response)` renders a button's title
    from the domain in the conversation's language."""
    return tuple(
        {"title": title(f"utter_profession_step_{step}"), "payload": step_payload(step, slug)}
        for step in NEXT_STEPS.get(aspect, ())
    )


def with_next_steps(
    utterances: Sequence[Utterance], aspect: Aspect, slug: str, title: Callable[[str], str]
) -> list[Utterance]:
    """The answer with the next steps on its last message (unless that one has buttons already)."""
    buttons = next_step_buttons(aspect, slug, title)
    if not utterances or not buttons or utterances[-1].buttons:
        return list(utterances)
    return [*utterances[:-1], replace(utterances[-1], buttons=buttons)]


def _list_or_missing(response: str, key: str, name: str, items: Sequence[str]) -> Utterance:
    if not items:
        return Utterance("utter_profession_no_details", {"name": name})
    fold = {"berufslotse": "card", "card": "answer", "fold": LIST_FOLD_LINES}
    return Utterance(
        response,
        {"name": name, key: bullet_list(items)},
        custom=fold if len(items) >= LIST_FOLD_LINES + 1 else None,
    )


def pay_utterances(profession: ProfessionDetail, language: Language) -> list[Utterance]:
    """Legal minimum for the latest start year (years of this training only), agreed pay where known,
    and the profile's own note (school and civil-service trainings explain their pay there)."""
    name = profession.display_name(language)
    pay = profession.pay
    utterances: list[Utterance] = []
    minimum = minimum_rows(profession)
    if minimum and pay.start_year is not None:
        first, last = minimum[0], minimum[-1]
        if first.training_year == last.training_year:
            utterances.append(
                Utterance(
                    "utter_profession_pay_minimum_single",
                    {
                        "name": name,
                        "start_year": pay.start_year,
                        "pay_first": format_eur(first.eur, language),
                    },
                )
            )
        else:
            utterances.append(
                Utterance(
                    "utter_profession_pay_minimum",
                    {
                        "name": name,
                        "start_year": pay.start_year,
                        "pay_first": format_eur(first.eur, language),
                        "pay_last": format_eur(last.eur, language),
                        "last_year": last.training_year,
                    },
                )
            )
    agreed = current_agreed_pay(profession)
    if agreed is not None:
        utterances.append(
            Utterance(
                "utter_profession_pay_agreed",
                {
                    "name": name,
                    "agreed_year": agreed.year,
                    "agreed_pay": format_eur(agreed.eur_per_month, language),
                    "region": agreed_pay_region(agreed.scope, language),
                    "source": agreed.source_url or "-",
                },
            )
        )
    if pay.note is not None:
        utterances.append(
            Utterance("utter_profession_pay_note", {"name": name, "note": pay.note.in_language(language)})
        )
    if not utterances:
        utterances.append(Utterance("utter_profession_pay_unknown", {"name": name}))
    return utterances


def minimum_rows(profession: ProfessionDetail) -> list[MinimumPay]:
    """The legal minimum per training year of this training (none when no minimum applies or the
    start year is unknown), first year first."""
    pay = profession.pay
    if not pay.legal_minimum or pay.start_year is None:
        return []
    years = training_years(profession.summary.duration_months)
    return sorted(
        (row for row in pay.minimum if row.training_year <= years), key=lambda row: row.training_year
    )


# Where a reported agreed pay was paid (the scope of knowledge/sources/ausbildungsverguetung_reported.csv)
AGREED_PAY_REGIONS: Mapping[str, Mapping[Language, str]] = {
    "Beruf (West)": {"de": "in Westdeutschland", "en": "in western Germany"},
    "Beruf (Ost)": {"de": "in Ostdeutschland", "en": "in eastern Germany"},
    "Beruf (gesamt)": {"de": "in ganz Deutschland", "en": "across Germany"},
}


def agreed_pay_region(scope: str, language: Language) -> str:
    """The region a reported figure covers, as words ("in Westdeutschland"); Germany as a whole
    for a scope without a known region."""
    return AGREED_PAY_REGIONS.get(scope, AGREED_PAY_REGIONS["Beruf (gesamt)"])[language]


def current_agreed_pay(profession: ProfessionDetail) -> AgreedPay | None:
    """The latest reported agreed pay, unless it is below today's legal minimum (averaged over this
    training's years): such a figure was reported before the minimum rose and is out of date. The same
    rule as the API's ranking by pay (api/professions/service.py, `pay_rank`)."""
    agreed = profession.pay.agreed
    if not agreed:
        return None
    latest = max(agreed, key=lambda row: (row.year, row.scope == "Beruf (gesamt)"))
    minimum = minimum_rows(profession)
    if minimum and latest.eur_per_month < round(sum(row.eur for row in minimum) / len(minimum)):
        return None
    return latest


NO_CERTIFICATE = "none"


def certificate_utterance(profession: ProfessionDetail, language: Language) -> Utterance:
    name = profession.display_name(language)
    typical = profession.certificate_typical.label.in_language(language)
    required = profession.certificate_required
    if required.code == NO_CERTIFICATE:
        return Utterance("utter_profession_certificate_open", {"name": name, "typical": typical})
    return Utterance(
        "utter_profession_certificate",
        {"name": name, "typical": typical, "required": required.label.in_language(language)},
    )


def related_utterance(profession: ProfessionDetail, language: Language) -> Utterance:
    name = profession.display_name(language)
    if not profession.related:
        return Utterance("utter_profession_no_related", {"name": name})
    buttons = tuple(
        {"title": related.display_name(language), "payload": question_payload(DEFAULT_INTENT, related.slug)}
        for related in profession.related[:MAX_RELATED_BUTTONS]
    )
    return Utterance("utter_profession_related", {"name": name}, buttons)
