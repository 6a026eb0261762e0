"""Rasa's sender id for a Telegram chat: a keyed hash, so Rasa, the API and their logs never see a
chat id, and nobody without the key can link a conversation back to a Telegram account."""

from __future__ import annotations

import base64
import hashlib
import hmac

SENDER_ID_PREFIX = "tg-"
# 128 bits of the HMAC: collisions are out of reach, and the id stays short in logs and URLs.
SENDER_ID_HEX_LENGTH = 32


def sender_id_for_chat(secret: str, chat_id: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), str(chat_id).encode("ascii"), hashlib.sha256).hexdigest()
    return SENDER_ID_PREFIX + digest[:SENDER_ID_HEX_LENGTH]


# --- the delivery token: how an alert finds its way back to the chat -------------------------------
#
# The API keeps a pupil's saved searches under the pseudonym and must never learn the chat id. To
# send an alert, the bridge gives Rasa (metadata `delivery_token`, stored with a saved search) the
# chat id encrypted with a pad that only the bridge can compute: the first 8 bytes of an HMAC of the
# pseudonym under a key derived from the sender-id secret. Each pseudonym belongs to exactly one
# chat, so each pad encrypts exactly one value (a one-time pad). Reading a token back, the bridge
# checks that the chat id it found has this very pseudonym, so a token moved to another pupil's
# search, or a forged one, is refused.

_DELIVERY_KEY_LABEL = b"berufslotse delivery token v1"
_CHAT_ID_BYTES = 8


def _delivery_pad(secret: str, sender_id: str) -> bytes:
    key = hmac.new(secret.encode("utf-8"), _DELIVERY_KEY_LABEL, hashlib.sha256).digest()
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).digest()[:_CHAT_ID_BYTES]


def delivery_token_for_chat(secret: str, chat_id: int) -> str:
    """An opaque token (11 characters of base64url) that only this bridge can turn back into the chat."""
    plain = chat_id.to_bytes(_CHAT_ID_BYTES, "big", signed=True)
    pad = _delivery_pad(secret, sender_id_for_chat(secret, chat_id))
    return (
        base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(plain, pad, strict=True))).decode().rstrip("=")
    )


def chat_for_delivery_token(secret: str, sender_id: str, token: str) -> int | None:
    """The chat id in `token` if it belongs to `sender_id`; None for anything else."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(sealed) != _CHAT_ID_BYTES:
        return None
    pad = _delivery_pad(secret, sender_id)
    chat_id = int.from_bytes(bytes(a ^ b for a, b in zip(sealed, pad, strict=True)), "big", signed=True)
    if not hmac.compare_digest(sender_id_for_chat(secret, chat_id), sender_id):
        return None
    return chat_id
