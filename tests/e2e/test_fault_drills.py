"""Fault drills on the real stack: a service stops in the middle of a conversation. While it is
down the pupil hears a kind word (never silence, never an error page), and afterwards the same
conversation carries on with what it knew before."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from scripts.stack import ROOT, Stack, StackConfig, load_or_create_secrets, prepare_database, running_stack
from tests.e2e.conftest import Chat, free_port
from tests.e2e.test_check_pause_resume import payloads, quick_items, tap, texts

pytestmark = pytest.mark.e2e

# the REST channel's own answers (bot/channels/rest.py runs inside Rasa; read its table here)
REFUSALS = yaml.safe_load((ROOT / "bot" / "channels" / "refusals.yml").read_text(encoding="utf-8"))


@pytest.fixture
def restore_services(stack: Stack) -> Iterator[None]:
    yield
    for service in stack.services:
        if service.process is not None and service.process.poll() is not None:
            stack.start_service(service.name)


def assert_logs_hold_nothing_of(stack: Stack, *secrets: str) -> None:
    """A failed action, a refused connection, an exception: none of it names the pupil or quotes them."""
    for log in sorted((stack.config.var_dir / "log").glob("*.log")):
        text = log.read_text(errors="replace")
        for secret in secrets:
            assert secret not in text, (log.name, secret)


def kind_words(replies: list[dict[str, object]]) -> str:
    texts = [str(reply.get("text", "")) for reply in replies]
    assert texts and all(texts), replies  # an answer, not silence
    return "\n".join(texts)


@pytest.mark.usefixtures("restore_services")
def test_the_action_server_stops_mid_conversation(chat: Chat, stack: Stack) -> None:
    assert "Tischler" in chat.say_text("was macht ein tischler")
    stack.stop_service("actions")
    while_down = kind_words(chat.say("wie lange dauert die ausbildung?"))
    assert while_down == REFUSALS["de"]["no_answer"]
    stack.start_service("actions")
    # the occupation of the conversation is still known: the follow-up needs no name
    assert "Jahre" in chat.say_text("und wie lange dauert die ausbildung?")
    assert_logs_hold_nothing_of(stack, chat.sender, "wie lange dauert die ausbildung")


@pytest.mark.usefixtures("restore_services")
def test_the_api_stops_mid_conversation(chat: Chat, stack: Stack) -> None:
    assert "Tischler" in chat.say_text("was macht ein tischler")
    stack.stop_service("api")
    while_down = kind_words(chat.say("was verdient man da?"))
    assert "Versuch es" in while_down or "noch mal" in while_down
    stack.start_service("api")
    assert "Tischler" in chat.say_text("was macht ein tischler")
    assert_logs_hold_nothing_of(stack, chat.sender, "was verdient man da")


# --- PostgreSQL: the API's database and Rasa's tracker store -------------------------------------
# The embedded stack keeps both in SQLite files, which cannot go away; here a stack of its own keeps
# them in two databases on the private test server (scripts/services/postgres.sh, 127.0.0.1 only).
# A check is in progress when the database goes away; afterwards it continues at the right item,
# and the result is scored from every answer, those before the outage included.

POSTGRES_SH = ROOT / "scripts" / "services" / "postgres.sh"


def postgres(command: str) -> str:
    done = subprocess.run(["bash", str(POSTGRES_SH), command], check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """The server's URL; it is left running afterwards (`make test` stops it at the end)."""
    yield postgres("start")
    postgres("start")  # a failed drill may have left it stopped


