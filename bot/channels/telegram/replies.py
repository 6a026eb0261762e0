"""Which Telegram messages Rasa's replies become: a pure function, tested without Telegram.

Rasa's REST channel sends the text and the image of one response as two entries. A short text
without buttons directly followed by an image becomes the photo's caption, as a pupil would expect
from a messenger; everything else stays a message of its own, in Rasa's order.
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


Outgoing = OutgoingText | OutgoingPhoto


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
            logger.debug("Ignored a custom payload (the Telegram bridge renders none yet)")
    return planned
