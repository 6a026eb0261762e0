"""Decisions behind the career-choice check in the chat, as pure functions (no Rasa, no I/O).

The check runs as the Rasa form `check_form`. Its state lives in slots only (so that a paused check
survives a restart of the Rasa server: the SQL tracker store keeps the slots), and this module
answers three questions about it:

1. What did the pupil say to the open question? (`read_setup_answer`, `read_item_answer`)
2. How does that change the check, and what is asked next? (`advance`, `next_question`)
3. Which responses show the question or the result? (`item_question`, `result_utterances`, ...)

Every pupil-facing text is a response in bot/domain/check.yml or comes from knowledge/ (item texts,
answer labels, type names and explanations, reasons, via the API); this module only picks responses
and fills in variables. The check is deterministic: nothing here depends on anything but the
pupil's answers (no time, no randomness, no name, no gender).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from actions.api_client import Language, LocalizedText
from actions.check_api import (
    ChartBar,
    CheckItems,
    CheckScore,
    Match,
    MatchPage,
    MatchQuery,
    Municipality,
    SavedResult,
)
from actions.profession_logic import Button, Utterance
from nlu.readers.check_setup import (
    MAX_RADIUS_KM,
    read_certificate,
    read_looking_for,
    read_radius,
    read_variant,
)
from nlu.readers.places import resolver_for

# --- slots and questions ----------------------------------------------------------------------

SLOT_VARIANT = "check_variant"
SLOT_CERTIFICATE = "check_certificate"
SLOT_MUNICIPALITY = "check_municipality"
SLOT_RADIUS = "check_radius"
SLOT_LOOKING_FOR = "check_looking_for"
# The form requests this slot for every item; the answers themselves collect in SLOT_ANSWERS.
SLOT_ITEM = "check_item"
SLOT_ANSWERS = "check_answers"
SLOT_STATUS = "check_status"
SLOT_MATCH_OFFSET = "check_match_offset"
REQUESTED_SLOT = "requested_slot"

SETUP_QUESTIONS: tuple[str, ...] = (
    SLOT_VARIANT,
    SLOT_CERTIFICATE,
    SLOT_MUNICIPALITY,
    SLOT_RADIUS,
    SLOT_LOOKING_FOR,
)
QUESTIONS: tuple[str, ...] = (*SETUP_QUESTIONS, SLOT_ITEM)
# Every slot the check owns, in a fixed order (for resets and slot events).
CHECK_SLOTS: tuple[str, ...] = (*SETUP_QUESTIONS, SLOT_ANSWERS, SLOT_STATUS, SLOT_MATCH_OFFSET)

Status = Literal["running", "paused", "stopped", "finished", "saved"]
RUNNING: Status = "running"
PAUSED: Status = "paused"
STOPPED: Status = "stopped"
FINISHED: Status = "finished"  # every item answered, the result not yet saved
SAVED: Status = "saved"  # the result is saved in the API; the answers are gone from the slots
_STATUSES: frozenset[str] = frozenset({RUNNING, PAUSED, STOPPED, FINISHED, SAVED})

VARIANTS: tuple[str, ...] = ("quick", "full")
# The codes of knowledge/vocab.yaml `certificates`, lowest first.
CERTIFICATES: tuple[str, ...] = ("none", "hauptschule", "realschule", "fachabitur", "abitur")
RADII_KM: tuple[int, ...] = (10, 25, 50)
# The offer kinds of the API (api/offers/models.py OfferKind) a pupil can look for.
LOOKING_FOR: tuple[str, ...] = ("apprenticeship", "dual_study", "internship")
# check_municipality when the pupil skipped the question (then the distance is not asked).
NO_MUNICIPALITY = "none"

MATCHES_PER_PAGE = 5
# An answer that counts as liking an activity ("eher ja", "mag ich sehr").
LIKED_ANSWER = 4
# The clause about places near the pupil, by what the pupil looks for (else "utter_check_nearby_any").
NEARBY_RESPONSES: Mapping[str, str] = {
    "apprenticeship": "utter_check_nearby_apprenticeship",
    "dual_study": "utter_check_nearby_dual_study",
    "internship": "utter_check_nearby_internship",
}

CommandName = Literal["skip", "back", "pause", "stop", "restart"]
COMMANDS: tuple[CommandName, ...] = ("skip", "back", "pause", "stop", "restart")
# Commands shown as buttons under every item (stop and restart are typed: "aufhören", "neu starten").
ITEM_BUTTON_COMMANDS: tuple[CommandName, ...] = ("skip", "back", "pause")

AnswerPair = tuple[str, int | None]  # item id and value 1..5, None when skipped


# --- the state in the slots -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckState:
    """Everything the check knows, read from and written back to slots."""

    variant: str | None = None
    certificate: str | None = None
    municipality: str | None = None  # a municipality slug or NO_MUNICIPALITY
    radius_km: int | None = None
    looking_for: str | None = None
    answers: tuple[AnswerPair, ...] = ()
    status: Status | None = None
    match_offset: int = 0

    @classmethod
    def from_slots(cls, get_slot: Callable[[str], Any]) -> CheckState:
        """Reads the slots leniently: a value that does not fit (an old tracker, an edited event)
        counts as not given, so the check asks again instead of failing."""

        def one_of(name: str, allowed: Iterable[str]) -> str | None:
            value = get_slot(name)
            return value if isinstance(value, str) and value in allowed else None

        municipality = get_slot(SLOT_MUNICIPALITY)
        status = get_slot(SLOT_STATUS)
        return cls(
            variant=one_of(SLOT_VARIANT, VARIANTS),
            certificate=one_of(SLOT_CERTIFICATE, CERTIFICATES),
            municipality=municipality if isinstance(municipality, str) and municipality else None,
            radius_km=_as_int(get_slot(SLOT_RADIUS), 1, MAX_RADIUS_KM),
            looking_for=one_of(SLOT_LOOKING_FOR, LOOKING_FOR),
            answers=_answers_from_slot(get_slot(SLOT_ANSWERS)),
            status=status if isinstance(status, str) and status in _STATUSES else None,  # type: ignore[arg-type]
            match_offset=_as_int(get_slot(SLOT_MATCH_OFFSET), 0, 10_000) or 0,
        )

    def slot_values(self) -> dict[str, Any]:
        return {
            SLOT_VARIANT: self.variant,
            SLOT_CERTIFICATE: self.certificate,
            SLOT_MUNICIPALITY: self.municipality,
            SLOT_RADIUS: str(self.radius_km) if self.radius_km is not None else None,
            SLOT_LOOKING_FOR: self.looking_for,
            SLOT_ANSWERS: [[item_id, value] for item_id, value in self.answers] if self.answers else None,
            SLOT_STATUS: self.status,
            SLOT_MATCH_OFFSET: self.match_offset or None,
        }

    def answer_to(self, question: str) -> Any:
        """The stored answer to a setup question (None for the item question: see `answers`)."""
        return {
            SLOT_VARIANT: self.variant,
            SLOT_CERTIFICATE: self.certificate,
            SLOT_MUNICIPALITY: self.municipality,
            SLOT_RADIUS: self.radius_km,
            SLOT_LOOKING_FOR: self.looking_for,
        }.get(question)

    def with_answer(self, question: str, value: Any) -> CheckState:
        field_name = {
            SLOT_VARIANT: "variant",
            SLOT_CERTIFICATE: "certificate",
            SLOT_MUNICIPALITY: "municipality",
            SLOT_RADIUS: "radius_km",
            SLOT_LOOKING_FOR: "looking_for",
        }[question]
        return replace(self, **{field_name: value})

    @property
    def in_progress(self) -> bool:
        """Started and neither stopped nor finished: resuming continues where the pupil was."""
        started = bool(self.answers) or any(
            self.answer_to(question) is not None for question in SETUP_QUESTIONS
        )
        return self.status in (RUNNING, PAUSED) and started

    @property
    def result_pending(self) -> bool:
        """Every item answered, but the result could not be saved yet (the API was away)."""
        return self.status == FINISHED and bool(self.answers)

    @property
    def municipality_slug(self) -> str | None:
        return None if self.municipality in (None, NO_MUNICIPALITY) else self.municipality


def _as_int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and low <= value <= high else None


def _answers_from_slot(value: Any) -> tuple[AnswerPair, ...]:
    if not isinstance(value, list):
        return ()
    answers: list[AnswerPair] = []
    for entry in value:
        if not (isinstance(entry, list | tuple) and len(entry) == 2 and isinstance(entry[0], str)):
            return ()
        answer = entry[1]
        if answer is not None and _as_int(answer, 1, 5) is None:
            return ()
        answers.append((entry[0], _as_int(answer, 1, 5)))
    return tuple(answers)


def slot_changes(before: CheckState, after: CheckState) -> dict[str, Any]:
    """The check slots whose value differs, in a fixed order."""
    old, new = before.slot_values(), after.slot_values()
    return {name: new[name] for name in CHECK_SLOTS if old[name] != new[name]}


def reset_values() -> dict[str, Any]:
    """Every check slot emptied (a new check, a stopped check, a deleted result)."""
    return dict.fromkeys(CHECK_SLOTS)


def next_question(state: CheckState, item_count: int | None) -> str | None:
    """The question to ask next: the first setup question without an answer (the distance only with
    a municipality), then the items; None when every item is answered. Without `item_count` (the
    items are not known yet) the items count as not finished."""
    for question in SETUP_QUESTIONS:
        if question == SLOT_RADIUS and state.municipality == NO_MUNICIPALITY:
            continue
        if state.answer_to(question) is None:
            return question
    if item_count is None or len(state.answers) < item_count:
        return SLOT_ITEM
    return None


def previous_question(state: CheckState, question: str) -> str | None:
    """The setup question before `question` (the item question comes after the last one)."""
    order = [
        candidate
        for candidate in SETUP_QUESTIONS
        if not (candidate == SLOT_RADIUS and state.municipality == NO_MUNICIPALITY)
    ]
    index = len(order) if question == SLOT_ITEM else order.index(question)
    return order[index - 1] if index > 0 else None


# --- 1. what did the pupil say? ---------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """An answer to the open question: 1..5 for an item, a code, a slug or kilometres for setup."""

    value: str | int
    # Shown back to the pupil (the municipality understood from "bramschee", for example).
    confirmation: Utterance | None = None


@dataclass(frozen=True)
class Command:
    name: CommandName


@dataclass(frozen=True)
class StaleButton:
    """A button of an earlier question (chat apps keep old keyboards)."""


Reading = Answer | Command | StaleButton
_COMMAND_BY_NAME: Mapping[str, Command] = {name: Command(name) for name in COMMANDS}


def parse_choice_payload(choice: Any) -> tuple[str | None, str] | None:
    """A button's `check_choice`: "r01:4" (item id and answer) or a plain value ("quick", "25")."""
    if not isinstance(choice, str) or not choice.strip():
        return None
    item_id, separator, value = choice.strip().partition(":")
    return (item_id, value) if separator else (None, item_id)


