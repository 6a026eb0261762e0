"""Each rule of knowledge/README.md ("Rules the validator enforces") rejects bad data."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.loader import KNOWLEDGE_DIR, load_vocab
from knowledge.schema import TOPIC_KEYS, Vocab
from knowledge.validate import Problem, check_profiles, check_vocab, iter_problems, main
from tests.knowledge.support import DELETE, profile_data

WriteProfiles = Callable[..., Path]


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return load_vocab()


def tischler(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return profile_data("tischler", changes)


def zimmerer(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return profile_data(
        "zimmerer", changes, masc="Zimmerer", fem="Zimmerin", short="Zimmerer/Zimmerin", en="Timber builder"
    )


def problems_of(profiles: Iterable[dict[str, Any]], vocab: Vocab, allow_todo: bool = False) -> list[Problem]:
    return check_profiles({Path(f"{p['slug']}.yaml"): p for p in profiles}, vocab, allow_todo)


def messages(problems: Iterable[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


def test_a_valid_profile_set_has_no_problems(vocab: Vocab) -> None:
    assert problems_of([tischler(), zimmerer()], vocab) == []


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("names.en", "names.en is missing"),
        ("synonyms", "synonyms is missing"),
        ("kldb.field", "kldb.field is missing"),
        ("text.de.tasks", "text.de.tasks is missing"),
        ("pay.legal_minimum", "pay.legal_minimum is missing"),
        ("riasec", "riasec is missing"),
    ],
)
def test_a_missing_field_is_reported(vocab: Vocab, field: str, expected: str) -> None:
    assert messages(problems_of([tischler({field: DELETE}), zimmerer()], vocab)) == [
        f"tischler.yaml: {expected}"
    ]


def test_an_unknown_field_is_reported_as_a_likely_typo(vocab: Vocab) -> None:
    data = tischler()
    data["synonym"] = ["Schreiner"]
    assert messages(problems_of([data, zimmerer()], vocab)) == [
        "tischler.yaml: synonym is not a known field (typo?)"
    ]


def test_todo_left_in_any_field_is_reported_once_per_file(vocab: Vocab) -> None:
    data = tischler(
        {"names.short": "TODO", "riasec": "TODO", "text.en.tasks": [], "text.de.description": "TODO: ..."}
    )
    problems = messages(problems_of([data, zimmerer()], vocab))
    assert problems == [
        "tischler.yaml: not filled in yet: names.short (TODO), riasec (TODO), text.de.description (TODO), "
        "text.en.tasks (empty)"
    ]


def test_allow_todo_accepts_placeholders_but_still_checks_the_rest(vocab: Vocab) -> None:
    data = tischler({"names.short": "TODO", "riasec": "TODO", "subjects": [], "training_type": "apprentice"})
    problems = messages(problems_of([data, zimmerer()], vocab, allow_todo=True))
    assert len(problems) == 1
    assert problems[0].startswith("tischler.yaml: training_type 'apprentice' is not a known code")


def test_slug_must_equal_the_file_name(vocab: Vocab) -> None:
    problems = check_profiles({Path("schreiner.yaml"): tischler(), Path("zimmerer.yaml"): zimmerer()}, vocab)
    assert "schreiner.yaml: slug 'tischler' does not match the file name 'schreiner.yaml'" in messages(
        problems
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("training_type", "apprentice", "training_type 'apprentice' is not a known code"),
        ("certificate.typical", "gymnasium", "certificate.typical 'gymnasium' is not a known code"),
        (
            "certificate.required",
            "mittlere-reife",
            "certificate.required 'mittlere-reife' is not a known code",
        ),
        ("subjects", ["werken", "woodwork"], "subjects 'woodwork' is not a known code"),
        ("kldb.field", "X", "kldb.field 'X' is not a known code"),
    ],
)
def test_an_unknown_vocabulary_code_is_reported(vocab: Vocab, field: str, value: Any, expected: str) -> None:
    problems = messages(problems_of([tischler({field: value}), zimmerer()], vocab))
    assert len(problems) == 1 and problems[0].startswith(f"tischler.yaml: {expected}"), problems


@pytest.mark.parametrize("riasec", ["R", "RIAS", "RR", "RX", "ri", 3])
def test_riasec_must_be_two_or_three_distinct_letters(vocab: Vocab, riasec: object) -> None:
    problems = messages(problems_of([tischler({"riasec": riasec}), zimmerer()], vocab))
    assert len(problems) == 1 and "riasec must be 2 or 3 different letters of RIASEC" in problems[0]


def test_kldb_field_must_be_the_first_digit_of_the_code(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"kldb.field": "3"}), zimmerer()], vocab))
    assert problems == ["tischler.yaml: kldb.field '3' must be the first digit of kldb.code '22342'"]


@pytest.mark.parametrize("code", ["2234", 22342, "22342a"])
def test_kldb_code_must_be_five_digits_as_text(vocab: Vocab, code: object) -> None:
    problems = messages(problems_of([tischler({"kldb.code": code}), zimmerer()], vocab))
    assert len(problems) == 1 and "kldb.code must be five digits" in problems[0]


def test_text_in_one_language_only_is_reported(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"text.en": DELETE}), zimmerer()], vocab))
    assert problems == [
        "tischler.yaml: text.en is missing: every text must exist in German and English (English is missing)"
    ]


def test_both_languages_need_the_same_fields(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"text.en.workplaces": DELETE}), zimmerer()], vocab))
    assert problems == ["tischler.yaml: text.en.workplaces is missing"]


def test_pay_note_needs_both_languages(vocab: Vocab) -> None:
    problems = messages(
        problems_of([tischler({"pay.note": {"de": "Kein Gehalt in der Schule."}}), zimmerer()], vocab)
    )
    assert problems == ["tischler.yaml: pay.note.en is missing"]


def test_pay_note_is_required_without_legal_minimum(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"pay.legal_minimum": False}), zimmerer()], vocab))
    assert problems == ["tischler.yaml: pay.note is missing; it is required when pay.legal_minimum is false"]


def test_a_synonym_pointing_at_two_occupations_is_reported_for_both(vocab: Vocab) -> None:
    # "Holzwurm" and "Holzwürmer"/"HOLZWURM" differ only in case and umlauts
    first = tischler({"synonyms": ["Holzwurm"]})
    second = zimmerer({"synonyms": ["HOLZWURM"]})
    problems = messages(problems_of([first, second], vocab))
    assert problems == [
        "tischler.yaml: synonym 'Holzwurm' also points at zimmerer; a synonym must mean one occupation only",
        "zimmerer.yaml: synonym 'HOLZWURM' also points at tischler; a synonym must mean one occupation only",
    ]


def test_synonyms_are_compared_with_gender_endings_folded(vocab: Vocab) -> None:
    problems = messages(
        problems_of(
            [tischler({"synonyms": ["Holzkünstler"]}), zimmerer({"synonyms": ["Holzkuenstlerin"]})], vocab
        )
    )
    assert len(problems) == 2 and all("also points at" in problem for problem in problems)


def test_a_synonym_must_not_be_another_occupations_name(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"synonyms": ["Zimmerin"]}), zimmerer()], vocab))
    assert problems == ["tischler.yaml: synonym 'Zimmerin' is the name of another occupation (zimmerer)"]


@pytest.mark.parametrize("synonym", ["Mechaniker", "Kauffrau", "Elektrikerin", "Angestellter"])
def test_a_general_job_word_is_no_synonym(vocab: Vocab, synonym: str) -> None:
    problems = messages(problems_of([tischler({"synonyms": [synonym]}), zimmerer()], vocab))
    assert problems == [
        f"tischler.yaml: synonym '{synonym}' is a general word for many jobs; the matcher offers a choice "
        "for it, so it must not be a synonym"
    ]


def test_related_must_name_an_existing_profile(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"related": ["zimmerer", "schreiner"]}), zimmerer()], vocab))
    assert problems == ["tischler.yaml: related 'schreiner' is not an existing profile"]


def test_related_must_not_name_the_profile_itself(vocab: Vocab) -> None:
    problems = messages(problems_of([tischler({"related": ["zimmerer", "tischler"]}), zimmerer()], vocab))
    assert problems == ["tischler.yaml: related lists the profile itself"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "subjects",
            ["werken", "mathe", "physik", "kunst", "deutsch"],
            "subjects has 5 items; it needs 2 to 4",
        ),
        ("text.de.tasks", ["sägen"], "text.de.tasks has 1 items; it needs 3 to 5"),
        ("subjects", ["werken", "werken"], "subjects lists werken more than once"),
        ("duration_months", 100, "duration_months must be a whole number of months from 12 to 48"),
        ("pay.legal_minimum", "yes please", "pay.legal_minimum must be true or false"),
        ("names.fem", 7, "names.fem must be a non-empty text"),
    ],
)
def test_shapes_and_counts_from_the_readme_example(
    vocab: Vocab, field: str, value: Any, expected: str
) -> None:
    problems = messages(problems_of([tischler({field: value}), zimmerer()], vocab))
    assert len(problems) == 1 and problems[0].startswith(f"tischler.yaml: {expected}"), problems


def test_regulation_is_required_for_dual_training_only(vocab: Vocab) -> None:
    dual = messages(problems_of([tischler({"regulation": DELETE}), zimmerer()], vocab))
    assert dual == ["tischler.yaml: regulation is missing; dual occupations name their training regulation"]
    school = tischler({"regulation": DELETE, "training_type": "school"})
    assert problems_of([school, zimmerer()], vocab) == []


def test_vocab_labels_need_german_and_english() -> None:
    data = {
        "certificates": {"none": {"rank": 0, "de": "ohne", "en": "none"}},
        "training_types": {"dual": {"de": "dual"}},
        "subjects": {"mathe": {"de": "Mathe", "en": "maths"}},
        "fields": {"1": {"de": "Landwirtschaft", "en": "agriculture"}},
        "riasec": {"R": {"de": "praktisch", "en": "realistic"}},
    }
    problems = messages(check_vocab(Path("vocab.yaml"), data))
    assert problems == ["vocab.yaml: training_types.dual.en is missing: every label needs German and English"]


def _knowledge_copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    root.mkdir()
    shutil.copy(KNOWLEDGE_DIR / "vocab.yaml", root / "vocab.yaml")
    shutil.copy(KNOWLEDGE_DIR / "explore.yaml", root / "explore.yaml")
    shutil.copytree(KNOWLEDGE_DIR / "sources", root / "sources")
    # every topic key, with the two profiles the tests write (every profile needs a topic)
    topics = {
        key: {
            "names": {"de": key, "en": key},
            "words": {"de": [key], "en": [f"{key} en"]},
            "occupations": ["tischler", "zimmerer"],
        }
        for key in TOPIC_KEYS
    }
    (root / "topics.yaml").write_text(yaml.safe_dump(topics), encoding="utf-8")
    return root


def test_yaml_errors_and_repeated_keys_are_reported(tmp_path: Path, write_profiles: WriteProfiles) -> None:
    root = _knowledge_copy(tmp_path)
    directory = write_profiles([tischler(), zimmerer()], root / "professions")
    (directory / "broken.yaml").write_text("slug: broken\nnames: [unclosed\n", encoding="utf-8")
    text = (directory / "tischler.yaml").read_text(encoding="utf-8")
    (directory / "tischler.yaml").write_text(text + "riasec: RI\n", encoding="utf-8")
    problems = [problem.message for problem in iter_problems(root)]
    assert any(message.startswith("is not valid YAML (line 3)") for message in problems), problems
    assert any("the key 'riasec' appears twice" in message for message in problems), problems


def test_command_line_prints_each_problem_and_exits_1(
    tmp_path: Path, write_profiles: WriteProfiles, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _knowledge_copy(tmp_path)
    write_profiles([tischler({"related": ["schreiner"]}), zimmerer()], root / "professions")
    assert main(["--dir", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].endswith("tischler.yaml: related 'schreiner' is not an existing profile")


def test_command_line_exits_0_without_problems(tmp_path: Path, write_profiles: WriteProfiles) -> None:
    root = _knowledge_copy(tmp_path)
    write_profiles([tischler(), zimmerer()], root / "professions")
    assert main(["--dir", str(root)]) == 0


def test_the_real_knowledge_base_has_no_problems_apart_from_todo() -> None:
    assert [str(problem) for problem in iter_problems(allow_todo=True)] == []
