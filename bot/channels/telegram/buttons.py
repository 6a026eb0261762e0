"""Rasa's buttons as inline keyboards, and callback data back to the payload.

Telegram's callback data holds at most 64 bytes; Rasa's payloads can be longer, e.g.
`/ask_pay{"profession":"anlagenmechaniker-fuer-sanitaer-heizungs-und-klimatechnik"}`. So:

- a payload that fits travels as it is (`p:<payload>`): nothing to look up, nothing to lose;
- a longer one travels as `h:<hash>`, the first 132 bits of its SHA-256 in base64url, and the bridge
  keeps hash -> payload in a small SQLite table next to the other runtime data in var/.

Why a hash in a file and not PTB's arbitrary callback data or a per-chat table in memory: the hash
depends only on the payload, so the table holds one row per distinct button payload (intents times
occupations, a few thousand at most), not one per chat or message, and no personal data. It
survives restarts and deployments, so a keyboard sent yesterday still works today; a size bound
with least-recently-used eviction keeps it small. A button whose hash is unknown (evicted, or the
file was lost) gets a friendly "please ask again" instead of a crash.

The bridge's own buttons (the deletion confirm step) use `b:<action>`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.rasa import RasaButton

CALLBACK_DATA_LIMIT = 64
DIRECT_PREFIX = "p:"
STORED_PREFIX = "h:"
BRIDGE_PREFIX = "b:"
# Before the data of a button on a check card: pressing it edits the card instead of adding messages.
CARD_MARK = "c"
HASH_LENGTH = 22  # base64url characters: 132 bits


class BridgeAction(Enum):
    DELETE_CONFIRMED = "delete"
    DELETE_CANCELLED = "keep"


@dataclass(frozen=True)
class RasaPayload:
    payload: str
    on_card: bool = False  # pressed on a check card (the answer edits the card in place)


@dataclass(frozen=True)
class UnknownButton:
    """Callback data the bridge cannot resolve (evicted hash, foreign or forged data)."""


Pressed = RasaPayload | BridgeAction | UnknownButton


def payload_key(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:HASH_LENGTH]


def bridge_callback_data(action: BridgeAction) -> str:
    return BRIDGE_PREFIX + action.value


class ButtonPayloadStore:
    """hash -> payload in SQLite, bounded by least-recent use. Calls run in a worker thread so the
    event loop never waits for the disk."""

    def __init__(self, path: Path, max_entries: int) -> None:
        self._path = path
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    async def open(self) -> None:
        await asyncio.to_thread(self._open)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    async def put(self, payload: str) -> str:
        return await asyncio.to_thread(self._put, payload)

    async def get(self, key: str) -> str | None:
        return await asyncio.to_thread(self._get, key)

    def _open(self) -> None:
        with self._lock:
            if str(self._path) != ":memory:":
                self._path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS button_payloads ("
                " key TEXT PRIMARY KEY, payload TEXT NOT NULL, used_at REAL NOT NULL)"
            )
            connection.execute(
                "CREATE INDEX IF NOT EXISTS button_payloads_used_at ON button_payloads (used_at)"
            )
            self._connection = connection

    def _close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _require(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("ButtonPayloadStore is not open")
        return self._connection

    def _put(self, payload: str) -> str:
        key = payload_key(payload)
        with self._lock:
            connection = self._require()
            connection.execute(
                "INSERT INTO button_payloads (key, payload, used_at) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET used_at = excluded.used_at",
                (key, payload, time.time()),
            )
            (count,) = connection.execute("SELECT count(*) FROM button_payloads").fetchone()
            if count > self._max_entries:
                connection.execute(
                    "DELETE FROM button_payloads WHERE key IN ("
                    " SELECT key FROM button_payloads ORDER BY used_at ASC LIMIT ?)",
                    (count - self._max_entries,),
                )
        return key

    def _get(self, key: str) -> str | None:
        with self._lock:
            connection = self._require()
            row = connection.execute("SELECT payload FROM button_payloads WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            connection.execute("UPDATE button_payloads SET used_at = ? WHERE key = ?", (time.time(), key))
            payload: str = row[0]
            return payload


class CallbackCodec:
    """Rasa payload <-> callback data of at most 64 bytes."""

    def __init__(self, store: ButtonPayloadStore) -> None:
        self._store = store

    async def encode(self, payload: str, *, on_card: bool = False) -> str:
        mark = CARD_MARK if on_card else ""
        direct = mark + DIRECT_PREFIX + payload
        if len(direct.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return direct
        return mark + STORED_PREFIX + await self._store.put(payload)

    async def decode(self, data: str | None) -> Pressed:
        if data and data.startswith(CARD_MARK):
            pressed = await self.decode(data[len(CARD_MARK) :])
            return RasaPayload(pressed.payload, on_card=True) if isinstance(pressed, RasaPayload) else pressed
        if not data:
            return UnknownButton()
        if data.startswith(DIRECT_PREFIX) and len(data) > len(DIRECT_PREFIX):
            return RasaPayload(data[len(DIRECT_PREFIX) :])
        if data.startswith(STORED_PREFIX):
            payload = await self._store.get(data[len(STORED_PREFIX) :])
            return RasaPayload(payload) if payload is not None else UnknownButton()
        if data.startswith(BRIDGE_PREFIX):
            try:
                return BridgeAction(data[len(BRIDGE_PREFIX) :])
            except ValueError:
                return UnknownButton()
        return UnknownButton()


def buttons_per_row(titles: Sequence[str]) -> int:
    """Short answers ("Ja", "Nein") side by side, longer ones one per row so that phones show them
    in full."""
    longest = max((len(title) for title in titles), default=0)
    if longest <= 10:
        return 3
    if longest <= 20:
        return 2
    return 1


async def card_keyboard(buttons: Sequence[RasaButton], codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """A check card's keyboard: the five faces in one row (the face only: the words would be cut
    off on a phone; the card's text has them as a legend), skip/back/pause in a row below."""
    faces: list[InlineKeyboardButton] = []
    others: list[InlineKeyboardButton] = []
    for button in buttons:
        if not button.payload:
            continue
        data = await codec.encode(button.payload, on_card=True)
        if button.style == "scale":
            faces.append(InlineKeyboardButton(button.title.split(" ", 1)[0], callback_data=data))
        else:
            others.append(InlineKeyboardButton(button.title, callback_data=data))
    rows = [row for row in (faces, others) if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def inline_keyboard(buttons: Sequence[RasaButton], codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    keyboard_buttons: list[InlineKeyboardButton] = []
    for button in buttons:
        if button.url:
            keyboard_buttons.append(InlineKeyboardButton(button.title, url=button.url))
        elif button.payload:
            keyboard_buttons.append(
                InlineKeyboardButton(button.title, callback_data=await codec.encode(button.payload))
            )
    if not keyboard_buttons:
        return None
    per_row = buttons_per_row([button.text for button in keyboard_buttons])
    rows = [keyboard_buttons[index : index + per_row] for index in range(0, len(keyboard_buttons), per_row)]
    return InlineKeyboardMarkup(rows)
