"""scripts/soak.py counts what goes wrong: a silent answer, the REST channel's "back in a moment",
an HTTP error, a missing button. Against a fake Rasa (httpx's mock transport), no stack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from scripts.soak import NO_ANSWER, ConversationError, Figures, Pupil, memory_summary

Handler = Callable[[httpx.Request], httpx.Response]


def run_pupil(handler: Handler) -> tuple[Figures, ConversationError | None]:
    figures = Figures()

    async def talk() -> ConversationError | None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            try:
                await Pupil(client, "http://rasa", "pupil-1", figures).converse(0)
            except ConversationError as error:
                return error
        return None

    return figures, asyncio.run(talk())


def answering(text: str, status: int = 200) -> Handler:
    return lambda _request: httpx.Response(status, json=[{"recipient_id": "pupil-1", "text": text}])


@pytest.mark.parametrize(
    ("handler", "kind"),
    [
        (lambda _request: httpx.Response(200, json=[]), "silent"),
        (lambda _request: httpx.Response(200, json=[{"recipient_id": "pupil-1", "text": ""}]), "silent"),
        (answering(sorted(NO_ANSWER)[0]), "no_answer"),
        (answering("Oops", status=500), "http_500"),
    ],
)
def test_a_failed_answer_is_an_error(handler: Handler, kind: str) -> None:
    _figures, error = run_pupil(handler)
    assert error is not None and (error.kind, error.step) == (kind, "greet")


def test_an_answer_without_the_next_button_is_an_error() -> None:
    # every message is answered kindly, but the check's buttons never come
    _figures, error = run_pupil(answering("Hallo!"))
    assert error is not None and (error.kind, error.step) == ("no_button", "check_variant")


def button(choice: str) -> dict[str, str]:
    return {"payload": "/check_answer" + json.dumps({"check_choice": choice}, separators=(",", ":"))}


def test_a_whole_conversation_through_the_buttons() -> None:
    setup = {
        "ich weiß nicht was ich werden will": "quick",
        button("quick")["payload"]: "realschule",
        button("realschule")["payload"]: None,  # the place is typed
        "bramsche": "25",
        button("25")["payload"]: "apprenticeship",
    }
    asked: list[int] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        if message in setup:
            choice = setup[message]
            return httpx.Response(200, json=[{"text": "ok", "buttons": [button(choice)] if choice else []}])
        if message.startswith("/check_answer"):  # the last setup button or an item's answer
            asked.append(len(asked) + 1)
            answers = [button(f"r{len(asked):02}:{value}") for value in range(1, 6)]
            return httpx.Response(200, json=[{"text": f"{len(asked)}/30 Frage", "buttons": answers}])
        return httpx.Response(200, json=[{"text": "Hallo!"}])

    figures, error = run_pupil(rasa)
    assert error is None
    assert figures.messages == 11 and len(figures.latencies_ms) == 11
    assert asked == [1, 2, 3, 4]


def test_memory_is_flat_when_the_last_fifth_stays_within_ten_percent() -> None:
    samples = [
        {"t_s": float(t), "rasa": 1000.0 + (t >= 240) * 80.0, "api": 100.0 + t} for t in range(0, 301, 5)
    ]
    summary = memory_summary(samples, ["rasa", "api"], 300)
    assert summary["rasa"]["flat"] is True and summary["rasa"]["change"] == pytest.approx(0.08, abs=0.001)
    assert summary["api"]["flat"] is False  # grows all the time: 190 MB -> 370 MB
