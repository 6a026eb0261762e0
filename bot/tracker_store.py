"""Rasa's SQL tracker store, plus deletion at the pupil's request (runs inside the Rasa engine).

Deleting a conversation from inside a turn does not work with Rasa's own `SQLTrackerStore`: the
action runs while Rasa holds the conversation, and when the turn ends the store saves every event
of the session again. This store looks at the turn it is asked to save instead: when the assistant
answered the latest message with the deletion marker (bot.erasure), it deletes every stored event
of the conversation and saves nothing. The pupil's next message starts a new conversation.

Configured in endpoints.yml as `type: bot.tracker_store.ErasableSQLTrackerStore` with the same
keys as `type: SQL` (scripts/stack.py writes it).

Rasa creates its engine without testing pooled connections: after the database server restarts,
every pooled connection is dead and the next message fails on one. This store looks at a
connection's socket when it leaves the pool and opens a new connection when the server has closed
it (a closed connection has its end-of-file, or the server's goodbye, waiting to be read; a live
idle one has nothing). SQLAlchemy's `pool_pre_ping`, used before, asked the server `SELECT 1` at
every checkout: a round trip to PostgreSQL for every load and save (5 % of a scaled Rasa server's
samples in a profile). A server that vanishes without closing its sockets is noticed by neither
before the query times out. A connection the server closed a moment before it leaves the pool
(its goodbye still on the way, a few milliseconds) fails its first statement; the pool then drops
it and every older one, and a load is read again on a new connection (a save is not repeated: the
turn fails with "back in a moment", as a turn at the moment of a restart does anyway).

Rasa's store runs its statements in the server's event loop: while PostgreSQL answers one turn's
load or commit, every other conversation of that server waits. On a database server this store
runs them in threads of its own (the events are turned into rows and back in the event loop); a
turn cancelled meanwhile ends only after its statements (`_off_loop`). SQLite, a file inside the
process, stays in the event loop. BERUFSLOTSE_TRACKER_THREAD=0 switches it off.

When the database cannot be reached, Rasa's own wrapper (`FailSafeTrackerStore`, which the agent
puts around every tracker store) carries on with an empty in-memory conversation: the pupil's
message is answered as if it were their first (a check answer gets "I lost track"), whatever they
do then is forgotten once the database is back, the memory grows with every conversation, and its
error line quotes the database error, SQL parameters (the pupil's pseudonym) included. For this
store the wrapper refuses instead (`StrictFailSafeTrackerStore`): the turn fails, the REST channel
answers "back in a moment" (bot/channels/rest.py), and the conversation continues where it was
once the database is back. The log names the error's type only.

Saving a turn: Rasa's store asks the database how many events of the session it holds (a COUNT
over the session's events, 7 % of Rasa's time under load in the bench) and saves the events after
that many. This store remembers that number on the tracker it loaded (the count of the events it
read, which is what the COUNT answers while Rasa holds the conversation's lock) and after each
save (everything is stored then); a tracker it did not load or save (created new, loaded with all
sessions, with a bounded event history) is counted by Rasa's query. The events saved are the same
as Rasa's except where Rasa's count is not what the store holds for this turn: a second save of a
turn that started a new session (Rasa's count would be the new session's events only, and the
earlier ones would be stored again); a deletion that does not take Rasa's lock (the API's privacy
endpoint) landing during a turn (Rasa's count of 0 would store the whole conversation again; this
store stores the turn's new events only); a turn outliving the lock (60 s) while another turn of
the conversation is saved (Rasa would store a cut-off tail of one of them; this store both in full).
BERUFSLOTSE_TRACKER_STORED_COUNT=0 switches it off (tests/bot/test_erasable_tracker_store.py).

Loading and saving go through SQLAlchemy's Core instead of its ORM, which builds and tracks an
object per event (a quarter of a load, most of a save): a load reads only the events' JSON, with
Rasa's own query (the same filter and order), and a save inserts the new events' rows in one
statement, with the same columns Rasa's store writes. BERUFSLOTSE_TRACKER_CORE=0 switches it off.

Every Rasa server the project starts imports this module, so it also applies the project's engine
patches (bot/rasa_patches.py) before the first message.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import logging
import os
import select
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import rasa.core.agent
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

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


CORE_ENV = "BERUFSLOTSE_TRACKER_CORE"
THREAD_ENV = "BERUFSLOTSE_TRACKER_THREAD"
DATABASE_THREADS = 4  # loads and saves waiting on the database server at once, per Rasa server
T = TypeVar("T")
SQLITE_WAL_ENV = "BERUFSLOTSE_SQLITE_WAL"


def sqlite_engine(url: sa.engine.URL) -> sa.engine.Engine:
    """An engine for the embedded tracker database: connections kept in a pool (Rasa's engine opens
    the file anew for every load and save), the file in write-ahead-log mode, committed without
    waiting for the disk after every turn (`synchronous=NORMAL`: a crash of the process loses
    nothing; a power cut may lose the last turns, never the file). Deleted rows are overwritten
    (`secure_delete`), and after a deletion the log is emptied (`save`)."""
    engine = sa.create_engine(
        url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False, "timeout": 30.0}
    )

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete = ON")  # a deleted conversation is overwritten
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def replace_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """On checkout: a connection the server has closed is replaced (the pool opens a new one)."""
    if getattr(dbapi_connection, "closed", 0):  # psycopg2: closed on this side
        raise sa.exc.DisconnectionError("the connection was closed")
    poller = select.poll()  # not select.select: it fails for descriptors from 1024 on
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    if poller.poll(0):  # nothing is owed to an idle connection: this is the server closing it
        raise sa.exc.DisconnectionError("the server closed the connection")


STORED_COUNT_ENV = "BERUFSLOTSE_TRACKER_STORED_COUNT"
# the name of the sender id's parameter in the prepared query of a conversation's events
SENDER_PARAMETER = "berufslotse_sender_id"
# set on a tracker this store loaded or saved: how many of its events are in the database
STORED_MARKER = "_berufslotse_stored_events"


def stored_events_known(tracker: DialogueStateTracker) -> int | None:
    """How many of the tracker's events the database holds, if this store knows it."""
    stored = tracker.__dict__.get(STORED_MARKER)
    if stored is None or tracker.events.maxlen is not None or stored > len(tracker.events):
        return None
    return int(stored)


