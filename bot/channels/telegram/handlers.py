"""One small async callback per kind of update, in the style of python-telegram-bot's examples.

Every callback passes what the pupil said to Rasa under a pseudonymous sender id and turns Rasa's
replies into Telegram messages. Nothing about a conversation is kept here: Rasa keeps it. Logs name
kinds of updates and errors, never chat ids or message texts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.message_limits import Refusal, refusal_for
from bot.channels.telegram.buttons import (
    BridgeAction,
    ButtonPayloadStore,
    CallbackCodec,
    RasaPayload,
    UnknownButton,
    bridge_callback_data,
    card_keyboard,
    inline_keyboard,
)
from bot.channels.telegram.formatting import plain_chunks, render_caption, render_chunks
from bot.channels.telegram.privacy import DeletionOutcome, PrivacyClient
from bot.channels.telegram.pseudonym import delivery_token_for_chat, sender_id_for_chat
from bot.channels.telegram.rasa import RasaClient, RasaReply, RasaUnavailableError
from bot.channels.telegram.replies import (
    CheckCard,
    OutgoingDocument,
    OutgoingPhoto,
    OutgoingText,
    card_text,
    plan_messages,
)
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.strings import Language, Strings, Text, language_for
from nlu.readers.class_code import is_well_formed as is_class_code

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# What the menu commands say to Rasa. The English names work too, but only the German ones are in
# the menu. /start is handled on its own because of the deep-link parameter.
RASA_GREETING = "/greet"
RASA_COMMANDS: Mapping[str, str] = {
    "hilfe": "/help",
    "help": "/help",
    "neustart": "/restart",
    "restart": "/restart",
    "sprache": "/switch_language",
    "language": "/switch_language",
    "meine_daten": "/ask_privacy",
    "privacy": "/ask_privacy",
    # easy German ("einfache Sprache") on request, like the widget's menu switch (not in the menu)
    "einfach": '/switch_language{"easy_language":"true"}',
    "normal": '/switch_language{"easy_language":"false"}',
}
DELETE_COMMANDS = ("daten_loeschen", "delete_my_data")
# Telegram's rule for deep-link parameters (t.me/<bot>?start=<parameter>).
START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Telegram shows "typing" for 5 seconds; renew it a little earlier while Rasa works.
TYPING_INTERVAL_SECONDS = 4.0
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # what we send: the result PDF is far smaller
DOCUMENT_TYPES = frozenset({"application/pdf"})
NO_LINK_PREVIEW = LinkPreviewOptions(is_disabled=True)
JOINED = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED}

PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
# Texts that never reach Rasa (an empty text is no text message at all on Telegram).
REFUSAL_TEXTS: Mapping[Refusal, Text] = {
    Refusal.TOO_LONG: Text.MESSAGE_TOO_LONG,
    Refusal.UNREADABLE: Text.MESSAGE_UNREADABLE,
}


def join_class_payload(code: str) -> str:
    """What Rasa gets for a class's deep link (`code` is well formed: letters and digits only)."""
    return f'/join_class{{"class_code":"{code}"}}'


def _update_kind(update: object) -> str:
    """What kind of update this is, for logs: never its content."""
    if isinstance(update, Update):
        for kind in ("message", "edited_message", "callback_query", "my_chat_member", "channel_post"):
            if getattr(update, kind, None) is not None:
                return kind
        return "update"
    return type(update).__name__


def _error_chain(error: BaseException) -> str:
    names: list[str] = []
    current: BaseException | None = error
    while current is not None and len(names) < 5:
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(names)


