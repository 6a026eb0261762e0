"""Browser tests of the chat widget: Debian's Chromium, driven by Playwright, against the demo page
(bot/channels/web/serve.py) and a fake Rasa REST channel (fake_rasa.py) on 127.0.0.1.

To run the same tests against a real Rasa, set BERUFSLOTSE_WEB_TEST_RASA_URL (e.g.
http://127.0.0.1:5005) and BERUFSLOTSE_WEB_TEST_IMAGE_ORIGIN (the API that draws the chart, e.g.
http://127.0.0.1:8000); the demo page is then served on BERUFSLOTSE_WEB_TEST_DEMO_PORT (default
8080), which must be in Rasa's --cors list (BERUFSLOTSE_CORS_ORIGINS). Tests that need the fake's
script or its record of requests are skipped then.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Playwright,
    Request,
    sync_playwright,
)

from bot.channels.web.bundle import WEB_DIR, WidgetBuildError, ensure_built
from bot.channels.web.serve import DemoConfig, make_server, serve_in_thread
from tests.channels.web.fake_rasa import FakeRasa, Received

REPO = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
AXE = WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("BERUFSLOTSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass
class Assistant:
    """The Rasa the widget talks to: the fake (with its record) or a real one."""

    url: str
    fake: FakeRasa | None
    # A message the assistant answers with buttons, and one it answers with an image (the real
    # assistant shows its chart at the end of the check, which the image test then goes through).
    buttons_prompt: str = "Hallo"
    image_prompt: str | None = "Zeig mir mein Ergebnis"

    def received(self) -> list[Received]:
        if self.fake is None:
            pytest.skip("needs the fake Rasa's record of requests")
        return list(self.fake.received)

    def require_fake(self) -> FakeRasa:
        if self.fake is None:
            pytest.skip("needs the fake Rasa's script")
        return self.fake


@pytest.fixture(scope="session")
def widget_dist() -> Path:
    try:
        return ensure_built()
    except WidgetBuildError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def session_assistant() -> Iterator[Assistant]:
    real_url = os.environ.get("BERUFSLOTSE_WEB_TEST_RASA_URL")
    if real_url:
        yield Assistant(
            url=real_url.rstrip("/"),
            fake=None,
            # the occupation as a whole (ask_profession) comes with buttons; "was macht" asks for the tasks
            buttons_prompt="Was ist ein Mechatroniker?",
            image_prompt=None,
        )
        return
    fake = FakeRasa().start()
    yield Assistant(url=fake.url, fake=fake)
    fake.stop()


@pytest.fixture
def assistant(session_assistant: Assistant) -> Assistant:
    if session_assistant.fake is not None:
        session_assistant.fake.reset()
    return session_assistant


@pytest.fixture(scope="session")
def demo_url(widget_dist: Path, session_assistant: Assistant) -> Iterator[str]:
    port = int(os.environ.get("BERUFSLOTSE_WEB_TEST_DEMO_PORT", "0" if session_assistant.fake else "8080"))
    # the real assistant's chart comes from the API (BERUFSLOTSE_WEB_TEST_IMAGE_ORIGIN)
    image_origins = tuple(filter(None, [os.environ.get("BERUFSLOTSE_WEB_TEST_IMAGE_ORIGIN")]))
    config = DemoConfig(rasa_url=session_assistant.url, directory=widget_dist, image_origins=image_origins)
    server = make_server("127.0.0.1", port, config)
    origin = f"http://127.0.0.1:{server.server_port}"
    if session_assistant.fake is not None:
        session_assistant.fake.allowed_origins.add(origin)
    serve_in_thread(server)
    yield f"{origin}/"
    server.shutdown()
    server.server_close()


# Module scope, not session: Playwright's sync API keeps an event loop running in the main thread
# while it is open, and async tests that run later in the same session (tests/e2e) need it gone.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (installs Debian's chromium)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page did that it must not: requests to other hosts, dialogs, CSP violations."""

    foreign_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def follow(self, page: Page) -> None:
        page.on("request", self.on_request)
        page.on("dialog", self.on_dialog)
        page.on("console", self.on_console)

    def on_request(self, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in ("data", "blob", "about") and url.hostname not in ("127.0.0.1", "localhost"):
            self.foreign_requests.append(request.url)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)


