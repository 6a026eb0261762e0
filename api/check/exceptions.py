"""Errors of the career-choice check (texts in api/core/problems.yaml)."""

from __future__ import annotations

from typing import Any

from api.core.errors import ProblemError


class CheckUnavailableError(ProblemError):
    """The item bank has not been loaded (`python -m api.cli load-knowledge`)."""

    problem = "check-unavailable"


class UnknownCheckItemError(ProblemError):
    problem = "unknown-check-item"

    def __init__(self, item_ids: list[str]) -> None:
        super().__init__(items=", ".join(item_ids))
        self.item_ids = item_ids

    def extensions(self) -> dict[str, Any]:
        return {"items": self.item_ids}


class ScoresMissingError(ProblemError):
    problem = "scores-missing"


class CheckResultNotFoundError(ProblemError):
    problem = "check-result-not-found"


class UnknownCertificateError(ProblemError):
    problem = "unknown-certificate"

    def __init__(self, value: str, allowed: list[str]) -> None:
        super().__init__(value=value, allowed=", ".join(allowed))
        self.allowed = allowed

    def extensions(self) -> dict[str, Any]:
        return {"parameter": "certificate", "allowed": self.allowed}


class UnknownMunicipalityError(ProblemError):
    problem = "unknown-place"

    def __init__(self, value: str) -> None:
        super().__init__(value=value)

    def extensions(self) -> dict[str, Any]:
        return {"parameter": "municipality"}
