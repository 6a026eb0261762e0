"""The check on Telegram as one card: the next question edits the message the pupil answered on
(docs/widget_messages.md), against the fake Bot API; and the result's chart stays a photo."""

from __future__ import annotations

import json
from typing import Any

from bot.channels.telegram.app import BotApplication
from bot.channels.telegram.rasa import RasaButton, RasaReply
from bot.channels.telegram.replies import CheckCard, OutgoingText, card_text, plan_messages
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.conftest import PUPIL
from tests.channels.telegram.fake_backends import CHART_PNG, FakeRasa

SCALE = ["😖 gar nicht", "🙁 eher nicht", "😐 weiß nicht", "🙂 eher ja", "😍 sehr gern"]
LINKS = ["⏭️ überspringen", "↩️ zurück", "⏸️ Pause"]
ITEMS = ["Holz bearbeiten", "Kranke Menschen pflegen"]


def payload(item: int, value: str) -> str:
    return "/check_answer" + json.dumps({"check_choice": f"i{item}:{value}"}, separators=(",", ":"))


def check_item(item: int) -> list[dict[str, Any]]:
    """Item `item` as the check action sends it: text and styled buttons, then the card."""
    buttons = [
        {"title": title, "payload": payload(item, str(value)), "style": "scale"}
        for value, title in enumerate(SCALE, start=1)
    ] + [
        {"title": title, "payload": payload(item, name), "style": "link"}
        for name, title in zip(("skip", "back", "pause"), LINKS, strict=True)
    ]
    text = f"{item + 1}/{len(ITEMS)} · Würdest du das gern machen?\n👉 {ITEMS[item]}"
    card = {"berufslotse": "card", "card": "check_item", "position": item + 1, "total": len(ITEMS)}
    return [{"text": text, "buttons": buttons}, {"custom": card}]


def test_a_check_item_is_planned_as_one_card_with_a_progress_bar_and_a_legend() -> None:
    replies = [
        RasaReply(text="Los geht's!"),
        RasaReply(text="2/4 · Frage", buttons=(RasaButton("😖 gar nicht", "/a", style="scale"),)),
        RasaReply(custom={"berufslotse": "card", "card": "check_item", "position": 2, "total": 4}),
    ]
    planned = plan_messages(replies)
    assert planned[0] == OutgoingText("Los geht's!")
    card = planned[1]
    assert isinstance(card, CheckCard) and (card.position, card.total) == (2, 4)
    assert card_text(card).split("\n") == ["▰▰▱▱▱▱▱▱▱▱", "2/4 · Frage", "😖 gar nicht"]
    # a card that does not follow a text, or a broken one, changes nothing
    assert plan_messages([RasaReply(custom={"berufslotse": "card", "card": "check_item"})]) == []
    assert plan_messages([RasaReply(text="x"), RasaReply(custom={"berufslotse": "card"})]) == [
        OutgoingText("x")
    ]


async def test_the_next_question_edits_the_card_in_place(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies["Test"] = check_item(0)
    for value in ("5", "skip"):
        rasa.replies[payload(0, value)] = check_item(1)
    rasa.replies[payload(1, "3")] = [
        {"text": "Geschafft! Hier ist dein Ergebnis."},
        {"image": rasa.image_url("chart.png")},
    ]
    telegram.send_text(PUPIL, "Test")
    [card] = await telegram.wait_for_messages(PUPIL, 1)
    keyboard = card["reply_markup"]["inline_keyboard"]
    # the five faces in one row, the commands in a row of their own
    assert [[button["text"] for button in row] for row in keyboard] == [
        ["😖", "🙁", "😐", "🙂", "😍"],
        LINKS,
    ]
    assert card["text"].startswith("▱▱▱▱▱▱▱▱▱▱\n1/2 · Würdest du das gern machen?")
    assert card["text"].endswith(" · ".join(SCALE))

    telegram.press_button(PUPIL, card["message_id"], "😍")
    await telegram.wait_for(lambda: len(telegram.calls("editMessageText")) == 1, what="the card edited")
    [same] = telegram.messages(PUPIL)  # no new message: the card changed
    assert same["message_id"] == card["message_id"]
    assert "Kranke Menschen pflegen" in same["text"]
    assert same["text"].startswith("▰▰▰▰▰▱▱▱▱▱\n2/2")
    assert [button["text"] for button in same["reply_markup"]["inline_keyboard"][0]] == [
        "😖",
        "🙁",
        "😐",
        "🙂",
        "😍",
    ]
    assert rasa.messages() == ["Test", payload(0, "5")]

    # the last answer: the result comes as new messages, the chart as a photo
    telegram.press_button(PUPIL, card["message_id"], "😐")
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert "reply_markup" not in messages[0]  # the answered card cannot be pressed again
    assert messages[1]["caption"] == "Geschafft! Hier ist dein Ergebnis."
    [call] = [call for call in telegram.calls("sendPhoto") if call.status == 200]
    assert call.files["photo"].content == CHART_PNG


async def test_a_question_after_typed_text_is_a_new_card(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies["Test"] = check_item(0)
    rasa.replies["ja"] = check_item(1)
    telegram.send_text(PUPIL, "Test")
    await telegram.wait_for_messages(PUPIL, 1)
    telegram.send_text(PUPIL, "ja")  # typed, not pressed: the card above stays, a new one comes
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert "Kranke Menschen pflegen" in messages[1]["text"]
    assert telegram.calls("editMessageText") == []
