"""Check the knowledge base: `python -m knowledge.validate [--allow-todo]`.

Prints every problem as "<file>: <problem>" and exits with 1 if there is any. The rules are those
of knowledge/README.md ("Rules the validator enforces"), plus the shapes and counts its example
profile states (2-4 subjects, 3-5 tasks, 2-4 workplaces, ...). `--allow-todo` accepts profiles that
are not filled in yet ("TODO", empty lists) and checks everything else.

The rule functions work on the parsed YAML, so `knowledge.loader` runs the same checks before it
builds any object. The interest scores are checked twice: on their own (six whole numbers 0..100,
`riasec` is their code, no two profiles share all six) by the loader too, and against the O*NET
mapping in knowledge/interests/ (every profile mapped, the scores reproducible) here.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.interests import (
    CODE_LENGTH,
    ONET_FILE,
    SCORE_RANGE,
    InterestMapping,
    MappingProblem,
    OnetOccupation,
    derive_interests,
    format_interests,
    load_reference,
    riasec_code,
)
from knowledge.matching import EMPLOYEE_WORDS, GENERIC_WORDS, normalize
from knowledge.schema import LANGUAGES, TOPIC_KEYS, VOCAB_KINDS, Vocab
from knowledge.slugs import fold

PLACEHOLDER = "TODO"
RIASEC_LETTERS = "RIASEC"
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KLDB_RE = re.compile(r"^\d{5}$")

# Field -> (expected type, description); nested mappings are checked by their own specs below.
_PROFILE_KEYS = (
    "slug",
    "training_type",
    "names",
    "synonyms",
    "duration_months",
    "kldb",
    "certificate",
    "subjects",
    "riasec",
    "interests",
    "pay",
    "related",
    "regulation",
    "text",
)
_OPTIONAL_PROFILE_KEYS = frozenset({"regulation"})
_NAME_KEYS = ("masc", "fem", "short", "en")
_KLDB_KEYS = ("code", "field")
_KLDB_OPTIONAL = frozenset({"candidates"})  # written by the importer when several codes fit
_CERTIFICATE_KEYS = ("typical", "required")
_PAY_KEYS = ("legal_minimum",)
_PAY_OPTIONAL = frozenset({"note"})
_REGULATION_KEYS = ("year", "title", "source")
_TEXT_KEYS = ("description", "tasks", "workplaces")
# list field -> (fewest, most) items once filled in
LIST_SIZES: Mapping[str, tuple[int, int]] = {
    "subjects": (2, 4),
    "related": (1, 6),
    "tasks": (3, 5),
    "workplaces": (2, 4),
}
DURATION_RANGE = (12, 48)


@dataclass(frozen=True)
class Problem:
    file: Path
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.file)}: {self.message}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and PLACEHOLDER in value


class _ProfileChecker:
    """Collects the problems of one profile; unfilled fields are gathered into one message."""

    def __init__(self, path: Path, vocab: Vocab | None, allow_todo: bool) -> None:
        self.path = path
        self.vocab = vocab
        self.allow_todo = allow_todo
        self.problems: list[Problem] = []
        self.unfilled: list[str] = []

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.path, message))

    def mapping(
        self, data: Mapping[str, Any], where: str, keys: Sequence[str], optional: frozenset[str] = frozenset()
    ) -> bool:
        """Report missing and unknown keys of a mapping; True when all required keys are present."""
        missing = [key for key in keys if key not in data and key not in optional]
        unknown = sorted(str(key) for key in data if key not in keys and key not in optional)
        prefix = f"{where}." if where else ""
        for key in missing:
            self.problem(f"{prefix}{key} is missing")
        for key in unknown:
            self.problem(f"{prefix}{key} is not a known field (typo?)")
        return not missing

    def sub_mapping(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
        value = data.get(key)
        if isinstance(value, Mapping):
            return value
        self.problem(f"{where} must be a mapping with fields, not {_describe(value)}")
        return None

    def filled(self, value: object, where: str) -> bool:
        """False (and noted) when `value` is still a placeholder."""
        if is_placeholder(value) or value == [] or value is None:
            if not self.allow_todo:
                self.unfilled.append(f"{where} ({'TODO' if is_placeholder(value) else 'empty'})")
            return False
        return True

    def text(self, value: object, where: str) -> str | None:
        if not self.filled(value, where):
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where} must be a non-empty text, not {_describe(value)}")
            return None
        return value

    def text_list(
        self, value: object, where: str, size: str | None = None, may_be_empty: bool = False
    ) -> list[str] | None:
        if value == [] and may_be_empty:
            return []
        if not self.filled(value, where):
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.problem(f"{where} must be a list of non-empty texts")
            return None
        if is_placeholder(" ".join(value)):
            self.filled(PLACEHOLDER, where)
            return None
        if size is not None:
            fewest, most = LIST_SIZES[size]
            if not fewest <= len(value) <= most:
                self.problem(f"{where} has {len(value)} items; it needs {fewest} to {most}")
        duplicates = sorted({item for item in value if value.count(item) > 1})
        if duplicates:
            self.problem(f"{where} lists {', '.join(duplicates)} more than once")
        return value

    def code(self, value: object, where: str, kind: str) -> str | None:
        if not self.filled(value, where):
            return None
        if not isinstance(value, str):
            self.problem(f"{where} must be a code from vocab.yaml ({kind}), not {_describe(value)}")
            return None
        if self.vocab is not None and value not in self.vocab.codes(kind):
            known = ", ".join(sorted(self.vocab.codes(kind)))
            self.problem(f"{where} '{value}' is not a known code; vocab.yaml {kind} has: {known}")
            return None
        return value


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the yes/no value {value}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def check_profile(path: Path, data: object, vocab: Vocab | None, allow_todo: bool = False) -> list[Problem]:
    """Problems of one profile on its own (cross-profile rules are in `check_profiles`)."""
    check = _ProfileChecker(path, vocab, allow_todo)
    if not isinstance(data, Mapping):
        return [Problem(path, f"the file must hold one profile (a mapping of fields), not {_describe(data)}")]
    check.mapping(data, "", _PROFILE_KEYS, _OPTIONAL_PROFILE_KEYS)

    slug = data.get("slug")
    if "slug" in data:
        if not isinstance(slug, str) or not _SLUG_RE.match(slug):
            check.problem(f"slug must be lower-case letters, digits and hyphens, not {_describe(slug)}")
        elif slug != path.stem:
            check.problem(f"slug '{slug}' does not match the file name '{path.name}'")

    training_type = None
    if "training_type" in data:
        training_type = check.code(data["training_type"], "training_type", "training_types")

    if "names" in data and (names := check.sub_mapping(data, "names", "names")) is not None:
        check.mapping(names, "names", _NAME_KEYS)
        for key in _NAME_KEYS:
            if key in names:
                check.text(names[key], f"names.{key}")

    if "synonyms" in data:
        check.text_list(data["synonyms"], "synonyms", may_be_empty=True)

    if "duration_months" in data:
        duration = data["duration_months"]
        if check.filled(duration, "duration_months"):
            low, high = DURATION_RANGE
            if isinstance(duration, bool) or not isinstance(duration, int) or not low <= duration <= high:
                check.problem(
                    f"duration_months must be a whole number of months from {low} to {high}, "
                    f"not {_describe(duration)}"
                )

    if "kldb" in data and (kldb := check.sub_mapping(data, "kldb", "kldb")) is not None:
        check.mapping(kldb, "kldb", _KLDB_KEYS, _KLDB_OPTIONAL)
        code = kldb.get("code")
        if "code" in kldb and check.filled(code, "kldb.code"):
            if not isinstance(code, str) or not _KLDB_RE.match(code):
                check.problem(
                    f'kldb.code must be five digits in quotes (e.g. "81102"), not {_describe(code)}'
                )
                code = None
        else:
            code = None
        field = check.code(kldb.get("field"), "kldb.field", "fields") if "field" in kldb else None
        if code is not None and field is not None and code[0] != field:
            check.problem(f"kldb.field '{field}' must be the first digit of kldb.code '{code}'")

    if (
        "certificate" in data
        and (certificate := check.sub_mapping(data, "certificate", "certificate")) is not None
    ):
        check.mapping(certificate, "certificate", _CERTIFICATE_KEYS)
        for key in _CERTIFICATE_KEYS:
            if key in certificate:
                check.code(certificate[key], f"certificate.{key}", "certificates")

    if "subjects" in data:
        subjects = check.text_list(data["subjects"], "subjects", size="subjects")
        for subject in subjects or ():
            check.code(subject, "subjects", "subjects")

    scores = interest_scores(data["interests"]) if "interests" in data else None
    if "interests" in data and scores is None:
        check.problem(
            "interests must give each of R, I, A, S, E, C a whole number from 0 to 100 "
            "(written by python -m knowledge.tools.derive_interests)"
        )

    if "riasec" in data:
        riasec = data["riasec"]
        if check.filled(riasec, "riasec"):
            if (
                not isinstance(riasec, str)
                or len(riasec) != CODE_LENGTH
                or any(letter not in RIASEC_LETTERS for letter in riasec)
                or len(set(riasec)) != len(riasec)
            ):
                check.problem(
                    f"riasec must be {CODE_LENGTH} different letters of {RIASEC_LETTERS}, "
                    f"not {_describe(riasec)}"
                )
            elif scores is not None and riasec != riasec_code(scores):
                check.problem(
                    f"riasec '{riasec}' is not the code of the interests, '{riasec_code(scores)}' "
                    "(the three highest scores, strongest first, equal ones in the order RIASEC)"
                )

    if "pay" in data and (pay := check.sub_mapping(data, "pay", "pay")) is not None:
        check.mapping(pay, "pay", _PAY_KEYS, _PAY_OPTIONAL)
        legal_minimum = pay.get("legal_minimum")
        if "legal_minimum" in pay and not isinstance(legal_minimum, bool):
            check.problem(f"pay.legal_minimum must be true or false, not {_describe(legal_minimum)}")
        if "note" in pay:
            note = pay["note"]
            if isinstance(note, Mapping):
                check.mapping(note, "pay.note", LANGUAGES)
                for language in LANGUAGES:
                    if language in note:
                        check.text(note[language], f"pay.note.{language}")
            else:
                check.problem(
                    f"pay.note must have a German and an English text (de, en), not {_describe(note)}"
                )
        elif legal_minimum is False:
            check.problem("pay.note is missing; it is required when pay.legal_minimum is false")

    if "related" in data:
        related = check.text_list(data["related"], "related", size="related")
        if related and isinstance(slug, str) and slug in related:
            check.problem("related lists the profile itself")

    if (
        "regulation" in data
        and (regulation := check.sub_mapping(data, "regulation", "regulation")) is not None
    ):
        check.mapping(regulation, "regulation", _REGULATION_KEYS)
        year = regulation.get("year")
        if "year" in regulation and (isinstance(year, bool) or not isinstance(year, int)):
            check.problem(f"regulation.year must be a year, not {_describe(year)}")
        for key in ("title", "source"):
            if key in regulation:
                check.text(regulation[key], f"regulation.{key}")
    elif "regulation" not in data and training_type == "dual":
        check.problem("regulation is missing; dual occupations name their training regulation")

    if "text" in data and (text := check.sub_mapping(data, "text", "text")) is not None:
        for language in LANGUAGES:
            if language not in text:
                other = "English" if language == "en" else "German"
                check.problem(
                    f"text.{language} is missing: every text must exist in German and English "
                    f"({other} is missing)"
                )
        unknown = sorted(str(key) for key in text if key not in LANGUAGES)
        for key in unknown:
            check.problem(f"text.{key} is not a supported language (only {', '.join(LANGUAGES)})")
        for language in LANGUAGES:
            if (
                language in text
                and (part := check.sub_mapping(text, language, f"text.{language}")) is not None
            ):
                check.mapping(part, f"text.{language}", _TEXT_KEYS)
                if "description" in part:
                    check.text(part["description"], f"text.{language}.description")
                for key in ("tasks", "workplaces"):
                    if key in part:
                        check.text_list(part[key], f"text.{language}.{key}", size=key)

    if check.unfilled:
        check.problem("not filled in yet: " + ", ".join(check.unfilled))
    return check.problems


def interest_scores(value: object) -> tuple[int, int, int, int, int, int] | None:
    """The six scores of a profile's `interests` in RIASEC order, or None when it is malformed."""
    low, high = SCORE_RANGE
    if not isinstance(value, Mapping) or set(value) != set(RIASEC_LETTERS):
        return None
    scores = [value[letter] for letter in RIASEC_LETTERS]
    if not all(
        isinstance(score, int) and not isinstance(score, bool) and low <= score <= high for score in scores
    ):
        return None
    return (scores[0], scores[1], scores[2], scores[3], scores[4], scores[5])


