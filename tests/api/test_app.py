"""The application shell: CORS, the OpenAPI description, an unreachable database."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.exc import OperationalError

from api.core.config import Environment, Settings, SettingsDep
from api.main import create_app


async def test_cors_allows_the_configured_origins_only(client: httpx.AsyncClient) -> None:
    allowed = await client.get("/healthz", headers={"Origin": "http://127.0.0.1:8080"})
    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:8080"
    other = await client.get("/healthz", headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in other.headers


async def test_openapi_describes_every_endpoint_with_a_response_schema(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in [
        "/api/v1/professions",
        "/api/v1/professions/{slug}",
        "/api/v1/fields",
        "/api/v1/municipalities",
        "/healthz",
    ]:
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema, path
    assert "ProfessionPublic" in spec["components"]["schemas"]


async def test_an_unreachable_database_is_a_503_problem() -> None:
    settings = Settings(
        environment=Environment.TEST,
        # Port 9 (discard) on the loopback interface: nothing listens there.
        database_url="postgresql+psycopg://nobody:nothing@127.0.0.1:9/none?connect_timeout=2",
        api_admin_token=SecretStr("test-admin-token"),
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/v1/municipalities")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/database-unavailable"
    assert "nothing" not in body["detail"]  # no connection details leak
    assert body["detail_de"].startswith("Die Datenbank ist gerade nicht erreichbar")


async def test_an_unexpected_error_is_a_500_problem_without_internals() -> None:
    settings = Settings(
        environment=Environment.TEST, database_url="sqlite://", api_admin_token=SecretStr("test-admin-token")
    )
    app = create_app(settings)

    def broken() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/broken", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/internal-error"
    assert "secret" not in response.text


async def test_errors_are_logged_by_route_and_type_without_content(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        environment=Environment.TEST, database_url="sqlite://", api_admin_token=SecretStr("test-admin-token")
    )
    app = create_app(settings)

    def broken(pupil_ref: str, note: str) -> None:
        raise RuntimeError(f"failed for {pupil_ref}: {note}")

    def database_down(pupil_ref: str) -> None:
        statement = "SELECT * FROM contact_requests WHERE pupil_ref = ?"
        raise OperationalError(statement, (pupil_ref,), ConnectionRefusedError("refused"))

    app.add_api_route("/broken/{pupil_ref}", broken)
    app.add_api_route("/down/{pupil_ref}", database_down)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.INFO):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/broken/web-pupil-123", params={"note": "Erika"})).status_code == 500
            assert (await client.get("/down/web-pupil-123")).status_code == 503
    # the server's log, without the test client's own request lines
    server_log = "\n".join(record.getMessage() for record in caplog.records if record.name != "httpx")
    assert "unhandled error on GET /broken/{pupil_ref}: RuntimeError" in server_log
    assert "database unavailable on GET /down/{pupil_ref}: ConnectionRefusedError" in server_log
    assert "web-pupil-123" not in server_log and "Erika" not in server_log


async def test_the_app_reads_its_own_settings_without_dependency_overrides(settings: Settings) -> None:
    """With any override in place FastAPI analyses every dependency anew on every request."""
    changed = settings.model_copy(update={"contact_retention_days": 17})
    app = create_app(changed)
    assert app.dependency_overrides == {}

    @app.get("/settings-probe")
    def probe(given: SettingsDep) -> str:
        return str(given.contact_retention_days)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/settings-probe")
    assert response.json() == "17"
