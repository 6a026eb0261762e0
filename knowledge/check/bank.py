"""Read the career-choice check: its item bank, interest types and answer scale, and understand
the words pupils type instead of pressing a button (answers.yaml).

The texts live in `items.yaml`, `types.yaml` and `answers.yaml` next to this module; this module
holds no text a pupil reads. It needs nothing but the standard library, PyYAML and the pure-Python
answer reader of nlu.readers.answer_text (which builds its tables from answers.yaml and finds the
phrases that read the same once normalised). Loaders are pure functions that check what they read
and raise `CheckBankError` listing every problem at once. Reading typed answers with the default
scale: nlu.readers.check_answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from knowledge.loader import read_yaml
from knowledge.schema import LANGUAGES, LocalizedText
from nlu.readers.answer_text import (
    COMMANDS,
    Command,
    FreeTextReader,
    Reading,
    WordKind,
    normalize_answer_text,
    tokenize_answer_text,
)

CHECK_DIR = Path(__file__).resolve().parent
ITEMS_PATH = CHECK_DIR / "items.yaml"
TYPES_PATH = CHECK_DIR / "types.yaml"
ANSWERS_PATH = CHECK_DIR / "answers.yaml"
PROFESSIONS_DIR = CHECK_DIR.parent / "professions"

RIASEC: tuple[str, ...] = ("R", "I", "A", "S", "E", "C")
SCALE_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5)
CheckKind = Literal["quick", "full"]

_ITEM_ID = re.compile(r"^[riasec][0-9]{2}$")
_ITEM_FIELDS = frozenset({"id", "type", "quick", "de", "en", "example_occupation", "occupations"})
# How many occupations one item may stand for.
ITEM_OCCUPATIONS = (2, 6)


class CheckBankError(Exception):
    """The check's files have problems; `problems` lists all of them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


# -- shapes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    """One work activity the pupil rates, e.g. "Einen Traktor reparieren"."""

    id: str
    type: str  # one letter of RIASEC
    quick: bool  # part of the quick check
    text: LocalizedText
    example_occupation: str  # slug of the profile the activity is taken from
    # The occupations the activity stands for, the example occupation first (evidence for matching).
    occupations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemBank:
    """All items, and the fixed order in which the quick and the full check present them."""

    items: tuple[CheckItem, ...]  # in the order of items.yaml
    quick_order: tuple[str, ...]
    full_order: tuple[str, ...]

    def item(self, item_id: str) -> CheckItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def sequence(self, kind: CheckKind) -> tuple[CheckItem, ...]:
        """The items of the quick or the full check, in presentation order."""
        if kind not in ("quick", "full"):
            raise ValueError(f"unknown check kind: {kind!r}")
        order = self.quick_order if kind == "quick" else self.full_order
        return tuple(self.item(item_id) for item_id in order)

    def of_type(self, code: str) -> tuple[CheckItem, ...]:
        return tuple(item for item in self.items if item.type == code)


@dataclass(frozen=True)
class InterestType:
    code: str
    name: LocalizedText
    short: LocalizedText  # one word, for the axis of the result chart
    emoji: str
    explanation: LocalizedText  # one sentence for the result
    reason: LocalizedText  # a clause for "why this occupation fits"


