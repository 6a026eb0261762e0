"""Rasa's sender id for a Telegram chat: a keyed hash, so Rasa, the API and their logs never see a
chat id, and nobody without the key can link a conversation back to a Telegram account."""

from __future__ import annotations

import hashlib
import hmac

SENDER_ID_PREFIX = "tg-"
# 128 bits of the HMAC: collisions are out of reach, and the id stays short in logs and URLs.
SENDER_ID_HEX_LENGTH = 32


def sender_id_for_chat(secret: str, chat_id: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), str(chat_id).encode("ascii"), hashlib.sha256).hexdigest()
    return SENDER_ID_PREFIX + digest[:SENDER_ID_HEX_LENGTH]
