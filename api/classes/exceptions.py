"""Problems of joining a class, answered as problem+json (texts in api/core/problems.yaml)."""

from __future__ import annotations

from api.core.errors import ProblemError


class ClassCodeUnknownError(ProblemError):
    """No session has this code (or it was already deleted)."""

    problem = "class-code-unknown"


class ClassSessionEndedError(ProblemError):
    """The session of this code has ended: the advisor ended it, or its time ran out."""

    problem = "class-session-ended"


class NotInClassError(ProblemError):
    """The pupil is in no class."""

    problem = "not-in-class"