@dataclass(frozen=True)
class InterestTypes:
    types: tuple[InterestType, ...]  # in the order R, I, A, S, E, C
    reason_one: LocalizedText  # template with {first}
    reason_two: LocalizedText  # template with {first} and {second}
    reason_item: LocalizedText  # template with {item} and {answer}: the item stands for the job
    reason_item_related: LocalizedText  # the same for an item of a close occupation
    reason_with_task: LocalizedText  # template with {reason} and {task}
    reason_item_again: LocalizedText  # template with {item} and {task}

    def get(self, code: str) -> InterestType:
        for interest_type in self.types:
            if interest_type.code == code:
                return interest_type
        raise KeyError(code)

    def fit_reason(self, codes: Sequence[str], language: str) -> str:
        """Why an occupation fits, from the one or two type codes it shares with the pupil (the
        strongest first; further codes are left out so the line stays short)."""
        if not codes:
            raise ValueError("fit_reason needs at least one type code")
        first = self.get(codes[0]).reason.get(language)
        if len(codes) == 1 or codes[1] == codes[0]:
            return self.reason_one.get(language).format(first=first)
        second = self.get(codes[1]).reason.get(language)
        return self.reason_two.get(language).format(first=first, second=second)

    def item_reason(self, item: str, answer: str, language: str, *, related: bool = False) -> str:
        """Why an occupation fits, from one of the pupil's own answers ("Du hast „…“ mit „…“
        beantwortet.")."""
        template = self.reason_item_related if related else self.reason_item
        return template.get(language).format(item=item, answer=answer)

    def item_again(self, item: str, task: str, language: str) -> str:
        """An item that explains an occupation before this one too, with one of this one's tasks."""
        return self.reason_item_again.get(language).format(item=item, task=task.rstrip(". "))

    def with_task(self, reason: str, task: str, language: str) -> str:
        """A type reason with one of the occupation's own tasks ("... Zum Beispiel: Dächer decken.")."""
        return self.reason_with_task.get(language).format(reason=reason, task=task.rstrip(". "))


@dataclass(frozen=True)
class AnswerOption:
    value: int
    meaning: LocalizedText  # "mag ich gar nicht"
    button: LocalizedText  # "😖 gar nicht"


@dataclass(frozen=True)
class CommandOption:
    name: Command
    button: LocalizedText
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class AnswerPhrase:
    text: str  # as written in answers.yaml
    value: int


@dataclass(frozen=True)
class AnswerScale:
    options: tuple[AnswerOption, ...]  # values 1..5 in order
    phrases: tuple[AnswerPhrase, ...]
    commands: tuple[CommandOption, ...]
    negators: tuple[str, ...]
    liking_words: tuple[str, ...]
    filler_words: tuple[str, ...]
    reader: FreeTextReader = field(compare=False, repr=False)

    def option(self, value: int) -> AnswerOption:
        for option in self.options:
            if option.value == value:
                return option
        raise KeyError(value)

    def command(self, name: str) -> CommandOption:
        for command in self.commands:
            if command.name == name:
                return command
        raise KeyError(name)

    def interpret(self, text: str) -> Reading | None:
        """The value (1..5) or command a typed message stands for; None when unsure (read by
        nlu.readers.answer_text.FreeTextReader)."""
        return self.reader.read(text)


# -- reading files --------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    """The parsed file (the knowledge loader's strict reader); a file that cannot be read is an error."""
    data, problems = read_yaml(path)
    if problems:
        raise CheckBankError([f"{path.name}: {problem.message}" for problem in problems])
    return data


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _localized(value: object, where: str, problems: list[str]) -> LocalizedText:
    texts = (
        {language: _text(value.get(language)) for language in LANGUAGES} if isinstance(value, dict) else {}
    )
    missing = [language for language in LANGUAGES if not texts.get(language)]
    if missing:
        problems.append(f"{where}: text missing in {', '.join(missing)}")
    return LocalizedText(de=texts.get("de") or "", en=texts.get("en") or "")


def _is_interleaved(items: Sequence[CheckItem]) -> bool:
    return [item.type for item in items] == [RIASEC[index % len(RIASEC)] for index in range(len(items))]


# -- items ----------------------------------------------------------------------------------


def _item_from_data(
    entry: object, index: int, professions_dir: Path, problems: list[str]
) -> CheckItem | None:
    if not isinstance(entry, dict):
        problems.append(f"items.yaml: item {index + 1} is not a mapping")
        return None
    item_id = entry.get("id")
    where = f"items.yaml: {item_id if isinstance(item_id, str) else f'item {index + 1}'}"
    keys = set(entry)
    if keys != _ITEM_FIELDS:
        wrong = sorted(map(str, keys ^ _ITEM_FIELDS))
        problems.append(f"{where}: fields must be {sorted(_ITEM_FIELDS)}, check {wrong}")
    item_type = entry.get("type")
    if item_type not in RIASEC:
        problems.append(f"{where}: type must be one of {''.join(RIASEC)}")
    if not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
        problems.append(f"{where}: id must be a type letter and two digits, e.g. r01")
    elif item_type in RIASEC and item_id[0] != str(item_type).lower():
        problems.append(f"{where}: id must start with the letter of its type {item_type}")
    quick = entry.get("quick")
    if not isinstance(quick, bool):
        problems.append(f"{where}: quick must be true or false")
    text = _localized(entry, where, problems)
    slug = entry.get("example_occupation")
    if not isinstance(slug, str) or not (professions_dir / f"{slug}.yaml").is_file():
        problems.append(f"{where}: example_occupation {slug!r} is not a profile in knowledge/professions")
    occupations = _item_occupations(entry.get("occupations"), slug, where, professions_dir, problems)
    return CheckItem(
        id=str(item_id),
        type=str(item_type),
        quick=bool(quick),
        text=text,
        example_occupation=str(slug),
        occupations=occupations,
    )