def read_item_answer(
    text: str | None,
    choice: Any,
    current_item: str,
    parse_answer: Callable[[str], int | str | None],
    parse_command: Callable[[str], str | None],
) -> Reading | None:
    """An answer 1..5 or a command to the item `current_item`; None when the message is neither.

    `parse_answer` and `parse_command` are nlu.readers.check_answers' `parse_free_text_answer` and
    `parse_check_command` (passed in so that this module stays free of file reads)."""
    parsed = parse_choice_payload(choice)
    if parsed is not None:
        item_id, value = parsed
        if item_id is not None and item_id != current_item:
            return StaleButton()
        if value in _COMMAND_BY_NAME:
            return _COMMAND_BY_NAME[value]
        number = _as_int(value, 1, 5)
        return Answer(number) if number is not None else StaleButton()
    if not text:
        return None
    reading = parse_answer(text)
    if isinstance(reading, int):
        return Answer(reading)
    command = reading if isinstance(reading, str) else parse_command(text)
    return _COMMAND_BY_NAME.get(command or "")


_SETUP_CHOICES: Mapping[str, tuple[str, ...]] = {
    SLOT_VARIANT: VARIANTS,
    SLOT_CERTIFICATE: CERTIFICATES,
    SLOT_RADIUS: tuple(str(km) for km in RADII_KM),
    SLOT_LOOKING_FOR: LOOKING_FOR,
}
_SETUP_READERS: Mapping[str, Callable[[str], str | int | None]] = {
    SLOT_VARIANT: read_variant,
    SLOT_CERTIFICATE: read_certificate,
    SLOT_RADIUS: read_radius,
    SLOT_LOOKING_FOR: read_looking_for,
}
# Only the municipality is optional; skipping it also skips the distance.
_SKIPPABLE: frozenset[str] = frozenset({SLOT_MUNICIPALITY})


