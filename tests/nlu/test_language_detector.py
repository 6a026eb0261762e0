from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.language_detector import LanguageDetector
from tests.nlu.rasa_graph import ComponentFactory

SAMPLES = Path(__file__).parent / "data" / "language_samples.tsv"


def labelled_samples() -> list[tuple[str | None, str]]:
    samples = []
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            samples.append((None if label == "-" else label, text))
    return samples


@pytest.fixture
def detector(create_component: ComponentFactory) -> LanguageDetector:
    component = create_component(LanguageDetector)
    assert isinstance(component, LanguageDetector)
    return component


def detected(
    detector: LanguageDetector, text: str, entities: list[dict[str, Any]] | None = None
) -> list[Any]:
    message = Message({TEXT: text, ENTITIES: entities or []})
    detector.process([message])
    return [entity for entity in message.get(ENTITIES) if entity["entity"] == "detected_language"]


def test_adds_the_entity_for_a_clear_message(detector: LanguageDetector) -> None:
    text = "Wie lange dauert die Ausbildung?"
    assert detected(detector, text) == [
        {
            "entity": "detected_language",
            "value": "de",
            "start": 0,
            "end": len(text),
            "confidence": 1.0,
            "extractor": "LanguageDetector",
        }
    ]
    assert [entity["value"] for entity in detected(detector, "How long does the training take?")] == ["en"]


@pytest.mark.parametrize("text", ["ok", "ja", "👍", "hi", "Mechaniker", "Bäcker", "", "ok cool"])
def test_says_nothing_for_short_ambiguous_messages(detector: LanguageDetector, text: str) -> None:
    assert detected(detector, text) == []


@pytest.mark.parametrize("text", ["voll nice job", "was is mit chillen", "ich hab kein bock auf school"])
def test_teen_german_with_english_words_stays_german(detector: LanguageDetector, text: str) -> None:
    assert [entity["value"] for entity in detected(detector, text)] == ["de"]


def test_occupation_names_found_earlier_are_ignored(detector: LanguageDetector) -> None:
    text = "What does a Kaufmann für Büromanagement earn?"
    occupation = {"entity": "profession", "value": "kaufmann-fuer-bueromanagement", "start": 12, "end": 39}
    assert text[12:39] == "Kaufmann für Büromanagement"
    assert detected(detector, text) == []  # the German name outweighs the English words
    assert [entity["value"] for entity in detected(detector, text, [occupation])] == ["en"]
    bare = {"entity": "profession", "value": "kaufmann-fuer-bueromanagement", "start": 0, "end": 27}
    assert detected(detector, "Kaufmann für Büromanagement", [bare]) == []


def test_precision_on_labelled_messages(detector: LanguageDetector) -> None:
    samples = labelled_samples()
    assert len(samples) >= 100
    wrong: list[tuple[str, str | None, list[str]]] = []
    found = {"de": 0, "en": 0}
    clear = {"de": 0, "en": 0}
    for label, text in samples:
        values = [entity["value"] for entity in detected(detector, text)]
        if label is None:
            if values:
                wrong.append((text, label, values))
            continue
        clear[label] += 1
        if values == [label]:
            found[label] += 1
        elif values:
            wrong.append((text, label, values))
    # precision 1.0: never the wrong language, never a language for an ambiguous message
    assert wrong == []
    # and it is not silent: nearly every clear message is recognised
    assert clear["de"] >= 50 and clear["en"] >= 40
    assert found["de"] / clear["de"] >= 0.95
    assert found["en"] / clear["en"] >= 0.95


def test_word_lists_can_be_replaced(create_component: ComponentFactory, tmp_path: Path) -> None:
    (tmp_path / "words_de.txt").write_text("# German\nmoin\nschnacken\n", encoding="utf-8")
    (tmp_path / "words_en.txt").write_text("howdy\n", encoding="utf-8")
    (tmp_path / "words_shared.txt").write_text("schnacken\n", encoding="utf-8")
    detector = create_component(LanguageDetector, {"word_lists_dir": str(tmp_path)})
    assert isinstance(detector, LanguageDetector)
    assert detector.detect("moin moin") == ("de", 1.0)
    assert detector.detect("moin schnacken") is None  # one cue, two words: not enough
    assert detector.detect("howdy partner") is None
    assert detector.detect("howdy partner, howdy") == ("en", 1.0)
