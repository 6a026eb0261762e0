"""Train a tiny real Rasa NLU model with the custom components and parse messages with it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.model_training import train_nlu

CONFIG = """\
recipe: default.v1
language: de
assistant_id: nlu-pipeline-test
pipeline:
  - name: nlu.lemma_tokenizer.SpacyLemmaTokenizer
  - name: nlu.occupation_extractor.OccupationEntityExtractor
  - name: nlu.explore_extractor.ExploreEntityExtractor
  - name: nlu.place_extractor.PlaceEntityExtractor
  - name: nlu.language_detector.LanguageDetector
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 5
    entity_recognition: false
    number_of_transformer_layers: 0  # small and quick: this test is about the custom components
"""

NLU_DATA = """\
version: "3.1"
nlu:
  - intent: greet
    examples: |
      - hallo
      - moin
      - hi
      - hello
      - guten tag
  - intent: ask_pay
    examples: |
      - was verdient man als Bäcker?
      - wie viel geld bekomme ich als Tischlerin
      - what does a nurse earn
      - wie hoch ist das gehalt in der ausbildung
      - how much money do I get
  - intent: ask_profession
    examples: |
      - erzähl mir was über Kfz-Mechatroniker
      - was macht eine Erzieherin
      - tell me about carpenters
      - was ist ein Fachinformatiker
      - what does a baker do
"""


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Agent:
    return train_tiny(tmp_path_factory.mktemp("pipeline"), CONFIG, NLU_DATA)


def parse(agent: Agent, text: str) -> dict[str, Any]:
    return asyncio.run(agent.parse_message(text))


def train_tiny(directory: Path, config: str, nlu_data: str) -> Agent:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_TELEMETRY_ENABLED", "false")
        patch.setenv("RASA_MAX_CACHE_SIZE", "0")  # no training cache in the working directory
        (directory / "config.yml").write_text(config, encoding="utf-8")
        (directory / "nlu.yml").write_text(nlu_data, encoding="utf-8")
        model = train_nlu(
            config=str(directory / "config.yml"),
            nlu_data=str(directory / "nlu.yml"),
            output=str(directory / "models"),
            fixed_model_name="nlu",
        )
        assert model is not None and Path(model).is_file()
        return Agent.load(model)


def test_the_trained_model_finds_occupations_and_the_language(agent: Agent) -> None:
    text = "Was verdient man als Kfz-Mechatronikerin?"
    result = parse(agent, text)
    assert result["intent"]["name"] in {"greet", "ask_pay", "ask_profession"}
    found = {(entity["entity"], entity["value"], entity["extractor"]) for entity in result["entities"]}
    assert found == {
        ("profession", "kraftfahrzeugmechatroniker", "OccupationEntityExtractor"),
        ("detected_language", "de", "LanguageDetector"),
    }


def test_english_messages_and_ambiguous_heads(agent: Agent) -> None:
    result = parse(agent, "What does a Mechaniker earn?")
    found = {(entity["entity"], entity["value"]) for entity in result["entities"]}
    assert found == {("profession_query", "Mechaniker"), ("detected_language", "en")}
    assert parse(agent, "ok")["entities"] == []


def test_topics_and_narrowing_cues_beside_occupations(agent: Agent) -> None:
    result = parse(agent, "Welche Berufe mit Tieren gehen ohne Abschluss?")
    found = {(entity["entity"], entity["value"], entity["extractor"]) for entity in result["entities"]}
    assert found == {
        ("topic", "animals", "ExploreEntityExtractor"),
        ("certificate", "none", "ExploreEntityExtractor"),
        ("detected_language", "de", "LanguageDetector"),
    }
    cook = parse(agent, "was verdient ein Koch")
    assert [entity["entity"] for entity in cook["entities"] if entity["entity"] != "detected_language"] == [
        "profession"
    ]


def test_a_place_beside_a_topic(agent: Agent) -> None:
    result = parse(agent, "berufe mit tieren in der nähe von melle")
    found = {(entity["entity"], entity["value"], entity["extractor"]) for entity in result["entities"]}
    assert ("place", "melle", "PlaceEntityExtractor") in found
    assert ("topic", "animals", "ExploreEntityExtractor") in found


# ------------------------------------------------------------------------------------------------
# PlaceFeaturizer: a place the training data never named still counts as a place

PLACE_CONFIG = """\
recipe: default.v1
language: de
assistant_id: place-feature-test
pipeline:
  - name: WhitespaceTokenizer
  {place_featurizer}
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 60
    entity_recognition: false
    number_of_transformer_layers: 0
    random_seed: 7
"""

# The searches name three places; the questions share their other words ("ausbildung", "als").
PLACE_NLU_DATA = """\
version: "3.1"
nlu:
  - intent: search_offers
    examples: |
      - ausbildung melle
      - ausbildung in bramsche
      - praktikum melle
      - praktikum in bramsche
      - lehrstelle wallenhorst
      - ausbildung als koch in melle
      - praktikum als gärtner bramsche
  - intent: ask_profession
    examples: |
      - ausbildung koch
      - ausbildung als gärtner
      - praktikum als koch wie ist das
      - was ist ein koch
      - erzähl was über gärtner
      - ausbildung als bäcker was macht man da
      - lehrstelle als tischler was lernt man
"""
UNSEEN_PLACES = ("voltlage", "bad rothenfelde", "49565", "ostercappeln", "gmhütte")


@pytest.fixture(scope="module")
def with_and_without_places(tmp_path_factory: pytest.TempPathFactory) -> tuple[Agent, Agent]:
    line = "- name: nlu.place_extractor.PlaceFeaturizer"
    with_feature = train_tiny(
        tmp_path_factory.mktemp("with_places"), PLACE_CONFIG.format(place_featurizer=line), PLACE_NLU_DATA
    )
    without = train_tiny(
        tmp_path_factory.mktemp("without_places"), PLACE_CONFIG.format(place_featurizer=""), PLACE_NLU_DATA
    )
    return with_feature, without


def _search_confidence(agent: Agent, text: str) -> float:
    ranking = parse(agent, text)["intent_ranking"]
    return next(entry["confidence"] for entry in ranking if entry["name"] == "search_offers")


@pytest.mark.parametrize("place", UNSEEN_PLACES)
def test_a_place_never_seen_in_training_makes_a_search(
    with_and_without_places: tuple[Agent, Agent], place: str
) -> None:
    with_feature, without = with_and_without_places
    text = f"ausbildung als koch {place}"
    assert parse(with_feature, text)["intent"]["name"] == "search_offers", text
    # the words alone do not carry it: the same model without the feature is less sure
    assert _search_confidence(with_feature, text) > _search_confidence(without, text) + 0.2, text
    assert parse(with_feature, "ausbildung als koch")["intent"]["name"] == "ask_profession"
