"""The widget's alerts on the real stack, in Chromium: a pupil saves a search in the widget and says
"Remember me on this device", closes the page; a company publishes a matching offer; a new page of
the same browser profile shows the alert in the widget, in the pupil's language, exactly once (not
again on a reload, not in the next tab). A pupil who does not opt in starts fresh in a new tab, and
the browser keeps nothing in localStorage."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from scripts.stack import Stack
from tests.e2e.test_alerts_real_stack import cli, saved_searches

pytestmark = pytest.mark.e2e
# The stack shares the machine with other work: give every expectation time (the default is 5 s).
expect.set_options(timeout=60_000)

CHROMIUM = os.environ.get("BERUFSLOTSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
SENDER_KEY = "berufslotse-chat:sender"
OFFER_TITLE = "Ausbildung Tischler/in in Melle (Widget-Alarm-Test)"
COMPANY = "Holzwerkstatt Widget-Test"  # the alert's line for the offer names the company in every language


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def company_key(stack: Stack) -> str:
    """A verified company in Melle with an API key (made as an admin would, with the CLI)."""
    output = cli(
        stack,
        "company",
        "create",
        "--name",
        COMPANY,
        "--municipality",
        "Melle",
        "--verified",
    )
    return cli(stack, "company", "create-key", output.strip().splitlines()[-1]).strip().splitlines()[0]


def publish_offer(stack: Stack, key: str) -> dict[str, Any]:
    response = httpx.post(
        f"{stack.config.api_url}/api/v1/company/offers",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "kind": "apprenticeship",
            "profession": "tischler",
            "title": OFFER_TITLE,
            "description": "Du baust Möbel und Treppen aus Holz.",
            "start_date": (date.today() + timedelta(days=200)).isoformat(),
            "municipality": "Melle",
            "how_to_apply": {"url": "https://holzwerkstatt.example/ausbildung"},
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    offer: dict[str, Any] = response.json()
    return offer


class WidgetPage:
    """The stack's demo page with the widget, as the pupil sees it."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.page: Page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        self.page.wait_for_function("() => customElements.get('berufslotse-chat') !== undefined")
        self.host = self.page.locator("berufslotse-chat")

    @property
    def bot_texts(self) -> Locator:
        return self.host.locator(".msg--bot .bubble")

    def open(self) -> None:
        if self.host.locator("button.launcher").is_visible():
            self.host.locator("button.launcher").click()
        self.host.locator("input#message").wait_for()

    def say(self, text: str) -> None:
        """Sends a message and waits until the assistant has answered it."""
        before = self.host.locator(".log > li").count()
        self.host.locator("input#message").fill(text)
        self.host.locator("input#message").press("Enter")
        # a function, not a string expression: the demo page's CSP forbids evaluating strings
        self.page.wait_for_function(
            """([n]) => {
                const root = document.querySelector('berufslotse-chat').shadowRoot;
                const answered = root.querySelectorAll('.log > li').length > n + 1;
                return answered && root.querySelector('.typing').hidden;
            }""",
            arg=[before],
            timeout=120_000,
        )

    def sender(self) -> str | None:
        value = self.page.evaluate("() => sessionStorage.getItem('berufslotse-chat:sender')")
        return str(value) if value else None

    def device_storage(self) -> dict[str, str]:
        return dict(self.page.evaluate("() => Object.fromEntries(Object.entries(localStorage))"))


def test_a_remembered_pupil_sees_the_alert_once_on_the_next_visit(
    stack: Stack, browser: Browser, company_key: str
) -> None:
    web = stack.config.web_url
    remembered_context = browser.new_context(locale="en-GB")
    fresh_context = browser.new_context(locale="de-DE")

    # 1. an English-speaking pupil saves a search in the widget and opts in
    first = WidgetPage(remembered_context, f"{web}/?lang=en")
    first.open()
    first.say("Let me know about new joiner apprenticeships in Melle")
    card = first.host.locator(".msg--device")
    expect(card).to_contain_text("this browser stores only your random chat number, nothing else")
    card.get_by_role("button", name="Remember me on this device").click()
    expect(card.get_by_role("button", name="Forget")).to_be_visible()
    sender = first.sender()
    assert sender and sender.startswith("web-")
    assert first.device_storage() == {SENDER_KEY: sender}  # the id, nothing else
    [search] = saved_searches(stack, sender)
    assert search["profession"]["slug"] == "tischler" and search["language"] == "en"

    # 2. another pupil (another browser profile) saves the same search without the opt-in
    other = WidgetPage(fresh_context, f"{web}/")
    other.open()
    other.say("Sag mir Bescheid bei neuen Stellen als Tischler in Melle")
    expect(other.host.locator(".msg--device")).to_have_count(1)  # offered, not taken
    other_sender = other.sender()
    assert other_sender and len(saved_searches(stack, other_sender)) == 1
    assert other.device_storage() == {}

    # 3. both close the page; a company publishes a matching offer
    first.page.close()
    other.page.close()
    publish_offer(stack, company_key)

    # 4. the remembered pupil comes back in a new tab: the alert is there, in English, once
    back = WidgetPage(remembered_context, f"{web}/?lang=en")
    expect(back.host.locator("button.launcher")).to_contain_text("new message")
    back.open()
    expect(back.bot_texts.filter(has_text=COMPANY)).to_have_count(1)
    # in English the line names the job in English, not the company's German title
    expect(back.bot_texts.filter(has_text=COMPANY)).to_contain_text("Joiner")
    expect(back.bot_texts.filter(has_text=OFFER_TITLE)).to_have_count(0)
    expect(back.bot_texts.filter(has_text="There is something new for your saved search")).to_have_count(1)
    expect(back.host.locator(".msg--pupil")).to_have_count(0)
    assert back.sender() == sender

    # a reload shows the same messages (this tab's history), and asks nothing again
    back.page.reload()
    back.page.wait_for_function("() => customElements.get('berufslotse-chat') !== undefined")
    back.open()
    back.say("thanks")
    expect(back.bot_texts.filter(has_text=COMPANY)).to_have_count(1)

    # the next tab: the assistant has nothing new (each alert once, at most once a day)
    back.page.close()
    again = WidgetPage(remembered_context, f"{web}/?lang=en")
    again.open()
    again.say("hello")
    expect(again.bot_texts.filter(has_text=COMPANY)).to_have_count(0)
    assert again.sender() == sender

    # 5. the pupil without the opt-in: a new tab is a new conversation, nothing stored, no alert
    fresh = WidgetPage(fresh_context, f"{web}/")
    fresh.open()
    fresh.say("Hallo")
    assert fresh.sender() not in (None, other_sender)
    assert fresh.device_storage() == {}
    expect(fresh.bot_texts.filter(has_text=COMPANY)).to_have_count(0)
    # its search is still there, unannounced: the website cannot reach that pupil any more
    [unannounced] = saved_searches(stack, other_sender)
    assert unannounced["last_alerted_at"] is None

    # 6. "Forget": the next tab of the remembered pupil starts fresh too
    again.host.locator("#privacy-line").click()  # the privacy note starts folded to one line
    again.host.locator("#privacy").get_by_role("button", name="Forget").click()
    assert again.device_storage() == {}
    gone = WidgetPage(remembered_context, f"{web}/?lang=en")
    assert gone.sender() is None  # no id until the pupil writes

    for page in (first, other, back, again, fresh, gone):
        assert page.errors == []
    remembered_context.close()
    fresh_context.close()