def read_setup_command(
    question: str,
    text: str | None,
    choice: Any,
    parse_answer: Callable[[str], int | str | None],
    parse_command: Callable[[str], str | None],
) -> Reading | None:
    """A command (or a button of another question) given to a setup question; None otherwise."""
    parsed = parse_choice_payload(choice)
    if parsed is not None:
        item_id, value = parsed
        if value in _COMMAND_BY_NAME and item_id is None:
            if value == "skip" and question not in _SKIPPABLE:
                return StaleButton()
            return _COMMAND_BY_NAME[value]
        return None
    if not text:
        return None
    command = _COMMAND_BY_NAME.get(parse_command(text) or "")
    if command is not None and (command.name != "skip" or question in _SKIPPABLE):
        return command
    # "nein", "lieber nicht" to the optional question means: skip it.
    if question in _SKIPPABLE:
        reading = parse_answer(text)
        if isinstance(reading, int) and reading <= 2:
            return Command("skip")
    return None


def read_setup_answer(question: str, text: str | None, choice: Any) -> Reading | None:
    """The answer to a setup question other than the municipality (that one needs the places)."""
    parsed = parse_choice_payload(choice)
    if parsed is not None:
        item_id, value = parsed
        if item_id is None and value in _SETUP_CHOICES.get(question, ()):
            kilometres = _as_int(value, 1, MAX_RADIUS_KM)
            return Answer(kilometres if question == SLOT_RADIUS and kilometres is not None else value)
        return StaleButton()
    if not text or question not in _SETUP_READERS:
        return None
    answer = _SETUP_READERS[question](text)
    return Answer(answer) if answer is not None else None


