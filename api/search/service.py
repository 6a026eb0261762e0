"""Searching the index: FTS5 on SQLite, tsvector on PostgreSQL; the same hits either way."""

from __future__ import annotations

import re
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.core.schemas import LocalizedLabel
from api.search.query import fts5_query, search_terms, tsquery_text
from api.search.schemas import SearchHit, SearchResults

Language = Literal["de", "en"]
SNIPPET_LENGTH = 160

# bm25 weights of the FTS5 columns title_de, title_en, terms, body_de, body_en (lower rank = better)
_SQLITE_SEARCH = text(
    """
    SELECT d.kind, d.key, d.title_de, d.title_en, d.body_de, d.body_en
    FROM search_index
    JOIN search_documents AS d ON d.id = search_index.rowid
    WHERE search_index MATCH :query
    ORDER BY bm25(search_index, 10.0, 10.0, 8.0, 1.0, 1.0), d.kind, d.key
    LIMIT :limit
    """
)
# titles and terms weigh A, the German body C, both bodies as plain words D (migration 0009)
_POSTGRES_SEARCH = text(
    """
    SELECT d.kind, d.key, d.title_de, d.title_en, d.body_de, d.body_en
    FROM search_documents AS d,
         (SELECT to_tsquery('german', :query) || to_tsquery('simple', :query) AS q) AS query
    WHERE d.search_vector @@ query.q
    ORDER BY ts_rank(d.search_vector, query.q) DESC, d.kind, d.key
    LIMIT :limit
    """
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def snippet(body: str, terms: list[str]) -> str:
    """The first sentence of `body` holding a search term (else the first one), at most
    SNIPPET_LENGTH characters, cut at a word."""
    sentences = [s for s in _SENTENCE_END.split(body.strip()) if s]
    if not sentences:
        return ""
    folded = [s.lower() for s in sentences]
    chosen = next(
        (sentence for sentence, low in zip(sentences, folded, strict=True) if any(t in low for t in terms)),
        sentences[0],
    )
    if len(chosen) <= SNIPPET_LENGTH:
        return chosen
    return chosen[:SNIPPET_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def search(session: Session, query: str, language: Language, limit: int) -> SearchResults:
    """Documents that fit the content words of `query`, best first (ties by kind and key)."""
    terms = search_terms(query)
    if not terms:
        return SearchResults(terms=[], hits=[])
    if session.get_bind().dialect.name == "postgresql":
        statement, expression = _POSTGRES_SEARCH, tsquery_text(terms)
    else:
        statement, expression = _SQLITE_SEARCH, fts5_query(terms)
    rows = session.execute(statement, {"query": expression, "limit": limit}).all()
    hits = []
    for kind, key, title_de, title_en, body_de, body_en in rows:
        body = (body_en or body_de) if language == "en" else (body_de or body_en)
        hits.append(
            SearchHit(
                kind=kind,
                key=key,
                title=LocalizedLabel(de=title_de, en=title_en),
                snippet=snippet(body, terms),
            )
        )
    return SearchResults(terms=terms, hits=hits)
