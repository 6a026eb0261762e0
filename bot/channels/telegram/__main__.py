"""`python -m bot.channels.telegram`: run the bridge until SIGINT/SIGTERM.

Needs BERUFSLOTSE_TELEGRAM_TOKEN and BERUFSLOTSE_TELEGRAM_SENDER_ID_SECRET (environment or `.env`);
see bot/channels/telegram/settings.py for the rest.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from pydantic import ValidationError

from bot.channels.telegram.app import running_bridge
from bot.channels.telegram.settings import TelegramSettings, get_settings

logger = logging.getLogger("bot.channels.telegram")
ENV_PREFIX = "BERUFSLOTSE_TELEGRAM_"


async def serve(settings: TelegramSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_bridge(settings):
        await stop.wait()
    logger.info("Telegram bridge stopped")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = [
            f"{ENV_PREFIX}{str(error['loc'][0]).upper()}: {error['msg']}" if error["loc"] else error["msg"]
            for error in exc.errors()
        ]
        print("Telegram bridge not started:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
