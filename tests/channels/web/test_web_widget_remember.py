"""'Auf diesem Gerät merken' in a real browser, against the fake Rasa: the opt-in after a saved search
(and in the privacy note), what it stores (the id in localStorage, nothing else), the next visit
in a new tab that shows the news once, and every way of forgetting the device again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.channels.web.conftest import DESKTOP, PHONE, Assistant, Widget

OpenWidget = Callable[..., Widget]
SENDER_KEY = "berufslotse-chat:sender"
SAVE = "Sag mir Bescheid bei neuen Stellen als Tischler in Melle"
NEWS = "Es gibt Neues zu deinem Suchauftrag Tischler/in: Ausbildung in Melle, Holzwerkstatt"
OFFER_DE = "nur deine zufällige Chat-Nummer, sonst nichts"


def device_storage(widget: Widget) -> dict[str, Any]:
    """Everything in this browser profile's localStorage (every key, not just ours)."""
    return dict(widget.page.evaluate("() => Object.fromEntries(Object.entries(localStorage))"))


def next_visit(widget: Widget, query: str = "") -> Widget:
    """The pupil closes the page and comes back later: a new tab of the same browser profile."""
    page = widget.page.context.new_page()
    widget.page.close()
    widget.watch.follow(page)
    return Widget(page, widget.demo_url, widget.watch).goto(query)


def privacy_note(widget: Widget) -> Any:
    """The privacy note, unfolded (it starts as one line with "mehr")."""
    note = widget.host.locator("#privacy")
    if not note.evaluate("details => details.open"):
        widget.host.locator("#privacy-line").click()
    return note


def sent_by(assistant: Assistant, sender: str) -> list[str]:
    return [r.message for r in assistant.received() if r.sender == sender]


def save_a_search(widget: Widget) -> None:
    widget.open()
    widget.send(SAVE)


def test_saving_a_search_offers_to_remember_the_device_and_the_next_visit_shows_the_news_once(
    widget: Widget, assistant: Assistant
) -> None:
    fake = assistant.require_fake()
    save_a_search(widget)
    card = widget.host.locator(".msg--device")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(OFFER_DE)
    expect(widget.live_region).to_contain_text(OFFER_DE)
    assert device_storage(widget) == {}  # nothing before the pupil says yes

    card.get_by_role("button", name="Auf diesem Gerät merken").click()
    forget = card.get_by_role("button", name="Vergessen")
    expect(forget).to_be_focused()  # the keyboard stays on the switch
    expect(card).to_contain_text("merkt sich deine zufällige Chat-Nummer, sonst nichts")
    # the privacy note shows the same state
    expect(privacy_note(widget).get_by_role("button", name="Vergessen")).to_be_visible()
    sender = widget.sender_id()
    assert device_storage(widget) == {SENDER_KEY: sender}  # the id and nothing else

    # a company publishes a matching offer; the pupil closes the page and comes back in a new tab
    fake.news[sender] = [NEWS]
    back = next_visit(widget)
    expect(back.launcher).to_contain_text("neue Nachricht")  # the news arrived while it is closed
    back.open()
    expect(back.bot_texts).to_have_text([NEWS])
    expect(back.pupil_texts).to_have_count(0)  # asked for it quietly
    assert back.sender_id() == sender
    assert sent_by(assistant, sender) == [SAVE, "/session_start"]

    # a reload is no new visit: the news once, no new question to the assistant
    back.page.reload()
    back.page.wait_for_function("() => customElements.get('berufslotse-chat') !== undefined")
    expect(back.bot_texts).to_have_text([NEWS])
    back.send("Hallo")  # the queue is in order: a second /session_start would have come first
    assert sent_by(assistant, sender) == [SAVE, "/session_start", "Hallo"]

    # another visit: the assistant is asked again, has nothing new (the API hands out each alert once)
    again = next_visit(back)
    again.open()
    again.send("Noch da?")
    assert sent_by(assistant, sender)[-2:] == ["/session_start", "Noch da?"]
    expect(again.bot_texts.filter(has_text=NEWS)).to_have_count(0)
    assert again.watch.foreign_requests == [] and again.watch.csp_violations == []


