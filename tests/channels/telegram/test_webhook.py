"""Webhook mode (production): Telegram posts updates with the secret token; nothing else gets in."""

from __future__ import annotations

import httpx

from bot.channels.telegram.app import ALLOWED_UPDATES, SECRET_HEADER, running_bridge
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.conftest import PUPIL, SettingsFactory
from tests.channels.telegram.fake_backends import FakeRasa

SECRET = "s3cret-Token_for-tests"


def forged_update(text: str) -> dict[str, object]:
    chat = {"id": PUPIL, "type": "private", "first_name": "Pupil"}
    user = {"id": PUPIL, "is_bot": False, "first_name": "Pupil"}
    return {
        "update_id": 99_999,
        "message": {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": text},
    }


async def test_updates_arrive_through_the_webhook_with_the_secret(
    make_settings: SettingsFactory, telegram: FakeTelegram, rasa: FakeRasa, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/hook"
    settings = make_settings(
        mode="webhook", webhook_url=url, webhook_secret=SECRET, listen_port=unused_tcp_port
    )
    async with running_bridge(settings):
        assert telegram.webhook == {"url": url, "secret_token": SECRET, "allowed_updates": ALLOWED_UPDATES}
        telegram.send_text(PUPIL, "Hallo")
        [answer] = await telegram.wait_for_messages(PUPIL, 1)
        assert answer["text"] == "Alles klar."
        assert telegram.webhook_deliveries == [200]

        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=forged_update("ohne Geheimnis"))
            wrong = await client.post(url, json=forged_update("falsch"), headers={SECRET_HEADER: "guessed"})
            broken = await client.post(url, content=b"{not json", headers={SECRET_HEADER: SECRET})
            not_an_update = await client.post(
                url, json={"update_id": 5, "message": {}}, headers={SECRET_HEADER: SECRET}
            )
            health = await client.get(f"http://127.0.0.1:{unused_tcp_port}/healthz")
        statuses = [response.status_code for response in (missing, wrong, broken, not_an_update)]
        assert statuses == [403, 403, 400, 400]
        assert health.text == "ok"

    assert rasa.messages() == ["Hallo"]
    assert telegram.calls("getUpdates") == []
    assert telegram.webhook is not None  # kept: Telegram holds updates while the bridge restarts


async def test_long_polling_replaces_a_webhook(
    make_settings: SettingsFactory, telegram: FakeTelegram, rasa: FakeRasa, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    async with running_bridge(
        make_settings(mode="webhook", webhook_url=url, webhook_secret=SECRET, listen_port=unused_tcp_port)
    ):
        pass
    telegram.send_text(PUPIL, "Hallo")  # posted to the webhook, which is gone now
    async with running_bridge(make_settings()):
        telegram.send_text(PUPIL, "Hallo nochmal")
        await telegram.wait_for_messages(PUPIL, 1)
    assert telegram.webhook is None
    assert rasa.messages() == ["Hallo nochmal"]