def check_profiles(
    profiles: Mapping[Path, object], vocab: Vocab | None, allow_todo: bool = False
) -> list[Problem]:
    """All problems of a set of profiles: each on its own, then the rules that span profiles."""
    problems: list[Problem] = []
    for path in sorted(profiles):
        problems.extend(check_profile(path, profiles[path], vocab, allow_todo))
    problems.extend(_cross_profile_problems(profiles))
    return problems


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str) and item.strip() and not is_placeholder(item)]
    return []


def _cross_profile_problems(profiles: Mapping[Path, object]) -> list[Problem]:
    by_slug: dict[str, Path] = {}
    for path, data in sorted(profiles.items()):
        if isinstance(data, Mapping) and isinstance(data.get("slug"), str):
            by_slug.setdefault(data["slug"], path)
    problems: list[Problem] = []

    names: dict[str, set[str]] = defaultdict(
        set
    )  # normal form -> slugs with that official/short/English name
    synonyms: dict[str, dict[str, str]] = defaultdict(dict)  # normal form -> slug -> synonym as written
    for slug, path in by_slug.items():
        data = profiles[path]
        assert isinstance(data, Mapping)
        profile_names = data.get("names")
        if isinstance(profile_names, Mapping):
            for key in _NAME_KEYS:
                name = profile_names.get(key)
                if isinstance(name, str) and name.strip() and not is_placeholder(name):
                    names[normalize(name)].add(slug)
        for synonym in _strings(data.get("synonyms")):
            synonyms[normalize(synonym)].setdefault(slug, synonym)

    for slug, path in by_slug.items():
        data = profiles[path]
        assert isinstance(data, Mapping)
        for synonym in dict.fromkeys(_strings(data.get("synonyms"))):
            key = normalize(synonym)
            others = sorted(set(synonyms[key]) - {slug})
            if others:
                problems.append(
                    Problem(
                        path,
                        f"synonym '{synonym}' also points at {', '.join(others)}; "
                        "a synonym must mean one occupation only",
                    )
                )
            named = sorted(names.get(key, set()) - {slug})
            if named:
                problems.append(
                    Problem(
                        path, f"synonym '{synonym}' is the name of another occupation ({', '.join(named)})"
                    )
                )
            if key in GENERIC_WORDS or key in EMPLOYEE_WORDS:
                problems.append(
                    Problem(
                        path,
                        f"synonym '{synonym}' is a general word for many jobs; the matcher offers a choice "
                        "for it, so it must not be a synonym",
                    )
                )
        for related in dict.fromkeys(_strings(data.get("related"))):
            if related != slug and related not in by_slug:
                problems.append(Problem(path, f"related '{related}' is not an existing profile"))

    same_scores: dict[tuple[int, ...], list[Path]] = defaultdict(list)
    for path, data in sorted(profiles.items()):
        if isinstance(data, Mapping) and (scores := interest_scores(data.get("interests"))) is not None:
            same_scores[scores].append(path)
    for paths in same_scores.values():
        for path in paths[1:]:
            problems.append(
                Problem(
                    path,
                    f"interests are the same six scores as in {display_path(paths[0])}; no two occupations "
                    "may share them (map one to another O*NET occupation, or adjust with a reason)",
                )
            )

    slugs_seen: dict[str, list[Path]] = defaultdict(list)
    for path, data in profiles.items():
        if isinstance(data, Mapping) and isinstance(data.get("slug"), str):
            slugs_seen[data["slug"]].append(path)
    for slug, paths in sorted(slugs_seen.items()):
        if len(paths) > 1:
            for path in sorted(paths)[1:]:
                problems.append(
                    Problem(path, f"slug '{slug}' is used by {display_path(sorted(paths)[0])} too")
                )
    return problems