# --- municipalities ---------------------------------------------------------------------------


def resolve_municipality(text: str, places: Sequence[Municipality]) -> Municipality | None:
    """The place of the region a pupil names: a postcode, a name anywhere in the message ("ich wohne
    in Bramsche"), a short form, or a name with a small typo ("bramschee", "osnabrük"). Read by the
    one place resolver of nlu.readers.places."""
    return resolver_for(places).answer(text)


def municipality_answer(place: Municipality) -> Answer:
    return Answer(place.slug, Utterance("utter_check_municipality_understood", {"municipality": place.name}))


# --- 2. how does the check go on? -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """The check after one message: the new state, what to say first, and the next question
    (`ask` None ends the form: finished, paused or stopped)."""

    state: CheckState
    ask: str | None
    say: tuple[Utterance, ...] = field(default=())


def advance(state: CheckState, question: str, reading: Reading, item_ids: Sequence[str] | None) -> Step:
    """Applies an answer or a command to the open `question`. `item_ids` are the items of the
    pupil's variant in order (needed for the item question)."""
    count = len(item_ids) if item_ids is not None else None
    if isinstance(reading, StaleButton):
        return Step(state, question, (Utterance("utter_check_stale_button"),))
    if isinstance(reading, Command):
        return _command(state, question, reading.name, item_ids)
    say = (reading.confirmation,) if reading.confirmation is not None else ()
    if question == SLOT_ITEM:
        return _record(state, reading.value if isinstance(reading.value, int) else None, item_ids)
    new = state.with_answer(question, reading.value)
    if question == SLOT_VARIANT and reading.value != state.variant:
        new = replace(new, answers=())  # answers belong to one variant's item order
    return Step(new, next_question(new, count if new.variant == state.variant else None), say)


