"""The career-choice check's content: item bank, interest types, answer scale, and how typed answers
are understood. Runs on both runtimes (Python 3.10 for the Rasa engine, 3.12 for the services)."""

from __future__ import annotations

import importlib.util
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.check.bank import (
    ANSWERS_PATH,
    COMMANDS,
    ITEMS_PATH,
    PROFESSIONS_DIR,
    RIASEC,
    TYPES_PATH,
    CheckBankError,
    CheckItem,
    load_answer_scale,
    load_items,
    load_types,
)
from nlu.readers.check_answers import parse_check_command, parse_free_text_answer

# hypothesis is installed in the services' environment only, not in the Rasa engine's.
HAVE_HYPOTHESIS = importlib.util.find_spec("hypothesis") is not None

VOCAB_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "vocab.yaml"
BANK = load_items()
TYPES = load_types()
SCALE = load_answer_scale()
RAW_ANSWERS: dict[str, Any] = yaml.safe_load(ANSWERS_PATH.read_text(encoding="utf-8"))


def words(text: str) -> list[str]:
    return re.findall(r"[\wäöüß]+", text.lower())


# -- item bank ------------------------------------------------------------------------------


def test_every_type_has_eight_items_and_five_of_them_in_the_quick_check() -> None:
    assert len(BANK.items) == 48
    assert Counter(item.type for item in BANK.items) == dict.fromkeys(RIASEC, 8)
    assert Counter(item.type for item in BANK.items if item.quick) == dict.fromkeys(RIASEC, 5)


def test_item_ids_are_unique_and_start_with_their_type() -> None:
    ids = [item.id for item in BANK.items]
    assert len(set(ids)) == len(ids)
    for item in BANK.items:
        assert re.fullmatch(r"[riasec][0-9]{2}", item.id)
        assert item.id[0].upper() == item.type


@pytest.mark.parametrize("item", BANK.items, ids=lambda item: item.id)
def test_item_is_one_short_activity_in_both_languages(item: CheckItem) -> None:
    for text in (item.text.de, item.text.en):
        assert text and text == text.strip()
        assert len(text.split()) <= 8, text
        assert text[0].isupper() and not text.endswith((".", "!", "?")), text
        # One activity per item: no "X und Y".
        assert not {"und", "oder", "sowie", "and", "or"} & set(words(text)), text
        assert "&" not in text and "/" not in text, text
    assert item.text.de != item.text.en


MASCULINE_GENERICS = {
    # Generic masculine nouns that leave out half the readers; write "Kundschaft", "Menschen", ...
    "kunde", "kunden", "mitarbeiter", "patient", "patienten", "bürger", "schüler", "lehrer", "fahrer",
    "kollege", "kollegen", "besucher", "nutzer", "mieter", "käufer", "verkäufer", "chef", "mann", "frau",
    "junge", "mädchen", "he", "she", "his", "her", "him", "man", "woman", "men", "women", "boy", "girl",
    "guy",
}  # fmt: skip


@pytest.mark.parametrize("item", BANK.items, ids=lambda item: item.id)
def test_item_is_gender_neutral(item: CheckItem) -> None:
    for text in (item.text.de, item.text.en):
        assert not MASCULINE_GENERICS & set(words(text)), text
        assert not re.search(r"\w(/-?in|In|\*in|:in)\b", text), text


def test_no_item_is_a_school_subject() -> None:
    vocab = yaml.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))
    subjects = [text.lower() for label in vocab["subjects"].values() for text in label.values()]
    for item in BANK.items:
        for text in (item.text.de.lower(), item.text.en.lower()):
            named = [subject for subject in subjects if re.search(rf"\b{re.escape(subject)}\b", text)]
            assert not named, (item.id, named)


@pytest.mark.parametrize("item", BANK.items, ids=lambda item: item.id)
def test_example_occupation_is_a_profile_of_the_items_type(item: CheckItem) -> None:
    profile_path = PROFESSIONS_DIR / f"{item.example_occupation}.yaml"
    assert profile_path.is_file(), item.example_occupation
    profile = yaml.safe_load(profile_path.read_text(encoding="utf-8"))
    assert item.type in profile["riasec"][:2], (item.id, profile["riasec"])


