"""The benchmark's request timings in the API (api/core/timing.py): not installed by default;
with `stage_timings` set, each request writes one line named by its route template."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from api.core.config import Settings
from api.core.timing import RequestTimingMiddleware
from api.main import create_app


def test_the_middleware_is_not_installed_by_default(settings: Settings) -> None:
    app = create_app(settings)
    assert settings.stage_timings is None
    assert all(middleware.cls is not RequestTimingMiddleware for middleware in app.user_middleware)


def written_lines(folder: Path) -> tuple[str, list[dict[str, object]]]:
    [path] = folder.glob("api-*.jsonl")
    text = path.read_text()
    return text, [json.loads(line) for line in text.splitlines()]


async def test_each_request_writes_its_route_template_and_duration(
    settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings.model_copy(update={"stage_timings": str(tmp_path)}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/api/v1/professions/no-such-occupation")).status_code == 404
    text, lines = written_lines(tmp_path)
    assert [line["stage"] for line in lines] == [
        "api:GET /healthz",
        "api:GET /api/v1/professions/{slug} 404",
    ]
    assert all(float(str(line["ms"])) >= 0 for line in lines)
    assert "no-such-occupation" not in text  # the template, never the path
