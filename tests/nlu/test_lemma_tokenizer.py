from __future__ import annotations

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.lemma_tokenizer import SpacyLemmaTokenizer
from tests.nlu.rasa_graph import ComponentFactory


@pytest.fixture
def tokenizer(create_component: ComponentFactory) -> SpacyLemmaTokenizer:
    component = create_component(SpacyLemmaTokenizer)
    assert isinstance(component, SpacyLemmaTokenizer)
    return component


def tokens_of(tokenizer: SpacyLemmaTokenizer, text: str) -> list[tuple[str, int, int, str]]:
    message = Message({TEXT: text})
    tokenizer.process([message])
    return [(token.text, token.start, token.end, token.lemma) for token in message.get(TOKENS_NAMES[TEXT])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Welche Berufe gibt's hier??",
            [
                ("Welche", 0, 6, "welch"),
                ("Berufe", 7, 13, "beruf"),
                ("gibt's", 14, 20, "geben"),
                ("hier", 21, 25, "hier"),
            ],
        ),
        # lower-case nouns find their capitalised table entry
        (
            "ich hab bock auf ausbildungen mit tieren",
            [
                ("ich", 0, 3, "ich"),
                ("hab", 4, 7, "hab"),
                ("bock", 8, 12, "bock"),
                ("auf", 13, 16, "auf"),
                ("ausbildungen", 17, 29, "ausbildung"),
                ("mit", 30, 33, "mit"),
                ("tieren", 34, 40, "tier"),
            ],
        ),
        # hyphenated occupation names stay one token; emoji are tokens
        (
            "was verdient man als kfz-mechatroniker 👍",
            [
                ("was", 0, 3, "was"),
                ("verdient", 4, 12, "verdienen"),
                ("man", 13, 16, "man"),
                ("als", 17, 20, "als"),
                ("kfz-mechatroniker", 21, 38, "kfz-mechatroniker"),
                ("👍", 39, 40, "👍"),
            ],
        ),
        ("Kfz-Kauffrauen", [("Kfz-Kauffrauen", 0, 14, "kfz-kauffrau")]),
        (
            "Ich  möchte...   Koch werden!!",
            [
                ("Ich", 0, 3, "ich"),
                ("möchte", 5, 11, "mögen"),
                ("Koch", 17, 21, "koch"),
                ("werden", 22, 28, "werden"),
            ],
        ),
        # a message of punctuation only keeps its punctuation
        ("??", [("?", 0, 1, "?"), ("?", 1, 2, "?")]),
        ("👍", [("👍", 0, 1, "👍")]),
        ("   ", []),
    ],
)
def test_tokens_and_lemmas(
    tokenizer: SpacyLemmaTokenizer, text: str, expected: list[tuple[str, int, int, str]]
) -> None:
    assert tokens_of(tokenizer, text) == expected


def test_english_text_passes_through_nearly_unchanged(tokenizer: SpacyLemmaTokenizer) -> None:
    text = "What does a nurse earn in the first year of the apprenticeship?"
    tokens = tokens_of(tokenizer, text)
    assert [lemma for _, _, _, lemma in tokens] == [word.lower() for word, _, _, _ in tokens]
    assert [word for word, _, _, _ in tokens] == text.rstrip("?").split()


def test_offsets_point_into_the_text(tokenizer: SpacyLemmaTokenizer) -> None:
    text = "Moin!! Ich such 'ne Ausbildung als Tischler*in in 49074 Osnabrück 🙂"
    for word, start, end, _ in tokens_of(tokenizer, text):
        assert text[start:end] == word


def test_training_data_intents_are_split_as_configured(create_component: ComponentFactory) -> None:
    tokenizer = create_component(SpacyLemmaTokenizer, {"intent_tokenization_flag": True})
    example = Message({TEXT: "was verdient man", INTENT: "ask_pay"})
    tokenizer.process_training_data(TrainingData([example]))
    assert [token.text for token in example.get(TOKENS_NAMES[INTENT])] == ["ask", "pay"]
    assert example.get(TOKENS_NAMES[TEXT])[1] == Token("verdient", 4, lemma="verdienen")


def test_count_vectors_featurizer_sees_lemmas(
    tokenizer: SpacyLemmaTokenizer, create_component: ComponentFactory
) -> None:
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer

    featurizer = create_component(CountVectorsFeaturizer, resource_name="count_vectors")
    assert isinstance(featurizer, CountVectorsFeaturizer)
    data = TrainingData([Message({TEXT: "welche berufe gibt es", INTENT: "ask_profession"})])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    assert "beruf" in featurizer.vectorizers[TEXT].vocabulary_
    assert "berufe" not in featurizer.vectorizers[TEXT].vocabulary_