def _record(state: CheckState, value: int | None, item_ids: Sequence[str] | None) -> Step:
    if item_ids is None or len(state.answers) >= len(item_ids):
        return Step(state, next_question(state, len(item_ids) if item_ids is not None else None))
    new = replace(state, answers=(*state.answers, (item_ids[len(state.answers)], value)))
    if len(new.answers) == len(item_ids):
        return Step(replace(new, status=FINISHED), None)
    return Step(new, SLOT_ITEM)


def _command(state: CheckState, question: str, name: CommandName, item_ids: Sequence[str] | None) -> Step:
    count = len(item_ids) if item_ids is not None else None
    if name == "skip":
        if question == SLOT_ITEM:
            return _record(state, None, item_ids)
        new = replace(state, municipality=NO_MUNICIPALITY, radius_km=None)
        return Step(new, next_question(new, count))
    if name == "back":
        if question == SLOT_ITEM and state.answers:
            return Step(replace(state, answers=state.answers[:-1]), SLOT_ITEM)
        previous = previous_question(state, question)
        if previous is None:
            return Step(state, question, (Utterance("utter_check_cannot_go_back"),))
        new = state.with_answer(previous, None)
        if previous == SLOT_MUNICIPALITY:
            new = replace(new, radius_km=None)
        return Step(new, previous)
    if name == "pause":
        return Step(replace(state, status=PAUSED), None)
    if name == "stop":
        return Step(CheckState(status=STOPPED), None)
    return Step(CheckState(status=RUNNING), SLOT_VARIANT, (Utterance("utter_check_restarted"),))


# Questions that leave the check for a moment: the form rejects the message, a rule in
# bot/data/rules/check.yml answers it, and the form asks the open question again.
DETOUR_INTENTS: frozenset[str] = frozenset(
    {
        "ask_profession",
        "ask_tasks",
        "ask_workplaces",
        "ask_duration",
        "ask_pay",
        "ask_certificate",
        "ask_subjects",
        "ask_related",
        "ask_privacy",
        "help",
        "switch_language",
        "bot_challenge",
    }
)
# Asking for the check while in it, a hello or a thank-you just show the open question again.
_REASK_INTENTS: frozenset[str] = frozenset({"start_check", "resume_check", "greet", "thank"})
# Saying goodbye in the middle pauses the check ("ich schreib später weiter"). (Asking to delete
# one's data pauses it too, but by a rule before the form reads the message: action_check_pause.)
_PAUSE_INTENTS: frozenset[str] = frozenset({"goodbye"})

Unreadable = Literal["detour", "reask", "pause", "not_understood"]


def unreadable_outcome(intent: str | None) -> Unreadable:
    """What to do with a message that is no answer to the open question."""
    if intent in DETOUR_INTENTS:
        return "detour"
    if intent in _REASK_INTENTS:
        return "reask"
    if intent in _PAUSE_INTENTS:
        return "pause"
    return "not_understood"


# After this many misunderstandings of the same open question the check stops asking it again:
# it takes a default (skip an item or the place, the quick check, 25 km, apprenticeships) and says
# so, or, where no default is honest (the certificate), pauses with a way back in.
MISUNDERSTOOD_SLOT = "check_misunderstood"
MISUNDERSTANDINGS_BEFORE_DEFAULT = 2
_DEFAULTS: Mapping[str, tuple[Reading, str]] = {
    SLOT_ITEM: (Command("skip"), "utter_check_default_skip"),
    SLOT_MUNICIPALITY: (Command("skip"), "utter_check_default_skip"),
    SLOT_VARIANT: (Answer("quick"), "utter_check_default_quick"),
    SLOT_RADIUS: (Answer(25), "utter_check_default_radius"),
    SLOT_LOOKING_FOR: (Answer("apprenticeship"), "utter_check_default_looking_for"),
}


