"""How well `OccupationMatcher.find_mentions` finds the occupations annotated in the NLU data.

Every example of the training data (bot/data/nlu/*.yml) and of the held-out set
(tests/bot/data/nlu_heldout.yml) is scanned as plain text and compared with its annotations:

- `profession`: a mention is right when its slug equals the annotated value and its span overlaps
  the annotated one;
- `profession_query`: a mention without slug (a choice, e.g. "Mechaniker") is right when its text
  equals the annotated value (the mention as typed), compared case-insensitively.

Unannotated examples count too: anything found there is a false hit. The misses and false hits are
printed (`pytest -s`), so a failure says which messages to look at. Rasa is not imported: the files
are read with PyYAML and a small regex for the annotation syntax, so this runs in both runtimes
(tests.bot.heldout_eval, whose `Entity` it shares, imports Rasa only inside its loaders).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.matching import OccupationMatcher
from tests.bot.heldout_eval import OCCUPATION_ENTITIES as ENTITIES
from tests.bot.heldout_eval import PROFESSION, PROFESSION_QUERY, Entity

ROOT = Path(__file__).resolve().parents[2]
CORPORA: dict[str, tuple[Path, ...]] = {
    "training": tuple(sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml"))),
    "heldout": (ROOT / "tests" / "bot" / "data" / "nlu_heldout.yml",),
}
MIN_PRECISION = 0.97
MIN_RECALL = 0.95

# Rasa's annotation syntax: [text]{"entity": "e", "value": "v"} or [text](e) / [text](e:v).
_ANNOTATION_RE = re.compile(r"\[(?P<text>[^\]]+)\](?:\{(?P<json>[^}]*)\}|\((?P<short>[^)]+)\))")


@dataclass(frozen=True)
class Example:
    text: str
    entities: tuple[Entity, ...]
    source: str  # file name and intent, for the report


def parse_annotated(line: str) -> tuple[str, tuple[Entity, ...]]:
    """The plain text of an annotated example and its entities (a missing value is the text)."""
    plain: list[str] = []
    entities: list[Entity] = []
    length = 0
    position = 0
    for match in _ANNOTATION_RE.finditer(line):
        before = line[position : match.start()]
        plain.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("json") is not None:
            attributes: dict[str, Any] = json.loads("{" + match.group("json") + "}")
            entity, value = str(attributes["entity"]), str(attributes.get("value", text))
        else:
            entity, _, value = match.group("short").partition(":")
            value = value or text
        entities.append(Entity(entity.strip(), value, length, length + len(text)))
        plain.append(text)
        length += len(text)
        position = match.end()
    plain.append(line[position:])
    return "".join(plain), tuple(entities)


def _example_lines(examples: Any) -> Iterable[str]:
    if isinstance(examples, str):
        for line in examples.splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                yield stripped[2:].strip()
    elif isinstance(examples, list):  # the long form: - text: ... (with metadata)
        for item in examples:
            if isinstance(item, dict) and "text" in item:
                yield str(item["text"]).strip()


def load_examples(paths: Iterable[Path]) -> list[Example]:
    """Every intent example in Rasa NLU YAML files (regexes, lookups and synonyms are skipped)."""
    examples: list[Example] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            for line in _example_lines(block.get("examples")):
                text, entities = parse_annotated(line)
                examples.append(Example(text, entities, f"{path.name}:{block['intent']}"))
    return examples


def predicted_entities(matcher: OccupationMatcher, text: str) -> list[Entity]:
    """The entities nlu.occupation_extractor makes of the mentions in `text`."""
    return [
        Entity(PROFESSION, mention.slug, mention.start, mention.end)
        if mention.slug is not None
        else Entity(PROFESSION_QUERY, mention.text, mention.start, mention.end)
        for mention in matcher.find_mentions(text)
    ]


def _same(gold: Entity, found: Entity) -> bool:
    if gold.entity != found.entity or not gold.overlaps(found):
        return False
    return gold.value.casefold() == found.value.casefold()


@dataclass
class Score:
    entity: str
    gold: int = 0
    predicted: int = 0
    gold_found: int = 0
    predicted_right: int = 0
    misses: list[str] = field(default_factory=list)
    false_hits: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.predicted_right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 1.0

    def line(self, corpus: str) -> str:
        return (
            f"{corpus:8} {self.entity:16} precision {self.precision:.3f} ({self.predicted_right}/"
            f"{self.predicted})  recall {self.recall:.3f} ({self.gold_found}/{self.gold})"
        )


def _shown(example: Example, entity: Entity) -> str:
    return f"{example.text[entity.start : entity.end]!r}->{entity.value}"


def evaluate(
    examples: Sequence[Example],
    predict: Callable[[str], Iterable[Entity]],
    entities: Sequence[str] = ENTITIES,
) -> dict[str, Score]:
    """Precision and recall per entity type; `predict(text)` returns the entities found in a text."""
    scores = {entity: Score(entity) for entity in entities}
    for example in examples:
        found = [entity for entity in predict(example.text) if entity.entity in scores]
        gold = [entity for entity in example.entities if entity.entity in scores]
        for annotation in gold:
            score = scores[annotation.entity]
            score.gold += 1
            if any(_same(annotation, hit) for hit in found):
                score.gold_found += 1
            else:
                got = [_shown(example, hit) for hit in found if hit.overlaps(annotation)] or "nothing"
                score.misses.append(
                    f"{example.text!r}: {_shown(example, annotation)}, got {got}  [{example.source}]"
                )
        for hit in found:
            score = scores[hit.entity]
            score.predicted += 1
            if any(_same(annotation, hit) for annotation in gold):
                score.predicted_right += 1
            else:
                score.false_hits.append(f"{example.text!r}: {_shown(example, hit)}  [{example.source}]")
    return scores


# ------------------------------------------------------------------------------------------------
# The reader and the scoring themselves
# ------------------------------------------------------------------------------------------------


def test_annotations_are_parsed_with_offsets_into_the_plain_text() -> None:
    line = 'ich will [Köchin]{"entity": "profession", "value": "koch"} oder [Mechaniker](profession_query) ?'
    text, entities = parse_annotated(line)
    assert text == "ich will Köchin oder Mechaniker ?"
    assert entities == (
        Entity(PROFESSION, "koch", 9, 15),
        Entity(PROFESSION_QUERY, "Mechaniker", 21, 31),
    )
    only_type = '[x]{"entity": "profession_query"}'
    assert parse_annotated(only_type) == ("x", (Entity(PROFESSION_QUERY, "x", 0, 1),))
    assert parse_annotated("nothing here") == ("nothing here", ())


def test_scoring_counts_misses_wrong_slugs_and_false_hits() -> None:
    examples = [
        Example("a koch", (Entity(PROFESSION, "koch", 2, 6),), "t"),
        Example("a baecker", (Entity(PROFESSION, "baecker", 2, 9),), "t"),
        Example("a tischler", (Entity(PROFESSION, "tischler", 2, 10),), "t"),
        Example("plain", (), "t"),
    ]
    predictions = {
        "a koch": [Entity(PROFESSION, "koch", 2, 6)],  # right
        "a baecker": [Entity(PROFESSION, "konditor", 2, 9)],  # wrong slug: a miss and a false hit
        "a tischler": [],  # a miss
        "plain": [Entity(PROFESSION_QUERY, "plain", 0, 5)],  # a false hit in an unannotated example
    }
    scores = evaluate(examples, lambda text: predictions[text])
    profession, query = scores[PROFESSION], scores[PROFESSION_QUERY]
    assert (profession.gold, profession.gold_found) == (3, 1)
    assert (profession.predicted, profession.predicted_right) == (2, 1)
    assert (profession.recall, profession.precision) == (1 / 3, 0.5)
    assert (query.gold, query.predicted, query.precision, query.recall) == (0, 1, 0.0, 1.0)
    assert len(profession.misses) == 2 and len(query.false_hits) == 1


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[Example]]:
    return {name: load_examples(paths) for name, paths in CORPORA.items()}


def test_the_corpora_are_read_completely(corpora: dict[str, list[Example]]) -> None:
    for name, examples in corpora.items():
        annotated = [entity for example in examples for entity in example.entities]
        assert len(examples) >= 300, name
        assert sum(entity.entity == PROFESSION for entity in annotated) >= 150, name
        assert sum(entity.entity == PROFESSION_QUERY for entity in annotated) >= 5, name
        assert all("]{" not in example.text and "[" not in example.text for example in examples), name


# ------------------------------------------------------------------------------------------------
# The matcher on the corpora
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_mentions_in_the_nlu_data_are_found_precisely_and_completely(
    real_matcher: OccupationMatcher, corpora: dict[str, list[Example]], corpus: str
) -> None:
    scores = evaluate(corpora[corpus], lambda text: predicted_entities(real_matcher, text))
    for score in scores.values():
        print(score.line(corpus))
        for miss in score.misses:
            print("  miss      ", miss)
        for false_hit in score.false_hits:
            print("  false hit ", false_hit)
    failing = {
        entity: (round(score.precision, 3), round(score.recall, 3))
        for entity, score in scores.items()
        if score.precision < MIN_PRECISION or score.recall < MIN_RECALL
    }
    assert not failing, f"{corpus}: (precision, recall) below ({MIN_PRECISION}, {MIN_RECALL}): {failing}"
