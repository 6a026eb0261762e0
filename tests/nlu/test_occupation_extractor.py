from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.engine.training.fingerprinting import calculate_fingerprint_key
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.loader import KNOWLEDGE_DIR, knowledge_hash
from nlu.occupation_extractor import OccupationEntityExtractor, OccupationMatcherNotTrained
from tests.nlu.rasa_graph import ComponentFactory, execution_context

RESOURCE = Resource("train_OccupationEntityExtractor0")


def train(storage: ModelStorage, config: dict[str, Any] | None = None) -> None:
    merged = {**OccupationEntityExtractor.get_default_config(), **(config or {})}
    context = execution_context(OccupationEntityExtractor, RESOURCE.name)
    extractor = OccupationEntityExtractor.create(merged, storage, RESOURCE, context)
    assert extractor.train(TrainingData()) == RESOURCE


def load(storage: ModelStorage) -> OccupationEntityExtractor:
    config = OccupationEntityExtractor.get_default_config()
    context = execution_context(OccupationEntityExtractor, RESOURCE.name)
    return OccupationEntityExtractor.load(config, storage, RESOURCE, context)


def entities_of(extractor: OccupationEntityExtractor, text: str) -> list[dict[str, Any]]:
    message = Message({TEXT: text})
    extractor.process([message])
    return list(message.get(ENTITIES, []))


@pytest.fixture(scope="module")
def trained_storage(tmp_path_factory: pytest.TempPathFactory) -> ModelStorage:
    """Trained once on the real knowledge base (loading it takes a few seconds)."""
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("occupation_model"))
    train(storage)
    return storage


@pytest.fixture(scope="module")
def extractor(trained_storage: ModelStorage) -> OccupationEntityExtractor:
    """Loaded once: `process` keeps no state between messages."""
    return load(trained_storage)


def test_training_stores_the_matcher_in_the_model(trained_storage: ModelStorage) -> None:
    with trained_storage.read_from(RESOURCE) as directory:
        assert [path.name for path in directory.iterdir()] == [OccupationEntityExtractor.MATCHER_FILE]


def test_an_unambiguous_mention_becomes_a_profession(extractor: OccupationEntityExtractor) -> None:
    assert entities_of(extractor, "Ich will Kfz-Mechatroniker werden") == [
        {
            "entity": "profession",
            "value": "kraftfahrzeugmechatroniker",
            "start": 9,
            "end": 26,
            "text": "Kfz-Mechatroniker",
            "confidence": 1.0,
            "extractor": "OccupationEntityExtractor",
        }
    ]


def test_an_ambiguous_head_becomes_a_profession_query(extractor: OccupationEntityExtractor) -> None:
    assert entities_of(extractor, "was macht ein Mechaniker") == [
        {
            "entity": "profession_query",
            "value": "Mechaniker",
            "start": 14,
            "end": 24,
            "text": "Mechaniker",
            "confidence": 0.5,
            "extractor": "OccupationEntityExtractor",
        }
    ]
    assert [(e["entity"], e["value"]) for e in entities_of(extractor, "was is mit ner kauffrau")] == [
        ("profession_query", "kauffrau")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bäckerin oder Konditorin?", [("profession", "baecker", 0, 8), ("profession", "konditor", 14, 24)]),
        ("kfz mechanikerin", [("profession", "kraftfahrzeugmechatroniker", 0, 16)]),
        ("I want to be a nurse", [("profession", "pflegefachmann", 15, 20)]),
        ("MFA", [("profession", "medizinischer-fachangestellter", 0, 3)]),
        ("Kaufmann", [("profession_query", "Kaufmann", 0, 8)]),
        ("ich mag tiere", []),
        ("👍", []),
    ],
)
def test_mentions(
    extractor: OccupationEntityExtractor, text: str, expected: list[tuple[str, str, int, int]]
) -> None:
    found = [(e["entity"], e["value"], e["start"], e["end"]) for e in entities_of(extractor, text)]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        ("tischler oder zimmerer was is besser", ["tischler", "zimmerer"]),
        (
            "unterschied zwischen mfa und zfa",
            ["medizinischer-fachangestellter", "zahnmedizinischer-fachangestellter"],
        ),
        ("was verdient man mehr als maurer oder als dachdecker", ["maurer", "dachdecker"]),
        ("fachinformatiker vs it systemelektroniker", ["fachinformatiker", "it-system-elektroniker"]),
        ("difference between carpenter and electrician", ["zimmerer", "elektroniker"]),
        ("what is better chef or baker", ["koch", "baecker"]),
        ("physio oder ergo", ["physiotherapeut", "ergotherapeut"]),
        # two names of one occupation: both mentions, the same slug (the action says so)
        ("schreiner oder tischler", ["tischler", "tischler"]),
    ],
)
def test_a_comparison_gets_one_profession_per_occupation(
    extractor: OccupationEntityExtractor, text: str, slugs: list[str]
) -> None:
    """compare_professions needs both occupations of a pair as separate `profession` entities."""
    found = [e["value"] for e in entities_of(extractor, text) if e["entity"] == "profession"]
    assert found == slugs


RESTAURANT = "fachmann-fuer-restaurants-und-veranstaltungsgastronomie"
SHK = "anlagenmechaniker-fuer-sanitaer-heizungs-und-klimatechnik"


