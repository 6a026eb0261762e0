"""Rasa's texts as Telegram HTML: escaping, **bold**, links, and splitting at the length limit.

The property tests check every rendered chunk with the fake server's copy of Telegram's HTML parser,
so "valid for Telegram" means the same here as in the integration tests.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.formatting import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    parse_markup,
    plain_chunks,
    render_caption,
    render_chunks,
    split_visible,
    utf16_length,
)
from tests.channels.fake_telegram import parse_html


def visible(chunk: str) -> str:
    return parse_html(chunk)[0]


def words(text: str) -> list[str]:
    return text.split()


def test_html_in_rasa_text_is_shown_not_interpreted() -> None:
    [chunk] = render_chunks('<script>alert("hi")</script> & <b>not bold</b>')
    assert chunk == '&lt;script&gt;alert("hi")&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;'
    assert visible(chunk) == '<script>alert("hi")</script> & <b>not bold</b>'


def test_bold_and_https_links_are_kept() -> None:
    [chunk] = render_chunks(
        "Im 1. Jahr **1.000 €**. Mehr bei [BERUFENET](https://web.arbeitsagentur.de/berufenet/)."
    )
    assert chunk == (
        'Im 1. Jahr <b>1.000 €</b>. Mehr bei <a href="https://web.arbeitsagentur.de/berufenet/">BERUFENET</a>.'
    )
    text, entities = parse_html(chunk)
    assert text == "Im 1. Jahr 1.000 €. Mehr bei BERUFENET."
    assert {entity["type"] for entity in entities} == {"bold", "text_link"}


def test_links_other_than_http_stay_plain_text() -> None:
    [chunk] = render_chunks("[klick](javascript:alert(1)) [mail](mailto:a@b.de)")
    assert "<a" not in chunk
    assert visible(chunk) == "[klick](javascript:alert(1)) [mail](mailto:a@b.de)"


def test_link_inside_bold_with_an_ampersand_in_the_url() -> None:
    [chunk] = render_chunks("**Mehr: [hier](https://example.org/?q=x&a='1')**")
    assert chunk == '<b>Mehr: </b><b><a href="https://example.org/?q=x&amp;a=&#x27;1&#x27;">hier</a></b>'
    text, entities = parse_html(chunk)
    assert text == "Mehr: hier"
    assert {
        "type": "text_link",
        "url": "https://example.org/?q=x&a='1'",
        "offset": 6,
        "length": 4,
    } in entities


def test_unmatched_markup_stays_as_typed() -> None:
    [chunk] = render_chunks("2 ** 3 und **offen")
    assert visible(chunk) == "2 ** 3 und **offen"


def test_blank_text_gives_no_message() -> None:
    assert render_chunks("") == []
    assert render_chunks(" \n\n ") == []


def test_long_text_is_split_at_paragraphs_within_the_limit() -> None:
    paragraph = " ".join(["Ausbildung"] * 120)  # 1,319 characters
    text = "\n\n".join([paragraph] * 8)
    chunks = render_chunks(text)
    assert len(chunks) == 3
    for chunk in chunks:
        assert utf16_length(visible(chunk)) <= MESSAGE_LIMIT
        assert visible(chunk) == "\n\n".join([paragraph] * (visible(chunk).count("\n\n") + 1))
    assert words(" ".join(visible(chunk) for chunk in chunks)) == words(text)


def test_a_line_longer_than_the_limit_is_split_between_words() -> None:
    text = " ".join(f"wort{index}" for index in range(1500))
    chunks = plain_chunks(text)
    assert len(chunks) > 1
    assert all(utf16_length(chunk) <= MESSAGE_LIMIT for chunk in chunks)
    assert words(" ".join(chunks)) == words(text)


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    chunks = plain_chunks("x" * 10_000)
    assert [len(chunk) for chunk in chunks] == [4096, 4096, 1808]


def test_emoji_count_twice_like_in_telegram() -> None:
    chunks = plain_chunks("😀" * 4096)
    assert [len(chunk) for chunk in chunks] == [2048, 2048]


def test_bold_is_closed_and_reopened_around_a_split() -> None:
    text = "**" + " ".join(["fett"] * 30) + "**"
    chunks = render_chunks(text, limit=40)
    assert len(chunks) > 1
    for chunk in chunks:
        assert re.fullmatch(r"<b>[^<]+</b>", chunk)
        assert parse_html(chunk)[1] == [{"type": "bold", "offset": 0, "length": utf16_length(visible(chunk))}]


def test_a_link_is_not_split_when_it_fits() -> None:
    text = "a " * 15 + "[zur Seite der Agentur für Arbeit](https://www.arbeitsagentur.de/) danach"
    chunks = render_chunks(text, limit=50)
    assert sum(chunk.count("<a ") for chunk in chunks) == 1
    assert any("zur Seite der Agentur für Arbeit</a>" in chunk for chunk in chunks)


def test_caption_only_when_it_fits() -> None:
    assert render_caption("Dein **Ergebnis**") == "Dein <b>Ergebnis</b>"
    assert render_caption("x " * CAPTION_LIMIT) is None


def test_split_indices_skip_whitespace_at_the_breaks() -> None:
    assert split_visible("  eins zwei  \n drei ", 9) == [(2, 6), (7, 11), (15, 19)]


TOKENS = [*"ab xyz\n*<>&\"'[]()ä😀", "\n\n", "**", "Ausbildung", "https://x.de/p", "[ein Link](https://l.de)"]
markup_text = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=markup_text, limit=st.integers(min_value=8, max_value=120))
def test_every_chunk_is_valid_telegram_html_within_the_limit(text: str, limit: int) -> None:
    chunks = render_chunks(text, limit=limit)
    visible_chunks = [visible(chunk) for chunk in chunks]
    assert all(0 < utf16_length(chunk) <= limit for chunk in visible_chunks)
    assert all(chunk.strip() == chunk for chunk in visible_chunks)
    assert plain_chunks(text, limit=limit) == visible_chunks
    # Nothing visible is lost or invented: only whitespace at the breaks goes.
    everything = "".join(run.text for run in parse_markup(text))
    assert "".join("".join(visible_chunks).split()) == "".join(everything.split())
