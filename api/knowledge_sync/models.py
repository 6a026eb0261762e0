"""A small key-value table recording what was loaded."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class KnowledgeMeta(TimestampMixin, Base):
    """Keys: `knowledge_hash` (hash of the knowledge files last loaded), `search_hash` (hash of
    the profession rows the search index is built from; the search cache is keyed by it) and
    `profiles_hash` (hash of the rows a description reads; the description cache is keyed by it)."""

    __tablename__ = "knowledge_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