def test_example_occupations_are_spread_over_the_region() -> None:
    occupations = [item.example_occupation for item in BANK.items]
    assert len(set(occupations)) == len(occupations)


def test_quick_and_full_check_take_the_types_in_turn() -> None:
    quick = BANK.sequence("quick")
    full = BANK.sequence("full")
    assert len(quick) == 30 and all(item.quick for item in quick)
    assert len(full) == 48 and {item.id for item in full} == {item.id for item in BANK.items}
    for sequence in (quick, full):
        assert [item.type for item in sequence] == [RIASEC[index % 6] for index in range(len(sequence))]
    # The full check continues where the quick check ends.
    assert full[:30] == quick


def test_the_same_bank_loads_every_time() -> None:
    assert load_items() == BANK
    assert load_types() == TYPES
    assert load_answer_scale() == SCALE


# -- interest types -------------------------------------------------------------------------


def test_six_types_in_riasec_order_with_every_text_in_both_languages() -> None:
    assert [interest_type.code for interest_type in TYPES.types] == list(RIASEC)
    for interest_type in TYPES.types:
        assert interest_type.emoji
        for text in (
            interest_type.name,
            interest_type.short,
            interest_type.explanation,
            interest_type.reason,
        ):
            assert text.de and text.en
        assert len(interest_type.short.de.split()) == 1 and len(interest_type.short.en.split()) == 1
        for explanation in (interest_type.explanation.de, interest_type.explanation.en):
            # one simple sentence
            assert explanation.endswith(".") and explanation.count(".") == 1, explanation
            assert len(explanation.split()) <= 16, explanation
        assert interest_type.explanation.de.startswith("Du ")
        assert interest_type.explanation.en.startswith("You ")
        assert interest_type.reason.de.startswith("du ") and interest_type.reason.en.startswith("you ")


def test_fit_reason_joins_the_reasons_of_one_or_two_types() -> None:
    technical = TYPES.get("R").reason
    orderly = TYPES.get("C").reason
    assert TYPES.fit_reason(["R"], "de") == f"Passt zu dir, denn {technical.de}."
    assert TYPES.fit_reason(["R", "C"], "en") == f"A good fit, because {technical.en} – and {orderly.en}."
    assert TYPES.fit_reason(["R", "C", "I"], "de") == TYPES.fit_reason(["R", "C"], "de")
    with pytest.raises(ValueError):
        TYPES.fit_reason([], "de")


# -- answer scale ---------------------------------------------------------------------------


def test_five_answers_with_short_buttons_in_both_languages() -> None:
    assert [option.value for option in SCALE.options] == [1, 2, 3, 4, 5]
    for option in SCALE.options:
        for button in (option.button.de, option.button.en):
            emoji, label = button.split(" ", 1)
            assert not emoji.isalnum() and 1 <= len(label.split()) <= 3 and len(button) <= 16, button
        assert option.meaning.de and option.meaning.en
    assert len({option.button.de for option in SCALE.options}) == 5
    assert len({option.button.en for option in SCALE.options}) == 5
    assert {command.name for command in SCALE.commands} == set(COMMANDS)


def test_at_least_80_typed_phrases_for_every_value() -> None:
    assert len(SCALE.phrases) >= 80
    per_value = Counter(phrase.value for phrase in SCALE.phrases)
    assert all(per_value[value] >= 10 for value in range(1, 6)), per_value


ANSWER_PHRASES = [(str(text), value) for value, texts in RAW_ANSWERS["answers"].items() for text in texts]
COMMAND_PHRASES = [
    (str(text), name) for name, entry in RAW_ANSWERS["commands"].items() for text in entry["phrases"]
]


@pytest.mark.parametrize(("text", "value"), ANSWER_PHRASES)
def test_every_listed_phrase_means_its_value(text: str, value: int) -> None:
    assert parse_free_text_answer(text) == value


@pytest.mark.parametrize(("text", "command"), COMMAND_PHRASES)
def test_every_listed_command_phrase_means_its_command(text: str, command: str) -> None:
    assert parse_check_command(text) == command
    expected = command if command in ("skip", "back") else None
    assert parse_free_text_answer(text) == expected


