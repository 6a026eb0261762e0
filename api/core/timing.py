"""Request timings for the benchmark (`make bench`), off unless BERUFSLOTSE_STAGE_TIMINGS is set.

When the setting names a folder, every HTTP request's duration inside the API (from the first
middleware to the last byte of the answer) is appended as one JSON line to
`<folder>/api-<pid>.jsonl`: `{"stage": "api:GET /api/v1/professions/{slug}", "ms": 3.1}`. The
route is the template, never the path: a pupil's reference in a path stays out of the file. The
bench (scripts/bench_stages.py) reads the lines beside those of Rasa and the action server
(bot/stage_timing.py writes the same format). Without the setting the middleware is not added.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestTimingMiddleware:
    def __init__(self, app: ASGIApp, folder: str) -> None:
        self.app = app
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def _write(self, stage: str, ms: float) -> None:
        line = json.dumps({"stage": stage, "ms": round(ms, 3)}, separators=(",", ":")) + "\n"
        with self._lock:
            # opened on first use, in the worker process that serves the request
            path = self.folder / f"api-{os.getpid()}.jsonl"
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as file:
                file.write(line)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(no route)"
            stage = f"api:{scope.get('method', '?')} {template}"
            if status >= 400:
                stage += f" {status}"
            self._write(stage, (time.perf_counter() - started) * 1000)
