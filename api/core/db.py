"""Database engine and sessions, created lazily on first use (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import SettingsDep

# how long a SQLite connection waits for another one's write transaction
SQLITE_WAIT_SECONDS = 30.0
# =0: SQLite's own journal, synced to disk at every commit (the default until session 7)
SQLITE_WAL_ENV = "BERUFSLOTSE_SQLITE_WAL"


def _prepare_sqlite(engine: Engine) -> None:
    """Foreign keys on, and transactions that SQLAlchemy controls (so SAVEPOINTs work).

    pysqlite opens transactions on its own and ignores SAVEPOINT semantics; SQLAlchemy's
    documented fix is to switch that off and emit BEGIN ourselves. We emit BEGIN IMMEDIATE: a
    transaction that reads and then writes (joining a class, saving a check result) would otherwise
    fail at once with "database is locked" when another connection writes at the same moment
    (SQLite does not wait when a read lock would have to become a write lock); taking the write
    lock at the start makes concurrent requests wait their turn (`timeout`, 30 s) instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # what a pupil has deleted is overwritten, not left in the file's free pages
        cursor.execute("PRAGMA secure_delete = ON")
        if os.environ.get(SQLITE_WAL_ENV, "1") != "0":
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        else:  # the mode is kept in the file: set it back explicitly
            cursor.execute("PRAGMA journal_mode = DELETE")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def truncate_sqlite_log(bind: Engine | Connection) -> None:
    """After a deletion: fold the write-ahead log into the file and empty it, so that the pages
    from before the deletion are not kept in it (a no-op for other databases)."""
    if bind.dialect.name != "sqlite" or os.environ.get(SQLITE_WAL_ENV, "1") == "0":
        return
    if isinstance(bind, Connection):
        if bind.in_transaction():
            return  # a test's transaction, or the caller's: it checkpoints when it is done
        bind = bind.engine
    # outside any transaction (the engine's `begin` would take the write lock first)
    raw = bind.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def create_db_engine(url: str | URL) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": SQLITE_WAIT_SECONDS}
        )
        _prepare_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return create_db_engine(url)


@lru_cache(maxsize=8)
def session_factory_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


def get_session(settings: SettingsDep) -> Iterator[Session]:
    with session_factory_for(settings.database_url)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
