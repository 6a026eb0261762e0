"""The career-choice check against the real stack: start it, answer some items, pause, restart the
Rasa server, continue at the right item, finish, and get the result with a chart that is a PNG.

Item texts and progress are compared with what the API serves, so the test follows the item bank."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scripts.stack import Stack, load_or_create_secrets
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

Replies = list[dict[str, Any]]


def texts(replies: Replies) -> str:
    return "\n".join(str(reply["text"]) for reply in replies if "text" in reply)


def payloads(replies: Replies) -> list[str]:
    return [str(button["payload"]) for reply in replies for button in reply.get("buttons", [])]


def tap(chat: Chat, replies: Replies, ending: str) -> Replies:
    """Taps the button whose payload ends with `ending` (e.g. ':4"}' or '"quick"}')."""
    matching = [payload for payload in payloads(replies) if payload.endswith(ending)]
    assert matching, (ending, payloads(replies))
    return chat.say(matching[0])


def quick_items(stack: Stack) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{stack.config.api_url}/api/v1/check/items", params={"variant": "quick"}, timeout=10
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_pause_restart_rasa_resume_and_finish(
    chat: Chat, stack: Stack, restart_rasa: Callable[[], None]
) -> None:
    items = quick_items(stack)
    total = len(items)

    replies = chat.say("ich weiß nicht was ich werden will")
    assert "30" in texts(replies) and "48" in texts(replies)
    replies = tap(chat, replies, '"quick"}')
    replies = tap(chat, replies, '"realschule"}')
    replies = chat.say("bramschee")  # a typo: the place is understood and confirmed
    assert "Bramsche" in texts(replies)
    replies = tap(chat, replies, '"25"}')
    replies = tap(chat, replies, '"apprenticeship"}')
    assert f"1/{total}" in texts(replies) and items[0]["text"]["de"] in texts(replies)

    for position in range(1, 7):
        replies = tap(chat, replies, f'"{items[position - 1]["id"]}:4"}}')
        assert f"{position + 1}/{total}" in texts(replies)
    replies = chat.say("ja voll")  # item 7 by free text
    assert f"8/{total}" in texts(replies)

    paused = chat.say("später weiter")
    assert any("/resume_check" in payload for payload in payloads(paused))

    restart_rasa()

    replies = chat.say("weiter mit dem test")
    assert f"8/{total}" in texts(replies)
    assert items[7]["text"]["de"] in texts(replies)

    for position in range(8, total + 1):
        value = 5 if items[position - 1]["type"] in "RI" else 2
        replies = tap(chat, replies, f'"{items[position - 1]["id"]}:{value}"}}')

    result = texts(replies)
    assert "Ergebnis" in result
    images = [str(reply["image"]) for reply in replies if "image" in reply]
    assert len(images) == 1 and images[0].startswith(f"{stack.config.api_url}/api/v1/charts/riasec.png?")
    chart = httpx.get(images[0], timeout=10)
    assert chart.status_code == 200
    assert chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    # five occupations, each with a button to its profile
    profiles = [payload for payload in payloads(replies) if payload.startswith("/ask_profession")]
    assert len(profiles) == 5
    # mostly R and I liked: the strongest sides name the hands-on and the curious type
    assert re.search(r"Praktisch|Forschend", result)

    token = load_or_create_secrets(stack.config.var_dir)["BERUFSLOTSE_SERVICE_TOKEN"]
    saved = httpx.get(
        f"{stack.config.api_url}/api/v1/check/results",
        params={"pupil_ref": chat.sender},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert saved.status_code == 200
    record = saved.json()
    assert (record["variant"], record["certificate"], record["municipality"]) == (
        "quick",
        "realschule",
        "bramsche",
    )
    assert record["scores"]["R"] > record["scores"]["S"]

    again = chat.say("mein ergebnis")
    assert [reply["image"] for reply in again if "image" in reply] == images
