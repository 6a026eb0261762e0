"""Free-text search over the occupations in the database, with knowledge.matching's matcher.

Building the matcher takes a moment, so each process keeps one, keyed by a hash of the profession
rows that is stored in the meta table (`search_hash`). Whoever changes professions calls
`refresh_search_key` in the same transaction (load-knowledge does); every search reads the key
and rebuilds the matcher only when it differs from the one in memory.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.knowledge_sync.meta import SEARCH_HASH, read_meta, write_meta
from api.professions.models import Profession
from knowledge import schema
from knowledge.matching import OccupationMatcher


@dataclass(frozen=True)
class SearchHit:
    slug: str
    score: float


def knowledge_profession(row: Profession) -> schema.Profession:
    """The database row as the knowledge dataclass the matcher is built from."""
    document = row.document
    return schema.Profession(
        slug=row.slug,
        training_type=row.training_type,
        name_masc=row.name_masc,
        name_fem=row.name_fem,
        name_short=row.name,
        name_en=row.name_en,
        synonyms=tuple(document.synonyms),
        duration_months=row.duration_months,
        kldb_code=row.kldb_code,
        field=row.field,
        certificate_typical=row.certificate_typical,
        certificate_required=row.certificate_required,
        subjects=tuple(document.subjects),
        riasec=row.riasec,
        legal_minimum_pay=row.legal_minimum_pay,
        pay_note=schema.LocalizedText(de=document.pay_note.de, en=document.pay_note.en)
        if document.pay_note
        else None,
        related=tuple(document.related),
        text={
            language: schema.ProfessionText(
                description=text.description, tasks=tuple(text.tasks), workplaces=tuple(text.workplaces)
            )
            for language, text in document.text.items()
        },
        regulation=schema.Regulation(
            year=document.regulation.year, title=document.regulation.title, source=document.regulation.source
        )
        if document.regulation
        else None,
    )


def _rows(session: Session) -> list[Profession]:
    return list(session.scalars(select(Profession).order_by(Profession.slug)))


def compute_search_key(session: Session) -> str:
    """A hash of every profession row's content (what the matcher is built from)."""
    digest = hashlib.sha256()
    for row in _rows(session):
        record = [
            row.slug,
            row.name,
            row.name_masc,
            row.name_fem,
            row.name_en,
            row.training_type,
            row.duration_months,
            row.field,
            row.riasec,
            row.kldb_code,
            row.certificate_typical,
            row.certificate_required,
            row.legal_minimum_pay,
            row.profile,
        ]
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def refresh_search_key(session: Session) -> str:
    """Record that the professions changed; call after writing them, before the commit."""
    session.flush()
    key = compute_search_key(session)
    write_meta(session, SEARCH_HASH, key)
    return key


class ProfessionSearch:
    """One matcher per process, rebuilt when the stored search key changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._matcher: OccupationMatcher | None = None
        self._size = 0

    def matcher(self, session: Session) -> tuple[OccupationMatcher, int]:
        # Without a stored key (rows written by hand) nothing can be trusted: build afresh.
        key = read_meta(session, SEARCH_HASH)
        with self._lock:
            if key is None or key != self._key or self._matcher is None:
                professions = [knowledge_profession(row) for row in _rows(session)]
                self._matcher = OccupationMatcher.from_professions(professions)
                self._size = len(professions)
                self._key = key
            return self._matcher, self._size

    def search(self, session: Session, query: str) -> list[SearchHit]:
        """Every occupation that fits `query`, best first (ties by slug), scores in 0..1."""
        matcher, size = self.matcher(session)
        if size == 0:
            return []
        return [
            SearchHit(slug=match.slug, score=round(min(1.0, max(0.0, match.score)), 4))
            for match in matcher.search(query, limit=size)
        ]

    def clear(self) -> None:
        with self._lock:
            self._key = None
            self._matcher = None
            self._size = 0


profession_search = ProfessionSearch()