def _item_occupations(
    raw: object, example: object, where: str, professions_dir: Path, problems: list[str]
) -> tuple[str, ...]:
    low, high = ITEM_OCCUPATIONS
    if not isinstance(raw, list) or not all(isinstance(slug, str) for slug in raw):
        problems.append(f"{where}: occupations must be a list of profile slugs")
        return ()
    slugs = tuple(raw)
    if not low <= len(slugs) <= high:
        problems.append(f"{where}: occupations names {low} to {high} profiles, not {len(slugs)}")
    if len(set(slugs)) != len(slugs):
        problems.append(f"{where}: occupations lists a profile twice")
    if slugs and slugs[0] != example:
        problems.append(f"{where}: occupations must start with the example occupation {example!r}")
    missing = [slug for slug in slugs if not (professions_dir / f"{slug}.yaml").is_file()]
    if missing:
        problems.append(f"{where}: occupations {missing} are not profiles in knowledge/professions")
    return slugs


def _order(data: object, kind: str, by_id: Mapping[str, CheckItem], problems: list[str]) -> tuple[str, ...]:
    ids = data.get(kind) if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(item_id, str) for item_id in ids):
        problems.append(f"items.yaml: order.{kind} must be a list of item ids")
        return ()
    unknown = [item_id for item_id in ids if item_id not in by_id]
    if unknown:
        problems.append(f"items.yaml: order.{kind} names unknown items {unknown}")
        return ()
    if len(set(ids)) != len(ids):
        problems.append(f"items.yaml: order.{kind} lists an item twice")
    expected = {item_id for item_id, item in by_id.items() if item.quick or kind == "full"}
    if set(ids) != expected:
        problems.append(
            f"items.yaml: order.{kind} must list exactly the {kind} items, "
            f"check {sorted(set(ids) ^ expected)}"
        )
    if not _is_interleaved([by_id[item_id] for item_id in ids]):
        problems.append(
            f"items.yaml: order.{kind} must take the types in turn: {' '.join(RIASEC)} {RIASEC[0]} ..."
        )
    return tuple(ids)


def load_items(path: Path | None = None, *, professions_dir: Path | None = None) -> ItemBank:
    """The item bank of items.yaml. Checks that every type has the same number of items and of
    quick items, ids are unique, texts exist in both languages, example occupations are profiles,
    and both orders take the types in turn with the full check starting with the quick check."""
    path = path or ITEMS_PATH
    professions_dir = professions_dir or PROFESSIONS_DIR
    data = _read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CheckBankError(["items.yaml: needs `items` (a list) and `order`"])
    items = [
        _item_from_data(entry, index, professions_dir, problems) for index, entry in enumerate(data["items"])
    ]
    bank_items = tuple(item for item in items if item is not None)
    by_id: dict[str, CheckItem] = {}
    for item in bank_items:
        if item.id in by_id:
            problems.append(f"items.yaml: id {item.id} is used twice")
        by_id[item.id] = item
    per_type = {code: [item for item in bank_items if item.type == code] for code in RIASEC}
    if len({len(of_type) for of_type in per_type.values()}) != 1 or not per_type[RIASEC[0]]:
        counts = {code: len(of_type) for code, of_type in per_type.items()}
        problems.append(f"items.yaml: every type needs the same number of items, found {counts}")
    quick_counts = {code: sum(item.quick for item in of_type) for code, of_type in per_type.items()}
    if len(set(quick_counts.values())) != 1 or not quick_counts[RIASEC[0]]:
        problems.append(f"items.yaml: every type needs the same number of quick items, found {quick_counts}")
    quick_order = _order(data.get("order"), "quick", by_id, problems)
    full_order = _order(data.get("order"), "full", by_id, problems)
    if quick_order and full_order and full_order[: len(quick_order)] != quick_order:
        problems.append("items.yaml: order.full must start with order.quick")
    if problems:
        raise CheckBankError(problems)
    return ItemBank(items=bank_items, quick_order=quick_order, full_order=full_order)


