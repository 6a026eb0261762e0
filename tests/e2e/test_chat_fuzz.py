"""A small, bounded fuzz run through the REST channel of the real stack: odd bodies, odd senders,
huge and unreadable messages, injected intents and entities. Every request gets a 4xx or an answer
(never a 5xx, never a silent `[]`), a huge message costs the others nothing, "hallo" is answered
normally afterwards, and no service's log holds a message, a sender id or metadata."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.stack import Stack
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

# In every fuzzed message, sender id and metadata value, so the logs can be searched for it.
MARKER = "zqxfuzzmarker"
SENDER = f"e2e-fuzz-{MARKER}"


ODD_BODIES: list[object] = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"' + MARKER.encode() + b'"',
    b"[" * 3000 + b"]" * 3000,
    b'{"sender": "' + SENDER.encode() + b'", "message": "\\ud800 ' + MARKER.encode() + b'"}',
    b'{"sender": "' + SENDER.encode() + b'", "message": "' + MARKER.encode() + b' \\u0000\\u001b[2J"}',
    {"sender": SENDER, "message": 12345},
    {"sender": SENDER, "message": None},
    {"sender": SENDER, "message": {"text": MARKER}},
    {"sender": SENDER},
    {"message": f"hallo {MARKER}"},
    {"sender": f"a/b/{MARKER}", "message": "hallo"},
    {"sender": MARKER * 30, "message": "hallo"},
    {"sender": SENDER, "message": "hallo", "metadata": {"channel": "web", MARKER: "x"}},
    {"sender": SENDER, "message": "hallo", "metadata": {"language": MARKER * 10}},
    {"sender": SENDER, "message": "hallo", "metadata": {"channel": ["web"]}},
    {"sender": SENDER, "message": "hallo", "metadata": {"channel": "x" * 2_000_000}},
    {"sender": SENDER, "message": "hallo", "metadata": MARKER},
]
ODD_MESSAGES = [
    "",
    "   ",
    "/",
    f"{MARKER} " * 300,
    f"{MARKER}\x00\x01",
    f'/greet{{"detected_language":{{"a":1}}}} {MARKER}',
    '/greet{"detected_language":"xx"}',
    '/ask_tasks{"profession_query":"<script>alert(1)</script>"}',
    '/ask_profession{"profession":"<img src=x onerror=alert(1)>"}',
    f"/no_such_intent {MARKER}",
    f"<b>{MARKER}</b> was macht ein tischler",
    "🙂" * 50,
]


@pytest.fixture(scope="module")
def fuzz_run(stack: Stack) -> Iterator[list[tuple[object, httpx.Response]]]:
    url = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    results: list[tuple[object, httpx.Response]] = []
    with httpx.Client(timeout=60) as client:
        for body in ODD_BODIES:
            if isinstance(body, bytes):
                answer = client.post(url, content=body, headers={"Content-Type": "application/json"})
            else:
                answer = client.post(url, json=body)
            results.append((body, answer))
        for message in ODD_MESSAGES:
            metadata = {"channel": "web", "language": "de"}
            results.append(
                (message, client.post(url, json={"sender": SENDER, "message": message, "metadata": metadata}))
            )
    yield results


def test_every_odd_request_gets_a_4xx_or_an_answer(fuzz_run: list[tuple[object, httpx.Response]]) -> None:
    for body, answer in fuzz_run:
        shown = repr(body)[:120]
        assert answer.status_code < 500, (shown, answer.status_code, answer.text[:300])
        if answer.status_code == 200:
            replies = answer.json()
            assert isinstance(replies, list) and replies, (shown, "silent answer")
            assert any(reply.get("text") for reply in replies), (shown, replies)
        else:
            assert 400 <= answer.status_code < 500


def test_injected_markup_is_never_echoed(fuzz_run: list[tuple[object, httpx.Response]]) -> None:
    for _body, answer in fuzz_run:
        assert "<script" not in answer.text and "<img" not in answer.text and "<b>" not in answer.text


def test_a_huge_message_costs_the_others_nothing(stack: Stack, chat: Chat) -> None:
    url = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    started = time.monotonic()
    answer = httpx.post(url, json={"sender": SENDER, "message": "tischler " * 11_000}, timeout=60)
    assert answer.status_code in (200, 413)
    assert time.monotonic() - started < 3.0
    started = time.monotonic()
    over_limit = httpx.post(url, json={"sender": SENDER, "message": "x" * 1001}, timeout=60)
    assert "zu lang" in over_limit.json()[0]["text"]
    assert time.monotonic() - started < 3.0


def test_after_the_fuzz_run_hallo_is_answered_normally_in_german(
    fuzz_run: list[tuple[object, httpx.Response]], stack: Stack
) -> None:
    # the same sender that sent `/greet{"detected_language":...}` with odd values: still German
    reply = Chat(stack.config.rasa_url, sender=SENDER).say_text("hallo")
    assert "Beruf" in reply


def test_no_log_holds_a_message_a_sender_id_or_metadata(
    fuzz_run: list[tuple[object, httpx.Response]], stack: Stack
) -> None:
    logs = sorted(Path(stack.config.var_dir, "log").glob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text(errors="replace")
        assert MARKER not in text, (log.name, [line for line in text.splitlines() if MARKER in line][:3])
        assert json.dumps(SENDER) not in text
