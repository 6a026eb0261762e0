"""Small fakes of what the bridge talks to besides Telegram: Rasa's REST channel (with an image
route, like the chart URLs the actions hand out) and the API's privacy endpoint.

Both run as real HTTP servers in a thread (see tests/channels/fake_telegram.py), so the bridge
uses exactly the code paths it uses against the real stack.
"""

from __future__ import annotations

import asyncio
import struct
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.channels.fake_telegram import BackgroundServer

JSON = dict[str, Any]


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid PNG (solid teal), small enough to compare byte for byte."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x00\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


CHART_PNG = tiny_png()


@dataclass(frozen=True)
class RasaRequest:
    sender: str
    message: str
    metadata: JSON
    raw: bytes


RasaMode = Literal["normal", "error", "slow"]


# Enough of a PDF for the bridge, which only passes the bytes on.
RESULT_PDF = b"%PDF-1.7\n% Mein Ergebnis\n%%EOF\n"


@dataclass
class FakeRasa:
    """POST /webhooks/rest/webhook answers from a script: `replies[message]`, else `default`.
    `mode` "error" answers 503, "slow" waits `slow_seconds` before answering."""

    replies: dict[str, list[JSON]] = field(default_factory=dict)
    default: list[JSON] = field(default_factory=lambda: [{"text": "Alles klar."}])
    mode: RasaMode = "normal"
    slow_seconds: float = 5.0
    # Per message: seconds to think before answering (to see concurrency and ordering).
    delays: dict[str, float] = field(default_factory=dict)
    _received: list[RasaRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: BackgroundServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return self._server.url

    def image_url(self, name: str) -> str:
        return f"{self.url}/images/{name}"

    def received(self) -> list[RasaRequest]:
        with self._lock:
            return list(self._received)

    def reset(self) -> None:
        with self._lock:
            self.replies = {}
            self.default = [{"text": "Alles klar."}]
            self.mode = "normal"
            self.slow_seconds = 5.0
            self.delays = {}
            self._received.clear()

    def messages(self) -> list[str]:
        return [request.message for request in self.received()]

    def __enter__(self) -> FakeRasa:
        app = Starlette(
            routes=[
                Route("/webhooks/rest/webhook", self._webhook, methods=["POST"]),
                Route("/images/{name}", self._image, methods=["GET"]),
            ]
        )
        self._server = BackgroundServer(app).start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.stop()

    async def _webhook(self, request: Request) -> Response:
        raw = await request.body()
        body = await request.json()
        with self._lock:
            self._received.append(
                RasaRequest(str(body["sender"]), str(body["message"]), dict(body.get("metadata") or {}), raw)
            )
            mode = self.mode
            replies = self.replies.get(str(body["message"]), self.default)
            delay = self.slow_seconds if mode == "slow" else self.delays.get(str(body["message"]), 0.0)
        if mode == "error":
            return PlainTextResponse("Service Unavailable", status_code=503)
        await asyncio.sleep(delay)
        return JSONResponse([{"recipient_id": body["sender"], **reply} for reply in replies])

    async def _image(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "chart.png":
            return Response(CHART_PNG, media_type="image/png")
        if name == "result.pdf":
            return Response(RESULT_PDF, media_type="application/pdf")
        if name == "page.html":
            return Response("<html></html>", media_type="text/html")
        return Response(status_code=404)


ApiMode = Literal["deleted", "unknown", "missing_route", "error"]


@dataclass
class FakeApi:
    """DELETE /api/v1/privacy/conversations/{sender_id} as the API will answer it: 204 when deleted,
    404 problem+json for an unknown conversation, 500 on failure; "missing_route" is an API that
    has no such endpoint yet (FastAPI's bare 404)."""

    mode: ApiMode = "deleted"
    # Due alerts, handed out once by POST /api/v1/alerts/telegram/claim (as the API claims them).
    alerts: list[dict[str, Any]] = field(default_factory=list)
    _deleted: list[str] = field(default_factory=list)
    _authorization: list[str | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: BackgroundServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return self._server.url

    def deleted(self) -> list[str]:
        with self._lock:
            return list(self._deleted)

    def authorization(self) -> list[str | None]:
        with self._lock:
            return list(self._authorization)

    def reset(self) -> None:
        with self._lock:
            self.mode = "deleted"
            self._deleted.clear()
            self._authorization.clear()
            self.alerts.clear()

    def __enter__(self) -> FakeApi:
        app = Starlette(
            routes=[
                Route("/api/v1/privacy/conversations/{sender_id}", self._delete, methods=["DELETE"]),
                Route("/api/v1/alerts/telegram/claim", self._claim_alerts, methods=["POST"]),
            ]
        )
        self._server = BackgroundServer(app).start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.stop()

    async def _claim_alerts(self, request: Request) -> Response:
        limit = int(request.query_params.get("limit", "20"))
        with self._lock:
            self._authorization.append(request.headers.get("authorization"))
            claimed, self.alerts[:] = self.alerts[:limit], self.alerts[limit:]
        return JSONResponse(claimed)

    async def _delete(self, request: Request) -> Response:
        sender_id = request.path_params["sender_id"]
        with self._lock:
            self._authorization.append(request.headers.get("authorization"))
            mode = self.mode
        if mode == "missing_route":
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        if mode == "unknown":
            problem = {"type": "about:blank", "title": "Conversation not found", "status": 404}
            return JSONResponse(problem, status_code=404, media_type="application/problem+json")
        if mode == "error":
            problem = {"type": "about:blank", "title": "Internal error", "status": 500}
            return JSONResponse(problem, status_code=500, media_type="application/problem+json")
        with self._lock:
            self._deleted.append(sender_id)
        return Response(status_code=204)
