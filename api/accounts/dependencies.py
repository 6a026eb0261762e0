"""Who is signed in, and may they do this: `SignedInDep`, `require_role(...)`, the CSRF checks and
the cookies.

Every request with an unsafe method (POST, PUT, PATCH, DELETE) that passes `signed_in` must carry
the session's CSRF token, as the form field `csrf_token` or the header `X-CSRF-Token`; so a route
that requires a role is protected against cross-site requests by construction. The login forms,
before any session exists, are bound to a pre-session cookie instead (`require_form_csrf`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from api.accounts import credentials, service
from api.accounts.exceptions import CsrfError, ForbiddenError, SignInRequiredError
from api.accounts.limits import LoginLimiter
from api.accounts.models import Account, AccountSession, Role
from api.core.config import Settings, SettingsDep
from api.core.db import SessionDep

SESSION_COOKIE = "berufslotse_session"
FORM_COOKIE = "berufslotse_form"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: AccountSession
    # for the forms of the page (and the X-CSRF-Token header of scripts)
    csrf_token: str


async def submitted_csrf_token(request: Request) -> str:
    """The CSRF token a request carries (header first, then the form field); "" when none.

    Async because reading a form is; Starlette keeps the parsed form for the route's own fields.
    """
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in UNSAFE_METHODS and content_type in FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


SubmittedCsrfDep = Annotated[str, Depends(submitted_csrf_token)]


def cookie_is_secure(request: Request, settings: Settings) -> bool:
    if settings.session_cookie_secure is not None:
        return settings.session_cookie_secure
    return request.url.scheme == "https"


def signed_in(
    request: Request, session: SessionDep, settings: SettingsDep, submitted: SubmittedCsrfDep
) -> SignedIn:
    """The person of the session cookie; 401 (or the login page) without one, 403 on a bad CSRF token."""
    token = request.cookies.get(SESSION_COOKIE, "")
    active = service.find_session(session, token, settings)
    if active is None:
        raise SignInRequiredError()
    secret = settings.account_secret.get_secret_value()
    if request.method in UNSAFE_METHODS and not credentials.csrf_matches(secret, token, submitted):
        raise CsrfError()
    return SignedIn(
        account=active.account, session=active.row, csrf_token=credentials.csrf_token(secret, token)
    )


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def require_role(*roles: Role) -> Callable[[SignedIn], SignedIn]:
    """A dependency that lets only accounts of `roles` through (403 for any other signed-in role).

    Roles do not nest: an admin is not an advisor, so an advisor's classes stay the advisor's.
    """
    allowed = frozenset(role.value for role in roles)

    def check_role(person: SignedInDep) -> SignedIn:
        if person.account.role not in allowed:
            raise ForbiddenError()
        return person

    return check_role


def optional_signed_in(request: Request, session: SessionDep, settings: SettingsDep) -> SignedIn | None:
    """The signed-in person for pages anybody may see (the login page), else None; never raises."""
    token = request.cookies.get(SESSION_COOKIE, "")
    active = service.find_session(session, token, settings)
    if active is None:
        return None
    secret = settings.account_secret.get_secret_value()
    return SignedIn(
        account=active.account, session=active.row, csrf_token=credentials.csrf_token(secret, token)
    )


OptionalSignedInDep = Annotated[SignedIn | None, Depends(optional_signed_in)]


# --- the pre-session form cookie (login forms) ------------------------------------------------


def form_cookie(request: Request) -> str:
    """The browser's pre-session cookie, or a new value for it (set by `keep_form_cookie`)."""
    value = request.cookies.get(FORM_COOKIE, "")
    return value if credentials.is_token(value) else credentials.new_token()


def keep_form_cookie(response: Response, request: Request, settings: Settings, value: str) -> None:
    if request.cookies.get(FORM_COOKIE) != value:
        response.set_cookie(
            FORM_COOKIE,
            value,
            httponly=True,
            samesite="lax",
            secure=cookie_is_secure(request, settings),
            path="/",
        )


def require_form_csrf(request: Request, settings: SettingsDep, submitted: SubmittedCsrfDep) -> None:
    """A login form's token must match the browser's pre-session cookie."""
    binding = request.cookies.get(FORM_COOKIE, "")
    secret = settings.account_secret.get_secret_value()
    if not credentials.is_token(binding) or not credentials.csrf_matches(secret, binding, submitted):
        raise CsrfError()


def form_csrf_token(settings: Settings, binding: str) -> str:
    return credentials.csrf_token(settings.account_secret.get_secret_value(), binding)


# --- the session cookie -----------------------------------------------------------------------


def set_session_cookie(response: Response, request: Request, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request, settings),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=cookie_is_secure(request, settings), path="/"
    )


def login_limiter(request: Request) -> LoginLimiter:
    """The application's limiter (built in create_app from the settings; tests may replace it)."""
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


LoginLimiterDep = Annotated[LoginLimiter, Depends(login_limiter)]


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: uvicorn's --proxy-headers)."""
    return request.client.host if request.client else "unknown"
