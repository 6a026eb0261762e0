"""Full-text search over the knowledge: the table search_documents and, per backend, its index.

SQLite: an FTS5 table `search_index` with external content (the rows of search_documents), kept
in step by three triggers. PostgreSQL: a generated tsvector column `search_vector` (German and
simple configurations) with a GIN index. Self-contained: later revisions only add rows (kinds
profession, topic and rule are allowed already).

Revision ID: 0010_knowledge_search
Revises: 0009_topics
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_knowledge_search"
down_revision: str | None = "0009_topics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_COLUMNS = "title_de, title_en, terms, body_de, body_en"
NEW_VALUES = "new.title_de, new.title_en, new.terms, new.body_de, new.body_en"
OLD_VALUES = "old.title_de, old.title_en, old.terms, old.body_de, old.body_en"

SQLITE_UP = [
    # remove_diacritics 2: "Bäcker" is found by "backer" and "bäcker"; prefix queries do the rest
    f"""CREATE VIRTUAL TABLE search_index USING fts5({FTS_COLUMNS},
        content='search_documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_index(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_VALUES});
    END""",
    f"""CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_index(search_index, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD_VALUES});
    END""",
    f"""CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_index(search_index, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD_VALUES});
        INSERT INTO search_index(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_VALUES});
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TABLE IF EXISTS search_index",
]
# Titles and terms weigh A (as German stems and as plain words), the German body C (stems), both
# bodies as plain words D. to_tsvector with a named configuration is immutable, as a generated
# column needs.
POSTGRES_UP = [
    """ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german'::regconfig, title_de || ' ' || terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, title_de || ' ' || title_en || ' ' || terms), 'A')
        || setweight(to_tsvector('german'::regconfig, body_de), 'C')
        || setweight(to_tsvector('simple'::regconfig, body_de || ' ' || body_en), 'D')
    ) STORED""",
    "CREATE INDEX ix_search_documents_search_vector ON search_documents USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_search_documents_search_vector",
    "ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("title_de", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("body_de", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('profession', 'topic', 'rule')", name=op.f("ck_search_documents_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_search_documents_kind_key")),
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
    op.drop_table("search_documents")