@contextmanager
def admin_connection(server_url: str) -> Iterator[Connection]:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg_databases(postgres_server: str) -> Iterator[dict[str, str]]:
    """Two new databases, the API's and the tracker store's: name -> URL; dropped afterwards."""
    suffix = uuid.uuid4().hex[:10]
    names = {"api": f"drills_api_{suffix}", "tracker": f"drills_tracker_{suffix}"}
    with admin_connection(postgres_server) as connection:
        for name in names.values():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            role: make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
            for role, name in names.items()
        }
    finally:
        postgres("start")
        with admin_connection(postgres_server) as connection:
            for name in names.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def pg_stack(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory, pg_databases: dict[str, str]
) -> Iterator[Stack]:
    config = StackConfig(
        api_port=free_port(),
        actions_port=free_port(),
        rasa_port=free_port(),
        web_port=None,
        var_dir=tmp_path_factory.mktemp("pg-stack-var"),
        database_url=pg_databases["api"],
        tracker_store_url=pg_databases["tracker"],
    )
    prepare_database(config)
    with running_stack(config, model_path, prepare=False) as running:
        yield running


@pytest.fixture
def pg_chat(pg_stack: Stack, request: pytest.FixtureRequest) -> Chat:
    return Chat(pg_stack.config.rasa_url, sender=f"e2e-{request.node.name}-{uuid.uuid4().hex[:6]}")


@contextmanager
def postgresql_stopped() -> Iterator[None]:
    postgres("stop")
    try:
        yield
    finally:
        postgres("start")


@contextmanager
def database_closed(server_url: str, database_url: str) -> Iterator[None]:
    """Only this database goes away: no new connections, the open ones are cut (the others stay)."""
    name = make_url(database_url).database
    with admin_connection(server_url) as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
    try:
        yield
    finally:
        with admin_connection(server_url) as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


Replies = list[dict[str, Any]]


