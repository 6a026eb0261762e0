"""Named exceptions and their rendering as application/problem+json (RFC 9457).

A problem body carries `type`, `title`, `status`, `detail` (English), `instance` (the path that
failed) and `detail_de` (the same in German, for clerks). The texts live in `problems.yaml`; an
exception names its problem and supplies the values for the placeholders. Problem types are URI
references relative to the API (`/problems/<name>`), which RFC 9457 allows.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Any, ClassVar

import yaml
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
CATALOGUE_PATH = Path(__file__).with_name("problems.yaml")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemText:
    status: int
    title: str
    detail_en: str
    detail_de: str


@lru_cache
def problem_catalogue() -> dict[str, ProblemText]:
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return {
        name: ProblemText(
            status=int(entry["status"]),
            title=str(entry["title"]),
            detail_en=str(entry["detail"]["en"]),
            detail_de=str(entry["detail"]["de"]),
        )
        for name, entry in raw.items()
    }


class ProblemError(Exception):
    """A failure reported to the client; subclasses name their entry in `problems.yaml`."""

    problem: ClassVar[str] = "internal-error"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.text().detail_en.format(**params))

    @classmethod
    def text(cls) -> ProblemText:
        return problem_catalogue()[cls.problem]

    def extensions(self) -> dict[str, Any]:
        """Extra members of the problem body (machine-readable details)."""
        return {}


class InvalidFilterError(ProblemError):
    problem = "invalid-filter"

    def __init__(self, name: str, value: str, allowed: list[str]) -> None:
        super().__init__(name=name, value=value, allowed=", ".join(allowed))
        self.name = name
        self.allowed = allowed

    def extensions(self) -> dict[str, Any]:
        return {"parameter": self.name, "allowed": self.allowed}


def problem_response(
    request: Request,
    problem: str,
    params: dict[str, Any] | None = None,
    *,
    status: int | None = None,
    extensions: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    text = problem_catalogue()[problem]
    values = params or {}
    status = status or text.status
    instance = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body: dict[str, Any] = {
        "type": f"/problems/{problem}",
        "title": text.title,
        "status": status,
        "detail": text.detail_en.format(**values),
        "instance": instance,
        "detail_de": text.detail_de.format(**values),
        **(extensions or {}),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """`("query", "limit")` -> `limit`; body fields keep their path (`body.names.en`)."""
    parts = [str(part) for part in location]
    if parts and parts[0] in {"query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "request"


async def handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.problem, exc.params, extensions=exc.extensions())


async def handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_name(error["loc"]), "location": str(error["loc"][0]), "message": error["msg"]}
        for error in exc.errors()
    ]
    fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
    return problem_response(request, "invalid-request", {"fields": fields}, extensions={"errors": errors})


async def handle_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == HTTPStatus.NOT_FOUND:
        return problem_response(request, "not-found", {"path": request.url.path}, headers=headers)
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        params = {"path": request.url.path, "method": request.method}
        return problem_response(request, "method-not-allowed", params, headers=headers)
    return problem_response(
        request, "http-error", {"status": exc.status_code}, status=exc.status_code, headers=headers
    )


def _route(request: Request) -> str:
    """The route's template (`/api/v1/privacy/conversations/{pupil_ref}`), never the filled-in
    path: paths and queries can carry a pupil's pseudonym."""
    route = request.scope.get("route")
    return str(getattr(route, "path", None) or "(no route)")


async def handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # the exception's text holds the SQL statement and its parameters (names, emails): type only
    cause = getattr(exc, "orig", None) or exc
    logger.error("database unavailable on %s %s: %s", request.method, _route(request), type(cause).__name__)
    return problem_response(request, "database-unavailable")


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # stack frames and the type, without the exception's message (it may quote the request)
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "unhandled error on %s %s: %s\n%s", request.method, _route(request), type(exc).__name__, frames
    )
    return problem_response(request, "internal-error")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, handle_problem)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(StarletteHTTPException, handle_http)
    app.add_exception_handler(OperationalError, handle_database_unavailable)
    app.add_exception_handler(Exception, handle_unexpected)
