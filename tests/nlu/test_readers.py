"""The pure-Python readers of nlu/readers (no Rasa): the check's setup words and the offer words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.loader import load_vocab
from nlu.readers.check_setup import (
    SETUP_WORDS_PATH,
    SetupWordsError,
    load_setup_words,
    read_certificate,
    read_looking_for,
    read_variant,
)
from nlu.readers.offer_text import OfferWords, read_offer_words

TODAY = date(2026, 12, 6)


def test_the_certificates_are_those_of_the_vocabulary_in_rank_order() -> None:
    ranked = [term.code for term in sorted(load_vocab().certificates, key=lambda term: term.rank or 0)]
    assert ["none", *load_setup_words().certificate] == ranked


def test_a_word_that_is_not_folded_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "setup_words.yaml"
    text = SETUP_WORDS_PATH.read_text(encoding="utf-8").replace("[abi,", "[Abitür,")
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(SetupWordsError, match="Abitür"):
        load_setup_words(broken)


def test_setup_answers() -> None:
    assert read_variant("den kurzen bitte") == "quick"
    assert read_certificate("hab realschule und mach jetzt abi") == "abitur"
    assert read_certificate("kein abi") == "none"
    assert read_looking_for("erstmal ein praktikum") == "internship"


def test_offer_words() -> None:
    assert read_offer_words("nur praktikum ab august in 10 km, auch ähnliche", TODAY) == OfferWords(
        kind="internship", start_from=date(2027, 8, 1), radius_km=10, related=True
    )
    assert read_offer_words('/refine_offers{"offer_refinement":"wider"}', TODAY) == OfferWords()
