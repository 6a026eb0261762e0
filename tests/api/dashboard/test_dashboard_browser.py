"""The dashboard in Debian's Chromium (Playwright): sign in as the district, see the charts, use the
filters (a plain GET form), download the CSV, and an axe-core audit on a desktop and a phone.

The API runs in a thread (uvicorn) on 127.0.0.1 against the dashboard test database; the browser
flags and axe-core are those of the widget's tests (tests/channels/web)."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from api.core.config import Settings
from api.main import create_app
from bot.channels.web.bundle import WidgetBuildError, install_build_tools
from tests.api.dashboard.conftest import PASSWORD, account_email
from tests.channels.web.conftest import AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(dashboard_settings: Settings) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(dashboard_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def axe_script() -> str:
    try:
        install_build_tools()  # npm ci: axe-core is one of the widget's locked dev tools
    except WidgetBuildError as error:
        pytest.fail(str(error))
    return str(AXE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (installs Debian's chromium)")
    with sync_playwright() as driver:
        playwright: Playwright = driver
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in_page(browser: Browser, base_url: str, **options: Any) -> Page:
    """A fresh browser context (own cookies) signed in as the district, on its start page."""
    context = browser.new_context(
        **{"viewport": DESKTOP, "locale": "de-DE", "accept_downloads": True, **options}
    )
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("E-Mail-Adresse", exact=True).fill(account_email("district"))
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url(f"{base_url}/district")
    return page


def serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[node['target'] for node in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def audit(page: Page, axe_script: str) -> list[dict[str, Any]]:
    page.add_script_tag(path=axe_script)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def test_charts_render_and_filters_work(browser: Browser, base_url: str) -> None:
    page = signed_in_page(browser, base_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bildungsmonitoring: Interessen und Angebot")
    expect(page.locator("#data-notice")).to_contain_text("DEMO-DATEN")
    # three charts, each visible with a size and an accessible name
    for name in (
        "Mittlere Interessen-Werte",
        "Interessierte Jugendliche und Plätze nach Berufsbereich",
        "je Gemeinde",
    ):
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
    assert page.locator("#chart-profile polyline").count() >= 6
    assert page.locator("#chart-fields g.field-row").count() == 9
    assert page.locator("#chart-map g.place").count() >= 30

    # a filter is a plain GET form: choose a field and an area, press the button
    page.get_by_label("Berufsbereich", exact=True).select_option("8")
    page.get_by_label("Gebiet", exact=True).select_option("melle")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**field=8**")
    assert "area=melle" in page.url
    expect(page.locator("#fields-table tbody tr")).to_have_count(1)
    expect(page.locator("#fields-table tbody tr th")).to_have_text("Gesundheit, Soziales und Erziehung")
    expect(page.get_by_role("heading", level=2, name="Überblick: Melle", exact=False)).to_be_visible()
    assert page.locator("#chart-fields g.field-row").count() == 1

    # the table behind a chart opens with the keyboard
    summary = page.locator("details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#profile-table")).to_be_visible()

    # the CSV download of the same selection
    with page.expect_download() as event:
        page.get_by_role("link", name="Zahlen als CSV").click()
    download = event.value
    assert download.suggested_filename.endswith(".csv")
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows and {row["data"] for row in rows} == {"only"}
    melle = next(row for row in rows if row["area"] == "melle" and row["field"] == "all")
    assert melle["area_name"] == "Melle"

    # and the page in English keeps the filters
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Education monitoring: interests and supply")
    assert "field=8" in page.url and "lang=en" in page.url
    page.context.close()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("desktop", {}),
        ("phone", {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}),
    ],
)
def test_axe_finds_no_serious_violation(
    browser: Browser, base_url: str, axe_script: str, name: str, options: dict[str, Any]
) -> None:
    # bypass_csp: axe is injected as a script, which the page's policy (no script at all) forbids
    page = signed_in_page(browser, base_url, bypass_csp=True, **options)
    # the tables behind the charts open, so that axe checks them too
    for summary in page.locator("details summary").all():
        summary.click()
    # nothing wider than the screen: wide tables scroll inside their own region
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=True)
    assert serious(audit(page, axe_script)) == []
    page.context.close()
