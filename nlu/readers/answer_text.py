"""The reader of typed answers in the career-choice check: "ja voll" -> 5, "eher nicht" -> 2,
"4/5" -> 4, "überspringen" -> skip.

`FreeTextReader` is built by knowledge.check.bank.load_answer_scale from the phrases and words of
knowledge/check/answers.yaml; this module holds the patterns and the rules that combine them
(negation, several answers in one message). Standard library only, and nothing of knowledge/, so
that knowledge.check.bank can build it without an import cycle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeVar

NEUTRAL_VALUE = 3

Command = Literal["skip", "back", "pause", "stop", "restart"]
COMMANDS: tuple[Command, ...] = ("skip", "back", "pause", "stop", "restart")
# What a typed message means during the check: an answer value 1..5 or a command.
Reading = int | Command

# -- reading free text ----------------------------------------------------------------------

_SKIN_TONE = re.compile("[\U0001f3fb-\U0001f3ff]")
_GENDER_SIGN = re.compile("\u200d[\u2640\u2642]")  # the sign in 🤷‍♀️ / 🤷‍♂️
_APOSTROPHE = re.compile("['’`´]")  # phones type the typographic apostrophe
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")  # "jaaaa" -> "ja"; digits stay: "100" is not "10"
_ANY_RUN = re.compile(r"(.)\1+")
_DIGRAPH = re.compile("ae|oe|ue")  # "zurueck" -> "zuruck", the same as folded "zurück"
_MARK = re.compile(r"^(\d{1,3}) ?(?:/|von|of|out of|aus) ?(5|10)$")  # "4/5", "8 von 10"
_PERCENT = re.compile(r"^(\d{1,3}) ?(?:%|prozent|percent)$")
_SENTENCE_PUNCTUATION = re.compile(r"[!?.,;:]+")

# Negating a positive answer turns it into "eher nicht"; a negator before a negative answer only
# repeats the "no" ("nicht, nein"); a negated "weiß nicht" means nothing clear.
_NEGATED: Mapping[int, int | None] = MappingProxyType({5: 2, 4: 2, 3: None, 2: 2, 1: 1})
_LIKING_VALUE = 4  # "ich mag das", "würde ich machen"
_DISLIKING_VALUE = 2  # "ich mag das nicht", a bare "nicht"


def normalize_answer_text(text: str) -> str:
    """Lower case, umlauts and accents folded ("ö" -> "o", "ß" -> "ss"), emoji variation selectors,
    skin tones and gender signs removed, apostrophes dropped ("don't" -> "dont"), letters repeated
    three times or more written once, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = _SKIN_TONE.sub("", _GENDER_SIGN.sub("", folded))
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    folded = _LETTER_RUN.sub(r"\1", _APOSTROPHE.sub("", folded))
    return " ".join(folded.split())


