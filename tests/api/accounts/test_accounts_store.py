"""What is stored: one account per address in any case, companies' people, hashes only; the limiter
and the string tables; bad input never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts import credentials, service
from api.accounts.exceptions import AccountError
from api.accounts.limits import SlidingWindow
from api.accounts.models import Account
from api.companies.models import Company
from api.core.config import Environment, Settings
from tests.api.accounts.support import PASSWORD, AccountFactory, login_form, sign_in

API = Path(__file__).resolve().parents[3] / "api"


def test_one_account_per_address_in_any_case(session: Session) -> None:
    account = service.create_account(session, "  Frau.Meyer@Schule.Example ", "advisor")
    assert account.email == "frau.meyer@schule.example"
    with pytest.raises(AccountError) as refused:
        service.create_account(session, "FRAU.MEYER@schule.example", "district")
    assert refused.value.code == "email-taken"
    # the database itself refuses a second row
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Account(email="frau.meyer@schule.example", role="admin"))
        session.flush()


def test_company_accounts_belong_to_one_company(session: Session, company: Company) -> None:
    first = service.create_account(session, "chefin@baeckerei.example", "company", company.id)
    second = service.create_account(session, "meister@baeckerei.example", "company", company.id)
    assert first.company_id == second.company_id == company.id
    for role, company_id, code in [
        ("company", None, "company-required"),
        ("advisor", company.id, "company-not-allowed"),
        ("company", 987654, "unknown-company"),
        ("teacher", None, "unknown-role"),
    ]:
        with pytest.raises(AccountError) as refused:
            service.create_account(session, "x@schule.example", role, company_id)
        assert refused.value.code == code
    for row in (
        Account(email="ohne@betrieb.example", role="company"),
        Account(email="mit@schule.example", role="advisor", company_id=company.id),
        Account(email="rolle@schule.example", role="teacher"),
    ):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(row)
            session.flush()


def test_deleting_a_company_removes_its_accounts(session: Session, company: Company) -> None:
    service.create_account(session, "chefin@baeckerei.example", "company", company.id)
    session.delete(company)
    session.flush()
    session.expire_all()
    assert session.scalar(select(Account).where(Account.email == "chefin@baeckerei.example")) is None


async def test_the_password_is_never_stored_in_clear(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor")
    assert (await sign_in(client, account.email)).status_code == 303
    rows = session.execute(text("SELECT * FROM accounts WHERE id = :id"), {"id": account.id}).mappings().one()
    assert str(rows["password_hash"]).startswith("$argon2id$")
    assert all(PASSWORD not in str(value) for value in rows.values())
    for table in ("account_sessions", "sign_in_links"):
        for row in session.execute(text(f"SELECT * FROM {table}")).mappings():
            assert all(PASSWORD not in str(value) for value in row.values())


def test_the_production_cost_of_argon2id() -> None:
    hasher = credentials.hasher_for(Settings(_env_file=None))  # type: ignore[call-arg]
    stored = credentials.hash_password(hasher, "ein Passwort")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert credentials.verify_password(hasher, stored, "ein Passwort")
    assert not credentials.verify_password(hasher, stored, "ein passwort")
    assert not credentials.verify_password(hasher, None, "ein Passwort")
    assert not credentials.verify_password(hasher, "kein hash", "ein Passwort")


def test_weak_hashing_and_the_default_secret_are_refused_in_production() -> None:
    values: dict[str, Any] = {
        "_env_file": None,
        "environment": Environment.PRODUCTION,
        "api_admin_token": SecretStr("a"),
        "service_token": SecretStr("s"),
        "api_key_pepper": SecretStr("p"),
        "account_secret": SecretStr("c"),
        "signal_secret": SecretStr("g"),
    }
    assert Settings(**values).password_hash_memory_kib == 65536
    with pytest.raises(ValueError, match="OWASP"):
        Settings(**values, password_hash_memory_kib=1024)
    with pytest.raises(ValueError, match="ACCOUNT_SECRET"):
        Settings(**{**values, "account_secret": SecretStr("change-me-accounts")})


def test_the_sliding_window() -> None:
    now = [0.0]
    window = SlidingWindow(limit=3, window_seconds=100, clock=lambda: now[0], max_keys=2)
    for moment in (0, 10, 20):
        now[0] = moment
        assert window.retry_after("a") is None
        window.record("a")
    assert window.retry_after("a") == 80  # until the failure at 0 leaves the window
    now[0] = 100
    assert window.retry_after("a") is None
    window.record("b")
    window.record("c")  # only two keys are kept: "a", the stalest, goes
    assert "a" not in window._events and window.retry_after("b") is None
    window.reset("b")
    assert "b" not in window._events


@pytest.mark.parametrize(
    "folder",
    [
        API / "core" / "strings",
        API / "accounts" / "strings",
        API / "clerk" / "strings",
        API / "admin" / "strings",
    ],
)
def test_both_languages_have_every_string(folder: Path) -> None:
    german = yaml.safe_load((folder / "de.yaml").read_text(encoding="utf-8"))
    english = yaml.safe_load((folder / "en.yaml").read_text(encoding="utf-8"))
    assert set(german) == set(english)
    assert all(str(value).strip() for value in [*german.values(), *english.values()])


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"email": "a@b.example"},
        {"password": "x"},
        {"email": "ä" * 300, "password": "p"},
        {"email": "a@b.example", "password": "p" * 3000},
        {"email": "a@b.example", "password": "p", "next": "/" + "x" * 1500},
        {"email": ["a@b.example", "c@d.example"], "password": "p"},
        {"email": "'; DROP TABLE accounts; --", "password": "' OR '1'='1"},
        {"email": "\ud800@b.example".encode("utf-8", "surrogatepass").decode("latin-1"), "password": "p"},
    ],
)
async def test_odd_login_forms_are_answered_without_a_server_error(
    client: httpx.AsyncClient, fields: dict[str, object]
) -> None:
    token = await login_form(client)
    response = await client.post("/login", data={**fields, "csrf_token": token})
    assert response.status_code == 422
    assert SESSION_COOKIE_NAME not in response.headers.get("set-cookie", "")


SESSION_COOKIE_NAME = "berufslotse_session"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/login", "email=a%00b@c.example&password=x"),
        ("/login", "email=a@b.example&password=%00"),
        ("/login/email-link", "link_email=a%00@b.example"),
        ("/login/link", "token=%00&password="),
        ("/admin/accounts", "email=a%00@b.example&role=advisor"),
    ],
)
async def test_nul_bytes_are_a_422_problem(client: httpx.AsyncClient, path: str, body: str) -> None:
    token = await login_form(client)
    response = await client.post(
        path,
        content=f"{body}&csrf_token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    query = await client.get("/login/link?token=%00")
    assert query.status_code == 422


async def test_huge_and_broken_bodies_are_refused_cleanly(client: httpx.AsyncClient) -> None:
    token = await login_form(client)
    huge = await client.post("/login", data={"email": "a" * 100_000, "password": "x", "csrf_token": token})
    assert huge.status_code == 413
    long_field = await client.post("/login", data={"email": "a" * 5000, "password": "x", "csrf_token": token})
    assert long_field.status_code == 422 and long_field.json()["type"] == "/problems/invalid-request"
    broken = await client.post(
        "/login", content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert broken.status_code in (400, 403, 422)
    as_json = await client.post("/login", json={"email": "a@b.example", "password": "x"})
    assert as_json.status_code == 403  # no form, no CSRF token
    assert (await client.get("/login", params={"next": "x" * 3000})).status_code == 422
    assert (await client.put("/login")).status_code == 405
