"""The career-choice check in the chat: the form `check_form` and what happens around it.

- `validate_check_form` reads every message while the form is active (buttons and free text),
  records the answer or carries out a command, and chooses the next question. A message that is
  a question of its own ("was macht ein Mechatroniker?") changes nothing, so Rasa rejects the form,
  a rule in bot/data/rules/check.yml answers it, and the form asks the open question again.
- `action_ask_check_item` shows the next item ("7/30") with the answers as buttons.
  Both need the items of the variant. Within one turn (one message of the pupil), Rasa calls them one
  after the other; the items fetched by the first are handed to the second (`TurnItems`), so each
  answer to the check costs one request for the items, not two.
- `action_check_start` starts a new check or continues a paused one.
- `action_check_wrap_up` runs when the form ends: the result, or the confirmation of a pause/stop.
- `action_check_show_result`, `action_check_more_matches`, `action_check_delete_result`:
  "mein Ergebnis", "mehr", "lösch mein Ergebnis".

The decisions live in `actions.check_logic`; these classes read the tracker, call the API and send
the chosen responses. The check's state lives in slots only (see check_logic).
"""

from __future__ import annotations

import functools
import logging
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError, Language, LocalizedText
from actions.check_api import CheckApi, CheckItems, CheckScore, MatchQuery, chart_url, get_check_api
from actions.check_logic import (
    MATCHES_PER_PAGE,
    MISUNDERSTANDINGS_BEFORE_DEFAULT,
    MISUNDERSTOOD_SLOT,
    PAUSED,
    QUESTIONS,
    REQUESTED_SLOT,
    RUNNING,
    SAVED,
    SLOT_ITEM,
    SLOT_MATCH_OFFSET,
    SLOT_MUNICIPALITY,
    SLOT_STATUS,
    STOPPED,
    CheckState,
    Command,
    Reading,
    StaleButton,
    advance,
    answers_payload,
    default_after_misunderstandings,
    has_scores,
    item_question,
    match_query,
    match_utterances,
    matches_intro,
    misunderstood_count,
    misunderstood_key,
    municipality_answer,
    next_question,
    not_understood,
    read_item_answer,
    read_setup_answer,
    read_setup_command,
    reset_values,
    resolve_municipality,
    result_utterances,
    saved_match_query,
    saved_search_slots,
    slot_changes,
    unreadable_outcome,
)
from actions.offer_logic import DomainTexts
from actions.profession_logic import Utterance, normalize_language
from actions.professions import latest_intent, send
from knowledge.check import bank
from nlu.readers.check_answers import parse_check_command, parse_free_text_answer
from nlu.readers.places import resolver_for

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"
CHOICE_ENTITY = "check_choice"


@functools.lru_cache(maxsize=1)
def answer_scale() -> bank.AnswerScale:
    """knowledge/check/answers.yaml, read on first use: the free-text rules and the command labels."""
    return bank.load_answer_scale()


def parse_answer(text: str) -> int | str | None:
    return parse_free_text_answer(text, answer_scale())


def parse_command(text: str) -> str | None:
    return parse_check_command(text, answer_scale())


def command_labels() -> dict[str, LocalizedText]:
    return {
        command.name: LocalizedText(de=command.button.de, en=command.button.en)
        for command in answer_scale().commands
    }


