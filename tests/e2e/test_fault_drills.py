"""Fault drills on the real stack: a service stops in the middle of a conversation. While it is
down the pupil hears a kind word (never silence, never an error page), and afterwards the same
conversation carries on with what it knew before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from scripts.stack import ROOT, Stack
from tests.e2e.conftest import Chat

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
