"""Sharing the result (bot/domain/share.yml, docs/handoff.md).

- `action_result_pdf`: a link to the pupil's result as a PDF. REST and the website widget get the
  link in the text; Telegram gets the file (the bridge downloads the link and sends a document).
  Both also get the custom payload {"document": {"url", "filename", "media_type"}}.
- `action_share_offer` (after utter_handoff): the offer to send the result, when there is one.
- `action_share_preview`: exactly what would be sent and to whom, from the API; keeps its digest.
- `action_share_send`: sends only the preview the pupil saw (the digest); anything else is shown
  again first.
- `action_share_withdraw`: withdraws it; it leaves the advisor's inbox at once.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailableError, Language, is_valid_slug
from actions.profession_logic import normalize_language
from actions.share_api import SendOutcome, ShareApi, get_share_api

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"
QUESTION_SLOT = "share_question"
DIGEST_SLOT = "share_digest"
PROFESSION_SLOT = "profession"
TELEGRAM = "telegram"
PDF = "application/pdf"


def language_of(tracker: Tracker) -> Language:
    return normalize_language(tracker.get_slot(LANGUAGE_SLOT))


def channel_of(tracker: Tracker) -> str | None:
    """The channel the bridge names in the message's metadata (the Telegram bridge: "telegram")."""
    metadata = (tracker.latest_message or {}).get("metadata")
    channel = metadata.get("channel") if isinstance(metadata, Mapping) else None
    return channel if isinstance(channel, str) else None


def occupations_of(tracker: Tracker) -> list[str]:
    """The occupation the pupil talked about last, when there is one (a slug, nothing typed)."""
    slug = tracker.get_slot(PROFESSION_SLOT)
    return [slug] if is_valid_slug(slug) else []


def question_of(tracker: Tracker) -> str | None:
    """The pupil's own question; a button's payload (pressed while asked for it) is none."""
    value = tracker.get_slot(QUESTION_SLOT)
    if not isinstance(value, str) or not value.strip() or value.lstrip().startswith("/"):
        return None
    return value.strip()


def latest_intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return name if isinstance(name, str) else None


def document_payload(url: str, filename: str) -> dict[str, Any]:
    return {"document": {"url": url, "filename": filename, "media_type": PDF}}


class ShareAction(Action, ABC):
    """Abstract, so that the action server does not register it."""

    def __init__(self, api: ShareApi | None = None) -> None:
        self._api = api

    @property
    def api(self) -> ShareApi:
        return self._api or get_share_api()

    @abstractmethod
    def name(self) -> str: ...


class ActionResultPdf(ShareAction):
    def name(self) -> str:
        return "action_result_pdf"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            link = await self.api.result_link(tracker.sender_id, language_of(tracker))
        except ApiUnavailableError:
            logger.exception("could not make a link to the result PDF")
            dispatcher.utter_message(response="utter_share_unavailable")
            return []
        if link is None:
            dispatcher.utter_message(response="utter_share_no_result")
            return []
        if channel_of(tracker) == TELEGRAM:
            dispatcher.utter_message(response="utter_result_pdf_file")
        else:
            dispatcher.utter_message(response="utter_result_pdf_link", link=link.url)
        dispatcher.utter_message(json_message=document_payload(link.url, link.filename))
        return []


class ActionShareOffer(ShareAction):
    """After the region's advisers: offer to send the result, only when there is one."""

    def name(self) -> str:
        return "action_share_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            saved = await self.api.saved_result(tracker.sender_id)
        except ApiUnavailableError:
            logger.warning("could not look up a saved result for the share offer")
            return []
        if saved is not None:
            dispatcher.utter_message(response="utter_share_handoff_offer")
        return []


class ActionSharePreview(ShareAction):
    def name(self) -> str:
        return "action_share_preview"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if latest_intent(tracker) == "share_cancel":
            # "Nicht schicken" pressed while the question was asked for: nothing is sent
            dispatcher.utter_message(response="utter_share_cancelled")
            return [SlotSet(DIGEST_SLOT, None), SlotSet(QUESTION_SLOT, None)]
        return await show_preview(self.api, dispatcher, tracker)


async def show_preview(
    api: ShareApi, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[dict[str, Any]]:
    try:
        preview = await api.preview_handoff(
            tracker.sender_id, language_of(tracker), question_of(tracker), occupations_of(tracker)
        )
    except ApiUnavailableError:
        logger.exception("could not preview a hand-off")
        dispatcher.utter_message(response="utter_share_unavailable")
        return [SlotSet(DIGEST_SLOT, None)]
    if preview is None:
        dispatcher.utter_message(response="utter_share_no_result")
        return [SlotSet(DIGEST_SLOT, None), SlotSet(QUESTION_SLOT, None)]
    dispatcher.utter_message(response="utter_share_preview", summary=preview.text)
    return [SlotSet(DIGEST_SLOT, preview.digest)]


class ActionShareSend(ShareAction):
    def name(self) -> str:
        return "action_share_send"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        digest = tracker.get_slot(DIGEST_SLOT)
        if not isinstance(digest, str) or not digest:
            # a confirmation without a preview (typed "abschicken"): show it first, send nothing
            dispatcher.utter_message(response="utter_share_not_confirmed")
            return await show_preview(self.api, dispatcher, tracker)
        try:
            outcome = await self.api.send_handoff(
                tracker.sender_id, language_of(tracker), question_of(tracker), occupations_of(tracker), digest
            )
        except ApiUnavailableError:
            logger.exception("could not send a hand-off")
            dispatcher.utter_message(response="utter_share_unavailable")
            return []
        if outcome is SendOutcome.CHANGED:
            dispatcher.utter_message(response="utter_share_changed")
            return await show_preview(self.api, dispatcher, tracker)
        if outcome is SendOutcome.NO_RESULT:
            dispatcher.utter_message(response="utter_share_no_result")
        else:
            dispatcher.utter_message(response="utter_share_sent")
        return [SlotSet(DIGEST_SLOT, None), SlotSet(QUESTION_SLOT, None)]


class ActionShareWithdraw(ShareAction):
    def name(self) -> str:
        return "action_share_withdraw"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            withdrawn = await self.api.withdraw_handoffs(tracker.sender_id)
        except ApiUnavailableError:
            logger.exception("could not withdraw a hand-off")
            dispatcher.utter_message(response="utter_share_unavailable")
            return []
        dispatcher.utter_message(
            response="utter_share_withdrawn" if withdrawn else "utter_share_nothing_to_withdraw"
        )
        return [SlotSet(DIGEST_SLOT, None), SlotSet(QUESTION_SLOT, None)]