def slot_events(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [SlotSet(name, value) for name, value in values.items()]


def language_of(tracker: Tracker) -> Language:
    return normalize_language(tracker.get_slot(LANGUAGE_SLOT))


class TurnItems:
    """The check's items fetched during one turn, for the other check actions of the same turn.

    An answer to a check item makes Rasa call `validate_check_form` and then `action_ask_check_item`
    (the form asks for its slot), two calls to the action server for one message. The first fetches
    the items from the API, the second would fetch them again. An entry is keyed by the
    conversation, the pupil's message (Rasa's `message_id`) and the variant, so:

    - a new message never sees the items of an earlier one: every turn fetches them once, and an API
      that is down is noticed at the answer (the check pauses, tests/e2e/test_fault_drills.py);
    - `action_ask_check_item` takes the entry out; one that no one takes (the form ended) goes after
      `ttl_s` or when more than `max_entries` are held;
    - a message without an id (not from a channel), another action server worker or a restart
      between the two calls: no entry, the action fetches the items itself as before.
    """

    def __init__(self, max_entries: int = 512, ttl_s: float = 30.0) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._entries: OrderedDict[tuple[str, str, str], tuple[float, CheckItems]] = OrderedDict()

    @staticmethod
    def key(tracker: Tracker, variant: str) -> tuple[str, str, str] | None:
        message_id = (tracker.latest_message or {}).get("message_id")
        return (tracker.sender_id, str(message_id), variant) if message_id else None

    def get(self, key: tuple[str, str, str] | None, *, take: bool = False) -> CheckItems | None:
        if key is None:
            return None
        entry = self._entries.pop(key, None) if take else self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.ttl_s:
            return None
        return entry[1]

    def put(self, key: tuple[str, str, str] | None, items: CheckItems) -> None:
        if key is None:
            return
        self._entries[key] = (time.monotonic(), items)
        self._entries.move_to_end(key)
        now = time.monotonic()
        while self._entries and (
            len(self._entries) > self.max_entries or now - next(iter(self._entries.values()))[0] > self.ttl_s
        ):
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


_turn_items = TurnItems()


class CheckAction(Action, ABC):
    """Base of the check's actions: the API client and the items of this turn (a test passes its
    own). Abstract, so that the action server does not register it."""

    def __init__(self, api: CheckApi | None = None, turn_items: TurnItems | None = None) -> None:
        self._api = api
        self._turn_items = turn_items

    @abstractmethod
    def name(self) -> str: ...

    @property
    def api(self) -> CheckApi:
        return self._api or get_check_api()

    @property
    def turn_items(self) -> TurnItems:
        return self._turn_items if self._turn_items is not None else _turn_items

    async def items_of(
        self, state: CheckState, tracker: Tracker, *, last_use: bool = False
    ) -> CheckItems | None:
        """The variant's items: those an earlier action of this turn fetched, else from the API.
        `last_use`: no later action of the turn needs them (the entry is taken out)."""
        if not state.variant:
            return None
        key = TurnItems.key(tracker, state.variant)
        items = self.turn_items.get(key, take=last_use)
        if items is None:
            items = await self.api.check_items(state.variant)
            if not last_use:
                self.turn_items.put(key, items)
        return items


class ValidateCheckForm(CheckAction):
    def name(self) -> str:
        return "validate_check_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = tracker.get_slot(REQUESTED_SLOT)
        state = CheckState.from_slots(tracker.get_slot)
        try:
            items = await self.items_of(state, tracker)
            if question not in QUESTIONS:
                # The form is being activated: nothing to read yet, ask the next open question.
                return [SlotSet(REQUESTED_SLOT, next_question(state, len(items.ids) if items else None))]
            reading = await self._read(question, tracker, state, items)
        except ApiUnavailableError:
            logger.exception("check API unavailable while reading an answer")
            dispatcher.utter_message(response="utter_check_service_unavailable")
            # The answers so far stay in the slots; "weiter mit dem Test" continues later.
            paused = replace(state, status=PAUSED)
            return [*slot_events(slot_changes(state, paused)), SlotSet(REQUESTED_SLOT, None)]

        forget_misunderstandings = (
            [SlotSet(MISUNDERSTOOD_SLOT, None)] if tracker.get_slot(MISUNDERSTOOD_SLOT) is not None else []
        )
        if reading is None:
            outcome = unreadable_outcome(latest_intent(tracker))
            if outcome == "detour":
                # No check slot changes: Rasa rejects the form, a rule answers the question, and the
                # form then runs this action again for the same message and asks `question` again.
                return [SlotSet(REQUESTED_SLOT, question)]
            if outcome == "not_understood":
                key = misunderstood_key(question, len(state.answers))
                count = misunderstood_count(tracker.get_slot(MISUNDERSTOOD_SLOT), key) + 1
                if count < MISUNDERSTANDINGS_BEFORE_DEFAULT:
                    send(dispatcher, not_understood(question))
                    return [
                        SlotSet(question, None),
                        SlotSet(REQUESTED_SLOT, question),
                        SlotSet(MISUNDERSTOOD_SLOT, f"{key}:{count}"),
                    ]
                # Not a third time: take the default (or pause) and say so.
                reading, said = default_after_misunderstandings(question)
                send(dispatcher, said)
            elif outcome == "reask":
                return [SlotSet(question, None), SlotSet(REQUESTED_SLOT, question)]
            else:
                reading = Command("pause")

        step = advance(state, question, reading, items.ids if items else None)
        for utterance in step.say:
            send(dispatcher, utterance)
        changes = slot_changes(state, step.state)
        if question not in changes:
            # Always set the asked slot, so that Rasa sees the message was taken as an answer.
            changes[question] = step.state.answer_to(question)
        return [*slot_events(changes), SlotSet(REQUESTED_SLOT, step.ask), *forget_misunderstandings]

    async def _read(
        self, question: str, tracker: Tracker, state: CheckState, items: CheckItems | None
    ) -> Reading | None:
        text = tracker.latest_message.get("text")
        choice = next(tracker.get_latest_entity_values(CHOICE_ENTITY), None)
        if question == SLOT_ITEM:
            answered = len(state.answers)
            current = items.ids[answered] if items is not None and answered < len(items.ids) else ""
            return read_item_answer(text, choice, current, parse_answer, parse_command)
        command = read_setup_command(question, text, choice, parse_answer, parse_command)
        if command is not None:
            return command
        if question == SLOT_MUNICIPALITY:
            if choice is not None:
                return StaleButton()
            if not text:
                return None
            places = await self.api.municipalities()
            entities = tracker.latest_message.get("entities") or []
            place = resolver_for(places).from_entities(entities) or resolve_municipality(text, places)
            return municipality_answer(place) if place is not None else None
        return read_setup_answer(question, text, choice)


class ActionAskCheckItem(CheckAction):
    """Asks the item after the answered ones (the form calls it for the slot check_item)."""

    def name(self) -> str:
        return "action_ask_check_item"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        try:
            items = await self.items_of(state, tracker, last_use=True)
        except ApiUnavailableError:
            logger.exception("check API unavailable while asking an item")
            dispatcher.utter_message(response="utter_check_service_unavailable")
            return []
        if items is not None:
            question = item_question(items, len(state.answers), language_of(tracker), command_labels())
            if question is not None:
                send(dispatcher, question)
        return []


class ActionCheckStart(CheckAction):
    """Before the form: continue a check in progress, or empty the slots for a new one."""

    def name(self) -> str:
        return "action_check_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        if state.in_progress:
            dispatcher.utter_message(response="utter_check_welcome_back")
            return [] if state.status == RUNNING else [SlotSet(SLOT_STATUS, RUNNING)]
        if state.result_pending:
            # Every item is answered: the form ends at once and the wrap-up shows the result.
            return []
        if latest_intent(tracker) == "resume_check":
            dispatcher.utter_message(response="utter_check_nothing_to_resume")
        dispatcher.utter_message(response="utter_check_intro")
        return slot_events({**reset_values(), SLOT_STATUS: RUNNING})


class ResultAction(CheckAction, ABC):
    """Shows results: scores, strongest types, chart, matching occupations."""

    async def finish(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, state: CheckState, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Scores the answers, saves the pseudonymous record and shows the result."""
        language = language_of(tracker)
        answers = answers_payload(state.answers)
        score = (
            await self.api.score(answers) if any(value is not None for value in answers.values()) else None
        )
        if score is None or not has_scores(score.scores):
            dispatcher.utter_message(response="utter_check_no_answers")
            return slot_events(reset_values())
        saved = True
        try:
            await self.api.save_result(
                tracker.sender_id,
                state.variant or "quick",
                score.scores,
                state.certificate,
                state.municipality_slug,
                answers=answers,
                radius_km=state.radius_km,
                looking_for=state.looking_for,
            )
        except ApiUnavailableError:
            # The pupil still sees the result; the answers stay so that "mein Ergebnis" saves it later.
            logger.exception("could not save the check result")
            saved = False
        shown = await self.show(dispatcher, score, match_query(state), language, domain, just_finished=True)
        after = replace(state, answers=(), status=SAVED) if saved else state
        return slot_events(slot_changes(state, replace(after, match_offset=shown)))

    async def show(
        self,
        dispatcher: CollectingDispatcher,
        score: CheckScore,
        query: MatchQuery,
        language: Language,
        domain: DomainDict,
        *,
        just_finished: bool,
    ) -> int:
        """Sends the result and the first matches; returns how many matches were shown."""
        # Everything is loaded before anything is sent, so a failing API never leaves half a result.
        chart = await self.api.chart_description(score.scores, language)
        page = await self.api.matches(query, limit=MATCHES_PER_PAGE)
        utterances = result_utterances(
            score,
            chart.alt,
            chart_url(score.scores, language),
            language,
            just_finished=just_finished,
            bars=chart.bars,
        )
        if page.items:
            utterances.append(Utterance(matches_intro(query)))
            utterances.extend(match_utterances(page, 0, language, DomainTexts(domain, language)))
        # keep it or show it to someone (bot/domain/share.yml)
        utterances.append(Utterance("utter_share_offer"))
        for utterance in utterances:
            send(dispatcher, utterance)
        return len(page.items)

    async def current_result(
        self, tracker: Tracker, state: CheckState
    ) -> tuple[CheckScore, MatchQuery] | None:
        """The pupil's scores and what to match them with: from answers not yet saved, else from the API."""
        if state.result_pending:
            return await self.api.score(answers_payload(state.answers)), match_query(state)
        saved = await self.api.saved_result(tracker.sender_id)
        return (saved, saved_match_query(saved)) if saved is not None else None


class ActionCheckWrapUp(ResultAction):
    """After the form: the result when every item is answered, else confirm the pause or the stop."""

    def name(self) -> str:
        return "action_check_wrap_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        if state.status == PAUSED:
            dispatcher.utter_message(response="utter_check_paused")
            return []
        if state.status == STOPPED:
            dispatcher.utter_message(response="utter_check_stopped")
            return []
        if not state.result_pending:
            return []
        try:
            return await self.finish(dispatcher, tracker, state, domain)
        except ApiUnavailableError:
            logger.exception("check API unavailable while scoring")
            dispatcher.utter_message(response="utter_check_result_unavailable")
            return []


class ActionCheckPause(CheckAction):
    """Pauses a running check from outside the form: a rule deactivates the form first when the
    pupil asks to delete their data (the yes to that comes outside the form, where "ja" is no
    answer to an item). The answers stay in the slots; "weiter mit dem Test" continues."""

    def name(self) -> str:
        return "action_check_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        if state.status != RUNNING:
            return []
        dispatcher.utter_message(response="utter_check_paused")
        return slot_events(slot_changes(state, replace(state, status=PAUSED)))


class ActionCheckShowResult(ResultAction):
    """ "mein Ergebnis": the saved result again (or the pending one, saved now)."""

    def name(self) -> str:
        return "action_check_show_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        try:
            if state.result_pending:
                return await self.finish(dispatcher, tracker, state, domain)
            saved = await self.api.saved_result(tracker.sender_id)
            if saved is None:
                dispatcher.utter_message(response="utter_check_no_result")
                return []
            shown = await self.show(
                dispatcher, saved, saved_match_query(saved), language_of(tracker), domain, just_finished=False
            )
        except ApiUnavailableError:
            logger.exception("check API unavailable while showing the result")
            dispatcher.utter_message(response="utter_check_result_unavailable")
            return []
        # "Angebote dazu" under the result searches where and what the check said, also when the
        # check's slots were reset since (a new session, a stopped check): take them from the record.
        return [SlotSet(SLOT_MATCH_OFFSET, shown or None), *slot_events(saved_search_slots(state, saved))]


class ActionCheckMoreMatches(ResultAction):
    """ "mehr": the next five matching occupations."""

    def name(self) -> str:
        return "action_check_more_matches"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        language = language_of(tracker)
        try:
            current = await self.current_result(tracker, state)
            if current is None:
                dispatcher.utter_message(response="utter_check_no_result")
                return []
            _, query = current
            page = await self.api.matches(query, limit=MATCHES_PER_PAGE, offset=state.match_offset)
        except ApiUnavailableError:
            logger.exception("check API unavailable while listing matches")
            dispatcher.utter_message(response="utter_check_service_unavailable")
            return []
        if not page.items:
            dispatcher.utter_message(response="utter_check_no_more_matches")
            return []
        for utterance in match_utterances(page, state.match_offset, language, DomainTexts(domain, language)):
            send(dispatcher, utterance)
        return [SlotSet(SLOT_MATCH_OFFSET, state.match_offset + len(page.items))]


class ActionCheckDeleteResult(CheckAction):
    """ "lösch mein Ergebnis" (after the pupil confirmed): deletes the saved record."""

    def name(self) -> str:
        return "action_check_delete_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = CheckState.from_slots(tracker.get_slot)
        try:
            deleted = await self.api.delete_result(tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("check API unavailable while deleting a result")
            dispatcher.utter_message(response="utter_check_service_unavailable")
            return []
        pending = state.result_pending
        dispatcher.utter_message(
            response="utter_check_deleted" if deleted or pending else "utter_check_nothing_deleted"
        )
        # A check in progress stays (it is no result yet); everything about a result goes.
        if state.in_progress:
            return [SlotSet(SLOT_MATCH_OFFSET, None)] if state.match_offset else []
        return slot_events(slot_changes(state, CheckState()))