def test_without_the_opt_in_a_new_tab_starts_fresh_and_nothing_is_stored(
    widget: Widget, assistant: Assistant
) -> None:
    assistant.require_fake()
    save_a_search(widget)
    expect(widget.host.locator(".msg--device")).to_have_count(1)  # offered, not taken
    sender = widget.sender_id()
    assert device_storage(widget) == {}

    fresh = next_visit(widget)
    fresh.open()
    fresh.send("Hallo")
    assert fresh.sender_id() != sender
    assert device_storage(fresh) == {}
    assert [r.message for r in assistant.received()] == [SAVE, "Hallo"]  # no /session_start
    expect(fresh.host.locator(".msg--device")).to_have_count(0)


def test_the_privacy_note_can_remember_and_forget_the_device(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    note = privacy_note(widget)
    note.get_by_role("button", name="Auf diesem Gerät merken").click()
    expect(note.get_by_role("button", name="Vergessen")).to_be_focused()
    assert device_storage(widget) == {SENDER_KEY: widget.sender_id()}

    note.get_by_role("button", name="Vergessen").click()
    expect(note.get_by_role("button", name="Auf diesem Gerät merken")).to_be_focused()
    expect(widget.live_region).to_contain_text("nur noch in diesem Tab")
    assert device_storage(widget) == {}
    sender = widget.sender_id()
    fresh = next_visit(widget)
    assert fresh.sender_id() != sender  # forgotten: the next tab is somebody new
    assert assistant.fake is None or assistant.received() == []


def test_a_new_conversation_forgets_the_device(widget: Widget, assistant: Assistant) -> None:
    widget.open()
    privacy_note(widget).get_by_role("button", name="Auf diesem Gerät merken").click()
    assert device_storage(widget) != {}
    widget.menu("Neues Gespräch")
    widget.host.get_by_role("alertdialog").get_by_role("button", name="Ja, neu starten").click()
    expect(widget.messages).to_have_count(0)
    assert device_storage(widget) == {}
    note = privacy_note(widget)
    expect(note.get_by_role("button", name="Auf diesem Gerät merken")).to_be_visible()


def test_deleting_my_data_forgets_the_device(widget: Widget, assistant: Assistant) -> None:
    assistant.require_fake()
    save_a_search(widget)
    widget.host.locator(".msg--device").get_by_role("button", name="Auf diesem Gerät merken").click()
    old_sender = widget.sender_id()
    assert device_storage(widget) == {SENDER_KEY: old_sender}

    before = widget.messages.count()
    widget.menu("Meine Daten löschen")
    widget.wait_for_answer(before)
    widget.host.get_by_role("button", name="Ja, alles löschen").click()
    expect(widget.pupil_texts).to_have_count(0)
    assert device_storage(widget) == {}
    assert widget.sender_id() != old_sender
    fresh = next_visit(widget)
    fresh.open()
    fresh.send("Hallo")
    assert "/session_start" not in [r.message for r in assistant.received()]


def test_english_opt_in(open_widget: OpenWidget, assistant: Assistant) -> None:
    fake = assistant.require_fake()
    widget = open_widget("?lang=en")
    save_a_search(widget)
    card = widget.host.locator(".msg--device")
    expect(card).to_contain_text("this browser stores only your random chat number, nothing else")
    card.get_by_role("button", name="Remember me on this device").click()
    expect(card.get_by_role("button", name="Forget")).to_be_visible()
    sender = widget.sender_id()
    fake.news[sender] = ["There's something new for your saved search"]
    back = next_visit(widget, "?lang=en")
    back.open()
    expect(back.bot_texts).to_have_text(["There's something new for your saved search"])
    [start] = [r for r in assistant.received() if r.message == "/session_start"]
    assert start.metadata == {"channel": "web", "language": "en"}


def test_the_opt_in_has_no_serious_accessibility_violations(
    open_widget: OpenWidget, assistant: Assistant
) -> None:
    assistant.require_fake()
    for viewport in (DESKTOP, PHONE):
        widget = open_widget(viewport=viewport, bypass_csp=True)
        save_a_search(widget)
        expect(widget.host.locator(".msg--device")).to_be_visible()
        assert _serious(widget.audit()) == []
        widget.host.locator(".msg--device").get_by_role("button", name="Auf diesem Gerät merken").click()
        expect(widget.host.locator(".msg--device").get_by_role("button", name="Vergessen")).to_be_visible()
        assert _serious(widget.audit()) == []


def _serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[node['target'] for node in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
