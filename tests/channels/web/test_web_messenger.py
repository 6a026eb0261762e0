"""The widget as a messenger (issue 15): first screen, buttons with context, the check as one card,
the result as a chart drawn in the page, folded answers, layout on phones and the portal's colours.

The structure comes from the fake Rasa in the shape docs/widget_messages.md describes; screenshots
at 390x844 and 1280x800 go to artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.channels.web.conftest import DESKTOP, PHONE, Assistant, Widget
from tests.channels.web.fake_rasa import CHART_BARS, CHECK_ITEMS, LIST_BUTTONS

OpenWidget = Callable[..., Widget]
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


@pytest.fixture(autouse=True)
def needs_the_fake(assistant: Assistant) -> None:
    assistant.require_fake()


def press(widget: Widget, locator: Any) -> None:
    widget.press_and_wait(locator)


def serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[node['target'] for node in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def shoot(widget: Widget, name: str, viewport: dict[str, int]) -> None:
    widget.settle()
    widget.page.wait_for_timeout(400)  # smooth scrolling is not an animation the page can await
    size = "phone" if viewport == PHONE else "desktop"
    assert widget.screenshot(f"messenger-{name}-{size}").stat().st_size > 10_000


# ---- first screen ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", SIZES)
def test_first_screen_is_short_and_offers_starters(
    open_widget: OpenWidget, assistant: Assistant, viewport: dict[str, int]
) -> None:
    widget = open_widget(viewport=viewport, bypass_csp=True).open()
    starters = widget.host.get_by_role("group", name="Womit fangen wir an?").get_by_role("button")
    expect(starters).to_have_count(4)
    expect(starters.first).to_have_text("Welcher Beruf passt zu mir?")
    for index in range(4):
        expect(starters.nth(index)).to_be_in_viewport()
    # the privacy note is said once, in one line (its details behind "mehr")
    assert widget.host.locator("#privacy summary").evaluate("el => el.getClientRects().length") == 1
    intro_height = widget.host.locator(".intro").evaluate("el => el.getBoundingClientRect().height")
    assert intro_height < viewport["height"] * 0.6, "the first screen is too long"
    shoot(widget, "start", viewport)
    assert serious(widget.audit()) == []

    press(widget, starters.first)
    expect(widget.pupil_texts).to_have_text(["Welcher Beruf passt zu mir?"])
    assert assistant.received()[-1].message == "/start_check"
    expect(widget.host.locator(".starters")).to_be_hidden()


def test_new_conversation_is_in_a_menu_and_asks_first(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    expect(widget.host.get_by_role("button", name="Neues Gespräch")).to_be_hidden()
    menu_button = widget.host.get_by_role("button", name="Menü")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(widget.host.get_by_role("button", name="Neues Gespräch")).to_be_focused()
    widget.page.keyboard.press("Escape")  # closes the menu, not the chat
    expect(widget.host.get_by_role("button", name="Neues Gespräch")).to_be_hidden()
    expect(widget.panel).to_be_visible()


def test_easy_german_is_a_switch_in_the_menu_sent_as_metadata(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    widget.send("Hallo")
    assert assistant.received()[-1].metadata == {"channel": "web", "language": "de"}
    widget.host.get_by_role("button", name="Menü").click()
    switch = widget.host.get_by_role("button", name="Einfache Sprache")
    expect(switch).to_have_attribute("aria-pressed", "false")
    before = widget.messages.count()
    switch.click()
    widget.wait_for_answer(before)
    last = assistant.received()[-1]
    assert last.message == '/switch_language{"easy_language":"true"}'
    assert last.metadata == {"channel": "web", "language": "de", "easy_language": "1"}
    expect(widget.pupil_texts.last).to_have_text("Bitte in einfacher Sprache")
    widget.send("Was macht ein Koch?")  # every later message carries the setting
    assert assistant.received()[-1].metadata["easy_language"] == "1"
    widget.host.get_by_role("button", name="Menü").click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    before = widget.messages.count()
    switch.click()
    widget.wait_for_answer(before)
    assert assistant.received()[-1].message == '/switch_language{"easy_language":"false"}'
    assert "easy_language" not in assistant.received()[-1].metadata


def test_a_page_can_ask_for_easy_german_with_an_attribute(widget: Widget, assistant: Assistant) -> None:
    widget.host.evaluate("host => host.setAttribute('easy-language', '')")
    widget.open()
    widget.send("Hallo")
    assert assistant.received()[-1].metadata == {"channel": "web", "language": "de", "easy_language": "1"}
    widget.host.get_by_role("button", name="Menü").click()
    switch = widget.host.get_by_role("button", name="Einfache Sprache")
    expect(switch).to_have_attribute("aria-pressed", "true")


# ---- buttons: context, lists, quick replies ----------------------------------------------------


@pytest.mark.parametrize("viewport", SIZES)
def test_list_buttons_stay_usable_and_say_what_they_were_for(
    open_widget: OpenWidget, assistant: Assistant, viewport: dict[str, int]
) -> None:
    widget = open_widget(viewport=viewport, bypass_csp=True).open()
    widget.send("Zeig mir eine Liste")
    offers = widget.host.locator(".log .choice", has_text="Angebote dazu")

    press(widget, offers)
    # the pupil's bubble has the context the assistant gave the button, not just "Angebote dazu"
    expect(widget.pupil_texts.last).to_have_text("Angebote: Tischler/-in")
    assert assistant.received()[-1].message == LIST_BUTTONS[1]["payload"]
    # the list's buttons still work; its quick reply ("Mehr Berufe") is gone
    expect(widget.host.locator(".log .choice:enabled", has_text="Koch/Köchin")).to_be_visible()
    expect(widget.host.locator(".log .choice", has_text="Mehr Berufe")).to_have_count(0)
    press(widget, widget.host.locator(".log .choice", has_text="Koch/Köchin"))
    expect(widget.pupil_texts.last).to_have_text("Details: Koch/Köchin")
    assert assistant.received()[-1].message == LIST_BUTTONS[2]["payload"]
    shoot(widget, "list", viewport)
    assert serious(widget.audit()) == []


def test_typing_indicator_shows_while_the_assistant_thinks(widget: Widget, assistant: Assistant) -> None:
    fake = assistant.require_fake()
    fake.delay = 0.8
    widget.open()
    widget.input.fill("Zeig mir eine Liste")
    widget.input.press("Enter")
    expect(widget.host.locator(".typing")).to_be_visible()
    expect(widget.host.locator(".typing")).to_be_hidden(timeout=5000)


# ---- the check as one card ---------------------------------------------------------------------


@pytest.mark.parametrize("viewport", SIZES)
def test_the_check_is_one_card_that_updates_in_place(
    open_widget: OpenWidget, assistant: Assistant, viewport: dict[str, int]
) -> None:
    widget = open_widget(viewport=viewport, bypass_csp=True).open()
    widget.send("Ich mache den Test")
    card = widget.host.locator(".card--check")
    expect(card).to_have_count(1)
    expect(card.locator(".progress-text")).to_have_text("Frage 1 von 3")
    expect(card.locator("progress")).to_have_attribute("max", "3")
    expect(card.locator(".question")).to_contain_text(CHECK_ITEMS[0])
    expect(card.locator(".question")).not_to_contain_text("1/3")  # the progress says it once

    faces = card.locator(".choice--scale")
    expect(faces).to_have_count(5)
    tops = {round(faces.nth(i).bounding_box()["y"]) for i in range(5)}  # type: ignore[index]
    assert len(tops) == 1, "the five answers are not in one row"
    expect(faces.first).to_have_accessible_name("😖 gar nicht")
    links = card.get_by_role("group", name="Weitere Möglichkeiten").get_by_role("button")
    expect(links).to_have_count(3)
    link_size = float(links.first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    face_words = float(
        faces.first.locator(".face").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    )
    assert link_size < face_words, "skip/back/pause look like answers"
    shoot(widget, "check", viewport)
    assert serious(widget.audit()) == []

    press(widget, faces.nth(4))
    # the same one card, now at question 2; the answer is not a bubble of its own
    expect(card).to_have_count(1)
    expect(card.locator(".progress-text")).to_have_text("Frage 2 von 3")
    expect(card.locator(".question")).to_contain_text(CHECK_ITEMS[1])
    expect(widget.pupil_texts.locator("visible=true")).to_have_text(["Ich mache den Test"])
    expect(card.locator(".choice--scale").first).to_be_focused()  # the keyboard stays on the card
    assert assistant.received()[-1].message.startswith("/check_answer")

    widget.page.keyboard.press("Enter")  # answers by keyboard
    expect(card.locator(".progress-text")).to_have_text("Frage 3 von 3")
    # the pupil's message, its echo and the card: nothing piles up
    assert widget.messages.locator("visible=true").count() == 3


# ---- the result as a chart ---------------------------------------------------------------------


def finish_the_check(widget: Widget) -> None:
    widget.send("Ich mache den Test")
    for _ in CHECK_ITEMS:
        press(widget, widget.host.locator(".card--check .choice--scale:enabled").first)
    expect(widget.host.locator(".chart")).to_be_visible()


@pytest.mark.parametrize("viewport", SIZES)
def test_result_is_a_sorted_chart_drawn_in_the_page(
    open_widget: OpenWidget, assistant: Assistant, viewport: dict[str, int]
) -> None:
    widget = open_widget(viewport=viewport, bypass_csp=True).open()
    finish_the_check(widget)
    chart = widget.host.locator(".chart")
    # the chart stands for the points line and the picture: said once, drawn in the page
    expect(widget.host.locator(".log img")).to_have_count(0)
    expect(widget.host.locator(".log")).not_to_contain_text("Deine Punkte")
    expect(widget.live_region).to_contain_text("Kreativ: 90")
    bars = chart.locator(".bars > li")
    expect(bars).to_have_count(len(CHART_BARS))
    expected = sorted(CHART_BARS, key=lambda bar: -int(bar["value"]))
    labels = [text.split("\n")[0] for text in bars.all_inner_texts()]
    assert [label.replace("★ ", "") for label in labels] == [str(bar["label"]) for bar in expected]
    expect(chart.locator(".is-top")).to_have_count(3)
    expect(chart.locator(".is-top").first).to_contain_text("stark")  # not by colour alone
    widths = [
        float(w)
        for w in chart.locator(".fill").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    ]
    assert widths == sorted(widths, reverse=True) and widths[0] > 2 * widths[-1]
    shoot(widget, "chart", viewport)
    assert serious(widget.audit()) == []

    # tap to enlarge
    height = float(chart.locator(".track").first.evaluate("el => el.getBoundingClientRect().height"))
    chart.get_by_role("button", name="Größer zeigen").click()
    expect(chart.get_by_role("button", name="Kleiner zeigen")).to_have_attribute("aria-pressed", "true")
    larger = float(chart.locator(".track").first.evaluate("el => el.getBoundingClientRect().height"))
    assert larger > 1.5 * height

    # it grows with the reader's text size / zoom (drawn in rem, not pixels)
    label = chart.locator(".label").first
    before = float(label.evaluate("el => el.getBoundingClientRect().height"))
    widget.page.evaluate("document.documentElement.style.fontSize = '200%'")
    after = float(label.evaluate("el => el.getBoundingClientRect().height"))
    assert after > 1.7 * before


# ---- answers: bold title, bullets, "mehr" -------------------------------------------------------


def test_long_answer_folds_behind_more(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    widget.send("Eine lange Antwort bitte")
    answer = widget.bot_texts.last
    expect(answer.locator("strong")).to_have_text("Tischler/-in")
    expect(answer).to_contain_text("Möbel")
    hidden_line = answer.get_by_text("800 Euro")
    expect(hidden_line).to_be_hidden()
    answer.get_by_text("mehr", exact=True).click()
    expect(hidden_line).to_be_visible()
    # e-mail and phone can be tapped
    expect(answer.get_by_role("link", name="ausbildung@tischlerei-muster.de")).to_have_attribute(
        "href", "mailto:ausbildung@tischlerei-muster.de"
    )
    expect(answer.get_by_role("link", name="05401 123456")).to_have_attribute("href", "tel:05401123456")


# ---- layout --------------------------------------------------------------------------------------


def test_long_words_hyphenate_and_do_not_break_apart(open_widget: OpenWidget, assistant: Assistant) -> None:
    widget = open_widget(viewport={"width": 320, "height": 640}).open()
    expect(widget.panel).to_have_attribute("lang", "de")
    widget.send("Brauche ich einen Schulabschluss für die Ausbildungsplatzvermittlungsgespräche")
    bubble = widget.pupil_texts.last
    assert bubble.evaluate("el => getComputedStyle(el).hyphens") == "auto"
    assert bubble.evaluate("el => getComputedStyle(el).overflowWrap") == "break-word"
    # a word that fits on a line is never cut ("Schulabschlus-s")
    lines = bubble.evaluate(
        """el => {
            const node = el.firstChild;
            const start = node.textContent.indexOf('Schulabschluss');
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + 'Schulabschluss'.length);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        }"""
    )
    assert lines == 1


def test_launcher_is_an_early_tab_stop_and_covers_no_heading(open_widget: OpenWidget) -> None:
    widget = open_widget(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    launcher = widget.launcher.bounding_box()
    assert launcher is not None
    assert launcher["width"] <= 64 and launcher["height"] <= 64, "the launcher is big on a phone"
    expect(widget.launcher).to_have_accessible_name("Frag den Berufslotsen")
    for position in ("top", "bottom"):
        widget.page.evaluate(
            f"window.scrollTo(0, {'0' if position == 'top' else 'document.body.scrollHeight'})"
        )
        covered = widget.page.evaluate(
            """box => [...document.querySelectorAll('h1, h2, h3, a, p, li')].filter(el => {
                if (el.closest('berufslotse-chat')) return false;
                const range = document.createRange();
                range.selectNodeContents(el);
                return [...range.getClientRects()].some(r => r.width > 0 && r.right > box.x
                    && r.left < box.x + box.width && r.bottom > box.y && r.top < box.y + box.height
                    && (el.matches('h1, h2, h3') || position === 'bottom'));
            }).map(el => el.tagName + ': ' + el.textContent.trim().slice(0, 40))""".replace(
                "position === 'bottom'", "true" if position == "bottom" else "false"
            ),
            launcher,
        )
        assert covered == [], f"the launcher covers {covered} ({position} of the page)"


def test_portal_colours_reach_the_widget(widget: Widget) -> None:
    # the demo portal sets --bl-primary to its green (portal.css); the widget follows it
    assert widget.launcher.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(0, 95, 86)"
    widget.open()
    header = widget.host.locator(".header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(0, 95, 86)"


def test_check_card_and_chart_in_english(open_widget: OpenWidget, assistant: Assistant) -> None:
    widget = open_widget("?lang=en").open()
    widget.send("test")
    expect(widget.host.locator(".card--check .progress-text")).to_have_text("Question 1 of 3")
    expect(widget.host.get_by_role("group", name="Other options")).to_be_visible()
