"""Alembic: every revision goes up and down cleanly, and head matches the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from api.cli import alembic_config
from api.core.db import create_db_engine
from api.models import Base
from api.search.models import INDEX_TABLE, include_object

EXPECTED_TABLES = {
    "professions",
    "vocabulary_terms",
    "knowledge_meta",
    "municipalities",
    "minimum_pay",
    "companies",
    "api_keys",
    "offers",
    "contact_requests",
    "check_items",
    "check_types",
    "check_answer_options",
    "check_texts",
    "check_results",
    "check_item_occupations",
    "topics",
    "profession_topics",
    "search_documents",
    "accounts",
    "account_sessions",
    "class_sessions",
    "class_members",
    "class_member_topics",
    "sign_in_links",
    "handoffs",
    "region_advisers",
    "result_links",
    "check_signals",
    "interest_signals",
    "handoff_signals",
    "interest_aggregates",
    "audit_log",
    "saved_searches",
    "saved_search_offers",
}


def tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        # the SQLite FTS5 index (search_index and its shadow tables) goes with search_documents
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not name.startswith(INDEX_TABLE)}
    finally:
        engine.dispose()


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://", configure_logging=False))
    return [revision.revision for revision in script.walk_revisions()][::-1]


def test_revision_ids_are_one_numbered_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://", configure_logging=False))
    assert len(script.get_heads()) == 1
    assert revisions()[:3] == ["0001_professions", "0002_municipalities", "0003_minimum_pay"]
    assert [int(revision[:4]) for revision in revisions()] == list(range(1, len(revisions()) + 1))


def test_each_revision_goes_up_and_down(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url, configure_logging=False)
    seen: list[set[str]] = [tables(empty_database_url)]
    for revision in revisions():
        command.upgrade(config, revision)
        seen.append(tables(empty_database_url))
        assert seen[-1] > seen[-2], f"{revision} created no table"
    assert seen[-1] == EXPECTED_TABLES
    for revision, before in zip(reversed(revisions()), reversed(seen[:-1]), strict=True):
        command.downgrade(config, "-1")
        assert tables(empty_database_url) == before, f"the downgrade of {revision} left tables behind"
    assert tables(empty_database_url) == set()
    command.upgrade(config, "head")
    assert tables(empty_database_url) == EXPECTED_TABLES


def test_head_matches_the_models(empty_database_url: str) -> None:
    command.upgrade(alembic_config(empty_database_url, configure_logging=False), "head")
    engine = create_db_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
