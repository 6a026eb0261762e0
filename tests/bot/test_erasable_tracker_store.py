"""bot.tracker_store.ErasableSQLTrackerStore on SQLite: a turn answered with the deletion marker
deletes the conversation instead of saving it; every other turn is saved as by Rasa's own store.
On PostgreSQL (when BERUFSLOTSE_TEST_POSTGRES_URL names the test server): the store survives its
pooled connections dying, as they do when the server restarts."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot.erasure import deletion_marker
from bot.tracker_store import (
    CORE_ENV,
    SQLITE_WAL_ENV,
    STORED_COUNT_ENV,
    THREAD_ENV,
    ErasableSQLTrackerStore,
    StrictFailSafeTrackerStore,
    TrackerStoreUnavailable,
)


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


def stored_rows(store: ErasableSQLTrackerStore, sender_id: str) -> list[str]:
    with store.session_scope() as session:
        rows = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender_id)
            .order_by(store.SQLEvent.id)
        )
        return [str(row.data) for row in rows]


def counting_queries(store: ErasableSQLTrackerStore) -> list[str]:
    """The COUNT statements the store sends from now on (Rasa's way to find the new events)."""
    counts: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "count(" in statement.lower():
            counts.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", seen)
    return counts


def new_session(tracker: DialogueStateTracker) -> None:
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


@pytest.mark.parametrize("remembered", [True, False])
def test_a_loaded_conversation_saves_exactly_its_new_events(
    store: ErasableSQLTrackerStore, remembered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every event once, in order, with and without the remembered count; without it Rasa counts
    if not remembered:
        monkeypatch.setenv(STORED_COUNT_ENV, "0")
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(store.save(tracker))
    counts = counting_queries(store)
    for text in ("und die dauer", "und das geld", "danke"):
        loaded = asyncio.run(store.retrieve("pupil"))
        assert loaded is not None
        turn(loaded, text, "Gern.")
        asyncio.run(store.save(loaded))
        turn(loaded, text + " nochmal", "Gern.")  # the same object saved again
        asyncio.run(store.save(loaded))
        assert stored_rows(store, "pupil") == [json.dumps(event.as_dict()) for event in loaded.events]
    assert len(stored_rows(store, "pupil")) == 3 + 3 * 2 * 3  # 3 events per turn
    assert len(counts) == (0 if remembered else 6)


def all_columns(store: ErasableSQLTrackerStore) -> list[tuple[object, ...]]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).order_by(store.SQLEvent.id)
        return [(r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name, r.data) for r in rows]


def play_a_conversation_with_two_sessions(store: ErasableSQLTrackerStore) -> int:
    """Three turns as Rasa plays them (load, the turn's events, save) with fixed timestamps:
    intents, actions, buttons, and a new session in the second turn. Returns the events played."""
    played = 0
    for number, text in enumerate(("was macht ein tischler", "und die dauer", "danke")):
        tracker = asyncio.run(store.retrieve("pupil")) or DialogueStateTracker("pupil", slots=[])
        at = 1_700_000_000.0 + 100 * number
        events: list[Any] = []
        if number == 1:
            events += [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at + 1)]
            events += [ActionExecuted("action_listen", timestamp=at + 2)]
        events += [
            UserUttered(text, intent={"name": f"intent_{number}", "confidence": 0.9}, timestamp=at + 3),
            ActionExecuted(f"action_{number}", timestamp=at + 4),
            BotUttered(
                f"Antwort {number} ✓", data={"buttons": [{"title": "ja", "payload": "/ja"}]}, timestamp=at + 5
            ),
            ActionExecuted("action_listen", timestamp=at + 6),
        ]
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        played += len(events)
    return played


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_core_loads_and_saves_what_rasas_orm_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request: pytest.FixtureRequest
) -> None:
    results = []
    for core in ("0", "1"):
        monkeypatch.setenv(CORE_ENV, core)
        if backend == "sqlite":
            store = ErasableSQLTrackerStore(
                Domain.empty(), dialect="sqlite", db=str(tmp_path / f"core-{core}.db")
            )
        else:
            store = request.getfixturevalue("postgres_store")
            with store.session_scope() as session:
                session.query(store.SQLEvent).delete()
                session.commit()
        played = play_a_conversation_with_two_sessions(store)
        latest = asyncio.run(store.retrieve("pupil"))
        full = asyncio.run(store.retrieve_full_tracker("pupil"))
        assert latest is not None and full is not None
        results.append(
            (
                all_columns(store),
                [event.as_dict() for event in latest.events],
                [event.as_dict() for event in full.events],
                latest.current_state(),
            )
        )
    ours, rasas = results[1], results[0]
    assert ours == rasas  # every column of every row, both loads, the state
    rows, latest_events, all_events, _ = ours
    assert len(rows) == played == len(all_events) > len(latest_events)
    assert {row[3] for row in rows} >= {"intent_0", "intent_1", "intent_2"}
    assert {row[4] for row in rows} >= {"action_0", "action_listen", "action_session_start"}


