"""`python -m bot.channels.telegram` as the stack starts it: settings from the environment, logs
without secrets or personal data, a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.channels.telegram.settings import REPO_ROOT
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.conftest import PUPIL, SENDER_ID_SECRET
from tests.channels.telegram.fake_backends import FakeApi, FakeRasa


async def test_the_service_answers_and_stops_cleanly_on_sigterm(
    telegram: FakeTelegram, rasa: FakeRasa, api: FakeApi, tmp_path: Path
) -> None:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BERUFSLOTSE_TELEGRAM_TOKEN": telegram.token,
        "BERUFSLOTSE_TELEGRAM_SENDER_ID_SECRET": SENDER_ID_SECRET,
        "BERUFSLOTSE_TELEGRAM_MODE": "polling",
        "BERUFSLOTSE_TELEGRAM_BASE_URL": telegram.url,
        "BERUFSLOTSE_TELEGRAM_RASA_URL": rasa.url,
        "BERUFSLOTSE_TELEGRAM_API_URL": api.url,
        "BERUFSLOTSE_TELEGRAM_POLLING_TIMEOUT_SECONDS": "1",
        "BERUFSLOTSE_TELEGRAM_BUTTON_STORE_PATH": str(tmp_path / "buttons.sqlite3"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.channels.telegram",
        cwd=REPO_ROOT,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await telegram.wait_for(
            lambda: bool(telegram.calls("getUpdates")), timeout=60, what="polling to start"
        )
        telegram.send_text(PUPIL, "Ich heiße Lea")
        [answer] = await telegram.wait_for_messages(PUPIL, 1, timeout=20)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert answer["text"] == "Alles klar."
    assert process.returncode == 0, log
    assert "Telegram bridge running (long polling)" in log
    assert "Telegram bridge stopped" in log
    assert telegram.token.split(":")[1] not in log  # httpx's request lines carry the token
    assert str(PUPIL) not in log and "Lea" not in log
