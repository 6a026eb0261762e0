"""The signal that a pupil's conversation was deleted at their request.

`action_delete_my_data` sends it as a custom message (`{"berufslotse": "conversation_deleted"}`)
after the API has deleted the pupil's records. Three parts act on it:
- bot.tracker_store: Rasa's tracker store deletes the whole conversation instead of saving the turn;
- the web widget forgets its conversation id and history;
- the Telegram bridge shows nothing for it (the text before it tells the pupil).
Stdlib only: imported in both runtimes.
"""

from __future__ import annotations

from collections.abc import Mapping

MARKER_KEY = "berufslotse"
CONVERSATION_DELETED = "conversation_deleted"


def deletion_marker() -> dict[str, str]:
    """The custom payload that tells everyone downstream the conversation is gone."""
    return {MARKER_KEY: CONVERSATION_DELETED}


def is_deletion_marker(custom: object) -> bool:
    return isinstance(custom, Mapping) and custom.get(MARKER_KEY) == CONVERSATION_DELETED