def check_interest_mapping(
    profiles: Mapping[Path, object],
    mapping: Mapping[str, InterestMapping],
    onet: Mapping[str, OnetOccupation],
    mapping_dir: Path,
) -> list[Problem]:
    """Every profile is in the O*NET mapping, every mapped slug is a profile, and each profile's
    interests are exactly what the mapping derives (so anyone can reproduce them)."""
    problems: list[Problem] = []
    by_slug = {
        data["slug"]: (path, data)
        for path, data in sorted(profiles.items())
        if isinstance(data, Mapping) and isinstance(data.get("slug"), str)
    }
    for slug, (path, data) in by_slug.items():
        entry = mapping.get(slug)
        if entry is None:
            problems.append(
                Problem(path, f"is not in the O*NET mapping; add '{slug}' to {display_path(mapping_dir)}")
            )
            continue
        if not all(code in onet for code in entry.onet):
            continue  # reported with the mapping file
        expected = derive_interests(entry, onet)
        scores = interest_scores(data.get("interests"))
        if "interests" in data and scores is not None and scores != expected:
            problems.append(
                Problem(
                    path,
                    f"interests differ from what the mapping derives ({format_interests(expected)}); "
                    "run python -m knowledge.tools.derive_interests",
                )
            )
    for slug in sorted(set(mapping) - set(by_slug)):
        problems.append(Problem(mapping[slug].source, f"occupations.{slug} is not an existing profile"))
    return problems


