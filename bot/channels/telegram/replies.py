"""Which Telegram messages Rasa's replies become: a pure function, tested without Telegram.

Rasa's REST channel sends the text and the image of one response as two entries. A short text
without buttons directly followed by an image becomes the photo's caption, as a pupil would expect
from a messenger; everything else stays a message of its own, in Rasa's order. A custom payload
`{"document": {"url", "filename"}}` (the pupil's result as a PDF, actions/share.py) becomes a
document the bridge downloads and uploads; other custom payloads are not shown.
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
class OutgoingPhoto:
    url: str
    caption: str | None = None
    buttons: tuple[RasaButton, ...] = ()


@dataclass(frozen=True)
class OutgoingDocument:
    url: str
    filename: str
    buttons: tuple[RasaButton, ...] = ()


Outgoing = OutgoingText | OutgoingPhoto | OutgoingDocument


def _document(custom: object) -> OutgoingDocument | None:
    document = custom.get("document") if isinstance(custom, dict) else None
    if not isinstance(document, dict):
        return None
    url, filename = document.get("url"), document.get("filename")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    name = filename if isinstance(filename, str) and filename.strip() else "document.pdf"
    return OutgoingDocument(url=url, filename=name)


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
        if reply.custom is not None:
            document = _document(reply.custom)
            if document is not None:
                planned.append(document)
            else:
                logger.debug("Ignored a custom payload the Telegram bridge does not render")
    return planned
