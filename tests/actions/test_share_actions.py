"""The sharing actions against a stand-in of api/share (httpx.MockTransport): the exact responses,
slots and requests; a hand-off is sent only with the digest of the preview the pupil saw."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.share import (
    ActionResultPdf,
    ActionShareOffer,
    ActionSharePreview,
    ActionShareSend,
    ActionShareWithdraw,
)
from actions.share_api import ShareApi

TOKEN = "test-service-token"
DIGEST = "d" * 64
LINK = "https://berufslotse.example/api/v1/share/results/abc.pdf"
PREVIEW_TEXT = "An: die Berufsberatung in der Region Osnabrück\nDeine stärksten Interessen: Sozial"


class FakeShareApi:
    """Answers like api/share; `has_result`, `digest` and `fail` steer it; `requests` records."""

    def __init__(self) -> None:
        self.has_result = True
        self.digest = DIGEST
        self.fail = False
        self.withdrawable = 1
        self.requests: list[tuple[str, str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body: Any = json.loads(request.content) if request.content else {}
        self.requests.append((request.method, request.url.path, body))
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        if self.fail:
            return httpx.Response(503)
        path = request.url.path
        if not self.has_result and path != "/api/v1/share/handoffs":
            return httpx.Response(404, json={"type": "/problems/check-result-not-found"})
        if path == "/api/v1/share/result-links":
            return httpx.Response(201, json={"url": LINK, "filename": "mein-ergebnis.pdf", "expires_at": "x"})
        if path == "/api/v1/share/handoffs/preview":
            if body["occupations"] == ["gibt-es-nicht"]:
                return httpx.Response(422, json={"type": "/problems/unknown-occupation"})
            text = PREVIEW_TEXT + (f"\nDeine Frage: {body['question']}" if body["question"] else "")
            return httpx.Response(
                200,
                json={
                    "recipient": "region",
                    "recipient_label": "x",
                    "lines": [],
                    "text": text,
                    "digest": self.digest,
                },
            )
        if path == "/api/v1/share/handoffs" and request.method == "POST":
            if not self.has_result:
                return httpx.Response(404, json={})
            if body["digest"] != self.digest:
                return httpx.Response(409, json={"type": "/problems/handoff-changed"})
            return httpx.Response(201, json={"id": 1, "recipient": "region"})
        if path == "/api/v1/share/handoffs" and request.method == "DELETE":
            return httpx.Response(200, json={"pupil_ref": "test-user", "withdrawn": self.withdrawable})
        if path == "/api/v1/check/results":
            return httpx.Response(200, json=SAVED)
        return httpx.Response(404)


SAVED: dict[str, Any] = {
    "pupil_ref": "test-user",
    "variant": "quick",
    "scores": {"R": 20, "I": 55, "A": 40, "S": 90, "E": 35, "C": 70},
    "top_types": [],
    "holland_code": "SCI",
    "certificate": None,
    "municipality": None,
    "answers": None,
    "radius_km": None,
    "looking_for": None,
    "completed_on": "2026-12-06",
}


@pytest.fixture
def fake() -> FakeShareApi:
    return FakeShareApi()


@pytest.fixture
async def api(fake: FakeShareApi) -> AsyncIterator[ShareApi]:
    async with httpx.AsyncClient(
        base_url="http://api.test", transport=httpx.MockTransport(fake.handle)
    ) as client:
        yield ShareApi(client, service_token=TOKEN)


def tracker(intent: str, *, channel: str | None = None, **slots: Any) -> Tracker:
    message: dict[str, Any] = {"text": "x", "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if channel:
        message["metadata"] = {"channel": channel}
    return Tracker(
        sender_id="test-user",
        slots={"language": "de", "profession": None, "share_question": None, "share_digest": None, **slots},
        latest_message=message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(action: Any, current: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, current, {})
    return dispatcher.messages, events


async def test_the_pdf_link_in_the_chat_and_the_file_on_telegram(api: ShareApi, fake: FakeShareApi) -> None:
    messages, events = await run(ActionResultPdf(api), tracker("result_pdf", language="en"))
    assert [m["response"] for m in messages] == ["utter_result_pdf_link", None]
    assert messages[0]["link"] == LINK
    assert messages[1]["custom"] == {
        "document": {"url": LINK, "filename": "mein-ergebnis.pdf", "media_type": "application/pdf"}
    }
    assert fake.requests[0] == (
        "POST",
        "/api/v1/share/result-links",
        {"pupil_ref": "test-user", "language": "en"},
    )
    assert events == []

    messages, _ = await run(ActionResultPdf(api), tracker("result_pdf", channel="telegram"))
    assert [m["response"] for m in messages] == ["utter_result_pdf_file", None]
    assert messages[1]["custom"]["document"]["url"] == LINK


async def test_no_result_no_pdf_and_a_failing_api(api: ShareApi, fake: FakeShareApi) -> None:
    fake.has_result = False
    messages, _ = await run(ActionResultPdf(api), tracker("result_pdf"))
    assert [m["response"] for m in messages] == ["utter_share_no_result"]
    fake.fail = True
    messages, _ = await run(ActionResultPdf(api), tracker("result_pdf"))
    assert [m["response"] for m in messages] == ["utter_share_unavailable"]


async def test_the_preview_shows_what_would_be_sent_and_keeps_its_digest(
    api: ShareApi, fake: FakeShareApi
) -> None:
    messages, events = await run(
        ActionSharePreview(api),
        tracker(
            "share_result", profession="pflegefachmann", share_question="Wo kann ich ein Praktikum machen?"
        ),
    )
    assert [m["response"] for m in messages] == ["utter_share_preview"]
    assert messages[0]["summary"] == PREVIEW_TEXT + "\nDeine Frage: Wo kann ich ein Praktikum machen?"
    assert events == [SlotSet("share_digest", DIGEST)]
    assert fake.requests[0][2] == {
        "pupil_ref": "test-user",
        "language": "de",
        "question": "Wo kann ich ein Praktikum machen?",
        "occupations": ["pflegefachmann"],
    }


async def test_an_unknown_occupation_is_left_out_of_the_preview(api: ShareApi, fake: FakeShareApi) -> None:
    messages, _ = await run(ActionSharePreview(api), tracker("share_result", profession="gibt-es-nicht"))
    assert [m["response"] for m in messages] == ["utter_share_preview"]
    assert [body["occupations"] for _, _, body in fake.requests] == [["gibt-es-nicht"], []]


async def test_sending_needs_the_preview_and_sends_its_digest(api: ShareApi, fake: FakeShareApi) -> None:
    # typed "abschicken" without a preview: nothing is sent, the preview is shown
    messages, events = await run(ActionShareSend(api), tracker("share_confirm"))
    assert [m["response"] for m in messages] == ["utter_share_not_confirmed", "utter_share_preview"]
    assert [path for method, path, _ in fake.requests if method == "POST"] == [
        "/api/v1/share/handoffs/preview"
    ]
    assert events == [SlotSet("share_digest", DIGEST)]

    messages, events = await run(
        ActionShareSend(api), tracker("share_confirm", share_digest=DIGEST, share_question="Frage?")
    )
    assert [m["response"] for m in messages] == ["utter_share_sent"]
    sent = fake.requests[-1]
    assert (
        sent[1] == "/api/v1/share/handoffs"
        and sent[2]["digest"] == DIGEST
        and sent[2]["question"] == "Frage?"
    )
    assert events == [SlotSet("share_digest", None), SlotSet("share_question", None)]


async def test_a_changed_summary_is_shown_again_before_anything_is_sent(
    api: ShareApi, fake: FakeShareApi
) -> None:
    fake.digest = "e" * 64
    messages, events = await run(ActionShareSend(api), tracker("share_confirm", share_digest=DIGEST))
    assert [m["response"] for m in messages] == ["utter_share_changed", "utter_share_preview"]
    assert events == [SlotSet("share_digest", "e" * 64)]


async def test_withdrawing(api: ShareApi, fake: FakeShareApi) -> None:
    messages, events = await run(ActionShareWithdraw(api), tracker("share_withdraw"))
    assert [m["response"] for m in messages] == ["utter_share_withdrawn"]
    assert fake.requests[-1][:2] == ("DELETE", "/api/v1/share/handoffs")
    assert events == [SlotSet("share_digest", None), SlotSet("share_question", None)]
    fake.withdrawable = 0
    messages, _ = await run(ActionShareWithdraw(api), tracker("share_withdraw"))
    assert [m["response"] for m in messages] == ["utter_share_nothing_to_withdraw"]


async def test_the_offer_after_the_advisers_only_with_a_result(api: ShareApi, fake: FakeShareApi) -> None:
    messages, _ = await run(ActionShareOffer(api), tracker("handoff"))
    assert [m["response"] for m in messages] == ["utter_share_handoff_offer"]
    fake.has_result = False

    def no_result(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={})

    async with httpx.AsyncClient(
        base_url="http://api.test", transport=httpx.MockTransport(no_result)
    ) as client:
        messages, _ = await run(ActionShareOffer(ShareApi(client, service_token=TOKEN)), tracker("handoff"))
    assert messages == []


async def test_a_button_pressed_while_asked_for_the_question_is_no_question(
    api: ShareApi, fake: FakeShareApi
) -> None:
    messages, _ = await run(
        ActionSharePreview(api), tracker("share_confirm", share_question="/share_confirm")
    )
    assert [m["response"] for m in messages] == ["utter_share_preview"]
    assert fake.requests[0][2]["question"] is None
    messages, events = await run(
        ActionSharePreview(api), tracker("share_cancel", share_question="/share_cancel")
    )
    assert [m["response"] for m in messages] == ["utter_share_cancelled"]
    assert events == [SlotSet("share_digest", None), SlotSet("share_question", None)]
    assert len(fake.requests) == 1  # nothing asked of the API for the cancel