def test_typing_a_button_label_means_the_same_as_pressing_it() -> None:
    for option in SCALE.options:
        assert parse_free_text_answer(option.button.de) == option.value
        assert parse_free_text_answer(option.button.en) == option.value
    for command in SCALE.commands:
        assert parse_check_command(command.button.de) == command.name
        assert parse_check_command(command.button.en) == command.name


# -- free-text answers ----------------------------------------------------------------------

REALISTIC_ANSWERS: list[tuple[str, int | str]] = [
    # the examples of the issue
    ("ja voll", 5),
    ("eher nicht", 2),
    ("weiß nicht", 3),
    ("👍", 4),
    ("4", 4),
    ("yes", 4),
    ("Ja voll!!", 5),
    ("Eher nicht.", 2),
    ("Weiß nicht 🤷", 3),
    # case, punctuation, repeated letters, missing umlauts
    ("JAAAA", 4),
    ("jaa", 4),
    ("neeein", 2),
    ("Nööö!", 2),
    ("gaaar nicht", 1),
    ("weiss nicht", 3),
    ("weis nich", 3),
    ("ueberhaupt nicht", 1),
    ("schoen", 4),
    # emoji: variation selectors, skin tones, gender signs, several at once
    ("❤", 5),
    ("❤️❤️", 5),
    ("👍🏽", 4),
    ("👍🏿👍🏿", 4),
    ("🤷‍♀️", 3),
    ("🤷🏾‍♂️", 3),
    ("ok 👌", 4),
    ("ja👍", 4),
    ("😍😍😍", 5),
    ("🤮", 1),
    # sentences
    ("das würde ich gerne machen", 4),
    ("würde ich nie machen", 1),
    ("ich mag das", 4),
    ("ich mag das nicht", 2),
    ("ich mag das gar nicht", 1),
    ("das mache ich nicht gern", 2),
    ("das ist nicht so mein Ding", 2),
    ("klingt spannend", 4),
    ("find ich blöd", 2),
    ("eher so mittel", 3),
    ("no, I wouldn't", 2),
    ("klingt voll langweilig", 1),
    ("ja, sehr gern", 5),
    ("nee, eher nicht", 2),
    ("nein, auf keinen Fall", 1),
    ("ich hab keine Ahnung", 3),
    ("kann ich mir vorstellen", 4),
    ("nicht schlecht", 4),
    ("i don't like it", 2),
    ("I'd rather not", 2),
    ("I'm not sure", 3),
    ("i love it!", 5),
    ("not bad", 4),
    ("hell no", 1),
    ("idk", 3),
    # slang
    ("safe", 5),
    ("digga nein", 2),
    ("kein bock", 1),
    ("mega bock", 5),
    ("joa", 4),
    ("lol nein", 1),
    ("voll cringe", 1),
    ("jein", 3),
    # numbers
    ("5", 5),
    ("1", 1),
    ("4/5", 4),
    ("3 von 5", 3),
    ("8 von 10", 4),
    ("10/10", 5),
    ("0/10", 1),
    ("80%", 4),
    ("100 prozent", 5),
    ("50/50", 3),
    # skip and back
    ("weiter", "skip"),
    ("Überspringen bitte", "skip"),
    ("skip", "skip"),
    ("nächste frage", "skip"),
    ("zurück", "back"),
    ("zurueck", "back"),
    ("letzte ändern", "back"),
    ("ups falsch gedrückt", "back"),
    ("go back", "back"),
]


@pytest.mark.parametrize(("text", "expected"), REALISTIC_ANSWERS)
def test_realistic_typed_answer_is_understood(text: str, expected: int | str) -> None:
    assert parse_free_text_answer(text) == expected


UNCLEAR_TEXTS = [
    "was macht ein mechatroniker",
    "Was macht ein Mechatroniker?",
    "ja, aber was verdient man da?",
    "hä",
    "hä???",
    "häää",
    "",
    "   ",
    "?!",
    "lol",
    "ich",
    "ja nein",
    "ja, eher nicht",
    "voll nicht gern ja",
    "6",
    "0",
    "12/10",
    "nicht weiter",
    "ja zurück",
    "nicht weiß nicht",
    "😂",
    "asdf",
    "wie lange dauert die ausbildung",
    "mein ergebnis",
]


