"""Finding what a pupil narrows occupations down by: topics, certificate, duration, pay order and
training type ("welche Berufe mit Tieren gehen mit Hauptschulabschluss und dauern nur 2 Jahre").

`ExploreMatcher` is built from topics.yaml and explore.yaml and finds `Cue`s in a message: word
sequences compared after folding (lower case, umlauts as ae/oe/ue, ß as ss). Longer phrases win
over shorter ones; a word is used by one cue only. A topic word of five letters or more is also
found at the start or the end of a longer German word ("Tierheim", "Haustiere"), unless that word
is listed in explore.yaml's `not_topic_words`. A certificate right after a negation ("kein Abi")
gives no cue: the pupil says what they do not have.

Standard library only (shared by the Rasa engine and the services), like `knowledge.matching`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.schema import Topic
from knowledge.slugs import fold

# entity names (docs/contracts.md)
TOPIC = "topic"
CERTIFICATE = "certificate"
DURATION = "duration"
PAY_ORDER = "pay_order"
TRAINING_TYPE = "training_type"

_WORD_RE = re.compile(r"[^\W_]+")
_MIN_COMPOUND_WORD = 5
_MIN_COMPOUND_REST = 3
_MAX_PHRASE_WORDS = 6


@dataclass(frozen=True)
class Cue:
    """One thing found in a message: `kind` is one of the entity names above, `value` the code
    (topic key, certificate code, months as text, "high", training type), start/end the span."""

    kind: str
    value: str
    start: int
    end: int
    text: str


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(fold(m.group()), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(word for word, _, _ in _words(phrase))


class ExploreMatcher:
    """Finds topics and narrowing cues in a message; state is plain data (`to_dict`/`from_dict`)."""

    def __init__(
        self,
        phrases: Mapping[tuple[str, ...], tuple[str, str]],
        compound_words: Mapping[str, str],
        negations: Iterable[str],
        not_topic_words: Iterable[str],
        pay_words: Iterable[str] = (),
        superlatives: Iterable[tuple[str, ...]] = (),
        pay_split_distance: int = 0,
    ) -> None:
        self._phrases = dict(phrases)  # folded words -> (kind, value)
        self._compound_words = dict(compound_words)  # folded topic word -> topic key
        self._negations = frozenset(negations)
        self._not_topic_words = frozenset(not_topic_words)
        # a pay word and a superlative a few words apart ("verdient man als Azubi am meisten")
        self._pay_words = frozenset(pay_words)
        self._superlatives = tuple(sorted(set(superlatives), key=len, reverse=True))
        self._pay_split_distance = pay_split_distance

    @classmethod
    def from_knowledge(cls, topics: Sequence[Topic], explore: Mapping[str, Any]) -> ExploreMatcher:
        phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        compound_words: dict[str, str] = {}
        tables = (
            (CERTIFICATE, explore["certificates"]),
            (DURATION, explore["durations"]),
            (PAY_ORDER, explore["pay_order"]),
            (TRAINING_TYPE, explore["training_types"]),
        )
        for kind, table in tables:
            for code, languages in table.items():
                for phrase in (*languages["de"], *languages["en"]):
                    key = _phrase_key(phrase)
                    if key:
                        phrases.setdefault(key, (kind, str(code)))
        for topic in topics:
            for language, words in topic.words.items():
                for word in words:
                    key = _phrase_key(word)
                    if not key:
                        continue
                    phrases.setdefault(key, (TOPIC, topic.key))
                    if language == "de" and len(key) == 1 and len(key[0]) >= _MIN_COMPOUND_WORD:
                        compound_words.setdefault(key[0], topic.key)
        negations = (fold(word) for word in explore["negations"])
        not_topic = (fold(word) for word in explore["not_topic_words"])
        split = explore.get("pay_split") or {}
        pay_words = [fold(word) for words in (split.get("pay_words") or {}).values() for word in words]
        superlatives = [
            key
            for phrases_ in (split.get("superlatives") or {}).values()
            for key in (_phrase_key(phrase) for phrase in phrases_)
            if key
        ]
        distance = int(explore.get("pay_split_distance") or 0)
        return cls(phrases, compound_words, negations, not_topic, pay_words, superlatives, distance)

    def to_dict(self) -> dict[str, Any]:
        return {
            "phrases": [[list(key), kind, value] for key, (kind, value) in sorted(self._phrases.items())],
            "compound_words": dict(sorted(self._compound_words.items())),
            "negations": sorted(self._negations),
            "not_topic_words": sorted(self._not_topic_words),
            "pay_words": sorted(self._pay_words),
            "superlatives": [list(key) for key in self._superlatives],
            "pay_split_distance": self._pay_split_distance,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExploreMatcher:
        phrases = {tuple(key): (kind, value) for key, kind, value in data["phrases"]}
        return cls(
            phrases,
            data["compound_words"],
            data["negations"],
            data["not_topic_words"],
            data.get("pay_words", ()),
            (tuple(key) for key in data.get("superlatives", ())),
            int(data.get("pay_split_distance", 0)),
        )

    def find(self, text: str) -> list[Cue]:
        """The cues in `text`, in the order they occur."""
        words = _words(text)
        cues: list[Cue] = []
        used: set[int] = set()  # indices of the words a cue took
        i = 0
        while i < len(words):
            found = self._phrase_at(words, i)
            if found is None:
                topic = self._compound_topic(words[i][0])
                if topic is not None:
                    cues.append(self._cue(text, TOPIC, topic, words[i : i + 1]))
                    used.add(i)
                i += 1
                continue
            length, (kind, value) = found
            negated = i > 0 and words[i - 1][0] in self._negations
            if not (kind == CERTIFICATE and value != "none" and negated):
                cues.append(self._cue(text, kind, value, words[i : i + length]))
                used.update(range(i, i + length))
            i += length
        if not any(cue.kind == PAY_ORDER for cue in cues):
            split = self._pay_split(words, used)
            if split is not None:
                start, length = split
                cues.append(self._cue(text, PAY_ORDER, "high", words[start : start + length]))
                cues.sort(key=lambda cue: cue.start)
        return cues

    def _pay_split(self, words: Sequence[tuple[str, int, int]], used: set[int]) -> tuple[int, int] | None:
        """The first superlative (start, length) a few words from a pay word, among free words."""
        pay_at = [i for i, (word, _, _) in enumerate(words) if word in self._pay_words and i not in used]
        if not pay_at:
            return None
        for i in range(len(words)):
            for key in self._superlatives:
                span = range(i, i + len(key))
                if span.stop > len(words) or any(j in used for j in span):
                    continue
                if tuple(word for word, _, _ in words[i : span.stop]) != key:
                    continue
                if any(min(abs(p - i), abs(p - (span.stop - 1))) <= self._pay_split_distance for p in pay_at):
                    return i, len(key)
        return None

    def _phrase_at(self, words: Sequence[tuple[str, int, int]], i: int) -> tuple[int, tuple[str, str]] | None:
        for length in range(min(_MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            key = tuple(word for word, _, _ in words[i : i + length])
            if key in self._phrases:
                return length, self._phrases[key]
        return None

    def _compound_topic(self, word: str) -> str | None:
        if word in self._not_topic_words or len(word) < _MIN_COMPOUND_WORD + _MIN_COMPOUND_REST:
            return None
        best: tuple[int, str] | None = None
        for part, topic in self._compound_words.items():
            if len(word) - len(part) < _MIN_COMPOUND_REST:
                continue
            if (word.startswith(part) or word.endswith(part)) and (best is None or len(part) > best[0]):
                best = (len(part), topic)
        return best[1] if best else None

    @staticmethod
    def _cue(text: str, kind: str, value: str, words: Sequence[tuple[str, int, int]]) -> Cue:
        start, end = words[0][1], words[-1][2]
        return Cue(kind, value, start, end, text[start:end])
