"""The account pages: /login (password, or a link by email), /login/link (a one-time link),
/logout, /account, the advisor's start page /advisor, and /admin/accounts (create and invite).

Pages, not API: they are left out of the OpenAPI document. Every form carries a CSRF token; the
login forms bind it to a pre-session cookie, every other form to the session (dependencies.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.accounts import credentials, mail, service
from api.accounts.dependencies import (
    SESSION_COOKIE,
    LoginLimiterDep,
    OptionalSignedInDep,
    SignedIn,
    SignedInDep,
    clear_session_cookie,
    client_address,
    form_cookie,
    form_csrf_token,
    keep_form_cookie,
    require_form_csrf,
    require_role,
    set_session_cookie,
)
from api.accounts.exceptions import AccountError, TooManyAttemptsError
from api.accounts.models import Account, LinkPurpose, Role
from api.accounts.pages import pages
from api.companies.models import Company
from api.core.config import Settings, SettingsDep
from api.core.db import SessionDep, session_factory_for
from api.core.models import utc_now
from api.core.pages import pick_language
from api.notifications.service import SmtpConfig

router = APIRouter(include_in_schema=False)

AdvisorDep = Annotated[SignedIn, Depends(require_role(Role.ADVISOR))]
AdminDep = Annotated[SignedIn, Depends(require_role(Role.ADMIN))]
FormCsrf = Depends(require_form_csrf)
# Generous bounds: anything longer is a 422 problem before it is looked at; the pages check the
# real limits with messages of their own.
EmailField = Annotated[str, Form(max_length=1000)]
PasswordField = Annotated[str, Form(max_length=4096)]
TokenField = Annotated[str, Form(max_length=200)]
NextField = Annotated[str, Form(alias="next", max_length=2000)]


def account_background_sessions(settings: SettingsDep) -> Callable[[], AbstractContextManager[Session]]:
    """Sessions for work done after the response (the request's own session is closed by then)."""
    return session_factory_for(settings.database_url)


BackgroundSessionsDep = Annotated[
    Callable[[], AbstractContextManager[Session]], Depends(account_background_sessions)
]


def safe_next(target: str) -> str | None:
    """`target` when it is a path on this site (never another site: "//evil", "/\\evil", "https:")."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return None
    if any(character.isspace() or ord(character) < 32 for character in target):
        return None
    return target


def with_language(request: Request, path: str) -> str:
    """`path` in the page's language (German needs no parameter)."""
    language = pick_language(request)
    if language == "de" or "lang=" in path:
        return path
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def render_login(
    request: Request,
    settings: Settings,
    *,
    status: int = 200,
    email: str = "",
    link_email: str = "",
    next_page: str = "",
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    binding = form_cookie(request)
    response = pages.render(
        request,
        "login.html",
        status=status,
        csrf_token=form_csrf_token(settings, binding),
        email=email,
        link_email=link_email,
        next=next_page,
        errors=errors or {},
        form_error=form_error,
        notice=notice,
    )
    keep_form_cookie(response, request, settings, binding)
    return response


def signed_in_redirect(request: Request, settings: Settings, token: str, target: str) -> RedirectResponse:
    """After signing in: a fresh session cookie, and on to `target`."""
    response = RedirectResponse(with_language(request, target), status_code=303)
    set_session_cookie(response, request, settings, token)
    return response


@router.get("/login")
def login_page(
    request: Request,
    settings: SettingsDep,
    person: OptionalSignedInDep,
    next_page: Annotated[str, Query(alias="next", max_length=2000)] = "",
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    if person is not None and done != "signed-out":
        return RedirectResponse(
            with_language(request, safe_next(next_page) or service.home_page(person.account)), status_code=303
        )
    t = pages.strings(pick_language(request))
    notice = t["signed_out_notice"] if done == "signed-out" else None
    return render_login(request, settings, next_page=safe_next(next_page) or "", notice=notice)


@router.post("/login", dependencies=[FormCsrf])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LoginLimiterDep,
    email: EmailField = "",
    password: PasswordField = "",
    next_page: NextField = "",
) -> Response:
    """Password sign-in. Unknown email and wrong password get the same answer, after the same work."""
    t = pages.strings(pick_language(request))
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = t["error_email_missing"]
    if not password:
        errors["password"] = t["error_password_missing"]
    next_page = safe_next(next_page) or ""
    if errors:
        return render_login(
            request, settings, status=422, email=email[:254], next_page=next_page, errors=errors
        )
    key = credentials.normalize_email(email)[: credentials.EMAIL_MAX_LENGTH]
    address = client_address(request)
    wait = limiter.retry_after(key, address)
    if wait is not None:
        raise TooManyAttemptsError(wait)
    account = None
    if len(password) <= credentials.PASSWORD_MAX_LENGTH:
        account = service.authenticate(session, email, password, credentials.hasher_for(settings))
    if account is None:
        limiter.failed(key, address)
        return render_login(
            request,
            settings,
            status=422,
            email=email[:254],
            next_page=next_page,
            form_error=t["error_credentials"],
        )
    limiter.succeeded(key)
    service.end_session(session, request.cookies.get(SESSION_COOKIE, ""))  # no session fixation
    token = service.start_session(session, account, settings)
    session.commit()
    return signed_in_redirect(request, settings, token, next_page or service.home_page(account))


def send_sign_in_link(
    sessions: Callable[[], AbstractContextManager[Session]], settings: Settings, email: str
) -> None:
    """After the response: a link for `email` if it has an account (so the answer and its timing
    are the same for any address)."""
    with sessions() as session:
        account = service.find_account(session, email)
        if account is None or not service.account_usable(session, account):
            return
        valid_for = timedelta(minutes=settings.sign_in_link_valid_minutes)
        token = service.issue_link(session, account, LinkPurpose.SIGN_IN, valid_for)
        session.commit()
        to = account.email
    mail.deliver(settings, to, mail.sign_in_email(service.link_url(settings, token), valid_for))


@router.post("/login/email-link", dependencies=[FormCsrf])
def request_email_link(
    request: Request,
    settings: SettingsDep,
    limiter: LoginLimiterDep,
    sessions: BackgroundSessionsDep,
    background: BackgroundTasks,
    link_email: EmailField = "",
) -> Response:
    """Ask for a sign-in link. Each request counts like a failed sign-in, so nobody can flood an
    inbox; the answer never says whether the address has an account."""
    t = pages.strings(pick_language(request))
    normalized = credentials.normalize_email(link_email)
    if not normalized or not credentials.is_email(normalized):
        error = t["error_email_missing"] if not normalized else t["error_email_invalid"]
        return render_login(
            request, settings, status=422, link_email=link_email[:254], errors={"link_email": error}
        )
    address = client_address(request)
    wait = limiter.retry_after(normalized, address)
    if wait is not None:
        raise TooManyAttemptsError(wait)
    limiter.failed(normalized, address)
    background.add_task(send_sign_in_link, sessions, settings, normalized)
    notice = t["email_link_sent"].format(email=normalized, minutes=settings.sign_in_link_valid_minutes)
    return render_login(request, settings, notice=notice)


def render_invalid_link(request: Request) -> HTMLResponse:
    t = pages.strings(pick_language(request))
    return pages.render(
        request, "message.html", status=410, title=t["link_invalid_title"], message=t["link_invalid_text"]
    )


def render_link_form(
    request: Request,
    settings: Settings,
    token: str,
    email: str,
    purpose: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = pages.strings(pick_language(request))
    binding = form_cookie(request)
    intro_key = "link_intro_invitation" if purpose == LinkPurpose.INVITATION else "link_intro_sign_in"
    response = pages.render(
        request,
        "link.html",
        status=status,
        csrf_token=form_csrf_token(settings, binding),
        token=token,
        email=email,
        intro=t[intro_key].format(email=email),
        errors=errors or {},
    )
    keep_form_cookie(response, request, settings, binding)
    return response


@router.get("/login/link")
def link_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The form behind an emailed link. Opening it uses nothing up (mail scanners open links);
    the button does."""
    link = service.valid_link(session, token)
    if link is None:
        return render_invalid_link(request)
    account = session.get(Account, link.account_id)
    if account is None or not service.account_usable(session, account):
        return render_invalid_link(request)
    return render_link_form(request, settings, token, account.email, link.purpose)


@router.post("/login/link", dependencies=[FormCsrf])
def use_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LoginLimiterDep,
    token: TokenField = "",
    password: PasswordField = "",
) -> Response:
    """Use the link up, set the password if one was given, and sign in."""
    address = client_address(request)
    wait = limiter.per_address.retry_after(address)
    if wait is not None:
        raise TooManyAttemptsError(wait)
    link = service.valid_link(session, token)
    account = session.get(Account, link.account_id) if link is not None else None
    if link is None or account is None:
        limiter.per_address.record(address)
        return render_invalid_link(request)
    if password:
        problem = service.password_problem(password, account.email)
        if problem:
            t = pages.strings(pick_language(request))
            return render_link_form(
                request,
                settings,
                token,
                account.email,
                link.purpose,
                status=422,
                errors={"password": t[f"error_{problem.replace('-', '_')}"]},
            )
    redeemed = service.redeem_link(session, token)
    if redeemed is None:  # used up or disabled in the meantime
        return render_invalid_link(request)
    if password:
        service.set_password(redeemed, password, credentials.hasher_for(settings))
    service.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    session_token = service.start_session(session, redeemed, settings)
    session.commit()
    return signed_in_redirect(request, settings, session_token, service.home_page(redeemed))


@router.get("/logout")
def logout_page(request: Request, person: OptionalSignedInDep) -> Response:
    if person is None:
        return RedirectResponse(with_language(request, "/login"), status_code=303)
    return pages.render(request, "logout.html", signed_in=person)


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep, person: SignedInDep) -> Response:
    """End the session: its row is deleted, so the cookie is worthless even if it was copied."""
    session.delete(person.session)
    session.commit()
    response = RedirectResponse(with_language(request, "/login?done=signed-out"), status_code=303)
    clear_session_cookie(response, request, settings)
    return response


def company_name(session: Session, person: SignedIn) -> str | None:
    if person.account.company_id is None:
        return None
    company = session.get(Company, person.account.company_id)
    return company.name if company else None


@router.get("/account")
def account_page(request: Request, session: SessionDep, person: SignedInDep) -> Response:
    return pages.render(request, "account.html", signed_in=person, company_name=company_name(session, person))


@router.get("/advisor")
def advisor_page(request: Request, person: AdvisorDep) -> Response:
    return pages.render(request, "advisor.html", signed_in=person, company_name=None)


def render_admin(
    request: Request,
    session: Session,
    settings: Settings,
    person: SignedIn,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    invitation_link: str | None = None,
) -> HTMLResponse:
    return pages.render(
        request,
        "admin_accounts.html",
        status=status,
        signed_in=person,
        accounts=service.list_accounts(session),
        roles=[role.value for role in Role],
        form=form or {"email": "", "role": Role.ADVISOR.value, "company": ""},
        errors=errors or {},
        notice=notice,
        invitation_link=invitation_link,
        invitation_days=max(1, settings.invitation_valid_hours // 24),
    )


@router.get("/admin/accounts")
def admin_accounts_page(
    request: Request, session: SessionDep, settings: SettingsDep, person: AdminDep
) -> Response:
    return render_admin(request, session, settings, person)


# Which field an AccountError belongs to on the admin form.
ERROR_FIELDS = {
    "invalid-email": "email",
    "email-taken": "email",
    "unknown-role": "role",
    "company-required": "company",
    "company-not-allowed": "company",
    "unknown-company": "company",
}


@router.post("/admin/accounts")
def create_account(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    person: AdminDep,
    background: BackgroundTasks,
    email: EmailField = "",
    role: Annotated[str, Form(max_length=40)] = "",
    company: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Create an account and send its invitation (or show the link when no mail server is set up)."""
    t = pages.strings(pick_language(request))
    form = {"email": email[:254], "role": role, "company": company[:12]}
    company_id: int | None = None
    if company.strip():
        if not company.strip().isdigit() or len(company.strip()) > 9:
            return render_admin(
                request,
                session,
                settings,
                person,
                status=422,
                form=form,
                errors={"company": t["error_unknown_company"]},
            )
        company_id = int(company.strip())
    try:
        account = service.create_account(session, email, role, company_id)
    except AccountError as error:
        field = ERROR_FIELDS.get(error.code, "email")
        return render_admin(
            request,
            session,
            settings,
            person,
            status=422,
            form=form,
            errors={field: t[f"error_{error.code.replace('-', '_')}"]},
        )
    valid_for = timedelta(hours=settings.invitation_valid_hours)
    token = service.issue_link(session, account, LinkPurpose.INVITATION, valid_for)
    session.commit()
    link = service.link_url(settings, token)
    if SmtpConfig.from_settings(settings) is None:
        notice, shown_link = t["invitation_link_notice"].format(email=account.email), link
    else:
        expires_at = utc_now() + valid_for
        background.add_task(
            mail.deliver, settings, account.email, mail.invitation_email(account, link, expires_at)
        )
        notice, shown_link = t["invitation_sent"].format(email=account.email), None
    return render_admin(
        request, session, settings, person, status=201, notice=notice, invitation_link=shown_link
    )
