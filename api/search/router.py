"""GET /api/v1/search: the knowledge (professions; topics and rules once loaded) by free text."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.core.db import SessionDep
from api.search import service
from api.search.schemas import SearchResults

router = APIRouter(prefix="/api/v1", tags=["search"])


@router.get("/search", response_model=SearchResults)
def search_knowledge(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=300, description="A pupil's message as typed")],
    lang: Annotated[Literal["de", "en"], Query(description="Language of the snippets")] = "de",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SearchResults:
    """Ranked documents that fit the content words of `q`; no hits when `q` has none."""
    return service.search(session, q, lang, limit)
