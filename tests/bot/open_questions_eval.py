"""Scoring a trained model on the held-out open questions (data/open_questions_heldout.yml).

The open questions are what pupils bring to a career adviser (issue 10): which occupations fit what
they like, have and want; follow-ups that refine a list; two occupations compared; the rules of
training (a retrieval intent answered by Rasa's ResponseSelector); a person to talk to; everyday and old
names of occupations. Each question names the kinds of answer that are right (`expect.intent`, any
one of them) and the entities the answer needs (`expect.entities`).

Everything here works on plain data (standard library and PyYAML); the model is only needed to turn
texts into `Answer`s (`answer_all`), so the scoring has its own tests.

Metrics:
- right kind: the share of questions whose predicted intent is accepted (for the retrieval intent
  `rules`, the ResponseSelector's `rules/<key>`) and whose every required entity value is present.
- confident wrong: the share of questions whose predicted intent is not accepted although it was not
  a fallback (`nlu_fallback`) and its confidence reached the FallbackClassifier threshold: the
  assistant would answer something else with conviction.
- both per kind of question and per language.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from heldout_eval import normalize_text

from knowledge.rules.catalogue import RULE_KEYS
from knowledge.schema import TOPIC_KEYS

# The fixed names of issue 10 live in the knowledge base (topics: knowledge/schema.py; rules of
# training: knowledge/rules/catalogue.py); both modules need nothing but the standard library.
RETRIEVAL_INTENT = "rules"
NEW_INTENTS: tuple[str, ...] = (
    "explore_professions", "more_results", "more", "compare_professions", "handoff",
)  # fmt: skip
EXPLORE_INTENT = "explore_professions"
FALLBACK_INTENT = "nlu_fallback"
DURATIONS: tuple[str, ...] = ("24", "36", "42")
PAY_ORDERS: tuple[str, ...] = ("high",)
ENTITY_NAMES: tuple[str, ...] = (
    "topic", "certificate", "duration", "pay_order", "training_type", "place", "profession",
)  # fmt: skip
KINDS: tuple[str, ...] = (
    "topic", "certificate", "duration", "pay", "training_type", "place", "follow_up", "more", "compare",
    "handoff", "everyday_name", "missing_training", "named_occupation", "rules",
)  # fmt: skip
LANGUAGES: tuple[str, ...] = ("de", "en", "mixed")
ALL_OF = "all_of"


class QuestionFileError(ValueError):
    """The questions file does not have the documented format."""


@dataclass(frozen=True)
class Question:
    """One open question and the answers that count as the right kind.

    `entities` maps an entity name to its requirements: every requirement (a tuple of accepted
    values, any one of them) must be met by a different entity of that name in the answer.
    """

    text: str
    kind: str
    lang: str
    intents: tuple[str, ...]
    entities: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the model made of one question.

    `intent` is the answer's label: the classifier's intent, or for the retrieval intent the
    ResponseSelector's `rules/<key>`. `confidence` is the intent classifier's confidence.
    """

    intent: str | None
    confidence: float = 0.0
    entities: tuple[tuple[str, str], ...] = ()
    response_confidence: float | None = None


@dataclass(frozen=True)
class Verdict:
    intent_ok: bool
    entities_ok: bool
    confident_wrong: bool
    fallback: bool

    @property
    def right_kind(self) -> bool:
        return self.intent_ok and self.entities_ok


# ------------------------------------------------------------------------------------------------
# Reading the questions, the config and the model's answers
# ------------------------------------------------------------------------------------------------


def _as_values(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, dict | list) or v is None or str(v).strip() == "" for v in values):
        raise ValueError(f"not a value or a list of values: {value!r}")
    return tuple(str(v) for v in values)


def _requirements(value: Any) -> tuple[tuple[str, ...], ...]:
    if isinstance(value, dict):
        if set(value) != {ALL_OF} or not isinstance(value[ALL_OF], list) or len(value[ALL_OF]) < 2:
            raise ValueError(f"a mapping must be {{{ALL_OF}: [two or more values]}}: {value!r}")
        return tuple(_as_values(item) for item in value[ALL_OF])
    return (_as_values(value),)


