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
from tests.knowledge.support import DELETE, mapping_yaml, profile_data

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
        ("interests", "interests is missing"),
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


@pytest.mark.parametrize("riasec", ["R", "RC", "RIAS", "RRC", "RCX", "rca", 3])
def test_riasec_must_be_three_distinct_letters(vocab: Vocab, riasec: object) -> None:
    problems = messages(problems_of([tischler({"riasec": riasec}), zimmerer()], vocab))
    assert len(problems) == 1 and "riasec must be 3 different letters of RIASEC" in problems[0]


@pytest.mark.parametrize("riasec", ["RAC", "CRA", "RCI"])
def test_riasec_must_be_the_code_of_the_interests(vocab: Vocab, riasec: str) -> None:
    # tischler's interests are R 100, I 18, A 24, S 2, E 4, C 43: the code is RCA.
    assert messages(problems_of([tischler({"riasec": riasec}), zimmerer()], vocab)) == [
        f"tischler.yaml: riasec '{riasec}' is not the code of the interests, 'RCA' (the three highest "
        "scores, strongest first, equal ones in the order RIASEC)"
    ]


@pytest.mark.parametrize(
    "interests",
    [
        {"R": 100, "I": 18, "A": 24, "S": 2, "E": 4},  # C missing
        {"R": 101, "I": 18, "A": 24, "S": 2, "E": 4, "C": 43},
        {"R": 100, "I": -1, "A": 24, "S": 2, "E": 4, "C": 43},
        {"R": 100, "I": 18.5, "A": 24, "S": 2, "E": 4, "C": 43},
        {"R": True, "I": 18, "A": 24, "S": 2, "E": 4, "C": 43},
        {"R": 100, "I": 18, "A": 24, "S": 2, "E": 4, "C": 43, "X": 1},
        [100, 18, 24, 2, 4, 43],
        "RCA",
    ],
)
def test_interests_must_be_six_whole_numbers_from_0_to_100(vocab: Vocab, interests: object) -> None:
    assert messages(problems_of([tischler({"interests": interests}), zimmerer()], vocab)) == [
        "tischler.yaml: interests must give each of R, I, A, S, E, C a whole number from 0 to 100 "
        "(written by python -m knowledge.tools.derive_interests)"
    ]


def test_no_two_profiles_may_share_all_six_scores(vocab: Vocab) -> None:
    same = zimmerer({"interests": tischler()["interests"], "riasec": tischler()["riasec"]})
    assert messages(problems_of([tischler(), same], vocab)) == [
        "zimmerer.yaml: interests are the same six scores as in tischler.yaml; no two occupations may share "
        "them (map one to another O*NET occupation, or adjust with a reason)"
    ]
    one_point_apart = zimmerer({"interests": {**tischler()["interests"], "S": 3}, "riasec": "RCA"})
    assert problems_of([tischler(), one_point_apart], vocab) == []


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


def _knowledge_copy(tmp_path: Path, mapping: str | None = None) -> Path:
    """vocab.yaml, the sources and an O*NET mapping of tischler and zimmerer (or `mapping`)."""
    root = tmp_path / "knowledge"
    root.mkdir()
    shutil.copy(KNOWLEDGE_DIR / "vocab.yaml", root / "vocab.yaml")
    shutil.copy(KNOWLEDGE_DIR / "explore.yaml", root / "explore.yaml")
    shutil.copytree(KNOWLEDGE_DIR / "sources", root / "sources")
    (root / "interests").mkdir()
    (root / "interests" / "onet_mapping.yaml").write_text(mapping or mapping_yaml(), encoding="utf-8")
    shutil.copytree(KNOWLEDGE_DIR / "rules", root / "rules")
    shutil.copytree(KNOWLEDGE_DIR / "regional", root / "regional")
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


# -- the O*NET mapping behind the interests ------------------------------------------------------


def _mapping_problems(
    tmp_path: Path, write_profiles: WriteProfiles, mapping: str, *profiles: Any
) -> list[str]:
    root = _knowledge_copy(tmp_path, mapping)
    write_profiles(profiles or [tischler(), zimmerer()], root / "professions")
    return [str(problem).replace(str(root) + "/", "") for problem in iter_problems(root)]


