"""The advisor's class pages in Chromium: sign in, create a class (first with mistakes), the class
page with its code and QR code, pupils joining while the page is open (the overview updates by
itself), end and delete; axe-core on every page, on a desktop and a phone.

The API runs under uvicorn on a free port of 127.0.0.1, on its own SQLite database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from pydantic import SecretStr

from api import cli
from api.accounts import credentials
from api.accounts import service as accounts
from api.check.models import CheckResult
from api.core.config import Environment, Settings
from api.core.db import engine_for, session_factory_for
from api.knowledge_sync.service import KnowledgeSnapshot, sync_knowledge
from api.main import create_app
from bot.channels.web.bundle import WidgetBuildError, install_build_tools
from knowledge import schema
from tests.api.accounts.support import PASSWORD
from tests.api.conftest import build_profession
from tests.api.exchange.support import free_port
from tests.channels.web.conftest import AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

SERVICE_TOKEN = "browser-test-service-token"
EMAIL = "lehrerin@schule.example"


@dataclass
class RunningApi:
    url: str
    settings: Settings

    def join(self, pupil_ref: str, code: str) -> None:
        response = httpx.post(
            f"{self.url}/api/v1/classes/join",
            json={"pupil_ref": pupil_ref, "code": code},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
        assert response.status_code == 200, response.text

    def finish_check(self, pupil_ref: str, **scores: float) -> None:
        values = {"R": 20.0, "I": 20.0, "A": 20.0, "S": 20.0, "E": 20.0, "C": 20.0, **scores}
        with session_factory_for(self.settings.database_url)() as session, session.begin():
            session.add(
                CheckResult(
                    pupil_ref=pupil_ref,
                    variant="quick",
                    completed_on=date.today(),
                    **{f"score_{code.lower()}": value for code, value in values.items()},
                )
            )


@pytest.fixture(scope="module", autouse=True)
def axe_installed() -> None:
    """axe-core is one of the widget's locked npm tools; a fresh clone gets it here (npm ci)."""
    try:
        install_build_tools()
    except WidgetBuildError as error:
        pytest.fail(str(error))


@pytest.fixture
def running_api(tmp_path: Path, vocab: schema.Vocab) -> Iterator[RunningApi]:
    folder = tmp_path
    settings = Settings(
        environment=Environment.TEST,
        database_url=f"sqlite:///{folder / 'api.db'}",
        api_admin_token=SecretStr("admin"),
        service_token=SecretStr(SERVICE_TOKEN),
        account_secret=SecretStr("browser-test-account-secret"),
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
        password_hash_parallelism=1,
        widget_page_url="https://www.example.org/berufsorientierung",
        telegram_bot_username="berufslotse_bot",
    )
    assert cli.main(["migrate"], settings=settings) == 0
    professions = [
        build_profession("koch", kldb_code="29302", field="2", riasec="RA"),
        build_profession("tischler", kldb_code="22342", field="2", riasec="RA"),
        build_profession("erzieher", kldb_code="83112", field="8", riasec="SA"),
    ]
    with session_factory_for(settings.database_url)() as session, session.begin():
        sync_knowledge(
            session,
            KnowledgeSnapshot(
                professions=professions,
                vocab=vocab,
                municipalities=[],
                minimum_pay=[],
                agreed_pay=[],
                knowledge_hash="browser",
            ),
        )
        account = accounts.create_account(session, EMAIL, "advisor", None)
        accounts.set_password(account, PASSWORD, credentials.hasher_for(settings))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    yield RunningApi(url=f"http://127.0.0.1:{port}", settings=settings)
    server.should_exit = True
    thread.join(timeout=10)
    engine_for(settings.database_url).dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (installs Debian's chromium)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def serious(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[node['target'] for node in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page: Page, api: RunningApi) -> None:
    page.goto(f"{api.url}/advisor/classes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    page.get_by_label("E-Mail-Adresse", exact=True).fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Klassen")


@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")])
def test_an_advisor_runs_a_class_in_the_browser(
    browser: Browser, running_api: RunningApi, viewport: dict[str, int]
) -> None:
    # bypass_csp: axe is injected as an inline script, which the pages' CSP forbids
    context = browser.new_context(
        viewport=ViewportSize(width=viewport["width"], height=viewport["height"]),
        locale="de-DE",
        bypass_csp=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, running_api)
        assert serious(page) == []

        page.get_by_label("Name der Klasse").fill("")
        page.get_by_role("button", name="Klasse anlegen").click()
        expect(page.get_by_role("alert")).to_contain_text("Geben Sie einen Namen für die Klasse ein.")
        assert serious(page) == []

        name = f"9b Berufsorientierung {viewport['width']}"
        page.get_by_label("Name der Klasse").fill(name)
        page.get_by_label("Jahrgang").fill("9")
        page.get_by_label("Schule").fill("Oberschule Bramsche")
        page.get_by_role("button", name="Klasse anlegen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        code = page.locator(".class-code").inner_text().replace(" ", "")
        assert len(code) == 6
        expect(
            page.get_by_role(
                "img",
                name=f"QR-Code: öffnet den Chat des Berufslotsen mit dem Klassencode {code[:3]} {code[3:]}",
            )
        ).to_be_visible()
        expect(page.get_by_role("link", name=f"https://t.me/berufslotse_bot?start={code}")).to_be_visible()
        assert serious(page) == []

        # pupils join and finish while the page is open: the overview follows by itself
        for number in range(6):
            running_api.join(f"browser-{viewport['width']}-{number}", code)
        for number in range(5):
            running_api.finish_check(f"browser-{viewport['width']}-{number}", R=85.0, A=60.0)
        expect(page.locator("#count-joined")).to_have_text("6", timeout=15_000)
        expect(page.locator("#count-finished")).to_have_text("5")
        expect(page.locator("#overview-summary")).to_have_text("6 beigetreten, 0 im Check, 5 fertig.")
        expect(page.locator("#profile table")).to_be_visible()
        expect(page.locator("#profile")).to_contain_text("5")
        assert serious(page) == []

        page.get_by_role("button", name="Klasse jetzt beenden").click()
        expect(page.get_by_role("status").first).to_contain_text("Die Klasse ist beendet")
        page.get_by_role("button", name="Klasse jetzt löschen").click()
        expect(page.get_by_role("alert")).to_contain_text("Kreuzen Sie an")
        assert serious(page) == []
        page.get_by_label("Ja, die Klasse und alles").check()
        page.get_by_role("button", name="Klasse jetzt löschen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Meine Klassen")
        expect(page.get_by_text(name)).to_have_count(0)
        assert errors == []
    finally:
        context.close()
