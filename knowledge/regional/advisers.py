"""Read and check the region's advisers (`advisers.yaml`): who a pupil can talk to in person.

Contact details are optional and only allowed with the public page they were read on
(`verified_by`), so nothing unverified reaches a pupil. Needs only the standard library and PyYAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.schema import LANGUAGES, LocalizedText
from knowledge.validate import PLACEHOLDER, Problem

ADVISERS_PATH = Path(__file__).resolve().parent / "advisers.yaml"
CONTACT_KINDS: tuple[str, ...] = ("phone", "email", "web", "address")
_TEXT_KEYS = ("name", "about", "how")
_ADVISER_KEYS = frozenset({"key", *LANGUAGES, "contacts", "source"})


@dataclass(frozen=True)
class Contact:
    kind: str
    value: str
    verified_by: str


@dataclass(frozen=True)
class Adviser:
    key: str
    name: LocalizedText
    about: LocalizedText
    how: LocalizedText
    contacts: tuple[Contact, ...]
    source_name: str
    source_url: str


@dataclass(frozen=True)
class Advisers:
    intro: LocalizedText
    advisers: tuple[Adviser, ...]


class AdvisersError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and PLACEHOLDER not in value


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith("https://")


def check_advisers(path: Path, data: object) -> list[Problem]:
    """Problems of the parsed advisers file."""
    if not isinstance(data, Mapping) or set(data) != {"intro", "advisers"}:
        return [Problem(path, "must have exactly the fields intro and advisers")]
    problems: list[Problem] = []
    intro = data["intro"]
    if not isinstance(intro, Mapping) or not all(_is_text(intro.get(lang)) for lang in LANGUAGES):
        problems.append(Problem(path, "intro needs a text in German and English"))
    advisers = data["advisers"]
    if not isinstance(advisers, list) or not advisers:
        return [*problems, Problem(path, "advisers must be a non-empty list")]
    seen: set[str] = set()
    for number, adviser in enumerate(advisers, start=1):
        where = f"advisers[{number}]"
        if not isinstance(adviser, Mapping) or set(adviser) != _ADVISER_KEYS:
            problems.append(Problem(path, f"{where} must have exactly the fields {sorted(_ADVISER_KEYS)}"))
            continue
        key = adviser["key"]
        if not _is_text(key) or key in seen:
            problems.append(Problem(path, f"{where}.key must be a unique text"))
        seen.add(str(key))
        for language in LANGUAGES:
            text = adviser[language]
            if not isinstance(text, Mapping) or not all(_is_text(text.get(field)) for field in _TEXT_KEYS):
                problems.append(Problem(path, f"{where}.{language} needs the texts {', '.join(_TEXT_KEYS)}"))
        contacts = adviser["contacts"]
        if not isinstance(contacts, list):
            message = f"{where}.contacts must be a list (empty when nothing is verified)"
            problems.append(Problem(path, message))
        else:
            for index, contact in enumerate(contacts, start=1):
                here = f"{where}.contacts[{index}]"
                if (
                    not isinstance(contact, Mapping)
                    or set(contact) != {"kind", "value", "verified_by"}
                    or contact["kind"] not in CONTACT_KINDS
                    or not _is_text(contact["value"])
                ):
                    problems.append(
                        Problem(path, f"{here} needs kind ({'/'.join(CONTACT_KINDS)}), value and verified_by")
                    )
                elif not _is_url(contact["verified_by"]):
                    message = f"{here}.verified_by must be the https:// page it was read on"
                    problems.append(Problem(path, message))
        source = adviser["source"]
        named = isinstance(source, Mapping) and _is_text(source.get("name"))
        if not named or not _is_url(source.get("url")):
            problems.append(Problem(path, f"{where}.source needs a name and an https:// url"))
    return problems


def _localized(adviser: Mapping[str, Any], field: str) -> LocalizedText:
    return LocalizedText(adviser["de"][field].strip(), adviser["en"][field].strip())


def load_advisers(path: Path | None = None) -> Advisers:
    """The advisers; raises AdvisersError listing every problem."""
    from knowledge.loader import read_yaml  # late: the loader imports the validator

    path = path or ADVISERS_PATH
    data, problems = read_yaml(path)
    if not problems:
        problems = check_advisers(path, data)
    if problems:
        raise AdvisersError(problems)
    return Advisers(
        LocalizedText(data["intro"]["de"].strip(), data["intro"]["en"].strip()),
        tuple(
            Adviser(
                key=adviser["key"],
                name=_localized(adviser, "name"),
                about=_localized(adviser, "about"),
                how=_localized(adviser, "how"),
                contacts=tuple(Contact(c["kind"], c["value"], c["verified_by"]) for c in adviser["contacts"]),
                source_name=adviser["source"]["name"],
                source_url=adviser["source"]["url"],
            )
            for adviser in data["advisers"]
        ),
    )


def adviser_problems(knowledge_dir: Path | None = None) -> list[Problem]:
    from knowledge.loader import KNOWLEDGE_DIR, read_yaml

    path = (knowledge_dir or KNOWLEDGE_DIR) / "regional" / "advisers.yaml"
    data, problems = read_yaml(path)
    return problems or check_advisers(path, data)


def render_handoff(advisers: Advisers, language: str) -> str:
    """The answer to "I want to talk to a person": the intro, then one bullet per adviser."""
    lines = [advisers.intro.get(language)]
    for adviser in advisers.advisers:
        line = f"• {adviser.name.get(language)}: {adviser.about.get(language)} {adviser.how.get(language)}"
        details = [contact.value for contact in adviser.contacts]
        if details:
            line += " " + ", ".join(details)
        lines.append(line)
    return "\n".join(lines)
