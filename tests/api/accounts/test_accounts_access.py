"""Roles, CSRF and the limit on failed sign-ins."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.dependencies import SESSION_COOKIE, login_limiter
from api.accounts.limits import LoginLimiter, SlidingWindow
from api.accounts.models import Account
from api.core.config import Settings
from tests.api.accounts.support import (
    HTML,
    PASSWORD,
    AccountFactory,
    login_form,
    page_csrf,
    sign_in,
)

ROLES = ["advisor", "district", "admin", "company"]
# Each page and who may open it; everybody else who is signed in gets 403.
PAGES = {
    "/advisor": {"advisor"},
    "/admin/accounts": {"admin"},
    "/admin/companies": {"admin"},
    "/admin/audit": {"admin"},
    "/company": {"company"},
    "/company/offers": {"company"},
    "/account": set(ROLES),
}


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_reaches_exactly_its_own_pages(
    client: httpx.AsyncClient, make_account: AccountFactory, role: str
) -> None:
    account = make_account(role)
    assert (await sign_in(client, account.email)).status_code == 303
    for path, allowed in PAGES.items():
        response = await client.get(path)
        if role in allowed:
            assert response.status_code == 200, (role, path)
            assert account.email in response.text
        else:
            assert response.status_code == 403, (role, path)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/forbidden"
            assert account.email not in response.text


async def test_a_browser_sees_the_refusal_as_a_page(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = make_account("company")
    await sign_in(client, account.email)
    response = await client.get("/advisor", headers=HTML)
    assert response.status_code == 403
    assert "Mit Ihrem Konto können Sie diese Seite nicht öffnen." in response.text
    assert '<html lang="de">' in response.text


async def test_an_advisor_cannot_create_accounts(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor")
    await sign_in(client, account.email)
    token = await page_csrf(client, "/advisor")  # a valid token of the advisor's own session
    before = session.scalar(select(func.count()).select_from(Account))
    response = await client.post(
        "/admin/accounts", data={"csrf_token": token, "email": "neu@schule.example", "role": "admin"}
    )
    assert response.status_code == 403 and response.json()["type"] == "/problems/forbidden"
    assert session.scalar(select(func.count()).select_from(Account)) == before


@pytest.mark.parametrize("path", list(PAGES))
async def test_nobody_signed_in_gets_401_or_the_login_page(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/sign-in-required"
    browser = await client.get(path, headers=HTML)
    assert browser.status_code == 303 and browser.headers["location"].startswith("/login?next=")
    client.cookies.set(SESSION_COOKIE, "x" * 43)
    assert (await client.get(path)).status_code == 401


async def test_state_changes_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    admin = make_account("admin")
    await sign_in(client, admin.email)
    token = await page_csrf(client, "/admin/accounts")
    form = {"email": "neu@schule.example", "role": "advisor"}
    for data, headers in [
        (form, {}),
        ({**form, "csrf_token": ""}, {}),
        ({**form, "csrf_token": token[:-1] + ("0" if token[-1] != "0" else "1")}, {}),
        (form, {"X-CSRF-Token": "nonsense"}),
    ]:
        response = await client.post("/admin/accounts", data=data, headers=headers)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/csrf-failed"
    assert session.scalar(select(Account).where(Account.email == "neu@schule.example")) is None
    # logging out is a state change too
    assert (await client.post("/logout")).status_code == 403
    assert (await client.get("/account")).status_code == 200
    # with the token (as a field, or as a header for scripts) it works
    created = await client.post("/admin/accounts", data={**form, "csrf_token": token})
    assert created.status_code == 201
    assert session.scalar(select(Account).where(Account.email == "neu@schule.example")) is not None
    out = await client.post("/logout", headers={"X-CSRF-Token": token})
    assert out.status_code == 303


async def test_a_token_from_another_session_does_not_work(
    app: FastAPI, make_account: AccountFactory, session: Session
) -> None:
    transport = httpx.ASGITransport(app=app)
    admin = make_account("admin")
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as victim,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as attacker,
    ):
        await sign_in(victim, admin.email)
        await sign_in(attacker, admin.email)
        attacker_token = await page_csrf(attacker, "/admin/accounts")
        response = await victim.post(
            "/admin/accounts",
            data={"email": "boese@example.org", "role": "admin", "csrf_token": attacker_token},
        )
        assert response.status_code == 403
    assert session.scalar(select(Account).where(Account.email == "boese@example.org")) is None


async def test_the_login_form_needs_the_token_of_its_own_cookie(
    app: FastAPI, make_account: AccountFactory
) -> None:
    account = make_account("advisor")
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as one,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as other,
    ):
        token = await login_form(one)
        await login_form(other)
        form = {"email": account.email, "password": PASSWORD}
        assert (await other.post("/login", data={**form, "csrf_token": token})).status_code == 403
        refused = await httpx.AsyncClient(transport=transport, base_url="http://testserver").post(
            "/login", data={**form, "csrf_token": token}
        )
        assert refused.status_code == 403 and refused.json()["type"] == "/problems/csrf-failed"
        assert (await one.post("/login", data={**form, "csrf_token": token})).status_code == 303


async def test_too_many_failed_sign_ins_for_an_account_are_a_429(
    client: httpx.AsyncClient, make_account: AccountFactory, settings: Settings
) -> None:
    account = make_account("advisor")
    for _ in range(settings.login_failures_per_account):
        assert (await sign_in(client, account.email, "not the password")).status_code == 422
    blocked = await sign_in(client, account.email, PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    problem = blocked.json()
    assert problem["type"] == "/problems/too-many-attempts"
    assert problem["detail"] == "Too many sign-in attempts. Please wait 15 minutes and try again."
    assert 0 < int(blocked.headers["retry-after"]) <= settings.login_window_seconds
    # the same for an address without an account: the limit tells nothing about who has one
    for _ in range(settings.login_failures_per_account):
        await sign_in(client, "niemand@schule.example", "not the password")
    assert (await sign_in(client, "niemand@schule.example", "x")).status_code == 429
    # another account from the same client is not blocked by the first one's failures
    other = make_account("advisor")
    assert (await sign_in(client, other.email)).status_code == 303
    # a browser gets a page with the same words, and the header
    token = await login_form(client)
    page = await client.post(
        "/login", data={"email": account.email, "password": "x", "csrf_token": token}, headers=HTML
    )
    assert page.status_code == 429 and "retry-after" in page.headers
    assert "Zu viele Anmeldeversuche. Bitte warten Sie 15 Minuten" in page.text


async def test_too_many_failures_from_one_address_are_a_429(
    app: FastAPI, client: httpx.AsyncClient, make_account: AccountFactory, settings: Settings
) -> None:
    limiter = LoginLimiter(
        SlidingWindow(100, settings.login_window_seconds), SlidingWindow(3, settings.login_window_seconds)
    )
    app.dependency_overrides[login_limiter] = lambda: limiter
    account = make_account("advisor")
    for number in range(3):
        assert (await sign_in(client, f"raten{number}@schule.example", "x")).status_code == 422
    assert (await sign_in(client, account.email)).status_code == 429


async def test_the_limit_lifts_after_the_window(
    app: FastAPI, client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    now = [1000.0]
    limiter = LoginLimiter(SlidingWindow(2, 60, lambda: now[0]), SlidingWindow(50, 60, lambda: now[0]))
    app.dependency_overrides[login_limiter] = lambda: limiter
    account = make_account("advisor")
    await sign_in(client, account.email, "x")
    now[0] += 30
    await sign_in(client, account.email, "x")
    blocked = await sign_in(client, account.email)
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "30"
    now[0] += 31  # the first failure has left the window
    assert (await sign_in(client, account.email)).status_code == 303
    # success forgets the account's failures
    await sign_in(client, account.email, "x")
    assert limiter.per_account.retry_after(account.email) is None
