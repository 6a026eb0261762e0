"""A stand-in for Rasa's REST channel, for the widget's browser tests.

Speaks the same HTTP as `rasa run --enable-api=false --cors <origins>`: POST
/webhooks/rest/webhook with {"sender", "message", "metadata"} answers a JSON list of bot messages,
preflight OPTIONS requests are answered, and Access-Control-Allow-Origin is only sent for allowed
origins (so the browser blocks every other page). It records what it received and answers from a
small script:

- every message but a check answer is echoed first: "Echo: <message>" (so markup in it comes back
  as bot text too)
- "hallo" / "hi": a question with three buttons
- a button payload (starts with "/"): which payload arrived
- "bild": a caption and an image served by this server, as Rasa sends an `image` response
- "ergebnis": a caption and the same image with its alternative text, as an action sends it
  (`dispatcher.utter_message(json_message={"image": url, "alt": text})` arrives as `custom`)
- "link": a text with a web address in it
- "liste": occupations, each with buttons that stay usable (`keep`) and say in the pupil's bubble
  what they were pressed for (`echo`), as docs/widget_messages.md describes
- "test" / "/start_check": the check's first item as a card (`{"berufslotse": "card"}` after the
  text, buttons styled `scale` and `link`); each answer brings the next item, after the third the
  result as a chart (`{"berufslotse": "chart"}`)
- "antwort": a long answer whose lines after the third wait behind "mehr" (card `answer`)
- "/delete_my_data": the question whether to delete everything, with yes/no buttons; "/affirm":
  the confirmation and the deletion marker (bot/erasure.py), as `action_delete_my_data` sends them
- "sag mir bescheid ...": the confirmation and the saved-search signal (bot/web_signals.py), as
  `action_save_search` sends them
- "/session_start" (no echo): the news a test put in `news[sender]`, each only once, as
  `action_session_start` shows the due alerts of a returning pupil; nothing else
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.erasure import deletion_marker
from bot.web_signals import search_saved_marker

CHART_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="480" height="240" viewBox="0 0 480 240">
<rect width="480" height="240" fill="#fff"/>
<text x="20" y="32" font-family="sans-serif" font-size="18" fill="#1b1f24">Deine Interessen</text>
<g font-family="sans-serif" font-size="14" fill="#1b1f24">
<text x="20" y="78">Handwerk</text><rect x="130" y="62" width="300" height="22" fill="#0b5394"/>
<text x="20" y="128">Soziales</text><rect x="130" y="112" width="190" height="22" fill="#0b5394"/>
<text x="20" y="178">B\xc3\xbcro</text><rect x="130" y="162" width="90" height="22" fill="#0b5394"/>
</g></svg>"""

BUTTONS = [
    {"title": "Handwerk", "payload": '/choose_field{"field":"handwerk"}'},
    {"title": "Pflege & Soziales", "payload": '/choose_field{"field":"soziales"}'},
    {"title": "IT & Technik", "payload": '/choose_field{"field":"technik"}'},
]
DELETE_QUESTION = "Soll ich alles über dich löschen?"
DELETE_BUTTONS = [
    {"title": "Ja, alles löschen", "payload": "/affirm"},
    {"title": "Nein, behalten", "payload": "/deny"},
]
LIST_BUTTONS: list[dict[str, Any]] = [
    {
        "title": "Tischler/-in",
        "payload": '/ask_profession{"profession":"tischler"}',
        "keep": True,
        "echo": "Details: Tischler/-in",
    },
    {
        "title": "Angebote dazu",
        "payload": '/search_offers{"profession":"tischler"}',
        "keep": True,
        "echo": "Angebote: Tischler/-in",
    },
    {
        "title": "Koch/Köchin",
        "payload": '/ask_profession{"profession":"koch"}',
        "keep": True,
        "echo": "Details: Koch/Köchin",
    },
    {"title": "Mehr Berufe", "payload": "/more"},
]
CHECK_ITEMS = ["Holz bearbeiten", "Kranke Menschen pflegen", "Programme schreiben"]
SCALE = ["😖 gar nicht", "🙁 eher nicht", "😐 weiß nicht", "🙂 eher ja", "😍 sehr gern"]
LINKS = ["⏭️ überspringen", "↩️ zurück", "⏸️ Pause"]
CHART_BARS: list[dict[str, Any]] = [
    {"label": "🔧 Praktisch", "value": 55},
    {"label": "🔬 Forschend", "value": 30},
    {"label": "🎨 Kreativ", "value": 90},
    {"label": "🤝 Sozial", "value": 70},
    {"label": "💼 Unternehmerisch", "value": 20},
    {"label": "📋 Ordnend", "value": 45},
]
POINTS = "; ".join(f"{bar['label']}: {bar['value']}" for bar in CHART_BARS)
ANSWER_LINES = [
    "**Tischler/-in**",
    "• Du baust Möbel, Fenster und Türen aus Holz.",
    "• Die Ausbildung dauert 3 Jahre.",
    "• Du arbeitest in einer Werkstatt oder auf der Baustelle.",
    "• Im 1. Jahr verdienst du etwa 800 Euro im Monat.",
    "• Frag nach: ausbildung@tischlerei-muster.de oder 05401 123456",
]
CHART_ALT = "Balkendiagramm: Handwerk am stärksten, dann Soziales, dann Büro."


