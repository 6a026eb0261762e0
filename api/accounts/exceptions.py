"""Failures of signing in and of reaching a page, answered for a browser as a page (or a redirect to
the login) and for any other client as problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import URL

from api.core.errors import ProblemError, problem_catalogue, problem_response
from api.core.pages import Pages, pick_language, wants_html


class AccountProblemError(ProblemError):
    """Base of the problems below; one handler renders them all."""

    def headers(self) -> dict[str, str]:
        return {}


class SignInRequiredError(AccountProblemError):
    """No valid session (none, expired, ended by logout)."""

    problem = "sign-in-required"


class ForbiddenError(AccountProblemError):
    """Signed in, but the account's role may not use this page or endpoint."""

    problem = "forbidden"


class CsrfError(AccountProblemError):
    """A state-changing request without the right CSRF token."""

    problem = "csrf-failed"


class TooManyAttemptsError(AccountProblemError):
    problem = "too-many-attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(minutes=max(1, -(-retry_after // 60)))
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class AccountError(ValueError):
    """An account cannot be created as asked; `code` names the reason, the message says it in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, which brings the person back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = URL("/login").include_query_params(next=target, lang=pick_language(request))
    return RedirectResponse(str(url), status_code=303)


def make_account_problem_handler(pages: Pages) -> Any:
    async def handle_account_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AccountProblemError)
        if wants_html(request):
            if isinstance(exc, SignInRequiredError) and request.method in ("GET", "HEAD"):
                return login_redirect(request)
            text = problem_catalogue()[exc.problem]
            language = pick_language(request)
            message = (text.detail_de if language == "de" else text.detail_en).format(**exc.params)
            return pages.render(
                request, "problem.html", status=text.status, headers=exc.headers(), message=message
            )
        return problem_response(request, exc.problem, exc.params, headers=exc.headers() or None)

    return handle_account_problem
