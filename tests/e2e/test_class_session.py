"""The issue's class lesson on the real stack: an advisor signs in in Chromium and creates a class;
simulated pupils join by typing its code in the REST channel and finish the quick check; the
overview in the browser shows the right counts and interest distribution by itself.

The issue asks for 30 pupils (the default). On a small shared machine set
BERUFSLOTSE_E2E_CLASS_PUPILS lower (at least 10, so that both halves reach k = 5).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import ViewportSize, expect, sync_playwright
from pydantic import SecretStr

from api.accounts import credentials
from api.accounts import service as accounts
from api.core.config import Environment, Settings
from api.core.db import session_factory_for
from scripts.stack import Stack
from tests.channels.web.conftest import AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.e2e.conftest import Chat
from tests.e2e.test_check_pause_resume import quick_items, tap, texts

pytestmark = pytest.mark.e2e

PUPILS = int(os.environ.get("BERUFSLOTSE_E2E_CLASS_PUPILS", "30"))
EMAIL = "klassenlehrer@schule.example"
PASSWORD = "e2e-Klasse-Passwort-2026"


def create_advisor(stack: Stack) -> None:
    settings = Settings(
        environment=Environment.TEST,
        database_url=stack.config.effective_database_url,
        api_admin_token=SecretStr("e2e"),
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
        password_hash_parallelism=1,
    )
    with session_factory_for(settings.database_url)() as session, session.begin():
        account = accounts.create_account(session, EMAIL, "advisor", None)
        accounts.set_password(account, PASSWORD, credentials.hasher_for(settings))


def take_the_class_check(
    stack: Stack, sender: str, code: str, strong: str, items: list[dict[str, Any]]
) -> str:
    """One pupil: types the code, starts the check from the confirmation, answers every item (5 for
    the items of type `strong`, 1 for the rest); returns the last answer's text."""
    chat = Chat(stack.config.rasa_url, sender=sender)
    replies = chat.say(f"{code[:3].lower()} {code[3:].lower()}")
    assert "Du bist jetzt in der Klasse" in texts(replies), texts(replies)
    replies = tap(chat, replies, "/start_check")
    replies = tap(chat, replies, '"quick"}')
    replies = tap(chat, replies, '"realschule"}')
    replies = chat.say("Bramsche")
    replies = tap(chat, replies, '"25"}')
    replies = tap(chat, replies, '"apprenticeship"}')
    for item in items:
        replies = tap(chat, replies, f'"{item["id"]}:{5 if item["type"] == strong else 1}"}}')
    return texts(replies)


def test_a_class_of_pupils_and_the_live_overview(stack: Stack) -> None:
    assert PUPILS >= 10, "both halves of the class need at least k = 5 pupils"
    create_advisor(stack)
    items = quick_items(stack)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system`")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(
                viewport=ViewportSize(width=DESKTOP["width"], height=DESKTOP["height"]),
                locale="de-DE",
                bypass_csp=True,
            ).new_page()
            page.goto(f"{stack.config.api_url}/advisor/classes")
            page.get_by_label("E-Mail-Adresse", exact=True).fill(EMAIL)
            page.get_by_label("Passwort", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Anmelden").click()
            page.get_by_label("Name der Klasse").fill("9a Berufsorientierung")
            page.get_by_label("Jahrgang").fill("9")
            page.get_by_label("Schule").fill("Oberschule Bramsche")
            page.get_by_role("button", name="Klasse anlegen").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("9a Berufsorientierung")
            code = page.locator(".class-code").inner_text().replace(" ", "")

            realistic = PUPILS // 2  # half the class hands-on (R), half social (S)
            with ThreadPoolExecutor(max_workers=4) as pool:
                endings = list(
                    pool.map(
                        lambda number: take_the_class_check(
                            stack, f"e2e-class-{number}", code, "R" if number < realistic else "S", items
                        ),
                        range(PUPILS),
                    )
                )
            assert all(ending for ending in endings)

            # the page was left open: the overview catches up by itself
            expect(page.locator("#count-joined")).to_have_text(str(PUPILS), timeout=20_000)
            expect(page.locator("#count-finished")).to_have_text(str(PUPILS), timeout=20_000)
            expect(page.locator("#count-in-check")).to_have_text("0")
            rows = {
                row.locator("th").inner_text(): row.locator("td").nth(1).inner_text()
                for row in page.locator("#profile tbody tr").all()
            }
            top = {name[-2]: count for name, count in rows.items()}  # "praktisch-technisch (R)" -> "R"
            assert top["R"] == str(realistic) and top["S"] == str(PUPILS - realistic), rows
            expect(page.locator("#topics")).to_contain_text(f"Berufe-Check: {PUPILS}")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
        finally:
            browser.close()
