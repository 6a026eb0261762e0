"""The chat widget in a real browser: what a pupil does with it, by mouse and by keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.channels.web.conftest import DESKTOP, PHONE, Assistant, Widget
from tests.channels.web.fake_rasa import BUTTONS, CHART_ALT

OpenWidget = Callable[..., Widget]


def test_privacy_note_is_one_line_with_more_behind_it(widget: Widget, assistant: Assistant) -> None:
    expect(widget.launcher).to_have_accessible_name("Frag den Berufslotsen")
    widget.open()

    note = widget.host.locator("#privacy")
    line = note.locator("summary")
    expect(line).to_be_visible()
    expect(line).to_contain_text("anonym")
    expect(line).to_contain_text("mehr")
    # one line on a phone-wide panel too: the note is no longer half the screen
    assert line.evaluate("el => el.getClientRects().length") == 1
    heading = note.get_by_role("heading", name="Kurz zum Datenschutz")
    expect(heading).to_be_hidden()
    line.click()
    expect(heading).to_be_visible()
    expect(note).to_contain_text("zufälligen Nummer")  # pseudonymous
    expect(note).to_contain_text("nur in diesem Tab")  # what the browser keeps
    expect(note).to_contain_text("lösch meine Daten")  # how to delete
    expect(note.get_by_role("button", name="Meine Daten löschen")).to_be_visible()
    # The input points to the note, so a screen reader reads it before the first message.
    expect(widget.input).to_have_attribute("aria-describedby", "privacy-line")
    expect(widget.messages).to_have_count(0)
    assert assistant.received() == []


def test_typed_message_is_sent_and_the_answer_read_out(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    expect(widget.input).to_be_focused()

    widget.send("Hallo")

    expect(widget.pupil_texts).to_have_text(["Hallo"])
    expect(widget.bot_texts.first).to_be_visible()
    expect(widget.input).to_have_value("")
    # what the assistant said went to the live region too
    first_answer = widget.bot_texts.first.inner_text()
    expect(widget.live_region).to_contain_text(f"Berufslotse: {first_answer}")
    received = assistant.received()
    assert [(r.sender, r.message) for r in received] == [(widget.sender_id(), "Hallo")]
    assert received[0].metadata == {"channel": "web", "language": "de"}
    assert received[0].origin == widget.demo_url.rstrip("/")


def test_pressing_a_button_sends_its_payload_and_shows_its_title(
    widget: Widget, assistant: Assistant
) -> None:
    widget.open()
    widget.send(assistant.buttons_prompt)
    choices = widget.host.get_by_role("group", name="Antwortmöglichkeiten").get_by_role("button")
    expect(choices.first).to_be_enabled()
    title = choices.first.inner_text()
    message_id = choices.first.evaluate("button => button.closest('li').dataset.id")
    before = widget.messages.count()

    choices.first.click()
    widget.wait_for_answer(before)

    expect(widget.pupil_texts.last).to_have_text(title)
    # quick replies go once answered (no dead grey pills); the pupil's bubble says what was chosen
    expect(widget.host.locator(f'.log > li[data-id="{message_id}"] .choice')).to_have_count(0)
    expect(widget.input).to_be_focused()
    if assistant.fake is not None:
        assert title == BUTTONS[0]["title"]
        assert assistant.received()[-1].message == BUTTONS[0]["payload"]
        expect(widget.bot_texts.last).to_have_text(f"Angekommen ist: {BUTTONS[0]['payload']}")


def test_typing_instead_of_pressing_also_closes_the_buttons(widget: Widget, assistant: Assistant) -> None:
    assistant.require_fake()
    widget.open()
    widget.send("Hallo")
    widget.send("Lieber was anderes")
    expect(widget.host.locator(".log .choice")).to_have_count(0)


def press(widget: Widget, title: str) -> None:
    """Presses the newest enabled answer button with this title and waits for the answer."""
    before = widget.messages.count()
    widget.host.locator(".log .choice:enabled", has_text=title).last.click()
    widget.wait_for_answer(before)


def take_the_short_check(widget: Widget) -> None:
    """The real assistant's chart comes at the end of its check: the short one, by buttons."""
    widget.send("ich weiß nicht, was ich werden will")
    press(widget, "Kurz (30)")
    press(widget, "Realschulabschluss")
    widget.send("Bramsche")
    press(widget, "bis 25 km")
    press(widget, "Eine Ausbildung")
    for _ in range(40):  # 30 items, the first answer button each time
        # the chart: drawn in the page from the bars the assistant sends, or as a picture
        if widget.host.locator(".msg--bot img, .msg--bot .chart").count():
            return
        on_card = widget.host.locator(".card--check .choice:enabled")  # the check as one card
        buttons = on_card if on_card.count() else widget.host.locator(".log .choice:enabled")
        widget.press_and_wait(buttons.first)
    pytest.fail("the check ended without a chart")


