"""A fake Telegram Bot API server for tests: real HTTP on 127.0.0.1, Telegram's JSON shapes.

It implements the methods the bridge uses (getMe, getUpdates with offset/timeout, setWebhook,
deleteWebhook, getWebhookInfo, sendMessage, sendPhoto and sendDocument with multipart upload,
sendChatAction, answerCallbackQuery, editMessageReplyMarkup, editMessageText, setMyCommands,
getMyCommands, leaveChat) and checks
requests the way Telegram does: the token in the path, HTML parse mode (only Telegram's tags,
every `<`, `>` and `&` escaped), 4,096 / 1,024 visible characters, callback data of 1-64 bytes,
"message is not modified", one answer per callback query, no getUpdates while a webhook is set.

Tests play the pupil: `send_text`, `send_command`, `send_sticker`, `press_button`, ... add updates
(delivered by getUpdates, or posted to the webhook with the secret token once one is set), and read
what the bot did with `messages()`, `texts()` and `calls()`. `fail_next()` makes the next calls fail
with 429 + retry_after (or another status).

The server runs in a thread with its own event loop; all state sits behind one lock, so tests on
any event loop (or none) can use it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

JSON = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Parameters Telegram reads as plain strings; every other form field is JSON (numbers, objects).
STRING_PARAMETERS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "action",
        "url",
        "secret_token",
        "callback_query_id",
        "language_code",
        "ip_address",
        "description",
        "short_description",
        "name",
        "photo",
        "document",
        "emoji",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


# -- a uvicorn server in a background thread ----------------------------------------------------


class BackgroundServer:
    """Serve an ASGI app on 127.0.0.1 (a free port) from a daemon thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-server", daemon=True)
        self.url = ""

    def start(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


# -- Telegram's HTML parse mode -----------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(token: str) -> str:
    name = token[1:-1]
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name]
    raise ApiError(400, f"Bad Request: can't parse entities: unsupported HTML entity {token}")


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode: the visible text and its entities (offsets in UTF-16 units)."""
    visible: list[str] = []
    length = 0
    entities: list[JSON] = []
    stack: list[tuple[str, int, JSON]] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                raise ApiError(
                    400, f"Bad Request: can't parse entities: unsupported start tag at byte offset {position}"
                )
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            attributes = {
                found[0].lower(): next(value for value in found[1:] if value is not None)
                for found in _ATTRIBUTE.findall(raw_attributes or "")
            }
            kind = _TAG_TYPES.get(name)
            if name == "span" and attributes.get("class") == "tg-spoiler":
                kind = "spoiler"
            if kind is None:
                raise ApiError(400, f'Bad Request: can\'t parse entities: unsupported start tag "{name}"')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise ApiError(400, f'Bad Request: can\'t parse entities: unexpected end tag "{name}"')
                _, start, opened = stack.pop()
                if length > start:
                    entities.append({**opened, "offset": start, "length": length - start})
            else:
                entity: JSON = {"type": kind}
                if kind == "text_link":
                    href = attributes.get("href", "")
                    for encoded in _ENTITY.findall(href):
                        href = href.replace(f"&{encoded};", _decode_entity(f"&{encoded};"))
                    if not href.startswith(("http://", "https://", "tg://", "mailto:")):
                        raise ApiError(400, "Bad Request: can't parse entities: wrong HTTP URL")
                    entity["url"] = href
                stack.append((name, length, entity))
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                raise ApiError(
                    400, f"Bad Request: can't parse entities: character '&' is reserved (offset {position})"
                )
            decoded = _decode_entity(match.group(0))
            visible.append(decoded)
            length += utf16_length(decoded)
            position = match.end()
        elif char == ">":
            raise ApiError(
                400, f"Bad Request: can't parse entities: character '>' is reserved (offset {position})"
            )
        else:
            visible.append(char)
            length += utf16_length(char)
            position += 1
    if stack:
        unclosed = stack[-1][0]
        raise ApiError(
            400,
            "Bad Request: can't parse entities: can't find end tag corresponding to start tag "
            f'"{unclosed}"',
        )
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(visible), entities


# -- requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Call:
    """One request the bot made, as the server understood it."""

    method: str
    params: JSON
    files: dict[str, Upload]
    status: int
    description: str | None = None


@dataclass
class _Failure:
    count: int
    method: str | None
    status: int
    retry_after: int
    description: str | None


def _coerce(name: str, value: str) -> Any:
    if name in STRING_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, Upload]]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise ApiError(400, "Bad Request: multipart boundary is missing")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers = {
            key.strip().lower(): value.strip()
            for key, _, value in (line.partition(":") for line in head.decode("utf-8").split("\r\n"))
        }
        disposition = headers.get("content-disposition", "")
        name_match = re.search(r'\bname="([^"]*)"', disposition)
        file_match = re.search(r'\bfilename="([^"]*)"', disposition)
        if name_match is None:
            continue
        if file_match is not None:
            files[name_match.group(1)] = Upload(
                file_match.group(1), content, headers.get("content-type", "application/octet-stream")
            )
        else:
            fields[name_match.group(1)] = content.decode("utf-8")
    return fields, files


async def _read_parameters(request: Request) -> tuple[JSON, dict[str, Upload]]:
    """Telegram accepts query strings, urlencoded forms, JSON and multipart forms."""
    params: JSON = {name: _coerce(name, value) for name, value in request.query_params.items()}
    files: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if content_type.startswith("application/json") and body:
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            params.update(decoded)
    elif content_type.startswith("multipart/form-data"):
        fields, files = _parse_multipart(body, content_type)
        params.update({name: _coerce(name, value) for name, value in fields.items()})
    elif body:
        form = httpx.QueryParams(body.decode("utf-8"))
        params.update({name: _coerce(name, value) for name, value in form.items()})
    return params, files


# -- the fake -------------------------------------------------------------------------------------


@dataclass
class _Chat:
    data: JSON
    user: JSON
    left: bool = False
    message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class FakeTelegram:
    """Start with `with FakeTelegram() as telegram:`; the bot's base_url is `telegram.url`."""

    def __init__(
        self, token: str = "123456:TEST-token_for-the-fake", bot_username: str = "berufslotse_test_bot"
    ):
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Berufslotse",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._lock = threading.RLock()
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._generation = 0
        self.reset()
        self._deliveries: queue.Queue[JSON | None] = queue.Queue()
        self._delivery_thread = threading.Thread(
            target=self._deliver_updates, name="fake-webhook", daemon=True
        )
        self._server = BackgroundServer(
            Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])
        )

    # lifecycle

    def reset(self) -> None:
        """Forget everything but the bot: chats, updates, messages, calls, failures, webhook.
        Requests still open from before (a long poll of a stopped bot) are not recorded and get
        no updates."""
        with self._lock:
            self._generation += 1
            self._pending: list[JSON] = []
            self._chats: dict[int, _Chat] = {}
            self._messages: dict[tuple[int, int], JSON] = {}  # (chat id, message id) -> the bot's message
            self._sent_order: list[tuple[int, int]] = []
            self._callback_queries: dict[str, bool] = {}  # id -> answered
            self.uploads: dict[str, Upload] = {}
            self.commands: dict[tuple[str, str], list[JSON]] = {}
            self._calls: list[Call] = []
            self._failures: list[_Failure] = []
            self.webhook: JSON | None = None
            self.webhook_deliveries: list[int] = []

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> FakeTelegram:
        self._server.start()
        self._delivery_thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._deliveries.put(None)
        self._delivery_thread.join(timeout=10)
        self._server.stop()

    # the pupil's side: updates

    def _chat(self, chat_id: int, *, chat_type: str = "private", language_code: str | None = "de") -> _Chat:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                user: JSON = {"id": chat_id if chat_type == "private" else 700_000 + abs(chat_id) % 1000}
                user |= {"is_bot": False, "first_name": "Pupil"}
                if language_code:
                    user["language_code"] = language_code
                data: JSON = {"id": chat_id, "type": chat_type}
                data |= {"first_name": "Pupil"} if chat_type == "private" else {"title": "Klasse 9b"}
                chat = _Chat(data=data, user=user)
                self._chats[chat_id] = chat
            return chat

    def add_update(self, update: JSON) -> int:
        """Queue a raw update (update_id is set here) for getUpdates or the webhook."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            if self.webhook:
                self._deliveries.put(update)
            else:
                self._pending.append(update)
            return int(update["update_id"])

    def _user_message(self, chat: _Chat, content: JSON) -> JSON:
        with self._lock:
            return {
                "message_id": next(chat.message_ids),
                "date": int(time.time()),
                "chat": chat.data,
                "from": chat.user,
                **content,
            }

    def send_text(self, chat_id: int, text: str, *, language_code: str | None = "de") -> JSON:
        chat = self._chat(chat_id, language_code=language_code)
        message = self._user_message(chat, {"text": text})
        self.add_update({"message": message})
        return message

    def send_command(self, chat_id: int, command: str, *, language_code: str | None = "de") -> JSON:
        """`command` as typed, e.g. "/start klasse-9b"; marked as a bot_command like Telegram does."""
        chat = self._chat(chat_id, language_code=language_code)
        name = command.split()[0]
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_length(name)}]
        message = self._user_message(chat, {"text": command, "entities": entities})
        self.add_update({"message": message})
        return message

    def send_sticker(self, chat_id: int, *, language_code: str | None = "de") -> JSON:
        chat = self._chat(chat_id, language_code=language_code)
        sticker = {
            "file_id": f"sticker-{next(self._file_ids)}",
            "file_unique_id": "sticker-unique",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        message = self._user_message(chat, {"sticker": sticker})
        self.add_update({"message": message})
        return message

    def send_voice(self, chat_id: int, *, language_code: str | None = "de") -> JSON:
        chat = self._chat(chat_id, language_code=language_code)
        voice = {"file_id": f"voice-{next(self._file_ids)}", "file_unique_id": "voice-unique", "duration": 3}
        message = self._user_message(chat, {"voice": voice})
        self.add_update({"message": message})
        return message

    def send_photo(
        self, chat_id: int, *, caption: str | None = None, language_code: str | None = "de"
    ) -> JSON:
        chat = self._chat(chat_id, language_code=language_code)
        sizes = [
            {"file_id": f"photo-{next(self._file_ids)}", "file_unique_id": "p", "width": 90, "height": 90}
        ]
        content: JSON = {"photo": sizes}
        if caption:
            content["caption"] = caption
        message = self._user_message(chat, content)
        self.add_update({"message": message})
        return message

    def send_group_text(self, chat_id: int, text: str, *, language_code: str | None = "de") -> JSON:
        chat = self._chat(chat_id, chat_type="supergroup", language_code=language_code)
        message = self._user_message(chat, {"text": text})
        self.add_update({"message": message})
        return message

    def add_bot_to_group(self, chat_id: int, *, language_code: str | None = "de") -> None:
        chat = self._chat(chat_id, chat_type="group", language_code=language_code)
        with self._lock:
            chat.left = False
        self.add_update(
            {
                "my_chat_member": {
                    "chat": chat.data,
                    "from": chat.user,
                    "date": int(time.time()),
                    "old_chat_member": {"user": self.bot_user, "status": "left"},
                    "new_chat_member": {"user": self.bot_user, "status": "member"},
                }
            }
        )

    def press_button(self, chat_id: int, message_id: int, title: str) -> str:
        """Press the button labelled `title` on one of the bot's messages, as a Telegram app would;
        returns the callback query id."""
        with self._lock:
            message = self._messages[(chat_id, message_id)]
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in rows:
                for button in row:
                    if button["text"] == title and "callback_data" in button:
                        return self.press_callback_data(chat_id, message_id, button["callback_data"])
        raise AssertionError(f"no button {title!r} on message {message_id}")

    def press_callback_data(self, chat_id: int, message_id: int, data: str) -> str:
        """A callback query with arbitrary data (an old keyboard, or a modified client)."""
        with self._lock:
            chat = self._chats[chat_id]
            message = json.loads(json.dumps(self._messages[(chat_id, message_id)]))
            query_id = str(next(self._callback_ids))
            self._callback_queries[query_id] = False
        self.add_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": chat.user,
                    "message": message,
                    "chat_instance": f"instance-{chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    # the bot's side: what it did

    def messages(self, chat_id: int) -> list[JSON]:
        """The bot's messages in this chat, oldest first, as they look now (after edits)."""
        with self._lock:
            return [
                json.loads(json.dumps(self._messages[key])) for key in self._sent_order if key[0] == chat_id
            ]

    def texts(self, chat_id: int) -> list[str]:
        """The visible text (or caption) of each of the bot's messages in this chat."""
        return [str(message.get("text", message.get("caption", ""))) for message in self.messages(chat_id)]

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def answered(self, query_id: str) -> bool:
        with self._lock:
            return self._callback_queries.get(query_id, False)

    def has_left(self, chat_id: int) -> bool:
        with self._lock:
            return chat_id in self._chats and self._chats[chat_id].left

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._pending)

    def fail_next(
        self,
        count: int = 1,
        *,
        method: str | None = None,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls (of `method`, or of any method but getUpdates) with an
        error: 429 Too Many Requests with retry_after by default; 502 is a network failure."""
        with self._lock:
            self._failures.append(_Failure(count, method, status, retry_after, description))

    async def wait_for(
        self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.02)

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> list[JSON]:
        await self.wait_for(
            lambda: len(self.messages(chat_id)) >= count, timeout, f"{count} bot message(s) in chat {chat_id}"
        )
        return self.messages(chat_id)

    # the server

    async def _endpoint(self, request: Request) -> Response:
        with self._lock:
            generation = self._generation
        token = request.path_params["token"]
        method = request.path_params["method"]
        try:
            params, files = await _read_parameters(request)
        except (ApiError, ValueError) as exc:
            return JSONResponse({"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, 400)
        if token != self.token:
            self._record(Call(method, params, files, 401, "Unauthorized"), generation)
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        failure = self._take_failure(method)
        if failure is not None:
            return self._failure_response(method, params, files, failure, generation)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            self._record(Call(method, params, files, 404, "Not Found"), generation)
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        try:
            result = (
                await self._api_getupdates(params, generation)
                if method == "getUpdates"
                else handler(params, files)
            )
        except ApiError as exc:
            self._record(Call(method, params, files, exc.status, exc.description), generation)
            body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return JSONResponse(body, exc.status)
        self._record(Call(method, params, files, 200), generation)
        return JSONResponse({"ok": True, "result": result})

    def _record(self, call: Call, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self._calls.append(call)

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                matches = failure.method == method if failure.method else method != "getUpdates"
                if matches and failure.count > 0:
                    failure.count -= 1
                    return failure
        return None

    def _failure_response(
        self, method: str, params: JSON, files: dict[str, Upload], failure: _Failure, generation: int
    ) -> Response:
        if failure.status == 429:
            description = failure.description or f"Too Many Requests: retry after {failure.retry_after}"
            self._record(Call(method, params, files, 429, description), generation)
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": description,
                    "parameters": {"retry_after": failure.retry_after},
                },
                429,
            )
        if failure.status >= 500:  # what nginx in front of the Bot API sends
            self._record(Call(method, params, files, failure.status, "gateway error"), generation)
            return PlainTextResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", failure.status)
        description = failure.description or "Bad Request: injected failure"
        self._record(Call(method, params, files, failure.status, description), generation)
        return JSONResponse(
            {"ok": False, "error_code": failure.status, "description": description}, failure.status
        )

    def _deliver_updates(self) -> None:
        """Post updates to the webhook one at a time, like Telegram, with the secret token."""
        with httpx.Client(timeout=10) as client:
            while True:
                update = self._deliveries.get()
                if update is None:
                    return
                with self._lock:
                    webhook = dict(self.webhook or {})
                headers = {}
                if webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
                try:
                    status = client.post(webhook["url"], json=update, headers=headers).status_code
                except httpx.HTTPError:
                    status = 0
                with self._lock:
                    self.webhook_deliveries.append(status)

    # -- Bot API methods ---------------------------------------------------------------------------

    def _require_chat(self, params: JSON) -> _Chat:
        chat_id = params.get("chat_id")
        with self._lock:
            chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.left:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")
        return chat

    @staticmethod
    def _check_markup(markup: Any) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup["inline_keyboard"]:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                elif "url" in button:
                    if not str(button["url"]).startswith(("http://", "https://", "tg://")):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                else:
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button")
        return markup if markup["inline_keyboard"] else None

    @staticmethod
    def _formatted(text: str, parse_mode: Any, limit: int, what: str) -> tuple[str, list[JSON]]:
        if parse_mode is None or parse_mode == "":
            visible, entities = text, list[JSON]()
        elif str(parse_mode).upper() == "HTML":
            visible, entities = parse_html(text)
        else:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
        if utf16_length(visible) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")
        return visible, entities

    def _store(self, chat: _Chat, content: JSON, markup: JSON | None) -> JSON:
        with self._lock:
            message: JSON = {
                "message_id": next(chat.message_ids),
                "from": self.bot_user,
                "chat": chat.data,
                "date": int(time.time()),
                **content,
            }
            if markup is not None:
                message["reply_markup"] = markup
            key = (int(chat.data["id"]), int(message["message_id"]))
            self._messages[key] = message
            self._sent_order.append(key)
            return json.loads(json.dumps(message))

    def _api_getme(self, params: JSON, files: dict[str, Upload]) -> JSON:
        return self.bot_user

    async def _api_getupdates(self, params: JSON, generation: int) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                if generation != self._generation:
                    return []
                if self.webhook:
                    raise ApiError(
                        409,
                        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
                        "to delete the webhook first",
                    )
                if offset:
                    self._pending = [update for update in self._pending if update["update_id"] >= offset]
                ready = self._pending[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    def _api_setwebhook(self, params: JSON, files: dict[str, Upload]) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            if not url:
                self.webhook = None
                return True
            if not url.startswith(("http://", "https://")):
                raise ApiError(
                    400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                )
            self.webhook = {
                "url": url,
                "secret_token": secret,
                "allowed_updates": params.get("allowed_updates"),
            }
            if params.get("drop_pending_updates"):
                self._pending.clear()
            for update in self._pending:
                self._deliveries.put(update)
            self._pending.clear()
        return True

    def _api_deletewebhook(self, params: JSON, files: dict[str, Upload]) -> bool:
        with self._lock:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self._pending.clear()
        return True

    def _api_getwebhookinfo(self, params: JSON, files: dict[str, Upload]) -> JSON:
        with self._lock:
            webhook = self.webhook or {}
            return {
                "url": webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }

    def _api_sendmessage(self, params: JSON, files: dict[str, Upload]) -> JSON:
        chat = self._require_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible, entities = self._formatted(text, params.get("parse_mode"), TEXT_LIMIT, "message")
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = self._check_markup(params.get("reply_markup"))
        content: JSON = {"text": visible}
        if entities:
            content["entities"] = entities
        return self._store(chat, content, markup)

    def _api_sendphoto(self, params: JSON, files: dict[str, Upload]) -> JSON:
        chat = self._require_chat(params)
        upload = files.get("photo")
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            upload = files.get(photo.removeprefix("attach://"))
        if upload is None:
            if isinstance(photo, str) and photo.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if not upload.content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        file_id = f"photo-file-{next(self._file_ids)}"
        with self._lock:
            self.uploads[file_id] = upload
        content: JSON = {
            "photo": [
                {
                    "file_id": file_id,
                    "file_unique_id": f"u{file_id}",
                    "width": 320,
                    "height": 240,
                    "file_size": len(upload.content),
                }
            ]
        }
        caption = params.get("caption")
        if isinstance(caption, str) and caption:
            visible, entities = self._formatted(
                caption, params.get("parse_mode"), CAPTION_LIMIT, "message caption"
            )
            content["caption"] = visible
            if entities:
                content["caption_entities"] = entities
        markup = self._check_markup(params.get("reply_markup"))
        return self._store(chat, content, markup)

    def _api_senddocument(self, params: JSON, files: dict[str, Upload]) -> JSON:
        chat = self._require_chat(params)
        upload = files.get("document")
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = files.get(document.removeprefix("attach://"))
        if upload is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        if not upload.content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        file_id = f"document-file-{next(self._file_ids)}"
        with self._lock:
            self.uploads[file_id] = upload
        content: JSON = {
            "document": {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": len(upload.content),
            }
        }
        caption = params.get("caption")
        if isinstance(caption, str) and caption:
            visible, entities = self._formatted(
                caption, params.get("parse_mode"), CAPTION_LIMIT, "message caption"
            )
            content["caption"] = visible
            if entities:
                content["caption_entities"] = entities
        markup = self._check_markup(params.get("reply_markup"))
        return self._store(chat, content, markup)

    def _api_sendchataction(self, params: JSON, files: dict[str, Upload]) -> bool:
        self._require_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_answercallbackquery(self, params: JSON, files: dict[str, Upload]) -> bool:
        query_id = str(params.get("callback_query_id"))
        with self._lock:
            if self._callback_queries.get(query_id, True):
                raise ApiError(
                    400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
                )
            self._callback_queries[query_id] = True
        return True

    def _api_editmessagereplymarkup(self, params: JSON, files: dict[str, Upload]) -> JSON:
        chat = self._require_chat(params)
        key = (int(chat.data["id"]), int(params.get("message_id") or 0))
        markup = self._check_markup(params.get("reply_markup"))
        with self._lock:
            message = self._messages.get(key)
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if message.get("reply_markup") == markup:
                raise ApiError(400, NOT_MODIFIED)
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return json.loads(json.dumps(message))

    def _api_editmessagetext(self, params: JSON, files: dict[str, Upload]) -> JSON:
        chat = self._require_chat(params)
        key = (int(chat.data["id"]), int(params.get("message_id") or 0))
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible, entities = self._formatted(text, params.get("parse_mode"), TEXT_LIMIT, "message")
        markup = self._check_markup(params.get("reply_markup"))
        with self._lock:
            message = self._messages.get(key)
            if message is None or "text" not in message:
                raise ApiError(400, "Bad Request: message to edit not found")
            if (
                message["text"] == visible
                and message.get("entities", []) == entities
                and message.get("reply_markup") == markup
            ):
                raise ApiError(400, NOT_MODIFIED)
            message["text"] = visible
            if entities:
                message["entities"] = entities
            else:
                message.pop("entities", None)
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return json.loads(json.dumps(message))

    def _api_setmycommands(self, params: JSON, files: dict[str, Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        scope = (params.get("scope") or {"type": "default"})["type"]
        with self._lock:
            self.commands[(scope, str(params.get("language_code") or ""))] = commands
        return True

    def _api_getmycommands(self, params: JSON, files: dict[str, Upload]) -> list[JSON]:
        scope = (params.get("scope") or {"type": "default"})["type"]
        with self._lock:
            return list(self.commands.get((scope, str(params.get("language_code") or "")), []))

    def _api_leavechat(self, params: JSON, files: dict[str, Upload]) -> bool:
        chat = self._require_chat(params)
        with self._lock:
            chat.left = True
        return True
