"""Read the knowledge base into the dataclasses of `knowledge.schema`.

Pure functions without caches: callers that need the data often keep it themselves. Every loader
checks what it reads and raises `KnowledgeError` with all problems at once.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from knowledge.interests import RIASEC
from knowledge.matching import normalize
from knowledge.schema import (
    LANGUAGES,
    VOCAB_KINDS,
    AgreedPay,
    LocalizedText,
    MinimumPay,
    Municipality,
    Profession,
    ProfessionText,
    Regulation,
    Topic,
    Vocab,
    VocabTerm,
)
from knowledge.slugs import slugify
from knowledge.validate import Problem, check_explore, check_profiles, check_topics, check_vocab

KNOWLEDGE_DIR = Path(__file__).resolve().parent
PROFESSIONS_DIR = KNOWLEDGE_DIR / "professions"
VOCAB_PATH = KNOWLEDGE_DIR / "vocab.yaml"
SOURCES_DIR = KNOWLEDGE_DIR / "sources"
TOPICS_FILE = "topics.yaml"
EXPLORE_FILE = "explore.yaml"
MUNICIPALITIES_FILE = "municipalities_lk_osnabrueck.csv"
MINIMUM_PAY_FILE = "mindestausbildungsverguetung.csv"
AGREED_PAY_FILE = "ausbildungsverguetung_reported.csv"

# § 17 Abs. 2 Satz 1 Nr. 2-4 BBiG: in the 2nd, 3rd and 4th year the first-year minimum plus 18, 35
# and 40 percent.
MINIMUM_PAY_SUPPLEMENT_PERCENT: Mapping[int, int] = {2: 18, 3: 35, 4: 40}
_MINIMUM_PAY_NUMBER = {2: "Nr. 2", 3: "Nr. 3", 4: "Nr. 4"}

_MUNICIPALITY_KINDS: Mapping[str, str] = {
    "Stadt": "stadt",
    "Gemeinde": "gemeinde",
    "Samtgemeinde": "samtgemeinde",
    "Stadt (kreisfrei)": "kreisfreie_stadt",
}


class KnowledgeError(Exception):
    """The knowledge files have problems; `problems` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# The C parser when PyYAML was built with libyaml (about ten times faster), else the Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """SafeLoader that refuses a key written twice in one mapping (YAML would keep the last silently)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (str, int, float, bool)) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """The parsed file, or None and the reason it could not be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(path, f"cannot be read ({error})")]
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader), []
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(path, f"is not valid YAML{line}: {reason}")]


def read_profiles(directory: Path) -> tuple[dict[Path, Any], list[Problem]]:
    """Every `*.yaml` in `directory`, parsed; files that cannot be parsed are reported."""
    if not directory.is_dir():
        return {}, [Problem(directory, "the profile directory does not exist")]
    profiles: dict[Path, Any] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        data, read_problems = read_yaml(path)
        if read_problems:
            problems.extend(read_problems)
        else:
            profiles[path] = data
    return profiles, problems


# -- vocabularies ---------------------------------------------------------------------------


def vocab_from_data(data: Mapping[str, Any]) -> Vocab:
    """Build a Vocab from parsed vocab.yaml that `check_vocab` accepted."""
    kinds: dict[str, tuple[VocabTerm, ...]] = {}
    for kind in VOCAB_KINDS:
        kinds[kind] = tuple(
            VocabTerm(
                code=str(code),
                label=LocalizedText(de=entry["de"], en=entry["en"]),
                rank=entry.get("rank") if kind == "certificates" else None,
            )
            for code, entry in data[kind].items()
        )
    return Vocab(**kinds)


def load_vocab(path: Path | None = None) -> Vocab:
    path = path or VOCAB_PATH
    data, problems = read_yaml(path)
    if not problems:
        problems = check_vocab(path, data)
    if problems:
        raise KnowledgeError(problems)
    return vocab_from_data(data)


# -- professions ----------------------------------------------------------------------------


