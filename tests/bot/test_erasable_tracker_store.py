"""bot.tracker_store.ErasableSQLTrackerStore on SQLite: a turn answered with the deletion marker
deletes the conversation instead of saving it; every other turn is saved as by Rasa's own store.
On PostgreSQL (when BERUFSLOTSE_TEST_POSTGRES_URL names the test server): the store survives its
pooled connections dying, as they do when the server restarts."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot.erasure import deletion_marker
from bot.tracker_store import ErasableSQLTrackerStore, StrictFailSafeTrackerStore, TrackerStoreUnavailable


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


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def postgres_store() -> Iterator[ErasableSQLTrackerStore]:
    """The store on a new database of the test server (dropped afterwards)."""
    server = os.environ.get("BERUFSLOTSE_TEST_POSTGRES_URL", "").strip()
    if not server:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("BERUFSLOTSE_TEST_POSTGRES_URL must be set on CI", pytrace=False)
        pytest.skip("BERUFSLOTSE_TEST_POSTGRES_URL is not set (scripts/services/postgres.sh start)")
    url = make_url(server).set(drivername="postgresql")  # Rasa's engine has psycopg2
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    store = ErasableSQLTrackerStore(
        Domain.empty(),
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=name,
        username=url.username,
        password=url.password,
    )
    try:
        yield store
    finally:
        store.engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cut_connections(store: ErasableSQLTrackerStore) -> int:
    """Ends the server side of every connection to the store's database (as a restart would)."""
    database = store.engine.url.database
    admin = sa.create_engine(store.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :db"),
                {"db": database},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(ended)


def test_pooled_connections_that_died_are_replaced(postgres_store: ErasableSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(postgres_store.save(tracker))
    assert asyncio.run(postgres_store.retrieve("pupil")) is not None  # a connection waits in the pool
    assert cut_connections(postgres_store) >= 1

    # the first message after the outage is served, not failed on a dead connection
    retrieved = asyncio.run(postgres_store.retrieve("pupil"))
    assert retrieved is not None and len(retrieved.events) == 3
    turn(tracker, "und die dauer", "Drei Jahre.")
    asyncio.run(postgres_store.save(tracker))
    assert stored_events(postgres_store, "pupil") == 6


# --- the database cannot be reached ------------------------------------------------------------


def unreachable(store: ErasableSQLTrackerStore, folder: Path) -> None:
    """Points the store at a database that cannot be opened (as when its server is down)."""
    store.sessionmaker = sessionmaker(bind=sa.create_engine(f"sqlite:///{folder / 'missing' / 'tracker.db'}"))


def test_the_agent_wraps_our_store_without_rasas_in_memory_fallback(
    store: ErasableSQLTrackerStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrapped = Agent._create_tracker_store(store, Domain.empty())
    assert isinstance(wrapped, StrictFailSafeTrackerStore)
    tracker = DialogueStateTracker("web-secret-pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(wrapped.save(tracker))

    unreachable(store, tmp_path)
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(wrapped.retrieve("web-secret-pupil"))  # Rasa's own wrapper returns None here
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(wrapped.save(tracker))  # ... and saves into memory here
    assert wrapped._fallback_tracker_store is None
    assert "OperationalError" in caplog.text
    assert "web-secret-pupil" not in caplog.text


def test_other_stores_keep_rasas_fallback() -> None:
    wrapped = Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty())
    assert wrapped._on_tracker_store_error is None
