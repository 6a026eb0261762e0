"""Errors of the professions domain (texts in api/core/problems.yaml)."""

from __future__ import annotations

from api.core.errors import ProblemError


class ProfessionNotFoundError(ProblemError):
    problem = "profession-not-found"

    def __init__(self, slug: str) -> None:
        super().__init__(slug=slug)
        self.slug = slug
