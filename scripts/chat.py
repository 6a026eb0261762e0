"""Talk to the running assistant in the terminal through Rasa's REST channel.

Buttons are shown numbered; type the number to press one. Type /quit to leave.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import urllib.request


def send(rasa_url: str, sender: str, message: str) -> list[dict[str, object]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        replies: list[dict[str, object]] = json.loads(response.read())
        return replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    sender = f"terminal-{secrets.token_hex(6)}"
    buttons: list[dict[str, str]] = []
    print("Berufslotse (Ctrl-D or /quit to leave)")
    while True:
        try:
            text = input("du> ").strip()
        except EOFError:
            return 0
        if text == "/quit":
            return 0
        if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send(args.rasa_url, sender, text)
        except OSError as error:
            print(f"(keine Verbindung zu {args.rasa_url}: {error})", file=sys.stderr)
            continue
        buttons = []
        for reply in replies:
            if "text" in reply:
                print(f"bot> {reply['text']}")
            if "image" in reply:
                print(f"bot> [Bild] {reply['image']}")
            reply_buttons = reply.get("buttons") or []
            assert isinstance(reply_buttons, list)
            for button in reply_buttons:
                buttons.append(button)
                print(f"     [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    raise SystemExit(main())
