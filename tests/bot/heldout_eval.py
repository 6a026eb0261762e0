"""Scoring a trained NLU model on the held-out messages (data/nlu_heldout.yml).

The held-out set is written apart from the training data in bot/data, so its scores say how the
assistant copes with messages it has never seen. Everything here works on plain data: the model is
only needed to turn texts into `Parse`s (`parse_all`), so the metric code has its own tests.

Metrics:
- intent precision, recall and F1 per intent and their macro average over `INTENTS`. A prediction
  outside `INTENTS` (`nlu_fallback`, another intent of the model) is a miss for the true intent and
  a false positive for no listed intent, as with sklearn's `f1_score(labels=INTENTS)`.
- occupation-entity recall, separately for `profession` and `profession_query`: the share of
  annotated mentions for which the parse has an entity of the same type whose span overlaps the
  mention and whose value is the same (compared case-insensitively: a `profession_query` value is
  the mention as typed, a `profession` value a lower-case slug).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

INTENTS: tuple[str, ...] = (
    "greet", "goodbye", "thank", "affirm", "deny", "help", "bot_challenge", "smalltalk", "insult",
    "ask_privacy", "delete_my_data", "switch_language", "ask_profession", "ask_tasks", "ask_workplaces",
    "ask_duration", "ask_pay", "ask_certificate", "ask_subjects", "ask_related",
)  # fmt: skip
PROFESSION = "profession"
PROFESSION_QUERY = "profession_query"
OCCUPATION_ENTITIES: tuple[str, ...] = (PROFESSION, PROFESSION_QUERY)
MODEL_ENV = "BERUFSLOTSE_MODEL"


@dataclass(frozen=True)
class Entity:
    """An entity with its character span [start, end) in the message."""

    entity: str
    value: str
    start: int
    end: int

    def overlaps(self, other: Entity) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Example:
    """One held-out message with its true intent and annotated entities."""

    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class Parse:
    """What the model made of one message."""

    intent: str | None
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class IntentScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EntityRecall:
    entity: str
    found: int
    total: int
    missed: tuple[dict[str, Any], ...]

    @property
    def recall(self) -> float | None:
        """None when nothing of this type is annotated (recall is undefined then)."""
        return self.found / self.total if self.total else None


# ------------------------------------------------------------------------------------------------
# Reading the held-out file and the model's answers
# ------------------------------------------------------------------------------------------------


def _entity_from_dict(data: Mapping[str, Any]) -> Entity:
    return Entity(str(data["entity"]), str(data["value"]), int(data["start"]), int(data["end"]))


def load_examples(path: Path) -> list[Example]:
    """Read a Rasa 3 NLU YAML file with Rasa's own reader (which also validates the format)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    training_data = RasaYAMLReader().read(path)
    return [
        Example(
            text=message.get("text"),
            intent=message.get("intent"),
            entities=tuple(_entity_from_dict(entity) for entity in message.get("entities") or []),
        )
        for message in training_data.intent_examples
    ]