class Widget:
    """The demo page with the widget, seen the way a pupil sees it (roles and labels)."""

    def __init__(self, page: Page, demo_url: str, watch: Watch) -> None:
        self.page = page
        self.demo_url = demo_url
        self.watch = watch
        self.host = page.locator("berufslotse-chat")

    def goto(self, query: str = "") -> Widget:
        self.page.goto(self.demo_url + query)
        self.page.wait_for_function("() => customElements.get('berufslotse-chat') !== undefined")
        return self

    @property
    def launcher(self) -> Locator:
        return self.host.locator("button.launcher")

    @property
    def panel(self) -> Locator:
        return self.page.get_by_role("dialog", name="Berufslotse")

    @property
    def input(self) -> Locator:
        return self.host.locator("input#message")

    @property
    def messages(self) -> Locator:
        return self.host.locator(".log > li")

    @property
    def bot_texts(self) -> Locator:
        return self.host.locator(".msg--bot .bubble")

    @property
    def pupil_texts(self) -> Locator:
        return self.host.locator(".msg--pupil .bubble")

    @property
    def live_region(self) -> Locator:
        return self.host.locator("[aria-live=polite]")

    def menu(self, item: str) -> None:
        """Opens the panel's menu and presses one of its entries."""
        self.host.get_by_role("button", name=self.menu_label).click()
        self.host.locator("#menu").get_by_role("button", name=item).click()

    menu_label = "Menü"

    def open(self) -> Widget:
        self.launcher.click()
        self.panel.wait_for()
        self.settle()
        return self

    def settle(self) -> None:
        """Waits until the widget's finite animations (panel rising, messages fading in) are over."""
        self.host.evaluate(
            """host => Promise.all(host.shadowRoot.getAnimations()
                .filter(animation => animation.effect.getComputedTiming().iterations !== Infinity)
                .map(animation => animation.finished.catch(() => null)))"""
        )

    def send(self, text: str) -> None:
        """Types a message and presses Enter, then waits until the answer is there."""
        before = self.messages.count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_answer(before)

    def wait_for_answer(self, messages_before: int) -> None:
        # the pupil's message plus at least one answer, and nobody typing any more
        self.page.wait_for_function(
            """([host, n]) => {
                const root = document.querySelector(host).shadowRoot;
                const answered = root.querySelectorAll('.log > li').length > n + 1;
                return answered && root.querySelector('.typing').hidden;
            }""",
            arg=["berufslotse-chat", messages_before],
        )

    def press_and_wait(self, button: Locator) -> None:
        """Clicks and waits until the answer is there: a new last message from the bot, nobody
        typing. Works where the count of messages stays the same (the check card replaced in place)."""
        last = self.messages.last.get_attribute("data-id") if self.messages.count() else None
        button.click()
        self.page.wait_for_function(
            """last => {
                const root = document.querySelector('berufslotse-chat').shadowRoot;
                const items = root.querySelectorAll('.log > li');
                const newest = items[items.length - 1];
                return root.querySelector('.typing').hidden && newest && newest.dataset.id !== last
                    && !newest.classList.contains('msg--pupil');
            }""",
            arg=last,
        )

    def sender_id(self) -> str:
        return str(self.page.evaluate("sessionStorage.getItem('berufslotse-chat:sender')"))

    def focused(self) -> dict[str, Any]:
        """The element that has the keyboard focus, looking into shadow roots."""
        return dict(
            self.page.evaluate(
                """() => {
                    let el = document.activeElement;
                    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
                    const style = getComputedStyle(el);
                    return {
                        tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
                        text: (el.innerText || el.textContent || '').trim(),
                        outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                    };
                }"""
            )
        )

    def audit(self) -> list[dict[str, Any]]:
        """Runs axe-core (from the npm registry, via node_modules) and returns its violations, once
        the messages have faded in (mid-fade a bubble's contrast is its opacity's, not its colours')."""
        self.settle()
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return list(result["violations"])

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def open_widget(browser: Browser, demo_url: str, assistant: Assistant) -> Iterator[Callable[..., Widget]]:
    """Opens the demo page in a fresh browser context (own storage); checks afterwards that the
    page made no request to another host, opened no dialog and broke no CSP rule."""
    contexts = []
    watches: list[Watch] = []

    def factory(query: str = "", **context_options: Any) -> Widget:
        options = {"viewport": DESKTOP, "locale": "de-DE", **context_options}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        watches.append(watch)
        watch.follow(page)
        return Widget(page, demo_url, watch).goto(query)

    yield factory
    for context in contexts:
        context.close()
    for watch in watches:
        assert watch.foreign_requests == [], "requests to other hosts"
        assert watch.dialogs == [], "the page opened a dialog"
        assert watch.csp_violations == [], "Content-Security-Policy violations"


@pytest.fixture
def widget(open_widget: Callable[..., Widget]) -> Widget:
    return open_widget()
