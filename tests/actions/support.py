"""Test support for the actions: a stand-in API behind httpx.MockTransport, the tracker factory type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from rasa_sdk import Tracker

TrackerFactory = Callable[..., Tracker]


@dataclass
class FakeApi:
    """Answers like the real API from the fixtures and records every request it got."""

    profiles: Mapping[str, Mapping[str, Any]]
    search_results: Mapping[str, Mapping[str, Any]]
    down: bool = False
    # paths that fail as if the server went away in the middle of an answer
    failing_paths: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down or request.url.path in self.failing_paths:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path == "/api/v1/professions":
            query = request.url.params.get("q", "").lower()  # the real search ignores case
            empty: Mapping[str, Any] = {"items": [], "total": 0}
            return httpx.Response(200, json=self.search_results.get(query, empty))
        prefix = "/api/v1/professions/"
        if path.startswith(prefix) and path[len(prefix) :] in self.profiles:
            return httpx.Response(200, json=self.profiles[path[len(prefix) :]])
        return httpx.Response(
            404,
            json={"type": "about:blank", "title": "Not Found", "status": 404},
            headers={"content-type": "application/problem+json"},
        )

    @property
    def paths(self) -> list[str]:
        """Path and query of each request, e.g. "/api/v1/professions?q=koch&limit=6"."""
        return [request.url.raw_path.decode("ascii") for request in self.requests]
