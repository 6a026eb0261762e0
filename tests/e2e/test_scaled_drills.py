"""Drills for the scaled profile (scripts/scaled.py) on the real stack: two Rasa servers behind
HAProxy, sharing the SQL tracker store on PostgreSQL and the lock store on Redis.

- a check whose messages go to one server, then the other, then the balancer, completes with every
  message stored once, in order, and the saved result scores every answer;
- a Rasa server stops in the middle of a check: the balancer sends the rest to the other server;
- "lösch meine Daten" on one server removes the conversation for both;
- two messages of one conversation at the same moment on both servers: both are kept (Redis lock).

The stack runs on free ports, with its own two databases on the test server
(scripts/services/postgres.sh; dropped afterwards) and its own Redis (stopped with the stack)."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from scripts.scaled import ScaledConfig, ScaledStack, postgres, running_scaled_stack, with_databases
from scripts.stack import StackConfig
from tests.e2e.conftest import Chat, free_port
from tests.e2e.test_check_pause_resume import payloads
from tests.e2e.test_fault_drills import CheckRun

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@contextmanager
def admin_connection(server_url: str) -> Iterator[Connection]:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def scaled_databases() -> Iterator[dict[str, str]]:
    """Two new databases on the test server, the API's and the tracker store's; dropped afterwards."""
    server_url = os.environ.get("BERUFSLOTSE_TEST_POSTGRES_URL") or postgres("start")
    suffix = uuid.uuid4().hex[:10]
    names = {"api": f"scaled_api_{suffix}", "tracker": f"scaled_tracker_{suffix}"}
    with admin_connection(server_url) as connection:
        for name in names.values():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            role: make_url(server_url).set(database=name).render_as_string(hide_password=False)
            for role, name in names.items()
        }
    finally:
        with admin_connection(server_url) as connection:
            for name in names.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def scaled(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory, scaled_databases: dict[str, str]
) -> Iterator[ScaledStack]:
    config = ScaledConfig(
        stack=StackConfig(
            api_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),  # the balancer
            web_port=None,
            var_dir=tmp_path_factory.mktemp("scaled-var"),
        ),
        rasa_ports=(free_port(), free_port()),
        redis_port=free_port(),
    )
    config = with_databases(config, scaled_databases["api"], scaled_databases["tracker"])
    with running_scaled_stack(config, model_path) as stack:
        yield stack


@pytest.fixture
def both_servers(scaled: ScaledStack) -> ScaledStack:
    """Both Rasa servers up (a drill before may have stopped one)."""
    for service in scaled.services:
        if (
            service.name.startswith("rasa-")
            and service.process is not None
            and service.process.poll() is not None
        ):
            scaled.start_service(service.name)
    return scaled


class RotatingChat(Chat):
    """One pupil whose messages go to each of the given addresses in turn."""

    def __init__(self, urls: list[str], sender: str) -> None:
        super().__init__(urls[0], sender)
        self.urls = [f"{url}/webhooks/rest/webhook" for url in urls]
        self.sent: list[str] = []

    def say(self, text: str, metadata: dict[str, str] | None = None) -> list[dict[str, object]]:
        self.url = self.urls[len(self.sent) % len(self.urls)]
        self.sent.append(text)
        return super().say(text, metadata)


def addresses(stack: ScaledStack) -> dict[str, str]:
    """rasa-1, rasa-2 and the balancer."""
    urls = {
        f"rasa-{index + 1}": stack.scaled.rasa_url(index) for index in range(len(stack.scaled.rasa_ports))
    }
    return urls | {"balancer": stack.scaled.balancer_url}


def sender_id(request: pytest.FixtureRequest) -> str:
    return f"scaled-{request.node.name}-{uuid.uuid4().hex[:6]}"


def stored_events(stack: ScaledStack, sender: str) -> list[dict[str, Any]]:
    """The conversation's events in the shared tracker store, in the order they were stored."""
    url = stack.config.tracker_store_url
    assert url
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
            )
            return [json.loads(row[0]) for row in rows]
    finally:
        engine.dispose()


def user_texts(events: list[dict[str, Any]]) -> list[str]:
    return [str(event.get("text")) for event in events if event.get("event") == "user"]


def saved_results(stack: ScaledStack, sender: str) -> int:
    url = stack.config.database_url
    assert url
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count: int = connection.execute(
                text("SELECT count(*) FROM check_results WHERE pupil_ref = :sender"), {"sender": sender}
            ).scalar_one()
            return count
    finally:
        engine.dispose()


def test_a_check_alternating_between_the_servers_loses_and_repeats_nothing(
    both_servers: ScaledStack, request: pytest.FixtureRequest
) -> None:
    urls = addresses(both_servers)
    chat = RotatingChat([urls["rasa-1"], urls["rasa-2"], urls["balancer"]], sender_id(request))
    check = CheckRun(chat, both_servers)
    check.start()
    check.finish()
    check.assert_result_counts_every_answer(both_servers)
    assert saved_results(both_servers, chat.sender) == 1

    events = stored_events(both_servers, chat.sender)
    # every message once, in the order sent, each answered
    assert user_texts(events) == chat.sent
    kinds = [event["event"] for event in events if event["event"] in ("user", "bot")]
    for position, kind in enumerate(kinds):
        if kind == "user":
            assert position + 1 < len(kinds) and kinds[position + 1] == "bot", position


