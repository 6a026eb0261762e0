"""Signals from the assistant to the web widget, sent as custom payloads next to the text.

`action_save_search` sends `{"berufslotse": "search_saved"}` after it saved a search in a
conversation that is not Telegram's: the widget (bot/channels/web/src/rasa.js) then offers to
remember the pupil on this device, so that the new offers can reach them on a later visit. Other
REST clients ignore it; the Telegram bridge never gets it. (The deletion marker, the other signal,
lives in bot/erasure.py because Rasa's tracker store acts on it too.) Stdlib only.
"""

from __future__ import annotations

from bot.erasure import MARKER_KEY

SEARCH_SAVED = "search_saved"


def search_saved_marker() -> dict[str, str]:
    """The custom payload that tells the widget a search was saved."""
    return {MARKER_KEY: SEARCH_SAVED}