def _problems(mapping_problems: Sequence[MappingProblem]) -> list[Problem]:
    return [Problem(problem.file, problem.message) for problem in mapping_problems]


def check_vocab(path: Path, data: object) -> list[Problem]:
    """Problems of vocab.yaml: the five vocabularies, every label in German and English."""
    if not isinstance(data, Mapping):
        return [Problem(path, f"the file must map vocabulary names to codes, not {_describe(data)}")]
    problems: list[Problem] = []
    for kind in VOCAB_KINDS:
        if kind not in data:
            problems.append(Problem(path, f"{kind} is missing"))
    for kind in sorted(str(key) for key in data if key not in VOCAB_KINDS):
        problems.append(Problem(path, f"{kind} is not a known vocabulary"))
    for kind in VOCAB_KINDS:
        entries = data.get(kind)
        if kind not in data:
            continue
        if not isinstance(entries, Mapping) or not entries:
            problems.append(Problem(path, f"{kind} must map codes to labels"))
            continue
        ranks: dict[int, str] = {}
        for code, entry in entries.items():
            where = f"{kind}.{code}"
            if not isinstance(code, str):
                problems.append(Problem(path, f"{where}: codes must be texts (put numbers in quotes)"))
            if not isinstance(entry, Mapping):
                problems.append(Problem(path, f"{where} must have a German and an English label (de, en)"))
                continue
            for language in LANGUAGES:
                label = entry.get(language)
                if not isinstance(label, str) or not label.strip():
                    problems.append(
                        Problem(path, f"{where}.{language} is missing: every label needs German and English")
                    )
            allowed = {*LANGUAGES, "rank"} if kind == "certificates" else set(LANGUAGES)
            for key in sorted(str(k) for k in entry if k not in allowed):
                problems.append(Problem(path, f"{where}.{key} is not a known field"))
            if kind == "certificates":
                rank = entry.get("rank")
                if isinstance(rank, bool) or not isinstance(rank, int):
                    problems.append(Problem(path, f"{where}.rank must be a whole number"))
                elif rank in ranks:
                    problems.append(Problem(path, f"{where}.rank {rank} is also the rank of {ranks[rank]}"))
                else:
                    ranks[rank] = str(code)
            if kind == "riasec" and (
                not isinstance(code, str) or code not in RIASEC_LETTERS or len(code) != 1
            ):
                problems.append(
                    Problem(path, f"{where}: RIASEC codes are the single letters {RIASEC_LETTERS}")
                )
            if kind == "fields" and (not isinstance(code, str) or not re.fullmatch(r"\d", code)):
                problems.append(Problem(path, f'{where}: field codes are the KldB areas "0" to "9"'))
    return problems