def _texts(value: object) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _profession_from_data(data: Mapping[str, Any]) -> Profession:
    names = data["names"]
    kldb = data["kldb"]
    certificate = data["certificate"]
    pay = data["pay"]
    note = pay.get("note")
    regulation = data.get("regulation")
    return Profession(
        slug=data["slug"],
        training_type=data["training_type"],
        name_masc=names["masc"],
        name_fem=names["fem"],
        name_short=names["short"],
        name_en=names["en"],
        synonyms=_texts(data["synonyms"]),
        duration_months=data["duration_months"],
        kldb_code=str(kldb["code"]),
        field=str(kldb["field"]),
        certificate_typical=certificate["typical"],
        certificate_required=certificate["required"],
        subjects=_texts(data["subjects"]),
        riasec=data["riasec"],
        legal_minimum_pay=pay["legal_minimum"],
        pay_note=LocalizedText(de=note["de"], en=note["en"]) if isinstance(note, Mapping) else None,
        related=_texts(data["related"]),
        text={
            language: ProfessionText(
                description=data["text"][language]["description"],
                tasks=_texts(data["text"][language]["tasks"]),
                workplaces=_texts(data["text"][language]["workplaces"]),
            )
            for language in LANGUAGES
        },
        regulation=(
            Regulation(year=regulation["year"], title=regulation["title"], source=regulation["source"])
            if isinstance(regulation, Mapping)
            else None
        ),
        interests=_interests(data["interests"]),
    )


def _interests(value: Mapping[str, int]) -> tuple[int, int, int, int, int, int]:
    r, i, a, s, e, c = (int(value[letter]) for letter in RIASEC)
    return (r, i, a, s, e, c)


def load_professions(
    directory: Path | None = None, *, vocab: Vocab | None = None, allow_todo: bool = False
) -> list[Profession]:
    """All profiles in `directory` (default: knowledge/professions), sorted by slug.

    Raises KnowledgeError listing every problem `python -m knowledge.validate` would report for
    the profiles. With `allow_todo`, profiles that are not filled in yet load with their
    placeholders ("TODO", empty lists); everything else is still checked.
    """
    directory = directory or PROFESSIONS_DIR
    vocab = vocab or load_vocab()
    profiles, problems = read_profiles(directory)
    problems += check_profiles(profiles, vocab, allow_todo=allow_todo)
    if problems:
        raise KnowledgeError(problems)
    return sorted((_profession_from_data(data) for data in profiles.values()), key=lambda p: p.slug)


# -- topics and the words for narrowing a search -----------------------------------------


def load_topics(path: Path | None = None, *, profile_slugs: Iterable[str] | None = None) -> list[Topic]:
    """The topics of topics.yaml in file order. With `profile_slugs`, also checks that every
    occupation exists and every profile has a topic."""
    path = path or KNOWLEDGE_DIR / TOPICS_FILE
    data, problems = read_yaml(path)
    if not problems:
        problems = check_topics(path, data, frozenset(profile_slugs) if profile_slugs is not None else None)
    if problems:
        raise KnowledgeError(problems)
    return [
        Topic(
            key=key,
            name=LocalizedText(de=topic["names"]["de"], en=topic["names"]["en"]),
            words={language: tuple(topic["words"][language]) for language in LANGUAGES},
            occupations=tuple(topic["occupations"]),
        )
        for key, topic in data.items()
    ]


def load_explore_vocab(path: Path | None = None, *, vocab: Vocab | None = None) -> dict[str, Any]:
    """The phrases of explore.yaml (certificates, durations, pay order, training types), checked."""
    path = path or KNOWLEDGE_DIR / EXPLORE_FILE
    data, problems = read_yaml(path)
    if not problems:
        problems = check_explore(path, data, vocab or load_vocab())
    if problems:
        raise KnowledgeError(problems)
    return dict(data)


# -- sources --------------------------------------------------------------------------------


