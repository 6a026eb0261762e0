"""The persona suite of the career-choice check is well formed: both files answer exactly the
item bank, name only existing occupations within the pupil's reach, and use valid codes.

This checks the test data only; how the matching fares on the personas is measured elsewhere.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.check.bank import SCALE_VALUES, load_items
from knowledge.loader import load_municipalities, load_professions, load_vocab

HERE = Path(__file__).resolve().parent
MAIN_FILE = HERE / "personas.yaml"
HOLDOUT_FILE = HERE / "personas_holdout.yaml"
MIN_PERSONAS = {MAIN_FILE.name: 12, HOLDOUT_FILE.name: 8}
FIELDS = {"id", "description", "certificate", "municipality", "answers", "expected"}
EXPECTED_COUNT = range(4, 9)


@dataclass(frozen=True)
class Knowledge:
    """What a persona may refer to."""

    item_ids: frozenset[str]
    quick_ids: frozenset[str]
    required_rank: Mapping[str, int]  # profile slug -> rank of the certificate it requires
    certificate_rank: Mapping[str, int]  # certificate code -> rank
    municipalities: frozenset[str]


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    bank = load_items()
    vocab = load_vocab()
    ranks = {term.code: term.rank for term in vocab.certificates if term.rank is not None}
    return Knowledge(
        item_ids=frozenset(item.id for item in bank.items),
        quick_ids=frozenset(item.id for item in bank.items if item.quick),
        required_rank={p.slug: ranks[p.certificate_required] for p in load_professions(vocab=vocab)},
        certificate_rank=ranks,
        municipalities=frozenset(m.slug for m in load_municipalities()),
    )


def read_personas(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{path.name}: must be a list of personas"
    return data


def persona_problems(persona: Any, known: Knowledge) -> list[str]:
    """Everything wrong with one persona, as readable sentences (empty when it is fine)."""
    if not isinstance(persona, dict):
        return [f"{persona!r}: a persona must be a mapping"]
    name = persona.get("id", "?")
    problems: list[str] = []
    if set(persona) != FIELDS:
        problems.append(f"{name}: fields must be {sorted(FIELDS)}, found {sorted(persona)}")
    if not isinstance(persona.get("id"), str) or not persona.get("id"):
        problems.append(f"{name}: id must be a text")
    if not isinstance(persona.get("description"), str) or not persona.get("description", "").strip():
        problems.append(f"{name}: description must be a text")

    certificate = persona.get("certificate")
    if certificate not in known.certificate_rank:
        problems.append(f"{name}: unknown certificate {certificate!r}")
    municipality = persona.get("municipality")
    if municipality is not None and municipality not in known.municipalities:
        problems.append(f"{name}: unknown municipality {municipality!r}")

    answers = persona.get("answers")
    if not isinstance(answers, dict):
        problems.append(f"{name}: answers must be a mapping of item id to value")
        answers = {}
    missing = sorted(known.item_ids - set(answers))
    extra = sorted(set(answers) - known.item_ids)
    if missing:
        problems.append(f"{name}: no answer for {missing}")
    if extra:
        problems.append(f"{name}: answers to unknown items {extra}")
    for item_id, value in sorted(answers.items()):
        # bool is an int in Python; an unquoted yes/no would arrive as one.
        if isinstance(value, bool) or value not in SCALE_VALUES:
            problems.append(f"{name}: {item_id} has {value!r}, not one of {list(SCALE_VALUES)}")
    values = [value for value in answers.values() if not isinstance(value, bool) and value in SCALE_VALUES]
    if values and all(value in (1, 5) for value in values):
        problems.append(f"{name}: only 1s and 5s; real pupils answer some items with 2, 3 or 4")
    quick = [answers[item_id] for item_id in known.quick_ids if item_id in answers]
    if quick and max(quick) < 4:
        problems.append(f"{name}: likes no quick item; the quick check would carry no signal")

    expected = persona.get("expected")
    if not isinstance(expected, list) or len(expected) not in EXPECTED_COUNT:
        problems.append(f"{name}: expected must list {EXPECTED_COUNT.start}-{EXPECTED_COUNT.stop - 1} slugs")
        expected = expected if isinstance(expected, list) else []
    if len(set(map(str, expected))) != len(expected):
        problems.append(f"{name}: an expected occupation is listed twice")
    for slug in expected:
        if slug not in known.required_rank:
            problems.append(f"{name}: expected {slug!r} is not a profile")
        elif (
            isinstance(certificate, str)
            and certificate in known.certificate_rank
            and known.required_rank[slug] > known.certificate_rank[certificate]
        ):
            problems.append(f"{name}: expected {slug!r} needs a higher certificate than {certificate!r}")
    return problems


def file_problems(personas: Sequence[Any], known: Knowledge, minimum: int) -> list[str]:
    problems = [problem for persona in personas for problem in persona_problems(persona, known)]
    ids = [persona.get("id") for persona in personas if isinstance(persona, dict)]
    problems.extend(f"id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1}, key=str))
    if len(personas) < minimum:
        problems.append(f"needs at least {minimum} personas, found {len(personas)}")
    return problems


@pytest.mark.parametrize("path", [MAIN_FILE, HOLDOUT_FILE], ids=lambda path: path.name)
def test_persona_file_is_valid(path: Path, knowledge: Knowledge) -> None:
    personas = read_personas(path)
    assert file_problems(personas, knowledge, MIN_PERSONAS[path.name]) == []


def test_ids_are_unique_across_both_files() -> None:
    ids = [persona["id"] for path in (MAIN_FILE, HOLDOUT_FILE) for persona in read_personas(path)]
    assert len(ids) == len(set(ids))


def test_main_suite_covers_the_kinds_issue_9_names() -> None:
    ids = {persona["id"] for persona in read_personas(MAIN_FILE)}
    kinds = {
        "technical", "vehicles", "it", "nature_animals", "care", "children", "creative", "food",
        "office", "sales", "security_order", "undecided",
    }  # fmt: skip
    assert kinds <= ids


# -- the validator itself can fail ------------------------------------------------------------


@pytest.fixture
def good_persona(knowledge: Knowledge) -> dict[str, Any]:
    persona = copy.deepcopy(read_personas(MAIN_FILE)[0])
    assert persona_problems(persona, knowledge) == []
    return persona


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda p: p["answers"].pop("c08"), "no answer for ['c08']"),
        (lambda p: p["answers"].update(x01=3), "unknown items ['x01']"),
        (lambda p: p["answers"].update(r01=6), "r01 has 6"),
        (lambda p: p["answers"].update(r01=True), "r01 has True"),
        (lambda p: p["answers"].update({k: 5 if v >= 3 else 1 for k, v in p["answers"].items()}), "only 1s"),
        (lambda p: p["answers"].update({k: 2 for k in p["answers"]}), "likes no quick item"),
        (lambda p: p["expected"].append("raumschiffkapitaen"), "'raumschiffkapitaen' is not a profile"),
        (lambda p: p["expected"].append(p["expected"][0]), "listed twice"),
        (lambda p: p.update(expected=p["expected"][:3]), "expected must list 4-8"),
        (lambda p: p.update(certificate="diplom"), "unknown certificate"),
        (lambda p: p.update(municipality="hamburg"), "unknown municipality"),
        (
            lambda p: p.update(
                certificate="hauptschule", expected=["polizeikommissaranwaerter", "koch", "baecker", "maurer"]
            ),
            "higher certificate",
        ),
        (lambda p: p.update(riasec="RIA"), "fields must be"),
    ],
)
def test_validator_finds_broken_personas(
    good_persona: dict[str, Any], knowledge: Knowledge, change: Any, complaint: str
) -> None:
    change(good_persona)
    problems = persona_problems(good_persona, knowledge)
    assert any(complaint in problem for problem in problems), problems


def test_validator_finds_duplicate_ids_and_too_few_personas(
    good_persona: dict[str, Any], knowledge: Knowledge
) -> None:
    problems = file_problems([good_persona, copy.deepcopy(good_persona)], knowledge, minimum=12)
    assert f"id {good_persona['id']!r} is used twice" in problems
    assert "needs at least 12 personas, found 2" in problems