def test_the_test_mapping_reproduces_the_test_profiles(tmp_path: Path, write_profiles: WriteProfiles) -> None:
    assert _mapping_problems(tmp_path, write_profiles, mapping_yaml()) == []


def test_interests_that_differ_from_the_mapping_are_reported(
    tmp_path: Path, write_profiles: WriteProfiles
) -> None:
    # A hand edit that keeps the code consistent is still caught: the scores are not reproducible.
    edited = tischler({"interests": {**tischler()["interests"], "C": 44}})
    assert _mapping_problems(tmp_path, write_profiles, mapping_yaml(), edited, zimmerer()) == [
        "professions/tischler.yaml: interests differ from what the mapping derives "
        "(interests: {R: 100, I: 18, A: 24, S: 2, E: 4, C: 43}); "
        "run python -m knowledge.tools.derive_interests"
    ]


def test_every_profile_must_be_mapped_and_every_mapped_slug_must_be_a_profile(
    tmp_path: Path, write_profiles: WriteProfiles
) -> None:
    mapping = mapping_yaml(["tischler"]) + '  maurer:\n    onet: ["47-2021.00"]\n'
    problems = _mapping_problems(tmp_path, write_profiles, mapping)
    assert problems == [
        "professions/zimmerer.yaml: is not in the O*NET mapping; add 'zimmerer' to interests",
        "interests/onet_mapping.yaml: occupations.maurer is not an existing profile",
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            '{onet: ["47-2031.00"], adjust: {S: 5}}',
            "occupations.zimmerer.why is missing: every adjust needs its reason",
        ),
        (
            '{onet: ["47-2031.99"]}',
            "occupations.zimmerer.onet: '47-2031.99' is not an occupation of the O*NET interest data",
        ),
        ("{onet: []}", "occupations.zimmerer.onet must list 1 to 3 O*NET-SOC codes in quotes"),
        (
            '{onet: ["47-2031.00", "51-7011.00", "47-2061.00", "47-2021.00"]}',
            "occupations.zimmerer.onet must list 1 to 3 O*NET-SOC codes in quotes",
        ),
        (
            '{onet: ["47-2031.00"], adjust: {S: 30}, why: "more people"}',
            "occupations.zimmerer.adjust must map RIASEC letters to whole points from -25 to +25",
        ),
        (
            '{onet: ["47-2031.00"], adjust: {X: 5}, why: "typo"}',
            "occupations.zimmerer.adjust must map RIASEC letters to whole points from -25 to +25",
        ),
        ('{onet: ["47-2031.00"], note: "x"}', "occupations.zimmerer.note is not a known field (typo?)"),
    ],
)
def test_mapping_entries_are_checked(
    tmp_path: Path, write_profiles: WriteProfiles, entry: str, expected: str
) -> None:
    mapping = mapping_yaml(["tischler"]) + f"  zimmerer: {entry}\n"
    problems = _mapping_problems(tmp_path, write_profiles, mapping)
    assert f"interests/onet_mapping.yaml: {expected}" in problems, problems


def test_a_slug_in_two_mapping_files_is_reported(tmp_path: Path, write_profiles: WriteProfiles) -> None:
    root = _knowledge_copy(tmp_path)
    (root / "interests" / "onet_mapping_part2.yaml").write_text(mapping_yaml(["zimmerer"]), encoding="utf-8")
    write_profiles([tischler(), zimmerer()], root / "professions")
    problems = [problem.message for problem in iter_problems(root)]
    assert problems == ["occupations.zimmerer is also mapped in onet_mapping.yaml"]


def test_an_adjustment_with_its_reason_is_accepted(tmp_path: Path, write_profiles: WriteProfiles) -> None:
    mapping = mapping_yaml(["tischler"]) + (
        '  zimmerer:\n    onet: ["47-2031.00"]\n    adjust: {S: 25, C: -25}\n'
        '    why: "test: a German occupation that differs from the US one"\n'
    )
    # Carpenters: S 15 + 25 = 40, C 41 - 25 = 16; the code follows the adjusted scores.
    adjusted = zimmerer(
        {"interests": {"R": 96, "I": 15, "A": 20, "S": 40, "E": 13, "C": 16}, "riasec": "RSA"}
    )
    assert _mapping_problems(tmp_path, write_profiles, mapping, tischler(), adjusted) == []