def load_training_texts(data_dir: Path) -> list[str]:
    """Every NLU example text in the YAML files under a Rasa data directory (stories, rules skipped)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    files = sorted(data_dir.rglob("*.y*ml")) if data_dir.is_dir() else []
    return [
        message.get("text")
        for path in files
        if RasaYAMLReader.is_yaml_nlu_file(path)
        for message in RasaYAMLReader().read(path).training_examples
        if message.get("text")
    ]


def parse_from_rasa(result: Mapping[str, Any]) -> Parse:
    """Turn the dict of `Agent.parse_message` into a `Parse`."""
    intent = (result.get("intent") or {}).get("name")
    entities = tuple(
        _entity_from_dict(entity)
        for entity in result.get("entities") or []
        if {"entity", "value", "start", "end"} <= entity.keys()
    )
    return Parse(intent=intent, entities=entities)


async def parse_all(agent: Any, texts: Iterable[str]) -> list[Parse]:
    """Parse each text with a loaded `rasa.core.agent.Agent` (no server involved)."""
    return [parse_from_rasa(await agent.parse_message(text)) for text in texts]


def find_model(models_dir: Path, env: Mapping[str, str]) -> Path | None:
    """The model to evaluate: `$BERUFSLOTSE_MODEL` if set, else the newest models/berufslotse-*.tar.gz."""
    configured = env.get(MODEL_ENV, "").strip()
    if configured:
        return Path(configured)
    candidates = sorted(
        models_dir.glob("berufslotse-*.tar.gz"), key=lambda path: (path.stat().st_mtime, path.name)
    )
    return candidates[-1] if candidates else None


def require_model(models_dir: Path, env: Mapping[str, str]) -> Path:
    """`find_model`, or the test fails with how to get a model."""
    import pytest

    model = find_model(models_dir, env)
    if model is None:
        pytest.fail(
            f"no trained model: none in {models_dir}/berufslotse-*.tar.gz and {MODEL_ENV} is not set. "
            "Train one with `make model` (python -m scripts.train) or point BERUFSLOTSE_MODEL at one."
        )
    if not model.is_file():
        pytest.fail(f"{MODEL_ENV}={model} is not a file")
    return model


# ------------------------------------------------------------------------------------------------
# Metrics
# ------------------------------------------------------------------------------------------------


def intent_scores(
    gold: Sequence[str], predicted: Sequence[str | None], labels: Sequence[str] = INTENTS
) -> dict[str, IntentScore]:
    """Precision, recall and F1 per label; 0.0 where the ratio is undefined (as sklearn does)."""
    true_positives: Counter[str | None] = Counter()
    false_positives: Counter[str | None] = Counter()
    false_negatives: Counter[str | None] = Counter()
    for truth, guess in zip(gold, predicted, strict=True):
        if truth == guess:
            true_positives[truth] += 1
        else:
            false_negatives[truth] += 1
            false_positives[guess] += 1
    scores = {}
    for label in labels:
        tp, fp, fn = true_positives[label], false_positives[label], false_negatives[label]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = IntentScore(precision, recall, f1, tp + fn)
    return scores


def macro_f1(scores: Mapping[str, IntentScore]) -> float:
    return sum(score.f1 for score in scores.values()) / len(scores) if scores else 0.0


def confusion_pairs(examples: Sequence[Example], parses: Sequence[Parse]) -> list[dict[str, Any]]:
    """Every (true intent, predicted intent) pair that was confused, most frequent first."""
    messages: defaultdict[tuple[str, str | None], list[str]] = defaultdict(list)
    for example, parse in zip(examples, parses, strict=True):
        if example.intent != parse.intent:
            messages[(example.intent, parse.intent)].append(example.text)
    ordered = sorted(messages.items(), key=lambda item: (-len(item[1]), item[0][0], str(item[0][1])))
    return [
        {"intent": truth, "predicted": guess, "count": len(texts), "messages": texts}
        for (truth, guess), texts in ordered
    ]


def _same_value(predicted: str, annotated: str) -> bool:
    return predicted.strip().casefold() == annotated.strip().casefold()


def _describe(entities: Iterable[Entity], text: str) -> list[dict[str, Any]]:
    return [
        {"entity": entity.entity, "value": entity.value, "mention": text[entity.start : entity.end]}
        for entity in entities
        if entity.entity in OCCUPATION_ENTITIES
    ]


def entity_recall(examples: Sequence[Example], parses: Sequence[Parse], entity_type: str) -> EntityRecall:
    """Share of annotated `entity_type` mentions the parse found with the same value (overlapping span)."""
    found = total = 0
    missed = []
    for example, parse in zip(examples, parses, strict=True):
        for gold in example.entities:
            if gold.entity != entity_type:
                continue
            total += 1
            if any(
                guess.entity == entity_type and guess.overlaps(gold) and _same_value(guess.value, gold.value)
                for guess in parse.entities
            ):
                found += 1
                continue
            missed.append(
                {
                    "text": example.text,
                    "mention": example.text[gold.start : gold.end],
                    "expected": gold.value,
                    "predicted": _describe(parse.entities, example.text),
                }
            )
    return EntityRecall(entity_type, found, total, tuple(missed))


def unexpected_entities(examples: Sequence[Example], parses: Sequence[Parse]) -> list[dict[str, Any]]:
    """Occupation entities the model found where nothing is annotated (false alarms)."""
    result = []
    for example, parse in zip(examples, parses, strict=True):
        annotated = [gold for gold in example.entities if gold.entity in OCCUPATION_ENTITIES]
        extra = [
            guess
            for guess in parse.entities
            if guess.entity in OCCUPATION_ENTITIES and not any(guess.overlaps(gold) for gold in annotated)
        ]
        if extra:
            result.append({"text": example.text, "predicted": _describe(extra, example.text)})
    return result


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_APOSTROPHES = frozenset("'’‘`´")


def normalize_text(text: str) -> str:
    """The form in which two messages count as the same message.

    Case-folded, umlauts folded ("ä" -> "ae", "ß" -> "ss"), other accents dropped, apostrophes
    dropped ("what's" = "whats"), every other character that is no letter or digit (punctuation,
    emoji, symbols) read as a space, and runs of spaces collapsed: "Was verdient'n Bäcker?? 💸" and
    "was verdientn baecker" are the same message.
    """
    folded = unicodedata.normalize("NFC", text).casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    characters = []
    for character in decomposed:
        category = unicodedata.category(character)
        if character in _APOSTROPHES or category == "Mn":
            continue
        characters.append(character if category[0] in "LN" else " ")
    return " ".join("".join(characters).split())


def training_overlap(examples: Sequence[Example], training_texts: Iterable[str]) -> list[str]:
    """Held-out messages that also occur in the training data (compared by `normalize_text`)."""
    seen = {normalize_text(text) for text in training_texts}
    return [example.text for example in examples if normalize_text(example.text) in seen]


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def _recall_report(result: EntityRecall) -> dict[str, Any]:
    return {
        "recall": result.recall,
        "found": result.found,
        "total": result.total,
        "missed": list(result.missed),
    }


def build_report(
    examples: Sequence[Example],
    parses: Sequence[Parse],
    *,
    model: str = "",
    labels: Sequence[str] = INTENTS,
    training_texts: Iterable[str] = (),
) -> dict[str, Any]:
    """Everything worth looking at after an evaluation, as JSON-serialisable data."""
    scores = intent_scores([e.intent for e in examples], [p.intent for p in parses], labels)
    correct = sum(example.intent == parse.intent for example, parse in zip(examples, parses, strict=True))
    overlap = training_overlap(examples, training_texts)
    # Scores on the messages the model cannot have memorised (informational; short messages such as
    # "ja" or "danke" are bound to occur in the training data too).
    in_training = {normalize_text(text) for text in overlap}
    unseen = [i for i, example in enumerate(examples) if normalize_text(example.text) not in in_training]
    unseen_examples, unseen_parses = [examples[i] for i in unseen], [parses[i] for i in unseen]
    unseen_scores = intent_scores(
        [e.intent for e in unseen_examples], [p.intent for p in unseen_parses], labels
    )
    return {
        "model": model,
        "messages": len(examples),
        "intent": {
            "macro_f1": macro_f1(scores),
            "accuracy": correct / len(examples) if examples else 0.0,
            "per_intent": {label: asdict(score) for label, score in scores.items()},
            "confusions": confusion_pairs(examples, parses),
        },
        "entities": {
            entity_type: _recall_report(entity_recall(examples, parses, entity_type))
            for entity_type in OCCUPATION_ENTITIES
        },
        "unexpected_entities": unexpected_entities(examples, parses),
        "also_in_training_data": {"count": len(overlap), "messages": overlap},
        "unseen_only": {
            "messages": len(unseen_examples),
            "intent_macro_f1": macro_f1(unseen_scores),
            "profession_recall": entity_recall(unseen_examples, unseen_parses, PROFESSION).recall,
        },
    }


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def summary(report: Mapping[str, Any], worst: int = 5) -> str:
    """A few lines for the terminal; the full detail is in the JSON report."""
    intent = report["intent"]
    entities = report["entities"]
    weakest = sorted(intent["per_intent"].items(), key=lambda item: item[1]["f1"])[:worst]
    lines = [
        f"held-out NLU ({report['messages']} messages, model {report['model'] or '?'})",
        f"  intent macro-F1 {intent['macro_f1']:.3f}, accuracy {_percent(intent['accuracy'])}",
        "  weakest intents: " + ", ".join(f"{name} {score['f1']:.2f}" for name, score in weakest),
    ]
    lines += [
        f"  {name} recall {_percent(result['recall'])} ({result['found']}/{result['total']})"
        for name, result in entities.items()
    ]
    if intent["confusions"]:
        lines.append(
            "  top confusions: "
            + ", ".join(
                f"{c['intent']}->{c['predicted']} x{c['count']}" for c in intent["confusions"][:worst]
            )
        )
    unseen = report["unseen_only"]
    lines.append(
        f"  {len(report['unexpected_entities'])} messages with unexpected occupation entities; "
        f"{report['also_in_training_data']['count']} messages also in the training data, on the other "
        f"{unseen['messages']}: macro-F1 {unseen['intent_macro_f1']:.3f}, "
        f"profession recall {_percent(unseen['profession_recall'])}"
    )
    return "\n".join(lines)