# -- types ----------------------------------------------------------------------------------


def load_types(path: Path | None = None) -> InterestTypes:
    """The six interest types of types.yaml (in the order R, I, A, S, E, C) and the templates for
    saying why an occupation fits."""
    path = path or TYPES_PATH
    data = _read_yaml(path)
    problems: list[str] = []
    entries = data.get("types") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or set(entries) != set(RIASEC):
        raise CheckBankError([f"types.yaml: `types` must have exactly the codes {' '.join(RIASEC)}"])
    types: list[InterestType] = []
    for code in RIASEC:
        entry = entries[code] if isinstance(entries[code], dict) else {}
        where = f"types.yaml: {code}"
        emoji = _text(entry.get("emoji"))
        if emoji is None:
            problems.append(f"{where}: emoji missing")
        types.append(
            InterestType(
                code=code,
                name=_localized(entry.get("name"), f"{where}.name", problems),
                short=_localized(entry.get("short"), f"{where}.short", problems),
                emoji=emoji or "",
                explanation=_localized(entry.get("explanation"), f"{where}.explanation", problems),
                reason=_localized(entry.get("reason"), f"{where}.reason", problems),
            )
        )
    templates = data.get("reason_templates") if isinstance(data.get("reason_templates"), dict) else {}
    reason_one = _localized(templates.get("one"), "types.yaml: reason_templates.one", problems)
    reason_two = _localized(templates.get("two"), "types.yaml: reason_templates.two", problems)
    reason_item = _localized(templates.get("item"), "types.yaml: reason_templates.item", problems)
    reason_item_related = _localized(
        templates.get("item_related"), "types.yaml: reason_templates.item_related", problems
    )
    reason_with_task = _localized(
        templates.get("with_task"), "types.yaml: reason_templates.with_task", problems
    )
    reason_item_again = _localized(
        templates.get("item_again"), "types.yaml: reason_templates.item_again", problems
    )
    for name, template, placeholders in (
        ("one", reason_one, ("{first}",)),
        ("two", reason_two, ("{first}", "{second}")),
        ("item", reason_item, ("{item}", "{answer}")),
        ("item_related", reason_item_related, ("{item}", "{answer}")),
        ("with_task", reason_with_task, ("{reason}", "{task}")),
        ("item_again", reason_item_again, ("{item}", "{task}")),
    ):
        for language in LANGUAGES:
            text = template.get(language)
            if text and not all(text.count(placeholder) == 1 for placeholder in placeholders):
                problems.append(
                    f"types.yaml: reason_templates.{name}.{language} needs {' and '.join(placeholders)}"
                )
    if problems:
        raise CheckBankError(problems)
    return InterestTypes(
        types=tuple(types),
        reason_one=reason_one,
        reason_two=reason_two,
        reason_item=reason_item,
        reason_item_related=reason_item_related,
        reason_with_task=reason_with_task,
        reason_item_again=reason_item_again,
    )


# -- answers --------------------------------------------------------------------------------


