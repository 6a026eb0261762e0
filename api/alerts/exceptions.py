"""Errors of saved searches (texts in api/core/problems.yaml)."""

from __future__ import annotations

from typing import Any

from api.core.errors import ProblemError
from api.offers.exceptions import UnknownPlaceError


class SavedSearchNeedsSubjectError(ProblemError):
    problem = "saved-search-needs-subject"


class UnknownTopicError(ProblemError):
    problem = "unknown-topic"

    def __init__(self, value: str, allowed: list[str]) -> None:
        super().__init__(value=value, allowed=", ".join(allowed))

    def extensions(self) -> dict[str, Any]:
        return {"parameter": "topic"}


class UnknownSearchPlaceError(UnknownPlaceError):
    def extensions(self) -> dict[str, Any]:
        return {"parameter": "place"}


class SavedSearchLimitError(ProblemError):
    problem = "saved-search-limit"

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)
        self.limit = limit

    def extensions(self) -> dict[str, Any]:
        return {"limit": self.limit}


class SavedSearchExistsError(ProblemError):
    problem = "saved-search-exists"

    def __init__(self, search_id: int) -> None:
        super().__init__(search_id=search_id)
        self.search_id = search_id

    def extensions(self) -> dict[str, Any]:
        return {"search_id": self.search_id}


class SavedSearchNotFoundError(ProblemError):
    problem = "saved-search-not-found"

    def __init__(self, search_id: int) -> None:
        super().__init__(search_id=search_id)