@pytest.mark.parametrize("ours", [True, False])
def test_the_embedded_database_keeps_its_connection_and_writes_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ours: bool
) -> None:
    """Rasa's engine opens the SQLite file anew for every load and save, and syncs the disk at every
    commit; this store keeps pooled connections to a write-ahead log (BERUFSLOTSE_SQLITE_WAL=0: Rasa's)."""
    if not ours:  # a file that was in write-ahead-log mode (the mode is kept in the file) goes back
        earlier = ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
        with earlier.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        earlier.engine.dispose()
        monkeypatch.setenv(SQLITE_WAL_ENV, "0")
    store = ErasableSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    connects: list[object] = []
    sa.event.listen(store.engine, "connect", lambda connection, _record: connects.append(connection))
    tracker = asyncio.run(store.get_or_create_tracker("pupil"))
    for n in range(3):
        turn(tracker, f"hallo {n}", f"antwort {n}")
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.get_or_create_tracker("pupil"))
    assert stored_events(store, "pupil") == len(tracker.events) > 6
    with store.engine.connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    if ours:
        assert (len(connects), journal, synchronous) == (1, "wal", 1)
    else:
        assert len(connects) > 6 and (journal, synchronous) == ("delete", 2)


def test_a_new_session_is_saved_once_even_when_saved_twice(store: ErasableSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "hallo", "Hi!")
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve("pupil"))
    assert loaded is not None
    new_session(loaded)
    turn(loaded, "wieder da", "Schön!")
    asyncio.run(store.save(loaded))
    turn(loaded, "noch was", "Gern.")
    asyncio.run(store.save(loaded))
    rows = stored_rows(store, "pupil")
    assert rows == [json.dumps(event.as_dict()) for event in loaded.events]
    again = asyncio.run(store.retrieve("pupil"))  # the latest session only, as Rasa loads it
    assert again is not None and [e.as_dict() for e in again.events] == [
        e.as_dict()
        for e in list(loaded.events)[4:]  # from SessionStarted (its timestamp) on
    ]


def test_a_tracker_the_store_did_not_load_is_counted_by_rasa(store: ErasableSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "hallo", "Hi!")
    asyncio.run(store.save(tracker))
    other = DialogueStateTracker("pupil", slots=[])  # e.g. built by another server from the same events
    turn(other, "hallo", "Hi!")
    turn(other, "tschüss", "Bis bald!")
    counts = counting_queries(store)
    asyncio.run(store.save(other))
    assert len(counts) == 1
    assert len(stored_rows(store, "pupil")) == 6


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
    # nothing of it is left in the file or its write-ahead log (the text the pupil wrote)
    path = Path(str(store.engine.url.database))
    assert b"tischler" not in path.read_bytes()
    assert not Path(f"{path}-wal").exists() or b"tischler" not in Path(f"{path}-wal").read_bytes()


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
            # a restart ends every backend before the server takes connections again (a load in
            # the moment before the goodbye arrives: test_a_load_right_after_the_server_closed_...)
            for _ in range(100):
                left = connection.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
                ).scalar_one()
                if not left:
                    break
                time.sleep(0.05)
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