@pytest.mark.parametrize("text", UNCLEAR_TEXTS)
def test_unclear_text_is_not_taken_as_an_answer(text: str) -> None:
    assert parse_free_text_answer(text) is None
    assert parse_check_command(text) is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("Pause", "pause"),
        ("ich mach später weiter", "pause"),
        ("muss los", "pause"),
        ("stopp!", "stop"),
        ("keine lust mehr", "stop"),
        ("nochmal von vorne", "restart"),
    ],
)
def test_pause_stop_and_restart_are_commands_not_answers(text: str, command: str) -> None:
    assert parse_check_command(text) == command
    assert parse_free_text_answer(text) is None


def test_keine_lust_is_an_answer_but_keine_lust_mehr_ends_the_check() -> None:
    assert parse_free_text_answer("keine Lust") == 1
    assert parse_check_command("keine Lust mehr") == "stop"


@pytest.mark.parametrize(("text", "expected"), REALISTIC_ANSWERS)
def test_reading_ignores_case_and_surrounding_punctuation(text: str, expected: int | str) -> None:
    assert parse_free_text_answer(f"  {text.upper()} !! ") == expected
    assert parse_free_text_answer(text) == parse_free_text_answer(text)


@pytest.mark.skipif(not HAVE_HYPOTHESIS, reason="hypothesis is installed in the services' environment only")
def test_any_text_reads_as_an_answer_a_command_or_nothing() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    allowed = {1, 2, 3, 4, 5, "skip", "back", None}

    @given(st.text(max_size=40))
    def check(text: str) -> None:
        reading = parse_free_text_answer(text)
        assert reading in allowed
        assert parse_free_text_answer(text) == reading

    check()


# -- the loader refuses broken files --------------------------------------------------------


def copy_check_files(tmp_path: Path) -> Path:
    for source in (ITEMS_PATH, TYPES_PATH, ANSWERS_PATH):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_loader_lists_every_problem_of_a_broken_item_bank(tmp_path: Path) -> None:
    items = copy_check_files(tmp_path) / "items.yaml"
    rewrite(items, "    en: Repair a tractor\n", "")
    rewrite(items, "example_occupation: zimmerer", "example_occupation: astronaut")
    rewrite(items, "quick: [r01, i01, a01,", "quick: [i01, r01, a01,")
    with pytest.raises(CheckBankError) as raised:
        load_items(items)
    problems = "\n".join(raised.value.problems)
    assert "r01: text missing in en" in problems
    assert "'astronaut' is not a profile" in problems
    assert "order.quick must take the types in turn" in problems


def test_loader_refuses_unequal_numbers_per_type(tmp_path: Path) -> None:
    items = copy_check_files(tmp_path) / "items.yaml"
    rewrite(items, "id: r08\n    type: R\n    quick: false", "id: r08\n    type: R\n    quick: true")
    with pytest.raises(CheckBankError, match="same number of quick items"):
        load_items(items)


def test_loader_refuses_phrases_that_contradict_each_other(tmp_path: Path) -> None:
    answers = copy_check_files(tmp_path) / "answers.yaml"
    rewrite(answers, '    - "gar nicht"\n', '    - "gar nicht"\n    - "Ja!"\n')
    with pytest.raises(CheckBankError, match="read the same once normalised"):
        load_answer_scale(answers)


def test_loader_refuses_an_unquoted_yes(tmp_path: Path) -> None:
    answers = copy_check_files(tmp_path) / "answers.yaml"
    rewrite(answers, '    - "yes"\n', "    - yes\n")
    with pytest.raises(CheckBankError, match="put it in quotes"):
        load_answer_scale(answers)


def test_loader_refuses_a_type_without_english(tmp_path: Path) -> None:
    types = copy_check_files(tmp_path) / "types.yaml"
    rewrite(types, "      en: you like helping other people\n", "")
    with pytest.raises(CheckBankError, match=r"S\.reason: text missing in en"):
        load_types(types)
