"""Which Telegram messages Rasa's replies become: a pure function, tested without Telegram.

Rasa's REST channel sends the text and the image of one response as two entries. A short text
without buttons directly followed by an image becomes the photo's caption, as a pupil would expect
from a messenger; everything else stays a message of its own, in Rasa's order. A custom payload
`{"document": {"url", "filename"}}` (the pupil's result as a PDF, actions/share.py) becomes a
document the bridge downloads and uploads; other custom payloads are not shown, except:

A check question comes with a card (`{"berufslotse": "card", "card": "check_item"}` right after
its text, docs/widget_messages.md): it is planned as a `CheckCard`, which the bridge shows by
editing the previous question's message when the pupil answered there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.channels.telegram.formatting import render_caption
from bot.channels.telegram.rasa import RasaButton, RasaReply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingText:
    text: str
    buttons: tuple[RasaButton, ...] = ()


@dataclass(frozen=True)
class CheckCard:
    """One question of the check: text, answer buttons, and where it stands (position of total)."""

    text: str
    buttons: tuple[RasaButton, ...]
    position: int
    total: int


@dataclass(frozen=True)
class OutgoingPhoto:
    url: str
    caption: str | None = None
    buttons: tuple[RasaButton, ...] = ()


@dataclass(frozen=True)
class OutgoingDocument:
    url: str
    filename: str
    buttons: tuple[RasaButton, ...] = ()


Outgoing = OutgoingText | OutgoingPhoto | OutgoingDocument | CheckCard


def _document(custom: object) -> OutgoingDocument | None:
    document = custom.get("document") if isinstance(custom, dict) else None
    if not isinstance(document, dict):
        return None
    url, filename = document.get("url"), document.get("filename")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    name = filename if isinstance(filename, str) and filename.strip() else "document.pdf"
    return OutgoingDocument(url=url, filename=name)


def _check_card(custom: object) -> tuple[int, int] | None:
    if not isinstance(custom, dict):
        return None
    if custom.get("berufslotse") != "card" or custom.get("card") != "check_item":
        return None
    position, total = custom.get("position"), custom.get("total")
    if isinstance(position, int) and isinstance(total, int) and 0 < position <= total:
        return position, total
    return None


def _fits_caption(text: str) -> bool:
    return render_caption(text) is not None


def plan_messages(replies: Sequence[RasaReply]) -> list[Outgoing]:
    planned: list[Outgoing] = []
    for reply in replies:
        if reply.image:
            caption = reply.text
            if caption is not None and not _fits_caption(caption):
                planned.append(OutgoingText(caption))
                caption = None
            previous = planned[-1] if planned else None
            if (
                caption is None
                and isinstance(previous, OutgoingText)
                and not previous.buttons
                and _fits_caption(previous.text)
            ):
                caption = previous.text
                planned.pop()
            planned.append(OutgoingPhoto(url=reply.image, caption=caption, buttons=reply.buttons))
        elif reply.text:
            planned.append(OutgoingText(reply.text, reply.buttons))
        elif reply.buttons:
            # Telegram needs a text to hang a keyboard on: use the message just before.
            previous = planned[-1] if planned else None
            if isinstance(previous, OutgoingText | OutgoingPhoto) and not previous.buttons:
                planned[-1] = (
                    OutgoingText(previous.text, reply.buttons)
                    if isinstance(previous, OutgoingText)
                    else OutgoingPhoto(previous.url, previous.caption, reply.buttons)
                )
            else:
                logger.warning("Dropped %d buttons that came without a text", len(reply.buttons))
        card = _check_card(reply.custom)
        previous = planned[-1] if planned else None
        if card is not None and isinstance(previous, OutgoingText):
            planned[-1] = CheckCard(previous.text, previous.buttons, *card)
        elif reply.custom is not None:
            document = _document(reply.custom)
            if document is not None:
                planned.append(document)
            else:
                logger.debug("Ignored a custom payload the Telegram bridge does not render")
    return planned


PROGRESS_CELLS = 10


def card_text(card: CheckCard) -> str:
    """A check card as text: a progress bar, the question, and the faces' meanings as a legend
    (the keyboard shows the faces only)."""
    done = round(PROGRESS_CELLS * (card.position - 1) / card.total)
    bar = "▰" * done + "▱" * (PROGRESS_CELLS - done)
    legend = " · ".join(button.title for button in card.buttons if button.style == "scale")
    return "\n".join(part for part in (bar, card.text, legend) if part)
