"""Rasa's SQL tracker store, plus deletion at the pupil's request (runs inside the Rasa engine).

Deleting a conversation from inside a turn does not work with Rasa's own `SQLTrackerStore`: the
action runs while Rasa holds the conversation, and when the turn ends the store saves every event
of the session again. This store looks at the turn it is asked to save instead: when the assistant
answered the latest message with the deletion marker (bot.erasure), it deletes every stored event
of the conversation and saves nothing. The pupil's next message starts a new conversation.

Configured in endpoints.yml as `type: bot.tracker_store.ErasableSQLTrackerStore` with the same
keys as `type: SQL` (scripts/stack.py writes it).

Every Rasa server the project starts imports this module, so it also applies the project's engine
patches (bot/rasa_patches.py) before the first message.
"""

from __future__ import annotations

import logging

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches
from bot.erasure import is_deletion_marker

logger = logging.getLogger(__name__)

rasa_patches.apply()


def deletion_requested(tracker: DialogueStateTracker) -> bool:
    """Whether the answer to the latest message carries the deletion marker."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and is_deletion_marker(event.data.get("custom")):
            return True
    return False


class ErasableSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        if not deletion_requested(tracker):
            await super().save(tracker)
            return
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        # no conversation id in the log: it is the pupil's pseudonym
        logger.info("deleted a conversation at the pupil's request (%d events)", deleted)