def test_a_load_right_after_the_server_closed_its_connection_is_read_again(
    postgres_store: ErasableSQLTrackerStore,
) -> None:
    """The server's goodbye reaches the pooled connection a few milliseconds after it ended it; a
    load in between fails on the dead connection and is read again on a new one."""
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(postgres_store.save(tracker))
    for _ in range(15):
        assert asyncio.run(postgres_store.retrieve("pupil")) is not None  # a connection waits in the pool
        admin = sa.create_engine(
            postgres_store.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
                {"db": postgres_store.engine.url.database},
            )
        admin.dispose()
        # no waiting for the backend to end: the load may find the connection not yet closed
        retrieved = asyncio.run(postgres_store.retrieve("pupil"))
        assert retrieved is not None and len(retrieved.events) == 3


def test_connections_on_descriptors_past_1024_are_served(postgres_store: ErasableSQLTrackerStore) -> None:
    """A Rasa server with many open sockets and files: its new connections get descriptors from 1024
    on, which select() cannot watch (the look at the socket must not call them dead)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    postgres_store.engine.dispose()
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert min(held) < 1024 < max(held)
        tracker = DialogueStateTracker("pupil", slots=[])
        turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
        asyncio.run(postgres_store.save(tracker))
        retrieved = asyncio.run(postgres_store.retrieve("pupil"))
        assert retrieved is not None and len(retrieved.events) == 3
        with postgres_store.engine.connect() as connection:
            assert connection.connection.dbapi_connection.fileno() >= 1024
    finally:
        for fd in held:
            os.close(fd)
        postgres_store.engine.dispose()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def backend_pid(store: ErasableSQLTrackerStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_live_pooled_connection_serves_without_a_test_query(
    postgres_store: ErasableSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taking a connection from the pool costs no round trip to the server (no `SELECT 1` ping),
    and a live connection is used again, not replaced."""
    pings: list[object] = []
    monkeypatch.setattr(postgres_store.engine.dialect, "do_ping", lambda connection: pings.append(connection))
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(postgres_store.save(tracker))
    first = backend_pid(postgres_store)
    assert asyncio.run(postgres_store.retrieve("pupil")) is not None
    turn(tracker, "und die dauer", "Drei Jahre.")
    asyncio.run(postgres_store.save(tracker))
    assert backend_pid(postgres_store) == first
    assert pings == []


