"""The answers to the setup questions of the career-choice check, in the pupil's words: the variant
("den kurzen"), the certificate ("mittlere Reife", "kein Abi"), the distance ("bis 30 km") and what
the pupil looks for ("erstmal ein Praktikum"). The place is read by nlu.readers.places.

The words live in knowledge/check/setup_words.yaml (read once); each reader returns a code of that
file, kilometres, or None when the message names no answer or several.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.loader import KNOWLEDGE_DIR
from knowledge.slugs import fold

SETUP_WORDS_PATH = KNOWLEDGE_DIR / "check" / "setup_words.yaml"
MAX_RADIUS_KM = 200
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"\d{1,3}")
_TABLES = ("variant", "certificate", "looking_for")


class SetupWordsError(ValueError):
    """knowledge/check/setup_words.yaml does not have the expected shape."""


@dataclass(frozen=True)
class SetupWords:
    variant: Mapping[str, frozenset[str]]
    certificate: Mapping[str, frozenset[str]]  # codes lowest first
    no_certificate: frozenset[str]
    looking_for: Mapping[str, frozenset[str]]


def _word_list(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise SetupWordsError(f"{where}: must be a non-empty list of words")
    words: set[str] = set()
    for entry in value:
        if not isinstance(entry, str) or _WORD.findall(fold(entry)) != [entry]:
            raise SetupWordsError(f"{where}: {entry!r} is not one folded word (lower case, ae for ä)")
        words.add(entry)
    return frozenset(words)


def load_setup_words(path: Path | None = None) -> SetupWords:
    """The word tables, checked: every code has a non-empty list of folded words."""
    data = yaml.safe_load((path or SETUP_WORDS_PATH).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {*_TABLES, "no_certificate"}:
        raise SetupWordsError(f"setup_words.yaml: needs exactly {[*_TABLES, 'no_certificate']}")
    tables: dict[str, dict[str, frozenset[str]]] = {}
    for name in _TABLES:
        table = data[name]
        if not isinstance(table, dict) or not table:
            raise SetupWordsError(f"setup_words.yaml: {name} must map codes to words")
        tables[name] = {str(code): _word_list(words, f"{name}.{code}") for code, words in table.items()}
    return SetupWords(
        variant=tables["variant"],
        certificate=tables["certificate"],
        no_certificate=_word_list(data["no_certificate"], "no_certificate"),
        looking_for=tables["looking_for"],
    )


@lru_cache(maxsize=1)
def setup_words() -> SetupWords:
    return load_setup_words()


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _single_match(words: Sequence[str], table: Mapping[str, frozenset[str]]) -> str | None:
    found = {code for code, vocabulary in table.items() if any(word in vocabulary for word in words)}
    return found.pop() if len(found) == 1 else None


def read_variant(text: str) -> str | None:
    """quick | full ("den kurzen bitte", "48")."""
    return _single_match(_words(text), setup_words().variant)


def read_certificate(text: str) -> str | None:
    """The certificate code a pupil types ("realschule", "MSA", "fachabi", "keinen"). With several,
    the highest counts (the pupil names the one they have and the one they aim for)."""
    vocabulary = setup_words()
    words = _words(text)
    # "kein Abi" names no certificate: a word right after a "no" does not count.
    named = [
        word
        for index, word in enumerate(words)
        if index == 0 or words[index - 1] not in vocabulary.no_certificate
    ]
    found = [code for code, table in vocabulary.certificate.items() if any(word in table for word in named)]
    if found:
        return max(found, key=list(vocabulary.certificate).index)
    if any(word in vocabulary.no_certificate for word in words):
        return "none"
    return None


def read_radius(text: str) -> int | None:
    """Kilometres from "25", "25 km", "bis 30km"; one number only, 1 to MAX_RADIUS_KM."""
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    kilometres = int(numbers[0])
    return kilometres if 1 <= kilometres <= MAX_RADIUS_KM else None


def read_looking_for(text: str) -> str | None:
    """apprenticeship | dual_study | internship ("erstmal ein Praktikum")."""
    return _single_match(_words(text), setup_words().looking_for)
