"""The advisor's inbox in Chromium: sign in, read a pupil's hand-off, delete it; axe-core finds no
serious or critical violation, on a desktop and a phone, in German and English.

Runs the real API (uvicorn on 127.0.0.1, a free port) on its own SQLite file; Debian's chromium
and axe-core from the widget's node_modules (as tests/channels/web)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from playwright.sync_api import Browser, Page, sync_playwright
from pydantic import SecretStr

from api.accounts import credentials
from api.accounts import service as accounts
from api.cli import alembic_config
from api.core.config import Environment, Settings
from api.core.db import session_factory_for
from api.main import create_app
from api.share.models import Handoff, Recipient, RegionAdviser
from bot.channels.web.bundle import WidgetBuildError, install_build_tools
from tests.channels.fake_telegram import BackgroundServer
from tests.channels.web.conftest import AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

PASSWORD = "korrekt-Pferd-Batterie-42"
EMAIL = "beraterin@jba.example"
QUESTION = "Wie finde ich ein Praktikum in der Pflege?"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = Path(tmp_path_factory.mktemp("inbox")) / "api.db"
    url = f"sqlite:///{database}"
    command.upgrade(alembic_config(url, configure_logging=False), "heads")
    settings = Settings(
        environment=Environment.TEST,
        database_url=url,
        api_admin_token=SecretStr("browser-test-admin-token"),
        account_secret=SecretStr("browser-test-secret"),
        session_cookie_secure=False,
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
        password_hash_parallelism=1,
        smtp_host=None,
    )
    with session_factory_for(url)() as session, session.begin():
        advisor = accounts.create_account(session, EMAIL, "advisor", None)
        accounts.set_password(advisor, PASSWORD, credentials.hasher_for(settings))
        session.flush()
        session.add(RegionAdviser(account_id=advisor.id))
        for number, question in enumerate((QUESTION, None)):
            session.add(
                Handoff(
                    pupil_ref=f"pupil-{number}",
                    recipient=Recipient.REGION,
                    language="de" if number == 0 else "en",
                    summary={
                        "scores": {"R": 20, "I": 55, "A": 40, "S": 90, "E": 35, "C": 70},
                        "holland_code": "SCI",
                        "occupations": [],
                        "completed_on": "2026-12-06",
                    },
                    question=question,
                    expires_at=datetime.now(UTC) + timedelta(days=30),
                )
            )
    with BackgroundServer(create_app(settings)) as server:
        settings.public_url = server.url
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (installs Debian's chromium)")
    try:
        install_build_tools()  # npm ci: axe-core is one of the widget's locked dev tools
    except WidgetBuildError as error:
        pytest.fail(str(error))
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in_page(browser: Browser, api_url: str, viewport: Any, locale: str) -> Page:
    # bypass_csp: the pages forbid scripts; axe-core is injected by the test, not by the page
    context = browser.new_context(viewport=viewport, locale=locale, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{api_url}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("form[action^='/login?'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url, timeout=15000)
    return page


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize(
    ("viewport", "locale", "lang"),
    [(DESKTOP, "de-DE", "de"), (PHONE, "en-GB", "en")],
    ids=["desktop-de", "phone-en"],
)
def test_the_inbox_is_readable_and_passes_axe(
    browser: Browser, api_url: str, viewport: dict[str, int], locale: str, lang: str
) -> None:
    page = signed_in_page(browser, api_url, viewport, locale)
    page.goto(f"{api_url}/advisor/inbox?lang={lang}")
    assert page.locator("h1").inner_text() == ("Eingang" if lang == "de" else "Inbox")
    items = page.locator("[data-testid=handoff]")
    assert items.count() == 2
    assert QUESTION in page.content()
    # the summary keeps the pupil's language
    assert page.locator("ul.inbox__lines[lang=de]").count() == 1
    assert page.locator("ul.inbox__lines[lang=en]").count() == 1
    violations = serious_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    # the page must not scroll sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.context.close()


def test_the_advisor_deletes_a_message(browser: Browser, api_url: str) -> None:
    page = signed_in_page(browser, api_url, DESKTOP, "de-DE")
    page.goto(f"{api_url}/advisor/inbox")
    before = page.locator("[data-testid=handoff]").count()
    page.locator("[data-testid=handoff]").first.get_by_role("button", name="Erledigt – löschen").click()
    page.wait_for_url("**/advisor/inbox?**deleted=1")
    assert page.get_by_role("status").inner_text() == "Die Nachricht wurde gelöscht."
    assert page.locator("[data-testid=handoff]").count() == before - 1
    assert serious_violations(page) == []
    page.context.close()