def slow_statements(
    store: ErasableSQLTrackerStore, verb: str, seconds: float, fail: Exception | None = None
) -> list[int]:
    """Statements starting with `verb` wait `seconds` at the database (as under load), then fail
    with `fail` if given; returns the threads they ran on."""
    threads: list[int] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def wait(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(verb):
            threads.append(threading.get_ident())
            time.sleep(seconds)
            if fail is not None:
                raise fail

    return threads


async def cancel_while_saving(
    store: ErasableSQLTrackerStore, tracker: DialogueStateTracker, threads: list[int], *, twice: bool
) -> None:
    """Saves the tracker and cancels the save once its slow statement runs (`twice`: again while
    it waits for it); the save must end cancelled."""
    saving = asyncio.create_task(store.save(tracker))
    while not threads:  # noqa: ASYNC110 - filled by the store's thread, not by a task
        await asyncio.sleep(0.01)
    saving.cancel()
    if twice:
        await asyncio.sleep(0.05)
        saving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await saving


async def ticks_while(work: Any) -> tuple[Any, int]:
    """Runs `work` while another task of the same event loop counts its turns every 10 ms."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    counting = asyncio.create_task(ticker())
    try:
        result = await work
    finally:
        done.set()
        await counting
    return result, ticks


@pytest.mark.parametrize("verb", ["INSERT", "SELECT"])
def test_the_server_goes_on_while_the_database_answers(
    postgres_store: ErasableSQLTrackerStore, verb: str
) -> None:
    """A Rasa server serves many conversations in one event loop: while one turn's events are
    read or written, the others go on (Rasa's store stops them all for every round trip)."""
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(postgres_store.save(tracker))
    threads = slow_statements(postgres_store, verb, 0.4)

    async def play() -> tuple[Any, int]:
        if verb == "INSERT":
            turn(tracker, "und die dauer", "Drei Jahre.")
            return await ticks_while(postgres_store.save(tracker))
        return await ticks_while(postgres_store.retrieve("pupil"))

    loop_thread = threading.get_ident()
    result, ticks = asyncio.run(play())
    assert threads and loop_thread not in threads
    assert ticks >= 10  # 40 turns of 10 ms at most; none or one when the loop waits with the database
    if verb == "SELECT":
        assert result is not None and len(result.events) == 3
    else:
        assert stored_events(postgres_store, "pupil") == 6


def test_a_cancelled_turn_ends_after_its_save(postgres_store: ErasableSQLTrackerStore) -> None:
    """A turn cancelled while its events are written (the pupil's client went away) ends only when
    they are: its conversation's lock is given back after the turn, and the next turn must find
    them stored."""
    tracker = DialogueStateTracker("pupil", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")
    asyncio.run(postgres_store.save(tracker))  # the tracker knows that 3 events are stored
    threads = slow_statements(postgres_store, "INSERT", 0.4)
    turn(tracker, "und was verdient man", "Im ersten Jahr ...")

    async def play() -> int:
        await cancel_while_saving(postgres_store, tracker, threads, twice=True)
        return stored_events(postgres_store, "pupil")

    assert asyncio.run(play()) == 6
    # the tracker knows they are stored: saved again (a later turn), nothing is written twice
    threads.clear()
    turn(tracker, "und die dauer", "Drei Jahre.")
    asyncio.run(postgres_store.save(tracker))
    assert stored_events(postgres_store, "pupil") == 9


def test_a_cancelled_turn_whose_save_failed_says_so(
    postgres_store: ErasableSQLTrackerStore, caplog: pytest.LogCaptureFixture
) -> None:
    went_away = sa.exc.OperationalError("INSERT", {}, Exception("the server went away: web-secret"))
    threads = slow_statements(postgres_store, "INSERT", 0.3, fail=went_away)
    tracker = DialogueStateTracker("web-secret", slots=[])
    turn(tracker, "was macht ein tischler", "Tischler bauen Möbel.")

    asyncio.run(cancel_while_saving(postgres_store, tracker, threads, twice=False))
    assert "failed in a cancelled turn (OperationalError)" in caplog.text
    assert "web-secret" not in caplog.text
    assert stored_events(postgres_store, "web-secret") == 0


def test_the_embedded_database_is_read_in_the_event_loop(
    store: ErasableSQLTrackerStore, postgres_store: ErasableSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite answers from a file within the process (no waiting worth a thread); a server's
    statements run in threads unless switched off."""
    assert store.executor is None and postgres_store.executor is not None
    monkeypatch.setenv(THREAD_ENV, "0")
    inline = ErasableSQLTrackerStore(
        Domain.empty(),
        dialect="postgresql",
        host=postgres_store.engine.url.host,
        port=postgres_store.engine.url.port,
        db=postgres_store.engine.url.database,
        username=postgres_store.engine.url.username,
        password=postgres_store.engine.url.password,
    )
    try:
        assert inline.executor is None
        threads = slow_statements(inline, "SELECT", 0.0)
        assert asyncio.run(inline.retrieve("pupil")) is None
        assert threads == [threading.get_ident()]
    finally:
        inline.engine.dispose()


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
    turn(tracker, "und die dauer", "Drei Jahre.")
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(wrapped.save(tracker))  # ... and saves the new turn into memory here
    assert wrapped._fallback_tracker_store is None
    assert "OperationalError" in caplog.text
    assert "web-secret-pupil" not in caplog.text


def test_other_stores_keep_rasas_fallback() -> None:
    wrapped = Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty())
    assert wrapped._on_tracker_store_error is None