def _read_csv(path: Path, columns: Iterable[str]) -> tuple[list[dict[str, str]], list[Problem]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [Problem(path, f"cannot be read ({error})")]
    missing = [column for column in columns if column not in header]
    if missing:
        return [], [Problem(path, f"column {', '.join(missing)} is missing")]
    return rows, []


def _number(value: str, path: Path, where: str, problems: list[Problem], kind: type = float) -> Any:
    try:
        return kind(value)
    except ValueError:
        problems.append(Problem(path, f"{where}: '{value}' is not a number"))
        return None


def load_municipalities(path: Path | None = None) -> list[Municipality]:
    """The district's municipalities and Samtgemeinden and the city of Osnabrück, sorted by slug.

    A Samtgemeinde has no point of its own in the source; it gets the mean of its members' points.
    """
    path = path or SOURCES_DIR / MUNICIPALITIES_FILE
    rows, problems = _read_csv(path, ("name", "type", "samtgemeinde", "postcodes", "lat", "lon"))
    places: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):
        where = f"line {number} ({row['name']})"
        kind = _MUNICIPALITY_KINDS.get(row["type"])
        if kind is None:
            problems.append(Problem(path, f"{where}: unknown type '{row['type']}'"))
            continue
        postcodes = tuple(code.strip() for code in row["postcodes"].split(";") if code.strip())
        if not postcodes or not all(code.isdigit() and len(code) == 5 for code in postcodes):
            problems.append(Problem(path, f"{where}: postcodes must be five digits separated by ';'"))
        place: dict[str, Any] = {
            "slug": slugify(row["name"]),
            "name": row["name"],
            "kind": kind,
            "samtgemeinde": row["samtgemeinde"] or None,
            "postcodes": postcodes,
            "lat": None,
            "lon": None,
        }
        if row["lat"] or row["lon"]:
            place["lat"] = _number(row["lat"], path, where, problems)
            place["lon"] = _number(row["lon"], path, where, problems)
        elif kind != "samtgemeinde":
            problems.append(Problem(path, f"{where}: lat and lon are missing"))
        places.append(place)

    names = {place["name"] for place in places}
    for place in places:
        if place["samtgemeinde"] is not None and place["samtgemeinde"] not in names:
            problems.append(
                Problem(path, f"{place['name']}: Samtgemeinde '{place['samtgemeinde']}' is not listed")
            )
        if place["kind"] == "samtgemeinde" and place["lat"] is None:
            members = [p for p in places if p["samtgemeinde"] == place["name"] and p["lat"] is not None]
            if not members:
                problems.append(Problem(path, f"{place['name']}: no members with coordinates"))
                continue
            place["lat"] = round(sum(p["lat"] for p in members) / len(members), 4)
            place["lon"] = round(sum(p["lon"] for p in members) / len(members), 4)
    slugs = [place["slug"] for place in places]
    for slug in sorted({slug for slug in slugs if slugs.count(slug) > 1}):
        problems.append(Problem(path, f"two places have the slug '{slug}'"))
    if problems:
        raise KnowledgeError(problems)
    return sorted((Municipality(**place) for place in places), key=lambda m: m.slug)


def minimum_pay_for_year(first_year_eur: int, training_year: int) -> int:
    """The minimum for a later training year from the first-year amount (§ 17 Abs. 2 BBiG).

    Rounded to whole euros, half up: that is how the federal notices for 2024-2026 round (e.g.
    649 EUR * 1.18 = 765.82 -> 766) and how the amounts for 2020-2023 are published (515 * 1.18 =
    607.70 -> 608). Rounding down would understate the legal minimum.
    """
    if training_year == 1:
        return first_year_eur
    percent = MINIMUM_PAY_SUPPLEMENT_PERCENT[training_year]
    amount = Decimal(first_year_eur) * (100 + percent) / 100
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def load_minimum_pay(path: Path | None = None) -> list[MinimumPay]:
    """The legal minimum per start year and training year, sorted; years 2-4 derived where the
    source lists only the first year (start years 2020-2023)."""
    path = path or SOURCES_DIR / MINIMUM_PAY_FILE
    rows, problems = _read_csv(
        path, ("start_year_of_training", "training_year", "min_monthly_eur", "legal_basis")
    )
    published: dict[tuple[int, int], MinimumPay] = {}
    for number, row in enumerate(rows, start=2):
        where = f"line {number}"
        start_year = _number(row["start_year_of_training"], path, where, problems, int)
        training_year = _number(row["training_year"], path, where, problems, int)
        eur = _number(row["min_monthly_eur"], path, where, problems, int)
        if start_year is None or training_year is None or eur is None:
            continue
        if training_year not in (1, 2, 3, 4):
            problems.append(Problem(path, f"{where}: training_year must be 1 to 4, not {training_year}"))
            continue
        if (start_year, training_year) in published:
            problems.append(
                Problem(path, f"{where}: start year {start_year}, year {training_year} is listed twice")
            )
            continue
        published[(start_year, training_year)] = MinimumPay(
            start_year, training_year, eur, row["legal_basis"], False
        )
    result = dict(published)
    for start_year in sorted({year for year, _ in published}):
        first = published.get((start_year, 1))
        if first is None:
            problems.append(Problem(path, f"start year {start_year} has no amount for the first year"))
            continue
        for training_year in (2, 3, 4):
            if (start_year, training_year) not in result:
                result[(start_year, training_year)] = MinimumPay(
                    start_year,
                    training_year,
                    minimum_pay_for_year(first.eur, training_year),
                    f"§ 17 Abs. 2 Satz 1 {_MINIMUM_PAY_NUMBER[training_year]} BBiG",
                    True,
                )
    if problems:
        raise KnowledgeError(problems)
    return [result[key] for key in sorted(result)]