def _question(data: Any) -> Question:
    if not isinstance(data, dict) or not {"text", "kind", "expect"} <= data.keys():
        raise ValueError("needs text, kind and expect")
    unknown = set(data) - {"text", "kind", "lang", "expect"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    expect = data["expect"]
    if not isinstance(expect, dict) or "intent" not in expect or set(expect) - {"intent", "entities"}:
        raise ValueError("expect needs intent (and may have entities), nothing else")
    intents = _as_values(expect["intent"])
    entities = expect.get("entities") or {}
    if not isinstance(entities, dict):
        raise ValueError("expect.entities must be a mapping")
    text = data["text"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    return Question(
        text=text,
        kind=str(data["kind"]),
        lang=str(data.get("lang", "de")),
        intents=intents,
        entities=tuple((str(name), _requirements(value)) for name, value in entities.items()),
    )


def load_questions(path: Path) -> list[Question]:
    """Read the questions file; raises QuestionFileError naming every malformed question."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise QuestionFileError(f"{path}: expected a mapping with a list 'questions'")
    questions, problems = [], []
    for number, item in enumerate(data["questions"], start=1):
        try:
            questions.append(_question(item))
        except ValueError as error:
            problems.append(f"question {number} ({item!r:.80}): {error}")
    if problems:
        raise QuestionFileError(f"{path}:\n" + "\n".join(problems))
    return questions


def fallback_threshold(config_path: Path) -> float:
    """The FallbackClassifier's threshold in a Rasa config (below it, the intent is nlu_fallback)."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    for component in config.get("pipeline") or []:
        if str(component.get("name", "")).split(".")[-1] == "FallbackClassifier":
            return float(component.get("threshold", 0.3))  # Rasa's default threshold
    raise ValueError(f"{config_path}: no FallbackClassifier in the pipeline")


def _selected_response_key(result: Mapping[str, Any], retrieval_intent: str) -> str | None:
    selectors = result.get("response_selector") or {}
    for key in (retrieval_intent, "default"):
        response = (selectors.get(key) or {}).get("response") or {}
        if response.get("intent_response_key"):
            return str(response["intent_response_key"])
    return None


def _selected_confidence(result: Mapping[str, Any], retrieval_intent: str) -> float | None:
    selectors = result.get("response_selector") or {}
    for key in (retrieval_intent, "default"):
        response = (selectors.get(key) or {}).get("response") or {}
        if response.get("intent_response_key"):
            return float(response.get("confidence") or 0.0)
    return None


def answer_from_rasa(result: Mapping[str, Any], retrieval_intent: str = RETRIEVAL_INTENT) -> Answer:
    """Turn the dict of `Agent.parse_message` (Rasa 3.6) into an `Answer`.

    For the retrieval intent the label is the ResponseSelector's `intent_response_key`
    (`response_selector.<retrieval intent>.response`, or the `default` selector when the selector is
    trained on every retrieval intent); without a selection it stays the bare retrieval intent.
    """
    intent = result.get("intent") or {}
    name = intent.get("name")
    confidence = float(intent.get("confidence") or 0.0)
    response_confidence = None
    if name == retrieval_intent:
        name = _selected_response_key(result, retrieval_intent) or name
        response_confidence = _selected_confidence(result, retrieval_intent)
    entities = tuple(
        (str(entity["entity"]), str(entity["value"]))
        for entity in result.get("entities") or []
        if "entity" in entity and entity.get("value") is not None
    )
    return Answer(name, confidence, entities, response_confidence)


async def answer_all(agent: Any, texts: Iterable[str]) -> list[Answer]:
    """Parse each text with a loaded `rasa.core.agent.Agent` (no server involved)."""
    return [answer_from_rasa(await agent.parse_message(text)) for text in texts]


# ------------------------------------------------------------------------------------------------
# Judging
# ------------------------------------------------------------------------------------------------


def same_value(entity: str, predicted: str, accepted: str) -> bool:
    """Values compared as normalised text; a place also matches by its first words
    ("dissen" = "Dissen am Teutoburger Wald", "bad-iburg" = "bad iburg")."""
    left, right = normalize_text(predicted), normalize_text(accepted)
    if left == right:
        return True
    if entity == "place" and left and right:
        shorter, longer = sorted((left, right), key=len)
        return longer.startswith(shorter + " ")
    return False


def requirements_met(entity: str, requirements: Sequence[Sequence[str]], values: Sequence[str]) -> bool:
    """Whether each requirement is met by a different predicted value (a small matching search)."""

    def search(index: int, used: frozenset[int]) -> bool:
        if index == len(requirements):
            return True
        return any(
            position not in used
            and any(same_value(entity, value, accepted) for accepted in requirements[index])
            and search(index + 1, used | {position})
            for position, value in enumerate(values)
        )

    return search(0, frozenset())


def judge(question: Question, answer: Answer, threshold: float) -> Verdict:
    intent_ok = answer.intent in question.intents
    entities_ok = all(
        requirements_met(name, requirements, [value for entity, value in answer.entities if entity == name])
        for name, requirements in question.entities
    )
    fallback = answer.intent in (None, FALLBACK_INTENT)
    confident_wrong = not intent_ok and not fallback and answer.confidence >= threshold
    return Verdict(intent_ok, entities_ok, confident_wrong, fallback)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _group_scores(verdicts: Sequence[tuple[Question, Verdict]], key: str) -> dict[str, dict[str, Any]]:
    groups: defaultdict[str, list[Verdict]] = defaultdict(list)
    for question, verdict in verdicts:
        groups[getattr(question, key)].append(verdict)
    return {
        name: {
            "questions": len(items),
            "right_kind": _share(sum(v.right_kind for v in items), len(items)),
            "intent_right": _share(sum(v.intent_ok for v in items), len(items)),
            "confident_wrong": _share(sum(v.confident_wrong for v in items), len(items)),
            "fallback": _share(sum(v.fallback for v in items), len(items)),
        }
        for name, items in sorted(groups.items())
    }


def _describe_expectation(question: Question) -> dict[str, Any]:
    return {
        "intent": list(question.intents),
        "entities": {name: [list(r) for r in requirements] for name, requirements in question.entities},
    }


def build_report(
    questions: Sequence[Question], answers: Sequence[Answer], *, threshold: float, model: str = ""
) -> dict[str, Any]:
    """Everything worth looking at after an evaluation, as JSON-serialisable data."""
    verdicts = [
        (question, judge(question, answer, threshold))
        for question, answer in zip(questions, answers, strict=True)
    ]
    total = len(verdicts)
    misses = []
    confusions: Counter[tuple[str, str]] = Counter()
    for (question, verdict), answer in zip(verdicts, answers, strict=True):
        if verdict.right_kind:
            continue
        if not verdict.intent_ok:
            confusions[(question.intents[0], str(answer.intent))] += 1
        misses.append(
            {
                "text": question.text,
                "kind": question.kind,
                "lang": question.lang,
                "expected": _describe_expectation(question),
                "predicted": {
                    "intent": answer.intent,
                    "confidence": round(answer.confidence, 4),
                    "response_confidence": answer.response_confidence,
                    "entities": [list(entity) for entity in answer.entities],
                },
                "why": "wrong intent" if not verdict.intent_ok else "missing entity",
                "confident_wrong": verdict.confident_wrong,
            }
        )
    return {
        "model": model,
        "questions": total,
        "fallback_threshold": threshold,
        "right_kind": _share(sum(v.right_kind for _, v in verdicts), total),
        "intent_right": _share(sum(v.intent_ok for _, v in verdicts), total),
        "confident_wrong": _share(sum(v.confident_wrong for _, v in verdicts), total),
        "fallback": _share(sum(v.fallback for _, v in verdicts), total),
        "per_kind": _group_scores(verdicts, "kind"),
        "per_language": _group_scores(verdicts, "lang"),
        "confusions": [
            {"expected": expected, "predicted": predicted, "count": count}
            for (expected, predicted), count in sorted(
                confusions.items(), key=lambda item: (-item[1], item[0])
            )
        ],
        "misses": misses,
    }


def _percent(value: float) -> str:
    return f"{value:.1%}"


def summary(report: Mapping[str, Any], worst: int = 5) -> str:
    """A few lines for the terminal; the full detail is in the JSON report."""
    lines = [
        f"open questions ({report['questions']} questions, model {report['model'] or '?'})",
        f"  right kind of answer {_percent(report['right_kind'])} (intent right "
        f"{_percent(report['intent_right'])}), confident wrong intent {_percent(report['confident_wrong'])} "
        f"(confidence >= {report['fallback_threshold']}), fallback {_percent(report['fallback'])}",
        "  per kind: "
        + ", ".join(
            f"{kind} {_percent(scores['right_kind'])} (n={scores['questions']})"
            for kind, scores in report["per_kind"].items()
        ),
        "  per language: "
        + ", ".join(
            f"{lang} {_percent(scores['right_kind'])} (n={scores['questions']})"
            for lang, scores in report["per_language"].items()
        ),
    ]
    if report["confusions"]:
        lines.append(
            "  top confusions: "
            + ", ".join(
                f"{c['expected']}->{c['predicted']} x{c['count']}" for c in report["confusions"][:worst]
            )
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Checking the file's labels
# ------------------------------------------------------------------------------------------------


def domain_intents(domain_dir: Path) -> set[str]:
    """The intents declared in a Rasa domain directory (or file)."""
    files = sorted(domain_dir.rglob("*.y*ml")) if domain_dir.is_dir() else [domain_dir]
    intents: set[str] = set()
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            intents.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return intents


def municipality_names(csv_path: Path) -> list[str]:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class Vocabulary:
    """What a label may name."""

    intents: frozenset[str]
    slugs: frozenset[str]
    certificates: frozenset[str]
    training_types: frozenset[str]
    municipalities: tuple[str, ...]

    def allowed_intents(self) -> frozenset[str]:
        rules = {f"{RETRIEVAL_INTENT}/{key}" for key in RULE_KEYS}
        return self.intents | set(NEW_INTENTS) | rules

    def value_problem(self, entity: str, value: str) -> str | None:
        allowed: Mapping[str, Iterable[str]] = {
            "topic": TOPIC_KEYS,
            "certificate": self.certificates,
            "duration": DURATIONS,
            "pay_order": PAY_ORDERS,
            "training_type": self.training_types,
            "profession": self.slugs,
        }
        if entity == "place":
            if any(same_value("place", value, name) for name in self.municipalities):
                return None
            return f"place {value!r} is no municipality of the district"
        if entity not in allowed:
            return f"unknown entity {entity!r}"
        return None if value in allowed[entity] else f"{entity} {value!r} is not a known name"


def label_problems(questions: Sequence[Question], vocabulary: Vocabulary) -> list[str]:
    """Every label that names something unknown, and every unknown kind or language."""
    allowed_intents = vocabulary.allowed_intents()
    problems = []
    for question in questions:
        where = repr(question.text)
        if question.kind not in KINDS:
            problems.append(f"{where}: unknown kind {question.kind!r}")
        if question.lang not in LANGUAGES:
            problems.append(f"{where}: unknown lang {question.lang!r}")
        problems += [
            f"{where}: unknown intent {intent!r}"
            for intent in question.intents
            if intent not in allowed_intents
        ]
        for entity, requirements in question.entities:
            for values in requirements:
                for value in values:
                    problem = vocabulary.value_problem(entity, value)
                    if problem:
                        problems.append(f"{where}: {problem}")
    return problems


def duplicate_texts(questions: Sequence[Question]) -> list[str]:
    counts = Counter(normalize_text(question.text) for question in questions)
    return sorted(text for text, count in counts.items() if count > 1)


def training_overlap(questions: Sequence[Question], training_texts: Iterable[str]) -> list[str]:
    """Questions that also occur in the training data (compared by `normalize_text`)."""
    seen = {normalize_text(text) for text in training_texts}
    return [question.text for question in questions if normalize_text(question.text) in seen]