@dataclass(frozen=True)
class Received:
    sender: str
    message: str
    metadata: Any
    origin: str | None


class FakeRasa:
    """Run with `start()`; `received` lists what arrived; `fail_next` makes the next N requests
    answer 500; `delay` makes every answer wait that many seconds (Rasa thinking)."""

    def __init__(self, allowed_origins: set[str] | None = None) -> None:
        self.allowed_origins: set[str] = set(allowed_origins or ())
        self.received: list[Received] = []
        self.fail_next = 0
        self.delay = 0.0
        self.news: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeRasa:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-rasa", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.fail_next = 0
            self.delay = 0.0
            self.news.clear()

    def replies_to(self, sender: str, message: str) -> list[dict[str, Any]]:
        if message == "/session_start":
            with self._lock:
                news = self.news.pop(sender, [])
            return [{"recipient_id": sender, "text": text} for text in news]
        replies: list[dict[str, Any]] = [{"recipient_id": sender, "text": f"Echo: {message}"}]
        if message.startswith("/check_answer"):
            replies = []  # answers on the check's card are not echoed, as the real check does
        words = message.lower()
        if words.startswith("sag mir bescheid"):
            replies.append({"recipient_id": sender, "text": "Mach ich! Ich sag dir Bescheid."})
            replies.append({"recipient_id": sender, "custom": search_saved_marker()})
        elif message == "/delete_my_data":
            replies.append({"recipient_id": sender, "text": DELETE_QUESTION, "buttons": DELETE_BUTTONS})
        elif message == "/affirm":
            replies.append({"recipient_id": sender, "text": "Erledigt: Ich habe alles gelöscht."})
            replies.append({"recipient_id": sender, "custom": deletion_marker()})
        elif message == "/start_check" or "test" in words:
            replies.extend(self.check_item(sender, 0))
        elif message.startswith("/check_answer"):
            position = int(message.rsplit(":", 1)[1].rstrip('"}')) if ":" in message else 0
            if position < len(CHECK_ITEMS):
                replies.extend(self.check_item(sender, position))
            else:
                # as Rasa sends utter_check_chart with the action's chart: text, custom, image
                replies.append({"recipient_id": sender, "text": "Fertig! Das ist dein Ergebnis:"})
                replies.append({"recipient_id": sender, "text": f"Deine Punkte von 0 bis 100: {POINTS}"})
                replies.append(
                    {
                        "recipient_id": sender,
                        "custom": {
                            "berufslotse": "chart",
                            "title": "Deine Interessen",
                            "bars": CHART_BARS,
                            "alt": POINTS,
                            "replaces": True,
                        },
                    }
                )
                replies.append({"recipient_id": sender, "image": f"{self.url}/chart.svg"})
        elif message.startswith("/"):
            replies.append({"recipient_id": sender, "text": f"Angekommen ist: {message}"})
        elif words.startswith(("hallo", "hi")):
            replies.append(
                {"recipient_id": sender, "text": "Hallo! Was interessiert dich?", "buttons": BUTTONS}
            )
        elif "liste" in words:
            replies.append({"recipient_id": sender, "text": "Das könnte passen:", "buttons": LIST_BUTTONS})
        elif "antwort" in words:
            replies.append({"recipient_id": sender, "text": "\n".join(ANSWER_LINES)})
            replies.append(
                {"recipient_id": sender, "custom": {"berufslotse": "card", "card": "answer", "fold": 3}}
            )
        elif "bild" in words:
            replies.append({"recipient_id": sender, "text": "Hier ist ein Bild:"})
            replies.append({"recipient_id": sender, "image": f"{self.url}/chart.svg"})
        elif "ergebnis" in words:
            replies.append({"recipient_id": sender, "text": "Hier ist dein Ergebnis:"})
            replies.append(
                {"recipient_id": sender, "custom": {"image": f"{self.url}/chart.svg", "alt": CHART_ALT}}
            )
        elif "link" in words:
            replies.append(
                {
                    "recipient_id": sender,
                    "text": "Mehr dazu: https://web.arbeitsagentur.de/berufenet/. Oder frag mich!",
                }
            )
        return replies

    @staticmethod
    def check_item(sender: str, index: int) -> list[dict[str, Any]]:
        """Item `index` of the check as the check action sends it: text and buttons, then the card."""
        answers = [
            {
                "title": title,
                "payload": f'/check_answer{{"check_choice":"i{index}:{index + 1}"}}',
                "style": "scale",
            }
            for title in SCALE
        ]
        links = [
            {
                "title": title,
                "payload": f'/check_answer{{"check_choice":"i{index}:{index + 1}"}}',
                "style": "link",
            }
            for title in LINKS
        ]
        text = f"{index + 1}/{len(CHECK_ITEMS)} · Würdest du das gern machen?\n👉 {CHECK_ITEMS[index]}"
        return [
            {"recipient_id": sender, "text": text, "buttons": answers + links},
            {
                "recipient_id": sender,
                "custom": {
                    "berufslotse": "card",
                    "card": "check_item",
                    "position": index + 1,
                    "total": len(CHECK_ITEMS),
                },
            },
        ]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def cors_headers(self) -> None:
                origin = self.headers.get("Origin")
                if origin and origin in fake.allowed_origins:
                    self.send_header("Access-Control-Allow-Origin", origin)
                    self.send_header("Vary", "Origin")

            def send_json(self, status: HTTPStatus, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.cors_headers()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_OPTIONS(self) -> None:
                self.send_response(HTTPStatus.NO_CONTENT)
                self.cors_headers()
                self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "content-type")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                if self.path == "/chart.svg":
                    self.send_response(HTTPStatus.OK)
                    self.send_header("Content-Type", "image/svg+xml")
                    self.send_header("Content-Length", str(len(CHART_SVG)))
                    self.end_headers()
                    self.wfile.write(CHART_SVG)
                elif self.path == "/webhooks/rest/":
                    self.send_json(HTTPStatus.OK, {"status": "ok"})
                else:
                    self.send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})

            def do_POST(self) -> None:
                if self.path != "/webhooks/rest/webhook":
                    self.send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with fake._lock:
                    fake.received.append(
                        Received(
                            sender=body.get("sender"),
                            message=body.get("message"),
                            metadata=body.get("metadata"),
                            origin=self.headers.get("Origin"),
                        )
                    )
                    failing = fake.fail_next > 0
                    fake.fail_next = max(0, fake.fail_next - 1)
                    delay = fake.delay
                time.sleep(delay)
                if failing:
                    self.send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "down for the test"})
                else:
                    self.send_json(HTTPStatus.OK, fake.replies_to(body["sender"], body["message"]))

        return Handler
