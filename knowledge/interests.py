"""Interest scores of the occupations: read the hand mapping to O*NET and derive the scores from it.

The one place of the method (knowledge/README.md, "Interest scores"); the derivation tool
(`python -m knowledge.tools.derive_interests`) writes what `derive_interests` returns into the
profiles, and the validator checks the profiles against the same function.

1. For each O*NET occupation listed for a German occupation take its six RIASEC scores (1..7),
   average over the listed occupations (equal weights) and rescale to 0..100:
   `(mean - 1) / 6 * 100`.
2. Add the hand `adjust` per type, clamp to 0..100 and round half up to a whole number.
3. The code is the three types with the highest scores, strongest first; equal scores in the
   order R I A S E C.

All arithmetic is exact (fractions), so the result is the same on every machine and Python.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

RIASEC = "RIASEC"
CODE_LENGTH = 3
SCORE_RANGE = (0, 100)
ONET_RANGE = (Fraction(1), Fraction(7))
ADJUST_LIMIT = 25  # points per type, in either direction
MAX_ONET_CODES = 3
ONET_FILE = "onet_riasec_interests.csv"
MAPPING_GLOB = "onet_mapping*.yaml"
_ONET_COLUMNS = ("onet_soc_code", "title_en", *RIASEC)
_MAPPING_KEYS = ("onet", "adjust", "why")

Scores = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class OnetOccupation:
    """One US occupation of the O*NET Interests data: its six scores on the 1..7 scale."""

    code: str
    title: str
    scores: tuple[Fraction, Fraction, Fraction, Fraction, Fraction, Fraction]


@dataclass(frozen=True)
class InterestMapping:
    """The hand mapping of one German occupation: comparable O*NET occupations, best first, and
    an optional adjustment (points per type) with its reason."""

    slug: str
    onet: tuple[str, ...]
    adjust: Mapping[str, int]
    why: str | None
    source: Path


@dataclass(frozen=True)
class MappingProblem:
    file: Path
    message: str


def round_half_up(value: Fraction) -> int:
    """The nearest whole number; exactly half-way rounds up (42.5 -> 43), unlike `round`."""
    return math.floor(value + Fraction(1, 2))


def derive_scores(
    onet_scores: Sequence[Sequence[Fraction]], adjust: Mapping[str, int] | None = None
) -> Scores:
    """Scores 0..100 in RIASEC order from one or more O*NET score sets (method steps 1 and 2)."""
    if not onet_scores:
        raise ValueError("at least one O*NET occupation is needed")
    adjust = adjust or {}
    low, high = SCORE_RANGE
    result: list[int] = []
    for index, letter in enumerate(RIASEC):
        mean = sum((Fraction(scores[index]) for scores in onet_scores), Fraction(0)) / len(onet_scores)
        value = (mean - 1) / 6 * 100 + adjust.get(letter, 0)
        result.append(round_half_up(min(max(value, Fraction(low)), Fraction(high))))
    return (result[0], result[1], result[2], result[3], result[4], result[5])


def riasec_code(scores: Sequence[int], length: int = CODE_LENGTH) -> str:
    """The `length` types with the highest scores, strongest first; ties in the order R I A S E C."""
    order = sorted(range(len(RIASEC)), key=lambda index: (-scores[index], index))
    return "".join(RIASEC[index] for index in order[:length])


def derive_interests(mapping: InterestMapping, onet: Mapping[str, OnetOccupation]) -> Scores:
    """The scores of one mapped occupation (raises KeyError for an O*NET code not in `onet`)."""
    return derive_scores([onet[code].scores for code in mapping.onet], mapping.adjust)


def format_interests(scores: Sequence[int]) -> str:
    """The profile line: `interests: {R: 92, I: 61, A: 12, S: 20, E: 25, C: 48}`."""
    return (
        "interests: {"
        + ", ".join(f"{letter}: {score}" for letter, score in zip(RIASEC, scores, strict=True))
        + "}"
    )


# -- reading --------------------------------------------------------------------------------


def read_onet(path: Path) -> tuple[dict[str, OnetOccupation], list[MappingProblem]]:
    """The O*NET occupations of the CSV by code, or the problems that prevent reading it."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return {}, [MappingProblem(path, f"cannot be read ({error})")]
    missing = [column for column in _ONET_COLUMNS if column not in header]
    if missing:
        return {}, [MappingProblem(path, f"column {', '.join(missing)} is missing")]
    occupations: dict[str, OnetOccupation] = {}
    problems: list[MappingProblem] = []
    low, high = ONET_RANGE
    for number, row in enumerate(rows, start=2):
        code = row["onet_soc_code"]
        try:
            values = [Fraction(row[letter]) for letter in RIASEC]
        except (ValueError, ZeroDivisionError):
            problems.append(MappingProblem(path, f"line {number} ({code}): the scores must be numbers"))
            continue
        if not all(low <= value <= high for value in values):
            problems.append(MappingProblem(path, f"line {number} ({code}): scores must lie from 1 to 7"))
            continue
        if code in occupations:
            problems.append(MappingProblem(path, f"line {number}: the code {code} appears twice"))
            continue
        occupations[code] = OnetOccupation(
            code, row["title_en"], (values[0], values[1], values[2], values[3], values[4], values[5])
        )
    return occupations, problems


