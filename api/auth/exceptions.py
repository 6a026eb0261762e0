"""A missing or wrong credential: 401 problem+json with a `WWW-Authenticate: Bearer` challenge."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from api.core.errors import ProblemError, problem_response


class UnauthorizedError(ProblemError):
    """The same answer for a missing, malformed, unknown or revoked credential."""

    problem = "unauthorized"


async def handle_unauthorized(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnauthorizedError)
    return problem_response(
        request, exc.problem, exc.params, headers={"WWW-Authenticate": 'Bearer realm="berufslotse"'}
    )