def misunderstood_key(question: str, answered: int) -> str:
    """Which open question a misunderstanding belongs to (each item counts on its own)."""
    return f"{question}#{answered}" if question == SLOT_ITEM else question


def misunderstood_count(slot_value: object, key: str) -> int:
    """How often the question `key` was not understood in a row, from the slot ("<key>:<n>")."""
    if not isinstance(slot_value, str) or ":" not in slot_value:
        return 0
    stored, _, count = slot_value.rpartition(":")
    return int(count) if stored == key and count.isdigit() else 0


def default_after_misunderstandings(question: str) -> tuple[Reading, Utterance]:
    """The reading the check takes instead of asking `question` a third time, and what it says."""
    if question in _DEFAULTS:
        reading, response = _DEFAULTS[question]
        return reading, Utterance(response)
    return Command("pause"), Utterance("utter_check_default_pause")


def not_understood(question: str) -> Utterance:
    if question == SLOT_ITEM:
        return Utterance("utter_check_not_understood_item")
    if question == SLOT_MUNICIPALITY:
        return Utterance("utter_check_municipality_unknown")
    return Utterance("utter_check_not_understood_choice")


# --- 3. what the pupil sees -------------------------------------------------------------------


def check_answer_payload(choice: str) -> str:
    """The payload of a check button: intent check_answer with the entity check_choice."""
    return "/check_answer" + json.dumps({"check_choice": choice}, ensure_ascii=False, separators=(",", ":"))


def item_question(
    items: CheckItems,
    answered: int,
    language: Language,
    command_labels: Mapping[str, LocalizedText],
) -> Utterance | None:
    """The item after the `answered` ones, with "7/30", the five answers and skip/back/pause as buttons;
    a card for the channels that show the check as one card (docs/widget_messages.md)."""
    if answered >= len(items.items):
        return None
    item = items.items[answered]
    buttons: list[Button] = [
        {
            "title": option.button.in_language(language),
            "payload": check_answer_payload(f"{item.id}:{option.value}"),
            "style": "scale",
        }
        for option in items.scale
    ]
    buttons.extend(
        {
            "title": command_labels[name].in_language(language),
            "payload": check_answer_payload(f"{item.id}:{name}"),
            "style": "link",
        }
        for name in ITEM_BUTTON_COMMANDS
        if name in command_labels
    )
    position, total = answered + 1, len(items.items)
    return Utterance(
        "utter_check_item",
        {"position": position, "total": total, "item": item.text.in_language(language)},
        tuple(buttons),
        {"berufslotse": "card", "card": "check_item", "position": position, "total": total},
    )


def answers_payload(answers: Sequence[AnswerPair]) -> dict[str, int | None]:
    """The answers as the API's scoring takes them: item id -> 1..5, or None for a skipped item."""
    return dict(answers)


def has_scores(scores: Mapping[str, float | None]) -> bool:
    return any(value is not None for value in scores.values())


def top_types_text(score: CheckScore, language: Language) -> str:
    """One line per strong type: emoji, name and its one-sentence explanation (texts from knowledge/)."""
    return "\n".join(
        f"{entry.emoji} {entry.name.in_language(language)}: {entry.explanation.in_language(language)}"
        for entry in score.top_types
    )


def chart_custom(bars: Sequence[ChartBar], chart_text: str) -> dict[str, Any] | None:
    """The chart for channels that draw it (docs/widget_messages.md): it replaces the points line
    and the PNG of the same response there; Telegram keeps both."""
    scored = [{"label": bar.label, "value": round(bar.score)} for bar in bars if bar.score is not None]
    if not scored:
        return None
    return {"berufslotse": "chart", "bars": scored, "alt": chart_text, "replaces": True}


def result_utterances(
    score: CheckScore,
    chart_text: str,
    chart_url: str,
    language: Language,
    *,
    just_finished: bool,
    bars: Sequence[ChartBar] = (),
) -> list[Utterance]:
    """The result: a headline, the strongest types explained, and the chart with its text."""
    utterances = [Utterance("utter_check_result_intro" if just_finished else "utter_check_result_again")]
    if score.top_types:
        utterances.append(Utterance("utter_check_top_types", {"top_types": top_types_text(score, language)}))
    utterances.append(
        Utterance(
            "utter_check_chart",
            {"scores": chart_text, "chart_url": chart_url},
            custom=chart_custom(bars, chart_text),
        )
    )
    return utterances


