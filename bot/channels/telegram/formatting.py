"""Rasa's texts as Telegram HTML: everything escaped, only **bold** and [links](https://...) kept.

Telegram limits a message to 4,096 and a caption to 1,024 characters *after* parsing the markup,
so texts are split on their visible characters (preferring paragraph, line, then word boundaries,
never inside a link) and every chunk is rendered on its own, with bold closed and reopened around
a split. Lengths are counted in UTF-16 code units, as Telegram counts entity offsets; that is never
less than the number of characters, so a chunk that fits here fits there.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_LINK = r"\[(?P<label>[^\[\]\n]+)\]\((?P<url>https?://[^\s()<>\"]+)\)"
_MARKUP = re.compile(rf"{_LINK}|\*\*(?P<strong>\S(?:.*?\S)?)\*\*", re.DOTALL)
_LINK_ONLY = re.compile(_LINK)
# Break preferences: a paragraph, a line, a space.
_SEPARATORS = ("\n\n", "\n", " ")


@dataclass(frozen=True)
class Run:
    """A piece of visible text with one style."""

    text: str
    bold: bool = False
    href: str | None = None


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_markup(text: str) -> list[Run]:
    """Split `text` into styled runs; anything that is not **bold** or a http(s) link stays as typed."""
    runs: list[Run] = []
    position = 0
    for match in _MARKUP.finditer(text):
        if match.start() > position:
            runs.append(Run(text[position : match.start()]))
        if match["url"]:
            runs.append(Run(match["label"], href=match["url"]))
        else:
            runs.extend(Run(run.text, bold=True, href=run.href) for run in _parse_links(match["strong"]))
        position = match.end()
    if position < len(text):
        runs.append(Run(text[position:]))
    return [run for run in runs if run.text]


def _parse_links(text: str) -> list[Run]:
    runs: list[Run] = []
    position = 0
    for match in _LINK_ONLY.finditer(text):
        runs.append(Run(text[position : match.start()]))
        runs.append(Run(match["label"], href=match["url"]))
        position = match.end()
    runs.append(Run(text[position:]))
    return runs


def _fit(text: str, start: int, limit: int) -> int:
    """The largest end such that text[start:end] has at most `limit` UTF-16 units."""
    used = 0
    for index in range(start, len(text)):
        used += 2 if ord(text[index]) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _inside(position: int, protected: list[tuple[int, int]]) -> tuple[int, int] | None:
    for begin, end in protected:
        if begin < position < end:
            return begin, end
    return None


def _break_before(text: str, start: int, end: int, protected: list[tuple[int, int]]) -> int:
    """Where to end a chunk that starts at `start` and may reach at most `end` (exclusive)."""
    for lowest in (start + (end - start) // 2, start + 1):
        for separator in _SEPARATORS:
            position = text.rfind(separator, lowest, end)
            while position >= lowest:
                if _inside(position, protected) is None:
                    return position
                position = text.rfind(separator, lowest, position)
    link = _inside(end, protected)
    if link is not None and link[0] > start:
        return link[0]
    return end


def split_visible(
    text: str, limit: int, protected: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Chunks of `text` as (start, end) index pairs, each at most `limit` UTF-16 units long, without
    the whitespace at the breaks. `protected` ranges (links) are only cut when longer than a chunk."""
    protected = protected or []
    chunks: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            break
        end = _fit(text, start, limit)
        cut = end if end >= len(text) else _break_before(text, start, end, protected)
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            chunks.append((start, stop))
        start = cut
    return chunks


def _render(runs: list[Run], start: int, end: int) -> str:
    parts: list[str] = []
    offset = 0
    for run in runs:
        run_start, run_end = offset, offset + len(run.text)
        offset = run_end
        piece_start, piece_end = max(run_start, start), min(run_end, end)
        if piece_start >= piece_end:
            continue
        piece = html.escape(run.text[piece_start - run_start : piece_end - run_start], quote=False)
        if run.href:
            piece = f'<a href="{html.escape(run.href, quote=True)}">{piece}</a>'
        if run.bold:
            piece = f"<b>{piece}</b>"
        parts.append(piece)
    return "".join(parts)


def _protected_ranges(runs: list[Run]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    offset = 0
    for run in runs:
        if run.href:
            ranges.append((offset, offset + len(run.text)))
        offset += len(run.text)
    return ranges


def render_chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` as Telegram HTML messages, each within `limit` visible characters; [] for blank text."""
    runs = parse_markup(text)
    visible = "".join(run.text for run in runs)
    return [
        _render(runs, start, end) for start, end in split_visible(visible, limit, _protected_ranges(runs))
    ]


def render_caption(text: str) -> str | None:
    """`text` as one HTML caption, or None when it does not fit into a photo's caption."""
    chunks = render_chunks(text, CAPTION_LIMIT)
    return chunks[0] if len(chunks) == 1 else None


def plain_chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The visible text without markup, split like `render_chunks`: the fallback when Telegram
    refuses the HTML."""
    runs = parse_markup(text)
    visible = "".join(run.text for run in runs)
    return [visible[start:end] for start, end in split_visible(visible, limit, _protected_ranges(runs))]