def mapping_files(directory: Path) -> list[Path]:
    """`onet_mapping.yaml` and any part files (`onet_mapping_part2.yaml`) in `directory`."""
    return sorted(directory.glob(MAPPING_GLOB)) if directory.is_dir() else []


def check_mapping_data(
    path: Path, data: object, onet: Mapping[str, OnetOccupation] | None
) -> tuple[dict[str, InterestMapping], list[MappingProblem]]:
    """The entries of one parsed mapping file and its problems. With `onet`, every code must be
    one of its occupations."""

    def problem(message: str) -> None:
        problems.append(MappingProblem(path, message))

    problems: list[MappingProblem] = []
    if (
        not isinstance(data, Mapping)
        or set(data) != {"occupations"}
        or not isinstance(data["occupations"], Mapping)
    ):
        return {}, [MappingProblem(path, "the file must hold one key, occupations, mapping slugs to entries")]
    result: dict[str, InterestMapping] = {}
    for slug, entry in data["occupations"].items():
        where = f"occupations.{slug}"
        if not isinstance(entry, Mapping):
            problem(f"{where} must be a mapping with onet (and adjust and why where needed)")
            continue
        for key in sorted(str(key) for key in entry if key not in _MAPPING_KEYS):
            problem(f"{where}.{key} is not a known field (typo?)")
        codes = entry.get("onet")
        if (
            not isinstance(codes, list)
            or not 1 <= len(codes) <= MAX_ONET_CODES
            or not all(isinstance(code, str) for code in codes)
        ):
            problem(f"{where}.onet must list 1 to {MAX_ONET_CODES} O*NET-SOC codes in quotes")
            continue
        if len(set(codes)) != len(codes):
            problem(f"{where}.onet lists a code more than once")
            continue
        unknown = [code for code in codes if onet is not None and code not in onet]
        for code in unknown:
            problem(f"{where}.onet: '{code}' is not an occupation of the O*NET interest data")
        adjust = entry.get("adjust", {})
        adjust_ok = isinstance(adjust, Mapping) and all(
            letter in RIASEC
            and isinstance(points, int)
            and not isinstance(points, bool)
            and -ADJUST_LIMIT <= points <= ADJUST_LIMIT
            for letter, points in adjust.items()
        )
        if not adjust_ok:
            problem(
                f"{where}.adjust must map RIASEC letters to whole points "
                f"from -{ADJUST_LIMIT} to +{ADJUST_LIMIT}"
            )
        why = entry.get("why")
        if why is not None and (not isinstance(why, str) or not why.strip()):
            problem(f"{where}.why must be a text")
            why = None
        if adjust_ok and adjust and why is None:
            problem(f"{where}.why is missing: every adjust needs its reason")
        if unknown or not adjust_ok:
            continue
        result[str(slug)] = InterestMapping(
            slug=str(slug), onet=tuple(codes), adjust=dict(adjust), why=why, source=path
        )
    return result, problems


def merge_mappings(
    parts: Iterable[tuple[Path, Mapping[str, InterestMapping]]],
) -> tuple[dict[str, InterestMapping], list[MappingProblem]]:
    """One mapping from several files; a slug mapped in two files is a problem."""
    merged: dict[str, InterestMapping] = {}
    problems: list[MappingProblem] = []
    for path, entries in parts:
        for slug, entry in entries.items():
            if slug in merged:
                problems.append(
                    MappingProblem(path, f"occupations.{slug} is also mapped in {merged[slug].source.name}")
                )
            else:
                merged[slug] = entry
    return merged, problems


def load_reference(
    mapping_dir: Path, onet_path: Path, read_yaml: Callable[[Path], tuple[Any, Sequence[Any]]]
) -> tuple[dict[str, InterestMapping], dict[str, OnetOccupation], list[MappingProblem]]:
    """The merged mapping of every file in `mapping_dir`, the O*NET occupations, and all problems.

    `read_yaml(path) -> (data, problems)` parses a file (the loader's strict reader, which refuses
    repeated keys); each problem has a `message`."""
    onet, problems = read_onet(onet_path)
    parts: list[tuple[Path, Mapping[str, InterestMapping]]] = []
    files = mapping_files(mapping_dir)
    if not files:
        problems.append(MappingProblem(mapping_dir, "no O*NET mapping file (onet_mapping.yaml) found"))
    for path in files:
        data, read_problems = read_yaml(path)
        if read_problems:
            problems.extend(MappingProblem(path, str(problem.message)) for problem in read_problems)
            continue
        entries, entry_problems = check_mapping_data(path, data, onet if onet else None)
        problems.extend(entry_problems)
        parts.append((path, entries))
    merged, merge_problems = merge_mappings(parts)
    return merged, onet, problems + merge_problems
