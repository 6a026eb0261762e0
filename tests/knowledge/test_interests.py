"""The interest scores: the derivation method, the tool that writes them, and the real profiles."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from knowledge.interests import (
    ONET_FILE,
    derive_interests,
    derive_scores,
    format_interests,
    load_reference,
    read_onet,
    riasec_code,
    round_half_up,
)
from knowledge.loader import KNOWLEDGE_DIR, SOURCES_DIR, load_professions, read_yaml
from knowledge.schema import Profession
from knowledge.tools.derive_interests import ProfileEditError, main, rewrite_profile
from tests.knowledge.support import mapping_yaml, profile_data

F = Fraction


def scores_of(*values: str) -> tuple[Fraction, ...]:
    return tuple(Fraction(value) for value in values)


# -- the arithmetic ----------------------------------------------------------------------------


def test_one_occupation_is_rescaled_from_1_to_7_onto_0_to_100() -> None:
    # (x - 1) / 6 * 100: 7 -> 100, 1 -> 0, 4 -> 50, 2.5 -> 25, 5.2 -> 70, 3.1 -> 35
    assert derive_scores([scores_of("7", "1", "4", "2.5", "5.2", "3.1")]) == (100, 0, 50, 25, 70, 35)


def test_several_occupations_are_averaged_with_equal_weights() -> None:
    first = scores_of("7", "1", "1", "4", "2", "6.4")
    second = scores_of("1", "1", "4", "5", "2", "3.4")
    third = scores_of("4", "1", "7", "6", "2", "1")
    # means 4, 1, 4, 5, 2, 3.6 -> 50, 0, 50, 66.67, 16.67, 43.33
    assert derive_scores([first, second, third]) == (50, 0, 50, 67, 17, 43)


def test_exactly_half_rounds_up_unlike_python_round() -> None:
    # 1.03 -> 0.5, 1.75 -> 12.5 and 2.05 -> 17.5 exactly. round() would give 0 and 12, and float
    # arithmetic makes (2.05 - 1) / 6 * 100 = 17.4999..., which would round down to 17.
    assert round(0.5) == 0 and round(12.5) == 12 and (2.05 - 1) / 6 * 100 < 17.5
    assert derive_scores([scores_of("1.03", "1.75", "2.05", "1.0299", "1", "1")]) == (1, 13, 18, 0, 0, 0)
    assert [round_half_up(F(n, 2)) for n in (1, 3, 5, 25)] == [1, 2, 3, 13]
    assert round_half_up(F(-1, 2)) == 0


def test_adjust_is_added_and_clamped_to_0_to_100() -> None:
    base = scores_of("6.7", "1.3", "4", "4", "4", "4")  # 95, 5, 50, 50, 50, 50
    assert derive_scores([base], {"R": 25, "I": -25, "S": 3, "C": -10}) == (100, 0, 50, 53, 50, 40)


def test_no_occupation_is_an_error() -> None:
    with pytest.raises(ValueError):
        derive_scores([])


# -- the code ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        ((92, 61, 12, 20, 25, 48), "RIC"),
        ((10, 20, 30, 40, 50, 60), "CES"),
        ((50, 50, 50, 50, 50, 50), "RIA"),  # all equal: the order R I A S E C
        ((10, 60, 60, 20, 60, 0), "IAE"),
        ((70, 10, 40, 40, 10, 40), "RAS"),  # A, S, C tie for second: A and S, in RIASEC order
        ((0, 0, 0, 0, 0, 1), "CRI"),
    ],
)
def test_the_code_is_the_three_highest_strongest_first_ties_in_riasec_order(
    scores: tuple[int, ...], code: str
) -> None:
    assert riasec_code(scores) == code


def test_the_code_can_be_shorter_for_other_uses() -> None:
    assert riasec_code((10, 60, 60, 20, 60, 0), length=2) == "IA"


def test_the_profile_line_lists_the_six_scores_in_riasec_order() -> None:
    assert (
        format_interests((92, 61, 12, 20, 25, 48)) == "interests: {R: 92, I: 61, A: 12, S: 20, E: 25, C: 48}"
    )


def test_the_onet_csv_is_read_exactly() -> None:
    onet, problems = read_onet(SOURCES_DIR / ONET_FILE)
    assert problems == [] and len(onet) == 923
    hairdressers = onet["39-5012.00"]
    assert hairdressers.title == "Hairdressers, Hairstylists, and Cosmetologists"
    assert all(isinstance(value, Fraction) for value in hairdressers.scores)
    assert hairdressers.scores[0] == Fraction("5.41")


# -- the tool ----------------------------------------------------------------------------------

PROFILE = "slug: tischler\nsubjects: [werken, mathe]\nriasec: RA\npay:\n  legal_minimum: true\n"


def test_the_tool_rewrites_the_code_and_inserts_the_scores_right_after_it() -> None:
    text = rewrite_profile(PROFILE, (100, 18, 24, 2, 4, 43))
    assert text == (
        "slug: tischler\nsubjects: [werken, mathe]\nriasec: RCA\n"
        "interests: {R: 100, I: 18, A: 24, S: 2, E: 4, C: 43}\npay:\n  legal_minimum: true\n"
    )
    assert rewrite_profile(text, (100, 18, 24, 2, 4, 43)) == text  # a second run changes nothing


def test_the_tool_replaces_earlier_scores_wherever_they_stood() -> None:
    block = PROFILE + "interests:\n  R: 1\n  I: 2\n"
    assert rewrite_profile(block, (1, 2, 3, 4, 5, 6)) == (
        "slug: tischler\nsubjects: [werken, mathe]\nriasec: CES\n"
        "interests: {R: 1, I: 2, A: 3, S: 4, E: 5, C: 6}\npay:\n  legal_minimum: true\n"
    )


def test_the_tool_keeps_windows_line_endings_and_a_missing_final_newline() -> None:
    text = "slug: x\r\nriasec: RA"
    assert rewrite_profile(text, (1, 2, 3, 4, 5, 6)) == (
        "slug: x\r\nriasec: CES\r\ninterests: {R: 1, I: 2, A: 3, S: 4, E: 5, C: 6}"
    )


@pytest.mark.parametrize("text", ["slug: x\n", "riasec: RA\nriasec: RI\n", "  riasec: RA\n"])
def test_the_tool_refuses_a_profile_without_exactly_one_top_level_code(text: str) -> None:
    with pytest.raises(ProfileEditError):
        rewrite_profile(text, (1, 2, 3, 4, 5, 6))


def _tool_copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR / "sources", root / "sources")
    (root / "interests").mkdir(parents=True)
    (root / "interests" / "onet_mapping.yaml").write_text(mapping_yaml(), encoding="utf-8")
    (root / "professions").mkdir()
    for slug in ("tischler", "zimmerer"):
        data = profile_data(slug)
        del data["interests"]
        data["riasec"] = "RA"
        (root / "professions" / f"{slug}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root


def test_check_reports_differences_and_writing_makes_them_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tool_copy(tmp_path)
    before = {path.name: path.read_bytes() for path in (root / "professions").iterdir()}
    assert main(["--check", "--dir", str(root)]) == 1
    assert {path.name: path.read_bytes() for path in (root / "professions").iterdir()} == before
    assert capsys.readouterr().out.count("differs: ") == 2

    assert main(["--dir", str(root)]) == 0
    assert main(["--check", "--dir", str(root)]) == 0
    tischler = (root / "professions" / "tischler.yaml").read_bytes()
    old_lines = before["tischler.yaml"].decode().splitlines()
    new_lines = tischler.decode().splitlines()
    assert [line for line in new_lines if line not in old_lines] == [
        "riasec: RCA",
        "interests: {R: 100, I: 18, A: 24, S: 2, E: 4, C: 43}",
    ]
    assert [line for line in old_lines if line not in new_lines] == ["riasec: RA"]
    professions = load_professions(root / "professions")
    assert [(p.slug, p.riasec, p.interests) for p in professions] == [
        ("tischler", "RCA", (100, 18, 24, 2, 4, 43)),
        ("zimmerer", "RCA", (96, 15, 20, 15, 13, 41)),
    ]


def test_the_tool_leaves_unmapped_profiles_alone_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tool_copy(tmp_path)
    (root / "interests" / "onet_mapping.yaml").write_text(mapping_yaml(["tischler"]), encoding="utf-8")
    zimmerer = (root / "professions" / "zimmerer.yaml").read_bytes()
    assert main(["--dir", str(root)]) == 0
    assert (root / "professions" / "zimmerer.yaml").read_bytes() == zimmerer
    assert "not in the mapping (1): zimmerer" in capsys.readouterr().out


def test_the_tool_stops_on_a_broken_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tool_copy(tmp_path)
    (root / "interests" / "onet_mapping.yaml").write_text(
        'occupations:\n  tischler: {onet: ["00-0000.00"]}\n', encoding="utf-8"
    )
    assert main(["--dir", str(root)]) == 2
    assert "'00-0000.00' is not an occupation of the O*NET interest data" in capsys.readouterr().err


# -- the real knowledge base -------------------------------------------------------------------


def test_every_real_profile_has_the_scores_and_code_its_mapping_derives(
    real_professions: list[Profession],
) -> None:
    mapping, onet, problems = load_reference(KNOWLEDGE_DIR / "interests", SOURCES_DIR / ONET_FILE, read_yaml)
    assert problems == []
    assert sorted(mapping) == [profession.slug for profession in real_professions]
    for profession in real_professions:
        expected = derive_interests(mapping[profession.slug], onet)
        assert (profession.interests, profession.riasec) == (expected, riasec_code(expected)), profession.slug


def test_the_tool_finds_nothing_to_change_in_the_real_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0, capsys.readouterr().out


def test_no_two_real_occupations_share_their_scores(real_professions: list[Profession]) -> None:
    vectors = [profession.interests for profession in real_professions]
    assert all(len(vector) == 6 for vector in vectors) and len(set(vectors)) == len(vectors)


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("friseur", "RAS"),  # was ASR: hairdressing is hands-on work first
        ("augenoptiker", "RCI"),  # was RSE
        ("bestattungsfachkraft", "RCS"),  # was SRC
        ("hotelfachmann", "CSE"),  # was SEC
        ("florist", "RAC"),  # was ARE
        ("polizeikommissaranwaerter", "RES"),  # was SER; adjusted S +18, E +8 with a reason
        ("medizinischer-fachangestellter", "CSR"),  # was SCI
        ("zahnmedizinischer-fachangestellter", "CSR"),  # was SCR
        ("erzieher", "SAC"),
        ("fachinformatiker", "CIR"),
    ],
)
def test_reviewed_codes(real_professions: list[Profession], slug: str, code: str) -> None:
    assert {profession.slug: profession.riasec for profession in real_professions}[slug] == code
