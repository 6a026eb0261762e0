"""Adds the entity `detected_language` ("de" or "en") when a message is clearly in one language.

The bot fills its `language` slot from this entity, so a wrong answer switches a pupil's
conversation into the other language. The detector is therefore built for precision: it says
nothing for "ok", "ja", "👍", a bare occupation name or a message that mixes both languages evenly.

Evidence comes from small reviewed word lists in `nlu/data/` (function words, frequent chat words,
teen slang) and from German letters: a word with ä, ö, ü or ß is a strong German cue, a long word
ending in -ung, -keit, -heit or -schaft a weak one. Words German teenagers use in English ("nice",
"job", "cringe") are listed as shared and count for neither language, so "voll nice job" stays German.
Occupation names found by `OccupationEntityExtractor` earlier in the pipeline are masked first:
an English-speaking pupil who types "Kaufmann für Büromanagement" is still writing English.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

ENTITY_DETECTED_LANGUAGE = "detected_language"
WORD_LISTS_DIR = Path(__file__).parent / "data"

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_GERMAN_LETTERS = frozenset("äöüß")
_GERMAN_SUFFIXES = ("ung", "keit", "heit", "schaft")
_STRONG_CUE = 2.0
_WEAK_CUE = 0.5


@dataclass(frozen=True)
class CueWords:
    """The word lists, with words shared by both languages already removed."""

    german: frozenset[str]
    english: frozenset[str]

    @classmethod
    def from_directory(cls, directory: Path) -> CueWords:
        shared = _read_word_list(directory / "words_shared.txt")
        return cls(
            german=_read_word_list(directory / "words_de.txt") - shared,
            english=_read_word_list(directory / "words_en.txt") - shared,
        )


@dataclass(frozen=True)
class LanguageScores:
    """How much evidence a text holds for each language, and how many words were looked at."""

    german: float
    english: float
    words: int


def _read_word_list(path: Path) -> frozenset[str]:
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line)


@functools.lru_cache(maxsize=4)
def _cue_words(directory: str) -> CueWords:
    return CueWords.from_directory(Path(directory))


def score_languages(text: str, cues: CueWords) -> LanguageScores:
    """Count the German and English evidence in `text` (word lists, then German letters)."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    german = english = 0.0
    for word in words:
        if word in cues.german:
            german += 1.0
        elif word in cues.english:
            english += 1.0
        elif _GERMAN_LETTERS.intersection(word):
            german += _STRONG_CUE
        elif len(word) >= 6 and word.endswith(_GERMAN_SUFFIXES):
            german += _WEAK_CUE
    return LanguageScores(german=german, english=english, words=len(words))


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace the given character spans by spaces (offsets of the rest stay valid)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Sets `detected_language` to "de" or "en" when one language clearly dominates a message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # folder with words_de.txt, words_en.txt and words_shared.txt; null: nlu/data
            "word_lists_dir": None,
            # fewer words than this (after masking occupation names): never decide
            "min_words": 2,
            # evidence the winner needs; from three words on one cue is enough if the other has none
            "min_score": 2.0,
            # the winner's evidence must be this many times the loser's (and 2 points ahead)
            "dominance": 3.0,
            # entities whose text is ignored, e.g. occupation names, which are German in any language
            "masked_entities": ["profession", "profession_query"],
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        directory = self._config["word_lists_dir"] or WORD_LISTS_DIR
        self._cues = _cue_words(str(Path(directory).resolve()))

    def detect(self, text: str) -> tuple[str, float] | None:
        """The clearly dominant language of `text` with a confidence, or None."""
        scores = score_languages(text, self._cues)
        if scores.words < self._config["min_words"]:
            return None
        if scores.german > scores.english:
            language, winner, loser = "de", scores.german, scores.english
        elif scores.english > scores.german:
            language, winner, loser = "en", scores.english, scores.german
        else:
            return None
        if loser > 0 and (winner < self._config["dominance"] * loser or winner - loser < 2.0):
            return None
        enough = winner >= self._config["min_score"] or (winner >= 1.0 and loser == 0 and scores.words >= 3)
        if not enough:
            return None
        return language, round(winner / (winner + loser), 3)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds `detected_language` to each message whose language is clear."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            masked = [
                (entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
                for entity in message.get(ENTITIES, [])
                if entity.get(ENTITY_ATTRIBUTE_TYPE) in self._config["masked_entities"]
                and ENTITY_ATTRIBUTE_START in entity
            ]
            detected = self.detect(mask_spans(text, masked))
            if detected is None:
                continue
            language, confidence = detected
            entity = {
                ENTITY_ATTRIBUTE_TYPE: ENTITY_DETECTED_LANGUAGE,
                ENTITY_ATTRIBUTE_VALUE: language,
                # the whole message is the evidence; Rasa's evaluation needs a span
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                ENTITY_ATTRIBUTE_CONFIDENCE: confidence,
            }
            message.set(
                ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name([entity]), add_to_output=True
            )
        return messages
