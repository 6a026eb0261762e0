"""The FastAPI application.

Start it with `uvicorn --factory api.main:create_app` (preferred) or `uvicorn api.main:app`;
`app` is built on first access (module `__getattr__`), so importing this module reads no
settings and opens nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.accounts.exceptions import AccountProblemError, make_account_problem_handler
from api.accounts.limits import LoginLimiter
from api.accounts.pages import pages as account_pages
from api.accounts.router import router as accounts_router
from api.admin.router import router as admin_router
from api.alerts.router import router as alerts_router
from api.auth.exceptions import UnauthorizedError, handle_unauthorized
from api.check.router import router as check_router
from api.classes.pages import page_router as class_pages_router
from api.classes.router import router as classes_router
from api.clerk.router import router as clerk_router
from api.companies.router import router as company_router
from api.contacts.router import router as contacts_router
from api.core.config import Settings, get_settings
from api.core.errors import install_problem_handlers
from api.core.headers import SecurityHeadersMiddleware
from api.core.limits import BodySizeLimitMiddleware, NulByteMiddleware
from api.core.openapi import install_openapi
from api.core.pages import ASSETS_PATH, STATIC_DIR
from api.core.timing import RequestTimingMiddleware
from api.dashboard.router import router as dashboard_router
from api.geo.router import router as geo_router
from api.health.router import router as health_router
from api.monitoring.router import router as monitoring_router
from api.offers.router import router as offers_router
from api.privacy.router import router as privacy_router
from api.professions.router import router as professions_router
from api.search.router import router as search_router
from api.share.router import pages_router as share_pages_router
from api.share.router import router as share_router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application. `settings` replaces `get_settings()` for every request (tests)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Berufslotse API",
        version="1.0.0",
        summary="Occupations and places for the Berufslotse career-guidance assistant.",
    )
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["*"],
        )
    # inside the body limit: it reads the (already bounded) body
    app.add_middleware(NulByteMiddleware)
    app.add_middleware(BodySizeLimitMiddleware)
    # added last, so it wraps everything, CORS answers and unhandled errors included
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.stage_timings:  # only the benchmark sets it
        app.add_middleware(RequestTimingMiddleware, folder=settings.stage_timings)
    install_problem_handlers(app)
    app.add_exception_handler(UnauthorizedError, handle_unauthorized)
    app.add_exception_handler(AccountProblemError, make_account_problem_handler(account_pages))
    app.state.login_limiter = LoginLimiter.from_settings(settings)
    app.include_router(health_router)
    app.include_router(professions_router)
    app.include_router(geo_router)
    app.include_router(offers_router)
    app.include_router(company_router)
    app.include_router(contacts_router)
    app.include_router(privacy_router)
    app.include_router(check_router)
    app.include_router(search_router)
    app.include_router(accounts_router)
    app.include_router(share_router)
    app.include_router(share_pages_router)
    app.include_router(classes_router)
    app.include_router(class_pages_router)
    app.include_router(dashboard_router)
    app.include_router(monitoring_router)
    app.include_router(clerk_router)
    app.include_router(admin_router)
    app.include_router(alerts_router)
    app.mount(ASSETS_PATH, StaticFiles(directory=STATIC_DIR), name="assets")
    install_openapi(app)
    return app


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    """`api.main.app`, created on first use for `uvicorn api.main:app`."""
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
