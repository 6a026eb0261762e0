"""Which Telegram messages Rasa's replies become."""

from __future__ import annotations

from bot.channels.telegram.rasa import RasaButton, RasaReply, parse_replies
from bot.channels.telegram.replies import OutgoingPhoto, OutgoingText, plan_messages

CHART = "http://127.0.0.1:8000/charts/abc.png"
BUTTONS = (RasaButton("Ja", payload="/affirm"), RasaButton("Nein", payload="/deny"))


def test_a_text_followed_by_its_image_becomes_a_photo_with_caption() -> None:
    replies = parse_replies(
        [
            {"recipient_id": "x", "text": "Das passt zu dir:"},
            {"recipient_id": "x", "image": CHART},
            {"recipient_id": "x", "text": "Noch Fragen?", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
        ]
    )
    assert plan_messages(replies) == [
        OutgoingPhoto(CHART, caption="Das passt zu dir:"),
        OutgoingText("Noch Fragen?", (RasaButton("Ja", payload="/affirm"),)),
    ]


def test_a_text_with_buttons_keeps_them_and_the_image_comes_alone() -> None:
    replies = [RasaReply(text="Frage?", buttons=BUTTONS), RasaReply(image=CHART)]
    assert plan_messages(replies) == [OutgoingText("Frage?", BUTTONS), OutgoingPhoto(CHART)]


def test_a_text_too_long_for_a_caption_stays_a_message() -> None:
    long_text = "Wort " * 300
    assert plan_messages([RasaReply(text=long_text), RasaReply(image=CHART)]) == [
        OutgoingText(long_text),
        OutgoingPhoto(CHART),
    ]
    assert plan_messages([RasaReply(text=long_text, image=CHART)]) == [
        OutgoingText(long_text),
        OutgoingPhoto(CHART),
    ]


def test_buttons_without_text_join_the_message_before() -> None:
    assert plan_messages([RasaReply(text="Und jetzt?"), RasaReply(buttons=BUTTONS)]) == [
        OutgoingText("Und jetzt?", BUTTONS)
    ]
    assert plan_messages([RasaReply(buttons=BUTTONS)]) == []


def test_unusable_entries_are_skipped() -> None:
    replies = parse_replies(
        [
            "text",
            {"recipient_id": "x"},
            {"recipient_id": "x", "text": "  "},
            {
                "recipient_id": "x",
                "text": "ok",
                "buttons": [{"title": ""}, {"payload": "/x"}, {"title": "T", "payload": "/t"}],
            },
            {"recipient_id": "x", "custom": {"chart": 1}},
        ]
    )
    assert replies == [
        RasaReply(text="ok", buttons=(RasaButton("T", payload="/t"),)),
        RasaReply(custom={"chart": 1}),
    ]
    assert plan_messages(replies) == [OutgoingText("ok", (RasaButton("T", payload="/t"),))]
