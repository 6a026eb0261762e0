"""Errors of the offers domain (texts in api/core/problems.yaml).

A company clerk fixing a form wants every problem at once, so checks collect `Violation`s and
raise one `RejectedError` whose body lists them all (`errors`), each with its own problem type
and German text; `detail`/`detail_de` join them into one readable message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from api.core.errors import ProblemError, problem_catalogue


@dataclass(frozen=True)
class Violation:
    """One broken rule: the field (as named in the request body), the problem, its placeholders."""

    field: str
    problem: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def render(self) -> dict[str, str]:
        text = problem_catalogue()[self.problem]
        return {
            "field": self.field,
            "type": f"/problems/{self.problem}",
            "detail": text.detail_en.format(**self.params),
            "detail_de": text.detail_de.format(**self.params),
        }


class Reasons:
    """The violations' texts as one placeholder value: `{reasons:en}` and `{reasons:de}` in
    problems.yaml pick the language, so both templates name the same placeholder."""

    def __init__(self, english: str, german: str) -> None:
        self.english = english
        self.german = german

    def __format__(self, language: str) -> str:
        return self.german if language == "de" else self.english


class RejectedError(ProblemError):
    """Several violations at once; subclasses name the umbrella problem."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        rendered = [violation.render() for violation in self.violations]
        reasons = Reasons(
            " ".join(item["detail"] for item in rendered), " ".join(item["detail_de"] for item in rendered)
        )
        super().__init__(reasons=reasons)
        self.rendered = rendered

    def extensions(self) -> dict[str, Any]:
        return {"errors": self.rendered}


class OfferRejectedError(RejectedError):
    problem = "offer-rejected"


class OfferNotFoundError(ProblemError):
    problem = "offer-not-found"

    def __init__(self, offer_id: int) -> None:
        super().__init__(offer_id=offer_id)


class UnknownPlaceError(ProblemError):
    problem = "unknown-place"

    def __init__(self, value: str) -> None:
        super().__init__(value=value)

    def extensions(self) -> dict[str, Any]:
        return {"parameter": "near"}


class UnknownProfessionError(ProblemError):
    problem = "unknown-profession"

    def __init__(self, value: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(value=value)
        self.suggestions = list(suggestions)

    def extensions(self) -> dict[str, Any]:
        return {"parameter": "profession", "suggestions": self.suggestions}
