"""bot.tracker_store.ErasableSQLTrackerStore on SQLite: a turn answered with the deletion marker
deletes the conversation instead of saving it; every other turn is saved as by Rasa's own store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.erasure import deletion_marker
from bot.tracker_store import ErasableSQLTrackerStore


@pytest.fixture
def store(tmp_path: Path) -> ErasableSQLTrackerStore:
    return ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def stored_events(store: ErasableSQLTrackerStore, sender_id: str) -> int:
    with store.session_scope() as session:
        count: int = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).count()
        return count


def turn(tracker: DialogueStateTracker, text: str, answer: str, *, custom: object = None) -> None:
    tracker.update(UserUttered(text))
    tracker.update(BotUttered(answer))
    if custom is not None:
        tracker.update(BotUttered(data={"custom": custom}))
    tracker.update(ActionExecuted("action_listen"))


def test_an_ordinary_turn_is_saved(store: ErasableSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(store.save(tracker))
    assert stored_events(store, "pupil") == 3

    turn(tracker, "und die dauer", "Drei Jahre.", custom={"berufslotse": "something else"})
    asyncio.run(store.save(tracker))
    assert stored_events(store, "pupil") == 7


def test_a_turn_with_the_marker_deletes_the_whole_conversation(store: ErasableSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(store.save(tracker))
    other = DialogueStateTracker("someone-else", slots=[])
    turn(other, "hallo", "Hi!")
    asyncio.run(store.save(other))

    turn(tracker, "ja, alles löschen", "Erledigt.", custom=deletion_marker())
    asyncio.run(store.save(tracker))

    assert stored_events(store, "pupil") == 0
    assert asyncio.run(store.retrieve("pupil")) is None
    assert stored_events(store, "someone-else") == 3


def test_the_marker_counts_only_as_the_answer_to_the_latest_message(store: ErasableSQLTrackerStore) -> None:
    # An in-memory tracker that still holds an old marker (before the latest message) is saved.
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "lösch alles", "Erledigt.", custom=deletion_marker())
    turn(tracker, "hallo", "Hi!")
    asyncio.run(store.save(tracker))
    assert stored_events(store, "pupil") == 7
