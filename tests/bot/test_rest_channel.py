"""bot.channels.rest.GuardedRestInput, served by a real Sanic server on a free loopback port: what
reaches Rasa's `on_new_message` and what every refused request is answered."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from sanic import Sanic

from bot.channels.message_limits import PayloadPolicy, Refusal, as_pupil_text, refusal_for
from bot.channels.rest import GuardedRestInput, RestLimits, policy_from_domain, refusal_text, refusal_texts
from bot.tracker_store import TrackerStoreUnavailable

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_tasks, check_answer]
entities: [detected_language, profession_query, check_choice]
slots:
  language:
    type: categorical
    values: [de, en]
    initial_value: de
    influence_conversation: true
    mappings:
      - type: from_entity
        entity: detected_language
  profession_query:
    type: text
    influence_conversation: false
    mappings:
      - type: from_entity
        entity: profession_query
"""
)
SECRET_WORDS = "Mein Name ist Erika Mustermann"


class FakeAgent:
    def __init__(self) -> None:
        self.domain = DOMAIN
        self.tracker_store = InMemoryTrackerStore(DOMAIN)


class Received:
    """Rasa's side: records every message and answers "ok"; `fail` makes the next one raise."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.fail = False

    async def __call__(self, message: UserMessage) -> None:
        if self.fail:
            raise RuntimeError(f"boom while handling {message.text}")
        self.messages.append(message)
        assert message.output_channel is not None
        await message.output_channel.send_text_message(message.sender_id or "", "ok")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(received: Callable[[UserMessage], Awaitable[None]], agent: FakeAgent) -> AsyncIterator[str]:
    Sanic.test_mode = True
    app = Sanic(f"rest_channel_test_{free_port()}", configure_logging=False)
    app.ctx.agent = agent
    channel = GuardedRestInput.from_credentials({"max_message_chars": 1000, "max_body_bytes": 16384})
    app.blueprint(channel.blueprint(received), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()


def post_all(
    requests: list[Any], *, agent: FakeAgent | None = None
) -> tuple[list[tuple[int, Any]], Received]:
    """POST each body (bytes as they are, anything else as JSON) and collect status and answer."""
    received = Received()

    async def run() -> list[tuple[int, Any]]:
        results = []
        async with serving(received, agent or FakeAgent()) as url, aiohttp.ClientSession() as session:
            for body in requests:
                data = body if isinstance(body, bytes) else None
                kwargs: dict[str, Any] = {"data": data} if data is not None else {"json": body}
                async with session.post(url, **kwargs) as answer:
                    try:
                        results.append((answer.status, await answer.json(content_type=None)))
                    except ValueError:
                        results.append((answer.status, await answer.text()))
        return results

    return asyncio.run(run()), received


@pytest.fixture
def caplog_all(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def test_an_ordinary_message_reaches_rasa_with_its_metadata() -> None:
    body = {"sender": "web-abc123", "message": "hallo", "metadata": {"channel": "web", "language": "en"}}
    [(status, answer)], received = post_all([body])
    assert status == 200
    assert answer == [{"recipient_id": "web-abc123", "text": "ok"}]
    [message] = received.messages
    assert (message.text, message.sender_id, message.input_channel) == ("hallo", "web-abc123", "rest")
    assert message.metadata == {"channel": "web", "language": "en"}


def test_the_widgets_easy_german_setting_reaches_rasa() -> None:
    metadata = {"channel": "web", "language": "de", "easy_language": "1"}
    [(status, _answer)], received = post_all(
        [{"sender": "web-abc123", "message": "hallo", "metadata": metadata}]
    )
    assert status == 200
    assert received.messages[0].metadata == metadata


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "body_not_json"),
        (b"[1, 2]", 400, "body_not_an_object"),
        (b'"hallo"', 400, "body_not_an_object"),
        (b"[" * 5000 + b"]" * 5000, 400, "body_not_json"),
        ({"sender": "x", "message": "a" * 20000}, 413, "body_too_large"),
        ({"message": "hallo"}, 400, "sender_invalid"),
        ({"sender": "a/b", "message": "hallo"}, 400, "sender_invalid"),
        ({"sender": "x" * 201, "message": "hallo"}, 400, "sender_invalid"),
        ({"sender": 5, "message": "hallo"}, 400, "sender_invalid"),
        ({"sender": "x", "message": 42}, 400, "message_not_a_string"),
        ({"sender": "x", "message": None}, 400, "message_not_a_string"),
        ({"sender": "x", "message": ["hallo"]}, 400, "message_not_a_string"),
        ({"sender": "x", "message": "hallo", "metadata": []}, 400, "metadata_not_an_object"),
        ({"sender": "x", "message": "hallo", "metadata": {"evil": "1"}}, 400, "metadata_unknown_key"),
        (
            {"sender": "x", "message": "hallo", "metadata": {"channel": {"a": 1}}},
            400,
            "metadata_value_invalid",
        ),
        (
            {"sender": "x", "message": "hallo", "metadata": {"language": "d" * 65}},
            400,
            "metadata_value_invalid",
        ),
    ],
)
def test_requests_no_channel_sends_are_refused_before_rasa(body: Any, status: int, reason: str) -> None:
    [(answer_status, answer)], received = post_all([body])
    assert (answer_status, answer) == (status, {"error": reason})
    assert received.messages == []


def test_a_body_far_over_the_limit_is_cut_off_by_sanic() -> None:
    [(status, _answer)], received = post_all([b"{" + b" " * (200 * 1024) + b"}"])
    assert status == 413
    assert received.messages == []


@pytest.mark.parametrize(
    ("message", "refusal", "words"),
    [
        ("a" * 1001, Refusal.TOO_LONG, "1000 Zeichen"),
        ("Was macht ein Tischler? " * 100, Refusal.TOO_LONG, "zu lang"),
        ("", Refusal.EMPTY, "kein Text"),
        ("   \n ", Refusal.EMPTY, "kein Text"),
        ("/", Refusal.EMPTY, "kein Text"),
        ("hallo\x00", Refusal.UNREADABLE, "nicht lesen"),
        ("hallo\x1b[31m", Refusal.UNREADABLE, "nicht lesen"),
        ("hallo \ud800", Refusal.UNREADABLE, "nicht lesen"),
    ],
)
def test_unusable_messages_get_a_kind_answer_and_never_reach_rasa(
    message: str, refusal: Refusal, words: str, caplog_all: pytest.LogCaptureFixture
) -> None:
    [(status, answer)], received = post_all([{"sender": "web-1", "message": message}])
    assert status == 200
    assert answer[0]["recipient_id"] == "web-1"
    assert words in answer[0]["text"]
    assert received.messages == []
    assert refusal.value in caplog_all.text


def test_the_kind_answer_is_in_the_pupils_language() -> None:
    agent = FakeAgent()
    tracker = asyncio.run(agent.tracker_store.get_or_create_tracker("web-en"))
    tracker.update(SlotSet("language", "en"))
    asyncio.run(agent.tracker_store.save(tracker))
    results, _received = post_all(
        [
            {"sender": "web-en", "message": "x" * 5000},  # the conversation's language wins
            {"sender": "web-new", "message": "x" * 5000, "metadata": {"language": "en"}},
            {"sender": "tg-new", "message": "", "metadata": {"language_code": "en-GB"}},
            {"sender": "web-de", "message": "x" * 5000, "metadata": {"language": "fr"}},
        ],
        agent=agent,
    )
    texts = [answer[0]["text"] for _status, answer in results]
    assert "too long" in texts[0] and "too long" in texts[1]
    assert "no text" in texts[2]
    assert "zu lang" in texts[3]


@pytest.mark.parametrize(
    ("message", "seen_by_rasa"),
    [
        ('/ask_tasks{"profession_query":"Mechaniker"}', '/ask_tasks{"profession_query":"Mechaniker"}'),
        ('/check_answer{"check_choice":"r01:4"}', '/check_answer{"check_choice":"r01:4"}'),
        ('/greet{"detected_language":"en"}', '/greet{"detected_language":"en"}'),
        ("/greet", "/greet"),
        # a value the categorical slot does not know, of the wrong type, or with markup
        ('/greet{"detected_language":"xx"}', 'greet{"detected_language":"xx"}'),
        ('/greet{"detected_language":{"a":1}}', 'greet{"detected_language":{"a":1}}'),
        (
            '/ask_tasks{"profession_query":"<script>alert(1)</script>"}',
            'ask_tasks{"profession_query":"<script>alert(1)</script>"}',
        ),
        ('/ask_tasks{"unknown_entity":"x"}', 'ask_tasks{"unknown_entity":"x"}'),
        (
            '/ask_tasks{"profession_query":"' + "a" * 101 + '"}',
            'ask_tasks{"profession_query":"' + "a" * 101 + '"}',
        ),
        ("/no_such_intent", "no_such_intent"),
        ("/restart", "/restart"),  # one of Rasa's default intents, sent by Telegram's /neustart
        ("/hilfe", "hilfe"),
        ("//greet", "greet"),
    ],
)
def test_typed_intents_pass_only_as_well_formed_button_payloads(message: str, seen_by_rasa: str) -> None:
    [(status, _answer)], received = post_all([{"sender": "web-1", "message": message}])
    assert status == 200
    assert [seen.text for seen in received.messages] == [seen_by_rasa]


def test_a_failure_inside_rasa_gets_a_kind_answer_and_its_log_carries_no_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # Rasa's level in the stack; its DEBUG lines name conversations
    caplog_all = caplog
    received = Received()
    received.fail = True

    async def run() -> tuple[int, Any]:
        async with serving(received, FakeAgent()) as url, aiohttp.ClientSession() as session:
            body = {"sender": "web-secret-sender", "message": SECRET_WORDS, "metadata": {"channel": "web"}}
            async with session.post(url, json=body) as answer:
                return answer.status, await answer.json()

    status, answer = asyncio.run(run())
    assert status == 200
    assert answer == [
        {"recipient_id": "web-secret-sender", "text": refusal_text(Refusal.NO_ANSWER, "de", RestLimits())}
    ]
    assert "Handling a message failed (RuntimeError)" in caplog_all.text
    assert SECRET_WORDS not in caplog_all.text
    assert "web-secret-sender" not in caplog_all.text


def test_the_conversations_database_down_gets_a_kind_answer_even_after_a_partial_turn() -> None:
    """Rasa answered, then could not save the turn: what it said is not kept, so it is not sent."""

    async def rasa_without_its_database(message: UserMessage) -> None:
        assert message.output_channel is not None
        await message.output_channel.send_text_message(message.sender_id or "", "Frage 5/30")
        raise TrackerStoreUnavailable("OperationalError")

    async def run() -> tuple[int, Any]:
        async with (
            serving(rasa_without_its_database, FakeAgent()) as url,
            aiohttp.ClientSession() as session,
            session.post(url, json={"sender": "web-1", "message": "hallo"}) as answer,
        ):
            return answer.status, await answer.json()

    status, answer = asyncio.run(run())
    assert status == 200
    assert answer == [{"recipient_id": "web-1", "text": refusal_text(Refusal.NO_ANSWER, "de", RestLimits())}]


def test_the_policy_comes_from_the_domain() -> None:
    policy = policy_from_domain(DOMAIN)
    assert policy.intents == {"greet", "ask_tasks", "check_answer"} | set(DOMAIN.intents)
    assert policy.entity_values == {"detected_language": {"de", "en"}}
    assert refusal_for("x" * 1000) is None
    assert as_pupil_text("/greet", PayloadPolicy()) == "greet"


def test_the_refusal_texts_exist_in_both_languages_for_every_reason() -> None:
    texts = refusal_texts()
    for language in ("de", "en"):
        assert set(texts[language]) == {refusal.value for refusal in Refusal}
        for refusal in Refusal:
            text = refusal_text(refusal, language, RestLimits())
            assert text and "{" not in text


@pytest.mark.parametrize(("message", "answered"), [("hallo", True), ("/restart", False)])
def test_silence_from_rasa_becomes_a_kind_answer_except_after_a_restart(message: str, answered: bool) -> None:
    class Silent(Received):
        async def __call__(self, message: UserMessage) -> None:
            self.messages.append(message)

    received = Silent()

    async def run() -> tuple[int, Any]:
        body = {"sender": "web-1", "message": message}
        async with (
            serving(received, FakeAgent()) as url,
            aiohttp.ClientSession() as session,
            session.post(url, json=body) as answer,
        ):
            return answer.status, await answer.json()

    status, answer = asyncio.run(run())
    assert status == 200
    if answered:
        assert answer == [
            {"recipient_id": "web-1", "text": refusal_text(Refusal.NO_ANSWER, "de", RestLimits())}
        ]
    else:
        assert answer == []


def filled(template: str) -> str:
    """A response's payload as sent: `{{`/`}}` are braces, `{offer_id}` and the like are ids."""
    escaped = template.replace("{{", "\0").replace("}}", "\1")
    return re.sub(r"\{(\w+)\}", "12", escaped).replace("\0", "{").replace("\1", "}")


def test_every_button_of_the_real_domain_passes_as_a_payload() -> None:
    domain = Domain.load("bot/domain")
    policy = policy_from_domain(domain)
    payloads = {
        filled(button["payload"])
        for variations in domain.responses.values()
        for variation in variations
        for button in variation.get("buttons") or []
        if str(button.get("payload", "")).startswith("/")
    }
    # buttons the actions build (actions/*_logic.py)
    payloads |= {
        '/check_answer{"check_choice":"r01:4"}',
        '/check_answer{"check_choice":"r01:skip"}',
        '/ask_pay{"profession":"anlagenmechaniker-fuer-sanitaer-heizungs-und-klimatechnik"}',
        '/refine_offers{"profession":"kaufmann-im-einzelhandel"}',
        '/refine_offers{"offer_refinement":"closer"}',
        '/search_offers{"offer_refinement":"near_me"}',
        '/withdraw_contact_request{"request_id":"3"}',
        "/more_offers",
    }
    assert len(payloads) > 15
    refused = sorted(payload for payload in payloads if not policy.allows(payload))
    assert refused == []