def _word_list(value: object) -> list[str] | None:
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, str) and item.strip() and not is_placeholder(item) for item in value):
        return None
    return value


def check_topics(path: Path, data: object, profile_slugs: frozenset[str] | None) -> list[Problem]:
    """Problems of topics.yaml: exactly the TOPIC_KEYS, names and words in German and English, a word
    in one topic only, occupations that exist (each once) and every profile in at least one topic."""
    if not isinstance(data, Mapping):
        return [Problem(path, f"the file must map topic keys to topics, not {_describe(data)}")]
    problems: list[Problem] = []
    missing = [key for key in TOPIC_KEYS if key not in data]
    if missing:
        problems.append(Problem(path, f"topics missing: {', '.join(missing)}"))
    for key in data:
        if key not in TOPIC_KEYS:
            problems.append(Problem(path, f"'{key}' is not a topic key (knowledge/schema.py TOPIC_KEYS)"))
    owner: dict[str, str] = {}
    covered: set[str] = set()
    for key, topic in data.items():
        if not isinstance(topic, Mapping):
            problems.append(Problem(path, f"{key}: must be a mapping with names, words and occupations"))
            continue
        names = topic.get("names")
        words = topic.get("words")
        for language in LANGUAGES:
            if (
                not isinstance(names, Mapping)
                or not isinstance(names.get(language), str)
                or not names[language]
            ):
                problems.append(Problem(path, f"{key}: names.{language} is missing"))
            language_words = _word_list(words.get(language)) if isinstance(words, Mapping) else None
            if language_words is None:
                problems.append(Problem(path, f"{key}: words.{language} must be a list of words"))
                continue
            for word in language_words:
                folded = " ".join(fold(word).replace("-", " ").split())
                if owner.setdefault(folded, key) != key:
                    problems.append(
                        Problem(path, f"{key}: the word '{word}' is also a word of {owner[folded]}")
                    )
        occupations = _word_list(topic.get("occupations"))
        if occupations is None:
            problems.append(Problem(path, f"{key}: occupations must be a list of profile slugs"))
            continue
        for slug in sorted({slug for slug in occupations if occupations.count(slug) > 1}):
            problems.append(Problem(path, f"{key}: '{slug}' is listed twice"))
        if profile_slugs is not None:
            for slug in occupations:
                if slug not in profile_slugs:
                    problems.append(Problem(path, f"{key}: '{slug}' is not an existing profile"))
        covered.update(occupations)
    if profile_slugs is not None:
        for slug in sorted(profile_slugs - covered):
            problems.append(Problem(path, f"the profile '{slug}' belongs to no topic"))
    return problems


