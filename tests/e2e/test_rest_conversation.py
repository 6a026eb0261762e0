"""A pupil talks to the real stack (API, action server, Rasa with the trained model) through
Rasa's REST channel. Expected answers are read from the API, so the tests follow the knowledge
base instead of repeating its texts."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from scripts.stack import Stack, load_or_create_secrets
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e


def profile(stack: Stack, slug: str) -> dict[str, object]:
    response = httpx.get(f"{stack.config.api_url}/api/v1/professions/{slug}", timeout=10)
    response.raise_for_status()
    data: dict[str, object] = response.json()
    return data


def test_greeting_says_what_berufslotse_does_and_stores(chat: Chat) -> None:
    reply = chat.say_text("hallo")
    assert "Beruf" in reply
    assert "speicher" in reply.lower()


def test_old_name_typo_and_follow_ups_keep_the_occupation(chat: Chat, stack: Stack) -> None:
    mfa = profile(stack, "medizinischer-fachangestellter")
    overview = chat.say_text("was macht eigentlich ne arzthelferin")
    assert str(mfa["name"]) in overview

    pay = chat.say_text("und was verdient man da?")
    minimum = mfa["pay"]["minimum"][0]["eur"]  # type: ignore[index]
    assert f"{minimum} €" in pay and str(mfa["name"]) in pay

    duration = chat.say_text("und wie lange?")
    assert str(mfa["name"]) in duration
    assert "3 Jahre" in duration


def test_typos_in_the_occupation_are_understood(chat: Chat, stack: Stack) -> None:
    name = str(profile(stack, "fachinformatiker")["name"])
    assert name in chat.say_text("was macht ein fachinformatker")


def test_an_ambiguous_word_offers_a_choice_as_buttons(chat: Chat, stack: Stack) -> None:
    replies = chat.say("was macht ein mechaniker")
    buttons = [button for reply in replies for button in reply.get("buttons", [])]  # type: ignore[attr-defined]
    assert len(buttons) >= 2
    chosen = buttons[0]
    answer = chat.say_text(chosen["payload"])
    assert chosen["title"] in answer


def test_english_gets_english_from_then_on_and_german_comes_back(chat: Chat, stack: Stack) -> None:
    paramedic = profile(stack, "notfallsanitaeter")
    # "what does a X do" asks for the tasks (docs/open_questions.md): answered from the English profile
    reply = chat.say_text("what does a paramedic do")
    assert str(paramedic["name_en"]) in reply
    assert str(paramedic["text"]["en"]["tasks"][0]) in reply  # type: ignore[index]
    follow_up = chat.say_text("how long is the training")
    assert "3 years" in follow_up
    back = chat.say_text("auf deutsch bitte")
    assert "Deutsch" in back
    assert "3 Jahre" in chat.say_text("wie lange dauert das")


def test_an_unknown_occupation_gets_an_honest_answer(chat: Chat) -> None:
    reply = chat.say_text("was macht ein astronaut")
    assert "astronaut" in reply.lower()
    assert "nicht" in reply


def test_nonsense_gets_options_instead_of_a_dead_end(chat: Chat) -> None:
    replies = chat.say("asdf qwertz blubb")
    assert any(reply.get("buttons") for reply in replies)


def test_rasa_http_api_is_off(stack: Stack) -> None:
    # Without --enable-api the management endpoints do not exist: no model can be loaded over HTTP.
    assert (
        httpx.put(f"{stack.config.rasa_url}/model", json={"model_file": "/tmp/x.tar.gz"}).status_code == 404
    )
    assert httpx.get(f"{stack.config.rasa_url}/status").status_code == 404


def listening_addresses(port: int) -> set[str]:
    """Addresses a local TCP port listens on, read from /proc/net/tcp (IPv4) and tcp6."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_services_listen_on_loopback_only(stack: Stack) -> None:
    for port in (stack.config.api_port, stack.config.actions_port, stack.config.rasa_port):
        assert listening_addresses(port) == {"0100007F"}, port


def test_a_page_in_english_starts_the_conversation_in_english(stack: Stack) -> None:
    pupil = Chat(stack.config.rasa_url, sender="e2e-english-page")
    # "hallo" is German and English alike: the language comes from the widget's page
    assert "I'm Berufslotse" in pupil.say_text("hallo", metadata={"channel": "web", "language": "en"})
    assert "3 years" in pupil.say_text("how long does a carpenter train")
    german = Chat(stack.config.rasa_url, sender="e2e-german-page")
    assert "ich bin Berufslotse" in german.say_text("hallo", metadata={"channel": "web", "language": "de"})


def tracker_events(stack: Stack, sender: str) -> int:
    with closing(sqlite3.connect(stack.config.var_dir / "rasa-tracker.db")) as tracker:
        count: int = tracker.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]
        return count


def test_typing_delete_my_data_deletes_the_conversation_and_the_check_result(
    chat: Chat, stack: Stack
) -> None:
    service = {
        "Authorization": f"Bearer {load_or_create_secrets(stack.config.var_dir)['BERUFSLOTSE_SERVICE_TOKEN']}"
    }
    results = f"{stack.config.api_url}/api/v1/check/results"
    saved = httpx.post(
        results,
        headers=service,
        json={
            "pupil_ref": chat.sender,
            "variant": "quick",
            "scores": {"R": 80, "I": 40, "A": 20, "S": 60, "E": 30, "C": 50},
            "certificate": "realschule",
            "municipality": "bramsche",
        },
        timeout=10,
    )
    assert saved.status_code in (200, 201), saved.text
    assert "Tischler" in chat.say_text("was macht ein tischler")
    assert tracker_events(stack, chat.sender) > 0

    question = chat.say("lösch meine daten")
    assert [button["payload"] for reply in question for button in reply.get("buttons", [])] == [  # type: ignore[attr-defined]
        "/affirm",
        "/deny",
    ]
    assert tracker_events(stack, chat.sender) > 0  # nothing goes before the yes
    done = chat.say("ja")

    assert "gelöscht" in " ".join(str(reply.get("text", "")) for reply in done)
    assert {"berufslotse": "conversation_deleted"} in [reply.get("custom") for reply in done]
    assert tracker_events(stack, chat.sender) == 0
    lookup = httpx.get(results, params={"pupil_ref": chat.sender}, headers=service, timeout=10)
    assert lookup.status_code == 404
    # the next message starts a new conversation: the occupation of the old one is forgotten
    follow_up = chat.say_text("und wie lange dauert das?")
    assert "3 Jahre" not in follow_up and "Beruf" in follow_up  # it asks which occupation
    with closing(sqlite3.connect(stack.config.var_dir / "rasa-tracker.db")) as tracker:
        old_text = "SELECT count(*) FROM events WHERE sender_id = ? AND data LIKE '%macht ein tischler%'"
        assert tracker.execute(old_text, (chat.sender,)).fetchone()[0] == 0
