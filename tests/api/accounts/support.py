"""Helpers of the account tests: reading CSRF tokens and errors from pages, signing in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from api.accounts.models import Account

PASSWORD = "korrekt-Pferd-Batterie-42"
HTML = {"Accept": "text/html,application/xhtml+xml"}

AccountFactory = Callable[..., Account]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FORM_ERROR = re.compile(r'<li id="form-error">([^<]*)</li>')
_FIELD_ERROR = re.compile(r'<p class="field__error" id="([a-z_]+)-error">([^<]*)</p>')


def csrf_from(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def form_error(page: str) -> str | None:
    found = _FORM_ERROR.search(page)
    return found.group(1) if found else None


def field_errors(page: str) -> dict[str, str]:
    return dict(_FIELD_ERROR.findall(page))


async def login_form(client: httpx.AsyncClient, **query: str) -> str:
    """Open the login page (which sets the pre-session cookie); its CSRF token. A signed-in browser
    would be sent on from there, so its session cookie goes first."""
    client.cookies.delete("berufslotse_session")
    response = await client.get("/login", params=query)
    assert response.status_code == 200
    return csrf_from(response.text)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **fields: Any
) -> httpx.Response:
    token = await login_form(client)
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, **fields}
    )


async def page_csrf(client: httpx.AsyncClient, path: str = "/account") -> str:
    """The session's CSRF token, from a page of a signed-in person."""
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_from(response.text)


def set_cookie_headers(response: httpx.Response, name: str) -> list[str]:
    return [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}=")]