def test_image_is_shown_with_alternative_text(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    if assistant.image_prompt is not None:
        widget.send(assistant.image_prompt)
    else:
        take_the_short_check(widget)

        chart = widget.host.locator(".msg--bot .chart")
        if chart.count():  # the real assistant sends the bars: the widget draws them
            expect(chart.locator(".bars > li").nth(2)).to_be_visible()
            expect(chart.locator(".is-top")).to_have_count(3)
            expect(widget.live_region).to_contain_text(": ")
            return
    image = widget.host.locator(".msg--bot img").last
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the image did not load"
    assert image.get_attribute("alt")
    if assistant.fake is not None:
        expect(image).to_have_attribute("alt", CHART_ALT)
        expect(widget.live_region).to_contain_text(f"Berufslotse: {CHART_ALT}")


def test_image_without_alternative_text_gets_a_generic_one(widget: Widget, assistant: Assistant) -> None:
    assistant.require_fake()
    widget.open()
    widget.send("Zeig mir ein Bild")
    expect(widget.host.locator(".msg--bot img")).to_have_attribute("alt", "Grafik vom Berufslotsen")


def test_web_addresses_become_safe_links(widget: Widget, assistant: Assistant) -> None:
    assistant.require_fake()
    widget.open()
    widget.send("Hast du einen Link?")

    link = widget.host.locator(".msg--bot a")
    expect(link).to_have_count(1)
    # the full stop after the address is not part of it
    expect(link).to_have_attribute("href", "https://web.arbeitsagentur.de/berufenet/")
    expect(link).to_have_attribute("target", "_blank")
    assert "noopener" in (link.get_attribute("rel") or "").split()
    expect(link).to_have_accessible_name("https://web.arbeitsagentur.de/berufenet/ (öffnet in neuem Tab)")
    expect(widget.bot_texts.last).to_contain_text(". Oder frag mich!")


def test_markup_in_messages_is_shown_as_text(widget: Widget, assistant: Assistant) -> None:
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)><b>fett</b>"
    widget.open()
    widget.send(attack)

    expect(widget.pupil_texts).to_have_text([attack])
    counts = widget.page.evaluate(
        """() => {
            const root = document.querySelector('berufslotse-chat').shadowRoot;
            const inline = document.querySelectorAll('script:not([src])').length;
            return {
                scripts: root.querySelectorAll('script').length + inline,
                images: root.querySelectorAll('.log img').length,
                bold: root.querySelectorAll('.log b').length,
            };
        }"""
    )
    assert counts == {"scripts": 0, "images": 0, "bold": 0}
    if assistant.fake is not None:
        # the fake echoes it: markup coming from Rasa is text as well
        expect(widget.bot_texts.first).to_have_text(f"Echo: {attack}")
    # no alert: the open_widget fixture fails the test on any dialog


