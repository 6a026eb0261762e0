"""The fake Bot API itself, driven by a plain python-telegram-bot `Bot`: it must fail where Telegram
fails, or the bridge's tests would prove nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, RetryAfter

from tests.channels.fake_telegram import ApiError, FakeTelegram, parse_html
from tests.channels.telegram.conftest import PUPIL


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(telegram.token, base_url=f"{telegram.url}/bot") as bot:
        yield bot


@pytest.mark.parametrize(
    "html",
    [
        "a < b",
        "a > b",
        "Tom & Jerry",
        "<script>x</script>",
        "<b>offen",
        "<b><i>x</b></i>",
        "&nbsp;",
        '<a href="x">y</a>',
    ],
)
def test_html_that_telegram_refuses(html: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities"):
        parse_html(html)


def test_html_entities_and_offsets_in_utf16() -> None:
    text, entities = parse_html(
        '😀 <b>fett &amp; <i>kursiv</i></b> <a href="https://x.de/?a=1&amp;b=2">L</a> &lt;&#62;'
    )
    assert text == "😀 fett & kursiv L <>"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 13},
        {"type": "italic", "offset": 10, "length": 6},
        {"type": "text_link", "url": "https://x.de/?a=1&b=2", "offset": 17, "length": 1},
    ]


async def test_messages_are_checked_like_telegram_does(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.send_text(PUPIL, "Hallo")  # the chat exists once the pupil wrote
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(1, "Hallo")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(PUPIL, "x" * 4097)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(PUPIL, "a < b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
        await bot.send_message(PUPIL, "Hallo", reply_markup=too_long)
    sent = await bot.send_message(PUPIL, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(PUPIL, sent.message_id, reply_markup=None)


async def test_429_carries_retry_after(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.send_text(PUPIL, "Hallo")
    telegram.fail_next(1, method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(PUPIL, "Hallo")
    assert raised.value._retry_after.total_seconds() == 7
    await bot.send_message(PUPIL, "Hallo")  # only the next call failed


async def test_get_updates_honours_the_offset(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.send_text(PUPIL, "eins")
    telegram.send_text(PUPIL, "zwei")
    first, second = await bot.get_updates()
    assert [first.message.text, second.message.text] == ["eins", "zwei"]  # type: ignore[union-attr]
    assert [update.update_id for update in await bot.get_updates(offset=second.update_id)] == [
        second.update_id
    ]
    assert await bot.get_updates(offset=second.update_id + 1, timeout=0) == ()
    assert telegram.pending_updates() == 0


async def test_a_wrong_token_is_refused(telegram: FakeTelegram) -> None:
    bot = Bot("999:wrong", base_url=f"{telegram.url}/bot")
    try:
        with pytest.raises(InvalidToken, match="rejected"):
            await bot.initialize()  # getMe
    finally:
        await bot.shutdown()
