"""A limit on request bodies, before anything reads them (a plain ASGI middleware).

The largest legitimate body is an offer with a 4,000-character description; 64 KiB leaves room
for JSON escapes. A bigger body is a 413 problem, whether it declares its length or is chunked,
and the API never holds more than the limit of it in memory.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import problem_response

MAX_BODY_BYTES = 64 * 1024
# A clerk's upload of a Bundesagentur job search file (a few hundred offers) may be larger.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_PATHS = frozenset({"/company/import"})


class BodySizeLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        upload_max_bytes: int = UPLOAD_MAX_BYTES,
        upload_paths: frozenset[str] = UPLOAD_PATHS,
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_max_bytes if scope.get("path") in self.upload_paths else self.default_max_bytes
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > max_bytes:
                await self._refuse(scope, receive, send, max_bytes)
                return
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read up to the limit, then hand the body on.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > max_bytes:
                await self._refuse(scope, receive, send, max_bytes)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = problem_response(Request(scope), "request-too-large", {"limit": max_bytes})
        await response(scope, receive, send)


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class NulByteMiddleware:
    """A request with a NUL byte in its path, its query ("%00") or its body (a JSON "\\u0000", a
    form's "%00") is a 422 problem before anything reads it: PostgreSQL text cannot hold NUL, so such
    a value would otherwise fail in the database (a 500), and no legitimate name, place or text
    contains one.
    It sits inside `BodySizeLimitMiddleware`, so the body it reads is already bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        fields = [name for name, value in request.query_params.multi_items() if "\x00" in name + value]
        if "\x00" in scope.get("path", ""):
            fields.insert(0, "path")
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(message.get("body", b"") for message in messages)
        if b"\x00" in body or b"\\u0000" in body or (_is_form(request) and b"%00" in body):
            fields.append("body")
        if fields:
            errors = [
                {
                    "field": field,
                    "location": field if field in ("path", "body") else "query",
                    "message": "NUL byte",
                }
                for field in dict.fromkeys(fields)
            ]
            response = problem_response(
                request,
                "invalid-request",
                {"fields": ", ".join(error["field"] for error in errors)},
                extensions={"errors": errors},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(messages, receive), send)
