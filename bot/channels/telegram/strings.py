"""The bridge's own pupil-facing texts: one table per language in `strings.yml`, checked on load.

Python only names the texts (`Text`) and the menu commands (`MENU_COMMANDS`); the words live in the
YAML file so that they are reviewed like the Rasa domain.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
DEFAULT_LANGUAGE: Language = "de"

STRINGS_PATH = Path(__file__).with_name("strings.yml")

# The bot's command menu, in menu order. Telegram allows [a-z0-9_]{1,32}, hence no umlauts.
MENU_COMMANDS: tuple[str, ...] = ("start", "hilfe", "neustart", "sprache", "meine_daten", "daten_loeschen")
COMMAND_DESCRIPTION_LIMIT = 256
# Placeholders a text may use; filled by the bridge, never by the pupil.
ALLOWED_PLACEHOLDERS = frozenset({"commands", "search", "place", "radius", "title", "company", "count"})


class Text(StrEnum):
    """Keys of the texts in `strings.yml`."""

    RASA_UNAVAILABLE = "rasa_unavailable"
    GROUP_DECLINED = "group_declined"
    STICKER_RECEIVED = "sticker_received"
    VOICE_RECEIVED = "voice_received"
    MEDIA_RECEIVED = "media_received"
    UNKNOWN_COMMAND = "unknown_command"
    BUTTON_EXPIRED = "button_expired"
    IMAGE_UNAVAILABLE = "image_unavailable"
    DOCUMENT_UNAVAILABLE = "document_unavailable"
    MESSAGE_TOO_LONG = "message_too_long"  # names bot.channels.message_limits.MAX_MESSAGE_CHARS
    MESSAGE_UNREADABLE = "message_unreadable"
    DELETE_CONFIRM = "delete_confirm"
    DELETE_CONFIRM_YES = "delete_confirm_yes"
    DELETE_CONFIRM_NO = "delete_confirm_no"
    DELETE_DONE = "delete_done"
    DELETE_NOTHING_STORED = "delete_nothing_stored"
    DELETE_FAILED = "delete_failed"
    DELETE_CANCELLED = "delete_cancelled"
    # Alerts of saved searches (bot/channels/telegram/alerts.py)
    ALERT_INTRO = "alert_intro"  # {search}
    ALERT_SEARCH_NEAR = "alert_search_near"  # {search}, {place}, {radius}
    ALERT_OFFER = "alert_offer"  # {title}, {company}, {place}
    ALERT_MORE = "alert_more"  # {count}
    ALERT_OUTRO = "alert_outro"
    ALERT_STOP_BUTTON = "alert_stop_button"


class StringsError(ValueError):
    """`strings.yml` is incomplete or inconsistent; the message lists every problem."""


def language_for(language_code: str | None) -> Language:
    """The table for a Telegram `language_code` ("en", "en-GB", "de-AT", None): English for English,
    German for everything else, like the assistant itself."""
    if language_code and language_code.lower().split("-")[0] == "en":
        return "en"
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Strings:
    texts: Mapping[Language, Mapping[Text, str]]
    commands: Mapping[Language, Mapping[str, str]]

    def text(self, key: Text, language: Language) -> str:
        """The text for `key`; the {commands} placeholder becomes the command menu."""
        template = self.texts[language][key]
        if "{" not in template:
            return template
        return template.format(commands=self.command_list(language))

    def fill(self, key: Text, language: Language, **values: object) -> str:
        """The text for `key` with its placeholders filled by the bridge (never by a pupil)."""
        return self.texts[language][key].format(commands=self.command_list(language), **values)

    def command_list(self, language: Language) -> str:
        return "\n".join(f"/{name} – {description}" for name, description in self.menu(language))

    def menu(self, language: Language) -> list[tuple[str, str]]:
        """(command, description) pairs in menu order."""
        return [(name, self.commands[language][name]) for name in MENU_COMMANDS]


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _check_table(language: str, table: object, problems: list[str]) -> tuple[dict[Text, str], dict[str, str]]:
    texts: dict[Text, str] = {}
    commands: dict[str, str] = {}
    if not isinstance(table, dict):
        problems.append(f"{language}: expected a mapping with 'texts' and 'commands'")
        return texts, commands
    raw_texts = table.get("texts") or {}
    raw_commands = table.get("commands") or {}
    if not isinstance(raw_texts, dict) or not isinstance(raw_commands, dict):
        problems.append(f"{language}: 'texts' and 'commands' must be mappings")
        return texts, commands
    known = {key.value for key in Text}
    for key in sorted(known - raw_texts.keys()):
        problems.append(f"{language}.texts: {key} is missing")
    for key in sorted(raw_texts.keys() - known):
        problems.append(f"{language}.texts: {key} is not used by the bridge")
    for key, value in raw_texts.items():
        if key not in known:
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{language}.texts.{key}: must be a non-empty text")
            continue
        try:
            unknown = _placeholders(value) - ALLOWED_PLACEHOLDERS
        except ValueError as exc:
            problems.append(f"{language}.texts.{key}: broken placeholder ({exc})")
            continue
        if unknown:
            problems.append(f"{language}.texts.{key}: unknown placeholders {sorted(unknown)}")
        texts[Text(key)] = value
    for name in MENU_COMMANDS:
        if name not in raw_commands:
            problems.append(f"{language}.commands: {name} is missing")
    for name, description in raw_commands.items():
        if name not in MENU_COMMANDS:
            problems.append(f"{language}.commands: {name} is not in the menu")
        elif not isinstance(description, str) or not 0 < len(description) <= COMMAND_DESCRIPTION_LIMIT:
            problems.append(f"{language}.commands.{name}: needs 1-{COMMAND_DESCRIPTION_LIMIT} characters")
        else:
            commands[name] = description
    return texts, commands


def load_strings(path: Path = STRINGS_PATH) -> Strings:
    """Read and check the tables: every key in every language, the same placeholders everywhere."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise StringsError(f"{path}: expected one table per language")
    for language in sorted(set(raw) - set(LANGUAGES)):
        problems.append(f"{language}: not a language of the bridge")
    texts: dict[Language, dict[Text, str]] = {}
    commands: dict[Language, dict[str, str]] = {}
    for language in LANGUAGES:
        if language not in raw:
            problems.append(f"{language}: table is missing")
            continue
        texts[language], commands[language] = _check_table(language, raw[language], problems)
    if not problems:
        for key in Text:
            variants = {language: _placeholders(texts[language][key]) for language in LANGUAGES}
            if len({frozenset(found) for found in variants.values()}) > 1:
                problems.append(f"texts.{key.value}: placeholders differ between languages: {variants}")
    if problems:
        raise StringsError(f"{path}:\n" + "\n".join(f"- {problem}" for problem in problems))
    return Strings(texts=texts, commands=commands)
