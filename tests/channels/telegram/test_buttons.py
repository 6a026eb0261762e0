"""Callback data within Telegram's 64 bytes, mapped back to Rasa's payload, across restarts."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram.buttons import (
    CALLBACK_DATA_LIMIT,
    BridgeAction,
    ButtonPayloadStore,
    CallbackCodec,
    RasaPayload,
    UnknownButton,
    bridge_callback_data,
    buttons_per_row,
    inline_keyboard,
    payload_key,
)
from bot.channels.telegram.rasa import RasaButton

LONG_PAYLOAD = '/ask_pay{"profession":"anlagenmechaniker-fuer-sanitaer-heizungs-und-klimatechnik"}'


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ButtonPayloadStore]:
    store = ButtonPayloadStore(tmp_path / "buttons.sqlite3", max_entries=100)
    await store.open()
    yield store
    await store.close()


async def test_short_payloads_travel_as_they_are(store: ButtonPayloadStore) -> None:
    codec = CallbackCodec(store)
    data = await codec.encode('/ask_pay{"profession":"florist"}')
    assert data == 'p:/ask_pay{"profession":"florist"}'
    assert await codec.decode(data) == RasaPayload('/ask_pay{"profession":"florist"}')


async def test_long_payloads_travel_as_a_short_hash(store: ButtonPayloadStore) -> None:
    codec = CallbackCodec(store)
    data = await codec.encode(LONG_PAYLOAD)
    assert len(LONG_PAYLOAD.encode()) > CALLBACK_DATA_LIMIT
    assert data.startswith("h:")
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert await codec.encode(LONG_PAYLOAD) == data  # deterministic: one row per payload
    assert await codec.decode(data) == RasaPayload(LONG_PAYLOAD)


async def test_the_mapping_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "buttons.sqlite3"
    first = ButtonPayloadStore(path, max_entries=100)
    await first.open()
    data = await CallbackCodec(first).encode(LONG_PAYLOAD)
    await first.close()

    second = ButtonPayloadStore(path, max_entries=100)
    await second.open()
    try:
        assert await CallbackCodec(second).decode(data) == RasaPayload(LONG_PAYLOAD)
    finally:
        await second.close()


async def test_the_store_is_bounded_and_forgets_the_least_recently_used(tmp_path: Path) -> None:
    path = tmp_path / "buttons.sqlite3"
    store = ButtonPayloadStore(path, max_entries=100)
    await store.open()
    codec = CallbackCodec(store)
    try:
        first = await codec.encode(LONG_PAYLOAD)
        for index in range(150):
            await codec.encode(f"{LONG_PAYLOAD}#{index}")
            if index % 10 == 0:
                assert await codec.decode(first) == RasaPayload(LONG_PAYLOAD)  # kept alive by use
        with sqlite3.connect(path) as connection:
            (count,) = connection.execute("SELECT count(*) FROM button_payloads").fetchone()
        assert count == 100
        assert await codec.decode(first) == RasaPayload(LONG_PAYLOAD)
        assert await codec.decode("h:" + payload_key(f"{LONG_PAYLOAD}#0")) == UnknownButton()
        assert await codec.decode("h:" + payload_key(f"{LONG_PAYLOAD}#149")) == RasaPayload(
            f"{LONG_PAYLOAD}#149"
        )
    finally:
        await store.close()


@pytest.mark.parametrize("data", [None, "", "h:unknownunknownunknown", "x:whatever", "b:format_disk", "p:"])
async def test_unknown_or_forged_data_is_recognised(store: ButtonPayloadStore, data: str | None) -> None:
    assert await CallbackCodec(store).decode(data) == UnknownButton()


async def test_the_bridges_own_buttons(store: ButtonPayloadStore) -> None:
    codec = CallbackCodec(store)
    for action in BridgeAction:
        assert await codec.decode(bridge_callback_data(action)) is action


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.text(min_size=1, max_size=300))
async def test_any_payload_fits_and_comes_back(store: ButtonPayloadStore, payload: str) -> None:
    codec = CallbackCodec(store)
    data = await codec.encode(payload)
    assert 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT
    assert await codec.decode(data) == RasaPayload(payload)


def test_short_answers_share_a_row() -> None:
    assert buttons_per_row(["Ja", "Nein"]) == 3
    assert buttons_per_row(["Was verdiene ich?", "Wie lange?"]) == 2
    assert buttons_per_row(["Anlagenmechaniker/in für Sanitär-, Heizungs- und Klimatechnik"]) == 1


async def test_keyboard_from_rasa_buttons(store: ButtonPayloadStore) -> None:
    buttons = [
        RasaButton("Was verdiene ich?", payload=LONG_PAYLOAD),
        RasaButton("Wie lange dauert es?", payload='/ask_duration{"profession":"florist"}'),
        RasaButton("BERUFENET", url="https://web.arbeitsagentur.de/berufenet/"),
    ]
    markup = await inline_keyboard(buttons, CallbackCodec(store))
    assert markup is not None
    rows = [[button.to_dict() for button in row] for row in markup.inline_keyboard]
    assert rows[0][0]["text"] == "Was verdiene ich?"
    assert rows[0][0]["callback_data"].startswith("h:")
    assert rows[0][1]["callback_data"] == 'p:/ask_duration{"profession":"florist"}'
    assert rows[1] == [{"text": "BERUFENET", "url": "https://web.arbeitsagentur.de/berufenet/"}]
    assert await inline_keyboard([], CallbackCodec(store)) is None
