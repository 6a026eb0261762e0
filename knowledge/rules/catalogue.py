"""Read and check the rules of training: one short answer per question pupils ask about training
itself (probation, holidays, Berufsschule, applying, ...), in German and English, each with the law
or official body it rests on.

The answers live in the `*.yaml` files next to this module, one mapping `<rule key>: <entry>` per
file, grouped by topic. Every key of `RULE_KEYS` (the retrieval intents `rules/<key>` of the
assistant) appears exactly once. Rasa serves them through its ResponseSelector; the domain file
bot/domain/rules.yml is generated from them by `python -m scripts.build_rules_domain`.

Like the rest of `knowledge/`, this needs nothing but the standard library and PyYAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.schema import LANGUAGES
from knowledge.validate import PLACEHOLDER, Problem

RULES_DIR = Path(__file__).resolve().parent

# The fixed keys shared with the NLU data (bot/data/nlu/rules.yml) and the held-out sets.
RULE_KEYS: tuple[str, ...] = (
    "age_minimum", "youth_protection", "probation", "holidays", "working_hours", "overtime", "side_job",
    "vocational_school", "pay_minimum", "pay_net_taxes", "child_benefit", "bab", "housing_moving_out",
    "shortening", "extending", "changing", "quitting", "sick_leave", "report_book", "trainee_duties",
    "employer_duties", "contract", "exams", "failing_exam", "after_training", "when_to_apply",
    "cover_letter", "cv", "application_documents", "interview", "aptitude_test", "school_internship",
    "praktikumswoche", "dual_study", "school_based_training", "part_time_training", "disability",
    "refugees", "no_place_found", "catch_up_certificate", "abitur_or_training", "abroad",
    "insurance_accidents", "second_training", "chamber_help",
)  # fmt: skip

POINTS_RANGE = (2, 5)
# Title and points together, per language: an answer fits on a phone screen.
MAX_ANSWER_CHARS = 600
_ENTRY_KEYS = frozenset({*LANGUAGES, "source"})
_TEXT_KEYS = frozenset({"title", "points"})
_SOURCE_KEYS = frozenset({"name", "url"})
SOURCE_LABEL = {"de": "Quelle", "en": "Source"}
# The second next step under every answer (the first is a related rule of the same topic file).
CHECK_BUTTON = {"de": "Welcher Beruf passt zu mir?", "en": "Which job suits me?"}


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class RuleText:
    title: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    key: str
    de: RuleText
    en: RuleText
    sources: tuple[Source, ...]

    def text(self, language: str) -> RuleText:
        """The text in `language` ("de" or "en"); German for any other value."""
        return self.en if language == "en" else self.de


class RulesError(Exception):
    """The rule files have problems; `problems` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def render_answer(rule: Rule, language: str) -> str:
    """The answer a pupil reads: a bold title line, the points as bullets, and the sources."""
    text = rule.text(language)
    label = SOURCE_LABEL.get(language, SOURCE_LABEL["de"])
    lines = [f"**{text.title}**", *(f"• {point}" for point in text.points)]
    lines.append(f"{label}: " + "; ".join(source.name for source in rule.sources))
    return "\n".join(lines)


# -- checks -----------------------------------------------------------------------------------


def _text_problems(path: Path, where: str, value: object) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, f"{where} must be a mapping with title and points")]
    problems = [Problem(path, f"{where}.{key} is missing") for key in sorted(_TEXT_KEYS - set(value))]
    unknown = sorted(set(value) - _TEXT_KEYS)
    problems += [Problem(path, f"{where}.{key} is not a known field (typo?)") for key in unknown]
    title, points = value.get("title"), value.get("points")
    if "title" in value and (not isinstance(title, str) or not title.strip()):
        problems.append(Problem(path, f"{where}.title must be a non-empty text"))
    if "points" in value:
        fewest, most = POINTS_RANGE
        if not isinstance(points, list) or not all(isinstance(p, str) and p.strip() for p in points):
            problems.append(Problem(path, f"{where}.points must be a list of non-empty texts"))
        elif not fewest <= len(points) <= most:
            problems.append(Problem(path, f"{where}.points has {len(points)} items, not {fewest}-{most}"))
        elif isinstance(title, str):
            length = len(title) + sum(len(point) for point in points)
            if length > MAX_ANSWER_CHARS:
                problems.append(
                    Problem(path, f"{where} is {length} characters long, more than {MAX_ANSWER_CHARS}")
                )
    texts = [title, *(points if isinstance(points, list) else [])]
    if any(isinstance(text, str) and PLACEHOLDER in text for text in texts):
        problems.append(Problem(path, f"{where} is not filled in ({PLACEHOLDER})"))
    return problems


def _source_problems(path: Path, where: str, value: object) -> list[Problem]:
    if not isinstance(value, list) or not value:
        return [Problem(path, f"{where} must name at least one law or official body with its URL")]
    problems: list[Problem] = []
    for number, source in enumerate(value, start=1):
        here = f"{where}[{number}]"
        if not isinstance(source, Mapping) or set(source) != _SOURCE_KEYS:
            problems.append(Problem(path, f"{here} must have exactly the fields name and url"))
            continue
        if not isinstance(source["name"], str) or not source["name"].strip():
            problems.append(Problem(path, f"{here}.name must be a non-empty text"))
        if not isinstance(source["url"], str) or not source["url"].startswith("https://"):
            problems.append(Problem(path, f"{here}.url must be an https:// address"))
    return problems