@pytest.mark.parametrize(
    ("text", "slug", "word"),
    [
        ("ich glaub ich werd kellner", RESTAURANT, "kellner"),
        ("Meine Schwester ist Kellnerin, wie ist die Ausbildung?", RESTAURANT, "Kellnerin"),
        ("job als kellner in osnabrück", RESTAURANT, "kellner"),
        ("lohnt es sich als Kellnern zu arbeiten", RESTAURANT, "Kellnern"),
        ("what does a waitress earn", RESTAURANT, "waitress"),
        ("busfahrer was verdient man", "fachkraft-im-fahrbetrieb", "busfahrer"),
        ("ich möchte busfahrerin werden", "fachkraft-im-fahrbetrieb", "busfahrerin"),
        ("how do i become a bus driver", "fachkraft-im-fahrbetrieb", "bus driver"),
        ("was macht ein schlosser", "industriemechaniker", "schlosser"),
        ("Lageristin mit Hauptschulabschluss?", "fachlagerist", "Lageristin"),
        ("mein onkel ist installateur", SHK, "installateur"),
        ("was lernt man als technische zeichnerin", "technischer-produktdesigner", "technische zeichnerin"),
        ("Zöllner werden", "zollinspektoranwaerter", "Zöllner"),
    ],
)
def test_an_everyday_name_is_its_first_choice_and_keeps_the_word(
    extractor: OccupationEntityExtractor, text: str, slug: str, word: str
) -> None:
    """`profession` is the first choice (the bot answers it), `profession_query` on the same span
    keeps the word for the other candidates."""
    found = [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in entities_of(extractor, text)]
    assert found == [("profession", slug, word), ("profession_query", word, word)]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("programmierer", "fachinformatiker"),
        ("ich will programmiererin werden", "fachinformatiker"),
        ("grafikerin was verdient man", "mediengestalter-digital-und-print"),
        ("kassiererin im supermarkt", "verkaeufer"),
        ("ich will OTA werden", "operationstechnischer-assistent"),
        ("ata ausbildung wo", "anaesthesietechnischer-assistent"),
        ("was macht eine BTA", "biologisch-technischer-assistent"),
        ("cta oder chemielaborant", "chemisch-technischer-assistent"),
        ("fußpflegerin", "podologe"),
        ("ich will masseur werden", "masseur-und-medizinischer-bademeister"),
    ],
)
def test_names_of_one_occupation(extractor: OccupationEntityExtractor, text: str, slug: str) -> None:
    assert [(e["entity"], e["value"]) for e in entities_of(extractor, text)][:1] == [("profession", slug)]


def test_a_generic_head_has_no_first_choice(extractor: OccupationEntityExtractor) -> None:
    assert [e["entity"] for e in entities_of(extractor, "zeichner")] == ["profession_query"]
    assert [e["entity"] for e in entities_of(extractor, "elektriker")] == ["profession_query"]


def test_entities_of_earlier_extractors_are_kept(extractor: OccupationEntityExtractor) -> None:
    earlier = {"entity": "municipality", "value": "bramsche", "start": 18, "end": 26}
    message = Message({TEXT: "Tischler/in gibts in Bramsche?", ENTITIES: [earlier]})
    extractor.process([message])
    assert [e["value"] for e in message.get(ENTITIES)] == ["bramsche", "tischler"]


def test_an_untrained_component_fails_loudly(create_component: ComponentFactory) -> None:
    untrained = create_component(OccupationEntityExtractor)
    assert isinstance(untrained, OccupationEntityExtractor)
    with pytest.raises(OccupationMatcherNotTrained):
        untrained.process([Message({TEXT: "Bäcker"})])
    with pytest.raises(OccupationMatcherNotTrained):
        create_component(OccupationEntityExtractor, load=True)


def test_fingerprint_follows_the_knowledge_base(tmp_path: Path) -> None:
    default = OccupationEntityExtractor.get_default_config()
    assert OccupationEntityExtractor.fingerprint_addon(default) == knowledge_hash()

    copy = copy_knowledge(tmp_path / "knowledge")
    config = {"knowledge_dir": str(copy)}
    before = calculate_fingerprint_key(OccupationEntityExtractor, config, {})
    assert OccupationEntityExtractor.fingerprint_addon(config) == knowledge_hash()
    add_synonym(copy, "kraftfahrzeugmechatroniker", "Autoschrauber")
    assert OccupationEntityExtractor.fingerprint_addon(config) != knowledge_hash()
    assert calculate_fingerprint_key(OccupationEntityExtractor, config, {}) != before


def test_trained_model_is_self_contained(tmp_path: Path) -> None:
    copy = copy_knowledge(tmp_path / "knowledge")
    add_synonym(copy, "kraftfahrzeugmechatroniker", "Autoschrauber")
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage.create(tmp_path / "model")
    train(storage, {"knowledge_dir": str(copy)})
    shutil.rmtree(copy)

    found = entities_of(load(storage), "ich will autoschrauber werden")
    assert [(e["entity"], e["value"], e["text"]) for e in found] == [
        ("profession", "kraftfahrzeugmechatroniker", "autoschrauber")
    ]


def copy_knowledge(target: Path) -> Path:
    shutil.copytree(KNOWLEDGE_DIR / "professions", target / "professions")
    shutil.copytree(KNOWLEDGE_DIR / "sources", target / "sources")
    for name in ("vocab.yaml", "topics.yaml", "explore.yaml"):
        shutil.copy(KNOWLEDGE_DIR / name, target / name)
    (target / "rules").mkdir()
    for rules in (KNOWLEDGE_DIR / "rules").glob("*.yaml"):  # part of the knowledge hash
        shutil.copy(rules, target / "rules" / rules.name)
    return target


def add_synonym(knowledge_dir: Path, slug: str, synonym: str) -> None:
    path = knowledge_dir / "professions" / f"{slug}.yaml"
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    profile["synonyms"] = [*profile["synonyms"], synonym]
    path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")
