"""The clerk's pages in Chromium on the real stack: a clerk signs in with the invitation link,
creates an offer (occupation chosen with the search-as-you-type combobox), a pupil finds it
through the chat (REST channel), asks the company to get in touch, and the clerk answers the
request from the page; the reply reaches the pupil's address. axe-core finds no serious or
critical violation on any of the clerk's pages (desktop and phone)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, expect, sync_playwright

from bot.channels.web.bundle import WEB_DIR, install_build_tools
from scripts.stack import ROOT, VENV_BIN, Stack
from tests.e2e.conftest import Chat, SmtpSink
from tests.e2e.test_offers_contact import buttons, contact_payloads, texts, wait_for_mail

pytestmark = pytest.mark.e2e


def button_payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [button["payload"] for button in buttons(replies)]


# The stack shares the machine with other work: give every expectation time (the default is 5 s).
expect.set_options(timeout=30_000)

CHROMIUM = os.environ.get("BERUFSLOTSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
AXE = WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "ein-langes-Passwort-fuer-e2e"
PHONE = ViewportSize(width=375, height=740)
DESKTOP = ViewportSize(width=1280, height=800)


def cli(stack: Stack, *args: str) -> str:
    env = dict(os.environ, BERUFSLOTSE_DATABASE_URL=stack.config.effective_database_url)
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    install_build_tools()  # axe-core comes with the widget's locked npm tools
    with sync_playwright() as driver:
        browser = launch(driver)
        yield browser
        browser.close()


def launch(driver: Playwright) -> Browser:
    return driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": item["id"], "impact": item["impact"], "nodes": [node["target"] for node in item["nodes"]]}
        for item in result["violations"]
        if item["impact"] in ("serious", "critical")
    ]


def test_a_clerk_creates_an_offer_a_pupil_finds_and_answers_the_request(
    stack: Stack, chat: Chat, smtp_sink: SmtpSink, browser: Browser
) -> None:
    api = stack.config.api_url
    company_id = cli(
        stack,
        "company",
        "create",
        "--name",
        "Tischlerei Holzwurm (e2e)",
        "--email",
        "ausbildung@holzwurm.example",
        "--municipality",
        "Bramsche",
        "--verified",
    ).strip()
    invitation = cli(
        stack,
        "account",
        "create",
        "--email",
        "meister@holzwurm.example",
        "--role",
        "company",
        "--company",
        company_id,
    )
    token = re.search(r"token=([A-Za-z0-9_-]+)", invitation)
    assert token, invitation

    # bypass_csp: axe is injected as an inline script, which the pages' policy forbids
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="de-DE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{api}/login/link?token={token.group(1)}")
    page.get_by_label("Neues Passwort (freiwillig)").fill(PASSWORD)
    page.get_by_role("button", name="Weiter").click()
    expect(page).to_have_url(re.compile(r"/company$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tischlerei Holzwurm (e2e)")

    # a new offer: the occupation from the combobox, chosen with the keyboard
    page.goto(f"{api}/company/offers/new")
    combobox = page.get_by_role("combobox", name="Beruf")
    combobox.fill("Tischl")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_be_visible()
    assert serious_violations(page) == [], "combobox open"
    option_names = listbox.get_by_role("option").all_inner_texts()
    position = next(index for index, name in enumerate(option_names) if name.startswith("Tischler"))
    for _ in range(position + 1):
        combobox.press("ArrowDown")
    combobox.press("Enter")
    expect(combobox).to_have_value(re.compile(r"^Tischler"))
    assert page.locator("select#profession").input_value() == "tischler"
    page.get_by_label("Art des Angebots").select_option("apprenticeship")
    start = date.today() + timedelta(days=1)
    title = "Ausbildung Tischler/in bei Holzwurm"
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Beschreibung").fill("Du baust Möbel aus Holz.")
    page.get_by_label("Beginn").fill(start.isoformat())
    page.get_by_label("Ort").fill("Bramsche")
    page.get_by_label("Internetadresse für Bewerbungen").fill("https://holzwurm.example/ausbildung")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Das Angebot ist gespeichert.")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()

    # the pupil finds it through the chat
    expected = httpx.get(
        f"{api}/api/v1/offers", params={"kind": "apprenticeship", "near": "Bramsche", "limit": 3}
    ).json()
    ours = [item for item in expected["items"] if item["title"] == title]
    assert ours, "the new offer should be among the first three around Bramsche"
    replies = chat.say("Ausbildung in Bramsche")
    assert title in texts(replies)
    # the card has one button (Details); contacting the company is the details' main button
    offer_id = f'"offer_id":"{ours[0]["id"]}"'
    details = next(p for p in button_payloads(replies) if p.startswith("/offer_details") and offer_id in p)
    payload = next(p for p in contact_payloads(chat.say(details)) if offer_id in p)
    chat.say(payload)
    chat.say("ja")
    chat.say("Mia Beispiel")
    chat.say("mia@example.de")
    chat.say("Ich habe in den Ferien Zeit.")
    before = len(smtp_sink.messages)
    assert "Erledigt" in chat.say_text("ja")
    wait_for_mail(smtp_sink, before + 1)  # the company's notification

    # the clerk answers on the page
    page.goto(f"{api}/company/contacts")
    page.get_by_role("link", name="Mia Beispiel").click()
    expect(page.get_by_text("Ich habe in den Ferien Zeit.")).to_be_visible()
    expect(page.locator("blockquote.consent")).not_to_be_empty()
    page.get_by_label("Ihre Antwort").fill("Hallo Mia, komm gern am Dienstag um 15 Uhr vorbei.")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Antwort ist verschickt.")
    wait_for_mail(smtp_sink, before + 2)
    reply = smtp_sink.messages[-1]
    assert reply["To"] == "mia@example.de" and reply["Reply-To"] == "ausbildung@holzwurm.example"
    assert "komm gern am Dienstag" in reply.get_content()
    request_url = page.url.split("?")[0]

    # axe-core on every page of the clerk, on a desktop and a phone
    paths = [
        "/company",
        "/company/offers",
        "/company/offers/new",
        "/company/contacts",
        request_url.removeprefix(api),
    ]
    paths += ["/company/import", "/company/profile", "/company/offers?lang=en"]
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(f"{api}{path}")
            assert serious_violations(page) == [], (path, viewport)
    assert errors == []
    context.close()