def match_query(state: CheckState) -> MatchQuery:
    """What the check's answers ask the API to match: answers, certificate, place, radius, kind."""
    return MatchQuery(
        answers=answers_payload(state.answers),
        certificate=state.certificate,
        municipality=state.municipality_slug,
        radius_km=state.radius_km,
        looking_for=state.looking_for,
    )


def saved_match_query(saved: SavedResult) -> MatchQuery:
    """The same for a saved result (an older record without answers is matched by its scores)."""
    return MatchQuery(
        answers=dict(saved.answers or {}),
        certificate=saved.certificate,
        municipality=saved.municipality,
        radius_km=saved.radius_km,
        looking_for=saved.looking_for,
        scores=None if saved.answers else dict(saved.scores),
    )


def matches_intro(query: MatchQuery) -> str:
    """ "Diese Berufe passen gut zu dir" only when the pupil liked something ("eher ja" or more)."""
    if query.answers and not any((value or 0) >= LIKED_ANSWER for value in query.answers.values()):
        return "utter_check_matches_intro_undecided"
    return "utter_check_matches_intro"


def saved_search_slots(state: CheckState, saved: SavedResult) -> dict[str, Any]:
    """The check's place, radius and kind from the saved record, where the slots lost them (never
    while a check runs: its own answers are in the slots then)."""
    if state.in_progress:
        return {}
    values = {
        SLOT_MUNICIPALITY: saved.municipality,
        SLOT_RADIUS: str(saved.radius_km) if saved.radius_km is not None else None,
        SLOT_LOOKING_FOR: saved.looking_for,
    }
    current = state.slot_values()
    return {name: value for name, value in values.items() if value is not None and current.get(name) != value}


def nearby_text(match: Match, page: MatchPage, texts: Callable[..., str]) -> str:
    """ "Ausbildungsplätze in deiner Nähe (bis 25 km): 12" when there are places near the pupil."""
    if page.nearby is None or not match.places_nearby:
        return ""
    response = NEARBY_RESPONSES.get(page.nearby.looking_for or "", "utter_check_nearby_any")
    return texts(response, count=match.places_nearby, radius=page.nearby.radius_km)


def match_utterances(
    page: MatchPage, offset: int, language: Language, texts: Callable[..., str]
) -> list[Utterance]:
    """One response per occupation: rank, name, its own reason, the places near the pupil, and
    the buttons to the profile and to the offers (from the response). On the first page, the
    occupations that need a higher certificate follow as paths. Then "more?" when there are more."""
    utterances: list[Utterance] = []
    for rank, match in enumerate(page.items, start=offset + 1):
        variables: dict[str, str | int] = {
            "rank": rank,
            "name": match.display_name(language),
            "slug": match.slug,
            "nearby": nearby_text(match, page, texts),
        }
        if match.reason is not None:
            variables["reason"] = match.reason.in_language(language)
            response = (
                "utter_check_match_higher_certificate"
                if match.needs_higher_certificate
                else "utter_check_match"
            )
        else:
            response = (
                "utter_check_match_plain_higher_certificate"
                if match.needs_higher_certificate
                else "utter_check_match_plain"
            )
        utterances.append(Utterance(response, variables))
    if page.higher_certificate_paths:
        utterances.append(Utterance("utter_check_higher_paths_intro"))
        for path in page.higher_certificate_paths:
            utterances.append(
                Utterance(
                    "utter_check_higher_path",
                    {
                        "name": path.display_name(language),
                        "slug": path.slug,
                        "reason": path.reason.in_language(language) if path.reason is not None else "",
                    },
                )
            )
    if offset + len(page.items) < page.total:
        utterances.append(Utterance("utter_check_more_matches"))
    return utterances