def event_rows(sender_id: str, events: Iterator[Any]) -> list[dict[str, Any]]:
    """The rows of events as Rasa's store writes them (the same columns)."""
    rows = []
    for event in events:
        data = event.as_dict()
        rows.append(
            {
                "sender_id": sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            }
        )
    return rows


def remember_stored_events(tracker: DialogueStateTracker) -> None:
    if os.environ.get(STORED_COUNT_ENV, "1") != "0" and tracker.events.maxlen is None:
        tracker.__dict__[STORED_MARKER] = len(tracker.events)


class ErasableSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.sqlite_log = False  # whether the SQLite file is in write-ahead-log mode
        # where the statements of a load or save wait for a database server (see `_off_loop`)
        self.executor: ThreadPoolExecutor | None = None
        if self.engine.dialect.name != "sqlite":
            if os.environ.get(THREAD_ENV, "1") != "0":
                self.executor = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="tracker-store")
            # Rasa's engine, with the same settings, plus a look at each connection taken from the pool
            self.engine.dispose()
            self.engine = sa.create_engine(url, **create_engine_kwargs(url))
            sa.event.listen(self.engine, "checkout", replace_closed_connection)
            self.sessionmaker = sessionmaker(bind=self.engine)
        elif not url.database or url.database == ":memory:" or "mode=memory" in str(url):
            pass  # Rasa's engine: a new connection would open another, empty database
        elif os.environ.get(SQLITE_WAL_ENV, "1") != "0":
            self.engine.dispose()
            self.engine = sqlite_engine(url)
            self.sessionmaker = sessionmaker(bind=self.engine)
            self.sqlite_log = True
        else:  # the mode is kept in the file: set it back explicitly
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode = DELETE")

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        try:
            tracker = await self._read(sender_id, fetch_events_from_all_sessions)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # a connection the server closed a moment before it left the pool (its goodbye not yet
            # arrived): the pool has dropped it and the others as old; a read is safe to do again
            tracker = await self._read(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            remember_stored_events(tracker)
        return tracker

    async def _read(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if os.environ.get(CORE_ENV, "1") == "0":
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        rows = await self._off_loop(self._event_rows, sender_id, fetch_events_from_all_sessions)
        return self._tracker(sender_id, rows)

    async def _off_loop(self, function: Callable[..., T], *args: Any) -> T:
        """Runs a load's or a save's statements. On a database server they run in the store's
        threads: the server's other turns go on while PostgreSQL answers (the driver lets go of the
        interpreter while it waits), where Rasa's store stops the whole server's event loop for every
        round trip and commit. The turn waits for its statements to end even when it is cancelled
        (a pupil's client gone): its conversation's lock is given back only after them, as when the
        statements ran in the event loop."""
        if self.executor is None:
            return function(*args)
        future = asyncio.get_running_loop().run_in_executor(self.executor, function, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            while not future.done():
                try:
                    await asyncio.wait({future})
                except asyncio.CancelledError:
                    continue
            error = future.exception()
            if error is not None:  # the type only: a database error's text may quote the pseudonym
                logger.error("The tracker store failed in a cancelled turn (%s)", type(error).__name__)
            raise

    def _events_statement(self, session: Any, fetch_events_from_all_sessions: bool) -> Any:
        """Rasa's query of a conversation's events (`_event_query`), for the events' JSON only, with
        the sender id as a parameter: built once per kind instead of for every load."""
        statements: dict[bool, Any] = self.__dict__.setdefault("_events_statements", {})
        statement = statements.get(fetch_events_from_all_sessions)
        if statement is None:
            query = self._event_query(
                session,
                sa.bindparam(SENDER_PARAMETER),
                fetch_events_from_all_sessions=fetch_events_from_all_sessions,
            )
            statement = statements[fetch_events_from_all_sessions] = query.with_entities(
                self.SQLEvent.data
            ).statement
        return statement

    def _event_rows(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[str]:
        """Rasa's `_retrieve`, reading only the events' JSON (no ORM object per event)."""
        with self.session_scope() as session:
            statement = self._events_statement(session, fetch_events_from_all_sessions)
            return [data for (data,) in session.execute(statement, {SENDER_PARAMETER: sender_id}).all()]

    def _tracker(self, sender_id: str, rows: list[str]) -> DialogueStateTracker | None:
        events = [json.loads(data) for data in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _insert_new_events(
        self, tracker: DialogueStateTracker, rows: list[dict[str, Any]] | None = None
    ) -> None:
        """Rasa's `save` after streaming the events: the same rows (`rows` when made beforehand),
        inserted in one statement; then the tracker says they are stored (here, in the store's
        thread, so also when the turn was cancelled while they were written)."""
        with self.session_scope() as session:
            if rows is None:
                rows = event_rows(tracker.sender_id, self._additional_events(session, tracker))
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        remember_stored_events(tracker)

    async def _save_new_events(self, tracker: DialogueStateTracker) -> None:
        stored = stored_events_known(tracker)
        rows = None  # not known: Rasa's query counts what the database holds, in the thread
        if stored is not None:  # the rows are made here, the statements run off the loop
            rows = event_rows(tracker.sender_id, itertools.islice(tracker.events, stored, None))
        await self._off_loop(self._insert_new_events, tracker, rows)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        stored = stored_events_known(tracker)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not deletion_requested(tracker):
            if os.environ.get(CORE_ENV, "1") == "0":
                await super().save(tracker)
                remember_stored_events(tracker)
            else:
                await self.stream_events(tracker)
                await self._save_new_events(tracker)
            return
        tracker.__dict__.pop(STORED_MARKER, None)
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        if self.sqlite_log:
            # empty the write-ahead log: the pages from before the deletion are not kept in it
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.close()
            finally:
                raw.close()
        # no conversation id in the log: it is the pupil's pseudonym
        logger.info("deleted a conversation at the pupil's request (%d events)", deleted)


class TrackerStoreUnavailable(RuntimeError):
    """The conversations' database cannot be reached; the turn fails instead of running without it."""


def refuse_fallback(error: Exception) -> None:
    # the type only: the message of a database error may quote SQL parameters (the pseudonym)
    logger.error(
        "The tracker store is unavailable (%s); the message is not answered by Rasa", type(error).__name__
    )
    raise TrackerStoreUnavailable(type(error).__name__) from None


class StrictFailSafeTrackerStore(FailSafeTrackerStore):
    """Rasa's wrapper, without its in-memory fallback when it wraps our store (see the module docstring)."""

    def __init__(self, tracker_store: TrackerStore, *args: Any, **kwargs: Any) -> None:
        if isinstance(tracker_store, ErasableSQLTrackerStore) and not args:
            kwargs.setdefault("on_tracker_store_error", refuse_fallback)
        super().__init__(tracker_store, *args, **kwargs)


def install_strict_fail_safe() -> bool:
    """The agent wraps its tracker store in `FailSafeTrackerStore` (rasa.core.agent); it gets ours."""
    parameters = inspect.signature(FailSafeTrackerStore.__init__).parameters
    if getattr(rasa.core.agent, "FailSafeTrackerStore", None) not in (
        FailSafeTrackerStore,
        StrictFailSafeTrackerStore,
    ):
        logger.error("Rasa's agent has no FailSafeTrackerStore: the tracker store keeps Rasa's fallback")
        return False
    if "on_tracker_store_error" not in parameters:
        logger.error(
            "FailSafeTrackerStore takes no on_tracker_store_error: the tracker store keeps Rasa's fallback"
        )
        return False
    rasa.core.agent.FailSafeTrackerStore = StrictFailSafeTrackerStore
    return True


install_strict_fail_safe()