class CheckRun:
    """A pupil in the quick check: what they answered, and the replies to their latest message."""

    def __init__(self, chat: Chat, stack: Stack) -> None:
        self.chat = chat
        self.api_url = stack.config.api_url
        self.items = quick_items(stack)
        self.answers: dict[str, int] = {}
        self.replies: Replies = []

    @property
    def total(self) -> int:
        return len(self.items)

    def start(self) -> None:
        self.replies = self.chat.say("ich weiß nicht was ich werden will")
        self.replies = tap(self.chat, self.replies, '"quick"}')
        self.replies = tap(self.chat, self.replies, '"realschule"}')
        self.replies = self.chat.say("bramsche")
        self.replies = tap(self.chat, self.replies, '"25"}')
        self.replies = tap(self.chat, self.replies, '"apprenticeship"}')
        self.assert_asks(1)

    def next_payload(self) -> tuple[str, int]:
        """The button for the next item, with an answer that differs from item to item."""
        item = self.items[len(self.answers)]
        value = 1 + (3 * len(self.answers)) % 5
        return f'/check_answer{{"check_choice":"{item["id"]}:{value}"}}', value

    def answer(self) -> None:
        payload, value = self.next_payload()
        assert payload in payloads(self.replies), (payload, payloads(self.replies))
        self.replies = self.chat.say(payload)
        self.answers[str(self.items[len(self.answers)]["id"])] = value
        if len(self.answers) < self.total:
            self.assert_asks(len(self.answers) + 1)

    def assert_asks(self, position: int) -> None:
        shown = texts(self.replies)
        assert f"{position}/{self.total}" in shown, shown
        assert self.items[position - 1]["text"]["de"] in shown, shown

    def finish(self) -> None:
        while len(self.answers) < self.total:
            self.answer()
        assert "Ergebnis" in texts(self.replies), texts(self.replies)

    def assert_result_counts_every_answer(self, stack: Stack) -> None:
        """The saved result is the score of every answer given, before the outage and after."""
        expected = httpx.post(
            f"{self.api_url}/api/v1/check/score", json={"answers": self.answers}, timeout=10
        )
        expected.raise_for_status()
        token = load_or_create_secrets(stack.config.var_dir)["BERUFSLOTSE_SERVICE_TOKEN"]
        saved = httpx.get(
            f"{self.api_url}/api/v1/check/results",
            params={"pupil_ref": self.chat.sender},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["scores"] == expected.json()["scores"]


def no_answer_text() -> str:
    return str(REFUSALS["de"]["no_answer"])


@pytest.mark.usefixtures("restore_postgres")
def test_postgresql_stops_mid_check(pg_chat: Chat, pg_stack: Stack) -> None:
    """Both databases go away at once: Rasa cannot load the conversation, the pupil hears the REST
    channel's kind word; afterwards the check continues at the item it asked."""
    check = CheckRun(pg_chat, pg_stack)
    check.start()
    for _ in range(4):
        check.answer()
    payload, _ = check.next_payload()
    with postgresql_stopped():
        for text_sent in (payload, "hallo?", "was macht ein tischler"):
            assert kind_words(pg_chat.say(text_sent)) == no_answer_text()
    # nothing of the outage was stored: the item asked before is still the open one
    check.answer()
    check.finish()
    check.assert_result_counts_every_answer(pg_stack)
    assert_logs_hold_nothing_of(pg_stack, pg_chat.sender, "was macht ein tischler")


@pytest.mark.usefixtures("restore_postgres")
def test_postgresql_restarts_between_two_messages(pg_chat: Chat, pg_stack: Stack) -> None:
    """The pooled connections of Rasa and the API die with the server; the next message after the
    restart is answered normally, not with a failure (bot/tracker_store.py tests connections)."""
    check = CheckRun(pg_chat, pg_stack)
    check.start()
    check.answer()
    with postgresql_stopped():
        pass
    check.answer()
    assert "Tischler" in pg_chat.say_text("was macht ein tischler")


@pytest.mark.usefixtures("restore_postgres")
def test_the_api_database_goes_away_mid_check(
    pg_chat: Chat, pg_stack: Stack, postgres_server: str, pg_databases: dict[str, str]
) -> None:
    """Only the API's database is gone: the API answers 503, the check pauses with its own kind
    word and keeps the answers; "weiter mit dem Test" continues at the open item."""
    check = CheckRun(pg_chat, pg_stack)
    check.start()
    for _ in range(3):
        check.answer()
    payload, _ = check.next_payload()
    with database_closed(postgres_server, pg_databases["api"]):
        health = httpx.get(f"{pg_stack.config.api_url}/api/v1/check/items?variant=quick", timeout=10)
        assert health.status_code == 503, health.text
        assert "Antworten sind gespeichert" in kind_words(pg_chat.say(payload))
        while_down = kind_words(pg_chat.say("weiter mit dem test"))
        assert "Versuch es" in while_down or "noch mal" in while_down
    check.replies = pg_chat.say("weiter mit dem test")
    check.assert_asks(4)
    check.finish()
    check.assert_result_counts_every_answer(pg_stack)
    assert_logs_hold_nothing_of(pg_stack, pg_chat.sender)


@pytest.mark.usefixtures("restore_postgres")
def test_the_tracker_store_goes_away_mid_check(
    pg_chat: Chat, pg_stack: Stack, postgres_server: str, pg_databases: dict[str, str]
) -> None:
    """Only the tracker store's database is gone (the API still works): the pupil hears the REST
    channel's kind word; afterwards the check continues at the open item."""
    check = CheckRun(pg_chat, pg_stack)
    check.start()
    for _ in range(5):
        check.answer()
    payload, _ = check.next_payload()
    with database_closed(postgres_server, pg_databases["tracker"]):
        for text_sent in (payload, "hallo?"):
            assert kind_words(pg_chat.say(text_sent)) == no_answer_text()
    check.answer()
    check.finish()
    check.assert_result_counts_every_answer(pg_stack)
    assert_logs_hold_nothing_of(pg_stack, pg_chat.sender)


@pytest.fixture
def restore_postgres(postgres_server: str, pg_databases: dict[str, str]) -> Iterator[None]:
    yield
    postgres("start")
    with admin_connection(postgres_server) as connection:
        for url in pg_databases.values():
            connection.execute(text(f'ALTER DATABASE "{make_url(url).database}" ALLOW_CONNECTIONS true'))
