"""Signing in with a password, the session cookie, signing out, the language of the pages."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.dependencies import FORM_COOKIE, SESSION_COOKIE
from api.accounts.models import AccountSession
from api.core.config import Settings
from api.core.models import utc_now
from tests.api.accounts.support import (
    HTML,
    PASSWORD,
    AccountFactory,
    csrf_from,
    form_error,
    login_form,
    page_csrf,
    set_cookie_headers,
    sign_in,
)


async def test_the_login_page_is_german_by_default_and_accessible(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="de">' in page
    assert "<h1>Anmelden</h1>" in page
    assert '<label class="field__label" for="email">E-Mail-Adresse</label>' in page
    assert '<label class="field__label" for="password">Passwort</label>' in page
    assert 'autocomplete="current-password"' in page
    # the pre-session cookie that the login form's CSRF token is bound to
    (cookie,) = set_cookie_headers(response, FORM_COOKIE)
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ({"lang": "en"}, {}, "en"),
        ({}, {"Accept-Language": "en-GB,en;q=0.9,de;q=0.8"}, "en"),
        ({}, {"Accept-Language": "fr-FR,fr;q=0.9"}, "de"),
        ({"lang": "de"}, {"Accept-Language": "en"}, "de"),
        ({"lang": "xx"}, {"Accept-Language": "de;q=0.2, en;q=0.5"}, "en"),
        ({}, {"Accept-Language": ";;;q=abc,,"}, "de"),
    ],
)
async def test_the_language_comes_from_the_query_or_the_browser(
    client: httpx.AsyncClient, query: dict[str, str], headers: dict[str, str], language: str
) -> None:
    page = (await client.get("/login", params=query, headers=headers)).text
    assert f'<html lang="{language}">' in page
    assert ("<h1>Sign in</h1>" in page) is (language == "en")


async def test_pages_carry_their_own_security_policy_and_are_never_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "form-action 'self'" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    css = await client.get("/assets/pages.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    # the JSON API keeps its strict policy
    assert "form-action 'none'" in (await client.get("/healthz")).headers["content-security-policy"]


async def test_an_advisor_signs_in_and_sees_the_start_page(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor", email="Frau.Meyer@Schule.example")
    response = await sign_in(client, "  FRAU.meyer@schule.EXAMPLE ")
    assert response.status_code == 303
    assert response.headers["location"] == "/advisor"
    (cookie,) = set_cookie_headers(response, SESSION_COOKIE)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http, and no setting forces it
    assert f"max-age={12 * 3600}" in flags
    page = await client.get("/advisor")
    assert page.status_code == 200
    assert "frau.meyer@schule.example" in page.text
    assert 'data-role="advisor"' in page.text and "Berufsberatung / Lehrkraft" in page.text
    # the cookie holds a token; the database only its hash
    token = client.cookies[SESSION_COOKIE]
    stored = session.scalars(select(AccountSession.token_hash).where(AccountSession.account_id == account.id))
    assert token not in list(stored)
    assert account.last_sign_in_at is not None


async def test_the_cookie_is_secure_over_https_or_when_the_setting_says_so(
    app: FastAPI, settings: Settings, make_account: AccountFactory
) -> None:
    account = make_account("advisor")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as https_client:
        response = await sign_in(https_client, account.email)
        (cookie,) = set_cookie_headers(response, SESSION_COOKIE)
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]
        assert (await https_client.get("/advisor")).status_code == 200
    settings.session_cookie_secure = True
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http_client:
        # (a browser then keeps the cookies to itself over http, so the forms stop working: as meant)
        response = await http_client.get("/login")
        (cookie,) = set_cookie_headers(response, FORM_COOKIE)
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = make_account("advisor")
    without_password = make_account("advisor", password=None)
    disabled = make_account("advisor", disabled_at=utc_now())
    answers = [
        await sign_in(client, account.email, "wrong password, long enough"),
        await sign_in(client, "nobody@schule.example", "wrong password, long enough"),
        await sign_in(client, without_password.email, "wrong password, long enough"),
        await sign_in(client, disabled.email, PASSWORD),
        await sign_in(client, account.email, "x" * 2000),
    ]
    assert {response.status_code for response in answers} == {422}
    messages = {form_error(response.text) for response in answers}
    assert messages == {"E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie beides."}
    for response in answers:
        assert not set_cookie_headers(response, SESSION_COOKIE)
        # the message is tied to both fields
        assert response.text.count('aria-describedby="form-error"') == 2
    assert (await client.get("/advisor")).status_code == 401


async def test_missing_fields_are_named_on_the_page(client: httpx.AsyncClient) -> None:
    token = await login_form(client, lang="en")
    response = await client.post("/login?lang=en", data={"csrf_token": token, "email": " "})
    assert response.status_code == 422
    assert '<p class="field__error" id="email-error">Enter your email address.</p>' in response.text
    assert '<p class="field__error" id="password-error">Enter your password.</p>' in response.text
    assert 'aria-describedby="email-error"' in response.text
    assert '<a href="#password">Enter your password.</a>' in response.text


async def test_signing_out_deletes_the_session(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor")
    await sign_in(client, account.email)
    old_token = client.cookies[SESSION_COOKIE]
    token = await page_csrf(client, "/logout")
    response = await client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=signed-out"
    (cleared,) = set_cookie_headers(response, SESSION_COOKIE)
    assert "max-age=0" in cleared.lower()
    assert session.scalars(select(AccountSession).where(AccountSession.account_id == account.id)).all() == []
    # the old cookie, even if someone kept a copy, opens nothing
    client.cookies.set(SESSION_COOKIE, old_token)
    assert (await client.get("/advisor")).status_code == 401
    page = await client.get("/login?done=signed-out")
    assert "Sie haben sich abgemeldet." in page.text


async def test_signing_in_again_replaces_the_session(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor")
    token = await login_form(client)
    form = {"email": account.email, "password": PASSWORD, "csrf_token": token}
    assert (await client.post("/login", data=form)).status_code == 303
    first = client.cookies[SESSION_COOKIE]
    assert (await client.post("/login", data=form)).status_code == 303
    assert client.cookies[SESSION_COOKIE] != first
    assert (
        len(session.scalars(select(AccountSession).where(AccountSession.account_id == account.id)).all()) == 1
    )


async def test_a_signed_in_person_on_the_login_page_goes_home(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = make_account("admin")
    await sign_in(client, account.email)
    response = await client.get("/login")
    assert response.status_code == 303 and response.headers["location"] == "/admin/accounts"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example", "advisor"])
async def test_the_next_page_is_never_another_site(
    client: httpx.AsyncClient, make_account: AccountFactory, target: str
) -> None:
    account = make_account("advisor")
    response = await sign_in(client, account.email, next=target)
    assert response.headers["location"] == "/advisor"


async def test_after_signing_in_the_person_returns_to_the_page_asked_for(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = make_account("advisor")
    redirect = await client.get("/advisor?lang=en", headers=HTML)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/login?next=%2Fadvisor%3Flang%3Den&lang=en"
    page = await client.get(redirect.headers["location"])
    assert 'name="next" value="/advisor?lang=en"' in page.text
    response = await client.post(
        "/login",
        data={
            "email": account.email,
            "password": PASSWORD,
            "next": "/advisor?lang=en",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.headers["location"] == "/advisor?lang=en"
    assert '<html lang="en">' in (await client.get(response.headers["location"])).text


async def test_sessions_end_after_their_lifetime_and_when_idle(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session, settings: Settings
) -> None:
    account = make_account("advisor")
    await sign_in(client, account.email)
    row = session.scalars(select(AccountSession).where(AccountSession.account_id == account.id)).one()
    row.expires_at = utc_now() - timedelta(seconds=1)
    session.flush()
    assert (await client.get("/advisor")).status_code == 401
    await sign_in(client, account.email)
    row = session.scalars(select(AccountSession).where(AccountSession.account_id == account.id)).one()
    row.last_seen_at = utc_now() - timedelta(minutes=settings.session_idle_minutes + 1)
    session.flush()
    assert (await client.get("/advisor")).status_code == 401
    assert session.scalars(select(AccountSession).where(AccountSession.account_id == account.id)).all() == []


async def test_a_new_account_secret_invalidates_open_forms(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await login_form(client)
    settings.account_secret = SecretStr("rotated-secret")
    response = await client.post(
        "/login", data={"email": "a@b.example", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 403