def _phrase_table(
    path: Path, data: Mapping[str, Any], kind: str, codes: Sequence[str] | None
) -> list[Problem]:
    table = data.get(kind)
    if not isinstance(table, Mapping):
        return [Problem(path, f"{kind} is missing")]
    problems: list[Problem] = []
    if codes is not None:
        for code in table:
            if str(code) not in codes:
                problems.append(Problem(path, f"{kind}: '{code}' is not one of {', '.join(codes)}"))
    for code, phrases in table.items():
        for language in LANGUAGES:
            if not isinstance(phrases, Mapping) or _word_list(phrases.get(language)) is None:
                problems.append(Problem(path, f"{kind}.{code}.{language} must be a list of phrases"))
    return problems


def check_explore(path: Path, data: object, vocab: Vocab | None) -> list[Problem]:
    """Problems of explore.yaml: phrase lists in both languages for known codes."""
    if not isinstance(data, Mapping):
        return [Problem(path, f"the file must be a mapping, not {_describe(data)}")]
    problems: list[Problem] = []
    certificates = sorted(vocab.codes("certificates")) if vocab else None
    training_types = sorted(vocab.codes("training_types")) if vocab else None
    problems += _phrase_table(path, data, "certificates", certificates)
    problems += _phrase_table(path, data, "training_types", training_types)
    problems += _phrase_table(path, data, "durations", None)
    problems += _phrase_table(path, data, "pay_order", ["high"])
    durations = data.get("durations")
    if isinstance(durations, Mapping):
        for months in durations:
            if not isinstance(months, int) or not DURATION_RANGE[0] <= months <= DURATION_RANGE[1]:
                problems.append(Problem(path, f"durations: '{months}' is not a number of months"))
    for key in ("negations", "not_topic_words"):
        if _word_list(data.get(key)) is None:
            problems.append(Problem(path, f"{key} must be a list of words"))
    pay_split = data.get("pay_split")
    for part in ("pay_words", "superlatives"):
        languages = pay_split.get(part) if isinstance(pay_split, Mapping) else None
        if not isinstance(languages, Mapping) or any(
            _word_list(languages.get(lang)) is None for lang in ("de", "en")
        ):
            problems.append(Problem(path, f"pay_split: {part} must list words in de and en"))
    distance = data.get("pay_split_distance")
    if not isinstance(distance, int) or isinstance(distance, bool) or not 1 <= distance <= 10:
        problems.append(Problem(path, "pay_split_distance must be a number of words from 1 to 10"))
    return problems


