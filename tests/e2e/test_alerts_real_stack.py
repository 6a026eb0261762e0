"""Saved searches end to end on the real stack: a pupil saves a search through the REST channel
and another through the Telegram bridge (against the fake Bot API); a company publishes a matching
offer through the company API; the alert arrives exactly once in each channel (Telegram: the
bridge's periodic round; REST/widget: when the pupil's next session starts)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram.app import BotApplication, running_bridge
from bot.channels.telegram.settings import Mode, TelegramSettings
from scripts.stack import ROOT, VENV_BIN, Stack, load_or_create_secrets
from tests.channels.fake_telegram import FakeTelegram
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

PUPIL = 777_000_9911
SENDER_ID_SECRET = "e2e-alerts-sender-id-secret-0123456789"
OFFER_TITLE = "Ausbildung Tischler/in in Melle (Alarm-Test)"


def secret(stack: Stack, name: str) -> str:
    return os.environ.get(name) or load_or_create_secrets(stack.config.var_dir)[name]


def cli(stack: Stack, *args: str) -> str:
    # the stack's secrets (the key pepper above all), so that the key works with the running API
    env = load_or_create_secrets(stack.config.var_dir) | dict(os.environ)
    env["BERUFSLOTSE_DATABASE_URL"] = stack.config.effective_database_url
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def company_key(stack: Stack) -> str:
    """A verified company of the region with an API key (made as an admin would, with the CLI)."""
    company_id = (
        cli(
            stack,
            "company",
            "create",
            "--name",
            "Holzwerkstatt Alarm-Test",
            "--municipality",
            "Melle",
            "--verified",
        )
        .strip()
        .splitlines()[-1]
    )
    return cli(stack, "company", "create-key", company_id).strip().splitlines()[0]


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bridge(stack: Stack, fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotApplication]:
    fake_telegram.reset()
    values: dict[str, Any] = {
        "token": fake_telegram.token,
        "sender_id_secret": SENDER_ID_SECRET,
        "api_token": secret(stack, "BERUFSLOTSE_PRIVACY_TOKEN"),
        "alert_token": secret(stack, "BERUFSLOTSE_ALERT_TOKEN"),
        "alert_poll_seconds": 1.0,
        "mode": Mode.POLLING,
        "base_url": fake_telegram.url,
        "rasa_url": stack.config.rasa_url,
        "api_url": stack.config.api_url,
        "rasa_timeout_seconds": 60.0,
        "polling_timeout_seconds": 1,
        "retry_backoff_seconds": 0.05,
        "button_store_path": tmp_path / "buttons.sqlite3",
    }
    settings = TelegramSettings(_env_file=None, **values)  # type: ignore[call-arg]
    async with running_bridge(settings) as application:
        yield application


def saved_searches(stack: Stack, pupil_ref: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{stack.config.api_url}/api/v1/saved-searches",
        params={"pupil_ref": pupil_ref},
        headers={"Authorization": f"Bearer {secret(stack, 'BERUFSLOTSE_SERVICE_TOKEN')}"},
        timeout=10,
    )
    response.raise_for_status()
    searches: list[dict[str, Any]] = response.json()
    return searches


def publish_offer(stack: Stack, key: str) -> dict[str, Any]:
    start = date.today() + timedelta(days=200)
    response = httpx.post(
        f"{stack.config.api_url}/api/v1/company/offers",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "kind": "apprenticeship",
            "profession": "tischler",
            "title": OFFER_TITLE,
            "description": "Du baust Möbel und Treppen aus Holz.",
            "start_date": start.isoformat(),
            "municipality": "Melle",
            "how_to_apply": {"url": "https://holzwerkstatt.example/ausbildung"},
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    offer: dict[str, Any] = response.json()
    return offer


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    buttons: list[dict[str, str]] = [button for reply in replies for button in reply.get("buttons", [])]
    return [button["payload"] for button in buttons]


def alert_messages(messages: list[dict[str, Any]], offer_id: int) -> list[dict[str, Any]]:
    """The Telegram messages that announce this offer (its "tell me more" button names it)."""
    marker = re.compile(rf'"offer_id":\s*"?{offer_id}\b')
    return [
        message
        for message in messages
        if any(
            marker.search(str(button.get("callback_data", "")))
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        )
    ]


async def test_a_saved_search_alerts_once_in_the_widget_and_in_telegram(
    chat: Chat, stack: Stack, company_key: str, bridge: BotApplication, fake_telegram: FakeTelegram
) -> None:
    # 1. the REST channel (as the widget talks): save a search
    answer = await asyncio.to_thread(
        chat.say_text, "sag mir bescheid bei neuen stellen als tischler in melle", {"channel": "web"}
    )
    assert "Bescheid" in answer, answer
    [web_search] = saved_searches(stack, chat.sender)
    assert web_search["profession"]["slug"] == "tischler" and web_search["place"]["slug"] == "melle"

    # 2. Telegram: the same, in English
    fake_telegram.send_text(
        PUPIL, "let me know about new joiner apprenticeships in Melle", language_code="en"
    )
    await fake_telegram.wait_for(
        lambda: any("let you know" in text for text in fake_telegram.texts(PUPIL)),
        timeout=60,
        what="the saved search",
    )
    before = len(fake_telegram.messages(PUPIL))

    # 3. a verified company publishes a matching offer through the company API
    offer = publish_offer(stack, company_key)

    # 4. Telegram: the bridge's round sends the alert, once
    await fake_telegram.wait_for(
        lambda: bool(alert_messages(fake_telegram.messages(PUPIL), offer["id"])),
        timeout=30,
        what="the alert in Telegram",
    )
    await asyncio.sleep(3.5)  # a few more rounds of the bridge
    [alert] = alert_messages(fake_telegram.messages(PUPIL)[before:], offer["id"])
    assert len(alert_messages(fake_telegram.messages(PUPIL), offer["id"])) == 1
    # in English the card names the job in English, not the company's German title
    assert "Joiner" in alert["text"] and OFFER_TITLE not in alert["text"], alert["text"]
    keyboard = [button for row in alert["reply_markup"]["inline_keyboard"] for button in row]
    assert len(keyboard) == 2  # "tell me more" about the offer, stop the search

    # 5. the widget's pupil comes back (a new session starts): the alert shows, once
    replies = await asyncio.to_thread(chat.say, "/session_start", {"channel": "web"})
    shown = "\n".join(str(reply.get("text", "")) for reply in replies)
    assert shown.count(OFFER_TITLE) == 1, shown
    assert any(f'"offer_id":"{offer["id"]}"' in payload for payload in payloads(replies))
    again = await asyncio.to_thread(chat.say, "/session_start", {"channel": "web"})
    assert OFFER_TITLE not in "\n".join(str(reply.get("text", "")) for reply in again)

    # 6. "meine Suchaufträge", then stop with one tap
    listing = await asyncio.to_thread(chat.say, "meine suchaufträge")
    stops = [payload for payload in payloads(listing) if payload.startswith("/stop_saved_search")]
    assert len(stops) == 1
    await asyncio.to_thread(chat.say, stops[0])
    assert saved_searches(stack, chat.sender) == []
