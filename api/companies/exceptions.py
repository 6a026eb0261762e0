"""Errors of the companies domain (texts in api/core/problems.yaml)."""

from __future__ import annotations

from api.core.errors import ProblemError


class CompanySuspendedError(ProblemError):
    """A suspended company's API key: it may neither read nor change anything."""

    problem = "company-suspended"