def iter_problems(knowledge_dir: Path | None = None, allow_todo: bool = False) -> Iterator[Problem]:
    """Every problem of the knowledge base in `knowledge_dir` (default: this package's directory)."""
    from knowledge import loader  # the loader runs these rules itself, so it is imported late

    root = knowledge_dir or loader.KNOWLEDGE_DIR
    vocab_path = root / "vocab.yaml"
    vocab: Vocab | None = None
    raw_vocab, read_problems = loader.read_yaml(vocab_path)
    yield from read_problems
    if not read_problems:
        vocab_problems = check_vocab(vocab_path, raw_vocab)
        yield from vocab_problems
        if not vocab_problems:
            vocab = loader.vocab_from_data(raw_vocab)

    profiles, read_problems = loader.read_profiles(root / "professions")
    yield from read_problems
    yield from check_profiles(profiles, vocab, allow_todo)

    mapping_dir = root / "interests"
    mapping, onet, mapping_problems = load_reference(
        mapping_dir, root / "sources" / ONET_FILE, loader.read_yaml
    )
    yield from _problems(mapping_problems)
    if onet:
        yield from check_interest_mapping(profiles, mapping, onet, mapping_dir)
    slugs = frozenset(
        data["slug"]
        for data in profiles.values()
        if isinstance(data, Mapping) and isinstance(data.get("slug"), str)
    )
    for path, check in (
        (root / loader.TOPICS_FILE, lambda data: check_topics(root / loader.TOPICS_FILE, data, slugs)),
        (root / loader.EXPLORE_FILE, lambda data: check_explore(root / loader.EXPLORE_FILE, data, vocab)),
    ):
        data, read_problems = loader.read_yaml(path)
        yield from read_problems
        if not read_problems:
            yield from check(data)

    sources = root / "sources"
    for load in (
        lambda: loader.load_municipalities(sources / loader.MUNICIPALITIES_FILE),
        lambda: loader.load_minimum_pay(sources / loader.MINIMUM_PAY_FILE),
    ):
        try:
            load()
        except loader.KnowledgeError as error:
            yield from error.problems

    from knowledge.regional.advisers import adviser_problems
    from knowledge.rules.catalogue import rule_problems

    yield from rule_problems(root)
    yield from adviser_problems(root)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.validate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--allow-todo", action="store_true", help="accept profiles that are not filled in yet"
    )
    parser.add_argument("--dir", type=Path, default=None, help="knowledge directory (default: this package)")
    args = parser.parse_args(argv)
    count = 0
    for problem in iter_problems(args.dir, allow_todo=args.allow_todo):
        print(problem)
        count += 1
    if count:
        print(f"{count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