def _label_forms(label: str) -> set[str]:
    """Normal forms of a reported label: the whole ('Maurer/-in') and each half of 'Zimmerer/Zimmerin'."""
    forms = {normalize(label), normalize(label, fold_gender=False)}
    for part in label.split("/"):
        if part.strip() and not part.strip().startswith("-"):
            forms.add(normalize(part))
            forms.add(normalize(part, fold_gender=False))
    forms.discard("")
    return forms


def load_agreed_pay(
    professions: Sequence[Profession] | None = None, path: Path | None = None
) -> list[AgreedPay]:
    """Reported collectively agreed pay of single occupations ("Beruf ..." rows), matched to the
    profiles by name; rows about occupations without a profile are left out."""
    path = path or SOURCES_DIR / AGREED_PAY_FILE
    if professions is None:
        professions = load_professions(allow_todo=True)
    rows, problems = _read_csv(path, ("reference_year", "scope", "label", "eur_per_month", "source_url"))
    by_name: dict[str, set[str]] = defaultdict(set)
    for profession in professions:
        for name in (profession.name_masc, profession.name_fem, profession.name_short):
            for form in (normalize(name), normalize(name, fold_gender=False)):
                if form:
                    by_name[form].add(profession.slug)
    result: list[AgreedPay] = []
    for number, row in enumerate(rows, start=2):
        if not row["scope"].startswith("Beruf"):
            continue
        where = f"line {number} ({row['label']})"
        year = _number(row["reference_year"], path, where, problems, int)
        eur = _number(row["eur_per_month"], path, where, problems, int)
        if year is None or eur is None:
            continue
        slugs = set().union(*(by_name.get(form, set()) for form in _label_forms(row["label"])))
        if len(slugs) == 1:
            result.append(AgreedPay(slugs.pop(), year, eur, row["scope"], row["label"], row["source_url"]))
        elif len(slugs) > 1:
            problems.append(
                Problem(path, f"{where}: the label fits several profiles ({', '.join(sorted(slugs))})")
            )
    if problems:
        raise KnowledgeError(problems)
    return sorted(result, key=lambda pay: (pay.slug, pay.year, pay.scope))


# -- fingerprint ----------------------------------------------------------------------------


def knowledge_files(knowledge_dir: Path | None = None) -> list[Path]:
    """The files the knowledge hash covers: profiles, vocab.yaml, topics.yaml, explore.yaml, the
    rules of training and the source tables."""
    root = knowledge_dir or KNOWLEDGE_DIR
    files = [
        *root.glob("professions/*.yaml"),
        root / "vocab.yaml",
        root / TOPICS_FILE,
        root / EXPLORE_FILE,
        *root.glob("rules/*.yaml"),
        *root.glob("sources/*.csv"),
    ]
    return sorted(
        (path for path in files if path.is_file()), key=lambda path: path.relative_to(root).as_posix()
    )


def knowledge_hash(knowledge_dir: Path | None = None) -> str:
    """SHA-256 over the knowledge files (relative path and content, line endings unified), in
    sorted order: the same on every machine and checkout, different after any change."""
    root = knowledge_dir or KNOWLEDGE_DIR
    digest = hashlib.sha256()
    for path in knowledge_files(root):
        name = path.relative_to(root).as_posix().encode("utf-8")
        content = path.read_bytes().replace(b"\r\n", b"\n")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()