def _strings(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append(f"{where}: must be a list")
        return ()
    texts: list[str] = []
    for entry in value:
        text = _text(entry)
        if text is None:
            # An unquoted yes/no/on/off would arrive here as a boolean.
            problems.append(f"{where}: {entry!r} is not a text (put it in quotes)")
        else:
            texts.append(text)
    return tuple(texts)


def _scale_options(data: object, problems: list[str]) -> tuple[AnswerOption, ...]:
    if not isinstance(data, list) or [
        entry.get("value") if isinstance(entry, dict) else None for entry in data
    ] != list(SCALE_VALUES):
        problems.append(f"answers.yaml: scale must list the values {list(SCALE_VALUES)} in order")
        return ()
    return tuple(
        AnswerOption(
            value=entry["value"],
            meaning=_localized(
                entry.get("meaning"), f"answers.yaml: scale {entry['value']}.meaning", problems
            ),
            button=_localized(entry.get("button"), f"answers.yaml: scale {entry['value']}.button", problems),
        )
        for entry in data
    )


def _phrase_table(
    labelled: Sequence[tuple[str, Reading]], words: Mapping[str, WordKind], problems: list[str]
) -> dict[tuple[str, ...], Reading]:
    table: dict[tuple[str, ...], Reading] = {}
    written: dict[tuple[str, ...], str] = {}
    for text, label in labelled:
        key = tokenize_answer_text(normalize_answer_text(text))
        if not key:
            problems.append(f"answers.yaml: {text!r} is empty once normalised")
            continue
        if key in table and table[key] != label:
            problems.append(
                f"answers.yaml: {text!r} ({label}) and {written[key]!r} ({table[key]}) "
                "read the same once normalised"
            )
            continue
        if len(key) == 1 and key[0] in words:
            problems.append(f"answers.yaml: {text!r} is also listed as a {words[key[0]]} word")
        table[key] = label
        written.setdefault(key, text)
    return table


def _word_table(lists: Mapping[WordKind, Sequence[str]], problems: list[str]) -> dict[str, WordKind]:
    words: dict[str, WordKind] = {}
    for kind, entries in lists.items():
        for entry in entries:
            tokens = tokenize_answer_text(normalize_answer_text(entry))
            if len(tokens) != 1:
                problems.append(f"answers.yaml: {kind} word {entry!r} must be one word")
                continue
            if tokens[0] in words and words[tokens[0]] != kind:
                problems.append(f"answers.yaml: {entry!r} is both a {words[tokens[0]]} and a {kind} word")
                continue
            words[tokens[0]] = kind
    return words


def load_answer_scale(path: Path | None = None) -> AnswerScale:
    """The five answers with their buttons, the typed phrases for each value, and the commands."""
    path = path or ANSWERS_PATH
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise CheckBankError(["answers.yaml: must be a mapping"])
    problems: list[str] = []
    options = _scale_options(data.get("scale"), problems)

    answers = data.get("answers")
    phrases: list[AnswerPhrase] = []
    if not isinstance(answers, dict) or set(answers) != set(SCALE_VALUES):
        problems.append(f"answers.yaml: answers must have the values {list(SCALE_VALUES)}")
    else:
        for value in SCALE_VALUES:
            phrases.extend(
                AnswerPhrase(text, value)
                for text in _strings(answers[value], f"answers.yaml: answers {value}", problems)
            )

    raw_commands = data.get("commands")
    commands: list[CommandOption] = []
    if not isinstance(raw_commands, dict) or set(raw_commands) != set(COMMANDS):
        problems.append(f"answers.yaml: commands must be exactly {list(COMMANDS)}")
    else:
        for name in COMMANDS:
            entry = raw_commands[name] if isinstance(raw_commands[name], dict) else {}
            commands.append(
                CommandOption(
                    name=name,
                    button=_localized(entry.get("button"), f"answers.yaml: commands.{name}.button", problems),
                    phrases=_strings(
                        entry.get("phrases"), f"answers.yaml: commands.{name}.phrases", problems
                    ),
                )
            )

    negators = _strings(data.get("negators"), "answers.yaml: negators", problems)
    liking_words = _strings(data.get("liking_words"), "answers.yaml: liking_words", problems)
    filler_words = _strings(data.get("filler_words"), "answers.yaml: filler_words", problems)
    words = _word_table({"negator": negators, "like": liking_words, "filler": filler_words}, problems)
    labelled: list[tuple[str, Reading]] = [(phrase.text, phrase.value) for phrase in phrases]
    labelled.extend((text, command.name) for command in commands for text in command.phrases)
    table = _phrase_table(labelled, words, problems)
    if problems:
        raise CheckBankError(problems)
    return AnswerScale(
        options=options,
        phrases=tuple(phrases),
        commands=tuple(commands),
        negators=negators,
        liking_words=liking_words,
        filler_words=filler_words,
        reader=FreeTextReader(table, words),
    )