class TelegramBridge:
    """The callbacks and the clients they share (Rasa, the API, the button store, image downloads)."""

    def __init__(
        self,
        settings: TelegramSettings,
        strings: Strings,
        *,
        rasa: RasaClient,
        privacy: PrivacyClient,
        codec: CallbackCodec,
        images: httpx.AsyncClient,
    ) -> None:
        self.settings = settings
        self.strings = strings
        self.rasa = rasa
        self.privacy = privacy
        self.codec = codec
        self.images = images
        self._sender_secret = settings.sender_id_secret.get_secret_value()

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: TelegramSettings, strings: Strings) -> AsyncIterator[TelegramBridge]:
        store = ButtonPayloadStore(settings.button_store_path, settings.button_store_size)
        await store.open()
        tls = httpx.create_ssl_context()  # loading the CA bundle is slow: once for all three clients
        rasa = RasaClient(
            settings.rasa_url,
            timeout_seconds=settings.rasa_timeout_seconds,
            backoff_seconds=settings.retry_backoff_seconds,
            verify=tls,
        )
        privacy = PrivacyClient(
            settings.api_url,
            token=settings.api_token.get_secret_value() if settings.api_token else None,
            verify=tls,
        )
        images = httpx.AsyncClient(
            timeout=httpx.Timeout(15.0, connect=5.0), follow_redirects=True, verify=tls
        )
        try:
            yield cls(
                settings, strings, rasa=rasa, privacy=privacy, codec=CallbackCodec(store), images=images
            )
        finally:
            await images.aclose()
            await privacy.aclose()
            await rasa.aclose()
            await store.close()

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add the callbacks; the first matching handler wins."""
        application.add_handlers(
            [
                MessageHandler(
                    ~filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL,
                    self.on_group_message,
                ),
                ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
                CommandHandler("start", self.on_start, filters=PRIVATE_MESSAGE),
                CommandHandler(list(RASA_COMMANDS), self.on_rasa_command, filters=PRIVATE_MESSAGE),
                CommandHandler(list(DELETE_COMMANDS), self.on_delete_request, filters=PRIVATE_MESSAGE),
                MessageHandler(PRIVATE_MESSAGE & filters.COMMAND, self.on_unknown_command),
                MessageHandler(PRIVATE_MESSAGE & filters.TEXT, self.on_text),
                MessageHandler(PRIVATE_MESSAGE & ~filters.StatusUpdate.ALL, self.on_non_text),
                CallbackQueryHandler(self.on_button),
            ]
        )
        application.add_error_handler(self.on_error)

    def sender_id(self, chat_id: int) -> str:
        return sender_id_for_chat(self._sender_secret, chat_id)

    # -- callbacks -------------------------------------------------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        """/start, also from a deep link t.me/<bot>?start=<parameter>: Rasa greets, and the
        parameter travels as metadata `start_parameter`. A class's link (t.me/<bot>?start=K7M4QX)
        joins the class instead: Rasa gets the payload `/join_class{"class_code": ...}`."""
        chat = update.effective_chat
        if chat is None:
            return
        extra: dict[str, str] = {}
        message = RASA_GREETING
        if context.args and START_PARAMETER.match(context.args[0]):
            extra["start_parameter"] = context.args[0]
            code = context.args[0].upper()
            if is_class_code(code):
                message = join_class_payload(code)
        await self._converse(context.bot, chat.id, update.effective_user, message, extra)

    async def on_rasa_command(self, update: Update, context: Context) -> None:
        """/hilfe, /neustart, /sprache, /meine_daten: the message Rasa understands for each."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or not message.text:
            return
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        await self._converse(context.bot, chat.id, update.effective_user, RASA_COMMANDS[command])

    async def on_delete_request(self, update: Update, context: Context) -> None:
        """/daten_loeschen: ask first; the answer comes back as a button press (`on_button`)."""
        chat = update.effective_chat
        if chat is None:
            return
        language = self._language(update.effective_user)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        self.strings.text(Text.DELETE_CONFIRM_YES, language),
                        callback_data=bridge_callback_data(BridgeAction.DELETE_CONFIRMED),
                    )
                ],
                [
                    InlineKeyboardButton(
                        self.strings.text(Text.DELETE_CONFIRM_NO, language),
                        callback_data=bridge_callback_data(BridgeAction.DELETE_CANCELLED),
                    )
                ],
            ]
        )
        await context.bot.send_message(
            chat.id, self.strings.text(Text.DELETE_CONFIRM, language), reply_markup=keyboard
        )

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        """A command the bridge does not know (also `/intent{...}` typed by hand): show the menu."""
        chat = update.effective_chat
        if chat is not None:
            language = self._language(update.effective_user)
            await context.bot.send_message(chat.id, self.strings.text(Text.UNKNOWN_COMMAND, language))

    async def on_text(self, update: Update, context: Context) -> None:
        """A text message in a private chat: straight to Rasa, unless it is too long or unreadable
        for NLU (bot/channels/message_limits.py); then a kind word, and Rasa never sees it."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or not message.text:
            return
        refusal = refusal_for(message.text)
        if refusal is not None and refusal in REFUSAL_TEXTS:
            logger.info("Answered a message without Rasa: %s", refusal.value)
            language = self._language(update.effective_user)
            await context.bot.send_message(chat.id, self.strings.text(REFUSAL_TEXTS[refusal], language))
            return
        # Typed text never becomes a Rasa payload (`/intent{...}`): only buttons send those. Telegram
        # marks "/word" as a command (on_unknown_command); this catches what it does not mark.
        text = message.text.lstrip("/").lstrip() if message.text.startswith("/") else message.text
        await self._converse(context.bot, chat.id, update.effective_user, text or message.text)

    async def on_non_text(self, update: Update, context: Context) -> None:
        """Stickers, voice messages, photos, documents...: a kind word and a nudge to type."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        if message.sticker is not None:
            key = Text.STICKER_RECEIVED
        elif message.voice is not None or message.audio is not None or message.video_note is not None:
            key = Text.VOICE_RECEIVED
        else:
            key = Text.MEDIA_RECEIVED
        await context.bot.send_message(chat.id, self.strings.text(key, self._language(update.effective_user)))

    async def on_button(self, update: Update, context: Context) -> None:
        """A pressed inline button: answer the query, close the keyboard so the button cannot be
        pressed twice, then act on it (usually: send its payload to Rasa)."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as exc:  # e.g. the query is too old after a restart: still act on it
            logger.info("Could not answer a callback query (%s)", type(exc).__name__)
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        chat_id = message.chat.id
        pressed = await self.codec.decode(query.data)
        if not await self._close_keyboard(context.bot, chat_id, message.message_id):
            logger.info("Ignored a second press on a closed keyboard")
            return
        language = self._language(query.from_user)
        if isinstance(pressed, RasaPayload):
            # An answer on the check's card: the next question replaces it in the same message.
            card_id = message.message_id if pressed.on_card else None
            await self._converse(context.bot, chat_id, query.from_user, pressed.payload, card_id=card_id)
        elif pressed is BridgeAction.DELETE_CONFIRMED:
            await self._delete_data(context.bot, chat_id, language)
        elif pressed is BridgeAction.DELETE_CANCELLED:
            await context.bot.send_message(chat_id, self.strings.text(Text.DELETE_CANCELLED, language))
        else:
            assert isinstance(pressed, UnknownButton)
            await context.bot.send_message(chat_id, self.strings.text(Text.BUTTON_EXPIRED, language))

    async def on_group_message(self, update: Update, context: Context) -> None:
        """A message in a group: Berufslotse only talks one-to-one. Say so and leave."""
        chat = update.effective_chat
        if chat is not None:
            await self._decline_group(context.bot, chat.id, self._language(update.effective_user))

    async def on_my_chat_member(self, update: Update, context: Context) -> None:
        """The bot was added to a group or channel: decline and leave."""
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return
        if change.new_chat_member.status in JOINED:
            await self._decline_group(context.bot, change.chat.id, self._language(change.from_user))

    async def on_error(self, update: object, context: Context) -> None:
        """Log what failed (kind of update, error types, stack frames) without any personal data,
        tell the pupil when our own code failed, and keep the bridge running."""
        error = context.error
        if error is None:
            return
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error(
            "Handling a %s update failed: %s\n%s", _update_kind(update), _error_chain(error), frames.rstrip()
        )
        if isinstance(error, TelegramError) or not isinstance(update, Update):
            return  # Telegram itself is the problem: another message would fail the same way
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            with suppress(TelegramError):
                await context.bot.send_message(
                    chat.id,
                    self.strings.text(Text.RASA_UNAVAILABLE, self._language(update.effective_user)),
                )

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _language(user: User | None) -> Language:
        return language_for(user.language_code if user else None)

    def _metadata(
        self, user: User | None, extra: Mapping[str, str] | None = None, chat_id: int | None = None
    ) -> dict[str, str]:
        """What Rasa learns besides the message: the channel, the language of the pupil's app and
        the delivery token that a saved search keeps, so that its alerts can reach this chat."""
        metadata = {"channel": "telegram"}
        if chat_id is not None:
            metadata["delivery_token"] = delivery_token_for_chat(self._sender_secret, chat_id)
        if user is not None and user.language_code:
            metadata["language_code"] = user.language_code
        metadata.update(extra or {})
        return metadata

    async def _converse(
        self,
        bot: Bot,
        chat_id: int,
        user: User | None,
        message: str,
        extra_metadata: Mapping[str, str] | None = None,
        *,
        card_id: int | None = None,
    ) -> None:
        language = self._language(user)
        try:
            async with self._typing(bot, chat_id):
                replies = await self.rasa.send(
                    self.sender_id(chat_id), message, self._metadata(user, extra_metadata, chat_id)
                )
        except RasaUnavailableError as exc:
            logger.warning("Rasa is unavailable (%s)", exc.reason)
            await bot.send_message(chat_id, self.strings.text(Text.RASA_UNAVAILABLE, language))
            return
        await self._send_replies(bot, chat_id, replies, language, card_id=card_id)

    @asynccontextmanager
    async def _typing(self, bot: Bot, chat_id: int) -> AsyncIterator[None]:
        """Show "typing..." until the block ends, renewed every few seconds. The block's end waits
        for a chat action in flight, so the indicator never outlives the answer."""
        done = asyncio.Event()

        async def keep_typing() -> None:
            while not done.is_set():
                try:
                    await bot.send_chat_action(chat_id, ChatAction.TYPING)
                except TelegramError as exc:
                    logger.debug("Could not show the typing indicator (%s)", type(exc).__name__)
                with suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), TYPING_INTERVAL_SECONDS)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            done.set()
            await task

    async def _send_replies(
        self,
        bot: Bot,
        chat_id: int,
        replies: list[RasaReply],
        language: Language,
        *,
        card_id: int | None = None,
    ) -> None:
        """Sends the planned messages; `card_id`: the check card the pupil just answered on, which
        the next check question (if it is the first thing Rasa says) replaces in place."""
        for index, item in enumerate(plan_messages(replies)):
            if isinstance(item, CheckCard):
                markup = await card_keyboard(item.buttons, self.codec)
                edit = card_id if index == 0 else None
                if edit is None or not await self._edit_card(bot, chat_id, edit, card_text(item), markup):
                    await self._send_text(bot, chat_id, card_text(item), markup)
                continue
            markup = await inline_keyboard(item.buttons, self.codec)
            if isinstance(item, OutgoingText):
                await self._send_text(bot, chat_id, item.text, markup)
            elif isinstance(item, OutgoingDocument):
                await self._send_document(bot, chat_id, item, language)
            else:
                await self._send_photo(bot, chat_id, item, markup, language)

    async def _send_text(
        self, bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Rasa's text as HTML messages within Telegram's limit; the keyboard goes on the last one."""
        chunks = render_chunks(text)
        for index, chunk in enumerate(chunks):
            chunk_markup = markup if index == len(chunks) - 1 else None
            try:
                await bot.send_message(
                    chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    reply_markup=chunk_markup,
                    link_preview_options=NO_LINK_PREVIEW,
                )
            except BadRequest as exc:
                if "can't parse entities" not in exc.message.lower():
                    raise
                logger.warning("Telegram refused the HTML of a reply; sending it as plain text")
                await bot.send_message(
                    chat_id,
                    plain_chunks(text)[index],
                    reply_markup=chunk_markup,
                    link_preview_options=NO_LINK_PREVIEW,
                )

    async def _send_photo(
        self,
        bot: Bot,
        chat_id: int,
        item: OutgoingPhoto,
        markup: InlineKeyboardMarkup | None,
        language: Language,
    ) -> None:
        """Download the image from Rasa's URL (Telegram cannot reach our local URLs) and upload it."""
        image = await self._fetch_image(item.url)
        if image is None:
            if item.caption:
                await self._send_text(bot, chat_id, item.caption)
            await bot.send_message(
                chat_id, self.strings.text(Text.IMAGE_UNAVAILABLE, language), reply_markup=markup
            )
            return
        content, filename = image
        with suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        caption = render_caption(item.caption) if item.caption else None
        await bot.send_photo(
            chat_id,
            photo=InputFile(content, filename=filename),
            caption=caption,
            parse_mode=ParseMode.HTML if caption else None,
            reply_markup=markup,
        )

    async def _send_document(
        self, bot: Bot, chat_id: int, item: OutgoingDocument, language: Language
    ) -> None:
        """Download the document (the result PDF from the API's short-lived link) and upload it."""
        content = await self._download(item.url, DOCUMENT_TYPES, MAX_DOCUMENT_BYTES)
        if content is None:
            await bot.send_message(chat_id, self.strings.text(Text.DOCUMENT_UNAVAILABLE, language))
            return
        with suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        await bot.send_document(chat_id, document=InputFile(content[0], filename=item.filename))

    async def _download(self, url: str, types: frozenset[str], limit: int) -> tuple[bytes, str] | None:
        """The body and its media type, when it is one of `types` and at most `limit` bytes."""
        if urlsplit(url).scheme not in {"http", "https"}:
            logger.warning("Skipped a file with an unsupported URL scheme")
            return None
        try:
            async with self.images.stream("GET", url) as response:
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code != httpx.codes.OK or content_type not in types:
                    logger.warning(
                        "Could not use a file: HTTP %d, type %s", response.status_code, content_type or "-"
                    )
                    return None
                parts: list[bytes] = []
                size = 0
                async for part in response.aiter_bytes():
                    size += len(part)
                    if size > limit:
                        logger.warning("Skipped a file larger than allowed")
                        return None
                    parts.append(part)
        except httpx.HTTPError as exc:
            logger.warning("Could not download a file (%s)", type(exc).__name__)
            return None
        return b"".join(parts), content_type

    async def _fetch_image(self, url: str) -> tuple[bytes, str] | None:
        if urlsplit(url).scheme not in {"http", "https"}:
            logger.warning("Skipped an image with an unsupported URL scheme")
            return None
        try:
            async with self.images.stream("GET", url) as response:
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code != httpx.codes.OK or content_type not in IMAGE_TYPES:
                    logger.warning(
                        "Could not use an image: HTTP %d, type %s", response.status_code, content_type or "-"
                    )
                    return None
                parts: list[bytes] = []
                size = 0
                async for part in response.aiter_bytes():
                    size += len(part)
                    if size > MAX_IMAGE_BYTES:
                        logger.warning("Skipped an image larger than Telegram allows")
                        return None
                    parts.append(part)
        except httpx.HTTPError as exc:
            logger.warning("Could not download an image (%s)", type(exc).__name__)
            return None
        return b"".join(parts), f"image.{IMAGE_TYPES[content_type]}"

    async def _edit_card(
        self, bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        """Puts the next check question into the card's message; False when Telegram refuses (too
        old, deleted, too long), and the question is then sent as a new message."""
        chunks = render_chunks(text)
        if len(chunks) != 1:
            return False
        try:
            await bot.edit_message_text(
                chunks[0],
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_LINK_PREVIEW,
            )
        except BadRequest as exc:
            logger.info("Could not edit the check card (%s)", exc.message)
            return False
        return True

    async def _close_keyboard(self, bot: Bot, chat_id: int, message_id: int) -> bool:
        """Remove the keyboard of a message. False when it was already gone: the button was pressed
        before, and acting again would send its payload twice."""
        try:
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return False
            logger.info("Could not remove a keyboard (%s)", exc.message)
        return True

    async def _delete_data(self, bot: Bot, chat_id: int, language: Language) -> None:
        async with self._typing(bot, chat_id):
            outcome = await self.privacy.delete_conversation(self.sender_id(chat_id))
        key = {
            DeletionOutcome.DELETED: Text.DELETE_DONE,
            DeletionOutcome.NOTHING_STORED: Text.DELETE_NOTHING_STORED,
            DeletionOutcome.FAILED: Text.DELETE_FAILED,
        }[outcome]
        await bot.send_message(chat_id, self.strings.text(key, language))

    async def _decline_group(self, bot: Bot, chat_id: int, language: Language) -> None:
        try:
            await bot.send_message(chat_id, self.strings.text(Text.GROUP_DECLINED, language))
        except TelegramError as exc:  # e.g. not allowed to write there: leave anyway
            logger.info("Could not say goodbye to a group (%s)", type(exc).__name__)
        await bot.leave_chat(chat_id)
