"""The engine and session setup in api.core.db, and the rollback recipe the tests rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.core.db import SQLITE_WAL_ENV, create_db_engine, truncate_sqlite_log
from api.knowledge_sync.models import KnowledgeMeta


def test_sqlite_engine_creates_its_folder_and_enforces_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'nested' / 'api.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (tmp_path / "nested" / "api.db").is_file()
    finally:
        engine.dispose()


def journal_and_sync(path: Path) -> tuple[object, object]:
    """The journal mode and sync level a new engine of create_db_engine gives the file."""
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return (
                connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
                connection.exec_driver_sql("PRAGMA synchronous").scalar(),
            )
    finally:
        engine.dispose()


def test_sqlite_file_is_written_ahead_and_not_synced_on_every_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert journal_and_sync(tmp_path / "api.db") == ("wal", 1)  # NORMAL
    monkeypatch.setenv(SQLITE_WAL_ENV, "0")  # the same file again: its mode is kept in the file
    assert journal_and_sync(tmp_path / "api.db") == ("delete", 2)  # FULL


def test_after_a_deletion_the_log_keeps_nothing_of_it(tmp_path: Path) -> None:
    path = tmp_path / "api.db"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            connection.exec_driver_sql("CREATE TABLE notes (text TEXT)")
            connection.exec_driver_sql("INSERT INTO notes VALUES ('pupil-secret-4711')")
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM notes")
        assert b"pupil-secret-4711" in Path(f"{path}-wal").read_bytes()
        truncate_sqlite_log(engine)
        assert Path(f"{path}-wal").read_bytes() == b""
        assert b"pupil-secret-4711" not in path.read_bytes()
    finally:
        engine.dispose()


def test_commits_inside_a_test_transaction_are_rolled_back(engine: Engine) -> None:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    session.add(KnowledgeMeta(key="probe", value="1"))
    session.commit()  # only releases a SAVEPOINT
    session.add(KnowledgeMeta(key="probe-2", value="2"))
    session.rollback()  # rolls back to the SAVEPOINT, keeping "probe"
    assert session.scalar(select(func.count()).select_from(KnowledgeMeta)) == 1
    session.close()
    transaction.rollback()
    connection.close()
    with Session(engine) as fresh:
        assert fresh.get(KnowledgeMeta, "probe") is None
