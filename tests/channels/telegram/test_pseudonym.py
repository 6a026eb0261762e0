"""Rasa's sender id: a keyed hash of the chat id."""

from __future__ import annotations

from bot.channels.telegram.pseudonym import sender_id_for_chat


def test_sender_ids_are_keyed_hashes() -> None:
    first = sender_id_for_chat("secret-one-0123456789", 4242424242)
    assert first == sender_id_for_chat("secret-one-0123456789", 4242424242)
    assert first.startswith("tg-") and len(first) == 3 + 32
    assert "4242424242" not in first
    assert first != sender_id_for_chat("secret-one-0123456789", 4242424243)
    assert first != sender_id_for_chat("secret-two-0123456789", 4242424242)
