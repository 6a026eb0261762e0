"""Errors of sharing (texts in api/core/problems.yaml)."""

from __future__ import annotations

from typing import Any

from api.core.errors import ProblemError


class HandoffChangedError(ProblemError):
    """What would be sent now differs from what the pupil confirmed (a new result, a class ended)."""

    problem = "handoff-changed"


class UnknownOccupationError(ProblemError):
    problem = "unknown-occupation"

    def __init__(self, slugs: list[str]) -> None:
        super().__init__(slugs=", ".join(slugs))
        self.slugs = slugs

    def extensions(self) -> dict[str, Any]:
        return {"slugs": self.slugs}


class ResultLinkExpiredError(ProblemError):
    problem = "result-link-expired"
