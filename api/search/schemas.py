"""Response schemas of GET /api/v1/search."""

from __future__ import annotations

from pydantic import Field

from api.core.schemas import LocalizedLabel, PublicSchema


class SearchHit(PublicSchema):
    kind: str = Field(description="profession, topic or rule")
    key: str = Field(description="The profession's slug, the topic key or the rule key")
    title: LocalizedLabel
    snippet: str = Field(description="A sentence of the document in the asked language that fits the query")


class SearchResults(PublicSchema):
    terms: list[str] = Field(description="The words searched for (empty: nothing to search in the query)")
    hits: list[SearchHit]
