"""The conversation's language: `action_switch_language` switches between German and English;
`action_session_start` starts a new conversation in the language its channel reports, and shows a
returning pupil the new offers of their saved searches."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.alerts import announce_pending_alerts
from actions.language_logic import (
    easy_language_from_metadata,
    easy_language_request,
    is_first_session,
    language_from_metadata,
    requested_language,
)
from actions.profession_logic import normalize_language

LANGUAGE_SLOT = "language"
EASY_LANGUAGE_SLOT = "easy_language"
SESSION_METADATA_SLOT = "session_started_metadata"


class ActionSwitchLanguage(Action):
    """Sets the `language` slot only. The confirmation `utter_language_switched` follows by rule, so
    Rasa renders it after the slot changed, in the new language."""

    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        easy = easy_language_request(tracker.latest_message.get("entities") or [])
        if easy is not None:  # the widget's "Einfache Sprache" switch: easy German is German
            return [SlotSet(LANGUAGE_SLOT, "de"), SlotSet(EASY_LANGUAGE_SLOT, easy)]
        # The slot mapping skips switch_language messages, so the slot still holds the old language.
        current = normalize_language(tracker.get_slot(LANGUAGE_SLOT))
        target = requested_language(tracker.latest_message.get("text"), current)
        return [SlotSet(LANGUAGE_SLOT, target)]


class ActionSessionStart(Action):
    """Rasa's own session start (carry the slots over, as session_config asks), plus: the first
    session of a conversation starts in the language the channel reports in the metadata of the
    first message (the widget's page language, Telegram's app language). Later sessions keep the
    language the pupil chose."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        events.extend(
            SlotSet(event["name"], event.get("value"))
            for event in tracker.applied_events()
            if event.get("event") == "slot" and event.get("name")
        )
        first = is_first_session(tracker.events)
        metadata = tracker.get_slot(SESSION_METADATA_SLOT)
        language = language_from_metadata(metadata)
        if language is not None and first:
            events.append(SlotSet(LANGUAGE_SLOT, language))
        if first and easy_language_from_metadata(metadata):
            events.append(SlotSet(EASY_LANGUAGE_SLOT, True))
        if not first:
            # a pupil coming back sees the new offers of their saved searches (docs/alerts.md)
            await announce_pending_alerts(dispatcher, tracker, domain)
        events.append(ActionExecuted("action_listen"))
        return events
