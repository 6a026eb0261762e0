"""The exchange through the REST channel with the real stack: a pupil searches the demo offers,
asks a company to get in touch (with a typo corrected on the way), and the company's email
arrives in the SMTP sink. Expected results are read from the API, so the test follows whatever the
demo generator produced."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from scripts.stack import Stack, load_or_create_secrets
from tests.e2e.conftest import Chat, SmtpSink

pytestmark = pytest.mark.e2e

Reply = dict[str, Any]


def api_get(stack: Stack, path: str, **params: Any) -> Any:
    response = httpx.get(f"{stack.config.api_url}{path}", params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def service_headers(stack: Stack) -> dict[str, str]:
    token = (
        os.environ.get("BERUFSLOTSE_SERVICE_TOKEN")
        or load_or_create_secrets(stack.config.var_dir)["BERUFSLOTSE_SERVICE_TOKEN"]
    )
    return {"Authorization": f"Bearer {token}"}


def pupil_requests(stack: Stack, pupil_ref: str) -> list[dict[str, Any]]:
    """The conversation's contact requests, read from the API as the action server does."""
    response = httpx.get(
        f"{stack.config.api_url}/api/v1/contact-requests",
        params={"pupil_ref": pupil_ref},
        headers=service_headers(stack),
        timeout=10,
    )
    response.raise_for_status()
    requests: list[dict[str, Any]] = response.json()
    return requests


def texts(replies: list[Reply]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def buttons(replies: list[Reply]) -> list[dict[str, str]]:
    return [button for reply in replies for button in reply.get("buttons", [])]


def contact_payloads(replies: list[Reply]) -> list[str]:
    return [
        button["payload"] for button in buttons(replies) if button["payload"].startswith("/request_contact")
    ]


def contact_payloads_via_details(chat: Chat, search: str) -> list[str]:
    """A card has one button (Details); contacting the company is the details' main button: the
    contact payloads of the first offer found whose details offer them."""
    replies = chat.say(search)
    assert not contact_payloads(replies)
    for details in [b["payload"] for b in buttons(replies) if b["payload"].startswith("/offer_details")]:
        if payloads := contact_payloads(chat.say(details)):
            return payloads
    return []


def wait_for_mail(sink: SmtpSink, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(sink.messages) >= count, "no email reached the SMTP sink"


def test_search_with_follow_ups(chat: Chat, stack: Stack) -> None:
    expected = api_get(stack, "/api/v1/offers", kind="apprenticeship", near="Bramsche", limit=3)
    assert expected["total"] > 3, "the demo region should have apprenticeships around Bramsche"
    replies = chat.say("Ausbildung in Bramsche")
    reply_text = texts(replies)
    assert f"Gefunden: {expected['total']}" in reply_text and "um Bramsche" in reply_text
    for item in expected["items"]:
        assert item["title"] in reply_text and item["company_name"] in reply_text
    assert "Demo-Angebot" in reply_text
    assert any(button["payload"] == "/more_offers" for button in buttons(replies))

    second_page = api_get(stack, "/api/v1/offers", kind="apprenticeship", near="Bramsche", limit=3, offset=3)
    more = texts(chat.say("mehr"))
    assert f"Angebote 4 bis {3 + len(second_page['items'])}" in more
    assert second_page["items"][0]["title"] in more

    internships = api_get(stack, "/api/v1/offers", kind="internship", near="Bramsche", limit=3)
    only_internships = texts(chat.say("nur praktikum"))
    assert f"Gefunden: {internships['total']}" in only_internships and "Praktikum" in only_internships

    closer = api_get(stack, "/api/v1/offers", kind="internship", near="Bramsche", radius_km=10, limit=3)
    reply = texts(chat.say("näher dran"))
    if closer["total"]:
        assert "bis 10 km um Bramsche" in reply
    else:
        assert "nichts gefunden" in reply


def test_ask_a_company_to_get_in_touch_and_the_email_arrives(
    chat: Chat, stack: Stack, smtp_sink: SmtpSink
) -> None:
    payloads = contact_payloads_via_details(chat, "Ausbildung in Osnabrück")
    assert payloads, "no offer with a contact button"
    offer_id = int(payloads[0].split('"offer_id":"')[1].split('"')[0])
    offer = api_get(stack, f"/api/v1/offers/{offer_id}")

    consent_reply = chat.say(payloads[0])
    consent = texts(consent_reply)
    assert offer["company_name"] in consent and offer["title"] in consent
    assert "deinen Namen, deine E-Mail-Adresse oder Telefonnummer" in consent
    assert [button["title"] for button in buttons(consent_reply)] == ["Ja, einverstanden", "Nein"]

    assert "Wie heißt du?" in chat.say_text("ja")
    assert "erreichen" in chat.say_text("Mia Beispiel")
    assert "sieht nicht wie eine E-Mail-Adresse aus" in chat.say_text("mia@beispiel")
    assert "dazuschreiben" in chat.say_text("mia@example.de")
    summary = chat.say_text("Ich habe in den Sommerferien Zeit.")
    assert "Name: Mia Beispiel" in summary and "Kontakt: mia@example.de" in summary

    # "nee die email ist falsch": asked again, the summary shows the new address
    assert "erreichen" in chat.say_text("nee die email ist falsch")
    summary = chat.say_text("mia.beispiel@example.de")
    assert "Kontakt: mia.beispiel@example.de" in summary

    before = len(smtp_sink.messages)
    done = chat.say_text("ja")
    assert "Erledigt" in done and offer["company_name"] in done

    # the company's email arrives in the SMTP sink (sent by the API after answering)
    wait_for_mail(smtp_sink, before + 1)
    mail = smtp_sink.messages[-1]
    body = mail.get_content()
    assert offer["title"] in str(mail["Subject"])
    assert mail["Reply-To"] == "mia.beispiel@example.de"
    assert "Mia Beispiel" in body and "mia.beispiel@example.de" in body
    assert "Ich habe in den Sommerferien Zeit." in body

    [stored] = pupil_requests(stack, chat.sender)
    assert stored["offer"]["id"] == offer_id
    assert (stored["name"], stored["email"], stored["phone"]) == (
        "Mia Beispiel",
        "mia.beispiel@example.de",
        None,
    )
    assert stored["message"] == "Ich habe in den Sommerferien Zeit."
    assert stored["consent_text"] == consent  # exactly the words the pupil agreed to
    assert " ".join(consent.split()) in " ".join(body.split())  # and the company reads them too

    # "meine Anfragen" lists it; withdrawing needs a confirmation
    listed = chat.say("meine anfragen")
    assert offer["title"] in texts(listed)
    withdraw = [button["payload"] for button in buttons(listed) if button["payload"].startswith("/withdraw")]
    assert len(withdraw) == 1
    assert "zurückziehen?" in chat.say_text(withdraw[0])
    assert "zurückgezogen" in chat.say_text("ja")
    assert "noch keine Kontaktanfragen" in chat.say_text("meine anfragen")


def test_stop_in_the_middle_stores_nothing(chat: Chat, stack: Stack) -> None:
    payloads = contact_payloads_via_details(chat, "Ausbildung in Osnabrück")
    chat.say(payloads[0])
    chat.say("ja")
    chat.say("Lena")
    assert "abgebrochen" in chat.say_text("stopp")
    assert pupil_requests(stack, chat.sender) == []
    # the form is over: a name now is not taken as anything
    assert "noch keine Kontaktanfragen" in chat.say_text("meine anfragen")
