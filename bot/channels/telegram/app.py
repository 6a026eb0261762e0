"""Building and running the bridge: long polling for development, a webhook for production.

`running_bridge(settings)` is the one way to start it, used by `python -m bot.channels.telegram`
and by the tests; it yields once updates are flowing and stops everything on the way out.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, suppress
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, Application, BaseUpdateProcessor

from bot.channels.telegram.alerts import AlertClient, AlertSender
from bot.channels.telegram.handlers import TelegramBridge
from bot.channels.telegram.settings import Mode, TelegramSettings
from bot.channels.telegram.strings import DEFAULT_LANGUAGE, LANGUAGES, Strings, load_strings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Only what the bridge handles; Telegram keeps other kinds of updates to itself.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
MAX_CONCURRENT_UPDATES = 256

BotApplication = Application[Any, Any, Any, Any, Any, Any]
JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    """python-telegram-bot's rate limiter (which also waits out a 429's retry_after and retries),
    plus retries with exponential backoff when the network to Telegram fails. A refused request
    (400, 403) is not retried: it would fail again. A send that timed out may have arrived after
    all; a rare duplicate answer is better than a lost one."""

    def __init__(self, *, max_retries: int, backoff_seconds: float) -> None:
        super().__init__(max_retries=max_retries)
        self._network_retries = max_retries
        self._backoff_seconds = backoff_seconds

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        delay = self._backoff_seconds
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt >= self._network_retries:
                    raise
                attempt += 1
                pause = delay * (1 + random.random() / 4)
                logger.warning(
                    "Telegram %s failed (%s); retry %d/%d in %.1f s",
                    endpoint,
                    type(exc).__name__,
                    attempt,
                    self._network_retries,
                    pause,
                )
                await asyncio.sleep(pause)
                delay *= 2


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently (one slow Rasa answer must not hold up every
    pupil), updates of one chat in the order they came (a button press after the message it
    belongs to). The locks live only while a chat has updates in flight."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._chat_locks.setdefault(chat.id, asyncio.Lock())
        self._chat_users[chat.id] = self._chat_users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._chat_users[chat.id] -= 1
            if not self._chat_users[chat.id]:
                del self._chat_users[chat.id]
                del self._chat_locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def build_application(settings: TelegramSettings, bridge: TelegramBridge) -> BotApplication:
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(f"{settings.base_url}/bot")
        .base_file_url(f"{settings.base_url}/file/bot")
        .rate_limiter(
            RetryingRateLimiter(
                max_retries=settings.max_retries, backoff_seconds=settings.retry_backoff_seconds
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
    )
    if settings.mode is Mode.WEBHOOK:
        builder = builder.updater(None)  # updates arrive through our own web server
    application: BotApplication = builder.build()
    bridge.register(application)
    return application


async def register_commands(bot: Bot, strings: Strings) -> None:
    """The command menu of private chats, with descriptions in German and English; German for apps
    in any other language."""
    scope = BotCommandScopeAllPrivateChats()
    for language in LANGUAGES:
        commands = [BotCommand(name, description) for name, description in strings.menu(language)]
        await bot.set_my_commands(commands, scope=scope, language_code=language)
    default = [BotCommand(name, description) for name, description in strings.menu(DEFAULT_LANGUAGE)]
    await bot.set_my_commands(default, scope=scope)


def webhook_app(application: BotApplication, settings: TelegramSettings) -> Starlette:
    """The endpoint Telegram posts updates to (after python-telegram-bot's custom webhook example).
    Requests without the secret token are refused before anything is parsed."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""

    async def receive_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError):  # not JSON, or not an update
            update = None
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(settings.webhook_path, receive_update, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside the bridge's event loop: the bridge handles SIGINT/SIGTERM itself."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def _webhook_server(application: BotApplication, settings: TelegramSettings) -> AsyncIterator[None]:
    config = uvicorn.Config(
        webhook_app(application, settings),
        host=settings.listen_host,
        port=settings.listen_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises the reason, e.g. the port is taken
                raise RuntimeError("the webhook server stopped while starting")
            await asyncio.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def running_bridge(
    settings: TelegramSettings, strings: Strings | None = None
) -> AsyncIterator[BotApplication]:
    """Start the bridge (commands registered, updates flowing) and stop it cleanly afterwards."""
    strings = strings or load_strings()
    async with AsyncExitStack() as stack:
        bridge = await stack.enter_async_context(TelegramBridge.open(settings, strings))
        application = build_application(settings, bridge)
        await stack.enter_async_context(application)  # initialize (getMe) / shutdown
        await register_commands(application.bot, strings)
        await application.start()
        stack.push_async_callback(application.stop)
        if settings.mode is Mode.POLLING:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=settings.polling_timeout_seconds,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            stack.push_async_callback(application.updater.stop)
            logger.info("Telegram bridge running (long polling)")
        else:
            await stack.enter_async_context(_webhook_server(application, settings))
            # Kept when the bridge stops: Telegram holds updates until it is back.
            await application.bot.set_webhook(
                url=settings.webhook_url or "",
                secret_token=settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            logger.info(
                "Telegram bridge running (webhook on %s:%d)", settings.listen_host, settings.listen_port
            )
        if settings.alert_token is not None:
            await _start_alerts(stack, settings, bridge, application, strings)
        yield application


async def _start_alerts(
    stack: AsyncExitStack,
    settings: TelegramSettings,
    bridge: TelegramBridge,
    application: BotApplication,
    strings: Strings,
) -> None:
    """The periodic round that sends due alerts of saved searches (bot/channels/telegram/alerts.py)."""
    assert settings.alert_token is not None
    client = AlertClient(settings.api_url, token=settings.alert_token.get_secret_value())
    stack.push_async_callback(client.aclose)
    sender = AlertSender(client, bridge.codec, strings, settings.sender_id_secret.get_secret_value())
    task = asyncio.create_task(sender.run_forever(application.bot, settings.alert_poll_seconds))

    async def stop() -> None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(stop)
    logger.info("Alerts of saved searches: a round every %g s", settings.alert_poll_seconds)
