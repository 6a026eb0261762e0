"""The documents the search finds. One row per document; the index itself belongs to the database.

The index is not part of the ORM metadata because it differs by backend (migration
0010_knowledge_search): on SQLite the FTS5 table `search_index` (external content, kept by
triggers on `search_documents`), on PostgreSQL the generated column `search_vector` with a GIN
index. `is_index_object` tells Alembic's comparison to leave them alone.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin

INDEX_TABLE = "search_index"  # SQLite FTS5 table (and its shadow tables search_index_*)
VECTOR_COLUMN = "search_vector"  # PostgreSQL generated tsvector column
VECTOR_INDEX = "ix_search_documents_search_vector"


class DocumentKind(StrEnum):
    PROFESSION = "profession"
    TOPIC = "topic"
    RULE = "rule"


class SearchDocument(TimestampMixin, Base):
    """A searchable document: titles to show, `terms` (names, synonyms: weighed most) and the body
    texts in German and English (snippets come from the body in the asked language)."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_search_documents_kind_key"),
        CheckConstraint("kind IN ('profession', 'topic', 'rule')", name="kind_known"),
    )

    # An integer key: the FTS5 index refers to rows by it (content_rowid).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(120))
    title_de: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    terms: Mapped[str] = mapped_column(Text)
    body_de: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)


def is_index_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """True for the backend-specific index objects that the migration owns (not the models)."""
    if type_ == "table" and name is not None and name.startswith(INDEX_TABLE):
        return True
    if type_ == "column" and name == VECTOR_COLUMN:
        return True
    return type_ == "index" and name == VECTOR_INDEX


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic `include_object` hook: compare everything except the search index."""
    return not is_index_object(obj, name, type_, reflected, compare_to)