def _pay_amount_problems(path: Path, entry: Mapping[str, Any], amounts: Sequence[int]) -> list[Problem]:
    """The minimum-pay answer must name the amounts of the newest start year in both languages."""
    written = {
        "de": lambda eur: f"{eur:,} €".replace(",", "."),
        "en": lambda eur: f"€{eur:,}",
    }
    problems = []
    for language, form in written.items():
        text = entry.get(language)
        points = text.get("points") if isinstance(text, Mapping) else None
        joined = " ".join(p for p in points if isinstance(p, str)) if isinstance(points, list) else ""
        missing = [form(eur) for eur in amounts if form(eur) not in joined]
        if missing:
            message = f"pay_minimum.{language} does not name the current minimum {', '.join(missing)}"
            problems.append(Problem(path, message))
    return problems


def check_rules(
    files: Mapping[Path, object], minimum_pay_amounts: Sequence[int] | None = None
) -> list[Problem]:
    """Problems of the parsed rule files: unknown, missing or repeated keys, texts in both
    languages with 2-5 points and at most MAX_ANSWER_CHARS, at least one source per rule, and (when
    given) the current minimum pay amounts in the pay_minimum answer."""
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path, data in files.items():
        if not isinstance(data, Mapping):
            problems.append(Problem(path, "must be a mapping of rule keys to answers"))
            continue
        for key, entry in data.items():
            if key not in RULE_KEYS:
                problems.append(Problem(path, f"'{key}' is not a rule key of RULE_KEYS (typo?)"))
                continue
            if key in seen:
                problems.append(Problem(path, f"'{key}' is also in {seen[key].name}"))
                continue
            seen[key] = path
            if not isinstance(entry, Mapping):
                problems.append(Problem(path, f"{key} must be a mapping with de, en and source"))
                continue
            problems += [Problem(path, f"{key}.{f} is missing") for f in sorted(_ENTRY_KEYS - set(entry))]
            unknown = sorted(set(entry) - _ENTRY_KEYS)
            problems += [Problem(path, f"{key}.{f} is not a known field (typo?)") for f in unknown]
            for language in LANGUAGES:
                if language in entry:
                    problems += _text_problems(path, f"{key}.{language}", entry[language])
            if "source" in entry:
                problems += _source_problems(path, f"{key}.source", entry["source"])
            if key == "pay_minimum" and minimum_pay_amounts:
                problems += _pay_amount_problems(path, entry, minimum_pay_amounts)
    where = next(iter(files), RULES_DIR)
    problems += [Problem(where, f"rule '{key}' has no answer") for key in RULE_KEYS if key not in seen]
    return problems


# -- loading ----------------------------------------------------------------------------------


def read_rule_files(directory: Path | None = None) -> tuple[dict[Path, Any], list[Problem]]:
    """Every `*.yaml` in `directory` (default: this package's directory), parsed."""
    from knowledge.loader import read_yaml  # late: the loader imports the validator

    directory = directory or RULES_DIR
    if not directory.is_dir():
        return {}, [Problem(directory, "the rules directory does not exist")]
    files: dict[Path, Any] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        data, read_problems = read_yaml(path)
        problems += read_problems
        if not read_problems:
            files[path] = data
    return files, problems


def related_rules(directory: Path | None = None) -> dict[str, str]:
    """For each rule the next one of the same topic file (the first after the last): the question
    an answer offers as its next step."""
    files, _ = read_rule_files(directory)
    related: dict[str, str] = {}
    for data in files.values():
        keys = [key for key in data if key in RULE_KEYS] if isinstance(data, Mapping) else []
        for position, key in enumerate(keys):
            if len(keys) > 1:
                related[key] = keys[(position + 1) % len(keys)]
    return related


def current_minimum_pay_amounts(sources_dir: Path | None = None) -> list[int]:
    """The monthly minimum per training year (1-4) for the newest start year in the source table."""
    from knowledge import loader

    path = (sources_dir or loader.SOURCES_DIR) / loader.MINIMUM_PAY_FILE
    table = loader.load_minimum_pay(path)
    newest = max(pay.start_year for pay in table)
    return [pay.eur for pay in sorted(table, key=lambda p: p.training_year) if pay.start_year == newest]


def rule_problems(knowledge_dir: Path | None = None) -> list[Problem]:
    """Every problem of the rules in `knowledge_dir/rules` (default: the package's own)."""
    from knowledge import loader

    root = knowledge_dir or loader.KNOWLEDGE_DIR
    files, problems = read_rule_files(root / "rules")
    try:
        amounts: list[int] | None = current_minimum_pay_amounts(root / "sources")
    except loader.KnowledgeError:
        amounts = None  # reported by the validator's own check of the source table
    return problems + check_rules(files, amounts)


def _rule_text(value: Mapping[str, Any]) -> RuleText:
    return RuleText(value["title"].strip(), tuple(point.strip() for point in value["points"]))


def load_rules(directory: Path | None = None) -> dict[str, Rule]:
    """The rules by key, in the order of RULE_KEYS; raises RulesError listing every problem."""
    files, problems = read_rule_files(directory)
    problems += check_rules(files)
    if problems:
        raise RulesError(problems)
    entries = {key: entry for data in files.values() for key, entry in data.items()}
    return {
        key: Rule(
            key,
            _rule_text(entries[key]["de"]),
            _rule_text(entries[key]["en"]),
            tuple(Source(s["name"], s["url"]) for s in entries[key]["source"]),
        )
        for key in RULE_KEYS
    }
