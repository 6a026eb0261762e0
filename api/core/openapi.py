"""The OpenAPI document lists the errors the API really sends, as application/problem+json.

FastAPI documents a 422 as `application/json` with its own error shape; our handlers answer every
error as a problem (api/core/errors.py). So every operation gets: 422 (invalid request), 500 and
503 (database unavailable); operations with a security scheme 401; operations with a path
parameter 404; operations with a body 413 (api/core/limits.py); operations that declare more in
`responses=` keep them, with the problem body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.core.errors import PROBLEM_MEDIA_TYPE, problem_catalogue

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error (RFC 9457); `detail_de` says the same in German.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance", "detail_de"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "examples": ["/problems/not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "detail_de": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "With 422 invalid-request: one entry per invalid field",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or wrong bearer token",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "The request body is too large",
    422: "Invalid request",
    500: "Internal error",
    503: "The database (or a service it needs) is unavailable",
}


def _problem_response(status: int, existing: dict[str, Any] | None) -> dict[str, Any]:
    names = sorted(name for name, text in problem_catalogue().items() if text.status == status)
    description = (existing or {}).get("description") or DESCRIPTIONS.get(status, "Error")
    if description == "Validation Error":
        description = DESCRIPTIONS[422]
    return {
        "description": f"{description} (problem types: {', '.join(names)})" if names else description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Rewrite the error responses of every operation in `spec` (in place) and return it."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            statuses = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            statuses |= {422, 500, 503}
            if operation.get("security"):
                statuses.add(401)
            if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
                statuses.add(404)
            if "requestBody" in operation:
                statuses.add(413)
            for status in sorted(statuses):
                responses[str(status)] = _problem_response(status, responses.get(str(status)))
    # FastAPI's own error shapes are never sent
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return spec


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = document_problems(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
