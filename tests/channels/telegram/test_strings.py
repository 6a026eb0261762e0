"""The bridge's own texts: one table per language, complete and consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.telegram.strings import (
    LANGUAGES,
    MENU_COMMANDS,
    STRINGS_PATH,
    StringsError,
    Text,
    language_for,
    load_strings,
)


def test_the_real_tables_are_complete() -> None:
    strings = load_strings()
    for language in LANGUAGES:
        assert set(strings.texts[language]) == set(Text)
        assert [name for name, _ in strings.menu(language)] == list(MENU_COMMANDS)
    assert strings.text(Text.RASA_UNAVAILABLE, "de").startswith("Ich bin gleich wieder da")
    assert strings.texts["de"][Text.GROUP_DECLINED] != strings.texts["en"][Text.GROUP_DECLINED]


def test_the_command_list_placeholder_is_filled_from_the_menu() -> None:
    strings = load_strings()
    text = strings.text(Text.UNKNOWN_COMMAND, "en")
    assert "{commands}" not in text
    assert "/daten_loeschen – Delete everything stored about me" in text
    assert "/hilfe – Was kann ich dich fragen?" in strings.text(Text.UNKNOWN_COMMAND, "de")


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("en", "en"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("tr", "de"),
        (None, "de"),
        ("", "de"),
    ],
)
def test_language_follows_the_telegram_app(code: str | None, language: str) -> None:
    assert language_for(code) == language


def test_a_broken_table_lists_every_problem(tmp_path: Path) -> None:
    source = STRINGS_PATH.read_text(encoding="utf-8")
    broken = (
        source.replace("    delete_cancelled: Okay, I won't delete anything.\n", "")
        .replace("Diesen Befehl kenne ich nicht.", "Diesen Befehl {befehl} kenne ich nicht.")
        .replace(
            "    sprache: Switch language (German/English)\n", "    sprache: ''\n    extra: Not in the menu\n"
        )
    )
    path = tmp_path / "strings.yml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(StringsError) as raised:
        load_strings(path)
    message = str(raised.value)
    assert "en.texts: delete_cancelled is missing" in message
    assert "de.texts.unknown_command: unknown placeholders ['befehl']" in message
    assert "en.commands.sprache: needs 1-256 characters" in message
    assert "en.commands: extra is not in the menu" in message


def test_placeholders_must_match_across_languages(tmp_path: Path) -> None:
    source = STRINGS_PATH.read_text(encoding="utf-8")
    path = tmp_path / "strings.yml"
    path.write_text(
        source.replace("You can use these:\n      {commands}", "You can use these."), encoding="utf-8"
    )
    with pytest.raises(StringsError, match=r"texts\.unknown_command: placeholders differ"):
        load_strings(path)
