"""One-time sign-in links: from an invitation (admin page or command), or asked for by email."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import cli
from api.accounts import credentials, service
from api.accounts.dependencies import SESSION_COOKIE
from api.accounts.models import Account, LinkPurpose, SignInLink
from api.companies.models import Company
from api.core.config import Settings
from api.core.models import utc_now
from tests.api.accounts.support import (
    HTML,
    AccountFactory,
    csrf_from,
    field_errors,
    login_form,
    page_csrf,
    sign_in,
)
from tests.api.exchange.support import SmtpSink

LINK = re.compile(r"https://berufslotse\.example/login/link\?token=([A-Za-z0-9_-]{43})")


def issue(session: Session, account: Account, purpose: LinkPurpose = LinkPurpose.INVITATION) -> str:
    return service.issue_link(session, account, purpose, timedelta(hours=1))


async def use(client: httpx.AsyncClient, token: str, password: str = "") -> httpx.Response:
    page = await client.get("/login/link", params={"token": token})
    if page.status_code != 200:
        return page
    return await client.post(
        "/login/link", data={"token": token, "password": password, "csrf_token": csrf_from(page.text)}
    )


async def test_a_link_signs_in_once(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor", password=None)
    token = issue(session, account)
    # opening the page (as a mail scanner would) uses nothing up
    for _ in range(2):
        page = await client.get("/login/link", params={"token": token})
        assert page.status_code == 200 and account.email in page.text
    response = await use(client, token)
    assert response.status_code == 303 and response.headers["location"] == "/advisor"
    assert (await client.get("/advisor")).status_code == 200
    client.cookies.delete(SESSION_COOKIE)
    again = await client.get("/login/link", params={"token": token})
    assert again.status_code == 410 and "Dieser Link gilt nicht mehr" in again.text
    # posting the form again (kept open in a second tab) fails too
    replay = await client.post(
        "/login/link", data={"token": token, "csrf_token": csrf_from(page.text), "password": ""}
    )
    assert replay.status_code == 410
    assert (await client.get("/advisor")).status_code == 401
    stored = session.scalars(select(SignInLink.token_hash).where(SignInLink.account_id == account.id)).all()
    assert stored == [credentials.hash_token(token)] and token not in stored


async def test_an_expired_link_fails(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor", password=None)
    token = issue(session, account)
    page = await client.get("/login/link", params={"token": token})
    link = session.scalars(select(SignInLink).where(SignInLink.account_id == account.id)).one()
    link.expires_at = utc_now() - timedelta(seconds=1)
    session.flush()
    assert (await client.get("/login/link", params={"token": token})).status_code == 410
    response = await client.post(
        "/login/link", data={"token": token, "csrf_token": csrf_from(page.text), "password": ""}
    )
    assert response.status_code == 410
    assert SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize("token", ["", "abc", "x" * 43, "ä" * 43, "' OR 1=1 --"])
async def test_unknown_links_fail_alike(client: httpx.AsyncClient, token: str) -> None:
    page = await client.get("/login/link", params={"token": token})
    assert page.status_code == 410
    form_token = await login_form(client)
    response = await client.post("/login/link", data={"token": token, "csrf_token": form_token})
    assert response.status_code == 410


async def test_a_link_for_a_disabled_account_fails(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("advisor", password=None)
    token = issue(session, account)
    service.disable_account(session, account)
    session.flush()
    assert (await use(client, token)).status_code == 410


async def test_the_person_can_choose_a_password_with_the_link(
    client: httpx.AsyncClient, make_account: AccountFactory, session: Session
) -> None:
    account = make_account("company", password=None)
    token = issue(session, account)
    short = await use(client, token, password="kurz")
    assert short.status_code == 422
    assert field_errors(short.text) == {"password": "Das Passwort muss mindestens 12 Zeichen haben."}
    same = await use(client, token, password=account.email)
    assert field_errors(same.text) == {"password": "Das Passwort darf nicht Ihre E-Mail-Adresse sein."}
    # the link still works after a refused password
    chosen = "ein-langes-gutes-Passwort"
    response = await use(client, token, password=chosen)
    assert response.status_code == 303 and response.headers["location"] == "/company"
    assert account.password_hash is not None and account.password_hash.startswith("$argon2id$")
    assert chosen not in account.password_hash
    assert (await sign_in(client, account.email, chosen)).status_code == 303


async def test_an_admin_invites_a_clerk_by_email(
    client: httpx.AsyncClient,
    make_account: AccountFactory,
    session: Session,
    company: Company,
    smtp_sink: SmtpSink,
    with_smtp: Callable[[], Settings],
) -> None:
    with_smtp()
    admin = make_account("admin")
    await sign_in(client, admin.email)
    token = await page_csrf(client, "/admin/accounts")
    bakery = company
    created = await client.post(
        "/admin/accounts",
        data={
            "csrf_token": token,
            "email": "Ausbildung@Baeckerei.example",
            "role": "company",
            "company": str(bakery.id),
        },
    )
    assert created.status_code == 201
    assert "Die Einladung wird per E-Mail verschickt." in created.text
    assert "ausbildung@baeckerei.example" in created.text
    (message,) = [m for m in smtp_sink.messages if m["To"] == "ausbildung@baeckerei.example"]
    assert message["Subject"] == "Ihr Zugang zu Berufslotse / Your Berufslotse account"
    body = message.get_content()
    assert "Ausbildungsbetrieb" in body and "training company" in body
    found = LINK.search(body)
    assert found
    invited = session.scalars(select(Account).where(Account.email == "ausbildung@baeckerei.example")).one()
    assert invited.company_id == bakery.id and invited.role == "company" and invited.password_hash is None
    client.cookies.delete(SESSION_COOKIE)
    assert (await use(client, found.group(1))).headers["location"] == "/company"
    page = await client.get("/account")
    assert bakery.name in page.text and "Ausbildungsbetrieb" in page.text


async def test_without_a_mail_server_the_admin_sees_the_link(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    admin = make_account("admin")
    await sign_in(client, admin.email)
    token = await page_csrf(client, "/admin/accounts?lang=en")
    created = await client.post(
        "/admin/accounts?lang=en",
        data={"csrf_token": token, "email": "lehrer@schule.example", "role": "advisor"},
    )
    assert created.status_code == 201
    assert "No email server is set up" in created.text
    assert LINK.search(created.text)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"email": "kein-at-zeichen", "role": "advisor"}, "email", "Bitte geben Sie eine E-Mail-Adresse"),
        ({"email": "", "role": "advisor"}, "email", "Bitte geben Sie eine E-Mail-Adresse"),
        ({"email": "a@schule.example", "role": "chef"}, "role", "Bitte wählen Sie eine Rolle."),
        ({"email": "a@schule.example", "role": "company"}, "company", "Für ein Betriebskonto"),
        ({"email": "a@schule.example", "role": "advisor", "company": "1"}, "company", "Nur Konten von"),
        ({"email": "a@schule.example", "role": "company", "company": "999999"}, "company", "Einen Betrieb"),
        ({"email": "a@schule.example", "role": "company", "company": "-1; drop"}, "company", "Einen Betrieb"),
        ({"email": "ADMIN0@SCHULE.EXAMPLE", "role": "advisor"}, "email", "Für diese E-Mail-Adresse gibt es"),
    ],
)
async def test_the_admin_form_explains_what_is_wrong(
    client: httpx.AsyncClient, make_account: AccountFactory, form: dict[str, str], field: str, message: str
) -> None:
    admin = make_account("admin", email="admin0@schule.example")
    await sign_in(client, admin.email)
    token = await page_csrf(client, "/admin/accounts")
    response = await client.post("/admin/accounts", data={**form, "csrf_token": token})
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert list(errors) == [field] and errors[field].startswith(message)
    assert f'aria-describedby="{field}-error"' in response.text or f"{field}-error" in response.text


async def test_a_sign_in_link_by_email_reveals_nothing(
    client: httpx.AsyncClient,
    make_account: AccountFactory,
    smtp_sink: SmtpSink,
    with_smtp: Callable[[], Settings],
) -> None:
    with_smtp()
    account = make_account("district", password=None)
    answers = []
    for email in (account.email.upper(), "unbekannt@schule.example"):
        token = await login_form(client)
        response = await client.post("/login/email-link", data={"link_email": email, "csrf_token": token})
        assert response.status_code == 200
        answers.append(response.text.replace(email.lower(), "EMAIL"))
    assert answers[0] == answers[1].replace(csrf_from(answers[1]), csrf_from(answers[0]))
    assert "haben wir gerade einen Anmeldelink dorthin geschickt" in answers[0]
    (message,) = smtp_sink.messages
    assert message["To"] == account.email
    found = LINK.search(message.get_content())
    assert found
    assert (await use(client, found.group(1))).headers["location"] == "/district"


async def test_asking_for_links_is_limited(client: httpx.AsyncClient, settings: Settings) -> None:
    token = await login_form(client)
    for _ in range(settings.login_failures_per_account):
        response = await client.post(
            "/login/email-link", data={"link_email": "x@schule.example", "csrf_token": token}
        )
        assert response.status_code == 200
    response = await client.post(
        "/login/email-link", data={"link_email": "x@schule.example", "csrf_token": token}
    )
    assert response.status_code == 429 and "retry-after" in response.headers
    bad = await client.post(
        "/login/email-link", data={"link_email": "kein@", "csrf_token": token}, headers=HTML
    )
    assert bad.status_code == 422 and field_errors(bad.text)["link_email"].startswith("Bitte geben Sie")


# --- the admin command -------------------------------------------------------------------------


@pytest.fixture
def cli_settings(settings: Settings, empty_database_url: str) -> Settings:
    values = settings.model_copy(update={"database_url": empty_database_url})
    assert cli.main(["migrate"], settings=values) == 0
    return values


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), settings=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_first_admin_is_created_by_command(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str], smtp_sink: SmtpSink
) -> None:
    code, out, err = run(
        cli_settings, capsys, "account", "create", "--email", "Admin@Kreis.example", "--role", "admin"
    )
    assert code == 0
    assert LINK.fullmatch(out.strip()), out
    assert "admin@kreis.example, admin" in err and "works once" in err
    code, _, err = run(
        cli_settings, capsys, "account", "create", "--email", "ADMIN@kreis.example", "--role", "advisor"
    )
    assert code == 1 and "already is an account for admin@kreis.example" in err
    code, _, err = run(
        cli_settings, capsys, "account", "create", "--email", "a@b.example", "--role", "company"
    )
    assert code == 1 and "needs --company" in err
    code, _, err = run(
        cli_settings,
        capsys,
        "account",
        "create",
        "--email",
        "a@b.example",
        "--role",
        "company",
        "--company",
        "7",
    )
    assert code == 1 and "no company with id 7" in err
    code, out, _ = run(cli_settings, capsys, "company", "create", "--name", "Tischlerei Holz")
    company_id = out.strip()
    for person in ("chefin", "azubi-betreuer"):
        argv = ["account", "create", "--email", f"{person}@holz.example", "--role", "company"]
        code, out, _ = run(cli_settings, capsys, *argv, "--company", company_id)
        assert code == 0
    # a new link by command, and emailed with --send
    mailing = cli_settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
    code, out, err = run(mailing, capsys, "account", "link", "--email", "chefin@holz.example", "--send")
    assert code == 0 and LINK.fullmatch(out.strip())
    (message,) = smtp_sink.messages
    assert out.strip() in message.get_content()
    code, _, err = run(cli_settings, capsys, "account", "link", "--email", "niemand@holz.example")
    assert code == 1 and "no account" in err
    code, out, _ = run(cli_settings, capsys, "account", "disable", "--email", "chefin@holz.example")
    assert code == 0 and "disabled" in out
    code, _, err = run(cli_settings, capsys, "account", "link", "--email", "chefin@holz.example")
    assert code == 1 and "disabled" in err
    code, out, _ = run(cli_settings, capsys, "purge")
    assert "used or expired sign-in links deleted: 0" in out