def _is_emoji(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Newer emoji are unassigned ("Cn") in the Unicode tables of Python 3.10.
    return category == "So" or (category == "Cn" and ord(ch) >= 0x1F000)


def tokenize_answer_text(normalized: str) -> tuple[str, ...]:
    """Words, numbers and single emoji of a normalised text; everything else separates them."""
    pieces: list[str] = []
    for ch in normalized:
        if _is_emoji(ch):
            pieces.append(f" {ch} ")
        elif ch.isalnum():
            pieces.append(ch)
        else:
            pieces.append(" ")
    return tuple("".join(pieces).split())


def _loose(token: str) -> str:
    """A forgiving form of a token: "ae/oe/ue" as plain vowels, every doubled letter once."""
    return _ANY_RUN.sub(r"\1", _DIGRAPH.sub(lambda match: match.group()[0], token))


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _read_mark(normalized: str) -> int | None:
    """A mark such as "4/5", "8 von 10" or "80%", as a value 1..5."""
    text = _SENTENCE_PUNCTUATION.sub(" ", normalized).strip()
    mark = _MARK.match(text)
    if mark:
        points, out_of = int(mark.group(1)), int(mark.group(2))
        if points > out_of:
            return None
        return max(1, points) if out_of == 5 else 1 + _half_up(4 * points, out_of)
    percent = _PERCENT.match(text)
    if percent and int(percent.group(1)) <= 100:
        return 1 + _half_up(4 * int(percent.group(1)), 100)
    return None


WordKind = Literal["negator", "like", "filler"]
_Key = TypeVar("_Key", str, tuple[str, ...])
_Label = TypeVar("_Label")


class FreeTextReader:
    """Maps a typed message to an answer value or a command (see `read`). Built once from
    answers.yaml by `load_answer_scale`; holds only immutable lookup tables."""

    def __init__(
        self,
        phrases: Mapping[tuple[str, ...], Reading],
        words: Mapping[str, WordKind],
    ) -> None:
        self._phrases: Mapping[tuple[str, ...], Reading] = MappingProxyType(dict(phrases))
        self._loose_phrases = _unambiguous(
            (tuple(_loose(token) for token in key), label) for key, label in phrases.items()
        )
        self._words: Mapping[str, WordKind] = MappingProxyType(dict(words))
        self._loose_words = _unambiguous((_loose(word), kind) for word, kind in words.items())
        self._longest = max((len(key) for key in phrases), default=0)

    def read(self, text: str) -> Reading | None:
        """Exact phrase first ("ja voll" = 5), then a mark ("4/5"), then word by word: the longest
        known phrase at each place ("nicht so gern" before "nicht so"), negators, liking words and
        filler words. Any unknown word, answers that contradict each other ("ja nein"), or an
        answer mixed with a command give None."""
        normalized = normalize_answer_text(text)
        tokens = tokenize_answer_text(normalized)
        if not tokens:
            return None
        whole = self._phrase(tokens)
        if whole is not None:
            return whole
        mark = _read_mark(normalized)
        if mark is not None:
            return mark
        parts: list[_Part] = []
        position = 0
        while position < len(tokens):
            matched = self._longest_phrase(tokens, position)
            if matched is not None:
                label, length = matched
                parts.append(_Part("phrase", label))
                position += length
                continue
            kind = self._word_kind(tokens[position])
            if kind is None:
                return None
            if kind != "filler":
                parts.append(_Part(kind))
            position += 1
        return _combine(parts)

    def _phrase(self, key: tuple[str, ...]) -> Reading | None:
        label = self._phrases.get(key)
        if label is None:
            label = self._loose_phrases.get(tuple(_loose(token) for token in key))
        return label

    def _longest_phrase(self, tokens: tuple[str, ...], start: int) -> tuple[Reading, int] | None:
        for length in range(min(self._longest, len(tokens) - start), 0, -1):
            label = self._phrase(tokens[start : start + length])
            if label is not None:
                return label, length
        return None

    def _word_kind(self, token: str) -> WordKind | None:
        kind = self._words.get(token)
        return kind if kind is not None else self._loose_words.get(_loose(token))


def _unambiguous(pairs: Iterable[tuple[_Key, _Label]]) -> Mapping[_Key, _Label]:
    """key -> label for the keys that have one label only (loose forms can collide)."""
    labels: dict[_Key, _Label] = {}
    clashing: set[_Key] = set()
    for key, label in pairs:
        if key in labels and labels[key] != label:
            clashing.add(key)
        labels.setdefault(key, label)
    return MappingProxyType({key: label for key, label in labels.items() if key not in clashing})


@dataclass(frozen=True)
class _Part:
    """A piece of a typed message: a known phrase (with its reading), a negator or a liking word."""

    kind: Literal["phrase", "negator", "like"]
    reading: Reading | None = None


def _combine(parts: Sequence[_Part]) -> Reading | None:
    values: list[int] = []
    likes: list[int] = []
    commands: list[Reading] = []
    loose_negators = 0
    negated = False
    for part in parts:
        if part.kind == "negator":
            loose_negators += int(negated)
            negated = True
            continue
        if part.kind == "like":
            likes.append(_DISLIKING_VALUE if negated else _LIKING_VALUE)
        elif isinstance(part.reading, int):
            value = _NEGATED[part.reading] if negated else part.reading
            if value is None:
                return None
            values.append(value)
        elif part.reading is not None:
            if negated:
                return None  # "nicht weiter" is not a clear command
            commands.append(part.reading)
        negated = False
    loose_negators += int(negated)

    if commands:
        clear = not values and not loose_negators and len(set(commands)) == 1
        return commands[0] if clear else None
    if loose_negators:  # "ich mag das nicht", "das mache ich nicht", "nein, nicht"
        if likes:
            likes = [_DISLIKING_VALUE] * len(likes)
        elif not values:
            values = [_DISLIKING_VALUE]
        elif any(value >= NEUTRAL_VALUE for value in values):
            return None
    if values:
        return _combine_values(values)
    if likes:
        return _combine_values(likes)
    return None


def _combine_values(values: Sequence[int]) -> int | None:
    """Several answers in one message: on one side the strongest counts ("ja, sehr gern" = 5,
    "weiß nicht, eher nicht" = 2); yes and no together mean nothing clear."""
    if any(value > NEUTRAL_VALUE for value in values) and any(value < NEUTRAL_VALUE for value in values):
        return None
    return max(values, key=lambda value: abs(value - NEUTRAL_VALUE))
