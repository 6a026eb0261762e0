"""Where a pupil joins a class: the website chat with the code, and the Telegram deep link."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def widget_link(page_url: str, code: str) -> str:
    """The page that embeds the chat, with `class=CODE` (the widget sends the code when it opens)."""
    parts = urlsplit(page_url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "class"] + [("class", code)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def telegram_link(bot_username: str | None, code: str) -> str | None:
    """t.me/<bot>?start=CODE: Telegram sends `/start CODE` when the pupil taps Start."""
    if not bot_username:
        return None
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
