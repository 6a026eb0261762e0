"""The bridge end to end: long polling the fake Telegram Bot API, talking to a fake Rasa and API.

Each test plays a pupil in the fake Telegram and checks what the bot did there and what reached
Rasa. The fakes are real HTTP servers, so python-telegram-bot, the rate limiter, the retries and
the HTTP clients all run as in production.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from telegram import Update

from bot.channels.message_limits import MAX_MESSAGE_CHARS
from bot.channels.telegram.app import BotApplication, running_bridge
from bot.channels.telegram.strings import Language, Text, load_strings
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.conftest import OTHER_PUPIL, PUPIL, SettingsFactory, pseudonym, token
from tests.channels.telegram.fake_backends import CHART_PNG, RESULT_PDF, FakeApi, FakeRasa

STRINGS = load_strings()
LONG_PAYLOAD = '/ask_pay{"profession":"anlagenmechaniker-fuer-sanitaer-heizungs-und-klimatechnik"}'
PAY_QUESTION = "Was verdient man als Anlagenmechaniker?"
PAY_REPLIES = [
    {
        "text": "Meinst du **Anlagenmechaniker/in für Sanitär-, Heizungs- und Klimatechnik**?",
        "buttons": [
            {"title": "Ja, genau", "payload": LONG_PAYLOAD},
            {"title": "Nein", "payload": "/deny"},
        ],
    }
]


def de(key: Text) -> str:
    return STRINGS.text(key, "de")


def en(key: Text) -> str:
    return STRINGS.text(key, "en")


async def wait_for_rasa(rasa: FakeRasa, telegram: FakeTelegram, count: int) -> None:
    await telegram.wait_for(lambda: len(rasa.received()) >= count, what=f"{count} message(s) at Rasa")


# -- conversation ---------------------------------------------------------------------------------


async def test_a_message_goes_to_rasa_and_the_answer_comes_back(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies["Hallo"] = [{"text": "Hallo! Ich bin **Berufslotse**."}]
    telegram.send_text(PUPIL, "Hallo")
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == "Hallo! Ich bin Berufslotse."
    assert message["entities"] == [{"type": "bold", "offset": 15, "length": 11}]
    [request] = rasa.received()
    assert request.message == "Hallo"
    assert request.metadata == {"channel": "telegram", "language_code": "de", "delivery_token": token(PUPIL)}
    # "typing..." while Rasa worked, before the answer
    methods = [call.method for call in telegram.calls() if call.method in {"sendChatAction", "sendMessage"}]
    assert methods[:2] == ["sendChatAction", "sendMessage"]
    assert telegram.calls("sendChatAction")[0].params["action"] == "typing"


async def test_buttons_become_a_keyboard_and_a_press_sends_the_payload(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies[PAY_QUESTION] = PAY_REPLIES
    rasa.replies[LONG_PAYLOAD] = [{"text": "Im 1. Ausbildungsjahr etwa 1.000 € im Monat."}]
    telegram.send_text(PUPIL, PAY_QUESTION)
    [question] = await telegram.wait_for_messages(PUPIL, 1)
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [["Ja, genau", "Nein"]]
    assert all(len(button["callback_data"].encode()) <= 64 for row in keyboard for button in row)

    query_id = telegram.press_button(PUPIL, question["message_id"], "Ja, genau")
    messages = await telegram.wait_for_messages(PUPIL, 2)

    assert telegram.answered(query_id)
    assert "reply_markup" not in messages[0]  # closed: cannot be pressed twice
    assert rasa.messages() == [PAY_QUESTION, LONG_PAYLOAD]
    assert messages[1]["text"] == "Im 1. Ausbildungsjahr etwa 1.000 € im Monat."
    order = [call.method for call in telegram.calls() if call.method != "getUpdates"]
    assert order.index("answerCallbackQuery") < order.index("editMessageReplyMarkup")


async def test_a_second_press_before_the_keyboard_closed_is_ignored(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies[PAY_QUESTION] = PAY_REPLIES
    telegram.send_text(PUPIL, PAY_QUESTION)
    [question] = await telegram.wait_for_messages(PUPIL, 1)
    first = telegram.press_button(PUPIL, question["message_id"], "Ja, genau")
    second = telegram.press_button(PUPIL, question["message_id"], "Nein")
    await telegram.wait_for(
        lambda: telegram.answered(first) and telegram.answered(second), what="both answers"
    )
    await telegram.wait_for_messages(PUPIL, 2)
    await wait_for_rasa(rasa, telegram, 2)
    assert rasa.messages() == [PAY_QUESTION, LONG_PAYLOAD]
    assert len(telegram.messages(PUPIL)) == 2


async def test_a_keyboard_still_works_after_the_bridge_restarted(
    make_settings: SettingsFactory, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies[PAY_QUESTION] = PAY_REPLIES
    settings = make_settings()
    async with running_bridge(settings):
        telegram.send_text(PUPIL, PAY_QUESTION)
        [question] = await telegram.wait_for_messages(PUPIL, 1)
    async with running_bridge(settings):
        telegram.press_button(PUPIL, question["message_id"], "Ja, genau")
        await telegram.wait_for_messages(PUPIL, 2)
    assert rasa.messages() == [PAY_QUESTION, LONG_PAYLOAD]


async def test_an_unknown_button_gets_a_friendly_answer(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies[PAY_QUESTION] = PAY_REPLIES
    telegram.send_text(PUPIL, PAY_QUESTION)
    [question] = await telegram.wait_for_messages(PUPIL, 1)
    # A keyboard whose payload store was lost, or data from a modified app.
    query_id = telegram.press_callback_data(PUPIL, question["message_id"], "h:AAAAAAAAAAAAAAAAAAAAAA")
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert telegram.answered(query_id)
    assert "reply_markup" not in messages[0]
    assert messages[1]["text"] == de(Text.BUTTON_EXPIRED)
    assert rasa.messages() == [PAY_QUESTION]


# -- images and long texts ----------------------------------------------------------------------


async def test_an_image_is_downloaded_and_sent_as_a_photo_with_caption(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies["Zeig mir mein Ergebnis"] = [
        {"text": "Das passt zu dir: **Handwerk**"},
        {"image": rasa.image_url("chart.png")},
    ]
    telegram.send_text(PUPIL, "Zeig mir mein Ergebnis")
    [photo] = await telegram.wait_for_messages(PUPIL, 1)
    assert photo["caption"] == "Das passt zu dir: Handwerk"
    assert photo["caption_entities"] == [{"type": "bold", "offset": 18, "length": 8}]
    [call] = [call for call in telegram.calls("sendPhoto") if call.status == 200]
    assert call.files["photo"].content == CHART_PNG  # uploaded bytes, not a URL Telegram cannot reach
    assert call.files["photo"].filename == "image.png"
    assert "upload_photo" in [call.params["action"] for call in telegram.calls("sendChatAction")]


@pytest.mark.parametrize("name", ["missing.png", "page.html"])
async def test_an_image_that_cannot_be_fetched_leaves_the_words_and_a_note(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, name: str
) -> None:
    rasa.replies["Ergebnis"] = [{"text": "Dein Ergebnis:"}, {"image": rasa.image_url(name)}]
    telegram.send_text(PUPIL, "Ergebnis")
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert [message["text"] for message in messages] == ["Dein Ergebnis:", de(Text.IMAGE_UNAVAILABLE)]
    assert telegram.calls("sendPhoto") == []


async def test_the_result_pdf_is_downloaded_and_sent_as_a_document(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    """actions/share.py sends {"document": {...}}: the pupil gets the file, not a link."""
    rasa.replies["als pdf"] = [
        {"text": "Hier ist dein Ergebnis als PDF."},
        {"custom": {"document": {"url": rasa.image_url("result.pdf"), "filename": "mein-ergebnis.pdf"}}},
    ]
    telegram.send_text(PUPIL, "als pdf")
    text, document = await telegram.wait_for_messages(PUPIL, 2)
    assert text["text"] == "Hier ist dein Ergebnis als PDF."
    assert document["document"]["file_name"] == "mein-ergebnis.pdf"
    [call] = [call for call in telegram.calls("sendDocument") if call.status == 200]
    assert call.files["document"].content == RESULT_PDF
    assert "upload_document" in [call.params["action"] for call in telegram.calls("sendChatAction")]


@pytest.mark.parametrize("name", ["missing.pdf", "chart.png"])
async def test_a_document_that_cannot_be_fetched_leaves_a_note(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, name: str
) -> None:
    rasa.replies["als pdf"] = [{"custom": {"document": {"url": rasa.image_url(name), "filename": "x.pdf"}}}]
    telegram.send_text(PUPIL, "als pdf")
    [note] = await telegram.wait_for_messages(PUPIL, 1)
    assert note["text"] == de(Text.DOCUMENT_UNAVAILABLE)
    assert telegram.calls("sendDocument") == []


async def test_a_long_text_is_split_into_several_messages(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    paragraphs = [f"Absatz {number}: " + "Das lernst du in der Ausbildung. " * 40 for number in range(10)]
    long_text = "\n\n".join(paragraphs)
    assert len(long_text) > 3 * 4096
    rasa.replies["Erzähl alles"] = [{"text": long_text, "buttons": [{"title": "Danke", "payload": "/thank"}]}]
    telegram.send_text(PUPIL, "Erzähl alles")
    await telegram.wait_for(lambda: len(telegram.calls("sendMessage")) >= 4, what="the split message")
    messages = telegram.messages(PUPIL)
    assert len(messages) == 4
    assert all(len(message["text"]) <= 4096 for message in messages)
    assert all(message["text"].startswith("Absatz ") for message in messages)  # split between paragraphs
    assert " ".join(message["text"] for message in messages).split() == long_text.split()
    assert ["reply_markup" in message for message in messages] == [False, False, False, True]


async def test_html_from_rasa_is_shown_as_text(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.default = [{"text": "Du hast <script>alert(1)</script> & <b>so</b> geschrieben."}]
    telegram.send_text(PUPIL, "<script>alert(1)</script> & <b>so</b>")
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == "Du hast <script>alert(1)</script> & <b>so</b> geschrieben."
    assert "entities" not in message


# -- commands ------------------------------------------------------------------------------------


async def test_commands_are_in_the_menu_in_german_and_english(
    bridge: BotApplication, telegram: FakeTelegram
) -> None:
    expected: list[tuple[str, Language]] = [("de", "de"), ("en", "en"), ("", "de")]
    for language_code, language in expected:
        commands = telegram.commands[("all_private_chats", language_code)]
        assert [(command["command"], command["description"]) for command in commands] == STRINGS.menu(
            language
        )
    assert telegram.commands[("all_private_chats", "en")][1] == {
        "command": "hilfe",
        "description": "What can I ask you?",
    }


async def test_start_with_a_deep_link_passes_the_parameter_as_metadata(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    telegram.send_command(PUPIL, "/start klasse-9b_2025", language_code="en-GB")
    telegram.send_command(OTHER_PUPIL, "/start")
    await wait_for_rasa(rasa, telegram, 2)
    by_sender = {request.sender: request for request in rasa.received()}
    with_link = by_sender[pseudonym(PUPIL)]
    assert with_link.message == "/greet"
    assert with_link.metadata == {
        "channel": "telegram",
        "language_code": "en-GB",
        "start_parameter": "klasse-9b_2025",
        "delivery_token": token(PUPIL),
    }
    assert by_sender[pseudonym(OTHER_PUPIL)].metadata == {
        "channel": "telegram",
        "language_code": "de",
        "delivery_token": token(OTHER_PUPIL),
    }


async def test_a_class_link_joins_the_class(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    telegram.send_command(PUPIL, "/start K7M4QX")
    telegram.send_command(OTHER_PUPIL, "/start k7m4qx0")  # not a class code: a plain greeting
    await wait_for_rasa(rasa, telegram, 2)
    by_sender = {request.sender: request for request in rasa.received()}
    assert by_sender[pseudonym(PUPIL)].message == '/join_class{"class_code":"K7M4QX"}'
    assert by_sender[pseudonym(PUPIL)].metadata["start_parameter"] == "K7M4QX"
    assert by_sender[pseudonym(OTHER_PUPIL)].message == "/greet"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("/hilfe", "/help"),
        ("/neustart", "/restart"),
        ("/sprache", "/switch_language"),
        ("/meine_daten", "/ask_privacy"),
        ("/einfach", '/switch_language{"easy_language":"true"}'),
        ("/normal", '/switch_language{"easy_language":"false"}'),
        ("/help@berufslotse_test_bot", "/help"),
    ],
)
async def test_menu_commands_become_messages_rasa_understands(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, command: str, message: str
) -> None:
    rasa.replies[message] = [{"text": f"Antwort auf {message}"}]
    telegram.send_command(PUPIL, command)
    [answer] = await telegram.wait_for_messages(PUPIL, 1)
    assert rasa.messages() == [message]
    assert answer["text"] == f"Antwort auf {message}"


@pytest.mark.parametrize("command", ["/unbekannt", '/ask_pay{"profession":"florist"}'])
async def test_unknown_commands_show_the_menu_and_never_reach_rasa(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, command: str
) -> None:
    telegram.send_command(PUPIL, command)
    [answer] = await telegram.wait_for_messages(PUPIL, 1)
    assert answer["text"] == de(Text.UNKNOWN_COMMAND)
    assert "/daten_loeschen" in answer["text"]
    assert rasa.received() == []


# -- privacy -------------------------------------------------------------------------------------


async def test_rasa_never_sees_a_chat_id(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.replies[PAY_QUESTION] = PAY_REPLIES
    telegram.send_command(PUPIL, "/start")
    telegram.send_text(PUPIL, PAY_QUESTION)
    telegram.send_text(OTHER_PUPIL, "Hallo")
    await telegram.wait_for_messages(PUPIL, 2)
    [question] = [message for message in telegram.messages(PUPIL) if "reply_markup" in message]
    telegram.press_button(PUPIL, question["message_id"], "Nein")
    await wait_for_rasa(rasa, telegram, 4)

    received = rasa.received()
    assert {request.sender for request in received} == {pseudonym(PUPIL), pseudonym(OTHER_PUPIL)}
    assert pseudonym(PUPIL) != pseudonym(OTHER_PUPIL)
    for request in received:
        for chat_id in (PUPIL, OTHER_PUPIL):
            assert str(chat_id).encode() not in request.raw
        assert set(request.metadata) <= {"channel", "language_code", "start_parameter", "delivery_token"}
        # the delivery token hides the chat id from Rasa: only the bridge can read it
        assert request.metadata["delivery_token"] == token(
            PUPIL if request.sender == pseudonym(PUPIL) else OTHER_PUPIL
        )


async def test_deleting_my_data_after_confirming(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, api: FakeApi
) -> None:
    telegram.send_command(PUPIL, "/daten_loeschen")
    [confirm] = await telegram.wait_for_messages(PUPIL, 1)
    assert confirm["text"] == de(Text.DELETE_CONFIRM)
    titles = [button["text"] for row in confirm["reply_markup"]["inline_keyboard"] for button in row]
    assert titles == [de(Text.DELETE_CONFIRM_YES), de(Text.DELETE_CONFIRM_NO)]
    assert api.deleted() == []  # nothing happens before the pupil confirms

    query_id = telegram.press_button(PUPIL, confirm["message_id"], de(Text.DELETE_CONFIRM_YES))
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert telegram.answered(query_id)
    assert "reply_markup" not in messages[0]
    assert messages[1]["text"] == de(Text.DELETE_DONE)
    assert api.deleted() == [pseudonym(PUPIL)]
    assert api.authorization() == [None]
    assert rasa.received() == []


async def test_deleting_can_be_cancelled(
    bridge: BotApplication, telegram: FakeTelegram, api: FakeApi
) -> None:
    telegram.send_command(PUPIL, "/daten_loeschen", language_code="en")
    [confirm] = await telegram.wait_for_messages(PUPIL, 1)
    telegram.press_button(PUPIL, confirm["message_id"], en(Text.DELETE_CONFIRM_NO))
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert messages[1]["text"] == en(Text.DELETE_CANCELLED)
    assert api.authorization() == []


@pytest.mark.parametrize(
    ("mode", "answer"),
    [
        ("unknown", Text.DELETE_NOTHING_STORED),
        ("missing_route", Text.DELETE_FAILED),  # an API without the endpoint deleted nothing
        ("error", Text.DELETE_FAILED),
    ],
)
async def test_deleting_tells_the_truth_when_the_api_cannot_delete(
    bridge: BotApplication, telegram: FakeTelegram, api: FakeApi, mode: str, answer: Text
) -> None:
    api.mode = mode  # type: ignore[assignment]
    telegram.send_command(PUPIL, "/daten_loeschen")
    [confirm] = await telegram.wait_for_messages(PUPIL, 1)
    telegram.press_button(PUPIL, confirm["message_id"], de(Text.DELETE_CONFIRM_YES))
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert messages[1]["text"] == de(answer)


async def test_deleting_when_the_api_is_down(
    make_settings: SettingsFactory, telegram: FakeTelegram, unused_tcp_port: int
) -> None:
    async with running_bridge(
        make_settings(api_url=f"http://127.0.0.1:{unused_tcp_port}", api_token="t0ken")
    ):
        telegram.send_command(PUPIL, "/daten_loeschen")
        [confirm] = await telegram.wait_for_messages(PUPIL, 1)
        telegram.press_button(PUPIL, confirm["message_id"], de(Text.DELETE_CONFIRM_YES))
        messages = await telegram.wait_for_messages(PUPIL, 2)
    assert messages[1]["text"] == de(Text.DELETE_FAILED)


async def test_the_api_token_is_sent_when_configured(
    make_settings: SettingsFactory, telegram: FakeTelegram, api: FakeApi
) -> None:
    async with running_bridge(make_settings(api_token="t0ken")):
        telegram.send_command(PUPIL, "/daten_loeschen")
        [confirm] = await telegram.wait_for_messages(PUPIL, 1)
        telegram.press_button(PUPIL, confirm["message_id"], de(Text.DELETE_CONFIRM_YES))
        await telegram.wait_for_messages(PUPIL, 2)
    assert api.authorization() == ["Bearer t0ken"]


# -- robustness ----------------------------------------------------------------------------------


@pytest.mark.parametrize("outage", ["error", "slow"])
async def test_a_rasa_outage_is_answered_kindly_and_the_bridge_carries_on(
    make_settings: SettingsFactory, telegram: FakeTelegram, rasa: FakeRasa, outage: str
) -> None:
    rasa.mode = outage  # type: ignore[assignment]
    rasa.slow_seconds = 2.0
    async with running_bridge(make_settings(rasa_timeout_seconds=0.5)):
        telegram.send_text(PUPIL, "Hallo?")
        [sorry] = await telegram.wait_for_messages(PUPIL, 1)
        assert sorry["text"] == de(Text.RASA_UNAVAILABLE)
        rasa.mode = "normal"
        telegram.send_text(PUPIL, "Jetzt?")
        messages = await telegram.wait_for_messages(PUPIL, 2)
    assert messages[1]["text"] == "Alles klar."


async def test_rasa_not_running_at_all(
    make_settings: SettingsFactory, telegram: FakeTelegram, unused_tcp_port: int
) -> None:
    async with running_bridge(make_settings(rasa_url=f"http://127.0.0.1:{unused_tcp_port}")):
        telegram.send_text(PUPIL, "Hallo?", language_code="en")
        [sorry] = await telegram.wait_for_messages(PUPIL, 1)
    assert sorry["text"] == en(Text.RASA_UNAVAILABLE)


async def test_a_429_from_telegram_is_retried_after_retry_after(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    telegram.fail_next(1, method="sendMessage", retry_after=1)
    started = time.monotonic()
    telegram.send_text(PUPIL, "Hallo")
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == "Alles klar."
    assert [call.status for call in telegram.calls("sendMessage")] == [429, 200]
    assert time.monotonic() - started >= 1.0


async def test_network_errors_are_retried_with_backoff(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    telegram.fail_next(2, method="sendMessage", status=502)
    telegram.send_text(PUPIL, "Hallo")
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == "Alles klar."
    assert [call.status for call in telegram.calls("sendMessage")] == [502, 502, 200]


async def test_a_refused_request_is_not_retried_and_logged_without_personal_data(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret_text = "Ich heiße Lea Beispiel und wohne in Bramsche"
    telegram.fail_next(
        1, method="sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    telegram.send_text(PUPIL, secret_text)
    await telegram.wait_for(lambda: bool(telegram.calls("sendMessage")), what="the refused answer")
    await telegram.wait_for(
        lambda: any("update failed" in record.getMessage() for record in caplog.records), what="the error log"
    )
    telegram.send_text(PUPIL, "Noch da?")  # the bridge keeps going
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == "Alles klar."
    assert [call.status for call in telegram.calls("sendMessage")] == [403, 200]
    [error] = [record for record in caplog.records if "update failed" in record.getMessage()]
    assert "Forbidden" in error.getMessage()
    for record in caplog.records:
        logged = record.getMessage() + (record.exc_text or "")
        assert str(PUPIL) not in logged
        assert "Lea" not in logged and "Bramsche" not in logged


async def test_a_bug_in_the_bridge_is_logged_without_personal_data_and_the_pupil_hears_from_us(
    bridge: BotApplication, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    message = telegram.send_text(PUPIL, "Ich heiße Lea Beispiel")
    await telegram.wait_for_messages(PUPIL, 1)
    update = Update.de_json({"update_id": 1, "message": message}, bridge.bot)
    try:
        raise RuntimeError(f"could not handle {message['text']!r} from {PUPIL}")
    except RuntimeError as exc:
        await bridge.process_error(update, exc)
    [log] = [record for record in caplog.records if "update failed" in record.getMessage()]
    assert "Handling a message update failed: RuntimeError" in log.getMessage()
    assert "test_bridge.py" in log.getMessage()  # where it failed
    for record in caplog.records:
        logged = record.getMessage() + (record.exc_text or "")
        assert str(PUPIL) not in logged and "Lea" not in logged
    messages = await telegram.wait_for_messages(PUPIL, 2)
    assert messages[1]["text"] == de(Text.RASA_UNAVAILABLE)


async def test_html_refused_by_telegram_falls_back_to_plain_text(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.default = [{"text": "Das ist **wichtig**."}]
    telegram.fail_next(
        1, method="sendMessage", status=400, description="Bad Request: can't parse entities: unexpected"
    )
    telegram.send_text(PUPIL, "Hallo")
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == "Das ist wichtig."
    assert "entities" not in message
    assert [call.params.get("parse_mode") for call in telegram.calls("sendMessage")] == ["HTML", None]


async def test_one_chat_in_order_other_chats_do_not_wait(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    rasa.delays["erste Frage"] = 1.0
    rasa.replies["erste Frage"] = [{"text": "erste Antwort"}]
    rasa.replies["zweite Frage"] = [{"text": "zweite Antwort"}]
    rasa.replies["andere Frage"] = [{"text": "andere Antwort"}]
    telegram.send_text(PUPIL, "erste Frage")
    telegram.send_text(PUPIL, "zweite Frage")
    await wait_for_rasa(rasa, telegram, 1)
    telegram.send_text(OTHER_PUPIL, "andere Frage")
    await telegram.wait_for_messages(PUPIL, 2)
    assert telegram.texts(PUPIL) == ["erste Antwort", "zweite Antwort"]
    assert rasa.messages() == ["erste Frage", "andere Frage", "zweite Frage"]
    assert telegram.texts(OTHER_PUPIL) == ["andere Antwort"]


# -- other chats and other kinds of messages ----------------------------------------------------


async def test_group_chats_are_declined_politely(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    group = -100_123_456
    telegram.send_group_text(group, "/start@berufslotse_test_bot")
    [goodbye] = await telegram.wait_for_messages(group, 1)
    assert goodbye["text"] == de(Text.GROUP_DECLINED)
    await telegram.wait_for(lambda: telegram.has_left(group), what="leaving the group")

    other_group = -100_654_321
    telegram.add_bot_to_group(other_group, language_code="en")
    [goodbye] = await telegram.wait_for_messages(other_group, 1)
    assert goodbye["text"] == en(Text.GROUP_DECLINED)
    await telegram.wait_for(lambda: telegram.has_left(other_group), what="leaving the other group")
    assert rasa.received() == []


@pytest.mark.parametrize(
    ("send", "answer"),
    [
        (FakeTelegram.send_sticker, Text.STICKER_RECEIVED),
        (FakeTelegram.send_voice, Text.VOICE_RECEIVED),
        (FakeTelegram.send_photo, Text.MEDIA_RECEIVED),
    ],
)
async def test_stickers_voice_and_photos_are_answered_kindly(
    bridge: BotApplication,
    telegram: FakeTelegram,
    rasa: FakeRasa,
    send: Callable[[FakeTelegram, int], object],
    answer: Text,
) -> None:
    send(telegram, PUPIL)
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == de(answer)
    assert rasa.received() == []


async def test_english_apps_get_the_english_table(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    telegram.send_sticker(PUPIL, language_code="en-US")
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == en(Text.STICKER_RECEIVED)


async def test_updates_are_confirmed_so_a_restart_does_not_repeat_them(
    make_settings: SettingsFactory, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    settings = make_settings()
    async with running_bridge(settings):
        telegram.send_text(PUPIL, "Hallo")
        await telegram.wait_for_messages(PUPIL, 1)
    assert telegram.pending_updates() == 0
    async with running_bridge(settings):
        telegram.send_text(PUPIL, "Und?")
        await telegram.wait_for_messages(PUPIL, 2)
    assert rasa.messages() == ["Hallo", "Und?"]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Was macht ein Tischler? " * 50, Text.MESSAGE_TOO_LONG),
        ("a" * (MAX_MESSAGE_CHARS + 1), Text.MESSAGE_TOO_LONG),
        ("hallo\x00\x07", Text.MESSAGE_UNREADABLE),
    ],
)
async def test_messages_nlu_cannot_take_are_answered_kindly_and_never_reach_rasa(
    bridge: BotApplication,
    telegram: FakeTelegram,
    rasa: FakeRasa,
    caplog: pytest.LogCaptureFixture,
    text: str,
    answer: Text,
) -> None:
    caplog.set_level(logging.INFO)  # the bridge's level; below it the HTTP libraries log bodies
    telegram.send_text(PUPIL, text)
    [message] = await telegram.wait_for_messages(PUPIL, 1)
    assert message["text"] == de(answer)
    assert rasa.received() == []
    assert "Answered a message without Rasa" in caplog.text
    assert text not in caplog.text and str(PUPIL) not in caplog.text


async def test_a_message_at_the_limit_goes_to_rasa(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa
) -> None:
    text = "a" * MAX_MESSAGE_CHARS
    telegram.send_text(PUPIL, text)
    await wait_for_rasa(rasa, telegram, 1)
    assert [request.message for request in rasa.received()] == [text]


def test_the_too_long_text_names_the_limit() -> None:
    assert f"{MAX_MESSAGE_CHARS} Zeichen" in de(Text.MESSAGE_TOO_LONG)
    assert f"{MAX_MESSAGE_CHARS} characters" in en(Text.MESSAGE_TOO_LONG)


# -- a small fuzz run through the bridge --------------------------------------------------------------

FUZZ_COMMANDS = [  # typed payloads: Telegram marks "/greet" as a command, so the bridge shows the menu
    '/greet{"detected_language":{"a":1}}',
    '/ask_tasks{"profession_query":"<script>alert(1)</script>"}',
]
FUZZ_TEXTS = [
    "x" * 4096,  # Telegram's own maximum
    "hallo\x00\x01\x1b[2J",
    '/{"profession_query":"<script>alert(1)</script>"}',  # not a command for Telegram: slashes go
    "<b>fett</b> & <i>kursiv</i>",
    "🙂" * 300,
    "hallo\u200b\u202e",
    "   .   ",
]


async def test_a_fuzz_run_through_the_bridge_answers_everything_and_it_keeps_working(
    bridge: BotApplication, telegram: FakeTelegram, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for command in FUZZ_COMMANDS:
        telegram.send_command(PUPIL, command)
    for text in FUZZ_TEXTS:
        telegram.send_text(PUPIL, text)
    sent = len(FUZZ_COMMANDS) + len(FUZZ_TEXTS)
    answers = await telegram.wait_for_messages(PUPIL, sent)
    assert all(answer.get("text") for answer in answers)
    # Rasa never saw a typed payload, nor the two messages NLU cannot take (too long, unreadable)
    assert not any(request.message.startswith("/") for request in rasa.received())
    assert len(rasa.received()) == len(FUZZ_TEXTS) - 2
    rasa.replies["Hallo"] = [{"text": "Hallo! Ich bin Berufslotse."}]
    telegram.send_text(PUPIL, "Hallo")
    answers = await telegram.wait_for_messages(PUPIL, sent + 1)
    assert answers[-1]["text"] == "Hallo! Ich bin Berufslotse."
    for text in FUZZ_COMMANDS + FUZZ_TEXTS:
        assert text not in caplog.text
    assert str(PUPIL) not in caplog.text