def test_delete_my_data_on_one_server_removes_the_conversation_for_all(
    both_servers: ScaledStack, request: pytest.FixtureRequest
) -> None:
    urls = addresses(both_servers)
    sender = sender_id(request)
    on_first = Chat(urls["rasa-1"], sender)
    on_second = Chat(urls["rasa-2"], sender)
    assert "Tischler" in on_first.say_text("was macht ein tischler")
    # rasa-2 knows the occupation rasa-1 was asked about
    assert "Jahre" in on_second.say_text("und wie lange dauert die ausbildung?")
    assert len(user_texts(stored_events(both_servers, sender))) == 2

    question = on_second.say("lösch meine daten")
    assert payloads(question) == ["/affirm", "/deny"]
    done = on_first.say("ja")
    assert {"berufslotse": "conversation_deleted"} in [reply.get("custom") for reply in done]
    assert stored_events(both_servers, sender) == []

    # a new message starts fresh on either server: the occupation is forgotten by both
    for chat in (on_second, on_first):
        follow_up = chat.say_text("und wie lange dauert das?")
        assert "3 Jahre" not in follow_up and "Beruf" in follow_up
    events = stored_events(both_servers, sender)
    assert user_texts(events) == ["und wie lange dauert das?", "und wie lange dauert das?"]
    # the old messages are gone (the bot's question may name an occupation as an example)
    assert not any("macht ein tischler" in json.dumps(event).lower() for event in events)


def test_messages_of_one_conversation_at_once_on_both_servers_are_all_kept(
    both_servers: ScaledStack, request: pytest.FixtureRequest
) -> None:
    """Two messages of one pupil reach the two servers at the same moment (a double tap, a retry):
    the Redis lock lets one server handle its message after the other, so neither turn is lost."""
    urls = addresses(both_servers)
    sender = sender_id(request)
    pairs = [
        ("was macht ein tischler", "was macht eine arzthelferin"),
        ("was macht ein koch", "was macht ein elektroniker"),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for first, second in pairs:
            answers = list(
                pool.map(
                    lambda sent: Chat(sent[0], sender).say(sent[1]),
                    [(urls["rasa-1"], first), (urls["rasa-2"], second)],
                )
            )
            assert all(answers), answers
    stored = user_texts(stored_events(both_servers, sender))
    assert sorted(stored) == sorted(text for pair in pairs for text in pair)


def test_servers_busy_for_seconds_stay_in_the_balancer(
    both_servers: ScaledStack, request: pytest.FixtureRequest
) -> None:
    """Under a class's load a Rasa server answers the balancer's health check late (the check waits
    behind the messages on its event loop). Both servers frozen for 4 s, longer than two check
    intervals: neither is taken out, and a message sent meanwhile is answered once they go on
    (with a 1 s check timeout the balancer had no server left and answered 503)."""
    rasa = [service.process for service in both_servers.services if service.name.startswith("rasa-")]
    assert len(rasa) == 2 and all(process is not None for process in rasa)
    balancer_log = both_servers.config.var_dir / "log" / "balancer.log"
    down_before = balancer_log.read_text(errors="replace").count("is DOWN")
    chat = Chat(both_servers.scaled.balancer_url, sender_id(request))
    with ThreadPoolExecutor(max_workers=1) as pool:
        for process in rasa:
            os.kill(process.pid, signal.SIGSTOP)  # type: ignore[union-attr]
        try:
            time.sleep(2.5)  # two checks have gone unanswered
            answer = pool.submit(chat.say, "was macht ein tischler")
            time.sleep(1.5)
        finally:
            for process in rasa:
                os.kill(process.pid, signal.SIGCONT)  # type: ignore[union-attr]
        replies = answer.result(timeout=120)
    assert any("Tischler" in str(reply.get("text", "")) for reply in replies), replies
    assert balancer_log.read_text(errors="replace").count("is DOWN") == down_before


# last: it leaves rasa-1 stopped (a drill after it would start it again, which takes a while)
def test_a_server_stops_in_the_middle_of_a_check_and_the_other_carries_on(
    both_servers: ScaledStack, request: pytest.FixtureRequest
) -> None:
    chat = RotatingChat([both_servers.scaled.balancer_url], sender_id(request))
    check = CheckRun(chat, both_servers)
    check.start()
    for _ in range(5):
        check.answer()
    both_servers.stop_service("rasa-1")
    # straight away, before the balancer's health check noticed: the message goes to rasa-2
    check.finish()
    check.assert_result_counts_every_answer(both_servers)
    assert user_texts(stored_events(both_servers, chat.sender)) == chat.sent  # once each, in order
    assert saved_results(both_servers, chat.sender) == 1