def test_reload_continues_the_conversation(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    widget.send(assistant.buttons_prompt)
    sender = widget.sender_id()
    shown = widget.messages.all_inner_texts()

    widget.page.reload()

    expect(widget.panel).to_be_visible()  # it was open in this tab, so it opens again
    expect(widget.messages).to_have_count(len(shown))
    assert widget.messages.all_inner_texts() == shown
    assert widget.sender_id() == sender
    # the buttons of the last answer still work after the reload
    choices = widget.host.locator(".log .choice:enabled")
    expect(choices.first).to_be_visible()
    before = widget.messages.count()
    choices.first.click()
    widget.wait_for_answer(before)
    received = assistant.received()
    assert {r.sender for r in received} == {sender}
    assert len(received) == 2


def test_a_class_link_joins_the_class_once(open_widget: OpenWidget, assistant: Assistant) -> None:
    widget = open_widget("?class=k7m-4qx")
    expect(widget.panel).to_be_visible()  # the link opens the chat
    widget.messages.nth(1).wait_for()  # a locator: the page's CSP forbids evaluating strings
    assert widget.messages.first.inner_text().endswith("Klassencode: K7M 4QX")
    widget.page.reload()
    widget.page.wait_for_function("() => customElements.get('berufslotse-chat') !== undefined")
    received = assistant.received()
    assert [(r.sender, r.message) for r in received] == [
        (widget.sender_id(), '/join_class{"class_code":"K7M4QX"}')
    ]
    other = open_widget("?class=HALLO1")  # not a class code: nothing is sent
    expect(other.launcher).to_be_visible()
    assert len(assistant.received()) == 1


def test_new_conversation_starts_fresh_under_a_new_id(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    widget.send("Hallo")
    old_sender = widget.sender_id()

    widget.menu("Neues Gespräch")
    # it asks first; "Abbrechen" keeps everything
    confirm = widget.host.get_by_role("alertdialog", name="Neues Gespräch starten?")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Abbrechen")).to_be_focused()
    confirm.get_by_role("button", name="Abbrechen").click()
    expect(confirm).to_be_hidden()
    expect(widget.pupil_texts).to_have_text(["Hallo"])
    assert widget.sender_id() == old_sender

    widget.menu("Neues Gespräch")
    confirm.get_by_role("button", name="Ja, neu starten").click()

    expect(widget.messages).to_have_count(0)
    expect(widget.host.locator("#privacy")).to_be_visible()
    expect(widget.input).to_be_focused()
    new_sender = widget.sender_id()
    assert new_sender != old_sender
    assert new_sender.startswith("web-")

    widget.send("Neu hier")
    widget.page.reload()
    expect(widget.pupil_texts).to_have_text(["Neu hier"])
    assert [r.sender for r in assistant.received()] == [old_sender, new_sender]


def test_deleting_my_data_makes_the_browser_forget_the_conversation(
    widget: Widget, assistant: Assistant
) -> None:
    widget.open()
    widget.send(assistant.buttons_prompt)
    old_sender = widget.sender_id()

    before = widget.messages.count()
    widget.menu("Meine Daten löschen")
    widget.wait_for_answer(before)
    expect(widget.pupil_texts.last).to_have_text("Meine Daten löschen")
    widget.host.get_by_role("button", name="Ja, alles löschen").click()

    # Only the assistant's confirmation is left, under a new conversation id.
    expect(widget.pupil_texts).to_have_count(0, timeout=30_000)
    expect(widget.bot_texts.last).to_contain_text("gelöscht")
    expect(widget.live_region).to_contain_text("gelöscht")
    new_sender = widget.sender_id()
    assert new_sender != old_sender and new_sender.startswith("web-")
    widget.page.reload()
    expect(widget.pupil_texts).to_have_count(0)
    if assistant.fake is not None:
        assert [(r.sender, r.message) for r in assistant.received()][-2:] == [
            (old_sender, "/delete_my_data"),
            (old_sender, "/affirm"),
        ]


def test_the_conversation_is_kept_for_this_tab_only(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    widget.send(assistant.buttons_prompt)
    # another tab of the same browser (same origin, same profile) does not see it
    other = widget.page.context.new_page()
    other.goto(widget.demo_url)
    other.wait_for_function("() => customElements.get('berufslotse-chat') !== undefined")
    assert other.evaluate("sessionStorage.getItem('berufslotse-chat:sender')") is None
    assert other.evaluate("Object.keys(localStorage).filter(k => k.startsWith('berufslotse'))") == []


def test_usable_by_keyboard_alone(widget: Widget, assistant: Assistant) -> None:
    page = widget.page
    # The chat button is an early tab stop: right after the page's skip link.
    for _ in range(2):
        page.keyboard.press("Tab")
        if "launcher" in str(widget.focused()["cls"]):
            break
    else:
        pytest.fail("the chat button is not among the first two tab stops")
    focused = widget.focused()
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2, "focus is not visible"

    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    assert widget.focused()["id"] == "message"

    before = widget.messages.count()
    page.keyboard.type(assistant.buttons_prompt)
    page.keyboard.press("Enter")
    widget.wait_for_answer(before)

    # Shift+Tab from the input walks back into the answer's buttons, last one first.
    page.keyboard.press("Shift+Tab")
    focused = widget.focused()
    assert "choice" in str(focused["cls"]), focused
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2, "focus is not visible"
    title = focused["text"]
    before = widget.messages.count()
    page.keyboard.press("Enter")
    widget.wait_for_answer(before)
    expect(widget.pupil_texts.last).to_have_text(title)
    assert widget.focused()["id"] == "message"  # back where the next message is typed

    # Tab order inside the panel: menu, close, history, ..., input, send.
    page.keyboard.press("Tab")
    assert widget.focused()["cls"] == "send"

    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    assert "launcher" in str(widget.focused()["cls"])


def test_a_failed_message_is_kept_and_can_be_sent_again(widget: Widget, assistant: Assistant) -> None:
    fake = assistant.require_fake()
    widget.open()
    fake.fail_next = 1
    widget.input.fill("Hallo")
    widget.input.press("Enter")

    notice = widget.host.locator(".msg--notice")
    expect(notice).to_contain_text("Ich bin gleich wieder da!")
    expect(widget.live_region).to_contain_text("Ich bin gleich wieder da!")
    expect(widget.host.locator(".msg--pupil.is-failed")).to_contain_text("Hallo")

    # A reload keeps it, too.
    widget.page.reload()
    retry = widget.host.get_by_role("button", name="Nochmal senden")
    before = widget.messages.count()
    retry.click()
    widget.page.wait_for_function(
        "n => document.querySelector('berufslotse-chat').shadowRoot.querySelectorAll('.log > li').length > n",
        arg=before,
    )
    expect(notice).to_have_count(0)
    expect(widget.host.locator(".msg--pupil.is-failed")).to_have_count(0)
    expect(widget.bot_texts.first).to_have_text("Echo: Hallo")
    assert [r.message for r in fake.received] == ["Hallo", "Hallo"]


def test_messages_sent_while_the_assistant_thinks_arrive_in_order(
    widget: Widget, assistant: Assistant
) -> None:
    fake = assistant.require_fake()
    fake.delay = 0.6
    widget.open()
    typing = widget.host.get_by_text("Berufslotse schreibt …")
    for text in ("eins", "zwei", "drei"):
        widget.input.fill(text)
        widget.input.press("Enter")
    expect(widget.pupil_texts).to_have_text(["eins", "zwei", "drei"])  # shown at once
    expect(typing).to_be_attached()
    expect(widget.host.locator(".typing")).to_be_visible()

    # Closing the panel meanwhile: the launcher says an answer came in.
    widget.host.get_by_role("button", name="Chat schließen").click()
    expect(widget.launcher).to_have_accessible_name("Frag den Berufslotsen (neue Nachricht)", timeout=5000)
    widget.open()
    expect(widget.host.locator(".typing")).to_be_hidden(timeout=5000)
    expect(widget.bot_texts).to_have_text(["Echo: eins", "Echo: zwei", "Echo: drei"])
    assert [r.message for r in fake.received] == ["eins", "zwei", "drei"]


def test_english_interface(open_widget: OpenWidget, assistant: Assistant) -> None:
    widget = open_widget("?lang=en")
    expect(widget.launcher).to_have_accessible_name("Ask Berufslotse")
    widget.open()
    expect(widget.host.locator("#privacy summary")).to_contain_text("anonymously")
    expect(widget.host.get_by_role("button", name="Which job suits me?")).to_be_visible()
    expect(widget.panel).to_have_attribute("lang", "en")
    expect(widget.host.get_by_label("Your message")).to_have_attribute("placeholder", "Type your question …")
    widget.host.get_by_role("button", name="Menu").click()
    expect(widget.host.get_by_role("button", name="New conversation")).to_be_visible()
    widget.host.get_by_role("button", name="Menu").click()
    widget.send("hi")
    if assistant.fake is not None:
        assert assistant.received()[0].metadata == {"channel": "web", "language": "en"}
    else:
        # the real assistant starts the conversation in the page's language
        expect(widget.bot_texts.first).to_contain_text("I'm Berufslotse")


@pytest.mark.parametrize(
    "viewport",
    [
        pytest.param({"width": 320, "height": 640}, id="320px"),
        # 1280x800 at 200 % zoom: the page lays out for 640x400 CSS pixels
        pytest.param({"width": 640, "height": 400}, id="200-percent-zoom"),
        # a 390 px phone at 200 % zoom: 195 CSS pixels
        pytest.param({"width": 195, "height": 422}, id="phone-200-percent-zoom"),
    ],
)
def test_works_on_narrow_screens_and_zoomed(
    open_widget: OpenWidget, assistant: Assistant, viewport: dict[str, int]
) -> None:
    widget = open_widget(viewport=viewport, device_scale_factor=2)
    assert _overflow(widget) == {"page": 0, "elements": []}, "the page is wider than the screen"
    launcher = widget.launcher.bounding_box()
    assert launcher and launcher["x"] >= 0 and launcher["x"] + launcher["width"] <= viewport["width"]
    widget.open()
    assert _overflow(widget) == {"page": 0, "elements": []}, "the first screen is wider than the screen"
    widget.send("Hallo " + "Ausbildungsplatzvermittlungsgespräch" * 3 + " https://example.org/" + "x" * 80)
    if assistant.fake is not None:
        widget.send("Zeig mir eine Liste")
        widget.send("Ich mache den Test")
    widget.settle()

    box = widget.panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"]
    for control in (
        widget.input,
        widget.host.get_by_role("button", name="Senden"),
        widget.host.get_by_role("button", name="Chat schließen"),
        widget.host.get_by_role("button", name="Menü"),
    ):
        expect(control).to_be_in_viewport()
    assert _overflow(widget) == {"page": 0, "elements": []}, "content wider than the screen"
    widget.host.get_by_role("button", name="Menü").click()
    expect(widget.host.get_by_role("button", name="Neues Gespräch")).to_be_in_viewport()
    assert _overflow(widget) == {"page": 0, "elements": []}, "the menu is wider than the screen"


def _overflow(widget: Widget) -> dict[str, Any]:
    """Horizontal overflow: of the page, and every element of the widget that ends off screen."""
    return dict(
        widget.page.evaluate(
            """() => {
                const root = document.querySelector('berufslotse-chat').shadowRoot;
                const width = document.documentElement.clientWidth;
                const elements = [...root.querySelectorAll('*')]
                    .filter(el => el.getClientRects().length && !el.closest('.sr-only'))
                    .filter(el => {
                        const r = el.getBoundingClientRect();
                        return r.width > 0 && (r.left < -0.5 || r.right > width + 0.5);
                    })
                    .map(el => el.tagName.toLowerCase() + '.' + el.className);
                const scrollers = [...root.querySelectorAll('.scroller, .log')]
                    .filter(el => el.scrollWidth > el.clientWidth)
                    .map(el => 'scrolls:' + el.className);
                return {
                    page: document.documentElement.scrollWidth - width,
                    elements: [...elements, ...scrollers],
                };
            }"""
        )
    )


def test_respects_reduced_motion(open_widget: OpenWidget) -> None:
    animation_js = "el => getComputedStyle(el).animationName"
    moving = open_widget().open()
    assert moving.panel.evaluate(animation_js) == "bl-rise"

    still = open_widget(reduced_motion="reduce").open()
    assert still.panel.evaluate(animation_js) == "none"
    assert still.host.locator(".dots span").first.evaluate(animation_js) == "none"


def _full_conversation(widget: Widget, assistant: Assistant) -> None:
    """Text, buttons (one pressed), an image and a link: every kind of item."""
    if not widget.panel.is_visible():
        widget.open()
    widget.send(assistant.buttons_prompt)
    before = widget.messages.count()
    widget.host.locator(".log .choice").first.click()
    widget.wait_for_answer(before)
    if assistant.image_prompt:
        widget.send(assistant.image_prompt)
    if assistant.fake is not None:
        widget.send("Und ein Link?")
        widget.send("Hallo")


@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")])
def test_no_serious_accessibility_violations(
    open_widget: OpenWidget, assistant: Assistant, viewport: dict[str, int]
) -> None:
    # bypass_csp: axe is injected as an inline script, which the demo page's CSP forbids
    closed = open_widget(viewport=viewport, bypass_csp=True)
    assert _serious(closed.audit()) == []

    widget = open_widget(viewport=viewport, bypass_csp=True)
    _full_conversation(widget, assistant)
    if assistant.fake is not None:
        assistant.fake.fail_next = 1
        widget.input.fill("Noch eine Frage")
        widget.input.press("Enter")
        expect(widget.host.locator(".msg--notice")).to_be_visible()
    assert _serious(widget.audit()) == []


def _serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[node['target'] for node in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("name", "viewport", "options"),
    [
        ("desktop", DESKTOP, {}),
        ("phone", PHONE, {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}),
    ],
)
def test_screenshots(
    open_widget: OpenWidget,
    assistant: Assistant,
    name: str,
    viewport: dict[str, int],
    options: dict[str, object],
) -> None:
    widget = open_widget(viewport=viewport, **options)
    shots = [widget.screenshot(f"demo-{name}")]
    widget.open()
    shots.append(widget.screenshot(f"widget-{name}-start"))
    widget.send(assistant.buttons_prompt)
    before = widget.messages.count()
    widget.host.locator(".log .choice").first.click()
    widget.wait_for_answer(before)
    if assistant.image_prompt:
        widget.send(assistant.image_prompt)
        widget.host.locator(".msg--bot img").last.evaluate("img => img.decode()")
    widget.settle()
    widget.page.wait_for_timeout(400)  # smooth scrolling is not an animation the page can await
    shots.append(widget.screenshot(f"widget-{name}-conversation"))
    assert all(shot.stat().st_size > 10_000 for shot in shots)
